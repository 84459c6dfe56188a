//! Whether to hand a list straight to CPython's `list.sort`, decided on a small sample before
//! any key is read (reading every key costs a pass over the list, and with scattered objects a
//! cache miss per item: as much as timsort's whole sort of an input made of few runs).
//!
//! Four cheap questions, in this order:
//! - the kinds: the first, the last and evenly spaced items must be of kinds that classify as
//!   fast together (a list whose last item is a str or a NaN would otherwise be read whole
//!   before failing);
//! - the encoded kinds (tuples, ints beyond 64 bits, ints mixed with floats) pay an encoding
//!   per key read with the GIL: below [`ENCODED_MIN`] items that costs more than it saves;
//! - the runs, as timsort sees them ([`run_sample`](crate::algo::run_sample)): timsort sorts
//!   few long runs, or a nearly sorted list, in about one comparison per item, and no radix
//!   sort that first reads every key beats that;
//! - for strs and bytes, their shape ([`text_sample`]): deep strings in a short list, and
//!   blocks (file paths in the order a directory walk yields them), which timsort sorts with
//!   fewer reads of each string than the string sort.
//!
//! The sample compares two ints in 64 bits, two floats, two ASCII strs or two bytes by reading
//! them straight from the objects ([`layout`], a few ns a pair where the C API takes 10-20 ns:
//! on a sorted list of a few hundred items, the sample costs a tenth of timsort's whole sort).
//! Other pairs go through `PyObject_RichCompareBool`, but only pairs whose comparison
//! runs no Python code and cannot fail: exact ints, floats, strs and bytes, and tuples of
//! those, of kinds that compare with each other. Any other pair ends the sampling with "no
//! handover", so a user's `__lt__` is never called outside CPython's own sort, and the sequence
//! of comparisons CPython's sort then makes is exactly its own. The sample only decides who
//! sorts; either way the result is CPython's.

use python3_sys::{
    PyBool_Check, PyBytes_CheckExact, PyErr_Clear, PyFloat_AsDouble, PyFloat_CheckExact,
    PyLong_AsLongLongAndOverflow, PyLong_CheckExact, PyObject, PyObject_RichCompareBool,
    PyTuple_CheckExact, PyTuple_GET_ITEM, PyTuple_GET_SIZE, PyUnicode_CheckExact, Py_LT,
};
use std::os::raw::c_int;

use super::layout::{Kind as Exact, Layout, Str};
use crate::algo::run_sample::{runs_favour_timsort, SAMPLE_SHARE};
use crate::algo::text_sample;

/// Below this many items, tuples, ints beyond 64 bits and ints mixed with floats go to
/// CPython's sort: their keys are encoded one by one with the GIL, and at 1e5 scattered items
/// that measured 0.65x to 0.89x of `sorted()`'s time (loaded 2-core machine).
pub const ENCODED_MIN: usize = 1 << 18;

/// Items of the kind sample (plus the first and the last), at most and at least.
const KIND_SAMPLES: usize = 64;
const MIN_KIND_SAMPLES: usize = 2;

/// What a value is, for the kind sample.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An exact int in 64 bits, or a bool.
    Small,
    /// An exact int beyond 64 bits.
    Big,
    /// An exact non-NaN float.
    Float,
    Str,
    Bytes,
    Tuple,
    /// Anything else, a NaN included: classification would fail.
    Other,
}

/// # Safety
/// GIL held; `obj` alive.
unsafe fn kind(layout: Option<&Layout>, obj: *mut PyObject) -> Kind {
    match layout.and_then(|layout| Some((layout, layout.kind(obj)?))) {
        Some((layout, Exact::Int)) if layout.int(obj).is_some() => return Kind::Small,
        Some((layout, Exact::Float)) if !layout.float(obj).is_nan() => return Kind::Float,
        Some((_, Exact::Str)) => return Kind::Str,
        Some((_, Exact::Bytes)) => return Kind::Bytes,
        _ => {}
    }
    if PyLong_CheckExact(obj) != 0 {
        let mut overflow: c_int = 0;
        let _ = PyLong_AsLongLongAndOverflow(obj, &mut overflow);
        if overflow == 0 {
            Kind::Small
        } else {
            Kind::Big
        }
    } else if PyBool_Check(obj) != 0 {
        Kind::Small
    } else if PyFloat_CheckExact(obj) != 0 {
        // An exact float: reading it cannot fail.
        if PyFloat_AsDouble(obj).is_nan() {
            Kind::Other
        } else {
            Kind::Float
        }
    } else if PyUnicode_CheckExact(obj) != 0 {
        Kind::Str
    } else if PyBytes_CheckExact(obj) != 0 {
        Kind::Bytes
    } else if PyTuple_CheckExact(obj) != 0 {
        Kind::Tuple
    } else {
        Kind::Other
    }
}

/// Who sorts, and why.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Handover {
    /// The Rust sort.
    No,
    /// `list.sort`: the kinds would fail classification, or need an encoding not worth it.
    Kinds,
    /// `list.sort`: the runs favour timsort (the list may be in order already: see
    /// `presorted`), or, for strings, their shape does (`text_sample`).
    Runs,
}

fn is_number(kind: Kind) -> bool {
    matches!(kind, Kind::Small | Kind::Big | Kind::Float)
}

/// Whether CPython's own sort should sort `objs` (the keys: the items, or what the key
/// function returned): they cannot all be fast keys, or are encoded keys in a short list, or
/// are made of runs timsort sorts faster. `layout` is this interpreter's, if known.
///
/// `computed`: the keys were returned by a key function. Then numbers (ints in 64 bits, or
/// floats) are never handed over for their runs: `list.sort` would have to be fed the keys
/// through a function call per item (see `key_feed`), ~20 ns each, plus its comparisons,
/// where reading them and sorting them in Rust takes a few ns an item however they are
/// ordered (1e4 equal keys: 0.5x of `sorted()` handed over).
///
/// # Safety
/// GIL held; the caller keeps every object of `objs` alive.
pub unsafe fn to_cpython(
    layout: Option<&Layout>,
    objs: &[*mut PyObject],
    computed: bool,
) -> Handover {
    let n = objs.len();
    if n < 2 {
        return Handover::No;
    }
    // The kinds.
    let first = kind(layout, objs[0]);
    if first == Kind::Other {
        return Handover::Kinds;
    }
    let mut encoded = matches!(first, Kind::Big | Kind::Tuple) || PyBool_Check(objs[0]) != 0;
    let samples = (n / (2 * SAMPLE_SHARE)).clamp(MIN_KIND_SAMPLES, KIND_SAMPLES);
    // (The common case, a short list, divides by a constant: a shift, not a division.)
    let step = if samples == MIN_KIND_SAMPLES {
        n / MIN_KIND_SAMPLES
    } else {
        n / samples
    }
    .max(1);
    for i in (step..n).step_by(step).chain([n - 1]) {
        let k = kind(layout, objs[i]);
        if k == first {
            continue;
        }
        if is_number(first) && is_number(k) {
            encoded |= k == Kind::Big || first == Kind::Big || k != first;
            continue;
        }
        return Handover::Kinds; // mixed kinds, a NaN, or an unknown type: classification fails
    }
    if encoded && n < ENCODED_MIN {
        return Handover::Kinds;
    }
    if computed && !encoded && matches!(first, Kind::Small | Kind::Float) {
        return Handover::No;
    }
    let text = matches!(first, Kind::Str | Kind::Bytes);
    // Keys of a key function would be fed back to `list.sort` one call per item.
    let local = !computed;
    let generic = |a, b| less(layout, a, b);
    // The sample's comparisons read the first item's kind without the general dispatch: a
    // sorted list of a few hundred ints takes timsort ~0.4 us, and the general comparison
    // cost a tenth of that for the sample's dozen pairs.
    let runs = match (layout, first) {
        (Some(layout), Kind::Small) => {
            runs_favour_timsort(objs, text, local, |a, b| less_int(layout, a, b, generic))
        }
        (Some(layout), Kind::Float) => {
            runs_favour_timsort(objs, text, local, |a, b| less_float(layout, a, b, generic))
        }
        _ => runs_favour_timsort(objs, text, local, generic),
    };
    if runs {
        return Handover::Runs;
    }
    // Strings whose shape favours timsort although their runs are short: deep ones in a short
    // list, or blocks (paths as a directory walk yields them).
    match layout {
        Some(layout) if text && local && text_favours_timsort(layout, objs) => Handover::Runs,
        _ => Handover::No,
    }
}

/// [`text_sample::favours_timsort`] on the bytes of ASCII strs or bytes read straight from the
/// objects; a str that is not compact ASCII (or any other object) ends the sample with "no".
///
/// # Safety
/// GIL held; the caller keeps every object of `objs` alive, and no Python code runs while the
/// slices (inside those immutable objects) are in use.
unsafe fn text_favours_timsort(layout: &Layout, objs: &[*mut PyObject]) -> bool {
    text_sample::favours_timsort(objs.len(), |i| {
        let obj = objs[i];
        match layout.kind(obj)? {
            Exact::Str => match layout.str(obj) {
                Str::Ascii(bytes) => Some(bytes),
                Str::Other => None,
            },
            Exact::Bytes => Some(layout.bytes(obj)),
            _ => None,
        }
    })
}

/// `a < b` for two ints in 64 bits; other pairs go to `other`.
///
/// # Safety
/// GIL held; both alive.
#[inline(always)]
unsafe fn less_int(
    layout: &Layout,
    a: *mut PyObject,
    b: *mut PyObject,
    other: impl Fn(*mut PyObject, *mut PyObject) -> Option<bool>,
) -> Option<bool> {
    if layout.is(a, Exact::Int) && layout.is(b, Exact::Int) {
        if let (Some(x), Some(y)) = (layout.int(a), layout.int(b)) {
            return Some(x < y);
        }
    }
    other(a, b)
}

/// `a < b` for two non-NaN floats; other pairs go to `other`.
///
/// # Safety
/// GIL held; both alive.
#[inline(always)]
unsafe fn less_float(
    layout: &Layout,
    a: *mut PyObject,
    b: *mut PyObject,
    other: impl Fn(*mut PyObject, *mut PyObject) -> Option<bool>,
) -> Option<bool> {
    if layout.is(a, Exact::Float) && layout.is(b, Exact::Float) {
        let (x, y) = (layout.float(a), layout.float(b));
        if !x.is_nan() && !y.is_nan() {
            return Some(x < y);
        }
    }
    other(a, b)
}

/// `a < b` if that comparison runs no Python code and cannot fail, else `None`.
///
/// # Safety
/// GIL held; both alive.
#[inline(never)] // the uncommon case of the sample's specialised comparisons
unsafe fn less(layout: Option<&Layout>, a: *mut PyObject, b: *mut PyObject) -> Option<bool> {
    if let Some(less) = layout.and_then(|layout| less_read(layout, a, b)) {
        return Some(less);
    }
    if !safe_pair(a, b, 0) {
        return None;
    }
    match PyObject_RichCompareBool(a, b, Py_LT) {
        1 => Some(true),
        0 => Some(false),
        _ => {
            // Not expected for these kinds; the sample is only a heuristic.
            PyErr_Clear();
            None
        }
    }
}

/// `a < b` read straight from the objects if both are ints in 64 bits, non-NaN floats, ASCII
/// strs or bytes (Python's `<` on them is the order of these values); else `None`.
///
/// # Safety
/// GIL held; both alive.
unsafe fn less_read(layout: &Layout, a: *mut PyObject, b: *mut PyObject) -> Option<bool> {
    match (layout.kind(a)?, layout.kind(b)?) {
        (Exact::Int, Exact::Int) => Some(layout.int(a)? < layout.int(b)?),
        (Exact::Float, Exact::Float) => {
            let (x, y) = (layout.float(a), layout.float(b));
            (!x.is_nan() && !y.is_nan()).then_some(x < y)
        }
        (Exact::Str, Exact::Str) => match (layout.str(a), layout.str(b)) {
            (Str::Ascii(x), Str::Ascii(y)) => Some(x < y),
            _ => None,
        },
        (Exact::Bytes, Exact::Bytes) => Some(layout.bytes(a) < layout.bytes(b)),
        _ => None,
    }
}

/// Whether `a < b` (and the element comparisons it makes) is a comparison of builtin values
/// that calls no Python code and cannot raise.
///
/// # Safety
/// GIL held; both alive.
unsafe fn safe_pair(a: *mut PyObject, b: *mut PyObject, depth: u32) -> bool {
    let number =
        |o| PyLong_CheckExact(o) != 0 || PyFloat_CheckExact(o) != 0 || PyBool_Check(o) != 0;
    if number(a) && number(b) {
        return true;
    }
    if PyUnicode_CheckExact(a) != 0 {
        return PyUnicode_CheckExact(b) != 0;
    }
    if PyBytes_CheckExact(a) != 0 {
        return PyBytes_CheckExact(b) != 0;
    }
    if depth < 2 && PyTuple_CheckExact(a) != 0 && PyTuple_CheckExact(b) != 0 {
        // A tuple comparison compares elements with `==` up to the first difference, then
        // that pair with `<`: every pair up to the shorter length must be safe.
        let len = PyTuple_GET_SIZE(a).min(PyTuple_GET_SIZE(b));
        return (0..len)
            .all(|i| safe_pair(PyTuple_GET_ITEM(a, i), PyTuple_GET_ITEM(b, i), depth + 1));
    }
    false
}
