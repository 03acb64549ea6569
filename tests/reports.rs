//! The reports (`report cycle-time`, `report spc`) over a real store, with
//! datasets whose statistics are computed by hand in the comments.

mod common;
mod old_schema;

use assert_cmd::Command as Cli;
use common::*;
use traveler::analytics::cycle_time::cycle_time;
use traveler::analytics::spc::spc;
use traveler::domain::*;
use traveler::store::RunWindow;

/// One measured step and one plain step; the gap must be 1.0 – 2.0 mm.
const GAUGE: &str = r#"
key = "GAUGE"
title = "Gauge check"
kind = "inspection"
produces = "GAUGE-1"

[[step]]
key = "measure"
title = "Measure the gap"
instructions = "Feeler gauge."
allow_out_of_range_with_issue = true

  [[step.field]]
  name = "Gap"
  type = "number"
  unit = "mm"
  min = 1.0
  max = 2.0

  [[step.field]]
  name = "Clean"
  type = "pass_fail"
  required = false

[[step]]
key = "pack"
title = "Pack"
instructions = "Box it."
"#;

fn gauge_shop() -> Fixture {
    let mut f = Fixture::new();
    f.ok(
        &admin(),
        None,
        Command::AddPart {
            number: "GAUGE-1".into(),
            description: String::new(),
            tracking: Tracking::Serial,
        },
    );
    let procedure = traveler::procedure_file::parse(GAUGE).expect("gauge parses");
    f.ok(&admin(), None, Command::ImportProcedure { procedure });
    f.ok(
        &admin(),
        None,
        Command::ReleaseProcedure {
            key: "GAUGE".into(),
            version: 1,
        },
    );
    f
}

fn step(name: &str) -> String {
    name.to_string()
}

/// Checks into `measure` and saves the gap: the run's value for SPC.
fn measure(f: &mut Fixture, serial: &str, gap: &str) -> RunId {
    let run = f.create_run_of("GAUGE", serial);
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn {
            step: step("measure"),
        },
    );
    f.set(&operator(), run, "measure", "Gap", gap);
    run
}

fn complete(f: &mut Fixture, run: RunId, key: &str) {
    f.ok(
        &operator(),
        Some(run),
        Command::Complete { step: step(key) },
    );
}

fn finish(f: &mut Fixture, run: RunId) {
    complete(f, run, "measure");
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn { step: step("pack") },
    );
    complete(f, run, "pack");
}

/// Fails `measure`, reworks it in place and checks back in.
fn fail_and_rework(f: &mut Fixture, run: RunId) {
    f.ok(
        &operator(),
        Some(run),
        Command::FailStep {
            step: step("measure"),
            reason: "gauge slipped".into(),
            issue: None,
            raise_issue: None,
        },
    );
    f.ok(
        &operator(),
        Some(run),
        Command::Rework {
            step: step("measure"),
            expect: None,
        },
    );
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn {
            step: step("measure"),
        },
    );
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn spc_matches_a_hand_computed_dataset() {
    let mut f = gauge_shop();
    // Gaps 1.50 1.52 1.48 1.51 1.53 1.49 1.50 2.05 mm, i.e. 1.50 + d/100 with
    // d = 0 2 −2 1 3 −1 0 55.
    let gaps = [
        "1.50", "1.52", "1.48", "1.51", "1.53", "1.49", "1.50", "2.05",
    ];
    let runs: Vec<RunId> = gaps
        .iter()
        .enumerate()
        .map(|(i, g)| measure(&mut f, &format!("G-{i}"), g))
        .collect();
    let series = f
        .store
        .field_series("GAUGE", "measure", "Gap", None)
        .expect("series");
    let r = spc("GAUGE", "measure", "Gap", series);
    assert_eq!(r.n, 8);
    // Σd = 58, mean d = 7.25 → mean = 1.5725
    assert!(close(r.mean, 1.5725), "{:?}", r.mean);
    // d − 7.25: −7.25 −5.25 −9.25 −6.25 −4.25 −8.25 −7.25 47.75; squares:
    // 52.5625 27.5625 85.5625 39.0625 18.0625 68.0625 52.5625 2280.0625
    // Σ = 2623.5; s² = 2623.5 / 7 = 374.7857 (hundredths²); s = 19.35938 /100
    let s = (2623.5f64 / 7.0).sqrt() / 100.0;
    assert!(close(r.std_dev, s), "{:?} vs {s}", r.std_dev);
    assert!((s - 0.1935938).abs() < 1e-6);
    assert_eq!((r.min, r.max), (Some(1.48), Some(2.05)));
    assert_eq!((r.lsl, r.usl), (Some(1.0), Some(2.0)));
    // Cp = (2.0 − 1.0) / (6 · 0.1935938) = 0.860912
    assert!(
        (r.cp.unwrap_or_default() - 0.860912).abs() < 1e-5,
        "{:?}",
        r.cp
    );
    // Cpk = min(2.0 − 1.5725, 1.5725 − 1.0) / (3 · 0.1935938) = 0.4275 / 0.5807814 = 0.736076
    assert!(
        (r.cpk.unwrap_or_default() - 0.736076).abs() < 1e-5,
        "{:?}",
        r.cpk
    );
    // 2.05 > 2.0
    assert_eq!(r.out_of_range, 1);
    // z of 2.05 = 0.4775 / 0.1935938 = 2.47: not beyond 3σ; nothing else
    // beyond 2σ; 4 of 5 beyond 1σ needs more than one point: no violation.
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    let order: Vec<RunId> = r.points.iter().map(|p| p.run).collect();
    assert_eq!(order, runs, "oldest value first");

    // --last 3: 1.49 1.50 2.05 only, mean 5.04 / 3 = 1.68
    let last = f
        .store
        .field_series("GAUGE", "measure", "Gap", Some(3))
        .expect("series");
    let r3 = spc("GAUGE", "measure", "Gap", last);
    assert_eq!(r3.n, 3);
    assert!(close(r3.mean, 1.68), "{:?}", r3.mean);
    assert_eq!(
        r3.points.iter().map(|p| p.run).collect::<Vec<_>>(),
        runs[5..]
    );
}

#[test]
fn eight_values_on_one_side_name_the_runs_that_broke_rule_four() {
    let mut f = gauge_shop();
    // 1.00 then eight times 1.50: mean = (1.00 + 12.00) / 9 = 1.4444; the
    // eight are all above it. s: (−0.4444)² + 8 · 0.0556² = 0.19753 + 0.02469
    // = 0.22222, / 8 = 0.027778, s = 0.16667; z(1.00) = −2.67, z(1.50) = 0.33:
    // no rule 1, 2 or 3, rule 4 once, at the eighth 1.50.
    let mut runs = vec![measure(&mut f, "G-0", "1.00")];
    for i in 1..=8 {
        runs.push(measure(&mut f, &format!("G-{i}"), "1.50"));
    }
    let series = f
        .store
        .field_series("GAUGE", "measure", "Gap", None)
        .expect("series");
    let r = spc("GAUGE", "measure", "Gap", series);
    assert!(close(r.std_dev, 1.0 / 6.0), "{:?}", r.std_dev);
    assert_eq!(r.violations.len(), 1, "{:?}", r.violations);
    assert_eq!(r.violations[0].rule, 4);
    assert_eq!(r.violations[0].runs, runs[1..]);
}

#[test]
fn a_long_run_on_one_side_is_one_span_naming_its_first_and_last_run() {
    let mut f = gauge_shop();
    // 1.00 then twenty times 1.50: mean 31 / 21 = 1.4762, s = 0.1091, so
    // 1.00 is at z = −4.36 (rule 1) and the twenty are above the mean; rule 4
    // breaks at each of points 9 to 21 (13 times): one span, points 2 to 21.
    let mut runs = vec![measure(&mut f, "G-0", "1.00")];
    for i in 1..=20 {
        runs.push(measure(&mut f, &format!("G-{i}"), "1.50"));
    }
    let series = f
        .store
        .field_series("GAUGE", "measure", "Gap", None)
        .expect("series");
    let r = spc("GAUGE", "measure", "Gap", series);
    assert_eq!(
        r.violations.iter().filter(|v| v.rule == 4).count(),
        13,
        "the per-point list stays for --json readers"
    );
    let rule_4: Vec<_> = r.spans.iter().filter(|s| s.rule == 4).collect();
    assert_eq!(rule_4.len(), 1, "{:?}", r.spans);
    let span = rule_4[0];
    assert_eq!((span.first_point, span.last_point), (2, 21));
    assert_eq!((span.first_run, span.last_run), (runs[1], runs[20]));
    assert_eq!(span.runs, runs[1..]);
    assert_eq!(span.merged, 13);
    assert_eq!(span.side, "above");
    assert_eq!(span.text, "points 2–21: 20 in a row above the mean");
    assert_eq!(r.spans[0].text, "point 1: beyond 3σ below the mean");
}

#[test]
fn a_corrected_value_counts_once_with_its_newest_number() {
    let mut f = gauge_shop();
    let run = measure(&mut f, "G-0", "1.10");
    f.correct(
        &operator(),
        run,
        "measure",
        "Gap",
        "1.20",
        "misread the gauge",
    );
    measure(&mut f, "G-1", "1.40");
    let r = spc(
        "GAUGE",
        "measure",
        "Gap",
        f.store
            .field_series("GAUGE", "measure", "Gap", None)
            .expect("series"),
    );
    // 1.20 and 1.40, not 1.10: mean 1.30
    assert_eq!(r.n, 2);
    assert!(close(r.mean, 1.30), "{:?}", r.mean);
}

#[test]
fn cycle_time_from_the_store_counts_first_pass_scrap_and_the_window() {
    let mut f = gauge_shop();
    // A clean run. Every command is one minute after the last (the fixture's
    // clock): create +1, check in +2, set +3, complete measure +4, check in
    // pack +5, complete pack +6. Floor time: check-in (start) +2 → +6 = 4 min;
    // lead time: created +1 → +6 = 5 min.
    let clean = measure(&mut f, "G-0", "1.50");
    finish(&mut f, clean);
    // Out of range, accepted through a deviation on a quality issue, and
    // then failed anyway: scrap, and the store reports both facts.
    let failed = measure(&mut f, "G-1", "2.50");
    let issue = f
        .ok(
            &quality(),
            Some(failed),
            Command::RaiseIssue {
                title: "Gap too wide".into(),
                description: String::new(),
                step: Some("measure".into()),
                field: Some("Gap".into()),
                inventory: None,
            },
        )
        .iter()
        .find_map(|e| match e {
            Event::IssueRaised { issue } => Some(issue.id),
            _ => None,
        })
        .expect("issue raised");
    f.ok(
        &quality(),
        Some(failed),
        Command::AcceptDeviation {
            step: step("measure"),
            field: "Gap".into(),
            issue,
            rationale: "within the mating part's play".into(),
        },
    );
    f.ok(
        &supervisor(),
        Some(failed),
        Command::FailRun {
            reason: "dropped".into(),
            issue: None,
            inventory_to: FailInventoryTo::Scrapped,
        },
    );
    // A run in progress is in no report.
    measure(&mut f, "G-3", "1.50");

    let runs = f.store.finished_runs(&RunWindow::default()).expect("runs");
    let ids: Vec<RunId> = runs.iter().map(|r| r.id).collect();
    assert_eq!(ids, [clean, failed], "the run in progress is left out");
    let facts = |id: RunId| {
        let r = runs.iter().find(|r| r.id == id).expect("listed");
        (r.completed, r.had_deviation, r.had_issue, r.had_failed_step)
    };
    assert_eq!(facts(clean), (true, false, false, false));
    assert_eq!(facts(failed), (false, true, true, false));
    let report = cycle_time(&runs);
    let p = &report.procedures[0];
    assert_eq!((p.finished, p.completed, p.failed), (2, 1, 1));
    assert_eq!(p.first_pass_yield, Some(1.0));
    assert_eq!(p.scrap_rate, Some(0.5));
    assert_eq!(p.floor_time.median_seconds, Some(240.0));
    assert_eq!(p.lead_time.median_seconds, Some(300.0));

    // The window: nothing finished after the last run failed.
    let later = RunWindow {
        since: Some(f.now + chrono::Duration::minutes(1)),
        ..Default::default()
    };
    assert!(f.store.finished_runs(&later).expect("runs").is_empty());
    let other = RunWindow {
        procedure: Some("PUMP-ASSY".into()),
        ..Default::default()
    };
    assert!(f.store.finished_runs(&other).expect("runs").is_empty());
}

#[test]
fn a_failed_and_reworked_step_is_not_first_pass() {
    let mut f = gauge_shop();
    let run = measure(&mut f, "G-0", "1.50");
    fail_and_rework(&mut f, run);
    finish(&mut f, run);
    let runs = f.store.finished_runs(&RunWindow::default()).expect("runs");
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0].had_failed_step,
        "reworked in place: only the trail shows it"
    );
    let p = &cycle_time(&runs).procedures[0];
    assert_eq!((p.completed, p.first_pass), (1, 0));
    assert_eq!(p.first_pass_yield, Some(0.0));
}

#[test]
fn a_schema_seven_database_gains_the_failed_step_index_and_keeps_its_yield() {
    let mut f = gauge_shop();
    let failed = measure(&mut f, "G-0", "1.50");
    fail_and_rework(&mut f, failed);
    finish(&mut f, failed);
    let clean = measure(&mut f, "G-1", "1.40");
    finish(&mut f, clean);
    let path = f.path.clone();
    drop(f.store);
    // A schema-7 copy of the same data: no partial index yet.
    let old = path.with_file_name("seven.db");
    old_schema::schema_copy_of(&path, &old, 7);
    let store = traveler::store::Store::open(&old).expect("upgrade");
    let conn = rusqlite::Connection::open(&old).expect("raw");
    assert_eq!(
        traveler::store::schema::version(&conn).expect("v"),
        traveler::store::schema::CURRENT_VERSION
    );
    let indexed: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit INDEXED BY audit_step_failed
             WHERE action = 'step_state_changed' AND after = '{\"state\":\"failed\"}'",
            [],
            |r| r.get(0),
        )
        .expect("the index exists and holds the old event");
    assert_eq!(indexed, 1);
    let runs = store.finished_runs(&RunWindow::default()).expect("runs");
    let flags: Vec<(RunId, bool)> = runs.iter().map(|r| (r.id, r.had_failed_step)).collect();
    assert_eq!(flags, [(failed, true), (clean, false)]);
    assert!(matches!(
        store.verify_audit().expect("verify"),
        traveler::store::audit::Verification::Intact(_)
    ));
}

fn traveler(f: &Fixture) -> Cli {
    let mut cmd = Cli::cargo_bin("traveler").expect("binary");
    cmd.arg("--db").arg(&f.path);
    cmd.env_remove("TRAVELER_USER").env_remove("TRAVELER_PIN");
    cmd
}

#[test]
fn reports_need_no_pin_and_print_json_and_text() {
    let mut f = gauge_shop();
    let run = measure(&mut f, "G-0", "1.50");
    finish(&mut f, run);
    measure(&mut f, "G-1", "1.70");
    let out = traveler(&f)
        .args(["--json", "report", "spc", "GAUGE", "measure", "Gap"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["n"], 2);
    assert_eq!(json["usl"], 2.0);
    assert!(json["cpk"].is_number());
    let out = traveler(&f)
        .args(["report", "cycle-time", "--procedure", "GAUGE"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("GAUGE: 1 finished (1 complete, 0 failed)"),
        "{text}"
    );
    assert!(text.contains("floor time"), "{text}");
    let out = traveler(&f)
        .args(["--json", "report", "cycle-time", "--until", "2000-01-01"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["procedures"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_report_on_a_missing_or_wrong_field_is_an_escaped_sentence() {
    let f = gauge_shop();
    let out = traveler(&f)
        .args(["report", "spc", "GAUGE", "measure", "Gap\u{1b}[2J"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("has no step 'measure' with a field"), "{err}");
    let out = traveler(&f)
        .args(["report", "spc", "GAUGE", "measure", "Clean"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SPC needs a number field"));
    let out = traveler(&f)
        .args([
            "report",
            "cycle-time",
            "--since",
            "2026-12-02",
            "--until",
            "2026-12-01",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    for args in [
        &["report", "spc", "NOPE\u{1b}[2J", "measure", "Gap"][..],
        &["report", "cycle-time", "--procedure", "NOPE"][..],
        &["report", "cycle-time", "--procedure", "gauge"][..],
    ] {
        let out = traveler(&f).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains('\u{1b}'), "{err:?}");
        assert!(err.contains("There is no procedure '"), "{args:?}: {err}");
        assert!(err.contains("traveler procedure list"), "{err}");
        assert!(out.stdout.is_empty(), "nothing on stdout: {out:?}");
    }
    let out = traveler(&f)
        .args(["--json", "report", "cycle-time", "--procedure", "NOPE"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json error");
    assert!(
        json["error"]
            .as_str()
            .is_some_and(|e| e.contains("There is no procedure 'NOPE'")),
        "{json}"
    );
    let out = traveler(&f)
        .args(["report", "spc", "GAUGE", "measure", "Gap", "--last", "0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "a usage error");
}

#[test]
fn a_step_screen_trend_is_other_runs_newest_numbers_oldest_first() {
    let mut f = gauge_shop();
    let a = measure(&mut f, "G-0", "1.10");
    measure(&mut f, "G-1", "1.20");
    let c = measure(&mut f, "G-2", "1.30");
    let key = ("measure".to_string(), "Gap".to_string());
    let trends = f.store.recent_numbers("GAUGE", c, 100).expect("trends");
    assert_eq!(
        trends.get(&key),
        Some(&vec![1.10, 1.20]),
        "run {c} itself is left out"
    );
    // Only the newest runs are read: with room for one, run b's value alone.
    let trends = f.store.recent_numbers("GAUGE", c, 1).expect("trends");
    assert_eq!(trends.get(&key), Some(&vec![1.20]));
    let trends = f.store.recent_numbers("GAUGE", a, 100).expect("trends");
    assert_eq!(trends.get(&key), Some(&vec![1.20, 1.30]));
    assert!(f
        .store
        .recent_numbers("PUMP-ASSY", c, 100)
        .expect("trends")
        .is_empty());
}
