//! Wall-clock time of each phase of one list sort, for finding what runs on one thread.
//!
//! Compiled only with the `phase-timing` feature (off by default; see benches/phases.py):
//! without it [`mark`] is an empty inline function. With it, every [`mark`] records the time
//! since the previous one under its name, and [`report`] prints and clears them.

#[cfg(feature = "phase-timing")]
mod on {
    use std::sync::Mutex;
    use std::time::Instant;

    /// The end of the last phase, and each phase's name and milliseconds.
    type Timings = (Option<Instant>, Vec<(&'static str, f64)>);

    static PHASES: Mutex<Timings> = Mutex::new((None, Vec::new()));

    pub fn start() {
        let mut p = PHASES.lock().unwrap_or_else(|e| e.into_inner());
        *p = (Some(Instant::now()), Vec::new());
    }

    pub fn mark(name: &'static str) {
        let now = Instant::now();
        let mut p = PHASES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(last) = p.0 {
            let ms = (now - last).as_secs_f64() * 1e3;
            p.1.push((name, ms));
            p.0 = Some(now);
        }
    }

    pub fn report() {
        let mut p = PHASES.lock().unwrap_or_else(|e| e.into_inner());
        let line: Vec<String> = p.1.iter().map(|(n, ms)| format!("{n}={ms:.3}")).collect();
        if !line.is_empty() {
            eprintln!("PHASES {}", line.join(" "));
        }
        *p = (None, Vec::new());
    }
}

#[cfg(feature = "phase-timing")]
pub use on::{mark, report, start};

/// Starts timing a call (no-op without the feature).
#[cfg(not(feature = "phase-timing"))]
#[inline(always)]
pub fn start() {}

/// Ends the phase `name` (no-op without the feature).
#[cfg(not(feature = "phase-timing"))]
#[inline(always)]
pub fn mark(_name: &'static str) {}

/// Prints the phases of the call to stderr (no-op without the feature).
#[cfg(not(feature = "phase-timing"))]
#[inline(always)]
pub fn report() {}
