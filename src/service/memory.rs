//! How long the allocator keeps memory it gets back, during a bulk import.
//!
//! The binary's allocator is mimalloc (`src/main.rs`). It gives pages that
//! fell free back to the operating system a second after they did (its
//! `purge_delay`). An import frees a batch's rows and allocates the next
//! batch's every half second or so, so pages went back to the system and
//! were faulted in again, zeroed by the kernel each time. Measured on the
//! 1M file, alternately with the code before: 69,000–107,000 page faults
//! against 324,000–400,000, system time (median) 5.9 s against 7.0 s, peak
//! RSS the same; no difference in wall time that this machine's drift
//! lets show (median 52.2 s against 52.4 s over 11 and 7 runs).
//!
//! [`KeepFreed`] lengthens the delay for the import's batches and, when it
//! is dropped, sets the delay back and gives what is free back at once: the
//! import's end (index builds, the sorted search keys) then starts from the
//! memory the batches held, not beside it. Keeping the delay through the
//! end as well (`MIMALLOC_PURGE_DELAY=10000`) took peak RSS to 890–912 MiB.

/// mimalloc's option number for `purge_delay` (`mi_option_purge_delay` in
/// `mimalloc.h` of the v3 sources that `libmimalloc-sys` 0.1.49 builds).
const PURGE_DELAY: std::ffi::c_int = 15;

/// Milliseconds free pages are kept during an import's batches.
const KEEP_MS: std::ffi::c_long = 10_000;

// The symbols come from the static library `libmimalloc-sys` builds (a
// dependency of `mimalloc`); naming the crate links it into every binary
// of this package, tests included.
use mimalloc as _;

unsafe extern "C" {
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    fn mi_collect(force: bool);
}

/// Free pages kept for [`KEEP_MS`] while it lives (see the module's notes).
/// Imports may overlap (the hub's, the desk's): the first to start sets the
/// delay and the last to end sets back what was there before, so an import
/// ending never cuts short another's, nor leaves the delay long. Where
/// mimalloc is not the global allocator (the library's tests), only
/// mimalloc's own idle state changes: nothing is allocated there.
pub(crate) struct KeepFreed(());

/// How many [`KeepFreed`] live, and the delay before the first.
static HOLDERS: std::sync::Mutex<(usize, std::ffi::c_long)> = std::sync::Mutex::new((0, 0));

fn holders() -> std::sync::MutexGuard<'static, (usize, std::ffi::c_long)> {
    // The count is right even if a holder panicked while it was held.
    HOLDERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl KeepFreed {
    pub(crate) fn start() -> KeepFreed {
        let mut h = holders();
        if h.0 == 0 {
            // SAFETY: mimalloc's option calls read and write an option's
            // value (an atomic in its static table); `PURGE_DELAY` is a valid
            // option number of the library linked (checked by the tests).
            let before = unsafe { mi_option_get(PURGE_DELAY) };
            unsafe { mi_option_set(PURGE_DELAY, KEEP_MS.max(before)) };
            h.1 = before;
        }
        h.0 += 1;
        KeepFreed(())
    }
}

impl Drop for KeepFreed {
    fn drop(&mut self) {
        let mut h = holders();
        h.0 -= 1;
        if h.0 == 0 {
            // SAFETY: as in `start`; `mi_collect` gives free memory back to
            // the system and may be called from any thread at any time.
            unsafe {
                mi_option_set(PURGE_DELAY, h.1);
                mi_collect(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delay() -> std::ffi::c_long {
        unsafe { mi_option_get(PURGE_DELAY) }
    }

    #[test]
    fn purge_delay_is_the_option_numbered_and_overlapping_holders_share_it() {
        // mimalloc's default delay is 1000 ms; an environment variable
        // (MIMALLOC_PURGE_DELAY) may set another. The option read must be
        // the delay: held, it is the longer delay, and given back it is
        // what it was. (The only test that holds one: tests run at once.)
        let before = delay();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(before, 1000, "mimalloc's default purge delay");
        }
        let first = KeepFreed::start();
        assert_eq!(delay(), KEEP_MS.max(before));
        let second = KeepFreed::start();
        // The first import ends while the second runs: still kept.
        drop(first);
        assert_eq!(delay(), KEEP_MS.max(before));
        drop(second);
        assert_eq!(delay(), before);
        // And again from the start, as a later import would.
        drop(KeepFreed::start());
        assert_eq!(delay(), before);
    }
}
