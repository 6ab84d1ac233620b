//! `import`, `export`, `generate`, `eval`, `train`, `bench`: data in and
//! out, and measurement.

use super::{
    ADMIN, BenchWhat, Ctx, EvalArgs, Failure, Outcome, STEWARDS, code, parse_map, print_json,
};
use crate::service::Registry;
use crate::service::import::{DEFAULT_BATCH, ImportOptions};
use std::path::Path;

/// Import a CSV file in batches. Ctrl+C stops at the next batch boundary
/// (exit 130); running the same command again resumes.
pub fn import(
    ctx: &Ctx,
    file: &Path,
    sor: String,
    id_column: String,
    map: &[String],
    batch: usize,
) -> Outcome {
    let map = parse_map(map)?;
    let (mut reg, who) = ctx.signed_in(ADMIN)?;
    let f = super::open_file(file)?;
    // Ctrl+C stops at the next batch boundary; a second one ends the
    // process (what is committed stays either way).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, std::sync::atomic::Ordering::Relaxed) {
                std::process::exit(130);
            }
            eprintln!("\nstopping after this batch (Ctrl+C again to quit now)…");
        });
    }
    let total = crate::service::import::count_rows(file);
    let opts = ImportOptions {
        sor,
        id_column,
        map,
        batch,
        stop: Some(stop),
        wal_limit: crate::service::import::WAL_LIMIT,
        rows_expected: (total > 0).then_some(total),
    };
    let started = std::time::Instant::now();
    let result = reg.import_csv(&who, std::io::BufReader::new(f), &opts, &mut |s| {
        eprint!("\r{}", progress_line(s, total, started.elapsed()));
    });
    eprintln!();
    let s = result.map_err(|e| Failure::Failed(format!("import failed: {e}")))?;
    let mut v = serde_json::to_value(&s).unwrap_or_default();
    v["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
    if let Some(o) = v.as_object_mut() {
        o.remove("batches");
    }
    print_json(&v, true);
    if s.interrupted {
        eprintln!(
            "registrar: stopped after {} rows; run the same command again to resume",
            s.rows
        );
        return code(130);
    }
    code(0)
}

/// One row per SOR record: sor, sor_id, reference_id, status. A write
/// error (a full disk) is reported, not dropped.
pub fn export_links(ctx: &Ctx, format: &str) -> Outcome {
    let (reg, _) = ctx.signed_in(STEWARDS)?;
    let links = reg.export_links()?;
    if format == "json" {
        let rows: Vec<_> = links
            .iter()
            .map(|(s, i, r, st)| serde_json::json!({"sor": s, "sor_id": i, "reference_id": r, "status": st}))
            .collect();
        print_json(&rows, false);
        return code(0);
    }
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    let written = w
        .write_record(["sor", "sor_id", "reference_id", "status"])
        .and_then(|()| {
            links
                .iter()
                .try_for_each(|(s, i, r, st)| w.write_record([s, i, r, st]))
        })
        .and_then(|()| w.flush().map_err(csv::Error::from));
    match written {
        Ok(()) => code(0),
        Err(e) => match e.kind() {
            csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe => code(0),
            _ => Err(Failure::Failed(format!(
                "cannot write to standard output: {e}"
            ))),
        },
    }
}

/// Write `persons` generated persons with duplicates to `out`.
pub fn generate(out: &Path, persons: usize, dup_rate: f64, seed: u64) -> Outcome {
    let n = std::fs::File::create(out)
        .and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            crate::tools::generate::generate(&mut w, persons, dup_rate, seed)
        })
        .map_err(|e| Failure::Failed(format!("{}: {e}", out.display())))?;
    eprintln!("wrote {n} rows to {}", out.display());
    code(0)
}

/// Link a labelled file into an in-memory registry and score the links.
pub fn eval(file: &Path, a: EvalArgs) -> Outcome {
    let map = parse_map(&a.map)?;
    let truth = match a.truth_column {
        Some(c) => crate::tools::eval::Truth::Column(c),
        None => crate::tools::eval::Truth::FebrlId,
    };
    let opts = ImportOptions {
        sor: a.sor,
        id_column: a.id_column,
        map,
        batch: DEFAULT_BATCH,
        stop: None,
        wal_limit: crate::service::import::WAL_LIMIT,
        rows_expected: Some(crate::service::import::count_rows(file)),
    };
    if a.sweep {
        crate::tools::eval::sweep(file, &opts, &truth, &mut |line| out!("{line}"))
            .map_err(Failure::Failed)?;
        return code(0);
    }
    let mut reg = Registry::in_memory();
    let mut r =
        crate::tools::eval::evaluate(file, &opts, &truth, &mut reg).map_err(Failure::Failed)?;
    r.import.dropped_fields.truncate(20);
    print_json(&r, true);
    if a.errors > 0 {
        crate::tools::eval::print_errors(file, &opts, &truth, &reg, a.errors, &mut |l| {
            eprintln!("{l}")
        })
        .map_err(Failure::Failed)?;
    }
    code(0)
}

/// Learn the matching model from the registry's own records.
pub fn train(ctx: &Ctx, min_persons: i64, dry_run: bool) -> Outcome {
    let (mut reg, _) = ctx.signed_in(ADMIN)?;
    let r = reg
        .train(min_persons, !dry_run)
        .map_err(|e| Failure::Failed(format!("train: {e}")))?;
    out!(
        "{} persons ({} read); {} random pairs; EM over {:?} pairs (same birth date; names alike), match shares {:?}; model version {}, {}; {} waiting records linked",
        r.persons,
        r.sampled_persons,
        r.random_pairs,
        r.session_pairs,
        r.session_match_share
            .iter()
            .map(|s| format!("{s:.3}"))
            .collect::<Vec<_>>(),
        r.params.version,
        if r.saved {
            "saved"
        } else {
            "not saved (dry run or too small)"
        },
        r.relinked
    );
    out!(
        "{}",
        crate::core::matching::weights_table(&r.params).trim_end()
    );
    code(0)
}

/// The benchmarks: one JSON line each.
pub fn bench(ctx: &Ctx, what: BenchWhat) -> Outcome {
    let db = &ctx.db;
    let result = match what {
        BenchWhat::Import {
            rows,
            seed,
            file: None,
            ..
        } => crate::tools::bench::import(db, rows, seed),
        BenchWhat::Import {
            file: Some(file),
            map,
            id_column,
            batch,
            ..
        } => {
            let map = parse_map(&map)?;
            crate::tools::bench::import_file(
                db,
                &file,
                ImportOptions {
                    sor: "BENCH".into(),
                    id_column,
                    map,
                    batch,
                    stop: None,
                    wal_limit: crate::service::import::WAL_LIMIT,
                    // Counted by the benchmark, on its clock.
                    rows_expected: None,
                },
            )
        }
        BenchWhat::People {
            persons,
            queries,
            seed,
        } => crate::tools::bench::people(db, persons, queries, seed),
        BenchWhat::Paging { persons } => crate::tools::bench::paging(db, persons),
        BenchWhat::Sync { changes, dir, seed } => crate::tools::bench::sync(&dir, changes, seed),
    };
    let mut v = result.map_err(|e| Failure::Failed(format!("bench: {e}")))?;
    v["machine"] = crate::tools::bench::machine();
    out!("{v}");
    code(0)
}

/// `[#####.....]  42 % 420,000 of 1,000,000 rows · 6,100 rows/s · 1m 35s left
/// · 80,000 linked, 300,000 new, 1,200 queued`.
pub fn progress_line(
    s: &crate::service::import::ImportSummary,
    total: u64,
    elapsed: std::time::Duration,
) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = s.rows as f64 / secs;
    let share = if total > 0 {
        (s.rows as f64 / total as f64).min(1.0)
    } else {
        0.0
    };
    let filled = (share * 20.0).round() as usize;
    let left = if rate > 0.0 && total > s.rows {
        let t = ((total - s.rows) as f64 / rate) as u64;
        format!("{}m {:02}s left", t / 60, t % 60)
    } else {
        "—".into()
    };
    format!(
        "[{}{}] {:>3.0} % {} of {} rows · {:.0} rows/s · {} · {} linked, {} new, {} queued, {} rejected",
        "#".repeat(filled),
        ".".repeat(20 - filled),
        share * 100.0,
        s.rows,
        total,
        rate,
        left,
        s.linked,
        s.new,
        s.queued,
        s.rejected.len()
    )
}
