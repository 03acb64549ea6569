//! Runs and the work on their steps.

use super::args::{
    Decision, FailInventoryArg, FieldCmd, LabourCmd, RunCmd, RunStateArg, StepAction, StepArgs,
};
use super::context::{out, CliError, CliResult, Ctx};
use crate::domain::{
    approvals_a_change_voids, current_value, field_by_name, find_step, value_text, waiting_on,
    Command, FailInventoryTo, FieldType, Meaning, ReworkMode, RunState,
};
use crate::store::RunFilter;
use anyhow::anyhow;
use std::path::Path;

pub fn run(ctx: &mut Ctx, cmd: RunCmd) -> CliResult {
    match cmd {
        RunCmd::Create {
            procedure,
            serial,
            title,
        } => {
            let events = ctx.exec(
                None,
                Command::CreateRun {
                    procedure_key: procedure,
                    serial,
                    title,
                },
            )?;
            let run = events.iter().find_map(|e| match e {
                crate::domain::Event::RunCreated { run } => Some(run.id),
                _ => None,
            });
            ctx.report(&events, run)
        }
        RunCmd::List {
            state,
            search,
            untouched_hours,
            limit,
        } => {
            let filter = RunFilter {
                state: state.map(|s| match s {
                    RunStateArg::Todo => RunState::Todo,
                    RunStateArg::InProgress => RunState::InProgress,
                    RunStateArg::Complete => RunState::Complete,
                    RunStateArg::Failed => RunState::Failed,
                }),
                search,
                untouched_before: untouched_hours
                    .map(|h| chrono::Utc::now() - chrono::Duration::hours(i64::from(h))),
                ..RunFilter::default()
            };
            let runs = ctx.store.list_runs(&filter, None, limit)?;
            ctx.print(&runs, || super::show::run_table(&runs))
        }
        RunCmd::Show { run } => {
            let id = ctx.run_ref(&run)?;
            let run = ctx
                .store
                .run_with_history(id)?
                .ok_or_else(|| CliError::Failed(anyhow!("There is no run {id}.")))?;
            let issues = ctx.store.run_issues(id)?;
            let waiting = waiting_on(&ctx.store.settings()?, &run, &issues);
            #[derive(serde::Serialize)]
            struct Shown<'a> {
                run: &'a crate::domain::Run,
                issues: &'a [crate::domain::Issue],
                /// Why a run whose required steps are all complete is not
                /// complete ("waiting on issue 3"); empty otherwise.
                waiting_on: &'a [String],
            }
            ctx.print(
                &Shown {
                    run: &run,
                    issues: &issues,
                    waiting_on: &waiting,
                },
                || super::show::run_detail(&run, &issues, &waiting),
            )
        }
        RunCmd::Export(args) => super::export::export(ctx, args),
        RunCmd::Fail {
            run,
            reason,
            inventory,
            issue,
        } => {
            let id = ctx.run_ref(&run)?;
            let inventory_to = match inventory {
                FailInventoryArg::Scrapped => FailInventoryTo::Scrapped,
                FailInventoryArg::Quarantined => FailInventoryTo::Quarantined,
            };
            let events = ctx.exec(
                Some(id),
                Command::FailRun {
                    reason,
                    issue,
                    inventory_to,
                },
            )?;
            ctx.report(&events, Some(id))
        }
        RunCmd::Reopen { run, reason } => {
            let id = ctx.run_ref(&run)?;
            let events = ctx.exec(Some(id), Command::ReopenRun { reason })?;
            ctx.report(&events, Some(id))
        }
    }
}

pub fn step(ctx: &mut Ctx, args: StepArgs) -> CliResult {
    let id = ctx.run_ref(&args.run)?;
    let step = args.step;
    let reason = args.reason.unwrap_or_default();
    let command = match args.action {
        StepAction::Checkin => Command::CheckIn { step },
        StepAction::Checkout => Command::CheckOut { step },
        StepAction::Complete => Command::Complete { step },
        // A missing reason is the rules' to refuse, with every other reason.
        StepAction::Hold => Command::Hold { step, reason },
        StepAction::Resume => Command::Resume { step },
        StepAction::Rework => Command::Rework {
            step,
            expect: args.copy.then_some(ReworkMode::Copy),
        },
        StepAction::Fail => Command::FailStep {
            step,
            reason,
            issue: args.issue,
            raise_issue: args.raise_issue,
        },
        StepAction::Reopen => Command::ReopenStep { step, reason },
    };
    let events = ctx.exec(Some(id), command)?;
    ctx.report(&events, Some(id))
}

pub fn field(ctx: &mut Ctx, cmd: FieldCmd) -> CliResult {
    let FieldCmd::Set {
        run,
        step,
        field,
        value,
        reason,
        void_approval,
    } = cmd;
    let id = ctx.run_ref(&run)?;
    // Who acts is settled before a file is touched: a wrong PIN reads nothing.
    let actor = ctx.actor()?;
    let before = ctx.store.run(id)?;
    let step_before = before.as_ref().and_then(|r| find_step(r, &step));
    let field_before = step_before.and_then(|s| field_by_name(s, &field));
    let has_value = field_before.is_some_and(|f| !f.values.is_empty());
    let approved = step_before.is_some_and(|s| !approvals_a_change_voids(s).is_empty());
    // A file field's value is a path: the file is staged beside the
    // database and kept only if the value is accepted; its SHA-256 travels
    // with the command.
    let is_file = field_before.is_some_and(|f| f.def.field_type == FieldType::File);
    let outcome = if is_file {
        let staged = ctx.store.stage_attachment(Path::new(&value))?;
        let command = Command::SetField {
            step: step.clone(),
            field: field.clone(),
            raw: staged.stored_path().display().to_string(),
            file_sha256: Some(staged.sha256().to_string()),
            reason: reason.clone(),
            void_approval,
        };
        ctx.exec_attaching(actor, Some(id), command, staged)
    } else {
        let command = Command::SetField {
            step: step.clone(),
            field: field.clone(),
            raw: value,
            file_sha256: None,
            reason: reason.clone(),
            void_approval,
        };
        ctx.exec_as(actor, Some(id), command)
    };
    let events = match outcome {
        Err(CliError::Refused(mut refusal)) => {
            // Say which flag answers the refusal.
            if has_value && reason.is_none() {
                refusal
                    .reasons
                    .push("Add --reason \"...\" to say why the saved value changes.".into());
            }
            if approved && !void_approval {
                refusal
                    .reasons
                    .push("Add --void-approval to save anyway.".into());
            }
            return Err(CliError::Refused(refusal));
        }
        other => other?,
    };
    if events.is_empty() && !ctx.json {
        // What the field holds now (the save was equal to it).
        let after = ctx.store.run(id)?;
        let current = after
            .as_ref()
            .and_then(|r| find_step(r, &step))
            .and_then(|s| field_by_name(s, &field))
            .and_then(|f| current_value(f).map(|v| value_text(&v.value)))
            .unwrap_or_default();
        out(&format!("unchanged: {field} already has {current}\n"));
    }
    ctx.report(&events, Some(id))
}

pub fn install(
    ctx: &mut Ctx,
    run: &str,
    step: String,
    identifier: String,
    quantity: Option<i64>,
    scanned: bool,
) -> CliResult {
    let id = ctx.run_ref(run)?;
    let events = ctx.exec(
        Some(id),
        Command::Install {
            step,
            identifier,
            quantity,
            scanned,
        },
    )?;
    ctx.report(&events, Some(id))
}

pub fn uninstall(ctx: &mut Ctx, run: &str, step: String, identifier: String) -> CliResult {
    let id = ctx.run_ref(run)?;
    let events = ctx.exec(Some(id), Command::Uninstall { step, identifier })?;
    ctx.report(&events, Some(id))
}

pub fn signoff(
    ctx: &mut Ctx,
    decision: Decision,
    run: &str,
    step: String,
    field: String,
    comment: Option<String>,
) -> CliResult {
    let id = ctx.run_ref(run)?;
    let meaning = match decision {
        Decision::Approve => Meaning::Approved,
        Decision::Reject => Meaning::Rejected,
    };
    let events = ctx.exec(
        Some(id),
        Command::SignOff {
            step,
            field,
            meaning,
            comment,
        },
    )?;
    ctx.report(&events, Some(id))
}

pub fn comment(ctx: &mut Ctx, run: &str, step: String, text: String) -> CliResult {
    let id = ctx.run_ref(run)?;
    let events = ctx.exec(Some(id), Command::AddComment { step, text })?;
    ctx.report(&events, Some(id))
}

fn parse_utc(text: &str, what: &str) -> Result<crate::domain::Time, CliError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            CliError::Failed(anyhow!(
                "{what} expects a time like 2026-11-21T08:00:00Z, got '{text}'."
            ))
        })
}

pub fn labour(ctx: &mut Ctx, cmd: LabourCmd) -> CliResult {
    let LabourCmd::Edit {
        run,
        step,
        session,
        start,
        end,
        reason,
    } = cmd;
    let id = ctx.run_ref(&run)?;
    let started_at = parse_utc(&start, "--start")?;
    let ended_at = end.as_deref().map(|e| parse_utc(e, "--end")).transpose()?;
    let events = ctx.exec(
        Some(id),
        Command::EditLabourSession {
            step,
            session,
            started_at,
            ended_at,
            reason,
        },
    )?;
    ctx.report(&events, Some(id))
}
