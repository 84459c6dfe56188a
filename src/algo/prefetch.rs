//! A cache prefetch hint, for loops that read objects scattered in memory.

/// Asks the CPU to start loading the cache line at `ptr`; no effect on results. Loops over
/// objects that lie in memory in no useful order (Python objects of a shuffled list) call it a
/// few elements ahead so that the cache misses overlap instead of queueing.
#[inline(always)]
pub fn prefetch<T>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and has no visible effect, whatever the address; SSE is
    // baseline on x86_64.
    #[allow(unused_unsafe)] // `_mm_prefetch` is a safe fn on newer compilers
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(ptr as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}
