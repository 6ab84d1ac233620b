//! Seed 004: a person as a postIdentity identity (one Source + Native ID).

use super::model::Person;
use serde_json::{Value, json};

/// The postIdentity request content for `person` posted by `source`.
/// `date` is when the data was last updated at the source (UTC).
pub fn identity(person: &Person, source: &str, date: &str) -> Value {
    let d = &person.person;
    let mut alternate: Vec<Value> = Vec::new();
    if let Some(t) = &d.tax_id {
        alternate.push(json!({"type": "TAX_ID", "value": t, "state": "", "issuer": "UA"}));
    }
    if let Some(u) = &d.unzr {
        alternate.push(json!({"type": "UNZR", "value": u, "state": "", "issuer": "UA"}));
    }
    for doc in &d.documents {
        alternate.push(json!({"type": doc.kind, "value": doc.number, "state": "", "issuer": doc.issued_by.clone().unwrap_or_default()}));
    }
    let mut npis = Vec::new();
    let mut license = Vec::new();
    for ii in &d.issued_identifiers {
        match ii.kind.as_str() {
            "NPI" => npis.push(json!({"npi": ii.issued_number, "entityTypeCode": "1"})),
            "MEDICAL_LICENSE" | "STATE_LICENSE" => license
                .push(json!({"taxonomyCode": ii.kind, "number": ii.issued_number, "state": ""})),
            _ => alternate.push(
                json!({"type": ii.kind, "value": ii.issued_number, "state": "", "issuer": ""}),
            ),
        }
    }
    json!({
        "sources": [{"name": source, "id": person.id, "date": date}],
        "entityTypeCode": "1",
        "names": [{"first": d.first_name, "middle": d.second_name.clone().unwrap_or_default(), "last": d.last_name,
                   "prefix": d.prefix.clone().unwrap_or_default(), "suffix": d.suffix.clone().unwrap_or_default(),
                   "credential": d.credential.clone().unwrap_or_default()}],
        "dateOfBirth": d.birth_date,
        "genders": if d.gender.is_empty() { vec![] } else { vec![d.gender.clone()] },
        "addresses": d.addresses.iter().map(|a| json!({
            "line1": ([a.house_number.clone().unwrap_or_default(), a.street.clone().or(a.line1.clone()).unwrap_or_default()].join(" ").trim()),
            "line2": a.line2.clone().unwrap_or_default(),
            "city": a.settlement.clone().unwrap_or_default(),
            "state": a.state.clone().unwrap_or_default(),
            "postalCode": a.postal_code.clone().unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "phoneNumbers": d.phones.iter().map(|p| json!({"number": p.number, "type": p.kind})).collect::<Vec<_>>(),
        "faxNumbers": [],
        "emails": d.all_emails(),
        "license": license,
        "npis": npis,
        "alternateIdentifiers": alternate,
        "education": [], "disciplinaryInfo": [], "groupTaxonomies": [], "organizationNames": [],
        "authorizedOfficials": [], "medicareInfo": [], "locationInfo": [], "practiceInfo": [],
    })
}
