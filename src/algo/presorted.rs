//! Lists made of a few runs: timsort's runs, found by reading each key once, and stable
//! merges of them, with timsort's trimming and galloping.
//!
//! A list the run sample hands to timsort is mostly made of long runs, often one (a list
//! sorted again, a sorted list with items appended or a few out of place). Timsort finds a run
//! with one comparison per item through a function pointer (~3.4 ns an item for ints on this
//! machine); reading each key once and comparing it with the one before costs a fraction of
//! that. So the binding finds the runs with [`first_run`] and merges them with
//! [`merge_runs`]: nothing to merge if the list was in order, two binary searches and a block
//! move for an item out of place.
//!
//! The stable order of a total order is unique: whatever finds the runs and merges them, the
//! result is the one timsort would give, provided the keys compare as the objects do.

use super::bisect::partition_point;
use super::Error;

/// A run found by [`first_run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub len: usize,
    /// It was strictly descending, and is now reversed.
    pub reversed: bool,
}

/// Timsort's first run of `items`: the longest non-descending prefix, or the longest strictly
/// descending one, which is reversed in place as timsort reverses it (it has no equal
/// neighbours, so no equal items change order). `key` reads an item's key, or refuses it
/// (`None`): the run then ends before that item.
#[inline(always)] // with the key reader of each kind inlined into its loop
pub fn first_run<T: Copy, K: PartialOrd>(items: &mut [T], key: impl Fn(T) -> Option<K>) -> Run {
    let run = |len| Run {
        len,
        reversed: false,
    };
    let Some(mut prev) = items.first().and_then(|&first| key(first)) else {
        return run(0);
    };
    let Some(second) = items.get(1).and_then(|&second| key(second)) else {
        return run(1);
    };
    let mut len = 2;
    if second < prev {
        prev = second;
        // Strictly descending: an item >= the one before ends it.
        while let Some(next) = items.get(len).and_then(|&item| key(item)) {
            if next >= prev {
                break;
            }
            prev = next;
            len += 1;
        }
        items[..len].reverse();
        return Run {
            len,
            reversed: true,
        };
    }
    prev = second;
    // Non-descending: an item < the one before ends it.
    while let Some(next) = items.get(len).and_then(|&item| key(item)) {
        if next < prev {
            break;
        }
        prev = next;
        len += 1;
    }
    run(len)
}

/// Merges the runs of `items` that end at `ends` (strictly increasing, the last one
/// `items.len()`, each run sorted) into one sorted run, stably: always the two adjacent runs
/// whose lengths add up to the least, so that a short run costs a short merge. On failing to
/// get scratch memory, returns [`Error::NoMemory`] with `items` a stable arrangement of
/// merged runs (sorting it stably gives the same result). `ends` is scratch too.
pub fn merge_runs<T: Copy>(
    items: &mut [T],
    ends: &mut [usize],
    less: impl Fn(T, T) -> bool,
) -> Result<(), Error> {
    let mut runs = ends.len();
    let mut scratch = Vec::new();
    while runs > 1 {
        let start = |r: usize| if r == 0 { 0 } else { ends[r - 1] };
        // The adjacent pair (r, r + 1) with the fewest items.
        let r = (0..runs - 1)
            .min_by_key(|&r| ends[r + 1] - start(r))
            .unwrap_or(0);
        let (from, mid, to) = (start(r), ends[r], ends[r + 1]);
        merge(&mut items[from..to], mid - from, &less, &mut scratch)?;
        ends.copy_within(r + 1..runs, r);
        runs -= 1;
    }
    Ok(())
}

/// Merges the sorted `items[..mid]` and the sorted `items[mid..]` in place, stably (an item of
/// the first part goes before an equal one of the second). `less(a, b)` is `a < b`, a total
/// order on the items. `scratch` is reused across calls: it needs room for the shorter part,
/// once the ends already in place are trimmed (none if one item moves); on failing to get
/// it, returns [`Error::NoMemory`] with `items` unchanged.
pub fn merge<T: Copy>(
    items: &mut [T],
    mid: usize,
    less: impl Fn(T, T) -> bool,
    scratch: &mut Vec<T>,
) -> Result<(), Error> {
    let n = items.len();
    if mid == 0 || mid >= n || !less(items[mid], items[mid - 1]) {
        return Ok(()); // already in order
    }
    // As timsort's merges do: the head of the first part that is <= the second part's first
    // item, and the tail of the second part that is >= the first part's last, stay where
    // they are. What is left is often a single item (one appended, one swapped).
    let start = partition_point(&items[..mid], |&a| !less(items[mid], a));
    let end = mid + partition_point(&items[mid..], |&b| less(b, items[mid - 1]));
    let (left, right) = (mid - start, end - mid);
    let span = &mut items[start..end];
    if left == 1 {
        span.rotate_left(1);
        return Ok(());
    }
    if right == 1 {
        span.rotate_right(1);
        return Ok(());
    }
    let short = left.min(right);
    scratch.clear();
    if scratch.try_reserve_exact(short).is_err() {
        return Err(Error::NoMemory(format!(
            "merging a presorted list ({} MB)",
            short.saturating_mul(std::mem::size_of::<T>()) >> 20
        )));
    }
    if left <= right {
        scratch.extend_from_slice(&span[..left]);
        merge_low(span, scratch, &less);
    } else {
        scratch.extend_from_slice(&span[left..]);
        merge_high(span, scratch, &less);
    }
    Ok(())
}

/// Consecutive items taken from one part before a merge starts galloping (timsort's
/// `MIN_GALLOP`).
const MIN_GALLOP: usize = 7;

/// How many items at the start of `items` satisfy `pred` (which holds for a prefix): by
/// exponential search, in ~2 log2 of the answer comparisons.
fn gallop<T: Copy>(items: &[T], pred: impl Fn(T) -> bool) -> usize {
    let (mut known, mut probe) = (0, 1);
    while probe <= items.len() && pred(items[probe - 1]) {
        known = probe;
        probe = 2 * probe + 1;
    }
    known + partition_point(&items[known..probe.min(items.len())], |&item| pred(item))
}

/// How many items at the end of `items` satisfy `pred` (which holds for a suffix).
fn gallop_back<T: Copy>(items: &[T], pred: impl Fn(T) -> bool) -> usize {
    let n = items.len();
    let (mut known, mut probe) = (0, 1);
    while probe <= n && pred(items[n - probe]) {
        known = probe;
        probe = 2 * probe + 1;
    }
    let unsure = &items[n - probe.min(n)..n - known];
    known + unsure.len() - partition_point(unsure, |&item| !pred(item))
}

/// `span` = a first part (copied in `low`) then a sorted second part, merged forward: the
/// output never overtakes the second part's next unread item. As timsort's `merge_lo`: one
/// item at a time, until one part wins `min_gallop` times in a row; then both parts are
/// searched for how many items each gives in a row, and moved in blocks (a sorted list with a
/// few items out of place merges in a few searches and block moves, not a comparison per
/// item), until the blocks are short again.
fn merge_low<T: Copy>(span: &mut [T], low: &[T], less: impl Fn(T, T) -> bool) {
    let (left, len) = (low.len(), span.len());
    let (mut i, mut j, mut out) = (0, left, 0);
    let mut min_gallop = MIN_GALLOP;
    'merge: while i < left && j < len {
        let (mut low_wins, mut high_wins) = (0, 0);
        while low_wins.max(high_wins) < min_gallop {
            if less(span[j], low[i]) {
                span[out] = span[j];
                j += 1;
                (low_wins, high_wins) = (0, high_wins + 1);
            } else {
                span[out] = low[i];
                i += 1;
                (low_wins, high_wins) = (low_wins + 1, 0);
            }
            out += 1;
            if i == left || j == len {
                break 'merge;
            }
        }
        loop {
            // The first part's items <= the second's next, then the second's < the first's.
            let lows = gallop(&low[i..], |x| !less(span[j], x));
            span[out..out + lows].copy_from_slice(&low[i..i + lows]);
            (i, out) = (i + lows, out + lows);
            if i == left {
                break 'merge;
            }
            let highs = gallop(&span[j..], |y| less(y, low[i]));
            span.copy_within(j..j + highs, out);
            (j, out) = (j + highs, out + highs);
            if j == len {
                break 'merge;
            }
            if lows < MIN_GALLOP && highs < MIN_GALLOP {
                min_gallop += 1;
                break;
            }
            min_gallop = min_gallop.saturating_sub(1).max(1);
        }
    }
    span[out..out + left - i].copy_from_slice(&low[i..]);
}

/// `span` = a sorted first part then a second part (copied in `high`), merged backward: the
/// output never overtakes the first part's next unread item. As [`merge_low`], mirrored.
fn merge_high<T: Copy>(span: &mut [T], high: &[T], less: impl Fn(T, T) -> bool) {
    let left = span.len() - high.len();
    let (mut i, mut j, mut out) = (left, high.len(), span.len());
    let mut min_gallop = MIN_GALLOP;
    'merge: while i > 0 && j > 0 {
        let (mut low_wins, mut high_wins) = (0, 0);
        while low_wins.max(high_wins) < min_gallop {
            if less(high[j - 1], span[i - 1]) {
                span[out - 1] = span[i - 1];
                i -= 1;
                (low_wins, high_wins) = (low_wins + 1, 0);
            } else {
                span[out - 1] = high[j - 1];
                j -= 1;
                (low_wins, high_wins) = (0, high_wins + 1);
            }
            out -= 1;
            if i == 0 || j == 0 {
                break 'merge;
            }
        }
        loop {
            // The first part's items > the second's last, then the second's >= the first's.
            let lows = gallop_back(&span[..i], |y| less(high[j - 1], y));
            span.copy_within(i - lows..i, out - lows);
            (i, out) = (i - lows, out - lows);
            if i == 0 {
                break 'merge;
            }
            let highs = gallop_back(&high[..j], |x| !less(x, span[i - 1]));
            span[out - highs..out].copy_from_slice(&high[j - highs..j]);
            (j, out) = (j - highs, out - highs);
            if j == 0 {
                break 'merge;
            }
            if lows < MIN_GALLOP && highs < MIN_GALLOP {
                min_gallop += 1;
                break;
            }
            min_gallop = min_gallop.saturating_sub(1).max(1);
        }
    }
    span[..j].copy_from_slice(&high[..j]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    /// Items as (key, position in the input): the position tells whether equal keys kept
    /// their order.
    fn tagged(keys: &[u32]) -> Vec<(u32, usize)> {
        keys.iter().copied().zip(0..).collect()
    }

    fn stable_sorted(items: &[(u32, usize)]) -> Vec<(u32, usize)> {
        let mut sorted = items.to_vec();
        sorted.sort_by_key(|&(key, _)| key);
        sorted
    }

    fn key(item: (u32, usize)) -> Option<u32> {
        Some(item.0)
    }

    fn less(a: (u32, usize), b: (u32, usize)) -> bool {
        a.0 < b.0
    }

    #[test]
    fn first_run_is_timsorts() {
        let cases: [(&[u32], usize); 10] = [
            (&[], 0),
            (&[5], 1),
            (&[5, 5], 2),
            (&[1, 2, 2, 3, 1], 4),
            (&[3, 2, 1, 2], 3),
            (&[3, 2, 2, 1], 2), // strictly descending only: equal items end it
            (&[2, 1], 2),
            (&[1, 2, 3, 4], 4),
            (&[4, 3, 2, 1], 4),
            (&[1, 1, 0], 2),
        ];
        for (keys, expected) in cases {
            let mut items = tagged(keys);
            let run = first_run(&mut items, key).len;
            assert_eq!(run, expected, "{keys:?}");
            // The run is now non-descending, and its items are the same.
            assert!(
                items[..run].windows(2).all(|w| w[0].0 <= w[1].0),
                "{keys:?}"
            );
            assert_eq!(
                stable_sorted(&items),
                stable_sorted(&tagged(keys)),
                "{keys:?}"
            );
        }
    }

    #[test]
    fn a_refused_key_ends_the_run() {
        let refuse = |at: u32| move |item: (u32, usize)| (item.0 != at).then_some(item.0);
        let mut items = tagged(&[1, 2, 3, 99, 4]);
        assert_eq!(first_run(&mut items, refuse(99)).len, 3);
        let mut items = tagged(&[99, 2]);
        assert_eq!(first_run(&mut items, refuse(99)).len, 0);
        let mut items = tagged(&[1, 99]);
        assert_eq!(first_run(&mut items, refuse(99)).len, 1);
        let mut items = tagged(&[5, 4, 3, 99]);
        let run = first_run(&mut items, refuse(99));
        assert_eq!(
            run,
            Run {
                len: 3,
                reversed: true
            }
        );
        assert_eq!(items[..3], [(3, 2), (4, 1), (5, 0)]);
    }

    /// Every split of sorted halves of every shape gives the stable sort of the whole.
    #[test]
    fn merge_is_the_stable_sort_of_two_sorted_parts() {
        let mut rng = Rng(0x3e7);
        for n in 0..40 {
            for mid in 0..=n {
                for values in [2, 5, 1000] {
                    let mut keys: Vec<u32> = (0..n).map(|_| (rng.next() % values) as u32).collect();
                    keys[..mid].sort_unstable();
                    keys[mid..].sort_unstable();
                    let input = tagged(&keys);
                    let mut merged = input.clone();
                    merge(&mut merged, mid, less, &mut Vec::new()).unwrap();
                    assert_eq!(merged, stable_sorted(&input), "n = {n}, mid = {mid}");
                }
            }
        }
    }

    #[test]
    fn merge_moves_one_misplaced_item_either_way() {
        // One item appended to a sorted list, and one prepended; with equal keys around it.
        for n in [2, 3, 10, 1000] {
            for at in [0, 1, n / 2, n - 1, n] {
                let mut keys: Vec<u32> = (0..n as u32).map(|k| k / 2).collect();
                keys.push(at as u32 / 2);
                let input = tagged(&keys);
                let mut merged = input.clone();
                merge(&mut merged, n, less, &mut Vec::new()).unwrap();
                assert_eq!(
                    merged,
                    stable_sorted(&input),
                    "appended, n = {n}, at = {at}"
                );
                keys.rotate_right(1);
                let input = tagged(&keys);
                let mut merged = input.clone();
                merge(&mut merged, 1, less, &mut Vec::new()).unwrap();
                assert_eq!(
                    merged,
                    stable_sorted(&input),
                    "prepended, n = {n}, at = {at}"
                );
            }
        }
    }

    #[test]
    fn first_run_then_merge_sorts_lists_that_start_in_order() {
        // The binding's use: the first run, the rest sorted by another sort, then the merge.
        let mut rng = Rng(0xabc);
        for n in [1, 2, 50, 500] {
            for swaps in [0, 1, 3] {
                for descending in [false, true] {
                    let mut keys: Vec<u32> = (0..n).map(|k| k as u32 / 3).collect();
                    for _ in 0..swaps {
                        let (a, b) = (rng.next() as usize % n, rng.next() as usize % n);
                        keys.swap(a, b);
                    }
                    if descending {
                        keys.reverse();
                    }
                    let input = tagged(&keys);
                    let mut items = input.clone();
                    let run = first_run(&mut items, key).len;
                    items[run..].sort_by_key(|&(k, _)| k);
                    merge(&mut items, run, less, &mut Vec::new()).unwrap();
                    assert_eq!(items, stable_sorted(&input), "n = {n}, swaps = {swaps}");
                }
            }
        }
    }

    #[test]
    fn merge_runs_is_the_stable_sort_of_sorted_runs() {
        let mut rng = Rng(0x5a5);
        for n in [1, 2, 7, 100, 3000] {
            for runs in 1..=17usize {
                for values in [3, 1 << 30] {
                    // Runs of random lengths, some of one item.
                    let mut ends: Vec<usize> = (1..runs).map(|_| rng.next() as usize % n).collect();
                    ends.push(n);
                    ends.sort_unstable();
                    ends.dedup();
                    ends.retain(|&end| end > 0);
                    let mut keys: Vec<u32> = (0..n).map(|_| (rng.next() % values) as u32).collect();
                    let mut from = 0;
                    for &end in &ends {
                        keys[from..end].sort_unstable();
                        from = end;
                    }
                    let input = tagged(&keys);
                    let mut merged = input.clone();
                    merge_runs(&mut merged, &mut ends.clone(), less).unwrap();
                    assert_eq!(merged, stable_sorted(&input), "n = {n}, ends = {ends:?}");
                }
            }
        }
    }

    #[test]
    fn merge_places_a_few_items_among_many() {
        // Galloping: a few items before or after many, in either part.
        let mut rng = Rng(0x77);
        for (few, many) in [(2, 1000), (5, 100_000), (40, 100_000)] {
            for few_first in [false, true] {
                let mut small: Vec<u32> = (0..few).map(|_| (rng.next() % 500) as u32).collect();
                let mut big: Vec<u32> = (0..many).map(|_| (rng.next() % 500) as u32).collect();
                small.sort_unstable();
                big.sort_unstable();
                let (keys, mid) = if few_first {
                    ([small, big].concat(), few)
                } else {
                    ([big, small].concat(), many)
                };
                let input = tagged(&keys);
                let mut merged = input.clone();
                merge(&mut merged, mid, less, &mut Vec::new()).unwrap();
                assert_eq!(
                    merged,
                    stable_sorted(&input),
                    "{few} and {many}, {few_first}"
                );
            }
        }
    }
}
