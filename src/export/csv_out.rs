//! CSV for spreadsheets: RFC 4180 quoting (the `csv` crate, CRLF line
//! ends), and every cell made safe to open: a cell starting with `=`, `+`,
//! `-`, `@` or a tab gets a leading apostrophe so no spreadsheet runs it as a
//! formula, and control characters other than line break and tab (which
//! traveler never accepts) are written as visible escapes.

use super::record::{RunRecord, StepRecord};
use crate::domain::{rule_text, value_text, Run, Time};
use crate::store::{state_name, time_text};
use anyhow::Result;
use std::io::Write;

/// A cell as written: formula starts neutralised, stray controls escaped.
pub fn cell(text: &str) -> String {
    let escaped: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    // A leading tab is on OWASP's list too: some spreadsheets skip it.
    if escaped.starts_with(['=', '+', '-', '@', '\t']) {
        format!("'{escaped}")
    } else {
        escaped
    }
}

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

fn row<W: Write>(w: &mut csv::Writer<W>, cells: &[String]) -> Result<()> {
    w.write_record(cells.iter().map(|c| cell(c)))?;
    Ok(())
}

fn t(time: &Time) -> String {
    time_text(time)
}

fn opt_t(time: &Option<Time>) -> String {
    time.as_ref().map(t).unwrap_or_default()
}

fn s(text: impl ToString) -> String {
    text.to_string()
}

/// The columns of `run export --all --format csv`: one row per value.
pub const VALUE_COLUMNS: [&str; 18] = [
    "run",
    "serial",
    "procedure",
    "procedure_version",
    "run_state",
    "step_position",
    "step",
    "field",
    "type",
    "value",
    "unit",
    "rule",
    "verdict",
    "current",
    "by",
    "at_utc",
    "reason",
    "replaces",
];

/// Starts a batch export: the header row.
pub fn values_header<W: Write>(out: W) -> Result<csv::Writer<W>> {
    let mut w = writer(out);
    row(&mut w, &VALUE_COLUMNS.map(s))?;
    Ok(w)
}

/// One row per value of `run`, every earlier value included.
pub fn value_rows<W: Write>(w: &mut csv::Writer<W>, run: &Run) -> Result<()> {
    for step in &run.steps {
        for field in &step.fields {
            let last = field.values.len().saturating_sub(1);
            for (i, v) in field.values.iter().enumerate() {
                row(
                    w,
                    &[
                        s(run.id),
                        run.serial.clone(),
                        run.procedure_key.clone(),
                        s(run.procedure_version),
                        s(run.state.name()),
                        step.position.clone(),
                        step.key.clone(),
                        field.def.name.clone(),
                        s(field.def.field_type.name()),
                        value_text(&v.value),
                        field.def.unit.clone().unwrap_or_default(),
                        rule_text(&field.def),
                        state_name(&v.verdict),
                        s(i == last),
                        v.by.clone(),
                        t(&v.at),
                        v.reason.clone().unwrap_or_default(),
                        v.replaces.map(s).unwrap_or_default(),
                    ],
                )?;
            }
        }
    }
    Ok(())
}

/// The columns of one run's record as CSV: one row per element.
pub const RECORD_COLUMNS: [&str; 11] = [
    "section", "step", "subject", "value", "unit", "rule", "verdict", "by", "at_utc", "reason",
    "detail",
];

/// One row of a run's record, by column name; what an element lacks stays empty.
#[derive(Default)]
struct Line {
    section: &'static str,
    step: String,
    subject: String,
    value: String,
    unit: String,
    rule: String,
    verdict: String,
    by: String,
    at: String,
    reason: String,
    detail: String,
}

impl Line {
    fn new(section: &'static str) -> Line {
        Line {
            section,
            ..Line::default()
        }
    }

    fn cells(self) -> [String; 11] {
        [
            self.section.to_string(),
            self.step,
            self.subject,
            self.value,
            self.unit,
            self.rule,
            self.verdict,
            self.by,
            self.at,
            self.reason,
            self.detail,
        ]
    }
}

/// One run's whole record, one row per element, `section` saying which.
pub fn record_csv<W: Write>(out: W, r: &RunRecord) -> Result<()> {
    let mut w = writer(out);
    row(&mut w, &RECORD_COLUMNS.map(s))?;
    let mut lines = Vec::new();
    let run = &r.run;
    lines.push(Line {
        subject: format!("#{} {}", run.id, run.serial),
        value: s(run.state.name()),
        at: t(&run.created_at),
        detail: format!(
            "{} v{} {}; part {}; {}",
            run.procedure_key,
            run.procedure_version,
            run.procedure_title.clone().unwrap_or_default(),
            run.part,
            run.title
        ),
        ..Line::new("run")
    });
    for m in &r.run_history {
        lines.push(Line {
            subject: s("run"),
            value: m.to.clone(),
            by: m.by.clone(),
            at: t(&m.at),
            reason: m.reason.clone().unwrap_or_default(),
            detail: match &m.from {
                Some(from) => format!("from {from}; audit event {}", m.seq),
                None => format!("audit event {}", m.seq),
            },
            ..Line::new("run_state")
        });
    }
    for step in &r.steps {
        step_lines(&mut lines, step);
    }
    for rl in &r.redlines {
        lines.push(Line {
            step: rl.step.clone(),
            subject: format!("redline {} ({})", rl.id, rl.kind),
            value: state_name(&rl.state),
            by: rl.proposed_by.clone(),
            at: t(&rl.proposed_at),
            reason: rl.reason.clone(),
            detail: format!(
                "{}; decided by {} at {}",
                rl.change,
                rl.decided_by.clone().unwrap_or_default(),
                opt_t(&rl.decided_at)
            ),
            ..Line::new("redline")
        });
    }
    for i in &r.issues {
        let step = i.step.clone().unwrap_or_default();
        lines.push(Line {
            step: step.clone(),
            subject: format!("issue {}: {}", i.id, i.title),
            value: state_name(&i.state),
            by: i.raised_by.clone(),
            at: t(&i.raised_at),
            reason: i.description.clone(),
            detail: format!(
                "disposition {}",
                i.disposition.map(|d| d.name()).unwrap_or("none")
            ),
            ..Line::new("issue")
        });
        for a in &i.approvals {
            lines.push(Line {
                step: step.clone(),
                subject: format!("issue {}", i.id),
                value: a.action.clone(),
                by: a.by.clone(),
                at: t(&a.at),
                reason: a.why().unwrap_or_default().to_string(),
                ..Line::new("issue_action")
            });
        }
    }
    for m in &r.signatures {
        lines.push(Line {
            step: m.step.clone().unwrap_or_default(),
            subject: format!(
                "{} {}{}",
                state_name(&m.kind),
                m.field.clone().unwrap_or_default(),
                m.issue.map(|i| format!(" issue {i}")).unwrap_or_default()
            ),
            value: m.meaning.clone(),
            by: format!("{} ({})", m.name, m.login),
            at: t(&m.at_utc),
            reason: m.comment.clone().unwrap_or_default(),
            detail: format!(
                "local {}; sha256 {} of {}; PIN {}{}",
                m.at_local,
                m.sha256.clone().unwrap_or_default(),
                m.sha256_of,
                if m.secret_set_by_signer {
                    "set by the signer"
                } else {
                    "set by another user"
                },
                m.pin_reset_by_other_after
                    .as_ref()
                    .map(|p| format!("; PIN reset by {} at {} after signing", p.by, t(&p.at)))
                    .unwrap_or_default()
            ),
            ..Line::new("signature")
        });
    }
    if let Some(a) = &r.anchor {
        lines.push(Line {
            subject: format!("audit event {}", a.seq),
            value: a.hash.clone(),
            at: a.at.clone(),
            detail: a.line.clone(),
            ..Line::new("anchor")
        });
    }
    for line in lines {
        row(&mut w, &line.cells())?;
    }
    w.flush()?;
    Ok(())
}

fn step_lines(lines: &mut Vec<Line>, step: &StepRecord) {
    let key = format!("{} {}", step.position, step.key);
    lines.push(Line {
        step: key.clone(),
        subject: step.title.clone(),
        value: s(step.state.name()),
        by: step.completed_by.clone().unwrap_or_default(),
        at: opt_t(&step.completed_at),
        detail: format!(
            "{}{}",
            if step.required {
                "required"
            } else {
                "optional"
            },
            step.superseded_by
                .as_ref()
                .map(|b| format!("; superseded by {b}"))
                .unwrap_or_default()
        ),
        ..Line::new("step")
    });
    for m in &step.history {
        lines.push(Line {
            step: key.clone(),
            subject: m.from.clone().unwrap_or_default(),
            value: m.to.clone(),
            by: m.by.clone(),
            at: t(&m.at),
            reason: m.reason.clone().unwrap_or_default(),
            detail: format!("audit event {}", m.seq),
            ..Line::new("step_state")
        });
    }
    for f in &step.fields {
        for v in &f.values {
            lines.push(Line {
                step: key.clone(),
                subject: f.name.clone(),
                value: v.value.clone(),
                unit: f.unit.clone().unwrap_or_default(),
                rule: f.rule.clone(),
                verdict: state_name(&v.verdict),
                by: v.by.clone(),
                at: t(&v.at),
                reason: v.reason.clone().unwrap_or_default(),
                detail: format!(
                    "value {}{}{}",
                    v.id,
                    v.replaces
                        .map(|r| format!(", replaces {r}"))
                        .unwrap_or_default(),
                    v.file_sha256
                        .as_ref()
                        .map(|h| format!(", sha256 {h}"))
                        .unwrap_or_default()
                ),
                ..Line::new(if v.current { "value" } else { "earlier_value" })
            });
        }
        for d in &f.deviations {
            lines.push(Line {
                step: key.clone(),
                subject: f.name.clone(),
                value: format!("value {}", d.value_id),
                by: d.by.clone(),
                at: t(&d.at),
                reason: d.rationale.clone(),
                detail: format!("issue {}", d.issue),
                ..Line::new("deviation")
            });
        }
    }
    for i in &step.installs {
        lines.push(Line {
            step: key.clone(),
            subject: i.install.identifier.clone(),
            value: s(i.install.quantity),
            by: i.install.by.clone(),
            at: t(&i.install.at),
            detail: format!(
                "part {} for {}{}{}{}",
                i.install.part,
                i.requirement,
                i.tracking
                    .map(|t| format!(", {}", state_name(&t)))
                    .unwrap_or_default(),
                if i.install.scanned { ", scanned" } else { "" },
                match (&i.install.removed_by, &i.install.removed_at) {
                    (Some(by), Some(at)) => format!(", removed by {by} at {}", t(at)),
                    _ => String::new(),
                }
            ),
            ..Line::new("install")
        });
    }
    for e in &step.exceptions {
        lines.push(Line {
            step: key.clone(),
            subject: e.requirement.clone(),
            value: format!("issue {}", e.exception.issue),
            by: e.exception.by.clone(),
            at: t(&e.exception.at),
            reason: e.exception.reason.clone(),
            ..Line::new("exception")
        });
    }
    for l in &step.labour {
        lines.push(Line {
            step: key.clone(),
            subject: format!("session {}", l.session.id),
            value: l
                .minutes
                .map(|m| format!("{m} min"))
                .unwrap_or_else(|| s("open")),
            by: l.session.user.clone(),
            at: t(&l.session.started_at),
            detail: format!("ended {}", opt_t(&l.session.ended_at)),
            ..Line::new("labour")
        });
    }
    for c in &step.comments {
        lines.push(Line {
            step: key.clone(),
            value: c.text.clone(),
            by: c.by.clone(),
            at: t(&c.at),
            ..Line::new("comment")
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_could_be_a_formula_gets_an_apostrophe() {
        for risky in ["=1+1", "+1", "-2", "@SUM(A1)", "=HYPERLINK(\"x\")", "\t=1"] {
            assert_eq!(cell(risky), format!("'{risky}"));
        }
        for plain in ["1.5", "pass", "a=b", " =1", "'quoted"] {
            assert_eq!(cell(plain), plain);
        }
    }

    #[test]
    fn controls_other_than_line_break_and_tab_are_written_visibly() {
        assert_eq!(cell("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(cell("line\nnext\tcol"), "line\nnext\tcol");
        // A control can not hide a formula start either.
        assert_eq!(cell("\r=1"), "\\u{d}=1");
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let mut w = writer(Vec::new());
        row(
            &mut w,
            &[
                "plain".into(),
                "a,b".into(),
                "say \"hi\"".into(),
                "two\nlines".into(),
            ],
        )
        .expect("row");
        let bytes = w.into_inner().expect("flush");
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }
}
