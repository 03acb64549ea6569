//! Answers to commands: say what happened in a sentence, react on the screen
//! that asked (drop a saved draft, close a form, clear the scan box), and
//! reload what is shown.

use super::{board, quality};
use crate::app::effect::Effect;
use crate::app::form::{Form, FormKind};
use crate::app::msg::{ExecTag, Outcome};
use crate::app::state::{Overlay, ScanResult, Screen, State, Status};
use crate::domain::{value_text, Event, Meaning, StepState, Value, Verdict};
use crate::ui::time_text::Zone;

pub fn executed(state: &mut State, tag: ExecTag, outcome: Outcome) -> Vec<Effect> {
    match outcome {
        Outcome::Done(events) => done(state, tag, &events),
        Outcome::Refused { reasons, conflict } => refused(state, tag, reasons, conflict),
        Outcome::Failed(sentence) => {
            if let Some(Overlay::Form(form)) = &mut state.overlay {
                form.busy = false;
                form.errors = vec![sentence.clone()];
                form.focus_secret();
            }
            state.status = Some(Status::error(sentence));
            Vec::new()
        }
    }
}

fn done(state: &mut State, tag: ExecTag, events: &[Event]) -> Vec<Effect> {
    let mut text = describe(events, &state.zone);
    let mut unchanged = false;
    match &tag {
        ExecTag::Field { field, .. } => {
            if events.is_empty() {
                text = unchanged_text(state, field);
                unchanged = true;
            }
            if matches!(
                &state.overlay,
                Some(Overlay::Form(Form {
                    kind: FormKind::Correction { .. },
                    ..
                }))
            ) {
                state.overlay = None;
            }
            if let Some(step) = &mut state.step {
                step.drafts.remove(field);
                if step.editing.as_ref() == Some(field) {
                    step.editing = None;
                }
            }
        }
        ExecTag::Scan { .. } => {
            if let Some(step) = &mut state.step {
                step.scan.clear();
                // The next key may be `c`: the box waits to be asked again.
                step.scan_typing = false;
                step.scan_result = Some(ScanResult {
                    accepted: true,
                    lines: vec![text.clone()],
                });
            }
        }
        ExecTag::Form => {
            if matches!(state.overlay, Some(Overlay::Form(_))) {
                state.overlay = None;
            }
        }
        ExecTag::Complete => {
            if events
                .iter()
                .any(|e| matches!(e, Event::RunCompleted { .. }))
            {
                // Nothing is left to work: back to the board.
                state.status = Some(Status::success(text));
                state.screen = Screen::Board;
                state.step = None;
                return board::reload(state);
            }
            state.advance_after = state.step.as_ref().map(|s| s.key.clone());
        }
        ExecTag::StepAction | ExecTag::Quality => {}
    }
    if let Some(step) = &mut state.step {
        step.refused = None;
    }
    state.status = Some(if unchanged {
        Status::info(text)
    } else {
        Status::success(text)
    });
    reload_screen(state)
}

fn refused(state: &mut State, tag: ExecTag, reasons: Vec<String>, conflict: bool) -> Vec<Effect> {
    let mut lines = reasons.clone();
    if conflict {
        lines.push("The screen has been reloaded; check it and try again.".into());
    }
    match &tag {
        ExecTag::Field { field, .. } => {
            if let Some(draft) = state.step.as_mut().and_then(|s| s.drafts.get_mut(field)) {
                draft.rebase_on_load = conflict;
            }
            // A correction's reason form stays open with every reason in it.
            if let Some(Overlay::Form(form)) = &mut state.overlay {
                if matches!(form.kind, FormKind::Correction { .. }) {
                    form.busy = false;
                    form.errors = lines.clone();
                }
            }
        }
        ExecTag::Scan { typed } => {
            state.bell = true;
            if let Some(step) = &mut state.step {
                step.scan.clear();
                let mut shown = vec![format!(
                    "'{}' was not installed:",
                    crate::ui::sanitize::clean(typed)
                )];
                shown.extend(reasons.iter().cloned());
                step.scan_result = Some(ScanResult {
                    accepted: false,
                    lines: shown,
                });
            }
        }
        ExecTag::Form => {
            if let Some(Overlay::Form(form)) = &mut state.overlay {
                form.busy = false;
                form.errors = lines.clone();
                form.focus_secret();
            }
        }
        ExecTag::StepAction => {}
        ExecTag::Complete => {
            if !conflict {
                if let Some(step) = &mut state.step {
                    step.refused = Some(reasons.clone());
                }
                // The list is on screen; the status line only counts it.
                let n = reasons.len();
                state.status = Some(Status::error(format!(
                    "This step cannot be completed yet: {n} {} outstanding (listed on screen).",
                    if n == 1 { "thing" } else { "things" }
                )));
                return Vec::new();
            }
        }
        ExecTag::Quality => {}
    }
    state.status = Some(Status::errors(lines));
    if conflict {
        reload_screen(state)
    } else {
        Vec::new()
    }
}

/// The status line for a save equal to the saved value: nothing was written.
fn unchanged_text(state: &State, field: &str) -> String {
    let current = crate::app::step_items::current_step(state)
        .and_then(|s| s.fields.iter().find(|f| f.def.name == field))
        .and_then(crate::domain::current_value)
        .map(|v| crate::ui::sanitize::clean(&value_text(&v.value)).into_owned())
        .unwrap_or_default();
    format!("Unchanged: {field} already has {current}; nothing was saved.")
}

/// Reloads whatever is on screen after a change.
fn reload_screen(state: &mut State) -> Vec<Effect> {
    match state.screen {
        Screen::Run | Screen::Step => match state.run_id() {
            Some(run) => vec![Effect::LoadRun {
                run,
                open_step: None,
            }],
            None => Vec::new(),
        },
        Screen::Quality => quality::reload(state),
        Screen::Board => board::reload(state),
        Screen::Reports => vec![Effect::LoadReports],
        Screen::SignIn => Vec::new(),
    }
}

/// One sentence for what a command did, from its most telling event.
pub fn describe(events: &[Event], zone: &Zone) -> String {
    let mut parts: Vec<String> = Vec::new();
    // A completion closes the sessions first; the sentence says it last.
    let mut checked_out: Vec<String> = Vec::new();
    for event in events {
        let text = match event {
            Event::SessionOpened { .. } => "Checked in.".to_string(),
            Event::SessionClosed { user, .. } => {
                let text = format!("{user} checked out.");
                if !checked_out.contains(&text) {
                    checked_out.push(text);
                }
                continue;
            }
            Event::StepStateChanged { to, .. } => match to {
                StepState::Complete => "The step is complete.".to_string(),
                StepState::OnHold => "The step is on hold.".to_string(),
                StepState::Failed => "The step failed.".to_string(),
                StepState::Redline => "The step is in redline.".to_string(),
                StepState::Todo => "The step is back to todo.".to_string(),
                StepState::InProgress => "The step is in progress.".to_string(),
                StepState::Skipped => "The optional step was skipped.".to_string(),
            },
            Event::FieldValueSaved { field, value, .. } => {
                let verdict = match (&value.value, value.verdict) {
                    (Value::PassFail(true), _) => " ✓",
                    (Value::PassFail(false), _) => " ✗",
                    (_, Verdict::InRange) => " ✓ in range",
                    (_, Verdict::OutOfRange) => " ✗ out of range",
                    (_, Verdict::NoRule) => "",
                };
                format!(
                    "Saved {field} = {}{verdict}.",
                    crate::ui::sanitize::clean(&value_text(&value.value))
                )
            }
            Event::Installed {
                requirement,
                installation,
                ..
            } => format!(
                "Installed {} (qty {}) for part {requirement}.",
                installation.identifier, installation.quantity
            ),
            Event::Uninstalled { requirement, .. } => {
                format!("Uninstalled from part {requirement}.")
            }
            Event::SignatureRecorded {
                field, signature, ..
            } => format!(
                "{field}: signed by {} at {}, meaning {}.",
                signature.name,
                zone.date_time(signature.at),
                match signature.meaning {
                    Meaning::Approved => "approved",
                    Meaning::Rejected => "rejected",
                }
            ),
            Event::DeviationAccepted {
                field, deviation, ..
            } => {
                format!(
                    "Deviation on {field} accepted under issue #{}.",
                    deviation.issue
                )
            }
            Event::CommentAdded { .. } => "Comment added.".to_string(),
            Event::IssueRaised { issue } => format!("Raised quality issue #{}.", issue.id),
            Event::IssueDispositionSet { issue, to, .. } => {
                format!("Issue #{issue} dispositioned {}.", to.name())
            }
            Event::IssueStateChanged { issue, to, .. } => {
                format!("Issue #{issue} is {}.", enum_text(to))
            }
            Event::RedlineProposed { .. } => "Redline proposed; it waits for approval.".to_string(),
            Event::RedlineDecided { to, .. } => {
                format!("Redline {}.", enum_text(to))
            }
            Event::RunStarted { .. } => "The run has started.".to_string(),
            Event::RunCompleted { .. } => "The run is complete.".to_string(),
            Event::RunFailed { .. } => "The run has failed.".to_string(),
            Event::RunReopened { .. } => "The run is reopened.".to_string(),
            Event::StepInserted { step, .. } => {
                format!("Step {} inserted.", step.position)
            }
            _ => continue,
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    parts.extend(checked_out);
    if parts.is_empty() {
        "Done.".to_string()
    } else {
        parts.join(" ")
    }
}

/// The snake_case name of a state enum ("closed", "approved").
fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s.replace('_', " "),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::domain::{Event, StepState};
    use crate::ui::time_text::Zone;

    #[test]
    fn a_completion_is_said_before_the_check_out_it_made() {
        let at = chrono::Utc::now();
        let events = vec![
            Event::SessionClosed {
                step: "bore".into(),
                session: 1,
                user: "op1".into(),
                at,
                cause: None,
            },
            Event::StepStateChanged {
                step: "bore".into(),
                from: StepState::InProgress,
                to: StepState::Complete,
                reason: None,
            },
        ];
        assert_eq!(
            describe(&events, &Zone::Local),
            "The step is complete. op1 checked out."
        );
    }
}
