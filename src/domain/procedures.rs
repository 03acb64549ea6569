//! Procedures: import a new draft version, release it.

use super::decide::{refuse_if_any, Ctx};
use super::event::Event;
use super::model::*;
use super::validation::{check_identifier, check_line_text, step_def_problems};
use super::Refusal;
use std::collections::{BTreeMap, BTreeSet};

/// Every problem with a procedure: key, title and `produces` given; at least
/// one step; step keys unique; each step's own checks (fields, validation,
/// options, sign-off roles, requirements); every `after` names a step of the
/// procedure; the dependencies have no cycle.
pub fn procedure_problems(p: &Procedure) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = check_identifier("A procedure key", &p.key) {
        out.push(e);
    }
    if p.title.trim().is_empty() {
        out.push(format!("Procedure '{}' needs a title.", p.key));
    } else if let Err(e) = check_line_text("The procedure's title", &p.title) {
        out.push(e);
    }
    if p.produces.trim().is_empty() {
        out.push(format!(
            "Procedure '{}' must name the part it produces.",
            p.key
        ));
    }
    if p.steps.is_empty() {
        out.push(format!("Procedure '{}' has no steps.", p.key));
    }
    let mut keys = BTreeSet::new();
    for s in &p.steps {
        if !keys.insert(s.key.as_str()) {
            out.push(format!("Step key '{}' is used twice.", s.key));
        }
        out.extend(step_def_problems(s));
    }
    for s in &p.steps {
        for dep in &s.after {
            if dep != &s.key && !keys.contains(dep.as_str()) {
                out.push(format!(
                    "Step '{}' depends on step '{dep}', which does not exist.",
                    s.key
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(&p.steps) {
        out.push(format!(
            "The steps depend on each other in a circle: {}.",
            cycle.join(" → ")
        ));
    }
    out
}

/// A dependency cycle among the steps, as the keys around it, if any.
fn find_cycle(steps: &[StepDef]) -> Option<Vec<String>> {
    let deps: BTreeMap<&str, Vec<&str>> = steps
        .iter()
        .map(|s| (s.key.as_str(), s.after.iter().map(String::as_str).collect()))
        .collect();
    // 0 = unvisited, 1 = on the path, 2 = done
    let mut mark: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        k: &'a str,
        deps: &BTreeMap<&'a str, Vec<&'a str>>,
        mark: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match mark.get(k) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| *p == k).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(k.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        mark.insert(k, 1);
        path.push(k);
        for d in deps.get(k).into_iter().flatten() {
            if deps.contains_key(d) {
                if let Some(c) = visit(d, deps, mark, path) {
                    return Some(c);
                }
            }
        }
        path.pop();
        mark.insert(k, 2);
        None
    }
    for s in steps {
        let mut path = Vec::new();
        if let Some(c) = visit(&s.key, &deps, &mut mark, &mut path) {
            return Some(c);
        }
    }
    None
}

/// Import a procedure (admin) as a new `draft` version: one more than the
/// highest version of that key the world holds (1 for a new key). The
/// version and state given in the file are ignored.
///
/// Rule (SPEC silent): the part produced and every part a requirement names
/// (or allows as a substitute) must already exist.
pub(crate) fn import<'a>(cx: &Ctx, p: &'a Procedure) -> Result<Vec<Event>, Refusal> {
    let mut reasons = procedure_problems(p);
    // Each unknown part is named once, with where the procedure uses it.
    let mut unknown: Vec<(&str, Vec<String>)> = Vec::new();
    let mut note = |part: &'a str, place: String| {
        if part.trim().is_empty() || cx.world.parts.contains_key(part) {
            return;
        }
        match unknown.iter_mut().find(|(p, _)| *p == part) {
            Some((_, places)) => places.push(place),
            None => unknown.push((part, vec![place])),
        }
    };
    note(&p.produces, "as the part produced".to_string());
    for s in &p.steps {
        for r in &s.installs {
            note(&r.part, format!("in step '{}'", s.key));
            for sub in &r.substitutes {
                note(sub, format!("as a substitute in step '{}'", s.key));
            }
        }
    }
    for (part, places) in unknown {
        reasons.push(format!(
            "Part {part} ({}) does not exist; add it with `traveler part add` first.",
            places.join(", ")
        ));
    }
    refuse_if_any(reasons)?;
    let version = cx
        .world
        .procedures
        .iter()
        .filter(|q| q.key == p.key)
        .map(|q| q.version)
        .max()
        .unwrap_or(0)
        + 1;
    let mut procedure = p.clone();
    procedure.version = version;
    procedure.state = ProcedureState::Draft;
    Ok(vec![Event::ProcedureImported { procedure }])
}

/// Release a draft (admin): it becomes `released` and the version released
/// before it, if any, `archived`. A released or archived version never
/// changes back.
pub(crate) fn release(cx: &Ctx, key: &str, version: i64) -> Result<Vec<Event>, Refusal> {
    let Some(p) = cx
        .world
        .procedures
        .iter()
        .find(|p| p.key == key && p.version == version)
    else {
        return Err(Refusal::one(format!(
            "There is no procedure '{key}' version {version}."
        )));
    };
    match p.state {
        ProcedureState::Released => {
            return Err(Refusal::one(format!(
                "Procedure '{key}' version {version} is already released."
            )))
        }
        ProcedureState::Archived => {
            return Err(Refusal::one(format!(
                "Procedure '{key}' version {version} is archived: archived versions cannot be released again."
            )))
        }
        ProcedureState::Draft => {}
    }
    refuse_if_any(procedure_problems(p))?;
    let mut out: Vec<Event> = cx
        .world
        .procedures
        .iter()
        .filter(|q| q.key == key && q.state == ProcedureState::Released)
        .map(|q| Event::ProcedureStateChanged {
            key: key.to_string(),
            version: q.version,
            from: ProcedureState::Released,
            to: ProcedureState::Archived,
        })
        .collect();
    out.push(Event::ProcedureStateChanged {
        key: key.to_string(),
        version,
        from: ProcedureState::Draft,
        to: ProcedureState::Released,
    });
    Ok(out)
}
