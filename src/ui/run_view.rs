//! The run screen: the run's state and timestamps, who is checked in, its
//! steps with state glyphs and positions (the active one marked), and its
//! history newest first, one plain sentence a row (Enter shows the whole event).

use super::event_overlay::{person, row_sentence};
use super::field_form::{cells, step_glyph, truncate_pad};
use super::sanitize::clean;
use super::scroll_offset;
use super::theme::Theme;
use crate::app::state::{RunView, State};
use crate::domain::{checked_in, checked_in_step, required_progress, waiting_on, RunState};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(view) = &state.run else {
        frame.render_widget(Paragraph::new("Loading the run…"), area);
        return;
    };
    let summary = summary_lines(state, view, theme);
    let width = usize::from(area.width.max(1));
    let summary_rows: usize = summary
        .iter()
        .map(|l| l.width().div_ceil(width).max(1))
        .sum();
    let [top, rest] =
        Layout::vertical([Constraint::Length(summary_rows as u16), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(summary).wrap(Wrap { trim: false }), top);
    if view.show_history {
        history(state, view, theme, frame, rest);
    } else {
        steps(state, view, theme, frame, rest);
    }
}

fn summary_lines(state: &State, view: &RunView, theme: &Theme) -> Vec<Line<'static>> {
    let run = &view.bundle.run;
    let zone = &state.zone;
    let (done, total) = required_progress(run);
    let state_style = match run.state {
        RunState::Todo => theme.dim,
        RunState::InProgress => theme.active,
        RunState::Complete => theme.good,
        RunState::Failed => theme.bad,
    };
    let glyph = match run.state {
        RunState::Todo => "○",
        RunState::InProgress => "◐",
        RunState::Complete => "✓",
        RunState::Failed => "✗",
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(
                "Run {} · {} · {}",
                run.id,
                clean(&run.serial),
                clean(&run.title)
            ),
            theme.heading,
        ),
        Span::raw("  "),
        Span::styled(
            format!("{glyph} {}", run.state.name().replace('_', " ")),
            state_style,
        ),
        Span::styled(
            format!(
                "  {} v{} · part {} · {done}/{total} required steps",
                clean(&run.procedure_key),
                run.procedure_version,
                clean(&run.part)
            ),
            theme.dim,
        ),
    ])];
    let time =
        |t: Option<crate::domain::Time>| t.map(|t| zone.date_time(t)).unwrap_or_else(|| "—".into());
    lines.push(Line::styled(
        format!(
            "created {} · started {} · completed {} · updated {} by {}",
            zone.date_time(run.created_at),
            time(run.started_at),
            time(run.completed_at),
            zone.date_time(run.updated_at),
            clean(&run.updated_by)
        ),
        theme.dim,
    ));
    let who = checked_in(run);
    lines.push(Line::from(vec![
        Span::raw("Checked in: "),
        if who.is_empty() {
            Span::styled("nobody", theme.dim)
        } else {
            Span::styled(clean(&who.join(", ")).into_owned(), theme.active)
        },
    ]));
    if let Some(f) = &run.failure {
        lines.push(Line::styled(
            format!(
                "✗ Failed by {} at {}: {} (unit {})",
                clean(&f.by),
                zone.date_time(f.at),
                clean(&f.reason),
                match f.inventory_to {
                    crate::domain::FailInventoryTo::Scrapped => "scrapped",
                    crate::domain::FailInventoryTo::Quarantined => "quarantined",
                }
            ),
            theme.bad,
        ));
    }
    for waiting in waiting_on(&view.bundle.settings, run, &view.bundle.issues) {
        lines.push(Line::styled(format!("! {}", clean(&waiting)), theme.warn));
    }
    lines
}

fn steps(state: &State, view: &RunView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let run = &view.bundle.run;
    let rows_visible = usize::from(area.height.saturating_sub(1));
    let offset = scroll_offset(
        view.offset.get(),
        view.selected,
        rows_visible,
        run.steps.len(),
    );
    view.offset.set(offset);
    // Narrow: the completion shows its time only (the state column says ✓),
    // and the fixed columns are as wide as what they hold, so titles fit.
    let narrow = area.width < 100;
    let completed_text = |s: &crate::domain::RunStep| -> String {
        s.completed_at
            .map(|t| {
                let when = state.zone.short(t, state.now);
                if narrow {
                    when
                } else {
                    format!(
                        "✓ {} {when}",
                        clean(s.completed_by.as_deref().unwrap_or(""))
                    )
                }
            })
            .unwrap_or_default()
    };
    let shown = || run.steps.iter().skip(offset).take(rows_visible);
    let who_col = shown()
        .map(|s| super::field_form::cells(&clean(&checked_in_step(s).join(", "))))
        .chain([10])
        .max()
        .unwrap_or(10)
        .min(24) as u16;
    let done_col = shown()
        .map(|s| super::field_form::cells(&completed_text(s)))
        .chain([9])
        .max()
        .unwrap_or(9)
        .min(30) as u16;
    let rows = run
        .steps
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_visible)
        .map(|(i, s)| {
            let (glyph, style) = step_glyph(s.state, theme);
            // One cursor: ▶ and the highlight both mark the row Enter opens.
            let marker = if i == view.selected { "▶" } else { " " };
            let mut title = clean(&s.title).into_owned();
            if !s.required {
                title.push_str(" (optional)");
            }
            if s.superseded_by.is_some() {
                title.push_str(" (superseded)");
            }
            let row_style = if i == view.selected {
                theme.selected
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(Span::styled(marker, theme.heading)),
                Cell::from(clean(&s.position).into_owned()),
                Cell::from(Span::styled(
                    format!("{glyph} {}", s.state.name().replace('_', " ")),
                    style,
                )),
                Cell::from(title),
                Cell::from(Span::styled(
                    clean(&checked_in_step(s).join(", ")).into_owned(),
                    theme.active,
                )),
                Cell::from(Span::styled(completed_text(s), theme.dim)),
            ])
            .style(row_style)
        });
    let header =
        Row::new(vec!["", "#", "State", "Step", "Checked in", "Completed"]).style(theme.heading);
    let widths = [
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Length(13),
        Constraint::Fill(1),
        Constraint::Length(who_col),
        Constraint::Length(done_col),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

fn history(state: &State, view: &RunView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows_data = &view.bundle.history;
    let [title, table] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "History, newest first ({} events) · Enter shows the whole event",
                rows_data.len()
            ),
            theme.heading,
        )),
        title,
    );
    let rows_visible = usize::from(table.height);
    let offset = scroll_offset(
        view.history_offset.get(),
        view.history_selected,
        rows_visible,
        rows_data.len(),
    );
    view.history_offset.set(offset);
    let width = usize::from(table.width);
    let lines: Vec<Line> = rows_data
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_visible)
        .map(|(i, a)| {
            let tail = format!(
                " — {}, {}",
                person(state, &a.user),
                state.zone.short(a.at, state.now)
            );
            let tail = clean(&tail).into_owned();
            let room = width.saturating_sub(cells(&tail)).max(10);
            let said = truncate_pad(&clean(&row_sentence(state, a)), room)
                .trim_end()
                .to_string();
            let style = if i == view.history_selected {
                theme.selected
            } else {
                Style::default()
            };
            Line::from(vec![Span::raw(said), Span::styled(tail, theme.dim)]).style(style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), table);
}
