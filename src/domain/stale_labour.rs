//! Labour sessions left open past the org's `max_session_hours` (someone
//! walked away checked in): which ones are stale, and closing them.
//!
//! A stale session is closed at its start plus `max_session_hours`, not at
//! the moment it is found: nobody knows when the work stopped, and counting
//! the unattended night as labour would inflate every cycle-time figure. The
//! reason in the trail says so; a supervisor who knows the real end edits the
//! session (`traveler labour edit`).

use super::decide::{existing_step, Ctx};
use super::event::Event;
use super::model::*;
use super::Refusal;

/// One open session older than the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleSession {
    pub step: String,
    pub position: String,
    pub session: u64,
    pub user: String,
    pub started_at: Time,
}

fn limit(settings: &Settings) -> chrono::Duration {
    chrono::Duration::hours(i64::from(settings.max_session_hours))
}

/// The sessions of `run` open longer than `max_session_hours` at `now`.
pub fn stale_sessions(run: &Run, settings: &Settings, now: Time) -> Vec<StaleSession> {
    let opened_before = now - limit(settings);
    run.steps
        .iter()
        .flat_map(|step| {
            step.sessions
                .iter()
                .filter(move |s| s.ended_at.is_none() && s.started_at < opened_before)
                .map(move |s| StaleSession {
                    step: step.key.clone(),
                    position: step.position.clone(),
                    session: s.id,
                    user: s.user.clone(),
                    started_at: s.started_at,
                })
        })
        .collect()
}

/// Closes one stale session at its start plus the limit (see the module).
/// Refused when the session is closed already or not yet over the limit.
pub(crate) fn close_stale_session(
    cx: &Ctx,
    key: &str,
    session: u64,
) -> Result<Vec<Event>, Refusal> {
    let run = cx.run()?;
    let step = existing_step(run, key)?;
    let Some(before) = step.sessions.iter().find(|s| s.id == session) else {
        return Err(Refusal::one(format!(
            "Step {} has no labour session {session}.",
            step.named()
        )));
    };
    let max_hours = cx.world.settings.max_session_hours;
    if before.ended_at.is_some() {
        return Err(Refusal::one(format!(
            "Labour session {session} on step {} is closed already.",
            step.named()
        )));
    }
    let open_for = cx.now() - before.started_at;
    if open_for <= limit(&cx.world.settings) {
        return Err(Refusal::one(format!(
            "Labour session {session} on step {} has been open {} h, not over max_session_hours {max_hours}.",
            step.named(),
            open_for.num_hours()
        )));
    }
    let after = LabourSession {
        ended_at: Some(before.started_at + limit(&cx.world.settings)),
        ..before.clone()
    };
    Ok(vec![Event::SessionEdited {
        step: step.key.clone(),
        before: before.clone(),
        after,
        reason: format!(
            "open {} h, over max_session_hours {max_hours}: counted up to {max_hours} h; closed by traveler check --close-stale",
            open_for.num_hours()
        ),
    }])
}
