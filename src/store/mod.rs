//! The SQLite store: one database file, WAL, foreign keys on, migrations.
//!
//! The store knows tables, not rules: the service decides, the store writes.
//! Every function that writes several rows takes a `&Connection` that the
//! caller has opened a transaction on (rusqlite's `Transaction` derefs to it).

pub mod accounts;
pub mod hub;
pub mod matching;
pub mod outbox;
pub mod persons;
mod schema;
pub use schema::DEFERRED_INDEXES;
pub mod steward;

use crate::core::model::*;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::Path;

pub use rusqlite;

pub type Result<T> = std::result::Result<T, rusqlite::Error>;

/// The page cache while deferred indexes are built, in KiB (as `PRAGMA
/// cache_size` wants it: negative): [`Store::restore_indexes`].
const INDEX_BUILD_CACHE_KIB: i64 = -16_384;

/// `execute` through the statement cache (hot paths prepare once).
pub fn exec<P: rusqlite::Params>(conn: &Connection, sql: &str, params: P) -> Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// `query_row` through the statement cache.
pub fn query_one<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> Result<T>>(
    conn: &Connection,
    sql: &str,
    params: P,
    f: F,
) -> Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// The latest schema version this binary knows.
pub fn schema_version() -> usize {
    schema::MIGRATIONS.len()
}

pub struct Store {
    /// Crate-private: the service's modules and the store run SQL; the
    /// shells cannot reach a `Registry`'s store at all (its field is
    /// private), and `tests/layering.rs` keeps `rusqlite` out of them.
    pub(crate) conn: Connection,
}

/// The database file's first bytes are read through a memory map (no copy
/// per page read), except during a bulk load.
const MMAP_BYTES: i64 = 256 << 20;

/// How a bulk load uses the connection, and how it was before.
#[derive(Debug, Clone, Copy)]
pub struct BulkMode {
    cache_kib: i64,
}

/// See [`Store::checkpointer`]; dropped, it finishes its step and stops.
pub struct Checkpointer {
    nudge: Option<std::sync::mpsc::SyncSender<Option<Settled>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Told when a step asked for by [`Checkpointer::settle`] is done.
type Settled = std::sync::mpsc::SyncSender<()>;

impl Checkpointer {
    /// A commit was made: copy what is committed, unless a step is due
    /// already.
    pub fn nudge(&self) {
        if let Some(n) = &self.nudge {
            let _ = n.try_send(None);
        }
    }

    /// Copy everything committed, and return once it is copied. The log
    /// starts again from its beginning at the next write (unless a reader
    /// elsewhere still reads it): a writer that begins right after its
    /// own commit would otherwise always find frames left to copy, and
    /// the log would only grow.
    pub fn settle(&self) {
        let Some(n) = &self.nudge else { return };
        let (done, settled) = std::sync::mpsc::sync_channel(1);
        if n.send(Some(done)).is_ok() {
            let _ = settled.recv();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How many times the write-ahead log at `log` has been started again
/// from its beginning (its header's checkpoint sequence number, which a
/// restart counts up); `None` while there is no log.
pub fn wal_restarts(log: &Path) -> Option<u32> {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(log).ok()?.read_exact(&mut head).ok()?;
    Some(u32::from_be_bytes([head[12], head[13], head[14], head[15]]))
}

/// How much of the WAL a checkpoint copies back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoint {
    /// What no reader needs, without waiting.
    Passive,
    /// All of it; the next commit writes the log from its start again,
    /// over the file's old frames, so the file keeps its size (a file
    /// written over costs the kernel less than one grown afresh).
    Restart,
    /// All of it, and the file is cut to nothing.
    Truncate,
}

thread_local! {
    /// Frames in the write-ahead log after this thread's last commit on a
    /// connection in bulk mode (SQLite's WAL hook runs on the committing
    /// thread).
    static WAL_FRAMES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn note_wal_frames(_: &rusqlite::hooks::Wal, frames: std::ffi::c_int) -> Result<()> {
    WAL_FRAMES.with(|f| f.set(u64::try_from(frames).unwrap_or(0)));
    Ok(())
}

/// The search keys staged in the database at `path`, on a connection of
/// its own, sorted and distinct, with the match clock they were read at
/// (one read transaction): see [`Store::restore_indexes_and_merge_search_keys`].
fn read_staged_keys(path: &std::path::Path) -> Result<(i64, Vec<(String, i64)>)> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
    let (clock, mut keys) = matching::staged_search_keys(&tx)?;
    tx.commit()?;
    keys.sort_unstable();
    keys.dedup();
    Ok((clock, keys))
}

impl Store {
    /// Set the connection up for a bulk load: the WAL is checkpointed by
    /// the loader (not automatically every few batches), and the page cache
    /// is `cache_kib` so that a batch's dirty pages stay in memory until the
    /// commit. Returns what [`Store::end_bulk`] restores.
    pub fn begin_bulk(&self, cache_kib: i64) -> Result<BulkMode> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // After the pragma: it sets the same hook.
        WAL_FRAMES.with(|f| f.set(0));
        self.conn.wal_hook(Some(note_wal_frames));
        let before = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", cache_kib)?;
        // Mapped pages count in the process's resident memory as much as
        // cached ones, but only the file's first part can be mapped, and a
        // mapped page is looked up in the log all the same: the memory is
        // worth more to the page cache, which holds pages from anywhere,
        // and dirty ones.
        self.conn.pragma_update(None, "mmap_size", 0)?;
        // A record's person is read for its foreign key at every insert
        // into `match_rows` and `sor_records`. For a record linked to a
        // person made long before, that is a page from anywhere in the
        // persons table (267 MB at a million rows, twice the page cache):
        // a read from the file, and a hot page pushed out of the cache. In
        // the 1M import's duplicate-heavy half it was 8 % of the writer's
        // time. The loader holds the keys by construction: it attaches a
        // record only to a person it has just made in the same
        // transaction, or to one of the blocking index, which holds only
        // persons with records (read in that transaction), and a person
        // with records cannot be deleted (`persons_match_rows_first`). The
        // import's tests check every key after it
        // (`an_import_keeps_every_foreign_key`). Only outside a
        // transaction does this pragma take effect.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        Ok(BulkMode { cache_kib: before })
    }

    /// The bytes of the write-ahead log's frames after the last commit in
    /// bulk mode on this thread (the file may be larger: a restarted log
    /// is written over).
    pub fn wal_bytes(&self) -> Result<u64> {
        let page: u64 = self
            .conn
            .pragma_query_value(None, "page_size", |r| r.get(0))?;
        // The log's header, and each frame's.
        Ok(32 + WAL_FRAMES.with(std::cell::Cell::get) * (page + 24))
    }

    /// Back to the connection's usual settings after a bulk load.
    pub fn end_bulk(&self, mode: BulkMode) -> Result<()> {
        // The pragma replaces the bulk load's WAL hook with SQLite's own.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 10_000)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        self.conn.pragma_update(None, "cache_size", mode.cache_kib)
    }

    /// Copy the WAL back into the database.
    pub fn checkpoint(&self, how: Checkpoint) -> Result<()> {
        let sql = match how {
            Checkpoint::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
            Checkpoint::Restart => "PRAGMA wal_checkpoint(RESTART)",
            Checkpoint::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
        };
        self.conn.query_row(sql, [], |_| Ok(()))
    }

    /// A thread of its own that copies the log back into the database
    /// (passive checkpoints, on a connection of its own) each time it is
    /// nudged, beside a bulk load's writer: the copying costs the writer
    /// nothing, and once the log is copied whole the writer's next commit
    /// writes it from its start again, so it stays small. `None` in memory.
    pub fn checkpointer(&self) -> Result<Option<Checkpointer>> {
        let Some(path) = self.path() else {
            return Ok(None);
        };
        let conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let (nudge, nudged) = std::sync::mpsc::sync_channel::<Option<Settled>>(1);
        let thread = std::thread::Builder::new()
            .name("checkpointer".into())
            .spawn(move || {
                while let Ok(asked) = nudged.recv() {
                    // A step that could not copy everything (a reader
                    // still needs frames) is taken up by the next nudge.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Some(done) = asked {
                        let _ = done.send(());
                    }
                }
            })
            .map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                    Some(format!("cannot start the checkpointer: {e}")),
                )
            })?;
        Ok(Some(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        }))
    }

    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            let _ = std::fs::create_dir_all(dir);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
        make_private(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("cannot make {} private: {e}", path.display())),
            )
        })?;
        tune_sqlite_library();
        let conn = Connection::open(path)?;
        Self::init(conn, None)
    }

    /// A private in-memory database (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        tune_sqlite_library();
        Self::init(Connection::open_in_memory()?, None)
    }

    /// Open and migrate only up to `version` (tests of in-place upgrades).
    pub fn open_at_version(path: &Path, version: usize) -> Result<Store> {
        tune_sqlite_library();
        Self::init(Connection::open(path)?, Some(version))
    }

    fn init(mut conn: Connection, upto: Option<usize>) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every transaction takes the write lock when it begins. A deferred
        // one that reads first cannot upgrade while another connection
        // writes: SQLite answers "database is locked" at once, without
        // waiting for the busy timeout (see tests/concurrency.rs).
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        // More distinct hot statements than rusqlite's default 16: keep them all parsed.
        conn.set_prepared_statement_cache_capacity(256);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A bigger page cache and memory-mapped reads: the indexes of a
        // million-person registry stay warm. Memory stays far below 1 GB.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint the WAL in larger, rarer steps: a 4 MB checkpoint every
        // ~60 requests was the slow tail of POST /people.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let mut store = Store { conn };
        store.migrate(upto.unwrap_or(schema::MIGRATIONS.len()))?;
        if upto.is_none() {
            // An import stopped by a crash left them out. They only speed
            // queries up: when another process's import holds the write
            // lock past the busy timeout, the next opening builds them.
            let _ = store.restore_indexes();
        }
        Ok(store)
    }

    /// Drop the [`DEFERRED_INDEXES`] for a bulk load (one transaction):
    /// every batch of new persons would otherwise rewrite nearly every
    /// page of each (birth dates and tax ids are in no order), a third of
    /// what a batch writes at a million persons. Queries stay correct
    /// without them, only slower, until [`Store::restore_indexes`].
    pub fn defer_indexes(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (name, _) in schema::DEFERRED_INDEXES {
            tx.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        tx.commit()
    }

    /// Keep only each person's latest change stamp
    /// ([`matching::prune_changes`]), in one transaction, once the log
    /// holds more than twice as many stamps as there are records (each
    /// write of a record stamps its person once).
    pub fn prune_changes(&mut self) -> Result<usize> {
        let count = |table: &str| -> Result<i64> {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        };
        if count("match_changes")? <= 2 * count("match_rows")? {
            return Ok(0);
        }
        let tx = self.conn.transaction()?;
        let n = matching::prune_changes(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// The end of a bulk load: the [`DEFERRED_INDEXES`] built again
    /// ([`Store::restore_indexes`]) while a thread of its own, on a
    /// connection of its own, reads the search keys the load staged and
    /// sorts them; then they go into `search_keys` in that order, in one
    /// transaction. SQLite's own merge ([`matching::merge_search_keys`])
    /// sorted them on this thread alone with the other core idle (3.7 s
    /// of its 4.4 s at a million rows). The keys read are used only if
    /// the match clock has not moved since they were read (every write
    /// that stages keys stamps it); else SQLite's merge runs. Nothing is
    /// written when nothing is staged.
    pub fn restore_indexes_and_merge_search_keys(&mut self) -> Result<()> {
        let Some(path) = self.path() else {
            self.restore_indexes()?;
            return self.merge_search_keys();
        };
        let (restored, read) = std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_staged_keys(&path));
            let restored = self.restore_indexes();
            (restored, reader.join())
        });
        restored?;
        let Ok(Ok((clock, keys))) = read else {
            return self.merge_search_keys();
        };
        let tx = self.conn.transaction()?;
        if matching::clock(&tx)? != clock {
            matching::merge_search_keys(&tx)?;
        } else if !keys.is_empty() {
            matching::insert_search_keys(&tx, &keys)?;
            tx.execute_batch("DELETE FROM search_keys_added")?;
        }
        tx.commit()
    }

    /// Move the search keys a bulk load staged into `search_keys`
    /// ([`matching::merge_search_keys`]), in one transaction; nothing is
    /// written when none is staged (an import killed before its end left
    /// them: searches read them there meanwhile).
    pub fn merge_search_keys(&mut self) -> Result<()> {
        if !matching::staged_any(&self.conn)? {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        matching::merge_search_keys(&tx)?;
        tx.commit()
    }

    /// Build again whichever of the [`DEFERRED_INDEXES`] is missing, in
    /// one sort each (one transaction); nothing is written when none is.
    pub fn restore_indexes(&mut self) -> Result<()> {
        let missing: Vec<&str> = schema::DEFERRED_INDEXES
            .iter()
            .filter(|(name, _)| {
                self.conn
                    .query_row(
                        "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                        [name],
                        |_| Ok(()),
                    )
                    .is_err()
            })
            .map(|(_, sql)| *sql)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        // SQLite's sorter sorts runs as large as the page cache, then
        // merges them: runs of 16 MiB sort faster than one of an import's
        // 128 MiB (the four indexes of a million rows: 2.8 s against 4.0 s).
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", INDEX_BUILD_CACHE_KIB)?;
        let built = (|| {
            let tx = self.conn.transaction()?;
            for sql in missing {
                tx.execute_batch(sql)?;
            }
            tx.commit()
        })();
        self.conn.pragma_update(None, "cache_size", cache)?;
        built
    }

    fn migrate(&mut self, upto: usize) -> Result<()> {
        let current: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
            as usize;
        if current > schema::MIGRATIONS.len() {
            // Its derived tables (the blocking index's change log, ...)
            // would be written as this version knows them, and read
            // wrongly by the newer one.
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!(
                    "the database was written by a newer Registrar (schema {current}; this one \
                     knows {}): open it with that version or a later one",
                    schema::MIGRATIONS.len()
                )),
            ));
        }
        for (i, sql) in schema::MIGRATIONS
            .iter()
            .enumerate()
            .take(upto)
            .skip(current)
        {
            let rebuild = schema::FOREIGN_KEYS_OFF_AT.contains(&(i + 1));
            if rebuild {
                // Only outside a transaction does this pragma take effect.
                self.conn.pragma_update(None, "foreign_keys", "OFF")?;
            }
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            if schema::REBUILD_KEYS_AT.contains(&(i + 1)) {
                matching::rebuild_keys(&tx)?;
            }
            if rebuild {
                let broken: i64 =
                    tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                        r.get(0)
                    })?;
                if broken > 0 {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                        Some(format!(
                            "schema step {}: {broken} rows would break a foreign key",
                            i + 1
                        )),
                    ));
                }
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
            if rebuild {
                self.conn.pragma_update(None, "foreign_keys", "ON")?;
            }
        }
        Ok(())
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
    }

    /// The raw connection, for tests that build old schemas or damage a
    /// database on purpose (`test-support` feature only).
    #[cfg(feature = "test-support")]
    pub fn sql(&self) -> &Connection {
        &self.conn
    }

    pub fn user_version(&self) -> Result<usize> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize)
    }

    pub fn get_setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        set_setting_in(&self.conn, key, value)
    }
}

/// [`Store::set_setting`] inside a caller's transaction.
pub fn set_setting_in(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The database holds personal data (and a hub's client secrets): create
/// it 0600, and tighten an existing file and its WAL and shared-memory
/// files to 0600. SQLite gives the WAL and SHM files it creates the mode
/// of the database file.
fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)?;
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if let Ok(meta) = std::fs::metadata(&p)
                && meta.permissions().mode() & 0o077 != 0
            {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Process-wide SQLite settings, before the library is first used: no
/// memory statistics (they take a global mutex on every allocation, and
/// nothing here reads them).
fn tune_sqlite_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called once, before any connection of
        // this process is opened (Store::open is the only way in), with an
        // option that takes one int argument. If SQLite is already
        // initialised it returns SQLITE_MISUSE and changes nothing.
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0);
        }
    });
}

/// What to write for a new person row.
pub struct NewPerson<'a> {
    pub id: &'a str,
    pub reference_id: &'a str,
    pub status: PersonStatus,
    pub active_id: Option<&'a str>,
    pub version: i64,
    pub data: &'a PersonData,
    /// [`data_json`] of `data`, when the caller worked it out already (the
    /// import's reader does, off the writer's thread).
    pub data_json: Option<&'a str>,
    pub actor: &'a str,
    pub now: &'a str,
}

/// The part of `PersonData` kept in the JSON column (documents and
/// identifiers live in their own tables).
pub(crate) fn data_json(p: &PersonData) -> String {
    let mut d = p.clone();
    d.documents.clear();
    d.issued_identifiers.clear();
    for m in &mut d.authentication_methods {
        m.id = None;
    }
    serde_json::to_string(&d).expect("person data serialises")
}

/// Is a reference id free among active persons?
pub fn reference_id_taken(conn: &Connection, reference_id: &str) -> Result<bool> {
    query_one(
        conn,
        "SELECT 1 FROM persons WHERE reference_id = ?1 AND status = 'active' LIMIT 1",
        [reference_id],
        |_| Ok(()),
    )
    .optional()
    .map(|o| o.is_some())
}

/// Insert a person with its documents and issued identifiers. Returns its seq.
pub fn insert_person(conn: &Connection, p: &NewPerson) -> Result<i64> {
    // An active person takes the next paging ordinal in the same statement
    // (a second UPDATE would rewrite the whole row).
    exec(conn,
        "INSERT INTO persons(id, reference_id, status, active_id, version, first_name, last_name,
                             birth_date, gender, tax_id, data, created_by, created_at, updated_by, updated_at,
                             ordinal)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?13,
                 CASE WHEN ?3 = 'active' THEN
                     (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM persons WHERE ordinal IS NOT NULL) END)",
        params![
            p.id,
            p.reference_id,
            p.status.as_str(),
            p.active_id,
            p.version,
            p.data.first_name,
            p.data.last_name,
            p.data.birth_date,
            p.data.gender,
            p.data.tax_id,
            p.data_json.map_or_else(|| data_json(p.data).into(), std::borrow::Cow::Borrowed),
            p.actor,
            p.now
        ],
    )?;
    let seq = conn.last_insert_rowid();
    if p.status == PersonStatus::Active {
        for (pos, m) in p.data.authentication_methods.iter().enumerate() {
            if let Some(id) = &m.id {
                exec(
                    conn,
                    "INSERT INTO auth_methods(id, person_seq, position, type) VALUES (?1, ?2, ?3, ?4)",
                    params![id, seq, pos as i64, m.kind],
                )?;
            }
        }
    }
    if !p.data.documents.is_empty() {
        sync_documents(conn, seq, &p.data.documents)?;
    }
    for ii in &p.data.issued_identifiers {
        let id = ii
            .issued_identifier_id
            .clone()
            .unwrap_or_else(crate::core::ids::issued_identifier_id);
        insert_issued_identifier(conn, seq, &id, &ii.kind, &ii.issued_number, p.now)?;
    }
    Ok(seq)
}

/// Replace a person's data, keeping its identity. Documents that keep their
/// type and number keep their scans. Bumps objectVersionNumber.
pub fn update_person(
    conn: &Connection,
    seq: i64,
    data: &PersonData,
    actor: &str,
    now: &str,
) -> Result<()> {
    exec(conn,
        "UPDATE persons SET first_name = ?2, last_name = ?3, birth_date = ?4, gender = ?5, tax_id = ?6,
                data = ?7, version = version + 1, updated_by = ?8, updated_at = ?9
         WHERE seq = ?1",
        params![
            seq,
            data.first_name,
            data.last_name,
            data.birth_date,
            data.gender,
            data.tax_id,
            data_json(data),
            actor,
            now
        ],
    )?;
    sync_documents(conn, seq, &data.documents)?;
    for ii in &data.issued_identifiers {
        exec(
            conn,
            "INSERT INTO issued_identifiers(id, person_seq, type, issued_number, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(person_seq, type) DO UPDATE SET issued_number = excluded.issued_number",
            params![
                ii.issued_identifier_id
                    .clone()
                    .unwrap_or_else(crate::core::ids::issued_identifier_id),
                seq,
                ii.kind,
                ii.issued_number,
                now
            ],
        )?;
    }
    Ok(())
}

/// Make the document rows of `seq` equal `docs`, in order. Rows with the
/// same type and number are updated in place so that their scans stay.
fn sync_documents(conn: &Connection, seq: i64, docs: &[Document]) -> Result<()> {
    let mut existing: Vec<(i64, String, String)> = {
        let mut st =
            conn.prepare_cached("SELECT id, type, number FROM documents WHERE person_seq = ?1")?;
        st.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_>>()?
    };
    for (pos, d) in docs.iter().enumerate() {
        let found = existing
            .iter()
            .position(|(_, t, n)| *t == d.kind && *n == d.number);
        if let Some(i) = found {
            let (id, _, _) = existing.remove(i);
            exec(
                conn,
                "UPDATE documents SET position = ?2, issued_by = ?3, issued_at = ?4, expiration_date = ?5 WHERE id = ?1",
                params![id, pos as i64, d.issued_by, d.issued_at, d.expiration_date],
            )?;
        } else {
            exec(conn,
                "INSERT INTO documents(person_seq, position, type, number, issued_by, issued_at, expiration_date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![seq, pos as i64, d.kind, d.number, d.issued_by, d.issued_at, d.expiration_date],
            )?;
        }
    }
    for (id, _, _) in existing {
        exec(conn, "DELETE FROM documents WHERE id = ?1", [id])?;
    }
    Ok(())
}

/// Attach a scanned page to the document at `position` of person `seq`.
pub fn insert_scan(
    conn: &Connection,
    seq: i64,
    position: usize,
    scan: &ScanUpload,
) -> Result<String> {
    let doc_id: i64 = query_one(
        conn,
        "SELECT id FROM documents WHERE person_seq = ?1 AND position = ?2",
        params![seq, position as i64],
        |r| r.get(0),
    )?;
    let next: i64 = query_one(
        conn,
        "SELECT COALESCE(MAX(position) + 1, 0) FROM scans WHERE document_id = ?1",
        [doc_id],
        |r| r.get(0),
    )?;
    let id = crate::core::ids::base62_id("scn_");
    let sha = hex::encode(Sha256::digest(&scan.content));
    exec(
        conn,
        "INSERT INTO scans(id, document_id, position, file_name, media_type, size, sha256, content)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            doc_id,
            next,
            scan.file_name,
            scan.media_type,
            scan.content.len() as i64,
            sha,
            scan.content
        ],
    )?;
    Ok(id)
}

/// The bytes of a stored scan.
pub fn scan_content(conn: &Connection, scan_id: &str) -> Result<Option<(String, Vec<u8>)>> {
    query_one(
        conn,
        "SELECT media_type, content FROM scans WHERE id = ?1",
        [scan_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub fn insert_issued_identifier(
    conn: &Connection,
    seq: i64,
    id: &str,
    kind: &str,
    number: &str,
    now: &str,
) -> Result<()> {
    exec(
        conn,
        "INSERT INTO issued_identifiers(id, person_seq, type, issued_number, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, seq, kind, number, now],
    )?;
    Ok(())
}

pub fn has_issued_identifier_type(conn: &Connection, seq: i64, kind: &str) -> Result<bool> {
    query_one(
        conn,
        "SELECT 1 FROM issued_identifiers WHERE person_seq = ?1 AND type = ?2",
        params![seq, kind],
        |_| Ok(()),
    )
    .optional()
    .map(|o| o.is_some())
}

/// Resolve a public id (`p_...`), a reference id (`M...`, active person) or a
/// technical seq to the row's seq.
pub fn find_seq(conn: &Connection, key: &str) -> Result<Option<i64>> {
    if let Ok(seq) = key.parse::<i64>() {
        return conn
            .query_row("SELECT seq FROM persons WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .optional();
    }
    query_one(
        conn,
        "SELECT seq FROM persons WHERE id = ?1
         UNION ALL SELECT seq FROM persons WHERE reference_id = ?1 AND status = 'active'
         LIMIT 1",
        [key],
        |r| r.get(0),
    )
    .optional()
}

/// Load a whole person: data, documents with scan metadata, identifiers, SOR records.
pub fn load_person(conn: &Connection, seq: i64) -> Result<Option<Person>> {
    let row = conn
        .query_row(
            "SELECT id, reference_id, status, active_id, version, data, created_by, created_at,
                    updated_by, updated_at, link_id
             FROM persons WHERE seq = ?1",
            [seq],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    [r.get::<_, String>(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
                    r.get::<_, Option<String>>(10)?,
                ))
            },
        )
        .optional()?;
    let Some((id, reference_id, status, active_id, version, data, [cb, ca, ub, ua], link_id)) = row
    else {
        return Ok(None);
    };
    let mut person: PersonData = serde_json::from_str(&data).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let mut am_st =
        conn.prepare_cached("SELECT position, id FROM auth_methods WHERE person_seq = ?1")?;
    for row in am_st.query_map([seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (pos, id) = row?;
        if let Some(m) = person.authentication_methods.get_mut(pos as usize) {
            m.id = Some(id);
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT id, type, number, issued_by, issued_at, expiration_date FROM documents
         WHERE person_seq = ?1 ORDER BY position",
    )?;
    let docs: Vec<(i64, Document)> = st
        .query_map([seq], |r| {
            Ok((
                r.get(0)?,
                Document {
                    kind: r.get(1)?,
                    number: r.get(2)?,
                    issued_by: r.get(3)?,
                    issued_at: r.get(4)?,
                    expiration_date: r.get(5)?,
                    scans: vec![],
                },
            ))
        })?
        .collect::<Result<_>>()?;
    let mut scan_st = conn.prepare_cached(
        "SELECT id, file_name, media_type, size, sha256 FROM scans WHERE document_id = ?1 ORDER BY position",
    )?;
    for (doc_id, mut d) in docs {
        d.scans = scan_st
            .query_map([doc_id], |r| {
                Ok(ScanMeta {
                    id: r.get(0)?,
                    file_name: r.get(1)?,
                    media_type: r.get(2)?,
                    size: r.get::<_, i64>(3)? as u64,
                    sha256: r.get(4)?,
                })
            })?
            .collect::<Result<_>>()?;
        person.documents.push(d);
    }
    let mut ii_st = conn.prepare_cached(
        "SELECT id, type, issued_number FROM issued_identifiers WHERE person_seq = ?1 ORDER BY created_at, id",
    )?;
    person.issued_identifiers = ii_st
        .query_map([seq], |r| {
            Ok(IssuedIdentifier {
                issued_identifier_id: Some(r.get(0)?),
                kind: r.get(1)?,
                issued_number: r.get(2)?,
            })
        })?
        .collect::<Result<_>>()?;
    let mut sor_st = conn.prepare_cached(
        "SELECT sor, sor_id, attributes, created_at, updated_at FROM sor_records WHERE person_seq = ?1 ORDER BY created_at, sor, sor_id",
    )?;
    let sor_records = sor_st
        .query_map([seq], |r| {
            let attrs: String = r.get(2)?;
            Ok(SorRecord {
                sor: r.get(0)?,
                sor_id: r.get(1)?,
                attributes: serde_json::from_str(&attrs).unwrap_or(serde_json::Value::Null),
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })?
        .collect::<Result<_>>()?;
    Ok(Some(Person {
        id,
        seq,
        reference_id,
        status: PersonStatus::parse(&status).unwrap_or(PersonStatus::Active),
        active_id,
        object_version_number: version,
        created_by: cb,
        created_at: ca,
        updated_by: ub,
        updated_at: ua,
        link_id,
        merged_from: None,
        golden: Vec::new(),
        person,
        sor_records,
    }))
}

/// An active person with the same tax id, or a document of the same type
/// and number, and the same birth date: (person id, reference id, what).
pub fn same_identity_documents(
    conn: &Connection,
    p: &PersonData,
) -> Result<Option<(String, String, &'static str)>> {
    if let Some(tax) = &p.tax_id {
        let hit = query_one(
            conn,
            "SELECT id, reference_id FROM persons WHERE tax_id = ?1 AND birth_date = ?2 AND status = 'active' LIMIT 1",
            params![tax, p.birth_date],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
        if let Some((id, rid)) = hit {
            return Ok(Some((id, rid, "tax id")));
        }
    }
    for d in &p.documents {
        let hit = query_one(
            conn,
            "SELECT p.id, p.reference_id FROM documents d JOIN persons p ON p.seq = d.person_seq
             WHERE d.number = ?1 AND d.type = ?2 AND p.birth_date = ?3 AND p.status = 'active' LIMIT 1",
            params![d.number, d.kind, p.birth_date],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
        if let Some((id, rid)) = hit {
            return Ok(Some((id, rid, "document number")));
        }
    }
    Ok(None)
}

/// A stored authentication method, as the update confirmation sees it.
#[derive(Debug, Clone)]
pub struct StoredAuthMethod {
    pub person_seq: i64,
    pub kind: String,
    pub active: bool,
    pub ended_at: Option<String>,
}

/// An authentication method by its UUID.
pub fn auth_method(conn: &Connection, id: &str) -> Result<Option<StoredAuthMethod>> {
    query_one(
        conn,
        "SELECT person_seq, type, active, ended_at FROM auth_methods WHERE id = ?1",
        [id],
        |r| {
            Ok(StoredAuthMethod {
                person_seq: r.get(0)?,
                kind: r.get(1)?,
                active: r.get(2)?,
                ended_at: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Counts for the status bar and checks.
pub fn count(conn: &Connection, sql_table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {sql_table}");
    query_one(conn, &sql, [], |r| r.get(0))
}

/// A person's public id (`p_…`) by its seq.
pub fn person_id_of(conn: &Connection, seq: i64) -> Result<String> {
    query_one(conn, "SELECT id FROM persons WHERE seq = ?1", [seq], |r| {
        r.get(0)
    })
}

/// A person's reference id by its seq.
pub fn reference_id_of(conn: &Connection, seq: i64) -> Result<String> {
    query_one(
        conn,
        "SELECT reference_id FROM persons WHERE seq = ?1",
        [seq],
        |r| r.get(0),
    )
}

/// A person's reference id and public id by its seq.
pub fn reference_and_person_id(conn: &Connection, seq: i64) -> Result<(String, String)> {
    query_one(
        conn,
        "SELECT reference_id, id FROM persons WHERE seq = ?1",
        [seq],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The reference id of the person with this public id.
pub fn reference_id_by_person_id(conn: &Connection, person_id: &str) -> Result<String> {
    query_one(
        conn,
        "SELECT reference_id FROM persons WHERE id = ?1",
        [person_id],
        |r| r.get(0),
    )
}

/// The active person holding a reference id: its seq.
pub fn active_seq(conn: &Connection, reference_id: &str) -> Result<Option<i64>> {
    query_one(
        conn,
        "SELECT seq FROM persons WHERE reference_id = ?1 AND status = 'active'",
        [reference_id],
        |r| r.get(0),
    )
    .optional()
}

/// Up to `n` reference ids, at random.
pub fn random_reference_ids(conn: &Connection, n: i64) -> Result<Vec<String>> {
    conn.prepare("SELECT reference_id FROM persons ORDER BY random() LIMIT ?1")?
        .query_map([n], |r| r.get(0))?
        .collect()
}

/// What the status bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Active persons (the highest paging ordinal: no scan of the table).
    pub persons: i64,
    pub working_copies: i64,
    pub pending: i64,
    pub users: i64,
    pub outbox: i64,
}

pub fn counts(conn: &Connection) -> Result<Counts> {
    let one = |sql: &str| -> Result<i64> { query_one(conn, sql, [], |r| r.get(0)) };
    Ok(Counts {
        persons: one("SELECT COALESCE(MAX(ordinal), 0) FROM persons WHERE ordinal IS NOT NULL")?,
        working_copies: one("SELECT COUNT(*) FROM persons WHERE status = 'working_copy'")?,
        pending: one("SELECT COUNT(*) FROM pending WHERE resolved_at IS NULL")?,
        users: one("SELECT COUNT(*) FROM users")?,
        outbox: outbox_unsent_count(conn)?,
    })
}

/// Changes waiting to be sent to the hub.
pub fn outbox_unsent_count(conn: &Connection) -> Result<i64> {
    query_one(
        conn,
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL",
        [],
        |r| r.get(0),
    )
}
