//! The search box as a receptionist types into it (issue 15): M-numbers in
//! any case or without the M, a birth date alone or beside a name, and a
//! name with a typo.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::service::Registry;
use serde_json::Value;

fn found(reg: &mut Registry, q: &str) -> Vec<String> {
    let q = q.replace(' ', "+");
    let r = get(reg, &format!("/api/search?q={q}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference_id"].as_str().unwrap().to_string())
        .collect()
}

fn create(reg: &mut Registry, body: &Value) -> String {
    let r = post(reg, "/api/person_requests", body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["data"]["reference_id"].as_str().unwrap().to_string()
}

#[test]
fn m_numbers_dates_and_typos_find_people() {
    let mut reg = registry();
    let olena = create(&mut reg, &adult());
    let other = create(&mut reg, &other_adult(1));
    // The M-number as typed: any case, or the digits alone.
    assert_eq!(found(&mut reg, &olena), [olena.as_str()]);
    assert_eq!(found(&mut reg, &olena.to_lowercase()), [olena.as_str()]);
    assert_eq!(found(&mut reg, &olena[1..]), [olena.as_str()]);
    // A birth date alone, in either order with a name, in two formats.
    assert_eq!(found(&mut reg, "1986-04-12"), [olena.as_str()]);
    assert_eq!(found(&mut reg, "Коваленко 1986-04-12"), [olena.as_str()]);
    assert_eq!(found(&mut reg, "12.04.1986 Коваленко"), [olena.as_str()]);
    assert!(found(&mut reg, "Коваленко 1986-04-13").is_empty());
    // A typo in a name: the matcher's one-edit comparator.
    assert_eq!(found(&mut reg, "Коваленко"), [olena.as_str()]);
    assert_eq!(found(&mut reg, "Ковпленко"), [olena.as_str()]);
    assert_eq!(found(&mut reg, "Kovalenko"), [olena.as_str()]);
    assert!(!found(&mut reg, "Kovalenko").contains(&other));
    // The query is percent-decoded (UTF-8 bytes, and %26 for "&").
    assert_eq!(
        found(
            &mut reg,
            "%D0%9A%D0%BE%D0%B2%D0%B0%D0%BB%D0%B5%D0%BD%D0%BA%D0%BE"
        ),
        [olena.as_str()]
    );
    let amp = get(&mut reg, "/api/search?q=%26");
    assert_eq!(amp.status, 200, "{}", amp.body);
}
