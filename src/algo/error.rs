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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled => f.write_str("cancelled"),
            Error::Spawn(err) => write!(f, "could not start a thread: {err}"),
            Error::TooLarge(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Error {}
