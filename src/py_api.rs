//! `sort.sorted` and `sort.sort` themselves: C-level functions, as the builtins they replace.
//!
//! A Python wrapper would add ~80 ns to every call and `py_fn!`'s argument tuple ~250 ns
//! more: on a list of ten ints `sorted()` takes ~120 ns in all, and on a sorted list of a
//! thousand, which timsort sorts in one pass, those fixed costs alone made `sort.sorted` 10 %
//! slower. So the two functions are `METH_FASTCALL | METH_KEYWORDS` builtins ([`fastcall`])
//! whose `__module__` is `sort`: their signatures and docstrings (`src/docstrings/`) are what
//! `inspect.signature`, `help()` and doctest read.

use std::ffi::CStr;

use cpython::exc::TypeError;
use cpython::{ObjectProtocol, PyErr, PyModule, PyObject, PyResult, Python};
use python3_sys as ffi;

use crate::fastcall::{self, Borrowed};
use crate::{args, py_buffer, py_list};

/// A docstring as CPython wants it (NUL-terminated), checked at compile time.
macro_rules! docstring {
    ($file:literal) => {{
        const DOC: &CStr =
            match CStr::from_bytes_with_nul(concat!(include_str!($file), "\0").as_bytes()) {
                Ok(doc) => doc,
                Err(_) => panic!("a docstring holds a NUL byte"),
            };
        DOC
    }};
}

pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    fastcall::add(
        py,
        module,
        c"sorted",
        docstring!("docstrings/sorted.txt"),
        fastcall::Entry::WithKeywords(sorted_fast),
        "sort",
    )?;
    fastcall::add(
        py,
        module,
        c"sort",
        docstring!("docstrings/sort.txt"),
        fastcall::Entry::WithKeywords(sort_fast),
        "sort",
    )
}

/// The arguments of both functions: one positional, then `key`, `reverse` and `threads`,
/// keyword-only, with their defaults filled in.
struct Arguments {
    first: Borrowed,
    key: Borrowed,
    reverse: Borrowed,
    threads: Borrowed,
}

impl Arguments {
    /// Reads CPython's vectorcall arguments for the function `name`.
    ///
    /// # Safety
    /// GIL held; `args` holds `nargs` positional references followed by one per name in
    /// `kwnames` (a tuple of strs, or NULL), all borrowed for the call, as CPython passes them.
    // Inlined into each entry point: returned through memory, the four words cost a store-
    // forwarding stall per call (a fifth of `sort.sort` on an empty list, by `perf`).
    #[inline(always)]
    unsafe fn parse(
        py: Python,
        name: &str,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> PyResult<Arguments> {
        if nargs != 1 {
            return Err(PyErr::new::<TypeError, _>(
                py,
                format!("{name}() takes exactly one positional argument ({nargs} given)"),
            ));
        }
        let arg = |i: usize| Borrowed::new(py, *args.add(i));
        let mut parsed = Arguments {
            first: arg(0),
            key: Borrowed::new(py, ffi::Py_None()),
            reverse: Borrowed::new(py, ffi::Py_False()),
            threads: Borrowed::new(py, ffi::Py_None()),
        };
        if kwnames.is_null() {
            return Ok(parsed);
        }
        for k in 0..ffi::PyTuple_GET_SIZE(kwnames) {
            let kwname = ffi::PyTuple_GET_ITEM(kwnames, k);
            let is = |expected: &CStr| {
                ffi::PyUnicode_Check(kwname) != 0
                    && ffi::PyUnicode_CompareWithASCIIString(kwname, expected.as_ptr()) == 0
            };
            let value = arg(1 + k as usize);
            if is(c"key") {
                parsed.key = value;
            } else if is(c"reverse") {
                parsed.reverse = value;
            } else if is(c"threads") {
                parsed.threads = value;
            } else {
                let kwname = PyObject::from_borrowed_ptr(py, kwname).repr(py)?;
                return Err(PyErr::new::<TypeError, _>(
                    py,
                    format!(
                        "{name}() got an unexpected keyword argument {}",
                        kwname.to_string_lossy(py)
                    ),
                ));
            }
        }
        Ok(parsed)
    }
}

/// What both entry points do around their own work: take the GIL token, parse the arguments
/// of `name`, run `body`, and hand its outcome (or a panic, as SystemError) to CPython.
///
/// # Safety
/// Called by CPython as a `METH_FASTCALL | METH_KEYWORDS` function: GIL held, arguments as
/// [`Arguments::parse`] wants them.
#[inline(always)]
unsafe fn enter(
    name: &str,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
    body: impl FnOnce(Python, Arguments) -> PyResult<PyObject>,
) -> *mut ffi::PyObject {
    let py = Python::assume_gil_acquired();
    fastcall::respond(py, || {
        // SAFETY: GIL held; the arguments are as CPython passes them.
        let parsed = unsafe { Arguments::parse(py, name, args, nargs, kwnames) }?;
        body(py, parsed)
    })
}

/// `sorted(iterable, /, *, key=None, reverse=False, threads=None)`.
unsafe extern "C" fn sorted_fast(
    _module: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    enter("sorted", args, nargs, kwnames, |py, a| {
        // The builtin's copy: a new list of the iterable's items (PySequence_List, as
        // `sorted()` makes it), sorted in place.
        // SAFETY: GIL held; returns a new reference or NULL with an exception set.
        let list = unsafe { ffi::PySequence_List(a.first.as_ptr()) };
        if list.is_null() {
            return Err(PyErr::fetch(py));
        }
        // SAFETY: a new, non-null reference that we now own.
        let list = unsafe { PyObject::from_owned_ptr(py, list) };
        py_list::sort_in_place(py, &list, &a.key, &a.reverse, &a.threads)?;
        Ok(list)
    })
}

/// `sort(obj, /, *, key=None, reverse=False, threads=None)`: a list, or a numeric buffer.
unsafe extern "C" fn sort_fast(
    _module: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    enter("sort", args, nargs, kwnames, |py, a| {
        // SAFETY: GIL held; `first` is a live object.
        if unsafe { ffi::PyList_Check(a.first.as_ptr()) } != 0 {
            py_list::sort_in_place(py, &a.first, &a.key, &a.reverse, &a.threads)?;
        } else if a.key.is_none(py) {
            py_buffer::sort_buffer(py, &a.first, &a.reverse, &a.threads)?;
        } else {
            return Err(PyErr::new::<TypeError, _>(
                py,
                format!(
                    "sort.sort(): key= is only supported for lists, not for '{}' buffers",
                    args::type_name(py, &a.first)
                ),
            ));
        }
        Ok(py.None())
    })
}
