//! `apply`: folds one event into the world. Never fails: an event names
//! things `decide` has already checked; one that names something missing
//! changes nothing.
//!
//! Bookkeeping done here for every event: an event that changes the run bumps
//! `run.version` and stamps `updated_at`/`updated_by`; a step whose state
//! moves gets a new `version`, `changed_by` and `changed_at`; events that carry
//! a new id inside the run move `run.next_local_id` past it; new runs and
//! issues move `next_run_id` / `next_issue_id` past theirs.

use super::event::Event;
use super::model::*;

/// Folds one event into the world, at time `now`, done by login `by`.
pub fn apply(world: &mut World, event: &Event, now: Time, by: &str) {
    use Event::*;
    match event {
        UserAdded { user } => {
            world.users.insert(user.login.clone(), user.clone());
        }
        UserActiveSet { login, active } => {
            if let Some(u) = world.users.get_mut(login) {
                u.active = *active;
            }
        }
        UserSecretSet {
            login,
            secret_hash,
            set_by,
        } => {
            // A new secret also lifts a lockout.
            if let Some(u) = world.users.get_mut(login) {
                u.secret_hash = secret_hash.clone();
                u.secret_set_by = set_by.clone();
                u.failed_attempts = 0;
                u.locked_until = None;
            }
        }
        LoginFailed {
            login,
            failed_attempts,
            locked_until,
        } => {
            if let Some(u) = world.users.get_mut(login) {
                u.failed_attempts = *failed_attempts;
                u.locked_until = *locked_until;
            }
        }
        LoginSucceeded { login } => {
            if let Some(u) = world.users.get_mut(login) {
                u.failed_attempts = 0;
                u.locked_until = None;
            }
        }
        SecretRehashed { login, secret_hash } => {
            if let Some(u) = world.users.get_mut(login) {
                u.secret_hash = secret_hash.clone();
            }
        }
        UnknownLoginFailed { .. } => {}
        PartAdded { part } => {
            world.parts.insert(part.number.clone(), part.clone());
        }
        InventoryReceived { item } => {
            world
                .inventory
                .insert(item.identifier.clone(), item.clone());
        }
        InventoryStateChanged { identifier, to, .. } => {
            if let Some(i) = world.inventory.get_mut(identifier) {
                i.state = *to;
            }
        }
        InventoryQuantityChanged { identifier, to, .. } => {
            if let Some(i) = world.inventory.get_mut(identifier) {
                i.quantity = *to;
            }
        }
        InventoryParentSet { identifier, parent } => {
            if let Some(i) = world.inventory.get_mut(identifier) {
                i.parent = parent.clone();
            }
        }
        ProcedureImported { procedure } => {
            world.procedures.push(procedure.clone());
        }
        ProcedureStateChanged {
            key, version, to, ..
        } => {
            for p in world
                .procedures
                .iter_mut()
                .filter(|p| &p.key == key && p.version == *version)
            {
                p.state = *to;
            }
        }
        SettingChanged { key, to, .. } => set_setting(&mut world.settings, key, to),
        IssueRaised { issue } => {
            world.next_issue_id = world.next_issue_id.max(issue.id + 1);
            world.issues.insert(issue.id, issue.clone());
        }
        IssueDispositionSet {
            issue,
            to,
            signature,
            ..
        } => {
            if let Some(i) = world.issues.get_mut(issue) {
                i.disposition = Some(*to);
                i.approvals.push(IssueApproval {
                    by: by.to_string(),
                    at: now,
                    action: format!("disposition {}", to.name()),
                    signature: signature.clone(),
                    rationale: None,
                });
            }
        }
        IssueStateChanged {
            issue,
            to,
            rationale,
            ..
        } => {
            if let Some(i) = world.issues.get_mut(issue) {
                i.state = *to;
                if *to == IssueState::Closed {
                    i.approvals.push(IssueApproval {
                        by: by.to_string(),
                        at: now,
                        action: "close".to_string(),
                        signature: None,
                        rationale: rationale.clone(),
                    });
                }
            }
        }
        RunCreated { run } => {
            world.next_run_id = world.next_run_id.max(run.id + 1);
            world.run = Some(run.clone());
            touch_run(world, now, by);
        }
        _ => {
            if let Some(run) = world.run.as_mut() {
                apply_to_run(run, event, now, by);
                touch(run, now, by);
            }
        }
    }
}

/// Puts a setting's new value (already checked by `decide`) into place.
pub(crate) fn set_setting(s: &mut Settings, key: &str, value: &str) {
    let flag = value == "true";
    match key {
        "block_completion_on_open_issues" => s.block_completion_on_open_issues = flag,
        "require_scan_for_installs" => s.require_scan_for_installs = flag,
        "signer_not_performer" => s.signer_not_performer = flag,
        "deviation_not_by_recorder" => s.deviation_not_by_recorder = flag,
        "close_labour_on_sign_out" => s.close_labour_on_sign_out = flag,
        "close_labour_on_quit" => s.close_labour_on_quit = flag,
        "close_labour_on_lock" => s.close_labour_on_lock = flag,
        "auto_checkin" => s.auto_checkin = flag,
        "lockout_attempts" => {
            if let Ok(n) = value.parse() {
                s.lockout_attempts = n;
            }
        }
        "lockout_minutes" => {
            if let Ok(n) = value.parse() {
                s.lockout_minutes = n;
            }
        }
        "stale_after_hours" => {
            if let Ok(n) = value.parse() {
                s.stale_after_hours = n;
            }
        }
        "max_session_hours" => {
            if let Ok(n) = value.parse() {
                s.max_session_hours = n;
            }
        }
        _ => {}
    }
}

fn touch_run(world: &mut World, now: Time, by: &str) {
    if let Some(run) = world.run.as_mut() {
        touch(run, now, by);
    }
}

fn touch(run: &mut Run, now: Time, by: &str) {
    run.version += 1;
    run.updated_at = now;
    run.updated_by = by.to_string();
}

fn seen_id(run: &mut Run, id: u64) {
    run.next_local_id = run.next_local_id.max(id + 1);
}

fn step_mut<'a>(run: &'a mut Run, key: &str) -> Option<&'a mut RunStep> {
    run.steps.iter_mut().find(|s| s.key == key)
}

fn field_mut<'a>(run: &'a mut Run, step: &str, field: &str) -> Option<&'a mut Field> {
    step_mut(run, step)?
        .fields
        .iter_mut()
        .find(|f| f.def.name == field)
}

fn requirement_mut<'a>(run: &'a mut Run, step: &str, part: &str) -> Option<&'a mut Requirement> {
    step_mut(run, step)?
        .requirements
        .iter_mut()
        .find(|r| r.def.part == part)
}

fn apply_to_run(run: &mut Run, event: &Event, now: Time, by: &str) {
    use Event::*;
    match event {
        RunStarted { at } => {
            run.state = RunState::InProgress;
            run.started_at = Some(*at);
        }
        RunCompleted { at } => {
            run.state = RunState::Complete;
            run.completed_at = Some(*at);
        }
        RunFailed { failure } => {
            run.state = RunState::Failed;
            run.failure = Some(failure.clone());
        }
        RunReopened { .. } => {
            run.state = RunState::InProgress;
            run.completed_at = None;
        }
        StepStateChanged {
            step,
            from,
            to,
            reason,
        } => {
            if let Some(s) = step_mut(run, step) {
                s.state = *to;
                s.state_reason = matches!(to, StepState::OnHold | StepState::Failed)
                    .then(|| reason.clone())
                    .flatten();
                if *to == StepState::Redline {
                    s.state_before_redline = Some(*from);
                } else if *from == StepState::Redline {
                    s.state_before_redline = None;
                }
                if *to == StepState::Complete {
                    s.completed_by = Some(by.to_string());
                    s.completed_at = Some(now);
                } else if *from == StepState::Complete {
                    s.completed_by = None;
                    s.completed_at = None;
                }
                s.version += 1;
                s.changed_by = by.to_string();
                s.changed_at = now;
            }
        }
        SessionOpened { step, session } => {
            seen_id(run, session.id);
            if let Some(s) = step_mut(run, step) {
                s.sessions.push(session.clone());
            }
        }
        SessionClosed {
            step, session, at, ..
        } => {
            if let Some(s) = step_mut(run, step) {
                for sess in s.sessions.iter_mut().filter(|x| x.id == *session) {
                    sess.ended_at = Some(*at);
                }
            }
        }
        SessionEdited { step, after, .. } => {
            if let Some(s) = step_mut(run, step) {
                for sess in s.sessions.iter_mut().filter(|x| x.id == after.id) {
                    *sess = after.clone();
                }
            }
        }
        FieldValueSaved { step, field, value } => {
            seen_id(run, value.id);
            if let Some(f) = field_mut(run, step, field) {
                f.values.push(value.clone());
            }
        }
        SignatureRecorded {
            step,
            field,
            signature,
        } => {
            if let Some(f) = field_mut(run, step, field) {
                f.signatures.push(signature.clone());
            }
        }
        DeviationAccepted {
            step,
            field,
            deviation,
        } => {
            if let Some(f) = field_mut(run, step, field) {
                f.deviations.push(deviation.clone());
            }
        }
        Installed {
            step,
            requirement,
            installation,
        } => {
            seen_id(run, installation.id);
            if let Some(r) = requirement_mut(run, step, requirement) {
                r.installs.push(installation.clone());
            }
        }
        Uninstalled {
            step,
            requirement,
            installation,
            by,
            at,
        } => {
            if let Some(r) = requirement_mut(run, step, requirement) {
                for i in r.installs.iter_mut().filter(|i| i.id == *installation) {
                    i.removed_by = Some(by.clone());
                    i.removed_at = Some(*at);
                }
            }
        }
        RequirementExcepted {
            step,
            requirement,
            exception,
        } => {
            if let Some(r) = requirement_mut(run, step, requirement) {
                r.exception = Some(exception.clone());
            }
        }
        StepInserted { after, step } => {
            seen_id(run, step.id);
            let index = insert_index(run, after);
            run.steps.insert(index, step.clone());
        }
        StepSuperseded { step, by: copy } => {
            if let Some(s) = step_mut(run, step) {
                s.superseded_by = Some(copy.clone());
            }
        }
        StepDefinitionChanged { step, after, .. } => {
            if let Ok(change) = serde_json::from_value::<RedlineChange>(after.clone()) {
                if let Some(s) = step_mut(run, step) {
                    change_step(s, &change);
                }
            }
        }
        CommentAdded { step, comment } => {
            if let Some(s) = step_mut(run, step) {
                s.comments.push(comment.clone());
            }
        }
        RedlineProposed { redline } => {
            seen_id(run, redline.id);
            run.redlines.push(redline.clone());
        }
        RedlineDecided {
            redline,
            to,
            by,
            at,
        } => {
            for r in run.redlines.iter_mut().filter(|r| r.id == *redline) {
                r.state = *to;
                r.decided_by = Some(by.clone());
                r.decided_at = Some(*at);
            }
        }
        _ => {}
    }
}

/// Where a step inserted after `after` goes: after it and after the steps
/// already nested under it (`2`, `2.1`, `2.2`, then the new `2.3`).
fn insert_index(run: &Run, after: &str) -> usize {
    let Some(i) = run.steps.iter().position(|s| s.key == after) else {
        return run.steps.len();
    };
    let prefix = format!("{}.", run.steps[i].position);
    let mut j = i + 1;
    while j < run.steps.len() && run.steps[j].position.starts_with(&prefix) {
        j += 1;
    }
    j
}

/// Applies an approved step change (a redline's `ChangeField` or
/// `CorrectInstructions`). Values, signatures and deviations stay.
pub(crate) fn change_step(step: &mut RunStep, change: &RedlineChange) {
    match change {
        RedlineChange::ChangeField { field, def } => {
            if let Some(f) = step.fields.iter_mut().find(|f| &f.def.name == field) {
                f.def = def.clone();
            }
        }
        RedlineChange::CorrectInstructions { instructions } => {
            step.instructions = instructions.clone();
        }
        RedlineChange::AddStep { .. } => {}
    }
}
