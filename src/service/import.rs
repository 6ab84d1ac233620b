//! Bulk import: every CSV row goes through `POST /people`'s path, in batched
//! transactions. Potential matches wait in the reconciliation queue.

use super::idmatch::{Decide, Mode, RecordAt, Step, reference_in_prepared};
use super::idmatch::{Keyed, Texts};
use super::pipeline::{self, Prescored};
use super::{Actor, Registry, Result};
use crate::core::matching::index::BlockIndex;
use crate::core::matching::normalize;
use crate::core::rules::EMAIL_RE;
use crate::store::matching as sm;
use serde::Serialize;
use std::borrow::Cow;
use std::io::Read;

/// Rows per transaction unless told otherwise: bigger batches rewrite the
/// hot index pages into the WAL less often.
pub const DEFAULT_BATCH: usize = 10_000;

/// Rows per transaction at most: a batch is held in memory whole, and two
/// at once (one written, the next compared).
pub const MAX_BATCH: usize = 100_000;

/// The page cache during an import, in KiB (as `PRAGMA cache_size` wants
/// it: negative). 128 MiB holds a batch's dirty pages (the same bytes
/// reach the log as with 256 MiB: 2.30 GB for the 1M file), and leaves
/// room under 1 GB for the reader to work a batch ahead.
const IMPORT_CACHE_KIB: i64 = -131_072;

/// Chunks of parsed rows (256 each) the reader may have ready: about a
/// batch, so that it can work ahead while the writer adds a batch to the
/// index or learns a model (times the scorer has nothing to do).
const READ_AHEAD_CHUNKS: usize = 48;

/// Canonical column → seed 001 attribute name.
pub const CANONICAL: &[(&str, &str)] = &[
    ("given_name", "givenName"),
    ("middle_name", "middleName"),
    ("family_name", "sn"),
    ("birth_date", "dateOfBirth"),
    ("gender", "gender"),
    ("tax_id", "tax_id"),
    ("ssn", "ssn"),
    ("phone", "mobile"),
    ("email", "email"),
    ("house_number", "houseNumber"),
    ("street", "street"),
    ("address_line2", "addressLine2"),
    ("city", "city"),
    ("postal_code", "postalCode"),
    ("state", "state"),
    ("country", "country"),
    ("document_type", "documentType"),
    ("document_number", "documentNumber"),
];

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub sor: String,
    pub id_column: String,
    /// Source column → canonical column.
    pub map: Vec<(String, String)>,
    pub batch: usize,
    /// Set (by Ctrl+C) to stop at the next batch boundary: what is
    /// committed stays, and running the same file again resumes.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The most the write-ahead log may grow to: [`WAL_LIMIT`] but in
    /// tests.
    pub wal_limit: u64,
    /// The file's rows, when counted ([`count_rows`]): a first load into
    /// an empty registry makes room for their keys at once.
    pub rows_expected: Option<u64>,
}

/// Distinct blocking keys a row brings, about, for the room a first load
/// makes ([`ImportOptions::rows_expected`]): 4.65 at a million dupehell
/// rows (4.7 million keys), fewer as a registry grows and its rows share
/// more. A low guess costs one doubling of the table near the end.
const KEYS_PER_ROW: u64 = 4;

/// The write-ahead log may grow to this at most during an import, or to
/// the database's size if that is smaller (but never below
/// [`WAL_FLOOR`]): when the next batch might not fit under it (twice the
/// most a batch has added), the import checkpoints between batches and
/// the log starts over at the beginning of its file.
pub const WAL_LIMIT: u64 = 1 << 30;
/// Checkpointing a WAL smaller than this costs more than it saves.
pub const WAL_FLOOR: u64 = 64 << 20;

#[derive(Debug, Clone, Default, Serialize)]
pub struct RowIssue {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// The end of one batch of an import.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct BatchMark {
    /// Rows done so far.
    pub rows: u64,
    /// Seconds since the import started.
    pub seconds: f64,
    /// Persons compared with the rows so far.
    pub compared: u64,
    /// Their records compared with the rows so far.
    pub records: u64,
    /// Seconds so far the writer waited for the scorer to finish comparing
    /// the next batch (the scorer, not the writer, was the slower).
    pub waited: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub rows: u64,
    pub linked: u64,
    pub new: u64,
    pub queued: u64,
    /// Rows whose SOR record was already stored (a re-run).
    pub skipped: u64,
    pub rejected: Vec<RowIssue>,
    /// Optional fields dropped because they were malformed.
    pub dropped_fields: Vec<RowIssue>,
    pub ignored_columns: Vec<String>,
    /// Stopped at a batch boundary (Ctrl+C) before the end of the file.
    pub interrupted: bool,
    /// The largest the write-ahead log grew during the import, in bytes.
    pub peak_wal_bytes: u64,
    /// Bytes the batches wrote to the write-ahead log, all told: the pages
    /// they changed, each once per batch (what the commits and the
    /// checkpoints cost; the same for the same file, whatever the hour).
    pub wal_bytes_written: u64,
    /// Where the import stood at the end of each batch: the cost and the
    /// matcher's work per row along the run.
    pub batches: Vec<BatchMark>,
    /// Versions of the models learnt during the import (the registry
    /// learns again each time it has doubled).
    pub models_learnt: Vec<u32>,
    /// Queued rows that a newly learnt model then linked.
    pub relinked: u64,
}

/// The data rows of a CSV file, counted by line ends (for a progress bar;
/// a quoted field with a line break makes it an estimate).
pub fn count_rows(file: &std::path::Path) -> u64 {
    let Ok(mut f) = std::fs::File::open(file) else {
        return 0;
    };
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    while let Ok(n) = f.read(&mut buf) {
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    lines.saturating_sub(1)
}

/// A CSV file's column names (its first line).
pub fn headers(file: &std::path::Path) -> std::result::Result<Vec<String>, String> {
    let f = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    Ok(rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// Check one optional value; `Err` says why it is dropped.
fn check_field<'v>(canonical: &str, v: &'v str) -> std::result::Result<Cow<'v, str>, String> {
    match canonical {
        "birth_date" => normalize::parse_birth_date(v)
            .map(|d| normalize::date_string(d, true).into())
            .ok_or_else(|| format!("\"{v}\" is not a date (YYYY-MM-DD or YYYYMMDD)")),
        "gender" => match normalize::gender_key(v).as_str() {
            "M" => Ok("MALE".into()),
            "F" => Ok("FEMALE".into()),
            _ => Err(format!("\"{v}\" is not a gender (M, F, male, female)")),
        },
        "email" if !EMAIL_RE.is_match(v) => Err(format!("\"{v}\" is not an e-mail address")),
        "phone" if v.chars().filter(char::is_ascii_digit).count() < 7 => {
            Err(format!("\"{v}\" has fewer than 7 digits"))
        }
        _ if v.chars().count() > 255 => Err("longer than 255 characters".into()),
        _ => Ok(v.into()),
    }
}

/// One CSV row after the reading stage.
// Nearly every value is a `Row`: boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    /// Unreadable, or without an id.
    Rejected(RowIssue),
    Row {
        line: u64,
        sor_id: String,
        /// Optional fields left out because they were malformed.
        dropped: Vec<RowIssue>,
        rec: Keyed,
    },
}

/// The reading stage: parse, check and normalise every row, in file order.
fn parse_rows<R: Read>(
    mut rdr: csv::Reader<R>,
    columns: &[Option<(&'static str, &'static str)>],
    id_idx: usize,
    id_column: &str,
    sor: &str,
    out: std::sync::mpsc::SyncSender<Vec<Parsed>>,
    spent: std::sync::mpsc::Receiver<Vec<Spent>>,
) {
    give_way();
    // Rows travel in chunks: one hand-over (and wake-up) per chunk, not per row.
    const CHUNK: usize = 256;
    let mut chunk = Vec::with_capacity(CHUNK);
    // One record read into again and again: the records iterator clones
    // each row it reads (two allocations a row, freed on the writer).
    let mut rec = csv::StringRecord::new();
    for n in 0u64.. {
        let parsed = match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Err(e) => Parsed::Rejected(RowIssue {
                line: e.position().map(|p| p.line()).unwrap_or(n + 2),
                field: String::new(),
                reason: format!("unreadable row: {e}"),
            }),
            Ok(true) => parse_row(&rec, columns, (id_idx, id_column), sor, n + 2),
        };
        chunk.push(parsed);
        if chunk.len() == CHUNK {
            if out.send(std::mem::take(&mut chunk)).is_err() {
                return; // the writer stopped on an error
            }
            spent.try_iter().for_each(drop);
        }
    }
    if !chunk.is_empty() {
        let _ = out.send(chunk);
    }
    // The file is read: the rows the writer is still at come back here
    // until it is done.
    drop(out);
    spent.iter().for_each(drop);
}

/// What the writer is done with of a row, handed back to the reader to
/// free ([`Bin`]).
struct Spent {
    _sor_id: String,
    _record: Keyed,
}

/// The way back for decided rows to the reader, which made them: a block
/// freed by the thread that allocated it goes back on that thread's free
/// list at once, one freed by another thread is queued for its owner to
/// collect (mimalloc). Freeing the reader's rows was 6 % of the writer's
/// time, the import's slower stage. The reader frees what comes back
/// after each chunk it hands over.
type Bin = std::sync::mpsc::Sender<Vec<Spent>>;

fn parse_row(
    rec: &csv::StringRecord,
    columns: &[Option<(&'static str, &'static str)>],
    (id_idx, id_column): (usize, &str),
    sor: &str,
    fallback_line: u64,
) -> Parsed {
    let line = rec.position().map(|p| p.line()).unwrap_or(fallback_line);
    let sor_id = rec.get(id_idx).unwrap_or("").to_string();
    if sor_id.is_empty() {
        return Parsed::Rejected(RowIssue {
            line,
            field: id_column.to_string(),
            reason: "the id column is empty".into(),
        });
    }
    let mut attributes = Texts::default();
    let mut dropped = Vec::new();
    attributes.insert("sorId", sor_id.as_str().into());
    for (i, col) in columns.iter().enumerate() {
        let (Some((canonical, attr)), Some(v)) = (col, rec.get(i)) else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        match check_field(canonical, v) {
            Ok(v) => attributes.insert(attr, v),
            Err(reason) => dropped.push(RowIssue {
                line,
                field: (*canonical).into(),
                reason,
            }),
        }
    }
    // What the writer stores of the row, worked out on this thread.
    let rec = Keyed::of_texts(sor, &sor_id, &attributes);
    Parsed::Row {
        line,
        sor_id,
        dropped,
        rec,
    }
}

impl Parsed {
    /// The row's line in the file.
    fn line(&self) -> u64 {
        match self {
            Parsed::Row { line, .. } => *line,
            Parsed::Rejected(issue) => issue.line,
        }
    }

    /// The comparable record, for a row that has one.
    fn keyed(&self) -> Option<&Keyed> {
        match self {
            Parsed::Row { rec, .. } => Some(rec),
            Parsed::Rejected(_) => None,
        }
    }
}

/// One batch's rows through `POST /people`'s path in `tx`, with the
/// scorer's `scores` of them when there are.
fn write_batch(
    tx: &rusqlite::Connection,
    layers: &mut pipeline::Layers<'_>,
    batch: Vec<Parsed>,
    scores: Option<Vec<Option<Prescored>>>,
    job: Job<'_>,
    fresh: &mut FreshIds,
    summary: &mut ImportSummary,
) -> Result<()> {
    let Job {
        actor,
        opts,
        now,
        params,
        bin,
    } = job;
    let before = summary.counts();
    let lines = match (batch.first(), batch.last()) {
        (Some(a), Some(b)) => [a.line(), b.line()],
        _ => return Ok(()),
    };
    let mut scores = scores.map(Vec::into_iter);
    // The batch's new persons' reference ids ascend: one place of their
    // index takes them.
    let _run = crate::core::ids::ReferenceRun::start();
    let mut spent = Vec::with_capacity(batch.len());
    for parsed in batch {
        let scored = scores.as_mut().and_then(Iterator::next).flatten();
        summary.rows += 1;
        let Parsed::Row {
            line,
            sor_id,
            dropped,
            rec,
        } = parsed
        else {
            if let Parsed::Rejected(issue) = parsed {
                summary.rejected.push(issue);
            }
            continue;
        };
        // A record stored or waiting in the queue is skipped; every other
        // row is decided, and `attach` need not look in the queue again
        // (`Layers::queued`).
        if fresh.may_be_known(&sor_id)
            && (sm::find_sor(tx, &opts.sor, &sor_id)?.is_some()
                || sm::find_open_pending(tx, &opts.sor, &sor_id)?.is_some())
        {
            summary.skipped += 1;
            continue;
        }
        fresh.note(&sor_id);
        summary.dropped_fields.extend(dropped);
        // The row's attributes are in `rec`, in every form they are
        // compared, stored and indexed in.
        let at = RecordAt::of(&opts.sor, &sor_id);
        let d = Decide {
            params,
            mode: Mode::Queue,
            actor: &actor.name,
            now,
        };
        layers.row = scored;
        match reference_in_prepared(tx, layers, at, &rec, None, d) {
            Ok(Step::Linked(_)) => summary.linked += 1,
            Ok(Step::Created(_)) => summary.new += 1,
            Ok(Step::Open(_)) => summary.queued += 1,
            Err(super::ServiceError::BadRequest(m)) => {
                summary.rejected.push(RowIssue {
                    line,
                    field: String::new(),
                    reason: m,
                });
            }
            Err(e) => return Err(e),
        }
        spent.push(Spent {
            _sor_id: sor_id,
            _record: rec,
        });
    }
    // Gone already when the reader has stopped: then freed here.
    let _ = bin.send(spent);
    // One audit row for the batch. Each record's own trail is its link
    // event (created or linked, by whom, when, with what confidence and
    // model) or its place in the reconciliation queue: a row per record
    // here said the same again, with an index write at a random place
    // per linked record.
    let after = summary.counts();
    let delta = |f: fn(&Counts) -> u64| f(&after) - f(&before);
    super::accounts::audit(
        tx,
        now,
        actor,
        "people.import",
        None,
        serde_json::json!({
            "sor": opts.sor,
            "lines": lines,
            "rows": delta(|c| c.rows),
            "new": delta(|c| c.new),
            "linked": delta(|c| c.linked),
            "queued": delta(|c| c.queued),
            "skipped": delta(|c| c.skipped),
            "rejected": delta(|c| c.rejected),
        }),
    )?;
    Ok(())
}

/// The next `size` rows (fewer at the end of the file). Collected into
/// room for the whole batch at once: a flattened channel tells `collect`
/// nothing of its length, and growing the batch by doubling copied it
/// over and over (rows are large).
fn next_batch(rows: &mut impl Iterator<Item = Parsed>, size: usize) -> Vec<Parsed> {
    let mut batch = Vec::with_capacity(size);
    batch.extend(rows.take(size));
    batch
}

/// The next batch's comparisons, shared out a chunk of rows at a time:
/// the scorer thread reads the batch and takes chunks; the writer, its
/// own batch written, takes the chunks left instead of waiting. A row's
/// comparisons depend on the row and the index only, so which thread made
/// them changes nothing.
#[derive(Default)]
struct Scoring {
    rows: std::sync::OnceLock<Vec<Parsed>>,
    /// The first row no thread has taken yet.
    cursor: std::sync::atomic::AtomicUsize,
}

/// Rows a thread takes at once from [`Scoring`].
const SCORING_CHUNK: usize = 64;

/// Chunks of `shared`'s rows compared against `base` until none is left:
/// each with the row it starts at.
fn score_chunks(base: &BlockIndex, shared: &Scoring) -> Vec<(usize, Vec<Option<Prescored>>)> {
    let Some(rows) = shared.rows.get() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    loop {
        let at = shared
            .cursor
            .fetch_add(SCORING_CHUNK, std::sync::atomic::Ordering::Relaxed);
        if at >= rows.len() {
            return out;
        }
        let chunk = &rows[at..rows.len().min(at + SCORING_CHUNK)];
        out.push((
            at,
            pipeline::prescore_all(base, chunk.iter().map(Parsed::keyed)),
        ));
    }
}

/// `rows` compared against `base` on two threads at once.
fn score_now(base: &BlockIndex, rows: &mut Vec<Parsed>) -> Vec<Option<Prescored>> {
    let shared = Scoring::default();
    let _ = shared.rows.set(std::mem::take(rows));
    let chunks = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            give_way();
            score_chunks(base, &shared)
        });
        let mut mine = score_chunks(base, &shared);
        // A panic in the other thread is the same panic here.
        mine.extend(
            other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        );
        mine
    });
    *rows = shared.rows.into_inner().unwrap_or_default();
    in_order(chunks)
}

/// How far the reader and the scorer give way to the writer ([`give_way`]):
/// a nice value of 10 weighs a tenth of the writer's 0 when they compete
/// for a core.
#[cfg(target_os = "linux")]
const GIVE_WAY_NICE: i32 = 10;

/// The calling thread (the reader or a scorer) gives way to the writer.
/// The import goes at the writer's pace: it decides and writes the rows
/// one after the other, while the reader and the scorer work ahead. Three
/// busy threads on two cores shared them out evenly, and the writer
/// waited for a core (measured: 3 s of a 73 s import, 12 s once the
/// reader read further ahead). A lower priority (Linux: the thread's nice
/// value) lets them take what the writer leaves. Elsewhere nothing changes.
fn give_way() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads and writes no memory of this process; with
    // PRIO_PROCESS and 0 it sets the calling thread's nice value (Linux
    // schedules threads as tasks). Raising one's own nice value needs no
    // privilege; a failure leaves the priority as it was, which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, GIVE_WAY_NICE);
    }
}

/// Both threads' chunks as one list of comparisons, in the rows' order.
fn in_order(mut chunks: Vec<(usize, Vec<Option<Prescored>>)>) -> Vec<Option<Prescored>> {
    chunks.sort_unstable_by_key(|c| c.0);
    chunks.into_iter().flat_map(|c| c.1).collect()
}

/// An import's counts at one moment, for the audit row of a batch.
struct Counts {
    rows: u64,
    new: u64,
    linked: u64,
    queued: u64,
    skipped: u64,
    rejected: u64,
}

impl ImportSummary {
    fn counts(&self) -> Counts {
        Counts {
            rows: self.rows,
            new: self.new,
            linked: self.linked,
            queued: self.queued,
            skipped: self.skipped,
            rejected: self.rejected.len() as u64,
        }
    }
}

/// Who imports what, the time written on every row of the import, the
/// model it is matched with, and where its decided rows go.
#[derive(Clone, Copy)]
struct Job<'a> {
    actor: &'a Actor,
    opts: &'a ImportOptions,
    now: &'a str,
    params: &'a crate::core::matching::Params,
    /// Where decided rows go to be freed.
    bin: &'a Bin,
}

/// The SOR ids an import has come to, while its source had nothing stored
/// or queued but what the import wrote: a row whose id is not among them
/// is new without a look at the store (two index searches a row). `None`
/// when that cannot be known: the source had records before, or another
/// connection wrote during the import (a record stamps the match clock; a
/// request queued alone does not, so the queue's last id is kept too).
/// Ids are kept as 64-bit hashes: one shared by two ids only sends the row
/// to the store.
struct FreshIds(Option<std::collections::HashSet<i64>>, i64);

impl FreshIds {
    /// Every row's id looked up in the store.
    const UNKNOWN: FreshIds = FreshIds(None, 0);

    /// Known as fresh when `sor` has no record stored or queued.
    fn of(conn: &rusqlite::Connection, sor: &str) -> Result<FreshIds> {
        Ok(FreshIds(
            sm::source_is_new(conn, sor)?.then(std::collections::HashSet::new),
            sm::last_pending_id(conn)?,
        ))
    }

    /// The queue as the import leaves it at the end of a batch (inside
    /// its transaction).
    fn seal(&mut self, conn: &rusqlite::Connection) -> Result<()> {
        if self.0.is_some() {
            self.1 = sm::last_pending_id(conn)?;
        }
        Ok(())
    }

    /// Still fresh at the start of a batch: nobody queued a request since
    /// the last one sealed.
    fn still(self, conn: &rusqlite::Connection) -> Result<FreshIds> {
        Ok(
            match self.0.is_some() && sm::last_pending_id(conn)? != self.1 {
                true => FreshIds::UNKNOWN,
                false => self,
            },
        )
    }

    /// Whether a record `sor_id` may be stored or queued already.
    fn may_be_known(&self, sor_id: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|ids| ids.contains(&crate::core::matching::key_hash(sor_id)))
    }

    /// The import has come to `sor_id`.
    fn note(&mut self, sor_id: &str) {
        if let Some(ids) = &mut self.0 {
            ids.insert(crate::core::matching::key_hash(sor_id));
        }
    }
}

impl Registry {
    /// Import a CSV file. `progress` is called after each batch with the rows done.
    pub fn import_csv(
        &mut self,
        actor: &Actor,
        input: impl Read + Send,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(&ImportSummary),
    ) -> Result<ImportSummary> {
        if !(1..=MAX_BATCH).contains(&opts.batch) {
            return Err(super::ServiceError::BadRequest(format!(
                "batch: {} rows; a batch holds 1 to {MAX_BATCH} rows (two are in memory at once)",
                opts.batch
            )));
        }
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| super::ServiceError::BadRequest(format!("CSV header: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let id_idx = headers
            .iter()
            .position(|h| *h == opts.id_column)
            .ok_or_else(|| {
                super::ServiceError::BadRequest(format!(
                    "--id-column {}: no such column (columns: {})",
                    opts.id_column,
                    headers.join(", ")
                ))
            })?;
        // Column index → (canonical name, attribute name).
        let mut columns: Vec<Option<(&'static str, &'static str)>> = Vec::new();
        let mut summary = ImportSummary::default();
        for (i, h) in headers.iter().enumerate() {
            let canonical = opts
                .map
                .iter()
                .find(|(src, _)| src == h)
                .map(|(_, dst)| dst.as_str())
                .unwrap_or(h);
            let found = CANONICAL.iter().find(|(c, _)| *c == canonical).copied();
            if found.is_none() && i != id_idx {
                summary.ignored_columns.push(h.clone());
            }
            columns.push(found);
        }
        let params = self.match_params();
        let now = self.now_str();
        // A bulk load appends to the WAL and checkpoints in steps of its
        // own, instead of stopping every few batches to copy pages back. A
        // batch dirties pages all over the key indexes; a bigger page cache
        // holds them until the commit instead of spilling them to the WAL
        // more than once.
        let bulk = self.store.begin_bulk(IMPORT_CACHE_KIB)?;
        // Two stages on the two cores: a reader thread parses rows, checks
        // fields and builds the comparable records; this thread matches and
        // writes. The bounded channel keeps memory flat.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(READ_AHEAD_CHUNKS);
        let (bin, spent) = std::sync::mpsc::channel();
        // The batches free and allocate as much as each other: the freed
        // pages are kept for the next batches ([`super::memory`]).
        let keep = super::memory::KeepFreed::start();
        let result = std::thread::scope(|scope| {
            let columns = &columns;
            let (id, sor) = (&opts.id_column, &opts.sor);
            scope.spawn(move || parse_rows(rdr, columns, id_idx, id, sor, tx, spent));
            // The bin goes with `import_rows`: the reader waits for
            // spent rows until it is dropped.
            self.import_rows(
                (actor, opts, &now),
                (rx, bin),
                params,
                &mut summary,
                progress,
            )
        });
        drop(keep);
        // Built again after an error or a stop too: nothing else makes
        // them (but the next opening of the store).
        let restored = self
            .store
            .restore_indexes_and_merge_search_keys()
            .and_then(|()| self.store.prune_changes().map(drop));
        self.store.end_bulk(bulk)?;
        // The log was written over during the import, not cut: cut it now
        // (a reader still in it makes this wait, then give up, harmlessly).
        let _ = self.store.checkpoint(crate::store::Checkpoint::Truncate);
        result?;
        restored?;
        Ok(summary)
    }

    /// The writing stage: each parsed row through `POST /people`'s path,
    /// a batch per transaction. With a second connection to read from, a
    /// scorer thread scores the next batch while this one is written
    /// ([`super::pipeline`]).
    fn import_rows(
        &mut self,
        (actor, opts, now): (&Actor, &ImportOptions, &str),
        (rows, bin): (std::sync::mpsc::Receiver<Vec<Parsed>>, Bin),
        mut params: crate::core::matching::Params,
        summary: &mut ImportSummary,
        progress: &mut dyn FnMut(&ImportSummary),
    ) -> Result<()> {
        let mut fresh: Option<FreshIds> = None;
        let started = std::time::Instant::now();
        let wal = self.store.conn.path().filter(|p| !p.is_empty()).map(|p| {
            (
                std::path::PathBuf::from(p),
                std::path::PathBuf::from(format!("{p}-wal")),
            )
        });
        let size = opts.batch;
        // Commits are copied back into the database beside this thread.
        let checkpointer = self.store.checkpointer()?;
        let mut rows = rows.into_iter().flatten();
        // Candidates come from the registry's blocking index, taken out
        // for the import and kept in step with what it writes; another
        // connection's writes (the GUI, the hub) are read into it at the
        // start of the next batch. Given back when the import succeeds.
        let (mut index, mut seen) = self.index.take(&self.store.conn)?;
        if let Some(rows) = opts.rows_expected
            && index.key_count() == 0
        {
            index.reserve(rows, rows.saturating_mul(KEYS_PER_ROW));
        }
        let mut batch = next_batch(&mut rows, size);
        // The scorer's comparisons of `batch`, and what was added to the
        // index since they were made (the batch before).
        let mut scores: Option<Vec<Option<Prescored>>> = None;
        let mut prev = pipeline::Gained::default();
        // The index of the batch before last, emptied for the next batch's
        // additions: a batch's index grows to the same size every batch.
        let mut spare = pipeline::Gained::default();
        let (mut compared, mut records) = (0u64, 0u64);
        let mut waited = 0.0;
        // The log's frames after the last batch, and the most one batch
        // added.
        let (mut logged_before, mut grown) = (0u64, 0u64);
        let mut last_restarts = wal
            .as_ref()
            .and_then(|(_, log)| crate::store::wal_restarts(log));
        while !batch.is_empty() {
            if opts
                .stop
                .as_ref()
                .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
            {
                summary.interrupted = true;
                break;
            }
            if summary.batches.len() == 1 {
                // More than a batch: a bulk load, worth the indexes'
                // rebuilding at the end.
                self.store.defer_indexes()?;
            }
            let tx = self.store.conn.transaction()?;
            // The transaction holds the write lock: nobody else writes
            // until it ends, so what is read here stays true for the batch.
            let was = seen;
            (index, seen) = super::blocking::up_to_date(&tx, Some((index, seen)))?;
            if seen != was {
                // Another connection wrote since: the rows compared
                // before are compared again, with its writes, and every
                // row's id is looked up (it may have written the source's).
                scores = None;
                fresh = Some(FreshIds::UNKNOWN);
            }
            let fresh = match fresh.take() {
                Some(f) => fresh.insert(f.still(&tx)?),
                None => fresh.insert(FreshIds::of(&tx, &opts.sor)?),
            };
            // Rows without the scorer's comparisons (the first batch, or
            // after the index changed under them) are compared now, on
            // both threads, against the index as it is: no record was
            // gained since.
            let scored_now = scores.is_none();
            if scored_now {
                scores = Some(score_now(&index, &mut batch));
            }
            // Search keys are written at the batch's end, in key order.
            let keys = sm::defer_keys();
            let base = &index;
            let mut shared = Scoring::default();
            let (written, next) = std::thread::scope(|scope| {
                // The scorer reads the next batch and compares its rows
                // with the index as it stands, while this one is written.
                let rows = &mut rows;
                let shared = &shared;
                let scorer = scope.spawn(move || {
                    give_way();
                    let next = next_batch(rows, size);
                    let _ = shared.rows.set(next);
                    score_chunks(base, shared)
                });
                let prev = (!scored_now).then_some(&prev);
                let mut layers =
                    pipeline::Layers::new(base, prev, std::mem::take(&mut spare), &params);
                let job = Job {
                    actor,
                    opts,
                    now,
                    params: &params,
                    bin: &bin,
                };
                let written =
                    write_batch(&tx, &mut layers, batch, scores.take(), job, fresh, summary);
                // The batch is committed while the scorer may still be at
                // the next one (the index takes the batch's records after).
                let committed = written.and_then(|()| {
                    keys.flush(&tx)?;
                    fresh.seal(&tx)?;
                    // Every write of the batch is mirrored in the index.
                    let seen = sm::clock(&tx)?;
                    tx.commit()?;
                    if let Some(c) = &checkpointer {
                        c.nudge();
                    }
                    Ok(seen)
                });
                // The batch written, the writer compares the next batch's
                // rows the scorer has not taken yet, instead of waiting.
                let helped = match (&committed, shared.rows.get()) {
                    (Ok(_), Some(_)) => score_chunks(base, shared),
                    _ => Vec::new(),
                };
                let done = std::time::Instant::now();
                let next = scorer.join();
                waited += done.elapsed().as_secs_f64();
                (
                    committed.map(|seen| {
                        let work = (layers.compared, layers.records);
                        (layers.cur, layers.added, work, seen)
                    }),
                    next.map(|mut mine| {
                        mine.extend(helped);
                        mine
                    }),
                )
            });
            drop(keys);
            let (cur, added, (n, r), now_seen) = written?;
            seen = now_seen;
            let (Ok(chunks), Some(next)) = (next, shared.rows.take()) else {
                return Err(super::ServiceError::Conflict(
                    "the import's scorer stopped; what is committed stays, and running the \
                     import again resumes"
                        .into(),
                ));
            };
            (batch, scores) = (next, Some(in_order(chunks)));
            for a in &added {
                index.add(a);
            }
            spare = std::mem::replace(&mut prev, cur);
            spare.clear();
            // Bounded disk: near the limit (the writer began its batches
            // before the checkpointer had copied the last one, so the log
            // could not start again), wait for the copy between batches:
            // the next batch writes the log from its start.
            if let Some((db, log)) = &wal {
                let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                summary.peak_wal_bytes = summary.peak_wal_bytes.max(size(log));
                let logged = self.store.wal_bytes()?;
                // The checkpointer's copies let a batch's first write
                // start the log again: then all of it is this batch's.
                let restarts = crate::store::wal_restarts(log);
                let batch = match restarts == last_restarts {
                    true => logged.saturating_sub(logged_before),
                    false => logged,
                };
                last_restarts = restarts;
                summary.wal_bytes_written += batch;
                grown = grown.max(batch);
                // The file grows only when the next batch's frames reach
                // past its end: they must fit under the bound, and may be
                // more than any batch's before (twice the most so far).
                let limit = opts.wal_limit;
                let bound = limit.min(size(db)).max(WAL_FLOOR.min(limit));
                if logged + 2 * grown > bound {
                    match &checkpointer {
                        Some(c) => c.settle(),
                        None => self.store.checkpoint(crate::store::Checkpoint::Restart)?,
                    }
                    logged_before = 0;
                } else {
                    logged_before = logged;
                }
            }
            compared += n;
            records += r;
            summary.batches.push(BatchMark {
                rows: summary.rows,
                seconds: started.elapsed().as_secs_f64(),
                compared,
                records,
                waited,
            });
            // The registry learns its model by itself as it grows: the
            // rest of the file is matched with what the rows so far taught.
            // The scorer's comparisons hold (the model only weighs them),
            // unless the queue's re-scoring linked records: then the next
            // batch is compared again, with the index as it is now.
            let held = super::idmatch::Held {
                index: &mut index,
                seen: &mut seen,
            };
            if let Some(r) = self.train_if_due_in(Some(held))? {
                summary.models_learnt.push(r.params.version);
                summary.relinked += r.relinked as u64;
                params = self.match_params();
                if r.relinked > 0 {
                    scores = None;
                }
            }
            progress(summary);
        }
        self.index.give_back((index, seen));
        Ok(())
    }

    /// `registrar export links`: (sor, sor_id, reference_id, status).
    pub fn export_links(&self) -> Result<Vec<(String, String, String, String)>> {
        Ok(sm::links(&self.store.conn)?)
    }
}
