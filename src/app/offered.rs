//! Which keys a user is offered: an action none of the user's roles may do
//! is left out of the footer and the help list (an operator sees no approve,
//! reject or fail run). Pressing its key anyway still reaches the engine,
//! which refuses it with its own sentence: this only decides what is shown.

use super::action::Action;
use super::state::State;
use super::step_items::signoff_field;
use crate::domain::permissions::{
    ADMIN_ONLY, QUALITY_ADMIN, QUALITY_SUPERVISOR_ADMIN, SUPERVISOR_ADMIN,
};

/// The roles the engine asks of an action's command (SPEC's permissions
/// table, as `domain::permissions` has it); `None` when any worker may.
fn roles_for(action: Action) -> Option<&'static [&'static str]> {
    Some(match action {
        Action::FailRun => SUPERVISOR_ADMIN,
        Action::ReopenRun | Action::OrgSettings => ADMIN_ONLY,
        Action::ReopenStep | Action::ApproveRedline | Action::AcceptDeviation => {
            QUALITY_SUPERVISOR_ADMIN
        }
        Action::SetDisposition | Action::CloseIssue => QUALITY_ADMIN,
        _ => return None,
    })
}

/// True when the signed-in user could do `action` by their roles (a
/// sign-off: when they hold the role it expects).
pub fn offered(state: &State, action: Action) -> bool {
    let Some(actor) = state.session.as_ref() else {
        return true;
    };
    if matches!(action, Action::Approve | Action::Reject) {
        return match signoff_field(state).and_then(|f| f.def.role.as_deref()) {
            Some(role) => actor.has_role(role),
            None => true,
        };
    }
    roles_for(action).is_none_or(|roles| roles.iter().any(|r| actor.has_role(r)))
}
