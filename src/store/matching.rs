//! Tables of the matcher: comparable records per person, blocking keys, term
//! frequencies, SOR records and the reconciliation queue.

use super::Result;
use crate::core::matching::index::BlockIndex;
use crate::core::matching::{self, MatchRecord, TermFrequency};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// One comparable record of a person and the source it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedRecord {
    pub sor: String,
    pub sor_id: String,
    pub rec: MatchRecord,
}

pub use crate::core::matching::index::{MAX_BLOCK, SMALL_BLOCK, keep_candidates};

pub fn load_records(conn: &Connection, seq: i64) -> Result<Vec<SourcedRecord>> {
    let mut st = conn.prepare_cached("SELECT records FROM match_records WHERE person_seq = ?1")?;
    let json: Option<String> = st.query_row([seq], |r| r.get(0)).optional()?;
    Ok(json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}

/// Put `rec` as the record that `(sor, sor_id)` sent for person `seq`:
/// replaced in place when the person has it, added (and counted into term
/// frequencies) when it is new.
pub fn put_record(
    conn: &Connection,
    seq: i64,
    sor: &str,
    sor_id: &str,
    rec: MatchRecord,
) -> Result<()> {
    let keys = rec.blocking_keys();
    put_record_keyed(conn, seq, sor, sor_id, rec, &keys)
}

/// [`put_record`] when the caller already has `rec.blocking_keys()`.
pub fn put_record_keyed(
    conn: &Connection,
    seq: i64,
    sor: &str,
    sor_id: &str,
    rec: MatchRecord,
    keys: &[String],
) -> Result<()> {
    let mut records = load_records(conn, seq)?;
    let old = records.clone();
    let known = Some((&rec, keys));
    match records
        .iter_mut()
        .find(|r| r.sor == sor && r.sor_id == sor_id)
    {
        Some(r) => {
            r.rec = rec.clone();
            save_records(conn, seq, &old, &records, &[], known)
        }
        None => {
            records.push(SourcedRecord {
                sor: sor.into(),
                sor_id: sor_id.into(),
                rec: rec.clone(),
            });
            save_records(conn, seq, &old, &records, &[&rec], known)
        }
    }
}

/// Drop the record `(sor, sor_id)` from person `seq`.
pub fn remove_record(conn: &Connection, seq: i64, sor: &str, sor_id: &str) -> Result<()> {
    let old = load_records(conn, seq)?;
    let kept: Vec<SourcedRecord> = old
        .iter()
        .filter(|r| !(r.sor == sor && r.sor_id == sor_id))
        .cloned()
        .collect();
    save_records(conn, seq, &old, &kept, &[], None)
}

/// Move every record of person `from` to person `to` (Link IDs merging).
pub fn move_records(conn: &Connection, from: i64, to: i64) -> Result<()> {
    let moved = load_records(conn, from)?;
    save_records(conn, from, &moved, &[], &[], None)?;
    let old = load_records(conn, to)?;
    let mut all = old.clone();
    all.extend(moved);
    save_records(conn, to, &old, &all, &[], None)
}

/// Move the records `keys` ((sor, sorId)) of person `from` to person `to`,
/// keys and all; term frequencies stay as they are (the records exist
/// still).
pub fn move_some_records(
    conn: &Connection,
    from: i64,
    to: i64,
    keys: &[(String, String)],
) -> Result<()> {
    let old_from = load_records(conn, from)?;
    let (moving, kept): (Vec<SourcedRecord>, Vec<SourcedRecord>) = old_from
        .iter()
        .cloned()
        .partition(|r| keys.iter().any(|(s, i)| *s == r.sor && *i == r.sor_id));
    save_records(conn, from, &old_from, &kept, &[], None)?;
    let old_to = load_records(conn, to)?;
    let mut all = old_to.clone();
    all.extend(moving);
    save_records(conn, to, &old_to, &all, &[], None)
}

/// Write a person's comparable records, replacing `old` (what is stored
/// now), and the differences in its blocking and search keys. `added` are
/// records new to this person, counted into term frequencies. `known` is a
/// record whose blocking keys the caller has already computed.
fn save_records(
    conn: &Connection,
    seq: i64,
    old: &[SourcedRecord],
    records: &[SourcedRecord],
    added: &[&MatchRecord],
    known: Option<(&MatchRecord, &[String])>,
) -> Result<()> {
    let json = serde_json::to_string(records).expect("records serialise");
    conn.prepare_cached(
        "INSERT INTO match_records(person_seq, records) VALUES (?1, ?2)
         ON CONFLICT(person_seq) DO UPDATE SET records = excluded.records",
    )?
    .execute(params![seq, json])?;
    write_key_diff(
        conn,
        seq,
        &blocking_hashes(old, None),
        &blocking_hashes(records, known),
    )?;
    write_key_diff(conn, seq, &search_key_set(old), &search_key_set(records))?;
    // Persons with comparable records: one more when the first record
    // arrives, one fewer when the last leaves (the prior's population).
    let change = i64::from(old.is_empty() && !records.is_empty())
        - i64::from(!old.is_empty() && records.is_empty());
    if change != 0 {
        conn.prepare_cached(
            "INSERT INTO term_freq(field, value, n) VALUES (-2, '', max(?1, 0))
             ON CONFLICT(field, value) DO UPDATE SET n = max(n + ?1, 0)",
        )?
        .execute([change])?;
    }
    let mut tf = conn.prepare_cached(
        "INSERT INTO term_freq(field, value, n) VALUES (?1, ?2, 1)
         ON CONFLICT(field, value) DO UPDATE SET n = n + 1",
    )?;
    for r in added {
        tf.execute(params![-1, ""])?;
        for (f, v) in [
            (matching::GIVEN, &r.given),
            (matching::FAMILY, &r.family),
            (matching::CITY, &r.city),
        ] {
            if !v.is_empty() {
                tf.execute(params![f as i64, v])?;
            }
        }
    }
    Ok(())
}

/// The two key tables: hashed blocking keys, and text search keys (which
/// need prefix ranges, so they stay text).
#[derive(Clone, Copy)]
enum KeyTable {
    Blocking,
    Search,
}

impl KeyTable {
    /// (delete, insert) of one `(key, person)` row.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            KeyTable::Blocking => (
                "DELETE FROM match_keys WHERE key = ?1 AND person_seq = ?2",
                "INSERT OR IGNORE INTO match_keys(key, person_seq) VALUES (?1, ?2)",
            ),
            KeyTable::Search => (
                "DELETE FROM search_keys WHERE key = ?1 AND person_seq = ?2",
                "INSERT OR IGNORE INTO search_keys(key, person_seq) VALUES (?1, ?2)",
            ),
        }
    }
}

/// A key of one of the tables: blocking keys are hashes, search keys text.
trait Key: Ord + Clone + rusqlite::ToSql {
    const TABLE: KeyTable;
    fn held(d: &mut Deferred) -> &mut Vec<KeyWrite<Self>>;
}

impl Key for i64 {
    const TABLE: KeyTable = KeyTable::Blocking;
    fn held(d: &mut Deferred) -> &mut Vec<KeyWrite<i64>> {
        &mut d.blocking
    }
}

impl Key for String {
    const TABLE: KeyTable = KeyTable::Search;
    fn held(d: &mut Deferred) -> &mut Vec<KeyWrite<String>> {
        &mut d.search
    }
}

/// One row to write: the key, the person, and insert (or delete).
type KeyWrite<K> = (K, i64, bool);

/// Sorted, distinct hashes of the blocking keys of `recs`.
fn blocking_hashes(recs: &[SourcedRecord], known: Option<(&MatchRecord, &[String])>) -> Vec<i64> {
    let mut keys: Vec<i64> = Vec::new();
    for r in recs {
        match known {
            Some((rec, ks)) if *rec == r.rec => {
                keys.extend(ks.iter().map(|k| matching::key_hash(k)))
            }
            _ => keys.extend(r.rec.blocking_keys().iter().map(|k| matching::key_hash(k))),
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Sorted, distinct search keys of `recs`.
fn search_key_set(recs: &[SourcedRecord]) -> Vec<String> {
    let mut keys: Vec<String> = recs.iter().flat_map(|r| search_keys(&r.rec)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Key writes held back while a bulk load's batch runs ([`defer_keys`]),
/// in the order they were made.
#[derive(Default)]
struct Deferred {
    blocking: Vec<KeyWrite<i64>>,
    search: Vec<KeyWrite<String>>,
}

thread_local! {
    static DEFERRED: std::cell::RefCell<Option<Deferred>> = const { std::cell::RefCell::new(None) };
}

/// Hold this thread's key writes back until [`DeferredKeys::flush`]: a
/// bulk load writes a batch's keys in key order, one walk along each key
/// B-tree per batch instead of a descent to a random page per key. Only
/// for a caller that reads no key table from SQLite meanwhile (the import
/// reads its own in-memory index). Dropped without a flush, the held
/// writes are discarded (the transaction they belonged to rolls back).
pub fn defer_keys() -> DeferredKeys {
    DEFERRED.with(|d| *d.borrow_mut() = Some(Deferred::default()));
    DeferredKeys(())
}

/// See [`defer_keys`].
pub struct DeferredKeys(());

impl DeferredKeys {
    /// Write the held keys, in key order, in `conn`'s transaction; writes
    /// made after this are held again until the next flush.
    pub fn flush(&self, conn: &Connection) -> Result<()> {
        let held = DEFERRED.with(|d| d.borrow_mut().replace(Deferred::default()));
        let Some(mut held) = held else {
            return Ok(());
        };
        // A stable sort: a delete and an insert of one row keep their order.
        held.blocking.sort_by_key(|w| (w.0, w.1));
        held.search.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        apply(conn, &held.blocking)?;
        apply(conn, &held.search)
    }
}

impl Drop for DeferredKeys {
    fn drop(&mut self) {
        DEFERRED.with(|d| *d.borrow_mut() = None);
    }
}

/// Write rows of one key table, in the order given.
fn apply<K: Key>(conn: &Connection, writes: &[KeyWrite<K>]) -> Result<()> {
    let (del, ins) = K::TABLE.sql();
    let mut del = conn.prepare_cached(del)?;
    let mut ins = conn.prepare_cached(ins)?;
    for (k, seq, insert) in writes {
        if *insert {
            ins.execute(params![k, seq])?;
        } else {
            del.execute(params![k, seq])?;
        }
    }
    Ok(())
}

/// Change person `seq`'s keys of one table from `old` to `new` (both
/// sorted): now, or at the batch's flush while [`defer_keys`] is on.
fn write_key_diff<K: Key>(conn: &Connection, seq: i64, old: &[K], new: &[K]) -> Result<()> {
    let mut writes: Vec<KeyWrite<K>> = Vec::new();
    for k in old.iter().filter(|k| new.binary_search(k).is_err()) {
        writes.push((k.clone(), seq, false));
    }
    for k in new.iter().filter(|k| old.binary_search(k).is_err()) {
        writes.push((k.clone(), seq, true));
    }
    let held = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(d) => {
            K::held(d).append(&mut writes);
            true
        }
        None => false,
    });
    if held { Ok(()) } else { apply(conn, &writes) }
}

/// Rebuild both key tables from the stored records (schema migration 9,
/// when blocking keys became hashes). Keys are derived data.
pub fn rebuild_keys(conn: &Connection) -> Result<()> {
    conn.execute_batch("DELETE FROM match_keys; DELETE FROM search_keys;")?;
    each_person(conn, |seq, records| {
        write_key_diff(conn, seq, &[], &blocking_hashes(&records, None))?;
        write_key_diff(conn, seq, &[], &search_key_set(&records))?;
        Ok(true)
    })
}

/// `f` of every person's records, in `match_records` order, while it says
/// to go on.
fn each_person(
    conn: &Connection,
    mut f: impl FnMut(i64, Vec<SourcedRecord>) -> Result<bool>,
) -> Result<()> {
    let mut st = conn.prepare("SELECT person_seq, records FROM match_records")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let json: String = row.get(1)?;
        let records: Vec<SourcedRecord> = serde_json::from_str(&json).unwrap_or_default();
        if !f(seq, records)? {
            break;
        }
    }
    Ok(())
}

/// Keys for the search box (never used for blocking): name prefixes.
pub fn search_keys(r: &MatchRecord) -> Vec<String> {
    [&r.given, &r.family, &r.middle]
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| format!("n:{v}"))
        .collect()
}

/// A search word that is a birth date (`1954-12-18`, `18.12.1954`, …; not
/// bare digits, which are numbers), as the store keeps it.
fn date_word(w: &str) -> Option<String> {
    if !w.contains(['-', '.', '/']) {
        return None;
    }
    crate::core::matching::normalize::parse_birth_date(w).map(|d| d.format("%Y-%m-%d").to_string())
}

/// An M-number as typed: any case, with or without the M.
fn reference_word(q: &str) -> Option<String> {
    let digits = q.strip_prefix(['M', 'm']).unwrap_or(q);
    (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("M{digits}"))
}

/// Search persons by reference id (any case, with or without the M), tax
/// id, document or identifier number, phone, a birth date, or names: every
/// name word must match the beginning of a name, or, when none begins so,
/// a name one typo away; a birth date among the words narrows the names to
/// those born that day. Returns matching seqs, ascending, at most `cap`.
pub fn search(conn: &Connection, q: &str, cap: usize) -> Result<Vec<i64>> {
    use crate::core::matching::normalize::{id_key, name_key, phone_key};
    let q = q.trim();
    let mut exact = conn.prepare_cached("SELECT person_seq FROM match_keys WHERE key = ?1")?;
    let mut out: Vec<i64> = Vec::new();
    if let Some(r) = reference_word(q) {
        out.extend(
            conn.prepare_cached(
                "SELECT seq FROM persons WHERE reference_id = ?1 AND status = 'active'",
            )?
            .query_map([r], |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>>>()?,
        );
    }
    let idk = id_key(q);
    if idk.len() >= 4 {
        for key in [format!("t:{idk}"), format!("i:{idk}"), format!("s:{idk}")] {
            out.extend(
                exact
                    .query_map(params![matching::key_hash(&key)], |r| r.get::<_, i64>(0))?
                    .take(cap)
                    .collect::<Result<Vec<_>>>()?,
            );
        }
    }
    let digits = q.chars().filter(char::is_ascii_digit).count();
    if digits >= 7 && digits * 2 >= q.chars().filter(|c| !c.is_whitespace()).count() {
        out.extend(
            exact
                .query_map(
                    params![matching::key_hash(&format!("p:{}", phone_key(q)))],
                    |r| r.get::<_, i64>(0),
                )?
                .take(cap)
                .collect::<Result<Vec<_>>>()?,
        );
    }
    if out.is_empty() {
        let born: Option<String> = q.split_whitespace().find_map(date_word);
        let words: Vec<String> = q
            .split_whitespace()
            .filter(|w| date_word(w).is_none())
            .map(name_key)
            .filter(|w| !w.is_empty())
            .collect();
        let mut sets: Vec<Vec<i64>> = Vec::new();
        for word in &words {
            let mut s = name_prefix(conn, word, cap * 4)?;
            if s.is_empty() {
                s = name_typo(conn, word, cap * 4)?;
            }
            s.sort_unstable();
            sets.push(s);
        }
        out = match (sets.first(), &born) {
            (Some(first), _) => first
                .iter()
                .copied()
                .filter(|x| sets[1..].iter().all(|s| s.binary_search(x).is_ok()))
                .collect(),
            (None, Some(d)) => conn
                .prepare_cached(
                    "SELECT seq FROM persons WHERE birth_date = ?1 AND status = 'active' LIMIT ?2",
                )?
                .query_map(params![d, cap as i64], |r| r.get(0))?
                .collect::<Result<_>>()?,
            (None, None) => Vec::new(),
        };
        if let (Some(d), false) = (&born, sets.is_empty()) {
            let mut st = conn.prepare_cached("SELECT birth_date FROM persons WHERE seq = ?1")?;
            out.retain(|seq| {
                st.query_row([seq], |r| r.get::<_, String>(0))
                    .is_ok_and(|b| b == *d)
            });
        }
    }
    out.sort_unstable();
    out.dedup();
    out.truncate(cap);
    Ok(out)
}

/// Persons with a name beginning with `word` (folded).
fn name_prefix(conn: &Connection, word: &str, cap: usize) -> Result<Vec<i64>> {
    let mut range = conn.prepare_cached(
        "SELECT DISTINCT person_seq FROM search_keys WHERE key >= ?1 AND key < ?2",
    )?;
    let lo = format!("n:{word}");
    let hi = format!("n:{word}\u{10FFFF}");
    range
        .query_map(params![lo, hi], |r| r.get(0))?
        .take(cap)
        .collect()
}

/// Persons with a name one typo away from `word` (the matcher's
/// comparator), among names sharing its first two letters.
fn name_typo(conn: &Connection, word: &str, cap: usize) -> Result<Vec<i64>> {
    if word.chars().count() < 3 {
        return Ok(Vec::new());
    }
    let head: String = word.chars().take(2).collect();
    let mut range = conn.prepare_cached(
        "SELECT key, person_seq FROM search_keys WHERE key >= ?1 AND key < ?2 LIMIT 20000",
    )?;
    let lo = format!("n:{head}");
    let hi = format!("n:{head}\u{10FFFF}");
    let rows = range.query_map(params![lo, hi], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (key, seq) = row?;
        if matching::within_one_edit(word, key.trim_start_matches("n:")) {
            out.push(seq);
            if out.len() >= cap {
                break;
            }
        }
    }
    Ok(out)
}

/// The blocking index in memory, filled from `match_records` and
/// `match_keys` (read in key order, one block at a time). `None` when a
/// person's seq is too large for it.
pub fn load_index(conn: &Connection) -> Result<Option<BlockIndex>> {
    let mut index = BlockIndex::new();
    each_person(conn, |seq, records| {
        let parts = records
            .iter()
            .map(|r| (r.sor.as_str(), r.sor_id.as_str(), &r.rec));
        Ok(index.load_person(seq, parts))
    })?;
    if index.is_behind() {
        return Ok(None);
    }
    let mut st = conn.prepare("SELECT key, person_seq FROM match_keys ORDER BY key, person_seq")?;
    let mut rows = st.query([])?;
    let mut block: (i64, Vec<i64>) = (0, Vec::new());
    while let Some(row) = rows.next()? {
        let (key, seq): (i64, i64) = (row.get(0)?, row.get(1)?);
        if key != block.0 && !block.1.is_empty() {
            if !index.load_block(block.0, &block.1) {
                return Ok(None);
            }
            block.1.clear();
        }
        block.0 = key;
        block.1.push(seq);
    }
    if !block.1.is_empty() && !index.load_block(block.0, &block.1) {
        return Ok(None);
    }
    Ok(Some(index))
}

/// `PRAGMA data_version`: changes when another connection commits.
pub fn data_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

/// Persons sharing at least one blocking key with `rec`. Keys shared by more
/// than [`MAX_BLOCK`] persons are skipped: they carry no information.
pub fn candidates(conn: &Connection, rec: &MatchRecord) -> Result<Vec<i64>> {
    candidates_for_keys(conn, &rec.blocking_keys())
}

/// [`candidates`] for a record's blocking keys.
pub fn candidates_for_keys(conn: &Connection, keys: &[String]) -> Result<Vec<i64>> {
    // No `LIMIT ?`: a bound LIMIT makes SQLite re-prepare the statement on
    // every rebind (it plans with the value), which cost a fifth of an
    // import. Stepping stops after MAX_BLOCK + 1 rows instead.
    let mut st = conn.prepare_cached("SELECT person_seq FROM match_keys WHERE key = ?1")?;
    // (person, from a small block) for every key the person shares.
    let mut hits: Vec<(i64, usize)> = Vec::new();
    for k in keys {
        let seqs: Vec<i64> = st
            .query_map(params![matching::key_hash(k)], |r| r.get(0))?
            .take(MAX_BLOCK + 1)
            .collect::<Result<_>>()?;
        if seqs.len() <= MAX_BLOCK {
            let n = seqs.len();
            hits.extend(seqs.into_iter().map(|s| (s, n)));
        }
    }
    Ok(keep_candidates(hits))
}

/// Term frequencies read from the `term_freq` table.
pub struct SqlTf<'a> {
    conn: &'a Connection,
    total: f64,
    persons: f64,
    /// One query compares one record: its values repeat across candidates.
    /// Per field, value → share: looked up by `&str`, without allocating.
    cache: std::cell::RefCell<
        std::collections::HashMap<usize, std::collections::HashMap<String, Option<f64>>>,
    >,
}

impl<'a> SqlTf<'a> {
    pub fn new(conn: &'a Connection) -> Result<SqlTf<'a>> {
        let total: i64 = conn
            .prepare_cached("SELECT n FROM term_freq WHERE field = -1 AND value = ''")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let persons: i64 = conn
            .prepare_cached("SELECT n FROM term_freq WHERE field = -2 AND value = ''")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        Ok(SqlTf {
            conn,
            total: total as f64,
            persons: persons as f64,
            cache: Default::default(),
        })
    }
}

impl TermFrequency for SqlTf<'_> {
    fn population(&self) -> Option<f64> {
        Some(self.persons)
    }

    fn tf(&self, field: usize, value: &str) -> Option<f64> {
        // Too few records for frequencies to mean anything: use the average u.
        if self.total < 1000.0 {
            return None;
        }
        if let Some(v) = self.cache.borrow().get(&field).and_then(|m| m.get(value)) {
            return *v;
        }
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT n FROM term_freq WHERE field = ?1 AND value = ?2")
            .ok()?
            .query_row(params![field as i64, value], |r| r.get(0))
            .optional()
            .ok()
            .flatten();
        let share = n.map(|n| n as f64 / self.total);
        self.cache
            .borrow_mut()
            .entry(field)
            .or_default()
            .insert(value.to_string(), share);
        share
    }
}

/// A SOR record's row.
#[derive(Debug, Clone)]
pub struct SorRow {
    pub person_seq: i64,
    pub link_kind: String,
    pub attributes: String,
}

pub fn find_sor(conn: &Connection, sor: &str, sor_id: &str) -> Result<Option<SorRow>> {
    conn.prepare_cached(
        "SELECT person_seq, link_kind, attributes FROM sor_records WHERE sor = ?1 AND sor_id = ?2",
    )?
    .query_row(params![sor, sor_id], |r| {
        Ok(SorRow {
            person_seq: r.get(0)?,
            link_kind: r.get(1)?,
            attributes: r.get(2)?,
        })
    })
    .optional()
}

pub fn upsert_sor(
    conn: &Connection,
    sor: &str,
    sor_id: &str,
    seq: i64,
    kind: &str,
    attributes: &str,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sor_records(sor, sor_id, person_seq, attributes, created_at, updated_at, link_kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
         ON CONFLICT(sor, sor_id) DO UPDATE SET person_seq = excluded.person_seq,
             attributes = excluded.attributes, updated_at = excluded.updated_at, link_kind = excluded.link_kind",
    )?
    .execute(params![sor, sor_id, seq, attributes, now, kind])?;
    Ok(())
}

/// An open reconciliation request.
#[derive(Debug, Clone, Serialize)]
pub struct PendingRow {
    pub id: i64,
    pub sor: String,
    pub sor_id: String,
    pub attributes: serde_json::Value,
    pub candidates: serde_json::Value,
    pub created_at: String,
}

pub fn find_open_pending(conn: &Connection, sor: &str, sor_id: &str) -> Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT id FROM pending WHERE sor = ?1 AND sor_id = ?2 AND resolved_at IS NULL",
    )?
    .query_row(params![sor, sor_id], |r| r.get(0))
    .optional()
}

pub fn insert_pending(
    conn: &Connection,
    sor: &str,
    sor_id: &str,
    attributes: &str,
    candidates: &str,
    now: &str,
) -> Result<i64> {
    if let Some(id) = find_open_pending(conn, sor, sor_id)? {
        super::exec(
            conn,
            "UPDATE pending SET attributes = ?2, candidates = ?3 WHERE id = ?1",
            params![id, attributes, candidates],
        )?;
        return Ok(id);
    }
    conn.prepare_cached(
        "INSERT INTO pending(sor, sor_id, attributes, candidates, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![sor, sor_id, attributes, candidates, now])?;
    Ok(conn.last_insert_rowid())
}

fn pending_from_row(r: &rusqlite::Row) -> rusqlite::Result<PendingRow> {
    let a: String = r.get(3)?;
    let c: String = r.get(4)?;
    Ok(PendingRow {
        id: r.get(0)?,
        sor: r.get(1)?,
        sor_id: r.get(2)?,
        attributes: serde_json::from_str(&a).unwrap_or_default(),
        candidates: serde_json::from_str(&c).unwrap_or_default(),
        created_at: r.get(5)?,
    })
}

pub fn list_pending(conn: &Connection, limit: i64) -> Result<Vec<PendingRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, sor, sor_id, attributes, candidates, created_at FROM pending
         WHERE resolved_at IS NULL ORDER BY id",
    )?;
    st.query_map([], pending_from_row)?
        .take(limit.max(0) as usize)
        .collect()
}

pub fn get_pending(conn: &Connection, id: i64) -> Result<Option<(PendingRow, bool)>> {
    super::query_one(conn,
        "SELECT id, sor, sor_id, attributes, candidates, created_at, resolved_at IS NOT NULL FROM pending WHERE id = ?1",
        [id],
        |r| Ok((pending_from_row(r)?, r.get::<_, bool>(6)?)),
    )
    .optional()
}

pub fn resolve_pending(
    conn: &Connection,
    id: i64,
    resolution: &str,
    actor: &str,
    now: &str,
) -> Result<()> {
    super::exec(
        conn,
        "UPDATE pending SET resolved_at = ?2, resolved_by = ?3, resolution = ?4 WHERE id = ?1",
        params![id, now, actor, resolution],
    )?;
    Ok(())
}

/// Every SOR record with its person's reference id and status, then every
/// open pending request (for `registrar export links`).
pub fn links(conn: &Connection) -> Result<Vec<(String, String, String, String)>> {
    let mut out: Vec<(String, String, String, String)> = conn
        .prepare(
            "SELECT s.sor, s.sor_id, p.reference_id, s.link_kind FROM sor_records s
             JOIN persons p ON p.seq = s.person_seq ORDER BY s.sor, s.sor_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_>>()?;
    let pend: Vec<(String, String, String, String)> = conn
        .prepare("SELECT sor, sor_id FROM pending WHERE resolved_at IS NULL ORDER BY sor, sor_id")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, String::new(), "pending".to_string()))
        })?
        .collect::<Result<_>>()?;
    out.extend(pend);
    Ok(out)
}

/// The stored records (JSON) of about one person in `step`, chosen by a
/// hash of the seq so that a sample needs no scan of the persons.
pub fn each_sampled_records(
    conn: &Connection,
    step: i64,
    mut each: impl FnMut(&str),
) -> Result<()> {
    let mut st =
        conn.prepare("SELECT records FROM match_records WHERE (person_seq * 2654435761) % ?1 = 0")?;
    let mut rows = st.query([step])?;
    while let Some(row) = rows.next()? {
        let json: String = row.get(0)?;
        each(&json);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::core::model::{PersonData, PersonStatus};
    use serde_json::json;

    fn person(conn: &Connection, i: usize) -> i64 {
        let data = PersonData {
            first_name: format!("Given{i}"),
            last_name: "Family".into(),
            birth_date: "1980-01-01".into(),
            ..Default::default()
        };
        let new = crate::store::NewPerson {
            id: &format!("p_{i}"),
            reference_id: &format!("M10000000{i}"),
            status: PersonStatus::Active,
            active_id: None,
            version: 1,
            data: &data,
            actor: "test",
            now: "2026-01-01T00:00:00Z",
        };
        crate::store::insert_person(conn, &new).unwrap()
    }

    fn rec(given: &str, family: &str, dob: &str) -> MatchRecord {
        MatchRecord::from_attributes(
            &json!({"givenName": given, "familyName": family, "dateOfBirth": dob}),
        )
    }

    /// Both key tables' rows, in order.
    type Rows = (Vec<(i64, i64)>, Vec<(String, i64)>);

    fn keys(conn: &Connection) -> Rows {
        let blocking = conn
            .prepare("SELECT key, person_seq FROM match_keys ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        let search = conn
            .prepare("SELECT key, person_seq FROM search_keys ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        (blocking, search)
    }

    /// The same writes, made with and without `defer_keys`, leave the same
    /// key tables; held writes land only at the flush, deletes included,
    /// and a guard dropped without a flush discards them.
    #[test]
    fn deferred_key_writes_land_at_the_flush_as_immediate_ones_would() {
        let writes = |conn: &Connection, a: i64, b: i64| {
            put_record(conn, a, "S", "1", rec("Olena", "Kovalenko", "1986-04-12")).unwrap();
            put_record(conn, b, "S", "2", rec("Petro", "Shevchenko", "1990-01-02")).unwrap();
            put_record(conn, a, "S", "3", rec("Olena", "Kovalenko", "1986-04-21")).unwrap();
            remove_record(conn, a, "S", "1").unwrap();
        };
        let now = crate::store::Store::open_in_memory().unwrap();
        let (a, b) = (person(&now.conn, 1), person(&now.conn, 2));
        writes(&now.conn, a, b);
        let immediate = keys(&now.conn);
        assert!(!immediate.0.is_empty() && !immediate.1.is_empty());

        let later = crate::store::Store::open_in_memory().unwrap();
        let (a, b) = (person(&later.conn, 1), person(&later.conn, 2));
        let held = defer_keys();
        writes(&later.conn, a, b);
        assert_eq!(
            keys(&later.conn),
            (vec![], vec![]),
            "nothing lands before the flush"
        );
        held.flush(&later.conn).unwrap();
        assert_eq!(keys(&later.conn), immediate);
        drop(held);

        // Dropped unflushed: the held writes are gone, and the next writes
        // are immediate again.
        let held = defer_keys();
        remove_record(&later.conn, b, "S", "2").unwrap();
        drop(held);
        assert_eq!(keys(&later.conn), immediate);
        assert!(DEFERRED.with(|d| d.borrow().is_none()));
    }
}
