//! The quality screen: open issues, deviations waiting for a decision, and
//! sign-offs waiting on the user's roles across all runs.

use super::field_form::cells;
use super::sanitize::{clean, clean_lines};
use super::scroll_offset;
use super::theme::Theme;
use crate::app::state::{QualityTab, State};
use crate::domain::IssueState;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let q = &state.quality;
    let [tabs, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
    let counts = [
        q.data.issues.len(),
        q.data.deviations.len(),
        q.data.signoffs.len(),
    ];
    let names = ["Open issues", "Deviations waiting", "Sign-offs for you"];
    let mut spans = Vec::new();
    for (i, tab) in QualityTab::ALL.iter().enumerate() {
        let label = format!(" {} ({}) ", names[i], counts[i]);
        if *tab == q.tab {
            spans.push(Span::styled(format!("[{label}]"), theme.tab_active));
        } else {
            spans.push(Span::styled(format!(" {label} "), theme.dim));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
    if !q.loaded {
        frame.render_widget(Paragraph::new("Loading…"), body);
        return;
    }
    let selected = q.selected[q.tab.index()];
    // The selected issue's whole description sits under the list.
    let body = match (q.tab, q.data.issues.get(selected)) {
        (QualityTab::Issues, Some(issue)) => {
            let detail = issue_detail(state, issue, theme);
            let rows = detail.len().min(usize::from(body.height / 3)).max(1) as u16;
            let [list, under] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(rows)]).areas(body);
            frame.render_widget(Paragraph::new(detail).wrap(Wrap { trim: false }), under);
            list
        }
        _ => body,
    };
    let visible = usize::from(body.height.saturating_sub(1));
    let total = counts[q.tab.index()];
    if total == 0 {
        let text = match q.tab {
            QualityTab::Issues => "No open quality issues.",
            QualityTab::Deviations => "No out-of-range value is waiting for a deviation.",
            QualityTab::Signoffs => "No sign-off is waiting on your roles.",
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)), body);
        return;
    }
    // Narrow issue rows take two lines each.
    let row_lines = if q.tab == QualityTab::Issues && body.width < 120 {
        2
    } else {
        1
    };
    let offset = scroll_offset(
        q.offset.get(),
        selected,
        (visible / row_lines).max(1),
        total,
    );
    q.offset.set(offset);
    let style_of = |i: usize| {
        if i == selected {
            theme.selected
        } else {
            Style::default()
        }
    };
    let (header, widths, rows): (Vec<&str>, Vec<Constraint>, Vec<Row>) = match q.tab {
        QualityTab::Issues => {
            let wide = body.width >= 120;
            let issues: Vec<_> = q.data.issues.iter().enumerate().skip(offset).collect();
            let raised_col = issues
                .iter()
                .take(visible)
                .map(|(_, x)| {
                    let by = cells(&clean(&x.raised_by));
                    let at = cells(&state.zone.short(x.raised_at, state.now));
                    if wide {
                        by + 1 + at
                    } else {
                        by.max(at)
                    }
                })
                .chain([6])
                .max()
                .unwrap_or(6)
                .min(30) as u16;
            let about_of = |x: &crate::domain::Issue| {
                [
                    x.run.map(|r| match q.data.serials.get(&r) {
                        Some(serial) => format!("run {r} {}", clean(serial)),
                        None => format!("run {r}"),
                    }),
                    x.step.as_ref().map(|s| format!("step {}", clean(s))),
                    x.field.as_ref().map(|f| clean(f).into_owned()),
                    x.inventory.as_ref().map(|v| clean(v).into_owned()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ")
            };
            let state_of = |x: &crate::domain::Issue| match x.state {
                IssueState::Open => ("! open", theme.warn),
                IssueState::Dispositioned => ("◐ dispositioned", theme.active),
                IssueState::Closed => ("✓ closed", theme.good),
            };
            if wide {
                (
                    vec!["#", "State", "Disposition", "Title", "About", "Raised"],
                    vec![
                        Constraint::Length(5),
                        Constraint::Length(15),
                        Constraint::Length(16),
                        Constraint::Fill(2),
                        Constraint::Fill(1),
                        Constraint::Length(raised_col),
                    ],
                    issues
                        .into_iter()
                        .take(visible)
                        .map(|(i, x)| {
                            let (glyph, st) = state_of(x);
                            Row::new(vec![
                                Cell::from(format!("#{}", x.id)),
                                Cell::from(Span::styled(glyph, st)),
                                Cell::from(
                                    x.disposition
                                        .map(|d| d.name().replace('_', " "))
                                        .unwrap_or_else(|| "—".into()),
                                ),
                                Cell::from(clean(&x.title).into_owned()),
                                Cell::from(about_of(x)),
                                Cell::from(format!(
                                    "{} {}",
                                    clean(&x.raised_by),
                                    state.zone.short(x.raised_at, state.now)
                                )),
                            ])
                            .style(style_of(i))
                        })
                        .collect(),
                )
            } else {
                // Narrow: two lines a row, so nothing is cut. State over
                // disposition, title over what it is about, who over when.
                (
                    vec!["#", "State", "Title · about", "Raised"],
                    vec![
                        Constraint::Length(4),
                        Constraint::Length(16),
                        Constraint::Fill(1),
                        Constraint::Length(raised_col),
                    ],
                    issues
                        .into_iter()
                        .take((visible / 2).max(1))
                        .map(|(i, x)| {
                            let (glyph, st) = state_of(x);
                            let two = |a: Line<'static>, b: Line<'static>| {
                                Cell::from(ratatui::text::Text::from(vec![a, b]))
                            };
                            Row::new(vec![
                                Cell::from(format!("#{}", x.id)),
                                two(
                                    Line::styled(glyph, st),
                                    Line::styled(
                                        x.disposition
                                            .map(|d| d.name().replace('_', " "))
                                            .unwrap_or_else(|| "—".into()),
                                        theme.dim,
                                    ),
                                ),
                                two(
                                    Line::raw(clean(&x.title).into_owned()),
                                    Line::styled(about_of(x), theme.dim),
                                ),
                                two(
                                    Line::raw(clean(&x.raised_by).into_owned()),
                                    Line::styled(
                                        state.zone.short(x.raised_at, state.now),
                                        theme.dim,
                                    ),
                                ),
                            ])
                            .height(2)
                            .style(style_of(i))
                        })
                        .collect(),
                )
            }
        }
        QualityTab::Deviations => (
            vec!["Run", "Serial", "Step", "Field", "Value", "Rule", "By"],
            vec![
                Constraint::Length(5),
                Constraint::Length(12),
                Constraint::Length(5),
                Constraint::Fill(1),
                Constraint::Length(14),
                Constraint::Fill(1),
                Constraint::Length(8),
            ],
            q.data
                .deviations
                .iter()
                .enumerate()
                .skip(offset)
                .take(visible)
                .map(|(i, d)| {
                    Row::new(vec![
                        Cell::from(d.run.to_string()),
                        Cell::from(clean(&d.serial).into_owned()),
                        Cell::from(clean(&d.position).into_owned()),
                        Cell::from(clean(&d.field).into_owned()),
                        Cell::from(Span::styled(format!("✗ {}", clean(&d.value)), theme.bad)),
                        Cell::from(clean(&d.rule).into_owned()),
                        Cell::from(clean(&d.by).into_owned()),
                    ])
                    .style(style_of(i))
                })
                .collect(),
        ),
        QualityTab::Signoffs => (
            vec!["Run", "Serial", "Step", "Sign-off", "Expecting approval by"],
            vec![
                Constraint::Length(5),
                Constraint::Length(12),
                Constraint::Length(5),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
            q.data
                .signoffs
                .iter()
                .enumerate()
                .skip(offset)
                .take(visible)
                .map(|(i, s)| {
                    Row::new(vec![
                        Cell::from(s.run.to_string()),
                        Cell::from(clean(&s.serial).into_owned()),
                        Cell::from(clean(&s.position).into_owned()),
                        Cell::from(clean(&s.field).into_owned()),
                        Cell::from(if s.rejected {
                            Line::from(vec![
                                Span::styled(clean(&s.role).into_owned(), theme.warn),
                                Span::styled(" ↺ again", theme.bad),
                            ])
                        } else {
                            Line::styled(clean(&s.role).into_owned(), theme.warn)
                        }),
                    ])
                    .style(style_of(i))
                })
                .collect(),
        ),
    };
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.heading))
            .column_spacing(1),
        body,
    );
}

/// The selected issue in full: its number, title and run's serial, then
/// every line of its description (escaped).
fn issue_detail(state: &State, issue: &crate::domain::Issue, theme: &Theme) -> Vec<Line<'static>> {
    let serial = issue
        .run
        .and_then(|r| state.quality.data.serials.get(&r))
        .map(|s| format!(" · {}", clean(s)))
        .unwrap_or_default();
    let mut lines = vec![Line::styled(
        format!("#{} {}{serial}", issue.id, clean(&issue.title)),
        theme.heading,
    )];
    let description = if issue.description.trim().is_empty() {
        vec!["(no description)".to_string()]
    } else {
        clean_lines(&issue.description)
    };
    lines.extend(description.into_iter().map(Line::raw));
    lines
}
