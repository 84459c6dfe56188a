//! Cooperative cancellation shared by a caller and its worker threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use super::Error;

/// A flag that workers poll between units of work, plus a condition variable so that
/// sleeping workers wake at once when it is raised instead of at their deadline.
#[derive(Debug, Default)]
pub struct Cancel {
    flag: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag and wakes every thread blocked in [`Cancel::sleep_until`].
    pub fn cancel(&self) {
        // Take the lock so a sleeper cannot check the flag, miss this store, and then block
        // on the condvar after notify_all has already run.
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        self.flag.store(true, Ordering::SeqCst);
        self.wake.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once the flag is up: the `?`-friendly form of [`Cancel::is_cancelled`].
    pub fn check(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Blocks until `deadline`, or returns `Err(Cancelled)` as soon as the flag is raised.
    /// Spurious wake-ups are absorbed: it never returns `Ok` before the deadline.
    pub fn sleep_until(&self, deadline: Instant) -> Result<(), Error> {
        let mut guard = self
            .lock
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        loop {
            if self.flag.load(Ordering::SeqCst) {
                return Err(Error::Cancelled);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            guard = self
                .wake
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|poison| poison.into_inner())
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;
    use std::time::Duration;

    #[test]
    fn sleep_until_reaches_its_deadline() {
        let cancel = Cancel::new();
        let deadline = Instant::now() + Duration::from_millis(20);
        assert!(cancel.sleep_until(deadline).is_ok());
        assert!(Instant::now() >= deadline);
    }

    #[test]
    fn cancel_wakes_a_long_sleeper_promptly() {
        let cancel = Arc::new(Cancel::new());
        let sleeper = {
            let cancel = Arc::clone(&cancel);
            thread::spawn(move || {
                let started = Instant::now();
                let result = cancel.sleep_until(started + Duration::from_secs(600));
                (result, started.elapsed())
            })
        };
        thread::sleep(Duration::from_millis(20));
        cancel.cancel();
        let (result, waited) = sleeper.join().unwrap();
        assert!(matches!(result, Err(Error::Cancelled)));
        assert!(
            waited < Duration::from_secs(60),
            "woke only after {waited:?}"
        );
        assert!(cancel.check().is_err());
    }
}
