//! The matching engine: Fellegi–Sunter scoring with explanations.
//!
//! Each field comparison yields an *agreement level*; each level has an
//! m-probability (how often true matches show it) and a u-probability (how
//! often non-matches do). A level's weight is `log2(m/u)`; a pair's score is
//! the prior log-odds plus the weights, and its confidence is the posterior
//! match probability as a percentage. Exact name agreements are adjusted for
//! how common the name is (term frequency). Parameters start from sound
//! defaults and can be re-estimated from the registry itself ([`em`]).

pub mod index;
pub mod learn;
pub mod normalize;
pub mod record;

pub use record::{MatchRecord, RecordView};

use rphonetic::DoubleMetaphone;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

static DM: LazyLock<DoubleMetaphone> = LazyLock::new(|| DoubleMetaphone::new(Some(6)));

/// Names repeat, and every comparison of two names may ask for both
/// codes: a per-thread memo of Double Metaphone codes (pure: the code
/// depends on the name only) saves most of its cost. Bounded by clearing it.
type Memo = std::collections::HashMap<Box<str>, Box<str>, FnvBuild>;
thread_local! {
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}
const MEMO_MAX: usize = 100_000;

/// Double Metaphone primary code of a folded name ("" for "").
pub fn phonetic(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    MEMO.with(|m| {
        if let Some(code) = m.borrow().get(s) {
            return code.to_string();
        }
        let code = DM.double_metaphone(s).primary();
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_MAX {
            m.clear();
        }
        m.insert(s.into(), code.as_str().into());
        code
    })
}

/// `phonetic(a) == phonetic(b)`, without a copy of either code when both
/// are in the memo (a name comparison's usual case).
pub fn same_sound(a: &str, b: &str) -> bool {
    let known = MEMO.with(|m| {
        let m = m.borrow();
        match (m.get(a), m.get(b)) {
            (Some(x), Some(y)) => Some(x == y),
            _ => None,
        }
    });
    known.unwrap_or_else(|| phonetic(a) == phonetic(b))
}

/// Jaro–Winkler similarity, exactly as `strsim::jaro_winkler` computes it.
/// Folded names and addresses are ASCII: for them the same algorithm runs
/// on bytes with its flags on the stack (strsim walks `chars()` from the
/// start for every character and allocates), which matters because every
/// candidate's names are compared. Anything else goes to strsim.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    const MAX: usize = 64;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > MAX || y.len() > MAX {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro_bytes(x, y);
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Whether `jaro_winkler(a, b) >= at_least`, most often without working
/// the similarity out. Each match pairs a byte of one string with an
/// equal byte of the other, so the matches are at most the bytes the two
/// share ([`Sig::bound`], then [`shared_bytes`]): for most pairs of
/// different names fewer than the shorter one's length. The similarity is
/// at most what that many matches without a transposition would give, with
/// the strings' own common prefix ([`jw_most_below`] decides it in integers).
pub fn jaro_winkler_at_least(a: &str, b: &str, at_least: f64) -> bool {
    jaro_winkler_at_least_sig(a, Sig::of(a), b, Sig::of(b), at_least)
}

/// At most how many bytes two ASCII strings of 1 to 64 bytes have in
/// common: of the bytes of each, how many the other holds, whichever is
/// fewer (`"anna"` / `"nana"`: 4, `"anna"` / `"an"`: 2, `"abc"` / `"ca"`:
/// 2); `None` for an empty, longer or non-ASCII string. Every Jaro match
/// and every letter of a common subsequence pairs a byte of one with an
/// equal byte of the other, so this bounds both from above, and the name
/// comparisons work it out once for both ([`name_level`]). The sets are
/// 64-bit masks of the bytes' low six bits (a digit and a letter may share
/// a bit: the bound is then only looser), built and read in registers.
pub fn shared_bytes(a: &str, b: &str) -> Option<usize> {
    shared_bytes_sig(a, Sig::of(a), b, Sig::of(b))
}

/// [`shared_bytes`] of two strings with their signatures, whose masks are
/// the sets it reads.
fn shared_bytes_sig(a: &str, sa: Sig, b: &str, sb: Sig) -> Option<usize> {
    if !sa.plain || !sb.plain || a.is_empty() || b.is_empty() {
        return None;
    }
    let held = |s: &str, other: u64| s.bytes().filter(|c| other >> (*c & 63) & 1 == 1).count();
    Some(held(a, sb.mask).min(held(b, sa.mask)))
}

/// What the bound on two strings' shared bytes needs of one of them,
/// worked out once per string rather than once per comparison: the mask
/// [`shared_bytes`] builds, the length, and how many of its bytes repeat
/// a masked value. Of the bytes of `x`, at most `|sx & sy|` plus the
/// repeats are held by `y`, so [`Sig::bound`] bounds the shared bytes
/// from above without a pass over either string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sig {
    mask: u64,
    len: u8,
    repeats: u8,
    /// ASCII and at most 64 bytes ("" is): the bound applies.
    plain: bool,
}

impl Sig {
    pub fn of(s: &str) -> Sig {
        let b = s.as_bytes();
        if b.len() > 64 || !b.is_ascii() {
            return Sig::NONE;
        }
        // Four masks built side by side, then joined: one mask built a
        // byte at a time waits on itself at every byte.
        let mut masks = [0u64; 4];
        let mut quads = b.chunks_exact(4);
        for quad in &mut quads {
            for (m, c) in masks.iter_mut().zip(quad) {
                *m |= 1u64 << (c & 63);
            }
        }
        for (m, c) in masks.iter_mut().zip(quads.remainder()) {
            *m |= 1u64 << (c & 63);
        }
        Sig::from_parts(masks.iter().fold(0, |all, m| all | m), b.len())
    }

    /// Not bounded (non-ASCII or long).
    const NONE: Sig = Sig {
        mask: 0,
        len: 0,
        repeats: 0,
        plain: false,
    };

    fn from_parts(mask: u64, len: usize) -> Sig {
        Sig {
            mask,
            len: len as u8,
            repeats: (len - mask.count_ones() as usize) as u8,
            plain: true,
        }
    }

    /// The signature of `self`'s string followed by `other`'s ([`joined`]).
    pub fn then(self, other: Sig) -> Sig {
        let len = usize::from(self.len) + usize::from(other.len);
        if !self.plain || !other.plain || len > 64 {
            return Sig::NONE;
        }
        Sig::from_parts(self.mask | other.mask, len)
    }

    /// At least the bytes the two strings share ([`shared_bytes`]), when
    /// both are plain and non-empty.
    pub fn bound(self, other: Sig) -> Option<usize> {
        if !self.plain || !other.plain || self.len == 0 || other.len == 0 {
            return None;
        }
        let common = (self.mask & other.mask).count_ones() as usize;
        let most = common + usize::from(self.repeats.min(other.repeats));
        Some(most.min(usize::from(self.len.min(other.len))))
    }
}

/// The bound on the bytes `a` and `b` share: from their signatures, and
/// from the strings themselves ([`shared_bytes`]) only when that is not
/// low enough for `rejects`.
fn shared_at_most(
    a: &str,
    sa: Sig,
    b: &str,
    sb: Sig,
    rejects: impl Fn(usize) -> bool,
) -> Option<usize> {
    let quick = sa.bound(sb)?;
    if rejects(quick) {
        return Some(quick);
    }
    shared_bytes_sig(a, sa, b, sb).map(|n| n.min(quick))
}

/// [`jaro_winkler_at_least`] of two strings with their signatures.
fn jaro_winkler_at_least_sig(a: &str, sa: Sig, b: &str, sb: Sig, at_least: f64) -> bool {
    let below = |n: usize| jw_most_below(a, b, n, at_least);
    reaches(a, b, shared_at_most(a, sa, b, sb, below), at_least)
}

/// The bound on the bytes `a` and `b` share, low enough where it can be
/// to rule out both a Jaro–Winkler similarity of `at_least` ([`reaches`])
/// and a garbled copy ([`garbled_sharing`]): the comparisons that ask both
/// work it out once.
fn shared_for(a: &str, sa: Sig, b: &str, sb: Sig, at_least: f64) -> Option<usize> {
    let short = a.len().min(b.len());
    shared_at_most(a, sa, b, sb, |n| {
        jw_most_below(a, b, n, at_least) && garbled_ruled_out(n, short)
    })
}

/// Whether `jaro_winkler(a, b) >= at_least`, given a bound on the bytes
/// they share: the similarity is worked out only when the bound allows it.
fn reaches(a: &str, b: &str, shared: Option<usize>, at_least: f64) -> bool {
    !shared.is_some_and(|n| jw_most_below(a, b, n, at_least)) && jaro_winkler(a, b) >= at_least
}

/// Whether [`jaro_winkler_most`]`(a, b, shared)` is below `at_least` by
/// more than the callers' margin of `1e-9`, worked out in integers: the
/// bound is the fraction `(n (10 - p) + p d) / 10 d`, with `n / d` the
/// similarity of `shared` matches without a transposition (`n = m (|a| +
/// |b|) + |a| |b|`, `d = 3 |a| |b|`) and `p` the common prefix (up to 4)
/// when that similarity is above 0.7. The comparisons ask this of most
/// pairs of different names, streets and cities, and three divisions a
/// time were a tenth of the import scorer's work.
///
/// The same answer as the bound in floating point, but where the
/// similarity is 0.7 exactly: there the prefix always counts, so the
/// bound is never lower than the similarity's own (in floating point it
/// may round to either side of 0.7). Elsewhere a fraction with such a
/// denominator is at least `1 / 122880` from 0.7 and from any threshold,
/// far beyond rounding. Checked against the floating-point bound for
/// every length up to 64 (`the_bound_in_integers_is_the_bound`).
fn jw_most_below(a: &str, b: &str, shared: usize, at_least: f64) -> bool {
    if shared == 0 {
        return 0.0 < at_least - 1e-9;
    }
    let (x, y) = (a.len() as u64, b.len() as u64);
    let m = shared as u64;
    let (n, d) = (m * (x + y) + x * y, 3 * x * y);
    let limit = (10 * d) as f64 * (at_least - 1e-9);
    let below = |p: u64| ((n * (10 - p) + p * d) as f64) < limit;
    if 10 * n < 7 * d {
        return below(0);
    }
    let prefix = a
        .bytes()
        .take(4)
        .zip(b.bytes())
        .take_while(|(p, q)| p == q)
        .count();
    below(prefix as u64)
}

/// The most [`jaro_winkler`] of two non-empty ASCII strings sharing at
/// most `shared` bytes could be: that many matches without a
/// transposition, with the strings' own common prefix, worked out with
/// the same operations in the same order as [`jaro_winkler`], so it is
/// never below it (callers leave a margin for a last bit of rounding in
/// the prefix step). The reference for [`jw_most_below`], which the
/// comparisons ask.
#[cfg(test)]
fn jaro_winkler_most(a: &str, b: &str, shared: usize) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if shared == 0 {
        return 0.0;
    }
    let m = shared as f64;
    let sim = ((m / x.len() as f64) + (m / y.len() as f64) + 1.0) / 3.0;
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// strsim's `generic_jaro` on ASCII strings of at most 64 bytes, with
/// bit masks: each byte of `a` takes the first unflagged equal byte of `b`
/// in its window (the lowest set bit of the byte's positions in `b`, the
/// window, and the unflagged), as strsim's loop does, in a few
/// instructions instead of a scan of the window; the transpositions walk
/// both flag masks in order.
fn jaro_bytes(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let range = (a_len.max(b_len) / 2).saturating_sub(1);
    // Where each byte occurs in `b`.
    let mut at = [0u64; 128];
    for (j, c) in b.iter().enumerate() {
        at[usize::from(*c & 0x7f)] |= 1 << j;
    }
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    for (i, c) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = b_len.min(i + range + 1);
        if lo >= hi {
            continue;
        }
        let below_hi = if hi >= 64 { !0 } else { (1u64 << hi) - 1 };
        let window = below_hi & !((1u64 << lo) - 1);
        let free = at[usize::from(*c & 0x7f)] & window & !b_flags;
        if free != 0 {
            b_flags |= free & free.wrapping_neg();
            a_flags |= 1 << i;
        }
    }
    let matches = a_flags.count_ones() as usize;
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let (mut af, mut bf) = (a_flags, b_flags);
    while af != 0 {
        let (i, k) = (af.trailing_zeros() as usize, bf.trailing_zeros() as usize);
        if a[i] != b[k] {
            transpositions += 1;
        }
        af &= af - 1;
        bf &= bf - 1;
    }
    transpositions /= 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

/// FNV-1a as a `HashMap` hasher for short keys such as names: SipHash's
/// protection against chosen collisions buys nothing in a per-thread memo,
/// and costs more than the lookup it guards.
#[derive(Default, Clone, Copy)]
pub(crate) struct FnvBuild;

pub(crate) struct Fnv(u64);

impl std::hash::BuildHasher for FnvBuild {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A blocking key as the store indexes it: 64-bit FNV-1a of its text.
/// Integers compare faster and pack about three times denser than the keys'
/// text, so the key index stays small and warm. The value is stored, so the
/// function must never change. A collision (odds about 1 in 10^7 at a
/// million persons) only adds a candidate, which scoring then judges.
pub fn key_hash(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

/// A compared field and the labels of its agreement levels, best first.
pub struct FieldSpec {
    pub name: &'static str,
    pub levels: &'static [&'static str],
}

pub const GIVEN: usize = 0;
pub const FAMILY: usize = 1;
pub const DOB: usize = 2;
pub const GENDER: usize = 3;
pub const TAX_ID: usize = 4;
pub const SSN: usize = 5;
pub const PHONE: usize = 6;
pub const EMAIL: usize = 7;
pub const ADDRESS: usize = 8;
pub const CITY: usize = 9;
pub const POSTCODE: usize = 10;
pub const STATE: usize = 11;
pub const IDS: usize = 12;
pub const MIDDLE: usize = 13;

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "given name",
        levels: &[
            "exact",
            "nickname or swapped",
            "Jaro-Winkler ≥ 0.92",
            "Jaro-Winkler ≥ 0.80 or same sound",
            "garbled: most letters in order",
            "different",
        ],
    },
    FieldSpec {
        name: "family name",
        levels: &[
            "exact",
            "swapped with given name",
            "Jaro-Winkler ≥ 0.92",
            "Jaro-Winkler ≥ 0.80 or same sound",
            "garbled: most letters in order",
            "different",
        ],
    },
    FieldSpec {
        name: "birth date",
        levels: &[
            "exact",
            "one digit or transposition",
            "day and month swapped",
            "two of year, month and day agree",
            "different",
        ],
    },
    FieldSpec {
        name: "gender",
        levels: &["same", "different"],
    },
    FieldSpec {
        name: "tax id",
        levels: &["exact", "one edit", "different"],
    },
    FieldSpec {
        name: "SSN",
        levels: &["exact", "one edit", "different"],
    },
    FieldSpec {
        name: "phone",
        levels: &["exact", "different"],
    },
    FieldSpec {
        name: "email",
        levels: &["exact", "different"],
    },
    FieldSpec {
        name: "address",
        levels: &[
            "exact",
            "similar street",
            "garbled: most letters in order",
            "different",
        ],
    },
    FieldSpec {
        name: "city",
        levels: &[
            "exact",
            "similar",
            "garbled: most letters in order",
            "different",
        ],
    },
    FieldSpec {
        name: "postal code",
        levels: &["exact", "one edit", "different"],
    },
    FieldSpec {
        name: "state",
        levels: &["same", "different"],
    },
    FieldSpec {
        name: "documents and identifiers",
        levels: &["a number shared", "one edit", "none shared"],
    },
    FieldSpec {
        name: "middle name or patronymic",
        levels: &["exact", "initial or similar", "different"],
    },
];

/// m and u per field and level, and the prior probability of a match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Prior probability that a record matches one given person, when the
    /// registry's size is not known (tests, explanations of a pair alone).
    pub lambda: f64,
    /// Share of new records whose person is already registered: with the
    /// registry's size it gives the prior ([`prior_weight_in`]).
    #[serde(default = "default_dup_rate")]
    pub dup_rate: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// Confidence (0–100) at or above which a unique candidate is linked.
    pub auto_link: f64,
    /// 0 for the defaults; each model learnt from the registry counts up.
    #[serde(default)]
    pub version: u32,
    /// Persons in the registry when this model was learnt (0: defaults).
    #[serde(default)]
    pub trained_persons: u64,
    /// Confidence at or above which a candidate is offered for review.
    pub review: f64,
}

impl Default for Params {
    fn default() -> Self {
        #[rustfmt::skip]
        let (m, u) = (
            vec![
                vec![0.82, 0.03, 0.07, 0.04, 0.02, 0.02],  // given
                vec![0.84, 0.01, 0.08, 0.04, 0.015, 0.015],// family
                vec![0.86, 0.07, 0.02, 0.02, 0.03],        // dob
                vec![0.97, 0.03],                          // gender
                vec![0.92, 0.04, 0.04],                    // tax id
                vec![0.88, 0.07, 0.05],                    // ssn
                vec![0.75, 0.25],                          // phone
                vec![0.75, 0.25],                          // email
                vec![0.70, 0.12, 0.06, 0.12],              // address
                vec![0.80, 0.06, 0.06, 0.08],              // city
                vec![0.82, 0.06, 0.12],                    // postcode
                vec![0.90, 0.10],                          // state
                vec![0.85, 0.05, 0.10],                    // ids
                vec![0.70, 0.15, 0.15],                    // middle
            ],
            vec![
                vec![0.004, 0.0005, 0.003, 0.03, 0.03, 0.9325],
                vec![0.002, 0.00005, 0.002, 0.02, 0.02, 0.95595],
                // Birth dates spread over some 70 years: two people share
                // one about once in 25,000 pairs. Two parts of the date
                // agreeing: about 1 in 365 random pairs share the day and
                // month, 1 in 1,000 the year and month.
                vec![0.00004, 0.0008, 0.00001, 0.004, 0.99515],
                vec![0.5, 0.5],
                // Tax ids and document numbers one edit apart: a typo, or
                // numbers issued in sequence (one family's passports, twins'
                // tax ids). Weak evidence, not proof (issue 11's hub case).
                vec![0.000001, 0.001, 0.998999],
                vec![0.000001, 0.00002, 0.999979],
                vec![0.00001, 0.99999],
                vec![0.000001, 0.999999],
                vec![0.0005, 0.002, 0.01, 0.9875],
                vec![0.01, 0.005, 0.03, 0.955],
                vec![0.005, 0.03, 0.965],
                vec![0.2, 0.8],
                vec![0.000001, 0.001, 0.998999],
                // Patronymics and middle names repeat more than given names.
                vec![0.02, 0.08, 0.90],
            ],
        );
        Params {
            lambda: 0.0001,
            dup_rate: default_dup_rate(),
            m,
            u,
            auto_link: 99.9,
            review: 10.0,
            version: 0,
            trained_persons: 0,
        }
    }
}

fn default_dup_rate() -> f64 {
    0.5
}

impl Params {
    /// Does this model have a weight for every level of every field? A
    /// model stored before a comparison gained a level does not, and the
    /// defaults serve until training learns a new one.
    pub fn fits(&self) -> bool {
        let shape = |v: &Vec<Vec<f64>>| {
            v.len() == FIELDS.len() && v.iter().zip(FIELDS).all(|(l, f)| l.len() == f.levels.len())
        };
        shape(&self.m) && shape(&self.u)
    }
}

/// Term frequencies of exact values, for the TF adjustment: returns the share
/// of records (0..1) with `value` in `field`, or `None` when not known.
pub trait TermFrequency {
    fn tf(&self, field: usize, value: &str) -> Option<f64>;
    /// Persons in the registry a new record could be, when known: the
    /// prior odds that it is one given person shrink as they grow.
    fn population(&self) -> Option<f64> {
        None
    }
}

/// No term-frequency adjustment.
pub struct NoTf;
impl TermFrequency for NoTf {
    fn tf(&self, _: usize, _: &str) -> Option<f64> {
        None
    }
}

/// One field's part of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldScore {
    pub field: String,
    pub left: String,
    pub right: String,
    /// The agreement level's label, or "missing" when either side is empty.
    pub level: String,
    pub weight: f64,
}

/// A scored pair with its explanation: the prior plus each field's weight
/// add up to `score`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub prior: f64,
    pub fields: Vec<FieldScore>,
    pub score: f64,
    pub confidence: f64,
}

fn edit_level(a: &str, b: &str) -> usize {
    if a == b {
        0
    } else if within_one_edit(a, b) {
        1
    } else {
        2
    }
}

/// `sounds`: the two names' [`phonetic`] codes when known beforehand;
/// each name comes with its [`Sig`].
fn name_level(
    (a, sa): (&str, Sig),
    (b, sb): (&str, Sig),
    (a_other, sa_other): (&str, Sig),
    (b_other, sb_other): (&str, Sig),
    nickname: bool,
    sounds: Option<(&str, &str)>,
) -> usize {
    if a == b {
        return 0;
    }
    // Given and family names swapped, allowing a typo in each.
    let swapped = !a_other.is_empty()
        && !b_other.is_empty()
        && ((a == b_other && b == a_other)
            || (jaro_winkler_at_least_sig(a, sa, b_other, sb_other, 0.92)
                && jaro_winkler_at_least_sig(b, sb, a_other, sa_other, 0.92)));
    let nick = nickname && normalize::same_given(a, b);
    if swapped || nick {
        return 1;
    }
    // The similarity is worked out only when it could reach 0.80; the
    // bytes shared bound the garbled test's subsequence too.
    let shared = shared_for(a, sa, b, sb, 0.80);
    // Below 0.80, only whether the names sound alike is asked.
    let jw = match shared.is_some_and(|n| jw_most_below(a, b, n, 0.80)) {
        true => 0.0,
        false => jaro_winkler(a, b),
    };
    if jw >= 0.92 {
        2
    } else if jw >= 0.80 || sounds.map_or_else(|| same_sound(a, b), |(x, y)| x == y) {
        3
    } else if garbled_sharing(a, b, shared) {
        4
    } else {
        5
    }
}

/// Are two strings at most one edit apart (one character replaced,
/// inserted or deleted, or two neighbours swapped): Damerau–Levenshtein
/// distance ≤ 1, without building the distance matrix (the hot path
/// compares identifiers and dates for every candidate).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // Identifiers, dates and postcodes are ASCII: compared as bytes,
    // without collecting characters into two vectors per comparison.
    if a.is_ascii() && b.is_ascii() {
        return one_edit(a.as_bytes(), b.as_bytes());
    }
    let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    one_edit(&x, &y)
}

/// [`within_one_edit`] over two sequences of characters.
fn one_edit<T: PartialEq>(x: &[T], y: &[T]) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let start = short
        .iter()
        .zip(long.iter())
        .take_while(|(p, q)| p == q)
        .count();
    if short.len() == long.len() {
        if start == short.len() {
            return true;
        }
        // One replacement, or two neighbours swapped.
        let rest = start + 1;
        if short[rest..] == long[rest..] {
            return true;
        }
        rest < short.len()
            && short[start] == long[rest]
            && short[rest] == long[start]
            && short[rest + 1..] == long[rest + 1..]
    } else {
        // One character more in the longer one.
        short[start..] == long[start + 1..]
    }
}

/// Length of the longest common subsequence of two strings, in characters.
fn lcs(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() && b.len() <= 64 {
        // The hot path (names, addresses): bit-parallel.
        return lcs_bits(a.as_bytes(), b.as_bytes());
    }
    let b: Vec<char> = b.chars().collect();
    lcs_in(a.chars(), &b, &mut vec![0; b.len() + 1])
}

/// [`lcs`] of two ASCII strings, `b` of at most 64 bytes, a row of the
/// table at a time in one word (Crochemore et al. 2001; Hyyrö 2004): bit
/// `j` of `v` is clear where the row's value rises at `j`, so the length
/// is the clear bits. Each byte of `a` costs a few word operations instead
/// of a pass over `b`.
fn lcs_bits(a: &[u8], b: &[u8]) -> usize {
    // Where each byte occurs in `b`.
    let mut at = [0u64; 128];
    for (j, c) in b.iter().enumerate() {
        at[usize::from(*c & 0x7f)] |= 1 << j;
    }
    let mut v = !0u64;
    for c in a {
        let u = v & at[usize::from(*c & 0x7f)];
        v = v.wrapping_add(u) | (v - u);
    }
    let width = if b.len() == 64 {
        !0
    } else {
        (1u64 << b.len()) - 1
    };
    (!v & width).count_ones() as usize
}

/// [`lcs`] of `a` and `b` with one table row (at least `b.len() + 1`, zeros).
fn lcs_in<T: PartialEq>(a: impl Iterator<Item = T>, b: &[T], row: &mut [usize]) -> usize {
    for ca in a {
        let mut diag = 0;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if ca == *cb { diag + 1 } else { up.max(row[j]) };
            diag = up;
        }
    }
    row[b.len()]
}

/// `f` of `x` and `y` written together, on the stack when they are short
/// (a house number and a street, for every candidate's address).
fn joined<R>(x: &str, y: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 96];
    let n = x.len() + y.len();
    if n <= buf.len() {
        buf[..x.len()].copy_from_slice(x.as_bytes());
        buf[x.len()..n].copy_from_slice(y.as_bytes());
        if let Ok(s) = std::str::from_utf8(&buf[..n]) {
            return f(s);
        }
    }
    f(&format!("{x}{y}"))
}

/// Is one value a garbled or truncated copy of the other: at least two
/// thirds of the shorter one's letters (and at least two) appear in the
/// other in the same order ("jackson" / "jvzckhsor", "andrew" / "cnd")?
/// Two different names rarely are ("anna" / "maria", "olena" / "mariia").
pub fn garbled(a: &str, b: &str) -> bool {
    garbled_sharing(a, b, shared_bytes(a, b))
}

/// [`garbled`], given a bound on the bytes `a` and `b` share
/// ([`shared_bytes`], [`Sig::bound`]; `None` when not ASCII). The bytes in
/// common bound the subsequence from above: most pairs of different names
/// fail on them, without working the subsequence out.
fn garbled_sharing(a: &str, b: &str, shared: Option<usize>) -> bool {
    let short = match shared {
        Some(_) => a.len().min(b.len()),
        None => a.chars().count().min(b.chars().count()),
    };
    if let Some(shared) = shared
        && garbled_ruled_out(shared, short)
    {
        return false;
    }
    let common = lcs(a, b);
    common >= 2 && 3 * common >= 2 * short
}

/// Whether at most `shared` letters in common (an upper bound on the
/// subsequence) already rule [`garbled`] out for strings whose shorter one
/// has `short` letters.
fn garbled_ruled_out(shared: usize, short: usize) -> bool {
    shared < 2 || 3 * shared < 2 * short
}

fn dob_level(a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    if within_one_edit(a, b) {
        return 1;
    }
    if a.len() != 8 || b.len() != 8 {
        return 4;
    }
    let (ya, ma, da) = (&a[..4], &a[4..6], &a[6..8]);
    let (yb, mb, db) = (&b[..4], &b[4..6], &b[6..8]);
    if ya == yb && ma == db && da == mb {
        return 2;
    }
    // Two of three parts agree (the day and month either way round): a
    // mistyped year (1976 / 1985) or a garbled day. A parent and child
    // share a birthday in 1 pair of 365; the given names tell them apart.
    let agree = usize::from(ya == yb)
        + usize::from(ma == mb || ma == db)
        + usize::from(da == db || da == mb);
    if agree >= 2 { 3 } else { 4 }
}

/// Agreement level of every field, `None` where either side is missing.
pub fn compare(a: &MatchRecord, b: &MatchRecord) -> Vec<Option<usize>> {
    levels(a, b).to_vec()
}

/// How many fields are compared.
pub const FIELD_COUNT: usize = FIELDS.len();

/// [`compare`] without allocating.
pub fn levels(a: &MatchRecord, b: &MatchRecord) -> [Option<usize>; FIELD_COUNT] {
    levels_of(&a.view(), &b.view())
}

/// [`levels`] of two records' borrowed fields (the hot path of scoring:
/// a record in the blocking index is compared where it is packed).
pub fn levels_of(a: &RecordView<'_>, b: &RecordView<'_>) -> [Option<usize>; FIELD_COUNT] {
    levels_sig(a, &Sigs::of(a), b)
}

/// The [`Sig`]s of a record's free-text fields, worked out once per
/// record (an imported row's once for all its candidates).
#[derive(Debug, Clone, Copy)]
pub struct Sigs {
    given: Sig,
    middle: Sig,
    family: Sig,
    house_number: Sig,
    street: Sig,
    city: Sig,
}

impl Sigs {
    pub fn of(r: &RecordView<'_>) -> Sigs {
        Sigs {
            given: Sig::of(r.given),
            middle: Sig::of(r.middle),
            family: Sig::of(r.family),
            house_number: Sig::of(r.house_number),
            street: Sig::of(r.street),
            city: Sig::of(r.city),
        }
    }
}

/// [`levels_of`], given `a`'s [`Sigs`].
pub fn levels_sig(
    a: &RecordView<'_>,
    sa: &Sigs,
    b: &RecordView<'_>,
) -> [Option<usize>; FIELD_COUNT] {
    levels_after(a, sa, b, &[], &[])
}

/// `a`'s levels against each of one person's records `bs`, in order,
/// handed to `each`: a later record takes an earlier one's levels for the
/// fields it shares with it ([`levels_after`]). `room` is kept from one
/// person to the next for the levels of the records compared so far. The
/// records are read where the caller decoded them, side by side: a view is
/// about 300 bytes, and moving each through an iterator's adaptors, then
/// into the list of earlier records, was a tenth of the import scorer's
/// work. The import's scorer, its writer's records gained since, and every
/// lookup from the blocking index compare this way.
pub fn levels_of_records(
    a: &RecordView<'_>,
    sa: &Sigs,
    bs: &[RecordView<'_>],
    room: &mut Vec<[Option<usize>; FIELD_COUNT]>,
    mut each: impl FnMut([Option<usize>; FIELD_COUNT]),
) {
    room.clear();
    for (j, b) in bs.iter().enumerate() {
        let l = levels_after(a, sa, b, &bs[..j], room);
        each(l);
        // Most persons have one record: nothing kept for them.
        if j + 1 < bs.len() {
            room.push(l);
        }
    }
}

/// What [`compare_persons`] reuses from one person to the next, and from
/// one row to the next where the caller keeps it: a person's records,
/// decoded, and their levels so far ([`levels_of_records`]). Grown anew
/// for every row, they were a few allocations a row.
#[derive(Default)]
pub struct Room<'i> {
    pub views: Vec<RecordView<'i>>,
    pub earlier: Vec<[Option<usize>; FIELD_COUNT]>,
}

/// `a` (with its signatures `sa`) compared with every record of each of
/// the persons `seqs` in `index`, the levels handed to `each` in order:
/// each person with where its records' levels begin in that order and
/// how many there are. The import's scorer and every lookup from the
/// blocking index compare their candidates this way.
pub fn compare_persons<'i>(
    index: &'i index::BlockIndex,
    a: &RecordView<'_>,
    sa: &Sigs,
    seqs: Vec<i64>,
    room: &mut Room<'i>,
    mut each: impl FnMut([Option<usize>; FIELD_COUNT]),
) -> Vec<(i64, usize, usize)> {
    let Room { views, earlier } = room;
    let mut given = 0;
    seqs.into_iter()
        .map(|seq| {
            let start = given;
            index.views_into(seq, views);
            levels_of_records(a, sa, views, earlier, |l| {
                given += 1;
                each(l);
            });
            (seq, start, given - start)
        })
        .collect()
}

/// [`levels_sig`] of `b`, one of a person's records compared after
/// `earlier` (others of the same person, with `their` levels against `a`,
/// by place): a costly field (the names, the address, the city, the
/// middle name) whose values in `b` an earlier record has too takes that
/// record's level instead of being compared again. The levels are the same: a
/// field's level depends on `a` and on those values only. A person's
/// records are mostly the same person sent again with a field or two
/// changed, and a row is compared with every record of every candidate,
/// so without this the cost of a row grows with the records its
/// candidates have gathered (on the 1M dupehell file, scoring per row
/// went from the fourth tenth to the ninth by 1.9 times, at 26 and 31
/// persons per row). Dupehell garbles most duplicates: there, 30 % of a
/// later record's costly fields are reused.
pub fn levels_after(
    a: &RecordView<'_>,
    sa: &Sigs,
    b: &RecordView<'_>,
    earlier: &[RecordView<'_>],
    their: &[[Option<usize>; FIELD_COUNT]],
) -> [Option<usize>; FIELD_COUNT] {
    debug_assert_eq!(
        earlier.len(),
        their.len(),
        "a level for each earlier record"
    );
    let like = |same: fn(&RecordView<'_>, &RecordView<'_>) -> bool| {
        earlier
            .iter()
            .zip(their)
            .find(|(e, _)| same(e, b))
            .map(|(_, l)| l)
    };
    let both = |x: &str, y: &str| !x.is_empty() && !y.is_empty();
    // `b`'s signatures are worked out only where a comparison reads one:
    // equal fields, and fields one side lacks, read none (the scorer
    // compares every record of every candidate; working out all six each
    // time was a tenth of its work). Equal names come out before their
    // signatures are read.
    let differ = |x: &str, y: &str| both(x, y) && x != y;
    let mut v = [None; FIELD_COUNT];
    // Each name's level reads both names (a swapped pair) and their sounds.
    if let Some(l) = like(|e, b| e.given == b.given && e.family == b.family && e.sounds == b.sounds)
    {
        (v[GIVEN], v[FAMILY]) = (l[GIVEN], l[FAMILY]);
    } else {
        let (sbg, sbf) = match differ(a.given, b.given) || differ(a.family, b.family) {
            true => (Sig::of(b.given), Sig::of(b.family)),
            false => (Sig::NONE, Sig::NONE),
        };
        let sounds = a.sounds.zip(b.sounds);
        let (ag, af) = ((a.given, sa.given), (a.family, sa.family));
        let (bg, bf) = ((b.given, sbg), (b.family, sbf));
        if both(a.given, b.given) {
            let s = sounds.map(|(x, y)| (x[0], y[0]));
            v[GIVEN] = Some(name_level(ag, bg, af, bf, true, s));
        }
        if both(a.family, b.family) {
            let s = sounds.map(|(x, y)| (x[1], y[1]));
            v[FAMILY] = Some(name_level(af, bf, ag, bg, false, s));
        }
    }
    if both(a.dob, b.dob) {
        v[DOB] = Some(dob_level(a.dob, b.dob));
    }
    if both(a.gender, b.gender) {
        v[GENDER] = Some(usize::from(a.gender != b.gender));
    }
    if both(a.tax_id, b.tax_id) {
        v[TAX_ID] = Some(edit_level(a.tax_id, b.tax_id));
    }
    if both(a.ssn, b.ssn) {
        v[SSN] = Some(edit_level(a.ssn, b.ssn));
    }
    if both(a.phone, b.phone) {
        v[PHONE] = Some(usize::from(a.phone != b.phone));
    }
    if both(a.email, b.email) {
        v[EMAIL] = Some(usize::from(a.email != b.email));
    }
    if let Some(l) = like(|e, b| e.street == b.street && e.house_number == b.house_number) {
        v[ADDRESS] = l[ADDRESS];
    } else if both(a.street, b.street) {
        // Read by the similarity test and again by the garbled test when
        // the first fails (most different addresses): worked out once.
        let sb_street = std::cell::OnceCell::new();
        let sb_street = || *sb_street.get_or_init(|| Sig::of(b.street));
        v[ADDRESS] = Some(
            if a.street == b.street && a.house_number == b.house_number {
                0
            } else if jaro_winkler_at_least_sig(a.street, sa.street, b.street, sb_street(), 0.90) {
                1
            } else if joined(a.house_number, a.street, |x| {
                joined(b.house_number, b.street, |y| {
                    let short = x.len().min(y.len());
                    let (sx, sy) = (
                        sa.house_number.then(sa.street),
                        Sig::of(b.house_number).then(sb_street()),
                    );
                    let shared = shared_at_most(x, sx, y, sy, |n| garbled_ruled_out(n, short));
                    garbled_sharing(x, y, shared)
                })
            }) {
                2
            } else {
                3
            },
        );
    }
    if let Some(l) = like(|e, b| e.city == b.city) {
        v[CITY] = l[CITY];
    } else if both(a.city, b.city) {
        v[CITY] = Some(if a.city == b.city {
            0
        } else {
            let (x, y) = (a.city, b.city);
            let shared = shared_for(x, sa.city, y, Sig::of(y), 0.90);
            if reaches(x, y, shared, 0.90) {
                1
            } else if garbled_sharing(x, y, shared) {
                2
            } else {
                3
            }
        });
    }
    if both(a.postal_code, b.postal_code) {
        v[POSTCODE] = Some(edit_level(a.postal_code, b.postal_code));
    }
    if both(a.state, b.state) {
        v[STATE] = Some(usize::from(a.state != b.state));
    }
    if let Some(l) = like(|e, b| e.middle == b.middle) {
        v[MIDDLE] = l[MIDDLE];
    } else if both(a.middle, b.middle) {
        let (x, y) = (a.middle, b.middle);
        v[MIDDLE] = Some(if x == y {
            0
        } else if shortened(x, y) || jaro_winkler_at_least_sig(x, sa.middle, y, Sig::of(y), 0.90) {
            1
        } else {
            2
        });
    }
    if !a.ids.is_empty() && !b.ids.is_empty() {
        let best = a
            .ids
            .iter()
            .flat_map(|x| b.ids.iter().map(move |y| edit_level(x, y)))
            .min()
            .unwrap_or(2);
        v[IDS] = Some(best);
    }
    v
}

/// Fields that members of one household (or flatmates) often share.
pub const HOUSEHOLD: &[(usize, &str)] = &[
    (FAMILY, "family name"),
    (PHONE, "phone"),
    (EMAIL, "e-mail"),
    (ADDRESS, "address"),
    (POSTCODE, "postcode"),
];

/// What sets one person apart from a relative or a namesake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    TaxId,
    Ssn,
    BirthDate,
    GivenName,
    FamilyName,
    Gender,
}

impl Conflict {
    pub fn words(self) -> &'static str {
        match self {
            Conflict::TaxId => "the tax ids differ",
            Conflict::Ssn => "the SSNs differ",
            Conflict::BirthDate => "the birth dates differ",
            Conflict::GivenName => "the given names differ",
            Conflict::FamilyName => "the family names differ",
            Conflict::Gender => "the genders differ",
        }
    }
}

/// Evidence that two records are *different* people, whatever else agrees:
/// a unique identifier that differs (more than a typo), a birth date that
/// differs by years, a given name that is neither a variant, a nickname, an
/// initial nor a shortened form, a family name that is another altogether.
pub fn conflicts(levels: &[Option<usize>], a: &MatchRecord, b: &MatchRecord) -> Vec<Conflict> {
    let mut out = Vec::new();
    if levels[TAX_ID] == Some(2) {
        out.push(Conflict::TaxId);
    }
    if levels[SSN] == Some(2) {
        out.push(Conflict::Ssn);
    }
    // Birth dates years apart: a parent and child, or siblings. Dates in
    // one year that differ otherwise are left to the score (a garbled day
    // or month is commoner than two relatives born in one year).
    // A birthday shared years apart is more often a mistyped year than a
    // relative, unless the gender or the middle name (a patronymic) says
    // another person too: a father and son named alike.
    let another = levels[GENDER] == Some(1) || levels[MIDDLE] == Some(2);
    if year_gap(&a.dob, &b.dob) >= 2
        && (levels[DOB] == Some(4) || (levels[DOB] == Some(3) && another))
    {
        out.push(Conflict::BirthDate);
    }
    if levels[GIVEN] == Some(5) && !shortened(&a.given, &b.given) && !initial(&a.given, &b.given) {
        out.push(Conflict::GivenName);
    }
    // Another gender with another spelling of the given name: Patrick and
    // Patricia are twins more often than a mistyped gender. (With the very
    // same given name, the gender is the likelier mistake.)
    if levels[GENDER] == Some(1) && levels[GIVEN] != Some(0) {
        out.push(Conflict::Gender);
    }
    if levels[FAMILY] == Some(5) && !shortened(&a.family, &b.family) {
        out.push(Conflict::FamilyName);
    }
    out
}

/// Years between two `YYYYMMDD` dates (0 when either is not one).
fn year_gap(a: &str, b: &str) -> i32 {
    let year = |d: &str| d.get(..4).and_then(|y| y.parse::<i32>().ok());
    match (year(a), year(b)) {
        (Some(x), Some(y)) => (x - y).abs(),
        _ => 0,
    }
}

/// Is the shorter name one or two letters that start like the other: an
/// initial with a stray letter ("mw" of "maureen"), not another name?
fn initial(a: &str, b: &str) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() <= 2 && short.chars().next() == long.chars().next()
}

/// Is one name the beginning of the other ("Ave" of "Avery", an initial)?
fn shortened(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && (a.starts_with(b) || b.starts_with(a))
}

/// Does something only this person has agree: a unique identifier?
fn identifier_agrees(levels: &[Option<usize>]) -> bool {
    matches!(levels[TAX_ID], Some(0 | 1))
        || matches!(levels[SSN], Some(0 | 1))
        || levels[IDS] == Some(0)
}

/// Why a pair is held back, in parts a screen can say in any language;
/// [`Hold::words`] says it in English (the API's `hold`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hold {
    pub kind: HoldKind,
    /// Household fields the pair shares (in [`HOUSEHOLD`]'s words).
    pub shared: Vec<&'static str>,
    pub conflicts: Vec<Conflict>,
    /// The hold comes from another of the person's records (sor and id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_record: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    /// Only names and a birth date to compare, and one side has more.
    OnlyNames,
    /// What differs says another person.
    Conflicts,
    /// The same given name and birth date under another family name, and
    /// nothing else agrees.
    LookAlike,
    /// No birth date or identifier to tell relatives apart.
    NoBirthDate,
}

impl Hold {
    fn new(kind: HoldKind, shared: &[&'static str], conflicts: Vec<Conflict>) -> Hold {
        Hold {
            kind,
            shared: shared.to_vec(),
            conflicts,
            other_record: None,
        }
    }

    /// The reason in English.
    pub fn words(&self) -> String {
        let prefix = if self.shared.is_empty() {
            String::new()
        } else {
            format!("shares a household {}, but ", join_words(&self.shared))
        };
        let conflicts: Vec<&str> = self.conflicts.iter().map(|c| c.words()).collect();
        let reason = match self.kind {
            HoldKind::OnlyNames => "only the name and birth date can be compared, and one \
                                    record has identifiers or contact details the other lacks"
                .to_string(),
            HoldKind::Conflicts => format!("{prefix}{}", join_words(&conflicts)),
            HoldKind::LookAlike => format!(
                "{prefix}{} and no identifier, address, phone or e-mail agrees",
                join_words(&conflicts)
            ),
            HoldKind::NoBirthDate => {
                format!("{prefix}no birth date or identifier agrees to tell relatives apart")
            }
        };
        match &self.other_record {
            Some(r) => format!("another record of this person ({r}): {reason}"),
            None => reason,
        }
    }
}

/// Why a pair must wait for a person however high it scores, in words; or
/// `None` when the score may decide. Unless a unique identifier agrees:
///
/// - a unique identifier that differs (tax id, SSN) holds the pair: a
///   namesake born the same day is a different person;
/// - with a given name or birth date that differs, household
///   evidence (family name, phone, e-mail, address, postcode, city) no
///   longer counts, and what is left must reach `auto_link` on its own
///   (twins, a parent and child, siblings);
/// - with no birth date to compare, household evidence and a name are never
///   enough (seed 001's Pat and Patrick Lee).
pub fn hold_reason(
    e: &Weighed,
    levels: &[Option<usize>],
    a: &MatchRecord,
    b: &MatchRecord,
    auto_link: f64,
) -> Option<Hold> {
    if identifier_agrees(levels) {
        return None;
    }
    // Only names and a birth date to compare, while one side carries an
    // identifier, contact details or an address the other lacks: a namesake
    // born the same day cannot be ruled out, and asking for a document can.
    let compared_beyond_names = levels
        .iter()
        .enumerate()
        .any(|(f, l)| l.is_some() && !matches!(f, GIVEN | FAMILY | MIDDLE | DOB | GENDER));
    if !compared_beyond_names && a.has_details() != b.has_details() {
        return Some(Hold::new(HoldKind::OnlyNames, &[], vec![]));
    }
    let shared: Vec<&'static str> = HOUSEHOLD
        .iter()
        .filter(|(f, _)| levels[*f] == Some(0))
        .map(|(_, name)| *name)
        .collect();
    let found = conflicts(levels, a, b);
    // A namesake born the same day has another tax id or SSN. The same
    // name and birth date *and* the same street, postcode, phone or e-mail
    // with another number is one person with a wrong number (twins differ
    // in given name, a father and son in birth date). Without the same
    // birth date, another number is another person.
    let contact = matches!(levels[ADDRESS], Some(0 | 1))
        || [PHONE, EMAIL, POSTCODE]
            .iter()
            .any(|f| levels[*f] == Some(0));
    let same_birth = matches!(levels[DOB], Some(0..=2));
    if !(contact && same_birth)
        && found
            .iter()
            .any(|c| matches!(c, Conflict::TaxId | Conflict::Ssn))
    {
        return Some(Hold::new(HoldKind::Conflicts, &shared, found));
    }
    // A look-alike: the same given name and birth date under another family
    // name. A married name is real, but then the street, postcode, phone or
    // e-mail agrees (`contact`).
    if found.contains(&Conflict::FamilyName) && !contact {
        return Some(Hold::new(HoldKind::LookAlike, &shared, found));
    }
    // What is left to weigh: the given name and the birth date.
    let found: Vec<Conflict> = found
        .into_iter()
        .filter(|c| {
            matches!(
                c,
                Conflict::GivenName | Conflict::BirthDate | Conflict::Gender
            )
        })
        .collect();
    let household: f64 = HOUSEHOLD
        .iter()
        .map(|(f, _)| *f)
        // Siblings share a patronymic too.
        .chain([CITY, STATE, MIDDLE])
        .map(|f| e.weights[f].max(0.0))
        .sum();
    let short_without_household = confidence(e.score - household) < auto_link;
    if !found.is_empty() && short_without_household {
        return Some(Hold::new(HoldKind::Conflicts, &shared, found));
    }
    if levels[DOB].is_none() && !shared.is_empty() && short_without_household {
        return Some(Hold::new(HoldKind::NoBirthDate, &shared, vec![]));
    }
    None
}

/// For a pair below the auto-link level: how far below, in bits, and what
/// weighed against it, in parts ([`Shortfall::words`] in English: "3.2
/// bits short of linking by itself; against it: birth date different
/// (−4.3), phone different (−2.0)").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// Bits missing to the pair's link level.
    pub gap: f64,
    /// The (at most three) fields that weighed most against it.
    pub against: Vec<FieldScore>,
    /// Fields that only one side has (at most three).
    pub missing: Vec<String>,
}

impl Shortfall {
    pub fn words(&self) -> String {
        let mut out = format!("{:.1} bits short of linking by itself", self.gap);
        if !self.against.is_empty() {
            let words: Vec<String> = self
                .against
                .iter()
                .map(|f| format!("{} {} ({:+.1})", f.field, f.level, f.weight))
                .collect();
            out.push_str(&format!("; against it: {}", words.join(", ")));
        }
        if !self.missing.is_empty() {
            out.push_str(&format!(
                "; missing on one side: {}",
                self.missing.join(", ")
            ));
        }
        out
    }
}

pub fn shortfall(e: &Explanation, auto_link: f64) -> Option<Shortfall> {
    if e.confidence >= auto_link {
        return None;
    }
    let needed = (auto_link / (100.0 - auto_link).max(1e-9)).log2();
    let mut against: Vec<FieldScore> = e
        .fields
        .iter()
        .filter(|f| f.weight < 0.0)
        .cloned()
        .collect();
    against.sort_by(|a, b| a.weight.total_cmp(&b.weight));
    against.truncate(3);
    let missing: Vec<String> = e
        .fields
        .iter()
        .filter(|f| f.level == "missing" && f.left.is_empty() != f.right.is_empty())
        .map(|f| f.field.clone())
        .take(3)
        .collect();
    Some(Shortfall {
        gap: needed - e.score,
        against,
        missing,
    })
}

fn join_words(w: &[&str]) -> String {
    match w {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A level's weight in plain words, for people who set up the registry.
pub fn weight_words(bits: f64) -> &'static str {
    match bits {
        b if b >= 10.0 => "very strong evidence of the same person",
        b if b >= 5.0 => "strong evidence of the same person",
        b if b >= 1.0 => "some evidence of the same person",
        b if b > -1.0 => "hardly evidence either way",
        b if b > -5.0 => "some evidence of different people",
        _ => "strong evidence of different people",
    }
}

/// Every field and level with m, u, its weight in bits and in words: what
/// `registrar train` prints.
pub fn weights_table(p: &Params) -> String {
    let mut out = format!(
        "{:<28} {:<38} {:>8} {:>10} {:>7}  {}\n",
        "field", "level", "m", "u", "bits", "in words"
    );
    for (f, spec) in FIELDS.iter().enumerate() {
        for (l, level) in spec.levels.iter().enumerate() {
            let (m, u) = (p.m[f][l], p.u[f][l]);
            let bits = (m.max(1e-9) / u.max(1e-9)).log2();
            out.push_str(&format!(
                "{:<28} {:<38} {:>8.4} {:>10.6} {:>+7.1}  {}\n",
                spec.name,
                level,
                m,
                u,
                bits,
                weight_words(bits)
            ));
        }
    }
    out.push_str(&format!(
        "prior: {:+.1} bits; auto-link where {} % of such links are right (never a pair below {} %), review from {} %\n",
        prior_weight(p),
        p.auto_link,
        link_floor(p),
        p.review
    ));
    out
}

/// The model as people who run the registry read it: per field and level,
/// m, u, the weight in bits and in words; the version and the thresholds.
pub fn model_view(p: &Params, prior_bits: f64) -> ModelView {
    let fields = FIELDS
        .iter()
        .enumerate()
        .map(|(f, spec)| FieldWeights {
            field: spec.name.to_string(),
            levels: spec
                .levels
                .iter()
                .enumerate()
                .map(|(l, level)| {
                    let bits = (p.m[f][l].max(1e-9) / p.u[f][l].max(1e-9)).log2();
                    LevelWeight {
                        level: level.to_string(),
                        m: p.m[f][l],
                        u: p.u[f][l],
                        bits,
                        words: weight_words(bits).to_string(),
                    }
                })
                .collect(),
        })
        .collect();
    ModelView {
        version: p.version,
        trained_persons: p.trained_persons,
        learnt: p.version > 0,
        prior_bits,
        auto_link: p.auto_link,
        link_floor: link_floor(p),
        review: p.review,
        fields,
    }
}

/// The matching model in words (`GET /matcher/model`), as Settings reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelView {
    /// 0: the defaults; else the learnt model's version.
    pub version: u32,
    pub trained_persons: u64,
    pub learnt: bool,
    /// The prior a new record meets now, in bits.
    pub prior_bits: f64,
    pub auto_link: f64,
    pub link_floor: f64,
    pub review: f64,
    pub fields: Vec<FieldWeights>,
}

/// One field's weight per agreement level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldWeights {
    pub field: String,
    pub levels: Vec<LevelWeight>,
}

/// One agreement level: its m and u, the weight in bits, and the word for
/// it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelWeight {
    pub level: String,
    pub m: f64,
    pub u: f64,
    pub bits: f64,
    pub words: String,
}

/// log2 of the prior odds, without a population: `p.lambda`.
pub fn prior_weight(p: &Params) -> f64 {
    (p.lambda / (1.0 - p.lambda)).log2()
}

/// Registries smaller than this are priced as if they had this many
/// persons: a tiny desk registry must not make a name alone convincing.
pub const MIN_POPULATION: f64 = 1000.0;

/// log2 of the prior odds that a new record is one given person of a
/// registry of `population` persons: a share `p.dup_rate` of new records
/// are persons already registered, and each is any one of them alike.
pub fn prior_weight_in(p: &Params, tf: &dyn TermFrequency) -> f64 {
    let Some(n) = tf.population() else {
        return prior_weight(p);
    };
    let lambda = (p.dup_rate / n.max(MIN_POPULATION)).clamp(1e-12, 0.5);
    (lambda / (1.0 - lambda)).log2()
}

/// Posterior probability (0–100) for a total score in bits.
pub fn confidence(score: f64) -> f64 {
    100.0 / (1.0 + (-score).exp2())
}

/// No single pair links while the model gives it more than this many times
/// the risk of being two people that the target precision allows for links
/// as a whole (target 99.9 %: no pair below 99 %).
pub const PAIR_RISK_FACTOR: f64 = 10.0;

/// What may be done with one candidate: the one decision every path of the
/// service acts on (the desk's duplicate check, `POST /people`, the import,
/// the hub, the reconciliation queue's re-scoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Linked without a person deciding: at or above its link level
    /// ([`link_threshold`]) and nothing holds it.
    Link,
    /// At or above the review level (or sure but held): a person decides
    /// before a new person is created beside it.
    Review,
    /// Shown as a possible duplicate; never acted on by itself.
    #[default]
    Possible,
}

/// Classify a candidate of `confidence`, whose fields link at `link_at`,
/// held back or not, under the review level `review_at`.
pub fn classify(confidence: f64, link_at: f64, held: bool, review_at: f64) -> Class {
    if confidence >= link_at && !held {
        Class::Link
    } else if confidence >= review_at {
        Class::Review
    } else {
        Class::Possible
    }
}

/// The lowest confidence any pair may link at, for `p.auto_link`.
pub fn link_floor(p: &Params) -> f64 {
    // Rounded to a millionth of a percent: 99.9 gives 99, not 99.00000000000006.
    let floor = 100.0 - PAIR_RISK_FACTOR * (100.0 - p.auto_link);
    ((floor * 1e6).round() / 1e6).max(50.0)
}

/// Width of a score bin in [`link_threshold`]'s distributions, in bits
/// (each field's weight is rounded to it: 14 fields err by under ¼ bit).
const BIN: f64 = 1.0 / 32.0;
/// The prior is rounded to this for the memo, in bits.
const PRIOR_STEP: f64 = 0.125;

type ThresholdKey = (u64, u16, i32);
static THRESHOLDS: LazyLock<std::sync::Mutex<std::collections::HashMap<ThresholdKey, f64>>> =
    LazyLock::new(Default::default);

/// The confidence at which a pair compared on the fields `compared`
/// (`Some` levels) links, under a prior of `prior` bits.
///
/// `p.auto_link` is a target *precision*: of the links made, at least that
/// share must be right. Under the model, the scores of pairs compared on
/// these fields have one distribution among true matches (from m) and
/// another among different people (from u), mixed by the prior. The
/// threshold is the lowest score at which the links at or above it are
/// right at least `p.auto_link` % of the time, never above `p.auto_link`
/// itself (a pair that sure links at any precision target) and never below
/// [`link_floor`]. Records with few fields to compare have their matches
/// piled on a few scores, so a near miss among them is priced against the
/// sure links around it, not alone.
///
/// A pure function of the model; results are kept in a memo per model,
/// field set and prior (to an eighth of a bit).
pub fn link_threshold(p: &Params, compared: &[Option<usize>], prior: f64) -> f64 {
    let mask = compared
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_some())
        .fold(0u16, |m, (f, _)| m | (1 << f));
    let prior_q = (prior / PRIOR_STEP).round() as i32;
    let key = (params_fingerprint(p), mask, prior_q);
    if let Some(t) = THRESHOLDS.lock().ok().and_then(|m| m.get(&key).copied()) {
        return t;
    }
    let t = threshold_for(p, mask, f64::from(prior_q) * PRIOR_STEP);
    if let Ok(mut m) = THRESHOLDS.lock() {
        if m.len() > 100_000 {
            m.clear();
        }
        m.insert(key, t);
    }
    t
}

fn params_fingerprint(p: &Params) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let values = p.m.iter().chain(&p.u).flatten().chain([&p.auto_link]);
    for v in values {
        h ^= v.to_bits();
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn threshold_for(p: &Params, mask: u16, prior: f64) -> f64 {
    // Distributions of the summed weight over bins: (mass among matches,
    // mass among non-matches), by convolution field by field.
    let mut lo = 0i32;
    let mut dist: Vec<(f64, f64)> = vec![(1.0, 1.0)];
    for f in (0..FIELDS.len()).filter(|f| mask & (1 << f) != 0) {
        let levels: Vec<(i32, f64, f64)> = p.m[f]
            .iter()
            .zip(&p.u[f])
            .map(|(&m, &u)| {
                let w = (m.max(1e-9) / u.max(1e-9)).log2();
                ((w / BIN).round() as i32, m, u)
            })
            .collect();
        let min = levels.iter().map(|l| l.0).min().unwrap_or(0);
        let max = levels.iter().map(|l| l.0).max().unwrap_or(0);
        let mut next = vec![(0.0, 0.0); dist.len() + (max - min) as usize];
        for (i, (dm, du)) in dist.iter().enumerate() {
            for (w, m, u) in &levels {
                let slot = &mut next[i + (w - min) as usize];
                slot.0 += dm * m;
                slot.1 += du * u;
            }
        }
        lo += min;
        dist = next;
    }
    let lambda = 1.0 / (1.0 + (-prior).exp2());
    let target = p.auto_link / 100.0;
    let (mut right, mut wrong) = (0.0, 0.0);
    let mut lowest: Option<f64> = None;
    for (i, (dm, du)) in dist.iter().enumerate().rev() {
        if *dm == 0.0 && *du == 0.0 {
            continue;
        }
        right += dm * lambda;
        wrong += du * (1.0 - lambda);
        if right / (right + wrong) < target {
            break;
        }
        lowest = Some(f64::from(lo + i as i32) * BIN);
    }
    lowest
        .map_or(p.auto_link, |s| confidence(prior + s))
        .min(p.auto_link)
        .max(link_floor(p))
}

/// A field's value as explanations show it (and as training counts it).
pub fn field_values(r: &MatchRecord, f: usize) -> String {
    match f {
        GIVEN => r.given.clone(),
        FAMILY => r.family.clone(),
        DOB => r.dob.clone(),
        GENDER => r.gender.clone(),
        TAX_ID => r.tax_id.clone(),
        SSN => r.ssn.clone(),
        PHONE => r.phone.clone(),
        EMAIL => r.email.clone(),
        ADDRESS => format!("{} {}", r.house_number, r.street)
            .trim()
            .to_string(),
        CITY => r.city.clone(),
        POSTCODE => r.postal_code.clone(),
        STATE => r.state.clone(),
        IDS => r.ids.join(", "),
        MIDDLE => r.middle.clone(),
        _ => String::new(),
    }
}

/// Weight of one level, with the term-frequency adjustment on exact names.
fn level_weight(p: &Params, f: usize, level: usize, value: &str, tf: &dyn TermFrequency) -> f64 {
    let m = p.m[f][level].max(1e-9);
    let mut u = p.u[f][level].max(1e-9);
    if level == 0
        && tf_slot(f).is_some()
        && let Some(share) = tf.tf(f, value)
    {
        u = share.clamp(1e-7, 0.5);
    }
    (m / u).log2()
}

/// Score a pair and explain it field by field.
pub fn score(a: &MatchRecord, b: &MatchRecord, p: &Params, tf: &dyn TermFrequency) -> Explanation {
    score_levels(a, b, &compare(a, b), p, tf)
}

/// [`score`] for a caller that already has `compare(a, b)` (the hold rules
/// need the levels too): [`weigh_pair`] put in words ([`word`]).
pub fn score_levels(
    a: &MatchRecord,
    b: &MatchRecord,
    levels: &[Option<usize>],
    p: &Params,
    tf: &dyn TermFrequency,
) -> Explanation {
    word(a, b, levels, &weigh_pair(a, levels, p, tf))
}

/// A pair's score in numbers, before it is put in words ([`word`]): what
/// the holds and the decision read. Each field's weight (0 where a side
/// lacks it), the prior, and their sum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighed {
    pub prior: f64,
    pub weights: [f64; FIELD_COUNT],
    pub score: f64,
    pub confidence: f64,
}

/// `a`'s pair at `levels` weighed, without a word: the engine decides most
/// pairs (a link, a new person) without anyone reading why, and wording
/// every field of every kept candidate (four strings each) was a tenth of
/// the import's writer where rows link. The same sum in the same order as
/// [`score_levels`], so the same score to the bit.
pub fn weigh_pair(
    a: &MatchRecord,
    levels: &[Option<usize>],
    p: &Params,
    tf: &dyn TermFrequency,
) -> Weighed {
    let prior = prior_weight_in(p, tf);
    let mut total = prior;
    let mut weights = [0.0; FIELD_COUNT];
    for ((f, lvl), w) in levels.iter().enumerate().zip(&mut weights) {
        if let Some(l) = *lvl {
            // Only an exact name or city reads its value (its term
            // frequency): no other field's value is worked out.
            *w = level_weight(p, f, l, tf_value(a, f), tf);
        }
        total += *w;
    }
    Weighed {
        prior,
        weights,
        score: total,
        confidence: confidence(total),
    }
}

/// A field's value, read from a record.
type FieldValue = fn(&MatchRecord) -> &str;

/// The fields whose exact level weighs by its value's term frequency
/// ([`level_weight`]), each with its value: the one place that names them.
const TF_FIELDS: [(usize, FieldValue); 3] = [
    (GIVEN, |a| &a.given),
    (FAMILY, |a| &a.family),
    (CITY, |a| &a.city),
];

/// Each field's place in [`TF_FIELDS`], if it has one: one look on the
/// hot path of the import's weighing ([`weigh_with`]).
const TF_SLOTS: [Option<usize>; FIELD_COUNT] = {
    let mut slots = [None; FIELD_COUNT];
    let mut i = 0;
    while i < TF_FIELDS.len() {
        slots[TF_FIELDS[i].0] = Some(i);
        i += 1;
    }
    slots
};

/// Where field `f` is in [`TF_FIELDS`], if it weighs by term frequency.
fn tf_slot(f: usize) -> Option<usize> {
    TF_SLOTS.get(f).copied().flatten()
}

/// The value [`level_weight`] reads a term frequency of for field `f`
/// ("" for the fields without one).
fn tf_value(a: &MatchRecord, f: usize) -> &str {
    tf_slot(f).map_or("", |i| (TF_FIELDS[i].1)(a))
}

/// `w` (of `a` and `b` at `levels`) explained field by field.
pub fn word(
    a: &MatchRecord,
    b: &MatchRecord,
    levels: &[Option<usize>],
    w: &Weighed,
) -> Explanation {
    let fields = levels
        .iter()
        .enumerate()
        .map(|(f, lvl)| FieldScore {
            field: FIELDS[f].name.to_string(),
            left: field_values(a, f),
            right: field_values(b, f),
            level: lvl.map_or("missing", |l| FIELDS[f].levels[l]).to_string(),
            weight: w.weights[f],
        })
        .collect();
    Explanation {
        prior: w.prior,
        fields,
        score: w.score,
        confidence: w.confidence,
    }
}

impl Explanation {
    /// The numbers this explanation words.
    pub fn weighed(&self) -> Weighed {
        let mut weights = [0.0; FIELD_COUNT];
        for (w, f) in weights.iter_mut().zip(&self.fields) {
            *w = f.weight;
        }
        Weighed {
            prior: self.prior,
            weights,
            score: self.score,
            confidence: self.confidence,
        }
    }
}

/// Fast score without the explanation (the hot path of blocking).
pub fn score_only(a: &MatchRecord, b: &RecordView<'_>, p: &Params, tf: &dyn TermFrequency) -> f64 {
    weigh_compared(a, &levels_of(&a.view(), b), p, prior_weight_in(p, tf), tf)
}

/// [`score_only`] of `a` given its levels against the other record, and
/// the prior ([`prior_weight_in`]), which is the same for every
/// candidate of one lookup.
pub fn weigh_compared(
    a: &MatchRecord,
    levels: &[Option<usize>; FIELD_COUNT],
    p: &Params,
    prior: f64,
    tf: &dyn TermFrequency,
) -> f64 {
    // Only exact names and cities read their value (its term frequency):
    // every other level's weight is the model's alone.
    let mut total = prior;
    for (f, lvl) in levels.iter().enumerate() {
        if let Some(l) = *lvl {
            total += level_weight(p, f, l, tf_value(a, f), tf);
        }
    }
    total
}

/// Every field's level weights under one model without a term frequency
/// ([`level_weight`]), worked out once: the import weighs a batch's many
/// comparisons with one model ([`weigh_with`]).
pub struct Weights(Vec<Vec<f64>>);

impl Weights {
    pub fn of(p: &Params) -> Weights {
        Weights(
            p.m.iter()
                .enumerate()
                .map(|(f, levels)| {
                    (0..levels.len())
                        .map(|l| level_weight(p, f, l, "", &NoTf))
                        .collect()
                })
                .collect(),
        )
    }
}

/// The model's weights for comparisons with one record: the weights of
/// [`Weights`], but an exact given name, family name or city weighs what
/// its term frequency says, which depends on the record's value alone.
/// Worked out once per record (on first use), not once per candidate: a
/// look-up of the value's frequency each time was a tenth of the import
/// writer's weighing.
pub struct RecordWeights<'a> {
    base: &'a Weights,
    rec: &'a MatchRecord,
    p: &'a Params,
    tf: &'a dyn TermFrequency,
    /// The exact level's weight of each of [`TF_FIELDS`].
    exact: [std::cell::OnceCell<f64>; TF_FIELDS.len()],
}

impl Weights {
    pub fn for_record<'a>(
        &'a self,
        rec: &'a MatchRecord,
        p: &'a Params,
        tf: &'a dyn TermFrequency,
    ) -> RecordWeights<'a> {
        RecordWeights {
            base: self,
            rec,
            p,
            tf,
            exact: Default::default(),
        }
    }
}

impl RecordWeights<'_> {
    /// The exact level's weight of the `i`th of [`TF_FIELDS`].
    fn exact(&self, i: usize) -> f64 {
        let (f, value) = TF_FIELDS[i];
        *self.exact[i].get_or_init(|| level_weight(self.p, f, 0, value(self.rec), self.tf))
    }
}

/// [`score_only`] of the record `w` is for and a record it compared at
/// `levels` with, apart from the comparison (the costly part): with the
/// model's weights worked out before and the `prior`
/// ([`prior_weight_in`]) and term frequencies of the moment. The same sum
/// in the same order, so the same score to the bit.
/// The levels are read packed ([`pack_levels`]), as the scorer hands them
/// over: a byte each rather than sixteen.
pub fn weigh_with(levels: &PackedLevels, w: &RecordWeights<'_>, prior: f64) -> f64 {
    let mut total = prior;
    for (f, &packed) in levels.iter().enumerate() {
        if packed != u8::MAX {
            let l = usize::from(packed);
            total += match (l, tf_slot(f)) {
                (0, Some(i)) => w.exact(i),
                _ => w.base.0[f][l],
            };
        }
    }
    total
}

/// [`levels`] in a byte each (a field's levels are few), `u8::MAX` where
/// a side is missing: what the import's scorer hands its writer.
pub type PackedLevels = [u8; FIELD_COUNT];

pub fn pack_levels(levels: &[Option<usize>; FIELD_COUNT]) -> PackedLevels {
    levels.map(|l| l.and_then(|l| u8::try_from(l).ok()).unwrap_or(u8::MAX))
}

pub fn unpack_levels(packed: &PackedLevels) -> [Option<usize>; FIELD_COUNT] {
    packed.map(|b| (b != u8::MAX).then_some(usize::from(b)))
}

#[cfg(test)]
mod tests;
