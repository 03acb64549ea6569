//! What `update` reacts to: keys already turned into actions or edits, scans,
//! the clock, and the answers of effects run against the store.

use super::action::Action;
use super::state::{QualityData, ReportsData, RunBundle};
use super::text_input::Edit;
use crate::domain::{Actor, Event, RunId, Time};
use crate::store::RunSummary;
use std::collections::BTreeMap;

/// A page of the run board, tagged with the query generation that asked for it.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardPage {
    pub generation: u64,
    /// True when the page continues the rows already shown.
    pub append: bool,
    pub rows: Vec<RunSummary>,
    /// Where the page after this one starts.
    pub next: Option<crate::store::PageCursor>,
    /// True when the query returned a full page (there may be more).
    pub full: bool,
    pub counts: BTreeMap<&'static str, i64>,
    pub stuck: i64,
    /// The org rules, shown read-only to an admin.
    pub settings: crate::domain::Settings,
}

/// Which action an execution answer belongs to, so the screen can react
/// (drop a saved draft, close a form, clear the scan box).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecTag {
    StepAction,
    /// Completing a step: a refusal lists everything outstanding on screen.
    Complete,
    Field {
        step: String,
        field: String,
    },
    Scan {
        typed: String,
    },
    Form,
    Quality,
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Done(Vec<Event>),
    /// The rules said no: every reason; `conflict` when someone else changed it first.
    Refused {
        reasons: Vec<String>,
        conflict: bool,
    },
    /// Something outside the rules failed (a locked database, a missing file).
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Tick(Time),
    Action(Action),
    Edit(Edit),
    /// A burst of characters ending in Enter, too fast for a person: a scanner.
    Scan(String),
    /// Another terminal committed a change.
    DataChanged,
    SignedIn(Result<Actor, String>),
    /// The PIN was right but someone else set it: ask for a new one.
    NewPinNeeded {
        actor: Actor,
        set_by: String,
    },
    /// The new PIN was refused (too short, the same as the given one).
    NewPinRefused(String),
    /// The terminal is being closed from outside (SIGTERM, hang-up).
    Stopping,
    /// The store closed `count` open labour sessions of `login` as they left.
    SessionsClosed {
        login: String,
        count: usize,
    },
    BoardLoaded(BoardPage),
    RunFound {
        reference: String,
        run: Option<RunId>,
    },
    RunLoaded {
        bundle: Box<RunBundle>,
        open_step: Option<String>,
    },
    QualityLoaded(QualityData),
    /// The header's quality counts, after any load.
    QualityCountsLoaded(crate::store::QualityCounts),
    ReportsLoaded(Box<ReportsData>),
    SpcLoaded(Box<crate::analytics::spc::SpcReport>),
    Executed {
        tag: ExecTag,
        outcome: Outcome,
    },
    /// A read failed; the sentence says what.
    LoadFailed(String),
}
