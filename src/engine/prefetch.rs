//! Asking the CPU to start loading a cache line without waiting for it.
//! The read-aheads (`warm`, the dedupe tables) first used plain loads into
//! a sink: each load that misses holds up retirement until memory answers,
//! so the CPU's reorder window fills after a few dozen of them and the
//! rest wait their turn. A prefetch retires at once; its line arrives while
//! the pass goes on.

/// Start loading the cache line that holds `*r` (into every level).
#[inline(always)]
pub fn line<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch is only a
    // hint to the cache: it never faults and changes no memory or register
    // the program sees; `r` is a valid reference anyway.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((r as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}
