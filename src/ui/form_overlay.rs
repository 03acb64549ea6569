//! Pop-up forms and yes/no questions, drawn over the screen.

use super::centered;
use super::field_form::{text_box, truncate_pad};
use super::sanitize::clean;
use super::theme::Theme;
use crate::app::action::Action;
use crate::app::form::{Form, FormInput};
use crate::app::state::State;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(form: &Form, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = 76.min(area.width);
    let label_width = form
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(8)
        .min(28);
    let box_width = usize::from(width).saturating_sub(label_width + 8).max(8);
    let mut lines: Vec<Line> = form
        .intro
        .iter()
        .map(|l| Line::styled(clean(l).into_owned(), theme.dim))
        .collect();
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus && !form.busy;
        let mut label = field.label.clone();
        if field.required {
            label.push('*');
        }
        let mut spans = vec![Span::styled(
            format!("{} ", truncate_pad(&label, label_width + 1)),
            if focused { theme.heading } else { theme.text },
        )];
        match &field.input {
            FormInput::Text(input) => spans.extend(text_box(
                input.value(),
                input.cursor(),
                focused,
                field.masked,
                box_width,
                theme,
            )),
            FormInput::Choice { options, selected } => {
                let text = options
                    .get(*selected)
                    .map(|o| clean(o).into_owned())
                    .unwrap_or_default();
                spans.push(Span::styled(
                    format!("‹ {text} ›"),
                    if focused { theme.selected } else { theme.input },
                ));
                spans.push(Span::styled(
                    format!("  {}/{}", selected + 1, options.len()),
                    theme.dim,
                ));
            }
        }
        lines.push(Line::from(spans));
        if let Some(hint) = &field.hint {
            if focused {
                lines.push(Line::styled(
                    format!("{}{hint}", " ".repeat(label_width + 3)),
                    theme.dim,
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    if form.busy {
        lines.push(Line::styled("Working…", theme.dim));
    }
    for e in &form.errors {
        lines.push(Line::styled(format!("✗ {}", clean(e)), theme.bad));
    }
    lines.push(Line::styled(
        "Enter next / submit · Tab next box · ←/→ change a choice · Esc cancel",
        theme.dim,
    ));
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let height = (rows as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(
            format!(" {} ", clean(&form.title)),
            theme.heading,
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

pub fn render_confirm(question: &str, state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let yes = state.keymap.label(Action::Open);
    let no = state.keymap.label(Action::Back);
    // The box grows with the question, so the yes/no line always shows.
    let mut lines: Vec<Line> = super::step_view::wrap(question, 58)
        .into_iter()
        .map(Line::raw)
        .collect();
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(yes, theme.key),
        Span::raw(" yes   "),
        Span::styled(no, theme.key),
        Span::raw(" no"),
    ]));
    let rect = centered(area, 60, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.warn)
        .title(Span::styled(" Are you sure? ", theme.warn));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
