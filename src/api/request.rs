//! Requests, parsed once.
//!
//! The HTTP edge (`handle`: the hub, `registrar api`, the tests) turns a
//! method, a path and a body into a [`Request`] here, after the route table
//! has authorised the caller; the GUI builds the same values directly and
//! never writes a path or a query string. What a route takes is therefore
//! written once, in the fields of its variant: path segments are
//! percent-decoded, query parameters are numbers within their bounds, and a
//! body carries only the properties the route names (anything else is a 422
//! with its path, never dropped).
//!
//! The bodies the seeds define (002's person request, 000's issued
//! identifier, 001's `/people`, 003's generic person, 004's postIdentity and
//! link services) stay JSON values: each is a wire format the service
//! validates field by field, and the seed fixes how its refusals look.

use super::{
    ApiResponse, Route, bad_request, body_json, id_match_response, parse_body, parse_map,
    parse_object, validation_body,
};
use crate::core::model::PersonData;
use crate::core::validate::Violation;
use crate::service::accounts::UserChange;
use crate::service::{Role, ServiceError};
use serde_json::{Value, json};

/// One request to the registry, with everything its route takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Seed 002: register (or change) a person.
    PersonRequest(Value),
    /// Seed 002's rules without storing anything.
    ValidatePersonRequest(Value),
    GetPerson {
        id: String,
    },
    /// Seed 000: issue an identifier to a person.
    IssuedIdentifierCreate(Value),
    /// Seed 001: a reference id for a source record.
    People(Value),
    /// Who a person, a typed draft or a source record may be.
    PeopleCandidates {
        of: CandidatesOf,
        limit: usize,
    },
    PendingList {
        limit: i64,
    },
    PendingRescore,
    /// A reviewer's answer to a queued potential match.
    PendingResolve {
        id: i64,
        /// A reference id, or `new`.
        choice: String,
        not_same_as: Vec<String>,
        reason: String,
    },
    /// Seed 004's services, as the seed's JSON.
    PostIdentity(Value),
    LinkSource(Value),
    UnlinkSource(Value),
    DeleteSource(Value),
    LinkChanges {
        after: i64,
        limit: i64,
    },
    Login {
        name: String,
        password: String,
    },
    Outbox {
        limit: i64,
    },
    SyncNow,
    HubGet,
    HubPut {
        url: String,
        key_id: String,
        secret: Option<String>,
    },
    HubTest,
    MatchModel,
    Stats,
    Scan {
        id: String,
    },
    GetSetting {
        key: String,
    },
    PutSetting {
        key: String,
        value: String,
    },
    Search {
        q: String,
        offset: i64,
        limit: i64,
    },
    /// Seed 003's list.
    GenericList {
        offset: i64,
        limit: i64,
        code: Option<String>,
    },
    GenericCreate(Value),
    WorkingCopies,
    MyChanges,
    Withdraw {
        id: String,
    },
    Approve {
        id: String,
    },
    Reject {
        id: String,
        reason: String,
    },
    GenericHistory {
        id: String,
    },
    GenericGet {
        id: String,
    },
    /// Seed 003's whole replacement (`PUT`).
    GenericPut {
        id: String,
        body: Value,
    },
    /// Seed 003's partial change (`PATCH`).
    GenericPatch {
        id: String,
        body: Value,
    },
    GenericDelete {
        id: String,
    },
    Audit {
        person: Option<String>,
        limit: i64,
    },
    Users,
    AddUser {
        name: String,
        role: Role,
        password: String,
    },
    UpdateUser {
        name: String,
        change: UserChange,
    },
    /// Take a source record out of a person into a new one.
    Unlink {
        reference_id: String,
        sor: String,
        sor_id: String,
        reason: String,
    },
    /// Move a source record to this person.
    MoveRecord {
        reference_id: String,
        sor: String,
        sor_id: String,
        reason: String,
    },
    Merge {
        survivor: String,
        merged: String,
        reason: String,
    },
    /// Link what the desk typed to a person the receptionist chose.
    DeskLink {
        reference_id: String,
        attributes: Value,
    },
    Unmerge {
        survivor: String,
        merged: String,
        reason: String,
    },
    NotDuplicates {
        a: String,
        b: String,
        reason: String,
    },
    UndoNotDuplicates {
        a: String,
        b: String,
        reason: String,
    },
    LinkHistory {
        reference_id: String,
    },
}

/// Whose candidates `POST /people/candidates` looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum CandidatesOf {
    /// A registered person's likely duplicates.
    ReferenceId(String),
    /// A person as the desk's form holds it.
    Person(Box<PersonData>),
    /// Seed 001 attributes of a source record.
    Attributes(Value),
}

impl Request {
    /// The route this request takes: its row in [`super::ROUTES`] says who
    /// may send it.
    pub fn route(&self) -> Route {
        match self {
            Request::PersonRequest(_) => Route::PersonRequest,
            Request::ValidatePersonRequest(_) => Route::ValidatePersonRequest,
            Request::GetPerson { .. } => Route::GetPerson,
            Request::IssuedIdentifierCreate(_) => Route::IssuedIdentifierCreate,
            Request::People(_) => Route::People,
            Request::PeopleCandidates { .. } => Route::PeopleCandidates,
            Request::PendingList { .. } => Route::PendingList,
            Request::PendingRescore => Route::PendingRescore,
            Request::PendingResolve { .. } => Route::PendingResolve,
            Request::PostIdentity(_) => Route::PostIdentity,
            Request::LinkSource(_) => Route::LinkSource,
            Request::UnlinkSource(_) => Route::UnlinkSource,
            Request::DeleteSource(_) => Route::DeleteSource,
            Request::LinkChanges { .. } => Route::LinkChanges,
            Request::Login { .. } => Route::Login,
            Request::Outbox { .. } => Route::Outbox,
            Request::SyncNow => Route::SyncNow,
            Request::HubGet => Route::HubGet,
            Request::HubPut { .. } => Route::HubPut,
            Request::HubTest => Route::HubTest,
            Request::MatchModel => Route::MatchModel,
            Request::Stats => Route::Stats,
            Request::Scan { .. } => Route::Scan,
            Request::GetSetting { .. } => Route::GetSetting,
            Request::PutSetting { .. } => Route::PutSetting,
            Request::Search { .. } => Route::Search,
            Request::GenericList { .. } => Route::GenericList,
            Request::GenericCreate(_) => Route::GenericCreate,
            Request::WorkingCopies => Route::WorkingCopies,
            Request::MyChanges => Route::MyChanges,
            Request::Withdraw { .. } => Route::Withdraw,
            Request::Approve { .. } => Route::Approve,
            Request::Reject { .. } => Route::Reject,
            Request::GenericHistory { .. } => Route::GenericHistory,
            Request::GenericGet { .. } => Route::GenericGet,
            Request::GenericPut { .. } => Route::GenericPut,
            Request::GenericPatch { .. } => Route::GenericPatch,
            Request::GenericDelete { .. } => Route::GenericDelete,
            Request::Audit { .. } => Route::Audit,
            Request::Users => Route::Users,
            Request::AddUser { .. } => Route::AddUser,
            Request::UpdateUser { .. } => Route::UpdateUser,
            Request::Unlink { .. } => Route::Unlink,
            Request::MoveRecord { .. } => Route::MoveRecord,
            Request::Merge { .. } => Route::Merge,
            Request::DeskLink { .. } => Route::DeskLink,
            Request::Unmerge { .. } => Route::Unmerge,
            Request::NotDuplicates { .. } => Route::NotDuplicates,
            Request::UndoNotDuplicates { .. } => Route::UndoNotDuplicates,
            Request::LinkHistory { .. } => Route::LinkHistory,
        }
    }

    /// The request a matched route carries: `params` are the decoded `{x}`
    /// segments of its pattern, in order. A refusal is the answer to send.
    pub(super) fn parse(
        route: Route,
        params: &[&str],
        query: &Query,
        body: &[u8],
    ) -> Result<Request, ApiResponse> {
        let param = |i: usize| params.get(i).copied().unwrap_or_default().to_string();
        let seed = || body_json(body);
        Ok(match route {
            // The seeds' bodies: each seed answers a body that is not JSON
            // in its own shape, so the bytes go to the seed's handler.
            Route::PersonRequest => Request::PersonRequest(parse_body(body)?),
            Route::ValidatePersonRequest => Request::ValidatePersonRequest(parse_body(body)?),
            Route::IssuedIdentifierCreate => {
                Request::IssuedIdentifierCreate(seed().map_err(SeedRefusal::Seed000)?)
            }
            Route::People => Request::People(seed().map_err(SeedRefusal::Seed001)?),
            Route::PostIdentity => Request::PostIdentity(seed().map_err(SeedRefusal::Seed004)?),
            Route::LinkSource => Request::LinkSource(seed().map_err(SeedRefusal::Seed004)?),
            Route::UnlinkSource => Request::UnlinkSource(seed().map_err(SeedRefusal::Seed004)?),
            Route::DeleteSource => Request::DeleteSource(seed().map_err(SeedRefusal::Seed004)?),
            Route::GenericCreate => Request::GenericCreate(parse_body(body)?),
            Route::GenericPut => Request::GenericPut {
                id: param(0),
                body: parse_object(body)?,
            },
            Route::GenericPatch => Request::GenericPatch {
                id: param(0),
                body: parse_object(body)?,
            },
            Route::GetPerson => Request::GetPerson { id: param(0) },
            Route::PeopleCandidates => {
                let v = parse_object(body)?;
                let limit = query.limit(5)? as usize;
                let of = match (v.get("person"), v.get("referenceId")) {
                    (_, Some(r)) => match r.as_str() {
                        Some(r) => CandidatesOf::ReferenceId(r.to_string()),
                        None => return Err(bad_request("referenceId: must be a string")),
                    },
                    (Some(p), None) => CandidatesOf::Person(
                        serde_json::from_value(p.clone())
                            .map_err(|e| bad_request(&format!("person: {e}")))?,
                    ),
                    (None, None) => match v.get("sorAttributes").unwrap_or(&v) {
                        attrs @ Value::Object(_) => CandidatesOf::Attributes(attrs.clone()),
                        _ => return Err(bad_request("sorAttributes: must be an object")),
                    },
                };
                Request::PeopleCandidates { of, limit }
            }
            Route::PendingList => Request::PendingList {
                limit: query.limit(100)?,
            },
            Route::PendingRescore => Request::PendingRescore,
            Route::PendingResolve => {
                let Ok(id) = param(0).parse::<i64>() else {
                    return Err(bad_request("pending id must be a number"));
                };
                let f = Fields::parse(body, &["referenceId", "notSameAs", "reason"])?;
                let seed001 = |m: &str| id_match_response(Err(ServiceError::BadRequest(m.into())));
                let Some(choice) = f.0.get("referenceId").and_then(Value::as_str) else {
                    return Err(seed001(
                        "referenceId: is required (a reference id or \"new\")",
                    ));
                };
                let not_same_as = match f.0.get("notSameAs") {
                    None => Vec::new(),
                    Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect(),
                    Some(_) => return Err(seed001("notSameAs: must be a list of reference ids")),
                };
                let reason = match f.0.get("reason") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(_) => return Err(seed001("reason: must be a string")),
                };
                Request::PendingResolve {
                    id,
                    choice: choice.to_string(),
                    not_same_as,
                    reason,
                }
            }
            Route::LinkChanges => Request::LinkChanges {
                limit: query.limit(500)?,
                after: query.int("after", 0)?,
            },
            Route::Login => {
                let f = Fields::parse(body, &["name", "password"])?;
                Request::Login {
                    name: f.text("name")?,
                    password: f.text("password")?,
                }
            }
            Route::Outbox => Request::Outbox {
                limit: query.limit(200)?,
            },
            Route::SyncNow => {
                Fields::parse(body, &[])?;
                Request::SyncNow
            }
            Route::HubGet => Request::HubGet,
            Route::HubPut => {
                let f = Fields::parse(body, &["url", "keyId", "secret"])?;
                Request::HubPut {
                    url: f.text("url")?,
                    key_id: f.text("keyId")?,
                    secret: f.optional_text("secret")?,
                }
            }
            Route::HubTest => {
                Fields::parse(body, &[])?;
                Request::HubTest
            }
            Route::MatchModel => Request::MatchModel,
            Route::Stats => Request::Stats,
            Route::Scan => Request::Scan { id: param(0) },
            Route::GetSetting => Request::GetSetting { key: param(0) },
            Route::PutSetting => {
                let f = Fields::parse(body, &["value"])?;
                // A setting's value is text; a number or a boolean sent as
                // JSON is taken as its JSON text.
                let value = match f.0.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                Request::PutSetting {
                    key: param(0),
                    value,
                }
            }
            Route::Search => Request::Search {
                offset: query.offset()?,
                limit: query.limit(100)?,
                q: query.get("q").unwrap_or("").to_string(),
            },
            Route::GenericList => Request::GenericList {
                offset: query.offset()?,
                limit: query.limit(50)?,
                code: query.get("code").map(String::from),
            },
            Route::WorkingCopies => Request::WorkingCopies,
            Route::MyChanges => Request::MyChanges,
            Route::Withdraw => {
                Fields::parse(body, &[])?;
                Request::Withdraw { id: param(0) }
            }
            Route::Approve => Request::Approve { id: param(0) },
            Route::Reject => {
                let f = Fields::parse(body, &["reason"])?;
                Request::Reject {
                    id: param(0),
                    reason: f.text("reason")?,
                }
            }
            Route::GenericHistory => Request::GenericHistory { id: param(0) },
            Route::GenericGet => Request::GenericGet { id: param(0) },
            Route::GenericDelete => Request::GenericDelete { id: param(0) },
            Route::Audit => Request::Audit {
                limit: query.limit(super::MAX_LIMIT)?,
                person: query.get("person").map(String::from),
            },
            Route::Users => Request::Users,
            Route::AddUser => {
                let f = Fields::parse(body, &["name", "role", "password"])?;
                Request::AddUser {
                    role: Role::parse(&f.text("role")?).ok_or_else(bad_role)?,
                    name: f.text("name")?,
                    password: f.text("password")?,
                }
            }
            Route::UpdateUser => {
                let f = Fields::parse(body, &["role", "password", "disabled"])?;
                let role = match f.0.get("role") {
                    None => None,
                    Some(r) => Some(r.as_str().and_then(Role::parse).ok_or_else(bad_role)?),
                };
                let disabled = match f.0.get("disabled") {
                    None => None,
                    Some(d) => Some(d.as_bool().ok_or_else(|| {
                        super::error_response(&ServiceError::BadRequest(
                            "disabled: must be true or false".into(),
                        ))
                    })?),
                };
                Request::UpdateUser {
                    name: param(0),
                    change: UserChange {
                        role,
                        password: f.optional_text("password")?,
                        disabled,
                    },
                }
            }
            Route::Unlink | Route::MoveRecord => {
                let f = Fields::parse(body, &["sor", "sorId", "reason"])?;
                let (reference_id, sor, sor_id, reason) = (
                    param(0),
                    f.text("sor")?,
                    f.text("sorId")?,
                    f.text("reason")?,
                );
                if route == Route::Unlink {
                    Request::Unlink {
                        reference_id,
                        sor,
                        sor_id,
                        reason,
                    }
                } else {
                    Request::MoveRecord {
                        reference_id,
                        sor,
                        sor_id,
                        reason,
                    }
                }
            }
            Route::Merge => {
                let f = Fields::parse(body, &["survivor", "merged", "reason"])?;
                Request::Merge {
                    survivor: f.text("survivor")?,
                    merged: f.text("merged")?,
                    reason: f.text("reason")?,
                }
            }
            Route::Unmerge => {
                let f = Fields::parse(body, &["merged", "reason"])?;
                Request::Unmerge {
                    survivor: param(0),
                    merged: f.text("merged")?,
                    reason: f.text("reason")?,
                }
            }
            Route::DeskLink => {
                let f = Fields::parse(body, &["referenceId", "sorAttributes"])?;
                Request::DeskLink {
                    reference_id: f.text("referenceId")?,
                    attributes: f.0.get("sorAttributes").cloned().unwrap_or(Value::Null),
                }
            }
            Route::NotDuplicates | Route::UndoNotDuplicates => {
                let f = Fields::parse(body, &["a", "b", "reason"])?;
                let (a, b, reason) = (f.text("a")?, f.text("b")?, f.text("reason")?);
                if route == Route::NotDuplicates {
                    Request::NotDuplicates { a, b, reason }
                } else {
                    Request::UndoNotDuplicates { a, b, reason }
                }
            }
            Route::LinkHistory => Request::LinkHistory {
                reference_id: param(0),
            },
        })
    }
}

fn bad_role() -> ApiResponse {
    super::error_response(&ServiceError::BadRequest(
        "role: must be admin, reviewer or receptionist".into(),
    ))
}

/// A body a seed defines that is not JSON, answered in that seed's shape.
enum SeedRefusal {
    Seed000(String),
    Seed001(String),
    Seed004(String),
}

impl From<SeedRefusal> for ApiResponse {
    fn from(r: SeedRefusal) -> ApiResponse {
        match r {
            SeedRefusal::Seed000(m) => {
                super::seed000_error(&crate::core::ids::trace_id(), "BAD_REQUEST", &m, json!({}))
            }
            SeedRefusal::Seed001(m) => id_match_response(Err(ServiceError::BadRequest(m))),
            SeedRefusal::Seed004(m) => super::seed_004_refusal(400, &m, Value::Null),
        }
    }
}

/// A JSON object body with these properties at most.
struct Fields(serde_json::Map<String, Value>);

impl Fields {
    /// Anything but the named properties is a 422 with its path, never
    /// dropped.
    fn parse(body: &[u8], keys: &[&str]) -> Result<Fields, ApiResponse> {
        let o = parse_map(body)?;
        if let Some(k) = crate::core::validate::unknown_property(&o, keys) {
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
        Ok(Fields(o))
    }

    /// A text property; absent is empty (the service says what an empty
    /// value means), any other JSON type is refused with the field's name.
    fn text(&self, key: &str) -> Result<String, ApiResponse> {
        Ok(self.optional_text(key)?.unwrap_or_default())
    }

    fn optional_text(&self, key: &str) -> Result<Option<String>, ApiResponse> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad_request(&format!("{key}: must be a string"))),
        }
    }
}

/// Typed access to the decoded query.
pub(super) struct Query<'a>(pub(super) &'a [(String, String)]);

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

    /// `limit`: 1 to [`super::MAX_LIMIT`].
    fn limit(&self, default: i64) -> Result<i64, ApiResponse> {
        let n = self.int("limit", default)?;
        if (1..=super::MAX_LIMIT).contains(&n) {
            Ok(n)
        } else {
            Err(bad_request(&format!(
                "limit: must be from 1 to {}, got {n}",
                super::MAX_LIMIT
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
