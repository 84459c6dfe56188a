//! Mapping the algorithms' errors to Python exceptions.

use cpython::exc::{MemoryError, RuntimeError, SystemError, ValueError};
use cpython::{PyErr, Python};

use crate::algo::Error;

pub fn to_py(py: Python, err: Error) -> PyErr {
    match err {
        // Reached only if a job stops without the caller asking; a Ctrl-C surfaces as the
        // KeyboardInterrupt raised by the signal handler instead.
        Error::Cancelled => PyErr::new::<RuntimeError, _>(py, "sort was cancelled"),
        Error::Spawn(err) => {
            PyErr::new::<RuntimeError, _>(py, format!("could not start a thread: {err}"))
        }
        Error::TooLarge(what) => PyErr::new::<ValueError, _>(py, what),
        Error::NoMemory(_) => PyErr::new::<MemoryError, _>(py, err.to_string()),
    }
}

/// A panic is a bug in this package, never the caller's fault: say so, as rust-cpython does for
/// panics at the `py_fn!` boundary.
pub fn panic_to_py(py: Python, message: &str) -> PyErr {
    PyErr::new::<SystemError, _>(py, format!("Rust panic in sort: {message}"))
}
