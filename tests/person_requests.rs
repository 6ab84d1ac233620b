//! Seed 002 through the router: every rule, its JSON path and its message.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use serde_json::{Value, json};

fn created(resp: &registrar::api::ApiResponse) -> &Value {
    assert_eq!(resp.status, 201, "{}", resp.body);
    &resp.body["data"]
}

#[test]
fn valid_adult_is_created_and_reads_back() {
    let mut reg = registry();
    let resp = post(&mut reg, "/api/person_requests", &adult());
    let data = created(&resp);
    let id = data["id"].as_str().unwrap();
    assert!(registrar::core::ids::is_base62_id(id, "p_"));
    assert!(registrar::core::ids::is_reference_id(
        data["reference_id"].as_str().unwrap()
    ));
    assert_eq!(data["status"], "active");
    assert_eq!(data["objectVersionNumber"], 1);
    assert_eq!(resp.body["uploads"], json!([]));
    let got = get(&mut reg, &format!("/api/persons/{id}"));
    assert_eq!(got.status, 200);
    assert_eq!(got.body["data"]["first_name"], "Олена");
    assert_eq!(got.body["data"]["documents"][0]["number"], "АА123456");
    assert_eq!(got.body["data"]["authentication_methods"][0]["type"], "OTP");
}

#[test]
fn valid_child_with_confidant_is_created() {
    let mut reg = registry();
    let mother = post(&mut reg, "/api/person_requests", &adult());
    let mother_id = created(&mother)["id"].as_str().unwrap().to_string();
    let resp = post(&mut reg, "/api/person_requests", &child(&mother_id));
    let data = created(&resp);
    assert_eq!(data["confidant_person"][0]["relation_type"], "PRIMARY");
    let uploads: Vec<&str> = resp.body["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        uploads,
        vec![
            "person.no_tax_id",
            "confidant_person.PRIMARY.BIRTH_CERTIFICATE",
            "confidant_person.PRIMARY.PASSPORT"
        ]
    );
}

#[test]
fn required_fields_are_all_reported_at_once() {
    let mut reg = registry();
    let resp = post(&mut reg, "/api/person_requests", &json!({"person": {}}));
    for field in [
        "first_name",
        "last_name",
        "birth_date",
        "gender",
        "authentication_methods",
    ] {
        assert_violation(&resp, &format!("$.person.{field}"), "required", field);
    }
    assert_eq!(count_rows(&reg, "persons"), 0);
}

#[test]
fn tax_id_pattern() {
    let mut reg = registry();
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/tax_id", json!("12345")),
    );
    assert_violation(
        &resp,
        "$.person.tax_id",
        "format",
        "string does not match pattern \"^[0-9]{10}$\"",
    );
}

#[test]
fn document_number_patterns_per_type() {
    let cases = [
        (
            "PASSPORT",
            "AA123456",
            "^((?![ЫЪЭЁ])([А-ЯҐЇІЄ])){2}[0-9]{6}$",
            None,
        ),
        ("PASSPORT", "ЫЫ123456", "^((?![ЫЪЭЁ])", None),
        ("NATIONAL_ID", "12345", "^[0-9]{9}$", Some("2030-01-01")),
        ("BIRTH_CERTIFICATE", "ab:1", "[A-ZА-ЯҐЇІЄ0-9№", None),
        (
            "COMPLEMENTARY_PROTECTION_CERTIFICATE",
            "А1",
            "^((?![ЫЪЭЁ])",
            Some("2030-01-01"),
        ),
        (
            "REFUGEE_CERTIFICATE",
            "12345678",
            "^((?![ЫЪЭЁ])",
            Some("2030-01-01"),
        ),
        (
            "TEMPORARY_CERTIFICATE",
            "АА123",
            "[0-9]{4,6}|[0-9]{9}|",
            Some("2030-01-01"),
        ),
        (
            "TEMPORARY_PASSPORT",
            "x",
            "[A-ZА-ЯҐЇІЄ0-9№",
            Some("2030-01-01"),
        ),
        (
            "PERMANENT_RESIDENCE_PERMIT",
            "ЭЭ?",
            "[A-ZА-ЯҐЇІЄ0-9№",
            Some("2030-01-01"),
        ),
        ("BIRTH_CERTIFICATE_FOREIGN", "a b", "[A-ZА-ЯҐЇІЄ0-9№", None),
    ];
    for (kind, number, needle, exp) in cases {
        let mut doc =
            json!({"type": kind, "number": number, "issued_by": "X", "issued_at": "2010-01-01"});
        if let Some(e) = exp {
            doc["expiration_date"] = json!(e);
        }
        let mut body = with(adult(), "/person/documents", json!([doc]));
        body["person"]["unzr"] = json!("19860412-01234");
        let mut reg = registry();
        let resp = post(&mut reg, "/api/person_requests", &body);
        assert_violation(&resp, "$.person.documents[0].number", "format", needle);
    }
}

#[test]
fn document_number_shorter_than_25() {
    let mut reg = registry();
    let doc = json!({"type": "TEMPORARY_PASSPORT", "number": "A".repeat(25), "issued_by": "X", "issued_at": "2010-01-01", "expiration_date": "2030-01-01"});
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/documents", json!([doc])),
    );
    assert_violation(
        &resp,
        "$.person.documents[0].number",
        "length",
        "maximum length of 24",
    );
}

#[test]
fn phone_pattern() {
    let mut reg = registry();
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/phones/0/number", json!("0501234567")),
    );
    assert_violation(
        &resp,
        "$.person.phones[0].number",
        "format",
        r#"^\+38[0-9]{10}$"#,
    );
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(
            adult(),
            "/person/authentication_methods/0/phone_number",
            json!("+3805"),
        ),
    );
    assert_violation(
        &resp,
        "$.person.authentication_methods[0].phone_number",
        "format",
        r#"^\+38[0-9]{10}$"#,
    );
}

#[test]
fn issued_at_and_issued_by_are_mandatory() {
    let mut reg = registry();
    let body = without(
        without(adult(), "/person/documents/0/issued_at"),
        "/person/documents/0/issued_by",
    );
    let resp = post(&mut reg, "/api/person_requests", &body);
    assert_violation(
        &resp,
        "$.person.documents[0].issued_at",
        "required",
        "issued_at",
    );
    assert_violation(
        &resp,
        "$.person.documents[0].issued_by",
        "required",
        "issued_by",
    );
}

#[test]
fn issued_at_in_future_or_before_birth() {
    let mut reg = registry();
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(
            adult(),
            "/person/documents/0/issued_at",
            json!("2027-01-01"),
        ),
    );
    assert_violation(
        &resp,
        "$.person.documents[0].issued_at",
        "date",
        "Document issued date should be in the past",
    );
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(
            adult(),
            "/person/documents/0/issued_at",
            json!("1980-01-01"),
        ),
    );
    assert_violation(
        &resp,
        "$.person.documents[0].issued_at",
        "date",
        "Document issued date should greater than person.birth_date",
    );
}

#[test]
fn expiration_date_in_future_and_mandatory() {
    let mut reg = registry();
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(
            adult(),
            "/person/documents/0/expiration_date",
            json!("2020-01-01"),
        ),
    );
    assert_violation(
        &resp,
        "$.person.documents[0].expiration_date",
        "date",
        "Document expiration_date should be in future",
    );
    for kind in [
        "NATIONAL_ID",
        "COMPLEMENTARY_PROTECTION_CERTIFICATE",
        "PERMANENT_RESIDENCE_PERMIT",
        "REFUGEE_CERTIFICATE",
        "TEMPORARY_CERTIFICATE",
        "TEMPORARY_PASSPORT",
    ] {
        let doc = json!({"type": kind, "number": "123456789", "issued_by": "X", "issued_at": "2010-01-01"});
        let resp = post(
            &mut reg,
            "/api/person_requests",
            &with(adult(), "/person/documents", json!([doc])),
        );
        assert_violation(
            &resp,
            "$.person.documents[0].expiration_date",
            "required",
            &format!("expiration_date is mandatory for document_type {kind}"),
        );
    }
}

#[test]
fn unzr_must_match_birth_date_and_is_mandatory_with_national_id() {
    let mut reg = registry();
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/unzr", json!("19860413-01234")),
    );
    assert_violation(
        &resp,
        "$.person.unzr",
        "invariant",
        "unzr or birthdate are not correct",
    );
    let doc = json!({"type": "NATIONAL_ID", "number": "123456789", "issued_by": "X", "issued_at": "2010-01-01", "expiration_date": "2030-01-01"});
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/documents", json!([doc])),
    );
    assert_violation(
        &resp,
        "$.person.unzr",
        "required",
        "unzr is mandatory for document type NATIONAL_ID",
    );
    let mut ok = with(adult(), "/person/documents", json!([doc]));
    ok["person"]["unzr"] = json!("19860412-01234");
    assert_eq!(post(&mut reg, "/api/person_requests", &ok).status, 201);
}

#[test]
fn child_needs_confidant_and_third_person_auth() {
    let mut reg = registry();
    let mother = post(&mut reg, "/api/person_requests", &adult());
    let mother_id = mother.body["data"]["id"].as_str().unwrap().to_string();
    let no_confidant = without(child(&mother_id), "/person/confidant_person");
    let resp = post(&mut reg, "/api/person_requests", &no_confidant);
    assert_violation(
        &resp,
        "$.person.confidant_person",
        "required",
        "Confidant person is mandatory for children",
    );
    let otp = with(
        child(&mother_id),
        "/person/authentication_methods",
        json!([{"type": "OTP", "phone_number": "+380501234567"}]),
    );
    let resp = post(&mut reg, "/api/person_requests", &otp);
    assert_violation(
        &resp,
        "$.person.authentication_methods[0].type",
        "invariant",
        "THIRD_PERSON",
    );
    let young = with(
        child(&mother_id),
        "/person/confidant_person/0/birth_date",
        json!("2015-01-01"),
    );
    let resp = post(&mut reg, "/api/person_requests", &young);
    assert_violation(
        &resp,
        "$.person.confidant_person[0].birth_date",
        "invariant",
        "Incorrect person age for such an action",
    );
}

#[test]
fn no_self_auth_age_is_a_setting() {
    let mut reg = registry();
    reg.settings.no_self_auth_age = 3;
    // A 5-year-old is self-authenticating when the age is 3.
    let mut body = with(adult(), "/person/birth_date", json!("2021-06-01"));
    body["person"]["documents"] = json!([{"type": "BIRTH_CERTIFICATE", "number": "І-БК№123456", "issued_by": "РАЦС", "issued_at": "2021-06-10"}]);
    body["person"]["tax_id"] = Value::Null;
    body["person"]["no_tax_id"] = json!(true);
    assert_eq!(post(&mut reg, "/api/person_requests", &body).status, 201);
}

#[test]
fn third_person_rules() {
    let mut reg = registry();
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &child("p_0000000000000000000000"),
    );
    assert_violation(
        &resp,
        "$.person.authentication_methods[0].value",
        "existence",
        "doesn't exist",
    );
    let offline = with(
        adult(),
        "/person/authentication_methods",
        json!([{"type": "OFFLINE"}]),
    );
    let offline_id = post(&mut reg, "/api/person_requests", &offline).body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = post(&mut reg, "/api/person_requests", &child(&offline_id));
    assert_violation(
        &resp,
        "$.person.authentication_methods[0].value",
        "invariant",
        "THIRD PERSON can't have OFFLINE self auth method type",
    );
    let na = with(
        other_adult(1),
        "/person/authentication_methods",
        json!([{"type": "NA"}]),
    );
    let na_id = post(&mut reg, "/api/person_requests", &na).body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = post(&mut reg, "/api/person_requests", &child(&na_id));
    assert_violation(
        &resp,
        "$.person.authentication_methods[0].value",
        "invariant",
        "THIRD PERSON doesn't have active valid authentication methods",
    );
}

fn upload_types(resp: &registrar::api::ApiResponse) -> Vec<String> {
    assert!(resp.status < 300, "{}", resp.body);
    resp.body["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["type"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tax_id_cross_checks_ask_for_an_upload_not_a_rejection() {
    // wrong checksum
    let mut t = adult()["person"]["tax_id"].as_str().unwrap().to_string();
    let last = t.pop().unwrap();
    t.push(if last == '9' {
        '0'
    } else {
        char::from(last as u8 + 1)
    });
    let resp = post(
        &mut registry(),
        "/api/person_requests",
        &with(adult(), "/person/tax_id", json!(t)),
    );
    assert_eq!(upload_types(&resp), vec!["person.tax_id"]);
    // wrong gender
    let resp = post(
        &mut registry(),
        "/api/person_requests",
        &with(adult(), "/person/gender", json!("MALE")),
    );
    assert_eq!(upload_types(&resp), vec!["person.tax_id"]);
    // wrong birth date
    let resp = post(
        &mut registry(),
        "/api/person_requests",
        &with(adult(), "/person/birth_date", json!("1986-04-13")),
    );
    assert_eq!(upload_types(&resp), vec!["person.tax_id"]);
    // no_tax_id
    let body = with(
        with(adult(), "/person/tax_id", Value::Null),
        "/person/no_tax_id",
        json!(true),
    );
    let resp = post(&mut registry(), "/api/person_requests", &body);
    assert_eq!(upload_types(&resp), vec!["person.no_tax_id"]);
    // both: rejected
    let resp = post(
        &mut registry(),
        "/api/person_requests",
        &with(adult(), "/person/no_tax_id", json!(true)),
    );
    assert_violation(&resp, "$.person.tax_id", "invariant", "no_tax_id");
}

#[test]
fn document_type_and_offline_uploads() {
    let mut reg = registry();
    let prp = json!({"type": "PERMANENT_RESIDENCE_PERMIT", "number": "ПП123456", "issued_by": "X", "issued_at": "2010-01-01", "expiration_date": "2030-01-01"});
    let resp = post(
        &mut registry(),
        "/api/person_requests",
        &with(adult(), "/person/documents", json!([prp])),
    );
    assert_eq!(
        upload_types(&resp),
        vec!["person.PERMANENT_RESIDENCE_PERMIT"]
    );
    let offline = with(
        adult(),
        "/person/authentication_methods",
        json!([{"type": "OFFLINE"}]),
    );
    let resp = post(&mut registry(), "/api/person_requests", &offline);
    assert_eq!(upload_types(&resp), vec!["person.PASSPORT"]);
    // A foreign birth certificate of a child, not among the relationship documents.
    let mother = post(&mut reg, "/api/person_requests", &adult());
    let mid = mother.body["data"]["id"].as_str().unwrap().to_string();
    let bcf = json!({"type": "BIRTH_CERTIFICATE_FOREIGN", "number": "PL12345", "issued_by": "Warszawa", "issued_at": "2021-06-10"});
    let resp = post(
        &mut reg,
        "/api/person_requests",
        &with(child(&mid), "/person/documents", json!([bcf])),
    );
    assert!(upload_types(&resp).contains(&"person.BIRTH_CERTIFICATE_FOREIGN".to_string()));
}

#[test]
fn update_takes_id_and_no_authentication_block() {
    let mut reg = registry();
    let created = post(&mut reg, "/api/person_requests", &adult());
    let id = created.body["data"]["id"].as_str().unwrap().to_string();
    let rid = created.body["data"]["reference_id"].clone();
    let mut upd = with(adult(), "/person/first_name", json!("Олена-Марія"));
    upd["person"]["id"] = json!(id);
    let resp = post(&mut reg, "/api/person_requests", &upd);
    assert_violation(
        &resp,
        "$.person.authentication_methods",
        "invariant",
        "must not be sent",
    );
    let upd = without(upd, "/person/authentication_methods");
    let resp = post(&mut reg, "/api/person_requests", &upd);
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.body["data"]["first_name"], "Олена-Марія");
    assert_eq!(resp.body["data"]["reference_id"], rid);
    assert_eq!(resp.body["data"]["objectVersionNumber"], 2);
    assert_eq!(
        resp.body["data"]["authentication_methods"][0]["type"], "OTP",
        "kept"
    );
    let missing = with(upd, "/person/id", json!("p_0000000000000000000000"));
    assert_eq!(post(&mut reg, "/api/person_requests", &missing).status, 404);
}

#[test]
fn bad_input_gets_400_or_422_naming_the_field() {
    let mut reg = registry();
    let raw = |reg: &mut registrar::service::Registry, b: &[u8]| {
        registrar::api::handle(
            reg,
            &registrar::service::Actor::system(),
            "POST",
            "/api/person_requests",
            b,
        )
    };
    let r = raw(&mut reg, b"{\"person\": {");
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert_eq!(raw(&mut reg, b"").status, 400);
    let r = post(&mut reg, "/api/person_requests", &json!([1, 2]));
    assert_violation(&r, "$", "type", "Expected object");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/first_name", json!(42)),
    );
    assert_violation(
        &r,
        "$.person.first_name",
        "type",
        "Expected string but got number",
    );
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/documents", json!("nope")),
    );
    assert_violation(&r, "$.person.documents", "type", "Expected array");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/first_name", json!("x".repeat(1 << 20))),
    );
    assert_violation(&r, "$.person.first_name", "length", "maximum length of 255");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/birth_date", json!("2023-02-30")),
    );
    assert_violation(&r, "$.person.birth_date", "date", "2023-02-30");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/gender", json!("X")),
    );
    assert_violation(&r, "$.person.gender", "inclusion", "MALE");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/birth_date", json!("2030-01-01")),
    );
    assert_violation(&r, "$.person.birth_date", "date", "in the past");
    assert_eq!(count_rows(&reg, "persons"), 0, "nothing written");
}

#[test]
fn scans_are_checked_by_content() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut reg = registry();
    let pdf = json!([{"file_name": "page1.jpg", "content_base64": b64(b"%PDF-1.7\n...")}]);
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/documents/0/scans", pdf),
    );
    assert_violation(
        &r,
        "$.person.documents[0].scans[0].content_base64",
        "scan",
        "application/pdf",
    );
    let big = vec![0xFFu8; 10 * 1024 * 1024 + 1];
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(
            adult(),
            "/person/documents/0/scans",
            json!([{"content_base64": b64(&big)}]),
        ),
    );
    assert_violation(
        &r,
        "$.person.documents[0].scans[0].content_base64",
        "scan",
        "10MB",
    );
    assert_eq!(count_rows(&reg, "persons"), 0);
    let png = json!([{"file_name": "p.png", "content_base64": b64(&registrar::service::demo::TINY_PNG)}, {"file_name": "p2.jpg", "content_base64": b64(&registrar::service::demo::TINY_JPEG)}]);
    let mut body = adult();
    body["person"]["documents"][0]["scans"] = png;
    let r = post(&mut reg, "/api/person_requests", &body);
    let scans = &created(&r)["documents"][0]["scans"];
    assert_eq!(scans[0]["media_type"], "image/png");
    assert_eq!(scans[1]["media_type"], "image/jpeg");
    assert_eq!(scans[1]["size"], registrar::service::demo::TINY_JPEG.len());
    // An update that keeps the document keeps its scans.
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let mut upd = without(adult(), "/person/authentication_methods");
    upd["person"]["id"] = json!(id);
    let r = post(&mut reg, "/api/person_requests", &upd);
    assert_eq!(
        r.body["data"]["documents"][0]["scans"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{}",
        r.body
    );
}

#[test]
fn all_violations_in_one_response() {
    let mut reg = registry();
    let mut body = adult();
    body["person"]["tax_id"] = json!("1");
    body["person"]["phones"][0]["number"] = json!("1");
    body["person"]["documents"][0]["issued_at"] = json!("2099-01-01");
    let r = post(&mut reg, "/api/person_requests", &body);
    assert_eq!(
        r.body["error"]["invalid"].as_array().unwrap().len(),
        3,
        "{}",
        r.body
    );
}

/// The validation answer says what the birth date requires (a confidant,
/// the methods), from the rule the validation applies, with the registry's
/// age limit: a client never derives it.
#[test]
fn the_validation_says_what_a_birth_date_requires() {
    let mut reg = registry();
    let req = |reg: &mut registrar::service::Registry, body: &Value| {
        post(reg, "/api/person_requests/validate", body).body["requirements"].clone()
    };
    let adult_needs = req(&mut reg, &adult());
    assert_eq!(adult_needs["child"], false);
    assert_eq!(adult_needs["confidant_required"], false);
    assert!(
        adult_needs["authentication_methods"]
            .as_array()
            .unwrap()
            .contains(&json!("OTP"))
    );
    // A child's request, refused (the third person does not exist): the
    // answer still says what is required.
    let resp = post(
        &mut reg,
        "/api/person_requests/validate",
        &child("p_0000000000000000000000"),
    );
    assert_eq!(resp.status, 422);
    assert_eq!(
        resp.body["requirements"],
        json!({"child": true, "confidant_required": true,
               "authentication_methods": ["THIRD_PERSON"], "no_self_auth_age": 14})
    );
    // No birth date yet: not known.
    let blank = with(adult(), "/person/birth_date", json!(""));
    assert_eq!(req(&mut reg, &blank)["child"], Value::Null);
    // The limit is the registry's setting.
    reg.configure("no_self_auth_age", Some("3")).unwrap();
    let five = req(&mut reg, &child("p_0000000000000000000000"));
    assert_eq!(five["child"], false, "{five}");
    assert_eq!(five["no_self_auth_age"], 3);
}

/// The person `GET /api/persons/{id}` answers is the GUI's `PersonView`
/// whole: read into it and written back, the same JSON (an adult with
/// documents, and a child with a confidant).
#[test]
fn a_person_reads_back_whole_as_the_guis_type() {
    use registrar::api::views::PersonView;
    let mut reg = registry();
    let adult_id = post(&mut reg, "/api/person_requests", &adult()).body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let child_id = post(&mut reg, "/api/person_requests", &child(&adult_id)).body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for id in [adult_id, child_id] {
        let data = get(&mut reg, &format!("/api/persons/{id}")).body["data"].clone();
        let typed: PersonView = serde_json::from_value(data.clone()).unwrap();
        assert_eq!(typed.id, id);
        assert!(!typed.person.documents.is_empty());
        assert_eq!(serde_json::to_value(&typed).unwrap(), data, "{data}");
    }
}

/// The GUI reads refusals and warnings as the API's own types
/// (`api::views::{ErrorView, WarningView}`): a 422 with its violations and
/// the validation's warnings read back whole, field for field.
#[test]
fn refusals_and_warnings_read_back_whole_as_the_guis_types() {
    use registrar::api::views::{ErrorView, WarningView};
    let mut reg = registry();
    // A tax id for another birth date (a warning) and a bad e-mail (a violation).
    let body = with(
        with(adult(), "/person/birth_date", json!("1986-04-13")),
        "/person/email",
        json!("not an e-mail"),
    );
    let r = post(&mut reg, "/api/person_requests/validate", &body);
    assert_eq!(r.status, 422, "{}", r.body);
    let e = ErrorView::of(&r.body);
    assert_eq!(e.kind, "validation_failed");
    assert_eq!(e.message, "Validation failed");
    let email = e
        .invalid
        .iter()
        .find(|i| i.entry == "$.person.email")
        .expect("the e-mail's violation");
    let raw = r.body["error"]["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["entry"] == "$.person.email")
        .unwrap();
    assert_eq!(serde_json::to_value(email).unwrap(), *raw);
    let warnings: Vec<WarningView> = serde_json::from_value(r.body["warnings"].clone()).unwrap();
    assert_eq!(warnings.len(), 1, "{}", r.body["warnings"]);
    assert_eq!(serde_json::to_value(&warnings).unwrap(), r.body["warnings"]);
    assert_eq!(warnings[0].code, "tax_id_birth_date");
    assert_eq!(warnings[0].rule().description, warnings[0].message);
    // A plain refusal reads too.
    let dup = ErrorView::of(
        &json!({"error": {"type": "duplicate", "message": "m", "reference_id": "M123456789"}}),
    );
    assert_eq!(dup.reference_id.as_deref(), Some("M123456789"));
}
