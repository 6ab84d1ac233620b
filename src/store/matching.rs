//! Tables of the matcher: comparable records per person, blocking keys, term
//! frequencies, SOR records and the reconciliation queue.

use super::Result;
use super::steward;
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

/// Person `seq`'s comparable records, in the order they were added.
pub fn load_records(conn: &Connection, seq: i64) -> Result<Vec<SourcedRecord>> {
    Ok(rows_of(conn, seq)?.into_iter().map(|r| r.record).collect())
}

/// One comparable record as stored (a row of `match_rows`): the record
/// and the hashes of its blocking keys ([`keys_blob`]).
#[derive(Clone)]
struct Row {
    record: SourcedRecord,
    keys: Vec<u8>,
}

/// A stored record's JSON read back; one that no longer reads is an empty
/// record (it compares with nothing) rather than an error for the person.
fn parse_rec(json: &str) -> MatchRecord {
    serde_json::from_str(json).unwrap_or_default()
}

/// Person `seq`'s rows, in the order they were added.
fn rows_of(conn: &Connection, seq: i64) -> Result<Vec<Row>> {
    conn.prepare_cached(
        "SELECT sor, sor_id, rec, keys FROM match_rows WHERE person_seq = ?1 ORDER BY id",
    )?
    .query_map([seq], read_row)?
    .collect()
}

/// A `match_rows` row selected as (sor, sor_id, rec, keys, ...).
fn read_row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok(Row {
        record: SourcedRecord {
            sor: r.get(0)?,
            sor_id: r.get(1)?,
            rec: parse_rec(&r.get::<_, String>(2)?),
        },
        keys: r.get(3)?,
    })
}

fn insert_row(conn: &Connection, seq: i64, row: &Row) -> Result<()> {
    let rec = serde_json::to_string(&row.record.rec).expect("a record serialises");
    insert_stored(
        conn,
        seq,
        &row.record.sor,
        &row.record.sor_id,
        &rec,
        &row.keys,
    )
}

/// A `match_rows` row of person `seq`: the record's JSON and its keys'
/// hashes as [`StoredRecord`] has them.
fn insert_stored(
    conn: &Connection,
    seq: i64,
    sor: &str,
    sor_id: &str,
    json: &str,
    keys: &[u8],
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO match_rows(person_seq, sor, sor_id, rec, keys) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![seq, sor, sor_id, json, keys])?;
    Ok(())
}

/// What a `match_rows` row keeps of a record: its JSON and the hashes of
/// its blocking keys. Worked out apart from the writing: the import's
/// reader works it out for each row off the writer's thread.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    json: String,
    keys: Vec<u8>,
}

impl StoredRecord {
    /// `keys`: `rec.blocking_keys()`.
    pub fn of(rec: &MatchRecord, keys: &[String]) -> StoredRecord {
        StoredRecord {
            json: serde_json::to_string(rec).expect("a record serialises"),
            keys: keys_blob(&hashes_of(keys)),
        }
    }
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
    let stored = StoredRecord::of(&rec, &rec.blocking_keys());
    put_record_keyed(conn, seq, sor, sor_id, &rec, &stored, Held::Maybe)
}

/// What the caller of [`put_record_keyed`] knows of person `seq`'s
/// records before the record `(sor, sor_id)` is put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Nothing: the person may hold the record already (then it is
    /// replaced in place). The person's rows are read.
    Maybe,
    /// The person does not hold it (a source's record is one person's at
    /// most: one that another person, or nobody, held). `others`: whether
    /// the person holds other records, when the caller knows (the blocking
    /// index does); else the index by person is asked.
    New { others: Option<bool> },
}

/// [`put_record`] when the caller already has `rec`'s stored form
/// ([`StoredRecord::of`] `rec` and its blocking keys), and with what it knows of the person's records ([`Held`]): a record new
/// to a person whose other records the caller counted touches none of
/// the person's rows, nor the index by person (a bulk import sets that
/// index aside: [`crate::store::DEFERRED_INDEXES`]).
///
/// Each record is a row of its own, so a record new to a person (every
/// record an import links) is one row appended at the table's end and an
/// entry in the index by person: the person's other records are neither
/// read nor written again. (They were one row per person, JSON and keys,
/// rewritten at a random place for every record added: more than half of
/// what an import's batch wrote at a million persons.)
pub fn put_record_keyed(
    conn: &Connection,
    seq: i64,
    sor: &str,
    sor_id: &str,
    rec: &MatchRecord,
    stored: &StoredRecord,
    held: Held,
) -> Result<()> {
    // One look at the person's rows: whether it has any, and the one of
    // this source and id if it has; or, for a record new here, at the
    // index by person only.
    let (mut first, mut in_place) = (true, None);
    if let Held::New { others } = held {
        first = match others {
            Some(others) => !others,
            None => conn
                .prepare_cached(
                    "SELECT NOT EXISTS (SELECT 1 FROM match_rows WHERE person_seq = ?1)",
                )?
                .query_row([seq], |r| r.get(0))?,
        };
        // The source's record, as stored before this put, is not the person's.
        debug_assert!(
            find_sor(conn, sor, sor_id)?.is_none_or(|r| r.person_seq != seq),
            "{sor}/{sor_id} is person {seq}'s already"
        );
    } else {
        let mut st = conn.prepare_cached(
            "SELECT id, sor = ?2 AND sor_id = ?3 FROM match_rows WHERE person_seq = ?1",
        )?;
        let mut rows = st.query(params![seq, sor, sor_id])?;
        while let Some(r) = rows.next()? {
            first = false;
            if r.get::<_, bool>(1)? {
                in_place = Some(r.get::<_, i64>(0)?);
            }
        }
    }
    if let Some(id) = in_place {
        // Replaced in place: the search keys change by what the person's
        // records hold before and after.
        let old = load_records(conn, seq)?;
        conn.prepare_cached("UPDATE match_rows SET rec = ?2, keys = ?3 WHERE id = ?1")?
            .execute(params![id, stored.json, stored.keys])?;
        let new = old
            .iter()
            .map(|r| match r.sor == sor && r.sor_id == sor_id {
                true => rec,
                false => &r.rec,
            });
        stamp(conn, seq)?;
        let before = search_key_set(old.iter().map(|r| &r.rec));
        return write_key_diff(conn, seq, &before, &search_key_set(new));
    }
    insert_stored(conn, seq, sor, sor_id, &stored.json, &stored.keys)?;
    stamp(conn, seq)?;
    // An added record only adds search keys: one the person holds already
    // is written to no effect (`INSERT OR IGNORE`).
    write_key_diff(conn, seq, &[], &search_key_set([rec]))?;
    count_records(conn, i64::from(first), &[rec])
}

/// Sorted, distinct hashes of `keys`.
fn hashes_of(keys: &[String]) -> Vec<i64> {
    let mut hashes: Vec<i64> = keys.iter().map(|k| matching::key_hash(k)).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// Drop the record `(sor, sor_id)` from person `seq`.
pub fn remove_record(conn: &Connection, seq: i64, sor: &str, sor_id: &str) -> Result<()> {
    move_some_records(conn, seq, None, &[(sor.to_string(), sor_id.to_string())])
}

/// Drop every record of person `seq` (before the person is deleted).
pub fn remove_records(conn: &Connection, seq: i64) -> Result<()> {
    move_where(conn, seq, None, |_| true)
}

/// Move every record of person `from` to person `to` (Link IDs merging).
pub fn move_records(conn: &Connection, from: i64, to: i64) -> Result<()> {
    move_where(conn, from, Some(to), |_| true)
}

/// Move the records `keys` ((sor, sorId)) of person `from` to the end of
/// person `to`'s, keys and all, or drop them (`to` is `None`); term
/// frequencies of records stay as they are (the records exist still).
pub fn move_some_records(
    conn: &Connection,
    from: i64,
    to: Option<i64>,
    keys: &[(String, String)],
) -> Result<()> {
    move_where(conn, from, to, |r| {
        keys.iter()
            .any(|(s, i)| *s == r.record.sor && *i == r.record.sor_id)
    })
}

/// [`move_some_records`] of the records of `from` that `moving` picks.
fn move_where(
    conn: &Connection,
    from: i64,
    to: Option<i64>,
    moving: impl Fn(&Row) -> bool,
) -> Result<()> {
    let old_from = rows_of(conn, from)?;
    let (moved, kept): (Vec<Row>, Vec<Row>) = old_from.iter().cloned().partition(|r| moving(r));
    if moved.is_empty() {
        return Ok(());
    }
    let mut del = conn.prepare_cached(
        "DELETE FROM match_rows WHERE person_seq = ?1 AND sor = ?2 AND sor_id = ?3",
    )?;
    for r in &moved {
        del.execute(params![from, r.record.sor, r.record.sor_id])?;
    }
    stamp(conn, from)?;
    changed_records(conn, from, &old_from, &kept)?;
    let Some(to) = to else {
        return Ok(());
    };
    let old_to = rows_of(conn, to)?;
    for r in &moved {
        insert_row(conn, to, r)?;
    }
    stamp(conn, to)?;
    let all: Vec<Row> = old_to.iter().chain(&moved).cloned().collect();
    changed_records(conn, to, &old_to, &all)
}

/// After person `seq`'s records went from `old` to `new` by records
/// moving in or out: its search keys change by the difference, and the
/// count of persons with records when it gained its first or lost its
/// last.
fn changed_records(conn: &Connection, seq: i64, old: &[Row], new: &[Row]) -> Result<()> {
    let set = |rows: &[Row]| search_key_set(rows.iter().map(|r| &r.record.rec));
    write_key_diff(conn, seq, &set(old), &set(new))?;
    let persons =
        i64::from(old.is_empty() && !new.is_empty()) - i64::from(!old.is_empty() && new.is_empty());
    count_records(conn, persons, &[])
}

/// The next stamp of the match clock ([`tick`]) for a change of person
/// `seq`'s records, logged for [`refresh_index`].
fn stamp(conn: &Connection, seq: i64) -> Result<i64> {
    let n = tick(conn)?;
    if with_held(|d| d.changes.push((n, seq))).is_none() {
        insert_changes(conn, &[(n, seq)])?;
    }
    Ok(n)
}

/// Change-log rows (stamp, person), in order.
fn insert_changes(conn: &Connection, changes: &[(i64, i64)]) -> Result<()> {
    let head = "INSERT INTO match_changes(changed, person_seq)";
    insert_rows(conn, head, 2, changes, |st, at, (n, seq)| {
        st.raw_bind_parameter(at, n)?;
        st.raw_bind_parameter(at + 1, seq)
    })
}

/// Term counts after a person's records changed: `persons` is 1 when
/// they were the first, -1 when the last went; `added` are new ones.
fn count_records(conn: &Connection, persons: i64, added: &[&MatchRecord]) -> Result<()> {
    // Persons with comparable records: one more when the first record
    // arrives, one fewer when the last leaves (the prior's population).
    if persons != 0 {
        count_term(conn, PERSONS, "", persons)?;
    }
    for r in added {
        count_term(conn, RECORDS, "", 1)?;
        for (f, v) in [
            (matching::GIVEN, &r.given),
            (matching::FAMILY, &r.family),
            (matching::CITY, &r.city),
        ] {
            if !v.is_empty() {
                count_term(conn, f as i64, v, 1)?;
            }
        }
    }
    Ok(())
}

/// `term_freq`'s row counting the records, and the one counting the
/// persons with records (`field` -1 and -2, value '').
const RECORDS: i64 = -1;
const PERSONS: i64 = -2;

/// Add `by` to the count of `value` in `field` (never below 0), or hold it
/// for the batch's end while writes are deferred ([`defer_keys`]).
fn count_term(conn: &Connection, field: i64, value: &str, by: i64) -> Result<()> {
    if by >= 0
        && with_held(|d| d.edit_term(field, value, |t| *t.added.get_or_insert(0) += by)).is_some()
    {
        return Ok(());
    }
    // A count going down while others are held: those first, so that the
    // floor at 0 applies in the order the changes were made.
    flush_terms(conn)?;
    add_term(conn, field, value, by)
}

fn add_term(conn: &Connection, field: i64, value: &str, by: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO term_freq(field, value, n) VALUES (?1, ?2, max(?3, 0))
         ON CONFLICT(field, value) DO UPDATE SET n = max(n + ?3, 0)",
    )?
    .execute(params![field, value, by])?;
    Ok(())
}

/// Write the held term counts, in key order.
fn flush_terms(conn: &Connection) -> Result<()> {
    let held = with_held(|d| std::mem::take(&mut d.terms));
    // In key order: one walk along the table's B-tree.
    let mut adds: Vec<(i64, String, i64)> = held
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(field, values)| {
            values
                .into_iter()
                .filter_map(move |(value, t)| t.added.map(|by| (field, value, by)))
        })
        .collect();
    adds.sort_unstable();
    for (field, value, by) in adds {
        add_term(conn, field, &value, by)?;
    }
    Ok(())
}

/// The count of `value` in `field`, held changes included; `None` when
/// there is none.
fn term_count(conn: &Connection, field: i64, value: &str) -> Result<Option<i64>> {
    let read = |conn: &Connection| -> Result<Option<i64>> {
        conn.prepare_cached("SELECT n FROM term_freq WHERE field = ?1 AND value = ?2")?
            .query_row(params![field, value], |r| r.get(0))
            .optional()
    };
    // While writes are held the table does not change: each count is read
    // once a batch.
    let held = DEFERRED.with(|d| {
        d.borrow().as_ref().map(|d| {
            let t = d.terms.get(&field).and_then(|m| m.get(value));
            (t.and_then(|t| t.stored), t.and_then(|t| t.added))
        })
    });
    let Some((stored, added)) = held else {
        return read(conn);
    };
    let stored = match stored {
        Some(n) => n,
        None => {
            let n = read(conn)?;
            with_held(|d| d.edit_term(field, value, |t| t.stored = Some(n)));
            n
        }
    };
    Ok(match (stored, added) {
        (None, None) => None,
        (n, by) => Some((n.unwrap_or(0) + by.unwrap_or(0)).max(0)),
    })
}

/// The next stamp of the match clock: every write of a person's
/// comparable records carries one, so that a process holding the blocking
/// index reads only the rows changed since it last looked
/// ([`refresh_index`]).
///
/// While writes are deferred ([`defer_keys`]) the stamps are counted here
/// and the clock written once at the flush (nobody else writes meanwhile:
/// the transaction holds the write lock).
fn tick(conn: &Connection) -> Result<i64> {
    let held = DEFERRED.with(|d| d.borrow().as_ref().map(|d| d.clock));
    match held {
        None => conn
            .prepare_cached("UPDATE match_clock SET n = n + 1 RETURNING n")?
            .query_row([], |r| r.get(0)),
        Some(at) => {
            let next = match at {
                Some(n) => n,
                None => clock(conn)?,
            } + 1;
            with_held(|d| d.clock = Some(next));
            Ok(next)
        }
    }
}

/// The clock's last stamp.
pub fn clock(conn: &Connection) -> Result<i64> {
    conn.prepare_cached("SELECT n FROM match_clock")?
        .query_row([], |r| r.get(0))
}

/// Sorted key hashes as stored: 8 bytes each, little-endian.
fn keys_blob(hashes: &[i64]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// [`keys_blob`] read back; a ragged tail is ignored.
fn blob_keys(blob: &[u8]) -> Vec<i64> {
    blob.chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// One search-key row to write: the key, the person, and insert (or delete).
type KeyWrite = (String, i64, bool);

/// Sorted, distinct search keys of `recs`.
fn search_key_set<'a>(recs: impl IntoIterator<Item = &'a MatchRecord>) -> Vec<String> {
    let mut keys: Vec<String> = recs.into_iter().flat_map(search_keys).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Search-key writes held back while a bulk load's batch runs
/// ([`defer_keys`]), in the order they were made.
#[derive(Default)]
struct Deferred {
    search: Vec<KeyWrite>,
    /// The change log's rows (stamp, person), in stamp order: nobody reads
    /// the log in the transaction that writes it.
    changes: Vec<(i64, i64)>,
    /// Link events, in the order made: nobody reads a person's history
    /// in the import's transaction ([`hold_link_event`]).
    events: Vec<steward::HeldEvent>,
    /// The match clock's last stamp handed out, once one has been.
    clock: Option<i64>,
    /// Term counts by field, then value: as the table holds them (read
    /// once a batch) and what the batch adds. Hashed (FNV: short values,
    /// nobody chooses them against the table) and sorted only at the
    /// flush; every name of every row is looked up here.
    terms: std::collections::HashMap<
        i64,
        std::collections::HashMap<String, Term, crate::core::matching::FnvBuild>,
    >,
}

impl Deferred {
    /// `edit` the held count of `value` in `field`, made empty first if
    /// there is none (one look when there is: every name of every row).
    fn edit_term(&mut self, field: i64, value: &str, edit: impl FnOnce(&mut Term)) {
        let f = self.terms.entry(field).or_default();
        match f.get_mut(value) {
            Some(t) => edit(t),
            None => {
                let mut t = Term::default();
                edit(&mut t);
                f.insert(value.to_string(), t);
            }
        }
    }
}

/// A value's term count while writes are held ([`Deferred::terms`]).
#[derive(Debug, Clone, Copy, Default)]
struct Term {
    /// `Some`: the table's count, read this batch (`Some(None)`: none).
    stored: Option<Option<i64>>,
    /// What the batch adds, when it adds anything.
    added: Option<i64>,
}

thread_local! {
    static DEFERRED: std::cell::RefCell<Option<Deferred>> = const { std::cell::RefCell::new(None) };
}

/// `f` of this thread's held writes, while writes are deferred
/// ([`defer_keys`]); `None` when they are not.
fn with_held<R>(f: impl FnOnce(&mut Deferred) -> R) -> Option<R> {
    DEFERRED.with(|d| d.borrow_mut().as_mut().map(f))
}

/// Hold this thread's search-key writes back until [`DeferredKeys::flush`]:
/// a bulk load appends a batch's added keys to `search_keys_added`, to be
/// merged into `search_keys` at its end ([`merge_search_keys`]), instead
/// of a descent to a random page per key. Only
/// for a caller that reads no search key meanwhile (the import). Term
/// counts and the match clock's stamps are held too, and read from here
/// meanwhile as the tables would give them: about seven statements fewer
/// for each new person, and each count written once a batch. Only inside
/// a write transaction (nobody else writes the clock meanwhile). Dropped
/// without a flush, the held writes are discarded (the transaction they
/// belonged to rolls back).
pub fn defer_keys() -> DeferredKeys {
    DEFERRED.with(|d| *d.borrow_mut() = Some(Deferred::default()));
    DeferredKeys(())
}

/// Hold link event `e` for the flush while writes are deferred
/// ([`defer_keys`]); `false` when they are not (then the caller writes it).
/// A statement run per event was most of its cost; the flush inserts a
/// batch's events [`KEY_ROWS`] to a statement, in order.
pub(crate) fn hold_link_event(at: &str, actor: &str, e: &steward::LinkEvent) -> bool {
    with_held(|d| d.events.push(steward::HeldEvent::of(at, actor, e))).is_some()
}

/// See [`defer_keys`].
pub struct DeferredKeys(());

impl DeferredKeys {
    /// Write the held keys, in key order, in `conn`'s transaction; writes
    /// made after this are held again until the next flush.
    pub fn flush(&self, conn: &Connection) -> Result<()> {
        flush_terms(conn)?;
        let held = DEFERRED.with(|d| d.borrow_mut().replace(Deferred::default()));
        let Some(held) = held else {
            return Ok(());
        };
        if let Some(n) = held.clock {
            conn.prepare_cached("UPDATE match_clock SET n = ?1")?
                .execute([n])?;
        }
        insert_changes(conn, &held.changes)?;
        steward::insert_held_events(conn, &held.events)?;
        stage(conn, &held.search)
    }
}

/// A bulk load's search-key writes, in the order made: added keys are
/// appended to `search_keys_added` (merged at the load's end:
/// [`merge_search_keys`]); a removal, rare in a load, merges what is
/// staged first and then removes the key where it then is. A key added
/// again (every record linked to a person adds its names: `INSERT OR
/// IGNORE` in `search_keys`) may be staged twice: the merge and the
/// searches read the tables' distinct union.
fn stage(conn: &Connection, writes: &[KeyWrite]) -> Result<()> {
    const HEAD: &str = "INSERT INTO search_keys_added(key, person_seq)";
    fn row(w: &KeyWrite) -> (&str, i64) {
        (w.0.as_str(), w.1)
    }
    let mut start = 0;
    for (i, (k, seq, insert)) in writes.iter().enumerate() {
        if !*insert {
            // The removal merges what is staged, this run's rows with it.
            insert_key_rows(conn, HEAD, &writes[start..i], row)?;
            apply(conn, &[(k.clone(), *seq, false)])?;
            start = i + 1;
        }
    }
    insert_key_rows(conn, HEAD, &writes[start..], row)
}

/// Key rows a statement inserts at once ([`insert_key_rows`]).
const KEY_ROWS: usize = 128;

/// Insert `rows` (each a key and a person, as `row` reads it) with
/// `head` (`INSERT … INTO table(key, person_seq)`), in order, [`KEY_ROWS`]
/// to a statement: binding and running a statement for each row was most
/// of the cost of writing a million keys, and one statement inserting rows
/// in order keeps its place in the B-tree from one row to the next.
fn insert_key_rows<T>(
    conn: &Connection,
    head: &str,
    rows: &[T],
    row: impl Fn(&T) -> (&str, i64),
) -> Result<()> {
    insert_rows(conn, head, 2, rows, |st, at, r| {
        let (key, seq) = row(r);
        st.raw_bind_parameter(at, key)?;
        st.raw_bind_parameter(at + 1, seq)
    })
}

/// Insert `rows` with `head` (`INSERT … INTO table(columns)`), in order,
/// [`KEY_ROWS`] to a statement: `bind` binds a row's `columns` values
/// from parameter `at` on.
pub(crate) fn insert_rows<T>(
    conn: &Connection,
    head: &str,
    columns: usize,
    rows: &[T],
    bind: impl Fn(&mut rusqlite::Statement<'_>, usize, &T) -> Result<()>,
) -> Result<()> {
    let row = format!("({})", vec!["?"; columns].join(", "));
    let mut chunks = rows.chunks_exact(KEY_ROWS);
    if chunks.len() > 0 {
        let values = vec![row.as_str(); KEY_ROWS].join(", ");
        let mut many = conn.prepare_cached(&format!("{head} VALUES {values}"))?;
        for chunk in &mut chunks {
            for (i, r) in chunk.iter().enumerate() {
                bind(&mut many, columns * i + 1, r)?;
            }
            many.raw_execute()?;
        }
    }
    let mut one = conn.prepare_cached(&format!("{head} VALUES {row}"))?;
    for r in chunks.remainder() {
        bind(&mut one, 1, r)?;
        one.raw_execute()?;
    }
    Ok(())
}

/// The match clock and the staged search keys ([`stage`]), as `conn`'s
/// transaction sees them.
pub fn staged_search_keys(conn: &Connection) -> Result<(i64, Vec<(String, i64)>)> {
    let clock = clock(conn)?;
    let mut st = conn.prepare("SELECT key, person_seq FROM search_keys_added")?;
    let keys = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>>>()?;
    Ok((clock, keys))
}

/// `keys` into `search_keys`, in the order given (sorted: one walk along
/// its B-tree); one held already is left as it is.
pub fn insert_search_keys(conn: &Connection, keys: &[(String, i64)]) -> Result<()> {
    fn row((key, seq): &(String, i64)) -> (&str, i64) {
        (key, *seq)
    }
    insert_key_rows(conn, SEARCH_KEY_HEAD, keys, row)
}

/// Whether a bulk load staged search keys not merged yet ([`stage`]).
pub(crate) fn staged_any(conn: &Connection) -> Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM search_keys_added)")?
        .query_row([], |r| r.get(0))
}

/// Move the staged search keys ([`stage`]) into `search_keys`, in key
/// order: one walk along its B-tree. In the caller's transaction.
pub fn merge_search_keys(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "INSERT OR IGNORE INTO search_keys(key, person_seq)
             SELECT key, person_seq FROM search_keys_added ORDER BY key, person_seq;
         DELETE FROM search_keys_added;",
    )
}

impl Drop for DeferredKeys {
    fn drop(&mut self) {
        DEFERRED.with(|d| *d.borrow_mut() = None);
    }
}

/// A search key row, unless it is held already (with `VALUES`).
const SEARCH_KEY_HEAD: &str = "INSERT OR IGNORE INTO search_keys(key, person_seq)";
/// The same, for one row.
const INSERT_SEARCH_KEY: &str =
    "INSERT OR IGNORE INTO search_keys(key, person_seq) VALUES (?1, ?2)";

/// Write search-key rows, in the order given. A removal first merges
/// what a bulk load staged ([`stage`]): an import killed before its end,
/// or running in another process, may hold the key there, where searches
/// would go on finding it (and the load's merge would bring it back).
fn apply(conn: &Connection, writes: &[KeyWrite]) -> Result<()> {
    if writes.iter().any(|w| !w.2) && staged_any(conn)? {
        merge_search_keys(conn)?;
    }
    let mut del =
        conn.prepare_cached("DELETE FROM search_keys WHERE key = ?1 AND person_seq = ?2")?;
    let mut ins = conn.prepare_cached(INSERT_SEARCH_KEY)?;
    for (k, seq, insert) in writes {
        if *insert {
            ins.execute(params![k, seq])?;
        } else {
            del.execute(params![k, seq])?;
        }
    }
    Ok(())
}

/// Change person `seq`'s search keys from `old` to `new` (both sorted):
/// now, or at the batch's flush while [`defer_keys`] is on.
fn write_key_diff(conn: &Connection, seq: i64, old: &[String], new: &[String]) -> Result<()> {
    let mut writes: Vec<KeyWrite> = Vec::new();
    for k in old.iter().filter(|k| new.binary_search(k).is_err()) {
        writes.push((k.clone(), seq, false));
    }
    for k in new.iter().filter(|k| old.binary_search(k).is_err()) {
        writes.push((k.clone(), seq, true));
    }
    match with_held(|d| d.search.append(&mut writes)) {
        Some(()) => Ok(()),
        None => apply(conn, &writes),
    }
}

/// Work out every stored record's blocking keys and every person's
/// search keys again, and stamp every person (a process holding the
/// blocking index reads them all again): after a schema step that changed
/// what the keys are or where they are kept. Keys are derived data.
pub fn rebuild_keys(conn: &Connection) -> Result<()> {
    conn.execute_batch("DELETE FROM search_keys;")?;
    // Staged keys too, once the schema has their table (step 24).
    let staged: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'search_keys_added')",
        [],
        |r| r.get(0),
    )?;
    if staged {
        conn.execute_batch("DELETE FROM search_keys_added;")?;
    }
    // One person at a time, read in order of the index by person; each
    // row's keys are written where it stands (the index read is not
    // changed by that), so the records are never all in memory at once.
    let mut st =
        conn.prepare("SELECT id, person_seq, rec FROM match_rows ORDER BY person_seq, id")?;
    let mut set = conn.prepare("UPDATE match_rows SET keys = ?2 WHERE id = ?1")?;
    let mut rows = st.query([])?;
    let mut person: Vec<MatchRecord> = Vec::new();
    let mut at: Option<i64> = None;
    let done = |seq: i64, person: &mut Vec<MatchRecord>| -> Result<()> {
        write_key_diff(conn, seq, &[], &search_key_set(person.iter()))?;
        stamp(conn, seq)?;
        person.clear();
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let (id, seq): (i64, i64) = (r.get(0)?, r.get(1)?);
        let rec = parse_rec(&r.get::<_, String>(2)?);
        set.execute(params![id, keys_blob(&hashes_of(&rec.blocking_keys()))])?;
        if let Some(prev) = at.filter(|a| *a != seq) {
            done(prev, &mut person)?;
        }
        at = Some(seq);
        person.push(rec);
    }
    if let Some(seq) = at {
        done(seq, &mut person)?;
    }
    Ok(())
}

/// Keys for the search box (never used for blocking): name prefixes.
pub fn search_keys(r: &MatchRecord) -> Vec<String> {
    name_keys(&r.given, &r.family, &r.middle).collect()
}

fn name_keys<'a>(
    given: &'a str,
    family: &'a str,
    middle: &'a str,
) -> impl Iterator<Item = String> + 'a {
    [given, family, middle]
        .into_iter()
        .filter(|v| !v.is_empty())
        .map(|v| format!("n:{v}"))
}

/// A search word that is a birth date (`1954-12-18`, `18.12.1954`, …; not
/// bare digits, which are numbers), as the store keeps it.
fn date_word(w: &str) -> Option<String> {
    if !w.contains(['-', '.', '/']) {
        return None;
    }
    crate::core::matching::normalize::parse_birth_date(w)
        .map(|d| crate::core::matching::normalize::date_string(d, true))
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
pub fn search(conn: &Connection, index: &BlockIndex, q: &str, cap: usize) -> Result<Vec<i64>> {
    use crate::core::matching::normalize::{id_key, name_key, phone_key};
    let q = q.trim();
    let exact = |key: &str| -> Vec<i64> {
        let mut seqs = index.block(matching::key_hash(key));
        seqs.truncate(cap);
        seqs
    };
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
            out.extend(exact(&key));
        }
    }
    let digits = q.chars().filter(char::is_ascii_digit).count();
    if digits >= 7 && digits * 2 >= q.chars().filter(|c| !c.is_whitespace()).count() {
        out.extend(exact(&format!("p:{}", phone_key(q))));
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
        "SELECT DISTINCT person_seq FROM (
             SELECT person_seq FROM search_keys WHERE key >= ?1 AND key < ?2
             UNION ALL
             SELECT person_seq FROM search_keys_added WHERE key >= ?1 AND key < ?2)",
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
        "SELECT key, person_seq FROM search_keys WHERE key >= ?1 AND key < ?2
         UNION
         SELECT key, person_seq FROM search_keys_added WHERE key >= ?1 AND key < ?2
         LIMIT 20000",
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

/// The blocking index in memory, filled from `match_rows`, with the
/// match clock's stamp it is current to (read first: a row written
/// meanwhile is read again by the next [`refresh_index`], which is
/// harmless). `None` when a person's seq is too large for it.
pub fn load_index(conn: &Connection) -> Result<Option<(BlockIndex, i64)>> {
    let seen = clock(conn)?;
    // Room for what is stored: the last seq, and keys as blobs hold them
    // (8 bytes each; a key counted once per record holding it, an upper
    // bound).
    let (last, key_bytes): (i64, i64) = conn.query_row(
        "SELECT coalesce(max(person_seq), 0), coalesce(sum(length(keys)), 0) FROM match_rows",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut index = BlockIndex::with_capacity(last, usize::try_from(key_bytes / 8).unwrap_or(0));
    // By person (the index on it), each person's rows in order.
    let mut st = conn.prepare(
        "SELECT sor, sor_id, rec, keys, person_seq FROM match_rows ORDER BY person_seq, id",
    )?;
    let mut rows = st.query([])?;
    let mut person: Vec<Row> = Vec::new();
    let mut at: Option<i64> = None;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(4)?;
        if at.is_some_and(|a| a != seq) {
            if !set_person(&mut index, at.unwrap_or(seq), &person) {
                return Ok(None);
            }
            person.clear();
        }
        at = Some(seq);
        person.push(read_row(r)?);
    }
    if let Some(seq) = at
        && !set_person(&mut index, seq, &person)
    {
        return Ok(None);
    }
    Ok(Some((index, seen)))
}

/// Bring `index`, current to stamp `seen`, up to the store: every person
/// whose records changed since (added, replaced, moved, deleted) is read
/// again whole. Returns the stamp it is now current to; `None` when it
/// cannot be (the clock went back, which only a rolled-back write or
/// another database does, or a seq too large) or should not be (more
/// persons changed than [`REFRESH_FEW`] and a quarter of those it holds):
/// then load it again.
pub fn refresh_index(conn: &Connection, index: &mut BlockIndex, seen: i64) -> Result<Option<i64>> {
    let now = clock(conn)?;
    if now == seen {
        return Ok(Some(seen));
    }
    if now < seen {
        return Ok(None);
    }
    let changed: Vec<i64> = conn
        .prepare_cached("SELECT DISTINCT person_seq FROM match_changes WHERE changed > ?1")?
        .query_map([seen], |r| r.get(0))?
        .collect::<Result<_>>()?;
    // A process that held the index while another imported a million
    // rows: reading a quarter of the persons one by one costs more than
    // reading the table once, in order.
    if changed.len() > REFRESH_FEW && changed.len() > index.persons() / 4 {
        return Ok(None);
    }
    // Their rows in one query: through the index by person, or in one
    // pass over the table while a bulk import has set that index aside
    // (a person at a time would then be a pass each).
    let mut rows: std::collections::HashMap<i64, Vec<Row>> = std::collections::HashMap::new();
    let mut st = conn.prepare_cached(
        "SELECT sor, sor_id, rec, keys, person_seq FROM match_rows
         WHERE person_seq IN (SELECT person_seq FROM match_changes WHERE changed > ?1)
         ORDER BY person_seq, id",
    )?;
    let mut read = st.query([seen])?;
    while let Some(r) = read.next()? {
        rows.entry(r.get(4)?).or_default().push(read_row(r)?);
    }
    for seq in changed {
        let person = rows.remove(&seq).unwrap_or_default();
        if !set_person(index, seq, &person) {
            return Ok(None);
        }
    }
    Ok(Some(now))
}

/// Persons changed since a refresh that are read one by one whatever the
/// index holds; past this, and past a quarter of its persons, it is
/// loaded again instead ([`refresh_index`] says `None`).
pub const REFRESH_FEW: usize = 1000;

/// Keep only each person's latest stamp in `match_changes`: whatever
/// stamp a reader is current to, it reads the same persons after as
/// before (a person gone keeps its last one). Returns the entries removed.
pub fn prune_changes(conn: &Connection) -> Result<usize> {
    conn.execute(
        "DELETE FROM match_changes WHERE changed NOT IN
             (SELECT max(changed) FROM match_changes GROUP BY person_seq)",
        [],
    )
}

/// Person `seq` as its `rows` say (none: gone) into `index`.
fn set_person(index: &mut BlockIndex, seq: i64, rows: &[Row]) -> bool {
    let mut keys: Vec<i64> = rows.iter().flat_map(|r| blob_keys(&r.keys)).collect();
    keys.sort_unstable();
    keys.dedup();
    let parts = rows.iter().map(|r| {
        (
            r.record.sor.as_str(),
            r.record.sor_id.as_str(),
            &r.record.rec,
        )
    });
    index.set_person(seq, parts, &keys)
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
        let total = term_count(conn, RECORDS, "")?.unwrap_or(0);
        let persons = term_count(conn, PERSONS, "")?.unwrap_or(0);
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
        let n = term_count(self.conn, field as i64, value).ok().flatten();
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

/// Store the record `(sor, sor_id)` of person `seq`, new to the store: a
/// plain insert (an upsert opens a statement journal, a copy of every page
/// it changes: two fifths of its cost). One stored already is refused by
/// the primary key.
pub fn insert_sor(
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
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
    )?
    .execute(params![sor, sor_id, seq, attributes, now, kind])?;
    Ok(())
}

/// Store the record `(sor, sor_id)` of person `seq`, or update it (its
/// creation time kept).
pub fn upsert_sor(
    conn: &Connection,
    sor: &str,
    sor_id: &str,
    seq: i64,
    kind: &str,
    attributes: &str,
    now: &str,
) -> Result<()> {
    let updated = conn
        .prepare_cached(
            "UPDATE sor_records SET person_seq = ?3, attributes = ?4, updated_at = ?5, link_kind = ?6
             WHERE sor = ?1 AND sor_id = ?2",
        )?
        .execute(params![sor, sor_id, seq, attributes, now, kind])?;
    match updated {
        0 => insert_sor(conn, sor, sor_id, seq, kind, attributes, now),
        _ => Ok(()),
    }
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

/// Whether source `sor` has no record stored and none waiting in the
/// reconciliation queue (both answered from the key's first column).
pub fn source_is_new(conn: &Connection, sor: &str) -> Result<bool> {
    conn.prepare_cached(
        "SELECT NOT EXISTS (SELECT 1 FROM sor_records WHERE sor = ?1) \
         AND NOT EXISTS (SELECT 1 FROM pending WHERE sor = ?1 AND resolved_at IS NULL)",
    )?
    .query_row([sor], |r| r.get(0))
}

/// The id of the last request queued (0 when none ever was): ids only
/// grow, so another one queued meanwhile changes it.
pub fn last_pending_id(conn: &Connection) -> Result<i64> {
    conn.prepare_cached("SELECT coalesce(max(id), 0) FROM pending")?
        .query_row([], |r| r.get(0))
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

/// A queue item's first four columns: id, sor, sor_id, attributes.
fn waiting_from_row(r: &rusqlite::Row) -> rusqlite::Result<Waiting> {
    let a: String = r.get(3)?;
    Ok(Waiting {
        id: r.get(0)?,
        sor: r.get(1)?,
        sor_id: r.get(2)?,
        attributes: serde_json::from_str(&a).unwrap_or_default(),
    })
}

/// A queue item: [`waiting_from_row`]'s columns, then candidates and
/// created_at.
fn pending_from_row(r: &rusqlite::Row) -> rusqlite::Result<PendingRow> {
    let Waiting {
        id,
        sor,
        sor_id,
        attributes,
    } = waiting_from_row(r)?;
    let c: String = r.get(4)?;
    Ok(PendingRow {
        id,
        sor,
        sor_id,
        attributes,
        candidates: serde_json::from_str(&c).unwrap_or_default(),
        created_at: r.get(5)?,
    })
}

/// A waiting record as settling it reads it: without its candidates (a
/// queue item's largest part, which re-scoring finds afresh).
pub struct Waiting {
    pub id: i64,
    pub sor: String,
    pub sor_id: String,
    pub attributes: serde_json::Value,
}

impl PendingRow {
    pub fn into_waiting(self) -> Waiting {
        Waiting {
            id: self.id,
            sor: self.sor,
            sor_id: self.sor_id,
            attributes: self.attributes,
        }
    }
}

/// At most `limit` open queue items after id `after`, in id order,
/// without their candidates: the queue read a page at a time, so that
/// going through all of it holds one page in memory. Importing a shuffled
/// copy of the 1M dupehell file, the whole queue read with its candidates
/// (about 25,000 items) took peak RSS from 655 MiB to 1.2 GiB.
pub fn waiting_after(conn: &Connection, after: i64, limit: usize) -> Result<Vec<Waiting>> {
    let mut st = conn.prepare_cached(
        "SELECT id, sor, sor_id, attributes FROM pending
         WHERE resolved_at IS NULL AND id > ?1 ORDER BY id LIMIT ?2",
    )?;
    st.query_map(
        params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
        waiting_from_row,
    )?
    .collect()
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

/// The records of about one person in `step`, each person's together,
/// chosen by a hash of the seq so that a sample needs no scan of the
/// records (only of the index by person).
pub fn each_sampled_records(
    conn: &Connection,
    step: i64,
    mut each: impl FnMut(Vec<MatchRecord>),
) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT person_seq, rec FROM match_rows WHERE (person_seq * 2654435761) % ?1 = 0
         ORDER BY person_seq, id",
    )?;
    let mut rows = st.query([step])?;
    let mut person: Vec<MatchRecord> = Vec::new();
    let mut at: Option<i64> = None;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        if at.is_some_and(|a| a != seq) {
            each(std::mem::take(&mut person));
        }
        at = Some(seq);
        person.push(parse_rec(&row.get::<_, String>(1)?));
    }
    if !person.is_empty() {
        each(person);
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
            data_json: None,
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

    /// Every row `sql` selects, as `f` reads it.
    fn rows<T>(
        conn: &Connection,
        sql: &str,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], f).unwrap().collect::<Result<_>>().unwrap()
    }

    /// Each person's blocking key hashes, and the search keys' rows (both
    /// tables, as a search reads them), in order.
    type Rows = (Vec<(i64, Vec<i64>)>, Vec<(String, i64)>);

    fn keys(conn: &Connection) -> Rows {
        let mut blocking: Vec<(i64, Vec<i64>)> = Vec::new();
        let each = rows(
            conn,
            "SELECT person_seq, keys FROM match_rows ORDER BY person_seq, id",
            |r| Ok((r.get(0)?, blob_keys(&r.get::<_, Vec<u8>>(1)?))),
        );
        for (seq, keys) in each {
            match blocking.last_mut() {
                Some((s, all)) if *s == seq => {
                    all.extend(keys);
                    all.sort_unstable();
                    all.dedup();
                }
                _ => blocking.push((seq, keys)),
            }
        }
        let search = rows(
            conn,
            "SELECT key, person_seq FROM search_keys
             UNION SELECT key, person_seq FROM search_keys_added ORDER BY 1, 2",
            |r| Ok((r.get(0)?, r.get(1)?)),
        );
        (blocking, search)
    }

    /// A record added to a person stores the union of the keys stored and
    /// its own: the same hashes as working out every record's keys again.
    #[test]
    fn an_added_record_stores_every_records_keys() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let a = person(&store.conn, 1);
        let recs = [
            rec("Olena", "Kovalenko", "1986-04-12"),
            rec("Olena", "Kowalenko", "1986-04-21"),
            rec("Olena", "Kovalenko", "1986-04-12"),
        ];
        for (i, r) in recs.iter().enumerate() {
            put_record(&store.conn, a, "S", &i.to_string(), r.clone()).unwrap();
        }
        let records = load_records(&store.conn, a).unwrap();
        assert_eq!(records.len(), 3);
        let worked_out = hashes_of(
            &records
                .iter()
                .flat_map(|r| r.rec.blocking_keys())
                .collect::<Vec<_>>(),
        );
        assert!(worked_out.len() > recs[0].blocking_keys().len());
        assert_eq!(keys(&store.conn).0, vec![(a, worked_out)]);
    }

    /// Records added, replaced, removed and moved leave the rows, keys
    /// and term counts that putting the records each person ends with
    /// into an empty store gives: with a source id and names that JSON
    /// escapes, a record replaced in place (it keeps its place), one
    /// removed, and a person's records moved to another.
    #[test]
    fn records_written_one_by_one_are_stored_as_written_afresh() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = &store.conn;
        let (a, b) = (person(conn, 1), person(conn, 2));
        let puts = [
            (a, "S", "1", rec("Olena", "Kovalenko", "1986-04-12")),
            (
                a,
                "S",
                "quo\"te\\",
                rec("Ol\"ena", "Ковaленко", "1986-04-21"),
            ),
            (a, "T", "1", rec("Olena", "Kovalenko", "1986-04-12")),
            (a, "S", "1", rec("Olha", "Kovalenko", "1986-04-12")),
            (b, "U", "9", rec("Olena", "Bondar", "1986-04-12")),
            (b, "U", "10", rec("Petro", "Bondar", "1960-01-02")),
            (a, "V", "1", rec("Oksana", "Melnyk", "1986-04-12")),
        ];
        for (seq, sor, id, r) in &puts {
            put_record(conn, *seq, sor, id, r.clone()).unwrap();
        }
        remove_record(conn, a, "V", "1").unwrap();
        move_some_records(conn, b, Some(a), &[("U".into(), "9".into())]).unwrap();
        let records = load_records(conn, a).unwrap();
        let ids: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r.sor.as_str(), r.sor_id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [("S", "1"), ("S", "quo\"te\\"), ("T", "1"), ("U", "9")]
        );
        assert_eq!(records[0].rec, puts[3].3);
        let left = load_records(conn, b).unwrap();
        assert_eq!(left.len(), 1);
        // The same records written afresh, in order (term counts aside:
        // the removed record was counted once and stays counted).
        let whole = crate::store::Store::open_in_memory().unwrap();
        let (wa, wb) = (person(&whole.conn, 1), person(&whole.conn, 2));
        for (seq, recs) in [(wa, &records), (wb, &left)] {
            for r in recs.iter() {
                put_record(&whole.conn, seq, &r.sor, &r.sor_id, r.rec.clone()).unwrap();
            }
        }
        assert_eq!(keys(conn), keys(&whole.conn));
        let count = |conn: &Connection, f: i64, v: &str| term_count(conn, f, v).unwrap();
        assert_eq!(count(conn, RECORDS, ""), Some(6));
        assert_eq!(count(conn, PERSONS, ""), Some(2));
        assert_eq!(count(conn, matching::FAMILY as i64, "bondar"), Some(2));
        // Moving the last record out empties the person: one fewer.
        move_records(conn, b, a).unwrap();
        assert_eq!(count(conn, PERSONS, ""), Some(1));
        assert_eq!(load_records(conn, a).unwrap().len(), 5);
    }

    /// The same writes, made with and without `defer_keys`, leave the same
    /// search keys; held writes land only at the flush, deletes included,
    /// and a guard dropped without a flush discards them. The blocking
    /// keys are written with the records either way. Added keys are
    /// staged, and a key added and removed in one batch is gone; merged,
    /// `search_keys` alone holds what immediate writes left.
    #[test]
    fn deferred_key_writes_land_at_the_flush_as_immediate_ones_would() {
        let writes = |conn: &Connection, a: i64, b: i64| {
            put_record(conn, b, "S", "4", rec("Taras", "Bondar", "1970-05-06")).unwrap();
            remove_record(conn, b, "S", "4").unwrap();
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
        let olena = rec("Olena", "Kovalenko", "1986-04-21");
        let mut want: Vec<i64> = olena
            .blocking_keys()
            .iter()
            .map(|k| matching::key_hash(k))
            .collect();
        want.sort_unstable();
        assert_eq!(immediate.0[0], (a, want), "the kept record's keys only");

        let later = crate::store::Store::open_in_memory().unwrap();
        let (a, b) = (person(&later.conn, 1), person(&later.conn, 2));
        let held = defer_keys();
        writes(&later.conn, a, b);
        assert_eq!(
            keys(&later.conn).1,
            vec![],
            "nothing lands before the flush"
        );
        held.flush(&later.conn).unwrap();
        assert_eq!(keys(&later.conn), immediate);
        let staged: i64 = later
            .conn
            .query_row("SELECT count(*) FROM search_keys_added", [], |r| r.get(0))
            .unwrap();
        assert!(staged > 0, "added keys are staged until the merge");
        drop(held);
        merge_search_keys(&later.conn).unwrap();
        let main = rows(
            &later.conn,
            "SELECT key, person_seq FROM search_keys ORDER BY 1, 2",
            |r| Ok((r.get(0)?, r.get(1)?)),
        );
        assert_eq!(main, immediate.1, "merged into search_keys");
        assert_eq!(keys(&later.conn), immediate);

        // Dropped unflushed: the held writes are gone, and the next writes
        // are immediate again.
        let held = defer_keys();
        remove_record(&later.conn, b, "S", "2").unwrap();
        drop(held);
        assert_eq!(keys(&later.conn).1, immediate.1);
        assert!(DEFERRED.with(|d| d.borrow().is_none()));
    }

    /// `records` (source `S`) put to person `seq` as a bulk load puts
    /// them: their search keys staged, not merged (as an import killed
    /// after the batch leaves them).
    fn put_staged<const N: usize>(conn: &Connection, seq: i64, records: [(&str, MatchRecord); N]) {
        let held = defer_keys();
        for (sor_id, r) in records {
            put_record(conn, seq, "S", sor_id, r).unwrap();
        }
        held.flush(conn).unwrap();
    }

    /// Keys staged by a bulk load and not merged yet (an import killed
    /// before its end) are found by a search, by prefix and by typo, as
    /// merged ones are, and once each.
    #[test]
    fn staged_search_keys_are_searched_before_the_merge() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let (a, b) = (person(&store.conn, 1), person(&store.conn, 2));
        put_record(
            &store.conn,
            a,
            "S",
            "0",
            rec("Petro", "Shevchenko", "1990-01-02"),
        )
        .unwrap();
        put_staged(
            &store.conn,
            b,
            [
                ("1", rec("Olena", "Kovalenko", "1986-04-12")),
                ("2", rec("Olena", "Kovalenko", "1986-04-21")),
            ],
        );
        let staged: i64 = store
            .conn
            .query_row("SELECT count(*) FROM search_keys_added", [], |r| r.get(0))
            .unwrap();
        assert!(staged > 0);
        let index = BlockIndex::new();
        for q in ["kovalenko", "kovalen", "kovalenco", "olena"] {
            assert_eq!(search(&store.conn, &index, q, 10).unwrap(), vec![b], "{q}");
        }
        assert_eq!(search(&store.conn, &index, "petro", 10).unwrap(), vec![a]);
        assert_eq!(name_typo(&store.conn, "kovalenco", 10).unwrap(), vec![b]);
    }

    /// A key removed outside a bulk load (a desk edit after an import was
    /// killed, or beside one running elsewhere) is gone from the staged
    /// keys too: a search no longer finds the person by it, and the
    /// load's merge does not bring it back.
    #[test]
    fn a_removal_after_a_killed_load_removes_the_staged_key_too() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let b = person(&store.conn, 1);
        put_staged(
            &store.conn,
            b,
            [("1", rec("Olena", "Kovalenko", "1986-04-12"))],
        );
        let index = BlockIndex::new();
        assert_eq!(
            search(&store.conn, &index, "kovalenko", 10).unwrap(),
            vec![b]
        );
        // The load stopped here. The desk corrects the family name.
        put_record(
            &store.conn,
            b,
            "S",
            "1",
            rec("Olena", "Marchenko", "1986-04-12"),
        )
        .unwrap();
        assert_eq!(
            search(&store.conn, &index, "marchenko", 10).unwrap(),
            vec![b]
        );
        assert_eq!(
            search(&store.conn, &index, "kovalenko", 10).unwrap(),
            Vec::<i64>::new(),
            "the old name's staged key went with it"
        );
        merge_search_keys(&store.conn).unwrap();
        assert_eq!(
            search(&store.conn, &index, "kovalenko", 10).unwrap(),
            Vec::<i64>::new(),
            "and the merge does not bring it back"
        );
    }

    /// Key rows go in [`KEY_ROWS`] to a statement and the rest one by one:
    /// every row of a run that fills two statements and leaves some over
    /// lands once, a key held already is left as it is (`OR IGNORE`), and
    /// a removal in the middle of a staged run merges what came before it
    /// and stages what comes after.
    #[test]
    fn key_rows_land_whole_through_the_many_row_statements() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = &store.conn;
        let run = |prefix: &str| -> Vec<(String, i64)> {
            (0..2 * KEY_ROWS + 37)
                .map(|i| (format!("{prefix}{i:04}"), i as i64 % 7 + 1))
                .collect()
        };
        let main = || {
            rows(
                conn,
                "SELECT key, person_seq FROM search_keys ORDER BY 1, 2",
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )
        };
        let staged = || -> i64 {
            conn.query_row("SELECT count(*) FROM search_keys_added", [], |r| r.get(0))
                .unwrap()
        };
        let first = run("k");
        insert_search_keys(conn, &first[..10]).unwrap();
        insert_search_keys(conn, &first).unwrap();
        assert_eq!(
            main(),
            first,
            "each row once, in two statements and 37 rows"
        );

        let second = run("m");
        let mut writes: Vec<KeyWrite> = second.iter().map(|(k, p)| (k.clone(), *p, true)).collect();
        let cut = KEY_ROWS + 10;
        writes.insert(cut, (first[0].0.clone(), first[0].1, false));
        stage(conn, &writes).unwrap();
        assert_eq!(
            staged(),
            (second.len() - cut) as i64,
            "the rows after the removal are staged"
        );
        merge_search_keys(conn).unwrap();
        assert_eq!(staged(), 0);
        let mut want: Vec<(String, i64)> = first[1..].iter().chain(&second).cloned().collect();
        want.sort();
        assert_eq!(main(), want, "the removed key gone, every other row once");
    }

    /// The end of a bulk load on a file: the staged keys, read and sorted
    /// on a connection of their own beside the indexes' rebuilding, land
    /// in `search_keys` as SQLite's merge leaves them (duplicates once, a
    /// key held already kept), and nothing stays staged.
    #[test]
    fn staged_keys_merged_beside_the_indexes_as_sqlite_merges_them() {
        let dir = tempfile::tempdir().unwrap();
        let run = |name: &str, beside: bool| {
            let mut store = crate::store::Store::open(&dir.path().join(name)).unwrap();
            let (a, b) = (person(&store.conn, 1), person(&store.conn, 2));
            put_record(
                &store.conn,
                a,
                "S",
                "0",
                rec("Petro", "Shevchenko", "1990-01-02"),
            )
            .unwrap();
            let tx = store.conn.transaction().unwrap();
            let held = defer_keys();
            put_record(&tx, b, "S", "1", rec("Olena", "Kovalenko", "1986-04-12")).unwrap();
            put_record(&tx, b, "S", "2", rec("Olena", "Kovalenko", "1986-04-21")).unwrap();
            put_record(&tx, a, "S", "3", rec("Petro", "Shevchenko", "1990-01-02")).unwrap();
            held.flush(&tx).unwrap();
            drop(held);
            tx.commit().unwrap();
            store.defer_indexes().unwrap();
            if beside {
                store.restore_indexes_and_merge_search_keys().unwrap();
            } else {
                store.restore_indexes().unwrap();
                store.merge_search_keys().unwrap();
            }
            let staged: i64 = store
                .conn
                .query_row("SELECT count(*) FROM search_keys_added", [], |r| r.get(0))
                .unwrap();
            assert_eq!(staged, 0);
            rows(
                &store.conn,
                "SELECT key, person_seq FROM search_keys ORDER BY 1, 2",
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        };
        let by_sqlite: Vec<(String, i64)> = run("sqlite.db", false);
        assert_eq!(by_sqlite.len(), 4, "{by_sqlite:?}");
        assert_eq!(run("beside.db", true), by_sqlite);
    }

    /// While writes are deferred, term counts and the match clock's stamps
    /// are kept in memory: what is read meanwhile, and what the table and
    /// clock hold after the flush, are what immediate writes give, with a
    /// person emptied (a count going down) among them.
    #[test]
    fn deferred_counts_and_stamps_read_and_land_as_immediate_ones() {
        let steps = |conn: &Connection, a: i64, b: i64| -> Vec<(f64, f64, Option<f64>)> {
            let mut seen = Vec::new();
            let mut look = |conn: &Connection| {
                let tf = SqlTf::new(conn).unwrap();
                seen.push((
                    tf.total,
                    tf.persons,
                    // Shares count once a thousand records are in.
                    term_count(conn, matching::FAMILY as i64, "kovalenko")
                        .unwrap()
                        .map(|n| n as f64),
                ));
            };
            for i in 0..3 {
                put_record(
                    conn,
                    a,
                    "S",
                    &format!("a{i}"),
                    rec("Olena", "Kovalenko", "1986-04-12"),
                )
                .unwrap();
                look(conn);
            }
            put_record(conn, b, "S", "b", rec("Petro", "Kovalenko", "1990-01-02")).unwrap();
            look(conn);
            remove_record(conn, b, "S", "b").unwrap();
            look(conn);
            put_record(conn, b, "S", "b2", rec("Petro", "Shevchenko", "1990-01-02")).unwrap();
            look(conn);
            seen
        };
        /// Term counts, the clock, and each person's stamp.
        type Tables = (Vec<(i64, String, i64)>, i64, Vec<(i64, i64)>);
        let tables = |conn: &Connection| -> Tables {
            let tf = rows(
                conn,
                "SELECT field, value, n FROM term_freq ORDER BY 1, 2",
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            );
            let stamps = rows(
                conn,
                "SELECT person_seq, max(changed) FROM match_changes GROUP BY 1 ORDER BY 1",
                |r| Ok((r.get(0)?, r.get(1)?)),
            );
            (tf, clock(conn).unwrap(), stamps)
        };
        let now = crate::store::Store::open_in_memory().unwrap();
        let (a, b) = (person(&now.conn, 1), person(&now.conn, 2));
        let read_now = steps(&now.conn, a, b);
        let immediate = tables(&now.conn);
        assert!(immediate.1 > 0 && immediate.0.len() > 3, "{immediate:?}");

        let later = crate::store::Store::open_in_memory().unwrap();
        let (a, b) = (person(&later.conn, 1), person(&later.conn, 2));
        let before = tables(&later.conn);
        let held = defer_keys();
        let read_later = steps(&later.conn, a, b);
        assert_eq!(read_later, read_now, "reads meanwhile");
        held.flush(&later.conn).unwrap();
        drop(held);
        assert_ne!(tables(&later.conn), before);
        assert_eq!(tables(&later.conn), immediate, "after the flush");
    }

    /// An index loaded once and refreshed after writes (records changed,
    /// moved, a person deleted) answers as one loaded afresh.
    #[test]
    fn a_refreshed_index_answers_as_one_loaded_afresh() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = &store.conn;
        let (a, b, c) = (person(conn, 1), person(conn, 2), person(conn, 3));
        let olena = rec("Olena", "Kovalenko", "1986-04-12");
        let petro = rec("Petro", "Shevchenko", "1990-01-02");
        put_record(conn, a, "S", "1", olena.clone()).unwrap();
        put_record(conn, b, "S", "2", petro.clone()).unwrap();
        let (mut ix, seen) = load_index(conn).unwrap().unwrap();
        assert_eq!(ix.candidates(&olena.blocking_keys()), vec![a]);
        assert_eq!(refresh_index(conn, &mut ix, seen).unwrap(), Some(seen));

        put_record(conn, c, "S", "3", olena.clone()).unwrap();
        move_records(conn, b, a).unwrap();
        crate::store::persons::delete(conn, c).unwrap();
        // Pruned to each person's latest stamp, the log still brings an
        // index from any earlier stamp to the same answer.
        let mut other = load_index(conn).unwrap().unwrap().0;
        let logged = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM match_changes", [], |r| r.get(0))
                .unwrap()
        };
        let before = logged(conn);
        let removed = prune_changes(conn).unwrap();
        assert!(removed > 0);
        assert_eq!(logged(conn), before - removed as i64);
        assert_eq!(prune_changes(conn).unwrap(), 0, "nothing left to prune");
        assert_eq!(
            logged(conn),
            conn.query_row(
                "SELECT count(DISTINCT person_seq) FROM match_changes",
                [],
                |r| r.get::<_, i64>(0)
            )
            .unwrap(),
            "one stamp a person"
        );
        let mut pruned = crate::core::matching::index::BlockIndex::new();
        let from_start = refresh_index(conn, &mut pruned, 0).unwrap();
        assert!(from_start.is_some());
        for r in [&olena, &petro] {
            assert_eq!(
                pruned.candidates(&r.blocking_keys()),
                other.candidates(&r.blocking_keys())
            );
        }
        assert!(refresh_index(conn, &mut other, seen).unwrap().is_some());
        let seen = refresh_index(conn, &mut ix, seen).unwrap().unwrap();
        let (fresh, now) = load_index(conn).unwrap().unwrap();
        assert_eq!(seen, now);
        for r in [&olena, &petro] {
            assert_eq!(
                ix.candidates(&r.blocking_keys()),
                fresh.candidates(&r.blocking_keys())
            );
        }
        assert_eq!(ix.candidates(&petro.blocking_keys()), vec![a]);
        assert_eq!(ix.record_count(a), 2);
        assert_eq!(ix.record_count(c), 0);
        assert_eq!(ix.record_count(b), 0);
        // A clock that went back (a rolled-back write): load again.
        assert_eq!(refresh_index(conn, &mut ix, now + 5).unwrap(), None);
    }

    /// Past `REFRESH_FEW` changed persons and a quarter of the index's, a
    /// refresh says to load again; a few changed among many are read.
    #[test]
    fn many_changed_persons_are_loaded_again_not_read_one_by_one() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = &store.conn;
        let many = REFRESH_FEW + 1;
        for i in 0..many {
            let seq = person(conn, i);
            let r = rec(&format!("Given{i}"), "Family", "1980-01-01");
            put_record(conn, seq, "S", &i.to_string(), r).unwrap();
        }
        let mut empty = BlockIndex::new();
        assert_eq!(refresh_index(conn, &mut empty, 0).unwrap(), None);
        let (mut ix, seen) = load_index(conn).unwrap().unwrap();
        assert_eq!(ix.persons(), many);
        let r = rec("Olena", "Kovalenko", "1986-04-12");
        put_record(conn, 1, "T", "1", r.clone()).unwrap();
        assert!(refresh_index(conn, &mut ix, seen).unwrap().is_some());
        assert_eq!(ix.record_count(1), 2);
    }
}
