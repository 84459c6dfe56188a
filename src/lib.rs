//! `sort._sort`: the compiled half of the `sort` package.
//!
//! This file only declares the module. Arguments become Rust values in the `py_*` modules and
//! [`args`], long work leaves the GIL in [`without_gil`], errors become exceptions in
//! [`errors`], and every algorithm lives in [`algo`], which knows nothing of Python.

pub mod algo;
mod args;
mod errors;
mod fastcall;
mod py_api;
mod py_argsort;
mod py_buffer;
#[cfg(feature = "fault-injection")]
mod py_fault;
mod py_list;
mod py_ndarray;
mod py_sleep;
mod without_gil;

use cpython::py_module_initializer;

py_module_initializer!(_sort, |py, m| {
    m.add(
        py,
        "__doc__",
        "Compiled core of the `sort` package; import `sort`, not this module.",
    )?;
    m.add(py, "__version__", env!("CARGO_PKG_VERSION"))?;
    without_gil::register(py)?;
    py_sleep::register(py, m)?;
    py_list::register(py, m)?;
    py_buffer::register(py, m)?;
    #[cfg(feature = "fault-injection")]
    py_fault::register(py, m)?;
    py_argsort::register(py, m)?;
    py_api::register(py, m)?;
    Ok(())
});
