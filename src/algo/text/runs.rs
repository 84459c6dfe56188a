//! Input that is a few long sorted runs (file paths in walk order, a sorted list with items
//! appended, logs merged from a few sources): merged as timsort merges them, instead of
//! radix-sorted. On such input the radix sort would redo every level of every string, while
//! merging costs `log2(runs)` comparisons per string, most of them on neighbours in memory.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::group::Budget;
use crate::algo::{parallel, try_with_capacity, Cancel, Error};

/// Where each maximal run with `before(keys[i], keys[i + 1])` starts (the first is 0), or
/// `None` as soon as there are more than `limit` runs (random input stops after a few
/// pairs per allowed run). Polls `cancel`.
pub fn run_starts<F>(
    keys: &[&[u8]],
    before: &F,
    limit: usize,
    cancel: &Cancel,
) -> Result<Option<Vec<usize>>, Error>
where
    F: Fn(&[u8], &[u8]) -> bool,
{
    let mut starts = Vec::new();
    let mut budget = Budget::new(cancel);
    if !keys.is_empty() {
        starts.push(0);
    }
    for i in 1..keys.len() {
        let (a, b) = (keys[i - 1], keys[i]);
        if !before(a, b) {
            if starts.len() >= limit {
                return Ok(None);
            }
            starts
                .try_reserve(1)
                .map_err(|_| Error::NoMemory("the string sort's run list".into()))?;
            starts.push(i);
        }
        budget.spend(1 + a.len().min(b.len()) / 8)?;
    }
    Ok(Some(starts))
}

/// Places sampled by [`in_order_at`].
const LOCAL_SAMPLES: usize = 64;

/// Whether strings `distance` apart are in order (`before`) at [`LOCAL_SAMPLES`] evenly spaced
/// places, but for at most one in 32: then no string is far from its place, and sorting small
/// blocks and merging them ([`sort_blocks`]) does little more than read the input.
pub fn in_order_at<F>(keys: &[&[u8]], before: &F, distance: usize) -> bool
where
    F: Fn(&[u8], &[u8]) -> bool,
{
    let Some(span) = keys.len().checked_sub(distance + 1).filter(|&s| s > 0) else {
        return false;
    };
    let mut out_of_order = 0;
    for j in 0..LOCAL_SAMPLES {
        let i = j * span / LOCAL_SAMPLES;
        if !before(keys[i], keys[i + distance]) {
            out_of_order += 1;
            if out_of_order * 32 > LOCAL_SAMPLES {
                return false;
            }
        }
    }
    true
}

/// Strings in each block of this many are sorted by insertion in [`sort_local`] (timsort's
/// minimum run is 32 to 64).
pub const BLOCK: usize = 32;
/// How far back a block's strings may belong in [`sort_local`] before it gives up.
const REACH: usize = 4 * BLOCK;

/// The stable order of `keys` out of order only locally (see [`in_order_at`]), or `None` if
/// some string belongs more than [`REACH`] places before where it is: each block of
/// [`BLOCK`] strings is sorted by insertion (each string moves past the few before it that
/// belong after it), then merged into the sorted strings before it, of which only the few
/// that belong after its first string are touched. As timsort sorts such input (its
/// merges gallop past all but those few), with `memcmp` on the strings and no call per
/// comparison: ~3 comparisons a string, all between neighbours in memory. Pairwise merges of
/// the blocks instead (12 passes over 1e5 indices) measured slower than the radix sort.
pub fn sort_local<F>(keys: &[&[u8]], before: &F, cancel: &Cancel) -> Result<Option<Vec<u32>>, Error>
where
    F: Fn(&[u8], &[u8]) -> bool,
{
    let n = keys.len();
    let key = |i: u32| keys[i as usize];
    let mut perm: Vec<u32> = try_with_capacity(n, "the sorted order")?;
    perm.extend(0..n as u32);
    let mut budget = Budget::new(cancel);
    let mut spare = [0u32; REACH];
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        let block = &mut perm[start..end];
        for i in 1..block.len() {
            let item = block[i];
            let mut j = i;
            // Stable: an equal string stays after the ones before it.
            while j > 0 && !before(key(block[j - 1]), key(item)) {
                block[j] = block[j - 1];
                j -= 1;
            }
            block[j] = item;
            budget.spend(1 + i - j)?;
        }
        // The sorted strings before the block that belong after its first: at most REACH.
        let first = key(perm[start]);
        let mut from = start;
        while from > 0 && !before(key(perm[from - 1]), first) {
            from -= 1;
            if start - from > REACH {
                return Ok(None);
            }
        }
        budget.spend(1 + start - from)?;
        if from == start {
            continue;
        }
        // Merge perm[from..start] (moved aside) with the block into perm[from..end]; the
        // left one first on ties. Writes never overtake the block's unread strings: the
        // slot written is always before the next block string to read.
        let left = &mut spare[..start - from];
        left.copy_from_slice(&perm[from..start]);
        let (mut i, mut j, mut out) = (0, start, from);
        while i < left.len() {
            if j < end && !before(key(left[i]), key(perm[j])) {
                perm[out] = perm[j];
                j += 1;
            } else {
                perm[out] = left[i];
                i += 1;
            }
            out += 1;
        }
        budget.spend(end - from)?;
    }
    Ok(Some(perm))
}

/// The stable order of `keys`, given the starts of its sorted runs: runs merged pairwise,
/// each pass's merges shared among `threads` threads.
pub fn merge<F>(
    keys: &[&[u8]],
    before: &F,
    mut starts: Vec<usize>,
    threads: usize,
    cancel: &Cancel,
) -> Result<Vec<u32>, Error>
where
    F: Fn(&[u8], &[u8]) -> bool + Sync,
{
    let n = keys.len();
    let mut perm: Vec<u32> = try_with_capacity(n, "the sorted order")?;
    perm.extend(0..n as u32);
    let mut spare: Vec<u32> = try_with_capacity(n, "the merge buffer")?;
    spare.resize(n, 0);
    while starts.len() > 1 {
        // Pairs (left start, middle, end); an odd last run is copied as it is.
        let bounds: Vec<usize> = starts.iter().copied().chain([n]).collect();
        let mut jobs = Vec::new();
        let mut src_rest: &[u32] = &perm;
        let mut dst_rest: &mut [u32] = &mut spare;
        let mut next_starts = Vec::new();
        let mut i = 0;
        while i + 1 < bounds.len() {
            let start = bounds[i];
            let mid = bounds[i + 1];
            let end = if i + 2 < bounds.len() {
                bounds[i + 2]
            } else {
                mid
            };
            let (src, rest) = src_rest.split_at(end - start);
            let (dst, rest_dst) = std::mem::take(&mut dst_rest).split_at_mut(end - start);
            src_rest = rest;
            dst_rest = rest_dst;
            jobs.push(Mutex::new((src, mid - start, dst)));
            next_starts.push(start);
            i += 2;
        }
        let failed = AtomicBool::new(false);
        parallel::run_parts(threads.clamp(1, jobs.len()), |part| {
            let mut budget = Budget::new(cancel);
            for job in jobs.iter().skip(part).step_by(threads.clamp(1, jobs.len())) {
                let mut job = job.lock().unwrap_or_else(|p| p.into_inner());
                let (src, mid, dst) = &mut *job;
                if failed.load(Ordering::Relaxed)
                    || merge_two(keys, before, src, *mid, dst, &mut budget).is_err()
                {
                    failed.store(true, Ordering::Relaxed);
                    return;
                }
            }
        });
        drop(jobs);
        if failed.into_inner() {
            return Err(Error::Cancelled);
        }
        std::mem::swap(&mut perm, &mut spare);
        starts = next_starts;
    }
    Ok(perm)
}

/// Merges `src[..mid]` and `src[mid..]` (each sorted) into `dst`, stably.
fn merge_two<F>(
    keys: &[&[u8]],
    before: &F,
    src: &[u32],
    mid: usize,
    dst: &mut [u32],
    budget: &mut Budget,
) -> Result<(), Error>
where
    F: Fn(&[u8], &[u8]) -> bool,
{
    let (left, right) = src.split_at(mid);
    let key = |i: u32| keys[i as usize];
    // As timsort's galloping does: the head of `left` that goes before all of `right`, and
    // the tail of `right` that goes after all of `left`, are copied without comparing each
    // (in nearly sorted input, most runs are already in order with each other).
    let (Some(&first_right), Some(&last_left)) = (right.first(), left.last()) else {
        dst.copy_from_slice(src);
        return Ok(());
    };
    let head = left.partition_point(|&x| before(key(x), key(first_right)));
    let tail = right.partition_point(|&y| !before(key(last_left), key(y)));
    budget.spend(2 * (usize::BITS - src.len().leading_zeros()) as usize)?;
    dst[..head].copy_from_slice(&left[..head]);
    let end = dst.len() - (right.len() - tail);
    dst[end..].copy_from_slice(&right[tail..]);
    let (left, right, dst) = (&left[head..], &right[..tail], &mut dst[head..end]);
    let (mut i, mut j) = (0, 0);
    for slot in dst.iter_mut() {
        let take_left = if i == left.len() {
            false
        } else if j == right.len() {
            true
        } else {
            let (a, b) = (keys[left[i] as usize], keys[right[j] as usize]);
            budget.spend(1 + a.len().min(b.len()) / 8)?;
            // Equal keys: the left one, which came first in the input.
            before(a, b)
        };
        if take_left {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    /// Log lines each moved up to `reach` places, seven of each timestamp.
    fn jittered(n: usize, reach: usize, rng: &mut Rng) -> Vec<Vec<u8>> {
        let mut lines: Vec<Vec<u8>> = (0..n)
            .map(|i| format!("2026-12-08 {:06} INFO", i / 7).into_bytes())
            .collect();
        // Each line sorted by its place plus a random shift of up to `reach` places.
        let mut shifted: Vec<(u64, Vec<u8>)> = lines
            .drain(..)
            .enumerate()
            .map(|(i, line)| (i as u64 * 16 + rng.next() % (16 * reach as u64), line))
            .collect();
        shifted.sort_by_key(|p| p.0);
        shifted.into_iter().map(|p| p.1).collect()
    }

    #[test]
    fn blocks_of_local_disorder_sort_stably() {
        let mut rng = Rng(41);
        let up = |a: &[u8], b: &[u8]| a <= b;
        let down = |a: &[u8], b: &[u8]| a >= b;
        for n in [45, 1000, 20_000] {
            let owned = jittered(n, 20, &mut rng);
            let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
            if n >= 1000 {
                assert!(in_order_at(&keys, &up, BLOCK), "n={n}");
                assert!(!in_order_at(&keys, &down, BLOCK), "n={n}");
            }
            let mut expected: Vec<u32> = (0..n as u32).collect();
            expected.sort_by(|&a, &b| keys[a as usize].cmp(keys[b as usize]));
            let perm = sort_local(&keys, &up, &Cancel::new()).unwrap();
            assert!(perm == Some(expected), "n={n}");
        }
    }

    #[test]
    fn strings_far_from_their_place_give_up() {
        let up = |a: &[u8], b: &[u8]| a <= b;
        let mut owned: Vec<Vec<u8>> = (0..1000u32).map(|i| i.to_be_bytes().to_vec()).collect();
        owned[900] = vec![0]; // belongs first
        let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        assert_eq!(sort_local(&keys, &up, &Cancel::new()).unwrap(), None);
        owned[900] = 870u32.to_be_bytes().to_vec(); // 30 places back
        let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        let perm = sort_local(&keys, &up, &Cancel::new()).unwrap().unwrap();
        let mut expected: Vec<u32> = (0..1000).collect();
        expected.sort_by(|&a, &b| keys[a as usize].cmp(keys[b as usize]));
        assert_eq!(perm, expected);
    }

    #[test]
    fn shuffled_strings_are_not_local() {
        let mut rng = Rng(43);
        let up = |a: &[u8], b: &[u8]| a <= b;
        for _ in 0..100 {
            let owned = jittered(5000, 5000, &mut rng);
            let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
            assert!(!in_order_at(&keys, &up, BLOCK));
        }
    }
}
