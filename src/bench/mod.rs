//! `traveler bench`: builds databases of the asked sizes in a temporary
//! folder and prints, side by side, what each screen and command costs at
//! each size and what bare SQLite needs for the same job, measured in the
//! same run. `cargo bench` measures the same operations with criterion.

pub mod baseline;
pub mod data;
pub mod ops;
pub mod report_ops;
pub mod table;
pub mod timing;
pub mod tui;

use anyhow::{anyhow, bail, Context, Result};
use baseline::BareTxn;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use table::{Cell, Table};

/// What to measure.
pub struct Options {
    /// Database sizes, in runs (each more than 330).
    pub runs: Vec<usize>,
    /// Repetitions per number (the median is shown).
    pub repeat: usize,
}

/// Everything measured at one size.
struct AtSize {
    board: Duration,
    search: Duration,
    open_run: Duration,
    quality: Duration,
    save_fresh: Duration,
    save_heavy: Duration,
    audit_verify: Duration,
    cli_action: Duration,
    tui: tui::TuiNumbers,
}

/// Runs the whole benchmark and returns the table as text.
///
/// The sizes are measured side by side: every round times each operation
/// once at every size, one size right after the other, so a minute in which
/// the machine is slower (a shared host, its disk) weighs on every size alike
/// and the ratios between sizes stay readable.
pub fn run(options: &Options) -> Result<String> {
    if options.runs.is_empty() {
        bail!("Give at least one database size with --runs N.");
    }
    let folder = TempFolder::new()?;
    let exe = std::env::current_exe().context("Could not find the traveler program to spawn")?;
    let repeat = options.repeat.max(1);
    let bare_dir = folder.path.join("bare");
    std::fs::create_dir_all(&bare_dir)?;
    let mut bare = Bare {
        txn: BareTxn::open(&bare_dir.join("in-process.db"))?,
        times: Vec::new(),
    };
    let mut dbs = Vec::new();
    for &runs in &options.runs {
        let db = folder.path.join(format!("runs-{runs}.db"));
        let began = Instant::now();
        eprintln!("Generating {runs} runs…");
        data::build(&db, runs, data::HEAVY_VALUES)?;
        flush_to_disk(&db)?;
        eprintln!("  generated in {:.1?}", began.elapsed());
        dbs.push((runs, db));
    }
    eprintln!("Measuring, every size in each round…");
    let largest = dbs
        .iter()
        .max_by_key(|(runs, _)| *runs)
        .map(|(_, db)| db.clone())
        .ok_or_else(|| anyhow!("No database size was given."))?;
    let mut sizes: Vec<(usize, Times)> = Vec::new();
    let mut stores = Vec::new();
    for (runs, db) in &dbs {
        let store = crate::store::Store::open(db)?;
        let probe = ops::probe_run(&store)?;
        let heavy = ops::heavy_run(&store)?;
        stores.push((store, probe, heavy));
        sizes.push((*runs, Times::default()));
    }
    let mut first_page = Vec::new();
    let mut n = 0u64;
    for round in 0..repeat {
        for ((store, probe, heavy), (_, times)) in stores.iter_mut().zip(sizes.iter_mut()) {
            times.board.push(timed(|| ops::board_load(store))?);
            times.search.push(timed(|| ops::serial_search_keys(store))?);
            times.open_run.push(timed(|| ops::open_run(store, *probe))?);
            times.quality.push(timed(|| ops::quality_load(store))?);
            n += 1;
            let run = ops::fresh_run(store, &format!("FRESH-{n:05}"))?;
            bare.once()?;
            times
                .save_fresh
                .push(timed(|| ops::save_value(store, run, n, false))?);
            n += 1;
            bare.once()?;
            times
                .save_heavy
                .push(timed(|| ops::save_value(store, *heavy, n, true))?);
            if round < 5 {
                times.audit_verify.push(timed(|| ops::audit_verify(store))?);
            }
        }
        first_page.push(timed(|| {
            baseline::first_page(&largest, crate::app::state::BOARD_PAGE).map(|_| ())
        })?);
    }
    drop(stores);
    let scratch = bare_dir.join("process.db");
    let mut bare_process = Vec::new();
    for _ in 0..repeat {
        for ((_, db), (_, times)) in dbs.iter().zip(sizes.iter_mut()) {
            n += 1;
            times.cli_action.push(cli_action(&exe, db, n)?);
        }
        bare_process.push(spawn_timed(
            Command::new(&exe).arg("bare-txn").arg(&scratch),
        )?);
    }
    let mut measured = Vec::new();
    for ((runs, db), (_, times)) in dbs.iter().zip(sizes) {
        measured.push((*runs, times.medians(tui_numbers(&exe, db, repeat)?)));
    }
    Ok(report(
        &measured,
        repeat,
        timing::median(&mut bare.times),
        timing::median(&mut first_page),
        timing::median(&mut bare_process),
    ))
}

/// Every time taken at one size, one per round.
#[derive(Default)]
struct Times {
    board: Vec<Duration>,
    search: Vec<Duration>,
    open_run: Vec<Duration>,
    quality: Vec<Duration>,
    save_fresh: Vec<Duration>,
    save_heavy: Vec<Duration>,
    audit_verify: Vec<Duration>,
    cli_action: Vec<Duration>,
}

impl Times {
    fn medians(mut self, tui: tui::TuiNumbers) -> AtSize {
        AtSize {
            board: timing::median(&mut self.board),
            search: timing::median(&mut self.search),
            open_run: timing::median(&mut self.open_run),
            quality: timing::median(&mut self.quality),
            save_fresh: timing::median(&mut self.save_fresh),
            save_heavy: timing::median(&mut self.save_heavy),
            audit_verify: timing::median(&mut self.audit_verify),
            cli_action: timing::median(&mut self.cli_action),
            tui,
        }
    }
}

/// How long `f` took; its error if it failed.
fn timed(f: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let began = Instant::now();
    f()?;
    Ok(began.elapsed())
}

/// Waits until the generated database is on disk: the operating system
/// otherwise writes its hundreds of megabytes back while the saves are
/// measured, and every measured fsync waits behind that writeback.
fn flush_to_disk(db: &Path) -> Result<()> {
    for path in [db.to_path_buf(), db.with_extension("db-wal")] {
        if path.exists() {
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("Could not flush {} to disk", path.display()))?;
        }
    }
    Ok(())
}

/// The bare 2-row transaction, timed once before every measured save so
/// that both meet the same disk at the same moments (fsync times on a
/// shared machine move from minute to minute).
struct Bare {
    txn: BareTxn,
    times: Vec<Duration>,
}

impl Bare {
    fn once(&mut self) -> Result<()> {
        let began = Instant::now();
        self.txn.once()?;
        self.times.push(began.elapsed());
        Ok(())
    }
}

/// One `traveler field set` as a whole process, spawn to exit.
fn cli_action(exe: &Path, db: &Path, n: u64) -> Result<Duration> {
    spawn_timed(
        Command::new(exe)
            .arg("--db")
            .arg(db)
            .args(["--user", "operator", "--pin", data::PIN, "field", "set"])
            .args([data::CLI_SERIAL, "bore", "Bore diameter"])
            .arg(format!("25.0{}", n % 5))
            .args(["--reason", "re-measured"]),
    )
}

/// The terminal's numbers, from a process of its own (its resident memory
/// is the terminal's alone).
fn tui_numbers(exe: &Path, db: &Path, repeat: usize) -> Result<tui::TuiNumbers> {
    let output = Command::new(exe)
        .arg("--db")
        .arg(db)
        .arg("bench-tui")
        .args(["--repeat", &repeat.to_string()])
        .output()
        .context("Could not start traveler bench-tui")?;
    if !output.status.success() {
        bail!(
            "traveler bench-tui failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("traveler bench-tui printed no numbers")
}

/// The wall time of one child process, start to exit; an error if it fails.
fn spawn_timed(command: &mut Command) -> Result<Duration> {
    let began = Instant::now();
    let output = command
        .output()
        .context("Could not start a traveler process")?;
    let took = began.elapsed();
    if !output.status.success() {
        bail!(
            "A spawned traveler process failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(took)
}

/// The hidden `traveler bare-txn PATH`: one 2-row transaction in a process
/// of its own, the baseline for a command-line action.
pub fn bare_txn_process(path: &Path) -> Result<()> {
    BareTxn::open(path)?.once()
}

fn report(
    sizes: &[(usize, AtSize)],
    repeat: usize,
    bare_txn: Duration,
    first_page: Duration,
    bare_process: Duration,
) -> String {
    let mut t = Table::new(sizes.iter().map(|(runs, _)| *runs).collect());
    let each = |f: &dyn Fn(&AtSize) -> Cell| sizes.iter().map(|(_, s)| f(s)).collect::<Vec<_>>();
    let ms = |d: Duration| Cell::Time(d);
    let ns = |n: u64| Cell::Time(Duration::from_nanos(n));
    t.row(
        "PIN Enter → first board frame (TUI)",
        each(&|s| ns(s.tui.sign_in_to_board_ns)),
        Some(("first page, fresh connection", first_page)),
    );
    t.row(
        "any key → redrawn frame (TUI: update + draw)",
        each(&|s| ns(s.tui.key_to_frame_ns)),
        None,
    );
    t.row(
        "board load (page + counts + stuck)",
        each(&|s| ms(s.board)),
        Some(("first page, fresh connection", first_page)),
    );
    t.row(
        &format!(
            "serial search, {} keys (a board load per key)",
            ops::search_keys()
        ),
        each(&|s| ms(s.search)),
        None,
    );
    t.row(
        "open a run (run + issues + history)",
        each(&|s| ms(s.open_run)),
        None,
    );
    t.row("quality screen load", each(&|s| ms(s.quality)), None);
    t.row(
        "save a value on a fresh run",
        each(&|s| ms(s.save_fresh)),
        Some(("2-row IMMEDIATE txn, FULL, WAL", bare_txn)),
    );
    t.row(
        &format!(
            "save a value on a run with {} values",
            table::grouped(data::HEAVY_VALUES)
        ),
        each(&|s| ms(s.save_heavy)),
        Some(("2-row IMMEDIATE txn, FULL, WAL", bare_txn)),
    );
    t.row(
        "audit verify (whole chain)",
        each(&|s| ms(s.audit_verify)),
        None,
    );
    t.row(
        "CLI action, whole process (field set)",
        each(&|s| ms(s.cli_action)),
        Some(("2-row txn process", bare_process)),
    );
    t.row(
        "TUI resident memory after every screen",
        each(&|s| Cell::Bytes(s.tui.resident_bytes)),
        None,
    );
    let mut out = t.render();
    out.push_str(&format!(
        "\nEach number is the median of {repeat} runs (the audit verify of up to 5, the key of at \
         least 20; the bare transaction ran once before each measured save, and its number is \
         the median of all those) on databases the generator made in a temporary \
         folder, measured side by side in one process: each round times every operation once \
         at every size. TUI numbers drive the app's update, effect \
         runner and drawing on a {}x{} test screen in a process of its own, each key passing \
         through the scan detector as in the terminal (which never waits for a next key). Memory is \
         that process's resident set (/proc/self/statm) after the board, a run, a step and the \
         quality screen were shown. Processes are timed from spawn to exit. The ratio is the \
         largest size over the smallest; × bare is the largest size over the bare SQLite \
         baseline.\nMachine: {}.\n",
        120,
        40,
        machine()
    ));
    out
}

/// The processor and core count, as far as the system says.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown processor".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores available, {}", std::env::consts::OS)
}

/// A folder under the system's temporary folder, removed when dropped.
struct TempFolder {
    path: PathBuf,
}

impl TempFolder {
    fn new() -> Result<TempFolder> {
        let path = std::env::temp_dir().join(format!(
            "traveler-bench-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_millis()
        ));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("Could not make the folder {}", path.display()))?;
        Ok(TempFolder { path })
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
