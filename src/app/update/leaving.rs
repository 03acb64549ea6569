//! A user leaving the terminal (quit, another user signing in over the
//! lock, the screen locking): the terminal asks the store to close their
//! labour sessions; the org's settings decide whether it does.

use crate::app::effect::Effect;
use crate::app::state::{State, Status};
use crate::domain::{Actor, LeaveCause};

/// The effect that closes `actor`'s sessions for `cause`.
pub fn close_sessions(actor: &Actor, cause: LeaveCause) -> Effect {
    Effect::CloseSessionsOnLeaving {
        actor: actor.clone(),
        cause,
    }
}

/// As `close_sessions`, for whoever is signed in (nobody: nothing to do).
pub fn signed_in_user_leaves(state: &State, cause: LeaveCause) -> Vec<Effect> {
    state
        .session
        .iter()
        .map(|actor| close_sessions(actor, cause))
        .collect()
}

/// Quits at once: the signed-in user's sessions first, then the loop ends.
pub fn quit_now(state: &mut State) -> Vec<Effect> {
    let mut effects = signed_in_user_leaves(state, LeaveCause::Quit);
    state.quit = true;
    effects.push(Effect::Quit);
    effects
}

/// The store closed `count` sessions of `login`: said on the status line,
/// after whatever it already says.
pub fn sessions_closed(state: &mut State, login: &str, count: usize) {
    if count == 0 {
        return;
    }
    let closed = format!(
        "{login}'s {count} open labour session{} closed.",
        if count == 1 { " was" } else { "s were" }
    );
    match &mut state.status {
        Some(status) => status.lines.push(closed),
        None => state.status = Some(Status::info(closed)),
    }
}
