//! The JSON request router: `(method, path, body) -> (status, JSON)`.
//!
//! The CLI's `registrar api`, the hub's HTTP server and the tests all mount
//! this one function, so every rule has exactly one implementation.

mod request;
pub mod views;

use request::Query;
pub use request::{CandidatesOf, Request};

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

/// Group violations by path, in seed 002's 422 shape: the same types the
/// GUI reads it as ([`views::InvalidEntry`], [`views::RuleView`]).
pub fn validation_body(violations: &[Violation]) -> Value {
    let mut invalid: Vec<views::InvalidEntry> = Vec::new();
    for v in violations {
        // `code` and `params` let a screen say it in the user's language;
        // `rule` and `description` are seed 002's.
        let rule = views::RuleView::of(v);
        match invalid.iter_mut().find(|e| e.entry == v.entry) {
            Some(entry) => entry.rules.push(rule),
            None => invalid.push(views::InvalidEntry {
                entry: v.entry.clone(),
                entry_type: "json_data_property".into(),
                rules: vec![rule],
            }),
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

/// The router at the HTTP edge. `actor` is the authenticated caller;
/// shells authenticate. The path is matched against [`ROUTES`], the role
/// rule applied, and only then the request parsed ([`Request::parse`]) and
/// executed, so that a caller without the role learns nothing from the
/// body's checks.
pub fn handle(
    reg: &mut Registry,
    actor: &Actor,
    method: &str,
    path: &str,
    body: &[u8],
) -> ApiResponse {
    let parsed = matched(method, path).and_then(|(rule, m)| {
        authorise(rule, actor)?;
        m.parse(rule.route, body)
    });
    match parsed {
        Ok(request) => execute(reg, actor, request),
        Err(r) => r,
    }
}

/// A request at the HTTP edge, parsed as `handle` parses it, without
/// asking who sends it (tests, and the CLI's checks of its own requests).
pub fn parse_request(method: &str, path: &str, body: &[u8]) -> Result<Request, ApiResponse> {
    matched(method, path).and_then(|(rule, m)| m.parse(rule.route, body))
}

/// A path matched against [`ROUTES`]: its `{x}` values and its query.
struct Matched {
    params: Vec<String>,
    query: Vec<(String, String)>,
}

impl Matched {
    fn parse(&self, route: Route, body: &[u8]) -> Result<Request, ApiResponse> {
        let params: Vec<&str> = self.params.iter().map(String::as_str).collect();
        Request::parse(route, &params, &Query(&self.query), body)
    }
}

fn matched(method: &str, path: &str) -> Result<(&'static RouteRule, Matched), ApiResponse> {
    let method = method.to_ascii_uppercase();
    let Some(SplitPath { segs, query }) = split_path(path) else {
        return Err(bad_request(
            "the path or query is not valid percent-encoded UTF-8",
        ));
    };
    let Some((rule, params)) = route_of(&method, &segs) else {
        return Err(not_found_route(&method, path));
    };
    let params = params.into_iter().map(String::from).collect();
    Ok((rule, Matched { params, query }))
}

/// The router for a request already typed (the GUI's worker): the same
/// role rule, the same execution, no path to parse.
pub fn dispatch(reg: &mut Registry, actor: &Actor, request: Request) -> ApiResponse {
    let route = request.route();
    let Some(rule) = ROUTES.iter().find(|r| r.route == route) else {
        return not_found_route("", &format!("{route:?}"));
    };
    if let Err(r) = authorise(rule, actor) {
        return r;
    }
    execute(reg, actor, request)
}

/// The route table's answer for this caller.
fn authorise(rule: &RouteRule, actor: &Actor) -> Result<(), ApiResponse> {
    if rule.roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(error_response(&ServiceError::Forbidden(format!(
            "{} {} is not open to the role {} ({})",
            rule.method,
            rule.pattern,
            actor.role.as_str(),
            actor.name
        ))))
    }
}

/// Run an authorised request and render its answer: the one place a
/// service result becomes a status and a body.
fn execute(reg: &mut Registry, actor: &Actor, request: Request) -> ApiResponse {
    let done = |status: u16| move |body: Value| ApiResponse::new(status, body);
    let result: Result<ApiResponse, ServiceError> = match request {
        Request::PersonRequest(v) => return person_requests(reg, actor, &v),
        Request::GetPerson { id } => reg.person_view(&id).map(|p| {
            // The person as seed 002 stores it, plus what only a read
            // shows: the golden record and, for a merged id, the merge.
            let mut data = views::person_json(&p);
            data["golden"] = json!(p.golden);
            if let Some(m) = &p.merged_from {
                data["merged_from"] = json!(m);
            }
            ApiResponse::new(200, json!({"data": data}))
        }),
        Request::IssuedIdentifierCreate(v) => return issued_identifier_create(reg, actor, &v),
        Request::People(v) => return id_match_response(reg.reference_request(actor, &v)),
        Request::PostIdentity(v) => return seed_004(&v, reg.post_identity(actor, &v)),
        Request::LinkSource(v) => {
            let out = reg.hub_link_service(actor, crate::service::hub::LinkService::Link, &v);
            return seed_004(&v, out);
        }
        Request::UnlinkSource(v) => {
            let out = reg.hub_link_service(actor, crate::service::hub::LinkService::Unlink, &v);
            return seed_004(&v, out);
        }
        Request::DeleteSource(v) => {
            let out = reg.hub_link_service(actor, crate::service::hub::LinkService::Delete, &v);
            return seed_004(&v, out);
        }
        Request::LinkChanges { after, limit } => reg
            .hub_link_changes(actor, after, limit)
            .map(done(200)),
        Request::Login { name, password } => reg
            .authenticate(&name, &password)
            .map(|a| ApiResponse::new(200, json!({"name": a.name, "role": a.role.as_str()}))),
        Request::Outbox { limit } => reg
            .outbox_items(limit)
            .map(|rows| ApiResponse::new(200, json!({"items": rows}))),
        // One pass of the outbox to the hub, as `registrar sync` does. The
        // network call runs on the caller's thread: the GUI sends this from
        // a background task, never from its worker.
        Request::SyncNow => hub_config(reg)
            .map(|cfg| ApiResponse::new(200, json!(crate::sync::sync_once(reg, &cfg, u64::MAX))))
            .map_err(ServiceError::Conflict),
        Request::HubGet => {
            let get = |k: &str| reg.setting(k).ok().flatten().unwrap_or_default();
            let secret = reg.db_path().is_some_and(|p| crate::sync::has_secret(&p));
            Ok(ApiResponse::new(
                200,
                json!({"url": get("hub_url"), "keyId": get("hub_key_id"), "secretStored": secret}),
            ))
        }
        Request::HubPut {
            url,
            key_id,
            secret,
        } => reg
            .configure_hub(actor, &url, &key_id, secret.as_deref())
            .map(|()| ApiResponse::new(200, json!({"configured": true}))),
        Request::HubTest => Ok(ApiResponse::new(
            200,
            match hub_config(reg).and_then(|cfg| crate::sync::test_connection(&cfg)) {
                Ok(m) => json!({"ok": true, "message": m}),
                Err(e) => json!({"ok": false, "message": e}),
            },
        )),
        Request::MatchModel => Ok(ApiResponse::new(200, json!(reg.model_view()))),
        Request::Stats => reg.stats().map(|s| ApiResponse::new(200, json!(s))),
        Request::Scan { id } => reg.scan(&id).map(|(mt, bytes)| {
            use base64::Engine;
            let content = base64::engine::general_purpose::STANDARD.encode(bytes);
            ApiResponse::new(200, json!({"media_type": mt, "content_base64": content}))
        }),
        Request::GetSetting { key } => reg
            .configure_as(actor, &key, None)
            .map(|v| ApiResponse::new(200, json!({"key": key, "value": v}))),
        Request::PutSetting { key, value } => reg
            .configure_as(actor, &key, Some(&value))
            .map(|v| ApiResponse::new(200, json!({"key": key, "value": v}))),
        Request::Search { q, offset, limit } => reg
            .search(&q, offset, limit)
            .map(|(items, total)| ApiResponse::new(200, json!({"total": total, "items": items}))),
        Request::ValidatePersonRequest(v) => return validate_person_request(reg, &v),
        Request::PeopleCandidates { of, limit } => {
            let found = match of {
                CandidatesOf::ReferenceId(r) => reg.duplicates_of(&r, limit),
                CandidatesOf::Person(data) => reg.candidates_for_person(&data, limit),
                CandidatesOf::Attributes(attrs) => reg.candidates_for(&attrs, limit),
            };
            found.map(|c| ApiResponse::new(200, json!({"candidates": candidates_json(&c)})))
        }
        Request::GenericList {
            offset,
            limit,
            code,
        } => reg.list_persons(offset, limit, code.as_deref()).map(|page| {
            let items: Vec<Value> = page
                .items
                .iter()
                .map(|(p, w)| views::generic_person_json(p, w))
                .collect();
            ApiResponse::new(
                200,
                json!({"offset": page.offset, "count": items.len(), "hasMore": page.has_more,
                       "limit": page.limit, "items": items}),
            )
        }),
        Request::GenericCreate(v) => reg.create_generic(actor, &v).map(|o| {
            ApiResponse::new(
                201,
                json!({"data": views::generic_person_json(&o.person, &[]), "uploads": uploads_json(&o.uploads)}),
            )
        }),
        Request::WorkingCopies => reg
            .working_copies(actor)
            .map(|items| ApiResponse::new(200, json!({"count": items.len(), "items": items}))),
        Request::MyChanges => reg
            .my_changes(actor)
            .map(|items| ApiResponse::new(200, json!({"count": items.len(), "items": items}))),
        Request::Withdraw { id } => reg
            .withdraw(actor, &id)
            .map(|()| ApiResponse::new(200, json!({"withdrawn": id}))),
        Request::Approve { id } => reg
            .approve(actor, &id)
            .map(|p| ApiResponse::new(200, json!({"data": views::generic_person_json(&p, &[])}))),
        Request::Reject { id, reason } => reg
            .reject(actor, &id, &reason)
            .map(|()| ApiResponse::new(200, json!({"rejected": id, "reason": reason}))),
        Request::GenericHistory { id } => reg
            .history(&id)
            .map(|h| ApiResponse::new(200, json!({"items": h}))),
        Request::GenericGet { id } => reg.get_person(&id).and_then(|p| {
            let wcs = if p.status == crate::core::model::PersonStatus::Active {
                reg.list_persons(0, 1, Some(&p.reference_id)).map(|pg| {
                    pg.items
                        .into_iter()
                        .next()
                        .map(|(_, w)| w)
                        .unwrap_or_default()
                })?
            } else {
                vec![]
            };
            Ok(ApiResponse::new(200, views::generic_person_json(&p, &wcs)))
        }),
        Request::GenericPut { id, body } => generic_update(reg, actor, &id, &body, false),
        Request::GenericPatch { id, body } => generic_update(reg, actor, &id, &body, true),
        Request::GenericDelete { id } => Err(reg
            .delete_generic(actor, &id)
            .err()
            .unwrap_or(ServiceError::Conflict("not deleted".into()))),
        Request::Audit { person, limit } => reg
            .audit_trail(person.as_deref(), limit)
            .map(|rows| ApiResponse::new(200, json!({"items": rows}))),
        Request::UpdateUser { name, change } => reg
            .update_user(actor, &name, &change)
            .map(|u| ApiResponse::new(200, json!(u))),
        Request::Users => reg
            .users()
            .map(|u| ApiResponse::new(200, json!({"items": u}))),
        Request::AddUser {
            name,
            role,
            password,
        } => reg
            .add_user(Some(actor), &name, role, &password)
            .map(|()| ApiResponse::new(201, json!({"name": name, "role": role.as_str()}))),
        Request::PendingList { limit } => reg
            .pending(limit)
            .map(|rows| ApiResponse::new(200, json!({"pending": rows}))),
        Request::PendingResolve {
            id,
            choice,
            not_same_as,
            reason,
        } => {
            return id_match_response(reg.resolve_pending(
                actor,
                id,
                &choice,
                &not_same_as,
                &reason,
            ));
        }
        Request::Unlink {
            reference_id,
            sor,
            sor_id,
            reason,
        } => reg
            .unlink(actor, &reference_id, &sor, &sor_id, &reason)
            .map(|r| ApiResponse::new(201, json!({"referenceId": r}))),
        Request::MoveRecord {
            reference_id,
            sor,
            sor_id,
            reason,
        } => reg
            .move_record(actor, &reference_id, &sor, &sor_id, &reason)
            .map(|from| {
                ApiResponse::new(
                    200,
                    json!({"referenceId": reference_id, "from": from, "sor": sor, "sorId": sor_id}),
                )
            }),
        Request::DeskLink {
            reference_id,
            attributes,
        } => match crate::service::idmatch::desk_link_request(&reference_id, &attributes) {
            Ok(req) => return id_match_response(reg.reference_request(actor, &req)),
            Err(e) => Err(e),
        },
        Request::Merge {
            survivor,
            merged,
            reason,
        } => reg
            .merge(actor, &survivor, &merged, &reason)
            .map(done(200)),
        Request::Unmerge {
            survivor,
            merged,
            reason,
        } => reg
            .unmerge(actor, &survivor, &merged, &reason)
            .map(done(200)),
        Request::NotDuplicates { a, b, reason } => reg
            .not_duplicates(actor, &a, &b, &reason, false)
            .map(done(201)),
        Request::UndoNotDuplicates { a, b, reason } => reg
            .not_duplicates(actor, &a, &b, &reason, true)
            .map(done(200)),
        Request::LinkHistory { reference_id } => reg.link_history(&reference_id).map(|items| {
            ApiResponse::new(200, json!({"referenceId": reference_id, "items": items}))
        }),
        Request::PendingRescore => reg
            .rescore_pending(actor)
            .map(|n| ApiResponse::new(200, json!({"linked": n}))),
    };
    result.unwrap_or_else(|e| error_response(&e))
}

/// The hub this registry syncs with, or why there is none.
fn hub_config(reg: &Registry) -> Result<crate::sync::SyncConfig, String> {
    let db = reg
        .db_path()
        .ok_or_else(|| "an in-memory registry has no hub".to_string())?;
    crate::sync::load_config(reg, &db)
}

fn generic_update(
    reg: &mut Registry,
    actor: &Actor,
    id: &str,
    body: &Value,
    patch: bool,
) -> Result<ApiResponse, ServiceError> {
    use crate::service::persons::UpdateOutcome;
    Ok(match reg.update_generic(actor, id, body, patch)? {
        UpdateOutcome::Applied(p) => ApiResponse::new(200, views::generic_person_json(&p, &[])),
        UpdateOutcome::WorkingCopy(w) => ApiResponse::new(202, views::generic_person_json(&w, &[])),
    })
}

/// Seed 002's validation: the violations, with the warnings and what the
/// birth date requires riding along with either answer (they never refuse).
fn validate_person_request(reg: &mut Registry, v: &Value) -> ApiResponse {
    let p = &v["person"];
    let s = |k: &str| p[k].as_str().unwrap_or("");
    let warnings: Vec<views::WarningView> =
        crate::core::validate::tax_id_warnings(s("tax_id"), s("birth_date"), s("gender"))
            .iter()
            .map(views::WarningView::of)
            .collect();
    // What this birth date requires, from the same rule the validation
    // applies.
    let requirements = json!(reg.requirements(s("birth_date")));
    match reg.check_person_request(v) {
        Ok(ok) => ApiResponse::new(
            200,
            json!({"valid": true, "uploads": uploads_json(&ok.uploads), "warnings": warnings, "requirements": requirements}),
        ),
        Err(violations) => {
            let mut body = validation_body(&violations);
            body["warnings"] = json!(warnings);
            body["requirements"] = requirements;
            ApiResponse::new(422, body)
        }
    }
}

/// A seed 004-style answer: the service's body as it is, and any refusal
/// in the seed's shape (success, message, trackingId, retryableError).
fn seed_004(request: &Value, out: crate::service::Result<Value>) -> ApiResponse {
    match out {
        Ok(body) => ApiResponse::new(200, body),
        Err(e) => {
            let r = render(&e);
            let tracking = request.get("trackingId").cloned().unwrap_or(Value::Null);
            seed_004_refusal(r.status, &r.message, tracking)
        }
    }
}

/// Seed 004's refusal body.
fn seed_004_refusal(status: u16, message: &str, tracking: Value) -> ApiResponse {
    ApiResponse::new(
        status,
        json!({"success": false, "message": message, "content": null,
               "trackingId": tracking, "auditId": uuid::Uuid::new_v4().to_string(),
               "retryableError": status >= 500}),
    )
}

/// A body that must be a JSON object.
fn parse_object(body: &[u8]) -> Result<Value, ApiResponse> {
    parse_map(body).map(Value::Object)
}

/// A body that must be a JSON object, as its map.
fn parse_map(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiResponse> {
    match parse_body(body)? {
        Value::Object(o) => Ok(o),
        _ => Err(bad_request("the request body must be a JSON object")),
    }
}

/// Candidates as the desk's routes send them: seed 001's object and the
/// person's public id, so a screen can open the person.
fn candidates_json(candidates: &[crate::service::idmatch::Candidate]) -> Vec<Value> {
    candidates
        .iter()
        .map(|c| {
            let mut j = c.to_json();
            j["personId"] = json!(c.person_id);
            j
        })
        .collect()
}

fn uploads_json(uploads: &[String]) -> Vec<Value> {
    uploads.iter().map(|t| json!({"type": t})).collect()
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

fn person_requests(reg: &mut Registry, actor: &Actor, value: &Value) -> ApiResponse {
    let outcome = match reg.person_request(actor, value) {
        Ok(o) => o,
        Err(e) => return error_response(&e),
    };
    let uploads = uploads_json(&outcome.uploads);
    let mut body = json!({"data": views::person_json(&outcome.person), "uploads": uploads});
    if let Some(review) = outcome.review_id {
        body["candidates"] = json!(candidates_json(&outcome.candidates));
        body["review_id"] = json!(review);
    }
    ApiResponse::new(
        if outcome.created {
            201
        } else if outcome.working_copy {
            202
        } else {
            200
        },
        body,
    )
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

fn issued_identifier_create(reg: &mut Registry, actor: &Actor, value: &Value) -> ApiResponse {
    let trace = ids::trace_id();
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
