//! Drawing: `render(&State, &Theme, &mut Frame)`, a pure function of the
//! state (no IO, no clock: times come from `State::now`). One file per screen
//! or widget. Text from the database goes through `sanitize` first.

pub mod build_checklist;
pub mod event_overlay;
pub mod event_sentence;
pub mod field_form;
pub mod footer;
pub mod form_overlay;
pub mod header;
pub mod help;
pub mod org_settings;
pub mod quality;
pub mod reports;
pub mod run_board;
pub mod run_view;
pub mod sanitize;
pub mod sign_in;
pub mod status_line;
pub mod step_view;
pub mod theme;
pub mod time_text;
pub mod wrap;

use crate::app::state::{Overlay, Screen, State};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;
use theme::Theme;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let status_height = status_line::height(state, area.width);
    let footer_height = footer::height(state, theme, area.width);
    let [head, body, status, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_height),
        Constraint::Length(footer_height),
    ])
    .areas(area);
    header::render(state, theme, frame, head);
    if state.session.is_none() || state.locked {
        sign_in::render(state, theme, frame, body);
    } else {
        match state.screen {
            Screen::SignIn => sign_in::render(state, theme, frame, body),
            Screen::Board => run_board::render(state, theme, frame, body),
            Screen::Run => run_view::render(state, theme, frame, body),
            Screen::Step => step_view::render(state, theme, frame, body),
            Screen::Quality => quality::render(state, theme, frame, body),
            Screen::Reports => reports::render(state, theme, frame, body),
        }
        match &state.overlay {
            Some(Overlay::Form(form)) => form_overlay::render(form, theme, frame, body),
            Some(Overlay::Confirm { question, .. }) => {
                form_overlay::render_confirm(question, state, theme, frame, body)
            }
            _ => {}
        }
    }
    if let Some(Overlay::OrgSettings) = &state.overlay {
        org_settings::render(&state.board.settings, theme, frame, body);
    }
    if let Some(Overlay::Event { row, scroll }) = &state.overlay {
        event_overlay::render(state, row, *scroll, theme, frame, body);
    }
    if let Some(Overlay::Help {
        context, scroll, ..
    }) = &state.overlay
    {
        help::render(state, *context, *scroll, theme, frame, body);
    }
    status_line::render(state, theme, frame, status);
    footer::render(state, theme, frame, foot);
}

/// A rectangle of at most `width`×`height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The first row to draw so that `selected` is visible in `rows` lines,
/// moving the window as little as possible from `previous`.
pub fn scroll_offset(previous: usize, selected: usize, rows: usize, total: usize) -> usize {
    if rows == 0 {
        return 0;
    }
    let mut offset = previous.min(total.saturating_sub(rows));
    if selected < offset {
        offset = selected;
    } else if selected >= offset + rows {
        offset = selected + 1 - rows;
    }
    offset
}
