//! `update(&mut State, Msg) -> Vec<Effect>`: the whole behaviour of the
//! terminal UI as a pure function. One file per screen; this one routes.

mod board;
mod forms;
mod leaving;
mod overlays;
mod quality;
mod reports;
mod results;
mod run_view;
mod sign_in;
mod step;

use super::action::Action;
use super::effect::Effect;
use super::msg::Msg;
use super::state::{Confirmed, Overlay, Screen, State, Status};
use crate::domain::Time;

pub use board::{
    reload as reload_board, sessions_before as board_sessions_before,
    stuck_before as board_stuck_before,
};
pub use step::read_only_reason as step_read_only;
pub use step::{choice_takes_letter, decimal_point, starts_measurement};

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => tick(state, now),
        Msg::Action(action) => {
            state.last_input = state.now;
            on_action(state, action)
        }
        Msg::Edit(edit) => {
            state.last_input = state.now;
            if state.locked || state.session.is_none() {
                sign_in::on_edit(state, &edit);
                return Vec::new();
            }
            match &mut state.overlay {
                Some(Overlay::Form(form)) => {
                    forms::on_edit(form, &edit);
                    Vec::new()
                }
                Some(_) => Vec::new(),
                None => match state.screen {
                    Screen::Board => board::on_edit(state, &edit),
                    Screen::Step => {
                        step::on_edit(state, &edit);
                        Vec::new()
                    }
                    _ => Vec::new(),
                },
            }
        }
        Msg::Scan(text) => {
            state.last_input = state.now;
            on_scan(state, text)
        }
        Msg::DataChanged => refresh(state),
        Msg::SignedIn(result) => sign_in::signed_in(state, result),
        Msg::NewPinNeeded { actor, set_by } => {
            sign_in::new_pin_needed(state, actor, set_by);
            Vec::new()
        }
        Msg::Stopping => leaving::signed_in_user_leaves(state, crate::domain::LeaveCause::Quit),
        Msg::SessionsClosed { login, count } => {
            leaving::sessions_closed(state, &login, count);
            Vec::new()
        }
        Msg::NewPinRefused(sentence) => {
            sign_in::new_pin_refused(state, sentence);
            Vec::new()
        }
        Msg::BoardLoaded(page) => {
            board::loaded(state, page);
            Vec::new()
        }
        Msg::RunFound { reference, run } => board::found(state, &reference, run),
        Msg::RunLoaded { bundle, open_step } => {
            run_view::loaded(state, *bundle, open_step);
            Vec::new()
        }
        Msg::QualityLoaded(data) => {
            quality::loaded(state, data);
            Vec::new()
        }
        Msg::QualityCountsLoaded(counts) => {
            state.quality_counts = state.session.as_ref().map(|_| counts);
            Vec::new()
        }
        Msg::ReportsLoaded(data) => reports::loaded(state, *data),
        Msg::SpcLoaded(report) => {
            reports::spc_loaded(state, *report);
            Vec::new()
        }
        Msg::Executed { tag, outcome } => results::executed(state, tag, outcome),
        Msg::LoadFailed(text) => {
            state.board.loading = false;
            state.status = Some(Status::error(text));
            Vec::new()
        }
    }
}

/// The clock moved: maybe lock the screen after idle minutes.
fn tick(state: &mut State, now: Time) -> Vec<Effect> {
    state.now = now;
    if state.session.is_some()
        && !state.locked
        && state.idle_lock_minutes > 0
        && (now - state.last_input).num_seconds() >= i64::from(state.idle_lock_minutes) * 60
    {
        sign_in::lock(state);
        state.locked_by_hand = false;
        state.status = Some(Status::info(format!(
            "Locked after {} minutes without a key. Everything typed is kept.",
            state.idle_lock_minutes
        )));
        return leaving::signed_in_user_leaves(state, crate::domain::LeaveCause::Lock);
    }
    Vec::new()
}

fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if state.locked || state.session.is_none() {
        if action == Action::Quit {
            return quit(state);
        }
        if action == Action::Help {
            state.overlay = Some(Overlay::Help {
                context: state.context(),
                scroll: 0,
                under: None,
            });
            return Vec::new();
        }
        if matches!(state.overlay, Some(Overlay::Help { .. })) {
            return overlays::on_help(state, action);
        }
        return sign_in::on_action(state, action);
    }
    match &state.overlay {
        Some(Overlay::Help { .. }) => return overlays::on_help(state, action),
        Some(Overlay::Confirm { .. }) => return overlays::on_confirm(state, action),
        Some(Overlay::Event { .. }) => return overlays::on_event(state, action),
        Some(Overlay::OrgSettings) => {
            return match action {
                Action::Quit => quit(state),
                Action::Back | Action::Open | Action::OrgSettings => {
                    state.overlay = None;
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        Some(Overlay::Form(form)) => {
            if action == Action::Help {
                let context = state.context();
                let under = Some(Box::new(form.clone()));
                state.overlay = Some(Overlay::Help {
                    context,
                    scroll: 0,
                    under,
                });
                return Vec::new();
            }
            return forms::on_action(state, action);
        }
        None => {}
    }
    match action {
        Action::Quit => return quit(state),
        Action::Help => {
            state.overlay = Some(Overlay::Help {
                context: state.context(),
                scroll: 0,
                under: None,
            });
            return Vec::new();
        }
        Action::Lock => {
            sign_in::lock(state);
            state.locked_by_hand = true;
            let who = state.session.as_ref().map(|a| a.login.clone());
            state.status = Some(Status::info(match who {
                Some(login) => format!("Locked by {login}. Everything typed is kept."),
                None => "Locked.".to_string(),
            }));
            return leaving::signed_in_user_leaves(state, crate::domain::LeaveCause::Lock);
        }
        _ => {}
    }
    state.status = None;
    match state.screen {
        Screen::SignIn => sign_in::on_action(state, action),
        Screen::Board => board::on_action(state, action),
        Screen::Run => run_view::on_action(state, action),
        Screen::Step => step::on_action(state, action),
        Screen::Quality => quality::on_action(state, action),
        Screen::Reports => reports::on_action(state, action),
    }
}

/// Moves a list cursor for the moving keys (a page is 10 rows) within
/// `len` rows; false when `action` is not one of them.
pub(super) fn move_cursor(cursor: &mut usize, action: Action, len: usize) -> bool {
    let last = len.saturating_sub(1);
    *cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (*cursor + 1).min(last),
        Action::PageUp => cursor.saturating_sub(10),
        Action::PageDown => (*cursor + 10).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}

/// Quit, asking first when something typed would be lost.
fn quit(state: &mut State) -> Vec<Effect> {
    if state.has_unsaved_work() {
        state.overlay = Some(Overlay::Confirm {
            question: "Quit and lose what you typed but did not save?".to_string(),
            then: Confirmed::Quit,
        });
        Vec::new()
    } else {
        leaving::quit_now(state)
    }
}

fn on_scan(state: &mut State, text: String) -> Vec<Effect> {
    if state.locked || state.session.is_none() {
        return sign_in::on_scan(state, &text);
    }
    match &mut state.overlay {
        Some(Overlay::Form(form)) => {
            forms::on_scan(form, &text);
            return forms::on_action(state, Action::Open);
        }
        Some(_) => return Vec::new(),
        None => {}
    }
    match state.screen {
        Screen::Board => board::on_scan(state, text),
        Screen::Step => step::on_scan(state, text),
        _ => vec![Effect::FindRun { reference: text }],
    }
}

/// Another terminal changed the data: reload what is on screen.
fn refresh(state: &mut State) -> Vec<Effect> {
    if state.session.is_none() {
        return Vec::new();
    }
    match state.screen {
        Screen::Board => board::reload(state),
        Screen::Run | Screen::Step => match state.run_id() {
            Some(run) => vec![Effect::LoadRun {
                run,
                open_step: None,
            }],
            None => Vec::new(),
        },
        Screen::Quality => quality::reload(state),
        Screen::Reports => reports::reload(state),
        Screen::SignIn => Vec::new(),
    }
}
