//! The outbox table: postIdentity payloads and link-service calls waiting
//! for the hub, and what the hub answered.

use super::{Result, exec, query_one};
use rusqlite::{Connection, OptionalExtension, params};

/// The `site_source` setting as stored (the service decides what a usable
/// one is).
pub fn site_source_setting(conn: &Connection) -> Result<Option<String>> {
    query_one(
        conn,
        "SELECT value FROM settings WHERE key = 'site_source'",
        [],
        |r| r.get(0),
    )
    .optional()
}

/// Queue a payload about `person_id`; returns the row's id.
pub fn insert(conn: &Connection, person_id: &str, payload: &str, now: &str) -> Result<i64> {
    exec(
        conn,
        "INSERT INTO outbox(person_id, payload, created_at) VALUES (?1, ?2, ?3)",
        params![person_id, payload, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One outbox row, as `GET /api/outbox` sends it and the Sync page reads it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OutboxRow {
    pub id: i64,
    pub person_id: String,
    /// The person's name and M-number, as people read them.
    pub name: String,
    pub reference_id: String,
    pub created_at: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

/// At most `limit` rows, oldest first.
pub fn list(conn: &Connection, limit: i64) -> Result<Vec<OutboxRow>> {
    conn.prepare_cached(
        "SELECT o.id, o.person_id, o.created_at, o.attempts, o.last_error, o.sent_at,
                COALESCE(p.first_name || ' ' || p.last_name, ''), COALESCE(p.reference_id, '')
         FROM outbox o LEFT JOIN persons p ON p.id = o.person_id
         ORDER BY o.id LIMIT ?1",
    )?
    .query_map([limit.max(0)], |r| {
        Ok(OutboxRow {
            id: r.get(0)?,
            person_id: r.get(1)?,
            created_at: r.get(2)?,
            attempts: r.get(3)?,
            last_error: r.get(4)?,
            sent_at: r.get(5)?,
            name: r.get(6)?,
            reference_id: r.get(7)?,
        })
    })?
    .collect()
}

/// One outbox row waiting to be sent, as the sync worker reads it.
#[derive(Debug, Clone)]
pub struct Unsent {
    pub id: i64,
    pub person_id: String,
    pub payload: String,
}

/// The next `limit` rows to send (neither sent nor refused for good), in
/// order.
pub fn unsent(conn: &Connection, limit: i64) -> Result<Vec<Unsent>> {
    conn.prepare_cached(
        "SELECT id, person_id, payload FROM outbox
         WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?1",
    )?
    .query_map([limit], |r| {
        Ok(Unsent {
            id: r.get(0)?,
            person_id: r.get(1)?,
            payload: r.get(2)?,
        })
    })?
    .collect()
}

/// The hub accepted row `id`: its answer is kept.
pub fn mark_sent(conn: &Connection, id: i64, now: &str, response: &str) -> Result<()> {
    exec(
        conn,
        "UPDATE outbox SET sent_at = ?2, response = ?3, last_error = NULL WHERE id = ?1",
        params![id, now, response],
    )
    .map(drop)
}

/// The hub refused row `id` for good: it is not sent again.
pub fn mark_failed(conn: &Connection, id: i64, now: &str, error: &str) -> Result<()> {
    exec(
        conn,
        "UPDATE outbox SET failed_at = ?2, last_error = ?3, attempts = attempts + 1 WHERE id = ?1",
        params![id, now, error],
    )
    .map(drop)
}

/// Row `id` could not be delivered this time; `attempt` says whether it
/// counts as a try (the hub was reached or not).
pub fn mark_error(conn: &Connection, id: i64, error: &str, attempt: Attempt) -> Result<()> {
    let sql = match attempt {
        Attempt::Counted => {
            "UPDATE outbox SET last_error = ?2, attempts = attempts + 1 WHERE id = ?1"
        }
        Attempt::NotCounted => "UPDATE outbox SET last_error = ?2 WHERE id = ?1",
    };
    exec(conn, sql, params![id, error]).map(drop)
}

/// Whether a failed delivery counts as an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Counted,
    NotCounted,
}

/// The hub's Link ID for the person with public id `person_id`.
pub fn set_link_id(conn: &Connection, person_id: &str, link_id: Option<&str>) -> Result<()> {
    exec(
        conn,
        "UPDATE persons SET link_id = ?2 WHERE id = ?1",
        params![person_id, link_id],
    )
    .map(drop)
}

/// The hub's Link ID for the person at `seq`.
pub fn set_link_id_of_seq(conn: &Connection, seq: i64, link_id: Option<&str>) -> Result<()> {
    exec(
        conn,
        "UPDATE persons SET link_id = ?2 WHERE seq = ?1",
        params![seq, link_id],
    )
    .map(drop)
}
