//! What happened. `decide` returns events; `apply` folds them into the world;
//! the store writes one audit row per event, in the same transaction.

use super::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    UserAdded {
        user: User,
    },
    UserActiveSet {
        login: String,
        active: bool,
    },
    UserSecretSet {
        login: String,
        secret_hash: String,
        /// Who set it, when not the user themself (an admin's reset).
        #[serde(default)]
        set_by: Option<String>,
    },
    LoginFailed {
        login: String,
        failed_attempts: u32,
        locked_until: Option<Time>,
    },
    LoginSucceeded {
        login: String,
    },
    /// The same secret stored under new hash parameters (at its owner's sign-in).
    SecretRehashed {
        login: String,
        secret_hash: String,
    },
    /// A secret was given for a login no user has: audited, changes nothing.
    UnknownLoginFailed {
        login: String,
    },
    PartAdded {
        part: Part,
    },
    InventoryReceived {
        item: InventoryItem,
    },
    InventoryStateChanged {
        identifier: String,
        from: InventoryState,
        to: InventoryState,
    },
    InventoryQuantityChanged {
        identifier: String,
        from: i64,
        to: i64,
    },
    /// The as-built tree: `child` now sits under `parent` (or nothing).
    InventoryParentSet {
        identifier: String,
        parent: Option<String>,
    },
    ProcedureImported {
        procedure: Procedure,
    },
    ProcedureStateChanged {
        key: String,
        version: i64,
        from: ProcedureState,
        to: ProcedureState,
    },
    SettingChanged {
        key: String,
        from: String,
        to: String,
    },

    RunCreated {
        run: Run,
    },
    RunStarted {
        at: Time,
    },
    RunCompleted {
        at: Time,
    },
    RunFailed {
        failure: RunFailure,
    },
    RunReopened {
        reason: String,
    },

    StepStateChanged {
        step: String,
        from: StepState,
        to: StepState,
        reason: Option<String>,
    },
    SessionOpened {
        step: String,
        session: LabourSession,
    },
    SessionClosed {
        step: String,
        session: u64,
        user: String,
        at: Time,
        /// Set when the terminal closed it as the user left (no check-out).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<LeaveCause>,
    },
    SessionEdited {
        step: String,
        before: LabourSession,
        after: LabourSession,
        reason: String,
    },
    FieldValueSaved {
        step: String,
        field: String,
        value: FieldValue,
    },
    SignatureRecorded {
        step: String,
        field: String,
        signature: Signature,
    },
    DeviationAccepted {
        step: String,
        field: String,
        deviation: Deviation,
    },
    Installed {
        step: String,
        requirement: String,
        installation: Installation,
    },
    Uninstalled {
        step: String,
        requirement: String,
        installation: u64,
        by: String,
        at: Time,
    },
    RequirementExcepted {
        step: String,
        requirement: String,
        exception: RequirementException,
    },
    /// A new step placed right after `after` (rework copy or approved redline).
    StepInserted {
        after: String,
        step: RunStep,
    },
    StepSuperseded {
        step: String,
        by: String,
    },
    StepDefinitionChanged {
        step: String,
        before: serde_json::Value,
        after: serde_json::Value,
    },
    CommentAdded {
        step: String,
        comment: Comment,
    },

    IssueRaised {
        issue: Issue,
    },
    IssueDispositionSet {
        issue: IssueId,
        from: Option<Disposition>,
        to: Disposition,
        /// The disposition's re-signature (none in events from before it was required).
        #[serde(default)]
        signature: Option<DecisionSignature>,
    },
    IssueStateChanged {
        issue: IssueId,
        from: IssueState,
        to: IssueState,
        /// Why, on a close (none on other moves, nor in events from before
        /// closes took one; left out of their JSON so old rows read the same).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rationale: Option<String>,
    },

    RedlineProposed {
        redline: Redline,
    },
    RedlineDecided {
        redline: u64,
        to: RedlineState,
        by: String,
        at: Time,
    },
}

/// The audit row's description of one event.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditParts {
    pub action: &'static str,
    /// What changed, e.g. `run 12 / step bore / field Bore diameter`.
    pub entity: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}
