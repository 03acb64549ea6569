//! End to end: the real binary in tmux, driven by keys like a person (and a
//! barcode scanner) would, through a whole step: sign in, scan a run's
//! serial, check in, type a measurement, scan an install, a second user signs
//! off with their own PIN, complete. The database is then read back through
//! the CLI. Skipped (with a note) only when tmux is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_traveler");

const PROCEDURE: &str = r#"
key = "SHAFT-FIT"
title = "Shaft fit"
kind = "build"
produces = "PUMP-100"

[[step]]
key = "fit"
title = "Fit the shaft"
instructions = "Fit the shaft, measure the runout, scan the bearing."

  [[step.field]]
  name = "Runout"
  type = "number"
  unit = "mm"
  min = 0.0
  max = 0.05

  [[step.field]]
  name = "QA approval"
  type = "signoff"
  role = "quality"

  [[step.install]]
  part = "BRG-1"
  quantity = 1
"#;

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Runs the CLI as `user` and insists it succeeds.
fn cli(db: &Path, user: Option<(&str, &str)>, args: &[&str]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db);
    cmd.env_remove("TRAVELER_USER").env_remove("TRAVELER_PIN");
    if let Some((login, pin)) = user {
        cmd.env("TRAVELER_USER", login).env("TRAVELER_PIN", pin);
    }
    let out = cmd.args(args).output().expect("run traveler");
    assert!(
        out.status.success(),
        "traveler {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn seed(dir: &Path) -> PathBuf {
    let db = dir.join("e2e.db");
    let admin = Some(("admin", "4444"));
    cli(&db, None, &["init", "--admin", "admin", "--pin", "4444"]);
    for (login, name, role, pin) in [
        ("op1", "Operator One", "operator", "1111"),
        ("qe1", "Quality One", "quality", "2222"),
        ("sup1", "Supervisor One", "supervisor", "3333"),
    ] {
        cli(
            &db,
            admin,
            &[
                "user", "add", login, "--name", name, "--role", role, "--pin", pin,
            ],
        );
    }
    cli(
        &db,
        admin,
        &["part", "add", "PUMP-100", "--tracking", "serial"],
    );
    cli(
        &db,
        admin,
        &["part", "add", "BRG-1", "--tracking", "serial"],
    );
    cli(
        &db,
        admin,
        &["inventory", "receive", "BRG-1", "--serial", "B-77"],
    );
    let file = dir.join("shaft.toml");
    std::fs::write(&file, PROCEDURE).unwrap();
    cli(&db, admin, &["procedure", "import", file.to_str().unwrap()]);
    cli(&db, admin, &["procedure", "release", "SHAFT-FIT"]);
    cli(
        &db,
        Some(("sup1", "3333")),
        &[
            "run",
            "create",
            "--procedure",
            "SHAFT-FIT",
            "--serial",
            "PU-77",
        ],
    );
    db
}

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let socket = format!("traveler-e2e-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                "100",
                "-y",
                "30",
            ])
            .arg(command)
            .status()
            .expect("start tmux");
        assert!(status.success());
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types text as a person does: one key at a time, with pauses.
    fn type_slowly(&self, text: &str) {
        for c in text.chars() {
            self.tmux(&["send-keys", "-t", "e2e", "-l", &c.to_string()]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "e2e", key]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// A barcode scanner: the whole text and Enter in one burst.
    fn scan(&self, text: &str) {
        self.tmux(&[
            "send-keys",
            "-t",
            "e2e",
            "-l",
            text,
            ";",
            "send-keys",
            "-t",
            "e2e",
            "Enter",
        ]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// A USB scanner with a suffix delay: the text in one burst, then Enter
    /// 100 ms later.
    fn scan_with_slow_enter(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(100));
        self.tmux(&["send-keys", "-t", "e2e", "Enter"]);
        std::thread::sleep(Duration::from_millis(150));
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Waits until the screen shows `text`, or fails with the screen.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("the screen never showed {text:?}; it shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn a_whole_step_from_sign_in_to_sign_off_and_completion() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "station = \"e2e-bench\"\nidle_lock_minutes = 0\n").unwrap();
    let command = format!(
        "env -u NO_COLOR TERM=xterm-256color {BIN} --config '{}' --db '{}'; echo TRAVELER-EXITED $?; sleep 30",
        config.display(),
        db.display()
    );
    let t = Tmux::start(&command);
    t.wait_for("Sign in · station e2e-bench");

    // Sign in: login, then PIN (masked).
    t.type_slowly("op1");
    t.key("Enter");
    t.type_slowly("1111");
    let screen = t.screen();
    assert!(
        screen.contains("••••") && !screen.contains("1111"),
        "{screen}"
    );
    t.key("Enter");
    t.wait_for("Run board");
    t.wait_for("PU-77");

    // Scan the unit's serial on the board: the run opens, even from a
    // scanner whose Enter comes 100 ms after the text.
    t.scan_with_slow_enter("PU-77");
    t.wait_for("Run 1 · PU-77");
    t.key("Enter");
    t.wait_for("Step 1 · Fit the shaft");

    // Check in.
    t.key("i");
    t.wait_for("you are checked in");

    // Type a measurement: the verdict shows as it is typed.
    t.key("Enter");
    t.type_slowly("0.02");
    t.wait_for("✓ in range");
    t.key("Enter");
    t.wait_for("Saved Runout = 0.02");

    // A scan installs the bearing.
    t.scan("B-77");
    t.wait_for("Installed B-77");

    // Completion is refused while the sign-off waits, with the reason.
    t.key("c");
    t.wait_for("Complete (c) refused");
    t.key("Escape");

    // A second user signs off with their own login and PIN.
    t.key("a");
    t.wait_for("Expecting approval by: quality");
    t.type_slowly("qe1");
    t.key("Tab");
    t.type_slowly("2222");
    t.key("Enter");
    t.key("Enter");
    t.wait_for("signed by Quality One");

    // Now the step completes, and with it the run.
    t.key("c");
    t.wait_for("The run is complete");

    t.key("q");
    t.wait_for("TRAVELER-EXITED 0");

    let shown = cli(&db, None, &["--json", "run", "show", "PU-77"]);
    let run: serde_json::Value = serde_json::from_str(&shown).expect("run show --json");
    let text = run.to_string();
    assert!(text.contains("\"complete\""), "{text}");
    let audit = cli(&db, None, &["audit", "log", "--run", "PU-77"]);
    for action in [
        "check_in",
        "field_value_saved",
        "installed",
        "signature_recorded",
        "run_completed",
    ] {
        assert!(audit.contains(action), "audit lacks {action}:\n{audit}");
    }
    let signed = audit
        .lines()
        .find(|l| l.contains("signature_recorded"))
        .unwrap_or_default();
    assert!(signed.contains("qe1"), "the second user signed: {signed}");
    let installed = audit
        .lines()
        .find(|l| l.contains(" installed "))
        .unwrap_or_default();
    assert!(
        installed.contains("\"scanned\":true"),
        "installed by scan: {installed}"
    );
    let verify = cli(&db, None, &["audit", "verify"]);
    assert!(!verify.is_empty());
}
