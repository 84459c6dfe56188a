//! The one place where long work runs without the GIL.
//!
//! rust-cpython's `allow_threads` does not catch panics, and a panic unwinding out of it
//! kills the interpreter. So the work runs on its own thread inside `catch_unwind`, while the
//! calling thread waits with the GIL released and takes it back every [`SIGNAL_CHECK`] to run
//! Python's signal handlers (Ctrl-C). When a handler raises, the work is cancelled, its threads
//! are joined, and the handler's exception is returned.
//!
//! # Interpreter shutdown
//!
//! CPython up to 3.13 ends a thread that tries to take the GIL once the interpreter is
//! finalizing, with `pthread_exit`, which unwinds that thread's stack. If the caller here were
//! ended that way while waiting, `thread::scope` would be left without joining and the job
//! would go on using a stack that no longer exists: a daemon thread inside `sort.sort` at exit
//! crashed the process. Three layers prevent it:
//!
//! 1. **No call is in flight when finalizing starts.** At import an `atexit` hook is registered
//!    ([`register`]). `Py_FinalizeEx` runs atexit hooks on the main thread, with the GIL, before
//!    it marks the interpreter as finalizing. The hook ([`shut_down`]) sets a global "shutting
//!    down" flag, cancels every running job, and waits with the GIL released until every call
//!    that released the GIL has either taken it back for the last time or stopped for good.
//!    A call whose job was cancelled that way does not return to Python: once its job has
//!    finished it parks its thread until the process exits. Only daemon threads can be inside
//!    a call by then (non-daemon threads are joined before atexit hooks run), and the end of
//!    the process ends them anyway; returning instead would raise in each of them while the
//!    interpreter finalizes, and a daemon thread printing its traceback then can abort the
//!    process (CPython's "could not acquire lock for <stderr> at interpreter shutdown").
//!    Every call checks the flag and registers itself under one mutex, with the GIL held, so no
//!    call can slip in between; after the flag, calls run on the calling thread *without*
//!    releasing the GIL, and a thread that holds the GIL is never ended by CPython.
//! 2. **Never retake the GIL while finalizing.** Should the hook not have run (a program that
//!    calls `atexit._clear()`, for one), the caller asks `Py_IsFinalizing` (`_Py_IsFinalizing`
//!    before 3.13, found at run time) before every retake; if it is finalizing, it cancels the
//!    job, waits for it to finish, and then parks its thread for good instead of letting CPython
//!    unwind it: the process is exiting, and this is what CPython 3.14 itself does with such
//!    threads.
//! 3. **Nothing the workers share lives on the caller's stack.** The cancel flag and the result
//!    slot are reference-counted on the heap, and a guard in the caller's frame cancels the job
//!    and waits for it before that frame can be unwound, so the job's borrows stay valid.

use std::any::Any;
use std::os::raw::c_int;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::{self, ThreadId};
use std::time::Duration;

use cpython::exc::RuntimeError;
use cpython::{py_fn, PyErr, PyObject, PyResult, Python};

use crate::algo::{Cancel, Error};
use crate::errors;

/// How often the waiting caller checks for signals: short enough that Ctrl-C feels immediate,
/// long enough that re-taking the GIL costs nothing measurable.
pub const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Runs `job` without the GIL and returns its result, or raises: the pending exception if a
/// signal handler raised (typically KeyboardInterrupt), `SystemError` if `job` panicked, or
/// the mapping of its [`Error`].
///
/// While the interpreter is shutting down (after the atexit hook), `job` runs on the calling
/// thread with the GIL held instead (see the module documentation).
pub fn run<R, F>(py: Python, job: F) -> PyResult<R>
where
    R: Send,
    F: FnOnce(&Cancel) -> Result<R, Error> + Send,
{
    let cancel = Arc::new(Cancel::new());
    let Some(_ticket) = Ticket::enter(&cancel) else {
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| job(cancel.as_ref())));
        return finish(py, outcome);
    };
    let done = Arc::new(Outcome::default());
    // The job waits here so that, if no thread can be had for it, it is still ours to run.
    let slot = Mutex::new(Some(job));
    let take_job = || slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    thread::scope(|scope| {
        let worker = {
            let (cancel, done, take_job) = (Arc::clone(&cancel), Arc::clone(&done), &take_job);
            thread::Builder::new()
                .name("sort-job".into())
                .spawn_scoped(scope, move || {
                    if let Some(job) = take_job() {
                        let job = || job(cancel.as_ref());
                        done.put(panic::catch_unwind(AssertUnwindSafe(job)));
                    }
                })
        };
        if worker.is_err() {
            // The system refused a thread (limits on threads or address space): the work
            // still gets done, on this thread with the GIL held, where it cannot be
            // interrupted but cannot fail for want of a thread either.
            let job = take_job().expect("a job whose thread never started is still here");
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| job(cancel.as_ref())));
            return finish(py, outcome);
        }
        // From here until the job has put its outcome, this frame must not be left by any
        // path; the guard makes that hold for an unwind too.
        let _guard = WaitOnUnwind {
            cancel: &cancel,
            done: &done,
        };
        loop {
            let outcome = py.allow_threads(|| {
                let outcome = done.wait(Some(SIGNAL_CHECK));
                before_retaking_the_gil(&cancel, &done);
                outcome
            });
            if let Some(outcome) = outcome {
                return finish(py, outcome);
            }
            if let Err(err) = check_signals(py) {
                cancel.cancel();
                // Workers poll the flag between small units of work, so this wait is short;
                // its result is discarded because the signal's exception wins.
                py.allow_threads(|| {
                    done.wait(None);
                    before_retaking_the_gil(&cancel, &done);
                });
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
        // The only canceller besides a signal handler (whose exception wins) is shut_down,
        // whose cancelled calls park instead of returning; this is for a call on the hook's own
        // thread.
        Ok(Err(Error::Cancelled)) if calls().shutting_down => Err(PyErr::new::<RuntimeError, _>(
            py,
            "sort was cancelled: the interpreter is shutting down",
        )),
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

/// A one-shot slot the job fills and the caller waits on. It lives in an `Arc`, so the job
/// thread can fill it whatever has become of the caller.
struct Outcome<T> {
    state: Mutex<Slot<T>>,
    filled: Condvar,
}

struct Slot<T> {
    value: Option<T>,
    /// Set with `value`, and stays set once the caller has taken the value.
    finished: bool,
}

impl<T> Default for Outcome<T> {
    fn default() -> Self {
        Outcome {
            state: Mutex::new(Slot {
                value: None,
                finished: false,
            }),
            filled: Condvar::new(),
        }
    }
}

impl<T> Outcome<T> {
    fn lock(&self) -> MutexGuard<'_, Slot<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn put(&self, value: T) {
        let mut slot = self.lock();
        slot.value = Some(value);
        slot.finished = true;
        self.filled.notify_all();
    }

    /// Waits until the job has finished (at most `timeout`; forever for `None`) and takes its
    /// value; `None` on timeout, or if the value was already taken.
    fn wait(&self, timeout: Option<Duration>) -> Option<T> {
        let slot = self.lock();
        let mut slot = match timeout {
            Some(timeout) => {
                self.filled
                    .wait_timeout_while(slot, timeout, |slot| !slot.finished)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
            None => self
                .filled
                .wait_while(slot, |slot| !slot.finished)
                .unwrap_or_else(|p| p.into_inner()),
        };
        slot.value.take()
    }

    fn is_finished(&self) -> bool {
        self.lock().finished
    }
}

/// Cancels the job and waits for it if `run`'s frame is left before the job has finished:
/// only by an unwind, since every return path has waited already.
struct WaitOnUnwind<'a, T> {
    cancel: &'a Cancel,
    done: &'a Outcome<T>,
}

impl<T> Drop for WaitOnUnwind<'_, T> {
    fn drop(&mut self) {
        if !self.done.is_finished() {
            self.cancel.cancel();
            self.done.wait(None);
        }
    }
}

/// Called without the GIL just before it is taken back: if the interpreter is shutting down
/// (the atexit hook has run) or finalizing (CPython would end this thread inside the retake),
/// the job is stopped and this thread never returns (see the module documentation).
fn before_retaking_the_gil<T>(cancel: &Cancel, done: &Outcome<T>) {
    let stopping = interpreter_finalizing() || stopped_by_the_hook(cancel);
    if stopping {
        cancel.cancel();
        done.wait(None);
        leave_the_running_calls(cancel);
        loop {
            thread::park();
        }
    }
}

/// Whether the atexit hook has run on another thread (a call on the hook's own thread must
/// return, or the hook would never finish) while this call, `cancel`'s, was running.
fn stopped_by_the_hook(cancel: &Cancel) -> bool {
    let calls = calls();
    calls.shutting_down
        && calls.hook_thread != Some(thread::current().id())
        && calls
            .running
            .iter()
            .any(|(_, running)| std::ptr::eq(running.as_ref(), cancel))
}

/// Removes `cancel`'s call from the running ones, for a call that will never return, and
/// tells the atexit hook.
fn leave_the_running_calls(cancel: &Cancel) {
    let mut calls = calls();
    calls
        .running
        .retain(|(_, running)| !std::ptr::eq(running.as_ref(), cancel));
    CALL_ENDED.notify_all();
}

/// `Py_IsFinalizing()` (3.13+) or `_Py_IsFinalizing()` (3.9-3.12): both read one atomic
/// and are safe without the GIL. Found with `dlsym` at the first call, because linking
/// either name directly would make the import fail with an undefined symbol on the versions
/// that lack it. `false` where neither can be found (then layer 1 alone protects the call).
fn interpreter_finalizing() -> bool {
    static PROBE: OnceLock<Option<unsafe extern "C" fn() -> c_int>> = OnceLock::new();
    match PROBE.get_or_init(find_finalizing_probe) {
        // SAFETY: the function takes no arguments, returns an int, and only reads an atomic.
        Some(probe) => unsafe { probe() != 0 },
        None => false,
    }
}

#[cfg(unix)]
fn find_finalizing_probe() -> Option<unsafe extern "C" fn() -> c_int> {
    use std::os::raw::{c_char, c_void};
    extern "C" {
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    }
    // RTLD_DEFAULT: the global symbol scope, where libpython's symbols are.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const RTLD_DEFAULT: *mut c_void = std::ptr::null_mut();
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const RTLD_DEFAULT: *mut c_void = -2isize as *mut c_void;
    for name in [&b"Py_IsFinalizing\0"[..], &b"_Py_IsFinalizing\0"[..]] {
        // SAFETY: a NUL-terminated name; dlsym has no other precondition.
        let symbol = unsafe { dlsym(RTLD_DEFAULT, name.as_ptr().cast()) };
        if !symbol.is_null() {
            // SAFETY: both names are `int (void)` functions in every CPython that exports them.
            return Some(unsafe {
                std::mem::transmute::<*mut c_void, unsafe extern "C" fn() -> c_int>(symbol)
            });
        }
    }
    None
}

#[cfg(not(unix))]
fn find_finalizing_probe() -> Option<unsafe extern "C" fn() -> c_int> {
    None
}

/// The calls that have released the GIL and not yet taken it back for good, and whether the
/// interpreter is shutting down (then no call releases the GIL any more).
struct Calls {
    shutting_down: bool,
    /// The thread that ran the atexit hook.
    hook_thread: Option<ThreadId>,
    running: Vec<(ThreadId, Arc<Cancel>)>,
}

static CALLS: Mutex<Calls> = Mutex::new(Calls {
    shutting_down: false,
    hook_thread: None,
    running: Vec::new(),
});

/// Signalled whenever a call leaves `CALLS.running`.
static CALL_ENDED: Condvar = Condvar::new();

fn calls() -> MutexGuard<'static, Calls> {
    CALLS.lock().unwrap_or_else(|p| p.into_inner())
}

/// A call's entry in `CALLS.running`, removed on drop, with the GIL held (it lives in `run`).
struct Ticket {
    cancel: Arc<Cancel>,
}

impl Ticket {
    /// Registers a call about to release the GIL; `None` once the interpreter is shutting
    /// down. Called with the GIL held.
    fn enter(cancel: &Arc<Cancel>) -> Option<Ticket> {
        let mut calls = calls();
        if calls.shutting_down {
            return None;
        }
        calls
            .running
            .push((thread::current().id(), Arc::clone(cancel)));
        Some(Ticket {
            cancel: Arc::clone(cancel),
        })
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut calls = calls();
        if let Some(at) = calls
            .running
            .iter()
            .position(|(_, cancel)| Arc::ptr_eq(cancel, &self.cancel))
        {
            calls.running.swap_remove(at);
        }
        CALL_ENDED.notify_all();
    }
}

/// The atexit hook: from now on calls keep the GIL; running ones are cancelled, and this waits
/// (GIL released) until each has taken the GIL back for the last time or parked its thread.
/// Calls made by this very thread (only possible if atexit hooks are run by hand from a signal
/// handler) are not waited for: they cannot end while it waits.
fn shut_down(py: Python) {
    {
        let mut calls = calls();
        calls.shutting_down = true;
        calls.hook_thread = Some(thread::current().id());
        for (_, cancel) in &calls.running {
            cancel.cancel();
        }
    }
    let me = thread::current().id();
    py.allow_threads(|| {
        let mut calls = calls();
        while calls.running.iter().any(|(thread, _)| *thread != me) {
            calls = CALL_ENDED
                .wait(calls)
                .unwrap_or_else(|poison| poison.into_inner());
        }
    });
}

fn at_exit(py: Python) -> PyResult<PyObject> {
    shut_down(py);
    Ok(py.None())
}

/// Registers [`shut_down`] with `atexit`; called once, when the module is imported.
// py_fn! expands to code that clippy flags as `manual_strip`; nothing we can change.
#[allow(clippy::manual_strip)]
pub fn register(py: Python) -> PyResult<()> {
    let hook = py_fn!(py, at_exit());
    py.import("atexit")?.call(py, "register", (hook,), None)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn outcome_wait_times_out_then_takes_the_value_once() {
        let done = Arc::new(Outcome::<u32>::default());
        assert_eq!(done.wait(Some(Duration::from_millis(1))), None);
        assert!(!done.is_finished());
        let filler = {
            let done = Arc::clone(&done);
            thread::spawn(move || done.put(7))
        };
        assert_eq!(done.wait(None), Some(7));
        filler.join().unwrap();
        assert!(done.is_finished());
        assert_eq!(
            done.wait(None),
            None,
            "finished stays set; the value is gone"
        );
    }

    #[test]
    fn the_guard_cancels_and_waits_for_an_unfinished_job() {
        let cancel = Arc::new(Cancel::new());
        let done = Arc::new(Outcome::<bool>::default());
        let job = {
            let (cancel, done) = (Arc::clone(&cancel), Arc::clone(&done));
            thread::spawn(move || {
                let stopped = cancel.sleep_until(Instant::now() + Duration::from_secs(600));
                done.put(stopped.is_err());
            })
        };
        drop(WaitOnUnwind {
            cancel: &cancel,
            done: &done,
        });
        assert!(done.is_finished());
        assert!(cancel.is_cancelled());
        job.join().unwrap();
    }

    #[test]
    fn no_interpreter_is_not_finalizing() {
        // Whether the probe is found here depends on how the test binary was linked; in the
        // extension module, tests/test_shutdown.py exercises it (with the atexit hook removed).
        assert!(!interpreter_finalizing());
    }
}
