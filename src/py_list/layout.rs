//! The CPython object layouts `sort` reads directly, without the C API, so that worker threads
//! can read sort keys while the GIL is released: exact `int`, `float`, compact ASCII `str` and
//! `bytes`, for CPython 3.9 to 3.13. Every field offset is written here and nowhere else.
//!
//! python3-sys 0.7.2 builds any 3.x against its 3.12 declarations, so nothing here relies on
//! its struct layouts beyond the object header (`PyObject`, which follows its `Py_TRACE_REFS`
//! configuration). The layout is chosen at run time from `sys.hexversion`, and then *proved* on
//! probe objects made through the C API (edge-case ints, a float, ASCII and non-ASCII strs,
//! bytes): if any probe reads wrong, or the version is outside 3.9-3.13, [`get`] says `None`
//! and the caller reads keys through the C API with the GIL, as before. An interpreter built
//! differently (15-bit digits, a debug header, free threading) is thereby refused, not misread.
//!
//! # Why reading these objects without the GIL is sound
//! The caller guarantees that it owns a reference to every object it passes (the taken item
//! array of a list being sorted, or the key references of a keyed sort), so none can be freed
//! while it is read. Then, per field:
//! - `ob_type` never changes for these types (assigning `__class__` is refused for builtins).
//! - `int`, `float` and `bytes` are immutable; CPython reuses or resizes such an object in
//!   place only when its reference count is 1, i.e. when the one mutating holds the only
//!   reference; ours makes every count >= 2 while anyone else holds one.
//! - A `str`'s length and characters are immutable by the same argument (`PyUnicode_Append`
//!   and the interpreter's `s += t` fast path resize in place only at reference count 1, or 2
//!   with the second in the variable being assigned). Its `state` word is *not* immutable:
//!   interning (`sys.intern`, another thread, with the GIL) rewrites its `interned` bits.
//!   Those writes keep the `kind`/`compact`/`ascii` bits we test, and an aligned 32-bit load
//!   sees either the old or the new word, so the word is read with an atomic load. We never
//!   read the fields other threads may write: `ob_refcnt`, `hash`, and a non-ASCII str's
//!   UTF-8 cache (filled lazily by `PyUnicode_AsUTF8AndSize`: non-ASCII strs are read with
//!   the GIL, by the caller).

use std::ptr::addr_of;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use cpython::Python;
use python3_sys::{
    PyBytes_FromStringAndSize, PyBytes_Type, PyErr_Clear, PyFloat_FromDouble, PyFloat_Type,
    PyLong_AsLong, PyLong_FromLongLong, PyLong_FromString, PyLong_Type, PyObject,
    PyObject_GetAttrString, PySys_GetObject, PyUnicode_FromStringAndSize, PyUnicode_Type,
    Py_DECREF,
};

/// `PyObject_HEAD`: `ob_refcnt`, `ob_type` (plus the `Py_TRACE_REFS` links if python3-sys was
/// configured for them). Every field below follows it.
const HEAD: usize = std::mem::size_of::<PyObject>();
/// `PyVarObject.ob_size`, and in 3.12+ `_PyLongValue.lv_tag`, at the same place: the first
/// word after the header, for ints, bytes (`ob_size`) and strs (`length`) alike.
const FIRST_WORD: usize = HEAD;

/// Ints, 3.9-3.13: `digit ob_digit[]` after one word (`ob_size` up to 3.11, `lv_tag` from
/// 3.12), 30-bit digits in `uint32_t`, least significant first. Only 30-bit digits are
/// accepted (the default on every 64-bit platform; checked through `sys.int_info`).
const LONG_DIGITS: usize = HEAD + 8;
const DIGIT_BITS: u32 = 30;
/// 3.12+: `lv_tag` = digit count << 3 | flags; its low 2 bits are the sign: 0 positive,
/// 1 zero, 2 negative (`_PyLong_SIGN_MASK`, `_PyLong_NON_SIZE_BITS` in longintrepr.h).
const TAG_SIGN_MASK: usize = 3;
const TAG_NEGATIVE: usize = 2;
const TAG_NON_SIZE_BITS: u32 = 3;

/// Floats, 3.9-3.13: `double ob_fval` right after the header.
const FLOAT_VALUE: usize = HEAD;

/// Bytes, 3.9-3.13: `ob_size`, `Py_hash_t ob_shash` (deprecated in 3.11, still there), then
/// `char ob_sval[]`.
const BYTES_DATA: usize = HEAD + 16;

/// Strs (`PyASCIIObject`), 3.9-3.13: `Py_ssize_t length`, `Py_hash_t hash`, then the `state`
/// bit-field word: `interned:2, kind:3, compact:1, ascii:1`, then `ready:1` up to 3.11 or
/// `statically_allocated:1` from 3.12. GCC and Clang allocate bit-fields from the least
/// significant bit on little-endian targets (the probes check it).
const STR_STATE: usize = HEAD + 16;
const STATE_COMPACT: u32 = 1 << 5;
const STATE_ASCII: u32 = 1 << 6;
/// A compact ASCII str's characters follow its `PyASCIIObject`: after `state` (padded to 8)
/// and, up to 3.11, the `wchar_t *wstr` pointer that 3.12 removed.
const ASCII_DATA_UP_TO_3_11: usize = HEAD + 32;
const ASCII_DATA_FROM_3_12: usize = HEAD + 24;

/// Where the running interpreter keeps what we read. `Sync`: plain numbers and addresses.
#[derive(Debug)]
pub struct Layout {
    /// 3.12 replaced ints' signed digit count `ob_size` with `lv_tag`.
    long_tag: bool,
    /// Offset of a compact ASCII str's first character.
    ascii_data: usize,
    int_type: usize,
    float_type: usize,
    str_type: usize,
    bytes_type: usize,
}

/// The exact builtin types the layouts cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Str,
    Bytes,
}

/// The layout of the running interpreter, or `None` where it is not known to be right (then
/// read through the C API). Computed once per process.
pub fn get(py: Python) -> Option<&'static Layout> {
    static LAYOUT: OnceLock<Option<Layout>> = OnceLock::new();
    if let Some(known) = LAYOUT.get() {
        return known.as_ref();
    }
    // Not `get_or_init`: the GIL serialises callers already, and a blocking once-cell held
    // across Python calls could deadlock with a thread waiting for the GIL.
    // SAFETY: GIL held (we have `py`).
    let detected = unsafe { detect(py) };
    let _ = LAYOUT.set(detected);
    LAYOUT.get().and_then(Option::as_ref)
}

/// # Safety
/// GIL held.
unsafe fn detect(_py: Python) -> Option<Layout> {
    let hexversion = sys_int(c"hexversion".as_ptr(), None)?;
    let minor = (hexversion >> 16) & 0xff;
    if hexversion >> 24 != 3 || !(9..=13).contains(&minor) {
        return None;
    }
    let int_info = c"int_info".as_ptr();
    if sys_int(int_info, Some(c"bits_per_digit".as_ptr()))? != DIGIT_BITS as i64
        || sys_int(int_info, Some(c"sizeof_digit".as_ptr()))? != 4
    {
        return None;
    }
    let layout = Layout {
        long_tag: minor >= 12,
        ascii_data: if minor >= 12 {
            ASCII_DATA_FROM_3_12
        } else {
            ASCII_DATA_UP_TO_3_11
        },
        int_type: addr_of!(PyLong_Type) as usize,
        float_type: addr_of!(PyFloat_Type) as usize,
        str_type: addr_of!(PyUnicode_Type) as usize,
        bytes_type: addr_of!(PyBytes_Type) as usize,
    };
    layout.passes_probes().then_some(layout)
}

/// `sys.<name>` (or `sys.<name>.<attr>`) as an int; `None` (error cleared) if unavailable.
///
/// # Safety
/// GIL held; NUL-terminated names.
unsafe fn sys_int(
    name: *const std::os::raw::c_char,
    attr: Option<*const std::os::raw::c_char>,
) -> Option<i64> {
    let obj = PySys_GetObject(name); // borrowed
    if obj.is_null() {
        PyErr_Clear();
        return None;
    }
    let value = match attr {
        None => PyLong_AsLong(obj),
        Some(attr) => {
            let field = PyObject_GetAttrString(obj, attr);
            if field.is_null() {
                PyErr_Clear();
                return None;
            }
            let value = PyLong_AsLong(field);
            Py_DECREF(field);
            value
        }
    };
    if value == -1 {
        PyErr_Clear(); // -1 is never a right answer here, error or not
        return None;
    }
    Some(value as i64)
}

/// What reading one object gave.
#[derive(Debug, PartialEq)]
pub enum Str<'k> {
    /// A compact ASCII str: its characters (also its UTF-8 form).
    Ascii(&'k [u8]),
    /// Another exact str (non-ASCII, or not compact): read it with the GIL.
    Other,
}

impl Layout {
    /// The kind of `obj` if its type is exactly one of ours.
    ///
    /// # Safety
    /// `obj` is a live object that the caller holds a reference to (see the module docs).
    #[inline(always)]
    pub unsafe fn kind(&self, obj: *mut PyObject) -> Option<Kind> {
        let ty = (*obj).ob_type as usize;
        if ty == self.int_type {
            Some(Kind::Int)
        } else if ty == self.float_type {
            Some(Kind::Float)
        } else if ty == self.str_type {
            Some(Kind::Str)
        } else if ty == self.bytes_type {
            Some(Kind::Bytes)
        } else {
            None
        }
    }

    /// Whether `obj`'s type is exactly `kind`'s.
    ///
    /// # Safety
    /// As [`Layout::kind`].
    #[inline(always)]
    pub unsafe fn is(&self, obj: *mut PyObject, kind: Kind) -> bool {
        let ty = (*obj).ob_type as usize;
        ty == match kind {
            Kind::Int => self.int_type,
            Kind::Float => self.float_type,
            Kind::Str => self.str_type,
            Kind::Bytes => self.bytes_type,
        }
    }

    /// The value of an exact int if it fits in an `i64`.
    ///
    /// # Safety
    /// As [`Layout::kind`], and `obj` is an exact int.
    #[inline(always)]
    pub unsafe fn int(&self, obj: *mut PyObject) -> Option<i64> {
        let base = obj.cast::<u8>();
        let word = base.add(FIRST_WORD).cast::<isize>().read();
        let (negative, ndigits) = if self.long_tag {
            let tag = word as usize;
            (
                tag & TAG_SIGN_MASK == TAG_NEGATIVE,
                tag >> TAG_NON_SIZE_BITS,
            )
        } else {
            (word < 0, word.unsigned_abs())
        };
        // At most 3 digits (90 bits) can hold 64; a normalised int has no leading zero digit,
        // and the object holds `ndigits` of them (at least one is always allocated). Tested
        // in order of likelihood, without a jump table: the handover sample reads a few ints
        // a call, and an indirect jump per read was a third of its time (`perf`).
        let digits = base.add(LONG_DIGITS).cast::<u32>();
        let magnitude: u64 = if ndigits <= 2 {
            let low = if ndigits == 0 { 0 } else { digits.read() };
            let high = if ndigits == 2 {
                digits.add(1).read()
            } else {
                0
            };
            u64::from(low) | u64::from(high) << DIGIT_BITS
        } else if ndigits == 3 {
            let top = digits.add(2).read();
            // 60 bits below the top digit: the value fits in 64 bits only if the top digit
            // has at most 4 bits.
            if top >> 4 != 0 {
                return None;
            }
            u64::from(digits.read())
                | u64::from(digits.add(1).read()) << DIGIT_BITS
                | u64::from(top) << (2 * DIGIT_BITS)
        } else {
            return None;
        };
        if negative {
            // -2**63 is the one negative value whose magnitude is not an i64.
            (magnitude <= 1 << 63).then(|| magnitude.wrapping_neg() as i64)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// The value of an exact int of at most one digit (30 bits), the common case, read as
    /// CPython's own sort reads it; `None` for a longer one (read it with [`Layout::int`]).
    /// A dozen instructions fewer than [`Layout::int`]: reading the runs of a sorted list of
    /// ints took ~2.2 ns an item through that, ~1.4 through this.
    ///
    /// # Safety
    /// As [`Layout::int`].
    #[inline(always)]
    pub unsafe fn compact_int(&self, obj: *mut PyObject) -> Option<i64> {
        let base = obj.cast::<u8>();
        let word = base.add(FIRST_WORD).cast::<isize>().read();
        // At least one digit is always allocated; a zero's may hold anything, and its sign
        // (or size) of 0 zeroes the product, as in CPython.
        let digit = i64::from(base.add(LONG_DIGITS).cast::<u32>().read());
        if self.long_tag {
            let tag = word as usize;
            (tag >> TAG_NON_SIZE_BITS <= 1).then(|| (1 - (tag & TAG_SIGN_MASK) as i64) * digit)
        } else {
            (word.unsigned_abs() <= 1).then(|| word as i64 * digit)
        }
    }

    /// The value of an exact float.
    ///
    /// # Safety
    /// As [`Layout::kind`], and `obj` is an exact float.
    #[inline(always)]
    pub unsafe fn float(&self, obj: *mut PyObject) -> f64 {
        obj.cast::<u8>().add(FLOAT_VALUE).cast::<f64>().read()
    }

    /// The characters of an exact str if it is compact ASCII.
    ///
    /// # Safety
    /// As [`Layout::kind`], and `obj` is an exact str; the slice lives as long as the
    /// caller's reference to `obj`.
    #[inline(always)]
    pub unsafe fn str<'k>(&self, obj: *mut PyObject) -> Str<'k> {
        let base = obj.cast::<u8>();
        // Atomic: interning may rewrite this word meanwhile (see the module docs).
        let state = (*base.add(STR_STATE).cast::<AtomicU32>()).load(Ordering::Relaxed);
        if state & (STATE_COMPACT | STATE_ASCII) != STATE_COMPACT | STATE_ASCII {
            return Str::Other;
        }
        let len = base.add(FIRST_WORD).cast::<isize>().read() as usize;
        Str::Ascii(std::slice::from_raw_parts(base.add(self.ascii_data), len))
    }

    /// Whether an exact str is compact (its characters follow its header; every str made in
    /// 3.12 and later, and all but those made through the deprecated `Py_UNICODE` APIs
    /// before): such a str is ready, so comparing it cannot fail or allocate.
    ///
    /// # Safety
    /// As [`Layout::str`].
    #[inline(always)]
    pub unsafe fn is_compact(&self, obj: *mut PyObject) -> bool {
        let base = obj.cast::<u8>();
        // Atomic: as in `str`.
        let state = (*base.add(STR_STATE).cast::<AtomicU32>()).load(Ordering::Relaxed);
        state & STATE_COMPACT != 0
    }

    /// The characters of a str that [`Layout::str`] found to be compact ASCII, without
    /// looking at its state again (a merge reads each of ~n log2(runs) compared strs).
    ///
    /// # Safety
    /// As [`Layout::str`], and `obj` was read as [`Str::Ascii`] (a str's kind and
    /// compactness never change).
    #[inline(always)]
    pub unsafe fn ascii<'k>(&self, obj: *mut PyObject) -> &'k [u8] {
        let base = obj.cast::<u8>();
        let len = base.add(FIRST_WORD).cast::<isize>().read() as usize;
        std::slice::from_raw_parts(base.add(self.ascii_data), len)
    }

    /// The contents of an exact bytes object.
    ///
    /// # Safety
    /// As [`Layout::kind`], and `obj` is an exact bytes; the slice lives as long as the
    /// caller's reference to `obj`.
    #[inline(always)]
    pub unsafe fn bytes<'k>(&self, obj: *mut PyObject) -> &'k [u8] {
        let base = obj.cast::<u8>();
        let len = base.add(FIRST_WORD).cast::<isize>().read() as usize;
        std::slice::from_raw_parts(base.add(BYTES_DATA), len)
    }

    /// Reads objects made by the C API and compares with what they were made from.
    ///
    /// # Safety
    /// GIL held.
    unsafe fn passes_probes(&self) -> bool {
        let ints = [
            0,
            1,
            -1,
            5,
            256,
            257,
            -5,
            -6,
            (1 << 30) - 1,
            1 << 30,
            -(1 << 30),
            (1 << 60) - 1,
            1 << 60,
            -(1 << 60) - 7,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        let mut ok = ints.iter().all(|&v| {
            probe(PyLong_FromLongLong(v), |o| {
                self.kind(o) == Some(Kind::Int) && self.int(o) == Some(v)
            })
        });
        for big in [&b"9223372036854775808\0"[..], b"-9223372036854775809\0"] {
            let made = PyLong_FromString(big.as_ptr() as *mut _, std::ptr::null_mut(), 10);
            ok &= probe(made, |o| {
                self.kind(o) == Some(Kind::Int) && self.int(o).is_none()
            });
        }
        for v in [0.0, -2.5, 1e300, f64::INFINITY] {
            ok &= probe(PyFloat_FromDouble(v), |o| {
                self.kind(o) == Some(Kind::Float) && self.float(o).to_bits() == v.to_bits()
            });
        }
        let texts: [(&[u8], bool); 4] = [
            (b"", true),
            (b"sort probe", true),
            ("caf\u{e9}".as_bytes(), false),
            ("\u{1f600}!".as_bytes(), false),
        ];
        for (text, ascii) in texts {
            let made = PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as isize);
            ok &= probe(made, |o| {
                self.kind(o) == Some(Kind::Str)
                    && self.str(o) == if ascii { Str::Ascii(text) } else { Str::Other }
            });
            let made = PyBytes_FromStringAndSize(text.as_ptr().cast(), text.len() as isize);
            ok &= probe(made, |o| {
                self.kind(o) == Some(Kind::Bytes) && self.bytes(o) == text
            });
        }
        ok
    }
}

/// `check(obj)` on a new reference, which is then released; `false` if making it failed.
///
/// # Safety
/// GIL held; `obj` is a new reference or NULL with an exception set.
unsafe fn probe(obj: *mut PyObject, check: impl FnOnce(*mut PyObject) -> bool) -> bool {
    if obj.is_null() {
        PyErr_Clear();
        return false;
    }
    let ok = check(obj);
    Py_DECREF(obj);
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_of_the_linked_interpreter_passes_its_probes() {
        let gil = Python::acquire_gil();
        let layout = get(gil.python()).expect("a layout for CPython 3.9-3.13");
        // SAFETY: GIL held.
        assert!(unsafe { layout.passes_probes() });
    }
}
