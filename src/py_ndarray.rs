//! Small exact `numpy.ndarray`s read from numpy's own object fields, for `sort_buffer`.
//!
//! The buffer protocol costs numpy ~70 ns a call (it rebuilds and compares a format string
//! each time), a third of the fixed cost of `sort.sort` on a tiny array. For an exact
//! `numpy.ndarray` that the calling thread sorts with the GIL held (up to
//! [`SYNC_MAX`](crate::py_buffer) elements), its data pointer, length, dtype and flags are
//! read directly; everything else takes the buffer protocol as before.
//!
//! Safety: the layouts below are numpy's public C structs (`PyArrayObject_fields` and the
//! head of `PyArray_Descr` in `ndarraytypes.h`), the same in numpy 1.x and 2.x (extensions
//! built against 1.x run on 2.x through them). They are used only once the type has been
//! checked: the object's type must be the very `numpy.ndarray` type of the loaded numpy,
//! whose major version is 1 or 2 and whose instances are at least as large as the struct;
//! and on the first array that qualifies, every value read is compared with what numpy's
//! buffer export says, and any difference turns this path off for good. Without an export
//! the memory is not pinned, which is sound only because the GIL is held from the read to
//! the end of the sort and no Python code runs in between (resizing or freeing an array
//! needs the GIL).

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_long};
use std::sync::atomic::{AtomicPtr, AtomicU8, Ordering};

use cpython::{ObjectProtocol, PyObject, Python};
use python3_sys as ffi;

use crate::py_buffer::{code_kind, element_kind, one_dimensional_len, Exported, Kind, SYNC_MAX};

/// `PyArrayObject_fields`, up to `flags`.
// A mirror of a C layout: some fields are there only to place the others.
#[allow(dead_code)]
#[repr(C)]
struct ArrayFields {
    ob_base: ffi::PyObject,
    data: *mut c_char,
    nd: c_int,
    dimensions: *const ffi::Py_ssize_t,
    strides: *const ffi::Py_ssize_t,
    base: *mut ffi::PyObject,
    descr: *const DescrHead,
    flags: c_int,
}

/// The head of `PyArray_Descr`, the same in numpy 1.x and 2.x up to `type_num`.
// A mirror of a C layout: some fields are there only to place the others.
#[allow(dead_code)]
#[repr(C)]
struct DescrHead {
    ob_base: ffi::PyObject,
    typeobj: *mut ffi::PyTypeObject,
    kind: c_char,
    type_char: c_char,
    byteorder: c_char,
    flags: c_char,
    type_num: c_int,
}

// numpy's array flags (`ndarraytypes.h`).
const C_CONTIGUOUS: c_int = 0x0001;
const ALIGNED: c_int = 0x0100;
const WRITEABLE: c_int = 0x0400;
/// Set on arrays whose writes numpy warns about (1.x broadcast views): left to the export,
/// which gives the warning.
const WARN_ON_WRITE: c_int = 0x8000_0000_u32 as c_int;

/// A small, writable, 1-dimensional, C-contiguous, aligned numpy array of a supported type.
pub struct SmallArray {
    pub ptr: *mut u8,
    pub len: usize,
    pub kind: Kind,
}

/// The `numpy.ndarray` type once checked (a strong reference, never released); null until then.
static NDARRAY: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(std::ptr::null_mut());

const UNDECIDED: u8 = 0;
const ON: u8 = 1;
const OFF: u8 = 2;
/// Whether the first qualifying array matched its buffer export.
static STATE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// `obj` as a [`SmallArray`] if it is an exact numpy array that qualifies, else `None` (the
/// caller then takes the buffer protocol, which also gives every error message).
pub fn small_view(py: Python, obj: &PyObject) -> Option<SmallArray> {
    // SAFETY: GIL held; `obj` is a live object, whose type pointer we only compare.
    let ty = unsafe { ffi::Py_TYPE(obj.as_ptr()) };
    let known = NDARRAY.load(Ordering::Relaxed);
    if known.is_null() || ty != known {
        if known.is_null() && STATE.load(Ordering::Relaxed) == UNDECIDED {
            learn_type(py, ty);
        }
        return None;
    }
    let state = STATE.load(Ordering::Relaxed);
    if state == OFF {
        return None;
    }
    // SAFETY: `obj` is an instance of exactly the checked `numpy.ndarray` type.
    let array = unsafe { read(obj) }?;
    match state {
        ON => Some(array),
        _ => {
            let agrees = matches_export(py, obj, &array);
            STATE.store(if agrees { ON } else { OFF }, Ordering::Relaxed);
            agrees.then_some(array)
        }
    }
}

/// Remembers `ty` if it is the loaded numpy's `ndarray` type, of a major version whose
/// layout is known; looked at only for types named `numpy.ndarray`, so other types cost one
/// string compare per call until a numpy array has been seen.
fn learn_type(py: Python, ty: *mut ffi::PyTypeObject) {
    // SAFETY: `ty` is a live type object; `tp_name` is a NUL-terminated string it owns.
    let name = unsafe { CStr::from_ptr((*ty).tp_name) };
    if name.to_bytes() != b"numpy.ndarray" {
        return;
    }
    let found = (|| {
        let numpy = py.import("sys").ok()?.get(py, "modules").ok()?;
        let numpy = numpy.get_item(py, "numpy").ok()?;
        let ndarray = numpy.getattr(py, "ndarray").ok()?;
        let version: String = numpy.getattr(py, "__version__").ok()?.extract(py).ok()?;
        let major = version.split('.').next()?;
        Some(ndarray.as_ptr() == ty.cast() && matches!(major, "1" | "2"))
    })();
    // SAFETY: `ty` is a live type object.
    let big_enough =
        unsafe { (*ty).tp_basicsize } >= std::mem::size_of::<ArrayFields>() as ffi::Py_ssize_t;
    if found == Some(true) && big_enough {
        // SAFETY: GIL held; the reference taken here is never released, so the pointer kept
        // in NDARRAY stays valid.
        unsafe { ffi::Py_INCREF(ty.cast()) };
        NDARRAY.store(ty, Ordering::Relaxed);
    } else {
        STATE.store(OFF, Ordering::Relaxed);
    }
}

/// The array's fields, if it qualifies.
///
/// # Safety
/// GIL held; `obj` is an instance of exactly the `numpy.ndarray` type checked by `learn_type`.
unsafe fn read(obj: &PyObject) -> Option<SmallArray> {
    let fields = &*obj.as_ptr().cast::<ArrayFields>();
    let wanted = C_CONTIGUOUS | ALIGNED | WRITEABLE;
    if fields.nd != 1 || fields.flags & (wanted | WARN_ON_WRITE) != wanted {
        return None;
    }
    let descr = &*fields.descr;
    // '=' native, '|' byte order irrelevant (1 byte); numpy writes native order as '='.
    if !matches!(descr.byteorder as u8, b'=' | b'|') {
        return None;
    }
    let (kind, size) = code_kind(descr.type_char as u8, std::mem::size_of::<c_long>())?;
    let len = usize::try_from(*fields.dimensions).ok()?;
    // C-contiguous in one dimension means a stride of one item (numpy ignores the stride of
    // a dimension of length 0 or 1).
    if len > SYNC_MAX || (len > 1 && *fields.strides != size as ffi::Py_ssize_t) {
        return None;
    }
    Some(SmallArray {
        ptr: fields.data.cast(),
        len,
        kind,
    })
}

/// Whether numpy's own buffer export of `obj` says what [`read`] read.
fn matches_export(py: Python, obj: &PyObject, array: &SmallArray) -> bool {
    // A failed export's exception is fetched into the `Err` (none stays set), as are those
    // of the checks.
    let Ok(export) = Exported::get(py, obj, ffi::PyBUF_FULL) else {
        return false;
    };
    export.view.buf.cast::<u8>() == array.ptr
        && export.view.readonly == 0
        && element_kind(py, &export).ok() == Some(array.kind)
        && one_dimensional_len(py, obj, &export).ok() == Some(array.len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte offset of `field` in a `T` (`offset_of!` needs a newer Rust than 1.70).
    macro_rules! offset {
        ($t:ty, $field:ident) => {{
            let value = std::mem::MaybeUninit::<$t>::uninit();
            let base = value.as_ptr();
            // SAFETY: only the address of the field is taken, nothing is read.
            let field = unsafe { std::ptr::addr_of!((*base).$field) };
            field as usize - base as usize
        }};
    }

    #[test]
    fn layouts_are_numpys() {
        // On a 64-bit build with a 16-byte PyObject_HEAD: numpy's fields at numpy's offsets.
        if cfg!(target_pointer_width = "64") && std::mem::size_of::<ffi::PyObject>() == 16 {
            assert_eq!(offset!(ArrayFields, data), 16);
            assert_eq!(offset!(ArrayFields, nd), 24);
            assert_eq!(offset!(ArrayFields, dimensions), 32);
            assert_eq!(offset!(ArrayFields, strides), 40);
            assert_eq!(offset!(ArrayFields, descr), 56);
            assert_eq!(offset!(ArrayFields, flags), 64);
            assert_eq!(offset!(DescrHead, type_char), 25);
            assert_eq!(offset!(DescrHead, byteorder), 26);
        }
    }
}
