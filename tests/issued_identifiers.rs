//! Seed 000: person.issuedIdentifier.create through the router.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::core::ids::is_base62_id;
use serde_json::json;

fn person(reg: &mut registrar::service::Registry) -> String {
    post(reg, "/api/person_requests", &adult()).body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn create_returns_the_envelope() {
    let mut reg = registry();
    let pid = person(&mut reg);
    let r = post(
        &mut reg,
        "/person.issuedIdentifier.create",
        &json!({"person_id": pid, "issued_identifier": {"type": "MEDICAL_LICENSE", "issued_number": "MED098AB566"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["meta"]["status"], "SUCCESS");
    assert_eq!(r.body["meta"]["version"], "2025-03-24");
    assert!(is_base62_id(
        r.body["meta"]["trace_id"].as_str().unwrap(),
        "trc_"
    ));
    let iid = r.body["data"]["issued_identifier"]["issued_identifier_id"]
        .as_str()
        .unwrap();
    assert!(is_base62_id(iid, "pii_"));
    let got = get(&mut reg, &format!("/api/persons/{pid}"));
    assert_eq!(
        got.body["data"]["issued_identifiers"][0]["issued_identifier_id"],
        iid
    );
    assert_eq!(
        got.body["data"]["issued_identifiers"][0]["type"],
        "MEDICAL_LICENSE"
    );
}

#[test]
fn duplicated_type_is_a_rule_violation() {
    let mut reg = registry();
    let pid = person(&mut reg);
    let body = json!({"person_id": pid, "issued_identifier": {"type": "NPI", "issued_number": "1234567893"}});
    assert_eq!(
        post(&mut reg, "/person.issuedIdentifier.create", &body).status,
        200
    );
    let again = with(body, "/issued_identifier/issued_number", json!("999"));
    let r = post(&mut reg, "/person.issuedIdentifier.create", &again);
    assert_eq!(r.status, 400);
    assert_eq!(r.body["meta"]["status"], "FAILURE");
    assert_eq!(r.body["error"]["code"], "SYSTEM_RULE_VIOLATION");
    assert_eq!(r.body["error"]["entity_type"], "Person");
    assert_eq!(r.body["error"]["sub_code"], "DUPLICATED_ISSUED_IDENTIFIER");
    assert_eq!(count_rows(&reg, "issued_identifiers"), 1);
}

#[test]
fn invalid_type_is_a_rule_violation() {
    let mut reg = registry();
    let pid = person(&mut reg);
    let r = post(
        &mut reg,
        "/person.issuedIdentifier.create",
        &json!({"person_id": pid, "issued_identifier": {"type": "LIBRARY_CARD", "issued_number": "1"}}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "SYSTEM_RULE_VIOLATION");
    assert_eq!(
        r.body["error"]["sub_code"],
        "INVALID_ISSUED_IDENTIFIER_TYPE"
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid value provided")
    );
}

#[test]
fn unknown_person_and_missing_parameters() {
    let mut reg = registry();
    let r = post(
        &mut reg,
        "/person.issuedIdentifier.create",
        &json!({"person_id": "p_57WfSCnafMnxDiWMKcy3EW", "issued_identifier": {"type": "DEA", "issued_number": "1"}}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "ENTITY_NOT_FOUND");
    let r = post(
        &mut reg,
        "/person.issuedIdentifier.create",
        &json!({"issued_identifier": {"type": "DEA"}}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "BAD_REQUEST");
    assert_eq!(
        r.body["error"]["fields"],
        json!(["person_id", "issued_identifier.issued_number"])
    );
    let r = registrar::api::handle(
        &mut reg,
        &registrar::service::Actor::system(),
        "POST",
        "/person.issuedIdentifier.create",
        b"{oops",
    );
    assert_eq!(r.body["error"]["code"], "BAD_REQUEST");
}

#[test]
fn duplicate_type_inside_a_person_request_is_refused() {
    let mut reg = registry();
    let ids = json!([{"type": "NPI", "issued_number": "1"}, {"type": "NPI", "issued_number": "2"}]);
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/issued_identifiers", ids),
    );
    assert_violation(
        &r,
        "$.person.issued_identifiers[1].type",
        "invariant",
        "already exists",
    );
}

#[test]
fn store_enforces_one_identifier_of_a_type() {
    let reg = registry();
    let conn = reg.sql();
    conn.execute_batch("INSERT INTO persons(id, reference_id, status, first_name, last_name, birth_date, gender, data, created_by, created_at, updated_by, updated_at) VALUES ('p_x','M100000000','active','a','b','2000-01-01','MALE','{}','t','t','t','t')").unwrap();
    conn.execute_batch("INSERT INTO issued_identifiers VALUES ('pii_1', 1, 'NPI', '1', 't')")
        .unwrap();
    assert!(
        conn.execute_batch("INSERT INTO issued_identifiers VALUES ('pii_2', 1, 'NPI', '2', 't')")
            .is_err()
    );
}
