//! Read-only views of the step screen's data: the step on screen, the things
//! its cursor can rest on, and the field under the cursor.

use super::state::{BlockersFor, State, StepItem};
use crate::domain::{current_value, Field, FieldType, Run, RunStep, World};

pub fn current_run(state: &State) -> Option<&Run> {
    state.run.as_ref().map(|r| &r.bundle.run)
}

/// The step the step screen shows.
pub fn current_step(state: &State) -> Option<&RunStep> {
    let key = &state.step.as_ref()?.key;
    current_run(state)?.steps.iter().find(|s| &s.key == key)
}

/// Fields in order, then build requirements, then the scan box (only when
/// the step installs parts).
pub fn items(state: &State) -> Vec<StepItem> {
    let Some(step) = current_step(state) else {
        return Vec::new();
    };
    let mut out: Vec<StepItem> = (0..step.fields.len()).map(StepItem::Field).collect();
    out.extend((0..step.requirements.len()).map(StepItem::Requirement));
    if !step.requirements.is_empty() {
        out.push(StepItem::Scan);
    }
    out
}

pub fn focused_item(state: &State) -> Option<StepItem> {
    let focus = state.step.as_ref()?.focus;
    items(state).get(focus).copied()
}

/// The field under the cursor, if the cursor is on a field.
pub fn focused_field(state: &State) -> Option<&Field> {
    match focused_item(state)? {
        StepItem::Field(i) => current_step(state)?.fields.get(i),
        _ => None,
    }
}

/// The sign-off field an approve/reject means: the one under the cursor, or
/// the step's only sign-off.
pub fn signoff_field(state: &State) -> Option<&Field> {
    if let Some(f) = focused_field(state) {
        if f.def.field_type == FieldType::Signoff {
            return Some(f);
        }
    }
    let step = current_step(state)?;
    let mut signoffs = step
        .fields
        .iter()
        .filter(|f| f.def.field_type == FieldType::Signoff);
    match (signoffs.next(), signoffs.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The id of a field's current value (what `Seen.field_value` carries).
pub fn current_value_id(field: &Field) -> Option<u64> {
    current_value(field).map(|v| v.id)
}

/// The world the domain's read-only questions need, from the loaded run.
pub fn world_of(state: &State) -> Option<World> {
    let view = state.run.as_ref()?;
    Some(World {
        settings: view.bundle.settings.clone(),
        run: Some(view.bundle.run.clone()),
        issues: view
            .bundle
            .issues
            .iter()
            .map(|i| (i.id, i.clone()))
            .collect(),
        ..World::default()
    })
}

/// Everything that stops the signed-in user completing the step on screen
/// (the domain's list, every item).
pub fn blockers(state: &State) -> Vec<String> {
    let (Some(view), Some(step), Some(actor)) = (
        state.run.as_ref(),
        current_step(state),
        state.session.as_ref(),
    ) else {
        return Vec::new();
    };
    let fresh = |b: &BlockersFor| {
        b.step == step.key && b.step_version == step.version && b.login == actor.login
    };
    if let Some(cached) = view.blockers.borrow().as_ref().filter(|b| fresh(b)) {
        return cached.reasons.clone();
    }
    let Some(world) = world_of(state) else {
        return Vec::new();
    };
    let reasons = crate::domain::blockers(&world, &step.key, &actor.login);
    view.blockers.replace(Some(BlockersFor {
        step: step.key.clone(),
        step_version: step.version,
        login: actor.login.clone(),
        reasons: reasons.clone(),
    }));
    reasons
}
