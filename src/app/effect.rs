//! What `update` asks the driver to do. Effects are data; the driver runs
//! them against the store (stamping the time) and feeds the answers back as
//! messages.

use super::msg::ExecTag;
use crate::domain::{Actor, Command, Meaning, RunId, Seen, Time};
use crate::store::{AttentionCutoffs, FieldRef, PageCursor, RunFilter};

#[derive(Clone, Debug, PartialEq)]
pub struct BoardQuery {
    pub filter: RunFilter,
    /// Runs needing attention first (the all tab without a search).
    pub attention_first: Option<AttentionCutoffs>,
    /// Continue after this row (none: from the top).
    pub after: Option<PageCursor>,
    pub limit: usize,
    pub generation: u64,
    /// `todo` runs untouched since this time are stuck.
    pub stuck_before: Time,
}

// Effects live for one step of the loop, one at a time: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Authenticate {
        login: String,
        secret: String,
    },
    /// The signed-in user replaces a PIN someone else set by their own.
    ReplaceGivenPin {
        actor: Actor,
        secret: String,
    },
    /// Closes `actor`'s open labour sessions as they leave the terminal, if
    /// the org's setting for `cause` says so.
    CloseSessionsOnLeaving {
        actor: Actor,
        cause: crate::domain::LeaveCause,
    },
    LoadBoard(BoardQuery),
    FindRun {
        reference: String,
    },
    LoadRun {
        run: RunId,
        open_step: Option<String>,
    },
    LoadQuality {
        roles: Vec<String>,
    },
    /// The header's quality counts for `actor` (a different user signed in
    /// over the lock; loads refresh them on their own).
    CountQuality {
        actor: Actor,
    },
    /// The cycle-time report and the numeric fields SPC can chart.
    LoadReports,
    /// The SPC of one numeric field, its newest values.
    LoadSpc(FieldRef),
    Execute {
        tag: ExecTag,
        actor: Actor,
        run: Option<RunId>,
        command: Command,
        seen: Seen,
    },
    /// Re-authenticates the signer (login and secret again), then signs as them.
    SignOff {
        login: String,
        secret: String,
        run: RunId,
        step: String,
        field: String,
        meaning: Meaning,
        comment: Option<String>,
        seen: Seen,
    },
    /// Re-authenticates the signer (login and secret again), then runs a
    /// signed decision (a deviation accepted, a disposition) as them.
    Signed {
        login: String,
        secret: String,
        run: Option<RunId>,
        command: Command,
        seen: Seen,
    },
    /// Copies a file into the attachments store, then saves the field.
    AttachFile {
        actor: Actor,
        run: RunId,
        step: String,
        field: String,
        path: String,
        seen: Seen,
        /// Why a saved value is changed (a correction needs one).
        reason: Option<String>,
        /// The user said yes to voiding the step's approvals.
        void_approval: bool,
    },
    Quit,
}
