//! `key(item)`, called as `list.sort` calls it: through the callable's vectorcall slot.
//!
//! CPython's `list.sort` calls `PyObject_CallOneArg`, which is inline in the headers up to
//! 3.11: it reads the callable's vectorcall function and calls it. An extension built for
//! every version can only reach the exported `PyObject_VectorcallDict`, which goes through
//! two more functions to the same place. With a cheap key (`len`, `itemgetter`) those were a
//! sixth of `sort.sorted(x, key=len)` on a short list (`perf`), so the slot is read here as
//! the headers read it, and the result checked as `_Py_CheckFunctionResult` checks it.

use std::ptr;

use python3_sys::{
    vectorcallfunc, PyErr_Occurred, PyErr_SetString, PyExc_SystemError, PyObject,
    PyType_HasFeature, Py_DECREF, Py_TPFLAGS_HAVE_VECTORCALL,
};

// In every CPython this package supports (3.9 and later); python3-sys does not declare it.
extern "C" {
    fn PyObject_VectorcallDict(
        callable: *mut PyObject,
        args: *const *mut PyObject,
        nargsf: usize,
        kwdict: *mut PyObject,
    ) -> *mut PyObject;
}

/// `callable(arg)`: a new reference, or NULL with an exception set.
///
/// # Safety
/// GIL held; both objects alive.
#[inline(always)]
pub unsafe fn call_one(callable: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    if let Some(function) = vectorcall_of(callable) {
        let result = function(callable, &arg, 1, ptr::null_mut());
        return checked(result);
    }
    PyObject_VectorcallDict(callable, &arg, 1, ptr::null_mut())
}

/// The callable's vectorcall function, if its type has one and the object sets it: what
/// `PyVectorcall_Function` reads (Include/cpython/abstract.h, the same from 3.9 to 3.13). It
/// is read again for every call: a function's may change (a new `__code__`, for one).
///
/// # Safety
/// GIL held; `callable` alive.
#[inline(always)]
unsafe fn vectorcall_of(callable: *mut PyObject) -> Option<vectorcallfunc> {
    let ty = (*callable).ob_type;
    if PyType_HasFeature(ty, Py_TPFLAGS_HAVE_VECTORCALL) == 0 {
        return None;
    }
    let offset = (*ty).tp_vectorcall_offset;
    if offset <= 0 {
        return None;
    }
    callable
        .cast::<u8>()
        .offset(offset)
        .cast::<Option<vectorcallfunc>>()
        .read()
}

/// What `_Py_CheckFunctionResult` makes of a C function's result: a NULL needs an exception
/// set, a result must come without one; otherwise SystemError, as CPython raises.
///
/// # Safety
/// GIL held; `result` is what a call returned (a new reference, or NULL).
#[inline(always)]
unsafe fn checked(result: *mut PyObject) -> *mut PyObject {
    let pending = !PyErr_Occurred().is_null();
    if result.is_null() {
        if !pending {
            PyErr_SetString(
                PyExc_SystemError,
                c"key function returned NULL without setting an exception".as_ptr(),
            );
        }
        return ptr::null_mut();
    }
    if pending {
        Py_DECREF(result);
        // (CPython chains the pending exception as this one's cause; here it is replaced.)
        PyErr_SetString(
            PyExc_SystemError,
            c"key function returned a result with an exception set".as_ptr(),
        );
        return ptr::null_mut();
    }
    result
}
