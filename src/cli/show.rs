//! Plain-text renderings of runs for the terminal (the TUI draws its own).
//! Every line goes through `push_line`, which escapes what stored text holds.

use super::context::push_line;
use crate::domain::*;
use crate::store::RunSummary;

pub fn run_table(runs: &[RunSummary]) -> String {
    let mut out = String::new();
    push_line(
        &mut out,
        &format!(
            "{:>5} {:<14} {:<12} {:<12} {:>7}  {:<14} {}",
            "RUN", "SERIAL", "PROCEDURE", "STATE", "DONE", "CHECKED IN", "TITLE"
        ),
    );
    for r in runs {
        push_line(
            &mut out,
            &format!(
                "{:>5} {:<14} {:<12} {:<12} {:>3}/{:<3}  {:<14} {}",
                r.id,
                r.serial,
                r.procedure_key,
                r.state.name(),
                r.required_done,
                r.required_total,
                r.checked_in,
                r.title
            ),
        );
    }
    out
}

/// Whether a signature's secret was the signer's own, for signature lines.
pub fn secret_note(set_by_signer: bool) -> &'static str {
    if set_by_signer {
        "PIN set by the signer"
    } else {
        "PIN set by another user"
    }
}

/// A decision's re-signature: "signed by NAME (login), PIN set by the signer: RATIONALE".
pub fn decision_signature_text(s: &DecisionSignature) -> String {
    format!(
        "signed by {} ({}), {}: {}",
        s.name,
        s.by,
        secret_note(s.secret_set_by_signer),
        s.rationale
    )
}

fn when(t: &Option<Time>) -> String {
    t.map(local_time).unwrap_or_else(|| "-".into())
}

/// A time as the station's local date and minute, as text output shows it.
pub fn local_time(t: Time) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `waiting` is what holds a run whose required steps are all complete
/// (`domain::waiting_on`), printed under the state line.
pub fn run_detail(run: &Run, issues: &[Issue], waiting: &[String]) -> String {
    let (done, total) = required_progress(run);
    let mut out = String::new();
    push_line(&mut out, &format!("Run #{} — {}", run.id, run.title));
    push_line(
        &mut out,
        &format!(
            "serial {} ({}), procedure {} v{}",
            run.serial, run.part, run.procedure_key, run.procedure_version
        ),
    );
    push_line(
        &mut out,
        &format!(
            "state {}, {done}/{total} required steps complete",
            run.state.name()
        ),
    );
    push_line(
        &mut out,
        &format!(
            "created {}, started {}, completed {}",
            when(&Some(run.created_at)),
            when(&run.started_at),
            when(&run.completed_at),
        ),
    );
    if let Some(f) = &run.failure {
        push_line(&mut out, &format!("failed by {}: {}", f.by, f.reason));
    }
    if !waiting.is_empty() {
        push_line(&mut out, &format!("not complete: {}", waiting.join(", ")));
    }
    for step in &run.steps {
        push_line(&mut out, "");
        push_line(
            &mut out,
            &format!(
                "{:>4}  {} [{}] — {}{}{}",
                step.position,
                step.title,
                step.key,
                step.state.name(),
                if step.required { "" } else { " (optional)" },
                step.superseded_by
                    .as_ref()
                    .map(|s| format!(", superseded by {s}"))
                    .unwrap_or_default()
            ),
        );
        let here: Vec<&str> = step
            .sessions
            .iter()
            .filter(|s| s.ended_at.is_none())
            .map(|s| s.user.as_str())
            .collect();
        if !here.is_empty() {
            push_line(&mut out, &format!("      checked in: {}", here.join(", ")));
        }
        for field in &step.fields {
            push_line(&mut out, &field_line(step, field));
            // One line per value: a line break in a reason is printed escaped.
            for line in value_history(field) {
                push_line(&mut out, &line);
            }
        }
        for req in &step.requirements {
            let installed: i64 = req
                .installs
                .iter()
                .filter(|i| i.removed_at.is_none())
                .map(|i| i.quantity)
                .sum();
            let ids: Vec<&str> = req
                .installs
                .iter()
                .filter(|i| i.removed_at.is_none())
                .map(|i| i.identifier.as_str())
                .collect();
            push_line(
                &mut out,
                &format!(
                    "      install {}: {installed}/{}{}{}",
                    req.def.part,
                    req.def.quantity,
                    if ids.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", ids.join(", "))
                    },
                    req.exception
                        .as_ref()
                        .map(|e| format!(" excepted via issue {}", e.issue))
                        .unwrap_or_default()
                ),
            );
        }
    }
    if !issues.is_empty() {
        push_line(&mut out, "");
        push_line(&mut out, "Quality issues:");
        for i in issues {
            push_line(
                &mut out,
                &format!(
                    "  #{} {} — {}",
                    i.id,
                    crate::store::state_name(&i.state),
                    i.title
                ),
            );
        }
    }
    out
}

/// A field's every value, oldest first, when it was ever changed: who, when,
/// and the reason given for a correction.
fn value_history(field: &Field) -> Vec<String> {
    if field.values.len() < 2 {
        return Vec::new();
    }
    field
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let reason = v
                .reason
                .as_deref()
                .map(|r| format!(" — reason: {r}"))
                .unwrap_or_default();
            format!(
                "        {}. {} — {}, {}{reason}",
                i + 1,
                value_text(&v.value),
                v.by,
                when(&Some(v.at))
            )
        })
        .collect()
}

/// One field of `run show`: name, rule, current value with its verdict under
/// the field's current rule (a redline may have changed it), or a sign-off's state.
fn field_line(step: &RunStep, field: &Field) -> String {
    let def = &field.def;
    let rule = rule_text(def);
    let rule = if rule.is_empty() {
        String::new()
    } else {
        format!(" ({rule})")
    };
    let optional = if def.required { "" } else { " [optional]" };
    let shown = if def.field_type == FieldType::Signoff {
        let status = signoff_status(step, field);
        let role = def.role.as_deref().unwrap_or("?");
        match (status, field.signatures.last()) {
            (SignoffStatus::Approved, Some(sig)) => format!(
                "approved by {} ({}) at {}, {}",
                sig.name,
                sig.by,
                sig.at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M"),
                secret_note(sig.secret_set_by_signer)
            ),
            (SignoffStatus::Rejected, Some(sig)) => format!(
                "rejected by {} ({}), {}: {} — expecting approval by: {role}",
                sig.name,
                sig.by,
                secret_note(sig.secret_set_by_signer),
                sig.comment.as_deref().unwrap_or("")
            ),
            (SignoffStatus::Void, _) => {
                format!("approval void (values changed since) — expecting approval by: {role}")
            }
            _ => format!("pending — expecting approval by: {role}"),
        }
    } else {
        match field.values.last() {
            Some(v) => {
                let mark = match (value_verdict(def, &v.value), def.field_type) {
                    (Verdict::InRange, _) => " ✓",
                    (Verdict::OutOfRange, FieldType::Number) => " ✗ out of range",
                    (Verdict::OutOfRange, _) => " ✗",
                    (Verdict::NoRule, _) => "",
                };
                let unit = def
                    .unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                let deviation = field
                    .deviations
                    .iter()
                    .find(|d| d.value_id == v.id)
                    .map(|d| match &d.signature {
                        Some(s) => format!(
                            " (deviation accepted via issue {} at {}, {})",
                            d.issue,
                            when(&Some(s.at)),
                            decision_signature_text(s)
                        ),
                        None => format!(" (deviation accepted via issue {})", d.issue),
                    })
                    .unwrap_or_default();
                format!("{}{unit}{mark}{deviation}", value_text(&v.value))
            }
            None => "—".into(),
        }
    };
    format!("      {}{rule}{optional}: {shown}", def.name)
}
