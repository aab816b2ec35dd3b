//! Asking the CPU to start loading a cache line without waiting for it.
//! The read-aheads (`warm`, the dedupe tables) first used plain loads into
//! a sink: each load that misses holds up retirement until memory answers,
//! so the CPU's reorder window fills after a few dozen of them and the
//! rest wait their turn. A prefetch retires at once; its line arrives while
//! the pass goes on.

/// Start loading the cache line that holds `*r` (into every level).
#[inline(always)]
pub fn line<T>(r: &T) {
    at((r as *const T).cast());
}

/// Start loading every cache line of `*r`.
#[inline(always)]
pub fn all<T>(r: &T) {
    let start = (r as *const T).cast::<u8>();
    let size = std::mem::size_of::<T>();
    // bytes inside `*r` (wrapping_add keeps the arithmetic safe): every 64th
    // and the last, which may lie in one more line when `r` starts mid-line
    for off in (0..size).step_by(64).chain(size.checked_sub(1)) {
        at(start.wrapping_add(off));
    }
}

#[inline(always)]
fn at(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch is only a
    // hint to the cache: it never faults, whatever the address, and changes
    // no memory or register the program sees.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
