//! Learning the model from the registry's own records (pure: the service
//! gathers the records and the random choices, this module only counts).
//!
//! - u, the chance that two *different* people agree at a level, comes from
//!   the value frequencies of one record per person for the exact levels
//!   (`Σ c(c−1) / n(n−1)`: precise even for one value in 30,000, which no
//!   sample of random pairs resolves), and from random pairs of persons for
//!   the other levels.
//! - m, the chance that two records of *one* person agree at a level, comes
//!   by expectation–maximisation over pairs that share a blocking key, with
//!   u held fixed, as Splink does. Pairs that share a birth date agree on
//!   it by construction, so that session says nothing about birth dates:
//!   each session leaves its key's fields out, and a field's m comes from
//!   the sessions that did not block on it.

use super::{FIELDS, Params};

/// Share of pairs of distinct items that hold the same value, from how many
/// items hold each value; `None` under 100 items (too few to say).
pub fn u_from_counts(counts: impl IntoIterator<Item = u64>) -> Option<f64> {
    let mut n = 0.0;
    let mut same = 0.0;
    for c in counts {
        let c = c as f64;
        n += c;
        same += c * (c - 1.0);
    }
    (n >= 100.0).then(|| same / (n * (n - 1.0)))
}

/// What one EM session learnt: m per field (for the fields it could see and
/// observed often enough), and the share of matches among its pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub m: Vec<Option<Vec<f64>>>,
    pub share: f64,
    pub pairs: usize,
}

/// Fewer pairs than this teach nothing reliable.
pub const MIN_PAIRS: usize = 500;

/// Expectation–maximisation of m over `pairs` (comparison vectors), with u
/// fixed, leaving out the fields in `left_out`. `None` when there are too
/// few pairs or the estimate is degenerate (almost no matches, or almost
/// nothing but matches: then the two classes were not told apart).
pub fn em_session(
    p: &Params,
    pairs: &[Vec<Option<usize>>],
    left_out: &[usize],
    iterations: usize,
) -> Option<Session> {
    if pairs.len() < MIN_PAIRS {
        return None;
    }
    let used = |f: usize| !left_out.contains(&f);
    let mut m = p.m.clone();
    let mut share: f64 = 0.1;
    let mut counts: Vec<Vec<f64>> = Vec::new();
    for _ in 0..iterations {
        counts = m.iter().map(|l| vec![0.0; l.len()]).collect();
        // ln m − ln u per field and level, once per iteration.
        let lr: Vec<Vec<f64>> = m
            .iter()
            .zip(&p.u)
            .map(|(ml, ul)| {
                ml.iter()
                    .zip(ul)
                    .map(|(a, b)| a.max(1e-9).ln() - b.max(1e-9).ln())
                    .collect()
            })
            .collect();
        let mut sum = 0.0;
        let prior = share.ln() - (1.0 - share).ln();
        for v in pairs {
            let mut odds = prior;
            for (f, lvl) in v.iter().enumerate() {
                if let Some(l) = lvl
                    && used(f)
                {
                    odds += lr[f][*l];
                }
            }
            let prob = 1.0 / (1.0 + (-odds).exp());
            sum += prob;
            for (f, lvl) in v.iter().enumerate() {
                if let Some(l) = lvl
                    && used(f)
                {
                    counts[f][*l] += prob;
                }
            }
        }
        for (f, c) in counts.iter().enumerate() {
            let total: f64 = c.iter().sum();
            if used(f) && total >= 1.0 {
                m[f] = proper(c);
            }
        }
        share = (sum / pairs.len() as f64).clamp(1e-6, 1.0 - 1e-6);
    }
    if !(0.001..=0.95).contains(&share) {
        return None;
    }
    // A field seen in fewer than 30 expected matching pairs keeps what it had.
    let m = (0..FIELDS.len())
        .map(|f| (used(f) && counts[f].iter().sum::<f64>() >= 30.0).then(|| m[f].clone()))
        .collect();
    Some(Session {
        m,
        share,
        pairs: pairs.len(),
    })
}

/// Counts to probabilities, no level below 1e-4 (a level a sample never
/// showed is rare, not impossible).
fn proper(c: &[f64]) -> Vec<f64> {
    let floored: Vec<f64> = c.iter().map(|x| x.max(0.0)).collect();
    let total: f64 = floored.iter().sum();
    let raw: Vec<f64> = floored.iter().map(|x| (x / total).max(1e-4)).collect();
    let norm: f64 = raw.iter().sum();
    raw.iter().map(|x| x / norm).collect()
}

/// Take each field's m from the sessions that saw it (their mean), keeping
/// the current m where none did, or where the learnt one would make the
/// best level evidence *against* a match (then EM mistook the classes).
pub fn combine_m(p: &mut Params, sessions: &[Session]) {
    for f in 0..FIELDS.len() {
        let seen: Vec<&Vec<f64>> = sessions.iter().filter_map(|s| s.m[f].as_ref()).collect();
        if seen.is_empty() {
            continue;
        }
        let levels = p.m[f].len();
        let mean: Vec<f64> = (0..levels)
            .map(|l| seen.iter().map(|m| m[l]).sum::<f64>() / seen.len() as f64)
            .collect();
        if mean[0] > p.u[f][0] && mean[levels - 1] < p.u[f][levels - 1] {
            p.m[f] = mean;
        }
    }
}

/// Set u for the levels that random pairs of persons showed at least ten
/// times (fewer cannot resolve a small probability), keeping the rest.
pub fn u_from_random_pairs(p: &mut Params, pairs: &[Vec<Option<usize>>]) {
    for f in 0..FIELDS.len() {
        let mut counts = vec![0.0; FIELDS[f].levels.len()];
        for v in pairs {
            if let Some(l) = v[f] {
                counts[l] += 1.0;
            }
        }
        let total: f64 = counts.iter().sum();
        if total < 1000.0 {
            continue;
        }
        for (l, c) in counts.iter().enumerate() {
            if *c >= 10.0 {
                p.u[f][l] = c / total;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::{DOB, FAMILY, GIVEN};

    #[test]
    fn u_from_value_counts() {
        // 100 persons, each value held by two: 50 agreeing pairs of 4,950.
        let u = u_from_counts(std::iter::repeat_n(2, 50)).unwrap();
        assert!((u - 50.0 / 4950.0).abs() < 1e-12);
        assert_eq!(u_from_counts([3, 4]), None, "too few to say");
    }

    /// 300 matching pairs that mostly agree and 1,700 that do not: EM finds
    /// the share and learns that a typo in the given name is common among
    /// matches; the blocked field is left alone.
    #[test]
    fn em_learns_m_and_the_share_and_leaves_the_blocked_field_out() {
        let p = Params::default();
        let mut pairs = Vec::new();
        for i in 0..2000 {
            let mut v = vec![None; FIELDS.len()];
            if i < 300 {
                v[GIVEN] = Some(if i % 3 == 0 { 2 } else { 0 });
                v[FAMILY] = Some(0);
            } else {
                v[GIVEN] = Some(5);
                v[FAMILY] = Some(if i % 50 == 0 { 0 } else { 5 });
            }
            v[DOB] = Some(0);
            pairs.push(v);
        }
        let s = em_session(&p, &pairs, &[DOB], 30).unwrap();
        assert!((s.share - 0.15).abs() < 0.02, "{}", s.share);
        let given = s.m[GIVEN].as_ref().unwrap();
        assert!((given[2] - 1.0 / 3.0).abs() < 0.05, "{given:?}");
        assert!(s.m[DOB].is_none(), "the key's own field is not learnt");
        let mut q = p.clone();
        combine_m(&mut q, &[s]);
        assert!((q.m[GIVEN][2] - 1.0 / 3.0).abs() < 0.05);
        assert_eq!(q.m[DOB], p.m[DOB]);
    }

    #[test]
    fn too_few_or_undivided_pairs_teach_nothing() {
        let p = Params::default();
        let same = vec![Some(0); FIELDS.len()];
        assert!(em_session(&p, &vec![same.clone(); 10], &[], 10).is_none());
        // Nothing but perfect agreement: every pair a match, no share to find.
        assert!(em_session(&p, &vec![same; 1000], &[], 10).is_none());
    }
}
