//! Hostile input through the real binary: each row is answered with a
//! sentence on stderr (no panic, no Rust debug dump, no raw terminal
//! controls), a non-zero exit, and nothing written to the audit trail.

mod common;

use assert_cmd::Command;
use common::{operator, Fixture};
use std::path::{Path, PathBuf};
use traveler::domain::Command as DomainCommand;

const ADMIN: (&str, &str) = ("admin", "1234");
const SUP: (&str, &str) = ("sup", "1234");
const OP: (&str, &str) = ("op", "1234");
const QE: (&str, &str) = ("qe", "1234");

/// One hostile case: what it tries, who acts (if anyone), the arguments.
struct Row {
    what: &'static str,
    user: Option<(&'static str, &'static str)>,
    args: Vec<String>,
}

fn row(what: &'static str, user: Option<(&'static str, &'static str)>, args: &[&str]) -> Row {
    Row {
        what,
        user,
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

/// A procedure file holding one step whose pieces are given.
fn procedure_file(
    dir: &Path,
    name: &str,
    key: &str,
    step_key: &str,
    title: &str,
    instructions: &str,
) -> String {
    let path = dir.join(name);
    let text = format!(
        "key = \"{key}\"\ntitle = \"Hostile\"\nkind = \"build\"\nproduces = \"PUMP-100\"\n\n[[step]]\nkey = \"{step_key}\"\ntitle = \"{title}\"\ninstructions = \"{instructions}\"\n"
    );
    std::fs::write(&path, text).expect("write procedure file");
    path.display().to_string()
}

/// Audit rows other than refused sign-ins: a refused sign-in is audited by
/// design (it counts toward the lockout, unknown logins included), and is
/// the only thing a hostile command may leave behind.
fn audit_rows(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.query_row(
        "SELECT count(*) FROM audit WHERE action NOT IN ('login_failed', 'login_failed_unknown')",
        [],
        |r| r.get(0),
    )
    .expect("count audit rows")
}

/// A shop with run #1 on PU-1, the operator checked into its first step.
fn shop() -> (tempfile::TempDir, PathBuf) {
    let mut f = Fixture::with_pump();
    let run = f.create_run("PU-1");
    f.ok(
        &operator(),
        Some(run),
        DomainCommand::CheckIn {
            step: "bore".into(),
        },
    );
    let Fixture { dir, path, .. } = f;
    (dir, path)
}

fn rows(dir: &Path) -> Vec<Row> {
    let long = "x".repeat(10_001);
    let long_serial = "S".repeat(201);
    let esc_instructions = procedure_file(
        dir,
        "esc.toml",
        "HOSTILE-1",
        "a",
        "A",
        "Clean.\\u001b[2J\\u001b[HAll approved.",
    );
    let bel_title = procedure_file(dir, "bel.toml", "HOSTILE-2", "a", "Ring\\u0007", "ok");
    let bidi_step = procedure_file(dir, "bidi.toml", "HOSTILE-3", "a\\u202eb", "A", "ok");
    let nul_instructions =
        procedure_file(dir, "nul.toml", "HOSTILE-4", "a", "A", "before\\u0000after");
    let bidi_key = procedure_file(dir, "key.toml", "HOST\\u200bILE", "a", "A", "ok");
    let cr_instructions = procedure_file(dir, "cr.toml", "HOSTILE-5", "a", "A", "line\\rover");
    let hold = |reason: &str| -> Vec<String> {
        ["step", "hold", "PU-1", "bore", "--reason", reason]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let mut out = vec![
        // ---- control characters in reasons, comments, descriptions, titles
        Row {
            what: "hold reason with CR",
            user: Some(OP),
            args: hold("late\rsignature_recorded approved"),
        },
        Row {
            what: "hold reason with ESC",
            user: Some(OP),
            args: hold("\u{1b}[31mred"),
        },
        Row {
            what: "hold reason with BEL",
            user: Some(OP),
            args: hold("ding\u{7}"),
        },
        Row {
            what: "hold reason with DEL",
            user: Some(OP),
            args: hold("rub\u{7f}out"),
        },
        Row {
            what: "hold reason over 10,000 characters",
            user: Some(OP),
            args: hold(&long),
        },
        Row {
            what: "hold reason of spaces",
            user: Some(OP),
            args: hold("   "),
        },
        Row {
            what: "hold reason empty",
            user: Some(OP),
            args: hold(""),
        },
        row(
            "comment with CR",
            Some(OP),
            &["comment", "PU-1", "bore", "ok\roverwritten"],
        ),
        row(
            "comment with an OSC title sequence",
            Some(OP),
            &["comment", "PU-1", "bore", "\u{1b}]0;owned\u{7}"],
        ),
        row(
            "comment over 10,000 characters",
            Some(OP),
            &["comment", "PU-1", "bore", &long],
        ),
        row("empty comment", Some(OP), &["comment", "PU-1", "bore", ""]),
        row(
            "issue description with CR",
            Some(OP),
            &["issue", "open", "--title", "T", "--description", "a\rb"],
        ),
        row(
            "issue title with a line break",
            Some(OP),
            &["issue", "open", "--title", "T\nsignature_recorded approved"],
        ),
        row(
            "issue title with ESC",
            Some(OP),
            &["issue", "open", "--title", "\u{1b}[2JT"],
        ),
        row(
            "issue title empty",
            Some(OP),
            &["issue", "open", "--title", ""],
        ),
        row(
            "run fail reason with BEL",
            Some(SUP),
            &[
                "run",
                "fail",
                "#1",
                "--reason",
                "x\u{7}",
                "--inventory",
                "scrapped",
            ],
        ),
        row(
            "step fail reason with ESC",
            Some(OP),
            &["step", "fail", "PU-1", "bore", "--reason", "\u{1b}[1mbad"],
        ),
        row(
            "raised issue title with a line break",
            Some(OP),
            &[
                "step",
                "fail",
                "PU-1",
                "bore",
                "--reason",
                "bad",
                "--raise-issue",
                "a\nb",
            ],
        ),
        row(
            "redline reason with CR",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "a\rb",
                "--instructions",
                "new",
            ],
        ),
        row(
            "redline instructions with ESC",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "typo",
                "--instructions",
                "x\u{1b}[2J",
            ],
        ),
        row(
            "redline instructions with BEL",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "typo",
                "--instructions",
                "x\u{7}",
            ],
        ),
        row(
            "redline unit with ESC",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "unit",
                "--field",
                "Bore diameter",
                "--unit",
                "mm\u{1b}[0m",
            ],
        ),
        row(
            "labour edit reason with CR",
            Some(SUP),
            &[
                "labour",
                "edit",
                "PU-1",
                "bore",
                "5",
                "--start",
                "2026-11-02T08:00:00Z",
                "--reason",
                "a\rb",
            ],
        ),
        row(
            "reject comment with ESC",
            Some(QE),
            &[
                "signoff",
                "reject",
                "PU-1",
                "inspect",
                "Quality approval",
                "--comment",
                "\u{1b}[8m",
            ],
        ),
        row(
            "text field value with a line break",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "1\n2"],
        ),
        // ---- identifiers: bidi overrides, zero-width characters, run-like serials
        row(
            "serial with U+202E",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU-\u{202e}9",
            ],
        ),
        row(
            "serial with a zero-width space",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU\u{200b}-9",
            ],
        ),
        row(
            "serial with a byte-order mark",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "\u{feff}PU-9",
            ],
        ),
        row(
            "serial with U+061C",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU-9\u{61c}",
            ],
        ),
        row(
            "serial that looks like a run id",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "#5",
            ],
        ),
        row(
            "serial that looks like run:N",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "run:5",
            ],
        ),
        row(
            "serial with a line break",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU-9\nPU-10",
            ],
        ),
        row(
            "empty serial",
            Some(SUP),
            &["run", "create", "--procedure", "PUMP-ASSY", "--serial", ""],
        ),
        row(
            "serial with a leading space",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                " PU-9",
            ],
        ),
        row(
            "serial over 200 characters",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                &long_serial,
            ],
        ),
        row(
            "run title with a tab",
            Some(SUP),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU-9",
                "--title",
                "a\tb",
            ],
        ),
        row(
            "lot with U+2066",
            Some(SUP),
            &[
                "inventory",
                "receive",
                "SEAL-20",
                "--lot",
                "L\u{2066}1",
                "--quantity",
                "2",
            ],
        ),
        row(
            "part number with a zero-width joiner",
            Some(ADMIN),
            &["part", "add", "PN\u{200d}1", "--tracking", "lot"],
        ),
        row(
            "login with U+200E",
            Some(ADMIN),
            &[
                "user",
                "add",
                "op\u{200e}",
                "--name",
                "X",
                "--role",
                "operator",
                "--pin",
                "9876",
            ],
        ),
        row(
            "procedure with ESC in instructions",
            Some(ADMIN),
            &["procedure", "import", &esc_instructions],
        ),
        row(
            "procedure with BEL in a step title",
            Some(ADMIN),
            &["procedure", "import", &bel_title],
        ),
        row(
            "procedure with U+202E in a step key",
            Some(ADMIN),
            &["procedure", "import", &bidi_step],
        ),
        row(
            "procedure with NUL in instructions",
            Some(ADMIN),
            &["procedure", "import", &nul_instructions],
        ),
        row(
            "procedure key with a zero-width space",
            Some(ADMIN),
            &["procedure", "import", &bidi_key],
        ),
        row(
            "procedure with CR in instructions",
            Some(ADMIN),
            &["procedure", "import", &cr_instructions],
        ),
        // ---- tracking
        row(
            "serial of a lot-tracked part",
            Some(SUP),
            &["inventory", "receive", "SEAL-20", "--serial", "S-9"],
        ),
        row(
            "lot of a serial-tracked part",
            Some(SUP),
            &[
                "inventory",
                "receive",
                "IMP-7",
                "--lot",
                "L-9",
                "--quantity",
                "1",
            ],
        ),
        // ---- run references
        row(
            "a bare number that is no serial",
            Some(OP),
            &["step", "checkout", "1", "bore"],
        ),
        row("#01", Some(OP), &["step", "checkout", "#01", "bore"]),
        row("# 1", Some(OP), &["step", "checkout", "# 1", "bore"]),
        row("#-1", Some(OP), &["step", "checkout", "#-1", "bore"]),
        row("+1", Some(OP), &["step", "checkout", "+1", "bore"]),
        row("r1", Some(OP), &["step", "checkout", "r1", "bore"]),
        row("01", Some(OP), &["step", "checkout", "01", "bore"]),
        row(
            "a run that does not exist",
            Some(OP),
            &["step", "checkout", "#99", "bore"],
        ),
        row(
            "run: with nothing after it",
            Some(OP),
            &["step", "checkout", "run:", "bore"],
        ),
        row(
            "an empty run reference",
            Some(OP),
            &["step", "checkout", "", "bore"],
        ),
        // ---- numbers
        row(
            "NaN",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "NaN"],
        ),
        row(
            "inf",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "inf"],
        ),
        row(
            "-inf",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "-inf"],
        ),
        row(
            "a number too large for a float",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "1e999"],
        ),
        row(
            "a decimal comma",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "12,5x"],
        ),
        row(
            "hexadecimal",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "0x10"],
        ),
        row(
            "an empty value",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", ""],
        ),
        row(
            "a value of spaces",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter", "   "],
        ),
        row(
            "pass/fail that is neither",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Surface finish", "maybe"],
        ),
        row(
            "a field that does not exist",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore\u{202e}diameter", "25"],
        ),
        row(
            "a negative lot quantity",
            Some(SUP),
            &[
                "inventory",
                "receive",
                "SEAL-20",
                "--lot",
                "L-8",
                "--quantity",
                "-5",
            ],
        ),
        row(
            "a zero lot quantity",
            Some(SUP),
            &[
                "inventory",
                "receive",
                "SEAL-20",
                "--lot",
                "L-8",
                "--quantity",
                "0",
            ],
        ),
        row(
            "a quantity that is not a number",
            Some(SUP),
            &[
                "inventory",
                "receive",
                "SEAL-20",
                "--lot",
                "L-8",
                "--quantity",
                "lots",
            ],
        ),
        row(
            "a negative install quantity",
            Some(OP),
            &["install", "PU-1", "seals", "SL-1", "--quantity", "-1"],
        ),
        row(
            "a NaN bound",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "r",
                "--field",
                "Bore diameter",
                "--min",
                "NaN",
            ],
        ),
        row(
            "a negative tolerance",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "r",
                "--field",
                "Bore diameter",
                "--target",
                "1",
                "--tolerance",
                "-1",
            ],
        ),
        row(
            "min above max",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "r",
                "--field",
                "Bore diameter",
                "--min",
                "5",
                "--max",
                "-1",
            ],
        ),
        row(
            "a lockout of zero attempts",
            Some(ADMIN),
            &["settings", "set", "lockout_attempts", "0"],
        ),
        row(
            "an unknown setting",
            Some(ADMIN),
            &["settings", "set", "drop_everything", "true"],
        ),
        // ---- the command line itself
        row(
            "an unknown option",
            Some(OP),
            &["step", "checkin", "PU-1", "bore", "--force"],
        ),
        row(
            "a missing value",
            Some(OP),
            &["field", "set", "PU-1", "bore", "Bore diameter"],
        ),
        row(
            "an unknown step action",
            Some(OP),
            &["step", "explode", "PU-1", "bore"],
        ),
        row(
            "an issue number that is not a number",
            Some(QE),
            &["issue", "close", "one"],
        ),
        row("an unknown command", Some(OP), &["obliterate"]),
        // ---- dates
        row(
            "a month 13",
            Some(SUP),
            &[
                "labour",
                "edit",
                "PU-1",
                "bore",
                "5",
                "--start",
                "2026-13-45T00:00:00Z",
                "--reason",
                "fix",
            ],
        ),
        row(
            "a date in words",
            Some(SUP),
            &[
                "labour",
                "edit",
                "PU-1",
                "bore",
                "5",
                "--start",
                "yesterday",
                "--reason",
                "fix",
            ],
        ),
        row(
            "a time in the future",
            Some(SUP),
            &[
                "labour",
                "edit",
                "PU-1",
                "bore",
                "5",
                "--start",
                "2999-01-01T00:00:00Z",
                "--reason",
                "fix",
            ],
        ),
        // ---- SQL-looking text
        row(
            "a serial that looks like SQL",
            Some(OP),
            &["step", "checkin", "x' OR '1'='1", "bore"],
        ),
        row(
            "a run filter that looks like SQL",
            None,
            &["audit", "log", "--run", "'; DROP TABLE audit; --"],
        ),
        row(
            "a login that looks like SQL",
            None,
            &[
                "--user",
                "admin' --",
                "--pin",
                "1234",
                "part",
                "add",
                "P-9",
                "--tracking",
                "lot",
            ],
        ),
        // ---- paths
        row(
            "a procedure file outside the shop",
            Some(ADMIN),
            &["procedure", "import", "../../../../../../etc/passwd"],
        ),
        row(
            "a procedure file that does not exist",
            Some(ADMIN),
            &["procedure", "import", "../../no/such/file.toml"],
        ),
        row(
            "a redline step file outside the shop",
            Some(OP),
            &[
                "redline",
                "propose",
                "PU-1",
                "bore",
                "--reason",
                "r",
                "--add-step",
                "../../../../../../etc/passwd",
            ],
        ),
        row(
            "an anchor file outside the shop",
            None,
            &[
                "audit",
                "verify",
                "--anchor",
                "../../../../../../etc/passwd",
            ],
        ),
        // ---- acting without saying who
        row(
            "an action with no user",
            None,
            &["step", "checkout", "PU-1", "bore"],
        ),
    ];
    out.push(row(
        "an action with a user unknown to the shop",
        Some(("nobody\u{202e}", "1234")),
        &["step", "checkout", "PU-1", "bore"],
    ));
    out
}

/// What a Rust debug dump or panic looks like on stderr.
const DUMP_MARKS: [&str; 8] = [
    "panicked",
    "RUST_BACKTRACE",
    "Refusal {",
    "Error {",
    "{ kind:",
    "Some(",
    "Err(",
    "Ok(",
];

#[test]
fn hostile_input_is_answered_with_a_sentence_and_writes_nothing() {
    let (dir, db) = shop();
    let table = rows(dir.path());
    assert!(table.len() >= 60, "{} rows", table.len());
    let mut failures = Vec::new();
    for r in &table {
        let before = audit_rows(&db);
        let mut c = Command::cargo_bin("traveler").expect("binary");
        c.env_remove("TRAVELER_USER")
            .env_remove("TRAVELER_PIN")
            .env_remove("TRAVELER_CONFIG")
            .current_dir(dir.path())
            .arg("--db")
            .arg(&db);
        if let Some((login, pin)) = r.user {
            c.args(["--user", login, "--pin", pin]);
        }
        let out = c.args(&r.args).output().expect("run the binary");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let after = audit_rows(&db);
        let mut wrong = Vec::new();
        if out.status.success() {
            wrong.push("exited 0".to_string());
        }
        if stderr.trim().is_empty() {
            wrong.push("said nothing on stderr".to_string());
        }
        if let Some(mark) = DUMP_MARKS.iter().find(|m| stderr.contains(*m)) {
            wrong.push(format!("stderr holds {mark:?}"));
        }
        if stderr
            .chars()
            .any(|ch| ch != '\n' && traveler::domain::is_unsafe_to_print(ch))
        {
            wrong.push("stderr holds a raw control or invisible character".to_string());
        }
        if after != before {
            wrong.push(format!("wrote {} audit rows", after - before));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {} (exit {:?}, stderr {:?})",
                r.what,
                wrong.join(", "),
                out.status.code(),
                stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
