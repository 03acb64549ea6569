//! Every event kind reads as one plain sentence in the run history, with
//! steps named by number and title and people by display name.

mod tui_support;

use std::collections::BTreeMap;
use traveler::domain::*;
use traveler::ui::event_sentence::{sentence, Names};
use tui_support::{at, pump_run};

fn people() -> BTreeMap<String, String> {
    BTreeMap::from([("op1".to_string(), "Olive Operator".to_string())])
}

fn say(event: Event) -> String {
    let run = pump_run();
    let people = people();
    sentence(
        &event,
        &Names {
            run: Some(&run),
            people: &people,
        },
    )
}

fn user() -> User {
    User {
        login: "op2".into(),
        name: "Otto Two".into(),
        roles: vec!["operator".into()],
        secret_hash: "$argon2id$secret".into(),
        active: true,
        failed_attempts: 0,
        locked_until: None,
        secret_set_by: None,
    }
}

fn signature(meaning: &str, rationale: &str) -> DecisionSignature {
    DecisionSignature {
        by: "qe1".into(),
        name: "Quinn Quality".into(),
        at: at(16, 0),
        meaning: meaning.into(),
        rationale: rationale.into(),
        secret_set_by_signer: true,
    }
}

fn issue() -> Issue {
    Issue {
        id: 7,
        title: "Seal torn".into(),
        description: "Lip cut on install".into(),
        run: Some(42),
        step: Some("bore".into()),
        field: None,
        inventory: None,
        state: IssueState::Open,
        disposition: None,
        raised_by: "op1".into(),
        raised_at: at(14, 0),
        approvals: Vec::new(),
    }
}

fn session(user: &str) -> LabourSession {
    LabourSession {
        id: 3,
        user: user.into(),
        started_at: at(13, 0),
        ended_at: None,
    }
}

#[test]
fn account_events_read_plainly_and_never_show_a_hash() {
    assert_eq!(
        say(Event::UserAdded { user: user() }),
        "Added user op2 (Otto Two) with roles operator"
    );
    assert_eq!(
        say(Event::UserActiveSet {
            login: "op2".into(),
            active: false
        }),
        "Deactivated user op2"
    );
    assert_eq!(
        say(Event::UserActiveSet {
            login: "op2".into(),
            active: true
        }),
        "Reactivated user op2"
    );
    let reset = say(Event::UserSecretSet {
        login: "op1".into(),
        secret_hash: "$argon2id$secret".into(),
        set_by: Some("admin".into()),
    });
    assert_eq!(
        reset,
        "Set a new PIN for op1 (Olive Operator must change it at the next sign-in)"
    );
    assert_eq!(
        say(Event::UserSecretSet {
            login: "op1".into(),
            secret_hash: "$argon2id$secret".into(),
            set_by: None,
        }),
        "Olive Operator set their own PIN"
    );
    assert_eq!(
        say(Event::LoginFailed {
            login: "op1".into(),
            failed_attempts: 2,
            locked_until: None
        }),
        "Wrong PIN for op1 (2 in a row)"
    );
    assert_eq!(
        say(Event::LoginFailed {
            login: "op1".into(),
            failed_attempts: 5,
            locked_until: Some(at(15, 5))
        }),
        "Wrong PIN for op1 (5 in a row): the login is locked for a while"
    );
    assert_eq!(
        say(Event::LoginSucceeded {
            login: "op1".into()
        }),
        "Olive Operator signed in"
    );
    let rehash = say(Event::SecretRehashed {
        login: "op1".into(),
        secret_hash: "$argon2id$secret".into(),
    });
    assert_eq!(rehash, "Stored op1's PIN under new hash parameters");
    assert!(!rehash.contains("argon2") && !reset.contains("argon2"));
    assert_eq!(
        say(Event::UnknownLoginFailed {
            login: "ghost".into()
        }),
        "Sign-in refused for unknown login ghost"
    );
}

#[test]
fn inventory_and_procedure_events() {
    assert_eq!(
        say(Event::PartAdded {
            part: Part {
                number: "SEAL-1".into(),
                description: "Shaft seal".into(),
                tracking: Tracking::Lot,
            }
        }),
        "Added part SEAL-1 (Shaft seal)"
    );
    assert_eq!(
        say(Event::InventoryReceived {
            item: InventoryItem {
                identifier: "LOT-9".into(),
                part: "SEAL-1".into(),
                tracking: Tracking::Lot,
                quantity: 50,
                state: InventoryState::Available,
                parent: None,
            }
        }),
        "Received LOT-9 of part SEAL-1 (50 × available)"
    );
    assert_eq!(
        say(Event::InventoryStateChanged {
            identifier: "SN-B1".into(),
            from: InventoryState::Installed,
            to: InventoryState::Scrapped
        }),
        "Marked SN-B1 scrapped (was installed)"
    );
    assert_eq!(
        say(Event::InventoryQuantityChanged {
            identifier: "LOT-9".into(),
            from: 50,
            to: 48
        }),
        "Changed the quantity of LOT-9 from 50 to 48"
    );
    assert_eq!(
        say(Event::InventoryParentSet {
            identifier: "SN-B1".into(),
            parent: Some("PU-0042".into())
        }),
        "Placed SN-B1 in PU-0042"
    );
    assert_eq!(
        say(Event::InventoryParentSet {
            identifier: "SN-B1".into(),
            parent: None
        }),
        "Took SN-B1 out of its unit"
    );
    let procedure =
        traveler::procedure_file::parse(include_str!("../assets/procedures/board-test.toml"))
            .expect("the demo procedure parses");
    let mut procedure = procedure;
    procedure.version = 1;
    let steps = procedure.steps.len();
    assert_eq!(
        say(Event::ProcedureImported { procedure }),
        format!(
            "Imported procedure CTRL-TEST v1 'Controller board electrical test' ({steps} steps)"
        )
    );
    assert_eq!(
        say(Event::ProcedureStateChanged {
            key: "CTRL-TEST".into(),
            version: 1,
            from: ProcedureState::Draft,
            to: ProcedureState::Released
        }),
        "Moved procedure CTRL-TEST v1 from draft to released"
    );
    assert_eq!(
        say(Event::SettingChanged {
            key: "auto_checkin".into(),
            from: "true".into(),
            to: "false".into()
        }),
        "Changed setting auto_checkin from true to false"
    );
}

#[test]
fn run_events() {
    assert_eq!(
        say(Event::RunCreated { run: pump_run() }),
        "Created run 42 for PU-0042 from PUMP-ASSY v2"
    );
    assert_eq!(say(Event::RunStarted { at: at(13, 0) }), "Started the run");
    assert_eq!(
        say(Event::RunCompleted { at: at(16, 0) }),
        "Completed the run"
    );
    assert_eq!(
        say(Event::RunFailed {
            failure: RunFailure {
                reason: "housing cracked".into(),
                issue: Some(7),
                by: "sup".into(),
                at: at(16, 0),
                inventory_to: FailInventoryTo::Quarantined,
            }
        }),
        "Failed the run (issue #7): housing cracked"
    );
    assert_eq!(
        say(Event::RunReopened {
            reason: "wrong serial".into()
        }),
        "Reopened the run: wrong serial"
    );
}

#[test]
fn step_moves_name_the_step_by_number_and_title() {
    let moved = |from, to, reason: Option<&str>| {
        say(Event::StepStateChanged {
            step: "bore".into(),
            from,
            to,
            reason: reason.map(str::to_string),
        })
    };
    use StepState::*;
    assert_eq!(
        moved(InProgress, OnHold, Some("seal driver missing")),
        "Held step 2 'Bore the housing': seal driver missing"
    );
    assert_eq!(
        moved(OnHold, InProgress, None),
        "Released the hold on step 2 'Bore the housing'"
    );
    assert_eq!(
        moved(InProgress, Failed, Some("oversize")),
        "Failed step 2 'Bore the housing': oversize"
    );
    assert_eq!(
        moved(InProgress, Complete, None),
        "Completed step 2 'Bore the housing'"
    );
    assert_eq!(
        moved(Todo, InProgress, None),
        "Started step 2 'Bore the housing'"
    );
    assert_eq!(
        moved(Failed, Todo, Some("rework")),
        "Reopened step 2 'Bore the housing': rework"
    );
    assert_eq!(
        moved(InProgress, Redline, None),
        "Put step 2 'Bore the housing' on redline"
    );
    assert_eq!(
        moved(Redline, InProgress, None),
        "Ended the redline on step 2 'Bore the housing'"
    );
    assert_eq!(
        moved(Todo, Skipped, None),
        "Skipped step 2 'Bore the housing' (optional, the run completed)"
    );
    // A step the run does not hold (an old event) is named by its key.
    assert_eq!(
        say(Event::StepStateChanged {
            step: "gone".into(),
            from: Todo,
            to: InProgress,
            reason: None
        }),
        "Started step 'gone'"
    );
}

#[test]
fn labour_events_name_people_by_display_name() {
    assert_eq!(
        say(Event::SessionOpened {
            step: "bore".into(),
            session: session("op1")
        }),
        "Olive Operator checked in on step 2 'Bore the housing'"
    );
    assert_eq!(
        say(Event::SessionClosed {
            step: "bore".into(),
            session: 3,
            user: "op1".into(),
            at: at(15, 0),
            cause: None
        }),
        "Olive Operator checked out of step 2 'Bore the housing'"
    );
    assert_eq!(
        say(Event::SessionClosed {
            step: "bore".into(),
            session: 3,
            user: "zed".into(),
            at: at(15, 0),
            cause: Some(LeaveCause::Lock)
        }),
        "Closed zed's session on step 2 'Bore the housing' (the screen locked)"
    );
    let mut after = session("op1");
    after.ended_at = Some(at(14, 0));
    assert_eq!(
        say(Event::SessionEdited {
            step: "bore".into(),
            before: session("op1"),
            after,
            reason: "forgot to check out".into()
        }),
        "Edited Olive Operator's labour session on step 2 'Bore the housing': forgot to check out"
    );
}

#[test]
fn values_signatures_and_deviations() {
    let mut value = FieldValue {
        id: 9,
        value: Value::Number(25.07),
        verdict: Verdict::OutOfRange,
        by: "op1".into(),
        at: at(14, 0),
        replaces: None,
        reason: None,
    };
    assert_eq!(
        say(Event::FieldValueSaved {
            step: "bore".into(),
            field: "Bore diameter".into(),
            value: value.clone()
        }),
        "Recorded 'Bore diameter' = 25.07 (out of range) on step 2 'Bore the housing'"
    );
    let in_range = FieldValue {
        value: Value::Number(25.01),
        verdict: Verdict::InRange,
        ..value.clone()
    };
    assert_eq!(
        say(Event::FieldValueSaved {
            step: "bore".into(),
            field: "Bore diameter".into(),
            value: in_range
        }),
        "Recorded 'Bore diameter' = 25.01 on step 2 'Bore the housing'"
    );
    value.replaces = Some(8);
    value.reason = Some("misread the gauge".into());
    assert_eq!(
        say(Event::FieldValueSaved {
            step: "bore".into(),
            field: "Bore diameter".into(),
            value
        }),
        "Corrected 'Bore diameter' = 25.07 (out of range) on step 2 'Bore the housing': misread the gauge"
    );
    assert_eq!(
        say(Event::SignatureRecorded {
            step: "bore".into(),
            field: "QA sign-off".into(),
            signature: Signature {
                by: "qe1".into(),
                name: "Quinn Quality".into(),
                at: at(15, 0),
                meaning: Meaning::Rejected,
                comment: Some("bore out of round".into()),
                values_sha256: "abc".into(),
                secret_set_by_signer: true,
            }
        }),
        "Rejected sign-off 'QA sign-off' on step 2 'Bore the housing' (signed by Quinn Quality): bore out of round"
    );
    assert_eq!(
        say(Event::DeviationAccepted {
            step: "bore".into(),
            field: "Bore diameter".into(),
            deviation: Deviation {
                value_id: 9,
                issue: 7,
                rationale: "within the seal's tolerance".into(),
                by: "qe1".into(),
                at: at(15, 0),
                signature: Some(signature("deviation accepted", "within the seal's tolerance")),
            }
        }),
        "Accepted a deviation on 'Bore diameter' of step 2 'Bore the housing' (issue #7): within the seal's tolerance"
    );
}

#[test]
fn installs_steps_and_comments() {
    assert_eq!(
        say(Event::Installed {
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
            }
        }),
        "Installed SN-B1 (BRG-100) on step 2 'Bore the housing', scanned"
    );
    assert_eq!(
        say(Event::Uninstalled {
            step: "bore".into(),
            requirement: "BRG-100".into(),
            installation: 4,
            by: "op1".into(),
            at: at(14, 30)
        }),
        "Removed an installed BRG-100 from step 2 'Bore the housing'"
    );
    assert_eq!(
        say(Event::RequirementExcepted {
            step: "bore".into(),
            requirement: "BRG-100".into(),
            exception: RequirementException {
                issue: 7,
                reason: "none in stock".into(),
                by: "qe1".into(),
                at: at(15, 0),
            }
        }),
        "Excepted BRG-100 on step 2 'Bore the housing' (issue #7): none in stock"
    );
    let mut copy = pump_run().steps[1].clone();
    copy.key = "bore-2".into();
    copy.position = "2.1".into();
    assert_eq!(
        say(Event::StepInserted {
            after: "bore".into(),
            step: copy
        }),
        "Added step 2.1 'Bore the housing' after step 2 'Bore the housing'"
    );
    assert_eq!(
        say(Event::StepSuperseded {
            step: "bore".into(),
            by: "assemble".into()
        }),
        "Replaced step 2 'Bore the housing' by step 3 'Final assembly'"
    );
    assert_eq!(
        say(Event::StepDefinitionChanged {
            step: "bore".into(),
            before: serde_json::json!({}),
            after: serde_json::json!({})
        }),
        "Changed the definition of step 2 'Bore the housing'"
    );
    assert_eq!(
        say(Event::CommentAdded {
            step: "inspect".into(),
            comment: Comment {
                by: "op1".into(),
                at: at(13, 0),
                text: "housing scratched".into(),
            }
        }),
        "Commented on step 1 'Incoming inspection': housing scratched"
    );
}

#[test]
fn issues_and_redlines() {
    assert_eq!(
        say(Event::IssueRaised { issue: issue() }),
        "Raised issue #7 'Seal torn' on step 2 'Bore the housing'"
    );
    assert_eq!(
        say(Event::IssueDispositionSet {
            issue: 7,
            from: Some(Disposition::Rework),
            to: Disposition::UseAsIs,
            signature: Some(signature("disposition: use_as_is", "seal passes leak test")),
        }),
        "Set issue #7 to use as is (was rework): seal passes leak test"
    );
    assert_eq!(
        say(Event::IssueStateChanged {
            issue: 7,
            from: IssueState::Dispositioned,
            to: IssueState::Closed,
            rationale: None,
        }),
        "Moved issue #7 from dispositioned to closed",
        "a close from before closes took a rationale"
    );
    assert_eq!(
        say(Event::IssueStateChanged {
            issue: 7,
            from: IssueState::Dispositioned,
            to: IssueState::Closed,
            rationale: Some("leak test passed".into()),
        }),
        "Moved issue #7 from dispositioned to closed: leak test passed"
    );
    // Old events (no rationale) read back and re-serialise unchanged, so
    // their audit hashes hold.
    let old = r#"{"event":"issue_state_changed","issue":7,"from":"dispositioned","to":"closed"}"#;
    let event: Event = serde_json::from_str(old).expect("an old close reads");
    assert_eq!(serde_json::to_string(&event).expect("json"), old);
    let redline = Redline {
        id: 2,
        step: "bore".into(),
        change: RedlineChange::CorrectInstructions {
            instructions: "Use the 25 mm reamer.".into(),
        },
        reason: "reamer size was wrong".into(),
        state: RedlineState::Proposed,
        proposed_by: "op1".into(),
        proposed_at: at(14, 0),
        decided_by: None,
        decided_at: None,
    };
    assert_eq!(
        say(Event::RedlineProposed { redline }),
        "Proposed redline 2 on step 2 'Bore the housing': correct the instructions: reamer size was wrong"
    );
    assert_eq!(
        say(Event::RedlineDecided {
            redline: 2,
            to: RedlineState::Approved,
            by: "qe1".into(),
            at: at(15, 0)
        }),
        "Approved redline 2"
    );
    assert_eq!(
        say(Event::RedlineDecided {
            redline: 2,
            to: RedlineState::Cancelled,
            by: "qe1".into(),
            at: at(15, 0)
        }),
        "Cancelled redline 2"
    );
}
