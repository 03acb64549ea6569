//! SQLite persistence: schema and migrations, loading the world a command
//! needs, applying its events and writing its audit rows in one IMMEDIATE
//! transaction, and the read queries the screens and the CLI use.

pub mod anchor;
mod attachments;
mod attention;
pub mod audit;
mod auth;
pub mod baseline;
pub mod board_index;
mod bootstrap;
pub mod bounded_file;
pub mod demo_mark;
mod doc_memo;
mod execute;
mod field_values;
pub mod health;
mod labour_queries;
mod measurements;
mod own_secret;
mod quality_index;
mod queries;
mod record_queries;
pub mod replay;
mod report_queries;
mod rows;
pub mod schema;
mod screen_queries;
mod search;
pub mod sqlite_errors;
pub mod trace;
mod world;

pub use attachments::{StagedAttachment, DEFAULT_MAX_ATTACHMENT_MB};
pub use attention::{AttentionCutoffs, PageCursor};
pub use auth::{hash_secret, AuthError};
pub use execute::{ExecError, Executed};
pub use quality_index::QualityCounts;
pub use queries::{AuditRow, PendingSignoff, RunFilter, RunSummary, STUCK_COUNT_CAP};
pub use record_queries::TrailEvent;
pub use report_queries::{FieldPoint, FieldRef, FieldSeries, FinishedRun, RunWindow, StepTimes};
pub use rows::enum_name as state_name;
pub use rows::time_text;
pub use screen_queries::PendingDeviation;

use anyhow::{bail, Context, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another terminal's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many prepared statements a connection keeps.
const STATEMENT_CACHE: usize = 64;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The station's `max_attachment_mb`.
    max_attachment_mb: u32,
}

impl Store {
    /// Opens (creating if needed) a traveler database and brings its schema up
    /// to date. A database from a newer traveler is refused with both versions named.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!(
                        "Could not create the folder {} for the database",
                        dir.display()
                    )
                })?;
            }
        }
        if let Some(why) = sqlite_errors::refuse_non_file(path) {
            bail!(why);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let explain = |e| sqlite_errors::explain(e, path);
        let conn = Connection::open_with_flags(path, flags).map_err(|e| explain(e.into()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // The hot queries are prepared once per connection (`prepare_cached`);
        // the board's page query alone has a variant per filter combination.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        schema::configure(&conn, BUSY_TIMEOUT).map_err(explain)?;
        schema::migrate(&conn).map_err(explain)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            max_attachment_mb: DEFAULT_MAX_ATTACHMENT_MB,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Words a SQLite failure on this database as a sentence (see `sqlite_errors`).
    pub fn explain(&self, e: anyhow::Error) -> anyhow::Error {
        sqlite_errors::explain(e, &self.path)
    }

    /// SQLite's `data_version`: changes when another connection commits, so a
    /// screen can poll it cheaply and reload only then.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Whether the database has any user yet (a fresh file needs `init`).
    pub fn has_users(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        Ok(n > 0)
    }
}
