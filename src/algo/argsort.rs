//! The stable permutation that sorts a slice of machine numbers (an *argsort*).
//!
//! Every element is read exactly once, into a record (its order-preserving key from
//! [`Number`], and its index) in memory this module owns; from then on only the records are
//! looked at, so the result is a permutation of `0..n` even if the caller's memory changes
//! meanwhile. The records are radix-sorted by key ([`radix::sort_by_key`], stable and
//! parallel), and their indices are written out widened to `i64`.
//!
//! Record shapes, smallest that fits (the sort's cost is mostly moving records through memory):
//! - keys of up to 32 bits: key and `u32` index in one `u64` (8 bytes);
//! - 64-bit keys whose *range* (largest minus smallest) and index fit together in 64 bits
//!   (ints in a narrow range, timestamps of one period): packed in one `u64` too;
//! - other 64-bit keys: the key and a `u32` index, packed into 12 bytes ([`Wide`]);
//! - more than `u32::MAX` elements: the key and a `u64` index (16 bytes).
//!
//! The order is numpy's `argsort(kind="stable")`: ascending, equal keys in input order, floats
//! by value with `-0.0 == 0.0` and NaNs last; descending keeps equal keys in input order and
//! NaNs still last ([`Number::key_descending`]).

use std::mem::MaybeUninit;
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
    let (mut wide, (min, max)) = wide_records(data, &key, threads)?;
    let key_bits = bits_for(max - min);
    let index_bits = bits_for(n as u64 - 1);
    if key_bits + index_bits <= 64 {
        // Narrow keys: (key - min) above the index in one word, 8 bytes instead of 12; every
        // word is distinct, so sorting whole words is the stable order.
        let mut words: Vec<u64> = try_with_capacity(n, "the argsort's records")?;
        fill(&mut words, &wide, threads, |r| {
            ((r.key - min) << index_bits) | r.index as u64
        });
        drop(wide);
        cancel.check()?;
        radix::sort_by_key(&mut words, |&w| w, key_bits + index_bits, threads, cancel)?;
        let mask = (1u64 << index_bits) - 1; // index_bits <= 32
        write_indices(&words, out, threads, |&w| (w & mask) as i64);
        return Ok(());
    }
    // Wide keys: first sort 8-byte words holding the top `64 - index_bits` bits of the key
    // above the index (about half the memory traffic of 12-byte records), then put in order
    // the few runs whose top bits tie, by their full keys. Random keys and floats rarely tie
    // on 40-odd top bits; when many do, sort the 12-byte records instead.
    let shift = key_bits + index_bits - 64; // in 1..=index_bits
    let mut words: Vec<u64> = try_with_capacity(n, "the argsort's records")?;
    fill(&mut words, &wide, threads, |r| {
        (((r.key - min) >> shift) << index_bits) | r.index as u64
    });
    cancel.check()?;
    radix::sort_by_key(&mut words, |&w| w, 64, threads, cancel)?;
    if order_ties(&mut words, &wide, index_bits, cancel)? {
        let mask = (1u64 << index_bits) - 1;
        write_indices(&words, out, threads, |&w| (w & mask) as i64);
        return Ok(());
    }
    drop(words);
    radix::sort_by_key(&mut wide, |r| r.key - min, key_bits, threads, cancel)?;
    write_indices(&wide, out, threads, |r| r.index as i64);
    Ok(())
}

/// `words` are sorted (top key bits above an index into `wide`, whose records are still in
/// index order); puts every run of equal top bits in the order of the full keys, stably (a
/// run is in index order, so equal keys stay in index order). Returns `false`, leaving
/// `words` alone, if more than a quarter of the words are in such runs: then sorting by the
/// full keys from the start is faster than comparison-sorting the runs.
fn order_ties(
    words: &mut [u64],
    wide: &[Wide],
    index_bits: u32,
    cancel: &Cancel,
) -> Result<bool, Error> {
    let n = words.len();
    let mask = (1u64 << index_bits) - 1;
    let runs = |words: &[u64]| -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut start = 0;
        for i in 1..=words.len() {
            if i == words.len() || words[i] >> index_bits != words[start] >> index_bits {
                if i - start > 1 {
                    runs.push((start, i));
                }
                start = i;
            }
        }
        runs
    };
    let tied = runs(words);
    if tied.iter().map(|(a, b)| b - a).sum::<usize>() > n / 4 {
        return Ok(false);
    }
    for (count, &(start, end)) in tied.iter().enumerate() {
        if count % 4096 == 0 {
            cancel.check()?;
        }
        // `wide[i].key` for the index `i` in the word; indices are < n by construction.
        words[start..end].sort_by_key(|&w| wide[(w & mask) as usize].key);
    }
    Ok(true)
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

/// `out[i] = map(&input[i])` for a vector with capacity for `input.len()`, in parallel chunks.
fn fill<A, B, F>(out: &mut Vec<A>, input: &[B], threads: usize, map: F)
where
    A: Copy + Send,
    B: Sync,
    F: Fn(&B) -> A + Sync,
{
    let spare: &mut [MaybeUninit<A>] = &mut out.spare_capacity_mut()[..input.len()];
    parallel::zip_chunks(spare, input, threads, |out, input, _| {
        for (slot, x) in out.iter_mut().zip(input) {
            slot.write(map(x));
        }
    });
    // SAFETY: every one of the first `input.len()` slots was written just above.
    unsafe { out.set_len(input.len()) };
}

/// The [`Wide`] record of every element, and the smallest and largest key, in one pass.
fn wide_records<T: Number>(
    data: &[T],
    key: &(impl Fn(T) -> u64 + Sync),
    threads: usize,
) -> Result<(Vec<Wide>, (u64, u64)), Error> {
    let mut records: Vec<Wide> = try_with_capacity(data.len(), "the argsort's records")?;
    let found = Mutex::new((u64::MAX, 0u64));
    parallel::zip_chunks(
        &mut records.spare_capacity_mut()[..data.len()],
        data,
        threads,
        |out, data, offset| {
            let (mut lo, mut hi) = (u64::MAX, 0u64);
            for (i, (slot, &x)) in out.iter_mut().zip(data).enumerate() {
                // Each element is read once: the range below is the range of these keys.
                let k = key(x);
                lo = lo.min(k);
                hi = hi.max(k);
                slot.write(Wide {
                    key: k,
                    index: (offset + i) as u32,
                });
            }
            let mut range = found.lock().unwrap_or_else(|e| e.into_inner());
            *range = (range.0.min(lo), range.1.max(hi));
        },
    );
    // SAFETY: `zip_chunks` wrote every one of the first `data.len()` slots (its chunks cover
    // `out` entirely), and the capacity is at least that.
    unsafe { records.set_len(data.len()) };
    let range = found.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((records, range))
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
