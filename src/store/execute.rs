//! The one path by which anything changes: decide a request against the
//! current state inside an IMMEDIATE transaction, apply its events, write
//! them back and append one audit row per event, then commit.

use super::audit::{append, NewAuditRow};
use super::rows::time_text;
use super::world::{load_world, run_of_request, write_back};
use super::Store;
use crate::domain::{apply, decide, find_step, Command, Event, Refusal, Request};
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
        let text = e.to_string();
        if text.contains("database is locked") || text.contains("busy") {
            ExecError::Failed(anyhow::anyhow!(
                "The database is busy with another terminal's change; try again in a moment."
            ))
        } else {
            ExecError::Failed(e.into())
        }
    }
}

impl Store {
    /// Decides and, if allowed, saves one command with its audit events.
    /// Returns the events written.
    pub fn execute(&mut self, req: Request) -> Result<Vec<Event>, ExecError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let events = execute_in(&tx, req)?;
        tx.commit()?;
        Ok(events)
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
            all.extend(execute_in(&tx, req)?);
        }
        tx.commit()?;
        Ok(all)
    }
}

/// One command inside an open transaction: load, decide, apply, write back, audit.
pub(super) fn execute_in(
    tx: &rusqlite::Connection,
    mut req: Request,
) -> Result<Vec<Event>, ExecError> {
    // The audit row keeps time to the microsecond; so does every time the
    // command stamps, so replaying the row gives back exactly what was stored.
    req.now = to_micros(req.now);
    let run_id = run_of_request(tx, &req)?;
    req.run = run_id;
    let mut world = load_world(tx, &req, run_id)?;
    if let Some(run) = &world.run {
        resolve_step_reference(run, &mut req.command);
    }
    let events = decide(&world, &req).map_err(ExecError::Refused)?;
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
    Ok(events)
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
