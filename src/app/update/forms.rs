//! Pop-up forms: opening each one with what it needs, moving between its
//! boxes, and turning a submitted form into a command. A form stays open
//! until the command succeeds, so a refusal loses nothing typed.

use super::step::{send_save, step_command};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::form::{Form, FormField, FormInput, FormKind};
use crate::app::msg::ExecTag;
use crate::app::signed_values::signed_values;
use crate::app::state::{Overlay, State, Status, StepItem};
use crate::app::step_items::{current_run, current_step, focused_item};
use crate::app::text_input::Edit;
use crate::domain::{
    current_value, value_needs_deviation, value_text, Command, Disposition, FailInventoryTo,
    FieldDef, FieldType, FieldValue, IssueState, Meaning, RedlineChange, ReworkMode, Seen,
    Validation,
};

const REASON: &str = "Reason";
const RATIONALE: &str = "Rationale";

fn open(state: &mut State, form: Form) {
    state.overlay = Some(Overlay::Form(form));
}

fn step_key(state: &State) -> String {
    state
        .step
        .as_ref()
        .map(|s| s.key.clone())
        .unwrap_or_default()
}

fn step_title(state: &State) -> String {
    current_step(state)
        .map(|s| format!("step {} {}", s.position, s.title))
        .unwrap_or_default()
}

pub fn open_hold(state: &mut State) {
    let title = format!("Hold {}", step_title(state));
    let form = Form::new(
        FormKind::Hold {
            step: step_key(state),
        },
        &title,
        vec![FormField::text(REASON, "", true)],
    )
    .with_intro(vec!["Holding checks everyone out of the step.".into()]);
    open(state, form);
}

pub fn open_fail_step(state: &mut State) {
    let title = format!("Fail {}", step_title(state));
    let form = Form::new(
        FormKind::FailStep {
            step: step_key(state),
        },
        &title,
        vec![
            FormField::text(REASON, "", true),
            FormField::text("Raise a quality issue titled", "", false)
                .with_hint("optional: leave empty to raise none"),
        ],
    )
    .with_intro(vec![
        "A failed step does not fail the run; it can be reworked.".into(),
    ]);
    open(state, form);
}

/// A confirmation: the procedure decides how the step is reworked (its
/// `rework` setting), so the form only says which it will be.
pub fn open_rework(state: &mut State) {
    let title = format!("Rework {}", step_title(state));
    let how = match current_step(state).map(|s| s.rework) {
        Some(ReworkMode::Copy) => {
            "The procedure reworks this step as a copy inserted after it; this one is kept, superseded."
        }
        _ => "The procedure reworks this step in place: it goes back to todo.",
    };
    let form = Form::new(
        FormKind::Rework {
            step: step_key(state),
        },
        &title,
        Vec::new(),
    )
    .with_intro(vec![
        how.into(),
        "Earlier values stay in the history. Enter reworks it.".into(),
    ]);
    open(state, form);
}

pub fn open_reopen_step(state: &mut State) {
    let title = format!("Reopen {}", step_title(state));
    let form = Form::new(
        FormKind::ReopenStep {
            step: step_key(state),
        },
        &title,
        vec![FormField::text(REASON, "", true)],
    )
    .with_intro(vec![
        "Quality or a supervisor may reopen a complete step.".into()
    ]);
    open(state, form);
}

pub fn open_comment(state: &mut State) {
    let title = format!("Comment on {}", step_title(state));
    let form = Form::new(
        FormKind::Comment {
            step: step_key(state),
        },
        &title,
        vec![FormField::text("Comment", "", true)],
    );
    open(state, form);
}

pub fn open_raise_issue(state: &mut State) {
    let Some(step) = current_step(state) else {
        return;
    };
    let mut about = vec!["the step".to_string()];
    about.extend(step.fields.iter().map(|f| format!("field: {}", f.def.name)));
    let focused = match focused_item(state) {
        Some(StepItem::Field(i)) => i + 1,
        _ => 0,
    };
    let title = format!("Raise a quality issue on {}", step_title(state));
    let form = Form::new(
        FormKind::RaiseIssue {
            step: step_key(state),
        },
        &title,
        vec![
            FormField::text("Title", "", true),
            FormField::text("Description", "", false).with_hint("optional"),
            FormField::choice("About", about, focused),
        ],
    );
    open(state, form);
}

pub fn open_redline(state: &mut State) {
    let Some(step) = current_step(state) else {
        return;
    };
    let number_fields: Vec<String> = step
        .fields
        .iter()
        .filter(|f| f.def.field_type == FieldType::Number)
        .map(|f| f.def.name.clone())
        .collect();
    let mut changes = vec!["correct the instructions".to_string()];
    changes.extend(
        number_fields
            .iter()
            .map(|f| format!("change the rule of {f}")),
    );
    let instructions = step.instructions.replace('\n', " ");
    let title = format!("Redline {}", step_title(state));
    let mut form = Form::new(
        FormKind::Redline {
            step: step_key(state),
            number_fields,
        },
        &title,
        vec![
            FormField::choice("Change", changes, 0),
            FormField::text("New instructions", &instructions, false),
            FormField::text("Min", "", false),
            FormField::text("Max", "", false),
            FormField::text("Target", "", false),
            FormField::text("Tolerance", "", false),
            FormField::text(REASON, "", true),
        ],
    )
    .with_intro(vec![
        "A redline changes this run only. The step waits in redline until".into(),
        "quality or a supervisor approves it (A) or it is cancelled (Z).".into(),
    ]);
    prefill_redline(state, &mut form);
    open(state, form);
}

/// Puts the chosen field's current rule into the Min/Max/Target/Tolerance boxes.
fn prefill_redline(state: &State, form: &mut Form) {
    let FormKind::Redline { number_fields, .. } = &form.kind else {
        return;
    };
    let choice = form.selected("Change");
    let validation = choice
        .checked_sub(1)
        .and_then(|i| number_fields.get(i))
        .and_then(|name| {
            current_step(state)?
                .fields
                .iter()
                .find(|f| &f.def.name == name)
                .map(|f| f.def.validation.clone())
        })
        .unwrap_or_default();
    let text = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for (label, value) in [
        ("Min", validation.min),
        ("Max", validation.max),
        ("Target", validation.target),
        ("Tolerance", validation.tolerance),
    ] {
        if let Some(f) = form.field_mut(label) {
            f.input = FormInput::Text(crate::app::text_input::TextInput::new(&text(value)));
        }
    }
}

pub fn open_accept_deviation(state: &mut State) {
    let Some(step) = current_step(state) else {
        return;
    };
    let fields: Vec<String> = step
        .fields
        .iter()
        .filter(|f| {
            current_value(f).is_some_and(|v| {
                value_needs_deviation(&f.def, &v.value)
                    && !f.deviations.iter().any(|d| d.value_id == v.id)
            })
        })
        .map(|f| f.def.name.clone())
        .collect();
    if fields.is_empty() {
        state.status = Some(Status::error(
            "No value on this step is out of range without a deviation.",
        ));
        return;
    }
    let issues: Vec<_> = state
        .run
        .as_ref()
        .map(|r| {
            r.bundle
                .issues
                .iter()
                .filter(|i| i.state != IssueState::Closed)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if issues.is_empty() {
        state.status = Some(Status::error(
            "A deviation needs a quality issue on this run: raise one first (!).",
        ));
        return;
    }
    let issue_labels = issues
        .iter()
        .map(|i| format!("#{} {}", i.id, crate::ui::sanitize::clean(&i.title)))
        .collect();
    let title = format!("Accept a deviation on {}", step_title(state));
    let allowed = step.allow_out_of_range_with_issue;
    let mut boxes = vec![
        FormField::choice("Field", fields.clone(), 0),
        FormField::choice("Quality issue", issue_labels, issues.len() - 1),
        FormField::text(RATIONALE, "", true),
    ];
    boxes.extend(signer_fields(state));
    let form = Form::new(
        FormKind::AcceptDeviation {
            step: step_key(state),
            fields,
            issues: issues.iter().map(|i| i.id).collect(),
        },
        &title,
        boxes,
    )
    .with_intro(vec![
        if allowed {
            "This step allows out-of-range values accepted through an issue.".into()
        } else {
            "This step's policy does not allow deviations; the engine will say so.".into()
        },
        "Sign with your own login and PIN: the signature records your printed".into(),
        "name, the date and time, the meaning \"deviation accepted\" and the rationale.".into(),
    ]);
    open(state, form);
}

pub fn open_uninstall(state: &mut State) {
    let Some(StepItem::Requirement(i)) = focused_item(state) else {
        state.status = Some(Status::error(
            "Move the cursor to a build requirement to uninstall from it.",
        ));
        return;
    };
    let identifiers: Vec<String> = current_step(state)
        .and_then(|s| s.requirements.get(i))
        .map(|r| {
            r.installs
                .iter()
                .filter(|x| x.removed_at.is_none())
                .map(|x| x.identifier.clone())
                .collect()
        })
        .unwrap_or_default();
    if identifiers.is_empty() {
        state.status = Some(Status::error("Nothing is installed on this requirement."));
        return;
    }
    let title = format!("Uninstall from {}", step_title(state));
    let form = Form::new(
        FormKind::Uninstall {
            step: step_key(state),
            identifiers: identifiers.clone(),
        },
        &title,
        vec![FormField::choice("Item", identifiers, 0)],
    )
    .with_intro(vec!["The item goes back to available.".into()]);
    open(state, form);
}

pub fn open_fail_run(state: &mut State) {
    let Some(run) = current_run(state) else {
        return;
    };
    let title = format!("Fail run {} ({})", run.id, run.serial);
    let form = Form::new(
        FormKind::FailRun,
        &title,
        vec![
            FormField::text(REASON, "", true),
            FormField::choice(
                "The unit goes to",
                vec!["quarantined".into(), "scrapped".into()],
                0,
            ),
            FormField::text("Link issue number", "", false).with_hint("optional"),
        ],
    )
    .with_intro(vec![
        "Supervisors only. Every step freezes and open sessions close;".into(),
        "the run's history stays readable.".into(),
    ]);
    open(state, form);
}

pub fn open_reopen_run(state: &mut State) {
    let Some(run) = current_run(state) else {
        return;
    };
    let title = format!("Reopen run {} ({})", run.id, run.serial);
    let form = Form::new(
        FormKind::ReopenRun,
        &title,
        vec![FormField::text(REASON, "", true)],
    )
    .with_intro(vec![
        "Admins only. The unit returns to work in progress.".into()
    ]);
    open(state, form);
}

/// The sign-off prompt: the signer's login and PIN again, and what the
/// signature will record.
pub fn open_signoff(state: &mut State, def: &FieldDef, meaning: Meaning) {
    let role = def.role.clone().unwrap_or_default();
    let word = match meaning {
        Meaning::Approved => "Approve",
        Meaning::Rejected => "Reject",
    };
    let title = format!("{word} sign-off: {}", def.name);
    let mut comment = FormField::text("Comment", "", meaning == Meaning::Rejected);
    if meaning == Meaning::Approved {
        comment = comment.with_hint("optional");
    }
    let mut fields = signer_fields(state);
    fields.push(comment);
    let mut form = Form::new(
        FormKind::SignOff {
            step: step_key(state),
            field: def.name.clone(),
            meaning,
        },
        &title,
        fields,
    )
    .with_intro({
        let mut intro = vec![
            format!("Expecting approval by: {role}. Sign with your own login and PIN."),
            "Your signature records your printed name, the date and time,".into(),
            format!(
                "the meaning \"{}\" and a SHA-256 of the step's values",
                match meaning {
                    Meaning::Approved => "approved",
                    Meaning::Rejected => "rejected",
                }
            ),
            "(changing a value later voids it). You sign:".into(),
        ];
        intro.extend(current_step(state).map(signed_values).unwrap_or_default());
        intro
    });
    start_at_signature(&mut form);
    open(state, form);
}

const SIGNER_LOGIN: &str = "Signer login";

/// The two boxes of a re-signature: the signer's login, filled in with the
/// signed-in user's (another signer overwrites it), and the PIN.
fn signer_fields(state: &State) -> Vec<FormField> {
    let login = state
        .session
        .as_ref()
        .map(|a| a.login.as_str())
        .unwrap_or("");
    vec![
        FormField::text(SIGNER_LOGIN, login, true),
        FormField::secret("PIN"),
    ]
}

/// The login and the secret typed into a signed form.
fn signer_of(form: &Form) -> (String, String) {
    let secret = match form.fields.iter().find(|f| f.masked).map(|f| &f.input) {
        Some(FormInput::Text(t)) => t.value().to_string(),
        _ => String::new(),
    };
    (form.value(SIGNER_LOGIN), secret)
}

/// The cursor starts in the PIN box when the login is already filled in.
fn start_at_signature(form: &mut Form) {
    if !form.value(SIGNER_LOGIN).is_empty() {
        form.focus_secret();
    }
}

/// The reason for a correction: the field already holds a value and the
/// draft replaces it. The value history and the audit trail keep the reason.
pub fn open_correction(
    state: &mut State,
    field: &str,
    old: &FieldValue,
    typed: &str,
    void_approval: bool,
) {
    let form = Form::new(
        FormKind::Correction {
            step: step_key(state),
            field: field.to_string(),
            void_approval,
        },
        &format!("Change {field}"),
        vec![FormField::text(REASON, "", true)],
    )
    .with_intro(vec![
        format!(
            "{field} already has {} (saved by {} at {}).",
            value_text(&old.value),
            old.by,
            state.zone.date_time(old.at)
        ),
        format!(
            "Changing it to {} needs a reason, kept in its history.",
            typed.trim()
        ),
    ]);
    open(state, form);
}

pub fn open_disposition(state: &mut State, issue: i64, current: Option<Disposition>) {
    let options: Vec<String> = Disposition::ALL
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    let selected = current
        .and_then(|c| Disposition::ALL.iter().position(|d| *d == c))
        .unwrap_or(0);
    let mut boxes = vec![
        FormField::choice("Disposition", options, selected),
        FormField::text(RATIONALE, "", true),
    ];
    boxes.extend(signer_fields(state));
    let form = Form::new(
        FormKind::Disposition { issue },
        &format!("Disposition of issue #{issue}"),
        boxes,
    )
    .with_intro(vec![
        "Quality or admin. A scrap disposition scraps the item it names.".into(),
        "Sign with your own login and PIN: the signature records your printed".into(),
        "name, the date and time, the disposition and the rationale.".into(),
    ]);
    open(state, form);
}

/// Closing a dispositioned issue asks why it is done with; the rationale is
/// kept with the close in the trail (`issue show`, the run's export).
pub fn open_close_issue(state: &mut State, issue: i64) {
    let form = Form::new(
        FormKind::CloseIssue { issue },
        &format!("Close issue #{issue}"),
        vec![FormField::text(RATIONALE, "", true)],
    )
    .with_intro(vec![
        "Quality or admin, once the issue has a disposition. Say why it is".into(),
        "done with: what was checked, where the part went.".into(),
    ]);
    open(state, form);
}

pub fn on_edit(form: &mut Form, edit: &Edit) {
    if form.busy {
        return;
    }
    if let Some(FormInput::Text(input)) = form.fields.get_mut(form.focus).map(|f| &mut f.input) {
        input.apply(edit);
    }
}

/// A scan into a form types into the focused box.
pub fn on_scan(form: &mut Form, text: &str) {
    if let Some(FormInput::Text(input)) = form.fields.get_mut(form.focus).map(|f| &mut f.input) {
        input.insert_str(text);
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = &mut state.overlay else {
        return Vec::new();
    };
    if form.busy {
        return Vec::new();
    }
    let n = form.fields.len().max(1);
    match action {
        Action::Back => {
            state.overlay = None;
            state.status = Some(Status::info("Cancelled; nothing was saved."));
        }
        Action::NextField | Action::Down => form.focus = (form.focus + 1) % n,
        Action::PrevField | Action::Up => form.focus = (form.focus + n - 1) % n,
        Action::NextTab | Action::PrevTab | Action::Toggle => {
            if let Some(FormInput::Choice { options, selected }) =
                form.fields.get_mut(form.focus).map(|f| &mut f.input)
            {
                let len = options.len().max(1);
                *selected = if action == Action::PrevTab {
                    (*selected + len - 1) % len
                } else {
                    (*selected + 1) % len
                };
            }
            let mut form = form.clone();
            prefill_redline(state, &mut form);
            state.overlay = Some(Overlay::Form(form));
        }
        Action::Open => {
            // Enter on a typed PIN signs when nothing required is left.
            let on_typed_secret = form
                .fields
                .get(form.focus)
                .is_some_and(|f| f.masked && !f.value().is_empty());
            if on_typed_secret && form.missing().is_empty() {
                return submit(state);
            }
            if form.focus + 1 < form.fields.len() {
                form.focus += 1;
                // The signer's login filled in with the signed-in user's is
                // stepped over, so the PIN typed next lands in the masked
                // box, never in clear in the login box (Tab still reaches it).
                let prefilled_login = form
                    .fields
                    .get(form.focus)
                    .is_some_and(|f| f.label == SIGNER_LOGIN && !f.value().is_empty());
                if prefilled_login && form.focus + 1 < form.fields.len() {
                    form.focus += 1;
                }
            } else {
                return submit(state);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn parse_optional_number(form: &Form, label: &str, errors: &mut Vec<String>) -> Option<f64> {
    let text = form.value(label);
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            errors.push(format!("{label} expects a number, got '{text}'."));
            None
        }
    }
}

/// Turns a filled form into its command (or says what is missing).
fn submit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = &state.overlay else {
        return Vec::new();
    };
    let mut form = form.clone();
    let mut errors = form.missing();
    let reason = form.value(REASON);
    let command = match &form.kind {
        FormKind::Hold { step } => Command::Hold {
            step: step.clone(),
            reason,
        },
        FormKind::FailStep { step } => Command::FailStep {
            step: step.clone(),
            reason,
            issue: None,
            raise_issue: Some(form.value("Raise a quality issue titled")).filter(|t| !t.is_empty()),
        },
        FormKind::Rework { step } => Command::Rework {
            step: step.clone(),
            expect: None,
        },
        FormKind::ReopenStep { step } => Command::ReopenStep {
            step: step.clone(),
            reason,
        },
        FormKind::Comment { step } => Command::AddComment {
            step: step.clone(),
            text: form.value("Comment"),
        },
        FormKind::RaiseIssue { step } => {
            let about = form.selected("About");
            let field = about
                .checked_sub(1)
                .and_then(|i| current_step(state)?.fields.get(i))
                .map(|f| f.def.name.clone());
            Command::RaiseIssue {
                title: form.value("Title"),
                description: form.value("Description"),
                step: Some(step.clone()),
                field,
                inventory: None,
            }
        }
        FormKind::Redline {
            step,
            number_fields,
        } => {
            let choice = form.selected("Change");
            let change = match choice.checked_sub(1).and_then(|i| number_fields.get(i)) {
                None => {
                    let text = form.value("New instructions");
                    if text.is_empty() {
                        errors.push("New instructions are required.".into());
                    }
                    RedlineChange::CorrectInstructions { instructions: text }
                }
                Some(name) => {
                    let validation = Validation {
                        min: parse_optional_number(&form, "Min", &mut errors),
                        max: parse_optional_number(&form, "Max", &mut errors),
                        target: parse_optional_number(&form, "Target", &mut errors),
                        tolerance: parse_optional_number(&form, "Tolerance", &mut errors),
                    };
                    let def = current_step(state)
                        .and_then(|s| s.fields.iter().find(|f| &f.def.name == name))
                        .map(|f| FieldDef {
                            validation,
                            ..f.def.clone()
                        });
                    match def {
                        Some(def) => RedlineChange::ChangeField {
                            field: name.clone(),
                            def,
                        },
                        None => {
                            errors.push(format!("The field {name} is no longer on this step."));
                            RedlineChange::CorrectInstructions {
                                instructions: String::new(),
                            }
                        }
                    }
                }
            };
            Command::ProposeRedline {
                step: step.clone(),
                change,
                reason,
            }
        }
        FormKind::AcceptDeviation {
            step,
            fields,
            issues,
        } => Command::AcceptDeviation {
            step: step.clone(),
            field: fields
                .get(form.selected("Field"))
                .cloned()
                .unwrap_or_default(),
            issue: issues
                .get(form.selected("Quality issue"))
                .copied()
                .unwrap_or(0),
            rationale: form.value(RATIONALE),
        },
        FormKind::Uninstall { step, identifiers } => Command::Uninstall {
            step: step.clone(),
            identifier: identifiers
                .get(form.selected("Item"))
                .cloned()
                .unwrap_or_default(),
        },
        FormKind::FailRun => {
            let issue_text = form.value("Link issue number");
            let issue = if issue_text.is_empty() {
                None
            } else {
                match issue_text.trim_start_matches('#').parse::<i64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        errors.push(format!(
                            "Link issue number expects a number like 12, got '{issue_text}'."
                        ));
                        None
                    }
                }
            };
            Command::FailRun {
                reason,
                issue,
                inventory_to: if form.selected("The unit goes to") == 1 {
                    FailInventoryTo::Scrapped
                } else {
                    FailInventoryTo::Quarantined
                },
            }
        }
        FormKind::ReopenRun => Command::ReopenRun { reason },
        FormKind::CloseIssue { issue } => Command::CloseIssue {
            issue: *issue,
            rationale: form.value(RATIONALE),
        },
        FormKind::Disposition { issue } => Command::SetDisposition {
            issue: *issue,
            disposition: Disposition::ALL
                .get(form.selected("Disposition"))
                .copied()
                .unwrap_or(Disposition::UseAsIs),
            rationale: form.value(RATIONALE),
        },
        FormKind::Correction {
            field,
            void_approval,
            ..
        } => {
            if !errors.is_empty() {
                return refuse_form(state, form, errors);
            }
            let effects = send_save(state, field, Some(reason), *void_approval);
            form.busy = !effects.is_empty();
            form.errors.clear();
            state.overlay = Some(Overlay::Form(form));
            return effects;
        }
        FormKind::SignOff {
            step,
            field,
            meaning,
        } => {
            if !errors.is_empty() {
                return refuse_form(state, form, errors);
            }
            let (login, secret) = signer_of(&form);
            let comment = Some(form.value("Comment")).filter(|c| !c.is_empty());
            let seen = Seen {
                step_version: current_step(state).map(|s| s.version),
                field_value: None,
            };
            let Some(run) = state.run_id() else {
                return Vec::new();
            };
            let effect = Effect::SignOff {
                login,
                secret,
                run,
                step: step.clone(),
                field: field.clone(),
                meaning: *meaning,
                comment,
                seen,
            };
            form.clear_secrets();
            form.busy = true;
            form.errors.clear();
            state.overlay = Some(Overlay::Form(form));
            return vec![effect];
        }
    };
    if !errors.is_empty() {
        return refuse_form(state, form, errors);
    }
    // Deviations and dispositions are signed: run as the signer, once their
    // login and PIN are checked again.
    let signed_run = match &form.kind {
        FormKind::AcceptDeviation { .. } => Some(state.run_id()),
        FormKind::Disposition { .. } => Some(None),
        _ => None,
    };
    if let Some(run) = signed_run {
        let (login, secret) = signer_of(&form);
        let seen = match run {
            Some(_) => Seen {
                step_version: current_step(state).map(|s| s.version),
                field_value: None,
            },
            None => Seen::default(),
        };
        form.clear_secrets();
        form.busy = true;
        form.errors.clear();
        state.overlay = Some(Overlay::Form(form));
        return vec![Effect::Signed {
            login,
            secret,
            run,
            command,
            seen,
        }];
    }
    form.busy = true;
    form.errors.clear();
    let is_run_level = matches!(form.kind, FormKind::FailRun | FormKind::ReopenRun);
    let is_issue_level = matches!(form.kind, FormKind::CloseIssue { .. });
    state.overlay = Some(Overlay::Form(form));
    if is_issue_level {
        let Some(actor) = state.session.clone() else {
            return Vec::new();
        };
        return vec![Effect::Execute {
            tag: ExecTag::Form,
            actor,
            run: None,
            command,
            seen: Seen::default(),
        }];
    }
    if is_run_level {
        let (Some(actor), Some(run)) = (state.session.clone(), state.run_id()) else {
            return Vec::new();
        };
        return vec![Effect::Execute {
            tag: ExecTag::Form,
            actor,
            run: Some(run),
            command,
            seen: Seen::default(),
        }];
    }
    step_command(state, ExecTag::Form, command)
}

fn refuse_form(state: &mut State, mut form: Form, errors: Vec<String>) -> Vec<Effect> {
    form.errors = errors;
    form.clear_secrets();
    form.focus_secret();
    state.overlay = Some(Overlay::Form(form));
    Vec::new()
}
