//! Running one piece of work per thread with `std::thread::scope`.

use std::sync::OnceLock;
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
