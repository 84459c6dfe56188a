//! A list's item array, taken out of the list for the length of a sort, as `list.sort` does.
//!
//! CPython's `list_sort_impl` (Objects/listobject.c) saves `ob_item`, `ob_size` and
//! `allocated`, and leaves the list *empty* (`ob_size = 0, ob_item = NULL, allocated = -1`)
//! while it sorts. Python code that runs meanwhile (a key function, a comparison, a `__del__`,
//! another thread while the GIL is released) sees an empty list and cannot reach the array
//! being sorted; any change it makes allocates a new array and sets `allocated >= 0`, which is
//! how "list modified during sort" is detected. [`Taken`] does exactly the same, so the array
//! is ours alone: we may reorder it, and read the objects it holds, without the GIL.

use python3_sys::{
    PyList_Check, PyList_New, PyList_Sort, PyMem_Free, PyObject, PyObject_GC_UnTrack, PyVarObject,
    Py_DECREF, Py_XDECREF, Py_ssize_t,
};

/// CPython's `PyListObject` (Include/cpython/listobject.h). python3-sys does not declare it.
/// After the object header, this layout has been the same from CPython 3.0 through 3.13 for
/// the non-limited API, which is what rust-cpython builds against. The header is python3-sys's
/// `PyVarObject`, which matches release builds of every supported version. Builds with
/// `Py_TRACE_REFS` (debug-only) are not supported: up to 3.12 they prefix the header with
/// `_ob_next`/`_ob_prev`, and 3.13 removed those fields from the header altogether, which
/// python3-sys 0.7.2 does not know.
///
/// Reference counts: python3-sys's `Py_DECREF`/`Py_XDECREF` are a plain `ob_refcnt -= 1`
/// (and dealloc at 0), not 3.12's immortal-aware versions. On an immortal object (3.12+:
/// `None`, small ints, interned strs) CPython's own increfs are no-ops while this decrement is
/// not, so it lowers the object's huge refcount by one per release: a drift of at most one per
/// item per call, which PEP 683 sized the immortal refcount to absorb, exactly as it does for
/// extensions built against pre-3.12 headers. Mortal objects are counted exactly.
#[repr(C)]
struct PyListObject {
    ob_base: PyVarObject,
    ob_item: *mut *mut PyObject,
    allocated: Py_ssize_t,
}

/// The items of a list that has been emptied for sorting; [`Taken::restore`] puts them back.
/// If it is dropped without `restore` (an early return or a panic, always on the thread that
/// holds the GIL), `Drop` restores the list anyway, so no path leaves it empty or leaks it.
pub struct Taken {
    list: *mut PyListObject,
    items: *mut *mut PyObject,
    len: usize,
    allocated: Py_ssize_t,
    restored: bool,
}

impl Taken {
    /// Empties `list` and takes its items.
    ///
    /// # Safety
    /// The GIL must be held; `list` must point to a live list (checked: panics otherwise)
    /// that outlives the returned value, and the value must be dropped with the GIL held.
    pub unsafe fn take(list: *mut PyObject) -> Taken {
        assert!(PyList_Check(list) != 0, "Taken::take needs a list");
        let raw = list as *mut PyListObject;
        let taken = Taken {
            list: raw,
            items: (*raw).ob_item,
            len: (*raw).ob_base.ob_size as usize,
            allocated: (*raw).allocated,
            restored: false,
        };
        (*raw).ob_base.ob_size = 0;
        (*raw).ob_item = std::ptr::null_mut();
        // Any operation that stores into the list resizes it, which sets this to >= 0.
        (*raw).allocated = -1;
        taken
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The taken items (borrowed references, owned by the taken array).
    pub fn items(&self) -> &[*mut PyObject] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `items` holds `len` initialised pointers; nobody else can reach the array
        // while it is taken (the list is empty), so this borrow is the only access.
        unsafe { std::slice::from_raw_parts(self.items, self.len) }
    }

    /// The taken items, to be rearranged (never to be overwritten with other objects: the
    /// array owns one reference to each).
    pub fn items_mut(&mut self) -> &mut [*mut PyObject] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: as in `items`, and `&mut self` makes this borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.items, self.len) }
    }

    /// Whether the list was stored into while taken (as `restore` will report).
    pub fn modified(&self) -> bool {
        // SAFETY: the list outlives `self` (contract of `take`); the GIL is held by every
        // holder of a `Taken`.
        unsafe { (*self.list).allocated != -1 }
    }

    /// Puts the items back into the list and frees whatever was stored in the list while it
    /// was taken. Returns whether the list was modified meanwhile (then the caller raises
    /// `ValueError("list modified during sort")`, unless it already has an error to report).
    ///
    /// The check comes before those objects are released: releasing them can run `__del__`,
    /// which may change the restored list, as it may after `list.sort` too.
    pub fn restore(mut self) -> bool {
        // SAFETY: the GIL is held (contract of `take`).
        unsafe { self.put_back() }
    }

    /// # Safety
    /// GIL held.
    unsafe fn put_back(&mut self) -> bool {
        self.restored = true;
        let list = self.list;
        let modified = (*list).allocated != -1;
        let stray_items = (*list).ob_item;
        let stray_len = (*list).ob_base.ob_size;
        (*list).ob_base.ob_size = self.len as Py_ssize_t;
        (*list).ob_item = self.items;
        (*list).allocated = self.allocated;
        if !stray_items.is_null() {
            // As CPython does: not `list.clear()`, which does not guarantee an empty result.
            for i in (0..stray_len).rev() {
                Py_XDECREF(*stray_items.offset(i));
            }
            PyMem_Free(stray_items.cast());
        }
        modified
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if !self.restored {
            // SAFETY: `Taken` lives on the GIL-holding thread (contract of `take`).
            unsafe {
                self.put_back();
            }
        }
    }
}

/// Sorts `items`, a part of a taken array, with CPython's own sort: through a new list that
/// holds them for the length of the call, and is emptied again before it is released. Returns
/// `false` with an exception set if the list could not be made or the sort failed (its
/// comparisons raised, or it ran out of memory); `items` is then partly sorted, as
/// `list.sort` leaves a list.
///
/// # Safety
/// GIL held; `items` are live objects whose comparisons run no Python code (exact ints,
/// floats, strs or bytes, of one kind), so that nothing can store into the lending list while
/// it holds a pointer into the taken array: it is new, untracked by the garbage collector,
/// and reachable only from here.
pub unsafe fn cpython_sort_part(items: &mut [*mut PyObject]) -> bool {
    let list = PyList_New(0);
    if list.is_null() {
        return false;
    }
    PyObject_GC_UnTrack(list.cast());
    let raw = list as *mut PyListObject;
    (*raw).ob_item = items.as_mut_ptr();
    (*raw).ob_base.ob_size = items.len() as Py_ssize_t;
    (*raw).allocated = items.len() as Py_ssize_t;
    // `list_sort_impl` empties the list while it sorts and puts the same array back.
    let sorted = PyList_Sort(list) == 0;
    (*raw).ob_item = std::ptr::null_mut();
    (*raw).ob_base.ob_size = 0;
    (*raw).allocated = 0;
    Py_DECREF(list);
    sorted
}
