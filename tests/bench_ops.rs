//! The operations `traveler bench` and `cargo bench` time, run once on a
//! small generated database: each must do its job (a benchmark of an
//! operation that fails or does nothing would measure nothing). No times
//! are asserted.

use traveler::bench::{data, ops, tui};
use traveler::store::Store;

#[test]
fn every_measured_operation_works_on_a_generated_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    data::build(&db, 331, 5).expect("build");
    let mut store = Store::open(&db).expect("open");
    ops::board_load(&mut store).expect("board");
    ops::serial_search_keys(&mut store).expect("search");
    assert_eq!(ops::search_keys(), 11);
    let probe = ops::probe_run(&store).expect("probe");
    ops::open_run(&mut store, probe).expect("open");
    ops::quality_load(&mut store).expect("quality");

    let fresh = ops::fresh_run(&mut store, "FRESH-1").expect("fresh run");
    ops::save_value(&mut store, fresh, 1, false).expect("first value");
    let heavy = ops::heavy_run(&store).expect("heavy");
    let before = values_on_bore(&store, heavy);
    assert_eq!(before, 5);
    ops::save_value(&mut store, heavy, 2, true).expect("correction");
    assert_eq!(values_on_bore(&store, heavy), before + 1);
    assert_eq!(values_on_bore(&store, fresh), 1);
    ops::audit_verify(&mut store).expect("verify");
    drop(store);

    let numbers = tui::measure(&db, 2).expect("tui");
    assert!(numbers.resident_bytes > 0);
}

#[test]
fn every_measured_report_has_data_to_read_on_a_generated_database() {
    use traveler::bench::report_ops::{self, ExportAs};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    // 1,000 runs make 100 finished boxes, one liner lot.
    data::build(&db, 1_000, 5).expect("build");
    let store = Store::open(&db).expect("open");
    assert_eq!(
        report_ops::cycle_time_report(&store, None).expect("cycle"),
        100
    );
    assert_eq!(
        report_ops::cycle_time_report(&store, Some("BOX-ASSY")).expect("cycle"),
        100
    );
    assert_eq!(
        report_ops::cycle_time_report(&store, Some("PUMP-ASSY")).expect("cycle"),
        0
    );
    assert_eq!(
        report_ops::spc_report(&store, "BOX-ASSY", "fit", "Gap").expect("spc"),
        100
    );
    assert_eq!(
        report_ops::trace_down(&store, &data::probe_box(1_000)).expect("down"),
        1
    );
    assert_eq!(
        report_ops::trace_up(&store, &data::probe_lot(1_000)).expect("up"),
        100,
        "every box of the lot is a unit to recall"
    );
    let run = report_ops::probe_box_run(&store, 1_000).expect("box run");
    for format in [ExportAs::Json, ExportAs::Csv, ExportAs::Html] {
        assert!(report_ops::export_run(&store, run, format).expect("export") > 500);
    }
    let since = report_ops::last_day(1_000).expect("window");
    assert!(report_ops::export_since(&store, since).expect("export all") > 1_000);
}

#[test]
fn a_database_too_small_for_the_probed_serials_is_refused_with_a_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = data::build(&dir.path().join("small.db"), 100, 5)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("more than 330 runs"), "{err}");
}

/// Values saved on the bore field, as its whole history holds them; the
/// run as a command loads it counts the same without loading them.
fn values_on_bore(store: &Store, run: i64) -> usize {
    let bore = |run: &traveler::domain::Run| {
        run.steps
            .iter()
            .find(|s| s.key == "bore")
            .and_then(|s| s.fields.iter().find(|f| f.def.name == "Bore diameter"))
            .cloned()
    };
    let lean = bore(&store.run(run).expect("read").expect("run"));
    let whole = bore(&store.run_with_history(run).expect("read").expect("run"));
    let (Some(lean), Some(whole)) = (lean, whole) else {
        return 0;
    };
    assert!(
        lean.values.len() <= 1,
        "a command loads the current value only"
    );
    assert_eq!(lean.value_count(), whole.values.len());
    assert_eq!(lean.values.last(), whole.values.last());
    whole.values.len()
}

#[test]
fn the_processes_traveler_bench_spawns_do_their_job() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    data::build(&db, 331, 2).expect("build");
    let out = assert_cmd::Command::cargo_bin("traveler")
        .expect("binary")
        .arg("--db")
        .arg(&db)
        .args(["bench-tui", "--repeat", "1"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let numbers: tui::TuiNumbers = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert!(numbers.resident_bytes > 0);

    let scratch = dir.path().join("scratch.db");
    for _ in 0..2 {
        assert_cmd::Command::cargo_bin("traveler")
            .expect("binary")
            .arg("bare-txn")
            .arg(&scratch)
            .assert()
            .success();
    }
    let rows: i64 = rusqlite::Connection::open(&scratch)
        .expect("open")
        .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 4, "two transactions of two rows");
}
