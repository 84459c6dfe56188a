//! Stable ordering of byte strings (UTF-8 `str` keys and `bytes` keys alike: UTF-8's byte
//! order is code point order, which is how Python compares `str`), over their whole bytes.
//!
//! An MSD radix sort on successive 7-byte chunks ([`chunk`]): at each depth, every string of a
//! group gets the `u64` key of its next chunk, the group is ordered by that key (a stable
//! radix sort, or a comparison sort for groups under 1,024), and each run of equal keys whose
//! strings go on becomes a group one chunk deeper. Reading the strings is the cost (a cache
//! miss per string per level when they are scattered in memory), so each read takes the
//! chunk after too, which the next level uses without reading again; and while a group's
//! keys all agree, the same pass measures how far the strings agree, so such a group skips
//! their whole common prefix at once (1e6 strings sharing a 10 kB prefix cost one pass of
//! `memcmp`, not 1,400 levels). Small groups are finished by comparing their keys, and the
//! rest of the strings only where the keys tie. Big groups are sorted by all threads
//! together, the rest shared out in batches ([`shared`]); the cancel flag is polled every
//! ~64k records or words compared, however long the strings ([`group::Budget`]).
//!
//! Stable: records carry their input index and enter every group in index order, so equal
//! strings leave in input order, ascending or descending.
//!
//! Memory: 16 bytes per string for the records, 16 more for the radix sort's scratch buffer,
//! 8 for the next keys (from [`group::NEXT_MIN`] strings on), and the 4-byte permutation
//! returned; every one allocated fallibly (`Error::NoMemory`).

mod chunk;
mod group;
mod runs;
mod shared;

pub use chunk::common_prefix;

use std::cmp::Ordering;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as Atomic};

use super::keyed::{Order, MAX_LEN};
use super::{parallel, try_with_capacity, Cancel, Error};
use group::{Budget, Ctx, Rec};

/// Input with at most `n / RUN_DENSITY` sorted runs (runs of 16 strings on average) is merged
/// instead of radix-sorted: on real paths in walk order (runs of ~20) the radix sort measured
/// half as fast as `sorted()`, whose timsort merges the runs.
const RUN_DENSITY: usize = 16;

/// From this many strings on, the sort runs on more than one thread (when asked to).
const PARALLEL_MIN: usize = 1 << 16;

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
    let n = keys.len();
    let threads = if n >= PARALLEL_MIN { threads.max(1) } else { 1 };
    // Already in order (or strictly the other way)? One pass that stops at the first pair out
    // of order: nothing on random data, and the whole sort on data that is sorted already.
    let up = |a: &[u8], b: &[u8]| {
        let c = a.cmp(b);
        if descending {
            c != Ordering::Less
        } else {
            c != Ordering::Greater
        }
    };
    // Few long sorted runs (none at all, or paths in walk order): merge them, as timsort
    // would, instead of radix-sorting. Random input stops this scan after about
    // 2 * n / RUN_DENSITY pairs.
    match runs::run_starts(keys, &up, (n / RUN_DENSITY).max(1), cancel)? {
        Some(starts) if starts.len() <= 1 => return Ok(Order::Identity),
        Some(starts) => {
            let perm = runs::merge(keys, &up, starts, threads, cancel)?;
            return Ok(Order::Permutation(perm));
        }
        None => {}
    }
    // Out of order only locally (events logged a little out of order, sorted with a key
    // function; the handover sends such lists of plain strs to timsort): sorted as timsort
    // would, where the radix sort would redo every level (1e5 log lines, each within ~20
    // places of its own, `key=str.lower`: 0.85x of `sorted()` before).
    if runs::in_order_at(keys, &up, runs::BLOCK) {
        if let Some(perm) = runs::sort_local(keys, &up, cancel)? {
            return Ok(Order::Permutation(perm));
        }
    }
    let down = |a: &[u8], b: &[u8]| {
        a.cmp(b)
            == if descending {
                Ordering::Less
            } else {
                Ordering::Greater
            }
    };
    if every_pair(keys, threads, cancel, down)? {
        return Ok(Order::Reversed);
    }
    let mut recs: Vec<Rec> = try_with_capacity(n, "the string sort's records")?;
    recs.extend((0..n as u32).map(|idx| Rec { key: 0, idx }));
    let next_len = if n >= group::NEXT_MIN { n } else { 0 };
    let mut next: Vec<AtomicU64> = try_with_capacity(next_len, "the string sort's next keys")?;
    next.extend((0..next_len).map(|_| AtomicU64::new(0)));
    let ctx = Ctx {
        keys,
        next: &next,
        flip: if descending { u64::MAX } else { 0 },
        cancel,
    };
    if threads > 1 {
        shared::sort_all(&ctx, &mut recs, threads)?;
    } else {
        group::sort_group(&ctx, &mut recs, 0, false, &mut Budget::new(cancel))?;
    }
    cancel.check()?;
    let mut perm: Vec<u32> = try_with_capacity(n, "the sorted order")?;
    perm.extend(recs.iter().map(|r| r.idx));
    Ok(Order::Permutation(perm))
}

/// Whether `holds(keys[i], keys[i + 1])` for every `i`; stops at the first pair where it does
/// not (in every thread), polls `cancel` every few thousand pairs.
fn every_pair<F>(keys: &[&[u8]], threads: usize, cancel: &Cancel, holds: F) -> Result<bool, Error>
where
    F: Fn(&[u8], &[u8]) -> bool + Sync,
{
    let pairs = keys.len().saturating_sub(1);
    let broken = AtomicBool::new(false);
    let parts: Vec<std::ops::Range<usize>> = parallel::split(pairs, threads).collect();
    parallel::run_parts(parts.len(), |p| {
        let mut budget = Budget::new(cancel);
        for i in parts[p].clone() {
            if !holds(keys[i], keys[i + 1]) {
                broken.store(true, Atomic::Relaxed);
                return;
            }
            let words = keys[i].len().min(keys[i + 1].len()) / 8;
            if i % 1024 == 0 && broken.load(Atomic::Relaxed) || budget.spend(1 + words).is_err() {
                return;
            }
        }
    });
    cancel.check()?;
    Ok(!broken.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::keyed::apply;
    use crate::algo::test_rng::Rng;
    use std::time::{Duration, Instant};

    /// The reference: the standard library's stable sort.
    fn reference(keys: &[&[u8]], descending: bool) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..keys.len()).collect();
        if descending {
            idx.sort_by(|&a, &b| keys[b].cmp(keys[a]));
        } else {
            idx.sort_by(|&a, &b| keys[a].cmp(keys[b]));
        }
        idx
    }

    fn check_threads(keys: &[&[u8]], threads: &[usize]) {
        let items: Vec<usize> = (0..keys.len()).collect();
        for descending in [false, true] {
            let expected = reference(keys, descending);
            for &threads in threads {
                let order = order(keys, descending, threads, &Cancel::new()).unwrap();
                let mut out = items.clone();
                apply(&order, &mut out, threads);
                assert!(
                    out == expected,
                    "descending={descending} threads={threads} n={}",
                    keys.len()
                );
            }
        }
    }

    fn check(keys: &[&[u8]]) {
        check_threads(keys, &[1, 2, 3]);
    }

    fn slices(owned: &[Vec<u8>]) -> Vec<&[u8]> {
        owned.iter().map(|v| v.as_slice()).collect()
    }

    #[test]
    fn ties_beyond_the_first_chunk_and_padding_zeros() {
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
            b"abcdefg",
            b"abcdefg\0",
            b"",
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

    /// Adversarial shapes, each at a size that takes the one-thread path and at one that
    /// takes the shared one (>= PARALLEL_MIN, groups >= the big-group size).
    fn shapes(n: usize, rng: &mut Rng) -> Vec<(&'static str, Vec<Vec<u8>>)> {
        let long = vec![b'p'; 300];
        let mut out: Vec<(&'static str, Vec<Vec<u8>>)> = Vec::new();
        let few = |rng: &mut Rng| rng.next() % 50;
        out.push((
            "long shared prefixes, duplicates",
            (0..n)
                .map(|_| {
                    let mut v = long[..100 + few(rng) as usize].to_vec();
                    v.extend(format!("{}", few(rng)).bytes());
                    v
                })
                .collect(),
        ));
        out.push(("all equal", vec![b"same string, longer than 8".to_vec(); n]));
        out.push(("all empty", vec![Vec::new(); n]));
        out.push((
            "embedded NULs and prefixes of each other",
            (0..n)
                .map(|_| {
                    let len = (rng.next() % 20) as usize;
                    (0..len)
                        .map(|_| [0u8, 0, 1, b'a'][(rng.next() % 4) as usize])
                        .collect()
                })
                .collect(),
        ));
        out.push((
            "non-ASCII UTF-8",
            (0..n)
                .map(|_| {
                    let s: String = (0..rng.next() % 6)
                        .map(|_| {
                            ['é', 'a', '\u{10348}', '\u{7ff}', 'z', '\0'][(rng.next() % 6) as usize]
                        })
                        .collect();
                    format!("https://例え.jp/{s}").into_bytes()
                })
                .collect(),
        ));
        let urls: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                format!(
                    "https://www.example.com/{}/{}?id={}",
                    few(rng),
                    few(rng),
                    rng.next() % 1000
                )
                .into_bytes()
            })
            .collect();
        let mut sorted = urls.clone();
        sorted.sort();
        let mut reversed = sorted.clone();
        reversed.reverse();
        let mut distinct = sorted.clone();
        distinct.dedup();
        distinct.reverse();
        let mut runs_of_20 = urls.clone();
        runs_of_20.chunks_mut(20).for_each(|c| c.sort());
        let mut halves = urls.clone();
        let half = halves.len() / 2;
        halves[..half].sort();
        halves[half..].sort();
        // Out of order only locally: each string up to 20 places from its own; many equal ones.
        let mut jittered: Vec<(u64, Vec<u8>)> = (0..n)
            .map(|i| {
                let line = format!("2026-12-08 {:06} INFO", i / 7).into_bytes();
                (i as u64 * 16 + rng.next() % (16 * 20), line)
            })
            .collect();
        jittered.sort_by_key(|p| p.0);
        let jittered: Vec<Vec<u8>> = jittered.into_iter().map(|p| p.1).collect();
        out.push(("sorted runs of 20", runs_of_20));
        out.push(("out of order locally", jittered));
        out.push(("two sorted halves", halves));
        out.push(("urls", urls));
        out.push(("sorted", sorted));
        out.push(("reversed with duplicates", reversed));
        out.push(("strictly reversed", distinct));
        out.push((
            "short random",
            (0..n)
                .map(|_| {
                    (0..rng.next() % 4)
                        .map(|_| (rng.next() % 256) as u8)
                        .collect()
                })
                .collect(),
        ));
        out
    }

    #[test]
    fn adversarial_shapes_small() {
        let mut rng = Rng(7);
        for n in [0, 1, 2, 30, 500, 5000] {
            for (name, owned) in shapes(n, &mut rng) {
                let keys = slices(&owned);
                eprintln!("{name} n={n}");
                check(&keys);
            }
        }
    }

    #[test]
    fn adversarial_shapes_parallel() {
        let mut rng = Rng(11);
        for (name, owned) in shapes(200_000, &mut rng) {
            let keys = slices(&owned);
            eprintln!("{name}");
            check(&keys);
        }
    }

    #[test]
    fn sorted_and_reversed_are_detected() {
        let cancel = Cancel::new();
        let up: Vec<&[u8]> = vec![b"a", b"b", b"b", b"c"];
        assert_eq!(order(&up, false, 1, &cancel).unwrap(), Order::Identity);
        let down: Vec<&[u8]> = vec![b"c", b"b", b"a"];
        assert_eq!(order(&down, false, 1, &cancel).unwrap(), Order::Reversed);
        assert_eq!(order(&down, true, 1, &cancel).unwrap(), Order::Identity);
        assert_eq!(order(&up[..1], true, 1, &cancel).unwrap(), Order::Identity);
        assert_eq!(order(&[], true, 1, &cancel).unwrap(), Order::Identity);
    }

    /// 1e6 strings sharing a 10 kB prefix (slices of one buffer, so the test needs little
    /// memory): a cancel raised after a few ms is answered within 0.2 s, on 1 and 2 threads.
    #[test]
    fn cancel_is_prompt_on_long_shared_prefixes() {
        let mut rng = Rng(3);
        let mut buf = vec![b'x'; 10_000];
        buf.extend((0..1000).map(|_| (rng.next() % 256) as u8));
        let keys: Vec<&[u8]> = (0..1_000_000)
            .map(|_| &buf[..10_000 + (rng.next() % 1000) as usize])
            .collect();
        for threads in [1, 2] {
            let cancel = Cancel::new();
            let (cancelled, waited) = std::thread::scope(|scope| {
                let worker = scope.spawn(|| {
                    let result = order(&keys, false, threads, &cancel);
                    (result.is_err(), Instant::now())
                });
                std::thread::sleep(Duration::from_millis(5));
                let raised = Instant::now();
                cancel.cancel();
                let (cancelled, ended) = worker.join().unwrap();
                (cancelled, ended.saturating_duration_since(raised))
            });
            assert!(cancelled, "threads={threads}: finished before the cancel");
            assert!(
                waited < Duration::from_millis(200),
                "threads={threads}: answered after {waited:?}"
            );
        }
    }

    /// `cargo test --release -- --ignored --nocapture`; prints timings, asserts nothing on time.
    #[test]
    #[ignore]
    fn timing_threads() {
        let mut rng = Rng(5);
        let n = 1_000_000usize;
        let words: Vec<String> = (0..5000).map(|i| format!("w{:x}", i * 7919)).collect();
        let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
            (
                "8 hex",
                (0..n)
                    .map(|_| format!("{:08x}", (rng.next() % (1 << 32))).into_bytes())
                    .collect(),
            ),
            (
                "urls",
                (0..n)
                    .map(|_| {
                        let (a, b) = ((rng.next() % 5000) as usize, (rng.next() % 5000) as usize);
                        let id = rng.next() % 1_000_000;
                        format!("https://www.example.com/{}/{}?id={id}", words[a], words[b])
                            .into_bytes()
                    })
                    .collect(),
            ),
            (
                "paths",
                (0..n)
                    .map(|_| {
                        let (a, b) = ((rng.next() % 5000) as usize, (rng.next() % 5000) as usize);
                        format!("/home/user/projects/{}/src/{}.py", words[a], words[b]).into_bytes()
                    })
                    .collect(),
            ),
        ];
        for (name, owned) in &cases {
            let keys = slices(owned);
            for threads in [1, 2] {
                let mut best = f64::INFINITY;
                for _ in 0..5 {
                    let start = Instant::now();
                    let o = order(&keys, false, threads, &Cancel::new()).unwrap();
                    std::hint::black_box(&o);
                    best = best.min(start.elapsed().as_secs_f64());
                }
                println!(
                    "text {name} n={n} threads={threads}: best {:.1} ms",
                    best * 1e3
                );
            }
        }
    }
}
