//! Text from the database or a scanner is drawn only after this: control
//! characters, escape sequences and bidirectional overrides could otherwise
//! move the cursor, recolour the screen or reorder what a signer reads.
//! Which characters are unsafe is the domain's one rule
//! ([`crate::domain::is_unsafe_to_print`]), shared with the command line's
//! escaping ([`crate::domain::escape_unprintable`]).

use std::borrow::Cow;

/// One line of text: every character that could move the cursor, start a
/// line, recolour or reorder is shown as its escape (`\n`, `\u{1b}`,
/// `\u{202e}`), the same as the command line and the printed record show it,
/// so a screen, a printout and a script read one text the same way.
pub fn clean(text: &str) -> Cow<'_, str> {
    crate::domain::escape_unprintable(text)
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
        assert_eq!(clean("ok\u{1b}[31mred"), "ok\\u{1b}[31mred");
        assert_eq!(clean("a\nb"), "a\\nb");
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(clean_lines("one\r\ntwo\u{7}"), vec!["one", "two\\u{7}"]);
        assert_eq!(clean("a\u{2060}b\u{61C}c"), "a\\u{2060}b\\u{61c}c");
    }
}
