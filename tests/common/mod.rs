#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure
#![allow(dead_code)]
use registrar::api::{self, ApiResponse};
use registrar::service::{Actor, Registry};
use serde_json::{Value, json};

/// A registry in memory whose clock reads 2026-11-22T10:00:00Z.
pub fn registry() -> Registry {
    let mut reg = Registry::in_memory();
    reg.set_clock(|| {
        chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .to_utc()
    });
    reg
}

pub fn call(reg: &mut Registry, method: &str, path: &str, body: &Value) -> ApiResponse {
    api::handle(
        reg,
        &Actor::system(),
        method,
        path,
        body.to_string().as_bytes(),
    )
}

pub fn post(reg: &mut Registry, path: &str, body: &Value) -> ApiResponse {
    call(reg, "POST", path, body)
}

pub fn get(reg: &mut Registry, path: &str) -> ApiResponse {
    api::handle(reg, &Actor::system(), "GET", path, b"")
}

/// A valid adult: 40 years old, passport, OTP.
pub fn adult() -> Value {
    json!({"person": {
        "first_name": "Олена",
        "last_name": "Коваленко",
        "second_name": "Петрівна",
        "birth_date": "1986-04-12",
        "birth_country": "Україна",
        "birth_settlement": "Київ",
        "gender": "FEMALE",
        "tax_id": registrar::core::rules::make_tax_id(chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap(), "FEMALE", 42),
        "email": "olena@example.com",
        "phones": [{"type": "MOBILE", "number": "+380501234567"}],
        "addresses": [{"type": "REGISTRATION", "settlement": "Київ", "country": "UA", "street": "Хрещатик", "house_number": "1", "postal_code": "01001"}],
        "documents": [{"type": "PASSPORT", "number": "АА123456", "issued_by": "Київський РВ", "issued_at": "2002-05-01"}],
        "authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]
    }})
}

/// A valid adult who shares nothing identifying with `adult()` or with
/// another `other_adult` of a different `i` (`i` < 9).
pub fn other_adult(i: u32) -> Value {
    let born = chrono::NaiveDate::from_ymd_opt(1960 + i as i32, 1 + i, 3 + i).unwrap();
    let mut b = adult();
    let p = &mut b["person"];
    p["first_name"] = json!(
        [
            "Тарас",
            "Ірина",
            "Микола",
            "Богдан",
            "Софія",
            "Андрій",
            "Ганна",
            "Павло",
            "Віра"
        ][i as usize]
    );
    p["last_name"] = json!(
        [
            "Шевчук",
            "Бондар",
            "Мельник",
            "Ткаченко",
            "Кравець",
            "Олійник",
            "Лисенко",
            "Савчук",
            "Руденко"
        ][i as usize]
    );
    p["second_name"] = json!("Іванович");
    p["birth_date"] = json!(born.format("%Y-%m-%d").to_string());
    p["tax_id"] = json!(registrar::core::rules::make_tax_id(born, "FEMALE", 100 + i));
    p["email"] = json!(format!("other{i}@example.com"));
    p["phones"] = json!([{"type": "MOBILE", "number": format!("+38067111220{i}")}]);
    p["addresses"] = json!([{"type": "REGISTRATION", "settlement": "Львів", "country": "UA", "street": format!("Городоцька {i}")}]);
    p["documents"] = json!([{"type": "PASSPORT", "number": format!("КА65432{i}"), "issued_by": "Львівський РВ", "issued_at": "2000-01-01"}]);
    p["authentication_methods"] =
        json!([{"type": "OTP", "phone_number": format!("+38067111220{i}")}]);
    b
}

/// A valid 5-year-old with a confidant (the third person must exist: pass its id).
pub fn child(third_person_id: &str) -> Value {
    json!({"person": {
        "first_name": "Марко",
        "last_name": "Коваленко",
        "birth_date": "2021-06-01",
        "birth_country": "Україна",
        "gender": "MALE",
        "no_tax_id": true,
        "documents": [{"type": "BIRTH_CERTIFICATE", "number": "І-БК№123456", "issued_by": "РАЦС", "issued_at": "2021-06-10"}],
        "authentication_methods": [{"type": "THIRD_PERSON", "value": third_person_id}],
        "confidant_person": [{
            "relation_type": "PRIMARY",
            "first_name": "Олена", "last_name": "Коваленко", "birth_date": "1986-04-12", "gender": "FEMALE",
            "documents_person": [{"type": "PASSPORT", "number": "АА123456", "issued_by": "Київський РВ", "issued_at": "2002-05-01"}],
            "documents_relationship": [{"type": "BIRTH_CERTIFICATE", "number": "І-БК№123456", "issued_by": "РАЦС", "issued_at": "2021-06-10"}]
        }]
    }})
}

/// Set a field inside `body` by a JSON pointer (an object key may be new).
pub fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = body.pointer_mut(pointer) {
        *slot = value;
        return body;
    }
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = body
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    obj.as_object_mut()
        .unwrap_or_else(|| panic!("{parent} is not an object"))
        .insert(key.to_string(), value);
    body
}

pub fn without(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    body.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    body
}

/// Assert a 422 that names `entry` with a rule whose description contains `needle`.
pub fn assert_violation(resp: &ApiResponse, entry: &str, rule: &str, needle: &str) {
    assert_eq!(
        resp.status, 422,
        "expected 422, got {} {}",
        resp.status, resp.body
    );
    assert_eq!(resp.body["error"]["type"], "validation_failed");
    let invalid = resp.body["error"]["invalid"].as_array().unwrap();
    let found =
        invalid.iter().any(|e| {
            e["entry"] == entry
                && e["rules"].as_array().unwrap().iter().any(|r| {
                    r["rule"] == rule && r["description"].as_str().unwrap().contains(needle)
                })
        });
    assert!(
        found,
        "no {rule} violation at {entry} containing {needle:?} in {:#}",
        resp.body
    );
}

pub fn count_rows(reg: &Registry, table: &str) -> i64 {
    registrar::store::count(reg.sql(), table).unwrap()
}
