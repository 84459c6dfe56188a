//! Order-preserving ("memcomparable") byte encodings of sort keys: exact numbers of any size
//! (ints and floats mixed, compared exactly), strs/bytes, and tuples of those, written so that
//! the unsigned lexicographic order of the bytes is exactly Python's order of the keys, and
//! keys that Python finds equal (`1 == 1.0 == True`, `0.0 == -0.0`) get equal bytes. The
//! string sort ([`super::text::order`]) then sorts them. The scheme follows the composite-key
//! encodings of databases (FoundationDB's tuple layer, CockroachDB's key encoding).
//!
//! **Numbers** (NaN has no encoding: it is not ordered). A non-zero finite number is
//! `±1.m × 2^e` exactly, with `m` a finite bit string (ints and floats are dyadic rationals):
//! - first byte: `-inf` 0x01, negative `0x80 - n`, zero 0x80, positive `0x80 + n`, `+inf` 0xFF,
//!   where `n` (1..=8) is the byte length of the biased exponent `e + 1075` (>= 1 for every
//!   float and int): a longer exponent is a larger one;
//! - the biased exponent, big-endian, in `n` bytes;
//! - the bits of `m` after the leading one, 7 per byte in bits 7..1, bit 0 set when another
//!   byte follows. Trailing zero bits are dropped (at least one byte is written), so equal
//!   values encode equally and a shorter encoding is a smaller magnitude; the end flag makes
//!   the encoding self-delimiting inside a tuple.
//!
//! Negative numbers have every byte after the first complemented: a larger magnitude sorts
//! first.
//!
//! **strs and bytes** (strs as UTF-8, whose byte order is code point order): each 0x00 is
//! written 0x00 0xFF and the string ends with 0x00 0x01, so a prefix sorts first and the
//! encoding is self-delimiting.
//!
//! **Tuples**: the elements one after another, then 0x00 0x00 (inside a tuple only; at the top
//! level the end of the key ends the tuple), which sorts before every element's first bytes,
//! so that a tuple that is a prefix of another sorts first. Elements in one position must be of
//! one class (numbers, strs, bytes, tuples) across all keys, which the caller checks: Python
//! raises when comparing a str with an int, and an encoding cannot reproduce that.

use super::{try_with_capacity, Error};

/// First byte of `-inf`.
const NEG_INF: u8 = 0x01;
/// First byte of zero; negatives are below, positives above.
const ZERO: u8 = 0x80;
/// First byte of `+inf`.
const POS_INF: u8 = 0xFF;
/// Added to the base-2 exponent so that it is >= 1 for every float (the smallest subnormal
/// is `2^-1074`) and every int.
const EXPONENT_BIAS: i64 = 1075;
/// Ends a tuple nested in a key: below every element's first two bytes (a number starts with
/// >= 0x01, a str with >= 0x00 0x01, a tuple with an element or this marker).
pub const TUPLE_END: [u8; 2] = [0x00, 0x00];

/// Bytes that an int fitting in an `i64` or any float may need: 1 + 2 + 10 (63 bits, 7 per
/// byte); callers reserve this much before writing one.
pub const MAX_SCALAR: usize = 16;

/// Appends the encoding of `value`.
pub fn int(out: &mut Vec<u8>, value: i64) {
    if value == 0 {
        out.push(ZERO);
        return;
    }
    let magnitude = value.unsigned_abs();
    let lead = magnitude.leading_zeros();
    let exponent = 63 - i64::from(lead);
    // The bits after the leading one, left-aligned (none left for a power of two).
    let rest = magnitude.checked_shl(lead + 1).unwrap_or(0);
    finite(out, value < 0, exponent, |m| m.word(rest));
}

/// Appends the encoding of `value`; `false` (nothing written) for NaN.
pub fn float(out: &mut Vec<u8>, value: f64) -> bool {
    if value.is_nan() {
        return false;
    }
    if value == 0.0 {
        // -0.0 == 0.0 == 0
        out.push(ZERO);
    } else if value.is_infinite() {
        out.push(if value < 0.0 { NEG_INF } else { POS_INF });
    } else {
        let bits = value.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        let (exponent, rest) = if biased == 0 {
            // Subnormal: fraction x 2^-1074, its leading one somewhere in the fraction.
            let lead = fraction.leading_zeros();
            (
                63 - i64::from(lead) - 1074,
                fraction.checked_shl(lead + 1).unwrap_or(0),
            )
        } else {
            (biased - 1023, fraction << 12)
        };
        finite(out, value < 0.0, exponent, |m| m.word(rest));
    }
    true
}

/// Appends the encoding of the int `-magnitude` (if `negative`) or `magnitude`, given as
/// big-endian bytes of any length (leading zero bytes allowed): ints of any size.
pub fn big_int(out: &mut Vec<u8>, negative: bool, magnitude: &[u8]) {
    let start = magnitude.iter().position(|&b| b != 0);
    let Some(start) = start else {
        out.push(ZERO);
        return;
    };
    let magnitude = &magnitude[start..];
    let lead = magnitude[0].leading_zeros();
    // Bit length minus one. Bit lengths are bounded by memory (< 2^61), so this fits.
    let exponent = (magnitude.len() as i64 - 1) * 8 + 7 - i64::from(lead);
    finite(out, negative, exponent, |m| {
        // Left-align the first byte's bits after its leading one, then the other bytes.
        let first = (u64::from(magnitude[0]) << 56)
            .checked_shl(lead + 1)
            .unwrap_or(0);
        m.bits(first, 7 - lead);
        for &b in &magnitude[1..] {
            m.bits(u64::from(b) << 56, 8);
        }
    });
}

/// Appends a str's UTF-8 or a bytes object's bytes, escaped and terminated (see the module
/// documentation). Writes at most `2 * s.len() + 2` bytes.
pub fn text(out: &mut Vec<u8>, s: &[u8]) {
    let mut pieces = s.split(|&b| b == 0);
    if let Some(first) = pieces.next() {
        out.extend_from_slice(first);
    }
    for piece in pieces {
        out.extend_from_slice(&[0x00, 0xFF]);
        out.extend_from_slice(piece);
    }
    out.extend_from_slice(&[0x00, 0x01]);
}

/// Appends the end of a nested tuple.
pub fn tuple_end(out: &mut Vec<u8>) {
    out.extend_from_slice(&TUPLE_END);
}

/// The largest float `d <= value`, and whether `d == value`.
pub fn floor_of_int(value: i64) -> (f64, bool) {
    let f = value as f64; // rounded to nearest
    let exact = i128::from(value);
    match (f as i128).cmp(&exact) {
        std::cmp::Ordering::Equal => (f, true),
        std::cmp::Ordering::Less => (f, false),
        // Rounded up: the next float down (|f| >= 2**53 here, so f is not 0).
        std::cmp::Ordering::Greater => (next_down(f), false),
    }
}

/// The largest float `d <= x` for the int `x = ±magnitude` (big-endian bytes, leading zeros
/// allowed, of an int beyond `i64` or of any size), and whether `d == x`. Beyond the floats,
/// `d` is `f64::MAX` (positive `x`) or `-inf` (negative `x`), never equal to `x`.
pub fn floor_of_big_int(negative: bool, magnitude: &[u8]) -> (f64, bool) {
    let Some(start) = magnitude.iter().position(|&b| b != 0) else {
        return (0.0, true);
    };
    let magnitude = &magnitude[start..];
    // The top 64 bits, left-aligned, and whether any bit below them is set.
    let mut top = [0u8; 8];
    let k = magnitude.len().min(8);
    top[..k].copy_from_slice(&magnitude[..k]);
    let top = u64::from_be_bytes(top);
    let lead = top.leading_zeros(); // < 8: the first byte is non-zero
    let top = top << lead;
    let bit_len = magnitude.len() as u64 * 8 - u64::from(lead);
    // Bits of the magnitude below the 53 a float keeps.
    let below_kept = top & ((1 << 11) - 1) != 0
        || magnitude
            .get(8..)
            .is_some_and(|rest| rest.iter().any(|&b| b != 0))
        || (lead > 0 && magnitude.len() > 8 && magnitude[8] >> (8 - lead) != 0);
    let kept = top >> 11; // 53 bits, the leading one at bit 52
                          // magnitude ~ kept x 2^(bit_len - 53)
    let scale = |m: u64| -> f64 {
        if bit_len > 1100 {
            f64::INFINITY
        } else {
            m as f64 * 2f64.powi(bit_len as i32 - 53)
        }
    };
    if negative {
        // Round the magnitude up; the float below -magnitude.
        let up = if below_kept { kept + 1 } else { kept };
        let d = -scale(up);
        (d, !below_kept && d.is_finite())
    } else {
        let d = scale(kept);
        if d.is_infinite() {
            (f64::MAX, false)
        } else {
            (d, !below_kept)
        }
    }
}

/// The next float below the finite, non-zero `f`.
fn next_down(f: f64) -> f64 {
    let bits = f.to_bits();
    f64::from_bits(if f > 0.0 { bits - 1 } else { bits + 1 })
}

/// Writes the 7-bit groups of a mantissa.
struct Mantissa<'o> {
    out: &'o mut Vec<u8>,
    /// Pending bits, left-aligned; `pending` of them are meaningful.
    acc: u64,
    pending: u32,
}

impl Mantissa<'_> {
    /// Feeds the top `count` (<= 8) bits of `bits` (left-aligned, the rest zero).
    fn bits(&mut self, bits: u64, count: u32) {
        self.acc |= bits >> self.pending;
        self.pending += count;
        while self.pending >= 7 {
            self.out.push(((self.acc >> 57) as u8) << 1 | 1);
            self.acc <<= 7;
            self.pending -= 7;
        }
    }

    /// Feeds a whole left-aligned word, stopping when only zeros remain.
    fn word(&mut self, mut bits: u64) {
        while bits != 0 {
            self.out.push(((bits >> 57) as u8) << 1 | 1);
            bits <<= 7;
        }
    }

    /// Flushes the last partial group, drops trailing zero groups and marks the end.
    fn finish(self, start: usize) {
        if self.pending > 0 {
            self.out.push(((self.acc >> 57) as u8) << 1 | 1);
        }
        // A group 0x01 is seven zero bits: trailing ones carry nothing.
        while self.out.len() > start && self.out[self.out.len() - 1] == 0x01 {
            self.out.pop();
        }
        if self.out.len() > start {
            let last = self.out.len() - 1;
            self.out[last] &= !1;
        } else {
            self.out.push(0x00);
        }
    }
}

/// Writes a non-zero finite number `±1.m × 2^exponent`, `m` fed by `feed`.
fn finite<F: FnOnce(&mut Mantissa)>(out: &mut Vec<u8>, negative: bool, exponent: i64, feed: F) {
    // Never wraps: exponent >= -1074 and bit lengths are far below 2^63.
    let biased = (exponent + EXPONENT_BIAS) as u64;
    let n = (8 - biased.leading_zeros() / 8) as u8; // biased >= 1, so n is in 1..=8
    let first = out.len();
    out.push(if negative { ZERO - n } else { ZERO + n });
    out.extend_from_slice(&biased.to_be_bytes()[8 - n as usize..]);
    let start = out.len();
    let mut m = Mantissa {
        out,
        acc: 0,
        pending: 0,
    };
    feed(&mut m);
    m.finish(start);
    if negative {
        for b in &mut out[first + 1..] {
            *b = !*b;
        }
    }
}

/// Keys encoded one after another into one owned buffer.
pub struct Encoded {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Encoded {
    /// Room for `keys` keys and `bytes` bytes to start with (more is reserved as needed).
    pub fn with_capacity(keys: usize, bytes: usize) -> Result<Encoded, Error> {
        Ok(Encoded {
            bytes: try_with_capacity(bytes, "encoded keys")?,
            ends: try_with_capacity(keys, "encoded key ends")?,
        })
    }

    /// The buffer to append the current key to, with room for at least `extra` more bytes:
    /// reserve before writing, so that no write reallocates infallibly.
    pub fn room(&mut self, extra: usize) -> Result<&mut Vec<u8>, Error> {
        if self.bytes.capacity() - self.bytes.len() < extra {
            // Doubling (at least), as `Vec` does, keeps the appends amortised O(1).
            let grow = extra.max(self.bytes.len());
            self.bytes.try_reserve(grow).map_err(|_| {
                Error::NoMemory(format!("encoded keys ({} MB)", self.bytes.len() >> 19))
            })?;
        }
        Ok(&mut self.bytes)
    }

    /// Ends the current key.
    pub fn end_key(&mut self) -> Result<(), Error> {
        self.ends
            .try_reserve(1)
            .map_err(|_| Error::NoMemory("encoded key ends".into()))?;
        self.ends.push(self.bytes.len());
        Ok(())
    }

    /// Number of keys ended so far.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no key was ended yet.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The keys as byte slices, ready for [`super::text::order`].
    pub fn finish(self) -> Result<EncodedKeys, Error> {
        let mut keys: Vec<&'static [u8]> = try_with_capacity(self.ends.len(), "key slices")?;
        let base = self.bytes.as_ptr();
        let mut start = 0;
        for &end in &self.ends {
            // SAFETY: `start..end` lies inside `bytes` (ends are increasing lengths of it).
            // The 'static lifetime never leaves `EncodedKeys`, which owns `bytes`, never
            // changes it, and hands the slices out only for as long as it is borrowed; moving
            // a `Vec` does not move its heap buffer.
            keys.push(unsafe { std::slice::from_raw_parts(base.add(start), end - start) });
            start = end;
        }
        Ok(EncodedKeys {
            keys,
            _bytes: self.bytes,
        })
    }
}

/// Encoded keys, owned, as slices.
pub struct EncodedKeys {
    /// Slices into `_bytes` (see [`Encoded::finish`]); declared first, so dropped first.
    keys: Vec<&'static [u8]>,
    _bytes: Vec<u8>,
}

impl EncodedKeys {
    /// The keys, borrowed from `self`.
    pub fn keys(&self) -> &[&[u8]] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algo::test_rng::Rng;
    use std::cmp::Ordering;

    /// A test number: exact reference comparison against the encoding.
    #[derive(Clone, Debug)]
    enum Num {
        Int(i128),
        Float(f64),
    }

    fn enc_num(n: &Num) -> Vec<u8> {
        let mut out = Vec::new();
        match *n {
            Num::Int(i) => {
                if let Ok(small) = i64::try_from(i) {
                    int(&mut out, small);
                    // The big-int path must agree with the i64 one.
                    let mut big = Vec::new();
                    big_int(&mut big, i < 0, &i.unsigned_abs().to_be_bytes());
                    assert_eq!(out, big, "{i}");
                } else {
                    big_int(&mut out, i < 0, &i.unsigned_abs().to_be_bytes());
                }
            }
            Num::Float(f) => assert!(float(&mut out, f)),
        }
        out
    }

    /// Exact comparison of an int and a float, as Python does it.
    fn cmp_int_float(i: i128, f: f64) -> Ordering {
        if f.is_infinite() {
            return if f > 0.0 {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if f.abs() >= 2f64.powi(127) {
            return if f > 0.0 {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let floor = f.floor();
        match i.cmp(&(floor as i128)) {
            Ordering::Equal if floor != f => Ordering::Less,
            other => other,
        }
    }

    fn cmp_num(a: &Num, b: &Num) -> Ordering {
        match (a, b) {
            (Num::Int(x), Num::Int(y)) => x.cmp(y),
            (Num::Float(x), Num::Float(y)) => x.partial_cmp(y).unwrap(),
            (Num::Int(x), Num::Float(y)) => cmp_int_float(*x, *y),
            (Num::Float(x), Num::Int(y)) => cmp_int_float(*y, *x).reverse(),
        }
    }

    fn check_pairs(nums: &[Num]) {
        let encoded: Vec<Vec<u8>> = nums.iter().map(enc_num).collect();
        for (a, ea) in nums.iter().zip(&encoded) {
            for (b, eb) in nums.iter().zip(&encoded) {
                assert_eq!(ea.cmp(eb), cmp_num(a, b), "{a:?} vs {b:?}: {ea:x?} {eb:x?}");
            }
        }
    }

    #[test]
    fn edge_numbers_in_order() {
        let p53 = 1i128 << 53;
        let nums = vec![
            Num::Float(f64::NEG_INFINITY),
            Num::Float(-f64::MAX),
            Num::Int(-(1 << 100) - 1),
            Num::Int(-(1 << 100)),
            Num::Float(-(2f64.powi(100))),
            Num::Int(i64::MIN as i128 - 1),
            Num::Int(i64::MIN as i128),
            Num::Float(-(2f64.powi(63))),
            Num::Int(-p53 - 1),
            Num::Int(-p53),
            Num::Float(-(2f64.powi(53))),
            Num::Float(-1.5),
            Num::Int(-1),
            Num::Float(-1.0),
            Num::Float(-f64::MIN_POSITIVE),
            Num::Float(-5e-324),
            Num::Float(-0.0),
            Num::Float(0.0),
            Num::Int(0),
            Num::Float(5e-324),
            Num::Float(1e-323),
            Num::Float(f64::MIN_POSITIVE - 5e-324),
            Num::Float(f64::MIN_POSITIVE),
            Num::Float(0.1),
            Num::Float(0.5),
            Num::Float(1.0),
            Num::Int(1),
            Num::Float(1.0 + f64::EPSILON),
            Num::Int(2),
            Num::Float(2.5),
            Num::Int(127),
            Num::Int(128),
            Num::Int(129),
            Num::Int(p53 - 1),
            Num::Int(p53),
            Num::Float(2f64.powi(53)),
            Num::Int(p53 + 1),
            Num::Int(p53 + 2),
            Num::Float(2f64.powi(53) + 2.0),
            Num::Int(i64::MAX as i128),
            Num::Int(1 << 63),
            Num::Float(2f64.powi(63)),
            Num::Int((1 << 63) + 1),
            Num::Int(u64::MAX as i128),
            Num::Int(1 << 64),
            Num::Int(i128::MAX),
            Num::Float(2f64.powi(127)),
            Num::Float(2f64.powi(1000)),
            Num::Float(f64::MAX),
            Num::Float(f64::INFINITY),
        ];
        check_pairs(&nums);
    }

    #[test]
    fn random_mixed_numbers() {
        let mut rng = Rng(7);
        let mut nums = Vec::new();
        for _ in 0..600 {
            let x = rng.next();
            let n = match x % 6 {
                0 => Num::Int((x >> 3) as i64 as i128 >> (x % 60)),
                1 => Num::Float(f64::from_bits(rng.next())),
                2 => Num::Float(((x >> 8) as i64 >> (x % 50)) as f64 / 8.0),
                3 => Num::Int(((rng.next() as i128) << 64 | x as i128) >> (x % 120)),
                4 => Num::Int(((x >> 4) % 1000) as i128 - 500),
                _ => Num::Float(((x >> 4) % 1000) as f64 - 500.0),
            };
            if matches!(n, Num::Float(f) if f.is_nan()) {
                continue;
            }
            nums.push(n);
        }
        check_pairs(&nums);
    }

    #[test]
    fn huge_ints_and_nan() {
        // 2**1000 and -2**1000, beside the largest floats.
        let mut big = vec![0u8; 126];
        big[0] = 1; // 2**1000 = 1 << (125 * 8)
        let mut pos = Vec::new();
        big_int(&mut pos, false, &big);
        let mut neg = Vec::new();
        big_int(&mut neg, true, &big);
        let mut as_float = Vec::new();
        float(&mut as_float, 2f64.powi(1000));
        assert_eq!(pos, as_float);
        let mut max = Vec::new();
        float(&mut max, f64::MAX);
        let mut more = big.clone();
        more[125] = 1; // 2**1000 + 1
        let mut pos1 = Vec::new();
        big_int(&mut pos1, false, &more);
        assert!(pos < pos1 && pos1 < max);
        let mut min = Vec::new();
        float(&mut min, -f64::MAX);
        let mut neg1 = Vec::new();
        big_int(&mut neg1, true, &more);
        assert!(min < neg1 && neg1 < neg);
        // Beyond every float: 2**2000.
        let mut huger = vec![0u8; 251];
        huger[0] = 1;
        let mut h = Vec::new();
        big_int(&mut h, false, &huger);
        let mut inf = Vec::new();
        float(&mut inf, f64::INFINITY);
        assert!(max < h && h < inf);
        let mut zero = Vec::new();
        big_int(&mut zero, true, &[0, 0]);
        assert_eq!(zero, vec![ZERO]);
        assert!(!float(&mut Vec::new(), f64::NAN));
    }

    #[test]
    fn floors_of_ints_are_the_largest_floats_below() {
        let mut rng = Rng(3);
        let mut values: Vec<i128> = vec![
            0,
            1,
            -1,
            (1 << 53) + 1,
            -(1 << 53) - 1,
            i64::MAX as i128,
            i64::MIN as i128,
            i64::MIN as i128 - 1,
            1 << 63,
            (1 << 64) - 1,
            -(1 << 100) - 1,
            i128::MAX,
            i128::MIN + 1,
        ];
        values.extend(
            (0..2000)
                .map(|_| ((rng.next() as i128) << 64 | rng.next() as i128) >> (rng.next() % 127)),
        );
        for &x in &values {
            let (d, exact) = match i64::try_from(x) {
                Ok(v) => floor_of_int(v),
                Err(_) => floor_of_big_int(x < 0, &x.unsigned_abs().to_be_bytes()),
            };
            let (big_d, big_exact) = floor_of_big_int(x < 0, &x.unsigned_abs().to_be_bytes());
            assert_eq!((d, exact), (big_d, big_exact), "{x}");
            // d <= x < next float up, and exact iff equal.
            assert_ne!(cmp_int_float(x, d), Ordering::Less, "{x} {d}");
            assert_eq!(exact, cmp_int_float(x, d) == Ordering::Equal, "{x}");
            let up = f64::from_bits(if d >= 0.0 {
                d.to_bits() + 1
            } else {
                d.to_bits() - 1
            });
            let up = if d == 0.0 { f64::from_bits(1) } else { up };
            assert_eq!(cmp_int_float(x, up), Ordering::Less, "{x} {d} {up}");
        }
        // Beyond the floats.
        let mut huge = vec![0u8; 200];
        huge[0] = 1;
        assert_eq!(floor_of_big_int(false, &huge), (f64::MAX, false));
        assert_eq!(floor_of_big_int(true, &huge), (f64::NEG_INFINITY, false));
        let mut p1000 = vec![0u8; 126];
        p1000[0] = 1;
        assert_eq!(floor_of_big_int(false, &p1000), (2f64.powi(1000), true));
        p1000[125] = 1;
        assert_eq!(floor_of_big_int(false, &p1000), (2f64.powi(1000), false));
        assert!(!floor_of_big_int(true, &p1000).1);
        assert!(floor_of_big_int(true, &p1000).0 < -(2f64.powi(1000)));
    }

    /// A test key: numbers, byte strings and tuples.
    #[derive(Clone, Debug)]
    enum Val {
        N(Num),
        S(Vec<u8>),
        T(Vec<Val>),
    }

    fn enc_val(v: &Val, out: &mut Vec<u8>, top: bool) {
        match v {
            Val::N(n) => out.extend(enc_num(n)),
            Val::S(s) => text(out, s),
            Val::T(items) => {
                for item in items {
                    enc_val(item, out, false);
                }
                if !top {
                    tuple_end(out);
                }
            }
        }
    }

    /// Python's comparison (elements of one class per position).
    fn cmp_val(a: &Val, b: &Val) -> Ordering {
        match (a, b) {
            (Val::N(x), Val::N(y)) => cmp_num(x, y),
            (Val::S(x), Val::S(y)) => x.cmp(y),
            (Val::T(x), Val::T(y)) => {
                for (p, q) in x.iter().zip(y) {
                    let c = cmp_val(p, q);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                x.len().cmp(&y.len())
            }
            _ => panic!("mixed classes in a test"),
        }
    }

    fn check_vals(vals: &[Val]) {
        let encoded: Vec<Vec<u8>> = vals
            .iter()
            .map(|v| {
                let mut out = Vec::new();
                enc_val(v, &mut out, true);
                out
            })
            .collect();
        for (a, ea) in vals.iter().zip(&encoded) {
            for (b, eb) in vals.iter().zip(&encoded) {
                assert_eq!(ea.cmp(eb), cmp_val(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn strings_escape_and_prefixes() {
        let words: Vec<&[u8]> = vec![
            b"", b"\0", b"\0\0", b"\0\x01", b"\x01", b"a", b"a\0", b"a\0b", b"a\x01", b"ab",
            b"\xff", b"\xff\0",
        ];
        let vals: Vec<Val> = words.iter().map(|w| Val::S(w.to_vec())).collect();
        check_vals(&vals);
        let pairs: Vec<Val> = words
            .iter()
            .flat_map(|w| {
                [
                    Val::T(vec![Val::S(w.to_vec()), Val::S(b"x".to_vec())]),
                    Val::T(vec![Val::S(w.to_vec()), Val::S(b"".to_vec())]),
                    Val::T(vec![Val::S(w.to_vec())]),
                ]
            })
            .collect();
        check_vals(&pairs);
    }

    #[test]
    fn tuples_nested_empty_prefixes_and_equal_numbers() {
        let n = |i: i128| Val::N(Num::Int(i));
        let f = |x: f64| Val::N(Num::Float(x));
        let s = |t: &str| Val::S(t.as_bytes().to_vec());
        let t = Val::T;
        let vals = vec![
            t(vec![]),
            t(vec![n(1)]),
            t(vec![f(1.0)]),
            t(vec![n(1), s("b")]),
            t(vec![f(1.0), s("a")]),
            t(vec![n(1), s("a"), n(0)]),
            t(vec![n(-1), s("")]),
            t(vec![n(1 << 70), s("")]),
            t(vec![f(-0.0), s("z")]),
            t(vec![n(0), s("y")]),
            t(vec![f(f64::INFINITY)]),
            t(vec![f(f64::NEG_INFINITY), s("q")]),
        ];
        check_vals(&vals);
        let nested = vec![
            t(vec![t(vec![])]),
            t(vec![t(vec![]), n(1)]),
            t(vec![t(vec![n(1)])]),
            t(vec![t(vec![n(1)]), n(0)]),
            t(vec![t(vec![n(1), n(2)])]),
            t(vec![t(vec![f(1.0), n(2)]), n(-5)]),
            t(vec![t(vec![n(0), n(2)]), n(7)]),
            t(vec![]),
        ];
        // Nested tuples in position 0 only (one class per position).
        check_vals(&nested);
        let deeper = vec![
            t(vec![t(vec![t(vec![]), n(2)])]),
            t(vec![t(vec![t(vec![n(3)])])]),
            t(vec![t(vec![t(vec![n(3)]), n(1)])]),
            t(vec![t(vec![t(vec![n(3), n(0)])])]),
            t(vec![t(vec![])]),
            t(vec![t(vec![t(vec![])])]),
        ];
        check_vals(&deeper);
    }

    #[test]
    fn random_tuples_of_numbers_and_strings() {
        let mut rng = Rng(11);
        let mut vals = Vec::new();
        for _ in 0..400 {
            let len = (rng.next() % 4) as usize;
            let mut items = Vec::new();
            for pos in 0..len {
                let x = rng.next();
                items.push(if pos % 2 == 0 {
                    if x % 2 == 0 {
                        Val::N(Num::Int((x % 7) as i128 - 3))
                    } else {
                        Val::N(Num::Float((x % 14) as f64 / 2.0 - 3.0))
                    }
                } else {
                    let bytes: Vec<u8> = (0..x % 4)
                        .map(|k| [0u8, 1, b'a', 0xff][(x >> (8 + k * 2)) as usize % 4])
                        .collect();
                    Val::S(bytes)
                });
            }
            vals.push(Val::T(items));
        }
        check_vals(&vals);
    }

    #[test]
    fn arena_keys_are_the_written_slices() {
        let mut enc = Encoded::with_capacity(1, 1).unwrap();
        for word in [&b"xyz"[..], b"", b"a\0"] {
            text(enc.room(2 * word.len() + 2).unwrap(), word);
            enc.end_key().unwrap();
        }
        assert_eq!(enc.len(), 3);
        let keys = enc.finish().unwrap();
        assert_eq!(
            keys.keys(),
            &[&b"xyz\0\x01"[..], b"\0\x01", b"a\0\xff\0\x01"]
        );
    }
}
