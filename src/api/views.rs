//! JSON projections of stored records.

use crate::core::model::Person;
use serde_json::{Value, json};

/// The full person, as `GET /api/persons/{id}` returns it.
pub fn person_json(p: &Person) -> Value {
    let mut v = serde_json::to_value(&p.person).expect("person serialises");
    let extra = json!({
        "id": p.id,
        "reference_id": p.reference_id,
        "status": p.status.as_str(),
        "active_id": p.active_id,
        "objectVersionNumber": p.object_version_number,
        "link_id": p.link_id,
        "created_by": p.created_by,
        "created_at": p.created_at,
        "updated_by": p.updated_by,
        "updated_at": p.updated_at,
        "sor_records": p.sor_records,
    });
    if let (Some(obj), Some(x)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in x {
            if !val.is_null() {
                obj.insert(k.clone(), val.clone());
            }
        }
    }
    v
}

/// Seed 003's view of a person (`/generic/persons`), with the full data under `person`.
pub fn generic_person_json(p: &Person, working_copies: &[Person]) -> Value {
    let d = &p.person;
    let href = |seq: i64| format!("/generic/persons/{seq}");
    let mut links = vec![json!({"href": href(p.seq), "rel": "self"})];
    for wc in working_copies {
        links.push(json!({"href": href(wc.seq), "rel": "workingcopy"}));
    }
    if let Some(active) = &p.active_id {
        links.push(json!({"href": format!("/api/persons/{active}"), "rel": "active"}));
    }
    let addresses: Vec<Value> = d
        .addresses
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "id": (i + 1).to_string(),
                "street": a.street, "houseNumber": a.house_number, "city": a.settlement,
                "postalCode": a.postal_code, "startDate": a.start_date, "state": a.state,
                "addressType": {"id": a.kind}, "country": {"id": a.country},
                "createdBy": p.created_by, "lastUpdatedBy": p.updated_by,
                "objectVersionNumber": p.object_version_number,
            })
        })
        .collect();
    let wcs: Vec<Value> = working_copies
        .iter()
        .map(|w| {
            json!({"id": w.seq.to_string(), "uuid": w.id, "createdBy": w.created_by,
                   "creationDate": {"value": w.created_at}, "objectVersionNumber": w.object_version_number,
                   "links": [{"href": href(w.seq), "rel": "self"}]})
        })
        .collect();
    json!({
        "id": p.seq.to_string(),
        "uuid": p.id,
        "code": p.reference_id,
        "status": p.status.as_str(),
        "name": d.display_name(),
        "dateOfBirth": d.birth_date,
        "dobInterpretation": "E",
        "gender": match d.gender.as_str() { "MALE" => "M", "FEMALE" => "F", _ => "" },
        "subtype": "PERS",
        "createdBy": p.created_by,
        "lastUpdatedBy": p.updated_by,
        "objectLastUpdatedBy": p.updated_by,
        "objectVersionNumber": p.object_version_number,
        "creationDate": {"value": p.created_at},
        "lastUpdatedDate": {"value": p.updated_at},
        "objectLastUpdatedDate": {"value": p.updated_at},
        "addressList": addresses,
        "workingCopies": wcs,
        "links": links,
        "person": person_json(p),
    })
}

/// The person `GET /api/persons/{id}` sends (`data`), as the person view
/// and the edit form read it: [`person_json`]'s fields, typed. Missing
/// fields default. `tests/integrity.rs` checks that every person the router
/// answers reads back into it whole.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PersonView {
    #[serde(flatten)]
    pub person: crate::core::model::PersonData,
    pub id: String,
    pub reference_id: String,
    /// `active`, `working_copy`, `merged`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_id: Option<String>,
    #[serde(rename = "objectVersionNumber")]
    pub object_version_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
    pub sor_records: Vec<crate::core::model::SorRecord>,
    pub golden: Vec<crate::core::golden::GoldenField>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<crate::core::model::MergedFrom>,
}

/// An error body as the router renders it (`{"error": {...}}`: the generic
/// shape, a duplicate's person, and seed 002's 422 with its violations), as
/// the GUI reads it. Missing fields default, so any refusal reads.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ErrorView {
    /// `bad_request`, `validation_failed`, `duplicate`, `forbidden`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    /// A duplicate: the person already registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// Seed 002's violations, grouped by the path they are about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid: Vec<InvalidEntry>,
}

impl ErrorView {
    /// The `error` object of a reply body (default when there is none).
    pub fn of(body: &Value) -> ErrorView {
        serde_json::from_value(body["error"].clone()).unwrap_or_default()
    }
}

/// The violations of one path (`$.person.birth_date`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct InvalidEntry {
    pub entry: String,
    /// Seed 002: `json_data_property`.
    pub entry_type: String,
    pub rules: Vec<RuleView>,
}

/// One rule a value broke (or a warning about it): the seed's `rule` and
/// English `description`, and `code` with `params` for a screen to say it
/// in the user's language.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RuleView {
    pub rule: String,
    /// A warning calls it `message`.
    #[serde(alias = "message")]
    pub description: String,
    pub code: String,
    /// In the order the rule gives them (the body keeps that order).
    pub params: serde_json::Map<String, Value>,
}

/// A rule's parameters as the body carries them, in the rule's order.
fn params_json(params: &[(&'static str, String)]) -> serde_json::Map<String, Value> {
    params
        .iter()
        .map(|(k, p)| ((*k).to_string(), Value::String(p.clone())))
        .collect()
}

impl RuleView {
    /// A violation as seed 002's 422 lists it.
    pub fn of(v: &crate::core::validate::Violation) -> RuleView {
        RuleView {
            rule: v.rule.to_string(),
            description: v.description.clone(),
            code: v.code.to_string(),
            params: params_json(&v.params),
        }
    }
}

/// A warning of `POST /api/person_requests/validate`: never a refusal.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WarningView {
    pub path: String,
    pub message: String,
    pub code: String,
    pub params: serde_json::Map<String, Value>,
}

impl WarningView {
    /// A finding of the warning checks, as the validation sends it.
    pub fn of(w: &crate::core::validate::Violation) -> WarningView {
        WarningView {
            path: w.entry.clone(),
            message: w.description.clone(),
            code: w.code.to_string(),
            params: params_json(&w.params),
        }
    }

    /// The warning as a rule, for the words a screen shows.
    pub fn rule(&self) -> RuleView {
        RuleView {
            rule: String::new(),
            description: self.message.clone(),
            code: self.code.clone(),
            params: self.params.clone(),
        }
    }
}
