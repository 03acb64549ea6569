//! The command line, as clap types. README documents it; `traveler --help` shows it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "traveler",
    version,
    about = "Shop-floor execution terminal: runs, steps, fields, installs, sign-offs, audit trail."
)]
pub struct Cli {
    /// Database file (default: TRAVELER_DB, then the config file, then the user's data folder).
    #[arg(long, global = true, env = "TRAVELER_DB")]
    pub db: Option<PathBuf>,
    /// Station config file (default: the user's config folder's traveler/config.toml).
    #[arg(long, global = true, env = "TRAVELER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print results as JSON (read commands and refusals).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Args, Debug, Clone)]
pub struct AuthArgs {
    /// Login of the user acting (actions that change data). Give it before the command.
    #[arg(long, env = "TRAVELER_USER")]
    pub user: Option<String>,
    /// That user's PIN or password (or TRAVELER_PIN). Give it before the command.
    #[arg(long, env = "TRAVELER_PIN", hide_env_values = true)]
    pub pin: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Create a new database with its first admin user.
    Init {
        #[arg(long)]
        admin: String,
        /// The first admin's PIN.
        #[arg(long)]
        pin: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Seed a fresh demo database, then open the terminal on it.
    Demo {
        /// Only seed and print the summary; do not open the terminal.
        #[arg(long)]
        no_tui: bool,
        /// Replace the file given with --db if it already exists.
        #[arg(long)]
        replace: bool,
    },
    /// Open the terminal (the default when no command is given).
    Tui,
    #[command(subcommand)]
    User(UserCmd),
    #[command(subcommand)]
    Part(PartCmd),
    #[command(subcommand)]
    Inventory(InventoryCmd),
    #[command(subcommand)]
    Procedure(ProcedureCmd),
    #[command(subcommand)]
    Run(RunCmd),
    /// Step actions: check in/out, complete, hold, resume, rework, fail, reopen.
    Step(StepArgs),
    #[command(subcommand)]
    Field(FieldCmd),
    /// Install a serial or lot into a step's build requirement.
    Install {
        run: String,
        step: String,
        identifier: String,
        /// For lots: install fewer than the requirement still needs.
        #[arg(long, allow_negative_numbers = true)]
        quantity: Option<i64>,
        /// The identifier came from a barcode scanner.
        #[arg(long)]
        scanned: bool,
    },
    /// Take an installed serial or lot back out (step not complete).
    Uninstall {
        run: String,
        step: String,
        identifier: String,
    },
    /// Approve or reject a sign-off field (the PIN is the signature).
    Signoff {
        #[arg(value_enum)]
        decision: Decision,
        run: String,
        step: String,
        field: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Add a comment to a step.
    Comment {
        run: String,
        step: String,
        text: String,
    },
    #[command(subcommand)]
    Issue(IssueCmd),
    #[command(subcommand)]
    Deviation(DeviationCmd),
    #[command(subcommand)]
    Requirement(RequirementCmd),
    #[command(subcommand)]
    Redline(RedlineCmd),
    #[command(subcommand)]
    Labour(LabourCmd),
    #[command(subcommand)]
    Settings(SettingsCmd),
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Traceability: the as-built tree of a unit, or where a serial or lot was used.
    #[command(subcommand)]
    Trace(TraceCmd),
    /// Reports (reads: no PIN needed): cycle time, SPC of a numeric field.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Whether the database is healthy: SQLite integrity, schema, audit chain
    /// (and anchors), replay of the trail against the state tables, labour
    /// sessions left open, attachments. Exit 0 healthy, 1 naming each problem.
    Check {
        /// An anchor line, or a file of anchor lines (`audit anchor --to FILE`); repeatable.
        #[arg(long = "anchor", value_name = "LINE|FILE")]
        anchors: Vec<String>,
        /// Report labour sessions open longer than this many hours
        /// (default: the org's `max_session_hours`).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        session_hours: Option<i64>,
        /// First close every labour session open longer than the org's
        /// `max_session_hours`, counted up to that limit (supervisor or
        /// admin; --user and --pin). One audited event per session.
        #[arg(long)]
        close_stale: bool,
    },
    /// Measure this machine: builds databases of 1,000 and 100,000 runs in a
    /// temporary folder and prints what each screen and command costs at each
    /// size next to bare SQLite doing the same (takes minutes; needs no --db).
    Bench {
        /// A database size in runs (more than 330); repeatable. Default: 1000 and 100000.
        #[arg(long = "runs", value_parser = clap::value_parser!(u64).range(331..=10_000_000))]
        runs: Vec<u64>,
        /// Repetitions per number; the median is shown.
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=1000))]
        repeat: u64,
    },
    /// For `bench`: one bare 2-row SQLite transaction on the scratch file PATH.
    #[command(hide = true)]
    BareTxn { path: PathBuf },
    /// For `bench`: the terminal's numbers on --db, as one JSON line.
    #[command(hide = true)]
    BenchTui {
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=1000))]
        repeat: u64,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add a user (admin). `--pin` here is the new user's PIN; the admin's own
    /// goes before the command (`traveler --user ADMIN --pin P user add ...`) or in TRAVELER_PIN.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// One or more roles: operator, quality, supervisor, admin, or a procedure's own (witness...).
        #[arg(long = "role", required = true, num_args = 1..)]
        roles: Vec<String>,
        #[arg(long)]
        pin: String,
    },
    List,
    /// Deactivate a login (admin); its history stays.
    Deactivate {
        login: String,
    },
    /// Reactivate a login (admin).
    Activate {
        login: String,
    },
    /// Set a user's PIN (admin, or the user themself).
    SetPin {
        login: String,
        /// The new PIN.
        #[arg(long)]
        pin: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum TrackingArg {
    Serial,
    Lot,
    None,
}

#[derive(Subcommand, Debug)]
pub enum PartCmd {
    Add {
        number: String,
        #[arg(long, value_enum)]
        tracking: TrackingArg,
        #[arg(long, default_value = "")]
        description: String,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum InventoryCmd {
    /// Receive a serial unit or a lot into stock.
    Receive {
        part: String,
        #[arg(long, conflicts_with_all = ["lot", "quantity"])]
        serial: Option<String>,
        #[arg(long, requires = "quantity")]
        lot: Option<String>,
        #[arg(long, allow_negative_numbers = true)]
        quantity: Option<i64>,
    },
    List,
    /// The as-built tree under a serial (deprecated: `trace down` shows it
    /// with the step, time and installer of each install).
    Tree {
        serial: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProcedureCmd {
    /// Import a procedure file as a new draft version (admin).
    Import {
        file: PathBuf,
    },
    /// Release the newest draft of a procedure (admin).
    Release {
        key: String,
        #[arg(long)]
        version: Option<i64>,
    },
    List,
    /// A procedure's steps, fields (with options and sign-off roles) and installs:
    /// the newest version, or --version V.
    Show {
        key: String,
        #[arg(long)]
        version: Option<i64>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RunStateArg {
    Todo,
    /// Also accepted as `in_progress`, as `run list` prints it.
    #[value(alias = "in_progress")]
    InProgress,
    Complete,
    Failed,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FailInventoryArg {
    Scrapped,
    Quarantined,
}

#[derive(Subcommand, Debug)]
pub enum RunCmd {
    /// Create a run of a released procedure on a serial (supervisor).
    Create {
        #[arg(long)]
        procedure: String,
        #[arg(long)]
        serial: String,
        #[arg(long)]
        title: Option<String>,
    },
    List {
        #[arg(long, value_enum)]
        state: Option<RunStateArg>,
        /// Serial, title or procedure key containing this text, any case (under three
        /// characters: starting with it).
        #[arg(long)]
        search: Option<String>,
        /// Only runs nobody has touched for this many hours (with --state todo: the stuck ones).
        #[arg(long)]
        untouched_hours: Option<u32>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    Show {
        run: String,
    },
    /// Fail the run (supervisor): the unit is scrapped or quarantined.
    Fail {
        run: String,
        #[arg(long)]
        reason: String,
        #[arg(long, value_enum)]
        inventory: FailInventoryArg,
        #[arg(long)]
        issue: Option<i64>,
    },
    /// Reopen a complete run (admin).
    Reopen {
        run: String,
        #[arg(long)]
        reason: String,
    },
    /// The complete record of a run (JSON, CSV or one printable HTML page),
    /// or with --all the values of many runs as CSV, one row per value.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The run (`#12`, `run:12` or its unit's serial); or --all.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub run: Option<String>,
    /// Every run changed on or after --since (CSV only).
    #[arg(long)]
    pub all: bool,
    /// With --all: YYYY-MM-DD (from 00:00 UTC) or an RFC 3339 time.
    #[arg(long, requires = "all")]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StepAction {
    Checkin,
    Checkout,
    Complete,
    Hold,
    Resume,
    Rework,
    Fail,
    Reopen,
}

#[derive(Args, Debug)]
pub struct StepArgs {
    #[arg(value_enum)]
    pub action: StepAction,
    pub run: String,
    /// The step's key or position.
    pub step: String,
    #[arg(long)]
    pub reason: Option<String>,
    /// rework: expect the procedure to rework this step as a copy; the
    /// procedure decides, and a mismatch is refused.
    #[arg(long)]
    pub copy: bool,
    /// fail: link an existing quality issue.
    #[arg(long)]
    pub issue: Option<i64>,
    /// fail: raise a new quality issue with this title in the same action.
    #[arg(long)]
    pub raise_issue: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum FieldCmd {
    /// Save a value into a field (a new value never overwrites the old one).
    Set {
        run: String,
        step: String,
        field: String,
        /// The value; a negative number needs no `--` before it.
        #[arg(allow_negative_numbers = true)]
        value: String,
        /// Why a saved value is changed: a correction needs one.
        #[arg(long)]
        reason: Option<String>,
        /// Save even though the change voids an approval of the step.
        #[arg(long)]
        void_approval: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum DispositionArg {
    /// Also accepted as `use_as_is`, as `issue show` prints it.
    #[value(alias = "use_as_is")]
    UseAsIs,
    Rework,
    Repair,
    Scrap,
    #[value(alias = "return_to_vendor")]
    ReturnToVendor,
}

#[derive(Subcommand, Debug)]
pub enum IssueCmd {
    /// Raise a quality issue.
    Open {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        run: Option<String>,
        #[arg(long)]
        step: Option<String>,
        #[arg(long)]
        field: Option<String>,
        #[arg(long)]
        inventory: Option<String>,
    },
    /// Set a disposition (quality or admin), signed by the acting user's PIN.
    Disposition {
        issue: i64,
        #[arg(value_enum)]
        disposition: DispositionArg,
        /// Why (required; a missing one is refused with every other reason).
        #[arg(long, default_value = "")]
        rationale: String,
    },
    /// Close a dispositioned issue (quality or admin), saying why.
    Close {
        issue: i64,
        /// Why the issue is done with (required; a missing one is refused
        /// with every other reason).
        #[arg(long, default_value = "")]
        rationale: String,
    },
    List {
        /// Include closed issues.
        #[arg(long)]
        all: bool,
    },
    Show {
        issue: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeviationCmd {
    /// Accept an out-of-range value through a quality issue, signed by the acting user's PIN.
    Accept {
        run: String,
        step: String,
        field: String,
        #[arg(long)]
        issue: i64,
        /// Why (required; a missing one is refused with every other reason).
        #[arg(long, default_value = "")]
        rationale: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RequirementCmd {
    /// Except a build requirement through a quality issue.
    Except {
        run: String,
        step: String,
        part: String,
        #[arg(long)]
        issue: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RedlineCmd {
    /// Propose a change to one run's step.
    Propose {
        run: String,
        step: String,
        #[arg(long)]
        reason: String,
        /// Correct the step's instructions.
        #[arg(long, conflicts_with_all = ["field", "add_step"])]
        instructions: Option<String>,
        /// Change this field's validation (with --min/--max/--target/--tolerance/--unit).
        #[arg(long, conflicts_with = "add_step")]
        field: Option<String>,
        #[arg(long, allow_negative_numbers = true)]
        min: Option<f64>,
        #[arg(long, allow_negative_numbers = true)]
        max: Option<f64>,
        #[arg(long, allow_negative_numbers = true)]
        target: Option<f64>,
        #[arg(long, allow_negative_numbers = true)]
        tolerance: Option<f64>,
        #[arg(long)]
        unit: Option<String>,
        /// Add a new step after STEP, read from a TOML file holding one [[step]].
        #[arg(long)]
        add_step: Option<PathBuf>,
    },
    /// Approve a redline (quality or supervisor): the change applies.
    Approve {
        run: String,
        redline: u64,
    },
    /// Cancel a redline: the step returns to its earlier state.
    Cancel {
        run: String,
        redline: u64,
    },
    List {
        run: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum LabourCmd {
    /// Correct a labour session's times (supervisor).
    Edit {
        run: String,
        step: String,
        session: u64,
        /// UTC, RFC 3339 (2026-11-21T08:00:00Z).
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: Option<String>,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SettingsCmd {
    List,
    /// Change an org setting (admin).
    Set {
        key: String,
        value: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Check the audit chain: exit 0 when it holds, 1 naming the first bad event.
    Verify {
        /// Also check that the chain still holds an anchor taken earlier: an
        /// anchor line, or a file of them (`audit anchor --to FILE`); repeatable.
        #[arg(long = "anchor", value_name = "LINE|FILE")]
        anchors: Vec<String>,
        /// Also rebuild every entity from the trail and compare it with the
        /// state tables, naming the first that differs.
        #[arg(long)]
        replay: bool,
    },
    /// Print the chain's head (sequence, hash, time) as one line to keep
    /// outside the database; `--to FILE` appends it to FILE.
    Anchor {
        #[arg(long, value_name = "FILE")]
        to: Option<std::path::PathBuf>,
    },
    /// Audit events, newest first.
    Log {
        #[arg(long)]
        run: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum TraceCmd {
    /// The as-built tree of a unit: every serial and lot installed in it,
    /// recursively, with the run, step, time and installer.
    Down { unit: String },
    /// Where a serial or lot was used (the recall query): every unit, at
    /// every level, that holds it, with the run and step.
    Up { identifier: String },
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// Floor and lead time of finished runs per procedure (median, p90, min,
    /// max), per-step labour and elapsed time, first-pass yield, scrap rate.
    CycleTime {
        /// Only this procedure (its key).
        #[arg(long)]
        procedure: Option<String>,
        /// Runs finished on or after this UTC date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
        /// Runs finished on or before this UTC date (YYYY-MM-DD), the whole day.
        #[arg(long, value_name = "DATE")]
        until: Option<chrono::NaiveDate>,
    },
    /// Statistical process control of one numeric field across runs: mean,
    /// standard deviation, Cp/Cpk against its rule, Western Electric rules.
    Spc {
        procedure: String,
        step: String,
        field: String,
        /// Only the newest N values.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        last: Option<u32>,
    },
}
