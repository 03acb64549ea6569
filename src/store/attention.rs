//! The board's all tab puts the runs that need someone first: open runs
//! that are stale or carry a blocker marker (on hold, failed step, open
//! issue, waiting sign-off, redline, deviation, labour open too long), newest
//! first, then every other run, newest first.
//!
//! Each part pages by key. The first is read per open state from the
//! `runs_state(state, id)` index, so it walks only open runs, never the
//! finished ones a busy line piles up; the second walks the primary key
//! newest first and skips what the first part showed.

use super::queries::{RunSummary, SUMMARY_COLUMNS};
use super::rows::time_text;
use super::Store;
use crate::domain::{RunId, Time};
use anyhow::Result;

/// What makes an open run need attention, as the board's tabs judge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttentionCutoffs {
    /// Untouched since this time: stale (`stale_after_hours`).
    pub stale_before: Time,
    /// A labour session opened before this time (`max_session_hours`).
    pub sessions_before: Time,
}

/// Where the next page starts: after the run `id`, in the part it was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageCursor {
    pub id: RunId,
    pub in_attention: bool,
}

/// The condition on `runs` that the run needs attention (two parameters:
/// the stale and the session cutoffs).
const NEEDS_ATTENTION: &str = "(runs.updated_at < ? OR EXISTS (SELECT 1 FROM board_markers m
     WHERE m.run = runs.id AND (m.kind <> 'session' OR m.since < ?)))";

fn cutoff_args(cutoffs: &AttentionCutoffs) -> [Box<dyn rusqlite::ToSql>; 2] {
    [
        Box::new(time_text(&cutoffs.stale_before)),
        Box::new(time_text(&cutoffs.sessions_before)),
    ]
}

impl Store {
    /// One page of the all tab: runs needing attention first (see the module).
    pub fn runs_attention_first(
        &self,
        cutoffs: &AttentionCutoffs,
        after: Option<PageCursor>,
        limit: usize,
    ) -> Result<(Vec<RunSummary>, Option<PageCursor>)> {
        let mut rows = Vec::new();
        let mut next = after;
        if after.is_none_or(|c| c.in_attention) {
            rows = self.attention_part(cutoffs, after.map(|c| c.id), limit)?;
            if let Some(last) = rows.last() {
                next = Some(PageCursor {
                    id: last.id,
                    in_attention: true,
                });
            }
        }
        if rows.len() < limit {
            let before = next.filter(|c| !c.in_attention).map(|c| c.id);
            let rest = self.rest_part(cutoffs, before, limit - rows.len())?;
            if let Some(last) = rest.last() {
                next = Some(PageCursor {
                    id: last.id,
                    in_attention: false,
                });
            }
            rows.extend(rest);
        }
        Ok((rows, next))
    }

    /// Open runs needing attention, newest first, below `before`: the
    /// newest `limit` ids of each open state, merged, and only the kept
    /// ones read as board rows.
    fn attention_part(
        &self,
        cutoffs: &AttentionCutoffs,
        before: Option<RunId>,
        limit: usize,
    ) -> Result<Vec<RunSummary>> {
        let mut ids: Vec<RunId> = Vec::new();
        for state in ["in_progress", "todo"] {
            let mut sql =
                format!("SELECT runs.id FROM runs WHERE runs.state = ? AND {NEEDS_ATTENTION}");
            let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(state)];
            args.extend(cutoff_args(cutoffs));
            if let Some(before) = before {
                sql.push_str(" AND runs.id < ?");
                args.push(Box::new(before));
            }
            sql.push_str(" ORDER BY runs.id DESC LIMIT ?");
            args.push(Box::new(limit as i64));
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let found = stmt.query_map(
                rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
                |r| r.get::<_, RunId>(0),
            )?;
            for id in found {
                ids.push(id?);
            }
        }
        ids.sort_by_key(|id| std::cmp::Reverse(*id));
        ids.truncate(limit);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM runs
             WHERE runs.id IN (SELECT value FROM json_each(?)) ORDER BY runs.id DESC"
        );
        let args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(serde_json::to_string(&ids)?)];
        self.summaries(&sql, &args)
    }

    /// Every run not in the first part, newest first, below `before`.
    fn rest_part(
        &self,
        cutoffs: &AttentionCutoffs,
        before: Option<RunId>,
        limit: usize,
    ) -> Result<Vec<RunSummary>> {
        let mut sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM runs
             WHERE NOT (runs.state IN ('todo', 'in_progress') AND {NEEDS_ATTENTION})"
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = cutoff_args(cutoffs).into_iter().collect();
        if let Some(before) = before {
            sql.push_str(" AND runs.id < ?");
            args.push(Box::new(before));
        }
        sql.push_str(" ORDER BY runs.id DESC LIMIT ?");
        args.push(Box::new(limit as i64));
        self.summaries(&sql, &args)
    }
}
