//! Stable sorting by an unsigned integer key: a parallel radix sort.
//!
//! One read of the input finds the digits on which keys differ (from the AND and OR of every
//! key), notices input that is already sorted, and counts the top digit; inputs sorted by LSD
//! passes alone (short or one-digit keys) count every digit in that read instead. Digits on
//! which every key agrees are skipped, so small numbers in a 64-bit key, or floats that share
//! their sign and most of their exponent, cost only the passes their varying digits need. Each remaining digit is one
//! stable counting-sort pass from one buffer into the other: the input and ONE scratch buffer of
//! the same size, ping-ponging.
//!
//! Inputs of two or more digits are first split by their most significant digit (one parallel
//! pass, into the scratch buffer); then threads take buckets (contiguous ranges, about 1/256 of
//! the input each) from a shared counter and sort each alone, back into the input: short
//! buckets most significant digit first down to small groups finished by a comparison sort,
//! longer ones by LSD passes that run from cache. After the split, no thread waits for another.
//! A bucket too big for one thread (skewed keys, or floats whose top digit is mostly the same
//! exponent) is split again on the next digit, with every thread.
//!
//! Memory safety does not rest on `key`: every scatter write is checked against the end of
//! its bucket (one predictable compare per element), so a key that changes between the count
//! and the move (a non-deterministic key, or user memory written by another thread) costs
//! elements, never an out-of-bounds write or an uninitialised read.
//!
//! In a parallel pass, the range is cut into one contiguous part per thread; each part counts
//! the digit, and part `t` writes bucket `b` after bucket `b` of all parts `< t`: the threads
//! write disjoint ranges, and equal digits keep their relative order, which is what makes every
//! pass (and so the sort) stable.

use std::mem::MaybeUninit;
use std::ops::Range;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::parallel::{run_parts, split};
use super::{Cancel, Error};

/// Bits per digit: 256 buckets. 8-bit digits measured much faster than 11-bit ones here
/// (2x at 1e6 keys): the counters of one pass stay in L1 and a scatter writes to few enough
/// places at once for the TLB and the CPU's write buffers.
const DIGIT_BITS: u32 = 8;
const BUCKETS: usize = 1 << DIGIT_BITS;
const MASK: u64 = BUCKETS as u64 - 1;

/// Up to this many elements, the standard library's stable sort beats setting up digit
/// histograms.
pub(crate) const SMALL: usize = 256;
/// Below this many elements, one thread does everything: spawning costs tens of microseconds.
const PARALLEL_MIN: usize = 1 << 17;
/// Never give a thread fewer elements than this.
const MIN_PER_THREAD: usize = 1 << 15;
/// From this many elements on (and with two or more digits to sort), split by the top digit
/// first and sort the buckets most significant digit first, in cache.
const SPLIT_MIN: usize = 1 << 10;
/// A bucket longer than this is split again (polling the cancel flag as it goes); shorter ones
/// are sorted in one go (about 20 ms at most), without polling.
const BIG_BUCKET: usize = 1 << 21;
/// Buckets up to this long are sorted most significant digit first ([`msd`]), longer ones by LSD
/// passes ([`sort_bucket`]). Measured on random 64-bit keys: MSD was faster for the buckets of
/// 1e5 keys (~400 each), even at 1e6 (~4k), and slower at 1e7 (~40k).
const MSD_MAX: usize = 1 << 15;
/// Groups this small are finished by a comparison sort: cheaper than another digit pass.
const GROUP_SORT_MAX: usize = 48;
/// Workers poll the cancel flag every this many elements (well under a millisecond of work),
/// so a cancelled sort stops promptly even on huge inputs.
const CANCEL_BLOCK: usize = 1 << 16;

type Counts = [usize; BUCKETS];

/// Sorts `data` stably by `key` (ascending), using up to `threads` threads.
/// Only the low `key_bits` bits of a key may be non-zero (64 for a full `u64`); with higher
/// bits set, the order is unspecified (but still a permutation).
/// Returns `Err(Cancelled)` if `cancel` is raised before it finishes; `data` is then a
/// permutation of its input, in no particular order. `Err(NoMemory)` if the scratch buffer
/// (one more copy of `data`) cannot be allocated; `data` is then untouched.
///
/// Memory safe whatever `key` returns: `key` should return the same key for the same element
/// every time it is called (it is called several times per element), but if it does not (a
/// random key, or elements in memory that another thread writes during the sort), every write
/// is still checked against the bounds of its bucket and no element is left uninitialised:
/// `data` then ends holding copies of its original elements in an unspecified order, some
/// possibly repeated and others lost, and the call never crashes or panics.
pub fn sort_by_key<T, K>(
    data: &mut [T],
    key: K,
    key_bits: u32,
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error>
where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    cancel.check()?;
    let len = data.len();
    if len <= SMALL {
        // Each key read once (a key that changes between reads, or a buffer written under
        // the sort, cannot make the comparison sort inconsistent, so it cannot panic).
        data.sort_by_cached_key(|item| key(item));
        return Ok(());
    }
    let key_bits = key_bits.min(64);
    let digits = key_bits.div_ceil(DIGIT_BITS) as usize;
    if digits == 0 {
        return Ok(()); // every key is 0
    }
    let ranges = parts_of(len, threads);
    if digits >= 2 && len >= SPLIT_MIN {
        // The split path needs only which digits vary and the histogram of the top varying
        // one: one cheap survey (and at most one more count) instead of every digit's
        // histogram, which measured a fifth of the whole sort.
        let all: Vec<usize> = (0..digits).collect();
        let plan = plan(data, &key, &all, &ranges, true, cancel)?;
        if matches!(plan, Plan::Done) {
            return Ok(());
        }
        let mut scratch: Vec<T> = super::try_with_capacity(len, "the radix sort's scratch buffer")?;
        // As below: the scratch buffer is used only through raw pointers.
        let input = SharedPtr(data.as_mut_ptr());
        let spare = SharedPtr(scratch.as_mut_ptr());
        return run_plan(
            input, spare, len, &key, plan, ranges, threads, false, cancel,
        );
    }
    let stats = histograms(data, &key, digits, &ranges, cancel)?;
    if is_sorted(&stats) {
        return Ok(());
    }
    let totals = totals(&stats);
    // A digit that every key shares moves nothing: skip its pass.
    let passes: Vec<usize> = (0..digits)
        .filter(|&digit| !totals[digit].contains(&len))
        .collect();
    if passes.is_empty() {
        return Ok(());
    }

    let mut scratch: Vec<T> = super::try_with_capacity(len, "the radix sort's scratch buffer")?;
    // The scratch buffer is used only through raw pointers and never gets a length: its
    // elements are written by a full pass before any is read, and `T: Copy` has no drop.
    let input = SharedPtr(data.as_mut_ptr());
    let spare = SharedPtr(scratch.as_mut_ptr());
    let (in_spare, result) = lsd(input, spare, &key, &passes, &stats, &ranges, cancel);
    if in_spare {
        // SAFETY: `spare` holds `len` elements written by the last complete pass; it does not
        // overlap `data`, which has `len` elements.
        unsafe { ptr::copy_nonoverlapping(spare.get(), input.get(), len) };
    }
    result
}

/// `0..len` cut into one range per thread, each big enough to be worth a thread.
fn parts_of(len: usize, threads: usize) -> Vec<Range<usize>> {
    let parts = if len < PARALLEL_MIN {
        1
    } else {
        threads.clamp(1, len / MIN_PER_THREAD)
    };
    split(len, parts).collect()
}

fn totals(stats: &[PartStats]) -> Vec<Counts> {
    let mut totals = vec![[0usize; BUCKETS]; stats[0].counts.len()];
    for part in stats {
        for (total, counts) in totals.iter_mut().zip(&part.counts) {
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
        }
    }
    totals
}

/// LSD passes over the digits `passes` (least significant first), from `a` into `b` and back,
/// both `ranges.last().end` elements long; `stats` are the histograms of `a` by part.
/// Returns whether the result (or, on `Err`, the intact permutation) is in `b`.
fn lsd<T, K>(
    a: SharedPtr<T>,
    b: SharedPtr<T>,
    key: &K,
    passes: &[usize],
    stats: &[PartStats],
    ranges: &[Range<usize>],
    cancel: &Cancel,
) -> (bool, Result<(), Error>)
where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let (mut src, mut dst) = (a, b);
    for (pass, &digit) in passes.iter().enumerate() {
        let shift = digit as u32 * DIGIT_BITS;
        let counts: Vec<Counts> = if ranges.len() == 1 || pass == 0 {
            // The parts still hold what the histograms were taken of, or there is one part,
            // whose counts do not depend on the order of its elements.
            stats.iter().map(|part| part.counts[digit]).collect()
        } else {
            match count_parts(src, key, shift, ranges, cancel) {
                Ok(counts) => counts,
                Err(err) => return (src.get() == b.get(), Err(err)),
            }
        };
        let offsets = destinations(&counts);
        scatter(src, dst, key, shift, ranges, &counts, &offsets, cancel);
        if let Err(err) = cancel.check() {
            // The pass was cut short: `dst` is partly written, `src` is intact.
            return (src.get() == b.get(), Err(err));
        }
        (src, dst) = (dst, src);
    }
    (src.get() == b.get(), Ok(()))
}

/// What the first read of a range found, and so how to sort it.
enum Plan {
    /// Already in order (if asked), or all keys equal on the digits to sort.
    Done,
    /// The keys differ on one digit only: one LSD pass, with these counts per part.
    One { digit: usize, counts: Vec<Counts> },
    /// The digits on which keys differ (two or more, least significant first), and the
    /// counts per part of the top one, to split on.
    Split {
        passes: Vec<usize>,
        counts: Vec<Counts>,
    },
}

/// Surveys `elements` (cut into `ranges`) on the digits `passes`: which of them vary
/// (from the AND and OR of every key), whether the keys are already in order (only if
/// `check_sorted`), and the histogram of the top varying digit, counted in the same read when
/// it is the top digit of `passes` (random keys), else in one more.
fn plan<T, K>(
    elements: &[T],
    key: &K,
    passes: &[usize],
    ranges: &[Range<usize>],
    check_sorted: bool,
    cancel: &Cancel,
) -> Result<Plan, Error>
where
    T: Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let Some(&highest) = passes.last() else {
        return Ok(Plan::Done);
    };
    let surveys = survey(elements, key, highest, ranges, cancel)?;
    if check_sorted
        && surveys.iter().all(|part| part.sorted)
        && surveys.windows(2).all(|pair| pair[0].last <= pair[1].first)
    {
        return Ok(Plan::Done);
    }
    let (all_and, any_or) = surveys
        .iter()
        .fold((u64::MAX, 0), |(a, o), part| (a & part.and, o | part.or));
    let varying = all_and ^ any_or;
    let passes: Vec<usize> = passes
        .iter()
        .copied()
        .filter(|&digit| (varying >> (digit as u32 * DIGIT_BITS)) & MASK != 0)
        .collect();
    let Some(&top) = passes.last() else {
        return Ok(Plan::Done);
    };
    let counts = if top == highest {
        surveys.into_iter().map(|part| part.counts).collect()
    } else {
        // Only read: `count_parts` takes the pointer of the scratch passes.
        let src = SharedPtr(elements.as_ptr().cast_mut());
        count_parts(src, key, top as u32 * DIGIT_BITS, ranges, cancel)?
    };
    Ok(if passes.len() == 1 {
        Plan::One { digit: top, counts }
    } else {
        Plan::Split { passes, counts }
    })
}

/// Carries out `plan` (made from `data` over `ranges`) for the `len` elements at `data`, with
/// `other` (as long, not overlapping) as scratch; the result ends in `other` if
/// `into_other`, else in `data`, whatever happens (in some order if cancelled).
#[allow(clippy::too_many_arguments)]
fn run_plan<T, K>(
    data: SharedPtr<T>,
    other: SharedPtr<T>,
    len: usize,
    key: &K,
    plan: Plan,
    ranges: Vec<Range<usize>>,
    threads: usize,
    into_other: bool,
    cancel: &Cancel,
) -> Result<(), Error>
where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    match plan {
        Plan::Done => {
            if into_other {
                // SAFETY: `data` holds the `len` elements; `other` has room; no overlap.
                unsafe { ptr::copy_nonoverlapping(data.get(), other.get(), len) };
            }
            Ok(())
        }
        Plan::One { digit, counts } => {
            // `lsd` reads a pass's counts from the part's histograms, indexed by digit.
            let stats: Vec<PartStats> = counts
                .into_iter()
                .map(|part| {
                    let mut digits = vec![[0usize; BUCKETS]; digit + 1];
                    digits[digit] = part;
                    PartStats {
                        counts: digits,
                        sorted: false,
                        first: 0,
                        last: 0,
                    }
                })
                .collect();
            let (in_other, result) = lsd(data, other, key, &[digit], &stats, &ranges, cancel);
            if in_other != into_other {
                let (from, to) = if in_other {
                    (other, data)
                } else {
                    (data, other)
                };
                // SAFETY: `from` holds the `len` elements; `to` has room; no overlap.
                unsafe { ptr::copy_nonoverlapping(from.get(), to.get(), len) };
            }
            result
        }
        Plan::Split { passes, counts } => split_sort(
            data, other, len, key, &passes, counts, ranges, threads, into_other, cancel,
        ),
    }
}

/// Sorts the `len` elements at `data` on the digits `passes` (least significant first) with up
/// to `threads` threads, with `other` (as long, not overlapping) as scratch; the result ends in
/// `other` if `into_other`, else in `data`, whatever happens (in some order if cancelled).
#[allow(clippy::too_many_arguments)]
fn sort_range<T, K>(
    data: SharedPtr<T>,
    other: SharedPtr<T>,
    len: usize,
    key: &K,
    passes: &[usize],
    threads: usize,
    into_other: bool,
    cancel: &Cancel,
) -> Result<(), Error>
where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let ranges = parts_of(len, threads);
    // SAFETY: `data` holds `len` initialised elements, only read while planning.
    let elements = unsafe { std::slice::from_raw_parts(data.get(), len) };
    match plan(elements, key, passes, &ranges, false, cancel) {
        Ok(plan) => run_plan(
            data, other, len, key, plan, ranges, threads, into_other, cancel,
        ),
        Err(err) => {
            if into_other {
                // SAFETY: `data` holds the `len` elements; `other` has room; no overlap.
                unsafe { ptr::copy_nonoverlapping(data.get(), other.get(), len) };
            }
            Err(err)
        }
    }
}

/// Sorts the `len` elements at `data` on the digits `passes` (least significant first, two or
/// more, each one on which the keys differ), with `other` (as long, not overlapping) as
/// scratch; the result ends in `other` if `into_other`, else in `data`. `counts`: histograms
/// of the top digit of `passes` in `data` over `ranges`.
///
/// One parallel pass splits the elements by the most significant digit into `other`; then
/// threads take buckets from a shared counter and sort each alone ([`sort_bucket`]). A bucket
/// with more than one thread's share of the elements is sorted by [`plan`] and [`run_plan`]
/// again, with every thread, on the next digits; one too long to finish without polling the
/// cancel flag, the same way on its thread.
///
/// Whatever happens, on return the elements are where the result belongs: sorted if `Ok`, in
/// some order if cancelled.
#[allow(clippy::too_many_arguments)]
fn split_sort<T, K>(
    data: SharedPtr<T>,
    other: SharedPtr<T>,
    len: usize,
    key: &K,
    passes: &[usize],
    counts: Vec<Counts>,
    ranges: Vec<Range<usize>>,
    threads: usize,
    into_other: bool,
    cancel: &Cancel,
) -> Result<(), Error>
where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let stay = |result: Result<(), Error>| {
        if into_other {
            // SAFETY: `data` holds the `len` elements; `other` has room; no overlap.
            unsafe { ptr::copy_nonoverlapping(data.get(), other.get(), len) };
        }
        result
    };
    let Some((&top, rest)) = passes.split_last() else {
        return stay(Ok(()));
    };
    let mut total = [0usize; BUCKETS];
    for part in &counts {
        for (t, c) in total.iter_mut().zip(part) {
            *t += c;
        }
    }
    let offsets = destinations(&counts);
    scatter(
        data,
        other,
        key,
        top as u32 * DIGIT_BITS,
        &ranges,
        &counts,
        &offsets,
        cancel,
    );
    if let Err(err) = cancel.check() {
        return stay(Err(err)); // the split was cut short; `data` is intact
    }

    // Every bucket is now in `other`; the buckets' results belong in `data` unless
    // `into_other`, so from a bucket's point of view the roles swap.
    let mut buckets: Vec<Range<usize>> = Vec::with_capacity(BUCKETS);
    let mut start = 0;
    for &total in &total {
        if total > 0 {
            buckets.push(start..start + total);
        }
        start += total;
    }
    // Largest first, so that the last buckets taken are short.
    buckets.sort_by_key(|bucket| std::cmp::Reverse(bucket.len()));
    let workers = ranges.len();
    // A bucket holding more than one thread's share of the work is sorted by every thread
    // together (one after the other); the rest are shared out whole, since each thread
    // synchronising costs more than a little imbalance, most of all on a busy machine.
    let big = buckets
        .iter()
        .take_while(|bucket| workers > 1 && bucket.len() > len / workers)
        .count();
    // Whether each bucket has been sorted (or, if cancelled, moved) to where it belongs.
    let settled: Vec<AtomicBool> = buckets.iter().map(|_| AtomicBool::new(false)).collect();
    let mut result = Ok(());
    for (bucket, settled) in buckets[..big].iter().zip(&settled) {
        // SAFETY: the bucket's range is in bounds of both buffers.
        let (from, to) = unsafe { (other.get().add(bucket.start), data.get().add(bucket.start)) };
        let (from, to) = (SharedPtr(from), SharedPtr(to));
        result = sort_range(
            from,
            to,
            bucket.len(),
            key,
            rest,
            threads,
            !into_other,
            cancel,
        );
        // Settled even if cancelled: `sort_range` always leaves a bucket where it belongs.
        settled.store(true, Ordering::Relaxed);
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        let next = AtomicUsize::new(big);
        let work = |_worker: usize| {
            while !cancel.is_cancelled() {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(bucket) = buckets.get(index) else {
                    break;
                };
                // SAFETY: this thread alone took this bucket, which holds initialised
                // elements in `other`; its range is in bounds of both buffers.
                let (from, to) =
                    unsafe { (other.get().add(bucket.start), data.get().add(bucket.start)) };
                if bucket.len() > BIG_BUCKET {
                    // Long: split again on this thread, polling the cancel flag as it goes.
                    let (from, to) = (SharedPtr(from), SharedPtr(to));
                    let n = bucket.len();
                    // Its result is ignored: a cancel is seen by `cancel.check()` below, and
                    // the bucket is where it belongs either way.
                    let _ = sort_range(from, to, n, key, rest, 1, !into_other, cancel);
                } else {
                    // SAFETY: as above; the bucket is ours alone, and initialised in both
                    // buffers: `data` from the start, `other` by the split (`scatter` writes
                    // or fills every slot).
                    unsafe { sort_bucket(from, to, bucket.len(), key, rest, !into_other) };
                }
                settled[index].store(true, Ordering::Relaxed);
            }
        };
        if workers == 1 {
            work(0);
        } else {
            run_parts(workers, work);
        }
        result = cancel.check();
    }
    if result.is_err() && !into_other {
        // Bring every bucket still in `other` home, so that `data` is a permutation.
        for (bucket, settled) in buckets.iter().zip(&settled) {
            if !settled.load(Ordering::Relaxed) {
                // SAFETY: `other[bucket]` holds this bucket's elements (from the split); the
                // range is in bounds of both buffers, which do not overlap.
                unsafe {
                    ptr::copy_nonoverlapping(
                        other.get().add(bucket.start),
                        data.get().add(bucket.start),
                        bucket.len(),
                    )
                };
            }
        }
    }
    result
}

/// Sorts the `len` elements at `data` on `digits` on the calling thread, in one go, with
/// `other` as scratch; the result ends in `other` if `into_other`. Short buckets are sorted most
/// significant digit first ([`msd`]), longer ones by LSD passes (which then run from cache).
///
/// # Safety
/// As for [`msd`].
unsafe fn sort_bucket<T, K>(
    data: *mut T,
    other: *mut T,
    len: usize,
    key: &K,
    digits: &[usize],
    into_other: bool,
) where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    if len <= MSD_MAX {
        // SAFETY: the caller's contract.
        return unsafe { msd(data, other, len, key, digits, into_other) };
    }
    // Buckets are short enough (<= BIG_BUCKET) to finish without polling: never cancelled.
    let not_cancelled = Cancel::new();
    // SAFETY: the caller's contract.
    let elements = unsafe { std::slice::from_raw_parts(data, len) };
    let top = digits.last().map_or(0, |&top| top + 1);
    let stats = part_histogram(elements, key, top, &not_cancelled).expect("not cancelled");
    let passes: Vec<usize> = digits
        .iter()
        .copied()
        .filter(|&digit| !stats.counts[digit].contains(&len))
        .collect();
    let whole = 0..len;
    let whole = std::slice::from_ref(&whole);
    let (a, b) = (SharedPtr(data), SharedPtr(other));
    let (in_other, _) = lsd(a, b, key, &passes, &[stats], whole, &not_cancelled);
    if in_other != into_other {
        let (from, to) = if in_other {
            (other, data)
        } else {
            (data, other)
        };
        // SAFETY: `from` holds the `len` elements; `to` has room; no overlap.
        unsafe { ptr::copy_nonoverlapping(from, to, len) };
    }
}

/// Stable most-significant-digit-first radix sort of the `len` elements at `data` on `digits`
/// (least significant first), using `other` (as long, not overlapping) as scratch. The result
/// ends in `other` if `into_other`, else in `data`. Digits on which the elements agree cost one
/// read and no move; groups of at most [`GROUP_SORT_MAX`] elements are finished by the standard
/// library's stable sort. Recursion depth is at most `digits.len()` (8).
///
/// # Safety
/// `data` and `other` each hold `len` initialised elements (after the first scatter of a sort,
/// both buffers are initialised throughout), they do not overlap, and no other thread accesses
/// either range during the call.
unsafe fn msd<T, K>(
    data: *mut T,
    other: *mut T,
    len: usize,
    key: &K,
    digits: &[usize],
    into_other: bool,
) where
    T: Copy,
    K: Fn(&T) -> u64,
{
    if len <= GROUP_SORT_MAX {
        let home = if into_other { other } else { data };
        // Bits above the highest remaining digit are equal across the group (split on, or
        // the same in every key), so only the bits below matter to its order.
        let bits = digits
            .last()
            .map_or(0, |&top| (top as u32 + 1) * DIGIT_BITS);
        // SAFETY: the caller's contract: `len` elements in each buffer, ours alone.
        unsafe { group_sort(data, home, len, key, bits) };
        return;
    }
    // SAFETY: the caller's contract.
    let elements = unsafe { std::slice::from_raw_parts(data, len) };
    let (mut counts, mut next) = ([0usize; BUCKETS], [0usize; BUCKETS]);
    let Some(level) = next_split(elements, key, digits, &mut counts, &mut next) else {
        // All keys equal on the remaining digits.
        if into_other {
            // SAFETY: the caller's contract: `len` elements, no overlap.
            unsafe { ptr::copy_nonoverlapping(data, other, len) };
        }
        return;
    };
    let shift = digits[level] as u32 * DIGIT_BITS;
    for item in elements {
        let slot = &mut next[((key(item) >> shift) & MASK) as usize];
        // Checked: a key that changed since `next_split` read it could send its bucket past
        // `len`. Within `0..len` a bucket that overflows only overwrites its neighbour's
        // slots, and the slots it then leaves unwritten still hold initialised elements (the
        // contract), so the result is a sequence of valid elements either way.
        if *slot < len {
            // SAFETY: in bounds of `other` (`len` elements; checked), which only this call
            // accesses.
            unsafe { other.add(*slot).write(*item) };
        }
        *slot += 1;
    }
    // Every group now sits in `other`: sort it on the lower digits, ending where we must.
    let mut start = 0;
    for &count in &counts {
        if count == 1 && !into_other {
            // A lone element (common in the last levels): move it home without a call.
            // SAFETY: `start` is in bounds of both buffers, whose elements are initialised.
            unsafe { data.add(start).write(other.add(start).read()) };
        } else if count > 1 {
            let lower = &digits[..level];
            // SAFETY: a sub-range of both buffers, holding `count` initialised elements in
            // `other`; the contract carries over.
            unsafe {
                msd(
                    other.add(start),
                    data.add(start),
                    count,
                    key,
                    lower,
                    !into_other,
                )
            };
        }
        start += count;
    }
}

/// The index in `digits` of the most significant digit on which `elements` differ, with that
/// digit's histogram left in `counts` and its exclusive prefix sums (where each bucket starts)
/// in `starts`; `None` if they agree on all of them.
///
/// Both are written by one scalar loop from counts kept in this frame: returning the 2 KB
/// histogram by value, or filling the caller's zeroed array, measured up to 2x slower on
/// 1e5 int32s (the caller's prefix sum stalled reading what wide vector moves had just
/// written).
fn next_split<T, K>(
    elements: &[T],
    key: &K,
    digits: &[usize],
    counts: &mut Counts,
    starts: &mut Counts,
) -> Option<usize>
where
    K: Fn(&T) -> u64,
{
    for (level, &digit) in digits.iter().enumerate().rev() {
        let shift = digit as u32 * DIGIT_BITS;
        let mut local = [0usize; BUCKETS];
        for item in elements {
            local[((key(item) >> shift) & MASK) as usize] += 1;
        }
        if !local.contains(&elements.len()) {
            let mut at = 0;
            for ((count, start), &n) in counts.iter_mut().zip(starts.iter_mut()).zip(&local) {
                *count = n;
                *start = at;
                at += n;
            }
            return Some(level);
        }
    }
    None
}

/// A raw pointer that worker threads may share. Each user states why its accesses are
/// disjoint; the pointee outlives the scoped threads of `run_parts`.
struct SharedPtr<T>(*mut T);

impl<T> Clone for SharedPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SharedPtr<T> {}

impl<T> SharedPtr<T> {
    /// Through a method, so that closures capture the whole (`Sync`) wrapper rather than
    /// its raw-pointer field (edition 2021 closures capture disjoint fields).
    fn get(self) -> *mut T {
        self.0
    }
}

// SAFETY: through copies of the wrapper, several threads read elements at once (which needs
// `T: Sync`) and write elements made on one thread into memory another thread then reads or
// owns (which needs `T: Send`); every dereference is in an `unsafe` block that shows the
// threads touch disjoint elements, or only read.
unsafe impl<T: Send + Sync> Send for SharedPtr<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for SharedPtr<T> {}

/// Per-part result of the first read of the input.
struct PartStats {
    /// `counts[d][b]`: how many keys of the part have `b` as their digit `d`.
    counts: Vec<Counts>,
    /// The part's keys are non-decreasing; `first` and `last` are its end keys.
    sorted: bool,
    first: u64,
    last: u64,
}

fn histograms<T, K>(
    data: &[T],
    key: &K,
    digits: usize,
    ranges: &[Range<usize>],
    cancel: &Cancel,
) -> Result<Vec<PartStats>, Error>
where
    T: Sync,
    K: Fn(&T) -> u64 + Sync,
{
    per_part(ranges, cancel, |part| {
        part_histogram(&data[ranges[part].clone()], key, digits, cancel)
    })
}

/// `work(part)` for every part of `ranges`, on threads when there is more than one, collected
/// in part order. `work` returns `None` only when it saw `cancel` raised, and then so does this.
fn per_part<R, F>(ranges: &[Range<usize>], cancel: &Cancel, work: F) -> Result<Vec<R>, Error>
where
    R: Send,
    F: Fn(usize) -> Option<R> + Sync,
{
    let slots: Vec<Mutex<Option<R>>> = ranges.iter().map(|_| Mutex::new(None)).collect();
    let store = |part: usize| {
        let result = work(part);
        *slots[part].lock().unwrap_or_else(|p| p.into_inner()) = result;
    };
    if ranges.len() == 1 {
        store(0);
    } else {
        run_parts(ranges.len(), store);
    }
    cancel.check()?;
    Ok(slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .expect("every part stores its result unless cancelled")
        })
        .collect())
}

/// `None` if cancelled. `part` is never empty (parts have >= MIN_PER_THREAD elements).
fn part_histogram<T, K>(part: &[T], key: &K, digits: usize, cancel: &Cancel) -> Option<PartStats>
where
    K: Fn(&T) -> u64,
{
    let mut counts = vec![[0usize; BUCKETS]; digits];
    let first = key(part.first()?);
    let (mut prev, mut sorted) = (first, true);
    for block in part.chunks(CANCEL_BLOCK) {
        if cancel.is_cancelled() {
            return None;
        }
        // A constant digit count lets the compiler unroll the inner loop.
        match digits {
            8 => tally::<T, K, 8>(block, key, &mut counts, &mut prev, &mut sorted),
            4 => tally::<T, K, 4>(block, key, &mut counts, &mut prev, &mut sorted),
            2 => tally::<T, K, 2>(block, key, &mut counts, &mut prev, &mut sorted),
            _ => {
                for item in block {
                    let k = key(item);
                    sorted &= prev <= k;
                    prev = k;
                    for (digit, counts) in counts.iter_mut().enumerate() {
                        counts[((k >> (digit as u32 * DIGIT_BITS)) & MASK) as usize] += 1;
                    }
                }
            }
        }
    }
    Some(PartStats {
        counts,
        sorted,
        first,
        last: prev,
    })
}

/// The histogram loop of [`part_histogram`] for exactly `D` digits.
fn tally<T, K, const D: usize>(
    block: &[T],
    key: &K,
    counts: &mut [Counts],
    prev: &mut u64,
    sorted: &mut bool,
) where
    K: Fn(&T) -> u64,
{
    let counts: &mut [Counts; D] = counts.try_into().expect("D digits");
    for item in block {
        let k = key(item);
        *sorted &= *prev <= k;
        *prev = k;
        for (digit, counts) in counts.iter_mut().enumerate() {
            counts[((k >> (digit as u32 * DIGIT_BITS)) & MASK) as usize] += 1;
        }
    }
}

/// Per-part result of [`survey`].
struct Survey {
    /// AND and OR of every key: the bits where they differ are the bits that vary.
    and: u64,
    or: u64,
    /// The part's keys are non-decreasing; `first` and `last` are its end keys.
    sorted: bool,
    first: u64,
    last: u64,
    /// Histogram of one digit.
    counts: Counts,
}

/// One read of every part of `data`: what [`Survey`] holds, with the histogram of `digit`.
fn survey<T, K>(
    data: &[T],
    key: &K,
    digit: usize,
    ranges: &[Range<usize>],
    cancel: &Cancel,
) -> Result<Vec<Survey>, Error>
where
    T: Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let shift = digit as u32 * DIGIT_BITS;
    per_part(ranges, cancel, |part| {
        let part_slice = &data[ranges[part].clone()];
        let first = part_slice.first().map(key)?; // parts are never empty
        let (mut and, mut or, mut prev, mut sorted) = (u64::MAX, 0u64, first, true);
        let mut counts = [0usize; BUCKETS];
        for block in part_slice.chunks(CANCEL_BLOCK) {
            if cancel.is_cancelled() {
                return None;
            }
            for item in block {
                let k = key(item);
                and &= k;
                or |= k;
                sorted &= prev <= k;
                prev = k;
                counts[((k >> shift) & MASK) as usize] += 1;
            }
        }
        Some(Survey {
            and,
            or,
            sorted,
            first,
            last: prev,
            counts,
        })
    })
}

fn is_sorted(stats: &[PartStats]) -> bool {
    stats.iter().all(|part| part.sorted)
        && stats.windows(2).all(|pair| pair[0].last <= pair[1].first)
}

/// Counts of one digit in each part of `src`.
fn count_parts<T, K>(
    src: SharedPtr<T>,
    key: &K,
    shift: u32,
    ranges: &[Range<usize>],
    cancel: &Cancel,
) -> Result<Vec<Counts>, Error>
where
    T: Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let slots: Vec<Mutex<Counts>> = ranges.iter().map(|_| Mutex::new([0; BUCKETS])).collect();
    run_parts(ranges.len(), |part| {
        let range = ranges[part].clone();
        // SAFETY: `src` holds `len` initialised elements (the input, or the scratch buffer
        // after a complete pass) and nobody writes to it during this phase.
        let part_slice =
            unsafe { std::slice::from_raw_parts(src.get().add(range.start), range.len()) };
        let mut counts = [0usize; BUCKETS];
        for block in part_slice.chunks(CANCEL_BLOCK) {
            if cancel.is_cancelled() {
                return;
            }
            for item in block {
                counts[((key(item) >> shift) & MASK) as usize] += 1;
            }
        }
        *slots[part].lock().unwrap_or_else(|p| p.into_inner()) = counts;
    });
    cancel.check()?;
    Ok(slots
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect())
}

/// `offsets[t][b]`: where part `t` writes its first element of bucket `b`: after every
/// smaller bucket, and after bucket `b` of the earlier parts (which keeps the pass stable).
fn destinations(counts: &[Counts]) -> Vec<Counts> {
    let mut offsets = vec![[0usize; BUCKETS]; counts.len()];
    let mut next = 0;
    for bucket in 0..BUCKETS {
        for (offsets, counts) in offsets.iter_mut().zip(counts) {
            offsets[bucket] = next;
            next += counts[bucket];
        }
    }
    offsets
}

/// One stable counting-sort pass: every part of `src` to its destinations in `dst`.
/// `counts[t]` must be the histogram the `offsets` were made from (see [`destinations`]).
/// Stops early (leaving `dst` partly written) if cancelled.
///
/// Every write is checked against the end of its bucket, so the pass stays in bounds even if
/// `key` does not return what it returned when `counts` were taken (a non-deterministic key,
/// or user memory written by another thread under the sort). Such an element is dropped, and
/// the slots its bucket then leaves empty are filled with a copy of an element of the part:
/// the result is no longer a permutation, but every element of `dst` is initialised.
#[allow(clippy::too_many_arguments)]
fn scatter<T, K>(
    src: SharedPtr<T>,
    dst: SharedPtr<T>,
    key: &K,
    shift: u32,
    ranges: &[Range<usize>],
    counts: &[Counts],
    offsets: &[Counts],
    cancel: &Cancel,
) where
    T: Copy + Send + Sync,
    K: Fn(&T) -> u64 + Sync,
{
    let work = |part: usize| {
        let range = ranges[part].clone();
        // SAFETY: as in `count_parts`, `src` is initialised and only read during the pass.
        let part_slice =
            unsafe { std::slice::from_raw_parts(src.get().add(range.start), range.len()) };
        let mut next = offsets[part];
        let end = bucket_ends(&next, &counts[part]);
        let dst = dst.get();
        for block in part_slice.chunks(CANCEL_BLOCK) {
            if cancel.is_cancelled() {
                return;
            }
            for item in block {
                let bucket = ((key(item) >> shift) & MASK) as usize;
                let slot = next[bucket];
                if slot < end[bucket] {
                    // SAFETY: part `t` writes bucket `b` only to `offsets[t][b]..offsets[t][b]
                    // + counts[t][b]` (the check above); these ranges are disjoint for all
                    // (t, b) and tile `0..len` (see `destinations`), so every write is in
                    // bounds of `dst` (capacity `len`, distinct from `src`) and no two threads
                    // write the same element.
                    unsafe { dst.add(slot).write(*item) };
                    next[bucket] = slot + 1;
                }
            }
        }
        if let Some(&filler) = part_slice.first() {
            // SAFETY: the part's own ranges, as above.
            unsafe { fill_holes(dst, &next, &end, filler) };
        }
    };
    if ranges.len() == 1 {
        work(0);
    } else {
        run_parts(ranges.len(), work);
    }
}

/// Where each bucket's range ends, for ranges starting at `starts` with `counts` elements.
fn bucket_ends(starts: &Counts, counts: &Counts) -> Counts {
    let mut end = [0usize; BUCKETS];
    for ((end, start), count) in end.iter_mut().zip(starts).zip(counts) {
        *end = start + count;
    }
    end
}

/// Writes `filler` to `dst[next[b]..end[b]]` for every bucket `b`: the slots a scatter left
/// empty because keys changed between counting and moving (never, for a deterministic key).
///
/// # Safety
/// Every `next[b]..end[b]` is in bounds of `dst`, and no other thread accesses those ranges.
#[cold]
#[inline(never)]
unsafe fn fill_holes_slow<T: Copy>(dst: *mut T, next: &Counts, end: &Counts, filler: T) {
    for (&from, &to) in next.iter().zip(end) {
        for slot in from..to {
            // SAFETY: the caller's contract.
            unsafe { dst.add(slot).write(filler) };
        }
    }
}

/// [`fill_holes_slow`] if any bucket has room left; a quick compare otherwise.
///
/// # Safety
/// As for [`fill_holes_slow`].
#[inline]
unsafe fn fill_holes<T: Copy>(dst: *mut T, next: &Counts, end: &Counts, filler: T) {
    if next != end {
        // SAFETY: the caller's contract.
        unsafe { fill_holes_slow(dst, next, end, filler) };
    }
}

/// Stable sort of the `len` (at most [`GROUP_SORT_MAX`]) elements at `src` by the low `bits`
/// bits of `key`, written to `dst` (which may be `src`). The elements are copied to the stack,
/// each key read once, and an order of indices is sorted there: a key that changes between
/// reads, or memory that another thread writes, cannot make the comparison sort see an
/// inconsistent order (which could make it panic), and the result is always a permutation of
/// the copies.
///
/// # Safety
/// `src` holds `len` initialised elements, `dst` has room for `len`, and no other Rust code
/// accesses either range during the call.
unsafe fn group_sort<T: Copy, K: Fn(&T) -> u64>(
    src: *const T,
    dst: *mut T,
    len: usize,
    key: &K,
    bits: u32,
) {
    debug_assert!(len <= GROUP_SORT_MAX);
    let len = len.min(GROUP_SORT_MAX);
    // SAFETY: the caller's contract.
    let src = unsafe { std::slice::from_raw_parts(src, len) };
    // Not initialised up front: filling all GROUP_SORT_MAX slots for every group measured a
    // third of the time of `msd` (groups average ~15 elements).
    let mut items = [MaybeUninit::<T>::uninit(); GROUP_SORT_MAX];
    let mut order = [MaybeUninit::<u64>::uninit(); GROUP_SORT_MAX];
    if bits <= 64 - INDEX_BITS {
        // The key's low bits and the index in one word: an unstable sort of plain words (the
        // standard library's branch-free networks) is then a stable sort by key.
        let low = if bits == 0 {
            0
        } else {
            u64::MAX >> (64 - bits)
        };
        for (at, item) in src.iter().enumerate() {
            order[at].write(((key(item) & low) << INDEX_BITS) | at as u64);
            items[at].write(*item);
        }
        // SAFETY: the first `len` slots were just initialised; plain data.
        let order = unsafe { std::slice::from_raw_parts_mut(order.as_mut_ptr().cast(), len) };
        order.sort_unstable();
        // SAFETY: sorting permuted the words written above, whose low bits are `0..len`.
        unsafe { write_in_order(&items, order, dst) };
    } else {
        let mut keys = [MaybeUninit::<u64>::uninit(); GROUP_SORT_MAX];
        for (at, item) in src.iter().enumerate() {
            keys[at].write(key(item));
            order[at].write(at as u64);
            items[at].write(*item);
        }
        // SAFETY: the first `len` slots of each were just initialised; plain data.
        let (keys, order): (&[u64], &mut [u64]) = unsafe {
            (
                std::slice::from_raw_parts(keys.as_ptr().cast(), len),
                std::slice::from_raw_parts_mut(order.as_mut_ptr().cast(), len),
            )
        };
        // By (key, index): stable.
        order.sort_unstable_by_key(|&at| (keys[at as usize], at));
        // SAFETY: sorting permuted the indices `0..len` written above.
        unsafe { write_in_order(&items, order, dst) };
    }
}

/// Bits of a group index (< [`GROUP_SORT_MAX`]).
const INDEX_BITS: u32 = 6;
const _: () = assert!(GROUP_SORT_MAX <= 1 << INDEX_BITS);

/// `dst[to] = items[order[to] % 64]` for every `to`.
///
/// # Safety
/// The low [`INDEX_BITS`] of the words of `order` are a permutation of `0..order.len()`, whose
/// items are initialised; `dst` has room for `order.len()` elements that no one else accesses.
#[inline]
unsafe fn write_in_order<T: Copy>(
    items: &[MaybeUninit<T>; GROUP_SORT_MAX],
    order: &[u64],
    dst: *mut T,
) {
    for (to, &word) in order.iter().enumerate() {
        let from = (word & ((1 << INDEX_BITS) - 1)) as usize;
        // SAFETY: the contract: `to` is in bounds of `dst`, `items[from]` is initialised.
        unsafe { dst.add(to).write(items[from].assume_init()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::algo::test_rng::Rng;

    /// Elements carry their original index, so stability is checked exactly: the expected
    /// result is the standard library's stable sort.
    fn check(keys: &[u64], key_bits: u32, threads: usize) {
        let mut data: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32))
            .collect();
        let mut expected = data.clone();
        expected.sort_by_key(|item| item.0);
        sort_by_key(&mut data, |item| item.0, key_bits, threads, &Cancel::new()).unwrap();
        assert_eq!(
            data,
            expected,
            "len {} key_bits {key_bits} threads {threads}",
            keys.len()
        );
    }

    fn random(len: usize, bits: u32, seed: u64) -> Vec<u64> {
        let mut rng = Rng(seed | 1);
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        };
        (0..len).map(|_| rng.next() & mask).collect()
    }

    const LENGTHS: [usize; 14] = [
        0,
        1,
        2,
        3,
        SMALL - 1,
        SMALL,
        SMALL + 1,
        1000,
        PARALLEL_MIN - 1,
        PARALLEL_MIN,
        PARALLEL_MIN + 1,
        2 * MIN_PER_THREAD + 1,
        5 * MIN_PER_THREAD + 3,
        300_001,
    ];

    #[test]
    fn random_keys_every_length_and_thread_count() {
        for (i, &len) in LENGTHS.iter().enumerate() {
            let keys = random(len, 64, i as u64 + 1);
            for threads in 1..=5 {
                check(&keys, 64, threads);
            }
        }
    }

    #[test]
    fn sorted_reversed_and_all_equal() {
        for &len in &LENGTHS {
            let ascending: Vec<u64> = (0..len as u64).map(|k| k * 3).collect();
            let descending: Vec<u64> = ascending.iter().rev().copied().collect();
            let equal = vec![42u64; len];
            for threads in [1, 2, 5] {
                check(&ascending, 64, threads);
                check(&descending, 64, threads);
                check(&equal, 64, threads);
            }
        }
    }

    #[test]
    fn many_duplicates_keep_their_order() {
        for &len in &LENGTHS {
            for bits in [1, 4, 10] {
                let keys = random(len, bits, len as u64 + 7);
                for threads in [1, 2, 3, 4] {
                    check(&keys, bits, threads);
                }
            }
        }
    }

    #[test]
    fn narrow_keys_and_odd_widths() {
        for bits in [0, 1, 7, 8, 9, 16, 17, 31, 32, 33, 63, 64] {
            for &len in &[1000, PARALLEL_MIN + 1, 200_000] {
                let keys = random(len, bits, u64::from(bits) + 99);
                for threads in [1, 2, 4] {
                    check(&keys, bits, threads);
                }
            }
        }
    }

    /// Keys that share a long common prefix, or vary in one digit only, or in digits far
    /// apart: the survey must skip exactly the digits that are constant.
    #[test]
    fn common_prefixes_and_single_varying_digits() {
        for &len in &[1000, PARALLEL_MIN + 1, 300_001] {
            let r = random(len, 64, len as u64 + 5);
            let shapes: [Box<dyn Fn(u64) -> u64>; 5] = [
                Box::new(|x| 0xABCD_0000_0000_0000 | (x >> 20)),
                Box::new(|x| 0x1234_0000_0000_0000 | ((x & 0xFF) << 24)),
                Box::new(|x| ((x & 0xF) << 60) | (x & 0xF)),
                Box::new(|x| 0x7700_0000_0000_0000 | ((x & 0x3) << 40) | (x >> 62)),
                // One huge bucket that varies in one lower digit only, beside scattered keys.
                Box::new(|x| if x % 10 < 8 { (x & 0xFF) << 8 } else { x }),
            ];
            for shape in &shapes {
                let keys: Vec<u64> = r.iter().map(|&x| shape(x)).collect();
                for threads in [1, 2, 3] {
                    check(&keys, 64, threads);
                }
            }
        }
    }

    #[test]
    fn extreme_keys() {
        let mut keys = random(100_000, 64, 5);
        for (i, k) in keys.iter_mut().enumerate().step_by(7) {
            *k = [0, u64::MAX, 1, u64::MAX - 1, 1 << 63][i % 5];
        }
        for threads in 1..=5 {
            check(&keys, 64, threads);
        }
    }

    #[test]
    fn nearly_sorted_input_is_sorted() {
        // The sortedness check must not accept this: one pair out of place across parts.
        let len = 4 * MIN_PER_THREAD;
        let mut keys: Vec<u64> = (0..len as u64).collect();
        keys.swap(len / 2 - 1, len / 2);
        for threads in 1..=5 {
            check(&keys, 64, threads);
        }
        // Each part sorted, but parts out of order.
        let keys: Vec<u64> = (0..len as u64)
            .map(|k| (k + len as u64 / 2) % len as u64)
            .collect();
        for threads in 1..=5 {
            check(&keys, 64, threads);
        }
    }

    /// Most keys in one top-digit bucket: that bucket is sorted by all threads together.
    fn skewed(len: usize, seed: u64) -> Vec<u64> {
        let mut rng = Rng(seed);
        (0..len)
            .map(|i| {
                let k = rng.next();
                if i % 10 < 8 {
                    k >> 40
                } else {
                    k
                }
            })
            .collect()
    }

    #[test]
    fn skewed_keys_with_one_huge_bucket() {
        for &len in &[PARALLEL_MIN + 1, 300_001] {
            let keys = skewed(len, 21);
            for threads in 1..=5 {
                check(&keys, 64, threads);
            }
        }
    }

    #[test]
    fn cancelled_in_a_huge_bucket_leaves_a_permutation() {
        let len = 300_000;
        let keys = skewed(len, 23);
        for threads in [1, 2, 3] {
            for stop_after in [len + 10, 2 * len + 5, 3 * len, 4 * len + 1, 6 * len] {
                let (data, _) = sort_cancelled_after(&keys, threads, stop_after);
                assert_permutation(&data, &keys, threads, stop_after);
            }
        }
    }

    #[test]
    fn bucket_longer_than_big_bucket_is_split_again() {
        // 80% of 2.7M keys share a top digit: a bucket beyond BIG_BUCKET, sorted by one
        // thread (split again) or by all (more than one thread's share).
        use std::sync::atomic::{AtomicUsize, Ordering};
        let len = BIG_BUCKET * 13 / 10 + 7;
        let keys = skewed(len, 31);
        for threads in [1, 2, 3] {
            check(&keys, 64, threads);
        }
        for stop_after in [2 * len + 3, 4 * len] {
            let mut data = keys.clone();
            let cancel = Cancel::new();
            let calls = AtomicUsize::new(0);
            let key = |&k: &u64| {
                if calls.fetch_add(1, Ordering::Relaxed) == stop_after {
                    cancel.cancel();
                }
                k
            };
            let _ = sort_by_key(&mut data, key, 64, 1, &cancel);
            let mut got = data.clone();
            got.sort_unstable();
            let mut want = keys.clone();
            want.sort_unstable();
            assert_eq!(got, want, "stop_after {stop_after}");
        }
    }

    #[test]
    fn sixteen_byte_records_with_payload() {
        // The shape the list sort uses: (key, index) with 64-bit keys.
        let keys = random(500_000, 64, 77);
        let mut data: Vec<(u64, u32)> =
            keys.iter().map(|&k| (k % 1000, (k >> 32) as u32)).collect();
        let mut expected = data.clone();
        expected.sort_by_key(|item| item.0);
        sort_by_key(&mut data, |item| item.0, 64, 2, &Cancel::new()).unwrap();
        assert_eq!(data, expected);
    }

    #[test]
    fn other_element_types() {
        let mut small: Vec<u8> = random(100_000, 8, 3).iter().map(|&k| k as u8).collect();
        let mut expected = small.clone();
        expected.sort();
        sort_by_key(&mut small, |&b| u64::from(b), 8, 3, &Cancel::new()).unwrap();
        assert_eq!(small, expected);
    }

    #[test]
    fn cancelled_before_start_leaves_data_untouched() {
        let keys = random(100_000, 64, 11);
        let mut data = keys.clone();
        let cancel = Cancel::new();
        cancel.cancel();
        let result = sort_by_key(&mut data, |&k| k, 64, 2, &cancel);
        assert!(matches!(result, Err(Error::Cancelled)));
        assert_eq!(data, keys);
    }

    #[test]
    fn cancelled_midway_leaves_a_permutation() {
        // Cancel from inside the key function after a varying amount of work: in the
        // histogram, in a count phase or in the middle of a scatter.
        let len = 300_000;
        let keys = random(len, 64, 13);
        for threads in [1, 2, 3] {
            for stop_after in [10, len / 2, 3 * len, 5 * len + 17, 12 * len] {
                let (data, result) = sort_cancelled_after(&keys, threads, stop_after);
                assert_permutation(&data, &keys, threads, stop_after);
                if result.is_ok() {
                    assert!(data.windows(2).all(|w| w[0] <= w[1]));
                } else {
                    assert!(matches!(result, Err(Error::Cancelled)));
                }
            }
        }
    }

    /// Sorts a copy of `keys` on `threads` threads, raising the cancel flag from inside the
    /// key function on its `stop_after`-th call.
    fn sort_cancelled_after(
        keys: &[u64],
        threads: usize,
        stop_after: usize,
    ) -> (Vec<u64>, Result<(), Error>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mut data = keys.to_vec();
        let cancel = Cancel::new();
        let calls = AtomicUsize::new(0);
        let key = |&k: &u64| {
            if calls.fetch_add(1, Ordering::Relaxed) == stop_after {
                cancel.cancel();
            }
            k
        };
        let result = sort_by_key(&mut data, key, 64, threads, &cancel);
        (data, result)
    }

    /// Whatever happened, `data` must hold exactly the values of `keys`.
    fn assert_permutation(data: &[u64], keys: &[u64], threads: usize, stop_after: usize) {
        let mut got = data.to_vec();
        got.sort_unstable();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "threads {threads} stop_after {stop_after}");
    }

    /// A key that returns random values must not crash, panic or write out of bounds, on
    /// every path (small, MSD, LSD, split, parallel, huge bucket); the result then holds only
    /// values of the input.
    #[test]
    fn non_deterministic_key_is_memory_safe() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let state = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
        let random_key = |&(k, _): &(u64, u32)| {
            let mut x = state.load(Ordering::Relaxed);
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            state.store(x, Ordering::Relaxed);
            // Mostly the true key, sometimes a random one: keeps the sort going deep.
            if x % 7 == 0 {
                x.wrapping_mul(0x2545_f491_4f6c_dd1d)
            } else {
                k
            }
        };
        for (i, &len) in LENGTHS.iter().chain(&[BIG_BUCKET + 5]).enumerate() {
            let keys = if len > BIG_BUCKET {
                skewed(len, 41)
            } else {
                random(len, 64, i as u64 + 3)
            };
            let original: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect();
            let mut valid: Vec<(u64, u32)> = original.clone();
            valid.sort_unstable();
            for threads in [1, 2, 3] {
                for bits in [64, 16] {
                    let mut data = original.clone();
                    let result = sort_by_key(&mut data, random_key, bits, threads, &Cancel::new());
                    assert!(result.is_ok());
                    assert_eq!(data.len(), len);
                    assert!(
                        data.iter().all(|item| valid.binary_search(item).is_ok()),
                        "a value that was never in the input, len {len} threads {threads}"
                    );
                }
            }
        }
    }
}
