//! Sorting of small slices of machine numbers (up to a few thousand): no histogram, no thread,
//! no cancellation check, at most one small allocation.
//!
//! Each element is read once into an array of order-preserving keys ([`Number::key`]), the
//! keys are sorted and the values they stand for are written back once. Memory that another
//! thread writes under the sort (a numpy array) is read only by that first loop, so it cannot
//! make the comparison sort see an inconsistent order (it cannot panic) and every write stays
//! in `data`.
//!
//! Keys are a bijection on ints and on floats other than NaN and -0.0, so an unstable sort of
//! the bare keys gives exactly the stable result, one compare of machine words per step; keys
//! of types of up to 32 bits are sorted as `u32` (half the memory traffic of `u64`). A float
//! slice holding a NaN or a -0.0 (whose keys it shares with other values) is sorted stably as
//! (key, value) pairs instead.

use std::mem::MaybeUninit;

use super::numeric::Number;
use super::{try_with_capacity, Error};

/// Up to this many elements, [`sort`] is the whole sort for types wider than 8 bits. Measured
/// (release, one thread, random data, machine loaded; `cargo test --release --lib --
/// --ignored --nocapture small_vs_radix`), small vs radix in us: int64 n=1024 9.9 vs 16.7,
/// n=2048 29.8 vs 39.0, n=3072 43.3 vs 55.6, n=4096 65.3 vs 69.4 (int32 alike, float64
/// 70 vs 132 at 4096): each pass of the radix sort still pays for its histograms there.
pub const MAX: usize = 3072;

/// Keys of slices of up to this many elements live on the stack (4 KB for the pairs of
/// `(u64, f64)`, small enough for a Python thread started with a 32 KB stack); longer ones
/// in one fallible heap allocation.
const STACK: usize = 256;

/// Whether [`sort`] should sort `len` elements of `T`. 8-bit types are counted instead
/// (`numeric::counting_sort`) from `STACK` elements on: 256 possible values.
pub fn handles<T: Number>(len: usize) -> bool {
    len <= if T::BITS == 8 { STACK } else { MAX }
}

/// Sorts `data` in place, ascending or (stably) descending, with [`numeric::sort`]'s order
/// (floats: NaNs last either way, -0.0 equal to 0.0 and kept in place). `Err` only if the
/// scratch of a slice longer than `STACK` cannot be allocated; `data` is then unchanged.
///
/// [`numeric::sort`]: super::numeric::sort
pub fn sort<T: Number>(data: &mut [T], descending: bool) -> Result<(), Error> {
    if data.len() < 2 {
        return Ok(());
    }
    if T::BITS <= 32 {
        sort_keys::<T, u32>(data, descending)
    } else {
        sort_keys::<T, u64>(data, descending)
    }
}

/// An unsigned key type of at least `T::BITS` bits.
trait Key: Copy + Ord {
    fn from_wide(key: u64) -> Self;
    fn wide(self) -> u64;
}

impl Key for u32 {
    #[inline]
    fn from_wide(key: u64) -> Self {
        key as u32
    }
    #[inline]
    fn wide(self) -> u64 {
        u64::from(self)
    }
}

impl Key for u64 {
    #[inline]
    fn from_wide(key: u64) -> Self {
        key
    }
    #[inline]
    fn wide(self) -> u64 {
        self
    }
}

/// `len` slots of scratch for items of `X`: `stack`'s up to `STACK` items, else `heap`'s,
/// allocated here (fallibly). None is initialised: only the slots written are read (zeroing
/// 2 KB costs as much as sorting 100 keys). The stack array is the caller's, so that no
/// array is moved on return.
fn scratch<'a, X: Copy>(
    stack: &'a mut [MaybeUninit<X>; STACK],
    heap: &'a mut Vec<MaybeUninit<X>>,
    len: usize,
) -> Result<&'a mut [MaybeUninit<X>], Error> {
    if len <= STACK {
        return Ok(&mut stack[..len]);
    }
    *heap = try_with_capacity(len, "the small sort's keys")?;
    // Within the capacity just reserved: no allocation, nothing to initialise.
    heap.resize(len, MaybeUninit::uninit());
    Ok(&mut heap[..])
}

/// Writes `items` into `slots` (exactly one per slot) and returns them as initialised.
fn fill<X: Copy>(slots: &mut [MaybeUninit<X>], items: impl Iterator<Item = X>) -> &mut [X] {
    let mut written = 0;
    for (slot, item) in slots.iter_mut().zip(items) {
        slot.write(item);
        written += 1;
    }
    assert_eq!(
        written,
        slots.len(),
        "the small sort's scratch was not filled"
    );
    // SAFETY: every slot was just initialised (asserted); `X: Copy` has no drop and
    // `MaybeUninit<X>` has `X`'s layout.
    unsafe { std::slice::from_raw_parts_mut(slots.as_mut_ptr().cast::<X>(), slots.len()) }
}

fn sort_keys<T: Number, K: Key>(data: &mut [T], descending: bool) -> Result<(), Error> {
    let (mut stack, mut heap) = ([MaybeUninit::<K>::uninit(); STACK], Vec::new());
    let slots = scratch(&mut stack, &mut heap, data.len())?;
    // Descending keys complement the ascending ones within `BITS` (see `key_descending`);
    // with no NaN among the values that is exactly `key ^ mask`, reversible the same way.
    let flip = if descending {
        u64::MAX >> (64 - T::BITS)
    } else {
        0
    };
    let mut exact = true;
    let keys = fill(
        slots,
        data.iter().map(|&x| {
            exact &= x.round_trips();
            K::from_wide(x.key() ^ flip)
        }),
    );
    if !exact {
        return sort_pairs(data, descending);
    }
    keys.sort_unstable();
    for (x, &k) in data.iter_mut().zip(keys.iter()) {
        *x = T::from_key(k.wide() ^ flip);
    }
    Ok(())
}

/// [`sort_keys`] for floats whose keys are not all distinct values: a stable sort of
/// (key, value) pairs copied to the scratch, written back once.
#[cold]
#[inline(never)]
fn sort_pairs<T: Number>(data: &mut [T], descending: bool) -> Result<(), Error> {
    let (mut stack, mut heap) = ([MaybeUninit::<(u64, T)>::uninit(); STACK], Vec::new());
    let slots = scratch(&mut stack, &mut heap, data.len())?;
    let pairs = fill(
        slots,
        data.iter().map(|&x| {
            let key = if descending {
                x.key_descending()
            } else {
                x.key()
            };
            (key, x)
        }),
    );
    pairs.sort_by_key(|pair| pair.0);
    for (x, pair) in data.iter_mut().zip(pairs.iter()) {
        *x = pair.1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::cmp::Ordering;

    use crate::algo::test_rng::Rng;

    const LENGTHS: [usize; 14] = [0, 1, 2, 3, 7, 31, 32, 33, 100, 255, 256, 257, 1000, MAX];

    /// The order `sort` promises: numeric, NaNs last in both directions, equal values
    /// (-0.0 == 0.0, NaN == NaN) in input order (the standard library's stable sort keeps it).
    trait Reference: Number + std::fmt::Debug {
        fn order(&self, other: &Self, descending: bool) -> Ordering;
    }

    macro_rules! int_reference {
        ($($t:ty),*) => {$(
            impl Reference for $t {
                fn order(&self, other: &Self, descending: bool) -> Ordering {
                    if descending { other.cmp(self) } else { self.cmp(other) }
                }
            }
        )*};
    }
    int_reference!(u8, u16, u32, u64, i8, i16, i32, i64);

    macro_rules! float_reference {
        ($($t:ty),*) => {$(
            impl Reference for $t {
                fn order(&self, other: &Self, descending: bool) -> Ordering {
                    match (self.is_nan(), other.is_nan()) {
                        (true, true) => Ordering::Equal,
                        (true, false) => Ordering::Greater,
                        (false, true) => Ordering::Less,
                        (false, false) if descending => other.partial_cmp(self).unwrap(),
                        (false, false) => self.partial_cmp(other).unwrap(),
                    }
                }
            }
        )*};
    }
    float_reference!(f32, f64);

    fn check<T: Reference>(values: &[T], bits: impl Fn(&T) -> u64) {
        for descending in [false, true] {
            let mut want = values.to_vec();
            want.sort_by(|a, b| a.order(b, descending));
            let mut got = values.to_vec();
            sort(&mut got, descending).unwrap();
            // Bit patterns: tells -0.0 from 0.0 and NaN payloads apart.
            assert!(
                got.iter().map(&bits).eq(want.iter().map(&bits)),
                "{} values, descending {descending}: {values:?} gave {got:?}",
                values.len()
            );
        }
    }

    macro_rules! int_test {
        ($name:ident, $t:ty) => {
            #[test]
            fn $name() {
                let mut rng = Rng(u64::from(<$t>::BITS) * 999_331);
                for &len in &LENGTHS {
                    let random: Vec<$t> = (0..len).map(|_| rng.next() as $t).collect();
                    let narrow: Vec<$t> = (0..len).map(|_| (rng.next() % 5) as $t).collect();
                    let extremes: Vec<$t> = (0..len)
                        .map(|i| [<$t>::MIN, <$t>::MAX, 0, 1, <$t>::MAX - 1][i % 5])
                        .collect();
                    let mut ascending = random.clone();
                    ascending.sort_unstable();
                    let mut descending = ascending.clone();
                    descending.reverse();
                    for values in [random, narrow, extremes, ascending, descending] {
                        check(&values, |x| *x as u64);
                        // Against the standard library's unstable sort too (ints: equal
                        // values are indistinguishable, so any sort gives one result).
                        let mut got = values.clone();
                        sort(&mut got, false).unwrap();
                        let mut want = values.clone();
                        want.sort_unstable();
                        assert_eq!(got, want);
                    }
                }
            }
        };
    }
    int_test!(sorts_u8, u8);
    int_test!(sorts_i8, i8);
    int_test!(sorts_u16, u16);
    int_test!(sorts_i16, i16);
    int_test!(sorts_u32, u32);
    int_test!(sorts_i32, i32);
    int_test!(sorts_u64, u64);
    int_test!(sorts_i64, i64);

    macro_rules! float_test {
        ($name:ident, $t:ty, $u:ty) => {
            #[test]
            fn $name() {
                let mut rng = Rng(u64::from(<$u>::BITS) * 4_455_667);
                let specials: [$t; 10] = [
                    <$t>::NAN,
                    -<$t>::NAN,
                    <$t>::INFINITY,
                    <$t>::NEG_INFINITY,
                    0.0,
                    -0.0,
                    <$t>::MIN_POSITIVE,
                    <$t>::MAX,
                    <$t>::MIN,
                    1.5,
                ];
                let bits = |x: &$t| u64::from(x.to_bits());
                for &len in &LENGTHS {
                    // Random bit patterns: every exponent, subnormals and NaN payloads.
                    let random: Vec<$t> = (0..len)
                        .map(|_| <$t>::from_bits(rng.next() as $u))
                        .collect();
                    let mixed: Vec<$t> = (0..len)
                        .map(|i| {
                            if i % 3 == 0 {
                                specials[(rng.next() % 10) as usize]
                            } else {
                                (rng.next() % 1000) as $t / 8.0 - 60.0
                            }
                        })
                        .collect();
                    let zeros: Vec<$t> = (0..len)
                        .map(|_| if rng.next() % 2 == 0 { 0.0 } else { -0.0 })
                        .collect();
                    let plain: Vec<$t> = (0..len).map(|_| rng.next() as $t / 3.0).collect();
                    for values in [random, mixed, zeros, plain.clone()] {
                        check(&values, bits);
                    }
                    // No NaN, no -0.0: the bare-key path; the same values as `sort_unstable_by`.
                    let mut got = plain.clone();
                    sort(&mut got, false).unwrap();
                    let mut want = plain;
                    want.sort_unstable_by(|a, b| a.partial_cmp(b).unwrap());
                    assert!(got.iter().map(bits).eq(want.iter().map(bits)));
                }
            }
        };
    }
    float_test!(sorts_f32, f32, u32);
    float_test!(sorts_f64, f64, u64);

    #[test]
    fn handles_small_slices_only() {
        assert!(handles::<i64>(MAX) && !handles::<i64>(MAX + 1));
        assert!(handles::<u8>(STACK) && !handles::<u8>(STACK + 1));
    }

    /// Timing, not a test: where the sort of keys stops beating the radix sort, which chose
    /// [`MAX`]. `cargo test --release -- --ignored --nocapture small_vs_radix`.
    #[test]
    #[ignore]
    fn small_vs_radix() {
        use crate::algo::{radix, Cancel};
        use std::time::Instant;
        fn time<T: Number>(name: &str, values: &[T]) {
            let len = values.len();
            let rounds = (2_000_000 / len).max(10);
            let mut best = [f64::MAX; 2];
            for _ in 0..5 {
                for (which, best) in best.iter_mut().enumerate() {
                    let mut copies: Vec<Vec<T>> = (0..rounds).map(|_| values.to_vec()).collect();
                    let start = Instant::now();
                    for copy in &mut copies {
                        if which == 0 {
                            sort(copy, false).unwrap();
                        } else {
                            radix::sort_by_key(copy, |x| x.key(), T::BITS, 1, &Cancel::new())
                                .unwrap();
                        }
                    }
                    *best = best.min(start.elapsed().as_secs_f64() / rounds as f64);
                }
            }
            println!(
                "{name} n={len:5}: small {:8.2} us  radix {:8.2} us",
                best[0] * 1e6,
                best[1] * 1e6
            );
        }
        let mut rng = Rng(77);
        for len in [100, 256, 257, 512, 1024, 1536, 2048, 3072, 4096] {
            let i64s: Vec<i64> = (0..len).map(|_| rng.next() as i64).collect();
            let i32s: Vec<i32> = (0..len).map(|_| rng.next() as i32).collect();
            let f64s: Vec<f64> = (0..len).map(|_| rng.next() as f64 / 7.0).collect();
            time("i64", &i64s);
            time("i32", &i32s);
            time("f64", &f64s);
        }
    }
}
