//! The golden record: per field, the best current value across a person's
//! records, and which source asserted it when. The survivorship rule: a
//! source earlier in the trusted-source order wins; among sources of equal
//! trust (all of them, when no order is set) the most recently asserted
//! value wins; a tie goes to the source name, so the answer never depends
//! on the order records are read in. Pure: the service gathers the records.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One source's assertion of a person's attributes (seed 001's names).
#[derive(Debug, Clone)]
pub struct Assertion<'a> {
    pub source: &'a str,
    /// RFC 3339, as the store writes it (so text order is time order).
    pub asserted_at: &'a str,
    pub attributes: &'a Map<String, Value>,
}

/// The fields of the golden record and the attribute names that carry them.
pub const GOLDEN_FIELDS: &[(&str, &[&str])] = &[
    ("given name", &["givenName", "given_name"]),
    ("middle name", &["middleName", "middle_name"]),
    ("family name", &["sn", "family_name", "familyName"]),
    ("birth date", &["dateOfBirth", "birth_date"]),
    ("gender", &["gender"]),
    ("tax id", &["tax_id", "taxId"]),
    ("phone", &["mobile", "phone"]),
    ("email", &["email", "mail"]),
    ("street", &["street", "line1"]),
    ("house number", &["houseNumber", "house_number"]),
    ("city", &["city", "settlement"]),
    ("postal code", &["postalCode", "postal_code"]),
];

/// The chosen value of one field, and where and when it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenField {
    pub field: String,
    pub value: String,
    pub source: String,
    pub asserted_at: String,
}

fn value_of(a: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match a.get(*n) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// The golden record of `assertions` under the trusted-source order
/// `trusted` (most trusted first; sources not listed come after all
/// listed ones). Fields no source asserts are left out.
pub fn golden(assertions: &[Assertion], trusted: &[String]) -> Vec<GoldenField> {
    let trust = |source: &str| {
        trusted
            .iter()
            .position(|t| t == source)
            .unwrap_or(trusted.len())
    };
    GOLDEN_FIELDS
        .iter()
        .filter_map(|(field, names)| {
            assertions
                .iter()
                .filter_map(|a| value_of(a.attributes, names).map(|v| (a, v)))
                .min_by(|(x, _), (y, _)| {
                    trust(x.source)
                        .cmp(&trust(y.source))
                        .then_with(|| y.asserted_at.cmp(x.asserted_at))
                        .then_with(|| x.source.cmp(y.source))
                })
                .map(|(a, value)| GoldenField {
                    field: field.to_string(),
                    value,
                    source: a.source.to_string(),
                    asserted_at: a.asserted_at.to_string(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn pick<'a>(g: &'a [GoldenField], field: &str) -> Option<(&'a str, &'a str)> {
        g.iter()
            .find(|f| f.field == field)
            .map(|f| (f.value.as_str(), f.source.as_str()))
    }

    #[test]
    fn the_most_recent_value_wins_unless_a_source_is_trusted_more() {
        let his = map(
            json!({"givenName": "Olena", "sn": "Kovalenko", "mobile": "0501234567", "dateOfBirth": "1986-04-12"}),
        );
        let lab =
            map(json!({"givenName": "Olena", "sn": "Petrenko", "mobile": "", "email": "o@x.ua"}));
        let desk = map(json!({"givenName": "Олена", "sn": "Коваленко", "gender": "FEMALE"}));
        let a = [
            Assertion {
                source: "HIS",
                asserted_at: "2026-01-01T00:00:00.000Z",
                attributes: &his,
            },
            Assertion {
                source: "LAB",
                asserted_at: "2026-06-01T00:00:00.000Z",
                attributes: &lab,
            },
            Assertion {
                source: "registrar",
                asserted_at: "2025-01-01T00:00:00.000Z",
                attributes: &desk,
            },
        ];
        // No order: the latest assertion of each field.
        let g = golden(&a, &[]);
        assert_eq!(pick(&g, "family name"), Some(("Petrenko", "LAB")));
        // An empty value asserts nothing: the phone stays HIS's.
        assert_eq!(pick(&g, "phone"), Some(("0501234567", "HIS")));
        assert_eq!(pick(&g, "email"), Some(("o@x.ua", "LAB")));
        assert_eq!(pick(&g, "gender"), Some(("FEMALE", "registrar")));
        assert_eq!(pick(&g, "city"), None);
        // The desk trusted first: its older name wins where it has one.
        let g = golden(&a, &["registrar".to_string(), "HIS".to_string()]);
        assert_eq!(pick(&g, "family name"), Some(("Коваленко", "registrar")));
        assert_eq!(pick(&g, "birth date"), Some(("1986-04-12", "HIS")));
        // Listed sources before unlisted ones, whatever their dates.
        let g = golden(&a, &["HIS".to_string()]);
        assert_eq!(pick(&g, "family name"), Some(("Kovalenko", "HIS")));
        assert_eq!(pick(&g, "email"), Some(("o@x.ua", "LAB")));
    }

    #[test]
    fn ties_do_not_depend_on_reading_order() {
        let x = map(json!({"sn": "Lee"}));
        let y = map(json!({"sn": "Li"}));
        let at = "2026-01-01T00:00:00.000Z";
        let ab = [
            Assertion {
                source: "B",
                asserted_at: at,
                attributes: &x,
            },
            Assertion {
                source: "A",
                asserted_at: at,
                attributes: &y,
            },
        ];
        let mut ba = ab.clone();
        ba.reverse();
        assert_eq!(golden(&ab, &[]), golden(&ba, &[]));
        assert_eq!(pick(&golden(&ab, &[]), "family name"), Some(("Li", "A")));
    }
}
