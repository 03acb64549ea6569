//! `run export`: a read like `run show` (no credentials). To standard
//! output, or with `--out FILE` written atomically, never over an existing
//! file unless `--force`.

use super::args::{ExportArgs, ExportFormat};
use super::context::{out as print_out, CliError, CliResult, Ctx};
use crate::export::{batch, csv_out, html, record, write_new};
use anyhow::{anyhow, Result};
use chrono::{NaiveDate, Utc};
use std::io::Write;

pub fn export(ctx: &mut Ctx, args: ExportArgs) -> CliResult {
    if args.all {
        if args.format != ExportFormat::Csv {
            eprintln!("error: `run export --all` writes CSV only: add --format csv.");
            return Err(CliError::Reported(2));
        }
        let since = match &args.since {
            Some(text) => parse_since(text)?,
            None => chrono::DateTime::<Utc>::MIN_UTC,
        };
        let store = &ctx.store;
        return emit(&args, |w| batch::values_since(store, since, w));
    }
    let reference = args.run.as_deref().ok_or_else(|| {
        anyhow!("Name the run to export (`#12`, `run:12` or a serial), or give --all.")
    })?;
    let id = ctx.run_ref(reference)?;
    let rec = record::gather(&ctx.store, id, Utc::now())?;
    emit(&args, |w| match args.format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &rec)?;
            w.write_all(b"\n")?;
            Ok(())
        }
        ExportFormat::Csv => csv_out::record_csv(w, &rec),
        ExportFormat::Html => Ok(w.write_all(html::render(&rec).as_bytes())?),
    })
}

/// Sends the export to its file, or to standard output.
fn emit(args: &ExportArgs, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> CliResult {
    match &args.out {
        Some(path) => {
            write_new(path, args.force, fill)?;
            Ok(())
        }
        None => {
            let mut buffer = Vec::new();
            fill(&mut buffer)?;
            print_out(&String::from_utf8_lossy(&buffer));
            Ok(())
        }
    }
}

/// `YYYY-MM-DD` (from 00:00 UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<crate::domain::Time, CliError> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(t) = date.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            CliError::Failed(anyhow!(
                "--since expects a date as YYYY-MM-DD or an RFC 3339 time (2026-11-21T08:00:00Z), got '{}'.",
                crate::domain::escape_unprintable(text)
            ))
        })
}
