//! Request signing in the spirit of seed 000's KSig1-HMAC-SHA256: an
//! HMAC-SHA256 over the method, the path, a timestamp and a hash of the
//! body. Pure functions; the hub and the sync client both use them.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const SCHEME: &str = "KSig1-HMAC-SHA256";
/// Requests older or newer than this many seconds are refused.
pub const WINDOW_SECONDS: i64 = 300;

/// The string that is signed. The nonce makes every request unique, so a
/// retry is a new request and a replay is recognisable.
pub fn canonical(method: &str, path: &str, timestamp: i64, nonce: &str, body: &[u8]) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path,
        timestamp,
        nonce,
        hex::encode(Sha256::digest(body))
    )
}

pub fn signature(
    secret: &str,
    method: &str,
    path: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(canonical(method, path, timestamp, nonce, body).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value, with a fresh random nonce.
pub fn authorization(
    key_id: &str,
    secret: &str,
    method: &str,
    path: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    let nonce = hex::encode(super::ids::secret_bytes::<12>());
    format!(
        "{SCHEME} KeyId={key_id}, Timestamp={timestamp}, Nonce={nonce}, Signature={}",
        signature(secret, method, path, timestamp, &nonce, body)
    )
}

/// The parts of an `Authorization` header.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub key_id: String,
    pub timestamp: i64,
    pub nonce: String,
    pub signature: String,
}

pub fn parse(header: &str) -> Option<Parsed> {
    let rest = header.strip_prefix(SCHEME)?.trim();
    let mut key_id = None;
    let mut ts = None;
    let mut sig = None;
    let mut nonce = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "KeyId" => key_id = Some(v.to_string()),
            "Timestamp" => ts = v.parse().ok(),
            "Signature" => sig = Some(v.to_string()),
            "Nonce" => nonce = Some(v.to_string()),
            _ => {}
        }
    }
    Some(Parsed {
        key_id: key_id?,
        timestamp: ts?,
        nonce: nonce?,
        signature: sig?,
    })
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Missing,
    Malformed,
    Stale,
    BadSignature,
}

/// Check a parsed header against the secret, the body and the clock.
pub fn verify(
    p: &Parsed,
    secret: &str,
    method: &str,
    path: &str,
    body: &[u8],
    now: i64,
) -> Result<(), Refusal> {
    if (now - p.timestamp).abs() > WINDOW_SECONDS {
        return Err(Refusal::Stale);
    }
    let given = hex::decode(&p.signature).map_err(|_| Refusal::Malformed)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(canonical(method, path, p.timestamp, &p.nonce, body).as_bytes());
    mac.verify_slice(&given).map_err(|_| Refusal::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let h = authorization("site-a", "s3cret", "POST", "/postIdentity", 1_000, b"{}");
        let p = parse(&h).unwrap();
        assert_eq!(p.key_id, "site-a");
        assert_eq!(
            verify(&p, "s3cret", "POST", "/postIdentity", b"{}", 1_100),
            Ok(())
        );
        assert_eq!(
            verify(&p, "other", "POST", "/postIdentity", b"{}", 1_100),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&p, "s3cret", "POST", "/postIdentity", b"{ }", 1_100),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&p, "s3cret", "GET", "/postIdentity", b"{}", 1_100),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&p, "s3cret", "POST", "/postIdentity", b"{}", 1_000 + 301),
            Err(Refusal::Stale)
        );
        assert!(parse("Bearer x").is_none());
        assert!(parse("KSig1-HMAC-SHA256 KeyId=a").is_none());
    }
}
