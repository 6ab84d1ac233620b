//! Identity stewardship through the router (issue 14): move a record,
//! merge and unmerge, "not the same person", and the link history. Each
//! operation: 403 for a receptionist, 404 for unknown ids, 409 for
//! conflicts, nothing half-done.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::api::{self, ApiResponse};
use registrar::service::{Actor, Registry, Role};
use serde_json::{Value, json};

fn as_role(reg: &mut Registry, role: Role, method: &str, path: &str, body: &Value) -> ApiResponse {
    let actor = Actor {
        name: format!("{}-1", role.as_str()),
        role,
        sources: None,
    };
    api::handle(reg, &actor, method, path, body.to_string().as_bytes())
}

fn reviewer(reg: &mut Registry, method: &str, path: &str, body: &Value) -> ApiResponse {
    as_role(reg, Role::Reviewer, method, path, body)
}

fn people(reg: &mut Registry, sor: &str, attrs: Value) -> ApiResponse {
    post(
        reg,
        "/people",
        &json!({"requestType": "referenceId", "version": "1.0", "sor": sor, "sorAttributes": attrs}),
    )
}

fn rid(r: &ApiResponse) -> String {
    r.body["referenceId"]
        .as_str()
        .unwrap_or_else(|| panic!("no referenceId in {} {}", r.status, r.body))
        .to_string()
}

fn olena(sor_id: &str) -> Value {
    json!({"sorId": sor_id, "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "gender": "F"})
}

fn desk_person(reg: &mut Registry, body: &Value) -> (String, String) {
    let r = post(reg, "/api/person_requests", body);
    assert_eq!(r.status, 201, "{}", r.body);
    (
        r.body["data"]["id"].as_str().unwrap().to_string(),
        r.body["data"]["reference_id"].as_str().unwrap().to_string(),
    )
}

fn identifier(reg: &mut Registry, pid: &str, kind: &str, number: &str) {
    let r = post(
        reg,
        "/person.issuedIdentifier.create",
        &json!({"person_id": pid, "issued_identifier": {"type": kind, "issued_number": number}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn person(reg: &mut Registry, key: &str) -> Value {
    let r = get(reg, &format!("/api/persons/{key}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].clone()
}

/// What a merge moves and an unmerge must bring back, exactly.
fn belongings(p: &Value) -> Value {
    json!({"id": p["id"], "reference_id": p["reference_id"], "documents": p["documents"],
           "issued_identifiers": p["issued_identifiers"], "sor_records": p["sor_records"],
           "first_name": p["first_name"], "status": p["status"]})
}

fn operations(reg: &mut Registry, key: &str) -> Vec<String> {
    let r = get(reg, &format!("/people/{key}/history"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn merge_moves_everything_and_unmerge_restores_exactly_that() {
    let mut reg = registry();
    let (a_id, a) = desk_person(&mut reg, &adult());
    let (b_id, b) = desk_person(&mut reg, &other_adult(1));
    identifier(&mut reg, &a_id, "NPI", "1234567893");
    identifier(&mut reg, &b_id, "MEDICAL_LICENSE", "MED098AB566");
    // A record from another system, linked to B by a client's choice.
    let hrms = people(
        &mut reg,
        "HRMS",
        json!({"sorId": "9", "givenName": "X", "sn": "Y", "dateOfBirth": "1990-01-01"}),
    );
    assert_eq!(hrms.status, 201);
    let forced = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "version": "1.0", "sor": "HRMS", "referenceId": b,
                "sorAttributes": {"sorId": "9", "givenName": "X", "sn": "Y", "dateOfBirth": "1990-01-01"}}),
    );
    assert_eq!(rid(&forced), b, "{}", forced.body);
    let before_a = belongings(&person(&mut reg, &a));
    let before_b = belongings(&person(&mut reg, &b));
    assert_eq!(before_b["sor_records"].as_array().unwrap().len(), 1);
    let body = json!({"survivor": a, "merged": b, "reason": "one patient registered twice"});

    // Who may, what is refused.
    assert_eq!(
        as_role(&mut reg, Role::Receptionist, "POST", "/people/merge", &body).status,
        403
    );
    let unknown = json!({"survivor": a, "merged": "M000000000", "reason": "x"});
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/merge", &unknown).status,
        404
    );
    let same = json!({"survivor": a, "merged": a, "reason": "x"});
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/merge", &same).status,
        409
    );
    let no_reason = json!({"survivor": a, "merged": b, "reason": ""});
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/merge", &no_reason).status,
        400
    );
    let extra = json!({"survivor": a, "merged": b, "reason": "x", "force": true});
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/merge", &extra).status,
        422
    );
    // Two licences of one type: refused, naming it, nothing moved.
    let (c_id, c) = desk_person(&mut reg, &other_adult(2));
    identifier(&mut reg, &c_id, "MEDICAL_LICENSE", "MED000AA111");
    let clash = reviewer(
        &mut reg,
        "POST",
        "/people/merge",
        &json!({"survivor": b, "merged": c, "reason": "x"}),
    );
    assert_eq!(clash.status, 409, "{}", clash.body);
    let msg = clash.body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("MEDICAL_LICENSE") && msg.contains("MED000AA111"),
        "{msg}"
    );
    assert_eq!(belongings(&person(&mut reg, &b)), before_b);
    assert_eq!(person(&mut reg, &c)["status"], "active");

    let browse = |reg: &mut Registry| -> (i64, String) {
        let r = get(reg, "/api/search?q=&limit=100");
        assert_eq!(r.status, 200, "{}", r.body);
        (
            r.body["total"].as_i64().unwrap(),
            r.body["items"].to_string(),
        )
    };
    let (listed, _) = browse(&mut reg);
    // The merge.
    let merged = reviewer(&mut reg, "POST", "/people/merge", &body);
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(
        (
            &merged.body["records"],
            &merged.body["documents"],
            &merged.body["identifiers"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    let after = person(&mut reg, &a);
    assert_eq!(after["sor_records"].as_array().unwrap().len(), 1);
    assert_eq!(after["documents"].as_array().unwrap().len(), 2);
    assert_eq!(after["issued_identifiers"].as_array().unwrap().len(), 2);
    // Browsing lists the merged person no more.
    let (n, items) = browse(&mut reg);
    assert_eq!(n, listed - 1);
    assert!(!items.contains(&b) && items.contains(&a), "{items}");
    // B's ids resolve to A, saying so and since when.
    for key in [&b, &b_id] {
        let got = person(&mut reg, key);
        assert_eq!(got["reference_id"], a.as_str());
        assert_eq!(got["merged_from"]["reference_id"], b.as_str());
        assert_eq!(got["merged_from"]["merged_at"], "2026-11-22T10:00:00.000Z");
    }
    // B's record from HRMS now answers with A.
    let again = people(
        &mut reg,
        "HRMS",
        json!({"sorId": "9", "givenName": "X", "sn": "Y", "dateOfBirth": "1990-01-01"}),
    );
    assert_eq!(rid(&again), a);
    // A merged person cannot be merged again, nor take part in a link.
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/merge", &body).status,
        409
    );

    // Unmerge: only a steward, only the merge in force.
    let path = format!("/people/{a}/unmerge");
    let undo = json!({"merged": b, "reason": "two people after all: different passports"});
    assert_eq!(
        as_role(&mut reg, Role::Receptionist, "POST", &path, &undo).status,
        403
    );
    assert_eq!(
        reviewer(
            &mut reg,
            "POST",
            &path,
            &json!({"merged": c, "reason": "x"})
        )
        .status,
        409
    );
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/M000000000/unmerge", &undo).status,
        404
    );
    let r = reviewer(&mut reg, "POST", &path, &undo);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(belongings(&person(&mut reg, &a)), before_a);
    assert_eq!(belongings(&person(&mut reg, &b)), before_b);
    assert!(person(&mut reg, &b)["merged_from"].is_null());
    let (n, items) = browse(&mut reg);
    assert_eq!(n, listed);
    assert!(items.contains(&b), "{items}");
    assert_eq!(reviewer(&mut reg, "POST", &path, &undo).status, 409);
    let again = people(
        &mut reg,
        "HRMS",
        json!({"sorId": "9", "givenName": "X", "sn": "Y", "dateOfBirth": "1990-01-01"}),
    );
    assert_eq!(rid(&again), b);

    // Both histories tell it, with the reasons; the audit has both.
    assert_eq!(
        operations(&mut reg, &a),
        ["created", "merged", "unmerged"],
        "{}",
        get(&mut reg, &format!("/people/{a}/history")).body
    );
    let hb = get(&mut reg, &format!("/people/{b}/history")).body;
    let ops: Vec<&str> = hb["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        ["created", "linked", "merged_into", "unmerged"],
        "{hb}"
    );
    let last = hb["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reason"], "two people after all: different passports");
    assert_eq!(last["actor"], "reviewer-1");
    assert_eq!(last["other"], a.as_str());
    let audit = reg.audit_trail(None, i64::MAX).unwrap();
    for op in ["people.merged", "people.unmerged"] {
        assert!(audit.iter().any(|r| r.operation == op), "{op}");
    }
}

#[test]
fn not_duplicates_keeps_a_pair_apart_until_taken_back() {
    let mut reg = registry();
    let a = rid(&people(&mut reg, "SIS", olena("1")));
    let b = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "version": "1.0", "sor": "HRMS", "referenceId": "new",
                "sorAttributes": olena("2")}),
    );
    let b = rid(&b);
    let dups = |reg: &mut Registry| -> Vec<String> {
        let r = post(reg, "/people/candidates", &json!({"referenceId": a}));
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["referenceId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(dups(&mut reg), [b.as_str()]);
    let body = json!({"a": a, "b": b, "reason": "twins: different passports"});
    let path = "/people/not-duplicates";
    assert_eq!(
        as_role(&mut reg, Role::Receptionist, "POST", path, &body).status,
        403
    );
    assert_eq!(
        reviewer(
            &mut reg,
            "POST",
            path,
            &json!({"a": a, "b": "M000000000", "reason": "x"})
        )
        .status,
        404
    );
    let r = reviewer(&mut reg, "POST", path, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(reviewer(&mut reg, "POST", path, &body).status, 409);
    // No longer offered as duplicates of each other, and never merged.
    assert!(dups(&mut reg).is_empty());
    let merge = reviewer(
        &mut reg,
        "POST",
        "/people/merge",
        &json!({"survivor": a, "merged": b, "reason": "x"}),
    );
    assert_eq!(merge.status, 409, "{}", merge.body);
    // Taken back: offered again.
    assert_eq!(
        as_role(&mut reg, Role::Receptionist, "DELETE", path, &body).status,
        403
    );
    let r = reviewer(&mut reg, "DELETE", path, &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(reviewer(&mut reg, "DELETE", path, &body).status, 404);
    assert_eq!(dups(&mut reg), [b.as_str()]);
    assert_eq!(
        operations(&mut reg, &a),
        ["created", "not_duplicates", "not_duplicates_undone"]
    );
}

#[test]
fn a_record_moves_to_another_person_and_stays_there() {
    let mut reg = registry();
    let a = rid(&people(&mut reg, "SIS", olena("1")));
    // The engine links a second record: its history keeps the confidence
    // and the model that decided.
    let linked = people(&mut reg, "HRMS", olena("2"));
    assert_eq!((linked.status, rid(&linked)), (200, a.clone()));
    let h = get(&mut reg, &format!("/people/{a}/history")).body;
    let link = &h["items"][1];
    assert_eq!(link["operation"], "linked", "{h}");
    assert_eq!(link["sorId"], "2");
    assert!(link["confidence"].as_f64().unwrap() > 99.0, "{h}");
    assert_eq!(link["modelVersion"], 0);
    let c = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "version": "1.0", "sor": "LAB", "referenceId": "new",
                "sorAttributes": {"sorId": "5", "givenName": "Olha", "sn": "Kovalenko", "dateOfBirth": "1988-02-02"}}),
    );
    let c = rid(&c);
    let path = format!("/people/{c}/link");
    let body = json!({"sor": "HRMS", "sorId": "2", "reason": "her sister's record"});
    assert_eq!(
        as_role(&mut reg, Role::Receptionist, "POST", &path, &body).status,
        403
    );
    assert_eq!(
        reviewer(
            &mut reg,
            "POST",
            &path,
            &json!({"sor": "HRMS", "sorId": "404", "reason": "x"})
        )
        .status,
        404
    );
    assert_eq!(
        reviewer(&mut reg, "POST", "/people/M000000000/link", &body).status,
        404
    );
    let r = reviewer(&mut reg, "POST", &path, &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["from"], a.as_str());
    // Already there; and A's last record cannot leave it (merge instead).
    assert_eq!(reviewer(&mut reg, "POST", &path, &body).status, 409);
    let last = json!({"sor": "SIS", "sorId": "1", "reason": "x"});
    assert_eq!(reviewer(&mut reg, "POST", &path, &last).status, 409);
    // Posted again, the record stays with the person it was moved to.
    let again = people(&mut reg, "HRMS", olena("2"));
    assert_eq!(rid(&again), c);
    assert_eq!(operations(&mut reg, &a), ["created", "linked", "moved_out"]);
    assert_eq!(operations(&mut reg, &c), ["created", "linked"]);
    let hc = get(&mut reg, &format!("/people/{c}/history")).body;
    assert_eq!(hc["items"][1]["other"], a.as_str());
    assert_eq!(hc["items"][1]["reason"], "her sister's record");
    assert_eq!(get(&mut reg, "/people/M000000000/history").status, 404);
}

/// The golden record: per field the most recently asserted value, unless a
/// trusted-source order says otherwise; each with its source and date.
#[test]
fn the_golden_record_follows_recency_and_the_trusted_order() {
    let mut reg = registry();
    let (_, a) = desk_person(&mut reg, &adult());
    let desk_name = person(&mut reg, &a)["last_name"]
        .as_str()
        .unwrap()
        .to_string();
    reg.set_clock(|| {
        chrono::DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .to_utc()
    });
    let r = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "version": "1.0", "sor": "HIS", "referenceId": a,
                "sorAttributes": {"sorId": "H1", "givenName": "Olena", "sn": "Shevchenko", "email": "olena@his.example"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let pick = |p: &Value, field: &str| -> (String, String, String) {
        let f = p["golden"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == field)
            .unwrap_or_else(|| panic!("no {field} in {}", p["golden"]));
        (
            f["value"].as_str().unwrap().to_string(),
            f["source"].as_str().unwrap().to_string(),
            f["asserted_at"].as_str().unwrap().to_string(),
        )
    };
    let p = person(&mut reg, &a);
    assert_eq!(
        pick(&p, "family name"),
        (
            "Shevchenko".into(),
            "HIS".into(),
            "2026-11-23T08:00:00.000Z".into()
        )
    );
    assert_eq!(pick(&p, "birth date").1, "registrar");
    assert_eq!(pick(&p, "email").0, "olena@his.example");
    // The desk trusted first: its name wins again.
    let r = call(
        &mut reg,
        "PUT",
        "/api/settings/trusted_sources",
        &json!({"value": "registrar, HIS"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let p = person(&mut reg, &a);
    assert_eq!(
        pick(&p, "family name"),
        (
            desk_name,
            "registrar".into(),
            "2026-11-22T10:00:00.000Z".into()
        )
    );
    let bad = call(
        &mut reg,
        "PUT",
        "/api/settings/trusted_sources",
        &json!({"value": "HIS, two words"}),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
}

/// In the reconciliation queue, "not the same person" creates the new
/// person and records the decision against each candidate, in one step.
#[test]
fn the_queue_records_not_the_same_person() {
    let mut reg = registry();
    reg.configure("reconciliation_mode", Some("queue")).unwrap();
    let a = rid(&people(
        &mut reg,
        "SIS",
        json!({"sorId": "1", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "gender": "F"}),
    ));
    let q = people(
        &mut reg,
        "HIS",
        json!({"sorId": "2", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-07-21", "gender": "F"}),
    );
    assert_eq!(q.status, 202, "{}", q.body);
    let pending = get(&mut reg, "/people/pending").body;
    let id = pending["pending"][0]["id"].as_i64().unwrap();
    let path = format!("/people/pending/{id}");
    let no_reason = json!({"referenceId": "new", "notSameAs": [a]});
    assert_eq!(reviewer(&mut reg, "POST", &path, &no_reason).status, 400);
    let linked = json!({"referenceId": a, "notSameAs": [a], "reason": "x"});
    assert_eq!(reviewer(&mut reg, "POST", &path, &linked).status, 400);
    let body = json!({"referenceId": "new", "notSameAs": [a], "reason": "her mother, same name"});
    assert_eq!(
        as_role(&mut reg, Role::Receptionist, "POST", &path, &body).status,
        403
    );
    let r = reviewer(&mut reg, "POST", &path, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let new = rid(&r);
    let dups = post(&mut reg, "/people/candidates", &json!({"referenceId": a}));
    assert!(
        !dups.body.to_string().contains(&new),
        "no longer offered: {}",
        dups.body
    );
    assert_eq!(operations(&mut reg, &a), ["created", "not_duplicates"]);
    assert_eq!(operations(&mut reg, &new), ["created", "not_duplicates"]);
}
