//! Every data-changing command, tried by every role, through the real CLI.
//!
//! The expected matrix is written here from SPEC's permissions table (with
//! the rules settled later), not read from the engine's own table, so a
//! change to either shows up as a failure. Each case runs on a fresh copy of
//! the demo database. A role the table refuses must get exactly the
//! permission sentence, exit 3, and leave the audit trail as it was; a role
//! it allows must never be refused for its role (the permission sentence ends
//! "; LOGIN has ROLES."), and at least one allowed
//! role must carry the command out (so the case really reaches the rule).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_traveler");

/// The users of the demo, plus one who holds only a custom role.
const ROLES: &[(&str, &str)] = &[
    ("operator", "1111"),
    ("quality", "2222"),
    ("supervisor", "3333"),
    ("admin", "4444"),
    ("witness", "6666"),
];

/// SPEC's permissions table, by the classes of action it names.
const WORKERS: &[&str] = &["operator", "quality", "supervisor", "admin"];
const QUALITY_SUPERVISOR_ADMIN: &[&str] = &["quality", "supervisor", "admin"];
const QUALITY_ADMIN: &[&str] = &["quality", "admin"];
const SUPERVISOR_ADMIN: &[&str] = &["supervisor", "admin"];
const ADMIN: &[&str] = &["admin"];
/// A sign-off is the sign-off field's role's alone (the demo's is quality).
const SIGNOFF_ROLE: &[&str] = &["quality"];

struct Case {
    name: &'static str,
    /// Run first, by the named user, on the case's copy.
    setup: &'static [(&'static str, &'static [&'static str])],
    args: Vec<String>,
    allowed: &'static [&'static str],
}

fn case(
    name: &'static str,
    setup: &'static [(&'static str, &'static [&'static str])],
    args: &[&str],
    allowed: &'static [&'static str],
) -> Case {
    Case {
        name,
        setup,
        args: args.iter().map(|a| a.to_string()).collect(),
        allowed,
    }
}

fn pin_of(login: &str) -> &'static str {
    ROLES
        .iter()
        .find(|(l, _)| *l == login)
        .map(|(_, p)| *p)
        .expect("a known user")
}

fn traveler(db: &Path, user: Option<&str>, args: &[String]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db).arg("--json");
    cmd.env_remove("TRAVELER_USER").env_remove("TRAVELER_PIN");
    cmd.env_remove("TRAVELER_DB").env_remove("TRAVELER_CONFIG");
    if let Some(login) = user {
        cmd.args(["--user", login, "--pin", pin_of(login)]);
    }
    cmd.args(args).output().expect("run traveler")
}

fn audit_rows(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .expect("open")
        .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
        .expect("count")
}

/// The demo database with a witness-only user, made once per test run.
fn base(dir: &Path) -> PathBuf {
    let db = dir.join("base.db");
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["demo", "--no-tui"])
        .output()
        .expect("demo");
    assert!(out.status.success(), "{out:?}");
    let add = traveler(
        &db,
        Some("admin"),
        &[
            "user", "add", "witness", "--name", "Witness", "--role", "witness", "--pin", "6666",
        ]
        .map(String::from),
    );
    assert!(add.status.success(), "{add:?}");
    db
}

fn copy_of(base: &Path, dir: &Path, name: &str) -> PathBuf {
    let db = dir.join(format!("{name}.db"));
    std::fs::copy(base, &db).expect("copy");
    db
}

/// The refusal's reasons, when the output is one.
fn refusal_reasons(out: &Output) -> Option<Vec<String>> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .or_else(|_| serde_json::from_slice(&out.stderr))
        .ok()?;
    if json.get("refused")? != true {
        return None;
    }
    Some(
        json.get("reasons")?
            .as_array()?
            .iter()
            .filter_map(|r| r.as_str().map(String::from))
            .collect(),
    )
}

fn cases(procedure_file: &str, labour_start: &str) -> Vec<Case> {
    vec![
        case(
            "check in",
            &[],
            &["step", "checkin", "PU-1019", "bore"],
            WORKERS,
        ),
        case(
            "check out",
            &[],
            &["step", "checkout", "PU-1017", "bore"],
            WORKERS,
        ),
        case(
            "complete a step",
            &[],
            &["step", "complete", "PU-1017", "bore"],
            WORKERS,
        ),
        case(
            "hold",
            &[],
            &[
                "step",
                "hold",
                "PU-1017",
                "bore",
                "--reason",
                "gauge missing",
            ],
            WORKERS,
        ),
        case(
            "resume",
            &[],
            &["step", "resume", "PU-1015", "seals"],
            WORKERS,
        ),
        case(
            "fail a step",
            &[],
            &["step", "fail", "PU-1017", "bore", "--reason", "cracked"],
            WORKERS,
        ),
        case(
            "rework",
            &[(
                "operator",
                &["step", "fail", "PU-1017", "bore", "--reason", "cracked"],
            )],
            &["step", "rework", "PU-1017", "bore"],
            WORKERS,
        ),
        case(
            "reopen a step",
            &[],
            &["step", "reopen", "PU-1013", "bore", "--reason", "recheck"],
            QUALITY_SUPERVISOR_ADMIN,
        ),
        case(
            "fill a field",
            &[("operator", &["step", "checkin", "PU-1019", "bore"])],
            &["field", "set", "PU-1019", "bore", "Bore diameter", "25.01"],
            WORKERS,
        ),
        case(
            "install",
            &[("operator", &["step", "checkin", "PU-1014", "seals"])],
            &["install", "PU-1014", "seals", "SL-2611-A"],
            WORKERS,
        ),
        case(
            "uninstall",
            &[
                ("operator", &["step", "checkin", "PU-1014", "seals"]),
                ("operator", &["install", "PU-1014", "seals", "SL-2611-A"]),
            ],
            &["uninstall", "PU-1014", "seals", "SL-2611-A"],
            WORKERS,
        ),
        case(
            "comment",
            &[],
            &["comment", "PU-1017", "bore", "burr on the edge"],
            WORKERS,
        ),
        case(
            "raise an issue",
            &[],
            &[
                "issue", "open", "--title", "Burr", "--run", "PU-1017", "--step", "bore",
            ],
            WORKERS,
        ),
        case(
            "propose a redline",
            &[],
            &[
                "redline",
                "propose",
                "PU-1017",
                "bore",
                "--reason",
                "clearer",
                "--instructions",
                "Measure twice.",
            ],
            WORKERS,
        ),
        case(
            "approve a redline",
            &[(
                "operator",
                &[
                    "redline",
                    "propose",
                    "PU-1017",
                    "bore",
                    "--reason",
                    "clearer",
                    "--instructions",
                    "Measure twice.",
                ],
            )],
            &["redline", "approve", "PU-1017", "8"],
            QUALITY_SUPERVISOR_ADMIN,
        ),
        case(
            "accept a deviation",
            &[
                ("operator", &["step", "checkin", "PU-1019", "bore"]),
                (
                    "operator",
                    &["field", "set", "PU-1019", "bore", "Bore diameter", "25.30"],
                ),
                (
                    "operator",
                    &[
                        "issue",
                        "open",
                        "--title",
                        "Oversize",
                        "--run",
                        "PU-1019",
                        "--step",
                        "bore",
                        "--field",
                        "Bore diameter",
                    ],
                ),
            ],
            &[
                "deviation",
                "accept",
                "PU-1019",
                "bore",
                "Bore diameter",
                "--issue",
                "3",
                "--rationale",
                "within pump spec",
            ],
            QUALITY_SUPERVISOR_ADMIN,
        ),
        case(
            "except a requirement",
            &[(
                "operator",
                &[
                    "issue", "open", "--title", "No seals", "--run", "PU-1017", "--step", "seals",
                ],
            )],
            &[
                "requirement",
                "except",
                "PU-1017",
                "seals",
                "SEAL-20",
                "--issue",
                "3",
                "--reason",
                "seals fitted by vendor",
            ],
            QUALITY_SUPERVISOR_ADMIN,
        ),
        case(
            "set a disposition",
            &[],
            &[
                "issue",
                "disposition",
                "2",
                "use-as-is",
                "--rationale",
                "fits the customer spec",
            ],
            QUALITY_ADMIN,
        ),
        case(
            "close an issue",
            &[(
                "quality",
                &[
                    "issue",
                    "disposition",
                    "2",
                    "use-as-is",
                    "--rationale",
                    "fits the customer spec",
                ],
            )],
            &["issue", "close", "2", "--rationale", "seal replaced"],
            QUALITY_ADMIN,
        ),
        case(
            "sign off",
            &[],
            &[
                "signoff",
                "approve",
                "PU-1013",
                "inspect",
                "Quality approval",
            ],
            SIGNOFF_ROLE,
        ),
        case(
            "create a run",
            &[],
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU-9001",
            ],
            SUPERVISOR_ADMIN,
        ),
        case(
            "fail a run",
            &[],
            &[
                "run",
                "fail",
                "PU-1017",
                "--reason",
                "dropped",
                "--inventory",
                "quarantined",
            ],
            SUPERVISOR_ADMIN,
        ),
        case(
            "edit a labour session",
            &[],
            &[
                "labour",
                "edit",
                "PU-1017",
                "bore",
                "5",
                "--start",
                labour_start,
                "--reason",
                "badge forgotten",
            ],
            SUPERVISOR_ADMIN,
        ),
        case(
            "add a part",
            &[],
            &["part", "add", "GASKET-9", "--tracking", "lot"],
            SUPERVISOR_ADMIN,
        ),
        case(
            "receive inventory",
            &[],
            &["inventory", "receive", "IMP-7", "--serial", "IMP-9001"],
            SUPERVISOR_ADMIN,
        ),
        case(
            "reopen a run",
            &[],
            &["run", "reopen", "PU-1008", "--reason", "recall"],
            ADMIN,
        ),
        case(
            "add a user",
            &[],
            &[
                "user", "add", "newhire", "--name", "New Hire", "--role", "operator", "--pin",
                "9999",
            ],
            ADMIN,
        ),
        case(
            "deactivate a user",
            &[],
            &["user", "deactivate", "operator2"],
            ADMIN,
        ),
        case(
            "activate a user",
            &[("admin", &["user", "deactivate", "operator2"])],
            &["user", "activate", "operator2"],
            ADMIN,
        ),
        case(
            "set another's PIN",
            &[],
            &["user", "set-pin", "operator2", "--pin", "9999"],
            ADMIN,
        ),
        case(
            "import a procedure",
            &[],
            &["procedure", "import", procedure_file],
            ADMIN,
        ),
        case(
            "release a procedure",
            &[("admin", &["procedure", "import", "PROCEDURE_FILE"])],
            &["procedure", "release", "PUMP-ASSY"],
            ADMIN,
        ),
        case(
            "change a setting",
            &[],
            &["settings", "set", "lockout_attempts", "6"],
            ADMIN,
        ),
    ]
}

#[test]
fn every_data_changing_command_by_every_role_follows_the_permissions_table() {
    let dir = tempfile::tempdir().expect("dir");
    let base = base(dir.path());
    let procedure_file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/procedures/pump-assembly.toml"
    );
    let labour_start = (chrono::Utc::now() - chrono::Duration::minutes(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut failures = Vec::new();
    for (n, case) in cases(procedure_file, &labour_start).iter().enumerate() {
        let mut carried_out_by = Vec::new();
        for (login, _) in ROLES {
            let db = copy_of(&base, dir.path(), &format!("case{n}-{login}"));
            for (who, args) in case.setup {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| a.replace("PROCEDURE_FILE", procedure_file))
                    .collect();
                let out = traveler(&db, Some(who), &args);
                assert!(
                    out.status.success(),
                    "setup of '{}' failed: {out:?}",
                    case.name
                );
            }
            let before = audit_rows(&db);
            let out = traveler(&db, Some(login), &case.args);
            let after = audit_rows(&db);
            let reasons = refusal_reasons(&out);
            let refused_for_role = out.status.code() == Some(3)
                && reasons
                    .as_ref()
                    .is_some_and(|r| r.len() == 1 && r[0].contains(&format!("; {login} has")));
            if case.allowed.contains(login) {
                if refused_for_role {
                    failures.push(format!(
                        "{}: {login} may, but was refused: {reasons:?}",
                        case.name
                    ));
                }
                if out.status.success() {
                    carried_out_by.push(*login);
                }
            } else {
                if !refused_for_role {
                    failures.push(format!(
                        "{}: {login} may not, but got exit {:?}: {}{}",
                        case.name,
                        out.status.code(),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                if after != before {
                    failures.push(format!(
                        "{}: {login}'s refusal wrote {} audit rows",
                        case.name,
                        after - before
                    ));
                }
            }
        }
        if carried_out_by.is_empty() {
            failures.push(format!(
                "{}: no allowed role could carry it out, so the case does not reach the rule",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
