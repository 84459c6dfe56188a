//! Reading sort keys out of Python objects: where a key becomes a Rust value.
//!
//! Only *exact* builtin types qualify (a subclass may override `__lt__`), and only when every
//! key has the same kind; anything else is sorted by CPython's own algorithm. No Python code
//! runs here: type checks and reads of immutable values only.
//!
//! Large inputs are read without the GIL, on up to `threads` threads, straight from the
//! objects' memory: [`layout`] holds every field offset, per CPython version, and the argument
//! why reading them without the GIL is sound. The calling thread meanwhile answers Ctrl-C
//! (`without_gil::run`). What needs the C API, the UTF-8 form of a non-ASCII str, is read
//! afterwards with the GIL, checking for signals as it goes; so is everything on an
//! interpreter whose layout is not known to be right ([`layout::get`] says `None`).

use std::mem::MaybeUninit;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};

use cpython::{PyResult, Python};
use python3_sys::{
    PyBool_Check, PyBytes_AsString, PyBytes_CheckExact, PyBytes_Size, PyErr_Clear,
    PyFloat_AsDouble, PyFloat_CheckExact, PyLong_AsLongLongAndOverflow, PyLong_CheckExact,
    PyObject, PyTuple_CheckExact, PyUnicode_AsUTF8AndSize, PyUnicode_CheckExact, Py_ssize_t,
};

use super::layout::{self, Kind, Layout, Str};
use super::{MULTI_THREAD, PARALLEL};
use crate::algo::encode::EncodedKeys;
use crate::algo::keyed::{float_key, int_key};
use crate::algo::{parallel, prefetch, try_with_capacity, Cancel, Error};
use crate::{errors, without_gil};

mod encoded;

/// Keys in a form the Rust kernels sort; their order is exactly Python's `<` on the objects.
pub enum Keys<'k> {
    /// Exact ints that fit in an `i64`, or exact non-NaN floats, as order-preserving words.
    Words(Vec<u64>),
    /// Exact strs as UTF-8 (byte order = code point order), or exact bytes.
    Bytes(Vec<&'k [u8]>),
    /// Tuples, ints beyond 64 bits, ints mixed with floats: order-preserving byte encodings
    /// (see [`encoded`]).
    Encoded(EncodedKeys),
    /// Numbers not all exactly floats: a leading word per key, ties broken by the exact
    /// encodings of the keys that have one (see [`crate::algo::tiebreak`]).
    Tiebreak {
        words: Vec<u64>,
        tails: Vec<u32>,
        tail_bytes: EncodedKeys,
    },
}

/// The keys of `objs` if they are all of one fast kind, else `None` (also when there is no
/// memory for them: CPython's sort, the fallback, needs less). Raises only what a signal
/// handler raises (KeyboardInterrupt) while the keys are read.
///
/// Ints in 64 bits, floats, strs and bytes are read by [`simple_kinds`] (on every thread for
/// large lists); tuples, bools, ints beyond 64 bits and ints mixed with floats get exact
/// order-preserving encodings ([`encoded`]), read with the GIL.
///
/// # Safety
/// The GIL is held, and the caller owns a reference to every object of `objs` for `'k`, so
/// that each stays alive and unchanged (the byte slices point into the objects: a str's
/// characters or UTF-8 form and bytes' buffer are immutable and live as long as the object).
/// `'k` is tied to the borrow of `objs`, whose holder owns the objects.
pub unsafe fn classify<'k>(
    py: Python,
    objs: &'k [*mut PyObject],
    threads: usize,
) -> PyResult<Option<Keys<'k>>> {
    let Some(&first) = objs.first() else {
        return Ok(None);
    };
    if PyTuple_CheckExact(first) != 0 {
        return Ok(encoded::tuples(objs));
    }
    if PyBool_Check(first) != 0 {
        return Ok(encoded::numbers(objs));
    }
    let simple = simple_kinds(py, objs, threads)?;
    let number = PyLong_CheckExact(first) != 0 || PyFloat_CheckExact(first) != 0;
    if simple.is_none() && number {
        // Ints beyond 64 bits, or ints mixed with floats: exact encodings.
        return Ok(encoded::numbers(objs));
    }
    Ok(simple)
}

/// [`classify`] for the kinds read straight from the objects: ints in 64 bits, non-NaN floats,
/// strs and bytes (all of one kind), on every thread for large lists.
///
/// # Safety
/// As [`classify`].
unsafe fn simple_kinds<'k>(
    py: Python,
    objs: &'k [*mut PyObject],
    threads: usize,
) -> PyResult<Option<Keys<'k>>> {
    let Some(&first) = objs.first() else {
        return Ok(None);
    };
    // SAFETY: `Obj` is `repr(transparent)` over `*mut PyObject`.
    let objs = std::slice::from_raw_parts(objs.as_ptr().cast::<Obj>(), objs.len());
    let Some(layout) = layout::get(py) else {
        return classify_with_c_api(py, objs);
    };
    let threads = if objs.len() >= MULTI_THREAD {
        threads
    } else {
        1
    };
    // Each closure reads one object through `layout`: sound without the GIL for the objects
    // of `objs` (our references keep them alive; see `layout`'s docs for each field).
    let keys = match layout.kind(first) {
        None => None,
        Some(Kind::Int) => {
            read(py, objs, threads, 0, |o| int(layout, o))?.map(|(keys, _)| Keys::Words(keys))
        }
        Some(Kind::Float) => {
            read(py, objs, threads, 0, |o| float(layout, o))?.map(|(keys, _)| Keys::Words(keys))
        }
        Some(Kind::Bytes) => read(py, objs, threads, later_mark(), |o| bytes(layout, o))?
            .map(|(keys, _)| Keys::Bytes(keys)),
        Some(Kind::Str) => match read(py, objs, threads, later_mark(), |o| str(layout, o))? {
            Some((keys, false)) => Some(Keys::Bytes(keys)),
            Some((mut keys, true)) => {
                utf8_of_the_rest(py, objs, &mut keys)?.then_some(Keys::Bytes(keys))
            }
            None => None,
        },
    };
    Ok(keys)
}

/// One object's key, or why there is none.
enum Read<K> {
    Key(K),
    /// Not of the kind, or no fast key (NaN, an int beyond 64 bits): CPython's sort decides.
    Miss,
    /// Only the C API, with the GIL, can give the key (a non-ASCII str's UTF-8 form).
    Later,
}

/// The placeholder of a key to be read later, with the GIL: an empty slice whose address is
/// ours, so that no key read from an object can be mistaken for it.
static LATER_MARK: [u8; 1] = [0];

fn later_mark() -> &'static [u8] {
    &LATER_MARK[..0]
}

/// An object pointer that worker threads read through [`Layout`] only.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Obj(*mut PyObject);

// SAFETY: workers only read, through `Layout`, fields that are immutable or read atomically
// while the caller holds a reference to the object (see `layout`'s docs); they never touch its
// reference count or call the C API.
unsafe impl Send for Obj {}
// SAFETY: as above.
unsafe impl Sync for Obj {}

/// Items between two polls of the cancellation flag (workers) or two signal checks (reads that
/// hold the GIL): about 1 ms of reading scattered objects, far under Ctrl-C's 0.2 s promise.
const POLL: usize = 1 << 14;

/// How many objects ahead to prefetch. The objects of a list that was shuffled or sorted before
/// lie in memory in no useful order, so each key read is a cache miss (~100 ns) unless it was
/// asked for early: with 16 requests in flight the misses overlap. Measured on 1e6 scattered
/// ints: the classification became several times faster; CPython's own sort does not prefetch.
const PREFETCH_AHEAD: usize = 16;

/// Every key of `objs` by `one`, or `None` at the first miss. From [`PARALLEL`] items on,
/// without the GIL, on `threads` threads; below, on the calling thread (a thread start would
/// cost more). A `Read::Later` key is left as `later` for the caller to fill; the flag says
/// whether there is any.
///
/// # Safety
/// GIL held; `one` may run without it (on the objects of `objs`, which the caller keeps alive).
unsafe fn read<K, F>(
    py: Python,
    objs: &[Obj],
    threads: usize,
    later: K,
    one: F,
) -> PyResult<Option<(Vec<K>, bool)>>
where
    K: Copy + Send + Sync,
    F: Fn(*mut PyObject) -> Read<K> + Sync,
{
    let one = &one;
    let job = move |cancel: &Cancel| read_on_threads(objs, threads, later, one, cancel);
    if objs.len() >= PARALLEL {
        without_gil::run(py, job)
    } else {
        job(&Cancel::new()).map_err(|err| errors::to_py(py, err))
    }
}

/// The body of [`read`]: `objs` in `threads` contiguous parts, each read in order with
/// prefetching, polling `cancel` and stopping early once any part has missed.
fn read_on_threads<K, F>(
    objs: &[Obj],
    threads: usize,
    later: K,
    one: &F,
    cancel: &Cancel,
) -> Result<Option<(Vec<K>, bool)>, Error>
where
    K: Copy + Send + Sync,
    F: Fn(*mut PyObject) -> Read<K> + Sync,
{
    let Ok(mut keys) = try_with_capacity::<K>(objs.len(), "sort keys") else {
        return Ok(None);
    };
    let missed = AtomicBool::new(false);
    let deferred = AtomicBool::new(false);
    let spare = &mut keys.spare_capacity_mut()[..objs.len()];
    parallel::zip_chunks(spare, objs, threads, |out, objs, _| {
        for (i, (slot, obj)) in out.iter_mut().zip(objs).enumerate() {
            if i % POLL == 0 && (cancel.is_cancelled() || missed.load(Ordering::Relaxed)) {
                return;
            }
            if let Some(ahead) = objs.get(i + PREFETCH_AHEAD) {
                prefetch::prefetch(ahead.0);
            }
            *slot = MaybeUninit::new(match one(obj.0) {
                Read::Key(key) => key,
                Read::Later => {
                    deferred.store(true, Ordering::Relaxed);
                    later
                }
                Read::Miss => {
                    missed.store(true, Ordering::Relaxed);
                    return;
                }
            });
        }
    });
    // Both flags only ever go up, so a part that stopped early is seen here: otherwise every
    // part wrote every one of its slots.
    cancel.check()?;
    if missed.into_inner() {
        return Ok(None);
    }
    // SAFETY: every slot of `0..objs.len()` was initialised (see above).
    unsafe { keys.set_len(objs.len()) };
    Ok(Some((keys, deferred.into_inner())))
}

/// # Safety (for all four readers)
/// `obj` is alive and referenced by the caller (see `layout`); no GIL needed.
unsafe fn int(layout: &Layout, obj: *mut PyObject) -> Read<u64> {
    // Exact: bool is an int subclass, and sorted() keeps True/1 as they are anyway, but a
    // user subclass may redefine `<`.
    if !layout.is(obj, Kind::Int) {
        return Read::Miss;
    }
    match layout.int(obj) {
        Some(value) => Read::Key(int_key(value)),
        None => Read::Miss, // beyond 64 bits: CPython's sort handles ints of any size
    }
}

unsafe fn float(layout: &Layout, obj: *mut PyObject) -> Read<u64> {
    if !layout.is(obj, Kind::Float) {
        return Read::Miss;
    }
    // A NaN has no key: sorted() on NaNs is not a total order, and only CPython's own
    // sequence of comparisons reproduces its result.
    match float_key(layout.float(obj)) {
        Some(key) => Read::Key(key),
        None => Read::Miss,
    }
}

unsafe fn str<'k>(layout: &Layout, obj: *mut PyObject) -> Read<&'k [u8]> {
    if !layout.is(obj, Kind::Str) {
        return Read::Miss;
    }
    match layout.str(obj) {
        Str::Ascii(chars) => Read::Key(chars),
        Str::Other => Read::Later,
    }
}

unsafe fn bytes<'k>(layout: &Layout, obj: *mut PyObject) -> Read<&'k [u8]> {
    if !layout.is(obj, Kind::Bytes) {
        return Read::Miss;
    }
    Read::Key(layout.bytes(obj))
}

/// Fills the keys [`read`] left for later: non-ASCII strs' UTF-8 forms, through the C API
/// (which makes and caches that form on first use). `false` if a str has none (a lone
/// surrogate) or there is no memory for it.
///
/// # Safety
/// GIL held; `keys` came from `read` on `objs`.
unsafe fn utf8_of_the_rest(py: Python, objs: &[Obj], keys: &mut [&[u8]]) -> PyResult<bool> {
    let later = later_mark().as_ptr();
    for (i, (slot, obj)) in keys.iter_mut().zip(objs).enumerate() {
        if i % POLL == 0 {
            without_gil::check_signals(py)?;
        }
        if slot.as_ptr() == later {
            match utf8(obj.0) {
                Some(chars) => *slot = chars,
                None => return Ok(false),
            }
        }
    }
    Ok(true)
}

/// A str's UTF-8 form: ASCII strs hand out their own data; others get CPython's cached copy
/// (made once, kept with the str, as `str.encode` users and the C API already do). `None`
/// (error cleared) for a lone surrogate, which has no UTF-8 form, or no memory.
///
/// # Safety
/// GIL held; `obj` is an exact str that the caller keeps alive for `'k`.
unsafe fn utf8<'k>(obj: *mut PyObject) -> Option<&'k [u8]> {
    let mut len: Py_ssize_t = 0;
    let data = PyUnicode_AsUTF8AndSize(obj, &mut len);
    if data.is_null() {
        PyErr_Clear();
        return None;
    }
    Some(std::slice::from_raw_parts(data.cast::<u8>(), len as usize))
}

/// The same reads through the C API, with the GIL, on the calling thread: for interpreters
/// whose object layout is not known to be right.
///
/// # Safety
/// As [`classify`].
unsafe fn classify_with_c_api<'k>(py: Python, objs: &[Obj]) -> PyResult<Option<Keys<'k>>> {
    let first = objs[0].0;
    let keys = if PyLong_CheckExact(first) != 0 {
        with_gil(py, objs, |o| {
            if PyLong_CheckExact(o) == 0 {
                return None;
            }
            let mut overflow: c_int = 0;
            let value = PyLong_AsLongLongAndOverflow(o, &mut overflow);
            (overflow == 0).then(|| int_key(value))
        })?
        .map(Keys::Words)
    } else if PyFloat_CheckExact(first) != 0 {
        // Exact float: this reads the stored value and cannot fail.
        with_gil(py, objs, |o| {
            (PyFloat_CheckExact(o) != 0)
                .then(|| float_key(PyFloat_AsDouble(o)))
                .flatten()
        })?
        .map(Keys::Words)
    } else if PyUnicode_CheckExact(first) != 0 {
        with_gil(py, objs, |o| {
            (PyUnicode_CheckExact(o) != 0).then(|| utf8(o)).flatten()
        })?
        .map(Keys::Bytes)
    } else if PyBytes_CheckExact(first) != 0 {
        // Exact bytes: both calls read fields and cannot fail.
        with_gil(py, objs, |o| {
            (PyBytes_CheckExact(o) != 0).then(|| {
                let len = PyBytes_Size(o) as usize;
                std::slice::from_raw_parts(PyBytes_AsString(o).cast::<u8>(), len)
            })
        })?
        .map(Keys::Bytes)
    } else {
        None
    };
    Ok(keys)
}

/// `one` on every object, in order, with the GIL, checking for signals every [`POLL`] items;
/// `None` at the first object without a key, or when there is no memory for the keys.
///
/// # Safety
/// GIL held; the objects are alive.
unsafe fn with_gil<K>(
    py: Python,
    objs: &[Obj],
    one: impl Fn(*mut PyObject) -> Option<K>,
) -> PyResult<Option<Vec<K>>> {
    let Ok(mut keys) = try_with_capacity(objs.len(), "sort keys") else {
        return Ok(None);
    };
    for (i, obj) in objs.iter().enumerate() {
        if i % POLL == 0 {
            without_gil::check_signals(py)?;
        }
        if let Some(ahead) = objs.get(i + PREFETCH_AHEAD) {
            prefetch::prefetch(ahead.0);
        }
        match one(obj.0) {
            Some(key) => keys.push(key),
            None => return Ok(None),
        }
    }
    Ok(Some(keys))
}
