//! The step screen: moving between fields, editing drafts (nothing typed is
//! lost until it is saved or cancelled), step actions, scans that install.

use super::{forms, quality};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::msg::ExecTag;
use crate::app::state::{Confirmed, Draft, Editor, Overlay, Screen, State, Status, StepItem};
use crate::app::step_items::{
    current_run, current_step, current_value_id, focused_item, items, signoff_field,
};
use crate::app::text_input::{Edit, TextInput};
use crate::domain::{
    approvals_a_change_voids, approvals_text, current_value, is_unchanged, parse_value, value_text,
    Actor, Command, Field, FieldType, Meaning, RedlineState, RunState, Seen, StepState, Value,
};

/// What every step command carries: the step version the user saw.
fn seen_step(state: &State) -> Seen {
    Seen {
        step_version: current_step(state).map(|s| s.version),
        field_value: None,
    }
}

fn actor(state: &State) -> Option<Actor> {
    state.session.clone()
}

/// A step command, with the step version the user saw.
pub fn step_command(state: &State, tag: ExecTag, command: Command) -> Vec<Effect> {
    let (Some(actor), Some(run)) = (actor(state), state.run_id()) else {
        return Vec::new();
    };
    vec![Effect::Execute {
        tag,
        actor,
        run: Some(run),
        command,
        seen: seen_step(state),
    }]
}

fn key(state: &State) -> String {
    state
        .step
        .as_ref()
        .map(|s| s.key.clone())
        .unwrap_or_default()
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if state.step.is_none() || current_step(state).is_none() {
        state.screen = Screen::Run;
        return Vec::new();
    }
    let editing = state.step.as_ref().and_then(|s| s.editing.clone());
    if let Some(field) = editing {
        return on_editor_action(state, &field, action);
    }
    if state
        .step
        .as_ref()
        .is_some_and(|s| s.typing_in_scan_box(state))
    {
        return on_scan_box_action(state, action);
    }
    let step_key = key(state);
    match action {
        Action::Up | Action::PrevField => move_focus(state, -1),
        Action::Down | Action::NextField => move_focus(state, 1),
        Action::Top | Action::PageUp => set_focus(state, 0),
        Action::Bottom | Action::PageDown => set_focus(state, usize::MAX),
        Action::Open => return open_focused(state),
        Action::Back => return leave(state),
        Action::Reload => {
            if let Some(run) = state.run_id() {
                return vec![Effect::LoadRun {
                    run,
                    open_step: None,
                }];
            }
        }
        Action::CheckIn => {
            return step_command(
                state,
                ExecTag::StepAction,
                Command::CheckIn { step: step_key },
            )
        }
        Action::CheckOut => {
            return step_command(
                state,
                ExecTag::StepAction,
                Command::CheckOut { step: step_key },
            )
        }
        Action::Resume => {
            return step_command(
                state,
                ExecTag::StepAction,
                Command::Resume { step: step_key },
            )
        }
        Action::Complete => return complete(state),
        Action::Hold => forms::open_hold(state),
        Action::FailStep => forms::open_fail_step(state),
        Action::Rework => forms::open_rework(state),
        Action::ReopenStep => forms::open_reopen_step(state),
        Action::Redline => forms::open_redline(state),
        Action::Comment => forms::open_comment(state),
        Action::RaiseIssue => forms::open_raise_issue(state),
        Action::AcceptDeviation => forms::open_accept_deviation(state),
        Action::Uninstall => forms::open_uninstall(state),
        Action::Approve => open_signoff(state, Meaning::Approved),
        Action::Reject => open_signoff(state, Meaning::Rejected),
        Action::ApproveRedline | Action::CancelRedline => return decide_redline(state, action),
        Action::Scan => {
            let at = items(state).iter().position(|i| *i == StepItem::Scan);
            match at {
                Some(i) => {
                    set_focus(state, i);
                    start_typing_in_scan_box(state);
                }
                None => {
                    state.status = Some(Status::error(
                        "This step installs no parts, so there is nothing to scan.",
                    ))
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

fn move_focus(state: &mut State, delta: isize) {
    let n = items(state).len();
    if n == 0 {
        return;
    }
    if let Some(step) = &mut state.step {
        step.focus = (step.focus as isize + delta).rem_euclid(n as isize) as usize;
        step.scan_typing = false;
    }
}

fn set_focus(state: &mut State, at: usize) {
    let n = items(state).len();
    if let Some(step) = &mut state.step {
        step.focus = at.min(n.saturating_sub(1));
        step.scan_typing = false;
    }
}

/// Esc: back to where the step was opened from, asking first if drafts would be lost.
fn leave(state: &mut State) -> Vec<Effect> {
    let Some(step) = &mut state.step else {
        return Vec::new();
    };
    if step.refused.take().is_some() {
        return Vec::new();
    }
    if !step.drafts.is_empty() {
        state.overlay = Some(Overlay::Confirm {
            question: "Leave this step and lose the values typed but not saved?".to_string(),
            then: Confirmed::LeaveStep,
        });
        return Vec::new();
    }
    back_out(state)
}

/// Leaves the step screen for the screen it was opened from.
pub fn back_out(state: &mut State) -> Vec<Effect> {
    let return_to = state
        .step
        .as_ref()
        .map(|s| s.return_to)
        .unwrap_or(Screen::Run);
    if let Some(step) = &mut state.step {
        step.drafts.clear();
        step.editing = None;
        step.scan.clear();
    }
    state.screen = return_to;
    if return_to == Screen::Run {
        select_after_leaving(state);
    }
    if return_to == Screen::Quality {
        return quality::reload(state);
    }
    Vec::new()
}

/// Back on the run screen, the cursor rests on the step just left, or, when
/// that step is now complete, on the next step still to do (so Enter goes on).
fn select_after_leaving(state: &mut State) {
    let Some(key) = state.step.as_ref().map(|s| s.key.clone()) else {
        return;
    };
    let Some(view) = &mut state.run else {
        return;
    };
    let steps = &view.bundle.run.steps;
    let Some(at) = steps.iter().position(|s| s.key == key) else {
        return;
    };
    let open =
        |s: &crate::domain::RunStep| s.superseded_by.is_none() && s.state != StepState::Complete;
    view.selected = if open(&steps[at]) {
        at
    } else {
        steps
            .iter()
            .skip(at + 1)
            .position(open)
            .map(|i| at + 1 + i)
            .or_else(|| steps.iter().position(open))
            .unwrap_or(at)
    };
}

/// Enter on a field starts (or resumes) its editor; on a requirement it
/// moves to the scan box; on a sign-off it opens the approval prompt.
fn open_focused(state: &mut State) -> Vec<Effect> {
    let Some(item) = focused_item(state) else {
        return Vec::new();
    };
    match item {
        StepItem::Field(i) => {
            let Some(field) = current_step(state).and_then(|s| s.fields.get(i)).cloned() else {
                return Vec::new();
            };
            if field.def.field_type == FieldType::Signoff {
                open_signoff(state, Meaning::Approved);
                return Vec::new();
            }
            if let Some(why) = read_only_reason(state) {
                state.status = Some(Status::info(why));
                return Vec::new();
            }
            let today = state.zone.date(state.now);
            if let Some(step) = &mut state.step {
                step.drafts
                    .entry(field.def.name.clone())
                    .or_insert_with(|| Draft {
                        editor: editor_for(&field, &today),
                        seen_value: current_value_id(&field),
                        rebase_on_load: false,
                    });
                step.editing = Some(field.def.name.clone());
                step.refused = None;
            }
        }
        StepItem::Requirement(_) => {
            if let Some(i) = items(state).iter().position(|i| *i == StepItem::Scan) {
                set_focus(state, i);
            }
        }
        StepItem::Scan => start_typing_in_scan_box(state),
    }
    Vec::new()
}

fn start_typing_in_scan_box(state: &mut State) {
    if let Some(step) = &mut state.step {
        step.scan_typing = true;
    }
}

/// Why the step's fields cannot be changed now (the run or the step is in a
/// state where the engine refuses values), as a sentence naming the way out;
/// `None` when an editor may open (a `todo` step may be typed into before
/// checking in: the save then says to check in).
pub fn read_only_reason(state: &State) -> Option<String> {
    let run = current_run(state)?;
    let step = current_step(state)?;
    let key = |a: Action| state.keymap.label(a);
    let pos = &step.position;
    match run.state {
        RunState::Complete => {
            return Some(format!(
                "Run {} is complete: its steps are read-only; an admin can reopen the run ({} on the run screen).",
                run.id,
                key(Action::ReopenRun)
            ))
        }
        RunState::Failed => {
            return Some(format!(
                "Run {} has failed: its steps are frozen and read-only.",
                run.id
            ))
        }
        _ => {}
    }
    match step.state {
        StepState::Complete => Some(format!(
            "Step {pos} is complete; a quality engineer or supervisor can reopen it ({}).",
            key(Action::ReopenStep)
        )),
        StepState::Failed => Some(format!(
            "Step {pos} failed: it is read-only until it is reworked ({}).",
            key(Action::Rework)
        )),
        StepState::OnHold => Some(format!(
            "Step {pos} is on hold: resume it ({}) to enter values.",
            key(Action::Resume)
        )),
        StepState::Redline => Some(format!(
            "Step {pos} is in redline: values wait until the redline is approved ({}) or cancelled ({}).",
            key(Action::ApproveRedline),
            key(Action::CancelRedline)
        )),
        StepState::Skipped => Some(format!(
            "Step {pos} was skipped when the run completed; a quality engineer or supervisor can reopen it ({}).",
            key(Action::ReopenStep)
        )),
        StepState::Todo | StepState::InProgress => None,
    }
}

/// A fresh editor for a field, starting from its current value where that
/// helps (text, choices) and empty for a new measurement.
fn editor_for(field: &Field, today: &str) -> Editor {
    let current = current_value(field).map(|v| &v.value);
    // Nothing is chosen until the operator chooses (or the field already has a value).
    let choice = |options: Vec<String>, current: Option<String>| {
        let cursor = current.and_then(|c| options.iter().position(|o| *o == c));
        Editor::Choice { options, cursor }
    };
    match field.def.field_type {
        FieldType::PassFail => choice(vec!["pass".into(), "fail".into()], current.map(value_text)),
        FieldType::Boolean => choice(vec!["yes".into(), "no".into()], current.map(value_text)),
        FieldType::SingleSelect => choice(field.def.options.clone(), current.map(value_text)),
        FieldType::MultiSelect => {
            let picked: Vec<String> = match current {
                Some(Value::Multi(v)) => v.clone(),
                _ => Vec::new(),
            };
            Editor::Multi {
                ticked: field
                    .def
                    .options
                    .iter()
                    .map(|o| picked.contains(o))
                    .collect(),
                options: field.def.options.clone(),
                cursor: 0,
            }
        }
        FieldType::Number => Editor::Text(TextInput::default()),
        FieldType::Date => Editor::Text(TextInput::new(
            &current.map(value_text).unwrap_or_else(|| today.to_string()),
        )),
        FieldType::Text | FieldType::File | FieldType::Signoff => {
            Editor::Text(TextInput::new(&current.map(value_text).unwrap_or_default()))
        }
    }
}

fn on_editor_action(state: &mut State, field: &str, action: Action) -> Vec<Effect> {
    let Some(step) = &mut state.step else {
        return Vec::new();
    };
    match action {
        Action::Open => return save_field(state, field),
        Action::Back => {
            step.drafts.remove(field);
            step.editing = None;
        }
        Action::NextField | Action::PrevField => {
            // The draft stays; the cursor moves on.
            step.editing = None;
            move_focus(state, if action == Action::NextField { 1 } else { -1 });
        }
        Action::Up | Action::Down | Action::NextTab | Action::PrevTab | Action::Toggle => {
            if let Some(draft) = step.drafts.get_mut(field) {
                choose(&mut draft.editor, action);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn choose(editor: &mut Editor, action: Action) {
    let forward = matches!(action, Action::Down | Action::NextTab);
    let back = matches!(action, Action::Up | Action::PrevTab);
    match editor {
        Editor::Choice { options, cursor } => {
            let n = options.len().max(1);
            *cursor = match *cursor {
                // The first key picks the first (or, going back, the last) option.
                None if forward || action == Action::Toggle => Some(0),
                None if back => Some(n - 1),
                Some(c) if forward || action == Action::Toggle => Some((c + 1) % n),
                Some(c) if back => Some((c + n - 1) % n),
                other => other,
            };
        }
        Editor::Multi {
            options,
            cursor,
            ticked,
        } => {
            let n = options.len().max(1);
            if forward {
                *cursor = (*cursor + 1) % n;
            } else if back {
                *cursor = (*cursor + n - 1) % n;
            } else if let Some(t) = ticked.get_mut(*cursor) {
                *t = !*t;
            }
        }
        Editor::Text(_) => {}
    }
}

/// Enter on a draft: checks it is filled in, then asks what the save needs
/// before it goes to the engine. A change that voids an approval asks first
/// (yes/no); a change of a saved value asks for a reason (a small form). A
/// value equal to the saved one, or one the engine will refuse as malformed,
/// goes straight to the engine, which answers "unchanged" or says what is
/// wrong.
fn save_field(state: &mut State, field_name: &str) -> Vec<Effect> {
    let Some(step) = current_step(state) else {
        return Vec::new();
    };
    let Some(field) = step.fields.iter().find(|f| f.def.name == field_name) else {
        return Vec::new();
    };
    let Some(draft) = state.step.as_ref().and_then(|s| s.drafts.get(field_name)) else {
        return Vec::new();
    };
    let raw = engine_text(state, field_name, &draft.editor);
    if let Editor::Choice {
        options,
        cursor: None,
    } = &draft.editor
    {
        let text = match options.as_slice() {
            [a, b] => format!("Choose {a} or {b} first (↑/↓ or Space), then Enter."),
            _ => "Choose an option first (↑/↓ or Space), then Enter.".to_string(),
        };
        state.status = Some(Status::error(format!("{}: {text}", field.def.name)));
        return Vec::new();
    }
    if raw.trim().is_empty() {
        state.status = Some(Status::error(format!(
            "{} is empty; type a value, or Esc to cancel.",
            field.def.name
        )));
        return Vec::new();
    }
    // A file is hashed only once copied, so it always counts as a change.
    let is_change = field.def.field_type == FieldType::File
        || matches!(parse_value(&field.def, &raw), Ok(v) if !is_unchanged(field, &v));
    if !is_change {
        return send_save(state, field_name, None, false);
    }
    let voided = approvals_a_change_voids(step);
    if !voided.is_empty() {
        state.overlay = Some(Overlay::Confirm {
            question: format!("This voids {}; save anyway?", approvals_text(&voided)),
            then: Confirmed::SaveVoidingApproval {
                field: field_name.to_string(),
            },
        });
        return Vec::new();
    }
    ask_reason_or_save(state, field_name, false)
}

/// After any yes/no: a correction of a saved value opens the reason form;
/// a first value is saved at once.
pub fn ask_reason_or_save(state: &mut State, field_name: &str, void_approval: bool) -> Vec<Effect> {
    let saved = current_step(state)
        .and_then(|s| s.fields.iter().find(|f| f.def.name == field_name))
        .and_then(current_value)
        .cloned();
    match saved {
        Some(old) => {
            let typed = state
                .step
                .as_ref()
                .and_then(|s| s.drafts.get(field_name))
                .map(|d| engine_text(state, field_name, &d.editor))
                .unwrap_or_default();
            forms::open_correction(state, field_name, &old, &typed, void_approval);
            Vec::new()
        }
        None => send_save(state, field_name, None, void_approval),
    }
}

/// Sends the draft of `field_name` to the engine (a file is copied into the
/// attachments store first), with the reason and the yes to voiding given.
pub fn send_save(
    state: &State,
    field_name: &str,
    reason: Option<String>,
    void_approval: bool,
) -> Vec<Effect> {
    let (Some(actor), Some(run), Some(step)) = (actor(state), state.run_id(), current_step(state))
    else {
        return Vec::new();
    };
    let Some(draft) = state.step.as_ref().and_then(|s| s.drafts.get(field_name)) else {
        return Vec::new();
    };
    let is_file = step
        .fields
        .iter()
        .any(|f| f.def.name == field_name && f.def.field_type == FieldType::File);
    let raw = engine_text(state, field_name, &draft.editor);
    let seen = Seen {
        step_version: Some(step.version),
        field_value: Some(draft.seen_value),
    };
    let step_key = step.key.clone();
    if is_file {
        return vec![Effect::AttachFile {
            actor,
            run,
            step: step_key,
            field: field_name.to_string(),
            path: raw.trim().to_string(),
            seen,
            reason,
            void_approval,
        }];
    }
    vec![Effect::Execute {
        tag: ExecTag::Field {
            step: step_key.clone(),
            field: field_name.to_string(),
        },
        actor,
        run: Some(run),
        command: Command::SetField {
            step: step_key,
            field: field_name.to_string(),
            raw,
            file_sha256: None,
            reason,
            void_approval,
        },
        seen,
    }]
}

/// A draft's text as the engine is to read it: with the station's
/// `decimal_comma`, a number's one comma is its decimal point.
fn engine_text(state: &State, field_name: &str, editor: &Editor) -> String {
    let raw = editor.raw();
    let is_number = current_step(state)
        .and_then(|s| s.fields.iter().find(|f| f.def.name == field_name))
        .is_some_and(|f| f.def.field_type == FieldType::Number);
    if state.decimal_comma && is_number {
        decimal_point(&raw)
    } else {
        raw
    }
}

/// `45,2` → `45.2`; text with a point already, or several commas, is left
/// for the engine to judge (and refuse with its own sentence).
pub fn decimal_point(raw: &str) -> String {
    if raw.matches(',').count() == 1 && !raw.contains('.') {
        raw.replace(',', ".")
    } else {
        raw.to_string()
    }
}

/// True when `c` can begin a measurement typed (or sent by a gauge) onto
/// the number field under the cursor: the field's editor opens with it.
pub fn starts_measurement(state: &State, c: char) -> bool {
    let is_number = crate::app::step_items::focused_field(state)
        .is_some_and(|f| f.def.field_type == FieldType::Number);
    let not_editing = state.step.as_ref().is_some_and(|s| s.editing.is_none());
    let number_char =
        c.is_ascii_digit() || matches!(c, '-' | '+' | '.') || (c == ',' && state.decimal_comma);
    is_number && not_editing && number_char
}

/// True for what a gauge sends: digits with at most a sign and a decimal
/// point or comma, e.g. `-0.02`, `45,2`.
pub fn is_measurement(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ','))
}

/// Opens the number field under the cursor for a fresh reading (what it
/// held before is replaced, as a gauge's reading replaces the last one).
fn open_for_reading(state: &mut State) -> bool {
    open_focused(state);
    let Some(step) = &mut state.step else {
        return false;
    };
    let Some(field) = step.editing.clone() else {
        return false;
    };
    match step.drafts.get_mut(&field).map(|d| &mut d.editor) {
        Some(Editor::Text(input)) => {
            input.clear();
            true
        }
        _ => false,
    }
}

/// The options of the choice being edited, if one is.
fn editing_choice(state: &State) -> Option<(&Vec<String>, Option<usize>)> {
    let step = state.step.as_ref()?;
    match &step.drafts.get(step.editing.as_ref()?)?.editor {
        Editor::Choice { options, cursor } => Some((options, *cursor)),
        _ => None,
    }
}

fn starts_with_letter(option: &str, letter: char) -> bool {
    option
        .chars()
        .next()
        .is_some_and(|first| first.to_lowercase().eq(letter.to_lowercase()))
}

/// True when `letter` starts one of the options of the choice being edited.
pub fn choice_takes_letter(state: &State, letter: char) -> bool {
    editing_choice(state)
        .is_some_and(|(options, _)| options.iter().any(|o| starts_with_letter(o, letter)))
}

/// The next option after the cursor (from the top when none is picked)
/// that starts with `letter`: repeated presses cycle through them.
fn pick_by_letter(options: &[String], cursor: Option<usize>, letter: char) -> Option<usize> {
    let n = options.len();
    let start = cursor.map_or(0, |c| c + 1);
    (0..n)
        .map(|i| (start + i) % n)
        .find(|&i| starts_with_letter(&options[i], letter))
}

pub fn on_edit(state: &mut State, edit: &Edit) {
    if let Edit::Insert(c) = edit {
        if starts_measurement(state, *c) && !open_for_reading(state) {
            return;
        }
    }
    let on_scan_box = focused_item(state) == Some(StepItem::Scan);
    let Some(step) = &mut state.step else {
        return;
    };
    if let Some(field) = &step.editing {
        match step.drafts.get_mut(field).map(|d| &mut d.editor) {
            Some(Editor::Text(input)) => input.apply(edit),
            Some(Editor::Choice { options, cursor }) => {
                if let Edit::Insert(letter) = edit {
                    if let Some(picked) = pick_by_letter(options, *cursor, *letter) {
                        *cursor = Some(picked);
                    }
                }
            }
            _ => {}
        }
    } else if on_scan_box {
        step.scan.apply(edit);
        step.scan_typing = true;
        step.scan_result = None;
    }
}

fn on_scan_box_action(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Open => {
            let typed = state
                .step
                .as_ref()
                .map(|s| s.scan.value().trim().to_string())
                .unwrap_or_default();
            if typed.is_empty() {
                return Vec::new();
            }
            install(state, &typed, false)
        }
        Action::Back => {
            let Some(step) = &mut state.step else {
                return Vec::new();
            };
            if step.scan.is_empty() {
                step.focus = 0;
            } else {
                step.scan.clear();
            }
            step.scan_typing = false;
            Vec::new()
        }
        Action::NextField => {
            move_focus(state, 1);
            Vec::new()
        }
        Action::PrevField => {
            move_focus(state, -1);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A scanner burst on the step screen: into the field being typed, or a
/// gauge's reading onto the number field under the cursor, or else an install.
pub fn on_scan(state: &mut State, text: String) -> Vec<Effect> {
    if is_measurement(&text) && text.chars().all(|c| starts_measurement(state, c)) {
        open_for_reading(state);
    }
    let editing = state.step.as_ref().and_then(|s| s.editing.clone());
    if let Some(field) = editing {
        let on_number = current_step(state)
            .and_then(|s| s.fields.iter().find(|f| f.def.name == field))
            .is_some_and(|f| f.def.field_type == FieldType::Number);
        if on_number && !is_measurement(&text) {
            // A part's code, not a reading: an editor the burst opened (left
            // empty once its characters were taken back) closes again.
            if let Some(step) = &mut state.step {
                let empty = step
                    .drafts
                    .get(&field)
                    .is_some_and(|d| d.editor.raw().is_empty());
                if empty {
                    step.drafts.remove(&field);
                    step.editing = None;
                }
            }
            return install(state, text.trim(), true);
        }
        let is_text = matches!(
            state.step.as_ref().and_then(|s| s.drafts.get(&field)),
            Some(Draft {
                editor: Editor::Text(_),
                ..
            })
        );
        if is_text {
            if let Some(Draft {
                editor: Editor::Text(input),
                ..
            }) = state.step.as_mut().and_then(|s| s.drafts.get_mut(&field))
            {
                input.insert_str(&text);
            }
            return save_field(state, &field);
        }
    }
    install(state, text.trim(), true)
}

/// Installs what was scanned or typed. Typed text may end in a quantity for
/// a lot (`LOT-7 3`); a scan is taken whole.
fn install(state: &mut State, text: &str, scanned: bool) -> Vec<Effect> {
    let (identifier, quantity) = if scanned {
        (text.to_string(), None)
    } else {
        split_quantity(text)
    };
    if let Some(step) = &mut state.step {
        step.scan.set(text);
    }
    let step_key = key(state);
    step_command(
        state,
        ExecTag::Scan {
            typed: text.to_string(),
        },
        Command::Install {
            step: step_key,
            identifier,
            quantity,
            scanned,
        },
    )
}

/// `LOT-7 3` → (`LOT-7`, Some(3)); `SN-1` → (`SN-1`, None).
fn split_quantity(text: &str) -> (String, Option<i64>) {
    if let Some((ident, qty)) = text.rsplit_once(char::is_whitespace) {
        if let Ok(q) = qty.trim().parse::<i64>() {
            if !ident.trim().is_empty() {
                return (ident.trim().to_string(), Some(q));
            }
        }
    }
    (text.to_string(), None)
}

/// Complete. The engine decides against the current state, not against what
/// this screen last loaded (another terminal may have just signed off), and a
/// refusal lists everything outstanding on screen.
fn complete(state: &mut State) -> Vec<Effect> {
    let step_key = key(state);
    step_command(
        state,
        ExecTag::Complete,
        Command::Complete { step: step_key },
    )
}

fn open_signoff(state: &mut State, meaning: Meaning) {
    match signoff_field(state).map(|f| f.def.clone()) {
        Some(def) => forms::open_signoff(state, &def, meaning),
        None => {
            state.status = Some(Status::error(
                "Move the cursor to a sign-off field first (this step has none, or several).",
            ))
        }
    }
}

fn decide_redline(state: &mut State, action: Action) -> Vec<Effect> {
    let step_key = key(state);
    let proposed = current_run(state).and_then(|run| {
        run.redlines
            .iter()
            .rev()
            .find(|r| r.step == step_key && r.state == RedlineState::Proposed)
            .map(|r| r.id)
    });
    let Some(redline) = proposed else {
        state.status = Some(Status::error(
            "This step has no redline waiting for a decision.",
        ));
        return Vec::new();
    };
    let command = if action == Action::ApproveRedline {
        Command::ApproveRedline { redline }
    } else {
        Command::CancelRedline { redline }
    };
    step_command(state, ExecTag::StepAction, command)
}

/// After a reload, drafts whose save hit a conflict take the new current
/// value as the one seen: the user has now seen it, so Enter saves.
pub fn rebase_drafts(state: &mut State) {
    let Some(step) = current_step(state).cloned() else {
        return;
    };
    let Some(view) = &mut state.step else {
        return;
    };
    for (name, draft) in view.drafts.iter_mut().filter(|(_, d)| d.rebase_on_load) {
        if let Some(field) = step.fields.iter().find(|f| &f.def.name == name) {
            draft.seen_value = current_value_id(field);
            draft.rebase_on_load = false;
        }
    }
    let n = items(state).len();
    if let Some(view) = &mut state.step {
        view.focus = view.focus.min(n.saturating_sub(1));
    }
}
