//! `audit verify` and `audit log`.

use super::args::AuditCmd;
use super::context::{CliError, CliResult, Ctx};
use crate::store::audit::Verification;
use anyhow::anyhow;

pub fn audit(ctx: &mut Ctx, cmd: AuditCmd) -> CliResult {
    match cmd {
        AuditCmd::Verify => {
            match ctx.store.verify_audit()? {
                Verification::Intact(n) => {
                    #[derive(serde::Serialize)]
                    struct Ok {
                        intact: bool,
                        events: i64,
                    }
                    ctx.print(&Ok { intact: true, events: n }, || {
                    format!("The audit trail holds: {n} events, each chained to the one before.\n")
                })
                }
                Verification::Broken { seq, why } => Err(CliError::Failed(anyhow!(
                    "The audit trail is broken at event {seq}: {why}."
                ))),
            }
        }
        AuditCmd::Log { run, limit } => {
            let run_id = run.as_deref().map(|r| ctx.run_ref(r)).transpose()?;
            let rows = ctx.store.audit_log(run_id, limit)?;
            ctx.print(&rows, || {
                let mut out = String::new();
                for r in &rows {
                    out.push_str(&format!(
                        "{:>6} {} {:<10} {:<22} {}",
                        r.seq,
                        r.at.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M:%S"),
                        r.user,
                        r.action,
                        r.entity
                    ));
                    if let Some(b) = &r.before {
                        out.push_str(&format!(" | before {b}"));
                    }
                    if let Some(a) = &r.after {
                        out.push_str(&format!(" | after {a}"));
                    }
                    if let Some(why) = &r.reason {
                        out.push_str(&format!(" | reason: {why}"));
                    }
                    out.push('\n');
                }
                out
            })
        }
    }
}
