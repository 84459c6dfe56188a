//! `_sort.sort_list(lst, key, reverse, threads)`: `list.sort` with CPython's exact results,
//! computed by Rust threads when the keys are plain ints, floats, strs or bytes.
//!
//! The shape is CPython's `list_sort_impl`: take the items out of the list (it stays empty
//! meanwhile, see [`raw`]), call `key` once per item in order, sort, put the items back, and
//! raise ValueError if the list was changed meanwhile. The sort itself is either
//! - the Rust kernels ([`algo::keyed`], [`algo::text`]) when every key is of one fast kind
//!   ([`keys`]): the stable order of a total order is unique, so it is exactly CPython's; or
//! - CPython's own `list.sort`, on the list (no key) or on a permutation keyed by the keys
//!   already computed (so `key` is never called twice), performing the very comparisons
//!   CPython would: same order, same exceptions, same partial order after an exception.

pub(crate) mod keys;
mod raw;

use std::ptr;

use cpython::exc::{TypeError, ValueError};
use cpython::{
    NoArgs, ObjectProtocol, PyDict, PyErr, PyList, PyModule, PyObject, PyResult, Python,
    PythonObject,
};
use python3_sys::{
    PyList_Check, PyList_GetItem, PyList_New, PyList_SetItem, PyLong_AsSsize_t,
    PyObject as RawObject, PyObject_CallFunctionObjArgs, Py_DECREF, Py_ssize_t,
};

use crate::algo::{keyed, text, Cancel, Error};
use crate::{args, errors, without_gil};
use keys::Keys;
use raw::Taken;

/// Below this many items CPython's own sort is about as fast and our fixed costs (argument
/// parsing, classification, allocation) would dominate. `sort/__init__.py` uses the same
/// threshold to skip the call into Rust entirely.
const SMALL: usize = 128;

/// From this many items on, the sort leaves the GIL and runs on `threads` threads; below it,
/// it stays on the calling thread (a thread start costs more than the whole sort).
const PARALLEL: usize = 1 << 15;

/// From this many items on, the sort uses more than one thread. Below it, on this shared
/// 2-core machine, a second thread measured slower, not faster (it waits for a core at every
/// synchronisation point), while one thread sorts 1e5 ints in ~4 ms.
const MULTI_THREAD: usize = 1 << 18;

pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    // `py_fn!` expands to code that clippy flags (manual_strip); the lint is the macro's.
    #[allow(clippy::manual_strip)]
    let function = cpython::py_fn!(
        py,
        sort_list(lst: PyObject, key: PyObject, reverse: PyObject, threads: PyObject)
    );
    module.add(py, "sort_list", function)
}

/// What the sort of the taken items came to.
enum Step {
    /// The items are in their final order.
    Sorted,
    /// Not a fast kind and no key function: let `list.sort` sort the (restored) list.
    UseCPython,
}

fn sort_list(
    py: Python,
    lst: PyObject,
    key: PyObject,
    reverse: PyObject,
    threads: PyObject,
) -> PyResult<PyObject> {
    // SAFETY: GIL held; `lst` is a live object.
    if unsafe { PyList_Check(lst.as_ptr()) } == 0 {
        return Err(PyErr::new::<TypeError, _>(
            py,
            format!(
                "sort_list() needs a list, not {}",
                args::type_name(py, &lst)
            ),
        ));
    }
    let threads = args::threads(py, &threads)?;
    let reverse = args::reverse(py, &reverse)?;
    let len = lst.cast_as::<PyList>(py)?.len(py);
    if !(SMALL..=keyed::MAX_LEN).contains(&len) {
        return cpython_sort(py, &lst, &key, reverse);
    }
    // SAFETY: GIL held; `lst` is a list kept alive by our reference for the whole call, and
    // `taken` is dropped (or restored) before we return, on this thread.
    let mut taken = unsafe { Taken::take(lst.as_ptr()) };
    let step = if key.is_none(py) {
        sort_plain(py, &mut taken, reverse, threads)
    } else {
        sort_keyed(py, &mut taken, &key, reverse, threads)
    };
    let modified = taken.restore();
    match step {
        // An error already being reported wins over "modified", as in CPython (a raising key
        // leaves the list as it was; a raising comparison leaves it partly sorted).
        Err(err) => Err(err),
        Ok(_) if modified => Err(PyErr::new::<ValueError, _>(py, "list modified during sort")),
        Ok(Step::Sorted) => Ok(py.None()),
        Ok(Step::UseCPython) => cpython_sort(py, &lst, &key, reverse),
    }
}

/// No key function: the items are their own keys.
fn sort_plain(py: Python, taken: &mut Taken, reverse: bool, threads: usize) -> PyResult<Step> {
    // SAFETY: GIL held; the taken array keeps every item alive until it is restored, after
    // the sort.
    match unsafe { keys::classify(taken.items()) } {
        Some(keys) => {
            sort_by_keys(py, keys, taken.items_mut(), reverse, threads)?;
            Ok(Step::Sorted)
        }
        None => Ok(Step::UseCPython),
    }
}

/// With a key function: call it once per item, in order, then sort the items by the keys.
fn sort_keyed(
    py: Python,
    taken: &mut Taken,
    key: &PyObject,
    reverse: bool,
    threads: usize,
) -> PyResult<Step> {
    let mut keys = OwnedRefs(Vec::with_capacity(taken.len()));
    for &item in taken.items() {
        // SAFETY: GIL held; `key` and `item` are live; the variadic list ends with NULL.
        // Python code runs here and may do anything to the list: it sees an empty list, and
        // `taken`'s array, which it cannot reach, keeps every item alive.
        let k = unsafe {
            PyObject_CallFunctionObjArgs(key.as_ptr(), item, ptr::null_mut::<RawObject>())
        };
        if k.is_null() {
            let err = PyErr::fetch(py);
            keys.release_newest_first();
            return Err(err);
        }
        keys.0.push(k);
    }
    // SAFETY: GIL held; `keys` owns a reference to every key until `release` below, after
    // the sort.
    let result = match unsafe { keys::classify(&keys.0) } {
        Some(fast) => sort_by_keys(py, fast, taken.items_mut(), reverse, threads),
        None => {
            let keys_list = keys.into_list(py)?;
            sort_by_python_keys(py, &keys_list, taken.items_mut(), reverse)
        }
    };
    // `keys` was either released into `keys_list` (dropped above) or is released here; both
    // before the list is restored, as in CPython.
    result.map(|()| Step::Sorted)
}

/// An object pointer that worker threads may move around but never dereference.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Item(#[allow(dead_code)] *mut RawObject);

// SAFETY: workers only copy `Item`s between slots of the taken array; no thread touches the
// object behind the pointer, its reference count, or any Python API.
unsafe impl Send for Item {}
// SAFETY: as above; shared `&Item`s are only read as plain words.
unsafe impl Sync for Item {}

fn as_items(items: &mut [*mut RawObject]) -> &mut [Item] {
    // SAFETY: `Item` is `repr(transparent)` over `*mut PyObject`, so the layouts agree, and the
    // new slice takes over the unique borrow of the old one.
    unsafe { std::slice::from_raw_parts_mut(items.as_mut_ptr().cast::<Item>(), items.len()) }
}

/// Rearranges `items` in the order of `keys` (stable; descending if `reverse`), in Rust,
/// without the GIL for large inputs.
fn sort_by_keys(
    py: Python,
    keys: Keys,
    items: &mut [*mut RawObject],
    reverse: bool,
    threads: usize,
) -> PyResult<()> {
    let items = as_items(items);
    let parallel = items.len() >= PARALLEL;
    let threads = if items.len() >= MULTI_THREAD {
        threads
    } else {
        1
    };
    // The job reads `keys` (numbers, or bytes inside immutable objects kept alive by the taken
    // array or by the caller's key references) and reorders `items`, which only we can reach:
    // nothing in it needs the GIL.
    let mut job = move |cancel: &Cancel| -> Result<(), Error> {
        match &keys {
            Keys::Words(words) => keyed::sort_by_words(words, items, reverse, threads, cancel),
            Keys::Bytes(bytes) => {
                let order = text::order(bytes, reverse, threads, cancel)?;
                keyed::apply(&order, items, threads);
                Ok(())
            }
        }
    };
    if parallel {
        without_gil::run(py, job)
    } else {
        job(&Cancel::new()).map_err(|err| errors::to_py(py, err))
    }
}

/// Rearranges `items` in the order CPython's `list.sort` gives `keys_list` (same length),
/// by sorting the permutation `list(range(n))` with `key=keys_list.__getitem__`: the sort
/// compares exactly the key objects it would compare when sorting `items` by those keys.
/// If a comparison raises, `items` is left in the partial order CPython leaves it in.
fn sort_by_python_keys(
    py: Python,
    keys_list: &PyObject,
    items: &mut [*mut RawObject],
    reverse: bool,
) -> PyResult<()> {
    let n = items.len();
    let builtins = py.import("builtins")?;
    let range = builtins.call(py, "range", (n,), None)?;
    let perm = builtins.call(py, "list", (range,), None)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(py, "key", keys_list.getattr(py, "__getitem__")?)?;
    kwargs.set_item(py, "reverse", reverse)?;
    let sorted = perm.call_method(py, "sort", NoArgs, Some(&kwargs));
    // Even after a failed sort, `perm` holds every index once: apply it either way.
    let source = items.to_vec();
    for (i, slot) in items.iter_mut().enumerate() {
        // SAFETY: GIL held; `perm` is our private list of n ints (nobody else has it).
        let index = unsafe { PyLong_AsSsize_t(PyList_GetItem(perm.as_ptr(), i as Py_ssize_t)) };
        // Cannot fail for our own ints in 0..n; a failure would be a bug, not bad input.
        assert!(
            (0..n as Py_ssize_t).contains(&index),
            "permutation index out of range"
        );
        *slot = source[index as usize];
    }
    sorted.map(|_| ())
}

/// `list.sort(lst, key=key, reverse=reverse)`: CPython's own sort, called through the type so
/// that a list subclass's `sort` override is not what runs.
fn cpython_sort(py: Python, lst: &PyObject, key: &PyObject, reverse: bool) -> PyResult<PyObject> {
    let sort = py.get_type::<PyList>().into_object().getattr(py, "sort")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(py, "key", key)?;
    kwargs.set_item(py, "reverse", reverse)?;
    sort.call(py, (lst,), Some(&kwargs))
}

/// New references, released in a chosen order (dropping rust-cpython `PyObject`s one by one
/// would take the GIL again for each).
struct OwnedRefs(Vec<*mut RawObject>);

impl OwnedRefs {
    /// Releases them newest first, as CPython does when a key function raises.
    fn release_newest_first(&mut self) {
        while let Some(obj) = self.0.pop() {
            // SAFETY: the GIL is held by every caller; we own this reference.
            unsafe { Py_DECREF(obj) };
        }
    }

    /// Moves the references into a new list (which then owns them).
    fn into_list(mut self, py: Python) -> PyResult<PyObject> {
        // SAFETY: GIL held; PyList_New returns a new reference or NULL with an exception set.
        let list = unsafe { PyList_New(self.0.len() as Py_ssize_t) };
        if list.is_null() {
            return Err(PyErr::fetch(py));
        }
        for (i, obj) in self.0.drain(..).enumerate() {
            // SAFETY: a fresh list of this length; PyList_SetItem steals our reference and
            // cannot fail for an index in range.
            unsafe { PyList_SetItem(list, i as Py_ssize_t, obj) };
        }
        // SAFETY: `list` is a new reference that we own.
        Ok(unsafe { PyObject::from_owned_ptr(py, list) })
    }
}

impl Drop for OwnedRefs {
    fn drop(&mut self) {
        // Oldest first, as CPython releases its keys after a sort. Every `OwnedRefs` lives and
        // dies on the thread that holds the GIL (inside `sort_keyed`).
        for obj in self.0.drain(..) {
            // SAFETY: GIL held (see above); we own this reference.
            unsafe { Py_DECREF(obj) };
        }
    }
}
