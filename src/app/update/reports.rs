//! The report screen: the cycle-time table per procedure (with the steps of
//! the one under the cursor) and the SPC chart of one numeric field.

use super::board;
use crate::analytics::spc::SpcReport;
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{ReportTab, ReportsData, Screen, State};

pub fn open(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Reports;
    reload(state)
}

pub fn reload(_state: &mut State) -> Vec<Effect> {
    vec![Effect::LoadReports]
}

pub fn loaded(state: &mut State, data: ReportsData) -> Vec<Effect> {
    let r = &mut state.reports;
    r.data = data;
    r.loaded = true;
    r.selected[0] = r.selected[0].min(r.data.cycle.procedures.len().saturating_sub(1));
    r.selected[1] = r.selected[1].min(r.data.fields.len().saturating_sub(1));
    load_selected_field(state)
}

pub fn spc_loaded(state: &mut State, report: SpcReport) {
    // An answer for a field no longer selected (the cursor moved on) is dropped.
    let selected = state.reports.data.fields.get(state.reports.selected[1]);
    if selected.is_some_and(|f| {
        f.procedure == report.procedure && f.step == report.step && f.field == report.field
    }) {
        state.reports.spc = Some(report);
    }
}

fn load_selected_field(state: &mut State) -> Vec<Effect> {
    match state.reports.data.fields.get(state.reports.selected[1]) {
        Some(field) => vec![Effect::LoadSpc(field.clone())],
        None => {
            state.reports.spc = None;
            Vec::new()
        }
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let tab = state.reports.tab;
    let len = match tab {
        ReportTab::CycleTime => state.reports.data.cycle.procedures.len(),
        ReportTab::Spc => state.reports.data.fields.len(),
    };
    let before = state.reports.selected[tab.index()];
    let sel = &mut state.reports.selected[tab.index()];
    match action {
        _ if super::move_cursor(sel, action, len) => {}
        Action::NextTab | Action::PrevTab => {
            state.reports.tab = match tab {
                ReportTab::CycleTime => ReportTab::Spc,
                ReportTab::Spc => ReportTab::CycleTime,
            };
        }
        Action::Back => {
            state.screen = Screen::Board;
            return board::reload(state);
        }
        Action::Reload | Action::Open => return reload(state),
        _ => {}
    }
    if tab == ReportTab::Spc && state.reports.selected[1] != before {
        return load_selected_field(state);
    }
    Vec::new()
}
