//! The vocabulary of the keymap: every thing a key can ask for. The same
//! names (snake_case) are what `[keys]` in config.toml remaps, and each action
//! becomes `Msg::Action` for `update`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // moving around
    Quit,
    Help,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    NextField,
    PrevField,
    Toggle,
    Search,
    NextTab,
    PrevTab,
    Reload,
    Lock,
    QualityScreen,
    /// Board: cycle time and SPC.
    ReportScreen,
    /// Board: the org rules, read-only (admin).
    OrgSettings,
    // run view
    History,
    FailRun,
    ReopenRun,
    // step execution
    CheckIn,
    CheckOut,
    Complete,
    Hold,
    Resume,
    FailStep,
    Rework,
    ReopenStep,
    Redline,
    ApproveRedline,
    CancelRedline,
    Comment,
    RaiseIssue,
    AcceptDeviation,
    Approve,
    Reject,
    Scan,
    Uninstall,
    // quality
    SetDisposition,
    CloseIssue,
}

/// Where the keyboard is: decides which actions a key may mean, and whether
/// plain characters are text to type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    SignIn,
    Board,
    BoardSearch,
    Run,
    Step,
    StepEdit,
    /// Typing into the step's scan box.
    StepScan,
    StepChoice,
    Quality,
    /// The report screen (cycle time, SPC).
    Reports,
    FormText,
    FormChoice,
    Confirm,
    Help,
}

impl Context {
    pub const ALL: [Context; 14] = [
        Context::SignIn,
        Context::Board,
        Context::BoardSearch,
        Context::Run,
        Context::Step,
        Context::StepEdit,
        Context::StepScan,
        Context::StepChoice,
        Context::Quality,
        Context::Reports,
        Context::FormText,
        Context::FormChoice,
        Context::Confirm,
        Context::Help,
    ];

    /// True where plain characters are typed into a text box rather than
    /// taken as shortcuts.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::SignIn
                | Context::BoardSearch
                | Context::StepEdit
                | Context::StepScan
                | Context::FormText
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Context::SignIn => "sign-in screen",
            Context::Board => "run board",
            Context::BoardSearch => "board search",
            Context::Run => "run screen",
            Context::Step => "step screen",
            Context::StepEdit => "field editor",
            Context::StepScan => "scan box",
            Context::StepChoice => "choice editor",
            Context::Quality => "quality screen",
            Context::Reports => "report screen",
            Context::FormText => "form (text box)",
            Context::FormChoice => "form (choice)",
            Context::Confirm => "confirmation",
            Context::Help => "help",
        }
    }
}

use Context as C;

const LISTS: &[Context] = &[
    C::Board,
    C::Run,
    C::Step,
    C::Quality,
    C::Reports,
    C::StepChoice,
];
const SCREENS: &[Context] = &[C::Board, C::Run, C::Step, C::Quality, C::Reports];
const EVERYWHERE: &[Context] = &Context::ALL;

impl Action {
    /// Every action, in the order help and footers list them.
    pub const ALL: [Action; 44] = [
        Action::Open,
        Action::Back,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::NextField,
        Action::PrevField,
        Action::Toggle,
        Action::NextTab,
        Action::PrevTab,
        Action::Search,
        Action::CheckIn,
        Action::CheckOut,
        Action::Complete,
        Action::Scan,
        Action::Uninstall,
        Action::Approve,
        Action::Reject,
        Action::Hold,
        Action::Resume,
        Action::FailStep,
        Action::Rework,
        Action::ReopenStep,
        Action::Redline,
        Action::ApproveRedline,
        Action::CancelRedline,
        Action::Comment,
        Action::RaiseIssue,
        Action::AcceptDeviation,
        Action::History,
        Action::FailRun,
        Action::ReopenRun,
        Action::SetDisposition,
        Action::CloseIssue,
        Action::QualityScreen,
        Action::ReportScreen,
        Action::OrgSettings,
        Action::Reload,
        Action::Lock,
        Action::Help,
        Action::Quit,
    ];

    /// The screens and editors where this action means something.
    pub fn contexts(self) -> &'static [Context] {
        match self {
            Action::Quit => EVERYWHERE,
            Action::Help => &[
                C::SignIn,
                C::Board,
                C::BoardSearch,
                C::Run,
                C::Step,
                C::StepEdit,
                C::StepScan,
                C::StepChoice,
                C::Quality,
                C::Reports,
                C::FormText,
                C::FormChoice,
                C::Help,
            ],
            Action::Back | Action::Open => EVERYWHERE,
            Action::Up | Action::Down => &[
                C::Board,
                C::Run,
                C::Step,
                C::Quality,
                C::Reports,
                C::StepChoice,
                C::FormChoice,
                C::Help,
            ],
            Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => LISTS,
            Action::NextField | Action::PrevField => &[
                C::SignIn,
                C::Step,
                C::StepEdit,
                C::StepScan,
                C::StepChoice,
                C::FormText,
                C::FormChoice,
            ],
            Action::Toggle => &[C::StepChoice, C::FormChoice],
            Action::Search => &[C::Board],
            Action::NextTab | Action::PrevTab => &[
                C::Board,
                C::Quality,
                C::Reports,
                C::StepChoice,
                C::FormChoice,
            ],
            Action::Reload | Action::Lock => SCREENS,
            Action::QualityScreen => &[C::Board, C::Run],
            Action::ReportScreen => &[C::Board],
            Action::OrgSettings => &[C::Board],
            Action::History | Action::FailRun | Action::ReopenRun => &[C::Run],
            Action::CheckIn
            | Action::CheckOut
            | Action::Complete
            | Action::Hold
            | Action::Resume
            | Action::FailStep
            | Action::Rework
            | Action::ReopenStep
            | Action::Redline
            | Action::ApproveRedline
            | Action::CancelRedline
            | Action::Comment
            | Action::RaiseIssue
            | Action::AcceptDeviation
            | Action::Approve
            | Action::Reject
            | Action::Scan
            | Action::Uninstall => &[C::Step],
            Action::SetDisposition | Action::CloseIssue => &[C::Quality],
        }
    }

    pub fn applies_in(self, context: Context) -> bool {
        self.contexts().contains(&context)
    }

    /// A few words for the footer and the help screen, in this context.
    pub fn describe(self, context: Context) -> &'static str {
        match (self, context) {
            (Action::Open, C::SignIn) => "next / sign in",
            (Action::Open, C::Board) => "open run",
            (Action::Open, C::BoardSearch) => "open the serial / list matches",
            (Action::Open, C::Run) => "open step",
            (Action::Open, C::Step) => "edit",
            (Action::Open, C::StepEdit | C::StepChoice) => "save value",
            (Action::Open, C::StepScan) => "install",
            (Action::Open, C::Quality) => "go to step",
            (Action::Open, C::Reports) => "reload",
            (Action::Open, C::FormText | C::FormChoice) => "next / submit",
            (Action::Open, C::Confirm) => "yes",
            (Action::Open, C::Help) => "close",
            (Action::Back, C::SignIn) => "clear",
            (Action::Back, C::BoardSearch) => "clear search",
            (Action::Back, C::StepEdit | C::StepChoice) => "cancel edit",
            (Action::Back, C::StepScan) => "clear / leave box",
            (Action::Back, C::FormText | C::FormChoice) => "cancel",
            (Action::Back, C::Confirm) => "no",
            (Action::Back, C::Help) => "close",
            (Action::Back, _) => "back",
            (Action::Up, C::StepChoice | C::FormChoice) => "previous option",
            (Action::Down, C::StepChoice | C::FormChoice) => "next option",
            (Action::Up, C::Reports) => "previous row / field",
            (Action::Down, C::Reports) => "next row / field",
            (Action::Up, _) => "up",
            (Action::Down, _) => "down",
            (Action::PageUp, _) => "page up",
            (Action::PageDown, _) => "page down",
            (Action::Top, _) => "first",
            (Action::Bottom, _) => "last",
            (Action::NextField, C::StepEdit | C::StepChoice) => "next (keeps draft)",
            (Action::NextField, _) => "next field",
            (Action::PrevField, _) => "previous field",
            (Action::Toggle, _) => "tick / untick",
            (Action::Search, _) => "find a serial (or scan it)",
            (Action::NextTab, C::StepChoice | C::FormChoice) => "next option",
            (Action::PrevTab, C::StepChoice | C::FormChoice) => "previous option",
            (Action::NextTab, _) => "next tab",
            (Action::PrevTab, _) => "previous tab",
            (Action::Reload, _) => "reload",
            (Action::Lock, _) => "lock",
            (Action::QualityScreen, _) => "quality",
            (Action::ReportScreen, _) => "reports",
            (Action::OrgSettings, _) => "org rules (admin)",
            (Action::History, _) => "history",
            (Action::FailRun, _) => "fail run",
            (Action::ReopenRun, _) => "reopen run",
            (Action::CheckIn, _) => "check in",
            (Action::CheckOut, _) => "check out",
            (Action::Complete, _) => "complete",
            (Action::Hold, _) => "hold",
            (Action::Resume, _) => "resume",
            (Action::FailStep, _) => "fail step",
            (Action::Rework, _) => "rework",
            (Action::ReopenStep, _) => "reopen step",
            (Action::Redline, _) => "redline",
            (Action::ApproveRedline, _) => "approve redline",
            (Action::CancelRedline, _) => "cancel redline",
            (Action::Comment, _) => "comment",
            (Action::RaiseIssue, _) => "raise issue",
            (Action::AcceptDeviation, _) => "deviation",
            (Action::Approve, _) => "approve",
            (Action::Reject, _) => "reject",
            (Action::Scan, _) => "scan",
            (Action::Uninstall, _) => "uninstall",
            (Action::SetDisposition, _) => "disposition",
            (Action::CloseIssue, _) => "close issue",
            (Action::Help, _) => "help",
            (Action::Quit, _) => "quit",
        }
    }

    /// The snake_case name used in config.toml.
    pub fn config_name(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => format!("{self:?}"),
        }
    }
}
