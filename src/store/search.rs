//! The board's search from [`TRIGRAM_CHARS`](super::queries::TRIGRAM_CHARS)
//! characters on: runs whose serial, title or procedure key holds the text
//! (letter case aside, as LIKE compares), newest first.
//!
//! One trigram walk over all three columns gets slow where every run holds
//! the text's trigrams but few hold the text, and those few are old: typing
//! `GEN-0000321` on a line whose serials all start `GEN-00` walked the whole
//! index for each key. So the page is the newest of four parts, each read
//! newest first from what answers it directly and cut at the page size (the
//! newest `limit` of a union are among the newest `limit` of its parts):
//! - serials that start with the text: one key of `run_serial_prefixes`
//!   (schema 13), in run order;
//! - serials that hold it further in: a range of `run_serial_suffixes`,
//!   sorted when it is short (under [`SUFFIX_SORT_CAP`] entries), else the
//!   trigram index walked on the serial column, where such text is common;
//! - titles that hold it: a trigram index of titles alone, so text no title
//!   has costs nothing there;
//! - procedure keys that hold it: the few keys in use, each read on the
//!   `runs_procedure` index.
//!
//! Every part applies the board's filters and keeps only what the LIKE
//! keeps, so the page is the one the plain LIKE over every run gives.

use super::queries::{fts_phrase, like_literal, push_filters, RunFilter, SUMMARY_COLUMNS};
use crate::domain::RunId;
use anyhow::Result;
use rusqlite::{params, Connection, ToSql};

/// Serial prefixes and suffixes are stored this many characters long at
/// most (`run_serial_prefixes`, `run_serial_suffixes`), so a long serial
/// costs rows in proportion to its length; longer text is looked up by its
/// first this many characters and checked against the whole serial.
pub const SERIAL_PART_CHARS: usize = 32;

/// Text found inside this many serials or more (not at their start) is
/// common enough that walking the trigram index newest first fills a page
/// sooner than sorting every place it occurs.
pub const SUFFIX_SORT_CAP: i64 = 500;

type Args = Vec<Box<dyn ToSql>>;

/// The SQL and arguments for one page of runs matching `text` (at least
/// `TRIGRAM_CHARS` characters) and `filter`, newest first, strictly older
/// than `before_id` when given.
pub fn page_sql(
    conn: &Connection,
    filter: &RunFilter,
    text: &str,
    before_id: Option<RunId>,
    limit: usize,
) -> Result<(String, Args)> {
    let lead: String = text.chars().take(SERIAL_PART_CHARS).collect();
    let (low, high) = nocase_range(&lead);
    let starts = format!("{}%", like_literal(text));
    let contains = format!("%{}%", like_literal(text));
    let mut arms: Vec<String> = Vec::new();
    let mut args: Args = Vec::new();
    let mut arm = |from: &str,
                   order_key: &str,
                   checks: &str,
                   check_args: Vec<Box<dyn ToSql>>,
                   distinct: bool| {
        let mut sql = format!(
            "SELECT id FROM (SELECT {}{order_key} AS id FROM {from} WHERE {checks}",
            if distinct { "DISTINCT " } else { "" }
        );
        args.extend(check_args);
        push_filters(filter, "runs.id", &mut sql, &mut args);
        if let Some(before) = before_id {
            sql.push_str(&format!(" AND {order_key} < ?"));
            args.push(Box::new(before));
        }
        sql.push_str(&format!(" ORDER BY {order_key} DESC LIMIT ?)"));
        args.push(Box::new(limit as i64));
        arms.push(sql);
    };
    arm(
        "run_serial_prefixes AS p CROSS JOIN runs ON runs.id = p.run",
        "p.run",
        "p.prefix = ? AND +runs.serial LIKE ? ESCAPE '\\'",
        vec![Box::new(lead.clone()), Box::new(starts)],
        false,
    );
    if inner_serial_matches_reach(conn, &low, &high, SUFFIX_SORT_CAP)? {
        arm(
            "runs_search CROSS JOIN runs ON runs.id = runs_search.rowid",
            "runs_search.rowid",
            "runs_search MATCH ? AND +runs.serial LIKE ? ESCAPE '\\'",
            vec![
                Box::new(format!("serial : {}", fts_phrase(text))),
                Box::new(contains.clone()),
            ],
            false,
        );
    } else {
        arm(
            "run_serial_suffixes AS s CROSS JOIN runs ON runs.id = s.run",
            "s.run",
            "s.suffix >= ? AND s.suffix < ? AND +runs.serial LIKE ? ESCAPE '\\'",
            vec![
                Box::new(low.clone()),
                Box::new(high.clone()),
                Box::new(contains.clone()),
            ],
            true,
        );
    }
    arm(
        "runs_title_search CROSS JOIN runs ON runs.id = runs_title_search.rowid",
        "runs_title_search.rowid",
        "runs_title_search MATCH ? AND +runs.title LIKE ? ESCAPE '\\'",
        vec![Box::new(fts_phrase(text)), Box::new(contains.clone())],
        false,
    );
    for key in procedure_keys_holding(conn, &contains)? {
        arm(
            "runs",
            "runs.id",
            "runs.procedure_key = ?",
            vec![Box::new(key)],
            false,
        );
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM ({}) AS found CROSS JOIN runs ON runs.id = found.id
         ORDER BY found.id DESC LIMIT ?",
        arms.join(" UNION ")
    );
    args.push(Box::new(limit as i64));
    Ok((sql, args))
}

/// Whether at least `cap` entries of `run_serial_suffixes` lie in
/// `[low, high)` (at most `cap` read).
fn inner_serial_matches_reach(conn: &Connection, low: &str, high: &str, cap: i64) -> Result<bool> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM (SELECT 1 FROM run_serial_suffixes
             WHERE suffix >= ?1 AND suffix < ?2 LIMIT ?3)",
        )?
        .query_row(params![low, high, cap], |r| r.get(0))?;
    Ok(n >= cap)
}

/// The range of a NOCASE column holding every text that starts with
/// `lead`, letter case aside: a range, not a LIKE, because SQLite plans a
/// LIKE on a bound pattern anew for every pattern, which costs more than
/// the search. The upper end is `lead` with its last character stepped
/// on (case folded; where folding makes the range wider the LIKE on the
/// run decides); the highest character steps on the one before it, and
/// text of nothing but those is bounded by the highest character itself.
fn nocase_range(lead: &str) -> (String, String) {
    let low = lead.to_ascii_lowercase();
    let mut chars: Vec<char> = low.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '\u{D7FF}' => Some('\u{E000}'),
            c => char::from_u32(c as u32 + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            let high: String = chars.into_iter().collect();
            return (low, high.to_ascii_lowercase());
        }
    }
    (low, char::MAX.to_string().repeat(SERIAL_PART_CHARS + 1))
}

/// The procedure keys in use that match the LIKE pattern `contains`: the
/// distinct keys stepped through on `runs_procedure`, one seek each.
fn procedure_keys_holding(conn: &Connection, contains: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE k(key) AS (
             SELECT MIN(procedure_key) FROM runs
             UNION ALL
             SELECT (SELECT MIN(procedure_key) FROM runs WHERE procedure_key > k.key)
             FROM k WHERE k.key IS NOT NULL)
         SELECT key FROM k WHERE key LIKE ?1 ESCAPE '\\'",
    )?;
    let keys = stmt
        .query_map([contains], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(keys)
}

/// What `traveler check` finds wrong with the serial tables and the title
/// index: rows the runs do not give, runs' parts missing, and FTS5's own
/// integrity check of `runs_title_search`. Returns the rows checked too.
pub fn differences(conn: &Connection) -> Result<(i64, Vec<String>)> {
    let expected = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
             WHERE i < (SELECT COALESCE(MAX(length(serial)), 0) FROM runs)),
         prefixes(part, run) AS (
             SELECT lower(substr(serial, 1, i)), id FROM runs JOIN n
             ON n.i <= min(length(serial), {SERIAL_PART_CHARS})),
         suffixes(part, run) AS (
             SELECT lower(substr(serial, i, {SERIAL_PART_CHARS})), id FROM runs JOIN n
             ON n.i >= 2 AND n.i <= length(serial))"
    );
    let mut problems = Vec::new();
    let mut rows = 0;
    for (table, column, kind) in [
        ("run_serial_prefixes", "prefix", "prefixes"),
        ("run_serial_suffixes", "suffix", "suffixes"),
    ] {
        // Compared as the NOCASE columns compare: ASCII letter case aside.
        let (stored, extra, missing): (i64, i64, i64) = conn.query_row(
            &format!(
                "{expected}
                 SELECT (SELECT COUNT(*) FROM {table}),
                   (SELECT COUNT(*) FROM (SELECT lower({column}), run FROM {table}
                                          EXCEPT SELECT part, run FROM {kind})),
                   (SELECT COUNT(*) FROM (SELECT part, run FROM {kind}
                                          EXCEPT SELECT lower({column}), run FROM {table}))"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        rows += stored;
        if extra > 0 || missing > 0 {
            problems.push(format!(
                "The serial search table {table} has {extra} rows no run gives and lacks {missing} of the runs' serial {kind}; searches may miss runs."
            ));
        }
    }
    if let Err(e) = conn.execute(
        "INSERT INTO runs_title_search (runs_title_search, rank) VALUES ('integrity-check', 1)",
        [],
    ) {
        problems.push(format!(
            "The run title search index does not match the runs ({e}); searches may miss runs."
        ));
    }
    Ok((rows, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RunState;

    fn migrated() -> Connection {
        let conn = Connection::open_in_memory().expect("memory database");
        super::super::schema::migrate(&conn).expect("migrate");
        conn
    }

    /// SQLite's plan for the page of `text`, its detail lines joined.
    fn page_plan(
        conn: &Connection,
        filter: &RunFilter,
        text: &str,
        before: Option<RunId>,
    ) -> String {
        let (sql, args) = page_sql(conn, filter, text, before, 100).expect("sql");
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let lines = stmt
            .query_map(refs.as_slice(), |r| r.get::<_, String>(3))
            .expect("plan rows")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("plan");
        lines.join(" | ")
    }

    fn insert_run(conn: &Connection, id: i64, serial: &str, key: &str) {
        conn.execute(
            "INSERT INTO runs (id, serial, title, procedure_key, state, required_done,
                 required_total, checked_in, created_at, updated_at, updated_by, version, doc)
             VALUES (?1, ?2, 'Pump', ?3, 'todo', 0, 1, '', '2026-01-01T00:00:00Z',
                 '2026-01-01T00:00:00Z', 'x', 1, '{}')",
            params![id, serial, key],
        )
        .expect("run");
    }

    #[test]
    fn every_part_of_a_search_reads_its_own_index_newest_first_and_scans_no_runs() {
        let conn = migrated();
        insert_run(&conn, 1, "GEN-0001", "PUMP-ASSY");
        for filter in [
            RunFilter::default(),
            RunFilter {
                state: Some(RunState::Todo),
                ..RunFilter::default()
            },
        ] {
            for before in [None, Some(40)] {
                // "ASS" reaches the procedure key part too.
                let p = page_plan(&conn, &filter, "ASS", before);
                assert!(p.contains("SEARCH p USING PRIMARY KEY (prefix=?"), "{p}");
                assert!(
                    p.contains("SEARCH s USING PRIMARY KEY (suffix>? AND suffix<?)"),
                    "{p}"
                );
                assert!(
                    p.contains("SCAN runs_title_search VIRTUAL TABLE INDEX"),
                    "{p}"
                );
                assert!(p.contains("INDEX runs_procedure (procedure_key=?"), "{p}");
                assert!(!p.contains("SCAN runs "), "no walk of every run: {p}");
                assert!(!p.ends_with("SCAN runs"), "no walk of every run: {p}");
                assert!(!p.contains("runs_serial_nocase"), "{p}");
            }
        }
    }

    #[test]
    fn text_common_inside_serials_walks_the_serial_column_of_the_trigram_index() {
        let conn = migrated();
        for id in 0..SUFFIX_SORT_CAP {
            insert_run(&conn, id + 1, &format!("X-{id:05}-ABC"), "PUMP-ASSY");
        }
        let p = page_plan(&conn, &RunFilter::default(), "ABC", None);
        assert!(p.contains("SCAN runs_search VIRTUAL TABLE INDEX"), "{p}");
        assert!(!p.contains("SEARCH s USING"), "{p}");
        let p = page_plan(&conn, &RunFilter::default(), "X-001", None);
        assert!(p.contains("SEARCH s USING PRIMARY KEY"), "rare inside: {p}");
    }

    #[test]
    fn the_serial_tables_follow_inserts_serial_changes_and_deletes() {
        let conn = migrated();
        insert_run(&conn, 1, "Ab-12", "K");
        assert_eq!(differences(&conn).expect("check").1, Vec::<String>::new());
        let rows = |table: &str| -> i64 {
            conn.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE run = 1"),
                [],
                |r| r.get(0),
            )
            .expect("count")
        };
        assert_eq!(
            (rows("run_serial_prefixes"), rows("run_serial_suffixes")),
            (5, 4)
        );
        conn.execute("UPDATE runs SET serial = 'Zq-7' WHERE id = 1", [])
            .expect("update");
        assert_eq!(
            (rows("run_serial_prefixes"), rows("run_serial_suffixes")),
            (4, 3)
        );
        assert_eq!(differences(&conn).expect("check").1, Vec::<String>::new());
        conn.execute("DELETE FROM runs WHERE id = 1", [])
            .expect("delete");
        assert_eq!(
            (rows("run_serial_prefixes"), rows("run_serial_suffixes")),
            (0, 0)
        );
        let long = "L".repeat(SERIAL_PART_CHARS * 2);
        insert_run(&conn, 2, &long, "K");
        let longest: i64 = conn
            .query_row(
                "SELECT MAX(length(suffix)) FROM run_serial_suffixes",
                [],
                |r| r.get(0),
            )
            .expect("len");
        assert_eq!(longest, SERIAL_PART_CHARS as i64);
        assert_eq!(differences(&conn).expect("check").1, Vec::<String>::new());
    }

    #[test]
    fn a_nocase_range_holds_every_text_starting_with_the_lead() {
        assert_eq!(nocase_range("Ab-1"), ("ab-1".into(), "ab-2".into()));
        // '@' steps on to 'A', which NOCASE folds: wider, never narrower.
        assert_eq!(nocase_range("x@"), ("x@".into(), "xa".into()));
        assert_eq!(nocase_range("é"), ("é".into(), "ê".into()));
        let top = format!("a{}", char::MAX);
        assert_eq!(nocase_range(&top), (top.clone(), "b".into()));
        let (low, high) = nocase_range(&char::MAX.to_string());
        assert!(format!("{low}{}", char::MAX).repeat(16) < high);
    }

    #[test]
    fn the_check_names_a_serial_table_that_drifted() {
        let conn = migrated();
        insert_run(&conn, 1, "AB-1", "K");
        conn.execute("DELETE FROM run_serial_suffixes WHERE suffix = '-1'", [])
            .expect("drift");
        conn.execute("INSERT INTO run_serial_prefixes VALUES ('ZZ', 1)", [])
            .expect("drift");
        let problems = differences(&conn).expect("check").1;
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("run_serial_prefixes has 1 rows"),
            "{problems:?}"
        );
        assert!(problems[1].contains("lacks 1 of"), "{problems:?}");
    }
}
