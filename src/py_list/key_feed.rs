//! A key function that hands out keys computed before: CPython's `list.sort` calls its key
//! function exactly once per item, in list order (`list_sort_impl` fills its keys array in one
//! loop before comparing anything, in every version from 3.0 to 3.13), so a callable returning
//! the precomputed keys in that order makes `list.sort` sort the items by them without calling
//! the user's `key` a second time.
//!
//! This is the fallback of a keyed sort that cannot take the fast path (keys of another kind,
//! or no memory for it), or whose keys are in runs timsort sorts faster: CPython then performs
//! exactly its own comparisons on the list itself, needs no permutation (so nothing of ours
//! can misplace an item), looks nothing up by name, and, since each key's reference moves into
//! `list.sort`'s keys array, releases the keys in `list.sort`'s own order.
//!
//! The callable is a C function (`METH_O`) bound to a capsule that owns the keys: `list.sort`
//! calls it once per item, and a class's `__call__` (an argument tuple built and parsed per
//! call, ~150 ns) made a keyed sort of already ordered keys 4x slower than `sorted()`.

use std::os::raw::c_char;
use std::sync::OnceLock;

use cpython::exc::RuntimeError;
use cpython::{PyErr, PyObject, PyResult, Python};
use python3_sys as ffi;

/// The capsule's name: `PyCapsule_GetPointer` checks it, so no other capsule passes for ours.
const NAME: &std::ffi::CStr = c"sort.key_feed";

/// Owned key references not handed out yet.
struct Pending {
    keys: Vec<*mut ffi::PyObject>,
    next: usize,
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Dropped by the capsule's destructor, with the GIL held.
        for &k in &self.keys[self.next..] {
            // SAFETY: GIL held; we own the references not handed out.
            unsafe { ffi::Py_DECREF(k) };
        }
    }
}

/// The capsule's destructor: frees the `Pending` and the keys it still owns.
unsafe extern "C" fn release(capsule: *mut ffi::PyObject) {
    let pending = ffi::PyCapsule_GetPointer(capsule, NAME.as_ptr());
    if !pending.is_null() {
        // SAFETY: the pointer came from `Box::into_raw` in `key_feed`, and the capsule, now
        // being freed (with the GIL), was its only owner.
        drop(Box::from_raw(pending.cast::<Pending>()));
    }
}

/// The key function: the next precomputed key, whatever the item.
unsafe extern "C" fn next_key(
    capsule: *mut ffi::PyObject,
    _item: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls it with the GIL held; `capsule` is the one `key_feed` bound, whose
    // pointer is a live `Pending` touched by nothing else (no Python code runs here).
    let py = Python::assume_gil_acquired();
    let pending = ffi::PyCapsule_GetPointer(capsule, NAME.as_ptr()).cast::<Pending>();
    if pending.is_null() {
        return std::ptr::null_mut(); // not our capsule: GetPointer set the exception
    }
    let pending = &mut *pending;
    match pending.keys.get(pending.next).copied() {
        Some(k) => {
            pending.next += 1;
            k // the reference we owned moves to the caller
        }
        None => {
            PyErr::new::<RuntimeError, _>(py, "sort: more items than precomputed keys").restore(py);
            std::ptr::null_mut()
        }
    }
}

/// The method definition, made once: CPython keeps a pointer to it for each function's life.
struct Def(ffi::PyMethodDef);
// SAFETY: the definition is never written after it is made, and only read by CPython.
unsafe impl Send for Def {}
// SAFETY: as above.
unsafe impl Sync for Def {}

/// A callable returning `keys` one by one, whatever its argument; it owns one reference to
/// each key, which it hands over with the key. If it cannot be made, the keys are released.
pub fn key_feed(py: Python, keys: Vec<*mut ffi::PyObject>) -> PyResult<PyObject> {
    static DEF: OnceLock<Def> = OnceLock::new();
    let def = DEF.get_or_init(|| {
        Def(ffi::PyMethodDef {
            ml_name: c"key_feed".as_ptr(),
            // METH_O: CPython calls it as `(self, arg)`, `PyCFunction`'s own signature.
            ml_meth: Some(next_key),
            ml_flags: ffi::METH_O,
            ml_doc: std::ptr::null::<c_char>(),
        })
    });
    let pending = Box::into_raw(Box::new(Pending { keys, next: 0 }));
    // SAFETY: GIL held. On failure the capsule does not exist, so we still own `pending`.
    let capsule = unsafe { ffi::PyCapsule_New(pending.cast(), NAME.as_ptr(), Some(release)) };
    if capsule.is_null() {
        // SAFETY: `pending` came from `Box::into_raw` above and nothing else owns it.
        drop(unsafe { Box::from_raw(pending) });
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference we own; dropping it (below, or with `function`) runs `release`.
    let capsule = unsafe { PyObject::from_owned_ptr(py, capsule) };
    // SAFETY: GIL held; `def` lives for the process; the function takes its own reference to
    // `capsule`, its `self`.
    let function = unsafe {
        ffi::PyCFunction_NewEx(
            (&def.0 as *const ffi::PyMethodDef).cast_mut(),
            capsule.as_ptr(),
            std::ptr::null_mut(),
        )
    };
    if function.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new, non-null reference that we now own.
    Ok(unsafe { PyObject::from_owned_ptr(py, function) })
}
