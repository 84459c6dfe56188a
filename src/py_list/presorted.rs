//! Lists the run sample gives to timsort for their runs: the runs are found here, as timsort
//! would find them, by reading each key once ([`algo::presorted`](crate::algo::presorted)),
//! and merged here; timsort sorts at most a short rest. An already sorted list is then never
//! given to timsort at all: 128 sorted ints took `list.sort` ~440 ns and `sort.sort` ~70 ns
//! more (the sample, the call); timsort's run count costs ~3.4 ns an item, where reading a key
//! and comparing it with the one before costs ~0.7 ns (floats) to ~1.4 ns (ints).
//!
//! Only exact ints in 64 bits, non-NaN floats, compact strs and bytes, all of the first item's
//! kind: their keys, read straight from the objects, compare exactly as the objects do (ASCII
//! strs as bytes, whose order is code point order; other strs through `PyUnicode_Compare`),
//! and their comparisons in timsort run no Python code and cannot raise. Every item is checked
//! to be such a key before anything but the runs already read is touched; otherwise those runs
//! are put back as they were and the list goes to `list.sort` whole, which then makes exactly
//! its own comparisons (and raises exactly its own errors).
//!
//! The stable order of a total order is unique: whatever merges the runs, and whatever sorts
//! the rest, the result is the one `list.sort` gives, object for object.

use std::cell::Cell;
use std::cmp::Ordering;

use cpython::{PyErr, PyResult, Python};
use python3_sys::{PyObject, PyUnicode_Compare};

use super::layout::{Kind, Layout, Str};
use super::raw;
use crate::algo::presorted::{first_run, merge_runs};

/// Runs read at most. A sorted list with a few items out of place has a few more runs than
/// it has such items. A list of more goes to timsort having cost the reading of these (file
/// paths in walk order: runs of ~20, so ~300 of 1e6 keys), unless what is left is fewer items
/// than were read: timsort then sorts only that, and it is merged in. With 8, lists of 16
/// interleaved runs measured 0.95x-0.98x of `sorted()` (half of them read, then handed over);
/// with 16, merged here, ints and floats 1.1x-2.3x, strs 0.94x-1.0x.
const MAX_RUNS: usize = 16;

/// Sorts `items` as `list.sort(reverse=reverse)` would if they are keys of one fast kind in
/// at most [`MAX_RUNS`] runs (then a rest) (see the module docs); `false` if they are left to
/// `list.sort`: as they were, or, if only merging ran out of memory, in an arrangement that
/// does not change its result (runs stably merged).
///
/// # Safety
/// GIL held; `items` is a taken array (every item alive, reachable by nobody else).
pub unsafe fn sort(
    py: Python,
    layout: Option<&Layout>,
    items: &mut [*mut PyObject],
    reverse: bool,
) -> PyResult<bool> {
    let (Some(layout), Some(&first)) = (layout, items.first()) else {
        return Ok(false);
    };
    // As `list_sort_impl` does it: a stable sort of the reversed list, reversed back.
    if reverse {
        items.reverse();
    }
    // SAFETY (every closure): GIL held; the items are alive and immutable. `key` (the first
    // closure) checks an item's type, and that a str is compact, before reading it; `known`
    // (the second) reads only items `key` accepted.
    let sorted = match layout.kind(first) {
        Some(Kind::Int) => by_keys(
            py,
            items,
            |o| unsafe {
                if layout.is(o, Kind::Int) {
                    layout.compact_int(o).or_else(|| layout.int(o))
                } else {
                    None
                }
            },
            |o| unsafe { layout.compact_int(o).unwrap_or_else(|| wide_int(layout, o)) },
        ),
        Some(Kind::Float) => by_keys(
            py,
            items,
            |o| unsafe {
                if layout.is(o, Kind::Float) {
                    Some(layout.float(o)).filter(|x| !x.is_nan())
                } else {
                    None
                }
            },
            |o| unsafe { layout.float(o) },
        ),
        Some(Kind::Str) => {
            // Whether a str that is not ASCII was read: until then the merges read the
            // characters without looking at the str's state (see `Layout::ascii`).
            let wide = Cell::new(false);
            by_keys(
                py,
                items,
                |o| unsafe {
                    if !layout.is(o, Kind::Str) {
                        return None;
                    }
                    match layout.str(o) {
                        Str::Ascii(chars) => Some(Text::ascii(o, chars)),
                        Str::Other if layout.is_compact(o) => {
                            wide.set(true);
                            Some(Text::wide(o))
                        }
                        Str::Other => None,
                    }
                },
                |o| unsafe {
                    if !wide.get() {
                        return Text::ascii(o, layout.ascii(o));
                    }
                    match layout.str(o) {
                        Str::Ascii(chars) => Text::ascii(o, chars),
                        Str::Other => Text::wide(o),
                    }
                },
            )
        }
        Some(Kind::Bytes) => by_keys(
            py,
            items,
            |o| unsafe { layout.is(o, Kind::Bytes).then(|| layout.bytes(o)) },
            |o| unsafe { layout.bytes(o) },
        ),
        None => Ok(false),
    };
    if reverse {
        items.reverse();
    }
    sorted
}

/// [`sort`] with `key`, which reads an item's key or refuses it, and `known`, which reads
/// the key of an item `key` accepted (without checking its kind again: the merges compare
/// ~n log2(runs) pairs, and two type checks a pair made them slower than timsort's).
///
/// # Safety
/// As [`sort`]; `key` accepts only items whose comparisons run no Python code.
#[inline(always)]
unsafe fn by_keys<K: PartialOrd>(
    py: Python,
    items: &mut [*mut PyObject],
    key: impl Fn(*mut PyObject) -> Option<K>,
    known: impl Fn(*mut PyObject) -> K,
) -> PyResult<bool> {
    let n = items.len();
    let first = first_run(items, &key);
    if first.len == n {
        return Ok(true);
    }
    // The runs, as timsort would find them (every key read once, and checked), up to
    // MAX_RUNS of them; which ones were reversed, to be put back if timsort is to sort the
    // list after all (so that it makes the comparisons, and raises the errors, it would have).
    let mut ends = [0; MAX_RUNS + 1];
    let mut reversed = [false; MAX_RUNS];
    let (mut runs, mut at) = (0, 0);
    let mut run = first;
    loop {
        at += run.len;
        ends[runs] = at;
        reversed[runs] = run.reversed;
        runs += 1;
        if at == n || runs == MAX_RUNS {
            break;
        }
        run = first_run(&mut items[at..], &key);
        if run.len == 0 {
            break; // a key of another kind
        }
    }
    let give_back = |items: &mut [*mut PyObject]| {
        for r in (0..runs).filter(|&r| reversed[r]) {
            let from = if r == 0 { 0 } else { ends[r - 1] };
            items[from..ends[r]].reverse();
        }
        Ok(false)
    };
    if at < n {
        // Many short runs after long ones (a sorted list with a batch of items appended):
        // timsort sorts those, if they are fewer than the items already read, and all of the
        // one kind. Otherwise it sorts the whole list, which wastes the reading of the runs.
        let rest = &items[at..];
        if rest.len() > at || !rest.iter().all(|&o| key(o).is_some()) {
            return give_back(items);
        }
        if !raw::cpython_sort_part(&mut items[at..]) {
            return Err(PyErr::fetch(py));
        }
        ends[runs] = n;
        runs += 1;
    }
    // Every key was accepted above, and the objects are immutable.
    Ok(merge_runs(items, &mut ends[..runs], |a, b| known(a) < known(b)).is_ok())
}

/// The value of an int of two or three digits that [`sort`] accepted. Out of line: inlined,
/// it made the merges' comparison too big to inline, and a call per comparison made merging
/// ints twice as slow as merging floats.
///
/// # Safety
/// GIL held; `obj` an exact int in 64 bits, alive.
#[cold]
#[inline(never)]
unsafe fn wide_int(layout: &Layout, obj: *mut PyObject) -> i64 {
    layout.int(obj).unwrap_or(0) // always Some: checked when its run was read
}

/// A str's key: its characters if it is ASCII (compared as bytes, which is code point order),
/// else the str itself, compared by `PyUnicode_Compare` as Python compares strs.
#[derive(Clone, Copy)]
struct Text<'k> {
    obj: *mut PyObject,
    ascii: Option<&'k [u8]>,
}

impl<'k> Text<'k> {
    fn ascii(obj: *mut PyObject, chars: &'k [u8]) -> Self {
        Text {
            obj,
            ascii: Some(chars),
        }
    }

    fn wide(obj: *mut PyObject) -> Self {
        Text { obj, ascii: None }
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Text<'_> {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if let (Some(a), Some(b)) = (self.ascii, other.ascii) {
            return a.partial_cmp(b);
        }
        // SAFETY: `Text`s are made only inside `sort`, with the GIL held, of live, exact,
        // compact strs (never a not-ready one): comparing two runs no Python code, cannot
        // fail and does not allocate.
        Some(unsafe { PyUnicode_Compare(self.obj, other.obj) }.cmp(&0))
    }
}
