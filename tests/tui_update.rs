//! The TUI's behaviour without a terminal: messages in, state and effects out.

mod tui_support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use traveler::app::action::{Action, Context};
use traveler::app::effect::Effect;
use traveler::app::form::FormKind;
use traveler::app::input::route;
use traveler::app::msg::{BoardPage, ExecTag, Msg, Outcome};
use traveler::app::state::{Confirmed, Overlay, Screen, SignInFocus, State, StatusKind};
use traveler::app::text_input::Edit;
use traveler::app::update;
use traveler::config::Config;
use traveler::domain::*;
use traveler::store::PageCursor;
use tui_support::*;

fn send(state: &mut State, msg: Msg) -> Vec<Effect> {
    update(state, msg)
}

fn act(state: &mut State, action: Action) -> Vec<Effect> {
    update(state, Msg::Action(action))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Msg::Edit(Edit::Insert(c)));
    }
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

// --- sign in and lock -------------------------------------------------------

#[test]
fn login_then_pin_asks_the_store_to_authenticate() {
    let mut s = fresh_state();
    assert_eq!(s.context(), Context::SignIn);
    type_text(&mut s, "op1");
    assert!(act(&mut s, Action::Open).is_empty());
    assert_eq!(s.sign_in.focus, SignInFocus::Pin);
    type_text(&mut s, "1111");
    let effects = act(&mut s, Action::Open);
    assert_eq!(
        effects,
        vec![Effect::Authenticate {
            login: "op1".into(),
            secret: "1111".into()
        }]
    );
    assert!(s.sign_in.pin.is_empty(), "the PIN is not kept in the state");
    let effects = send(&mut s, Msg::SignedIn(Ok(op1())));
    assert_eq!(s.screen, Screen::Board);
    assert!(matches!(effects.as_slice(), [Effect::LoadBoard(_)]));
}

/// A quality engineer lands on their queue, not the board; the counts a
/// previous user left in the header go when someone else signs in over the lock.
#[test]
fn a_quality_engineer_lands_on_the_queue() {
    let mut s = fresh_state();
    let effects = send(&mut s, Msg::SignedIn(Ok(qe1())));
    assert_eq!(s.screen, Screen::Quality);
    assert_eq!(
        effects,
        vec![Effect::LoadQuality {
            roles: vec!["quality".into()]
        }]
    );
    send(
        &mut s,
        Msg::QualityCountsLoaded(traveler::store::QualityCounts {
            signoffs: 3,
            reapprovals: 1,
            deviations: 2,
            issues: 4,
        }),
    );
    assert_eq!(s.quality_counts.map(|c| c.signoffs), Some(3));
    act(&mut s, Action::Lock);
    let effects = send(&mut s, Msg::SignedIn(Ok(op1())));
    assert_eq!(s.quality_counts, None, "not the operator's counts");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CountQuality { actor } if actor.login == "op1")),
        "{effects:?}"
    );
}

#[test]
fn a_badge_scan_fills_the_login_and_asks_for_the_pin() {
    let mut s = fresh_state();
    assert!(send(&mut s, Msg::Scan("op1".into())).is_empty());
    assert_eq!(s.sign_in.login.value(), "op1");
    assert_eq!(s.sign_in.focus, SignInFocus::Pin);
}

#[test]
fn a_wrong_pin_is_a_sentence_on_the_sign_in_box() {
    let mut s = fresh_state();
    type_text(&mut s, "op1");
    act(&mut s, Action::Open);
    type_text(&mut s, "0000");
    act(&mut s, Action::Open);
    send(
        &mut s,
        Msg::SignedIn(Err(
            "Unknown login or wrong PIN. 4 tries left before the login is locked.".into(),
        )),
    );
    assert!(s.session.is_none());
    assert!(s
        .sign_in
        .error
        .as_deref()
        .unwrap()
        .starts_with("Unknown login"));
}

#[test]
fn idle_minutes_lock_the_screen_and_keep_what_was_typed() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25.01");
    send(&mut s, Msg::Tick(now() + chrono::Duration::minutes(9)));
    assert!(!s.locked);
    send(&mut s, Msg::Tick(now() + chrono::Duration::minutes(10)));
    assert!(s.locked);
    assert_eq!(s.context(), Context::SignIn);
    assert_eq!(s.sign_in.login.value(), "op1");
    assert_eq!(s.sign_in.focus, SignInFocus::Pin);
    type_text(&mut s, "1111");
    let effects = act(&mut s, Action::Open);
    assert!(matches!(effects.as_slice(), [Effect::Authenticate { login, .. }] if login == "op1"));
    send(&mut s, Msg::SignedIn(Ok(op1())));
    assert!(!s.locked);
    assert_eq!(s.screen, Screen::Step);
    let draft = &s.step.as_ref().unwrap().drafts["Bore diameter"];
    assert_eq!(draft.editor.raw(), "25.01");
}

#[test]
fn another_user_may_sign_in_over_the_lock() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Lock);
    assert!(s.locked);
    act(&mut s, Action::PrevField);
    assert_eq!(s.sign_in.focus, SignInFocus::Login);
    update(&mut s, Msg::Edit(Edit::Clear));
    type_text(&mut s, "qe1");
    act(&mut s, Action::Open);
    type_text(&mut s, "2222");
    act(&mut s, Action::Open);
    send(&mut s, Msg::SignedIn(Ok(qe1())));
    assert_eq!(s.session.as_ref().unwrap().login, "qe1");
    assert_eq!(s.screen, Screen::Step, "the screen under the lock is kept");
}

#[test]
fn what_one_user_left_unsaved_is_discarded_when_another_signs_in_over_the_lock() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25.01");
    assert!(s.has_unsaved_work());
    act(&mut s, Action::Lock);
    act(&mut s, Action::Back);
    type_text(&mut s, "qe1");
    act(&mut s, Action::Open);
    type_text(&mut s, "2222");
    act(&mut s, Action::Open);
    send(&mut s, Msg::SignedIn(Ok(qe1())));
    assert_eq!(s.screen, Screen::Step);
    assert!(
        !s.has_unsaved_work(),
        "qe1 cannot save op1's typing as theirs"
    );
    assert!(s.step.as_ref().unwrap().drafts.is_empty());
    let said = s
        .status
        .as_ref()
        .map(|st| st.lines.join(" "))
        .unwrap_or_default();
    assert!(
        said.contains("What Operator One typed and did not save was discarded"),
        "{said}"
    );
}

// --- board ------------------------------------------------------------------

fn page(generation: u64, n: i64, full: bool) -> BoardPage {
    BoardPage {
        generation,
        append: false,
        next: (n > 0).then(|| PageCursor {
            id: 1001 - n,
            in_attention: true,
        }),
        rows: (0..n)
            .map(|i| {
                summary(
                    1000 - i,
                    &format!("PU-{i}"),
                    RunState::Todo,
                    0,
                    3,
                    "",
                    now(),
                )
            })
            .collect(),
        full,
        counts: Default::default(),
        stuck: 0,
        settings: Default::default(),
    }
}

#[test]
fn the_board_pages_by_key_when_the_cursor_nears_the_end() {
    let mut s = signed_in(op1());
    let effects = traveler::app::update::reload_board(&mut s);
    let Effect::LoadBoard(q) = &effects[0] else {
        panic!()
    };
    assert_eq!(q.after, None);
    assert!(q.attention_first.is_some(), "the all tab: attention first");
    send(&mut s, Msg::BoardLoaded(page(q.generation, 100, true)));
    assert_eq!(s.board.rows.len(), 100);
    assert!(
        act(&mut s, Action::Down).is_empty(),
        "no query while far from the end"
    );
    let effects = act(&mut s, Action::Bottom);
    let [Effect::LoadBoard(next)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        next.after,
        Some(PageCursor {
            id: 901,
            in_attention: true
        }),
        "next page starts after the last row shown, in its part"
    );
    assert!(act(&mut s, Action::Down).is_empty(), "one query at a time");
}

#[test]
fn answers_to_an_older_board_query_are_dropped() {
    let mut s = signed_in(op1());
    let first = traveler::app::update::reload_board(&mut s);
    let Effect::LoadBoard(old) = &first[0] else {
        panic!()
    };
    let old_generation = old.generation;
    act(&mut s, Action::NextTab);
    send(&mut s, Msg::BoardLoaded(page(old_generation, 5, false)));
    assert!(s.board.rows.is_empty());
}

#[test]
fn tabs_filter_the_board_by_state() {
    let mut s = signed_in(op1());
    let effects = act(&mut s, Action::NextTab);
    let [Effect::LoadBoard(q)] = effects.as_slice() else {
        panic!()
    };
    assert_eq!(q.filter.state, Some(RunState::Todo));
    assert_eq!(q.stuck_before, now() - chrono::Duration::hours(48));
}

#[test]
fn search_types_into_the_filter() {
    let mut s = signed_in(op1());
    act(&mut s, Action::Search);
    assert_eq!(s.context(), Context::BoardSearch);
    let effects = send(&mut s, Msg::Edit(Edit::Insert('4')));
    let [Effect::LoadBoard(q)] = effects.as_slice() else {
        panic!()
    };
    assert_eq!(q.filter.search.as_deref(), Some("4"));
}

#[test]
fn a_scanned_serial_on_the_board_jumps_to_its_run() {
    let mut s = signed_in(op1());
    let effects = send(&mut s, Msg::Scan("PU-0042".into()));
    assert_eq!(
        effects,
        vec![Effect::FindRun {
            reference: "PU-0042".into()
        }]
    );
    let effects = send(
        &mut s,
        Msg::RunFound {
            reference: "PU-0042".into(),
            run: Some(42),
        },
    );
    assert_eq!(
        effects,
        vec![Effect::LoadRun {
            run: 42,
            open_step: None
        }]
    );
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(pump_run())),
            open_step: None,
        },
    );
    assert_eq!(s.screen, Screen::Run);
    assert_eq!(
        s.run.as_ref().unwrap().selected,
        1,
        "the active step is selected"
    );
}

#[test]
fn an_unknown_scan_says_so() {
    let mut s = signed_in(op1());
    send(
        &mut s,
        Msg::RunFound {
            reference: "XX-1".into(),
            run: None,
        },
    );
    let status = s.status.unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.lines[0].contains("XX-1"));
}

#[test]
fn other_terminals_changes_reload_the_screen() {
    let mut s = signed_in(op1());
    assert!(matches!(
        send(&mut s, Msg::DataChanged).as_slice(),
        [Effect::LoadBoard(_)]
    ));
    let mut s = on_bore_step(op1());
    assert_eq!(
        send(&mut s, Msg::DataChanged),
        vec![Effect::LoadRun {
            run: 42,
            open_step: None
        }]
    );
}

// --- step execution -----------------------------------------------------------

#[test]
fn a_measurement_is_saved_with_what_the_user_saw() {
    let mut s = on_bore_step(op1());
    assert_eq!(s.context(), Context::Step);
    act(&mut s, Action::Open);
    assert_eq!(s.context(), Context::StepEdit);
    type_text(&mut s, "25.01");
    let effects = act(&mut s, Action::Open);
    let [Effect::Execute {
        tag,
        command,
        seen,
        run,
        ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*run, Some(42));
    assert_eq!(
        *command,
        Command::SetField {
            step: "bore".into(),
            field: "Bore diameter".into(),
            raw: "25.01".into(),
            file_sha256: None,
            reason: None,
            void_approval: false
        }
    );
    assert_eq!(
        *seen,
        Seen {
            step_version: Some(3),
            field_value: Some(None)
        }
    );
    let effects = send(
        &mut s,
        Msg::Executed {
            tag: tag.clone(),
            outcome: Outcome::Done(Vec::new()),
        },
    );
    assert!(s.step.as_ref().unwrap().drafts.is_empty());
    assert_eq!(
        effects,
        vec![Effect::LoadRun {
            run: 42,
            open_step: None
        }]
    );
}

#[test]
fn tab_keeps_a_draft_and_quit_asks_before_losing_it() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25.3");
    act(&mut s, Action::NextField);
    assert_eq!(s.context(), Context::Step);
    assert_eq!(s.step.as_ref().unwrap().focus, 1);
    assert!(act(&mut s, Action::Quit).is_empty());
    assert!(matches!(
        s.overlay,
        Some(Overlay::Confirm {
            then: Confirmed::Quit,
            ..
        })
    ));
    act(&mut s, Action::Back);
    assert!(s.overlay.is_none());
    act(&mut s, Action::Up);
    act(&mut s, Action::Open);
    let draft = &s.step.as_ref().unwrap().drafts["Bore diameter"];
    assert_eq!(draft.editor.raw(), "25.3", "the draft comes back");
}

#[test]
fn a_conflict_reloads_and_the_next_save_uses_the_new_value() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Open);
    type_text(&mut s, "25.02");
    act(&mut s, Action::Open);
    let effects = send(
        &mut s,
        Msg::Executed {
            tag: ExecTag::Field {
                step: "bore".into(),
                field: "Bore diameter".into(),
            },
            outcome: Outcome::Refused {
                reasons: vec![
                    "Bore diameter was changed by op2 at 2024-05-01 14:58 UTC; reload.".into(),
                ],
                conflict: true,
            },
        },
    );
    assert_eq!(
        effects,
        vec![Effect::LoadRun {
            run: 42,
            open_step: None
        }]
    );
    assert!(s.status.as_ref().unwrap().lines[0].contains("changed by op2"));
    let mut run = pump_run();
    run.steps[1].fields[0].values.push(FieldValue {
        id: 99,
        value: Value::Number(25.04),
        verdict: Verdict::InRange,
        by: "op2".into(),
        at: at(14, 58),
        replaces: None,
        reason: None,
    });
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(run)),
            open_step: None,
        },
    );
    let draft = &s.step.as_ref().unwrap().drafts["Bore diameter"];
    assert_eq!(draft.editor.raw(), "25.02", "what was typed survives");
    assert_eq!(draft.seen_value, Some(99));
}

#[test]
fn choices_are_picked_with_arrows() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Down); // Surface finish
    act(&mut s, Action::Open);
    assert_eq!(s.context(), Context::StepChoice);
    act(&mut s, Action::Down); // smooth (nothing was chosen)
    act(&mut s, Action::Down); // rough
    let effects = act(&mut s, Action::Open);
    let [Effect::Execute { command, .. }] = effects.as_slice() else {
        panic!()
    };
    assert!(matches!(command, Command::SetField { raw, .. } if raw == "rough"));
}

#[test]
fn a_letter_picks_the_option_it_starts_and_other_keys_keep_their_binding() {
    let mut s = on_bore_step(op1());
    let keymap = Config::default().keymap().unwrap();
    act(&mut s, Action::Down); // Surface finish: smooth, rough, scored
    act(&mut s, Action::Open);
    assert_eq!(s.context(), Context::StepChoice);
    let picked = |s: &State| match &s.step.as_ref().unwrap().drafts["Surface finish"].editor {
        traveler::app::state::Editor::Choice { cursor, .. } => *cursor,
        _ => None,
    };
    // `r` picks rough, `s` smooth, `s` again the next one starting with s.
    for (letter, want) in [('r', Some(1)), ('s', Some(2)), ('S', Some(0))] {
        let msg = route(&s, &keymap, &key(letter)).expect("routed");
        assert_eq!(msg, Msg::Edit(Edit::Insert(letter)));
        update(&mut s, msg);
        assert_eq!(picked(&s), want, "after {letter}");
    }
    // `j` starts no option: it still moves down.
    assert_eq!(
        route(&s, &keymap, &key('j')),
        Some(Msg::Action(Action::Down))
    );
    let effects = act(&mut s, Action::Open);
    let [Effect::Execute { command, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(matches!(command, Command::SetField { raw, .. } if raw == "smooth"));
}

#[test]
fn complete_asks_the_engine_and_its_refusal_lists_everything_outstanding() {
    // What this screen loaded may be stale (another terminal may have just
    // signed off), so completion always goes to the engine, which decides
    // against the current state.
    let mut s = on_bore_step(op1());
    let effects = act(&mut s, Action::Complete);
    let [Effect::Execute {
        tag, command, seen, ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*tag, ExecTag::Complete);
    assert_eq!(
        *command,
        Command::Complete {
            step: "bore".into()
        }
    );
    assert_eq!(seen.step_version, Some(3));
    let reasons = vec![
        "Field 'Bore diameter' is required and has no value.".to_string(),
        "Field 'Surface finish' is required and has no value.".to_string(),
        "Sign-off 'QA sign-off' is expecting approval by quality.".to_string(),
    ];
    send(
        &mut s,
        Msg::Executed {
            tag: ExecTag::Complete,
            outcome: Outcome::Refused {
                reasons: reasons.clone(),
                conflict: false,
            },
        },
    );
    assert_eq!(s.step.as_ref().unwrap().refused, Some(reasons));
    let status = format!("{:?}", s.status);
    assert!(status.contains("3 things outstanding"), "{status}");
}

#[test]
fn a_scan_on_the_step_installs_and_a_refusal_says_why() {
    let mut s = on_bore_step(op1());
    let effects = send(&mut s, Msg::Scan("SN-X9".into()));
    let [Effect::Execute { tag, command, .. }] = effects.as_slice() else {
        panic!()
    };
    assert_eq!(
        *command,
        Command::Install {
            step: "bore".into(),
            identifier: "SN-X9".into(),
            quantity: None,
            scanned: true
        }
    );
    send(
        &mut s,
        Msg::Executed {
            tag: tag.clone(),
            outcome: Outcome::Refused {
                reasons: vec![
                    "SN-X9 is part GASKET-2, not BRG-100 or an approved substitute (BRG-101)."
                        .into(),
                ],
                conflict: false,
            },
        },
    );
    let result = s.step.as_ref().unwrap().scan_result.clone().unwrap();
    assert!(!result.accepted);
    assert!(result.lines.iter().any(|l| l.contains("GASKET-2")));
}

#[test]
fn typing_in_the_scan_box_installs_as_typed_with_a_quantity() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Scan);
    assert_eq!(s.context(), Context::StepScan);
    type_text(&mut s, "LOT-7 1");
    let effects = act(&mut s, Action::Open);
    let [Effect::Execute { command, .. }] = effects.as_slice() else {
        panic!()
    };
    assert_eq!(
        *command,
        Command::Install {
            step: "bore".into(),
            identifier: "LOT-7".into(),
            quantity: Some(1),
            scanned: false
        }
    );
}

#[test]
fn a_hold_needs_a_reason_and_carries_the_step_version() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Hold);
    assert_eq!(s.context(), Context::FormText);
    assert!(act(&mut s, Action::Open).is_empty());
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!()
    };
    assert_eq!(form.errors, vec!["Reason is required.".to_string()]);
    type_text(&mut s, "waiting for bearings");
    let effects = act(&mut s, Action::Open);
    let [Effect::Execute {
        tag, command, seen, ..
    }] = effects.as_slice()
    else {
        panic!()
    };
    assert_eq!(
        *command,
        Command::Hold {
            step: "bore".into(),
            reason: "waiting for bearings".into()
        }
    );
    assert_eq!(seen.step_version, Some(3));
    send(
        &mut s,
        Msg::Executed {
            tag: tag.clone(),
            outcome: Outcome::Done(Vec::new()),
        },
    );
    assert!(s.overlay.is_none());
}

#[test]
fn a_sign_off_asks_for_login_and_pin_again() {
    let mut s = on_bore_step(qe1());
    act(&mut s, Action::Approve);
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!("{:?}", s.status)
    };
    assert!(matches!(
        form.kind,
        FormKind::SignOff {
            meaning: Meaning::Approved,
            ..
        }
    ));
    assert!(form
        .intro
        .iter()
        .any(|l| l.contains("Expecting approval by: quality")));
    // The login is filled in with the signed-in user's; the cursor is in the PIN box.
    type_text(&mut s, "2222");
    // Enter on the typed PIN signs (an approval's comment is optional).
    let effects = act(&mut s, Action::Open);
    let [Effect::SignOff {
        login,
        secret,
        field,
        meaning,
        ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!((login.as_str(), secret.as_str()), ("qe1", "2222"));
    assert_eq!(field, "QA sign-off");
    assert_eq!(*meaning, Meaning::Approved);
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!()
    };
    assert!(form
        .fields
        .iter()
        .filter(|f| f.masked)
        .all(|f| f.value().is_empty()));
}

#[test]
fn a_wrong_pin_puts_the_cursor_back_in_the_emptied_pin_box() {
    let mut s = on_bore_step(qe1());
    act(&mut s, Action::Approve);
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!("{:?}", s.status)
    };
    assert_eq!(form.value("Signer login"), "qe1");
    assert!(
        form.fields[form.focus].masked,
        "the cursor starts in the PIN box"
    );
    type_text(&mut s, "2223");
    let effects = act(&mut s, Action::Open);
    assert!(matches!(effects.as_slice(), [Effect::SignOff { .. }]));
    send(
        &mut s,
        Msg::Executed {
            tag: ExecTag::Form,
            outcome: Outcome::Refused {
                reasons: vec!["Unknown login or wrong PIN.".into()],
                conflict: false,
            },
        },
    );
    type_text(&mut s, "2222");
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!()
    };
    assert!(
        form.fields[form.focus].masked,
        "the cursor is back in the PIN box"
    );
    assert_eq!(form.value("PIN"), "2222");
    assert_eq!(form.value("Comment"), "");
}

#[test]
fn a_rejection_needs_a_comment() {
    let mut s = on_bore_step(qe1());
    act(&mut s, Action::Reject);
    // The login is filled in with the signed-in user's; the cursor is in the PIN box.
    type_text(&mut s, "2222");
    act(&mut s, Action::Open);
    assert!(act(&mut s, Action::Open).is_empty());
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!()
    };
    assert_eq!(form.errors, vec!["Comment is required.".to_string()]);
}

#[test]
fn help_lists_the_screen_and_closes() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Help);
    assert!(matches!(
        s.overlay,
        Some(Overlay::Help {
            context: Context::Step,
            ..
        })
    ));
    act(&mut s, Action::Back);
    assert!(s.overlay.is_none());
}

#[test]
fn quit_without_unsaved_work_quits() {
    let mut s = signed_in(op1());
    // The user's labour is closed first (the org's setting decides), then
    // the loop ends.
    assert_eq!(
        act(&mut s, Action::Quit),
        vec![
            Effect::CloseSessionsOnLeaving {
                actor: op1(),
                cause: LeaveCause::Quit
            },
            Effect::Quit
        ]
    );
    assert!(s.quit);
}

// --- quality ------------------------------------------------------------------

#[test]
fn a_waiting_sign_off_jumps_to_its_step() {
    let mut s = signed_in(qe1());
    let effects = act(&mut s, Action::QualityScreen);
    assert_eq!(
        effects,
        vec![Effect::LoadQuality {
            roles: vec!["quality".into()]
        }]
    );
    let data = traveler::app::state::QualityData {
        signoffs: vec![traveler::store::PendingSignoff {
            run: 42,
            serial: "PU-0042".into(),
            step: "bore".into(),
            position: "2".into(),
            field: "QA sign-off".into(),
            role: "quality".into(),
            rejected: false,
        }],
        ..Default::default()
    };
    send(&mut s, Msg::QualityLoaded(data));
    act(&mut s, Action::NextTab);
    act(&mut s, Action::NextTab);
    let effects = act(&mut s, Action::Open);
    assert_eq!(
        effects,
        vec![Effect::LoadRun {
            run: 42,
            open_step: Some("bore".into())
        }]
    );
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(pump_run())),
            open_step: Some("bore".into()),
        },
    );
    assert_eq!(s.screen, Screen::Step);
    let effects = act(&mut s, Action::Back);
    assert_eq!(s.screen, Screen::Quality, "Esc returns to the quality list");
    assert!(matches!(effects.as_slice(), [Effect::LoadQuality { .. }]));
}

// --- keys -----------------------------------------------------------------------

#[test]
fn keys_mean_actions_on_screens_and_text_in_boxes() {
    let mut s = on_bore_step(op1());
    let keymap = s.keymap.clone();
    assert_eq!(
        route(&s, &keymap, &key('i')),
        Some(Msg::Action(Action::CheckIn))
    );
    act(&mut s, Action::Open);
    assert_eq!(
        route(&s, &keymap, &key('i')),
        Some(Msg::Edit(Edit::Insert('i')))
    );
    let mut release = key('x');
    release.kind = KeyEventKind::Release;
    assert_eq!(route(&s, &keymap, &release), None);
}

#[test]
fn remapped_keys_come_from_config() {
    let config = Config::parse("[keys]\ncheck_in = \"I\"\n").unwrap();
    let mut s = on_bore_step(op1());
    s.keymap = config.keymap().unwrap();
    let keymap = s.keymap.clone();
    assert_eq!(
        route(&s, &keymap, &key('I')),
        Some(Msg::Action(Action::CheckIn))
    );
    assert_eq!(route(&s, &keymap, &key('i')), None);
}

#[test]
fn help_over_a_form_gives_the_form_back() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Hold);
    type_text(&mut s, "waiting");
    act(&mut s, Action::Help);
    assert_eq!(s.context(), Context::Help);
    act(&mut s, Action::Back);
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!(form.value("Reason"), "waiting");
}

#[test]
fn locking_forgets_a_pin_typed_into_a_sign_off() {
    let mut s = on_bore_step(qe1());
    act(&mut s, Action::Approve);
    // The login is filled in with the signed-in user's; the cursor is in the PIN box.
    type_text(&mut s, "2222");
    update(&mut s, Msg::Tick(now() + chrono::Duration::minutes(10)));
    assert!(s.locked);
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!()
    };
    assert!(form
        .fields
        .iter()
        .filter(|f| f.masked)
        .all(|f| f.value().is_empty()));
}

// --- review fixes -----------------------------------------------------------

/// The run screen's step list as drawn: the row marked ▶.
fn marked_row(s: &State, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let theme = traveler::ui::theme::Theme::pick(traveler::config::ThemeName::Mono, true);
    terminal
        .draw(|f| traveler::ui::render(s, &theme, f))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let marked: Vec<String> = (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .filter(|line| line.starts_with('▶'))
        .collect();
    assert_eq!(marked.len(), 1, "one row is marked: {marked:?}");
    marked[0].clone()
}

#[test]
fn the_marked_step_is_the_one_enter_opens_after_completing_one() {
    // On step 2 (bore), which then completes (another terminal's reload).
    let mut s = on_bore_step(op1());
    let mut run = pump_run();
    run.steps[1].state = StepState::Complete;
    run.steps[1].completed_by = Some("op1".into());
    run.steps[1].completed_at = Some(at(14, 50));
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(run)),
            open_step: None,
        },
    );
    act(&mut s, Action::Back);
    assert_eq!(s.screen, Screen::Run);
    let marked = marked_row(&s, 80, 24);
    assert!(marked.contains("Final assembly"), "{marked}");
    act(&mut s, Action::Open);
    assert_eq!(s.step.as_ref().unwrap().key, "assemble");
}

#[test]
fn the_marker_follows_the_cursor() {
    let mut s = on_run(op1());
    assert!(marked_row(&s, 80, 24).contains("Bore the housing"));
    act(&mut s, Action::Up);
    let marked = marked_row(&s, 80, 24);
    assert!(marked.contains("Incoming inspection"), "{marked}");
    act(&mut s, Action::Open);
    assert_eq!(s.step.as_ref().unwrap().key, "inspect");
    // Back from a step that is still open keeps the cursor on it.
    let mut s = on_run(op1());
    act(&mut s, Action::Open);
    act(&mut s, Action::Back);
    assert!(marked_row(&s, 80, 24).contains("Bore the housing"));
}

#[test]
fn an_empty_choice_opens_with_nothing_chosen_and_enter_asks_to_choose() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Down); // Surface finish
    act(&mut s, Action::Open);
    let draft = &s.step.as_ref().unwrap().drafts["Surface finish"];
    assert_eq!(draft.editor.raw(), "", "nothing chosen yet");
    let effects = act(&mut s, Action::Open);
    assert!(effects.is_empty(), "nothing is saved: {effects:?}");
    let status = s.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.lines[0].contains("Choose"), "{status:?}");
    assert_eq!(s.context(), Context::StepChoice, "the editor stays open");
    // Yes/no too.
    act(&mut s, Action::Back);
    act(&mut s, Action::Down); // Notes
    act(&mut s, Action::Down); // Torque verified
    act(&mut s, Action::Open);
    assert!(act(&mut s, Action::Open).is_empty());
    assert!(s.status.clone().unwrap().lines[0].contains("Choose yes or no first"));
    act(&mut s, Action::Toggle);
    let effects = act(&mut s, Action::Open);
    assert!(matches!(effects.as_slice(),
        [Effect::Execute { command: Command::SetField { raw, .. }, .. }] if raw == "yes"));
}

#[test]
fn a_choice_with_a_value_opens_on_it() {
    let mut s = on_bore_step(op1());
    let mut run = pump_run();
    run.steps[1].fields[1].values.push(FieldValue {
        id: 50,
        value: Value::Text("rough".into()),
        verdict: Verdict::NoRule,
        by: "op1".into(),
        at: at(14, 40),
        replaces: None,
        reason: None,
    });
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(run)),
            open_step: None,
        },
    );
    act(&mut s, Action::Down);
    act(&mut s, Action::Open);
    assert_eq!(
        s.step.as_ref().unwrap().drafts["Surface finish"]
            .editor
            .raw(),
        "rough"
    );
}

#[test]
fn the_lock_key_says_locked_not_idle() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Lock);
    assert!(s.locked);
    let status = s.status.clone().unwrap();
    assert!(status.lines[0].starts_with("Locked by op1."), "{status:?}");
    assert!(!status.lines[0].contains("idle"));
    let screen = render_text(&s, 80, 24);
    assert!(screen.contains("Locked by op1."), "{screen}");
    assert!(!screen.contains("idle minutes"), "{screen}");
    // The idle lock still says idle.
    let mut s = on_bore_step(op1());
    send(&mut s, Msg::Tick(now() + chrono::Duration::minutes(10)));
    assert!(render_text(&s, 80, 24).contains("Locked after 10 idle minutes."));
}

fn render_text(s: &State, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let theme = traveler::ui::theme::Theme::pick(traveler::config::ThemeName::Mono, true);
    terminal
        .draw(|f| traveler::ui::render(s, &theme, f))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_complete_steps_fields_are_read_only() {
    let mut s = on_run(op1());
    act(&mut s, Action::Up); // step 1, complete
    act(&mut s, Action::Open);
    assert_eq!(s.step.as_ref().unwrap().key, "inspect");
    let effects = act(&mut s, Action::Open);
    assert!(effects.is_empty());
    let step = s.step.as_ref().unwrap();
    assert!(step.editing.is_none(), "no editor opens");
    assert!(step.drafts.is_empty());
    assert_eq!(
        s.status.clone().unwrap().lines,
        vec!["Step 1 is complete; a quality engineer or supervisor can reopen it (O).".to_string()]
    );
}

#[test]
fn a_complete_or_failed_runs_steps_are_read_only() {
    for (state, words) in [
        (RunState::Complete, "is complete"),
        (RunState::Failed, "has failed"),
    ] {
        let mut s = on_bore_step(op1());
        let mut run = pump_run();
        run.state = state;
        send(
            &mut s,
            Msg::RunLoaded {
                bundle: Box::new(bundle(run)),
                open_step: None,
            },
        );
        assert!(act(&mut s, Action::Open).is_empty());
        assert!(s.step.as_ref().unwrap().editing.is_none());
        let text = &s.status.clone().unwrap().lines[0];
        assert!(text.starts_with(&format!("Run 42 {words}")), "{text}");
    }
}

fn board_with(rows: Vec<traveler::store::RunSummary>) -> State {
    let mut s = signed_in(op1());
    act(&mut s, Action::Search);
    let generation = s.board.generation;
    send(
        &mut s,
        Msg::BoardLoaded(BoardPage {
            generation,
            append: false,
            rows,
            next: None,
            full: false,
            counts: Default::default(),
            stuck: 0,
            settings: Default::default(),
        }),
    );
    s
}

#[test]
fn search_enter_on_an_exact_serial_opens_its_run() {
    let mut s = board_with(vec![
        summary(7, "PU-10", RunState::Todo, 0, 4, "", now()),
        summary(6, "PU-1", RunState::Todo, 0, 4, "", now()),
    ]);
    assert_eq!(s.context(), Context::BoardSearch);
    s.board.search.set("pu-1");
    let effects = act(&mut s, Action::Open);
    assert_eq!(
        effects,
        vec![Effect::LoadRun {
            run: 6,
            open_step: None
        }]
    );
}

#[test]
fn search_enter_on_part_of_a_serial_lists_the_matches() {
    let mut s = board_with(vec![
        summary(7, "PU-10", RunState::Todo, 0, 4, "", now()),
        summary(6, "PU-11", RunState::Todo, 0, 4, "", now()),
    ]);
    s.board.search.set("PU-1");
    let effects = act(&mut s, Action::Open);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        s.context(),
        Context::Board,
        "↑/↓ and Enter pick from the list"
    );
    assert!(s.status.clone().unwrap().lines[0].starts_with("2 runs match 'PU-1'"));
    assert_eq!(
        act(&mut s, Action::Open),
        vec![Effect::LoadRun {
            run: 7,
            open_step: None
        }]
    );
}

#[test]
fn search_enter_with_nothing_listed_looks_the_serial_up() {
    let mut s = board_with(Vec::new());
    s.board.search.set("CB-9");
    assert_eq!(
        act(&mut s, Action::Open),
        vec![Effect::FindRun {
            reference: "CB-9".into()
        }]
    );
}

#[test]
fn the_board_says_scan_or_slash_to_find_a_serial() {
    let mut s = signed_in(op1());
    s.board.loaded = true;
    // At 80 columns the tab line has room for "/ find" only; the key help
    // at the foot still says "scan it".
    for (w, h, hint) in [(80, 24, "/ find"), (160, 48, "scan or / to find a serial")] {
        assert!(render_text(&s, w, h).contains(hint), "{w}x{h}");
    }
    act(&mut s, Action::Help);
    assert!(render_text(&s, 80, 24).contains("Scan or / to find a serial"));
}

#[test]
fn the_stale_tab_lists_only_stale_runs() {
    let mut s = signed_in(op1());
    for _ in 0..5 {
        act(&mut s, Action::NextTab);
    }
    assert_eq!(s.board.tab, traveler::app::state::BoardTab::Stuck);
    let effects = act(&mut s, Action::Reload);
    let [Effect::LoadBoard(query)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    // The store picks the stale runs (todo or in progress, untouched for
    // the org's threshold).
    assert_eq!(query.filter.state, None);
    assert!(query.filter.open_only);
    assert_eq!(
        query.filter.untouched_before,
        Some(now() - chrono::Duration::hours(i64::from(s.board.settings.stale_after_hours)))
    );
    let old = now() - chrono::Duration::hours(72);
    send(
        &mut s,
        Msg::BoardLoaded(BoardPage {
            generation: query.generation,
            append: false,
            next: None,
            rows: vec![summary(3, "PU-3", RunState::Todo, 0, 4, "", old)],
            full: false,
            counts: Default::default(),
            stuck: 1,
            settings: Default::default(),
        }),
    );
    let serials: Vec<_> = s.board.rows.iter().map(|r| r.serial.as_str()).collect();
    assert_eq!(serials, vec!["PU-3"]);
    let screen = render_text(&s, 80, 24);
    assert!(screen.contains("[! stale]"), "{screen}");
}

#[test]
fn a_slow_enter_after_a_fast_serial_is_still_a_scan() {
    use traveler::app::scan::{run_timeline, Out, ScanSettings};
    let k = |c: char| key(c);
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let plain = |events: &[(u64, KeyEvent)]| -> Vec<(u64, KeyEvent, bool)> {
        events.iter().map(|(at, key)| (*at, *key, false)).collect()
    };
    // A scanner: characters 4 ms apart, then Enter 100 ms after the last.
    let mut timeline: Vec<(u64, KeyEvent)> = "PU-1017"
        .chars()
        .enumerate()
        .map(|(i, c)| (i as u64 * 4, k(c)))
        .collect();
    timeline.push((24 + 100, enter));
    assert_eq!(
        run_timeline(ScanSettings::default(), &plain(&timeline)),
        vec![
            Out::Key(k('P')),
            Out::Scan {
                text: "PU-1017".into(),
                typed: 0
            }
        ]
    );
    // A fast typist: one shortcut key, then Enter 60 ms later: two keys, no scan.
    let typed = run_timeline(ScanSettings::default(), &plain(&[(0, k('c')), (60, enter)]));
    assert_eq!(typed, vec![Out::Key(k('c')), Out::Key(enter)]);
    // Two quick keys and Enter: still keys, in order.
    let typed = run_timeline(
        ScanSettings::default(),
        &plain(&[(0, k('g')), (20, k('j')), (40, enter)]),
    );
    assert_eq!(
        typed,
        vec![Out::Key(k('g')), Out::Key(k('j')), Out::Key(enter)]
    );
    // A person typing a serial by hand (150 ms a key) never makes a scan.
    let by_hand: Vec<(u64, KeyEvent)> = "PU-1"
        .chars()
        .enumerate()
        .map(|(i, c)| (i as u64 * 150, k(c)))
        .chain([(600, enter)])
        .collect();
    assert!(run_timeline(ScanSettings::default(), &plain(&by_hand))
        .iter()
        .all(|b| matches!(b, Out::Key(_))));
}

#[test]
fn at_80_columns_long_names_titles_and_scan_reasons_show_whole() {
    let mut s = on_bore_step(op1());
    let mut run = pump_run();
    run.steps[1].title = "Install the impeller and torque the nut".into();
    run.steps[1].fields[3].def.name = "Visual defects found".into();
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(run)),
            open_step: None,
        },
    );
    act(&mut s, Action::Scan);
    let reason = "'IMP-9' is part SEAL-20, which is not a required part of this step or an approved substitute for it.";
    send(
        &mut s,
        Msg::Executed {
            tag: ExecTag::Scan {
                typed: "IMP-9".into(),
            },
            outcome: Outcome::Refused {
                reasons: vec![reason.into()],
                conflict: false,
            },
        },
    );
    let screen = render_text(&s, 80, 24);
    let flat: String = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        screen.contains("Install the impeller and torque the nut  ◐ in progress"),
        "{screen}"
    );
    assert!(screen.contains("Visual defects found *"), "{screen}");
    assert!(flat.contains("approved substitute for it."), "{screen}");
    // The scan box's own answer wraps under its glyph (not only the status line).
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("      ") && l.trim_end().ends_with("for it.")),
        "{screen}"
    );
}

#[test]
fn a_refused_scan_rings_the_bell_once_and_an_accepted_one_does_not() {
    let mut s = on_bore_step(op1());
    act(&mut s, Action::Scan);
    let answer = |outcome| Msg::Executed {
        tag: ExecTag::Scan {
            typed: "B-1".into(),
        },
        outcome,
    };
    send(&mut s, answer(Outcome::Done(Vec::new())));
    assert!(!s.bell, "an install is silent");
    send(
        &mut s,
        answer(Outcome::Refused {
            reasons: vec!["'B-1' is not in stock.".into()],
            conflict: false,
        }),
    );
    assert!(s.bell, "the driver rings the bell for a refused scan");
}

#[test]
fn an_admin_sees_the_org_rules_read_only_and_an_operator_is_told_why_not() {
    let admin = actor("adm1", "Admin One", &["admin"]);
    let mut s = signed_in(admin);
    s.board.settings.lockout_attempts = 7;
    act(&mut s, Action::OrgSettings);
    assert_eq!(s.overlay, Some(traveler::app::state::Overlay::OrgSettings));
    let screen = render_text(&s, 80, 24);
    assert!(screen.contains("Org rules"), "{screen}");
    assert!(
        screen.contains("lockout_attempts") && screen.contains('7'),
        "{screen}"
    );
    assert!(screen.contains("traveler settings set"), "{screen}");
    // Read-only: typing changes nothing, Esc closes.
    act(&mut s, Action::Open);
    assert_eq!(s.overlay, None);

    let mut s = signed_in(op1());
    let footer = render_text(&s, 80, 24);
    assert!(!footer.contains("org rules"), "{footer}");
    act(&mut s, Action::OrgSettings);
    assert_eq!(s.overlay, None);
    let status = format!("{:?}", s.status);
    assert!(status.contains("shown to admins"), "{status}");
}

// --- saving over a saved value ------------------------------------------------

fn save_command(effects: &[Effect]) -> (&ExecTag, &Command, &Seen) {
    match effects {
        [Effect::Execute {
            tag, command, seen, ..
        }] => (tag, command, seen),
        other => panic!("expected one save, got {other:?}"),
    }
}

#[test]
fn an_unchanged_save_goes_to_the_engine_and_says_unchanged() {
    let mut s = bore_measured(op1(), true);
    act(&mut s, Action::Open);
    type_text(&mut s, "25.010");
    let effects = act(&mut s, Action::Open);
    assert!(s.overlay.is_none(), "no question for the same value");
    let (tag, command, _) = save_command(&effects);
    assert!(
        matches!(
            command,
            Command::SetField {
                reason: None,
                void_approval: false,
                ..
            }
        ),
        "{command:?}"
    );
    let tag = tag.clone();
    send(
        &mut s,
        Msg::Executed {
            tag,
            outcome: Outcome::Done(Vec::new()),
        },
    );
    let status = s.status.as_ref().expect("status");
    assert_eq!(status.kind, StatusKind::Info);
    assert_eq!(
        status.lines,
        ["Unchanged: Bore diameter already has 25.01; nothing was saved."]
    );
    assert!(s.step.as_ref().unwrap().drafts.is_empty());
}

#[test]
fn a_correction_asks_for_a_reason_before_it_is_sent() {
    let mut s = bore_measured(op1(), false);
    act(&mut s, Action::Open);
    type_text(&mut s, "25.03");
    let effects = act(&mut s, Action::Open);
    assert!(effects.is_empty(), "{effects:?}");
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!("expected the reason form, got {:?}", s.overlay);
    };
    assert_eq!(
        form.kind,
        FormKind::Correction {
            step: "bore".into(),
            field: "Bore diameter".into(),
            void_approval: false
        }
    );
    type_text(&mut s, "Gauge was not zeroed");
    let effects = act(&mut s, Action::Open);
    let (tag, command, seen) = save_command(&effects);
    assert_eq!(
        *command,
        Command::SetField {
            step: "bore".into(),
            field: "Bore diameter".into(),
            raw: "25.03".into(),
            file_sha256: None,
            reason: Some("Gauge was not zeroed".into()),
            void_approval: false
        }
    );
    assert_eq!(seen.field_value, Some(Some(30)));
    let tag = tag.clone();
    // A refusal stays in the form, with every reason.
    send(
        &mut s,
        Msg::Executed {
            tag: tag.clone(),
            outcome: Outcome::Refused {
                reasons: vec!["The reason for 'Bore diameter' contains control characters.".into()],
                conflict: false,
            },
        },
    );
    let Some(Overlay::Form(form)) = &s.overlay else {
        panic!("the form closed: {:?}", s.overlay);
    };
    assert!(!form.busy);
    assert_eq!(
        form.errors,
        ["The reason for 'Bore diameter' contains control characters."]
    );
    // Once saved, the form closes.
    send(
        &mut s,
        Msg::Executed {
            tag,
            outcome: Outcome::Done(Vec::new()),
        },
    );
    assert!(s.overlay.is_none(), "{:?}", s.overlay);
}

#[test]
fn a_save_that_voids_an_approval_asks_yes_or_no_first() {
    let mut s = bore_measured(op1(), true);
    // A first value of another field voids the approval too, and needs no reason.
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    act(&mut s, Action::Open);
    type_text(&mut s, "Fixture tightened");
    let effects = act(&mut s, Action::Open);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        s.overlay,
        Some(Overlay::Confirm {
            question: "This voids quality's approval of 'QA sign-off'; save anyway?".into(),
            then: Confirmed::SaveVoidingApproval {
                field: "Notes".into()
            },
        })
    );
    // No keeps the draft and sends nothing.
    assert!(act(&mut s, Action::Back).is_empty());
    assert!(s.overlay.is_none());
    assert!(s.step.as_ref().unwrap().drafts.contains_key("Notes"));
    act(&mut s, Action::Open);
    let effects = act(&mut s, Action::Open);
    let (_, command, _) = save_command(&effects);
    assert_eq!(
        *command,
        Command::SetField {
            step: "bore".into(),
            field: "Notes".into(),
            raw: "Fixture tightened".into(),
            file_sha256: None,
            reason: None,
            void_approval: true
        }
    );
}

#[test]
fn blockers_are_worked_out_once_per_load_not_per_frame() {
    let mut s = on_bore_step(op1());
    assert!(s.run.as_ref().unwrap().blockers.borrow().is_none());
    let first = render_text(&s, 80, 24);
    let cached = s.run.as_ref().unwrap().blockers.borrow().clone();
    let cached = cached.expect("the first frame works them out");
    assert_eq!(cached.step, "bore");
    assert!(!cached.reasons.is_empty(), "the bore step is not done yet");
    // A second frame reads the same answer back.
    assert_eq!(render_text(&s, 80, 24), first);
    // A reload throws the answer away; the next frame works it out anew.
    let mut run = pump_run();
    run.steps[1].title = "Bore, reloaded".into();
    send(
        &mut s,
        Msg::RunLoaded {
            bundle: Box::new(bundle(run)),
            open_step: None,
        },
    );
    assert!(s.run.as_ref().unwrap().blockers.borrow().is_none());
    render_text(&s, 80, 24);
    assert!(s.run.as_ref().unwrap().blockers.borrow().is_some());
}

#[test]
fn a_gauge_reading_on_the_number_field_under_the_cursor_saves_it_with_a_decimal_comma() {
    let mut s = on_bore_step(op1());
    s.decimal_comma = true;
    // The cursor rests on Bore diameter, not being edited: a digit opens it.
    let keymap = Config::default().keymap().unwrap();
    let msg = route(&s, &keymap, &key('2')).expect("a digit on a number field types");
    assert_eq!(msg, Msg::Edit(Edit::Insert('2')));
    // A whole reading as one scan burst saves it.
    let effects = send(&mut s, Msg::Scan("25,01".into()));
    let [Effect::Execute { command, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(
        matches!(command, Command::SetField { field, raw, .. } if field == "Bore diameter" && raw == "25.01"),
        "{command:?}"
    );
}

#[test]
fn a_part_scanned_with_the_cursor_on_a_number_field_installs_and_leaves_the_field_alone() {
    let mut s = on_bore_step(op1());
    // The detector typed the leading '-' of "-" codes into the field before
    // it knew: taken back, the empty editor closes and the scan installs.
    type_text(&mut s, "-");
    assert_eq!(s.context(), Context::StepEdit);
    send(&mut s, Msg::Edit(Edit::Backspace));
    let effects = send(&mut s, Msg::Scan("-BRG-9".into()));
    let [Effect::Execute { command, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(
        matches!(command, Command::Install { identifier, scanned: true, .. } if identifier == "-BRG-9"),
        "{command:?}"
    );
    assert!(s.step.as_ref().unwrap().drafts.is_empty());
    assert_eq!(s.context(), Context::Step);
}

#[test]
fn decimal_points_and_commas() {
    use traveler::app::update::decimal_point;
    assert_eq!(decimal_point("45,2"), "45.2");
    assert_eq!(decimal_point("45.2"), "45.2");
    assert_eq!(
        decimal_point("1,2,3"),
        "1,2,3",
        "left for the engine to refuse"
    );
}

#[test]
fn on_the_scan_box_a_step_key_acts_until_typing_starts_and_again_after_an_install() {
    let mut s = on_bore_step(op1());
    let keymap = s.keymap.clone();
    let feed = |s: &mut State, c: char| {
        let msg = route(s, &keymap, &key(c)).expect("routed");
        update(s, msg)
    };
    // The cursor walks onto the scan box (the last item): `c` still completes.
    act(&mut s, Action::Bottom);
    assert!(s.step.as_ref().unwrap().focus_is_scan(&s));
    assert_eq!(s.context(), Context::Step);
    assert_eq!(
        route(&s, &keymap, &key('c')),
        Some(Msg::Action(Action::Complete))
    );
    // A character that is no step command starts a serial there.
    feed(&mut s, 'X');
    assert_eq!(s.context(), Context::StepScan);
    for c in "c-1".chars() {
        feed(&mut s, c);
    }
    assert_eq!(s.step.as_ref().unwrap().scan.value(), "Xc-1");
    let effects = act(&mut s, Action::Open);
    let [Effect::Execute { tag, command, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(matches!(command, Command::Install { identifier, .. } if identifier == "Xc-1"));
    send(
        &mut s,
        Msg::Executed {
            tag: tag.clone(),
            outcome: Outcome::Done(Vec::new()),
        },
    );
    // After the install the box is empty and `c` is the command again.
    assert_eq!(s.context(), Context::Step);
    assert_eq!(
        route(&s, &keymap, &key('c')),
        Some(Msg::Action(Action::Complete))
    );
    // A serial that starts with a command letter: `s` first, then it types.
    act(&mut s, Action::Scan);
    assert_eq!(s.context(), Context::StepScan);
    feed(&mut s, 'c');
    assert_eq!(s.step.as_ref().unwrap().scan.value(), "c");
    // Esc clears; a second Esc leaves the box.
    act(&mut s, Action::Back);
    assert_eq!(s.context(), Context::Step);
}

#[test]
fn a_serial_typed_on_the_board_without_slash_searches_and_enter_opens_it() {
    let mut s = board_with(vec![
        summary(7, "PU-10", RunState::Todo, 0, 4, "", now()),
        summary(6, "PU-1", RunState::Todo, 0, 4, "", now()),
    ]);
    act(&mut s, Action::Back); // leave the search board_with opened
    assert_eq!(s.context(), Context::Board);
    let keymap = s.keymap.clone();
    // A board command letter is still its command.
    assert_eq!(
        route(&s, &keymap, &key('j')),
        Some(Msg::Action(Action::Down))
    );
    let mut effects = Vec::new();
    for c in "PU-1".chars() {
        let msg = route(&s, &keymap, &key(c)).expect("routed");
        assert_eq!(msg, Msg::Edit(Edit::Insert(c)), "{c}");
        effects = update(&mut s, msg);
    }
    assert_eq!(s.context(), Context::BoardSearch);
    assert_eq!(s.board.search.value(), "PU-1");
    assert!(
        matches!(effects.as_slice(), [Effect::LoadBoard(q)] if q.filter.search.as_deref() == Some("PU-1")),
        "{effects:?}"
    );
    // The page for the text came back with PU-10 highlighted: Enter opens
    // the exact serial, not the highlighted row.
    let generation = s.board.generation;
    send(
        &mut s,
        Msg::BoardLoaded(BoardPage {
            generation,
            append: false,
            rows: vec![
                summary(7, "PU-10", RunState::Todo, 0, 4, "", now()),
                summary(6, "PU-1", RunState::Todo, 0, 4, "", now()),
            ],
            next: None,
            full: false,
            counts: Default::default(),
            stuck: 0,
            settings: Default::default(),
        }),
    );
    assert_eq!(s.board.selected, 0);
    let msg = route(
        &s,
        &keymap,
        &KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    )
    .expect("routed");
    assert_eq!(
        update(&mut s, msg),
        vec![Effect::LoadRun {
            run: 6,
            open_step: None
        }]
    );
}
