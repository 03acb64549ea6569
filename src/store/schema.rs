//! Schema and migrations, tracked by `PRAGMA user_version`.

use anyhow::{bail, Result};
use rusqlite::Connection;

/// One entry per schema version; entry N-1 takes a database from N-1 to N.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL);
    CREATE TABLE users (login TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE parts (number TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE inventory (
        identifier TEXT PRIMARY KEY,
        part TEXT NOT NULL REFERENCES parts(number),
        state TEXT NOT NULL,
        parent TEXT,
        doc TEXT NOT NULL
    );
    CREATE INDEX inventory_parent ON inventory(parent);
    CREATE TABLE procedures (
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (key, version)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        serial TEXT NOT NULL,
        title TEXT NOT NULL,
        procedure_key TEXT NOT NULL,
        state TEXT NOT NULL,
        required_done INTEGER NOT NULL,
        required_total INTEGER NOT NULL,
        checked_in TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX runs_state ON runs(state, id);
    CREATE INDEX runs_serial ON runs(serial);
    CREATE TABLE issues (
        id INTEGER PRIMARY KEY,
        run INTEGER REFERENCES runs(id),
        state TEXT NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX issues_run ON issues(run);
    CREATE INDEX issues_state ON issues(state);
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        station TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        run INTEGER,
        before TEXT,
        after TEXT,
        reason TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    "#,
    // 2: the run history screen reads a run's events newest first; the board
    // searches titles.
    r#"
    CREATE INDEX audit_run ON audit(run, seq);
    CREATE INDEX runs_title ON runs(title);
    "#,
    // 3: the board's stuck tab asks for todo runs untouched since a time.
    r#"
    CREATE INDEX runs_state_updated ON runs(state, updated_at);
    "#,
    // 4: every audit row carries its whole domain event, so the trail alone
    // rebuilds the state tables (`audit verify --replay`). A database with
    // data gets one baseline row per entity (see `baseline.rs`).
    r#"
    ALTER TABLE audit ADD COLUMN event TEXT;
    "#,
    // 5: where-used (`trace up`) finds the runs that installed a lot through
    // the events naming it (a lot has no parent: it may feed several units),
    // and the export's signature manifest reads a signer's PIN changes.
    r#"
    CREATE INDEX audit_entity ON audit(entity, run);
    "#,
    // 6: flat at factory scale. Derived tables kept by triggers on `runs`,
    // so every run write (write_back's INSERT or UPDATE) updates them in its
    // own statement and transaction, and no second path can forget them:
    // - `run_state_counts`: how many runs are in each state (the board's
    //   counts without a COUNT scan);
    // - `runs_search`: FTS5 trigram over serial, title and procedure key
    //   (external content: the text stays only in `runs`), for substring search;
    // - NOCASE indexes for searches shorter than a trigram, which match
    //   the start of the text only.
    // - `quality_signoffs` and `quality_deviations`: the quality screen's
    //   rows, derived from run documents in Rust, so `write_back` rewrites a
    //   run's rows with the run (see `quality_index.rs`).
    // Each is filled from the rows already there.
    r#"
    CREATE TABLE run_state_counts (
        state TEXT PRIMARY KEY,
        n INTEGER NOT NULL CHECK (n >= 0)
    ) WITHOUT ROWID;
    INSERT INTO run_state_counts (state, n) SELECT state, COUNT(*) FROM runs GROUP BY state;
    CREATE TRIGGER runs_count_insert AFTER INSERT ON runs BEGIN
        INSERT OR IGNORE INTO run_state_counts (state, n) VALUES (new.state, 0);
        UPDATE run_state_counts SET n = n + 1 WHERE state = new.state;
    END;
    CREATE TRIGGER runs_count_update AFTER UPDATE OF state ON runs
        WHEN old.state IS NOT new.state BEGIN
        UPDATE run_state_counts SET n = n - 1 WHERE state = old.state;
        INSERT OR IGNORE INTO run_state_counts (state, n) VALUES (new.state, 0);
        UPDATE run_state_counts SET n = n + 1 WHERE state = new.state;
    END;
    CREATE TRIGGER runs_count_delete AFTER DELETE ON runs BEGIN
        UPDATE run_state_counts SET n = n - 1 WHERE state = old.state;
    END;

    CREATE VIRTUAL TABLE runs_search USING fts5(
        serial, title, procedure_key,
        content = 'runs', content_rowid = 'id',
        tokenize = 'trigram case_sensitive 0'
    );
    INSERT INTO runs_search (runs_search) VALUES ('rebuild');
    CREATE TRIGGER runs_search_insert AFTER INSERT ON runs BEGIN
        INSERT INTO runs_search (rowid, serial, title, procedure_key)
            VALUES (new.id, new.serial, new.title, new.procedure_key);
    END;
    CREATE TRIGGER runs_search_update AFTER UPDATE OF serial, title, procedure_key ON runs
        WHEN old.serial IS NOT new.serial OR old.title IS NOT new.title
            OR old.procedure_key IS NOT new.procedure_key BEGIN
        INSERT INTO runs_search (runs_search, rowid, serial, title, procedure_key)
            VALUES ('delete', old.id, old.serial, old.title, old.procedure_key);
        INSERT INTO runs_search (rowid, serial, title, procedure_key)
            VALUES (new.id, new.serial, new.title, new.procedure_key);
    END;
    CREATE TRIGGER runs_search_delete AFTER DELETE ON runs BEGIN
        INSERT INTO runs_search (runs_search, rowid, serial, title, procedure_key)
            VALUES ('delete', old.id, old.serial, old.title, old.procedure_key);
    END;

    CREATE INDEX runs_serial_nocase ON runs(serial COLLATE NOCASE);
    CREATE INDEX runs_title_nocase ON runs(title COLLATE NOCASE);
    CREATE INDEX runs_procedure_nocase ON runs(procedure_key COLLATE NOCASE);

    CREATE TABLE quality_signoffs (
        run INTEGER NOT NULL,
        ord INTEGER NOT NULL,
        serial TEXT NOT NULL,
        step TEXT NOT NULL,
        position TEXT NOT NULL,
        field TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (run, ord)
    ) WITHOUT ROWID;
    CREATE INDEX quality_signoffs_role ON quality_signoffs(role, run, ord);
    CREATE TABLE quality_deviations (
        run INTEGER NOT NULL,
        ord INTEGER NOT NULL,
        serial TEXT NOT NULL,
        step TEXT NOT NULL,
        position TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        rule TEXT NOT NULL,
        by TEXT NOT NULL,
        PRIMARY KEY (run, ord)
    ) WITHOUT ROWID;
    "#,
    // 7: saved values as rows. `field_values` holds every value a field
    // ever held, append-only like the audit; a run document keeps each
    // field's current value and a count of the rest, so a save on a long
    // history writes one row and a small document (see `field_values.rs`).
    // `measurements` is the current number of every number field, derived
    // in `write_back` (see `measurements.rs`), for SPC and trends.
    // Both are filled from the documents, which are then trimmed.
    r#"
    CREATE TABLE field_values (
        run INTEGER NOT NULL REFERENCES runs(id),
        id INTEGER NOT NULL,
        step INTEGER NOT NULL,
        field TEXT NOT NULL,
        number REAL,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (run, id)
    ) WITHOUT ROWID;
    CREATE TRIGGER field_values_no_update BEFORE UPDATE ON field_values
        BEGIN SELECT RAISE(ABORT, 'saved values are append-only'); END;
    CREATE TRIGGER field_values_no_delete BEFORE DELETE ON field_values
        BEGIN SELECT RAISE(ABORT, 'saved values are append-only'); END;
    CREATE TABLE measurements (
        run INTEGER NOT NULL,
        ord INTEGER NOT NULL,
        step TEXT NOT NULL,
        field TEXT NOT NULL,
        procedure_key TEXT NOT NULL,
        serial TEXT NOT NULL,
        unit TEXT,
        verdict TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL,
        value REAL NOT NULL
    );
    CREATE INDEX measurements_run ON measurements(run, ord);
    CREATE INDEX measurements_field ON measurements(procedure_key, field, run);
    "#,
    // 8: the cycle-time report's first-pass yield asks which runs ever had
    // a step set to failed; a partial index holds just those events, so the
    // report no longer scans the whole audit trail. SQLite keeps it with the
    // table (no code path can forget it) and fills it from the rows there.
    r#"
    CREATE INDEX audit_step_failed ON audit(run)
        WHERE action = 'step_state_changed' AND after = '{"state":"failed"}';
    "#,
    // 9: the quality queue marks a sign-off waiting again after a rejection.
    // The side tables are emptied here and refilled from the run documents
    // by the upgrade (`QUALITY_INDEX_VERSION`), in their new shape.
    r#"
    ALTER TABLE quality_signoffs ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
    DELETE FROM quality_signoffs;
    DELETE FROM quality_deviations;
    "#,
    // 10: scans match serials and lots whatever their letter case; the
    // stored text stays as entered (see `world::stored_identifier`).
    r#"
    CREATE INDEX inventory_identifier_nocase ON inventory(identifier COLLATE NOCASE);
    "#,
    // 11: the board's side tables (see `board_index.rs`): each active run's
    // current step, and what holds it up (holds, failed steps, deviations,
    // sign-offs, redlines, open labour sessions, issues not closed), kept
    // by `write_back` and filled from the runs and issues already there.
    r#"
    CREATE TABLE board_steps (
        run INTEGER PRIMARY KEY,
        position TEXT NOT NULL,
        title TEXT NOT NULL,
        state TEXT NOT NULL,
        since TEXT NOT NULL
    );
    CREATE TABLE board_markers (
        run INTEGER NOT NULL,
        kind TEXT NOT NULL,
        item TEXT NOT NULL,
        rank INTEGER NOT NULL,
        step TEXT NOT NULL,
        reason TEXT NOT NULL,
        who TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (run, kind, item)
    ) WITHOUT ROWID;
    CREATE INDEX board_markers_kind ON board_markers(kind, run);
    "#,
    // 12: the step screen's trend reads the newest started runs of one
    // procedure; on a line that builds mostly other products a scan by id
    // walks past all of theirs, so runs are indexed by procedure too.
    r#"
    CREATE INDEX runs_procedure ON runs(procedure_key, id);
    "#,
    // 13: a search typed as a serial costs the same at any size (see
    // `search.rs`). `run_serial_prefixes` holds every start of each serial
    // (up to 32 characters), so the runs whose serial starts with what is
    // typed are read newest first from one key; `run_serial_suffixes` every
    // rest of a serial from its second character on (each cut to 32), for
    // text found inside a serial; `runs_title_search` a trigram index of the
    // titles alone, so text found in no title costs nothing there. Kept by
    // triggers on `runs` like `runs_search`, and filled from the runs here.
    r#"
    CREATE TABLE run_serial_prefixes (
        prefix TEXT NOT NULL COLLATE NOCASE,
        run INTEGER NOT NULL,
        PRIMARY KEY (prefix, run)
    ) WITHOUT ROWID;
    CREATE TABLE run_serial_suffixes (
        suffix TEXT NOT NULL COLLATE NOCASE,
        run INTEGER NOT NULL,
        PRIMARY KEY (suffix, run)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO run_serial_prefixes (prefix, run)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32)
        SELECT substr(runs.serial, 1, n.i), runs.id FROM runs JOIN n ON n.i <= length(runs.serial);
    INSERT OR IGNORE INTO run_serial_suffixes (suffix, run)
        WITH RECURSIVE n(i) AS (
            SELECT 2 UNION ALL SELECT i + 1 FROM n
            WHERE i < (SELECT COALESCE(MAX(length(serial)), 0) FROM runs))
        SELECT substr(runs.serial, n.i, 32), runs.id FROM runs JOIN n ON n.i <= length(runs.serial);
    CREATE TRIGGER runs_serial_parts_insert AFTER INSERT ON runs BEGIN
        INSERT OR IGNORE INTO run_serial_prefixes (prefix, run)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32)
            SELECT substr(new.serial, 1, i), new.id FROM n WHERE i <= length(new.serial);
        INSERT OR IGNORE INTO run_serial_suffixes (suffix, run)
            WITH RECURSIVE n(i) AS (
                SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < length(new.serial))
            SELECT substr(new.serial, i, 32), new.id FROM n WHERE i <= length(new.serial);
    END;
    CREATE TRIGGER runs_serial_parts_update AFTER UPDATE OF serial ON runs
        WHEN old.serial IS NOT new.serial BEGIN
        DELETE FROM run_serial_prefixes WHERE run = old.id AND prefix IN (
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32)
            SELECT substr(old.serial, 1, i) FROM n WHERE i <= length(old.serial));
        DELETE FROM run_serial_suffixes WHERE run = old.id AND suffix IN (
            WITH RECURSIVE n(i) AS (
                SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < length(old.serial))
            SELECT substr(old.serial, i, 32) FROM n WHERE i <= length(old.serial));
        INSERT OR IGNORE INTO run_serial_prefixes (prefix, run)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32)
            SELECT substr(new.serial, 1, i), new.id FROM n WHERE i <= length(new.serial);
        INSERT OR IGNORE INTO run_serial_suffixes (suffix, run)
            WITH RECURSIVE n(i) AS (
                SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < length(new.serial))
            SELECT substr(new.serial, i, 32), new.id FROM n WHERE i <= length(new.serial);
    END;
    CREATE TRIGGER runs_serial_parts_delete AFTER DELETE ON runs BEGIN
        DELETE FROM run_serial_prefixes WHERE run = old.id AND prefix IN (
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32)
            SELECT substr(old.serial, 1, i) FROM n WHERE i <= length(old.serial));
        DELETE FROM run_serial_suffixes WHERE run = old.id AND suffix IN (
            WITH RECURSIVE n(i) AS (
                SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < length(old.serial))
            SELECT substr(old.serial, i, 32) FROM n WHERE i <= length(old.serial));
    END;

    CREATE VIRTUAL TABLE runs_title_search USING fts5(
        title, content = 'runs', content_rowid = 'id',
        tokenize = 'trigram case_sensitive 0'
    );
    INSERT INTO runs_title_search (runs_title_search) VALUES ('rebuild');
    CREATE TRIGGER runs_title_search_insert AFTER INSERT ON runs BEGIN
        INSERT INTO runs_title_search (rowid, title) VALUES (new.id, new.title);
    END;
    CREATE TRIGGER runs_title_search_update AFTER UPDATE OF title ON runs
        WHEN old.title IS NOT new.title BEGIN
        INSERT INTO runs_title_search (runs_title_search, rowid, title)
            VALUES ('delete', old.id, old.title);
        INSERT INTO runs_title_search (rowid, title) VALUES (new.id, new.title);
    END;
    CREATE TRIGGER runs_title_search_delete AFTER DELETE ON runs BEGIN
        INSERT INTO runs_title_search (runs_title_search, rowid, title)
            VALUES ('delete', old.id, old.title);
    END;
    "#,
    // 14: opening a run reads its trend from the newest started runs of its
    // procedure. On `runs_procedure` each candidate was a look-up of the
    // run's row (document and all) to see whether it had started: on a
    // line where most runs wait in todo, ten rows for every one kept, each
    // on a page of its own. This index holds the started runs alone, with
    // the column the query tests, so the newest are read from it alone.
    // SQLite fills it from the rows there and keeps it with the table.
    r#"
    CREATE INDEX runs_procedure_started ON runs(procedure_key, id, started_at)
        WHERE started_at IS NOT NULL;
    "#,
    // 15: `audit_entity` is read for the entities outside a run's own work
    // (an inventory item, a user, an issue); the events a run's steps write
    // are found by run on `audit_run`. Those are most events, and each cost
    // a save its page of this index: now it holds the others only. Queries
    // on it say `ENTITY_INDEXED` so SQLite may use it.
    r#"
    DROP INDEX audit_entity;
    CREATE INDEX audit_entity ON audit(entity, run) WHERE substr(entity, 1, 4) <> 'run ';
    "#,
];

/// The condition of the partial index `audit_entity` (schema 15), written
/// as the index says it: a query names it to be answered from the index.
pub const ENTITY_INDEXED: &str = "substr(entity, 1, 4) <> 'run '";

/// The schema version whose upgrade writes baselines.
const FULL_EVENTS_VERSION: i64 = 4;

/// The schema version whose upgrade fills the quality screen's side tables:
/// the last one that changed their shape (they were made by 6; 9 added
/// `rejected`), so the fill writes the columns the code knows.
const QUALITY_INDEX_VERSION: i64 = 9;

/// The schema version whose upgrade moves values into rows.
const VALUE_ROWS_VERSION: i64 = 7;

/// The schema version whose upgrade fills the board's side tables.
const BOARD_INDEX_VERSION: i64 = 11;

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Durability and integrity settings for every connection.
pub fn configure(conn: &Connection, busy_timeout: std::time::Duration) -> Result<()> {
    use_wal(conn, busy_timeout)?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}

/// Puts the file in WAL mode (it stays so: only a new file switches). When
/// several processes create one file at once the switch can find it locked,
/// and SQLite answers "busy" at once instead of waiting through the busy
/// handler, so it is tried again here until `busy_timeout` has passed.
fn use_wal(conn: &Connection, busy_timeout: std::time::Duration) -> Result<()> {
    let deadline = std::time::Instant::now() + busy_timeout;
    loop {
        // journal_mode answers with a row, so it is read, not executed.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Takes the schema from `from` to `from + 1` inside an open transaction;
/// does nothing if another process already did.
fn migrate_step(conn: &Connection, from: i64) -> Result<()> {
    let now_at = version(conn)?;
    refuse_newer(now_at)?;
    if now_at != from {
        return Ok(());
    }
    conn.execute_batch(MIGRATIONS[from as usize])?;
    let to = from + 1;
    if to == FULL_EVENTS_VERSION {
        let has_history: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM audit)", [], |r| r.get(0))?;
        if has_history {
            super::baseline::write_baselines(conn, &chrono::Utc::now())?;
        }
    }
    if to == QUALITY_INDEX_VERSION {
        super::quality_index::fill(conn)?;
    }
    if to == VALUE_ROWS_VERSION {
        super::field_values::fill(conn)?;
        super::measurements::fill(conn)?;
    }
    if to == BOARD_INDEX_VERSION {
        super::board_index::fill(conn)?;
    }
    conn.execute_batch(&format!("PRAGMA user_version = {to}"))?;
    Ok(())
}

pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to `CURRENT_VERSION`, each step in its own transaction.
pub fn migrate(conn: &Connection) -> Result<()> {
    migrate_to(conn, CURRENT_VERSION)
}

fn refuse_newer(found: i64) -> Result<()> {
    if found > CURRENT_VERSION {
        bail!(
            "This database has schema version {found}, but this traveler understands versions up to {CURRENT_VERSION}; use a newer traveler."
        );
    }
    Ok(())
}

/// Migrates up to `target` (tests use it to build an old database).
/// Each step runs in its own IMMEDIATE transaction and re-reads the version
/// inside it, so two processes opening an old file at once upgrade it once.
pub fn migrate_to(conn: &Connection, target: i64) -> Result<()> {
    let found = version(conn)?;
    refuse_newer(found)?;
    for v in found..target.min(CURRENT_VERSION) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let step = migrate_step(conn, v);
        match step {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    if found == 0 {
        // A fresh database starts with the default org settings.
        let doc = serde_json::to_string(&crate::domain::Settings::default())?;
        conn.execute(
            "INSERT OR IGNORE INTO settings (id, doc) VALUES (1, ?1)",
            [doc],
        )?;
    }
    Ok(())
}
