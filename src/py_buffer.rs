//! `_sort.sort_buffer(buf, reverse, threads)`: sorts a writable numeric buffer in place.
//!
//! Everything about the buffer is checked (writable, format, item size, shape, contiguity)
//! before one byte is written; then the elements are sorted by [`algo::numeric::sort`],
//! on the calling thread for small buffers and with the GIL released otherwise.

use std::ffi::CStr;
use std::os::raw::c_long;

use cpython::exc::{TypeError, ValueError};
use cpython::{PyErr, PyModule, PyObject, PyResult, Python};
use python3_sys as ffi;

use crate::algo::numeric::{self, Number};
use crate::algo::parallel;
use crate::algo::{Cancel, Error};
use crate::{args, errors, fastcall, py_ndarray, without_gil};

/// Registers `sort_buffer` as a `METH_FASTCALL` function (see [`fastcall`]): CPython passes
/// the three arguments as a C array, with no tuple to build and none to parse.
pub fn register(py: Python, module: &PyModule) -> PyResult<()> {
    fastcall::add(
        py,
        module,
        c"sort_buffer",
        c"sort_buffer(buf, reverse, threads, /)\n--\n\nSorts a writable numeric buffer in place.",
        fastcall::Entry::Positional(sort_buffer_fast),
        "sort._sort",
    )
}

/// The C entry point: `sort_buffer(buf, reverse, threads, /)`, all three positional.
unsafe extern "C" fn sort_buffer_fast(
    _module: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls module functions with the GIL held.
    let py = unsafe { Python::assume_gil_acquired() };
    fastcall::respond(py, || {
        if nargs != 3 {
            return Err(PyErr::new::<TypeError, _>(
                py,
                format!("sort_buffer() takes exactly 3 positional arguments ({nargs} given)"),
            ));
        }
        // SAFETY: CPython passes `nargs` (3) valid references, borrowed for the call.
        let arg = |i: usize| unsafe { fastcall::Borrowed::new(py, *args.add(i)) };
        sort_buffer(py, &arg(0), &arg(1), &arg(2)).map(|()| py.None())
    })
}

/// Up to this many elements, sort on the calling thread with the GIL held. Measured (release,
/// int64): 2**14 elements sort in ~0.2 ms and going through the job thread adds ~35 us;
/// at 2**15 (~0.4 ms, far below the interpreter's 5 ms switch interval) that is under 10%.
pub(crate) const SYNC_MAX: usize = 1 << 15;

pub(crate) fn sort_buffer(
    py: Python,
    buf: &PyObject,
    reverse: &PyObject,
    threads: &PyObject,
) -> PyResult<()> {
    // An exact numpy array of up to SYNC_MAX elements is read from its own fields, without
    // the buffer export (~70 ns of numpy's); everything else goes through the buffer protocol.
    if py_ndarray::small_view(py, buf).is_some() {
        let descending = args::reverse(py, reverse)?;
        if !threads.is_none(py) {
            args::threads(py, threads)?; // checked, though one thread sorts this
        }
        // Read the fields again: `reverse` and `threads` may have run Python code (`__bool__`,
        // `__index__`) that resized or replaced the array's memory. From this read to the end
        // of the sort the GIL is held and no Python code runs, so the array cannot be resized
        // or freed under it (both need the GIL); that is what the buffer export would ensure.
        // If the array no longer qualifies, the general path below reads everything again.
        if let Some(array) = py_ndarray::small_view(py, buf) {
            let target = Target {
                ptr: array.ptr,
                len: array.len,
                kind: array.kind,
                descending,
                threads: 1,
            };
            return target
                .sort(&Cancel::new())
                .map_err(|err| errors::to_py(py, err));
        }
    }
    let buffer = writable_buffer(py, buf)?;
    let kind = element_kind(py, &buffer)?;
    let len = one_dimensional_len(py, buf, &buffer)?;
    let descending = args::reverse(py, reverse)?;
    // `None` (every CPU) is resolved only for a sort that may use threads: a small sort never
    // asks the system how many CPUs there are.
    let threads = if threads.is_none(py) {
        None
    } else {
        Some(args::threads(py, threads)?)
    };

    let mut target = Target {
        ptr: buffer.view.buf.cast::<u8>(),
        len,
        kind,
        descending,
        // Below SYNC_MAX the kernels use one thread whatever they are allowed.
        threads: threads.unwrap_or(1),
    };
    if len <= SYNC_MAX {
        target
            .sort(&Cancel::new())
            .map_err(|err| errors::to_py(py, err))?;
    } else {
        target.threads = threads.unwrap_or_else(parallel::default_threads);
        without_gil::run(py, move |cancel| target.sort(cancel))?;
    }
    // `buffer` is released here, with the GIL held, after the job has finished: while it is
    // exported, the object cannot be resized or freed under the sort.
    drop(buffer);
    Ok(())
}

/// A buffer exported by `PyObject_GetBuffer`, released on drop.
///
/// rust-cpython's `PyBuffer::get` is not used: it asserts that `shape` is non-null, which
/// panics on 0-dimensional buffers (`numpy.array(5)`) after the export was taken, leaking it.
/// Holding a `Python` token keeps this type on the GIL-holding thread (`Python` is not
/// `Send`), so the release in `drop` always runs with the GIL.
pub(crate) struct Exported<'p> {
    _py: Python<'p>,
    // Boxed: exporters may keep pointers to the `Py_buffer` they filled in.
    pub(crate) view: Box<python3_sys::Py_buffer>,
}

impl<'p> Exported<'p> {
    /// Exports `obj`'s buffer with `flags` (`PyBUF_FULL` asks for a writable one: the exporter
    /// itself refuses read-only memory).
    pub(crate) fn get(
        py: Python<'p>,
        obj: &PyObject,
        flags: std::os::raw::c_int,
    ) -> PyResult<Self> {
        let mut view = Box::<python3_sys::Py_buffer>::default();
        // SAFETY: GIL held; `view` is a valid, writable Py_buffer. On failure nothing was
        // exported and an exception is set.
        let status = unsafe { python3_sys::PyObject_GetBuffer(obj.as_ptr(), &mut *view, flags) };
        if status != 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(Exported { _py: py, view })
    }

    /// The struct-module format of one item; no format means unsigned bytes.
    pub(crate) fn format(&self) -> &[u8] {
        if self.view.format.is_null() {
            b"B"
        } else {
            // SAFETY: a non-null `format` is a NUL-terminated string owned by the exporter,
            // valid while the buffer is exported (as long as `self`).
            unsafe { CStr::from_ptr(self.view.format) }.to_bytes()
        }
    }

    fn item_size(&self) -> usize {
        self.view.itemsize as usize
    }

    fn is_c_contiguous(&self) -> bool {
        // SAFETY: GIL held (we hold a `Python` token); `view` is a live export.
        unsafe { python3_sys::PyBuffer_IsContiguous(&*self.view, b'C' as _) != 0 }
    }
}

impl Drop for Exported<'_> {
    fn drop(&mut self) {
        // SAFETY: the export is live and released exactly once; the GIL is held (see above).
        unsafe { python3_sys::PyBuffer_Release(&mut *self.view) }
    }
}

/// The buffer behind `obj`, if it has one and it is writable.
fn writable_buffer<'p>(py: Python<'p>, obj: &PyObject) -> PyResult<Exported<'p>> {
    // SAFETY: GIL held; `obj` is a valid reference. This only reads the type's slots.
    let has_buffer = unsafe { python3_sys::PyObject_CheckBuffer(obj.as_ptr()) } != 0;
    if !has_buffer {
        return Err(PyErr::new::<TypeError, _>(
            py,
            format!(
                "sort.sort() argument must be a list or a writable buffer of numbers, not '{}'",
                args::type_name(py, obj)
            ),
        ));
    }
    let read_only = || {
        PyErr::new::<TypeError, _>(
            py,
            format!(
                "sort.sort() cannot sort a read-only buffer: this '{}' is read-only",
                args::type_name(py, obj)
            ),
        )
    };
    // A writable export, so that the exporter itself refuses read-only memory (and marks
    // what it exports as written to).
    match Exported::get(py, obj, python3_sys::PyBUF_FULL) {
        // An exporter that ignored PyBUF_WRITABLE still gets no write.
        Ok(buffer) if buffer.view.readonly != 0 => Err(read_only()),
        Ok(buffer) => Ok(buffer),
        Err(refused) => {
            // Say "read-only" in our words if that is why (exporters word it differently:
            // BufferError, numpy's ValueError); any other error of the exporter (numpy's
            // "cannot include dtype 'M' in a buffer") passes through: it says more than we
            // could.
            match Exported::get(py, obj, python3_sys::PyBUF_FULL_RO) {
                Ok(view) if view.view.readonly != 0 => Err(read_only()),
                _ => Err(refused),
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

const SUPPORTED: &str = "b B h H i I l L q Q f d (8- to 64-bit ints, float32, float64)";

/// Parses a struct-module format of one item: an optional byte-order/size prefix and one
/// type code. The buffer's own `itemsize` must be the size that format implies.
pub(crate) fn element_kind(py: Python, buffer: &Exported) -> PyResult<Kind> {
    let bytes = buffer.format();
    let format = String::from_utf8_lossy(bytes);
    let unsupported = |why: &str| {
        PyErr::new::<TypeError, _>(
            py,
            format!("sort.sort() cannot sort a buffer of format '{format}'{why}; supported formats: {SUPPORTED}"),
        )
    };
    let (prefix, code) = match bytes {
        [code] => (b'@', *code),
        [prefix @ (b'@' | b'=' | b'<' | b'>' | b'!'), code] => (*prefix, *code),
        _ => return Err(unsupported("")),
    };
    let foreign_order = if cfg!(target_endian = "little") {
        matches!(prefix, b'>' | b'!')
    } else {
        prefix == b'<'
    };
    // '@' (the default) means native sizes; the other prefixes mean the struct module's
    // standard sizes, where 'l' is 4 bytes.
    let native = prefix == b'@';
    let long_size = if native {
        std::mem::size_of::<c_long>()
    } else {
        4
    };
    let Some((kind, size)) = code_kind(code, long_size) else {
        return Err(unsupported(""));
    };
    if foreign_order && size > 1 {
        return Err(unsupported(" (non-native byte order)"));
    }
    if buffer.item_size() != size {
        return Err(unsupported(&format!(
            " with item size {} (expected {size})",
            buffer.item_size()
        )));
    }
    Ok(kind)
}

/// The kind and item size of a struct-module type code, `l`/`L` being `long_size` bytes.
pub(crate) fn code_kind(code: u8, long_size: usize) -> Option<(Kind, usize)> {
    let (kind_by_size, size): (fn(usize) -> Option<Kind>, usize) = match code {
        b'b' => (signed, 1),
        b'B' => (unsigned, 1),
        b'h' => (signed, 2),
        b'H' => (unsigned, 2),
        b'i' => (signed, 4),
        b'I' => (unsigned, 4),
        b'l' => (signed, long_size),
        b'L' => (unsigned, long_size),
        b'q' => (signed, 8),
        b'Q' => (unsigned, 8),
        b'f' => (float, 4),
        b'd' => (float, 8),
        _ => return None,
    };
    Some((kind_by_size(size)?, size))
}

fn signed(size: usize) -> Option<Kind> {
    Some(match size {
        1 => Kind::I8,
        2 => Kind::I16,
        4 => Kind::I32,
        8 => Kind::I64,
        _ => return None,
    })
}

fn unsigned(size: usize) -> Option<Kind> {
    Some(match size {
        1 => Kind::U8,
        2 => Kind::U16,
        4 => Kind::U32,
        8 => Kind::U64,
        _ => return None,
    })
}

fn float(size: usize) -> Option<Kind> {
    Some(match size {
        4 => Kind::F32,
        8 => Kind::F64,
        _ => return None,
    })
}

/// The number of elements of a 1-dimensional, C-contiguous buffer.
pub(crate) fn one_dimensional_len(
    py: Python,
    obj: &PyObject,
    buffer: &Exported,
) -> PyResult<usize> {
    let value_error = |message: String| PyErr::new::<ValueError, _>(py, message);
    match buffer.view.ndim {
        1 => {}
        0 => {
            return Err(value_error(format!(
                "sort.sort() cannot sort a 0-dimensional '{}' buffer (a single value)",
                args::type_name(py, obj)
            )))
        }
        ndim => {
            // numpy.sort would sort along the last axis; flattening instead would surprise.
            return Err(value_error(format!(
                "sort.sort() sorts only 1-dimensional buffers, not a {ndim}-dimensional '{}' \
                 (sort each row, or a flattened copy, instead)",
                args::type_name(py, obj)
            )));
        }
    }
    if !buffer.is_c_contiguous() {
        return Err(value_error(format!(
            "sort.sort() needs a contiguous buffer; this '{}' is strided (a slice with a step?): \
             sort a contiguous copy instead",
            args::type_name(py, obj)
        )));
    }
    Ok(buffer.view.len as usize / buffer.item_size())
}

/// What the job sorts: the buffer's memory as plain data, so it can cross to worker threads.
struct Target {
    ptr: *mut u8,
    len: usize,
    kind: Kind,
    descending: bool,
    threads: usize,
}

// SAFETY: `ptr` addresses `len` elements of `kind` (plain numbers: any bit pattern is a valid
// value, so `Send` and `Sync` hold for them) that stay allocated while the job runs:
// `sort_buffer` keeps the buffer exported (`Exported`, which pins the memory: a bytearray or
// array.array cannot be resized while exported) until the job has finished. Other threads may
// still write to that memory during the call (numpy's `copyto` releases the GIL; a second
// `sort.sort` of the same array); the kernels stay in bounds whatever the memory holds when
// they read it (every scatter write is checked against its bucket, see `algo::radix`), so such
// a race costs the values' order and multiset, never memory safety.
unsafe impl Send for Target {}

impl Target {
    fn sort(&self, cancel: &Cancel) -> Result<(), Error> {
        let Target {
            descending,
            threads,
            ..
        } = *self;
        match self.kind {
            Kind::I8 => self.sort_as::<i8>(descending, threads, cancel),
            Kind::U8 => self.sort_as::<u8>(descending, threads, cancel),
            Kind::I16 => self.sort_as::<i16>(descending, threads, cancel),
            Kind::U16 => self.sort_as::<u16>(descending, threads, cancel),
            Kind::I32 => self.sort_as::<i32>(descending, threads, cancel),
            Kind::U32 => self.sort_as::<u32>(descending, threads, cancel),
            Kind::I64 => self.sort_as::<i64>(descending, threads, cancel),
            Kind::U64 => self.sort_as::<u64>(descending, threads, cancel),
            Kind::F32 => self.sort_as::<f32>(descending, threads, cancel),
            Kind::F64 => self.sort_as::<f64>(descending, threads, cancel),
        }
    }

    fn sort_as<T: Number>(
        &self,
        descending: bool,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<(), Error> {
        if self.len == 0 {
            return Ok(()); // the pointer of an empty buffer may be anything
        }
        let ptr = self.ptr.cast::<T>();
        if ptr.align_offset(std::mem::align_of::<T>()) == 0 {
            // SAFETY: `ptr` is aligned (just checked) and addresses `len` initialised elements
            // of `T` (format and item size checked), pinned by the export. No other Rust code
            // accesses them; Python code in another thread may write them (see `Send`), which
            // the kernels' bounds checks make harmless to memory (the same exposure as numpy's
            // C sorts, which read and write such memory without synchronisation too).
            let data = unsafe { std::slice::from_raw_parts_mut(ptr, self.len) };
            return numeric::sort(data, descending, threads, cancel);
        }
        // Misaligned memory (a memoryview cast at an odd offset, numpy's unaligned arrays):
        // sort an aligned copy and write it back only once it is sorted.
        let mut copy: Vec<T> =
            crate::algo::try_with_capacity(self.len, "a copy of an unaligned buffer")?;
        // SAFETY: the source holds `len` elements (`len * size_of::<T>()` bytes, copied
        // bytewise, so alignment does not matter); the destination has capacity `len` and
        // `set_len` follows the copy that initialises it.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.ptr,
                copy.as_mut_ptr().cast::<u8>(),
                self.len * std::mem::size_of::<T>(),
            );
            copy.set_len(self.len);
        }
        numeric::sort(&mut copy, descending, threads, cancel)?;
        // SAFETY: as above, in the other direction.
        unsafe {
            std::ptr::copy_nonoverlapping(
                copy.as_ptr().cast::<u8>(),
                self.ptr,
                self.len * std::mem::size_of::<T>(),
            );
        }
        Ok(())
    }
}
