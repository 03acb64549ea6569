//! The footer: the single-key shortcut of every action that makes sense
//! here, from the keymap (so remapped keys show). Actions that cannot be done
//! right now are drawn struck through, and `?` lists them all. Actions the
//! user's roles do not allow are not shown at all.

use super::theme::Theme;
use crate::app::action::{Action, Context};
use crate::app::offered::offered;
use crate::app::state::{State, StepItem};
use crate::app::step_items::{blockers, current_run, current_step, focused_item, signoff_field};
use crate::domain::{is_checked_in, FieldType, RedlineState, RunState, StepState};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// One footer entry: an action and whether it can be done now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    pub action: Action,
    pub enabled: bool,
}

fn on(actions: &[Action]) -> Vec<Hint> {
    actions
        .iter()
        .map(|&action| Hint {
            action,
            enabled: true,
        })
        .collect()
}

/// The actions the footer offers in the current context: only those the
/// user's roles allow (see `app::offered`).
pub fn hints(state: &State) -> Vec<Hint> {
    let mut out = context_hints(state);
    out.retain(|h| offered(state, h.action));
    out
}

fn context_hints(state: &State) -> Vec<Hint> {
    use Action as A;
    let context = state.context();
    match context {
        Context::SignIn => on(&[A::Open, A::NextField, A::Back, A::Help, A::Quit]),
        Context::Board => {
            let admin = state
                .session
                .as_ref()
                .is_some_and(|a| a.has_role(crate::domain::ADMIN));
            let mut out = on(&[
                A::Open,
                A::Search,
                A::NextTab,
                A::QualityScreen,
                A::ReportScreen,
            ]);
            if admin {
                out.extend(on(&[A::OrgSettings]));
            }
            out.extend(on(&[A::Reload, A::Lock, A::Help, A::Quit]));
            out
        }
        Context::BoardSearch => on(&[A::Open, A::Back, A::Help, A::Quit]),
        Context::Run => {
            let state_now = current_run(state).map(|r| r.state);
            let mut out = on(&[A::Open, A::History]);
            out.push(Hint {
                action: A::FailRun,
                enabled: state_now == Some(RunState::InProgress)
                    || state_now == Some(RunState::Todo),
            });
            out.push(Hint {
                action: A::ReopenRun,
                enabled: state_now == Some(RunState::Complete),
            });
            out.extend(on(&[A::QualityScreen, A::Back, A::Lock, A::Help, A::Quit]));
            out
        }
        Context::Step => step_hints(state),
        Context::StepEdit | Context::StepScan => {
            on(&[A::Open, A::Back, A::NextField, A::Help, A::Quit])
        }
        Context::StepChoice => on(&[A::Down, A::Toggle, A::Open, A::Back, A::NextField, A::Help]),
        Context::Quality => on(&[
            A::Open,
            A::NextTab,
            A::SetDisposition,
            A::CloseIssue,
            A::Reload,
            A::Back,
            A::Help,
            A::Quit,
        ]),
        Context::Reports => on(&[A::Down, A::NextTab, A::Reload, A::Back, A::Help, A::Quit]),
        Context::FormText => on(&[A::Open, A::NextField, A::Back]),
        Context::FormChoice => on(&[A::NextTab, A::Open, A::NextField, A::Back]),
        Context::Confirm => on(&[A::Open, A::Back]),
        Context::Help => on(&[A::Back]),
    }
}

/// The step screen offers what fits the step's state and the user.
fn step_hints(state: &State) -> Vec<Hint> {
    use Action as A;
    let (Some(step), Some(run), Some(actor)) = (
        current_step(state),
        current_run(state),
        state.session.as_ref(),
    ) else {
        return on(&[A::Back, A::Help, A::Quit]);
    };
    let live = matches!(run.state, RunState::Todo | RunState::InProgress);
    let mine = is_checked_in(step, &actor.login);
    let mut out = Vec::new();
    let mut add = |action, enabled| out.push(Hint { action, enabled });
    let editable = matches!(step.state, StepState::Todo | StepState::InProgress);
    add(
        A::Open,
        live && crate::app::update::step_read_only(state).is_none(),
    );
    if live {
        match step.state {
            StepState::Todo | StepState::InProgress if !mine => add(A::CheckIn, true),
            StepState::InProgress => add(A::CheckOut, true),
            _ => {}
        }
        if editable {
            add(
                A::Complete,
                step.state == StepState::InProgress && blockers(state).is_empty(),
            );
        }
        if !step.requirements.is_empty() && editable {
            add(A::Scan, true);
            let has_installs = match focused_item(state) {
                Some(StepItem::Requirement(i)) => step
                    .requirements
                    .get(i)
                    .is_some_and(|r| r.installs.iter().any(|x| x.removed_at.is_none())),
                _ => false,
            };
            if has_installs {
                add(A::Uninstall, true);
            }
        }
        if signoff_field(state).is_some_and(|f| f.def.field_type == FieldType::Signoff) {
            add(A::Approve, true);
            add(A::Reject, true);
        }
        match step.state {
            StepState::InProgress => {
                add(A::Hold, true);
                add(A::FailStep, true);
            }
            StepState::OnHold => add(A::Resume, true),
            StepState::Failed => add(A::Rework, true),
            StepState::Complete | StepState::Skipped => {
                add(A::ReopenStep, run.state == RunState::InProgress)
            }
            StepState::Redline => {
                let waiting = run
                    .redlines
                    .iter()
                    .any(|r| r.step == step.key && r.state == RedlineState::Proposed);
                add(A::ApproveRedline, waiting);
                add(A::CancelRedline, waiting);
            }
            StepState::Todo => {}
        }
        if matches!(
            step.state,
            StepState::Todo | StepState::InProgress | StepState::Failed
        ) {
            add(A::Redline, true);
        }
        add(A::AcceptDeviation, step.allow_out_of_range_with_issue);
        add(A::Comment, true);
        add(A::RaiseIssue, true);
    }
    add(A::Back, true);
    add(A::Help, true);
    add(A::Quit, true);
    out
}

fn spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let context = state.context();
    let mut out = Vec::new();
    for hint in hints(state) {
        let key = state.keymap.label_in(hint.action, context);
        if key.is_empty() {
            continue;
        }
        let (key_style, text_style) = if hint.enabled {
            (theme.key, theme.text)
        } else {
            (theme.disabled, theme.disabled)
        };
        out.push(Span::styled(key, key_style));
        out.push(Span::raw(" "));
        out.push(Span::styled(
            hint.action.describe(context).to_string(),
            text_style,
        ));
        out.push(Span::raw("  "));
    }
    out
}

/// The shortcuts packed into rows, whole entries only.
fn rows(state: &State, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for entry in spans(state, theme).chunks(4) {
        let w: usize = entry.iter().map(|s| s.width()).sum();
        if used > 0 && used + w - 2 > width {
            lines.push(Vec::new());
            used = 0;
        }
        used += w;
        if let Some(line) = lines.last_mut() {
            line.extend(entry.iter().cloned());
        }
    }
    lines.into_iter().map(Line::from).collect()
}

/// As many rows as the shortcuts need, at most 3.
pub fn height(state: &State, theme: &Theme, width: u16) -> u16 {
    (rows(state, theme, width).len() as u16).clamp(1, 3)
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(rows(state, theme, area.width)), area);
}
