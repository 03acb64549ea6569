//! One test (or table) per rule of SPEC.md, driven through `decide` + `apply`.

#[path = "domain_fixture.rs"]
mod fixture;

use fixture::*;
use traveler::domain::*;

fn has(reasons: &[String], needle: &str) -> bool {
    reasons.iter().any(|r| r.contains(needle))
}

#[track_caller]
fn assert_has(reasons: &[String], needle: &str) {
    assert!(
        has(reasons, needle),
        "expected a reason containing {needle:?}, got {reasons:#?}"
    );
}

fn cmd_check_in(step: &str) -> Command {
    Command::CheckIn { step: step.into() }
}

fn cmd_complete(step: &str) -> Command {
    Command::Complete { step: step.into() }
}

fn set_cmd(step: &str, field: &str, raw: &str) -> Command {
    Command::SetField {
        step: step.into(),
        field: field.into(),
        raw: raw.into(),
        file_sha256: None,
        reason: None,
        void_approval: false,
    }
}

fn install_cmd(step: &str, id: &str, qty: Option<i64>) -> Command {
    Command::Install {
        step: step.into(),
        identifier: id.into(),
        quantity: qty,
        scanned: true,
    }
}

fn set_disposition(sim: &mut Sim, login: &str, issue: IssueId, d: Disposition) {
    sim.ok_signed(
        login,
        Command::SetDisposition {
            issue,
            disposition: d,
            rationale: "Reviewed".into(),
        },
    );
}

fn close_issue(sim: &mut Sim, issue: IssueId) {
    sim.ok(
        "qe1",
        Command::CloseIssue {
            issue,
            rationale: "Verified on the unit".into(),
        },
    );
}

fn close(issue: IssueId, rationale: &str) -> Command {
    Command::CloseIssue {
        issue,
        rationale: rationale.into(),
    }
}

// ---------------------------------------------------------------- runs

#[test]
fn creating_a_run_copies_steps_and_stages_a_new_target_as_wip() {
    let sim = Sim::with_run();
    let run = sim.run();
    assert_eq!(run.id, 1);
    assert_eq!(run.state, RunState::Todo);
    assert_eq!(run.procedure_version, 1);
    let positions: Vec<&str> = run.steps.iter().map(|s| s.position.as_str()).collect();
    assert_eq!(positions, ["1", "2", "3", "4"]);
    assert!(run.steps.iter().all(|s| s.state == StepState::Todo));
    assert_eq!(run.created_at, run.updated_at);
    assert!(run.started_at.is_none());
    let target = sim.item(RUN_SERIAL);
    assert_eq!(target.part, "WIDGET");
    assert_eq!(target.tracking, Tracking::Serial);
    assert_eq!(target.state, InventoryState::Wip);
    assert_eq!(sim.world.next_run_id, 2);
    assert_eq!(run.next_local_id, 5);
}

#[test]
fn creating_a_run_needs_supervisor_or_admin() {
    let mut sim = Sim::new();
    let create = Command::CreateRun {
        procedure_key: "widget".into(),
        serial: "W-9".into(),
        title: None,
    };
    for login in ["op1", "qe1", "wit"] {
        let r = sim.refused(login, create.clone());
        assert_has(&r, "Creating a run needs the supervisor or admin role");
    }
    sim.ok("adm", create);
}

#[test]
fn creating_a_run_needs_a_released_version_and_uses_the_latest() {
    let mut sim = Sim::new();
    sim.world.procedures[0].state = ProcedureState::Draft;
    let create = Command::CreateRun {
        procedure_key: "widget".into(),
        serial: "W-9".into(),
        title: None,
    };
    let r = sim.refused("sup1", create.clone());
    assert_has(&r, "Procedure 'widget' has no released version.");
    sim.world.procedures[0].state = ProcedureState::Archived;
    let mut v2 = procedure();
    v2.version = 2;
    v2.steps.truncate(2);
    sim.world.procedures.push(v2);
    sim.ok("sup1", create);
    assert_eq!(sim.run().procedure_version, 2);
    assert_eq!(sim.run().steps.len(), 2);
}

#[test]
fn an_existing_target_must_be_an_available_unit_of_the_produced_part() {
    let mut sim = Sim::new();
    let on = |serial: &str| Command::CreateRun {
        procedure_key: "widget".into(),
        serial: serial.into(),
        title: Some("Rebuild".into()),
    };
    let r = sim.refused("sup1", on("NUT-1"));
    assert_has(
        &r,
        "'NUT-1' is part NUT, but procedure 'widget' produces WIDGET.",
    );
    sim.world.inventory.insert(
        "W-OLD".into(),
        InventoryItem {
            identifier: "W-OLD".into(),
            part: "WIDGET".into(),
            tracking: Tracking::Serial,
            quantity: 1,
            state: InventoryState::Quarantined,
            parent: None,
        },
    );
    let r = sim.refused("sup1", on("W-OLD"));
    assert_has(
        &r,
        "A run cannot be staged on 'W-OLD': it is quarantined; a new run needs an available unit.",
    );
    if let Some(i) = sim.world.inventory.get_mut("W-OLD") {
        i.state = InventoryState::Available;
    }
    sim.ok("sup1", on("W-OLD"));
    assert_eq!(sim.run().title, "Rebuild");
    assert_eq!(sim.item("W-OLD").state, InventoryState::Wip);
    // A unit that is wip on one run cannot start another.
    let r = sim.refused("sup1", on("W-OLD"));
    assert_has(&r, "A run cannot be staged on 'W-OLD': another run is already building it (see `run list`); a new run needs an available unit.");
}

#[test]
fn the_first_check_in_starts_the_run_and_stamps_started_at() {
    let mut sim = Sim::with_run();
    let events = sim.check_in("op1", "prep");
    assert!(matches!(events[0], Event::RunStarted { .. }));
    let run = sim.run();
    assert_eq!(run.state, RunState::InProgress);
    let started = run.started_at.expect("started");
    assert_eq!(sim.step("prep").state, StepState::InProgress);
    // the second check-in does not start it again
    let events = sim.check_in("op2", "prep");
    assert!(!events.iter().any(|e| matches!(e, Event::RunStarted { .. })));
    assert_eq!(sim.run().started_at, Some(started));
}

#[test]
fn check_in_needs_every_dependency_complete() {
    let mut sim = Sim::with_run();
    let r = sim.refused("op1", cmd_check_in("bore"));
    assert_eq!(
        r,
        ["Step 2 'Step bore' waits on step 1 'Step prep', which is not complete."]
    );
    sim.finish_prep();
    sim.check_in("op1", "bore");
}

#[test]
fn several_users_per_step_one_user_several_steps_but_not_twice_in_one() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    sim.check_in("op2", "prep");
    sim.check_in("op1", "label");
    assert_eq!(checked_in_step(sim.step("prep")), ["op1", "op2"]);
    assert_eq!(checked_in(sim.run()), ["op1", "op2"]);
    let r = sim.refused("op1", cmd_check_in("prep"));
    assert_eq!(r, ["You are already checked into step 1 'Step prep'."]);
    sim.ok(
        "op2",
        Command::CheckOut {
            step: "prep".into(),
        },
    );
    assert_eq!(checked_in_step(sim.step("prep")), ["op1"]);
    assert_eq!(sim.step("prep").state, StepState::InProgress);
    let r = sim.refused(
        "op2",
        Command::CheckOut {
            step: "prep".into(),
        },
    );
    assert_has(&r, "You are not checked into step 1 'Step prep'.");
}

// ---------------------------------------------------------------- blockers

#[test]
fn completion_is_refused_with_every_blocker_in_spec_order() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.set("op1", "bore", "Bore diameter", "25.3");
    // op2 is not checked in: every category of blocker at once
    let r = sim.refused("op2", cmd_complete("bore"));
    let expected = [
        "Field 'Leak test' is required and has no value.",
        "Field 'Finish' is required and has no value.",
        "Field 'Bore diameter' is out of range: 25.3 mm, expected 25.00 ± 0.05 → 24.95–25.05 mm; no deviation is accepted.",
        "Build requirement BEARING still needs 1 of 1 installed.",
        "Build requirement SCREW still needs 4 of 4 installed.",
        "Sign-off 'QA' is expecting approval by quality.",
        "You (op2) are not checked into step 2 'Step bore'.",
    ];
    assert_eq!(r, expected);
    // blockers() tells the same story to a screen
    assert_eq!(blockers(&sim.world, "bore", "op2"), expected);
    // a failed pass/fail is a category-2 blocker
    sim.set("op1", "bore", "Leak test", "fail");
    let r = sim.refused("op1", cmd_complete("bore"));
    assert_has(
        &r,
        "Field 'Leak test' is set to fail and no deviation is accepted.",
    );
    assert!(!has(&r, "not checked into"));
}

#[test]
fn a_step_in_redline_cannot_be_completed_and_that_is_listed_last() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.ok(
        "op1",
        Command::ProposeRedline {
            step: "bore".into(),
            change: RedlineChange::CorrectInstructions {
                instructions: "Bore to 25 mm, deburr.".into(),
            },
            reason: "Deburr missing".into(),
        },
    );
    let r = sim.refused("op1", cmd_complete("bore"));
    assert!(
        r.last().is_some_and(|l| l.contains("is in redline")),
        "{r:#?}"
    );
    let r2 = sim.refused(
        "op1",
        Command::FailStep {
            step: "bore".into(),
            reason: "x".into(),
            issue: None,
            raise_issue: None,
        },
    );
    assert_has(&r2, "cannot be failed");
}

#[test]
fn completing_records_who_and_when_and_checks_everyone_out() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    sim.check_in("op2", "prep");
    sim.set("op1", "prep", "Inspection date", "2024-05-01");
    sim.complete("op2", "prep");
    let s = sim.step("prep");
    assert_eq!(s.state, StepState::Complete);
    assert_eq!(s.completed_by.as_deref(), Some("op2"));
    assert_eq!(s.completed_at, Some(sim.now));
    assert!(s.sessions.iter().all(|x| x.ended_at.is_some()));
    let r = sim.refused("op1", cmd_complete("prep"));
    assert_eq!(r, ["Step 1 'Step prep' is already complete."]);
}

#[test]
fn a_refused_command_returns_err_and_changes_nothing_and_decide_is_repeatable() {
    let mut sim = Sim::with_run();
    let before = sim.world.clone();
    let req = sim.request("op1", cmd_complete("prep"), Seen::default());
    let a = decide(&sim.world, &req);
    let b = decide(&sim.world, &req);
    assert!(a.is_err());
    assert_eq!(a, b);
    assert_eq!(sim.world, before);
    // accepted too: same answer twice
    let req = sim.request("op1", cmd_check_in("prep"), Seen::default());
    assert_eq!(decide(&sim.world, &req), decide(&sim.world, &req));
    sim.refused("op1", set_cmd("prep", "Inspection date", "2024-02-30"));
}

// ---------------------------------------------------------------- concurrency

#[test]
fn a_stale_step_version_is_a_conflict_naming_who_and_when() {
    let mut sim = Sim::with_run();
    let seen_version = sim.step("prep").version;
    sim.check_in("op1", "prep"); // moves the step todo → in_progress
    let changed_at = sim.step("prep").changed_at;
    let seen = Seen {
        step_version: Some(seen_version),
        field_value: None,
    };
    let r = sim
        .exec_seen("op2", cmd_check_in("prep"), seen)
        .expect_err("conflict");
    assert!(r.conflict);
    assert_eq!(
        r.reasons,
        [format!(
            "Step 1 'Step prep' was changed by op1 at {}; reload.",
            changed_at.format("%Y-%m-%d %H:%M UTC")
        )]
    );
    // the current version is fine
    let seen = Seen {
        step_version: Some(sim.step("prep").version),
        field_value: None,
    };
    sim.exec_seen("op2", cmd_check_in("prep"), seen)
        .expect("accepted");
}

#[test]
fn a_stale_field_value_is_a_conflict_but_unrelated_changes_are_not() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    sim.check_in("op2", "prep");
    let seen_empty = Seen {
        step_version: Some(sim.step("prep").version),
        field_value: Some(None),
    };
    sim.set("op1", "prep", "Inspection date", "2024-05-01");
    // op2 saw "Notes" empty: op1's save of another field is unrelated
    sim.exec_seen("op2", set_cmd("prep", "Notes", "ok"), seen_empty.clone())
        .expect("unrelated change never refuses");
    // op2 saw "Inspection date" empty, but op1 saved one meanwhile
    let r = sim
        .exec_seen(
            "op2",
            set_cmd("prep", "Inspection date", "2024-05-02"),
            seen_empty,
        )
        .expect_err("conflict");
    assert!(r.conflict);
    assert!(r.reasons[0].starts_with("Field 'Inspection date' was changed by op1 at 2024-05-01"));
    assert!(r.reasons[0].ends_with("; reload."));
    let current = current_value(field_by_name(sim.step("prep"), "Inspection date").expect("field"))
        .map(|v| v.id);
    let seen = Seen {
        step_version: None,
        field_value: Some(current),
    };
    sim.exec_seen(
        "op2",
        Sim::save_cmd(
            "prep",
            "Inspection date",
            "2024-05-02",
            Some("Wrong day"),
            false,
        ),
        seen,
    )
    .expect("seen the current value");
}

// ---------------------------------------------------------------- fields

#[test]
fn bad_input_is_refused_with_a_sentence_naming_the_field() {
    let torque = number(
        "Torque",
        "N·m",
        Validation {
            min: Some(10.0),
            ..Validation::default()
        },
    );
    let finish = FieldDef {
        options: vec!["anodized".into(), "bare".into()],
        ..field("Finish", FieldType::SingleSelect, true)
    };
    let multi = FieldDef {
        options: vec!["a".into(), "b".into()],
        ..field("Checks", FieldType::MultiSelect, true)
    };
    let date = field("Date", FieldType::Date, true);
    let text = field("Notes", FieldType::Text, true);
    let pf = field("Leak", FieldType::PassFail, true);
    let long = "x".repeat(10_001);
    let table: Vec<(&FieldDef, &str, &str)> = vec![
        (
            &torque,
            "12,5x",
            "Torque expects a number in N·m, got '12,5x'.",
        ),
        (&torque, "NaN", "Torque expects a number in N·m, got 'NaN'."),
        (&torque, "inf", "Torque expects a number in N·m, got 'inf'."),
        (
            &torque,
            "-infinity",
            "Torque expects a number in N·m, got '-infinity'.",
        ),
        (&torque, "", "Torque expects a number in N·m, got nothing."),
        (
            &finish,
            "blue",
            "Finish expects one of: anodized, bare, got 'blue'.",
        ),
        (
            &multi,
            "a, c",
            "Checks expects one or more of: a, b (comma-separated), got 'c'.",
        ),
        (
            &date,
            "2024-13-01",
            "Date expects a date as YYYY-MM-DD, got '2024-13-01'.",
        ),
        (
            &date,
            "01/05/2024",
            "Date expects a date as YYYY-MM-DD, got '01/05/2024'.",
        ),
        (
            &text,
            &long,
            "Notes accepts at most 10,000 characters, got 10001.",
        ),
        (
            &text,
            "bell\u{7}",
            "Notes does not accept control characters, got 'bell\\u{7}'.",
        ),
        (
            &text,
            "esc\u{1b}[2J",
            "Notes does not accept control characters",
        ),
        (&pf, "maybe", "Leak expects pass or fail, got 'maybe'."),
    ];
    for (def, raw, message) in table {
        match parse_value(def, raw) {
            Ok(v) => panic!("{raw:?} accepted as {v:?}"),
            Err(e) => assert!(e.starts_with(message), "{raw:?}: {e}"),
        }
    }
    let max_text = "y".repeat(10_000);
    let ok: Vec<(&FieldDef, &str, Value)> = vec![
        (&torque, " 12.5 ", Value::Number(12.5)),
        (&torque, "-3", Value::Number(-3.0)),
        (&finish, "Bare", Value::Select("bare".into())),
        (&multi, "b,a,b", Value::Multi(vec!["b".into(), "a".into()])),
        (&pf, "PASS", Value::PassFail(true)),
        (&pf, "fail", Value::PassFail(false)),
        (&text, &max_text, Value::Text(max_text.clone())),
    ];
    for (def, raw, want) in ok {
        assert_eq!(parse_value(def, raw), Ok(want), "{raw:?}");
    }
    assert_eq!(
        parse_value(&date, "2024-02-29"),
        Ok(Value::Date(
            chrono::NaiveDate::from_ymd_opt(2024, 2, 29).expect("date")
        ))
    );
}

#[test]
fn a_refused_value_keeps_what_was_saved() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.set("op1", "bore", "Bore diameter", "25.01");
    let r = sim.refused("op1", set_cmd("bore", "Bore diameter", "25,0x"));
    assert_eq!(r, ["Bore diameter expects a number in mm, got '25,0x'."]);
    let f = field_by_name(sim.step("bore"), "Bore diameter").expect("field");
    assert_eq!(f.values.len(), 1);
    assert_eq!(f.values[0].value, Value::Number(25.01));
}

#[test]
fn verdicts_are_inclusive_and_rule_text_reads_well() {
    let tol = number(
        "Bore",
        "mm",
        Validation {
            target: Some(25.0),
            tolerance: Some(0.05),
            ..Validation::default()
        },
    );
    let range = number(
        "V",
        "V",
        Validation {
            min: Some(10.0),
            max: Some(12.0),
            ..Validation::default()
        },
    );
    let min = number(
        "T",
        "N·m",
        Validation {
            min: Some(10.0),
            ..Validation::default()
        },
    );
    let none = number("Free", "mm", Validation::default());
    let table = [
        (&tol, 24.95, Verdict::InRange),
        (&tol, 25.05, Verdict::InRange),
        (&tol, 25.0, Verdict::InRange),
        (&tol, 24.9499, Verdict::OutOfRange),
        (&tol, 25.051, Verdict::OutOfRange),
        (&range, 10.0, Verdict::InRange),
        (&range, 12.0, Verdict::InRange),
        (&range, 9.99, Verdict::OutOfRange),
        (&range, 12.01, Verdict::OutOfRange),
        (&min, 1e9, Verdict::InRange),
        (&min, 9.0, Verdict::OutOfRange),
        (&none, -1e9, Verdict::NoRule),
    ];
    for (def, v, want) in table {
        assert_eq!(verdict(def, v), want, "{} {v}", def.name);
    }
    assert_eq!(rule_text(&tol), "25.00 ± 0.05 → 24.95–25.05 mm");
    assert_eq!(rule_text(&range), "10 – 12 V");
    assert_eq!(rule_text(&min), "≥ 10 N·m");
    assert_eq!(rule_text(&none), "");
}

#[test]
fn values_are_never_overwritten_and_each_save_records_its_verdict() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.set("op1", "bore", "Bore diameter", "25.3");
    sim.correct("op1", "bore", "Bore diameter", "25.01", "Re-measured");
    let f = field_by_name(sim.step("bore"), "Bore diameter").expect("field");
    assert_eq!(f.values.len(), 2);
    assert_eq!(f.values[0].verdict, Verdict::OutOfRange);
    assert_eq!(f.values[1].verdict, Verdict::InRange);
    assert_eq!(f.values[1].replaces, Some(f.values[0].id));
    assert_eq!(f.values[1].by, "op1");
    assert!(f.values[0].id < f.values[1].id);
}

#[test]
fn filling_a_field_needs_the_step_in_progress_and_the_user_checked_in() {
    let mut sim = Sim::with_run();
    sim.setting("auto_checkin", "false");
    let r = sim.refused("op1", set_cmd("prep", "Inspection date", "2024-05-01"));
    assert_eq!(
        r,
        ["Step 1 'Step prep' is todo: fields are filled while it is in progress."]
    );
    sim.check_in("op1", "prep");
    let r = sim.refused("op2", set_cmd("prep", "Inspection date", "nope"));
    assert_eq!(
        r,
        [
            "You are not checked into step 1 'Step prep'.",
            "Inspection date expects a date as YYYY-MM-DD, got 'nope'."
        ]
    );
}

// ---------------------------------------------------------------- sign-offs

fn bore_filled(sim: &mut Sim) {
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.set("op1", "bore", "Bore diameter", "25.02");
    sim.set("op1", "bore", "Leak test", "pass");
    sim.set("op1", "bore", "Finish", "bare");
    sim.install("op1", "bore", "BRG-1");
    sim.install("op1", "bore", "SCR-B");
}

fn qa_status(sim: &Sim) -> SignoffStatus {
    let step = sim.step("bore");
    signoff_status(step, field_by_name(step, "QA").expect("QA"))
}

#[test]
fn only_a_holder_of_the_role_may_sign_and_only_with_the_secret_again() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    for login in ["op2", "adm", "sup1", "wit"] {
        let r = sim
            .sign(login, "bore", "QA", Meaning::Approved, None)
            .expect_err("no quality role");
        assert!(
            r.reasons[0].starts_with("Sign-off 'QA' expects approval by quality;"),
            "{r:?}"
        );
    }
    // a user with quality among other roles may sign
    sim.world
        .users
        .insert("mix".into(), user("mix", &[OPERATOR, QUALITY]));
    let before = sim.world.clone();
    let r = sim
        .exec(
            "qe1",
            Command::SignOff {
                step: "bore".into(),
                field: "QA".into(),
                meaning: Meaning::Approved,
                comment: None,
            },
        )
        .expect_err("no PIN");
    assert_eq!(r.reasons, ["Signing needs your PIN again."]);
    assert_eq!(sim.world, before);
    sim.sign("mix", "bore", "QA", Meaning::Approved, None)
        .expect("mix holds quality");
    let sig = field_by_name(sim.step("bore"), "QA")
        .expect("QA")
        .signatures[0]
        .clone();
    assert_eq!(sig.by, "mix");
    assert_eq!(sig.name, "MIX Person");
    assert_eq!(sig.meaning, Meaning::Approved);
    assert_eq!(sig.at, sim.now);
    assert_eq!(sig.values_sha256, values_sha256(sim.step("bore")));
    assert_eq!(sig.values_sha256.len(), 64);
    assert_eq!(qa_status(&sim), SignoffStatus::Approved);
}

#[test]
fn a_custom_role_signs_its_own_sign_off() {
    let mut sim = Sim::new();
    let mut p = procedure();
    p.steps[0].fields.push(FieldDef {
        role: Some("witness".into()),
        ..field("Witness", FieldType::Signoff, true)
    });
    sim.world.procedures = vec![p];
    sim.ok(
        "sup1",
        Command::CreateRun {
            procedure_key: "widget".into(),
            serial: RUN_SERIAL.into(),
            title: None,
        },
    );
    sim.check_in("op1", "prep");
    sim.set("op1", "prep", "Inspection date", "2024-05-01");
    sim.sign("qe1", "prep", "Witness", Meaning::Approved, None)
        .expect_err("quality is not witness");
    sim.sign("wit", "prep", "Witness", Meaning::Approved, None)
        .expect("witness signs");
    // but a witness-only user cannot do step work
    let r = sim.refused("wit", cmd_check_in("label"));
    assert_has(
        &r,
        "Checking in needs the operator, quality, supervisor or admin role; wit has the role witness.",
    );
    sim.complete("op1", "prep");
}

#[test]
fn a_rejection_needs_a_comment_and_blocks_until_approved() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    let r = sim
        .sign("qe1", "bore", "QA", Meaning::Rejected, Some("  "))
        .expect_err("comment");
    assert_eq!(r.reasons, ["A rejection needs a comment."]);
    sim.sign("qe1", "bore", "QA", Meaning::Rejected, Some("Burr on edge"))
        .expect("rejected");
    assert_eq!(qa_status(&sim), SignoffStatus::Rejected);
    let r = sim.refused("op1", cmd_complete("bore"));
    assert_eq!(
        r,
        ["Sign-off 'QA' was rejected by qe1; it needs approval by quality."]
    );
    sim.sign("qe2", "bore", "QA", Meaning::Approved, None)
        .expect("approved");
    sim.complete("op1", "bore");
}

#[test]
fn a_value_change_after_approval_voids_it() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("approved");
    assert_eq!(qa_status(&sim), SignoffStatus::Approved);
    let r = sim
        .sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect_err("already");
    assert_eq!(r.reasons, ["Sign-off 'QA' is already approved."]);
    // any change is a new value
    sim.correct_voiding("op1", "bore", "Finish", "painted", "Repainted");
    assert_eq!(qa_status(&sim), SignoffStatus::Void);
    let r = sim.refused("op1", cmd_complete("bore"));
    assert_eq!(
        r,
        ["Sign-off 'QA' was approved before a value changed; it needs approval by quality again."]
    );
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("again");
    sim.complete("op1", "bore");
}

#[test]
fn signer_not_performer_refuses_whoever_saved_a_current_value() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.check_in("qe1", "bore");
    sim.correct("qe1", "bore", "Finish", "painted", "Repainted");
    let r = sim
        .sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect_err("performer");
    assert_eq!(
        r.reasons,
        ["You entered 'Finish' on this step; the signer may not be the performer (setting signer_not_performer)."]
    );
    sim.sign("qe2", "bore", "QA", Meaning::Approved, None)
        .expect("someone else");
    // once another user's value replaces qe1's after an approval, qe1 may sign again
    sim.correct_voiding("op1", "bore", "Finish", "anodized", "Anodized after all");
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("no current value is qe1's");
    // with the setting off, a performer may sign
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.ok(
        "adm",
        Command::SetSetting {
            key: "signer_not_performer".into(),
            value: "false".into(),
        },
    );
    sim.check_in("qe1", "bore");
    sim.correct("qe1", "bore", "Finish", "painted", "Repainted");
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("setting off");
}

#[test]
fn signer_not_performer_counts_everyone_who_saved_since_the_approval_basis() {
    // A enters, B re-enters, A approves: A is still a performer.
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("qe1", "bore");
    sim.set("qe1", "bore", "Finish", "bare");
    sim.check_in("op1", "bore");
    sim.set("op1", "bore", "Bore diameter", "25.02");
    sim.set("op1", "bore", "Leak test", "pass");
    sim.correct("op1", "bore", "Finish", "painted", "Painted per drawing");
    let r = sim
        .sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect_err("qe1 saved a value of this step");
    assert_eq!(
        r.reasons,
        ["You entered 'Finish' on this step; the signer may not be the performer (setting signer_not_performer)."]
    );
    sim.sign("qe2", "bore", "QA", Meaning::Approved, None)
        .expect("qe2 saved nothing");
    assert_eq!(
        fields_performed_by(
            sim.step("bore"),
            field_by_name(sim.step("bore"), "QA").expect("QA"),
            "qe1"
        ),
        Vec::<&str>::new(),
        "after qe2's approval, qe1's replaced value is behind the basis"
    );
}

#[test]
fn a_save_equal_to_the_current_value_is_no_event_and_voids_nothing() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("approved");
    let before = sim.world.clone();
    // the same domain value, however it is typed: 25.020 is 25.02, P is pass,
    // BARE is the option bare
    for (field, raw) in [
        ("Leak test", "pass"),
        ("Leak test", "P"),
        ("Bore diameter", "25.020"),
        ("Finish", "BARE"),
    ] {
        let events = sim
            .exec("op1", set_cmd("bore", field, raw))
            .expect("an unchanged save is accepted");
        assert!(events.is_empty(), "{field} = {raw}: {events:?}");
    }
    assert_eq!(sim.world, before, "nothing changed");
    assert_eq!(qa_status(&sim), SignoffStatus::Approved);
    // an unchanged save checks nobody in...
    let events = sim
        .exec("op2", set_cmd("bore", "Leak test", "pass"))
        .expect("unchanged");
    assert!(events.is_empty(), "{events:?}");
    // ...and without check-in on entry, still needs the user checked in
    sim.setting("auto_checkin", "false");
    let r = sim.refused("op2", set_cmd("bore", "Leak test", "pass"));
    assert_eq!(r, ["You are not checked into step 2 'Step bore'."]);
    sim.setting("auto_checkin", "true");
    // text compares exactly
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    sim.set("op1", "prep", "Notes", "ok");
    let events = sim
        .exec("op1", set_cmd("prep", "Notes", "ok"))
        .expect("unchanged");
    assert!(events.is_empty());
    let r = sim.refused("op1", set_cmd("prep", "Notes", "Ok"));
    assert_has(&r, "needs a reason");
    // a multi-select compares the options chosen, in any order
    let multi = Field {
        def: FieldDef {
            options: vec!["a".into(), "b".into()],
            ..field("Checks", FieldType::MultiSelect, true)
        },
        values: vec![FieldValue {
            id: 1,
            value: Value::Multi(vec!["a".into(), "b".into()]),
            verdict: Verdict::NoRule,
            by: "op1".into(),
            at: t0(),
            replaces: None,
            reason: None,
        }],
        earlier: Default::default(),
        signatures: Vec::new(),
        deviations: Vec::new(),
    };
    assert!(is_unchanged(
        &multi,
        &Value::Multi(vec!["b".into(), "a".into()])
    ));
    assert!(!is_unchanged(&multi, &Value::Multi(vec!["a".into()])));
    assert!(!is_unchanged(
        &Field {
            values: Vec::new(),
            ..multi.clone()
        },
        &Value::Multi(vec!["a".into()])
    ));
}

#[test]
fn a_change_that_voids_an_approval_needs_the_users_yes() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("approved");
    let r = sim.refused(
        "op1",
        Sim::save_cmd("bore", "Finish", "painted", Some("Repainted"), false),
    );
    assert_eq!(
        r,
        ["Saving 'Finish' voids quality's approval of 'QA': confirm to save anyway."]
    );
    assert_eq!(qa_status(&sim), SignoffStatus::Approved);
    sim.correct_voiding("op1", "bore", "Finish", "painted", "Repainted");
    assert_eq!(qa_status(&sim), SignoffStatus::Void);
    // with the approval already void there is nothing left to confirm
    sim.correct("op1", "bore", "Finish", "anodized", "Anodized after all");
}

#[test]
fn changing_a_saved_value_needs_a_reason_kept_in_its_history_and_audit() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    // a first value needs no reason
    sim.set("op1", "bore", "Bore diameter", "25.02");
    let r = sim.refused("op1", set_cmd("bore", "Bore diameter", "25.03"));
    assert_eq!(
        r,
        ["'Bore diameter' already has 25.02 (saved by op1 at 2024-05-01 08:06 UTC); changing it to 25.03 needs a reason."]
    );
    let r = sim.refused(
        "op1",
        Sim::save_cmd("bore", "Bore diameter", "25.03", Some("  "), false),
    );
    assert_has(&r, "needs a reason");
    let r = sim.refused(
        "op1",
        Sim::save_cmd(
            "bore",
            "Bore diameter",
            "25.03",
            Some("bad\u{7}bell"),
            false,
        ),
    );
    assert_eq!(
        r,
        ["The reason for 'Bore diameter' contains a bell character (\\u{7}); only line breaks and tabs may be used besides printable text."]
    );
    // every reason at once: not checked in, and no reason
    sim.setting("auto_checkin", "false");
    let r = sim.refused("op2", set_cmd("bore", "Bore diameter", "25.03"));
    sim.setting("auto_checkin", "true");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[0], "You are not checked into step 2 'Step bore'.");
    assert_has(&r, "needs a reason");
    let events = sim.correct(
        "op1",
        "bore",
        "Bore diameter",
        "25.03",
        "Gauge was not zeroed;\n\tre-measured",
    );
    let f = field_by_name(sim.step("bore"), "Bore diameter").expect("field");
    assert_eq!(f.values.len(), 2);
    assert_eq!(f.values[0].reason, None);
    assert_eq!(
        f.values[1].reason.as_deref(),
        Some("Gauge was not zeroed;\n\tre-measured")
    );
    assert_eq!(f.values[1].replaces, Some(f.values[0].id));
    let parts = events[0].audit_parts(Some(1));
    assert_eq!(parts.action, "field_value_saved");
    assert_eq!(
        parts.reason.as_deref(),
        Some("Gauge was not zeroed;\n\tre-measured")
    );
    // a value stored before reasons existed still reads back
    let old: FieldValue = serde_json::from_str(
        r#"{"id":3,"value":{"type":"number","value":25.0},"verdict":"in_range","by":"op1","at":"2024-05-01T08:00:00Z","replaces":null}"#,
    )
    .expect("an old value deserializes");
    assert_eq!(old.reason, None);
}

// ---------------------------------------------------------------- installs

#[test]
fn install_checks_come_in_spec_order_and_name_what_failed() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    let r = sim.refused("op1", install_cmd("bore", "NOPE-9", None));
    assert_eq!(r, ["No serial or lot 'NOPE-9' exists."]);
    let r = sim.refused("op1", install_cmd("bore", "NUT-1", None));
    assert_eq!(
        r,
        ["'NUT-1' is part NUT, which step 'bore' does not require and is not an approved substitute; the step requires BEARING (or BEARING-ALT), SCREW."]
    );
    if let Some(i) = sim.world.inventory.get_mut("BRG-2") {
        i.state = InventoryState::Quarantined;
    }
    let r = sim.refused("op1", install_cmd("bore", "BRG-2", None));
    assert_eq!(r, ["'BRG-2' is quarantined, not available."]);
    sim.install("op1", "bore", "BRG-1");
    let brg = sim.item("BRG-1");
    assert_eq!(brg.state, InventoryState::Installed);
    assert_eq!(brg.parent.as_deref(), Some(RUN_SERIAL));
    // the requirement is full: a substitute is refused for that reason only
    let r = sim.refused("op1", install_cmd("bore", "ALT-1", None));
    assert_eq!(
        r,
        ["Build requirement BEARING is already fully installed (1 of 1)."]
    );
    // the lot check and the requirement check together
    sim.install("op1", "bore", "SCR-B");
    if let Some(i) = sim.world.inventory.get_mut("SCR-A") {
        i.quantity = 0;
    }
    let r = sim.refused("op1", install_cmd("bore", "SCR-A", None));
    assert_eq!(
        r,
        [
            "Lot 'SCR-A' has no quantity left.",
            "Build requirement SCREW is already fully installed (4 of 4)."
        ]
    );
}

#[test]
fn an_approved_substitute_installs() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    let events = sim.install("op1", "bore", "ALT-1");
    assert!(
        matches!(&events[0], Event::Installed { requirement, installation, .. }
        if requirement == "BEARING" && installation.part == "BEARING-ALT" && installation.quantity == 1)
    );
    let req = requirement_by_part(sim.step("bore"), "BEARING").expect("req");
    assert_eq!(still_needed(req), 0);
    assert_eq!(sim.item("ALT-1").parent.as_deref(), Some(RUN_SERIAL));
}

#[test]
fn lots_install_what_is_needed_or_what_is_left_and_go_installed_at_zero() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    // SCR-A has 3, the requirement needs 4: all 3 go in, the lot is used up
    sim.install("op1", "bore", "SCR-A");
    assert_eq!(sim.item("SCR-A").quantity, 0);
    assert_eq!(sim.item("SCR-A").state, InventoryState::Installed);
    // one more needed: more than that is refused, not trimmed
    let r = sim.refused("op1", install_cmd("bore", "SCR-B", Some(5)));
    assert_eq!(
        r,
        ["At most 1 of lot 'SCR-B' can be installed here (requirement needs 1, lot has 10 left), not 5."]
    );
    sim.ok("op1", install_cmd("bore", "SCR-B", None));
    assert_eq!(sim.item("SCR-B").quantity, 9);
    assert_eq!(sim.item("SCR-B").state, InventoryState::Available);
    let req = requirement_by_part(sim.step("bore"), "SCREW").expect("req");
    assert_eq!(installed_quantity(req), 4);
    // uninstall gives the quantity back and makes an emptied lot available
    sim.ok(
        "op1",
        Command::Uninstall {
            step: "bore".into(),
            identifier: "SCR-A".into(),
        },
    );
    assert_eq!(sim.item("SCR-A").quantity, 3);
    assert_eq!(sim.item("SCR-A").state, InventoryState::Available);
    // a smaller quantity may be given
    sim.ok("op1", install_cmd("bore", "SCR-B", Some(2)));
    assert_eq!(sim.item("SCR-B").quantity, 7);
    let req = requirement_by_part(sim.step("bore"), "SCREW").expect("req");
    assert_eq!(still_needed(req), 1);
}

#[test]
fn uninstall_returns_a_serial_until_the_step_is_complete() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.install("op1", "bore", "BRG-1");
    sim.ok(
        "op2",
        Command::Uninstall {
            step: "bore".into(),
            identifier: "BRG-1".into(),
        },
    );
    assert_eq!(sim.item("BRG-1").state, InventoryState::Available);
    assert_eq!(sim.item("BRG-1").parent, None);
    let r = sim.refused(
        "op1",
        Command::Uninstall {
            step: "bore".into(),
            identifier: "BRG-1".into(),
        },
    );
    assert_eq!(r, ["'BRG-1' is not installed on step 'bore'."]);
    sim.finish_bore_after_check_in();
    let r = sim.refused(
        "op1",
        Command::Uninstall {
            step: "bore".into(),
            identifier: "BRG-1".into(),
        },
    );
    assert_eq!(
        r,
        ["Step 2 'Step bore' is complete: its parts cannot be uninstalled."]
    );
}

trait FinishAfterCheckIn {
    fn finish_bore_after_check_in(&mut self);
}

impl FinishAfterCheckIn for Sim {
    fn finish_bore_after_check_in(&mut self) {
        self.set("op1", "bore", "Bore diameter", "25.02");
        self.set("op1", "bore", "Leak test", "pass");
        self.set("op1", "bore", "Finish", "bare");
        self.install("op1", "bore", "BRG-1");
        self.install("op1", "bore", "SCR-B");
        self.sign("qe1", "bore", "QA", Meaning::Approved, None)
            .expect("signed");
        self.complete("op1", "bore");
    }
}

#[test]
fn require_scan_for_installs_refuses_typed_identifiers() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.ok(
        "adm",
        Command::SetSetting {
            key: "require_scan_for_installs".into(),
            value: "true".into(),
        },
    );
    let typed = Command::Install {
        step: "bore".into(),
        identifier: "BRG-1".into(),
        quantity: None,
        scanned: false,
    };
    let r = sim.refused("op1", typed);
    assert_eq!(
        r,
        ["Installs must be scanned (setting require_scan_for_installs); scan the label."]
    );
    sim.install("op1", "bore", "BRG-1");
}

#[test]
fn a_requirement_is_excepted_only_through_a_linked_issue() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    let issue = sim.raise_issue("op1", "No screws in stock");
    let except = |by_issue: IssueId| Command::ExceptRequirement {
        step: "bore".into(),
        part: "SCREW".into(),
        issue: by_issue,
        reason: "Screws fitted at next station".into(),
    };
    let r = sim.refused("op1", except(issue));
    assert_has(
        &r,
        "Excepting a build requirement needs the quality, supervisor or admin role",
    );
    let r = sim.refused("qe1", except(99));
    assert_eq!(r, ["There is no issue 99."]);
    sim.ok("qe1", except(issue));
    let req = requirement_by_part(sim.step("bore"), "SCREW").expect("req");
    assert_eq!(req.exception.as_ref().map(|e| e.issue), Some(issue));
    assert!(!has(&blockers(&sim.world, "bore", "op1"), "SCREW"));
}

// ---------------------------------------------------------------- deviations

#[test]
fn an_out_of_range_value_completes_only_with_an_accepted_deviation() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.correct("op1", "bore", "Bore diameter", "25.3", "Re-measured");
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("signed");
    let r = sim.refused("op1", cmd_complete("bore"));
    assert_has(&r, "Field 'Bore diameter' is out of range");
    let issue = sim.raise_issue("op1", "Bore oversize");
    let accept = |rationale: &str| Command::AcceptDeviation {
        step: "bore".into(),
        field: "Bore diameter".into(),
        issue,
        rationale: rationale.into(),
    };
    let r = sim.refused("op1", accept("fits"));
    assert_has(
        &r,
        "Accepting a deviation needs the quality, supervisor or admin role",
    );
    let r = sim.refused_signed("qe1", accept(" "));
    assert_eq!(r, ["A rationale is required."]);
    sim.ok_signed("sup1", accept("Bearing press fit verified"));
    assert!(blockers(&sim.world, "bore", "op1").is_empty());
    // a new value voids the deviation
    sim.correct_voiding("op1", "bore", "Bore diameter", "25.4", "Re-measured");
    sim.sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("signed");
    let r = sim.refused("op1", cmd_complete("bore"));
    assert_has(&r, "Field 'Bore diameter' is out of range: 25.4 mm");
    sim.ok_signed("qe1", accept("Still fits"));
    sim.complete("op1", "bore");
}

fn accept_bore(issue: IssueId, rationale: &str) -> Command {
    Command::AcceptDeviation {
        step: "bore".into(),
        field: "Bore diameter".into(),
        issue,
        rationale: rationale.into(),
    }
}

#[test]
fn accepting_a_deviation_is_signed_with_the_pin_again_and_records_the_signature() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    sim.correct("op1", "bore", "Bore diameter", "25.3", "Re-measured");
    let issue = sim.raise_issue("op1", "Bore oversize");
    // Without the PIN again, and without a rationale: both reasons at once.
    let r = sim.refused("qe1", accept_bore(issue, ""));
    assert_eq!(
        r,
        [
            "Accepting a deviation is signed: give your login and PIN again.",
            "A rationale is required."
        ]
    );
    sim.ok_signed("qe1", accept_bore(issue, "  Press fit verified "));
    let step = sim.step("bore");
    let field = field_by_name(step, "Bore diameter").expect("field");
    let signature = field.deviations[0].signature.clone().expect("signed");
    assert_eq!(signature.by, "qe1");
    assert_eq!(signature.name, "QE1 Person");
    assert_eq!(signature.meaning, "deviation accepted");
    assert_eq!(signature.rationale, "Press fit verified");
    assert_eq!(signature.at, sim.now);
    assert!(signature.secret_set_by_signer);
}

#[test]
fn a_deviation_may_not_be_accepted_by_who_recorded_the_value() {
    let mut sim = Sim::with_run();
    sim.world
        .users
        .insert("qs".into(), user("qs", &[QUALITY, SUPERVISOR]));
    sim.finish_prep();
    // The quality engineer who measured (and then corrected) the value...
    sim.check_in("qs", "bore");
    sim.set("qs", "bore", "Bore diameter", "25.2");
    sim.check_in("op1", "bore");
    sim.correct("op1", "bore", "Bore diameter", "25.3", "Re-measured");
    let issue = sim.raise_issue("qs", "Bore oversize");
    // ...may not accept its deviation, even for a value someone else saved since.
    let r = sim.refused_signed("qs", accept_bore(issue, "Fits"));
    assert_eq!(
        r,
        ["You saved a value of 'Bore diameter': a deviation may not be accepted by who recorded it (setting deviation_not_by_recorder)."]
    );
    // Another quality engineer may.
    sim.ok_signed("qe1", accept_bore(issue, "Fits"));
    // With the setting off the recorder may accept their own value.
    sim.ok(
        "adm",
        Command::SetSetting {
            key: "deviation_not_by_recorder".into(),
            value: "FALSE".into(),
        },
    );
    assert!(!sim.world.settings.deviation_not_by_recorder);
    sim.correct("qs", "bore", "Bore diameter", "25.4", "Re-measured");
    sim.ok_signed("qs", accept_bore(issue, "Fits"));
}

#[test]
fn a_disposition_is_signed_with_the_pin_again_and_a_rationale() {
    let mut sim = Sim::with_run();
    let issue = sim.raise_issue("op1", "Scratch");
    let scrap = |rationale: &str| Command::SetDisposition {
        issue,
        disposition: Disposition::Scrap,
        rationale: rationale.into(),
    };
    let r = sim.refused("qe1", scrap(" "));
    assert_eq!(
        r,
        [
            "Setting a disposition is signed: give your login and PIN again.",
            "A rationale is required."
        ]
    );
    let events = sim.ok_signed("qe1", scrap("Cover cannot be polished out"));
    let Some(Event::IssueDispositionSet {
        signature: Some(signed),
        ..
    }) = events
        .iter()
        .find(|e| matches!(e, Event::IssueDispositionSet { .. }))
    else {
        panic!("no signed disposition in {events:?}")
    };
    assert_eq!(signed.meaning, "disposition: scrap");
    let approval = &sim.world.issues[&issue].approvals[0];
    assert_eq!(approval.action, "disposition scrap");
    let stored = approval.signature.as_ref().expect("signature kept");
    assert_eq!(stored, signed);
    assert_eq!(stored.by, "qe1");
    assert_eq!(stored.rationale, "Cover cannot be polished out");
}

#[test]
fn a_pin_reset_by_an_admin_lets_its_owner_do_nothing_but_replace_it() {
    let mut sim = Sim::with_run();
    let reset = |login: &str| Command::SetUserSecret {
        login: login.into(),
        secret_hash: "$argon2id$reset".into(),
    };
    sim.ok("adm", reset("op1"));
    let reasons = sim.refused(
        "op1",
        Command::CheckIn {
            step: "prep".into(),
        },
    );
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].starts_with("Your PIN was set by adm: set a new PIN of your own first"),
        "{reasons:?}"
    );
    // Changing someone else's secret is not the way out either.
    sim.refused("op1", reset("op2"));
    // Their own new secret is, and then work goes on.
    sim.ok("op1", reset("op1"));
    sim.check_in("op1", "prep");
}

#[test]
fn a_pin_reset_by_an_admin_cannot_sign_until_its_owner_sets_their_own() {
    let mut sim = Sim::with_run();
    bore_filled(&mut sim);
    let reset = |login: &str| Command::SetUserSecret {
        login: login.into(),
        secret_hash: "$argon2id$reset".into(),
    };
    sim.ok("adm", reset("qe1"));
    assert_eq!(sim.world.users["qe1"].secret_set_by.as_deref(), Some("adm"));
    let r = sim
        .sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect_err("refused");
    assert_eq!(
        r.reasons,
        ["Your PIN was set by adm: set a new PIN of your own first (the terminal asks for it when you sign in; on the command line `traveler user set-pin qe1 --pin NEW`)."]
    );
    // The owner's own new secret clears the mark; signing works again.
    sim.ok("qe1", reset("qe1"));
    assert_eq!(sim.world.users["qe1"].secret_set_by, None);
    let events = sim
        .sign("qe1", "bore", "QA", Meaning::Approved, None)
        .expect("signed");
    let Some(Event::SignatureRecorded { signature, .. }) = events.first() else {
        panic!("{events:?}")
    };
    assert!(signature.secret_set_by_signer);
}

#[test]
fn a_deviation_needs_the_step_policy_a_live_issue_of_the_run_and_a_bad_value() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.finish_bore();
    sim.check_in("op2", "torque");
    sim.set("op2", "torque", "Torque", "13");
    let issue = sim.raise_issue("op2", "Over-torqued");
    let r = sim.refused_signed(
        "qe1",
        Command::AcceptDeviation {
            step: "torque".into(),
            field: "Torque".into(),
            issue,
            rationale: "ok".into(),
        },
    );
    assert_eq!(
        r,
        ["Step 3 'Step torque' does not allow out-of-range values with an issue: fix the value instead."]
    );
    sim.correct("op2", "torque", "Torque", "11", "Re-torqued");
    let r = sim.refused_signed(
        "qe1",
        Command::AcceptDeviation {
            step: "torque".into(),
            field: "Torque".into(),
            issue,
            rationale: "ok".into(),
        },
    );
    assert_has(
        &r,
        "Field 'Torque' is within its rule: there is nothing to deviate.",
    );
}

// ---------------------------------------------------------------- step states

#[test]
fn hold_and_resume() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    sim.check_in("op2", "prep");
    let r = sim.refused(
        "op1",
        Command::Hold {
            step: "prep".into(),
            reason: "".into(),
        },
    );
    assert_eq!(r, ["A reason for the hold is required."]);
    sim.ok(
        "op1",
        Command::Hold {
            step: "prep".into(),
            reason: "Waiting on QE".into(),
        },
    );
    assert_eq!(sim.step("prep").state, StepState::OnHold);
    assert!(checked_in_step(sim.step("prep")).is_empty());
    let r = sim.refused("op1", cmd_check_in("prep"));
    assert_eq!(r, ["Step 1 'Step prep' is on hold: resume it to check in."]);
    sim.ok(
        "op2",
        Command::Resume {
            step: "prep".into(),
        },
    );
    assert_eq!(sim.step("prep").state, StepState::InProgress);
    assert_eq!(checked_in_step(sim.step("prep")), ["op2"]);
    let r = sim.refused(
        "op2",
        Command::Resume {
            step: "prep".into(),
        },
    );
    assert_eq!(
        r,
        ["Only a step that is on_hold can be resumed; step 'prep' is in_progress."]
    );
}

#[test]
fn failing_a_step_can_raise_an_issue_and_does_not_fail_the_run() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    let r = sim.refused(
        "op1",
        Command::FailStep {
            step: "prep".into(),
            reason: " ".into(),
            issue: None,
            raise_issue: None,
        },
    );
    assert_eq!(r, ["A reason for failing the step is required."]);
    let events = sim.ok(
        "op1",
        Command::FailStep {
            step: "prep".into(),
            reason: "Casting cracked".into(),
            issue: None,
            raise_issue: Some("Cracked casting".into()),
        },
    );
    assert!(
        matches!(&events[0], Event::IssueRaised { issue } if issue.step.as_deref() == Some("prep"))
    );
    assert!(events.iter().any(|e| matches!(e, Event::StepStateChanged { to: StepState::Failed, reason: Some(r), .. } if r == "Casting cracked (issue 1)")));
    assert_eq!(sim.step("prep").state, StepState::Failed);
    assert!(checked_in_step(sim.step("prep")).is_empty());
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(sim.world.issues[&1].run, Some(1));
    // rework in place: back to todo, values kept
    sim.ok(
        "op1",
        Command::Rework {
            step: "prep".into(),
            expect: None,
        },
    );
    assert_eq!(sim.step("prep").state, StepState::Todo);
    sim.finish_prep();
}

#[test]
fn rework_as_copy_inserts_a_todo_duplicate_and_supersedes_the_original() {
    let mut sim = Sim::with_run_of(|p| p.steps[1].rework = ReworkMode::Copy);
    sim.finish_prep();
    sim.check_in("op1", "bore");
    sim.set("op1", "bore", "Bore diameter", "26");
    sim.ok(
        "op1",
        Command::FailStep {
            step: "bore".into(),
            reason: "Oversize".into(),
            issue: None,
            raise_issue: None,
        },
    );
    assert_eq!(required_progress(sim.run()), (1, 3));
    sim.ok(
        "op1",
        Command::Rework {
            step: "bore".into(),
            expect: Some(ReworkMode::Copy),
        },
    );
    let keys: Vec<(&str, &str)> = sim
        .run()
        .steps
        .iter()
        .map(|s| (s.key.as_str(), s.position.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("prep", "1"),
            ("bore", "2"),
            ("bore-r1", "2.1"),
            ("torque", "3"),
            ("label", "4")
        ]
    );
    let original = sim.step("bore");
    assert_eq!(original.state, StepState::Failed);
    assert_eq!(original.superseded_by.as_deref(), Some("bore-r1"));
    let copy = sim.step("bore-r1");
    assert_eq!(copy.state, StepState::Todo);
    assert!(copy.fields.iter().all(|f| f.values.is_empty()));
    assert_eq!(
        find_step(sim.run(), "2.1").map(|s| s.key.as_str()),
        Some("bore-r1")
    );
    // the original no longer counts; the copy does
    assert_eq!(required_progress(sim.run()), (1, 3));
    let r = sim.refused(
        "op1",
        Command::Rework {
            step: "bore".into(),
            expect: Some(ReworkMode::Copy),
        },
    );
    assert_eq!(
        r,
        ["Step 2 'Step bore' was already replaced by its rework copy 'bore-r1'."]
    );
    // torque waits on bore, which is satisfied through its copy
    let r = sim.refused("op2", cmd_check_in("torque"));
    assert_eq!(
        r,
        ["Step 3 'Step torque' waits on step 2 'Step bore', which is not complete."]
    );
    sim.check_in("op1", "bore-r1");
    sim.set("op1", "bore-r1", "Bore diameter", "25.0");
    sim.set("op1", "bore-r1", "Leak test", "pass");
    sim.set("op1", "bore-r1", "Finish", "bare");
    sim.install("op1", "bore-r1", "BRG-1");
    sim.install("op1", "bore-r1", "SCR-B");
    sim.sign("qe1", "bore-r1", "QA", Meaning::Approved, None)
        .expect("signed");
    sim.complete("op1", "bore-r1");
    sim.finish_torque();
    // the failed original did not hold the run back
    assert_eq!(sim.run().state, RunState::Complete);
    assert!(all_required_complete(sim.run()));
}

#[test]
fn reopen_step_needs_quality_or_supervisor_and_a_reason() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    let reopen = |reason: &str| Command::ReopenStep {
        step: "prep".into(),
        reason: reason.into(),
    };
    let r = sim.refused("op1", reopen("typo"));
    assert_has(
        &r,
        "Reopening a step needs the quality, supervisor or admin role; op1 has the role operator.",
    );
    let r = sim.refused("qe1", reopen(""));
    assert_eq!(r, ["A reason for reopening the step is required."]);
    sim.ok("sup1", reopen("Wrong date"));
    let s = sim.step("prep");
    assert_eq!(s.state, StepState::Todo);
    assert_eq!(s.completed_by, None);
    let r = sim.refused("qe1", reopen("again"));
    assert_eq!(
        r,
        ["Only a step that is complete can be reopened; step 'prep' is todo."]
    );
}

// ---------------------------------------------------------------- run completion

#[test]
fn the_run_completes_when_the_last_required_step_completes() {
    let mut sim = Sim::with_run();
    sim.check_in("op2", "label"); // optional step, left open
    sim.finish_prep();
    sim.finish_bore();
    assert_eq!(sim.run().state, RunState::InProgress);
    sim.finish_torque();
    let run = sim.run();
    assert_eq!(run.state, RunState::Complete);
    assert_eq!(run.completed_at, Some(sim.now));
    assert!(checked_in(run).is_empty(), "completion checks everyone out");
    assert_eq!(sim.item(RUN_SERIAL).state, InventoryState::Available);
    assert_eq!(required_progress(run), (3, 3));
    // steps are locked
    let r = sim.refused("op2", cmd_complete("label"));
    assert_eq!(r, ["Run 1 is complete: step actions are refused."]);
    let r = sim.refused(
        "op1",
        Command::AddComment {
            step: "label".into(),
            text: "hi".into(),
        },
    );
    assert_eq!(r, ["Run 1 is complete: step actions are refused."]);
}

#[test]
fn completion_waits_on_open_issues_then_completes_when_the_last_closes() {
    let mut sim = Sim::with_run();
    let i1 = sim.raise_issue("op1", "Scratch on cover");
    let i2 = sim.raise_issue("op2", "Wrong label");
    sim.finish_prep();
    sim.finish_bore();
    sim.finish_torque();
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(
        run_waiting_on(&sim.world),
        ["waiting on issue 1", "waiting on issue 2"]
    );
    // dispositions: quality or admin, not supervisor
    let r = sim.refused(
        "sup1",
        Command::SetDisposition {
            issue: i1,
            disposition: Disposition::UseAsIs,
            rationale: "Reviewed".into(),
        },
    );
    assert_has(&r, "Setting a disposition needs the quality or admin role");
    let r = sim.refused("qe1", close(i1, " "));
    assert_eq!(
        r,
        [
            "Issue 1 has no disposition yet: set one before closing it.",
            "A rationale for closing the issue is required."
        ]
    );
    set_disposition(&mut sim, "qe1", i1, Disposition::UseAsIs);
    let r = sim.refused("sup1", close(i1, "Done"));
    assert_has(&r, "Closing an issue needs the quality or admin role");
    close_issue(&mut sim, i1);
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(run_waiting_on(&sim.world), ["waiting on issue 2"]);
    set_disposition(&mut sim, "adm", i2, Disposition::Rework);
    let r = sim.refused("qe1", close(i2, ""));
    assert_eq!(r, ["A rationale for closing the issue is required."]);
    let events = sim.ok("qe1", close(i2, "  Reworked and re-inspected  "));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::IssueStateChanged { rationale: Some(why), .. } if why == "Reworked and re-inspected"
    )));
    let closing = sim.world.issues[&i2].approvals.last().expect("the close");
    assert_eq!(
        (closing.action.as_str(), closing.why()),
        ("close", Some("Reworked and re-inspected"))
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::RunCompleted { .. })));
    assert_eq!(sim.run().state, RunState::Complete);
    assert!(run_waiting_on(&sim.world).is_empty());
}

#[test]
fn with_the_setting_off_open_issues_do_not_hold_completion() {
    let mut sim = Sim::with_run();
    sim.ok(
        "adm",
        Command::SetSetting {
            key: "block_completion_on_open_issues".into(),
            value: "false".into(),
        },
    );
    sim.raise_issue("op1", "Cosmetic");
    sim.finish_prep();
    sim.finish_bore();
    sim.finish_torque();
    assert_eq!(sim.run().state, RunState::Complete);
}

fn fail_cmd(step: &str) -> Command {
    Command::FailStep {
        step: step.into(),
        reason: "Broken".into(),
        issue: None,
        raise_issue: None,
    }
}

fn rework_cmd(step: &str, expect: Option<ReworkMode>) -> Command {
    Command::Rework {
        step: step.into(),
        expect,
    }
}

#[test]
fn a_failed_optional_step_holds_completion_until_reworked_then_is_skipped() {
    let mut sim = Sim::with_run();
    sim.check_in("op2", "label");
    sim.ok("op2", fail_cmd("label"));
    sim.finish_prep();
    sim.finish_bore();
    sim.finish_torque();
    // every required step is complete, but the failure is unresolved
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(
        run_waiting_on(&sim.world),
        ["waiting on failed step 4 'Step label'"]
    );
    // reworked in place, the optional step is open again: the run completes
    // and closes it as skipped
    let events = sim.ok("op2", rework_cmd("label", None));
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::RunCompleted { .. })));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::StepStateChanged { step, from: StepState::Todo, to: StepState::Skipped, .. }
            if step == "label"
    )));
    assert_eq!(sim.run().state, RunState::Complete);
    assert_eq!(sim.step("label").state, StepState::Skipped);
    assert!(run_waiting_on(&sim.world).is_empty());
}

#[test]
fn a_failed_optional_step_superseded_by_its_copy_does_not_hold_completion() {
    let mut sim = Sim::with_run_of(|p| p.steps[3].rework = ReworkMode::Copy);
    sim.check_in("op2", "label");
    sim.ok("op2", fail_cmd("label"));
    sim.finish_prep();
    sim.finish_bore();
    sim.finish_torque();
    assert_eq!(sim.run().state, RunState::InProgress);
    sim.ok("op2", rework_cmd("label", None));
    assert_eq!(sim.run().state, RunState::Complete);
    // the superseded original stays failed (history); its open copy is skipped
    assert_eq!(sim.step("label").state, StepState::Failed);
    assert_eq!(sim.step("label-r1").state, StepState::Skipped);
}

#[test]
fn optional_steps_left_open_are_skipped_at_completion_and_can_be_reopened_later() {
    let mut sim = Sim::with_run();
    sim.check_in("op2", "label"); // optional, in progress
    sim.finish_prep();
    sim.finish_bore();
    sim.check_in("op2", "torque");
    sim.set("op2", "torque", "Torque", "11");
    let events = sim.complete("op2", "torque");
    assert_eq!(sim.run().state, RunState::Complete);
    let label = sim.step("label");
    assert_eq!(label.state, StepState::Skipped, "never left in progress");
    assert_eq!(label.state.name(), "skipped");
    let skip = events.iter().position(|e| {
        matches!(
            e,
            Event::StepStateChanged {
                to: StepState::Skipped,
                ..
            }
        )
    });
    let done = events
        .iter()
        .position(|e| matches!(e, Event::RunCompleted { .. }));
    assert!(skip < done, "skipped before the run completes: {events:?}");
    // a skipped step is locked with the run; after a reopen it may be reopened
    let r = sim.refused("op2", cmd_check_in("label"));
    assert_eq!(r, ["Run 1 is complete: step actions are refused."]);
    sim.ok(
        "adm",
        Command::ReopenRun {
            reason: "Label needed after all".into(),
        },
    );
    let r = sim.refused("op2", cmd_check_in("label"));
    assert_has(&r, "was skipped when the run completed");
    sim.ok(
        "qe1",
        Command::ReopenStep {
            step: "label".into(),
            reason: "Customer wants the label".into(),
        },
    );
    assert_eq!(sim.step("label").state, StepState::Todo);
    sim.check_in("op2", "label");
}

#[test]
fn a_recheck_completes_a_run_whose_last_blocker_went_away_with_a_setting() {
    let mut sim = Sim::with_run();
    sim.raise_issue("op1", "Cosmetic");
    sim.finish_prep();
    sim.finish_bore();
    sim.finish_torque();
    assert_eq!(sim.run().state, RunState::InProgress);
    // nothing to do yet: the recheck is accepted and changes nothing
    let events = sim.ok("op1", Command::RecheckCompletion);
    assert!(events.is_empty(), "{events:?}");
    let set = Command::SetSetting {
        key: "block_completion_on_open_issues".into(),
        value: "false".into(),
    };
    assert!(rechecks_waiting_runs(&set));
    assert!(!rechecks_waiting_runs(&cmd_complete("bore")));
    sim.ok("adm", set);
    let events = sim.ok("adm", Command::RecheckCompletion);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::RunCompleted { .. })));
    assert_eq!(sim.run().state, RunState::Complete);
    assert_eq!(sim.item(RUN_SERIAL).state, InventoryState::Available);
}

#[test]
fn a_redline_on_a_todo_run_starts_it() {
    let mut sim = Sim::with_run();
    assert_eq!(sim.run().state, RunState::Todo);
    let events = sim.ok(
        "op1",
        Command::ProposeRedline {
            step: "prep".into(),
            change: RedlineChange::CorrectInstructions {
                instructions: "Clean, then inspect.".into(),
            },
            reason: "Cleaning missing".into(),
        },
    );
    assert!(
        matches!(events.first(), Some(Event::RunStarted { .. })),
        "{events:?}"
    );
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(sim.run().started_at, Some(sim.now));
    assert_eq!(sim.step("prep").state, StepState::Redline);
}

#[test]
fn a_comment_on_a_todo_run_does_not_start_it() {
    let mut sim = Sim::with_run();
    sim.ok(
        "op1",
        Command::AddComment {
            step: "prep".into(),
            text: "Casting arrived".into(),
        },
    );
    assert_eq!(sim.run().state, RunState::Todo);
    assert_eq!(sim.run().started_at, None);
}

#[test]
fn hold_without_a_reason_on_a_step_not_in_progress_lists_both_reasons() {
    let mut sim = Sim::with_run();
    let r = sim.refused(
        "op1",
        Command::Hold {
            step: "prep".into(),
            reason: String::new(),
        },
    );
    assert_eq!(
        r,
        [
            "Only a step that is in_progress can be put on hold; step 'prep' is todo.",
            "A reason for the hold is required."
        ]
    );
}

#[test]
fn the_procedure_decides_the_rework_mode_and_a_mismatch_is_refused() {
    let mut sim = Sim::with_run();
    assert_eq!(sim.step("prep").rework, ReworkMode::Reopen);
    sim.check_in("op1", "prep");
    sim.ok("op1", fail_cmd("prep"));
    let r = sim.refused("op1", rework_cmd("prep", Some(ReworkMode::Copy)));
    assert_eq!(
        r,
        ["Step 'prep' is reworked in place (rework = \"reopen\"): the procedure decides, not the operator; as a copy was asked for."]
    );
    // asking for the procedure's own mode, or for none, is accepted
    sim.ok("op1", rework_cmd("prep", Some(ReworkMode::Reopen)));
    assert_eq!(sim.step("prep").state, StepState::Todo);
    assert_eq!(sim.run().steps.len(), 4);

    let mut sim = Sim::with_run_of(|p| p.steps[0].rework = ReworkMode::Copy);
    assert_eq!(sim.step("prep").rework, ReworkMode::Copy);
    sim.check_in("op1", "prep");
    sim.ok("op1", fail_cmd("prep"));
    let r = sim.refused("op1", rework_cmd("prep", Some(ReworkMode::Reopen)));
    assert_has(&r, "is reworked as a copy (rework = \"copy\")");
    sim.ok("op1", rework_cmd("prep", None));
    assert_eq!(sim.step("prep").superseded_by.as_deref(), Some("prep-r1"));
    // the copy keeps the procedure's mode
    assert_eq!(sim.step("prep-r1").rework, ReworkMode::Copy);
}

#[test]
fn procedures_and_runs_stored_before_the_rework_field_rework_in_place() {
    let sim = Sim::with_run();
    let mut step = serde_json::to_value(sim.step("prep")).expect("json");
    step.as_object_mut().expect("object").remove("rework");
    let old: RunStep = serde_json::from_value(step).expect("an old run step reads");
    assert_eq!(old.rework, ReworkMode::Reopen);
    let mut def = serde_json::to_value(&procedure().steps[0]).expect("json");
    def.as_object_mut().expect("object").remove("rework");
    let old: StepDef = serde_json::from_value(def).expect("an old procedure step reads");
    assert_eq!(old.rework, ReworkMode::Reopen);
}

#[test]
fn a_changed_disposition_reopens_then_redispositions_and_scrap_scraps_the_item() {
    let mut sim = Sim::with_run();
    let events = sim.ok(
        "op1",
        Command::RaiseIssue {
            title: "Bearing noisy".into(),
            description: "Grinding".into(),
            step: Some("bore".into()),
            field: None,
            inventory: Some("BRG-2".into()),
        },
    );
    let Some(Event::IssueRaised { issue }) = events.first() else {
        panic!("no issue")
    };
    let id = issue.id;
    set_disposition(&mut sim, "qe1", id, Disposition::UseAsIs);
    assert_eq!(sim.world.issues[&id].state, IssueState::Dispositioned);
    let r = sim.refused_signed(
        "qe1",
        Command::SetDisposition {
            issue: id,
            disposition: Disposition::UseAsIs,
            rationale: "Reviewed".into(),
        },
    );
    assert_eq!(r, ["Issue 1 already has disposition use_as_is."]);
    let events = sim.ok_signed(
        "qe1",
        Command::SetDisposition {
            issue: id,
            disposition: Disposition::Scrap,
            rationale: "Reviewed".into(),
        },
    );
    let states: Vec<(IssueState, IssueState)> = events
        .iter()
        .filter_map(|e| match e {
            Event::IssueStateChanged { from, to, .. } => Some((*from, *to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            (IssueState::Dispositioned, IssueState::Open),
            (IssueState::Open, IssueState::Dispositioned)
        ]
    );
    assert_eq!(sim.world.issues[&id].disposition, Some(Disposition::Scrap));
    assert_eq!(sim.item("BRG-2").state, InventoryState::Scrapped);
    close_issue(&mut sim, id);
    let r = sim.refused_signed(
        "qe1",
        Command::SetDisposition {
            issue: id,
            disposition: Disposition::Repair,
            rationale: "Reviewed".into(),
        },
    );
    assert_eq!(r, ["Issue 1 is closed."]);
    let approvals: Vec<&str> = sim.world.issues[&id]
        .approvals
        .iter()
        .map(|a| a.action.as_str())
        .collect();
    assert_eq!(
        approvals,
        ["disposition use_as_is", "disposition scrap", "close"]
    );
}

// ---------------------------------------------------------------- fail / reopen run

#[test]
fn failing_the_run_freezes_it_and_refuses_step_actions() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    let fail = |reason: &str, to| Command::FailRun {
        reason: reason.into(),
        issue: None,
        inventory_to: to,
    };
    let r = sim.refused("op1", fail("x", FailInventoryTo::Scrapped));
    assert_has(&r, "Failing a run needs the supervisor or admin role");
    let r = sim.refused("sup1", fail("", FailInventoryTo::Scrapped));
    assert_eq!(r, ["A reason for failing the run is required."]);
    let issue = sim.raise_issue("op1", "Housing cracked");
    sim.ok(
        "sup1",
        Command::FailRun {
            reason: "Housing cracked".into(),
            issue: Some(issue),
            inventory_to: FailInventoryTo::Quarantined,
        },
    );
    let run = sim.run();
    assert_eq!(run.state, RunState::Failed);
    assert_eq!(run.failure.as_ref().map(|f| f.issue), Some(Some(issue)));
    assert!(checked_in(run).is_empty());
    assert_eq!(
        sim.step("prep").state,
        StepState::InProgress,
        "steps freeze as they are"
    );
    assert_eq!(sim.item(RUN_SERIAL).state, InventoryState::Quarantined);
    for cmd in [
        cmd_check_in("label"),
        set_cmd("prep", "Notes", "x"),
        cmd_complete("prep"),
        Command::Hold {
            step: "prep".into(),
            reason: "x".into(),
        },
    ] {
        let r = sim.refused("op1", cmd);
        assert_eq!(r, ["Run 1 is failed: step actions are refused."]);
    }
    let r = sim.refused("sup1", fail("again", FailInventoryTo::Scrapped));
    assert_has(
        &r,
        "Run 1 is failed: only a run in progress (or todo) can be failed.",
    );
    let r = sim.refused(
        "adm",
        Command::ReopenRun {
            reason: "oops".into(),
        },
    );
    assert_has(&r, "only a complete run can be reopened");
}

#[test]
fn a_complete_run_reopens_only_by_admin_with_a_reason() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.finish_bore();
    sim.finish_torque();
    let completed = sim.run().completed_at;
    assert!(completed.is_some());
    let r = sim.refused(
        "sup1",
        Command::ReopenRun {
            reason: "Data fix".into(),
        },
    );
    assert_has(&r, "Reopening a complete run needs the admin role");
    let r = sim.refused("adm", Command::ReopenRun { reason: "".into() });
    assert_eq!(r, ["A reason for reopening the run is required."]);
    sim.ok(
        "adm",
        Command::ReopenRun {
            reason: "Torque recorded wrong".into(),
        },
    );
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(sim.run().completed_at, None);
    assert_eq!(sim.item(RUN_SERIAL).state, InventoryState::Wip);
    assert_eq!(
        run_waiting_on(&sim.world),
        ["reopened: reopen a step to change it; completing a step completes the run again"],
        "a reopened run says what moves it on"
    );
    // work can continue: reopen a step, redo it, and the run completes again
    sim.ok(
        "qe1",
        Command::ReopenStep {
            step: "torque".into(),
            reason: "Re-torque".into(),
        },
    );
    sim.finish_torque();
    assert_eq!(sim.run().state, RunState::Complete);
    assert_eq!(sim.item(RUN_SERIAL).state, InventoryState::Available);
}

// ---------------------------------------------------------------- redlines

#[test]
fn a_field_redline_puts_the_step_in_redline_and_cancel_restores_it() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.finish_bore();
    sim.check_in("op2", "torque");
    let mut def = field_by_name(sim.step("torque"), "Torque")
        .expect("f")
        .def
        .clone();
    def.validation.max = Some(14.0);
    let change = RedlineChange::ChangeField {
        field: "Torque".into(),
        def,
    };
    let r = sim.refused(
        "op2",
        Command::ProposeRedline {
            step: "torque".into(),
            change: change.clone(),
            reason: "".into(),
        },
    );
    assert_eq!(r, ["A reason for the redline is required."]);
    sim.ok(
        "op2",
        Command::ProposeRedline {
            step: "torque".into(),
            change: change.clone(),
            reason: "New spec".into(),
        },
    );
    let s = sim.step("torque");
    assert_eq!(s.state, StepState::Redline);
    assert_eq!(s.state_before_redline, Some(StepState::InProgress));
    assert!(checked_in_step(s).is_empty());
    let r = sim.refused("op2", cmd_check_in("torque"));
    assert_has(&r, "is in redline");
    // a second step-changing redline is refused while one waits
    let r = sim.refused(
        "op2",
        Command::ProposeRedline {
            step: "torque".into(),
            change,
            reason: "again".into(),
        },
    );
    assert_has(
        &r,
        "A redline needs the step to be todo, in progress or failed; step 3 'Step torque' is redline.",
    );
    let id = sim.run().redlines[0].id;
    // another operator cannot cancel it; the proposer can
    let r = sim.refused("op1", Command::CancelRedline { redline: id });
    assert_has(&r, "Only op2 (who proposed redline");
    sim.ok("op2", Command::CancelRedline { redline: id });
    assert_eq!(sim.step("torque").state, StepState::InProgress);
    assert_eq!(sim.run().redlines[0].state, RedlineState::Cancelled);
    let r = sim.refused("qe1", Command::ApproveRedline { redline: id });
    assert_eq!(r, [format!("Redline {id} was cancelled.")]);
}

#[test]
fn an_approved_field_redline_applies_to_this_run_and_returns_the_step_to_todo() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.finish_bore();
    sim.check_in("op2", "torque");
    sim.set("op2", "torque", "Torque", "13.5");
    let mut def = field_by_name(sim.step("torque"), "Torque")
        .expect("f")
        .def
        .clone();
    def.validation.max = Some(14.0);
    sim.ok(
        "op2",
        Command::ProposeRedline {
            step: "torque".into(),
            change: RedlineChange::ChangeField {
                field: "Torque".into(),
                def,
            },
            reason: "Engineering change 42".into(),
        },
    );
    let id = sim.run().redlines[0].id;
    let r = sim.refused("op1", Command::ApproveRedline { redline: id });
    assert_has(
        &r,
        "Approving a redline needs the quality, supervisor or admin role",
    );
    sim.ok("sup1", Command::ApproveRedline { redline: id });
    let s = sim.step("torque");
    assert_eq!(s.state, StepState::Todo);
    assert_eq!(
        field_by_name(s, "Torque").expect("f").def.validation.max,
        Some(14.0)
    );
    assert_eq!(sim.run().redlines[0].decided_by.as_deref(), Some("sup1"));
    // the procedure itself is untouched
    assert_eq!(
        sim.world.procedures[0].steps[2].fields[0].validation.max,
        Some(12.0)
    );
    // 13.5 is now in range under the new rule
    sim.check_in("op2", "torque");
    sim.complete("op2", "torque");
    assert_eq!(sim.run().state, RunState::Complete);
}

#[test]
fn an_add_step_redline_waits_on_the_run_and_inserts_a_nested_step() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.finish_bore();
    let extra = step(
        "clean",
        &[],
        vec![field("Clean", FieldType::PassFail, true)],
    );
    sim.ok(
        "op1",
        Command::ProposeRedline {
            step: "bore".into(),
            change: RedlineChange::AddStep { def: extra.clone() },
            reason: "Chips found".into(),
        },
    );
    assert_eq!(
        sim.step("bore").state,
        StepState::Complete,
        "the target step is untouched"
    );
    let id = sim.run().redlines[0].id;
    // the pending proposal holds completion
    sim.finish_torque();
    assert_eq!(sim.run().state, RunState::InProgress);
    assert_eq!(
        run_waiting_on(&sim.world),
        [format!("waiting on redline {id}")]
    );
    sim.ok("qe1", Command::ApproveRedline { redline: id });
    let keys: Vec<(&str, &str, StepState)> = sim
        .run()
        .steps
        .iter()
        .map(|s| (s.key.as_str(), s.position.as_str(), s.state))
        .collect();
    assert_eq!(keys[2], ("clean", "2.1", StepState::Todo));
    assert_eq!(required_progress(sim.run()), (3, 4));
    sim.check_in("op1", "clean");
    sim.set("op1", "clean", "Clean", "pass");
    sim.complete("op1", "clean");
    assert_eq!(sim.run().state, RunState::Complete);
}

#[test]
fn a_redline_change_is_validated_like_a_procedure() {
    let mut sim = Sim::with_run();
    let mut bad = field("Torque", FieldType::Number, true);
    bad.validation.min = Some(5.0);
    bad.validation.max = Some(1.0);
    let r = sim.refused(
        "op1",
        Command::ProposeRedline {
            step: "torque".into(),
            change: RedlineChange::ChangeField {
                field: "Torque".into(),
                def: bad,
            },
            reason: "x".into(),
        },
    );
    assert_eq!(
        r,
        ["Step 'torque', field 'Torque': min 5 is greater than max 1."]
    );
    let r = sim.refused(
        "op1",
        Command::ProposeRedline {
            step: "bore".into(),
            change: RedlineChange::AddStep {
                def: step("prep", &["ghost"], vec![]),
            },
            reason: "x".into(),
        },
    );
    assert_eq!(
        r,
        [
            "Run 1 already has (or is about to get) a step 'prep'.",
            "The new step depends on step 'ghost', which run 1 does not have."
        ]
    );
}

// ---------------------------------------------------------------- labour

#[test]
fn labour_sessions_are_edited_by_supervisors_with_a_reason() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    let session = sim.step("prep").sessions[0].clone();
    let start = session.started_at - chrono::Duration::minutes(30);
    let edit = |reason: &str, end| Command::EditLabourSession {
        step: "prep".into(),
        session: session.id,
        started_at: start,
        ended_at: end,
        reason: reason.into(),
    };
    let r = sim.refused("op1", edit("forgot", None));
    assert_has(
        &r,
        "Editing a labour session needs the supervisor or admin role",
    );
    let r = sim.refused("sup1", edit("", Some(start - chrono::Duration::minutes(1))));
    assert_eq!(
        r,
        [
            "A reason for the edit is required.",
            "A session cannot end before it starts."
        ]
    );
    sim.ok("sup1", edit("Forgot to check in", None));
    assert_eq!(sim.step("prep").sessions[0].started_at, start);
    assert_eq!(sim.step("prep").sessions[0].user, "op1");
}

#[test]
fn a_session_open_past_max_session_hours_is_closed_at_the_limit_by_a_supervisor() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    let session = sim.step("prep").sessions[0].clone();
    let close = Command::CloseStaleSession {
        step: "prep".into(),
        session: session.id,
    };
    let limit = sim.world.settings.max_session_hours;
    assert_eq!(limit, 12);
    sim.now = session.started_at + chrono::Duration::hours(11);
    assert_eq!(
        sim.refused("sup1", close.clone()),
        ["Labour session 5 on step 1 'Step prep' has been open 11 h, not over max_session_hours 12."]
    );
    sim.now = session.started_at + chrono::Duration::hours(30);
    assert_has(
        &sim.refused("op1", close.clone()),
        "Closing stale labour sessions needs the supervisor or admin role",
    );
    let events = sim.ok("sup1", close.clone());
    let closed = &sim.step("prep").sessions[0];
    assert_eq!(
        closed.ended_at,
        Some(session.started_at + chrono::Duration::hours(12)),
        "counted up to the limit, not to the moment it was found"
    );
    match &events[..] {
        [Event::SessionEdited { reason, .. }] => assert_eq!(
            reason,
            "open 30 h, over max_session_hours 12: counted up to 12 h; closed by traveler check --close-stale"
        ),
        other => panic!("one session_edited event expected, got {other:?}"),
    }
    assert_eq!(
        sim.refused("sup1", close),
        ["Labour session 5 on step 1 'Step prep' is closed already."]
    );
}

// ---------------------------------------------------------------- versions and ids

#[test]
fn every_run_change_bumps_the_version_and_updated_at_and_ids_are_sequential() {
    let mut sim = Sim::with_run();
    let v0 = sim.run().version;
    assert_eq!(v0, 1);
    sim.check_in("op1", "prep");
    let run = sim.run();
    assert!(run.version > v0);
    assert_eq!(run.updated_at, sim.now);
    assert_eq!(run.updated_by, "op1");
    assert_eq!(sim.step("prep").sessions[0].id, 5);
    let step_v = sim.step("prep").version;
    assert_eq!(sim.step("prep").changed_by, "op1");
    sim.set("op1", "prep", "Notes", "fine");
    assert_eq!(
        sim.step("prep").version,
        step_v,
        "a value is not a state move"
    );
    let f = field_by_name(sim.step("prep"), "Notes").expect("f");
    assert_eq!(f.values[0].id, 6);
    assert_eq!(sim.run().next_local_id, 7);
}

// ---------------------------------------------------------------- people and master data

#[test]
fn users_are_managed_by_admin_with_unique_logins_and_roles() {
    let mut sim = Sim::new();
    let add = |login: &str, roles: &[&str]| Command::AddUser {
        login: login.into(),
        name: "New Person".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        secret_hash: "$argon2id$x".into(),
    };
    let r = sim.refused("sup1", add("new", &[OPERATOR]));
    assert_has(
        &r,
        "Adding a user needs the admin role; sup1 has the role supervisor.",
    );
    let r = sim.refused("adm", add("op1", &[]));
    assert_eq!(
        r,
        [
            "Login 'op1' is already taken.",
            "User 'op1' needs at least one role."
        ]
    );
    sim.ok("adm", add("new", &[OPERATOR, "witness"]));
    assert!(sim.world.users["new"].active);
    sim.ok(
        "adm",
        Command::SetUserActive {
            login: "new".into(),
            active: false,
        },
    );
    assert!(!sim.world.users["new"].active);
    let r = sim.refused(
        "adm",
        Command::SetUserActive {
            login: "adm".into(),
            active: false,
        },
    );
    assert_eq!(r, ["You cannot deactivate your own account."]);
    // a user may change their own secret, not another's
    sim.ok(
        "op1",
        Command::SetUserSecret {
            login: "op1".into(),
            secret_hash: "h2".into(),
        },
    );
    let r = sim.refused(
        "op1",
        Command::SetUserSecret {
            login: "op2".into(),
            secret_hash: "h".into(),
        },
    );
    assert_has(&r, "Changing another user's secret needs the admin role");
}

#[test]
fn consecutive_login_failures_lock_the_account_for_the_set_minutes() {
    let mut sim = Sim::new();
    sim.ok(
        "adm",
        Command::SetSetting {
            key: "lockout_attempts".into(),
            value: "3".into(),
        },
    );
    let fail = || Command::RecordLoginFailure {
        login: "op1".into(),
    };
    sim.ok("op1", fail());
    sim.ok("op1", fail());
    sim.ok(
        "op1",
        Command::RecordLoginSuccess {
            login: "op1".into(),
        },
    );
    assert_eq!(sim.world.users["op1"].failed_attempts, 0);
    sim.ok("op1", fail());
    sim.ok("op1", fail());
    assert_eq!(sim.world.users["op1"].locked_until, None);
    sim.ok("op1", fail());
    let until = sim.world.users["op1"].locked_until.expect("locked");
    assert_eq!(until, sim.now + chrono::Duration::minutes(5));
    let r = sim.refused(
        "op1",
        Command::RecordLoginSuccess {
            login: "op1".into(),
        },
    );
    assert!(
        r[0].starts_with("Too many wrong secrets: 'op1' is locked until"),
        "{r:?}"
    );
    assert!(can_log_in(&sim.world.users["op1"], sim.now).is_err());
    sim.now = until;
    assert!(can_log_in(
        &sim.world.users["op1"],
        sim.now + chrono::Duration::seconds(1)
    )
    .is_ok());
    sim.ok(
        "op1",
        Command::RecordLoginSuccess {
            login: "op1".into(),
        },
    );
    assert_eq!(sim.world.users["op1"].locked_until, None);
}

#[test]
fn settings_are_admin_only_and_bad_keys_or_values_are_explained() {
    let mut sim = Sim::new();
    let set = |k: &str, v: &str| Command::SetSetting {
        key: k.into(),
        value: v.into(),
    };
    let r = sim.refused("sup1", set("signer_not_performer", "false"));
    assert_has(&r, "Changing a setting needs the admin role");
    let r = sim.refused("adm", set("colour", "blue"));
    assert_eq!(
        r,
        ["There is no setting 'colour'; the settings are block_completion_on_open_issues, require_scan_for_installs, signer_not_performer, lockout_attempts, lockout_minutes, deviation_not_by_recorder, close_labour_on_sign_out, close_labour_on_quit, close_labour_on_lock, auto_checkin, stale_after_hours, max_session_hours."]
    );
    let r = sim.refused("adm", set("stale_after_hours", "-3"));
    assert_eq!(
        r,
        ["Setting stale_after_hours expects a whole number of hours from 1 to 100000, got '-3'."]
    );
    let r = sim.refused("sup1", set("max_session_hours", "8"));
    assert_has(&r, "Changing a setting needs the admin role");
    sim.ok("adm", set("max_session_hours", " 8"));
    assert_eq!(sim.world.settings.max_session_hours, 8);
    let r = sim.refused("adm", set("lockout_minutes", "0"));
    assert_eq!(
        r,
        ["Setting lockout_minutes expects a whole number from 1 to 100000, got '0'."]
    );
    let r = sim.refused("adm", set("require_scan_for_installs", "maybe"));
    assert_eq!(
        r,
        ["Setting require_scan_for_installs expects true or false, got 'maybe'."]
    );
    sim.ok("adm", set("lockout_minutes", " 15 "));
    sim.ok("adm", set("require_scan_for_installs", "TRUE"));
    assert_eq!(sim.world.settings.lockout_minutes, 15);
    assert!(sim.world.settings.require_scan_for_installs);
}

#[test]
fn parts_and_inventory_have_unique_numbers_and_identifiers() {
    let mut sim = Sim::new();
    let r = sim.refused(
        "op1",
        Command::AddPart {
            number: "GEAR".into(),
            description: "".into(),
            tracking: Tracking::Serial,
        },
    );
    assert_has(&r, "Adding a part needs the supervisor or admin role");
    let r = sim.refused(
        "sup1",
        Command::AddPart {
            number: "NUT".into(),
            description: "".into(),
            tracking: Tracking::Serial,
        },
    );
    assert_eq!(r, ["Part NUT already exists."]);
    sim.ok(
        "sup1",
        Command::AddPart {
            number: "GEAR".into(),
            description: "Gear".into(),
            tracking: Tracking::Serial,
        },
    );
    let receive = |id: &str, part: &str, q| Command::ReceiveInventory {
        part: part.into(),
        identifier: id.into(),
        quantity: q,
        received_as: None,
    };
    let r = sim.refused("sup1", receive("NUT-1", "GEAR", 2));
    assert_eq!(
        r,
        [
            "Identifier 'NUT-1' is already used by part NUT.",
            "Part GEAR is serial-tracked: a serial has quantity 1, not 2."
        ]
    );
    let r = sim.refused("sup1", receive("L-9", "SCREW", 0));
    assert_eq!(r, ["A lot needs a quantity of at least 1, got 0."]);
    sim.ok("sup1", receive("G-1", "GEAR", 1));
    assert_eq!(sim.item("G-1").state, InventoryState::Available);
}

#[test]
fn procedures_import_as_new_drafts_and_release_archives_the_previous() {
    let mut sim = Sim::new();
    let r = sim.refused(
        "sup1",
        Command::ImportProcedure {
            procedure: procedure(),
        },
    );
    assert_has(&r, "Importing a procedure needs the admin role");
    let events = sim.ok(
        "adm",
        Command::ImportProcedure {
            procedure: procedure(),
        },
    );
    assert!(
        matches!(&events[0], Event::ProcedureImported { procedure } if procedure.version == 2 && procedure.state == ProcedureState::Draft)
    );
    let r = sim.refused(
        "adm",
        Command::ReleaseProcedure {
            key: "widget".into(),
            version: 1,
        },
    );
    assert_eq!(r, ["Procedure 'widget' version 1 is already released."]);
    sim.ok(
        "adm",
        Command::ReleaseProcedure {
            key: "widget".into(),
            version: 2,
        },
    );
    let states: Vec<(i64, ProcedureState)> = sim
        .world
        .procedures
        .iter()
        .map(|p| (p.version, p.state))
        .collect();
    assert_eq!(
        states,
        [(1, ProcedureState::Archived), (2, ProcedureState::Released)]
    );
    let r = sim.refused(
        "adm",
        Command::ReleaseProcedure {
            key: "widget".into(),
            version: 1,
        },
    );
    assert_has(&r, "archived versions cannot be released again");
}

#[test]
fn an_imported_procedure_is_checked_for_every_mistake() {
    let mut sim = Sim::new();
    let mut p = procedure();
    p.steps[1].key = "prep".into(); // duplicate key
    p.steps[2].after = vec!["ghost".into()];
    p.steps[3].after = vec!["label".into()];
    p.steps[0]
        .fields
        .push(field("Notes", FieldType::Text, false)); // duplicate field
    let mut tol = field("Gap", FieldType::Number, true);
    tol.validation.tolerance = Some(-1.0);
    p.steps[0].fields.push(tol);
    p.steps[0]
        .fields
        .push(field("Colour", FieldType::SingleSelect, true));
    p.steps[0]
        .fields
        .push(field("Sign", FieldType::Signoff, true));
    let r = sim.refused("adm", Command::ImportProcedure { procedure: p });
    for needle in [
        "Step 'prep' has two fields named 'Notes'.",
        "Step 'prep', field 'Gap': tolerance -1 is negative.",
        "Step 'prep', field 'Gap': a tolerance needs a target.",
        "Step 'prep', field 'Colour': a select field needs options.",
        "Step 'prep', field 'Sign': a sign-off needs a role.",
        "Step key 'prep' is used twice.",
        "Step 'torque' depends on step 'ghost', which does not exist.",
        "Step 'label' depends on itself.",
    ] {
        assert_has(&r, needle);
    }
    let mut cyc = procedure();
    cyc.steps[0].after = vec!["torque".into()];
    let r = sim.refused("adm", Command::ImportProcedure { procedure: cyc });
    assert_eq!(
        r,
        ["The steps depend on each other in a circle: prep → torque → bore → prep."]
    );
}

// ---------------------------------------------------------------- audit

#[test]
fn audit_parts_name_the_entity_and_hide_secrets() {
    let mut sim = Sim::with_run();
    sim.finish_prep();
    sim.check_in("op1", "bore");
    let events = sim.set("op1", "bore", "Bore diameter", "25.01");
    let parts = events[0].audit_parts(Some(1));
    assert_eq!(parts.action, "field_value_saved");
    assert_eq!(parts.entity, "run 1 / step bore / field Bore diameter");
    let after = parts.after.expect("after");
    assert_eq!(after["value"]["value"], serde_json::json!(25.01));
    assert_eq!(after["verdict"], serde_json::json!("in_range"));
    let events = sim.install("op1", "bore", "BRG-1");
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e.audit_parts(Some(1)).action)
        .collect();
    assert_eq!(
        actions,
        [
            "installed",
            "inventory_state_changed",
            "inventory_parent_set"
        ]
    );
    assert_eq!(events[1].audit_parts(Some(1)).entity, "inventory BRG-1");
    let events = sim.ok(
        "op1",
        Command::Hold {
            step: "bore".into(),
            reason: "Lunch".into(),
        },
    );
    let hold = events.last().expect("event").audit_parts(Some(1));
    assert_eq!(hold.entity, "run 1 / step bore");
    assert_eq!(hold.reason.as_deref(), Some("Lunch"));
    assert_eq!(
        hold.before,
        Some(serde_json::json!({"state": "in_progress"}))
    );
    assert_eq!(hold.after, Some(serde_json::json!({"state": "on_hold"})));
    let secret = Event::UserSecretSet {
        login: "op1".into(),
        secret_hash: "$argon2id$SECRET".into(),
        set_by: None,
    };
    let parts = secret.audit_parts(None);
    assert_eq!(parts.entity, "user op1");
    let text = format!("{:?}{:?}", parts.before, parts.after);
    assert!(!text.contains("SECRET") && text.contains("(hidden)"));
    let added = Event::UserAdded {
        user: user("zed", &[OPERATOR]),
    };
    let text = format!("{:?}", added.audit_parts(None).after);
    assert!(!text.contains("argon2") && text.contains("(hidden)"));
}

// ---------------------------------------------------------------- hostile text

#[test]
fn reasons_comments_and_descriptions_refuse_cr_esc_and_bel_but_keep_newlines_and_tabs() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    let hold = |reason: &str| Command::Hold {
        step: "prep".into(),
        reason: reason.into(),
    };
    for (bad, named) in [
        (
            "late\rsignature_recorded approved",
            "a carriage return (\\r)",
        ),
        ("red \u{1b}[31m alert", "an escape character (\\u{1b})"),
        ("ding\u{7}", "a bell character (\\u{7})"),
        ("nul\0", "a NUL character (\\u{0})"),
    ] {
        let r = sim.refused("op1", hold(bad));
        assert_eq!(
            r,
            [format!(
                "A reason for the hold contains {named}; only line breaks and tabs may be used besides printable text."
            )]
        );
        let r = sim.refused(
            "op1",
            Command::AddComment {
                step: "prep".into(),
                text: bad.into(),
            },
        );
        assert_has(&r, &format!("A comment contains {named}"));
        let r = sim.refused(
            "op1",
            Command::RaiseIssue {
                title: "Scratch".into(),
                description: bad.into(),
                step: None,
                field: None,
                inventory: None,
            },
        );
        assert_has(&r, &format!("The description contains {named}"));
    }
    sim.ok(
        "op1",
        Command::AddComment {
            step: "prep".into(),
            text: "two\nlines\tand a tab".into(),
        },
    );
    sim.ok("op1", hold("waiting on\nthe crane"));
}

#[test]
fn titles_are_one_line() {
    let mut sim = Sim::with_run();
    let r = sim.refused(
        "op1",
        Command::RaiseIssue {
            title: "Scratch\nsignature_recorded approved".into(),
            description: String::new(),
            step: None,
            field: None,
            inventory: None,
        },
    );
    assert_eq!(
        r,
        ["An issue title contains a line break (\\n); it must be one line of printable text."]
    );
    let r = sim.refused(
        "sup1",
        Command::CreateRun {
            procedure_key: "widget".into(),
            serial: "W-9".into(),
            title: Some("Widget\tW-9".into()),
        },
    );
    assert_has(&r, "A run title contains a tab (\\t)");
}

#[test]
fn identifiers_refuse_bidi_overrides_and_zero_width_characters() {
    let mut sim = Sim::new();
    let sneaky = [
        "\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}",
        "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}",
    ];
    for c in sneaky {
        let id = format!("W{c}-9");
        let shown = format!(
            "W\\u{{{:x}}}-9",
            u32::from(c.chars().next().expect("a char"))
        );
        let r = sim.refused(
            "sup1",
            Command::CreateRun {
                procedure_key: "widget".into(),
                serial: id.clone(),
                title: None,
            },
        );
        assert_has(
            &r,
            &format!("A serial '{shown}' contains an invisible or text-reordering character"),
        );
        let r = sim.refused(
            "sup1",
            Command::ReceiveInventory {
                part: "SCREW".into(),
                identifier: id.clone(),
                quantity: 5,
                received_as: None,
            },
        );
        assert_has(&r, "An identifier 'W\\u{");
        let r = sim.refused(
            "adm",
            Command::AddPart {
                number: id.clone(),
                description: String::new(),
                tracking: Tracking::Lot,
            },
        );
        assert_has(&r, "A part number 'W\\u{");
        let r = sim.refused(
            "adm",
            Command::AddUser {
                login: id.clone(),
                name: "Someone".into(),
                roles: vec![OPERATOR.into()],
                secret_hash: "$argon2id$x".into(),
            },
        );
        assert_has(&r, "A login 'W\\u{");
        let mut p = procedure();
        p.key = id.clone();
        p.steps[3].key = format!("label{c}");
        p.steps[2].fields[0].name = format!("Torque{c}");
        let r = sim.refused("adm", Command::ImportProcedure { procedure: p });
        assert_has(&r, "A procedure key 'W\\u{");
        assert_has(&r, "A step key 'label\\u{");
        assert_has(&r, "a field name 'Torque\\u{");
    }
    // Display names, titles and free text may hold them: they are printed escaped.
    sim.ok(
        "adm",
        Command::AddUser {
            login: "amira".into(),
            name: "Amira \u{200F}".into(),
            roles: vec![OPERATOR.into()],
            secret_hash: "$argon2id$x".into(),
        },
    );
}

#[test]
fn inventory_identifiers_cannot_look_like_run_references() {
    let mut sim = Sim::new();
    for id in ["#12", "run:12", "RUN:x"] {
        let r = sim.refused(
            "sup1",
            Command::CreateRun {
                procedure_key: "widget".into(),
                serial: id.into(),
                title: None,
            },
        );
        assert_eq!(
            r,
            [format!("A serial '{id}' starts with '#' or 'run:', which name a run (#12, run:12); choose another.")]
        );
    }
}

#[test]
fn procedure_and_redline_instructions_refuse_esc_and_bel_naming_the_step() {
    let mut sim = Sim::with_run();
    let mut p = procedure();
    p.steps[0].instructions = "Clean the bore.\n\u{1b}[2J\u{1b}[HAll steps approved.".into();
    p.steps[1].instructions = "Ring\u{7} the bell".into();
    p.steps[2].instructions = "Line one\r\nline two".into();
    p.steps[3].instructions = "Tabs\tand\nnewlines are fine".into();
    p.steps[3].title = "Label\nthe unit".into();
    let r = sim.refused("adm", Command::ImportProcedure { procedure: p });
    assert_eq!(
        r,
        [
            "Step 'prep': the instructions contain an escape character (\\u{1b}); only line breaks and tabs may be used besides printable text.",
            "Step 'bore': the instructions contain a bell character (\\u{7}); only line breaks and tabs may be used besides printable text.",
            "Step 'torque': the instructions contain a carriage return (\\r); only line breaks and tabs may be used besides printable text.",
            "Step 'label': the title contains a line break (\\n); it must be one line of printable text.",
        ]
    );
    let r = sim.refused(
        "op1",
        Command::ProposeRedline {
            step: "prep".into(),
            change: RedlineChange::CorrectInstructions {
                instructions: "New text \u{1b}]0;owned\u{7}".into(),
            },
            reason: "Typo".into(),
        },
    );
    assert_eq!(
        r,
        ["The corrected instructions contain an escape character (\\u{1b}); only line breaks and tabs may be used besides printable text."]
    );
}

#[test]
fn a_receipt_must_match_the_parts_tracking() {
    let mut sim = Sim::new();
    sim.ok(
        "adm",
        Command::AddPart {
            number: "GREASE".into(),
            description: String::new(),
            tracking: Tracking::None,
        },
    );
    let receive = |part: &str, id: &str, quantity, given| Command::ReceiveInventory {
        part: part.into(),
        identifier: id.into(),
        quantity,
        received_as: Some(given),
    };
    let r = sim.refused("sup1", receive("SCREW", "SCR-9", 1, Tracking::Serial));
    assert_eq!(
        r,
        ["Part SCREW is lot-tracked: receive it as a lot with --lot LOT --quantity Q, not as a serial."]
    );
    let r = sim.refused("sup1", receive("NUT", "NUT-9", 3, Tracking::Lot));
    assert_eq!(
        r,
        ["Part NUT is serial-tracked: receive each unit with --serial SN, not as a lot."]
    );
    let r = sim.refused("sup1", receive("GREASE", "GR-1", 1, Tracking::Serial));
    assert_eq!(
        r,
        ["Part GREASE is not tracked by serial or lot: receive a counted quantity with --lot BIN --quantity Q, not a serial."]
    );
    sim.ok("sup1", receive("GREASE", "GR-1", 4, Tracking::Lot));
    sim.ok("sup1", receive("SCREW", "SCR-9", 4, Tracking::Lot));
    sim.ok("sup1", receive("NUT", "NUT-9", 1, Tracking::Serial));
    assert_eq!(sim.item("SCR-9").quantity, 4);
    assert_eq!(sim.item("NUT-9").tracking, Tracking::Serial);
}

#[test]
fn a_run_reference_is_hash_or_run_colon_digits_and_anything_else_is_a_serial() {
    for (text, want) in [
        ("#12", RunRef::Id(12)),
        ("run:12", RunRef::Id(12)),
        ("RUN:7", RunRef::Id(7)),
        ("12", RunRef::Serial("12".into())),
        ("PU-1", RunRef::Serial("PU-1".into())),
        ("r1", RunRef::Serial("r1".into())),
        ("01", RunRef::Serial("01".into())),
    ] {
        assert_eq!(parse_run_ref(text), Ok(want), "{text}");
    }
    for loose in [
        "#01",
        "# 1",
        "#-1",
        "#+1",
        "#",
        "run:",
        "run:x",
        "#1a",
        "#99999999999999999999",
    ] {
        assert_eq!(
            parse_run_ref(loose),
            Err(format!("'{loose}' is not a run reference: a run id is written #12 or run:12; anything else names the serial of the unit it builds.")),
            "{loose}"
        );
    }
    for (text, n) in [
        ("12", Some(12)),
        ("+1", Some(1)),
        ("-1", Some(1)),
        ("r1", Some(1)),
        ("01", Some(1)),
        ("PU-1", None),
        ("", None),
    ] {
        assert_eq!(number_in_run_ref(text), n, "{text}");
    }
}

#[test]
fn escaping_shows_every_unsafe_character_and_leaves_the_rest() {
    assert_eq!(
        escape_unprintable("plain text ✓ 25.0 ± 0.05"),
        "plain text ✓ 25.0 ± 0.05"
    );
    assert_eq!(
        escape_unprintable("a\nb\rc\td\u{1b}[31me\u{7}\u{202e}f\u{200b}g\u{7f}"),
        "a\\nb\\rc\\td\\u{1b}[31me\\u{7}\\u{202e}f\\u{200b}g\\u{7f}"
    );
}

#[test]
fn leaving_the_terminal_closes_only_the_leavers_sessions_as_the_settings_say() {
    let mut sim = Sim::with_run();
    sim.check_in("op1", "prep");
    sim.check_in("op2", "prep");
    let leave = |cause| Command::CloseSessionsOnLeaving {
        step: "prep".into(),
        cause,
    };
    // A lock closes nothing by default: the setting is off, and says so.
    assert_eq!(
        sim.refused("op1", leave(LeaveCause::Lock)),
        ["Setting close_labour_on_lock is off: sessions stay open."]
    );
    let events = sim.ok("op1", leave(LeaveCause::Quit));
    assert!(
        matches!(
            events.as_slice(),
            [Event::SessionClosed { user, cause: Some(LeaveCause::Quit), .. }] if user == "op1"
        ),
        "{events:?}"
    );
    let open: Vec<&str> = sim
        .step("prep")
        .sessions
        .iter()
        .filter(|s| s.ended_at.is_none())
        .map(|s| s.user.as_str())
        .collect();
    assert_eq!(open, ["op2"], "op2 is still at work");
    // Nothing left open is nothing to do, not a refusal.
    assert!(sim.ok("op1", leave(LeaveCause::SignOut)).is_empty());
    sim.ok(
        "adm",
        Command::SetSetting {
            key: "close_labour_on_sign_out".into(),
            value: "false".into(),
        },
    );
    assert_eq!(
        sim.refused("op2", leave(LeaveCause::SignOut)),
        ["Setting close_labour_on_sign_out is off: sessions stay open."]
    );
}

#[test]
fn the_first_value_or_install_on_a_step_checks_the_user_in_with_it() {
    let mut sim = Sim::with_run();
    let events = sim.set("op1", "prep", "Inspection date", "2024-05-01");
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            Event::RunStarted { .. } => "run started",
            Event::StepStateChanged { .. } => "step state",
            Event::SessionOpened { .. } => "session",
            Event::FieldValueSaved { .. } => "value",
            _ => "other",
        })
        .collect();
    assert!(
        kinds.contains(&"session") && kinds.ends_with(&["value"]),
        "{kinds:?}"
    );
    assert_eq!(sim.step("prep").state, StepState::InProgress);
    assert_eq!(sim.run().state, RunState::InProgress);
    // Someone else joining the step in progress is checked in too.
    sim.set("op2", "prep", "Notes", "second pair of hands");
    let open: Vec<&str> = sim
        .step("prep")
        .sessions
        .iter()
        .filter(|s| s.ended_at.is_none())
        .map(|s| s.user.as_str())
        .collect();
    assert_eq!(open, ["op1", "op2"]);
    // A refused entry checks nobody in: both or neither.
    let mut sim = Sim::with_run();
    sim.finish_prep();
    let before = sim.world.clone();
    let r = sim.refused("op2", set_cmd("bore", "Bore diameter", "not a number"));
    assert!(!r.is_empty());
    assert_eq!(sim.world, before);
    // A step that waits on another is not checked into by an entry.
    let mut sim = Sim::with_run();
    let r = sim.refused("op1", set_cmd("bore", "Bore diameter", "25.01"));
    assert!(r.iter().any(|x| x.contains("prep")), "{r:?}");
}

#[test]
fn a_rehash_changes_only_the_actors_own_stored_hash() {
    let mut sim = Sim::new();
    let op2_before = sim.world.users["op2"].clone();
    sim.ok(
        "adm",
        Command::SetUserSecret {
            login: "op1".into(),
            secret_hash: "reset-by-admin".into(),
        },
    );
    sim.ok(
        "op1",
        Command::RecordLoginFailure {
            login: "op1".into(),
        },
    );
    let events = sim.ok(
        "op1",
        Command::RehashOwnSecret {
            secret_hash: "$argon2id$NEWPARAMS".into(),
        },
    );
    let op1 = &sim.world.users["op1"];
    assert_eq!(op1.secret_hash, "$argon2id$NEWPARAMS");
    assert_eq!(
        op1.secret_set_by.as_deref(),
        Some("adm"),
        "still a reset PIN"
    );
    assert_eq!(op1.failed_attempts, 1, "a rehash is not a sign-in");
    assert_eq!(sim.world.users["op2"], op2_before);
    let parts = events.last().expect("event").audit_parts(None);
    assert_eq!(parts.entity, "user op1");
    assert!(!format!("{:?}{:?}", parts.before, parts.after).contains("NEWPARAMS"));
    let r = sim.refused(
        "op1",
        Command::RehashOwnSecret {
            secret_hash: "  ".into(),
        },
    );
    assert_eq!(r, ["A secret is required."]);
}
