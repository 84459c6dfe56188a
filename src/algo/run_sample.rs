//! The run sample: whether timsort would sort a list faster than a sort that first reads
//! every key, decided from a few dozen comparisons, before any key is read.
//!
//! Timsort sorts few long runs, or a nearly sorted list, in about one comparison per item: no
//! radix sort that first reads every key (a pass over the list and, with objects scattered in
//! memory, a cache miss per item) beats that. The sample looks at
//! - the runs, as timsort sees them: in evenly spaced windows of adjacent items, how many
//!   maximal non-descending or strictly descending runs start;
//! - the global order: whether evenly spaced items across the whole list are (nearly) in
//!   order, which tells a sorted list with a few items out of place from shuffled short runs;
//! - for short runs, the local order: whether items 32 places apart are in order,
//!   which tells a list in order but for local disorder (timsort's insertion sorts do nearly
//!   all its work) from one disordered at every scale.
//!
//! The items are whatever the caller compares (objects, in `py_list::handover`); the
//! comparison may refuse a pair, which ends the sample with "no". The sample is the same from
//! run to run: a list is always handed over, or never.

/// Windows of adjacent items for the run count, and pairs per window, at most.
const WINDOWS: usize = 32;
const WINDOW: usize = 64;
/// Evenly spaced items for the global order, at most and at least. At least 17: with 9, of
/// which 1 pair in 8 could be out of order, shuffled items passed one time in ~360 (5 of the
/// cargo tests' 3,030 shuffled lists were handed over; with 17, 1, by its run windows).
const SPACED: usize = 65;
const MIN_SPACED: usize = 17;
/// The run sample compares about one pair in this many (and the kind sample looks at half as
/// many items). It costs what it costs whoever sorts, and timsort sorts an already sorted
/// list of ints in ~4 ns an item, where a sampled comparison costs ~20-40 ns (type checks,
/// and cache misses as the windows are spread out): a fixed 2,000-pair sample made `sort.sort`
/// on a sorted list 0.26x of `list.sort` at 1e3 items, 0.56x at 1e4 and 0.89x at 1e5; one
/// pair in 128 still cost 8 % at 1e4 and 1e5. At one in 256 the sample stays within a few
/// percent of timsort's best case from ~1e4 items on.
pub const SAMPLE_SHARE: usize = 256;
/// Fewest pairs in a run window (shorter windows say little about runs).
const MIN_WINDOW: usize = 4;
/// Below this many sampled pairs (lists of under ~16,000 items), a few run boundaries say
/// little about the runs: a sorted list of 1,000 floats with 3 pairs of items swapped showed
/// one in 8 pairs about one time in ten, and went to the Rust sort at 0.36x-0.6x of
/// `sorted()`, where shuffled runs of 8-32 items, which show as many, sort 1.5x-2.5x faster
/// in Rust. What tells them apart is the global order (see [`runs_favour_timsort`]).
const FEW_PAIRS: usize = 64;
/// Short runs that come from local disorder only (no item more than this many places from
/// where it belongs, the list in order as a whole: timestamps of events logged a little out of
/// order, sorted words shuffled a little) go to timsort, which sorts them by insertion within
/// its minimum runs (32 to 64 items) and barely merges: ~5 comparisons an item where a
/// shuffled list takes ~17 at 1e5, all between neighbours in memory. The Rust sorts do not see
/// that order: 1e5 ISO timestamps each within 4 places of its own sorted 2.3x slower than
/// `sorted()`, 1e5 floats within 8 places 1.2x-1.4x slower. Numbers only from a full sample
/// (~16,000 items): at 1e4 their radix sort still wins (1.5x-1.8x, in cache).
const JITTER: usize = 32;

/// A fixed, well-mixed number for `w` (SplitMix64's finaliser): the sample is the same from
/// run to run, so a list is always handed over or never.
const fn scatter(w: usize) -> u64 {
    let mut x = (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// [`scatter`] of every window's number, computed at compile time.
const SCATTER: [u64; WINDOWS] = {
    let mut table = [0; WINDOWS];
    let mut w = 0;
    while w < WINDOWS {
        table[w] = scatter(w);
        w += 1;
    }
    table
};

/// A number in `0..=max` picked by `w`, without a division (the high half of a 64x64-bit
/// product, as in Lemire's range reduction): the sample's divisions were a third of its
/// time on a short list.
fn offset(w: usize, max: usize) -> usize {
    ((u128::from(SCATTER[w]) * (max as u128 + 1)) >> 64) as usize
}

/// Whether timsort, given `items`, would sort them faster than a sort that first reads every
/// key: `true` for few long runs, a list nearly in order as a whole, or one out of order only
/// locally (see the module docs).
/// `text`: the items are strs or bytes, whose Rust sort is slower at merging runs.
/// `local`: a list out of order only locally may go to timsort ([`JITTER`]); not for keys a
/// key function returned, which `list.sort` would be fed through a call per item (1,000 words
/// each within 8 places of its own, `key=str.lower`: 1.05x of `sorted()` in the string sort,
/// 0.80x fed to timsort).
/// `less(a, b)` is `a < b`, or `None` if that pair cannot be compared here, which makes the
/// answer `false`. The sample stops as soon as its answer is known.
#[inline(always)] // with the comparison of each kind inlined into it
pub fn runs_favour_timsort<T: Copy>(
    items: &[T],
    text: bool,
    local: bool,
    less: impl Fn(T, T) -> Option<bool>,
) -> bool {
    let n = items.len();
    if n < 2 {
        return true; // nothing to sort: nobody beats that
    }
    // About n / SAMPLE_SHARE pairs, in up to WINDOWS windows of MIN_WINDOW..=WINDOW pairs.
    // At least two windows: random items make a monotone window of 4 pairs one time in 60,
    // and with one window that many random lists were handed over (found by a fault-injection
    // test whose 1,000 random wide ints never reached the Rust sort); two make it 1 in 3,600.
    let budget = (n / SAMPLE_SHARE).clamp(2 * MIN_WINDOW, WINDOWS * WINDOW);
    let (window, windows) = if budget == 2 * MIN_WINDOW && n > budget {
        // The fewest pairs (a list of under ~2,000 items), in constants: the divisions below
        // were a third of the sample's time on a short list.
        (MIN_WINDOW, 2)
    } else {
        let window = (budget / WINDOWS).clamp(MIN_WINDOW, WINDOW).min(n - 1);
        let windows = (budget / window).min((n - 1) / window).clamp(1, WINDOWS);
        (window, windows)
    };
    let pairs = window * windows;
    // A small sample: few boundaries, and some disorder in the global order, say little.
    let small = pairs < FEW_PAIRS;
    // Local runs: boundaries between timsort's runs inside the windows. Random input has a
    // boundary every ~3 pairs; once there are more than pairs / 8 (runs of 8 on average),
    // timsort's runs are short and the Rust sort wins: stop there. A small sample allows
    // two in its 8 pairs, both of which may be items out of place in a sorted list: the
    // global order then decides (below).
    let allowed = if small { pairs / 4 } else { pairs / 8 };
    let mut boundaries = 0;
    // Window w starts somewhere in the w-th of `windows` equal stretches, at an offset that
    // varies from window to window: evenly spaced windows alias with evenly spaced run
    // boundaries (16 sorted runs of 625 items: 9 windows 1,249 items apart each straddled
    // one boundary, and the list, which timsort sorts in one merge pass, went to the Rust
    // sort at 0.88x of `sorted()`).
    let span = n - 1 - window; // the last possible start
    let stretch = if windows == 2 {
        span / 2
    } else {
        span / windows
    };
    let start_of = |w| w * stretch + offset(w, stretch);
    for w in 0..windows {
        let start = start_of(w);
        let mut descending: Option<bool> = None; // direction of the current run, once known
        for i in start..start + window {
            let Some(down) = less(items[i + 1], items[i]) else {
                return false;
            };
            match descending {
                None => descending = Some(down),
                Some(d) if d == down => {}
                Some(_) => {
                    boundaries += 1;
                    if boundaries > allowed {
                        // Short runs: the Rust sort wins, unless the items are out of place
                        // only locally in a list in order as a whole.
                        return local
                            && (text || !small)
                            && in_order_within(items, JITTER, (windows, window, start_of), &less)
                            && nearly_in_order(items, budget, small, &less);
                    }
                    descending = None; // the next pair starts a new run
                }
            }
        }
    }
    // Few long runs: fewer boundaries than one per n / 64 items (timsort then merges at most
    // ~64 runs, ~6 comparisons per item, mostly galloping), and runs longer than timsort's
    // minimum run (32), which it would otherwise make by insertion sort. (Without the second
    // condition a list of a few hundred items passed with one boundary in its 8 sampled
    // pairs: one random list of 200 in 9 went to timsort, at half the Rust sort's speed.)
    if boundaries * n <= 64 * pairs && boundaries * 32 <= pairs {
        return true;
    }
    // Strings in runs of 16 or more on average: the string sort would merge the runs
    // ([`crate::algo::text`]), pairwise through an index, where timsort's merges gallop over
    // neighbours in memory comparing with `memcmp`; measured slower (1000 runs of 1000 paths,
    // 1e6: 0.78x).
    if text && boundaries * 16 <= pairs {
        return true;
    }
    // Runs of 8+ (strs) or 16+ (numbers, tuples) on average, and the list nearly in order as
    // a whole (a sorted list with a few items out of place, file paths in walk order): timsort's
    // merges gallop through it (sorted() on 1e6 paths in walk order: 0.48 s; shuffled: 5.0 s).
    // A small sample's one or two boundaries may be the only misplaced items of a sorted
    // list, so there any boundary count the windows allow is settled by the global order.
    if !text && boundaries * 16 > pairs && !small {
        return false;
    }
    nearly_in_order(items, budget, small, &less)
}

/// Whether evenly spaced items across the whole of `items` are nearly ascending, or nearly
/// descending (which `reverse=True` or timsort's run reversal turns into nearly ascending):
/// one pair in eight may be out of order; after a `small` sample, 3 of the 16 (a sorted list
/// of 128 with 3 swapped pairs has 3 of its 6 misplaced items among the 17 one time in 30, 4
/// one time in 200; 17 shuffled items pass one time in ~12,000). `false` if `less` refuses a
/// pair.
fn nearly_in_order<T: Copy>(
    items: &[T],
    budget: usize,
    small: bool,
    less: &impl Fn(T, T) -> Option<bool>,
) -> bool {
    let n = items.len();
    let spaced = (budget / 16).clamp(MIN_SPACED, SPACED).min(n);
    let gaps = spaced - 1;
    let limit = if small { gaps * 3 / 16 } else { gaps / 8 };
    let mut descents = 0;
    let mut ascents = 0;
    let mut a = items[0];
    for at in evenly_spaced(n, gaps) {
        let b = items[at];
        // `a < b` rules out `b < a`: one comparison per pair of a nearly ascending list.
        let Some(ascent) = less(a, b) else {
            return false;
        };
        let descent = if ascent {
            false
        } else {
            let Some(descent) = less(b, a) else {
                return false;
            };
            descent
        };
        ascents += usize::from(ascent);
        descents += usize::from(descent);
        if descents.min(ascents) > limit {
            return false; // shuffled items: over after a few pairs
        }
        a = b;
    }
    true
}

/// Whether items `distance` apart are in order (all ascending, or all descending, but for one
/// pair in 32) at the pairs starting in the run windows: `starts(w)` is window `w`'s first
/// item, for each of `windows` windows of `window` pairs (at least 8 pairs each: a small
/// sample's windows have 4, and 1,000 strs each within 100 places of its own passed 8 such
/// pairs one time in 8). Then no item is more than about `distance` places from where it
/// belongs, locally: timsort's insertion sort of each minimum run (32 to 64 items) does nearly
/// all the work, and its merges gallop. `false` if `less` refuses a pair.
fn in_order_within<T: Copy>(
    items: &[T],
    distance: usize,
    (windows, window, starts): (usize, usize, impl Fn(usize) -> usize),
    less: &impl Fn(T, T) -> Option<bool>,
) -> bool {
    let n = items.len();
    let window = window.max(8);
    let pairs =
        (0..windows).flat_map(|w| (starts(w)..starts(w) + window).filter(|&i| i + distance < n));
    let limit = (windows * window) / 32;
    let (mut ascents, mut descents, mut checked) = (0, 0, 0);
    for i in pairs {
        let (a, b) = (items[i], items[i + distance]);
        let Some(descent) = less(b, a) else {
            return false;
        };
        // Equal items count as ascending (timsort keeps them where they are).
        descents += usize::from(descent);
        ascents += usize::from(!descent);
        checked += 1;
        if descents.min(ascents) > limit {
            return false; // shuffled items: over after a few pairs
        }
    }
    checked > 0
}

/// `j * (n - 1) / gaps` for `j` in `1..=gaps` (`gaps >= 1`), stepped to without a division per
/// item: two per pair made the global-order loop ~300 ns on a list of 128 ints, a fifth of
/// timsort's whole sort of it.
#[inline(always)]
fn evenly_spaced(n: usize, gaps: usize) -> impl Iterator<Item = usize> {
    let (step, extra) = ((n - 1) / gaps, (n - 1) % gaps);
    let (mut at, mut carry) = (0, 0);
    (0..gaps).map(move |_| {
        at += step;
        carry += extra;
        if carry >= gaps {
            at += 1;
            carry -= gaps;
        }
        at
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    fn handed_over(items: &[u64]) -> bool {
        runs_favour_timsort(items, false, true, |a, b| Some(a < b))
    }

    fn sorted(n: usize) -> Vec<u64> {
        (0..n as u64).collect()
    }

    fn shuffled(n: usize, rng: &mut Rng) -> Vec<u64> {
        let mut v = sorted(n);
        for i in (1..n).rev() {
            v.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        v
    }

    const SIZES: [usize; 8] = [128, 200, 256, 500, 1000, 3000, 10_000, 100_000];

    /// How many of the lists `make` builds for `n` (from a seeded generator) are handed over,
    /// and how many lists it built.
    fn count(n: usize, make: impl FnMut(&mut Rng) -> Vec<u64>) -> (usize, usize) {
        count_as(n, false, make)
    }

    /// [`count`], the items being strs or bytes if `text`.
    fn count_as(
        n: usize,
        text: bool,
        mut make: impl FnMut(&mut Rng) -> Vec<u64>,
    ) -> (usize, usize) {
        let lists = if n >= 100_000 { 30 } else { 500 };
        let mut rng = Rng(0x5eed + n as u64);
        let handed = (0..lists)
            .filter(|_| runs_favour_timsort(&make(&mut rng), text, true, |a, b| Some(a < b)))
            .count();
        (handed, lists)
    }

    #[test]
    fn shuffled_lists_stay_with_the_rust_sort() {
        // Two windows of 4 pairs are both monotone for one shuffled list in ~3,600, which
        // is then handed over (to a sort as fast as the builtin's, being the builtin).
        let mut handed = 0;
        for n in SIZES {
            handed += count(n, |rng| shuffled(n, rng)).0;
        }
        assert!(handed <= 2, "{handed} shuffled lists handed over");
        // Every length the callers may pass, including those shorter than the windows.
        assert!(handed_over(&[]) && handed_over(&[1]));
        let mut rng = Rng(7);
        for n in 2..300 {
            handed_over(&shuffled(n, &mut rng));
            assert!(handed_over(&sorted(n)), "sorted, n = {n}");
        }
    }

    #[test]
    fn runs_of_a_few_items_stay_with_the_rust_sort() {
        for n in SIZES {
            let (handed, lists) = count(n, |rng| {
                let mut v = shuffled(n, rng);
                let mut start = 0;
                while start < n {
                    // Runs of 2 to 6 items: runs of one length would alias with the
                    // sample's fixed windows.
                    let end = (start + 2 + rng.next() as usize % 5).min(n);
                    v[start..end].sort_unstable();
                    start = end;
                }
                v
            });
            assert!(
                handed * 20 <= lists,
                "n = {n}: {handed} of {lists} handed over"
            );
        }
    }

    #[test]
    fn sorted_and_reversed_lists_go_to_timsort() {
        for n in SIZES {
            assert!(handed_over(&sorted(n)), "sorted, n = {n}");
            let reversed: Vec<u64> = sorted(n).into_iter().rev().collect();
            assert!(handed_over(&reversed), "reversed, n = {n}");
            assert!(handed_over(&vec![7; n]), "all equal, n = {n}");
        }
    }

    #[test]
    fn sorted_lists_with_a_few_items_out_of_place_go_to_timsort() {
        for n in SIZES {
            for swaps in 1..=3 {
                let (handed, lists) = count(n, |rng| {
                    let mut v = sorted(n);
                    for _ in 0..swaps {
                        let (i, j) = (rng.next() as usize % n, rng.next() as usize % n);
                        v.swap(i, j);
                    }
                    v
                });
                // The Rust sort took 1 in 10 of these (1,000 floats, 3 swaps) at 0.36x-0.6x
                // of sorted()'s speed, before the small sample deferred to the global order.
                // Now at most 1 of each 500 goes there (4 of its 6 misplaced items among the
                // 17 spaced ones, or 3 in the run windows).
                assert!(
                    (lists - handed) * 250 <= lists,
                    "n = {n}, {swaps} swaps: {handed}"
                );
            }
            let (appended, lists) = count(n, |rng| {
                let mut v = sorted(n);
                let x = v.remove(rng.next() as usize % n);
                v.push(x);
                v
            });
            assert_eq!(appended, lists, "n = {n}, one item moved to the end");
            let (two_runs, lists) = count(n, |rng| {
                let mut v = shuffled(n, rng);
                v[..n / 2].sort_unstable();
                v[n / 2..].sort_unstable();
                v
            });
            assert_eq!(two_runs, lists, "n = {n}, two sorted halves");
        }
    }

    /// `sorted(n)` with every item moved up to `d` places: sorted by `i + uniform(0, d)`.
    fn jittered(n: usize, d: u64, rng: &mut Rng) -> Vec<u64> {
        let mut keyed: Vec<(u64, u64)> = (0..n as u64)
            .map(|i| (i * 1024 + rng.next() % (d * 1024), i))
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    }

    fn handed_over_as_text(items: &[u64]) -> bool {
        runs_favour_timsort(items, true, true, |a, b| Some(a < b))
    }

    #[test]
    fn lists_out_of_place_only_locally_go_to_timsort() {
        for n in SIZES.into_iter().filter(|&n| n >= 1000) {
            let mut rng = Rng(0x7e11 + n as u64);
            for d in [4, 8, 16] {
                for _ in 0..50 {
                    let items = jittered(n, d, &mut rng);
                    assert!(handed_over_as_text(&items), "n = {n}, d = {d}");
                    if n >= 100_000 {
                        // Keys of a key function stay (feeding them back costs more).
                        let fed = runs_favour_timsort(&items, true, false, |a, b| Some(a < b));
                        assert!(!fed, "n = {n}, d = {d}, computed keys");
                    }
                    let reversed: Vec<u64> = items.into_iter().rev().collect();
                    assert!(handed_over_as_text(&reversed), "n = {n}, d = {d}, reversed");
                }
            }
        }
        // Numbers too, from a full sample on (1e5 floats each within 8 places of its own:
        // 0.70x-0.84x of `sorted()` in the radix sort).
        for n in [100_000, 1 << 20] {
            let (handed, lists) = count(n, |rng| jittered(n, 8, rng));
            assert_eq!(handed, lists, "n = {n}, numbers");
        }
    }

    #[test]
    fn lists_out_of_place_far_or_shuffled_stay_with_the_rust_sort() {
        for n in SIZES {
            let (handed, lists) = count_as(n, true, |rng| shuffled(n, rng));
            assert!(handed * 250 <= lists, "n = {n}: {handed} shuffled");
            if n < 100_000 {
                // Few pairs (36 at 1e4) may show runs of 8 as runs of 16+, which strs are
                // handed over for.
                continue;
            }
            let runs_of_8 = |rng: &mut Rng| {
                let mut v = shuffled(n, rng);
                v.chunks_mut(8).for_each(|c| c.sort_unstable());
                v
            };
            let (handed, lists) = count_as(n, true, runs_of_8);
            assert!(
                handed * 20 <= lists,
                "n = {n}: {handed} in shuffled runs of 8"
            );
        }
        // Out of place locally, in blocks of 2,000 in random order: timsort would merge 50
        // blocks, each sorted by insertion; the global order keeps them here.
        let n = 100_000;
        let mut rng = Rng(0xb10c);
        for _ in 0..20 {
            let items = jittered(n, 8, &mut rng);
            let mut blocks: Vec<&[u64]> = items.chunks(2_000).collect();
            for i in (1..blocks.len()).rev() {
                blocks.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            let items = blocks.concat();
            assert!(!handed_over_as_text(&items), "blocks of 2,000");
            assert!(!handed_over(&items), "blocks of 2,000, numbers");
        }
        // Items up to 1,000 places from their own: the Rust sorts win (1e5 ISO timestamps:
        // 1.5x-1.8x of `sorted()`), and the items 32 places apart show it.
        for n in [10_000, 100_000] {
            let mut rng = Rng(0xfa2 + n as u64);
            for _ in 0..20 {
                let items = jittered(n, 1000, &mut rng);
                assert!(!handed_over_as_text(&items), "n = {n}");
                assert!(!handed_over(&items), "n = {n}, numbers");
            }
        }
    }

    #[test]
    fn evenly_spaced_steps_to_the_divided_indices() {
        for n in (2..300).chain([1000, 4097, 1 << 20]) {
            for gaps in [1, 8, 16, 64].into_iter().filter(|&g| g < n) {
                let stepped: Vec<usize> = evenly_spaced(n, gaps).collect();
                let divided: Vec<usize> = (1..=gaps).map(|j| j * (n - 1) / gaps).collect();
                assert_eq!(stepped, divided, "n = {n}, gaps = {gaps}");
            }
        }
    }

    #[test]
    fn a_pair_that_cannot_be_compared_keeps_the_list() {
        for text in [false, true] {
            assert!(!runs_favour_timsort(&sorted(1000), text, true, |_, _| None));
        }
    }
}
