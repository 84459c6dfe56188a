//! Lists of fewer than [`MAX`] items with no key function: sorted here, on the calling thread,
//! by keys read once from the objects ([`exact_keys`](super::exact_keys)) into pairs on the
//! stack, when every item is of one fast kind; otherwise left to `list.sort`, untouched.
//!
//! Timsort sorts such a list by binary insertion, each comparison a call through a function
//! pointer that reads both objects again: 50 random ints took `list.sort` ~700 ns. Read once
//! and compared inline (`algo::short_list`), the same sort takes a fraction of that, so short
//! lists, which the fixed cost of the call made slower than `list.sort` in place, gain too.

use std::mem::MaybeUninit;

use python3_sys::PyObject;

use super::exact_keys::{with_keys, ExactKey, WithKeys};
use super::layout::Layout;
use crate::algo::short_list::{self, assume_init, sort_pairs, sort_word_pairs};

/// Lists of up to this many items fit the pairs on the stack: 4 KB for strs' 32-byte pairs,
/// copied once more to be permuted (`algo::short_list`), under 10 KB in all, where Python lets
/// a thread run on a stack of 32 KB (`threading.stack_size`; tested).
pub const MAX: usize = short_list::MAX;

/// Sorts `items` as `list.sort(reverse=reverse)` would, if they are keys of one fast kind;
/// `false` (nothing read beyond the first refused item, nothing moved) otherwise.
///
/// # Safety
/// GIL held; `items` is a taken array (every item alive, reachable by nobody else) of at most
/// [`MAX`] items.
pub unsafe fn sort(layout: Option<&Layout>, items: &mut [*mut PyObject], reverse: bool) -> bool {
    let (Some(layout), Some(&first)) = (layout, items.first()) else {
        return false;
    };
    if items.len() > MAX {
        return false;
    }
    // As `list_sort_impl` does it: a stable sort of the reversed list, reversed back.
    if reverse {
        items.reverse();
    }
    let sorted = with_keys(layout, first, Short(&mut *items)).unwrap_or(false);
    if reverse {
        items.reverse();
    }
    sorted
}

/// [`sort`], once the kind of the items is known.
struct Short<'a>(&'a mut [*mut PyObject]);

impl WithKeys for Short<'_> {
    type Output = bool;

    #[inline(always)]
    unsafe fn run<K: ExactKey>(
        self,
        key: impl Fn(*mut PyObject) -> Option<K>,
        _known: impl Fn(*mut PyObject) -> K,
    ) -> bool {
        if K::WORD {
            by_pairs(self.0, |o| key(o).map(ExactKey::word), sort_word_pairs)
        } else {
            // Keys of strs that are not ASCII are compared by `PyUnicode_Compare`: the GIL is
            // held.
            by_pairs(self.0, key, sort_pairs)
        }
    }
}

/// Reads every item's key into (key, item) pairs on the stack, sorts them with `sort`, and
/// puts the items back in that order; `false`, with nothing moved, if `key` refuses an item.
#[inline(always)]
fn by_pairs<K: Copy>(
    items: &mut [*mut PyObject],
    key: impl Fn(*mut PyObject) -> Option<K>,
    sort: impl FnOnce(&mut [(K, *mut PyObject)]),
) -> bool {
    let n = items.len();
    let mut pairs = [const { MaybeUninit::<(K, *mut PyObject)>::uninit() }; MAX];
    for (pair, &item) in pairs.iter_mut().zip(items.iter()) {
        let Some(k) = key(item) else {
            return false;
        };
        pair.write((k, item));
    }
    // SAFETY: the loop above wrote the first `n` pairs (it returns on any it cannot), and
    // `n <= MAX`.
    let pairs = unsafe { assume_init(&mut pairs[..n]) };
    sort(pairs);
    for (slot, &(_, item)) in items.iter_mut().zip(pairs.iter()) {
        *slot = item;
    }
    true
}
