//! Saving field values and accepting deviations.

use super::decide::{refuse_if_any, Ctx};
use super::decision_signatures::deviation_signature;
use super::event::Event;
use super::model::*;
use super::queries::*;
use super::validation::{parse_file_value, value_needs_deviation, value_verdict};
use super::Refusal;

/// Saves a new value (never overwriting: the new row names the one it
/// replaces).
///
/// Rules (SPEC silent): the step must be `in_progress` and the user checked
/// into it, so every value belongs to someone's labour session. When the
/// screen says which value it saw (`seen.field_value`) and the field's
/// current value is another one, the save is refused as a conflict.
pub(crate) fn set(
    cx: &mut Ctx,
    key: &str,
    name: &str,
    raw: &str,
    file_sha256: Option<&str>,
) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let field = field_by_name(step, name)
        .ok_or_else(|| Refusal::one(format!("Step '{}' has no field '{name}'.", step.key)))?;
    if let Some(seen) = cx.req.seen.field_value {
        let current = current_value(field);
        if current.map(|v| v.id) != seen {
            let who = match current {
                Some(v) => format!("by {} at {}", v.by, format_time(v.at)),
                None => "meanwhile".to_string(),
            };
            return Err(Refusal {
                reasons: vec![format!("Field '{name}' was changed {who}; reload.")],
                conflict: true,
            });
        }
    }
    let mut reasons = Vec::new();
    if step.state != StepState::InProgress {
        reasons.push(format!(
            "Step '{}' is {}: fields are filled while it is in progress.",
            step.key,
            step.state.name()
        ));
    } else if !is_checked_in(step, cx.by()) {
        reasons.push(format!("You are not checked into step '{}'.", step.key));
    }
    let parsed = parse_file_value(&field.def, raw, file_sha256);
    if let Err(e) = &parsed {
        reasons.push(e.clone());
    }
    refuse_if_any(reasons)?;
    let value = parsed.map_err(Refusal::one)?;
    let verdict = value_verdict(&field.def, &value);
    Ok(vec![Event::FieldValueSaved {
        step: step.key.clone(),
        field: field.def.name.clone(),
        value: FieldValue {
            id: cx.alloc(),
            value,
            verdict,
            by: cx.by().to_string(),
            at: cx.now(),
            replaces: current_value(field).map(|v| v.id),
        },
    }])
}

/// Accepts the field's current value as a deviation through a quality issue.
///
/// Rules: the value must be out of range (number) or fail (pass/fail); the
/// step's policy `allow_out_of_range_with_issue` must be on (SPEC silent for
/// pass/fail: the same policy governs both); the issue exists, is linked to
/// this run and is not closed; a rationale is required. The deviation
/// attaches to the current value's id, so a new value voids it. The step may
/// be in any state but complete.
pub(crate) fn accept_deviation(
    cx: &Ctx,
    key: &str,
    name: &str,
    issue: IssueId,
    rationale: &str,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let field = field_by_name(step, name)
        .ok_or_else(|| Refusal::one(format!("Step '{}' has no field '{name}'.", step.key)))?;
    let mut reasons = Vec::new();
    if step.state == StepState::Complete {
        reasons.push(format!("Step '{}' is complete.", step.key));
    }
    let current = current_value(field);
    match current {
        None => reasons.push(format!("Field '{name}' has no value to deviate.")),
        Some(v) if !value_needs_deviation(&field.def, &v.value) => reasons.push(format!(
            "Field '{name}' is within its rule: there is nothing to deviate."
        )),
        Some(v) if field.deviations.iter().any(|d| d.value_id == v.id) => reasons.push(format!(
            "Field '{name}' already has a deviation for its current value."
        )),
        Some(_) => {}
    }
    if !step.allow_out_of_range_with_issue {
        reasons.push(format!(
            "Step '{}' does not allow out-of-range values with an issue: fix the value instead.",
            step.key
        ));
    }
    if let Err(e) = cx.live_issue_of_run(run, issue) {
        reasons.push(e);
    }
    let signature = deviation_signature(cx, field, rationale, &mut reasons);
    refuse_if_any(reasons)?;
    let Some(v) = current else {
        return Err(Refusal::one(format!(
            "Field '{name}' has no value to deviate."
        )));
    };
    Ok(vec![Event::DeviationAccepted {
        step: step.key.clone(),
        field: field.def.name.clone(),
        deviation: Deviation {
            value_id: v.id,
            issue,
            rationale: rationale.trim().to_string(),
            by: cx.by().to_string(),
            at: cx.now(),
            signature: Some(signature),
        },
    }])
}
