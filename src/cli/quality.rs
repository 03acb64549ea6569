//! Quality issues, deviations, requirement exceptions and redlines.

use super::args::{DeviationCmd, DispositionArg, IssueCmd, RedlineCmd, RequirementCmd};
use super::context::{push_line, CliError, CliResult, Ctx};
use crate::domain::{find_step, Command, Disposition, RedlineChange, RunId};
use anyhow::anyhow;

pub fn issue(ctx: &mut Ctx, cmd: IssueCmd) -> CliResult {
    match cmd {
        IssueCmd::Open {
            title,
            description,
            run,
            step,
            field,
            inventory,
        } => {
            let run_id: Option<RunId> = run.as_deref().map(|r| ctx.run_ref(r)).transpose()?;
            if step.is_some() && run_id.is_none() {
                return Err(CliError::Failed(anyhow!(
                    "An issue about a step needs its run: add --run RUN."
                )));
            }
            let events = ctx.exec(
                run_id,
                Command::RaiseIssue {
                    title,
                    description,
                    step,
                    field,
                    inventory,
                },
            )?;
            ctx.report(&events, run_id)
        }
        IssueCmd::Disposition {
            issue,
            disposition,
            rationale,
        } => {
            let disposition = match disposition {
                DispositionArg::UseAsIs => Disposition::UseAsIs,
                DispositionArg::Rework => Disposition::Rework,
                DispositionArg::Repair => Disposition::Repair,
                DispositionArg::Scrap => Disposition::Scrap,
                DispositionArg::ReturnToVendor => Disposition::ReturnToVendor,
            };
            let events = ctx.exec(
                None,
                Command::SetDisposition {
                    issue,
                    disposition,
                    rationale,
                },
            )?;
            ctx.report(&events, None)
        }
        IssueCmd::Close { issue, rationale } => {
            let events = ctx.exec(None, Command::CloseIssue { issue, rationale })?;
            ctx.report(&events, None)
        }
        IssueCmd::List { all } => {
            let issues = if all {
                ctx.store.all_issues()?
            } else {
                ctx.store.open_issues()?
            };
            ctx.print(&issues, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!(
                        "{:>4} {:<13} {:<16} {:>5} {:<10} {}",
                        "#", "STATE", "DISPOSITION", "RUN", "STEP", "TITLE"
                    ),
                );
                for i in &issues {
                    push_line(
                        &mut out,
                        &format!(
                            "{:>4} {:<13} {:<16} {:>5} {:<10} {}",
                            i.id,
                            crate::store::state_name(&i.state),
                            i.disposition.map(|d| d.name()).unwrap_or("-"),
                            i.run.map(|r| r.to_string()).unwrap_or_default(),
                            i.step.as_deref().unwrap_or(""),
                            i.title
                        ),
                    );
                }
                out
            })
        }
        IssueCmd::Show { issue } => {
            let found = ctx
                .store
                .issue(issue)?
                .ok_or_else(|| CliError::Failed(anyhow!("There is no quality issue {issue}.")))?;
            ctx.print(&found, || {
                let mut out = String::new();
                push_line(&mut out, &format!("Issue {} — {}", found.id, found.title));
                push_line(
                    &mut out,
                    &format!(
                        "state {}, disposition {}",
                        crate::store::state_name(&found.state),
                        found.disposition.map(|d| d.name()).unwrap_or("none"),
                    ),
                );
                push_line(
                    &mut out,
                    &format!(
                        "raised by {} at {}",
                        found.raised_by,
                        found.raised_at.format("%Y-%m-%d %H:%M UTC")
                    ),
                );
                if !found.description.is_empty() {
                    push_line(&mut out, &found.description);
                }
                for a in &found.approvals {
                    let signed = match (&a.signature, &a.rationale) {
                        (Some(s), _) => format!(" — {}", super::show::decision_signature_text(s)),
                        (None, Some(why)) => format!(": {why}"),
                        (None, None) => String::new(),
                    };
                    push_line(
                        &mut out,
                        &format!(
                            "  {} by {} at {}{signed}",
                            a.action,
                            a.by,
                            a.at.format("%Y-%m-%d %H:%M UTC")
                        ),
                    );
                }
                out
            })
        }
    }
}

pub fn deviation(ctx: &mut Ctx, cmd: DeviationCmd) -> CliResult {
    let DeviationCmd::Accept {
        run,
        step,
        field,
        issue,
        rationale,
    } = cmd;
    let id = ctx.run_ref(&run)?;
    let events = ctx.exec(
        Some(id),
        Command::AcceptDeviation {
            step,
            field,
            issue,
            rationale,
        },
    )?;
    ctx.report(&events, Some(id))
}

pub fn requirement(ctx: &mut Ctx, cmd: RequirementCmd) -> CliResult {
    let RequirementCmd::Except {
        run,
        step,
        part,
        issue,
        reason,
    } = cmd;
    let id = ctx.run_ref(&run)?;
    let events = ctx.exec(
        Some(id),
        Command::ExceptRequirement {
            step,
            part,
            issue,
            reason,
        },
    )?;
    ctx.report(&events, Some(id))
}

pub fn redline(ctx: &mut Ctx, cmd: RedlineCmd) -> CliResult {
    match cmd {
        RedlineCmd::Propose {
            run,
            step,
            reason,
            instructions,
            field,
            min,
            max,
            target,
            tolerance,
            unit,
            add_step,
        } => {
            let id = ctx.run_ref(&run)?;
            // Who acts is settled before a step file is read.
            let actor = ctx.actor()?;
            let change = if let Some(text) = instructions {
                RedlineChange::CorrectInstructions { instructions: text }
            } else if let Some(name) = field {
                let current = ctx.store.run(id)?.and_then(|r| {
                    find_step(&r, &step).and_then(|s| {
                        s.fields
                            .iter()
                            .find(|f| f.def.name == name)
                            .map(|f| f.def.clone())
                    })
                });
                let mut def = current.ok_or_else(|| {
                    CliError::Failed(anyhow!("Step '{step}' of run {id} has no field '{name}'."))
                })?;
                if min.is_some() || max.is_some() || target.is_some() || tolerance.is_some() {
                    def.validation = crate::domain::Validation {
                        min,
                        max,
                        target,
                        tolerance,
                    };
                }
                if unit.is_some() {
                    def.unit = unit;
                }
                RedlineChange::ChangeField { field: name, def }
            } else if let Some(path) = add_step {
                let text = ctx.read_procedure_text(&path, "The step file")?;
                RedlineChange::AddStep {
                    def: parse_step_file(&path, &text)?,
                }
            } else {
                return Err(CliError::Failed(anyhow!(
                    "Say what the redline changes: --instructions TEXT, --field NAME with new --min/--max/--target/--tolerance/--unit, or --add-step FILE."
                )));
            };
            let events = ctx.exec_as(
                actor,
                Some(id),
                Command::ProposeRedline {
                    step,
                    change,
                    reason,
                },
            )?;
            ctx.report(&events, Some(id))
        }
        RedlineCmd::Approve { run, redline } => {
            let id = ctx.run_ref(&run)?;
            let events = ctx.exec(Some(id), Command::ApproveRedline { redline })?;
            ctx.report(&events, Some(id))
        }
        RedlineCmd::Cancel { run, redline } => {
            let id = ctx.run_ref(&run)?;
            let events = ctx.exec(Some(id), Command::CancelRedline { redline })?;
            ctx.report(&events, Some(id))
        }
        RedlineCmd::List { run } => {
            let id = ctx.run_ref(&run)?;
            let run = ctx
                .store
                .run(id)?
                .ok_or_else(|| CliError::Failed(anyhow!("There is no run {id}.")))?;
            ctx.print(&run.redlines, || {
                let mut out = String::new();
                for r in &run.redlines {
                    push_line(
                        &mut out,
                        &format!(
                            "{:>3} {:<10} step {:<10} by {} — {}",
                            r.id,
                            crate::store::state_name(&r.state),
                            r.step,
                            r.proposed_by,
                            r.reason
                        ),
                    );
                }
                if out.is_empty() {
                    out.push_str("No redlines on this run.\n");
                }
                out
            })
        }
    }
}

/// A step to add by redline: a TOML file in the procedure format holding one `[[step]]`.
fn parse_step_file(path: &std::path::Path, text: &str) -> Result<crate::domain::StepDef, CliError> {
    let wrapped = format!(
        "key = \"redline\"\ntitle = \"redline\"\nkind = \"build\"\nproduces = \"-\"\n{text}"
    );
    let mut procedure = crate::procedure_file::parse(&wrapped)
        .map_err(|e| CliError::Failed(anyhow!("{}: {e}", path.display())))?;
    if procedure.steps.len() != 1 {
        return Err(CliError::Failed(anyhow!(
            "{} must hold exactly one [[step]] table (it holds {}).",
            path.display(),
            procedure.steps.len()
        )));
    }
    Ok(procedure.steps.remove(0))
}
