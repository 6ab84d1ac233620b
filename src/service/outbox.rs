//! The workstation's outbox (seed 004): each local create or update leaves a
//! postIdentity payload, written in the same transaction as the change.

use super::Result;
use crate::core::model::Person;
use crate::core::post_identity;
use rusqlite::{Connection, OptionalExtension, params};

/// This site's Source name (no whitespace), from settings; `registrar` by default.
pub fn site_source(conn: &Connection) -> Result<String> {
    Ok(conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'site_source'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .filter(|s| !s.is_empty() && !s.chars().any(char::is_whitespace))
        .unwrap_or_else(|| "registrar".to_string()))
}

/// Queue the current state of an active person for the hub.
pub fn enqueue(conn: &Connection, person: &Person, now: &str) -> Result<i64> {
    let source = site_source(conn)?;
    let date = now.get(..19).unwrap_or(now);
    let payload = serde_json::json!({
        "content": {
            "responseIdentityFormatNames": ["DEFAULT"],
            "identity": post_identity::identity(person, &source, date),
        }
    });
    conn.prepare_cached("INSERT INTO outbox(person_id, payload, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![person.id, payload.to_string(), now])?;
    Ok(conn.last_insert_rowid())
}

/// Queue a call of one of the hub's link services (`/linkSource`,
/// `/unlinkSource`) about person `person_id`'s source record, behind every
/// change queued before it.
pub fn enqueue_service(
    conn: &Connection,
    person_id: &str,
    service: &str,
    content: serde_json::Value,
    now: &str,
) -> Result<i64> {
    let payload = serde_json::json!({"service": service, "body": {"content": content}});
    conn.prepare_cached("INSERT INTO outbox(person_id, payload, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![person_id, payload.to_string(), now])?;
    Ok(conn.last_insert_rowid())
}

/// One outbox row.
#[derive(Debug, Clone, serde::Serialize)]
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

pub fn list(conn: &Connection, unsent_only: bool, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT o.id, o.person_id, o.created_at, o.attempts, o.last_error, o.sent_at,
                    COALESCE(p.first_name || ' ' || p.last_name, ''), COALESCE(p.reference_id, '')
             FROM outbox o LEFT JOIN persons p ON p.id = o.person_id
             WHERE (?1 = 0 OR o.sent_at IS NULL) ORDER BY o.id",
        )?
        .query_map(params![unsent_only as i64], |r| {
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
        .take(limit.max(0) as usize)
        .collect::<rusqlite::Result<_>>()?)
}
