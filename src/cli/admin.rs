//! Users, parts, inventory, procedures and org settings.

use super::args::{InventoryCmd, PartCmd, ProcedureCmd, SettingsCmd, TrackingArg, UserCmd};
use super::context::{push_line, CliError, CliResult, Ctx};
use crate::domain::{
    escape_unprintable, Actor, Command, ProcedureState, Refusal, Request, Seen, Tracking, ADMIN,
};
use crate::store::hash_secret;
use anyhow::anyhow;

/// `init`: a new database and its first admin. There is nobody to act yet, so
/// the first admin adds themself; the audit trail records exactly that.
pub fn init(ctx: &mut Ctx, login: &str, pin: &str, name: &str) -> CliResult {
    let secret_hash = hash_secret(pin)?;
    let actor = Actor {
        login: login.to_string(),
        name: name.to_string(),
        roles: vec![ADMIN.to_string()],
        station: ctx.station.clone(),
        reauthenticated: true,
    };
    // The "no user yet" check and the add are one transaction: of several
    // `init` runs on one file exactly one wins.
    let events = ctx.store.add_first_user(Request {
        actor,
        run: None,
        command: Command::AddUser {
            login: login.to_string(),
            name: name.to_string(),
            roles: vec![ADMIN.to_string()],
            secret_hash,
        },
        seen: Seen::default(),
        now: chrono::Utc::now(),
    })?;
    ctx.report(&events, None)?;
    if !ctx.json {
        super::context::out(&format!("Database ready: {}\n", ctx.store.path().display()));
    }
    Ok(())
}

pub fn user(ctx: &mut Ctx, cmd: UserCmd) -> CliResult {
    let command = match cmd {
        UserCmd::Add {
            login,
            name,
            roles,
            pin,
        } => Command::AddUser {
            login,
            name,
            roles,
            secret_hash: hash_secret(&pin)?,
        },
        UserCmd::Deactivate { login } => Command::SetUserActive {
            login,
            active: false,
        },
        UserCmd::Activate { login } => Command::SetUserActive {
            login,
            active: true,
        },
        UserCmd::SetPin { login, pin } => {
            // Decided after sign-in: a user's own new PIN must not be the
            // one they signed in with (an admin's reset is replaced, as the
            // terminal asks, not kept).
            let actor = ctx.actor()?;
            if actor.login == login && ctx.pin.as_deref() == Some(pin.as_str()) {
                return Err(CliError::Refused(Refusal::one(
                    "The new PIN must differ from the one you signed in with.",
                )));
            }
            let command = Command::SetUserSecret {
                login,
                secret_hash: hash_secret(&pin)?,
            };
            let events = ctx.exec_as(actor, None, command)?;
            return ctx.report(&events, None);
        }
        UserCmd::List => {
            let users = ctx.store.users()?;
            #[derive(serde::Serialize)]
            struct Row<'a> {
                login: &'a str,
                name: &'a str,
                roles: &'a [String],
                active: bool,
                locked: bool,
            }
            let rows: Vec<Row> = users
                .iter()
                .map(|u| Row {
                    login: &u.login,
                    name: &u.name,
                    roles: &u.roles,
                    active: u.active,
                    locked: u.locked_until.is_some_and(|t| t > chrono::Utc::now()),
                })
                .collect();
            return ctx.print(&rows, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!("{:<12} {:<24} {:<28} {}", "LOGIN", "NAME", "ROLES", "STATE"),
                );
                for r in &rows {
                    let state = match (r.active, r.locked) {
                        (false, _) => "deactivated",
                        (true, true) => "locked",
                        (true, false) => "active",
                    };
                    push_line(
                        &mut out,
                        // Escaped before padding, so an escaped name keeps its column.
                        &format!(
                            "{:<12} {:<24} {:<28} {}",
                            escape_unprintable(r.login),
                            escape_unprintable(r.name),
                            escape_unprintable(&r.roles.join(",")),
                            state
                        ),
                    );
                }
                out
            });
        }
    };
    let events = ctx.exec(None, command)?;
    ctx.report(&events, None)
}

pub fn part(ctx: &mut Ctx, cmd: PartCmd) -> CliResult {
    match cmd {
        PartCmd::Add {
            number,
            tracking,
            description,
        } => {
            let tracking = match tracking {
                TrackingArg::Serial => Tracking::Serial,
                TrackingArg::Lot => Tracking::Lot,
                TrackingArg::None => Tracking::None,
            };
            let events = ctx.exec(
                None,
                Command::AddPart {
                    number,
                    description,
                    tracking,
                },
            )?;
            ctx.report(&events, None)
        }
        PartCmd::List => {
            let parts = ctx.store.parts()?;
            ctx.print(&parts, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!("{:<16} {:<8} {}", "PART", "TRACKING", "DESCRIPTION"),
                );
                for p in &parts {
                    let tracking = serde_json::to_value(p.tracking)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    push_line(
                        &mut out,
                        &format!("{:<16} {:<8} {}", p.number, tracking, p.description),
                    );
                }
                out
            })
        }
    }
}

pub fn inventory(ctx: &mut Ctx, cmd: InventoryCmd) -> CliResult {
    match cmd {
        InventoryCmd::Receive {
            part,
            serial,
            lot,
            quantity,
        } => {
            let (identifier, quantity, received_as) = match (serial, lot, quantity) {
                (Some(sn), None, _) => (sn, 1, Tracking::Serial),
                (None, Some(lot), Some(q)) => (lot, q, Tracking::Lot),
                _ => {
                    return Err(CliError::Failed(anyhow!(
                        "Say what was received: --serial SN for a serial unit, or --lot LOT --quantity Q for a lot."
                    )))
                }
            };
            let events = ctx.exec(
                None,
                Command::ReceiveInventory {
                    part,
                    identifier,
                    quantity,
                    received_as: Some(received_as),
                },
            )?;
            ctx.report(&events, None)
        }
        InventoryCmd::List => {
            let items = ctx.store.inventory()?;
            ctx.print(&items, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!(
                        "{:<16} {:<20} {:>6} {:<12} {}",
                        "PART", "IDENTIFIER", "QTY", "STATE", "IN"
                    ),
                );
                for i in &items {
                    push_line(
                        &mut out,
                        &format!(
                            "{:<16} {:<20} {:>6} {:<12} {}",
                            i.part,
                            i.identifier,
                            i.quantity,
                            crate::store::state_name(&i.state),
                            i.parent.as_deref().unwrap_or("")
                        ),
                    );
                }
                out
            })
        }
        InventoryCmd::Tree { serial } => {
            let tree = ctx.store.trace_down(&serial)?;
            let lines = super::trace::legacy_tree_lines(&tree);
            let mut text = String::new();
            for line in &lines {
                push_line(&mut text, line);
            }
            ctx.print(&lines, || text)
        }
    }
}

pub fn procedure(ctx: &mut Ctx, cmd: ProcedureCmd) -> CliResult {
    match cmd {
        ProcedureCmd::Import { file } => {
            // Who acts is settled before the file is read: a wrong PIN reads nothing.
            let actor = ctx.actor()?;
            let text = ctx.read_procedure_text(&file, "The procedure file")?;
            let procedure = crate::procedure_file::parse(&text)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let events = ctx.exec_as(actor, None, Command::ImportProcedure { procedure })?;
            ctx.report(&events, None)
        }
        ProcedureCmd::Release { key, version } => {
            let version = match version {
                Some(v) => v,
                None => ctx
                    .store
                    .procedures()?
                    .iter()
                    .filter(|p| p.key == key && p.state == ProcedureState::Draft)
                    .map(|p| p.version)
                    .max()
                    .ok_or_else(|| {
                        CliError::Failed(anyhow!(
                            "Procedure '{key}' has no draft to release; import its file first."
                        ))
                    })?,
            };
            let events = ctx.exec(None, Command::ReleaseProcedure { key, version })?;
            ctx.report(&events, None)
        }
        ProcedureCmd::List => {
            let procedures = ctx.store.procedures()?;
            #[derive(serde::Serialize)]
            struct Row<'a> {
                key: &'a str,
                version: i64,
                state: String,
                title: &'a str,
                produces: &'a str,
                steps: usize,
            }
            let rows: Vec<Row> = procedures
                .iter()
                .map(|p| Row {
                    key: &p.key,
                    version: p.version,
                    state: crate::store::state_name(&p.state),
                    title: &p.title,
                    produces: &p.produces,
                    steps: p.steps.len(),
                })
                .collect();
            ctx.print(&rows, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!(
                        "{:<14} {:>3} {:<9} {:<12} {:>5}  {}",
                        "KEY", "V", "STATE", "PRODUCES", "STEPS", "TITLE"
                    ),
                );
                for r in &rows {
                    push_line(
                        &mut out,
                        &format!(
                            "{:<14} {:>3} {:<9} {:<12} {:>5}  {}",
                            r.key, r.version, r.state, r.produces, r.steps, r.title
                        ),
                    );
                }
                out
            })
        }
        ProcedureCmd::Show { key, version } => {
            let latest = ctx
                .store
                .procedures()?
                .into_iter()
                .rfind(|p| p.key == key && version.is_none_or(|v| p.version == v))
                .ok_or_else(|| {
                    CliError::Failed(anyhow!(
                        "There is no procedure '{key}'{} (see `traveler procedure list`).",
                        version.map(|v| format!(" version {v}")).unwrap_or_default()
                    ))
                })?;
            ctx.print(&latest, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!(
                        "{} v{} ({}) — {}",
                        latest.key,
                        latest.version,
                        crate::store::state_name(&latest.state),
                        latest.title,
                    ),
                );
                push_line(&mut out, &format!("produces {}", latest.produces));
                for (i, s) in latest.steps.iter().enumerate() {
                    push_line(
                        &mut out,
                        &format!(
                            "{:>3}. {} [{}]{}, rework = \"{}\"",
                            i + 1,
                            s.title,
                            s.key,
                            if s.required { "" } else { " (optional)" },
                            s.rework.name()
                        ),
                    );
                    for f in &s.fields {
                        let mut extra = crate::domain::rule_text(f);
                        if !f.options.is_empty() {
                            extra.push_str(&format!(" options: {}", f.options.join(", ")));
                        }
                        if let Some(role) = &f.role {
                            extra.push_str(&format!(" expecting approval by: {role}"));
                        }
                        let line = format!(
                            "       field {} ({}{}) {}",
                            f.name,
                            f.field_type.name(),
                            if f.required { "" } else { ", optional" },
                            extra.trim()
                        );
                        push_line(&mut out, line.trim_end());
                    }
                    for r in &s.installs {
                        push_line(
                            &mut out,
                            &format!(
                                "       install {} × {}{}",
                                r.part,
                                r.quantity,
                                if r.substitutes.is_empty() {
                                    String::new()
                                } else {
                                    format!(" (or {})", r.substitutes.join(", "))
                                }
                            ),
                        );
                    }
                }
                out
            })
        }
    }
}

pub fn settings(ctx: &mut Ctx, cmd: SettingsCmd) -> CliResult {
    match cmd {
        SettingsCmd::List => {
            let s = ctx.store.settings()?;
            ctx.print(&s, || {
                crate::domain::SETTING_KEYS
                    .iter()
                    .map(|(key, _)| {
                        let value = crate::domain::setting_value(&s, key).unwrap_or_default();
                        format!("{key} = {value}\n")
                    })
                    .collect()
            })
        }
        SettingsCmd::Set { key, value } => {
            // A setting may complete runs that waited on it: each is reported on its run.
            let actor = ctx.actor()?;
            let done = ctx.store.execute_by_run(crate::domain::Request {
                actor,
                run: None,
                command: Command::SetSetting { key, value },
                seen: crate::domain::Seen::default(),
                now: chrono::Utc::now(),
            })?;
            if ctx.json {
                let events: Vec<_> = done.into_iter().flat_map(|d| d.events).collect();
                return ctx.report(&events, None);
            }
            for d in &done {
                ctx.report(&d.events, d.run)?;
            }
            Ok(())
        }
    }
}
