//! Stable ordering by a leading word, ties broken by a byte string that only some keys have.
//!
//! For numbers that are not all exactly floats (ints beyond 2**53, of any size, mixed with
//! floats): the word is the order-preserving key of the largest float `d <= x`, which decides
//! almost every comparison and sorts with the radix sort of words; a key whose value is
//! exactly `d` needs nothing more, and one whose value is above `d` carries its exact encoding
//! ([`super::encode`]). Among equal words the exact keys come first (they equal `d`, the
//! others exceed it), the others by their bytes. Only runs of equal words that contain such a
//! tail are compared, so random big ints cost about what int64 keys do.

use super::keyed::{self, Order, MAX_LEN};
use super::{text, try_with_capacity, Cancel, Error};

/// Runs of equal words at least this long have their tails sorted by the string sort (an MSD
/// radix sort, on threads for large runs) rather than by comparisons through two indirections.
/// Ints packed more densely than floats are spaced share a word: 1e6 ints within 1,000 of 2**63
/// make two runs of ~5e5, which the comparison sort took 0.7 s to sort (`sorted()`: 0.27 s).
const TEXT_MIN: usize = 256;

/// No tail: the key is exactly its word.
pub const NO_TAIL: u32 = u32::MAX;

/// The stable order (ascending, or descending with equal keys in input order) of the keys
/// `(words[i], tail(i))`, where `tail(i)` is `None` if `tails[i] == NO_TAIL`, else
/// `Some(tail_bytes[tails[i]])`, and `None` sorts before every `Some`.
///
/// # Panics
/// If `words` and `tails` differ in length, exceed [`MAX_LEN`], or a tail index is out of
/// range; callers build them together.
pub fn order(
    words: &[u64],
    tails: &[u32],
    tail_bytes: &[&[u8]],
    descending: bool,
    threads: usize,
    cancel: &Cancel,
) -> Result<Order, Error> {
    assert_eq!(words.len(), tails.len(), "one tail per word");
    assert!(words.len() <= MAX_LEN, "too many keys for 32-bit indices");
    let n = words.len();
    let mut perm: Vec<u32> = try_with_capacity(n, "permutation")?;
    perm.extend(0..n as u32);
    keyed::sort_by_words(words, &perm, descending, threads, cancel)?.commit(&mut perm);
    if tail_bytes.is_empty() {
        return Ok(Order::Permutation(perm));
    }
    let tail = |i: u32| match tails[i as usize] {
        NO_TAIL => None,
        t => Some(tail_bytes[t as usize]),
    };
    // `None < Some(_)` and byte order on `Some`: exactly the order wanted.
    let cmp = |a: &u32, b: &u32| {
        let c = tail(*a).cmp(&tail(*b));
        if descending {
            c.reverse()
        } else {
            c
        }
    };
    let mut start = 0;
    let mut since_check = 0usize;
    while start < n {
        let word = words[perm[start] as usize];
        let mut end = start + 1;
        let mut any_tail = tails[perm[start] as usize] != NO_TAIL;
        while end < n && words[perm[end] as usize] == word {
            any_tail |= tails[perm[end] as usize] != NO_TAIL;
            end += 1;
        }
        if any_tail && end - start > 1 {
            // Stable: equal keys stay in input order, as the radix sort left them.
            let run = &mut perm[start..end];
            if run.len() >= TEXT_MIN {
                by_text(run, tail, descending, threads, cancel)?;
            } else {
                run.sort_by(cmp);
            }
            since_check += end - start;
        }
        since_check += 1;
        if since_check >= 1 << 16 {
            since_check = 0;
            cancel.check()?;
        }
        start = end;
    }
    Ok(Order::Permutation(perm))
}

/// Puts `run` (indices into the keys, in input order) in the stable order of their tails, by
/// the string sort.
fn by_text<'t>(
    run: &mut [u32],
    tail: impl Fn(u32) -> Option<&'t [u8]>,
    descending: bool,
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error> {
    let mut keys: Vec<&[u8]> = try_with_capacity(run.len(), "tie keys")?;
    // An encoding is never empty, so the empty slice for "no tail" sorts first, as `None`
    // does.
    keys.extend(run.iter().map(|&i| tail(i).unwrap_or(&[])));
    let order = text::order(&keys, descending, threads, cancel)?;
    keyed::arrange(&order, run, threads)?.commit(run);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    #[test]
    fn matches_a_stable_sort_of_the_pairs() {
        let mut rng = Rng(5);
        let pool: Vec<Vec<u8>> = (0..20).map(|i| vec![i as u8 % 7, i as u8 / 7]).collect();
        let tail_bytes: Vec<&[u8]> = pool.iter().map(|v| v.as_slice()).collect();
        for n in [0, 1, 7, 500, 70_000] {
            let words: Vec<u64> = (0..n).map(|_| rng.next() % 50).collect();
            let tails: Vec<u32> = (0..n)
                .map(|_| match rng.next() % 3 {
                    0 => NO_TAIL,
                    _ => (rng.next() % 20) as u32,
                })
                .collect();
            let key = |i: usize| {
                let t = match tails[i] {
                    NO_TAIL => None,
                    t => Some(tail_bytes[t as usize]),
                };
                (words[i], t)
            };
            for descending in [false, true] {
                let mut expected: Vec<u32> = (0..n as u32).collect();
                if descending {
                    expected.sort_by(|&a, &b| key(b as usize).cmp(&key(a as usize)));
                } else {
                    expected.sort_by_key(|&a| key(a as usize));
                }
                for threads in [1, 2] {
                    let got = order(
                        &words,
                        &tails,
                        &tail_bytes,
                        descending,
                        threads,
                        &Cancel::new(),
                    );
                    let mut items: Vec<u32> = (0..n as u32).collect();
                    keyed::apply(&got.unwrap(), &mut items, threads);
                    assert_eq!(items, expected, "n={n} descending={descending}");
                }
            }
        }
    }

    /// Every word equal (ints packed more densely than floats): one run, sorted by the string
    /// sort on two threads; in order, reversed (distinct tails), shuffled with duplicates.
    #[test]
    fn one_long_run_of_equal_words() {
        let n = 200_000u32;
        let mut rng = Rng(11);
        let pool: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                [0x80, 0x40]
                    .iter()
                    .copied()
                    .chain(i.to_be_bytes())
                    .collect()
            })
            .collect();
        let tail_bytes: Vec<&[u8]> = pool.iter().map(|v| v.as_slice()).collect();
        let ascending: Vec<u32> = (0..n).collect();
        let descending_tails: Vec<u32> = (0..n).rev().collect();
        let shuffled: Vec<u32> = (0..n)
            .map(|_| match rng.next() % 4 {
                0 => NO_TAIL,
                _ => (rng.next() % u64::from(n / 8)) as u32,
            })
            .collect();
        for tails in [ascending, descending_tails, shuffled] {
            let words = vec![42u64; n as usize];
            let key = |i: u32| match tails[i as usize] {
                NO_TAIL => None,
                t => Some(tail_bytes[t as usize]),
            };
            for descending in [false, true] {
                let mut expected: Vec<u32> = (0..n).collect();
                if descending {
                    expected.sort_by(|&a, &b| key(b).cmp(&key(a)));
                } else {
                    expected.sort_by_key(|&a| key(a));
                }
                let got = order(&words, &tails, &tail_bytes, descending, 2, &Cancel::new());
                let mut items: Vec<u32> = (0..n).collect();
                keyed::apply(&got.unwrap(), &mut items, 2);
                assert_eq!(items, expected, "descending={descending}");
            }
        }
    }
}
