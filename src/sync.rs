//! The workstation's sync worker: sends the outbox to the hub in order,
//! signed, with exponential back-off and jitter, and stores the Link IDs.
//!
//! Nothing is applied twice: each outbox row's id is its trackingId, and the
//! hub answers a repeated trackingId with the response it stored.

use crate::core::signing;
use crate::service::Registry;
use crate::service::outbox::Delivery;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Where the hub is and who we are. The secret lives in a file of its own.
#[derive(Clone)]
pub struct SyncConfig {
    pub url: String,
    pub key_id: String,
    secret: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for SyncConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is never printed.
        write!(
            f,
            "SyncConfig {{ url: {}, key_id: {}, secret: <hidden> }}",
            self.url, self.key_id
        )
    }
}

pub use crate::service::outbox::{has_secret, save_secret, secret_path};

/// Read the settings and the secret file.
pub fn load_config(reg: &Registry, db: &Path) -> Result<SyncConfig, String> {
    let get = |k: &str| reg.setting(k).ok().flatten().filter(|v| !v.is_empty());
    let url = get("hub_url")
        .ok_or("no hub configured: registrar sync configure --url URL --key-id ID")?;
    let key_id = get("hub_key_id").ok_or("no hub key id: registrar sync configure --key-id ID")?;
    let secret = std::fs::read_to_string(secret_path(db))
        .map_err(|_| {
            format!(
                "no hub secret: set it with registrar sync configure (file {})",
                secret_path(db).display()
            )
        })?
        .trim()
        .to_string();
    let timeout = Duration::from_millis(
        get("hub_timeout_ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000),
    );
    Ok(SyncConfig {
        url: url.trim_end_matches('/').to_string(),
        key_id,
        secret,
        timeout,
    })
}

/// Ask the hub one signed question (the first Link ID change after the
/// newest): `Ok` says it answered and accepted this site's key.
pub fn test_connection(cfg: &SyncConfig) -> Result<String, String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(cfg.timeout)
        .build()
        .map_err(|e| e.to_string())?;
    match call(
        &client,
        cfg,
        &format!("/linkChanges?after={}&limit=1", i64::MAX),
        None,
    ) {
        Outcome::Sent(_) => Ok(format!(
            "{} answered and accepted key {}.",
            cfg.url, cfg.key_id
        )),
        Outcome::Retry(e) | Outcome::Rejected(e) | Outcome::Fatal(e) => Err(e),
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub sent: u64,
    pub failed: u64,
    pub remaining: i64,
    /// Link ID changes the hub made to this site's persons, applied.
    pub link_changes: u64,
    /// Set when the pass stopped early: the hub was unreachable or busy.
    pub retry_error: Option<String>,
    /// Set when the hub refused us (401/403): retrying will not help.
    pub fatal_error: Option<String>,
}

enum Outcome {
    Sent(Value),
    Rejected(String),
    Retry(String),
    Fatal(String),
}

/// One signed call of the hub: `POST path` with `body`, or `GET path`
/// when `body` is `None`.
fn call(
    client: &reqwest::blocking::Client,
    cfg: &SyncConfig,
    path: &str,
    body: Option<&[u8]>,
) -> Outcome {
    // The signature's time is the wall clock's: the hub checks it against
    // its own to refuse replays.
    #[allow(clippy::disallowed_methods)]
    let ts = chrono::Utc::now().timestamp();
    let method = if body.is_some() { "POST" } else { "GET" };
    let bytes = body.unwrap_or_default();
    let auth = signing::authorization(&cfg.key_id, &cfg.secret, method, path, ts, bytes);
    let url = format!("{}{path}", cfg.url);
    let req = match body {
        Some(b) => client
            .post(url)
            .header("content-type", "application/json")
            .body(b.to_vec()),
        None => client.get(url),
    };
    let resp = req.header("authorization", auth).send();
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return Outcome::Retry(format!("hub unreachable: {e}")),
    };
    let status = resp.status().as_u16();
    let v: Value = match resp.json() {
        Ok(v) => v,
        Err(e) => {
            return Outcome::Retry(format!(
                "hub answered {status} with an unreadable body: {e}"
            ));
        }
    };
    let msg = v["message"].as_str().unwrap_or("").to_string();
    match status {
        200..=299 if v["success"] == true => Outcome::Sent(v),
        _ if v["retryableError"] == true || status >= 500 => {
            Outcome::Retry(format!("hub answered {status}: {msg}"))
        }
        401 | 403 => Outcome::Fatal(format!("hub refused the client ({status}): {msg}")),
        _ => Outcome::Rejected(format!("hub rejected the change ({status}): {msg}")),
    }
}

/// Send unsent outbox rows in order, at most `max`, stopping at the first
/// retryable error. Rows are read in small batches: memory stays flat.
pub fn sync_once(reg: &mut Registry, cfg: &SyncConfig, max: u64) -> Report {
    let mut report = Report::default();
    let client = match reqwest::blocking::Client::builder()
        .timeout(cfg.timeout)
        .pool_max_idle_per_host(1)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            report.fatal_error = Some(e.to_string());
            return report;
        }
    };
    let instance = match reg.instance_id() {
        Ok(i) => i,
        Err(e) => {
            report.fatal_error = Some(e.to_string());
            return report;
        }
    };
    'outer: while report.sent + report.failed < max {
        let rows = match reg.outbox_unsent(200) {
            Ok(r) => r,
            Err(e) => {
                report.fatal_error = Some(e.to_string());
                break;
            }
        };
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if report.sent + report.failed >= max {
                break 'outer;
            }
            let payload: Value = serde_json::from_str(&row.payload).unwrap_or_default();
            // postIdentity, or one of the hub's link services.
            let (path, mut body) = match payload["service"].as_str() {
                Some(service) => (service.to_string(), payload["body"].clone()),
                None => ("/postIdentity".to_string(), payload),
            };
            body["trackingId"] = Value::String(format!("{instance}:{}", row.id));
            let bytes = body.to_string().into_bytes();
            let outcome = call(&client, cfg, &path, Some(&bytes));
            let delivery = match &outcome {
                Outcome::Sent(v) => Delivery::Sent {
                    response: v,
                    link_id: v["content"]["linkId"].as_str(),
                },
                Outcome::Rejected(e) => Delivery::Rejected(e),
                Outcome::Retry(e) => Delivery::Retry(e),
                Outcome::Fatal(e) => Delivery::Refused(e),
            };
            let recorded = reg.record_delivery(row.id, &row.person_id, delivery);
            match (outcome, recorded) {
                (Outcome::Sent(_), Err(e)) => {
                    report.fatal_error = Some(e.to_string());
                    break 'outer;
                }
                (Outcome::Sent(_), Ok(())) => report.sent += 1,
                (Outcome::Rejected(_), _) => report.failed += 1,
                (Outcome::Retry(e), _) => {
                    report.retry_error = Some(e);
                    break 'outer;
                }
                (Outcome::Fatal(e), _) => {
                    report.fatal_error = Some(e);
                    break 'outer;
                }
            }
        }
    }
    if report.fatal_error.is_none() && report.retry_error.is_none() {
        pull_link_changes(reg, cfg, &client, &mut report);
    }
    report.remaining = reg.outbox_len().unwrap_or(-1);
    report
}

/// Read back the Link ID changes the hub made to this site's source
/// records since the last pass (transitive linking, another site's or a
/// steward's link, unlink or delete), and apply each to the person it
/// concerns, with a line in its link history. The position read up to is
/// kept in the setting `hub_link_cursor`.
fn pull_link_changes(
    reg: &mut Registry,
    cfg: &SyncConfig,
    client: &reqwest::blocking::Client,
    report: &mut Report,
) {
    loop {
        let after = match reg.link_cursor() {
            Ok(a) => a,
            Err(e) => {
                report.fatal_error = Some(e.to_string());
                return;
            }
        };
        let v = match call(
            client,
            cfg,
            &format!("/linkChanges?after={after}&limit=500"),
            None,
        ) {
            Outcome::Sent(v) => v,
            Outcome::Retry(e) | Outcome::Rejected(e) => {
                report.retry_error = Some(e);
                return;
            }
            Outcome::Fatal(e) => {
                report.fatal_error = Some(e);
                return;
            }
        };
        let changes = v["content"]["changes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let last = v["content"]["last"].as_i64().unwrap_or(after);
        let applied = reg.apply_link_changes(&changes, last);
        match applied {
            Ok(n) => report.link_changes += n,
            Err(e) => {
                report.fatal_error = Some(e.to_string());
                return;
            }
        }
        if last == after {
            return;
        }
    }
}

/// Exponential back-off with jitter: 0.5 s doubling to 60 s, times 0.5–1.5.
pub fn backoff(failures: u32) -> Duration {
    let base = 0.5 * 2f64.powi(failures.min(7) as i32);
    let jitter = crate::core::ids::jitter();
    Duration::from_secs_f64((base * jitter).min(60.0))
}

/// `registrar sync`: one pass (`once`), or keep the outbox drained forever.
/// With `once`, retryable errors are retried with back-off until `deadline`.
pub fn run(db: &Path, once: bool, deadline: Duration) -> i32 {
    let started = std::time::Instant::now();
    let mut failures = 0u32;
    loop {
        let mut reg = match Registry::open(db) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("registrar: sync: {e}");
                return 1;
            }
        };
        let cfg = match load_config(&reg, db) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("registrar: sync: {e}");
                return 2;
            }
        };
        let r = sync_once(&mut reg, &cfg, u64::MAX);
        println!("{}", serde_json::to_string(&r).unwrap_or_default());
        if let Some(e) = &r.fatal_error {
            eprintln!("registrar: sync: {e}");
            return 1;
        }
        if r.retry_error.is_none() {
            failures = 0;
            if once && r.remaining == 0 {
                return 0;
            }
            if once {
                // Rows the hub rejected for good are reported, not retried.
                return if r.failed > 0 { 1 } else { 0 };
            }
            std::thread::sleep(Duration::from_secs(5));
            continue;
        }
        failures += 1;
        if once && started.elapsed() > deadline {
            eprintln!(
                "registrar: sync: giving up after {:?}: {}",
                deadline,
                r.retry_error.unwrap_or_default()
            );
            return 1;
        }
        std::thread::sleep(backoff(failures));
    }
}
