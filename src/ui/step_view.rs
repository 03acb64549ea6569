//! The step screen: what to do (instructions), the field form, the build
//! checklist and scan box, sign-offs, labour, comments, and whether it can
//! be completed, with every outstanding item when it cannot.

use super::build_checklist::{requirement_lines, scan_lines};
use super::field_form::{field_lines, step_glyph};
use super::sanitize::{clean, clean_lines};
use super::theme::Theme;
use super::time_text::duration;
use crate::app::state::{State, StepItem, StepView};
use crate::app::step_items::{blockers, current_run, current_step, items};
use crate::domain::{
    checked_in_step, IssueState, RedlineChange, RedlineState, Run, RunState, RunStep, StepState,
};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Width from which the step screen uses two columns.
const WIDE: u16 = 120;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (Some(run), Some(step), Some(view)) =
        (current_run(state), current_step(state), state.step.as_ref())
    else {
        frame.render_widget(Paragraph::new("Loading the step…"), area);
        return;
    };
    let outstanding = blockers(state);
    let bottom = completion_lines(state, run, step, view, &outstanding, theme);
    let width = usize::from(area.width.max(1));
    let bottom_rows: usize = bottom
        .iter()
        .map(|l| l.width().div_ceil(width).max(1))
        .sum();
    let title = title_lines(state, run, step, theme, area.width >= WIDE);
    let title_rows: usize = title.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let [top, middle, foot] = Layout::vertical([
        Constraint::Length(title_rows.min(4) as u16),
        Constraint::Min(3),
        Constraint::Length(bottom_rows.min(12) as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(title).wrap(Wrap { trim: false }), top);
    frame.render_widget(Paragraph::new(bottom).wrap(Wrap { trim: false }), foot);

    if area.width >= WIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(middle);
        draw_items(state, step, view, theme, frame, left, false);
        let mut side = instruction_lines(step, right.width.saturating_sub(2), theme);
        side.push(Line::raw(""));
        side.extend(outstanding_lines(&outstanding, step, theme));
        side.push(Line::raw(""));
        side.extend(info_lines(state, run, step, theme));
        let block = Block::default()
            .borders(Borders::LEFT)
            .border_style(theme.border);
        frame.render_widget(
            Paragraph::new(side).block(block).wrap(Wrap { trim: false }),
            right,
        );
    } else {
        draw_items(state, step, view, theme, frame, middle, true);
    }
}

/// The step's title and state, and who is checked in. Narrow screens leave
/// the run out (the header line names it), and a long title wraps.
fn title_lines(
    state: &State,
    run: &Run,
    step: &RunStep,
    theme: &Theme,
    wide: bool,
) -> Vec<Line<'static>> {
    let (glyph, style) = step_glyph(step.state, theme);
    let mut first = vec![
        Span::styled(
            format!("Step {} · {}", clean(&step.position), clean(&step.title)),
            theme.heading,
        ),
        Span::raw("  "),
        Span::styled(
            format!("{glyph} {}", step.state.name().replace('_', " ")),
            style,
        ),
    ];
    if !step.required {
        first.push(Span::styled("  (optional)", theme.dim));
    }
    if step.superseded_by.is_some() {
        first.push(Span::styled("  superseded by a rework copy", theme.warn));
    }
    if wide {
        first.push(Span::styled(
            format!(
                "   run {} {} ({})",
                run.id,
                clean(&run.serial),
                run.state.name().replace('_', " ")
            ),
            theme.dim,
        ));
    }
    let who = checked_in_step(step);
    let second = if who.is_empty() {
        Line::styled("Nobody is checked in.", theme.dim)
    } else {
        let mine = state
            .session
            .as_ref()
            .is_some_and(|a| who.contains(&a.login));
        Line::from(vec![
            Span::raw("Checked in: "),
            Span::styled(clean(&who.join(", ")).into_owned(), theme.active),
            Span::styled(
                if mine {
                    "  (you are checked in)"
                } else {
                    "  (you are not checked in)"
                },
                theme.dim,
            ),
        ])
    };
    vec![Line::from(first), second]
}

/// Greedy word wrap to `width` cells (instructions are prose).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    for paragraph in clean_lines(text) {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if super::field_form::cells(&candidate) > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        out.push(line);
    }
    out
}

fn instruction_lines(step: &RunStep, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Instructions", theme.heading)];
    if step.instructions.trim().is_empty() {
        lines.push(Line::styled("(none)", theme.dim));
    }
    lines.extend(
        wrap(&step.instructions, usize::from(width.saturating_sub(2)))
            .into_iter()
            .filter(|_| !step.instructions.trim().is_empty())
            .map(|l| Line::raw(format!("  {l}"))),
    );
    lines
}

/// The scrolling list: fields, parts, scan box (and, when narrow, the
/// instructions above and labour and comments below).
fn draw_items(
    state: &State,
    step: &RunStep,
    view: &StepView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    narrow: bool,
) {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut focus_range = (0, 0);
    if narrow {
        lines.extend(instruction_lines(step, area.width, theme));
    }
    let items = items(state);
    let mut section = "";
    for (i, item) in items.iter().enumerate() {
        let focused = i == view.focus;
        let heading = match item {
            StepItem::Field(_) => "Fields",
            StepItem::Requirement(_) | StepItem::Scan => "Parts to install",
        };
        if heading != section {
            section = heading;
            lines.push(Line::styled(heading, theme.heading));
        }
        let start = lines.len();
        match item {
            StepItem::Field(f) => {
                if let Some(field) = step.fields.get(*f) {
                    let editing =
                        focused && view.editing.as_deref() == Some(field.def.name.as_str());
                    lines.extend(field_lines(
                        step,
                        field,
                        view.drafts.get(&field.def.name),
                        focused,
                        editing,
                        state
                            .run
                            .as_ref()
                            .and_then(|r| {
                                r.bundle
                                    .trends
                                    .get(&(step.key.clone(), field.def.name.clone()))
                            })
                            .map(Vec::as_slice)
                            .unwrap_or_default(),
                        &state.zone,
                        theme,
                        area.width,
                    ));
                }
            }
            StepItem::Requirement(r) => {
                if let Some(req) = step.requirements.get(*r) {
                    lines.extend(requirement_lines(req, focused, theme, area.width));
                }
            }
            StepItem::Scan => lines.extend(scan_lines(view, focused, theme, area.width)),
        }
        if focused {
            focus_range = (start, lines.len());
        }
    }
    if items.is_empty() {
        lines.push(Line::styled(
            "This step has no fields and installs no parts.",
            theme.dim,
        ));
    }
    if narrow {
        if let Some(run) = current_run(state) {
            lines.push(Line::raw(""));
            lines.extend(info_lines(state, run, step, theme));
        }
    }
    let rows = usize::from(area.height);
    let mut offset = view.offset.get();
    if focus_range.1 > offset + rows {
        offset = focus_range.1 - rows;
    }
    if focus_range.0 < offset {
        offset = focus_range.0;
    }
    // Near the top, show the headings above the first item too.
    if view.focus == 0 {
        offset = 0;
    }
    view.offset.set(offset);
    let visible: Vec<Line> = lines.into_iter().skip(offset).take(rows).collect();
    frame.render_widget(Paragraph::new(visible), area);
}

/// Labour, redlines and comments.
fn info_lines(state: &State, run: &Run, step: &RunStep, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Labour", theme.heading)];
    let mut users: Vec<&str> = step.sessions.iter().map(|s| s.user.as_str()).collect();
    users.sort();
    users.dedup();
    if users.is_empty() {
        lines.push(Line::styled("  nobody has worked this step yet", theme.dim));
    }
    for user in users {
        let sessions = step.sessions.iter().filter(|s| s.user == user);
        let mut total = 0;
        let mut open = None;
        for s in sessions {
            let end = s.ended_at.unwrap_or(state.now);
            total += (end - s.started_at).num_seconds().max(0);
            if s.ended_at.is_none() {
                open = Some(s.started_at);
            }
        }
        let now_text = match open {
            Some(since) => format!(
                "in since {} ({})",
                state.zone.short(since, state.now),
                duration((state.now - since).num_seconds())
            ),
            None => "checked out".to_string(),
        };
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<10} ", clean(user))),
            Span::styled(
                now_text,
                if open.is_some() {
                    theme.active
                } else {
                    theme.dim
                },
            ),
            Span::styled(format!(" · total {}", duration(total)), theme.dim),
        ]));
    }
    let redlines: Vec<_> = run.redlines.iter().filter(|r| r.step == step.key).collect();
    if !redlines.is_empty() {
        lines.push(Line::styled("Redlines", theme.heading));
        for r in redlines {
            let what = match &r.change {
                RedlineChange::AddStep { def } => format!("add step '{}'", clean(&def.title)),
                RedlineChange::ChangeField { field, def } => format!(
                    "{}: rule {}",
                    clean(field),
                    clean(&crate::domain::rule_text(def))
                ),
                RedlineChange::CorrectInstructions { .. } => "correct the instructions".into(),
            };
            let (state_text, style) = match r.state {
                RedlineState::Proposed => ("waiting for approval", theme.warn),
                RedlineState::Approved => ("approved", theme.good),
                RedlineState::Cancelled => ("cancelled", theme.dim),
            };
            lines.push(Line::from(vec![
                Span::raw(format!("  ✎ {what} — ")),
                Span::styled(state_text, style),
                Span::styled(
                    format!(" (by {}: {})", clean(&r.proposed_by), clean(&r.reason)),
                    theme.dim,
                ),
            ]));
        }
    }
    lines.extend(issue_lines(state, run, step, theme));
    if !step.comments.is_empty() {
        lines.push(Line::styled("Comments", theme.heading));
        for c in step.comments.iter().rev().take(5) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {} {}: ", state.zone.short(c.at, state.now), clean(&c.by)),
                    theme.dim,
                ),
                Span::raw(clean(&c.text).into_owned()),
            ]));
        }
    }
    lines
}

/// Quality issues raised on this step: number, state, title, the run's
/// serial, who raised it, and the whole description.
fn issue_lines(state: &State, run: &Run, step: &RunStep, theme: &Theme) -> Vec<Line<'static>> {
    let Some(view) = &state.run else {
        return Vec::new();
    };
    let issues: Vec<_> = view
        .bundle
        .issues
        .iter()
        .filter(|i| i.step.as_deref() == Some(step.key.as_str()))
        .collect();
    if issues.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Line::styled("Issues", theme.heading)];
    for issue in issues {
        let (glyph, style) = match issue.state {
            IssueState::Open => ("! open", theme.warn),
            IssueState::Dispositioned => ("◐ dispositioned", theme.active),
            IssueState::Closed => ("✓ closed", theme.good),
        };
        lines.push(Line::from(vec![
            Span::raw(format!("  #{} ", issue.id)),
            Span::styled(glyph, style),
            Span::raw(format!(" · {}", clean(&issue.title))),
            Span::styled(
                format!(
                    " — run {} {} · {} {}",
                    run.id,
                    clean(&run.serial),
                    clean(&issue.raised_by),
                    state.zone.short(issue.raised_at, state.now)
                ),
                theme.dim,
            ),
        ]));
        for line in clean_lines(&issue.description) {
            lines.push(Line::raw(format!("    {line}")));
        }
    }
    lines
}

fn outstanding_lines(outstanding: &[String], step: &RunStep, theme: &Theme) -> Vec<Line<'static>> {
    if step.state == StepState::Complete {
        return vec![Line::styled("✓ Complete", theme.good)];
    }
    if outstanding.is_empty() {
        return vec![Line::styled(
            "✓ Nothing outstanding: ready to complete",
            theme.good,
        )];
    }
    let mut lines = vec![Line::styled(
        format!("Outstanding before completion ({})", outstanding.len()),
        theme.heading,
    )];
    lines.extend(
        outstanding
            .iter()
            .map(|o| Line::styled(format!("  • {}", clean(o)), theme.warn)),
    );
    lines
}

/// The fixed bottom of the step screen: can it be completed, and if a
/// completion was just refused, every reason.
fn completion_lines(
    state: &State,
    run: &Run,
    step: &RunStep,
    view: &StepView,
    outstanding: &[String],
    theme: &Theme,
) -> Vec<Line<'static>> {
    let key = state.keymap.label(crate::app::Action::Complete);
    if let Some(reasons) = &view.refused {
        let mut lines = vec![Line::styled(
            format!("✗ Complete ({key}) refused: {} outstanding", reasons.len()),
            theme.bad,
        )];
        lines.extend(
            reasons
                .iter()
                .take(8)
                .map(|r| Line::styled(format!("  • {}", clean(r)), theme.bad)),
        );
        if reasons.len() > 8 {
            lines.push(Line::styled(
                format!("  … and {} more", reasons.len() - 8),
                theme.bad,
            ));
        }
        return lines;
    }
    let line = match (run.state, step.state) {
        (RunState::Complete | RunState::Failed, _) => Line::styled(
            format!(
                "The run is {}: its steps are locked.",
                run.state.name().replace('_', " ")
            ),
            theme.dim,
        ),
        (_, StepState::Complete) => Line::styled(
            format!(
                "✓ Completed by {} at {}.",
                clean(step.completed_by.as_deref().unwrap_or("?")),
                step.completed_at
                    .map(|t| state.zone.date_time(t))
                    .unwrap_or_default()
            ),
            theme.good,
        ),
        (_, StepState::Failed | StepState::OnHold | StepState::Redline) => Line::styled(
            clean(&crate::app::update::step_read_only(state).unwrap_or_default()).into_owned(),
            theme.warn,
        ),
        (_, _) if outstanding.is_empty() => {
            Line::styled(format!("✓ Ready: press {key} to complete."), theme.good)
        }
        _ => Line::from(vec![
            Span::styled(
                format!("Complete ({key}) not possible yet: "),
                theme.disabled,
            ),
            Span::styled(
                format!(
                    "{} outstanding — {}",
                    outstanding.len(),
                    clean(outstanding.first().map(String::as_str).unwrap_or(""))
                ),
                theme.warn,
            ),
        ]),
    };
    vec![line]
}
