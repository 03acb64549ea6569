//! The help overlay and yes/no questions.

use super::step::{ask_reason_or_save, back_out};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{Confirmed, Overlay, State, Status};

pub fn on_help(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Help { scroll, under, .. }) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll += 1,
        _ => {
            let form = under.take();
            state.overlay = form.map(|f| Overlay::Form(*f));
            if action == Action::Quit {
                return super::quit(state);
            }
        }
    }
    Vec::new()
}

/// The whole-event overlay of the run history: arrows scroll, Esc or Enter close.
pub fn on_event(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Event { scroll, .. }) = &mut state.overlay else {
        return Vec::new();
    };
    match action {
        Action::Quit => return super::quit(state),
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll += 1,
        Action::Back | Action::Open => state.overlay = None,
        _ => {}
    }
    Vec::new()
}

pub fn on_confirm(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Confirm { then, .. }) = &state.overlay else {
        return Vec::new();
    };
    let then = then.clone();
    match action {
        Action::Open => {
            state.overlay = None;
            match then {
                Confirmed::Quit => super::leaving::quit_now(state),
                Confirmed::LeaveStep => back_out(state),
                Confirmed::SaveVoidingApproval { field } => ask_reason_or_save(state, &field, true),
            }
        }
        Action::Back | Action::Quit => {
            state.overlay = None;
            if let Confirmed::SaveVoidingApproval { field } = then {
                state.status = Some(Status::info(format!(
                    "{field} not saved; the approval still counts and your draft is kept."
                )));
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
