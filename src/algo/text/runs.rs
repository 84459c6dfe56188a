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
