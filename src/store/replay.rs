//! Replay: rebuilds every entity from the audit trail alone (baselines, then
//! each row's full event folded in by the domain's own `apply`) and compares
//! the result with the state tables. A state table edited behind traveler's
//! back (a stored value changed from 12.0 to 10.0) shows as a difference
//! naming the entity and the first place it differs.
//!
//! Memory stays flat on a long history: a run is compared and dropped at its
//! last audit row, so only runs with later events are held at once.

use super::baseline::Baseline;
use super::rows::{enum_name, from_doc, parse_time};
use super::world::{RunColumns, RUN_COLUMNS_SQL};
use crate::domain::{
    apply, Event, InventoryItem, Issue, IssueId, Part, Procedure, Run, RunId, Settings, User, World,
};
use anyhow::{anyhow, Result};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How many differences are listed before the rest are only counted.
const MAX_LISTED: usize = 20;

/// One entity whose stored state is not what its history says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// e.g. `run 12 (PU-7)`, `user operator`, `inventory SL-1`.
    pub entity: String,
    /// Where and how it differs, as a sentence.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplayReport {
    /// Audit rows folded in (baselines included).
    pub events: i64,
    /// Entities compared with the state tables.
    pub entities: i64,
    /// The first differences found, in trail order for runs, then by kind.
    pub differences: Vec<Difference>,
    /// All differences, listed or not.
    pub difference_count: usize,
}

impl ReplayReport {
    pub fn consistent(&self) -> bool {
        self.difference_count == 0
    }
}

/// Everything rebuilt so far, outside any run.
#[derive(Default)]
struct Rebuilt {
    settings: Settings,
    users: BTreeMap<String, User>,
    parts: BTreeMap<String, Part>,
    inventory: BTreeMap<String, InventoryItem>,
    issues: BTreeMap<IssueId, Issue>,
    procedures: Vec<Procedure>,
    /// Runs that still have audit rows to come.
    runs: HashMap<RunId, Run>,
    next_run_id: RunId,
    next_issue_id: IssueId,
}

impl Rebuilt {
    /// Folds one event in, with the run it is about (if any) in the world.
    fn fold(&mut self, event: &Event, run: Option<RunId>, now: crate::domain::Time, by: &str) {
        let mut world = World {
            settings: std::mem::take(&mut self.settings),
            run: run.and_then(|id| self.runs.remove(&id)),
            inventory: std::mem::take(&mut self.inventory),
            issues: std::mem::take(&mut self.issues),
            parts: std::mem::take(&mut self.parts),
            users: std::mem::take(&mut self.users),
            procedures: std::mem::take(&mut self.procedures),
            next_run_id: self.next_run_id,
            next_issue_id: self.next_issue_id,
        };
        apply(&mut world, event, now, by);
        self.settings = world.settings;
        self.inventory = world.inventory;
        self.issues = world.issues;
        self.parts = world.parts;
        self.users = world.users;
        self.procedures = world.procedures;
        self.next_run_id = world.next_run_id;
        self.next_issue_id = world.next_issue_id;
        if let Some(r) = world.run {
            self.runs.insert(r.id, r);
        }
    }

    fn take_baseline(&mut self, baseline: Baseline) {
        match baseline {
            Baseline::Settings { settings } => self.settings = settings,
            Baseline::User { user } => {
                self.users.insert(user.login.clone(), user);
            }
            Baseline::Part { part } => {
                self.parts.insert(part.number.clone(), part);
            }
            Baseline::Item { item } => {
                self.inventory.insert(item.identifier.clone(), item);
            }
            Baseline::Procedure { procedure } => self.procedures.push(procedure),
            Baseline::Run { run } => {
                self.next_run_id = self.next_run_id.max(run.id + 1);
                self.runs.insert(run.id, *run);
            }
            Baseline::Issue { issue } => {
                self.next_issue_id = self.next_issue_id.max(issue.id + 1);
                self.issues.insert(issue.id, issue);
            }
        }
    }
}

/// Collects differences, listing the first few.
#[derive(Default)]
struct Findings {
    listed: Vec<Difference>,
    count: usize,
    compared: i64,
}

impl Findings {
    fn compared(&mut self) {
        self.compared += 1;
    }
    fn differs(&mut self, entity: String, detail: String) {
        self.count += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push(Difference { entity, detail });
        }
    }
    /// Compares a rebuilt entity with the stored one, as JSON, naming the
    /// first path where they part.
    fn compare<T: Serialize>(&mut self, entity: String, rebuilt: &T, stored: Option<&T>) {
        self.compared();
        let Some(stored) = stored else {
            self.differs(
                entity,
                "its history creates it, but the state tables no longer hold it".to_string(),
            );
            return;
        };
        let (a, b) = match (serde_json::to_value(rebuilt), serde_json::to_value(stored)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => {
                self.differs(entity, "it could not be compared".to_string());
                return;
            }
        };
        if let Some(detail) = first_difference("", &a, &b) {
            self.differs(entity, detail);
        }
    }
}

/// The first JSON path at which `history` and `stored` differ, as a sentence.
fn first_difference(path: &str, history: &Json, stored: &Json) -> Option<String> {
    match (history, stored) {
        (Json::Object(h), Json::Object(s)) => {
            let keys: std::collections::BTreeSet<&String> = h.keys().chain(s.keys()).collect();
            keys.into_iter().find_map(|k| {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                first_difference(
                    &here,
                    h.get(k).unwrap_or(&Json::Null),
                    s.get(k).unwrap_or(&Json::Null),
                )
            })
        }
        (Json::Array(h), Json::Array(s)) if h.len() == s.len() => h
            .iter()
            .zip(s)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(&format!("{path}[{i}]"), a, b)),
        _ if history == stored => None,
        _ => Some(format!(
            "{} is stored as {} but its history says {}",
            if path.is_empty() { "the record" } else { path },
            short(stored),
            short(history)
        )),
    }
}

fn short(v: &Json) -> String {
    let text = v.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// One audit row's payload.
enum Payload {
    Event(Box<Event>),
    Baseline(Box<Baseline>),
}

fn payload(seq: i64, text: &str) -> Result<Payload> {
    let value: Json = serde_json::from_str(text).map_err(|e| {
        anyhow!("Audit event {seq} holds an event record that does not parse ({e}).")
    })?;
    if value.get("baseline").is_some() {
        Ok(Payload::Baseline(Box::new(
            serde_json::from_value(value).map_err(|e| {
                anyhow!("Audit event {seq} holds a baseline this traveler cannot read ({e}).")
            })?,
        )))
    } else {
        Ok(Payload::Event(Box::new(
            serde_json::from_value(value).map_err(|e| {
                anyhow!("Audit event {seq} holds an event this traveler cannot read ({e}).")
            })?,
        )))
    }
}

/// Compares a rebuilt run with its stored row: the document and the columns
/// the board reads.
fn compare_run(conn: &Connection, run: &Run, findings: &mut Findings) -> Result<()> {
    let entity = format!("run {} ({})", run.id, run.serial);
    let sql = format!("SELECT doc, {RUN_COLUMNS_SQL} FROM runs WHERE id = ?1");
    let stored: Option<(String, RunColumns)> = conn
        .prepare_cached(&sql)?
        .query_row([run.id], |r| Ok((r.get(0)?, RunColumns::read(r, 1)?)))
        .optional()?;
    let Some((doc, columns)) = stored else {
        findings.compare(entity, run, None);
        return Ok(());
    };
    let mut stored_run: Run = from_doc("run", &doc)?;
    // The history says every value; the rows hold the ones the document does not.
    super::field_values::restore_history(conn, &mut stored_run)?;
    let before = findings.count;
    findings.compare(entity.clone(), run, Some(&stored_run));
    if findings.count == before && columns != RunColumns::of(run) {
        findings.differs(
            entity,
            format!(
                "the board's columns disagree with its record (stored state '{}', {} of {} required steps)",
                columns.state, columns.required_done, columns.required_total
            ),
        );
    }
    Ok(())
}

/// Rebuilds everything from the trail and compares it with the state tables.
/// Read inside one transaction, so a concurrent writer cannot skew it.
pub fn replay(conn: &Connection) -> Result<ReplayReport> {
    let tx = conn.unchecked_transaction()?;
    let report = replay_in(&tx)?;
    tx.finish()?;
    Ok(report)
}

fn replay_in(conn: &Connection) -> Result<ReplayReport> {
    let mut last_row_of_run: HashMap<RunId, i64> = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT run, MAX(seq) FROM audit WHERE run IS NOT NULL GROUP BY run")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (run, seq) = row?;
            last_row_of_run.insert(run, seq);
        }
    }
    let mut rebuilt = Rebuilt {
        next_run_id: 1,
        next_issue_id: 1,
        ..Rebuilt::default()
    };
    let mut findings = Findings::default();
    let mut compared_runs: HashSet<RunId> = HashSet::new();
    let mut events = 0i64;
    let mut seen_full_event = false;
    let mut stmt = conn.prepare("SELECT seq, at, user, run, event FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let run: Option<RunId> = r.get(3)?;
        let Some(text) = r.get::<_, Option<String>>(4)? else {
            if seen_full_event {
                findings.differs(
                    format!("audit event {seq}"),
                    "it carries no event record, though every event after the upgrade must"
                        .to_string(),
                );
            }
            continue;
        };
        seen_full_event = true;
        events += 1;
        match payload(seq, &text)? {
            Payload::Baseline(b) => rebuilt.take_baseline(*b),
            Payload::Event(event) => {
                let at = parse_time(&r.get::<_, String>(1)?)?;
                let user: String = r.get(2)?;
                rebuilt.fold(&event, run, at, &user);
            }
        }
        if let Some(id) = run {
            if last_row_of_run.get(&id) == Some(&seq) {
                if let Some(done) = rebuilt.runs.remove(&id) {
                    compare_run(conn, &done, &mut findings)?;
                    compared_runs.insert(id);
                }
            }
        }
    }
    compare_the_rest(conn, &rebuilt, &compared_runs, &mut findings)?;
    Ok(ReplayReport {
        events,
        entities: findings.compared,
        differences: findings.listed,
        difference_count: findings.count,
    })
}

/// Reads `(key, doc)` pairs of one table.
fn stored_docs(conn: &Connection, sql: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Compares one keyed kind of entity both ways: each rebuilt one with its row,
/// and each row with no history.
fn compare_kind<T: Serialize + serde::de::DeserializeOwned>(
    conn: &Connection,
    what: &str,
    sql: &str,
    rebuilt: &BTreeMap<String, T>,
    findings: &mut Findings,
) -> Result<()> {
    let stored: BTreeMap<String, T> = stored_docs(conn, sql)?
        .into_iter()
        .map(|(k, d)| Ok((k, from_doc(what, &d)?)))
        .collect::<Result<_>>()?;
    for (key, value) in rebuilt {
        findings.compare(format!("{what} {key}"), value, stored.get(key));
    }
    for key in stored.keys().filter(|k| !rebuilt.contains_key(*k)) {
        findings.differs(
            format!("{what} {key}"),
            "it is in the state tables but no audit event made it".to_string(),
        );
    }
    Ok(())
}

fn compare_the_rest(
    conn: &Connection,
    rebuilt: &Rebuilt,
    compared_runs: &HashSet<RunId>,
    findings: &mut Findings,
) -> Result<()> {
    // Runs whose rows all came and went were compared on the way; a run row
    // with no audit history at all was made outside traveler.
    let mut stmt = conn.prepare("SELECT id, serial FROM runs ORDER BY id")?;
    let ids = stmt
        .query_map([], |r| Ok((r.get::<_, RunId>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (id, serial) in ids {
        if !compared_runs.contains(&id) && !rebuilt.runs.contains_key(&id) {
            findings.differs(
                format!("run {id} ({serial})"),
                "it is in the state tables but no audit event made it".to_string(),
            );
        }
    }
    let mut leftover: Vec<&Run> = rebuilt.runs.values().collect();
    leftover.sort_by_key(|r| r.id);
    for run in leftover {
        compare_run(conn, run, findings)?;
    }

    let stored_settings: Option<Settings> = conn
        .query_row("SELECT doc FROM settings WHERE id = 1", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .map(|d| from_doc("settings record", &d))
        .transpose()?;
    findings.compare(
        "settings".to_string(),
        &rebuilt.settings,
        stored_settings.as_ref(),
    );
    compare_kind(
        conn,
        "user",
        "SELECT login, doc FROM users",
        &rebuilt.users,
        findings,
    )?;
    compare_kind(
        conn,
        "part",
        "SELECT number, doc FROM parts",
        &rebuilt.parts,
        findings,
    )?;
    compare_kind(
        conn,
        "inventory",
        "SELECT identifier, doc FROM inventory",
        &rebuilt.inventory,
        findings,
    )?;
    compare_columns(
        conn,
        "inventory",
        "SELECT identifier, part, state, parent FROM inventory",
        |key| {
            rebuilt.inventory.get(key).map(|i| {
                vec![
                    Some(i.part.clone()),
                    Some(enum_name(&i.state)),
                    i.parent.clone(),
                ]
            })
        },
        findings,
    )?;
    let issues: BTreeMap<String, Issue> = rebuilt
        .issues
        .iter()
        .map(|(id, i)| (id.to_string(), i.clone()))
        .collect();
    compare_kind(
        conn,
        "issue",
        "SELECT CAST(id AS TEXT), doc FROM issues",
        &issues,
        findings,
    )?;
    compare_columns(
        conn,
        "issue",
        "SELECT CAST(id AS TEXT), CAST(run AS TEXT), state FROM issues",
        |key| {
            issues
                .get(key)
                .map(|i| vec![i.run.map(|r| r.to_string()), Some(enum_name(&i.state))])
        },
        findings,
    )?;
    let procedures: BTreeMap<String, Procedure> = rebuilt
        .procedures
        .iter()
        .map(|p| (format!("{} v{}", p.key, p.version), p.clone()))
        .collect();
    compare_kind(
        conn,
        "procedure",
        "SELECT key || ' v' || version, doc FROM procedures",
        &procedures,
        findings,
    )?;
    compare_columns(
        conn,
        "procedure",
        "SELECT key || ' v' || version, state FROM procedures",
        |key| procedures.get(key).map(|p| vec![Some(enum_name(&p.state))]),
        findings,
    )?;
    Ok(())
}

/// Compares the indexed columns stored beside a document (which the screens
/// filter on) with what the rebuilt entity says they should be.
fn compare_columns(
    conn: &Connection,
    what: &str,
    sql: &str,
    expected: impl Fn(&str) -> Option<Vec<Option<String>>>,
    findings: &mut Findings,
) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let stored: Vec<Option<String>> = (1..width)
            .map(|i| r.get::<_, Option<String>>(i))
            .collect::<rusqlite::Result<_>>()?;
        if let Some(want) = expected(&key) {
            if want != stored {
                findings.differs(
                    format!("{what} {key}"),
                    format!(
                        "its indexed columns {} disagree with its record {}",
                        short(&serde_json::json!(stored)),
                        short(&serde_json::json!(want))
                    ),
                );
            }
        }
    }
    Ok(())
}
