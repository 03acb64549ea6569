//! Generated shop data for benchmarks and load checks: users, parts, stock,
//! the pump procedure and any number of runs, made through the engine in
//! batches (`Store::execute_all`), so every row has its audit events.

use crate::domain::*;
use crate::store::{hash_secret, Store};
use anyhow::{anyhow, Result};
use chrono::Duration;

const PUMP: &str = include_str!("../assets/procedures/pump-assembly.toml");
const BATCH: usize = 500;

fn actor(login: &str, role: &str) -> Actor {
    Actor {
        login: login.into(),
        name: format!("Generated {role}"),
        roles: vec![role.into()],
        station: "generator".into(),
        reauthenticated: true,
    }
}

fn req(actor: &Actor, run: Option<RunId>, command: Command, now: Time) -> Request {
    Request {
        actor: actor.clone(),
        run,
        command,
        seen: Seen::default(),
        now,
    }
}

/// Importing the procedure file `text` and releasing its version 1.
fn import_and_release(admin: &Actor, text: &str, start: Time) -> Result<Vec<Request>> {
    let procedure = crate::procedure_file::parse(text)?;
    let key = procedure.key.clone();
    Ok(vec![
        req(admin, None, Command::ImportProcedure { procedure }, start),
        req(
            admin,
            None,
            Command::ReleaseProcedure { key, version: 1 },
            start,
        ),
    ])
}

/// The id the next created run gets (ids are given in order).
fn next_run_id(store: &Store) -> Result<RunId> {
    Ok(store
        .list_runs(&Default::default(), None, 1)?
        .first()
        .map_or(1, |r| r.id + 1))
}

/// Fills an empty database with `runs` pump runs; every tenth is worked on
/// (checked in, bore measured), the rest wait in `todo`. Times run from
/// `start` forward, one minute per run.
pub fn generate(store: &mut Store, runs: usize, start: Time) -> Result<()> {
    let admin = actor("admin", ADMIN);
    let supervisor = actor("supervisor", SUPERVISOR);
    let operator = actor("operator", OPERATOR);
    let hash = hash_secret("0000")?;
    let mut setup = Vec::new();
    for a in [&admin, &supervisor, &operator] {
        setup.push(req(
            &admin,
            None,
            Command::AddUser {
                login: a.login.clone(),
                name: a.name.clone(),
                roles: a.roles.clone(),
                secret_hash: hash.clone(),
            },
            start,
        ));
    }
    setup.extend(add_parts(
        &admin,
        &[
            ("PUMP-100", Tracking::Serial),
            ("SEAL-20", Tracking::Lot),
            ("SEAL-20B", Tracking::Lot),
            ("IMP-7", Tracking::Serial),
            ("LOCTITE-243", Tracking::Lot),
        ],
        start,
    ));
    setup.extend(import_and_release(&admin, PUMP, start)?);
    store
        .execute_all(setup)
        .map_err(|e| anyhow!("Generating the set-up failed: {e}"))?;

    let mut batch = Vec::new();
    let first_id = next_run_id(store)?;
    for i in 0..runs {
        let now = start + Duration::minutes(i as i64);
        batch.push(req(
            &supervisor,
            None,
            Command::CreateRun {
                procedure_key: "PUMP-ASSY".into(),
                serial: format!("GEN-{i:07}"),
                title: Some(format!("Generated pump {i}")),
            },
            now,
        ));
        if i % 10 == 0 {
            let run = first_id + i as i64;
            batch.push(req(
                &operator,
                Some(run),
                Command::CheckIn {
                    step: "bore".into(),
                },
                now,
            ));
            batch.push(req(
                &operator,
                Some(run),
                Command::SetField {
                    step: "bore".into(),
                    field: "Bore diameter".into(),
                    raw: "25.01".into(),
                    file_sha256: None,
                    reason: None,
                    void_approval: false,
                },
                now,
            ));
        }
        if batch.len() >= BATCH || i + 1 == runs {
            store
                .execute_all(std::mem::take(&mut batch))
                .map_err(|e| anyhow!("Generating runs failed near run {i}: {e}"))?;
        }
    }
    Ok(())
}

/// Adds one run on `serial` whose bore diameter holds `values` saved values
/// (the first, then corrections), for measuring a save on a long-worked run.
/// Returns the run's id.
pub fn run_with_values(
    store: &mut Store,
    serial: &str,
    values: usize,
    start: Time,
) -> Result<RunId> {
    let supervisor = actor("supervisor", SUPERVISOR);
    let operator = actor("operator", OPERATOR);
    store
        .execute_all(vec![req(
            &supervisor,
            None,
            Command::CreateRun {
                procedure_key: "PUMP-ASSY".into(),
                serial: serial.into(),
                title: Some(format!("Generated pump with {values} values")),
            },
            start,
        )])
        .map_err(|e| anyhow!("Generating the run with many values failed: {e}"))?;
    let run = store
        .find_run(serial)?
        .ok_or_else(|| anyhow!("The generated run {serial} is not in the database."))?;
    let mut batch = vec![req(
        &operator,
        Some(run),
        Command::CheckIn {
            step: "bore".into(),
        },
        start,
    )];
    for i in 0..values {
        batch.push(req(
            &operator,
            Some(run),
            Command::SetField {
                step: "bore".into(),
                field: "Bore diameter".into(),
                raw: format!("25.0{}", i % 5),
                file_sha256: None,
                reason: (i > 0).then(|| "re-measured".to_string()),
                void_approval: false,
            },
            start + Duration::seconds(i as i64),
        ));
        if batch.len() >= BATCH || i + 1 == values {
            store
                .execute_all(std::mem::take(&mut batch))
                .map_err(|e| anyhow!("Generating value {i} of run {serial} failed: {e}"))?;
        }
    }
    Ok(run)
}

/// The finished-box procedure: one measured step that installs one unit of
/// a lot. Its runs are what the reports read (cycle time, SPC, trace, export).
/// Its names share no trigram "GEN" with the pump runs and their titles start
/// with "Ge", so the board search benchmark (typing a `GEN-` serial) pages
/// through the same pump runs as on a database without boxes.
const BOX: &str = r#"
key = "BOX-ASSY"
title = "Geared box"
kind = "build"
produces = "BOX-1"

[[step]]
key = "fit"
title = "Fit the liner and measure the gap"
instructions = "Feeler gauge."

  [[step.install]]
  part = "LINER-LOT"
  quantity = 1

  [[step.field]]
  name = "Gap"
  type = "number"
  unit = "mm"
  min = 1.0
  max = 2.0
"#;

/// Runs of `BOX-ASSY` per liner lot: a recall (`trace up LOT`) finds this many units.
pub const BOXES_PER_LOT: usize = 100;

/// The serial of finished box `i`, and the liner lot it took.
pub fn box_serial(i: usize) -> String {
    format!("BOX-{i:07}")
}

/// The requests that add each part of `parts`, by `admin`, at `at`.
fn add_parts(admin: &Actor, parts: &[(&str, Tracking)], at: Time) -> Vec<Request> {
    parts
        .iter()
        .map(|(number, tracking)| {
            req(
                admin,
                None,
                Command::AddPart {
                    number: (*number).into(),
                    description: String::new(),
                    tracking: *tracking,
                },
                at,
            )
        })
        .collect()
}

pub fn liner_lot(i: usize) -> String {
    format!("LINER-{:05}", i / BOXES_PER_LOT)
}

/// Adds `boxes` completed `BOX-ASSY` runs, each checked in, measured, fitted
/// with a liner from its lot and completed, `start` forward one minute per
/// run: the finished runs the reports are measured on.
pub fn finished_boxes(store: &mut Store, boxes: usize, start: Time) -> Result<()> {
    let admin = actor("admin", ADMIN);
    let supervisor = actor("supervisor", SUPERVISOR);
    let operator = actor("operator", OPERATOR);
    let mut setup = add_parts(
        &admin,
        &[("BOX-1", Tracking::Serial), ("LINER-LOT", Tracking::Lot)],
        start,
    );
    for lot in 0..boxes.div_ceil(BOXES_PER_LOT) {
        setup.push(req(
            &admin,
            None,
            Command::ReceiveInventory {
                part: "LINER-LOT".into(),
                identifier: liner_lot(lot * BOXES_PER_LOT),
                quantity: BOXES_PER_LOT as i64,
                received_as: None,
            },
            start,
        ));
    }
    setup.extend(import_and_release(&admin, BOX, start)?);
    store
        .execute_all(setup)
        .map_err(|e| anyhow!("Generating the box set-up failed: {e}"))?;
    let mut batch = Vec::new();
    // Run ids are given in order: box i is run `first_id + i`.
    let first_id = next_run_id(store)?;
    for i in 0..boxes {
        let created = start + Duration::minutes(i as i64);
        batch.push(req(
            &supervisor,
            None,
            Command::CreateRun {
                procedure_key: "BOX-ASSY".into(),
                serial: box_serial(i),
                title: Some(format!("Geared box {i}")),
            },
            created,
        ));
        let run = first_id + i as i64;
        let step = || "fit".to_string();
        let at = |minutes: i64| created + Duration::minutes(minutes);
        batch.push(req(
            &operator,
            Some(run),
            Command::CheckIn { step: step() },
            at(5),
        ));
        batch.push(req(
            &operator,
            Some(run),
            Command::SetField {
                step: step(),
                field: "Gap".into(),
                // 1.40 to 1.59: a spread for SPC, inside the limits.
                raw: format!("1.{}", 40 + (i * 7) % 20),
                file_sha256: None,
                reason: None,
                void_approval: false,
            },
            at(10),
        ));
        batch.push(req(
            &operator,
            Some(run),
            Command::Install {
                step: step(),
                identifier: liner_lot(i),
                quantity: Some(1),
                scanned: true,
            },
            at(12),
        ));
        batch.push(req(
            &operator,
            Some(run),
            Command::Complete { step: step() },
            at(20 + (i % 30) as i64),
        ));
        if batch.len() >= BATCH || i + 1 == boxes {
            store
                .execute_all(std::mem::take(&mut batch))
                .map_err(|e| anyhow!("Generating box {i} failed: {e}"))?;
        }
    }
    Ok(())
}
