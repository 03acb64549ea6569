//! The store: fresh database per test, migrations, concurrency, audit chain.

mod common;

use common::*;
use rusqlite::Connection;
use std::sync::{Arc, Barrier};
use traveler::domain::*;
use traveler::store::audit::Verification;
use traveler::store::{schema, ExecError, Store};

#[test]
fn a_fresh_database_has_the_current_schema_and_default_settings() {
    let f = Fixture::new();
    let conn = Connection::open(&f.path).expect("raw open");
    assert_eq!(
        schema::version(&conn).expect("version"),
        schema::CURRENT_VERSION
    );
    assert_eq!(f.store.settings().expect("settings"), Settings::default());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_the_first_schema_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).expect("open");
        schema::migrate_to(&conn, 1).expect("first schema");
        assert_eq!(schema::version(&conn).expect("v"), 1);
        conn.execute(
            "INSERT INTO parts (number, doc) VALUES ('P-1', '{\"number\":\"P-1\",\"description\":\"old\",\"tracking\":\"serial\"}')",
            [],
        )
        .expect("insert");
    }
    let store = Store::open(&path).expect("migrates");
    let conn = Connection::open(&path).expect("raw");
    assert_eq!(schema::version(&conn).expect("v"), schema::CURRENT_VERSION);
    let index: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'audit_run'",
            [],
            |r| r.get(0),
        )
        .expect("index");
    assert_eq!(index, 1, "migration 2 adds the audit_run index");
    let parts = store.parts().expect("parts");
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].description, "old");
}

#[test]
fn a_database_from_a_newer_traveler_is_refused_naming_both_versions() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("new.db");
    {
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA user_version = 99;")
            .expect("set");
    }
    let err = Store::open(&path)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        err.contains("99") && err.contains(&schema::CURRENT_VERSION.to_string()),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_with_a_sentence() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("junk.db");
    std::fs::write(&path, vec![b'x'; 4096]).expect("write junk");
    let err = Store::open(&path)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(err.contains("not a traveler database"), "{err}");
}

#[test]
fn every_accepted_command_writes_audit_events_and_a_refused_one_writes_nothing() {
    let mut f = Fixture::with_pump();
    let run = f.create_run("PU-1");
    let before = f.audit_count();
    let refused = f.exec(
        &operator(),
        Some(run),
        Command::Complete {
            step: "bore".into(),
        },
    );
    assert!(matches!(refused, Err(ExecError::Refused(_))));
    assert_eq!(f.audit_count(), before, "a refusal writes nothing");
    assert_eq!(f.run(run).state, RunState::Todo);
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    let added = f.audit_count() - before;
    assert!(added > 0);
    let log = f.store.audit_log(Some(run), added).expect("log");
    assert_eq!(log.len(), added, "every new event is filed under the run");
    assert!(
        log.iter()
            .all(|r| r.user == "op" && r.station == "test-station" && r.run == Some(run)),
        "{log:?}"
    );
    assert!(matches!(
        f.store.verify_audit().expect("verify"),
        Verification::Intact(_)
    ));
}

#[test]
fn the_audit_chain_finds_a_row_edited_behind_the_programs_back() {
    let mut f = Fixture::with_pump();
    f.create_run("PU-1");
    let conn = Connection::open(&f.path).expect("raw");
    let update = conn.execute("UPDATE audit SET user = 'intruder' WHERE seq = 3", []);
    assert!(update.is_err(), "the trigger refuses UPDATE");
    let delete = conn.execute("DELETE FROM audit WHERE seq = 3", []);
    assert!(delete.is_err(), "the trigger refuses DELETE");
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET user = 'someone' WHERE seq = 3;",
    )
    .expect("tamper");
    match f.store.verify_audit().expect("verify") {
        Verification::Broken { seq, .. } => assert_eq!(seq, 3),
        other => panic!("tampering not found: {other:?}"),
    }
}

#[test]
fn the_audit_chain_finds_a_removed_row_and_an_inserted_row() {
    let mut f = Fixture::with_pump();
    f.create_run("PU-1");
    let conn = Connection::open(&f.path).expect("raw");
    conn.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 5;")
        .expect("remove");
    assert!(matches!(
        f.store.verify_audit().expect("v"),
        Verification::Broken { seq: 5, .. }
    ));

    let mut g = Fixture::with_pump();
    g.create_run("PU-2");
    let conn = Connection::open(&g.path).expect("raw");
    let last: i64 = conn
        .query_row("SELECT MAX(seq) FROM audit", [], |r| r.get(0))
        .expect("max");
    conn.execute(
        "INSERT INTO audit (seq, at, user, station, action, entity, prev_hash, hash) VALUES (?1, 'x', 'x', 'x', 'x', 'x', 'x', 'x')",
        [last + 1],
    )
    .expect("insert");
    assert!(
        matches!(g.store.verify_audit().expect("v"), Verification::Broken { seq, .. } if seq == last + 1)
    );
}

fn ready_to_complete(f: &mut Fixture) -> RunId {
    let run = f.create_run("PU-1");
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    f.ok(
        &operator2(),
        Some(run),
        Command::CheckIn {
            step: "bore".into(),
        },
    );
    f.set(&operator(), run, "bore", "Bore diameter", "25.01");
    f.set(&operator(), run, "bore", "Surface finish", "pass");
    run
}

#[test]
fn two_connections_racing_to_complete_one_step_one_wins_the_other_is_told_to_reload() {
    let mut f = Fixture::with_pump();
    let run = ready_to_complete(&mut f);
    let seen_version = find_step(&f.run(run), "bore").expect("step").version;
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = [operator(), operator2()]
        .into_iter()
        .map(|who| {
            let path = f.path.clone();
            let barrier = barrier.clone();
            let now = f.now + chrono::Duration::minutes(5);
            std::thread::spawn(move || {
                let mut store = Store::open(&path).expect("second connection");
                barrier.wait();
                store.execute(Request {
                    actor: who,
                    run: Some(run),
                    command: Command::Complete {
                        step: "bore".into(),
                    },
                    seen: Seen {
                        step_version: Some(seen_version),
                        field_value: None,
                    },
                    now,
                })
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "exactly one completes: {results:?}");
    let loser = results.iter().find_map(|r| match r {
        Err(ExecError::Refused(refusal)) => Some(refusal.clone()),
        _ => None,
    });
    let loser = loser.expect("the other is refused by the rules");
    assert!(loser.conflict, "{loser:?}");
    assert!(
        loser
            .reasons
            .iter()
            .any(|r| r.contains("reload") && r.contains("changed by")),
        "{loser:?}"
    );
}

#[test]
fn an_unrelated_change_by_another_terminal_never_refuses() {
    let mut f = Fixture::with_pump();
    let run = ready_to_complete(&mut f);
    let r = f.run(run);
    let step = find_step(&r, "bore").expect("step");
    let seen_finish = step
        .fields
        .iter()
        .find(|x| x.def.name == "Surface finish")
        .and_then(|x| x.values.last())
        .map(|v| v.id);
    // Another terminal saves a different field of the same step.
    f.correct(
        &operator2(),
        run,
        "bore",
        "Bore diameter",
        "25.02",
        "Re-measured",
    );
    // This terminal saves the field it saw; it is not refused.
    let res = f.exec_seen(
        &operator(),
        Some(run),
        Command::SetField {
            step: "bore".into(),
            field: "Surface finish".into(),
            raw: "fail".into(),
            file_sha256: None,
            reason: Some("Scratch found".into()),
            void_approval: false,
        },
        Seen {
            step_version: Some(step.version),
            field_value: Some(seen_finish),
        },
    );
    assert!(res.is_ok(), "{res:?}");
    // But saving over a value another terminal changed since is refused.
    let stale = f.exec_seen(
        &operator(),
        Some(run),
        Command::SetField {
            step: "bore".into(),
            field: "Bore diameter".into(),
            raw: "25.00".into(),
            file_sha256: None,
            reason: None,
            void_approval: false,
        },
        Seen {
            step_version: None,
            field_value: Some(step.fields[0].values.last().map(|v| v.id)),
        },
    );
    match stale {
        Err(ExecError::Refused(r)) => {
            assert!(r.conflict);
            assert!(r.reasons[0].contains("op2"), "{r:?}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn five_wrong_pins_lock_the_login_and_each_failure_is_audited() {
    let mut f = Fixture::new();
    let before = f.audit_count();
    for _ in 0..5 {
        let r = f.store.authenticate("op", "0000", "st", f.now, false);
        assert!(r.is_err());
    }
    let failures = f
        .store
        .audit_log(None, 100)
        .expect("log")
        .iter()
        .filter(|r| r.action.contains("login"))
        .count();
    assert_eq!(failures, 5);
    assert!(f.audit_count() >= before + 5);
    let locked = f.store.authenticate("op", "1234", "st", f.now, false);
    let text = locked.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("locked"), "{text}");
    // After the lock runs out, the right PIN works again.
    let later = f.now + chrono::Duration::minutes(6);
    assert!(f
        .store
        .authenticate("op", "1234", "st", later, false)
        .is_ok());
}

#[test]
fn the_board_pages_by_key_and_filters() {
    let mut f = Fixture::with_pump();
    for i in 0..7 {
        f.create_run(&format!("PU-{i}"));
    }
    let first = f
        .store
        .list_runs(&Default::default(), None, 3)
        .expect("page");
    assert_eq!(first.len(), 3);
    assert!(first[0].id > first[2].id, "newest first");
    let second = f
        .store
        .list_runs(&Default::default(), Some(first[2].id), 3)
        .expect("page 2");
    assert_eq!(second.len(), 3);
    assert!(second[0].id < first[2].id);
    let found = f
        .store
        .list_runs(
            &traveler::store::RunFilter {
                search: Some("PU-4".into()),
                ..Default::default()
            },
            None,
            10,
        )
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].serial, "PU-4");
    assert_eq!(f.store.count_runs_by_state().expect("counts")["todo"], 7);
    assert_eq!(f.store.find_run("PU-4").expect("find"), Some(found[0].id));
    // The stuck filter: todo runs untouched since a time, paged like the rest.
    let all = f
        .store
        .list_runs(&Default::default(), None, 10)
        .expect("all");
    let pivot = all[3].updated_at;
    let stuck = traveler::store::RunFilter {
        state: Some(RunState::Todo),
        untouched_before: Some(pivot),
        ..Default::default()
    };
    let old = f.store.list_runs(&stuck, None, 2).expect("stuck page");
    assert_eq!(
        old.iter().map(|r| r.serial.as_str()).collect::<Vec<_>>(),
        ["PU-2", "PU-1"]
    );
    let rest = f
        .store
        .list_runs(&stuck, Some(old[1].id), 2)
        .expect("stuck page 2");
    assert_eq!(
        rest.iter().map(|r| r.serial.as_str()).collect::<Vec<_>>(),
        ["PU-0"]
    );
}

#[test]
fn parallel_wrong_pins_evaluate_at_most_the_lockout_limit() {
    let mut f = Fixture::new();
    let guesses = 30;
    let barrier = Arc::new(Barrier::new(guesses));
    let now = f.now;
    let handles: Vec<_> = (0..guesses)
        .map(|i| {
            let path = f.path.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).expect("own connection");
                barrier.wait();
                store
                    .authenticate("op", &format!("9{i:03}"), "st", now, false)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    for h in handles {
        let outcome = h.join().expect("thread");
        let text = outcome.err().unwrap_or_default();
        assert!(text.to_lowercase().contains("wrong pin"), "{text}");
    }
    let evaluated = f
        .store
        .audit_log(None, 1000)
        .expect("log")
        .iter()
        .filter(|r| r.action == "login_failed" && r.entity == "user op")
        .count();
    assert_eq!(
        evaluated, 5,
        "exactly the lockout limit of guesses is evaluated"
    );
    let right = f.store.authenticate("op", "1234", "st", now, false);
    let text = right.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("locked"), "{text}");
}

#[test]
fn an_unknown_login_is_audited_and_answered_like_a_wrong_pin() {
    let mut f = Fixture::new();
    let unknown = f
        .store
        .authenticate("nobody", "1234", "st", f.now, false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let wrong = f
        .store
        .authenticate("op", "0000", "st", f.now, false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!unknown.is_empty());
    assert_eq!(
        unknown, wrong,
        "the answer does not tell which logins exist"
    );
    let rows = f.store.audit_log(None, 100).expect("log");
    assert!(
        rows.iter()
            .any(|r| r.action == "login_failed_unknown" && r.entity == "login nobody"),
        "{rows:?}"
    );
}

/// A hash made the way secrets were hashed before the PIN parameters were
/// chosen: argon2's defaults (19 MiB, 2 passes).
fn hash_with_old_parameters(secret: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(secret.as_bytes())
        .expect("hash")
        .to_string()
}

/// A hash of PIN 2468 written by traveler before its argon2 crate moved
/// from 0.5 to 0.6: hashes already in databases keep verifying.
const HASH_FROM_ARGON2_0_5: &str =
    "$argon2id$v=19$m=4096,t=1,p=1$GqGHxD8Lk7t1oLIJT4MzeQ$flxqo9fTFYdKqYOAM7BWWZUgl0Mnf3QqQOxcngcPxlc";

#[test]
fn a_hash_written_by_the_earlier_argon2_crate_at_4_mib_verifies_and_moves_to_1_mib() {
    let mut f = Fixture::new();
    f.ok(
        &admin(),
        None,
        Command::AddUser {
            login: "longtime".into(),
            name: "Longtime".into(),
            roles: vec![OPERATOR.into()],
            secret_hash: HASH_FROM_ARGON2_0_5.into(),
        },
    );
    assert!(f
        .store
        .authenticate("longtime", "1357", "st", f.now, false)
        .is_err());
    let actor = f
        .store
        .authenticate("longtime", "2468", "st", f.now, false)
        .expect("the stored hash verifies");
    assert_eq!(actor.login, "longtime");
    let now = stored_hash(&f, "longtime");
    assert!(
        now.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
        "the 4 MiB hash is replaced at the current cost: {now}"
    );
    assert!(f
        .store
        .authenticate("longtime", "2468", "st", f.now, false)
        .is_ok());
    assert_eq!(stored_hash(&f, "longtime"), now, "and only once");
}

fn stored_hash(f: &Fixture, login: &str) -> String {
    f.store
        .user(login)
        .expect("read")
        .expect("user")
        .secret_hash
}

#[test]
fn an_old_parameter_hash_is_upgraded_at_the_next_sign_in_and_the_pin_still_works() {
    let mut f = Fixture::new();
    let old = hash_with_old_parameters("4711");
    assert!(old.contains("m=19456,t=2"), "{old}");
    f.ok(
        &admin(),
        None,
        Command::AddUser {
            login: "veteran".into(),
            name: "Veteran".into(),
            roles: vec![OPERATOR.into()],
            secret_hash: old.clone(),
        },
    );
    // A wrong PIN verifies against the old hash and upgrades nothing.
    assert!(f
        .store
        .authenticate("veteran", "0000", "st", f.now, false)
        .is_err());
    assert_eq!(stored_hash(&f, "veteran"), old);

    let actor = f
        .store
        .authenticate("veteran", "4711", "st", f.now, false)
        .expect("the old hash verifies");
    assert_eq!(actor.login, "veteran");
    let upgraded = stored_hash(&f, "veteran");
    assert_ne!(upgraded, old);
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
        "{upgraded}"
    );
    let rows = f.store.audit_log(None, 100).expect("log");
    let rehashes: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "user_secret_rehashed")
        .collect();
    assert_eq!(rehashes.len(), 1, "{rows:?}");
    assert_eq!(rehashes[0].entity, "user veteran");
    assert_eq!(rehashes[0].user, "veteran");
    assert!(
        !format!("{rows:?}").contains(&upgraded),
        "the hash is hidden"
    );
    assert_eq!(
        f.store
            .user("veteran")
            .expect("read")
            .expect("user")
            .failed_attempts,
        0,
        "the successful sign-in reset the count"
    );

    // The same PIN still works, and a current hash is not rehashed again.
    f.store
        .authenticate("veteran", "4711", "st", f.now, true)
        .expect("the upgraded hash verifies");
    assert_eq!(stored_hash(&f, "veteran"), upgraded);
    assert!(f
        .store
        .authenticate("veteran", "4712", "st", f.now, false)
        .is_err());
    let rehash_count = f
        .store
        .audit_log(None, 100)
        .expect("log")
        .iter()
        .filter(|r| r.action == "user_secret_rehashed")
        .count();
    assert_eq!(rehash_count, 1);

    assert!(
        matches!(
            f.store.verify_audit().expect("verify"),
            Verification::Intact(_)
        ),
        "the chain holds"
    );
    let report = f.store.replay_audit().expect("replay");
    assert!(report.consistent(), "{:?}", report.differences);
}

#[test]
fn a_rehash_keeps_the_mark_of_a_pin_an_admin_set() {
    let mut f = Fixture::new();
    f.ok(
        &admin(),
        None,
        Command::SetUserSecret {
            login: "op".into(),
            secret_hash: hash_with_old_parameters("2468"),
        },
    );
    f.store
        .authenticate("op", "2468", "st", f.now, false)
        .expect("signs in");
    assert!(stored_hash(&f, "op").contains("m=1024,t=1,"));
    assert_eq!(
        f.store.secret_set_by("op").expect("read").as_deref(),
        Some("admin"),
        "the owner must still set a PIN of their own"
    );
}

#[test]
fn a_locked_login_with_an_old_hash_is_neither_evaluated_nor_upgraded() {
    let mut f = Fixture::new();
    let old = hash_with_old_parameters("1357");
    f.ok(
        &admin(),
        None,
        Command::SetUserSecret {
            login: "op".into(),
            secret_hash: old.clone(),
        },
    );
    for _ in 0..5 {
        assert!(f
            .store
            .authenticate("op", "0000", "st", f.now, false)
            .is_err());
    }
    assert!(f
        .store
        .authenticate("op", "1357", "st", f.now, false)
        .is_err());
    assert_eq!(stored_hash(&f, "op"), old);
}

#[test]
fn a_scan_matches_a_serial_whatever_its_letter_case_and_the_stored_text_stays() {
    let mut f = Fixture::with_pump();
    let run = ready_to_complete(&mut f);
    f.ok(
        &operator(),
        Some(run),
        Command::Complete {
            step: "bore".into(),
        },
    );
    f.ok(
        &operator(),
        Some(run),
        Command::CheckIn {
            step: "seals".into(),
        },
    );
    let events = f.ok(
        &operator(),
        Some(run),
        Command::Install {
            step: "seals".into(),
            identifier: "sl-1".into(),
            quantity: None,
            scanned: true,
        },
    );
    assert!(!events.is_empty());
    let step = f.run(run).steps.into_iter().find(|s| s.key == "seals");
    let installed: Vec<String> = step
        .iter()
        .flat_map(|s| s.requirements.iter())
        .flat_map(|r| r.installs.iter())
        .map(|i| i.identifier.clone())
        .collect();
    assert_eq!(installed, vec!["SL-1".to_string()], "stored as entered");
    let item = f.store.inventory_item("SL-1").expect("read").expect("item");
    assert_eq!(item.quantity, 1, "the lot gave the 2 the step needs");
    // A second item differing only in case is the same identifier: refused.
    let refused = f
        .exec(
            &supervisor(),
            None,
            Command::ReceiveInventory {
                part: "SEAL-20".into(),
                identifier: "sl-1".into(),
                quantity: 1,
                received_as: None,
            },
        )
        .expect_err("a case twin is refused");
    assert!(format!("{refused:?}").contains("SL-1"), "{refused:?}");
}

#[test]
fn a_schema_six_database_gains_the_case_blind_identifier_index_and_keeps_its_items() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("six.db");
    {
        let conn = Connection::open(&path).expect("open");
        schema::migrate_to(&conn, 6).expect("schema 6");
        conn.execute(
            "INSERT INTO parts (number, doc) VALUES ('P-1', '{\"number\":\"P-1\",\"description\":\"\",\"tracking\":\"lot\"}')",
            [],
        )
        .expect("part");
        conn.execute(
            "INSERT INTO inventory (identifier, part, state, parent, doc) VALUES ('Lot-A', 'P-1', 'available', NULL, '{\"identifier\":\"Lot-A\",\"part\":\"P-1\",\"tracking\":\"lot\",\"quantity\":4,\"state\":\"available\"}')",
            [],
        )
        .expect("insert");
    }
    let store = Store::open(&path).expect("migrates");
    let conn = Connection::open(&path).expect("raw");
    assert_eq!(schema::version(&conn).expect("v"), schema::CURRENT_VERSION);
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT identifier FROM inventory WHERE identifier = 'lot-a' COLLATE NOCASE",
            [],
            |r| r.get(3),
        )
        .expect("plan");
    assert!(plan.contains("inventory_identifier_nocase"), "{plan}");
    let found = store.stored_identifier("LOT-a").expect("lookup");
    assert_eq!(found.as_deref(), Some("Lot-A"));
}
