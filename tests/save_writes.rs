//! What a save writes. A commit's cost on a real disk grows with the pages
//! it puts in the write-ahead log, so a save writes the rows it changes and
//! no others: the board's and the quality screen's side tables only when
//! what they show moved, a corrected number as one row updated in place,
//! the audit entity index only for events outside a run's own work
//! (schema 15), and a run document that fits its page (the compact stored
//! form). These tests read the log's frames after one save and name the
//! table or index of every page in it (SQLite's `dbstat`).

mod common;
mod old_schema;

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use traveler::bench::ops;
use traveler::domain::*;
use traveler::store::audit::Verification;
use traveler::store::{schema, RunFilter, Store};

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("raw open")
}

/// A generated line of pumps (3 runs) and one run whose bore holds 40 values.
fn generated(dir: &Path) -> (PathBuf, Store, RunId) {
    let path = dir.join("line.db");
    let mut store = Store::open(&path).expect("open");
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    traveler::generate::generate(&mut store, 3, start).expect("generate");
    let long =
        traveler::generate::run_with_values(&mut store, "LONG-1", 40, start).expect("long run");
    (path, store, long)
}

/// The pages `save` put in the log, counted per table or index, with
/// `name:overflow` for a row's overflow pages. The log is emptied first by a
/// checkpoint from a second connection (the store's is idle), which also
/// keeps the log file in place while it is read.
fn pages_written(path: &Path, save: impl FnOnce()) -> BTreeMap<String, usize> {
    let holder = raw(path);
    let (busy, _, _): (i64, i64, i64) = holder
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("checkpoint");
    assert_eq!(busy, 0, "the checkpoint ran to the end");
    save();
    let wal = std::fs::read(path.with_extension("db-wal")).expect("the log");
    assert!(wal.len() > 32, "the save wrote to the log");
    let page_size = u32::from_be_bytes(wal[8..12].try_into().expect("header")) as usize;
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    {
        let mut stmt = holder
            .prepare("SELECT pageno, name, pagetype FROM dbstat")
            .expect("dbstat");
        let rows = stmt
            .query_map([], |r| {
                let kind: String = r.get(2)?;
                let name: String = r.get(1)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    if kind == "overflow" {
                        format!("{name}:overflow")
                    } else {
                        name
                    },
                ))
            })
            .expect("pages");
        for row in rows {
            let (page, name) = row.expect("page");
            names.insert(page, name);
        }
    }
    let mut out = BTreeMap::new();
    let mut at = 32;
    while at + 24 <= wal.len() {
        let page = u32::from_be_bytes(wal[at..at + 4].try_into().expect("frame")) as i64;
        let name = names.get(&page).cloned().unwrap_or_else(|| "(free)".into());
        *out.entry(name).or_insert(0) += 1;
        at += 24 + page_size;
    }
    out
}

fn assert_checks_pass(store: &Store) {
    for check in common::all_checks(store) {
        assert!(
            check.problems.is_empty(),
            "{}: {:?}",
            check.check,
            check.problems
        );
    }
}

/// Trees no value save may touch unless what they hold changed.
const SIDE_TREES: [&str; 7] = [
    "board_markers",
    "board_markers_kind",
    "board_steps",
    "audit_entity",
    "quality_signoffs",
    "quality_deviations",
    "run_state_counts",
];

fn assert_untouched(written: &BTreeMap<String, usize>, trees: &[&str]) {
    for tree in trees {
        assert!(
            !written.contains_key(*tree),
            "the save wrote {tree}: {written:?}"
        );
    }
    assert!(
        !written.keys().any(|k| k.ends_with(":overflow")),
        "the run document spilled onto overflow pages: {written:?}"
    );
}

#[test]
fn a_correction_writes_its_rows_and_no_side_table_whose_rows_did_not_change() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, mut store, long) = generated(dir.path());
    let written = pages_written(&path, || {
        ops::save_value(&mut store, long, 7, true).expect("correction")
    });
    assert_untouched(&written, &SIDE_TREES);
    // The corrected number is updated in place: the indexes of the
    // measurements table keep their entries.
    assert_untouched(&written, &["measurements_run", "measurements_field"]);
    for tree in ["audit", "audit_run", "field_values", "runs", "measurements"] {
        assert!(written.contains_key(tree), "{tree} missing: {written:?}");
    }
    let total: usize = written.values().sum();
    assert!(total <= 10, "{total} pages for one correction: {written:?}");
    // What the screens read still agrees with the record.
    assert_checks_pass(&store);
}

#[test]
fn a_first_value_on_a_fresh_run_adds_its_number_and_leaves_the_board_rows_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, mut store, _) = generated(dir.path());
    let run = ops::fresh_run(&mut store, "FRESH-1").expect("fresh run");
    let written = pages_written(&path, || {
        ops::save_value(&mut store, run, 1, false).expect("first value")
    });
    assert_untouched(&written, &SIDE_TREES);
    for tree in ["measurements", "measurements_run", "measurements_field"] {
        assert!(written.contains_key(tree), "{tree} missing: {written:?}");
    }
    let total: usize = written.values().sum();
    assert!(
        total <= 12,
        "{total} pages for one first value: {written:?}"
    );
    assert_checks_pass(&store);
}

#[test]
fn a_hold_moves_the_board_rows_and_a_release_moves_them_back() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, mut store, long) = generated(dir.path());
    let supervisor = common::actor("supervisor", &[SUPERVISOR]);
    let request = |command| Request {
        actor: supervisor.clone(),
        run: Some(long),
        command,
        seen: Seen::default(),
        now: Utc::now(),
    };
    let held = pages_written(&path, || {
        store
            .execute(request(Command::Hold {
                step: "bore".into(),
                reason: "gauge out for calibration".into(),
            }))
            .expect("hold");
    });
    for tree in ["board_markers", "board_markers_kind", "board_steps"] {
        assert!(held.contains_key(tree), "{tree} missing: {held:?}");
    }
    let markers = |store: &Store| -> Vec<String> {
        store
            .list_runs(&RunFilter::default(), None, 100)
            .expect("board")
            .into_iter()
            .find(|r| r.id == long)
            .expect("on the board")
            .markers
            .into_iter()
            .map(|m| format!("{:?} {} {}", m.kind, m.item, m.reason))
            .collect()
    };
    assert!(
        markers(&store)
            .iter()
            .any(|m| m.starts_with("OnHold bore gauge out")),
        "{:?}",
        markers(&store)
    );
    store
        .execute(request(Command::Resume {
            step: "bore".into(),
        }))
        .expect("release");
    assert!(
        !markers(&store).iter().any(|m| m.starts_with("OnHold")),
        "{:?}",
        markers(&store)
    );
    assert_checks_pass(&store);
}

#[test]
fn the_stored_document_leaves_empty_values_out_and_reads_back_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, store, long) = generated(dir.path());
    let doc: String = raw(&path)
        .query_row("SELECT doc FROM runs WHERE id = ?1", [long], |r| r.get(0))
        .expect("doc");
    assert!(!doc.contains("null"), "{doc}");
    assert!(!doc.contains("[]"), "{doc}");
    assert!(doc.len() < 3_500, "{} bytes", doc.len());
    // Read back, the run has every field; shown as JSON, every key is there
    // (the `--json` shape does not change with the stored form).
    let run = store.run(long).expect("read").expect("run");
    let shown = serde_json::to_value(&run).expect("json");
    let step = &shown["steps"][0];
    for key in ["comments", "requirements", "completed_at", "superseded_by"] {
        assert!(step.get(key).is_some(), "{key} missing from {step}");
    }
    assert!(shown["completed_at"].is_null());
    assert_eq!(
        shown["steps"][0]["fields"][0]["def"]["validation"]["min"],
        serde_json::Value::Null
    );
}

#[test]
fn a_full_document_written_before_the_compact_form_still_reads_and_saves() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, mut store, long) = generated(dir.path());
    let before = store.run(long).expect("read").expect("run");
    // As traveler wrote documents before the compact form: every key.
    let full = serde_json::to_string(&before).expect("json");
    assert!(full.contains("\"comments\":[]"));
    raw(&path)
        .execute(
            "UPDATE runs SET doc = ?1 WHERE id = ?2",
            rusqlite::params![full, long],
        )
        .expect("old document");
    assert_eq!(store.run(long).expect("read").expect("run"), before);
    ops::save_value(&mut store, long, 3, true).expect("save on it");
    let doc: String = raw(&path)
        .query_row("SELECT doc FROM runs WHERE id = ?1", [long], |r| r.get(0))
        .expect("doc");
    assert!(!doc.contains("\"comments\":[]"), "rewritten compact");
    let replay = store.replay_audit().expect("replay");
    assert_eq!(replay.difference_count, 0, "{:?}", replay.differences);
}

#[test]
fn a_schema_fourteen_database_keeps_its_trails_with_the_narrower_entity_index() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    {
        let mut store = Store::open(&source).expect("open");
        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        traveler::generate::generate(&mut store, 30, start).expect("generate");
        traveler::generate::finished_boxes(&mut store, 5, start).expect("boxes");
    }
    let old = dir.path().join("fourteen.db");
    old_schema::schema_copy_of(&source, &old, 14);
    let index_sql = |path: &Path| -> String {
        raw(path)
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'audit_entity'",
                [],
                |r| r.get(0),
            )
            .expect("index")
    };
    assert!(!index_sql(&old).contains("WHERE"));
    let lot = traveler::generate::liner_lot(0);
    let (trace_before, trail_before) = {
        let conn = raw(&old);
        let runs: Vec<i64> = conn
            .prepare(
                "SELECT DISTINCT run FROM audit WHERE entity = ?1 AND run IS NOT NULL ORDER BY run",
            )
            .expect("old query")
            .query_map([inventory_entity(&lot)], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("runs");
        let trail: Vec<i64> = conn
            .prepare("SELECT seq FROM audit WHERE entity = ?1 ORDER BY seq")
            .expect("old trail")
            .query_map([user_entity("operator")], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("seqs");
        (runs, trail)
    };
    assert!(!trace_before.is_empty());
    let store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    assert!(index_sql(&old).contains("WHERE substr(entity, 1, 4) <> 'run '"));
    let up = store.trace_up(&lot).expect("trace up");
    let mut traced: Vec<i64> = up.used_in.iter().map(|u| u.run).collect();
    traced.sort();
    assert_eq!(traced, trace_before, "the lot's units are found as before");
    let trail: Vec<i64> = store
        .entity_trail(&user_entity("operator"))
        .expect("trail")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(trail, trail_before);
    assert!(
        store.entity_trail("run 1").is_err(),
        "a run's events are read by run"
    );
    assert!(matches!(
        store.verify_audit().expect("verify"),
        Verification::Intact(_)
    ));
}

/// The parsed documents a store keeps (`doc_memo.rs`) are keyed by their
/// whole stored text: a run saved by another terminal (a connection on
/// another thread, which has memos of its own) is read as that terminal
/// left it, and the next save here builds on it.
#[test]
fn a_run_saved_by_another_terminal_is_read_as_it_left_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (path, mut here, _) = generated(dir.path());
    let run = ops::fresh_run(&mut here, "TWO-TERMINALS").expect("fresh run");
    // The other terminal saves on a thread of its own.
    let there = |n: u64| {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut store = Store::open(&path).expect("second terminal");
                    ops::save_value(&mut store, run, n, true).expect("a correction there");
                })
                .join()
                .expect("the other terminal")
        })
    };
    let bore = |store: &Store| -> Vec<String> {
        let loaded = store.run(run).expect("read").expect("run");
        let step = loaded.steps.iter().find(|s| s.key == "bore").expect("bore");
        let field = step
            .fields
            .iter()
            .find(|f| f.def.name == "Bore diameter")
            .expect("field");
        field
            .values
            .iter()
            .map(|v| format!("{:?}", v.value))
            .collect()
    };
    ops::save_value(&mut here, run, 1, false).expect("first value here");
    assert_eq!(bore(&here), vec!["Number(25.01)"]);
    there(3);
    assert_eq!(
        bore(&here).last().map(String::as_str),
        Some("Number(25.03)")
    );
    ops::save_value(&mut here, run, 4, true).expect("a correction here");
    assert_eq!(
        bore(&here).last().map(String::as_str),
        Some("Number(25.04)")
    );
    there(2);
    assert_eq!(
        bore(&here).last().map(String::as_str),
        Some("Number(25.02)")
    );
    let history = here.run_with_history(run).expect("history").expect("run");
    let step = history
        .steps
        .iter()
        .find(|s| s.key == "bore")
        .expect("bore");
    let field = step
        .fields
        .iter()
        .find(|f| f.def.name == "Bore diameter")
        .expect("field");
    let numbers: Vec<String> = field
        .values
        .iter()
        .map(|v| format!("{:?}", v.value))
        .collect();
    assert_eq!(
        numbers,
        [
            "Number(25.01)",
            "Number(25.03)",
            "Number(25.04)",
            "Number(25.02)"
        ],
        "every save kept, in order"
    );
    assert_checks_pass(&here);
}
