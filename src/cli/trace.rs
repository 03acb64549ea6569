//! `trace down` (the as-built tree) and `trace up` (where-used), and the
//! older `inventory tree`, which prints the same tree in its first form.

use super::args::TraceCmd;
use super::context::{push_line, CliResult, Ctx};
use super::show::local_time;
use crate::store::state_name;
use crate::store::trace::{AsBuilt, Installed, UsedIn};

pub fn trace(ctx: &Ctx, cmd: TraceCmd) -> CliResult {
    match cmd {
        TraceCmd::Down { unit } => {
            let tree = ctx.store.trace_down(&unit)?;
            ctx.print(&tree, || down_text(&tree))
        }
        TraceCmd::Up { identifier } => {
            let used = ctx.store.trace_up(&identifier)?;
            ctx.print(&used, || {
                let mut out = String::new();
                push_line(
                    &mut out,
                    &format!(
                        "{} {} ({})",
                        used.part,
                        used.identifier,
                        state_name(&used.state)
                    ),
                );
                if used.used_in.is_empty() {
                    push_line(&mut out, "  installed in no unit");
                }
                up_lines(&used.used_in, &mut out);
                if !used.units.is_empty() {
                    push_line(
                        &mut out,
                        &format!(
                            "{} unit(s) hold it: {}",
                            used.units.len(),
                            used.units.join(", ")
                        ),
                    );
                }
                out
            })
        }
    }
}

fn down_text(tree: &AsBuilt) -> String {
    let mut out = String::new();
    let runs: Vec<String> = tree.runs.iter().map(|r| format!("#{r}")).collect();
    push_line(
        &mut out,
        &format!(
            "{} {} ({}){}",
            tree.part,
            tree.identifier,
            state_name(&tree.state),
            if runs.is_empty() {
                String::new()
            } else {
                format!(", built by run {}", runs.join(", "))
            }
        ),
    );
    if tree.installed.is_empty() {
        push_line(&mut out, "  nothing installed");
    }
    down_lines(&tree.installed, 1, &mut out);
    out
}

fn down_lines(installed: &[Installed], depth: usize, out: &mut String) {
    for i in installed {
        push_line(
            out,
            &format!(
                "{}{} {} ×{} — run #{}, step {} ({}), {} by {}{}",
                "  ".repeat(depth),
                i.part,
                i.identifier,
                i.quantity,
                i.run,
                i.step,
                i.position,
                local_time(i.installed_at),
                i.installed_by,
                if i.scanned { ", scanned" } else { "" }
            ),
        );
        down_lines(&i.installed, depth + 1, out);
    }
}

fn up_lines(used: &[UsedIn], out: &mut String) {
    for u in used {
        push_line(
            out,
            &format!(
                "{}{} {} holds {} ×{} — run #{} ({}), step {} ({}), {} by {}",
                "  ".repeat(u.level),
                u.part,
                u.unit,
                u.contains,
                u.quantity,
                u.run,
                u.run_title,
                u.step,
                u.position,
                local_time(u.installed_at),
                u.installed_by
            ),
        );
        up_lines(&u.used_in, out);
    }
}

/// `inventory tree`'s lines, as it always printed them (its `--json` is
/// this list of lines): `PART ID (state)`, then `PART ID ×Q (run N, step KEY)`
/// indented by depth.
pub fn legacy_tree_lines(tree: &AsBuilt) -> Vec<String> {
    let mut lines = vec![format!(
        "{} {} ({})",
        tree.part,
        tree.identifier,
        state_name(&tree.state)
    )];
    fn walk(installed: &[Installed], depth: usize, lines: &mut Vec<String>) {
        for i in installed {
            lines.push(format!(
                "{}{} {} ×{} (run {}, step {})",
                "  ".repeat(depth),
                i.part,
                i.identifier,
                i.quantity,
                i.run,
                i.step
            ));
            walk(&i.installed, depth + 1, lines);
        }
    }
    walk(&tree.installed, 1, &mut lines);
    lines
}
