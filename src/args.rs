//! Arguments shared by several functions: where a Python value becomes a Rust one.

use std::cmp::Ordering;
use std::sync::OnceLock;

use cpython::exc::{OverflowError, TypeError, ValueError};
use cpython::{ObjectProtocol, PyBool, PyErr, PyObject, PyResult, Python};

use crate::algo::parallel;

/// `threads=`: `None` means every CPU this process may use; otherwise an int >= 1 (any object
/// with `__index__`, but not a bool) caps the number of threads.
pub fn threads(py: Python, value: &PyObject) -> PyResult<usize> {
    if *value == py.None() {
        return Ok(parallel::default_threads());
    }
    let not_an_int = || {
        PyErr::new::<TypeError, _>(
            py,
            format!(
                "threads must be None or an int >= 1, not {}",
                type_name(py, value)
            ),
        )
    };
    if value.get_type(py) == py.get_type::<PyBool>() {
        return Err(not_an_int());
    }
    let index = index(py, value).map_err(|_| not_an_int())?;
    if index.compare(py, 0)? != Ordering::Greater {
        return Err(PyErr::new::<ValueError, _>(
            py,
            format!(
                "threads must be >= 1, got {}",
                index.repr(py)?.to_string_lossy(py)
            ),
        ));
    }
    // A cap beyond usize is no cap at all.
    Ok(index.extract::<usize>(py).unwrap_or(usize::MAX))
}

/// `reverse=`, read exactly as the running interpreter's `list.sort` reads it: up to 3.11 an
/// int in the range of a C `int` (anything with `__index__`; TypeError otherwise, OverflowError
/// beyond the range), from 3.12 on any object, by its truth value.
pub fn reverse(py: Python, value: &PyObject) -> PyResult<bool> {
    // The usual True/False are recognised without a call: this path is timed against
    // `sorted()` on lists of a hundred elements.
    // SAFETY: only reads the addresses of the two bool singletons.
    let (yes, no) = unsafe { (python3_sys::Py_True(), python3_sys::Py_False()) };
    match value.as_ptr() {
        ptr if ptr == yes => Ok(true),
        ptr if ptr == no => Ok(false),
        _ if truth_value_reverse(py)? => value.is_true(py),
        _ => Ok(index(py, value)?.extract::<i32>(py).map_err(|err| {
            if err.matches(py, py.get_type::<OverflowError>()) {
                PyErr::new::<OverflowError, _>(py, "Python int too large to convert to C int")
            } else {
                err
            }
        })? != 0),
    }
}

/// Whether this interpreter's `list.sort` takes `reverse` by truth value (CPython >= 3.12).
fn truth_value_reverse(py: Python) -> PyResult<bool> {
    static TRUTH: OnceLock<bool> = OnceLock::new();
    if let Some(&truth) = TRUTH.get() {
        return Ok(truth);
    }
    let hexversion: u32 = py.import("sys")?.get(py, "hexversion")?.extract(py)?;
    Ok(*TRUTH.get_or_init(|| hexversion >= 0x030C_0000))
}

/// `operator.index(value)`: TypeError for objects that are not integers.
fn index(py: Python, value: &PyObject) -> PyResult<PyObject> {
    // SAFETY: GIL held; PyNumber_Index returns a new reference, or NULL with an exception set.
    let index = unsafe { python3_sys::PyNumber_Index(value.as_ptr()) };
    if index.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: `index` is a new, non-null reference that we now own.
    Ok(unsafe { PyObject::from_owned_ptr(py, index) })
}

/// Python's own name for `obj`'s type, for error messages.
pub fn type_name(py: Python, obj: &PyObject) -> String {
    obj.get_type(py).name(py).into_owned()
}

/// TypeError unless `obj` is a list (a subclass too), naming the function `caller`.
pub fn require_list(py: Python, obj: &PyObject, caller: &str) -> PyResult<()> {
    // SAFETY: GIL held (we have a `Python` token); `obj` is a live object.
    if unsafe { python3_sys::PyList_Check(obj.as_ptr()) } == 0 {
        return Err(PyErr::new::<TypeError, _>(
            py,
            format!("{caller}() needs a list, not {}", type_name(py, obj)),
        ));
    }
    Ok(())
}
