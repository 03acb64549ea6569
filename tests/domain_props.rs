//! Property tests: random command sequences by random actors over a fixed
//! world, with the engine's invariants checked after every command.

#[path = "domain_fixture.rs"]
mod fixture;

use fixture::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use traveler::domain::*;

const ACTORS: [&str; 6] = ["op1", "op2", "qe1", "qe2", "sup1", "adm"];
const STEPS: [&str; 6] = ["prep", "bore", "torque", "label", "bore-r1", "2.1"];
const ITEMS: [&str; 7] = [
    "BRG-1", "BRG-2", "ALT-1", "SCR-A", "SCR-B", "NUT-1", RUN_SERIAL,
];
const VALUES: [(&str, &str, &str); 12] = [
    ("prep", "Inspection date", "2024-05-01"),
    ("prep", "Inspection date", "2024-02-31"),
    ("prep", "Notes", "ok"),
    ("bore", "Bore diameter", "25.01"),
    ("bore", "Bore diameter", "25.3"),
    ("bore", "Bore diameter", "NaN"),
    ("bore", "Leak test", "pass"),
    ("bore", "Leak test", "fail"),
    ("bore", "Finish", "anodized"),
    ("torque", "Torque", "11"),
    ("torque", "Torque", "13"),
    ("label", "Label ok", "yes"),
];

/// One generated action: either a raw command or "do the next sensible
/// thing on this step" (so runs actually get completed).
#[derive(Clone, Debug)]
enum Action {
    Smart {
        actor: usize,
        step: usize,
    },
    Raw {
        actor: usize,
        pick: u8,
        a: usize,
        b: usize,
        flag: bool,
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..ACTORS.len(), 0..STEPS.len()).prop_map(|(actor, step)| Action::Smart { actor, step }),
        1 => (0..ACTORS.len(), 0u8..24, 0usize..64, 0usize..64, any::<bool>())
            .prop_map(|(actor, pick, a, b, flag)| Action::Raw { actor, pick, a, b, flag }),
    ]
}

fn raw_command(w: &World, pick: u8, a: usize, b: usize, flag: bool) -> Command {
    let step = STEPS[a % STEPS.len()].to_string();
    let item = ITEMS[b % ITEMS.len()].to_string();
    let issue = (b % 3) as i64 + 1;
    let redline = w
        .run
        .as_ref()
        .and_then(|r| {
            if r.redlines.is_empty() {
                None
            } else {
                Some(r.redlines[b % r.redlines.len()].id)
            }
        })
        .unwrap_or(999);
    match pick {
        0 => Command::CheckIn { step },
        1 => Command::CheckOut { step },
        2 => Command::Complete { step },
        3 => Command::Hold {
            step,
            reason: if flag { "wait".into() } else { String::new() },
        },
        4 => Command::Resume { step },
        5 => Command::FailStep {
            step,
            reason: "broken".into(),
            issue: None,
            raise_issue: flag.then(|| "Broken".to_string()),
        },
        6 => Command::Rework {
            step,
            expect: flag.then_some(ReworkMode::Copy),
        },
        7 => Command::ReopenStep {
            step,
            reason: "again".into(),
        },
        8 => {
            let (s, f, v) = VALUES[b % VALUES.len()];
            Command::SetField {
                step: s.into(),
                field: f.into(),
                raw: v.into(),
                file_sha256: None,
                reason: None,
                void_approval: false,
            }
        }
        9 => Command::Install {
            step: if flag { "bore".into() } else { step },
            identifier: item,
            quantity: a.is_multiple_of(3).then_some((b % 5) as i64),
            scanned: true,
        },
        10 => Command::Uninstall {
            step: if flag { "bore".into() } else { step },
            identifier: item,
        },
        11 => Command::SignOff {
            step: if flag {
                "bore".into()
            } else {
                "bore-r1".into()
            },
            field: "QA".into(),
            meaning: if a.is_multiple_of(2) {
                Meaning::Approved
            } else {
                Meaning::Rejected
            },
            comment: Some("checked".into()),
        },
        12 => Command::RaiseIssue {
            title: "Problem".into(),
            description: String::new(),
            step: flag.then_some(step),
            field: None,
            inventory: a.is_multiple_of(2).then_some(item),
        },
        13 => Command::SetDisposition {
            issue,
            disposition: Disposition::ALL[a % Disposition::ALL.len()],
            rationale: "Reviewed".into(),
        },
        14 => Command::CloseIssue {
            issue,
            rationale: "checked".into(),
        },
        15 => Command::AcceptDeviation {
            step: "bore".into(),
            field: if flag {
                "Bore diameter".into()
            } else {
                "Leak test".into()
            },
            issue,
            rationale: "fits".into(),
        },
        16 => Command::ExceptRequirement {
            step: "bore".into(),
            part: if flag {
                "SCREW".into()
            } else {
                "BEARING".into()
            },
            issue,
            reason: "later".into(),
        },
        17 => {
            let change = match a % 3 {
                0 => RedlineChange::CorrectInstructions {
                    instructions: format!("Take care {b}."),
                },
                1 => RedlineChange::AddStep {
                    def: step_def_extra(b),
                },
                _ => {
                    let mut def = number(
                        "Torque",
                        "N·m",
                        Validation {
                            min: Some(10.0),
                            max: Some(14.0),
                            ..Validation::default()
                        },
                    );
                    def.required = true;
                    RedlineChange::ChangeField {
                        field: "Torque".into(),
                        def,
                    }
                }
            };
            let target = if a % 3 == 2 {
                "torque".to_string()
            } else {
                step
            };
            Command::ProposeRedline {
                step: target,
                change,
                reason: "change".into(),
            }
        }
        18 => Command::ApproveRedline { redline },
        19 => Command::CancelRedline { redline },
        20 if !a.is_multiple_of(4) => Command::AddComment {
            step,
            text: "rare fail".into(),
        },
        20 => Command::FailRun {
            reason: "abandon".into(),
            issue: None,
            inventory_to: if flag {
                FailInventoryTo::Scrapped
            } else {
                FailInventoryTo::Quarantined
            },
        },
        21 => Command::ReopenRun {
            reason: "fix data".into(),
        },
        22 => Command::AddComment {
            step,
            text: "note".into(),
        },
        _ => Command::SetSetting {
            key: "block_completion_on_open_issues".into(),
            value: flag.to_string(),
        },
    }
}

fn step_def_extra(b: usize) -> StepDef {
    let mut s = fixture::step(
        &format!("extra{}", b % 2),
        &[],
        vec![field("Clean", FieldType::PassFail, true)],
    );
    s.required = !b.is_multiple_of(3);
    if b % 2 == 1 {
        s.rework = ReworkMode::Copy;
    }
    s
}

/// The first step worth working on: required, not complete, not superseded,
/// its dependencies complete.
fn next_step(w: &World) -> String {
    let Some(run) = &w.run else {
        return "prep".into();
    };
    for s in &run.steps {
        if s.required
            && s.superseded_by.is_none()
            && s.state != StepState::Complete
            && s.after.iter().all(|d| dependency_complete(run, d))
        {
            return s.key.clone();
        }
    }
    "label".into()
}

/// The next sensible command on a step, from what the world shows.
fn smart_command(w: &World, actor: &str, key: &str) -> Option<Command> {
    let run = w.run.as_ref()?;
    if run.state == RunState::InProgress && all_required_complete(run) {
        // finished steps: clear what the run waits on
        if let Some(s) = run
            .steps
            .iter()
            .find(|s| s.state == StepState::Failed && s.superseded_by.is_none())
        {
            return Some(Command::Rework {
                step: s.key.clone(),
                expect: None,
            });
        }
        if let Some(r) = run
            .redlines
            .iter()
            .find(|r| r.state == RedlineState::Proposed)
        {
            return Some(Command::ApproveRedline { redline: r.id });
        }
        let issue = w
            .issues
            .values()
            .find(|i| i.run == Some(run.id) && i.state != IssueState::Closed)?;
        return Some(match issue.state {
            IssueState::Open => Command::SetDisposition {
                issue: issue.id,
                disposition: Disposition::UseAsIs,
                rationale: "Reviewed".into(),
            },
            _ => Command::CloseIssue {
                issue: issue.id,
                rationale: "checked".into(),
            },
        });
    }
    let step = find_step(run, key)?;
    let key = step.key.clone();
    match step.state {
        StepState::Todo => return Some(Command::CheckIn { step: key }),
        StepState::OnHold => return Some(Command::Resume { step: key }),
        StepState::Failed => {
            return Some(Command::Rework {
                step: key,
                expect: None,
            })
        }
        StepState::Redline => {
            let id = run
                .redlines
                .iter()
                .find(|r| r.step == key && r.state == RedlineState::Proposed)?
                .id;
            return Some(Command::ApproveRedline { redline: id });
        }
        StepState::Complete | StepState::Skipped => return None,
        StepState::InProgress => {}
    }
    if !is_checked_in(step, actor) {
        return Some(Command::CheckIn { step: key });
    }
    for f in &step.fields {
        let good = match f.def.field_type {
            FieldType::Number if f.def.name == "Torque" => "11",
            FieldType::Number => "25.0",
            FieldType::PassFail => "pass",
            FieldType::Date => "2024-05-01",
            FieldType::SingleSelect => "anodized",
            FieldType::Boolean => "yes",
            FieldType::Text => "ok",
            _ => continue,
        };
        let bad = match current_value(f) {
            None => f.def.required,
            Some(v) => value_needs_deviation(&f.def, &v.value),
        };
        if bad {
            return Some(Command::SetField {
                step: key,
                field: f.def.name.clone(),
                raw: good.into(),
                file_sha256: None,
                reason: None,
                void_approval: false,
            });
        }
    }
    for r in &step.requirements {
        if still_needed(r) > 0 && r.exception.is_none() {
            let candidate = w.inventory.values().find(|i| {
                (i.part == r.def.part || r.def.substitutes.contains(&i.part))
                    && i.state == InventoryState::Available
                    && i.quantity > 0
            })?;
            return Some(Command::Install {
                step: key,
                identifier: candidate.identifier.clone(),
                quantity: None,
                scanned: true,
            });
        }
    }
    for f in step
        .fields
        .iter()
        .filter(|f| f.def.field_type == FieldType::Signoff)
    {
        if signoff_status(step, f) != SignoffStatus::Approved {
            return Some(Command::SignOff {
                step: key,
                field: f.def.name.clone(),
                meaning: Meaning::Approved,
                comment: None,
            });
        }
    }
    Some(Command::Complete { step: key })
}

/// Everything that should hold in any world the engine produced.
fn check_invariants(w: &World, initial: &World) -> Result<(), TestCaseError> {
    let Some(run) = &w.run else { return Ok(()) };
    if run.state == RunState::Complete {
        for s in run
            .steps
            .iter()
            .filter(|s| s.required && s.superseded_by.is_none())
        {
            prop_assert_eq!(
                s.state,
                StepState::Complete,
                "complete run with step {} {:?}",
                s.key,
                s.state
            );
        }
        prop_assert!(
            checked_in(run).is_empty(),
            "complete run with open sessions"
        );
        // nothing left open or failed: optional open steps were skipped
        for s in run.steps.iter().filter(|s| s.superseded_by.is_none()) {
            prop_assert!(
                matches!(s.state, StepState::Complete | StepState::Skipped),
                "complete run with step {} {:?}",
                &s.key,
                s.state
            );
        }
    }
    // serials: at most one active installation, and parent agrees with it
    let mut active: BTreeMap<&str, i64> = BTreeMap::new();
    for s in &run.steps {
        for r in &s.requirements {
            for i in r.installs.iter().filter(|i| i.removed_at.is_none()) {
                *active.entry(i.identifier.as_str()).or_default() += i.quantity;
            }
        }
    }
    for (id, item) in &w.inventory {
        let installed = active.get(id.as_str()).copied().unwrap_or(0);
        prop_assert!(item.quantity >= 0, "{} has quantity {}", id, item.quantity);
        match item.tracking {
            Tracking::Serial if id != &run.serial => {
                prop_assert!(installed <= 1, "{} installed {} times", id, installed);
                if installed == 1 {
                    prop_assert_eq!(item.parent.as_deref(), Some(run.serial.as_str()));
                } else {
                    prop_assert_eq!(
                        item.parent.as_deref(),
                        None,
                        "{} has a parent but no installation",
                        id
                    );
                }
            }
            Tracking::Lot => {
                let start = initial.inventory.get(id).map(|i| i.quantity).unwrap_or(0);
                prop_assert_eq!(
                    item.quantity + installed,
                    start,
                    "lot {} does not add up",
                    id
                );
                prop_assert!(installed >= 0);
            }
            _ => {}
        }
    }
    // ids inside the run are below the counter
    let mut max_id = 0;
    for s in &run.steps {
        max_id = max_id.max(s.id);
        for x in &s.sessions {
            max_id = max_id.max(x.id);
        }
        for f in &s.fields {
            for v in &f.values {
                max_id = max_id.max(v.id);
            }
        }
    }
    prop_assert!(run.next_local_id > max_id);
    Ok(())
}

fn without_bookkeeping(run: &Run) -> Run {
    let mut r = run.clone();
    r.version = 0;
    r.updated_at = initial_time();
    r.updated_by = String::new();
    r
}

fn initial_time() -> Time {
    t0()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_invariants(actions in prop::collection::vec(action(), 5..40)) {
        let mut sim = Sim::with_run();
        let initial = sim.world.clone();
        let mut completed = false;
        for a in actions {
            let (actor, cmd) = match a {
                Action::Smart { actor, step } => {
                    // mostly one worker, so that runs get finished
                    let login = if actor < 3 { "op1" } else { ACTORS[actor] };
                    let key = if step < 2 { STEPS[step].to_string() } else { next_step(&sim.world) };
                    match smart_command(&sim.world, login, &key) {
                        Some(
                            c @ (Command::SignOff { .. }
                            | Command::SetDisposition { .. }
                            | Command::CloseIssue { .. }
                            | Command::ApproveRedline { .. }),
                        ) => (if actor % 2 == 0 { "qe1" } else { "qe2" }, c),
                        Some(c) => (login, c),
                        None => continue,
                    }
                }
                Action::Raw { actor, pick, a, b, flag } => {
                    (ACTORS[actor], raw_command(&sim.world, pick, a, b, flag))
                }
            };
            sim.now += chrono::Duration::minutes(1);
            sim.reauth = true;
            let req = sim.request(actor, cmd, Seen::default());
            let first = decide(&sim.world, &req);
            let second = decide(&sim.world, &req);
            prop_assert_eq!(&first, &second, "decide is not deterministic");
            let before = sim.world.clone();
            match first {
                Err(refusal) => {
                    prop_assert!(!refusal.reasons.is_empty(), "a refusal without a reason");
                    for r in &refusal.reasons {
                        prop_assert!(r.ends_with('.'), "not a sentence: {}", r);
                    }
                    // nothing was applied
                    prop_assert_eq!(&sim.world, &before);
                }
                Ok(events) => {
                    for e in &events {
                        apply(&mut sim.world, e, req.now, actor);
                        let _ = e.audit_parts(sim.world.run.as_ref().map(|r| r.id));
                    }
                    let (b, a) = (before.run.as_ref(), sim.world.run.as_ref());
                    if let (Some(b), Some(a)) = (b, a) {
                        let changed = without_bookkeeping(b) != without_bookkeeping(a);
                        if changed {
                            prop_assert!(a.version > b.version, "run changed without a version bump: {:?}", events);
                            prop_assert_eq!(a.updated_at, req.now);
                        } else {
                            prop_assert_eq!(a.version, b.version, "version bumped without a change: {:?}", events);
                        }
                        for s in &a.steps {
                            if let Some(old) = b.steps.iter().find(|o| o.key == s.key) {
                                prop_assert!(s.version >= old.version);
                                if s.state != old.state {
                                    prop_assert!(s.version > old.version, "step {} moved without a version bump", s.key);
                                }
                            }
                        }
                    }
                }
            }
            completed |= sim.run().state == RunState::Complete;
            check_invariants(&sim.world, &initial)?;
        }
        let _ = completed;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 200, ..ProptestConfig::default() })]

    /// Installs and uninstalls on one step, by several users: serials sit in
    /// at most one place, lots add up and never go below zero.
    #[test]
    fn installs_and_uninstalls_keep_inventory_consistent(
        ops in prop::collection::vec((any::<bool>(), 0..ITEMS.len(), prop::option::of(0i64..6), 0..3usize), 1..40)
    ) {
        let mut sim = Sim::with_run();
        sim.finish_prep();
        sim.check_in("op1", "bore");
        sim.check_in("op2", "bore");
        let initial = sim.world.clone();
        for (install, item, quantity, who) in ops {
            let login = ["op1", "op2", "qe1"][who];
            let identifier = ITEMS[item].to_string();
            let cmd = if install {
                Command::Install { step: "bore".into(), identifier, quantity, scanned: true }
            } else {
                Command::Uninstall { step: "bore".into(), identifier }
            };
            let before = sim.world.clone();
            match sim.exec(login, cmd) {
                Ok(_) => {}
                Err(_) => prop_assert_eq!(&sim.world, &before),
            }
            check_invariants(&sim.world, &initial)?;
            for r in &sim.step("bore").requirements {
                prop_assert!(installed_quantity(r) <= r.def.quantity, "over-installed {}", r.def.part);
            }
        }
    }
}

/// The smart driver alone completes a run: the properties above do see
/// complete runs.
#[test]
fn the_smart_driver_completes_a_run() {
    let mut sim = Sim::with_run();
    sim.reauth = true;
    for _ in 0..60 {
        for (i, key) in ["prep", "bore", "torque"].iter().enumerate() {
            let actor = if *key == "bore" && i == 1 {
                "op1"
            } else {
                "op2"
            };
            let login = match smart_command(&sim.world, actor, key) {
                Some(Command::SignOff { .. }) => "qe1",
                _ => actor,
            };
            if let Some(c) = smart_command(&sim.world, actor, key) {
                let _ = sim.exec(login, c);
            }
        }
    }
    assert_eq!(sim.run().state, RunState::Complete);
}
