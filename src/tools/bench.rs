//! `registrar bench …`: the performance targets, measured.

use super::generate::generate;
use crate::api;
use crate::service::import::{BatchMark, ImportOptions};
use crate::service::{Actor, Registry, Table};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// The machine a measurement was made on: the processor's model, how many
/// processors the process may use, and the sizes of cpu0's L2 and L3.
/// Figures from two hosts of the same kind differ by twice (a 2-core
/// Emerald Rapids with a 260 MiB L3 against a 2-core EPYC with 8 MiB):
/// every report says which it was. Linux; empty fields elsewhere.
pub fn machine() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cache = |level: &str| {
        std::fs::read_to_string(format!("/sys/devices/system/cpu/cpu0/cache/{level}/size"))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    json!({
        "cpu": cpu_model(&cpuinfo).unwrap_or_default(),
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "l2_cache": cache("index2"),
        "l3_cache": cache("index3"),
    })
}

/// The first `model name` of a `/proc/cpuinfo`.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == "model name").then(|| v.trim().to_string())
    })
}

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    proc_status_mib("self", "VmHWM:")
}

/// A memory field of `/proc/{pid}/status` (given in kB there), in MiB; 0
/// when it cannot be read.
fn proc_status_mib(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Resident memory of process `pid` ("self" for this one) in MiB:
/// (anonymous, file-backed). Anonymous memory is the heap; file-backed is
/// mostly the SQLite memory map, page cache the kernel can drop.
pub fn rss_mib(pid: &str) -> (f64, f64) {
    let tenths = |mib: f64| (mib * 10.0).round() / 10.0;
    (
        tenths(proc_status_mib(pid, "RssAnon:")),
        tenths(proc_status_mib(pid, "RssFile:")),
    )
}

/// A hub in its own process (this binary's `hub` command), killed on drop.
struct HubProcess {
    child: std::process::Child,
    url: String,
}

impl HubProcess {
    fn start(db: &Path, key_id: &str, secret: &str, source: &str) -> Result<HubProcess, String> {
        use std::io::BufRead;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let db_arg = db.to_str().ok_or("the hub database path is not UTF-8")?;
        let out = std::process::Command::new(&exe)
            .args(["--db", db_arg, "hub", "client", "add", key_id])
            .args(["--sources", source])
            .env("REGISTRAR_HUB_SECRET", secret)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "hub client add: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let mut child = std::process::Command::new(&exe)
            .args(["--db", db_arg, "hub", "--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no hub stdout")?;
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .ok_or_else(|| format!("the hub did not start: {line}"))?
            .to_string();
        Ok(HubProcess { child, url })
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn generated_options() -> ImportOptions {
    ImportOptions {
        sor: "GEN".into(),
        id_column: "rec_id".into(),
        map: vec![],
        batch: crate::service::import::DEFAULT_BATCH,
        stop: None,
        wal_limit: crate::service::import::WAL_LIMIT,
        rows_expected: None,
    }
}

/// Generated rows as maps from column name to value.
fn generated_rows(
    persons: usize,
    dup_rate: f64,
    seed: u64,
) -> Result<Vec<std::collections::HashMap<String, String>>, String> {
    let mut csv = Vec::new();
    generate(&mut csv, persons, dup_rate, seed).map_err(|e| e.to_string())?;
    let mut rdr = csv::Reader::from_reader(&csv[..]);
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    rdr.records()
        .map(|r| {
            let r = r.map_err(|e| e.to_string())?;
            Ok(headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect())
        })
        .collect()
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
    let opts = ImportOptions {
        rows_expected: Some(rows as u64),
        ..generated_options()
    };
    timed_import(db, &csv[..], opts, None)
}

/// Import a CSV file into a new database at `db`: rows/s in each tenth of
/// the run (so that a cost per row growing with the registry shows), peak
/// RSS, the largest the WAL grew, and the database's final size.
/// This thread's time on a CPU and waiting for one, in seconds, from
/// `/proc/thread-self/schedstat` (Linux; zeros elsewhere): the import's
/// writer runs on the calling thread, and the slower of its two stages
/// sets the pace, so its CPU time is the cost to compare between builds
/// on a machine whose speed drifts.
fn thread_cpu() -> [f64; 2] {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut ns = s
        .split_whitespace()
        .map(|v| v.parse::<f64>().unwrap_or(0.0) / 1e9);
    [ns.next().unwrap_or(0.0), ns.next().unwrap_or(0.0)]
}

pub fn import_file(
    db: &Path,
    file: &Path,
    opts: ImportOptions,
) -> Result<serde_json::Value, String> {
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut report = timed_import(db, std::io::BufReader::new(f), opts, Some(file))?;
    report["file"] = json!(file.display().to_string());
    Ok(report)
}

/// Import `input` into a new database at `db` and report the run; with
/// `count`, the file's rows are counted first, on the clock, as
/// `registrar import` counts them for its progress bar.
fn timed_import(
    db: &Path,
    input: impl std::io::Read + Send,
    mut opts: ImportOptions,
    count: Option<&Path>,
) -> Result<serde_json::Value, String> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut reg = Registry::open(db).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let cpu_before = thread_cpu();
    // The process's CPU time as each batch ends, by rows done.
    let mut spent = vec![(0, process_cpu(), thread_cpu()[0])];
    if let Some(file) = count {
        opts.rows_expected = Some(crate::service::import::count_rows(file));
    }
    // When the last batch ended: what follows is the import's end (the
    // deferred indexes built, the search keys merged), on one core.
    let mut batches_done = 0.0;
    let s = reg
        .import_csv(&Actor::system(), input, &opts, &mut |s| {
            // Called on the writer's thread: its own CPU beside the process's.
            spent.push((s.rows, process_cpu(), thread_cpu()[0]));
            batches_done = started.elapsed().as_secs_f64();
            eprint!("\rimported {} rows", s.rows);
        })
        .map_err(|e| e.to_string())?;
    eprintln!();
    let secs = started.elapsed().as_secs_f64();
    let cpu = thread_cpu();
    let [writer_cpu, writer_queued] = [cpu[0] - cpu_before[0], cpu[1] - cpu_before[1]];
    drop(reg);
    let tenths = per_tenth(&s.batches, &spent);
    let size = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    Ok(json!({
        "bench": "import", "rows": s.rows, "seconds": secs,
        "rows_per_second": s.rows as f64 / secs,
        "rows_per_second_by_tenth": tenths.speed,
        "persons_compared_per_row_by_tenth": tenths.work,
        "records_compared_per_row_by_tenth": tenths.records,
        "writer_waiting_for_scorer_by_tenth": tenths.waited,
        "cpu_microseconds_per_row_by_tenth": tenths.cpu,
        "writer_cpu_microseconds_per_row_by_tenth": tenths.writer_cpu,
        "last_tenth_over_first_per_row": {
            "time": last_over_first(&tenths.speed, |v| 1.0 / v),
            "cpu": last_over_first(&tenths.cpu, |v| v),
        },
        "seconds_after_the_last_batch": secs - batches_done,
        "process_cpu_seconds": process_cpu() - spent[0].1,
        "writer_cpu_seconds": writer_cpu,
        "writer_waiting_for_a_cpu_seconds": writer_queued,
        "linked": s.linked, "new": s.new, "queued": s.queued, "rejected": s.rejected.len(),
        "models_learnt": s.models_learnt,
        "peak_rss_mib": peak_rss_mib(),
        "peak_wal_mib": s.peak_wal_bytes as f64 / 1048576.0,
        "wal_written_mib": s.wal_bytes_written as f64 / 1048576.0,
        "database_mib": size as f64 / 1048576.0,
        "database_mib_per_million_persons": size as f64 / 1048576.0 / (s.new.max(1) as f64 / 1e6),
    }))
}

/// The process's CPU time so far, every thread's, user and system, in
/// seconds (`/proc/self/stat`; 0 where there is none). Beside the time per
/// row, the CPU per row shows how a row's cost grows in one run apart
/// from this machine's waits for a core (it drifts with the machine's
/// speed all the same).
fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name (in parentheses, which may hold
    // spaces): utime and stime are the 12th and 13th, in clock ticks of
    // 1/100 s (USER_HZ, fixed for `/proc`).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    ticks(11).unwrap_or(0.0) / 100.0 + ticks(12).unwrap_or(0.0) / 100.0
}

/// The last tenth's cost per row over the first's, from a per-tenth
/// figure (`cost` turns it into a cost per row); 0 without ten tenths.
fn last_over_first(by_tenth: &[f64], cost: fn(f64) -> f64) -> f64 {
    match (by_tenth.first(), by_tenth.get(9)) {
        (Some(&a), Some(&b)) if a > 0.0 && b > 0.0 => (cost(b) / cost(a) * 100.0).round() / 100.0,
        _ => 0.0,
    }
}

/// Each tenth of the rows, from where the import stood at the end of each
/// batch: rows per second, persons compared per row, the share of the
/// time the writer waited for the scorer, and the process's CPU time per
/// row in microseconds (from `spent`: rows done and CPU seconds, taken as
/// each batch ended).
struct Tenths {
    speed: Vec<f64>,
    work: Vec<f64>,
    /// Records compared per row: the persons' records.
    records: Vec<f64>,
    waited: Vec<f64>,
    cpu: Vec<f64>,
    /// The writer's thread's share of `cpu`.
    writer_cpu: Vec<f64>,
}

fn per_tenth(marks: &[BatchMark], spent: &[(u64, f64, f64)]) -> Tenths {
    let mut t = Tenths {
        speed: Vec::new(),
        work: Vec::new(),
        records: Vec::new(),
        waited: Vec::new(),
        cpu: Vec::new(),
        writer_cpu: Vec::new(),
    };
    let cpu_at = |rows: u64| spent.iter().find(|s| s.0 >= rows).map(|s| [s.1, s.2]);
    let Some(total) = marks.last().map(|m| m.rows) else {
        return t;
    };
    let mut last = BatchMark::default();
    for tenth in 1..=10u64 {
        let goal = total * tenth / 10;
        let Some(&m) = marks.iter().find(|m| m.rows >= goal) else {
            break;
        };
        if m.rows > last.rows && m.seconds > last.seconds {
            let rows = (m.rows - last.rows) as f64;
            let secs = m.seconds - last.seconds;
            t.speed.push((rows / secs).round());
            let per_row = |n: u64| (n as f64 / rows * 10.0).round() / 10.0;
            t.work.push(per_row(m.compared - last.compared));
            t.records.push(per_row(m.records - last.records));
            t.waited
                .push(((m.waited - last.waited) / secs * 100.0).round() / 100.0);
            if let (Some(a), Some(b)) = (cpu_at(last.rows), cpu_at(m.rows)) {
                let cpu_per_row = |i: usize| ((b[i] - a[i]) / rows * 1e7).round() / 10.0;
                t.cpu.push(cpu_per_row(0));
                t.writer_cpu.push(cpu_per_row(1));
            }
            last = m;
        }
    }
    t
}

/// `POST /people` latency against a registry of `persons` generated persons.
pub fn people(
    db: &Path,
    persons: usize,
    queries: usize,
    seed: u64,
) -> Result<serde_json::Value, String> {
    // The registry is built from `persons` generated rows; duplicates among
    // them link to one person, so count the imported rows, not the persons.
    let existing = Registry::open(db)
        .ok()
        .and_then(|r| r.row_count(Table::SorRecords).ok())
        .unwrap_or(0) as usize;
    if existing < persons {
        eprintln!(
            "building a registry of {persons} persons in {} …",
            db.display()
        );
        import(db, persons, seed)?;
    }
    let mut reg = Registry::open(db).map_err(|e| e.to_string())?;
    // A process loads the blocking index once (the hub before it listens):
    // timed apart from the queries.
    let t = Instant::now();
    let indexed = reg.warm_index().map_err(|e| e.to_string())?;
    let index_load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let index_rss_mib = peak_rss_mib();
    // Queries: fresh generated records, half of them noisy duplicates.
    let mut lat = Vec::with_capacity(queries);
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    for (i, r) in generated_rows(queries, 1.0, seed + 1)?
        .into_iter()
        .take(queries)
        .enumerate()
    {
        let get = |k: &str| r.get(k).map(String::as_str).unwrap_or("");
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
        "bench": "people", "generated_rows": persons.max(existing),
        "registry_persons": reg.row_count(Table::Persons).unwrap_or(0), "queries": lat.len(),
        "median_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99), "max_ms": lat.last().copied().unwrap_or(0.0),
        "statuses": statuses, "peak_rss_mib": peak_rss_mib(),
        "index_persons": indexed, "index_load_ms": index_load_ms,
        "peak_rss_mib_after_index_load": index_rss_mib,
    }))
}

/// Seed 003 paging and code search over `persons` persons: the worst page time.
pub fn paging(db: &Path, persons: usize) -> Result<serde_json::Value, String> {
    let mut reg = Registry::open(db).map_err(|e| e.to_string())?;
    let have = reg.row_count(Table::Persons).map_err(|e| e.to_string())? as usize;
    if have < persons {
        eprintln!("inserting {} persons …", persons - have);
        reg.seed_minimal_persons(persons - have)
            .map_err(|e| e.to_string())?;
    }
    let n = reg.row_count(Table::Persons).map_err(|e| e.to_string())?;
    let mut worst: f64 = 0.0;
    let mut all = Vec::new();
    let offsets = [0, n / 4, n / 2, 3 * n / 4, n - 50, n - 1];
    for &off in &offsets {
        for _ in 0..10 {
            let t = Instant::now();
            let r = api::handle(
                &mut reg,
                &Actor::system(),
                "GET",
                &format!("/generic/persons?offset={off}&limit=50"),
                b"",
            );
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if r.status != 200 {
                return Err(format!("page at {off}: {}", r.status));
            }
            worst = worst.max(ms);
            all.push(ms);
        }
    }
    let codes = reg.sample_reference_ids(50).map_err(|e| e.to_string())?;
    let mut worst_code: f64 = 0.0;
    for c in &codes {
        let t = Instant::now();
        let r = api::handle(
            &mut reg,
            &Actor::system(),
            "GET",
            &format!("/generic/persons?code={c}"),
            b"",
        );
        worst_code = worst_code.max(t.elapsed().as_secs_f64() * 1000.0);
        if r.body["count"] != 1 {
            return Err(format!("code {c} not found"));
        }
    }
    all.sort_by(f64::total_cmp);
    Ok(
        json!({"bench": "paging", "persons": n, "pages_timed": all.len(), "median_page_ms": percentile(&all, 0.5),
              "worst_page_ms": worst, "worst_code_search_ms": worst_code, "peak_rss_mib": peak_rss_mib()}),
    )
}

/// postIdentity throughput: a hub on loopback, one workstation draining an
/// outbox of `changes` changes.
pub fn sync(dir: &Path, changes: usize, seed: u64) -> Result<serde_json::Value, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let hub_db = dir.join("bench-hub.db");
    let ws_db = dir.join("bench-ws.db");
    for p in [&hub_db, &ws_db] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
        }
    }
    let secret = "bench-secret-0123456789abcdef";
    // The hub runs in its own process, as in production, so that this
    // process's memory is the workstation's alone.
    let hub = HubProcess::start(&hub_db, "bench", secret, "BENCH")?;
    let mut ws = Registry::open(&ws_db).map_err(|e| e.to_string())?;
    for (k, v) in [
        ("site_source", "BENCH".to_string()),
        ("hub_url", hub.url.clone()),
        ("hub_key_id", "bench".into()),
    ] {
        ws.configure(k, Some(&v)).map_err(|e| e.to_string())?;
    }
    crate::sync::save_secret(&ws_db, secret).map_err(|e| e.to_string())?;
    eprintln!("registering {changes} persons …");
    let mut made = 0;
    for (i, r) in generated_rows(changes, 0.0, seed)?.into_iter().enumerate() {
        let get = |k: &str| r.get(k).cloned().unwrap_or_default();
        let mut body = json!({"person": {"first_name": get("given_name"), "last_name": get("family_name"), "birth_date": get("birth_date"),
            "gender": get("gender"), "birth_country": "UA", "phones": [{"type": "MOBILE", "number": get("phone")}],
            "documents": [{"type": "PASSPORT", "number": format!("АА{:06}", i % 1_000_000), "issued_by": "Kyiv", "issued_at": "2015-01-01"}],
            "authentication_methods": [{"type": "OTP", "phone_number": get("phone")}]}});
        match get("tax_id") {
            t if t.is_empty() => body["person"]["no_tax_id"] = json!(true),
            t => body["person"]["tax_id"] = json!(t),
        }
        if ws.person_request(&Actor::system(), &body).is_ok() {
            made += 1;
        }
    }
    let cfg = crate::sync::load_config(&ws, &ws_db)?;
    let started = Instant::now();
    let mut sent = 0;
    let hub_pid = hub.child.id().to_string();
    let mut samples = Vec::new();
    let sample = |sent: usize, secs: f64| {
        let (anon, file) = rss_mib("self");
        let (hub_anon, hub_file) = rss_mib(&hub_pid);
        json!({"sent": sent, "seconds": (secs * 10.0).round() / 10.0,
               "workstation_anon_mib": anon, "workstation_file_mib": file,
               "hub_anon_mib": hub_anon, "hub_file_mib": hub_file})
    };
    samples.push(sample(0, 0.0));
    while sent < made {
        let r = crate::sync::sync_once(&mut ws, &cfg, (made / 10).max(1) as u64);
        if r.retry_error.is_some() || r.fatal_error.is_some() {
            return Err(format!("sync stopped: {r:?}"));
        }
        sent += r.sent as usize;
        samples.push(sample(sent, started.elapsed().as_secs_f64()));
        eprint!("\rsent {sent}/{made}");
        if r.sent == 0 {
            break;
        }
    }
    eprintln!();
    let secs = started.elapsed().as_secs_f64();
    let left = ws.outbox_len().map_err(|e| e.to_string())?;
    drop(hub);
    Ok(
        json!({"bench": "sync", "changes": made, "sent": sent, "outbox_left": left, "seconds": secs,
              "calls_per_second": sent as f64 / secs, "memory_after_each_tenth": samples,
              "workstation_peak_rss_mib": peak_rss_mib()}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tenths from batch marks: a run whose second half takes twice the
    /// time and three times the CPU per row shows it in both figures.
    #[test]
    fn tenths_show_time_and_cpu_per_row() {
        let mut marks = Vec::new();
        let mut spent = vec![(0, 10.0, 4.0)];
        let (mut seconds, mut cpu) = (0.0, 10.0);
        for b in 1..=20u64 {
            let late = b > 10;
            seconds += if late { 2.0 } else { 1.0 };
            cpu += if late { 1.5 } else { 0.5 };
            marks.push(BatchMark {
                rows: 100 * b,
                seconds,
                compared: 1000 * b,
                records: 1500 * b,
                waited: 0.0,
            });
            spent.push((100 * b, cpu, 4.0 + (cpu - 10.0) / 2.0));
        }
        let t = per_tenth(&marks, &spent);
        assert_eq!(t.speed.len(), 10);
        assert_eq!((t.speed[0], t.speed[9]), (100.0, 50.0));
        assert_eq!((t.cpu[0], t.cpu[9]), (5000.0, 15000.0));
        assert_eq!((t.writer_cpu[0], t.writer_cpu[9]), (2500.0, 7500.0));
        assert_eq!(t.work, vec![10.0; 10]);
        assert_eq!(t.records, vec![15.0; 10]);
        assert_eq!(last_over_first(&t.speed, |v| 1.0 / v), 2.0);
        assert_eq!(last_over_first(&t.cpu, |v| v), 3.0);
        // Fewer than ten tenths: no ratio.
        assert_eq!(last_over_first(&t.cpu[..5], |v| v), 0.0);
    }

    /// The processor's model is the first `model name` line's value, its
    /// spaces trimmed; a file without one gives none.
    #[test]
    fn the_machine_is_named_from_cpuinfo() {
        let info = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n\
                    model name\t: AMD EPYC  \nflags\t\t: fpu\n\n\
                    processor\t: 1\nmodel name\t: something else\n";
        assert_eq!(cpu_model(info).as_deref(), Some("AMD EPYC"));
        assert_eq!(cpu_model("processor\t: 0\nmodel\t\t: 1\n"), None);
        let m = machine();
        assert!(m["cpus"].as_u64().is_some_and(|n| n >= 1), "{m}");
        // x86 Linux names the model in `/proc/cpuinfo`; ARM's gives none.
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert!(!m["cpu"].as_str().unwrap_or_default().is_empty(), "{m}");
        }
    }

    /// The process's CPU time is read, and grows while this thread works
    /// (in ticks of 10 ms: the work goes on until one passes, for at most
    /// ten seconds).
    #[test]
    fn process_cpu_is_read_and_grows() {
        let before = process_cpu();
        let started = Instant::now();
        let mut x = 0u64;
        while process_cpu() <= before && started.elapsed().as_secs() < 10 {
            for i in 0..1_000_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
        }
        let after = process_cpu();
        assert!(after > before, "{before} then {after} ({x})");
    }
}
