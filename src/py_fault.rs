//! `_sort._inject_fault(phase, kind)` and `_sort._fault_pending()`: the Python face of
//! [`algo::fault`](crate::algo::fault), present only in builds with the `fault-injection`
//! feature (tests skip without it).

use cpython::exc::ValueError;
use cpython::{PyErr, PyModule, PyObject, PyResult, Python};

use crate::algo::fault::{self, Kind, Phase};

pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    // `py_fn!` expands to code that clippy flags (manual_strip); the lint is the macro's.
    #[allow(clippy::manual_strip)]
    let inject = cpython::py_fn!(py, inject_fault(phase: String, kind: String));
    module.add(py, "_inject_fault", inject)?;
    #[allow(clippy::manual_strip)]
    let pending = cpython::py_fn!(py, fault_pending());
    module.add(py, "_fault_pending", pending)
}

/// Arms a fault: `phase` is "keys", "sort" or "write", `kind` "panic" or "nomemory";
/// phase "none" disarms.
fn inject_fault(py: Python, phase: String, kind: String) -> PyResult<PyObject> {
    if phase == "none" {
        fault::arm(None);
        return Ok(py.None());
    }
    match (Phase::parse(&phase), Kind::parse(&kind)) {
        (Some(phase), Some(kind)) => {
            fault::arm(Some((phase, kind)));
            Ok(py.None())
        }
        _ => Err(PyErr::new::<ValueError, _>(
            py,
            format!("unknown fault {phase:?}/{kind:?}"),
        )),
    }
}

fn fault_pending(_py: Python) -> PyResult<bool> {
    Ok(fault::pending())
}
