//! The one place where long work runs without the GIL.
//!
//! rust-cpython's `allow_threads` does not catch panics, and a panic unwinding out of it
//! kills the interpreter. So the work runs on its own scoped thread inside `catch_unwind`,
//! while the calling thread waits with the GIL released and takes it back every
//! [`SIGNAL_CHECK`] to run Python's signal handlers (Ctrl-C). When a handler raises, the work
//! is cancelled, its threads are joined, and the handler's exception is returned.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

use cpython::{PyErr, PyResult, Python};

use crate::algo::{Cancel, Error};
use crate::errors;

/// How often the waiting caller checks for signals: short enough that Ctrl-C feels immediate,
/// long enough that re-taking the GIL costs nothing measurable.
pub const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Runs `job` without the GIL and returns its result, or raises: the pending exception if a
/// signal handler raised (typically KeyboardInterrupt), `SystemError` if `job` panicked, or
/// the mapping of its [`Error`].
pub fn run<R, F>(py: Python, job: F) -> PyResult<R>
where
    R: Send,
    F: FnOnce(&Cancel) -> Result<R, Error> + Send,
{
    let cancel = Cancel::new();
    let done = Outcome::default();
    thread::scope(|scope| {
        let worker = thread::Builder::new()
            .name("sort-job".into())
            .spawn_scoped(scope, || {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| job(&cancel)));
                done.put(outcome);
            });
        if let Err(err) = worker {
            return Err(errors::to_py(py, Error::Spawn(err)));
        }
        loop {
            if let Some(outcome) = py.allow_threads(|| done.wait(Some(SIGNAL_CHECK))) {
                return finish(py, outcome);
            }
            if let Err(err) = check_signals(py) {
                cancel.cancel();
                // Workers poll the flag between small units of work, so this wait is short;
                // its result is discarded because the signal's exception wins.
                py.allow_threads(|| done.wait(None));
                return Err(err);
            }
        }
    })
}

/// Runs Python's signal handlers; `Err` with their exception if one raised.
pub fn check_signals(py: Python) -> PyResult<()> {
    // SAFETY: called with the GIL held (we have a `Python` token).
    if unsafe { python3_sys::PyErr_CheckSignals() } != 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(())
}

type JobResult<R> = thread::Result<Result<R, Error>>;

fn finish<R>(py: Python, outcome: JobResult<R>) -> PyResult<R> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(errors::to_py(py, err)),
        Err(payload) => Err(errors::panic_to_py(py, &panic_message(payload.as_ref()))),
    }
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

/// A one-shot slot the job fills and the caller waits on.
struct Outcome<T> {
    slot: Mutex<Option<T>>,
    filled: Condvar,
}

impl<T> Default for Outcome<T> {
    fn default() -> Self {
        Outcome {
            slot: Mutex::new(None),
            filled: Condvar::new(),
        }
    }
}

impl<T> Outcome<T> {
    fn put(&self, value: T) {
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
        self.filled.notify_all();
    }

    /// Takes the value once it is there; gives up after `timeout` (never, for `None`).
    fn wait(&self, timeout: Option<Duration>) -> Option<T> {
        let guard = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        let mut guard = match timeout {
            Some(timeout) => {
                self.filled
                    .wait_timeout_while(guard, timeout, |slot| slot.is_none())
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
            None => self
                .filled
                .wait_while(guard, |slot| slot.is_none())
                .unwrap_or_else(|p| p.into_inner()),
        };
        guard.take()
    }
}
