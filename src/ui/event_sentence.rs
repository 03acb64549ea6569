//! One plain-language sentence per audit event, for the run history:
//! "Held step 2 'Fit the shaft seals': seal driver missing". Steps are named
//! by number and title from the run, people by their display name where the
//! store has it. The sentence is raw text: the screen cleans it before drawing
//! (it carries reasons and titles as typed).

use crate::domain::{
    value_text, Disposition, Event, InventoryState, LeaveCause, Meaning, ProcedureState,
    RedlineChange, RedlineState, Run, StepState, Verdict,
};
use std::collections::BTreeMap;

/// What a sentence needs beyond the event: the run it happened in (for
/// step numbers and titles) and display names by login.
pub struct Names<'a> {
    pub run: Option<&'a Run>,
    pub people: &'a BTreeMap<String, String>,
}

impl Names<'_> {
    /// `step 2 'Fit the shaft seals'`, or `step 'key'` when the run does not
    /// hold the step (an event read outside its run).
    fn step(&self, key: &str) -> String {
        match self.run.and_then(|r| r.steps.iter().find(|s| s.key == key)) {
            Some(s) => format!("step {} '{}'", s.position, s.title),
            None => format!("step '{key}'"),
        }
    }

    pub fn person(&self, login: &str) -> String {
        self.people
            .get(login)
            .filter(|n| !n.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| login.to_string())
    }
}

fn words(name: &str) -> String {
    name.replace('_', " ")
}

fn with_reason(text: String, reason: Option<&str>) -> String {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("{text}: {r}"),
        None => text,
    }
}

fn step_move(names: &Names, step: &str, from: StepState, to: StepState) -> String {
    use StepState::*;
    let s = names.step(step);
    match (from, to) {
        (_, OnHold) => format!("Held {s}"),
        (OnHold, _) => format!("Released the hold on {s}"),
        (_, Failed) => format!("Failed {s}"),
        (_, Complete) => format!("Completed {s}"),
        (_, Skipped) => format!("Skipped {s} (optional, the run completed)"),
        (_, Redline) => format!("Put {s} on redline"),
        (Redline, _) => format!("Ended the redline on {s}"),
        (Failed | Complete, Todo | InProgress) => format!("Reopened {s}"),
        (Todo, InProgress) => format!("Started {s}"),
        (from, to) => format!(
            "Moved {s} from {} to {}",
            words(from.name()),
            words(to.name())
        ),
    }
}

fn inventory_state(state: InventoryState) -> &'static str {
    match state {
        InventoryState::Available => "available",
        InventoryState::Wip => "in work",
        InventoryState::Installed => "installed",
        InventoryState::Scrapped => "scrapped",
        InventoryState::Quarantined => "quarantined",
    }
}

fn procedure_state(state: ProcedureState) -> &'static str {
    match state {
        ProcedureState::Draft => "draft",
        ProcedureState::Released => "released",
        ProcedureState::Archived => "archived",
    }
}

fn disposition(d: Disposition) -> String {
    words(d.name())
}

/// The sentence for one event. Who did it and when are not in it: the
/// history row adds them ("— Olive Operator, 17:52").
pub fn sentence(event: &Event, names: &Names) -> String {
    use Event::*;
    match event {
        UserAdded { user } => format!(
            "Added user {} ({}) with roles {}",
            user.login,
            user.name,
            user.roles.join(", ")
        ),
        UserActiveSet {
            login,
            active: true,
        } => format!("Reactivated user {login}"),
        UserActiveSet {
            login,
            active: false,
        } => format!("Deactivated user {login}"),
        UserSecretSet {
            login,
            set_by: Some(by),
            ..
        } if by != login => format!(
            "Set a new PIN for {login} ({} must change it at the next sign-in)",
            names.person(login)
        ),
        UserSecretSet { login, .. } => format!("{} set their own PIN", names.person(login)),
        LoginFailed {
            login,
            failed_attempts,
            locked_until: Some(_),
        } => format!(
            "Wrong PIN for {login} ({failed_attempts} in a row): the login is locked for a while"
        ),
        LoginFailed {
            login,
            failed_attempts,
            locked_until: None,
        } => format!("Wrong PIN for {login} ({failed_attempts} in a row)"),
        LoginSucceeded { login } => format!("{} signed in", names.person(login)),
        SecretRehashed { login, .. } => format!("Stored {login}'s PIN under new hash parameters"),
        UnknownLoginFailed { login } => format!("Sign-in refused for unknown login {login}"),
        PartAdded { part } => format!("Added part {} ({})", part.number, part.description),
        InventoryReceived { item } => format!(
            "Received {} of part {} ({} × {})",
            item.identifier,
            item.part,
            item.quantity,
            inventory_state(item.state)
        ),
        InventoryStateChanged {
            identifier,
            from,
            to,
        } => format!(
            "Marked {identifier} {} (was {})",
            inventory_state(*to),
            inventory_state(*from)
        ),
        InventoryQuantityChanged {
            identifier,
            from,
            to,
        } => format!("Changed the quantity of {identifier} from {from} to {to}"),
        InventoryParentSet {
            identifier,
            parent: Some(parent),
        } => format!("Placed {identifier} in {parent}"),
        InventoryParentSet {
            identifier,
            parent: None,
        } => format!("Took {identifier} out of its unit"),
        ProcedureImported { procedure } => format!(
            "Imported procedure {} v{} '{}' ({} steps)",
            procedure.key,
            procedure.version,
            procedure.title,
            procedure.steps.len()
        ),
        ProcedureStateChanged {
            key,
            version,
            from,
            to,
        } => format!(
            "Moved procedure {key} v{version} from {} to {}",
            procedure_state(*from),
            procedure_state(*to)
        ),
        SettingChanged { key, from, to } => {
            format!("Changed setting {key} from {from} to {to}")
        }
        RunCreated { run } => format!(
            "Created run {} for {} from {} v{}",
            run.id, run.serial, run.procedure_key, run.procedure_version
        ),
        RunStarted { .. } => "Started the run".into(),
        RunCompleted { .. } => "Completed the run".into(),
        RunFailed { failure } => {
            let issue = failure
                .issue
                .map(|i| format!(" (issue #{i})"))
                .unwrap_or_default();
            with_reason(format!("Failed the run{issue}"), Some(&failure.reason))
        }
        RunReopened { reason } => with_reason("Reopened the run".into(), Some(reason)),
        StepStateChanged {
            step,
            from,
            to,
            reason,
        } => with_reason(step_move(names, step, *from, *to), reason.as_deref()),
        SessionOpened { step, session } => format!(
            "{} checked in on {}",
            names.person(&session.user),
            names.step(step)
        ),
        SessionClosed {
            step, user, cause, ..
        } => {
            let who = names.person(user);
            let s = names.step(step);
            match cause {
                None => format!("{who} checked out of {s}"),
                Some(LeaveCause::SignOut) => {
                    format!("Closed {who}'s session on {s} (another user signed in)")
                }
                Some(LeaveCause::Quit) => {
                    format!("Closed {who}'s session on {s} (the terminal was closed)")
                }
                Some(LeaveCause::Lock) => {
                    format!("Closed {who}'s session on {s} (the screen locked)")
                }
            }
        }
        SessionEdited {
            step,
            after,
            reason,
            ..
        } => with_reason(
            format!(
                "Edited {}'s labour session on {}",
                names.person(&after.user),
                names.step(step)
            ),
            Some(reason),
        ),
        FieldValueSaved { step, field, value } => {
            let verb = if value.replaces.is_some() {
                "Corrected"
            } else {
                "Recorded"
            };
            with_reason(
                format!(
                    "{verb} '{field}' = {}{} on {}",
                    value_text(&value.value),
                    match value.verdict {
                        Verdict::OutOfRange => " (out of range)",
                        Verdict::InRange | Verdict::NoRule => "",
                    },
                    names.step(step)
                ),
                value.reason.as_deref(),
            )
        }
        SignatureRecorded {
            step,
            field,
            signature,
        } => {
            let verb = match signature.meaning {
                Meaning::Approved => "Approved",
                Meaning::Rejected => "Rejected",
            };
            with_reason(
                format!(
                    "{verb} sign-off '{field}' on {} (signed by {})",
                    names.step(step),
                    signature.name
                ),
                signature.comment.as_deref(),
            )
        }
        DeviationAccepted {
            step,
            field,
            deviation,
        } => with_reason(
            format!(
                "Accepted a deviation on '{field}' of {} (issue #{})",
                names.step(step),
                deviation.issue
            ),
            Some(&deviation.rationale),
        ),
        Installed {
            step,
            requirement,
            installation,
        } => format!(
            "Installed {} ({}{}) on {}{}",
            installation.identifier,
            requirement,
            if installation.quantity == 1 {
                String::new()
            } else {
                format!(" × {}", installation.quantity)
            },
            names.step(step),
            if installation.scanned {
                ", scanned"
            } else {
                ", typed"
            }
        ),
        Uninstalled {
            step, requirement, ..
        } => format!(
            "Removed an installed {requirement} from {}",
            names.step(step)
        ),
        RequirementExcepted {
            step,
            requirement,
            exception,
        } => with_reason(
            format!(
                "Excepted {requirement} on {} (issue #{})",
                names.step(step),
                exception.issue
            ),
            Some(&exception.reason),
        ),
        StepInserted { after, step } => format!(
            "Added step {} '{}' after {}",
            step.position,
            step.title,
            names.step(after)
        ),
        StepSuperseded { step, by } => {
            format!("Replaced {} by {}", names.step(step), names.step(by))
        }
        StepDefinitionChanged { step, .. } => {
            format!("Changed the definition of {}", names.step(step))
        }
        CommentAdded { step, comment } => {
            format!("Commented on {}: {}", names.step(step), comment.text.trim())
        }
        IssueRaised { issue } => {
            let on = match &issue.step {
                Some(s) => format!(" on {}", names.step(s)),
                None => String::new(),
            };
            format!("Raised issue #{} '{}'{on}", issue.id, issue.title)
        }
        IssueDispositionSet {
            issue,
            from,
            to,
            signature,
        } => {
            let was = from
                .map(|f| format!(" (was {})", disposition(f)))
                .unwrap_or_default();
            with_reason(
                format!("Set issue #{issue} to {}{was}", disposition(*to)),
                signature.as_ref().map(|s| s.rationale.as_str()),
            )
        }
        IssueStateChanged {
            issue,
            from,
            to,
            rationale,
        } => with_reason(
            format!(
                "Moved issue #{issue} from {} to {}",
                words(&format!("{from:?}").to_lowercase()),
                words(&format!("{to:?}").to_lowercase())
            ),
            rationale.as_deref(),
        ),
        RedlineProposed { redline } => {
            let what = match &redline.change {
                RedlineChange::AddStep { def } => format!("add step '{}'", def.title),
                RedlineChange::ChangeField { field, .. } => format!("change field '{field}'"),
                RedlineChange::CorrectInstructions { .. } => "correct the instructions".into(),
            };
            with_reason(
                format!(
                    "Proposed redline {} on {}: {what}",
                    redline.id,
                    names.step(&redline.step)
                ),
                Some(&redline.reason),
            )
        }
        RedlineDecided { redline, to, .. } => match to {
            RedlineState::Approved => format!("Approved redline {redline}"),
            RedlineState::Cancelled => format!("Cancelled redline {redline}"),
            RedlineState::Proposed => format!("Put redline {redline} back to proposed"),
        },
    }
}
