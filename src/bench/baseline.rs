//! Bare SQLite doing the least the same job needs, measured in the same run
//! as traveler: a 2-row `IMMEDIATE` transaction with `synchronous=FULL` in
//! WAL on a scratch file, and reading the board's first page.

use anyhow::{Context, Result};
use rusqlite::{types::ValueRef, Connection, OpenFlags, TransactionBehavior};
use std::path::Path;

/// A scratch database for 2-row transactions.
pub struct BareTxn {
    conn: Connection,
    n: i64,
}

impl BareTxn {
    /// Opens (or creates) the scratch file in WAL with `synchronous=FULL`.
    pub fn open(path: &Path) -> Result<BareTxn> {
        let conn = Connection::open(path)
            .with_context(|| format!("Could not open the scratch database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS t (n INTEGER, note TEXT)")?;
        Ok(BareTxn { conn, n: 0 })
    }

    /// One `IMMEDIATE` transaction inserting two rows, committed (fsync).
    pub fn once(&mut self) -> Result<()> {
        self.n += 1;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO t (n, note) VALUES (?1, 'value'), (?1, 'audit')",
            [self.n],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Opens `db` afresh and reads the newest `limit` runs, every column: what a
/// terminal's first board page costs with nothing in between.
pub fn first_page(db: &Path, limit: usize) -> Result<usize> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("Could not open {}", db.display()))?;
    let mut stmt = conn.prepare("SELECT * FROM runs ORDER BY id DESC LIMIT ?1")?;
    let columns = stmt.column_count();
    let mut rows = stmt.query([limit as i64])?;
    let mut bytes = 0usize;
    while let Some(row) = rows.next()? {
        for i in 0..columns {
            bytes += match row.get_ref(i)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t.len(),
                _ => 8,
            };
        }
    }
    Ok(bytes)
}
