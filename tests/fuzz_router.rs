//! Property test: random bodies never panic the router and never half-write.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[ -~А-яЁёІіЇїЄєҐґ]{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("2023-02-30"),
            Just("1986-04-12"),
            Just("+380501234567"),
            Just("АА123456"),
            Just("PASSPORT"),
            Just("OTP"),
            Just("THIRD_PERSON"),
            Just("MALE")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("person".to_string()),
                    Just("first_name".into()),
                    Just("documents".into()),
                    Just("birth_date".into()),
                    Just("type".into()),
                    Just("number".into()),
                    Just("confidant_person".into()),
                    Just("authentication_methods".into()),
                    Just("id".into()),
                    "[a-z_]{1,12}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn router_never_panics(body in arb_json(), mutate in any::<bool>()) {
        let mut reg = registry();
        let body = if mutate { json!({"person": body}) } else { body };
        let r = post(&mut reg, "/api/person_requests", &body);
        prop_assert!([201, 400, 404, 409, 422].contains(&r.status), "status {} for {}", r.status, body);
        if r.status >= 400 {
            prop_assert_eq!(count_rows(&reg, "persons"), 0);
        }
        let r = post(&mut reg, "/person.issuedIdentifier.create", &body);
        prop_assert!(r.status == 400 || r.status == 200);
    }

    #[test]
    fn valid_request_with_one_field_broken_never_panics(field in "(first_name|last_name|birth_date|gender|tax_id|unzr|email|phones|documents|addresses)", value in arb_json()) {
        let mut reg = registry();
        let body = with(adult(), &format!("/person/{field}"), value);
        let r = post(&mut reg, "/api/person_requests", &body);
        prop_assert!([201, 422].contains(&r.status), "status {} {}", r.status, r.body);
    }

    #[test]
    fn raw_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut reg = registry();
        let r = registrar::api::handle(&mut reg, &registrar::service::Actor::system(), "POST", "/api/person_requests", &bytes);
        prop_assert!(r.status == 400 || r.status == 422);
    }
}
