//! The command line: parse, open the store, dispatch, and turn every outcome
//! into output and an exit code (0 done, 1 error, 2 usage, 3 refused by the rules).

pub mod admin;
pub mod args;
pub mod audit;
pub mod context;
pub mod export;
pub mod quality;
pub mod report;
pub mod show;
pub mod trace;
pub mod work;

use crate::config::Config;
use crate::store::Store;
use anyhow::{anyhow, Result};
use args::{Cli, Cmd};
use clap::Parser;
use context::{CliError, Ctx};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the database lives when nothing says otherwise.
pub fn default_db_path(file: &str) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "traveler").ok_or_else(|| {
        anyhow!("Could not find a home folder for the database; pass --db PATH or set TRAVELER_DB.")
    })?;
    Ok(dirs.data_dir().join(file))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e, json);
            ExitCode::from(e.exit_code())
        }
    }
}

fn report_error(e: &CliError, json: bool) {
    match e {
        CliError::Refused(r) => {
            if json {
                let body = serde_json::json!({ "refused": true, "conflict": r.conflict, "reasons": r.reasons });
                context::out(&format!("{body}\n"));
            } else {
                eprintln!("Refused:");
                for reason in &r.reasons {
                    eprintln!("  - {}", crate::domain::escape_unprintable(reason));
                }
            }
        }
        CliError::Reported(_) => {}
        CliError::Failed(err) => {
            if json {
                context::out(&format!(
                    "{}\n",
                    serde_json::json!({ "error": format!("{err:#}") })
                ));
            } else {
                eprintln!("error: {}", context::escape_lines(&format!("{err:#}")));
            }
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), CliError> {
    let config = Config::load(cli.config.as_deref())?;
    let command = cli.command.unwrap_or(Cmd::Tui);
    if let Cmd::Demo { no_tui, replace } = command {
        return crate::demo::run(cli.db, &config, no_tui, replace).map_err(CliError::Failed);
    }
    match command {
        Cmd::Bench { runs, repeat } => return bench(&runs, repeat),
        Cmd::BareTxn { path } => {
            return crate::bench::bare_txn_process(&path).map_err(CliError::Failed)
        }
        _ => {}
    }
    let db = match (cli.db, &config.database) {
        (Some(p), _) => p,
        (None, Some(p)) => p.clone(),
        (None, None) => default_db_path("traveler.db")?,
    };
    if !db.exists() && !matches!(command, Cmd::Init { .. }) {
        return Err(CliError::Failed(anyhow!(
            "There is no database at {}. Create one with `traveler --db {} init --admin LOGIN --pin PIN`, or try `traveler demo`.",
            db.display(),
            db.display()
        )));
    }
    if let Cmd::BenchTui { repeat } = command {
        let numbers = crate::bench::tui::measure(&db, repeat as usize)?;
        context::out(&format!(
            "{}\n",
            serde_json::to_string(&numbers).map_err(anyhow::Error::from)?
        ));
        return Ok(());
    }
    run_on(cli.auth, cli.json, &config, command, &db).map_err(|e| match e {
        CliError::Failed(e) => CliError::Failed(crate::store::sqlite_errors::explain(e, &db)),
        other => other,
    })
}

/// Runs one command on the database at `db`.
fn run_on(
    auth: args::AuthArgs,
    json: bool,
    config: &Config,
    command: Cmd,
    db: &std::path::Path,
) -> Result<(), CliError> {
    let mut store = match Store::open(db) {
        Ok(store) => store,
        Err(why) if matches!(command, Cmd::Check { .. }) => {
            return audit::check_unopenable(json, &crate::store::sqlite_errors::explain(why, db));
        }
        Err(why) => return Err(why.into()),
    };
    store.set_max_attachment_mb(config.max_attachment_mb);
    if let Cmd::Tui = command {
        if !store.has_users()? {
            return Err(CliError::Failed(anyhow!(
                "The database {} has no users yet. Create it with `traveler --db {} init --admin LOGIN --pin PIN`, or try `traveler demo`.",
                db.display(),
                db.display()
            )));
        }
        return crate::app::run_tui(store, config).map_err(CliError::Failed);
    }
    let mut ctx = Ctx {
        store,
        json,
        station: config.station.clone(),
        user: auth.user,
        pin: auth.pin,
        max_procedure_mb: config.max_procedure_mb,
    };
    match command {
        Cmd::Init {
            admin: login,
            pin,
            name,
        } => admin::init(&mut ctx, &login, &pin, &name),
        Cmd::Demo { .. }
        | Cmd::Tui
        | Cmd::Bench { .. }
        | Cmd::BareTxn { .. }
        | Cmd::BenchTui { .. } => Ok(()),
        Cmd::User(c) => admin::user(&mut ctx, c),
        Cmd::Part(c) => admin::part(&mut ctx, c),
        Cmd::Inventory(c) => admin::inventory(&mut ctx, c),
        Cmd::Procedure(c) => admin::procedure(&mut ctx, c),
        Cmd::Settings(c) => admin::settings(&mut ctx, c),
        Cmd::Run(c) => work::run(&mut ctx, c),
        Cmd::Step(a) => work::step(&mut ctx, a),
        Cmd::Field(c) => work::field(&mut ctx, c),
        Cmd::Install {
            run,
            step,
            identifier,
            quantity,
            scanned,
        } => work::install(&mut ctx, &run, step, identifier, quantity, scanned),
        Cmd::Uninstall {
            run,
            step,
            identifier,
        } => work::uninstall(&mut ctx, &run, step, identifier),
        Cmd::Signoff {
            decision,
            run,
            step,
            field,
            comment,
        } => work::signoff(&mut ctx, decision, &run, step, field, comment),
        Cmd::Comment { run, step, text } => work::comment(&mut ctx, &run, step, text),
        Cmd::Labour(c) => work::labour(&mut ctx, c),
        Cmd::Issue(c) => quality::issue(&mut ctx, c),
        Cmd::Deviation(c) => quality::deviation(&mut ctx, c),
        Cmd::Requirement(c) => quality::requirement(&mut ctx, c),
        Cmd::Redline(c) => quality::redline(&mut ctx, c),
        Cmd::Audit(c) => audit::audit(&mut ctx, c),
        Cmd::Trace(c) => trace::trace(&ctx, c),
        Cmd::Report(c) => report::report(&mut ctx, c),
        Cmd::Check {
            anchors,
            session_hours,
            close_stale,
        } => audit::check(&mut ctx, &anchors, session_hours, close_stale),
    }
}

/// `traveler bench`: the table on standard output, progress on standard error.
fn bench(runs: &[u64], repeat: u64) -> Result<(), CliError> {
    let runs: Vec<usize> = if runs.is_empty() {
        vec![1_000, 100_000]
    } else {
        runs.iter().map(|&n| n as usize).collect()
    };
    let table = crate::bench::run(&crate::bench::Options {
        runs,
        repeat: repeat as usize,
    })?;
    context::out(&table);
    Ok(())
}
