//! Small pop-up forms: a reason for a hold, a failed run's disposition, a
//! sign-off's login and PIN. A form is data (`FormKind` says what it is for);
//! `update` turns a submitted form into a command.

use super::text_input::TextInput;
use crate::domain::{IssueId, Meaning};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormInput {
    Text(TextInput),
    Choice {
        options: Vec<String>,
        selected: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormField {
    pub label: String,
    pub input: FormInput,
    pub required: bool,
    /// Shown as dots (PINs).
    pub masked: bool,
    /// A short hint under the box ("optional", "YYYY-MM-DD").
    pub hint: Option<String>,
}

impl FormField {
    pub fn text(label: &str, value: &str, required: bool) -> FormField {
        FormField {
            label: label.to_string(),
            input: FormInput::Text(TextInput::new(value)),
            required,
            masked: false,
            hint: None,
        }
    }

    pub fn secret(label: &str) -> FormField {
        FormField {
            masked: true,
            ..FormField::text(label, "", true)
        }
    }

    pub fn choice(label: &str, options: Vec<String>, selected: usize) -> FormField {
        FormField {
            label: label.to_string(),
            input: FormInput::Choice { options, selected },
            required: true,
            masked: false,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: &str) -> FormField {
        self.hint = Some(hint.to_string());
        self
    }

    /// The text typed, or the option chosen.
    pub fn value(&self) -> String {
        match &self.input {
            FormInput::Text(t) => t.value().trim().to_string(),
            FormInput::Choice { options, selected } => {
                options.get(*selected).cloned().unwrap_or_default()
            }
        }
    }

    pub fn selected(&self) -> usize {
        match &self.input {
            FormInput::Choice { selected, .. } => *selected,
            FormInput::Text(_) => 0,
        }
    }
}

/// What a form is for; it carries what the command needs besides the typed values.
#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    Hold {
        step: String,
    },
    FailStep {
        step: String,
    },
    Rework {
        step: String,
    },
    ReopenStep {
        step: String,
    },
    Redline {
        step: String,
        number_fields: Vec<String>,
    },
    Comment {
        step: String,
    },
    RaiseIssue {
        step: String,
    },
    AcceptDeviation {
        step: String,
        fields: Vec<String>,
        issues: Vec<IssueId>,
    },
    Uninstall {
        step: String,
        identifiers: Vec<String>,
    },
    FailRun,
    ReopenRun,
    SignOff {
        step: String,
        field: String,
        meaning: Meaning,
    },
    CloseIssue {
        issue: IssueId,
    },
    Disposition {
        issue: IssueId,
    },
    /// The reason for changing a saved value; the new value is the field's draft.
    Correction {
        step: String,
        field: String,
        void_approval: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    /// Lines above the fields: what the form does, what a signature records.
    pub intro: Vec<String>,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// Why the last submit was refused, every reason.
    pub errors: Vec<String>,
    pub busy: bool,
}

impl Form {
    pub fn new(kind: FormKind, title: &str, fields: Vec<FormField>) -> Form {
        Form {
            kind,
            title: title.to_string(),
            intro: Vec::new(),
            fields,
            focus: 0,
            errors: Vec::new(),
            busy: false,
        }
    }

    pub fn with_intro(mut self, lines: Vec<String>) -> Form {
        self.intro = lines;
        self
    }

    pub fn focused_is_text(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.input),
            Some(FormInput::Text(_))
        )
    }

    /// True when something was typed (quitting would lose it).
    pub fn has_input(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(&f.input, FormInput::Text(t) if !t.is_empty()) && !f.masked)
    }

    /// The value of the field with this label ("" when absent).
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(FormField::value)
            .unwrap_or_default()
    }

    pub fn selected(&self, label: &str) -> usize {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(FormField::selected)
            .unwrap_or(0)
    }

    /// Required fields left empty, as sentences.
    pub fn missing(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.required && f.value().is_empty())
            .map(|f| format!("{} is required.", f.label))
            .collect()
    }

    pub fn field_mut(&mut self, label: &str) -> Option<&mut FormField> {
        self.fields.iter_mut().find(|f| f.label == label)
    }

    /// Puts the cursor in the first secret box, if the form has one. After a
    /// refused signature that box is empty again: a PIN typed next must land
    /// there, never in the comment (which the trail keeps for good).
    pub fn focus_secret(&mut self) {
        if let Some(i) = self.fields.iter().position(|f| f.masked) {
            self.focus = i;
        }
    }

    /// Forgets typed secrets (after a submit, whatever its answer).
    pub fn clear_secrets(&mut self) {
        for f in self.fields.iter_mut().filter(|f| f.masked) {
            f.input = FormInput::Text(TextInput::default());
        }
    }
}
