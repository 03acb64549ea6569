//! Raw input → typed values, measurement verdicts, the human text of a rule,
//! and the sanity checks on field and step definitions (procedure import and
//! redlines share them).

use super::model::*;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Longest text a field, comment or reason may hold (in characters).
pub const MAX_TEXT: usize = 10_000;

/// Relative allowance so that decimal bounds typed by people stay inclusive
/// after binary rounding (24.95 is within 25.00 ± 0.05).
fn slack(scale: f64) -> f64 {
    1e-9 * (1.0 + scale.abs())
}

/// The verdict of a number against a field's validation: every bound given
/// (`min`, `max`, `target ± tolerance`) must hold, all inclusive. A target
/// without a tolerance means exactly the target. No bound at all: `NoRule`.
pub fn verdict(def: &FieldDef, value: f64) -> Verdict {
    let v = &def.validation;
    if v.min.is_none() && v.max.is_none() && v.target.is_none() {
        return Verdict::NoRule;
    }
    if !value.is_finite() {
        return Verdict::OutOfRange;
    }
    let mut ok = true;
    if let Some(min) = v.min {
        ok &= value >= min - slack(min);
    }
    if let Some(max) = v.max {
        ok &= value <= max + slack(max);
    }
    if let Some(target) = v.target {
        let tol = v.tolerance.unwrap_or(0.0).abs();
        let s = slack(target.abs() + tol);
        ok &= value >= target - tol - s && value <= target + tol + s;
    }
    if ok {
        Verdict::InRange
    } else {
        Verdict::OutOfRange
    }
}

/// The verdict stored with a saved value. Numbers are judged by their rule;
/// a pass/fail field is `in_range` on pass and `out_of_range` on fail (SPEC
/// silent: it lets screens colour both the same way); other types `no_rule`.
pub fn value_verdict(def: &FieldDef, value: &Value) -> Verdict {
    match value {
        Value::Number(n) => verdict(def, *n),
        Value::PassFail(true) => Verdict::InRange,
        Value::PassFail(false) => Verdict::OutOfRange,
        _ => Verdict::NoRule,
    }
}

/// True when a saved value blocks completion unless a deviation accepts it:
/// a number out of range under the field's *current* rule (a redline may have
/// changed it), or a pass/fail set to fail.
pub fn value_needs_deviation(def: &FieldDef, value: &Value) -> bool {
    match value {
        Value::Number(n) => verdict(def, *n) == Verdict::OutOfRange,
        Value::PassFail(pass) => !pass,
        _ => false,
    }
}

/// Decimal places a typed number shows (`0.05` → 2, `10` → 0).
fn decimals(x: f64) -> usize {
    let text = format!("{x}");
    text.split_once('.').map(|(_, d)| d.len()).unwrap_or(0)
}

fn with_unit(text: String, unit: &Option<String>) -> String {
    match unit.as_deref().map(str::trim) {
        Some(u) if !u.is_empty() => format!("{text} {u}"),
        _ => text,
    }
}

/// The rule a number must meet, as a person reads it: `25.00 ± 0.05 mm`,
/// `≥ 10 N·m`, `≤ 5 mm`, `10 – 12 V`, `= 3`. Empty when there is no rule.
pub fn rule_text(def: &FieldDef) -> String {
    let v = &def.validation;
    let mut parts = Vec::new();
    if let Some(target) = v.target {
        match v.tolerance {
            Some(tol) => {
                // The limits too, so nobody does the arithmetic at the bench.
                let d = decimals(target).max(decimals(tol));
                let (low, high) = (target - tol, target + tol);
                parts.push(with_unit(
                    format!("{target:.d$} ± {tol:.d$} → {low:.d$}–{high:.d$}"),
                    &def.unit,
                ));
            }
            None => parts.push(with_unit(format!("= {target}"), &def.unit)),
        }
    }
    match (v.min, v.max) {
        (Some(min), Some(max)) => parts.push(with_unit(format!("{min} – {max}"), &def.unit)),
        (Some(min), None) => parts.push(with_unit(format!("≥ {min}"), &def.unit)),
        (None, Some(max)) => parts.push(with_unit(format!("≤ {max}"), &def.unit)),
        (None, None) => {}
    }
    parts.join("; ")
}

/// Bidirectional controls and invisible characters: they reorder or hide
/// what a reader sees (a serial that prints the same as another, a signer
/// reading a reversed sentence). Identifiers refuse them; every printed text
/// shows them escaped.
pub fn is_reordering_or_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A character that must never reach a terminal as it is: a control
/// character (newline and tab included) or a reordering/invisible one.
pub fn is_unsafe_to_print(c: char) -> bool {
    c.is_control() || is_reordering_or_invisible(c)
}

/// A character as a visible escape: `\n`, `\r`, `\t`, else `\u{1b}`.
pub fn visible_escape(c: char) -> String {
    match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        c => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

/// Text with every character [`is_unsafe_to_print`] shown as a visible
/// escape (`a\nb` prints as `a\\nb`), so stored text can neither forge a
/// printed line nor steer a terminal. The one escaping function of every
/// text printout (the command line, refusal sentences); JSON needs none.
pub fn escape_unprintable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_to_print) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if is_unsafe_to_print(c) {
                    visible_escape(c)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// The character named for a refusal: "a carriage return (\r)".
fn char_name(c: char) -> String {
    let what = match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{1b}' => "an escape character",
        '\u{7}' => "a bell character",
        '\0' => "a NUL character",
        c if c.is_control() => "a control character",
        c if is_reordering_or_invisible(c) => "an invisible or text-reordering character",
        _ => "a character",
    };
    format!("{what} ({})", visible_escape(c))
}

/// Where text may go: how much of the troublesome set it tolerates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextKind {
    /// Reasons, comments, descriptions, instructions: line breaks and tabs allowed.
    MultiLine,
    /// Titles and names: one line, no control character at all.
    OneLine,
    /// Identifiers (serials, lots, logins, part numbers, keys, field names):
    /// one line, and nothing invisible or reordering either.
    Identifier,
}

/// The first character `kind` refuses, if any.
fn first_refused(text: &str, kind: TextKind) -> Option<char> {
    text.chars().find(|&c| match kind {
        TextKind::MultiLine => c.is_control() && c != '\n' && c != '\t',
        TextKind::OneLine => c.is_control(),
        TextKind::Identifier => is_unsafe_to_print(c),
    })
}

fn refused_char_sentence(what: &str, c: char, kind: TextKind) -> String {
    let allowed = match kind {
        TextKind::MultiLine => "only line breaks and tabs may be used besides printable text",
        TextKind::OneLine => "it must be one line of printable text",
        TextKind::Identifier => {
            "an identifier must be printable text without invisible or reordering characters"
        }
    };
    format!("{what} contains {}; {allowed}.", char_name(c))
}

/// Checks free text typed by a person (reasons, comments, descriptions,
/// rationales): not blank, at most 10,000 characters, no control characters
/// except line breaks and tabs (a carriage return could overwrite a printed
/// line, ESC could recolour a terminal). `what` names the thing in the
/// sentence ("A reason").
pub fn check_free_text(what: &str, text: &str) -> Result<(), String> {
    check_text(what, text, TextKind::MultiLine)
}

/// Checks a one-line text (a run or issue title, a step title): like
/// [`check_free_text`], but a line break or tab is refused too.
pub fn check_line_text(what: &str, text: &str) -> Result<(), String> {
    check_text(what, text, TextKind::OneLine)
}

fn check_text(what: &str, text: &str, kind: TextKind) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is required."));
    }
    let n = text.chars().count();
    if n > MAX_TEXT {
        return Err(format!(
            "{what} is {n} characters long; the limit is 10,000."
        ));
    }
    match first_refused(text, kind) {
        Some(c) => Err(refused_char_sentence(what, c, kind)),
        None => Ok(()),
    }
}

/// Checks a step's instructions: may be empty, at most 10,000 characters,
/// line breaks and tabs allowed, no other control character (ESC, BEL, CR).
pub fn check_instructions(what: &str, text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("{what} are longer than 10,000 characters."));
    }
    match first_refused(text, TextKind::MultiLine) {
        Some(c) => Err(format!(
            "{what} contain {}; only line breaks and tabs may be used besides printable text.",
            char_name(c)
        )),
        None => Ok(()),
    }
}

/// Checks a short name (a display name, an option): not blank, no control
/// characters, no leading/trailing spaces, at most 200 characters.
pub fn check_name(what: &str, text: &str) -> Result<(), String> {
    check_short(what, text, TextKind::OneLine)
}

/// Checks an identifier people type or scan to name a thing (serial, lot,
/// login, part number, procedure key, step key, field name): a name that
/// also refuses bidirectional controls and zero-width characters, so two
/// identifiers that print alike are the same identifier.
pub fn check_identifier(what: &str, text: &str) -> Result<(), String> {
    check_short(what, text, TextKind::Identifier)
}

/// Checks the identifier of an inventory item (serial or lot): an identifier
/// that does not start with `#` or `run:`, which name runs on the command
/// line (`#12`, `run:12`).
pub fn check_inventory_identifier(what: &str, text: &str) -> Result<(), String> {
    check_identifier(what, text)?;
    if text.starts_with('#') || text.to_ascii_lowercase().starts_with("run:") {
        return Err(format!(
            "{what} '{text}' starts with '#' or 'run:', which name a run (#12, run:12); choose another."
        ));
    }
    Ok(())
}

fn check_short(what: &str, text: &str, kind: TextKind) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is required."));
    }
    let shown = escape_unprintable(text);
    if let Some(c) = first_refused(text, kind) {
        return Err(refused_char_sentence(&format!("{what} '{shown}'"), c, kind));
    }
    if text.trim() != text {
        return Err(format!("{what} '{shown}' starts or ends with a space."));
    }
    if text.chars().count() > 200 {
        return Err(format!("{what} is longer than 200 characters."));
    }
    Ok(())
}

/// How a person names a run: `#12` or `run:12` is a run id, anything else
/// is the serial of the unit it builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunRef {
    Id(RunId),
    Serial(String),
}

/// The forms a run reference takes, for sentences.
pub const RUN_REF_FORMS: &str =
    "a run id is written #12 or run:12; anything else names the serial of the unit it builds";

/// Reads a run reference. `#` or `run:` followed by digits (no sign, space
/// or leading zero) is a run id; `#` or `run:` followed by anything else is
/// refused with the expected forms, so `#01`, `# 1` or `#-1` never quietly
/// name another run. Anything else is a serial, numbers included (`12`).
pub fn parse_run_ref(text: &str) -> Result<RunRef, String> {
    let digits = if let Some(rest) = text.strip_prefix('#') {
        rest
    } else if let Some(rest) = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("run:"))
        .and_then(|_| text.get(4..))
    {
        rest
    } else {
        return Ok(RunRef::Serial(text.to_string()));
    };
    let canonical = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    match digits.parse::<RunId>() {
        Ok(id) if canonical => Ok(RunRef::Id(id)),
        _ => Err(format!(
            "'{}' is not a run reference: {RUN_REF_FORMS}.",
            escape_unprintable(text)
        )),
    }
}

/// The run number a plain or loose spelling of a number stands for (`12`,
/// `+1`, `-1`, `r1`, `R-1`, `01`, ` 1`): such a reference names a serial,
/// and when no serial matches, the sentence can ask "did you mean #12?".
pub fn number_in_run_ref(text: &str) -> Option<RunId> {
    let rest = text.trim();
    let rest = rest.strip_prefix(['r', 'R']).unwrap_or(rest);
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest).trim_start();
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

fn options_text(options: &[String]) -> String {
    options.join(", ")
}

fn match_option(options: &[String], raw: &str) -> Option<String> {
    let raw = raw.trim();
    if let Some(o) = options.iter().find(|o| o.as_str() == raw) {
        return Some(o.clone());
    }
    let folded: Vec<&String> = options
        .iter()
        .filter(|o| o.to_lowercase() == raw.to_lowercase())
        .collect();
    match folded.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// Parses what a person typed into a value of the field's type, or says, in
/// a sentence naming the field, what it expects. Refused: empty input, not a
/// number, NaN or infinity, an option not in the list, a date that is not
/// `YYYY-MM-DD`, text over 10,000 characters, any control character (field
/// values are single-line; SPEC lists control characters without exception).
/// Options match exactly, or case-insensitively when that is unambiguous.
/// `file` fields take the path here; the store supplies the hash (see
/// [`parse_file_value`]). `signoff` fields take no typed value.
pub fn parse_value(def: &FieldDef, raw: &str) -> Result<Value, String> {
    let name = &def.name;
    let shown = raw.escape_default().to_string();
    if raw.chars().any(char::is_control) {
        return Err(format!(
            "{name} does not accept control characters, got '{shown}'."
        ));
    }
    let n = raw.chars().count();
    if n > MAX_TEXT {
        return Err(format!(
            "{name} accepts at most 10,000 characters, got {n}."
        ));
    }
    let trimmed = raw.trim();
    let expects = expects_text(def);
    if trimmed.is_empty() && def.field_type != FieldType::Signoff {
        return Err(format!("{name} expects {expects}, got nothing."));
    }
    match def.field_type {
        FieldType::Number => match trimmed.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Value::Number(x)),
            _ => Err(format!("{name} expects {expects}, got '{shown}'.")),
        },
        FieldType::PassFail => match trimmed.to_lowercase().as_str() {
            "pass" | "p" => Ok(Value::PassFail(true)),
            "fail" | "f" => Ok(Value::PassFail(false)),
            _ => Err(format!("{name} expects {expects}, got '{shown}'.")),
        },
        FieldType::Boolean => match trimmed.to_lowercase().as_str() {
            "yes" | "y" | "true" => Ok(Value::Boolean(true)),
            "no" | "n" | "false" => Ok(Value::Boolean(false)),
            _ => Err(format!("{name} expects {expects}, got '{shown}'.")),
        },
        FieldType::Text => Ok(Value::Text(raw.to_string())),
        FieldType::Date => match NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            Ok(d) if trimmed.len() == 10 => Ok(Value::Date(d)),
            _ => Err(format!("{name} expects {expects}, got '{shown}'.")),
        },
        FieldType::SingleSelect => match match_option(&def.options, trimmed) {
            Some(o) => Ok(Value::Select(o)),
            None => Err(format!("{name} expects {expects}, got '{shown}'.")),
        },
        FieldType::MultiSelect => {
            let mut picked: Vec<String> = Vec::new();
            for piece in trimmed.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match match_option(&def.options, piece) {
                    Some(o) if !picked.contains(&o) => picked.push(o),
                    Some(_) => {}
                    None => {
                        return Err(format!(
                            "{name} expects {expects}, got '{}'.",
                            piece.escape_default()
                        ))
                    }
                }
            }
            if picked.is_empty() {
                return Err(format!("{name} expects {expects}, got '{shown}'."));
            }
            Ok(Value::Multi(picked))
        }
        FieldType::File => Err(format!(
            "{name} expects a file; attach one so its SHA-256 can be recorded."
        )),
        FieldType::Signoff => Err(format!(
            "{name} is a sign-off: approve or reject it instead of typing a value."
        )),
    }
}

/// A `file` field's value: the stored path and the SHA-256 (64 hex digits)
/// of the copy in the attachments store.
pub fn parse_file_value(def: &FieldDef, raw: &str, sha256: Option<&str>) -> Result<Value, String> {
    if def.field_type != FieldType::File {
        return parse_value(def, raw);
    }
    let name = &def.name;
    if raw.trim().is_empty() || raw.chars().any(char::is_control) {
        return Err(format!(
            "{name} expects a file path, got '{}'.",
            raw.escape_default()
        ));
    }
    match sha256 {
        Some(h) if h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()) => Ok(Value::File {
            path: raw.trim().to_string(),
            sha256: h.to_ascii_lowercase(),
        }),
        _ => Err(format!(
            "{name} expects a file with its SHA-256; the attachment hash is missing or malformed."
        )),
    }
}

/// What a field expects, for messages: "a number in N·m", "pass or fail"...
pub fn expects_text(def: &FieldDef) -> String {
    match def.field_type {
        FieldType::Number => match def.unit.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => format!("a number in {u}"),
            _ => "a number".to_string(),
        },
        FieldType::PassFail => "pass or fail".to_string(),
        FieldType::Text => "text".to_string(),
        FieldType::Date => "a date as YYYY-MM-DD".to_string(),
        FieldType::SingleSelect => format!("one of: {}", options_text(&def.options)),
        FieldType::MultiSelect => format!(
            "one or more of: {} (comma-separated)",
            options_text(&def.options)
        ),
        FieldType::Boolean => "yes or no".to_string(),
        FieldType::File => "a file".to_string(),
        FieldType::Signoff => "a sign-off".to_string(),
    }
}

/// A value as a person reads it ("25.03", "pass", "2024-05-01").
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Number(n) => format!("{n}"),
        Value::PassFail(true) => "pass".into(),
        Value::PassFail(false) => "fail".into(),
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Select(s) => s.clone(),
        Value::Multi(v) => v.join(", "),
        Value::Boolean(true) => "yes".into(),
        Value::Boolean(false) => "no".into(),
        Value::File { path, .. } => path.clone(),
    }
}

/// Problems with one field definition, each a sentence naming the step and field.
///
/// Numbers: every bound finite, `min ≤ max`, a tolerance is ≥ 0 and needs a
/// target, and the target (with its tolerance) overlaps `min`..`max`.
/// Validation on a field that is not a number is refused. Selects need
/// distinct, non-blank options. A sign-off needs a role.
pub fn field_def_problems(step_key: &str, def: &FieldDef) -> Vec<String> {
    let mut out = Vec::new();
    let at = format!(
        "Step '{}', field '{}'",
        escape_unprintable(step_key),
        escape_unprintable(&def.name)
    );
    if let Err(e) = check_identifier(&format!("Step '{step_key}': a field name"), &def.name) {
        out.push(e);
    }
    if let Some(c) = def
        .unit
        .as_deref()
        .and_then(|u| first_refused(u, TextKind::OneLine))
    {
        out.push(refused_char_sentence(
            &format!("{at}: the unit"),
            c,
            TextKind::OneLine,
        ));
    }
    let v = &def.validation;
    let has_rule =
        v.min.is_some() || v.max.is_some() || v.target.is_some() || v.tolerance.is_some();
    if def.field_type == FieldType::Number {
        for (label, x) in [
            ("min", v.min),
            ("max", v.max),
            ("target", v.target),
            ("tolerance", v.tolerance),
        ] {
            if let Some(x) = x {
                if !x.is_finite() {
                    out.push(format!("{at}: {label} must be a finite number."));
                }
            }
        }
        if let (Some(min), Some(max)) = (v.min, v.max) {
            if min > max {
                out.push(format!("{at}: min {min} is greater than max {max}."));
            }
        }
        if let Some(tol) = v.tolerance {
            if tol < 0.0 {
                out.push(format!("{at}: tolerance {tol} is negative."));
            }
            if v.target.is_none() {
                out.push(format!("{at}: a tolerance needs a target."));
            }
        }
    } else if has_rule {
        out.push(format!(
            "{at}: only number fields take min, max, target or tolerance (this one is {}).",
            def.field_type.name()
        ));
    }
    if matches!(
        def.field_type,
        FieldType::SingleSelect | FieldType::MultiSelect
    ) {
        if def.options.is_empty() {
            out.push(format!("{at}: a select field needs options."));
        }
        let mut seen = BTreeSet::new();
        for o in &def.options {
            if o.trim().is_empty() || o.chars().any(char::is_control) || o.contains(',') {
                out.push(format!(
                    "{at}: option '{}' must be non-blank, without commas or control characters.",
                    o.escape_default()
                ));
            } else if !seen.insert(o.to_lowercase()) {
                out.push(format!("{at}: option '{o}' is listed twice."));
            }
        }
    }
    if def.field_type == FieldType::Signoff {
        match def.role.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => {}
            _ => out.push(format!("{at}: a sign-off needs a role.")),
        }
    }
    out
}

/// Problems with one step definition on its own: key, title, fields (unique
/// names), build requirements (part named, quantity ≥ 1, unique parts per
/// step, a part is not its own substitute). Dependencies are checked against
/// the whole procedure or run by the caller.
pub fn step_def_problems(def: &StepDef) -> Vec<String> {
    let mut out = Vec::new();
    let shown_key = escape_unprintable(&def.key);
    if let Err(e) = check_identifier("A step key", &def.key) {
        out.push(e);
    } else if def.key.chars().any(char::is_whitespace) {
        out.push(format!("Step key '{}' contains spaces.", def.key));
    }
    if def.title.trim().is_empty() {
        out.push(format!("Step '{shown_key}' needs a title."));
    } else if let Err(e) = check_line_text(&format!("Step '{shown_key}': the title"), &def.title) {
        out.push(e);
    }
    if let Err(e) = check_instructions(
        &format!("Step '{shown_key}': the instructions"),
        &def.instructions,
    ) {
        out.push(e);
    }
    let mut names = BTreeSet::new();
    for f in &def.fields {
        if !names.insert(f.name.clone()) {
            out.push(format!(
                "Step '{}' has two fields named '{}'.",
                def.key, f.name
            ));
        }
        out.extend(field_def_problems(&def.key, f));
    }
    let mut parts = BTreeSet::new();
    for r in &def.installs {
        if r.part.trim().is_empty() {
            out.push(format!(
                "Step '{}': a build requirement names no part.",
                def.key
            ));
            continue;
        }
        if !parts.insert(r.part.clone()) {
            out.push(format!(
                "Step '{}' requires part {} twice; give one requirement with the total quantity.",
                def.key, r.part
            ));
        }
        if r.quantity < 1 {
            out.push(format!(
                "Step '{}': requirement {} needs a quantity of at least 1, got {}.",
                def.key, r.part, r.quantity
            ));
        }
        if r.substitutes.contains(&r.part) {
            out.push(format!(
                "Step '{}': part {} is listed as its own substitute.",
                def.key, r.part
            ));
        }
    }
    if def.after.contains(&def.key) {
        out.push(format!("Step '{}' depends on itself.", def.key));
    }
    out
}
