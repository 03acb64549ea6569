//! The run screen: its steps, its history, failing and reopening the run.

use super::{board, forms, quality};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{Overlay, RunBundle, RunView, Screen, State, StepView};

/// A run arrived: open it (from the board, a scan, the quality screen) or
/// refresh the one on screen, keeping the cursor and any drafts.
pub fn loaded(state: &mut State, bundle: RunBundle, open_step: Option<String>) {
    let same_run = state.run_id() == Some(bundle.run.id);
    match (&mut state.run, same_run) {
        (Some(view), true) => {
            view.bundle = bundle;
            view.blockers.replace(None);
            view.selected = view
                .selected
                .min(view.bundle.run.steps.len().saturating_sub(1));
            view.history_selected = view
                .history_selected
                .min(view.bundle.history.len().saturating_sub(1));
        }
        _ => {
            let selected = first_open_step(&bundle);
            state.run = Some(RunView::new(bundle, selected));
            state.step = None;
        }
    }
    super::step::rebase_drafts(state);
    let open_step = match state.advance_after.take() {
        Some(done) => match next_step_to_work(state, &done) {
            Some(next) => Some(next),
            None => {
                state.screen = Screen::Run;
                state.step = None;
                if let Some(status) = &mut state.status {
                    status.lines.push("No other step can be worked now.".into());
                }
                return;
            }
        },
        None => open_step,
    };
    if let Some(key) = open_step {
        let return_to = if state.screen == Screen::Quality {
            Screen::Quality
        } else {
            Screen::Run
        };
        if let Some(view) = &mut state.run {
            if let Some(i) = view.bundle.run.steps.iter().position(|s| s.key == key) {
                view.selected = i;
            }
        }
        if state.step.as_ref().map(|s| &s.key) != Some(&key) {
            state.step = Some(StepView::new(&key, return_to));
        }
        state.screen = Screen::Step;
        return;
    }
    if !same_run || matches!(state.screen, Screen::Board | Screen::Quality) {
        state.screen = Screen::Run;
    }
}

/// After completing `done`, the next step that can be worked, if any.
fn next_step_to_work(state: &State, done: &str) -> Option<String> {
    let run = &state.run.as_ref()?.bundle.run;
    crate::domain::next_workable_step(run, done).map(|s| s.key.clone())
}

/// The cursor starts on the active step: the first one not complete.
fn first_open_step(bundle: &RunBundle) -> usize {
    bundle
        .run
        .steps
        .iter()
        .position(|s| s.superseded_by.is_none() && s.state != crate::domain::StepState::Complete)
        .unwrap_or(0)
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(view) = &mut state.run else {
        state.screen = Screen::Board;
        return board::reload(state);
    };
    let (cursor, len) = if view.show_history {
        (&mut view.history_selected, view.bundle.history.len())
    } else {
        (&mut view.selected, view.bundle.run.steps.len())
    };
    match action {
        _ if super::move_cursor(cursor, action, len) => {}
        Action::History => view.show_history = !view.show_history,
        Action::Open if view.show_history => {
            if let Some(row) = view.bundle.history.get(view.history_selected) {
                state.overlay = Some(Overlay::Event {
                    row: Box::new(row.clone()),
                    scroll: 0,
                });
            }
        }
        Action::Open if !view.show_history => {
            if let Some(step) = view.bundle.run.steps.get(view.selected) {
                let key = step.key.clone();
                if state.step.as_ref().map(|s| &s.key) != Some(&key) {
                    state.step = Some(StepView::new(&key, Screen::Run));
                }
                state.screen = Screen::Step;
            }
        }
        Action::Back if view.show_history => view.show_history = false,
        Action::Back => {
            state.screen = Screen::Board;
            return board::reload(state);
        }
        Action::Reload => {
            return vec![Effect::LoadRun {
                run: view.bundle.run.id,
                open_step: None,
            }]
        }
        Action::FailRun => forms::open_fail_run(state),
        Action::ReopenRun => forms::open_reopen_run(state),
        Action::QualityScreen => {
            state.screen = Screen::Quality;
            return quality::reload(state);
        }
        _ => {}
    }
    Vec::new()
}
