//! `?`: every key of the current screen, generated from the keymap (so
//! remapped keys are what it shows). Two columns when there is room.

use super::centered;
use super::field_form::truncate_pad;
use super::theme::Theme;
use crate::app::action::{Action, Context};
use crate::app::state::State;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// (keys, what they do) for every action of a context.
pub fn entries(state: &State, context: Context) -> Vec<(String, String)> {
    Action::ALL
        .iter()
        .filter(|a| a.applies_in(context) && crate::app::offered::offered(state, **a))
        .map(|a| {
            (
                state.keymap.labels(*a, context),
                a.describe(context).to_string(),
            )
        })
        .filter(|(keys, _)| !keys.is_empty())
        .collect()
}

pub fn render(
    state: &State,
    context: Context,
    scroll: usize,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let entries = entries(state, context);
    let key_width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(4)
        .min(14);
    let width = area.width.min(100);
    let columns = if width >= 76 && entries.len() > 8 {
        2
    } else {
        1
    };
    let column_width = usize::from(width.saturating_sub(2)) / columns;
    let cell = |(keys, what): &(String, String)| {
        vec![
            Span::styled(format!(" {} ", truncate_pad(keys, key_width)), theme.key),
            Span::raw(truncate_pad(
                what,
                column_width.saturating_sub(key_width + 3),
            )),
        ]
    };
    let per_column = entries.len().div_ceil(columns);
    let mut lines: Vec<Line> = Vec::new();
    if matches!(context, Context::Board | Context::BoardSearch) {
        let key = state.keymap.label(Action::Search);
        lines.push(Line::styled(
            format!(" Scan or {key} to find a serial: Enter on an exact serial opens its run."),
            theme.dim,
        ));
    }
    if context.takes_text() {
        lines.push(Line::styled(
            " Typing goes into the box; Backspace, Del, ←/→, Home/End, Ctrl-U edit it.",
            theme.dim,
        ));
    }
    for row in 0..per_column {
        let mut spans = Vec::new();
        for col in 0..columns {
            if let Some(entry) = entries.get(col * per_column + row) {
                spans.extend(cell(entry));
            }
        }
        lines.push(Line::from(spans));
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    let inner_rows = usize::from(height.saturating_sub(2));
    let max_scroll = lines.len().saturating_sub(inner_rows);
    let scroll = scroll.min(max_scroll);
    let more = if scroll < max_scroll {
        " ↓ more "
    } else {
        ""
    };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(
            format!(" Keys: {} (Esc closes) ", context.name()),
            theme.heading,
        ))
        .title_bottom(Span::styled(more, theme.dim));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        rect,
    );
}
