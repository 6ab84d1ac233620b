//! Two writers on one database: an import and a loop of registrations and
//! ID Match requests, each on its own connection (as the CLI, the GUI's
//! worker and the sync thread are). Every transaction begins IMMEDIATE, so a
//! writer waits for the lock (busy timeout) instead of failing at once.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

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
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM sor_records WHERE sor = 'GEN'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let pending: i64 = reg
        .sql()
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

/// Importing source CLINIC's file (ids in column `id`) two rows a batch.
fn clinic_in_pairs() -> registrar::service::import::ImportOptions {
    registrar::service::import::ImportOptions {
        sor: "CLINIC".into(),
        id_column: "id".into(),
        map: Vec::new(),
        batch: 2,
        stop: None,
        wal_limit: registrar::service::import::WAL_LIMIT,
        rows_expected: None,
    }
}

/// The import reads candidates from its blocking index in memory. A person
/// another connection registers between two of its batches (the GUI, the
/// hub) must be a candidate for the rows after: the import reads the rows
/// stamped since its index was current (the match clock) into it.
#[test]
fn an_import_sees_a_person_another_connection_registered_between_batches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    let csv = "id,given_name,family_name,birth_date,tax_id,phone,email,postal_code\n\
               r1,Olena,Shevchenko,1980-02-03,1234567890,+380501112233,olena@example.com,01001\n\
               r2,Taras,Bondar,1975-06-07,2234567891,+380502223344,taras@example.com,02002\n\
               r3,Mykola,Kovalenko,1990-10-11,3234567892,+380503334455,mykola@example.com,03003\n";
    drop(Registry::open(&db).unwrap());
    let mut reg = Registry::open(&db).unwrap();
    let opts = clinic_in_pairs();
    let mut other_reference = None;
    let summary = reg
        .import_csv(&Actor::system(), csv.as_bytes(), &opts, &mut |s| {
            if s.rows != 2 || other_reference.is_some() {
                return;
            }
            // After the first batch: the other connection registers r3's person.
            let mut other = Registry::open(&db).unwrap();
            let body = json!({"requestType": "referenceId", "sor": "DESK", "sorAttributes": {
                "sorId": "D-1", "givenName": "Mykola", "sn": "Kovalenko", "dateOfBirth": "1990-10-11",
                "tax_id": "3234567892", "mobile": "+380503334455", "email": "mykola@example.com",
                "postalCode": "03003"}});
            let r = api::handle(&mut other, &Actor::system(), "POST", "/people", body.to_string().as_bytes());
            assert_eq!(r.status, 201, "{}", r.body);
            other_reference = r.body["referenceId"].as_str().map(str::to_string);
        })
        .unwrap();
    let other_reference = other_reference.expect("the other connection registered a person");
    assert_eq!((summary.new, summary.linked), (2, 1), "{summary:?}");
    let links = reg.export_links().unwrap();
    let r3 = links
        .iter()
        .find(|l| l.0 == "CLINIC" && l.1 == "r3")
        .expect("r3 is stored");
    assert_eq!(
        r3.2, other_reference,
        "r3 joins the person registered beside the import"
    );
}

/// An import of nine rows (r1 and r2 twice) in batches of two, with
/// `beside` run by another connection after the first batch; its summary,
/// the links it leaves (source id, reference id or "", status) and the
/// family name each stored record of the source holds.
#[allow(clippy::type_complexity)]
fn import_beside(
    beside: impl Fn(&mut Registry),
) -> (
    registrar::service::import::ImportSummary,
    Vec<(String, String, String)>,
    std::collections::BTreeMap<String, String>,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    let csv = "id,given_name,family_name,birth_date,tax_id\n\
               r1,Olena,Shevchenko,1980-02-03,1234567890\n\
               r1,Olena,Shevchenko,1980-02-03,1234567890\n\
               r2,Taras,Bondar,1975-06-07,2234567891\n\
               r3,Mykola,Kovalenko,1990-10-11,3234567892\n\
               r4,Kateryna,Melnyk,1988-01-09,4234567893\n\
               r2,Taras,Bondar,1975-06-07,2234567891\n\
               r5,Iryna,Tkachenko,1969-12-30,5234567894\n\
               r6,Bohdan,Lysenko,1971-03-15,6234567895\n\
               r7,Oksana,Petrenko,1983-08-21,7234567896\n";
    drop(Registry::open(&db).unwrap());
    let mut reg = Registry::open(&db).unwrap();
    let opts = clinic_in_pairs();
    let summary = reg
        .import_csv(&Actor::system(), csv.as_bytes(), &opts, &mut |s| {
            if s.rows == 2 {
                beside(&mut Registry::open(&db).unwrap());
            }
        })
        .unwrap();
    let links = reg
        .export_links()
        .unwrap()
        .into_iter()
        .filter(|l| l.0 == "CLINIC")
        .map(|l| (l.1, l.2, l.3))
        .collect();
    let family = reg
        .sql()
        .prepare(
            "SELECT sor_id, json_extract(attributes, '$.sn') FROM sor_records WHERE sor = 'CLINIC'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (summary, links, family)
}

/// A row whose SOR id is stored already is skipped, not written again: an
/// id the file repeats (in the same batch and in a later one), and an id
/// another connection stored for the import's source between two of its
/// batches (the import keeps the ids it wrote to skip the store's lookups
/// while its source was new, and must not trust them after that write).
#[test]
fn an_import_skips_ids_it_wrote_and_ids_another_connection_stored_meanwhile() {
    let stored_beside = std::cell::RefCell::new(None);
    let (summary, links, family) = import_beside(|other| {
        let body = json!({"requestType": "referenceId", "sor": "CLINIC", "sorAttributes": {
            "sorId": "r4", "givenName": "Kateryna", "sn": "Melnyk-Shevchuk",
            "dateOfBirth": "1988-01-09", "tax_id": "4234567893"}});
        let r = api::handle(
            other,
            &Actor::system(),
            "POST",
            "/people",
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        *stored_beside.borrow_mut() = r.body["referenceId"].as_str().map(str::to_string);
    });
    let stored_beside = stored_beside
        .into_inner()
        .expect("the other connection stored r4");
    assert_eq!(
        (summary.rows, summary.new, summary.skipped),
        (9, 6, 3),
        "{summary:?}"
    );
    assert_eq!(links.len(), 7, "{links:?}");
    let r4 = links.iter().find(|l| l.0 == "r4").expect("r4 is stored");
    assert_eq!(
        r4.1, stored_beside,
        "the desk's r4 stays as the desk stored it"
    );
    assert_eq!(family["r4"], "Melnyk-Shevchuk");
}

/// The same for an id another connection only queued for review (which
/// stamps nothing a refresh of the blocking index would see).
#[test]
fn an_import_skips_an_id_another_connection_queued_meanwhile() {
    let (summary, links, _) = import_beside(|other| {
        other
            .sql()
            .execute(
                "INSERT INTO pending(sor, sor_id, attributes, candidates, created_at)
                 VALUES ('CLINIC', 'r3', '{}', '[]', '2026-12-03T00:00:00Z')",
                [],
            )
            .unwrap();
    });
    assert_eq!(
        (summary.rows, summary.new, summary.skipped),
        (9, 6, 3),
        "{summary:?}"
    );
    let r3: Vec<&str> = links
        .iter()
        .filter(|l| l.0 == "r3")
        .map(|l| l.2.as_str())
        .collect();
    assert_eq!(
        r3,
        ["pending"],
        "r3 waits in the queue as queued beside the import"
    );
}

/// Each process holds its own blocking index: what another connection
/// writes (a person registered, a phone changed) is in this one's next
/// duplicate check and search, without loading the index again.
#[test]
fn a_registry_sees_what_another_connection_wrote_since_it_loaded_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    let desk = Registry::open(&db).unwrap();
    let mut hub = Registry::open(&db).unwrap();
    assert_eq!(desk.warm_index().unwrap(), 0);
    let olena = json!({"sorId": "c1", "givenName": "Olena", "sn": "Shevchenko",
        "dateOfBirth": "1980-02-03", "mobile": "+380501112233"});
    let post = |reg: &mut Registry, attributes: &serde_json::Value| {
        let body =
            json!({"requestType": "referenceId", "sor": "CLINIC", "sorAttributes": attributes});
        api::handle(
            reg,
            &Actor::system(),
            "POST",
            "/people",
            body.to_string().as_bytes(),
        )
    };
    let made = post(&mut hub, &olena);
    assert_eq!(made.status, 201, "{}", made.body);
    let rid = made.body["referenceId"].as_str().unwrap().to_string();
    let found = desk.candidates_for(&olena, 5).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].reference_id, rid);
    assert_eq!(desk.search("+380501112233", 0, 10).unwrap().1, 1);
    // The same source record again with another phone: the old phone's
    // key leaves the person in the other process's index too.
    let moved = json!({"sorId": "c1", "givenName": "Olena", "sn": "Shevchenko",
        "dateOfBirth": "1980-02-03", "mobile": "+380509998877"});
    assert_eq!(post(&mut hub, &moved).status, 200);
    assert_eq!(desk.search("+380501112233", 0, 10).unwrap().1, 0);
    assert_eq!(desk.search("+380509998877", 0, 10).unwrap().1, 1);
    assert_eq!(desk.warm_index().unwrap(), 1);
}
