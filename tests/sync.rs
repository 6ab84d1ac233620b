//! Seed 004 end to end: a real hub on 127.0.0.1, two workstation databases
//! (two Sources), signed requests, faults, and the exactly-once outbox.

#![allow(clippy::unwrap_used)]
// a test may unwrap: a panic is its failure
// A site signs with the wall clock: these tests do as a site does.
#![allow(clippy::disallowed_methods)]

use registrar::core::signing;
use registrar::service::{Actor, Registry};
use registrar::sync::{load_config, save_secret, sync_once};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const SECRET_A: &str = "site-a-secret-0123456789abcdef";
const SECRET_B: &str = "site-b-secret-0123456789abcdef";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_registrar")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Hub {
    child: Child,
    port: u16,
    db: PathBuf,
}

impl Hub {
    fn start(db: &Path, port: u16) -> Hub {
        Hub::start_with(db, port, &[])
    }
    fn start_with(db: &Path, port: u16, extra: &[&str]) -> Hub {
        let mut child = Command::new(bin())
            .args([
                "--db",
                db.to_str().unwrap(),
                "hub",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("listening"), "{line}");
        Hub {
            child,
            port,
            db: db.to_path_buf(),
        }
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
    fn count(&self, sql: &str) -> i64 {
        let reg = Registry::open(&self.db).unwrap();
        reg.sql().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

fn new_hub(dir: &Path) -> Hub {
    let db = dir.join("hub.db");
    for (key, secret, source) in [
        ("site-a", SECRET_A, "SITE-A"),
        ("site-b", SECRET_B, "SITE-B"),
    ] {
        let out = Command::new(bin())
            .args([
                "--db",
                db.to_str().unwrap(),
                "hub",
                "client",
                "add",
                key,
                "--sources",
                source,
            ])
            .env("REGISTRAR_HUB_SECRET", secret)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Hub::start(&db, free_port())
}

fn workstation(
    dir: &Path,
    name: &str,
    source: &str,
    key: &str,
    secret: &str,
    url: &str,
) -> (Registry, PathBuf) {
    let db = dir.join(format!("{name}.db"));
    let reg = Registry::open(&db).unwrap();
    reg.configure("site_source", Some(source)).unwrap();
    reg.configure("hub_url", Some(url)).unwrap();
    reg.configure("hub_key_id", Some(key)).unwrap();
    reg.configure("hub_timeout_ms", Some("1500")).unwrap();
    save_secret(&db, secret).unwrap();
    (reg, db)
}

fn person(first: &str, last: &str, born: &str, phone: &str) -> Value {
    let passport = format!("АА{}", &phone[phone.len() - 6..]);
    json!({"person": {
        "first_name": first, "last_name": last, "birth_date": born, "gender": "FEMALE",
        "birth_country": "UA", "no_tax_id": true,
        "documents": [{"type": "PASSPORT", "number": passport, "issued_by": "Kyiv", "issued_at": "2010-01-01"}],
        "phones": [{"type": "MOBILE", "number": phone}],
        "authentication_methods": [{"type": "OTP", "phone_number": phone}]}})
}

fn register(reg: &mut Registry, body: &Value) -> String {
    reg.person_request(&Actor::system(), body)
        .unwrap()
        .person
        .id
}

fn sync(reg: &mut Registry, db: &Path) -> registrar::sync::Report {
    let cfg = load_config(reg, db).unwrap();
    sync_once(reg, &cfg, u64::MAX)
}

fn outbox_responses(reg: &Registry) -> Vec<Value> {
    let mut st = reg
        .sql()
        .prepare("SELECT response FROM outbox WHERE sent_at IS NOT NULL ORDER BY id")
        .unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|s| serde_json::from_str(&s.unwrap()).unwrap())
        .collect()
}

#[test]
fn offline_registration_then_sync() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut a, adb) = workstation(
        dir.path(),
        "a",
        "SITE-A",
        "site-a",
        SECRET_A,
        &format!("http://127.0.0.1:{port}"),
    );
    let id = register(
        &mut a,
        &person("Olena", "Kovalenko", "1986-04-12", "+380501234567"),
    );
    // No hub yet: the site keeps working and the change waits.
    let r = sync(&mut a, &adb);
    assert!(
        r.retry_error
            .as_deref()
            .unwrap_or("")
            .contains("unreachable"),
        "{r:?}"
    );
    assert_eq!(r.remaining, 1);
    let hub_db = dir.path().join("hub.db");
    Command::new(bin())
        .args([
            "--db",
            hub_db.to_str().unwrap(),
            "hub",
            "client",
            "add",
            "site-a",
            "--sources",
            "SITE-A",
        ])
        .env("REGISTRAR_HUB_SECRET", SECRET_A)
        .output()
        .unwrap();
    let _hub = Hub::start(&hub_db, port);
    // Through the router, as the workstation's Sync now does.
    let actor = registrar::service::Actor {
        name: "rita".into(),
        role: registrar::service::Role::Receptionist,
        sources: None,
    };
    let r = registrar::api::handle(&mut a, &actor, "POST", "/api/sync", b"{}");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["sent"].as_i64(), r.body["remaining"].as_i64()),
        (Some(1), Some(0)),
        "{}",
        r.body
    );
    let p = a.get_person(&id).unwrap();
    assert!(p.link_id.is_some());
    let resp = &outbox_responses(&a)[0];
    assert_eq!(
        resp["content"]["events"],
        json!([{"type": "ADD_SOURCE", "source": {"name": "SITE-A", "id": id}}])
    );
    // TrackingIds are this database's instance id and the outbox row.
    let instance = a.instance_id().unwrap();
    assert!(instance.starts_with("ws-"), "{instance}");
    assert_eq!(resp["trackingId"], format!("{instance}:1"));
}

#[test]
fn the_same_person_at_two_sites_gets_one_link_id() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let (mut a, adb) = workstation(dir.path(), "a", "SITE-A", "site-a", SECRET_A, &hub.url());
    let (mut b, bdb) = workstation(dir.path(), "b", "SITE-B", "site-b", SECRET_B, &hub.url());
    let ia = register(
        &mut a,
        &person("Olena", "Kovalenko", "1986-04-12", "+380501234567"),
    );
    let ib = register(
        &mut b,
        &person("Олена", "Коваленко", "1986-04-12", "+380501234567"),
    );
    let other = register(
        &mut b,
        &person("Taras", "Shevchenko", "1961-03-09", "+380671112233"),
    );
    assert_eq!(sync(&mut a, &adb).sent, 1);
    assert_eq!(sync(&mut b, &bdb).sent, 2);
    let la = a.get_person(&ia).unwrap().link_id.unwrap();
    let lb = b.get_person(&ib).unwrap().link_id.unwrap();
    assert_eq!(la, lb, "one Link ID for one person");
    assert_ne!(b.get_person(&other).unwrap().link_id.unwrap(), la);
    let rb = &outbox_responses(&b)[0];
    assert_eq!(
        rb["content"]["events"],
        json!([{"type": "ADD_SOURCE", "source": {"name": "SITE-B", "id": ib}}])
    );
    let sources = rb["content"]["linkIdentity"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
}

/// A signed request straight to the hub.
fn signed(
    url: &str,
    key: &str,
    secret: &str,
    path: &str,
    body: &Value,
    ts: i64,
) -> (u16, Value, (String, Vec<u8>)) {
    let bytes = body.to_string().into_bytes();
    let auth = signing::authorization(key, secret, "POST", path, ts, &bytes);
    let r = reqwest::blocking::Client::new()
        .post(format!("{url}{path}"))
        .header("authorization", &auth)
        .body(bytes.clone())
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null), (auth, bytes))
}

fn identity(tracking: &str, source: &str, id: &str, date: Option<&str>, extra: Value) -> Value {
    let mut ident = json!({"sources": [{"name": source, "id": id}]});
    if let Some(d) = date {
        ident["sources"][0]["date"] = json!(d);
    }
    for (k, v) in extra.as_object().unwrap() {
        ident[k] = v.clone();
    }
    json!({"trackingId": tracking, "content": {"responseIdentityFormatNames": ["DEFAULT", "GROUP_BY_SOURCE"], "identity": ident}})
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[test]
fn transitive_linking_emits_update_source() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let name = json!([{"first": "Olena", "last": "Kovalenko"}]);
    // Two records that the hub cannot tell apart from a namesake: two Link IDs.
    let (s1, r1, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &identity(
            "t1",
            "SITE-A",
            "a1",
            None,
            json!({"names": name, "dateOfBirth": "1986-04-12", "phoneNumbers": [{"number": "+380501234567", "type": "MOBILE"}]}),
        ),
        now(),
    );
    let (s2, r2, _) = signed(
        &hub.url(),
        "site-b",
        SECRET_B,
        "/postIdentity",
        &identity(
            "t2",
            "SITE-B",
            "b1",
            None,
            json!({"names": name, "emails": ["olena@example.com"], "alternateIdentifiers": [{"type": "TAX_ID", "value": "3149010123"}]}),
        ),
        now(),
    );
    assert_eq!((s1, s2), (200, 200));
    let l1 = r1["content"]["linkId"].as_str().unwrap().to_string();
    let l2 = r2["content"]["linkId"].as_str().unwrap().to_string();
    assert_ne!(l1, l2, "{r2:#}");
    // A third record carries what both have: they are one person.
    let (s3, r3, _) = signed(
        &hub.url(),
        "site-b",
        SECRET_B,
        "/postIdentity",
        &identity(
            "t3",
            "SITE-B",
            "b2",
            None,
            json!({"names": name, "dateOfBirth": "1986-04-12", "phoneNumbers": [{"number": "+380501234567", "type": "MOBILE"}], "emails": ["olena@example.com"], "alternateIdentifiers": [{"type": "TAX_ID", "value": "3149010123"}]}),
        ),
        now(),
    );
    assert_eq!(s3, 200, "{r3}");
    let events = r3["content"]["events"].as_array().unwrap();
    assert_eq!(
        events[0],
        json!({"type": "ADD_SOURCE", "source": {"name": "SITE-B", "id": "b2"}})
    );
    let upd = &events[1];
    assert_eq!(upd["type"], "UPDATE_SOURCE");
    assert_eq!(upd["previousLinkId"], l2.as_str());
    assert_eq!(upd["sources"], json!([{"name": "SITE-B", "id": "b1"}]));
    assert_eq!(r3["content"]["linkId"], l1.as_str());
    assert_eq!(
        r3["content"]["linkIdentity"]["sources"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn asserted_dates_follow_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let attrs = json!({"names": [{"first": "Pat", "last": "Lee"}], "emails": ["pat@example.com"]});
    let (_, r, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &identity("d1", "SITE-A", "p1", Some("2019-01-21"), attrs.clone()),
        now(),
    );
    let g = &r["content"]["identityGroupedBySource"][0];
    assert_eq!(g["source"], json!({"name": "SITE-A", "id": "p1"}));
    assert_eq!(g["names"][0]["firstAsserted"], "2019-01-21T00:00:00");
    assert_eq!(g["names"][0]["lastAsserted"], "2019-01-21T00:00:00");
    assert_eq!(g["names"][0]["name"]["first"], "Pat");
    assert_eq!(g["emails"][0]["email"], "pat@example.com");
    // An earlier date moves firstAsserted only.
    let (_, r, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &identity(
            "d2",
            "SITE-A",
            "p1",
            Some("2018-06-01 08:30:00"),
            attrs.clone(),
        ),
        now(),
    );
    let n = &r["content"]["identityGroupedBySource"][0]["names"][0];
    assert_eq!(
        (n["firstAsserted"].as_str(), n["lastAsserted"].as_str()),
        (Some("2018-06-01T08:30:00"), Some("2019-01-21T00:00:00"))
    );
    // A later one moves lastAsserted only.
    let (_, r, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &identity(
            "d3",
            "SITE-A",
            "p1",
            Some("2020-02-02T10:00:00"),
            attrs.clone(),
        ),
        now(),
    );
    let n = &r["content"]["identityGroupedBySource"][0]["names"][0];
    assert_eq!(
        (n["firstAsserted"].as_str(), n["lastAsserted"].as_str()),
        (Some("2018-06-01T08:30:00"), Some("2020-02-02T10:00:00"))
    );
    assert_eq!(
        r["content"]["events"],
        json!([]),
        "an update changes no Link ID"
    );
    // No date: lastAsserted self-corrects to now.
    let (_, r, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &identity("d4", "SITE-A", "p1", None, attrs.clone()),
        now(),
    );
    let n = &r["content"]["identityGroupedBySource"][0]["names"][0];
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        n["lastAsserted"].as_str().unwrap().starts_with(&today),
        "{n}"
    );
    assert_eq!(n["firstAsserted"], "2018-06-01T08:30:00");
    // Both formats, as asked; the DEFAULT view has the whole entity.
    assert_eq!(r["content"]["linkIdentity"]["names"][0]["last"], "Lee");
    assert_eq!(r["success"], true);
    assert_eq!(r["retryableError"], false);
    assert!(uuid::Uuid::parse_str(r["auditId"].as_str().unwrap()).is_ok());
    // A bad date format is a 400 naming the field.
    let (s, r, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &identity("d5", "SITE-A", "p1", Some("21.01.2019"), attrs),
        now(),
    );
    assert_eq!(s, 400);
    assert!(r["message"].as_str().unwrap().contains("sources[0].date"));
}

#[test]
fn security_refusals_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let body = identity(
        "s1",
        "SITE-A",
        "x1",
        None,
        json!({"names": [{"first": "A", "last": "B"}]}),
    );
    let client = reqwest::blocking::Client::new();
    // Unsigned.
    let r = client
        .post(format!("{}/postIdentity", hub.url()))
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Badly signed.
    let (s, _, _) = signed(
        &hub.url(),
        "site-a",
        "not-the-secret-0123456789",
        "/postIdentity",
        &body,
        now(),
    );
    assert_eq!(s, 401);
    // Stale.
    let (s, _, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &body,
        now() - 600,
    );
    assert_eq!(s, 401);
    // A Source the client may not post.
    let wrong = identity(
        "s2",
        "SITE-B",
        "x1",
        None,
        json!({"names": [{"first": "A", "last": "B"}]}),
    );
    let (s, r, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &wrong,
        now(),
    );
    assert_eq!(s, 403, "{r}");
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_sources"), 0);
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_tracking"), 0);
    // A replay of a good request.
    let (s, _, (auth, bytes)) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &body,
        now(),
    );
    assert_eq!(s, 200);
    let r = client
        .post(format!("{}/postIdentity", hub.url()))
        .header("authorization", auth)
        .body(bytes)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_sources"), 1);
}

#[test]
fn hub_killed_mid_sync_and_restarted() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = new_hub(dir.path());
    let (mut a, adb) = workstation(dir.path(), "a", "SITE-A", "site-a", SECRET_A, &hub.url());
    for i in 0..400 {
        register(&mut a, &registrar::service::demo::adult_request(i));
    }
    let port = hub.port;
    let hub_db = hub.db.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let adb2 = adb.clone();
    let t = std::thread::spawn(move || {
        let mut a2 = Registry::open(&adb2).unwrap();
        let cfg = load_config(&a2, &adb2).unwrap();
        let r = sync_once(&mut a2, &cfg, u64::MAX);
        tx.send(()).unwrap();
        r
    });
    // Kill the hub while the sync is sending.
    loop {
        std::thread::sleep(Duration::from_millis(20));
        if Registry::open(&adb).unwrap().outbox_len().unwrap() < 350 {
            break;
        }
    }
    hub.kill();
    let _ = rx.recv_timeout(Duration::from_secs(30));
    let first = t.join().unwrap();
    assert!(first.retry_error.is_some(), "{first:?}");
    assert!(first.remaining > 0);
    let hub = Hub::start(&hub_db, port);
    let r = sync(&mut a, &adb);
    assert_eq!(r.remaining, 0, "{r:?}");
    // Every change reached the hub exactly once.
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_tracking"), 400);
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_sources"), 400);
    assert_eq!(
        a.sql()
            .query_row(
                "SELECT COUNT(*) FROM persons WHERE link_id IS NULL",
                [],
                |r| r.get::<_, i64>(0)
            )
            .unwrap(),
        0
    );
}

/// A fault-injecting proxy in front of the hub: per request it forwards,
/// answers 500, hangs past the client's timeout, or forwards and then drops
/// the connection before answering (the hub has committed).
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    Forward,
    Error500,
    Hang,
    DropAfterCommit,
}

fn proxy(hub_port: u16, plan: Vec<Fault>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { break };
            let plan = plan.clone();
            let n = n2.clone();
            std::thread::spawn(move || {
                loop {
                    let Some(req) = read_http(&mut c) else { return };
                    let i = n.fetch_add(1, Ordering::SeqCst);
                    let fault = plan.get(i).copied().unwrap_or(Fault::Forward);
                    match fault {
                        Fault::Error500 => {
                            let body =
                                r#"{"success":false,"message":"injected","retryableError":true}"#;
                            let _ = write!(
                                c,
                                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                                body.len()
                            );
                        }
                        Fault::Hang => {
                            std::thread::sleep(Duration::from_secs(3));
                            return;
                        }
                        Fault::Forward | Fault::DropAfterCommit => {
                            let mut h = TcpStream::connect(("127.0.0.1", hub_port)).unwrap();
                            h.write_all(&req).unwrap();
                            let Some(resp) = read_http(&mut h) else {
                                return;
                            };
                            if fault == Fault::DropAfterCommit {
                                return;
                            }
                            let _ = c.write_all(&resp);
                        }
                    }
                }
            });
        }
    });
    (port, n)
}

/// Read one HTTP/1.1 message (headers + content-length body).
fn read_http(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap_or(0))
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    buf.extend(body);
    Some(buf)
}

#[test]
fn hub_errors_timeouts_and_dropped_connections() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let plan = vec![
        Fault::Forward,
        Fault::Error500,
        Fault::Hang,
        Fault::DropAfterCommit,
        Fault::Forward,
        Fault::DropAfterCommit,
    ];
    let (port, seen) = proxy(hub.port, plan);
    let (mut a, adb) = workstation(
        dir.path(),
        "a",
        "SITE-A",
        "site-a",
        SECRET_A,
        &format!("http://127.0.0.1:{port}"),
    );
    for i in 0..5 {
        register(&mut a, &registrar::service::demo::adult_request(i));
    }
    let mut passes = 0;
    loop {
        let r = sync(&mut a, &adb);
        passes += 1;
        assert!(r.fatal_error.is_none(), "{r:?}");
        if r.remaining == 0 {
            break;
        }
        assert!(r.retry_error.is_some());
        assert!(passes < 20, "the outbox never drained");
        std::thread::sleep(registrar::sync::backoff(0).min(Duration::from_millis(200)));
    }
    assert!(seen.load(Ordering::SeqCst) > 5, "faults were injected");
    // Exactly once: one tracking entry and one source record per change.
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_tracking"), 5);
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_sources"), 5);
    let attempts: i64 = a
        .sql()
        .query_row("SELECT SUM(attempts) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert!(attempts >= 2, "retries were counted: {attempts}");
}

#[test]
fn secret_file_is_private_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, db) = workstation(
        dir.path(),
        "a",
        "SITE-A",
        "site-a",
        SECRET_A,
        "http://127.0.0.1:9",
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(registrar::sync::secret_path(&db))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let cfg = load_config(&reg, &db).unwrap();
    assert!(!format!("{cfg:?}").contains(SECRET_A));
}

/// A signed request with any method (the site's key, as a client would).
fn signed_call(
    url: &str,
    key: &str,
    secret: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, Value) {
    let auth = signing::authorization(key, secret, method, path, now(), body);
    let r = reqwest::blocking::Client::new()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{url}{path}"),
        )
        .header("authorization", &auth)
        .body(body.to_vec())
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

#[test]
fn one_key_per_workstation_and_a_shared_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let (mut a, adb) = workstation(dir.path(), "a", "SITE-A", "site-a", SECRET_A, &hub.url());
    let (mut b, bdb) = workstation(dir.path(), "b", "SITE-B", "site-b", SECRET_B, &hub.url());
    let (mut a2, a2db) = workstation(dir.path(), "a2", "SITE-A", "site-a", SECRET_A, &hub.url());
    for i in 0..2 {
        register(&mut a, &registrar::service::demo::adult_request(i));
    }
    for i in 10..15 {
        register(&mut b, &registrar::service::demo::adult_request(i));
        register(&mut a2, &registrar::service::demo::adult_request(i + 10));
    }
    // Each workstation on its own key: every change arrives.
    let r = sync(&mut a, &adb);
    assert_eq!((r.sent, r.remaining), (2, 0), "{r:?}");
    let r = sync(&mut b, &bdb);
    assert_eq!((r.sent, r.remaining), (5, 0), "{r:?}");
    // A second workstation on site-a's key is refused, nothing is marked sent.
    let r = sync(&mut a2, &a2db);
    assert_eq!(r.sent, 0, "{r:?}");
    assert_eq!(r.remaining, 5, "{r:?}");
    let msg = r.fatal_error.unwrap_or_default();
    assert!(msg.contains("already used by another workstation"), "{msg}");
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_sources"), 7);
    // TrackingIds are unique across workstations.
    let a_id = a.instance_id().unwrap();
    let b_id = b.instance_id().unwrap();
    assert_ne!(a_id, b_id);
    assert_eq!(
        hub.count(&format!(
            "SELECT COUNT(*) FROM hub_tracking WHERE tracking_id LIKE '{a_id}:%'"
        )),
        2
    );
}

#[test]
fn a_replay_with_the_signature_in_upper_case_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let body = identity(
        "u1",
        "SITE-A",
        "x9",
        None,
        json!({"names": [{"first": "A", "last": "B"}]}),
    );
    let (s, _, (auth, bytes)) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/postIdentity",
        &body,
        now(),
    );
    assert_eq!(s, 200);
    let (head, sig) = auth.rsplit_once("Signature=").unwrap();
    let upper = format!("{head}Signature={}", sig.to_ascii_uppercase());
    assert_ne!(upper, auth);
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/postIdentity", hub.url()))
        .header("authorization", upper)
        .body(bytes)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(hub.count("SELECT COUNT(*) FROM hub_sources"), 1);
    assert_eq!(
        hub.count("SELECT COUNT(*) FROM audit WHERE operation = 'hub.post_identity'"),
        1
    );
}

#[test]
fn a_site_key_reaches_post_identity_only() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let url = hub.url();
    for (method, path, body) in [
        ("GET", "/users", &b""[..]),
        ("GET", "/audit?limit=-1", b""),
        ("GET", "/api/persons/M000000001", b""),
        ("GET", "/api/search?q=a", b""),
        ("GET", "/api/outbox", b""),
        ("GET", "/api/settings/auto_link", b""),
        ("GET", "/people/pending", b""),
        (
            "POST",
            "/auth/login",
            br#"{"name": "ada", "password": "correct horse"}"#,
        ),
        ("POST", "/api/person_requests", b"{}"),
        ("POST", "/person.issuedIdentifier.create", b"{}"),
        ("PATCH", "/generic/persons/1", b"{}"),
    ] {
        let (s, v) = signed_call(&url, "site-a", SECRET_A, method, path, body);
        assert_eq!(s, 403, "{method} {path}: {v}");
    }
    // An unknown key id and a bad signature are answered alike.
    let body = identity(
        "k1",
        "SITE-A",
        "k1",
        None,
        json!({"names": [{"first": "A", "last": "B"}]}),
    );
    let (s1, v1, _) = signed(&url, "no-such-key", SECRET_A, "/postIdentity", &body, now());
    let (s2, v2, _) = signed(
        &url,
        "site-a",
        "wrong-secret-0123456789abcdef",
        "/postIdentity",
        &body,
        now(),
    );
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(v1, v2);
}

#[test]
fn slow_and_idle_connections_are_closed_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    drop(new_hub(dir.path()));
    let port = free_port();
    let hub = Hub::start_with(
        &db,
        port,
        &[
            "--max-connections",
            "16",
            "--header-timeout",
            "2",
            "--body-timeout",
            "2",
        ],
    );
    let addr = format!("127.0.0.1:{port}");
    // A body sent a byte at a time is cut off.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"POST /postIdentity HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .unwrap();
    let started = std::time::Instant::now();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 512];
    let _ = slow.write_all(b" ");
    let got = match slow.read(&mut buf) {
        Ok(n) => buf[..n].to_vec(),
        Err(_) => Vec::new(),
    };
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        String::from_utf8_lossy(&got).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    // Idle connections beyond the cap do not keep a signed request out for long.
    let idle: Vec<TcpStream> = (0..40)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    let body = identity(
        "c1",
        "SITE-A",
        "c1",
        None,
        json!({"names": [{"first": "A", "last": "B"}]}),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(8);
    let status = loop {
        let bytes = body.to_string().into_bytes();
        let auth =
            signing::authorization("site-a", SECRET_A, "POST", "/postIdentity", now(), &bytes);
        let r = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap()
            .post(format!("{}/postIdentity", hub.url()))
            .header("authorization", auth)
            .body(bytes)
            .send();
        match r {
            Ok(r) => break r.status().as_u16(),
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200))
            }
            Err(e) => panic!("the hub stayed unreachable: {e}"),
        }
    };
    assert_eq!(status, 200);
    let fds = std::fs::read_dir(format!("/proc/{}/fd", hub.child.id()))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(fds < 16 + 32, "the hub holds {fds} descriptors");
    drop(idle);
}

fn link_of(reg: &Registry, id: &str) -> Option<String> {
    reg.sql()
        .query_row("SELECT link_id FROM persons WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

fn reference(reg: &Registry, id: &str) -> String {
    reg.sql()
        .query_row(
            "SELECT reference_id FROM persons WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

/// A merge at a site reaches the hub as a link of its source records
/// (`/linkSource`), and the unmerge as an unlink; each answer's Link ID
/// lands on the site's person.
#[test]
fn a_merge_and_unmerge_at_a_site_reach_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let (mut a, adb) = workstation(dir.path(), "a", "SITE-A", "site-a", SECRET_A, &hub.url());
    let x1 = register(
        &mut a,
        &person("Olena", "Kovalenko", "1986-04-12", "+380501234567"),
    );
    let x2 = register(
        &mut a,
        &person("Taras", "Shevchenko", "1961-03-09", "+380671112233"),
    );
    assert_eq!(sync(&mut a, &adb).sent, 2);
    let (l1, l2) = (link_of(&a, &x1).unwrap(), link_of(&a, &x2).unwrap());
    assert_ne!(l1, l2);
    let (r1, r2) = (reference(&a, &x1), reference(&a, &x2));
    a.merge(&Actor::system(), &r1, &r2, "one patient, two cards")
        .unwrap();
    let r = sync(&mut a, &adb);
    assert_eq!((r.sent, r.remaining), (1, 0), "{r:?}");
    assert_eq!(link_of(&a, &x2).as_deref(), Some(l1.as_str()));
    let resp = outbox_responses(&a).last().unwrap().clone();
    assert_eq!(resp["content"]["events"][0]["type"], "UPDATE_SOURCE");
    assert_eq!(resp["content"]["events"][0]["previousLinkId"], l2.as_str());
    a.unmerge(&Actor::system(), &r1, &r2, "two people after all")
        .unwrap();
    let r = sync(&mut a, &adb);
    assert_eq!((r.sent, r.remaining), (1, 0), "{r:?}");
    let l3 = link_of(&a, &x2).unwrap();
    assert!(l3 != l1 && l3 != l2, "a Link ID of its own: {l3}");
    assert_eq!(link_of(&a, &x1).as_deref(), Some(l1.as_str()));
}

/// Link ID changes made at the hub reach the site that holds the record:
/// site A's post joins site B's person to site A's by transitive linking,
/// and site B learns it on its next sync. Then B's steward unlinks B's
/// record at the hub; A, which has not heard of that, posts a change that
/// would link them again. The documented rule: a steward's unlink keeps
/// the records apart, and a post that would join them joins none of them.
/// Both sites end with the hub's Link IDs.
#[test]
fn hub_link_changes_flow_back_and_an_unlink_is_not_undone() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let (mut a, adb) = workstation(dir.path(), "a", "SITE-A", "site-a", SECRET_A, &hub.url());
    let (mut b, bdb) = workstation(dir.path(), "b", "SITE-B", "site-b", SECRET_B, &hub.url());
    // p at A; q at B: the same name, another birth year, phone and passport.
    let p = register(
        &mut a,
        &person("Olena", "Kovalenko", "1986-04-12", "+380501111111"),
    );
    assert_eq!(sync(&mut a, &adb).sent, 1);
    let q = register(
        &mut b,
        &person("Olena", "Kovalenko", "1975-04-12", "+380502222222"),
    );
    assert_eq!(sync(&mut b, &bdb).sent, 1);
    let (lp, lq) = (link_of(&a, &p).unwrap(), link_of(&b, &q).unwrap());
    assert_ne!(lp, lq, "not the same person at first");
    // r at A: p's birth date and phone, q's passport. The hub joins all three.
    let mut rb = person("Olena", "Kovalenko", "1986-04-12", "+380501111111");
    rb["person"]["documents"][0]["number"] = json!("АА222222");
    rb["duplicate_override"] = json!({"reason": "a second card, the passport from another clinic"});
    let r = register(&mut a, &rb);
    assert_eq!(sync(&mut a, &adb).sent, 1);
    assert_eq!(link_of(&a, &r).as_deref(), Some(lp.as_str()));
    // Site B has not done anything, and learns its person's new Link ID.
    let back = sync(&mut b, &bdb);
    assert_eq!(back.link_changes, 1, "{back:?}");
    assert_eq!(link_of(&b, &q).as_deref(), Some(lp.as_str()));
    let history = b.link_history(&q).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.operation, "hub_link_changed");
    assert!(
        last.reason
            .as_deref()
            .unwrap()
            .contains("transitive linking"),
        "{last:?}"
    );
    // B's steward: q is someone else. Unlinked at the hub, once.
    let body = json!({"trackingId": "b-unlink-1", "content": {
        "source": {"name": "SITE-B", "id": q}, "reason": "different person: another birth year"}});
    let (st, un, _) = signed(
        &hub.url(),
        "site-b",
        SECRET_B,
        "/unlinkSource",
        &body,
        now(),
    );
    assert_eq!(st, 200, "{un}");
    let lq2 = un["content"]["linkId"].as_str().unwrap().to_string();
    assert_ne!(lq2, lp);
    assert_eq!(un["content"]["events"][0]["previousLinkId"], lp.as_str());
    let (st2, again, _) = signed(
        &hub.url(),
        "site-b",
        SECRET_B,
        "/unlinkSource",
        &body,
        now(),
    );
    assert_eq!(
        (st2, &again["content"]),
        (200, &un["content"]),
        "applied once"
    );
    // Site A may not unlink site B's record.
    let (st3, _, _) = signed(
        &hub.url(),
        "site-a",
        SECRET_A,
        "/unlinkSource",
        &body,
        now(),
    );
    assert_eq!(st3, 403);
    // A, offline meanwhile, changes r: the post would join q again.
    let mut upd = rb.clone();
    upd["person"]["id"] = json!(r);
    upd.as_object_mut().unwrap().remove("duplicate_override");
    upd["person"]
        .as_object_mut()
        .unwrap()
        .remove("authentication_methods");
    upd["person"]["email"] = json!("olena@example.com");
    a.person_request(&Actor::system(), &upd).unwrap();
    assert_eq!(sync(&mut a, &adb).sent, 1);
    assert_eq!(link_of(&a, &r).as_deref(), Some(lp.as_str()));
    assert_eq!(link_of(&a, &p).as_deref(), Some(lp.as_str()));
    sync(&mut b, &bdb);
    assert_eq!(
        link_of(&b, &q).as_deref(),
        Some(lq2.as_str()),
        "still apart"
    );
}

/// An admin points a site at the hub through the router (`PUT /api/hub`,
/// the GUI's Settings -> Hub connection): the secret goes to its 0600 file,
/// never into the answer, the database or the audit trail; a bad value
/// changes nothing; "Test connection" tells a right key from a wrong one.
#[test]
fn hub_connection_is_set_and_tested_through_the_router() {
    let dir = tempfile::tempdir().unwrap();
    let hub = new_hub(dir.path());
    let db = dir.path().join("w.db");
    let mut w = Registry::open(&db).unwrap();
    let admin = Actor {
        name: "ada".into(),
        role: registrar::service::Role::Admin,
        sources: None,
    };
    let clerk = Actor {
        name: "rita".into(),
        role: registrar::service::Role::Receptionist,
        sources: None,
    };
    let call = |w: &mut Registry, who: &Actor, method: &str, path: &str, body: Value| {
        registrar::api::handle(w, who, method, path, body.to_string().as_bytes())
    };
    // Receptionists neither read nor change it.
    assert_eq!(
        call(&mut w, &clerk, "GET", "/api/hub", json!(null)).status,
        403
    );
    let put = json!({"url": hub.url(), "keyId": "site-a", "secret": SECRET_A});
    assert_eq!(
        call(&mut w, &clerk, "PUT", "/api/hub", put.clone()).status,
        403
    );
    // A bad key id or a short secret changes nothing, not even the URL.
    let r = call(
        &mut w,
        &admin,
        "PUT",
        "/api/hub",
        json!({"url": hub.url(), "keyId": "bad key", "secret": SECRET_A}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = call(
        &mut w,
        &admin,
        "PUT",
        "/api/hub",
        json!({"url": hub.url(), "keyId": "site-a", "secret": "short"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = call(
        &mut w,
        &admin,
        "PUT",
        "/api/hub",
        json!({"url": hub.url(), "keyId": "site-a", "secret": SECRET_A, "x": 1}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        call(&mut w, &admin, "GET", "/api/hub", json!(null)).body,
        json!({"url": "", "keyId": "", "secretStored": false})
    );
    // Set: the secret is in a 0600 file and nowhere else.
    let r = call(&mut w, &admin, "PUT", "/api/hub", put);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.to_string().contains(SECRET_A));
    let got = call(&mut w, &admin, "GET", "/api/hub", json!(null)).body;
    assert_eq!(
        got,
        json!({"url": hub.url(), "keyId": "site-a", "secretStored": true})
    );
    let file = registrar::sync::secret_path(&db);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let dump: String = {
        let mut st = w.sql().prepare("SELECT value FROM settings").unwrap();
        let v: Vec<String> = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        v.join(" ")
    };
    assert!(!dump.contains(SECRET_A));
    let audit = call(&mut w, &admin, "GET", "/audit?limit=100", json!(null))
        .body
        .to_string();
    assert!(
        audit.contains("hub.secret") && !audit.contains(SECRET_A),
        "{audit}"
    );
    // Test connection: the right key is accepted, a wrong secret is not.
    let r = call(&mut w, &admin, "POST", "/api/hub/test", json!({}));
    assert_eq!(r.body["ok"], true, "{}", r.body);
    let r = call(
        &mut w,
        &admin,
        "PUT",
        "/api/hub",
        json!({"url": hub.url(), "keyId": "site-a", "secret": "a-wrong-secret-0123456789"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call(&mut w, &admin, "POST", "/api/hub/test", json!({}));
    assert_eq!(r.body["ok"], false, "{}", r.body);
    assert!(
        r.body["message"].as_str().unwrap().contains("401"),
        "{}",
        r.body
    );
}
