//! The audit trail: one append-only table (triggers refuse UPDATE and DELETE),
//! each row chained to the one before by SHA-256 so that a row changed,
//! removed or inserted outside the program is found by `verify`.

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// The hash that stands before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit row, before it is numbered and chained.
pub struct NewAuditRow<'a> {
    pub at: &'a str,
    pub user: &'a str,
    pub station: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub run: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    /// The whole domain event (or a baseline record) as JSON, from which
    /// `replay` rebuilds state. Rows written before schema 4 have none.
    pub event: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn row_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    user: &str,
    station: &str,
    action: &str,
    entity: &str,
    run: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
    reason: Option<&str>,
    event: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    // Length-prefixed parts, so no two different rows hash the same text.
    let run_text = run.map(|r| r.to_string());
    let parts: [Option<&str>; 10] = [
        Some(prev_hash),
        Some(at),
        Some(user),
        Some(station),
        Some(action),
        Some(entity),
        run_text.as_deref(),
        before,
        after,
        reason,
    ];
    h.update(seq.to_le_bytes());
    for part in parts {
        match part {
            Some(text) => {
                h.update([1u8]);
                h.update((text.len() as u64).to_le_bytes());
                h.update(text.as_bytes());
            }
            None => h.update([0u8]),
        }
    }
    // Rows from before schema 4 carry no event and keep the hash they were
    // written with; a row with an event hashes it too, under its own marker.
    if let Some(text) = event {
        h.update([2u8]);
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one row at the end of the chain. Call inside the command's transaction.
pub fn append(conn: &Connection, row: &NewAuditRow) -> Result<i64> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let hash = row_hash(
        &prev,
        seq,
        row.at,
        row.user,
        row.station,
        row.action,
        row.entity,
        row.run,
        row.before.as_deref(),
        row.after.as_deref(),
        row.reason.as_deref(),
        row.event.as_deref(),
    );
    match &row.event {
        Some(event) => conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, user, station, action, entity, run, before, after, reason, prev_hash, hash, event)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                seq, row.at, row.user, row.station, row.action, row.entity, row.run, row.before,
                row.after, row.reason, prev, hash, event
            ])?,
        // A row without an event is written as schema 3 wrote it (tests build
        // old databases this way).
        None => conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, user, station, action, entity, run, before, after, reason, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                seq, row.at, row.user, row.station, row.action, row.entity, row.run, row.before,
                row.after, row.reason, prev, hash
            ])?,
    };
    Ok(seq)
}

/// The outcome of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// Every row holds; the count of rows checked.
    Intact(i64),
    /// The first sequence number at which the chain breaks, and why.
    Broken { seq: i64, why: String },
}

/// Walks the chain from the first row. Rows are read in order a page at a
/// time, so memory stays flat on a long history.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, user, station, action, entity, run, before, after, reason, prev_hash, hash, event
         FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let user: String = r.get(2)?;
        let station: String = r.get(3)?;
        let action: String = r.get(4)?;
        let entity: String = r.get(5)?;
        let run: Option<i64> = r.get(6)?;
        let before: Option<String> = r.get(7)?;
        let after: Option<String> = r.get(8)?;
        let reason: Option<String> = r.get(9)?;
        let prev_hash: String = r.get(10)?;
        let hash: String = r.get(11)?;
        let event: Option<String> = r.get(12)?;
        if seq != expected_seq {
            return Ok(Verification::Broken {
                seq: expected_seq,
                why: format!("event {expected_seq} is missing (the next event found is {seq})"),
            });
        }
        if prev_hash != prev {
            return Ok(Verification::Broken {
                seq,
                why: format!("event {seq} does not follow the event before it"),
            });
        }
        let computed = row_hash(
            &prev_hash,
            seq,
            &at,
            &user,
            &station,
            &action,
            &entity,
            run,
            before.as_deref(),
            after.as_deref(),
            reason.as_deref(),
            event.as_deref(),
        );
        if computed != hash {
            return Ok(Verification::Broken {
                seq,
                why: format!("event {seq} was changed after it was written"),
            });
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(Verification::Intact(expected_seq - 1))
}
