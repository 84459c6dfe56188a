//! The stable sort of a short list's items by keys already read out of them, as (key, item)
//! pairs on the stack.
//!
//! Under ~128 items, timsort is one binary insertion sort (and a merge or two), each comparison
//! a call through a function pointer that reads both objects again. Here every key is read
//! once, and compared inline:
//! - a list already in order, or strictly descending, costs one pass, as in timsort; a list of
//!   a few ascending runs (a sorted list with items appended or swapped) is merged
//!   ([`presorted::merge_runs`], timsort's merges);
//! - numbers otherwise go further: keys that are machine words within 2^57 of one another (ints
//!   of a common range, floats of one sign within 32 binades) are packed with their index into
//!   one `u64`, whose order is the stable order (equal words told apart by index, in input
//!   order). The unstable sort of plain integers, whose small sorts are branchless, then gives
//!   the stable result: a comparison sort of 50 random pairs spends most of its time on
//!   mispredicted branches (std's stable sort: ~750 ns; the packed words: ~210 ns);
//! - anything else is sorted by binary insertion, timsort's sort of short runs, whose few
//!   comparisons suit keys that cost a `memcmp` each.

use std::mem::MaybeUninit;

use super::bisect::partition_point;
use super::presorted::merge_runs;

/// The longest slice taken: indices fit in [`INDEX_BITS`].
pub const MAX: usize = 128;

/// Bits of a packed word taken by the index.
const INDEX_BITS: u32 = MAX.trailing_zeros();

/// Lists of at most this many ascending runs, and of at least [`ITEMS_PER_RUN`] items a run,
/// are merged (a sorted list with a few items swapped or appended). A random list has one
/// descent every other item or so, and is found out within a few items. Measured on strs
/// (`benches/short_lists.py`, 3 swaps): 4 runs left 127 items at 0.86x of `list.sort`
/// (binary insertion of everything after the first run), 8 runs of any length put 17 items
/// at 0.89x (merges of runs of 2 items).
const FEW_RUNS: usize = 8;

/// See [`FEW_RUNS`].
const ITEMS_PER_RUN: usize = 8;

/// Up to this many items, pairs are sorted by insertion (std's stable sort does so), unless
/// in order or strictly descending: packing words or merging runs (which allocates its
/// scratch) costs more than it saves there.
const INSERTION_UP_TO: usize = 16;

/// Sorts `pairs` stably by key, ascending, with as few comparisons as timsort makes: keys
/// that are not words (strs, bytes) cost a `memcmp` each. The keys must be totally ordered:
/// two keys neither of which is less than the other count as equal.
///
/// # Panics
/// If `pairs` has more than [`MAX`] items.
pub fn sort_pairs<K: PartialOrd + Copy, T: Copy>(pairs: &mut [(K, T)]) {
    let n = pairs.len();
    assert!(n <= MAX, "sort_pairs: {n} pairs");
    if by_runs(pairs) {
        return;
    }
    let mut order = [0u8; MAX];
    for (i, o) in order[..n].iter_mut().enumerate() {
        *o = i as u8;
    }
    binary_insertion(&mut order[..n], |a, b| {
        pairs[usize::from(a)].0 < pairs[usize::from(b)].0
    });
    permute(pairs, &order[..n]);
}

/// Timsort's sort of short runs, on indices: each in turn, after the first run, is moved to
/// just after the last one not greater than it, found by binary search. ~n log2 n
/// comparisons (std's stable sort, tuned for cheap comparisons, made ~1.5 times more on 50
/// strs), and moves of one byte each (pairs of a str's key and item are 32 bytes).
fn binary_insertion(order: &mut [u8], less: impl Fn(u8, u8) -> bool) {
    let n = order.len();
    let mut sorted = 1.min(n);
    while sorted < n && !less(order[sorted], order[sorted - 1]) {
        sorted += 1;
    }
    for i in sorted..n {
        let item = order[i];
        let at = partition_point(&order[..i], |&o| !less(item, o));
        order.copy_within(at..i, at + 1);
        order[at] = item;
    }
}

/// Puts `pairs[order[k]]` at `k`, for every `k`.
fn permute<P: Copy>(pairs: &mut [P], order: &[u8]) {
    let n = pairs.len();
    let mut copy = [MaybeUninit::<P>::uninit(); MAX];
    for (saved, &pair) in copy.iter_mut().zip(pairs.iter()) {
        saved.write(pair);
    }
    // SAFETY: the loop wrote the first `n` slots (`n <= MAX`: every caller checked).
    let copy = unsafe { assume_init(&mut copy[..n]) };
    for (pair, &o) in pairs.iter_mut().zip(order) {
        *pair = copy[usize::from(o)];
    }
}

/// [`sort_pairs`] for keys that are words (unsigned order), at most [`MAX`] of them.
///
/// # Panics
/// If `pairs` has more than [`MAX`] items.
pub fn sort_word_pairs<T: Copy>(pairs: &mut [(u64, T)]) {
    let n = pairs.len();
    assert!(n <= MAX, "sort_word_pairs: {n} pairs");
    if by_runs(pairs) {
        return;
    }
    let (Some(min), Some(max)) = (
        pairs.iter().map(|p| p.0).min(),
        pairs.iter().map(|p| p.0).max(),
    ) else {
        return;
    };
    if n <= INSERTION_UP_TO || max - min >= 1 << (64 - INDEX_BITS) {
        pairs.sort_by_key(|p| p.0);
        return;
    }
    let mut packed = [MaybeUninit::<u64>::uninit(); MAX];
    for (i, (slot, pair)) in packed.iter_mut().zip(pairs.iter()).enumerate() {
        slot.write((pair.0 - min) << INDEX_BITS | i as u64);
    }
    // SAFETY: the loop wrote the first `n` slots.
    let packed = unsafe { assume_init(&mut packed[..n]) };
    packed.sort_unstable();
    let mut order = [0u8; MAX];
    for (o, &p) in order.iter_mut().zip(packed.iter()) {
        *o = (p & (MAX as u64 - 1)) as u8;
    }
    permute(pairs, &order[..n]);
}

/// Sorts `pairs` if they are in order, strictly descending (reversed, as timsort does: equal
/// keys are never reversed), or, beyond [`INSERTION_UP_TO`] items, in a few ascending runs
/// ([`FEW_RUNS`]; merged). `false` if not, or if the merge found no memory: `pairs` is then
/// a stable arrangement of its runs, whose stable sort is the same.
fn by_runs<K: PartialOrd + Copy, T: Copy>(pairs: &mut [(K, T)]) -> bool {
    let n = pairs.len();
    let few = (n / ITEMS_PER_RUN).clamp(1, FEW_RUNS);
    let mut ends = [0; FEW_RUNS];
    let (mut descents, mut ascended) = (0, false);
    for i in 1..n {
        if pairs[i].0 < pairs[i - 1].0 {
            if descents + 1 < few {
                ends[descents] = i;
            }
            descents += 1;
        } else {
            ascended = true;
        }
        if ascended && descents + 1 > few {
            return false;
        }
    }
    if descents == 0 {
        return true;
    }
    if !ascended {
        pairs.reverse();
        return true;
    }
    if n <= INSERTION_UP_TO {
        return false;
    }
    ends[descents] = n;
    merge_runs(pairs, &mut ends[..=descents], |a, b| a.0 < b.0).is_ok()
}

/// The written slots of an array of `Copy` values (std's `assume_init_mut` on slices is not
/// stable yet).
///
/// # Safety
/// Every slot of `slots` was written.
pub unsafe fn assume_init<T: Copy>(slots: &mut [MaybeUninit<T>]) -> &mut [T] {
    // SAFETY: `MaybeUninit<T>` has `T`'s layout, and the caller wrote every slot.
    unsafe { &mut *(slots as *mut [MaybeUninit<T>] as *mut [T]) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    /// Shapes of `n` words below `range`: random, sorted, reversed (with equal neighbours when
    /// the range is small), strictly descending, and 2 to 6 sorted runs.
    fn shapes(rng: &mut Rng, n: usize, range: u64) -> Vec<Vec<u64>> {
        let random: Vec<u64> = (0..n).map(|_| rng.next() % range).collect();
        let mut sorted = random.clone();
        sorted.sort();
        let mut out = vec![random.clone(), sorted.clone()];
        out.push(sorted.iter().rev().copied().collect());
        out.push((0..n as u64).rev().collect());
        for runs in 2..=6 {
            let mut x = random.clone();
            let len = n.div_ceil(runs).max(1);
            for chunk in x.chunks_mut(len) {
                chunk.sort();
            }
            out.push(x);
        }
        let mut appended = sorted;
        if n > 1 {
            let moved = appended.remove(rng.next() as usize % (n - 1));
            appended.push(moved);
        }
        out.push(appended);
        out
    }

    /// Both sorts, on every shape, against std's stable sort of (word, index).
    #[test]
    fn stable_on_every_shape() {
        let mut rng = Rng(11);
        for n in 0..=MAX {
            // Narrow ranges (packed), and the whole range (pairs), with the top bit set.
            for range in [1, 3, n as u64 + 1, 1 << 57, u64::MAX] {
                for words in shapes(&mut rng, n, range) {
                    let words: Vec<u64> = words.iter().map(|w| w ^ 1 << 63).collect();
                    let pairs: Vec<(u64, usize)> = words.iter().copied().zip(0..).collect();
                    let mut expected = pairs.clone();
                    expected.sort_by_key(|p| p.0);
                    let mut ours = pairs.clone();
                    sort_word_pairs(&mut ours);
                    assert_eq!(ours, expected, "words, n {n} range {range}: {words:?}");
                    let mut ours = pairs.clone();
                    sort_pairs(&mut ours);
                    assert_eq!(ours, expected, "pairs, n {n} range {range}: {words:?}");
                }
            }
        }
    }

    #[test]
    fn floats_with_signed_zeros_are_equal() {
        let mut pairs = vec![(0.0, 0), (-0.0, 1), (-1.0, 2), (0.0, 3), (f64::INFINITY, 4)];
        sort_pairs(&mut pairs);
        let order: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        assert_eq!(order, [2, 0, 1, 3, 4]);
        // Strictly descending but for equal zeros: not reversed as a whole.
        let mut pairs = vec![(2.0, 0), (0.0, 1), (-0.0, 2), (-1.0, 3)];
        sort_pairs(&mut pairs);
        let order: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        assert_eq!(order, [3, 1, 2, 0]);
    }
}
