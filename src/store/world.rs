//! Loads the slice of the database a command may look at into a `World`, and
//! writes back what the command's events changed.

use super::rows::{enum_name, from_doc, time_text, to_doc};
use crate::domain::*;
use anyhow::{anyhow, Result};
use rusqlite::{params, Connection, OptionalExtension};

pub fn load_settings(conn: &Connection) -> Result<Settings> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM settings WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    match doc {
        Some(d) => super::doc_memo::settings(&d),
        None => Ok(Settings::default()),
    }
}

pub fn load_run(conn: &Connection, id: RunId) -> Result<Option<Run>> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM runs WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    doc.map(|d| super::doc_memo::run(id, &d)).transpose()
}

pub fn load_issue(conn: &Connection, id: IssueId) -> Result<Option<Issue>> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM issues WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    doc.map(|d| from_doc("quality issue", &d)).transpose()
}

pub fn load_user(conn: &Connection, login: &str) -> Result<Option<User>> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM users WHERE login = ?1")?
        .query_row([login], |r| r.get(0))
        .optional()?;
    doc.map(|d| super::doc_memo::user(login, &d)).transpose()
}

pub fn load_item(conn: &Connection, identifier: &str) -> Result<Option<InventoryItem>> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM inventory WHERE identifier = ?1")?
        .query_row([identifier], |r| r.get(0))
        .optional()?;
    doc.map(|d| from_doc("inventory item", &d)).transpose()
}

/// The identifier as stored for one typed or scanned: identifiers compare
/// without regard to ASCII letter case (`sn-1` finds `SN-1`), an exact match
/// first; the stored text is never rewritten.
pub fn stored_identifier(conn: &Connection, typed: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT identifier FROM inventory WHERE identifier = ?1 COLLATE NOCASE
             ORDER BY identifier = ?1 DESC, identifier LIMIT 1",
        )?
        .query_row([typed], |r| r.get(0))
        .optional()?)
}

/// The command with every inventory identifier it names as stored, so the
/// domain (which compares exactly) and the audit trail see the stored text.
pub fn resolve_identifiers(conn: &Connection, command: &mut Command) -> Result<()> {
    let slot = match command {
        Command::Install { identifier, .. }
        | Command::Uninstall { identifier, .. }
        | Command::ReceiveInventory { identifier, .. } => identifier,
        Command::RaiseIssue {
            inventory: Some(i), ..
        } => i,
        _ => return Ok(()),
    };
    if let Some(stored) = stored_identifier(conn, slot)? {
        *slot = stored;
    }
    Ok(())
}

fn load_docs<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    what: &str,
    sql: &str,
    param: impl rusqlite::ToSql,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let docs = stmt
        .query_map([param], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    docs.iter().map(|d| from_doc(what, d)).collect()
}

/// Every identifier, issue and login the command names, so the domain can judge it.
fn named_identifiers(cmd: &Command) -> Vec<&str> {
    match cmd {
        Command::Install { identifier, .. } | Command::Uninstall { identifier, .. } => {
            vec![identifier]
        }
        Command::ReceiveInventory { identifier, .. } => vec![identifier],
        Command::CreateRun { serial, .. } => vec![serial],
        Command::RaiseIssue {
            inventory: Some(i), ..
        } => vec![i],
        _ => vec![],
    }
}

fn named_issue(cmd: &Command) -> Option<IssueId> {
    match cmd {
        Command::FailRun { issue, .. } | Command::FailStep { issue, .. } => *issue,
        Command::AcceptDeviation { issue, .. }
        | Command::ExceptRequirement { issue, .. }
        | Command::SetDisposition { issue, .. }
        | Command::CloseIssue { issue, .. } => Some(*issue),
        _ => None,
    }
}

fn named_login(cmd: &Command) -> Option<&str> {
    match cmd {
        Command::AddUser { login, .. }
        | Command::SetUserActive { login, .. }
        | Command::SetUserSecret { login, .. }
        | Command::RecordLoginFailure { login }
        | Command::RecordLoginSuccess { login } => Some(login),
        _ => None,
    }
}

fn named_procedure(cmd: &Command) -> Option<&str> {
    match cmd {
        Command::CreateRun { procedure_key, .. } => Some(procedure_key),
        Command::ReleaseProcedure { key, .. } => Some(key),
        Command::ImportProcedure { procedure } => Some(&procedure.key),
        _ => None,
    }
}

/// The run a request is about: the one it names, or the run of the issue it names.
pub fn run_of_request(conn: &Connection, req: &Request) -> Result<Option<RunId>> {
    if req.run.is_some() {
        return Ok(req.run);
    }
    if let Command::SetDisposition { issue, .. } | Command::CloseIssue { issue, .. } = &req.command
    {
        if let Some(found) = load_issue(conn, *issue)? {
            return Ok(found.run);
        }
    }
    Ok(None)
}

pub fn load_world(conn: &Connection, req: &Request, run_id: Option<RunId>) -> Result<World> {
    let mut world = World {
        settings: load_settings(conn)?,
        ..World::default()
    };
    if let Some(id) = run_id {
        let run = load_run(conn, id)?.ok_or_else(|| anyhow!("There is no run {id}."))?;
        let mut items: Vec<InventoryItem> = load_docs(
            conn,
            "inventory item",
            "SELECT doc FROM inventory WHERE parent = ?1",
            &run.serial,
        )?;
        if let Some(target) = load_item(conn, &run.serial)? {
            items.push(target);
        }
        for item in items {
            world.inventory.insert(item.identifier.clone(), item);
        }
        let issues: Vec<Issue> = load_docs(
            conn,
            "quality issue",
            "SELECT doc FROM issues WHERE run = ?1",
            id,
        )?;
        for issue in issues {
            world.issues.insert(issue.id, issue);
        }
        world.run = Some(run);
    }
    for identifier in named_identifiers(&req.command) {
        if let Some(item) = load_item(conn, identifier)? {
            world.inventory.insert(item.identifier.clone(), item);
        }
    }
    if let Some(id) = named_issue(&req.command) {
        if let Some(issue) = load_issue(conn, id)? {
            world.issues.insert(issue.id, issue);
        }
    }
    // An issue may be about an inventory item (a scrap disposition scraps it).
    let issue_items: Vec<String> = world
        .issues
        .values()
        .filter_map(|i| i.inventory.clone())
        .filter(|id| !world.inventory.contains_key(id))
        .collect();
    for identifier in issue_items {
        if let Some(item) = load_item(conn, &identifier)? {
            world.inventory.insert(item.identifier.clone(), item);
        }
    }
    for login in [Some(req.actor.login.as_str()), named_login(&req.command)]
        .into_iter()
        .flatten()
    {
        if let Some(user) = load_user(conn, login)? {
            world.users.insert(user.login.clone(), user);
        }
    }
    // Only commands about parts look at them; step work never does, so the
    // parts table stays off the hot path.
    if matches!(
        req.command,
        Command::AddPart { .. }
            | Command::ReceiveInventory { .. }
            | Command::ImportProcedure { .. }
            | Command::CreateRun { .. }
    ) {
        let mut stmt = conn.prepare_cached("SELECT doc FROM parts")?;
        let docs = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for doc in docs {
            let part: Part = from_doc("part", &doc)?;
            world.parts.insert(part.number.clone(), part);
        }
    }
    if let Some(key) = named_procedure(&req.command) {
        world.procedures = load_docs(
            conn,
            "procedure",
            "SELECT doc FROM procedures WHERE key = ?1 ORDER BY version",
            key,
        )?;
    }
    world.next_run_id = conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM runs")?
        .query_row([], |r| r.get(0))?;
    world.next_issue_id = conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM issues")?
        .query_row([], |r| r.get(0))?;
    Ok(world)
}

/// Writes every entity that differs between `before` and `after`.
pub fn write_back(conn: &Connection, before: &World, after: &World) -> Result<()> {
    if before.settings != after.settings {
        conn.prepare_cached(
            "INSERT INTO settings (id, doc) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
        )?
        .execute([to_doc(&after.settings)?])?;
    }
    upsert_changed(
        conn,
        "INSERT INTO users (login, doc) VALUES (?1, ?2)
         ON CONFLICT(login) DO UPDATE SET doc = excluded.doc",
        &before.users,
        &after.users,
    )?;
    upsert_changed(
        conn,
        "INSERT INTO parts (number, doc) VALUES (?1, ?2)
         ON CONFLICT(number) DO UPDATE SET doc = excluded.doc",
        &before.parts,
        &after.parts,
    )?;
    for procedure in &after.procedures {
        if !before.procedures.contains(procedure) {
            conn.prepare_cached("INSERT INTO procedures (key, version, state, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key, version) DO UPDATE SET state = excluded.state, doc = excluded.doc")?.execute(params![
                    procedure.key,
                    procedure.version,
                    enum_name(&procedure.state),
                    to_doc(procedure)?
                ],
            )?;
        }
    }
    // The run goes before inventory and issues, which may refer to it.
    if let Some(run) = &after.run {
        if before.run.as_ref() != Some(run) {
            write_run(conn, before.run.as_ref(), run)?;
            super::field_values::append_new(conn, before.run.as_ref(), run)?;
            super::quality_index::write(conn, before.run.as_ref(), run)?;
            super::measurements::write(conn, before.run.as_ref(), run)?;
        }
    }
    for (identifier, item) in &after.inventory {
        if before.inventory.get(identifier) != Some(item) {
            conn.prepare_cached("INSERT INTO inventory (identifier, part, state, parent, doc) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(identifier) DO UPDATE SET part = excluded.part, state = excluded.state,
                     parent = excluded.parent, doc = excluded.doc")?.execute(params![
                    identifier,
                    item.part,
                    enum_name(&item.state),
                    item.parent,
                    to_doc(item)?
                ],
            )?;
        }
    }
    for (id, issue) in &after.issues {
        if before.issues.get(id) != Some(issue) {
            conn.prepare_cached("INSERT INTO issues (id, run, state, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET run = excluded.run, state = excluded.state, doc = excluded.doc")?.execute(params![id, issue.run, enum_name(&issue.state), to_doc(issue)?],
            )?;
        }
    }
    super::board_index::write(conn, before, after)?;
    Ok(())
}

/// Writes `(key, doc)` with `sql` for every entry of `after` that is new or changed.
fn upsert_changed<V: PartialEq + serde::Serialize>(
    conn: &Connection,
    sql: &str,
    before: &std::collections::BTreeMap<String, V>,
    after: &std::collections::BTreeMap<String, V>,
) -> Result<()> {
    for (key, value) in after {
        if before.get(key) != Some(value) {
            conn.prepare_cached(sql)?
                .execute(params![key, to_doc(value)?])?;
        }
    }
    Ok(())
}

/// The columns of a `runs` row, derived from the run document: what the
/// board reads without parsing documents. `replay` derives them the same way.
#[derive(Debug, PartialEq)]
pub struct RunColumns {
    pub serial: String,
    pub title: String,
    pub procedure_key: String,
    pub state: String,
    pub required_done: i64,
    pub required_total: i64,
    pub checked_in: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
    pub version: i64,
}

impl RunColumns {
    pub fn of(run: &Run) -> RunColumns {
        let (done, total) = required_progress(run);
        RunColumns {
            serial: run.serial.clone(),
            title: run.title.clone(),
            procedure_key: run.procedure_key.clone(),
            state: run.state.name().to_string(),
            required_done: done as i64,
            required_total: total as i64,
            checked_in: checked_in(run).join(", "),
            created_at: time_text(&run.created_at),
            started_at: run.started_at.as_ref().map(time_text),
            completed_at: run.completed_at.as_ref().map(time_text),
            updated_at: time_text(&run.updated_at),
            updated_by: run.updated_by.clone(),
            version: run.version as i64,
        }
    }

    /// The columns as stored in a `runs` row read with `RUN_COLUMNS_SQL`,
    /// starting at column `at`.
    pub fn read(row: &rusqlite::Row, at: usize) -> rusqlite::Result<RunColumns> {
        Ok(RunColumns {
            serial: row.get(at)?,
            title: row.get(at + 1)?,
            procedure_key: row.get(at + 2)?,
            state: row.get(at + 3)?,
            required_done: row.get(at + 4)?,
            required_total: row.get(at + 5)?,
            checked_in: row.get(at + 6)?,
            created_at: row.get(at + 7)?,
            started_at: row.get(at + 8)?,
            completed_at: row.get(at + 9)?,
            updated_at: row.get(at + 10)?,
            updated_by: row.get(at + 11)?,
            version: row.get(at + 12)?,
        })
    }
}

/// The UPDATE of a run's row, setting the indexed columns (title, state,
/// started_at) only when they changed: SQLite rewrites the entry of every
/// index on a column an UPDATE sets, even to the same value, and most saves
/// change none of them. Every parameter up to `?13` is bound either way.
fn update_run_sql(old: &RunColumns, new: &RunColumns) -> String {
    let mut set = Vec::new();
    if old.title != new.title {
        set.push("title = ?2");
    }
    if old.state != new.state {
        set.push("state = ?3");
    }
    if old.started_at != new.started_at {
        set.push("started_at = ?7");
    }
    set.push(
        "required_done = ?4, required_total = ?5, checked_in = ?6, completed_at = ?8, \
         updated_at = ?9, updated_by = ?10, version = ?11, doc = ?12",
    );
    format!(
        "UPDATE runs SET {} WHERE id = ?1 AND version = ?13",
        set.join(", ")
    )
}

/// The `runs` columns `RunColumns::read` expects, in order.
pub const RUN_COLUMNS_SQL: &str =
    "serial, title, procedure_key, state, required_done, required_total, \
     checked_in, created_at, started_at, completed_at, updated_at, updated_by, version";

fn write_run(conn: &Connection, before: Option<&Run>, run: &Run) -> Result<()> {
    let c = RunColumns::of(run);
    let stored = super::field_values::stored_form(run);
    let doc = crate::domain::stored_text::compactly(|| to_doc(&stored))?;
    match before {
        None => {
            conn.prepare_cached(
                "INSERT INTO runs (id, serial, title, procedure_key, state, required_done, required_total,
                     checked_in, created_at, started_at, completed_at, updated_at, updated_by, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                run.id,
                c.serial,
                c.title,
                c.procedure_key,
                c.state,
                c.required_done,
                c.required_total,
                c.checked_in,
                c.created_at,
                c.started_at,
                c.completed_at,
                c.updated_at,
                c.updated_by,
                c.version,
                doc
            ])?;
        }
        Some(old) => {
            // The transaction is IMMEDIATE, so nobody else can have written the
            // row since it was loaded; the version check is a second guard.
            let sql = update_run_sql(&RunColumns::of(old), &c);
            let changed = conn.prepare_cached(&sql)?.execute(params![
                run.id,
                c.title,
                c.state,
                c.required_done,
                c.required_total,
                c.checked_in,
                c.started_at,
                c.completed_at,
                c.updated_at,
                c.updated_by,
                c.version,
                doc,
                old.version as i64
            ])?;
            if changed != 1 {
                return Err(anyhow!(
                    "Run {} was changed by another terminal while this action was saved; reload.",
                    run.id
                ));
            }
        }
    }
    super::doc_memo::wrote_run(&doc, stored);
    Ok(())
}
