//! Shared fixtures: a fresh database per test, seeded through the engine.
#![allow(dead_code)]

use chrono::{Duration, TimeZone, Utc};
use std::path::PathBuf;
use traveler::domain::*;
use traveler::store::{hash_secret, ExecError, Store};

pub const PUMP: &str = include_str!("../../assets/procedures/pump-assembly.toml");

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
    pub now: Time,
}

pub fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("valid time")
}

pub fn actor(login: &str, roles: &[&str]) -> Actor {
    Actor {
        login: login.into(),
        name: format!("Test {login}"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        station: "test-station".into(),
        reauthenticated: true,
    }
}

pub fn admin() -> Actor {
    actor("admin", &[ADMIN])
}
pub fn operator() -> Actor {
    actor("op", &[OPERATOR])
}
pub fn operator2() -> Actor {
    actor("op2", &[OPERATOR])
}
pub fn quality() -> Actor {
    actor("qe", &[QUALITY])
}
pub fn supervisor() -> Actor {
    actor("sup", &[SUPERVISOR])
}

impl Fixture {
    /// An empty database with users of every role (PIN "1234" each).
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.db");
        let store = Store::open(&path).expect("open");
        let mut f = Fixture {
            dir,
            path,
            store,
            now: t0(),
        };
        let hash = hash_secret("1234").expect("hash");
        for a in [admin(), operator(), operator2(), quality(), supervisor()] {
            f.ok(
                &admin(),
                None,
                Command::AddUser {
                    login: a.login.clone(),
                    name: a.name.clone(),
                    roles: a.roles.clone(),
                    secret_hash: hash.clone(),
                },
            );
        }
        f
    }

    /// Also parts, inventory and the released pump procedure.
    pub fn with_pump() -> Fixture {
        Fixture::with_pump_text(PUMP)
    }

    /// As `with_pump`, with the pump procedure file's text given (a variant of `PUMP`).
    pub fn with_pump_text(text: &str) -> Fixture {
        let mut f = Fixture::new();
        for (number, tracking) in [
            ("PUMP-100", Tracking::Serial),
            ("SEAL-20", Tracking::Lot),
            ("SEAL-20B", Tracking::Lot),
            ("IMP-7", Tracking::Serial),
            ("LOCTITE-243", Tracking::Lot),
        ] {
            f.ok(
                &admin(),
                None,
                Command::AddPart {
                    number: number.into(),
                    description: String::new(),
                    tracking,
                },
            );
        }
        for (part, id, q) in [
            ("SEAL-20", "SL-1", 3),
            ("SEAL-20B", "SLB-1", 5),
            ("IMP-7", "IMP-1", 1),
            ("IMP-7", "IMP-2", 1),
            ("LOCTITE-243", "LT-1", 10),
        ] {
            f.ok(
                &supervisor(),
                None,
                Command::ReceiveInventory {
                    part: part.into(),
                    identifier: id.into(),
                    quantity: q,
                    received_as: None,
                },
            );
        }
        let procedure = traveler::procedure_file::parse(text).expect("pump parses");
        f.ok(&admin(), None, Command::ImportProcedure { procedure });
        f.ok(
            &admin(),
            None,
            Command::ReleaseProcedure {
                key: "PUMP-ASSY".into(),
                version: 1,
            },
        );
        f
    }

    pub fn exec(
        &mut self,
        who: &Actor,
        run: Option<RunId>,
        command: Command,
    ) -> Result<Vec<Event>, ExecError> {
        self.exec_seen(who, run, command, Seen::default())
    }

    pub fn exec_seen(
        &mut self,
        who: &Actor,
        run: Option<RunId>,
        command: Command,
        seen: Seen,
    ) -> Result<Vec<Event>, ExecError> {
        self.now += Duration::minutes(1);
        self.store.execute(Request {
            actor: who.clone(),
            run,
            command,
            seen,
            now: self.now,
        })
    }

    pub fn ok(&mut self, who: &Actor, run: Option<RunId>, command: Command) -> Vec<Event> {
        let what = format!("{command:?}");
        match self.exec(who, run, command) {
            Ok(e) => e,
            Err(e) => panic!("{what} was refused: {e}"),
        }
    }

    pub fn create_run(&mut self, serial: &str) -> RunId {
        self.create_run_of("PUMP-ASSY", serial)
    }

    /// A run of `procedure` (imported and released) on `serial`.
    pub fn create_run_of(&mut self, procedure: &str, serial: &str) -> RunId {
        let events = self.ok(
            &supervisor(),
            None,
            Command::CreateRun {
                procedure_key: procedure.into(),
                serial: serial.into(),
                title: None,
            },
        );
        events
            .iter()
            .find_map(|e| match e {
                Event::RunCreated { run } => Some(run.id),
                _ => None,
            })
            .expect("a run was created")
    }

    pub fn set(&mut self, who: &Actor, run: RunId, step: &str, field: &str, raw: &str) {
        self.ok(
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
        );
    }

    /// Changes a saved value, with the reason a correction needs.
    pub fn correct(
        &mut self,
        who: &Actor,
        run: RunId,
        step: &str,
        field: &str,
        raw: &str,
        reason: &str,
    ) {
        self.ok(
            who,
            Some(run),
            Command::SetField {
                step: step.into(),
                field: field.into(),
                raw: raw.into(),
                file_sha256: None,
                reason: Some(reason.into()),
                void_approval: false,
            },
        );
    }

    pub fn run(&self, id: RunId) -> Run {
        self.store.run(id).expect("load").expect("exists")
    }

    pub fn audit_count(&self) -> usize {
        self.store.audit_log(None, 1_000_000).expect("audit").len()
    }
}

/// Every check `traveler check` runs, now, with no anchors and a labour
/// limit no test session reaches.
pub fn all_checks(store: &Store) -> Vec<traveler::store::health::CheckResult> {
    store
        .health(&traveler::store::health::CheckOptions {
            anchors: &[],
            session_hours: 100_000,
            now: Utc::now(),
        })
        .expect("check")
}
