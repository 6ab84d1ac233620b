//! The JSON request router: `(method, path, body) -> (status, JSON)`.
//!
//! The CLI's `registrar api`, the hub's HTTP server and the tests all mount
//! this one function, so every rule has exactly one implementation.

pub mod views;

use crate::core::ids;
use crate::core::validate::Violation;
use crate::service::idmatch::ReferenceOutcome;
use crate::service::{Actor, Registry, Role, ServiceError};
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

/// Decode `%XX` escapes (and `+` as a space in a query); `None` when the
/// bytes are not UTF-8 or an escape is malformed.
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A request path, decoded: its segments and its query pairs.
struct SplitPath {
    segs: Vec<String>,
    query: Vec<(String, String)>,
}

/// Split `/a/b?x=1&y=2` into decoded segments and query pairs.
fn split_path(path: &str) -> Option<SplitPath> {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs = p
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s, false))
        .collect::<Option<Vec<_>>>()?;
    let query = q
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((percent_decode(k, true)?, percent_decode(v, true)?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(SplitPath { segs, query })
}

/// Every route the router serves, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    PersonRequest,
    ValidatePersonRequest,
    GetPerson,
    IssuedIdentifierCreate,
    People,
    PeopleCandidates,
    PendingList,
    PendingRescore,
    PendingResolve,
    PostIdentity,
    Login,
    Outbox,
    Stats,
    Scan,
    GetSetting,
    PutSetting,
    Search,
    GenericList,
    GenericCreate,
    WorkingCopies,
    MyChanges,
    Withdraw,
    Approve,
    Reject,
    GenericHistory,
    GenericGet,
    GenericPut,
    GenericPatch,
    GenericDelete,
    Audit,
    Users,
    AddUser,
    UpdateUser,
    SyncNow,
    HubGet,
    HubPut,
    HubTest,
    MatchModel,
    Unlink,
    MoveRecord,
    Merge,
    DeskLink,
    Unmerge,
    NotDuplicates,
    UndoNotDuplicates,
    LinkHistory,
    LinkSource,
    UnlinkSource,
    DeleteSource,
    LinkChanges,
}

/// A route: its method, its path (`{x}` matches one segment) and the roles
/// that may call it.
#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    pub route: Route,
    pub method: &'static str,
    pub pattern: &'static str,
    pub roles: &'static [Role],
}

const STAFF: &[Role] = &[Role::Admin, Role::Reviewer, Role::Receptionist];
const STEWARDS: &[Role] = &[Role::Admin, Role::Reviewer];
const ADMIN: &[Role] = &[Role::Admin];
/// A hub client (a site's key) reaches postIdentity only.
const SITES: &[Role] = &[Role::Admin, Role::Site];

/// The one table of who may call what. `tests/roles.rs` walks every row
/// with every role. Earlier rows win (a literal segment before `{x}`).
pub const ROUTES: &[RouteRule] = &[
    RouteRule {
        route: Route::PersonRequest,
        method: "POST",
        pattern: "/api/person_requests",
        roles: STAFF,
    },
    RouteRule {
        route: Route::ValidatePersonRequest,
        method: "POST",
        pattern: "/api/person_requests/validate",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GetPerson,
        method: "GET",
        pattern: "/api/persons/{id}",
        roles: STAFF,
    },
    RouteRule {
        route: Route::IssuedIdentifierCreate,
        method: "POST",
        pattern: "/person.issuedIdentifier.create",
        roles: STAFF,
    },
    RouteRule {
        route: Route::People,
        method: "POST",
        pattern: "/people",
        roles: STAFF,
    },
    RouteRule {
        route: Route::PeopleCandidates,
        method: "POST",
        pattern: "/people/candidates",
        roles: STAFF,
    },
    RouteRule {
        route: Route::PendingList,
        method: "GET",
        pattern: "/people/pending",
        roles: STAFF,
    },
    RouteRule {
        route: Route::PendingRescore,
        method: "POST",
        pattern: "/people/pending/rescore",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Merge,
        method: "POST",
        pattern: "/people/merge",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::DeskLink,
        method: "POST",
        pattern: "/people/desk-link",
        roles: STAFF,
    },
    RouteRule {
        route: Route::NotDuplicates,
        method: "POST",
        pattern: "/people/not-duplicates",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::UndoNotDuplicates,
        method: "DELETE",
        pattern: "/people/not-duplicates",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Unlink,
        method: "POST",
        pattern: "/people/{ref}/unlink",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::MoveRecord,
        method: "POST",
        pattern: "/people/{ref}/link",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Unmerge,
        method: "POST",
        pattern: "/people/{ref}/unmerge",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::LinkHistory,
        method: "GET",
        pattern: "/people/{ref}/history",
        roles: STAFF,
    },
    RouteRule {
        route: Route::PendingResolve,
        method: "POST",
        pattern: "/people/pending/{id}",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::PostIdentity,
        method: "POST",
        pattern: "/postIdentity",
        roles: SITES,
    },
    RouteRule {
        route: Route::LinkSource,
        method: "POST",
        pattern: "/linkSource",
        roles: SITES,
    },
    RouteRule {
        route: Route::UnlinkSource,
        method: "POST",
        pattern: "/unlinkSource",
        roles: SITES,
    },
    RouteRule {
        route: Route::DeleteSource,
        method: "POST",
        pattern: "/deleteSource",
        roles: SITES,
    },
    RouteRule {
        route: Route::LinkChanges,
        method: "GET",
        pattern: "/linkChanges",
        roles: SITES,
    },
    RouteRule {
        route: Route::Login,
        method: "POST",
        pattern: "/auth/login",
        roles: STAFF,
    },
    RouteRule {
        route: Route::Outbox,
        method: "GET",
        pattern: "/api/outbox",
        roles: STAFF,
    },
    RouteRule {
        route: Route::SyncNow,
        method: "POST",
        pattern: "/api/sync",
        roles: STAFF,
    },
    RouteRule {
        route: Route::HubGet,
        method: "GET",
        pattern: "/api/hub",
        roles: ADMIN,
    },
    RouteRule {
        route: Route::HubPut,
        method: "PUT",
        pattern: "/api/hub",
        roles: ADMIN,
    },
    RouteRule {
        route: Route::HubTest,
        method: "POST",
        pattern: "/api/hub/test",
        roles: ADMIN,
    },
    RouteRule {
        route: Route::MatchModel,
        method: "GET",
        pattern: "/matcher/model",
        roles: STAFF,
    },
    RouteRule {
        route: Route::Stats,
        method: "GET",
        pattern: "/api/stats",
        roles: STAFF,
    },
    RouteRule {
        route: Route::Scan,
        method: "GET",
        pattern: "/api/scans/{id}",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GetSetting,
        method: "GET",
        pattern: "/api/settings/{key}",
        roles: STAFF,
    },
    RouteRule {
        route: Route::PutSetting,
        method: "PUT",
        pattern: "/api/settings/{key}",
        roles: ADMIN,
    },
    RouteRule {
        route: Route::Search,
        method: "GET",
        pattern: "/api/search",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GenericList,
        method: "GET",
        pattern: "/generic/persons",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GenericCreate,
        method: "POST",
        pattern: "/generic/persons",
        roles: STAFF,
    },
    RouteRule {
        route: Route::WorkingCopies,
        method: "GET",
        pattern: "/generic/persons/workingcopies",
        roles: STAFF,
    },
    RouteRule {
        route: Route::MyChanges,
        method: "GET",
        pattern: "/generic/persons/workingcopies/mine",
        roles: STAFF,
    },
    RouteRule {
        route: Route::Withdraw,
        method: "POST",
        pattern: "/generic/persons/workingcopies/{id}/withdraw",
        roles: STAFF,
    },
    RouteRule {
        route: Route::Approve,
        method: "POST",
        pattern: "/generic/persons/workingcopies/{id}/approve",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Reject,
        method: "POST",
        pattern: "/generic/persons/workingcopies/{id}/reject",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Approve,
        method: "POST",
        pattern: "/generic/persons/{id}/approve",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Reject,
        method: "POST",
        pattern: "/generic/persons/{id}/reject",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::GenericHistory,
        method: "GET",
        pattern: "/generic/persons/{id}/history",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GenericGet,
        method: "GET",
        pattern: "/generic/persons/{id}",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GenericPut,
        method: "PUT",
        pattern: "/generic/persons/{id}",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GenericPatch,
        method: "PATCH",
        pattern: "/generic/persons/{id}",
        roles: STAFF,
    },
    RouteRule {
        route: Route::GenericDelete,
        method: "DELETE",
        pattern: "/generic/persons/{id}",
        roles: STEWARDS,
    },
    RouteRule {
        route: Route::Audit,
        method: "GET",
        pattern: "/audit",
        roles: STAFF,
    },
    RouteRule {
        route: Route::Users,
        method: "GET",
        pattern: "/users",
        roles: ADMIN,
    },
    RouteRule {
        route: Route::AddUser,
        method: "POST",
        pattern: "/users",
        roles: ADMIN,
    },
    RouteRule {
        route: Route::UpdateUser,
        method: "PATCH",
        pattern: "/users/{name}",
        roles: ADMIN,
    },
];

/// The route for a method and decoded segments, with the `{x}` values.
pub fn route_of<'a>(
    method: &str,
    segs: &'a [String],
) -> Option<(&'static RouteRule, Vec<&'a str>)> {
    ROUTES.iter().find_map(|rule| {
        if rule.method != method {
            return None;
        }
        let pat: Vec<&str> = rule.pattern.split('/').filter(|s| !s.is_empty()).collect();
        if pat.len() != segs.len() {
            return None;
        }
        let mut params = Vec::new();
        for (p, s) in pat.iter().zip(segs) {
            if p.starts_with('{') {
                params.push(s.as_str());
            } else if p != s {
                return None;
            }
        }
        Some((rule, params))
    })
}

/// Largest page any list route returns.
pub const MAX_LIMIT: i64 = 1000;

fn parse_body(body: &[u8]) -> Result<Value, ApiResponse> {
    body_json(body).map_err(|m| bad_request(&m))
}

/// The body as JSON, or why not in words.
fn body_json(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("request body is empty; a JSON object is required".into());
    }
    serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))
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
        // `code` and `params` let a screen say it in the user's language;
        // `rule` and `description` are seed 002's.
        let params: serde_json::Map<String, Value> = v
            .params
            .iter()
            .map(|(k, p)| ((*k).to_string(), Value::String(p.clone())))
            .collect();
        let rule =
            json!({"rule": v.rule, "description": v.description, "code": v.code, "params": params});
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

/// How the API shows one service error: its status, the sentence people
/// read, and the generic body. The one place a service error meets HTTP;
/// each seed's envelope is built from it ([`error_response`], `seed_004`).
struct Rendered {
    status: u16,
    message: String,
    body: Value,
}

fn render(e: &ServiceError) -> Rendered {
    let plain = |status: u16, kind: &str, message: String| Rendered {
        status,
        body: json!({"error": {"type": kind, "message": message}}),
        message,
    };
    match e {
        ServiceError::Validation(v) => Rendered {
            status: 422,
            message: "Validation failed".into(),
            body: validation_body(v),
        },
        ServiceError::BadRequest(m) => plain(400, "bad_request", m.clone()),
        ServiceError::OverLimit(m) => plain(422, "over_limit", m.clone()),
        ServiceError::NotFound { entity, id } => {
            let message = format!("{entity} {id} not found");
            Rendered {
                status: 404,
                body: json!({"error": {"type": "not_found", "entity_type": entity, "message": message}}),
                message,
            }
        }
        ServiceError::Conflict(m) => plain(409, "conflict", m.clone()),
        ServiceError::RuleViolation {
            entity_type,
            sub_code,
            message,
        } => Rendered {
            status: 400,
            body: json!({"error": {"code": "SYSTEM_RULE_VIOLATION", "entity_type": entity_type, "sub_code": sub_code, "message": message}}),
            message: message.clone(),
        },
        // Seed 003's REL codes are refusals of a change that conflicts with
        // the person's state.
        ServiceError::WorkingCopy(rule) => Rendered {
            status: 409,
            body: json!({"error": {"code": rule.code(), "severity": rule.severity(), "message": rule.message()}}),
            message: rule.message().into(),
        },
        ServiceError::Duplicate {
            person_id,
            reference_id,
            reason,
        } => Rendered {
            status: 409,
            body: json!({"error": {"type": "duplicate", "message": reason,
                                   "person_id": person_id, "reference_id": reference_id}}),
            message: reason.clone(),
        },
        ServiceError::Unauthorized(m) => plain(401, "unauthorized", m.clone()),
        ServiceError::Locked { name, retry_after } => {
            let message =
                format!("too many failed sign-ins for {name}: try again in {retry_after} s");
            Rendered {
                status: 429,
                body: json!({"error": {"type": "locked", "retry_after": retry_after, "message": message}}),
                message,
            }
        }
        ServiceError::Forbidden(m) => plain(403, "forbidden", m.clone()),
        // The store's own words stay in the operator's log, under a trace
        // id the answer gives: a client learns nothing of the schema.
        ServiceError::Store(err) => {
            let trace = crate::core::ids::trace_id();
            eprintln!("registrar: internal error {trace}: {err}");
            let message = format!("internal error; the operator's log has it under {trace}");
            Rendered {
                status: 500,
                body: json!({"error": {"type": "internal", "trace_id": trace, "message": message}}),
                message,
            }
        }
    }
}

/// Map a service error to a generic (non seed-000) response.
pub fn error_response(e: &ServiceError) -> ApiResponse {
    let r = render(e);
    ApiResponse::new(r.status, r.body)
}

/// The router. `actor` is the authenticated caller; shells authenticate.
pub fn handle(
    reg: &mut Registry,
    actor: &Actor,
    method: &str,
    path: &str,
    body: &[u8],
) -> ApiResponse {
    let method = method.to_ascii_uppercase();
    let Some(SplitPath { segs, query }) = split_path(path) else {
        return bad_request("the path or query is not valid percent-encoded UTF-8");
    };
    let Some((rule, params)) = route_of(&method, &segs) else {
        return not_found_route(&method, path);
    };
    if !rule.roles.contains(&actor.role) {
        return error_response(&ServiceError::Forbidden(format!(
            "{method} {} is not open to the role {} ({})",
            rule.pattern,
            actor.role.as_str(),
            actor.name
        )));
    }
    let q = Query(&query);
    let param = |i: usize| params.get(i).copied().unwrap_or_default();
    let result = match rule.route {
        Route::PersonRequest => person_requests(reg, actor, body),
        Route::GetPerson => reg
            .person_view(param(0))
            .map(|p| {
                // The person as seed 002 stores it, plus what only a read
                // shows: the golden record and, for a merged id, the merge.
                let mut data = views::person_json(&p);
                data["golden"] = json!(p.golden);
                if let Some(m) = &p.merged_from {
                    data["merged_from"] = json!(m);
                }
                ApiResponse::new(200, json!({"data": data}))
            })
            .map_err(|e| error_response(&e)),
        Route::IssuedIdentifierCreate => Ok(issued_identifier_create(reg, actor, body)),
        Route::People => Ok(people(reg, actor, body)),
        Route::PostIdentity => Ok(seed_004(body, |v| reg.post_identity(actor, v))),
        Route::LinkSource | Route::UnlinkSource | Route::DeleteSource => {
            use crate::service::hub::LinkService;
            let service = match rule.route {
                Route::LinkSource => LinkService::Link,
                Route::UnlinkSource => LinkService::Unlink,
                _ => LinkService::Delete,
            };
            Ok(seed_004(body, |v| reg.hub_link_service(actor, service, v)))
        }
        Route::LinkChanges => q.limit(500).and_then(|limit| {
            reg.hub_link_changes(actor, q.int("after", 0)?, limit)
                .map(|b| ApiResponse::new(200, b))
                .map_err(|e| error_response(&e))
        }),
        Route::Login => login(reg, body),
        Route::Outbox => q.limit(200).and_then(|limit| {
            reg.outbox_items(limit)
                .map(|rows| ApiResponse::new(200, json!({"items": rows})))
                .map_err(|e| error_response(&e))
        }),
        // One pass of the outbox to the hub, as `registrar sync` does. The
        // network call runs on the caller's thread: the GUI calls this from
        // a background task, never from its worker.
        Route::SyncNow => parse_fields(body, &[]).and_then(|_| {
            let db = reg.db_path();
            let cfg = db
                .as_deref()
                .ok_or_else(|| "an in-memory registry has no hub".to_string())
                .and_then(|db| crate::sync::load_config(reg, db));
            match cfg {
                Ok(cfg) => {
                    let report = crate::sync::sync_once(reg, &cfg, u64::MAX);
                    Ok(ApiResponse::new(200, json!(report)))
                }
                Err(e) => Err(error_response(&ServiceError::Conflict(e))),
            }
        }),
        Route::HubGet => {
            let get = |k: &str| reg.setting(k).ok().flatten().unwrap_or_default();
            let secret = reg.db_path().is_some_and(|p| crate::sync::has_secret(&p));
            Ok(ApiResponse::new(
                200,
                json!({"url": get("hub_url"), "keyId": get("hub_key_id"), "secretStored": secret}),
            ))
        }
        Route::HubPut => parse_fields(body, &["url", "keyId", "secret"]).and_then(|v| {
            let s = |k: &str| v.get(k).and_then(Value::as_str);
            reg.configure_hub(actor, s("url").unwrap_or(""), s("keyId").unwrap_or(""), s("secret"))
                .map(|()| ApiResponse::new(200, json!({"configured": true})))
                .map_err(|e| error_response(&e))
        }),
        Route::HubTest => parse_fields(body, &[]).map(|_| {
            let db = reg.db_path();
            let result = db
                .as_deref()
                .ok_or_else(|| "an in-memory registry has no hub".to_string())
                .and_then(|db| crate::sync::load_config(reg, db))
                .and_then(|cfg| crate::sync::test_connection(&cfg));
            ApiResponse::new(
                200,
                match result {
                    Ok(m) => json!({"ok": true, "message": m}),
                    Err(e) => json!({"ok": false, "message": e}),
                },
            )
        }),
        Route::MatchModel => Ok(ApiResponse::new(200, json!(reg.model_view()))),
        Route::Stats => reg
            .stats()
            .map(|s| ApiResponse::new(200, json!(s)))
            .map_err(|e| error_response(&e)),
        Route::Scan => reg
            .scan(param(0))
            .map(|(mt, bytes)| {
                use base64::Engine;
                ApiResponse::new(200, json!({"media_type": mt, "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes)}))
            })
            .map_err(|e| error_response(&e)),
        Route::GetSetting => reg
            .configure_as(actor, param(0), None)
            .map(|v| ApiResponse::new(200, json!({"key": param(0), "value": v})))
            .map_err(|e| error_response(&e)),
        Route::PutSetting => parse_fields(body, &["value"]).and_then(|v| {
            let value = match v.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            reg.configure_as(actor, param(0), Some(&value))
                .map(|v| ApiResponse::new(200, json!({"key": param(0), "value": v})))
                .map_err(|e| error_response(&e))
        }),
        Route::Search => q.offset().and_then(|offset| {
            let limit = q.limit(100)?;
            reg.search(q.get("q").unwrap_or(""), offset, limit)
                .map(|(items, total)| ApiResponse::new(200, json!({"total": total, "items": items})))
                .map_err(|e| error_response(&e))
        }),
        Route::ValidatePersonRequest => parse_body(body).and_then(|v| {
            // Warnings ride along with either answer: they never refuse.
            let p = &v["person"];
            let s = |k: &str| p[k].as_str().unwrap_or("");
            let warnings: Vec<Value> = crate::core::validate::tax_id_warnings(s("tax_id"), s("birth_date"), s("gender"))
                .into_iter()
                .map(|w| {
                    let params: serde_json::Map<String, Value> =
                        w.params.iter().map(|(k, p)| ((*k).to_string(), json!(p))).collect();
                    json!({"path": w.entry, "message": w.description, "code": w.code, "params": params})
                })
                .collect();
            // What this birth date requires, from the same rule the
            // validation applies: with either answer too.
            let requirements = json!(reg.requirements(s("birth_date")));
            reg.check_person_request(&v)
                .map(|ok| ApiResponse::new(200, json!({"valid": true, "uploads": uploads_json(&ok.uploads), "warnings": warnings, "requirements": requirements})))
                .map_err(|v| {
                    let mut body = validation_body(&v);
                    body["warnings"] = json!(warnings);
                    body["requirements"] = requirements;
                    ApiResponse::new(422, body)
                })
        }),
        Route::PeopleCandidates => parse_object(body).and_then(|v| {
            let limit = q.limit(5)? as usize;
            let result = match (v.get("person"), v.get("referenceId")) {
                (_, Some(r)) => match r.as_str() {
                    Some(r) => reg.duplicates_of(r, limit),
                    None => return Err(bad_request("referenceId: must be a string")),
                },
                (Some(p), None) => {
                    let data: crate::core::model::PersonData = serde_json::from_value(p.clone())
                        .map_err(|e| bad_request(&format!("person: {e}")))?;
                    reg.candidates_for_person(&data, limit)
                }
                (None, None) => match v.get("sorAttributes").unwrap_or(&v) {
                    attrs @ Value::Object(_) => reg.candidates_for(attrs, limit),
                    _ => return Err(bad_request("sorAttributes: must be an object")),
                },
            };
            result
                .map(|c| ApiResponse::new(200, json!({"candidates": c.iter().map(|c| { let mut j = c.to_json(); j["personId"] = json!(c.person_id); j }).collect::<Vec<_>>()})))
                .map_err(|e| error_response(&e))
        }),
        Route::GenericList => q.offset().and_then(|offset| {
            reg.list_persons(offset, q.limit(50)?, q.get("code"))
                .map(|page| {
                    let items: Vec<Value> = page.items.iter().map(|(p, w)| views::generic_person_json(p, w)).collect();
                    ApiResponse::new(200, json!({"offset": page.offset, "count": items.len(), "hasMore": page.has_more,
                                                 "limit": page.limit, "items": items}))
                })
                .map_err(|e| error_response(&e))
        }),
        Route::GenericCreate => parse_body(body).and_then(|v| {
            reg.create_generic(actor, &v)
                .map(|o| ApiResponse::new(201, json!({"data": views::generic_person_json(&o.person, &[]), "uploads": uploads_json(&o.uploads)})))
                .map_err(|e| error_response(&e))
        }),
        Route::WorkingCopies => reg
            .working_copies(actor)
            .map(|items| ApiResponse::new(200, json!({"count": items.len(), "items": items})))
            .map_err(|e| error_response(&e)),
        Route::MyChanges => reg
            .my_changes(actor)
            .map(|items| ApiResponse::new(200, json!({"count": items.len(), "items": items})))
            .map_err(|e| error_response(&e)),
        Route::Withdraw => parse_fields(body, &[]).and_then(|_| {
            reg.withdraw(actor, param(0))
                .map(|()| ApiResponse::new(200, json!({"withdrawn": param(0)})))
                .map_err(|e| error_response(&e))
        }),
        Route::Approve => reg
            .approve(actor, param(0))
            .map(|p| ApiResponse::new(200, json!({"data": views::generic_person_json(&p, &[])})))
            .map_err(|e| error_response(&e)),
        Route::Reject => parse_fields(body, &["reason"]).and_then(|v| {
            let reason = v.get("reason").and_then(Value::as_str).unwrap_or("");
            reg.reject(actor, param(0), reason)
                .map(|()| ApiResponse::new(200, json!({"rejected": param(0), "reason": reason})))
                .map_err(|e| error_response(&e))
        }),
        Route::GenericHistory => reg
            .history(param(0))
            .map(|h| ApiResponse::new(200, json!({"items": h})))
            .map_err(|e| error_response(&e)),
        Route::GenericGet => reg
            .get_person(param(0))
            .and_then(|p| {
                let wcs = if p.status == crate::core::model::PersonStatus::Active {
                    reg.list_persons(0, 1, Some(&p.reference_id)).map(|pg| pg.items.into_iter().next().map(|(_, w)| w).unwrap_or_default())?
                } else {
                    vec![]
                };
                Ok(ApiResponse::new(200, views::generic_person_json(&p, &wcs)))
            })
            .map_err(|e| error_response(&e)),
        Route::GenericPut | Route::GenericPatch => parse_object(body).and_then(|v| {
            use crate::service::persons::UpdateOutcome;
            match reg.update_generic(actor, param(0), &v, rule.route == Route::GenericPatch) {
                Ok(UpdateOutcome::Applied(p)) => Ok(ApiResponse::new(200, views::generic_person_json(&p, &[]))),
                Ok(UpdateOutcome::WorkingCopy(w)) => Ok(ApiResponse::new(202, views::generic_person_json(&w, &[]))),
                Err(e) => Err(error_response(&e)),
            }
        }),
        Route::GenericDelete => Err(error_response(
            &reg.delete_generic(actor, param(0)).err().unwrap_or(ServiceError::Conflict("not deleted".into())),
        )),
        Route::Audit => q.limit(MAX_LIMIT).and_then(|limit| {
            reg.audit_trail(q.get("person"), limit)
                .map(|rows| ApiResponse::new(200, json!({"items": rows})))
                .map_err(|e| error_response(&e))
        }),
        Route::UpdateUser => parse_fields(body, &["role", "password", "disabled"]).and_then(|v| {
            let bad = |m: &str| error_response(&ServiceError::BadRequest(m.into()));
            let role = match v.get("role") {
                None => None,
                Some(r) => Some(
                    r.as_str()
                        .and_then(crate::service::Role::parse)
                        .ok_or_else(|| bad("role: must be admin, reviewer or receptionist"))?,
                ),
            };
            let password = match v.get("password") {
                None => None,
                Some(p) => Some(p.as_str().ok_or_else(|| bad("password: must be a string"))?.to_string()),
            };
            let disabled = match v.get("disabled") {
                None => None,
                Some(d) => Some(d.as_bool().ok_or_else(|| bad("disabled: must be true or false"))?),
            };
            let change = crate::service::accounts::UserChange { role, password, disabled };
            reg.update_user(actor, param(0), &change)
                .map(|u| ApiResponse::new(200, json!(u)))
                .map_err(|e| error_response(&e))
        }),
        Route::Users => reg
            .users()
            .map(|u| ApiResponse::new(200, json!({"items": u})))
            .map_err(|e| error_response(&e)),
        Route::AddUser => parse_fields(body, &["name", "role", "password"]).and_then(|v| {
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let role = crate::service::Role::parse(&s("role"))
                .ok_or_else(|| error_response(&ServiceError::BadRequest("role: must be admin, reviewer or receptionist".into())))?;
            reg.add_user(Some(actor), &s("name"), role, &s("password"))
                .map(|()| ApiResponse::new(201, json!({"name": s("name"), "role": role.as_str()})))
                .map_err(|e| error_response(&e))
        }),
        Route::PendingList => q.limit(100).and_then(|limit| {
            reg.pending(limit)
                .map(|rows| ApiResponse::new(200, json!({"pending": rows})))
                .map_err(|e| error_response(&e))
        }),
        Route::PendingResolve => Ok(resolve_pending(reg, actor, param(0), body)),
        Route::Unlink => parse_fields(body, &["sor", "sorId", "reason"]).and_then(|v| {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            reg.unlink(actor, param(0), &field("sor"), &field("sorId"), &field("reason"))
                .map(|r| ApiResponse::new(201, json!({"referenceId": r})))
                .map_err(|e| error_response(&e))
        }),
        Route::MoveRecord => parse_fields(body, &["sor", "sorId", "reason"]).and_then(|v| {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            reg.move_record(actor, param(0), &field("sor"), &field("sorId"), &field("reason"))
                .map(|from| ApiResponse::new(200, json!({"referenceId": param(0), "from": from,
                                                        "sor": field("sor"), "sorId": field("sorId")})))
                .map_err(|e| error_response(&e))
        }),
        Route::DeskLink => parse_fields(body, &["referenceId", "sorAttributes"]).and_then(|v| {
            let rid = v.get("referenceId").and_then(Value::as_str).unwrap_or("");
            let attrs = v.get("sorAttributes").cloned().unwrap_or(Value::Null);
            match crate::service::idmatch::desk_link_request(rid, &attrs) {
                Ok(req) => Ok(id_match_response(reg.reference_request(actor, &req))),
                Err(e) => Err(error_response(&e)),
            }
        }),
        Route::Merge => parse_fields(body, &["survivor", "merged", "reason"]).and_then(|v| {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            reg.merge(actor, &field("survivor"), &field("merged"), &field("reason"))
                .map(|d| ApiResponse::new(200, d))
                .map_err(|e| error_response(&e))
        }),
        Route::Unmerge => parse_fields(body, &["merged", "reason"]).and_then(|v| {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            reg.unmerge(actor, param(0), &field("merged"), &field("reason"))
                .map(|d| ApiResponse::new(200, d))
                .map_err(|e| error_response(&e))
        }),
        Route::NotDuplicates | Route::UndoNotDuplicates => parse_fields(body, &["a", "b", "reason"]).and_then(|v| {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let undo = rule.route == Route::UndoNotDuplicates;
            reg.not_duplicates(actor, &field("a"), &field("b"), &field("reason"), undo)
                .map(|d| ApiResponse::new(if undo { 200 } else { 201 }, d))
                .map_err(|e| error_response(&e))
        }),
        Route::LinkHistory => reg
            .link_history(param(0))
            .map(|items| ApiResponse::new(200, json!({"referenceId": param(0), "items": items})))
            .map_err(|e| error_response(&e)),
        Route::PendingRescore => reg
            .rescore_pending(actor)
            .map(|n| ApiResponse::new(200, json!({"linked": n})))
            .map_err(|e| error_response(&e)),
    };
    result.unwrap_or_else(|e| e)
}

/// A seed 004-style call: the body parsed, the service's answer as it is,
/// and any refusal in the seed's shape (success, message, trackingId,
/// retryableError).
fn seed_004(
    body: &[u8],
    call: impl FnOnce(&Value) -> crate::service::Result<Value>,
) -> ApiResponse {
    let refusal = |status: u16, message: &str, tracking: Value| {
        ApiResponse::new(
            status,
            json!({"success": false, "message": message, "content": null,
                   "trackingId": tracking, "auditId": uuid::Uuid::new_v4().to_string(),
                   "retryableError": status >= 500}),
        )
    };
    match body_json(body) {
        Ok(v) => match call(&v) {
            Ok(body) => ApiResponse::new(200, body),
            Err(e) => {
                let r = render(&e);
                let tracking = v.get("trackingId").cloned().unwrap_or(Value::Null);
                refusal(r.status, &r.message, tracking)
            }
        },
        Err(m) => refusal(400, &m, Value::Null),
    }
}

/// Typed access to the decoded query.
struct Query<'a>(&'a [(String, String)]);

impl Query<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn int(&self, key: &str, default: i64) -> Result<i64, ApiResponse> {
        match self.get(key) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| bad_request(&format!("{key}: must be a whole number, got {v:?}"))),
        }
    }

    /// `limit`: 1 to [`MAX_LIMIT`].
    fn limit(&self, default: i64) -> Result<i64, ApiResponse> {
        let n = self.int("limit", default)?;
        if (1..=MAX_LIMIT).contains(&n) {
            Ok(n)
        } else {
            Err(bad_request(&format!(
                "limit: must be from 1 to {MAX_LIMIT}, got {n}"
            )))
        }
    }

    /// `offset`: 0 or more.
    fn offset(&self) -> Result<i64, ApiResponse> {
        let n = self.int("offset", 0)?;
        if n >= 0 {
            Ok(n)
        } else {
            Err(bad_request(&format!("offset: must be 0 or more, got {n}")))
        }
    }
}

/// A body that must be a JSON object.
fn parse_object(body: &[u8]) -> Result<Value, ApiResponse> {
    let v = parse_body(body)?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(bad_request("the request body must be a JSON object"))
    }
}

/// A JSON object with these properties at most: anything else is 422 with
/// its path, never dropped.
fn parse_fields(body: &[u8], keys: &[&str]) -> Result<Value, ApiResponse> {
    let v = parse_object(body)?;
    if let Some(k) = v
        .as_object()
        .and_then(|o| crate::core::validate::unknown_property(o, keys))
    {
        return Err(ApiResponse::new(
            422,
            validation_body(&[Violation::new(
                format!("$.{k}"),
                "schema",
                format!(
                    "schema does not allow additional property {k}; allowed: {}",
                    keys.join(", ")
                ),
            )]),
        ));
    }
    Ok(v)
}

fn uploads_json(uploads: &[String]) -> Vec<Value> {
    uploads.iter().map(|t| json!({"type": t})).collect()
}

fn login(reg: &mut Registry, body: &[u8]) -> Result<ApiResponse, ApiResponse> {
    let v = parse_fields(body, &["name", "password"])?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    reg.authenticate(&s("name"), &s("password"))
        .map(|a| ApiResponse::new(200, json!({"name": a.name, "role": a.role.as_str()})))
        .map_err(|e| error_response(&e))
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
    match body_json(body) {
        Ok(v) => id_match_response(reg.reference_request(actor, &v)),
        Err(m) => id_match_response(Err(ServiceError::BadRequest(m))),
    }
}

fn resolve_pending(reg: &mut Registry, actor: &Actor, id: &str, body: &[u8]) -> ApiResponse {
    let Ok(id) = id.parse::<i64>() else {
        return bad_request("pending id must be a number");
    };
    let value = match parse_fields(body, &["referenceId", "notSameAs", "reason"]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(choice) = value.get("referenceId").and_then(Value::as_str) else {
        return id_match_response(Err(ServiceError::BadRequest(
            "referenceId: is required (a reference id or \"new\")".into(),
        )));
    };
    let not_same: Vec<String> = match value.get("notSameAs") {
        None => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Some(_) => {
            return id_match_response(Err(ServiceError::BadRequest(
                "notSameAs: must be a list of reference ids".into(),
            )));
        }
    };
    let reason = value.get("reason").and_then(Value::as_str).unwrap_or("");
    id_match_response(reg.resolve_pending(actor, id, choice, &not_same, reason))
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
    let mut body = json!({"data": views::person_json(&outcome.person), "uploads": uploads});
    if let Some(review) = outcome.review_id {
        body["candidates"] = json!(
            outcome
                .candidates
                .iter()
                .map(|c| {
                    let mut j = c.to_json();
                    j["personId"] = json!(c.person_id);
                    j
                })
                .collect::<Vec<_>>()
        );
        body["review_id"] = json!(review);
    }
    Ok(ApiResponse::new(
        if outcome.created {
            201
        } else if outcome.working_copy {
            202
        } else {
            200
        },
        body,
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
    let value = match body_json(body) {
        Ok(v) => v,
        Err(m) => return seed000_error(&trace, "BAD_REQUEST", &m, json!({})),
    };
    let unknown = value
        .as_object()
        .and_then(|o| {
            crate::core::validate::unknown_property(o, &["person_id", "issued_identifier"])
        })
        .map(String::from)
        .or_else(|| {
            value
                .get("issued_identifier")
                .and_then(Value::as_object)
                .and_then(|o| {
                    crate::core::validate::unknown_property(o, &["type", "issued_number"])
                })
                .map(|k| format!("issued_identifier.{k}"))
        });
    if let Some(field) = unknown {
        return seed000_error(
            &trace,
            "BAD_REQUEST",
            &format!("Unknown parameter provided: {field}"),
            json!({"fields": [field]}),
        );
    }
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
