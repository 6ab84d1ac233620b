//! Seed 003: active persons and working copies, the approval queue, paging.

use super::accounts::{audit, require};
use super::{Actor, Registry, Result, Role, ServiceError};
use crate::core::ids;
use crate::core::model::*;
use crate::store::{self, NewPerson, accounts as sa, persons as sp};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// REL-IP-PERS-001.
pub fn working_copy_exists() -> ServiceError {
    ServiceError::WorkingCopy(super::error::WorkingCopyRule::Exists)
}

/// REL-IP-PERS-002.
pub fn working_copy_create_delete() -> ServiceError {
    ServiceError::WorkingCopy(super::error::WorkingCopyRule::CreateOrDelete)
}

/// One changed field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

/// Field-by-field differences between two versions of a person.
pub fn diff(old: &PersonData, new: &PersonData) -> Vec<FieldChange> {
    let strip = |p: &PersonData| {
        let mut v = serde_json::to_value(p).expect("person serialises");
        if let Some(o) = v.as_object_mut() {
            o.remove("authentication_methods");
        }
        if let Some(docs) = v.get_mut("documents").and_then(Value::as_array_mut) {
            for d in docs {
                if let Some(o) = d.as_object_mut() {
                    o.remove("scans");
                }
            }
        }
        if let Some(ii) = v
            .get_mut("issued_identifiers")
            .and_then(Value::as_array_mut)
        {
            for d in ii {
                if let Some(o) = d.as_object_mut() {
                    o.remove("issued_identifier_id");
                }
            }
        }
        let mut flat = Vec::new();
        flatten("", &v, &mut flat);
        flat
    };
    let (a, b) = (strip(old), strip(new));
    let mut out = Vec::new();
    for (k, va) in &a {
        match b.iter().find(|(kb, _)| kb == k) {
            Some((_, vb)) if vb == va => {}
            Some((_, vb)) => out.push(FieldChange {
                field: k.clone(),
                old: va.clone(),
                new: vb.clone(),
            }),
            None => out.push(FieldChange {
                field: k.clone(),
                old: va.clone(),
                new: Value::Null,
            }),
        }
    }
    for (k, vb) in &b {
        if !a.iter().any(|(ka, _)| ka == k) {
            out.push(FieldChange {
                field: k.clone(),
                old: Value::Null,
                new: vb.clone(),
            });
        }
    }
    out
}

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// The stored data as a request body (no scans, no authentication block).
fn as_request(p: &PersonData) -> Value {
    let mut v = serde_json::to_value(p).expect("person serialises");
    if let Some(o) = v.as_object_mut() {
        o.remove("authentication_methods");
        if let Some(docs) = o.get_mut("documents").and_then(Value::as_array_mut) {
            for d in docs {
                if let Some(d) = d.as_object_mut() {
                    d.remove("scans");
                }
            }
        }
    }
    v
}

/// Seed 003's read-only properties: accepted back as GET returned them.
const GENERIC_READ_ONLY: &[&str] = &[
    "dobInterpretation",
    "createdBy",
    "lastUpdatedBy",
    "objectLastUpdatedBy",
    "creationDate",
    "lastUpdatedDate",
    "objectLastUpdatedDate",
    "workingCopies",
    "links",
    "functionDynamicLogicId",
    "functionDynamicLogic",
    "language",
];
const GENERIC_ADDRESS_KEYS: &[&str] = &[
    "id",
    "street",
    "houseNumber",
    "city",
    "postalCode",
    "startDate",
    "state",
    "addressType",
    "country",
    "createdBy",
    "lastUpdatedBy",
    "objectVersionNumber",
    "links",
    "creationDate",
    "lastUpdatedDate",
];

/// Read a seed 003 write body (the representation GET returns) as a merge
/// patch of seed 002 person fields, plus the `person` object if one was
/// sent. Unknown properties, and changes to identifying read-only ones,
/// are refused with their path.
pub fn from_generic(
    body: &Value,
    current: &Person,
) -> std::result::Result<(Value, Option<Value>), Vec<crate::core::validate::Violation>> {
    use crate::core::validate::Violation;
    let mut errs = Vec::new();
    let Some(obj) = body.as_object() else {
        return Err(vec![Violation::new(
            "$",
            "type",
            "type mismatch. Expected object",
        )]);
    };
    let mut patch = Map::new();
    let text = |v: &Value, path: &str, errs: &mut Vec<Violation>| -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                errs.push(Violation::new(
                    path,
                    "type",
                    "type mismatch. Expected string",
                ));
                None
            }
        }
    };
    let identity = [
        ("id", current.seq.to_string()),
        ("uuid", current.id.clone()),
        ("code", current.reference_id.clone()),
        ("status", current.status.as_str().to_string()),
        ("subtype", "PERS".to_string()),
    ];
    for (key, value) in obj {
        let path = format!("$.{key}");
        match key.as_str() {
            "objectVersionNumber" | "person" => {}
            k if GENERIC_READ_ONLY.contains(&k) => {}
            k if identity.iter().any(|(n, _)| *n == k) => {
                let expected = &identity.iter().find(|(n, _)| *n == k).expect("listed").1;
                if text(value, &path, &mut errs).as_deref() != Some(expected.as_str()) {
                    errs.push(Violation::new(
                        &path,
                        "invariant",
                        format!("{key} is read-only (it is {expected})"),
                    ));
                }
            }
            "name" => {
                let Some(name) = text(value, &path, &mut errs) else { continue };
                if name == current.person.display_name() {
                    continue;
                }
                let parts: Vec<&str> = name.split_whitespace().collect();
                if parts.len() < 2 {
                    errs.push(Violation::new(
                        &path,
                        "format",
                        "name must give at least a first and a last name",
                    ));
                    continue;
                }
                patch.insert("first_name".into(), json!(parts[0]));
                patch.insert("last_name".into(), json!(parts[parts.len() - 1]));
                let middle = parts[1..parts.len() - 1].join(" ");
                patch.insert(
                    "second_name".into(),
                    if middle.is_empty() { Value::Null } else { json!(middle) },
                );
                patch.insert("prefix".into(), Value::Null);
                patch.insert("suffix".into(), Value::Null);
            }
            "dateOfBirth" => {
                if let Some(d) = text(value, &path, &mut errs) {
                    patch.insert("birth_date".into(), json!(d));
                }
            }
            "gender" => {
                if let Some(g) = text(value, &path, &mut errs) {
                    let g = match g.as_str() {
                        "M" | "MALE" => "MALE",
                        "F" | "FEMALE" => "FEMALE",
                        _ => {
                            errs.push(Violation::new(&path, "inclusion", "value is not allowed in enum: M, F"));
                            continue;
                        }
                    };
                    patch.insert("gender".into(), json!(g));
                }
            }
            "addressList" => {
                let Some(list) = value.as_array() else {
                    errs.push(Violation::new(&path, "type", "type mismatch. Expected array"));
                    continue;
                };
                let mut out = Vec::new();
                for (i, a) in list.iter().enumerate() {
                    let ap = format!("{path}[{i}]");
                    let Some(a) = a.as_object() else {
                        errs.push(Violation::new(&ap, "type", "type mismatch. Expected object"));
                        continue;
                    };
                    let mut addr = Map::new();
                    for (k, v) in a {
                        let kp = format!("{ap}.{k}");
                        let target = match k.as_str() {
                            "street" => "street",
                            "houseNumber" => "house_number",
                            "city" => "settlement",
                            "postalCode" => "postal_code",
                            "startDate" => "start_date",
                            "state" => "state",
                            "addressType" | "country" => {
                                let id = v.get("id").unwrap_or(v);
                                if let Some(t) = text(id, &format!("{kp}.id"), &mut errs) {
                                    addr.insert(if k == "addressType" { "type" } else { "country" }.into(), json!(t));
                                }
                                continue;
                            }
                            k if GENERIC_ADDRESS_KEYS.contains(&k) => continue,
                            _ => {
                                errs.push(Violation::new(
                                    &kp,
                                    "schema",
                                    format!("schema does not allow additional property {k}; allowed: {}", GENERIC_ADDRESS_KEYS.join(", ")),
                                ));
                                continue;
                            }
                        };
                        if !v.is_null()
                            && let Some(t) = text(v, &kp, &mut errs)
                        {
                            addr.insert(target.into(), json!(t));
                        }
                    }
                    out.push(Value::Object(addr));
                }
                patch.insert("addresses".into(), Value::Array(out));
            }
            _ => errs.push(Violation::new(
                &path,
                "schema",
                format!(
                    "schema does not allow additional property {key}; a person takes name, dateOfBirth, gender, addressList, person and objectVersionNumber"
                ),
            )),
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let inner = obj.get("person").map(|p| {
        let mut p = p.clone();
        if let Some(o) = p.as_object_mut() {
            // GET's `person` carries the registry's bookkeeping: not data.
            for k in [
                "id",
                "reference_id",
                "status",
                "active_id",
                "objectVersionNumber",
                "link_id",
                "created_by",
                "created_at",
                "updated_by",
                "updated_at",
                "sor_records",
            ] {
                o.remove(k);
            }
            // Server-kept parts: methods are never sent with an update, and
            // stored scans and identifier ids are not request data.
            o.remove("authentication_methods");
            if let Some(docs) = o.get_mut("documents").and_then(Value::as_array_mut) {
                for d in docs.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(scans) = d.get_mut("scans").and_then(Value::as_array_mut) {
                        scans.retain(|s| s.get("sha256").is_none());
                        if scans.is_empty() {
                            d.remove("scans");
                        }
                    }
                }
            }
            if let Some(ii) = o
                .get_mut("issued_identifiers")
                .and_then(Value::as_array_mut)
            {
                for i in ii.iter_mut().filter_map(Value::as_object_mut) {
                    i.remove("issued_identifier_id");
                }
            }
        }
        p
    });
    Ok((Value::Object(patch), inner))
}

/// The outcome of a PUT or PATCH.
#[derive(Debug, Clone)]
pub enum UpdateOutcome {
    /// Applied at once (reviewer or admin): 200.
    Applied(Person),
    /// Waiting for a reviewer: 202 with the working copy.
    WorkingCopy(Person),
}

/// A working copy in the approval queue, as `GET
/// /generic/persons/workingcopies` sends it and the Review page reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct QueueItem {
    pub id: i64,
    pub person_id: String,
    pub active_id: i64,
    pub code: String,
    pub name: String,
    pub author: String,
    pub created_at: String,
    pub age_seconds: i64,
    pub diff: Vec<FieldChange>,
}

/// Where one of a user's changes stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    /// Waiting for a reviewer (it can still be withdrawn).
    #[default]
    Waiting,
    Approved,
    Rejected,
}

/// One of a user's own changes to a person, as "My changes" lists it (the
/// Review page reads it as this type).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MyChange {
    pub state: ChangeState,
    /// The working copy, while it waits: the one to withdraw.
    pub working_copy: Option<i64>,
    pub person_id: String,
    pub code: String,
    pub name: String,
    /// When it was made (waiting) or decided.
    pub at: String,
    /// The reviewer who decided.
    pub by: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub diff: Value,
}

/// How many decided changes "My changes" lists, of each kind.
const MY_CHANGES_DECIDED: i64 = 50;

/// A page of seed 003's person list.
#[derive(Debug, Clone)]
pub struct Page {
    pub offset: i64,
    pub limit: i64,
    pub has_more: bool,
    pub items: Vec<(Person, Vec<Person>)>,
}

fn load(conn: &Connection, key: &str) -> Result<Person> {
    let seq = store::find_seq(conn, key)?.ok_or_else(|| ServiceError::NotFound {
        entity: "Person",
        id: key.to_string(),
    })?;
    store::load_person(conn, seq)?.ok_or_else(|| ServiceError::NotFound {
        entity: "Person",
        id: key.to_string(),
    })
}

impl Registry {
    /// `GET /generic/persons`: active persons, each with its working copies.
    /// Paging is keyset on a dense ordinal, so any offset costs the same.
    pub fn list_persons(&self, offset: i64, limit: i64, code: Option<&str>) -> Result<Page> {
        let conn = &self.store.conn;
        let limit = limit.clamp(1, 500);
        let offset = offset.max(0);
        let seqs: Vec<i64> = match code {
            Some(c) => store::active_seq(conn, c)?
                .into_iter()
                .skip(offset as usize)
                .collect(),
            None => sp::page_after(conn, offset, limit + 1)?,
        };
        let has_more = seqs.len() as i64 > limit;
        let mut items = Vec::new();
        for seq in seqs.into_iter().take(limit as usize) {
            let Some(p) = store::load_person(conn, seq)? else {
                continue;
            };
            let wcs = match sp::working_copy_of(conn, &p.id)? {
                Some(w) => store::load_person(conn, w)?.into_iter().collect(),
                None => vec![],
            };
            items.push((p, wcs));
        }
        Ok(Page {
            offset,
            limit,
            has_more,
            items,
        })
    }

    /// `POST /generic/persons`: an active person, through seed 002's rules.
    pub fn create_generic(
        &mut self,
        actor: &Actor,
        body: &Value,
    ) -> Result<super::PersonRequestOutcome> {
        let person = body.get("person").unwrap_or(body);
        let status = person
            .get("status")
            .or_else(|| body.get("status"))
            .and_then(Value::as_str);
        if matches!(
            status,
            Some("working_copy" | "workingcopy" | "WORKING_COPY")
        ) || person.get("active_id").is_some()
            || body.get("activeId").is_some()
        {
            return Err(working_copy_create_delete());
        }
        let mut req = json!({"person": person.clone()});
        if let Some(o) = req["person"].as_object_mut() {
            o.remove("status");
            if o.contains_key("id") {
                return Err(ServiceError::BadRequest(
                    "person.id: must not be sent when creating a person".into(),
                ));
            }
        }
        self.person_request(actor, &req)
    }

    /// `DELETE /generic/persons/{id}`.
    pub fn delete_generic(&mut self, _actor: &Actor, key: &str) -> Result<()> {
        let p = load(&self.store.conn, key)?;
        if p.status == PersonStatus::WorkingCopy {
            return Err(working_copy_create_delete());
        }
        Err(ServiceError::Conflict(
            "persons are never deleted from the registry".into(),
        ))
    }

    /// `PUT` (`patch` = false) or `PATCH` (`patch` = true) `/generic/persons/{id}`.
    pub fn update_generic(
        &mut self,
        actor: &Actor,
        key: &str,
        body: &Value,
        patch: bool,
    ) -> Result<UpdateOutcome> {
        let version = match body.get("objectVersionNumber") {
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or_default(),
            _ => {
                return Err(ServiceError::Validation(vec![
                    crate::core::validate::Violation::new(
                        "$.objectVersionNumber",
                        "required",
                        "objectVersionNumber is required (an integer) for an update",
                    ),
                ]));
            }
        };
        let current = load(&self.store.conn, key)?;
        if current.status == PersonStatus::WorkingCopy {
            return Err(ServiceError::Conflict(
                "a working copy changes only through approve or reject".into(),
            ));
        }
        if sp::working_copy_of(&self.store.conn, &current.id)?.is_some() {
            return Err(working_copy_exists());
        }
        if version != current.object_version_number {
            return Err(ServiceError::Conflict(format!(
                "objectVersionNumber {version} is stale: the person is at version {}",
                current.object_version_number
            )));
        }
        let mut person = as_request(&current.person);
        let (generic, inner) = from_generic(body, &current).map_err(ServiceError::Validation)?;
        match inner {
            // PUT replaces the whole seed 002 person; PATCH merges into it.
            Some(full) if !patch => person = full,
            Some(part) => merge_patch(&mut person, &part),
            None => {}
        }
        merge_patch(&mut person, &generic);
        if let Some(o) = person.as_object_mut() {
            o.insert("id".into(), json!(current.id));
        }
        let req = json!({"person": person});
        if actor.role == Role::Receptionist {
            self.create_working_copy(actor, &current, &req)
                .map(UpdateOutcome::WorkingCopy)
        } else {
            let out = self.person_request(actor, &req)?;
            Ok(UpdateOutcome::Applied(out.person))
        }
    }

    fn create_working_copy(
        &mut self,
        actor: &Actor,
        active: &Person,
        req: &Value,
    ) -> Result<Person> {
        let valid = self
            .check_person_request(req)
            .map_err(ServiceError::Validation)?;
        let mut data = valid.person.clone();
        data.authentication_methods = active.person.authentication_methods.clone();
        if data.issued_identifiers.is_empty() {
            data.issued_identifiers = active.person.issued_identifiers.clone();
        }
        for ii in &mut data.issued_identifiers {
            ii.issued_identifier_id = None;
        }
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        if sp::working_copy_of(&tx, &active.id)?.is_some() {
            return Err(working_copy_exists());
        }
        let id = ids::person_id();
        let seq = store::insert_person(
            &tx,
            &NewPerson {
                id: &id,
                reference_id: &active.reference_id,
                status: PersonStatus::WorkingCopy,
                active_id: Some(&active.id),
                version: active.object_version_number,
                data: &data,
                data_json: None,
                actor: &actor.name,
                now: &now,
            },
        )
        .map_err(|e| {
            if super::is_unique_violation(&e) {
                working_copy_exists()
            } else {
                e.into()
            }
        })?;
        for scan in &valid.scans {
            store::insert_scan(&tx, seq, scan.document_index, scan)?;
        }
        let changes = diff(&active.person, &data);
        audit(
            &tx,
            &now,
            actor,
            "person.working_copy.create",
            Some(&active.id),
            json!({"working_copy": id, "diff": changes}),
        )?;
        let wc = store::load_person(&tx, seq)?.expect("written in this transaction");
        tx.commit()?;
        Ok(wc)
    }

    /// The approval queue. Receptionists see their own working copies only.
    pub fn working_copies(&self, actor: &Actor) -> Result<Vec<QueueItem>> {
        let conn = &self.store.conn;
        let author = (actor.role == Role::Receptionist).then_some(actor.name.as_str());
        let seqs = sp::working_copies(conn, author)?;
        let now = self.now();
        let mut out = Vec::new();
        for seq in seqs {
            let Some(wc) = store::load_person(conn, seq)? else {
                continue;
            };
            let Some(active_key) = &wc.active_id else {
                continue;
            };
            let active = load(conn, active_key)?;
            let created = chrono::DateTime::parse_from_rfc3339(&wc.created_at)
                .map(|d| d.to_utc())
                .unwrap_or(now);
            out.push(QueueItem {
                id: wc.seq,
                person_id: wc.id.clone(),
                active_id: active.seq,
                code: active.reference_id.clone(),
                name: active.person.display_name(),
                author: wc.created_by.clone(),
                created_at: wc.created_at.clone(),
                age_seconds: (now - created).num_seconds().max(0),
                diff: diff(&active.person, &wc.person),
            });
        }
        Ok(out)
    }
}

impl Registry {
    /// The actor's own changes: those waiting for a reviewer, then the
    /// latest approved and rejected ones, newest first, with who decided and
    /// why a rejected one was refused. Every staff role has its own.
    pub fn my_changes(&self, actor: &Actor) -> Result<Vec<MyChange>> {
        let conn = &self.store.conn;
        let mut out: Vec<MyChange> = self
            .working_copies(actor)?
            .into_iter()
            .filter(|w| w.author == actor.name)
            .rev()
            .map(|w| MyChange {
                state: ChangeState::Waiting,
                working_copy: Some(w.id),
                person_id: w.person_id,
                code: w.code,
                name: w.name,
                at: w.created_at,
                by: None,
                reason: None,
                diff: serde_json::to_value(&w.diff).expect("diff serialises"),
            })
            .collect();
        let person = |id: &str| -> (String, String) {
            load(conn, id).map_or_else(
                |_| (String::new(), id.to_string()),
                |p| (p.reference_id.clone(), p.person.display_name()),
            )
        };
        let mut decided: Vec<MyChange> = Vec::new();
        for (person_id, h) in sa::history_by_author(conn, &actor.name, MY_CHANGES_DECIDED)? {
            let (code, name) = person(&person_id);
            decided.push(MyChange {
                state: ChangeState::Approved,
                working_copy: None,
                person_id,
                code,
                name,
                at: h.at,
                by: Some(h.approved_by),
                reason: None,
                diff: h.diff,
            });
        }
        for (r, diff) in sa::rejections_by_author(conn, &actor.name, MY_CHANGES_DECIDED)? {
            let (code, name) = person(&r.person_id);
            decided.push(MyChange {
                state: ChangeState::Rejected,
                working_copy: None,
                person_id: r.person_id,
                code,
                name,
                at: r.at,
                by: Some(r.rejected_by),
                reason: Some(r.reason),
                diff,
            });
        }
        // Timestamps are RFC 3339 in UTC: their text sorts as time does.
        decided.sort_by(|a, b| b.at.cmp(&a.at));
        out.extend(decided);
        Ok(out)
    }

    /// Withdraw a working copy that waits for a reviewer: only its author
    /// may, and it is deleted with its scans, as a rejection would, but
    /// without a reviewer's decision.
    pub fn withdraw(&mut self, actor: &Actor, key: &str) -> Result<()> {
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let (wc, active) = wc_and_active(&tx, key)?;
        if wc.created_by != actor.name {
            return Err(ServiceError::Forbidden(format!(
                "only its author withdraws a working copy: {} made this one, not {}",
                wc.created_by, actor.name
            )));
        }
        sp::delete(&tx, wc.seq)?;
        audit(
            &tx,
            &now,
            actor,
            "person.working_copy.withdraw",
            Some(&active.id),
            json!({"working_copy": wc.id}),
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn wc_and_active(conn: &Connection, key: &str) -> Result<(Person, Person)> {
    let mut wc = load(conn, key)?;
    if wc.status == PersonStatus::Active {
        // The active person's id names its working copy too.
        let seq = sp::working_copy_of(conn, &wc.id)?.ok_or_else(|| ServiceError::NotFound {
            entity: "Working copy",
            id: key.to_string(),
        })?;
        wc = store::load_person(conn, seq)?.ok_or_else(|| ServiceError::NotFound {
            entity: "Working copy",
            id: key.to_string(),
        })?;
    }
    let active = load(conn, wc.active_id.as_deref().unwrap_or_default())?;
    Ok((wc, active))
}

impl Registry {
    /// Approve: the active person takes the changes, its version goes up by
    /// one, the change goes into its history and the working copy is deleted.
    pub fn approve(&mut self, actor: &Actor, key: &str) -> Result<Person> {
        require(
            actor,
            &[Role::Reviewer, Role::Admin],
            "approving a working copy",
        )?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let (wc, active) = wc_and_active(&tx, key)?;
        let changes = diff(&active.person, &wc.person);
        let mut data = wc.person.clone();
        data.authentication_methods = active.person.authentication_methods.clone();
        let write = super::PersonWrite::Update {
            seq: active.seq,
            author: &wc.created_by,
        };
        let written = super::write_person(&tx, write, &data, &[], (&actor.name, &now))?;
        // The working copy's scans go to the documents just written.
        sp::move_scans(&tx, wc.seq, active.seq)?;
        sp::delete(&tx, wc.seq)?;
        sp::set_updated_by(&tx, active.seq, &actor.name)?;
        let changes_json = serde_json::to_value(&changes).expect("diff serialises");
        sa::add_history(
            &tx,
            &active.id,
            active.object_version_number + 1,
            &wc.created_by,
            &actor.name,
            &now,
            &changes_json,
        )?;
        audit(
            &tx,
            &now,
            actor,
            "person.working_copy.approve",
            Some(&active.id),
            json!({"working_copy": wc.id, "author": wc.created_by, "diff": changes,
                   "outbox": written.outbox}),
        )?;
        // The row as stored, with who approved it.
        let person = store::load_person(&tx, active.seq)?.unwrap_or(written.person);
        tx.commit()?;
        Ok(person)
    }

    /// Reject: the working copy is deleted and the reason kept.
    pub fn reject(&mut self, actor: &Actor, key: &str, reason: &str) -> Result<()> {
        require(
            actor,
            &[Role::Reviewer, Role::Admin],
            "rejecting a working copy",
        )?;
        if reason.trim().is_empty() {
            return Err(ServiceError::Validation(vec![
                crate::core::validate::Violation::new(
                    "$.reason",
                    "required",
                    "a reason is required to reject a working copy",
                ),
            ]));
        }
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let (wc, active) = wc_and_active(&tx, key)?;
        let changes =
            serde_json::to_value(diff(&active.person, &wc.person)).expect("diff serialises");
        sa::add_rejection(
            &tx,
            &active.id,
            &wc.created_by,
            &actor.name,
            reason.trim(),
            &now,
            &changes,
        )?;
        sp::delete(&tx, wc.seq)?;
        audit(
            &tx,
            &now,
            actor,
            "person.working_copy.reject",
            Some(&active.id),
            json!({"working_copy": wc.id, "author": wc.created_by, "reason": reason.trim()}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Approved changes of a person, oldest first.
    pub fn history(&self, key: &str) -> Result<Vec<sa::HistoryRow>> {
        let p = load(&self.store.conn, key)?;
        Ok(sa::history(
            &self.store.conn,
            p.active_id.as_deref().unwrap_or(&p.id),
        )?)
    }

    pub fn rejections(&self, key: &str) -> Result<Vec<sa::RejectionRow>> {
        let p = load(&self.store.conn, key)?;
        Ok(sa::rejections(
            &self.store.conn,
            p.active_id.as_deref().unwrap_or(&p.id),
        )?)
    }
}

/// Create `n` minimal active persons quickly (benchmarks of paging).
pub fn bulk_insert_minimal(conn: &Connection, n: usize, now: &str) -> Result<()> {
    for i in 0..n {
        let data = PersonData {
            first_name: format!("Given{i}"),
            last_name: format!("Family{}", i % 5000),
            birth_date: "1980-01-01".into(),
            gender: "FEMALE".into(),
            ..Default::default()
        };
        super::insert_new_person(conn, &data, "bench", now)?;
    }
    Ok(())
}

pub use crate::store::persons::PersonSummary;

impl Registry {
    /// The search box: name, reference id, tax id, document number or phone.
    /// An empty query pages through every active person (keyset on ordinal).
    /// Returns the page and the total number of hits.
    pub fn search(&self, q: &str, offset: i64, limit: i64) -> Result<(Vec<PersonSummary>, i64)> {
        let conn = &self.store.conn;
        let limit = limit.clamp(1, 1000);
        let offset = offset.max(0);
        if q.trim().is_empty() {
            let total = sp::active_count(conn)?;
            let seqs = sp::page_after(conn, offset, limit)?;
            return Ok((sp::summaries(conn, &seqs)?, total));
        }
        let index = self.index.fresh(conn)?;
        let seqs = crate::store::matching::search(conn, &index, q, 20_000)?;
        let total = seqs.len() as i64;
        let page: Vec<i64> = seqs
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok((sp::summaries(conn, &page)?, total))
    }
}
