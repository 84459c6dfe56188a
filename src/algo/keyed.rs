//! Stable ordering of records by a `u64` key, the core of sorting a list by its keys.
//!
//! The caller turns every key into a `u64` whose unsigned order is the key order (see
//! [`int_key`] and [`float_key`]); [`sort_by_words`] arranges the items by those keys stably
//! ascending, or stably *descending* (equal keys keep their original order, which is what
//! `sorted(..., reverse=True)` does). [`Order`] and [`arrange`] serve callers that compute an
//! order first (see `text`). Nothing here writes to the caller's items before the whole
//! arrangement is ready (see [`Arranged`]), and every buffer that grows with the input is
//! allocated fallibly ([`Error::NoMemory`]).

use std::mem::MaybeUninit;
use std::sync::Mutex;

use super::fault::{self, Phase};
use super::parallel;
use super::phases;
use super::radix;
use super::{Cancel, Error};

/// How to rearrange `n` items so that their keys are in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Already in order: nothing to do.
    Identity,
    /// In the opposite order with no two keys equal: reversing is the (unique) stable result.
    Reversed,
    /// `perm[i]` is the original index of the item that belongs at position `i`.
    Permutation(Vec<u32>),
}

/// The key of an `i64` whose unsigned order is the signed order: flip the sign bit.
pub fn int_key(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

/// The key of a non-NaN `f64` whose unsigned order is the float order, with `-0.0` and `0.0`
/// equal (they compare equal in Python, so a stable sort keeps them in input order).
/// Returns `None` for NaN, which has no place in a total order.
pub fn float_key(value: f64) -> Option<u64> {
    if value.is_nan() {
        return None;
    }
    // `-0.0 == 0.0`, so this maps -0.0 to +0.0's bits.
    let value = if value == 0.0 { 0.0 } else { value };
    let bits = value.to_bits();
    // Negative floats: larger magnitude means smaller, so invert every bit; positive ones:
    // set the sign bit so that they sort above every negative one.
    Some(if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    })
}

/// Largest number of items [`order`] accepts: indices are stored in 32 bits.
pub const MAX_LEN: usize = u32::MAX as usize;

/// A sorted arrangement of items, computed without touching them: [`Arranged::commit`]
/// writes it over the items in one step that cannot stop half way.
///
/// This is what keeps a list whole whatever fails: the kernels read the caller's items and
/// write only into memory they own, so a panic, an allocation failure or a cancellation
/// anywhere before the commit leaves the items exactly as they were, and the commit itself is
/// a copy of a complete permutation (or an in-place reverse), which has no way to fail.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "an arrangement does nothing until it is committed"]
pub enum Arranged<T> {
    /// Already in order: nothing to write.
    Same,
    /// Reversing is the order.
    Reversed,
    /// The items in their new order.
    Items(Vec<T>),
    /// (key, item) records in their new order: the items are their second fields.
    Records(Vec<(u64, T)>),
}

impl<T: Copy> Arranged<T> {
    /// Writes the arrangement over `items` (the ones it was computed from).
    ///
    /// # Panics
    /// If the lengths differ, before anything is written.
    pub fn commit(self, items: &mut [T]) {
        match self {
            Arranged::Same => {}
            Arranged::Reversed => items.reverse(),
            Arranged::Items(sorted) => items.copy_from_slice(&sorted),
            Arranged::Records(records) => {
                assert_eq!(records.len(), items.len(), "one record per item");
                for (slot, record) in items.iter_mut().zip(&records) {
                    *slot = record.1;
                }
            }
        }
    }
}

impl<T: Copy + Send + Sync> Arranged<T> {
    /// [`Arranged::commit`] with the copy shared among `threads` threads (the caller's
    /// `items` are written in disjoint chunks, each by one thread, and nothing else reads or
    /// writes them meanwhile). Like `commit`, it has no way to fail or stop half way: it polls
    /// no cancellation flag, so once begun it always leaves `items` a whole permutation.
    ///
    /// # Panics
    /// If the lengths differ, before anything is written.
    pub fn commit_on_threads(self, items: &mut [T], threads: usize) {
        match self {
            Arranged::Items(sorted) => {
                assert_eq!(sorted.len(), items.len(), "one item per item");
                parallel::zip_chunks(items, &sorted, threads, |out, sorted, _| {
                    out.copy_from_slice(sorted);
                });
            }
            Arranged::Records(records) => {
                assert_eq!(records.len(), items.len(), "one record per item");
                parallel::zip_chunks(items, &records, threads, |out, records, _| {
                    for (slot, record) in out.iter_mut().zip(records) {
                        *slot = record.1;
                    }
                });
            }
            // Nothing, or an in-place reverse (only for strictly descending input: rare).
            other => other.commit(items),
        }
    }
}

/// `[f(x, i) for i, x in enumerate(input)]` into a new vector, written in parallel chunks:
/// the fresh vector's pages are first touched (and faulted in) by the thread that writes
/// them, so that cost is shared among the threads too, not paid by one thread up front.
fn map_on_threads<T, B, F>(input: &[B], threads: usize, what: &str, f: F) -> Result<Vec<T>, Error>
where
    T: Send,
    B: Sync,
    F: Fn(&B, usize) -> T + Sync,
{
    let mut out = super::try_with_capacity::<T>(input.len(), what)?;
    let spare = &mut out.spare_capacity_mut()[..input.len()];
    parallel::zip_chunks(spare, input, threads, |out, input, offset| {
        for (i, (slot, x)) in out.iter_mut().zip(input).enumerate() {
            *slot = MaybeUninit::new(f(x, offset + i));
        }
    });
    // SAFETY: `zip_chunks` hands every element of `spare` (as long as `input`) to exactly one
    // call, which wrote it above; a panic there propagates before this line, leaving the
    // vector empty.
    unsafe { out.set_len(input.len()) };
    Ok(out)
}

/// A vector of `len` copies of `value`, or [`Error::NoMemory`].
fn filled<T: Copy>(len: usize, value: T, what: &str) -> Result<Vec<T>, Error> {
    let mut vec = super::try_with_capacity(len, what)?;
    vec.resize(len, value); // within the capacity: no allocation
    Ok(vec)
}

/// The arrangement of `items` by `keys` (one key per item), stable: ascending, or descending
/// with equal keys still in input order. Runs on up to `threads` threads; polls `cancel`
/// between passes. `items` is only read (see [`Arranged`]).
///
/// # Panics
/// If the lengths differ or exceed [`MAX_LEN`]; callers check first.
pub fn sort_by_words<T: Copy + Send + Sync>(
    keys: &[u64],
    items: &[T],
    descending: bool,
    threads: usize,
    cancel: &Cancel,
) -> Result<Arranged<T>, Error> {
    assert_eq!(keys.len(), items.len(), "one key per item");
    assert!(keys.len() <= MAX_LEN, "too many keys for 32-bit indices");
    // Sorting `!key` ascending stably is sorting `key` descending stably.
    let flip = if descending { u64::MAX } else { 0 };
    let Some(shape) = Shape::on_threads(keys, flip, threads) else {
        return Ok(Arranged::Same);
    };
    if shape.non_decreasing {
        return Ok(Arranged::Same);
    }
    if shape.strictly_decreasing {
        // No two keys are equal, so reversing is the one stable order.
        return Ok(Arranged::Reversed);
    }
    phases::mark("shape");
    cancel.check()?;
    let n = keys.len();
    // Only the bits that vary between the smallest and largest key need sorting: small ints
    // (0..1000, say) then take two radix passes instead of eight.
    let key_bits = bits_for(shape.max - shape.min);
    let index_bits = bits_for(n as u64 - 1);
    let arranged = if key_bits + index_bits <= 64 {
        // Key and index packed in one word: half the memory traffic of a (key, item) pair,
        // and every word is distinct, so stability comes for free. The items are then
        // gathered by index.
        let mut packed = map_on_threads(keys, threads, "the packed keys", |&k, i| {
            (((k ^ flip) - shape.min) << index_bits) | i as u64
        })?;
        phases::mark("pack");
        let bits = key_bits + index_bits;
        let mask = (1u64 << index_bits) - 1; // index_bits <= 32 (n <= MAX_LEN)
        let index = |w: u64| (w & mask) as usize;
        // Up to radix::SMALL words the radix sort would use a stable sort with an index
        // buffer of its own (sort_by_cached_key); distinct words need neither: 200 ints in
        // 0..200, shuffled, went from 1.4x to 2.3x of sorted()'s speed.
        if n <= COMPARE_MAX && (bits > 2 * MSD_BITS || n <= radix::SMALL) {
            // Distinct words: the unstable sort is stable here.
            packed.sort_unstable();
            Arranged::Items(gather_by(items, &packed, |&w| index(w), threads)?)
        } else if n >= MSD_MIN && bits > 2 * MSD_BITS {
            // `()` items (zero-sized: `units` allocates nothing): the records are the words.
            let units = vec![(); n];
            let records = msd_then_lsd(&packed, &units, |w| w, bits, threads, cancel)?;
            drop(packed);
            phases::mark("msd_lsd");
            Arranged::Items(gather_by(items, &records, |r| index(r.0), threads)?)
        } else {
            radix::sort_by_key(&mut packed, |&w| w, bits, threads, cancel)?;
            phases::mark("radix");
            Arranged::Items(gather_by(items, &packed, |&w| index(w), threads)?)
        }
    } else {
        // Full-width keys: sort (key, item) records, so the items come out in order with no
        // random gather afterwards; the radix sort is stable, so no index is needed.
        let keys_of = |k: u64| (k ^ flip) - shape.min;
        if n <= COMPARE_MAX {
            // (key, index) pairs are distinct: the unstable sort is stable here.
            let mut pairs = map_on_threads(keys, threads, "the sort's records", |&k, i| {
                (keys_of(k), i as u32)
            })?;
            pairs.sort_unstable();
            Arranged::Items(gather_by(items, &pairs, |p| p.1 as usize, threads)?)
        } else {
            Arranged::Records(if n >= MSD_MIN && key_bits > 2 * MSD_BITS {
                msd_then_lsd(keys, items, keys_of, key_bits, threads, cancel)?
            } else {
                let mut records = map_on_threads(keys, threads, "the sort's records", |&k, i| {
                    (keys_of(k), items[i])
                })?;
                radix::sort_by_key(&mut records, |r| r.0, key_bits, threads, cancel)?;
                records
            })
        }
    };
    phases::mark("sorted");
    fault::hit(Phase::Write)?;
    Ok(arranged)
}

/// `[items[index(w)] for w in words]`, in parallel chunks, into a new vector. An index out
/// of range panics (a bug), leaving `items` untouched.
fn gather_by<T, W, I>(items: &[T], words: &[W], index: I, threads: usize) -> Result<Vec<T>, Error>
where
    T: Copy + Send + Sync,
    W: Sync,
    I: Fn(&W) -> usize + Sync,
{
    map_on_threads(words, threads, "the sorted items", |w, _| items[index(w)])
}

/// Up to this many keys, when more than two radix passes would be needed, a comparison sort
/// (pdqsort, in place) of distinct words is faster: every radix pass pays its 256 buckets
/// whatever the number of keys. `sorted()` time / `sort.sorted` time, radix -> pdqsort
/// (benches/short_lists.py's kinds, 2026-11-25): 500 floats from -10 to 175 0.89 -> 1.66,
/// 256 floats in [0, 1) 1.33 -> 2.19, 500 random 63-bit ints 2.17 -> 3.69; at 2,000 keys
/// the radix sort was faster again (63-bit ints 6.17 against 4.71).
const COMPARE_MAX: usize = 1024;

/// From this many records on, wide keys are first split by their top bits (see
/// [`msd_then_lsd`]).
pub(crate) const MSD_MIN: usize = 1 << 16;
/// Bits of the first, most significant, split: 256 buckets.
const MSD_BITS: u32 = 8;

/// Builds the (key, item) records already split into 256 buckets by the top 8 of `key_bits`
/// (a stable counting scatter, fused with building the records), then sorts every bucket by
/// the remaining bits, the buckets shared out among `threads` threads.
///
/// Why: an LSD radix sort of wide keys makes eight passes over the whole array, each one
/// streaming it through memory. After one split, a bucket (n/256 records) fits in the CPU's
/// L2 cache, so its remaining passes run from cache; and buckets are independent, so threads
/// need no coordination beyond taking the next bucket.
pub(crate) fn msd_then_lsd<T, F>(
    keys: &[u64],
    items: &[T],
    key_of: F,
    key_bits: u32,
    threads: usize,
    cancel: &Cancel,
) -> Result<Vec<(u64, T)>, Error>
where
    T: Copy + Send + Sync,
    F: Fn(u64) -> u64 + Sync,
{
    let shift = key_bits - MSD_BITS;
    let low_mask = (1u64 << shift) - 1;
    let digit = |k: u64| (k >> shift) as usize;
    // Count each part's digits, then give part `p` the slots of digit `d` that follow those of
    // all smaller digits and of digit `d` in parts before `p`: the parts then write disjoint
    // slots, and equal digits keep their input order (a stable scatter).
    let parts = threads.clamp(1, keys.len() / MSD_MIN + 1);
    let ranges: Vec<std::ops::Range<usize>> = parallel::split(keys.len(), parts).collect();
    let counts: Vec<Mutex<[usize; 1 << MSD_BITS]>> = ranges
        .iter()
        .map(|_| Mutex::new([0; 1 << MSD_BITS]))
        .collect();
    parallel::run_parts(parts, |p| {
        let mut local = [0usize; 1 << MSD_BITS];
        for &k in &keys[ranges[p].clone()] {
            local[digit(key_of(k))] += 1;
        }
        *counts[p].lock().unwrap_or_else(|e| e.into_inner()) = local;
    });
    let counts: Vec<[usize; 1 << MSD_BITS]> = counts
        .into_iter()
        .map(|c| c.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    let mut starts = [0usize; (1 << MSD_BITS) + 1];
    let mut offsets = vec![[0usize; 1 << MSD_BITS]; parts];
    let mut at = 0;
    for d in 0..1 << MSD_BITS {
        starts[d] = at;
        for p in 0..parts {
            offsets[p][d] = at;
            at += counts[p][d];
        }
    }
    starts[1 << MSD_BITS] = at;
    phases::mark("msd_count");
    // Not initialised up front: the scatter below writes every record exactly once, so the
    // fresh pages are faulted in by the threads that scatter, not by this one beforehand.
    let mut records = super::try_with_capacity::<(u64, T)>(keys.len(), "the sort's records")?;
    let out = SendPtr(records.as_mut_ptr());
    parallel::run_parts(parts, |p| {
        let out = out.get();
        let mut next = offsets[p];
        let range = ranges[p].clone();
        for (&k, &item) in keys[range.clone()].iter().zip(&items[range]) {
            let k = key_of(k);
            let slot = &mut next[digit(k)];
            // A bug, never an out-of-bounds write: `keys` is ours and `key_of` pure, so the
            // counts above match this pass, but the bound is checked anyway (one compare per
            // record, next to a random write).
            assert!(*slot < keys.len(), "scatter out of range");
            // SAFETY: `*slot` < the capacity (checked), and the slots of part `p` for each
            // digit are its own (see above): no two threads write the same record, and nobody
            // reads `records` until every part has finished.
            unsafe { out.add(*slot).write((k, item)) };
            *slot += 1;
        }
    });
    // SAFETY: the parts wrote slots `offsets[p][d] .. offsets[p][d] + counts[p][d]` for every
    // part and digit: together every slot of `0..keys.len()` exactly once (see `offsets`).
    unsafe { records.set_len(keys.len()) };
    phases::mark("msd_scatter");
    cancel.check()?;
    // Hand out buckets largest first, so that no thread is left with a big one at the end.
    let mut buckets = Vec::with_capacity(1 << MSD_BITS);
    let mut rest: &mut [(u64, T)] = &mut records;
    for d in 0..1 << MSD_BITS {
        let (bucket, tail) = rest.split_at_mut(starts[d + 1] - starts[d]);
        if bucket.len() > 1 {
            buckets.push(bucket);
        }
        rest = tail;
    }
    buckets.sort_by_key(|b| std::cmp::Reverse(b.len()));
    buckets.reverse(); // popped from the end: largest first
    let queue = Mutex::new(buckets);
    let failed = Mutex::new(None);
    parallel::run_parts(threads.clamp(1, 1 << MSD_BITS), |_| loop {
        let bucket = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let Some(bucket) = bucket else { break };
        if let Err(err) = radix::sort_by_key(bucket, |r| r.0 & low_mask, shift, 1, cancel) {
            *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(err);
            break;
        }
    });
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(err) => Err(err),
        None => Ok(records),
    }
}

/// A pointer to records that scoped threads write at disjoint indices.
struct SendPtr<T>(*mut T);

impl<T> SendPtr<T> {
    /// Through a method, so closures capture the `Sync` wrapper, not the raw field.
    fn get(&self) -> *mut T {
        self.0
    }
}

// SAFETY: only used by `msd_then_lsd`, whose threads write disjoint elements; `T: Send`.
unsafe impl<T: Send> Sync for SendPtr<T> {}

/// Number of bits needed to write `value` (0 for 0).
fn bits_for(value: u64) -> u32 {
    64 - value.leading_zeros()
}

/// What one pass over the (flipped) keys tells us.
struct Shape {
    non_decreasing: bool,
    strictly_decreasing: bool,
    min: u64,
    max: u64,
}

impl Shape {
    /// `None` for an empty slice.
    fn of(keys: &[u64], flip: u64) -> Option<Shape> {
        let first = *keys.first()? ^ flip;
        let mut shape = Shape {
            non_decreasing: true,
            strictly_decreasing: true,
            min: first,
            max: first,
        };
        let mut prev = first;
        for &k in &keys[1..] {
            let k = k ^ flip;
            shape.non_decreasing &= prev <= k;
            shape.strictly_decreasing &= prev > k;
            shape.min = shape.min.min(k);
            shape.max = shape.max.max(k);
            prev = k;
        }
        Some(shape)
    }

    /// [`Shape::of`] with the pass shared among `threads` threads (one contiguous part each,
    /// joined by comparing the pairs across the part boundaries).
    fn on_threads(keys: &[u64], flip: u64, threads: usize) -> Option<Shape> {
        // Below this a thread start costs more than the pass (~1 ns per key).
        const MIN_PER_THREAD: usize = 1 << 16;
        let parts = threads.clamp(1, (keys.len() / MIN_PER_THREAD).max(1));
        if parts == 1 {
            return Shape::of(keys, flip);
        }
        let ranges: Vec<std::ops::Range<usize>> = parallel::split(keys.len(), parts).collect();
        let shapes: Vec<Mutex<Option<Shape>>> = ranges.iter().map(|_| Mutex::new(None)).collect();
        parallel::run_parts(parts, |p| {
            let shape = Shape::of(&keys[ranges[p].clone()], flip);
            *shapes[p].lock().unwrap_or_else(|e| e.into_inner()) = shape;
        });
        let mut whole: Option<Shape> = None;
        for (range, shape) in ranges.iter().zip(shapes) {
            let Some(part) = shape.into_inner().unwrap_or_else(|e| e.into_inner()) else {
                continue; // an empty part
            };
            whole = Some(match whole {
                None => part,
                Some(w) => {
                    let (before, first) = (keys[range.start - 1] ^ flip, keys[range.start] ^ flip);
                    Shape {
                        non_decreasing: w.non_decreasing && part.non_decreasing && before <= first,
                        strictly_decreasing: w.strictly_decreasing
                            && part.strictly_decreasing
                            && before > first,
                        min: w.min.min(part.min),
                        max: w.max.max(part.max),
                    }
                }
            });
        }
        whole
    }
}

/// The arrangement of `items` by `order` (see [`Order`]), which must have come from keys of
/// `items.len()` items. A permutation is checked to use each index exactly once before it is
/// used (else this panics: a bug, with `items` untouched), then gathered in parallel chunks.
pub fn arrange<T: Copy + Send + Sync>(
    order: &Order,
    items: &[T],
    threads: usize,
) -> Result<Arranged<T>, Error> {
    let arranged = match order {
        Order::Identity => Arranged::Same,
        Order::Reversed => Arranged::Reversed,
        Order::Permutation(perm) => {
            assert_eq!(perm.len(), items.len(), "permutation of the wrong length");
            check_permutation(perm)?;
            phases::mark("check_perm");
            Arranged::Items(gather_by(items, perm, |&i| i as usize, threads)?)
        }
    };
    fault::hit(Phase::Write)?;
    Ok(arranged)
}

/// Panics unless `perm` holds each of `0..perm.len()` exactly once; one bit per index.
fn check_permutation(perm: &[u32]) -> Result<(), Error> {
    let mut seen = filled(perm.len().div_ceil(64), 0u64, "the permutation check")?;
    for &i in perm {
        let (word, bit) = (i as usize / 64, 1u64 << (i % 64));
        let slot = seen.get_mut(word).filter(|w| **w & bit == 0);
        let slot = slot.expect("not a permutation: an index out of range or used twice");
        *slot |= bit;
    }
    // Every index is in range and none repeats, so, being `len` of them, each is used once.
    Ok(())
}

/// Rearranges `items` by `order` in place ([`arrange`], then [`Arranged::commit`]).
///
/// # Panics
/// If there is no memory for the rearranged copy; for tests and callers that cannot fail.
pub fn apply<T: Copy + Send + Sync>(order: &Order, items: &mut [T], threads: usize) {
    arrange(order, items, threads)
        .expect("memory for the rearranged items")
        .commit(items);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: std's stable sort of (key, index) pairs.
    fn reference(keys: &[u64], descending: bool) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..keys.len()).collect();
        if descending {
            idx.sort_by(|&a, &b| keys[b].cmp(&keys[a]));
        } else {
            idx.sort_by_key(|&i| keys[i]);
        }
        idx
    }

    fn sorted(keys: &[u64], descending: bool, threads: usize) -> Vec<usize> {
        let mut items: Vec<usize> = (0..keys.len()).collect();
        sort_by_words(keys, &items, descending, threads, &Cancel::new())
            .unwrap()
            .commit(&mut items);
        items
    }

    fn check(keys: &[u64]) {
        for descending in [false, true] {
            for threads in [1, 2, 3] {
                assert_eq!(
                    sorted(keys, descending, threads),
                    reference(keys, descending),
                    "descending={descending} threads={threads}"
                );
            }
        }
    }

    /// A small deterministic generator, so the tests need no crate.
    fn lcg(seed: u64, n: usize) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                x ^ (x >> 29)
            })
            .collect()
    }

    #[test]
    fn int_and_float_keys_preserve_order() {
        let ints = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        assert!(ints.windows(2).all(|w| int_key(w[0]) < int_key(w[1])));
        let floats = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -1e-300,
            0.0,
            1e-300,
            2.5,
            f64::INFINITY,
        ];
        let keys: Vec<u64> = floats.iter().map(|&f| float_key(f).unwrap()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(float_key(-0.0), float_key(0.0));
        assert_eq!(float_key(f64::NAN), None);
    }

    #[test]
    fn empty_single_sorted_and_reversed_inputs() {
        assert_eq!(sorted(&[], false, 2), Vec::<usize>::new());
        assert_eq!(sorted(&[5], true, 2), vec![0]);
        assert_eq!(sorted(&[1, 2, 2, 3], false, 1), vec![0, 1, 2, 3]);
        assert_eq!(sorted(&[3, 2, 1], false, 1), vec![2, 1, 0]);
        // With ties, reversing would break stability.
        assert_eq!(sorted(&[3, 2, 2, 1], false, 1), vec![3, 1, 2, 0]);
        assert_eq!(sorted(&[3, 2, 2, 1], true, 1), vec![0, 1, 2, 3]);
        assert_eq!(sorted(&[1, 2, 3], true, 1), vec![2, 1, 0]);
        check(&[3, 2, 2, 1]);
    }

    #[test]
    fn apply_follows_each_order() {
        let mut items = vec![10, 20, 30];
        apply(&Order::Reversed, &mut items, 1);
        assert_eq!(items, vec![30, 20, 10]);
        apply(&Order::Permutation(vec![1, 2, 0]), &mut items, 2);
        assert_eq!(items, vec![20, 10, 30]);
        apply(&Order::Identity, &mut items, 2);
        assert_eq!(items, vec![20, 10, 30]);
    }

    #[test]
    fn stable_in_both_directions_with_many_ties() {
        let keys: Vec<u64> = lcg(1, 5000).iter().map(|x| x % 7).collect();
        check(&keys);
    }

    #[test]
    fn full_range_keys_use_records() {
        // 64 significant bits: the packed form is impossible.
        let mut keys = lcg(2, 3000);
        keys.push(0);
        keys.push(u64::MAX);
        check(&keys);
    }

    #[test]
    fn short_inputs_sorted_by_comparison_stay_stable() {
        // Up to COMPARE_MAX keys of many bits: pdqsort of packed words (key bits + index
        // bits <= 64) or of (key, index) pairs (full-width keys), both with many ties.
        for n in [2, 3, 17, 500, COMPARE_MAX] {
            let packed: Vec<u64> = lcg(7, n).iter().map(|x| (x % 9) << 40).collect();
            check(&packed);
            let mut wide: Vec<u64> = lcg(8, n).iter().map(|x| (x % 5) << 61 | 3).collect();
            wide[0] = u64::MAX;
            wide[n - 1] = 0;
            check(&wide);
        }
    }

    #[test]
    fn large_wide_keys_split_by_top_bits_stay_stable() {
        // Wide (span > 2^47) and large: the MSD split path, with many equal keys.
        let keys: Vec<u64> = lcg(5, 100_000)
            .iter()
            .map(|x| ((x % 50) << 57) | (x >> 62))
            .collect();
        check(&keys);
        let mut unique = lcg(6, 70_000);
        unique.push(u64::MAX);
        check(&unique);
    }

    #[test]
    fn large_input_gathers_in_parallel() {
        let keys: Vec<u64> = lcg(3, 100_000).iter().map(|x| x >> 40).collect();
        check(&keys);
    }

    #[test]
    fn cancelled_sort_reports_it_and_leaves_items() {
        let cancel = Cancel::new();
        cancel.cancel();
        let items = [0, 1, 2];
        let result = sort_by_words(&[2, 1, 3], &items, false, 1, &cancel);
        assert!(matches!(result, Err(Error::Cancelled)));
    }

    #[test]
    fn shape_on_threads_agrees_with_one_thread() {
        let n = 300_000;
        let up: Vec<u64> = (0..n as u64).collect();
        let down: Vec<u64> = up.iter().rev().copied().collect();
        let mut dip = up.clone();
        dip.swap(150_000, 150_001); // out of order at a part boundary (2 parts)
        let mut tie = down.clone();
        tie[150_000] = tie[149_999]; // a tie at that boundary: not strictly decreasing
        let random = lcg(7, n);
        for keys in [&up, &down, &dip, &tie, &random] {
            for flip in [0, u64::MAX] {
                let one = Shape::of(keys, flip).unwrap();
                for threads in [2, 3] {
                    let many = Shape::on_threads(keys, flip, threads).unwrap();
                    assert_eq!(one.non_decreasing, many.non_decreasing);
                    assert_eq!(one.strictly_decreasing, many.strictly_decreasing);
                    assert_eq!((one.min, one.max), (many.min, many.max));
                }
            }
        }
        assert!(Shape::on_threads(&[], 0, 2).is_none());
    }

    #[test]
    fn commit_on_threads_writes_what_commit_writes() {
        let n = 200_000;
        let items: Vec<u64> = lcg(8, n);
        let keys: Vec<u64> = items.iter().map(|x| x >> 3).collect();
        for threads in [1, 2, 3] {
            let one = sort_by_words(&keys, &items, false, threads, &Cancel::new()).unwrap();
            let many = sort_by_words(&keys, &items, false, threads, &Cancel::new()).unwrap();
            let (mut a, mut b) = (items.clone(), items.clone());
            one.commit(&mut a);
            many.commit_on_threads(&mut b, threads);
            assert_eq!(a, b);
        }
        let mut small = vec![3, 1, 2];
        Arranged::Items(vec![1, 2, 3]).commit_on_threads(&mut small, 2);
        assert_eq!(small, vec![1, 2, 3]);
        Arranged::Reversed.commit_on_threads(&mut small, 2);
        assert_eq!(small, vec![3, 2, 1]);
    }

    #[test]
    fn only_a_permutation_is_applied() {
        let items = [10, 20, 30];
        for bad in [vec![0, 0, 1], vec![0, 1, 3]] {
            let result = std::panic::catch_unwind(|| arrange(&Order::Permutation(bad), &items, 1));
            assert!(result.is_err());
        }
        let good = arrange(&Order::Permutation(vec![2, 0, 1]), &items, 1).unwrap();
        assert_eq!(good, Arranged::Items(vec![30, 10, 20]));
    }

    /// Timings of the native phase with 1 and 2 threads; no assertions on time.
    /// `cargo test --release -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn timing_threads() {
        use std::time::Instant;
        for n in [1_000_000usize, 10_000_000] {
            let keys = lcg(4, n);
            let items: Vec<usize> = (0..n).collect();
            for threads in [1, 2] {
                let mut best = f64::INFINITY;
                for _ in 0..5 {
                    let mut out = items.clone();
                    let start = Instant::now();
                    sort_by_words(&keys, &items, false, threads, &Cancel::new())
                        .unwrap()
                        .commit(&mut out);
                    best = best.min(start.elapsed().as_secs_f64());
                }
                println!("keyed n={n} threads={threads}: best {:.1} ms", best * 1e3);
            }
        }
    }
}
