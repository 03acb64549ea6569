//! Every screen drawn into a `TestBackend` at 80×24 and 160×48 and pinned
//! with insta. Where colour carries meaning (measurement verdicts, the stuck
//! board) the buffer's Debug form is pinned, so the styles are too.

mod tui_support;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use traveler::app::action::Action;
use traveler::app::msg::{BoardPage, Msg};
use traveler::app::state::{QualityData, State, Status};
use traveler::app::text_input::Edit;
use traveler::app::update;
use traveler::domain::*;
use traveler::store::board_index::{BoardMarker, CurrentStep, MarkerKind};
use traveler::store::{PendingDeviation, PendingSignoff};
use traveler::ui::{render, theme::Theme};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn draw(state: &State, theme: &Theme, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| render(state, theme, f)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The screen as text at both sizes.
fn snap(name: &str, state: &State) {
    for (w, h) in SIZES {
        let buffer = draw(state, &Theme::dark(), w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buffer));
    }
}

/// The screen with its styles (Debug form of the buffer) at 80×24.
fn snap_styled(name: &str, state: &State, theme: &Theme) {
    let buffer = draw(state, theme, 80, 24);
    insta::assert_snapshot!(format!("{name}_styled_80x24"), format!("{buffer:?}"));
}

fn act(state: &mut State, action: Action) {
    update(state, Msg::Action(action));
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Msg::Edit(Edit::Insert(c)));
    }
}

#[test]
fn sign_in() {
    let mut s = fresh_state();
    snap("sign_in", &s);
    type_text(&mut s, "op1");
    act(&mut s, Action::Open);
    type_text(&mut s, "12");
    s.sign_in.error =
        Some("Unknown login or wrong PIN. 4 tries left before the login is locked.".into());
    snap("sign_in_wrong_pin", &s);
}

#[test]
fn locked_screen() {
    let mut s = on_bore_step(op1());
    update(&mut s, Msg::Tick(now() + chrono::Duration::minutes(11)));
    snap("locked", &s);
}

fn board_state() -> State {
    let mut s = signed_in(op1());
    let stale = now() - chrono::Duration::hours(72);
    let rows = vec![
        summary(
            48,
            "PU-0048",
            RunState::Todo,
            0,
            3,
            "",
            now() - chrono::Duration::hours(2),
        ),
        summary(47, "PU-0047", RunState::Todo, 0, 3, "", stale),
        summary(
            46,
            "PU-0046",
            RunState::InProgress,
            2,
            3,
            "op1, op2",
            now() - chrono::Duration::minutes(20),
        ),
        summary(
            45,
            "PU-0045",
            RunState::Complete,
            3,
            3,
            "",
            now() - chrono::Duration::hours(30),
        ),
        summary(
            44,
            "PU-0044",
            RunState::Failed,
            1,
            3,
            "",
            now() - chrono::Duration::days(3),
        ),
        summary(43, "PU-0043\u{1b}[31m", RunState::Todo, 0, 3, "", stale),
    ];
    let effects = traveler::app::update::reload_board(&mut s);
    let traveler::app::effect::Effect::LoadBoard(q) = &effects[0] else {
        panic!()
    };
    let counts = [
        ("todo", 3),
        ("in_progress", 1),
        ("complete", 1),
        ("failed", 1),
    ]
    .into_iter()
    .collect();
    update(
        &mut s,
        Msg::BoardLoaded(BoardPage {
            generation: q.generation,
            append: false,
            rows,
            next: None,
            full: false,
            counts,
            stuck: 2,
            settings: Default::default(),
        }),
    );
    s
}

#[test]
fn board_with_stuck_runs() {
    let mut s = board_state();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    snap("board", &s);
    snap_styled("board", &s, &Theme::dark());
    act(&mut s, Action::Search);
    type_text(&mut s, "PU-004");
    snap("board_search", &s);
}

fn marker(
    kind: MarkerKind,
    item: &str,
    step: &str,
    reason: &str,
    who: &str,
    ago_min: i64,
) -> BoardMarker {
    BoardMarker {
        kind,
        item: item.into(),
        step: step.into(),
        reason: reason.into(),
        who: who.into(),
        since: now() - chrono::Duration::minutes(ago_min),
    }
}

fn on_step(position: &str, title: &str, state: StepState, ago_min: i64) -> Option<CurrentStep> {
    Some(CurrentStep {
        position: position.into(),
        title: title.into(),
        state,
        since: now() - chrono::Duration::minutes(ago_min),
    })
}

/// One run per marker, each on a step, as the side tables give them.
fn board_with_markers() -> State {
    let mut s = board_state();
    let recent = now() - chrono::Duration::minutes(5);
    let in_progress =
        |id, serial: &str, who: &str| summary(id, serial, RunState::InProgress, 1, 3, who, recent);
    let mut held = in_progress(60, "PU-0060", "");
    held.step = on_step("2", "Fit the shaft seals", StepState::OnHold, 95);
    held.markers = vec![
        marker(
            MarkerKind::OnHold,
            "seals",
            "2",
            "seal driver missing",
            "op1",
            95,
        ),
        marker(MarkerKind::Issue, "7", "2", "Seal driver lost", "op1", 90),
        marker(MarkerKind::Signoff, "final/qa", "4", "quality", "", 300),
    ];
    let mut failed = in_progress(59, "PU-0059", "");
    failed.step = on_step("3", "Pressure test", StepState::Failed, 40);
    failed.markers = vec![marker(
        MarkerKind::FailedStep,
        "test",
        "3",
        "leaks at 6 bar",
        "op2",
        40,
    )];
    let mut deviation = in_progress(58, "PU-0058", "op2");
    deviation.step = on_step("2", "Bore", StepState::InProgress, 30);
    deviation.markers = vec![marker(
        MarkerKind::Deviation,
        "bore/bore",
        "2",
        "bore 25.30 mm (25.00 ± 0.05)",
        "op2",
        25,
    )];
    let mut issue = in_progress(57, "PU-0057", "op1");
    issue.step = on_step("1", "Inspect housing", StepState::InProgress, 60);
    issue.markers = vec![marker(
        MarkerKind::Issue,
        "12",
        "1",
        "Cracked housing",
        "op1",
        50,
    )];
    let mut signoff = in_progress(56, "PU-0056", "");
    signoff.step = on_step("4", "Final check", StepState::InProgress, 15);
    signoff.markers = vec![marker(
        MarkerKind::Signoff,
        "final/qa",
        "4",
        "quality",
        "",
        15,
    )];
    let mut redline = in_progress(55, "PU-0055", "");
    redline.step = on_step("2", "Bore", StepState::Redline, 70);
    redline.markers = vec![marker(
        MarkerKind::Redline,
        "3",
        "2",
        "tolerance is ± 0.08",
        "op1",
        70,
    )];
    let mut labour = in_progress(54, "PU-0054", "Ana María Gonzalez-Ruiz");
    labour.step = on_step("1", "Inspect housing", StepState::InProgress, 14 * 60);
    labour.markers = vec![marker(
        MarkerKind::Session,
        "9",
        "1",
        "Inspect housing",
        "Ana María Gonzalez-Ruiz",
        14 * 60,
    )];
    let mut stale = summary(
        53,
        "PU-0053",
        RunState::InProgress,
        1,
        3,
        "",
        now() - chrono::Duration::hours(72),
    );
    stale.step = on_step("2", "Bore", StepState::Todo, 72 * 60);
    let mut short_labour = in_progress(52, "PU-0052", "op2");
    short_labour.step = on_step("1", "Inspect housing", StepState::InProgress, 30);
    short_labour.markers = vec![marker(
        MarkerKind::Session,
        "4",
        "1",
        "Inspect housing",
        "op2",
        30,
    )];
    s.board.rows = vec![
        held,
        failed,
        deviation,
        issue,
        signoff,
        redline,
        labour,
        stale,
        short_labour,
    ];
    s.board.selected = 0;
    s
}

#[test]
fn board_shows_every_marker_and_the_selected_runs_full_list() {
    let mut s = board_with_markers();
    snap("board_markers", &s);
    snap_styled("board_markers", &s, &Theme::dark());
    // The detail lines of each row in turn (at 80×24, the two lines over
    // the status line and the key help).
    let mut details = String::new();
    for i in 0..s.board.rows.len() {
        s.board.selected = i;
        let screen = text(&draw(&s, &Theme::dark(), 80, 24));
        for line in screen.lines().skip(19).take(2) {
            details.push_str(line);
            details.push('\n');
        }
    }
    insta::assert_snapshot!("board_marker_details_80x24", details);
}

#[test]
fn run_view_and_history() {
    let mut s = on_run(op1());
    snap("run", &s);
    act(&mut s, Action::History);
    snap("run_history", &s);
}

/// Enter on a history row shows the whole event; the hostile reason (an
/// escape sequence and a newline) is drawn harmless; Esc closes it.
#[test]
fn a_history_row_opens_its_whole_event() {
    let mut s = on_run(op1());
    act(&mut s, Action::History);
    act(&mut s, Action::Open);
    let buffer = draw(&s, &Theme::dark(), 80, 24);
    let shown = text(&buffer);
    assert!(!shown.contains('\u{1b}'), "{shown}");
    assert!(
        shown.contains("Held step 2 'Bore the housing': seal driver"),
        "{shown}"
    );
    insta::assert_snapshot!("history_event_80x24", shown);
    act(&mut s, Action::Back);
    assert!(s.overlay.is_none());
    assert!(s.run.as_ref().unwrap().show_history, "back on the history");
}

#[test]
fn step_view() {
    let s = on_bore_step(op1());
    snap("step", &s);
}

#[test]
fn measurement_in_range_as_typed() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25.01");
    snap("measure_in_range", &s);
    snap_styled("measure_in_range", &s, &Theme::dark());
}

#[test]
fn measurement_out_of_range_as_typed() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25.30");
    snap("measure_out_of_range", &s);
    snap_styled("measure_out_of_range", &s, &Theme::dark());
    snap_styled("measure_out_of_range_mono", &s, &Theme::mono());
}

#[test]
fn measurement_that_is_not_a_number() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "12,5x");
    snap("measure_not_a_number", &s);
}

#[test]
fn saved_values_show_their_verdicts() {
    let mut s = on_bore_step(op1());
    let run = &mut s.run.as_mut().unwrap().bundle.run;
    let bore = &mut run.steps[1];
    bore.fields[0].values.push(FieldValue {
        id: 11,
        value: Value::Number(25.3),
        verdict: Verdict::OutOfRange,
        by: "op1".into(),
        at: at(14, 40),
        replaces: None,
        reason: None,
    });
    bore.fields[1].values.push(FieldValue {
        id: 12,
        value: Value::Select("smooth".into()),
        verdict: Verdict::NoRule,
        by: "op1".into(),
        at: at(14, 41),
        replaces: None,
        reason: None,
    });
    snap("step_saved_values", &s);
    snap_styled("step_saved_values", &s, &Theme::dark());
}

#[test]
fn refused_completion_lists_everything_outstanding() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Complete);
    // The engine refuses with every blocker; these are the ones it finds in
    // this run (the domain's own list), fed back as the driver would.
    let reasons = traveler::app::step_items::blockers(&s);
    assert!(reasons.len() > 1, "{reasons:?}");
    update(
        &mut s,
        Msg::Executed {
            tag: traveler::app::msg::ExecTag::Complete,
            outcome: traveler::app::msg::Outcome::Refused {
                reasons,
                conflict: false,
            },
        },
    );
    snap("complete_refused", &s);
}

#[test]
fn sign_off_prompt() {
    let mut s = on_bore_step(qe1());
    for _ in 0..4 {
        act(&mut s, Action::Down);
    }
    act(&mut s, Action::Approve);
    type_text(&mut s, "22");
    snap("signoff_prompt", &s);
}

/// After a wrong PIN the PIN box is empty and holds the cursor; the reason shows.
#[test]
fn sign_off_prompt_after_a_wrong_pin() {
    let mut s = on_bore_step(qe1());
    act(&mut s, Action::Approve);
    type_text(&mut s, "2223");
    act(&mut s, Action::Open);
    act(&mut s, Action::Open);
    update(
        &mut s,
        Msg::Executed {
            tag: traveler::app::msg::ExecTag::Form,
            outcome: traveler::app::msg::Outcome::Refused {
                reasons: vec!["Unknown login or wrong PIN.".into()],
                conflict: false,
            },
        },
    );
    let buffer = draw(&s, &Theme::dark(), 80, 24);
    insta::assert_snapshot!("signoff_prompt_wrong_pin_80x24", text(&buffer));
}

#[test]
fn hold_form_and_quit_question() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Hold);
    type_text(&mut s, "waiting for bearings");
    snap("hold_form", &s);
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25");
    act(&mut s, Action::NextField);
    act(&mut s, Action::Quit);
    snap("quit_question", &s);
}

#[test]
fn a_correction_starts_empty_and_says_which_value_it_replaces() {
    let mut s = bore_measured(op1(), false);
    act(&mut s, Action::Open);
    let shown = text(&draw(&s, &Theme::dark(), 80, 24));
    assert!(shown.contains("replaces 25.01 mm"), "{shown}");
    type_text(&mut s, "25.2");
    let shown = text(&draw(&s, &Theme::dark(), 80, 24));
    assert!(
        !shown.contains("replaces 25.01"),
        "the verdict of what is typed: {shown}"
    );
    assert!(shown.contains("out of range"), "{shown}");
}

#[test]
fn a_correction_asks_to_void_the_approval_then_for_a_reason() {
    let mut s = bore_measured(op1(), true);
    act(&mut s, Action::Open);
    type_text(&mut s, "25.03");
    act(&mut s, Action::Open);
    snap("void_approval_question", &s);
    act(&mut s, Action::Open);
    type_text(&mut s, "Gauge was not zeroed");
    snap("correction_reason_form", &s);
    // Once saved, the focused field shows the correction's reason.
    let mut s = bore_measured(op1(), true);
    let bore = &mut s.run.as_mut().expect("run").bundle.run.steps[1];
    bore.fields[0].values.push(FieldValue {
        id: 31,
        value: Value::Number(25.03),
        verdict: Verdict::InRange,
        by: "op1".into(),
        at: at(14, 50),
        replaces: Some(30),
        reason: Some("Gauge was not zeroed".into()),
    });
    let shown = text(&draw(&s, &Theme::dark(), 160, 48));
    assert!(
        shown.contains("saved by op1 at 2024-05-01 14:50 · 1 earlier value kept · reason: Gauge was not zeroed"),
        "{shown}"
    );
    // As the store loads it, the run holds the current value and counts the
    // earlier one: the screen says the same.
    let bore = &mut s.run.as_mut().expect("run").bundle.run.steps[1];
    bore.fields[0].keep_current_only();
    assert_eq!(bore.fields[0].values.len(), 1);
    let lean = text(&draw(&s, &Theme::dark(), 160, 48));
    assert!(lean.contains("· 1 earlier value kept · reason"), "{lean}");
}

#[test]
fn help_for_the_step_screen() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Help);
    snap("help_step", &s);
}

#[test]
fn scan_refusal_on_the_step() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Scan);
    s.step.as_mut().unwrap().scan_result = Some(traveler::app::state::ScanResult {
        accepted: false,
        lines: vec![
            "'GK-7' was not installed:".into(),
            "GK-7 is part GASKET-2, not BRG-100 or an approved substitute (BRG-101).".into(),
        ],
    });
    s.status = Some(Status::errors(vec![
        "GK-7 is part GASKET-2, not BRG-100 or an approved substitute (BRG-101).".into(),
    ]));
    snap("scan_refused", &s);
}

/// The QE queue: issues with their run's serial and the selected one's
/// description (hostile: an escape sequence and a newline, drawn harmless),
/// a sign-off waiting again after a rejection marked, counts in the header.
#[test]
fn quality_screen() {
    let mut s = signed_in(qe1());
    act(&mut s, Action::QualityScreen);
    update(
        &mut s,
        Msg::QualityCountsLoaded(traveler::store::QualityCounts {
            signoffs: 2,
            reapprovals: 1,
            deviations: 1,
            issues: 1,
        }),
    );
    let issue = Issue {
        id: 3,
        title: "Bore oversize".into(),
        description: "Measured 25.3 mm \u{1b}[2Jafter reaming.\nReamer worn?".into(),
        run: Some(42),
        step: Some("bore".into()),
        field: Some("Bore diameter".into()),
        inventory: None,
        state: IssueState::Open,
        disposition: None,
        raised_by: "op1".into(),
        raised_at: at(14, 45),
        approvals: Vec::new(),
    };
    let data = QualityData {
        issues: vec![issue],
        serials: [(42, "PU-0042".to_string())].into(),
        deviations: vec![PendingDeviation {
            run: 42,
            serial: "PU-0042".into(),
            step: "bore".into(),
            position: "2".into(),
            field: "Bore diameter".into(),
            value: "25.3 mm".into(),
            rule: "25.00 ± 0.05 → 24.95–25.05 mm".into(),
            by: "op1".into(),
        }],
        signoffs: vec![
            PendingSignoff {
                run: 42,
                serial: "PU-0042".into(),
                step: "bore".into(),
                position: "2".into(),
                field: "QA sign-off".into(),
                role: "quality".into(),
                rejected: false,
            },
            PendingSignoff {
                run: 43,
                serial: "PU-0043".into(),
                step: "bore".into(),
                position: "2".into(),
                field: "QA sign-off".into(),
                role: "quality".into(),
                rejected: true,
            },
        ],
    };
    update(&mut s, Msg::QualityLoaded(data));
    let shown = text(&draw(&s, &Theme::dark(), 80, 24));
    assert!(!shown.contains('\u{1b}'), "{shown}");
    assert!(shown.contains("Reamer worn?"), "description shown: {shown}");
    assert!(shown.contains("run 42 PU-0042"), "serial shown: {shown}");
    snap("quality_issues", &s);
    act(&mut s, Action::NextTab);
    snap("quality_deviations", &s);
    act(&mut s, Action::NextTab);
    snap("quality_signoffs", &s);
}

#[test]
fn org_rules_for_an_admin() {
    let mut s = board_state();
    s.session = Some(actor("adm1", "Admin One", &["admin"]));
    act(&mut s, Action::OrgSettings);
    snap("org_rules", &s);
}

#[test]
fn a_skipped_optional_step_reads_skipped_on_the_run_and_step_screens() {
    let mut s = on_run(op1());
    let view = s.run.as_mut().expect("run view");
    let run = &mut view.bundle.run;
    run.state = RunState::Complete;
    run.completed_at = Some(at(15, 0));
    for step in run.steps.iter_mut() {
        step.sessions.clear();
        step.state = StepState::Complete;
    }
    let assemble = run.steps.last_mut().expect("a step");
    assemble.required = false;
    assemble.state = StepState::Skipped;
    view.selected = 2;
    let screen = text(&draw(&s, &Theme::dark(), 80, 24));
    let line = screen
        .lines()
        .find(|l| l.contains("Final assembly"))
        .unwrap_or_else(|| panic!("the step is listed:\n{screen}"));
    assert!(line.contains("– skipped"), "{line}");
    assert!(!screen.contains("in progress"), "{screen}");
    s.step = Some(traveler::app::state::StepView::new(
        "assemble",
        traveler::app::state::Screen::Run,
    ));
    s.screen = traveler::app::state::Screen::Step;
    let screen = text(&draw(&s, &Theme::dark(), 80, 24));
    assert!(screen.contains("skipped"), "{screen}");
    assert!(!screen.contains("in progress"), "{screen}");
}

/// On a long header (a step screen) the counts stay whole at 80 columns:
/// the roles, then the name give way first.
#[test]
fn the_queue_counts_fit_the_header_on_every_screen() {
    let mut s = on_bore_step(qe1());
    update(
        &mut s,
        Msg::QualityCountsLoaded(traveler::store::QualityCounts {
            signoffs: 12,
            reapprovals: 3,
            deviations: 10,
            issues: 25,
        }),
    );
    let shown = text(&draw(&s, &Theme::dark(), 80, 24));
    let header = shown.lines().next().unwrap();
    assert!(
        header.ends_with("12 sign (3 again) · 10 dev · 25 iss"),
        "{header}"
    );
    assert!(header.contains("step 2"), "{header}");
}

/// Long sentences wrap, never cut: a rejection with every reason, a lockout
/// on the sign-in screen, a voided sign-off; at 80×24 and at 60×20.
#[test]
fn long_messages_wrap_at_80x24_and_60x20() {
    let mut s = bore_measured(op1(), true);
    // A value changed after the approval: the sign-off reads void.
    s.run.as_mut().unwrap().bundle.run.steps[1].fields[0]
        .values
        .push(FieldValue {
            id: 31,
            value: Value::Number(25.02),
            verdict: Verdict::InRange,
            by: "op1".into(),
            at: at(14, 50),
            replaces: Some(30),
            reason: Some("re-measured at the third depth".into()),
        });
    s.status = Some(Status::errors(vec![
        "Sign-off 'QA sign-off' was refused: the signer may not be someone who saved a value on step 2 'Bore the housing' since the approval's basis (op1 saved Bore diameter at 14:50).".into(),
        "Rejecting needs a comment saying what is wrong and what is expected instead.".into(),
    ]));
    for (w, h) in [(80, 24), (60, 20)] {
        let screen = text(&draw(&s, &Theme::dark(), w, h));
        insta::assert_snapshot!(format!("long_refusal_{w}x{h}"), screen);
    }
    let mut locked = fresh_state();
    type_text(&mut locked, "op1");
    act(&mut locked, Action::Open);
    locked.sign_in.error = Some(
        "Too many wrong secrets: 'op1' is locked until 15:20 (5 wrong PINs in a row; an admin can unlock it sooner with `traveler user unlock op1`).".into(),
    );
    for (w, h) in [(80, 24), (60, 20)] {
        let screen = text(&draw(&locked, &Theme::dark(), w, h));
        insta::assert_snapshot!(format!("lockout_message_{w}x{h}"), screen);
    }
}

/// At 60×20 the field being edited stays on screen, with the footer.
#[test]
fn at_60x20_the_edited_field_stays_in_view() {
    let mut s = on_bore_step(op1());
    for _ in 0..3 {
        act(&mut s, Action::Down);
    }
    act(&mut s, Action::Open);
    type_text(&mut s, "yes");
    s.status = Some(Status::error(
        "Torque verified: this value changed after the approval; the sign-off is void and asks again (void: a value changed; sign again).",
    ));
    let screen = text(&draw(&s, &Theme::dark(), 60, 20));
    insta::assert_snapshot!("edited_field_60x20", screen);
}

#[test]
fn footer_offers_only_what_the_users_roles_allow() {
    let operator = on_bore_step(op1());
    let quality = on_bore_step(qe1());
    let op_screen = text(&draw(&operator, &Theme::dark(), 80, 24));
    let qe_screen = text(&draw(&quality, &Theme::dark(), 80, 24));
    let footer = |screen: &str| screen.lines().rev().take(3).collect::<Vec<_>>().join("\n");
    assert!(!footer(&op_screen).contains("approve"), "{op_screen}");
    assert!(!footer(&op_screen).contains("deviation"), "{op_screen}");
    assert!(footer(&qe_screen).contains("a approve"), "{qe_screen}");
    insta::assert_snapshot!("step_footer_quality_80x24", qe_screen);
    let mut run = on_run(op1());
    run.screen = traveler::app::state::Screen::Run;
    let run_screen = text(&draw(&run, &Theme::dark(), 80, 24));
    assert!(!run_screen.contains("fail run"), "{run_screen}");
}
