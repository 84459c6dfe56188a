//! Module functions called through CPython's `METH_FASTCALL` convention, for the entry points
//! whose fixed cost is timed against a builtin's.
//!
//! `py_fn!` builds `METH_VARARGS | METH_KEYWORDS` wrappers: CPython packs the arguments into a
//! tuple (and a dict), and the wrapper parses them back. That costs ~250 ns a call, where
//! `sorted()` sorts a list of ten ints in ~120 ns. A `METH_FASTCALL` function receives the
//! arguments as a C array of borrowed references (keyword values after the positional ones,
//! their names in a tuple), with nothing built or parsed in between.

use std::ffi::CStr;
use std::mem::ManuallyDrop;
use std::ops::Deref;

use cpython::{PyErr, PyModule, PyObject, PyResult, PyString, Python, PythonObject};
use python3_sys as ffi;

use crate::{errors, without_gil};

/// `METH_FASTCALL`: positional arguments only.
pub type Positional = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    ffi::Py_ssize_t,
) -> *mut ffi::PyObject;

/// `METH_FASTCALL | METH_KEYWORDS`: the last argument is the tuple of keyword names (or NULL).
pub type WithKeywords = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    ffi::Py_ssize_t,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// How CPython is to call a function.
pub enum Entry {
    Positional(Positional),
    WithKeywords(WithKeywords),
}

/// Adds the function `name` to `module`, reporting `owner` as its `__module__`.
///
/// `doc` starts with the text signature (`name(args)\n--\n\n`), from which `inspect.signature`
/// and `help()` read the parameters, as they do for builtins.
pub fn add(
    py: Python,
    module: &PyModule,
    name: &'static CStr,
    doc: &'static CStr,
    entry: Entry,
    owner: &str,
) -> PyResult<()> {
    // SAFETY (both arms): the flags tell CPython which signature `ml_meth` has; the field's
    // declared type is only the generic `PyCFunction`.
    let (meth, flags) = match entry {
        Entry::Positional(f) => (
            unsafe { std::mem::transmute::<Positional, ffi::PyCFunction>(f) },
            ffi::METH_FASTCALL,
        ),
        Entry::WithKeywords(f) => (
            unsafe { std::mem::transmute::<WithKeywords, ffi::PyCFunction>(f) },
            ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ),
    };
    // Leaked once per import: CPython keeps a pointer to the definition for the function's
    // lifetime.
    let def = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: Some(meth),
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }));
    let owner = PyString::new(py, owner);
    // SAFETY: GIL held; `def` lives forever; returns a new reference or NULL with an exception.
    let function =
        unsafe { ffi::PyCFunction_NewEx(def, std::ptr::null_mut(), owner.as_object().as_ptr()) };
    if function.is_null() {
        return Err(PyErr::fetch(py));
    }
    let name = name.to_str().expect("function names are ASCII");
    // SAFETY: a new, non-null reference that we now own.
    module.add(py, name, unsafe { PyObject::from_owned_ptr(py, function) })
}

/// Runs the body of an entry point and hands its outcome to CPython: the result as a new
/// reference, or NULL with the exception set. A panic must not unwind into C (it would
/// abort): it becomes SystemError, as `py_fn!` makes it.
pub fn respond(py: Python, body: impl FnOnce() -> PyResult<PyObject>) -> *mut ffi::PyObject {
    let err = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(result)) => return result.steal_ptr(),
        Ok(Err(err)) => err,
        Err(payload) => errors::panic_to_py(py, &without_gil::panic_message(payload.as_ref())),
    };
    err.restore(py);
    std::ptr::null_mut()
}

/// An argument CPython lent us for the call, seen as a `PyObject` without taking a reference:
/// never dropped, so no reference is released either. (rust-cpython's `PyObject` takes the
/// GIL again in `drop`, `PyGILState_Ensure` and `_Release`: ~10 ns for each argument of each
/// call, a third of `sort.sort` on an empty list.)
pub struct Borrowed(ManuallyDrop<PyObject>);

impl Borrowed {
    /// # Safety
    /// `ptr` is a live object that stays alive as long as the `Borrowed` is used: an argument
    /// of the running call, or an immortal singleton (`None`, `False`).
    pub unsafe fn new(py: Python, ptr: *mut ffi::PyObject) -> Borrowed {
        // `from_owned_ptr` takes no reference; `ManuallyDrop` never releases one.
        Borrowed(ManuallyDrop::new(PyObject::from_owned_ptr(py, ptr)))
    }
}

impl Deref for Borrowed {
    type Target = PyObject;

    fn deref(&self) -> &PyObject {
        &self.0
    }
}
