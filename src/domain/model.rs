//! The entities of SPEC.md as plain data. Nothing here does IO; the store saves
//! a run as one JSON document (its steps, fields, installs, sessions, sign-offs,
//! redlines) plus indexed columns for the board, and keeps users, parts,
//! inventory, procedures, issues and settings in their own tables.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type Time = DateTime<Utc>;
pub type RunId = i64;
pub type IssueId = i64;

/// Built-in roles. Procedures may name others (`witness`, `customer`) for sign-offs.
pub const OPERATOR: &str = "operator";
pub const QUALITY: &str = "quality";
pub const SUPERVISOR: &str = "supervisor";
pub const ADMIN: &str = "admin";
pub const BUILT_IN_ROLES: [&str; 4] = [OPERATOR, QUALITY, SUPERVISOR, ADMIN];

/// Who is acting. The store builds it from an authenticated user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub login: String,
    pub name: String,
    pub roles: Vec<String>,
    /// Station (terminal) name, recorded on every audit event.
    pub station: String,
    /// True when the user re-entered their secret for this very command
    /// (sign-offs demand it even when the user is already signed in).
    pub reauthenticated: bool,
}

impl Actor {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
    pub fn has_any_role(&self, roles: &[&str]) -> bool {
        roles.iter().any(|r| self.has_role(r))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub login: String,
    pub name: String,
    pub roles: Vec<String>,
    /// argon2 PHC string; the domain never sees the plain secret.
    pub secret_hash: String,
    pub active: bool,
    pub failed_attempts: u32,
    pub locked_until: Option<Time>,
    /// Who set the current secret when it was not the user themself (an
    /// admin's reset): the user must set their own before doing anything
    /// else. `None` when they chose it, or it was given with the account.
    #[serde(default)]
    pub secret_set_by: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tracking {
    Serial,
    Lot,
    None,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub number: String,
    pub description: String,
    pub tracking: Tracking,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryState {
    Available,
    Wip,
    Installed,
    Scrapped,
    Quarantined,
}

/// One serial unit or one lot. Identifiers (serials and lot codes) are unique
/// across all parts, so a scan names exactly one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryItem {
    pub identifier: String,
    pub part: String,
    pub tracking: Tracking,
    pub quantity: i64,
    pub state: InventoryState,
    /// The as-built tree: the identifier of the unit this item is installed in.
    pub parent: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureKind {
    Build,
    Test,
    Inspection,
    Maintenance,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureState {
    Draft,
    Released,
    Archived,
}

/// A procedure as written in its TOML file, plus its version and state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub key: String,
    pub version: i64,
    pub title: String,
    pub kind: ProcedureKind,
    pub produces: String,
    pub state: ProcedureState,
    pub steps: Vec<StepDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepDef {
    pub key: String,
    pub title: String,
    pub instructions: String,
    pub required: bool,
    pub after: Vec<String>,
    pub allow_out_of_range_with_issue: bool,
    /// Procedures stored before the field existed rework in place.
    #[serde(default)]
    pub rework: ReworkMode,
    pub fields: Vec<FieldDef>,
    pub installs: Vec<RequirementDef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Number,
    PassFail,
    Text,
    Date,
    SingleSelect,
    MultiSelect,
    Boolean,
    File,
    Signoff,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Number => "number",
            FieldType::PassFail => "pass_fail",
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::SingleSelect => "single_select",
            FieldType::MultiSelect => "multi_select",
            FieldType::Boolean => "boolean",
            FieldType::File => "file",
            FieldType::Signoff => "signoff",
        }
    }
}

/// Number validation: any of min, max, target with tolerance; bounds inclusive.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub target: Option<f64>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub tolerance: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub unit: Option<String>,
    pub validation: Validation,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub options: Vec<String>,
    /// The role a sign-off field expects.
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub role: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequirementDef {
    pub part: String,
    pub quantity: i64,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub substitutes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Todo,
    InProgress,
    Complete,
    Failed,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            RunState::Todo => "todo",
            RunState::InProgress => "in_progress",
            RunState::Complete => "complete",
            RunState::Failed => "failed",
        }
    }
    pub const ALL: [RunState; 4] = [
        RunState::Todo,
        RunState::InProgress,
        RunState::Complete,
        RunState::Failed,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Todo,
    InProgress,
    OnHold,
    Redline,
    Failed,
    Complete,
    /// An optional step still open (todo, in progress, on hold) when its run
    /// completed: closed without being worked.
    Skipped,
}

impl StepState {
    pub fn name(self) -> &'static str {
        match self {
            StepState::Todo => "todo",
            StepState::InProgress => "in_progress",
            StepState::OnHold => "on_hold",
            StepState::Redline => "redline",
            StepState::Failed => "failed",
            StepState::Complete => "complete",
            StepState::Skipped => "skipped",
        }
    }
}

/// How a failed step is reworked; the procedure decides, per step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReworkMode {
    /// The failed step goes back to `todo` and is worked again.
    #[default]
    Reopen,
    /// A `todo` copy is inserted after the failed step, which is superseded.
    Copy,
}

impl ReworkMode {
    pub fn name(self) -> &'static str {
        match self {
            ReworkMode::Reopen => "reopen",
            ReworkMode::Copy => "copy",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailInventoryTo {
    Scrapped,
    Quarantined,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFailure {
    pub reason: String,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub issue: Option<IssueId>,
    pub by: String,
    pub at: Time,
    pub inventory_to: FailInventoryTo,
}

/// One build of one unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: RunId,
    pub title: String,
    pub procedure_key: String,
    pub procedure_version: i64,
    /// Identifier (serial) of the target inventory: the unit being built.
    pub serial: String,
    pub part: String,
    pub state: RunState,
    pub created_at: Time,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub started_at: Option<Time>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub completed_at: Option<Time>,
    pub updated_at: Time,
    pub updated_by: String,
    /// Bumped on every change; the store uses it as the row version.
    pub version: u64,
    pub steps: Vec<RunStep>,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub redlines: Vec<Redline>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub failure: Option<RunFailure>,
    /// Counter for ids inside the run (values, installs, sessions, redlines, steps).
    pub next_local_id: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunStep {
    pub id: u64,
    pub key: String,
    /// `1`, `2`, `2.1` for a step inserted after step 2 (redline or rework copy).
    pub position: String,
    pub title: String,
    pub instructions: String,
    pub required: bool,
    /// Keys of steps that must be complete before check-in.
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub after: Vec<String>,
    pub allow_out_of_range_with_issue: bool,
    /// Copied from the procedure step; runs stored before the field existed rework in place.
    #[serde(default)]
    pub rework: ReworkMode,
    pub state: StepState,
    /// The state to return to when a redline is cancelled.
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub state_before_redline: Option<StepState>,
    /// The reason given for the current state when it is on hold or failed
    /// (the board shows it); runs stored before the field existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// A failed original replaced by a rework copy: kept, but no longer counts.
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub superseded_by: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub fields: Vec<Field>,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub requirements: Vec<Requirement>,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub sessions: Vec<LabourSession>,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub comments: Vec<Comment>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub completed_by: Option<String>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub completed_at: Option<Time>,
    /// Bumped when the step's state moves; a screen's command carries the
    /// version its user saw and is refused if it moved meanwhile.
    pub version: u64,
    pub changed_by: String,
    pub changed_at: Time,
}

impl RunStep {
    /// How sentences name a step for people: its number and title
    /// (`2 'Bore the housing'`), never its key.
    pub fn named(&self) -> String {
        format!("{} '{}'", self.position, self.title)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub def: FieldDef,
    /// The values loaded, oldest first; the last is current. A run is
    /// stored with each field's current value only (every value is also a
    /// row of `field_values`), so a command loads the same few values however
    /// long a history grows; `Store::run_with_history` loads them all.
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub values: Vec<FieldValue>,
    /// What the domain must know of the values not in `values`.
    #[serde(default, skip_serializing_if = "EarlierValues::is_empty")]
    pub earlier: EarlierValues,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub signatures: Vec<Signature>,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub deviations: Vec<Deviation>,
}

/// A summary of a field's values that were saved before those loaded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlierValues {
    pub count: u64,
    /// Who saved any of them, each with the time of their latest.
    pub recorders: BTreeMap<String, Time>,
}

impl EarlierValues {
    pub fn is_empty(&self) -> bool {
        self.count == 0 && self.recorders.is_empty()
    }
}

impl Field {
    /// Every value ever saved, loaded or not.
    pub fn value_count(&self) -> usize {
        self.values.len() + self.earlier.count as usize
    }

    /// Whether `login` saved any value of the field, at `since` or later
    /// when given.
    pub fn recorded_by(&self, login: &str, since: Option<Time>) -> bool {
        let loaded = self
            .values
            .iter()
            .any(|v| v.by == login && since.is_none_or(|at| v.at >= at));
        loaded
            || self
                .earlier
                .recorders
                .get(login)
                .is_some_and(|latest| since.is_none_or(|at| *latest >= at))
    }

    /// Keeps only the current value loaded, folding the others into
    /// `earlier`: the field as its run document stores it.
    pub fn keep_current_only(&mut self) {
        let keep_from = self.values.len().saturating_sub(1);
        for v in self.values.drain(..keep_from) {
            self.earlier.count += 1;
            let latest = self.earlier.recorders.entry(v.by).or_insert(v.at);
            if v.at > *latest {
                *latest = v.at;
            }
        }
    }

    /// Puts back the values `keep_current_only` folded away (oldest first,
    /// ending just before the first loaded one); `earlier` is then empty.
    pub fn restore_history(&mut self, earlier: Vec<FieldValue>) {
        let mut all = earlier;
        all.append(&mut self.values);
        self.values = all;
        self.earlier = EarlierValues::default();
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Number(f64),
    PassFail(bool),
    Text(String),
    Date(NaiveDate),
    Select(String),
    Multi(Vec<String>),
    Boolean(bool),
    File { path: String, sha256: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    InRange,
    OutOfRange,
    NoRule,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    pub id: u64,
    pub value: Value,
    pub verdict: Verdict,
    pub by: String,
    pub at: Time,
    /// The value this one replaces (values are never overwritten).
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub replaces: Option<u64>,
    /// Why this value replaces a saved one (a correction needs a reason;
    /// a first value may carry one). Absent in values stored before reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    Approved,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub by: String,
    /// Printed name at signing time.
    pub name: String,
    pub at: Time,
    pub meaning: Meaning,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub comment: Option<String>,
    /// SHA-256 of the step's field values when signed; a later change voids it.
    pub values_sha256: String,
    /// False when the secret signed with was last set by someone else (an
    /// admin's reset). Records from before this was kept read as true.
    #[serde(default = "default_true")]
    pub secret_set_by_signer: bool,
}

/// Serde default for flags that older records lack and that read as on.
fn default_true() -> bool {
    true
}

/// The re-signature on a quality decision (a deviation accepted, a
/// disposition set): the signer gave login and secret again for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionSignature {
    pub by: String,
    /// Printed name at signing time.
    pub name: String,
    pub at: Time,
    /// What the signature means: "deviation accepted", "disposition: scrap".
    pub meaning: String,
    pub rationale: String,
    #[serde(default = "default_true")]
    pub secret_set_by_signer: bool,
}

/// An out-of-range (or failed pass/fail) value accepted through a quality issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    pub value_id: u64,
    pub issue: IssueId,
    pub rationale: String,
    pub by: String,
    pub at: Time,
    /// The acceptance's re-signature (none on records from before it was required).
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub signature: Option<DecisionSignature>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    pub def: RequirementDef,
    #[serde(
        default,
        skip_serializing_if = "crate::domain::stored_text::omit_empty"
    )]
    pub installs: Vec<Installation>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub exception: Option<RequirementException>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    pub id: u64,
    pub identifier: String,
    pub part: String,
    pub quantity: i64,
    pub by: String,
    pub at: Time,
    pub scanned: bool,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub removed_by: Option<String>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub removed_at: Option<Time>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequirementException {
    pub issue: IssueId,
    pub reason: String,
    pub by: String,
    pub at: Time,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabourSession {
    pub id: u64,
    pub user: String,
    pub started_at: Time,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub ended_at: Option<Time>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub by: String,
    pub at: Time,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedlineState {
    Proposed,
    Approved,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RedlineChange {
    /// Insert a new step right after `step` (position `N.k`).
    AddStep { def: StepDef },
    /// Replace one field's definition (its validation, unit, options...).
    ChangeField { field: String, def: FieldDef },
    /// Correct the step's instructions.
    CorrectInstructions { instructions: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Redline {
    pub id: u64,
    /// The step changed (or, for AddStep, the step the new one follows).
    pub step: String,
    pub change: RedlineChange,
    pub reason: String,
    pub state: RedlineState,
    pub proposed_by: String,
    pub proposed_at: Time,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "crate::domain::stored_text::omit_none")]
    pub decided_at: Option<Time>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    Open,
    Dispositioned,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    UseAsIs,
    Rework,
    Repair,
    Scrap,
    ReturnToVendor,
}

impl Disposition {
    pub fn name(self) -> &'static str {
        match self {
            Disposition::UseAsIs => "use_as_is",
            Disposition::Rework => "rework",
            Disposition::Repair => "repair",
            Disposition::Scrap => "scrap",
            Disposition::ReturnToVendor => "return_to_vendor",
        }
    }
    pub const ALL: [Disposition; 5] = [
        Disposition::UseAsIs,
        Disposition::Rework,
        Disposition::Repair,
        Disposition::Scrap,
        Disposition::ReturnToVendor,
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueApproval {
    pub by: String,
    pub at: Time,
    pub action: String,
    /// A disposition's re-signature (none on closings, nor on records from
    /// before it was required).
    #[serde(default)]
    pub signature: Option<DecisionSignature>,
    /// A close's rationale (a disposition's is in its signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

impl IssueApproval {
    /// Why this was done: the disposition's signed rationale or the close's.
    pub fn why(&self) -> Option<&str> {
        self.signature
            .as_ref()
            .map(|s| s.rationale.as_str())
            .or(self.rationale.as_deref())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub id: IssueId,
    pub title: String,
    pub description: String,
    pub run: Option<RunId>,
    pub step: Option<String>,
    pub field: Option<String>,
    pub inventory: Option<String>,
    pub state: IssueState,
    pub disposition: Option<Disposition>,
    pub raised_by: String,
    pub raised_at: Time,
    pub approvals: Vec<IssueApproval>,
}

/// Org-wide rules, stored in the database so every terminal enforces the same.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub block_completion_on_open_issues: bool,
    pub require_scan_for_installs: bool,
    pub signer_not_performer: bool,
    pub lockout_attempts: u32,
    pub lockout_minutes: u32,
    /// A deviation may not be accepted by anyone who saved a value of its field.
    #[serde(default = "default_true")]
    pub deviation_not_by_recorder: bool,
    /// The terminal closes a user's labour sessions when another user signs
    /// in over the lock.
    #[serde(default = "default_true")]
    pub close_labour_on_sign_out: bool,
    /// ... when the terminal is closed.
    #[serde(default = "default_true")]
    pub close_labour_on_quit: bool,
    /// ... when the screen locks.
    #[serde(default)]
    pub close_labour_on_lock: bool,
    /// Filling a field or installing on a step one is not checked into
    /// (todo, or in progress) checks one in first, in the same action.
    #[serde(default = "default_true")]
    pub auto_checkin: bool,
    /// A todo or in-progress run untouched this long reads as stale on the board.
    #[serde(default = "default_stale_after_hours")]
    pub stale_after_hours: u32,
    /// A labour session open this long is flagged on the board and closed
    /// by `traveler check --close-stale`.
    #[serde(default = "default_max_session_hours")]
    pub max_session_hours: u32,
}

fn default_stale_after_hours() -> u32 {
    48
}

fn default_max_session_hours() -> u32 {
    12
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            block_completion_on_open_issues: true,
            require_scan_for_installs: false,
            signer_not_performer: true,
            lockout_attempts: 5,
            lockout_minutes: 5,
            deviation_not_by_recorder: true,
            close_labour_on_sign_out: true,
            close_labour_on_quit: true,
            close_labour_on_lock: false,
            auto_checkin: true,
            stale_after_hours: default_stale_after_hours(),
            max_session_hours: default_max_session_hours(),
        }
    }
}

/// Why the terminal closed a user's labour sessions without a check-out:
/// they left the station, and the org's settings ask for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveCause {
    /// Another user signed in at the terminal over the lock.
    SignOut,
    /// The terminal was closed (quit, SIGTERM, its terminal went away).
    Quit,
    /// The screen locked (by hand or after idle minutes).
    Lock,
}

impl LeaveCause {
    /// The setting that decides whether this cause closes sessions.
    pub fn setting(self) -> &'static str {
        match self {
            LeaveCause::SignOut => "close_labour_on_sign_out",
            LeaveCause::Quit => "close_labour_on_quit",
            LeaveCause::Lock => "close_labour_on_lock",
        }
    }

    pub fn applies(self, settings: &Settings) -> bool {
        match self {
            LeaveCause::SignOut => settings.close_labour_on_sign_out,
            LeaveCause::Quit => settings.close_labour_on_quit,
            LeaveCause::Lock => settings.close_labour_on_lock,
        }
    }

    /// As the audit trail words it.
    pub fn sentence(self) -> &'static str {
        match self {
            LeaveCause::SignOut => "closed when another user signed in at the terminal",
            LeaveCause::Quit => "closed when the terminal was closed",
            LeaveCause::Lock => "closed when the screen locked",
        }
    }
}

/// Everything one command may look at: the store loads it inside the
/// command's transaction, `decide` reads it, `apply` changes it, and the store
/// writes back what changed. Counters let the pure domain allocate ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct World {
    pub settings: Settings,
    pub run: Option<Run>,
    /// Inventory the command may touch: the run's target, what is installed
    /// in it, and any identifier the command names.
    pub inventory: BTreeMap<String, InventoryItem>,
    /// Issues linked to the run, plus any issue the command names.
    pub issues: BTreeMap<IssueId, Issue>,
    pub parts: BTreeMap<String, Part>,
    pub users: BTreeMap<String, User>,
    /// Procedures the command names (all versions of a key).
    pub procedures: Vec<Procedure>,
    pub next_run_id: RunId,
    pub next_issue_id: IssueId,
}
