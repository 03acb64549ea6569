//! `traveler demo`: a fresh database seeded through the engine only (every
//! row has its audit event), with one user per role, three procedures, parts,
//! inventory and about twenty runs in every state.

use crate::config::Config;
use crate::domain::*;
use crate::store::{hash_secret, Store};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{Duration, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The demo users: login, display name, roles, PIN (also listed in README).
pub const DEMO_USERS: [(&str, &str, &[&str], &str); 5] = [
    ("admin", "Demo Admin", &[ADMIN], "4444"),
    ("supervisor", "Demo Supervisor", &[SUPERVISOR], "3333"),
    ("quality", "Demo Quality Engineer", &[QUALITY], "2222"),
    ("operator", "Demo Operator", &[OPERATOR], "1111"),
    ("operator2", "Demo Operator Two", &[OPERATOR], "5555"),
];

const PROCEDURES: [(&str, &str); 3] = [
    (
        "pump-assembly.toml",
        include_str!("../assets/procedures/pump-assembly.toml"),
    ),
    (
        "board-test.toml",
        include_str!("../assets/procedures/board-test.toml"),
    ),
    (
        "final-inspection.toml",
        include_str!("../assets/procedures/final-inspection.toml"),
    ),
];

pub fn run(db: Option<PathBuf>, config: &Config, no_tui: bool, replace: bool) -> Result<()> {
    let path = match db {
        Some(p) => {
            if p.exists() && !replace {
                bail!(
                    "{} already exists; the demo needs a fresh file. Pass another --db path, or add --replace to overwrite it.",
                    p.display()
                );
            }
            p
        }
        None => crate::cli::default_db_path("demo.db")?,
    };
    // Only a demo database nobody has open is replaced; the lock is held
    // while its files are removed.
    let claim = if path.exists() {
        Some(crate::store::demo_mark::claim_demo_database(&path)?)
    } else {
        None
    };
    remove_database(&path)?;
    drop(claim);
    let store = Store::open(&path)?;
    store.mark_as_demo()?;
    let mut seeder = Seeder::new(store, &config.station)?;
    seeder.seed()?;
    let store = seeder.store;
    let counts = store.count_runs_by_state()?;
    if no_tui {
        println!("Demo database: {}", path.display());
        println!(
            "Runs: {}",
            counts
                .iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("Users (login / PIN):");
        for (login, name, roles, pin) in DEMO_USERS {
            println!("  {login:<11} {pin}  {name} ({})", roles.join(", "));
        }
        println!("Open it: traveler --db {}", path.display());
        return Ok(());
    }
    crate::app::run_tui(store, config)
}

/// Removes a database file and its companions (WAL, shared memory, attachments).
fn remove_database(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("Could not remove {}", p.display()))?;
        }
    }
    let mut attachments = path.as_os_str().to_owned();
    attachments.push(".attachments");
    let attachments = PathBuf::from(attachments);
    if attachments.exists() {
        std::fs::remove_dir_all(&attachments)
            .with_context(|| format!("Could not remove {}", attachments.display()))?;
    }
    Ok(())
}

/// Drives the engine like people would, on a clock that only moves forward
/// from nine days ago to a few minutes ago.
pub struct Seeder {
    pub store: Store,
    actors: BTreeMap<&'static str, Actor>,
    clock: Time,
    end: Time,
    station: String,
    next_serial: u32,
    next_impeller: u32,
}

impl Seeder {
    pub fn new(store: Store, station: &str) -> Result<Seeder> {
        let end = Utc::now() - Duration::minutes(5);
        Ok(Seeder {
            store,
            actors: BTreeMap::new(),
            clock: end - Duration::days(9),
            end,
            station: station.to_string(),
            next_serial: 1001,
            next_impeller: 0,
        })
    }

    fn advance(&mut self, minutes: i64) {
        self.clock = (self.clock + Duration::minutes(minutes)).min(self.end);
    }

    /// Moves the clock to `ago` before the end, never backwards.
    fn at_ago(&mut self, ago: Duration) {
        self.clock = self.clock.max(self.end - ago);
    }

    fn act(&mut self, login: &str, run: Option<RunId>, command: Command) -> Result<Vec<Event>> {
        let actor = self
            .actors
            .get(login)
            .cloned()
            .ok_or_else(|| anyhow!("demo user {login} is not signed in"))?;
        let what = command.name();
        let req = Request {
            actor,
            run,
            command,
            seen: Seen::default(),
            now: self.clock,
        };
        let events = self
            .store
            .execute(req)
            .map_err(|e| anyhow!("The demo could not {what} as {login}: {e}"))?;
        self.advance(2);
        Ok(events)
    }

    pub fn seed(&mut self) -> Result<()> {
        self.people()?;
        self.master_data()?;
        self.runs()
    }

    fn people(&mut self) -> Result<()> {
        let (admin, admin_name, _, admin_pin) = DEMO_USERS[0];
        // The first admin adds themself, as `traveler init` does.
        let bootstrap = Actor {
            login: admin.into(),
            name: admin_name.into(),
            roles: vec![ADMIN.into()],
            station: self.station.clone(),
            reauthenticated: true,
        };
        self.actors.insert("admin", bootstrap);
        for (login, name, roles, pin) in DEMO_USERS {
            self.act(
                "admin",
                None,
                Command::AddUser {
                    login: login.into(),
                    name: name.into(),
                    roles: roles.iter().map(|r| r.to_string()).collect(),
                    secret_hash: hash_secret(pin)?,
                },
            )?;
            if login == admin {
                // From here on every user acts as themself, signed in with their PIN.
                let actor =
                    self.store
                        .authenticate(admin, admin_pin, &self.station, self.clock, true)?;
                self.actors.insert("admin", actor);
            }
        }
        for (login, _, _, pin) in DEMO_USERS {
            let actor = self
                .store
                .authenticate(login, pin, &self.station, self.clock, true)?;
            self.actors.insert(login, actor);
        }
        Ok(())
    }

    fn master_data(&mut self) -> Result<()> {
        let parts = [
            ("PUMP-100", "Centrifugal pump, 100 series", Tracking::Serial),
            ("CTRL-200", "Pump controller board", Tracking::Serial),
            ("SEAL-20", "Shaft seal 20 mm", Tracking::Lot),
            ("SEAL-20B", "Shaft seal 20 mm, second source", Tracking::Lot),
            ("IMP-7", "Impeller, 7 vanes", Tracking::Serial),
            (
                "LOCTITE-243",
                "Thread locker, medium strength",
                Tracking::Lot,
            ),
        ];
        for (number, description, tracking) in parts {
            self.act(
                "admin",
                None,
                Command::AddPart {
                    number: number.into(),
                    description: description.into(),
                    tracking,
                },
            )?;
        }
        let lots = [
            ("SEAL-20", "SL-2611-A", 24),
            ("SEAL-20B", "SLB-2610-C", 6),
            ("LOCTITE-243", "LT-2309", 60),
        ];
        for (part, lot, quantity) in lots {
            self.act(
                "supervisor",
                None,
                Command::ReceiveInventory {
                    part: part.into(),
                    identifier: lot.into(),
                    quantity,
                    received_as: None,
                },
            )?;
        }
        for n in 1..=20 {
            self.act(
                "supervisor",
                None,
                Command::ReceiveInventory {
                    part: "IMP-7".into(),
                    identifier: format!("IMP-{n:04}"),
                    quantity: 1,
                    received_as: None,
                },
            )?;
        }
        for (name, text) in PROCEDURES {
            let procedure = crate::procedure_file::parse(text)
                .map_err(|e| anyhow!("assets/procedures/{name}: {e}"))?;
            let key = procedure.key.clone();
            self.act("admin", None, Command::ImportProcedure { procedure })?;
            self.act("admin", None, Command::ReleaseProcedure { key, version: 1 })?;
        }
        Ok(())
    }

    fn create(&mut self, procedure: &str, prefix: &str, title: &str) -> Result<RunId> {
        let serial = format!("{prefix}-{}", self.next_serial);
        self.next_serial += 1;
        self.create_on(procedure, &serial, title)
    }

    fn create_on(&mut self, procedure: &str, serial: &str, title: &str) -> Result<RunId> {
        let events = self.act(
            "supervisor",
            None,
            Command::CreateRun {
                procedure_key: procedure.into(),
                serial: serial.into(),
                title: Some(title.into()),
            },
        )?;
        events
            .iter()
            .find_map(|e| match e {
                Event::RunCreated { run } => Some(run.id),
                _ => None,
            })
            .ok_or_else(|| anyhow!("creating a run on {serial} made no run"))
    }

    fn set(&mut self, who: &str, run: RunId, step: &str, field: &str, raw: &str) -> Result<()> {
        self.act(
            who,
            Some(run),
            Command::SetField {
                step: step.into(),
                field: field.into(),
                raw: raw.into(),
                file_sha256: None,
                reason: None,
                void_approval: false,
            },
        )?;
        Ok(())
    }

    fn step_cmd(&mut self, who: &str, run: RunId, command: Command) -> Result<()> {
        self.act(who, Some(run), command)?;
        Ok(())
    }

    fn install(&mut self, who: &str, run: RunId, step: &str, identifier: &str) -> Result<()> {
        self.step_cmd(
            who,
            run,
            Command::Install {
                step: step.into(),
                identifier: identifier.into(),
                quantity: None,
                scanned: true,
            },
        )
    }

    fn next_impeller(&mut self) -> String {
        self.next_impeller += 1;
        format!("IMP-{:04}", self.next_impeller)
    }

    /// Step 1 of a pump: check in, measure, complete.
    fn pump_bore(&mut self, who: &str, run: RunId, bore: &str) -> Result<()> {
        self.step_cmd(
            who,
            run,
            Command::CheckIn {
                step: "bore".into(),
            },
        )?;
        self.set(who, run, "bore", "Bore diameter", bore)?;
        self.set(who, run, "bore", "Surface finish", "pass")?;
        Ok(())
    }

    fn pump_seals(&mut self, who: &str, run: RunId) -> Result<()> {
        self.step_cmd(
            who,
            run,
            Command::CheckIn {
                step: "seals".into(),
            },
        )?;
        self.install(who, run, "seals", "SL-2611-A")?;
        self.step_cmd(
            who,
            run,
            Command::Complete {
                step: "seals".into(),
            },
        )
    }

    fn pump_impeller(&mut self, who: &str, run: RunId, torque: &str) -> Result<()> {
        self.step_cmd(
            who,
            run,
            Command::CheckIn {
                step: "impeller".into(),
            },
        )?;
        let impeller = self.next_impeller();
        self.install(who, run, "impeller", &impeller)?;
        self.install(who, run, "impeller", "LT-2309")?;
        self.set(who, run, "impeller", "Nut torque", torque)?;
        self.set(who, run, "impeller", "Torque wrench", "TW-02")?;
        self.step_cmd(
            who,
            run,
            Command::Complete {
                step: "impeller".into(),
            },
        )
    }

    fn pump_inspect_filled(&mut self, who: &str, run: RunId) -> Result<()> {
        self.step_cmd(
            who,
            run,
            Command::CheckIn {
                step: "inspect".into(),
            },
        )?;
        self.set(who, run, "inspect", "Visual defects found", "no")?;
        self.set(
            who,
            run,
            "inspect",
            "Inspection notes",
            "Paint even, nameplate straight.",
        )
    }

    fn sign(&mut self, run: RunId, step: &str, field: &str) -> Result<()> {
        self.step_cmd(
            "quality",
            run,
            Command::SignOff {
                step: step.into(),
                field: field.into(),
                meaning: Meaning::Approved,
                comment: None,
            },
        )
    }

    /// A whole pump, bore to sign-off; returns the run and its serial.
    fn complete_pump(&mut self, who: &str, title: &str) -> Result<(RunId, String)> {
        let run = self.create("PUMP-ASSY", "PU", title)?;
        let serial = format!("PU-{}", self.next_serial - 1);
        self.advance(30);
        self.pump_bore(who, run, "25.02")?;
        self.step_cmd(
            who,
            run,
            Command::Complete {
                step: "bore".into(),
            },
        )?;
        self.advance(20);
        self.pump_seals(who, run)?;
        self.advance(25);
        self.pump_impeller(who, run, "11.1")?;
        self.advance(15);
        self.pump_inspect_filled(who, run)?;
        self.sign(run, "inspect", "Quality approval")?;
        self.step_cmd(
            who,
            run,
            Command::Complete {
                step: "inspect".into(),
            },
        )?;
        Ok((run, serial))
    }

    fn complete_board(&mut self, who: &str, title: &str) -> Result<RunId> {
        let run = self.create("CTRL-TEST", "CB", title)?;
        self.advance(10);
        self.step_cmd(
            who,
            run,
            Command::CheckIn {
                step: "power".into(),
            },
        )?;
        self.set(who, run, "power", "3V3 rail", "3.31")?;
        self.set(who, run, "power", "Idle current", "118")?;
        self.step_cmd(
            who,
            run,
            Command::Complete {
                step: "power".into(),
            },
        )?;
        self.step_cmd(
            who,
            run,
            Command::CheckIn {
                step: "comms".into(),
            },
        )?;
        self.set(
            who,
            run,
            "comms",
            "Ports passing",
            "CAN, RS-485, Ethernet, USB",
        )?;
        self.set(who, run, "comms", "Bus check", "pass")?;
        self.step_cmd(
            who,
            run,
            Command::Complete {
                step: "comms".into(),
            },
        )?;
        Ok(run)
    }

    fn runs(&mut self) -> Result<()> {
        // Staged nine days ago and never touched: the board marks these stuck.
        self.at_ago(Duration::days(8) + Duration::hours(20));
        for title in [
            "Pump for line 3 spares",
            "Pump, customer order 4471",
            "Pump, customer order 4472",
        ] {
            self.create("PUMP-ASSY", "PU", title)?;
        }
        // A week of finished work.
        let mut finished = Vec::new();
        for day in 0..5 {
            self.at_ago(Duration::days(8 - day) + Duration::hours(2));
            let who = if day % 2 == 0 {
                "operator"
            } else {
                "operator2"
            };
            finished.push(self.complete_pump(who, &format!("Pump, stock build {}", day + 1))?);
        }
        self.at_ago(Duration::days(3));
        self.complete_board("operator2", "Controller, stock build 1")?;
        self.complete_board("operator", "Controller, stock build 2")?;

        // Final inspection of a finished pump, complete.
        self.at_ago(Duration::days(2) + Duration::hours(6));
        let (_, first_serial) = finished[0].clone();
        let inspection = self.create_on(
            "FINAL-INSP",
            &first_serial,
            "Final inspection before shipping",
        )?;
        self.step_cmd(
            "operator",
            inspection,
            Command::CheckIn {
                step: "label".into(),
            },
        )?;
        self.set("operator", inspection, "label", "Nameplate matches", "pass")?;
        self.step_cmd(
            "operator",
            inspection,
            Command::Complete {
                step: "label".into(),
            },
        )?;
        self.step_cmd(
            "operator",
            inspection,
            Command::CheckIn {
                step: "pack".into(),
            },
        )?;
        self.set("operator", inspection, "pack", "Packing", "export crate")?;
        self.sign(inspection, "pack", "Inspector approval")?;
        self.step_cmd(
            "operator",
            inspection,
            Command::Complete {
                step: "pack".into(),
            },
        )?;

        // A failed build: the bore is scrap, the step fails with an issue, the run is failed.
        self.at_ago(Duration::days(2));
        let failed = self.create("PUMP-ASSY", "PU", "Pump, customer order 4468")?;
        self.pump_bore("operator2", failed, "25.31")?;
        self.step_cmd(
            "operator2",
            failed,
            Command::FailStep {
                step: "bore".into(),
                reason: "Bore oversize by 0.31 mm; the housing cannot be saved.".into(),
                issue: None,
                raise_issue: Some("Housing bore oversize".into()),
            },
        )?;
        self.step_cmd(
            "supervisor",
            failed,
            Command::FailRun {
                reason: "Housing scrapped after oversize bore.".into(),
                issue: None,
                inventory_to: FailInventoryTo::Scrapped,
            },
        )?;

        // A deviation: the bore is slightly out of range, accepted through an open issue.
        self.at_ago(Duration::days(1) + Duration::hours(5));
        let deviated = self.create("PUMP-ASSY", "PU", "Pump, customer order 4473")?;
        self.pump_bore("operator", deviated, "25.07")?;
        let events = self.act(
            "operator",
            Some(deviated),
            Command::RaiseIssue {
                title: "Bore 0.02 mm over tolerance".into(),
                description:
                    "Measured 25.07 mm against 25.00 ± 0.05 mm. Seal fit checked by hand: tight."
                        .into(),
                step: Some("bore".into()),
                field: Some("Bore diameter".into()),
                inventory: None,
            },
        )?;
        let issue = events
            .iter()
            .find_map(|e| match e {
                Event::IssueRaised { issue } => Some(issue.id),
                _ => None,
            })
            .ok_or_else(|| anyhow!("raising the demo issue made no issue"))?;
        self.step_cmd(
            "quality",
            deviated,
            Command::AcceptDeviation {
                step: "bore".into(),
                field: "Bore diameter".into(),
                issue,
                rationale: "Within the seal maker's interference range; use as is pending the issue's disposition.".into(),
            },
        )?;
        self.step_cmd(
            "operator",
            deviated,
            Command::Complete {
                step: "bore".into(),
            },
        )?;
        self.pump_seals("operator", deviated)?;

        // Work on the floor today.
        self.at_ago(Duration::hours(6));
        let waiting = self.create("PUMP-ASSY", "PU", "Pump, customer order 4474")?;
        self.pump_bore("operator", waiting, "24.98")?;
        self.step_cmd(
            "operator",
            waiting,
            Command::Complete {
                step: "bore".into(),
            },
        )?;
        self.pump_seals("operator", waiting)?;
        self.pump_impeller("operator", waiting, "10.8")?;
        self.pump_inspect_filled("operator", waiting)?;

        let at_seals = self.create("PUMP-ASSY", "PU", "Pump, customer order 4475")?;
        self.pump_bore("operator2", at_seals, "25.01")?;
        self.step_cmd(
            "operator2",
            at_seals,
            Command::Complete {
                step: "bore".into(),
            },
        )?;
        self.step_cmd(
            "operator2",
            at_seals,
            Command::CheckIn {
                step: "seals".into(),
            },
        )?;

        let on_hold = self.create("PUMP-ASSY", "PU", "Pump, customer order 4476")?;
        self.pump_bore("operator", on_hold, "25.00")?;
        self.step_cmd(
            "operator",
            on_hold,
            Command::Complete {
                step: "bore".into(),
            },
        )?;
        self.step_cmd(
            "operator",
            on_hold,
            Command::CheckIn {
                step: "seals".into(),
            },
        )?;
        self.step_cmd(
            "operator",
            on_hold,
            Command::Hold {
                step: "seals".into(),
                reason: "Seal driver sent for repair.".into(),
            },
        )?;

        let board = self.create("CTRL-TEST", "CB", "Controller, customer order 4475")?;
        self.step_cmd(
            "operator2",
            board,
            Command::CheckIn {
                step: "power".into(),
            },
        )?;
        self.set("operator2", board, "power", "3V3 rail", "3.29")?;
        self.step_cmd(
            "operator2",
            board,
            Command::SetField {
                step: "power".into(),
                field: "3V3 rail".into(),
                raw: "3.31".into(),
                file_sha256: None,
                reason: Some("Probe was not seated; re-measured.".into()),
                void_approval: false,
            },
        )?;

        // Freshly staged.
        self.at_ago(Duration::minutes(40));
        let bore_ready = self.create("PUMP-ASSY", "PU", "Pump, customer order 4477")?;
        self.pump_bore("operator", bore_ready, "25.03")?;
        for title in ["Pump, customer order 4478", "Pump, customer order 4479"] {
            self.create("PUMP-ASSY", "PU", title)?;
        }
        self.create("CTRL-TEST", "CB", "Controller, customer order 4478")?;
        Ok(())
    }
}
