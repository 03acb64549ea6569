//! Everything the screens show, as plain data. `update` changes it; `ui`
//! draws it. No IO and no clock: the driver stamps the time in with
//! `Msg::Tick`.

use super::action::Context;
use super::form::Form;
use super::keymap::Keymap;
use super::text_input::TextInput;
use crate::analytics::cycle_time::CycleTimeReport;
use crate::analytics::spc::SpcReport;
use crate::domain::{Actor, Issue, Run, RunId, RunState, Settings, Time};
use crate::store::board_index::MarkerKind;
use crate::store::{AuditRow, FieldRef, PendingDeviation, PendingSignoff, RunSummary};
use crate::ui::time_text::Zone;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// How many board rows one query fetches.
pub const BOARD_PAGE: usize = 100;
/// How many history rows the run screen loads.
pub const HISTORY_ROWS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    SignIn,
    Board,
    Run,
    Step,
    Quality,
    Reports,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Error,
}

/// The status line: sentences about the last thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub lines: Vec<String>,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Status {
        Status {
            kind: StatusKind::Info,
            lines: vec![text.into()],
        }
    }
    pub fn success(text: impl Into<String>) -> Status {
        Status {
            kind: StatusKind::Success,
            lines: vec![text.into()],
        }
    }
    pub fn error(text: impl Into<String>) -> Status {
        Status {
            kind: StatusKind::Error,
            lines: vec![text.into()],
        }
    }
    pub fn errors(lines: Vec<String>) -> Status {
        Status {
            kind: StatusKind::Error,
            lines,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignInFocus {
    #[default]
    Login,
    Pin,
}

/// The sign-in form, also used to unlock an idle-locked screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignIn {
    pub login: TextInput,
    pub pin: TextInput,
    pub focus: SignInFocus,
    pub error: Option<String>,
    pub busy: bool,
    /// Set after a sign-in with a PIN someone else set: the new PIN, twice,
    /// before the user gets in.
    pub new_pin: Option<NewPin>,
}

/// The user signed in with a PIN someone else set (an admin's reset) and
/// chooses their own before going on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPin {
    pub actor: crate::domain::Actor,
    pub set_by: String,
    pub first: TextInput,
    pub again: TextInput,
    /// The cursor is in the second box.
    pub on_again: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoardTab {
    #[default]
    All,
    State(RunState),
    /// Todo and in-progress runs untouched for longer than the org's
    /// `stale_after_hours`.
    Stuck,
    /// Runs held up by one kind of blocker (holds, failed steps, ...).
    Marker(MarkerKind),
}

impl BoardTab {
    pub const ALL: [BoardTab; 13] = [
        BoardTab::All,
        BoardTab::State(RunState::Todo),
        BoardTab::State(RunState::InProgress),
        BoardTab::State(RunState::Complete),
        BoardTab::State(RunState::Failed),
        BoardTab::Stuck,
        BoardTab::Marker(MarkerKind::OnHold),
        BoardTab::Marker(MarkerKind::FailedStep),
        BoardTab::Marker(MarkerKind::Deviation),
        BoardTab::Marker(MarkerKind::Issue),
        BoardTab::Marker(MarkerKind::Signoff),
        BoardTab::Marker(MarkerKind::Redline),
        BoardTab::Marker(MarkerKind::Session),
    ];
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    pub tab: BoardTab,
    pub search: TextInput,
    pub searching: bool,
    pub rows: Vec<RunSummary>,
    pub selected: usize,
    /// First row drawn; kept by the renderer so the selection stays in view.
    pub offset: Cell<usize>,
    pub has_more: bool,
    /// Where the next page starts (the last row loaded, and its part).
    pub next: Option<crate::store::PageCursor>,
    pub loading: bool,
    /// Answers to older queries (a search typed since) are dropped.
    pub generation: u64,
    pub counts: BTreeMap<&'static str, i64>,
    pub stuck: i64,
    pub loaded: bool,
    /// The org rules as last loaded with the board.
    pub settings: crate::domain::Settings,
}

/// A run as loaded for the run and step screens.
#[derive(Clone, Debug, PartialEq)]
pub struct RunBundle {
    pub run: Run,
    pub issues: Vec<Issue>,
    pub history: Vec<AuditRow>,
    pub settings: Settings,
    /// Other runs' recent numbers per (step key, field name), oldest first:
    /// the step screen's trend and its Western Electric warning as one types.
    pub trends: BTreeMap<(String, String), Vec<f64>>,
    /// Display names by login of the people in `history`.
    pub people: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunView {
    pub bundle: RunBundle,
    pub selected: usize,
    pub offset: Cell<usize>,
    pub show_history: bool,
    pub history_selected: usize,
    pub history_offset: Cell<usize>,
    /// What stops completing a step, worked out once per load of the run
    /// (for one step and user at a time), not once per frame.
    pub blockers: RefCell<Option<BlockersFor>>,
}

/// The blockers of one step for one user, as of the run loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockersFor {
    pub step: String,
    pub step_version: u64,
    pub login: String,
    pub reasons: Vec<String>,
}

impl RunView {
    pub fn new(bundle: RunBundle, selected: usize) -> RunView {
        RunView {
            bundle,
            selected,
            offset: Cell::new(0),
            show_history: false,
            history_selected: 0,
            history_offset: Cell::new(0),
            blockers: RefCell::new(None),
        }
    }
}

/// An editor for one field's draft value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Editor {
    Text(TextInput),
    /// Pass/fail, yes/no, single select: one option. `None` until the
    /// operator picks one (an empty field never starts with a choice made).
    Choice {
        options: Vec<String>,
        cursor: Option<usize>,
    },
    /// Multi select: any options ticked.
    Multi {
        options: Vec<String>,
        cursor: usize,
        ticked: Vec<bool>,
    },
}

impl Editor {
    /// The text handed to the domain's parser.
    pub fn raw(&self) -> String {
        match self {
            Editor::Text(t) => t.value().to_string(),
            Editor::Choice { options, cursor } => cursor
                .and_then(|c| options.get(c))
                .cloned()
                .unwrap_or_default(),
            Editor::Multi {
                options, ticked, ..
            } => options
                .iter()
                .zip(ticked)
                .filter(|(_, t)| **t)
                .map(|(o, _)| o.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A value being typed for a field, not saved yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub editor: Editor,
    /// The id of the field's value when editing began (`None`: empty). Sent
    /// as `Seen`, so a value saved meanwhile by someone else is not overwritten.
    pub seen_value: Option<u64>,
    /// Set when a save hit a conflict: the next load makes the new current
    /// value the one seen (the user has been told and has seen it).
    pub rebase_on_load: bool,
}

/// What the cursor can rest on in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepItem {
    Field(usize),
    Requirement(usize),
    Scan,
}

/// The answer to the last scan or typed install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanResult {
    pub accepted: bool,
    pub lines: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepView {
    pub key: String,
    pub focus: usize,
    /// The field being edited (its draft is in `drafts`).
    pub editing: Option<String>,
    pub drafts: BTreeMap<String, Draft>,
    pub scan: TextInput,
    pub scan_result: Option<ScanResult>,
    /// The user asked to type into the scan box (`s`, Enter on it, or a
    /// first character that is no step command). Until then, and again after
    /// each install, a step command key on the empty box does its command:
    /// the cursor resting on the box is no trap for `c`.
    pub scan_typing: bool,
    /// Shown after a refused completion: every reason.
    pub refused: Option<Vec<String>>,
    /// Where Esc goes back to.
    pub return_to: Screen,
    pub offset: Cell<usize>,
}

impl StepView {
    pub fn new(key: &str, return_to: Screen) -> StepView {
        StepView {
            key: key.to_string(),
            focus: 0,
            editing: None,
            drafts: BTreeMap::new(),
            scan: TextInput::default(),
            scan_result: None,
            scan_typing: false,
            refused: None,
            return_to,
            offset: Cell::new(0),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QualityTab {
    #[default]
    Issues,
    Deviations,
    Signoffs,
}

impl QualityTab {
    pub const ALL: [QualityTab; 3] = [
        QualityTab::Issues,
        QualityTab::Deviations,
        QualityTab::Signoffs,
    ];
    pub fn index(self) -> usize {
        match self {
            QualityTab::Issues => 0,
            QualityTab::Deviations => 1,
            QualityTab::Signoffs => 2,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct QualityData {
    pub issues: Vec<Issue>,
    /// The serial of each issue's run.
    pub serials: BTreeMap<RunId, String>,
    pub deviations: Vec<PendingDeviation>,
    pub signoffs: Vec<PendingSignoff>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct QualityView {
    pub tab: QualityTab,
    pub data: QualityData,
    pub selected: [usize; 3],
    pub offset: Cell<usize>,
    pub loaded: bool,
}

/// How many of a field's newest values the SPC view charts.
pub const SPC_POINTS: usize = 30;
/// How many of a procedure's newest runs the step screen's trends read.
pub const TREND_RUNS: usize = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportTab {
    #[default]
    CycleTime,
    Spc,
}

impl ReportTab {
    pub fn index(self) -> usize {
        match self {
            ReportTab::CycleTime => 0,
            ReportTab::Spc => 1,
        }
    }
}

/// What the report screen loads at once: the cycle-time report over every
/// finished run and the numeric fields of the procedures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportsData {
    pub cycle: CycleTimeReport,
    pub fields: Vec<FieldRef>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportsView {
    pub tab: ReportTab,
    pub data: ReportsData,
    /// The procedure row (cycle time) and the field (SPC) under the cursor.
    pub selected: [usize; 2],
    /// The SPC of the selected field, once loaded.
    pub spc: Option<SpcReport>,
    pub loaded: bool,
}

/// What a yes/no question leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmed {
    Quit,
    LeaveStep,
    /// Save the field's draft although it voids the step's approvals.
    SaveVoidingApproval {
        field: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Form(Form),
    Confirm {
        question: String,
        then: Confirmed,
    },
    /// The org rules, read-only (admins change them with `traveler settings set`).
    OrgSettings,
    /// One history row in full: every field of the audit row and its event.
    Event {
        row: Box<AuditRow>,
        scroll: usize,
    },
    /// Every key of the screen underneath; a form it covers comes back when it closes.
    Help {
        context: Context,
        scroll: usize,
        under: Option<Box<Form>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub station: String,
    pub idle_lock_minutes: u32,
    /// The station takes a decimal comma in number fields (config.toml).
    pub decimal_comma: bool,
    pub keymap: Keymap,
    pub zone: Zone,
    /// The time of the last tick; the only clock `update` and `render` see.
    pub now: Time,
    pub last_input: Time,
    pub session: Option<Actor>,
    pub sign_in: SignIn,
    /// Idle-locked: the sign-in form covers the screen, which is kept as is.
    pub locked: bool,
    /// Locked with the lock key rather than after idle minutes.
    pub locked_by_hand: bool,
    pub screen: Screen,
    pub board: Board,
    pub run: Option<RunView>,
    pub step: Option<StepView>,
    /// The step just completed: when the run reloads, the screen moves on
    /// to the next step that can be worked.
    pub advance_after: Option<String>,
    /// A refused scan: the driver rings the terminal's bell once, so an
    /// operator looking at the part, not the screen, hears it.
    pub bell: bool,
    pub quality: QualityView,
    /// The quality queue's counts for the signed-in user, as last loaded.
    pub quality_counts: Option<crate::store::QualityCounts>,
    pub reports: ReportsView,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub quit: bool,
}

impl State {
    pub fn new(station: &str, keymap: Keymap, now: Time) -> State {
        State {
            station: station.to_string(),
            idle_lock_minutes: 10,
            decimal_comma: false,
            keymap,
            zone: Zone::Local,
            now,
            last_input: now,
            session: None,
            sign_in: SignIn::default(),
            locked: false,
            locked_by_hand: false,
            screen: Screen::SignIn,
            board: Board::default(),
            run: None,
            step: None,
            advance_after: None,
            bell: false,
            quality: QualityView::default(),
            quality_counts: None,
            reports: ReportsView::default(),
            overlay: None,
            status: None,
            quit: false,
        }
    }

    pub fn run_id(&self) -> Option<RunId> {
        self.run.as_ref().map(|r| r.bundle.run.id)
    }

    /// Where the keyboard is, deciding what keys mean.
    pub fn context(&self) -> Context {
        if matches!(self.overlay, Some(Overlay::Help { .. })) {
            return Context::Help;
        }
        if self.locked || self.session.is_none() {
            return Context::SignIn;
        }
        match &self.overlay {
            Some(Overlay::Help { .. }) => return Context::Help,
            Some(Overlay::Confirm { .. }) => return Context::Confirm,
            Some(Overlay::OrgSettings | Overlay::Event { .. }) => return Context::Help,
            Some(Overlay::Form(form)) => {
                return if form.focused_is_text() {
                    Context::FormText
                } else {
                    Context::FormChoice
                }
            }
            _ => {}
        }
        match self.screen {
            Screen::SignIn => Context::SignIn,
            Screen::Board if self.board.searching => Context::BoardSearch,
            Screen::Board => Context::Board,
            Screen::Run => Context::Run,
            Screen::Quality => Context::Quality,
            Screen::Reports => Context::Reports,
            Screen::Step => match &self.step {
                Some(step) => match step.editing.as_ref().and_then(|f| step.drafts.get(f)) {
                    Some(Draft {
                        editor: Editor::Text(_),
                        ..
                    }) => Context::StepEdit,
                    Some(_) => Context::StepChoice,
                    None if step.typing_in_scan_box(self) => Context::StepScan,
                    None => Context::Step,
                },
                None => Context::Step,
            },
        }
    }

    /// True when quitting now would lose something typed.
    pub fn has_unsaved_work(&self) -> bool {
        let step_work = self
            .step
            .as_ref()
            .is_some_and(|s| !s.drafts.is_empty() || !s.scan.is_empty());
        let form_work = matches!(&self.overlay, Some(Overlay::Form(f)) if f.has_input());
        step_work || form_work
    }

    /// Drops what was typed and not saved (field drafts, the scan box, an
    /// open form), so nobody else can save it under their own name. True
    /// when there was any.
    pub fn discard_unsaved_work(&mut self) -> bool {
        let had = self.has_unsaved_work();
        if let Some(step) = &mut self.step {
            step.drafts.clear();
            step.scan.clear();
        }
        if matches!(&self.overlay, Some(Overlay::Form(_))) {
            self.overlay = None;
        }
        had
    }
}

impl StepView {
    /// True when the cursor rests on the scan box.
    pub fn focus_is_scan(&self, state: &State) -> bool {
        super::step_items::items(state).get(self.focus) == Some(&StepItem::Scan)
    }

    /// True when typing goes into the scan box: the cursor is on it and the
    /// user has started typing there (see `scan_typing`).
    pub fn typing_in_scan_box(&self, state: &State) -> bool {
        self.focus_is_scan(state) && (self.scan_typing || !self.scan.is_empty())
    }
}
