//! Sign-offs: who may sign, the re-entered secret, the hash of the values
//! signed, and whether an approval still counts.

use super::decide::{refuse_if_any, Ctx};
use super::decision_signatures::secret_is_signers_own;
use super::event::Event;
use super::model::*;
use super::permissions::may_sign;
use super::queries::*;
use super::Refusal;
use sha2::{Digest, Sha256};

/// What a sign-off field currently says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffStatus {
    /// Nobody has signed yet.
    Pending,
    /// The latest signature approves, and the values are the ones signed.
    Approved,
    /// The latest signature rejects.
    Rejected,
    /// Approved, but a value changed since: the approval no longer counts.
    Void,
}

impl SignoffStatus {
    pub fn name(self) -> &'static str {
        match self {
            SignoffStatus::Pending => "pending",
            SignoffStatus::Approved => "approved",
            SignoffStatus::Rejected => "rejected",
            SignoffStatus::Void => "void",
        }
    }
}

/// SHA-256 (hex) of the step's field values as they stand: for every field
/// that is not a sign-off, in definition order, its name and its current
/// value's id and content (or nothing). Including the value id means any
/// new save, even of the same number, counts as a change.
pub fn values_sha256(step: &RunStep) -> String {
    let doc: Vec<(&str, Option<(u64, &Value)>)> = step
        .fields
        .iter()
        .filter(|f| f.def.field_type != FieldType::Signoff)
        .map(|f| {
            (
                f.def.name.as_str(),
                current_value(f).map(|v| (v.id, &v.value)),
            )
        })
        .collect();
    let text = serde_json::to_string(&doc).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The status of a sign-off field. The latest signature decides: a rejection
/// stands until someone approves; an approval counts only while the step's
/// values hash to what was signed.
pub fn signoff_status(step: &RunStep, field: &Field) -> SignoffStatus {
    match field.signatures.last() {
        None => SignoffStatus::Pending,
        Some(s) if s.meaning == Meaning::Rejected => SignoffStatus::Rejected,
        Some(s) if s.values_sha256 == values_sha256(step) => SignoffStatus::Approved,
        Some(_) => SignoffStatus::Void,
    }
}

/// Approve or reject a sign-off.
///
/// Rules: only a holder of the field's role; the secret re-entered for this
/// command (`actor.reauthenticated`); a comment for a rejection; with
/// `signer_not_performer` on, no performer of the values signed (see
/// [`fields_performed_by`]). SPEC is silent on these, decided here: the step must be
/// `in_progress` or `on_hold` (a hold is how an operator waits on quality);
/// the signer need not be checked in; approving again while the approval
/// still counts is refused as a no-op.
pub(crate) fn sign(
    cx: &Ctx,
    key: &str,
    field_name: &str,
    meaning: Meaning,
    comment: Option<&str>,
) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let field = field_by_name(step, field_name).ok_or_else(|| {
        Refusal::one(format!(
            "Step {} has no field '{field_name}'.",
            step.named()
        ))
    })?;
    if field.def.field_type != FieldType::Signoff {
        return Err(Refusal::one(format!(
            "Field '{field_name}' is not a sign-off."
        )));
    }
    may_sign(cx.actor(), &field.def).map_err(Refusal::one)?;
    let mut reasons = Vec::new();
    if !cx.actor().reauthenticated {
        reasons.push("Signing needs your PIN again.".to_string());
    }
    if !matches!(step.state, StepState::InProgress | StepState::OnHold) {
        reasons.push(format!(
            "Step {} is {}: sign-offs are taken while it is in progress or on hold.",
            step.named(),
            step.state.name()
        ));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    match (meaning, comment) {
        (Meaning::Rejected, None) => reasons.push("A rejection needs a comment.".to_string()),
        (_, Some(c)) => super::decide::need_text(&mut reasons, "The comment", c),
        _ => {}
    }
    if meaning == Meaning::Approved && signoff_status(step, field) == SignoffStatus::Approved {
        reasons.push(format!("Sign-off '{field_name}' is already approved."));
    }
    if cx.world.settings.signer_not_performer {
        let performed = fields_performed_by(step, field, cx.by());
        if !performed.is_empty() {
            reasons.push(format!(
                "You entered {} on this step; the signer may not be the performer (setting signer_not_performer).",
                performed
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    refuse_if_any(reasons)?;
    Ok(vec![Event::SignatureRecorded {
        step: step.key.clone(),
        field: field.def.name.clone(),
        signature: Signature {
            by: cx.by().to_string(),
            name: cx.actor().name.clone(),
            at: cx.now(),
            meaning,
            comment: comment.map(str::to_string),
            values_sha256: values_sha256(step),
            secret_set_by_signer: secret_is_signers_own(cx),
        },
    }])
}

/// The step's fields (not sign-offs) that `login` performed, as far as an
/// approval of `signoff` is concerned: a field whose current value is
/// theirs, or one they saved a value of since the approval's basis (the
/// sign-off's last approval, or the first value when it was never
/// approved). Rule settled on 2026-11-22: a re-entry by someone else does
/// not make the first performer a fit signer (A enters, B re-enters, A may
/// not approve).
pub fn fields_performed_by<'s>(step: &'s RunStep, signoff: &Field, login: &str) -> Vec<&'s str> {
    let basis = signoff
        .signatures
        .iter()
        .rev()
        .find(|s| s.meaning == Meaning::Approved)
        .map(|s| s.at);
    step.fields
        .iter()
        .filter(|f| f.def.field_type != FieldType::Signoff)
        .filter(|f| {
            let current = current_value(f).is_some_and(|v| v.by == login);
            // A value saved in the same instant as the approval counts as after it.
            current || f.recorded_by(login, basis)
        })
        .map(|f| f.def.name.as_str())
        .collect()
}

/// The sign-offs of the step whose approval counts now: any change of a
/// value voids them all, as the signed hash covers every field.
pub fn approvals_a_change_voids(step: &RunStep) -> Vec<&Field> {
    step.fields
        .iter()
        .filter(|f| f.def.field_type == FieldType::Signoff)
        .filter(|f| signoff_status(step, f) == SignoffStatus::Approved)
        .collect()
}

/// "quality's approval of 'QA'" (joined with "and" for several), for the
/// sentences that warn of a void.
pub fn approvals_text(signoffs: &[&Field]) -> String {
    signoffs
        .iter()
        .map(|f| {
            format!(
                "{}'s approval of '{}'",
                f.def.role.as_deref().unwrap_or("the signer"),
                f.def.name
            )
        })
        .collect::<Vec<_>>()
        .join(" and ")
}
