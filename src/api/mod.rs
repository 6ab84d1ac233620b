//! The JSON request router: `(method, path, body) -> (status, JSON)`.
//!
//! The CLI's `registrar api`, the hub's HTTP server and the tests all mount
//! this one function, so every rule has exactly one implementation.

mod views;

use crate::core::ids;
use crate::core::validate::Violation;
use crate::service::idmatch::ReferenceOutcome;
use crate::service::{Actor, Registry, ServiceError};
use serde_json::{Value, json};

/// Seed 000's API version string.
pub const API_VERSION: &str = "2025-03-24";

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Value,
}

impl ApiResponse {
    pub fn new(status: u16, body: Value) -> Self {
        ApiResponse { status, body }
    }
}

/// Split `/a/b?x=1&y=2` into segments and query pairs.
fn split_path(path: &str) -> (Vec<&str>, Vec<(String, String)>) {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs = p.split('/').filter(|s| !s.is_empty()).collect();
    let query = q
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.replace("%20", " ").replace('+', " "))
        })
        .collect();
    (segs, query)
}

fn parse_body(body: &[u8]) -> Result<Value, ApiResponse> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad_request(
            "request body is empty; a JSON object is required",
        ));
    }
    serde_json::from_slice(body).map_err(|e| bad_request(&format!("malformed JSON: {e}")))
}

pub fn bad_request(message: &str) -> ApiResponse {
    ApiResponse::new(
        400,
        json!({"error": {"type": "bad_request", "message": message}}),
    )
}

fn not_found_route(method: &str, path: &str) -> ApiResponse {
    ApiResponse::new(
        404,
        json!({"error": {"type": "not_found", "message": format!("no route for {method} {path}")}}),
    )
}

/// Group violations by path, in seed 002's 422 shape.
pub fn validation_body(violations: &[Violation]) -> Value {
    let mut invalid: Vec<Value> = Vec::new();
    for v in violations {
        let rule = json!({"rule": v.rule, "description": v.description});
        if let Some(entry) = invalid.iter_mut().find(|e| e["entry"] == v.entry.as_str()) {
            entry["rules"]
                .as_array_mut()
                .expect("rules array")
                .push(rule);
        } else {
            invalid.push(
                json!({"entry": v.entry, "entry_type": "json_data_property", "rules": [rule]}),
            );
        }
    }
    json!({"error": {"type": "validation_failed", "message": "Validation failed", "invalid": invalid}})
}

/// Map a service error to a generic (non seed-000) response.
pub fn error_response(e: &ServiceError) -> ApiResponse {
    match e {
        ServiceError::Validation(v) => ApiResponse::new(422, validation_body(v)),
        ServiceError::BadRequest(m) => bad_request(m),
        ServiceError::NotFound { entity, id } => ApiResponse::new(
            404,
            json!({"error": {"type": "not_found", "entity_type": entity, "message": format!("{entity} {id} not found")}}),
        ),
        ServiceError::Conflict(m) => {
            ApiResponse::new(409, json!({"error": {"type": "conflict", "message": m}}))
        }
        ServiceError::RuleViolation {
            entity_type,
            sub_code,
            message,
        } => ApiResponse::new(
            400,
            json!({"error": {"code": "SYSTEM_RULE_VIOLATION", "entity_type": entity_type, "sub_code": sub_code, "message": message}}),
        ),
        ServiceError::Coded {
            status,
            code,
            severity,
            message,
        } => ApiResponse::new(
            *status,
            json!({"error": {"code": code, "severity": severity, "message": message}}),
        ),
        ServiceError::Unauthorized(m) => ApiResponse::new(
            401,
            json!({"error": {"type": "unauthorized", "message": m}}),
        ),
        ServiceError::Forbidden(m) => {
            ApiResponse::new(403, json!({"error": {"type": "forbidden", "message": m}}))
        }
        ServiceError::Store(err) => ApiResponse::new(
            500,
            json!({"error": {"type": "internal", "message": format!("database error: {err}")}}),
        ),
    }
}

/// The router. `actor` is the authenticated caller; shells authenticate.
pub fn handle(
    reg: &mut Registry,
    actor: &Actor,
    method: &str,
    path: &str,
    body: &[u8],
) -> ApiResponse {
    let (segs, query) = split_path(path);
    let method = method.to_ascii_uppercase();
    let result = match (method.as_str(), segs.as_slice()) {
        ("POST", ["api", "person_requests"]) => person_requests(reg, actor, body),
        ("GET", ["api", "persons", id]) => reg
            .get_person(id)
            .map(|p| ApiResponse::new(200, json!({"data": views::person_json(&p)})))
            .map_err(|e| error_response(&e)),
        ("POST", ["person.issuedIdentifier.create"]) => {
            Ok(issued_identifier_create(reg, actor, body))
        }
        ("POST", ["people"]) => Ok(people(reg, actor, body)),
        ("GET", ["people", "pending"]) => {
            let limit = query_param(&query, "limit")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100);
            reg.pending(limit)
                .map(|rows| ApiResponse::new(200, json!({"pending": rows})))
                .map_err(|e| error_response(&e))
        }
        ("POST", ["people", "pending", id]) => Ok(resolve_pending(reg, actor, id, body)),
        _ => Err(not_found_route(&method, path)),
    };
    result.unwrap_or_else(|e| e)
}

fn query_param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Seed 001's response bodies.
fn id_match_response(out: Result<ReferenceOutcome, ServiceError>) -> ApiResponse {
    let reference = |status, rid: String| {
        ApiResponse::new(
            status,
            json!({"responseType": "referenceId", "version": "1.0", "referenceId": rid}),
        )
    };
    match out {
        Ok(ReferenceOutcome::Existing(rid)) => reference(200, rid),
        Ok(ReferenceOutcome::Created(rid)) => reference(201, rid),
        Ok(ReferenceOutcome::Candidates(c)) => ApiResponse::new(
            300,
            json!({"responseType": "candidates", "version": "1.0",
                   "candidates": c.iter().map(|c| c.to_json()).collect::<Vec<_>>()}),
        ),
        Ok(ReferenceOutcome::Queued(id)) => ApiResponse::new(
            202,
            json!({"responseType": "accepted", "version": "1.0", "pendingId": id}),
        ),
        Err(ServiceError::BadRequest(m)) => ApiResponse::new(
            400,
            json!({"responseType": "error", "version": "1.0", "error": {"type": "bad_request", "message": m}}),
        ),
        Err(e) => error_response(&e),
    }
}

fn people(reg: &mut Registry, actor: &Actor, body: &[u8]) -> ApiResponse {
    match parse_body(body) {
        Ok(v) => id_match_response(reg.reference_request(actor, &v)),
        Err(r) => id_match_response(Err(ServiceError::BadRequest(
            r.body["error"]["message"]
                .as_str()
                .unwrap_or("malformed JSON")
                .to_string(),
        ))),
    }
}

fn resolve_pending(reg: &mut Registry, actor: &Actor, id: &str, body: &[u8]) -> ApiResponse {
    let Ok(id) = id.parse::<i64>() else {
        return bad_request("pending id must be a number");
    };
    let value = match parse_body(body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(choice) = value.get("referenceId").and_then(Value::as_str) else {
        return id_match_response(Err(ServiceError::BadRequest(
            "referenceId: is required (a reference id or \"new\")".into(),
        )));
    };
    id_match_response(reg.resolve_pending(actor, id, choice))
}

fn person_requests(
    reg: &mut Registry,
    actor: &Actor,
    body: &[u8],
) -> Result<ApiResponse, ApiResponse> {
    let value = parse_body(body)?;
    let outcome = reg
        .person_request(actor, &value)
        .map_err(|e| error_response(&e))?;
    let uploads: Vec<Value> = outcome.uploads.iter().map(|t| json!({"type": t})).collect();
    Ok(ApiResponse::new(
        if outcome.created { 201 } else { 200 },
        json!({"data": views::person_json(&outcome.person), "uploads": uploads}),
    ))
}

/// Seed 000's envelope.
fn envelope(status: &str, trace_id: &str, data: Value) -> Value {
    json!({"meta": {"status": status, "trace_id": trace_id, "version": API_VERSION}, "data": data})
}

fn seed000_error(trace_id: &str, code: &str, message: &str, extra: Value) -> ApiResponse {
    let mut error = json!({"code": code, "message": message});
    if let (Some(e), Some(x)) = (error.as_object_mut(), extra.as_object()) {
        e.extend(x.clone());
    }
    ApiResponse::new(
        400,
        json!({"meta": {"status": "FAILURE", "trace_id": trace_id, "version": API_VERSION}, "error": error}),
    )
}

fn issued_identifier_create(reg: &mut Registry, actor: &Actor, body: &[u8]) -> ApiResponse {
    let trace = ids::trace_id();
    let value = match parse_body(body) {
        Ok(v) => v,
        Err(r) => {
            let msg = r.body["error"]["message"]
                .as_str()
                .unwrap_or("malformed request")
                .to_string();
            return seed000_error(&trace, "BAD_REQUEST", &msg, json!({}));
        }
    };
    let person_id = value
        .get("person_id")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let ii = value.get("issued_identifier").and_then(Value::as_object);
    let kind = ii
        .and_then(|o| o.get("type"))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let number = ii
        .and_then(|o| o.get("issued_number"))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let mut missing = Vec::new();
    if person_id.is_none() {
        missing.push("person_id");
    }
    if kind.is_none() {
        missing.push("issued_identifier.type");
    }
    if number.is_none() {
        missing.push("issued_identifier.issued_number");
    }
    if !missing.is_empty() {
        return seed000_error(
            &trace,
            "BAD_REQUEST",
            &format!("Required parameters not provided: {}", missing.join(", ")),
            json!({"fields": missing}),
        );
    }
    let (person_id, kind, number) = (
        person_id.unwrap_or_default(),
        kind.unwrap_or_default(),
        number.unwrap_or_default(),
    );
    if number.chars().count() > 64 {
        return seed000_error(
            &trace,
            "BAD_REQUEST",
            "issued_identifier.issued_number is longer than 64 characters",
            json!({"fields": ["issued_identifier.issued_number"]}),
        );
    }
    match reg.create_issued_identifier(actor, person_id, kind, number) {
        Ok(id) => ApiResponse::new(
            200,
            envelope(
                "SUCCESS",
                &trace,
                json!({"issued_identifier": {"issued_identifier_id": id}}),
            ),
        ),
        Err(ServiceError::NotFound { .. }) => seed000_error(
            &trace,
            "ENTITY_NOT_FOUND",
            "The person_id provided does not exist.",
            json!({"entity_type": "Person", "person_id": person_id}),
        ),
        Err(ServiceError::RuleViolation {
            entity_type,
            sub_code,
            message,
        }) => seed000_error(
            &trace,
            "SYSTEM_RULE_VIOLATION",
            &message,
            json!({"entity_type": entity_type, "sub_code": sub_code}),
        ),
        Err(e) => {
            let mut r = error_response(&e);
            r.body["meta"] =
                json!({"status": "FAILURE", "trace_id": trace, "version": API_VERSION});
            r
        }
    }
}
