//! Schema migrations. `PRAGMA user_version` records how many have run; a
//! newer binary upgrades an older file in place, each step in its own
//! transaction. Append new steps; never edit a released one.

pub const MIGRATIONS: &[&str] = &[
    // 1: persons, documents, scans, issued identifiers, SOR records, settings.
    r#"
    CREATE TABLE persons (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        reference_id TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('active', 'working_copy')),
        active_id    TEXT REFERENCES persons(id),
        version      INTEGER NOT NULL DEFAULT 1,
        first_name   TEXT NOT NULL,
        last_name    TEXT NOT NULL,
        birth_date   TEXT NOT NULL,
        gender       TEXT NOT NULL,
        tax_id       TEXT,
        data         TEXT NOT NULL,
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_by   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE UNIQUE INDEX persons_reference_active ON persons(reference_id) WHERE status = 'active';
    CREATE UNIQUE INDEX persons_one_working_copy ON persons(active_id) WHERE status = 'working_copy';
    CREATE INDEX persons_tax_id ON persons(tax_id) WHERE tax_id IS NOT NULL;
    CREATE TABLE documents (
        id              INTEGER PRIMARY KEY,
        person_seq      INTEGER NOT NULL REFERENCES persons(seq) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        type            TEXT NOT NULL,
        number          TEXT NOT NULL,
        issued_by       TEXT,
        issued_at       TEXT,
        expiration_date TEXT
    );
    CREATE INDEX documents_person ON documents(person_seq);
    CREATE INDEX documents_number ON documents(number);
    CREATE TABLE scans (
        id          TEXT PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        file_name   TEXT NOT NULL,
        media_type  TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
        size        INTEGER NOT NULL CHECK (size <= 10485760),
        sha256      TEXT NOT NULL,
        content     BLOB NOT NULL
    );
    CREATE INDEX scans_document ON scans(document_id);
    CREATE TABLE issued_identifiers (
        id            TEXT PRIMARY KEY,
        person_seq    INTEGER NOT NULL REFERENCES persons(seq) ON DELETE CASCADE,
        type          TEXT NOT NULL,
        issued_number TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        UNIQUE (person_seq, type)
    );
    CREATE INDEX issued_identifiers_number ON issued_identifiers(issued_number);
    CREATE TABLE sor_records (
        sor         TEXT NOT NULL,
        sor_id      TEXT NOT NULL,
        person_seq  INTEGER REFERENCES persons(seq) ON DELETE CASCADE,
        attributes  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (sor, sor_id)
    );
    CREATE INDEX sor_records_person ON sor_records(person_seq);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    "#,
    // 2: the Link ID the hub assigned (seed 004).
    r#"
    ALTER TABLE persons ADD COLUMN link_id TEXT;
    "#,
    // 3: matching (seed 001): comparable records, blocking keys, term
    // frequencies, and the reconciliation queue.
    r#"
    ALTER TABLE sor_records ADD COLUMN link_kind TEXT NOT NULL DEFAULT 'linked'
        CHECK (link_kind IN ('linked', 'new'));
    CREATE TABLE match_records (
        person_seq INTEGER PRIMARY KEY REFERENCES persons(seq) ON DELETE CASCADE,
        records    TEXT NOT NULL
    );
    CREATE TABLE match_keys (
        key        TEXT NOT NULL,
        person_seq INTEGER NOT NULL REFERENCES persons(seq) ON DELETE CASCADE,
        PRIMARY KEY (key, person_seq)
    ) WITHOUT ROWID;
    CREATE INDEX match_keys_person ON match_keys(person_seq);
    CREATE TABLE term_freq (
        field INTEGER NOT NULL,
        value TEXT NOT NULL,
        n     INTEGER NOT NULL,
        PRIMARY KEY (field, value)
    ) WITHOUT ROWID;
    CREATE TABLE pending (
        id          INTEGER PRIMARY KEY,
        sor         TEXT NOT NULL,
        sor_id      TEXT NOT NULL,
        attributes  TEXT NOT NULL,
        candidates  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT,
        resolution  TEXT
    );
    CREATE UNIQUE INDEX pending_open ON pending(sor, sor_id) WHERE resolved_at IS NULL;
    "#,
    // 4: seed 003 (working copies), accounts, the append-only audit trail,
    // approved-change history, and a dense ordinal for keyset paging.
    r#"
    CREATE TABLE users (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'receptionist')),
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        created_by    TEXT NOT NULL
    );
    CREATE TABLE audit (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        operation TEXT NOT NULL,
        person_id TEXT,
        trace_id  TEXT NOT NULL,
        detail    TEXT NOT NULL
    );
    CREATE INDEX audit_person ON audit(person_id);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TABLE person_history (
        id          INTEGER PRIMARY KEY,
        person_id   TEXT NOT NULL,
        version     INTEGER NOT NULL,
        author      TEXT NOT NULL,
        approved_by TEXT NOT NULL,
        at          TEXT NOT NULL,
        diff        TEXT NOT NULL
    );
    CREATE INDEX person_history_person ON person_history(person_id);
    CREATE TABLE rejections (
        id          INTEGER PRIMARY KEY,
        person_id   TEXT NOT NULL,
        author      TEXT NOT NULL,
        rejected_by TEXT NOT NULL,
        reason      TEXT NOT NULL,
        at          TEXT NOT NULL,
        diff        TEXT NOT NULL
    );
    ALTER TABLE persons ADD COLUMN ordinal INTEGER;
    CREATE TEMP TABLE ranks AS
        SELECT seq, ROW_NUMBER() OVER (ORDER BY seq) AS rn FROM persons WHERE status = 'active';
    UPDATE persons SET ordinal = (SELECT rn FROM ranks WHERE ranks.seq = persons.seq) WHERE status = 'active';
    DROP TABLE ranks;
    CREATE UNIQUE INDEX persons_ordinal ON persons(ordinal) WHERE ordinal IS NOT NULL;
    "#,
    // 5: the postIdentity outbox (seed 004): one row per local change,
    // written in the change's own transaction.
    r#"
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        person_id   TEXT NOT NULL,
        payload     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        sent_at     TEXT,
        response    TEXT
    );
    CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL;
    "#,
    // 6: the hub (seed 004): source records with their Link IDs, asserted
    // dates per attribute value, stored responses per trackingId, clients;
    // and a failed state for outbox rows the hub refuses for good.
    r#"
    CREATE TABLE hub_sources (
        source      TEXT NOT NULL,
        native_id   TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        person_seq  INTEGER NOT NULL REFERENCES persons(seq),
        identity    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (source, native_id, entity_type)
    );
    CREATE INDEX hub_sources_person ON hub_sources(person_seq);
    CREATE TABLE hub_attributes (
        source          TEXT NOT NULL,
        native_id       TEXT NOT NULL,
        cluster         TEXT NOT NULL,
        value           TEXT NOT NULL,
        first_asserted  TEXT NOT NULL,
        last_asserted   TEXT NOT NULL,
        current         INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (source, native_id, cluster, value)
    );
    CREATE TABLE hub_tracking (
        client      TEXT NOT NULL,
        tracking_id TEXT NOT NULL,
        status      INTEGER NOT NULL,
        response    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (client, tracking_id)
    );
    CREATE TABLE hub_clients (
        key_id     TEXT PRIMARY KEY,
        secret     TEXT NOT NULL,
        sources    TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE hub_nonces (
        signature TEXT PRIMARY KEY,
        seen_at   INTEGER NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN failed_at TEXT;
    "#,
    // 7: blocking keys without a foreign key or a second index: the store
    // deletes a person's keys itself (they are known from its records), and
    // each insert touches one B-tree instead of two.
    r#"
    CREATE TABLE match_keys_new (
        key        TEXT NOT NULL,
        person_seq INTEGER NOT NULL,
        PRIMARY KEY (key, person_seq)
    ) WITHOUT ROWID;
    INSERT INTO match_keys_new SELECT key, person_seq FROM match_keys;
    DROP TABLE match_keys;
    ALTER TABLE match_keys_new RENAME TO match_keys;
    "#,
    // 8: the hub forgets old nonces by time; without an index that purge
    // read the whole table on every request.
    r#"
    CREATE INDEX hub_nonces_seen ON hub_nonces(seen_at);
    "#,
    // 9: blocking keys as 64-bit hashes (half the index, integer compares),
    // and the name prefixes of the search box in their own text table. The
    // store refills both from match_records after this step.
    r#"
    DROP TABLE match_keys;
    CREATE TABLE match_keys (
        key        INTEGER NOT NULL,
        person_seq INTEGER NOT NULL,
        PRIMARY KEY (key, person_seq)
    ) WITHOUT ROWID;
    CREATE TABLE search_keys (
        key        TEXT NOT NULL,
        person_seq INTEGER NOT NULL,
        PRIMARY KEY (key, person_seq)
    ) WITHOUT ROWID;
    "#,
    // 10: authentication methods by id (seed 002's update confirmation
    // names one). Methods stored before this step get a random UUID each.
    r#"
    CREATE TABLE auth_methods (
        id         TEXT PRIMARY KEY,
        person_seq INTEGER NOT NULL REFERENCES persons(seq) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        type       TEXT NOT NULL,
        active     INTEGER NOT NULL DEFAULT 1,
        ended_at   TEXT,
        UNIQUE (person_seq, position)
    );
    INSERT INTO auth_methods(id, person_seq, position, type)
        SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
                     || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)),
               seq, key, type
        FROM (SELECT p.seq AS seq, m.key AS key, json_extract(m.value, '$.type') AS type,
                     hex(randomblob(16)) AS h
              FROM persons p, json_each(p.data, '$.authentication_methods') m
              WHERE p.status = 'active');
    "#,
    // 11: the hub binds each key to the one workstation instance that uses
    // it; failed sign-ins per account, for the lock-out.
    r#"
    CREATE TABLE hub_key_instances (
        key_id     TEXT PRIMARY KEY,
        instance   TEXT NOT NULL,
        first_seen TEXT NOT NULL
    );
    CREATE TABLE login_failures (
        name      TEXT PRIMARY KEY,
        failures  INTEGER NOT NULL,
        last_at   INTEGER NOT NULL
    );
    "#,
    // 12: the matcher's prior depends on how many persons a new record
    // could be: a running count beside the term frequencies (field -2).
    r#"
    INSERT INTO term_freq(field, value, n)
        SELECT -2, '', count(*) FROM match_records WHERE records != '[]'
        ON CONFLICT(field, value) DO UPDATE SET n = excluded.n;
    "#,
    // 13: new blocking keys (postcode with the birth year, postcode with
    // the birth day and month, postcode with either name's sound instead
    // of the family name's only); the key tables are rebuilt after it.
    "SELECT 1;",
    // 14: stewardship (issue 14). A person merged into another keeps its
    // row, with status 'merged' and the survivor in merged_into, so its ids
    // keep resolving; the CHECK on status is widened by rebuilding the
    // table (foreign keys are off for this step: see FOREIGN_KEYS_OFF_AT).
    // Merges remember exactly what moved, for unmerge; pairs a steward
    // called different people; and every link change, for the history.
    r#"
    CREATE TABLE persons_new (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        reference_id TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('active', 'working_copy', 'merged')),
        active_id    TEXT REFERENCES persons(id),
        version      INTEGER NOT NULL DEFAULT 1,
        first_name   TEXT NOT NULL,
        last_name    TEXT NOT NULL,
        birth_date   TEXT NOT NULL,
        gender       TEXT NOT NULL,
        tax_id       TEXT,
        data         TEXT NOT NULL,
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_by   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        link_id      TEXT,
        ordinal      INTEGER,
        merged_into  INTEGER REFERENCES persons(seq)
    );
    INSERT INTO persons_new (seq, id, reference_id, status, active_id, version, first_name,
        last_name, birth_date, gender, tax_id, data, created_by, created_at, updated_by,
        updated_at, link_id, ordinal)
    SELECT seq, id, reference_id, status, active_id, version, first_name, last_name,
        birth_date, gender, tax_id, data, created_by, created_at, updated_by, updated_at,
        link_id, ordinal FROM persons;
    DROP TABLE persons;
    ALTER TABLE persons_new RENAME TO persons;
    CREATE UNIQUE INDEX persons_reference_active ON persons(reference_id) WHERE status = 'active';
    CREATE UNIQUE INDEX persons_one_working_copy ON persons(active_id) WHERE status = 'working_copy';
    CREATE INDEX persons_tax_id ON persons(tax_id) WHERE tax_id IS NOT NULL;
    CREATE UNIQUE INDEX persons_ordinal ON persons(ordinal) WHERE ordinal IS NOT NULL;
    CREATE INDEX persons_reference ON persons(reference_id);
    CREATE TABLE merges (
        id           INTEGER PRIMARY KEY,
        survivor_seq INTEGER NOT NULL REFERENCES persons(seq),
        merged_seq   INTEGER NOT NULL REFERENCES persons(seq),
        at           TEXT NOT NULL,
        actor        TEXT NOT NULL,
        reason       TEXT NOT NULL,
        moved        TEXT NOT NULL,
        undone_at    TEXT,
        undone_by    TEXT,
        undo_reason  TEXT
    );
    CREATE UNIQUE INDEX merges_open ON merges(merged_seq) WHERE undone_at IS NULL;
    CREATE TABLE not_duplicates (
        a_seq  INTEGER NOT NULL REFERENCES persons(seq),
        b_seq  INTEGER NOT NULL REFERENCES persons(seq),
        at     TEXT NOT NULL,
        actor  TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (a_seq, b_seq),
        CHECK (a_seq < b_seq)
    ) WITHOUT ROWID;
    CREATE INDEX not_duplicates_b ON not_duplicates(b_seq);
    CREATE TABLE link_events (
        id            INTEGER PRIMARY KEY,
        at            TEXT NOT NULL,
        actor         TEXT NOT NULL,
        operation     TEXT NOT NULL,
        person_seq    INTEGER NOT NULL,
        sor           TEXT,
        sor_id        TEXT,
        other_seq     INTEGER,
        confidence    REAL,
        model_version INTEGER,
        reason        TEXT
    );
    CREATE INDEX link_events_person ON link_events(person_seq);
    "#,
    // 15: the hub's stewardship: every change of a source record's Link ID
    // (a feed the sites read back), and source records a steward kept apart.
    r#"
    CREATE TABLE hub_link_changes (
        seq              INTEGER PRIMARY KEY,
        source           TEXT NOT NULL,
        native_id        TEXT NOT NULL,
        link_id          TEXT,
        previous_link_id TEXT,
        at               TEXT NOT NULL,
        cause            TEXT NOT NULL
    );
    CREATE INDEX hub_link_changes_source ON hub_link_changes(source, seq);
    CREATE TABLE hub_kept_apart (
        a_source TEXT NOT NULL,
        a_id     TEXT NOT NULL,
        b_source TEXT NOT NULL,
        b_id     TEXT NOT NULL,
        at       TEXT NOT NULL,
        actor    TEXT NOT NULL,
        reason   TEXT NOT NULL,
        PRIMARY KEY (a_source, a_id, b_source, b_id)
    ) WITHOUT ROWID;
    "#,
    // 16: the search box finds persons by a birth date alone.
    r#"
    CREATE INDEX persons_birth_date ON persons(birth_date) WHERE status = 'active';
    "#,
    // 17: an admin disables an account instead of deleting it (the audit
    // trail names it).
    r#"
    ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
    "#,
    // 18: blocking keys live in memory (issue 12). Each person's row keeps
    // the hashes of its records' keys, and every change of a row is
    // stamped from one clock, so that each process builds its index once
    // and then reads only what changed. The inverted table took a write at
    // a random place per key. The store fills `keys` after this step.
    r#"
    DROP TABLE match_keys;
    ALTER TABLE match_records ADD COLUMN keys BLOB;
    ALTER TABLE match_records ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX match_records_changed ON match_records(changed);
    CREATE TABLE match_clock (n INTEGER NOT NULL);
    INSERT INTO match_clock(n) VALUES (0);
    CREATE TABLE match_records_gone (
        changed    INTEGER PRIMARY KEY,
        person_seq INTEGER NOT NULL
    );
    CREATE TRIGGER match_records_gone AFTER DELETE ON match_records BEGIN
        UPDATE match_clock SET n = n + 1;
        INSERT INTO match_records_gone(changed, person_seq)
            SELECT n, OLD.person_seq FROM match_clock;
    END;
    "#,
    // 19: reference ids are looked up among active persons (their unique
    // index) or merged ones (a merged person's id still leads to its
    // survivor): an index over every person's reference id took a write
    // at a random place per new person for nothing the other two miss.
    r#"
    DROP INDEX persons_reference;
    CREATE INDEX persons_merged_reference ON persons(reference_id) WHERE status = 'merged';
    "#,
    // 20: an import audits each batch, and each record's own trail is its
    // link event: the link history is append-only, as the audit is.
    r#"
    CREATE TRIGGER link_events_no_update BEFORE UPDATE ON link_events
        BEGIN SELECT RAISE(ABORT, 'the link history is append-only'); END;
    CREATE TRIGGER link_events_no_delete BEFORE DELETE ON link_events
        BEGIN SELECT RAISE(ABORT, 'the link history is append-only'); END;
    "#,
    // 21: what the blocking index reads again is a log of stamps written
    // at its end: an index on match_records.changed moved a person's entry
    // from its old stamp, at a random place, on every change of an
    // existing person (each record an import links). The row whose stamp
    // is the person's latest is the one read.
    r#"
    CREATE TABLE match_changes (
        changed    INTEGER PRIMARY KEY,
        person_seq INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO match_changes(changed, person_seq)
        SELECT changed, person_seq FROM match_records WHERE changed > 0;
    DROP INDEX match_records_changed;
    "#,
    // 22: a person's comparable records as rows of their own (issue 12):
    // a record added to a known person (every record an import links) is
    // a row appended at the table's end and an entry in the index by
    // person, where one row per person was rewritten whole, at a random
    // place, for every record it gained. Every change of a person's rows
    // stamps the person; the log of stamps alone says who changed. A
    // person is deleted only once its records are gone (the store removes
    // them first, stamped): a delete that would leave the blocking index
    // behind fails. The store works out each row's keys after this step.
    // Rows go in by person, each person's in order: the persons in their
    // table's order, and json_each gives a list's items in order (no
    // sort, which held every record in memory at once).
    r#"
    CREATE TABLE match_rows (
        id         INTEGER PRIMARY KEY,
        person_seq INTEGER NOT NULL REFERENCES persons(seq) ON DELETE CASCADE,
        sor        TEXT NOT NULL,
        sor_id     TEXT NOT NULL,
        rec        TEXT NOT NULL,
        keys       BLOB NOT NULL DEFAULT x''
    );
    INSERT INTO match_rows(person_seq, sor, sor_id, rec)
        SELECT m.person_seq, json_extract(j.value, '$.sor'), json_extract(j.value, '$.sor_id'),
               json(json_extract(j.value, '$.rec'))
        FROM match_records m, json_each(m.records) j;
    CREATE INDEX match_rows_person ON match_rows(person_seq);
    DROP TABLE match_records;
    DROP TABLE match_records_gone;
    CREATE TRIGGER persons_match_rows_first BEFORE DELETE ON persons
        WHEN EXISTS (SELECT 1 FROM match_rows WHERE person_seq = OLD.seq)
        BEGIN SELECT RAISE(ABORT, 'a person''s comparable records go before the person'); END;
    "#,
    // 23: the CHECK on a person's status says the same without an IN list:
    // SQLite checks a list of three in a temporary table it builds and
    // drops for every row written (a tenth of an import's person insert).
    // The table is rebuilt (foreign keys off for this step), its indexes
    // and trigger made again as the steps before left them.
    r#"
    CREATE TABLE persons_new (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        reference_id TEXT NOT NULL,
        status       TEXT NOT NULL
                     CHECK (status = 'active' OR status = 'working_copy' OR status = 'merged'),
        active_id    TEXT REFERENCES persons(id),
        version      INTEGER NOT NULL DEFAULT 1,
        first_name   TEXT NOT NULL,
        last_name    TEXT NOT NULL,
        birth_date   TEXT NOT NULL,
        gender       TEXT NOT NULL,
        tax_id       TEXT,
        data         TEXT NOT NULL,
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_by   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        link_id      TEXT,
        ordinal      INTEGER,
        merged_into  INTEGER REFERENCES persons(seq)
    );
    INSERT INTO persons_new (seq, id, reference_id, status, active_id, version, first_name,
        last_name, birth_date, gender, tax_id, data, created_by, created_at, updated_by,
        updated_at, link_id, ordinal, merged_into)
    SELECT seq, id, reference_id, status, active_id, version, first_name, last_name,
        birth_date, gender, tax_id, data, created_by, created_at, updated_by, updated_at,
        link_id, ordinal, merged_into FROM persons;
    DROP TABLE persons;
    ALTER TABLE persons_new RENAME TO persons;
    CREATE UNIQUE INDEX persons_reference_active ON persons(reference_id) WHERE status = 'active';
    CREATE UNIQUE INDEX persons_one_working_copy ON persons(active_id) WHERE status = 'working_copy';
    CREATE INDEX persons_tax_id ON persons(tax_id) WHERE tax_id IS NOT NULL;
    CREATE UNIQUE INDEX persons_ordinal ON persons(ordinal) WHERE ordinal IS NOT NULL;
    CREATE INDEX persons_birth_date ON persons(birth_date) WHERE status = 'active';
    CREATE INDEX persons_merged_reference ON persons(reference_id) WHERE status = 'merged';
    CREATE TRIGGER persons_match_rows_first BEFORE DELETE ON persons
        WHEN EXISTS (SELECT 1 FROM match_rows WHERE person_seq = OLD.seq)
        BEGIN SELECT RAISE(ABORT, 'a person''s comparable records go before the person'); END;
    "#,
    // 24: search keys a bulk load adds, appended here batch by batch and
    // merged into search_keys in one sorted pass at its end (issue 12).
    // Written into search_keys itself, a batch's keys (names: in no order)
    // reached most of its pages, every batch: the largest part of the
    // log an import wrote. Searches read both tables.
    r#"
    CREATE TABLE search_keys_added (
        key        TEXT NOT NULL,
        person_seq INTEGER NOT NULL
    );
    "#,
];

/// Indexes a bulk import drops at its start and builds again at its end
/// (`Store::defer_indexes`), as the migrations last made them: only
/// indexes that no constraint rests on, whose keys new persons bring in
/// no order (a record linked to a known person goes to a random place of
/// an index by person), and that the import does not read (it knows from
/// its blocking index whether a person holds records). A store opened
/// without them builds them again.
pub const DEFERRED_INDEXES: &[(&str, &str)] = &[
    (
        "persons_birth_date",
        "CREATE INDEX persons_birth_date ON persons(birth_date) WHERE status = 'active'",
    ),
    (
        "persons_tax_id",
        "CREATE INDEX persons_tax_id ON persons(tax_id) WHERE tax_id IS NOT NULL",
    ),
    (
        "sor_records_person",
        "CREATE INDEX sor_records_person ON sor_records(person_seq)",
    ),
    (
        "link_events_person",
        "CREATE INDEX link_events_person ON link_events(person_seq)",
    ),
    (
        "match_rows_person",
        "CREATE INDEX match_rows_person ON match_rows(person_seq)",
    ),
];

/// Steps that rebuild a table others reference: they run with foreign keys
/// off (a dropped parent would otherwise cascade into its children), and
/// `PRAGMA foreign_key_check` must find nothing before they commit.
pub const FOREIGN_KEYS_OFF_AT: &[usize] = &[14, 23];

/// The schema versions after which the keys are worked out again from
/// the stored records: 22 (records as rows, each with its keys). Earlier
/// steps that changed the keys (9, 13, 18) need no rebuild of their own
/// any more: a file that old passes step 22 on its way up.
pub const REBUILD_KEYS_AT: &[usize] = &[22];
