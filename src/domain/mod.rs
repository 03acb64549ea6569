//! The rules of SPEC.md, pure: no IO, no clock, no SQL, no terminal.
//!
//! `decide(world, request)` returns the events a command causes, or a
//! `Refusal` listing every reason it cannot be done (all blockers at once, in
//! SPEC order). `apply(world, event)` folds one event into the world. The
//! store runs both inside one IMMEDIATE transaction and writes the audit rows.

mod admin;
mod apply;
mod audit;
pub mod blockers;
pub mod command;
mod decide;
mod decision_signatures;
pub mod event;
mod fields;
mod installs;
mod issues;
pub mod model;
pub mod permissions;
mod procedures;
pub mod queries;
mod redlines;
mod runs;
pub mod signoffs;
mod stale_labour;
mod steps;
pub mod stored_text;
pub mod validation;

pub use command::{Command, Request, Seen};
pub use event::{AuditParts, Event};
pub use model::*;
pub use permissions::*;
pub use queries::*;
pub use validation::*;

pub use admin::{can_log_in, normalise_setting, setting_value, SETTING_KEYS};
pub use apply::apply;
pub use audit::{event_for_display, inventory_entity, issue_entity, user_entity};
pub use blockers::{all_required_complete, blockers, run_waiting_on, step_blockers, waiting_on};
pub use decide::{decide, rechecks_waiting_runs, run_open_for_steps};
pub use fields::is_unchanged;
pub use installs::inventory_state_name;
pub use procedures::procedure_problems;
pub use runs::released_procedure;
pub use signoffs::{
    approvals_a_change_voids, approvals_text, fields_performed_by, signoff_status, values_sha256,
    SignoffStatus,
};
pub use stale_labour::{stale_sessions, StaleSession};

/// Why a command cannot be done: every reason, each a sentence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub reasons: Vec<String>,
    /// True when the refusal is "changed by USER at TIME; reload".
    pub conflict: bool,
}

impl Refusal {
    pub fn one(reason: impl Into<String>) -> Self {
        Refusal {
            reasons: vec![reason.into()],
            conflict: false,
        }
    }
    pub fn many(reasons: Vec<String>) -> Self {
        Refusal {
            reasons,
            conflict: false,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.reasons.join(" "))
    }
}

impl std::error::Error for Refusal {}
