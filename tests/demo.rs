//! `traveler demo --no-tui` seeds, through the engine, a database with runs in
//! every state, a stuck run, a deviation, an open issue and a sign-off waiting.

use assert_cmd::Command;
use traveler::domain::*;
use traveler::store::audit::Verification;
use traveler::store::{RunFilter, Store};

#[test]
fn the_demo_seeds_every_state_and_an_intact_audit_trail() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    let out = Command::cargo_bin("traveler")
        .expect("binary")
        .env_remove("TRAVELER_CONFIG")
        .args(["--db", db.to_str().expect("path"), "demo", "--no-tui"])
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for (login, pin) in [
        ("operator", "1111"),
        ("quality", "2222"),
        ("supervisor", "3333"),
        ("admin", "4444"),
    ] {
        assert!(
            printed.contains(login) && printed.contains(pin),
            "{printed}"
        );
    }

    let mut store = Store::open(&db).expect("open");
    let counts = store.count_runs_by_state().expect("counts");
    for state in RunState::ALL {
        assert!(
            counts[state.name()] >= 1,
            "no {} run: {counts:?}",
            state.name()
        );
    }
    let total: i64 = counts.values().sum();
    assert!((18..=25).contains(&total), "about twenty runs, got {total}");

    let runs = store
        .list_runs(&RunFilter::default(), None, 100)
        .expect("runs");
    let stuck_before = chrono::Utc::now() - chrono::Duration::days(2);
    assert!(
        runs.iter()
            .any(|r| r.state == RunState::Todo && r.updated_at < stuck_before),
        "a run untouched in todo for days"
    );
    let with_deviation = runs
        .iter()
        .filter_map(|r| store.run(r.id).ok().flatten())
        .any(|run| {
            run.state == RunState::InProgress
                && run
                    .steps
                    .iter()
                    .any(|s| s.fields.iter().any(|f| !f.deviations.is_empty()))
        });
    assert!(
        with_deviation,
        "a run in progress with an accepted deviation"
    );
    assert!(
        !store.open_issues().expect("issues").is_empty(),
        "an open quality issue"
    );
    assert!(
        !store
            .pending_signoffs(&["quality".to_string()])
            .expect("signoffs")
            .is_empty(),
        "a sign-off waiting on quality"
    );
    assert!(matches!(store.verify_audit().expect("verify"), Verification::Intact(n) if n > 100));
    // The PINs printed are the real ones.
    assert!(store
        .authenticate("operator", "1111", "test", chrono::Utc::now(), false)
        .is_ok());

    // Refuses to overwrite a file it did not make unless told to.
    Command::cargo_bin("traveler")
        .expect("binary")
        .args(["--db", db.to_str().expect("path"), "demo", "--no-tui"])
        .assert()
        .code(1);
}

fn demo_cmd(db: &std::path::Path, replace: bool) -> assert_cmd::assert::Assert {
    let mut c = Command::cargo_bin("traveler").expect("binary");
    c.env_remove("TRAVELER_CONFIG")
        .arg("--db")
        .arg(db)
        .args(["demo", "--no-tui"]);
    if replace {
        c.arg("--replace");
    }
    c.assert()
}

#[test]
fn demo_replace_leaves_a_database_it_did_not_make_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("prod.db");
    Command::cargo_bin("traveler")
        .expect("binary")
        .env_remove("TRAVELER_CONFIG")
        .arg("--db")
        .arg(&db)
        .args(["init", "--admin", "admin", "--pin", "4444"])
        .assert()
        .success();
    let before = std::fs::read(&db).expect("read");
    let out = demo_cmd(&db, true).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("was not made by `traveler demo`"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).expect("read"), before, "file untouched");
    let store = Store::open(&db).expect("still opens");
    assert!(store.has_users().expect("users"));
}

#[test]
fn demo_replace_refuses_a_demo_database_that_is_open_and_replaces_it_once_closed() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    demo_cmd(&db, false).success();
    let open = Store::open(&db).expect("a terminal has it open");
    let out = demo_cmd(&db, true).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("open in another traveler"), "{stderr}");
    assert!(open.has_users().expect("still there"));
    drop(open);
    demo_cmd(&db, true).success();
    let store = Store::open(&db).expect("reopen");
    assert!(store.has_users().expect("users"));
}
