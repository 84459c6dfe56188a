//! PLACEHOLDER binding for `list`; replaced by its real implementation.

use cpython::{PyModule, PyResult, Python};

pub fn register(_py: Python, _module: &PyModule) -> PyResult<()> {
    Ok(())
}
