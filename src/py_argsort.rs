//! `_sort.argsort_buffer(buf, reverse, threads, new_output)` and
//! `_sort.argsort_list(lst, reverse, threads)`: the stable permutation that sorts a numeric
//! buffer or a list, without changing the input.
//!
//! Buffers are checked by `py_buffer`'s own functions (format, shape, contiguity; read-only
//! buffers are fine here), the permutation is computed by [`algo::argsort`] into an int64
//! buffer made by the Python caller (`new_output(n)`: a numpy array or an `array('q')`), with
//! the GIL released for large inputs. Lists reuse the list sort's machinery: the keys are
//! classified as for `sort.sorted` and sorted by [`keyed`] / [`text`] over the indices; other
//! lists are sorted by CPython itself, `sorted(range(n), key=snapshot.__getitem__)`.

use cpython::exc::{SystemError, TypeError, ValueError};
use cpython::{
    ObjectProtocol, PyDict, PyErr, PyList, PyModule, PyObject, PyResult, Python, PythonObject,
};
use python3_sys::{PyList_GetSlice, PyList_New, PyList_SetItem, PyLong_FromSsize_t};

use crate::algo::argsort::argsort;
use crate::algo::keyed::{self, Order};
use crate::algo::numeric::Number;
use crate::algo::{text, tiebreak, try_with_capacity, Cancel, Error};
use crate::py_buffer::{element_kind, one_dimensional_len, Exported, Kind};
use crate::py_list::keys::{self, Keys};
use crate::{args, errors, without_gil};

// `py_fn!` expands to code that trips `clippy::manual_strip`; nothing we wrote does.
#[allow(clippy::manual_strip)]
pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    module.add(
        py,
        "argsort_buffer",
        cpython::py_fn!(
            py,
            argsort_buffer(buf: PyObject, reverse: PyObject, threads: PyObject, new_output: PyObject)
        ),
    )?;
    module.add(
        py,
        "argsort_list",
        cpython::py_fn!(
            py,
            argsort_list(lst: PyObject, reverse: PyObject, threads: PyObject)
        ),
    )?;
    Ok(())
}

/// Up to this many elements, work on the calling thread with the GIL held (as `sort.sort`
/// does for buffers): leaving the GIL costs a thread start, more than such a sort.
const SYNC_MAX: usize = 1 << 15;

/// Lists below this length are sorted by CPython (`sort/__init__.py` does not even call in).
const SMALL_LIST: usize = 128;

/// From this many items on, a list's keys are sorted on several threads (as `sort.sort`).
const MULTI_THREAD: usize = 1 << 18;

fn argsort_buffer(
    py: Python,
    buf: PyObject,
    reverse: PyObject,
    threads: PyObject,
    new_output: PyObject,
) -> PyResult<PyObject> {
    // SAFETY: GIL held; `buf` is a valid reference. This only reads the type's slots.
    if unsafe { python3_sys::PyObject_CheckBuffer(buf.as_ptr()) } == 0 {
        return Err(PyErr::new::<TypeError, _>(
            py,
            format!(
                "sort.argsort() argument must be a list or a buffer of numbers, not '{}'",
                args::type_name(py, &buf)
            ),
        ));
    }
    // The input is only read: any export will do, read-only ones (bytes) included.
    let input = Exported::get(py, &buf, python3_sys::PyBUF_FULL_RO)?;
    let kind = element_kind(py, &input).map_err(|err| renamed(py, err))?;
    let len = one_dimensional_len(py, &buf, &input).map_err(|err| renamed(py, err))?;
    let descending = args::reverse(py, &reverse)?;
    let threads = args::threads(py, &threads)?;

    let out_obj = new_output.call(py, (len,), None)?;
    let output = Exported::get(py, &out_obj, python3_sys::PyBUF_FULL)?;
    // Made by our own Python code: anything else is a bug there, not the caller's mistake.
    let fits = output.view.readonly == 0
        && element_kind(py, &output).ok() == Some(Kind::I64)
        && one_dimensional_len(py, &out_obj, &output).ok() == Some(len);
    if !fits {
        return Err(PyErr::new::<SystemError, _>(
            py,
            "sort.argsort(): the output is not a writable int64 buffer of the input's length",
        ));
    }
    let job = Job {
        input: input.view.buf.cast::<u8>(),
        output: output.view.buf.cast::<i64>(),
        len,
        kind,
        descending,
        threads,
    };
    if len <= SYNC_MAX {
        job.run(&Cancel::new())
            .map_err(|err| errors::to_py(py, err))?;
    } else {
        without_gil::run(py, move |cancel| job.run(cancel))?;
    }
    // Both buffers stay exported (their memory pinned) until the job has finished.
    drop(output);
    drop(input);
    Ok(out_obj)
}

/// `py_buffer`'s messages name `sort.sort()`; this call is `sort.argsort()`.
fn renamed(py: Python, mut err: PyErr) -> PyErr {
    let message = err
        .instance(py)
        .str(py)
        .map(|s| s.to_string_lossy(py).into_owned());
    match message {
        Ok(text) if text.starts_with("sort.sort()") => {
            let text = text.replacen("sort.sort()", "sort.argsort()", 1);
            if err.matches(py, py.get_type::<ValueError>()) {
                PyErr::new::<ValueError, _>(py, text)
            } else {
                PyErr::new::<TypeError, _>(py, text)
            }
        }
        _ => err,
    }
}

/// What the job reads and writes, as plain data so that it can cross to worker threads.
struct Job {
    input: *const u8,
    output: *mut i64,
    len: usize,
    kind: Kind,
    descending: bool,
    threads: usize,
}

// SAFETY: both pointers address `len` elements that stay allocated while the job runs:
// `argsort_buffer` keeps both buffers exported until it has finished. The output is a new
// object made for this call, which no one else holds yet; the input is only read, each element
// once (see `algo::argsort`), so even a caller writing to it meanwhile cannot make the result
// anything but a permutation of 0..len.
unsafe impl Send for Job {}

impl Job {
    fn run(&self, cancel: &Cancel) -> Result<(), Error> {
        match self.kind {
            Kind::I8 => self.run_as::<i8>(cancel),
            Kind::U8 => self.run_as::<u8>(cancel),
            Kind::I16 => self.run_as::<i16>(cancel),
            Kind::U16 => self.run_as::<u16>(cancel),
            Kind::I32 => self.run_as::<i32>(cancel),
            Kind::U32 => self.run_as::<u32>(cancel),
            Kind::I64 => self.run_as::<i64>(cancel),
            Kind::U64 => self.run_as::<u64>(cancel),
            Kind::F32 => self.run_as::<f32>(cancel),
            Kind::F64 => self.run_as::<f64>(cancel),
        }
    }

    fn run_as<T: Number>(&self, cancel: &Cancel) -> Result<(), Error> {
        if self.len == 0 {
            return Ok(()); // the pointers of empty buffers may be anything
        }
        let input = self.input.cast::<T>();
        // Our own int64 output is always aligned (numpy and array allocate aligned memory);
        // checked anyway, since a slice needs it.
        if self.output.align_offset(std::mem::align_of::<i64>()) != 0 {
            return Err(Error::TooLarge(
                "sort.argsort(): misaligned output buffer".into(),
            ));
        }
        // SAFETY: aligned (checked), `len` elements, only this job writes them (see `Send`).
        let out = unsafe { std::slice::from_raw_parts_mut(self.output, self.len) };
        if input.align_offset(std::mem::align_of::<T>()) == 0 {
            // SAFETY: aligned (checked), `len` initialised elements of `T` (format and item
            // size checked), alive while the job runs (see `Send`).
            let data = unsafe { std::slice::from_raw_parts(input, self.len) };
            return argsort(data, self.descending, out, self.threads, cancel);
        }
        // Misaligned memory (a memoryview cast at an odd offset): an aligned copy first.
        let mut copy: Vec<T> = try_with_capacity(self.len, "a copy of an unaligned buffer")?;
        // SAFETY: the source holds `len * size_of::<T>()` bytes (copied bytewise, so alignment
        // does not matter); the destination has that capacity; `set_len` follows the copy.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.input,
                copy.as_mut_ptr().cast::<u8>(),
                self.len * std::mem::size_of::<T>(),
            );
            copy.set_len(self.len);
        }
        argsort(&copy, self.descending, out, self.threads, cancel)
    }
}

fn argsort_list(
    py: Python,
    lst: PyObject,
    reverse: PyObject,
    threads: PyObject,
) -> PyResult<PyObject> {
    args::require_list(py, &lst, "argsort_list")?;
    let threads = args::threads(py, &threads)?;
    let reverse = args::reverse(py, &reverse)?;
    // A snapshot: our own list holding a reference to every item, so that nothing another
    // thread (or a key function's side effect) does to `lst` can reach the items read below.
    let n = lst.cast_as::<PyList>(py)?.len(py);
    // SAFETY: GIL held; returns a new reference or NULL with an exception set.
    let snapshot = unsafe { PyList_GetSlice(lst.as_ptr(), 0, n as python3_sys::Py_ssize_t) };
    if snapshot.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference that we own.
    let snapshot = unsafe { PyObject::from_owned_ptr(py, snapshot) };
    let snapshot_list = snapshot.cast_as::<PyList>(py)?;
    let n = snapshot_list.len(py);
    if !(SMALL_LIST..=keyed::MAX_LEN).contains(&n) {
        return cpython_argsort(py, &snapshot, n, reverse);
    }
    // Borrowed pointers to the items (read through the API: no list layout assumed here).
    let mut items: Vec<*mut python3_sys::PyObject> =
        try_with_capacity(n, "the list's items").map_err(|err| errors::to_py(py, err))?;
    for i in 0..n {
        // SAFETY: GIL held; `i` is in range of the snapshot, which only we hold.
        items.push(unsafe { python3_sys::PyList_GetItem(snapshot.as_ptr(), i as _) });
    }
    // SAFETY: GIL held; the snapshot keeps every item alive, unchanged, until after the sort.
    let Some(keys) = (unsafe { keys::classify(py, &items, threads) })? else {
        return cpython_argsort(py, &snapshot, n, reverse);
    };
    let threads = if n >= MULTI_THREAD { threads } else { 1 };
    let job = move |cancel: &Cancel| -> Result<Vec<u32>, Error> {
        let mut perm: Vec<u32> = try_with_capacity(n, "the permutation")?;
        perm.extend(0..n as u32);
        let order = match &keys {
            Keys::Words(words) => {
                keyed::sort_by_words(words, &perm, reverse, threads, cancel)?.commit(&mut perm);
                return Ok(perm);
            }
            Keys::Bytes(bytes) => text::order(bytes, reverse, threads, cancel)?,
            Keys::Encoded(encoded) => text::order(encoded.keys(), reverse, threads, cancel)?,
            Keys::Tiebreak {
                words,
                tails,
                tail_bytes,
            } => tiebreak::order(words, tails, tail_bytes.keys(), reverse, threads, cancel)?,
        };
        match order {
            Order::Identity => {}
            Order::Reversed => perm.reverse(),
            Order::Permutation(order) => perm = order,
        }
        Ok(perm)
    };
    let perm = if n >= SYNC_MAX {
        without_gil::run(py, job)?
    } else {
        job(&Cancel::new()).map_err(|err| errors::to_py(py, err))?
    };
    drop(snapshot);
    int_list(py, perm.iter().map(|&i| i as usize))
}

/// `sorted(range(n), key=snapshot.__getitem__, reverse=reverse)`: CPython's own comparisons.
/// The indices are made here and sorted by `list.sort` through the type, so that nothing is
/// looked up by name (a replaced `builtins.range` or `sorted` changes nothing).
fn cpython_argsort(py: Python, snapshot: &PyObject, n: usize, reverse: bool) -> PyResult<PyObject> {
    let indices = int_list(py, 0..n)?;
    let sort = py.get_type::<PyList>().into_object().getattr(py, "sort")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(py, "key", snapshot.getattr(py, "__getitem__")?)?;
    kwargs.set_item(py, "reverse", reverse)?;
    sort.call(py, (&indices,), Some(&kwargs))?;
    Ok(indices)
}

/// A new list of Python ints.
fn int_list(py: Python, values: impl ExactSizeIterator<Item = usize>) -> PyResult<PyObject> {
    // SAFETY: GIL held; a new reference or NULL with an exception set (MemoryError).
    let list = unsafe { PyList_New(values.len() as python3_sys::Py_ssize_t) };
    if list.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: we own the new reference; dropping it frees the list and the ints set so far
    // (the slots not yet set are NULL, which list deallocation skips).
    let list = unsafe { PyObject::from_owned_ptr(py, list) };
    for (i, value) in values.enumerate() {
        // SAFETY: GIL held; a new reference or NULL with MemoryError set.
        let int = unsafe { PyLong_FromSsize_t(value as python3_sys::Py_ssize_t) };
        if int.is_null() {
            return Err(PyErr::fetch(py));
        }
        // SAFETY: a fresh list of this length; steals `int`; cannot fail for an index in range.
        unsafe { PyList_SetItem(list.as_ptr(), i as python3_sys::Py_ssize_t, int) };
    }
    Ok(list)
}
