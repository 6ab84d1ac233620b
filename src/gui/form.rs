//! The registration form's state and its translation to a seed 002 request.
//! No rules live here: validation happens in the registry, by the router.

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneRow {
    pub kind: String,
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddressRow {
    pub kind: String,
    pub street: String,
    pub house_number: String,
    pub settlement: String,
    pub postal_code: String,
    pub country: String,
}

/// A scanned page chosen by the user, already read and checked.
#[derive(Clone)]
pub struct ScanFile {
    pub file_name: String,
    pub media_type: String,
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub thumbnail: Option<eframe::egui::TextureHandle>,
}

impl std::fmt::Debug for ScanFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ScanFile({}, {}, {} bytes)",
            self.file_name,
            self.media_type,
            self.bytes.len()
        )
    }
}

impl PartialEq for ScanFile {
    fn eq(&self, o: &Self) -> bool {
        self.file_name == o.file_name && self.bytes == o.bytes
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentRow {
    pub kind: String,
    pub number: String,
    pub issued_by: String,
    pub issued_at: String,
    pub expiration_date: String,
    pub scans: Vec<ScanFile>,
    /// Scans already stored (editing): shown, kept by the registry.
    pub stored_scans: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentifierRow {
    pub kind: String,
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfidantForm {
    pub relation_type: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub gender: String,
    pub documents_person: Vec<DocumentRow>,
    pub documents_relationship: Vec<DocumentRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonForm {
    /// Set when editing a stored person: its technical id and version.
    pub editing: Option<(String, i64)>,
    pub first_name: String,
    pub last_name: String,
    pub second_name: String,
    pub birth_date: String,
    pub birth_country: String,
    pub birth_settlement: String,
    pub gender: String,
    pub tax_id: String,
    pub no_tax_id: bool,
    pub unzr: String,
    pub email: String,
    pub phones: Vec<PhoneRow>,
    pub addresses: Vec<AddressRow>,
    pub documents: Vec<DocumentRow>,
    pub identifiers: Vec<IdentifierRow>,
    pub auth_kind: String,
    pub auth_phone: String,
    pub auth_third_person: String,
    pub confidant: ConfidantForm,
}

impl Default for PersonForm {
    fn default() -> Self {
        PersonForm {
            editing: None,
            first_name: String::new(),
            last_name: String::new(),
            second_name: String::new(),
            birth_date: String::new(),
            birth_country: String::new(),
            birth_settlement: String::new(),
            gender: String::new(),
            tax_id: String::new(),
            no_tax_id: false,
            unzr: String::new(),
            email: String::new(),
            phones: vec![PhoneRow {
                kind: "MOBILE".into(),
                number: String::new(),
            }],
            addresses: vec![],
            documents: vec![],
            identifiers: vec![],
            auth_kind: "OTP".into(),
            auth_phone: String::new(),
            auth_third_person: String::new(),
            confidant: ConfidantForm {
                relation_type: "PRIMARY".into(),
                ..Default::default()
            },
        }
    }
}

fn put(m: &mut Map<String, Value>, k: &str, v: &str) {
    let v = v.trim();
    if !v.is_empty() {
        m.insert(k.into(), Value::String(v.into()));
    }
}

fn documents_json(docs: &[DocumentRow], with_scans: bool) -> Value {
    use base64::Engine;
    Value::Array(
        docs.iter()
            .map(|d| {
                let mut m = Map::new();
                put(&mut m, "type", &d.kind);
                put(&mut m, "number", &d.number);
                put(&mut m, "issued_by", &d.issued_by);
                put(&mut m, "issued_at", &d.issued_at);
                put(&mut m, "expiration_date", &d.expiration_date);
                if with_scans && !d.scans.is_empty() {
                    m.insert(
                        "scans".into(),
                        Value::Array(
                            d.scans
                                .iter()
                                .map(|s| json!({"file_name": s.file_name, "content_base64": base64::engine::general_purpose::STANDARD.encode(s.bytes.as_slice())}))
                                .collect(),
                        ),
                    );
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// Whether a request body carries the scanned pages: not for the live
/// checks (scans are checked when attached, and are large).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scans {
    Include,
    Leave,
}

/// Whether the confidant section is sent: only for a child (the service
/// says who is one, by its clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidant {
    Send,
    Omit,
}

impl PersonForm {
    /// The seed 002 request body.
    pub fn to_body(&self, scans: Scans, confidant: Confidant) -> Value {
        let with_scans = scans == Scans::Include;
        let child = confidant == Confidant::Send;
        let mut p = Map::new();
        put(&mut p, "first_name", &self.first_name);
        put(&mut p, "last_name", &self.last_name);
        put(&mut p, "second_name", &self.second_name);
        put(&mut p, "birth_date", &self.birth_date);
        put(&mut p, "birth_country", &self.birth_country);
        put(&mut p, "birth_settlement", &self.birth_settlement);
        put(&mut p, "gender", &self.gender);
        if self.no_tax_id {
            p.insert("no_tax_id".into(), Value::Bool(true));
        }
        put(&mut p, "tax_id", &self.tax_id);
        put(&mut p, "unzr", &self.unzr);
        put(&mut p, "email", &self.email);
        let phones: Vec<Value> = self
            .phones
            .iter()
            .filter(|r| !r.number.trim().is_empty())
            .map(|r| json!({"type": r.kind, "number": r.number.trim()}))
            .collect();
        p.insert("phones".into(), Value::Array(phones));
        let addresses: Vec<Value> = self
            .addresses
            .iter()
            .map(|a| {
                let mut m = Map::new();
                put(&mut m, "type", &a.kind);
                put(&mut m, "street", &a.street);
                put(&mut m, "house_number", &a.house_number);
                put(&mut m, "settlement", &a.settlement);
                put(&mut m, "postal_code", &a.postal_code);
                put(&mut m, "country", &a.country);
                Value::Object(m)
            })
            .collect();
        p.insert("addresses".into(), Value::Array(addresses));
        p.insert(
            "documents".into(),
            documents_json(&self.documents, with_scans),
        );
        let ids: Vec<Value> = self
            .identifiers
            .iter()
            .map(|i| json!({"type": i.kind, "issued_number": i.number.trim()}))
            .collect();
        if !ids.is_empty() {
            p.insert("issued_identifiers".into(), Value::Array(ids));
        }
        match &self.editing {
            Some(_) => {}
            None => {
                let mut m = Map::new();
                put(&mut m, "type", &self.auth_kind);
                match self.auth_kind.as_str() {
                    "OTP" => put(&mut m, "phone_number", &self.auth_phone),
                    "THIRD_PERSON" => put(&mut m, "value", &self.auth_third_person),
                    _ => {}
                }
                p.insert("authentication_methods".into(), json!([m]));
            }
        }
        if child {
            let c = &self.confidant;
            let mut m = Map::new();
            put(&mut m, "relation_type", &c.relation_type);
            put(&mut m, "first_name", &c.first_name);
            put(&mut m, "last_name", &c.last_name);
            put(&mut m, "birth_date", &c.birth_date);
            put(&mut m, "gender", &c.gender);
            m.insert(
                "documents_person".into(),
                documents_json(&c.documents_person, false),
            );
            m.insert(
                "documents_relationship".into(),
                documents_json(&c.documents_relationship, false),
            );
            p.insert("confidant_person".into(), json!([m]));
        }
        json!({"person": p})
    }

    /// Seed 001-style attributes for the duplicate check and forced links:
    /// the form as the person it describes, mapped by the core's one
    /// mapping (`core::matching::record::person_attributes`).
    pub fn sor_attributes(&self, sor_id: &str) -> Value {
        let body = self.to_body(Scans::Leave, Confidant::Omit);
        let person: crate::core::model::PersonData =
            serde_json::from_value(body["person"].clone()).unwrap_or_default();
        let mut m = Map::new();
        put(&mut m, "sorId", sor_id);
        m.extend(crate::core::matching::record::person_attributes(&person));
        Value::Object(m)
    }

    /// A registration of the confidant typed in this form's confidant
    /// section (names, birth date, gender, own documents), to be completed
    /// and registered as a person of their own: the third person a child
    /// authenticates through.
    pub fn confidant_as_person(&self) -> PersonForm {
        let c = &self.confidant;
        PersonForm {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            birth_date: c.birth_date.clone(),
            gender: c.gender.clone(),
            documents: c.documents_person.clone(),
            birth_country: "UA".into(),
            ..PersonForm::default()
        }
    }

    /// The part of the form the duplicate check looks at, as a fingerprint.
    pub fn match_fingerprint(&self) -> String {
        self.sor_attributes("").to_string()
    }

    /// The confidant section filled from a registered person (`GET
    /// /api/persons/{id}` data): names, birth date, gender and their own
    /// documents; the relation and the relationship documents stay as typed.
    pub fn choose_confidant(&mut self, d: &Value) {
        let s = |x: &Value| x.as_str().unwrap_or("").to_string();
        let c = &mut self.confidant;
        c.first_name = s(&d["first_name"]);
        c.last_name = s(&d["last_name"]);
        c.birth_date = s(&d["birth_date"]);
        c.gender = s(&d["gender"]);
        c.documents_person = d["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| DocumentRow {
                kind: s(&x["type"]),
                number: s(&x["number"]),
                issued_by: s(&x["issued_by"]),
                issued_at: s(&x["issued_at"]),
                expiration_date: s(&x["expiration_date"]),
                ..Default::default()
            })
            .collect();
        self.auth_kind = "THIRD_PERSON".into();
        self.auth_third_person = s(&d["id"]);
    }

    /// Fill the form from a stored person (`GET /api/persons/{id}` data).
    /// The form filled from a stored person, to edit it (`GET
    /// /api/persons/{id}`'s answer, typed).
    pub fn from_person(v: &crate::api::views::PersonView) -> PersonForm {
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        let docs = |list: &[crate::core::model::Document]| -> Vec<DocumentRow> {
            list.iter()
                .map(|d| DocumentRow {
                    kind: d.kind.clone(),
                    number: d.number.clone(),
                    issued_by: o(&d.issued_by),
                    issued_at: o(&d.issued_at),
                    expiration_date: o(&d.expiration_date),
                    scans: vec![],
                    stored_scans: d.scans.iter().map(|sc| sc.file_name.clone()).collect(),
                })
                .collect()
        };
        let p = &v.person;
        PersonForm {
            editing: Some((v.id.clone(), v.object_version_number.max(1))),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            second_name: o(&p.second_name),
            birth_date: p.birth_date.clone(),
            birth_country: o(&p.birth_country),
            birth_settlement: o(&p.birth_settlement),
            gender: p.gender.clone(),
            tax_id: o(&p.tax_id),
            no_tax_id: p.no_tax_id,
            unzr: o(&p.unzr),
            email: o(&p.email),
            phones: p
                .phones
                .iter()
                .map(|x| PhoneRow {
                    kind: x.kind.clone(),
                    number: x.number.clone(),
                })
                .collect(),
            addresses: p
                .addresses
                .iter()
                .map(|x| AddressRow {
                    kind: x.kind.clone(),
                    street: o(&x.street),
                    house_number: o(&x.house_number),
                    settlement: o(&x.settlement),
                    postal_code: o(&x.postal_code),
                    country: o(&x.country),
                })
                .collect(),
            documents: docs(&p.documents),
            identifiers: p
                .issued_identifiers
                .iter()
                .map(|i| IdentifierRow {
                    kind: i.kind.clone(),
                    number: i.issued_number.clone(),
                })
                .collect(),
            confidant: p
                .confidant_person
                .first()
                .map(|c| ConfidantForm {
                    relation_type: c.relation_type.clone(),
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    birth_date: c.birth_date.clone(),
                    gender: c.gender.clone(),
                    documents_person: docs(&c.documents_person),
                    documents_relationship: docs(&c.documents_relationship),
                })
                .unwrap_or_else(|| ConfidantForm {
                    relation_type: "PRIMARY".into(),
                    ..Default::default()
                }),
            ..PersonForm::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> PersonForm {
        PersonForm {
            first_name: "Olena".into(),
            last_name: "Koval".into(),
            second_name: "Petrivna".into(),
            birth_date: "1990-04-02".into(),
            gender: "FEMALE".into(),
            tax_id: "3245806780".into(),
            email: "olena@example.com".into(),
            phones: vec![PhoneRow {
                kind: "MOBILE".into(),
                number: "+380501234567".into(),
            }],
            addresses: vec![AddressRow {
                kind: "RESIDENCE".into(),
                street: "Khreshchatyk".into(),
                house_number: "12".into(),
                settlement: "Kyiv".into(),
                postal_code: "01001".into(),
                country: "UA".into(),
            }],
            documents: vec![DocumentRow {
                kind: "PASSPORT".into(),
                number: "AB123456".into(),
                ..DocumentRow::default()
            }],
            ..PersonForm::default()
        }
    }

    /// The duplicate check sends every field the matcher compares: the
    /// form goes through the core's mapping, and nothing typed is lost on
    /// the way (a form the person type cannot read would lose them all).
    #[test]
    fn the_duplicate_check_sees_every_compared_field() {
        let a = filled().sor_attributes("draft");
        for (k, v) in [
            ("sorId", "draft"),
            ("givenName", "Olena"),
            ("sn", "Koval"),
            ("middleName", "Petrivna"),
            ("dateOfBirth", "1990-04-02"),
            ("gender", "FEMALE"),
            ("tax_id", "3245806780"),
            ("email", "olena@example.com"),
            ("mobile", "+380501234567"),
            ("street", "Khreshchatyk"),
            ("houseNumber", "12"),
            ("city", "Kyiv"),
            ("postalCode", "01001"),
        ] {
            assert_eq!(a[k], v, "{k} in {a}");
        }
        assert_eq!(a["documentNumbers"], serde_json::json!(["AB123456"]));
        let rec = crate::core::matching::MatchRecord::from_attributes(&a);
        assert!(!rec.phone.is_empty() && !rec.street.is_empty() && rec.ids.len() == 1);
    }

    /// The phone the one-time codes go to is not compared as the
    /// person's (it is often a relative's: what the registry stores for
    /// the person leaves it out too); an empty form sends nothing but its
    /// id.
    #[test]
    fn the_code_phone_is_not_the_persons_and_an_empty_form_sends_nothing() {
        let f = PersonForm {
            phones: vec![],
            auth_kind: "OTP".into(),
            auth_phone: "+380671112233".into(),
            ..filled()
        };
        assert!(f.sor_attributes("").get("mobile").is_none());
        let empty = PersonForm::default().sor_attributes("x");
        assert_eq!(empty, serde_json::json!({"sorId": "x"}));
    }
}
