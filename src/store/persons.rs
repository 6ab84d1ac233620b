//! Lookups and small writes on the persons table that the service's
//! person operations (lists, search, working copies) ask for.

use super::{Result, exec, query_one};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The working copy waiting on the active person `active_id`, if any.
pub fn working_copy_of(conn: &Connection, active_id: &str) -> Result<Option<i64>> {
    query_one(
        conn,
        "SELECT seq FROM persons WHERE active_id = ?1 AND status = 'working_copy'",
        [active_id],
        |r| r.get(0),
    )
    .optional()
}

/// Working copies, oldest first; only `author`'s when one is named.
pub fn working_copies(conn: &Connection, author: Option<&str>) -> Result<Vec<i64>> {
    conn.prepare_cached(
        "SELECT seq FROM persons WHERE status = 'working_copy'
         AND (?1 IS NULL OR created_by = ?1) ORDER BY seq",
    )?
    .query_map([author], |r| r.get(0))?
    .collect()
}

/// Move scans from the working copy's documents to the active person's
/// documents of the same type and number, so approval keeps them.
pub fn move_scans(conn: &Connection, wc_seq: i64, active_seq: i64) -> Result<()> {
    exec(
        conn,
        "UPDATE scans SET document_id = (
             SELECT a.id FROM documents a JOIN documents w ON a.type = w.type AND a.number = w.number
             WHERE a.person_seq = ?2 AND w.id = scans.document_id)
         WHERE document_id IN (SELECT id FROM documents WHERE person_seq = ?1)
           AND EXISTS (SELECT 1 FROM documents a JOIN documents w ON a.type = w.type AND a.number = w.number
                       WHERE a.person_seq = ?2 AND w.id = scans.document_id)",
        [wc_seq, active_seq],
    )
    .map(drop)
}

/// Remove a person row (its documents, identifiers and scans go with it),
/// its comparable records first: their removal is stamped for every
/// process's blocking index (a cascade would not be).
pub fn delete(conn: &Connection, seq: i64) -> Result<()> {
    super::matching::remove_records(conn, seq)?;
    exec(conn, "DELETE FROM persons WHERE seq = ?1", [seq]).map(drop)
}

/// Who changed the person last.
pub fn set_updated_by(conn: &Connection, seq: i64, name: &str) -> Result<()> {
    exec(
        conn,
        "UPDATE persons SET updated_by = ?2 WHERE seq = ?1",
        params![seq, name],
    )
    .map(drop)
}

/// Active persons: the highest paging ordinal (ordinals are dense), so no
/// scan of the table.
pub fn active_count(conn: &Connection) -> Result<i64> {
    query_one(
        conn,
        "SELECT COALESCE(MAX(ordinal), 0) FROM persons WHERE ordinal IS NOT NULL",
        [],
        |r| r.get(0),
    )
}

/// Up to `n` active persons after the first `offset`, in paging order
/// (keyset on the ordinal: any offset costs the same).
pub fn page_after(conn: &Connection, offset: i64, n: i64) -> Result<Vec<i64>> {
    conn.prepare_cached("SELECT seq FROM persons WHERE ordinal > ?1 ORDER BY ordinal LIMIT ?2")?
        .query_map([offset, n.max(0)], |r| r.get(0))?
        .collect()
}

/// One row of the search table.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct PersonSummary {
    pub seq: i64,
    pub id: String,
    pub reference_id: String,
    pub name: String,
    pub birth_date: String,
    pub gender: String,
    pub tax_id: Option<String>,
    pub phone: Option<String>,
    pub status: String,
}

pub fn summaries(conn: &Connection, seqs: &[i64]) -> Result<Vec<PersonSummary>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, id, reference_id, first_name || ' ' || last_name, birth_date, gender, tax_id,
                json_extract(data, '$.phones[0].number'), status
         FROM persons WHERE seq = ?1",
    )?;
    let mut out = Vec::with_capacity(seqs.len());
    for s in seqs {
        if let Some(row) = st
            .query_row([s], |r| {
                Ok(PersonSummary {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    reference_id: r.get(2)?,
                    name: r.get(3)?,
                    birth_date: r.get(4)?,
                    gender: r.get(5)?,
                    tax_id: r.get(6)?,
                    phone: r.get(7)?,
                    status: r.get(8)?,
                })
            })
            .optional()?
        {
            out.push(row);
        }
    }
    Ok(out)
}
