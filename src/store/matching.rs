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
    let stored: Option<(String, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT records, keys FROM match_records WHERE person_seq = ?1")?
        .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let added = SourcedRecord {
        sor: sor.into(),
        sor_id: sor_id.into(),
        rec,
    };
    let (json, stored_keys) = match stored {
        Some((json, Some(k))) => (json, blob_keys(&k)),
        // No row yet, or one from before keys were kept with the records.
        other => {
            let (json, k) = other.map_or((None, Some(Vec::new())), |(j, k)| {
                (Some(j), k.map(|k| blob_keys(&k)))
            });
            let records: Vec<SourcedRecord> = json
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            return put_parsed(conn, seq, records, k, added, keys);
        }
    };
    // The usual case, a record new to the person: appended to the stored
    // JSON as it is, without reading the person's other records back into
    // memory and writing them out again. Only their names are read, for
    // the search keys.
    let names = serde_json::from_str::<Vec<StoredNames<'_>>>(&json);
    let new_here = |names: &[StoredNames<'_>]| {
        !names
            .iter()
            .any(|n| n.sor == added.sor && n.sor_id == added.sor_id)
    };
    let Some(names) = names.ok().filter(|n| new_here(n)) else {
        let records: Vec<SourcedRecord> = serde_json::from_str(&json).unwrap_or_default();
        return put_parsed(conn, seq, records, Some(stored_keys), added, keys);
    };
    let old_keys = sorted(
        names
            .iter()
            .flat_map(|n| name_keys(&n.rec.given, &n.rec.family, &n.rec.middle)),
    );
    let new_keys = sorted(old_keys.iter().cloned().chain(search_keys(&added.rec)));
    let hashes = with_keys(stored_keys, keys);
    let one = serde_json::to_string(&added).expect("a record serialises");
    let spliced = match json.strip_suffix(']') {
        Some(head) if head.len() > 1 => format!("{head},{one}]"),
        _ => format!("[{one}]"),
    };
    write_records_row(conn, seq, &spliced, &hashes)?;
    write_key_diff(conn, seq, &old_keys, &new_keys)?;
    count_records(conn, i64::from(names.is_empty()), &[&added.rec])
}

/// [`put_record_keyed`] on the person's records read whole: `rec`
/// replaces the record of its source and id, or is added. `stored_keys`:
/// the hashes of the stored records' keys, when kept.
fn put_parsed(
    conn: &Connection,
    seq: i64,
    mut records: Vec<SourcedRecord>,
    stored_keys: Option<Vec<i64>>,
    added: SourcedRecord,
    keys: &[String],
) -> Result<()> {
    let old = records.clone();
    let rec = added.rec.clone();
    let known = Some((&rec, keys));
    match records
        .iter_mut()
        .find(|r| r.sor == added.sor && r.sor_id == added.sor_id)
    {
        Some(r) => {
            r.rec = added.rec.clone();
            save_records(conn, seq, &old, &records, &[], known, None)
        }
        None => {
            // An added record only adds keys: the stored ones and its own,
            // without working out the other records' keys again.
            let hashes = stored_keys.map(|h| with_keys(h, keys));
            records.push(added);
            save_records(conn, seq, &old, &records, &[&rec], known, hashes)
        }
    }
}

/// A person's stored key hashes with those of an added record's `keys`:
/// sorted and distinct, as stored.
fn with_keys(mut hashes: Vec<i64>, keys: &[String]) -> Vec<i64> {
    hashes.extend(keys.iter().map(|k| matching::key_hash(k)));
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// The source and names of a stored record, borrowed from the JSON where
/// it can be: which record it is, and what its search keys are made of.
#[derive(Deserialize)]
struct StoredNames<'a> {
    #[serde(borrow)]
    sor: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    sor_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    rec: NamesOf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NamesOf<'a> {
    #[serde(borrow)]
    given: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    family: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    middle: std::borrow::Cow<'a, str>,
}

fn sorted(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = keys.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Drop the record `(sor, sor_id)` from person `seq`.
pub fn remove_record(conn: &Connection, seq: i64, sor: &str, sor_id: &str) -> Result<()> {
    let old = load_records(conn, seq)?;
    let kept: Vec<SourcedRecord> = old
        .iter()
        .filter(|r| !(r.sor == sor && r.sor_id == sor_id))
        .cloned()
        .collect();
    save_records(conn, seq, &old, &kept, &[], None, None)
}

/// Move every record of person `from` to person `to` (Link IDs merging).
pub fn move_records(conn: &Connection, from: i64, to: i64) -> Result<()> {
    let moved = load_records(conn, from)?;
    save_records(conn, from, &moved, &[], &[], None, None)?;
    let old = load_records(conn, to)?;
    let mut all = old.clone();
    all.extend(moved);
    save_records(conn, to, &old, &all, &[], None, None)
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
    save_records(conn, from, &old_from, &kept, &[], None, None)?;
    let old_to = load_records(conn, to)?;
    let mut all = old_to.clone();
    all.extend(moving);
    save_records(conn, to, &old_to, &all, &[], None, None)
}

/// Write a person's comparable records, replacing `old` (what is stored
/// now), and the differences in its blocking and search keys. `added` are
/// records new to this person, counted into term frequencies. `known` is a
/// record whose blocking keys the caller has already computed; `hashes`,
/// when given, are the hashes of all of `records`' keys.
fn save_records(
    conn: &Connection,
    seq: i64,
    old: &[SourcedRecord],
    records: &[SourcedRecord],
    added: &[&MatchRecord],
    known: Option<(&MatchRecord, &[String])>,
    hashes: Option<Vec<i64>>,
) -> Result<()> {
    let json = serde_json::to_string(records).expect("records serialise");
    let hashes = hashes.unwrap_or_else(|| blocking_hashes(records, known));
    write_records_row(conn, seq, &json, &hashes)?;
    write_key_diff(conn, seq, &search_key_set(old), &search_key_set(records))?;
    let persons = i64::from(old.is_empty() && !records.is_empty())
        - i64::from(!old.is_empty() && records.is_empty());
    count_records(conn, persons, added)
}

/// A person's row of comparable records, stamped by the match clock.
fn write_records_row(conn: &Connection, seq: i64, json: &str, hashes: &[i64]) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO match_records(person_seq, records, keys, changed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(person_seq) DO UPDATE SET records = excluded.records,
             keys = excluded.keys, changed = excluded.changed",
    )?
    .execute(params![seq, json, keys_blob(hashes), stamp(conn, seq)?])?;
    Ok(())
}

/// The next stamp of the match clock ([`tick`]) for person `seq`'s row,
/// logged for [`refresh_index`].
fn stamp(conn: &Connection, seq: i64) -> Result<i64> {
    let n = tick(conn)?;
    conn.prepare_cached("INSERT INTO match_changes(changed, person_seq) VALUES (?1, ?2)")?
        .execute(params![n, seq])?;
    Ok(n)
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
    let held = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(d) if by >= 0 => {
            let f = d.tf_add.entry(field).or_default();
            match f.get_mut(value) {
                Some(n) => *n += by,
                None => {
                    f.insert(value.to_string(), by);
                }
            }
            true
        }
        _ => false,
    });
    if held {
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
    let held = DEFERRED.with(|d| {
        d.borrow_mut().as_mut().map(|d| {
            d.tf_read.clear();
            std::mem::take(&mut d.tf_add)
        })
    });
    for (field, values) in held.unwrap_or_default() {
        for (value, by) in values {
            add_term(conn, field, &value, by)?;
        }
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
            (
                d.tf_read.get(&field).and_then(|m| m.get(value)).copied(),
                d.tf_add.get(&field).and_then(|m| m.get(value)).copied(),
            )
        })
    });
    let Some((stored, added)) = held else {
        return read(conn);
    };
    let stored = match stored {
        Some(n) => n,
        None => {
            let n = read(conn)?;
            DEFERRED.with(|d| {
                if let Some(d) = d.borrow_mut().as_mut() {
                    d.tf_read
                        .entry(field)
                        .or_default()
                        .insert(value.to_string(), n);
                }
            });
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
            DEFERRED.with(|d| {
                if let Some(d) = d.borrow_mut().as_mut() {
                    d.clock = Some(next);
                }
            });
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

/// Search-key writes held back while a bulk load's batch runs
/// ([`defer_keys`]), in the order they were made.
#[derive(Default)]
struct Deferred {
    search: Vec<KeyWrite>,
    /// The match clock's last stamp handed out, once one has been.
    clock: Option<i64>,
    /// Term counts as the table holds them (read once a batch), and what
    /// the batch adds to them; by field, then value.
    tf_read: std::collections::HashMap<i64, std::collections::HashMap<String, Option<i64>>>,
    tf_add: std::collections::BTreeMap<i64, std::collections::BTreeMap<String, i64>>,
}

thread_local! {
    static DEFERRED: std::cell::RefCell<Option<Deferred>> = const { std::cell::RefCell::new(None) };
}

/// Hold this thread's search-key writes back until [`DeferredKeys::flush`]:
/// a bulk load writes a batch's keys in key order, one walk along the key
/// B-tree per batch instead of a descent to a random page per key. Only
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

/// See [`defer_keys`].
pub struct DeferredKeys(());

impl DeferredKeys {
    /// Write the held keys, in key order, in `conn`'s transaction; writes
    /// made after this are held again until the next flush.
    pub fn flush(&self, conn: &Connection) -> Result<()> {
        flush_terms(conn)?;
        let held = DEFERRED.with(|d| d.borrow_mut().replace(Deferred::default()));
        let Some(mut held) = held else {
            return Ok(());
        };
        if let Some(n) = held.clock {
            conn.prepare_cached("UPDATE match_clock SET n = ?1")?
                .execute([n])?;
        }
        // A stable sort: a delete and an insert of one row keep their order.
        held.search.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        apply(conn, &held.search)
    }
}

impl Drop for DeferredKeys {
    fn drop(&mut self) {
        DEFERRED.with(|d| *d.borrow_mut() = None);
    }
}

/// Write search-key rows, in the order given.
fn apply(conn: &Connection, writes: &[KeyWrite]) -> Result<()> {
    let mut del =
        conn.prepare_cached("DELETE FROM search_keys WHERE key = ?1 AND person_seq = ?2")?;
    let mut ins =
        conn.prepare_cached("INSERT OR IGNORE INTO search_keys(key, person_seq) VALUES (?1, ?2)")?;
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
    let held = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(d) => {
            d.search.append(&mut writes);
            true
        }
        None => false,
    });
    if held { Ok(()) } else { apply(conn, &writes) }
}

/// Rebuild the keys from the stored records after schema step `step`:
/// the search keys always, the blocking keys kept with the records from
/// [`KEYS_WITH_RECORDS_FROM`] on (before it, the table that step drops
/// is left alone). Keys are derived data.
///
/// [`KEYS_WITH_RECORDS_FROM`]: super::schema::KEYS_WITH_RECORDS_FROM
pub fn rebuild_keys(conn: &Connection, step: usize) -> Result<()> {
    conn.execute_batch("DELETE FROM search_keys;")?;
    let with_records = step >= super::schema::KEYS_WITH_RECORDS_FROM;
    let mut keyed: Vec<(i64, Vec<u8>)> = Vec::new();
    each_person(conn, |seq, records| {
        write_key_diff(conn, seq, &[], &search_key_set(&records))?;
        if with_records {
            keyed.push((seq, keys_blob(&blocking_hashes(&records, None))));
        }
        Ok(true)
    })?;
    if with_records {
        let mut st =
            conn.prepare("UPDATE match_records SET keys = ?2, changed = ?3 WHERE person_seq = ?1")?;
        for (seq, blob) in keyed {
            let n = if step >= super::schema::CHANGES_LOGGED_FROM {
                stamp(conn, seq)?
            } else {
                tick(conn)?
            };
            st.execute(params![seq, blob, n])?;
        }
    }
    Ok(())
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

/// The blocking index in memory, filled from `match_records`, with the
/// match clock's stamp it is current to (read first: a row written
/// meanwhile is read again by the next [`refresh_index`], which is
/// harmless). `None` when a person's seq is too large for it.
pub fn load_index(conn: &Connection) -> Result<Option<(BlockIndex, i64)>> {
    let seen = clock(conn)?;
    // Room for what is stored: the last seq, and keys as blobs hold them
    // (8 bytes each; shared keys counted once per person, an upper bound).
    let (last, key_bytes): (i64, i64) = conn.query_row(
        "SELECT coalesce(max(person_seq), 0), coalesce(sum(length(keys)), 0) FROM match_records",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut index = BlockIndex::with_capacity(last, usize::try_from(key_bytes / 8).unwrap_or(0));
    let mut st = conn.prepare("SELECT person_seq, records, keys FROM match_records")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        if !set_person(&mut index, row)? {
            return Ok(None);
        }
    }
    Ok(Some((index, seen)))
}

/// Bring `index`, current to stamp `seen`, up to the store: the persons
/// whose records changed since, and those gone, in the order they
/// changed. Returns the stamp it is now current to; `None` when it cannot
/// be (the clock went back, which only a rolled-back write or another
/// database does, or a seq too large): then load it again.
pub fn refresh_index(conn: &Connection, index: &mut BlockIndex, seen: i64) -> Result<Option<i64>> {
    let now = clock(conn)?;
    if now == seen {
        return Ok(Some(seen));
    }
    if now < seen {
        return Ok(None);
    }
    let gone: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT changed, person_seq FROM match_records_gone WHERE changed > ?1 ORDER BY changed",
        )?
        .query_map([seen], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_>>()?;
    let mut gone = gone.into_iter().peekable();
    // A person changed twice since is read once, at its latest stamp.
    let mut st = conn.prepare_cached(
        "SELECT m.person_seq, m.records, m.keys, c.changed FROM match_changes c
         JOIN match_records m ON m.person_seq = c.person_seq AND m.changed = c.changed
         WHERE c.changed > ?1 ORDER BY c.changed",
    )?;
    let mut rows = st.query([seen])?;
    while let Some(row) = rows.next()? {
        let changed: i64 = row.get(3)?;
        while let Some((_, seq)) = gone.next_if(|g| g.0 < changed) {
            index.remove_person(seq);
        }
        if !set_person(index, row)? {
            return Ok(None);
        }
    }
    for (_, seq) in gone {
        index.remove_person(seq);
    }
    Ok(Some(now))
}

/// Keep only each person's latest stamp in `match_changes` (the one
/// [`refresh_index`] reads), and none for a person gone: whatever stamp a
/// reader is current to, it reads the same persons after as before.
/// Returns the entries removed.
pub fn prune_changes(conn: &Connection) -> Result<usize> {
    conn.execute(
        "DELETE FROM match_changes WHERE NOT EXISTS (SELECT 1 FROM match_records m
             WHERE m.person_seq = match_changes.person_seq AND m.changed = match_changes.changed)",
        [],
    )
}

/// One `match_records` row (seq, records, keys) into `index`.
fn set_person(index: &mut BlockIndex, row: &rusqlite::Row) -> Result<bool> {
    let seq: i64 = row.get(0)?;
    let json: String = row.get(1)?;
    let records: Vec<SourcedRecord> = serde_json::from_str(&json).unwrap_or_default();
    // Written by a version before the keys were kept: computed here.
    let keys = match row.get::<_, Option<Vec<u8>>>(2)? {
        Some(blob) => blob_keys(&blob),
        None => blocking_hashes(&records, None),
    };
    let parts = records
        .iter()
        .map(|r| (r.sor.as_str(), r.sor_id.as_str(), &r.rec));
    Ok(index.set_person(seq, parts, &keys))
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

    /// Every row `sql` selects, as `f` reads it.
    fn rows<T>(
        conn: &Connection,
        sql: &str,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], f).unwrap().collect::<Result<_>>().unwrap()
    }

    /// Each person's blocking key hashes, and the search keys' rows, in order.
    type Rows = (Vec<(i64, Vec<i64>)>, Vec<(String, i64)>);

    fn keys(conn: &Connection) -> Rows {
        let blocking = rows(
            conn,
            "SELECT person_seq, keys FROM match_records ORDER BY 1",
            |r| Ok((r.get(0)?, blob_keys(&r.get::<_, Vec<u8>>(1)?))),
        );
        let search = rows(
            conn,
            "SELECT key, person_seq FROM search_keys ORDER BY 1, 2",
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
        let worked_out = blocking_hashes(&records, None);
        assert!(worked_out.len() > recs[0].blocking_keys().len());
        assert_eq!(keys(&store.conn).0, vec![(a, worked_out)]);
    }

    /// A record new to a person is appended to the stored JSON without
    /// reading the others back whole; the row, the keys and the term
    /// counts are what writing every record out again gives, with a source
    /// id that JSON escapes, names it escapes, and a record replaced in
    /// between (which takes the whole path).
    #[test]
    fn an_appended_record_stores_what_a_rewrite_would() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let a = person(&store.conn, 1);
        let puts = [
            ("S", "1", rec("Olena", "Kovalenko", "1986-04-12")),
            ("S", "quo\"te\\", rec("Ol\"ena", "Ковaленко", "1986-04-21")),
            ("T", "1", rec("Olena", "Kovalenko", "1986-04-12")),
            ("S", "1", rec("Olha", "Kovalenko", "1986-04-12")),
            ("U", "9", rec("Olena", "Bondar", "1986-04-12")),
        ];
        for (sor, id, r) in &puts {
            put_record(&store.conn, a, sor, id, r.clone()).unwrap();
        }
        let stored = |conn: &Connection| {
            let json: String = conn
                .query_row("SELECT records FROM match_records", [], |r| r.get(0))
                .unwrap();
            (json, keys(conn))
        };
        let spliced = stored(&store.conn);
        let records = load_records(&store.conn, a).unwrap();
        let ids: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r.sor.as_str(), r.sor_id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [("S", "1"), ("S", "quo\"te\\"), ("T", "1"), ("U", "9")]
        );
        assert_eq!(records[0].rec, puts[3].2);
        // The same records written out whole, in one go.
        let whole = crate::store::Store::open_in_memory().unwrap();
        let b = person(&whole.conn, 1);
        save_records(&whole.conn, b, &[], &records, &[], None, None).unwrap();
        let rewritten = stored(&whole.conn);
        assert_eq!(spliced, rewritten);
        let count = |conn: &Connection, f: i64, v: &str| term_count(conn, f, v).unwrap();
        assert_eq!(count(&store.conn, RECORDS, ""), Some(4));
        assert_eq!(count(&store.conn, PERSONS, ""), Some(1));
        assert_eq!(
            count(&store.conn, matching::FAMILY as i64, "bondar"),
            Some(1)
        );
    }

    /// The same writes, made with and without `defer_keys`, leave the same
    /// search keys; held writes land only at the flush, deletes included,
    /// and a guard dropped without a flush discards them. The blocking
    /// keys are written with the records either way.
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
        drop(held);

        // Dropped unflushed: the held writes are gone, and the next writes
        // are immediate again.
        let held = defer_keys();
        remove_record(&later.conn, b, "S", "2").unwrap();
        drop(held);
        assert_eq!(keys(&later.conn).1, immediate.1);
        assert!(DEFERRED.with(|d| d.borrow().is_none()));
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
                "SELECT person_seq, changed FROM match_records ORDER BY 1",
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
            conn.query_row("SELECT count(*) FROM match_records", [], |r| r
                .get::<_, i64>(0))
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
}
