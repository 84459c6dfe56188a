//! Whether to hand a list straight to CPython's `list.sort`, decided on a small sample before
//! any key is read (reading every key costs a pass over the list, and with scattered objects a
//! cache miss per item: as much as timsort's whole sort of an input made of few runs).
//!
//! Three cheap questions, in this order:
//! - the kinds: the first, the last and evenly spaced items must be of kinds that classify as
//!   fast together (a list whose last item is a str or a NaN would otherwise be read whole
//!   before failing);
//! - the encoded kinds (tuples, ints beyond 64 bits, ints mixed with floats) pay an encoding
//!   per key read with the GIL: below [`ENCODED_MIN`] items that costs more than it saves;
//! - the runs, as timsort sees them: in evenly spaced windows of adjacent items, how many
//!   maximal non-descending or strictly descending runs start, and whether evenly spaced items
//!   across the whole list are (nearly) in order. Timsort sorts few long runs, or a nearly
//!   sorted list, in about one comparison per item: no radix sort that first reads every key
//!   beats that.
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

/// Below this many items, tuples, ints beyond 64 bits and ints mixed with floats go to
/// CPython's sort: their keys are encoded one by one with the GIL, and at 1e5 scattered items
/// that measured 0.65x to 0.89x of `sorted()`'s time (loaded 2-core machine).
pub const ENCODED_MIN: usize = 1 << 18;

/// Items of the kind sample (plus the first and the last), at most and at least.
const KIND_SAMPLES: usize = 64;
const MIN_KIND_SAMPLES: usize = 2;
/// Windows of adjacent items for the run count, and pairs per window, at most.
const WINDOWS: usize = 32;
const WINDOW: usize = 64;
/// Evenly spaced items for the global order, at most.
const SPACED: usize = 65;
/// The run sample compares about one pair in this many (and the kind sample looks at half as
/// many items). It costs what it costs whoever sorts, and timsort sorts an already sorted
/// list of ints in ~4 ns an item, where a sampled comparison costs ~20-40 ns (type checks,
/// and cache misses as the windows are spread out): a fixed 2,000-pair sample made `sort.sort`
/// on a sorted list 0.26x of `list.sort` at 1e3 items, 0.56x at 1e4 and 0.89x at 1e5; one
/// pair in 128 still cost 8 % at 1e4 and 1e5. At one in 256 the sample stays within a few
/// percent of timsort's best case from ~1e4 items on.
const SAMPLE_SHARE: usize = 256;
/// Fewest pairs in a run window (shorter windows say little about runs).
const MIN_WINDOW: usize = 4;

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

fn is_number(kind: Kind) -> bool {
    matches!(kind, Kind::Small | Kind::Big | Kind::Float)
}

/// `true` if CPython's own sort should sort `objs` (the keys: the items, or what the key
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
pub unsafe fn to_cpython(layout: Option<&Layout>, objs: &[*mut PyObject], computed: bool) -> bool {
    let n = objs.len();
    if n < 2 {
        return false;
    }
    // The kinds.
    let first = kind(layout, objs[0]);
    if first == Kind::Other {
        return true;
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
        return true; // mixed kinds, a NaN, or an unknown type: classification fails
    }
    if encoded && n < ENCODED_MIN {
        return true;
    }
    if computed && !encoded && matches!(first, Kind::Small | Kind::Float) {
        return false;
    }
    let text = matches!(first, Kind::Str | Kind::Bytes);
    let generic = |a, b| less(layout, a, b);
    // The sample's comparisons read the first item's kind without the general dispatch: a
    // sorted list of a few hundred ints takes timsort ~0.4 us, and the general comparison
    // cost a tenth of that for the sample's dozen pairs.
    match (layout, first) {
        (Some(layout), Kind::Small) => {
            runs_favour_timsort(objs, text, |a, b| less_int(layout, a, b, generic))
        }
        (Some(layout), Kind::Float) => {
            runs_favour_timsort(objs, text, |a, b| less_float(layout, a, b, generic))
        }
        _ => runs_favour_timsort(objs, text, generic),
    }
}

/// A fixed, well-mixed number for `w` (SplitMix64's finaliser): the sample is the same from
/// run to run, so a list is always handed over or never.
const fn scatter(w: usize) -> u64 {
    let mut x = (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// [`scatter`] of every window's number, computed at compile time.
const SCATTER: [u64; WINDOWS] = {
    let mut table = [0; WINDOWS];
    let mut w = 0;
    while w < WINDOWS {
        table[w] = scatter(w);
        w += 1;
    }
    table
};

/// A number in `0..=max` picked by `w`, without a division (the high half of a 64x64-bit
/// product, as in Lemire's range reduction): the sample's divisions were a third of its
/// time on a short list.
fn offset(w: usize, max: usize) -> usize {
    ((u128::from(SCATTER[w]) * (max as u128 + 1)) >> 64) as usize
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

/// The run sample (see the module docs). `false` as soon as a pair cannot be compared safely,
/// or as soon as the local runs are too short for timsort to win.
///
/// # Safety
/// GIL held; the objects alive.
#[inline(always)] // with the comparison of each kind inlined into it
unsafe fn runs_favour_timsort(
    objs: &[*mut PyObject],
    text: bool,
    less: impl Fn(*mut PyObject, *mut PyObject) -> Option<bool>,
) -> bool {
    let n = objs.len();
    // About n / SAMPLE_SHARE pairs, in up to WINDOWS windows of MIN_WINDOW..=WINDOW pairs.
    // At least two windows: random items make a monotone window of 4 pairs one time in 60,
    // and with one window that many random lists were handed over (found by a fault-injection
    // test whose 1,000 random wide ints never reached the Rust sort); two make it 1 in 3,600.
    let budget = (n / SAMPLE_SHARE).clamp(2 * MIN_WINDOW, WINDOWS * WINDOW);
    let (window, windows) = if budget == 2 * MIN_WINDOW && n > budget {
        // The fewest pairs (a list of under ~2,000 items), in constants: the divisions below
        // were a third of the sample's time on a short list.
        (MIN_WINDOW, 2)
    } else {
        let window = (budget / WINDOWS).clamp(MIN_WINDOW, WINDOW).min(n - 1);
        let windows = (budget / window).min((n - 1) / window).clamp(1, WINDOWS);
        (window, windows)
    };
    let pairs = window * windows;
    // Local runs: boundaries between timsort's runs inside the windows. Random input has a
    // boundary every ~3 pairs; once there are more than pairs / 8 (runs of 8 on average),
    // timsort's runs are short and the Rust sort wins: stop there.
    let allowed = pairs / 8;
    let mut boundaries = 0;
    // Window w starts somewhere in the w-th of `windows` equal stretches, at an offset that
    // varies from window to window: evenly spaced windows alias with evenly spaced run
    // boundaries (16 sorted runs of 625 items: 9 windows 1,249 items apart each straddled
    // one boundary, and the list, which timsort sorts in one merge pass, went to the Rust
    // sort at 0.88x of `sorted()`).
    let span = n - 1 - window; // the last possible start
    let stretch = if windows == 2 {
        span / 2
    } else {
        span / windows
    };
    for w in 0..windows {
        let start = w * stretch + offset(w, stretch);
        let mut descending: Option<bool> = None; // direction of the current run, once known
        for i in start..start + window {
            let Some(down) = less(objs[i + 1], objs[i]) else {
                return false;
            };
            match descending {
                None => descending = Some(down),
                Some(d) if d == down => {}
                Some(_) => {
                    boundaries += 1;
                    if boundaries > allowed {
                        return false;
                    }
                    descending = None; // the next pair starts a new run
                }
            }
        }
    }
    // Few long runs: fewer boundaries than one per n / 64 items (timsort then merges at most
    // ~64 runs, ~6 comparisons per item, mostly galloping), and runs longer than timsort's
    // minimum run (32), which it would otherwise make by insertion sort. (Without the second
    // condition a list of a few hundred items passed with one boundary in its 8 sampled
    // pairs: one random list of 200 in 9 went to timsort, at half the Rust sort's speed.)
    if boundaries * n <= 64 * pairs && boundaries * 32 <= pairs {
        return true;
    }
    // Strings in runs of 16 or more on average: the string sort would merge the runs
    // ([`crate::algo::text`]), pairwise through an index, where timsort's merges gallop over
    // neighbours in memory comparing with `memcmp`; measured slower (1000 runs of 1000 paths,
    // 1e6: 0.78x).
    if text && boundaries * 16 <= pairs {
        return true;
    }
    // Runs of 8+ (strs) or 16+ (numbers, tuples) on average, and the list nearly in order as
    // a whole (a sorted list with a few items out of place, file paths in walk order): timsort's
    // merges gallop through it (sorted() on 1e6 paths in walk order: 0.48 s; shuffled: 5.0 s).
    if !text && boundaries * 16 > pairs {
        return false;
    }
    let spaced = (budget / 16).clamp(9, SPACED).min(n);
    let mut descents = 0;
    let mut ascents = 0;
    for j in 1..spaced {
        let (a, b) = (
            objs[(j - 1) * (n - 1) / (spaced - 1)],
            objs[j * (n - 1) / (spaced - 1)],
        );
        let (Some(ascent), Some(descent)) = (less(a, b), less(b, a)) else {
            return false;
        };
        ascents += usize::from(ascent);
        descents += usize::from(descent);
    }
    // Nearly ascending, or nearly descending (which `reverse=True` or timsort's run reversal
    // turns into nearly ascending).
    descents.min(ascents) <= (spaced - 1) / 8
}
