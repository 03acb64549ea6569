//! Anchors and `traveler check`, through the real CLI: what the chain alone
//! cannot see (rows cut off the end, every row rewritten with fresh hashes)
//! is found against an anchor kept outside the database, and `check` names
//! each problem of a database in a sentence.

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use traveler::store::audit::{append, NewAuditRow};

const BIN: &str = env!("CARGO_BIN_EXE_traveler");

fn traveler(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .env_remove("TRAVELER_USER")
        .env_remove("TRAVELER_PIN")
        .env_remove("TRAVELER_DB")
        .env_remove("TRAVELER_CONFIG")
        .args(args)
        .output()
        .expect("run traveler")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let out = traveler(&db, &["demo", "--no-tui"]);
    assert!(out.status.success(), "{}", text(&out));
    db
}

fn anchor_file(db: &Path, dir: &Path) -> PathBuf {
    let file = dir.join("anchors.txt");
    let out = traveler(
        db,
        &["audit", "anchor", "--to", file.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", text(&out));
    file
}

fn last_seq(db: &Path) -> i64 {
    Connection::open(db)
        .expect("open")
        .query_row("SELECT MAX(seq) FROM audit", [], |r| r.get(0))
        .expect("max")
}

/// What an intruder with the file can do: drop the guard, then cut or
/// rewrite rows. Rows from `from` on are re-appended through traveler's own
/// chaining code with `reason` changed, so the chain is whole again.
fn rewrite_from(db: &Path, from: i64, reason: &str) {
    let conn = Connection::open(db).expect("open");
    conn.execute_batch("DROP TRIGGER audit_no_delete")
        .expect("drop trigger");
    type Row = (
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
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT at, user, station, action, entity, run, before, after, event FROM audit WHERE seq >= ?1 ORDER BY seq",
        )
        .expect("select")
        .query_map([from], |r| {
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
        .collect::<rusqlite::Result<_>>()
        .expect("collect");
    conn.execute("DELETE FROM audit WHERE seq >= ?1", [from])
        .expect("delete");
    for (at, user, station, action, entity, run, before, after, event) in rows {
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
                reason: Some(reason.to_string()),
                event,
            },
        )
        .expect("re-append");
    }
}

#[test]
fn an_anchor_line_holds_while_the_chain_grows() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo(dir.path());
    let out = traveler(&db, &["audit", "anchor"]);
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        line.starts_with(&format!(
            "traveler-audit-anchor seq={} hash=",
            last_seq(&db)
        )),
        "{line}"
    );
    let add = traveler(
        &db,
        &[
            "--user",
            "supervisor",
            "--pin",
            "3333",
            "part",
            "add",
            "GASKET-9",
            "--tracking",
            "lot",
        ],
    );
    assert!(add.status.success(), "{}", text(&add));
    let verify = traveler(&db, &["audit", "verify", "--anchor", &line]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("holds"), "{}", text(&verify));
}

#[test]
fn rows_cut_off_the_end_pass_the_chain_but_fail_the_anchor() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo(dir.path());
    let anchors = anchor_file(&db, dir.path());
    let head = last_seq(&db);
    Connection::open(&db)
        .expect("open")
        .execute_batch(&format!(
            "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > {};",
            head - 3
        ))
        .expect("cut");
    let plain = traveler(&db, &["audit", "verify"]);
    assert!(
        plain.status.success(),
        "the chain alone cannot see a cut end: {}",
        text(&plain)
    );
    let anchored = traveler(
        &db,
        &[
            "audit",
            "verify",
            "--anchor",
            anchors.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(anchored.status.code(), Some(1), "{}", text(&anchored));
    let said = text(&anchored);
    assert!(said.contains(&format!("seq={head}")), "{said}");
    assert!(said.contains("cut off"), "{said}");
}

#[test]
fn a_chain_rewritten_with_fresh_hashes_fails_the_anchor() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo(dir.path());
    let anchors = anchor_file(&db, dir.path());
    let head = last_seq(&db);
    rewrite_from(&db, head - 10, "nothing to see");
    let plain = traveler(&db, &["audit", "verify"]);
    assert!(
        plain.status.success(),
        "the rewritten chain is whole: {}",
        text(&plain)
    );
    let anchored = traveler(
        &db,
        &[
            "audit",
            "verify",
            "--anchor",
            anchors.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(anchored.status.code(), Some(1), "{}", text(&anchored));
    assert!(text(&anchored).contains("rewritten"), "{}", text(&anchored));
}

#[test]
fn a_line_that_is_not_an_anchor_is_a_sentence() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo(dir.path());
    for bad in [
        "seq=3 hash=abc",
        "traveler-audit-anchor seq=x hash=00 at=now",
        "traveler-audit-anchor seq=3",
    ] {
        let out = traveler(&db, &["audit", "verify", "--anchor", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}: {}", text(&out));
        let said = text(&out);
        assert!(said.contains("anchor"), "{bad}: {said}");
        assert!(!said.contains("panicked"), "{bad}: {said}");
    }
}

#[test]
fn check_is_clean_on_a_demo_and_names_each_problem_after_tampering() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo(dir.path());
    let anchors = anchor_file(&db, dir.path());
    let healthy = traveler(&db, &["check"]);
    assert!(healthy.status.success(), "{}", text(&healthy));
    assert!(text(&healthy).contains("healthy"), "{}", text(&healthy));

    // An intruder cuts the newest event and edits a run's board column.
    Connection::open(&db)
        .expect("open")
        .execute_batch(
            "DROP TRIGGER audit_no_delete;
             DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit);
             UPDATE runs SET state = 'complete' WHERE id = (SELECT MIN(id) FROM runs WHERE state = 'todo');",
        )
        .expect("tamper");
    let out = traveler(
        &db,
        &["check", "--anchor", anchors.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("cut off"), "the anchor problem: {said}");
    assert!(said.contains("replay"), "the replay problem: {said}");
    assert!(!said.contains("healthy."), "{said}");
}
