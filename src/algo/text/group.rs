//! Sorting one group of strings that share their first `depth` bytes, on one thread: MSD radix
//! on 7-byte chunks ([`chunk::key_at`]), a comparison sort for small groups, and a jump over
//! the whole common prefix when every string of a group agrees on a chunk.

use std::ops::Range;

use super::chunk::{common_prefix, continues, key_at, STEP};
use crate::algo::prefetch::prefetch;
use crate::algo::{radix, Cancel, Error};

/// A string's place in the sort: its key at the current depth and its input index.
///
/// Invariant that makes the sort stable: the records of every group are in ascending index
/// order when the group is entered (true of the input; kept by the stable radix sort and by
/// sorting small groups on (key, index)). Equal strings therefore come out in input order,
/// in both directions (descending flips the key, not the index).
#[derive(Clone, Copy, Debug, Default)]
pub struct Rec {
    pub key: u64,
    pub idx: u32,
}

/// What every worker reads: the strings, the direction, the cancel flag.
pub struct Ctx<'a> {
    pub keys: &'a [&'a [u8]],
    /// `u64::MAX` for a descending sort (keys are complemented), else 0.
    pub flip: u64,
    pub cancel: &'a Cancel,
}

impl Ctx<'_> {
    /// The key of record `r`'s string at `depth`, oriented (flipped for descending).
    #[inline(always)]
    pub fn key(&self, idx: u32, depth: usize) -> u64 {
        key_at(self.keys[idx as usize], depth) ^ self.flip
    }

    /// Whether an oriented key belongs to a string that goes on past its chunk.
    #[inline(always)]
    pub fn continues(&self, key: u64) -> bool {
        continues(key ^ self.flip)
    }

    /// The string of `idx` from `depth` on (empty if it is shorter).
    #[inline(always)]
    pub fn rest(&self, idx: u32, depth: usize) -> &[u8] {
        self.keys[idx as usize].get(depth..).unwrap_or(&[])
    }
}

/// Work between two polls of the cancel flag, in records touched or 8-byte words compared:
/// well under a millisecond, so Ctrl-C is answered at once however long the strings are.
const POLL_WORK: usize = 1 << 16;
/// Groups up to this size are sorted by comparing whole strings.
const COMPARE_MAX: usize = 24;
/// Groups from this size on are ordered by the radix sort, smaller ones by `sort_unstable`.
const RADIX_MIN: usize = 1 << 10;
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
pub fn sort_group(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    budget: &mut Budget,
) -> Result<(), Error> {
    let mut recs = recs;
    let mut depth = depth;
    loop {
        let n = recs.len();
        if n <= 1 {
            return Ok(());
        }
        if n <= COMPARE_MAX {
            return compare_sort(ctx, recs, depth, budget);
        }
        let (min, max) = fill(ctx, recs, depth);
        budget.spend(n)?;
        if min == max {
            if !ctx.continues(min) {
                return Ok(()); // all equal: index order is the stable order
            }
            // Every string agrees on this chunk: skip the whole common prefix at once.
            depth += STEP + shared_prefix(ctx, recs, depth + STEP, budget)?;
            continue;
        }
        order_by_key(recs, min, max, ctx.cancel)?;
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
            sort_group(ctx, &mut recs[smaller], depth + STEP, budget)?;
        }
        let Some(big) = largest else {
            return Ok(());
        };
        recs = &mut std::mem::take(&mut recs)[big];
        depth += STEP;
    }
}

/// Sorts each run of equal keys of `recs` (already ordered by their keys at `depth`) by the
/// rest of the strings.
pub fn sort_runs(
    ctx: &Ctx,
    recs: &mut [Rec],
    depth: usize,
    budget: &mut Budget,
) -> Result<(), Error> {
    let mut start = 0;
    while start < recs.len() {
        let key = recs[start].key;
        let end = start + recs[start..].iter().take_while(|r| r.key == key).count();
        if end - start > 1 && ctx.continues(key) {
            sort_group(ctx, &mut recs[start..end], depth + STEP, budget)?;
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

/// Stores every record's key at `depth`; returns the smallest and largest.
pub fn fill(ctx: &Ctx, recs: &mut [Rec], depth: usize) -> (u64, u64) {
    let (mut min, mut max) = (u64::MAX, 0);
    for i in 0..recs.len() {
        // Two hops per record (index -> slice -> bytes), both usually cache misses when the
        // records are no longer in input order: ask for both early.
        if let Some(r) = recs.get(i + 2 * AHEAD) {
            prefetch(&ctx.keys[r.idx as usize]);
        }
        if let Some(r) = recs.get(i + AHEAD) {
            prefetch(ctx.rest(r.idx, depth).as_ptr());
        }
        let key = ctx.key(recs[i].idx, depth);
        recs[i].key = key;
        min = min.min(key);
        max = max.max(key);
    }
    (min, max)
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

/// Orders `recs` by key, stably, keys within `min..=max`.
pub fn order_by_key(recs: &mut [Rec], min: u64, max: u64, cancel: &Cancel) -> Result<(), Error> {
    if recs.len() >= RADIX_MIN {
        let bits = 64 - (max - min).leading_zeros();
        radix::sort_by_key(recs, |r| r.key - min, bits, 1, cancel)
    } else {
        // The indices are distinct, so this order is the stable one.
        recs.sort_unstable_by_key(|r| (r.key, r.idx));
        Ok(())
    }
}

/// Sorts a small group by comparing the strings from `depth` on (then the indices).
fn compare_sort(
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
