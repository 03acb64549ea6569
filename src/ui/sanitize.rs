//! Text from the database or a scanner is drawn only after this: control
//! characters, escape sequences and bidirectional overrides could otherwise
//! move the cursor, recolour the screen or reorder what a signer reads.
//! Which characters are unsafe is the domain's one rule
//! ([`crate::domain::is_unsafe_to_print`]), shared with the command line's
//! escaping ([`crate::domain::escape_unprintable`]).

use crate::domain::is_unsafe_to_print as is_unsafe;
use std::borrow::Cow;

/// One line of text: every control character (newlines and tabs included)
/// becomes a space, other invisible or reordering characters become `�`.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Several lines (instructions, comments): newlines kept, each line cleaned.
pub fn clean_lines(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split('\n')
        .map(|line| clean(&line.replace('\t', "    ")).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(clean("ok\u{1b}[31mred"), "ok\u{FFFD}[31mred");
        assert_eq!(clean("a\nb"), "a b");
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("x\u{202E}y"), "x\u{FFFD}y");
        assert_eq!(clean_lines("one\r\ntwo\u{7}"), vec!["one", "two\u{FFFD}"]);
        assert_eq!(clean("a\u{2060}b\u{61C}c"), "a\u{FFFD}b\u{FFFD}c");
    }
}
