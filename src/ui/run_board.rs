//! The run board: counts per state, state tabs, search, and the runs
//! (serial, title, procedure, state, progress, who is checked in, age).
//! Only the visible rows are drawn; more are paged in by key.

use super::field_form::{cells, text_box};
use super::sanitize::clean;
use super::scroll_offset;
use super::theme::Theme;
use super::time_text::age;
use crate::app::state::{BoardTab, State};
use crate::app::update::board_stuck_before;
use crate::domain::RunState;
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
        BoardTab::Stuck => "! stuck",
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

fn state_cell(row: &RunSummary, stuck: bool, theme: &Theme) -> Cell<'static> {
    let (text, style): (String, Style) = match row.state {
        RunState::Todo if stuck => ("! stuck".into(), theme.warn),
        RunState::Todo => ("○ todo".into(), theme.dim),
        RunState::InProgress => ("◐ in progress".into(), theme.active),
        RunState::Complete => ("✓ complete".into(), theme.good),
        RunState::Failed => ("✗ failed".into(), theme.bad),
    };
    Cell::from(Span::styled(text, style))
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let board = &state.board;
    let [counts, tabs, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);

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
    let threshold = if area.width >= 100 {
        format!(
            " (todo untouched > {}h; the stuck tab lists them)",
            state.stuck_after_hours
        )
    } else {
        format!(" (>{}h)", state.stuck_after_hours)
    };
    count_spans.push(Span::styled(
        format!("! stuck {}{threshold}", stuck_count_text(board.stuck)),
        if board.stuck > 0 {
            theme.warn
        } else {
            theme.dim
        },
    ));
    frame.render_widget(Paragraph::new(Line::from(count_spans)), counts);

    let roomy = area.width >= 100;
    let mut tab_spans = Vec::new();
    for tab in BoardTab::ALL {
        let label = if roomy {
            format!(" {} ", tab_label(tab))
        } else {
            tab_label(tab).to_string()
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
        tab_spans.push(Span::styled(
            format!("scan or {key} to find a serial"),
            theme.dim,
        ));
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
    let stuck_before = board_stuck_before(state);
    let wide = area.width >= 120;
    let bar_width = if wide {
        10
    } else if area.width >= 100 {
        5
    } else {
        0
    };
    // Fixed columns as narrow as what they show; the title takes the rest.
    let shown = || board.rows.iter().skip(offset).take(visible_rows);
    let longest = |f: &dyn Fn(&RunSummary) -> &str, header: &str, most: usize| {
        shown()
            .map(|r| cells(&clean(f(r))))
            .chain([cells(header)])
            .max()
            .unwrap_or(0)
            .min(most) as u16
    };
    let serial_col = longest(&|r| &r.serial, "Serial", 16);
    let procedure_col = longest(
        &|r| &r.procedure_key,
        "Procedure",
        if wide { 16 } else { 10 },
    );
    let who_col = longest(&|r| &r.checked_in, "Who", if wide { 20 } else { 10 });
    let rows = board
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible_rows)
        .map(|(i, r)| {
            let stuck = r.state == RunState::Todo && r.updated_at < stuck_before;
            let style = if i == board.selected {
                theme.selected
            } else {
                Style::default()
            };
            let mut cells_row = vec![
                Cell::from(clean(&r.serial).into_owned()),
                Cell::from(clean(&r.title).into_owned()),
                Cell::from(clean(&r.procedure_key).into_owned()),
                state_cell(r, stuck, theme),
                Cell::from(progress_bar(r.required_done, r.required_total, bar_width)),
                Cell::from(clean(&r.checked_in).into_owned()),
                Cell::from(age(r.created_at, state.now)),
            ];
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
        Constraint::Fill(1),
        Constraint::Length(procedure_col),
        Constraint::Length(13),
        Constraint::Length(bar_col),
        Constraint::Length(who_col),
        Constraint::Length(4),
    ];
    let mut header = vec![
        "Serial",
        "Title",
        "Procedure",
        "State",
        if bar_width > 0 { "Progress" } else { "Done" },
        "Who",
        "Age",
    ];
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
