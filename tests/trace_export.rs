//! Traceability (`trace down`, `trace up`) and the record of a build
//! (`run export`), on the demo database, through the binary. The demo's
//! pump with the accepted deviation (PU-1012) is worked on to have every
//! element of a record: a corrected value, installs, a comment, a redline,
//! a disposition, a sign-off, then a PIN reset by the admin.

mod old_schema;

use assert_cmd::Command;
use scraper::{Html, Selector};
use serde_json::Value as Json;
use std::path::PathBuf;

struct Demo {
    dir: tempfile::TempDir,
    db: PathBuf,
}

const OPERATOR: (&str, &str) = ("operator", "1111");
const QUALITY: (&str, &str) = ("quality", "2222");
const SUPERVISOR: (&str, &str) = ("supervisor", "3333");
const ADMIN: (&str, &str) = ("admin", "4444");
/// The demo's pump run with the deviation.
const PUMP: &str = "PU-1012";
const HOSTILE_COMMENT: &str = "Seal lip <script>alert('x')</script> & \"nicked\"";

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("demo.db");
        let demo = Demo { dir, db };
        demo.cmd(None, &["demo", "--no-tui"]).success();
        demo
    }

    fn cmd(&self, user: Option<(&str, &str)>, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut c = Command::cargo_bin("traveler").expect("binary");
        c.env_remove("TRAVELER_USER")
            .env_remove("TRAVELER_PIN")
            .env_remove("TRAVELER_CONFIG")
            .timeout(std::time::Duration::from_secs(60));
        c.arg("--db").arg(&self.db);
        if let Some((login, pin)) = user {
            c.args(["--user", login, "--pin", pin]);
        }
        c.args(args).assert()
    }

    fn ok(&self, user: (&str, &str), args: &[&str]) {
        self.cmd(Some(user), args).success();
    }

    /// A read, with no credentials.
    fn read(&self, args: &[&str]) -> String {
        let out = self.cmd(None, args).success();
        String::from_utf8(out.get_output().stdout.clone()).expect("utf-8")
    }

    fn json(&self, args: &[&str]) -> Json {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.read(&all)).expect("json")
    }

    /// Works the deviation pump to have every element of a record.
    fn work_the_pump(&self) {
        self.ok(OPERATOR, &["step", "checkin", PUMP, "impeller"]);
        self.ok(
            OPERATOR,
            &["install", PUMP, "impeller", "IMP-0007", "--scanned"],
        );
        self.ok(OPERATOR, &["install", PUMP, "impeller", "LT-2309"]);
        self.ok(
            OPERATOR,
            &["field", "set", PUMP, "impeller", "Nut torque", "11.5"],
        );
        self.ok(
            OPERATOR,
            &[
                "field",
                "set",
                PUMP,
                "impeller",
                "Nut torque",
                "11.3",
                "--reason",
                "Wrench <b>not</b> zeroed; re-torqued.",
            ],
        );
        self.ok(
            OPERATOR,
            &["field", "set", PUMP, "impeller", "Torque wrench", "TW-02"],
        );
        self.ok(OPERATOR, &["comment", PUMP, "impeller", HOSTILE_COMMENT]);
        self.ok(
            OPERATOR,
            &["comment", PUMP, "impeller", "=HYPERLINK(\"http://x\")"],
        );
        self.ok(OPERATOR, &["step", "complete", PUMP, "impeller"]);
        self.ok(
            OPERATOR,
            &[
                "redline",
                "propose",
                PUMP,
                "inspect",
                "--reason",
                "Drawing rev C",
                "--instructions",
                "Check against drawing rev C.",
            ],
        );
        let redlines = self.json(&["redline", "list", PUMP]);
        let id = redlines[0]["id"].to_string();
        self.ok(SUPERVISOR, &["redline", "approve", PUMP, &id]);
        self.ok(
            QUALITY,
            &[
                "issue",
                "disposition",
                "2",
                "use-as-is",
                "--rationale",
                "Seal maker confirms fit.",
            ],
        );
        self.ok(OPERATOR, &["step", "checkin", PUMP, "inspect"]);
        self.ok(
            OPERATOR,
            &[
                "field",
                "set",
                PUMP,
                "inspect",
                "Visual defects found",
                "no",
            ],
        );
        self.ok(
            QUALITY,
            &["signoff", "approve", PUMP, "inspect", "Quality approval"],
        );
        // After the signatures, the admin resets the quality engineer's PIN.
        self.ok(ADMIN, &["user", "set-pin", "quality", "--pin", "9999"]);
    }
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css))
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn trace_down_lists_every_install_with_step_time_and_installer_and_inventory_tree_keeps_its_shape()
{
    let demo = Demo::new();
    let tree = demo.json(&["trace", "down", "PU-1005"]);
    assert_eq!(tree["identifier"], "PU-1005");
    assert_eq!(tree["part"], "PUMP-100");
    let installed = tree["installed"].as_array().expect("installs");
    let ids: Vec<&str> = installed
        .iter()
        .filter_map(|i| i["identifier"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    let impeller = installed
        .iter()
        .find(|i| i["part"] == "IMP-7")
        .expect("an impeller");
    assert_eq!(impeller["step"], "impeller");
    assert_eq!(impeller["installed_by"], "operator2");
    assert!(impeller["installed_at"].is_string());
    let text = demo.read(&["trace", "down", "PU-1005"]);
    assert!(
        text.contains("step impeller (3)") && text.contains("by operator2"),
        "{text}"
    );

    // `inventory tree` is the same tree in its old form: a list of lines.
    let lines = demo.json(&["inventory", "tree", "PU-1005"]);
    let lines: Vec<&str> = lines
        .as_array()
        .expect("inventory tree --json is a list of lines")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert_eq!(lines[0], "PUMP-100 PU-1005 (available)");
    assert_eq!(lines.len(), 1 + ids.len());
    for id in &ids {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("  ") && l.contains(id) && l.contains("(run 5, step")),
            "{lines:?}"
        );
    }

    let missing = demo.cmd(None, &["trace", "down", "NOPE-1"]).code(1);
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(
        stderr.contains("There is no serial or lot 'NOPE-1'"),
        "{stderr}"
    );
}

const SKID: &str = r#"
key = "SKID"
title = "Pump skid"
kind = "build"
produces = "SKID-1"

[[step]]
key = "mount"
title = "Mount the pump"
instructions = "Bolt the pump to the frame."

  [[step.install]]
  part = "PUMP-100"
  quantity = 1
"#;

/// A skid with pump PU-1005 in it: a second level above the pump's parts.
fn build_a_skid(demo: &Demo) {
    let file = demo.dir.path().join("skid.toml");
    std::fs::write(&file, SKID).expect("write");
    demo.ok(ADMIN, &["part", "add", "SKID-1", "--tracking", "serial"]);
    demo.ok(
        ADMIN,
        &["procedure", "import", file.to_str().expect("path")],
    );
    demo.ok(ADMIN, &["procedure", "release", "SKID"]);
    demo.ok(
        SUPERVISOR,
        &["run", "create", "--procedure", "SKID", "--serial", "SK-1"],
    );
    demo.ok(OPERATOR, &["step", "checkin", "SK-1", "mount"]);
    demo.ok(OPERATOR, &["install", "SK-1", "mount", "PU-1005"]);
    demo.ok(OPERATOR, &["step", "complete", "SK-1", "mount"]);
}

#[test]
fn trace_up_finds_every_unit_at_every_level_that_holds_a_lot_or_a_serial() {
    let demo = Demo::new();
    build_a_skid(&demo);
    // The seal lot went into several pumps, one of which is in the skid.
    let used = demo.json(&["trace", "up", "SL-2611-A"]);
    let units: Vec<&str> = used["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter_map(|u| u.as_str())
        .collect();
    assert!(
        units.contains(&"PU-1005") && units.contains(&"SK-1"),
        "{units:?}"
    );
    // Every pump whose run installed the lot and still holds it, and nothing else.
    let tree = demo.json(&["trace", "down", "PU-1012"]);
    assert!(tree["installed"]
        .as_array()
        .expect("installs")
        .iter()
        .any(|i| i["identifier"] == "SL-2611-A"));
    assert!(units.contains(&"PU-1012"));
    assert!(
        !units.contains(&"PU-1011"),
        "the failed pump got no seals: {units:?}"
    );
    let first = used["used_in"].as_array().expect("used_in");
    let pump = first
        .iter()
        .find(|u| u["unit"] == "PU-1005")
        .expect("PU-1005 holds the lot");
    assert_eq!(pump["level"], 1);
    assert_eq!(pump["step"], "seals");
    assert_eq!(pump["run"], 5);
    let skid = &pump["used_in"][0];
    assert_eq!(skid["level"], 2);
    assert_eq!(skid["unit"], "SK-1");
    assert_eq!(skid["contains"], "PU-1005");
    assert_eq!(skid["step"], "mount");

    // A serial: its one holder, then the skid above it.
    let used = demo.json(&["trace", "up", "IMP-0002"]);
    assert_eq!(used["units"], serde_json::json!(["PU-1005", "SK-1"]));
    let text = demo.read(&["trace", "up", "IMP-0002"]);
    assert!(
        text.contains("PU-1005 holds IMP-0002") && text.contains("SK-1 holds PU-1005"),
        "{text}"
    );
    // Going down from the skid reaches the pump's parts.
    let down = demo.json(&["trace", "down", "SK-1"]);
    assert_eq!(down["installed"][0]["identifier"], "PU-1005");
    assert_eq!(
        down["installed"][0]["installed"]
            .as_array()
            .map(|a| a.len()),
        Some(3)
    );

    // A lot taken back out of a unit no longer counts for it.
    demo.ok(
        ("operator2", "5555"),
        &["install", "PU-1014", "seals", "SL-2611-A"],
    );
    let held = demo.json(&["trace", "up", "SL-2611-A"]);
    assert!(held["units"]
        .as_array()
        .expect("units")
        .contains(&Json::from("PU-1014")));
    demo.ok(
        ("operator2", "5555"),
        &["uninstall", "PU-1014", "seals", "SL-2611-A"],
    );
    let held = demo.json(&["trace", "up", "SL-2611-A"]);
    assert!(
        !held["units"]
            .as_array()
            .expect("units")
            .contains(&Json::from("PU-1014")),
        "{held}"
    );
    // Stock never installed is held by no unit.
    let unused = demo.json(&["trace", "up", "IMP-0015"]);
    assert_eq!(unused["used_in"], serde_json::json!([]));
}

#[test]
fn the_where_used_query_walks_an_index() {
    let demo = Demo::new();
    let conn = rusqlite::Connection::open(&demo.db).expect("open");
    let plan: Vec<String> = conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN SELECT DISTINCT run FROM audit WHERE entity = ?1 AND {}
             AND run IS NOT NULL ORDER BY run",
            traveler::store::schema::ENTITY_INDEXED
        ))
        .expect("prepare")
        .query_map(["inventory SL-2611-A"], |r| r.get::<_, String>(3))
        .expect("plan")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(
        plan.iter().any(|p| p.contains("INDEX audit_entity")),
        "{plan:?}"
    );
}

#[test]
fn a_schema_4_database_with_data_gains_the_index_and_still_verifies() {
    let mut demo = Demo::new();
    let current = demo.db.clone();
    demo.db = current.with_file_name("old.db");
    old_schema::schema_four_copy_of(&current, &demo.db);
    let used = demo.json(&["trace", "up", "IMP-0002"]);
    assert_eq!(used["units"], serde_json::json!(["PU-1005"]));
    let conn = rusqlite::Connection::open(&demo.db).expect("open");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, traveler::store::schema::CURRENT_VERSION);
    let index: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'audit_entity'",
            [],
            |r| r.get(0),
        )
        .expect("index");
    assert_eq!(index, 1);
    demo.cmd(None, &["audit", "verify", "--replay"]).success();
}

fn step<'a>(record: &'a Json, key: &str) -> &'a Json {
    record["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["key"] == key)
        .expect("step")
}

fn field<'a>(step: &'a Json, name: &str) -> &'a Json {
    step["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == name)
        .expect("field")
}

#[test]
fn the_json_record_of_the_demo_pump_holds_every_element() {
    let demo = Demo::new();
    demo.work_the_pump();
    let r = demo.json(&["run", "export", PUMP, "--format", "json"]);
    assert_eq!(r["format"], "traveler-run-record");
    assert_eq!(r["run"]["serial"], PUMP);
    assert_eq!(r["run"]["procedure_key"], "PUMP-ASSY");
    assert_eq!(r["run"]["procedure_version"], 1);
    assert_eq!(r["run"]["procedure_title"], "Pump assembly");
    let history: Vec<&str> = r["run_history"]
        .as_array()
        .expect("run history")
        .iter()
        .filter_map(|m| m["to"].as_str())
        .collect();
    assert_eq!(&history[..2], ["todo", "in_progress"]);

    // Step states, from the trail.
    let impeller = step(&r, "impeller");
    let moves: Vec<(&str, &str)> = impeller["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap_or(""),
                m["to"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [("todo", "in_progress"), ("in_progress", "complete")]
    );
    assert_eq!(impeller["history"][1]["by"], "operator");

    // Values: unit, rule, verdict, who, when, and the earlier value with its successor's reason.
    let torque = field(impeller, "Nut torque");
    assert_eq!(torque["unit"], "N·m");
    assert!(torque["rule"].as_str().expect("rule").contains("10"));
    let values = torque["values"].as_array().expect("values");
    assert_eq!(values.len(), 2);
    assert_eq!(
        (values[0]["value"].as_str(), values[0]["current"].as_bool()),
        (Some("11.5"), Some(false))
    );
    assert_eq!(
        (values[1]["value"].as_str(), values[1]["current"].as_bool()),
        (Some("11.3"), Some(true))
    );
    assert_eq!(values[1]["verdict"], "in_range");
    assert_eq!(values[1]["by"], "operator");
    assert_eq!(values[1]["replaces"], values[0]["id"]);
    assert!(values[1]["reason"]
        .as_str()
        .expect("reason")
        .contains("re-torqued"));
    let bore = field(step(&r, "bore"), "Bore diameter");
    assert_eq!(bore["values"][0]["verdict"], "out_of_range");
    assert_eq!(bore["deviations"][0]["issue"], 2);
    assert!(bore["deviations"][0]["rationale"]
        .as_str()
        .expect("rationale")
        .contains("interference"));

    // Installs with their serials and lots.
    let installs = impeller["installs"].as_array().expect("installs");
    let imp = installs
        .iter()
        .find(|i| i["identifier"] == "IMP-0007")
        .expect("the impeller");
    assert_eq!(
        (imp["tracking"].as_str(), imp["scanned"].as_bool()),
        (Some("serial"), Some(true))
    );
    assert!(installs
        .iter()
        .any(|i| i["identifier"] == "LT-2309" && i["tracking"] == "lot"));
    assert!(step(&r, "seals")["installs"]
        .as_array()
        .expect("seals")
        .iter()
        .any(|i| i["identifier"] == "SL-2611-A" && i["quantity"] == 2));

    // Labour and comments.
    assert!(impeller["labour"]
        .as_array()
        .expect("labour")
        .iter()
        .any(|l| l["user"] == "operator" && l["minutes"].is_i64()));
    assert_eq!(impeller["comments"][0]["text"], HOSTILE_COMMENT);

    // The redline, the issue and its disposition.
    assert_eq!(r["redlines"][0]["state"], "approved");
    assert_eq!(r["redlines"][0]["decided_by"], "supervisor");
    assert!(r["redlines"][0]["change"]
        .as_str()
        .expect("change")
        .contains("rev C"));
    let issue = r["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .find(|i| i["id"] == 2)
        .expect("issue 2");
    assert_eq!(issue["disposition"], "use_as_is");
    assert!(issue["approvals"][0]["signature"]["rationale"]
        .as_str()
        .expect("rationale")
        .contains("confirms"));

    // The manifest: a deviation, a disposition and a sign-off, each with a
    // printed name, login, both times, meaning and the SHA-256 it binds to,
    // and each marked as made before the admin reset the signer's PIN.
    let sigs = r["signatures"].as_array().expect("signatures");
    let kinds: Vec<&str> = sigs.iter().filter_map(|s| s["kind"].as_str()).collect();
    assert_eq!(kinds, ["deviation", "disposition", "signoff"]);
    for s in sigs {
        assert_eq!(s["login"], "quality");
        assert_eq!(s["name"], "Demo Quality Engineer");
        assert!(s["at_utc"].is_string() && s["at_local"].is_string());
        assert!(is_sha256(s["sha256"].as_str().expect("sha256")), "{s}");
        assert!(s["audit_seq"].is_i64(), "{s}");
        assert_eq!(s["secret_set_by_signer"], true);
        assert_eq!(s["pin_reset_by_other_after"]["by"], "admin", "{s}");
    }
    let signoff = &sigs[2];
    assert_eq!(signoff["meaning"], "approved");
    assert_eq!(signoff["field"], "Quality approval");
    // The sign-off binds to the inspect step's values as the domain hashes them.
    let shown = demo.json(&["run", "show", PUMP]);
    let inspect = shown["run"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["key"] == "inspect")
        .expect("inspect");
    let stored = inspect["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["def"]["name"] == "Quality approval")
        .expect("sign-off");
    assert_eq!(signoff["sha256"], stored["signatures"][0]["values_sha256"]);
    // The deviation binds to the audit event that recorded it.
    let events = r["events"].as_array().expect("events");
    let dev_row = events
        .iter()
        .find(|e| e["seq"] == sigs[0]["audit_seq"])
        .expect("the deviation's event");
    assert_eq!(dev_row["action"], "deviation_accepted");
    assert_eq!(dev_row["hash"], sigs[0]["sha256"]);

    // The record ends with the anchor of the run's last event, which verifies.
    let last = demo.json(&["audit", "log", "--run", PUMP, "--limit", "1"]);
    assert_eq!(r["anchor"]["seq"], last[0]["seq"]);
    assert_eq!(events.last().expect("events")["seq"], last[0]["seq"]);
    let line = r["anchor"]["line"].as_str().expect("line");
    demo.cmd(None, &["audit", "verify", "--anchor", line])
        .success();
}

#[test]
fn the_html_record_is_one_escaped_self_contained_printable_page() {
    let demo = Demo::new();
    demo.work_the_pump();
    let path = demo.dir.path().join("pump.html");
    demo.read(&[
        "run",
        "export",
        PUMP,
        "--format",
        "html",
        "--out",
        path.to_str().expect("path"),
    ]);
    let page = std::fs::read_to_string(&path).expect("written");
    let doc = Html::parse_document(&page);

    // Self-contained, no script: nothing loaded, nothing run.
    assert!(doc
        .select(&sel("script, link, img, iframe, object, embed"))
        .next()
        .is_none());
    for element in doc.select(&sel("*")) {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "an event handler: {name}");
            assert!(
                !value.contains("http:") && !value.contains("https:"),
                "an external reference: {value}"
            );
        }
    }
    let csp = doc
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("a policy");
    assert!(csp.contains("default-src 'none'"));
    // Printable on A4 and Letter: print rules, a page box with margins and no fixed size.
    let style = texts(&doc, "style").join("");
    assert!(style.contains("@media print") && style.contains("@page"));
    let page_box = style
        .split("@page")
        .nth(1)
        .and_then(|b| b.split('}').next())
        .unwrap_or("");
    assert!(
        page_box.contains("margin") && !page_box.contains("size"),
        "no paper size is forced: {page_box}"
    );
    assert!(style.contains("thead { display: table-header-group; }"));

    // The hostile comment is text, not markup.
    let comments = texts(&doc, "table.comments td");
    assert!(
        comments.iter().any(|c| c == HOSTILE_COMMENT),
        "{comments:?}"
    );
    let reason_cells = texts(&doc, "table.values td");
    assert!(
        reason_cells
            .iter()
            .any(|c| c.contains("Wrench <b>not</b> zeroed")),
        "escaped reason"
    );

    // Header: procedure and version.
    let header = texts(&doc, "table.header tr").join(" | ");
    assert!(
        header.contains("PUMP-ASSY v1")
            && header.contains("Pump assembly")
            && header.contains(PUMP),
        "{header}"
    );
    // Earlier value struck through, current one not.
    assert_eq!(texts(&doc, "table.values del"), ["11.5 N·m"]);
    assert!(texts(&doc, "table.values b")
        .iter()
        .any(|v| v == "11.3 N·m"));
    assert!(
        reason_cells.iter().any(|c| c.contains("✗ out of range")),
        "the bore's verdict"
    );
    assert!(reason_cells
        .iter()
        .any(|c| c.contains("deviation on value")));
    // Step history, installs, labour, redlines, issues.
    assert!(texts(&doc, "table.step-history td")
        .iter()
        .any(|c| c == "in_progress"));
    let installs = texts(&doc, "table.installs td");
    assert!(
        installs.iter().any(|c| c == "IMP-0007 ×1") && installs.iter().any(|c| c == "SL-2611-A ×2"),
        "{installs:?}"
    );
    assert!(texts(&doc, "table.labour td")
        .iter()
        .any(|c| c.ends_with(" min")));
    assert!(texts(&doc, "table.redlines td")
        .iter()
        .any(|c| c.contains("rev C")));
    let issues = texts(&doc, "table.issues td").join(" | ");
    assert!(
        issues.contains("use_as_is") && issues.contains("Seal maker confirms fit."),
        "{issues}"
    );

    // The manifest: three signatures, each with name, login, UTC and local time, a hash, and the mark.
    let rows: Vec<Vec<String>> = doc
        .select(&sel("table.signatures tbody tr"))
        .map(|tr| {
            tr.select(&sel("td"))
                .map(|td| td.text().collect())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert!(
            row[0].contains("signed before a PIN reset by admin"),
            "{row:?}"
        );
        assert_eq!(row[1], "Demo Quality Engineer");
        assert_eq!(row[2], "quality");
        assert!(row[3].ends_with(" UTC"));
        assert!(row[4].contains(':') && !row[4].is_empty());
        assert!(
            row[7]
                .split_whitespace()
                .any(|w| w.len() >= 64 && is_sha256(&w[..64])),
            "{row:?}"
        );
    }
    // The anchor, last.
    let anchor = texts(&doc, "p.anchor");
    assert_eq!(anchor.len(), 1);
    assert!(anchor[0].starts_with("traveler-audit-anchor seq="));
    let h2 = texts(&doc, "h2");
    assert_eq!(h2.last().map(String::as_str), Some("Audit chain anchor"));
    demo.cmd(None, &["audit", "verify", "--anchor", &anchor[0]])
        .success();
}

#[test]
fn out_writes_atomically_and_never_over_a_file_unless_forced() {
    let demo = Demo::new();
    let path = demo.dir.path().join("run.json");
    let out = path.to_str().expect("path");
    std::fs::write(&path, "keep me").expect("write");
    let refused = demo
        .cmd(None, &["run", "export", PUMP, "--out", out])
        .code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep me");
    demo.cmd(None, &["run", "export", PUMP, "--out", out, "--force"])
        .success();
    let written: Json =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(written["run"]["serial"], PUMP);
    // Nothing left behind beside it.
    let names: Vec<String> = std::fs::read_dir(demo.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".traveler-export-")),
        "{names:?}"
    );
    // A folder that does not exist is an error, not a panic.
    let missing = demo.dir.path().join("no/such/dir/run.json");
    demo.cmd(
        None,
        &[
            "run",
            "export",
            PUMP,
            "--out",
            missing.to_str().expect("path"),
        ],
    )
    .code(1);
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV")
}

#[test]
fn the_csv_record_has_a_row_per_element_and_neutralises_formulas() {
    let demo = Demo::new();
    demo.work_the_pump();
    let text = demo.read(&["run", "export", PUMP, "--format", "csv"]);
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let rows = csv_rows(&text);
    assert_eq!(&rows[0][0], "section");
    let sections: std::collections::BTreeSet<&str> = rows.iter().skip(1).map(|r| &r[0]).collect();
    for s in [
        "run",
        "run_state",
        "step",
        "step_state",
        "value",
        "earlier_value",
        "deviation",
        "install",
        "labour",
        "comment",
        "redline",
        "issue",
        "issue_action",
        "signature",
        "anchor",
    ] {
        assert!(sections.contains(s), "no {s} row: {sections:?}");
    }
    let comments: Vec<&str> = rows
        .iter()
        .filter(|r| &r[0] == "comment")
        .map(|r| &r[3])
        .collect();
    assert!(
        comments.contains(&HOSTILE_COMMENT),
        "quotes and commas survive: {comments:?}"
    );
    assert!(
        comments.contains(&"'=HYPERLINK(\"http://x\")"),
        "{comments:?}"
    );
    assert_eq!(rows.last().map(|r| r[0].to_string()), Some("anchor".into()));
}

#[test]
fn a_batch_export_has_one_row_per_value_of_every_run_changed_since_the_date() {
    let demo = Demo::new();
    let text = demo.read(&[
        "run",
        "export",
        "--all",
        "--since",
        "2000-01-01",
        "--format",
        "csv",
    ]);
    let rows = csv_rows(&text);
    assert_eq!(&rows[0][0], "run");
    assert_eq!(&rows[0][9], "value");
    // As many rows as values in the whole database.
    let mut expected = 0;
    let runs = demo.json(&["run", "list", "--limit", "1000"]);
    for run in runs.as_array().expect("runs") {
        let id = format!("#{}", run["id"]);
        let shown = demo.json(&["run", "show", &id]);
        for step in shown["run"]["steps"].as_array().expect("steps") {
            for f in step["fields"].as_array().expect("fields") {
                expected += f["values"].as_array().map(|v| v.len()).unwrap_or(0);
            }
        }
    }
    assert!(expected > 20);
    assert_eq!(rows.len() - 1, expected);
    // The corrected 3V3 rail shows both values, the earlier one not current.
    let rail: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[1] == "CB-1016" && &r[7] == "3V3 rail")
        .collect();
    assert_eq!(rail.len(), 2);
    assert_eq!((&rail[0][13], &rail[1][13]), ("false", "true"));
    assert!(rail[1][16].contains("re-measured"));

    let future = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let none = csv_rows(&demo.read(&[
        "run", "export", "--all", "--since", &future, "--format", "csv",
    ]));
    assert_eq!(none.len(), 1, "only the header");
    // CSV only, and a date that parses.
    demo.cmd(None, &["run", "export", "--all", "--format", "html"])
        .code(2);
    demo.cmd(
        None,
        &[
            "run",
            "export",
            "--all",
            "--since",
            "yesterday",
            "--format",
            "csv",
        ],
    )
    .code(1);
}
