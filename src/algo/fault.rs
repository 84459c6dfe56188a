//! Test-only fault injection: makes one named phase of a list sort panic or fail its
//! allocation, so that tests can prove what a real bug or a real out-of-memory would do.
//!
//! Compiled in only with the cargo feature `fault-injection` (off by default; `tox -e faults`
//! and `SORT_FAULT_INJECTION=1 pip install .` turn it on). Without it, [`hit`] is an empty
//! inline function: a release build neither reads any state nor behaves differently.

use super::Error;

/// Where a fault can be injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// After the keys were computed (key function called), before they are read into Rust
    /// values (classification); an allocation failure here is a failed key buffer.
    Keys,
    /// At the start of the sort kernel: on the sorting thread, without the GIL for large lists.
    Sort,
    /// After the sorted items were written into the sort's own buffer, before they are
    /// committed to the list.
    Write,
}

/// What the injected fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `panic!`, as a bug would.
    Panic,
    /// [`Error::NoMemory`], as a failed `try_reserve` would.
    NoMemory,
}

impl Phase {
    pub fn parse(name: &str) -> Option<Phase> {
        match name {
            "keys" => Some(Phase::Keys),
            "sort" => Some(Phase::Sort),
            "write" => Some(Phase::Write),
            _ => None,
        }
    }
}

impl Kind {
    pub fn parse(name: &str) -> Option<Kind> {
        match name {
            "panic" => Some(Kind::Panic),
            "nomemory" => Some(Kind::NoMemory),
            _ => None,
        }
    }
}

#[cfg(feature = "fault-injection")]
static ARMED: std::sync::Mutex<Option<(Phase, Kind)>> = std::sync::Mutex::new(None);

/// Arms one fault (replacing any armed one; `None` disarms): the next [`hit`] of `phase`
/// fires it, once.
#[cfg(feature = "fault-injection")]
pub fn arm(fault: Option<(Phase, Kind)>) {
    *ARMED.lock().unwrap_or_else(|p| p.into_inner()) = fault;
}

/// Whether an armed fault has not fired yet.
#[cfg(feature = "fault-injection")]
pub fn pending() -> bool {
    ARMED.lock().unwrap_or_else(|p| p.into_inner()).is_some()
}

/// A point where a fault of `phase` may be injected: panics, or returns
/// `Err(Error::NoMemory)`, if one is armed for it (and disarms it); `Ok(())` otherwise, and
/// always without the `fault-injection` feature.
#[inline(always)]
pub fn hit(phase: Phase) -> Result<(), Error> {
    #[cfg(feature = "fault-injection")]
    {
        let fired = {
            let mut armed = ARMED.lock().unwrap_or_else(|p| p.into_inner());
            match *armed {
                Some((p, kind)) if p == phase => armed.take().map(|_| kind),
                _ => None,
            }
        };
        match fired {
            Some(Kind::Panic) => panic!("injected fault in phase {phase:?}"),
            Some(Kind::NoMemory) => {
                return Err(Error::NoMemory(format!(
                    "an injected fault in phase {phase:?}"
                )))
            }
            None => {}
        }
    }
    let _ = phase;
    Ok(())
}

#[cfg(all(test, feature = "fault-injection"))]
mod tests {
    use super::*;

    #[test]
    fn an_armed_fault_fires_once_in_its_phase_only() {
        arm(Some((Phase::Write, Kind::NoMemory)));
        assert!(hit(Phase::Keys).is_ok());
        assert!(pending());
        assert!(matches!(hit(Phase::Write), Err(Error::NoMemory(_))));
        assert!(!pending());
        assert!(hit(Phase::Write).is_ok());
        arm(Some((Phase::Sort, Kind::Panic)));
        assert!(std::panic::catch_unwind(|| hit(Phase::Sort)).is_err());
        assert!(!pending());
    }
}
