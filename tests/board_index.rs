//! The board's side tables (schema 7): kept by `write_back` with every
//! command, filled by the upgrade from schema 6, and checked by `traveler check`.

mod common;
mod old_schema;

use common::*;
use traveler::domain::*;
use traveler::store::board_index::MarkerKind;
use traveler::store::{schema, AttentionCutoffs, RunFilter, RunSummary, Store};

fn board_row(store: &Store, run: RunId) -> RunSummary {
    store
        .list_runs(&RunFilter::default(), None, 100)
        .expect("board")
        .into_iter()
        .find(|r| r.id == run)
        .expect("the run is on the board")
}

fn check_problems(store: &Store) -> (bool, String) {
    let checks = all_checks(store);
    let board = checks
        .iter()
        .find(|c| c.check == "board tables")
        .expect("traveler check has 'board tables'");
    (board.ok(), board.problems.join(" "))
}

/// A run held on its first step, with an open issue on it.
fn held_run(f: &mut Fixture) -> RunId {
    let run = f.create_run("PU-1");
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    f.set(&operator(), run, "bore", "Bore diameter", "25.01");
    f.ok(
        &operator(),
        Some(run),
        Command::Hold {
            step: "bore".into(),
            reason: "seal driver missing".into(),
        },
    );
    f.ok(
        &operator(),
        Some(run),
        Command::RaiseIssue {
            title: "Seal driver lost".into(),
            description: String::new(),
            step: Some("bore".into()),
            field: None,
            inventory: None,
        },
    );
    run
}

#[test]
fn a_hold_and_an_issue_reach_the_board_with_reason_who_and_since() {
    let mut f = Fixture::with_pump();
    let run = held_run(&mut f);
    let row = board_row(&f.store, run);
    let kinds: Vec<MarkerKind> = row.markers.iter().map(|m| m.kind).collect();
    assert_eq!(kinds[0], MarkerKind::OnHold, "{kinds:?}");
    assert!(kinds.contains(&MarkerKind::Issue), "{kinds:?}");
    let hold = &row.markers[0];
    assert_eq!(hold.reason, "seal driver missing");
    assert_eq!(hold.who, operator().login);
    let step = row.step.expect("current step");
    assert_eq!(step.title, "Measure the housing bore");
    assert_eq!(step.state, StepState::OnHold);
    assert_eq!(check_problems(&f.store), (true, String::new()));

    // Resuming clears the hold; the issue stays until it is closed.
    f.ok(
        &operator(),
        Some(run),
        Command::Resume {
            step: "bore".into(),
        },
    );
    let row = board_row(&f.store, run);
    assert!(row.markers.iter().all(|m| m.kind != MarkerKind::OnHold));
    assert!(row.markers.iter().any(|m| m.kind == MarkerKind::Issue));
    assert!(row.markers.iter().any(|m| m.kind == MarkerKind::Session));

    // The blocker tab finds it by its marker, and not a run without one.
    let other = f.create_run("PU-2");
    let held_tab = |kind| RunFilter {
        marker: Some(kind),
        open_only: true,
        ..RunFilter::default()
    };
    let ids = |filter: &RunFilter| -> Vec<RunId> {
        f.store
            .list_runs(filter, None, 10)
            .expect("tab")
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(&held_tab(MarkerKind::Issue)), vec![run]);
    assert!(ids(&held_tab(MarkerKind::OnHold)).is_empty());
    assert!(!ids(&held_tab(MarkerKind::Issue)).contains(&other));
}

#[test]
fn a_schema_ten_database_with_data_upgrades_with_the_board_tables_filled() {
    let mut f = Fixture::with_pump();
    let run = held_run(&mut f);
    let expected = board_row(&f.store, run);
    drop(f.store);
    // What schema 10 left: the same data, no board tables.
    let old = f.path.with_file_name("ten.db");
    old_schema::schema_copy_of(&f.path, &old, 10);
    let store = Store::open(&old).expect("upgrade");
    let conn = rusqlite::Connection::open(&old).expect("raw");
    assert_eq!(schema::version(&conn).expect("v"), schema::CURRENT_VERSION);
    assert_eq!(board_row(&store, run), expected);
    assert_eq!(check_problems(&store), (true, String::new()));
}

#[test]
fn traveler_check_names_board_rows_edited_behind_its_back() {
    let mut f = Fixture::with_pump();
    let run = held_run(&mut f);
    let conn = rusqlite::Connection::open(&f.path).expect("raw");
    conn.execute_batch(&format!(
        "UPDATE board_markers SET reason = 'forged' WHERE run = {run} AND kind = 'on_hold';
         DELETE FROM board_steps WHERE run = {run};"
    ))
    .expect("tamper");
    let (ok, problems) = check_problems(&f.store);
    assert!(!ok);
    assert!(
        problems.contains(&format!("board markers kept for run {run} (PU-1)")),
        "{problems}"
    );
    assert!(
        problems.contains(&format!("current step kept for run {run} (PU-1)")),
        "{problems}"
    );
}

/// Every row of the all tab, read `page` rows at a time as the terminal
/// pages it.
fn attention_pages(store: &Store, cutoffs: &AttentionCutoffs, page: usize) -> Vec<RunId> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let (rows, next) = store
            .runs_attention_first(cutoffs, after, page)
            .expect("a page");
        ids.extend(rows.iter().map(|r| r.id));
        if rows.len() < page {
            return ids;
        }
        after = next;
    }
}

#[test]
fn the_all_tab_lists_stale_and_blocked_runs_first_then_the_rest_newest_first_page_by_page() {
    let mut f = Fixture::with_pump();
    let start = f.now;
    let stale = f.create_run("PU-STALE");
    f.now = start + chrono::Duration::hours(60);
    let fresh = f.create_run("PU-FRESH");
    let held = held_run(&mut f);
    let newest = f.create_run("PU-NEW");
    let working = f.create_run("PU-WORK");
    f.ok(
        &operator(),
        Some(working),
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    let cutoffs_at = |now: Time| AttentionCutoffs {
        stale_before: now - chrono::Duration::hours(48),
        sessions_before: now - chrono::Duration::hours(12),
    };
    // A fresh check-in is not a blocker; a hold is, and so is 60 h untouched.
    for page in [1, 2, 3, 10] {
        assert_eq!(
            attention_pages(&f.store, &cutoffs_at(f.now), page),
            [held, stale, working, newest, fresh],
            "pages of {page}"
        );
    }
    // Thirteen hours on, the check-in is labour open too long: it moves up.
    let later = f.now + chrono::Duration::hours(13);
    assert_eq!(
        attention_pages(&f.store, &cutoffs_at(later), 2),
        [working, held, stale, newest, fresh]
    );
    // Finished runs are never in the first part, however old.
    f.ok(
        &supervisor(),
        Some(stale),
        Command::FailRun {
            reason: "scrapped at receiving".into(),
            issue: None,
            inventory_to: FailInventoryTo::Scrapped,
        },
    );
    assert_eq!(
        attention_pages(&f.store, &cutoffs_at(f.now), 2),
        [held, working, newest, fresh, stale]
    );
}
