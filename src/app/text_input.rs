//! A one-line text box: the typed text and a cursor, edited by character
//! (never splitting a UTF-8 sequence). Hand-written because it is a few
//! dozen lines and must also serve masked PINs and scan boxes.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
}

/// Editing keys a text box understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Ctrl-U: clear the box.
    Clear,
}

/// Longest text a box takes: above the domain's 10,000-character limit, so
/// the domain's own message explains the limit.
const MAX_CHARS: usize = 10_001;

impl TextInput {
    pub fn new(value: &str) -> TextInput {
        TextInput {
            value: value.to_string(),
            cursor: value.chars().count(),
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    pub fn set(&mut self, value: &str) {
        *self = TextInput::new(value);
    }

    pub fn clear(&mut self) {
        *self = TextInput::default();
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    pub fn apply(&mut self, edit: &Edit) {
        let len = self.value.chars().count();
        match edit {
            Edit::Insert(c) => {
                if len < MAX_CHARS && !c.is_control() {
                    let at = self.byte_at(self.cursor);
                    self.value.insert(at, *c);
                    self.cursor += 1;
                }
            }
            Edit::Backspace => {
                if self.cursor > 0 {
                    let at = self.byte_at(self.cursor - 1);
                    self.value.remove(at);
                    self.cursor -= 1;
                }
            }
            Edit::Delete => {
                if self.cursor < len {
                    let at = self.byte_at(self.cursor);
                    self.value.remove(at);
                }
            }
            Edit::Left => self.cursor = self.cursor.saturating_sub(1),
            Edit::Right => self.cursor = (self.cursor + 1).min(len),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = len,
            Edit::Clear => self.clear(),
        }
    }

    pub fn insert_str(&mut self, text: &str) {
        for c in text.chars() {
            self.apply(&Edit::Insert(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_character() {
        let mut t = TextInput::new("2é");
        t.apply(&Edit::Left);
        t.apply(&Edit::Insert('5'));
        assert_eq!(t.value(), "25é");
        t.apply(&Edit::End);
        t.apply(&Edit::Backspace);
        assert_eq!(t.value(), "25");
        t.apply(&Edit::Home);
        t.apply(&Edit::Delete);
        assert_eq!(t.value(), "5");
        assert_eq!(t.cursor(), 0);
    }
}
