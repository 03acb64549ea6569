//! The quality screen: open issues (disposition, close), deviations waiting,
//! and sign-offs waiting on the user's roles across all runs.

use super::{board, forms};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{QualityData, QualityTab, Screen, State, Status};

pub fn reload(state: &mut State) -> Vec<Effect> {
    let roles = state
        .session
        .as_ref()
        .map(|a| a.roles.clone())
        .unwrap_or_default();
    vec![Effect::LoadQuality { roles }]
}

pub fn loaded(state: &mut State, data: QualityData) {
    let q = &mut state.quality;
    q.data = data;
    q.loaded = true;
    let lens = [
        q.data.issues.len(),
        q.data.deviations.len(),
        q.data.signoffs.len(),
    ];
    for (sel, len) in q.selected.iter_mut().zip(lens) {
        *sel = (*sel).min(len.saturating_sub(1));
    }
}

fn rows(state: &State) -> usize {
    let d = &state.quality.data;
    match state.quality.tab {
        QualityTab::Issues => d.issues.len(),
        QualityTab::Deviations => d.deviations.len(),
        QualityTab::Signoffs => d.signoffs.len(),
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let len = rows(state);
    let tab = state.quality.tab;
    let sel = &mut state.quality.selected[tab.index()];
    match action {
        _ if super::move_cursor(sel, action, len) => {}
        Action::NextTab | Action::PrevTab => {
            let at = tab.index();
            let next = if action == Action::NextTab {
                (at + 1) % 3
            } else {
                (at + 2) % 3
            };
            state.quality.tab = QualityTab::ALL[next];
            state.quality.offset.set(0);
        }
        Action::Back => {
            state.screen = Screen::Board;
            return board::reload(state);
        }
        Action::Reload => return reload(state),
        Action::Open => return open_selected(state),
        Action::SetDisposition => {
            match selected_issue(state) {
                Some((id, current)) => forms::open_disposition(state, id, current),
                None => {
                    state.status = Some(Status::error(
                        "Pick an issue on the Issues tab to set its disposition.",
                    ))
                }
            };
        }
        Action::CloseIssue => match selected_issue(state) {
            Some((id, _)) => forms::open_close_issue(state, id),
            None => {
                state.status = Some(Status::error(
                    "Pick an issue on the Issues tab to close it.",
                ))
            }
        },
        _ => {}
    }
    Vec::new()
}

fn selected_issue(state: &State) -> Option<(i64, Option<crate::domain::Disposition>)> {
    if state.quality.tab != QualityTab::Issues {
        return None;
    }
    let i = state.quality.selected[0];
    state
        .quality
        .data
        .issues
        .get(i)
        .map(|x| (x.id, x.disposition))
}

/// Enter jumps to the run and step the row is about.
fn open_selected(state: &mut State) -> Vec<Effect> {
    let q = &state.quality;
    let i = q.selected[q.tab.index()];
    let target = match q.tab {
        QualityTab::Issues => q
            .data
            .issues
            .get(i)
            .and_then(|x| x.run.map(|run| (run, x.step.clone()))),
        QualityTab::Deviations => q
            .data
            .deviations
            .get(i)
            .map(|d| (d.run, Some(d.step.clone()))),
        QualityTab::Signoffs => q
            .data
            .signoffs
            .get(i)
            .map(|s| (s.run, Some(s.step.clone()))),
    };
    match target {
        Some((run, open_step)) => vec![Effect::LoadRun { run, open_step }],
        None => {
            state.status = Some(Status::info("Nothing to open here."));
            Vec::new()
        }
    }
}
