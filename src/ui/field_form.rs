//! One field of a step as lines: name, value or editor, unit, rule and the
//! verdict, judged as the user types (the domain's `parse_value` and
//! `verdict` on the draft). Colour never alone: ✓ ✗ and words go with it.

use super::sanitize::clean;
use super::theme::Theme;
use super::time_text::Zone;
use super::wrap::wrap_indented;
use crate::app::state::{Draft, Editor};
use crate::domain::{
    current_value, parse_value, rule_text, signoff_status, value_text, verdict, Field, FieldType,
    Meaning, RunStep, SignoffStatus, Value, Verdict,
};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// A one-line text box `width` cells wide, scrolled so the cursor shows.
/// The cursor is drawn as a reversed cell (so snapshots show it too).
pub fn text_box(
    value: &str,
    cursor: usize,
    focused: bool,
    masked: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let chars: Vec<char> = if masked {
        value.chars().map(|_| '•').collect()
    } else {
        clean(value).chars().collect()
    };
    let width = width.max(4);
    let start = if focused && cursor >= width {
        cursor + 1 - width
    } else {
        0
    };
    let visible: Vec<char> = chars.iter().skip(start).take(width).copied().collect();
    let mut spans = vec![Span::styled("[", theme.dim)];
    if focused {
        let at = cursor.saturating_sub(start).min(visible.len());
        let before: String = visible[..at].iter().collect();
        let under: String = visible.get(at).map(|c| c.to_string()).unwrap_or(" ".into());
        let after: String = visible.iter().skip(at + 1).collect();
        let used = cells(&before) + cells(&under) + cells(&after);
        spans.push(Span::styled(before, theme.input));
        spans.push(Span::styled(
            under,
            theme.input.add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::styled(
            format!("{after}{}", " ".repeat(width.saturating_sub(used))),
            theme.input,
        ));
    } else {
        let text: String = visible.iter().collect();
        let pad = width.saturating_sub(cells(&text));
        spans.push(Span::styled(
            format!("{text}{}", " ".repeat(pad)),
            theme.input,
        ));
    }
    spans.push(Span::styled("]", theme.dim));
    spans
}

/// ✓/✗ and words for a number's verdict.
fn verdict_span(v: Verdict, theme: &Theme) -> Span<'static> {
    match v {
        Verdict::InRange => Span::styled("✓ in range", theme.good),
        Verdict::OutOfRange => Span::styled("✗ out of range", theme.bad),
        Verdict::NoRule => Span::styled("no rule", theme.dim),
    }
}

/// What the draft says right now: its verdict, or why it does not parse.
/// Empty drafts are dim ("empty"), never green or red.
fn draft_judgement(field: &Field, raw: &str, theme: &Theme) -> (Span<'static>, Option<String>) {
    if raw.trim().is_empty() {
        // A correction starts from an empty box: say what it replaces.
        let shown = match current_value(field) {
            Some(saved) => format!(
                "replaces {}{}",
                clean(&value_text(&saved.value)),
                field
                    .def
                    .unit
                    .as_deref()
                    .map(|u| format!(" {}", clean(u)))
                    .unwrap_or_default()
            ),
            None => "empty".to_string(),
        };
        return (Span::styled(shown, theme.dim), None);
    }
    match field.def.field_type {
        FieldType::File => (Span::styled("file path", theme.dim), None),
        _ => match parse_value(&field.def, raw) {
            Ok(Value::Number(n)) => (verdict_span(verdict(&field.def, n), theme), None),
            Ok(Value::PassFail(true)) => (Span::styled("✓ pass", theme.good), None),
            Ok(Value::PassFail(false)) => (Span::styled("✗ fail", theme.bad), None),
            Ok(_) => (Span::styled("✓ ok", theme.good), None),
            Err(why) => (Span::styled("✗ not valid", theme.bad), Some(why)),
        },
    }
}

/// The saved value's judgement, under the field's current rule.
fn saved_judgement(field: &Field, theme: &Theme) -> Span<'static> {
    let Some(value) = current_value(field) else {
        return Span::styled(
            if field.def.required {
                "empty · required"
            } else {
                "empty"
            },
            theme.dim,
        );
    };
    let deviation = field.deviations.iter().find(|d| d.value_id == value.id);
    let base = match &value.value {
        Value::Number(n) => verdict(&field.def, *n),
        Value::PassFail(true) => Verdict::InRange,
        Value::PassFail(false) => Verdict::OutOfRange,
        _ => return Span::styled("✓ saved", theme.good),
    };
    match (base, deviation) {
        (Verdict::OutOfRange, Some(d)) => {
            Span::styled(format!("✗ deviation accepted (#{})", d.issue), theme.warn)
        }
        (Verdict::OutOfRange, None) if value.value == Value::PassFail(false) => {
            Span::styled("✗ fail", theme.bad)
        }
        (v, _) if value.value == Value::PassFail(true) && v == Verdict::InRange => {
            Span::styled("✓ pass", theme.good)
        }
        (v, _) => verdict_span(v, theme),
    }
}

fn unit_of(field: &Field) -> String {
    field
        .def
        .unit
        .as_deref()
        .map(|u| clean(u).into_owned())
        .unwrap_or_default()
}

/// Values as a one-line sparkline of block characters, lowest to highest.
pub fn sparkline_text(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| {
            if hi > lo {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            } else {
                BARS[3]
            }
        })
        .collect()
}

/// Under a focused number field: other runs' recent values as a
/// sparkline, and, while a number is typed, the Western Electric rules it
/// would break — before it is saved.
fn trend_lines(trend: &[f64], typed: Option<f64>, theme: &Theme) -> Vec<Line<'static>> {
    if trend.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::from(vec![
        Span::styled("    trend ", theme.dim),
        Span::styled(sparkline_text(trend), theme.active),
        Span::styled(format!(" last {} runs", trend.len()), theme.dim),
    ])];
    if let Some(x) = typed {
        for warning in crate::analytics::spc::entry_warnings(trend, x) {
            out.push(Line::styled(
                format!("    ⚠ would be {warning}"),
                theme.warn,
            ));
        }
    }
    out
}

/// The lines of one field. `focused`: the cursor is on it; `editing`: its
/// editor is open; `trend`: other runs' recent values of it (numbers).
#[allow(clippy::too_many_arguments)]
pub fn field_lines(
    step: &RunStep,
    field: &Field,
    draft: Option<&Draft>,
    focused: bool,
    editing: bool,
    trend: &[f64],
    zone: &Zone,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    // As wide as the step's longest field name (so none is cut), up to a third of the screen.
    let longest = step
        .fields
        .iter()
        .map(|f| cells(&clean(&f.def.name)) + 2)
        .max()
        .unwrap_or(12);
    let name_width = longest.clamp(12, (usize::from(width) / 3).max(12));
    let marker = if focused { "▸ " } else { "  " };
    let name_style = if focused { theme.selected } else { theme.text };
    let mut name = clean(&field.def.name).into_owned();
    if field.def.required {
        name.push_str(" *");
    }
    let name = truncate_pad(&name, name_width);
    let mut first = vec![
        Span::styled(marker, theme.heading),
        Span::styled(name, name_style),
        Span::raw(" "),
    ];
    if field.def.field_type == FieldType::Signoff {
        let (spans, below) = signoff_lines(step, field, zone, theme, width);
        // The state (`! void: a value changed; sign again`) goes under the
        // row when the row has no room for it whole.
        let mut under = Vec::new();
        for span in spans {
            let used: usize = first.iter().map(|s| cells(&s.content)).sum();
            if under.is_empty() && used + cells(&span.content) <= usize::from(width) {
                first.push(span);
            } else {
                under.push(Line::from(vec![Span::raw("    "), span]));
            }
        }
        return std::iter::once(Line::from(first))
            .chain(under)
            .chain(below)
            .collect();
    }
    let mut extra: Vec<Line<'static>> = Vec::new();
    let box_width = 14usize;
    let rule = rule_text(&field.def);
    match (editing, draft) {
        (true, Some(draft)) => match &draft.editor {
            Editor::Text(input) => {
                let w = if field.def.field_type == FieldType::Number {
                    box_width
                } else {
                    usize::from(width)
                        .saturating_sub(name_width + 24)
                        .clamp(10, 60)
                };
                first.extend(text_box(
                    input.value(),
                    input.cursor(),
                    true,
                    false,
                    w,
                    theme,
                ));
                let (judgement, why) = draft_judgement(field, input.value(), theme);
                // The verdict sits by the value; the rule follows, and is
                // what a narrow screen cuts.
                push_unit(&mut first, field);
                first.push(Span::raw("  "));
                first.push(judgement);
                place_rule(&mut first, &mut extra, &rule, width, theme);
                if let Some(why) = why {
                    let room = usize::from(width).saturating_sub(5).max(20);
                    for part in super::step_view::wrap(&why, room) {
                        extra.push(Line::styled(format!("    {part}"), theme.bad));
                    }
                }
                if field.def.field_type == FieldType::Date {
                    extra.push(Line::styled("    YYYY-MM-DD", theme.dim));
                }
                if field.def.field_type == FieldType::Number {
                    let typed = match parse_value(&field.def, input.value()) {
                        Ok(Value::Number(n)) => Some(n),
                        _ => None,
                    };
                    extra.extend(trend_lines(trend, typed, theme));
                }
            }
            Editor::Choice { options, cursor } => {
                for (i, option) in options.iter().enumerate() {
                    let picked = *cursor == Some(i);
                    let text = format!("{} {}", if picked { "(•)" } else { "( )" }, clean(option));
                    first.push(Span::styled(
                        text,
                        if picked { theme.selected } else { theme.text },
                    ));
                    first.push(Span::raw("  "));
                }
                match cursor.and_then(|c| options.get(c)) {
                    Some(raw) => first.push(draft_judgement(field, raw, theme).0),
                    None => first.push(Span::styled("choose with ↑/↓ or Space", theme.dim)),
                }
            }
            Editor::Multi {
                options,
                cursor,
                ticked,
            } => {
                first.push(Span::styled("tick with Space, save with Enter", theme.dim));
                for (i, option) in options.iter().enumerate() {
                    let mark = if ticked.get(i).copied().unwrap_or(false) {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    let style = if i == *cursor {
                        theme.selected
                    } else {
                        theme.text
                    };
                    extra.push(Line::from(vec![
                        Span::raw("    "),
                        Span::styled(format!("{mark} {}", clean(option)), style),
                    ]));
                }
            }
        },
        _ => {
            let saved = current_value(field);
            let text = match (draft, saved) {
                (Some(d), _) => format!("{} (draft, not saved)", clean(&d.editor.raw())),
                (None, Some(v)) => shown_value(&v.value),
                (None, None) => "—".to_string(),
            };
            let style = if draft.is_some() {
                theme.warn
            } else if saved.is_some() {
                theme.text
            } else {
                theme.dim
            };
            first.push(Span::styled(text, style));
            push_unit(&mut first, field);
            first.push(Span::raw("  "));
            first.push(match draft {
                Some(d) => draft_judgement(field, &d.editor.raw(), theme).0,
                None => saved_judgement(field, theme),
            });
            place_rule(&mut first, &mut extra, &rule, width, theme);
            if focused {
                if let Some(v) = saved {
                    let mut who =
                        format!("    saved by {} at {}", clean(&v.by), zone.date_time(v.at));
                    match field.value_count().saturating_sub(1) {
                        0 => {}
                        1 => who.push_str(" · 1 earlier value kept"),
                        n => who.push_str(&format!(" · {n} earlier values kept")),
                    }
                    if let Some(reason) = &v.reason {
                        who.push_str(&format!(" · reason: {}", clean(reason)));
                    }
                    for row in wrap_indented(&who, usize::from(width), 6) {
                        extra.push(Line::styled(row, theme.dim));
                    }
                }
                if field.def.field_type == FieldType::Number {
                    extra.extend(trend_lines(trend, None, theme));
                }
            }
        }
    }
    std::iter::once(Line::from(first)).chain(extra).collect()
}

fn push_unit(spans: &mut Vec<Span<'static>>, field: &Field) {
    let unit = unit_of(field);
    if !unit.is_empty() {
        spans.push(Span::raw(format!(" {unit}")));
    }
}

/// The rule after the verdict, or on a line of its own under the field when
/// the row has no room for all of it (the limits are never cut).
fn place_rule(
    first: &mut Vec<Span<'static>>,
    extra: &mut Vec<Line<'static>>,
    rule: &str,
    width: u16,
    theme: &Theme,
) {
    if rule.is_empty() {
        return;
    }
    let text = format!("  rule {}", clean(rule));
    let used: usize = first.iter().map(|s| cells(&s.content)).sum();
    if used + cells(&text) <= usize::from(width) {
        first.push(Span::styled(text, theme.dim));
    } else {
        extra.push(Line::styled(format!("  {text}"), theme.dim));
    }
}

/// A saved value as text; files show a short hash.
fn shown_value(value: &Value) -> String {
    match value {
        Value::File { path, sha256 } => format!(
            "{} (sha256 {}…)",
            clean(path),
            sha256.chars().take(12).collect::<String>()
        ),
        other => clean(&value_text(other)).into_owned(),
    }
}

/// A sign-off: the role it expects and its state on the first line; the
/// last signature (printed name, date and time, meaning, comment) below.
fn signoff_lines(
    step: &RunStep,
    field: &Field,
    zone: &Zone,
    theme: &Theme,
    width: u16,
) -> (Vec<Span<'static>>, Vec<Line<'static>>) {
    let role = clean(field.def.role.as_deref().unwrap_or("?")).into_owned();
    let mut spans = vec![Span::styled(
        format!("expecting approval by: {role}  "),
        theme.text,
    )];
    spans.push(match signoff_status(step, field) {
        SignoffStatus::Approved => Span::styled("✓ approved", theme.good),
        SignoffStatus::Rejected => Span::styled("✗ rejected", theme.bad),
        SignoffStatus::Void => Span::styled("! void: a value changed; sign again", theme.warn),
        SignoffStatus::Pending => Span::styled("… waiting", theme.warn),
    });
    let mut below = Vec::new();
    if let Some(s) = field.signatures.last() {
        let meaning = match s.meaning {
            Meaning::Approved => "approved",
            Meaning::Rejected => "rejected",
        };
        let mut text = format!(
            "    signed by {} ({}), {}, meaning {meaning}",
            clean(&s.name),
            clean(&s.by),
            zone.date_time(s.at)
        );
        if let Some(c) = &s.comment {
            text.push_str(&format!(": {}", clean(c)));
        }
        for row in wrap_indented(&text, usize::from(width), 6) {
            below.push(Line::styled(row, theme.dim));
        }
    }
    (spans, below)
}

/// Display width of text in terminal cells (ratatui's own measure).
pub fn cells(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text` cut (with …) or padded to exactly `width` cells.
pub fn truncate_pad(text: &str, width: usize) -> String {
    let total = cells(text);
    if total <= width {
        return format!("{text}{}", " ".repeat(width - total));
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let w = cells(c.encode_utf8(&mut buf));
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// Styles for a step state, with its glyph (never colour alone).
pub fn step_glyph(state: crate::domain::StepState, theme: &Theme) -> (&'static str, Style) {
    use crate::domain::StepState as S;
    match state {
        S::Todo => ("○", theme.dim),
        S::InProgress => ("◐", theme.active),
        S::OnHold => ("‖", theme.warn),
        S::Redline => ("✎", theme.warn),
        S::Failed => ("✗", theme.bad),
        S::Complete => ("✓", theme.good),
        S::Skipped => ("–", theme.dim),
    }
}
