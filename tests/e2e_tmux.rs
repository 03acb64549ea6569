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

/// A tmux server of our own (its own socket), killed when dropped: one
/// terminal of the shop floor.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        Tmux::start_as("e2e", command)
    }

    /// A terminal with its own label, so several can run at once.
    fn start_as(label: &str, command: &str) -> Tmux {
        let socket = format!("traveler-e2e-{}-{label}", std::process::id());
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

    /// A person at the keyboard: each key further apart than the scan
    /// detector's gap (100 ms), so nothing of it can pass for a scanner.
    fn type_by_hand(&self, text: &str) {
        for c in text.chars() {
            self.tmux(&["send-keys", "-t", "e2e", "-l", &c.to_string()]);
            std::thread::sleep(Duration::from_millis(250));
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

impl Tmux {
    /// Waits until one line of the screen shows all of `parts`.
    fn wait_for_line(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if let Some(line) = screen.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
                return line.to_string();
            }
            if Instant::now() > deadline {
                panic!("no line of the screen showed {parts:?}; it shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn sign_in(&self, login: &str, pin: &str) {
        self.wait_for("Sign in");
        self.type_slowly(login);
        self.key("Enter");
        self.type_slowly(pin);
        self.key("Enter");
        // The board, or a quality engineer's queue.
        self.wait_for("Signed in as");
    }
}

/// The command that opens the terminal on `db` as station `station`.
fn terminal_command(dir: &Path, db: &Path, station: &str) -> String {
    let config = dir.join(format!("{station}.toml"));
    std::fs::write(
        &config,
        format!("station = \"{station}\"\nidle_lock_minutes = 0\n"),
    )
    .unwrap();
    format!(
        "env -u NO_COLOR TERM=xterm-256color {BIN} --config '{}' --db '{}'; echo TRAVELER-EXITED $?; sleep 30",
        config.display(),
        db.display()
    )
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
    // The masked PIN is drawn when the terminal gets to it (a loaded machine is slow).
    let screen = t.wait_for("••••");
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
    // The login box holds the signed-in operator's login: back to it, clear it.
    t.key("BTab");
    t.key("C-u");
    t.type_slowly("qe1");
    t.key("Tab");
    t.type_slowly("2222");
    // Enter on the typed PIN signs: the comment is optional for an approval.
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

/// Three terminals at once on one database: an operator completes the
/// measured step with an install, a quality engineer signs off from the
/// quality screen of a second terminal, and a supervisor's board in a third
/// shows the run complete without a key pressed there.
#[test]
fn three_terminals_operator_quality_and_board_work_the_same_run() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    let floor = Tmux::start_as("floor", &terminal_command(dir.path(), &db, "cell-1"));
    let lab = Tmux::start_as("lab", &terminal_command(dir.path(), &db, "qa-lab"));
    let office = Tmux::start_as("office", &terminal_command(dir.path(), &db, "office"));
    floor.sign_in("op1", "1111");
    lab.sign_in("qe1", "2222");
    office.sign_in("sup1", "3333");
    office.wait_for_line(&["PU-77", "todo"]);

    // The operator works the step at the floor terminal.
    floor.scan("PU-77");
    floor.wait_for("Run 1 · PU-77");
    floor.key("Enter");
    floor.wait_for("Step 1 · Fit the shaft");
    floor.key("i");
    floor.wait_for("you are checked in");
    floor.key("Enter");
    floor.type_slowly("0.03");
    floor.wait_for("✓ in range");
    floor.key("Enter");
    floor.wait_for("Saved Runout = 0.03");
    floor.scan("B-77");
    floor.wait_for("Installed B-77");

    // The board in the office follows by itself.
    office.wait_for_line(&["PU-77", "sign: quality", "op1"]);

    // The quality engineer finds the sign-off waiting on their queue, where
    // signing in put them, with its count in the header.
    lab.wait_for("Sign-offs for you");
    lab.wait_for("1 sign-off");
    lab.key("Right");
    lab.key("Right");
    lab.wait_for_line(&["PU-77", "QA approval"]);
    lab.key("Enter");
    lab.wait_for("Step 1 · Fit the shaft");
    lab.key("a");
    lab.wait_for("Expecting approval by: quality");
    // Signed in as qe1: the login is filled in, the cursor is in the PIN box.
    lab.type_slowly("2222");
    lab.key("Enter");
    lab.key("Enter");
    lab.wait_for("signed by Quality One");

    // Back at the floor terminal the step completes, and with it the run.
    floor.key("c");
    floor.wait_for("The run is complete");

    // The office board shows it, still without a key pressed there.
    office.wait_for_line(&["PU-77", "complete"]);

    let audit = cli(&db, None, &["audit", "log", "--run", "PU-77"]);
    let signed = audit
        .lines()
        .find(|l| l.contains("signature_recorded"))
        .unwrap_or_default()
        .to_string();
    assert!(signed.contains("qe1"), "{signed}");
    let events = cli(&db, None, &["--json", "audit", "log", "--run", "PU-77"]);
    let events: serde_json::Value = serde_json::from_str(&events).unwrap();
    let station_of = |action: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| e["station"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    assert_eq!(station_of("signature_recorded"), "qa-lab");
    assert_eq!(station_of("installed"), "cell-1");
    cli(&db, None, &["audit", "verify"]);
}

/// Whether process `pid` still runs (a zombie waiting to be reaped does not).
fn process_alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// The process id of the traveler running in the terminal.
fn traveler_pid(t: &Tmux) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = Command::new("pgrep")
            .args(["-f", &format!("^{BIN} ")])
            .output()
            .expect("pgrep");
        let pids = String::from_utf8_lossy(&out.stdout).into_owned();
        // Several tests run at once: take the one whose parent is this pane.
        let pane = t.tmux(&["list-panes", "-t", "e2e", "-F", "#{pane_pid}"]);
        for pid in pids.split_whitespace() {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let parent = stat
                .rsplit_once(") ")
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .unwrap_or("");
            if parent == pane.trim() || pid == pane.trim() {
                return pid.to_string();
            }
        }
        assert!(Instant::now() < deadline, "traveler never started");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sigterm_gives_the_terminal_back_in_its_normal_mode() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    let config = dir.path().join("term.toml");
    std::fs::write(&config, "station = \"term\"\nidle_lock_minutes = 0\n").unwrap();
    // After traveler, the shell prints the terminal's line discipline:
    // `icanon` and `echo` are on again only if traveler restored them.
    let command = format!(
        "env -u NO_COLOR TERM=xterm-256color {BIN} --config '{}' --db '{}'; echo TRAVELER-EXITED $?; stty -a | tr ' ;' '\\n\\n' | grep -E -x -- '-?(icanon|echo)'; echo MODES-SHOWN; sleep 30",
        config.display(),
        db.display()
    );
    // op1 is checked in (from the command line) when their terminal is stopped.
    cli(
        &db,
        Some(("op1", "1111")),
        &["step", "checkin", "PU-77", "fit"],
    );
    let t = Tmux::start_as("term", &command);
    t.sign_in("op1", "1111");
    let pid = traveler_pid(&t);
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let screen = t.wait_for("MODES-SHOWN");
    assert!(screen.contains("TRAVELER-EXITED 0"), "{screen}");
    assert!(screen.contains("asked to stop (SIGTERM)"), "{screen}");
    let modes: Vec<&str> = screen
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with("icanon") || l.ends_with("echo"))
        .collect();
    assert_eq!(modes, ["icanon", "echo"], "{screen}");
    // close_labour_on_quit is on by default: stopping the terminal closed
    // op1's session, and the trail says why.
    let shown = cli(&db, None, &["--json", "run", "show", "PU-77"]);
    assert!(!shown.contains("\"checked_in\":[\"op1\"]"), "{shown}");
    let log = cli(&db, None, &["audit", "log", "--run", "PU-77"]);
    assert!(log.contains("closed when the terminal was closed"), "{log}");
}

#[test]
fn a_terminal_that_goes_away_ends_traveler_instead_of_spinning() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    let config = dir.path().join("gone.toml");
    std::fs::write(&config, "station = \"gone\"\nidle_lock_minutes = 0\n").unwrap();
    // In a session of its own the closing terminal sends traveler no SIGHUP:
    // only its input hangs up (a dead terminal's reads return nothing).
    let command = format!(
        "setsid -w env -u NO_COLOR TERM=xterm-256color {BIN} --config '{}' --db '{}'",
        config.display(),
        db.display()
    );
    let t = Tmux::start_as("gone", &command);
    t.wait_for("Sign in");
    let pid = traveler_pid(&t);
    drop(t);
    let deadline = Instant::now() + Duration::from_secs(8);
    while process_alive(&pid) {
        if Instant::now() > deadline {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("traveler {pid} still ran 8 s after its terminal closed");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Tmux {
    /// A scanner or gauge with no prefix: each character `every` ms after
    /// the one before, then Enter as its suffix. Returns the longest spacing
    /// the keys really had (a loaded machine makes each `tmux` call slow).
    fn type_at(&self, every: u64, text: &str) -> Duration {
        let mut longest = Duration::ZERO;
        let mut last: Option<Instant> = None;
        let keys = text
            .chars()
            .map(|c| (c.to_string(), true))
            .chain([("Enter".to_string(), false)]);
        for (key, literal) in keys {
            let mut args = vec!["send-keys", "-t", "e2e"];
            if literal {
                args.push("-l");
            }
            args.push(&key);
            self.tmux(&args);
            let now = Instant::now();
            if let Some(before) = last {
                longest = longest.max(now - before);
            }
            last = Some(now);
            std::thread::sleep(Duration::from_millis(every));
        }
        std::thread::sleep(Duration::from_millis(300));
        longest
    }
}

/// Opens the terminal with `extra` config lines, signs op1 in, opens step 1
/// of PU-77 and checks in: the cursor rests on the Runout number field.
fn checked_in_on_step_one(label: &str, dir: &Path, db: &Path, extra: &str) -> Tmux {
    let config = dir.join("station.toml");
    std::fs::write(
        &config,
        format!("station = \"e2e-wedge\"\nidle_lock_minutes = 0\n{extra}"),
    )
    .unwrap();
    let t = Tmux::start_as(
        label,
        &format!(
            "env -u NO_COLOR TERM=xterm-256color {BIN} --config '{}' --db '{}'; echo TRAVELER-EXITED $?; sleep 30",
            config.display(),
            db.display()
        ),
    );
    t.sign_in("op1", "1111");
    t.wait_for("PU-77");
    t.scan("PU-77");
    t.wait_for("Run 1 · PU-77");
    t.key("Enter");
    t.wait_for("Step 1 · Fit the shaft");
    t.key("i");
    t.wait_for("you are checked in");
    t
}

#[test]
fn a_scanner_typing_35_or_50_ms_a_character_installs_and_fires_no_command() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    for every in [35, 50] {
        // A try whose keys were not really `every` ms apart (the machine
        // was too busy to send them so) proves nothing: it is tried again.
        for attempt in 1..=3 {
            if scanner_try(every, attempt) {
                break;
            }
            assert!(attempt < 3, "at {every} ms the keys never went out in time");
        }
    }
}

/// One scanner try at `every` ms a character; false when the keys left
/// more than the detector's gap apart.
fn scanner_try(every: u64, attempt: u32) -> bool {
    {
        let dir = tempfile::tempdir().unwrap();
        let db = seed(dir.path());
        // L locks the screen, q quits, c completes, p holds, f fails: all
        // inside the serial.
        let serial = "B-Lqcpf7";
        cli(
            &db,
            Some(("admin", "4444")),
            &["inventory", "receive", "BRG-1", "--serial", serial],
        );
        let t = checked_in_on_step_one(&format!("scanner-{every}-{attempt}"), dir.path(), &db, "");
        let longest = t.type_at(every, serial);
        if longest > Duration::from_millis(traveler::app::scan::DEFAULT_GAP_MS) {
            eprintln!(
                "note: at {every} ms the keys went out up to {longest:?} apart; trying again"
            );
            return false;
        }
        let screen = t.wait_for(&format!("Installed {serial}"));
        assert!(!screen.contains("Sign in"), "at {every} ms: {screen}");
        assert!(
            !screen.contains("TRAVELER-EXITED"),
            "at {every} ms: {screen}"
        );
        assert!(
            !screen.contains("Hold"),
            "no hold form at {every} ms: {screen}"
        );
        let audit = cli(&db, None, &["audit", "log", "--run", "PU-77"]);
        let installed = audit
            .lines()
            .find(|l| l.contains(" installed "))
            .unwrap_or_default();
        assert!(
            installed.contains("\"scanned\":true"),
            "at {every} ms, installed by scan: {audit}"
        );
        for fired in ["on_hold", "failed", "check_out", "run_completed"] {
            assert!(!audit.contains(fired), "at {every} ms {fired}:\n{audit}");
        }
        t.key("q");
        t.wait_for("TRAVELER-EXITED 0");
    }
    true
}

#[test]
fn a_gauge_types_its_reading_into_the_number_field_under_the_cursor() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    let t = checked_in_on_step_one("gauge", dir.path(), &db, "decimal_comma = true\n");
    // The cursor is on Runout (not being edited); the gauge sends 0,02 and Enter.
    let _ = t.type_at(20, "0,02");
    t.wait_for("Saved Runout = 0.02");
    let screen = t.screen();
    assert!(!screen.contains("No serial or lot"), "{screen}");
    t.key("q");
    t.wait_for("TRAVELER-EXITED 0");
    let shown = cli(&db, None, &["--json", "run", "show", "PU-77"]);
    assert!(shown.contains("0.02"), "{shown}");
}

/// A supervisor's board shows a hold with its reason within a second of an
/// operator holding the step at another terminal (one database file), with
/// no key pressed at the board.
#[test]
fn a_hold_at_the_floor_reaches_the_supervisors_board_with_its_reason() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    let floor = Tmux::start_as("hold-floor", &terminal_command(dir.path(), &db, "cell-1"));
    let office = Tmux::start_as("hold-office", &terminal_command(dir.path(), &db, "office"));
    floor.sign_in("op1", "1111");
    office.sign_in("sup1", "3333");
    office.wait_for_line(&["PU-77", "todo"]);

    floor.scan("PU-77");
    floor.wait_for("Run 1 · PU-77");
    floor.key("Enter");
    floor.wait_for("Step 1 · Fit the shaft");
    floor.key("i");
    floor.wait_for("you are checked in");
    floor.key("p");
    floor.wait_for("Holding checks everyone out");
    floor.type_slowly("seal driver missing");
    floor.key("Enter");
    floor.wait_for("on hold");
    let held_at = Instant::now();
    let line = office.wait_for_line(&["PU-77", "held: seal"]);
    let took = held_at.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "the board took {took:?} to show the hold: {line}"
    );
    // The detail line names the reason and who held it.
    office.wait_for_line(&["held at step 1: seal driver missing", "op1"]);
}

#[test]
fn a_serial_typed_on_the_board_without_slash_opens_that_run_not_the_highlighted_one() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed, so the end-to-end test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seed(dir.path());
    // A newer run sits highlighted at the top of the board.
    cli(
        &db,
        Some(("sup1", "3333")),
        &[
            "run",
            "create",
            "--procedure",
            "SHAFT-FIT",
            "--serial",
            "PU-78",
        ],
    );
    let t = Tmux::start_as("type-serial", &terminal_command(dir.path(), &db, "cell-1"));
    t.sign_in("op1", "1111");
    t.wait_for_line(&["PU-78", "todo"]);
    t.type_by_hand("PU-77");
    t.wait_for("PU-77");
    t.key("Enter");
    t.wait_for("Run 1 · PU-77");
}
