//! The command line drives whole runs: to complete, to failed, and through a
//! deviation and a sign-off. Each test has its own database file.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

struct Shop {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

fn pump_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/procedures/pump-assembly.toml")
}

impl Shop {
    fn cmd(&self, user: Option<(&str, &str)>, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd_with(None, user, args)
    }

    /// A command with a station config file; gives up after 30 s so a command
    /// that hangs fails its test instead of stalling the suite.
    fn cmd_with(
        &self,
        config: Option<&Path>,
        user: Option<(&str, &str)>,
        args: &[&str],
    ) -> assert_cmd::assert::Assert {
        let mut c = Command::cargo_bin("traveler").expect("binary");
        c.env_remove("TRAVELER_USER")
            .env_remove("TRAVELER_PIN")
            .env_remove("TRAVELER_CONFIG")
            .timeout(std::time::Duration::from_secs(30));
        c.arg("--db").arg(&self.db);
        if let Some(config) = config {
            c.arg("--config").arg(config);
        }
        if let Some((login, pin)) = user {
            c.args(["--user", login, "--pin", pin]);
        }
        c.args(args).assert()
    }

    fn ok(&self, user: (&str, &str), args: &[&str]) -> String {
        let out = self.cmd(Some(user), args).success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    }

    /// A database with users of every role, parts, stock and the released pump procedure.
    fn new() -> Shop {
        let dir = tempfile::tempdir().expect("dir");
        let shop = Shop {
            db: dir.path().join("shop.db"),
            _dir: dir,
        };
        shop.cmd(None, &["init", "--admin", "admin", "--pin", "4444"])
            .success();
        let admin = ("admin", "4444");
        for (login, role, pin) in [
            ("op1", "operator", "1111"),
            ("qe1", "quality", "2222"),
            ("sup1", "supervisor", "3333"),
        ] {
            shop.ok(
                admin,
                &[
                    "user",
                    "add",
                    login,
                    "--name",
                    &format!("Test {role}"),
                    "--role",
                    role,
                    "--pin",
                    pin,
                ],
            );
        }
        for (pn, tracking) in [
            ("PUMP-100", "serial"),
            ("SEAL-20", "lot"),
            ("SEAL-20B", "lot"),
            ("IMP-7", "serial"),
            ("LOCTITE-243", "lot"),
        ] {
            shop.ok(admin, &["part", "add", pn, "--tracking", tracking]);
        }
        shop.ok(
            ("sup1", "3333"),
            &[
                "inventory",
                "receive",
                "SEAL-20",
                "--lot",
                "SL-1",
                "--quantity",
                "1",
            ],
        );
        shop.ok(
            ("sup1", "3333"),
            &[
                "inventory",
                "receive",
                "SEAL-20B",
                "--lot",
                "SLB-1",
                "--quantity",
                "4",
            ],
        );
        shop.ok(
            ("sup1", "3333"),
            &["inventory", "receive", "IMP-7", "--serial", "IMP-1"],
        );
        shop.ok(
            ("sup1", "3333"),
            &[
                "inventory",
                "receive",
                "LOCTITE-243",
                "--lot",
                "LT-1",
                "--quantity",
                "5",
            ],
        );
        let file = pump_file();
        shop.ok(
            admin,
            &["procedure", "import", file.to_str().expect("utf-8 path")],
        );
        shop.ok(admin, &["procedure", "release", "PUMP-ASSY"]);
        shop.ok(
            ("sup1", "3333"),
            &[
                "run",
                "create",
                "--procedure",
                "PUMP-ASSY",
                "--serial",
                "PU-1",
            ],
        );
        shop
    }

    fn run_json(&self) -> serde_json::Value {
        let out = self.cmd(None, &["--json", "run", "show", "PU-1"]).success();
        serde_json::from_slice(&out.get_output().stdout).expect("json")
    }
}

const OP1: (&str, &str) = ("op1", "1111");
const QE1: (&str, &str) = ("qe1", "2222");

fn first_three_steps(shop: &Shop, bore: &str) {
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "bore", "Bore diameter", bore],
    );
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "1", "Surface finish", "pass"],
    );
}

fn seals_to_inspect(shop: &Shop) {
    shop.ok(OP1, &["step", "checkin", "PU-1", "seals"]);
    // One seal from the main lot, the second from the approved substitute.
    shop.ok(OP1, &["install", "PU-1", "seals", "SL-1", "--scanned"]);
    shop.ok(OP1, &["install", "PU-1", "seals", "SLB-1", "--scanned"]);
    shop.ok(OP1, &["step", "complete", "PU-1", "seals"]);
    shop.ok(OP1, &["step", "checkin", "PU-1", "impeller"]);
    shop.ok(OP1, &["install", "PU-1", "impeller", "IMP-1"]);
    shop.ok(OP1, &["install", "PU-1", "impeller", "LT-1"]);
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "impeller", "Nut torque", "11.2"],
    );
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "impeller", "Torque wrench", "TW-01"],
    );
    shop.ok(OP1, &["step", "complete", "PU-1", "impeller"]);
    shop.ok(OP1, &["step", "checkin", "PU-1", "inspect"]);
    shop.ok(
        OP1,
        &[
            "field",
            "set",
            "PU-1",
            "inspect",
            "Visual defects found",
            "no",
        ],
    );
}

#[test]
fn a_whole_run_to_complete() {
    let shop = Shop::new();
    // Completing with nothing filled is refused with every reason, exit code 3.
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    let refused = shop
        .cmd(Some(OP1), &["step", "complete", "PU-1", "bore"])
        .code(3);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("Bore diameter") && stderr.contains("Surface finish"),
        "{stderr}"
    );
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "bore", "Bore diameter", "25.01"],
    );
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "bore", "Surface finish", "pass"],
    );
    shop.ok(OP1, &["step", "complete", "PU-1", "bore"]);
    seals_to_inspect(&shop);
    shop.ok(
        QE1,
        &["signoff", "approve", "PU-1", "inspect", "Quality approval"],
    );
    shop.ok(OP1, &["step", "complete", "PU-1", "inspect"]);

    let shown = shop.run_json();
    assert_eq!(shown["run"]["state"], "complete");
    assert!(shown["run"]["completed_at"].is_string());
    // The unit is available, with what went into it under it.
    let tree = shop.cmd(None, &["inventory", "tree", "PU-1"]).success();
    let tree = String::from_utf8_lossy(&tree.get_output().stdout).into_owned();
    assert!(
        tree.contains("PU-1")
            && tree.contains("available")
            && tree.contains("IMP-1")
            && tree.contains("SLB-1"),
        "{tree}"
    );
    shop.cmd(None, &["audit", "verify"]).success();
    // A complete run refuses step actions.
    shop.cmd(Some(OP1), &["step", "checkin", "PU-1", "bore"])
        .code(3);
}

#[test]
fn a_whole_run_to_failed() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.40");
    let out = shop.ok(
        OP1,
        &[
            "step",
            "fail",
            "PU-1",
            "bore",
            "--reason",
            "Bore oversize",
            "--raise-issue",
            "Oversize bore",
        ],
    );
    assert!(
        out.contains("Failed step 1 'Measure the housing bore': Bore oversize"),
        "{out}"
    );
    // An operator may not fail the run; a supervisor may.
    shop.cmd(
        Some(OP1),
        &[
            "run",
            "fail",
            "PU-1",
            "--reason",
            "scrap",
            "--inventory",
            "scrapped",
        ],
    )
    .code(3);
    shop.ok(
        ("sup1", "3333"),
        &[
            "run",
            "fail",
            "PU-1",
            "--reason",
            "Housing scrapped",
            "--inventory",
            "scrapped",
        ],
    );
    let shown = shop.run_json();
    assert_eq!(shown["run"]["state"], "failed");
    let items = shop.cmd(None, &["--json", "inventory", "list"]).success();
    let items: serde_json::Value =
        serde_json::from_slice(&items.get_output().stdout).expect("json");
    let unit = items
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["identifier"] == "PU-1")
        .expect("unit")
        .clone();
    assert_eq!(unit["state"], "scrapped");
    let refused = shop
        .cmd(Some(OP1), &["--json", "step", "rework", "PU-1", "bore"])
        .code(3);
    let body: serde_json::Value =
        serde_json::from_slice(&refused.get_output().stdout).expect("json refusal");
    assert!(
        body["reasons"][0].as_str().unwrap_or("").contains("failed"),
        "{body}"
    );
}

#[test]
fn a_run_through_a_deviation_and_a_sign_off() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.07");
    let refused = shop
        .cmd(Some(OP1), &["step", "complete", "PU-1", "bore"])
        .code(3);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("Bore diameter"), "{stderr}");
    shop.ok(
        OP1,
        &[
            "issue",
            "open",
            "--title",
            "Bore over tolerance",
            "--run",
            "PU-1",
            "--step",
            "bore",
            "--field",
            "Bore diameter",
        ],
    );
    shop.ok(
        QE1,
        &[
            "deviation",
            "accept",
            "PU-1",
            "bore",
            "Bore diameter",
            "--issue",
            "1",
            "--rationale",
            "Seal fit checked",
        ],
    );
    shop.ok(OP1, &["step", "complete", "PU-1", "bore"]);
    seals_to_inspect(&shop);
    // The operator cannot sign a quality sign-off; a rejection needs a comment.
    shop.cmd(
        Some(OP1),
        &["signoff", "approve", "PU-1", "inspect", "Quality approval"],
    )
    .code(3);
    shop.cmd(
        Some(QE1),
        &["signoff", "reject", "PU-1", "inspect", "Quality approval"],
    )
    .code(3);
    shop.ok(
        QE1,
        &["signoff", "approve", "PU-1", "inspect", "Quality approval"],
    );
    shop.ok(OP1, &["step", "complete", "PU-1", "inspect"]);
    // Every step is done but issue 1 is open: the run waits on it.
    assert_eq!(shop.run_json()["run"]["state"], "in_progress");
    shop.ok(
        QE1,
        &[
            "issue",
            "disposition",
            "1",
            "use-as-is",
            "--rationale",
            "Seal fit checked",
        ],
    );
    let refused = shop.cmd(Some(QE1), &["issue", "close", "1"]).code(3);
    assert!(stderr_of(refused).contains("A rationale for closing the issue is required."));
    let closed = shop.ok(
        QE1,
        &[
            "issue",
            "close",
            "1",
            "--rationale",
            "Deviation reviewed with the customer",
        ],
    );
    assert!(
        closed.contains(
            "Moved issue #1 from dispositioned to closed: Deviation reviewed with the customer"
        ),
        "{closed}"
    );
    let shown = shop.ok(QE1, &["issue", "show", "1"]);
    assert!(
        shown.contains(": Deviation reviewed with the customer"),
        "{shown}"
    );
    assert_eq!(shop.run_json()["run"]["state"], "complete");
    let log = shop.cmd(None, &["audit", "log", "--run", "PU-1"]).success();
    let log = String::from_utf8_lossy(&log.get_output().stdout).into_owned();
    assert!(log.contains("deviation") && log.contains("qe1"), "{log}");
    shop.cmd(None, &["audit", "verify"]).success();
}

#[test]
fn a_sign_off_comment_that_is_the_signers_pin_is_refused_without_repeating_it() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.01");
    shop.ok(OP1, &["step", "complete", "PU-1", "bore"]);
    seals_to_inspect(&shop);
    let refused = shop
        .cmd(
            Some(QE1),
            &[
                "signoff",
                "approve",
                "PU-1",
                "inspect",
                "Quality approval",
                "--comment",
                " 2222 ",
            ],
        )
        .code(3);
    let output = refused.get_output();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        stderr.contains("The comment may not be your PIN."),
        "{stderr}"
    );
    assert!(!stderr.contains("2222"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("2222"));
    let shown = shop.run_json();
    let inspect = shown["run"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["key"] == "inspect")
        .expect("inspect")
        .clone();
    let signoff = inspect["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["def"]["name"] == "Quality approval")
        .expect("sign-off")
        .clone();
    assert_eq!(signoff["signatures"], serde_json::json!([]));
    // Another comment is fine.
    shop.ok(
        QE1,
        &[
            "signoff",
            "approve",
            "PU-1",
            "inspect",
            "Quality approval",
            "--comment",
            "Checked",
        ],
    );
}

#[test]
fn a_deviation_and_a_disposition_need_a_rationale_and_show_their_signature() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.07");
    shop.ok(
        OP1,
        &[
            "issue",
            "open",
            "--title",
            "Bore over tolerance",
            "--run",
            "PU-1",
        ],
    );
    fn deviation(issue: &str) -> Vec<&str> {
        vec![
            "deviation",
            "accept",
            "PU-1",
            "bore",
            "Bore diameter",
            "--issue",
            issue,
        ]
    }
    // No rationale: refused by the rules with every reason, not a usage error.
    let refused = shop.cmd(Some(QE1), &deviation("9")).code(3);
    let stderr = stderr_of(&refused);
    assert!(
        stderr.contains("There is no issue 9.") && stderr.contains("A rationale is required."),
        "{stderr}"
    );
    let mut with_rationale = deviation("1");
    with_rationale.extend(["--rationale", "Seal fit checked"]);
    shop.ok(QE1, &with_rationale);
    let shown = shop.ok(QE1, &["run", "show", "PU-1"]);
    assert!(
        shown.contains("deviation accepted via issue 1 at ")
            && shown
                .contains("signed by Test quality (qe1), PIN set by the signer: Seal fit checked"),
        "{shown}"
    );
    let refused = shop
        .cmd(Some(QE1), &["issue", "disposition", "1", "use-as-is"])
        .code(3);
    assert!(
        stderr_of(&refused).contains("A rationale is required."),
        "{}",
        stderr_of(&refused)
    );
    shop.ok(
        QE1,
        &[
            "issue",
            "disposition",
            "1",
            "use-as-is",
            "--rationale",
            "Functional",
        ],
    );
    let issue = shop.ok(QE1, &["issue", "show", "1"]);
    assert!(
        issue.contains("disposition use_as_is by qe1 at ")
            && issue.contains("signed by Test quality (qe1), PIN set by the signer: Functional"),
        "{issue}"
    );
    let listed = shop.ok(("admin", "4444"), &["settings", "list"]);
    assert!(
        listed.contains("deviation_not_by_recorder = true"),
        "{listed}"
    );
}

#[test]
fn a_pin_reset_by_an_admin_must_be_replaced_by_its_owner_before_anything_else() {
    let shop = Shop::new();
    shop.ok(
        ("admin", "4444"),
        &["user", "set-pin", "op1", "--pin", "7777"],
    );
    let refused = shop
        .cmd(Some(("op1", "7777")), &["step", "checkin", "PU-1", "bore"])
        .code(3);
    let stderr = stderr_of(&refused);
    assert!(
        stderr.contains("Your PIN was set by admin: set a new PIN of your own first")
            && stderr.contains("user set-pin op1 --pin NEW"),
        "{stderr}"
    );
    let same = shop
        .cmd(
            Some(("op1", "7777")),
            &["user", "set-pin", "op1", "--pin", "7777"],
        )
        .code(3);
    assert!(
        stderr_of(&same).contains("must differ from the one you signed in with"),
        "{}",
        stderr_of(&same)
    );
    let still = shop
        .cmd(Some(("op1", "7777")), &["step", "checkin", "PU-1", "bore"])
        .code(3);
    let still = stderr_of(&still);
    assert!(still.contains("set a new PIN of your own first"), "{still}");
    shop.ok(
        ("op1", "7777"),
        &["user", "set-pin", "op1", "--pin", "8888"],
    );
    shop.ok(("op1", "8888"), &["step", "checkin", "PU-1", "bore"]);
}

#[test]
fn a_bad_procedure_file_names_its_line_and_imports_nothing() {
    let shop = Shop::new();
    let bad = shop.db.with_file_name("bad.toml");
    std::fs::write(&bad, "key = \"X\"\ntitle = \"X\"\nkind = \"build\"\nproduces = \"PUMP-100\"\n[[step]]\nkey = \"a\"\ntitle = \"A\"\n  [[step.field]]\n  name = \"n\"\n  type = \"numbr\"\n").expect("write");
    let out = shop
        .cmd(
            Some(("admin", "4444")),
            &["procedure", "import", bad.to_str().expect("path")],
        )
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("line 10"), "{stderr}");
    let list = shop.cmd(None, &["procedure", "list"]).success();
    assert!(!String::from_utf8_lossy(&list.get_output().stdout).contains("X "));
}

#[test]
fn a_wrong_pin_is_a_sentence_and_a_tampered_audit_trail_fails_verify() {
    let shop = Shop::new();
    let out = shop
        .cmd(Some(("op1", "9999")), &["step", "checkin", "PU-1", "bore"])
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("wrong PIN"), "{stderr}");
    let conn = rusqlite::Connection::open(&shop.db).expect("raw");
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET reason = 'edited' WHERE seq = 4;",
    )
    .expect("tamper");
    let out = shop.cmd(None, &["audit", "verify"]).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("event 4"), "{stderr}");
}

#[test]
fn a_redline_widens_a_tolerance_for_one_run_and_a_scrap_disposition_scraps_the_part() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.08");
    shop.ok(
        OP1,
        &[
            "redline",
            "propose",
            "PU-1",
            "bore",
            "--reason",
            "Drawing rev C allows 0.10",
            "--field",
            "Bore diameter",
            "--target",
            "25.0",
            "--tolerance",
            "0.10",
        ],
    );
    // In redline the step cannot be completed; the operator cannot approve.
    shop.cmd(Some(OP1), &["step", "complete", "PU-1", "bore"])
        .code(3);
    shop.cmd(Some(OP1), &["redline", "approve", "PU-1", "1"])
        .code(3);
    let listed = shop.ok(QE1, &["redline", "list", "PU-1"]);
    let id = listed
        .split_whitespace()
        .next()
        .expect("a redline id")
        .to_string();
    shop.ok(QE1, &["redline", "approve", "PU-1", &id]);
    let shown = shop.run_json();
    let bore = &shown["run"]["steps"][0];
    assert_eq!(bore["state"], "todo");
    assert_eq!(bore["fields"][0]["def"]["validation"]["tolerance"], 0.10);
    // The earlier value now reads in range under the new rule; the step completes.
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    shop.ok(OP1, &["step", "complete", "PU-1", "bore"]);
    // The procedure itself is unchanged.
    let procedure = shop
        .cmd(None, &["--json", "procedure", "show", "PUMP-ASSY"])
        .success();
    let procedure: serde_json::Value =
        serde_json::from_slice(&procedure.get_output().stdout).expect("json");
    assert_eq!(
        procedure["steps"][0]["fields"][0]["validation"]["tolerance"],
        0.05
    );

    // A damaged impeller in stock: an issue about it, dispositioned scrap, scraps it.
    shop.ok(
        OP1,
        &[
            "issue",
            "open",
            "--title",
            "Cracked vane",
            "--inventory",
            "IMP-1",
        ],
    );
    shop.ok(
        QE1,
        &[
            "issue",
            "disposition",
            "1",
            "scrap",
            "--rationale",
            "Vane cracked",
        ],
    );
    let items = shop.cmd(None, &["--json", "inventory", "list"]).success();
    let items: serde_json::Value =
        serde_json::from_slice(&items.get_output().stdout).expect("json");
    let imp = items
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["identifier"] == "IMP-1")
        .expect("IMP-1")
        .clone();
    assert_eq!(imp["state"], "scrapped");
}

#[test]
fn a_short_pin_is_refused_and_a_missing_database_is_not_created() {
    let shop = Shop::new();
    let out = shop
        .cmd(
            Some(("admin", "4444")),
            &[
                "user", "add", "zz", "--name", "Z", "--role", "operator", "--pin", "12",
            ],
        )
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("at least 4"), "{stderr}");
    let missing = shop.db.with_file_name("typo.db");
    let out = Command::cargo_bin("traveler")
        .expect("binary")
        .arg("--db")
        .arg(&missing)
        .args(["run", "list"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("There is no database"), "{stderr}");
    assert!(!missing.exists());
}

#[test]
fn a_procedure_naming_an_unknown_part_says_where_and_what_to_do() {
    let shop = Shop::new();
    let file = shop.db.with_file_name("bracket.toml");
    std::fs::write(
        &file,
        "key = \"BRKT\"\ntitle = \"Bracket\"\nkind = \"build\"\nproduces = \"PUMP-100\"\n[[step]]\nkey = \"fit\"\ntitle = \"Fit\"\n  [[step.install]]\n  part = \"SENSOR-X\"\n",
    )
    .expect("write");
    let out = shop
        .cmd(
            Some(("admin", "4444")),
            &["procedure", "import", file.to_str().expect("path")],
        )
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("SENSOR-X (in step 'fit')") && stderr.contains("part add"),
        "{stderr}"
    );
}

/// What a command printed on stderr (given the assert or a reference to it).
fn stderr_of(assert: impl std::borrow::Borrow<assert_cmd::assert::Assert>) -> String {
    String::from_utf8_lossy(&assert.borrow().get_output().stderr).into_owned()
}

#[test]
fn a_missing_reason_is_refused_by_the_rules_with_every_other_reason() {
    let shop = Shop::new();
    // bore is todo: it cannot be held or failed, and no reason was given either
    let held = stderr_of(
        shop.cmd(Some(OP1), &["step", "hold", "PU-1", "bore"])
            .code(3),
    );
    assert!(
        held.contains("A reason for the hold is required.")
            && held.contains("Only a step that is in_progress can be put on hold"),
        "{held}"
    );
    let failed = stderr_of(
        shop.cmd(Some(OP1), &["step", "fail", "PU-1", "bore"])
            .code(3),
    );
    assert!(
        failed.contains("A reason for failing the step is required.")
            && failed.contains("Only a step that is in_progress can be failed"),
        "{failed}"
    );
    let reopened = stderr_of(
        shop.cmd(Some(QE1), &["step", "reopen", "PU-1", "bore"])
            .code(3),
    );
    assert!(
        reopened.contains("A reason for reopening the step is required.")
            && reopened.contains("Only a step that is complete can be reopened"),
        "{reopened}"
    );
    // nothing was written: the run is still todo
    assert_eq!(shop.run_json()["run"]["state"], "todo");
}

#[test]
fn run_show_says_what_a_finished_run_waits_on_and_a_setting_change_completes_it() {
    let shop = Shop::new();
    shop.ok(
        OP1,
        &["issue", "open", "--title", "Scuffed cover", "--run", "PU-1"],
    );
    first_three_steps(&shop, "25.01");
    shop.ok(OP1, &["step", "complete", "PU-1", "bore"]);
    seals_to_inspect(&shop);
    shop.ok(
        QE1,
        &["signoff", "approve", "PU-1", "inspect", "Quality approval"],
    );
    shop.ok(OP1, &["step", "complete", "PU-1", "inspect"]);
    let shown = shop.run_json();
    assert_eq!(shown["run"]["state"], "in_progress");
    assert_eq!(
        shown["waiting_on"],
        serde_json::json!(["waiting on issue 1"])
    );
    let text = shop.ok(OP1, &["run", "show", "PU-1"]);
    assert!(text.contains("waiting on issue 1"), "{text}");
    // The admin stops open issues from holding runs: the run completes at once.
    let said = shop.ok(
        ("admin", "4444"),
        &[
            "settings",
            "set",
            "block_completion_on_open_issues",
            "false",
        ],
    );
    assert!(said.contains("Completed the run"), "{said}");
    let shown = shop.run_json();
    assert_eq!(shown["run"]["state"], "complete");
    assert!(shown["run"]["completed_at"].is_string());
    assert_eq!(shown["waiting_on"], serde_json::json!([]));
    // The completion is in the trail, on the run, and replays.
    let log = shop.ok(OP1, &["audit", "log", "--run", "PU-1"]);
    assert!(
        log.contains("run completed") || log.contains("run_completed"),
        "{log}"
    );
    shop.cmd(None, &["audit", "verify", "--replay"]).success();
}

#[test]
fn the_procedure_decides_how_a_step_is_reworked() {
    let shop = Shop::new();
    let shown = shop
        .cmd(None, &["--json", "procedure", "show", "PUMP-ASSY"])
        .success();
    let shown: serde_json::Value =
        serde_json::from_slice(&shown.get_output().stdout).expect("json");
    assert_eq!(shown["steps"][0]["rework"], "reopen");
    let text = shop.ok(OP1, &["procedure", "show", "PUMP-ASSY"]);
    assert!(text.contains("[bore], rework = \"reopen\""), "{text}");
    first_three_steps(&shop, "25.40");
    shop.ok(
        OP1,
        &["step", "fail", "PU-1", "bore", "--reason", "Bore oversize"],
    );
    // The operator does not choose: asking for a copy of an in-place step is refused.
    let refused = stderr_of(
        shop.cmd(Some(OP1), &["step", "rework", "PU-1", "bore", "--copy"])
            .code(3),
    );
    assert!(
        refused.contains("rework = \"reopen\"") && refused.contains("the procedure decides"),
        "{refused}"
    );
    shop.ok(OP1, &["step", "rework", "PU-1", "bore"]);
    let run = shop.run_json();
    assert_eq!(run["run"]["steps"][0]["state"], "todo");
    assert_eq!(run["run"]["steps"][0]["rework"], "reopen");

    // A procedure file may say `rework = "copy"`; `procedure show` says so.
    let text = std::fs::read_to_string(pump_file())
        .expect("pump file")
        .replacen(
            "allow_out_of_range_with_issue = true",
            "allow_out_of_range_with_issue = true\nrework = \"copy\"",
            1,
        );
    let file = shop._dir.path().join("pump-copy.toml");
    std::fs::write(&file, text).expect("write");
    shop.ok(
        ("admin", "4444"),
        &["procedure", "import", file.to_str().expect("utf-8 path")],
    );
    let text = shop.ok(OP1, &["procedure", "show", "PUMP-ASSY", "--version", "2"]);
    assert!(text.contains("[bore], rework = \"copy\""), "{text}");
}

fn audit_rows(shop: &Shop) -> usize {
    let out = shop
        .cmd(None, &["--json", "audit", "log", "--limit", "10000"])
        .success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    rows.as_array().expect("a list").len()
}

#[test]
fn an_unchanged_save_writes_nothing_and_a_correction_needs_a_reason() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.01");
    let rows = audit_rows(&shop);
    // The same number, typed another way: nothing is written.
    let out = shop.ok(
        OP1,
        &["field", "set", "PU-1", "bore", "Bore diameter", "25.010"],
    );
    assert_eq!(out, "unchanged: Bore diameter already has 25.01\n");
    assert_eq!(audit_rows(&shop), rows, "no audit row");
    // A different value corrects the saved one: it needs a reason.
    let stderr = stderr_of(
        shop.cmd(
            Some(OP1),
            &["field", "set", "PU-1", "bore", "Bore diameter", "25.03"],
        )
        .code(3),
    );
    assert!(
        stderr.contains("'Bore diameter' already has 25.01")
            && stderr.contains("changing it to 25.03 needs a reason.")
            && stderr.contains("Add --reason"),
        "{stderr}"
    );
    let stderr = stderr_of(
        shop.cmd(
            Some(OP1),
            &[
                "field",
                "set",
                "PU-1",
                "bore",
                "Bore diameter",
                "25.03",
                "--reason",
                "bad\u{1b}[2J",
            ],
        )
        .code(3),
    );
    assert!(stderr.contains("contains an escape character"), "{stderr}");
    assert_eq!(audit_rows(&shop), rows, "refusals write nothing");
    shop.ok(
        OP1,
        &[
            "field",
            "set",
            "PU-1",
            "bore",
            "Bore diameter",
            "25.03",
            "--reason",
            "Gauge was not zeroed",
        ],
    );
    // The reason is on the value, in the audit row and in `run show`.
    let shown = shop.run_json();
    let values = &shown["run"]["steps"][0]["fields"][0]["values"];
    assert_eq!(values[1]["reason"], "Gauge was not zeroed");
    assert!(values[0].get("reason").is_none(), "{values}");
    let log = shop
        .cmd(None, &["--json", "audit", "log", "--run", "PU-1"])
        .success();
    let log: serde_json::Value = serde_json::from_slice(&log.get_output().stdout).expect("json");
    assert!(
        log.as_array()
            .expect("rows")
            .iter()
            .any(|r| r["action"] == "field_value_saved" && r["reason"] == "Gauge was not zeroed"),
        "{log}"
    );
    let text = shop.cmd(None, &["run", "show", "PU-1"]).success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(
        text.contains("1. 25.01 — op1")
            && text.contains("2. 25.03 — op1")
            && text.contains("— reason: Gauge was not zeroed"),
        "{text}"
    );
}

#[test]
fn a_save_that_voids_an_approval_needs_void_approval() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.01");
    shop.ok(OP1, &["step", "complete", "PU-1", "bore"]);
    seals_to_inspect(&shop);
    shop.ok(
        QE1,
        &["signoff", "approve", "PU-1", "inspect", "Quality approval"],
    );
    let rows = audit_rows(&shop);
    // Saving the value it already has voids nothing.
    let out = shop.ok(
        OP1,
        &[
            "field",
            "set",
            "PU-1",
            "inspect",
            "Visual defects found",
            "NO",
        ],
    );
    assert_eq!(out, "unchanged: Visual defects found already has no\n");
    let change = [
        "field",
        "set",
        "PU-1",
        "inspect",
        "Visual defects found",
        "yes",
        "--reason",
        "Scratch on the flange",
    ];
    let stderr = stderr_of(shop.cmd(Some(OP1), &change).code(3));
    assert!(
        stderr.contains("voids quality's approval of 'Quality approval'")
            && stderr.contains("Add --void-approval"),
        "{stderr}"
    );
    assert_eq!(audit_rows(&shop), rows, "nothing written");
    let text = shop.cmd(None, &["run", "show", "PU-1"]).success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(text.contains("Quality approval: approved by"), "{text}");
    let mut confirmed = change.to_vec();
    confirmed.push("--void-approval");
    shop.ok(OP1, &confirmed);
    let text = shop.cmd(None, &["run", "show", "PU-1"]).success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(text.contains("Quality approval: approval void"), "{text}");
}

fn stdout_of(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

#[test]
fn stored_line_breaks_and_terminal_controls_are_printed_escaped() {
    let shop = Shop::new();
    let forged = "waiting\n    99 2026-12-02 09:00:00 qe1        signature_recorded     approved";
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    shop.ok(OP1, &["step", "hold", "PU-1", "bore", "--reason", forged]);
    let log = stdout_of(&shop.cmd(None, &["audit", "log", "--run", "PU-1"]).success());
    assert!(
        log.contains("reason: waiting\\n    99 2026-12-02"),
        "the line break shows as \\n: {log}"
    );
    assert!(
        !log.lines().any(|l| l.trim_start().starts_with("99 ")),
        "no printed line starts like a forged row: {log}"
    );
    shop.ok(
        OP1,
        &[
            "issue",
            "open",
            "--title",
            "Scratch",
            "--run",
            "PU-1",
            "--description",
            "first\nsecond \u{202e}desrever\u{202c} and \u{200b}hidden",
        ],
    );
    let shown = stdout_of(&shop.cmd(None, &["issue", "show", "1"]).success());
    assert!(
        shown.contains("first\\nsecond \\u{202e}desrever\\u{202c} and \\u{200b}hidden"),
        "{shown}"
    );
    assert!(
        !shown.contains('\u{202e}') && !shown.contains('\u{200b}'),
        "{shown}"
    );
    shop.ok(
        ("sup1", "3333"),
        &[
            "run",
            "fail",
            "PU-1",
            "--reason",
            "cracked\nstate complete, 4/4 required steps complete",
            "--inventory",
            "quarantined",
        ],
    );
    let shown = stdout_of(&shop.cmd(None, &["run", "show", "PU-1"]).success());
    assert!(
        shown.contains("cracked\\nstate complete"),
        "the failure reason stays on its line: {shown}"
    );
    assert!(
        !shown.lines().any(|l| l.starts_with("state complete")),
        "{shown}"
    );
    // JSON keeps the exact text.
    assert_eq!(
        shop.run_json()["run"]["failure"]["reason"],
        "cracked\nstate complete, 4/4 required steps complete"
    );
}

#[test]
fn carriage_returns_and_escape_sequences_are_refused_and_nothing_is_written() {
    let shop = Shop::new();
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    let before = stdout_of(&shop.cmd(None, &["--json", "audit", "log"]).success());
    for reason in ["late\rapproved", "red \u{1b}[31m", "ding\u{7}"] {
        let out = shop
            .cmd(
                Some(OP1),
                &["step", "hold", "PU-1", "bore", "--reason", reason],
            )
            .code(3);
        let err = stderr_of(&out);
        assert!(err.contains("A reason for the hold contains"), "{err}");
        assert!(!err.contains('\r') && !err.contains('\u{1b}') && !err.contains('\u{7}'));
    }
    let after = stdout_of(&shop.cmd(None, &["--json", "audit", "log"]).success());
    assert_eq!(before, after);
}

#[test]
fn a_run_is_named_by_hash_or_run_colon_and_a_number_is_a_serial() {
    let shop = Shop::new();
    // A unit whose serial is a number: `1` is that unit, `#1` is run 1 (PU-1).
    shop.ok(
        ("sup1", "3333"),
        &["run", "create", "--procedure", "PUMP-ASSY", "--serial", "1"],
    );
    let by_serial = stdout_of(&shop.cmd(None, &["run", "show", "1"]).success());
    assert!(
        by_serial.starts_with("Run #2 — ") && by_serial.contains("serial 1 ("),
        "{by_serial}"
    );
    for reference in ["#1", "run:1"] {
        let by_id = stdout_of(&shop.cmd(None, &["run", "show", reference]).success());
        assert!(by_id.contains("serial PU-1 ("), "{reference}: {by_id}");
    }
    // A number that is no serial hints at the run it might mean.
    let out = shop.cmd(None, &["run", "show", "2"]).code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("There is no unit serial '2'. Did you mean run #2?"),
        "{err}"
    );
    for loose in ["#01", "# 1", "#-1", "#+1", "run:x"] {
        let err = stderr_of(shop.cmd(None, &["run", "show", loose]).code(1));
        assert!(
            err.contains(&format!(
                "'{loose}' is not a run reference: a run id is written #12 or run:12"
            )),
            "{loose}: {err}"
        );
    }
    for loose in ["+1", "r1", "01"] {
        let err = stderr_of(shop.cmd(None, &["run", "show", loose]).code(1));
        assert!(
            err.contains(&format!(
                "There is no unit serial '{loose}'. Did you mean run #1?"
            )),
            "{loose}: {err}"
        );
    }
    let err = stderr_of(shop.cmd(None, &["run", "show", "#9"]).code(1));
    assert!(err.contains("There is no run #9"), "{err}");
    // Every argument naming a run follows the rule.
    shop.ok(OP1, &["step", "checkin", "#1", "bore"]);
    let err = stderr_of(
        shop.cmd(Some(OP1), &["step", "checkout", "01", "bore"])
            .code(1),
    );
    assert!(err.contains("Did you mean run #1?"), "{err}");
    let log = stdout_of(
        &shop
            .cmd(None, &["audit", "log", "--run", "run:1"])
            .success(),
    );
    assert!(log.contains("check_in"), "{log}");
}

#[test]
fn negative_numbers_are_values_not_options() {
    let shop = Shop::new();
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    shop.ok(
        OP1,
        &["field", "set", "PU-1", "bore", "Bore diameter", "-0.5"],
    );
    let bore = &shop.run_json()["run"]["steps"][0]["fields"][0];
    let values = bore["values"].as_array().expect("values");
    assert_eq!(values.last().expect("a value")["value"]["value"], -0.5);
    shop.ok(
        OP1,
        &[
            "redline",
            "propose",
            "PU-1",
            "bore",
            "--reason",
            "Offset gauge",
            "--field",
            "Bore diameter",
            "--min",
            "-1",
            "--max",
            "-0.25",
        ],
    );
    let shown = shop.run_json();
    let change = &shown["run"]["redlines"][0]["change"];
    assert_eq!(change["def"]["validation"]["min"], -1.0, "{change}");
    assert_eq!(change["def"]["validation"]["max"], -0.25, "{change}");
}

#[test]
fn a_receipt_that_does_not_match_the_parts_tracking_is_refused() {
    let shop = Shop::new();
    let sup = ("sup1", "3333");
    shop.ok(
        ("admin", "4444"),
        &["part", "add", "GREASE", "--tracking", "none"],
    );
    let before = stdout_of(&shop.cmd(None, &["--json", "inventory", "list"]).success());
    for (args, sentence) in [
        (
            vec!["inventory", "receive", "SEAL-20", "--serial", "S-9"],
            "Part SEAL-20 is lot-tracked: receive it as a lot with --lot LOT --quantity Q, not as a serial.",
        ),
        (
            vec!["inventory", "receive", "IMP-7", "--lot", "L-9", "--quantity", "3"],
            "Part IMP-7 is serial-tracked: receive each unit with --serial SN, not as a lot.",
        ),
        (
            vec!["inventory", "receive", "GREASE", "--serial", "G-9"],
            "Part GREASE is not tracked by serial or lot",
        ),
    ] {
        let err = stderr_of(shop.cmd(Some(sup), &args).code(3));
        assert!(err.contains(sentence), "{args:?}: {err}");
    }
    let after = stdout_of(&shop.cmd(None, &["--json", "inventory", "list"]).success());
    assert_eq!(before, after);
    shop.ok(
        sup,
        &[
            "inventory",
            "receive",
            "GREASE",
            "--lot",
            "BIN-1",
            "--quantity",
            "2",
        ],
    );
}

/// The shop with run DOC-1 of a one-step procedure holding a file field,
/// op1 checked into its step.
fn shop_with_file_field() -> Shop {
    let shop = Shop::new();
    let admin = ("admin", "4444");
    shop.ok(admin, &["part", "add", "DOC-100", "--tracking", "serial"]);
    let file = shop.db.with_file_name("docs.toml");
    std::fs::write(
        &file,
        "key = \"DOCS\"\ntitle = \"Documents\"\nkind = \"build\"\nproduces = \"DOC-100\"\n[[step]]\nkey = \"photo\"\ntitle = \"Photo\"\n  [[step.field]]\n  name = \"Picture\"\n  type = \"file\"\n",
    )
    .expect("write");
    shop.ok(
        admin,
        &["procedure", "import", file.to_str().expect("path")],
    );
    shop.ok(admin, &["procedure", "release", "DOCS"]);
    shop.ok(
        ("sup1", "3333"),
        &["run", "create", "--procedure", "DOCS", "--serial", "DOC-1"],
    );
    shop.ok(OP1, &["step", "checkin", "DOC-1", "photo"]);
    shop
}

fn stored_attachments(shop: &Shop) -> Vec<PathBuf> {
    let dir = PathBuf::from(format!("{}.attachments", shop.db.display()));
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn a_wrong_pin_with_an_endless_file_is_refused_at_once_and_reads_nothing() {
    let shop = shop_with_file_field();
    let started = std::time::Instant::now();
    let out = shop
        .cmd(
            Some(("op1", "9999")),
            &["field", "set", "DOC-1", "photo", "Picture", "/dev/zero"],
        )
        .code(3);
    assert!(stderr_of(&out).contains("wrong PIN"), "{}", stderr_of(&out));
    let out = shop
        .cmd(
            Some(("admin", "9999")),
            &["procedure", "import", "/dev/zero"],
        )
        .code(3);
    assert!(stderr_of(&out).contains("wrong PIN"), "{}", stderr_of(&out));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(stored_attachments(&shop).is_empty());
}

#[test]
fn only_a_regular_file_within_the_limit_is_attached_or_imported() {
    let shop = shop_with_file_field();
    let set = |path: &str| {
        shop.cmd(
            Some(OP1),
            &["field", "set", "DOC-1", "photo", "Picture", path],
        )
    };
    let out = set("/dev/zero").code(1);
    assert!(
        stderr_of(&out).contains("is a device"),
        "{}",
        stderr_of(&out)
    );
    let folder = shop.db.with_file_name("");
    let out = set(folder.to_str().expect("path")).code(1);
    assert!(
        stderr_of(&out).contains("is a folder"),
        "{}",
        stderr_of(&out)
    );
    let fifo = shop.db.with_file_name("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let out = set(fifo.to_str().expect("path")).code(1);
    assert!(stderr_of(&out).contains("pipe"), "{}", stderr_of(&out));

    let config = shop.db.with_file_name("station.toml");
    std::fs::write(&config, "max_attachment_mb = 1\nmax_procedure_mb = 1\n").expect("config");
    let big = shop.db.with_file_name("big.bin");
    std::fs::write(&big, vec![7u8; 1024 * 1024 + 1]).expect("big");
    let out = shop
        .cmd_with(
            Some(&config),
            Some(OP1),
            &[
                "field",
                "set",
                "DOC-1",
                "photo",
                "Picture",
                big.to_str().expect("path"),
            ],
        )
        .code(1);
    let text = stderr_of(&out);
    assert!(
        text.contains("1 MB") && text.contains("max_attachment_mb"),
        "{text}"
    );
    let out = shop
        .cmd_with(
            Some(&config),
            Some(("admin", "4444")),
            &["procedure", "import", big.to_str().expect("path")],
        )
        .code(1);
    let text = stderr_of(&out);
    assert!(text.contains("max_procedure_mb"), "{text}");
    assert!(
        stored_attachments(&shop).is_empty(),
        "{:?}",
        stored_attachments(&shop)
    );
}

#[test]
fn an_attachment_is_kept_only_when_accepted_and_only_its_owner_may_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let shop = shop_with_file_field();
    let photo = shop.db.with_file_name("photo.jpg");
    std::fs::write(&photo, b"not really a jpeg").expect("photo");
    let photo = photo.to_str().expect("path");
    // Quality is not checked in (and check-in on entry is off here):
    // refused, and no copy is left behind.
    shop.ok(
        ("admin", "4444"),
        &["settings", "set", "auto_checkin", "false"],
    );
    shop.cmd(
        Some(QE1),
        &["field", "set", "DOC-1", "photo", "Picture", photo],
    )
    .code(3);
    assert!(
        stored_attachments(&shop).is_empty(),
        "{:?}",
        stored_attachments(&shop)
    );
    shop.ok(OP1, &["field", "set", "DOC-1", "photo", "Picture", photo]);
    let stored = stored_attachments(&shop);
    assert_eq!(stored.len(), 1, "{stored:?}");
    let mode = std::fs::metadata(&stored[0])
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "mode {:o}", mode & 0o777);
    assert_eq!(
        std::fs::read(&stored[0]).expect("read"),
        b"not really a jpeg"
    );
}

#[test]
fn sixteen_parallel_inits_on_one_file_make_exactly_one_admin() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("race.db");
    let bin = assert_cmd::cargo::cargo_bin("traveler");
    let children: Vec<_> = (0..16)
        .map(|i| {
            std::process::Command::new(&bin)
                .env_remove("TRAVELER_CONFIG")
                .arg("--db")
                .arg(&db)
                .args(["init", "--admin", &format!("admin{i}"), "--pin", "4444"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    let winners = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(winners, 1, "exactly one init succeeds");
    for o in outputs.iter().filter(|o| !o.status.success()) {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("already exists"), "{stderr}");
    }
    let conn = rusqlite::Connection::open(&db).expect("raw");
    let users: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .expect("count");
    assert_eq!(users, 1);
}

#[test]
fn a_line_break_in_a_correction_reason_prints_escaped_in_the_value_history() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.01");
    shop.ok(
        OP1,
        &[
            "field",
            "set",
            "PU-1",
            "bore",
            "Bore diameter",
            "25.02",
            "--reason",
            "gauge slipped\n        3. 25.00 — qe1, forged",
        ],
    );
    let shown = shop.cmd(None, &["run", "show", "PU-1"]).success();
    let shown = String::from_utf8_lossy(&shown.get_output().stdout).into_owned();
    assert!(
        shown.contains("reason: gauge slipped\\n        3. 25.00"),
        "{shown}"
    );
    assert!(
        !shown
            .lines()
            .any(|l| l.trim_start().starts_with("3. 25.00")),
        "a reason forged a history line:\n{shown}"
    );
}

#[test]
fn a_state_is_accepted_as_the_list_prints_it() {
    let shop = Shop::new();
    let printed = shop.ok(QE1, &["--json", "run", "list"]);
    assert!(printed.contains("\"state\": \"todo\""), "{printed}");
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    for spelling in ["in_progress", "in-progress"] {
        let listed = shop.ok(QE1, &["run", "list", "--state", spelling]);
        assert!(listed.contains("PU-1"), "--state {spelling}: {listed}");
    }
    let todo = shop.ok(QE1, &["run", "list", "--state", "todo"]);
    assert!(!todo.contains("PU-1"), "{todo}");
}

#[test]
fn user_list_keeps_its_columns_when_a_name_prints_escaped() {
    let shop = Shop::new();
    shop.ok(
        ("admin", "4444"),
        &[
            "user",
            "add",
            "evil2",
            "--name",
            "Evil \u{202e}Two",
            "--role",
            "operator",
            "--pin",
            "1234",
        ],
    );
    let listed = shop.ok(("admin", "4444"), &["user", "list"]);
    assert!(!listed.contains('\u{202e}'), "{listed}");
    let column_of_state = |login: &str| {
        let line = listed
            .lines()
            .find(|l| l.starts_with(login))
            .unwrap_or_else(|| panic!("{login} in {listed}"));
        line.find("active").unwrap_or_else(|| panic!("{line}"))
    };
    assert_eq!(column_of_state("evil2"), column_of_state("op1"), "{listed}");
}

#[test]
fn an_action_prints_its_sentences_with_a_typed_line_break_shown_not_obeyed() {
    let shop = Shop::new();
    first_three_steps(&shop, "25.40");
    let said = shop.ok(
        OP1,
        &[
            "field",
            "set",
            "PU-1",
            "bore",
            "Bore diameter",
            "25.90",
            "--reason",
            "re-measured\nApproved 'QA sign-off' by admin\u{202e}",
        ],
    );
    assert_eq!(said.lines().count(), 1, "one event, one line: {said:?}");
    assert!(
        said.starts_with("Corrected 'Bore diameter' = 25.9 (out of range) on step 1 'Measure the housing bore': re-measured\\nApproved"),
        "{said}"
    );
    assert!(!said.contains('\u{202e}'), "{said:?}");
}

#[test]
fn check_close_stale_closes_labour_left_open_past_the_limit_and_only_for_a_supervisor() {
    let shop = Shop::new();
    shop.ok(OP1, &["step", "checkin", "PU-1", "bore"]);
    let session = shop.run_json()["run"]["steps"][0]["sessions"][0]["id"]
        .as_u64()
        .expect("the check-in's session id");
    let three_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let session_text = session.to_string();
    shop.ok(
        ("sup1", "3333"),
        &[
            "labour",
            "edit",
            "PU-1",
            "bore",
            &session_text,
            "--start",
            &three_hours_ago,
            "--reason",
            "checked in at shift start on paper",
        ],
    );
    shop.ok(
        ("admin", "4444"),
        &["settings", "set", "max_session_hours", "1"],
    );

    // The limit is the org's, not a fixed 16 hours.
    let report = shop.cmd(None, &["check"]).code(1);
    let text = String::from_utf8_lossy(&report.get_output().stdout).into_owned();
    assert!(
        text.contains("op1 has been checked into run 1 (PU-1) step 1 since")
            && text.contains("more than 1 hours."),
        "{text}"
    );

    // An operator may not close anyone's labour: refused, nothing written.
    let refused = shop.cmd(Some(OP1), &["check", "--close-stale"]).code(3);
    assert!(stderr_of(refused)
        .contains("Closing stale labour sessions needs the supervisor or admin role"),);
    assert_eq!(
        shop.run_json()["run"]["steps"][0]["sessions"][0]["ended_at"],
        serde_json::Value::Null
    );

    let out = shop
        .cmd(
            Some(("sup1", "3333")),
            &["--json", "check", "--close-stale"],
        )
        .success();
    let outcome: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(outcome["healthy"], true, "{outcome:#}");
    let closed = outcome["closed_sessions"].as_array().expect("closed list");
    assert_eq!(closed.len(), 1, "{outcome:#}");
    assert_eq!(closed[0]["serial"], "PU-1");
    let event = &closed[0]["event"];
    assert_eq!(event["event"], "session_edited", "{event:#}");
    let reason = event["reason"].as_str().expect("reason");
    assert!(
        reason.starts_with("open 3 h, over max_session_hours 1: counted up to 1 h"),
        "{reason}"
    );
    let start = chrono::DateTime::parse_from_rfc3339(&three_hours_ago).expect("start");
    let end = shop.run_json()["run"]["steps"][0]["sessions"][0]["ended_at"]
        .as_str()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("end"))
        .expect("the session is closed");
    assert_eq!(end - start, chrono::Duration::hours(1));

    // Once closed there is nothing left to close, and the trail replays.
    let again = shop.ok(("sup1", "3333"), &["check", "--close-stale"]);
    assert!(!again.contains("closed by traveler check"), "{again}");
    assert!(again.contains("The database is healthy."), "{again}");
    shop.cmd(None, &["audit", "verify", "--replay"]).success();
}

#[test]
fn a_close_rationale_with_an_escape_or_a_newline_cannot_fake_a_line_anywhere_it_is_shown() {
    let shop = Shop::new();
    shop.ok(
        OP1,
        &[
            "issue",
            "open",
            "--run",
            "PU-1",
            "--title",
            "Scratch on housing",
        ],
    );
    shop.ok(
        QE1,
        &[
            "issue",
            "disposition",
            "1",
            "use-as-is",
            "--rationale",
            "cosmetic",
        ],
    );
    // An escape is refused by the rules, nothing written.
    let refused = shop
        .cmd(
            Some(QE1),
            &["issue", "close", "1", "--rationale", "ok\u{1b}[2J"],
        )
        .code(3);
    assert!(stderr_of(refused).contains("contains an escape character"));
    // A line break is kept, and shown escaped wherever the rationale is printed.
    let hostile = "ok\nsignature_recorded approved by admin";
    let outputs = [
        shop.ok(QE1, &["issue", "close", "1", "--rationale", hostile]),
        shop.ok(QE1, &["issue", "show", "1"]),
        shop.ok(QE1, &["audit", "log", "--run", "PU-1"]),
    ];
    for out in &outputs {
        assert!(
            !out.lines().any(|l| l.starts_with("signature_recorded")),
            "the rationale started a line of its own: {out}"
        );
    }
    assert!(
        outputs[1].contains("ok\\nsignature_recorded approved by admin"),
        "{}",
        outputs[1]
    );
}
