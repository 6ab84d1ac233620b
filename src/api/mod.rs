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
        ("POST", ["postIdentity"]) => match parse_body(body) {
            Ok(v) => match reg.post_identity(actor, &v) {
                Ok((status, body)) => Ok(ApiResponse::new(status, body)),
                Err(e) => {
                    let mut r = error_response(&e);
                    let msg = r.body["error"]["message"].as_str().unwrap_or("").to_string();
                    r.body = json!({"success": false, "message": msg, "content": null,
                                    "trackingId": v.get("trackingId").cloned().unwrap_or(Value::Null),
                                    "auditId": null, "retryableError": r.status >= 500});
                    Ok(r)
                }
            },
            Err(r) => Ok(ApiResponse::new(400, json!({"success": false, "message": r.body["error"]["message"], "content": null, "retryableError": false}))),
        },
        ("POST", ["auth", "login"]) => login(reg, body),
        ("GET", ["api", "outbox"]) => {
            let limit = query_param(&query, "limit").and_then(|v| v.parse().ok()).unwrap_or(200);
            crate::service::outbox::list(&reg.store.conn, false, limit)
                .map(|rows| ApiResponse::new(200, json!({"items": rows})))
                .map_err(|e| error_response(&e))
        }
        ("GET", ["api", "stats"]) => reg
            .stats()
            .map(|s| ApiResponse::new(200, json!(s)))
            .map_err(|e| error_response(&e)),
        ("GET", ["api", "scans", id]) => reg
            .scan(id)
            .map(|(mt, bytes)| {
                use base64::Engine;
                ApiResponse::new(200, json!({"media_type": mt, "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes)}))
            })
            .map_err(|e| error_response(&e)),
        ("GET", ["api", "settings", key]) => reg
            .configure_as(actor, key, None)
            .map(|v| ApiResponse::new(200, json!({"key": key, "value": v})))
            .map_err(|e| error_response(&e)),
        ("PUT", ["api", "settings", key]) => parse_body(body).and_then(|v| {
            let value = match v.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            reg.configure_as(actor, key, Some(&value))
                .map(|v| ApiResponse::new(200, json!({"key": key, "value": v})))
                .map_err(|e| error_response(&e))
        }),
        ("GET", ["api", "search"]) => {
            let num = |k: &str, d: i64| query_param(&query, k).and_then(|v| v.parse().ok()).unwrap_or(d);
            reg.search(query_param(&query, "q").unwrap_or(""), num("offset", 0), num("limit", 100))
                .map(|(items, total)| ApiResponse::new(200, json!({"total": total, "items": items})))
                .map_err(|e| error_response(&e))
        }
        ("POST", ["api", "person_requests", "validate"]) => parse_body(body).and_then(|v| {
            reg.check_person_request(&v)
                .map(|ok| ApiResponse::new(200, json!({"valid": true, "uploads": uploads_json(&ok.uploads)})))
                .map_err(|v| ApiResponse::new(422, validation_body(&v)))
        }),
        ("POST", ["people", "candidates"]) => parse_body(body).and_then(|v| {
            let limit = query_param(&query, "limit").and_then(|v| v.parse().ok()).unwrap_or(5);
            let result = match v.get("person") {
                Some(p) => {
                    let data: crate::core::model::PersonData = serde_json::from_value(p.clone())
                        .map_err(|e| bad_request(&format!("person: {e}")))?;
                    reg.candidates_for_person(&data, limit)
                }
                None => reg.candidates_for(v.get("sorAttributes").unwrap_or(&v), limit),
            };
            result
                .map(|c| ApiResponse::new(200, json!({"candidates": c.iter().map(|c| { let mut j = c.to_json(); j["personId"] = json!(c.person_id); j }).collect::<Vec<_>>()})))
                .map_err(|e| error_response(&e))
        }),
        ("GET", ["generic", "persons"]) => {
            let num = |k: &str, d: i64| query_param(&query, k).and_then(|v| v.parse().ok()).unwrap_or(d);
            reg.list_persons(num("offset", 0), num("limit", 50), query_param(&query, "code"))
                .map(|page| {
                    let items: Vec<Value> = page.items.iter().map(|(p, w)| views::generic_person_json(p, w)).collect();
                    ApiResponse::new(200, json!({"offset": page.offset, "count": items.len(), "hasMore": page.has_more,
                                                 "limit": page.limit, "items": items}))
                })
                .map_err(|e| error_response(&e))
        }
        ("POST", ["generic", "persons"]) => parse_body(body).and_then(|v| {
            reg.create_generic(actor, &v)
                .map(|o| ApiResponse::new(201, json!({"data": views::generic_person_json(&o.person, &[]), "uploads": uploads_json(&o.uploads)})))
                .map_err(|e| error_response(&e))
        }),
        ("GET", ["generic", "persons", "workingcopies"]) => reg
            .working_copies(actor)
            .map(|items| ApiResponse::new(200, json!({"count": items.len(), "items": items})))
            .map_err(|e| error_response(&e)),
        ("POST", ["generic", "persons", "workingcopies", id, "approve"]) | ("POST", ["generic", "persons", id, "approve"]) => reg
            .approve(actor, id)
            .map(|p| ApiResponse::new(200, json!({"data": views::generic_person_json(&p, &[])})))
            .map_err(|e| error_response(&e)),
        ("POST", ["generic", "persons", "workingcopies", id, "reject"]) | ("POST", ["generic", "persons", id, "reject"]) => {
            parse_body(body).and_then(|v| {
                let reason = v.get("reason").and_then(Value::as_str).unwrap_or("");
                reg.reject(actor, id, reason)
                    .map(|()| ApiResponse::new(200, json!({"rejected": id, "reason": reason})))
                    .map_err(|e| error_response(&e))
            })
        }
        ("GET", ["generic", "persons", id, "history"]) => reg
            .history(id)
            .map(|h| ApiResponse::new(200, json!({"items": h})))
            .map_err(|e| error_response(&e)),
        ("GET", ["generic", "persons", id]) => reg
            .get_person(id)
            .and_then(|p| {
                let wcs = if p.status == crate::core::model::PersonStatus::Active {
                    reg.list_persons(0, 1, Some(&p.reference_id)).map(|pg| pg.items.into_iter().next().map(|(_, w)| w).unwrap_or_default())?
                } else {
                    vec![]
                };
                Ok(ApiResponse::new(200, views::generic_person_json(&p, &wcs)))
            })
            .map_err(|e| error_response(&e)),
        ("PUT", ["generic", "persons", id]) | ("PATCH", ["generic", "persons", id]) => parse_body(body).and_then(|v| {
            use crate::service::persons::UpdateOutcome;
            match reg.update_generic(actor, id, &v, method == "PATCH") {
                Ok(UpdateOutcome::Applied(p)) => Ok(ApiResponse::new(200, views::generic_person_json(&p, &[]))),
                Ok(UpdateOutcome::WorkingCopy(w)) => Ok(ApiResponse::new(202, views::generic_person_json(&w, &[]))),
                Err(e) => Err(error_response(&e)),
            }
        }),
        ("DELETE", ["generic", "persons", id]) => {
            Err(error_response(&reg.delete_generic(actor, id).err().unwrap_or(ServiceError::Conflict("not deleted".into()))))
        }
        ("GET", ["audit"]) => {
            let limit = query_param(&query, "limit").and_then(|v| v.parse().ok()).unwrap_or(1000);
            reg.audit_trail(query_param(&query, "person"), limit)
                .map(|rows| ApiResponse::new(200, json!({"items": rows})))
                .map_err(|e| error_response(&e))
        }
        ("GET", ["users"]) => reg
            .users()
            .map(|u| ApiResponse::new(200, json!({"items": u})))
            .map_err(|e| error_response(&e)),
        ("POST", ["users"]) => parse_body(body).and_then(|v| {
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let role = crate::service::Role::parse(&s("role"))
                .ok_or_else(|| error_response(&ServiceError::BadRequest("role: must be admin, reviewer or receptionist".into())))?;
            reg.add_user(Some(actor), &s("name"), role, &s("password"))
                .map(|()| ApiResponse::new(201, json!({"name": s("name"), "role": role.as_str()})))
                .map_err(|e| error_response(&e))
        }),
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

fn uploads_json(uploads: &[String]) -> Vec<Value> {
    uploads.iter().map(|t| json!({"type": t})).collect()
}

fn login(reg: &mut Registry, body: &[u8]) -> Result<ApiResponse, ApiResponse> {
    let v = parse_body(body)?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    reg.authenticate(&s("name"), &s("password"))
        .map(|a| ApiResponse::new(200, json!({"name": a.name, "role": a.role.as_str()})))
        .map_err(|e| error_response(&e))
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
    let uploads = uploads_json(&outcome.uploads);
    Ok(ApiResponse::new(
        if outcome.created {
            201
        } else if outcome.working_copy {
            202
        } else {
            200
        },
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
