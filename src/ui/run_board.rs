//! The run board: counts per state, state and blocker tabs, search, and the
//! runs (serial, current step, the most urgent marker, who is checked in,
//! time in the current state, progress; title and procedure when wide), with
//! the selected run's every marker on the line under the table.
//! Only the visible rows are drawn; more are paged in by key.

use super::field_form::{cells, text_box};
use super::sanitize::clean;
use super::scroll_offset;
use super::theme::Theme;
use super::time_text::age;
use super::time_text::Zone;
use crate::app::state::{BoardTab, State};
use crate::app::update::{board_sessions_before, board_stuck_before};
use crate::domain::{RunState, Time};
use crate::store::board_index::{BoardMarker, MarkerKind};
use crate::store::{RunSummary, STUCK_COUNT_CAP};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

fn tab_label(tab: BoardTab) -> &'static str {
    match tab {
        BoardTab::All => "all",
        BoardTab::State(RunState::Todo) => "todo",
        BoardTab::State(RunState::InProgress) => "in progress",
        BoardTab::State(RunState::Complete) => "complete",
        BoardTab::State(RunState::Failed) => "failed",
        BoardTab::Stuck => "! stale",
        BoardTab::Marker(kind) => marker_tab_label(kind),
    }
}

/// The blocker tabs share one slot on the tab line: it names the one shown.
fn marker_tab_label(kind: MarkerKind) -> &'static str {
    match kind {
        MarkerKind::OnHold => "⚑ held",
        MarkerKind::FailedStep => "⚑ failed step",
        MarkerKind::Deviation => "⚑ deviation",
        MarkerKind::Issue => "⚑ open issue",
        MarkerKind::Signoff => "⚑ sign-off",
        MarkerKind::Redline => "⚑ redline",
        MarkerKind::Session => "⚑ long labour",
    }
}

/// `████░░░░ 2/5`: required steps complete of total.
pub fn progress_bar(done: i64, total: i64, width: usize) -> String {
    if width == 0 {
        return format!("{done}/{total}");
    }
    let filled = if total > 0 {
        ((done.clamp(0, total) as usize) * width + (total as usize) / 2) / total as usize
    } else {
        0
    };
    format!(
        "{}{} {done}/{total}",
        "█".repeat(filled),
        "░".repeat(width - filled.min(width))
    )
}

/// What a row is flagged for, most urgent first: its side-table markers
/// (labour sessions only once longer than `max_session_hours`), then stale.
pub fn flags(
    row: &RunSummary,
    stale_before: Time,
    sessions_before: Time,
) -> (Vec<&BoardMarker>, bool) {
    let markers = row
        .markers
        .iter()
        .filter(|m| m.kind != MarkerKind::Session || m.since < sessions_before)
        .collect();
    let stale =
        matches!(row.state, RunState::Todo | RunState::InProgress) && row.updated_at < stale_before;
    (markers, stale)
}

/// A marker in a few words, for the row's status cell.
fn marker_short(m: &BoardMarker, now: Time) -> String {
    let reason = clean(&m.reason);
    match m.kind {
        MarkerKind::OnHold if reason.is_empty() => "⏸ held".to_string(),
        MarkerKind::OnHold => format!("⏸ held: {reason}"),
        MarkerKind::FailedStep => format!("✗ step {} failed", clean(&m.step)),
        MarkerKind::Deviation => "± needs deviation".to_string(),
        MarkerKind::Issue => format!("⚠ issue {}", clean(&m.item)),
        MarkerKind::Signoff => format!("✎ sign: {reason}"),
        MarkerKind::Redline => "✎ redline waits".to_string(),
        MarkerKind::Session => format!("⌛ labour {}", age(m.since, now)),
    }
}

/// A marker in full, for the selected run's detail line.
fn marker_long(m: &BoardMarker, zone: &Zone, now: Time) -> String {
    let step = clean(&m.step);
    let reason = clean(&m.reason);
    let who = clean(&m.who);
    let when = zone.short(m.since, now);
    match m.kind {
        MarkerKind::OnHold => format!(
            "held at step {step}: {} — {who}, since {when}",
            if reason.is_empty() {
                "no reason kept"
            } else {
                &reason
            }
        ),
        MarkerKind::FailedStep => format!("step {step} failed: {reason} — {who}, {when}"),
        MarkerKind::Deviation => {
            format!("step {step} {reason} awaits a deviation — {who}, {when}")
        }
        MarkerKind::Issue => format!("issue {} open: {reason} — {who}, {when}", clean(&m.item)),
        MarkerKind::Signoff => format!("step {step} waits for a {reason} sign-off"),
        MarkerKind::Redline => format!("redline on step {step} waits: {reason} — {who}"),
        MarkerKind::Session => format!("{who} checked in on step {step} since {when}"),
    }
}

fn status_cell(
    row: &RunSummary,
    markers: &[&BoardMarker],
    stale: bool,
    now: Time,
    theme: &Theme,
) -> Cell<'static> {
    let (text, style): (String, Style) = if let Some(m) = markers.first() {
        let style = match m.kind {
            MarkerKind::FailedStep => theme.bad,
            _ => theme.warn,
        };
        (marker_short(m, now), style)
    } else if stale {
        ("! stale".into(), theme.warn)
    } else {
        match row.state {
            RunState::Todo => ("○ todo".into(), theme.dim),
            RunState::InProgress => ("◐ in progress".into(), theme.active),
            RunState::Complete => ("✓ complete".into(), theme.good),
            RunState::Failed => ("✗ failed".into(), theme.bad),
        }
    };
    Cell::from(Span::styled(text, style))
}

/// `2 Fit the shaft seals`: the step the run is on.
fn step_text(row: &RunSummary) -> String {
    match &row.step {
        Some(step) => format!("{} {}", clean(&step.position), clean(&step.title)),
        None => String::new(),
    }
}

/// When the row entered its current state: its step's change, else the run's.
fn state_since(row: &RunSummary) -> Time {
    row.step.as_ref().map_or(row.updated_at, |s| s.since)
}

/// The selected run's whole story in one line: every marker, in full.
fn detail_line(row: &RunSummary, markers: &[&BoardMarker], stale: bool, state: &State) -> String {
    let mut parts: Vec<String> = markers
        .iter()
        .map(|m| marker_long(m, &state.zone, state.now))
        .collect();
    if stale {
        parts.push(format!(
            "untouched since {}",
            state.zone.short(row.updated_at, state.now)
        ));
    }
    if parts.is_empty() {
        parts.push(match &row.step {
            Some(step) => format!(
                "on step {} {}",
                clean(&step.position),
                crate::domain::StepState::name(step.state).replace('_', " ")
            ),
            None => "nothing holds it".to_string(),
        });
    }
    format!("{}: {}", clean(&row.serial), parts.join(" · "))
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let board = &state.board;
    let [counts, tabs, table, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        // The selected run's every marker, wrapped onto a second line if need be.
        Constraint::Length(if board.rows.is_empty() { 0 } else { 2 }),
    ])
    .areas(area);

    let stale_hours = board.settings.stale_after_hours;
    let n = |s: &str| board.counts.get(s).copied().unwrap_or(0);
    let mut count_spans = vec![
        Span::styled(format!("○ todo {}", n("todo")), theme.text),
        Span::styled(" · ", theme.dim),
        Span::styled(format!("◐ in progress {}", n("in_progress")), theme.active),
        Span::styled(" · ", theme.dim),
        Span::styled(format!("✓ complete {}", n("complete")), theme.good),
        Span::styled(" · ", theme.dim),
        Span::styled(format!("✗ failed {}", n("failed")), theme.bad),
        Span::styled(" · ", theme.dim),
    ];
    let threshold = if area.width >= 120 {
        format!(" (open runs untouched > {stale_hours}h; the stale tab lists them)")
    } else {
        format!(" (>{stale_hours}h)")
    };
    count_spans.push(Span::styled(
        format!("! stale {}{threshold}", stuck_count_text(board.stuck)),
        if board.stuck > 0 {
            theme.warn
        } else {
            theme.dim
        },
    ));
    frame.render_widget(Paragraph::new(Line::from(count_spans)), counts);

    let roomy = area.width >= 100;
    let mut tab_spans = Vec::new();
    let on_marker_tab = matches!(board.tab, BoardTab::Marker(_));
    for tab in BoardTab::ALL {
        // One slot for the blocker tabs: the one shown, or a pointer to them.
        let label = match tab {
            BoardTab::Marker(_) if tab != board.tab => {
                if on_marker_tab || tab != BoardTab::Marker(MarkerKind::OnHold) {
                    continue;
                }
                "⚑ blockers"
            }
            _ => tab_label(tab),
        };
        let label = if roomy {
            format!(" {label} ")
        } else {
            label.to_string()
        };
        if tab == board.tab {
            tab_spans.push(Span::styled(format!("[{label}]"), theme.tab_active));
        } else {
            let style = if tab == BoardTab::Stuck && board.stuck > 0 {
                theme.warn
            } else {
                theme.dim
            };
            tab_spans.push(Span::styled(format!(" {label} "), style));
        }
    }
    tab_spans.push(Span::raw(if roomy { "   " } else { " " }));
    let used: usize = tab_spans.iter().map(|s| s.width()).sum();
    if board.searching || !board.search.is_empty() {
        tab_spans.push(Span::raw("find "));
        // The box fits the line, closing bracket included.
        let room = usize::from(area.width).saturating_sub(used + 5 + 2);
        tab_spans.extend(text_box(
            board.search.value(),
            board.search.cursor(),
            board.searching,
            false,
            room.clamp(6, 24),
            theme,
        ));
    } else {
        let key = state.keymap.label(crate::app::Action::Search);
        let long = format!("scan or {key} to find a serial");
        let hint = if used + cells(&long) <= usize::from(area.width) {
            long
        } else {
            format!("{key} find")
        };
        tab_spans.push(Span::styled(hint, theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(tab_spans)), tabs);

    if board.rows.is_empty() {
        let text = if !board.loaded || board.loading {
            "Loading runs…".to_string()
        } else if board.search.is_empty() {
            "No runs here.".to_string()
        } else {
            format!("No run matches '{}'.", clean(board.search.value()))
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)), table);
        return;
    }

    let visible_rows = usize::from(table.height.saturating_sub(1));
    let offset = scroll_offset(
        board.offset.get(),
        board.selected,
        visible_rows,
        board.rows.len(),
    );
    board.offset.set(offset);
    let stale_before = board_stuck_before(state);
    let sessions_before = board_sessions_before(state);
    let wide = area.width >= 120;
    let bar_width = if wide {
        10
    } else if roomy {
        5
    } else {
        0
    };
    // Fixed columns as narrow as what they show; who is on the run gets
    // room before the step's title, which takes the rest.
    let shown = || board.rows.iter().skip(offset).take(visible_rows);
    let longest = |f: &dyn Fn(&RunSummary) -> String, header: &str, most: usize| {
        shown()
            .map(|r| cells(&f(r)))
            .chain([cells(header)])
            .max()
            .unwrap_or(0)
            .min(most) as u16
    };
    let serial_col = longest(&|r| clean(&r.serial).into_owned(), "Serial", 16);
    let procedure_col = longest(
        &|r| clean(&r.procedure_key).into_owned(),
        "Procedure",
        if wide { 16 } else { 10 },
    );
    let who_col = longest(&|r| clean(&r.checked_in).into_owned(), "Who", 24);
    let status_col = if roomy { 24 } else { 18 };
    let rows = board
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible_rows)
        .map(|(i, r)| {
            let (markers, stale) = flags(r, stale_before, sessions_before);
            let style = if i == board.selected {
                theme.selected
            } else {
                Style::default()
            };
            let mut cells_row = vec![
                Cell::from(clean(&r.serial).into_owned()),
                Cell::from(step_text(r)),
                status_cell(r, &markers, stale, state.now, theme),
                Cell::from(clean(&r.checked_in).into_owned()),
                Cell::from(age(state_since(r), state.now)),
                Cell::from(progress_bar(r.required_done, r.required_total, bar_width)),
            ];
            if roomy {
                cells_row.push(Cell::from(clean(&r.title).into_owned()));
                cells_row.push(Cell::from(clean(&r.procedure_key).into_owned()));
            }
            if wide {
                cells_row.push(Cell::from(Span::styled(
                    format!("{} {}", age(r.updated_at, state.now), clean(&r.updated_by)),
                    theme.dim,
                )));
            }
            Row::new(cells_row).style(style)
        });
    let bar_col = if bar_width > 0 { bar_width + 6 } else { 5 } as u16;
    let mut widths = vec![
        Constraint::Length(serial_col),
        Constraint::Fill(2),
        Constraint::Length(status_col),
        Constraint::Length(who_col),
        Constraint::Length(4),
        Constraint::Length(bar_col),
    ];
    let mut header = vec![
        "Serial",
        "Step",
        "Status",
        "Who",
        "For",
        if bar_width > 0 { "Progress" } else { "Done" },
    ];
    if roomy {
        widths.push(Constraint::Fill(1));
        widths.push(Constraint::Length(procedure_col));
        header.push("Title");
        header.push("Procedure");
    }
    if wide {
        widths.push(Constraint::Length(16));
        header.push("Last change");
    }
    let header = Row::new(header).style(theme.heading);
    let table_widget = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table_widget, table);
    if board.has_more && offset + visible_rows >= board.rows.len() {
        let more = " more below: ↓ loads the next page ";
        let w = cells(more) as u16;
        if table.width > w {
            let r = Rect {
                x: table.x + table.width - w,
                y: table.y + table.height - 1,
                width: w,
                height: 1,
            };
            frame.render_widget(Paragraph::new(Span::styled(more, theme.dim)), r);
        }
    }
    if let Some(row) = board.rows.get(board.selected) {
        let (markers, stale) = flags(row, stale_before, sessions_before);
        let style = if markers.is_empty() && !stale {
            theme.dim
        } else {
            theme.warn
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                detail_line(row, &markers, stale, state),
                style,
            ))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            detail,
        );
    }
}

/// The stuck count as the board shows it: the store stops counting at
/// `STUCK_COUNT_CAP`, so from there on it reads "999+".
fn stuck_count_text(n: i64) -> String {
    if n >= STUCK_COUNT_CAP {
        format!("{}+", STUCK_COUNT_CAP - 1)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stuck_count_reads_999_plus_once_the_store_stops_counting() {
        assert_eq!(stuck_count_text(0), "0");
        assert_eq!(stuck_count_text(STUCK_COUNT_CAP - 1), "999");
        assert_eq!(stuck_count_text(STUCK_COUNT_CAP), "999+");
    }
}
