//! Anchors: the head of the audit chain (sequence, hash, time) as one line of
//! text to keep outside the database. The chain alone cannot tell that its
//! newest rows were cut off, or that every row was rewritten with fresh
//! hashes; a line taken earlier and kept elsewhere can: the chain must still
//! hold that event with that hash.

use anyhow::{bail, Result};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// The word every anchor line starts with, so a file of anchors is self-describing.
pub const ANCHOR_PREFIX: &str = "traveler-audit-anchor";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    /// When the anchored event was written (UTC, as stored).
    pub at: String,
}

impl Anchor {
    /// `traveler-audit-anchor seq=N hash=H at=T`
    pub fn line(&self) -> String {
        format!(
            "{ANCHOR_PREFIX} seq={} hash={} at={}",
            self.seq, self.hash, self.at
        )
    }

    /// Reads one anchor line, saying what is wrong with a bad one.
    pub fn parse(line: &str) -> Result<Anchor> {
        let expected = format!("expected '{ANCHOR_PREFIX} seq=N hash=<64 hex digits> at=TIME'");
        let mut words = line.split_whitespace();
        if words.next() != Some(ANCHOR_PREFIX) {
            bail!("This is not an audit anchor: {expected}.");
        }
        let (mut seq, mut hash, mut at) = (None, None, None);
        for word in words {
            match word.split_once('=') {
                Some(("seq", v)) => seq = v.parse::<i64>().ok().filter(|n| *n > 0),
                Some(("hash", v)) if v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()) => {
                    hash = Some(v.to_ascii_lowercase())
                }
                Some(("at", v)) => at = Some(v.to_string()),
                _ => bail!("The audit anchor has an unexpected part; {expected}."),
            }
        }
        match (seq, hash, at) {
            (Some(seq), Some(hash), Some(at)) => Ok(Anchor { seq, hash, at }),
            _ => bail!("The audit anchor is incomplete; {expected}."),
        }
    }
}

/// The newest event of the chain, or None for an empty trail.
pub fn head(conn: &Connection) -> Result<Option<Anchor>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(Anchor {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                    at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The newest event written on one run: the anchor a run's exported record
/// ends with (`audit verify --anchor` takes its line).
pub fn of_run(conn: &Connection, run: i64) -> Result<Option<Anchor>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash, at FROM audit WHERE run = ?1 ORDER BY seq DESC LIMIT 1",
            [run],
            |r| {
                Ok(Anchor {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                    at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Whether the chain still holds `anchor`: Ok(None) when it does, else a
/// sentence saying what became of it.
pub fn check(conn: &Connection, anchor: &Anchor) -> Result<Option<String>> {
    let found: Option<String> = conn
        .query_row("SELECT hash FROM audit WHERE seq = ?1", [anchor.seq], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match found {
        Some(hash) if hash == anchor.hash => None,
        Some(_) => Some(format!(
            "event {} no longer has the hash the anchor taken at {} recorded: the trail was rewritten at or before event {}",
            anchor.seq, anchor.at, anchor.seq
        )),
        None => {
            let last = head(conn)?.map(|h| h.seq).unwrap_or(0);
            Some(format!(
                "the trail ends at event {last}, but the anchor taken at {} names event {}: events were cut off the end",
                anchor.at, anchor.seq
            ))
        }
    })
}
