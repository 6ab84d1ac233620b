//! `registrar bench …`: the performance targets, measured.

use super::generate::generate;
use crate::api;
use crate::service::import::ImportOptions;
use crate::service::{Actor, Registry};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub fn generated_options() -> ImportOptions {
    ImportOptions {
        sor: "GEN".into(),
        id_column: "rec_id".into(),
        map: vec![],
        batch: 2000,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Import `rows` generated rows into a new database at `db`.
pub fn import(db: &Path, rows: usize, seed: u64) -> Result<serde_json::Value, String> {
    let persons = (rows as f64 / 1.24).ceil() as usize;
    let mut csv = Vec::new();
    generate(&mut csv, persons, 0.2, seed).map_err(|e| e.to_string())?;
    let csv: Vec<u8> = {
        let text = String::from_utf8(csv).map_err(|e| e.to_string())?;
        text.lines()
            .take(rows + 1)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    };
    let _ = std::fs::remove_file(db);
    let mut reg = Registry::open(db).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let s = reg
        .import_csv(&Actor::system(), &csv[..], &generated_options(), &mut |s| {
            eprint!("\rimported {} rows", s.rows);
        })
        .map_err(|e| e.to_string())?;
    eprintln!();
    let secs = started.elapsed().as_secs_f64();
    Ok(json!({
        "bench": "import", "rows": s.rows, "seconds": secs, "rows_per_second": s.rows as f64 / secs,
        "linked": s.linked, "new": s.new, "queued": s.queued, "rejected": s.rejected.len(),
        "peak_rss_mib": peak_rss_mib(),
    }))
}

/// `POST /people` latency against a registry of `persons` generated persons.
pub fn people(
    db: &Path,
    persons: usize,
    queries: usize,
    seed: u64,
) -> Result<serde_json::Value, String> {
    let existing = Registry::open(db)
        .ok()
        .and_then(|r| crate::store::count(&r.store.conn, "persons").ok())
        .unwrap_or(0) as usize;
    if existing < persons {
        eprintln!(
            "building a registry of {persons} persons in {} …",
            db.display()
        );
        import(db, persons, seed)?;
    }
    let mut reg = Registry::open(db).map_err(|e| e.to_string())?;
    // Queries: fresh generated records, half of them noisy duplicates.
    let mut csv = Vec::new();
    generate(&mut csv, queries, 1.0, seed + 1).map_err(|e| e.to_string())?;
    let mut rdr = csv::Reader::from_reader(&csv[..]);
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let mut lat = Vec::with_capacity(queries);
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    for (i, r) in rdr.records().take(queries).enumerate() {
        let r = r.map_err(|e| e.to_string())?;
        let get = |k: &str| {
            headers
                .iter()
                .position(|h| h == k)
                .and_then(|j| r.get(j))
                .unwrap_or("")
        };
        let body = json!({"requestType": "referenceId", "version": "1.0", "sor": "BENCH", "sorAttributes": {
            "sorId": format!("q{seed}-{i}"), "givenName": get("given_name"), "sn": get("family_name"),
            "dateOfBirth": get("birth_date"), "gender": get("gender"), "mobile": get("phone"), "email": get("email"),
            "tax_id": get("tax_id"), "street": get("street"), "houseNumber": get("house_number"), "city": get("city"),
            "postalCode": get("postal_code")}})
        .to_string();
        let t = Instant::now();
        let resp = api::handle(
            &mut reg,
            &Actor::system(),
            "POST",
            "/people",
            body.as_bytes(),
        );
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        *statuses.entry(resp.status).or_default() += 1;
    }
    lat.sort_by(f64::total_cmp);
    Ok(json!({
        "bench": "people", "registry_persons": persons.max(existing), "queries": lat.len(),
        "median_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99), "max_ms": lat.last().copied().unwrap_or(0.0),
        "statuses": statuses, "peak_rss_mib": peak_rss_mib(),
    }))
}
