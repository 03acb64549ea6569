//! The status line: what just happened, in sentences, with a glyph so the
//! kind reads without colour (✗ error, ✓ done, · note).

use super::sanitize::clean;
use super::theme::Theme;
use super::wrap::wrapped_rows;
use crate::app::state::{State, StatusKind};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Enough for a refusal with its reasons at 80×24; the footer stays.
const MAX_LINES: u16 = 6;

/// Rows the status needs at this width, word-wrapped as drawn (1 when
/// there is none, up to `MAX_LINES`).
pub fn height(state: &State, width: u16) -> u16 {
    let Some(status) = &state.status else {
        return 1;
    };
    let width = usize::from(width.max(10));
    let rows: usize = status
        .lines
        .iter()
        // Each line is drawn after a two-column glyph or indent.
        .map(|l| wrapped_rows(&format!("✗ {}", clean(l)), width))
        .sum();
    (rows as u16).clamp(1, MAX_LINES)
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(status) = &state.status else {
        return;
    };
    let (glyph, style) = match status.kind {
        StatusKind::Error => ("✗ ", theme.bad),
        StatusKind::Success => ("✓ ", theme.good),
        StatusKind::Info => ("· ", theme.text),
    };
    let lines: Vec<Line> = status
        .lines
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Line::from(vec![
                Span::styled(if i == 0 { glyph } else { "  " }, style),
                Span::styled(clean(text).into_owned(), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
