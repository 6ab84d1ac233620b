//! The store: migrations in place, a new process reads back, a crash mid-write.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::service::{Actor, Registry};
use registrar::store::Store;
use serde_json::json;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_registrar")
}

#[test]
fn older_file_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let old = Store::open_at_version(&path, 1).unwrap();
        assert_eq!(old.user_version().unwrap(), 1);
        old.sql().execute_batch("INSERT INTO persons(id, reference_id, status, first_name, last_name, birth_date, gender, data, created_by, created_at, updated_by, updated_at) VALUES ('p_old','M100000001','active','Ann','Lee','1980-01-01','FEMALE','{\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"birth_date\":\"1980-01-01\",\"gender\":\"FEMALE\"}','t','t','t','t')").unwrap();
    }
    let reg = Registry::open(&path).unwrap();
    assert_eq!(
        reg.schema_version().unwrap() as usize,
        registrar::store::schema_version()
    );
    let p = reg.get_person("p_old").unwrap();
    assert_eq!(p.person.first_name, "Ann");
    assert_eq!(p.link_id, None);
}

#[test]
fn cli_writes_and_a_new_process_reads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let body_path = dir.path().join("adult.json");
    std::fs::write(&body_path, adult().to_string()).unwrap();
    let out = Command::new(bin())
        .args([
            "--db",
            db.to_str().unwrap(),
            "api",
            "POST",
            "/api/person_requests",
            "--body",
            body_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], 201);
    let id = v["body"]["data"]["id"].as_str().unwrap();
    let out = Command::new(bin())
        .env("REGISTRAR_DB", &db)
        .args(["api", "GET", &format!("/api/persons/{id}")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["status"], 200);
    // Everything that went in comes back out.
    let sent = &adult()["person"];
    for k in [
        "first_name",
        "last_name",
        "second_name",
        "birth_date",
        "birth_country",
        "birth_settlement",
        "gender",
        "tax_id",
        "email",
        "phones",
        "addresses",
        "documents",
    ] {
        assert_eq!(got["body"]["data"][k], sent[k], "{k}");
    }
    // The method comes back as sent, with the UUID the registry gave it.
    let mut method = got["body"]["data"]["authentication_methods"][0].clone();
    let method_id = method.as_object_mut().unwrap().remove("id").unwrap();
    assert!(registrar::core::validate::is_uuid(
        method_id.as_str().unwrap()
    ));
    assert_eq!(method, sent["authentication_methods"][0]);
    // Failure statuses exit 1, usage errors 2.
    let bad = Command::new(bin())
        .args([
            "--db",
            db.to_str().unwrap(),
            "api",
            "GET",
            "/api/persons/p_missing",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let usage = Command::new(bin())
        .args(["--db", db.to_str().unwrap(), "api"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn killing_the_process_mid_write_leaves_the_database_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    for round in 0..3 {
        let mut child = Command::new(bin())
            .args(["--db", db.to_str().unwrap(), "stress", "--count", "100000"])
            .spawn()
            .unwrap();
        // Let it write for a while, then kill it without warning.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            std::thread::sleep(std::time::Duration::from_millis(150));
            let n = Store::open(&db)
                .ok()
                .and_then(|s| registrar::store::count(s.sql(), "persons").ok())
                .unwrap_or(0);
            if n > 20 * (round + 1) || std::time::Instant::now() > deadline {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let reg = Registry::open(&db).unwrap();
    let conn = reg.sql();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let fk: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    let persons = registrar::store::count(conn, "persons").unwrap();
    assert!(persons > 0);
    // Every stress person has two documents and one scan: no half-written person.
    let half: i64 = conn.query_row(
        "SELECT COUNT(*) FROM persons p WHERE (SELECT COUNT(*) FROM documents d WHERE d.person_seq = p.seq) != 2
            OR (SELECT COUNT(*) FROM scans s JOIN documents d ON s.document_id = d.id WHERE d.person_seq = p.seq) != 1",
        [], |r| r.get(0)).unwrap();
    assert_eq!(half, 0, "half-written persons among {persons}");
    let _ = json!({});
    let _ = Actor::system();
}

/// Schema 9 turned blocking keys into hashes and moved name prefixes to
/// their own table; a version-8 file gets both rebuilt from its records, so
/// matching and search still find the people it already had.
#[test]
fn version_8_keys_are_rebuilt_as_hashes() {
    use registrar::core::matching::MatchRecord;
    use registrar::store::matching::SourcedRecord;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.db");
    let attrs = json!({"sorId": "42", "givenName": "Ann", "sn": "Lee", "dateOfBirth": "1980-01-01",
                       "tax_id": "2926700142", "mobile": "+380501234567"});
    let rec = MatchRecord::from_attributes(&attrs);
    {
        let old = Store::open_at_version(&path, 8).unwrap();
        old.sql().execute_batch("INSERT INTO persons(id, reference_id, status, first_name, last_name, birth_date, gender, data, created_by, created_at, updated_by, updated_at, ordinal) VALUES ('p_old','M100000001','active','Ann','Lee','1980-01-01','FEMALE','{\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"birth_date\":\"1980-01-01\",\"gender\":\"FEMALE\"}','t','t','t','t',1)").unwrap();
        let records = vec![SourcedRecord {
            sor: "clinic".into(),
            sor_id: "42".into(),
            rec: rec.clone(),
        }];
        old.sql()
            .execute(
                "INSERT INTO match_records(person_seq, records) VALUES (1, ?1)",
                [serde_json::to_string(&records).unwrap()],
            )
            .unwrap();
        // Version 8 kept the keys as text.
        for k in rec.blocking_keys() {
            old.sql()
                .execute(
                    "INSERT INTO match_keys(key, person_seq) VALUES (?1, 1)",
                    [k],
                )
                .unwrap();
        }
    }
    let mut reg = Registry::open(&path).unwrap();
    // The keys are kept with each record now, as 8-byte hashes.
    let kept: Vec<u8> = reg
        .sql()
        .query_row(
            "SELECT keys FROM match_rows WHERE person_seq = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept.len(), 8 * rec.blocking_keys().len());
    let tables: i64 = reg
        .sql()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'match_keys'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0, "the inverted key table is gone");
    // The same person from another source is found through the rebuilt keys.
    let r = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "sor": "lab", "sorAttributes":
            {"sorId": "x1", "givenName": "Ann", "sn": "Lee", "dateOfBirth": "1980-01-01",
             "tax_id": "2926700142", "mobile": "+380501234567"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["referenceId"], "M100000001");
    // And the search box finds her by a name prefix.
    let s = get(&mut reg, "/api/search?q=le");
    assert_eq!(s.status, 200, "{}", s.body);
    assert!(s.body.to_string().contains("M100000001"), "{}", s.body);
}

/// Step 14 rebuilds the persons table (a person can now be merged). Every
/// table that points at a person must keep its rows: with foreign keys on,
/// dropping the old table would have cascaded into documents, scans,
/// identifiers and records.
#[test]
fn version_13_keeps_every_row_through_the_persons_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v13.db");
    let counts = |conn: &rusqlite::Connection| -> Vec<i64> {
        [
            "persons",
            "documents",
            "scans",
            "issued_identifiers",
            "sor_records",
            "auth_methods",
        ]
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        })
        .collect()
    };
    // Comparable records: one row per person holding a JSON list before
    // step 22, a row per record after it.
    let records = |conn: &rusqlite::Connection, sql: &str| -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let before = {
        // Rows as version 13 wrote them (today's service writes tables
        // version 13 does not have).
        let old = Store::open_at_version(&path, 13).unwrap();
        old.sql()
            .execute_batch(
                "INSERT INTO persons(seq, id, reference_id, status, first_name, last_name, birth_date,
                     gender, data, created_by, created_at, updated_by, updated_at, ordinal)
                 VALUES (1, 'p_old', 'M100000001', 'active', 'Ann', 'Lee', '1980-01-01', 'FEMALE',
                     '{}', 't', 't', 't', 't', 1);
                 INSERT INTO documents(id, person_seq, position, type, number) VALUES (1, 1, 0, 'PASSPORT', 'АА123456');
                 INSERT INTO scans(id, document_id, position, file_name, media_type, size, sha256, content)
                     VALUES ('s1', 1, 0, 'p.png', 'image/png', 3, 'x', x'010203');
                 INSERT INTO issued_identifiers(id, person_seq, type, issued_number, created_at)
                     VALUES ('pii_1', 1, 'NPI', '1234567893', 't');
                 INSERT INTO sor_records(sor, sor_id, person_seq, attributes, created_at, updated_at)
                     VALUES ('lab', '7', 1, '{}', 't', 't');
                 INSERT INTO match_records(person_seq, records)
                     VALUES (1, '[{\"sor\":\"lab\",\"sor_id\":\"7\",\"rec\":{\"given\":\"ann\",\"family\":\"lee\"}}]');
                 INSERT INTO auth_methods(id, person_seq, position, type) VALUES ('a1', 1, 0, 'OTP');",
            )
            .unwrap();
        let mut c = counts(old.sql());
        c.push(records(
            old.sql(),
            "SELECT sum(json_array_length(records)) FROM match_records",
        ));
        c
    };
    assert!(before.iter().all(|n| *n == 1), "{before:?}");
    let reg = Registry::open(&path).unwrap();
    let mut after = counts(reg.sql());
    after.push(records(reg.sql(), "SELECT count(*) FROM match_rows"));
    assert_eq!(after, before);
    let (sor, rec): (String, String) = reg
        .sql()
        .query_row(
            "SELECT sor || '/' || sor_id, rec FROM match_rows",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(sor, "lab/7");
    assert!(rec.contains(r#""family":"lee""#), "{rec}");
    let fk: bool = reg
        .sql()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(fk, "foreign keys are on again after the step");
    let version: i64 = reg
        .sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert!(version >= 14);
}

/// Step 23 rebuilds the persons table for its status CHECK without an IN
/// list: every person comes through column for column, with its children
/// (foreign keys off for the step, on again after), the CHECK still
/// refuses a status outside the three, and writing a person no longer
/// builds a temporary table for the CHECK.
#[test]
fn version_22_persons_come_through_the_status_check_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v22.db");
    let persons = |conn: &rusqlite::Connection| -> Vec<String> {
        let mut st = conn
            .prepare("SELECT json_array(seq, id, reference_id, status, active_id, version, first_name, last_name,
                          birth_date, gender, tax_id, data, created_by, created_at, updated_by, updated_at,
                          link_id, ordinal, merged_into) FROM persons ORDER BY seq")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let children =
        "SELECT (SELECT count(*) FROM sor_records) || '/' || (SELECT count(*) FROM match_rows)
                        || '/' || (SELECT count(*) FROM documents)";
    let (before, kids) = {
        let old = Store::open_at_version(&path, 22).unwrap();
        old.sql()
            .execute_batch(
                "INSERT INTO persons(seq, id, reference_id, status, first_name, last_name, birth_date,
                     gender, tax_id, data, created_by, created_at, updated_by, updated_at, ordinal, link_id)
                 VALUES (1, 'p_a', 'M100000001', 'active', 'Ann', 'Lee', '1980-01-01', 'FEMALE', '123',
                     '{}', 't', 't', 'u', 'u', 1, 'L1');
                 INSERT INTO persons(seq, id, reference_id, status, active_id, first_name, last_name,
                     birth_date, gender, data, created_by, created_at, updated_by, updated_at, version)
                 VALUES (2, 'p_w', 'M100000001', 'working_copy', 'p_a', 'Anne', 'Lee', '1980-01-01',
                     'FEMALE', '{}', 't', 't', 't', 't', 3);
                 INSERT INTO persons(seq, id, reference_id, status, merged_into, first_name, last_name,
                     birth_date, gender, data, created_by, created_at, updated_by, updated_at)
                 VALUES (3, 'p_m', 'M100000003', 'merged', 1, 'A', 'Lee', '1980-01-01', 'FEMALE', '{}',
                     't', 't', 't', 't');
                 INSERT INTO documents(id, person_seq, position, type, number) VALUES (1, 1, 0, 'PASSPORT', 'AA1');
                 INSERT INTO sor_records(sor, sor_id, person_seq, attributes, created_at, updated_at)
                     VALUES ('lab', '7', 1, '{}', 't', 't');
                 INSERT INTO match_rows(person_seq, sor, sor_id, rec) VALUES (1, 'lab', '7', '{}');",
            )
            .unwrap();
        let kids: String = old.sql().query_row(children, [], |r| r.get(0)).unwrap();
        (persons(old.sql()), kids)
    };
    assert_eq!(before.len(), 3);
    assert_eq!(kids, "1/1/1");
    let reg = Registry::open(&path).unwrap();
    let conn = reg.sql();
    assert_eq!(persons(conn), before);
    let now: String = conn.query_row(children, [], |r| r.get(0)).unwrap();
    assert_eq!(now, kids, "children kept");
    let fk: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(fk, "foreign keys are on again after the step");
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
    let refused = conn.execute(
        "INSERT INTO persons(id, reference_id, status, first_name, last_name, birth_date, gender,
             data, created_by, created_at, updated_by, updated_at)
         VALUES ('p_x', 'M1', 'deleted', 'X', 'Y', '1990-01-01', '', '{}', 't', 't', 't', 't')",
        [],
    );
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("CHECK constraint failed"),
        "a status outside the three is refused"
    );
    let ops: Vec<String> = {
        let mut st = conn
            .prepare(
                "EXPLAIN INSERT INTO persons(id, reference_id, status, first_name, last_name,
                     birth_date, gender, data, created_by, created_at, updated_by, updated_at)
                 VALUES ('p_y', 'M2', 'active', 'X', 'Y', '1990-01-01', '', '{}', 't', 't', 't', 't')",
            )
            .unwrap();
        st.query_map([], |r| r.get(1))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(
        !ops.iter().any(|o| o == "OpenEphemeral"),
        "a person's insert builds no temporary table: {ops:?}"
    );
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'persons'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 1, "the delete guard is made again");
}

/// A merge is one transaction: killed at any moment, a pair is either
/// merged whole (the merged person has nothing left and its merge row is
/// in force) or not at all (it keeps its two documents). Nothing is lost.
#[test]
fn killing_a_merge_leaves_all_of_it_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("merge.db");
    let made = Command::new(bin())
        .args(["--db", db.to_str().unwrap(), "stress", "--count", "60"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let refs: Vec<String> = {
        let s = Store::open(&db).unwrap();
        let mut st = s
            .sql()
            .prepare("SELECT reference_id FROM persons WHERE status = 'active' ORDER BY seq")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(refs.len(), 60);
    // Each merge in its own process, killed (SIGKILL) after a delay that
    // walks from before it opens the database to after it commits.
    for (i, pair) in refs.chunks(2).enumerate() {
        let body = dir.path().join(format!("{}.json", pair[1]));
        std::fs::write(
            &body,
            json!({"survivor": pair[0], "merged": pair[1], "reason": "crash test"}).to_string(),
        )
        .unwrap();
        let mut child = Command::new(bin())
            .args(["--db", db.to_str().unwrap(), "api", "POST", "/people/merge"])
            .arg("--body")
            .arg(&body)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis((i as u64 * 7) % 60));
        let _ = child.kill();
        let _ = child.wait();
    }
    let reg = Registry::open(&db).unwrap();
    let conn = reg.sql();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let q = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(q("SELECT count(*) FROM documents"), 120, "no document lost");
    let merged = q("SELECT count(*) FROM persons WHERE status = 'merged'");
    assert_eq!(
        merged,
        q("SELECT count(*) FROM merges WHERE undone_at IS NULL"),
        "a merge row for each merged person"
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM persons p WHERE status = 'merged' AND (
               EXISTS (SELECT 1 FROM documents d WHERE d.person_seq = p.seq)
            OR EXISTS (SELECT 1 FROM match_rows m WHERE m.person_seq = p.seq))"
        ),
        0,
        "a merged person keeps nothing"
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM persons p WHERE status = 'active' AND merged_into IS NULL AND
              (SELECT count(*) FROM documents d WHERE d.person_seq = p.seq)
              != 2 * (1 + (SELECT count(*) FROM persons m WHERE m.merged_into = p.seq))"
        ),
        0,
        "each survivor holds its documents and those of what merged into it"
    );
    eprintln!("{merged} of 30 pairs merged before the kills");
}

/// An import killed without warning (SIGKILL) at any moment keeps whole
/// batches only, and running the same file again stores every row once:
/// nothing lost, nothing twice, whatever the import's index in memory held.
#[test]
fn a_killed_import_resumes_and_stores_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rows.csv");
    let rows = {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        registrar::tools::generate::generate(&mut f, 6000, 0.2, 11).unwrap()
    };
    let import = |db: &std::path::Path| {
        Command::new(bin())
            .args([
                "--db",
                db.to_str().unwrap(),
                "import",
                csv.to_str().unwrap(),
            ])
            .args(["--sor", "GEN", "--id-column", "rec_id", "--batch", "200"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let stored = |db: &std::path::Path| -> i64 {
        Store::open(db)
            .ok()
            .and_then(|s| registrar::store::count(s.sql(), "sor_records").ok())
            .unwrap_or(0)
    };
    let db = dir.path().join("killed.db");
    drop(Registry::open(&db).unwrap());
    // Killed twice, at different points of the file.
    for at in [400, 2500] {
        let mut child = import(&db);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while stored(&db) < at && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let killed_at = stored(&db);
    assert!(
        killed_at > 0 && killed_at < rows as i64,
        "killed mid-way: {killed_at}"
    );
    assert!(import(&db).wait().unwrap().success());
    let straight = dir.path().join("straight.db");
    drop(Registry::open(&straight).unwrap());
    assert!(import(&straight).wait().unwrap().success());
    let reg = Registry::open(&db).unwrap();
    let ok: String = reg
        .sql()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // Every row once: as a SOR record, or waiting in the queue.
    let once = |r: &Registry| {
        let links = r.export_links().unwrap();
        let mut ids: Vec<&str> = links.iter().map(|l| l.1.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "a row stored twice");
        n
    };
    let straight = Registry::open(&straight).unwrap();
    assert_eq!(once(&reg), rows as usize);
    assert_eq!(once(&straight), rows as usize);
}

/// A bulk import drops the indexes every batch would rewrite all over
/// (birth dates and tax ids come in no order) and builds them again at its
/// end; a store opened after a crash mid-import builds them itself, as the
/// migrations made them.
#[test]
fn indexes_an_import_defers_come_back_as_the_migrations_made_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deferred.db");
    let sql_of = |s: &Store, name: &str| -> Option<String> {
        s.sql()
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .ok()
    };
    let deferred = registrar::store::DEFERRED_INDEXES;
    assert!(!deferred.is_empty());
    let mut s = Store::open(&path).unwrap();
    for (name, sql) in deferred {
        assert_eq!(sql_of(&s, name).as_deref(), Some(*sql), "{name}");
    }
    s.defer_indexes().unwrap();
    for (name, _) in deferred {
        assert_eq!(sql_of(&s, name), None, "{name} dropped");
    }
    // As a crash mid-import leaves the file.
    drop(s);
    let s = Store::open(&path).unwrap();
    for (name, sql) in deferred {
        assert_eq!(
            sql_of(&s, name).as_deref(),
            Some(*sql),
            "{name} built again"
        );
    }
}

/// A database a newer Registrar wrote is refused, not written as this
/// version knows it (an older binary would write rows the newer one's
/// derived tables miss, such as the blocking index's change log).
#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    let newer = registrar::store::schema_version() as i64 + 1;
    Store::open(&path)
        .unwrap()
        .sql()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = Store::open(&path).err().expect("refused").to_string();
    assert!(err.contains("newer Registrar"), "{err}");
    assert!(err.contains(&format!("schema {newer}")), "{err}");
}
