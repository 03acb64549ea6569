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
                let d = decimals(target).max(decimals(tol));
                parts.push(with_unit(format!("{target:.d$} ± {tol:.d$}"), &def.unit));
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

/// Checks free text typed by a person (reasons, comments, titles): not blank,
/// at most 10,000 characters, no control characters except line breaks and
/// tabs. `what` names the thing in the sentence ("A reason").
pub fn check_free_text(what: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is required."));
    }
    let n = text.chars().count();
    if n > MAX_TEXT {
        return Err(format!(
            "{what} is {n} characters long; the limit is 10,000."
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(format!("{what} contains control characters."));
    }
    Ok(())
}

/// Checks a short name (login, key, part number, identifier): not blank, no
/// control characters, no leading/trailing spaces, at most 200 characters.
pub fn check_name(what: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is required."));
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "{what} '{}' contains control characters.",
            text.escape_default()
        ));
    }
    if text.trim() != text {
        return Err(format!("{what} '{text}' starts or ends with a space."));
    }
    if text.chars().count() > 200 {
        return Err(format!("{what} is longer than 200 characters."));
    }
    Ok(())
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
    let at = format!("Step '{step_key}', field '{}'", def.name);
    if let Err(e) = check_name(&format!("Step '{step_key}': a field name"), &def.name) {
        out.push(e);
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
    if let Err(e) = check_name("A step key", &def.key) {
        out.push(e);
    } else if def.key.chars().any(char::is_whitespace) {
        out.push(format!("Step key '{}' contains spaces.", def.key));
    }
    if def.title.trim().is_empty() {
        out.push(format!("Step '{}' needs a title.", def.key));
    }
    if def.instructions.chars().count() > MAX_TEXT {
        out.push(format!(
            "Step '{}': instructions are longer than 10,000 characters.",
            def.key
        ));
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
