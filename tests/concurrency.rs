//! Two writers on one database: an import and a loop of registrations and
//! ID Match requests, each on its own connection (as the CLI, the GUI's
//! worker and the sync thread are). Every transaction begins IMMEDIATE, so a
//! writer waits for the lock (busy timeout) instead of failing at once.

mod common;
use registrar::api;
use registrar::service::{Actor, Registry};
use serde_json::json;

#[test]
fn an_import_and_a_writer_loop_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    let csv = dir.path().join("rows.csv");
    let rows = {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        registrar::tools::generate::generate(&mut f, 3000, 0.2, 7).unwrap()
    };
    drop(Registry::open(&db).unwrap());
    let import_db = db.clone();
    let importer = std::thread::spawn(move || {
        let mut reg = Registry::open(&import_db).unwrap();
        let mut opts = registrar::tools::bench::generated_options();
        opts.batch = 250;
        let f = std::fs::File::open(&csv).unwrap();
        reg.import_csv(
            &Actor::system(),
            std::io::BufReader::new(f),
            &opts,
            &mut |_| {},
        )
        .map_err(|e| e.to_string())
    });
    let mut reg = Registry::open(&db).unwrap();
    let mut failures = Vec::new();
    let mut created = 0;
    let mut ids = Vec::new();
    for i in 0..60 {
        let body = registrar::service::demo::adult_request(100_000 + i);
        let r = api::handle(
            &mut reg,
            &Actor::system(),
            "POST",
            "/api/person_requests",
            body.to_string().as_bytes(),
        );
        if r.status == 201 {
            created += 1;
            ids.push(r.body["data"]["id"].as_str().unwrap().to_string());
        } else {
            failures.push(format!("person request {i}: {} {}", r.status, r.body));
        }
        let people = json!({"requestType": "referenceId", "sor": "DESK", "sorAttributes": {"sorId": format!("D-{i}"), "givenName": format!("Ivan{}", registrar::service::demo::letters(i)), "sn": "Petrenko", "dateOfBirth": "1970-01-01"}});
        let r = api::handle(
            &mut reg,
            &Actor::system(),
            "POST",
            "/people",
            people.to_string().as_bytes(),
        );
        if r.status >= 400 {
            failures.push(format!("people {i}: {} {}", r.status, r.body));
        }
    }
    let summary = importer.join().unwrap();
    assert!(
        failures.is_empty(),
        "{} writes failed: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let summary = summary.expect("the import finished");
    assert_eq!(summary.rows as usize, rows as usize, "{summary:?}");
    assert_eq!(created, 60);
    // Nothing lost: every import row is a SOR record, every registration a person.
    let sor: i64 = reg
        .store
        .conn
        .query_row(
            "SELECT COUNT(*) FROM sor_records WHERE sor = 'GEN'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let pending: i64 = reg
        .store
        .conn
        .query_row(
            "SELECT COUNT(*) FROM pending WHERE sor = 'GEN' AND resolved_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        sor + pending,
        summary.rows as i64 - summary.skipped as i64 - summary.rejected.len() as i64,
        "{summary:?}"
    );
    for id in &ids {
        reg.get_person(id).expect("every registration is stored");
    }
}
