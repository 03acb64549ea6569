//! `decide`: one request in, the events it causes out, or every reason why not.
//!
//! Order of checks for every command: permissions (the SPEC table) first; then
//! that the run exists; for step actions, that the run is neither `failed` nor
//! `complete` (the run's state is the reason); that the step exists; the
//! optimistic-concurrency check on what the user saw; then the command's own
//! rules, all gathered into one refusal.
//!
//! Ids inside a run (steps, values, installs, sessions, redlines) are handed
//! out from `run.next_local_id` in event order; `apply` moves the counter on.

use super::blockers;
use super::command::{Command, Request, Seen};
use super::event::Event;
use super::model::*;
use super::permissions;
use super::queries::*;
use super::Refusal;
use super::{
    admin, fields, installs, issues, procedures, redlines, runs, signoffs, stale_labour, steps,
};

/// Decides one request against the world. Pure: same world and request, same
/// answer. Nothing is changed; the caller applies the events if it gets them.
///
/// With `auto_checkin` on, a value or an install on a step the user is not
/// checked into (todo, or in progress) is a check-in and the entry, decided
/// in that order and accepted or refused together.
pub fn decide(world: &World, req: &Request) -> Result<Vec<Event>, Refusal> {
    let Some(step) = auto_check_in_step(world, req) else {
        return decide_one(world, req);
    };
    let check_in = Request {
        command: Command::CheckIn { step: step.clone() },
        ..req.clone()
    };
    let mut events = decide_one(world, &check_in)?;
    let mut after = world.clone();
    for event in &events {
        super::apply::apply(&mut after, event, req.now, &req.actor.login);
    }
    // The user saw the step before their own check-in moved its version on.
    let entry = Request {
        seen: Seen {
            step_version: req.seen.step_version.and_then(|_| {
                let run = after.run.as_ref()?;
                Some(find_step(run, &step)?.version)
            }),
            ..req.seen.clone()
        },
        ..req.clone()
    };
    let entered = decide_one(&after, &entry)?;
    if entered.is_empty() {
        // A save that changes nothing checks nobody in either.
        return Ok(entered);
    }
    events.extend(entered);
    Ok(events)
}

/// The step a data entry would check the user into first, if any.
fn auto_check_in_step(world: &World, req: &Request) -> Option<String> {
    if !world.settings.auto_checkin {
        return None;
    }
    let key = match &req.command {
        Command::SetField { step, .. } | Command::Install { step, .. } => step,
        _ => return None,
    };
    let step = find_step(world.run.as_ref()?, key)?;
    let open = matches!(step.state, StepState::Todo | StepState::InProgress);
    (open && !is_checked_in(step, &req.actor.login)).then(|| step.key.clone())
}

fn decide_one(world: &World, req: &Request) -> Result<Vec<Event>, Refusal> {
    permissions::permission(&req.actor, &req.command).map_err(Refusal::one)?;
    permissions::own_secret_first(world, &req.actor, &req.command).map_err(Refusal::one)?;
    let mut cx = Ctx::new(world, req);
    use Command::*;
    let mut events = match &req.command {
        AddUser { .. }
        | SetUserActive { .. }
        | SetUserSecret { .. }
        | RecordLoginFailure { .. }
        | RecordLoginSuccess { .. }
        | RehashOwnSecret { .. }
        | AddPart { .. }
        | ReceiveInventory { .. }
        | SetSetting { .. } => admin::decide(&cx),
        ImportProcedure { procedure } => procedures::import(&cx, procedure),
        ReleaseProcedure { key, version } => procedures::release(&cx, key, *version),
        CreateRun {
            procedure_key,
            serial,
            title,
        } => runs::create(&cx, procedure_key, serial, title.as_deref()),
        FailRun {
            reason,
            issue,
            inventory_to,
        } => runs::fail(&cx, reason, *issue, *inventory_to),
        ReopenRun { reason } => runs::reopen(&cx, reason),
        RecheckCompletion => cx.run().map(|_| Vec::new()),
        CheckIn { step } => steps::check_in(&mut cx, step),
        CheckOut { step } => steps::check_out(&cx, step),
        CloseSessionsOnLeaving { step, cause } => steps::close_on_leaving(&cx, step, *cause),
        Complete { step } => steps::complete(&cx, step),
        Hold { step, reason } => steps::hold(&cx, step, reason),
        Resume { step } => steps::resume(&mut cx, step),
        FailStep {
            step,
            reason,
            issue,
            raise_issue,
        } => steps::fail(&cx, step, reason, *issue, raise_issue.as_deref()),
        Rework { step, expect } => steps::rework(&mut cx, step, *expect),
        ReopenStep { step, reason } => steps::reopen(&cx, step, reason),
        AddComment { step, text } => steps::comment(&cx, step, text),
        EditLabourSession {
            step,
            session,
            started_at,
            ended_at,
            reason,
        } => steps::edit_session(&cx, step, *session, *started_at, *ended_at, reason),
        CloseStaleSession { step, session } => {
            stale_labour::close_stale_session(&cx, step, *session)
        }
        SetField {
            step,
            field,
            raw,
            file_sha256,
            reason,
            void_approval,
        } => fields::set(
            &mut cx,
            step,
            field,
            raw,
            file_sha256.as_deref(),
            reason.as_deref(),
            *void_approval,
        ),
        AcceptDeviation {
            step,
            field,
            issue,
            rationale,
        } => fields::accept_deviation(&cx, step, field, *issue, rationale),
        Install {
            step,
            identifier,
            quantity,
            scanned,
        } => installs::install(&mut cx, step, identifier, *quantity, *scanned),
        Uninstall { step, identifier } => installs::uninstall(&cx, step, identifier),
        ExceptRequirement {
            step,
            part,
            issue,
            reason,
        } => installs::except(&cx, step, part, *issue, reason),
        SignOff {
            step,
            field,
            meaning,
            comment,
        } => signoffs::sign(&cx, step, field, *meaning, comment.as_deref()),
        RaiseIssue {
            title,
            description,
            step,
            field,
            inventory,
        } => issues::raise(
            &cx,
            title,
            description,
            step.as_deref(),
            field.as_deref(),
            inventory.as_deref(),
        ),
        SetDisposition {
            issue,
            disposition,
            rationale,
        } => issues::disposition(&cx, *issue, *disposition, rationale),
        CloseIssue { issue, rationale } => issues::close(&cx, *issue, rationale),
        ProposeRedline {
            step,
            change,
            reason,
        } => redlines::propose(&mut cx, step, change, reason),
        ApproveRedline { redline } => redlines::approve(&mut cx, *redline),
        CancelRedline { redline } => redlines::cancel(&cx, *redline),
    }?;
    start_run_if_todo(world, &mut events, req.now);
    if may_complete_run(&req.command) {
        events.extend(blockers::completion_follow_up(world, &events, req));
    }
    Ok(events)
}

/// The first step transition of a `todo` run starts it (`RunStarted`, which
/// stamps `started_at`), placed just before that transition.
///
/// A transition is any step state change (a check-in from `todo`, a redline
/// putting the step in `redline`), a check-in, or a redline proposal (an
/// added step too: the run is being changed mid-run). Comments and other
/// notes do not start a run.
fn start_run_if_todo(world: &World, events: &mut Vec<Event>, now: Time) {
    if world.run.as_ref().map(|r| r.state) != Some(RunState::Todo) {
        return;
    }
    let first = events.iter().position(|e| {
        matches!(
            e,
            Event::StepStateChanged { .. }
                | Event::SessionOpened { .. }
                | Event::RedlineProposed { .. }
        )
    });
    if let Some(at) = first {
        events.insert(at, Event::RunStarted { at: now });
    }
}

/// Commands after which the run may complete by itself: any change that can
/// remove a blocker. A step completes, an issue closes, a redline is decided,
/// a rework changes what is required, or the store's re-check after a
/// setting changed (`RecheckCompletion`, see `rechecks_waiting_runs`).
///
/// Rule (SPEC silent): nothing else triggers completion; in particular a
/// reopened run whose steps are all still complete stays `in_progress` until a
/// step is completed again (reopen run, reopen a step, work it, complete it).
fn may_complete_run(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Complete { .. }
            | Command::CloseIssue { .. }
            | Command::ApproveRedline { .. }
            | Command::CancelRedline { .. }
            | Command::Rework { .. }
            | Command::RecheckCompletion
    )
}

/// True for a command that can remove a blocker from runs it does not name
/// (a setting): after it, in the same transaction, the store sends
/// `RecheckCompletion` for every run that is `in_progress` with all its
/// required steps complete.
pub fn rechecks_waiting_runs(cmd: &Command) -> bool {
    matches!(cmd, Command::SetSetting { .. })
}

/// What a command handler sees: the world, the request, and the id counter.
pub(crate) struct Ctx<'a> {
    pub world: &'a World,
    pub req: &'a Request,
    next_id: u64,
}

impl<'a> Ctx<'a> {
    pub fn new(world: &'a World, req: &'a Request) -> Self {
        let next_id = world
            .run
            .as_ref()
            .map(|r| r.next_local_id)
            .unwrap_or(1)
            .max(1);
        Ctx {
            world,
            req,
            next_id,
        }
    }

    pub fn now(&self) -> Time {
        self.req.now
    }

    pub fn by(&self) -> &'a str {
        &self.req.actor.login
    }

    pub fn actor(&self) -> &'a Actor {
        &self.req.actor
    }

    /// The next id inside the run.
    pub fn alloc(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The run the request is about.
    pub fn run(&self) -> Result<&'a Run, Refusal> {
        match (&self.world.run, self.req.run) {
            (Some(run), Some(id)) if run.id == id => Ok(run),
            (Some(run), None) => Ok(run),
            (_, Some(id)) => Err(Refusal::one(format!("There is no run {id}."))),
            (None, None) => Err(Refusal::one("This needs a run; none was named.")),
        }
    }

    /// The run, refusing when it is `failed` or `complete`: every step action
    /// is refused then, with the run's state as the reason.
    pub fn open_run(&self) -> Result<&'a Run, Refusal> {
        let run = self.run()?;
        run_open_for_steps(run).map_err(Refusal::one)?;
        Ok(run)
    }

    /// The run and the named step for a step action: the run is open, the
    /// step exists, and (if the screen said which version it saw) the step's
    /// state has not moved since.
    pub fn step(&self, key: &str) -> Result<(&'a Run, &'a RunStep), Refusal> {
        let run = self.open_run()?;
        let step = existing_step(run, key)?;
        self.check_seen_step(step)?;
        Ok((run, step))
    }

    /// Optimistic concurrency on the step's state.
    pub fn check_seen_step(&self, step: &RunStep) -> Result<(), Refusal> {
        match self.req.seen.step_version {
            Some(v) if v != step.version => Err(Refusal {
                reasons: vec![format!(
                    "Step {} was changed by {} at {}; reload.",
                    step.named(),
                    step.changed_by,
                    format_time(step.changed_at)
                )],
                conflict: true,
            }),
            _ => Ok(()),
        }
    }

    /// The issue, which must exist, belong to this run, and not be closed.
    pub fn live_issue_of_run(&self, run: &Run, id: IssueId) -> Result<&'a Issue, String> {
        match self.world.issues.get(&id) {
            None => Err(format!("There is no issue {id}.")),
            Some(i) if i.run != Some(run.id) => {
                Err(format!("Issue {id} is not linked to run {}.", run.id))
            }
            Some(i) if i.state == IssueState::Closed => Err(format!("Issue {id} is closed.")),
            Some(i) => Ok(i),
        }
    }
}

/// Err with the sentence when the run is failed or complete.
pub fn run_open_for_steps(run: &Run) -> Result<(), String> {
    match run.state {
        RunState::Complete | RunState::Failed => Err(format!(
            "Run {} is {}: step actions are refused.",
            run.id,
            run.state.name()
        )),
        RunState::Todo | RunState::InProgress => Ok(()),
    }
}

pub(crate) fn existing_step<'r>(run: &'r Run, key: &str) -> Result<&'r RunStep, Refusal> {
    find_step(run, key).ok_or_else(|| Refusal::one(format!("Run {} has no step '{key}'.", run.id)))
}

/// Ok when there is nothing to refuse.
pub(crate) fn refuse_if_any(reasons: Vec<String>) -> Result<(), Refusal> {
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Refusal::many(reasons))
    }
}

/// Adds the sentence if `text` is not acceptable free text.
pub(crate) fn need_text(reasons: &mut Vec<String>, what: &str, text: &str) {
    if let Err(e) = super::validation::check_free_text(what, text) {
        reasons.push(e);
    }
}

/// One `SessionClosed` per open session on the step.
pub(crate) fn close_all_sessions(step: &RunStep, at: Time) -> Vec<Event> {
    step.sessions
        .iter()
        .filter(|s| s.ended_at.is_none())
        .map(|s| Event::SessionClosed {
            step: step.key.clone(),
            session: s.id,
            user: s.user.clone(),
            at,
            cause: None,
        })
        .collect()
}

/// `SessionClosed` for every open session on the run.
pub(crate) fn close_run_sessions(run: &Run, at: Time) -> Vec<Event> {
    run.steps
        .iter()
        .flat_map(|s| close_all_sessions(s, at))
        .collect()
}
