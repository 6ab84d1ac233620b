//! Identifier formats used across the registry.
//!
//! * public ids in seed 000's style: a prefix (`p_`, `pii_`, `trc_`) followed by
//!   22 base62 characters (about 131 bits of randomness);
//! * reference ids in seed 001's style: `M` followed by nine digits.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use std::sync::Mutex;

/// When set, ids come from this seeded generator (reproducible snapshots).
static SEEDED: Mutex<Option<StdRng>> = Mutex::new(None);

/// Make every id that follows reproducible (tests and screenshots only).
pub fn seed(seed: u64) {
    *SEEDED.lock().unwrap_or_else(|e| e.into_inner()) = Some(StdRng::seed_from_u64(seed));
}

fn with_rng<T>(f: impl FnOnce(&mut dyn rand::RngCore) -> T) -> T {
    let mut guard = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_mut() {
        Some(r) => f(r),
        // The one random source (tests seed it).
        #[allow(clippy::disallowed_methods)]
        None => f(&mut rand::rng()),
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A random identifier: `prefix` + 22 base62 characters.
pub fn base62_id(prefix: &str) -> String {
    with_rng(|rng| {
        let mut s = String::with_capacity(prefix.len() + 22);
        s.push_str(prefix);
        for _ in 0..22 {
            s.push(BASE62[rng.random_range(0..62)] as char);
        }
        s
    })
}

/// A new person id, e.g. `p_0nRbqW8K7fMnxDiWMKcy3E`: 22 base62 characters
/// whose first 8 are the creation time in milliseconds (so new ids sort
/// last, and the indexes on them grow at one end instead of at random
/// pages) and whose other 14 are random (83 bits). Seeded runs stay fully
/// random, so their ids are reproducible.
pub fn person_id() -> String {
    if SEEDED.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
        return base62_id("p_");
    }
    #[allow(clippy::disallowed_methods)]
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    time_ordered_id("p_", millis)
}

/// `prefix` + `millis` in 8 base62 digits + 14 random base62 characters.
pub fn time_ordered_id(prefix: &str, millis: u64) -> String {
    let mut s = String::with_capacity(prefix.len() + 22);
    s.push_str(prefix);
    let mut digits = [b'0'; 8];
    let mut t = millis;
    for d in digits.iter_mut().rev() {
        *d = BASE62[(t % 62) as usize];
        t /= 62;
    }
    s.extend(digits.iter().map(|&b| b as char));
    let tail = base62_id("");
    s.push_str(&tail[..14]);
    s
}

/// A new issued identifier id, e.g. `pii_4PYsekjAX8VMuAOfmW81C7`.
pub fn issued_identifier_id() -> String {
    base62_id("pii_")
}

/// A new trace id, e.g. `trc_3XsPP17u8mU3k29x944ygx`.
pub fn trace_id() -> String {
    base62_id("trc_")
}

/// A workstation's instance id: `ws-` and 26 random base32 letters.
pub fn instance_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    with_rng(|rng| {
        let mut s = String::with_capacity(29);
        s.push_str("ws-");
        for _ in 0..26 {
            s.push(ALPHABET[rng.random_range(0..32)] as char);
        }
        s
    })
}

/// The reference ids' numbers: nine digits.
const REFERENCE_FIRST: u32 = 100_000_000;
const REFERENCE_LAST: u32 = 999_999_999;

/// The widest step between two reference ids of one [`ReferenceRun`].
pub const REFERENCE_STEP_MAX: u32 = 256;

thread_local! {
    /// The last number of the [`ReferenceRun`] on this thread.
    static RUN: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// While held, this thread's reference ids ascend from a random number in
/// random steps of 1 to [`REFERENCE_STEP_MAX`] (starting again at random
/// past the last number): a bulk load's new persons then go in at one
/// place of the reference-id index, not at a random page each (at a
/// million persons, every page of it for every batch). Within one run the
/// ids are still unpredictable to the step, and each starts where no one
/// can foresee, as person ids' creation time orders them.
pub struct ReferenceRun(());

impl ReferenceRun {
    pub fn start() -> ReferenceRun {
        RUN.with(|r| r.set(Some(random_reference())));
        ReferenceRun(())
    }
}

impl Drop for ReferenceRun {
    fn drop(&mut self) {
        RUN.with(|r| r.set(None));
    }
}

fn random_reference() -> u32 {
    with_rng(|rng| rng.random_range(REFERENCE_FIRST..=REFERENCE_LAST))
}

/// A reference id candidate, `M` + 9 digits: random, or the next of this
/// thread's [`ReferenceRun`]. The store retries on collision.
pub fn reference_id() -> String {
    let n = match RUN.with(std::cell::Cell::get) {
        None => random_reference(),
        Some(last) => {
            let step = with_rng(|rng| rng.random_range(1..=REFERENCE_STEP_MAX));
            let n = match last.checked_add(step) {
                Some(n) if n <= REFERENCE_LAST => n,
                _ => random_reference(),
            };
            RUN.with(|r| r.set(Some(n)));
            n
        }
    };
    format!("M{n}")
}

/// Random bytes for secrets (password salts, request nonces): always from
/// the system-seeded generator, never from the reproducible one, so that a
/// seeded run cannot make a salt or a nonce guessable.
pub fn secret_bytes<const N: usize>() -> [u8; N] {
    #[allow(clippy::disallowed_methods)]
    let mut rng = rand::rng();
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

/// True once in `n` calls on average (housekeeping done now and then).
pub fn one_in(n: u32) -> bool {
    with_rng(|rng| rng.random_range(0..n.max(1)) == 0)
}

/// A factor from 0.5 to 1.5 that spreads retries apart.
pub fn jitter() -> f64 {
    with_rng(|rng| rng.random_range(0.5..1.5))
}

/// True when `s` is `prefix` followed by exactly 22 base62 characters.
pub fn is_base62_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 22 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// True for `M` followed by exactly nine digits.
pub fn is_reference_id(s: &str) -> bool {
    s.strip_prefix('M')
        .is_some_and(|rest| rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let p = person_id();
        assert!(is_base62_id(&p, "p_"), "{p}");
        assert!(is_base62_id(&issued_identifier_id(), "pii_"));
        assert!(is_base62_id(&trace_id(), "trc_"));
        assert!(is_reference_id(&reference_id()));
        {
            let _run = ReferenceRun::start();
            let run: Vec<u32> = (0..1000)
                .map(|_| reference_id()[1..].parse().unwrap())
                .collect();
            // Ascending in steps of at most REFERENCE_STEP_MAX, but where
            // the range ends and a run starts again.
            let breaks = run.windows(2).filter(|w| w[1] <= w[0]).count();
            assert!(breaks <= 1, "{breaks}");
            assert!(
                run.windows(2)
                    .all(|w| w[1] <= w[0] || w[1] - w[0] <= REFERENCE_STEP_MAX)
            );
            assert!(
                run.iter()
                    .all(|n| (REFERENCE_FIRST..=REFERENCE_LAST).contains(n))
            );
        }
        // Outside a run, at random again: a thousand in a row do not ascend.
        let after: Vec<u32> = (0..1000)
            .map(|_| reference_id()[1..].parse().unwrap())
            .collect();
        assert!(after.windows(2).filter(|w| w[1] <= w[0]).count() > 100);
        assert!(!is_reference_id("M12345678"));
        assert!(!is_reference_id("X123456789"));
        assert!(!is_base62_id("p_short", "p_"));
        assert!(!is_base62_id("p_57WfSCnafMnxDiWMKcy3E!", "p_"));
        assert!(is_base62_id("p_57WfSCnafMnxDiWMKcy3EW", "p_"));
        assert_ne!(person_id(), person_id());
    }

    #[test]
    fn time_ordered_ids_sort_by_time_and_keep_the_format() {
        let a = time_ordered_id("p_", 1_763_800_000_000);
        let b = time_ordered_id("p_", 1_763_800_000_001);
        let c = time_ordered_id("p_", 1_763_800_062_000);
        assert!(is_base62_id(&a, "p_"), "{a}");
        assert!(a < b && b < c, "{a} {b} {c}");
        // Same millisecond: the random tails differ.
        assert_ne!(a, time_ordered_id("p_", 1_763_800_000_000));
        // 62^8 ms is about 6,900 years: the year 9999 still fits in 8 digits.
        let far = time_ordered_id("p_", 253_402_300_799_000);
        assert!(is_base62_id(&far, "p_") && far > c, "{far}");
    }
}
