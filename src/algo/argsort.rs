//! The stable permutation that sorts a slice of machine numbers (an *argsort*).
//!
//! Records (an order-preserving key from [`Number`], and the element's index) are built in
//! memory this module owns and radix-sorted by key ([`radix::sort_by_key`], stable and
//! parallel); their indices are written out widened to `i64`. Every index in a record comes
//! from a position, never from the caller's memory, so the result is a permutation of `0..n`
//! even if that memory changes meanwhile (elements may be read more than once: for the range of
//! the keys, for the records, for the full keys of runs that tie; a value that changed between
//! two reads only makes the order wrong).
//!
//! Record shapes, smallest that fits (the sort's cost is mostly moving records through memory):
//! - keys of up to 32 bits: key and `u32` index in one `u64` (8 bytes);
//! - 64-bit keys whose *range* (largest minus smallest) and index fit together in 64 bits
//!   (ints in a narrow range, timestamps of one period): packed in one `u64` too;
//! - other 64-bit keys: the top bits of the key above the index in one `u64`, the runs that
//!   tie on those bits then ordered by their full keys; if many tie, the key and a `u32` index
//!   packed into 12 bytes ([`Wide`]);
//! - more than `u32::MAX` elements: the key and a `u64` index (16 bytes).
//!
//! The order is numpy's `argsort(kind="stable")`: ascending, equal keys in input order, floats
//! by value with `-0.0 == 0.0` and NaNs last; descending keeps equal keys in input order and
//! NaNs still last ([`Number::key_descending`]).

use std::sync::Mutex;

use super::numeric::Number;
use super::parallel;
use super::radix;
use super::{try_with_capacity, Cancel, Error};

/// A 64-bit key and a 32-bit index in 12 bytes: a quarter less memory traffic per radix pass
/// than the 16 bytes of an aligned `(u64, u32)`. Fields are only ever copied out (packed fields
/// cannot be borrowed), which x86 and ARM do at no cost for 4-byte-aligned `u64`s.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Wide {
    key: u64,
    index: u32,
}

/// Writes into `out` the stable permutation that sorts `data`: `out[i]` is the index in `data`
/// of the element that belongs at position `i` (ascending, or descending if `descending`; see
/// the module documentation for the order). Runs on up to `threads` threads.
///
/// `Err(Cancelled)` if `cancel` is raised first, `Err(NoMemory)` if the records cannot be
/// allocated; `out` then holds unspecified indices.
///
/// # Panics
/// If `out.len() != data.len()`; callers check first.
pub fn argsort<T: Number>(
    data: &[T],
    descending: bool,
    out: &mut [i64],
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error> {
    assert_eq!(data.len(), out.len(), "one output slot per element");
    let key = |x: T| {
        if descending {
            x.key_descending()
        } else {
            x.key()
        }
    };
    let n = data.len();
    if n == 0 {
        return Ok(());
    }
    if n > u32::MAX as usize {
        return huge(data, key, out, threads, cancel);
    }
    if T::BITS <= 32 {
        // Key above index: sorting by the high half keeps equal keys in index order (the sort
        // is stable and the records start in index order).
        let mut words = records(data, threads, |x, i| (key(x) << 32) | i as u64)?;
        radix::sort_by_key(&mut words, |&w| w >> 32, T::BITS, threads, cancel)?;
        write_indices(&words, out, threads, |&w| w as u32 as i64);
        return Ok(());
    }
    // One read-only pass for the range of the keys, then the records are built straight from
    // the data: no 12-byte intermediate records. Keys are clamped into the range when the
    // records are made, so memory that changes between the two reads gives a wrong order
    // at worst, never a record whose key spills into its index bits: the indices stay exactly
    // `0..n`, and the result a permutation.
    let (min, max) = key_range(data, &key, threads, cancel)?;
    let key_bits = bits_for(max - min);
    let index_bits = bits_for(n as u64 - 1);
    let mask = (1u64 << index_bits) - 1; // index_bits <= 32
    if key_bits + index_bits <= 64 {
        // Narrow keys: (key - min) above the index in one word; every word is distinct, so
        // sorting whole words is the stable order.
        let mut words = records(data, threads, |x, i| {
            ((key(x).max(min).min(max) - min) << index_bits) | i as u64
        })?;
        cancel.check()?;
        radix::sort_by_key(&mut words, |&w| w, key_bits + index_bits, threads, cancel)?;
        write_indices(&words, out, threads, |&w| (w & mask) as i64);
        return Ok(());
    }
    // Wide keys: first sort 8-byte words holding the top `64 - index_bits` bits of the key
    // above the index, then put in order the few runs whose top bits tie, by their full keys.
    // Random keys and floats rarely tie on 40-odd top bits; when many do, sort 12-byte
    // records of the full keys instead.
    let shift = key_bits + index_bits - 64; // in 1..=index_bits
    let mut words = records(data, threads, |x, i| {
        (((key(x).max(min).min(max) - min) >> shift) << index_bits) | i as u64
    })?;
    cancel.check()?;
    radix::sort_by_key(&mut words, |&w| w, 64, threads, cancel)?;
    if order_ties(&mut words, data, &key, index_bits, cancel)? {
        write_indices(&words, out, threads, |&w| (w & mask) as i64);
        return Ok(());
    }
    drop(words);
    let mut wide = records(data, threads, |x, i| Wide {
        key: key(x),
        index: i as u32,
    })?;
    cancel.check()?;
    radix::sort_by_key(&mut wide, |r| r.key, 64, threads, cancel)?;
    write_indices(&wide, out, threads, |r| r.index as i64);
    Ok(())
}

/// `words` are sorted (top key bits above an index into `data`, in index order where the top
/// bits tie); puts every run of equal top bits in the order of the full keys, stably (a run
/// is in index order, so equal keys stay in index order). Each run's keys are read once from
/// `data` into a buffer of our own and sorted there, so memory that changes meanwhile cannot
/// make the order inconsistent: the run stays a permutation of its words.
/// Returns `false`, leaving `words` alone, if more than a quarter of the words are in such
/// runs: then sorting by the full keys from the start is faster than sorting the runs.
fn order_ties<T: Number>(
    words: &mut [u64],
    data: &[T],
    key: &impl Fn(T) -> u64,
    index_bits: u32,
    cancel: &Cancel,
) -> Result<bool, Error> {
    let n = words.len();
    let mask = (1u64 << index_bits) - 1;
    let mut tied = Vec::new();
    let mut in_runs = 0;
    let mut start = 0;
    for i in 1..=n {
        if i == n || words[i] >> index_bits != words[start] >> index_bits {
            if i - start > 1 {
                tied.push((start, i));
                in_runs += i - start;
                if in_runs > n / 4 {
                    return Ok(false);
                }
            }
            start = i;
        }
    }
    let mut run: Vec<(u64, u64)> = Vec::new();
    for (count, &(start, end)) in tied.iter().enumerate() {
        if count % 4096 == 0 {
            cancel.check()?;
        }
        run.clear();
        run.try_reserve(end - start)
            .map_err(|_| Error::NoMemory("the argsort's tie buffer".into()))?;
        // Indices are < n = data.len(): they were written from positions in `data`.
        run.extend(
            words[start..end]
                .iter()
                .map(|&w| (key(data[(w & mask) as usize]), w)),
        );
        run.sort_by_key(|&(k, _)| k);
        for (slot, &(_, w)) in words[start..end].iter_mut().zip(&run) {
            *slot = w;
        }
    }
    Ok(true)
}

/// The smallest and the largest key of `data`, read in parallel parts.
fn key_range<T: Number>(
    data: &[T],
    key: &(impl Fn(T) -> u64 + Sync),
    threads: usize,
    cancel: &Cancel,
) -> Result<(u64, u64), Error> {
    let parts = threads.clamp(1, (data.len() / (1 << 16)).max(1));
    let ranges: Vec<_> = parallel::split(data.len(), parts).collect();
    let found = Mutex::new((u64::MAX, 0u64));
    let work = |part: usize| {
        let (mut lo, mut hi) = (u64::MAX, 0u64);
        for &x in &data[ranges[part].clone()] {
            let k = key(x);
            lo = lo.min(k);
            hi = hi.max(k);
        }
        let mut range = found.lock().unwrap_or_else(|e| e.into_inner());
        *range = (range.0.min(lo), range.1.max(hi));
    };
    if parts == 1 {
        work(0);
    } else {
        parallel::run_parts(parts, work);
    }
    cancel.check()?;
    Ok(found.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// More than `u32::MAX` elements: 16-byte records with a `u64` index.
fn huge<T: Number>(
    data: &[T],
    key: impl Fn(T) -> u64 + Sync,
    out: &mut [i64],
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error> {
    let mut records = records(data, threads, |x, i| (key(x), i as u64))?;
    radix::sort_by_key(&mut records, |r| r.0, T::BITS, threads, cancel)?;
    write_indices(&records, out, threads, |r| r.1 as i64);
    Ok(())
}

/// `make(data[i], i)` for every `i`, in parallel chunks, into a new vector (fallible).
fn records<T, R, F>(data: &[T], threads: usize, make: F) -> Result<Vec<R>, Error>
where
    T: Number,
    R: Copy + Send,
    F: Fn(T, usize) -> R + Sync,
{
    let mut records: Vec<R> = try_with_capacity(data.len(), "the argsort's records")?;
    parallel::zip_chunks(
        &mut records.spare_capacity_mut()[..data.len()],
        data,
        threads,
        |out, data, offset| {
            for (i, (slot, &x)) in out.iter_mut().zip(data).enumerate() {
                slot.write(make(x, offset + i));
            }
        },
    );
    // SAFETY: `zip_chunks` ran `make` for every one of the first `data.len()` slots (its chunks
    // cover `out` entirely), so they are initialised; the capacity is at least that.
    unsafe { records.set_len(data.len()) };
    Ok(records)
}

/// `out[i] = index(&sorted[i])`, in parallel chunks.
fn write_indices<R, F>(sorted: &[R], out: &mut [i64], threads: usize, index: F)
where
    R: Sync,
    F: Fn(&R) -> i64 + Sync,
{
    parallel::zip_chunks(out, sorted, threads, |out, sorted, _| {
        for (slot, r) in out.iter_mut().zip(sorted) {
            *slot = index(r);
        }
    });
}

/// Number of bits needed to write `value` (0 for 0).
fn bits_for(value: u64) -> u32 {
    64 - value.leading_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    /// The reference: a stable comparison sort of indices by key (numpy's stable argsort).
    fn reference<T: Number>(data: &[T], descending: bool) -> Vec<i64> {
        let mut idx: Vec<i64> = (0..data.len() as i64).collect();
        idx.sort_by_key(|&i| {
            let x = data[i as usize];
            if descending {
                x.key_descending()
            } else {
                x.key()
            }
        });
        idx
    }

    fn check<T: Number + std::fmt::Debug>(data: &[T]) {
        for descending in [false, true] {
            for threads in [1, 2] {
                let mut out = vec![-1i64; data.len()];
                argsort(data, descending, &mut out, threads, &Cancel::new()).unwrap();
                assert_eq!(
                    out,
                    reference(data, descending),
                    "n={} descending={descending} threads={threads}",
                    data.len()
                );
            }
        }
    }

    const SIZES: [usize; 8] = [0, 1, 2, 255, 257, 1025, 40_000, 140_000];

    #[test]
    fn ints_of_every_width_match_a_stable_comparison_sort() {
        let mut rng = Rng(7);
        for n in SIZES {
            let wide: Vec<u64> = (0..n).map(|_| rng.next()).collect();
            check(&wide.iter().map(|&x| x as i64).collect::<Vec<_>>());
            check(&wide);
            check(&wide.iter().map(|&x| x as i32).collect::<Vec<_>>());
            check(&wide.iter().map(|&x| x as u16).collect::<Vec<_>>());
            check(&wide.iter().map(|&x| x as i8).collect::<Vec<_>>());
            // Keys that tie on their top bits: a cluster differing only in the low bits, with
            // outliers stretching the range (runs ordered by full keys, or the 12-byte path).
            let clustered: Vec<i64> = wide
                .iter()
                .enumerate()
                .map(|(i, &x)| match i % 97 {
                    0 => i64::MIN,
                    1 => i64::MAX,
                    _ => (1 << 40) + (x % (1 << 12)) as i64 + if i % 3 == 0 { 1 << 30 } else { 0 },
                })
                .collect();
            check(&clustered);
            // A tenth of equal keys among full-range ones: runs ordered by their full keys.
            check(
                &wide
                    .iter()
                    .map(|&x| if x % 10 == 0 { 5 } else { x as i64 })
                    .collect::<Vec<_>>(),
            );
            // Duplicates and a narrow range (the one-word path for 64-bit keys).
            check(
                &wide
                    .iter()
                    .map(|&x| (x % 1000) as i64 - 500)
                    .collect::<Vec<_>>(),
            );
        }
    }

    #[test]
    fn floats_put_nan_last_and_treat_zeros_as_equal() {
        let mut rng = Rng(11);
        let specials = [
            f64::NAN,
            -f64::NAN,
            -0.0,
            0.0,
            f64::INFINITY,
            -f64::INFINITY,
            1.5,
        ];
        for n in SIZES {
            let data: Vec<f64> = (0..n)
                .map(|_| {
                    let r = rng.next();
                    if r % 4 == 0 {
                        specials[(r >> 8) as usize % specials.len()]
                    } else {
                        (r >> 11) as f64 / (1u64 << 53) as f64 - 0.25
                    }
                })
                .collect();
            check(&data);
            check(&data.iter().map(|&x| x as f32).collect::<Vec<_>>());
        }
    }

    #[test]
    fn sorted_reversed_and_all_equal_inputs() {
        for n in [3usize, 1000, 200_000] {
            check(&(0..n as i64).collect::<Vec<_>>());
            check(&(0..n as i64).rev().collect::<Vec<_>>());
            check(&vec![42u32; n]);
            check(&vec![f64::NAN; n]);
        }
    }

    /// 64-bit keys whose top bits tie in few or in many runs (the tie pass, or the 12-byte
    /// records), floats of one exponent, and narrow ranges with a long common prefix.
    #[test]
    fn ties_on_top_bits_and_common_prefixes() {
        let mut rng = Rng(23);
        for n in [300usize, 5000, 140_000] {
            let r: Vec<u64> = (0..n).map(|_| rng.next()).collect();
            // Full range (outliers) with pairs that differ only in their lowest bits.
            let pairs: Vec<i64> = r
                .iter()
                .enumerate()
                .map(|(i, _)| match i % 50 {
                    0 => i64::MIN,
                    1 => i64::MAX,
                    // Neighbours share a key but for the low bits: short runs that tie.
                    _ => ((r[i / 2] >> 8) << 8 | (i as u64 % 3)) as i64,
                })
                .collect();
            check(&pairs);
            // Many ties on top bits: each key repeated with a low-bit difference.
            let many: Vec<i64> = r
                .iter()
                .map(|&x| ((x % 64) << 50 | (x >> 60)) as i64 - (1 << 62))
                .collect();
            check(&many);
            let unit: Vec<f64> = r
                .iter()
                .map(|&x| (x >> 11) as f64 / (1u64 << 53) as f64)
                .collect();
            check(&unit);
            check(&unit.iter().map(|&x| 1.0 + x).collect::<Vec<_>>());
            check(
                &r.iter()
                    .map(|&x| (0xABCD << 48) | (x >> 40))
                    .collect::<Vec<u64>>(),
            );
        }
    }

    #[test]
    fn a_cancelled_argsort_reports_it() {
        let cancel = Cancel::new();
        cancel.cancel();
        let data: Vec<i64> = (0..100_000).rev().collect();
        let mut out = vec![0; data.len()];
        assert!(matches!(
            argsort(&data, false, &mut out, 2, &cancel),
            Err(Error::Cancelled)
        ));
    }
}
