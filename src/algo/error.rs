//! Errors the algorithms report; the binding maps each to a Python exception.

use std::fmt;
use std::io;

#[derive(Debug)]
pub enum Error {
    /// The caller asked the work to stop (Ctrl-C in Python); partial results were discarded.
    Cancelled,
    /// The operating system refused a new thread. Work that could finish on fewer threads
    /// does so instead of reporting this; sleep sort needs one thread per distinct value.
    Spawn(io::Error),
    /// The input is valid but larger than a documented limit of the algorithm.
    TooLarge(String),
    /// An allocation that grows with the input failed (`try_reserve`); nothing was changed.
    /// The string says what was being allocated.
    NoMemory(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled => f.write_str("cancelled"),
            Error::Spawn(err) => write!(f, "could not start a thread: {err}"),
            Error::TooLarge(what) => f.write_str(what),
            Error::NoMemory(what) => write!(f, "not enough memory for {what}"),
        }
    }
}

impl std::error::Error for Error {}

/// A vector with room for `len` elements, or [`Error::NoMemory`] naming `what`: every
/// allocation that grows with the input goes through here (or `try_reserve` directly), so that
/// running out of memory is an error the caller can handle, never an abort.
pub fn try_with_capacity<T>(len: usize, what: &str) -> Result<Vec<T>, Error> {
    let mut vec = Vec::new();
    vec.try_reserve_exact(len).map_err(|_| {
        Error::NoMemory(format!(
            "{what} ({} MB)",
            len.saturating_mul(std::mem::size_of::<T>()) >> 20
        ))
    })?;
    Ok(vec)
}
