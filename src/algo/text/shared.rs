//! Sorting all the strings with every thread, at every depth.
//!
//! A group too big for one thread (at least [`big_group`] records: at the start, the whole
//! input; later, say, 500k URLs that share "https://www.example.com/") is processed by all
//! threads together: keys read in parallel chunks, the common prefix measured in parallel,
//! ordered by the parallel radix sort. Its runs of equal keys that are still big are
//! processed the same way in turn; the others are cut into batches of consecutive runs,
//! which the threads then take from a queue, largest first, and sort alone
//! ([`group::sort_runs`]). No thread waits for another except between the big groups.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::chunk::STEP;
use super::group::{self, Budget, Ctx, Rec};
use crate::algo::{parallel, radix, Error};

/// Smallest group shared by all threads; below it, one thread sorts the group alone.
const BIG_MIN: usize = 1 << 16;
/// Records per batch handed to one thread (about; runs are never cut).
const BATCH_MIN: usize = 1 << 12;
const BATCH_MAX: usize = 1 << 16;

fn big_group(n: usize, threads: usize) -> usize {
    (n / (threads * 4)).max(BIG_MIN)
}

/// Sorts `recs` (every record's index, in input order) by the strings, on `threads` threads.
pub fn sort_all(ctx: &Ctx, recs: &mut [Rec], threads: usize) -> Result<(), Error> {
    let n = recs.len();
    let big = big_group(n, threads);
    let batch = (n / (threads * 32)).clamp(BATCH_MIN, BATCH_MAX);
    // Groups to sort with all threads: (records, depth they share).
    let mut bigs: Vec<(Range<usize>, usize)> = vec![(0..n, 0)];
    // Ranges of records ordered by their keys at `depth`, whose runs are still to be sorted.
    let mut batches: Vec<(Range<usize>, usize)> = Vec::new();
    while let Some((range, mut depth)) = bigs.pop() {
        let group = &mut recs[range.clone()];
        loop {
            let (min, max) = fill(ctx, group, depth, threads);
            ctx.cancel.check()?;
            if min == max {
                if ctx.continues(min) {
                    depth += STEP + shared_prefix(ctx, group, depth + STEP, threads)?;
                    continue;
                }
                break; // all equal
            }
            let bits = 64 - (max - min).leading_zeros();
            radix::sort_by_key(group, |r| r.key - min, bits, threads, ctx.cancel)?;
            let mut open: Option<usize> = None; // start of the batch being gathered
            for run in group::runs(group) {
                let (start, end) = (range.start + run.start, range.start + run.end);
                if run.len() >= big && ctx.continues(group[run.start].key) {
                    if let Some(from) = open.take() {
                        push(&mut batches, (from..start, depth))?;
                    }
                    push(&mut bigs, (start..end, depth + STEP))?;
                    continue;
                }
                let from = *open.get_or_insert(start);
                if end - from >= batch {
                    push(&mut batches, (from..end, depth))?;
                    open = None;
                }
            }
            if let Some(from) = open {
                push(&mut batches, (from..range.end, depth))?;
            }
            break;
        }
    }
    sort_batches(ctx, recs, batches, threads)
}

/// `vec.push(item)`, or `NoMemory`.
fn push<T>(vec: &mut Vec<T>, item: T) -> Result<(), Error> {
    vec.try_reserve(1)
        .map_err(|_| Error::NoMemory("the string sort's work list".into()))?;
    vec.push(item);
    Ok(())
}

/// Sorts the runs of every batch, the batches shared out among the threads.
fn sort_batches(
    ctx: &Ctx,
    recs: &mut [Rec],
    mut batches: Vec<(Range<usize>, usize)>,
    threads: usize,
) -> Result<(), Error> {
    batches.sort_unstable_by_key(|b| b.0.start);
    let mut queue = Vec::new();
    queue
        .try_reserve_exact(batches.len())
        .map_err(|_| Error::NoMemory("the string sort's work list".into()))?;
    let mut rest: &mut [Rec] = recs;
    let mut offset = 0;
    for (range, depth) in batches {
        let tail = std::mem::take(&mut rest)
            .split_at_mut(range.start - offset)
            .1;
        let (slice, tail) = tail.split_at_mut(range.len());
        queue.push((slice, depth));
        rest = tail;
        offset = range.end;
    }
    // Popped from the end: smallest last, so that no thread starts a long batch at the end.
    queue.sort_by_key(|b| b.0.len());
    let queue = Mutex::new(queue);
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    parallel::run_parts(threads, |_| {
        let mut budget = Budget::new(ctx.cancel);
        while !stop.load(Ordering::Relaxed) {
            let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some((slice, depth)) = next else { break };
            if let Err(err) = group::sort_runs(ctx, slice, depth, &mut budget) {
                stop.store(true, Ordering::Relaxed);
                *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(err);
            }
        }
    });
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(err) => Err(err),
        None => ctx.cancel.check(),
    }
}

/// [`group::fill`] in parallel chunks; the smallest and largest key.
fn fill(ctx: &Ctx, recs: &mut [Rec], depth: usize, threads: usize) -> (u64, u64) {
    let bounds = Mutex::new((u64::MAX, 0u64));
    let units = vec![(); recs.len()]; // zero-sized: no allocation
    parallel::zip_chunks(recs, &units, threads, |chunk, _, _| {
        // No prefix measured here (`shared_prefix` does it in parallel when needed), so the
        // budget is never spent and a fresh one cannot fail.
        let mut budget = Budget::new(ctx.cancel);
        if let Ok(filled) = group::fill(ctx, chunk, depth, false, &mut budget) {
            let mut b = bounds.lock().unwrap_or_else(|p| p.into_inner());
            *b = (b.0.min(filled.min), b.1.max(filled.max));
        }
    });
    bounds.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// [`group::shared_prefix`] in parallel chunks, each polling the cancel flag.
fn shared_prefix(ctx: &Ctx, recs: &[Rec], from: usize, threads: usize) -> Result<usize, Error> {
    let first = ctx.rest(recs[0].idx, from);
    let parts: Vec<Range<usize>> = parallel::split(recs.len(), threads).collect();
    let result: Mutex<Result<usize, Error>> = Mutex::new(Ok(first.len()));
    parallel::run_parts(parts.len(), |p| {
        let mut budget = Budget::new(ctx.cancel);
        let len = group::shared_with(ctx, first, &recs[parts[p].clone()], from, &mut budget);
        let mut out = result.lock().unwrap_or_else(|e| e.into_inner());
        *out = match (std::mem::replace(&mut *out, Ok(0)), len) {
            (Ok(a), Ok(b)) => Ok(a.min(b)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
    });
    result.into_inner().unwrap_or_else(|e| e.into_inner())
}
