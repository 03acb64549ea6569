//! Temporary signatures while the engine lands (replaced shortly).
use super::command::Request;
use super::event::{AuditParts, Event};
use super::model::*;
use super::Refusal;

/// What a sign-off field currently says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffStatus {
    Pending,
    Approved,
    Rejected,
    Void,
}

pub fn decide(_world: &World, _req: &Request) -> Result<Vec<Event>, Refusal> {
    Err(Refusal::one("The engine is not ready yet."))
}

pub fn apply(_world: &mut World, _event: &Event, _now: Time, _by: &str) {}

pub fn signoff_status(_step: &RunStep, _field: &Field) -> SignoffStatus {
    SignoffStatus::Pending
}

pub fn values_sha256(_step: &RunStep) -> String {
    String::new()
}

pub fn blockers(_world: &World, _step_key: &str, _actor_login: &str) -> Vec<String> {
    Vec::new()
}

pub fn run_waiting_on(_world: &World) -> Vec<String> {
    Vec::new()
}

impl Event {
    pub fn audit_parts(&self, _run: Option<RunId>) -> AuditParts {
        AuditParts { action: "event", entity: String::new(), before: None, after: None, reason: None }
    }
}
