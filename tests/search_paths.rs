//! The board's search from three characters on (`store/search.rs`, schema
//! 13) gives the page the plain queries give: the LIKE over every run, and
//! the single trigram walk it replaced, for the same text, filter and page
//! boundary, on generated runs and on serials and titles holding `%`, `_`,
//! quotes, non-ASCII letters and text longer than the stored serial parts.
//! An upgrade from schema 12 fills the new tables and `traveler check`
//! holds them.

mod old_schema;

use chrono::{Duration, TimeZone, Utc};
use rusqlite::Connection;
use std::path::Path;
use traveler::domain::*;
use traveler::store::health::CheckOptions;
use traveler::store::{schema, RunFilter, Store};

/// 600 generated runs: more than the suffix sort cap hold `EN-0` inside
/// their serial, so both ways of reading inner serial text are compared.
const GENERATED: usize = 600;

const ODD: &[(&str, &str)] = &[
    ("50%_OFF-1", "Half % off, a_b"),
    ("a_b%c-2", "Underscore_and%percent"),
    ("O'Brien-3", "Pump for 'Ann'"),
    ("Quote\"d-4", "Says \"AND\" NEAR( it *"),
    ("ÉCLAIR-5", "Élan gen-000 title"),
    ("éclair-6", "élan lower"),
    ("Straße-7", "Maße und STRASSE"),
    ("X-GEN-0000321-Y", "inner serial"),
    (
        "LONGSERIAL-0123456789-ABCDEFGHIJ-0123456789-END",
        "longer than the stored parts",
    ),
    ("gen-0000032", "Generated pump lower case"),
    ("KEY@-9", "at sign"),
    ("KEYA-10", "after the at sign"),
];

const TEXTS: &[&str] = &[
    "GEN",
    "GEN-",
    "GEN-0",
    "GEN-00",
    "GEN-000",
    "GEN-0000",
    "GEN-00003",
    "GEN-000032",
    "GEN-0000321",
    "gEn-0000",
    "EN-0",
    "en-00005",
    "-000",
    "0321",
    "pump 5",
    "Generated pump 59",
    "ASSY",
    "ump-a",
    "box",
    "%_O",
    "50%",
    "a_b",
    "_b%",
    "'An",
    "O'B",
    "\"AND\"",
    "NEAR(",
    "it *",
    "ÉCL",
    "écl",
    "ÉLAN",
    "éLAN",
    "aße",
    "SSE",
    "X-GEN",
    "LONGSERIAL-0123456789-ABCDEFGHIJ-0123456789",
    "serial-0123456789-abcdefghij-0123456789-e",
    "0123456789-ABCDEFGHIJ-0123456789-END",
    "nothing like it",
    "EY@",
    "ey@-",
    "EYA",
    "KEY@",
];

fn supervisor() -> Actor {
    Actor {
        login: "supervisor".into(),
        name: "Generated supervisor".into(),
        roles: vec![SUPERVISOR.into()],
        station: "test".into(),
        reauthenticated: true,
    }
}

fn built(path: &Path) -> Store {
    let mut store = Store::open(path).expect("open");
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    traveler::generate::generate(&mut store, GENERATED, start).expect("generate");
    traveler::generate::finished_boxes(&mut store, 3, start).expect("boxes");
    for (serial, title) in ODD {
        store
            .execute(Request {
                actor: supervisor(),
                run: None,
                command: Command::CreateRun {
                    procedure_key: "PUMP-ASSY".into(),
                    serial: (*serial).into(),
                    title: Some((*title).into()),
                },
                seen: Seen::default(),
                now: start + Duration::days(30),
            })
            .unwrap_or_else(|e| panic!("create {serial}: {e}"));
    }
    store
}

fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The filter's clauses these tests use, as plain SQL.
fn filter_sql(filter: &RunFilter, before: Option<i64>) -> String {
    let mut sql = String::new();
    if let Some(state) = filter.state {
        sql.push_str(&format!(" AND runs.state = '{}'", state.name()));
    }
    if filter.open_only {
        sql.push_str(" AND runs.state IN ('todo', 'in_progress')");
    }
    if let Some(before) = before {
        sql.push_str(&format!(" AND runs.id < {before}"));
    }
    sql
}

fn ids(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Vec<i64> {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let rows = stmt.query_map(args, |r| r.get(0)).expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("ids")
}

/// The plain LIKE over every run, newest first.
fn by_like(
    conn: &Connection,
    text: &str,
    filter: &RunFilter,
    before: Option<i64>,
    limit: i64,
) -> Vec<i64> {
    let pattern = format!("%{}%", like_literal(text));
    let sql = format!(
        "SELECT id FROM runs WHERE (serial LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\'
             OR procedure_key LIKE ?1 ESCAPE '\\'){} ORDER BY id DESC LIMIT ?2",
        filter_sql(filter, before)
    );
    ids(conn, &sql, &[&pattern, &limit])
}

/// The single trigram walk over the three columns that schema 6 searched with.
fn by_plain_fts(
    conn: &Connection,
    text: &str,
    filter: &RunFilter,
    before: Option<i64>,
    limit: i64,
) -> Vec<i64> {
    let pattern = format!("%{}%", like_literal(text));
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    let sql = format!(
        "SELECT runs.id FROM runs_search CROSS JOIN runs ON runs.id = runs_search.rowid
         WHERE runs_search MATCH ?1 AND (runs.serial LIKE ?2 ESCAPE '\\'
             OR runs.title LIKE ?2 ESCAPE '\\' OR runs.procedure_key LIKE ?2 ESCAPE '\\'){}
         ORDER BY runs_search.rowid DESC LIMIT ?3",
        filter_sql(filter, before)
    );
    ids(conn, &sql, &[&phrase, &pattern, &limit])
}

fn filters() -> Vec<RunFilter> {
    vec![
        RunFilter::default(),
        RunFilter {
            state: Some(RunState::InProgress),
            ..RunFilter::default()
        },
        RunFilter {
            open_only: true,
            ..RunFilter::default()
        },
    ]
}

/// Compares every text, filter, page size and page boundary; returns how
/// many comparisons found runs (so the test can tell it compared something).
fn assert_same_pages(store: &Store, conn: &Connection) -> usize {
    let mut nonempty = 0;
    for text in TEXTS {
        for filter in filters() {
            for limit in [3usize, 100] {
                for before in [None, Some(590), Some(40)] {
                    let searched = RunFilter {
                        search: Some((*text).into()),
                        ..filter.clone()
                    };
                    let got: Vec<i64> = store
                        .list_runs(&searched, before, limit)
                        .expect("list")
                        .iter()
                        .map(|r| r.id)
                        .collect();
                    let like = by_like(conn, text, &filter, before, limit as i64);
                    assert_eq!(
                        got, like,
                        "{text:?} {filter:?} before {before:?} limit {limit}"
                    );
                    let fts = by_plain_fts(conn, text, &filter, before, limit as i64);
                    assert_eq!(got, fts, "{text:?} against the plain trigram query");
                    if !got.is_empty() {
                        nonempty += 1;
                    }
                }
            }
        }
    }
    nonempty
}

#[test]
fn every_search_gives_the_page_the_plain_queries_give() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("search.db");
    let store = built(&path);
    let conn = Connection::open(&path).expect("raw");
    let nonempty = assert_same_pages(&store, &conn);
    assert!(nonempty > 200, "most comparisons find runs: {nonempty}");
    // The texts reach every part: a serial's start, its inside (sorted and
    // walked), titles beyond ASCII, procedure keys.
    let one = |text: &str| {
        store
            .list_runs(
                &RunFilter {
                    search: Some(text.into()),
                    ..RunFilter::default()
                },
                None,
                100,
            )
            .expect("list")
    };
    assert_eq!(
        one("GEN-0000321").len(),
        2,
        "GEN-0000321 and X-GEN-0000321-Y"
    );
    let either_case: Vec<String> = one("gEn-0000032").into_iter().map(|r| r.serial).collect();
    assert_eq!(
        either_case,
        ["gen-0000032", "GEN-0000032"],
        "letter case aside"
    );
    assert_eq!(
        one("EN-000032").len(),
        11,
        "GEN-000032x and X-GEN-0000321-Y"
    );
    assert_eq!(
        one("élan")[0].serial,
        "éclair-6",
        "non-ASCII case stays as LIKE has it"
    );
    assert_eq!(one("élan").len(), 1);
    assert!(one("box").iter().all(|r| r.procedure_key == "BOX-ASSY"));
    assert_eq!(one("box").len(), 3);
}

#[test]
fn a_schema_twelve_database_gains_the_serial_search_tables_and_searches_alike() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("source.db");
    drop(built(&source));
    let old = dir.path().join("twelve.db");
    old_schema::schema_copy_of(&source, &old, 12);
    let count = |sql: &str| -> i64 {
        Connection::open(&old)
            .expect("raw")
            .query_row(sql, [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'run_serial_prefixes'"),
        0
    );
    let store = Store::open(&old).expect("upgrade");
    assert_eq!(
        schema::version(&Connection::open(&old).expect("raw")).expect("v"),
        schema::CURRENT_VERSION
    );
    let serial_chars: i64 = count("SELECT SUM(min(length(serial), 32)) FROM runs");
    assert_eq!(
        count("SELECT COUNT(*) FROM run_serial_prefixes"),
        serial_chars,
        "every start of every serial"
    );
    assert!(count("SELECT COUNT(*) FROM run_serial_suffixes") > GENERATED as i64 * 9);
    let conn = Connection::open(&old).expect("raw");
    assert!(assert_same_pages(&store, &conn) > 200);
    let checks = store
        .health(&CheckOptions {
            anchors: &[],
            session_hours: 100_000,
            now: Utc::now(),
        })
        .expect("check");
    let search = checks
        .iter()
        .find(|c| c.check == "run counts and search")
        .expect("the search check");
    assert!(search.ok(), "{search:?}");
    // A row taken from behind the check's back is named.
    conn.execute(
        "DELETE FROM run_serial_prefixes WHERE prefix = 'GEN-0000321'",
        [],
    )
    .expect("tamper");
    let checks = store
        .health(&CheckOptions {
            anchors: &[],
            session_hours: 100_000,
            now: Utc::now(),
        })
        .expect("check");
    let search = checks
        .iter()
        .find(|c| c.check == "run counts and search")
        .expect("the search check");
    assert!(!search.ok());
    assert!(
        search
            .problems
            .iter()
            .any(|p| p.contains("run_serial_prefixes")),
        "{search:?}"
    );
}
