//! Re-signatures on quality decisions. Accepting a deviation and setting a
//! disposition are signed like a sign-off: the signer's login and secret
//! again for this very command, and a rationale kept with the signature.

use super::decide::{need_text, Ctx};
use super::model::*;

/// True unless the signer's current secret was last set by someone else (an
/// admin's reset). A signer the world does not hold reads as their own: the
/// store always loads the acting user.
pub(crate) fn secret_is_signers_own(cx: &Ctx) -> bool {
    cx.world
        .users
        .get(cx.by())
        .is_none_or(|u| u.secret_set_by.is_none())
}

/// The signature record of a decision, adding to `reasons` what is missing:
/// the secret re-entered (`what` names the action: "Accepting a deviation")
/// and a rationale.
pub(crate) fn decision_signature(
    cx: &Ctx,
    what: &str,
    meaning: String,
    rationale: &str,
    reasons: &mut Vec<String>,
) -> DecisionSignature {
    if !cx.actor().reauthenticated {
        reasons.push(format!("{what} is signed: give your login and PIN again."));
    }
    need_text(reasons, "A rationale", rationale);
    DecisionSignature {
        by: cx.by().to_string(),
        name: cx.actor().name.clone(),
        at: cx.now(),
        meaning,
        rationale: rationale.trim().to_string(),
        secret_set_by_signer: secret_is_signers_own(cx),
    }
}

/// The signature of a deviation's acceptance. With the setting
/// `deviation_not_by_recorder` on, nobody who saved a value of the field
/// (any value, not only the current one) may accept its deviation.
pub(crate) fn deviation_signature(
    cx: &Ctx,
    field: &Field,
    rationale: &str,
    reasons: &mut Vec<String>,
) -> DecisionSignature {
    if cx.world.settings.deviation_not_by_recorder && field.recorded_by(cx.by(), None) {
        reasons.push(format!(
            "You saved a value of '{}': a deviation may not be accepted by who recorded it (setting deviation_not_by_recorder).",
            field.def.name
        ));
    }
    decision_signature(
        cx,
        "Accepting a deviation",
        "deviation accepted".to_string(),
        rationale,
        reasons,
    )
}
