//! Shared builder for the domain tests: a world with a released procedure,
//! users of every role, parts and inventory, and a small driver that runs
//! `decide` and applies the events only when they are accepted.
//!
//! Included by `domain_rules.rs` and `domain_props.rs` with `#[path]`.
#![allow(dead_code)]

use chrono::{Duration, TimeZone};
use traveler::domain::*;

pub const RUN_SERIAL: &str = "W-1";

pub fn t0() -> Time {
    chrono::Utc
        .with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
        .single()
        .expect("valid time")
}

pub fn field(name: &str, t: FieldType, required: bool) -> FieldDef {
    FieldDef {
        name: name.to_string(),
        field_type: t,
        required,
        unit: None,
        validation: Validation::default(),
        options: Vec::new(),
        role: None,
    }
}

pub fn number(name: &str, unit: &str, v: Validation) -> FieldDef {
    FieldDef {
        unit: Some(unit.to_string()),
        validation: v,
        ..field(name, FieldType::Number, true)
    }
}

pub fn step(key: &str, after: &[&str], fields: Vec<FieldDef>) -> StepDef {
    StepDef {
        key: key.to_string(),
        title: format!("Step {key}"),
        instructions: format!("Do {key}."),
        required: true,
        after: after.iter().map(|s| s.to_string()).collect(),
        allow_out_of_range_with_issue: false,
        rework: ReworkMode::Reopen,
        fields,
        installs: Vec::new(),
    }
}

/// prep → bore → torque, plus an optional `label` step.
pub fn procedure() -> Procedure {
    let prep = step(
        "prep",
        &[],
        vec![
            field("Inspection date", FieldType::Date, true),
            field("Notes", FieldType::Text, false),
        ],
    );
    let mut bore = step(
        "bore",
        &["prep"],
        vec![
            number(
                "Bore diameter",
                "mm",
                Validation {
                    target: Some(25.0),
                    tolerance: Some(0.05),
                    ..Validation::default()
                },
            ),
            field("Leak test", FieldType::PassFail, true),
            FieldDef {
                options: vec!["anodized".into(), "painted".into(), "bare".into()],
                ..field("Finish", FieldType::SingleSelect, true)
            },
            FieldDef {
                role: Some(QUALITY.to_string()),
                ..field("QA", FieldType::Signoff, true)
            },
        ],
    );
    bore.allow_out_of_range_with_issue = true;
    bore.installs = vec![
        RequirementDef {
            part: "BEARING".into(),
            quantity: 1,
            substitutes: vec!["BEARING-ALT".into()],
        },
        RequirementDef {
            part: "SCREW".into(),
            quantity: 4,
            substitutes: Vec::new(),
        },
    ];
    let torque = step(
        "torque",
        &["bore"],
        vec![number(
            "Torque",
            "N·m",
            Validation {
                min: Some(10.0),
                max: Some(12.0),
                ..Validation::default()
            },
        )],
    );
    let mut label = step(
        "label",
        &[],
        vec![field("Label ok", FieldType::Boolean, false)],
    );
    label.required = false;
    Procedure {
        key: "widget".into(),
        version: 1,
        title: "Widget assembly".into(),
        kind: ProcedureKind::Build,
        produces: "WIDGET".into(),
        state: ProcedureState::Released,
        steps: vec![prep, bore, torque, label],
    }
}

pub fn user(login: &str, roles: &[&str]) -> User {
    User {
        login: login.to_string(),
        name: format!("{} Person", login.to_uppercase()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        secret_hash: "$argon2id$fake".to_string(),
        active: true,
        failed_attempts: 0,
        locked_until: None,
        secret_set_by: None,
    }
}

fn item(id: &str, part: &str, tracking: Tracking, qty: i64) -> InventoryItem {
    InventoryItem {
        identifier: id.to_string(),
        part: part.to_string(),
        tracking,
        quantity: qty,
        state: InventoryState::Available,
        parent: None,
    }
}

/// The world before any run exists.
pub fn base_world() -> World {
    let mut w = World {
        next_run_id: 1,
        next_issue_id: 1,
        ..World::default()
    };
    for (n, t) in [
        ("WIDGET", Tracking::Serial),
        ("BEARING", Tracking::Serial),
        ("BEARING-ALT", Tracking::Serial),
        ("SCREW", Tracking::Lot),
        ("NUT", Tracking::Serial),
    ] {
        w.parts.insert(
            n.to_string(),
            Part {
                number: n.to_string(),
                description: format!("{n} part"),
                tracking: t,
            },
        );
    }
    for i in [
        item("BRG-1", "BEARING", Tracking::Serial, 1),
        item("BRG-2", "BEARING", Tracking::Serial, 1),
        item("ALT-1", "BEARING-ALT", Tracking::Serial, 1),
        item("SCR-A", "SCREW", Tracking::Lot, 3),
        item("SCR-B", "SCREW", Tracking::Lot, 10),
        item("NUT-1", "NUT", Tracking::Serial, 1),
    ] {
        w.inventory.insert(i.identifier.clone(), i);
    }
    for u in [
        user("op1", &[OPERATOR]),
        user("op2", &[OPERATOR]),
        user("qe1", &[QUALITY]),
        user("qe2", &[QUALITY]),
        user("sup1", &[SUPERVISOR]),
        user("adm", &[ADMIN]),
        user("wit", &["witness"]),
    ] {
        w.users.insert(u.login.clone(), u);
    }
    w.procedures.push(procedure());
    w
}

/// Drives the engine like the store does: decide, then apply on success.
pub struct Sim {
    pub world: World,
    pub now: Time,
    pub reauth: bool,
}

impl Default for Sim {
    fn default() -> Self {
        Sim::new()
    }
}

impl Sim {
    pub fn new() -> Sim {
        Sim {
            world: base_world(),
            now: t0(),
            reauth: false,
        }
    }

    /// A world with run 1 created on `W-1` by the supervisor.
    pub fn with_run() -> Sim {
        Sim::with_run_of(|_| {})
    }

    /// As `with_run`, from the fixture procedure changed by `edit` first.
    pub fn with_run_of(edit: impl FnOnce(&mut Procedure)) -> Sim {
        let mut s = Sim::new();
        if let Some(p) = s.world.procedures.first_mut() {
            edit(p);
        }
        s.ok(
            "sup1",
            Command::CreateRun {
                procedure_key: "widget".into(),
                serial: RUN_SERIAL.into(),
                title: None,
            },
        );
        s
    }

    pub fn actor(&self, login: &str) -> Actor {
        let roles = self
            .world
            .users
            .get(login)
            .map(|u| u.roles.clone())
            .unwrap_or_default();
        Actor {
            login: login.to_string(),
            name: format!("{} Person", login.to_uppercase()),
            roles,
            station: "bench-1".to_string(),
            reauthenticated: self.reauth,
        }
    }

    pub fn request(&self, login: &str, command: Command, seen: Seen) -> Request {
        Request {
            actor: self.actor(login),
            run: self.world.run.as_ref().map(|r| r.id),
            command,
            seen,
            now: self.now,
        }
    }

    pub fn exec_seen(
        &mut self,
        login: &str,
        command: Command,
        seen: Seen,
    ) -> Result<Vec<Event>, Refusal> {
        self.now += Duration::minutes(1);
        let req = self.request(login, command, seen);
        let out = decide(&self.world, &req);
        if let Ok(events) = &out {
            for e in events {
                apply(&mut self.world, e, req.now, login);
            }
        }
        out
    }

    pub fn exec(&mut self, login: &str, command: Command) -> Result<Vec<Event>, Refusal> {
        self.exec_seen(login, command, Seen::default())
    }

    #[track_caller]
    pub fn ok(&mut self, login: &str, command: Command) -> Vec<Event> {
        let c = command.clone();
        match self.exec(login, command) {
            Ok(e) => e,
            Err(r) => panic!("{c:?} by {login} refused: {:?}", r.reasons),
        }
    }

    #[track_caller]
    /// Changes an org setting as the admin.
    pub fn setting(&mut self, key: &str, value: &str) {
        self.ok(
            "adm",
            Command::SetSetting {
                key: key.into(),
                value: value.into(),
            },
        );
    }

    pub fn refused(&mut self, login: &str, command: Command) -> Vec<String> {
        let before = self.world.clone();
        let c = command.clone();
        match self.exec(login, command) {
            Ok(e) => panic!("{c:?} by {login} was accepted: {e:?}"),
            Err(r) => {
                assert_eq!(before, self.world, "a refused command changed the world");
                r.reasons
            }
        }
    }

    /// As `ok`, with the secret re-entered (a signed decision: a deviation
    /// accepted, a disposition set).
    #[track_caller]
    pub fn ok_signed(&mut self, login: &str, command: Command) -> Vec<Event> {
        self.reauth = true;
        let c = command.clone();
        let out = self.exec(login, command);
        self.reauth = false;
        match out {
            Ok(e) => e,
            Err(r) => panic!("{c:?} signed by {login} refused: {:?}", r.reasons),
        }
    }

    /// As `refused`, with the secret re-entered.
    #[track_caller]
    pub fn refused_signed(&mut self, login: &str, command: Command) -> Vec<String> {
        self.reauth = true;
        let out = self.refused(login, command);
        self.reauth = false;
        out
    }

    /// As `ok`, with the secret re-entered.
    #[track_caller]
    pub fn sign(
        &mut self,
        login: &str,
        step: &str,
        field: &str,
        meaning: Meaning,
        comment: Option<&str>,
    ) -> Result<Vec<Event>, Refusal> {
        self.reauth = true;
        let out = self.exec(
            login,
            Command::SignOff {
                step: step.into(),
                field: field.into(),
                meaning,
                comment: comment.map(str::to_string),
            },
        );
        self.reauth = false;
        out
    }

    pub fn run(&self) -> &Run {
        self.world.run.as_ref().expect("a run")
    }

    pub fn step(&self, key: &str) -> &RunStep {
        step_by_key(self.run(), key).expect("the step")
    }

    pub fn item(&self, id: &str) -> &InventoryItem {
        self.world.inventory.get(id).expect("the item")
    }

    #[track_caller]
    pub fn set(&mut self, login: &str, step: &str, field: &str, raw: &str) -> Vec<Event> {
        self.ok(
            login,
            Command::SetField {
                step: step.into(),
                field: field.into(),
                raw: raw.into(),
                file_sha256: None,
                reason: None,
                void_approval: false,
            },
        )
    }

    /// A save with a reason (a correction of a saved value needs one) and,
    /// when `void_approval`, the user's yes to voiding the step's approvals.
    pub fn save_cmd(
        step: &str,
        field: &str,
        raw: &str,
        reason: Option<&str>,
        void_approval: bool,
    ) -> Command {
        Command::SetField {
            step: step.into(),
            field: field.into(),
            raw: raw.into(),
            file_sha256: None,
            reason: reason.map(str::to_string),
            void_approval,
        }
    }

    /// Changes a saved value, giving the reason a correction needs.
    #[track_caller]
    pub fn correct(
        &mut self,
        login: &str,
        step: &str,
        field: &str,
        raw: &str,
        reason: &str,
    ) -> Vec<Event> {
        self.ok(login, Sim::save_cmd(step, field, raw, Some(reason), false))
    }

    /// As `correct`, saying yes to voiding the step's approvals.
    #[track_caller]
    pub fn correct_voiding(
        &mut self,
        login: &str,
        step: &str,
        field: &str,
        raw: &str,
        reason: &str,
    ) -> Vec<Event> {
        self.ok(login, Sim::save_cmd(step, field, raw, Some(reason), true))
    }

    #[track_caller]
    pub fn install(&mut self, login: &str, step: &str, id: &str) -> Vec<Event> {
        self.ok(
            login,
            Command::Install {
                step: step.into(),
                identifier: id.into(),
                quantity: None,
                scanned: true,
            },
        )
    }

    #[track_caller]
    pub fn check_in(&mut self, login: &str, step: &str) -> Vec<Event> {
        self.ok(login, Command::CheckIn { step: step.into() })
    }

    #[track_caller]
    pub fn complete(&mut self, login: &str, step: &str) -> Vec<Event> {
        self.ok(login, Command::Complete { step: step.into() })
    }

    /// prep done by op1.
    pub fn finish_prep(&mut self) {
        self.check_in("op1", "prep");
        self.set("op1", "prep", "Inspection date", "2024-05-01");
        self.complete("op1", "prep");
    }

    /// bore filled, installed and signed, but not completed (op1 checked in).
    pub fn ready_bore(&mut self) {
        self.check_in("op1", "bore");
        self.set("op1", "bore", "Bore diameter", "25.02");
        self.set("op1", "bore", "Leak test", "pass");
        self.set("op1", "bore", "Finish", "anodized");
        self.install("op1", "bore", "BRG-1");
        self.install("op1", "bore", "SCR-B");
        if let Err(r) = self.sign("qe1", "bore", "QA", Meaning::Approved, None) {
            panic!("sign-off refused: {:?}", r.reasons);
        }
    }

    pub fn finish_bore(&mut self) {
        self.ready_bore();
        self.complete("op1", "bore");
    }

    pub fn finish_torque(&mut self) {
        self.check_in("op2", "torque");
        self.set("op2", "torque", "Torque", "11");
        self.complete("op2", "torque");
    }

    pub fn raise_issue(&mut self, login: &str, title: &str) -> IssueId {
        let events = self.ok(
            login,
            Command::RaiseIssue {
                title: title.into(),
                description: String::new(),
                step: None,
                field: None,
                inventory: None,
            },
        );
        match events.first() {
            Some(Event::IssueRaised { issue }) => issue.id,
            other => panic!("expected IssueRaised, got {other:?}"),
        }
    }
}
