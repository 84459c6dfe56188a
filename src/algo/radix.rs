//! Stable sorting by an unsigned integer key.
//!
//! PLACEHOLDER: a correct but single-threaded implementation with the final signature, so that
//! callers can be written against it; the parallel LSD radix sort replaces the body.

use super::{Cancel, Error};

/// Sorts `data` stably by `key` (ascending), using up to `threads` threads.
/// Only the low `key_bits` bits of a key may be non-zero (64 for a full `u64`).
/// Returns `Err(Cancelled)` if `cancel` is raised before it finishes; `data` is then a
/// permutation of its input, in no particular order.
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
    let _ = (key_bits, threads);
    cancel.check()?;
    data.sort_by_key(|item| key(item));
    Ok(())
}
