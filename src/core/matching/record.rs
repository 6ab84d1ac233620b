//! The comparable view of a person or SOR record: normalised fields only.

use super::normalize::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One record as the matcher sees it. Every field is already normalised;
/// an empty string means "not known".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchRecord {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub given: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub middle: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub family: String,
    /// `YYYYMMDD`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dob: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gender: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tax_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ssn: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub house_number: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub street: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Document numbers and issued identifiers, as `id_key`s.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

fn s<'a>(v: &'a Value, keys: &[&str]) -> &'a str {
    first(&|k| v.get(k).and_then(Value::as_str), keys)
}

/// The first of `keys` whose text `get` gives and is not blank; "" when
/// none is.
fn first<'a>(get: &impl Fn(&str) -> Option<&'a str>, keys: &[&str]) -> &'a str {
    keys.iter()
        .find_map(|k| get(k).filter(|x| !x.trim().is_empty()))
        .unwrap_or("")
}

impl MatchRecord {
    /// Does the record carry anything beyond names, birth date and gender:
    /// an identifier, a phone, an e-mail or an address?
    pub fn has_details(&self) -> bool {
        [
            &self.tax_id,
            &self.ssn,
            &self.phone,
            &self.email,
            &self.street,
            &self.postal_code,
            &self.city,
        ]
        .iter()
        .any(|v| !v.is_empty())
            || !self.ids.is_empty()
    }

    /// What matcher field `f` compares, as the attributes `a` give it (not
    /// normalised): the chooser shows these beside each other. The keys are
    /// [`MatchRecord::from_attributes`]'s.
    pub fn shown(a: &Value, f: usize) -> String {
        use super::*;
        let join = |parts: &[&str]| {
            parts
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let v = match f {
            GIVEN => s(a, &["givenName", "given_name"]).to_string(),
            FAMILY => s(a, &["sn", "family_name", "familyName"]).to_string(),
            MIDDLE => s(a, &["middleName", "middle_name"]).to_string(),
            DOB => {
                let raw = s(a, &["dateOfBirth", "birth_date"]);
                parse_birth_date(raw)
                    .map(|d| date_string(d, true))
                    .unwrap_or_else(|| raw.to_string())
            }
            GENDER => s(a, &["gender"]).to_string(),
            TAX_ID => s(a, &["tax_id", "taxId"]).to_string(),
            SSN => s(a, &["ssn", "hashedSSN"]).to_string(),
            PHONE => s(a, &["mobile", "phone"]).to_string(),
            EMAIL => s(a, &["email", "mail"]).to_string(),
            ADDRESS => join(&[
                s(a, &["houseNumber", "house_number"]),
                s(a, &["street", "line1"]),
            ]),
            CITY => s(a, &["city", "settlement"]).to_string(),
            POSTCODE => s(a, &["postalCode", "postal_code"]).to_string(),
            STATE => s(a, &["state"]).to_string(),
            IDS => {
                let mut ids: Vec<&str> = [
                    "documentNumber",
                    "document_number",
                    "passport",
                    "npi",
                    "license",
                ]
                .iter()
                .map(|k| s(a, &[k]))
                .filter(|v| !v.trim().is_empty())
                .collect();
                if let Some(arr) = a.get("documentNumbers").and_then(Value::as_array) {
                    ids.extend(arr.iter().filter_map(Value::as_str));
                }
                ids.join(", ")
            }
            _ => String::new(),
        };
        v.trim().to_string()
    }

    /// From seed 001's sorAttributes (and the import's canonical columns).
    pub fn from_attributes(a: &Value) -> MatchRecord {
        let documents = a.get("documentNumbers").and_then(Value::as_array);
        MatchRecord::from_texts(
            |k| a.get(k).and_then(Value::as_str),
            documents.into_iter().flatten().filter_map(Value::as_str),
        )
    }

    /// [`MatchRecord::from_attributes`] of the attributes whose texts `get`
    /// gives by name, with `documents` the texts of `documentNumbers`: the
    /// import reads a row's fields without building a JSON map of them.
    pub fn from_texts<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
        documents: impl Iterator<Item = &'a str>,
    ) -> MatchRecord {
        let s = |keys: &[&str]| first(&get, keys);
        let dob = parse_birth_date(s(&["dateOfBirth", "birth_date"]))
            .map(|d| date_string(d, false))
            .unwrap_or_default();
        let mut ids: Vec<String> = Vec::new();
        for key in [
            "documentNumber",
            "document_number",
            "passport",
            "npi",
            "license",
        ] {
            let v = id_key(s(&[key]));
            if !v.is_empty() {
                ids.push(v);
            }
        }
        ids.extend(documents.map(id_key).filter(|x| !x.is_empty()));
        let ssn = {
            let raw = s(&["ssn", "hashedSSN"]);
            id_key(raw)
        };
        MatchRecord {
            given: name_key(s(&["givenName", "given_name"])),
            middle: name_key(s(&["middleName", "middle_name"])),
            family: name_key(s(&["sn", "family_name", "familyName"])),
            dob,
            gender: gender_key(s(&["gender"])),
            tax_id: id_key(s(&["tax_id", "taxId"])),
            ssn,
            phone: phone_key(s(&["mobile", "phone"])),
            email: email_key(s(&["email", "mail"])),
            house_number: id_key(s(&["houseNumber", "house_number"])),
            street: fold(s(&["street", "line1"])),
            city: fold(s(&["city", "settlement"])),
            postal_code: id_key(s(&["postalCode", "postal_code"])),
            state: fold(s(&["state"])),
            ids,
        }
    }

    /// From a registered person's data: [`from_attributes`] of
    /// [`person_attributes`], so a person registered at the desk and the
    /// same person sent by another system compare field for field.
    ///
    /// [`from_attributes`]: MatchRecord::from_attributes
    pub fn from_person(p: &crate::core::model::PersonData) -> MatchRecord {
        MatchRecord::from_attributes(&Value::Object(person_attributes(p)))
    }

    /// Blocking keys: a pair of records that could be the same person share
    /// at least one. Each rule tolerates a different kind of error.
    pub fn blocking_keys(&self) -> Vec<String> {
        let mut k = Vec::new();
        let dm = |x: &str| super::phonetic(x);
        for (prefix, v) in [
            ("t:", &self.tax_id),
            ("s:", &self.ssn),
            ("p:", &self.phone),
            ("e:", &self.email),
        ] {
            if !v.is_empty() {
                k.push(key(&[prefix, v]));
            }
        }
        for id in &self.ids {
            k.push(key(&["i:", id]));
        }
        let fam = dm(&self.family);
        let giv = dm(&self.given);
        if !self.dob.is_empty() {
            // Exact date + either name's sound: survives a typo in the other
            // name, and given and family names swapped (one prefix for both).
            for name in [&fam, &giv] {
                if !name.is_empty() {
                    k.push(key(&["nd:", name, ":", &self.dob]));
                }
            }
            // Date + postcode: survives both names changing (marriage, typos).
            if !self.postal_code.is_empty() {
                k.push(key(&["dp:", &self.dob, ":", &self.postal_code]));
            }
        }
        // Both names' sounds with part of the date: survives an error in
        // the rest of the date, and swapped given and family names. Without
        // a date, the names alone (a coarser key, capped by MAX_BLOCK).
        if !fam.is_empty() && !giv.is_empty() {
            if self.dob.len() == 8 {
                let (year, monthday) = self.dob.split_at(4);
                k.push(key(&["fgy:", &fam, ":", &giv, ":", year]));
                k.push(key(&["fgm:", &fam, ":", &giv, ":", monthday]));
            } else {
                k.push(key(&["fg:", &fam, ":", &giv]));
                k.push(key(&["fg:", &giv, ":", &fam]));
            }
        }
        // Either name's sound + postcode (one prefix for both, like `nd:`):
        // survives an error in the other name and in the date, and given
        // and family names swapped.
        if !self.postal_code.is_empty() {
            for name in [&fam, &giv] {
                if !name.is_empty() {
                    k.push(key(&["np:", name, ":", &self.postal_code]));
                }
            }
        }
        // Postcode + one part of the date: survives both names garbled and
        // an error in the other part (a mistyped year, a wrong day).
        if !self.postal_code.is_empty() && self.dob.len() == 8 {
            let (year, monthday) = self.dob.split_at(4);
            k.push(key(&["py:", &self.postal_code, ":", year]));
            k.push(key(&["pm:", &self.postal_code, ":", monthday]));
        }
        k.sort();
        k.dedup();
        k
    }
}

/// A blocking key: `parts` one after the other, in room made for them.
/// `format!` went through the formatting machinery for each of a row's
/// dozen keys (3 % of an import's instructions, on the reader's thread).
fn key(parts: &[&str]) -> String {
    let mut k = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        k.push_str(p);
    }
    k
}

/// A person's data as seed 001 `sorAttributes`: the one mapping from a
/// person to what the matcher compares. The registry's own records are
/// built from it ([`MatchRecord::from_person`]); a desk registration that
/// waits for a reviewer is stored as it; the registration form sends it for
/// the duplicate check and for "same person – link". Empty values are left
/// out. The phone and the address are the first; every document and
/// issued identifier number is a `documentNumbers` entry.
pub fn person_attributes(p: &crate::core::model::PersonData) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            m.insert(k.into(), Value::String(v.into()));
        }
    };
    put("givenName", Some(&p.first_name));
    put("middleName", p.second_name.as_deref());
    put("sn", Some(&p.last_name));
    put("dateOfBirth", Some(&p.birth_date));
    put("gender", Some(&p.gender));
    put("tax_id", p.tax_id.as_deref());
    // Not the phone the one-time codes go to: that is often a relative's,
    // and a phone shared in a household is evidence the hold rules must
    // weigh, not a person's own.
    let phone = p
        .phones
        .iter()
        .map(|x| x.number.as_str())
        .find(|n| !n.trim().is_empty());
    put("mobile", phone);
    put("email", p.all_emails().first().copied());
    if let Some(a) = p.addresses.first() {
        put(
            "houseNumber",
            a.house_number.as_deref().or(a.building.as_deref()),
        );
        put("street", a.street.as_deref().or(a.line1.as_deref()));
        put("city", a.settlement.as_deref());
        put("postalCode", a.postal_code.as_deref().or(a.zip.as_deref()));
        put("state", a.state.as_deref());
    }
    let docs: Vec<Value> = p
        .documents
        .iter()
        .map(|d| d.number.trim())
        .chain(p.issued_identifiers.iter().map(|i| i.issued_number.trim()))
        .filter(|n| !n.is_empty())
        .map(|n| Value::String(n.into()))
        .collect();
    if !docs.is_empty() {
        m.insert("documentNumbers".into(), Value::Array(docs));
    }
    m
}

/// A record's fields, borrowed: what a comparison reads, from a
/// [`MatchRecord`] or from a record packed in the blocking index (then
/// without copying its strings out first).
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordView<'a> {
    pub given: &'a str,
    pub middle: &'a str,
    pub family: &'a str,
    pub dob: &'a str,
    pub gender: &'a str,
    pub tax_id: &'a str,
    pub ssn: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub house_number: &'a str,
    pub street: &'a str,
    pub city: &'a str,
    pub postal_code: &'a str,
    pub state: &'a str,
    pub ids: Ids<'a>,
    /// The given and family names' sounds ([`super::phonetic`]), when
    /// worked out beforehand (a record packed in the blocking index, a
    /// row being imported); `None`: looked up when compared.
    pub sounds: Option<[&'a str; 2]>,
}

/// A record's document numbers and identifiers, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Ids<'a> {
    Owned(&'a [String]),
    /// `n` fields as [`pack_field`] wrote them, one after the other.
    Packed {
        n: usize,
        fields: &'a str,
    },
}

impl Default for Ids<'_> {
    fn default() -> Self {
        Ids::Owned(&[])
    }
}

impl<'a> Ids<'a> {
    pub fn is_empty(&self) -> bool {
        match self {
            Ids::Owned(v) => v.is_empty(),
            Ids::Packed { n, .. } => *n == 0,
        }
    }

    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (owned, packed): (&'a [String], _) = match self {
            Ids::Owned(v) => (v, None),
            Ids::Packed { n, fields } => (&[], Some((n, fields))),
        };
        let packed = packed
            .into_iter()
            .flat_map(|(n, mut rest)| (0..n).map(move |_| take_field(&mut rest)));
        owned.iter().map(String::as_str).chain(packed)
    }
}

impl MatchRecord {
    pub fn view(&self) -> RecordView<'_> {
        RecordView {
            given: &self.given,
            middle: &self.middle,
            family: &self.family,
            dob: &self.dob,
            gender: &self.gender,
            tax_id: &self.tax_id,
            ssn: &self.ssn,
            phone: &self.phone,
            email: &self.email,
            house_number: &self.house_number,
            street: &self.street,
            city: &self.city,
            postal_code: &self.postal_code,
            state: &self.state,
            ids: Ids::Owned(&self.ids),
            sounds: None,
        }
    }

    /// The given and family names' sounds ([`super::phonetic`]), worked
    /// out once for a record compared with many ([`MatchRecord::sounding`]).
    pub fn sounds(&self) -> [String; 2] {
        [super::phonetic(&self.given), super::phonetic(&self.family)]
    }

    /// [`MatchRecord::view`] with the names' `sounds` given
    /// ([`MatchRecord::sounds`]), so that no comparison works them out.
    pub fn sounding<'a>(&'a self, sounds: &'a [String; 2]) -> RecordView<'a> {
        RecordView {
            sounds: Some([&sounds[0], &sounds[1]]),
            ..self.view()
        }
    }
}

impl RecordView<'_> {
    /// The fields other than `ids`, in the order they are packed.
    pub fn fields(&self) -> [&str; 14] {
        [
            self.given,
            self.middle,
            self.family,
            self.dob,
            self.gender,
            self.tax_id,
            self.ssn,
            self.phone,
            self.email,
            self.house_number,
            self.street,
            self.city,
            self.postal_code,
            self.state,
        ]
    }

    pub fn to_record(&self) -> MatchRecord {
        MatchRecord {
            given: self.given.into(),
            middle: self.middle.into(),
            family: self.family.into(),
            dob: self.dob.into(),
            gender: self.gender.into(),
            tax_id: self.tax_id.into(),
            ssn: self.ssn.into(),
            phone: self.phone.into(),
            email: self.email.into(),
            house_number: self.house_number.into(),
            street: self.street.into(),
            city: self.city.into(),
            postal_code: self.postal_code.into(),
            state: self.state.into(),
            ids: self.ids.iter().map(str::to_string).collect(),
        }
    }
}

/// The longest field [`pack_field`] keeps whole, in bytes: its length is
/// written as one `char`, below the surrogates.
pub const PACKED_FIELD_MAX: usize = 0xD7FF;

/// Append `s` to `out` as a field: its length in bytes as a `char` (one
/// byte up to 127), then `s` (cut at [`PACKED_FIELD_MAX`] bytes, at a
/// character's boundary). Still a `str`, so a packed record is read back
/// as slices, without checking or copying.
pub fn pack_field(out: &mut String, s: &str) {
    let mut end = s.len().min(PACKED_FIELD_MAX);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let len = u32::try_from(end).unwrap_or(0);
    out.push(char::from_u32(len).unwrap_or('\0'));
    out.push_str(&s[..end]);
}

/// The next field [`pack_field`] wrote at the start of `rest`, which moves
/// past it ("" at the end).
pub fn take_field<'a>(rest: &mut &'a str) -> &'a str {
    // Most fields are shorter than 128 bytes: their length is one ASCII
    // byte, read without decoding a character (a record's nineteen fields
    // are read for every comparison with it).
    if let Some(&n) = rest.as_bytes().first()
        && n < 0x80
        && let Some((field, tail)) = rest[1..].split_at_checked(usize::from(n))
    {
        *rest = tail;
        return field;
    }
    let Some(c) = rest.chars().next() else {
        return "";
    };
    let after = &rest[c.len_utf8()..];
    let (field, tail) = after.split_at_checked(c as usize).unwrap_or((after, ""));
    *rest = tail;
    field
}
