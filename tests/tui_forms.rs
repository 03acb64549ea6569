//! Every pop-up form, driven through the app's own `update` and effect runner
//! against a real store: keys in, effects run, answers fed back as the
//! driver does, then the database is checked.

mod common;

use chrono::Utc;
use common::*;
use traveler::app::action::Action;
use traveler::app::keymap::Keymap;
use traveler::app::msg::Msg;
use traveler::app::run_effects::{dispatch, Runner};
use traveler::app::state::{Overlay, QualityTab, Screen, State, StatusKind};
use traveler::app::text_input::Edit;
use traveler::domain::*;

struct App {
    fx: Fixture,
    state: State,
    run: RunId,
}

impl App {
    /// The pump procedure, one run on serial PU-1, `who` signed in on the board.
    fn new(who: Actor) -> App {
        let mut fx = Fixture::with_pump();
        let run = fx.create_run("PU-1");
        App::signed_in(fx, run, who)
    }

    fn signed_in(fx: Fixture, run: RunId, who: Actor) -> App {
        let mut state = State::new("test-station", Keymap::defaults(), Utc::now());
        state.session = Some(who.clone());
        state.screen = Screen::Board;
        let mut app = App { fx, state, run };
        app.send(Msg::SignedIn(Ok(who)));
        app
    }

    /// Signs in as someone else (the screen stays where it is).
    fn become_user(&mut self, who: Actor) {
        self.state.session = Some(who);
    }

    fn send(&mut self, msg: Msg) {
        let mut runner = Runner {
            store: &mut self.fx.store,
            station: "test-station".into(),
        };
        dispatch(&mut self.state, &mut runner, msg);
    }

    fn act(&mut self, action: Action) {
        self.send(Msg::Action(action));
    }

    fn typ(&mut self, text: &str) {
        for c in text.chars() {
            self.send(Msg::Edit(Edit::Insert(c)));
        }
    }

    /// Scans the run's serial on the board, then opens the step `key`.
    fn open_step(&mut self, key: &str) {
        self.state.overlay = None;
        self.state.screen = Screen::Board;
        self.send(Msg::Scan("PU-1".into()));
        assert_eq!(self.state.screen, Screen::Run, "{:?}", self.state.status);
        self.act(Action::Top);
        for _ in 0..20 {
            let view = self.state.run.as_ref().expect("run loaded");
            if view.bundle.run.steps[view.selected].key == key {
                break;
            }
            self.act(Action::Down);
        }
        self.act(Action::Open);
        assert_eq!(self.state.screen, Screen::Step);
        assert_eq!(self.state.step.as_ref().unwrap().key, key);
    }

    fn form_open(&self) -> bool {
        matches!(self.state.overlay, Some(Overlay::Form(_)))
    }

    /// Whether the cursor is in the form's masked (PIN) box.
    fn in_pin_box(&self) -> bool {
        match &self.state.overlay {
            Some(Overlay::Form(f)) => f.fields.get(f.focus).is_some_and(|field| field.masked),
            _ => false,
        }
    }

    fn form_errors(&self) -> Vec<String> {
        match &self.state.overlay {
            Some(Overlay::Form(f)) => f.errors.clone(),
            _ => Vec::new(),
        }
    }

    /// The form closed and the status line says it worked.
    fn assert_submitted(&self) {
        assert!(
            !self.form_open(),
            "the form is still open: {:?} / {:?}",
            self.form_errors(),
            self.state.status
        );
        self.assert_succeeded();
    }

    /// The last action ended in a success status.
    fn assert_succeeded(&self) {
        let status = self.state.status.as_ref().expect("a status");
        assert_eq!(status.kind, StatusKind::Success, "{status:?}");
    }

    fn db_run(&self) -> Run {
        self.fx.run(self.run)
    }

    fn db_step(&self, key: &str) -> RunStep {
        self.db_run()
            .steps
            .into_iter()
            .find(|s| s.key == key)
            .expect("step")
    }
}

fn set(fx: &mut Fixture, run: RunId, step: &str, field: &str, raw: &str) {
    fx.set(&operator(), run, step, field, raw);
}

fn step_cmd(fx: &mut Fixture, who: &Actor, run: RunId, command: Command) {
    fx.ok(who, Some(run), command);
}

/// Works the bore step to complete as the operator.
fn complete_bore(fx: &mut Fixture, run: RunId) {
    step_cmd(
        fx,
        &operator(),
        run,
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    set(fx, run, "bore", "Bore diameter", "25.01");
    set(fx, run, "bore", "Surface finish", "pass");
    step_cmd(
        fx,
        &operator(),
        run,
        Command::Complete {
            step: "bore".into(),
        },
    );
}

/// Works every step of the run to complete.
fn complete_run(fx: &mut Fixture, run: RunId) {
    approve_inspect(fx, run);
    step_cmd(
        fx,
        &operator(),
        run,
        Command::Complete {
            step: "inspect".into(),
        },
    );
    assert_eq!(fx.run(run).state, RunState::Complete);
}

/// Works the run up to inspect, filled in and approved by quality (the
/// operator still checked in).
fn approve_inspect(fx: &mut Fixture, run: RunId) {
    complete_bore(fx, run);
    let op = operator();
    step_cmd(
        fx,
        &op,
        run,
        Command::CheckIn {
            step: "seals".into(),
        },
    );
    step_cmd(
        fx,
        &op,
        run,
        Command::Install {
            step: "seals".into(),
            identifier: "SL-1".into(),
            quantity: None,
            scanned: true,
        },
    );
    step_cmd(
        fx,
        &op,
        run,
        Command::Complete {
            step: "seals".into(),
        },
    );
    step_cmd(
        fx,
        &op,
        run,
        Command::CheckIn {
            step: "impeller".into(),
        },
    );
    for id in ["IMP-1", "LT-1"] {
        step_cmd(
            fx,
            &op,
            run,
            Command::Install {
                step: "impeller".into(),
                identifier: id.into(),
                quantity: None,
                scanned: true,
            },
        );
    }
    set(fx, run, "impeller", "Nut torque", "11");
    set(fx, run, "impeller", "Torque wrench", "TW-01");
    step_cmd(
        fx,
        &op,
        run,
        Command::Complete {
            step: "impeller".into(),
        },
    );
    step_cmd(
        fx,
        &op,
        run,
        Command::CheckIn {
            step: "inspect".into(),
        },
    );
    set(fx, run, "inspect", "Visual defects found", "no");
    step_cmd(
        fx,
        &quality(),
        run,
        Command::SignOff {
            step: "inspect".into(),
            field: "Quality approval".into(),
            meaning: Meaning::Approved,
            comment: None,
        },
    );
}

// --- step forms ---------------------------------------------------------------

#[test]
fn fail_step_with_a_reason_and_a_new_issue() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.act(Action::FailStep);
    assert!(app.form_open());
    app.typ("Bore scored");
    app.act(Action::Open);
    app.typ("Scored bore on PU-1");
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").state, StepState::Failed);
    let issues = app.fx.store.run_issues(app.run).unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].title, "Scored bore on PU-1");
    // The screen shows the new state.
    let shown = app.state.run.as_ref().unwrap();
    assert!(shown
        .bundle
        .run
        .steps
        .iter()
        .any(|s| s.key == "bore" && s.state == StepState::Failed));
}

#[test]
fn fail_step_without_an_issue() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.act(Action::FailStep);
    app.typ("Wrong housing");
    app.act(Action::Open);
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").state, StepState::Failed);
    assert!(app.fx.store.run_issues(app.run).unwrap().is_empty());
}

#[test]
fn a_form_submitted_empty_says_what_is_missing_and_stays_open() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.act(Action::FailStep);
    app.act(Action::Open);
    app.act(Action::Open);
    assert!(app.form_open());
    assert_eq!(app.form_errors(), vec!["Reason is required.".to_string()]);
    assert_eq!(app.db_step("bore").state, StepState::InProgress);
}

#[test]
fn hold_then_resume() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.act(Action::Hold);
    app.typ("Waiting for the gauge");
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").state, StepState::OnHold);
    app.act(Action::Resume);
    app.assert_succeeded();
    assert_eq!(app.db_step("bore").state, StepState::InProgress);
}

fn failed_bore(who: Actor) -> App {
    failed_bore_of(Fixture::with_pump(), who)
}

/// The pump procedure with its bore step reworked as a copy.
fn pump_reworked_as_copy() -> Fixture {
    Fixture::with_pump_text(&PUMP.replacen(
        "allow_out_of_range_with_issue = true",
        "allow_out_of_range_with_issue = true\nrework = \"copy\"",
        1,
    ))
}

fn failed_bore_of(mut fx: Fixture, who: Actor) -> App {
    let run = fx.create_run("PU-1");
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.act(Action::FailStep);
    app.typ("Bore scored");
    app.act(Action::Open);
    app.act(Action::Open);
    app.assert_submitted();
    app.become_user(who);
    app
}

#[test]
fn rework_in_place() {
    let mut app = failed_bore(operator());
    app.act(Action::Rework);
    assert!(app.form_open());
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").state, StepState::Todo);
    assert_eq!(app.db_run().steps.len(), 4);
}

#[test]
fn rework_as_a_copy() {
    // The procedure decides: the form only confirms, there is no choice.
    let mut app = failed_bore_of(pump_reworked_as_copy(), operator());
    app.act(Action::Rework);
    assert!(app.form_open());
    app.act(Action::NextTab);
    app.act(Action::Open);
    app.assert_submitted();
    let run = app.db_run();
    assert_eq!(run.steps.len(), 5);
    let original = run.steps.iter().find(|s| s.key == "bore").unwrap();
    assert_eq!(original.state, StepState::Failed);
    assert!(original.superseded_by.is_some());
}

#[test]
fn reopen_a_complete_step_as_quality() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    complete_bore(&mut fx, run);
    let mut app = App::signed_in(fx, run, quality());
    app.open_step("bore");
    app.act(Action::ReopenStep);
    assert!(app.form_open());
    app.typ("Gauge was out of calibration");
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").state, StepState::Todo);
}

#[test]
fn comment_on_a_step() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::Comment);
    app.typ("Housing from the new supplier");
    app.act(Action::Open);
    app.assert_submitted();
    let comments = app.db_step("bore").comments;
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].text, "Housing from the new supplier");
}

#[test]
fn raise_an_issue_about_a_field() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::RaiseIssue);
    app.typ("Burr on the bore edge");
    app.act(Action::Open);
    app.typ("Seen at 3 o'clock");
    app.act(Action::Open);
    // About: the focused field (Bore diameter) is preselected.
    app.act(Action::Open);
    app.assert_submitted();
    let issues = app.fx.store.run_issues(app.run).unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].title, "Burr on the bore edge");
    assert_eq!(issues[0].step.as_deref(), Some("bore"));
    assert_eq!(issues[0].field.as_deref(), Some("Bore diameter"));
}

#[test]
fn accept_a_deviation_as_quality() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    step_cmd(
        &mut fx,
        &operator(),
        run,
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    set(&mut fx, run, "bore", "Bore diameter", "25.2");
    fx.ok(
        &operator(),
        Some(run),
        Command::RaiseIssue {
            title: "Bore oversize".into(),
            description: String::new(),
            step: Some("bore".into()),
            field: Some("Bore diameter".into()),
            inventory: None,
        },
    );
    let mut app = App::signed_in(fx, run, quality());
    app.open_step("bore");
    app.act(Action::AcceptDeviation);
    assert!(app.form_open(), "{:?}", app.state.status);
    app.act(Action::Open); // field
    app.act(Action::Open); // issue
    app.typ("Within the pump's functional limit");
    // Enter steps over the signer's login, filled in, to the PIN box: a PIN
    // typed next is masked, never in clear in the login box.
    app.act(Action::Open);
    assert!(app.in_pin_box());
    app.typ("1234");
    app.act(Action::Open);
    app.assert_submitted();
    let step = app.db_step("bore");
    let field = step
        .fields
        .iter()
        .find(|f| f.def.name == "Bore diameter")
        .unwrap();
    assert_eq!(field.deviations.len(), 1);
    let signature = field.deviations[0].signature.as_ref().expect("signed");
    assert_eq!(signature.by, "qe");
    assert_eq!(signature.meaning, "deviation accepted");
    assert_eq!(signature.rationale, "Within the pump's functional limit");
}

#[test]
fn a_deviation_signed_with_a_wrong_pin_is_refused_and_the_cursor_returns_to_the_pin() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    step_cmd(
        &mut fx,
        &operator(),
        run,
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    set(&mut fx, run, "bore", "Bore diameter", "25.2");
    fx.ok(
        &operator(),
        Some(run),
        Command::RaiseIssue {
            title: "Bore oversize".into(),
            description: String::new(),
            step: Some("bore".into()),
            field: Some("Bore diameter".into()),
            inventory: None,
        },
    );
    let mut app = App::signed_in(fx, run, quality());
    app.open_step("bore");
    app.act(Action::AcceptDeviation);
    app.act(Action::Open);
    app.act(Action::Open);
    app.typ("Fits");
    app.act(Action::Open);
    assert!(app.in_pin_box());
    app.typ("9999");
    app.act(Action::Open);
    assert_eq!(
        app.form_errors(),
        vec!["Unknown login or wrong PIN, or the login is locked after 5 wrong PINs in a row (it unlocks after 5 minutes, or when an admin sets a new PIN).".to_string()]
    );
    let bore = app.db_step("bore");
    assert!(bore.fields[0].deviations.is_empty());
    app.typ("1234");
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").fields[0].deviations.len(), 1);
}

/// Moves through the redline form to the Reason box.
fn to_reason(app: &mut App) {
    for _ in 0..5 {
        app.act(Action::Open);
    }
}

#[test]
fn redline_the_instructions_then_approve_as_quality() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::Redline);
    assert!(app.form_open());
    app.act(Action::Open); // Change: correct the instructions
    app.send(Msg::Edit(Edit::Clear));
    app.typ("Measure at four depths.");
    to_reason(&mut app);
    app.typ("Drawing rev C");
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_step("bore").state, StepState::Redline);
    app.become_user(quality());
    app.act(Action::ApproveRedline);
    app.assert_succeeded();
    let step = app.db_step("bore");
    assert_eq!(step.state, StepState::Todo);
    assert_eq!(step.instructions, "Measure at four depths.");
}

#[test]
fn redline_a_number_rule_then_approve() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::Redline);
    app.act(Action::NextTab); // change the rule of Bore diameter
    app.act(Action::Open);
    app.act(Action::Open); // instructions (unused)
    app.act(Action::Open); // min
    app.act(Action::Open); // max
    app.act(Action::Open); // target 25
    app.send(Msg::Edit(Edit::Clear));
    app.typ("0.1"); // tolerance
    app.act(Action::Open);
    app.typ("Looser tolerance agreed with design");
    app.act(Action::Open);
    app.assert_submitted();
    app.become_user(supervisor());
    app.act(Action::ApproveRedline);
    app.assert_succeeded();
    let step = app.db_step("bore");
    let field = step
        .fields
        .iter()
        .find(|f| f.def.name == "Bore diameter")
        .unwrap();
    assert_eq!(field.def.validation.tolerance, Some(0.1));
    assert_eq!(field.def.validation.target, Some(25.0));
}

#[test]
fn redline_then_cancel() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::Redline);
    app.act(Action::Open);
    app.typ(" Also deburr.");
    to_reason(&mut app);
    app.typ("Missing step");
    app.act(Action::Open);
    app.assert_submitted();
    app.become_user(quality());
    app.act(Action::CancelRedline);
    app.assert_succeeded();
    let step = app.db_step("bore");
    assert_eq!(step.state, StepState::Todo);
    assert!(!step.instructions.contains("deburr"));
}

/// A run whose inspect step waits on its quality sign-off (the operator
/// checked in and filled it).
fn inspect_waiting_on_signoff() -> (Fixture, RunId) {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    complete_bore(&mut fx, run);
    // Skip to inspect: complete seals and impeller through the engine.
    let op = operator();
    step_cmd(
        &mut fx,
        &op,
        run,
        Command::CheckIn {
            step: "seals".into(),
        },
    );
    step_cmd(
        &mut fx,
        &op,
        run,
        Command::Install {
            step: "seals".into(),
            identifier: "SL-1".into(),
            quantity: None,
            scanned: true,
        },
    );
    step_cmd(
        &mut fx,
        &op,
        run,
        Command::Complete {
            step: "seals".into(),
        },
    );
    step_cmd(
        &mut fx,
        &op,
        run,
        Command::CheckIn {
            step: "impeller".into(),
        },
    );
    for id in ["IMP-1", "LT-1"] {
        step_cmd(
            &mut fx,
            &op,
            run,
            Command::Install {
                step: "impeller".into(),
                identifier: id.into(),
                quantity: None,
                scanned: true,
            },
        );
    }
    set(&mut fx, run, "impeller", "Nut torque", "11");
    set(&mut fx, run, "impeller", "Torque wrench", "TW-01");
    step_cmd(
        &mut fx,
        &op,
        run,
        Command::Complete {
            step: "impeller".into(),
        },
    );
    step_cmd(
        &mut fx,
        &op,
        run,
        Command::CheckIn {
            step: "inspect".into(),
        },
    );
    set(&mut fx, run, "inspect", "Visual defects found", "no");
    (fx, run)
}

#[test]
fn sign_off_with_login_and_pin() {
    let (fx, run) = inspect_waiting_on_signoff();
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("inspect");
    app.act(Action::Approve);
    assert!(app.form_open(), "{:?}", app.state.status);
    // The login box holds the signed-in operator's login: the signer replaces it.
    app.act(Action::Up);
    app.send(Msg::Edit(Edit::Clear));
    app.typ("qe");
    app.act(Action::Open);
    app.typ("1234");
    // Enter on the typed PIN signs: an approval's comment is optional.
    app.act(Action::Open);
    app.assert_submitted();
    let step = app.db_step("inspect");
    let signoff = step
        .fields
        .iter()
        .find(|f| f.def.name == "Quality approval")
        .unwrap();
    assert_eq!(signoff.signatures.len(), 1);
    assert_eq!(signoff.signatures[0].by, "qe");
}

fn inspect_signatures(app: &App) -> Vec<Signature> {
    app.db_step("inspect")
        .fields
        .into_iter()
        .find(|f| f.def.name == "Quality approval")
        .map(|f| f.signatures)
        .unwrap_or_default()
}

#[test]
fn a_pin_typed_again_after_a_wrong_one_goes_into_the_pin_box_not_the_comment() {
    let (fx, run) = inspect_waiting_on_signoff();
    let mut app = App::signed_in(fx, run, quality());
    app.open_step("inspect");
    app.act(Action::Approve);
    assert!(app.form_open(), "{:?}", app.state.status);
    // The signed-in user's login is filled in; the cursor is in the PIN box.
    app.typ("9999");
    app.act(Action::Open); // signs: nothing required is left
    assert!(app.form_open());
    assert_eq!(
        app.form_errors(),
        vec!["Unknown login or wrong PIN, or the login is locked after 5 wrong PINs in a row (it unlocks after 5 minutes, or when an admin sets a new PIN).".to_string()]
    );
    assert!(inspect_signatures(&app).is_empty());
    // The PIN typed again lands in the (emptied) PIN box.
    assert!(app.in_pin_box());
    app.typ("1234");
    app.act(Action::Open);
    app.assert_submitted();
    let signatures = inspect_signatures(&app);
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0].by, "qe");
    assert_eq!(signatures[0].comment, None);
}

// --- run forms ----------------------------------------------------------------

fn on_run_screen(app: &mut App) {
    app.send(Msg::Scan("PU-1".into()));
    assert_eq!(app.state.screen, Screen::Run);
}

#[test]
fn fail_a_run_as_supervisor_scrapping_the_unit() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    step_cmd(
        &mut fx,
        &operator(),
        run,
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    let mut app = App::signed_in(fx, run, supervisor());
    on_run_screen(&mut app);
    app.act(Action::FailRun);
    assert!(app.form_open());
    app.typ("Housing cracked");
    app.act(Action::Open);
    app.act(Action::NextTab); // scrapped
    app.act(Action::Open);
    app.act(Action::Open); // no issue
    app.assert_submitted();
    let run = app.db_run();
    assert_eq!(run.state, RunState::Failed);
    let unit = app.fx.store.inventory_item("PU-1").unwrap().unwrap();
    assert_eq!(unit.state, InventoryState::Scrapped);
}

#[test]
fn fail_a_run_quarantining_the_unit_with_an_issue() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    step_cmd(
        &mut fx,
        &operator(),
        run,
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    fx.ok(
        &operator(),
        Some(run),
        Command::RaiseIssue {
            title: "Crack".into(),
            description: String::new(),
            step: None,
            field: None,
            inventory: None,
        },
    );
    let issue = fx.store.run_issues(run).unwrap()[0].id;
    let mut app = App::signed_in(fx, run, supervisor());
    on_run_screen(&mut app);
    app.act(Action::FailRun);
    app.typ("Housing cracked");
    app.act(Action::Open);
    app.act(Action::Open); // quarantined
    app.typ(&format!("#{issue}"));
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_run().state, RunState::Failed);
    let unit = app.fx.store.inventory_item("PU-1").unwrap().unwrap();
    assert_eq!(unit.state, InventoryState::Quarantined);
}

#[test]
fn reopen_a_complete_run_as_admin() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    complete_run(&mut fx, run);
    let mut app = App::signed_in(fx, run, admin());
    on_run_screen(&mut app);
    app.act(Action::ReopenRun);
    assert!(app.form_open());
    app.typ("Customer return");
    app.act(Action::Open);
    app.assert_submitted();
    assert_eq!(app.db_run().state, RunState::InProgress);
}

// --- quality screen -----------------------------------------------------------

#[test]
fn disposition_then_close_an_issue() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    fx.ok(
        &operator(),
        Some(run),
        Command::RaiseIssue {
            title: "Scratch".into(),
            description: String::new(),
            step: Some("bore".into()),
            field: None,
            inventory: None,
        },
    );
    let mut app = App::signed_in(fx, run, quality());
    app.act(Action::QualityScreen);
    assert_eq!(app.state.screen, Screen::Quality);
    assert_eq!(app.state.quality.tab, QualityTab::Issues);
    assert_eq!(app.state.quality.data.issues.len(), 1);
    app.act(Action::SetDisposition);
    assert!(app.form_open());
    app.act(Action::Open); // use_as_is
    app.typ("Cosmetic only");
    app.act(Action::Open); // over the signer's login, filled in, to the PIN
    assert!(app.in_pin_box());
    app.typ("1234");
    app.act(Action::Open);
    app.assert_submitted();
    let issue = app.fx.store.run_issues(app.run).unwrap()[0].clone();
    assert_eq!(issue.state, IssueState::Dispositioned);
    assert_eq!(issue.disposition, Some(Disposition::UseAsIs));
    let signed = issue.approvals[0].signature.as_ref().expect("signed");
    assert_eq!(signed.by, "qe");
    assert_eq!(signed.meaning, "disposition: use_as_is");
    assert_eq!(signed.rationale, "Cosmetic only");
    app.act(Action::CloseIssue);
    assert!(app.form_open(), "closing asks for a rationale");
    app.act(Action::Open); // no rationale yet: the form says so and stays
    assert_eq!(app.form_errors(), ["Rationale is required."]);
    app.typ("Checked against the drawing");
    app.act(Action::Open);
    app.assert_submitted();
    let issue = app.fx.store.run_issues(app.run).unwrap()[0].clone();
    assert_eq!(issue.state, IssueState::Closed);
    assert_eq!(
        issue.approvals.last().and_then(|a| a.why()),
        Some("Checked against the drawing")
    );
    assert!(app.state.quality.data.issues.is_empty());
}

// --- file fields --------------------------------------------------------------

const WITH_FILE: &str = r#"
key = "FILE-P"
title = "Photo record"
kind = "build"
produces = "PUMP-100"

[[step]]
key = "photo"
title = "Photograph the nameplate"
instructions = "Attach the photo."

  [[step.field]]
  name = "Nameplate photo"
  type = "file"
"#;

#[test]
fn a_file_field_copies_the_file_and_saves_its_hash() {
    let mut fx = Fixture::with_pump();
    let procedure = traveler::procedure_file::parse(WITH_FILE).expect("parses");
    fx.ok(&admin(), None, Command::ImportProcedure { procedure });
    fx.ok(
        &admin(),
        None,
        Command::ReleaseProcedure {
            key: "FILE-P".into(),
            version: 1,
        },
    );
    let events = fx.ok(
        &supervisor(),
        None,
        Command::CreateRun {
            procedure_key: "FILE-P".into(),
            serial: "PU-1".into(),
            title: None,
        },
    );
    let run = events
        .iter()
        .find_map(|e| match e {
            Event::RunCreated { run } => Some(run.id),
            _ => None,
        })
        .unwrap();
    let photo = fx.dir.path().join("nameplate.jpg");
    std::fs::write(&photo, b"not really a jpeg").unwrap();
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("photo");
    app.act(Action::CheckIn);
    app.act(Action::Open);
    app.typ(&photo.to_string_lossy());
    app.act(Action::Open);
    app.assert_succeeded();
    let step = app.db_step("photo");
    let value = current_value(&step.fields[0]).expect("saved").value.clone();
    let Value::File { path, sha256 } = value else {
        panic!("not a file value: {value:?}");
    };
    assert_eq!(sha256.len(), 64);
    assert!(std::path::Path::new(&path).exists());
    assert_ne!(path, photo.to_string_lossy());
    assert!(app.state.step.as_ref().unwrap().drafts.is_empty());
}

// --- saving over a saved value ------------------------------------------------

fn status_text(app: &App) -> String {
    app.state
        .status
        .as_ref()
        .map(|s| s.lines.join(" "))
        .unwrap_or_default()
}

fn approval_status(app: &App) -> SignoffStatus {
    let step = app.db_step("inspect");
    let field = step
        .fields
        .iter()
        .find(|f| f.def.name == "Quality approval")
        .expect("sign-off");
    signoff_status(&step, field)
}

#[test]
fn enter_enter_on_the_saved_value_writes_nothing_and_voids_nothing() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    approve_inspect(&mut fx, run);
    let rows = fx.audit_count();
    let version = fx.run(run).version;
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("inspect");
    // The editor starts on the saved "no"; Enter saves it again.
    app.act(Action::Open);
    app.act(Action::Open);
    assert!(app.state.overlay.is_none(), "{:?}", app.state.overlay);
    let status = app.state.status.as_ref().expect("a status");
    assert_eq!(status.kind, StatusKind::Info, "{status:?}");
    assert_eq!(
        status_text(&app),
        "Unchanged: Visual defects found already has no; nothing was saved."
    );
    assert_eq!(app.fx.audit_count(), rows, "no audit row");
    assert_eq!(app.db_run().version, version, "no store write");
    assert_eq!(approval_status(&app), SignoffStatus::Approved);
    assert!(app.state.step.as_ref().unwrap().drafts.is_empty());
}

#[test]
fn a_change_that_voids_an_approval_asks_first_then_asks_why() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    approve_inspect(&mut fx, run);
    let rows = fx.audit_count();
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("inspect");
    app.act(Action::Open);
    app.act(Action::Down); // no → yes
    app.act(Action::Open);
    match &app.state.overlay {
        Some(Overlay::Confirm { question, .. }) => assert_eq!(
            question,
            "This voids quality's approval of 'Quality approval'; save anyway?"
        ),
        other => panic!("expected the question, got {other:?}"),
    }
    // No: nothing saved, the draft stays.
    app.act(Action::Back);
    assert!(app.state.overlay.is_none());
    assert!(
        status_text(&app).contains("not saved"),
        "{}",
        status_text(&app)
    );
    assert_eq!(app.fx.audit_count(), rows);
    assert!(!app.state.step.as_ref().unwrap().drafts.is_empty());
    // Yes: the value is a correction, so its reason is asked for next.
    app.act(Action::Open);
    app.act(Action::Open);
    assert!(app.form_open(), "{:?}", app.state.overlay);
    assert_eq!(
        app.fx.audit_count(),
        rows,
        "nothing saved before the reason"
    );
    app.act(Action::Open);
    assert_eq!(app.form_errors(), ["Reason is required."]);
    app.typ("Scratch on the flange");
    app.act(Action::Open);
    app.assert_submitted();
    let step = app.db_step("inspect");
    let saved = current_value(&step.fields[0]).expect("saved");
    assert_eq!(saved.value, Value::Boolean(true));
    assert_eq!(saved.reason.as_deref(), Some("Scratch on the flange"));
    assert_eq!(approval_status(&app), SignoffStatus::Void);
}

#[test]
fn a_correction_asks_for_a_reason_and_a_first_value_does_not() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    step_cmd(
        &mut fx,
        &operator(),
        run,
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    set(&mut fx, run, "bore", "Bore diameter", "25.01");
    let rows = fx.audit_count();
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("bore");
    app.act(Action::Open);
    app.typ("25.03");
    app.act(Action::Open);
    let Some(Overlay::Form(form)) = &app.state.overlay else {
        panic!("expected the reason form, got {:?}", app.state.overlay);
    };
    assert_eq!(form.title, "Change Bore diameter");
    assert!(
        form.intro[0].starts_with("Bore diameter already has 25.01 (saved by op at "),
        "{:?}",
        form.intro
    );
    assert_eq!(
        form.intro[1],
        "Changing it to 25.03 needs a reason, kept in its history."
    );
    assert_eq!(
        app.fx.audit_count(),
        rows,
        "nothing saved before the reason"
    );
    app.typ("Gauge was not zeroed");
    app.act(Action::Open);
    app.assert_submitted();
    let step = app.db_step("bore");
    let saved = current_value(&step.fields[0]).expect("saved");
    assert_eq!(saved.value, Value::Number(25.03));
    assert_eq!(saved.reason.as_deref(), Some("Gauge was not zeroed"));
    // The run's history (H) shows the reason.
    let history = &app.state.run.as_ref().expect("run").bundle.history;
    assert!(
        history.iter().any(|a| a.action == "field_value_saved"
            && a.reason.as_deref() == Some("Gauge was not zeroed")),
        "{history:?}"
    );
    // A first value is saved at once, with no form.
    app.act(Action::Down);
    app.act(Action::Open);
    app.act(Action::Toggle); // pass
    app.act(Action::Open);
    assert!(app.state.overlay.is_none(), "{:?}", app.state.overlay);
    app.assert_succeeded();
    let step = app.db_step("bore");
    assert_eq!(step.fields[1].values.len(), 1);
    assert_eq!(step.fields[1].values[0].reason, None);
}

#[test]
fn a_pin_reset_by_an_admin_is_replaced_twice_typed_before_anything_opens() {
    let mut fx = Fixture::with_pump();
    let run = fx.create_run("PU-1");
    let given = traveler::store::hash_secret("9999").expect("hash");
    fx.ok(
        &admin(),
        None,
        Command::SetUserSecret {
            login: "op".into(),
            secret_hash: given,
        },
    );
    let mut app = App {
        fx,
        state: State::new("test-station", Keymap::defaults(), Utc::now()),
        run,
    };
    let sign_in = |app: &mut App, pin: &str| {
        app.typ("op");
        app.act(Action::Open);
        app.typ(pin);
        app.act(Action::Open);
    };
    let new_pin = |app: &mut App, first: &str, again: &str| {
        app.typ(first);
        app.act(Action::Open);
        app.typ(again);
        app.act(Action::Open);
    };
    sign_in(&mut app, "9999");
    assert!(app.state.session.is_none(), "nobody is in yet");
    assert_eq!(app.state.screen, Screen::SignIn);
    let asked = app
        .state
        .sign_in
        .new_pin
        .as_ref()
        .expect("a new PIN is asked for");
    assert_eq!(asked.set_by, "admin");

    new_pin(&mut app, "4321", "4320");
    let error = app.state.sign_in.error.clone().unwrap_or_default();
    assert!(error.contains("The two PINs differ"), "{error}");
    new_pin(&mut app, "9999", "9999");
    let error = app.state.sign_in.error.clone().unwrap_or_default();
    assert!(
        error.contains("must differ from the one admin set"),
        "{error}"
    );
    new_pin(&mut app, "12", "12");
    let error = app.state.sign_in.error.clone().unwrap_or_default();
    assert!(error.contains("at least 4"), "{error}");
    assert!(app.state.session.is_none());

    new_pin(&mut app, "4321", "4321");
    assert_eq!(
        app.state.session.as_ref().map(|a| a.login.as_str()),
        Some("op")
    );
    assert_eq!(app.state.screen, Screen::Board);
    let user = app.fx.store.user("op").expect("load").expect("exists");
    assert_eq!(user.secret_set_by, None, "the PIN is the user's own now");
    let now = Utc::now();
    assert!(app
        .fx
        .store
        .authenticate("op", "4321", "t", now, false)
        .is_ok());
    assert!(app
        .fx
        .store
        .authenticate("op", "9999", "t", now, false)
        .is_err());
}

// --- labour on leaving ----------------------------------------------------------

impl App {
    /// Sessions on `step` still open, by login.
    fn open_sessions(&self, step: &str) -> Vec<String> {
        self.db_step(step)
            .sessions
            .into_iter()
            .filter(|s| s.ended_at.is_none())
            .map(|s| s.user)
            .collect()
    }

    fn set_setting(&mut self, key: &str, value: &str) {
        self.fx.ok(
            &admin(),
            None,
            Command::SetSetting {
                key: key.into(),
                value: value.into(),
            },
        );
    }
}

#[test]
fn quitting_closes_the_users_labour_and_says_why_in_the_trail() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    assert_eq!(app.open_sessions("bore"), ["op"]);
    app.state.overlay = None;
    app.act(Action::Quit);
    assert!(app.state.quit);
    assert!(
        app.open_sessions("bore").is_empty(),
        "quit closes the session"
    );
    let log = app.fx.store.audit_log(Some(app.run), 5).expect("log");
    let closed = log
        .iter()
        .find(|r| r.action == "check_out")
        .expect("a check-out row");
    assert_eq!(closed.user, "op");
    assert_eq!(
        closed.reason.as_deref(),
        Some("closed when the terminal was closed")
    );
}

#[test]
fn with_the_setting_off_quitting_leaves_labour_open() {
    let mut app = App::new(operator());
    app.set_setting("close_labour_on_quit", "false");
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.state.overlay = None;
    app.act(Action::Quit);
    assert!(app.state.quit);
    assert_eq!(app.open_sessions("bore"), ["op"]);
}

#[test]
fn a_lock_keeps_labour_open_by_default_and_the_next_user_signing_in_closes_it() {
    let mut app = App::new(operator());
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.state.overlay = None;
    app.act(Action::Lock);
    assert!(app.state.locked);
    assert_eq!(app.open_sessions("bore"), ["op"], "a lock is a pause");
    // The same user back: nothing closes.
    app.typ("1234");
    app.act(Action::Open);
    assert!(!app.state.locked, "{:?}", app.state.sign_in.error);
    assert_eq!(app.open_sessions("bore"), ["op"]);
    // Someone else over the lock: op has left the station.
    app.act(Action::Lock);
    app.act(Action::Back);
    app.typ("op2");
    app.act(Action::Open);
    app.typ("1234");
    app.act(Action::Open);
    assert_eq!(
        app.state.session.as_ref().map(|a| a.login.as_str()),
        Some("op2"),
        "{:?}",
        app.state.sign_in.error
    );
    assert!(app.open_sessions("bore").is_empty());
    let said = app
        .state
        .status
        .as_ref()
        .map(|s| s.lines.join(" "))
        .unwrap_or_default();
    assert!(
        said.contains("op's 1 open labour session was closed"),
        "{said}"
    );
}

#[test]
fn with_close_on_lock_on_a_lock_closes_labour() {
    let mut app = App::new(operator());
    app.set_setting("close_labour_on_lock", "true");
    app.open_step("bore");
    app.act(Action::CheckIn);
    app.state.overlay = None;
    app.act(Action::Lock);
    assert!(app.open_sessions("bore").is_empty());
}

// --- moving on after complete ----------------------------------------------------

#[test]
fn completing_a_step_moves_to_the_next_step_that_can_be_worked() {
    let mut app = App::new(operator());
    let run = app.run;
    app.fx
        .set(&operator(), run, "bore", "Bore diameter", "25.01");
    app.fx
        .set(&operator(), run, "bore", "Surface finish", "pass");
    app.open_step("bore");
    app.act(Action::Complete);
    assert_eq!(app.db_step("bore").state, StepState::Complete);
    assert_eq!(app.state.screen, Screen::Step, "{:?}", app.state.status);
    assert_eq!(
        app.state.step.as_ref().map(|s| s.key.as_str()),
        Some("seals")
    );
}

#[test]
fn completing_the_last_step_goes_back_to_the_board() {
    let one_step = r#"
key = "PUMP-ASSY"
title = "Pump check"
kind = "inspection"
produces = "PUMP-100"

[[step]]
key = "look"
title = "Look it over"
instructions = "Look."
"#;
    let mut fx = Fixture::with_pump_text(one_step);
    let run = fx.create_run("PU-1");
    let mut app = App::signed_in(fx, run, operator());
    app.open_step("look");
    app.act(Action::CheckIn);
    app.act(Action::Complete);
    assert_eq!(app.db_run().state, RunState::Complete);
    assert_eq!(app.state.screen, Screen::Board, "{:?}", app.state.status);
}
