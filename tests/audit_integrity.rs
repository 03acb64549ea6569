//! The audit trail rebuilds the state tables: replay on a seeded database,
//! edits behind traveler's back, and the upgrade of a schema-3 database with
//! data (baselines written, replay consistent before and after new work).

mod old_schema;

use rusqlite::Connection;
use std::path::Path;
use traveler::demo::Seeder;
use traveler::store::audit::{append, NewAuditRow, Verification};
use traveler::store::{schema, Store};

/// A database seeded by the demo seeder, through the engine.
fn seeded(path: &Path) -> Store {
    let store = Store::open(path).expect("open");
    let mut seeder = Seeder::new(store, "test").expect("seeder");
    seeder.seed().expect("seed");
    seeder.store
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("raw open")
}

/// Lets a test edit the state tables as an intruder with the file would.
fn exec(path: &Path, sql: &str) {
    raw(path).execute_batch(sql).expect(sql);
}

#[test]
fn a_seeded_database_replays_to_exactly_its_state_tables() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let store = seeded(&path);
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "differences: {:?}", report.differences);
    let rows: i64 = raw(&path)
        .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
        .expect("count");
    assert_eq!(report.events, rows, "every row carries its event");
    assert!(
        report.entities > 20,
        "runs, users, parts, items were compared"
    );
    // the demo corrects a value: its reason is in the audit row and the
    // replayed run agrees with the stored one
    let reasons: i64 = raw(&path)
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'field_value_saved' AND reason IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(reasons >= 1, "a corrected value carries its reason");
}

#[test]
fn a_stored_value_edited_behind_travelers_back_is_named_by_replay() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let store = seeded(&path);
    // Find a run with a saved number and change that number in its document.
    let (id, doc): (i64, String) = raw(&path)
        .query_row(
            "SELECT id, doc FROM runs WHERE doc LIKE '%\"type\":\"number\"%' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a run with a number");
    let mut json: serde_json::Value = serde_json::from_str(&doc).expect("json");
    let mut changed = false;
    'steps: for step in json["steps"].as_array_mut().expect("steps") {
        for field in step["fields"].as_array_mut().expect("fields") {
            for value in field["values"].as_array_mut().expect("values") {
                if value["value"]["type"] == "number" {
                    let n = &mut value["value"]["value"];
                    *n = serde_json::json!(n.as_f64().expect("f64") - 2.0);
                    changed = true;
                    break 'steps;
                }
            }
        }
    }
    assert!(changed, "the seeded run holds a measurement");
    raw(&path)
        .execute(
            "UPDATE runs SET doc = ?1 WHERE id = ?2",
            rusqlite::params![json.to_string(), id],
        )
        .expect("tamper");
    assert_eq!(
        store.verify_audit().expect("verify"),
        Verification::Intact(
            raw(&path)
                .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
                .expect("n")
        ),
        "the chain itself is untouched: only replay can see this"
    );
    let report = store.replay_audit().expect("replay");
    assert!(!report.consistent());
    let first = &report.differences[0];
    assert!(
        first.entity.starts_with(&format!("run {id} ")),
        "names the run: {first:?}"
    );
    assert!(
        first.detail.contains(".value.value") && first.detail.contains("stored as"),
        "says where: {first:?}"
    );
}

#[test]
fn board_columns_users_and_extra_rows_edited_behind_its_back_are_found() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let store = seeded(&path);
    exec(&path, "UPDATE runs SET state = 'complete' WHERE id = (SELECT MIN(id) FROM runs WHERE state = 'todo')");
    let report = store.replay_audit().expect("replay");
    assert_eq!(report.difference_count, 1, "{:?}", report.differences);
    assert!(report.differences[0].detail.contains("board's columns"));

    let dir2 = tempfile::tempdir().expect("dir");
    let path2 = dir2.path().join("t.db");
    let store2 = seeded(&path2);
    exec(
        &path2,
        "UPDATE users SET doc = json_set(doc, '$.roles', json('[\"operator\",\"admin\"]')) WHERE login = 'operator';
         INSERT INTO parts (number, doc) VALUES ('FORGED-1', '{\"number\":\"FORGED-1\",\"description\":\"\",\"tracking\":\"serial\"}');",
    );
    let report = store2.replay_audit().expect("replay");
    let entities: Vec<&str> = report
        .differences
        .iter()
        .map(|d| d.entity.as_str())
        .collect();
    assert!(entities.contains(&"user operator"), "{entities:?}");
    assert!(entities.contains(&"part FORGED-1"), "{entities:?}");
}

/// at, user, station, action, entity, run, before, after, reason.
type OldAuditRow = (
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Builds what traveler schema 3 would have left: the same state tables and
/// an audit chain whose rows carry no event, hashed as schema 3 hashed them.
fn schema_three_copy_of(source: &Path, target: &Path) {
    let conn = raw(target);
    schema::migrate_to(&conn, 3).expect("schema 3");
    old_schema::copy_state_tables(&conn, source);
    let rows: Vec<OldAuditRow> = {
        let mut stmt = conn
            .prepare("SELECT at, user, station, action, entity, run, before, after, reason FROM src.audit ORDER BY seq")
            .expect("select");
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })
            .expect("rows")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("collect");
        rows
    };
    for (at, user, station, action, entity, run, before, after, reason) in rows {
        append(
            &conn,
            &NewAuditRow {
                at: &at,
                user: &user,
                station: &station,
                action: &action,
                entity: &entity,
                run,
                before,
                after,
                reason,
                event: None,
            },
        )
        .expect("append old-style");
    }
    conn.execute_batch("DETACH DATABASE src").expect("detach");
}

#[test]
fn a_schema_three_database_with_data_upgrades_with_baselines_and_replays() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    drop(seeded(&source));
    let old = dir.path().join("old.db");
    schema_three_copy_of(&source, &old);
    let old_rows: i64 = raw(&old)
        .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
        .expect("n");
    let runs_before: i64 = raw(&old)
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .expect("n");

    let mut store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    // One baseline per entity, appended to the same chain.
    let baselines: i64 = raw(&old)
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'baseline' AND seq > ?1",
            [old_rows],
            |r| r.get(0),
        )
        .expect("n");
    let run_baselines: i64 = raw(&old)
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'baseline' AND entity LIKE 'run %'",
            [],
            |r| r.get(0),
        )
        .expect("n");
    assert_eq!(run_baselines, runs_before);
    assert!(baselines > runs_before);
    assert!(
        matches!(store.verify_audit().expect("verify"), Verification::Intact(n) if n == old_rows + baselines)
    );
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "{:?}", report.differences);

    // New work after the upgrade carries full events and still replays.
    let run = store
        .list_runs(&traveler::store::RunFilter::default(), None, 1)
        .expect("runs")
        .first()
        .map(|r| r.id)
        .expect("a run");
    let login = traveler::domain::Actor {
        login: "supervisor".into(),
        name: "Supervisor".into(),
        roles: vec!["supervisor".into()],
        station: "test".into(),
        reauthenticated: true,
    };
    store
        .execute(traveler::domain::Request {
            actor: login,
            run: Some(run),
            command: traveler::domain::Command::RaiseIssue {
                title: "after the upgrade".into(),
                description: String::new(),
                step: None,
                field: None,
                inventory: None,
            },
            seen: Default::default(),
            now: chrono::Utc::now(),
        })
        .expect("raise");
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "{:?}", report.differences);

    // Opening again migrates nothing twice.
    drop(store);
    let again = Store::open(&old).expect("reopen");
    let after: i64 = raw(&old)
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'baseline'",
            [],
            |r| r.get(0),
        )
        .expect("n");
    assert_eq!(after, baselines);
    assert!(again.replay_audit().expect("replay").consistent());
}

#[test]
fn skipped_optional_steps_and_a_settings_change_replay_to_the_state_tables() {
    use traveler::domain::{Actor, Command, Request, Seen, ADMIN};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let mut store = seeded(&path);
    // Finished controller boards never ran their optional burn-in: it is skipped.
    let skipped: i64 = raw(&path)
        .query_row(
            "SELECT COUNT(*) FROM runs WHERE state = 'complete' AND doc LIKE '%\"state\":\"skipped\"%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(
        skipped > 0,
        "the demo completes runs with an optional step open"
    );
    let admin = Actor {
        login: "admin".into(),
        name: "Admin".into(),
        roles: vec![ADMIN.into()],
        station: "test".into(),
        reauthenticated: false,
    };
    store
        .execute(Request {
            actor: admin,
            run: None,
            command: Command::SetSetting {
                key: "block_completion_on_open_issues".into(),
                value: "false".into(),
            },
            seen: Seen::default(),
            now: chrono::Utc::now(),
        })
        .expect("setting changed");
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "differences: {:?}", report.differences);
}
