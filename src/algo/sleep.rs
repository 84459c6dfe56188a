//! Sleep sort, as in the 2016 article, made correct.
//!
//! The article's shape is kept: one `std::thread` per value sleeps for `value x unit`, then
//! pushes the value into a shared `Arc<Mutex<Vec<_>>>`, and the caller joins them all. Three
//! changes make it correct and safe:
//!
//! - One thread per *distinct* value, carrying its count, so duplicates cost no threads and the
//!   thread count is bounded by [`MAX_DISTINCT`], checked before anything is spawned.
//! - Every thread is spawned first and waits at a gate; the start instant is taken after the
//!   last spawn and each thread sleeps until an *absolute* deadline `start + (value - min) x
//!   unit` with [`Cancel::sleep_until`]. Spawning 10,000 threads takes most of a second, so
//!   relative sleeps started at spawn time would be wrong by that much; cancellation wakes the
//!   sleepers at once.
//! - No unit guarantees that threads wake in order on a busy machine, so the arrival order is
//!   finished by [`repair`], a stable insertion pass that costs next to nothing when few values
//!   are late. The result is sorted for every unit, including zero.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::panic;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use super::{Cancel, Error};

/// The most distinct values (hence sleeping threads) one call may use.
///
/// Threads are processes to the kernel: `pid_max` is 32,768 here and shared by every process
/// on the machine, and CPython got to about 32,700 live threads before `pthread_create`
/// refused. Half of that leaves room for the rest of the system and for a second call running
/// at the same time, while 10,000 distinct values still work. Each thread costs about 10 KB of
/// resident memory, so the cap is also about 160 MB.
pub const MAX_DISTINCT: usize = 16_384;

/// Stack reserved for each sleeping thread. It only waits on a lock and a condition variable
/// and pushes one pair into a vector with room reserved in advance; 64 KiB is ample and keeps
/// the address space of 16k threads near 1 GiB instead of 32 GiB with the 2 MiB default.
pub const STACK_SIZE: usize = 64 * 1024;

/// How far in the future the common start is set, per thread: released together, the threads
/// go through the gate and into their sleep one or two at a time (2 cores), and a thread still
/// queueing when its deadline passes wakes late. Measured on this 2-core VM (release build): the
/// last of 1,000 threads was through after 8 ms, the last of 10,000 after 144 ms.
const HERD_LEAD_PER_THREAD: Duration = Duration::from_micros(10);

/// Headroom between planning (when deadlines are checked for overflow) and the real start
/// instant, which comes after every thread has been spawned: far longer than spawning takes.
const START_MARGIN: Duration = Duration::from_secs(24 * 60 * 60);

/// Input that the algorithm cannot run, found before any thread is spawned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// More than `limit` distinct values: one thread each would be too many.
    TooManyDistinct { limit: usize },
    /// `spread x unit` (the longest sleep) cannot be represented as a deadline.
    TooLong { spread: u64, unit: Duration },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::TooManyDistinct { limit } => write!(
                f,
                "sleep sort starts one thread per distinct value and allows at most {limit} \
                 distinct values; the input has more"
            ),
            Invalid::TooLong { spread, unit } => write!(
                f,
                "the longest sleep, (max - min) x unit = {spread} x {unit:?}, is too long to \
                 schedule"
            ),
        }
    }
}

impl std::error::Error for Invalid {}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Error::TooLarge(invalid.to_string())
    }
}

/// One distinct value, how often it occurs, and how long after the start its thread sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sleeper {
    value: i64,
    count: usize,
    delay: Duration,
}

/// A checked sleep sort, ready to run: validation is separate from running so that a caller
/// (the Python binding) can report bad input before it gives up anything, such as the GIL.
#[derive(Debug, Clone)]
pub struct Plan {
    /// In order of first occurrence, not sorted: the sleeping does the sorting.
    sleepers: Vec<Sleeper>,
    len: usize,
    longest: Duration,
}

impl Plan {
    /// Groups `values` by distinct value and computes each group's sleep, `(value - min) x
    /// unit`, with checked arithmetic. The product is exact to the nanosecond.
    pub fn new(values: &[i64], unit: Duration) -> Result<Plan, Invalid> {
        let mut index: HashMap<i64, usize> = HashMap::new();
        let mut sleepers: Vec<Sleeper> = Vec::new();
        for &value in values {
            let next = sleepers.len();
            let slot = *index.entry(value).or_insert(next);
            if slot == next {
                if next == MAX_DISTINCT {
                    return Err(Invalid::TooManyDistinct {
                        limit: MAX_DISTINCT,
                    });
                }
                sleepers.push(Sleeper {
                    value,
                    count: 0,
                    delay: Duration::ZERO,
                });
            }
            sleepers[slot].count += 1;
        }
        let distinct = || sleepers.iter().map(|sleeper| sleeper.value);
        let (Some(min), Some(max)) = (distinct().min(), distinct().max()) else {
            return Ok(Plan {
                sleepers,
                len: 0,
                longest: Duration::ZERO,
            });
        };
        // `max - min` can exceed i64::MAX (it is at most u64::MAX); abs_diff is exact.
        let spread = max.abs_diff(min);
        let too_long = Invalid::TooLong { spread, unit };
        let longest = scaled(unit, spread).ok_or_else(|| too_long.clone())?;
        // Deadlines are `start + delay` for a start a little later than now; refuse delays
        // that an Instant cannot hold, so that no deadline can overflow when it is computed.
        longest
            .checked_add(START_MARGIN)
            .and_then(|far| Instant::now().checked_add(far))
            .ok_or(too_long)?;
        for sleeper in &mut sleepers {
            // Cannot fail: every offset is at most `spread`, whose product fitted.
            sleeper.delay = scaled(unit, sleeper.value.abs_diff(min)).unwrap_or(longest);
        }
        Ok(Plan {
            sleepers,
            len: values.len(),
            longest,
        })
    }

    /// How many threads [`Plan::arrivals`] starts.
    pub fn distinct(&self) -> usize {
        self.sleepers.len()
    }

    /// The longest sleep, `(max - min) x unit`: about how long the sort takes.
    pub fn longest_sleep(&self) -> Duration {
        self.longest
    }

    /// Sleeps and returns the values in ascending order.
    pub fn run(&self, cancel: &Cancel) -> Result<Vec<i64>, Error> {
        self.arrivals(cancel)?.into_sorted(cancel)
    }

    /// Sleeps and returns the values in the order their threads woke, before any repair.
    pub fn arrivals(&self, cancel: &Cancel) -> Result<Arrivals, Error> {
        self.sleep(cancel, usize::MAX)
    }

    /// The algorithm proper. `spawn_limit` lets tests make the `spawn_limit`-th spawn fail as
    /// if the operating system had refused it.
    fn sleep(&self, cancel: &Cancel, spawn_limit: usize) -> Result<Arrivals, Error> {
        if self.sleepers.is_empty() {
            return Ok(Arrivals::default());
        }
        // Room for every push is reserved now, so no thread reallocates while others wait
        // for the lock.
        let result = Arc::new(Mutex::new(Vec::with_capacity(self.sleepers.len())));
        // The gate: held for writing while threads are spawned, each thread blocks reading
        // it. Dropping the write guard releases them all at once (readers share the lock, so
        // they do not queue behind one another), holding `Some(start)`, or `None` to abort.
        let gate: RwLock<Option<Instant>> = RwLock::new(None);
        let outcome = thread::scope(|scope| {
            let mut closed = gate.write().unwrap_or_else(PoisonError::into_inner);
            let mut workers = Vec::with_capacity(self.sleepers.len());
            let mut failure = None;
            for (spawned, &sleeper) in self.sleepers.iter().enumerate() {
                if cancel.is_cancelled() {
                    break;
                }
                let result = Arc::clone(&result);
                let gate = &gate;
                let worker = if spawned < spawn_limit {
                    thread::Builder::new()
                        .name("sort-sleeper".into())
                        .stack_size(STACK_SIZE)
                        .spawn_scoped(scope, move || {
                            // A poisoned gate still holds the right answer: the writer sets
                            // it only once it has nothing left that could panic.
                            let start = *gate.read().unwrap_or_else(PoisonError::into_inner);
                            let Some(start) = start else { return };
                            // Plan::new proved that no deadline overflows; waking at the
                            // start would still give a sorted result after repair.
                            let deadline = start.checked_add(sleeper.delay).unwrap_or(start);
                            if cancel.sleep_until(deadline).is_ok() {
                                let mut result =
                                    result.lock().unwrap_or_else(PoisonError::into_inner);
                                result.push((sleeper.value, sleeper.count));
                            }
                        })
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        "spawn refused by the test spawn limit",
                    ))
                };
                match worker {
                    Ok(worker) => workers.push(worker),
                    Err(err) => {
                        failure = Some(Error::Spawn(err));
                        break;
                    }
                }
            }
            if failure.is_none() && !cancel.is_cancelled() {
                // After the last spawn, so every thread measures from the same instant; a
                // little in the future, so every thread is through the gate and asleep by then.
                let threads = u32::try_from(workers.len()).unwrap_or(u32::MAX);
                let lead = HERD_LEAD_PER_THREAD.saturating_mul(threads);
                let start = Instant::now().checked_add(lead);
                match start.filter(|start| start.checked_add(self.longest).is_some()) {
                    Some(start) => *closed = Some(start),
                    // Unreachable in practice: Plan::new left a day of margin.
                    None => {
                        failure = Some(Error::TooLarge(format!(
                            "the longest sleep, {:?}, runs past the end of the clock",
                            self.longest
                        )))
                    }
                }
            }
            // Open the gate: with `None` after a refused spawn or a cancel, every thread
            // returns at once without pushing.
            drop(closed);
            for worker in workers {
                // The threads cannot panic (no unwrap, no indexing), but if one did, its
                // panic goes on to our caller rather than being mistaken for a result.
                if let Err(payload) = worker.join() {
                    panic::resume_unwind(payload);
                }
            }
            failure
        });
        if let Some(err) = outcome {
            return Err(err);
        }
        cancel.check()?;
        let runs = std::mem::take(&mut *result.lock().unwrap_or_else(PoisonError::into_inner));
        debug_assert_eq!(
            runs.iter().map(|&(_, count)| count).sum::<usize>(),
            self.len
        );
        Ok(Arrivals { runs })
    }
}

/// `unit x count`, or `None` if it does not fit in a `Duration`.
fn scaled(unit: Duration, count: u64) -> Option<Duration> {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let nanos = unit.as_nanos().checked_mul(u128::from(count))?;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).ok()?;
    // The remainder is below 10^9, so it fits in a u32.
    Some(Duration::new(secs, (nanos % NANOS_PER_SEC) as u32))
}

/// What the sleeping threads pushed, in the order they woke: one `(value, count)` run per
/// distinct value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrivals {
    runs: Vec<(i64, usize)>,
}

impl Arrivals {
    /// Every value, in arrival order (each distinct value's copies are adjacent).
    pub fn values(&self) -> Vec<i64> {
        expand(&self.runs)
    }

    /// Repairs the arrival order with [`repair`] and expands it to the sorted values.
    pub fn into_sorted(mut self, cancel: &Cancel) -> Result<Vec<i64>, Error> {
        repair(&mut self.runs, |&(value, _)| value, cancel)?;
        Ok(expand(&self.runs))
    }
}

fn expand(runs: &[(i64, usize)]) -> Vec<i64> {
    let mut values = Vec::with_capacity(runs.iter().map(|&(_, count)| count).sum());
    for &(value, count) in runs {
        values.extend(std::iter::repeat(value).take(count));
    }
    values
}

/// How many element moves [`repair`] makes between two looks at the cancel flag: a few
/// milliseconds of `memmove`.
const MOVES_PER_CHECK: usize = 1 << 22;

/// Stable binary insertion sort: each element that is smaller than its predecessor (a late
/// arrival) is moved back to just after the last element not greater than it. In-order
/// elements cost one comparison, so a nearly sorted input is repaired in O(n + moves). Returns
/// how many elements were late.
pub fn repair<T, K, F>(items: &mut [T], key: F, cancel: &Cancel) -> Result<usize, Error>
where
    K: Ord,
    F: Fn(&T) -> K,
{
    let mut late = 0;
    let mut moves = 0;
    for i in 1..items.len() {
        let current = key(&items[i]);
        if key(&items[i - 1]) <= current {
            continue;
        }
        // items[..i] is sorted; the first element greater than `current` is where it goes,
        // after all its equals, which keeps the pass stable.
        let to = items[..i].partition_point(|item| key(item) <= current);
        items[to..=i].rotate_right(1);
        late += 1;
        moves += i - to;
        if moves >= MOVES_PER_CHECK {
            moves = 0;
            cancel.check()?;
        }
    }
    Ok(late)
}

/// Checks `values` against `unit` and sleep-sorts them: `Plan::new(values, unit)?.run(cancel)`.
pub fn sleep_sort(values: &[i64], unit: Duration, cancel: &Cancel) -> Result<Vec<i64>, Error> {
    Plan::new(values, unit)?.run(cancel)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn sorted_copy(values: &[i64]) -> Vec<i64> {
        let mut expected = values.to_vec();
        expected.sort_unstable();
        expected
    }

    #[test]
    fn sorts_the_articles_example() {
        let values = [5, 1, 2, 6, 8, 2, 4, 2, 3, 8, 0, 2];
        let sorted = sleep_sort(&values, MS, &Cancel::new()).unwrap();
        assert_eq!(sorted, vec![0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]);
    }

    #[test]
    fn sleeps_about_the_spread_times_the_unit() {
        let started = Instant::now();
        sleep_sort(&[100, 120, 140], MS, &Cancel::new()).unwrap();
        // Offsets count from the minimum, so this sleeps 40 ms, not 140 ms.
        assert!(started.elapsed() >= 40 * MS);
    }

    #[test]
    fn empty_and_single_inputs() {
        let cancel = Cancel::new();
        assert_eq!(sleep_sort(&[], MS, &cancel).unwrap(), Vec::<i64>::new());
        assert_eq!(sleep_sort(&[-7], MS, &cancel).unwrap(), vec![-7]);
    }

    #[test]
    fn one_thread_per_distinct_value_carries_its_count() {
        let values = [3, 3, 3, 1, 3, 1];
        let plan = Plan::new(&values, MS).unwrap();
        assert_eq!(plan.distinct(), 2);
        let arrivals = plan.arrivals(&Cancel::new()).unwrap();
        assert_eq!(arrivals.runs.len(), 2);
        assert_eq!(
            arrivals.into_sorted(&Cancel::new()).unwrap(),
            vec![1, 1, 3, 3, 3, 3]
        );
    }

    #[test]
    fn negatives_and_the_extremes_of_i64() {
        let values = [i64::MAX, -3, 0, i64::MIN, -3, 7];
        // A zero unit: the whole i64 range would otherwise take centuries.
        let sorted = sleep_sort(&values, Duration::ZERO, &Cancel::new()).unwrap();
        assert_eq!(sorted, sorted_copy(&values));
        let sorted = sleep_sort(&[4, -2, -9, 0], MS, &Cancel::new()).unwrap();
        assert_eq!(sorted, vec![-9, -2, 0, 4]);
    }

    #[test]
    fn unit_zero_is_sorted_by_the_repair_pass() {
        // All deadlines are the start instant, so arrival order is scheduling order.
        let values: Vec<i64> = (0..2_000).rev().map(|i| (i * 7919) % 1_000).collect();
        let sorted = sleep_sort(&values, Duration::ZERO, &Cancel::new()).unwrap();
        assert_eq!(sorted, sorted_copy(&values));
    }

    #[test]
    fn repair_moves_late_elements_back_stably() {
        let cancel = Cancel::new();
        // (key, tag): equal keys must keep their tags in order.
        let mut items = vec![(1, 'a'), (3, 'b'), (2, 'c'), (3, 'd'), (0, 'e'), (2, 'f')];
        let late = repair(&mut items, |&(key, _)| key, &cancel).unwrap();
        assert_eq!(
            items,
            vec![(0, 'e'), (1, 'a'), (2, 'c'), (2, 'f'), (3, 'b'), (3, 'd')]
        );
        assert_eq!(late, 3);
        let mut in_order = vec![1, 2, 2, 5];
        assert_eq!(repair(&mut in_order, |&x| x, &cancel).unwrap(), 0);
        let mut reversed: Vec<i32> = (0..500).rev().collect();
        assert_eq!(repair(&mut reversed, |&x| x, &cancel).unwrap(), 499);
        assert_eq!(reversed, (0..500).collect::<Vec<_>>());
        let mut empty: Vec<i32> = Vec::new();
        assert_eq!(repair(&mut empty, |&x| x, &cancel).unwrap(), 0);
    }

    #[test]
    fn cancel_wakes_every_sleeper_and_returns_cancelled() {
        let cancel = Arc::new(Cancel::new());
        let values: Vec<i64> = (0..200).map(|i| i * 1_000).collect();
        let plan = Plan::new(&values, Duration::from_secs(3)).unwrap();
        let started = Instant::now();
        let sorter = {
            let cancel = Arc::clone(&cancel);
            thread::spawn(move || plan.run(&cancel))
        };
        thread::sleep(50 * MS);
        cancel.cancel();
        let result = sorter.join().unwrap();
        assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
        // The longest sleep was 597,000 s; "quickly" here only means "did not sleep".
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn cancel_before_the_start_spawns_nothing_that_lingers() {
        let cancel = Cancel::new();
        cancel.cancel();
        let plan = Plan::new(&[1, 2, 3], Duration::from_secs(600)).unwrap();
        assert!(matches!(plan.run(&cancel), Err(Error::Cancelled)));
    }

    #[test]
    fn a_refused_spawn_releases_and_joins_the_started_threads() {
        let values: Vec<i64> = (0..10).collect();
        let plan = Plan::new(&values, Duration::from_secs(600)).unwrap();
        let started = Instant::now();
        let result = plan.sleep(&Cancel::new(), 4);
        assert!(matches!(result, Err(Error::Spawn(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn too_many_distinct_values_are_refused_before_spawning() {
        let values: Vec<i64> = (0..=MAX_DISTINCT as i64).collect();
        let err = Plan::new(&values, Duration::ZERO).unwrap_err();
        assert_eq!(
            err,
            Invalid::TooManyDistinct {
                limit: MAX_DISTINCT
            }
        );
        assert!(err.to_string().contains("16384"));
        // Duplicates do not count against the limit.
        let values: Vec<i64> = (0..MAX_DISTINCT as i64).chain(0..100).collect();
        assert_eq!(
            Plan::new(&values, Duration::ZERO).unwrap().distinct(),
            MAX_DISTINCT
        );
    }

    #[test]
    fn spread_times_unit_overflow_is_refused() {
        // max - min = u64::MAX, which does not fit in i64: computed exactly.
        let plan = Plan::new(&[i64::MIN, i64::MAX], Duration::from_nanos(1)).unwrap();
        assert_eq!(plan.longest_sleep(), Duration::from_nanos(u64::MAX));
        let err = Plan::new(&[i64::MIN, i64::MAX], Duration::from_secs(1)).unwrap_err();
        assert!(
            matches!(
                err,
                Invalid::TooLong {
                    spread: u64::MAX,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = Plan::new(&[0, 1 << 62], Duration::from_secs(1_000_000_000)).unwrap_err();
        assert!(matches!(err, Invalid::TooLong { .. }), "{err:?}");
        assert!(matches!(
            sleep_sort(&[0, i64::MAX], Duration::MAX, &Cancel::new()),
            Err(Error::TooLarge(_))
        ));
    }

    #[test]
    fn scaled_is_exact_and_checked() {
        assert_eq!(scaled(MS, 1_500), Some(Duration::from_millis(1_500)));
        assert_eq!(scaled(Duration::from_nanos(3), 0), Some(Duration::ZERO));
        assert_eq!(
            scaled(Duration::new(1, 1), 1_000_000_000),
            Some(Duration::new(1_000_000_001, 0))
        );
        assert_eq!(scaled(Duration::MAX, 2), None);
    }
}
