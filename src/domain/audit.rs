//! How each event reads in the audit trail: an action name, the entity it
//! touched, small before/after values, and the reason when there is one.
//! Secret hashes never appear: they are written as "(hidden)".

use super::event::{AuditParts, Event};
use super::model::*;
use serde_json::{json, Value as Json};

const HIDDEN: &str = "(hidden)";

fn in_run(run: Option<RunId>, rest: &str) -> String {
    match run {
        Some(id) if rest.is_empty() => format!("run {id}"),
        Some(id) => format!("run {id} / {rest}"),
        None if rest.is_empty() => "run".to_string(),
        None => rest.to_string(),
    }
}

/// The audit entity of an inventory item: every event that touches the item
/// names it so, with the run it happened in, which is how the where-used
/// query (`Store::trace_up`) finds the runs that installed a lot.
pub fn inventory_entity(identifier: &str) -> String {
    format!("inventory {identifier}")
}

/// The audit entity of a user (their secret's changes are read back from
/// the trail for the signature manifest of `run export`).
pub fn user_entity(login: &str) -> String {
    format!("user {login}")
}

/// The audit entity of a quality issue.
pub fn issue_entity(issue: IssueId) -> String {
    format!("issue {issue}")
}

/// A stored event as it may be shown: every secret hash in it (a user
/// added, a PIN set or rehashed) replaced by "(hidden)". Text that is not
/// JSON is returned as is.
pub fn event_for_display(stored: &str) -> String {
    fn hide(value: &mut Json) {
        match value {
            Json::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key == "secret_hash" {
                        *v = Json::String(HIDDEN.into());
                    } else {
                        hide(v);
                    }
                }
            }
            Json::Array(items) => items.iter_mut().for_each(hide),
            _ => {}
        }
    }
    match serde_json::from_str::<Json>(stored) {
        Ok(mut value) => {
            hide(&mut value);
            value.to_string()
        }
        Err(_) => stored.to_string(),
    }
}

fn to_json<T: serde::Serialize>(x: &T) -> Json {
    serde_json::to_value(x).unwrap_or(Json::Null)
}

impl Event {
    /// The audit row's parts for this event. `run` is the run the command
    /// acted on (for the entity path `run 12 / step bore / field X`).
    pub fn audit_parts(&self, run: Option<RunId>) -> AuditParts {
        use Event::*;
        let p = |action: &'static str,
                 entity: String,
                 before: Option<Json>,
                 after: Option<Json>,
                 reason: Option<String>| AuditParts {
            action,
            entity,
            before,
            after,
            reason,
        };
        match self {
            UserAdded { user } => p(
                "user_added",
                user_entity(&user.login),
                None,
                Some(json!({
                    "login": user.login,
                    "name": user.name,
                    "roles": user.roles,
                    "active": user.active,
                    "secret": HIDDEN,
                })),
                None,
            ),
            UserActiveSet { login, active } => p(
                "user_active_set",
                user_entity(login),
                Some(json!({ "active": !active })),
                Some(json!({ "active": active })),
                None,
            ),
            UserSecretSet { login, .. } => p(
                "user_secret_set",
                user_entity(login),
                Some(json!({ "secret": HIDDEN })),
                Some(json!({ "secret": HIDDEN })),
                None,
            ),
            LoginFailed {
                login,
                failed_attempts,
                locked_until,
            } => p(
                "login_failed",
                user_entity(login),
                None,
                Some(json!({ "failed_attempts": failed_attempts, "locked_until": locked_until })),
                None,
            ),
            LoginSucceeded { login } => p(
                "login_succeeded",
                user_entity(login),
                None,
                Some(json!({ "failed_attempts": 0 })),
                None,
            ),
            SecretRehashed { login, .. } => p(
                "user_secret_rehashed",
                format!("user {login}"),
                Some(json!({ "secret": HIDDEN })),
                Some(json!({ "secret": HIDDEN })),
                None,
            ),
            UnknownLoginFailed { login } => p(
                "login_failed_unknown",
                format!("login {login}"),
                None,
                None,
                None,
            ),
            PartAdded { part } => p(
                "part_added",
                format!("part {}", part.number),
                None,
                Some(to_json(part)),
                None,
            ),
            InventoryReceived { item } => p(
                "inventory_received",
                inventory_entity(&item.identifier),
                None,
                Some(to_json(item)),
                None,
            ),
            InventoryStateChanged {
                identifier,
                from,
                to,
            } => p(
                "inventory_state_changed",
                inventory_entity(identifier),
                Some(json!({ "state": from })),
                Some(json!({ "state": to })),
                None,
            ),
            InventoryQuantityChanged {
                identifier,
                from,
                to,
            } => p(
                "inventory_quantity_changed",
                inventory_entity(identifier),
                Some(json!({ "quantity": from })),
                Some(json!({ "quantity": to })),
                None,
            ),
            InventoryParentSet { identifier, parent } => p(
                "inventory_parent_set",
                inventory_entity(identifier),
                None,
                Some(json!({ "parent": parent })),
                None,
            ),
            ProcedureImported { procedure } => p(
                "procedure_imported",
                format!("procedure {} v{}", procedure.key, procedure.version),
                None,
                Some(json!({
                    "title": procedure.title,
                    "produces": procedure.produces,
                    "state": procedure.state,
                    "steps": procedure.steps.iter().map(|s| s.key.clone()).collect::<Vec<_>>(),
                })),
                None,
            ),
            ProcedureStateChanged {
                key,
                version,
                from,
                to,
            } => p(
                "procedure_state_changed",
                format!("procedure {key} v{version}"),
                Some(json!({ "state": from })),
                Some(json!({ "state": to })),
                None,
            ),
            SettingChanged { key, from, to } => p(
                "setting_changed",
                format!("setting {key}"),
                Some(json!({ "value": from })),
                Some(json!({ "value": to })),
                None,
            ),
            RunCreated { run: r } => p(
                "run_created",
                format!("run {}", r.id),
                None,
                Some(json!({
                    "title": r.title,
                    "procedure": r.procedure_key,
                    "procedure_version": r.procedure_version,
                    "serial": r.serial,
                    "part": r.part,
                    "steps": r.steps.len(),
                })),
                None,
            ),
            RunStarted { at } => p(
                "run_started",
                in_run(run, ""),
                Some(json!({ "state": RunState::Todo })),
                Some(json!({ "state": RunState::InProgress, "started_at": at })),
                None,
            ),
            RunCompleted { at } => p(
                "run_completed",
                in_run(run, ""),
                Some(json!({ "state": RunState::InProgress })),
                Some(json!({ "state": RunState::Complete, "completed_at": at })),
                None,
            ),
            RunFailed { failure } => p(
                "run_failed",
                in_run(run, ""),
                None,
                Some(json!({
                    "state": RunState::Failed,
                    "issue": failure.issue,
                    "inventory_to": failure.inventory_to,
                })),
                Some(failure.reason.clone()),
            ),
            RunReopened { reason } => p(
                "run_reopened",
                in_run(run, ""),
                Some(json!({ "state": RunState::Complete })),
                Some(json!({ "state": RunState::InProgress })),
                Some(reason.clone()),
            ),
            StepStateChanged {
                step,
                from,
                to,
                reason,
            } => p(
                "step_state_changed",
                in_run(run, &format!("step {step}")),
                Some(json!({ "state": from })),
                Some(json!({ "state": to })),
                reason.clone(),
            ),
            SessionOpened { step, session } => p(
                "check_in",
                in_run(run, &format!("step {step} / session {}", session.id)),
                None,
                Some(json!({ "user": session.user, "started_at": session.started_at })),
                None,
            ),
            SessionClosed {
                step,
                session,
                user,
                at,
                cause,
            } => p(
                "check_out",
                in_run(run, &format!("step {step} / session {session}")),
                None,
                Some(json!({ "user": user, "ended_at": at })),
                cause.map(|c| c.sentence().to_string()),
            ),
            SessionEdited {
                step,
                before,
                after,
                reason,
            } => p(
                "session_edited",
                in_run(run, &format!("step {step} / session {}", before.id)),
                Some(json!({ "started_at": before.started_at, "ended_at": before.ended_at })),
                Some(json!({ "started_at": after.started_at, "ended_at": after.ended_at })),
                Some(reason.clone()),
            ),
            FieldValueSaved { step, field, value } => p(
                "field_value_saved",
                in_run(run, &format!("step {step} / field {field}")),
                value.replaces.map(|id| json!({ "value_id": id })),
                Some(json!({
                    "value_id": value.id,
                    "value": value.value,
                    "verdict": value.verdict,
                })),
                value.reason.clone(),
            ),
            SignatureRecorded {
                step,
                field,
                signature,
            } => p(
                "signature_recorded",
                in_run(run, &format!("step {step} / field {field}")),
                None,
                Some(json!({
                    "meaning": signature.meaning,
                    "name": signature.name,
                    "values_sha256": signature.values_sha256,
                })),
                signature.comment.clone(),
            ),
            DeviationAccepted {
                step,
                field,
                deviation,
            } => p(
                "deviation_accepted",
                in_run(run, &format!("step {step} / field {field}")),
                None,
                Some(json!({ "value_id": deviation.value_id, "issue": deviation.issue })),
                Some(deviation.rationale.clone()),
            ),
            Installed {
                step,
                requirement,
                installation,
            } => p(
                "installed",
                in_run(run, &format!("step {step} / requirement {requirement}")),
                None,
                Some(json!({
                    "installation": installation.id,
                    "identifier": installation.identifier,
                    "part": installation.part,
                    "quantity": installation.quantity,
                    "scanned": installation.scanned,
                })),
                None,
            ),
            Uninstalled {
                step,
                requirement,
                installation,
                ..
            } => p(
                "uninstalled",
                in_run(run, &format!("step {step} / requirement {requirement}")),
                Some(json!({ "installation": installation })),
                None,
                None,
            ),
            RequirementExcepted {
                step,
                requirement,
                exception,
            } => p(
                "requirement_excepted",
                in_run(run, &format!("step {step} / requirement {requirement}")),
                None,
                Some(json!({ "issue": exception.issue })),
                Some(exception.reason.clone()),
            ),
            StepInserted { after, step } => p(
                "step_inserted",
                in_run(run, &format!("step {}", step.key)),
                None,
                Some(json!({
                    "after": after,
                    "position": step.position,
                    "title": step.title,
                    "required": step.required,
                })),
                None,
            ),
            StepSuperseded { step, by } => p(
                "step_superseded",
                in_run(run, &format!("step {step}")),
                None,
                Some(json!({ "superseded_by": by })),
                None,
            ),
            StepDefinitionChanged {
                step,
                before,
                after,
            } => p(
                "step_definition_changed",
                in_run(run, &format!("step {step}")),
                Some(before.clone()),
                Some(after.clone()),
                None,
            ),
            CommentAdded { step, comment } => p(
                "comment_added",
                in_run(run, &format!("step {step}")),
                None,
                Some(json!({ "text": comment.text })),
                None,
            ),
            IssueRaised { issue } => p(
                "issue_raised",
                issue_entity(issue.id),
                None,
                Some(json!({
                    "title": issue.title,
                    "run": issue.run,
                    "step": issue.step,
                    "field": issue.field,
                    "inventory": issue.inventory,
                    "state": issue.state,
                })),
                None,
            ),
            IssueDispositionSet {
                issue,
                from,
                to,
                signature,
            } => p(
                "issue_disposition_set",
                issue_entity(*issue),
                Some(json!({ "disposition": from })),
                Some(json!({ "disposition": to })),
                signature.as_ref().map(|s| s.rationale.clone()),
            ),
            IssueStateChanged {
                issue,
                from,
                to,
                rationale,
            } => p(
                "issue_state_changed",
                issue_entity(*issue),
                Some(json!({ "state": from })),
                Some(json!({ "state": to })),
                rationale.clone(),
            ),
            RedlineProposed { redline } => p(
                "redline_proposed",
                in_run(run, &format!("redline {}", redline.id)),
                None,
                Some(json!({ "step": redline.step, "change": redline.change })),
                Some(redline.reason.clone()),
            ),
            RedlineDecided { redline, to, .. } => p(
                "redline_decided",
                in_run(run, &format!("redline {redline}")),
                Some(json!({ "state": RedlineState::Proposed })),
                Some(json!({ "state": to })),
                None,
            ),
        }
    }
}
