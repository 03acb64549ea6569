//! The board's side tables: each active run's current step (`board_steps`)
//! and what holds it up (`board_markers`: holds, failed steps, values
//! awaiting a deviation, sign-offs waiting for a role, proposed redlines,
//! open labour sessions, issues not closed). Derived from run and issue
//! documents, rewritten by `write_back` in the command's transaction, filled
//! by the upgrade and recomputed by `traveler check` (see [`differences`]),
//! so a board page reads indexed rows instead of parsing documents.

use super::quality_index::{deviations_of, signoffs_of};
use super::rows::{from_doc, parse_time, time_text};
use crate::domain::{
    Issue, IssueState, RedlineState, Run, RunId, RunState, StepState, Time, World,
};
use anyhow::Result;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// What holds a run up, most urgent first (the order is the board's priority).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    OnHold,
    FailedStep,
    Deviation,
    Issue,
    Signoff,
    Redline,
    /// An open labour session; the board flags it once it is older than
    /// the org's `max_session_hours`.
    Session,
}

impl MarkerKind {
    pub const ALL: [MarkerKind; 7] = [
        MarkerKind::OnHold,
        MarkerKind::FailedStep,
        MarkerKind::Deviation,
        MarkerKind::Issue,
        MarkerKind::Signoff,
        MarkerKind::Redline,
        MarkerKind::Session,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::OnHold => "on_hold",
            MarkerKind::FailedStep => "failed_step",
            MarkerKind::Deviation => "deviation",
            MarkerKind::Issue => "issue",
            MarkerKind::Signoff => "signoff",
            MarkerKind::Redline => "redline",
            MarkerKind::Session => "session",
        }
    }

    fn from_name(text: &str) -> Option<MarkerKind> {
        MarkerKind::ALL.into_iter().find(|k| k.name() == text)
    }
}

/// One thing holding a run up.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BoardMarker {
    pub kind: MarkerKind,
    /// Tells markers of one kind apart (step key, field, redline or issue id).
    pub item: String,
    /// The step's position, when the marker is about a step.
    pub step: String,
    /// Why, in a few words: the hold's reason, the role, the issue's title.
    pub reason: String,
    /// Who put it there (held, failed, recorded, proposed, raised, checked in).
    pub who: String,
    pub since: Time,
}

/// The step a run is on: the first one being worked (in progress, on hold,
/// failed, in redline), else the first still to do.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CurrentStep {
    pub position: String,
    pub title: String,
    pub state: StepState,
    /// When the step entered its state.
    pub since: Time,
}

fn active(run: &Run) -> bool {
    matches!(run.state, RunState::Todo | RunState::InProgress)
}

pub fn current_step_of(run: &Run) -> Option<CurrentStep> {
    if !active(run) {
        return None;
    }
    let live = || run.steps.iter().filter(|s| s.superseded_by.is_none());
    let step = live()
        .find(|s| {
            matches!(
                s.state,
                StepState::InProgress | StepState::OnHold | StepState::Failed | StepState::Redline
            )
        })
        .or_else(|| live().find(|s| s.state == StepState::Todo))?;
    Some(CurrentStep {
        position: step.position.clone(),
        title: step.title.clone(),
        state: step.state,
        since: step.changed_at,
    })
}

/// The markers a run's document gives (issues aside), in priority order.
pub fn run_markers_of(run: &Run) -> Vec<BoardMarker> {
    let mut out = Vec::new();
    if !active(run) {
        return out;
    }
    let position_of = |key: &str| {
        run.steps
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.position.clone())
            .unwrap_or_default()
    };
    for step in run.steps.iter().filter(|s| s.superseded_by.is_none()) {
        let kind = match step.state {
            StepState::OnHold => MarkerKind::OnHold,
            StepState::Failed => MarkerKind::FailedStep,
            _ => continue,
        };
        out.push(BoardMarker {
            kind,
            item: step.key.clone(),
            step: step.position.clone(),
            reason: step.state_reason.clone().unwrap_or_default(),
            who: step.changed_by.clone(),
            since: step.changed_at,
        });
    }
    for d in deviations_of(run) {
        let since = value_time(run, &d.step, &d.field).unwrap_or(run.updated_at);
        out.push(BoardMarker {
            kind: MarkerKind::Deviation,
            item: format!("{}/{}", d.step, d.field),
            step: d.position,
            reason: format!("{} {} ({})", d.field, d.value, d.rule),
            who: d.by,
            since,
        });
    }
    for s in signoffs_of(run) {
        let since = run
            .steps
            .iter()
            .find(|st| st.key == s.step)
            .map(|st| st.changed_at)
            .unwrap_or(run.updated_at);
        out.push(BoardMarker {
            kind: MarkerKind::Signoff,
            item: format!("{}/{}", s.step, s.field),
            step: s.position,
            reason: s.role,
            who: String::new(),
            since,
        });
    }
    for r in run
        .redlines
        .iter()
        .filter(|r| r.state == RedlineState::Proposed)
    {
        out.push(BoardMarker {
            kind: MarkerKind::Redline,
            item: r.id.to_string(),
            step: position_of(&r.step),
            reason: r.reason.clone(),
            who: r.proposed_by.clone(),
            since: r.proposed_at,
        });
    }
    for step in &run.steps {
        for session in step.sessions.iter().filter(|s| s.ended_at.is_none()) {
            out.push(BoardMarker {
                kind: MarkerKind::Session,
                item: session.id.to_string(),
                step: step.position.clone(),
                reason: step.title.clone(),
                who: session.user.clone(),
                since: session.started_at,
            });
        }
    }
    out
}

fn value_time(run: &Run, step: &str, field: &str) -> Option<Time> {
    let step = run.steps.iter().find(|s| s.key == step)?;
    let field = step.fields.iter().find(|f| f.def.name == field)?;
    field.values.last().map(|v| v.at)
}

/// The marker an issue gives its run while it is not closed.
pub fn issue_marker_of(issue: &Issue) -> Option<(RunId, BoardMarker)> {
    let run = issue.run?;
    if issue.state == IssueState::Closed {
        return None;
    }
    Some((
        run,
        BoardMarker {
            kind: MarkerKind::Issue,
            item: issue.id.to_string(),
            step: issue.step.clone().unwrap_or_default(),
            reason: issue.title.clone(),
            who: issue.raised_by.clone(),
            since: issue.raised_at,
        },
    ))
}

fn insert_marker(conn: &Connection, run: RunId, m: &BoardMarker) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO board_markers (run, kind, item, rank, step, reason, who, since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        run,
        m.kind.name(),
        m.item,
        m.kind as i64,
        m.step,
        m.reason,
        m.who,
        time_text(&m.since)
    ])?;
    Ok(())
}

/// Replaces a run's rows (issue markers aside) with what its document says.
fn write_run(conn: &Connection, run: &Run) -> Result<()> {
    conn.prepare_cached("DELETE FROM board_markers WHERE run = ?1 AND kind != 'issue'")?
        .execute([run.id])?;
    conn.prepare_cached("DELETE FROM board_steps WHERE run = ?1")?
        .execute([run.id])?;
    for m in run_markers_of(run) {
        insert_marker(conn, run.id, &m)?;
    }
    if let Some(step) = current_step_of(run) {
        insert_step(conn, run.id, &step)?;
    }
    Ok(())
}

/// Brings a run's rows from what `before` said to what `run` says, writing
/// only the rows that differ: most saves change no marker and not the
/// current step, and a row deleted and inserted again still costs its page
/// in the commit. The rows match `before`, since every write comes here.
fn write_run_changes(conn: &Connection, before: &Run, run: &Run) -> Result<()> {
    let keyed = |markers: Vec<BoardMarker>| -> BTreeMap<(MarkerKind, String), BoardMarker> {
        markers
            .into_iter()
            .map(|m| ((m.kind, m.item.clone()), m))
            .collect()
    };
    let old = keyed(run_markers_of(before));
    let new = keyed(run_markers_of(run));
    for (kind, item) in old.keys().filter(|key| !new.contains_key(*key)) {
        conn.prepare_cached(
            "DELETE FROM board_markers WHERE run = ?1 AND kind = ?2 AND item = ?3",
        )?
        .execute(params![run.id, kind.name(), item])?;
    }
    for (key, m) in &new {
        if old.get(key) != Some(m) {
            insert_marker(conn, run.id, m)?;
        }
    }
    let step = current_step_of(run);
    if current_step_of(before) != step {
        match step {
            Some(step) => insert_step(conn, run.id, &step)?,
            None => {
                conn.prepare_cached("DELETE FROM board_steps WHERE run = ?1")?
                    .execute([run.id])?;
            }
        }
    }
    Ok(())
}

fn insert_step(conn: &Connection, run: RunId, step: &CurrentStep) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO board_steps (run, position, title, state, since)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        run,
        step.position,
        step.title,
        step.state.name(),
        time_text(&step.since)
    ])?;
    Ok(())
}

fn write_issue(conn: &Connection, before: Option<&Issue>, issue: &Issue) -> Result<()> {
    let mut delete = conn.prepare_cached(
        "DELETE FROM board_markers WHERE run = ?1 AND kind = 'issue' AND item = ?2",
    )?;
    for run in [before.and_then(|i| i.run), issue.run]
        .into_iter()
        .flatten()
    {
        delete.execute(params![run, issue.id.to_string()])?;
    }
    if let Some((run, m)) = issue_marker_of(issue) {
        insert_marker(conn, run, &m)?;
    }
    Ok(())
}

/// Keeps the board's rows in step with what a command changed (called by
/// `write_back`, in its transaction).
pub fn write(conn: &Connection, before: &World, after: &World) -> Result<()> {
    if let Some(run) = &after.run {
        match &before.run {
            Some(old) if old == run => {}
            Some(old) if old.id == run.id => write_run_changes(conn, old, run)?,
            _ => write_run(conn, run)?,
        }
    }
    for (id, issue) in &after.issues {
        let old = before.issues.get(id);
        if old != Some(issue) {
            write_issue(conn, old, issue)?;
        }
    }
    Ok(())
}

fn each_active_run(conn: &Connection, mut visit: impl FnMut(Run) -> Result<()>) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT doc FROM runs WHERE state IN ('todo', 'in_progress') ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        visit(from_doc("run", &r.get::<_, String>(0)?)?)?;
    }
    Ok(())
}

fn each_unclosed_issue(
    conn: &Connection,
    mut visit: impl FnMut(Issue) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn
        .prepare("SELECT doc FROM issues WHERE state IN ('open', 'dispositioned') ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        visit(from_doc("quality issue", &r.get::<_, String>(0)?)?)?;
    }
    Ok(())
}

/// Fills the side tables from the runs and issues already there (the upgrade).
pub fn fill(conn: &Connection) -> Result<()> {
    each_active_run(conn, |run| write_run(conn, &run))?;
    each_unclosed_issue(conn, |issue| write_issue(conn, None, &issue))
}

fn marker_row(r: &rusqlite::Row) -> Result<(RunId, BoardMarker)> {
    let kind: String = r.get(1)?;
    let kind = MarkerKind::from_name(&kind)
        .ok_or_else(|| anyhow::anyhow!("The board keeps a marker of unknown kind '{kind}'."))?;
    Ok((
        r.get(0)?,
        BoardMarker {
            kind,
            item: r.get(2)?,
            step: r.get(3)?,
            reason: r.get(4)?,
            who: r.get(5)?,
            since: parse_time(&r.get::<_, String>(6)?)?,
        },
    ))
}

const MARKER_COLUMNS: &str = "run, kind, item, step, reason, who, since";

/// Runs asked about in one statement: a page of the board is one chunk;
/// `traveler check` asks about every active run, a chunk at a time.
const RUNS_PER_QUERY: usize = 500;

/// `runs` as a JSON array, the one argument of the `json_each` queries below.
fn json_ids(runs: &[RunId]) -> String {
    let mut out = String::with_capacity(runs.len() * 8 + 2);
    out.push('[');
    for (i, run) in runs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&run.to_string());
    }
    out.push(']');
    out
}

/// The markers of `runs`, each run's in priority order (then oldest first):
/// one statement per [`RUNS_PER_QUERY`] runs, each run a seek on the
/// primary key, so a page costs one query however large the table.
pub fn markers_of_runs(
    conn: &Connection,
    runs: &[RunId],
) -> Result<BTreeMap<RunId, Vec<BoardMarker>>> {
    let mut out: BTreeMap<RunId, Vec<BoardMarker>> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(MARKERS_OF_RUNS_SQL)?;
    for chunk in runs.chunks(RUNS_PER_QUERY) {
        let mut rows = stmt.query([json_ids(chunk)])?;
        while let Some(r) = rows.next()? {
            let (run, m) = marker_row(r)?;
            out.entry(run).or_default().push(m);
        }
    }
    Ok(out)
}

/// The markers of the runs in a JSON array (`?1`), by run, then priority.
const MARKERS_OF_RUNS_SQL: &str = "SELECT run, kind, item, step, reason, who, since
     FROM board_markers WHERE run IN (SELECT value FROM json_each(?1))
     ORDER BY run, rank, since, item";

/// The current steps of the runs in a JSON array (`?1`).
const STEPS_OF_RUNS_SQL: &str = "SELECT run, position, title, state, since
     FROM board_steps WHERE run IN (SELECT value FROM json_each(?1))";

/// The current step of each of `runs` that has one (one statement per
/// [`RUNS_PER_QUERY`] runs, as for the markers).
pub fn steps_of_runs(conn: &Connection, runs: &[RunId]) -> Result<BTreeMap<RunId, CurrentStep>> {
    let mut out = BTreeMap::new();
    let mut stmt = conn.prepare_cached(STEPS_OF_RUNS_SQL)?;
    for chunk in runs.chunks(RUNS_PER_QUERY) {
        let mut rows = stmt.query([json_ids(chunk)])?;
        while let Some(r) = rows.next()? {
            let state: String = r.get(3)?;
            out.insert(
                r.get::<_, RunId>(0)?,
                CurrentStep {
                    position: r.get(1)?,
                    title: r.get(2)?,
                    state: step_state_from(&state),
                    since: parse_time(&r.get::<_, String>(4)?)?,
                },
            );
        }
    }
    Ok(out)
}

fn step_state_from(text: &str) -> StepState {
    [
        StepState::InProgress,
        StepState::OnHold,
        StepState::Redline,
        StepState::Failed,
        StepState::Complete,
        StepState::Skipped,
    ]
    .into_iter()
    .find(|s| s.name() == text)
    .unwrap_or(StepState::Todo)
}

/// What the side tables hold: how many rows, and one sentence per run whose
/// rows differ from what its document and its issues say.
pub fn differences(conn: &Connection) -> Result<(usize, Vec<String>)> {
    let mut stored: BTreeMap<RunId, Vec<BoardMarker>> = BTreeMap::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT {MARKER_COLUMNS} FROM board_markers ORDER BY run, rank, kind, item"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (run, m) = marker_row(r)?;
            stored.entry(run).or_default().push(m);
        }
    }
    let mut stored_steps: BTreeMap<RunId, CurrentStep> = BTreeMap::new();
    {
        let ids: Vec<RunId> = conn
            .prepare("SELECT run FROM board_steps ORDER BY run")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        stored_steps.extend(steps_of_runs(conn, &ids)?);
    }
    let rows = stored.values().map(Vec::len).sum::<usize>() + stored_steps.len();
    let mut expected: BTreeMap<RunId, Vec<BoardMarker>> = BTreeMap::new();
    let mut expected_steps: BTreeMap<RunId, CurrentStep> = BTreeMap::new();
    let mut serials: BTreeMap<RunId, String> = BTreeMap::new();
    each_active_run(conn, |run| {
        expected
            .entry(run.id)
            .or_default()
            .extend(run_markers_of(&run));
        if let Some(step) = current_step_of(&run) {
            expected_steps.insert(run.id, step);
        }
        serials.insert(run.id, run.serial.clone());
        Ok(())
    })?;
    each_unclosed_issue(conn, |issue| {
        if let Some((run, m)) = issue_marker_of(&issue) {
            expected.entry(run).or_default().push(m);
        }
        Ok(())
    })?;
    let sort = |v: &mut Vec<BoardMarker>| {
        v.sort_by(|a, b| (a.kind, &a.item).cmp(&(b.kind, &b.item)));
    };
    let mut problems = Vec::new();
    let runs: std::collections::BTreeSet<RunId> = stored
        .keys()
        .chain(expected.keys())
        .chain(stored_steps.keys())
        .chain(expected_steps.keys())
        .copied()
        .collect();
    for run in runs {
        let mut have = stored.remove(&run).unwrap_or_default();
        let mut want = expected.remove(&run).unwrap_or_default();
        sort(&mut have);
        sort(&mut want);
        let name = serials
            .get(&run)
            .map(|s| format!("run {run} ({s})"))
            .unwrap_or_else(|| format!("run {run}"));
        if have != want {
            problems.push(format!(
                "The board markers kept for {name} differ from its document and issues."
            ));
        }
        if stored_steps.remove(&run) != expected_steps.remove(&run) {
            problems.push(format!(
                "The current step kept for {name} differs from its document."
            ));
        }
    }
    Ok((rows, problems))
}
