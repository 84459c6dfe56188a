//! Keys read straight from the objects of a list with no key function, for the paths that sort
//! a list on the calling thread without timsort ([`presorted`](super::presorted) and
//! [`short`](super::short)).
//!
//! Only exact ints in 64 bits, non-NaN floats, compact strs and bytes, all of the first item's
//! kind: their keys compare exactly as the objects do (ASCII strs as bytes, whose order is code
//! point order; other strs through `PyUnicode_Compare`), and their comparisons in timsort run
//! no Python code and cannot raise. The stable order of such a total order is unique: whatever
//! sorts the items stably by these keys gives `list.sort`'s result, object for object.

use std::cell::Cell;
use std::cmp::Ordering;

use python3_sys::{PyObject, PyUnicode_Compare};

use super::layout::{Kind, Layout, Str};
use crate::algo::numeric::Number;

/// A key read by [`with_keys`]: ordered as the objects it was read from are.
pub trait ExactKey: PartialOrd + Copy {
    /// Whether [`ExactKey::word`] gives the key as a machine word.
    const WORD: bool = false;

    /// The key as a word whose unsigned order is the key's order (equal keys, `-0.0` and
    /// `0.0` too, give equal words), for numbers ([`Number::key`]).
    fn word(self) -> u64 {
        0
    }
}

impl ExactKey for i64 {
    const WORD: bool = true;

    fn word(self) -> u64 {
        self.key()
    }
}

impl ExactKey for f64 {
    const WORD: bool = true;

    fn word(self) -> u64 {
        self.key()
    }
}

impl ExactKey for &[u8] {}

impl ExactKey for Text<'_> {}

/// Work on items once their kind is known, given two readers of an item's key: `key` checks
/// that the item is of that kind and reads its key (`None`: refused), `known` reads the key of
/// an item `key` accepted without checking again (a merge compares ~n log2(runs) pairs, and two
/// type checks a pair made it slower than timsort).
pub trait WithKeys {
    type Output;

    /// # Safety
    /// GIL held while `key` and `known` run or keys they returned are compared; `known` only
    /// on items `key` accepted, alive since.
    unsafe fn run<K: ExactKey>(
        self,
        key: impl Fn(*mut PyObject) -> Option<K>,
        known: impl Fn(*mut PyObject) -> K,
    ) -> Self::Output;
}

/// Runs `work` with the key readers of `first`'s kind; `None` if `first` is of none of ours.
///
/// # Safety
/// GIL held; every item given to the readers is alive, and is kept alive by the caller (the
/// taken array) as long as its key is used.
#[inline(always)]
pub unsafe fn with_keys<W: WithKeys>(
    layout: &Layout,
    first: *mut PyObject,
    work: W,
) -> Option<W::Output> {
    // SAFETY (every closure): GIL held; the items are alive and immutable. `key` (the first
    // closure) checks an item's type, and that a str is compact, before reading it; `known`
    // (the second) reads only items `key` accepted.
    let done = match layout.kind(first)? {
        Kind::Int => work.run(
            |o| unsafe {
                if layout.is(o, Kind::Int) {
                    layout.compact_int(o).or_else(|| layout.int(o))
                } else {
                    None
                }
            },
            |o| unsafe { layout.compact_int(o).unwrap_or_else(|| wide_int(layout, o)) },
        ),
        Kind::Float => work.run(
            |o| unsafe {
                if layout.is(o, Kind::Float) {
                    Some(layout.float(o)).filter(|x| !x.is_nan())
                } else {
                    None
                }
            },
            |o| unsafe { layout.float(o) },
        ),
        Kind::Str => {
            // Whether a str that is not ASCII was read: until then `known` reads the
            // characters without looking at the str's state (see `Layout::ascii`).
            let wide = Cell::new(false);
            work.run(
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
        Kind::Bytes => work.run(
            |o| unsafe { layout.is(o, Kind::Bytes).then(|| layout.bytes(o)) },
            |o| unsafe { layout.bytes(o) },
        ),
    };
    Some(done)
}

/// The value of an int of two or three digits that `key` accepted. Out of line: inlined, it
/// made the merges' comparison too big to inline, and a call per comparison made merging ints
/// twice as slow as merging floats.
///
/// # Safety
/// GIL held; `obj` an exact int in 64 bits, alive.
#[cold]
#[inline(never)]
unsafe fn wide_int(layout: &Layout, obj: *mut PyObject) -> i64 {
    layout.int(obj).unwrap_or(0) // always Some: checked when its key was first read
}

/// A str's key: its characters if it is ASCII (compared as bytes, which is code point order),
/// else the str itself, compared by `PyUnicode_Compare` as Python compares strs.
#[derive(Clone, Copy)]
pub struct Text<'k> {
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
        // SAFETY: `Text`s are made only by `with_keys`'s readers, with the GIL held, of live,
        // exact, compact strs (never a not-ready one), and compared while it is held:
        // comparing two runs no Python code, cannot fail and does not allocate.
        Some(unsafe { PyUnicode_Compare(self.obj, other.obj) }.cmp(&0))
    }
}
