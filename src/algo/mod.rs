//! Pure Rust algorithms. Nothing under `algo` knows about Python: every function takes plain
//! slices and returns plain results, and is proved by `cargo test`. The binding layer (the
//! `py_*` modules) turns Python objects into these inputs and maps [`Error`] to exceptions.

pub mod argsort;
pub mod bisect;
pub mod cancel;
pub mod encode;
pub mod error;
pub mod fault;
pub mod keyed;
pub mod numeric;
pub mod parallel;
pub mod phases;
pub mod prefetch;
pub mod presorted;
pub mod radix;
pub mod run_sample;
pub mod short_list;
pub mod sleep;
pub mod small;
#[cfg(test)]
mod test_rng;
pub mod text;
pub mod text_sample;
pub mod tiebreak;

pub use cancel::Cancel;
pub use error::{try_with_capacity, Error};
