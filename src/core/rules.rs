//! Closed lists and patterns shared by validation, the GUI hints and the store.
//!
//! One place to add a type: extend the list here and every shell follows.

use regex::Regex;
use std::sync::LazyLock;

/// Seed 000's PERSON_ISSUED_IDENTIFIER_TYPES.
pub const ISSUED_IDENTIFIER_TYPES: &[&str] = &[
    "MEDICAL_LICENSE",
    "NPI",
    "DEA",
    "STATE_LICENSE",
    "DRIVER_LICENSE",
    "PASSPORT_NUMBER",
    "TAX_ID",
    "MILITARY_ID",
];

/// Seed 002's person document types.
pub const PERSON_DOCUMENT_TYPES: &[&str] = &[
    "PASSPORT",
    "NATIONAL_ID",
    "BIRTH_CERTIFICATE",
    "COMPLEMENTARY_PROTECTION_CERTIFICATE",
    "REFUGEE_CERTIFICATE",
    "TEMPORARY_CERTIFICATE",
    "TEMPORARY_PASSPORT",
    "PERMANENT_RESIDENCE_PERMIT",
    "BIRTH_CERTIFICATE_FOREIGN",
];

/// Documents that prove a confidant relationship.
pub const RELATIONSHIP_DOCUMENT_TYPES: &[&str] = &[
    "BIRTH_CERTIFICATE",
    "BIRTH_CERTIFICATE_FOREIGN",
    "CONFIDANT_CERTIFICATE",
    "COURT_DECISION",
    // eHealth's registry also accepts a generic relationship document.
    "DOCUMENT",
];

/// Document types whose expiration_date is mandatory (seed 002).
pub const EXPIRATION_MANDATORY: &[&str] = &[
    "NATIONAL_ID",
    "COMPLEMENTARY_PROTECTION_CERTIFICATE",
    "PERMANENT_RESIDENCE_PERMIT",
    "REFUGEE_CERTIFICATE",
    "TEMPORARY_CERTIFICATE",
    "TEMPORARY_PASSPORT",
];

pub const GENDERS: &[&str] = &["MALE", "FEMALE"];
pub const PHONE_TYPES: &[&str] = &["MOBILE", "LAND_LINE"];
pub const ADDRESS_TYPES: &[&str] = &["REGISTRATION", "RESIDENCE"];
pub const AUTH_METHOD_TYPES: &[&str] = &["OTP", "OFFLINE", "THIRD_PERSON", "NA"];
pub const RELATION_TYPES: &[&str] = &["PRIMARY", "SECONDARY"];

/// Document numbers must be shorter than this (seed 002: "maxLength < 25").
pub const DOCUMENT_NUMBER_MAX: usize = 24;
/// Longest accepted free-text field (names, places, ...).
pub const TEXT_MAX: usize = 255;
/// Largest scanned page (seed 002: "no more than 10MB").
pub const SCAN_MAX_BYTES: usize = 10 * 1024 * 1024;

pub const TAX_ID_PATTERN: &str = "^[0-9]{10}$";
pub const PHONE_PATTERN: &str = r"^\+38[0-9]{10}$";
pub const UNZR_PATTERN: &str = "^[0-9]{8}-[0-9]{5}$";
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";

// Seed 002's patterns use a negative look-ahead that Rust's regex lacks; the
// class subtraction `--` says the same thing ("a letter of this set but not
// these"). The seed text is kept alongside for the messages.
const CYR2_DIGITS6: &str = "^[А-ЯҐЇІЄ--[ЫЪЭЁ]]{2}[0-9]{6}$";
// The excluded punctuation of the seed is not in the class to begin with.
const FREE_NUMBER: &str = r"^[A-ZА-ЯҐЇІЄ0-9№/()\-&&[^ЫЪЭЁ]]{2,25}$";
const TEMP_CERT: &str =
    "^([А-ЯҐЇІЄ--[ЫЪЭЁ]]{2}[0-9]{4,6}|[0-9]{9}|[А-ЯҐЇІЄ--[ЫЪЭЁ]]{2}[0-9]{5}/[0-9]{5})$";

/// The seed's own spelling of each document number pattern, for messages and hints.
pub fn document_pattern_text(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "PASSPORT" | "COMPLEMENTARY_PROTECTION_CERTIFICATE" | "REFUGEE_CERTIFICATE" => {
            "^((?![ЫЪЭЁ])([А-ЯҐЇІЄ])){2}[0-9]{6}$"
        }
        "NATIONAL_ID" => "^[0-9]{9}$",
        "BIRTH_CERTIFICATE"
        | "TEMPORARY_PASSPORT"
        | "PERMANENT_RESIDENCE_PERMIT"
        | "BIRTH_CERTIFICATE_FOREIGN"
        | "CONFIDANT_CERTIFICATE"
        | "COURT_DECISION" => "^((?![ЫЪЭЁыъэё@%&$^#`~:,.*|}{?!])[A-ZА-ЯҐЇІЄ0-9№\\/()-]){2,25}$",
        "TEMPORARY_CERTIFICATE" => {
            "^(((?![ЫЪЭЁ])([А-ЯҐЇІЄ])){2}[0-9]{4,6}|[0-9]{9}|((?![ЫЪЭЁ])([А-ЯҐЇІЄ])){2}[0-9]{5}\\/[0-9]{5})$"
        }
        _ => return None,
    })
}

/// The family of number formats a document type belongs to, as a stable
/// name the screens turn into words (`docfmt-<name>` in `assets/i18n`).
pub fn document_format(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "PASSPORT" | "COMPLEMENTARY_PROTECTION_CERTIFICATE" | "REFUGEE_CERTIFICATE" => {
            "cyrillic-pair-six-digits"
        }
        "NATIONAL_ID" => "nine-digits",
        "TEMPORARY_CERTIFICATE" => "temporary-certificate",
        "BIRTH_CERTIFICATE"
        | "TEMPORARY_PASSPORT"
        | "PERMANENT_RESIDENCE_PERMIT"
        | "BIRTH_CERTIFICATE_FOREIGN"
        | "CONFIDANT_CERTIFICATE"
        | "COURT_DECISION" => "free-number",
        _ => return None,
    })
}

static DOC_REGEXES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let mk = |p: &str| Regex::new(p).expect("document pattern compiles");
    vec![
        ("PASSPORT", mk(CYR2_DIGITS6)),
        ("COMPLEMENTARY_PROTECTION_CERTIFICATE", mk(CYR2_DIGITS6)),
        ("REFUGEE_CERTIFICATE", mk(CYR2_DIGITS6)),
        ("NATIONAL_ID", mk("^[0-9]{9}$")),
        ("BIRTH_CERTIFICATE", mk(FREE_NUMBER)),
        ("TEMPORARY_PASSPORT", mk(FREE_NUMBER)),
        ("PERMANENT_RESIDENCE_PERMIT", mk(FREE_NUMBER)),
        ("BIRTH_CERTIFICATE_FOREIGN", mk(FREE_NUMBER)),
        ("CONFIDANT_CERTIFICATE", mk(FREE_NUMBER)),
        ("COURT_DECISION", mk(FREE_NUMBER)),
        ("TEMPORARY_CERTIFICATE", mk(TEMP_CERT)),
    ]
});

/// Does `number` match the pattern of document type `kind`? `None` for unknown types.
pub fn document_number_matches(kind: &str, number: &str) -> Option<bool> {
    DOC_REGEXES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, re)| re.is_match(number))
}

macro_rules! lazy_re {
    ($name:ident, $pat:expr) => {
        pub static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pat).expect("pattern compiles"));
    };
}
lazy_re!(TAX_ID_RE, TAX_ID_PATTERN);
lazy_re!(PHONE_RE, PHONE_PATTERN);
lazy_re!(UNZR_RE, UNZR_PATTERN);
lazy_re!(EMAIL_RE, EMAIL_PATTERN);

/// What seed 002's `GetBirthDateFromTaxId`, `GetGenderFromTaxId` and
/// `CheckValidity` find in a 10-digit Ukrainian tax id (RNOKPP).
#[derive(Debug, Clone, PartialEq)]
pub struct TaxIdFacts {
    pub birth_date: Option<chrono::NaiveDate>,
    pub gender: &'static str,
    pub checksum_ok: bool,
}

/// Decode a tax id: digits 1–5 count days from 1899-12-31, digit 9 is odd for
/// men, and digit 10 is a weighted checksum.
pub fn tax_id_facts(tax_id: &str) -> Option<TaxIdFacts> {
    if !TAX_ID_RE.is_match(tax_id) {
        return None;
    }
    let d: Vec<i64> = tax_id.bytes().map(|b| i64::from(b - b'0')).collect();
    let days: i64 = tax_id[..5].parse().ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 31)?;
    let birth_date = epoch.checked_add_signed(chrono::Duration::days(days));
    let weights = [-1, 5, 7, 9, 4, 6, 10, 5, 7];
    let sum: i64 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
    let check = (sum.rem_euclid(11)) % 10;
    Some(TaxIdFacts {
        birth_date,
        gender: if d[8] % 2 == 1 { "MALE" } else { "FEMALE" },
        checksum_ok: check == d[9],
    })
}

/// Build a valid tax id for a birth date and gender (tests, generator, demo data).
pub fn make_tax_id(birth_date: chrono::NaiveDate, gender: &str, serial: u32) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 31).expect("valid epoch");
    let days = (birth_date - epoch).num_days().clamp(0, 99_999);
    let mut g = serial % 10;
    let want_odd = gender == "MALE";
    if (g % 2 == 1) != want_odd {
        g = (g + 1) % 10;
    }
    let head = format!("{days:05}{:03}{g}", (serial / 10) % 1000);
    let d: Vec<i64> = head.bytes().map(|b| i64::from(b - b'0')).collect();
    let weights = [-1, 5, 7, 9, 4, 6, 10, 5, 7];
    let sum: i64 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
    format!("{head}{}", sum.rem_euclid(11) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn document_patterns() {
        assert_eq!(document_number_matches("PASSPORT", "АА123456"), Some(true));
        assert_eq!(document_number_matches("PASSPORT", "ЫА123456"), Some(false));
        assert_eq!(document_number_matches("PASSPORT", "ЁА123456"), Some(false));
        assert_eq!(
            document_number_matches("PASSPORT", "AA123456"),
            Some(false),
            "Latin A"
        );
        assert_eq!(document_number_matches("PASSPORT", "АА12345"), Some(false));
        assert_eq!(
            document_number_matches("NATIONAL_ID", "123456789"),
            Some(true)
        );
        assert_eq!(
            document_number_matches("NATIONAL_ID", "12345678"),
            Some(false)
        );
        assert_eq!(
            document_number_matches("BIRTH_CERTIFICATE", "І-БК 123456"),
            Some(false)
        );
        assert_eq!(
            document_number_matches("BIRTH_CERTIFICATE", "І-БК№123456"),
            Some(true)
        );
        assert_eq!(
            document_number_matches("BIRTH_CERTIFICATE", "AB/12(3)"),
            Some(true)
        );
        assert_eq!(
            document_number_matches("BIRTH_CERTIFICATE", "ЭЮ1234"),
            Some(false)
        );
        assert_eq!(
            document_number_matches("BIRTH_CERTIFICATE", "AB:12"),
            Some(false)
        );
        assert_eq!(
            document_number_matches("TEMPORARY_CERTIFICATE", "ЖК1234"),
            Some(true)
        );
        assert_eq!(
            document_number_matches("TEMPORARY_CERTIFICATE", "ЖК12345/12345"),
            Some(true)
        );
        assert_eq!(
            document_number_matches("TEMPORARY_CERTIFICATE", "123456789"),
            Some(true)
        );
        assert_eq!(
            document_number_matches("TEMPORARY_CERTIFICATE", "ЖК123"),
            Some(false)
        );
        assert_eq!(document_number_matches("UNKNOWN", "x"), None);
        for k in PERSON_DOCUMENT_TYPES {
            assert!(document_pattern_text(k).is_some(), "{k} has a pattern");
            assert!(document_number_matches(k, "x").is_some(), "{k} has a regex");
        }
    }

    #[test]
    fn tax_id_roundtrip() {
        let bd = NaiveDate::from_ymd_opt(1985, 4, 12).unwrap();
        for serial in [0, 7, 1234, 99_999] {
            let m = make_tax_id(bd, "MALE", serial);
            let f = tax_id_facts(&m).unwrap();
            assert_eq!(f.birth_date, Some(bd));
            assert_eq!(f.gender, "MALE");
            assert!(f.checksum_ok, "{m}");
            let w = make_tax_id(bd, "FEMALE", serial);
            assert_eq!(tax_id_facts(&w).unwrap().gender, "FEMALE");
        }
        let mut bad = make_tax_id(bd, "MALE", 5).into_bytes();
        bad[9] = if bad[9] == b'9' { b'0' } else { bad[9] + 1 };
        assert!(
            !tax_id_facts(std::str::from_utf8(&bad).unwrap())
                .unwrap()
                .checksum_ok
        );
        assert!(tax_id_facts("12345").is_none());
        // Day 1 is 1900-01-01.
        assert_eq!(
            tax_id_facts("0000100000").unwrap().birth_date,
            NaiveDate::from_ymd_opt(1900, 1, 1)
        );
    }
}
