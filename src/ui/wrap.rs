//! How many rows a text takes when a `Paragraph` word-wraps it, so a box or
//! the status line can be made tall enough to show every word.

use ratatui::text::Span;

/// Rows `text` needs at `width` columns, wrapping at spaces as ratatui's
/// word wrap does (a word longer than the row is broken); at least 1.
pub fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let mut rows = 1;
    let mut used = 0;
    for word in text.split(' ') {
        let w = Span::raw(word).width();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else if w <= width {
            rows += 1;
            used = w;
        } else {
            // Broken across rows: what is left of it starts the last one.
            if used > 0 {
                rows += 1;
            }
            rows += (w - 1) / width;
            used = w - (w - 1) / width * width;
        }
    }
    rows
}

/// `text` word-wrapped into rows of at most `width` columns, every row after
/// the first indented by `indent` spaces (for a dim detail line under a
/// field); a word longer than a row is kept whole on its own row.
pub fn wrap_indented(text: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(indent + 8);
    let body = text.trim_start_matches(' ');
    let lead = &text[..text.len() - body.len()];
    let mut rows: Vec<String> = vec![lead.to_string()];
    for word in body.split(' ') {
        let Some(row) = rows.last_mut() else {
            break;
        };
        let used = Span::raw(row.as_str()).width();
        let w = Span::raw(word).width();
        let fresh = row.trim().is_empty();
        if fresh || used + 1 + w <= width {
            if !row.is_empty() && !row.ends_with(' ') {
                row.push(' ');
            }
            row.push_str(word);
        } else {
            rows.push(format!("{}{word}", " ".repeat(indent)));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_word_wrapped_rows() {
        assert_eq!(wrapped_rows("", 10), 1);
        assert_eq!(wrapped_rows("one two", 7), 1);
        assert_eq!(wrapped_rows("one two", 6), 2);
        // Char counting says 2 rows (19 / 10); words need 3.
        assert_eq!(wrapped_rows("aaaaaaa bbbbbbb ccc", 10), 3);
        assert_eq!(wrapped_rows("aaaaaaaaaaaaaaaaaaaaa", 10), 3);
    }

    #[test]
    fn wraps_with_an_indent_and_loses_no_word() {
        let rows = wrap_indented(
            "    saved by op1 at 14:50 · reason: re-measured deep",
            24,
            6,
        );
        assert!(rows.iter().all(|r| r.chars().count() <= 24), "{rows:?}");
        assert!(rows[0].starts_with("    saved"), "{rows:?}");
        assert!(rows[1].starts_with("      "), "{rows:?}");
        let words: Vec<&str> = rows.iter().flat_map(|r| r.split_whitespace()).collect();
        assert_eq!(
            words.join(" "),
            "saved by op1 at 14:50 · reason: re-measured deep"
        );
    }
}
