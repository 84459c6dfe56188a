//! Keys that need more than one word: tuples, lists mixing ints and floats, ints beyond 64
//! bits. They are read (with the GIL held) into the order-preserving byte encoding of
//! [`encode`], whose byte order is exactly Python's order, or into words when every value is
//! exactly a float.
//!
//! **Which objects qualify.** Exact `int`, `float`, `str`, `bytes`, `tuple`, and `bool`:
//! bool is an int subclass that does not override comparisons (`True == 1`, `True < 2` are
//! int's `long_richcompare`), so it is read as the int 0 or 1 and keeps its place among equal
//! ints by stability, as `sorted()` does. Any other subclass may redefine `<` and goes to
//! CPython.
//!
//! **Why the result is CPython's.** CPython compares tuples element by element with `==`
//! (identity first), then `<` on the first unequal pair; shorter first when one is a prefix of
//! the other. For the values admitted here `==` and `<` on each element are a total order
//! (NaN is refused: it is unequal to itself, so tuple comparison would depend on object
//! identity), and the encoding realises it, so the stable sorted order is unique. Elements of
//! different classes in one position (a str against an int) would make CPython raise, or not,
//! depending on which pairs it happens to compare: a [`Schema`] records the class of every
//! position and any disagreement sends the whole list to CPython.

use std::os::raw::{c_char, c_int, c_uchar};
use std::sync::OnceLock;

use python3_sys::{
    PyBool_Type, PyBytes_AsString, PyBytes_Size, PyBytes_Type, PyErr_Clear, PyFloat_AsDouble,
    PyFloat_Type, PyLong_AsLongLongAndOverflow, PyLong_Type, PyObject, PyTuple_Type,
    PyUnicode_AsUTF8AndSize, PyUnicode_Type, Py_TYPE, Py_ssize_t,
};

use super::Keys;
use crate::algo::encode::{self, Encoded, MAX_SCALAR};
use crate::algo::keyed::float_key;
use crate::algo::prefetch::prefetch;
use crate::algo::tiebreak::NO_TAIL;
use crate::algo::try_with_capacity;

/// How many objects ahead to prefetch (see `keys::PREFETCH_AHEAD`): the list's objects first,
/// then, half as far ahead, a tuple's elements, which can only be found once the tuple is in
/// cache.
const AHEAD: usize = 16;
/// Elements of a tuple prefetched ahead (records are short; the rest is read when reached).
const AHEAD_ITEMS: isize = 4;
/// Tuples nested deeper than this go to CPython (recursion depth stays small).
const MAX_DEPTH: usize = 32;

extern "C" {
    fn _PyLong_NumBits(v: *mut PyObject) -> usize;
    fn Py_GetVersion() -> *const c_char;
}

// `_PyLong_AsByteArray` gained a sixth parameter (`with_exceptions`) in CPython 3.13; the
// symbol is the same. Each declaration is called only on the versions it describes (see
// `as_byte_array`), so the lint about two signatures for one symbol is expected here.
#[allow(clashing_extern_declarations)]
mod long_bytes {
    use super::*;
    extern "C" {
        #[link_name = "_PyLong_AsByteArray"]
        pub fn before_3_13(
            v: *mut PyObject,
            bytes: *mut c_uchar,
            n: usize,
            little_endian: c_int,
            is_signed: c_int,
        ) -> c_int;
    }
    #[allow(clashing_extern_declarations)]
    pub mod since {
        use super::*;
        extern "C" {
            #[link_name = "_PyLong_AsByteArray"]
            pub fn from_3_13(
                v: *mut PyObject,
                bytes: *mut c_uchar,
                n: usize,
                little_endian: c_int,
                is_signed: c_int,
                with_exceptions: c_int,
            ) -> c_int;
        }
    }
}

/// Whether the running CPython is 3.13 or later (read once from `Py_GetVersion()`, "3.X.Y ...").
fn is_3_13_or_later() -> bool {
    static LATER: OnceLock<bool> = OnceLock::new();
    *LATER.get_or_init(|| {
        // SAFETY: Py_GetVersion returns a static NUL-terminated string; callable at any time.
        let version = unsafe { std::ffi::CStr::from_ptr(Py_GetVersion()) };
        let version = version.to_string_lossy();
        let mut parts = version.split(|c: char| !c.is_ascii_digit());
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(3);
        let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        (major, minor) >= (3, 13)
    })
}

/// Two's complement big-endian bytes of the int `obj` into `buf` (its whole length).
///
/// # Safety
/// GIL held; `obj` a live exact int (or bool).
unsafe fn as_byte_array(obj: *mut PyObject, buf: &mut [u8]) -> bool {
    let (ptr, n) = (buf.as_mut_ptr(), buf.len());
    let status = if is_3_13_or_later() {
        long_bytes::since::from_3_13(obj, ptr, n, 0, 1, 1)
    } else {
        long_bytes::before_3_13(obj, ptr, n, 0, 1)
    };
    status == 0
}

/// Exact int (bool included, see the module documentation).
unsafe fn is_int(obj: *mut PyObject) -> bool {
    let ty = Py_TYPE(obj);
    ty == std::ptr::addr_of_mut!(PyLong_Type) || ty == std::ptr::addr_of_mut!(PyBool_Type)
}

unsafe fn is_type(obj: *mut PyObject, ty: *mut python3_sys::PyTypeObject) -> bool {
    Py_TYPE(obj) == ty
}

/// Keys of a list of numbers (exact ints of any size, bools, non-NaN floats, mixed), or `None`.
///
/// # Safety
/// GIL held; live objects.
pub unsafe fn numbers<'k>(objs: &[*mut PyObject]) -> Option<Keys<'k>> {
    match float_words(objs) {
        Words::All(words) => Some(Keys::Words(words)),
        Words::NotNumbers => None,
        Words::Wide => wide_numbers(objs),
    }
}

/// Numbers some of which are no float: each keyed by the largest float below it, plus the
/// exact encoding of those above their float (see [`crate::algo::tiebreak`]).
unsafe fn wide_numbers<'k>(objs: &[*mut PyObject]) -> Option<Keys<'k>> {
    let n = objs.len();
    let mut words: Vec<u64> = try_with_capacity(n, "number keys").ok()?;
    let mut tails: Vec<u32> = try_with_capacity(n, "number tails").ok()?;
    let mut tail_bytes = Encoded::with_capacity(0, 0).ok()?;
    let mut scratch = Vec::new();
    for (i, &obj) in objs.iter().enumerate() {
        if let Some(&ahead) = objs.get(i + AHEAD) {
            prefetch(ahead);
        }
        let (floor, exact) = if is_int(obj) {
            let mut overflow: c_int = 0;
            let v = PyLong_AsLongLongAndOverflow(obj, &mut overflow);
            if overflow == 0 {
                let (floor, exact) = encode::floor_of_int(v);
                if !exact {
                    encode::int(tail_bytes.room(MAX_SCALAR).ok()?, v);
                }
                (floor, exact)
            } else {
                let negative = overflow < 0;
                magnitude(obj, negative, &mut scratch)?;
                let (floor, exact) = encode::floor_of_big_int(negative, &scratch);
                if !exact {
                    let room = scratch.len() + scratch.len() / 7 + MAX_SCALAR;
                    encode::big_int(tail_bytes.room(room).ok()?, negative, &scratch);
                }
                (floor, exact)
            }
        } else if is_type(obj, std::ptr::addr_of_mut!(PyFloat_Type)) {
            (PyFloat_AsDouble(obj), true)
        } else {
            return None;
        };
        words.push(float_key(floor)?); // None for NaN
        if exact {
            tails.push(NO_TAIL);
        } else {
            tails.push(tail_bytes.len() as u32);
            tail_bytes.end_key().ok()?;
        }
    }
    Some(Keys::Tiebreak {
        words,
        tails,
        tail_bytes: tail_bytes.finish().ok()?,
    })
}

enum Words {
    /// Every value is exactly a float: one word each.
    All(Vec<u64>),
    /// Numbers, but some int is no float (beyond 2**53 and not a float's value).
    Wide,
    /// Not a list of ordered numbers (another type, NaN, or no memory).
    NotNumbers,
}

/// The float keys of the numbers, if each is exactly a float: then comparing the floats is
/// comparing the numbers (`1`, `1.0` and `True` get one key and keep their order).
unsafe fn float_words(objs: &[*mut PyObject]) -> Words {
    let Ok(mut words) = try_with_capacity(objs.len(), "number keys") else {
        return Words::NotNumbers;
    };
    for (i, &obj) in objs.iter().enumerate() {
        if let Some(&ahead) = objs.get(i + AHEAD) {
            prefetch(ahead);
        }
        let value = if is_int(obj) {
            let mut overflow: c_int = 0;
            let v = PyLong_AsLongLongAndOverflow(obj, &mut overflow);
            let f = v as f64;
            // 2**63 is no i64 (the cast back would saturate), so it is excluded first.
            if overflow != 0 || f >= (1u64 << 63) as f64 || f as i64 != v {
                return Words::Wide;
            }
            f
        } else if is_type(obj, std::ptr::addr_of_mut!(PyFloat_Type)) {
            PyFloat_AsDouble(obj)
        } else {
            return Words::NotNumbers;
        };
        match float_key(value) {
            Some(word) => words.push(word),
            None => return Words::NotNumbers, // NaN
        }
    }
    Words::All(words)
}

/// Appends the encoding of the exact int `obj`; `None` if memory runs out.
unsafe fn put_int(obj: *mut PyObject, enc: &mut Encoded, scratch: &mut Vec<u8>) -> Option<()> {
    let mut overflow: c_int = 0;
    let v = PyLong_AsLongLongAndOverflow(obj, &mut overflow);
    if overflow == 0 {
        encode::int(enc.room(MAX_SCALAR).ok()?, v);
        return Some(());
    }
    let negative = overflow < 0;
    magnitude(obj, negative, scratch)?;
    let n = scratch.len();
    encode::big_int(enc.room(n + n / 7 + MAX_SCALAR).ok()?, negative, scratch);
    Some(())
}

/// The magnitude of the int `obj` (beyond `i64`), big-endian, into `scratch`.
unsafe fn magnitude(obj: *mut PyObject, negative: bool, scratch: &mut Vec<u8>) -> Option<()> {
    let bits = _PyLong_NumBits(obj);
    if bits == usize::MAX {
        PyErr_Clear();
        return None;
    }
    // Room for the sign bit too.
    let n = bits / 8 + 1;
    scratch.clear();
    scratch.try_reserve(n).ok()?;
    scratch.resize(n, 0);
    if !as_byte_array(obj, scratch) {
        PyErr_Clear();
        return None;
    }
    if negative {
        // Magnitude of a two's complement number: invert and add one.
        let mut carry = true;
        for b in scratch.iter_mut().rev() {
            let (sum, c) = (!*b).overflowing_add(u8::from(carry));
            *b = sum;
            carry = c;
        }
    }
    Some(())
}

/// Class codes of a position in [`Schema`].
const UNSET: u32 = 0;
const NUMBER: u32 = 1;
const STR: u32 = 2;
const BYTES: u32 = 3;
/// `TUPLE + k`: a tuple whose own positions are node `k`.
const TUPLE: u32 = 4;

/// The class of each position of the tuples seen so far, nested tuples as child nodes.
struct Schema {
    nodes: Vec<Vec<u32>>,
}

impl Schema {
    fn slot(&mut self, node: usize, pos: usize) -> Option<&mut u32> {
        let kinds = &mut self.nodes[node];
        if pos >= kinds.len() {
            kinds.try_reserve(pos + 1 - kinds.len()).ok()?;
            kinds.resize(pos + 1, UNSET);
        }
        Some(&mut kinds[pos])
    }

    /// Records or checks that position `pos` of `node` holds `class`.
    fn check(&mut self, node: usize, pos: usize, class: u32) -> Option<()> {
        let slot = self.slot(node, pos)?;
        if *slot == UNSET {
            *slot = class;
        }
        (*slot == class).then_some(())
    }

    /// The node of the tuple in position `pos` of `node`; `None` if that position holds
    /// another class.
    fn child(&mut self, node: usize, pos: usize) -> Option<usize> {
        let next = self.nodes.len();
        let slot = self.slot(node, pos)?;
        match *slot {
            UNSET => {
                *slot = TUPLE + next as u32;
                self.nodes.try_reserve(1).ok()?;
                self.nodes.push(Vec::new());
                Some(next)
            }
            k if k >= TUPLE => Some((k - TUPLE) as usize),
            _ => None,
        }
    }
}

/// Keys of a list of tuples of fast kinds, or `None`.
///
/// # Safety
/// GIL held; live objects (tuples and their elements are immutable).
pub unsafe fn tuples<'k>(objs: &[*mut PyObject]) -> Option<Keys<'k>> {
    match int_tuples(objs) {
        IntTuples::Packed(words) => return Some(Keys::Words(words)),
        IntTuples::Values(arity, values) => return encode_int_tuples(arity, &values),
        IntTuples::Other => {}
    }
    let tuple_type = std::ptr::addr_of_mut!(PyTuple_Type);
    let mut enc = Encoded::with_capacity(objs.len(), objs.len() * 16).ok()?;
    let mut schema = Schema {
        nodes: vec![Vec::new()],
    };
    let mut scratch = Vec::new();
    for (i, &obj) in objs.iter().enumerate() {
        if let Some(&ahead) = objs.get(i + AHEAD) {
            prefetch(ahead);
        }
        if let Some(&near) = objs.get(i + AHEAD / 2) {
            // Fetched AHEAD / 2 steps ago: its elements can be located now.
            if is_type(near, tuple_type) {
                let len = python3_sys::PyTuple_GET_SIZE(near);
                for k in 0..len.min(AHEAD_ITEMS) {
                    prefetch(python3_sys::PyTuple_GET_ITEM(near, k));
                }
            }
        }
        if !is_type(obj, tuple_type) {
            return None;
        }
        tuple(obj, &mut enc, &mut schema, 0, &mut scratch, 0)?;
        enc.end_key().ok()?;
    }
    Some(Keys::Encoded(enc.finish().ok()?))
}

/// Appends the elements of the tuple `obj` (without the end marker).
unsafe fn tuple(
    obj: *mut PyObject,
    enc: &mut Encoded,
    schema: &mut Schema,
    node: usize,
    scratch: &mut Vec<u8>,
    depth: usize,
) -> Option<()> {
    let len = python3_sys::PyTuple_GET_SIZE(obj);
    for pos in 0..len {
        let item = python3_sys::PyTuple_GET_ITEM(obj, pos);
        let pos = pos as usize;
        let ty = Py_TYPE(item);
        if is_int(item) {
            schema.check(node, pos, NUMBER)?;
            put_int(item, enc, scratch)?;
        } else if ty == std::ptr::addr_of_mut!(PyFloat_Type) {
            schema.check(node, pos, NUMBER)?;
            if !encode::float(enc.room(MAX_SCALAR).ok()?, PyFloat_AsDouble(item)) {
                return None;
            }
        } else if ty == std::ptr::addr_of_mut!(PyUnicode_Type) {
            schema.check(node, pos, STR)?;
            let mut size: Py_ssize_t = 0;
            let data = PyUnicode_AsUTF8AndSize(item, &mut size);
            if data.is_null() {
                // A lone surrogate (no UTF-8 form) or no memory: CPython sorts it.
                PyErr_Clear();
                return None;
            }
            put_text(enc, data.cast(), size)?;
        } else if ty == std::ptr::addr_of_mut!(PyBytes_Type) {
            schema.check(node, pos, BYTES)?;
            put_text(enc, PyBytes_AsString(item).cast(), PyBytes_Size(item))?;
        } else if ty == std::ptr::addr_of_mut!(PyTuple_Type) {
            if depth >= MAX_DEPTH {
                return None;
            }
            let child = schema.child(node, pos)?;
            tuple(item, enc, schema, child, scratch, depth + 1)?;
            encode::tuple_end(enc.room(encode::TUPLE_END.len()).ok()?);
        } else {
            return None;
        }
    }
    Some(())
}

/// Appends the escaped bytes `data[..len]` of a str's UTF-8 or of a bytes object.
unsafe fn put_text(enc: &mut Encoded, data: *const u8, len: Py_ssize_t) -> Option<()> {
    let s = std::slice::from_raw_parts(data, len as usize);
    encode::text(enc.room(2 * s.len() + 2).ok()?, s);
    Some(())
}

/// Longest tuples of ints tried as packed words.
const MAX_PACKED_ARITY: usize = 4;

enum IntTuples {
    /// One word per tuple, whose order is the tuples' order.
    Packed(Vec<u64>),
    /// Tuples of `arity` ints in `i64`, too wide to pack: their values, row after row.
    Values(usize, Vec<i64>),
    /// Not tuples of one arity of ints fitting in `i64` (or no memory): the general path.
    Other,
}

/// Tuples of one small arity whose elements are all ints in `i64` (records such as
/// `(size, inode)` or `(group, rank)`): read the values, and when the ranges of the positions,
/// each offset by its minimum, fit in 64 bits together, pack each tuple into one word
/// `(v0 - min0) << (w1 + w2 ...) | (v1 - min1) << ... `, whose order is the tuple order
/// (lexicographic, all tuples of equal length). The radix sort of words then sorts them.
unsafe fn int_tuples(objs: &[*mut PyObject]) -> IntTuples {
    let tuple_type = std::ptr::addr_of_mut!(PyTuple_Type);
    let first = objs[0];
    if !is_type(first, tuple_type) {
        return IntTuples::Other;
    }
    let arity = python3_sys::PyTuple_GET_SIZE(first) as usize;
    if !(1..=MAX_PACKED_ARITY).contains(&arity)
        || !(0..arity).all(|k| is_int(python3_sys::PyTuple_GET_ITEM(first, k as Py_ssize_t)))
    {
        return IntTuples::Other;
    }
    let Ok(mut values) = try_with_capacity::<i64>(objs.len() * arity, "tuple values") else {
        return IntTuples::Other;
    };
    let mut min = [i64::MAX; MAX_PACKED_ARITY];
    let mut max = [i64::MIN; MAX_PACKED_ARITY];
    for (i, &obj) in objs.iter().enumerate() {
        if let Some(&ahead) = objs.get(i + AHEAD) {
            prefetch(ahead);
        }
        if let Some(&near) = objs.get(i + AHEAD / 2) {
            if is_type(near, tuple_type) && python3_sys::PyTuple_GET_SIZE(near) as usize == arity {
                for k in 0..arity {
                    prefetch(python3_sys::PyTuple_GET_ITEM(near, k as Py_ssize_t));
                }
            }
        }
        if !is_type(obj, tuple_type) || python3_sys::PyTuple_GET_SIZE(obj) as usize != arity {
            return IntTuples::Other;
        }
        for k in 0..arity {
            let item = python3_sys::PyTuple_GET_ITEM(obj, k as Py_ssize_t);
            if !is_int(item) {
                return IntTuples::Other;
            }
            let mut overflow: c_int = 0;
            let v = PyLong_AsLongLongAndOverflow(item, &mut overflow);
            if overflow != 0 {
                return IntTuples::Other;
            }
            min[k] = min[k].min(v);
            max[k] = max[k].max(v);
            values.push(v);
        }
    }
    // Bits of each position's span (max - min, computed without overflow in u64).
    let widths: Vec<u32> = (0..arity)
        .map(|k| 64 - (max[k] as u64).wrapping_sub(min[k] as u64).leading_zeros())
        .collect();
    if widths.iter().sum::<u32>() > 64 {
        return IntTuples::Values(arity, values);
    }
    let Ok(mut words) = try_with_capacity::<u64>(objs.len(), "packed tuples") else {
        return IntTuples::Other;
    };
    for row in values.chunks_exact(arity) {
        let mut word = 0u64;
        for (k, &v) in row.iter().enumerate() {
            // `widths[k]` may be 64 (then the word is that one position alone).
            word =
                word.checked_shl(widths[k]).unwrap_or(0) | (v as u64).wrapping_sub(min[k] as u64);
        }
        words.push(word);
    }
    IntTuples::Packed(words)
}

/// The general encoding of tuples of `arity` ints, from values already read.
fn encode_int_tuples<'k>(arity: usize, values: &[i64]) -> Option<Keys<'k>> {
    let n = values.len() / arity;
    let mut enc = Encoded::with_capacity(n, values.len() * 6).ok()?;
    for row in values.chunks_exact(arity) {
        for &v in row {
            encode::int(enc.room(MAX_SCALAR).ok()?, v);
        }
        enc.end_key().ok()?;
    }
    Some(Keys::Encoded(enc.finish().ok()?))
}
