//! Read-only queries for the screens and the CLI. Lists page by key and read
//! only the indexed columns; a run's whole document is read only when opened.

use super::rows::{from_doc, parse_time};
use super::world::{load_issue, load_item, load_run, load_settings};
use super::Store;
use crate::domain::*;
use anyhow::Result;
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeMap;

/// One row of the run board.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RunSummary {
    pub id: RunId,
    pub serial: String,
    pub title: String,
    pub procedure_key: String,
    pub state: RunState,
    pub required_done: i64,
    pub required_total: i64,
    pub checked_in: String,
    pub created_at: Time,
    pub started_at: Option<Time>,
    pub completed_at: Option<Time>,
    pub updated_at: Time,
    pub updated_by: String,
    /// The step the run is on (from the board's side table); none once the
    /// run is complete or failed.
    pub step: Option<super::board_index::CurrentStep>,
    /// What holds the run up, most urgent first (from the board's side table).
    pub markers: Vec<super::board_index::BoardMarker>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFilter {
    pub state: Option<RunState>,
    /// Matches serial, title or procedure key, case-insensitively: anywhere
    /// in the text from `TRIGRAM_CHARS` characters on, at its start below.
    pub search: Option<String>,
    /// Only runs not changed since this time (with `open_only`, the stale runs).
    pub untouched_before: Option<Time>,
    /// Only runs still to finish (todo or in progress).
    pub open_only: bool,
    /// Only runs with a marker of this kind...
    pub marker: Option<super::board_index::MarkerKind>,
    /// ... set before this time (labour sessions open too long).
    pub marker_before: Option<Time>,
}

/// A sign-off field waiting for a role, on a step ready for it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PendingSignoff {
    pub run: RunId,
    pub serial: String,
    pub step: String,
    pub position: String,
    pub field: String,
    pub role: String,
    /// Waiting again: the latest signature rejected it.
    pub rejected: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: Time,
    pub user: String,
    pub station: String,
    pub action: String,
    pub entity: String,
    pub run: Option<RunId>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    /// The whole domain event as stored (JSON), secret hashes hidden; none
    /// on rows written before schema 4 kept it.
    pub event: Option<String>,
}

fn state_from(text: &str) -> RunState {
    match text {
        "in_progress" => RunState::InProgress,
        "complete" => RunState::Complete,
        "failed" => RunState::Failed,
        _ => RunState::Todo,
    }
}

impl Store {
    /// A page of runs, newest first, strictly older than `before_id` when given.
    pub fn list_runs(
        &self,
        filter: &RunFilter,
        before_id: Option<RunId>,
        limit: usize,
    ) -> Result<Vec<RunSummary>> {
        let search = filter.search.as_deref().filter(|q| !q.is_empty());
        let short = search.filter(|q| q.chars().count() < TRIGRAM_CHARS);
        let short_plan = match short {
            Some(q) if self.prefix_matches_reach(q, SHORT_SEARCH_SORT_CAP)? => {
                ShortSearch::WalkNewest
            }
            _ => ShortSearch::SortMatches,
        };
        let (sql, args) = match search {
            Some(text) if short.is_none() => {
                super::search::page_sql(&self.conn, filter, text, before_id, limit)?
            }
            _ => run_page_sql(filter, before_id, limit, short_plan),
        };
        self.summaries(&sql, &args)
    }

    /// The board rows a query of [`SUMMARY_COLUMNS`] selects, in its order,
    /// each with its current step and markers from the board's side tables.
    pub(super) fn summaries(
        &self,
        sql: &str,
        args: &[Box<dyn rusqlite::ToSql>],
    ) -> Result<Vec<RunSummary>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                serial,
                title,
                key,
                state,
                done,
                total,
                checked,
                created,
                started,
                completed,
                updated,
                by,
            ) = row?;
            out.push(RunSummary {
                id,
                serial,
                title,
                procedure_key: key,
                state: state_from(&state),
                required_done: done,
                required_total: total,
                checked_in: checked,
                created_at: parse_time(&created)?,
                started_at: started.as_deref().map(parse_time).transpose()?,
                completed_at: completed.as_deref().map(parse_time).transpose()?,
                updated_at: parse_time(&updated)?,
                updated_by: by,
                step: None,
                markers: Vec::new(),
            });
        }
        let ids: Vec<RunId> = out.iter().map(|r| r.id).collect();
        let mut steps = super::board_index::steps_of_runs(&self.conn, &ids)?;
        let mut markers = super::board_index::markers_of_runs(&self.conn, &ids)?;
        for row in &mut out {
            row.step = steps.remove(&row.id);
            row.markers = markers.remove(&row.id).unwrap_or_default();
        }
        Ok(out)
    }

    /// Whether at least `cap` runs start with `prefix` in serial, title or
    /// procedure key (each counted on its NOCASE index, at most `cap` entries
    /// read from each).
    fn prefix_matches_reach(&self, prefix: &str, cap: i64) -> Result<bool> {
        let pattern = format!("{}%", like_literal(prefix));
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE serial LIKE ?1 ESCAPE '\\' LIMIT ?2))
                      + (SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE title LIKE ?1 ESCAPE '\\' LIMIT ?2))
                      + (SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE procedure_key LIKE ?1 ESCAPE '\\' LIMIT ?2))",
            )?
            .query_row(params![pattern, cap], |r| r.get(0))?;
        Ok(n >= cap)
    }

    /// How many runs are in each state, from the counts the `runs`
    /// triggers keep (schema 5), not a scan.
    pub fn count_runs_by_state(&self) -> Result<BTreeMap<&'static str, i64>> {
        let mut counts: BTreeMap<&'static str, i64> =
            RunState::ALL.iter().map(|s| (s.name(), 0)).collect();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, n FROM run_state_counts")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            counts.insert(state_from(&state).name(), n);
        }
        Ok(counts)
    }

    /// Runs in `todo` or `in_progress` not touched since `before` (the board marks them stale),
    /// counted up to [`STUCK_COUNT_CAP`]: past that the exact number does
    /// not change what anyone does, and counting it would cost a scan.
    pub fn count_stuck(&self, before: Time) -> Result<i64> {
        Ok(self.conn.prepare_cached(
            "SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE state IN ('todo', 'in_progress') AND updated_at < ?1 LIMIT ?2)",
        )?
        .query_row(
            params![super::rows::time_text(&before), STUCK_COUNT_CAP],
            |r| r.get(0),
        )?)
    }

    /// A run named by its id or by the serial of the unit it builds (the
    /// newest run on that serial).
    /// The run a person names (`#12`, `run:12`, or a unit's serial; see
    /// [`parse_run_ref`]); `None` when nothing matches or the reference is malformed.
    pub fn find_run(&self, reference: &str) -> Result<Option<RunId>> {
        match parse_run_ref(reference) {
            Ok(parsed) => self.resolve_run(&parsed),
            Err(_) => Ok(None),
        }
    }

    /// The run a parsed reference names: by id, or the newest run on the serial.
    pub fn resolve_run(&self, reference: &RunRef) -> Result<Option<RunId>> {
        Ok(match reference {
            RunRef::Id(id) => self
                .conn
                .prepare_cached("SELECT id FROM runs WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?,
            RunRef::Serial(serial) => self
                .conn
                // Letter case aside (an exact match first): see README, "Scanner and gauge".
                .prepare_cached(
                    "SELECT id FROM runs WHERE serial = ?1 COLLATE NOCASE
                     ORDER BY serial = ?1 DESC, id DESC LIMIT 1",
                )?
                .query_row([serial], |r| r.get(0))
                .optional()?,
        })
    }

    /// The run as a command sees it: each field's current value, with
    /// earlier ones counted (`Field::earlier`), not loaded.
    pub fn run(&self, id: RunId) -> Result<Option<Run>> {
        load_run(&self.conn, id)
    }

    /// The run with every value each field ever held, for what shows the
    /// history: `run show`, exports, checks.
    pub fn run_with_history(&self, id: RunId) -> Result<Option<Run>> {
        let Some(mut run) = load_run(&self.conn, id)? else {
            return Ok(None);
        };
        super::field_values::restore_history(&self.conn, &mut run)?;
        Ok(Some(run))
    }

    pub fn issue(&self, id: IssueId) -> Result<Option<Issue>> {
        load_issue(&self.conn, id)
    }

    /// The stored identifier a scan or typed text names, letter case aside.
    pub fn stored_identifier(&self, typed: &str) -> Result<Option<String>> {
        super::world::stored_identifier(&self.conn, typed)
    }

    pub fn inventory_item(&self, identifier: &str) -> Result<Option<InventoryItem>> {
        load_item(&self.conn, identifier)
    }

    pub fn settings(&self) -> Result<Settings> {
        load_settings(&self.conn)
    }

    fn docs<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let docs = stmt
            .query_map(params, |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        docs.iter().map(|d| from_doc(what, d)).collect()
    }

    pub fn run_issues(&self, run: RunId) -> Result<Vec<Issue>> {
        self.docs(
            "quality issue",
            "SELECT doc FROM issues WHERE run = ?1 ORDER BY id",
            [run],
        )
    }

    /// Issues not yet closed, across all runs (on the `issues_state` index).
    pub fn open_issues(&self) -> Result<Vec<Issue>> {
        self.docs(
            "quality issue",
            "SELECT doc FROM issues WHERE state IN ('open', 'dispositioned') ORDER BY id",
            [],
        )
    }

    pub fn all_issues(&self) -> Result<Vec<Issue>> {
        self.docs("quality issue", "SELECT doc FROM issues ORDER BY id", [])
    }

    pub fn users(&self) -> Result<Vec<User>> {
        self.docs("user", "SELECT doc FROM users ORDER BY login", [])
    }

    pub fn user(&self, login: &str) -> Result<Option<User>> {
        super::world::load_user(&self.conn, login)
    }

    pub fn parts(&self) -> Result<Vec<Part>> {
        self.docs("part", "SELECT doc FROM parts ORDER BY number", [])
    }

    pub fn inventory(&self) -> Result<Vec<InventoryItem>> {
        self.docs(
            "inventory item",
            "SELECT doc FROM inventory ORDER BY part, identifier",
            [],
        )
    }

    /// Items installed directly under `identifier` (one level of the as-built tree).
    pub fn installed_under(&self, identifier: &str) -> Result<Vec<InventoryItem>> {
        self.docs(
            "inventory item",
            "SELECT doc FROM inventory WHERE parent = ?1 ORDER BY identifier",
            [identifier],
        )
    }

    /// Every run built on one serial, oldest first.
    pub fn runs_on(&self, serial: &str) -> Result<Vec<Run>> {
        self.docs(
            "run",
            "SELECT doc FROM runs WHERE serial = ?1 ORDER BY id",
            [serial],
        )
    }

    /// Whether any version of procedure `key` was ever loaded (exact key).
    pub fn procedure_exists(&self, key: &str) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM procedures WHERE key = ?1 LIMIT 1")?;
        Ok(stmt.exists([key])?)
    }

    pub fn procedures(&self) -> Result<Vec<Procedure>> {
        self.docs(
            "procedure",
            "SELECT doc FROM procedures ORDER BY key, version",
            [],
        )
    }

    /// Sign-offs not yet approved on runs in progress, for roles in `roles`
    /// (all roles when empty), on steps whose other fields are filled: the
    /// rows `write_back` keeps (see `quality_index`), no documents parsed.
    pub fn pending_signoffs(&self, roles: &[String]) -> Result<Vec<PendingSignoff>> {
        super::quality_index::stored_signoffs(&self.conn, roles)
    }

    /// Audit events newest first, for one run (on the `audit_run` index) or
    /// for everything (on the primary key).
    pub fn audit_log(&self, run: Option<RunId>, limit: usize) -> Result<Vec<AuditRow>> {
        let mut stmt;
        let mut rows = match run {
            Some(id) => {
                stmt = self.conn.prepare_cached(AUDIT_OF_RUN_SQL)?;
                stmt.query(params![id, limit as i64])?
            }
            None => {
                stmt = self.conn.prepare_cached(AUDIT_ALL_SQL)?;
                stmt.query(params![limit as i64])?
            }
        };
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(audit_row(r)?);
        }
        Ok(out)
    }

    /// Checks the audit chain (see `audit::verify`).
    pub fn verify_audit(&self) -> Result<super::audit::Verification> {
        super::audit::verify(&self.conn)
    }

    /// The newest event of the audit chain, to keep outside the database.
    pub fn audit_anchor(&self) -> Result<Option<super::anchor::Anchor>> {
        super::anchor::head(&self.conn)
    }

    /// Whether the chain still holds `anchor` (None) or what became of it.
    pub fn check_anchor(&self, anchor: &super::anchor::Anchor) -> Result<Option<String>> {
        super::anchor::check(&self.conn, anchor)
    }

    /// Rebuilds every entity from the audit trail and compares it with the
    /// state tables (see `replay`).
    pub fn replay_audit(&self) -> Result<super::replay::ReplayReport> {
        super::replay::replay(&self.conn)
    }
}

/// One run's events, newest first: a walk of `audit_run (run, seq)`.
const AUDIT_OF_RUN_SQL: &str =
    "SELECT seq, at, user, station, action, entity, run, before, after, reason, event
     FROM audit WHERE run = ?1 ORDER BY seq DESC LIMIT ?2";

/// Every event, newest first: a walk of the primary key.
const AUDIT_ALL_SQL: &str =
    "SELECT seq, at, user, station, action, entity, run, before, after, reason, event
     FROM audit ORDER BY seq DESC LIMIT ?1";

fn audit_row(r: &rusqlite::Row) -> Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: parse_time(&r.get::<_, String>(1)?)?,
        user: r.get(2)?,
        station: r.get(3)?,
        action: r.get(4)?,
        entity: r.get(5)?,
        run: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
        reason: r.get(9)?,
        // Shown on screens and in `audit --json`: never a secret's hash.
        event: r
            .get::<_, Option<String>>(10)?
            .map(|e| crate::domain::event_for_display(&e)),
    })
}

/// The stuck count stops here; the board shows "999+" from it on.
pub const STUCK_COUNT_CAP: i64 = 1000;

/// Searches this long or longer go through the trigram index; shorter ones
/// match the start of serial, title or procedure key on their NOCASE indexes.
pub const TRIGRAM_CHARS: usize = 3;

/// A short search matching fewer than this many runs is answered from the
/// NOCASE indexes and sorted; one matching more walks the runs newest first, where
/// matches are dense enough to fill a page early.
const SHORT_SEARCH_SORT_CAP: i64 = 500;

/// How a search shorter than a trigram is answered (see [`SHORT_SEARCH_SORT_CAP`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum ShortSearch {
    SortMatches,
    WalkNewest,
}

/// `text` as a LIKE pattern matching it literally (with `ESCAPE '\'`).
pub(super) fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `text` as one FTS5 string: a phrase, so nothing the user typed is query
/// syntax (`AND`, `NEAR(`, `*`, `"` are only characters to find).
pub(super) fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The columns of a [`RunSummary`], in the order `list_runs` reads them.
pub(super) const SUMMARY_COLUMNS: &str =
    "runs.id, runs.serial, runs.title, runs.procedure_key, runs.state, runs.required_done,
     runs.required_total, runs.checked_in, runs.created_at, runs.started_at,
     runs.completed_at, runs.updated_at, runs.updated_by";

/// The SQL and arguments for one page of the board without a search, or
/// with one shorter than [`TRIGRAM_CHARS`] (longer ones: `search.rs`).
///
/// A short search is a case-insensitive prefix match, planned as `short`
/// says.
/// Only the clauses in use go into the SQL, so SQLite can walk the primary
/// key (or the state index) from the page boundary instead of scanning from
/// the top: a deep page costs the same as the first.
fn run_page_sql(
    filter: &RunFilter,
    before_id: Option<RunId>,
    limit: usize,
    short: ShortSearch,
) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let search = filter.search.as_deref().filter(|s| !s.is_empty());
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE 1 = 1");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    let order_key = "runs.id";
    if let Some(text) = search {
        let pattern = format!("{}%", like_literal(text));
        // A unary `+` keeps SQLite off the NOCASE indexes, so it walks the
        // primary key newest first and stops at the page's end.
        let c = if short == ShortSearch::WalkNewest {
            "+runs."
        } else {
            "runs."
        };
        sql.push_str(&format!(
            " AND ({c}serial LIKE ? ESCAPE '\\' OR {c}title LIKE ? ESCAPE '\\'
                   OR {c}procedure_key LIKE ? ESCAPE '\\')"
        ));
        for _ in 0..3 {
            args.push(Box::new(pattern.clone()));
        }
    }
    push_filters(filter, order_key, &mut sql, &mut args);
    if let Some(before) = before_id {
        sql.push_str(&format!(" AND {order_key} < ?"));
        args.push(Box::new(before));
    }
    sql.push_str(&format!(" ORDER BY {order_key} DESC LIMIT ?"));
    args.push(Box::new(limit as i64));
    (sql, args)
}

/// Appends the filter's clauses other than the search (state, open only,
/// marker, untouched since) to `sql`, `order_key` naming the run's id.
pub(super) fn push_filters(
    filter: &RunFilter,
    order_key: &str,
    sql: &mut String,
    args: &mut Vec<Box<dyn rusqlite::ToSql>>,
) {
    if let Some(state) = filter.state {
        sql.push_str(" AND runs.state = ?");
        args.push(Box::new(state.name()));
    }
    if filter.open_only {
        sql.push_str(" AND runs.state IN ('todo', 'in_progress')");
    }
    if let Some(kind) = filter.marker {
        sql.push_str(&format!(
            " AND {order_key} IN (SELECT run FROM board_markers WHERE kind = ?{})",
            if filter.marker_before.is_some() {
                " AND since < ?"
            } else {
                ""
            }
        ));
        args.push(Box::new(kind.name()));
        if let Some(time) = filter.marker_before {
            args.push(Box::new(super::rows::time_text(&time)));
        }
    }
    if let Some(time) = filter.untouched_before {
        sql.push_str(" AND runs.updated_at < ?");
        args.push(Box::new(super::rows::time_text(&time)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn migrated() -> Connection {
        let conn = Connection::open_in_memory().expect("memory database");
        super::super::schema::migrate(&conn).expect("migrate");
        conn
    }

    /// SQLite's plan for `sql`, its detail lines joined.
    fn plan(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> String {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let lines = stmt
            .query_map(args, |r| r.get::<_, String>(3))
            .expect("plan rows")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("plan");
        lines.join(" | ")
    }

    fn page_plan(conn: &Connection, filter: &RunFilter, before: Option<RunId>) -> String {
        short_page_plan(conn, filter, before, ShortSearch::SortMatches)
    }

    fn short_page_plan(
        conn: &Connection,
        filter: &RunFilter,
        before: Option<RunId>,
        short: ShortSearch,
    ) -> String {
        let (sql, args) = run_page_sql(filter, before, 50, short);
        let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
        plan(conn, &sql, &refs)
    }

    #[test]
    fn one_runs_history_walks_the_audit_run_index() {
        let conn = migrated();
        let p = plan(&conn, AUDIT_OF_RUN_SQL, &[&7i64, &50i64]);
        assert!(p.contains("USING INDEX audit_run"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "no sort: {p}");
        let all = plan(&conn, AUDIT_ALL_SQL, &[&50i64]);
        assert!(!all.contains("TEMP B-TREE"), "no sort: {all}");
    }

    #[test]
    fn a_short_search_matches_prefixes_on_the_nocase_indexes() {
        let conn = migrated();
        for text in ["p", "pU", "%", "a_"] {
            let filter = RunFilter {
                search: Some(text.into()),
                ..RunFilter::default()
            };
            let p = page_plan(&conn, &filter, None);
            assert!(!p.contains("SCAN runs"), "{text}: {p}");
            assert!(p.contains("runs_serial_nocase"), "{text}: {p}");
            // A prefix most runs share walks newest first and sorts nothing.
            let p = short_page_plan(&conn, &filter, Some(99), ShortSearch::WalkNewest);
            assert!(!p.contains("nocase"), "{text}: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{text}: {p}");
        }
    }

    #[test]
    fn no_search_walks_the_primary_key_or_the_state_index() {
        let conn = migrated();
        let p = page_plan(&conn, &RunFilter::default(), Some(10));
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        let todo = RunFilter {
            state: Some(RunState::Todo),
            ..RunFilter::default()
        };
        let p = page_plan(&conn, &todo, Some(10));
        assert!(p.contains("runs_state"), "{p}");
    }
}
