//! Keys to actions. Defaults are a TOML table compiled into the binary
//! (`default_keys.toml`); config.toml's `[keys]` replaces the keys of the
//! actions it names. A key bound to two actions on one screen is an error
//! that names both.

use super::action::{Action, Context};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;

const DEFAULT_KEYS: &str = include_str!("default_keys.toml");

/// One key with its modifiers, as written in config: `q`, `G`, `ctrl-c`,
/// `enter`, `esc`, `tab`, `backtab`, `up`, `pagedown`, `space`, `f1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyBinding {
    /// The binding a pressed key matches: Shift is folded into the character
    /// (`G`, `?`), so only Ctrl and Alt count as modifiers for characters.
    pub fn from_event(key: &KeyEvent) -> KeyBinding {
        let mut modifiers = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match key.code {
            KeyCode::BackTab => KeyCode::BackTab,
            KeyCode::Char(c) => KeyCode::Char(c),
            other => {
                modifiers |= key.modifiers & KeyModifiers::SHIFT;
                other
            }
        };
        KeyBinding { code, modifiers }
    }

    pub fn parse(text: &str) -> Result<KeyBinding, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                if r == "tab" {
                    return Ok(KeyBinding {
                        code: KeyCode::BackTab,
                        modifiers,
                    });
                }
                modifiers |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if modifiers.contains(KeyModifiers::SHIFT) {
                    modifiers.remove(KeyModifiers::SHIFT);
                    KeyCode::Char(c.to_ascii_uppercase())
                } else if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                    _ => return Err(unknown_key(text)),
                },
                _ => return Err(unknown_key(text)),
            },
        };
        Ok(KeyBinding { code, modifiers })
    }

    /// How the key is written on screen (footer, help).
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("Space"),
            KeyCode::Char(c) => out.push(c),
            KeyCode::Enter => out.push_str("Enter"),
            KeyCode::Esc => out.push_str("Esc"),
            KeyCode::Tab => out.push_str("Tab"),
            KeyCode::BackTab => out.push_str("Shift-Tab"),
            KeyCode::Backspace => out.push_str("Backspace"),
            KeyCode::Delete => out.push_str("Del"),
            KeyCode::Insert => out.push_str("Ins"),
            KeyCode::Up => out.push('↑'),
            KeyCode::Down => out.push('↓'),
            KeyCode::Left => out.push('←'),
            KeyCode::Right => out.push('→'),
            KeyCode::Home => out.push_str("Home"),
            KeyCode::End => out.push_str("End"),
            KeyCode::PageUp => out.push_str("PgUp"),
            KeyCode::PageDown => out.push_str("PgDn"),
            KeyCode::F(n) => out.push_str(&format!("F{n}")),
            _ => out.push('?'),
        }
        out
    }

    /// A plain character with no Ctrl or Alt: text in a text box.
    pub fn is_plain_char(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
}

fn unknown_key(text: &str) -> String {
    format!(
        "'{text}' is not a key traveler knows; write a character (q, G, ?), a name (enter, esc, tab, backtab, space, up, down, left, right, home, end, pageup, pagedown, backspace, delete, f1..f12), optionally after ctrl- or alt-"
    )
}

/// One action's keys as config writes them: a single key or a list.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<KeyBinding>>,
}

impl Keymap {
    /// The built-in keys.
    pub fn defaults() -> Keymap {
        // The defaults are part of the binary and tested; a failure here is a
        // build mistake, so fall back to an empty table rather than panic.
        Keymap::with_overrides(&BTreeMap::new()).unwrap_or(Keymap {
            bindings: BTreeMap::new(),
        })
    }

    /// The built-in keys with `overrides` (from config) replacing the keys of
    /// the actions they name. Errors are sentences naming the action and key.
    pub fn with_overrides(overrides: &BTreeMap<Action, KeyList>) -> Result<Keymap, String> {
        let defaults: BTreeMap<Action, KeyList> = toml::from_str(DEFAULT_KEYS)
            .map_err(|e| format!("The built-in key table does not parse: {}", e.message()))?;
        let mut bindings = BTreeMap::new();
        for (action, keys) in defaults.iter().chain(overrides.iter()) {
            let mut parsed = Vec::new();
            for key in keys.keys() {
                let binding = KeyBinding::parse(key)
                    .map_err(|e| format!("In [keys], {} = {key:?}: {e}.", action.config_name()))?;
                parsed.push(binding);
            }
            bindings.insert(*action, parsed);
        }
        let map = Keymap { bindings };
        map.check_conflicts()?;
        Ok(map)
    }

    fn check_conflicts(&self) -> Result<(), String> {
        for context in Context::ALL {
            let mut seen: BTreeMap<String, Action> = BTreeMap::new();
            for action in Action::ALL {
                if !action.applies_in(context) {
                    continue;
                }
                for key in self.keys(action) {
                    if context.takes_text() && key.is_plain_char() {
                        continue;
                    }
                    if let Some(other) = seen.insert(key.label(), action) {
                        if other != action {
                            return Err(format!(
                                "In [keys], the key '{}' is bound to both {} and {} on the {}; give one of them another key.",
                                key.label(),
                                other.config_name(),
                                action.config_name(),
                                context.name()
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    pub fn keys(&self, action: Action) -> &[KeyBinding] {
        self.bindings.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first key of an action, as shown in the footer ("" when unbound).
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(KeyBinding::label)
            .unwrap_or_default()
    }

    /// The first key of an action that works in this context: in text
    /// boxes a plain character is text, so its other key is shown (F1, Ctrl-c).
    pub fn label_in(&self, action: Action, context: Context) -> String {
        self.keys(action)
            .iter()
            .find(|k| !(context.takes_text() && k.is_plain_char()))
            .map(KeyBinding::label)
            .unwrap_or_default()
    }

    /// Every key of an action that works in this context, for the help screen.
    pub fn labels(&self, action: Action, context: Context) -> String {
        self.keys(action)
            .iter()
            .filter(|k| !(context.takes_text() && k.is_plain_char()))
            .map(KeyBinding::label)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The action a key means in a context. In text boxes, plain characters
    /// are text and never actions.
    pub fn action_for(&self, context: Context, key: &KeyBinding) -> Option<Action> {
        if context.takes_text() && key.is_plain_char() {
            return None;
        }
        Action::ALL
            .into_iter()
            .filter(|a| a.applies_in(context))
            .find(|a| self.keys(*a).contains(key))
    }
}
