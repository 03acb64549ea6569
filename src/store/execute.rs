//! The one path by which anything changes: decide a request against the
//! current state inside an IMMEDIATE transaction, apply its events, write
//! them back and append one audit row per event, then commit.

use super::audit::{append, NewAuditRow};
use super::auth::secret_echoes;
use super::rows::time_text;
use super::world::{load_world, resolve_identifiers, run_of_request, write_back};
use super::Store;
use crate::domain::{
    apply, decide, find_step, rechecks_waiting_runs, Command, Event, Refusal, Request, RunId, Seen,
};
use rusqlite::TransactionBehavior;

#[derive(Debug)]
pub enum ExecError {
    /// The rules say no: every reason, nothing written.
    Refused(Refusal),
    /// Something outside the rules failed (IO, a locked database); nothing written.
    Failed(anyhow::Error),
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecError::Refused(r) => write!(f, "{r}"),
            ExecError::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for ExecError {}

impl ExecError {
    /// The failure as one error, a refusal's reasons as its sentence.
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            ExecError::Refused(r) => anyhow::anyhow!("{r}"),
            ExecError::Failed(e) => e,
        }
    }
}

impl From<anyhow::Error> for ExecError {
    fn from(e: anyhow::Error) -> Self {
        ExecError::Failed(e)
    }
}

impl From<rusqlite::Error> for ExecError {
    fn from(e: rusqlite::Error) -> Self {
        // Worded for the user by `Store::explain_failure` at the store's edge.
        ExecError::Failed(e.into())
    }
}

/// The events one command wrote on one run (or outside any run).
#[derive(Debug)]
pub struct Executed {
    pub run: Option<RunId>,
    pub events: Vec<Event>,
}

impl Store {
    /// Decides and, if allowed, saves one command with its audit events.
    /// Returns the events written (with any runs a setting completed).
    pub fn execute(&mut self, req: Request) -> Result<Vec<Event>, ExecError> {
        Ok(self
            .execute_by_run(req)?
            .into_iter()
            .flat_map(|e| e.events)
            .collect())
    }

    /// As `execute`, with the events grouped by the run they were written
    /// on: the command's own first, then each run a setting change completed.
    pub fn execute_by_run(&mut self, req: Request) -> Result<Vec<Executed>, ExecError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = execute_with_rechecks(&tx, req)?;
        tx.commit()?;
        Ok(done)
    }

    /// Decides and saves several commands in one transaction, each against
    /// the state the ones before it left: all are saved, or none (the first
    /// refusal is returned). For bulk loads such as the benchmark generator.
    pub fn execute_all(&mut self, reqs: Vec<Request>) -> Result<Vec<Event>, ExecError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut all = Vec::new();
        for req in reqs {
            all.extend(
                execute_with_rechecks(&tx, req)?
                    .into_iter()
                    .flat_map(|e| e.events),
            );
        }
        tx.commit()?;
        Ok(all)
    }
}

/// One command and, when it can unblock runs it does not name (a setting),
/// the completion re-check of every run that may now complete, all in the
/// caller's transaction. Returns what each wrote, the command's first; a
/// run that still waits wrote nothing and is left out.
fn execute_with_rechecks(
    tx: &rusqlite::Connection,
    req: Request,
) -> Result<Vec<Executed>, ExecError> {
    let follow_up = rechecks_waiting_runs(&req.command).then(|| (req.actor.clone(), req.now));
    let mut done = vec![execute_in(tx, req)?];
    if let Some((actor, now)) = follow_up {
        for run in runs_waiting_to_complete(tx)? {
            let completed = execute_in(
                tx,
                Request {
                    actor: actor.clone(),
                    run: Some(run),
                    command: Command::RecheckCompletion,
                    seen: Seen::default(),
                    now,
                },
            )?;
            if !completed.events.is_empty() {
                done.push(completed);
            }
        }
    }
    Ok(done)
}

/// Runs that only something outside their steps can hold: `in_progress` with
/// every required step complete (the indexed board columns, no documents).
fn runs_waiting_to_complete(tx: &rusqlite::Connection) -> Result<Vec<RunId>, ExecError> {
    let mut stmt = tx.prepare_cached(
        "SELECT id FROM runs WHERE state = 'in_progress' AND required_done = required_total
         ORDER BY id",
    )?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<RunId>>>()?;
    Ok(ids)
}

/// One command inside an open transaction: load, decide, apply, write back, audit.
pub(super) fn execute_in(
    tx: &rusqlite::Connection,
    mut req: Request,
) -> Result<Executed, ExecError> {
    // The audit row keeps time to the microsecond; so does every time the
    // command stamps, so replaying the row gives back exactly what was stored.
    req.now = to_micros(req.now);
    let run_id = run_of_request(tx, &req)?;
    req.run = run_id;
    resolve_identifiers(tx, &mut req.command)?;
    let mut world = load_world(tx, &req, run_id)?;
    if let Some(run) = &world.run {
        resolve_step_reference(run, &mut req.command);
    }
    // A signature text equal to the signer's secret is refused along with
    // whatever else the rules say (every reason at once).
    let echoes = secret_echoes(tx, &req)?;
    let events = match decide(&world, &req) {
        Ok(events) if echoes.is_empty() => events,
        Ok(_) => return Err(ExecError::Refused(Refusal::many(echoes))),
        Err(mut refusal) => {
            if !refusal.conflict {
                refusal.reasons.extend(echoes);
            }
            return Err(ExecError::Refused(refusal));
        }
    };
    let before = world.clone();
    for event in &events {
        apply(&mut world, event, req.now, &req.actor.login);
    }
    write_back(tx, &before, &world)?;
    let at = time_text(&req.now);
    let run_for_audit = world.run.as_ref().map(|r| r.id);
    for event in &events {
        let parts = event.audit_parts(run_for_audit);
        append(
            tx,
            &NewAuditRow {
                at: &at,
                user: &req.actor.login,
                station: &req.actor.station,
                action: parts.action,
                entity: &parts.entity,
                run: run_for_audit,
                before: parts.before.map(|v| v.to_string()),
                after: parts.after.map(|v| v.to_string()),
                reason: parts.reason,
                event: Some(serde_json::to_string(event).map_err(anyhow::Error::from)?),
            },
        )?;
    }
    Ok(Executed {
        run: run_for_audit,
        events,
    })
}

/// `t` cut to whole microseconds, the precision the audit trail stores.
fn to_micros(t: crate::domain::Time) -> crate::domain::Time {
    use chrono::{DurationRound, TimeDelta};
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

/// A step may be named by key or by position (`2`, `2.1`); the domain works
/// with keys, so positions are turned into keys here.
fn resolve_step_reference(run: &crate::domain::Run, command: &mut Command) {
    let key = match command.step() {
        Some(reference) => match find_step(run, reference) {
            Some(step) if step.key != reference => step.key.clone(),
            _ => return,
        },
        None => return,
    };
    if let Some(slot) = command.step_mut() {
        *slot = key;
    }
}
