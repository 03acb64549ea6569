//! Shared fixtures for the TUI tests: a signed-in state at a fixed time, and
//! a run built by hand (no database, no clock), so snapshots are stable.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use traveler::app::keymap::Keymap;
use traveler::app::state::{RunBundle, RunView, Screen, State, StepView};
use traveler::domain::*;
use traveler::store::{AuditRow, RunSummary};
use traveler::ui::time_text::Zone;

pub fn at(h: u32, m: u32) -> Time {
    Utc.with_ymd_and_hms(2024, 5, 1, h, m, 0).unwrap()
}

pub fn now() -> Time {
    at(15, 0)
}

pub fn actor(login: &str, name: &str, roles: &[&str]) -> Actor {
    Actor {
        login: login.into(),
        name: name.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        station: "cell-3".into(),
        reauthenticated: false,
    }
}

pub fn op1() -> Actor {
    actor("op1", "Operator One", &["operator"])
}

pub fn qe1() -> Actor {
    actor("qe1", "Quality One", &["quality"])
}

/// A state at 15:00 UTC, shown in UTC, nobody signed in.
pub fn fresh_state() -> State {
    let mut s = State::new("cell-3", Keymap::defaults(), now());
    s.zone = Zone::utc();
    s
}

/// Signed in as `who`, on the board.
pub fn signed_in(who: Actor) -> State {
    let mut s = fresh_state();
    s.session = Some(who);
    s.screen = Screen::Board;
    s
}

fn def(name: &str, field_type: FieldType) -> FieldDef {
    FieldDef {
        name: name.into(),
        field_type,
        required: true,
        unit: None,
        validation: Validation::default(),
        options: Vec::new(),
        role: None,
    }
}

fn field(def: FieldDef) -> Field {
    Field {
        def,
        values: Vec::new(),
        earlier: Default::default(),
        signatures: Vec::new(),
        deviations: Vec::new(),
    }
}

fn value(id: u64, value: Value, verdict: Verdict, by: &str, t: Time) -> FieldValue {
    FieldValue {
        id,
        value,
        verdict,
        by: by.into(),
        at: t,
        replaces: None,
        reason: None,
    }
}

fn step(key: &str, position: &str, title: &str, state: StepState) -> RunStep {
    RunStep {
        id: position.parse().unwrap_or(0),
        key: key.into(),
        position: position.into(),
        title: title.into(),
        instructions: String::new(),
        required: true,
        after: Vec::new(),
        allow_out_of_range_with_issue: false,
        rework: ReworkMode::Reopen,
        state,
        state_before_redline: None,
        state_reason: None,
        superseded_by: None,
        fields: Vec::new(),
        requirements: Vec::new(),
        sessions: Vec::new(),
        comments: Vec::new(),
        completed_by: None,
        completed_at: None,
        version: 3,
        changed_by: "op1".into(),
        changed_at: at(14, 0),
    }
}

/// The bore field: 25.00 ± 0.05 mm.
pub fn bore_def() -> FieldDef {
    FieldDef {
        unit: Some("mm".into()),
        validation: Validation {
            target: Some(25.0),
            tolerance: Some(0.05),
            ..Validation::default()
        },
        ..def("Bore diameter", FieldType::Number)
    }
}

/// Run 42 building PU-0042: step 1 complete, step 2 in progress (op1
/// checked in) with every field type, a build requirement and a sign-off;
/// step 3 todo.
pub fn pump_run() -> Run {
    let mut inspect = step("inspect", "1", "Incoming inspection", StepState::Complete);
    let mut visual = field(def("Visual check", FieldType::PassFail));
    visual.values.push(value(
        1,
        Value::PassFail(true),
        Verdict::InRange,
        "op1",
        at(13, 10),
    ));
    inspect.fields.push(visual);
    inspect.completed_by = Some("op1".into());
    inspect.completed_at = Some(at(13, 12));
    inspect.sessions.push(LabourSession {
        id: 2,
        user: "op1".into(),
        started_at: at(13, 0),
        ended_at: Some(at(13, 12)),
    });

    let mut bore = step("bore", "2", "Bore the housing", StepState::InProgress);
    bore.instructions =
        "Bore the housing to 25.00 mm. Measure the bore at three depths and record the largest.\nInstall two bearings."
            .into();
    bore.allow_out_of_range_with_issue = true;
    bore.fields.push(field(bore_def()));
    bore.fields.push(field(FieldDef {
        options: vec!["smooth".into(), "rough".into(), "scored".into()],
        ..def("Surface finish", FieldType::SingleSelect)
    }));
    bore.fields.push(field(FieldDef {
        required: false,
        ..def("Notes", FieldType::Text)
    }));
    bore.fields
        .push(field(def("Torque verified", FieldType::Boolean)));
    bore.fields.push(field(FieldDef {
        role: Some("quality".into()),
        ..def("QA sign-off", FieldType::Signoff)
    }));
    bore.requirements.push(Requirement {
        def: RequirementDef {
            part: "BRG-100".into(),
            quantity: 2,
            substitutes: vec!["BRG-101".into()],
        },
        installs: vec![Installation {
            id: 7,
            identifier: "SN-B1".into(),
            part: "BRG-100".into(),
            quantity: 1,
            by: "op1".into(),
            at: at(14, 20),
            scanned: true,
            removed_by: None,
            removed_at: None,
        }],
        exception: None,
    });
    bore.sessions.push(LabourSession {
        id: 5,
        user: "op1".into(),
        started_at: at(14, 5),
        ended_at: None,
    });
    bore.comments.push(Comment {
        by: "op1".into(),
        at: at(14, 30),
        text: "Fixture 3 is a little loose.".into(),
    });

    let mut assemble = step("assemble", "3", "Final assembly", StepState::Todo);
    assemble.after = vec!["bore".into()];

    Run {
        id: 42,
        title: "Pump PU-0042".into(),
        procedure_key: "PUMP-ASSY".into(),
        procedure_version: 2,
        serial: "PU-0042".into(),
        part: "PUMP-1".into(),
        state: RunState::InProgress,
        created_at: at(9, 0),
        started_at: Some(at(13, 0)),
        completed_at: None,
        updated_at: at(14, 30),
        updated_by: "op1".into(),
        version: 12,
        steps: vec![inspect, bore, assemble],
        redlines: Vec::new(),
        failure: None,
        next_local_id: 20,
    }
}

/// The run's history, newest first, each row with its stored event (as
/// the store keeps them since schema 4). The hold's reason is hostile: an
/// escape sequence and a newline, which the screens must neutralise.
pub fn history() -> Vec<AuditRow> {
    let event = |e: Event| Some(serde_json::to_string(&e).unwrap());
    vec![
        AuditRow {
            seq: 31,
            at: at(14, 40),
            user: "op1".into(),
            station: "cell-3".into(),
            action: "hold".into(),
            entity: "run 42 / step bore".into(),
            run: Some(42),
            before: Some("\"in_progress\"".into()),
            after: Some("\"on_hold\"".into()),
            reason: Some("seal driver \u{1b}[31mmissing\nask stores".into()),
            event: event(Event::StepStateChanged {
                step: "bore".into(),
                from: StepState::InProgress,
                to: StepState::OnHold,
                reason: Some("seal driver \u{1b}[31mmissing\nask stores".into()),
            }),
        },
        AuditRow {
            seq: 30,
            at: at(14, 20),
            user: "op1".into(),
            station: "cell-3".into(),
            action: "install".into(),
            entity: "run 42 / step bore / part BRG-100".into(),
            run: Some(42),
            before: None,
            after: Some("{\"identifier\":\"SN-B1\",\"quantity\":1}".into()),
            reason: None,
            event: event(Event::Installed {
                step: "bore".into(),
                requirement: "BRG-100".into(),
                installation: Installation {
                    id: 4,
                    identifier: "SN-B1".into(),
                    part: "BRG-100".into(),
                    quantity: 1,
                    by: "op1".into(),
                    at: at(14, 20),
                    scanned: true,
                    removed_by: None,
                    removed_at: None,
                },
            }),
        },
        AuditRow {
            seq: 29,
            at: at(14, 5),
            user: "op1".into(),
            station: "cell-3".into(),
            action: "check_in".into(),
            entity: "run 42 / step bore".into(),
            run: Some(42),
            before: Some("\"todo\"".into()),
            after: Some("\"in_progress\"".into()),
            reason: None,
            event: None,
        },
    ]
}

pub fn bundle(run: Run) -> RunBundle {
    RunBundle {
        run,
        issues: Vec::new(),
        history: history(),
        settings: Settings::default(),
        trends: Default::default(),
        people: [("op1".to_string(), "Operator One".to_string())].into(),
    }
}

/// Signed in as `who`, looking at run 42's step list.
pub fn on_run(who: Actor) -> State {
    let mut s = signed_in(who);
    s.run = Some(RunView::new(bundle(pump_run()), 1));
    s.screen = Screen::Run;
    s
}

/// Signed in as `who`, on step 2 (bore) of run 42.
pub fn on_bore_step(who: Actor) -> State {
    let mut s = on_run(who);
    s.step = Some(StepView::new("bore", Screen::Run));
    s.screen = Screen::Step;
    s
}

pub fn summary(
    id: i64,
    serial: &str,
    state: RunState,
    done: i64,
    total: i64,
    who: &str,
    updated: Time,
) -> RunSummary {
    RunSummary {
        id,
        serial: serial.into(),
        title: format!("Pump {serial}"),
        procedure_key: "PUMP-ASSY".into(),
        state,
        required_done: done,
        required_total: total,
        checked_in: who.into(),
        created_at: updated,
        started_at: None,
        completed_at: None,
        updated_at: updated,
        updated_by: "sup1".into(),
        step: None,
        markers: Vec::new(),
    }
}

/// On the bore step with the bore already measured (value 30, 25.01 by op1).
pub fn bore_measured(who: Actor, approved: bool) -> State {
    let mut s = on_bore_step(who);
    let view = s.run.as_mut().expect("run");
    let bore = &mut view.bundle.run.steps[1];
    bore.fields[0].values.push(FieldValue {
        id: 30,
        value: Value::Number(25.01),
        verdict: Verdict::InRange,
        by: "op1".into(),
        at: at(14, 40),
        replaces: None,
        reason: None,
    });
    if approved {
        let sha = values_sha256(bore);
        bore.fields[4].signatures.push(Signature {
            by: "qe1".into(),
            name: "Quality One".into(),
            at: at(14, 45),
            meaning: Meaning::Approved,
            comment: None,
            values_sha256: sha,
            secret_set_by_signer: true,
        });
    }
    s
}
