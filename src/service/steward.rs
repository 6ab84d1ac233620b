//! Identity stewardship (issue 14): a reviewer moves a record to another
//! person, merges two persons and undoes the merge, records that two
//! persons are not the same, and reads a person's link history. Each
//! operation is one transaction with an audit row naming the actor and the
//! reason, and a link event on every person it changes. Unlink lives
//! beside the matcher (`idmatch::Registry::unlink`).

use super::idmatch::{self, Candidate, LOCAL_SOR, Why};
use super::{Actor, Registry, Result, ServiceError};
use crate::core::model::MergedFrom;
use crate::store::accounts::audit;
use crate::store::matching as sm;
use crate::store::steward::{self as ss, LinkEvent, Moved};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// A link event as `GET /people/{referenceId}/history` sends it and the
/// person view reads it.
pub use crate::store::steward::LinkEventRow;

fn reason_of(reason: &str) -> Result<&str> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ServiceError::BadRequest(
            "reason: is required: say why, for the person's history".into(),
        ));
    }
    Ok(r)
}

fn not_found(key: &str) -> ServiceError {
    ServiceError::NotFound {
        entity: "person",
        id: key.to_string(),
    }
}

/// The active person a request names by reference id or public id: a
/// merged person or a working copy is a conflict that says what it is.
pub(super) fn active_person(conn: &Connection, key: &str) -> Result<i64> {
    let (seq, status, into) = ss::find_any(conn, key)?.ok_or_else(|| not_found(key))?;
    match status.as_str() {
        "active" => Ok(seq),
        "merged" => {
            let survivor = into
                .map(|s| crate::store::reference_and_person_id(conn, s))
                .transpose()?;
            Err(ServiceError::Conflict(format!(
                "{key} was merged into {}: use that person, or unmerge first",
                survivor.map(|(r, _)| r).unwrap_or_default()
            )))
        }
        _ => Err(ServiceError::Conflict(format!(
            "{key} is a working copy, not a person"
        ))),
    }
}

/// The person a merged person now lives in (following merges of merges),
/// and what to say about the merge: its ids and when.
pub fn survivor_of(conn: &Connection, seq: i64) -> Result<(i64, MergedFrom)> {
    let (reference_id, id) = crate::store::reference_and_person_id(conn, seq)?;
    let mut merged_at = String::new();
    let mut at = seq;
    for _ in 0..64 {
        match ss::open_merge(conn, at)? {
            Some((_, survivor, when, _)) => {
                if at == seq {
                    merged_at = when;
                }
                at = survivor;
            }
            None => break,
        }
    }
    Ok((
        at,
        MergedFrom {
            id,
            reference_id,
            merged_at,
        },
    ))
}

/// What a merge or unmerge leaves behind besides the moves: a line in
/// both persons' histories, the audit row, and for persons the hub knows,
/// the outbox row that tells it (`hub`: the service, and the survivor's id
/// for a link).
struct MergeChange<'a> {
    operation: &'a str,
    /// (survivor, merged) as seqs, and as the request named them.
    pair: (i64, i64),
    refs: (&'a str, &'a str),
    reason: &'a str,
    moved: &'a Moved,
    hub: Option<(&'a str, Option<&'a str>)>,
}

impl MergeChange<'_> {
    fn record(&self, conn: &Connection, now: &str, actor: &str) -> Result<Value> {
        let (s, m) = self.pair;
        let on_merged = if self.operation == "merged" {
            "merged_into"
        } else {
            self.operation
        };
        pair_events(
            conn,
            now,
            actor,
            (s, m),
            (self.operation, on_merged),
            self.reason,
        )?;
        let (_, survivor_id) = crate::store::reference_and_person_id(conn, s)?;
        if let Some((service, target)) = self.hub {
            let (_, m_id) = crate::store::reference_and_person_id(conn, m)?;
            let site = super::outbox::site_source(conn)?;
            let mut content = json!({"source": {"name": site, "id": m_id}, "reason": self.reason});
            if let Some(t) = target {
                content["target"] = json!({"name": site, "id": t});
            }
            super::outbox::enqueue_service(conn, &m_id, service, content, now)?;
        }
        let detail = json!({"survivor": self.refs.0, "merged": self.refs.1, "reason": self.reason,
            "records": self.moved.records.len(), "documents": self.moved.documents.len(),
            "identifiers": self.moved.identifiers.len()});
        audit(
            conn,
            now,
            actor,
            &format!("people.{}", self.operation),
            Some(&survivor_id),
            "",
            &detail,
        )?;
        Ok(detail)
    }
}

/// Record inside the caller's transaction that persons `a` and `b` are
/// different people, on both histories; a conflict if already recorded.
pub(super) fn record_not_duplicates(
    conn: &Connection,
    now: &str,
    actor: &str,
    (a, b): (i64, i64),
    reason: &str,
) -> Result<()> {
    if let Some((who, at)) = ss::not_duplicates(conn, a, b)? {
        let (ra, _) = crate::store::reference_and_person_id(conn, a)?;
        let (rb, _) = crate::store::reference_and_person_id(conn, b)?;
        return Err(ServiceError::Conflict(format!(
            "{who} already recorded {ra} and {rb} as different people at {at}"
        )));
    }
    ss::insert_not_duplicates(conn, a, b, now, actor, reason)?;
    let op = "not_duplicates";
    pair_events(conn, now, actor, (a, b), (op, op), reason)
}

/// One change to two persons, on both histories: `op_a` on `a` (the other
/// being `b`) and `op_b` on `b`.
fn pair_events(
    conn: &Connection,
    now: &str,
    actor: &str,
    (a, b): (i64, i64),
    (op_a, op_b): (&str, &str),
    reason: &str,
) -> Result<()> {
    for (person, other, operation) in [(a, b, op_a), (b, a, op_b)] {
        let e = LinkEvent {
            operation,
            person,
            other: Some(other),
            reason: Some(reason),
            ..LinkEvent::default()
        };
        ss::insert_link_event(conn, now, actor, &e)?;
    }
    Ok(())
}

impl Registry {
    /// `POST /people/{referenceId}/link`: move the SOR record `(sor,
    /// sor_id)` from the person that has it to `to`. Returns the reference
    /// id it came from.
    pub fn move_record(
        &mut self,
        actor: &Actor,
        to: &str,
        sor: &str,
        sor_id: &str,
        reason: &str,
    ) -> Result<String> {
        let reason = reason_of(reason)?;
        let now = self.now_str();
        let version = self.match_params().version;
        let tx = self.store.conn.transaction()?;
        let to_seq = active_person(&tx, to)?;
        let row = sm::find_sor(&tx, sor, sor_id)?.ok_or_else(|| ServiceError::NotFound {
            entity: "SOR record",
            id: format!("{sor}/{sor_id}"),
        })?;
        let (from_ref, _) = crate::store::reference_and_person_id(&tx, row.person_seq)?;
        if row.person_seq == to_seq {
            return Err(ServiceError::Conflict(format!(
                "SOR record {sor}/{sor_id} is already linked to {to}"
            )));
        }
        if sor == LOCAL_SOR {
            return Err(ServiceError::Conflict(format!(
                "{sor}/{sor_id} is the person registered at this desk: merge {from_ref} into {to} instead"
            )));
        }
        if sm::load_records(&tx, row.person_seq)?.len() < 2 {
            return Err(ServiceError::Conflict(format!(
                "SOR record {sor}/{sor_id} is the only record of {from_ref}: merge {from_ref} into {to} instead"
            )));
        }
        let rec = idmatch::stored_keyed(&row, sor, sor_id);
        let at = idmatch::RecordAt::of(sor, sor_id);
        let why = Why {
            actor: &actor.name,
            now: &now,
            confidence: None,
            model_version: Some(version),
            reason: Some(reason),
        };
        let before = idmatch::Before {
            previous: Some(row.person_seq),
            others: None,
            queued: None,
        };
        idmatch::attach(&tx, to_seq, before, at, &rec, "linked", why)?;
        audit(
            &tx,
            &now,
            &actor.name,
            "people.moved",
            None,
            "",
            &json!({"from": from_ref, "to": to, "sor": sor, "sorId": sor_id, "reason": reason}),
        )?;
        tx.commit()?;
        Ok(from_ref)
    }

    /// `POST /people/merge`: every SOR record, document and issued
    /// identifier of `merged` moves to `survivor`; `merged` keeps its row
    /// and ids, which resolve to the survivor from now on. Refused, with
    /// nothing written, when both hold an issued identifier of one type,
    /// when a change waits for review on either, or when a steward called
    /// them different people.
    pub fn merge(
        &mut self,
        actor: &Actor,
        survivor: &str,
        merged: &str,
        reason: &str,
    ) -> Result<Value> {
        let reason = reason_of(reason)?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let s = active_person(&tx, survivor)?;
        let m = active_person(&tx, merged)?;
        if s == m {
            return Err(ServiceError::Conflict(format!(
                "{survivor} and {merged} are the same person"
            )));
        }
        for (seq, key) in [(s, survivor), (m, merged)] {
            if ss::has_working_copy(&tx, seq)? {
                return Err(ServiceError::Conflict(format!(
                    "a change to {key} waits for review: approve or reject it first"
                )));
            }
        }
        if let Some((who, at)) = ss::not_duplicates(&tx, s, m)? {
            return Err(ServiceError::Conflict(format!(
                "{who} recorded {survivor} and {merged} as different people at {at}: undo that first"
            )));
        }
        let kept = ss::identifiers_of(&tx, s)?;
        let incoming = ss::identifiers_of(&tx, m)?;
        let clashes: Vec<String> = incoming
            .iter()
            .filter_map(|(_, kind, number)| {
                kept.iter()
                    .find(|(_, k, _)| k == kind)
                    .map(|(_, _, n)| format!("{kind} ({n} and {number})"))
            })
            .collect();
        if !clashes.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "both persons hold an issued identifier of one type, and a person holds one of each type: {}",
                clashes.join(", ")
            )));
        }
        let records = sm::load_records(&tx, m)?;
        let (_, m_id) = crate::store::reference_and_person_id(&tx, m)?;
        let (_, s_id) = crate::store::reference_and_person_id(&tx, s)?;
        // Both registered at this desk: the hub knows them as this site's
        // source records, and learns of the merge through the outbox.
        let desk = |recs: &[sm::SourcedRecord], id: &str| {
            recs.iter().any(|r| r.sor == LOCAL_SOR && r.sor_id == id)
        };
        let at_hub = desk(&records, &m_id) && desk(&sm::load_records(&tx, s)?, &s_id);
        let moved = Moved {
            sor_records: ss::sor_keys_of(&tx, m)?,
            records: records.into_iter().map(|r| (r.sor, r.sor_id)).collect(),
            documents: ss::documents_of(&tx, m)?,
            identifiers: incoming.into_iter().map(|(id, _, _)| id).collect(),
        };
        for (sor, sor_id) in &moved.sor_records {
            ss::set_sor_person(&tx, sor, sor_id, s)?;
        }
        sm::move_records(&tx, m, s)?;
        let next = ss::documents_of(&tx, s)?
            .iter()
            .map(|(_, p)| p + 1)
            .max()
            .unwrap_or(0);
        for (i, (id, _)) in moved.documents.iter().enumerate() {
            ss::set_document_person(&tx, *id, s, next + i as i64)?;
        }
        for id in &moved.identifiers {
            ss::set_identifier_person(&tx, id, s)?;
        }
        ss::set_merged(&tx, m, Some(s))?;
        ss::insert_merge(&tx, s, m, &now, &actor.name, reason, &moved)?;
        let change = MergeChange {
            operation: "merged",
            pair: (s, m),
            refs: (survivor, merged),
            reason,
            moved: &moved,
            hub: at_hub.then_some(("/linkSource", Some(s_id.as_str()))),
        };
        let detail = change.record(&tx, &now, &actor.name)?;
        tx.commit()?;
        Ok(detail)
    }

    /// `POST /people/{referenceId}/unmerge`: `merged` comes back as it was
    /// before the merge, with exactly the SOR records, documents and issued
    /// identifiers it brought. Refused when any of them has since been
    /// moved on, or the survivor was itself merged.
    pub fn unmerge(
        &mut self,
        actor: &Actor,
        survivor: &str,
        merged: &str,
        reason: &str,
    ) -> Result<Value> {
        let reason = reason_of(reason)?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let s = active_person(&tx, survivor)?;
        let (m, status, into) = ss::find_any(&tx, merged)?.ok_or_else(|| not_found(merged))?;
        if status != "merged" || into != Some(s) {
            return Err(ServiceError::Conflict(format!(
                "{merged} is not merged into {survivor}"
            )));
        }
        let (merge_id, _, _, moved) = ss::open_merge(&tx, m)?.ok_or_else(|| not_found(merged))?;
        for (sor, sor_id) in &moved.sor_records {
            let here = sm::find_sor(&tx, sor, sor_id)?.map(|r| r.person_seq);
            if here != Some(s) {
                return Err(ServiceError::Conflict(format!(
                    "SOR record {sor}/{sor_id} has left {survivor} since the merge: move it back first"
                )));
            }
        }
        let docs_here = ss::documents_of(&tx, s)?;
        if let Some((id, _)) = moved
            .documents
            .iter()
            .find(|(id, _)| !docs_here.iter().any(|(d, _)| d == id))
        {
            return Err(ServiceError::Conflict(format!(
                "document {id} has left {survivor} since the merge"
            )));
        }
        let ids_here = ss::identifiers_of(&tx, s)?;
        if let Some(id) = moved
            .identifiers
            .iter()
            .find(|id| !ids_here.iter().any(|(i, _, _)| i == *id))
        {
            return Err(ServiceError::Conflict(format!(
                "issued identifier {id} has left {survivor} since the merge"
            )));
        }
        for (sor, sor_id) in &moved.sor_records {
            ss::set_sor_person(&tx, sor, sor_id, m)?;
        }
        sm::move_some_records(&tx, s, Some(m), &moved.records)?;
        for (id, position) in &moved.documents {
            ss::set_document_person(&tx, *id, m, *position)?;
        }
        for id in &moved.identifiers {
            ss::set_identifier_person(&tx, id, m)?;
        }
        ss::set_merged(&tx, m, None)?;
        ss::close_merge(&tx, merge_id, &now, &actor.name, reason)?;
        let (_, m_id) = crate::store::reference_and_person_id(&tx, m)?;
        let at_hub = moved
            .records
            .iter()
            .any(|(sor, id)| sor == LOCAL_SOR && *id == m_id);
        let change = MergeChange {
            operation: "unmerged",
            pair: (s, m),
            refs: (survivor, merged),
            reason,
            moved: &moved,
            hub: at_hub.then_some(("/unlinkSource", None)),
        };
        let detail = change.record(&tx, &now, &actor.name)?;
        tx.commit()?;
        Ok(detail)
    }

    /// `POST /people/not-duplicates` (`undo` false) and `DELETE` the same
    /// (`undo` true): record, or take back, that `a` and `b` are different
    /// people. Such a pair is never offered as duplicates of each other,
    /// and never merged without taking the decision back first.
    pub fn not_duplicates(
        &mut self,
        actor: &Actor,
        a: &str,
        b: &str,
        reason: &str,
        undo: bool,
    ) -> Result<Value> {
        let reason = reason_of(reason)?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let sa = active_person(&tx, a)?;
        let sb = active_person(&tx, b)?;
        if sa == sb {
            return Err(ServiceError::Conflict(format!(
                "{a} and {b} are the same person"
            )));
        }
        let operation = if undo {
            if !ss::delete_not_duplicates(&tx, sa, sb)? {
                return Err(ServiceError::NotFound {
                    entity: "not-duplicates decision",
                    id: format!("{a}/{b}"),
                });
            }
            "not_duplicates_undone"
        } else {
            record_not_duplicates(&tx, &now, &actor.name, (sa, sb), reason)?;
            "not_duplicates"
        };
        if undo {
            pair_events(
                &tx,
                &now,
                &actor.name,
                (sa, sb),
                (operation, operation),
                reason,
            )?;
        }
        let detail = json!({"a": a, "b": b, "reason": reason});
        audit(
            &tx,
            &now,
            &actor.name,
            &format!("people.{operation}"),
            None,
            "",
            &detail,
        )?;
        tx.commit()?;
        Ok(detail)
    }

    /// `GET /people/{referenceId}/history`: every change to which records
    /// make up this person, oldest first: who, when, why, and for the
    /// engine's links the confidence and the model's version.
    pub fn link_history(&self, key: &str) -> Result<Vec<ss::LinkEventRow>> {
        let conn = &self.store.conn;
        let (seq, _, _) = ss::find_any(conn, key)?.ok_or_else(|| not_found(key))?;
        Ok(ss::link_events(conn, seq)?)
    }

    /// Possible duplicates of a registered person (`POST /people/candidates`
    /// with `referenceId`): the candidates of each of its records, best
    /// first, without the person itself and without the persons a steward
    /// called different from it.
    pub fn duplicates_of(&self, key: &str, limit: usize) -> Result<Vec<Candidate>> {
        let conn = &self.store.conn;
        let seq = active_person(conn, key)?;
        let params = self.match_params();
        let mut skip = ss::not_duplicates_of(conn, seq)?;
        skip.push(seq);
        let index = self.index.fresh(conn)?;
        let mut out: Vec<Candidate> = Vec::new();
        for r in sm::load_records(conn, seq)? {
            let found =
                idmatch::find_candidates(conn, &index, &r.rec, &params, params.review, limit + 5)?;
            for c in found {
                let Some(cs) = crate::store::find_seq(conn, &c.person_id)? else {
                    continue;
                };
                if skip.contains(&cs) {
                    continue;
                }
                match out.iter_mut().find(|o| o.person_id == c.person_id) {
                    Some(o) if o.confidence >= c.confidence => {}
                    Some(o) => *o = c,
                    None => out.push(c),
                }
            }
        }
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        out.truncate(limit);
        Ok(out)
    }
}

/// The golden record of `person` (`core::golden`): its SOR records, and
/// the data of each person registered at this desk among its records
/// (itself, or a person merged into it), each asserted when last written.
pub fn golden_of(
    conn: &Connection,
    person: &crate::core::model::Person,
    trusted: &[String],
) -> Result<Vec<crate::core::golden::GoldenField>> {
    use crate::core::golden::{Assertion, golden};
    let mut owned: Vec<(String, String, Map<String, Value>)> = Vec::new();
    for r in &person.sor_records {
        if let Value::Object(a) = &r.attributes {
            owned.push((r.sor.clone(), r.updated_at.clone(), a.clone()));
        }
    }
    for r in sm::load_records(conn, person.seq)?
        .into_iter()
        .filter(|r| r.sor == LOCAL_SOR)
    {
        let Some(seq) = crate::store::find_seq(conn, &r.sor_id)? else {
            continue;
        };
        let Some(p) = crate::store::load_person(conn, seq)? else {
            continue;
        };
        if let Value::Object(a) = desk_golden_attributes(&p.person) {
            owned.push((LOCAL_SOR.to_string(), p.updated_at.clone(), a));
        }
    }
    let assertions: Vec<Assertion> = owned
        .iter()
        .map(|(source, at, a)| Assertion {
            source,
            asserted_at: at,
            attributes: a,
        })
        .collect();
    Ok(golden(&assertions, trusted))
}

/// A desk registration's data under the attribute names of seed 001.
fn desk_golden_attributes(d: &crate::core::model::PersonData) -> Value {
    let mut a = idmatch::desk_attributes(d);
    a["middleName"] = json!(d.second_name.clone().unwrap_or_default());
    if let Some(ad) = d.addresses.first() {
        a["street"] = json!(ad.street.clone().unwrap_or_default());
        a["houseNumber"] = json!(ad.house_number.clone().unwrap_or_default());
        a["city"] = json!(ad.settlement.clone());
        a["postalCode"] = json!(ad.postal_code.clone().unwrap_or_default());
    }
    a
}
