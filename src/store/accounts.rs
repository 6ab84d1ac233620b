//! Users, the audit trail, approved-change history and rejections.

use super::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub fn user_count(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
}

/// (role, password hash) of a user.
pub fn find_user(conn: &Connection, name: &str) -> Result<Option<(String, String)>> {
    conn.query_row(
        "SELECT role, password_hash FROM users WHERE name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub fn insert_user(
    conn: &Connection,
    name: &str,
    role: &str,
    hash: &str,
    by: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO users(name, role, password_hash, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, role, hash, now, by],
    )?;
    Ok(())
}

/// An account as `GET /users` lists it (the Users page reads it as this
/// type, through `service::accounts::UserRow`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct UserRow {
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub created_by: String,
    pub disabled: bool,
}

const USER_COLUMNS: &str = "name, role, created_at, created_by, disabled";

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        name: r.get(0)?,
        role: r.get(1)?,
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        disabled: r.get(4)?,
    })
}

pub fn list_users(conn: &Connection) -> Result<Vec<UserRow>> {
    conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"))?
        .query_map([], user_row)?
        .collect()
}

pub fn get_user(conn: &Connection, name: &str) -> Result<Option<UserRow>> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"),
        [name],
        user_row,
    )
    .optional()
}

/// Admins whose accounts are not disabled.
pub fn active_admins(conn: &Connection) -> Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0",
        [],
        |r| r.get(0),
    )
}

/// Change what is given of a user's role, password hash and disabled mark.
pub fn update_user(
    conn: &Connection,
    name: &str,
    role: Option<&str>,
    hash: Option<&str>,
    disabled: Option<bool>,
) -> Result<()> {
    conn.execute(
        "UPDATE users SET role = coalesce(?2, role), password_hash = coalesce(?3, password_hash),
                          disabled = coalesce(?4, disabled) WHERE name = ?1",
        params![name, role, hash, disabled],
    )?;
    Ok(())
}

/// One row of the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub operation: String,
    pub person_id: Option<String>,
    pub trace_id: String,
    pub detail: serde_json::Value,
}

/// Append to the audit trail (the table refuses updates and deletes).
pub fn audit(
    conn: &Connection,
    at: &str,
    actor: &str,
    operation: &str,
    person_id: Option<&str>,
    trace_id: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit(at, actor, operation, person_id, trace_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![at, actor, operation, person_id, trace_id, detail.to_string()])?;
    Ok(())
}

pub fn list_audit(conn: &Connection, person_id: Option<&str>, limit: i64) -> Result<Vec<AuditRow>> {
    let mut st = conn.prepare(
        "SELECT id, at, actor, operation, person_id, trace_id, detail FROM audit
         WHERE ?1 IS NULL OR person_id = ?1 ORDER BY id LIMIT ?2",
    )?;
    st.query_map(params![person_id, limit], |r| {
        let d: String = r.get(6)?;
        Ok(AuditRow {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            operation: r.get(3)?,
            person_id: r.get(4)?,
            trace_id: r.get(5)?,
            detail: serde_json::from_str(&d).unwrap_or(serde_json::Value::Null),
        })
    })?
    .collect()
}

/// One approved version of a person (`diff`: the changed fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct HistoryRow {
    pub version: i64,
    pub author: String,
    pub approved_by: String,
    pub at: String,
    pub diff: serde_json::Value,
}

pub fn add_history(
    conn: &Connection,
    person_id: &str,
    version: i64,
    author: &str,
    approved_by: &str,
    at: &str,
    diff: &serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO person_history(person_id, version, author, approved_by, at, diff) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![person_id, version, author, approved_by, at, diff.to_string()],
    )?;
    Ok(())
}

pub fn history(conn: &Connection, person_id: &str) -> Result<Vec<HistoryRow>> {
    conn.prepare("SELECT version, author, approved_by, at, diff FROM person_history WHERE person_id = ?1 ORDER BY id")?
        .query_map([person_id], |r| history_row(r, 0))?
        .collect()
}

/// A `person_history` row whose `version, author, approved_by, at, diff`
/// columns start at `first`.
fn history_row(r: &rusqlite::Row, first: usize) -> rusqlite::Result<HistoryRow> {
    let d: String = r.get(first + 4)?;
    Ok(HistoryRow {
        version: r.get(first)?,
        author: r.get(first + 1)?,
        approved_by: r.get(first + 2)?,
        at: r.get(first + 3)?,
        diff: serde_json::from_str(&d).unwrap_or_default(),
    })
}

/// A `rejections` row read as `person_id, author, rejected_by, reason, at`.
fn rejection_row(r: &rusqlite::Row) -> rusqlite::Result<RejectionRow> {
    Ok(RejectionRow {
        person_id: r.get(0)?,
        author: r.get(1)?,
        rejected_by: r.get(2)?,
        reason: r.get(3)?,
        at: r.get(4)?,
    })
}

pub fn add_rejection(
    conn: &Connection,
    person_id: &str,
    author: &str,
    by: &str,
    reason: &str,
    at: &str,
    diff: &serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO rejections(person_id, author, rejected_by, reason, at, diff) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![person_id, author, by, reason, at, diff.to_string()],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectionRow {
    pub person_id: String,
    pub author: String,
    pub rejected_by: String,
    pub reason: String,
    pub at: String,
}

/// Changes `author` made that a reviewer approved, newest first, at most
/// `limit`: (person id, row).
pub fn history_by_author(
    conn: &Connection,
    author: &str,
    limit: i64,
) -> Result<Vec<(String, HistoryRow)>> {
    conn.prepare(
        "SELECT person_id, version, author, approved_by, at, diff FROM person_history
         WHERE author = ?1 ORDER BY id DESC LIMIT ?2",
    )?
    .query_map(params![author, limit], |r| {
        Ok((r.get(0)?, history_row(r, 1)?))
    })?
    .collect()
}

/// Changes `author` made that a reviewer rejected, newest first, at most
/// `limit`, with what they would have changed.
pub fn rejections_by_author(
    conn: &Connection,
    author: &str,
    limit: i64,
) -> Result<Vec<(RejectionRow, serde_json::Value)>> {
    conn.prepare(
        "SELECT person_id, author, rejected_by, reason, at, diff FROM rejections
         WHERE author = ?1 ORDER BY id DESC LIMIT ?2",
    )?
    .query_map(params![author, limit], |r| {
        let d: String = r.get(5)?;
        Ok((
            rejection_row(r)?,
            serde_json::from_str(&d).unwrap_or_default(),
        ))
    })?
    .collect()
}

pub fn rejections(conn: &Connection, person_id: &str) -> Result<Vec<RejectionRow>> {
    conn.prepare("SELECT person_id, author, rejected_by, reason, at FROM rejections WHERE person_id = ?1 ORDER BY id")?
        .query_map([person_id], rejection_row)?
        .collect()
}

/// Failed sign-ins in a row for `name`, and the time of the last one.
pub fn login_failures(conn: &Connection, name: &str) -> Result<Option<(i64, i64)>> {
    super::query_one(
        conn,
        "SELECT failures, last_at FROM login_failures WHERE name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub fn record_login_failure(conn: &Connection, name: &str, now: i64) -> Result<()> {
    super::exec(
        conn,
        "INSERT INTO login_failures(name, failures, last_at) VALUES (?1, 1, ?2)
         ON CONFLICT(name) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at",
        rusqlite::params![name, now],
    )?;
    Ok(())
}

pub fn clear_login_failures(conn: &Connection, name: &str) -> Result<()> {
    super::exec(conn, "DELETE FROM login_failures WHERE name = ?1", [name])?;
    Ok(())
}
