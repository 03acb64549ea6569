//! Databases at an old schema holding the data of a current one: how upgrade
//! tests get an old file with real runs, users and history in it.

use std::path::Path;
use traveler::store::{schema, Store};

/// Copies the state tables every schema has from `source` (attached as
/// `src`) into `conn`, with each run's document whole, as schemas before 7
/// stored it: every value in the document, none in rows.
pub fn copy_state_tables(conn: &rusqlite::Connection, source: &Path) {
    copy_rows(conn, source);
    whole_documents(conn, source);
}

fn copy_rows(conn: &rusqlite::Connection, source: &Path) {
    conn.execute(
        "ATTACH DATABASE ?1 AS src",
        [source.to_str().expect("utf-8 path")],
    )
    .expect("attach");
    conn.execute_batch(
        "INSERT OR REPLACE INTO settings SELECT * FROM src.settings;
         INSERT INTO users SELECT * FROM src.users;
         INSERT INTO parts SELECT * FROM src.parts;
         INSERT INTO procedures SELECT * FROM src.procedures;
         INSERT INTO runs SELECT * FROM src.runs;
         INSERT INTO inventory SELECT * FROM src.inventory;
         INSERT INTO issues SELECT * FROM src.issues;",
    )
    .expect("copy state");
}

/// Puts each run's whole document (every value) in place of the stored one.
fn whole_documents(conn: &rusqlite::Connection, source: &Path) {
    let store = Store::open(source).expect("open source");
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare("SELECT id FROM runs").expect("ids");
        let rows = stmt.query_map([], |r| r.get(0)).expect("rows");
        rows.collect::<rusqlite::Result<_>>().expect("collect")
    };
    for id in ids {
        let run = store.run_with_history(id).expect("read").expect("run");
        conn.execute(
            "UPDATE runs SET doc = ?2 WHERE id = ?1",
            rusqlite::params![id, serde_json::to_string(&run).expect("doc")],
        )
        .expect("whole document");
    }
}

/// Builds `target` at schema 4 and copies every row of `source` into it
/// (the tables schema 4 has; later tables are the upgrade's to fill).
#[allow(dead_code)]
pub fn schema_four_copy_of(source: &Path, target: &Path) {
    schema_copy_of(source, target, 4);
}

/// Builds `target` at schema `version` (4 or later) with every row of
/// `source` that schema holds; the derived tables of schemas 5 and 6 are
/// filled by their triggers or copied.
#[allow(dead_code)]
pub fn schema_copy_of(source: &Path, target: &Path, version: i64) {
    assert!((4..schema::CURRENT_VERSION).contains(&version));
    let conn = rusqlite::Connection::open(target).expect("open target");
    schema::migrate_to(&conn, version).expect("old schema");
    assert_eq!(schema::version(&conn).expect("v"), version);
    if version < 7 {
        copy_state_tables(&conn, source);
    } else {
        // From schema 7 values are rows and documents keep the current one.
        copy_rows(&conn, source);
        conn.execute_batch(
            "INSERT INTO field_values SELECT * FROM src.field_values;
             INSERT INTO measurements SELECT * FROM src.measurements;",
        )
        .expect("copy values");
    }
    conn.execute_batch("INSERT INTO audit SELECT * FROM src.audit;")
        .expect("copy audit");
    if version >= 9 {
        // Schema 9 added `rejected`; its upgrade refills the tables, so an
        // older copy leaves it to that.
        conn.execute_batch(
            "INSERT INTO quality_signoffs (run, ord, serial, step, position, field, role, rejected)
                 SELECT run, ord, serial, step, position, field, role, rejected FROM src.quality_signoffs;
             INSERT INTO quality_deviations SELECT * FROM src.quality_deviations;",
        )
        .expect("copy quality tables");
    } else if version >= 6 {
        conn.execute_batch(
            "INSERT INTO quality_signoffs (run, ord, serial, step, position, field, role)
                 SELECT run, ord, serial, step, position, field, role FROM src.quality_signoffs;
             INSERT INTO quality_deviations SELECT * FROM src.quality_deviations;",
        )
        .expect("copy quality tables");
    }
    if version >= 11 {
        conn.execute_batch(
            "INSERT INTO board_steps SELECT * FROM src.board_steps;
             INSERT INTO board_markers SELECT * FROM src.board_markers;",
        )
        .expect("copy board tables");
    }
    conn.execute_batch("DETACH DATABASE src;").expect("detach");
}
