//! `_sort.sort_list(lst, key, reverse, threads)`: `list.sort` with CPython's exact results,
//! computed by Rust threads when the keys are plain ints, floats, strs or bytes.
//!
//! The shape is CPython's `list_sort_impl`: take the items out of the list (it stays empty
//! meanwhile, see [`raw`]), call `key` once per item in order, sort, put the items back, and
//! raise ValueError if the list was changed meanwhile. The sort itself is either
//! - the Rust kernels ([`algo::keyed`], [`algo::text`]) when every key is of one fast kind
//!   ([`keys`]): the stable order of a total order is unique, so it is exactly CPython's; or
//! - CPython's own `list.sort` on the list, with no key or fed the keys already computed (so
//!   `key` is never called twice, see [`key_feed`]), performing the very comparisons CPython
//!   would: same order, same exceptions, same partial order after an exception.
//!
//! Whatever fails, the list stays whole: the sort reads the taken items and writes only into
//! its own buffers ([`keyed::Arranged`]), which are committed to the taken array in one step
//! that cannot fail, with the GIL held, only once the whole sort has succeeded. A panic, an
//! exception (Ctrl-C included) or an allocation failure before that leaves the items as they
//! were; when the fast path cannot get its memory, CPython's own sort (which needs far less)
//! sorts the list instead.

mod exact_keys;
mod handover;
mod key_call;
mod key_feed;
pub(crate) mod keys;
mod layout;
mod presorted;
mod raw;
mod short;

use std::ffi::CStr;
use std::sync::OnceLock;

use cpython::exc::ValueError;
use cpython::{
    ObjectProtocol, PyDict, PyErr, PyList, PyModule, PyObject, PyResult, Python, PythonObject,
};
use python3_sys::{
    PyErr_CheckSignals, PyList_CheckExact, PyList_Reverse, PyList_Size, PyList_Sort,
    PyObject as RawObject, PyTuple_New, PyTuple_SetItem, PyUnicode_InternFromString, Py_DECREF,
    Py_False, Py_True,
};

use crate::algo::fault::{self, Phase};
use crate::algo::{keyed, phases, text, tiebreak, try_with_capacity, Cancel, Error};
use crate::{args, errors, without_gil};
use handover::Handover;
use key_feed::key_feed;
use keys::Keys;
use raw::Taken;

/// Below this many items CPython's own sort is about as fast and our fixed costs (argument
/// parsing, classification, allocation) would dominate. `sort/__init__.py` uses the same
/// threshold for `argsort` on lists.
const SMALL: usize = 128;

/// From this many items on, the sort leaves the GIL and runs on `threads` threads; below it,
/// it stays on the calling thread (a thread start costs more than the whole sort).
const PARALLEL: usize = 1 << 15;

/// From this many items on, the sort uses more than one thread. Below it, on this shared
/// 2-core machine, a second thread measured slower, not faster (it waits for a core at every
/// synchronisation point), while one thread sorts 1e5 ints in ~4 ms.
const MULTI_THREAD: usize = 1 << 18;

/// The key-call loop runs Python's signal handlers every this many items. A Python key
/// function sees a Ctrl-C itself (the eval loop checks); a C one (`str.lower`, `itemgetter`)
/// does not, and 256 calls of any of them take well under a millisecond, while the check is a
/// flag read when no signal is pending.
const SIGNAL_EVERY: usize = 256;

pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    // `py_fn!` expands to code that clippy flags (manual_strip); the lint is the macro's.
    #[allow(clippy::manual_strip)]
    let function = cpython::py_fn!(
        py,
        sort_list(lst: PyObject, key: PyObject, reverse: PyObject, threads: PyObject)
    );
    module.add(py, "sort_list", function)?;
    make_names(py)
}

/// What the sort of the taken items came to.
enum Step {
    /// The items are in their final order.
    Sorted,
    /// Let `list.sort` sort the (restored) list: not a fast kind (no key function), or no
    /// memory for the fast path before the key function was ever called.
    UseCPython,
    /// Let `list.sort` sort the restored list with this key function, which hands out the
    /// keys already computed, in order.
    UseCPythonWith(PyObject),
}

fn sort_list(
    py: Python,
    lst: PyObject,
    key: PyObject,
    reverse: PyObject,
    threads: PyObject,
) -> PyResult<PyObject> {
    args::require_list(py, &lst, "sort_list")?;
    sort_in_place(py, &lst, &key, &reverse, &threads)?;
    Ok(py.None())
}

/// `list.sort(lst, key=key, reverse=reverse)` with `threads`, for a list `lst` (a subclass
/// too): `sort.sort` on a list, and `sort.sorted` on its copy.
pub(crate) fn sort_in_place(
    py: Python,
    lst: &PyObject,
    key: &PyObject,
    reverse: &PyObject,
    threads: &PyObject,
) -> PyResult<()> {
    // SAFETY: GIL held; every caller checked that `lst` is a list.
    let len = unsafe { PyList_Size(lst.as_ptr()) }.max(0) as usize;
    let ours = (SMALL..=keyed::MAX_LEN).contains(&len);
    // Checked first, whatever the size, so that a bad value raises before `key` is called;
    // `None` (every CPU) is resolved only for a sort that may use threads.
    let threads = if !ours && threads.is_none(py) {
        1
    } else {
        args::threads(py, threads)?
    };
    let reverse = args::reverse(py, reverse)?;
    if !ours {
        if len < SMALL && key.is_none(py) {
            // No item is compared, and no key called, in a list of 0 or 1 items.
            if len < 2 {
                return Ok(());
            }
            // SAFETY: GIL held; `lst` is a live list kept alive by the caller's reference,
            // and `taken` is restored before we return, on this thread. No Python code runs
            // meanwhile, so nothing can change the list.
            let mut taken = unsafe { Taken::take(lst.as_ptr()) };
            let sorted = unsafe { short::sort(layout::get(py), taken.items_mut(), reverse) };
            let modified = taken.restore();
            debug_assert!(!modified, "no Python code ran, yet the list changed");
            if sorted {
                return Ok(());
            }
        }
        return cpython_sort(py, lst, key, reverse);
    }
    // SAFETY: GIL held; `lst` is a list kept alive by the caller's reference for the whole
    // call, and `taken` is dropped (or restored) before we return, on this thread.
    phases::start();
    let mut taken = unsafe { Taken::take(lst.as_ptr()) };
    phases::mark("take");
    let step = if key.is_none(py) {
        sort_plain(py, &mut taken, reverse, threads)
    } else {
        sort_keyed(py, &mut taken, key, reverse, threads)
    };
    let modified = taken.restore();
    phases::mark("restore");
    phases::report();
    match step {
        // An error already being reported wins over "modified", as in CPython (a raising key
        // leaves the list as it was; a raising comparison leaves it partly sorted).
        Err(err) => Err(err),
        Ok(_) if modified => Err(PyErr::new::<ValueError, _>(py, "list modified during sort")),
        Ok(Step::Sorted) => Ok(()),
        Ok(Step::UseCPython) => cpython_sort(py, lst, key, reverse),
        Ok(Step::UseCPythonWith(feed)) => cpython_sort(py, lst, &feed, reverse),
    }
}

/// No key function: the items are their own keys.
fn sort_plain(py: Python, taken: &mut Taken, reverse: bool, threads: usize) -> PyResult<Step> {
    let layout = layout::get(py);
    // SAFETY (both): GIL held; the taken array keeps every item alive, and is ours alone.
    match unsafe { handover::to_cpython(layout, taken.items(), false) } {
        Handover::No => {}
        Handover::Kinds => return Ok(Step::UseCPython),
        Handover::Runs => {
            let sorted = unsafe { presorted::sort(py, layout, taken.items_mut(), reverse) }?;
            return Ok(if sorted {
                Step::Sorted
            } else {
                Step::UseCPython
            });
        }
    }
    phases::mark("handover");
    // The keys are read through a second view of the taken array, whose lifetime is not tied
    // to `taken`, so that `sort_fast` can then have the array itself to commit to.
    // SAFETY: `objs` is used only by `fast_keys`, before `taken.items_mut()` below; what it
    // returns (numbers, or byte slices inside the immutable objects, which the taken array
    // keeps alive until `taken` is restored, after the sort) never points into the array.
    let objs = unsafe { std::slice::from_raw_parts(taken.items().as_ptr(), taken.len()) };
    // SAFETY: GIL held; the taken array keeps every item alive, unchanged (the items are
    // immutable objects when they are fast keys), until after the arrangement is committed.
    let sorted = match unsafe { fast_keys(py, objs, threads) }? {
        Some(keys) => {
            phases::mark("keys");
            sort_fast(py, keys, taken.items_mut(), reverse, threads)?
        }
        None => false,
    };
    if sorted {
        Ok(Step::Sorted)
    } else {
        // Not a fast kind, or not enough memory for the fast path.
        Ok(Step::UseCPython)
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
    let Ok(refs) = try_with_capacity(taken.len(), "the keys") else {
        // `key` was not called yet: CPython's sort may call it (once per item).
        return Ok(Step::UseCPython);
    };
    let mut keys = OwnedRefs(refs);
    for (i, &item) in taken.items().iter().enumerate() {
        // SAFETY: GIL held (every call below too).
        if i % SIGNAL_EVERY == SIGNAL_EVERY - 1 && unsafe { PyErr_CheckSignals() } != 0 {
            let err = PyErr::fetch(py);
            keys.release_newest_first();
            return Err(err);
        }
        // SAFETY: `key` and `item` are live. (The vectorcall `list.sort` makes, see
        // `key_call`.) Python code runs here and may do anything to the list: it sees an
        // empty list, and `taken`'s array, which it cannot reach, keeps every item alive.
        let k = unsafe { key_call::call_one(key.as_ptr(), item) };
        if k.is_null() {
            let err = PyErr::fetch(py);
            keys.release_newest_first();
            return Err(err);
        }
        keys.0.push(k); // within the capacity reserved above: no allocation
    }
    // SAFETY: GIL held; `keys` owns a reference to every key. A list the key function
    // stored into is sorted here, not handed over: `list.sort` sorts it and then raises, and
    // the handover would only raise.
    if !taken.modified()
        && unsafe { handover::to_cpython(layout::get(py), &keys.0, true) } != Handover::No
    {
        return Ok(Step::UseCPythonWith(keys.into_feed(py)?));
    }
    // SAFETY: GIL held; `keys` owns a reference to every key until it is dropped, after the
    // sort.
    let sorted = match unsafe { fast_keys(py, &keys.0, threads) }? {
        Some(fast) => sort_fast(py, fast, taken.items_mut(), reverse, threads)?,
        None => false,
    };
    if sorted {
        // The keys are released here (`keys` dropped), before the list is restored, as in
        // CPython; in input order, where `list.sort` releases them in sorted order.
        Ok(Step::Sorted)
    } else {
        // Not a fast kind, or no memory for the fast path: CPython's sort, on the list once
        // restored, fed the keys already computed (see `key_feed`).
        Ok(Step::UseCPythonWith(keys.into_feed(py)?))
    }
}

/// The keys of `objs` as Rust values if they are all of one fast kind and there is memory to
/// hold them; `None` otherwise (CPython's sort then sorts them). Raises only what a signal
/// handler raises while the keys are read.
///
/// # Safety
/// As [`keys::classify`].
unsafe fn fast_keys<'k>(
    py: Python,
    objs: &'k [*mut RawObject],
    threads: usize,
) -> PyResult<Option<Keys<'k>>> {
    if fault::hit(Phase::Keys).is_err() {
        return Ok(None); // an injected allocation failure: as `classify`'s own
    }
    keys::classify(py, objs, threads)
}

/// An object pointer that worker threads may move around but never dereference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
struct Item(#[allow(dead_code)] *mut RawObject);

// SAFETY: workers only copy `Item`s into buffers of their own and, at the commit, back into
// the taken array, which only they can reach then (see `sort_fast`); no thread touches the
// object behind the pointer, its reference count, or any Python API.
unsafe impl Send for Item {}
// SAFETY: as above; shared `&Item`s are only read as plain words.
unsafe impl Sync for Item {}

fn as_items(items: &mut [*mut RawObject]) -> &mut [Item] {
    // SAFETY: `Item` is `repr(transparent)` over `*mut PyObject`, so the layouts agree, and the
    // new slice takes over the unique borrow of the old one.
    unsafe { std::slice::from_raw_parts_mut(items.as_mut_ptr().cast::<Item>(), items.len()) }
}

/// Sorts `items` (the taken array) in the order of `keys` (stable; descending if
/// `reverse`), in Rust, without the GIL for large inputs. `false` if there was not enough
/// memory: then `items` are untouched.
///
/// The arrangement is computed into the job's own buffers, reading `items`; only once it is
/// complete is it committed, by the same job, on its threads
/// ([`keyed::Arranged::commit_on_threads`]).
/// Why that is sound without the GIL, per step:
/// - The taken array is reachable only through `items`: the list is empty while taken (see
///   [`raw`]), so no Python code, on any thread, can read or write it. The workers write
///   only pointer words into it, in disjoint chunks, and never dereference the objects or
///   touch a reference count; every object stays owned by the array (the commit writes a
///   permutation of the same pointers: checked to be one before anything is written when it
///   comes from an order computed apart, [`keyed::arrange`]; by construction when the radix
///   sort moved the pointers themselves, each record once).
/// - Nothing runs Python code on our behalf meanwhile. The calling thread waits; when it takes
///   the GIL back to run signal handlers, those see the empty list, not the array.
/// - The commit cannot fail or stop half way: it starts after every fallible step (sort,
///   allocation, injected faults) has succeeded, polls no cancellation flag and cannot panic
///   after its length check. A Ctrl-C that arrives during it cancels nothing of it: the job
///   finishes the copy, and the caller then raises KeyboardInterrupt with the list whole
///   (sorted), as `list.sort` leaves a list whole, partly sorted, when a comparison raises.
///   A Ctrl-C, panic or allocation failure before the commit leaves `items` as they were.
fn sort_fast(
    py: Python,
    keys: Keys,
    items: &mut [*mut RawObject],
    reverse: bool,
    threads: usize,
) -> PyResult<bool> {
    let items = as_items(items);
    let parallel = items.len() >= PARALLEL;
    let threads = if items.len() >= MULTI_THREAD {
        threads
    } else {
        1
    };
    // The job reads `keys` (numbers, or bytes inside immutable objects kept alive by the taken
    // array or by the caller's key references) and the item pointers, writes into buffers it
    // allocates, then commits them to `items` (see above): nothing in it needs the GIL.
    let mut job = move |cancel: &Cancel| -> Result<bool, Error> {
        phases::mark("job_start");
        let read: &[Item] = items;
        let arranged = fault::hit(Phase::Sort).and_then(|()| match &keys {
            Keys::Words(words) => keyed::sort_by_words(words, read, reverse, threads, cancel),
            Keys::Bytes(bytes) => text::order(bytes, reverse, threads, cancel).and_then(|order| {
                phases::mark("text_order");
                keyed::arrange(&order, read, threads)
            }),
            Keys::Tiebreak {
                words,
                tails,
                tail_bytes,
            } => tiebreak::order(words, tails, tail_bytes.keys(), reverse, threads, cancel)
                .and_then(|order| keyed::arrange(&order, read, threads)),
            Keys::Encoded(encoded) => text::order(encoded.keys(), reverse, threads, cancel)
                .and_then(|order| keyed::arrange(&order, read, threads)),
        });
        phases::mark("arranged");
        match arranged {
            Ok(arranged) => {
                arranged.commit_on_threads(items, threads);
                phases::mark("commit");
                Ok(true)
            }
            Err(Error::NoMemory(_)) => Ok(false),
            Err(err) => Err(err),
        }
    };
    if parallel {
        let r = without_gil::run(py, job);
        phases::mark("job_end");
        r
    } else {
        job(&Cancel::new()).map_err(|err| errors::to_py(py, err))
    }
}

/// `list.sort(lst, key=key, reverse=reverse)`: CPython's own sort, on a list subclass too
/// (its own `sort` override is not what runs).
fn cpython_sort(py: Python, lst: &PyObject, key: &PyObject, reverse: bool) -> PyResult<()> {
    if key.is_none(py) {
        // `list_sort_impl` itself, through `PyList_Sort`, without looking up the method and
        // building its keyword arguments (~0.3 us: a sorted list of 200 ints takes timsort
        // 0.6 us). `reverse=True` is what `list_sort_impl` does with it: reverse the items,
        // sort them stably, and reverse them back, also after a comparison raised or the list
        // was changed during the sort.
        // SAFETY: GIL held; `lst` is a live list (every caller checked). `PyList_Reverse`
        // cannot fail on a list and runs no Python code.
        let sorted = unsafe {
            if reverse {
                PyList_Reverse(lst.as_ptr());
            }
            let sorted = PyList_Sort(lst.as_ptr()) == 0;
            let err = (!sorted).then(|| PyErr::fetch(py));
            if reverse {
                PyList_Reverse(lst.as_ptr());
            }
            err
        };
        return sorted.map_or(Ok(()), Err);
    }
    // SAFETY: GIL held; `lst` is a live object.
    let exact = unsafe { PyList_CheckExact(lst.as_ptr()) } != 0;
    if let (Some(names), true) = (NAMES.get(), exact) {
        // An exact list: its type's `sort` (a subclass would find its own override by name),
        // called with the keyword arguments as a C array (~50 ns, where a dict of them costs
        // ~150 ns more: a short list's whole sort).
        // SAFETY: GIL held; every pointer is a live object; the call returns a new reference
        // or NULL with an exception set.
        let done = unsafe {
            let reverse = if reverse { Py_True() } else { Py_False() };
            let args = [lst.as_ptr(), key.as_ptr(), reverse];
            PyObject_VectorcallMethod(names.0, args.as_ptr(), 1, names.1)
        };
        if done.is_null() {
            return Err(PyErr::fetch(py));
        }
        // SAFETY: the new reference to `None` that the call returned.
        unsafe { Py_DECREF(done) };
        return Ok(());
    }
    let sort = py.get_type::<PyList>().into_object().getattr(py, "sort")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(py, "key", key)?;
    kwargs.set_item(py, "reverse", reverse)?;
    sort.call(py, (lst,), Some(&kwargs)).map(|_| ())
}

// In every CPython this package supports (3.9 and later); python3-sys does not declare it.
extern "C" {
    fn PyObject_VectorcallMethod(
        name: *mut RawObject,
        args: *const *mut RawObject,
        nargsf: usize,
        kwnames: *mut RawObject,
    ) -> *mut RawObject;
}

/// `"sort"` and `("key", "reverse")`, made at import and kept for the process's life.
struct Names(*mut RawObject, *mut RawObject);
// SAFETY: immutable objects, only used with the GIL held.
unsafe impl Send for Names {}
// SAFETY: as above.
unsafe impl Sync for Names {}
static NAMES: OnceLock<Names> = OnceLock::new();

/// Makes [`NAMES`] (once per process: a second import finds them made).
fn make_names(py: Python) -> PyResult<()> {
    if NAMES.get().is_some() {
        return Ok(());
    }
    // SAFETY: GIL held; each call returns a new reference or NULL with an exception set;
    // `PyTuple_SetItem` steals the item's reference, also on failure.
    unsafe {
        let intern = |name: &CStr| {
            let s = PyUnicode_InternFromString(name.as_ptr());
            (!s.is_null()).then_some(s).ok_or_else(|| PyErr::fetch(py))
        };
        let sort = intern(c"sort")?;
        let kwnames = PyTuple_New(2);
        if kwnames.is_null() {
            return Err(PyErr::fetch(py));
        }
        for (i, name) in [c"key", c"reverse"].into_iter().enumerate() {
            if PyTuple_SetItem(kwnames, i as isize, intern(name)?) != 0 {
                return Err(PyErr::fetch(py));
            }
        }
        // Leaked on purpose: the names outlive every call.
        let _ = NAMES.set(Names(sort, kwnames));
    }
    Ok(())
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

    /// Moves the references into a [`key_feed`] (which then owns them).
    fn into_feed(mut self, py: Python) -> PyResult<PyObject> {
        // The vector moves (no copy); if the feed cannot be made, its `Pending` is dropped and
        // releases the keys.
        key_feed(py, std::mem::take(&mut self.0))
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
