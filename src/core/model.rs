//! The domain model of a person, as the seeds describe it.
//!
//! The JSON shape is seed 002's person request (snake_case); seed 003's and
//! seed 004's views are projections built in the API layer.

use serde::{Deserialize, Serialize};

/// Lifecycle of a person record (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Active,
    WorkingCopy,
    /// Merged into another person (the survivor), which its ids resolve to.
    Merged,
}

impl PersonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonStatus::Active => "active",
            PersonStatus::WorkingCopy => "working_copy",
            PersonStatus::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(PersonStatus::Active),
            "working_copy" => Some(PersonStatus::WorkingCopy),
            "merged" => Some(PersonStatus::Merged),
            _ => None,
        }
    }
}

/// The demographic content of a person: everything a request may carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonData {
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// ISO date, `YYYY-MM-DD`.
    pub birth_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_settlement: Option<String>,
    /// `MALE` or `FEMALE`.
    pub gender: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    pub no_tax_id: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unzr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub addresses: Vec<Address>,
    pub documents: Vec<Document>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issued_identifiers: Vec<IssuedIdentifier>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authentication_methods: Vec<AuthMethod>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confidant_person: Vec<ConfidantPerson>,
}

impl PersonData {
    /// "First Last" for lists and seed 003's `name`.
    pub fn display_name(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for p in [
            self.prefix.as_deref(),
            Some(self.first_name.as_str()),
            self.second_name.as_deref(),
            Some(self.last_name.as_str()),
            self.suffix.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if !p.is_empty() {
                parts.push(p);
            }
        }
        parts.join(" ")
    }

    /// All e-mail addresses, the primary one first.
    pub fn all_emails(&self) -> Vec<&str> {
        self.email
            .iter()
            .map(String::as_str)
            .chain(self.emails.iter().map(String::as_str))
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Phone {
    /// `MOBILE` or `LAND_LINE`.
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// `REGISTRATION` or `RESIDENCE`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub house_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Settlement or city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// eHealth's address parts (a Ukrainian address as the registry sends it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apartment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// A document; scanned pages travel with it (content checked by magic bytes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// Metadata of the stored scans (content is kept in the store only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scans: Vec<ScanMeta>,
}

/// A scanned page as the store describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScanMeta {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
}

/// A scanned page with its bytes, as it arrives in a request.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanUpload {
    pub document_index: usize,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

/// An identifier issued to the person (seed 000).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IssuedIdentifier {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_identifier_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub issued_number: String,
}

/// An authentication method (seed 002): OTP, OFFLINE, THIRD_PERSON or NA.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthMethod {
    /// The method's UUID, assigned when the person is created (seed 002's
    /// update confirmation names a method by it). Kept in the store's
    /// `auth_methods` table, not in the person's JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    /// For OTP: the phone that receives the code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// For THIRD_PERSON: the id of the third person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A confidant person of a child or incapable adult (seed 002).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfidantPerson {
    /// `PRIMARY` or `SECONDARY`.
    pub relation_type: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_name: Option<String>,
    pub birth_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_settlement: Option<String>,
    pub gender: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unzr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub phones: Vec<Phone>,
    pub documents_person: Vec<Document>,
    pub documents_relationship: Vec<Document>,
}

/// A record a system of record sent for this person (seed 001 / 004).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SorRecord {
    pub sor: String,
    pub sor_id: String,
    pub attributes: serde_json::Value,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_at: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub updated_at: String,
}

/// A stored person: its data plus the registry's bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Public id, `p_` + 22 base62 characters.
    pub id: String,
    /// Technical sequence number (seed 003's numeric id).
    pub seq: i64,
    /// Seed 001's reference id, `M` + 9 digits.
    pub reference_id: String,
    pub status: PersonStatus,
    /// For a working copy: the active person it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_id: Option<String>,
    pub object_version_number: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
    /// The hub's Link ID once synchronised (seed 004).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// When this person was asked for by the ids of a person merged into
    /// it: which, and since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<MergedFrom>,
    /// Per field, the best current value across the person's records
    /// (`core::golden`); filled when a person is read for display.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub golden: Vec<crate::core::golden::GoldenField>,
    pub person: PersonData,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sor_records: Vec<SorRecord>,
}

/// A person merged into another: its ids and when it was merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedFrom {
    pub id: String,
    pub reference_id: String,
    pub merged_at: String,
}
