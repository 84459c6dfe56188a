//! Running one piece of work per thread with `std::thread::scope`.

use std::sync::{Mutex, OnceLock};
use std::thread;

/// How many threads to use when the caller does not say: every CPU this process may run on
/// (`available_parallelism` honours affinity masks and cgroup quotas), at least 1.
///
/// Computed once per process: on Linux `available_parallelism` reads cgroup files, measured at
/// 40-100 us per call, more than sorting a thousand elements. Like other thread pools, this
/// does not see affinity changes made after the first call.
pub fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `work(part)` for every `part` in `0..parts`: part 0 on the calling thread, the others
/// on scoped threads made with `thread::Builder`. A part whose thread cannot be spawned runs on
/// the calling thread after part 0, so a refused spawn costs speed, never correctness.
/// A panic in any part propagates to the caller once every part has finished.
pub fn run_parts<F>(parts: usize, work: F)
where
    F: Fn(usize) + Sync,
{
    let work = &work;
    thread::scope(|scope| {
        let mut refused = Vec::new();
        for part in 1..parts {
            let spawned = thread::Builder::new()
                .name(format!("sort-worker-{part}"))
                .spawn_scoped(scope, move || work(part));
            if spawned.is_err() {
                refused.push(part);
            }
        }
        if parts > 0 {
            work(0);
        }
        for part in refused {
            work(part);
        }
    });
}

/// Splits `0..len` into `parts` contiguous ranges whose lengths differ by at most one.
pub fn split(len: usize, parts: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let parts = parts.max(1);
    let (base, extra) = (len / parts, len % parts);
    (0..parts).map(move |i| {
        let start = i * base + i.min(extra);
        start..start + base + usize::from(i < extra)
    })
}

/// Runs `work(out_chunk, input_chunk, offset)` over matching chunks of `out` and `input`
/// (same length), one chunk per thread, for linear passes over large arrays.
pub fn zip_chunks<A, B, F>(out: &mut [A], input: &[B], threads: usize, work: F)
where
    A: Send,
    B: Sync,
    F: Fn(&mut [A], &[B], usize) + Sync,
{
    // Below this, a thread costs more than the pass it would share.
    const MIN_PER_THREAD: usize = 1 << 15;
    debug_assert_eq!(out.len(), input.len());
    let parts = threads.clamp(1, (out.len() / MIN_PER_THREAD).max(1));
    if parts == 1 {
        work(out, input, 0);
        return;
    }
    let chunk = out.len().div_ceil(parts);
    type Pair<'o, 'i, A, B> = Mutex<(&'o mut [A], &'i [B])>;
    let chunks: Vec<Pair<A, B>> = out
        .chunks_mut(chunk)
        .zip(input.chunks(chunk))
        .map(Mutex::new)
        .collect();
    run_parts(chunks.len(), |part| {
        // One lock per part, taken once by the one thread that handles that part.
        let mut guard = chunks[part].lock().unwrap_or_else(|p| p.into_inner());
        let (out, input) = &mut *guard;
        work(out, input, part * chunk);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_part_runs_exactly_once() {
        let hits: Vec<AtomicUsize> = (0..5).map(|_| AtomicUsize::new(0)).collect();
        run_parts(5, |part| {
            hits[part].fetch_add(1, Ordering::SeqCst);
        });
        assert!(hits.iter().all(|h| h.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn split_covers_the_range_evenly() {
        let ranges: Vec<_> = split(10, 3).collect();
        assert_eq!(ranges, vec![0..4, 4..7, 7..10]);
        let ranges: Vec<_> = split(2, 4).collect();
        assert_eq!(ranges, vec![0..1, 1..2, 2..2, 2..2]);
        assert!(default_threads() >= 1);
    }
}
