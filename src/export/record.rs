//! The record of one run, gathered from the store for `run export`: what
//! the JSON prints as is and the CSV and HTML lay out. Read-only.

use crate::domain::*;
use crate::store::anchor::Anchor;
use crate::store::{state_name, Store, TrailEvent};
use anyhow::{anyhow, Result};
use chrono::Local;
use serde::Serialize;

/// Bumped when a field of the record changes meaning (fields are only added).
pub const RECORD_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    pub format: &'static str,
    pub format_version: u32,
    pub exported_at: Time,
    pub run: RunHeader,
    /// The run's own moves: created, started, completed, failed, reopened.
    pub run_history: Vec<StateMove>,
    pub steps: Vec<StepRecord>,
    pub redlines: Vec<RedlineRecord>,
    /// The quality issues raised on the run, with their dispositions.
    pub issues: Vec<Issue>,
    pub signatures: Vec<ManifestEntry>,
    /// Every audit event written on the run, oldest first.
    pub events: Vec<TrailEvent>,
    /// The run's last audit event: `audit verify --anchor LINE` checks it.
    pub anchor: Option<AnchorRecord>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunHeader {
    pub id: RunId,
    pub title: String,
    pub serial: String,
    pub part: String,
    pub state: RunState,
    pub procedure_key: String,
    pub procedure_version: i64,
    pub procedure_title: Option<String>,
    pub created_at: Time,
    pub started_at: Option<Time>,
    pub completed_at: Option<Time>,
    pub failure: Option<RunFailure>,
}

/// One state change, from the audit trail.
#[derive(Clone, Debug, Serialize)]
pub struct StateMove {
    pub seq: i64,
    pub at: Time,
    pub by: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepRecord {
    pub position: String,
    pub key: String,
    pub title: String,
    pub instructions: String,
    pub required: bool,
    pub state: StepState,
    pub superseded_by: Option<String>,
    pub completed_by: Option<String>,
    pub completed_at: Option<Time>,
    pub history: Vec<StateMove>,
    pub fields: Vec<FieldRecord>,
    pub installs: Vec<InstallRecord>,
    pub exceptions: Vec<ExceptionRecord>,
    pub labour: Vec<LabourRecord>,
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldRecord {
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    pub unit: Option<String>,
    /// The rule in words (`25.00 ± 0.05 mm`), empty when there is none.
    pub rule: String,
    pub validation: Validation,
    /// Every value, oldest first; the last is current.
    pub values: Vec<ValueRecord>,
    pub deviations: Vec<Deviation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ValueRecord {
    pub id: u64,
    pub value: String,
    /// The verdict recorded when it was saved.
    pub verdict: Verdict,
    /// The verdict under the field's current rule (a redline may change it).
    pub verdict_under_current_rule: Verdict,
    pub current: bool,
    pub by: String,
    pub at: Time,
    pub replaces: Option<u64>,
    pub reason: Option<String>,
    pub file_sha256: Option<String>,
}

/// An install (or one taken back out), with its requirement and how its
/// item is tracked.
#[derive(Clone, Debug, Serialize)]
pub struct InstallRecord {
    pub requirement: String,
    pub tracking: Option<Tracking>,
    #[serde(flatten)]
    pub install: Installation,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExceptionRecord {
    pub requirement: String,
    #[serde(flatten)]
    pub exception: RequirementException,
}

#[derive(Clone, Debug, Serialize)]
pub struct LabourRecord {
    #[serde(flatten)]
    pub session: LabourSession,
    /// Whole minutes, for a closed session.
    pub minutes: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RedlineRecord {
    pub id: u64,
    pub step: String,
    /// `add_step`, `change_field` or `correct_instructions`.
    pub kind: String,
    /// The change in words.
    pub change: String,
    pub reason: String,
    pub state: RedlineState,
    pub proposed_by: String,
    pub proposed_at: Time,
    pub decided_by: Option<String>,
    pub decided_at: Option<Time>,
}

/// What a signature is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    Signoff,
    Deviation,
    Disposition,
}

/// A later reset of the signer's PIN by someone else.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PinReset {
    pub by: String,
    pub at: Time,
}

/// One signature of the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct ManifestEntry {
    pub kind: SignatureKind,
    pub step: Option<String>,
    pub field: Option<String>,
    pub issue: Option<IssueId>,
    /// Printed name at signing time.
    pub name: String,
    pub login: String,
    pub at_utc: Time,
    /// The same moment in the exporting station's zone, with its offset.
    pub at_local: String,
    pub meaning: String,
    pub comment: Option<String>,
    /// The SHA-256 the signature binds to, and what it is a hash of.
    pub sha256: Option<String>,
    pub sha256_of: String,
    /// The audit event that recorded the signature.
    pub audit_seq: Option<i64>,
    /// False when the PIN signed with had been set by someone else (the
    /// stored flag, or the trail's last PIN change before the signature).
    pub secret_set_by_signer: bool,
    /// The first reset of the signer's PIN by someone else after this
    /// signature: whoever knew that PIN may have known the one signed with.
    pub pin_reset_by_other_after: Option<PinReset>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AnchorRecord {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub line: String,
}

impl From<Anchor> for AnchorRecord {
    fn from(a: Anchor) -> Self {
        AnchorRecord {
            line: a.line(),
            seq: a.seq,
            hash: a.hash,
            at: a.at,
        }
    }
}

/// A time in the station's zone, with its offset (`2026-11-25 10:32:05 +01:00`).
pub fn local_text(t: Time) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// Gathers the whole record of run `id`.
pub fn gather(store: &Store, id: RunId, now: Time) -> Result<RunRecord> {
    let run = store
        .run_with_history(id)?
        .ok_or_else(|| anyhow!("There is no run #{id} (see `traveler run list`)."))?;
    let procedure_title = store
        .procedure_version(&run.procedure_key, run.procedure_version)?
        .map(|p| p.title);
    let trail = store.run_trail(id)?;
    let issues = store.run_issues(id)?;
    let signatures = manifest(store, &run, &issues, &trail)?;
    let steps = run
        .steps
        .iter()
        .map(|s| step_record(store, s, &trail))
        .collect::<Result<Vec<_>>>()?;
    Ok(RunRecord {
        format: "traveler-run-record",
        format_version: RECORD_FORMAT_VERSION,
        exported_at: now,
        run: RunHeader {
            id: run.id,
            title: run.title.clone(),
            serial: run.serial.clone(),
            part: run.part.clone(),
            state: run.state,
            procedure_key: run.procedure_key.clone(),
            procedure_version: run.procedure_version,
            procedure_title,
            created_at: run.created_at,
            started_at: run.started_at,
            completed_at: run.completed_at,
            failure: run.failure.clone(),
        },
        run_history: run_history(&trail),
        steps,
        redlines: run.redlines.iter().map(redline_record).collect(),
        issues,
        signatures,
        anchor: store.run_anchor(id)?.map(AnchorRecord::from),
        events: trail,
    })
}

fn run_history(trail: &[TrailEvent]) -> Vec<StateMove> {
    trail
        .iter()
        .filter_map(|t| {
            let (from, to, reason) = match t.event.as_ref()? {
                Event::RunCreated { .. } => (None, "todo".to_string(), None),
                Event::RunStarted { .. } => (Some("todo"), "in_progress".into(), None),
                Event::RunCompleted { .. } => (Some("in_progress"), "complete".into(), None),
                Event::RunFailed { failure } => {
                    (None, "failed".into(), Some(failure.reason.clone()))
                }
                Event::RunReopened { reason } => {
                    (Some("complete"), "in_progress".into(), Some(reason.clone()))
                }
                _ => return None,
            };
            Some(StateMove {
                seq: t.seq,
                at: t.at,
                by: t.user.clone(),
                from: from.map(str::to_string),
                to,
                reason,
            })
        })
        .collect()
}

fn step_record(store: &Store, step: &RunStep, trail: &[TrailEvent]) -> Result<StepRecord> {
    let history = trail
        .iter()
        .filter_map(|t| match t.event.as_ref()? {
            Event::StepStateChanged {
                step: key,
                from,
                to,
                reason,
            } if *key == step.key => Some(StateMove {
                seq: t.seq,
                at: t.at,
                by: t.user.clone(),
                from: Some(from.name().to_string()),
                to: to.name().to_string(),
                reason: reason.clone(),
            }),
            Event::StepInserted { step: inserted, .. } if inserted.key == step.key => {
                Some(StateMove {
                    seq: t.seq,
                    at: t.at,
                    by: t.user.clone(),
                    from: None,
                    to: inserted.state.name().to_string(),
                    reason: t.reason.clone(),
                })
            }
            _ => None,
        })
        .collect();
    let mut installs = Vec::new();
    let mut exceptions = Vec::new();
    for req in &step.requirements {
        for i in &req.installs {
            let tracking = store
                .inventory_item(&i.identifier)?
                .map(|item| item.tracking);
            installs.push(InstallRecord {
                requirement: req.def.part.clone(),
                tracking,
                install: i.clone(),
            });
        }
        if let Some(e) = &req.exception {
            exceptions.push(ExceptionRecord {
                requirement: req.def.part.clone(),
                exception: e.clone(),
            });
        }
    }
    Ok(StepRecord {
        position: step.position.clone(),
        key: step.key.clone(),
        title: step.title.clone(),
        instructions: step.instructions.clone(),
        required: step.required,
        state: step.state,
        superseded_by: step.superseded_by.clone(),
        completed_by: step.completed_by.clone(),
        completed_at: step.completed_at,
        history,
        fields: step.fields.iter().map(field_record).collect(),
        installs,
        exceptions,
        labour: step
            .sessions
            .iter()
            .map(|s| LabourRecord {
                session: s.clone(),
                minutes: s.ended_at.map(|e| (e - s.started_at).num_minutes()),
            })
            .collect(),
        comments: step.comments.clone(),
    })
}

fn field_record(field: &Field) -> FieldRecord {
    let def = &field.def;
    let last = field.values.len().saturating_sub(1);
    FieldRecord {
        name: def.name.clone(),
        field_type: def.field_type,
        required: def.required,
        unit: def.unit.clone(),
        rule: rule_text(def),
        validation: def.validation.clone(),
        values: field
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| ValueRecord {
                id: v.id,
                value: value_text(&v.value),
                verdict: v.verdict,
                verdict_under_current_rule: value_verdict(def, &v.value),
                current: i == last,
                by: v.by.clone(),
                at: v.at,
                replaces: v.replaces,
                reason: v.reason.clone(),
                file_sha256: match &v.value {
                    Value::File { sha256, .. } => Some(sha256.clone()),
                    _ => None,
                },
            })
            .collect(),
        deviations: field.deviations.clone(),
    }
}

fn redline_record(r: &Redline) -> RedlineRecord {
    let (kind, change) = match &r.change {
        RedlineChange::AddStep { def } => (
            "add_step",
            format!("add step '{}' ({}) after {}", def.key, def.title, r.step),
        ),
        RedlineChange::ChangeField { field, def } => {
            let rule = rule_text(def);
            (
                "change_field",
                format!(
                    "field '{field}' becomes '{}' ({}){}",
                    def.name,
                    def.field_type.name(),
                    if rule.is_empty() {
                        String::new()
                    } else {
                        format!(", rule {rule}")
                    }
                ),
            )
        }
        RedlineChange::CorrectInstructions { instructions } => (
            "correct_instructions",
            format!("instructions become: {instructions}"),
        ),
    };
    RedlineRecord {
        id: r.id,
        step: r.step.clone(),
        kind: kind.to_string(),
        change,
        reason: r.reason.clone(),
        state: r.state,
        proposed_by: r.proposed_by.clone(),
        proposed_at: r.proposed_at,
        decided_by: r.decided_by.clone(),
        decided_at: r.decided_at,
    }
}

/// The PIN changes of one signer, from the trail: (time, set by someone else).
struct SecretHistory(Vec<(Time, Option<String>)>);

impl SecretHistory {
    fn of(store: &Store, login: &str) -> Result<SecretHistory> {
        let changes = store
            .entity_trail(&user_entity(login))?
            .into_iter()
            .filter_map(|t| match t.event? {
                Event::UserAdded { .. } => Some((t.at, None)),
                Event::UserSecretSet { set_by, .. } => {
                    Some((t.at, set_by.filter(|by| by != login)))
                }
                _ => None,
            })
            .collect();
        Ok(SecretHistory(changes))
    }

    /// Whether the PIN in force at `at` was set by someone else.
    fn borrowed_at(&self, at: Time) -> bool {
        self.0
            .iter()
            .rev()
            .find(|(t, _)| *t <= at)
            .is_some_and(|(_, by)| by.is_some())
    }

    fn reset_after(&self, at: Time) -> Option<PinReset> {
        self.0.iter().find_map(|(t, by)| match by {
            Some(by) if *t > at => Some(PinReset {
                by: by.clone(),
                at: *t,
            }),
            _ => None,
        })
    }
}

/// Every signature on the run and its issues, in time order.
fn manifest(
    store: &Store,
    run: &Run,
    issues: &[Issue],
    trail: &[TrailEvent],
) -> Result<Vec<ManifestEntry>> {
    let mut histories: std::collections::BTreeMap<String, SecretHistory> = Default::default();
    let mut entries = Vec::new();
    let mut history_of = |login: &str| -> Result<()> {
        if !histories.contains_key(login) {
            histories.insert(login.to_string(), SecretHistory::of(store, login)?);
        }
        Ok(())
    };
    for step in &run.steps {
        for field in &step.fields {
            for sig in &field.signatures {
                history_of(&sig.by)?;
                let seq = trail.iter().find_map(|t| match &t.event {
                    Some(Event::SignatureRecorded {
                        step: s,
                        field: f,
                        signature,
                    }) if *s == step.key && *f == field.def.name && signature == sig => Some(t.seq),
                    _ => None,
                });
                entries.push(ManifestEntry {
                    kind: SignatureKind::Signoff,
                    step: Some(step.key.clone()),
                    field: Some(field.def.name.clone()),
                    issue: None,
                    name: sig.name.clone(),
                    login: sig.by.clone(),
                    at_utc: sig.at,
                    at_local: local_text(sig.at),
                    meaning: state_name(&sig.meaning),
                    comment: sig.comment.clone(),
                    sha256: Some(sig.values_sha256.clone()),
                    sha256_of: "the step's field values when signed".into(),
                    audit_seq: seq,
                    secret_set_by_signer: sig.secret_set_by_signer,
                    pin_reset_by_other_after: None,
                });
            }
            for dev in &field.deviations {
                let Some(sig) = &dev.signature else { continue };
                history_of(&sig.by)?;
                let row = trail.iter().find(|t| {
                    matches!(&t.event, Some(Event::DeviationAccepted { step: s, field: f, deviation })
                        if *s == step.key && *f == field.def.name && deviation == dev)
                });
                entries.push(decision_entry(
                    SignatureKind::Deviation,
                    Some(step.key.clone()),
                    Some(field.def.name.clone()),
                    Some(dev.issue),
                    sig,
                    row,
                ));
            }
        }
    }
    for issue in issues {
        let issue_trail = store.entity_trail(&issue_entity(issue.id))?;
        for approval in &issue.approvals {
            let Some(sig) = &approval.signature else {
                continue;
            };
            history_of(&sig.by)?;
            let row = issue_trail.iter().find(|t| {
                matches!(&t.event, Some(Event::IssueDispositionSet { signature: Some(s), .. }) if s == sig)
            });
            entries.push(decision_entry(
                SignatureKind::Disposition,
                issue.step.clone(),
                issue.field.clone(),
                Some(issue.id),
                sig,
                row,
            ));
        }
    }
    for e in &mut entries {
        if let Some(h) = histories.get(&e.login) {
            e.secret_set_by_signer = e.secret_set_by_signer && !h.borrowed_at(e.at_utc);
            e.pin_reset_by_other_after = h.reset_after(e.at_utc);
        }
    }
    entries.sort_by_key(|e| (e.at_utc, e.audit_seq));
    Ok(entries)
}

/// A deviation's or disposition's signature: it binds to its audit event,
/// whose SHA-256 chains it to everything before.
fn decision_entry(
    kind: SignatureKind,
    step: Option<String>,
    field: Option<String>,
    issue: Option<IssueId>,
    sig: &DecisionSignature,
    row: Option<&TrailEvent>,
) -> ManifestEntry {
    ManifestEntry {
        kind,
        step,
        field,
        issue,
        name: sig.name.clone(),
        login: sig.by.clone(),
        at_utc: sig.at,
        at_local: local_text(sig.at),
        meaning: sig.meaning.clone(),
        comment: Some(sig.rationale.clone()),
        sha256: row.map(|r| r.hash.clone()),
        sha256_of: match row {
            Some(r) => format!("audit event {} (the decision as chained)", r.seq),
            None => "no audit event found for it".into(),
        },
        audit_seq: row.map(|r| r.seq),
        secret_set_by_signer: sig.secret_set_by_signer,
        pin_reset_by_other_after: None,
    }
}
