//! Saved values as rows (schema 7): every value a field held is a row of
//! `field_values`, the run document keeps the current one and a count, and
//! the `measurements` side table holds the current numbers. The upgrade
//! from schema 6 moves a database's values without losing one, saves stay
//! small however long a history grows, and `traveler check` notices rows
//! edited behind its back.

mod common;
mod old_schema;

use common::all_checks;

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use std::path::Path;
use traveler::demo::Seeder;
use traveler::domain::*;
use traveler::store::audit::Verification;
use traveler::store::{schema, Store};

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("raw open")
}

fn count(path: &Path, sql: &str) -> i64 {
    raw(path).query_row(sql, [], |r| r.get(0)).expect(sql)
}

fn run_ids(store_path: &Path) -> Vec<RunId> {
    let conn = raw(store_path);
    let mut stmt = conn
        .prepare("SELECT id FROM runs ORDER BY id")
        .expect("ids");
    let rows = stmt.query_map([], |r| r.get(0)).expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("collect")
}

fn all_fields(run: &Run) -> impl Iterator<Item = &Field> {
    run.steps.iter().flat_map(|s| s.fields.iter())
}

fn checks_named(store: &Store, names: &[&str]) {
    let checks = all_checks(store);
    for name in names {
        let check = checks
            .iter()
            .find(|c| c.check == *name)
            .unwrap_or_else(|| panic!("traveler check has '{name}'"));
        assert!(check.ok(), "{check:?}");
    }
}

fn problems_of(store: &Store, name: &str) -> Vec<String> {
    all_checks(store)
        .into_iter()
        .find(|c| c.check == name)
        .unwrap_or_else(|| panic!("traveler check has '{name}'"))
        .problems
}

#[test]
fn a_schema_six_database_upgrades_its_values_into_rows_without_losing_one() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    {
        let store = Store::open(&source).expect("open");
        let mut seeder = Seeder::new(store, "test").expect("seeder");
        seeder.seed().expect("seed");
    }
    let old = dir.path().join("old.db");
    old_schema::schema_copy_of(&source, &old, 6);
    let whole_values: i64 = {
        let source_store = Store::open(&source).expect("source");
        run_ids(&source)
            .into_iter()
            .map(|id| {
                let run = source_store
                    .run_with_history(id)
                    .expect("read")
                    .expect("run");
                all_fields(&run).map(|f| f.values.len() as i64).sum::<i64>()
            })
            .sum()
    };
    assert!(whole_values > 10, "the demo saves values ({whole_values})");
    let corrected = {
        let source_store = Store::open(&source).expect("source");
        run_ids(&source).into_iter().any(|id| {
            let run = source_store
                .run_with_history(id)
                .expect("read")
                .expect("run");
            let corrected = all_fields(&run).any(|f| f.values.len() > 1);
            corrected
        })
    };
    assert!(
        corrected,
        "the demo corrects a value, so a history is moved"
    );
    let events = count(&old, "SELECT COUNT(*) FROM audit");

    let store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    assert_eq!(
        count(&old, "SELECT COUNT(*) FROM field_values"),
        whole_values,
        "every value of every document became one row"
    );
    let source_store = Store::open(&source).expect("source");
    for id in run_ids(&old) {
        let upgraded = store.run_with_history(id).expect("read").expect("run");
        let original = source_store
            .run_with_history(id)
            .expect("read")
            .expect("run");
        assert_eq!(upgraded, original, "run {id} reads as it did before");
        let lean = store.run(id).expect("read").expect("run");
        for (l, w) in all_fields(&lean).zip(all_fields(&upgraded)) {
            assert!(
                l.values.len() <= 1,
                "the document keeps the current value only"
            );
            assert_eq!(l.values.last(), w.values.last());
            assert_eq!(l.value_count(), w.values.len());
        }
    }
    assert!(
        matches!(store.verify_audit().expect("verify"), Verification::Intact(n) if n == events),
        "the upgrade adds no audit rows and breaks no chain"
    );
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "{:?}", report.differences);
    checks_named(&store, &["saved values", "measurements", "quality tables"]);
    for field in store.numeric_fields().expect("fields") {
        let after = store
            .field_series(&field.procedure, &field.step, &field.field, None)
            .expect("series");
        let before = source_store
            .field_series(&field.procedure, &field.step, &field.field, None)
            .expect("series");
        assert_eq!(after, before, "SPC of {field:?} is unchanged");
    }
    assert!(
        count(&old, "SELECT COUNT(*) FROM measurements") > 0,
        "the demo's numbers are in the measurements table"
    );
    assert_eq!(
        count(
            &old,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'runs_procedure'"
        ),
        1,
        "the later upgrades ran too (schema 12's index on runs by procedure)"
    );
}

#[test]
fn a_schema_eleven_database_gains_the_runs_by_procedure_index_and_keeps_its_trends() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    let (store, run) = generated(&source, 3);
    let procedure = store.run(run).expect("read").expect("run").procedure_key;
    let before = store.recent_numbers(&procedure, 0, 30).expect("trend");
    drop(store);
    let old = dir.path().join("eleven.db");
    old_schema::schema_copy_of(&source, &old, 11);
    assert_eq!(
        count(
            &old,
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs_procedure'"
        ),
        0
    );
    let store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    assert_eq!(
        count(
            &old,
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs_procedure'"
        ),
        1
    );
    assert_eq!(
        store.recent_numbers(&procedure, 0, 30).expect("trend"),
        before
    );
    assert!(!before.is_empty(), "the generated runs have numbers");
    checks_named(&store, &["saved values", "measurements", "board tables"]);
}

#[test]
fn a_schema_thirteen_database_gains_the_started_runs_index_and_keeps_its_trends() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    {
        // Forty-five runs, every tenth started: the trend's newest started
        // runs lie among runs still to do, as on the benchmark's line.
        let mut store = Store::open(&source).expect("open");
        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        traveler::generate::generate(&mut store, 45, start).expect("generate");
        traveler::generate::run_with_values(&mut store, "LONG-1", 3, start).expect("long run");
    }
    let old = dir.path().join("thirteen.db");
    old_schema::schema_copy_of(&source, &old, 13);
    let index = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs_procedure_started'";
    assert_eq!(count(&old, index), 0);
    // What the trend read at schema 13, by the query it used then.
    let schema_13_trend = |window: i64| -> Vec<f64> {
        let conn = raw(&old);
        let mut stmt = conn
            .prepare(
                "SELECT value FROM measurements
                 WHERE run IN (SELECT id FROM runs WHERE procedure_key = 'PUMP-ASSY' AND id != 0
                               AND started_at IS NOT NULL ORDER BY id DESC LIMIT ?1)",
            )
            .expect("old trend");
        let rows = stmt.query_map([window], |r| r.get(0)).expect("rows");
        let mut values: Vec<f64> = rows.collect::<rusqlite::Result<_>>().expect("values");
        values.sort_by(f64::total_cmp);
        values
    };
    let windows = [1, 2, 3, 100];
    let before: Vec<Vec<f64>> = windows.iter().map(|w| schema_13_trend(*w)).collect();
    assert!(
        before[1].len() > before[0].len() && !before[0].is_empty(),
        "the windows see different runs: {before:?}"
    );
    let mut store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    assert_eq!(count(&old, index), 1);
    let started = "SELECT COUNT(*) FROM runs INDEXED BY runs_procedure_started
                   WHERE procedure_key = 'PUMP-ASSY' AND started_at IS NOT NULL";
    assert_eq!(
        count(&old, started),
        count(
            &old,
            "SELECT COUNT(*) FROM runs WHERE started_at IS NOT NULL"
        ),
        "the index holds every started run"
    );
    for (window, want) in windows.iter().zip(&before) {
        let mut got: Vec<f64> = store
            .recent_numbers("PUMP-ASSY", 0, *window as usize)
            .expect("trend")
            .into_values()
            .flatten()
            .collect();
        got.sort_by(f64::total_cmp);
        assert_eq!(&got, want, "the newest {window} started runs' numbers");
    }
    // A run started and saved on after the upgrade is in the index (a save
    // leaves `started_at` out of its UPDATE once set) and leads the trend.
    let start = Utc
        .with_ymd_and_hms(2026, 2, 1, 0, 0, 0)
        .single()
        .expect("time");
    let newest =
        traveler::generate::run_with_values(&mut store, "LONG-2", 4, start).expect("long run");
    assert_eq!(
        count(&old, started),
        count(
            &old,
            "SELECT COUNT(*) FROM runs WHERE started_at IS NOT NULL"
        )
    );
    let latest: Vec<f64> = store
        .recent_numbers("PUMP-ASSY", 0, 1)
        .expect("trend")
        .into_values()
        .flatten()
        .collect();
    assert_eq!(latest, bore_numbers(&old, newest));
    checks_named(&store, &["saved values", "measurements", "board tables"]);
}

fn generated(path: &Path, values: usize) -> (Store, RunId) {
    let mut store = Store::open(path).expect("open");
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    traveler::generate::generate(&mut store, 3, start).expect("generate");
    let run =
        traveler::generate::run_with_values(&mut store, "LONG-1", values, start).expect("long run");
    (store, run)
}

fn doc_len(path: &Path, run: RunId) -> i64 {
    raw(path)
        .query_row("SELECT length(doc) FROM runs WHERE id = ?1", [run], |r| {
            r.get(0)
        })
        .expect("doc")
}

fn bore_numbers(path: &Path, run: RunId) -> Vec<f64> {
    let conn = raw(path);
    let mut stmt = conn
        .prepare("SELECT value FROM measurements WHERE run = ?1 AND field = 'Bore diameter'")
        .expect("select");
    let rows = stmt.query_map([run], |r| r.get(0)).expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("collect")
}

fn bore(run: &Run) -> &Field {
    all_fields(run)
        .find(|f| f.def.name == "Bore diameter")
        .expect("bore field")
}

#[test]
fn a_save_on_a_long_history_appends_one_row_and_the_document_does_not_grow() {
    let dir = tempfile::tempdir().expect("dir");
    let short_db = dir.path().join("short.db");
    let long_db = dir.path().join("long.db");
    let (_, short_run) = generated(&short_db, 2);
    let (mut store, long_run) = generated(&long_db, 60);
    let (short_len, long_len) = (doc_len(&short_db, short_run), doc_len(&long_db, long_run));
    assert!(
        (long_len - short_len).abs() < 40,
        "a run's document after 60 values is as long as after 2 but for digits: {short_len} vs {long_len} bytes"
    );
    let rows_before = count(&long_db, "SELECT COUNT(*) FROM field_values");
    let whole = store
        .run_with_history(long_run)
        .expect("read")
        .expect("run");
    assert_eq!(bore(&whole).values.len(), 60);

    let operator = Actor {
        login: "operator".into(),
        name: "operator".into(),
        roles: vec!["operator".into()],
        station: "test".into(),
        reauthenticated: true,
    };
    store
        .execute(Request {
            actor: operator,
            run: Some(long_run),
            command: Command::SetField {
                step: "bore".into(),
                field: "Bore diameter".into(),
                raw: "25.01".into(),
                file_sha256: None,
                reason: Some("re-measured".into()),
                void_approval: false,
            },
            seen: Seen::default(),
            now: Utc::now(),
        })
        .expect("save");
    assert_eq!(
        count(&long_db, "SELECT COUNT(*) FROM field_values"),
        rows_before + 1,
        "one save, one row"
    );
    let lean = store.run(long_run).expect("read").expect("run");
    assert_eq!(bore(&lean).values.len(), 1);
    assert_eq!(bore(&lean).value_count(), 61);
    let whole = store
        .run_with_history(long_run)
        .expect("read")
        .expect("run");
    let history = &bore(&whole).values;
    assert_eq!(history.len(), 61);
    assert_eq!(
        history.last().map(|v| v.value.clone()),
        Some(Value::Number(25.01))
    );
    assert_eq!(
        history.last().and_then(|v| v.replaces),
        Some(history[59].id),
        "the new value replaces the one current before it"
    );
    assert_eq!(bore_numbers(&long_db, long_run), vec![25.01]);
    let (unit, verdict, by): (Option<String>, String, String) = raw(&long_db)
        .query_row(
            "SELECT unit, verdict, by FROM measurements WHERE run = ?1 AND field = 'Bore diameter'",
            [long_run],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row");
    assert_eq!(
        (unit.as_deref(), verdict.as_str(), by.as_str()),
        (Some("mm"), "in_range", "operator")
    );
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "{:?}", report.differences);
    checks_named(&store, &["saved values", "measurements"]);
}

#[test]
fn saved_values_cannot_be_edited_and_check_names_rows_changed_behind_its_back() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("long.db");
    let (store, run) = generated(&db, 5);
    let conn = raw(&db);
    let refused = conn.execute(
        "UPDATE field_values SET doc = replace(doc, '25', '99') WHERE run = ?1",
        [run],
    );
    assert!(
        refused.is_err_and(|e| e.to_string().contains("append-only")),
        "an edit of a saved value is refused by the database"
    );
    assert!(conn
        .execute("DELETE FROM field_values WHERE run = ?1", [run])
        .is_err());
    assert!(problems_of(&store, "saved values").is_empty());

    // Someone who drops the guard and deletes an earlier value is named.
    conn.execute_batch("DROP TRIGGER field_values_no_delete")
        .expect("drop guard");
    conn.execute(
        "DELETE FROM field_values WHERE run = ?1 AND id = (SELECT MIN(id) FROM field_values WHERE run = ?1)",
        [run],
    )
    .expect("delete");
    let problems = problems_of(&store, "saved values");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("LONG-1") && p.contains("counts 5 values but 4")),
        "{problems:?}"
    );
    assert!(
        store.run_with_history(run).is_err(),
        "reading the history says the rows are short instead of showing a partial one"
    );

    conn.execute(
        "UPDATE measurements SET value = value + 1 WHERE run = ?1",
        [run],
    )
    .expect("edit derived row");
    let problems = problems_of(&store, "measurements");
    assert!(
        problems.iter().any(|p| p.contains("LONG-1")),
        "{problems:?}"
    );
}

#[test]
fn the_whole_run_as_shown_has_no_trace_of_the_storage_split() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("long.db");
    let (store, run) = generated(&db, 4);
    let whole = store.run_with_history(run).expect("read").expect("run");
    let json = serde_json::to_string(&whole).expect("json");
    assert!(
        !json.contains("\"earlier\""),
        "`run show --json` keeps its shape: every value, no summary"
    );
    assert_eq!(bore(&whole).values.len(), 4);
    let lean = serde_json::to_string(&store.run(run).expect("read").expect("run")).expect("json");
    assert!(lean.contains("\"earlier\""));
}
