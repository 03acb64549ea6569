//! The run board: state tabs, search, paging by key, scans that jump to a run.

use super::quality;
use crate::app::action::Action;
use crate::app::effect::{BoardQuery, Effect};
use crate::app::msg::BoardPage;
use crate::app::state::{BoardTab, Screen, State, Status, BOARD_PAGE};
use crate::app::text_input::Edit;
use crate::domain::{RunId, Time};
use crate::store::board_index::MarkerKind;
use crate::store::{AttentionCutoffs, RunFilter};

/// Largest number of rows a refresh re-reads (rows paged in beyond it are
/// dropped on refresh and paged in again on demand).
const MAX_REFRESH_ROWS: usize = 1000;

/// Runs untouched since this time are stale (the org's `stale_after_hours`,
/// as last loaded with the board).
pub fn stuck_before(state: &State) -> Time {
    state.now - chrono::Duration::hours(i64::from(state.board.settings.stale_after_hours))
}

/// Labour sessions opened before this time are flagged (`max_session_hours`).
pub fn sessions_before(state: &State) -> Time {
    state.now - chrono::Duration::hours(i64::from(state.board.settings.max_session_hours))
}

fn filter(state: &State) -> RunFilter {
    let tab = state.board.tab;
    RunFilter {
        state: match tab {
            BoardTab::State(s) => Some(s),
            _ => None,
        },
        search: Some(state.board.search.value().trim().to_string()).filter(|s| !s.is_empty()),
        untouched_before: (tab == BoardTab::Stuck).then(|| stuck_before(state)),
        open_only: matches!(tab, BoardTab::Stuck | BoardTab::Marker(_)),
        marker: match tab {
            BoardTab::Marker(kind) => Some(kind),
            _ => None,
        },
        marker_before: (tab == BoardTab::Marker(MarkerKind::Session))
            .then(|| sessions_before(state)),
    }
}

/// The all tab, without a search, lists the runs needing someone first:
/// stale or blocked (see `store::attention`).
fn attention_first(state: &State) -> Option<AttentionCutoffs> {
    let plain_all = state.board.tab == BoardTab::All && filter(state).search.is_none();
    plain_all.then(|| AttentionCutoffs {
        stale_before: stuck_before(state),
        sessions_before: sessions_before(state),
    })
}

/// Reloads the board from the top, as many rows as are shown now.
pub fn reload(state: &mut State) -> Vec<Effect> {
    let board = &mut state.board;
    board.generation += 1;
    board.loading = true;
    let limit = board.rows.len().clamp(BOARD_PAGE, MAX_REFRESH_ROWS);
    vec![Effect::LoadBoard(BoardQuery {
        filter: filter(state),
        attention_first: attention_first(state),
        after: None,
        limit,
        generation: state.board.generation,
        stuck_before: stuck_before(state),
    })]
}

/// Starts over from the first row (a new tab or search).
fn restart(state: &mut State) -> Vec<Effect> {
    state.board.rows.clear();
    state.board.selected = 0;
    state.board.offset.set(0);
    reload(state)
}

/// Asks for the next page when the cursor nears the end of what is loaded.
fn maybe_load_more(state: &mut State) -> Vec<Effect> {
    let board = &mut state.board;
    if board.loading || !board.has_more || board.selected + 10 < board.rows.len() {
        return Vec::new();
    }
    let Some(after) = board.next else {
        return Vec::new();
    };
    board.loading = true;
    vec![Effect::LoadBoard(BoardQuery {
        filter: filter(state),
        attention_first: attention_first(state),
        after: Some(after),
        limit: BOARD_PAGE,
        generation: state.board.generation,
        stuck_before: stuck_before(state),
    })]
}

pub fn loaded(state: &mut State, page: BoardPage) {
    if page.generation != state.board.generation {
        return;
    }
    let board = &mut state.board;
    board.loading = false;
    board.loaded = true;
    board.counts = page.counts;
    board.stuck = page.stuck;
    board.settings = page.settings;
    board.has_more = page.full;
    board.next = page.next;
    if page.append {
        board.rows.extend(page.rows);
    } else {
        let kept: Option<RunId> = board.rows.get(board.selected).map(|r| r.id);
        board.rows = page.rows;
        board.selected = kept
            .and_then(|id| board.rows.iter().position(|r| r.id == id))
            .unwrap_or(board.selected);
    }
    board.selected = board.selected.min(board.rows.len().saturating_sub(1));
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if state.board.searching {
        return match action {
            Action::Open => open_search(state),
            Action::Back => {
                state.board.searching = false;
                state.board.search.clear();
                restart(state)
            }
            _ => Vec::new(),
        };
    }
    let len = state.board.rows.len();
    let board = &mut state.board;
    match action {
        Action::Up => board.selected = board.selected.saturating_sub(1),
        Action::Down => board.selected = (board.selected + 1).min(len.saturating_sub(1)),
        Action::PageUp => board.selected = board.selected.saturating_sub(page_rows()),
        Action::PageDown => {
            board.selected = (board.selected + page_rows()).min(len.saturating_sub(1))
        }
        Action::Top => board.selected = 0,
        Action::Bottom => board.selected = len.saturating_sub(1),
        Action::NextTab | Action::PrevTab => {
            let tabs = BoardTab::ALL;
            let at = tabs.iter().position(|t| *t == board.tab).unwrap_or(0);
            let next = if action == Action::NextTab {
                (at + 1) % tabs.len()
            } else {
                (at + tabs.len() - 1) % tabs.len()
            };
            board.tab = tabs[next];
            return restart(state);
        }
        Action::Search => {
            board.searching = true;
            return Vec::new();
        }
        Action::Back if !board.search.is_empty() => {
            board.search.clear();
            return restart(state);
        }
        Action::Reload => return reload(state),
        Action::Open => {
            return match board.rows.get(board.selected) {
                Some(row) => vec![Effect::LoadRun {
                    run: row.id,
                    open_step: None,
                }],
                None => Vec::new(),
            }
        }
        Action::QualityScreen => {
            state.screen = Screen::Quality;
            return quality::reload(state);
        }
        Action::ReportScreen => return super::reports::open(state),
        Action::OrgSettings => {
            let admin = state
                .session
                .as_ref()
                .is_some_and(|a| a.has_role(crate::domain::ADMIN));
            if admin {
                state.overlay = Some(crate::app::state::Overlay::OrgSettings);
            } else {
                state.status = Some(Status::error(
                    "The org rules are shown to admins; ask an admin to see or change them.",
                ));
            }
            return Vec::new();
        }
        _ => {}
    }
    maybe_load_more(state)
}

/// Enter in the search box: a text that is exactly one serial opens its
/// run; otherwise the matching runs stay listed to pick from. Nothing
/// listed at all: the serial is looked up on every tab.
fn open_search(state: &mut State) -> Vec<Effect> {
    let board = &mut state.board;
    board.searching = false;
    let text = board.search.value().trim().to_string();
    if text.is_empty() {
        return Vec::new();
    }
    // Rows are newest first: several runs on one serial open the newest.
    if let Some(row) = board
        .rows
        .iter()
        .find(|r| r.serial.eq_ignore_ascii_case(&text))
    {
        return vec![Effect::LoadRun {
            run: row.id,
            open_step: None,
        }];
    }
    if board.rows.is_empty() {
        return vec![Effect::FindRun { reference: text }];
    }
    let n = board.rows.len();
    state.status = Some(Status::info(format!(
        "{n}{} {} '{}': ↑/↓ and Enter to open one, Esc to clear.",
        if board.has_more { "+" } else { "" },
        if n == 1 { "run matches" } else { "runs match" },
        crate::ui::sanitize::clean(&text)
    )));
    Vec::new()
}

/// Rows a page key moves: a screenful at 80×24.
fn page_rows() -> usize {
    15
}

pub fn on_edit(state: &mut State, edit: &Edit) -> Vec<Effect> {
    if !state.board.searching {
        // A serial typed on the board without `/` (see `input::route`).
        if !matches!(edit, Edit::Insert(_)) {
            return Vec::new();
        }
        state.board.searching = true;
        state.board.search.clear();
    }
    state.board.search.apply(edit);
    restart(state)
}

/// A scanned serial on the board jumps to its run.
pub fn on_scan(state: &mut State, text: String) -> Vec<Effect> {
    state.board.searching = false;
    vec![Effect::FindRun {
        reference: text.trim().to_string(),
    }]
}

pub fn found(state: &mut State, reference: &str, run: Option<RunId>) -> Vec<Effect> {
    match run {
        Some(run) => vec![Effect::LoadRun {
            run,
            open_step: None,
        }],
        None => {
            state.status = Some(Status::error(format!(
                "No run builds the serial '{}'.",
                crate::ui::sanitize::clean(reference)
            )));
            Vec::new()
        }
    }
}
