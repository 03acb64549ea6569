//! `traveler check`: whether a database is healthy, as a list of checks, each
//! with the problems it found as sentences. Reads only; never repairs.

use super::anchor::{self, Anchor};
use super::audit::{self, Verification};
use super::{replay, schema, sqlite_errors, Store};
use crate::domain::{stale_sessions, Settings, Time, Value};
use anyhow::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// e.g. `integrity`, `audit chain`, `replay`.
    pub check: String,
    /// What was looked at, when all is well ("1,204 events").
    pub summary: String,
    /// One sentence per problem; empty when the check passed.
    pub problems: Vec<String>,
}

impl CheckResult {
    pub fn new(check: &str, summary: String, problems: Vec<String>) -> CheckResult {
        CheckResult {
            check: check.to_string(),
            summary,
            problems,
        }
    }
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `check` is asked to look at beyond the database itself.
pub struct CheckOptions<'a> {
    pub anchors: &'a [Anchor],
    /// Labour sessions open longer than this are reported.
    pub session_hours: i64,
    pub now: Time,
}

/// How many problems of one kind are named before the rest are counted.
const MAX_NAMED: usize = 20;

fn capped(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MAX_NAMED {
        let more = problems.len() - MAX_NAMED;
        problems.truncate(MAX_NAMED);
        problems.push(format!("… and {more} more like these."));
    }
    problems
}

impl Store {
    /// Runs every check; the database is healthy when none has a problem.
    /// A check that cannot run (a damaged page, a disk error) is itself a
    /// problem, worded by `sqlite_errors`; the other checks still run.
    pub fn health(&self, options: &CheckOptions) -> Result<Vec<CheckResult>> {
        let mut results = vec![
            self.guarded("integrity", Store::integrity),
            self.guarded("schema", Store::schema_check),
            self.guarded("audit chain", Store::chain_check),
        ];
        if !options.anchors.is_empty() {
            results.push(self.guarded("anchors", |s| s.anchors_check(options.anchors)));
        }
        results.push(self.guarded("replay", Store::replay_check));
        results.push(self.guarded("run counts and search", Store::run_counts_and_search));
        results.push(self.guarded("quality tables", Store::quality_tables));
        results.push(self.guarded("saved values", Store::saved_values));
        results.push(self.guarded("measurements", Store::measurements));
        results.push(self.guarded("board tables", Store::board_tables));
        results.push(self.guarded("labour sessions", |s| s.stale_sessions(options)));
        results.push(self.guarded("attachments", Store::attachments));
        Ok(results)
    }

    fn guarded(&self, check: &str, run: impl FnOnce(&Store) -> Result<CheckResult>) -> CheckResult {
        run(self).unwrap_or_else(|e| {
            let why = sqlite_errors::describe(&e, &self.path).unwrap_or_else(|| format!("{e:#}"));
            CheckResult::new(
                check,
                String::new(),
                vec![format!("This check could not run: {why}")],
            )
        })
    }

    fn chain_check(&self) -> Result<CheckResult> {
        Ok(match audit::verify(&self.conn)? {
            Verification::Intact(n) => {
                CheckResult::new("audit chain", format!("{n} events chained"), vec![])
            }
            Verification::Broken { seq, why } => CheckResult::new(
                "audit chain",
                String::new(),
                vec![format!("The audit trail is broken at event {seq}: {why}.")],
            ),
        })
    }

    fn anchors_check(&self, anchors: &[Anchor]) -> Result<CheckResult> {
        let mut problems = Vec::new();
        for a in anchors {
            if let Some(why) = anchor::check(&self.conn, a)? {
                problems.push(format!("Anchor seq={}: {why}.", a.seq));
            }
        }
        Ok(CheckResult::new(
            "anchors",
            format!("{} anchors held", anchors.len()),
            problems,
        ))
    }

    fn replay_check(&self) -> Result<CheckResult> {
        let report = replay::replay(&self.conn)?;
        let mut problems: Vec<String> = report
            .differences
            .iter()
            .map(|d| format!("{} differs from its history: {}.", d.entity, d.detail))
            .collect();
        if report.difference_count > report.differences.len() {
            problems.push(format!(
                "… and {} more entities differ.",
                report.difference_count - report.differences.len()
            ));
        }
        Ok(CheckResult::new(
            "replay",
            if report.consistent() {
                format!(
                    "{} entities rebuilt from {} events match the state tables",
                    report.entities, report.events
                )
            } else {
                format!(
                    "{} entities rebuilt from {} events; {} differences from the state tables",
                    report.entities, report.events, report.difference_count
                )
            },
            problems,
        ))
    }

    /// The counts per state against a scan of the runs, the trigram search
    /// indexes against the runs they index (FTS5's own integrity check), and
    /// the serial search tables against the serials (`search::differences`).
    fn run_counts_and_search(&self) -> Result<CheckResult> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT s.state, s.n, COALESCE(k.n, 0)
             FROM (SELECT state, COUNT(*) AS n FROM runs GROUP BY state) s
             LEFT JOIN run_state_counts k ON k.state = s.state
             UNION ALL
             SELECT k.state, 0, k.n FROM run_state_counts k
             WHERE k.n <> 0 AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.state = k.state)",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut total = 0;
        for (state, found, kept) in rows {
            total += found;
            if found != kept {
                problems.push(format!(
                    "The board counts {kept} runs in state {state}, but {found} are stored."
                ));
            }
        }
        if let Err(e) = self.conn.execute(
            "INSERT INTO runs_search (runs_search, rank) VALUES ('integrity-check', 1)",
            [],
        ) {
            problems.push(format!(
                "The run search index does not match the runs ({e}); searches may miss runs."
            ));
        }
        let (serial_rows, search_problems) = super::search::differences(&self.conn)?;
        problems.extend(search_problems);
        Ok(CheckResult::new(
            "run counts and search",
            format!("{total} runs counted and indexed ({serial_rows} serial search rows)"),
            problems,
        ))
    }

    /// The quality screen's side tables against a fresh computation from
    /// every run in progress.
    fn quality_tables(&self) -> Result<CheckResult> {
        let (rows, problems) = super::quality_index::differences(&self.conn)?;
        Ok(CheckResult::new(
            "quality tables",
            format!("{rows} pending sign-offs and deviations match the runs"),
            capped(problems),
        ))
    }

    /// Every field's stored values against its record: the current value
    /// is the last row, and the rows number what the record counts.
    fn saved_values(&self) -> Result<CheckResult> {
        let (fields, problems) = super::field_values::differences(&self.conn)?;
        Ok(CheckResult::new(
            "saved values",
            format!("{fields} fields' values match their rows"),
            capped(problems),
        ))
    }

    /// The measurements side table against the runs' current numbers.
    fn measurements(&self) -> Result<CheckResult> {
        let (runs, problems) = super::measurements::differences(&self.conn)?;
        Ok(CheckResult::new(
            "measurements",
            format!("{runs} runs' current numbers match the measurements table"),
            capped(problems),
        ))
    }

    /// The board's side tables against a fresh computation from every
    /// active run and every issue not closed.
    fn board_tables(&self) -> Result<CheckResult> {
        let (rows, problems) = super::board_index::differences(&self.conn)?;
        Ok(CheckResult::new(
            "board tables",
            format!("{rows} board markers and current steps match the runs"),
            capped(problems),
        ))
    }

    fn integrity(&self) -> Result<CheckResult> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let problems: Vec<String> = lines
            .into_iter()
            .filter(|l| l != "ok")
            .map(|l| {
                format!("SQLite finds the file damaged: {l}. Restore the database from a backup.")
            })
            .collect();
        Ok(CheckResult::new(
            "integrity",
            "SQLite integrity check passed".to_string(),
            capped(problems),
        ))
    }

    fn schema_check(&self) -> Result<CheckResult> {
        let found = schema::version(&self.conn)?;
        let problems = if found == schema::CURRENT_VERSION {
            vec![]
        } else {
            vec![format!(
                "The schema is version {found}; this traveler expects {}.",
                schema::CURRENT_VERSION
            )]
        };
        Ok(CheckResult::new(
            "schema",
            format!("schema version {found}"),
            problems,
        ))
    }

    fn stale_sessions(&self, options: &CheckOptions) -> Result<CheckResult> {
        let limit = Settings {
            max_session_hours: u32::try_from(options.session_hours).unwrap_or(u32::MAX),
            ..Settings::default()
        };
        let mut open = 0usize;
        let mut problems = Vec::new();
        // One pass over the open runs: count their sessions, name the stale ones.
        self.open_runs(|run| {
            open += run
                .steps
                .iter()
                .flat_map(|step| &step.sessions)
                .filter(|s| s.ended_at.is_none())
                .count();
            for s in stale_sessions(run, &limit, options.now) {
                problems.push(format!(
                    "{} has been checked into run {} ({}) step {} since {}, more than {} hours.",
                    s.user,
                    run.id,
                    run.serial,
                    s.position,
                    s.started_at.format("%Y-%m-%d %H:%M UTC"),
                    options.session_hours
                ));
            }
        })?;
        Ok(CheckResult::new(
            "labour sessions",
            format!(
                "{open} open sessions, none older than {} hours",
                options.session_hours
            ),
            capped(problems),
        ))
    }

    fn attachments(&self) -> Result<CheckResult> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT run FROM field_values WHERE doc LIKE '%\"type\":\"file\"%'",
        )?;
        let ids = stmt
            .query_map([], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut problems = Vec::new();
        let mut checked = 0usize;
        for id in ids {
            let Some(run) = self.run_with_history(id)? else {
                continue;
            };
            for step in &run.steps {
                for field in &step.fields {
                    for v in &field.values {
                        if let Value::File { path, sha256 } = &v.value {
                            checked += 1;
                            let place = format!(
                                "run {} ({}) step {} field '{}'",
                                run.id, run.serial, step.position, field.def.name
                            );
                            match self.attachment_hash(path) {
                                Some(found) if &found == sha256 => {}
                                Some(_) => problems.push(format!(
                                    "The attachment {path} of {place} no longer matches the SHA-256 recorded when it was saved."
                                )),
                                None => problems.push(format!(
                                    "The attachment {path} of {place} is missing."
                                )),
                            }
                        }
                    }
                }
            }
        }
        Ok(CheckResult::new(
            "attachments",
            format!("{checked} attachments match their recorded SHA-256"),
            capped(problems),
        ))
    }

    /// The SHA-256 of a stored attachment: looked for in this database's
    /// attachments folder first (the database may have moved), then at the
    /// path recorded.
    fn attachment_hash(&self, recorded: &str) -> Option<String> {
        let recorded = Path::new(recorded);
        let mut folder = self.path.as_os_str().to_owned();
        folder.push(".attachments");
        let beside = recorded.file_name().map(|n| PathBuf::from(&folder).join(n));
        for candidate in beside.iter().map(PathBuf::as_path).chain([recorded]) {
            if let Ok(bytes) = std::fs::read(candidate) {
                return Some(hex::encode(Sha256::digest(&bytes)));
            }
        }
        None
    }
}
