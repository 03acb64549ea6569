//! Which files `traveler demo --replace` may delete: only a database the demo
//! made (marked with SQLite's `application_id` header field, which no
//! traveler command sets, so a production database cannot come to carry it),
//! and only while no other connection has it open.

use super::Store;
use anyhow::{anyhow, bail, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// "TRVD" (traveler demo) in the header's application_id.
const DEMO_APPLICATION_ID: i64 = 0x5452_5644;

impl Store {
    /// Marks this database as made by the demo (replaceable by `demo --replace`).
    pub fn mark_as_demo(&self) -> Result<()> {
        self.conn
            .execute_batch(&format!("PRAGMA application_id = {DEMO_APPLICATION_ID}"))?;
        Ok(())
    }
}

/// A demo database at `path`, locked for deletion: the returned connection
/// holds an exclusive lock until dropped. Refused, with a sentence, for a
/// file the demo did not make or one another process has open.
pub fn claim_demo_database(path: &Path) -> Result<Connection> {
    let shown = path.display();
    let not_demo = || {
        anyhow!(
            "{shown} was not made by `traveler demo`, so --replace leaves it alone; pass another --db path for the demo."
        )
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|_| not_demo())?;
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| not_demo())?;
    if id != DEMO_APPLICATION_ID {
        return Err(not_demo());
    }
    // Leaving WAL mode needs every other connection closed, so it fails
    // while a terminal or a command has the file open.
    let in_use = || {
        anyhow!(
            "The demo database {shown} is open in another traveler (a terminal or a command); close it, then run `traveler demo --replace` again."
        )
    };
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|_| in_use())?;
    if !mode.eq_ignore_ascii_case("delete") {
        bail!(in_use());
    }
    conn.execute_batch("BEGIN EXCLUSIVE")
        .map_err(|_| in_use())?;
    Ok(conn)
}
