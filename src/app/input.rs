//! A key press → a message, given where the keyboard is. In text boxes
//! plain characters and editing keys edit; everything else goes through the
//! keymap. Only presses are handled (not releases or repeats' releases).

use super::action::Context;
use super::keymap::{KeyBinding, Keymap};
use super::msg::Msg;
use super::state::State;
use super::text_input::Edit;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub fn route(state: &State, keymap: &Keymap, key: &KeyEvent) -> Option<Msg> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let context = state.context();
    let binding = KeyBinding::from_event(key);
    if let Some(c) = typed_char(key) {
        let bound = keymap.action_for(context, &binding).is_some();
        if takes_unbound_char(state, context, bound, c) {
            return Some(Msg::Edit(Edit::Insert(c)));
        }
    }
    if context.takes_text() {
        if let Some(edit) = edit_for(key) {
            return Some(Msg::Edit(edit));
        }
    }
    keymap.action_for(context, &binding).map(Msg::Action)
}

/// A plain character (no Ctrl or Alt).
fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Where a character is typed although the screen is not a text box.
fn takes_unbound_char(state: &State, context: Context, bound: bool, c: char) -> bool {
    match context {
        // In a choice editor a letter that starts an option picks it (p/f,
        // y/n, the first letters of the options); other keys keep their binding.
        Context::StepChoice => super::update::choice_takes_letter(state, c),
        // A digit, sign or decimal point on a number field under the cursor
        // starts typing its value (a gauge types so, then Enter). On the scan
        // box before typing starts, a step command key does its command and
        // any other character starts the serial.
        Context::Step if !bound => {
            super::update::starts_measurement(state, c)
                || state
                    .step
                    .as_ref()
                    .is_some_and(|s| s.editing.is_none() && s.focus_is_scan(state))
        }
        // On the board a character that is no board command starts the
        // serial search with itself, as if `/` had been pressed first.
        Context::Board if !bound => !c.is_whitespace(),
        _ => false,
    }
}

fn edit_for(key: &KeyEvent) -> Option<Edit> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('u') if ctrl => Some(Edit::Clear),
        KeyCode::Char('a') if ctrl => Some(Edit::Home),
        KeyCode::Char('e') if ctrl => Some(Edit::End),
        KeyCode::Char(c) if !ctrl && !alt => Some(Edit::Insert(c)),
        KeyCode::Backspace => Some(Edit::Backspace),
        KeyCode::Delete => Some(Edit::Delete),
        KeyCode::Left => Some(Edit::Left),
        KeyCode::Right => Some(Edit::Right),
        KeyCode::Home => Some(Edit::Home),
        KeyCode::End => Some(Edit::End),
        _ => None,
    }
}
