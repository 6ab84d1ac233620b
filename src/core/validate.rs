//! Seed 002: validation of a person request.
//!
//! [`validate_person_request`] reads the raw JSON (so that a wrong type is a
//! violation with a path, not a parse failure), applies every rule, and
//! returns either the typed request or *all* violations at once. It is pure:
//! the clock, the settings and the facts about third persons come in as data.

use super::model::*;
use super::rules::{self, *};
use base64::Engine;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

/// One broken rule, at one JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path, e.g. `$.person.documents[0].number`.
    pub entry: String,
    /// Rule name: required, type, format, length, date, inclusion, invariant, scan, existence.
    pub rule: &'static str,
    pub description: String,
    /// A stable name for what is wrong, finer than `rule`, from which a
    /// screen writes its own sentence in the user's language
    /// (`violation-<code>` in `assets/i18n`).
    pub code: &'static str,
    /// What the sentence needs beside the field: a limit, a document type.
    pub params: Vec<(&'static str, String)>,
}

impl Violation {
    pub fn new(
        entry: impl Into<String>,
        rule: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            entry: entry.into(),
            rule,
            description: description.into(),
            code: rule,
            params: vec![],
        }
    }

    /// The same violation with its stable code and parameters.
    pub fn coded(mut self, code: &'static str, params: &[(&'static str, String)]) -> Self {
        self.code = code;
        self.params = params.to_vec();
        self
    }
}

/// The codes a violation can carry (beyond the rule names themselves,
/// which are codes too): each has a sentence in every catalogue, which a
/// test checks.
pub const VIOLATION_CODES: &[&str] = &[
    "required",
    "type",
    "too_long",
    "text_characters",
    "name_letters",
    "name_mixed_alphabets",
    "unknown_field",
    "not_in_list",
    "not_a_date",
    "tax_id_format",
    "phone_format",
    "unzr_format",
    "email_format",
    "format",
    "auth_both",
    "uuid",
    "auth_missing",
    "auth_other_person",
    "auth_na",
    "auth_inactive",
    "birth_date_future",
    "birth_date_too_early",
    "tax_id_with_refusal",
    "unzr_birth_date",
    "unzr_required",
    "identifier_type_repeated",
    "documents_required",
    "passport_and_id_card",
    "child_birth_certificate",
    "tax_id_required",
    "confidant_age",
    "confidant_documents_required",
    "confidant_relationship_required",
    "confidant_one_primary",
    "confidant_required",
    "auth_with_update",
    "auth_confirms_update",
    "auth_at_most_one",
    "auth_required",
    "child_third_person",
    "phone_type_repeated",
    "document_type_repeated",
    "document_number_format",
    "document_issued_future",
    "document_issued_before_birth",
    "document_expired",
    "document_expiration_required",
    "scan_too_big",
    "scan_not_base64",
    "scan",
    "scan_own_documents",
    "third_person_missing",
    "third_person_offline",
    "third_person_no_methods",
    "third_person_age",
    "length",
    "date",
    "invariant",
    "existence",
    "schema",
    "inclusion",
];

/// The codes of the warnings (which never refuse).
pub const WARNING_CODES: &[&str] = &["tax_id_checksum", "tax_id_birth_date", "tax_id_gender"];

/// What the rules need to know that is not in the request.
#[derive(Debug, Clone)]
pub struct RuleContext {
    pub today: NaiveDate,
    /// `prm.global_parameters.no_self_auth_age`.
    pub no_self_auth_age: u32,
}

/// Facts about a registered person named as THIRD_PERSON.
#[derive(Debug, Clone)]
pub struct ThirdPerson {
    pub birth_date: Option<NaiveDate>,
    pub auth_methods: Vec<AuthMethod>,
}

/// What the registry knows about an authentication method named to confirm
/// an update (seed 002).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethodFact {
    /// No method has this id.
    Missing,
    /// The method belongs to another person.
    OtherPerson,
    Found {
        kind: String,
        active: bool,
    },
}

/// The facts about other stored records that the rules need. The service
/// answers them from the store; the rules stay pure.
pub trait Facts {
    /// A registered person named as THIRD_PERSON.
    fn third_person(&self, id: &str) -> Option<ThirdPerson>;
    /// The method `method_id`, as seen from the person being updated.
    fn auth_method(&self, method_id: &str, person_id: &str) -> AuthMethodFact;
}

/// No registry behind the rules (unit tests): nothing exists.
pub struct NoFacts;

impl Facts for NoFacts {
    fn third_person(&self, _: &str) -> Option<ThirdPerson> {
        None
    }
    fn auth_method(&self, _: &str, _: &str) -> AuthMethodFact {
        AuthMethodFact::Missing
    }
}

/// Why a text value cannot be stored: control characters, bidirectional
/// overrides, byte-order marks, non-characters, or nothing visible.
pub fn text_problem(s: &str) -> Option<String> {
    for c in s.chars() {
        let u = c as u32;
        let what = if c.is_control() {
            "control characters"
        } else if matches!(u, 0x200E | 0x200F | 0x061C | 0x202A..=0x202E | 0x2066..=0x2069) {
            "bidirectional formatting characters"
        } else if u == 0xFEFF {
            "a byte-order mark"
        } else if (u & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&u) {
            "Unicode non-characters"
        } else {
            continue;
        };
        return Some(format!("must not contain {what} (found U+{u:04X})"));
    }
    if !s.is_empty() && s.chars().all(is_invisible) {
        return Some("must contain visible characters, not only zero-width ones".into());
    }
    None
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c as u32, 0x200B..=0x200D | 0x2060 | 0x180E)
}

/// The first property of `obj` that is not in `allowed`, if any: a request
/// must not lose a field to a typo.
pub fn unknown_property<'a>(
    obj: &'a serde_json::Map<String, Value>,
    allowed: &[&str],
) -> Option<&'a str> {
    obj.keys()
        .map(String::as_str)
        .find(|k| !allowed.contains(k))
}

/// Names: letters (with their combining marks), apostrophes, hyphens and
/// spaces, as eHealth's registry accepts them; at least one letter.
const NAME_MIXED_ALPHABETS: &str =
    "a name is written in one alphabet: it mixes Latin and Cyrillic letters";

pub fn name_problem(s: &str) -> Option<&'static str> {
    let allowed = |c: char| {
        c.is_alphabetic()
            || unicode_normalization::char::is_combining_mark(c)
            || matches!(c, ' ' | '-' | '\'' | '’' | 'ʼ' | '‘')
    };
    let latin = |c: char| c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c);
    let cyrillic = |c: char| ('\u{0400}'..='\u{052F}').contains(&c);
    if !s.chars().all(allowed) || !s.chars().any(char::is_alphabetic) {
        Some("a name may contain only letters, apostrophes, hyphens and spaces")
    } else if s.chars().any(latin) && s.chars().any(cyrillic) {
        // "Оlena" with a Cyrillic О looks like Olena and never matches it.
        Some(NAME_MIXED_ALPHABETS)
    } else {
        None
    }
}

#[cfg(test)]
mod name_tests {
    use super::name_problem;

    #[test]
    fn names_are_letters_of_one_alphabet() {
        for ok in [
            "Олена",
            "Olena",
            "Ковальчук-Шевченко",
            "O'Brien",
            "Мар'яна",
            "Zoë",
            "Ґалаґан",
        ] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
        for bad in ["Оlena", "Olenа", "Olena🙂", "123", "-", "Ковальчук-Smith"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }
}

/// A request that passed every rule.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    /// Present for an update.
    pub id: Option<String>,
    pub person: PersonData,
    pub scans: Vec<ScanUpload>,
    /// Seed 002's document uploads, e.g. `person.tax_id`, deduplicated, in order.
    pub uploads: Vec<String>,
}

/// Whole years between `birth` and `today`.
/// Seed 002's child: younger than `no_self_auth_age` on the registry's
/// date, so a confidant (THIRD_PERSON) authenticates for them. The one
/// statement of the rule: the validation below and the registration form
/// (with the registry's date and limit from `GET /api/stats`) both ask it.
pub fn is_child(birth: NaiveDate, ctx: &RuleContext) -> bool {
    age_on(birth, ctx.today) < ctx.no_self_auth_age as i32
}

/// What a person born on `birth_date` must bring, by the rules above: the
/// validation answer carries it beside the violations, so a client shows
/// the confidant section and the methods without deriving the rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Requirements {
    /// Under `no_self_auth_age`; `None` while the birth date cannot be read.
    pub child: Option<bool>,
    /// A confidant person must be registered with the request.
    pub confidant_required: bool,
    /// The authentication methods the person may be created with.
    pub authentication_methods: Vec<&'static str>,
    /// The age limit the answer used (the registry's setting).
    pub no_self_auth_age: u32,
}

pub fn requirements(birth_date: &str, ctx: &RuleContext) -> Requirements {
    let child = parse_date(birth_date).map(|b| is_child(b, ctx));
    let child_only = child == Some(true);
    Requirements {
        child,
        confidant_required: child_only,
        authentication_methods: AUTH_METHOD_TYPES
            .iter()
            .copied()
            .filter(|m| !child_only || *m == "THIRD_PERSON")
            .collect(),
        no_self_auth_age: ctx.no_self_auth_age,
    }
}

pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Strict ISO date `YYYY-MM-DD` (rejects 2023-02-30).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Detect an image by its first bytes; the file name is never trusted.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// Name what a rejected scan really is, for the message.
pub fn describe_content(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        "application/pdf"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.is_empty() {
        "empty"
    } else {
        "unknown"
    }
}

/// Check one scanned page: JPEG or PNG by content, at most 10 MB.
pub fn check_scan(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.len() > SCAN_MAX_BYTES {
        return Err(format!(
            "Document should be no more than 10MB (got {} bytes)",
            bytes.len()
        ));
    }
    let media_type = sniff_image(bytes).ok_or_else(|| {
        format!(
            "scan must be a JPEG or PNG image, content is {}",
            describe_content(bytes)
        )
    })?;
    // The magic bytes are not enough: the whole image must decode, within
    // bounds that stop a decompression bomb.
    let format = if media_type == "image/png" {
        image::ImageFormat::Png
    } else {
        image::ImageFormat::Jpeg
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(SCAN_MAX_SIDE);
    limits.max_image_height = Some(SCAN_MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    match reader.decode() {
        Ok(img) if img.width() >= SCAN_MIN_SIDE && img.height() >= SCAN_MIN_SIDE => Ok(media_type),
        Ok(img) => Err(format!(
            "scan is {}×{} pixels; a readable page is at least {SCAN_MIN_SIDE}×{SCAN_MIN_SIDE}",
            img.width(),
            img.height()
        )),
        Err(e) => Err(format!(
            "scan starts like {media_type} but does not decode as one: {e}"
        )),
    }
}

/// Sides of a scanned page, in pixels.
pub const SCAN_MIN_SIDE: u32 = 16;
pub const SCAN_MAX_SIDE: u32 = 12_000;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Collects violations while reading typed values out of JSON.
struct Reader {
    errs: Vec<Violation>,
}

impl Reader {
    fn push(&mut self, entry: &str, rule: &'static str, description: impl Into<String>) {
        self.errs.push(Violation::new(entry, rule, description));
    }

    /// A violation with a stable code (and parameters) for the screens.
    fn push_as(
        &mut self,
        entry: &str,
        rule: &'static str,
        code: &'static str,
        params: &[(&'static str, String)],
        description: impl Into<String>,
    ) {
        self.errs
            .push(Violation::new(entry, rule, description).coded(code, params));
    }

    fn type_err(&mut self, path: &str, want: &str, got: &Value) {
        self.push(
            path,
            "type",
            format!("type mismatch. Expected {want} but got {}", type_name(got)),
        );
    }

    /// A string field; `""` counts as absent for optional fields.
    fn string(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        base: &str,
        required: bool,
        max: usize,
    ) -> Option<String> {
        let path = format!("{base}.{key}");
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.push(
                        &path,
                        "required",
                        format!("required property {key} was not present"),
                    );
                }
                None
            }
            Some(Value::String(s)) => {
                let trimmed = s.trim();
                if trimmed.is_empty() {
                    if required {
                        self.push_as(
                            &path,
                            "length",
                            "required",
                            &[],
                            "expected value to have a minimum length of 1 but got 0",
                        );
                    }
                    return None;
                }
                let n = trimmed.chars().count();
                if n > max {
                    self.push_as(
                        &path,
                        "length",
                        "too_long",
                        &[("max", max.to_string())],
                        format!("expected value to have a maximum length of {max} but got {n}"),
                    );
                    return None;
                }
                if let Some(problem) = text_problem(trimmed) {
                    self.push_as(&path, "format", "text_characters", &[], problem);
                    return None;
                }
                Some(trimmed.to_string())
            }
            Some(other) => {
                self.type_err(&path, "string", other);
                None
            }
        }
    }

    /// A person's or confidant's name: a string that passes [`name_problem`].
    fn name(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        base: &str,
        required: bool,
    ) -> Option<String> {
        let v = self.string(obj, key, base, required, TEXT_MAX)?;
        if let Some(problem) = name_problem(&v) {
            let code = if problem == NAME_MIXED_ALPHABETS {
                "name_mixed_alphabets"
            } else {
                "name_letters"
            };
            self.push_as(&format!("{base}.{key}"), "format", code, &[], problem);
        }
        Some(v)
    }

    /// Refuse properties the object does not have (a typo must not vanish).
    fn known(&mut self, obj: &Map<String, Value>, base: &str, allowed: &[&str]) {
        for key in obj.keys() {
            if !allowed.contains(&key.as_str()) {
                self.push_as(
                    &format!("{base}.{key}"),
                    "schema",
                    "unknown_field",
                    &[("name", key.clone())],
                    format!(
                        "schema does not allow additional property {key}; allowed: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn boolean(&mut self, obj: &Map<String, Value>, key: &str, base: &str) -> bool {
        match obj.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.type_err(&format!("{base}.{key}"), "boolean", other);
                false
            }
        }
    }

    fn array<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        base: &str,
    ) -> Vec<&'a Map<String, Value>> {
        let path = format!("{base}.{key}");
        match obj.get(key) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::Object(m) => Some(m),
                    other => {
                        self.type_err(&format!("{path}[{i}]"), "object", other);
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.type_err(&path, "array", other);
                vec![]
            }
        }
    }

    fn strings(&mut self, obj: &Map<String, Value>, key: &str, base: &str) -> Vec<String> {
        let path = format!("{base}.{key}");
        match obj.get(key) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Value::String(_) => None,
                    other => {
                        self.type_err(&format!("{path}[{i}]"), "string", other);
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.type_err(&path, "array", other);
                vec![]
            }
        }
    }

    fn one_of(&mut self, value: Option<String>, allowed: &[&str], path: &str) -> Option<String> {
        let v = value?;
        if allowed.contains(&v.as_str()) {
            Some(v)
        } else {
            self.push_as(
                path,
                "inclusion",
                "not_in_list",
                &[],
                format!("value is not allowed in enum: {}", allowed.join(", ")),
            );
            None
        }
    }

    fn date(&mut self, value: Option<&String>, path: &str) -> Option<NaiveDate> {
        let s = value?;
        let d = parse_date(s);
        if d.is_none() {
            self.push_as(
                path,
                "date",
                "not_a_date",
                &[],
                format!("expected \"{s}\" to be a valid ISO 8601 date"),
            );
        }
        d
    }

    fn pattern(
        &mut self,
        value: Option<&String>,
        re: &regex::Regex,
        text: &str,
        path: &str,
    ) -> bool {
        match value {
            Some(v) if !re.is_match(v) => {
                let code = match text {
                    TAX_ID_PATTERN => "tax_id_format",
                    PHONE_PATTERN => "phone_format",
                    UNZR_PATTERN => "unzr_format",
                    EMAIL_PATTERN => "email_format",
                    _ => "format",
                };
                self.push_as(
                    path,
                    "format",
                    code,
                    &[],
                    format!("string does not match pattern \"{text}\""),
                );
                false
            }
            _ => true,
        }
    }
}

/// The properties each object of a person request may have. Anything else
/// is refused with its path (a typo must never vanish silently).
const ROOT_KEYS: &[&str] = &[
    "person",
    "authorize_with",
    "auth_method",
    "duplicate_override",
];
const PERSON_KEYS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "second_name",
    "prefix",
    "suffix",
    "credential",
    "birth_date",
    "birth_country",
    "birth_settlement",
    "gender",
    "tax_id",
    "no_tax_id",
    "unzr",
    "email",
    "emails",
    "phones",
    "addresses",
    "documents",
    "issued_identifiers",
    "confidant_person",
    "authentication_methods",
];
const ADDRESS_KEYS: &[&str] = &[
    "type",
    "country",
    "area",
    "region",
    "settlement",
    "settlement_type",
    "settlement_id",
    "street_type",
    "street",
    "building",
    "apartment",
    "zip",
    "house_number",
    "line1",
    "line2",
    "state",
    "postal_code",
    "start_date",
];
const DOCUMENT_KEYS: &[&str] = &[
    "type",
    "number",
    "issued_by",
    "issued_at",
    "expiration_date",
    "scans",
];
const CONFIDANT_KEYS: &[&str] = &[
    "relation_type",
    "first_name",
    "last_name",
    "second_name",
    "birth_date",
    "birth_country",
    "birth_settlement",
    "gender",
    "tax_id",
    "unzr",
    "email",
    "phones",
    "documents_person",
    "documents_relationship",
];

/// Seed 002's message when the confirming method has type NA (its first
/// letter is a Cyrillic "С", as in the seed).
pub const NA_CONFIRMATION: &str =
    "Сannot be confirmed by a method with type= NA. Use a different method.";

/// Is `s` a UUID in its canonical 8-4-4-4-12 hex form?
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Seed 002: the method that confirms an update (`authorize_with`, eHealth's
/// name, or `auth_method.id`).
fn check_confirmation(
    r: &mut Reader,
    root: &Map<String, Value>,
    person_id: &str,
    facts: &dyn Facts,
) {
    let (path, value) = match (root.get("authorize_with"), root.get("auth_method")) {
        (None, None) => return,
        (Some(_), Some(_)) => {
            r.push_as(
                "$.auth_method",
                "invariant",
                "auth_both",
                &[],
                "send either authorize_with or auth_method.id, not both",
            );
            return;
        }
        (Some(v), None) => ("$.authorize_with".to_string(), v),
        (None, Some(Value::Object(o))) => {
            r.known(o, "$.auth_method", &["id"]);
            match o.get("id") {
                Some(v) => ("$.auth_method.id".to_string(), v),
                None => {
                    r.push(
                        "$.auth_method.id",
                        "required",
                        "required property id was not present",
                    );
                    return;
                }
            }
        }
        (None, Some(other)) => {
            r.type_err("$.auth_method", "object", other);
            return;
        }
    };
    let Some(method_id) = value.as_str() else {
        r.type_err(&path, "string", value);
        return;
    };
    if !is_uuid(method_id) {
        r.push_as(
            &path,
            "format",
            "uuid",
            &[],
            format!("expected \"{method_id}\" to be a valid UUID"),
        );
        return;
    }
    match facts.auth_method(method_id, person_id) {
        AuthMethodFact::Missing => r.push_as(
            &path,
            "existence",
            "auth_missing",
            &[],
            "such authentication method doesn't exist",
        ),
        AuthMethodFact::OtherPerson => r.push_as(
            &path,
            "invariant",
            "auth_other_person",
            &[],
            "such authentication method does not belong to this person",
        ),
        AuthMethodFact::Found { kind, .. } if kind == "NA" => {
            r.push_as(&path, "invariant", "auth_na", &[], NA_CONFIRMATION)
        }
        AuthMethodFact::Found { active: false, .. } => r.push_as(
            &path,
            "invariant",
            "auth_inactive",
            &[],
            "such authentication method is not active",
        ),
        AuthMethodFact::Found { .. } => {}
    }
}

/// Which role a document list plays; decides the allowed types.
#[derive(Clone, Copy)]
enum DocList {
    Person,
    Relationship,
}

/// Validate a person request body (`{"person": {...}}`).
///
/// `third_person` looks up a registered person named by a THIRD_PERSON
/// authentication method; it is the only outside fact the rules need.
pub fn validate_person_request(
    body: &Value,
    ctx: &RuleContext,
    facts: &dyn Facts,
) -> Result<ValidRequest, Vec<Violation>> {
    let mut r = Reader { errs: vec![] };
    let Some(root) = body.as_object() else {
        return Err(vec![Violation::new(
            "$",
            "type",
            format!("type mismatch. Expected object but got {}", type_name(body)),
        )]);
    };
    let p = match root.get("person") {
        Some(Value::Object(p)) => p,
        Some(other) => {
            r.type_err("$.person", "object", other);
            return Err(r.errs);
        }
        None => {
            r.push(
                "$.person",
                "required",
                "required property person was not present",
            );
            return Err(r.errs);
        }
    };
    let base = "$.person";
    r.known(root, "$", ROOT_KEYS);
    r.known(p, base, PERSON_KEYS);
    // An empty id is a mistake, not a request to create.
    if matches!(p.get("id"), Some(Value::String(s)) if s.trim().is_empty()) {
        r.push_as(
            "$.person.id",
            "length",
            "required",
            &[],
            "expected value to have a minimum length of 1 but got 0",
        );
    }
    let id = r.string(p, "id", base, false, 64);
    let q = Section {
        root,
        p,
        base,
        ctx,
        facts,
    };
    let (mut person, birth) = read_identity(&mut r, q);
    read_tax_id_and_unzr(&mut r, q, &mut person, birth);
    read_contacts(&mut r, q, &mut person);
    let scans = read_person_documents(&mut r, q, &mut person, birth);
    read_issued_identifiers(&mut r, q, &mut person);
    let age = birth.map(|b| age_on(b, ctx.today));
    let is_child = birth.is_some_and(|b| is_child(b, ctx));
    check_documents_and_tax_id(&mut r, &person, age, is_child);
    read_confidants(&mut r, q, &mut person, birth, is_child);
    read_authentication(&mut r, q, &mut person, id.as_ref(), is_child);

    if !r.errs.is_empty() {
        return Err(r.errs);
    }
    let uploads = required_uploads(&person, birth, age, ctx);
    Ok(ValidRequest {
        id,
        person,
        scans,
        uploads,
    })
}

/// What every section of a person request is read with.
#[derive(Clone, Copy)]
struct Section<'a> {
    root: &'a Map<String, Value>,
    p: &'a Map<String, Value>,
    base: &'a str,
    ctx: &'a RuleContext,
    facts: &'a dyn Facts,
}

/// Names, birth date (not in the future, not before 1900) and gender.
fn read_identity(r: &mut Reader, q: Section<'_>) -> (PersonData, Option<NaiveDate>) {
    let Section { p, base, ctx, .. } = q;
    let mut person = PersonData {
        first_name: r.name(p, "first_name", base, true).unwrap_or_default(),
        last_name: r.name(p, "last_name", base, true).unwrap_or_default(),
        second_name: r.name(p, "second_name", base, false),
        prefix: r.string(p, "prefix", base, false, 32),
        suffix: r.string(p, "suffix", base, false, 32),
        credential: r.string(p, "credential", base, false, 64),
        // eHealth's registry requires the birth country (the seed is silent).
        birth_country: r.string(p, "birth_country", base, true, TEXT_MAX),
        birth_settlement: r.string(p, "birth_settlement", base, false, TEXT_MAX),
        no_tax_id: r.boolean(p, "no_tax_id", base),
        ..Default::default()
    };
    let birth_raw = r.string(p, "birth_date", base, true, 10);
    let birth = r.date(birth_raw.as_ref(), "$.person.birth_date");
    if let Some(b) = birth {
        if b > ctx.today {
            r.push_as(
                "$.person.birth_date",
                "date",
                "birth_date_future",
                &[],
                "birth_date should be in the past",
            );
        } else if b < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
            r.push_as(
                "$.person.birth_date",
                "date",
                "birth_date_too_early",
                &[],
                "birth_date should not be earlier than 1900-01-01",
            );
        }
    }
    person.birth_date = birth_raw.unwrap_or_default();
    let gender = r.string(p, "gender", base, true, 16);
    person.gender = r
        .one_of(gender, GENDERS, "$.person.gender")
        .unwrap_or_default();

    (person, birth)
}

/// The tax id (or the refusal of one) and the UNZR, which must agree with
/// the birth date.
fn read_tax_id_and_unzr(
    r: &mut Reader,
    q: Section<'_>,
    person: &mut PersonData,
    birth: Option<NaiveDate>,
) {
    let Section { p, base, .. } = q;
    // tax_id and no_tax_id
    person.tax_id = r.string(p, "tax_id", base, false, 64);
    r.pattern(
        person.tax_id.as_ref(),
        &TAX_ID_RE,
        TAX_ID_PATTERN,
        "$.person.tax_id",
    );
    if person.no_tax_id && person.tax_id.is_some() {
        r.push_as(
            "$.person.tax_id",
            "invariant",
            "tax_id_with_refusal",
            &[],
            "tax_id must be empty when no_tax_id is true",
        );
    }

    // unzr
    person.unzr = r.string(p, "unzr", base, false, 64);
    if let Some(u) = &person.unzr {
        if UNZR_RE.is_match(u) {
            if let Some(b) = birth
                && u[..8] != b.format("%Y%m%d").to_string()
            {
                r.push_as(
                    "$.person.unzr",
                    "invariant",
                    "unzr_birth_date",
                    &[],
                    "unzr or birthdate are not correct",
                );
            }
        } else {
            r.push_as(
                "$.person.unzr",
                "format",
                "unzr_format",
                &[],
                format!("string does not match pattern \"{UNZR_PATTERN}\""),
            );
        }
    }
}

/// E-mails, phones and addresses.
fn read_contacts(r: &mut Reader, q: Section<'_>, person: &mut PersonData) {
    let Section { p, base, .. } = q;
    // e-mails
    person.email = r.string(p, "email", base, false, TEXT_MAX);
    r.pattern(
        person.email.as_ref(),
        &EMAIL_RE,
        EMAIL_PATTERN,
        "$.person.email",
    );
    person.emails = r.strings(p, "emails", base);
    for (i, e) in person.emails.iter().enumerate() {
        if !EMAIL_RE.is_match(e) || e.len() > TEXT_MAX {
            r.push_as(
                &format!("$.person.emails[{i}]"),
                "format",
                "email_format",
                &[],
                format!("string does not match pattern \"{EMAIL_PATTERN}\""),
            );
        }
    }

    // phones
    person.phones = read_phones(r, p, base);

    // addresses
    for (i, a) in r.array(p, "addresses", base).into_iter().enumerate() {
        let ab = format!("$.person.addresses[{i}]");
        r.known(a, &ab, ADDRESS_KEYS);
        let kind = r.string(a, "type", &ab, true, 32);
        let kind = r
            .one_of(kind, ADDRESS_TYPES, &format!("{ab}.type"))
            .unwrap_or_default();
        let addr = Address {
            kind,
            street: r.string(a, "street", &ab, false, TEXT_MAX),
            house_number: r.string(a, "house_number", &ab, false, 32),
            line1: r.string(a, "line1", &ab, false, TEXT_MAX),
            line2: r.string(a, "line2", &ab, false, TEXT_MAX),
            settlement: r.string(a, "settlement", &ab, true, TEXT_MAX),
            state: r.string(a, "state", &ab, false, TEXT_MAX),
            postal_code: r.string(a, "postal_code", &ab, false, 16),
            country: r.string(a, "country", &ab, true, 64),
            start_date: r.string(a, "start_date", &ab, false, 10),
            area: r.string(a, "area", &ab, false, TEXT_MAX),
            region: r.string(a, "region", &ab, false, TEXT_MAX),
            settlement_type: r.string(a, "settlement_type", &ab, false, 64),
            settlement_id: r.string(a, "settlement_id", &ab, false, 64),
            street_type: r.string(a, "street_type", &ab, false, 64),
            building: r.string(a, "building", &ab, false, 32),
            apartment: r.string(a, "apartment", &ab, false, 32),
            zip: r.string(a, "zip", &ab, false, 16),
        };
        r.date(addr.start_date.as_ref(), &format!("{ab}.start_date"));
        person.addresses.push(addr);
    }
}

/// The person's documents and their scans; a NATIONAL_ID needs the UNZR.
fn read_person_documents(
    r: &mut Reader,
    q: Section<'_>,
    person: &mut PersonData,
    birth: Option<NaiveDate>,
) -> Vec<ScanUpload> {
    let Section { p, base, ctx, .. } = q;
    // documents
    let mut scans = Vec::new();
    person.documents = read_documents(
        r,
        At {
            obj: p,
            key: "documents",
            base,
        },
        DocList::Person,
        birth,
        ctx,
        Some(&mut scans),
    );
    if person.documents.iter().any(|d| d.kind == "NATIONAL_ID") && person.unzr.is_none() {
        r.push_as(
            "$.person.unzr",
            "required",
            "unzr_required",
            &[],
            "unzr is mandatory for document type NATIONAL_ID",
        );
    }

    scans
}

/// Seed 000's issued identifiers: one of a type.
fn read_issued_identifiers(r: &mut Reader, q: Section<'_>, person: &mut PersonData) {
    let Section { p, base, .. } = q;
    // issued identifiers (seed 000: one of a type)
    for (i, ii) in r
        .array(p, "issued_identifiers", base)
        .into_iter()
        .enumerate()
    {
        let ib = format!("$.person.issued_identifiers[{i}]");
        r.known(ii, &ib, &["type", "issued_number"]);
        let kind = r.string(ii, "type", &ib, true, 64);
        let kind = r
            .one_of(kind, ISSUED_IDENTIFIER_TYPES, &format!("{ib}.type"))
            .unwrap_or_default();
        let number = r
            .string(ii, "issued_number", &ib, true, 64)
            .unwrap_or_default();
        if !kind.is_empty() && person.issued_identifiers.iter().any(|x| x.kind == kind) {
            r.push_as(
                &format!("{ib}.type"),
                "invariant",
                "identifier_type_repeated",
                &[],
                "The issued identifier type already exists for the Person entity.",
            );
        }
        person.issued_identifiers.push(IssuedIdentifier {
            issued_identifier_id: None,
            kind,
            issued_number: number,
        });
    }
}

/// The rules on the documents as a whole and the tax id that need the
/// person's age (eHealth's, where seed 002 is silent).
fn check_documents_and_tax_id(
    r: &mut Reader,
    person: &PersonData,
    age: Option<i32>,
    is_child: bool,
) {
    // Where seed 002 is silent, eHealth's registry decides (its clients
    // send the same requests).
    if person.documents.is_empty()
        && !r
            .errs
            .iter()
            .any(|e| e.entry.starts_with("$.person.documents"))
    {
        r.push_as(
            "$.person.documents",
            "length",
            "documents_required",
            &[],
            "expected a minimum of 1 items but got 0",
        );
    }
    let has_doc = |k: &str| person.documents.iter().any(|d| d.kind == k);
    if has_doc("PASSPORT") && has_doc("NATIONAL_ID") {
        r.push_as(
            "$.person.documents",
            "invariant",
            "passport_and_id_card",
            &[],
            "Person can have only new passport NATIONAL_ID or old PASSPORT",
        );
    }
    if is_child
        && !person.documents.is_empty()
        && !has_doc("BIRTH_CERTIFICATE")
        && !has_doc("BIRTH_CERTIFICATE_FOREIGN")
    {
        r.push_as(
            "$.person.documents",
            "invariant",
            "child_birth_certificate",
            &[],
            "a child must have a BIRTH_CERTIFICATE or a BIRTH_CERTIFICATE_FOREIGN document",
        );
    }
    if age.is_some()
        && !is_child
        && person.tax_id.is_none()
        && !person.no_tax_id
        && !r.errs.iter().any(|e| e.entry == "$.person.tax_id")
    {
        r.push_as(
            "$.person.tax_id",
            "invariant",
            "tax_id_required",
            &[],
            "Only persons who refused the tax_id could be without tax_id",
        );
    }
}

/// Confidant persons: each with their own and their relationship
/// documents, exactly one PRIMARY, and one at least for a child.
fn read_confidants(
    r: &mut Reader,
    q: Section<'_>,
    person: &mut PersonData,
    birth: Option<NaiveDate>,
    is_child: bool,
) {
    let Section { p, base, ctx, .. } = q;
    // confidant persons
    for (i, c) in r.array(p, "confidant_person", base).into_iter().enumerate() {
        let cb = format!("$.person.confidant_person[{i}]");
        r.known(c, &cb, CONFIDANT_KEYS);
        let rel = r.string(c, "relation_type", &cb, true, 16);
        let relation_type = r
            .one_of(rel, RELATION_TYPES, &format!("{cb}.relation_type"))
            .unwrap_or_default();
        let c_birth_raw = r.string(c, "birth_date", &cb, true, 10);
        let c_birth = r.date(c_birth_raw.as_ref(), &format!("{cb}.birth_date"));
        // A confidant must not be a child themselves.
        if let Some(cbd) = c_birth
            && self::is_child(cbd, ctx)
        {
            r.push_as(
                &format!("{cb}.birth_date"),
                "invariant",
                "confidant_age",
                &[],
                "Incorrect person age for such an action",
            );
        }
        let g = r.string(c, "gender", &cb, true, 16);
        let gender = r
            .one_of(g, GENDERS, &format!("{cb}.gender"))
            .unwrap_or_default();
        let tax_id = r.string(c, "tax_id", &cb, false, 64);
        r.pattern(
            tax_id.as_ref(),
            &TAX_ID_RE,
            TAX_ID_PATTERN,
            &format!("{cb}.tax_id"),
        );
        let unzr = r.string(c, "unzr", &cb, false, 64);
        r.pattern(unzr.as_ref(), &UNZR_RE, UNZR_PATTERN, &format!("{cb}.unzr"));
        let email = r.string(c, "email", &cb, false, TEXT_MAX);
        r.pattern(
            email.as_ref(),
            &EMAIL_RE,
            EMAIL_PATTERN,
            &format!("{cb}.email"),
        );
        let confidant = ConfidantPerson {
            relation_type,
            first_name: r.name(c, "first_name", &cb, true).unwrap_or_default(),
            last_name: r.name(c, "last_name", &cb, true).unwrap_or_default(),
            second_name: r.name(c, "second_name", &cb, false),
            birth_date: c_birth_raw.unwrap_or_default(),
            birth_country: r.string(c, "birth_country", &cb, false, TEXT_MAX),
            birth_settlement: r.string(c, "birth_settlement", &cb, false, TEXT_MAX),
            gender,
            tax_id,
            unzr,
            email,
            phones: read_phones(r, c, &cb),
            documents_person: read_documents(
                r,
                At {
                    obj: c,
                    key: "documents_person",
                    base: &cb,
                },
                DocList::Person,
                c_birth,
                ctx,
                None,
            ),
            documents_relationship: read_documents(
                r,
                At {
                    obj: c,
                    key: "documents_relationship",
                    base: &cb,
                },
                DocList::Relationship,
                birth,
                ctx,
                None,
            ),
        };
        if confidant.documents_person.is_empty() {
            r.push_as(
                &format!("{cb}.documents_person"),
                "required",
                "confidant_documents_required",
                &[],
                "documents_person is mandatory for a confidant person",
            );
        }
        if confidant.documents_relationship.is_empty() {
            r.push_as(
                &format!("{cb}.documents_relationship"),
                "required",
                "confidant_relationship_required",
                &[],
                "documents_relationship is mandatory for a confidant person",
            );
        }
        person.confidant_person.push(confidant);
    }
    if !person.confidant_person.is_empty()
        && person
            .confidant_person
            .iter()
            .filter(|c| c.relation_type == "PRIMARY")
            .count()
            != 1
        && person
            .confidant_person
            .iter()
            .all(|c| !c.relation_type.is_empty())
    {
        r.push_as(
            "$.person.confidant_person",
            "invariant",
            "confidant_one_primary",
            &[],
            "exactly one confidant person must have relation_type PRIMARY",
        );
    }
    if is_child && person.confidant_person.is_empty() {
        r.push_as(
            "$.person.confidant_person",
            "required",
            "confidant_required",
            &[],
            "Confidant person is mandatory for children",
        );
    }
}

/// Authentication: one method when creating (THIRD_PERSON for a child); on
/// an update, none, and the confirmation of the update instead.
fn read_authentication(
    r: &mut Reader,
    q: Section<'_>,
    person: &mut PersonData,
    id: Option<&String>,
    is_child: bool,
) {
    let Section {
        root,
        p,
        base,
        ctx,
        facts,
    } = q;
    let is_update = id.is_some();
    // authentication methods: create only
    if is_update {
        if p.contains_key("authentication_methods") {
            r.push_as(
                "$.person.authentication_methods",
                "invariant",
                "auth_with_update",
                &[],
                "authentication_methods must not be sent with an update (person.id is set)",
            );
        }
        if let Some(person_id) = id {
            check_confirmation(r, root, person_id, facts);
        }
    } else {
        for key in ["authorize_with", "auth_method"] {
            if root.contains_key(key) {
                r.push_as(
                    &format!("$.{key}"),
                    "invariant",
                    "auth_confirms_update",
                    &[],
                    "an authentication method confirms an update only (person.id is not set)",
                );
            }
        }
        let methods = r.array(p, "authentication_methods", base);
        if methods.len() > 1 {
            r.push_as(
                "$.person.authentication_methods",
                "length",
                "auth_at_most_one",
                &[],
                format!(
                    "expected a maximum of 1 authentication method but got {}",
                    methods.len()
                ),
            );
        }
        if methods.is_empty()
            && !r
                .errs
                .iter()
                .any(|e| e.entry == "$.person.authentication_methods")
        {
            r.push_as(
                "$.person.authentication_methods",
                "required",
                "auth_required",
                &[],
                "required property authentication_methods was not present",
            );
        }
        for (i, m) in methods.into_iter().enumerate() {
            let mb = format!("$.person.authentication_methods[{i}]");
            r.known(m, &mb, &["type", "phone_number", "value"]);
            let kind = r.string(m, "type", &mb, true, 16);
            let kind = r
                .one_of(kind, AUTH_METHOD_TYPES, &format!("{mb}.type"))
                .unwrap_or_default();
            let mut method = AuthMethod {
                id: None,
                kind,
                phone_number: None,
                value: None,
            };
            match method.kind.as_str() {
                "OTP" => {
                    method.phone_number = r.string(m, "phone_number", &mb, true, 16);
                    r.pattern(
                        method.phone_number.as_ref(),
                        &PHONE_RE,
                        PHONE_PATTERN,
                        &format!("{mb}.phone_number"),
                    );
                }
                "THIRD_PERSON" => {
                    method.value = r.string(m, "value", &mb, true, 64);
                    if let Some(tp_id) = &method.value {
                        check_third_person(r, tp_id, &format!("{mb}.value"), ctx, facts);
                    }
                }
                _ => {}
            }
            if is_child && !method.kind.is_empty() && method.kind != "THIRD_PERSON" {
                r.push_as(
                    &format!("{mb}.type"),
                    "invariant",
                    "child_third_person",
                    &[],
                    "person under no_self_auth_age must use authentication method THIRD_PERSON",
                );
            }
            person.authentication_methods.push(method);
        }
    }
}

fn read_phones(r: &mut Reader, obj: &Map<String, Value>, base: &str) -> Vec<Phone> {
    let mut out = Vec::new();
    for (i, ph) in r.array(obj, "phones", base).into_iter().enumerate() {
        let pb = format!("{base}.phones[{i}]");
        r.known(ph, &pb, &["type", "number"]);
        let kind = r.string(ph, "type", &pb, true, 16);
        let kind = r
            .one_of(kind, PHONE_TYPES, &format!("{pb}.type"))
            .unwrap_or_default();
        if !kind.is_empty() && out.iter().any(|x: &Phone| x.kind == kind) {
            r.push_as(
                &format!("{pb}.type"),
                "invariant",
                "phone_type_repeated",
                &[("kind", kind.to_string())],
                format!("a phone of type {kind} is already in the request"),
            );
        }
        let number = r.string(ph, "number", &pb, true, 32);
        r.pattern(
            number.as_ref(),
            &PHONE_RE,
            PHONE_PATTERN,
            &format!("{pb}.number"),
        );
        out.push(Phone {
            kind,
            number: number.unwrap_or_default(),
        });
    }
    out
}

/// Where a document list is read: `obj[key]`, reported under `base`.
#[derive(Clone, Copy)]
struct At<'a> {
    obj: &'a Map<String, Value>,
    key: &'a str,
    base: &'a str,
}

fn read_documents(
    r: &mut Reader,
    at: At<'_>,
    list: DocList,
    birth: Option<NaiveDate>,
    ctx: &RuleContext,
    mut scans: Option<&mut Vec<ScanUpload>>,
) -> Vec<Document> {
    let At { obj, key, base } = at;
    let allowed = match list {
        DocList::Person => PERSON_DOCUMENT_TYPES,
        DocList::Relationship => RELATIONSHIP_DOCUMENT_TYPES,
    };
    let mut out = Vec::new();
    for (i, d) in r.array(obj, key, base).into_iter().enumerate() {
        let db = format!("{base}.{key}[{i}]");
        r.known(d, &db, DOCUMENT_KEYS);
        let kind = r.string(d, "type", &db, true, 64);
        let kind = r
            .one_of(kind, allowed, &format!("{db}.type"))
            .unwrap_or_default();
        if !kind.is_empty() && out.iter().any(|x: &Document| x.kind == kind) {
            r.push_as(
                &format!("{db}.type"),
                "invariant",
                "document_type_repeated",
                &[("kind", kind.to_string())],
                format!("a document of type {kind} is already in the request"),
            );
        }
        let number = r.string(d, "number", &db, true, 1024);
        if let Some(n) = &number {
            if n.chars().count() > DOCUMENT_NUMBER_MAX {
                r.push_as(&format!("{db}.number"), "length", "too_long", &[("max", DOCUMENT_NUMBER_MAX.to_string())], format!("expected value to have a maximum length of {DOCUMENT_NUMBER_MAX} but got {}", n.chars().count()));
            } else if document_number_matches(&kind, n) == Some(false) {
                let text = rules::document_pattern_text(&kind).unwrap_or_default();
                r.push_as(
                    &format!("{db}.number"),
                    "format",
                    "document_number_format",
                    &[
                        ("kind", kind.to_string()),
                        (
                            "format",
                            rules::document_format(&kind)
                                .unwrap_or("free-number")
                                .to_string(),
                        ),
                    ],
                    format!("string does not match pattern \"{text}\""),
                );
            }
        }
        let issued_by = r.string(d, "issued_by", &db, true, TEXT_MAX);
        let issued_at = r.string(d, "issued_at", &db, true, 10);
        if let Some(ia) = r.date(issued_at.as_ref(), &format!("{db}.issued_at")) {
            if ia > ctx.today {
                r.push_as(
                    &format!("{db}.issued_at"),
                    "date",
                    "document_issued_future",
                    &[],
                    "Document issued date should be in the past",
                );
            } else if birth.is_some_and(|b| ia < b) {
                r.push_as(
                    &format!("{db}.issued_at"),
                    "date",
                    "document_issued_before_birth",
                    &[],
                    "Document issued date should greater than person.birth_date ",
                );
            }
        }
        let expiration_date = r.string(d, "expiration_date", &db, false, 10);
        match r.date(expiration_date.as_ref(), &format!("{db}.expiration_date")) {
            Some(e) if e <= ctx.today => {
                r.push_as(
                    &format!("{db}.expiration_date"),
                    "date",
                    "document_expired",
                    &[],
                    "Document expiration_date should be in future",
                );
            }
            _ => {}
        }
        if expiration_date.is_none() && EXPIRATION_MANDATORY.contains(&kind.as_str()) {
            r.push_as(
                &format!("{db}.expiration_date"),
                "required",
                "document_expiration_required",
                &[("kind", kind.to_string())],
                format!("expiration_date is mandatory for document_type {kind}"),
            );
        }
        // Scanned pages: base64 content, checked by magic bytes and size.
        let doc_index = out.len();
        for (j, s) in r.array(d, "scans", &db).into_iter().enumerate() {
            let sb = format!("{db}.scans[{j}]");
            r.known(s, &sb, &["file_name", "content_base64"]);
            let file_name = r
                .string(s, "file_name", &sb, false, TEXT_MAX)
                .unwrap_or_else(|| format!("page-{}", j + 1));
            let Some(b64) = r.string(s, "content_base64", &sb, true, usize::MAX) else {
                continue;
            };
            if b64.len() > SCAN_MAX_BYTES / 3 * 4 + 8 {
                r.push_as(
                    &format!("{sb}.content_base64"),
                    "scan",
                    "scan_too_big",
                    &[],
                    "Document should be no more than 10MB",
                );
                continue;
            }
            match base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) {
                Err(_) => r.push_as(
                    &format!("{sb}.content_base64"),
                    "format",
                    "scan_not_base64",
                    &[],
                    "content_base64 is not valid base64",
                ),
                Ok(bytes) => match check_scan(&bytes) {
                    Err(msg) => r.push(&format!("{sb}.content_base64"), "scan", msg),
                    Ok(media_type) => {
                        if let Some(out_scans) = scans.as_deref_mut() {
                            out_scans.push(ScanUpload {
                                document_index: doc_index,
                                file_name,
                                media_type: media_type.into(),
                                content: bytes,
                            });
                        } else {
                            r.push_as(
                                &sb,
                                "invariant",
                                "scan_own_documents",
                                &[],
                                "scans are accepted on the person's own documents only",
                            );
                        }
                    }
                },
            }
        }
        out.push(Document {
            kind,
            number: number.unwrap_or_default(),
            issued_by,
            issued_at,
            expiration_date,
            scans: vec![],
        });
    }
    out
}

fn check_third_person(r: &mut Reader, id: &str, path: &str, ctx: &RuleContext, facts: &dyn Facts) {
    let Some(tp) = facts.third_person(id) else {
        r.push_as(
            path,
            "existence",
            "third_person_missing",
            &[],
            "such third person doesn't exist",
        );
        return;
    };
    if tp.auth_methods.iter().any(|m| m.kind == "OFFLINE") {
        r.push_as(
            path,
            "invariant",
            "third_person_offline",
            &[],
            "THIRD PERSON can't have OFFLINE self auth method type",
        );
    } else if !tp.auth_methods.iter().any(|m| m.kind == "OTP") {
        r.push_as(
            path,
            "invariant",
            "third_person_no_methods",
            &[],
            "THIRD PERSON doesn't have active valid authentication methods",
        );
    }
    if tp
        .birth_date
        .is_some_and(|b| age_on(b, ctx.today) < ctx.no_self_auth_age as i32)
    {
        r.push_as(
            path,
            "invariant",
            "third_person_age",
            &[],
            "Incorrect person age for such an action",
        );
    }
}

/// What a tax id of the right shape says against the form, in words: its
/// check digit, the birth date and the gender it encodes. Warnings only:
/// the seed's rule asks for a scan of the tax id document (`person.tax_id`
/// upload) and never refuses, so the desk shows these at the field.
pub fn tax_id_warnings(tax_id: &str, birth_date: &str, gender: &str) -> Vec<Violation> {
    let Some(f) = rules::tax_id_facts(tax_id.trim()) else {
        return Vec::new();
    };
    const PATH: &str = "$.person.tax_id";
    let mut out = Vec::new();
    if !f.checksum_ok {
        out.push(
            Violation::new(
                PATH,
                "warning",
                "Tax id: the last digit does not match the others (a typo?).",
            )
            .coded("tax_id_checksum", &[]),
        );
    }
    if let (Some(encoded), Some(typed)) = (f.birth_date, parse_date(birth_date))
        && encoded != typed
    {
        let (encoded, typed) = (
            encoded.format("%Y-%m-%d").to_string(),
            typed.format("%Y-%m-%d").to_string(),
        );
        out.push(
            Violation::new(
                PATH,
                "warning",
                format!("Tax id: it encodes the birth date {encoded}, the form says {typed}."),
            )
            .coded(
                "tax_id_birth_date",
                &[("encoded", encoded), ("typed", typed)],
            ),
        );
    }
    if (gender == "MALE" || gender == "FEMALE") && f.gender != gender {
        let word = |g: &str| if g == "MALE" { "male" } else { "female" };
        out.push(
            Violation::new(
                PATH,
                "warning",
                format!(
                    "Tax id: its ninth digit says {}, the form says {}.",
                    word(f.gender),
                    word(gender)
                ),
            )
            .coded(
                "tax_id_gender",
                &[
                    ("encoded", f.gender.to_string()),
                    ("typed", gender.to_string()),
                ],
            ),
        );
    }
    out
}

/// Seed 002's upload rules: they never reject, they ask for documents.
fn required_uploads(
    p: &PersonData,
    birth: Option<NaiveDate>,
    age: Option<i32>,
    ctx: &RuleContext,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    if p.no_tax_id {
        add("person.no_tax_id".into());
    } else if let Some(t) = &p.tax_id {
        let suspicious = match rules::tax_id_facts(t) {
            None => true,
            Some(f) => f.birth_date != birth || f.gender != p.gender || !f.checksum_ok,
        };
        if suspicious {
            add("person.tax_id".into());
        }
    }
    for c in &p.confidant_person {
        for d in &c.documents_relationship {
            add(format!("confidant_person.{}.{}", c.relation_type, d.kind));
        }
        for d in &c.documents_person {
            add(format!("confidant_person.{}.{}", c.relation_type, d.kind));
        }
    }
    let child = age.is_some_and(|a| a < ctx.no_self_auth_age as i32);
    let in_relationship = |kind: &str| {
        p.confidant_person
            .iter()
            .any(|c| c.documents_relationship.iter().any(|d| d.kind == kind))
    };
    for d in &p.documents {
        if d.kind == "BIRTH_CERTIFICATE_FOREIGN"
            && child
            && !in_relationship("BIRTH_CERTIFICATE_FOREIGN")
        {
            add("person.BIRTH_CERTIFICATE_FOREIGN".into());
        }
        if d.kind == "PERMANENT_RESIDENCE_PERMIT"
            && age.is_some_and(|a| a >= ctx.no_self_auth_age as i32)
        {
            add("person.PERMANENT_RESIDENCE_PERMIT".into());
        }
    }
    if p.authentication_methods.iter().any(|m| m.kind == "OFFLINE") {
        for d in &p.documents {
            add(format!("person.{}", d.kind));
        }
    }
    out
}

#[cfg(test)]
mod tax_id_warning_tests {
    use super::tax_id_warnings;
    use crate::core::rules::make_tax_id;

    #[test]
    fn a_tax_id_is_checked_against_the_form_in_words() {
        let born = chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap();
        let t = make_tax_id(born, "FEMALE", 42);
        assert!(tax_id_warnings(&t, "1986-04-12", "FEMALE").is_empty());
        let w: Vec<String> = tax_id_warnings(&t, "1986-04-21", "MALE")
            .into_iter()
            .map(|v| v.description)
            .collect();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("1986-04-12") && w[0].contains("1986-04-21"));
        assert!(w[1].contains("says female, the form says male"));
        let mut bad = t.clone().into_bytes();
        bad[9] = b'0' + (bad[9] - b'0' + 1) % 10;
        let bad = String::from_utf8(bad).unwrap();
        let w = &tax_id_warnings(&bad, "", "")[0];
        assert!(w.description.contains("last digit"));
        assert_eq!(w.code, "tax_id_checksum");
        // Nothing to say about what is not a tax id, or without a form.
        assert!(tax_id_warnings("12345", "1986-04-12", "FEMALE").is_empty());
        assert!(tax_id_warnings(&t, "", "").is_empty());
    }
}

/// `validate_person_request` section by section: each rule's code at its
/// path (the screens say them from the code), and a valid request passes.
#[cfg(test)]
mod request_tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> RuleContext {
        RuleContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            no_self_auth_age: 14,
        }
    }

    fn adult() -> Value {
        json!({"person": {
            "first_name": "Олена", "last_name": "Коваленко", "birth_date": "1986-04-12",
            "gender": "FEMALE", "birth_country": "UA", "no_tax_id": true,
            "phones": [{"type": "MOBILE", "number": "+380501234567"}],
            "documents": [{"type": "PASSPORT", "number": "АА123456", "issued_by": "Київ", "issued_at": "2002-05-01"}],
            "authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]
        }})
    }

    /// The (path, code) pairs of what `change` to an adult's request breaks.
    fn codes(change: impl FnOnce(&mut Value)) -> Vec<(String, &'static str)> {
        let mut body = adult();
        change(&mut body);
        match validate_person_request(&body, &ctx(), &NoFacts) {
            Ok(_) => vec![],
            Err(v) => v.into_iter().map(|v| (v.entry, v.code)).collect(),
        }
    }

    fn has(found: &[(String, &'static str)], path: &str, code: &str) -> bool {
        found.iter().any(|(p, c)| p == path && *c == code)
    }

    #[test]
    fn a_complete_adult_passes() {
        assert_eq!(codes(|_| {}), vec![]);
    }

    #[test]
    fn names() {
        let f = codes(|b| b["person"]["first_name"] = json!(""));
        assert!(has(&f, "$.person.first_name", "required"), "{f:?}");
        let f = codes(|b| {
            b["person"].as_object_mut().unwrap().remove("last_name");
        });
        assert!(has(&f, "$.person.last_name", "required"), "{f:?}");
        let f = codes(|b| b["person"]["first_name"] = json!("Оlena"));
        assert!(
            has(&f, "$.person.first_name", "name_mixed_alphabets"),
            "{f:?}"
        );
        let f = codes(|b| b["person"]["first_name"] = json!("Олена🙂"));
        assert!(has(&f, "$.person.first_name", "name_letters"), "{f:?}");
        let f = codes(|b| b["person"]["second_name"] = json!("x".repeat(300)));
        assert!(has(&f, "$.person.second_name", "too_long"), "{f:?}");
    }

    #[test]
    fn birth_date_and_tax_id() {
        let f = codes(|b| b["person"]["birth_date"] = json!("нн"));
        assert!(has(&f, "$.person.birth_date", "not_a_date"), "{f:?}");
        let f = codes(|b| b["person"]["birth_date"] = json!("2030-01-01"));
        assert!(has(&f, "$.person.birth_date", "birth_date_future"), "{f:?}");
        let f = codes(|b| b["person"]["birth_date"] = json!("1899-12-31"));
        assert!(
            has(&f, "$.person.birth_date", "birth_date_too_early"),
            "{f:?}"
        );
        let f = codes(|b| b["person"]["tax_id"] = json!("12345"));
        assert!(has(&f, "$.person.tax_id", "tax_id_format"), "{f:?}");
        let f = codes(|b| b["person"]["no_tax_id"] = json!(false));
        assert!(has(&f, "$.person.tax_id", "tax_id_required"), "{f:?}");
        let f = codes(|b| b["person"]["gender"] = json!("OTHER"));
        assert!(has(&f, "$.person.gender", "not_in_list"), "{f:?}");
    }

    #[test]
    fn contacts() {
        let f = codes(|b| b["person"]["phones"][0]["number"] = json!("0501234567"));
        assert!(
            has(&f, "$.person.phones[0].number", "phone_format"),
            "{f:?}"
        );
        let f = codes(|b| {
            b["person"]["phones"] = json!([
                {"type": "MOBILE", "number": "+380501234567"},
                {"type": "MOBILE", "number": "+380501234568"}
            ])
        });
        assert!(
            has(&f, "$.person.phones[1].type", "phone_type_repeated"),
            "{f:?}"
        );
        let f = codes(|b| b["person"]["email"] = json!("not an address"));
        assert!(has(&f, "$.person.email", "email_format"), "{f:?}");
    }

    #[test]
    fn documents() {
        let f = codes(|b| b["person"]["documents"] = json!([]));
        assert!(has(&f, "$.person.documents", "documents_required"), "{f:?}");
        let f = codes(|b| b["person"]["documents"][0]["number"] = json!("AA123456"));
        assert!(
            has(&f, "$.person.documents[0].number", "document_number_format"),
            "Latin letters in a passport number: {f:?}"
        );
        let f = codes(|b| b["person"]["documents"][0]["issued_at"] = json!("2030-01-01"));
        assert!(
            has(
                &f,
                "$.person.documents[0].issued_at",
                "document_issued_future"
            ),
            "{f:?}"
        );
        let f = codes(|b| b["person"]["documents"][0]["issued_at"] = json!("1980-01-01"));
        assert!(
            has(
                &f,
                "$.person.documents[0].issued_at",
                "document_issued_before_birth"
            ),
            "{f:?}"
        );
        let f = codes(|b| {
            let d = b["person"]["documents"][0].clone();
            b["person"]["documents"] = json!([d.clone(), d]);
        });
        assert!(
            has(&f, "$.person.documents[1].type", "document_type_repeated"),
            "{f:?}"
        );
        let f = codes(|b| {
            b["person"]["documents"][0] = json!({"type": "NATIONAL_ID", "number": "123456789",
                "issued_by": "1234", "issued_at": "2020-01-01", "expiration_date": "2030-01-01"})
        });
        assert!(has(&f, "$.person.unzr", "unzr_required"), "{f:?}");
    }

    #[test]
    fn a_child_needs_a_confidant_and_a_third_person() {
        let f = codes(|b| {
            b["person"]["birth_date"] = json!("2021-06-01");
            b["person"]["documents"][0] = json!({"type": "BIRTH_CERTIFICATE", "number": "І-БК123456",
                "issued_by": "РАЦС", "issued_at": "2021-06-10"});
        });
        assert!(
            has(&f, "$.person.confidant_person", "confidant_required"),
            "{f:?}"
        );
        assert!(
            has(
                &f,
                "$.person.authentication_methods[0].type",
                "child_third_person"
            ),
            "{f:?}"
        );
        let f = codes(|b| {
            b["person"]["authentication_methods"] =
                json!([{"type": "THIRD_PERSON", "value": "p_nobody"}]);
        });
        assert!(
            f.iter().any(|(_, c)| *c == "third_person_missing"),
            "a third person nobody registered: {f:?}"
        );
    }

    #[test]
    fn unknown_fields_are_refused_not_dropped() {
        let f = codes(|b| b["person"]["frist_name"] = json!("Олена"));
        assert!(has(&f, "$.person.frist_name", "unknown_field"), "{f:?}");
    }

    /// Every code a violation can carry is listed (the catalogues' test
    /// walks the list).
    #[test]
    fn the_codes_used_are_listed() {
        let src = include_str!("validate.rs");
        let re = regex::Regex::new(r#"push_as\(\s*[^,]+,\s*"[a-z]+",\s*"([a-z_]+)""#).unwrap();
        let mut n = 0;
        for c in re.captures_iter(src) {
            n += 1;
            assert!(
                VIOLATION_CODES.contains(&&c[1]),
                "{} is not in VIOLATION_CODES",
                &c[1]
            );
        }
        assert!(n > 30, "found only {n} coded violations");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(today: &str, limit: u32) -> RuleContext {
        RuleContext {
            today: parse_date(today).unwrap(),
            no_self_auth_age: limit,
        }
    }

    /// A child until the day of the `no_self_auth_age`th birthday, as the
    /// registry's date counts it (29 February birthdays move to 1 March in
    /// common years).
    #[test]
    fn a_child_until_the_birthday_that_reaches_the_limit() {
        let c = ctx("2026-06-15", 14);
        let born = |d: &str| parse_date(d).unwrap();
        assert!(is_child(born("2012-06-16"), &c), "13 until tomorrow");
        assert!(!is_child(born("2012-06-15"), &c), "14 today");
        assert!(!is_child(born("1980-01-01"), &c));
        assert!(is_child(born("2026-06-15"), &c), "born today");
        let leap = born("2012-02-29");
        assert!(is_child(leap, &ctx("2026-02-28", 14)));
        assert!(!is_child(leap, &ctx("2026-03-01", 14)));
        // The limit is the registry's setting, not a constant.
        assert!(!is_child(born("2012-06-16"), &ctx("2026-06-15", 13)));
        assert!(!is_child(born("2026-01-01"), &ctx("2026-06-15", 0)));
    }
}

/// Each section of a person request on its own.
#[cfg(test)]
mod section_tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> RuleContext {
        RuleContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            no_self_auth_age: 14,
        }
    }

    /// Run `f` on the section `person` of `body`; the (path, code) pairs found.
    fn on(body: Value, f: impl FnOnce(&mut Reader, Section<'_>)) -> Vec<(String, &'static str)> {
        let root = body.as_object().unwrap().clone();
        let p = root["person"].as_object().unwrap().clone();
        let c = ctx();
        let mut r = Reader { errs: vec![] };
        let q = Section {
            root: &root,
            p: &p,
            base: "$.person",
            ctx: &c,
            facts: &NoFacts,
        };
        f(&mut r, q);
        r.errs.into_iter().map(|v| (v.entry, v.code)).collect()
    }

    #[test]
    fn identity_reads_names_birth_date_and_gender() {
        let found = on(
            json!({"person": {"first_name": "Olena", "last_name": "", "birth_date": "2027-01-01", "gender": "F", "birth_country": "UA"}}),
            |r, q| {
                let (person, birth) = read_identity(r, q);
                assert_eq!(person.first_name, "Olena");
                assert_eq!(birth, NaiveDate::from_ymd_opt(2027, 1, 1));
            },
        );
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.contains(&"$.person.last_name"), "{found:?}");
        assert!(
            found.contains(&("$.person.birth_date".into(), "birth_date_future")),
            "{found:?}"
        );
        assert!(paths.contains(&"$.person.gender"), "{found:?}");
    }

    #[test]
    fn the_unzr_must_agree_with_the_birth_date() {
        let body = json!({"person": {"unzr": "19860413-12345", "no_tax_id": true}});
        let found = on(body, |r, q| {
            let mut person = PersonData {
                no_tax_id: true,
                ..Default::default()
            };
            read_tax_id_and_unzr(r, q, &mut person, NaiveDate::from_ymd_opt(1986, 4, 12));
        });
        assert_eq!(found, vec![("$.person.unzr".into(), "unzr_birth_date")]);
    }

    /// The rules on the documents as a whole read only the person and age.
    #[test]
    fn documents_as_a_whole() {
        let doc = |k: &str| Document {
            kind: k.into(),
            number: "1".into(),
            ..Default::default()
        };
        let check = |person: &PersonData, age: Option<i32>, child: bool| {
            let mut r = Reader { errs: vec![] };
            check_documents_and_tax_id(&mut r, person, age, child);
            r.errs.into_iter().map(|v| v.code).collect::<Vec<_>>()
        };
        let none = PersonData {
            no_tax_id: true,
            ..Default::default()
        };
        assert_eq!(check(&none, Some(30), false), vec!["documents_required"]);
        let both = PersonData {
            documents: vec![doc("PASSPORT"), doc("NATIONAL_ID")],
            ..none.clone()
        };
        assert_eq!(check(&both, Some(30), false), vec!["passport_and_id_card"]);
        let child = PersonData {
            documents: vec![doc("PASSPORT")],
            ..none.clone()
        };
        assert_eq!(
            check(&child, Some(10), true),
            vec!["child_birth_certificate"]
        );
        let no_tax = PersonData {
            documents: vec![doc("PASSPORT")],
            no_tax_id: false,
            ..Default::default()
        };
        assert_eq!(check(&no_tax, Some(30), false), vec!["tax_id_required"]);
        let child_no_tax = PersonData {
            documents: vec![doc("BIRTH_CERTIFICATE")],
            ..no_tax.clone()
        };
        assert_eq!(
            check(&child_no_tax, Some(10), true),
            Vec::<&str>::new(),
            "a child needs no tax id"
        );
    }

    #[test]
    fn an_update_carries_no_method_and_a_creation_exactly_one() {
        let update = on(
            json!({"person": {"authentication_methods": [{"type": "OTP"}]}}),
            |r, q| {
                read_authentication(
                    r,
                    q,
                    &mut PersonData::default(),
                    Some(&"p_1".to_string()),
                    false,
                )
            },
        );
        assert!(
            update.iter().any(|(_, c)| *c == "auth_with_update"),
            "{update:?}"
        );
        let create = on(json!({"person": {}}), |r, q| {
            read_authentication(r, q, &mut PersonData::default(), None, false)
        });
        assert_eq!(
            create,
            vec![("$.person.authentication_methods".into(), "auth_required")]
        );
        let child = on(
            json!({"person": {"authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]}}),
            |r, q| read_authentication(r, q, &mut PersonData::default(), None, true),
        );
        assert_eq!(
            child,
            vec![(
                "$.person.authentication_methods[0].type".into(),
                "child_third_person"
            )]
        );
    }
}
