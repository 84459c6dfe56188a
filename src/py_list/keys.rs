//! Reading sort keys out of Python objects: where a key becomes a Rust value.
//!
//! Only *exact* builtin types qualify (a subclass may override `__lt__`), and only when every
//! key has the same kind; anything else is sorted by CPython's own algorithm. No Python code
//! runs here: type checks and reads of immutable values only.

use std::os::raw::c_int;

use python3_sys::{
    PyBool_Check, PyBytes_AsString, PyBytes_CheckExact, PyBytes_Size, PyErr_Clear,
    PyFloat_AsDouble, PyFloat_CheckExact, PyLong_AsLongLongAndOverflow, PyLong_CheckExact,
    PyObject, PyTuple_CheckExact, PyUnicode_AsUTF8AndSize, PyUnicode_CheckExact, Py_ssize_t,
};

use crate::algo::encode::EncodedKeys;
use crate::algo::keyed::{float_key, int_key};

mod encoded;

/// Keys in a form the Rust kernels sort; their order is exactly Python's `<` on the objects.
pub enum Keys<'k> {
    /// Exact ints that fit in an `i64`, or exact non-NaN floats, as order-preserving words.
    Words(Vec<u64>),
    /// Exact strs as UTF-8 (byte order = code point order), or exact bytes.
    Bytes(Vec<&'k [u8]>),
    /// Tuples, ints beyond 64 bits, ints mixed with floats: order-preserving byte encodings
    /// (see [`encoded`]).
    Encoded(EncodedKeys),
    /// Numbers not all exactly floats: a leading word per key, ties broken by the exact
    /// encodings of the keys that have one (see [`crate::algo::tiebreak`]).
    Tiebreak {
        words: Vec<u64>,
        tails: Vec<u32>,
        tail_bytes: EncodedKeys,
    },
}

/// The keys of `objs` if they are all of one fast kind, else `None`.
///
/// # Safety
/// The GIL is held, and every object of `objs` stays alive, unchanged, for `'k` (the byte
/// slices point into the objects: str's UTF-8 form and bytes' buffer are immutable and live as
/// long as the object).
pub unsafe fn classify<'k>(objs: &[*mut PyObject]) -> Option<Keys<'k>> {
    let first = *objs.first()?;
    if PyLong_CheckExact(first) != 0 {
        ints(objs)
            .map(Keys::Words)
            .or_else(|| encoded::numbers(objs))
    } else if PyFloat_CheckExact(first) != 0 {
        floats(objs)
            .map(Keys::Words)
            .or_else(|| encoded::numbers(objs))
    } else if PyTuple_CheckExact(first) != 0 {
        encoded::tuples(objs)
    } else if PyBool_Check(first) != 0 {
        encoded::numbers(objs)
    } else if PyUnicode_CheckExact(first) != 0 {
        strs(objs).map(Keys::Bytes)
    } else if PyBytes_CheckExact(first) != 0 {
        bytes(objs).map(Keys::Bytes)
    } else {
        None
    }
}

/// How many objects ahead to prefetch. The objects of a list that was shuffled or sorted before
/// lie in memory in no useful order, so each key read is a cache miss (~100 ns) unless it was
/// asked for early: with 16 requests in flight the misses overlap. Measured on 1e6 scattered
/// ints: the classification became several times faster; CPython's own sort does not prefetch.
const PREFETCH_AHEAD: usize = 16;

/// Starts loading the header of the object `PREFETCH_AHEAD` places after `i`.
#[inline(always)]
fn prefetch(objs: &[*mut PyObject], i: usize) {
    if let Some(&obj) = objs.get(i + PREFETCH_AHEAD) {
        crate::algo::prefetch::prefetch(obj);
    }
}

/// # Safety
/// GIL held; live objects.
unsafe fn ints(objs: &[*mut PyObject]) -> Option<Vec<u64>> {
    let mut keys = Vec::with_capacity(objs.len());
    for (i, &obj) in objs.iter().enumerate() {
        prefetch(objs, i);
        // Exact: bool is an int subclass, and sorted() keeps True/1 as they are anyway, but a
        // user subclass may redefine `<`.
        if PyLong_CheckExact(obj) == 0 {
            return None;
        }
        let mut overflow: c_int = 0;
        let value = PyLong_AsLongLongAndOverflow(obj, &mut overflow);
        if overflow != 0 {
            return None; // beyond 64 bits: CPython's sort handles ints of any size
        }
        keys.push(int_key(value));
    }
    Some(keys)
}

/// # Safety
/// GIL held; live objects.
unsafe fn floats(objs: &[*mut PyObject]) -> Option<Vec<u64>> {
    let mut keys = Vec::with_capacity(objs.len());
    for (i, &obj) in objs.iter().enumerate() {
        prefetch(objs, i);
        if PyFloat_CheckExact(obj) == 0 {
            return None;
        }
        // Exact float: this reads the stored value and cannot fail.
        // A NaN gives `None`: sorted() on NaNs is not a total order, and only CPython's own
        // sequence of comparisons reproduces its result.
        keys.push(float_key(PyFloat_AsDouble(obj))?);
    }
    Some(keys)
}

/// # Safety
/// GIL held; objects live for `'k`.
unsafe fn strs<'k>(objs: &[*mut PyObject]) -> Option<Vec<&'k [u8]>> {
    let mut keys = Vec::with_capacity(objs.len());
    for (i, &obj) in objs.iter().enumerate() {
        prefetch(objs, i);
        if PyUnicode_CheckExact(obj) == 0 {
            return None;
        }
        // ASCII strs hand out their own data; others get CPython's cached UTF-8 copy (made
        // once, kept with the str, as `str.encode` users and the C API already do).
        let mut len: Py_ssize_t = 0;
        let data = PyUnicode_AsUTF8AndSize(obj, &mut len);
        if data.is_null() {
            // A lone surrogate (no UTF-8 form) or no memory: let CPython's sort handle it.
            PyErr_Clear();
            return None;
        }
        keys.push(std::slice::from_raw_parts(data.cast::<u8>(), len as usize));
    }
    Some(keys)
}

/// # Safety
/// GIL held; objects live for `'k`.
unsafe fn bytes<'k>(objs: &[*mut PyObject]) -> Option<Vec<&'k [u8]>> {
    let mut keys = Vec::with_capacity(objs.len());
    for (i, &obj) in objs.iter().enumerate() {
        prefetch(objs, i);
        if PyBytes_CheckExact(obj) == 0 {
            return None;
        }
        // Exact bytes: both calls read fields and cannot fail.
        let data = PyBytes_AsString(obj);
        let len = PyBytes_Size(obj);
        keys.push(std::slice::from_raw_parts(data.cast::<u8>(), len as usize));
    }
    Some(keys)
}
