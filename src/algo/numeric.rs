//! In-place sorting of slices of machine numbers, ascending or descending.
//!
//! Every type maps to an unsigned key whose order is the order wanted, and the radix sort does
//! the rest: signed ints flip their sign bit; floats flip all bits of negatives and the sign bit
//! of positives (IEEE 754 order as unsigned integers), with `-0.0` folded onto `0.0` and every
//! NaN onto the largest key. Descending complements the key of every value except NaN, so the
//! sort stays stable (equal elements keep their order, as `sorted(..., reverse=True)`) and NaNs
//! stay last in both directions (as numpy puts them).

use std::sync::Mutex;

use super::parallel::{run_parts, split};
use super::{radix, small, Cancel, Error};

/// A number with an order-preserving unsigned key of `BITS` bits.
pub trait Number: Copy + Send + Sync {
    const BITS: u32;
    /// Whether equal keys mean identical values (ints), so that an unstable sort is stable.
    /// Floats fold `-0.0` onto `0.0` and every NaN onto one key.
    const EXACT_KEY: bool = true;
    /// Ascending key: `a < b` (numerically, NaNs last) iff `key(a) < key(b)`.
    fn key(self) -> u64;
    /// Descending key: reverses the order of every value except NaNs, which stay last.
    fn key_descending(self) -> u64 {
        !self.key() & (u64::MAX >> (64 - Self::BITS))
    }
    /// The value whose ascending key is `key`: exact for ints; for floats, exact for every
    /// key of a value that is not NaN and not `-0.0` (the keys [`Number::key`] folds).
    fn from_key(key: u64) -> Self;
    /// Whether `key` and [`Number::from_key`] round-trip for this value (always, for ints).
    #[inline]
    fn round_trips(self) -> bool {
        true
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Number for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline]
            fn key(self) -> u64 {
                self as u64
            }
            #[inline]
            fn from_key(key: u64) -> Self {
                key as $t
            }
        }
    )*};
}
unsigned!(u8, u16, u32, u64);

macro_rules! signed {
    ($($t:ty => $u:ty),*) => {$(
        impl Number for $t {
            const BITS: u32 = <$t>::BITS;
            /// Two's complement with the sign bit flipped orders as unsigned: MIN -> 0.
            #[inline]
            fn key(self) -> u64 {
                ((self as $u) ^ (1 << (<$t>::BITS - 1))) as u64
            }
            #[inline]
            fn from_key(key: u64) -> Self {
                ((key as $u) ^ (1 << (<$t>::BITS - 1))) as $t
            }
        }
    )*};
}
signed!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

macro_rules! float {
    ($($t:ty => $u:ty as $s:ty),*) => {$(
        impl Number for $t {
            const BITS: u32 = <$u>::BITS;
            const EXACT_KEY: bool = false;
            #[inline]
            fn key(self) -> u64 {
                // `-0.0 + 0.0` is `+0.0` (round to nearest), so both zeros get one key.
                let bits = (self + 0.0).to_bits();
                // Negatives: larger magnitude = smaller, so flip every bit; positives: set the
                // sign bit to put them after all negatives. Branch-free (an arithmetic shift
                // spreads the sign bit), since signs are random in real data and this runs
                // once per element per pass.
                let flip = (((bits as $s) >> (<$u>::BITS - 1)) as $u) | (1 << (<$u>::BITS - 1));
                let key = bits ^ flip;
                // No non-NaN value reaches the all-ones key (+inf maps to 0xFF80.. / 0xFFF0..),
                // so NaNs, whatever their sign and payload, sort last and stay in order.
                (if self.is_nan() { <$u>::MAX } else { key }) as u64
            }
            #[inline]
            fn key_descending(self) -> u64 {
                // Non-NaN keys lie in [key(-inf), key(+inf)], a range that complementing maps
                // onto itself, so NaN's all-ones key is still the largest.
                let key = !(self.key() as $u);
                (if self.is_nan() { <$u>::MAX } else { key }) as u64
            }
            #[inline]
            fn from_key(key: u64) -> Self {
                let key = key as $u;
                let sign = 1 << (<$u>::BITS - 1);
                // A set top bit marks a positive value (sign bit flipped); otherwise every
                // bit was flipped.
                <$t>::from_bits(if key & sign != 0 { key ^ sign } else { !key })
            }
            #[inline]
            fn round_trips(self) -> bool {
                // NaNs all get one key and -0.0 gets 0.0's: those cannot be rebuilt.
                !self.is_nan() && self.to_bits() != (-0.0 as $t).to_bits()
            }
        }
    )*};
}
float!(f32 => u32 as i32, f64 => u64 as i64);

/// Sorts `data` in place, ascending or (stably) descending. Floats: NaNs last either way,
/// `-0.0` equal to `0.0`. Errors as [`radix::sort_by_key`]; on `Err`, `data` holds the same
/// values in some order.
pub fn sort<T: Number>(
    data: &mut [T],
    descending: bool,
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error> {
    if small::handles::<T>(data.len()) {
        return small::sort(data, descending);
    }
    if T::BITS == 8 {
        return counting_sort(data, descending, threads, cancel);
    }
    if descending {
        radix::sort_by_key(data, |x| x.key_descending(), T::BITS, threads, cancel)
    } else {
        radix::sort_by_key(data, |x| x.key(), T::BITS, threads, cancel)
    }
}

/// For 8-bit types: count each of the 256 values, then write them out in order. Equal 8-bit
/// values are indistinguishable, so this is exactly the stable result.
fn counting_sort<T: Number>(
    data: &mut [T],
    descending: bool,
    threads: usize,
    cancel: &Cancel,
) -> Result<(), Error> {
    const PARALLEL_MIN: usize = 1 << 20;
    const BLOCK: usize = 1 << 18;
    let len = data.len();
    let parts = if len < PARALLEL_MIN {
        1
    } else {
        threads.clamp(1, len / (PARALLEL_MIN / 2))
    };
    let ranges: Vec<_> = split(len, parts).collect();
    // Per part: how many of each key, and one value with that key (keys are a bijection on
    // 8-bit values, so the value found is the value; no inverse map is needed).
    type Tally<T> = ([usize; 256], [Option<T>; 256]);
    let slots: Vec<Mutex<Tally<T>>> = ranges
        .iter()
        .map(|_| Mutex::new(([0; 256], [None; 256])))
        .collect();
    let data_ro = &*data;
    let count = |part: usize| {
        let (mut counts, mut value_of) = ([0usize; 256], [None::<T>; 256]);
        for block in data_ro[ranges[part].clone()].chunks(BLOCK) {
            if cancel.is_cancelled() {
                return;
            }
            for &x in block {
                let k = (if descending {
                    x.key_descending()
                } else {
                    x.key()
                }) as u8 as usize;
                counts[k] += 1;
                value_of[k].get_or_insert(x);
            }
        }
        *slots[part].lock().unwrap_or_else(|p| p.into_inner()) = (counts, value_of);
    };
    if parts == 1 {
        count(0);
    } else {
        run_parts(parts, count);
    }
    cancel.check()?;
    let (mut totals, mut value_of) = ([0usize; 256], [None::<T>; 256]);
    for slot in slots {
        let (counts, values) = slot.into_inner().unwrap_or_else(|p| p.into_inner());
        for k in 0..256 {
            totals[k] += counts[k];
            value_of[k] = value_of[k].or(values[k]);
        }
    }
    let mut at = 0;
    for (k, &count) in totals.iter().enumerate() {
        if let Some(value) = value_of[k] {
            data[at..at + count].fill(value);
            at += count;
        }
    }
    debug_assert_eq!(at, len);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::algo::test_rng::Rng;

    const LENGTHS: [usize; 9] = [0, 1, 2, 3, 100, 257, 5000, 70_000, (1 << 20) + 3];

    /// Sorts with every thread count and direction and compares with the standard library's
    /// stable sort by `asc` and by `desc` (both keep equal elements in their original order).
    fn check<T, A, D>(values: &[T], asc: A, desc: D)
    where
        T: Number + Bits,
        A: Fn(&T, &T) -> std::cmp::Ordering,
        D: Fn(&T, &T) -> std::cmp::Ordering,
    {
        for descending in [false, true] {
            let mut expected = values.to_vec();
            if descending {
                expected.sort_by(&desc);
            } else {
                expected.sort_by(&asc);
            }
            for threads in [1, 2, 3] {
                let mut got = values.to_vec();
                sort(&mut got, descending, threads, &Cancel::new()).unwrap();
                // Compare bit patterns: tells -0.0 from 0.0 and NaN payloads apart.
                let same = got.iter().zip(&expected).all(|(a, b)| a.bits() == b.bits());
                assert!(
                    same && got.len() == expected.len(),
                    "{} values, descending {descending}, threads {threads}",
                    values.len()
                );
            }
        }
    }

    trait Bits {
        fn bits(&self) -> u64;
    }
    macro_rules! int_bits { ($($t:ty),*) => {$( impl Bits for $t { fn bits(&self) -> u64 { *self as u64 } } )*}; }
    int_bits!(u8, u16, u32, u64, i8, i16, i32, i64);
    impl Bits for f32 {
        fn bits(&self) -> u64 {
            u64::from(self.to_bits())
        }
    }
    impl Bits for f64 {
        fn bits(&self) -> u64 {
            self.to_bits()
        }
    }

    macro_rules! int_test {
        ($name:ident, $t:ty) => {
            #[test]
            fn $name() {
                let mut rng = Rng(u64::from(<$t>::BITS) * 1234567);
                for &len in &LENGTHS {
                    let random: Vec<$t> = (0..len).map(|_| rng.next() as $t).collect();
                    check(&random, |a, b| a.cmp(b), |a, b| b.cmp(a));
                    let narrow: Vec<$t> = (0..len).map(|_| (rng.next() % 5) as $t).collect();
                    check(&narrow, |a, b| a.cmp(b), |a, b| b.cmp(a));
                    let extremes: Vec<$t> = (0..len)
                        .map(|i| [<$t>::MIN, <$t>::MAX, 0, 1, <$t>::MAX - 1][i % 5])
                        .collect();
                    check(&extremes, |a, b| a.cmp(b), |a, b| b.cmp(a));
                    let mut ascending = random.clone();
                    ascending.sort();
                    check(&ascending, |a, b| a.cmp(b), |a, b| b.cmp(a));
                    ascending.reverse();
                    check(&ascending, |a, b| a.cmp(b), |a, b| b.cmp(a));
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

    /// numpy's order: by value, NaNs last; -0.0 == 0.0 (order kept).
    fn float_cmp<F: Into<f64> + Copy>(a: &F, b: &F) -> std::cmp::Ordering {
        let (a, b): (f64, f64) = ((*a).into(), (*b).into());
        match (a.is_nan(), b.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => a.partial_cmp(&b).unwrap(),
        }
    }

    /// Descending by value, NaNs still last.
    fn float_cmp_descending<F: Into<f64> + Copy>(a: &F, b: &F) -> std::cmp::Ordering {
        let (x, y): (f64, f64) = ((*a).into(), (*b).into());
        match (x.is_nan(), y.is_nan()) {
            (false, false) => float_cmp(b, a),
            _ => float_cmp(a, b),
        }
    }

    macro_rules! float_test {
        ($name:ident, $t:ty, $u:ty) => {
            #[test]
            fn $name() {
                let mut rng = Rng(u64::from(<$u>::BITS) * 7654321);
                let specials: [$t; 10] = [
                    <$t>::NAN,
                    -<$t>::NAN,
                    <$t>::from_bits(<$u>::MAX),
                    <$t>::INFINITY,
                    <$t>::NEG_INFINITY,
                    0.0,
                    -0.0,
                    <$t>::MIN_POSITIVE,
                    <$t>::MAX,
                    <$t>::MIN,
                ];
                for &len in &LENGTHS {
                    // Random bit patterns cover every exponent, subnormals and NaNs.
                    let bits: Vec<$t> = (0..len)
                        .map(|_| <$t>::from_bits(rng.next() as $u))
                        .collect();
                    check(&bits, float_cmp, float_cmp_descending);
                    let mixed: Vec<$t> = (0..len)
                        .map(|i| {
                            if i % 3 == 0 {
                                specials[(rng.next() % 10) as usize]
                            } else {
                                (rng.next() % 1000) as $t / 8.0 - 60.0
                            }
                        })
                        .collect();
                    check(&mixed, float_cmp, float_cmp_descending);
                }
            }
        };
    }
    float_test!(sorts_f32, f32, u32);
    float_test!(sorts_f64, f64, u64);

    /// Floats whose top bits are (nearly) all equal: one sign, few exponents ([0, 1), [1, 2)),
    /// with zeros of both signs, NaNs, reversed and sorted runs among them.
    #[test]
    fn floats_of_few_exponents() {
        let mut rng = Rng(99);
        for &len in &[300usize, 5000, 200_001] {
            let unit: Vec<f64> = (0..len)
                .map(|_| (rng.next() >> 11) as f64 / (1u64 << 53) as f64)
                .collect();
            check(&unit, float_cmp, float_cmp_descending);
            let one_exponent: Vec<f64> = unit.iter().map(|&x| 1.0 + x).collect();
            check(&one_exponent, float_cmp, float_cmp_descending);
            let coarse: Vec<f64> = unit.iter().map(|&x| (x * 64.0).floor() / 64.0).collect();
            check(&coarse, float_cmp, float_cmp_descending);
            let mut specials = unit.clone();
            for (i, x) in specials.iter_mut().enumerate().step_by(13) {
                *x = [f64::NAN, -0.0, 0.0, 1.0][i % 4];
            }
            check(&specials, float_cmp, float_cmp_descending);
            let mut sorted = unit.clone();
            sorted.sort_by(float_cmp);
            check(&sorted, float_cmp, float_cmp_descending);
            sorted.reverse();
            check(&sorted, float_cmp, float_cmp_descending);
            let narrow: Vec<f32> = unit.iter().map(|&x| x as f32).collect();
            check(&narrow, float_cmp, float_cmp_descending);
        }
    }

    #[test]
    fn cancelled_counting_sort_leaves_data_untouched() {
        let values: Vec<u8> = (0..2_000_000u32).map(|i| (i * 7) as u8).collect();
        let mut data = values.clone();
        let cancel = Cancel::new();
        cancel.cancel();
        assert!(sort(&mut data, false, 2, &cancel).is_err());
        assert_eq!(data, values);
    }
}
