//! A small deterministic random generator for the unit tests, so that failures reproduce.

/// xorshift64*. The seed must not be 0 (0 is its only fixed point).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
