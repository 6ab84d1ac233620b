//! Tables of identity stewardship: merges (with exactly what moved),
//! pairs called different people, and each person's link history.

use super::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// One change to which records make up a person.
#[derive(Debug, Clone, Default)]
pub struct LinkEvent<'a> {
    /// `created`, `linked`, `moved_out`, `merged`, `merged_into`,
    /// `unmerged`, `not_duplicates`, `not_duplicates_undone`.
    pub operation: &'a str,
    pub person: i64,
    pub sor: Option<&'a str>,
    pub sor_id: Option<&'a str>,
    /// The other person concerned (where a record came from or went to,
    /// the survivor or the merged person, the other of a pair).
    pub other: Option<i64>,
    pub confidence: Option<f64>,
    pub model_version: Option<u32>,
    pub reason: Option<&'a str>,
}

pub fn insert_link_event(conn: &Connection, at: &str, actor: &str, e: &LinkEvent) -> Result<()> {
    if super::matching::hold_link_event(at, actor, e) {
        return Ok(());
    }
    insert_held_events(conn, &[HeldEvent::of(at, actor, e)])
}

/// A link event as it is written: at once, or held for a bulk load's
/// flush ([`super::matching::hold_link_event`]).
#[derive(Debug, Clone)]
pub(crate) struct HeldEvent {
    at: String,
    actor: String,
    operation: String,
    person: i64,
    sor: Option<String>,
    sor_id: Option<String>,
    other: Option<i64>,
    confidence: Option<f64>,
    model_version: Option<u32>,
    reason: Option<String>,
}

impl HeldEvent {
    pub(crate) fn of(at: &str, actor: &str, e: &LinkEvent) -> HeldEvent {
        HeldEvent {
            at: at.into(),
            actor: actor.into(),
            operation: e.operation.into(),
            person: e.person,
            sor: e.sor.map(Into::into),
            sor_id: e.sor_id.map(Into::into),
            other: e.other,
            confidence: e.confidence,
            model_version: e.model_version,
            reason: e.reason.map(Into::into),
        }
    }
}

/// `events` inserted in order.
pub(crate) fn insert_held_events(conn: &Connection, events: &[HeldEvent]) -> Result<()> {
    super::matching::insert_rows(
        conn,
        "INSERT INTO link_events(at, actor, operation, person_seq, sor, sor_id, other_seq,
                                 confidence, model_version, reason)",
        10,
        events,
        |st, at, e| {
            st.raw_bind_parameter(at, &e.at)?;
            st.raw_bind_parameter(at + 1, &e.actor)?;
            st.raw_bind_parameter(at + 2, &e.operation)?;
            st.raw_bind_parameter(at + 3, e.person)?;
            st.raw_bind_parameter(at + 4, &e.sor)?;
            st.raw_bind_parameter(at + 5, &e.sor_id)?;
            st.raw_bind_parameter(at + 6, e.other)?;
            st.raw_bind_parameter(at + 7, e.confidence)?;
            st.raw_bind_parameter(at + 8, e.model_version)?;
            st.raw_bind_parameter(at + 9, &e.reason)
        },
    )
}

/// A link event as `GET /people/{referenceId}/history` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkEventRow {
    pub at: String,
    pub actor: String,
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sor_id: Option<String>,
    /// The other person's reference id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub fn link_events(conn: &Connection, seq: i64) -> Result<Vec<LinkEventRow>> {
    let mut st = conn.prepare_cached(
        "SELECT e.at, e.actor, e.operation, e.sor, e.sor_id, o.reference_id, e.confidence,
                e.model_version, e.reason
         FROM link_events e LEFT JOIN persons o ON o.seq = e.other_seq
         WHERE e.person_seq = ?1 ORDER BY e.id",
    )?;
    st.query_map([seq], |r| {
        Ok(LinkEventRow {
            at: r.get(0)?,
            actor: r.get(1)?,
            operation: r.get(2)?,
            sor: r.get(3)?,
            sor_id: r.get(4)?,
            other: r.get(5)?,
            confidence: r.get(6)?,
            model_version: r.get(7)?,
            reason: r.get(8)?,
        })
    })?
    .collect()
}

/// A person found by reference id or public id whatever its status:
/// (seq, status, merged_into).
pub fn find_any(conn: &Connection, key: &str) -> Result<Option<(i64, String, Option<i64>)>> {
    conn.prepare_cached(
        "SELECT seq, status, merged_into FROM persons
         WHERE (reference_id = ?1 AND status = 'active')
            OR (reference_id = ?1 AND status = 'merged') OR id = ?1
         ORDER BY status = 'active' DESC LIMIT 1",
    )?
    .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}

/// What a merge moved from the merged person to the survivor, so that
/// unmerge can move exactly that back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    /// (sor, sorId) of each SOR record.
    pub sor_records: Vec<(String, String)>,
    /// (sor, sorId) of each comparable record (the SOR records and the
    /// person registered at the desk).
    #[serde(default)]
    pub records: Vec<(String, String)>,
    /// (document id, its position on the merged person).
    pub documents: Vec<(i64, i64)>,
    /// Issued identifier ids.
    pub identifiers: Vec<String>,
}

pub fn sor_keys_of(conn: &Connection, seq: i64) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT sor, sor_id FROM sor_records WHERE person_seq = ?1 ORDER BY sor, sor_id",
    )?;
    st.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

pub fn documents_of(conn: &Connection, seq: i64) -> Result<Vec<(i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, position FROM documents WHERE person_seq = ?1 ORDER BY position",
    )?;
    st.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// (id, type, number) of each issued identifier of a person.
pub fn identifiers_of(conn: &Connection, seq: i64) -> Result<Vec<(String, String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, type, issued_number FROM issued_identifiers WHERE person_seq = ?1 ORDER BY id",
    )?;
    st.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

pub fn set_sor_person(conn: &Connection, sor: &str, sor_id: &str, seq: i64) -> Result<()> {
    conn.prepare_cached("UPDATE sor_records SET person_seq = ?3 WHERE sor = ?1 AND sor_id = ?2")?
        .execute(params![sor, sor_id, seq])?;
    Ok(())
}

pub fn set_document_person(conn: &Connection, id: i64, seq: i64, position: i64) -> Result<()> {
    conn.prepare_cached("UPDATE documents SET person_seq = ?2, position = ?3 WHERE id = ?1")?
        .execute(params![id, seq, position])?;
    Ok(())
}

pub fn set_identifier_person(conn: &Connection, id: &str, seq: i64) -> Result<()> {
    conn.prepare_cached("UPDATE issued_identifiers SET person_seq = ?2 WHERE id = ?1")?
        .execute(params![id, seq])?;
    Ok(())
}

/// Mark `seq` merged into `survivor`, or active again (`None`); its own
/// data and update time stay as they were (the merge row says who and
/// when). Browsing
/// pages through active persons by a dense ordinal: a merged person gives
/// up its place to the last one, and an unmerged one takes the next.
pub fn set_merged(conn: &Connection, seq: i64, survivor: Option<i64>) -> Result<()> {
    let place: Option<i64> = conn
        .prepare_cached("SELECT ordinal FROM persons WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))?;
    conn.prepare_cached(
        "UPDATE persons SET status = CASE WHEN ?2 IS NULL THEN 'active' ELSE 'merged' END,
                            merged_into = ?2,
                            ordinal = CASE WHEN ?2 IS NULL THEN
                                (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM persons WHERE ordinal IS NOT NULL)
                                ELSE NULL END
         WHERE seq = ?1",
    )?
    .execute(params![seq, survivor])?;
    if let (Some(_), Some(place)) = (survivor, place) {
        conn.prepare_cached(
            "UPDATE persons SET ordinal = ?1
             WHERE ordinal = (SELECT MAX(ordinal) FROM persons WHERE ordinal IS NOT NULL)
               AND ordinal > ?1",
        )?
        .execute([place])?;
    }
    Ok(())
}

pub fn insert_merge(
    conn: &Connection,
    survivor: i64,
    merged: i64,
    at: &str,
    actor: &str,
    reason: &str,
    moved: &Moved,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO merges(survivor_seq, merged_seq, at, actor, reason, moved)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        survivor,
        merged,
        at,
        actor,
        reason,
        serde_json::to_string(moved).expect("moved serialises")
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The merge of `merged` that is in force: (id, survivor, when, what moved).
pub fn open_merge(conn: &Connection, merged: i64) -> Result<Option<(i64, i64, String, Moved)>> {
    conn.prepare_cached(
        "SELECT id, survivor_seq, at, moved FROM merges WHERE merged_seq = ?1 AND undone_at IS NULL",
    )?
    .query_row([merged], |r| {
        let moved: String = r.get(3)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            serde_json::from_str(&moved).unwrap_or_default(),
        ))
    })
    .optional()
}

pub fn close_merge(conn: &Connection, id: i64, at: &str, actor: &str, reason: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE merges SET undone_at = ?2, undone_by = ?3, undo_reason = ?4 WHERE id = ?1",
    )?
    .execute(params![id, at, actor, reason])?;
    Ok(())
}

fn ordered(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

/// Who called `a` and `b` different people, when and why.
pub fn not_duplicates(conn: &Connection, a: i64, b: i64) -> Result<Option<(String, String)>> {
    let (a, b) = ordered(a, b);
    conn.prepare_cached("SELECT actor, at FROM not_duplicates WHERE a_seq = ?1 AND b_seq = ?2")?
        .query_row([a, b], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

pub fn insert_not_duplicates(
    conn: &Connection,
    a: i64,
    b: i64,
    at: &str,
    actor: &str,
    reason: &str,
) -> Result<()> {
    let (a, b) = ordered(a, b);
    conn.prepare_cached(
        "INSERT INTO not_duplicates(a_seq, b_seq, at, actor, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![a, b, at, actor, reason])?;
    Ok(())
}

pub fn delete_not_duplicates(conn: &Connection, a: i64, b: i64) -> Result<bool> {
    let (a, b) = ordered(a, b);
    Ok(conn
        .prepare_cached("DELETE FROM not_duplicates WHERE a_seq = ?1 AND b_seq = ?2")?
        .execute([a, b])?
        > 0)
}

/// The persons a steward called different from `seq`.
pub fn not_duplicates_of(conn: &Connection, seq: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT b_seq FROM not_duplicates WHERE a_seq = ?1
         UNION SELECT a_seq FROM not_duplicates WHERE b_seq = ?1",
    )?;
    st.query_map([seq], |r| r.get(0))?.collect()
}

/// Does an active working copy wait on this person?
pub fn has_working_copy(conn: &Connection, seq: i64) -> Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM persons w JOIN persons p ON w.active_id = p.id
         WHERE p.seq = ?1 AND w.status = 'working_copy' LIMIT 1",
    )?
    .query_row([seq], |_| Ok(()))
    .optional()
    .map(|o| o.is_some())
}
