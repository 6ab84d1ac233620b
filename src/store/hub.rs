//! The hub's tables: source records posted by sites (`hub_sources`), their
//! asserted attribute values, the Link ID change feed, stewards' "kept
//! apart" decisions, clients, trackingIds and nonces. The service decides
//! (seed 004's rules); these functions read and write rows.

use super::{Result, exec, query_one};
use rusqlite::{Connection, OptionalExtension, params};

/// A source record: its Source name and its id there.
pub type SourceKey<'a> = (&'a str, &'a str);

/// The source records of a Link entity, oldest first: (source, id, identity JSON).
pub fn sources_of(conn: &Connection, seq: i64) -> Result<Vec<(String, String, String)>> {
    conn.prepare_cached(
        "SELECT source, native_id, identity FROM hub_sources WHERE person_seq = ?1
         ORDER BY created_at, source, native_id",
    )?
    .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

/// The Link entity a source record belongs to.
pub fn source_seq(conn: &Connection, (source, id): SourceKey<'_>) -> Result<Option<i64>> {
    query_one(
        conn,
        "SELECT person_seq FROM hub_sources WHERE source = ?1 AND native_id = ?2 LIMIT 1",
        [source, id],
        |r| r.get(0),
    )
    .optional()
}

/// A source record of one entity type: its Link entity and its identity JSON.
pub fn source_entity(
    conn: &Connection,
    (source, id): SourceKey<'_>,
    entity_type: &str,
) -> Result<Option<(i64, String)>> {
    query_one(
        conn,
        "SELECT person_seq, identity FROM hub_sources
         WHERE source = ?1 AND native_id = ?2 AND entity_type = ?3",
        params![source, id, entity_type],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// The identity JSON a source record was last posted with.
pub fn source_identity(conn: &Connection, (source, id): SourceKey<'_>) -> Result<String> {
    query_one(
        conn,
        "SELECT identity FROM hub_sources WHERE source = ?1 AND native_id = ?2 LIMIT 1",
        [source, id],
        |r| r.get(0),
    )
}

/// Store (or replace) a source record and the Link entity it belongs to.
pub fn upsert_source(
    conn: &Connection,
    (source, id): SourceKey<'_>,
    entity_type: &str,
    seq: i64,
    identity: &str,
    now: &str,
) -> Result<()> {
    exec(
        conn,
        "INSERT INTO hub_sources(source, native_id, entity_type, person_seq, identity, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT(source, native_id, entity_type) DO UPDATE SET
             person_seq = excluded.person_seq, identity = excluded.identity, updated_at = excluded.updated_at",
        params![source, id, entity_type, seq, identity, now],
    )
    .map(drop)
}

/// Every source record of entity `from` now belongs to `to`.
pub fn move_all_sources(conn: &Connection, from: i64, to: i64) -> Result<()> {
    exec(
        conn,
        "UPDATE hub_sources SET person_seq = ?1 WHERE person_seq = ?2",
        params![to, from],
    )
    .map(drop)
}

/// One source record now belongs to entity `to`.
pub fn move_source(conn: &Connection, (source, id): SourceKey<'_>, to: i64) -> Result<()> {
    exec(
        conn,
        "UPDATE hub_sources SET person_seq = ?3 WHERE source = ?1 AND native_id = ?2",
        params![source, id, to],
    )
    .map(drop)
}

/// Remove a source record and its asserted values.
pub fn delete_source(conn: &Connection, (source, id): SourceKey<'_>) -> Result<()> {
    exec(
        conn,
        "DELETE FROM hub_sources WHERE source = ?1 AND native_id = ?2",
        [source, id],
    )?;
    exec(
        conn,
        "DELETE FROM hub_attributes WHERE source = ?1 AND native_id = ?2",
        [source, id],
    )
    .map(drop)
}

/// Append a Link ID change of one source record to the feed the sites
/// read back (`GET /linkChanges`).
pub fn record_change(
    conn: &Connection,
    (source, id): SourceKey<'_>,
    (link, previous): (Option<&str>, Option<&str>),
    at: &str,
    cause: &str,
) -> Result<()> {
    exec(
        conn,
        "INSERT INTO hub_link_changes(source, native_id, link_id, previous_link_id, at, cause)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![source, id, link, previous, at, cause],
    )
    .map(drop)
}

/// One line of the Link ID change feed.
#[derive(Debug, Clone)]
pub struct LinkChange {
    pub seq: i64,
    pub source: String,
    pub id: String,
    pub link_id: Option<String>,
    pub previous_link_id: Option<String>,
    pub at: String,
    pub cause: String,
}

/// The feed after position `after`, oldest first, until `each` says stop
/// (returns false).
pub fn each_link_change(
    conn: &Connection,
    after: i64,
    mut each: impl FnMut(LinkChange) -> bool,
) -> Result<()> {
    let mut st = conn.prepare_cached(
        "SELECT seq, source, native_id, link_id, previous_link_id, at, cause
         FROM hub_link_changes WHERE seq > ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([after], |r| {
        Ok(LinkChange {
            seq: r.get(0)?,
            source: r.get(1)?,
            id: r.get(2)?,
            link_id: r.get(3)?,
            previous_link_id: r.get(4)?,
            at: r.get(5)?,
            cause: r.get(6)?,
        })
    })?;
    for row in rows {
        if !each(row?) {
            break;
        }
    }
    Ok(())
}

/// Does a steward's decision keep a source record of entity `a` apart
/// from a source record of entity `b`?
pub fn kept_apart(conn: &Connection, a: i64, b: i64) -> Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM hub_kept_apart k
         JOIN hub_sources a ON a.source = k.a_source AND a.native_id = k.a_id
         JOIN hub_sources b ON b.source = k.b_source AND b.native_id = k.b_id
         WHERE a.person_seq = ?1 AND b.person_seq = ?2 LIMIT 1",
    )?
    .exists([a, b])
}

/// A steward keeps two source records apart.
pub fn keep_apart(
    conn: &Connection,
    a: SourceKey<'_>,
    b: SourceKey<'_>,
    (at, actor, reason): (&str, &str, &str),
) -> Result<()> {
    exec(
        conn,
        "INSERT OR IGNORE INTO hub_kept_apart(a_source, a_id, b_source, b_id, at, actor, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![a.0, a.1, b.0, b.1, at, actor, reason],
    )
    .map(drop)
}

/// A source record joined by a steward is kept apart from nothing.
pub fn forget_kept_apart(conn: &Connection, (source, id): SourceKey<'_>) -> Result<()> {
    exec(
        conn,
        "DELETE FROM hub_kept_apart WHERE (a_source = ?1 AND a_id = ?2) OR (b_source = ?1 AND b_id = ?2)",
        [source, id],
    )
    .map(drop)
}

/// A post replaces the values of the clusters it carries: the old ones
/// stop being current.
pub fn retire_values(conn: &Connection, (source, id): SourceKey<'_>, cluster: &str) -> Result<()> {
    exec(
        conn,
        "UPDATE hub_attributes SET current = 0 WHERE source = ?1 AND native_id = ?2 AND cluster = ?3",
        [source, id, cluster],
    )
    .map(drop)
}

/// A value asserted on `date`: the first and last asserted dates widen.
pub fn assert_value(
    conn: &Connection,
    (source, id): SourceKey<'_>,
    cluster: &str,
    value: &str,
    date: &str,
) -> Result<()> {
    exec(
        conn,
        "INSERT INTO hub_attributes(source, native_id, cluster, value, first_asserted, last_asserted, current)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)
         ON CONFLICT(source, native_id, cluster, value) DO UPDATE SET
             first_asserted = MIN(first_asserted, excluded.first_asserted),
             last_asserted = MAX(last_asserted, excluded.last_asserted),
             current = 1",
        [source, id, cluster, value, date],
    )
    .map(drop)
}

/// The current values of a cluster over all of an entity's source
/// records, oldest first (repeats included).
pub fn entity_values(conn: &Connection, seq: i64, cluster: &str) -> Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT a.value FROM hub_attributes a
         JOIN hub_sources s ON s.source = a.source AND s.native_id = a.native_id
         WHERE s.person_seq = ?1 AND a.cluster = ?2 AND a.current = 1
         ORDER BY a.first_asserted, a.value",
    )?
    .query_map(params![seq, cluster], |r| r.get(0))?
    .collect()
}

/// The current values of a cluster of one source record, with their
/// asserted dates: (value, first, last).
pub fn source_values(
    conn: &Connection,
    (source, id): SourceKey<'_>,
    cluster: &str,
) -> Result<Vec<(String, String, String)>> {
    conn.prepare_cached(
        "SELECT value, first_asserted, last_asserted FROM hub_attributes
         WHERE source = ?1 AND native_id = ?2 AND cluster = ?3 AND current = 1
         ORDER BY first_asserted, value",
    )?
    .query_map([source, id, cluster], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .collect()
}

/// Bind a key id to the first workstation instance that uses it; returns
/// the instance it is bound to.
pub fn bind_key_instance(
    conn: &Connection,
    key_id: &str,
    instance: &str,
    now: &str,
) -> Result<String> {
    exec(
        conn,
        "INSERT OR IGNORE INTO hub_key_instances(key_id, instance, first_seen) VALUES (?1, ?2, ?3)",
        [key_id, instance, now],
    )?;
    query_one(
        conn,
        "SELECT instance FROM hub_key_instances WHERE key_id = ?1",
        [key_id],
        |r| r.get(0),
    )
}

/// What was stored for a client's trackingId, if it was seen.
pub fn tracked(conn: &Connection, client: &str, tracking_id: &str) -> Result<Option<String>> {
    query_one(
        conn,
        "SELECT response FROM hub_tracking WHERE client = ?1 AND tracking_id = ?2",
        [client, tracking_id],
        |r| r.get(0),
    )
    .optional()
}

/// Keep what a replay of a client's trackingId answers.
pub fn track(
    conn: &Connection,
    client: &str,
    tracking_id: &str,
    stored: &str,
    now: &str,
) -> Result<()> {
    exec(
        conn,
        "INSERT INTO hub_tracking(client, tracking_id, status, response, created_at) VALUES (?1, ?2, 200, ?3, ?4)",
        [client, tracking_id, stored, now],
    )
    .map(drop)
}

/// Register (or replace) a client: its secret and its Sources (JSON).
pub fn upsert_client(
    conn: &Connection,
    key_id: &str,
    secret: &str,
    sources: &str,
    now: &str,
) -> Result<()> {
    exec(
        conn,
        "INSERT INTO hub_clients(key_id, secret, sources, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(key_id) DO UPDATE SET secret = excluded.secret, sources = excluded.sources",
        [key_id, secret, sources, now],
    )
    .map(drop)
}

/// A client's secret and Sources (JSON).
pub fn client(conn: &Connection, key_id: &str) -> Result<Option<(String, String)>> {
    query_one(
        conn,
        "SELECT secret, sources FROM hub_clients WHERE key_id = ?1",
        [key_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Forget nonces seen before `t`.
pub fn forget_nonces_before(conn: &Connection, t: i64) -> Result<()> {
    exec(conn, "DELETE FROM hub_nonces WHERE seen_at < ?1", [t]).map(drop)
}

/// Remember a nonce; false if it was already there.
pub fn remember_nonce(conn: &Connection, seen: &str, now: i64) -> Result<bool> {
    Ok(exec(
        conn,
        "INSERT OR IGNORE INTO hub_nonces(signature, seen_at) VALUES (?1, ?2)",
        params![seen, now],
    )? == 1)
}
