//! Issue 10 through the router: writes are never silently dropped, unknown
//! properties are refused, seed 002's update confirmation, duplicates, the
//! eHealth rules where the seed is silent, and input that must be refused.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::api::{self, ApiResponse};
use registrar::service::{Actor, Registry, Role};
use serde_json::{Value, json};

fn as_(reg: &mut Registry, who: &Actor, method: &str, path: &str, body: &Value) -> ApiResponse {
    api::handle(reg, who, method, path, body.to_string().as_bytes())
}

fn staff(reg: &mut Registry) -> (Actor, Actor) {
    reg.add_user(None, "ada", Role::Admin, "correct horse")
        .unwrap();
    let admin = reg.authenticate("ada", "correct horse").unwrap();
    reg.add_user(Some(&admin), "rita", Role::Receptionist, "receptionist1")
        .unwrap();
    let rita = reg.authenticate("rita", "receptionist1").unwrap();
    (admin, rita)
}

fn create(reg: &mut Registry, body: &Value) -> Value {
    let r = post(reg, "/api/person_requests", body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["data"].clone()
}

// 1. Seed 003 writes take the representation GET returns.
#[test]
fn seed_003_patch_changes_the_birth_date_and_refuses_unknown_properties() {
    let mut reg = registry();
    let (admin, rita) = staff(&mut reg);
    let created = as_(&mut reg, &admin, "POST", "/generic/persons", &adult());
    assert_eq!(created.status, 201, "{}", created.body);
    let seq = created.body["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/generic/persons/{seq}");
    // A reviewer's PATCH applies at once.
    let r = as_(
        &mut reg,
        &admin,
        "PATCH",
        &path,
        &json!({"dateOfBirth": "1985-04-13", "objectVersionNumber": 1}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["dateOfBirth"], "1985-04-13");
    assert_eq!(get(&mut reg, &path).body["dateOfBirth"], "1985-04-13");
    // A receptionist's PATCH waits as a working copy that really changes it.
    let r = as_(
        &mut reg,
        &rita,
        "PATCH",
        &path,
        &json!({"name": "Олена Петрівна Шевченко", "gender": "F", "objectVersionNumber": 2}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let r = as_(
        &mut reg,
        &admin,
        "POST",
        &format!("/generic/persons/workingcopies/{seq}/approve"),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let now = get(&mut reg, &path).body;
    assert_eq!(now["name"], "Олена Петрівна Шевченко");
    assert_eq!(now["person"]["last_name"], "Шевченко");
    assert_eq!(now["dateOfBirth"], "1985-04-13");
    // GET's whole representation goes back as a PUT.
    let mut back = now.clone();
    back["dateOfBirth"] = json!("1985-04-14");
    let r = as_(&mut reg, &admin, "PUT", &path, &back);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["dateOfBirth"], "1985-04-14");
    assert_eq!(r.body["person"]["documents"][0]["number"], "АА123456");
    // A property the resource does not have: 422 naming it, nothing changed.
    let version = r.body["objectVersionNumber"].as_i64().unwrap();
    let r = as_(
        &mut reg,
        &admin,
        "PATCH",
        &path,
        &json!({"dateOfBrith": "1990-01-01", "objectVersionNumber": version}),
    );
    assert_violation(&r, "$.dateOfBrith", "schema", "dateOfBrith");
    let r = as_(
        &mut reg,
        &admin,
        "PATCH",
        &path,
        &json!({"code": "M000000001", "objectVersionNumber": version}),
    );
    assert_violation(&r, "$.code", "invariant", "read-only");
    let after = get(&mut reg, &path).body;
    assert_eq!(after["objectVersionNumber"], version);
    assert_eq!(after["dateOfBirth"], "1985-04-14");
}

// 2. Unknown properties are refused everywhere; eHealth's address parts are kept.
#[test]
fn unknown_properties_are_refused_and_address_parts_are_stored() {
    let mut reg = registry();
    for (pointer, path, name) in [
        (
            "/person/birth_setlement",
            "$.person.birth_setlement",
            "birth_setlement",
        ),
        (
            "/person/documents/0/serial",
            "$.person.documents[0].serial",
            "serial",
        ),
        ("/person/phones/0/note", "$.person.phones[0].note", "note"),
        ("/extra", "$.extra", "extra"),
    ] {
        let r = post(
            &mut reg,
            "/api/person_requests",
            &with(adult(), pointer, json!("x")),
        );
        assert_violation(&r, path, "schema", name);
    }
    assert_eq!(count_rows(&reg, "persons"), 0);
    let addr = json!([{"type": "RESIDENCE", "country": "UA", "area": "ЛЬВІВСЬКА", "region": "ЛЬВІВСЬКИЙ",
        "settlement": "Львів", "settlement_type": "CITY", "settlement_id": "b075f148-0000-4000-8000-000000000001",
        "street_type": "STREET", "street": "Городоцька", "building": "15", "apartment": "23", "zip": "79007"}]);
    let data = create(&mut reg, &with(adult(), "/person/addresses", addr));
    let a = &get(
        &mut reg,
        &format!("/api/persons/{}", data["id"].as_str().unwrap()),
    )
    .body["data"]["addresses"][0];
    for (k, v) in [
        ("building", "15"),
        ("apartment", "23"),
        ("zip", "79007"),
        ("settlement_id", "b075f148-0000-4000-8000-000000000001"),
        ("area", "ЛЬВІВСЬКА"),
        ("street_type", "STREET"),
    ] {
        assert_eq!(a[k], v, "{k} in {a}");
    }
}

// 3. Seed 002's update confirmation, with the seed's messages.
#[test]
fn update_confirmation_by_authentication_method() {
    let mut reg = registry();
    let olena = create(&mut reg, &adult());
    let taras = create(&mut reg, &other_adult(0));
    let olena_method = olena["authentication_methods"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let taras_method = taras["authentication_methods"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(registrar::core::validate::is_uuid(&olena_method), "{olena}");
    let update = |confirm: Value| {
        let mut b = without(adult(), "/person/authentication_methods");
        b["person"]["id"] = olena["id"].clone();
        b["person"]["first_name"] = json!("Оля");
        b.as_object_mut()
            .unwrap()
            .extend(confirm.as_object().unwrap().clone());
        b
    };
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"auth_method": {"id": "abc"}})),
    );
    assert_violation(&r, "$.auth_method.id", "format", "UUID");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": "abc"})),
    );
    assert_violation(&r, "$.authorize_with", "format", "UUID");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": "0b6c5b4e-9a3c-4f6e-8d2a-1c2b3d4e5f60"})),
    );
    assert_violation(
        &r,
        "$.authorize_with",
        "existence",
        "such authentication method doesn't exist",
    );
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": taras_method})),
    );
    assert_violation(
        &r,
        "$.authorize_with",
        "invariant",
        "such authentication method does not belong to this person",
    );
    // NA and inactive methods.
    reg.sql()
        .execute(
            "UPDATE auth_methods SET type = 'NA' WHERE id = ?1",
            [&olena_method],
        )
        .unwrap();
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": olena_method})),
    );
    assert_violation(
        &r,
        "$.authorize_with",
        "invariant",
        "\u{421}annot be confirmed by a method with type= NA. Use a different method.",
    );
    reg.sql()
        .execute(
            "UPDATE auth_methods SET type = 'OTP', active = 0 WHERE id = ?1",
            [&olena_method],
        )
        .unwrap();
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": olena_method})),
    );
    assert_violation(&r, "$.authorize_with", "invariant", "not active");
    reg.sql()
        .execute(
            "UPDATE auth_methods SET active = 1, ended_at = '2020-01-01T00:00:00Z' WHERE id = ?1",
            [&olena_method],
        )
        .unwrap();
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": olena_method})),
    );
    assert_violation(&r, "$.authorize_with", "invariant", "not active");
    let still = get(
        &mut reg,
        &format!("/api/persons/{}", olena["id"].as_str().unwrap()),
    )
    .body;
    assert_eq!(still["data"]["first_name"], "Олена");
    // An active method of this person confirms the update.
    reg.sql()
        .execute(
            "UPDATE auth_methods SET ended_at = NULL WHERE id = ?1",
            [&olena_method],
        )
        .unwrap();
    let r = post(
        &mut reg,
        "/api/person_requests",
        &update(json!({"authorize_with": olena_method})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["first_name"], "Оля");
    assert_eq!(
        r.body["data"]["authentication_methods"][0]["id"],
        olena_method.as_str()
    );
}

// 4. The same person cannot be created twice; probable duplicates wait for review.
#[test]
fn duplicates_are_refused_or_reviewed() {
    let mut reg = registry();
    let first = create(&mut reg, &adult());
    let r = post(&mut reg, "/api/person_requests", &adult());
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["error"]["type"], "duplicate");
    assert_eq!(r.body["error"]["person_id"], first["id"]);
    assert_eq!(r.body["error"]["reference_id"], first["reference_id"]);
    // The same tax id and birth date, everything else different: certain.
    let mut same_tax = other_adult(0);
    same_tax["person"]["tax_id"] = adult()["person"]["tax_id"].clone();
    same_tax["person"]["birth_date"] = json!("1986-04-12");
    same_tax["person"]["gender"] = json!("FEMALE");
    let r = post(&mut reg, "/api/person_requests", &same_tax);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tax id"),
        "{}",
        r.body
    );
    // The same passport number and birth date: certain.
    let mut same_doc = other_adult(0);
    same_doc["person"]["documents"][0]["number"] = json!("АА123456");
    same_doc["person"]["birth_date"] = json!("1986-04-12");
    same_doc["person"]["gender"] = json!("FEMALE");
    same_doc["person"].as_object_mut().unwrap().remove("tax_id");
    same_doc["person"]["no_tax_id"] = json!(true);
    let r = post(&mut reg, "/api/person_requests", &same_doc);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(count_rows(&reg, "persons"), 1);
    // A probable one (the same name and birth date, nothing else shared):
    // created, with the candidates and a review item.
    let mut probable = other_adult(3);
    probable["person"]["first_name"] = json!("Олена");
    probable["person"]["last_name"] = json!("Коваленко");
    probable["person"]["birth_date"] = json!("1986-04-12");
    probable["person"]["tax_id"] = json!(registrar::core::rules::make_tax_id(
        chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap(),
        "FEMALE",
        77
    ));
    let r = post(&mut reg, "/api/person_requests", &probable);
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.body["candidates"].as_array().expect("candidates");
    assert_eq!(c[0]["referenceId"], first["reference_id"]);
    let review = r.body["review_id"].as_i64().unwrap();
    let pending = get(&mut reg, "/people/pending").body;
    let item = pending["pending"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == review)
        .expect("the review item");
    assert_eq!(item["sor_id"], r.body["data"]["id"]);
    // A reviewer may not join two registered persons here (that is a merge)…
    let r2 = post(
        &mut reg,
        &format!("/people/pending/{review}"),
        &json!({"referenceId": first["reference_id"]}),
    );
    assert_eq!(r2.status, 409, "{}", r2.body);
    // …but confirms it is a different person.
    let r2 = post(
        &mut reg,
        &format!("/people/pending/{review}"),
        &json!({"referenceId": "new"}),
    );
    assert_eq!(r2.status, 200, "{}", r2.body);
    assert_eq!(r2.body["referenceId"], r.body["data"]["reference_id"]);
    assert_eq!(count_rows(&reg, "persons"), 2);
    // The override: a receptionist says why, the person is created for review.
    let mut twin = adult();
    twin["duplicate_override"] = json!({"reason": "twin sister, different passport"});
    twin["person"]["first_name"] = json!("Олена");
    twin["person"]["documents"][0]["number"] = json!("АА999999");
    twin["person"]["tax_id"] = json!(registrar::core::rules::make_tax_id(
        chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap(),
        "FEMALE",
        99
    ));
    let r = post(&mut reg, "/api/person_requests", &twin);
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body["review_id"].is_i64(), "{}", r.body);
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/duplicate_override", json!({"reason": ""})),
    );
    assert_violation(&r, "$.duplicate_override.reason", "required", "why");
}

#[test]
fn one_request_holds_one_of_each_kind_and_no_empty_id() {
    let mut reg = registry();
    let doc = json!({"type": "PASSPORT", "number": "АА000001", "issued_by": "Київ", "issued_at": "2003-01-01"});
    let mut b = adult();
    b["person"]["documents"].as_array_mut().unwrap().push(doc);
    let r = post(&mut reg, "/api/person_requests", &b);
    assert_violation(
        &r,
        "$.person.documents[1].type",
        "invariant",
        "PASSPORT is already",
    );
    let mut b = adult();
    b["person"]["phones"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "MOBILE", "number": "+380501234568"}));
    let r = post(&mut reg, "/api/person_requests", &b);
    assert_violation(
        &r,
        "$.person.phones[1].type",
        "invariant",
        "MOBILE is already",
    );
    let mut b = adult();
    b["person"]["authentication_methods"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "OFFLINE"}));
    let r = post(&mut reg, "/api/person_requests", &b);
    assert_violation(
        &r,
        "$.person.authentication_methods",
        "length",
        "maximum of 1",
    );
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/id", json!("")),
    );
    assert_violation(&r, "$.person.id", "length", "minimum length of 1");
    assert_eq!(count_rows(&reg, "persons"), 0);
}

// 7. Where seed 002 is silent, eHealth's registry decides.
#[test]
fn ehealth_rules_where_the_seed_is_silent() {
    let mut reg = registry();
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(adult(), "/person/documents", json!([])),
    );
    assert_violation(&r, "$.person.documents", "length", "minimum of 1");
    let r = post(
        &mut reg,
        "/api/person_requests",
        &without(adult(), "/person/birth_country"),
    );
    assert_violation(&r, "$.person.birth_country", "required", "birth_country");
    for bad in ["Олена2", "Ol@na", "Оле.на", "Олена!"] {
        let r = post(
            &mut reg,
            "/api/person_requests",
            &with(adult(), "/person/first_name", json!(bad)),
        );
        assert_violation(&r, "$.person.first_name", "format", "only letters");
    }
    for good in [
        "Анна-Марія",
        "Ольга Марія",
        "Д'Артаньян",
        "Mc\u{2019}Carthy",
    ] {
        let r = post(
            &mut reg,
            "/api/person_requests/validate",
            &with(adult(), "/person/last_name", json!(good)),
        );
        assert_eq!(r.status, 200, "{good}: {}", r.body);
    }
    let r = post(
        &mut reg,
        "/api/person_requests",
        &without(adult(), "/person/tax_id"),
    );
    assert_violation(
        &r,
        "$.person.tax_id",
        "invariant",
        "Only persons who refused the tax_id could be without tax_id",
    );
    let no_tax = with(
        without(adult(), "/person/tax_id"),
        "/person/no_tax_id",
        json!(true),
    );
    assert_eq!(
        post(&mut reg, "/api/person_requests/validate", &no_tax).status,
        200
    );
    let mut both = adult();
    both["person"]["unzr"] = json!("19860412-00011");
    both["person"]["documents"].as_array_mut().unwrap().push(json!(
        {"type": "NATIONAL_ID", "number": "123456789", "issued_by": "1234", "issued_at": "2019-01-01", "expiration_date": "2029-01-01"}));
    let r = post(&mut reg, "/api/person_requests", &both);
    assert_violation(
        &r,
        "$.person.documents",
        "invariant",
        "Person can have only new passport NATIONAL_ID or old PASSPORT",
    );
    // A child needs a birth certificate; relationship documents may be DOCUMENT.
    let mother = create(&mut reg, &adult());
    let mother_id = mother["id"].as_str().unwrap();
    let mut kid = child(mother_id);
    kid["person"]["birth_country"] = json!("Україна");
    kid["person"]["confidant_person"][0]["documents_relationship"][0]["type"] = json!("DOCUMENT");
    let r = post(&mut reg, "/api/person_requests/validate", &kid);
    assert_eq!(r.status, 200, "{}", r.body);
    kid["person"]["documents"] = json!([{"type": "TEMPORARY_PASSPORT", "number": "ТП123", "issued_by": "ДМС", "issued_at": "2022-01-01", "expiration_date": "2030-01-01"}]);
    let r = post(&mut reg, "/api/person_requests", &kid);
    assert_violation(&r, "$.person.documents", "invariant", "BIRTH_CERTIFICATE");
}

// 14. Input that must be refused.
#[test]
fn invisible_and_control_characters_are_refused() {
    let mut reg = registry();
    for (bad, what) in [
        ("Оле\u{0}на", "control"),
        ("Оле\u{7}на", "control"),
        ("Олена\u{202E}анело", "bidirectional"),
        ("\u{200B}\u{200B}", "visible"),
        ("\u{FEFF}Олена", "byte-order"),
        ("Олена\u{FFFF}", "non-character"),
    ] {
        let r = post(
            &mut reg,
            "/api/person_requests",
            &with(adult(), "/person/first_name", json!(bad)),
        );
        assert_violation(&r, "$.person.first_name", "format", what);
        let r = post(
            &mut reg,
            "/api/person_requests",
            &with(adult(), "/person/birth_settlement", json!(bad)),
        );
        assert_violation(&r, "$.person.birth_settlement", "format", "");
    }
    assert_eq!(count_rows(&reg, "persons"), 0);
}

#[test]
fn a_scan_must_decode_as_the_image_it_claims_to_be() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut reg = registry();
    for fake in [
        &b"\x89PNG\r\n\x1a\nnot really a png"[..],
        &[
            0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9,
        ][..],
    ] {
        let r = post(
            &mut reg,
            "/api/person_requests",
            &with(
                adult(),
                "/person/documents/0/scans",
                json!([{"content_base64": b64(fake)}]),
            ),
        );
        assert_violation(
            &r,
            "$.person.documents[0].scans[0].content_base64",
            "scan",
            "does not decode",
        );
    }
    let r = post(
        &mut reg,
        "/api/person_requests",
        &with(
            adult(),
            "/person/documents/0/scans",
            json!([{"content_base64": b64(&registrar::service::demo::TINY_PNG)}]),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn weak_passwords_and_odd_sources_are_refused() {
    let mut reg = registry();
    let e = reg
        .add_user(None, "ada", Role::Admin, "        ")
        .unwrap_err();
    assert!(e.to_string().contains("password"), "{e}");
    let e = reg
        .add_user(None, "ada", Role::Admin, "  short   ")
        .unwrap_err();
    assert!(e.to_string().contains("password"), "{e}");
    assert_eq!(reg.user_count().unwrap(), 0);
    let e = reg
        .add_hub_client("k", "0123456789abcdef0123", &["SITE\u{202E}A".to_string()])
        .unwrap_err();
    assert!(e.to_string().contains("sources"), "{e}");
    let ident = |extra: Value| {
        let mut id = json!({"entityTypeCode": "1", "sources": [{"name": "EHR1", "id": "A-1"}], "names": [{"first": "Ann", "last": "Lee"}]});
        id.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"trackingId": "t-1", "content": {"identity": id}})
    };
    let r = post(
        &mut reg,
        "/postIdentity",
        &json!({"trackingId": "t", "content": {"identity": {"sources": [{"name": "EH\u{202E}R1", "id": "A-1"}]}}}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let big = "A".repeat(1_000_000);
    let r = post(
        &mut reg,
        "/postIdentity",
        &ident(json!({"names": [{"first": big, "last": "Lee"}]})),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("content.identity.names[0].first"),
        "{}",
        r.body["message"]
    );
    let many: Vec<Value> = (0..100_000)
        .map(|i| json!({"first": format!("N{i}"), "last": "Lee"}))
        .collect();
    let r = post(&mut reg, "/postIdentity", &ident(json!({"names": many})));
    assert_eq!(r.status, 422, "{}", r.body["message"]);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("content.identity.names")
    );
    assert_eq!(count_rows(&reg, "hub_sources"), 0);
}

// 15. Bodies, query strings and limits.
#[test]
fn candidates_need_an_object_queries_are_decoded_and_limits_capped() {
    let mut reg = registry();
    create(&mut reg, &adult());
    for body in [&b"null"[..], b"[]", b"42", b"\"x\""] {
        let r = api::handle(
            &mut reg,
            &Actor::system(),
            "POST",
            "/people/candidates",
            body,
        );
        assert_eq!(
            r.status,
            400,
            "{}: {}",
            String::from_utf8_lossy(body),
            r.body
        );
    }
    let r = api::handle(
        &mut reg,
        &Actor::system(),
        "POST",
        "/people/candidates",
        br#"{"sorAttributes": []}"#,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = get(
        &mut reg,
        "/api/search?q=%D0%9A%D0%BE%D0%B2%D0%B0%D0%BB%D0%B5%D0%BD%D0%BA%D0%BE",
    );
    assert_eq!(r.body["total"], 1, "{}", r.body);
    let r = get(&mut reg, "/api/search?q=%4Bovalenko");
    assert_eq!(r.body["total"], 1, "{}", r.body);
    let r = get(&mut reg, "/api/search?q=%ZZ");
    assert_eq!(r.status, 400, "{}", r.body);
    for path in [
        "/audit?limit=-1",
        "/audit?limit=1000000",
        "/api/outbox?limit=-1",
        "/api/outbox?limit=5000",
        "/generic/persons?limit=x",
        "/api/search?q=a&offset=-3",
    ] {
        let r = get(&mut reg, path);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
    }
    assert_eq!(get(&mut reg, "/audit?limit=1000").status, 200);
}

// 5. Seed 004: a post with a subset of demographics keeps the rest.
#[test]
fn post_identity_with_a_subset_keeps_the_rest() {
    let mut reg = registry();
    let post_id = |reg: &mut Registry, tracking: &str, source: &str, id: &str, extra: Value| {
        let mut identity = json!({"entityTypeCode": "1", "sources": [{"name": source, "id": id, "date": "2019-01-21"}]});
        identity
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let r = post(
            reg,
            "/postIdentity",
            &json!({"trackingId": tracking, "content": {"identity": identity,
            "responseIdentityFormatNames": ["DEFAULT", "GROUP_BY_SOURCE"]}}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    };
    let full = json!({"names": [{"first": "Ann", "last": "Lee"}], "dateOfBirth": "1980-02-03",
        "license": [{"number": "LIC-778899", "state": "CA"}], "phoneNumbers": [{"number": "8185550000"}]});
    let a = post_id(&mut reg, "t1", "EHR1", "A-1", full);
    let link = a["content"]["linkId"].clone();
    let b = post_id(
        &mut reg,
        "t2",
        "EHR1",
        "A-1",
        json!({"names": [{"first": "Ann", "last": "Lee-Smith"}]}),
    );
    assert_eq!(b["content"]["linkId"], link);
    let group = &b["content"]["identityGroupedBySource"][0];
    assert_eq!(
        group["licenses"][0]["license"]["number"], "LIC-778899",
        "{group}"
    );
    assert_eq!(
        group["phoneNumbers"].as_array().unwrap().len(),
        1,
        "{group}"
    );
    assert_eq!(group["names"].as_array().unwrap().len(), 1, "{group}");
    assert_eq!(group["names"][0]["name"]["last"], "Lee-Smith");
    // Another site's record with the same license still links.
    let c = post_id(
        &mut reg,
        "t3",
        "CLINIC2",
        "C-9",
        json!({"names": [{"first": "Ann", "last": "Lee"}],
        "dateOfBirth": "1980-02-03", "license": [{"number": "LIC-778899", "state": "CA"}]}),
    );
    assert_eq!(c["content"]["linkId"], link, "{}", c["content"]);
}

// 16. The hub stores what a replay needs, not the whole identity.
#[test]
fn stored_answers_are_small_and_replay_the_same() {
    let mut reg = registry();
    let body = json!({"trackingId": "ws-x:1", "content": {"identity": {"entityTypeCode": "1",
        "sources": [{"name": "EHR1", "id": "A-1"}], "names": [{"first": "Ann", "last": "Lee"}],
        "addresses": [{"line1": "1 Main St", "city": "Springfield", "postalCode": "12345"}]}}});
    let first = post(&mut reg, "/postIdentity", &body);
    assert_eq!(first.status, 200, "{}", first.body);
    for i in 0..30 {
        post(
            &mut reg,
            "/postIdentity",
            &json!({"trackingId": format!("ws-x:{}", i + 2), "content": {"identity": {"entityTypeCode": "1",
            "sources": [{"name": "EHR1", "id": format!("B-{i}")}], "names": [{"first": "Ann", "last": "Lee"}],
            "addresses": [{"line1": "1 Main St", "city": "Springfield", "postalCode": "12345"}]}}}),
        );
    }
    let longest: i64 = reg
        .sql()
        .query_row("SELECT MAX(LENGTH(response)) FROM hub_tracking", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(longest < 400, "a stored answer of {longest} bytes");
    let again = post(&mut reg, "/postIdentity", &body);
    assert_eq!(again.status, 200);
    assert_eq!(
        again.body["content"]["linkId"],
        first.body["content"]["linkId"]
    );
    assert_eq!(
        again.body["content"]["events"],
        first.body["content"]["events"]
    );
    assert_eq!(again.body["auditId"], first.body["auditId"]);
}

// 10. Failed sign-ins lock the account for a while.
#[test]
fn repeated_failed_sign_ins_lock_the_account() {
    let mut reg = registry();
    reg.add_user(None, "ada", Role::Admin, "correct horse")
        .unwrap();
    for _ in 0..5 {
        let r = post(
            &mut reg,
            "/auth/login",
            &json!({"name": "ada", "password": "wrong"}),
        );
        assert_eq!(r.status, 401);
    }
    let r = post(
        &mut reg,
        "/auth/login",
        &json!({"name": "ada", "password": "correct horse"}),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body["error"]["retry_after"].as_i64().unwrap() > 0);
    // Unknown names are treated the same way.
    for _ in 0..5 {
        post(
            &mut reg,
            "/auth/login",
            &json!({"name": "nobody", "password": "x"}),
        );
    }
    assert_eq!(
        post(
            &mut reg,
            "/auth/login",
            &json!({"name": "nobody", "password": "x"})
        )
        .status,
        429
    );
    // After the wait, the right password works and clears the count.
    reg.set_clock(|| {
        chrono::DateTime::parse_from_rfc3339("2026-11-22T10:05:00Z")
            .unwrap()
            .to_utc()
    });
    let r = post(
        &mut reg,
        "/auth/login",
        &json!({"name": "ada", "password": "correct horse"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(count_rows(&reg, "login_failures WHERE name = 'ada'"), 0);
}

// 2. …everywhere: seed 001, 000 and 004 requests and the small bodies.
#[test]
fn unknown_properties_are_refused_on_every_route() {
    let mut reg = registry();
    let r = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "sor": "SIS", "sorAttributes": {"sorId": "1", "givenName": "Pat"}, "refrenceId": "new"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("refrenceId"),
        "{}",
        r.body
    );
    let r = post(
        &mut reg,
        "/people",
        &json!({"requestType": "referenceId", "sor": "SIS", "sorAttributes": {"sorId": "1", "givenName": "Pa\u{202E}t"}}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sorAttributes.givenName"),
        "{}",
        r.body
    );
    let r = post(
        &mut reg,
        "/person.issuedIdentifier.create",
        &json!({"person_id": "p_x", "issued_identifier": {"type": "NPI", "issued_number": "1", "issuer": "x"}}),
    );
    assert_eq!(r.body["error"]["code"], "BAD_REQUEST", "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0], "issued_identifier.issuer");
    let r = post(
        &mut reg,
        "/postIdentity",
        &json!({"trackingId": "t", "content": {"identity": {"sources": [{"name": "A", "id": "1"}], "nmes": []}}}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("content.identity.nmes"),
        "{}",
        r.body
    );
    let r = post(
        &mut reg,
        "/postIdentity",
        &json!({"trackingId": "t", "content": {"identity": {"sources": [{"name": "A", "id": "1"}]}}, "extra": 1}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    for (method, path, body, field) in [
        (
            "PUT",
            "/api/settings/auto_link",
            json!({"value": "99", "scope": "site"}),
            "$.scope",
        ),
        (
            "POST",
            "/users",
            json!({"name": "bo", "role": "admin", "password": "long enough", "email": "x"}),
            "$.email",
        ),
        (
            "POST",
            "/auth/login",
            json!({"name": "bo", "password": "x", "remember": true}),
            "$.remember",
        ),
        (
            "POST",
            "/people/pending/1",
            json!({"referenceId": "new", "why": "x"}),
            "$.why",
        ),
        (
            "POST",
            "/generic/persons/workingcopies/1/reject",
            json!({"reason": "x", "notify": true}),
            "$.notify",
        ),
    ] {
        let r = call(&mut reg, method, path, &body);
        assert_violation(&r, field, "schema", "");
    }
    assert_eq!(count_rows(&reg, "users"), 0);
}

/// The service says which candidates a person must decide on (at or above
/// the review level): the desk opens its chooser from that flag and never
/// compares confidences itself.
#[test]
fn candidates_say_whether_they_need_a_decision() {
    let mut reg = registry();
    create(&mut reg, &adult());
    let ask = |reg: &mut Registry| {
        let r = api::handle(
            reg,
            &Actor::system(),
            "POST",
            "/people/candidates",
            json!({"sorAttributes": {"givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12"}})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["candidates"][0].clone()
    };
    let c = ask(&mut reg);
    assert_eq!(c["review"], true, "{c}");
    reg.configure("review", Some("100")).unwrap();
    let c = ask(&mut reg);
    assert_eq!(c["review"], false, "{c}");
}

/// The validation answer carries tax-id warnings in words, whether the
/// request is complete (200) or not (422); they never refuse.
#[test]
fn validation_warns_about_a_tax_id_that_disagrees() {
    let mut reg = registry();
    let mut body = adult();
    body["person"]["birth_date"] = json!("1986-04-21");
    let r = api::handle(
        &mut reg,
        &Actor::system(),
        "POST",
        "/api/person_requests/validate",
        body.to_string().as_bytes(),
    );
    let w = r.body["warnings"].as_array().cloned().unwrap_or_default();
    assert_eq!(w.len(), 1, "{}", r.body);
    assert_eq!(w[0]["path"], "$.person.tax_id");
    assert!(w[0]["message"].as_str().unwrap().contains("1986-04-12"));
    body["person"]["first_name"] = json!("");
    let r = api::handle(
        &mut reg,
        &Actor::system(),
        "POST",
        "/api/person_requests/validate",
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.body["warnings"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.body
    );
}

/// An internal failure is answered as a 500 that names a trace id and
/// nothing of the store (no table, no SQL); the detail goes to the log.
#[test]
fn an_internal_error_leaks_nothing() {
    let mut reg = common::registry();
    reg.sql().execute_batch("DROP TABLE outbox").unwrap();
    let r = common::get(&mut reg, "/api/outbox");
    assert_eq!(r.status, 500, "{}", r.body);
    let text = r.body.to_string();
    assert!(
        r.body["error"]["trace_id"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{text}"
    );
    for leak in ["outbox", "no such table", "SELECT", "sqlite"] {
        assert!(
            !text.to_lowercase().contains(&leak.to_lowercase()),
            "{leak} leaked: {text}"
        );
    }
}

/// The desk's "Same person – link" is one operation: the service chooses
/// the source and the record's id; bad input is refused naming the field.
#[test]
fn a_desk_link_is_one_service_operation() {
    let mut reg = common::registry();
    let r = common::post(&mut reg, "/api/person_requests", &common::adult());
    assert_eq!(r.status, 201, "{}", r.body);
    let rid = r.body["data"]["reference_id"].as_str().unwrap().to_string();
    let typed = serde_json::json!({"givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "mobile": "+380501234567"});
    let r = common::post(
        &mut reg,
        "/people/desk-link",
        &serde_json::json!({"referenceId": rid, "sorAttributes": typed}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["referenceId"], rid.as_str());
    let p = reg.get_person(&rid).unwrap();
    let desk = p
        .sor_records
        .iter()
        .find(|s| s.sor == "registrar-desk")
        .expect("the desk's record");
    assert!(desk.sor_id.starts_with("desk_"), "{}", desk.sor_id);
    assert_eq!(desk.attributes["mobile"], "+380501234567");
    // "new" is not a person to link to; an unknown field is refused.
    let r = common::post(
        &mut reg,
        "/people/desk-link",
        &serde_json::json!({"referenceId": "new", "sorAttributes": typed}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.to_string().contains("referenceId"), "{}", r.body);
    let r = common::post(
        &mut reg,
        "/people/desk-link",
        &serde_json::json!({"referenceId": rid, "sorAttributes": typed, "sor": "HIS"}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.body["error"]["invalid"][0]["entry"], "$.sor",
        "{}",
        r.body
    );
}
