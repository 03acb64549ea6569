//! Step states: check in and out, complete, hold, resume, fail, rework (in
//! place or as a copy), reopen; comments and labour-session edits.

use super::blockers::step_blockers;
use super::decide::{close_all_sessions, existing_step, need_text, refuse_if_any, Ctx};
use super::event::Event;
use super::issues::new_issue;
use super::model::*;
use super::queries::*;
use super::Refusal;

fn state_change(step: &RunStep, to: StepState, reason: Option<String>) -> Event {
    Event::StepStateChanged {
        step: step.key.clone(),
        from: step.state,
        to,
        reason,
    }
}

fn open_session(cx: &mut Ctx, step: &RunStep) -> Event {
    Event::SessionOpened {
        step: step.key.clone(),
        session: LabourSession {
            id: cx.alloc(),
            user: cx.by().to_string(),
            started_at: cx.now(),
            ended_at: None,
        },
    }
}

/// Check in: opens the user's labour session. From `todo` the step goes
/// `in_progress` (the first step transition starts the run: see
/// `decide::start_run_if_todo`). Every dependency must be complete (a superseded dependency
/// is satisfied by its rework copy). Checking into the same step twice is
/// refused; one user may be checked into several steps.
pub(crate) fn check_in(cx: &mut Ctx, key: &str) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    match step.state {
        StepState::Todo | StepState::InProgress => {}
        StepState::OnHold => reasons.push(format!(
            "Step {} is on hold: resume it to check in.",
            step.named()
        )),
        StepState::Redline => reasons.push(format!(
            "Step {} is in redline: it cannot be worked until the redline is approved or cancelled.",
            step.named()
        )),
        StepState::Failed => reasons.push(format!(
            "Step {} is failed: rework it before checking in.",
            step.named()
        )),
        StepState::Complete => reasons.push(format!(
            "Step {} is complete: it must be reopened before checking in.",
            step.named()
        )),
        StepState::Skipped => reasons.push(format!(
            "Step {} was skipped when the run completed: it must be reopened before checking in.",
            step.named()
        )),
    }
    if is_checked_in(step, cx.by()) {
        reasons.push(format!(
            "You are already checked into step {}.",
            step.named()
        ));
    }
    for dep in &step.after {
        if !dependency_complete(run, dep) {
            let waited_on = run
                .steps
                .iter()
                .find(|s| &s.key == dep)
                .map_or_else(|| format!("'{dep}'"), RunStep::named);
            reasons.push(format!(
                "Step {} waits on step {waited_on}, which is not complete.",
                step.named()
            ));
        }
    }
    refuse_if_any(reasons)?;
    let mut out = Vec::new();
    if step.state == StepState::Todo {
        out.push(state_change(step, StepState::InProgress, None));
    }
    out.push(open_session(cx, step));
    Ok(out)
}

/// Check out: closes the user's own open session; the step stays as it is.
pub(crate) fn check_out(cx: &Ctx, key: &str) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let mine = close_own_sessions(cx, step, None);
    if mine.is_empty() {
        return Err(Refusal::one(format!(
            "You are not checked into step {}.",
            step.named()
        )));
    }
    Ok(mine)
}

/// The acting user's open sessions on the step, closed as they leave the
/// terminal; refused when the org's setting for the cause is off. Nothing
/// open is nothing to do, not a refusal (the terminal asks for every step).
pub(crate) fn close_on_leaving(
    cx: &Ctx,
    key: &str,
    cause: LeaveCause,
) -> Result<Vec<Event>, Refusal> {
    if !cause.applies(&cx.world.settings) {
        return Err(Refusal::one(format!(
            "Setting {} is off: sessions stay open.",
            cause.setting()
        )));
    }
    let (_run, step) = cx.step(key)?;
    Ok(close_own_sessions(cx, step, Some(cause)))
}

/// `SessionClosed` for each of the acting user's open sessions on the step.
fn close_own_sessions(cx: &Ctx, step: &RunStep, cause: Option<LeaveCause>) -> Vec<Event> {
    step.sessions
        .iter()
        .filter(|s| s.ended_at.is_none() && s.user == cx.by())
        .map(|s| Event::SessionClosed {
            step: step.key.clone(),
            session: s.id,
            user: s.user.clone(),
            at: cx.now(),
            cause,
        })
        .collect()
}

/// Complete: refused with every blocker at once; otherwise checks everyone
/// out and records who and when (the run may then complete by itself).
pub(crate) fn complete(cx: &Ctx, key: &str) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    refuse_if_any(step_blockers(step, cx.by()))?;
    let mut out = close_all_sessions(step, cx.now());
    out.push(state_change(step, StepState::Complete, None));
    Ok(out)
}

fn must_be(step: &RunStep, state: StepState, action: &str) -> Option<String> {
    (step.state != state).then(|| {
        format!(
            "Only a step that is {} can be {action}; step '{}' is {}.",
            state.name(),
            step.key,
            step.state.name()
        )
    })
}

/// Hold: `in_progress` → `on_hold`, reason required, everyone checked out.
pub(crate) fn hold(cx: &Ctx, key: &str, reason: &str) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    reasons.extend(must_be(step, StepState::InProgress, "put on hold"));
    need_text(&mut reasons, "A reason for the hold", reason);
    refuse_if_any(reasons)?;
    let mut out = close_all_sessions(step, cx.now());
    out.push(state_change(
        step,
        StepState::OnHold,
        Some(reason.trim().to_string()),
    ));
    Ok(out)
}

/// Resume: `on_hold` → `in_progress`, checking the user in.
pub(crate) fn resume(cx: &mut Ctx, key: &str) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    refuse_if_any(
        must_be(step, StepState::OnHold, "resumed")
            .into_iter()
            .collect(),
    )?;
    let mut out = vec![state_change(step, StepState::InProgress, None)];
    out.push(open_session(cx, step));
    Ok(out)
}

/// Fail step: `in_progress` → `failed`, reason required, everyone checked
/// out. Optionally links an existing issue of this run (not closed) or raises
/// a new one about the step in the same action. The link is recorded in the
/// state change's reason ("… (issue 3)") and, for a new issue, on the issue.
/// The run stays as it is.
pub(crate) fn fail(
    cx: &Ctx,
    key: &str,
    reason: &str,
    issue: Option<IssueId>,
    raise: Option<&str>,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    if step.state == StepState::Redline {
        reasons.push(format!(
            "Step {} is in redline: it cannot be failed until the redline is approved or cancelled.",
            step.named()
        ));
    } else {
        reasons.extend(must_be(step, StepState::InProgress, "failed"));
    }
    need_text(&mut reasons, "A reason for failing the step", reason);
    let raise = raise.map(str::trim);
    if issue.is_some() && raise.is_some() {
        reasons.push("Link an existing issue or raise a new one, not both.".to_string());
    }
    if let Some(id) = issue {
        if let Err(e) = cx.live_issue_of_run(run, id) {
            reasons.push(e);
        }
    }
    if let Some(title) = raise {
        if let Err(e) = super::validation::check_line_text("The new issue's title", title) {
            reasons.push(e);
        }
    }
    refuse_if_any(reasons)?;
    let mut out = Vec::new();
    let mut linked = issue;
    if let Some(title) = raise {
        let new = new_issue(
            cx,
            title,
            reason.trim(),
            Some(run.id),
            Some(step.key.clone()),
            None,
            None,
        );
        linked = Some(new.id);
        out.push(Event::IssueRaised { issue: new });
    }
    out.extend(close_all_sessions(step, cx.now()));
    let text = match linked {
        Some(id) => format!("{} (issue {id})", reason.trim()),
        None => reason.trim().to_string(),
    };
    out.push(state_change(step, StepState::Failed, Some(text)));
    Ok(out)
}

/// The first free `base.k` position among the run's steps.
pub(crate) fn next_child_position(run: &Run, base: &str) -> String {
    (1..)
        .map(|k| format!("{base}.{k}"))
        .find(|p| run.steps.iter().all(|s| &s.position != p))
        .unwrap_or_else(|| format!("{base}.1"))
}

/// A fresh run step from a definition, `todo`, no values.
pub(crate) fn new_run_step(
    def: &StepDef,
    id: u64,
    position: String,
    by: &str,
    at: Time,
) -> RunStep {
    RunStep {
        id,
        key: def.key.clone(),
        position,
        title: def.title.clone(),
        instructions: def.instructions.clone(),
        required: def.required,
        after: def.after.clone(),
        allow_out_of_range_with_issue: def.allow_out_of_range_with_issue,
        rework: def.rework,
        state: StepState::Todo,
        state_before_redline: None,
        state_reason: None,
        superseded_by: None,
        fields: def
            .fields
            .iter()
            .map(|d| Field {
                def: d.clone(),
                values: Vec::new(),
                earlier: EarlierValues::default(),
                signatures: Vec::new(),
                deviations: Vec::new(),
            })
            .collect(),
        requirements: def
            .installs
            .iter()
            .map(|d| Requirement {
                def: d.clone(),
                installs: Vec::new(),
                exception: None,
            })
            .collect(),
        sessions: Vec::new(),
        comments: Vec::new(),
        completed_by: None,
        completed_at: None,
        version: 1,
        changed_by: by.to_string(),
        changed_at: at,
    }
}

/// The definition a run step was made from (as it stands now).
pub(crate) fn step_def_of(step: &RunStep) -> StepDef {
    StepDef {
        key: step.key.clone(),
        title: step.title.clone(),
        instructions: step.instructions.clone(),
        required: step.required,
        after: step.after.clone(),
        allow_out_of_range_with_issue: step.allow_out_of_range_with_issue,
        rework: step.rework,
        fields: step.fields.iter().map(|f| f.def.clone()).collect(),
        installs: step.requirements.iter().map(|r| r.def.clone()).collect(),
    }
}

/// Rework, the way the step's procedure says (`rework`, default `reopen`):
/// in place, the failed step goes back to `todo` (its values stay current and
/// in history; new saves replace them); as a copy, a duplicate `todo` step
/// is inserted right after it (key `KEY-rN`, position `P.k`, same fields and
/// requirements, nothing filled or installed) and the original is marked
/// superseded. Parts installed on the original stay installed there; they
/// can be uninstalled from it to be used on the copy. A superseded step
/// cannot be reworked again (rework its copy). The operator does not choose:
/// an expected mode other than the procedure's is refused, naming it.
pub(crate) fn rework(
    cx: &mut Ctx,
    key: &str,
    expect: Option<ReworkMode>,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let mut reasons: Vec<String> = must_be(step, StepState::Failed, "reworked")
        .into_iter()
        .collect();
    if let Some(by) = &step.superseded_by {
        reasons.push(format!(
            "Step {} was already replaced by its rework copy '{by}'.",
            step.named()
        ));
    }
    if let Some(asked) = expect.filter(|m| *m != step.rework) {
        reasons.push(format!(
            "Step '{}' is reworked {} (rework = \"{}\"): the procedure decides, not the operator; {} was asked for.",
            step.key,
            rework_words(step.rework),
            step.rework.name(),
            rework_words(asked)
        ));
    }
    refuse_if_any(reasons)?;
    if step.rework == ReworkMode::Reopen {
        return Ok(vec![state_change(step, StepState::Todo, None)]);
    }
    let copy_key = (1..)
        .map(|n| format!("{}-r{n}", step.key))
        .find(|k| step_by_key(run, k).is_none())
        .unwrap_or_else(|| format!("{}-r", step.key));
    let mut def = step_def_of(step);
    def.key = copy_key.clone();
    let position = next_child_position(run, &step.position);
    let copy = new_run_step(&def, cx.alloc(), position, cx.by(), cx.now());
    Ok(vec![
        Event::StepInserted {
            after: step.key.clone(),
            step: copy,
        },
        Event::StepSuperseded {
            step: step.key.clone(),
            by: copy_key,
        },
    ])
}

/// "in place" or "as a copy".
pub fn rework_words(mode: ReworkMode) -> &'static str {
    match mode {
        ReworkMode::Reopen => "in place",
        ReworkMode::Copy => "as a copy",
    }
}

/// Reopen step: `complete` → `todo`, reason required, run `in_progress`.
/// Steps that depend on it keep their state. Rule (SPEC silent): a step
/// `skipped` at completion may be reopened the same way once the run is
/// reopened, so an optional step can still be worked.
pub(crate) fn reopen(cx: &Ctx, key: &str, reason: &str) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    if step.state != StepState::Skipped {
        reasons.extend(must_be(step, StepState::Complete, "reopened"));
    }
    if run.state != RunState::InProgress {
        reasons.push(format!(
            "Run {} is {}: a step can be reopened only while the run is in progress.",
            run.id,
            run.state.name()
        ));
    }
    need_text(&mut reasons, "A reason for reopening the step", reason);
    refuse_if_any(reasons)?;
    Ok(vec![state_change(
        step,
        StepState::Todo,
        Some(reason.trim().to_string()),
    )])
}

/// A comment on a step, in any step state (not on a failed or complete run).
pub(crate) fn comment(cx: &Ctx, key: &str, text: &str) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    need_text(&mut reasons, "A comment", text);
    refuse_if_any(reasons)?;
    Ok(vec![Event::CommentAdded {
        step: step.key.clone(),
        comment: Comment {
            by: cx.by().to_string(),
            at: cx.now(),
            text: text.trim().to_string(),
        },
    }])
}

/// Edit a labour session (supervisor or admin), reason required.
///
/// Rules (SPEC silent): allowed on any run, including complete and failed
/// ones (correcting time records changes no step); times may not be in the
/// future; the end may not precede the start; a closed session stays closed
/// (an edit cannot check someone back in), an open one may be given an end.
pub(crate) fn edit_session(
    cx: &Ctx,
    key: &str,
    session: u64,
    started_at: Time,
    ended_at: Option<Time>,
    reason: &str,
) -> Result<Vec<Event>, Refusal> {
    let run = cx.run()?;
    let step = existing_step(run, key)?;
    cx.check_seen_step(step)?;
    let Some(before) = step.sessions.iter().find(|s| s.id == session) else {
        return Err(Refusal::one(format!(
            "Step {} has no labour session {session}.",
            step.named()
        )));
    };
    let mut reasons = Vec::new();
    need_text(&mut reasons, "A reason for the edit", reason);
    if started_at > cx.now() {
        reasons.push("A session cannot start in the future.".to_string());
    }
    if let Some(end) = ended_at {
        if end < started_at {
            reasons.push("A session cannot end before it starts.".to_string());
        }
        if end > cx.now() {
            reasons.push("A session cannot end in the future.".to_string());
        }
    } else if before.ended_at.is_some() {
        reasons.push(format!(
            "Session {session} is closed; an edit cannot reopen it."
        ));
    }
    refuse_if_any(reasons)?;
    let after = LabourSession {
        id: before.id,
        user: before.user.clone(),
        started_at,
        ended_at,
    };
    Ok(vec![Event::SessionEdited {
        step: step.key.clone(),
        before: before.clone(),
        after,
        reason: reason.trim().to_string(),
    }])
}
