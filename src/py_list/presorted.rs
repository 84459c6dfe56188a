//! Lists the run sample gives to timsort for their runs: the runs are found here, as timsort
//! would find them, by reading each key once ([`algo::presorted`](crate::algo::presorted)),
//! and merged here; timsort sorts at most a short rest. An already sorted list is then never
//! given to timsort at all: 128 sorted ints took `list.sort` ~440 ns and `sort.sort` ~70 ns
//! more (the sample, the call); timsort's run count costs ~3.4 ns an item, where reading a key
//! and comparing it with the one before costs ~0.7 ns (floats) to ~1.4 ns (ints).
//!
//! Only keys of one fast kind ([`exact_keys`](super::exact_keys)). Every item is checked to be
//! such a key before anything but the runs already read is touched; otherwise those runs are
//! put back as they were and the list goes to `list.sort` whole, which then makes exactly its
//! own comparisons (and raises exactly its own errors).
//!
//! The stable order of a total order is unique: whatever merges the runs, and whatever sorts
//! the rest, the result is the one `list.sort` gives, object for object.

use cpython::{PyErr, PyResult, Python};
use python3_sys::PyObject;

use super::exact_keys::{with_keys, ExactKey, WithKeys};
use super::layout::Layout;
use super::raw;
use crate::algo::presorted::{first_run, merge_runs};

/// Runs read at most. A sorted list with a few items out of place has a few more runs than
/// it has such items. A list of more goes to timsort having cost the reading of these (file
/// paths in walk order: runs of ~20, so ~300 of 1e6 keys), unless what is left is fewer items
/// than were read: timsort then sorts only that, and it is merged in. With 8, lists of 16
/// interleaved runs measured 0.95x-0.98x of `sorted()` (half of them read, then handed over);
/// with 16, merged here, ints and floats 1.1x-2.3x, strs 0.94x-1.0x.
const MAX_RUNS: usize = 16;

/// Sorts `items` as `list.sort(reverse=reverse)` would if they are keys of one fast kind in
/// at most [`MAX_RUNS`] runs (then a rest) (see the module docs); `false` if they are left to
/// `list.sort`: as they were, or, if only merging ran out of memory, in an arrangement that
/// does not change its result (runs stably merged).
///
/// # Safety
/// GIL held; `items` is a taken array (every item alive, reachable by nobody else).
pub unsafe fn sort(
    py: Python,
    layout: Option<&Layout>,
    items: &mut [*mut PyObject],
    reverse: bool,
) -> PyResult<bool> {
    let (Some(layout), Some(&first)) = (layout, items.first()) else {
        return Ok(false);
    };
    // As `list_sort_impl` does it: a stable sort of the reversed list, reversed back.
    if reverse {
        items.reverse();
    }
    let sorted = with_keys(
        layout,
        first,
        Runs {
            py,
            items: &mut *items,
        },
    )
    .unwrap_or(Ok(false));
    if reverse {
        items.reverse();
    }
    sorted
}

/// [`sort`], once the kind of the items is known.
struct Runs<'a> {
    py: Python<'a>,
    items: &'a mut [*mut PyObject],
}

impl WithKeys for Runs<'_> {
    type Output = PyResult<bool>;

    #[inline(always)]
    unsafe fn run<K: ExactKey>(
        self,
        key: impl Fn(*mut PyObject) -> Option<K>,
        known: impl Fn(*mut PyObject) -> K,
    ) -> PyResult<bool> {
        let Runs { py, items } = self;
        let n = items.len();
        let first = first_run(items, &key);
        if first.len == n {
            return Ok(true);
        }
        // The runs, as timsort would find them (every key read once, and checked), up to
        // MAX_RUNS of them; which ones were reversed, to be put back if timsort is to sort the
        // list after all (so that it makes the comparisons, and raises the errors, it would have).
        let mut ends = [0; MAX_RUNS + 1];
        let mut reversed = [false; MAX_RUNS];
        let (mut runs, mut at) = (0, 0);
        let mut run = first;
        loop {
            at += run.len;
            ends[runs] = at;
            reversed[runs] = run.reversed;
            runs += 1;
            if at == n || runs == MAX_RUNS {
                break;
            }
            run = first_run(&mut items[at..], &key);
            if run.len == 0 {
                break; // a key of another kind
            }
        }
        let give_back = |items: &mut [*mut PyObject]| {
            for r in (0..runs).filter(|&r| reversed[r]) {
                let from = if r == 0 { 0 } else { ends[r - 1] };
                items[from..ends[r]].reverse();
            }
            Ok(false)
        };
        if at < n {
            // Many short runs after long ones (a sorted list with a batch of items appended):
            // timsort sorts those, if they are fewer than the items already read, and all of the
            // one kind. Otherwise it sorts the whole list, which wastes the reading of the runs.
            let rest = &items[at..];
            if rest.len() > at || !rest.iter().all(|&o| key(o).is_some()) {
                return give_back(items);
            }
            if !raw::cpython_sort_part(&mut items[at..]) {
                return Err(PyErr::fetch(py));
            }
            ends[runs] = n;
            runs += 1;
        }
        // Every key was accepted above, and the objects are immutable.
        Ok(merge_runs(items, &mut ends[..runs], |a, b| known(a) < known(b)).is_ok())
    }
}
