//! Quality issues: raise, disposition, close.

use super::decide::{need_text, refuse_if_any, Ctx};
use super::decision_signatures::decision_signature;
use super::event::Event;
use super::model::*;
use super::queries::*;
use super::Refusal;

/// A new open issue with the next issue id.
pub(crate) fn new_issue(
    cx: &Ctx,
    title: &str,
    description: &str,
    run: Option<RunId>,
    step: Option<String>,
    field: Option<String>,
    inventory: Option<String>,
) -> Issue {
    Issue {
        id: cx.world.next_issue_id.max(1),
        title: title.trim().to_string(),
        description: description.trim().to_string(),
        run,
        step,
        field,
        inventory,
        state: IssueState::Open,
        disposition: None,
        raised_by: cx.by().to_string(),
        raised_at: cx.now(),
        approvals: Vec::new(),
    }
}

/// Raise an issue, linked to the request's run (if any) and optionally to a
/// step, a field of that step, and an inventory item. A title is required;
/// the description may be empty. Rule (SPEC silent): issues may be raised on
/// runs in any state, including failed and complete ones.
pub(crate) fn raise(
    cx: &Ctx,
    title: &str,
    description: &str,
    step: Option<&str>,
    field: Option<&str>,
    inventory: Option<&str>,
) -> Result<Vec<Event>, Refusal> {
    let run = match (cx.req.run, &cx.world.run) {
        (None, None) => None,
        _ => Some(cx.run()?),
    };
    let mut reasons = Vec::new();
    if let Err(e) = super::validation::check_line_text("An issue title", title) {
        reasons.push(e);
    }
    if !description.trim().is_empty() {
        need_text(&mut reasons, "The description", description);
    }
    let mut step_key = None;
    if let Some(s) = step {
        match run.and_then(|r| find_step(r, s)) {
            Some(found) => {
                step_key = Some(found.key.clone());
                if let Some(f) = field {
                    if field_by_name(found, f).is_none() {
                        reasons.push(format!("Step {} has no field '{f}'.", found.named()));
                    }
                }
            }
            None => match run {
                Some(r) => reasons.push(format!("Run {} has no step '{s}'.", r.id)),
                None => reasons.push(format!("An issue about step '{s}' needs its run.")),
            },
        }
    } else if let Some(f) = field {
        reasons.push(format!("An issue about field '{f}' must name its step."));
    }
    if let Some(i) = inventory {
        if !cx.world.inventory.contains_key(i) {
            reasons.push(format!("No serial or lot '{i}' exists."));
        }
    }
    refuse_if_any(reasons)?;
    Ok(vec![Event::IssueRaised {
        issue: new_issue(
            cx,
            title,
            description,
            run.map(|r| r.id),
            step_key,
            field.map(str::to_string),
            inventory.map(str::to_string),
        ),
    }])
}

fn existing<'a>(cx: &Ctx<'a>, id: IssueId) -> Result<&'a Issue, Refusal> {
    cx.world
        .issues
        .get(&id)
        .ok_or_else(|| Refusal::one(format!("There is no issue {id}.")))
}

/// Set a disposition (quality or admin).
///
/// Rule (SPEC: "`dispositioned` → `open` when the disposition changes"):
/// on an open issue the disposition is set and the issue becomes
/// `dispositioned`. On a dispositioned issue a *different* disposition is
/// recorded as two audited transitions in one action: back to `open`, then
/// `dispositioned` with the new disposition. The same disposition again is
/// refused; a closed issue cannot be changed. A `scrap` disposition on an
/// issue naming an inventory item scraps that item (nothing is un-scrapped
/// if the disposition later changes). A disposition is signed: the secret
/// again and a rationale (see `decision_signatures`).
pub(crate) fn disposition(
    cx: &Ctx,
    id: IssueId,
    to: Disposition,
    rationale: &str,
) -> Result<Vec<Event>, Refusal> {
    let issue = existing(cx, id)?;
    let mut reasons = Vec::new();
    let signature = decision_signature(
        cx,
        "Setting a disposition",
        format!("disposition: {}", to.name()),
        rationale,
        &mut reasons,
    );
    if issue.state == IssueState::Closed {
        reasons.push(format!("Issue {id} is closed."));
    }
    if issue.disposition == Some(to) && issue.state != IssueState::Closed {
        reasons.push(format!("Issue {id} already has disposition {}.", to.name()));
    }
    let scrap_item = match (&issue.inventory, to) {
        (Some(identifier), Disposition::Scrap) => match cx.world.inventory.get(identifier) {
            Some(item) => Some(item),
            None => {
                reasons.push(format!(
                    "Issue {id} names '{identifier}', which is not known here, so it cannot be scrapped."
                ));
                None
            }
        },
        _ => None,
    };
    refuse_if_any(reasons)?;
    let mut out = Vec::new();
    if issue.state == IssueState::Dispositioned {
        out.push(Event::IssueStateChanged {
            issue: id,
            from: IssueState::Dispositioned,
            to: IssueState::Open,
            rationale: None,
        });
    }
    out.push(Event::IssueDispositionSet {
        issue: id,
        from: issue.disposition,
        to,
        signature: Some(signature),
    });
    out.push(Event::IssueStateChanged {
        issue: id,
        from: IssueState::Open,
        to: IssueState::Dispositioned,
        rationale: None,
    });
    if let Some(item) = scrap_item {
        if item.state != InventoryState::Scrapped {
            out.push(Event::InventoryStateChanged {
                identifier: item.identifier.clone(),
                from: item.state,
                to: InventoryState::Scrapped,
            });
        }
    }
    Ok(out)
}

/// Close an issue (quality or admin). It must be `dispositioned` first (SPEC
/// order open → dispositioned → closed). Closing the last open issue of a
/// finished run completes the run.
/// Closing an issue names why it is done with (SPEC: dispositions and closes
/// take a rationale); every reason is given at once.
pub(crate) fn close(cx: &Ctx, id: IssueId, rationale: &str) -> Result<Vec<Event>, Refusal> {
    let issue = existing(cx, id)?;
    let mut reasons = Vec::new();
    match issue.state {
        IssueState::Closed => reasons.push(format!("Issue {id} is already closed.")),
        IssueState::Open => reasons.push(format!(
            "Issue {id} has no disposition yet: set one before closing it."
        )),
        IssueState::Dispositioned => {}
    }
    need_text(&mut reasons, "A rationale for closing the issue", rationale);
    refuse_if_any(reasons)?;
    Ok(vec![Event::IssueStateChanged {
        issue: id,
        from: IssueState::Dispositioned,
        to: IssueState::Closed,
        rationale: Some(rationale.trim().to_string()),
    }])
}
