//! Valid example requests: used by the stress command, tests and benchmarks.

use crate::core::rules::make_tax_id;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// A tiny valid JPEG header (enough for the content check).
pub const TINY_JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0xFF, 0xD9,
];

/// A valid adult registration, varied by `i`.
pub fn adult_request(i: usize) -> Value {
    use base64::Engine;
    let bd = NaiveDate::from_ymd_opt(
        1960 + (i % 40) as i32,
        1 + (i % 12) as u32,
        1 + (i % 28) as u32,
    )
    .expect("valid date");
    let gender = if i.is_multiple_of(2) {
        "FEMALE"
    } else {
        "MALE"
    };
    json!({"person": {
        "first_name": format!("Olena{i}"),
        "last_name": "Kovalenko",
        "birth_date": bd.format("%Y-%m-%d").to_string(),
        "gender": gender,
        "tax_id": make_tax_id(bd, gender, i as u32),
        "phones": [{"type": "MOBILE", "number": format!("+380{:09}", 501_000_000 + i % 1_000_000)}],
        "documents": [
            {"type": "PASSPORT", "number": format!("АА{:06}", i % 1_000_000), "issued_by": "Kyiv RVU", "issued_at": "2015-05-05",
             "scans": [{"file_name": "page1.jpg", "content_base64": base64::engine::general_purpose::STANDARD.encode(TINY_JPEG)}]},
            {"type": "TEMPORARY_PASSPORT", "number": format!("TP{i}"), "issued_by": "DMS", "issued_at": "2020-01-01", "expiration_date": "2099-01-01"}
        ],
        "addresses": [{"type": "RESIDENCE", "settlement": "Kyiv", "country": "UA", "street": "Khreshchatyk", "house_number": "1"}],
        "authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]
    }})
}
