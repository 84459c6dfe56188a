//! `sleep_sort(values, unit)`: where the Python arguments become the inputs of
//! [`algo::sleep`](crate::algo::sleep), and where its sleeping threads run without the GIL.
//!
//! Everything that can be wrong with the arguments is reported here, with the GIL held and
//! before a single thread is spawned: the element's index and type, an int beyond 64 bits, a
//! bad unit, too many distinct values, a sleep too long to schedule.

use std::time::Duration;

use cpython::exc::{OverflowError, TypeError, ValueError};
use cpython::{
    py_fn, ObjectProtocol, PyErr, PyList, PyLong, PyModule, PyObject, PyResult, Python, ToPyObject,
};

use crate::algo::sleep::{Invalid, Plan};
use crate::args::type_name;
use crate::without_gil;

// py_fn! expands to code that clippy flags as `manual_strip`; nothing we can change.
#[allow(clippy::manual_strip)]
pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    module.add(
        py,
        "sleep_sort",
        py_fn!(py, sleep_sort(values: &PyObject, unit: &PyObject)),
    )?;
    module.add(
        py,
        "_sleep_sort_arrivals",
        py_fn!(py, sleep_sort_arrivals(values: &PyObject, unit: &PyObject)),
    )?;
    Ok(())
}

/// The values in ascending order, after sleeping about `(max - min) x unit` seconds.
fn sleep_sort(py: Python, values: &PyObject, unit: &PyObject) -> PyResult<PyList> {
    let Some(plan) = plan(py, values, unit)? else {
        return Ok(PyList::new(py, &[]));
    };
    // `move`: the job owns the plan, so it borrows nothing from this thread's stack.
    let sorted = without_gil::run(py, move |cancel| plan.run(cancel))?;
    Ok(sorted.to_py_object(py))
}

/// Diagnostic for the benchmarks: the values in the order their threads woke, before the
/// repair pass (so possibly not sorted).
fn sleep_sort_arrivals(py: Python, values: &PyObject, unit: &PyObject) -> PyResult<PyList> {
    let Some(plan) = plan(py, values, unit)? else {
        return Ok(PyList::new(py, &[]));
    };
    let arrivals = without_gil::run(py, move |cancel| plan.arrivals(cancel))?;
    Ok(arrivals.values().to_py_object(py))
}

/// Checks both arguments and plans the sort; `None` for no values (no threads, no sleep).
fn plan(py: Python, values: &PyObject, unit: &PyObject) -> PyResult<Option<Plan>> {
    // The unit first: it has no side effects, while reading `values` may consume a generator.
    let unit = to_unit(py, unit)?;
    let values = to_values(py, values)?;
    if values.is_empty() {
        return Ok(None);
    }
    let unit =
        match unit {
            Some(unit) => unit,
            // All values equal: every sleep is 0 x unit, whatever the unit.
            None if values.iter().all(|&value| value == values[0]) => Duration::ZERO,
            None => return Err(PyErr::new::<OverflowError, _>(
                py,
                "sleep_sort(): unit is too large: (max - min) x unit seconds is too long to sleep",
            )),
        };
    match Plan::new(&values, unit) {
        Ok(plan) => Ok(Some(plan)),
        Err(invalid @ Invalid::TooManyDistinct { .. }) => Err(PyErr::new::<ValueError, _>(
            py,
            format!("sleep_sort(): {invalid}"),
        )),
        Err(invalid @ Invalid::TooLong { .. }) => Err(PyErr::new::<OverflowError, _>(
            py,
            format!("sleep_sort(): {invalid}"),
        )),
    }
}

/// `unit`: any real number (float, int, or an object with `__float__`) of seconds, finite and
/// at least 0, rounded to the nearest nanosecond (`Duration::try_from_secs_f64`). `None` for a
/// valid unit too large for a `Duration` (beyond 584 years, or an int beyond a float's range):
/// that is only an error if something has to sleep, which [`plan`] decides from the values.
fn to_unit(py: Python, unit: &PyObject) -> PyResult<Option<Duration>> {
    let seconds = match unit.extract::<f64>(py) {
        Ok(seconds) => seconds,
        Err(err) if err.matches(py, py.get_type::<TypeError>()) => {
            return Err(PyErr::new::<TypeError, _>(
                py,
                format!(
                    "sleep_sort(): unit must be a real number of seconds, not '{}'",
                    type_name(py, unit)
                ),
            ));
        }
        // A finite number too large for a float (an int such as 10**400).
        Err(err) if err.matches(py, py.get_type::<OverflowError>()) => return Ok(None),
        Err(err) => return Err(err),
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(PyErr::new::<ValueError, _>(
            py,
            format!("sleep_sort(): unit must be a finite number of seconds >= 0, got {seconds:?}"),
        ));
    }
    Ok(Duration::try_from_secs_f64(seconds).ok())
}

/// `values`: any iterable (read once, through the iterator protocol) of ints. Bools are ints
/// (0 and 1), and so is anything with `__index__`, such as `numpy.int64`; floats are not.
fn to_values(py: Python, values: &PyObject) -> PyResult<Vec<i64>> {
    let mut ints = Vec::new();
    for (index, item) in values.iter(py)?.enumerate() {
        ints.push(to_i64(py, &item?, index)?);
    }
    Ok(ints)
}

fn to_i64(py: Python, item: &PyObject, index: usize) -> PyResult<i64> {
    let index_result;
    let int = if item.cast_as::<PyLong>(py).is_ok() {
        item
    } else {
        // SAFETY: GIL held; PyNumber_Index returns a new reference, or NULL with an exception
        // set (TypeError for an object without __index__).
        let ptr = unsafe { python3_sys::PyNumber_Index(item.as_ptr()) };
        if ptr.is_null() {
            let err = PyErr::fetch(py);
            if !err.matches(py, py.get_type::<TypeError>()) {
                return Err(err);
            }
            return Err(PyErr::new::<TypeError, _>(
                py,
                format!(
                    "sleep_sort(): element {index} is a '{}', not an int",
                    type_name(py, item)
                ),
            ));
        }
        // SAFETY: `ptr` is a new, non-null reference that we now own.
        index_result = unsafe { PyObject::from_owned_ptr(py, ptr) };
        &index_result
    };
    int.extract::<i64>(py).map_err(|err| {
        if err.matches(py, py.get_type::<OverflowError>()) {
            PyErr::new::<OverflowError, _>(
                py,
                format!(
                    "sleep_sort(): element {index} does not fit in 64 bits \
                     (ints must be in [-2**63, 2**63 - 1])"
                ),
            )
        } else {
            err
        }
    })
}
