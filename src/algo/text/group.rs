//! Sorting one group of strings that share their first `depth` bytes, on one thread: MSD radix
//! on 7-byte chunks ([`chunk::key_at`]), a comparison sort for small groups, and a jump over
//! the whole common prefix when every string of a group agrees on a chunk.

use std::cmp::Ordering;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering as Atomic};

use super::chunk::{common_prefix, continues, key_at, STEP};
use crate::algo::prefetch::prefetch;
use crate::algo::{radix, Cancel, Error};

/// A string's place in the sort: its key at the current depth and its input index.
///
/// Invariant that makes the sort stable: the records of every group are in ascending index
/// order when the group is entered (true of the input; kept by the stable radix sort, the
/// stable sort of groups with few distinct keys, and by sorting other groups with the index
/// as the last tie-breaker). Equal strings therefore come out in input order, in both
/// directions (descending flips the keys, not the index).
///
/// 16 bytes, so that the comparison sorts of small groups move it as one pair of words (a
/// 24-byte record with the next key in it made them a third slower); the next key lives in
/// [`Ctx::next`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Rec {
    pub key: u64,
    pub idx: u32,
}

/// What every worker reads: the strings, the direction, the cancel flag.
pub struct Ctx<'a> {
    pub keys: &'a [&'a [u8]],
    /// Per string (by input index), its key one level below the depth it was last read at:
    /// written by [`fill`], read by [`promote`]. Why: reading a string is the cost of the
    /// sort (a cache miss per string per level when the strings are scattered in memory),
    /// and one read gives two chunks, which share a cache line; a group one level deeper then
    /// takes its keys from here without reading any string (on file paths, whose
    /// distinguishing prefix is ~60-90 bytes, that halves the levels that read strings).
    /// Atomics only so that threads sorting disjoint groups can share the array; every
    /// access is relaxed (a plain load or store on x86-64 and ARM).
    ///
    /// Empty when not worth it: below [`NEXT_MIN`] strings, which stay in the CPU's caches,
    /// computing the next key cost more than reading the strings again (~10 % on 1,000
    /// random words).
    pub next: &'a [AtomicU64],
    /// `u64::MAX` for a descending sort (keys are complemented), else 0.
    pub flip: u64,
    pub cancel: &'a Cancel,
}

impl<'a> Ctx<'a> {
    /// Whether [`fill`] at `depth` stores the next keys ([`Ctx::next`]): not at the top level,
    /// where random strings mostly part ways (the next key would be wasted work), nor for few
    /// strings.
    #[inline(always)]
    pub fn fills_next(&self, depth: usize) -> bool {
        depth > 0 && !self.next.is_empty()
    }

    /// Whether an oriented key belongs to a string that goes on past its chunk.
    #[inline(always)]
    pub fn continues(&self, key: u64) -> bool {
        continues(key ^ self.flip)
    }

    /// The string of `idx` from `depth` on (empty if it is shorter).
    #[inline(always)]
    pub fn rest(&self, idx: u32, depth: usize) -> &'a [u8] {
        self.keys[idx as usize].get(depth..).unwrap_or(&[])
    }
}

/// Work between two polls of the cancel flag, in records touched or 8-byte words compared:
/// well under a millisecond, so Ctrl-C is answered at once however long the strings are.
const POLL_WORK: usize = 1 << 16;
/// Groups up to this size are sorted by comparing their keys, and the rest of the strings
/// where the keys tie ([`compare_sort`]).
const COMPARE_MAX: usize = 32;
/// Groups up to this size whose keys are not cached are sorted by comparing whole strings:
/// reading their keys first costs more than it saves on so few.
const COMPARE_WHOLE_MAX: usize = 8;
/// From this many strings on, the sort keeps each string's next key ([`Ctx::next`]).
pub const NEXT_MIN: usize = 1 << 14;
/// Groups from this size on are ordered by the radix sort, smaller ones by a comparison sort.
const RADIX_MIN: usize = 1 << 10;
/// A group with at least one record in this many whose key equals the one before it holds
/// few distinct keys (see [`order_by_key`]).
const FEW_DISTINCT: usize = 16;
/// How far ahead `fill` asks for strings (and for the slices that point at them).
const AHEAD: usize = 8;

/// Counts work and polls the cancel flag every [`POLL_WORK`] units.
pub struct Budget<'a> {
    left: usize,
    cancel: &'a Cancel,
}

impl<'a> Budget<'a> {
    pub fn new(cancel: &'a Cancel) -> Self {
        Budget {
            left: POLL_WORK,
            cancel,
        }
    }

    #[inline(always)]
    pub fn spend(&mut self, units: usize) -> Result<(), Error> {
        if units < self.left {
            self.left -= units;
            Ok(())
        } else {
            self.left = POLL_WORK;
            self.cancel.check()
        }
    }
}

/// Sorts `recs`, whose strings all share their first `depth` bytes, by the rest of them.
/// `cached`: [`Ctx::next`] holds the records' keys at `depth` (the group was filled one
/// level up).
pub fn sort_group(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    cached: bool,
    budget: &mut Budget,
) -> Result<(), Error> {
    let mut recs = recs;
    let mut depth = depth;
    let mut cached = cached;
    loop {
        let n = recs.len();
        if n <= 1 {
            return Ok(());
        }
        if n <= COMPARE_WHOLE_MAX && !cached {
            return compare_whole(ctx, recs, depth, budget);
        }
        // `fresh`: the keys were read from the strings just now, so `ctx.next` holds the
        // keys one level down.
        let fresh = !cached && ctx.fills_next(depth);
        let filled = if cached {
            promote(ctx, recs)
        } else {
            fill(ctx, recs, depth, true, budget)?
        };
        budget.spend(n)?;
        if filled.min == filled.max {
            if !ctx.continues(filled.min) {
                return Ok(()); // all equal: index order is the stable order
            }
            // Every string agrees on this chunk: skip the whole common prefix at once.
            depth += match filled.shared {
                Some(len) => len,
                None => STEP + shared_prefix(ctx, recs, depth + STEP, budget)?,
            };
            cached = false;
            continue;
        }
        if n <= COMPARE_MAX {
            return compare_sort(ctx, recs, depth, fresh, budget);
        }
        order_by_key(recs, &filled, ctx.cancel)?;
        budget.spend(n)?;
        // Recurse into every run of equal keys that goes on, except the largest, which this
        // loop takes next: the recursion then only enters runs of at most half the group, so
        // its depth stays below log2(n) whatever the data.
        let mut largest: Option<Range<usize>> = None;
        let mut next = 0;
        while next < n {
            let key = recs[next].key;
            let run = next..next + recs[next..].iter().take_while(|r| r.key == key).count();
            next = run.end;
            if run.len() < 2 || !ctx.continues(key) {
                continue;
            }
            let smaller = match &largest {
                Some(big) if big.len() >= run.len() => run,
                _ => largest.replace(run).unwrap_or(0..0),
            };
            sort_group(ctx, &mut recs[smaller], depth + STEP, fresh, budget)?;
        }
        let Some(big) = largest else {
            return Ok(());
        };
        recs = &mut std::mem::take(&mut recs)[big];
        depth += STEP;
        cached = fresh;
    }
}

/// Sorts each run of equal keys of `recs` (filled at `depth`, then ordered by their keys) by
/// the rest of the strings.
pub fn sort_runs(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    budget: &mut Budget,
) -> Result<(), Error> {
    let cached = ctx.fills_next(depth);
    let mut start = 0;
    while start < recs.len() {
        let key = recs[start].key;
        let end = start + recs[start..].iter().take_while(|r| r.key == key).count();
        if end - start > 1 && ctx.continues(key) {
            sort_group(ctx, &mut recs[start..end], depth + STEP, cached, budget)?;
        }
        budget.spend(1)?;
        start = end;
    }
    Ok(())
}

/// The runs of equal keys of `recs`, in order.
pub fn runs(recs: &[Rec]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= recs.len() {
            return None;
        }
        let key = recs[start].key;
        let end = start + recs[start..].iter().take_while(|r| r.key == key).count();
        let run = start..end;
        start = end;
        Some(run)
    })
}

/// What [`fill`] (or [`promote`]) found of a group's keys.
pub struct Filled {
    pub min: u64,
    pub max: u64,
    /// When every key is equal and it was asked for: the length of the prefix every string
    /// shares from `depth` on.
    pub shared: Option<usize>,
    /// How many records have the same key as the record before them.
    pub repeats: usize,
}

/// Stores every record's key at `depth` (and, where [`Ctx::fills_next`], its key at
/// `depth + STEP` in [`Ctx::next`]); returns the smallest and largest key. With `lcp`, while every key so far equals the first, also measures how far
/// the strings agree with the first string: a group whose strings share a long prefix (a
/// directory) then skips it without reading every string a second time. Polls the budget
/// per string, since that prefix can be long.
pub fn fill(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    lcp: bool,
    budget: &mut Budget,
) -> Result<Filled, Error> {
    let first = recs.first().map_or(&[][..], |r| ctx.rest(r.idx, depth));
    let first_key = key_at(first, 0) ^ ctx.flip;
    let mut acc = Filled {
        min: u64::MAX,
        max: 0,
        shared: None,
        repeats: 0,
    };
    let mut last = !first_key;
    let with_next = ctx.fills_next(depth);
    let mut i = 0;
    if lcp {
        // While every key equals the first, measure the shared prefix too.
        let mut len = first.len();
        while i < recs.len() {
            let rest = fill_one(ctx, recs, i, depth, with_next, &mut acc, &mut last);
            if recs[i].key != first_key {
                break;
            }
            len = common_prefix(&first[..len], rest);
            budget.spend(len / 8)?;
            i += 1;
        }
        if i == recs.len() {
            acc.shared = Some(len);
            return Ok(acc);
        }
        i += 1; // the record that differed is filled already
    }
    // Two loops, so that the common one keeps its state in registers.
    if with_next {
        for i in i..recs.len() {
            fill_one(ctx, recs, i, depth, true, &mut acc, &mut last);
        }
    } else {
        for i in i..recs.len() {
            fill_one(ctx, recs, i, depth, false, &mut acc, &mut last);
        }
    }
    Ok(acc)
}

/// [`fill`]'s work on record `i`; returns its string from `depth` on.
#[inline(always)]
fn fill_one<'a>(
    ctx: &Ctx<'a>,
    recs: &mut [Rec],
    i: usize,
    depth: usize,
    with_next: bool,
    acc: &mut Filled,
    last: &mut u64,
) -> &'a [u8] {
    // Two hops per record (index -> slice -> bytes), both usually cache misses when the
    // records are no longer in input order: ask for both early.
    if let Some(r) = recs.get(i + 2 * AHEAD) {
        prefetch(&ctx.keys[r.idx as usize]);
    }
    if let Some(r) = recs.get(i + AHEAD) {
        prefetch(ctx.rest(r.idx, depth).as_ptr());
    }
    let rest = ctx.rest(recs[i].idx, depth);
    let raw = key_at(rest, 0);
    let key = raw ^ ctx.flip;
    recs[i].key = key;
    if with_next && continues(raw) {
        ctx.next[recs[i].idx as usize].store(key_at(rest, STEP) ^ ctx.flip, Atomic::Relaxed);
    }
    acc.min = acc.min.min(key);
    acc.max = acc.max.max(key);
    acc.repeats += usize::from(key == *last);
    *last = key;
    rest
}

/// Takes every record's next key ([`Ctx::next`]) as its key: its group was filled one level
/// up, so no string is read.
fn promote(ctx: &Ctx, recs: &mut [Rec]) -> Filled {
    let (mut min, mut max) = (u64::MAX, 0);
    let mut repeats = 0;
    let mut last = None;
    for r in recs.iter_mut() {
        r.key = ctx.next[r.idx as usize].load(Atomic::Relaxed);
        min = min.min(r.key);
        max = max.max(r.key);
        repeats += usize::from(last == Some(r.key));
        last = Some(r.key);
    }
    Filled {
        min,
        max,
        shared: None,
        repeats,
    }
}

/// Length of the prefix that every string of `recs` shares from `from` on.
pub fn shared_prefix(
    ctx: &Ctx,
    recs: &[Rec],
    from: usize,
    budget: &mut Budget,
) -> Result<usize, Error> {
    let Some(first) = recs.first() else {
        return Ok(0);
    };
    shared_with(ctx, ctx.rest(first.idx, from), &recs[1..], from, budget)
}

/// Length of the prefix of `first` that every string of `recs` has from `from` on.
pub fn shared_with(
    ctx: &Ctx,
    first: &[u8],
    recs: &[Rec],
    from: usize,
    budget: &mut Budget,
) -> Result<usize, Error> {
    let mut len = first.len();
    for r in recs {
        len = common_prefix(&first[..len], ctx.rest(r.idx, from));
        budget.spend(1 + len / 8)?;
        if len == 0 {
            break;
        }
    }
    Ok(len)
}

/// Orders `recs` by key, stably, as [`fill`] or [`promote`] found them.
pub fn order_by_key(recs: &mut [Rec], filled: &Filled, cancel: &Cancel) -> Result<(), Error> {
    let (min, max) = (filled.min, filled.max);
    if recs.len() >= RADIX_MIN {
        let bits = 64 - (max - min).leading_zeros();
        radix::sort_by_key(recs, |r| r.key - min, bits, 1, cancel)
    } else if filled.repeats * FEW_DISTINCT < recs.len() {
        // Mostly distinct keys: pdqsort, on (key, index) since the indices are distinct, so
        // this order is the stable one.
        recs.sort_unstable_by_key(|r| (r.key, r.idx));
        Ok(())
    } else {
        // Few distinct keys (neighbours often equal), as deep in file paths or URLs, often in
        // blocks (a directory): a stable merge sort that finds runs orders them in a few
        // passes, where pdqsort on (key, index) measured 40 % of sorting 1,000 paths. Its
        // scratch is at most RADIX_MIN records (on the stack up to 4 KB, else a bounded heap
        // buffer).
        recs.sort_by_key(|r| r.key);
        Ok(())
    }
}

/// Sorts a small group whose keys at `depth` are in its records (and, if `fresh`, its keys at
/// `depth + STEP` too) by those keys, then (for keys that tie and go on) by the rest of the
/// strings, then by index. Most pairs are told apart by the keys alone, read in one
/// prefetched pass: comparing whole strings instead (a `memcmp` of two strings scattered in
/// memory per comparison) took half the time of sorting 1e5 ISO timestamps, whose groups of
/// ~10 share their first 14 bytes.
fn compare_sort(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    fresh: bool,
    budget: &mut Budget,
) -> Result<(), Error> {
    let descending = ctx.flip != 0;
    let by_rest = |a: &Rec, b: &Rec, from: usize| {
        let by_bytes = ctx.rest(a.idx, from).cmp(ctx.rest(b.idx, from));
        if descending {
            by_bytes.reverse()
        } else {
            by_bytes
        }
    };
    recs.sort_unstable_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| {
                if !ctx.continues(a.key) {
                    Ordering::Equal
                } else if !fresh {
                    by_rest(a, b, depth + STEP)
                } else {
                    let next = |r: &Rec| ctx.next[r.idx as usize].load(Atomic::Relaxed);
                    let (a_next, b_next) = (next(a), next(b));
                    a_next.cmp(&b_next).then_with(|| {
                        if ctx.continues(a_next) {
                            by_rest(a, b, depth + 2 * STEP)
                        } else {
                            Ordering::Equal
                        }
                    })
                }
            })
            .then(a.idx.cmp(&b.idx))
    });
    budget.spend(recs.len() * 4)
}

/// Sorts a small group by comparing the strings from `depth` on (then the indices).
fn compare_whole(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    budget: &mut Budget,
) -> Result<(), Error> {
    let descending = ctx.flip != 0;
    recs.sort_unstable_by(|a, b| {
        let by_bytes = ctx.rest(a.idx, depth).cmp(ctx.rest(b.idx, depth));
        let by_bytes = if descending {
            by_bytes.reverse()
        } else {
            by_bytes
        };
        by_bytes.then(a.idx.cmp(&b.idx))
    });
    budget.spend(recs.len() * 4)
}
