//! One run's record as a single self-contained HTML page: inline CSS for
//! screen and print (A4 and Letter alike: the page box is the printer's,
//! the content fits the narrower width), no external assets, no script,
//! and a Content-Security-Policy that would block one anyway. Every stored
//! text goes through `text`: HTML-escaped, with terminal controls, bidi
//! overrides and zero-width characters shown as visible escapes.

use super::record::{local_text, FieldRecord, ManifestEntry, RunRecord, StateMove, StepRecord};
use crate::domain::{escape_unprintable, FieldType, Time, Verdict};
use crate::store::state_name;
use std::fmt::Write;

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 10pt/1.35 "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0 auto;
       max-width: 180mm; padding: 8mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 0.4mm solid #444;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; table-layout: auto; }
th, td { border: 0.2mm solid #999; padding: 0.8mm 1.2mm; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; word-break: break-word; }
th { background: #eee; font-weight: 600; }
thead { display: table-header-group; }
tr, .keep { break-inside: avoid; page-break-inside: avoid; }
del { color: #666; }
.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8.5pt; }
.small { font-size: 8.5pt; color: #333; }
.bad { font-weight: 600; }
.mark { font-weight: 700; border: 0.3mm solid #111; padding: 0 1mm; }
.step { border-top: 0.3mm solid #bbb; padding-top: 1mm; }
@page { margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Stored text made safe for HTML: visible escapes for what could hide,
/// reorder or break text (a line break shows as `\n`, as on the command
/// line, so a reason cannot forge a second line of the record), then
/// `& < > " '` as entities.
pub fn text(raw: &str) -> String {
    let mut out = String::new();
    for c in escape_unprintable(raw).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Text written as several lines (instructions, comments, an issue's
/// description): each line made safe by `text`, joined by `<br>`, as the
/// terminal shows them as lines.
pub fn lines(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .split('\n')
        .map(text)
        .collect::<Vec<_>>()
        .join("<br>")
}

fn utc(t: &Time) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn opt_utc(t: &Option<Time>) -> String {
    t.as_ref().map(utc).unwrap_or_else(|| "—".into())
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(text).unwrap_or_else(|| "—".into())
}

/// A table: header cells, then rows of cells that are already HTML.
fn table(out: &mut String, class: &str, head: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        out.push_str("<p class=\"small\">None.</p>\n");
        return;
    }
    let _ = write!(out, "<table class=\"{class}\"><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", text(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The run's particulars: a name and its value (already HTML) per row.
fn header_table(out: &mut String, rows: &[Vec<String>]) {
    out.push_str("<table class=\"header\"><tbody>\n");
    for row in rows {
        if let [name, value] = row.as_slice() {
            let _ = writeln!(out, "<tr><th>{}</th><td>{value}</td></tr>", text(name));
        }
    }
    out.push_str("</tbody></table>\n");
}

/// State changes: when, who, from, to, why, and the audit event.
fn moves_table(out: &mut String, class: &str, moves: &[StateMove]) {
    let rows: Vec<Vec<String>> = moves
        .iter()
        .map(|m| {
            vec![
                utc(&m.at),
                text(&m.by),
                opt(&m.from),
                text(&m.to),
                opt(&m.reason),
                m.seq.to_string(),
            ]
        })
        .collect();
    table(
        out,
        class,
        &["When", "By", "From", "To", "Reason", "Event"],
        &rows,
    );
}

fn verdict_mark(v: Verdict, field_type: FieldType) -> &'static str {
    // Never colour alone: the sign and the word carry the verdict. A
    // pass/fail field passes or fails, as the terminal says; it has no range.
    match (v, field_type) {
        (Verdict::InRange, FieldType::PassFail) => "✓ pass",
        (Verdict::OutOfRange, FieldType::PassFail) => "<span class=\"bad\">✗ fail</span>",
        (Verdict::InRange, _) => "✓ in range",
        (Verdict::OutOfRange, _) => "<span class=\"bad\">✗ out of range</span>",
        (Verdict::NoRule, _) => "no rule",
    }
}

pub fn render(r: &RunRecord) -> String {
    let run = &r.run;
    let mut out = String::new();
    let title = format!("Run #{} — {} — {}", run.id, run.serial, run.title);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style></head><body>",
        text(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", text(&title));
    header_table(
        &mut out,
        &[
            vec![
                "Procedure".into(),
                format!(
                    "{} v{} — {}",
                    text(&run.procedure_key),
                    run.procedure_version,
                    opt(&run.procedure_title)
                ),
            ],
            vec![
                "Unit".into(),
                format!("{} {}", text(&run.part), text(&run.serial)),
            ],
            vec!["State".into(), text(run.state.name())],
            vec!["Created".into(), utc(&run.created_at)],
            vec!["Started".into(), opt_utc(&run.started_at)],
            vec!["Completed".into(), opt_utc(&run.completed_at)],
            vec![
                "Failure".into(),
                run.failure
                    .as_ref()
                    .map(|f| format!("{} — by {} at {}", text(&f.reason), text(&f.by), utc(&f.at)))
                    .unwrap_or_else(|| "—".into()),
            ],
            vec![
                "Exported".into(),
                format!(
                    "{} ({})",
                    utc(&r.exported_at),
                    text(&local_text(r.exported_at))
                ),
            ],
        ],
    );
    out.push_str("<h2>Run history</h2>\n");
    moves_table(&mut out, "history", &r.run_history);

    out.push_str("<h2>Steps</h2>\n");
    for step in &r.steps {
        step_html(&mut out, step);
    }

    out.push_str("<h2>Redlines</h2>\n");
    let rows: Vec<Vec<String>> = r
        .redlines
        .iter()
        .map(|rl| {
            vec![
                rl.id.to_string(),
                text(&rl.step),
                text(&rl.change),
                text(&rl.reason),
                text(&state_name(&rl.state)),
                format!("{} at {}", text(&rl.proposed_by), utc(&rl.proposed_at)),
                format!("{} at {}", opt(&rl.decided_by), opt_utc(&rl.decided_at)),
            ]
        })
        .collect();
    table(
        &mut out,
        "redlines",
        &[
            "#", "Step", "Change", "Reason", "State", "Proposed", "Decided",
        ],
        &rows,
    );

    out.push_str("<h2>Quality issues</h2>\n");
    let rows: Vec<Vec<String>> = r
        .issues
        .iter()
        .map(|i| {
            let actions: Vec<String> = i
                .approvals
                .iter()
                .map(|a| {
                    format!(
                        "{} by {} at {}{}",
                        text(&a.action),
                        text(&a.by),
                        utc(&a.at),
                        a.why()
                            .map(|why| format!(": {}", text(why)))
                            .unwrap_or_default()
                    )
                })
                .collect();
            vec![
                i.id.to_string(),
                format!("<b>{}</b><br>{}", text(&i.title), lines(&i.description)),
                text(&state_name(&i.state)),
                i.disposition
                    .map(|d| text(d.name()))
                    .unwrap_or_else(|| "—".into()),
                format!("{} at {}", text(&i.raised_by), utc(&i.raised_at)),
                if actions.is_empty() {
                    "—".into()
                } else {
                    actions.join("<br>")
                },
            ]
        })
        .collect();
    table(
        &mut out,
        "issues",
        &[
            "#",
            "Issue",
            "State",
            "Disposition",
            "Raised",
            "Dispositions and closing",
        ],
        &rows,
    );

    out.push_str("<h2>Signature manifest</h2>\n");
    let rows: Vec<Vec<String>> = r.signatures.iter().map(signature_row).collect();
    table(
        &mut out,
        "signatures",
        &[
            "Signed",
            "Printed name",
            "Login",
            "Time (UTC)",
            "Time (local)",
            "Meaning",
            "Comment",
            "Binds to (SHA-256)",
        ],
        &rows,
    );

    out.push_str("<h2>Audit trail of the run</h2>\n");
    let rows: Vec<Vec<String>> = r
        .events
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                utc(&e.at),
                text(&e.user),
                text(&e.station),
                text(&e.action.replace('_', " ")),
                text(&e.entity),
                opt(&e.reason),
            ]
        })
        .collect();
    table(
        &mut out,
        "events small",
        &[
            "Event", "When", "User", "Station", "Action", "Entity", "Reason",
        ],
        &rows,
    );

    out.push_str("<h2>Audit chain anchor</h2>\n");
    match &r.anchor {
        Some(a) => {
            let _ = writeln!(
                out,
                "<p class=\"keep\">The run's last event, {} at {}, has the chain hash below; \
                 <span class=\"mono\">traveler audit verify --anchor LINE</span> checks that the \
                 database still holds it.</p>\n<p class=\"mono anchor\">{}</p>",
                a.seq,
                text(&a.at),
                text(&a.line)
            );
        }
        None => out.push_str("<p>The run has no audit events.</p>\n"),
    }
    out.push_str("</body></html>\n");
    out
}

fn signature_row(m: &ManifestEntry) -> Vec<String> {
    let what = format!(
        "{}{}{}{}",
        text(&state_name(&m.kind)),
        m.step
            .as_ref()
            .map(|s| format!(", step {}", text(s)))
            .unwrap_or_default(),
        m.field
            .as_ref()
            .map(|f| format!(", field {}", text(f)))
            .unwrap_or_default(),
        m.issue.map(|i| format!(", issue {i}")).unwrap_or_default(),
    );
    let mut marks = Vec::new();
    if !m.secret_set_by_signer {
        marks.push("<span class=\"mark\">PIN set by another user when signed</span>".to_string());
    }
    if let Some(reset) = &m.pin_reset_by_other_after {
        marks.push(format!(
            "<span class=\"mark\">signed before a PIN reset by {} at {}</span>",
            text(&reset.by),
            utc(&reset.at)
        ));
    }
    vec![
        if marks.is_empty() {
            what
        } else {
            format!("{what}<br>{}", marks.join("<br>"))
        },
        text(&m.name),
        text(&m.login),
        utc(&m.at_utc),
        text(&m.at_local),
        text(&m.meaning),
        opt(&m.comment),
        format!(
            "<span class=\"mono\">{}</span><br><span class=\"small\">{}</span>",
            opt(&m.sha256),
            text(&m.sha256_of)
        ),
    ]
}

fn step_html(out: &mut String, step: &StepRecord) {
    let _ = writeln!(
        out,
        "<section class=\"step\"><h3>{} {} <span class=\"small\">[{}] — {}{}{}</span></h3>",
        text(&step.position),
        text(&step.title),
        text(&step.key),
        text(step.state.name()),
        if step.required { "" } else { ", optional" },
        step.superseded_by
            .as_ref()
            .map(|b| format!(", superseded by {}", text(b)))
            .unwrap_or_default()
    );
    if !step.instructions.is_empty() {
        let _ = writeln!(out, "<p class=\"small\">{}</p>", lines(&step.instructions));
    }
    if let (Some(by), Some(at)) = (&step.completed_by, &step.completed_at) {
        let _ = writeln!(
            out,
            "<p class=\"small\">Completed by {} at {}.</p>",
            text(by),
            utc(at)
        );
    }
    if !step.history.is_empty() {
        moves_table(out, "step-history", &step.history);
    }
    let fields: Vec<Vec<String>> = step.fields.iter().flat_map(field_rows).collect();
    if !fields.is_empty() {
        table(
            out,
            "values",
            &["Field", "Value", "Rule", "Verdict", "By", "When", "Reason"],
            &fields,
        );
    }
    let installs: Vec<Vec<String>> = step
        .installs
        .iter()
        .map(|i| {
            let shown = format!("{} ×{}", text(&i.install.identifier), i.install.quantity);
            vec![
                text(&i.requirement),
                text(&i.install.part),
                match &i.install.removed_at {
                    Some(at) => format!(
                        "<del>{shown}</del> removed by {} at {}",
                        opt(&i.install.removed_by),
                        utc(at)
                    ),
                    None => shown,
                },
                i.tracking
                    .map(|t| text(&state_name(&t)))
                    .unwrap_or_else(|| "—".into()),
                text(&i.install.by),
                utc(&i.install.at),
                if i.install.scanned {
                    "scanned"
                } else {
                    "typed"
                }
                .into(),
            ]
        })
        .collect();
    if !installs.is_empty() {
        table(
            out,
            "installs",
            &[
                "Requirement",
                "Part",
                "Serial / lot",
                "Tracking",
                "By",
                "When",
                "Entry",
            ],
            &installs,
        );
    }
    for e in &step.exceptions {
        let _ = writeln!(
            out,
            "<p>Requirement {} excepted via issue {} by {} at {}: {}</p>",
            text(&e.requirement),
            e.exception.issue,
            text(&e.exception.by),
            utc(&e.exception.at),
            text(&e.exception.reason)
        );
    }
    let labour: Vec<Vec<String>> = step
        .labour
        .iter()
        .map(|l| {
            vec![
                l.session.id.to_string(),
                text(&l.session.user),
                utc(&l.session.started_at),
                opt_utc(&l.session.ended_at),
                l.minutes
                    .map(|m| format!("{m} min"))
                    .unwrap_or_else(|| "open".into()),
            ]
        })
        .collect();
    if !labour.is_empty() {
        table(
            out,
            "labour",
            &["Session", "User", "In", "Out", "Time"],
            &labour,
        );
    }
    let comments: Vec<Vec<String>> = step
        .comments
        .iter()
        .map(|c| vec![text(&c.by), utc(&c.at), lines(&c.text)])
        .collect();
    if !comments.is_empty() {
        table(out, "comments", &["By", "When", "Comment"], &comments);
    }
    out.push_str("</section>\n");
}

/// A field's values, oldest first: earlier ones struck through, then any
/// deviation accepted on one of them.
fn field_rows(f: &FieldRecord) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let unit = f
        .unit
        .as_deref()
        .map(|u| format!(" {}", text(u)))
        .unwrap_or_default();
    let rule = if f.rule.is_empty() {
        "—".to_string()
    } else {
        text(&f.rule)
    };
    if f.field_type == FieldType::Signoff {
        rows.push(vec![
            text(&f.name),
            "sign-off: see the signature manifest".into(),
            rule.clone(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
    } else if f.values.is_empty() {
        rows.push(vec![
            text(&f.name),
            "— (no value)".into(),
            rule.clone(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
    }
    for v in &f.values {
        let shown = format!("{}{unit}", text(&v.value));
        rows.push(vec![
            text(&f.name),
            if v.current {
                format!("<b>{shown}</b>")
            } else {
                format!("<del>{shown}</del>")
            },
            rule.clone(),
            verdict_mark(v.verdict, f.field_type).into(),
            text(&v.by),
            utc(&v.at),
            opt(&v.reason),
        ]);
    }
    for d in &f.deviations {
        rows.push(vec![
            text(&f.name),
            format!("deviation on value {}", d.value_id),
            format!("issue {}", d.issue),
            "accepted".into(),
            text(&d.by),
            utc(&d.at),
            text(&d.rationale),
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::{lines, text};

    #[test]
    fn stored_text_cannot_become_markup() {
        assert_eq!(
            text("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn line_breaks_show_and_reordering_characters_are_visible() {
        assert_eq!(text("first\nHELD BY admin"), "first\\nHELD BY admin");
        assert_eq!(lines("one\r\ntwo"), "one<br>two");
        assert_eq!(lines("a\u{1b}[2J\nb"), "a\\u{1b}[2J<br>b");
        let shown = text("abc\u{202e}def");
        assert!(!shown.contains('\u{202e}'), "{shown}");
        assert!(shown.contains("202e"), "{shown}");
    }
}
