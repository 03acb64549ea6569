//! A database at schema 4 holding the data of a current one: how upgrade
//! tests get an old file with real runs, users and history in it.

use std::path::Path;
use traveler::store::schema;

/// Builds `target` at schema 4 and copies every row of `source` into it
/// (the tables schema 4 has; later tables are the upgrade's to fill).
pub fn schema_four_copy_of(source: &Path, target: &Path) {
    let conn = rusqlite::Connection::open(target).expect("open target");
    schema::migrate_to(&conn, 4).expect("schema 4");
    assert_eq!(schema::version(&conn).expect("v"), 4);
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
         INSERT INTO issues SELECT * FROM src.issues;
         INSERT INTO audit SELECT * FROM src.audit;
         DETACH DATABASE src;",
    )
    .expect("copy");
}
