//! The procedure file: a TOML contract documented in README, parsed into a
//! draft `Procedure`. Syntax and type errors carry their line and column;
//! rules about the whole procedure (unique keys, dependencies) are judged by
//! the domain when the procedure is imported.

use crate::domain::{
    FieldDef, FieldType, Procedure, ProcedureKind, ProcedureState, RequirementDef, ReworkMode,
    StepDef, Validation,
};
use anyhow::{anyhow, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProcedure {
    key: String,
    title: String,
    kind: ProcedureKind,
    produces: String,
    #[serde(default, rename = "step")]
    steps: Vec<FileStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStep {
    key: toml::Spanned<String>,
    title: String,
    #[serde(default)]
    instructions: String,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    allow_out_of_range_with_issue: bool,
    /// `reopen` (default) or `copy`: how a failed step is reworked.
    #[serde(default)]
    rework: ReworkMode,
    #[serde(default, rename = "field")]
    fields: Vec<FileField>,
    #[serde(default, rename = "install")]
    installs: Vec<FileInstall>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileField {
    name: String,
    #[serde(rename = "type")]
    field_type: FieldType,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    target: Option<f64>,
    #[serde(default)]
    tolerance: Option<f64>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    role: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInstall {
    part: String,
    #[serde(default = "one")]
    quantity: i64,
    #[serde(default)]
    substitutes: Vec<String>,
}

fn yes() -> bool {
    true
}

fn one() -> i64 {
    1
}

/// Reads and parses a procedure file.
pub fn read(path: &Path) -> Result<Procedure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow!("Could not read the procedure file {}: {e}.", path.display()))?;
    parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Parses procedure TOML. Errors name the line and column and what was expected.
pub fn parse(text: &str) -> Result<Procedure> {
    let file: FileProcedure =
        toml::from_str(text).map_err(|e| anyhow!("{}", describe(text, &e)))?;
    let mut steps = Vec::new();
    for (i, step) in file.steps.iter().enumerate() {
        if let Some(earlier) = file.steps[..i]
            .iter()
            .find(|s| s.key.get_ref() == step.key.get_ref())
        {
            let (line, col) = line_col(text, step.key.span().start);
            let (first, _) = line_col(text, earlier.key.span().start);
            return Err(anyhow!(
                "line {line}, column {col}: the step key '{}' is used twice (first on line {first}); step keys must be unique.",
                step.key.get_ref()
            ));
        }
        steps.push(StepDef {
            key: step.key.get_ref().clone(),
            title: step.title.clone(),
            // A file saved with Windows line ends reads like any other.
            instructions: step
                .instructions
                .replace("\r\n", "\n")
                .trim_end()
                .to_string(),
            required: step.required,
            after: step.after.clone(),
            allow_out_of_range_with_issue: step.allow_out_of_range_with_issue,
            rework: step.rework,
            fields: step
                .fields
                .iter()
                .map(|f| FieldDef {
                    name: f.name.clone(),
                    field_type: f.field_type,
                    required: f.required,
                    unit: f.unit.clone(),
                    validation: Validation {
                        min: f.min,
                        max: f.max,
                        target: f.target,
                        tolerance: f.tolerance,
                    },
                    options: f.options.clone(),
                    role: f.role.clone(),
                })
                .collect(),
            installs: step
                .installs
                .iter()
                .map(|r| RequirementDef {
                    part: r.part.clone(),
                    quantity: r.quantity,
                    substitutes: r.substitutes.clone(),
                })
                .collect(),
        });
    }
    Ok(Procedure {
        key: file.key,
        version: 0,
        title: file.title,
        kind: file.kind,
        produces: file.produces,
        state: ProcedureState::Draft,
        steps,
    })
}

/// "line L, column C: message" from a TOML error.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end_matches('.').to_string();
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {message}.")
        }
        None => format!("{message}."),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_field_type_names_its_line_and_the_expected_types() {
        let text = "key = \"P\"\ntitle = \"T\"\nkind = \"build\"\nproduces = \"X\"\n[[step]]\nkey = \"a\"\ntitle = \"A\"\n[[step.field]]\nname = \"n\"\ntype = \"numbr\"\n";
        let err = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("line 10, column 8:"), "{err}");
        assert!(err.contains("pass_fail"), "{err}");
    }

    #[test]
    fn a_duplicate_step_key_is_refused_with_both_lines() {
        let text = "key = \"P\"\ntitle = \"T\"\nkind = \"build\"\nproduces = \"X\"\n[[step]]\nkey = \"a\"\ntitle = \"A\"\n[[step]]\nkey = \"a\"\ntitle = \"B\"\n";
        let err = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            err.contains("line 9") && err.contains("first on line 6"),
            "{err}"
        );
    }

    #[test]
    fn defaults_apply() {
        let text = "key = \"P\"\ntitle = \"T\"\nkind = \"test\"\nproduces = \"X\"\n[[step]]\nkey = \"a\"\ntitle = \"A\"\n[[step.install]]\npart = \"Q\"\n";
        let p = parse(text).expect("parses");
        assert!(p.steps[0].required);
        assert_eq!(p.steps[0].installs[0].quantity, 1);
        assert_eq!(p.kind, ProcedureKind::Test);
    }
}
