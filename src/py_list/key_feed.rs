//! A key function that hands out keys computed before: CPython's `list.sort` calls its key
//! function exactly once per item, in list order (`list_sort_impl` fills its keys array in one
//! loop before comparing anything, in every version from 3.0 to 3.13), so a callable returning
//! the precomputed keys in that order makes `list.sort` sort the items by them without calling
//! the user's `key` a second time.
//!
//! This is the fallback of a keyed sort that cannot take the fast path (keys of another kind,
//! or no memory for it): CPython then performs exactly its own comparisons on the list itself,
//! needs no permutation (so nothing of ours can misplace an item), looks nothing up by name,
//! and, since each key's reference moves into `list.sort`'s keys array, releases the keys in
//! `list.sort`'s own order.

use std::cell::RefCell;

use cpython::exc::RuntimeError;
use cpython::{PyErr, PyObject, PyResult, Python};
use python3_sys::{PyObject as RawObject, Py_DECREF};

/// Owned key references not handed out yet.
pub struct Pending {
    keys: Vec<*mut RawObject>,
    next: usize,
}

// SAFETY: a `Pending` is only touched by the `KeyFeed` that owns it, under the GIL (its
// `__call__` and its deallocation); rust-cpython asks `data` fields to be `Send`.
unsafe impl Send for Pending {}

impl Drop for Pending {
    fn drop(&mut self) {
        // Dropped when the `KeyFeed` is deallocated, with the GIL held.
        for &k in &self.keys[self.next..] {
            // SAFETY: GIL held; we own the references not handed out.
            unsafe { Py_DECREF(k) };
        }
    }
}

// `py_class!` expands to impls that rustc's `non_local_definitions` lint flags; the lint is
// the macro's.
#[allow(non_local_definitions)]
mod class {
    use super::*;

    cpython::py_class!(pub class KeyFeed |py| {
        data pending: RefCell<Pending>;

        def __call__(&self, _item: PyObject) -> PyResult<PyObject> {
            let mut pending = self.pending(py).borrow_mut();
            match pending.keys.get(pending.next).copied() {
                Some(k) => {
                    pending.next += 1;
                    // SAFETY: GIL held; the reference we owned moves to the caller.
                    Ok(unsafe { PyObject::from_owned_ptr(py, k) })
                }
                None => Err(PyErr::new::<RuntimeError, _>(
                    py,
                    "sort: more items than precomputed keys",
                )),
            }
        }
    });
}

pub use class::KeyFeed;

/// A callable returning `keys` one by one, whatever its argument; it owns one reference to
/// each key, which it hands over with the key.
pub fn key_feed(py: Python, keys: Vec<*mut RawObject>) -> PyResult<KeyFeed> {
    KeyFeed::create_instance(py, RefCell::new(Pending { keys, next: 0 }))
}
