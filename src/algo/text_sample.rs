//! The text sample: whether timsort would sort a list of strings faster than the string sort
//! ([`crate::algo::text`]) although its runs are short, decided from a few dozen strings.
//!
//! The string sort reads every string once per 7 bytes of the prefix that tells it from its
//! neighbours in sorted order; timsort compares whole strings with `memcmp`, whatever their
//! shared prefixes. Two shapes of real data make timsort the faster one:
//! - **deep strings in a short list**: file paths under one tree differ only ~40-90 bytes in
//!   (`/root/.pyenv/versions/3.13.0/lib/python3.13/site-packages/pip/_vendor/rich/bar.py`).
//!   Below [`DEEP_MAX`] strings, ~10 levels of the string sort cost more than timsort's ~10
//!   comparisons a string: 1,000 such paths sorted at 0.58x of `sorted()`'s speed (0.70x after
//!   the string sort's own gains); from ~3,000 on the string sort wins (1.4x).
//! - **blocks**: paths as `os.walk`, `glob` or `Path.rglob` yield them (a directory's files
//!   together, in the file system's hash order, the directories too). Timsort sorts each
//!   minimum run (32 to 64 items, a few directories) by insertion, and its merges then gallop
//!   over whole directories: `sorted()` on 1e5 such paths took a third of its time on the same
//!   paths shuffled, and the string sort, which does not see the blocks, 0.66x of `sorted()`'s
//!   speed at 1e5, 0.85x at 1e4, 0.47x at 1e3. From [`BLOCKS_MAX`] strings on the sort has
//!   threads and wins (1.6x at 1e6).
//!
//! The strings are whatever `get(i)` returns (the bytes of item `i`); `None` (a str whose bytes
//! cannot be read cheaply) ends the sample with "no".

use std::cmp::Ordering;

use super::text::common_prefix;

/// Below this many strings, deep ones go to timsort.
pub const DEEP_MAX: usize = 2048;
/// Strings sampled for the depth, evenly spaced.
const DEEP_SAMPLE: usize = 17;
/// Deep: the sorted sample's neighbours share at least this many bytes beyond the prefix
/// every string of the sample shares. 1,000 paths of one Python installation: 18-36; the
/// other real and synthetic strings measured (URLs, source lines, e-mail addresses, ISO
/// timestamps, paths under `/usr`, words, UUIDs): 0.2-8.6.
const DEEP_BYTES: usize = 12;

/// Below this many strings, blocks go to timsort (from here on the sort runs on threads).
pub const BLOCKS_MAX: usize = 1 << 18;
/// Pairs of neighbours, and of strings half the list apart, compared for locality.
const LOCAL_PAIRS: usize = 16;
/// Locality: neighbours share at least this many bytes more, on average, than strings half the
/// list apart (shuffled data: ~0; source lines, log lines, sorted `/usr` paths: 2-4; URLs in
/// the order the standard library's source has them: 11; paths of one Python installation in
/// walk order: 22-48). From [`LOCAL_BYTES`] on, the block test decides; from [`BLOCK_BYTES`]
/// on, blocks are taken as given: directories of more than a window's files (a `__pycache__`)
/// merge like random strings in the block test, yet timsort still sorted 1e5 such paths in a
/// third of its time on them shuffled (each directory alone, in cache).
const LOCAL_BYTES: usize = 8;
const BLOCK_BYTES: usize = 24;
/// ... as long as the blocks are small: neighbours share at least this many bytes more than
/// strings [`MID`] places apart (paths in walk order: 10-14). In big groups (directories of
/// thousands) items that far apart share as much as neighbours, and timsort would sort each
/// group whole, with `memcmp` over the shared prefix, where the string sort skips it.
const SMALL_BLOCK_BYTES: usize = 6;
const MID: usize = 64;
/// Items per window of the block test (timsort's minimum run is 32 to 64).
const WINDOW: usize = 32;
/// Pairs of adjacent windows in the block test, at most.
const WINDOW_PAIRS: usize = 8;
/// Blocks: merging two adjacent sorted windows switches from one to the other at most this
/// many times (median over the pairs). Random strings switch ~31 times in 64 items; paths in
/// walk order 3-14 (a window spans a few directories, whose files stay together).
const BLOCK_SWITCHES: usize = 12;

/// Whether timsort would sort the `n` strings `get(0..n)` faster than the string sort, for
/// one of the shapes of the module docs. Costs ~50 comparisons below [`DEEP_MAX`] strings,
/// 32 byte-prefix measurements below [`BLOCKS_MAX`], and (only for lists that show some
/// locality) up to ~500 comparisons more.
pub fn favours_timsort<'a>(n: usize, get: impl Fn(usize) -> Option<&'a [u8]>) -> bool {
    if n < 2 * WINDOW {
        return false; // the short-list path sorts these
    }
    if n < DEEP_MAX && deep(n, &get) == Some(true) {
        return true;
    }
    if n >= BLOCKS_MAX {
        return false;
    }
    match local(n, &get) {
        Some((far, mid)) if far >= BLOCK_BYTES && mid >= SMALL_BLOCK_BYTES => true,
        Some((far, _)) if far >= LOCAL_BYTES => blocks(n, &get) == Some(true),
        _ => false,
    }
}

/// Whether the strings are deep: [`DEEP_SAMPLE`] evenly spaced ones, sorted, share
/// [`DEEP_BYTES`] more with their neighbours than with all.
fn deep<'a>(n: usize, get: &impl Fn(usize) -> Option<&'a [u8]>) -> Option<bool> {
    let mut sample: [&[u8]; DEEP_SAMPLE] = [&[]; DEEP_SAMPLE];
    for (j, slot) in sample.iter_mut().enumerate() {
        *slot = get(j * (n - 1) / (DEEP_SAMPLE - 1))?;
    }
    sample.sort_unstable();
    let all = common_prefix(sample[0], sample[DEEP_SAMPLE - 1]);
    let neighbours: usize = sample
        .windows(2)
        .map(|pair| common_prefix(pair[0], pair[1]))
        .sum();
    Some(neighbours >= (all + DEEP_BYTES) * (DEEP_SAMPLE - 1))
}

/// How many bytes more neighbours share, on average over [`LOCAL_PAIRS`] evenly spaced places,
/// than strings half the list apart, and than strings [`MID`] places apart.
fn local<'a>(n: usize, get: &impl Fn(usize) -> Option<&'a [u8]>) -> Option<(usize, usize)> {
    let (mut near, mut mid, mut far) = (0, 0, 0);
    for j in 0..LOCAL_PAIRS {
        let i = j * (n - MID - 1) / LOCAL_PAIRS;
        let a = get(i)?;
        near += common_prefix(a, get(i + 1)?);
        mid += common_prefix(a, get(i + MID)?);
        far += common_prefix(a, get((i + n / 2) % n)?);
    }
    let more = |than: usize| near.saturating_sub(than) / LOCAL_PAIRS;
    Some((more(far), more(mid)))
}

/// Whether adjacent windows of [`WINDOW`] strings, each sorted, merge in few blocks: the
/// median number of switches between the two windows is at most [`BLOCK_SWITCHES`].
fn blocks<'a>(n: usize, get: &impl Fn(usize) -> Option<&'a [u8]>) -> Option<bool> {
    let pairs = (n / (16 * WINDOW)).clamp(1, WINDOW_PAIRS);
    let mut switches = [0usize; WINDOW_PAIRS];
    for (p, count) in switches[..pairs].iter_mut().enumerate() {
        let start = p * (n - 2 * WINDOW) / pairs;
        let mut left: [&[u8]; WINDOW] = [&[]; WINDOW];
        let mut right: [&[u8]; WINDOW] = [&[]; WINDOW];
        for k in 0..WINDOW {
            left[k] = get(start + k)?;
            right[k] = get(start + WINDOW + k)?;
        }
        left.sort_unstable();
        right.sort_unstable();
        *count = merge_switches(&left, &right);
    }
    let switches = &mut switches[..pairs];
    switches.sort_unstable();
    Some(switches[pairs / 2] <= BLOCK_SWITCHES)
}

/// How many times a stable merge of the sorted `left` and `right` switches from taking one
/// to taking the other.
fn merge_switches(left: &[&[u8]], right: &[&[u8]]) -> usize {
    let (mut i, mut j) = (0, 0);
    let mut from_right: Option<bool> = None;
    let mut switches = 0;
    while i < left.len() || j < right.len() {
        let take_right =
            i == left.len() || (j < right.len() && right[j].cmp(left[i]) == Ordering::Less);
        if from_right.is_some_and(|r| r != take_right) {
            switches += 1;
        }
        from_right = Some(take_right);
        if take_right {
            j += 1;
        } else {
            i += 1;
        }
    }
    switches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;

    fn decide(strings: &[String]) -> bool {
        favours_timsort(strings.len(), |i| Some(strings[i].as_bytes()))
    }

    fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
        for i in (1..v.len()).rev() {
            v.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
    }

    /// A directory tree as a walk yields it: directories of `files` files (names in random
    /// order), `depth` levels under a long root, the directories in random order too.
    fn walk(n: usize, files: usize, rng: &mut Rng) -> Vec<String> {
        let root = "/root/.pyenv/versions/3.13.0/lib/python3.13/site-packages";
        let mut dirs: Vec<String> = (0..n.div_ceil(files))
            .map(|d| format!("{root}/pkg{}/_vendor/sub{}/module_{d:04}", d % 3, d / 3 % 5))
            .collect();
        shuffle(&mut dirs, rng);
        let mut out = Vec::new();
        for dir in dirs {
            let mut names: Vec<String> = (0..files)
                .map(|_| format!("{dir}/file_{:08x}.py", rng.next() % (1 << 32)))
                .collect();
            shuffle(&mut names, rng);
            out.extend(names);
        }
        out.truncate(n);
        out
    }

    fn words(n: usize, rng: &mut Rng) -> Vec<String> {
        (0..n)
            .map(|_| {
                let len = 3 + rng.next() % 10;
                (0..len)
                    .map(|_| char::from(b'a' + (rng.next() % 26) as u8))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn deep_short_lists_and_blocks_go_to_timsort() {
        let mut rng = Rng(17);
        for n in [100, 1000, 2000] {
            let mut paths = walk(n, 12, &mut rng);
            assert!(decide(&paths), "walk order, n={n}");
            shuffle(&mut paths, &mut rng);
            assert!(decide(&paths), "deep, shuffled, n={n}");
        }
        for n in [10_000, 100_000] {
            let paths = walk(n, 12, &mut rng);
            assert!(decide(&paths), "walk order, n={n}");
        }
    }

    #[test]
    fn other_strings_stay_with_the_string_sort() {
        let mut rng = Rng(29);
        for n in [100, 1000, 2000, 10_000, 100_000] {
            let w = words(n, &mut rng);
            assert!(!decide(&w), "words, n={n}");
            // Shallow strings sharing a long prefix: distinguished right after it.
            let urls: Vec<String> = words(n, &mut rng)
                .iter()
                .map(|w| format!("https://www.example.com/{w}"))
                .collect();
            assert!(!decide(&urls), "urls, n={n}");
        }
        for n in [10_000, 100_000] {
            // Deep but long: the string sort wins from ~3,000 strings on.
            let mut paths = walk(n, 12, &mut rng);
            shuffle(&mut paths, &mut rng);
            assert!(!decide(&paths), "deep, shuffled, n={n}");
            // Big groups (a directory of 5,000): timsort would sort each group whole.
            let paths = walk(n, 5000, &mut rng);
            assert!(!decide(&paths), "big directories, n={n}");
        }
        // From BLOCKS_MAX on the string sort has threads.
        let paths = walk(BLOCKS_MAX, 12, &mut rng);
        assert!(!decide(&paths), "walk order, n={BLOCKS_MAX}");
    }

    #[test]
    fn unreadable_strings_end_the_sample() {
        let mut rng = Rng(3);
        let paths = walk(1000, 12, &mut rng);
        let readable = |i: usize| !(400..600).contains(&i);
        assert!(decide(&paths));
        assert!(!favours_timsort(paths.len(), |i| readable(i).then(|| paths[i].as_bytes())));
    }

    #[test]
    fn switches_count_block_changes() {
        let l: Vec<&[u8]> = vec![b"a", b"b", b"x", b"y"];
        let r: Vec<&[u8]> = vec![b"c", b"d", b"z"];
        assert_eq!(merge_switches(&l, &r), 3); // a b | c d | x y | z
        let r: Vec<&[u8]> = vec![b"b", b"c"];
        // Equal strings: the left one first (stable), then the right.
        assert_eq!(merge_switches(&l, &r), 2); // a b | b c | x y
        assert_eq!(merge_switches(&l, &[]), 0);
    }
}
