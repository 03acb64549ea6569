//! `audit verify`, `audit anchor`, `audit log` and `check`.

use super::args::AuditCmd;
use super::context::{push_line, CliError, CliResult, Ctx};
use crate::domain::{permission, Command, Event, Refusal, RunId};
use crate::store::anchor::{Anchor, ANCHOR_PREFIX};
use crate::store::audit::Verification;
use crate::store::health::CheckOptions;
use anyhow::anyhow;
use serde::Serialize;
use std::io::{Read, Write};
use std::path::Path;

/// The largest anchor file read: a line a day for centuries fits.
const MAX_ANCHOR_FILE: u64 = 1024 * 1024;

pub fn audit(ctx: &mut Ctx, cmd: AuditCmd) -> CliResult {
    match cmd {
        AuditCmd::Verify { anchors, replay } => verify(ctx, &anchors, replay),
        AuditCmd::Anchor { to } => anchor(ctx, to.as_deref()),
        AuditCmd::Log { run, limit } => {
            let run_id = run.as_deref().map(|r| ctx.run_ref(r)).transpose()?;
            let rows = ctx.store.audit_log(run_id, limit)?;
            ctx.print(&rows, || {
                let mut out = String::new();
                for r in &rows {
                    let mut line = format!(
                        "{:>6} {} {:<10} {:<22} {}",
                        r.seq,
                        r.at.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M:%S"),
                        r.user,
                        r.action,
                        r.entity
                    );
                    if let Some(b) = &r.before {
                        line.push_str(&format!(" | before {b}"));
                    }
                    if let Some(a) = &r.after {
                        line.push_str(&format!(" | after {a}"));
                    }
                    if let Some(why) = &r.reason {
                        line.push_str(&format!(" | reason: {why}"));
                    }
                    push_line(&mut out, &line);
                }
                out
            })
        }
    }
}

/// Anchors given on the command line: each argument is an anchor line or
/// the path of a file of them (blank lines and `#` comments skipped).
fn read_anchors(args: &[String]) -> Result<Vec<Anchor>, CliError> {
    let mut anchors = Vec::new();
    for arg in args {
        if arg.trim_start().starts_with(ANCHOR_PREFIX) {
            anchors.push(Anchor::parse(arg)?);
            continue;
        }
        let text = read_anchor_file(Path::new(arg))?;
        let before = anchors.len();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            anchors.push(
                Anchor::parse(line)
                    .map_err(|e| anyhow!("Line {} of the anchor file {arg}: {e}", n + 1))?,
            );
        }
        if anchors.len() == before {
            return Err(CliError::Failed(anyhow!(
                "The anchor file {arg} holds no anchor lines; make one with `traveler audit anchor --to {arg}`."
            )));
        }
    }
    Ok(anchors)
}

/// Reads a small regular file; anything else (a device, a FIFO, a folder, a
/// huge file) is refused before it is opened for reading.
fn read_anchor_file(path: &Path) -> Result<String, CliError> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        anyhow!("'{shown}' is neither an anchor line (it would start with '{ANCHOR_PREFIX}') nor a readable file ({e}).")
    })?;
    if !meta.is_file() {
        return Err(CliError::Failed(anyhow!(
            "The anchor file {shown} is not a regular file."
        )));
    }
    if meta.len() > MAX_ANCHOR_FILE {
        return Err(CliError::Failed(anyhow!(
            "The anchor file {shown} is larger than 1 MiB; an anchor file holds short lines."
        )));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_ANCHOR_FILE).read_to_string(&mut text))
        .map_err(|e| anyhow!("Could not read the anchor file {shown}: {e}."))?;
    Ok(text)
}

#[derive(Serialize)]
struct AnchorOutcome {
    seq: i64,
    at: String,
    holds: bool,
    problem: Option<String>,
}

#[derive(Serialize)]
struct VerifyOutcome {
    intact: bool,
    events: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    anchors: Vec<AnchorOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay: Option<crate::store::replay::ReplayReport>,
}

fn verify(ctx: &mut Ctx, anchor_args: &[String], replay: bool) -> CliResult {
    let anchors = read_anchors(anchor_args)?;
    let events = match ctx.store.verify_audit()? {
        Verification::Intact(n) => n,
        Verification::Broken { seq, why } => {
            return Err(CliError::Failed(anyhow!(
                "The audit trail is broken at event {seq}: {why}."
            )))
        }
    };
    let mut problems = Vec::new();
    let mut outcomes = Vec::new();
    for a in &anchors {
        let problem = ctx.store.check_anchor(a)?;
        if let Some(p) = &problem {
            problems.push(format!("Anchor seq={} does not hold: {p}.", a.seq));
        }
        outcomes.push(AnchorOutcome {
            seq: a.seq,
            at: a.at.clone(),
            holds: problem.is_none(),
            problem,
        });
    }
    let report = if replay {
        Some(ctx.store.replay_audit()?)
    } else {
        None
    };
    if let Some(r) = &report {
        for d in &r.differences {
            problems.push(
                crate::domain::escape_unprintable(&format!(
                    "{} differs from its history: {}.",
                    d.entity, d.detail
                ))
                .into_owned(),
            );
        }
        if r.difference_count > r.differences.len() {
            problems.push(format!(
                "… and {} more entities differ.",
                r.difference_count - r.differences.len()
            ));
        }
    }
    if !problems.is_empty() {
        return Err(CliError::Failed(anyhow!("{}", problems.join("\n"))));
    }
    let outcome = VerifyOutcome {
        intact: true,
        events,
        anchors: outcomes,
        replay: report,
    };
    ctx.print(&outcome, || {
        let mut text =
            format!("The audit trail holds: {events} events, each chained to the one before.\n");
        for a in &outcome.anchors {
            text.push_str(&format!(
                "The anchor seq={} taken at {} holds.\n",
                a.seq, a.at
            ));
        }
        if let Some(r) = &outcome.replay {
            text.push_str(&format!(
                "Replay: {} entities rebuilt from {} events match the state tables.\n",
                r.entities, r.events
            ));
        }
        text
    })
}

fn anchor(ctx: &mut Ctx, to: Option<&Path>) -> CliResult {
    let head = ctx.store.audit_anchor()?.ok_or_else(|| {
        CliError::Failed(anyhow!(
            "The audit trail is empty: there is nothing to anchor yet."
        ))
    })?;
    let line = head.line();
    if let Some(path) = to {
        append_line(path, &line)?;
    }
    ctx.print(&head, || format!("{line}\n"))
}

/// Appends one line to an anchor file, creating it if needed; an existing
/// file that is not a regular file is refused.
fn append_line(path: &Path, line: &str) -> Result<(), CliError> {
    let shown = path.display();
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(CliError::Failed(anyhow!(
                "{shown} is not a regular file; anchors are appended to a plain text file."
            )));
        }
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| {
            f.write_all(format!("{line}\n").as_bytes())?;
            f.sync_all()
        })
        .map_err(|e| CliError::Failed(anyhow!("Could not append the anchor to {shown}: {e}.")))
}

#[derive(Serialize)]
struct CheckOutcome {
    healthy: bool,
    checks: Vec<crate::store::health::CheckResult>,
    /// With `--close-stale`: what was closed before the checks ran.
    closed_sessions: Vec<ClosedSession>,
}

/// One stale labour session `check --close-stale` closed: its event.
#[derive(Serialize)]
struct ClosedSession {
    run: RunId,
    serial: String,
    event: Event,
}

pub fn check(
    ctx: &mut Ctx,
    anchor_args: &[String],
    session_hours: Option<i64>,
    close_stale: bool,
) -> CliResult {
    // Who asks is settled before any file they name is read.
    let closed = if close_stale {
        close_stale_sessions(ctx)?
    } else {
        Vec::new()
    };
    let anchors = read_anchors(anchor_args)?;
    let session_hours = match session_hours {
        Some(hours) => hours,
        None => i64::from(ctx.store.settings()?.max_session_hours),
    };
    let checks = ctx.store.health(&CheckOptions {
        anchors: &anchors,
        session_hours,
        now: chrono::Utc::now(),
    })?;
    if !ctx.json {
        for c in &closed {
            ctx.report(std::slice::from_ref(&c.event), Some(c.run))?;
        }
    }
    report_checks(ctx.json, checks, closed)
}

/// Closes every labour session open past `max_session_hours`, one command
/// (and one audited event) each, as the signed-in supervisor or admin.
fn close_stale_sessions(ctx: &mut Ctx) -> Result<Vec<ClosedSession>, CliError> {
    let actor = ctx.actor()?;
    let sample = Command::CloseStaleSession {
        step: String::new(),
        session: 0,
    };
    // Refuse a user without the role even when nothing is stale today.
    permission(&actor, &sample).map_err(|why| CliError::Refused(Refusal::one(why)))?;
    let settings = ctx.store.settings()?;
    let mut closed = Vec::new();
    for (run, serial, stale) in ctx.store.stale_labour(&settings, chrono::Utc::now())? {
        let events = match ctx.exec_as(
            actor.clone(),
            Some(run),
            Command::CloseStaleSession {
                step: stale.step,
                session: stale.session,
            },
        ) {
            Ok(events) => events,
            // Closed or edited by someone else since it was listed: the
            // checks below say whether anything is still stale.
            Err(CliError::Refused(_)) => continue,
            Err(other) => return Err(other),
        };
        closed.extend(events.into_iter().map(|event| ClosedSession {
            run,
            serial: serial.clone(),
            event,
        }));
    }
    Ok(closed)
}

/// `check` on a file that cannot even be opened (a damaged header or
/// schema page): that is the one problem, reported like the others.
pub fn check_unopenable(json: bool, why: &anyhow::Error) -> CliResult {
    let sentence = format!("{why:#}");
    report_checks(
        json,
        vec![crate::store::health::CheckResult::new(
            "open",
            String::new(),
            vec![sentence],
        )],
        Vec::new(),
    )
}

fn report_checks(
    json: bool,
    checks: Vec<crate::store::health::CheckResult>,
    closed_sessions: Vec<ClosedSession>,
) -> CliResult {
    let outcome = CheckOutcome {
        healthy: checks.iter().all(|c| c.ok()),
        checks,
        closed_sessions,
    };
    super::context::print_as(json, &outcome, || {
        let mut text = String::new();
        for c in &outcome.checks {
            if c.ok() {
                push_line(&mut text, &format!("ok      {}: {}", c.check, c.summary));
            } else {
                push_line(&mut text, &format!("PROBLEM {}:", c.check));
                for p in &c.problems {
                    push_line(&mut text, &format!("          {p}"));
                }
            }
        }
        text.push_str(if outcome.healthy {
            "The database is healthy.\n"
        } else {
            "The database has problems (above).\n"
        });
        text
    })?;
    if outcome.healthy {
        Ok(())
    } else {
        Err(CliError::Reported(1))
    }
}
