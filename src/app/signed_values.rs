//! What a sign-off signs, as lines for its prompt: each of the step's other
//! fields with its current value, unit and verdict (✓/✗ in words, never
//! colour alone), so the signer reads what their signature covers.

use crate::domain::{current_value, value_text, verdict, FieldType, RunStep, Value, Verdict};

pub fn signed_values(step: &RunStep) -> Vec<String> {
    let mut lines = Vec::new();
    for field in step
        .fields
        .iter()
        .filter(|f| f.def.field_type != FieldType::Signoff)
    {
        let name = &field.def.name;
        let Some(value) = current_value(field) else {
            lines.push(format!("  {name}: empty"));
            continue;
        };
        let unit = match (&value.value, field.def.unit.as_deref().map(str::trim)) {
            (Value::Number(_), Some(u)) if !u.is_empty() => format!(" {u}"),
            _ => String::new(),
        };
        let deviation = field
            .deviations
            .iter()
            .find(|d| d.value_id == value.id)
            .map(|d| format!(", deviation accepted (#{})", d.issue))
            .unwrap_or_default();
        let judged = match &value.value {
            Value::Number(n) => match verdict(&field.def, *n) {
                Verdict::InRange => " ✓ in range".to_string(),
                Verdict::OutOfRange => format!(" ✗ out of range{deviation}"),
                Verdict::NoRule => String::new(),
            },
            Value::PassFail(true) => " ✓".into(),
            Value::PassFail(false) => format!(" ✗{deviation}"),
            _ => String::new(),
        };
        lines.push(format!(
            "  {name}: {}{unit}{judged}",
            value_text(&value.value)
        ));
    }
    lines
}
