//! The derived tables of schema 5 (counts per state, the trigram search
//! index): kept equal to what they derive from through every kind of run
//! write, filled by the upgrade of a schema-4 database with data, and the
//! board's search giving exactly the runs the old LIKE scan gave.

mod common;
mod old_schema;

use common::all_checks;

use old_schema::schema_four_copy_of;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;
use traveler::demo::Seeder;
use traveler::domain::*;
use traveler::store::audit::Verification;
use traveler::store::{schema, PendingDeviation, PendingSignoff, RunFilter, Store};

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("raw open")
}

fn seeded(path: &Path) -> Store {
    let store = Store::open(path).expect("open");
    let mut seeder = Seeder::new(store, "test").expect("seeder");
    seeder.seed().expect("seed");
    seeder.store
}

fn who(login: &str, role: &str) -> Actor {
    Actor {
        login: login.into(),
        name: login.into(),
        roles: vec![role.into()],
        station: "test".into(),
        reauthenticated: true,
    }
}

fn run_cmd(store: &mut Store, actor: &Actor, run: Option<RunId>, command: Command) -> Vec<Event> {
    let what = format!("{command:?}");
    store
        .execute(Request {
            actor: actor.clone(),
            run,
            command,
            seen: Seen::default(),
            now: chrono::Utc::now(),
        })
        .unwrap_or_else(|e| panic!("{what} was refused: {e}"))
}

/// The counts as a scan finds them, every state present.
fn scanned_counts(path: &Path) -> BTreeMap<String, i64> {
    let mut counts: BTreeMap<String, i64> = RunState::ALL
        .iter()
        .map(|s| (s.name().to_string(), 0))
        .collect();
    let conn = raw(path);
    let mut stmt = conn
        .prepare("SELECT state, COUNT(*) FROM runs GROUP BY state")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("rows");
    for row in rows {
        let (state, n) = row.expect("row");
        counts.insert(state, n);
    }
    counts
}

fn kept_counts(store: &Store) -> BTreeMap<String, i64> {
    store
        .count_runs_by_state()
        .expect("counts")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn first_run_in(store: &Store, state: RunState) -> RunId {
    let filter = RunFilter {
        state: Some(state),
        ..RunFilter::default()
    };
    store
        .list_runs(&filter, None, 1)
        .expect("runs")
        .first()
        .map(|r| r.id)
        .unwrap_or_else(|| panic!("the demo has a run in {}", state.name()))
}

#[test]
fn the_counts_per_state_follow_every_kind_of_run_write() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let mut store = seeded(&path);
    assert_eq!(kept_counts(&store), scanned_counts(&path));
    assert_quality_tables_match(&store);
    assert!(!store.pending_signoffs(&[]).expect("signoffs").is_empty());
    let admin = who("admin", ADMIN);

    // A new run, then its first check-in (todo → in progress).
    let events = run_cmd(
        &mut store,
        &who("supervisor", SUPERVISOR),
        None,
        Command::CreateRun {
            procedure_key: "PUMP-ASSY".into(),
            serial: "PU-9001".into(),
            title: None,
        },
    );
    let created = events
        .iter()
        .find_map(|e| match e {
            Event::RunCreated { run } => Some(run.id),
            _ => None,
        })
        .expect("a run was created");
    assert_eq!(kept_counts(&store), scanned_counts(&path));
    let step = store.run(created).expect("load").expect("run").steps[0]
        .key
        .clone();
    run_cmd(
        &mut store,
        &admin,
        Some(created),
        Command::CheckIn { step: step.clone() },
    );
    assert_eq!(
        store.run(created).expect("load").expect("run").state,
        RunState::InProgress
    );
    assert_eq!(kept_counts(&store), scanned_counts(&path));
    assert_quality_tables_match(&store);

    // An out-of-range value: it waits for a deviation on the quality screen.
    run_cmd(
        &mut store,
        &admin,
        Some(created),
        Command::SetField {
            step: step.clone(),
            field: "Bore diameter".into(),
            raw: "26.0".into(),
            file_sha256: None,
            reason: None,
            void_approval: false,
        },
    );
    let waiting = store.pending_deviations().expect("deviations");
    assert!(waiting.iter().any(|d| d.run == created), "{waiting:?}");
    assert_quality_tables_match(&store);

    // Failing it, and reopening a complete run.
    run_cmd(
        &mut store,
        &admin,
        Some(created),
        Command::FailRun {
            reason: "dropped on the floor".into(),
            issue: None,
            inventory_to: FailInventoryTo::Quarantined,
        },
    );
    assert_eq!(kept_counts(&store), scanned_counts(&path));
    assert_quality_tables_match(&store);
    assert!(!store
        .pending_deviations()
        .expect("deviations")
        .iter()
        .any(|d| d.run == created));
    let complete = first_run_in(&store, RunState::Complete);
    run_cmd(
        &mut store,
        &admin,
        Some(complete),
        Command::ReopenRun {
            reason: "customer asked for a re-check".into(),
        },
    );
    assert_ne!(
        store.run(complete).expect("load").expect("run").state,
        RunState::Complete
    );
    assert_eq!(kept_counts(&store), scanned_counts(&path));
    assert_quality_tables_match(&store);

    // A setting that lets runs waiting on issues complete, in the same
    // transaction as the setting.
    let complete_before = kept_counts(&store)["complete"];
    run_cmd(
        &mut store,
        &admin,
        None,
        Command::SetSetting {
            key: "block_completion_on_open_issues".into(),
            value: "false".into(),
        },
    );
    let after = kept_counts(&store);
    assert!(
        after["complete"] > complete_before,
        "the demo has a run waiting on an issue: {after:?}"
    );
    assert_eq!(after, scanned_counts(&path));
    assert_quality_tables_match(&store);

    // A refused command writes nothing, counts included.
    let refused = store.execute(Request {
        actor: who("operator", OPERATOR),
        run: None,
        command: Command::CreateRun {
            procedure_key: "PUMP-ASSY".into(),
            serial: "PU-9002".into(),
            title: None,
        },
        seen: Seen::default(),
        now: chrono::Utc::now(),
    });
    assert!(refused.is_err());
    assert_eq!(kept_counts(&store), after);
}

/// The quality screen's rows as they were computed before schema 5: every
/// run in progress parsed (the oracle the side tables must equal).
fn old_quality_rows(store: &Store) -> (Vec<PendingSignoff>, Vec<PendingDeviation>) {
    let filter = RunFilter {
        state: Some(RunState::InProgress),
        ..RunFilter::default()
    };
    let mut ids: Vec<RunId> = store
        .list_runs(&filter, None, 100_000)
        .expect("runs")
        .iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    let (mut signoffs, mut deviations) = (Vec::new(), Vec::new());
    for id in ids {
        let run = store.run(id).expect("load").expect("run");
        for step in &run.steps {
            let ready = step.superseded_by.is_none()
                && !matches!(
                    step.state,
                    StepState::Complete | StepState::Todo | StepState::Skipped
                );
            for field in &step.fields {
                if let (true, Some(role), FieldType::Signoff) =
                    (ready, &field.def.role, field.def.field_type)
                {
                    let status = signoff_status(step, field);
                    if !matches!(status, SignoffStatus::Approved) {
                        signoffs.push(PendingSignoff {
                            run: run.id,
                            serial: run.serial.clone(),
                            step: step.key.clone(),
                            position: step.position.clone(),
                            field: field.def.name.clone(),
                            role: role.clone(),
                            rejected: status == SignoffStatus::Rejected,
                        });
                    }
                }
                if !step.allow_out_of_range_with_issue || step.superseded_by.is_some() {
                    continue;
                }
                let Some(value) = current_value(field) else {
                    continue;
                };
                if value_needs_deviation(&field.def, &value.value)
                    && !field.deviations.iter().any(|d| d.value_id == value.id)
                {
                    let unit = field.def.unit.as_deref().unwrap_or("");
                    deviations.push(PendingDeviation {
                        run: run.id,
                        serial: run.serial.clone(),
                        step: step.key.clone(),
                        position: step.position.clone(),
                        field: field.def.name.clone(),
                        value: format!("{} {unit}", value_text(&value.value))
                            .trim()
                            .to_string(),
                        rule: rule_text(&field.def),
                        by: value.by.clone(),
                    });
                }
            }
        }
    }
    (signoffs, deviations)
}

fn assert_quality_tables_match(store: &Store) {
    let (signoffs, deviations) = old_quality_rows(store);
    assert_eq!(store.pending_signoffs(&[]).expect("signoffs"), signoffs);
    assert_eq!(store.pending_deviations().expect("deviations"), deviations);
    let quality = vec![QUALITY.to_string()];
    let for_quality: Vec<PendingSignoff> =
        signoffs.into_iter().filter(|s| s.role == QUALITY).collect();
    assert_eq!(
        store.pending_signoffs(&quality).expect("signoffs"),
        for_quality
    );
    let checks = all_checks(store);
    for name in ["run counts and search", "quality tables"] {
        let check = checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("traveler check has '{name}'"));
        assert!(check.ok(), "{check:?}");
    }
}

/// Builds what schema 4 would have left: the same state tables and the same
/// audit chain, row for row.
#[test]
fn a_schema_four_database_with_data_upgrades_with_its_counts_and_search_filled() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    drop(seeded(&source));
    let old = dir.path().join("old.db");
    schema_four_copy_of(&source, &old);
    let events: i64 = raw(&old)
        .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
        .expect("n");

    let mut store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    let counts = kept_counts(&store);
    assert_eq!(counts, scanned_counts(&old));
    assert!(counts.values().sum::<i64>() > 5, "{counts:?}");
    assert!(
        matches!(store.verify_audit().expect("verify"), Verification::Intact(n) if n == events),
        "the upgrade adds no audit rows and breaks no chain"
    );
    let report = store.replay_audit().expect("replay");
    assert!(report.consistent(), "{:?}", report.differences);
    assert_quality_tables_match(&store);
    assert!(!store.pending_signoffs(&[]).expect("signoffs").is_empty());

    // Every existing run is found by a substring of its serial.
    let serials: Vec<(RunId, String)> = {
        let conn = raw(&old);
        let mut stmt = conn
            .prepare("SELECT id, serial FROM runs ORDER BY id")
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("collect");
        rows
    };
    for (id, serial) in &serials {
        let tail: String = serial.chars().skip(1).collect();
        let found = store
            .list_runs(
                &RunFilter {
                    search: Some(tail.to_lowercase()),
                    ..RunFilter::default()
                },
                None,
                1000,
            )
            .expect("search");
        assert!(found.iter().any(|r| r.id == *id), "{serial} by '{tail}'");
    }

    // New work after the upgrade keeps the counts and the search.
    let events = run_cmd(
        &mut store,
        &who("supervisor", SUPERVISOR),
        None,
        Command::CreateRun {
            procedure_key: "PUMP-ASSY".into(),
            serial: "PU-7777".into(),
            title: Some("after the upgrade".into()),
        },
    );
    assert!(!events.is_empty());
    assert_eq!(kept_counts(&store), scanned_counts(&old));
    let found = store
        .list_runs(
            &RunFilter {
                search: Some("THE UPGR".into()),
                ..RunFilter::default()
            },
            None,
            10,
        )
        .expect("search");
    assert_eq!(found.len(), 1);
    assert!(matches!(
        store.verify_audit().expect("verify"),
        Verification::Intact(_)
    ));
    assert!(store.replay_audit().expect("replay").consistent());
}

/// Texts built to break a search: LIKE wildcards, quotes, FTS5 syntax,
/// backslashes, case beyond ASCII, and short ones.
const NASTY: &[&str] = &[
    "PU-1001",
    "pu-1002",
    "100%_done",
    "50% off",
    "a_b_c",
    "O'Brien's unit",
    "say \"hi\"",
    "\"\"",
    "star*gazer",
    "AND OR NOT",
    "cats AND dogs",
    "NEAR(a b)",
    "near(x, 3)",
    "back\\slash",
    "col:umn",
    "^caret",
    "ÉCLAIR-1",
    "éclair-2",
    "ab",
    "x",
    "tab\there",
    "  spaced  ",
];

/// What the board found before schema 5: a LIKE over the three columns,
/// `%q%` from three characters on and `q%` below.
fn old_like(conn: &Connection, q: &str) -> Vec<RunId> {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = if q.chars().count() >= 3 {
        format!("%{escaped}%")
    } else {
        format!("{escaped}%")
    };
    let mut stmt = conn
        .prepare(
            "SELECT id FROM runs WHERE serial LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\'
             OR procedure_key LIKE ?1 ESCAPE '\\' ORDER BY id DESC",
        )
        .expect("prepare");
    let ids = stmt
        .query_map([pattern], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<Vec<RunId>>>()
        .expect("collect");
    ids
}

#[test]
fn the_search_finds_exactly_what_the_like_scan_found_whatever_is_typed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let store = Store::open(&path).expect("open");
    let conn = raw(&path);
    // Rows straight into `runs`: the triggers keep the index whatever writes them.
    let mut id = 0;
    for (i, serial) in NASTY.iter().enumerate() {
        for (j, title) in NASTY.iter().enumerate().filter(|(j, _)| (i + j) % 5 == 0) {
            id += 1;
            let procedure = NASTY[(i * 7 + j) % NASTY.len()];
            conn.execute(
                "INSERT INTO runs (id, serial, title, procedure_key, state, required_done,
                     required_total, checked_in, created_at, updated_at, updated_by, version, doc)
                 VALUES (?1, ?2, ?3, ?4, 'todo', 0, 1, '', '2026-11-02T08:00:00.000000Z',
                     '2026-11-02T08:00:00.000000Z', 'test', 1, '{}')",
                rusqlite::params![id, serial, title, procedure],
            )
            .expect("insert");
        }
    }
    // Enough runs on one prefix that a short search walks newest first
    // instead of sorting its matches (the store's choice, by count).
    for n in 0..600 {
        id += 1;
        conn.execute(
            "INSERT INTO runs (id, serial, title, procedure_key, state, required_done,
                 required_total, checked_in, created_at, updated_at, updated_by, version, doc)
             VALUES (?1, ?2, 'bulk', 'GEN', 'todo', 0, 1, '', '2026-11-02T08:00:00.000000Z',
                 '2026-11-02T08:00:00.000000Z', 'test', 1, '{}')",
            rusqlite::params![id, format!("GEN-{n:04}")],
        )
        .expect("insert");
    }
    // A renamed title leaves the index with the new text only.
    conn.execute("UPDATE runs SET title = 'renamed QQQ' WHERE id = 1", [])
        .expect("rename");

    let mut queries: Vec<String> = [
        "\"",
        "\"\"",
        "*",
        "AND",
        "and dogs",
        "NEAR(",
        "near(x",
        "%",
        "_",
        "%_",
        "\\",
        "'",
        "O'B",
        "éclair",
        "ÉCLAIR",
        "Éc",
        "é",
        "QQQ",
        "qqq",
        "pu-",
        "PU-100",
        "  ",
        "\t",
        "col:",
        "^",
        "a b",
        "zzz-not-there",
        "g",
        "Ge",
        "bu",
        "GEN-00",
        "a",
        "ab",
        "x",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Every substring of up to five characters of every text.
    for text in NASTY {
        let chars: Vec<char> = text.chars().collect();
        for len in 1..=5.min(chars.len()) {
            for start in 0..=chars.len() - len {
                queries.push(chars[start..start + len].iter().collect());
            }
        }
    }
    queries.sort();
    queries.dedup();
    for q in &queries {
        let expected = old_like(&conn, q);
        let filter = RunFilter {
            search: Some(q.clone()),
            ..RunFilter::default()
        };
        let found: Vec<RunId> = store
            .list_runs(&filter, None, 10_000)
            .unwrap_or_else(|e| panic!("search {q:?}: {e:#}"))
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(found, expected, "search {q:?}");
        // Paging by key gives the same runs, page after page.
        let mut paged = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .list_runs(&filter, before, (expected.len() / 8).max(3))
                .expect("page");
            if page.is_empty() {
                break;
            }
            before = page.last().map(|r| r.id);
            paged.extend(page.iter().map(|r| r.id));
        }
        assert_eq!(paged, expected, "paged search {q:?}");
    }
    assert!(old_like(&conn, "QQQ").contains(&1));
    assert!(old_like(&conn, "ge").len() >= 600, "a short search walks");
    assert!(
        old_like(&conn, &NASTY[0][1..]).len() > 1,
        "the set has real matches"
    );
}

#[test]
fn traveler_check_names_derived_rows_edited_behind_its_back() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.db");
    let store = seeded(&path);
    let signoff_run: RunId = store.pending_signoffs(&[]).expect("signoffs")[0].run;
    raw(&path)
        .execute_batch(&format!(
            "DELETE FROM quality_signoffs WHERE run = {signoff_run};
             INSERT INTO quality_deviations VALUES (99999, 0, 'X', 'bore', '1', 'f', '1', '', 'op');
             UPDATE run_state_counts SET n = n + 2 WHERE state = 'todo';
             INSERT INTO runs_search (runs_search, rowid, serial, title, procedure_key)
                 SELECT 'delete', id, serial, title, procedure_key FROM runs WHERE id = {signoff_run};"
        ))
        .expect("tamper");
    let checks = all_checks(&store);
    let problems = |name: &str| -> String {
        checks
            .iter()
            .find(|c| c.check == name)
            .map(|c| c.problems.join(" "))
            .unwrap_or_default()
    };
    let quality = problems("quality tables");
    assert!(
        quality.contains(&format!("sign-offs kept for run {signoff_run} ")),
        "{quality}"
    );
    assert!(
        quality.contains("run 99999, which is not in progress"),
        "{quality}"
    );
    let counts = problems("run counts and search");
    assert!(counts.contains("in state todo"), "{counts}");
    assert!(counts.contains("search index"), "{counts}");
}

/// Schema 7 marks a sign-off waiting again after a rejection. A schema-6
/// database (no `rejected` column) with a rejected sign-off upgrades with
/// the mark filled in, and the header's counts read it.
#[test]
fn a_schema_six_database_upgrades_with_its_rejected_sign_offs_marked() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("six.db");
    let mut store = seeded(&path);
    let pending = store.pending_signoffs(&[]).expect("signoffs");
    let target = pending
        .first()
        .expect("the demo has a pending sign-off")
        .clone();
    let signer = Actor {
        login: "qe-reject".into(),
        name: "Quinn Reject".into(),
        roles: vec![target.role.clone()],
        station: "test".into(),
        reauthenticated: true,
    };
    run_cmd(
        &mut store,
        &signer,
        Some(target.run),
        Command::SignOff {
            step: target.step.clone(),
            field: target.field.clone(),
            meaning: Meaning::Rejected,
            comment: Some("bore out of round".into()),
        },
    );
    let roles = vec![target.role.clone()];
    let marked = |store: &Store| {
        store
            .pending_signoffs(&roles)
            .expect("signoffs")
            .into_iter()
            .filter(|s| s.rejected)
            .map(|s| (s.run, s.step, s.field))
            .collect::<Vec<_>>()
    };
    let expected = vec![(target.run, target.step.clone(), target.field.clone())];
    assert_eq!(marked(&store), expected, "kept by write_back");
    let counts = store.quality_counts(&roles, true, true).expect("counts");
    assert_eq!(counts.reapprovals, 1);
    assert_eq!(
        counts.signoffs as usize,
        store.pending_signoffs(&roles).unwrap().len()
    );
    assert_eq!(counts.issues as usize, store.open_issues().unwrap().len());
    assert_eq!(
        counts.deviations as usize,
        store.pending_deviations().unwrap().len()
    );
    drop(store);

    // What schema 6 left: the same data, the table without the column.
    let old = dir.path().join("old.db");
    old_schema::schema_copy_of(&path, &old, 6);
    let store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&raw(&old)).expect("v"),
        schema::CURRENT_VERSION
    );
    assert_eq!(marked(&store), expected, "filled by the upgrade");
    assert_quality_tables_match(&store);
}
