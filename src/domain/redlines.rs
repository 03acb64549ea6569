//! Redlines: a change to one run's steps, proposed mid-run, approved by
//! quality, supervisor or admin, or cancelled.

use super::decide::{close_all_sessions, existing_step, need_text, refuse_if_any, Ctx};
use super::event::Event;
use super::model::*;
use super::permissions::QUALITY_SUPERVISOR_ADMIN;
use super::queries::*;
use super::steps::{new_run_step, next_child_position};
use super::validation::{field_def_problems, step_def_problems};
use super::Refusal;

/// Problems with a change; `itself` is the redline being approved (its own
/// pending key does not count as taken).
fn change_problems(
    run: &Run,
    step: &RunStep,
    change: &RedlineChange,
    itself: Option<u64>,
) -> Vec<String> {
    let mut out = Vec::new();
    match change {
        RedlineChange::AddStep { def } => {
            out.extend(step_def_problems(def));
            let taken = step_by_key(run, &def.key).is_some() || run.redlines.iter().any(|r| {
                r.state == RedlineState::Proposed
                    && Some(r.id) != itself
                    && matches!(&r.change, RedlineChange::AddStep { def: d } if d.key == def.key)
            });
            if taken {
                out.push(format!(
                    "Run {} already has (or is about to get) a step '{}'.",
                    run.id, def.key
                ));
            }
            for dep in &def.after {
                if step_by_key(run, dep).is_none() {
                    out.push(format!(
                        "The new step depends on step '{dep}', which run {} does not have.",
                        run.id
                    ));
                }
            }
        }
        RedlineChange::ChangeField { field, def } => {
            match field_by_name(step, field) {
                None => out.push(format!("Step {} has no field '{field}'.", step.named())),
                Some(f) => {
                    if f.def.field_type != def.field_type && !f.values.is_empty() {
                        out.push(format!(
                            "Field '{field}' already holds values; its type cannot change from {} to {}.",
                            f.def.field_type.name(),
                            def.field_type.name()
                        ));
                    }
                }
            }
            if &def.name != field && field_by_name(step, &def.name).is_some() {
                out.push(format!(
                    "Step {} already has a field named '{}'.",
                    step.named(),
                    def.name
                ));
            }
            out.extend(field_def_problems(&step.key, def));
        }
        RedlineChange::CorrectInstructions { instructions } => {
            if let Err(e) =
                super::validation::check_instructions("The corrected instructions", instructions)
            {
                out.push(e);
            }
            if instructions == &step.instructions {
                out.push(
                    "The corrected instructions are the same as the current ones.".to_string(),
                );
            }
        }
    }
    out
}

/// Propose a redline on a step (any worker), reason required.
///
/// `ChangeField` and `CorrectInstructions` put the step into `redline` (from
/// `todo`, `in_progress` or `failed`), checking everyone out; the step keeps
/// its previous state to return to if the redline is cancelled. `AddStep`
/// leaves the step alone: the proposal waits on the run (and holds its
/// completion) until approved or cancelled. A field may be renamed; its type
/// may change only while it holds no values.
pub(crate) fn propose(
    cx: &mut Ctx,
    key: &str,
    change: &RedlineChange,
    reason: &str,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    let changes_step = !matches!(change, RedlineChange::AddStep { .. });
    if changes_step
        && !matches!(
            step.state,
            StepState::Todo | StepState::InProgress | StepState::Failed
        )
    {
        reasons.push(format!(
            "A redline needs the step to be todo, in progress or failed; step {} is {}.",
            step.named(),
            step.state.name()
        ));
    }
    need_text(&mut reasons, "A reason for the redline", reason);
    reasons.extend(change_problems(run, step, change, None));
    refuse_if_any(reasons)?;
    let redline = Redline {
        id: cx.alloc(),
        step: step.key.clone(),
        change: change.clone(),
        reason: reason.trim().to_string(),
        state: RedlineState::Proposed,
        proposed_by: cx.by().to_string(),
        proposed_at: cx.now(),
        decided_by: None,
        decided_at: None,
    };
    let mut out = Vec::new();
    if changes_step {
        out.extend(close_all_sessions(step, cx.now()));
    }
    out.push(Event::RedlineProposed { redline });
    if changes_step {
        out.push(Event::StepStateChanged {
            step: step.key.clone(),
            from: step.state,
            to: StepState::Redline,
            reason: Some(reason.trim().to_string()),
        });
    }
    Ok(out)
}

fn proposed(run: &Run, id: u64) -> Result<&Redline, Refusal> {
    let r = run
        .redlines
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Refusal::one(format!("Run {} has no redline {id}.", run.id)))?;
    match r.state {
        RedlineState::Proposed => Ok(r),
        RedlineState::Approved => Err(Refusal::one(format!("Redline {id} is already approved."))),
        RedlineState::Cancelled => Err(Refusal::one(format!("Redline {id} was cancelled."))),
    }
}

/// Approve a redline (quality, supervisor or admin; the proposer may approve
/// their own if they hold one of those roles). The change applies to this run
/// only: a changed step goes `redline` → `todo`; an added step is inserted
/// right after its step as `todo`, position `N.k` (next free k).
pub(crate) fn approve(cx: &mut Ctx, id: u64) -> Result<Vec<Event>, Refusal> {
    let run = cx.open_run()?;
    let redline = proposed(run, id)?;
    let step = existing_step(run, &redline.step)?;
    cx.check_seen_step(step)?;
    let mut out = vec![Event::RedlineDecided {
        redline: id,
        to: RedlineState::Approved,
        by: cx.by().to_string(),
        at: cx.now(),
    }];
    match &redline.change {
        RedlineChange::AddStep { def } => {
            refuse_if_any(change_problems(run, step, &redline.change, Some(id)))?;
            let position = next_child_position(run, &step.position);
            let new = new_run_step(def, cx.alloc(), position, cx.by(), cx.now());
            out.push(Event::StepInserted {
                after: step.key.clone(),
                step: new,
            });
        }
        change => {
            let before = match change {
                RedlineChange::ChangeField { field, .. } => {
                    let old = field_by_name(step, field).map(|f| f.def.clone());
                    match old {
                        Some(def) => RedlineChange::ChangeField {
                            field: field.clone(),
                            def,
                        },
                        None => {
                            return Err(Refusal::one(format!(
                                "Step {} has no field '{field}'.",
                                step.named()
                            )))
                        }
                    }
                }
                _ => RedlineChange::CorrectInstructions {
                    instructions: step.instructions.clone(),
                },
            };
            out.push(Event::StepDefinitionChanged {
                step: step.key.clone(),
                before: serde_json::to_value(&before).unwrap_or_default(),
                after: serde_json::to_value(change).unwrap_or_default(),
            });
            if step.state == StepState::Redline {
                out.push(Event::StepStateChanged {
                    step: step.key.clone(),
                    from: StepState::Redline,
                    to: StepState::Todo,
                    reason: Some(format!("redline {id} approved")),
                });
            }
        }
    }
    Ok(out)
}

/// Cancel a redline: its proposer, or quality, supervisor or admin (SPEC
/// silent). A step put into redline returns to the state it had before.
pub(crate) fn cancel(cx: &Ctx, id: u64) -> Result<Vec<Event>, Refusal> {
    let run = cx.open_run()?;
    let redline = proposed(run, id)?;
    if redline.proposed_by != cx.by() && !cx.actor().has_any_role(QUALITY_SUPERVISOR_ADMIN) {
        return Err(Refusal::one(format!(
            "Only {} (who proposed redline {id}) or quality, supervisor or admin may cancel it.",
            redline.proposed_by
        )));
    }
    let step = existing_step(run, &redline.step)?;
    cx.check_seen_step(step)?;
    let mut out = vec![Event::RedlineDecided {
        redline: id,
        to: RedlineState::Cancelled,
        by: cx.by().to_string(),
        at: cx.now(),
    }];
    if !matches!(redline.change, RedlineChange::AddStep { .. }) && step.state == StepState::Redline
    {
        out.push(Event::StepStateChanged {
            step: step.key.clone(),
            from: StepState::Redline,
            to: step.state_before_redline.unwrap_or(StepState::Todo),
            reason: Some(format!("redline {id} cancelled")),
        });
    }
    Ok(out)
}
