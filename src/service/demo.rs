//! Valid example requests: used by the stress command, tests and benchmarks.

use crate::core::rules::make_tax_id;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// A small real JPEG page (scans are decoded, not only sniffed).
pub static TINY_JPEG: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let img = image::RgbImage::from_pixel(32, 40, image::Rgb([200, 200, 190]));
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Jpeg,
    )
    .expect("a JPEG encodes in memory");
    out
});

/// A small real PNG page.
pub static TINY_PNG: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let img = image::RgbaImage::from_pixel(40, 56, image::Rgba([30, 90, 170, 255]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("a PNG encodes in memory");
    out
});

/// Family names for the examples (one family name per 20 persons).
const SURNAMES: &[&str] = &[
    "Kovalenko",
    "Shevchenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Oliinyk",
    "Lysenko",
    "Savchuk",
    "Rudenko",
    "Melnyk",
    "Boiko",
    "Kovalchuk",
    "Marchenko",
    "Moroz",
    "Petrenko",
    "Klymenko",
    "Pavlenko",
    "Savchenko",
    "Levchenko",
    "Ivanenko",
];

const STREETS: &[&str] = &[
    "Khreshchatyk",
    "Sahaidachnoho",
    "Velyka Vasylkivska",
    "Lesi Ukrainky",
    "Antonovycha",
    "Zhylianska",
    "Saksahanskoho",
    "Tarasivska",
    "Kostiantynivska",
    "Dniprovska",
];

/// Six digits that differ in most places for neighbouring `i` (document
/// numbers issued in sequence look like one family's to a matcher).
fn scatter(i: usize) -> usize {
    (i * 482_711 + 90_121) % 1_000_000
}

/// `i` written in letters (names take no digits): 0 → "a", 26 → "ba".
pub fn letters(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A valid adult registration, varied by `i`.
pub fn adult_request(i: usize) -> Value {
    use base64::Engine;
    // A different birth date for each of the first 19,000 (7,919 is prime
    // to 19,000), between 1950 and 2002: adults, never a sibling's date.
    let bd = NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date")
        + chrono::Days::new(((i * 7_919) % 19_000) as u64);
    let gender = if i.is_multiple_of(2) {
        "FEMALE"
    } else {
        "MALE"
    };
    json!({"person": {
        "first_name": format!("Olena{}", letters(i)),
        "last_name": SURNAMES[i % SURNAMES.len()],
        "birth_date": bd.format("%Y-%m-%d").to_string(),
        "gender": gender,
        "birth_country": "UA",
        "tax_id": make_tax_id(bd, gender, i as u32),
        "phones": [{"type": "MOBILE", "number": format!("+380{:09}", 501_000_000 + i % 1_000_000)}],
        "documents": [
            {"type": "PASSPORT", "number": format!("АА{:06}", scatter(i)), "issued_by": "Kyiv RVU", "issued_at": "2015-05-05",
             "scans": [{"file_name": "page1.jpg", "content_base64": base64::engine::general_purpose::STANDARD.encode(&*TINY_JPEG)}]},
            {"type": "TEMPORARY_PASSPORT", "number": format!("TP{:06}", scatter(i + 500_000)), "issued_by": "DMS", "issued_at": "2020-01-01", "expiration_date": "2099-01-01"}
        ],
        "addresses": [{"type": "RESIDENCE", "settlement": "Kyiv", "country": "UA", "street": STREETS[(i / SURNAMES.len()) % STREETS.len()], "house_number": (i % 97 + 1).to_string()}],
        "authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]
    }})
}
