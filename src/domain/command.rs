//! What a user asks the engine to do. Every change, from the TUI, the CLI or
//! the demo seeder, is one of these, decided by `domain::decide`.

use super::model::*;
use serde::{Deserialize, Serialize};

/// What the user's screen showed when they acted. The command is refused as
/// "changed by USER at TIME; reload" only if what it depends on moved since:
/// the step's state (step commands) or the field's current value (field saves).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub step_version: Option<u64>,
    /// The id of the field's current value as seen, or `Some(None)` when the
    /// field was seen empty. `None` means "not checked".
    pub field_value: Option<Option<u64>>,
}

/// The step a command names; one list for both `step` and `step_mut`
/// (`$option` is `as_ref` or `as_mut`, for the optional step of an issue).
macro_rules! step_of {
    ($command:expr, $option:ident) => {
        match $command {
            Command::CheckIn { step }
            | Command::CheckOut { step }
            | Command::CloseSessionsOnLeaving { step, .. }
            | Command::Complete { step }
            | Command::Hold { step, .. }
            | Command::Resume { step }
            | Command::FailStep { step, .. }
            | Command::Rework { step, .. }
            | Command::ReopenStep { step, .. }
            | Command::SetField { step, .. }
            | Command::Install { step, .. }
            | Command::Uninstall { step, .. }
            | Command::SignOff { step, .. }
            | Command::AddComment { step, .. }
            | Command::AcceptDeviation { step, .. }
            | Command::ExceptRequirement { step, .. }
            | Command::EditLabourSession { step, .. }
            | Command::CloseStaleSession { step, .. }
            | Command::ProposeRedline { step, .. } => Some(step),
            Command::RaiseIssue { step, .. } => step.$option(),
            _ => None,
        }
    };
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    // --- people and master data ------------------------------------------
    AddUser {
        login: String,
        name: String,
        roles: Vec<String>,
        /// argon2 hash made by the caller: hashing needs a random salt.
        secret_hash: String,
    },
    SetUserActive {
        login: String,
        active: bool,
    },
    SetUserSecret {
        login: String,
        secret_hash: String,
    },
    /// A wrong secret was entered for `login` (audited, counts toward lockout).
    RecordLoginFailure {
        login: String,
    },
    /// The right secret was entered: the failed-attempt counter resets.
    RecordLoginSuccess {
        login: String,
    },
    /// At the actor's own successful sign-in, their secret (just verified)
    /// is stored again under the current hash parameters. Not a new secret:
    /// who set it, the failure count and any lockout are unchanged.
    RehashOwnSecret {
        secret_hash: String,
    },
    AddPart {
        number: String,
        description: String,
        tracking: Tracking,
    },
    ReceiveInventory {
        part: String,
        identifier: String,
        quantity: i64,
        /// How the receiver named the item: `Serial` for a serial unit, `Lot`
        /// for a lot (or a counted bin of an untracked part). Given, it must
        /// agree with the part's tracking; `None` takes the part's word.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received_as: Option<Tracking>,
    },
    ImportProcedure {
        procedure: Procedure,
    },
    ReleaseProcedure {
        key: String,
        version: i64,
    },
    SetSetting {
        key: String,
        value: String,
    },

    // --- runs --------------------------------------------------------------
    CreateRun {
        procedure_key: String,
        serial: String,
        title: Option<String>,
    },
    FailRun {
        reason: String,
        issue: Option<IssueId>,
        inventory_to: FailInventoryTo,
    },
    ReopenRun {
        reason: String,
    },
    /// Completes the run if nothing holds it any more; no events otherwise.
    /// The store sends it after a command that can unblock runs it does not
    /// name (see `decide::rechecks_waiting_runs`).
    RecheckCompletion,

    // --- steps -------------------------------------------------------------
    CheckIn {
        step: String,
    },
    CheckOut {
        step: String,
    },
    /// The terminal closes the acting user's open sessions on a step as they
    /// leave it, when the org's setting for `cause` is on.
    CloseSessionsOnLeaving {
        step: String,
        cause: LeaveCause,
    },
    Complete {
        step: String,
    },
    Hold {
        step: String,
        reason: String,
    },
    Resume {
        step: String,
    },
    FailStep {
        step: String,
        reason: String,
        /// Link an existing issue, or raise a new one with this title.
        issue: Option<IssueId>,
        raise_issue: Option<String>,
    },
    /// Rework a failed step the way its procedure says (`rework` per step).
    Rework {
        step: String,
        /// The mode the operator expects (the CLI's `--copy`); refused when
        /// it is not the procedure's. `None`: whatever the procedure says.
        expect: Option<ReworkMode>,
    },
    ReopenStep {
        step: String,
        reason: String,
    },
    SetField {
        step: String,
        field: String,
        /// What the user typed; the domain parses it for the field's type.
        raw: String,
        /// For `file` fields: the SHA-256 of the copied attachment.
        file_sha256: Option<String>,
        /// Why a saved value is changed: a correction needs one.
        #[serde(default)]
        reason: Option<String>,
        /// The user was told this save voids the step's approvals and said yes.
        #[serde(default)]
        void_approval: bool,
    },
    Install {
        step: String,
        identifier: String,
        quantity: Option<i64>,
        scanned: bool,
    },
    Uninstall {
        step: String,
        identifier: String,
    },
    SignOff {
        step: String,
        field: String,
        meaning: Meaning,
        comment: Option<String>,
    },
    AddComment {
        step: String,
        text: String,
    },
    AcceptDeviation {
        step: String,
        field: String,
        issue: IssueId,
        rationale: String,
    },
    ExceptRequirement {
        step: String,
        part: String,
        issue: IssueId,
        reason: String,
    },
    EditLabourSession {
        step: String,
        session: u64,
        started_at: Time,
        ended_at: Option<Time>,
        reason: String,
    },
    /// `traveler check --close-stale`: ends a labour session left open longer
    /// than the org's `max_session_hours`, counting it up to that limit.
    CloseStaleSession {
        step: String,
        session: u64,
    },

    // --- quality -----------------------------------------------------------
    RaiseIssue {
        title: String,
        description: String,
        step: Option<String>,
        field: Option<String>,
        inventory: Option<String>,
    },
    SetDisposition {
        issue: IssueId,
        disposition: Disposition,
        /// Why; kept with the disposition's re-signature.
        #[serde(default)]
        rationale: String,
    },
    CloseIssue {
        issue: IssueId,
        /// Why the issue is done with (required; empty in commands from
        /// before closes took one).
        #[serde(default)]
        rationale: String,
    },

    // --- redlines ----------------------------------------------------------
    ProposeRedline {
        step: String,
        change: RedlineChange,
        reason: String,
    },
    ApproveRedline {
        redline: u64,
    },
    CancelRedline {
        redline: u64,
    },
}

impl Command {
    /// Short snake_case name used in the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            Command::AddUser { .. } => "add_user",
            Command::SetUserActive { .. } => "set_user_active",
            Command::SetUserSecret { .. } => "set_user_secret",
            Command::RecordLoginFailure { .. } => "login_failure",
            Command::RecordLoginSuccess { .. } => "login_success",
            Command::RehashOwnSecret { .. } => "rehash_own_secret",
            Command::AddPart { .. } => "add_part",
            Command::ReceiveInventory { .. } => "receive_inventory",
            Command::ImportProcedure { .. } => "import_procedure",
            Command::ReleaseProcedure { .. } => "release_procedure",
            Command::SetSetting { .. } => "set_setting",
            Command::CreateRun { .. } => "create_run",
            Command::FailRun { .. } => "fail_run",
            Command::ReopenRun { .. } => "reopen_run",
            Command::RecheckCompletion => "recheck_completion",
            Command::CheckIn { .. } => "check_in",
            Command::CheckOut { .. } => "check_out",
            Command::CloseSessionsOnLeaving { .. } => "close_sessions_on_leaving",
            Command::Complete { .. } => "complete_step",
            Command::Hold { .. } => "hold_step",
            Command::Resume { .. } => "resume_step",
            Command::FailStep { .. } => "fail_step",
            Command::Rework { .. } => "rework_step",
            Command::ReopenStep { .. } => "reopen_step",
            Command::SetField { .. } => "set_field",
            Command::Install { .. } => "install",
            Command::Uninstall { .. } => "uninstall",
            Command::SignOff { .. } => "sign_off",
            Command::AddComment { .. } => "comment",
            Command::AcceptDeviation { .. } => "accept_deviation",
            Command::ExceptRequirement { .. } => "except_requirement",
            Command::EditLabourSession { .. } => "edit_labour_session",
            Command::CloseStaleSession { .. } => "close_stale_session",
            Command::RaiseIssue { .. } => "raise_issue",
            Command::SetDisposition { .. } => "set_disposition",
            Command::CloseIssue { .. } => "close_issue",
            Command::ProposeRedline { .. } => "propose_redline",
            Command::ApproveRedline { .. } => "approve_redline",
            Command::CancelRedline { .. } => "cancel_redline",
        }
    }

    /// The step the command acts on, if any (the store resolves positions to keys first).
    pub fn step(&self) -> Option<&str> {
        step_of!(self, as_ref).map(String::as_str)
    }

    /// The same step reference, to rewrite (a position into a key).
    pub fn step_mut(&mut self) -> Option<&mut String> {
        step_of!(self, as_mut)
    }
}

/// A command with who asked, on which run, what they saw, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub actor: Actor,
    pub run: Option<RunId>,
    pub command: Command,
    pub seen: Seen,
    pub now: Time,
}
