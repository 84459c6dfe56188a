//! Stable ordering of byte strings (UTF-8 `str` keys and `bytes` keys alike: UTF-8's byte
//! order is code point order, which is how Python compares `str`).
//!
//! A radix sort on each string's first 8 bytes (big-endian, zero-padded) does most of the
//! work in a few linear passes; strings whose prefixes tie are then put in order by a stable
//! comparison sort on their full bytes, run by run, the runs shared between threads.

use std::cmp::Ordering;
use std::sync::Mutex;

use super::keyed::{self, Order, MAX_LEN};
use super::parallel;
use super::prefetch::prefetch;
use super::radix;
use super::{Cancel, Error};

/// The first 8 bytes of `s` as a big-endian number, zero-padded: comparing prefixes compares
/// the strings' first 8 bytes, and only equal prefixes need a look at the rest.
pub fn prefix(s: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = s.len().min(8);
    buf[..n].copy_from_slice(&s[..n]);
    u64::from_be_bytes(buf)
}

/// The stable order of `keys` by bytes (shorter first when one is a prefix of the other):
/// ascending, or descending with equal keys still in input order.
///
/// # Panics
/// If `keys.len() > MAX_LEN`; callers check first.
pub fn order(
    keys: &[&[u8]],
    descending: bool,
    threads: usize,
    cancel: &Cancel,
) -> Result<Order, Error> {
    assert!(keys.len() <= MAX_LEN, "too many keys for 32-bit indices");
    // The order of the result, on full keys.
    let cmp = |a: &[u8], b: &[u8]| {
        let c = a.cmp(b);
        if descending {
            c.reverse()
        } else {
            c
        }
    };
    let flip = if descending { u64::MAX } else { 0 };
    let prefixes = prefixes(keys, flip, threads);
    cancel.check()?;
    // Already in order (or strictly the other way)? Prefixes decide most neighbours without
    // touching the strings again; only equal prefixes need the full comparison.
    let pairs = || prefixes.windows(2).zip(keys.windows(2));
    if pairs().all(|(p, k)| p[0] < p[1] || (p[0] == p[1] && cmp(k[0], k[1]) != Ordering::Greater)) {
        return Ok(Order::Identity);
    }
    if pairs().all(|(p, k)| p[0] > p[1] || (p[0] == p[1] && cmp(k[0], k[1]) == Ordering::Greater)) {
        return Ok(Order::Reversed);
    }
    cancel.check()?;
    // Large inputs: split by the top varying bits of the prefixes first, then sort buckets in
    // cache, in parallel (see `keyed::msd_then_lsd`). Subtracting the smallest prefix makes a
    // first byte that all strings share (say "h" of "http") cost nothing.
    let min = prefixes.iter().copied().min().unwrap_or(0);
    let max = prefixes.iter().copied().max().unwrap_or(0);
    let key_bits = 64 - (max - min).leading_zeros();
    let mut records: Vec<(u64, u32)> = if keys.len() >= keyed::MSD_MIN && key_bits > 16 {
        let indices: Vec<u32> = (0..keys.len() as u32).collect();
        keyed::msd_then_lsd(&prefixes, &indices, |p| p - min, key_bits, threads, cancel)?
    } else {
        let mut records: Vec<(u64, u32)> = prefixes
            .iter()
            .enumerate()
            .map(|(i, &p)| (p - min, i as u32))
            .collect();
        radix::sort_by_key(&mut records, |r| r.0, key_bits, threads, cancel)?;
        records
    };
    drop(prefixes);
    cancel.check()?;
    sort_ties(&mut records, keys, &cmp, threads, cancel)?;
    Ok(Order::Permutation(records.iter().map(|r| r.1).collect()))
}

/// `prefix(key) ^ flip` for every key, in parallel for large inputs. The strings usually lie
/// scattered in memory (each a separate Python object), so each read is a cache miss unless
/// requested early: the loop prefetches the string `PREFETCH_AHEAD` places ahead.
fn prefixes(keys: &[&[u8]], flip: u64, threads: usize) -> Vec<u64> {
    const PREFETCH_AHEAD: usize = 16;
    let mut out = vec![0u64; keys.len()];
    parallel::zip_chunks(&mut out, keys, threads, |out, keys, _| {
        for (i, (slot, key)) in out.iter_mut().zip(keys).enumerate() {
            if let Some(ahead) = keys.get(i + PREFETCH_AHEAD) {
                prefetch(ahead.as_ptr());
            }
            *slot = prefix(key) ^ flip;
        }
    });
    out
}

/// Sorts, stably by `cmp` on the full keys, every run of records with equal prefixes.
fn sort_ties<C>(
    records: &mut [(u64, u32)],
    keys: &[&[u8]],
    cmp: &C,
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error>
where
    C: Fn(&[u8], &[u8]) -> Ordering + Sync,
{
    // Cut the records into about `threads` chunks, each cut moved forward to the end of a
    // run so that no run straddles two chunks.
    let parts = threads.clamp(1, (records.len() / (1 << 14)).max(1));
    let mut chunks = Vec::with_capacity(parts);
    let mut rest = records;
    for p in (1..=parts).rev() {
        let mut cut = rest.len() / p;
        while cut > 0 && cut < rest.len() && rest[cut].0 == rest[cut - 1].0 {
            cut += 1;
        }
        let (head, tail) = rest.split_at_mut(cut);
        chunks.push(Mutex::new(head));
        rest = tail;
    }
    let failed = std::sync::atomic::AtomicBool::new(false);
    parallel::run_parts(chunks.len(), |part| {
        // Each part's lock is taken once, by the one thread running that part.
        let mut chunk = chunks[part].lock().unwrap_or_else(|p| p.into_inner());
        let chunk: &mut [(u64, u32)] = &mut chunk;
        let mut start = 0;
        let mut since_check = 0;
        while start < chunk.len() {
            let mut end = start + 1;
            while end < chunk.len() && chunk[end].0 == chunk[start].0 {
                end += 1;
            }
            if end - start > 1 {
                // Stable: records of equal keys stay in index order, as the radix left them.
                chunk[start..end].sort_by(|a, b| cmp(keys[a.1 as usize], keys[b.1 as usize]));
                since_check += end - start;
            }
            since_check += 1;
            // Poll about every 64k records: a few ms of work at most.
            if since_check >= 1 << 16 {
                since_check = 0;
                if cancel.is_cancelled() {
                    failed.store(true, std::sync::atomic::Ordering::Relaxed);
                    return;
                }
            }
            start = end;
        }
    });
    if failed.into_inner() {
        return Err(Error::Cancelled);
    }
    cancel.check()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::keyed::apply;

    fn reference(keys: &[&[u8]], descending: bool) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..keys.len()).collect();
        if descending {
            idx.sort_by(|&a, &b| keys[b].cmp(keys[a]));
        } else {
            idx.sort_by(|&a, &b| keys[a].cmp(keys[b]));
        }
        idx
    }

    fn check(keys: &[&[u8]]) {
        let items: Vec<usize> = (0..keys.len()).collect();
        for descending in [false, true] {
            for threads in [1, 2, 5] {
                let order = order(keys, descending, threads, &Cancel::new()).unwrap();
                let mut out = items.clone();
                apply(&order, &mut out, threads);
                assert_eq!(out, reference(keys, descending), "descending={descending}");
            }
        }
    }

    #[test]
    fn prefix_orders_like_bytes() {
        assert!(prefix(b"") < prefix(b"\x01"));
        assert!(prefix(b"ab") < prefix(b"abc"));
        assert!(prefix(b"b") > prefix(b"abcdefghij"));
        // Padding makes these tie; the full comparison must separate them.
        assert_eq!(prefix(b"a"), prefix(b"a\0"));
    }

    #[test]
    fn ties_beyond_the_prefix_and_padding_zeros() {
        let keys: Vec<&[u8]> = vec![
            b"abcdefghZ",
            b"a\0",
            b"abcdefghA",
            b"a",
            b"",
            b"abcdefgh",
            b"a",
            b"abcdefghA",
            b"\xff",
            b"a\0\0",
        ];
        check(&keys);
    }

    #[test]
    fn utf8_bytes_order_is_code_point_order() {
        let words = [
            "\u{10000}",
            "\u{ffff}",
            "z",
            "é",
            "\u{7f}",
            "",
            "\u{800}",
            "\u{7ff}",
        ];
        let mut by_bytes: Vec<&str> = words.to_vec();
        by_bytes.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut by_chars: Vec<&str> = words.to_vec();
        by_chars.sort_by(|a, b| a.chars().cmp(b.chars()));
        assert_eq!(by_bytes, by_chars);
    }

    #[test]
    fn many_keys_with_shared_prefixes_across_chunks() {
        let owned: Vec<Vec<u8>> = (0..70_000u32)
            .map(|i| {
                let x = i.wrapping_mul(2654435761) % 5000;
                format!("commonpre{x}").into_bytes()
            })
            .collect();
        let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        check(&keys);
    }

    #[test]
    fn many_varied_keys_take_the_split_path() {
        let owned: Vec<Vec<u8>> = (0..80_000u64)
            .map(|i| {
                let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                // Short and long keys, many equal, some equal in the first 8 bytes only.
                format!("{:x}{}", x % 3000, if x % 3 == 0 { "-tail" } else { "" }).into_bytes()
            })
            .collect();
        let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        check(&keys);
    }

    #[test]
    fn sorted_and_reversed_are_detected() {
        let cancel = Cancel::new();
        let up: Vec<&[u8]> = vec![b"a", b"b", b"b", b"c"];
        assert_eq!(order(&up, false, 1, &cancel).unwrap(), Order::Identity);
        let down: Vec<&[u8]> = vec![b"c", b"b", b"a"];
        assert_eq!(order(&down, false, 1, &cancel).unwrap(), Order::Reversed);
        assert_eq!(order(&up[..1], true, 1, &cancel).unwrap(), Order::Identity);
        assert_eq!(order(&[], true, 1, &cancel).unwrap(), Order::Identity);
    }

    /// `cargo test --release -- --ignored --nocapture`; prints timings, asserts nothing on time.
    #[test]
    #[ignore]
    fn timing_threads() {
        use std::time::Instant;
        let n = 1_000_000u64;
        let owned: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16;
                format!("{:08x}", x & 0xffff_ffff).into_bytes()
            })
            .collect();
        let keys: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        for threads in [1, 2] {
            let mut best = f64::INFINITY;
            for _ in 0..5 {
                let start = Instant::now();
                let o = order(&keys, false, threads, &Cancel::new()).unwrap();
                std::hint::black_box(&o);
                best = best.min(start.elapsed().as_secs_f64());
            }
            println!("text n={n} threads={threads}: best {:.1} ms", best * 1e3);
        }
    }
}
