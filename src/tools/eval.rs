//! Accuracy evaluation: import a labelled file into a fresh registry and
//! compare the pairs that share a reference id with the truth.

use crate::service::import::{ImportOptions, ImportSummary};
use crate::service::{Actor, Registry};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Where the truth comes from.
#[derive(Debug, Clone)]
pub enum Truth {
    /// A column holding a cluster label.
    Column(String),
    /// Febrl's ids: `rec-N-org` and `rec-N-dup-K` share N.
    FebrlId,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub records: usize,
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Records waiting in the reconciliation queue.
    pub queued: u64,
    /// True pairs whose record waits in the queue with its true match among the candidates.
    pub true_pairs_in_review: u64,
    /// Persons the engine made (records that are not waiting for review).
    pub persons: u64,
    /// Records of the largest person: a person made of many real people
    /// shows here first.
    pub largest_person: u64,
    /// Persons whose records belong to more than one true entity.
    pub mixed_persons: u64,
    pub seconds: f64,
    pub import: ImportSummary,
}

/// sor_id → true entity label, from the file.
fn read_labels(
    file: &Path,
    opts: &ImportOptions,
    truth: &Truth,
) -> Result<HashMap<String, String>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(file)
        .map_err(|e| e.to_string())?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let id_idx = col(&opts.id_column)?;
    let truth_idx = match truth {
        Truth::Column(c) => Some(col(c)?),
        Truth::FebrlId => None,
    };
    let mut label: HashMap<String, String> = HashMap::new();
    for r in rdr.records() {
        let r = r.map_err(|e| e.to_string())?;
        let id = r.get(id_idx).unwrap_or("").to_string();
        let t = match truth_idx {
            Some(i) => r.get(i).unwrap_or("").to_string(),
            None => id.split('-').nth(1).unwrap_or("").to_string(),
        };
        label.insert(id, t);
    }
    Ok(label)
}

/// After [`evaluate`] on `reg`: up to `n` false links (two records of one
/// person that the truth says are different people) and `n` missed pairs
/// (one true entity split, or waiting), each scored record against record
/// with the explanation, so a matcher change can be reasoned about.
pub fn print_errors(
    file: &Path,
    opts: &ImportOptions,
    truth: &Truth,
    reg: &Registry,
    n: usize,
    out: &mut dyn FnMut(String),
) -> Result<(), String> {
    use crate::core::matching::MatchRecord;
    let label = read_labels(file, opts, truth)?;
    let links = reg.export_links().map_err(|e| e.to_string())?;
    let rec = |sor_id: &str| reg.sor_match_record(&opts.sor, sor_id).ok().flatten();
    let pending_rec = |sor_id: &str| reg.pending_match_record(&opts.sor, sor_id).ok().flatten();
    let mut by_truth: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    let mut by_ref: HashMap<&str, Vec<&str>> = HashMap::new();
    for (sor, sor_id, rid, status) in &links {
        if *sor != opts.sor {
            continue;
        }
        let Some(t) = label.get(sor_id) else { continue };
        let r = if status == "pending" {
            ""
        } else {
            rid.as_str()
        };
        by_truth.entry(t).or_default().push((sor_id, r));
        if !r.is_empty() {
            by_ref.entry(rid).or_default().push(sor_id);
        }
    }
    let mut show =
        |kind: &str, a: &str, b: &str, ra: Option<MatchRecord>, rb: Option<MatchRecord>| {
            let (Some(x), Some(y)) = (ra, rb) else { return };
            let Ok(report) = reg.explain_pair(&x, &y) else {
                return;
            };
            let (e, hold, link_at) = (report.explanation, report.hold, report.link_at);
            let fields: Vec<String> = e
                .fields
                .iter()
                .filter(|f| f.level != "missing")
                .map(|f| {
                    format!(
                        "{}={}|{} {} {:+.1}",
                        f.field, f.left, f.right, f.level, f.weight
                    )
                })
                .collect();
            let ka = x.blocking_keys();
            let blocked = y.blocking_keys().iter().any(|k| ka.contains(k));
            out(format!(
                "{kind} {a} ~ {b}: {:.2} % ({:+.1} bits; links at {link_at:.2} %){}{}\n    {}",
                e.confidence,
                e.score,
                if blocked { "" } else { " NO SHARED KEY" },
                hold.map(|h| format!(" HOLD: {}", h.words()))
                    .unwrap_or_default(),
                fields.join("\n    ")
            ));
        };
    let mut shown = 0;
    let mut refs: Vec<_> = by_ref.iter().collect();
    refs.sort();
    'false_links: for (_, ids) in refs {
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                if label.get(*a) != label.get(*b) {
                    show("FALSE LINK", a, b, rec(a), rec(b));
                    shown += 1;
                    if shown >= n {
                        break 'false_links;
                    }
                }
            }
        }
    }
    let mut shown = 0;
    let mut truths: Vec<_> = by_truth.iter().collect();
    truths.sort();
    'missed: for (_, ids) in truths {
        for (i, (a, ra)) in ids.iter().enumerate() {
            for (b, rb) in &ids[i + 1..] {
                if ra.is_empty() || ra != rb {
                    let get = |id: &str, r: &str| {
                        if r.is_empty() {
                            pending_rec(id)
                        } else {
                            rec(id)
                        }
                    };
                    let kind = if ra.is_empty() || rb.is_empty() {
                        "IN REVIEW"
                    } else {
                        "MISSED"
                    };
                    show(kind, a, b, get(a, ra), get(b, rb));
                    shown += 1;
                    if shown >= n {
                        break 'missed;
                    }
                }
            }
        }
    }
    Ok(())
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

pub fn evaluate(
    file: &Path,
    opts: &ImportOptions,
    truth: &Truth,
    reg: &mut Registry,
) -> Result<EvalReport, String> {
    let started = std::time::Instant::now();
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let summary = reg
        .import_csv(
            &Actor::system(),
            std::io::BufReader::new(f),
            opts,
            &mut |_| {},
        )
        .map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let label = read_labels(file, opts, truth)?;
    let links = reg.export_links().map_err(|e| e.to_string())?;
    let mut by_truth: HashMap<&str, u64> = HashMap::new();
    let mut by_ref: HashMap<&str, u64> = HashMap::new();
    let mut by_both: HashMap<(&str, &str), u64> = HashMap::new();
    let mut ref_of: HashMap<&str, &str> = HashMap::new();
    for (sor, sor_id, rid, status) in &links {
        if *sor != opts.sor {
            continue;
        }
        let Some(t) = label.get(sor_id) else { continue };
        *by_truth.entry(t).or_default() += 1;
        if status != "pending" {
            *by_ref.entry(rid).or_default() += 1;
            *by_both.entry((t, rid)).or_default() += 1;
            ref_of.insert(sor_id, rid);
        }
    }
    let true_pairs: u64 = by_truth.values().map(|n| pairs(*n)).sum();
    let predicted_pairs: u64 = by_ref.values().map(|n| pairs(*n)).sum();
    let tp: u64 = by_both.values().map(|n| pairs(*n)).sum();
    let largest_person = by_ref.values().copied().max().unwrap_or(0);
    let mut entities_per_person: HashMap<&str, u64> = HashMap::new();
    for (_, rid) in by_both.keys() {
        *entities_per_person.entry(rid).or_default() += 1;
    }
    let mixed_persons = entities_per_person.values().filter(|n| **n > 1).count() as u64;
    // Pending records whose true match is among their candidates.
    let mut in_review = 0;
    let pending = reg.pending(i64::MAX).map_err(|e| e.to_string())?;
    for p in &pending {
        let Some(t) = label.get(&p.sor_id) else {
            continue;
        };
        let cand_refs: Vec<&str> = p
            .candidates
            .iter()
            .map(|c| c.reference_id.as_str())
            .collect();
        in_review += by_both
            .iter()
            .filter(|((tt, rid), _)| tt == t && cand_refs.contains(rid))
            .map(|(_, n)| *n)
            .sum::<u64>();
    }
    let precision = if predicted_pairs == 0 {
        1.0
    } else {
        tp as f64 / predicted_pairs as f64
    };
    let recall = if true_pairs == 0 {
        1.0
    } else {
        tp as f64 / true_pairs as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Ok(EvalReport {
        records: label.len(),
        true_pairs,
        predicted_pairs,
        true_positives: tp,
        false_positives: predicted_pairs - tp,
        false_negatives: true_pairs - tp,
        precision,
        recall,
        f1,
        queued: pending.len() as u64,
        true_pairs_in_review: in_review,
        persons: by_ref.len() as u64,
        largest_person,
        mixed_persons,
        seconds,
        import: summary,
    })
}

/// Auto-link levels `sweep` tries, in percent.
pub const SWEEP_LEVELS: &[f64] = &[50.0, 80.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99];

/// Import the file afresh at each auto-link level (links are decided as
/// rows arrive, so each level needs its own run) and report one JSON line
/// per level: precision, recall, F1, false pairs and the largest person.
pub fn sweep(
    file: &Path,
    opts: &ImportOptions,
    truth: &Truth,
    out: &mut dyn FnMut(String),
) -> Result<(), String> {
    for level in SWEEP_LEVELS {
        let mut reg = Registry::in_memory();
        reg.configure("auto_link", Some(&level.to_string()))
            .map_err(|e| e.to_string())?;
        let r = evaluate(file, opts, truth, &mut reg)?;
        out(serde_json::json!({
            "auto_link": level, "precision": r.precision, "recall": r.recall, "f1": r.f1,
            "false_pairs": r.false_positives, "largest_person": r.largest_person,
            "true_pairs_in_review": r.true_pairs_in_review,
        })
        .to_string());
    }
    Ok(())
}
