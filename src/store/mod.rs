//! SQLite persistence: schema and migrations, loading the world a command
//! needs, applying its events and writing its audit rows in one IMMEDIATE
//! transaction, and the read queries the screens and the CLI use.

pub mod anchor;
mod attachments;
pub mod audit;
mod auth;
pub mod baseline;
mod bootstrap;
pub mod bounded_file;
pub mod demo_mark;
mod execute;
pub mod health;
mod queries;
pub mod replay;
mod report_queries;
mod rows;
pub mod schema;
mod screen_queries;
mod world;

pub use attachments::{StagedAttachment, DEFAULT_MAX_ATTACHMENT_MB};
pub use auth::{hash_secret, AuthError};
pub use execute::{ExecError, Executed};
pub use queries::{AuditRow, PendingSignoff, RunFilter, RunSummary};
pub use report_queries::{FieldPoint, FieldRef, FieldSeries, FinishedRun, RunWindow, StepTimes};
pub use rows::enum_name as state_name;
pub use screen_queries::PendingDeviation;

use anyhow::{anyhow, Context, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another terminal's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| anyhow!("Could not open the database {}: {e}.", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        schema::configure(&conn).map_err(|e| explain_open_error(path, e))?;
        schema::migrate(&conn).map_err(|e| explain_open_error(path, e))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            max_attachment_mb: DEFAULT_MAX_ATTACHMENT_MB,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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

/// Turns SQLite's terse open-time errors into sentences a person can act on.
fn explain_open_error(path: &Path, e: anyhow::Error) -> anyhow::Error {
    let text = format!("{e:#}");
    if text.contains("file is not a database") || text.contains("malformed") {
        anyhow!(
            "{} is not a traveler database, or it is damaged ({text}). Restore it from a backup or pass another file with --db.",
            path.display()
        )
    } else if text.contains("database is locked") || text.contains("busy") {
        anyhow!(
            "The database {} is locked by another program; try again in a moment.",
            path.display()
        )
    } else {
        e
    }
}
