//! The workstation's sync worker: sends the outbox to the hub in order,
//! signed, with exponential back-off and jitter, and stores the Link IDs.
//!
//! Nothing is applied twice: each outbox row's id is its trackingId, and the
//! hub answers a repeated trackingId with the response it stored.

use crate::core::signing;
use crate::service::Registry;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
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

/// The file holding the hub secret for the database at `db`.
pub fn secret_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".hub-secret");
    PathBuf::from(p)
}

/// Store the secret with 0600 permissions.
pub fn save_secret(db: &Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    let path = secret_path(db);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(secret.as_bytes())
}

/// Read the settings and the secret file.
pub fn load_config(reg: &Registry, db: &Path) -> Result<SyncConfig, String> {
    let get = |k: &str| {
        reg.store
            .get_setting(k)
            .ok()
            .flatten()
            .filter(|v| !v.is_empty())
    };
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

/// Point this site at a hub: URL, key id and, when given, the shared
/// secret (written to the 0600 file beside the database, never into the
/// database or a log). Admins only; each setting is audited as
/// `configure_as` audits it, and the secret's change as `hub.secret` without
/// its value. `registrar sync configure` and `PUT /api/hub` both use it.
pub fn configure(
    reg: &Registry,
    actor: &crate::service::Actor,
    url: &str,
    key_id: &str,
    secret: Option<&str>,
) -> Result<(), crate::service::ServiceError> {
    use crate::service::ServiceError;
    crate::service::accounts::require(
        actor,
        &[crate::service::Role::Admin],
        "configuring the hub",
    )?;
    let db = reg
        .store
        .conn
        .path()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| ServiceError::Conflict("an in-memory registry has no hub".into()))?;
    if let Some(s) = secret
        && s.trim().chars().count() < 16
    {
        return Err(ServiceError::BadRequest(
            "secret: at least 16 characters (the key the hub holds for this site)".into(),
        ));
    }
    reg.configure_all_as(
        actor,
        &[("hub_url", url.trim()), ("hub_key_id", key_id.trim())],
    )?;
    if let Some(s) = secret {
        save_secret(&db, s.trim())
            .map_err(|e| ServiceError::Conflict(format!("secret: cannot write the file: {e}")))?;
        crate::service::accounts::audit(
            &reg.store.conn,
            &reg.now_str(),
            actor,
            "hub.secret",
            None,
            serde_json::json!({"file": secret_path(&db)}),
        )?;
    }
    Ok(())
}

/// Is a hub secret stored for this database?
pub fn has_secret(db: &Path) -> bool {
    std::fs::metadata(secret_path(db)).is_ok_and(|m| m.len() > 0)
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

/// This database's instance id, made once: `ws-` and 26 random base32
/// letters. TrackingIds are `instance:outbox id`, unique across every
/// workstation, and the hub binds a key to the one instance that uses it.
pub fn instance_id(reg: &Registry) -> Result<String, rusqlite::Error> {
    if let Some(id) = reg
        .store
        .get_setting("instance_id")?
        .filter(|s| s.starts_with("ws-"))
    {
        return Ok(id);
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let bytes: [u8; 26] = rand::random();
    let id: String = std::iter::once("ws-".to_string())
        .chain(
            bytes
                .iter()
                .map(|b| (ALPHABET[(*b as usize) % 32] as char).to_string()),
        )
        .collect();
    reg.store.set_setting("instance_id", &id)?;
    Ok(id)
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
    let instance = match instance_id(reg) {
        Ok(i) => i,
        Err(e) => {
            report.fatal_error = Some(e.to_string());
            return report;
        }
    };
    'outer: while report.sent + report.failed < max {
        let rows: Vec<(i64, String, String)> = match reg
            .store
            .conn
            .prepare_cached("SELECT id, person_id, payload FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 200")
            .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
        {
            Ok(r) => r,
            Err(e) => {
                report.fatal_error = Some(e.to_string());
                break;
            }
        };
        if rows.is_empty() {
            break;
        }
        for (id, person_id, payload) in rows {
            if report.sent + report.failed >= max {
                break 'outer;
            }
            let payload: Value = serde_json::from_str(&payload).unwrap_or_default();
            // postIdentity, or one of the hub's link services.
            let (path, mut body) = match payload["service"].as_str() {
                Some(service) => (service.to_string(), payload["body"].clone()),
                None => ("/postIdentity".to_string(), payload),
            };
            body["trackingId"] = Value::String(format!("{instance}:{id}"));
            let bytes = body.to_string().into_bytes();
            let now = reg.now_str();
            let outcome = call(&client, cfg, &path, Some(&bytes));
            if let Outcome::Sent(v) = &outcome {
                // The row is sent and the person has its Link ID, together.
                let link = v["content"]["linkId"].as_str().map(String::from);
                let done = reg.store.conn.transaction().and_then(|tx| {
                    crate::store::exec(&tx, "UPDATE outbox SET sent_at = ?2, response = ?3, last_error = NULL WHERE id = ?1", params![id, now, v.to_string()])?;
                    crate::store::exec(&tx, "UPDATE persons SET link_id = ?2 WHERE id = ?1", params![person_id, link])?;
                    tx.commit()
                });
                if let Err(e) = done {
                    report.fatal_error = Some(e.to_string());
                    break 'outer;
                }
            }
            let conn = &reg.store.conn;
            match outcome {
                Outcome::Sent(_) => report.sent += 1,
                Outcome::Rejected(e) => {
                    let _ = crate::store::exec(
                        conn,
                        "UPDATE outbox SET failed_at = ?2, last_error = ?3, attempts = attempts + 1 WHERE id = ?1",
                        params![id, now, e],
                    );
                    report.failed += 1;
                }
                Outcome::Retry(e) => {
                    let _ = crate::store::exec(
                        conn,
                        "UPDATE outbox SET last_error = ?2, attempts = attempts + 1 WHERE id = ?1",
                        params![id, e],
                    );
                    report.retry_error = Some(e);
                    break 'outer;
                }
                Outcome::Fatal(e) => {
                    let _ = crate::store::exec(
                        conn,
                        "UPDATE outbox SET last_error = ?2 WHERE id = ?1",
                        params![id, e],
                    );
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
    let site = crate::service::outbox::site_source(&reg.store.conn).unwrap_or_default();
    loop {
        let after: i64 = reg
            .store
            .get_setting("hub_link_cursor")
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
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
        let now = reg.now_str();
        let applied = reg.store.conn.transaction().and_then(|tx| {
            let mut n = 0;
            for c in &changes {
                if c["source"]["name"].as_str() != Some(site.as_str()) {
                    continue;
                }
                let id = c["source"]["id"].as_str().unwrap_or("");
                let link = c["linkId"].as_str();
                let seq: Option<i64> = tx
                    .query_row("SELECT seq FROM persons WHERE id = ?1", [id], |r| r.get(0))
                    .optional()?;
                let Some(seq) = seq else { continue };
                crate::store::exec(
                    &tx,
                    "UPDATE persons SET link_id = ?2 WHERE seq = ?1",
                    params![seq, link],
                )?;
                let reason = format!(
                    "the hub changed the Link ID ({}): {} → {}",
                    c["cause"].as_str().unwrap_or(""),
                    c["previousLinkId"].as_str().unwrap_or("none"),
                    link.unwrap_or("none")
                );
                let event = crate::store::steward::LinkEvent {
                    operation: "hub_link_changed",
                    person: seq,
                    reason: Some(&reason),
                    ..Default::default()
                };
                crate::store::steward::insert_link_event(&tx, &now, "hub", &event)?;
                n += 1;
            }
            crate::store::set_setting_in(&tx, "hub_link_cursor", &last.to_string())?;
            tx.commit()?;
            Ok(n)
        });
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
    let jitter: f64 = rand::random_range(0.5..1.5);
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
