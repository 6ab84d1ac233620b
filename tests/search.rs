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

/// A request is parsed once, into typed fields: path segments and query
/// values decoded, numbers checked, bodies holding only what the route
/// names, and a field of the wrong JSON type refused by its name.
#[test]
fn a_request_is_parsed_into_typed_fields() {
    use registrar::api::{Request, parse_request};
    assert_eq!(
        parse_request(
            "GET",
            "/api/search?q=O%27Neil+%26+50%25&offset=20&limit=5",
            b""
        ),
        Ok(Request::Search {
            q: "O'Neil & 50%".into(),
            offset: 20,
            limit: 5
        })
    );
    assert_eq!(
        parse_request("get", "/people/A%2FB/history", b""),
        Ok(Request::LinkHistory {
            reference_id: "A/B".into()
        })
    );
    let refused = |m: &str, p: &str, b: &str| parse_request(m, p, b.as_bytes()).unwrap_err();
    let r = refused("GET", "/api/search?limit=0", "");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["error"]["message"],
        "limit: must be from 1 to 1000, got 0"
    );
    let r = refused("POST", "/people/merge", r#"{"survivor": "A", "merged": 7}"#);
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["message"], "merged: must be a string");
    let r = refused("POST", "/people/merge", r#"{"survivor": "A", "into": "B"}"#);
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"]["invalid"][0]["entry"], "$.into");
    let r = refused("POST", "/people/pending/x", r#"{"referenceId": "new"}"#);
    assert_eq!(r.body["error"]["message"], "pending id must be a number");
    // Seed 001's own shape for its refusals.
    let r = refused("POST", "/people/pending/3", r#"{"reason": "x"}"#);
    assert_eq!(r.body["responseType"], "error");
    let r = refused("POST", "/postIdentity", "not json");
    assert_eq!((r.status, r.body["success"].clone()), (400, false.into()));
}
