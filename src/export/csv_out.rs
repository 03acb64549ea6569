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

/// One run's whole record, one row per element, `section` saying which.
pub fn record_csv<W: Write>(out: W, r: &RunRecord) -> Result<()> {
    let mut w = writer(out);
    row(&mut w, &RECORD_COLUMNS.map(s))?;
    let mut put = |cells: [String; 11]| row(&mut w, &cells);
    let run = &r.run;
    put([
        s("run"),
        s(""),
        format!("#{} {}", run.id, run.serial),
        s(run.state.name()),
        s(""),
        s(""),
        s(""),
        s(""),
        t(&run.created_at),
        s(""),
        format!(
            "{} v{} {}; part {}; {}",
            run.procedure_key,
            run.procedure_version,
            run.procedure_title.clone().unwrap_or_default(),
            run.part,
            run.title
        ),
    ])?;
    for m in &r.run_history {
        put([
            s("run_state"),
            s(""),
            s("run"),
            m.to.clone(),
            s(""),
            s(""),
            s(""),
            m.by.clone(),
            t(&m.at),
            m.reason.clone().unwrap_or_default(),
            match &m.from {
                Some(from) => format!("from {from}; audit event {}", m.seq),
                None => format!("audit event {}", m.seq),
            },
        ])?;
    }
    for step in &r.steps {
        step_rows(&mut put, step)?;
    }
    for rl in &r.redlines {
        put([
            s("redline"),
            rl.step.clone(),
            format!("redline {} ({})", rl.id, rl.kind),
            state_name(&rl.state),
            s(""),
            s(""),
            s(""),
            rl.proposed_by.clone(),
            t(&rl.proposed_at),
            rl.reason.clone(),
            format!(
                "{}; decided by {} at {}",
                rl.change,
                rl.decided_by.clone().unwrap_or_default(),
                opt_t(&rl.decided_at)
            ),
        ])?;
    }
    for i in &r.issues {
        put([
            s("issue"),
            i.step.clone().unwrap_or_default(),
            format!("issue {}: {}", i.id, i.title),
            state_name(&i.state),
            s(""),
            s(""),
            s(""),
            i.raised_by.clone(),
            t(&i.raised_at),
            i.description.clone(),
            format!(
                "disposition {}",
                i.disposition.map(|d| d.name()).unwrap_or("none")
            ),
        ])?;
        for a in &i.approvals {
            put([
                s("issue_action"),
                i.step.clone().unwrap_or_default(),
                format!("issue {}", i.id),
                a.action.clone(),
                s(""),
                s(""),
                s(""),
                a.by.clone(),
                t(&a.at),
                a.signature
                    .as_ref()
                    .map(|sig| sig.rationale.clone())
                    .unwrap_or_default(),
                s(""),
            ])?;
        }
    }
    for m in &r.signatures {
        put([
            s("signature"),
            m.step.clone().unwrap_or_default(),
            format!(
                "{} {}{}",
                state_name(&m.kind),
                m.field.clone().unwrap_or_default(),
                m.issue.map(|i| format!(" issue {i}")).unwrap_or_default()
            ),
            m.meaning.clone(),
            s(""),
            s(""),
            s(""),
            format!("{} ({})", m.name, m.login),
            t(&m.at_utc),
            m.comment.clone().unwrap_or_default(),
            format!(
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
        ])?;
    }
    if let Some(a) = &r.anchor {
        put([
            s("anchor"),
            s(""),
            format!("audit event {}", a.seq),
            a.hash.clone(),
            s(""),
            s(""),
            s(""),
            s(""),
            a.at.clone(),
            s(""),
            a.line.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn step_rows(put: &mut impl FnMut([String; 11]) -> Result<()>, step: &StepRecord) -> Result<()> {
    let key = || format!("{} {}", step.position, step.key);
    put([
        s("step"),
        key(),
        step.title.clone(),
        s(step.state.name()),
        s(""),
        s(""),
        s(""),
        step.completed_by.clone().unwrap_or_default(),
        opt_t(&step.completed_at),
        s(""),
        format!(
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
    ])?;
    for m in &step.history {
        put([
            s("step_state"),
            key(),
            m.from.clone().unwrap_or_default(),
            m.to.clone(),
            s(""),
            s(""),
            s(""),
            m.by.clone(),
            t(&m.at),
            m.reason.clone().unwrap_or_default(),
            format!("audit event {}", m.seq),
        ])?;
    }
    for f in &step.fields {
        for v in &f.values {
            put([
                s(if v.current { "value" } else { "earlier_value" }),
                key(),
                f.name.clone(),
                v.value.clone(),
                f.unit.clone().unwrap_or_default(),
                f.rule.clone(),
                state_name(&v.verdict),
                v.by.clone(),
                t(&v.at),
                v.reason.clone().unwrap_or_default(),
                format!(
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
            ])?;
        }
        for d in &f.deviations {
            put([
                s("deviation"),
                key(),
                f.name.clone(),
                format!("value {}", d.value_id),
                s(""),
                s(""),
                s(""),
                d.by.clone(),
                t(&d.at),
                d.rationale.clone(),
                format!("issue {}", d.issue),
            ])?;
        }
    }
    for i in &step.installs {
        put([
            s("install"),
            key(),
            i.identifier.clone(),
            s(i.quantity),
            s(""),
            s(""),
            s(""),
            i.by.clone(),
            t(&i.at),
            s(""),
            format!(
                "part {} for {}{}{}{}",
                i.part,
                i.requirement,
                i.tracking
                    .map(|t| format!(", {}", state_name(&t)))
                    .unwrap_or_default(),
                if i.scanned { ", scanned" } else { "" },
                match (&i.removed_by, &i.removed_at) {
                    (Some(by), Some(at)) => format!(", removed by {by} at {}", t(at)),
                    _ => String::new(),
                }
            ),
        ])?;
    }
    for e in &step.exceptions {
        put([
            s("exception"),
            key(),
            e.requirement.clone(),
            format!("issue {}", e.issue),
            s(""),
            s(""),
            s(""),
            e.by.clone(),
            t(&e.at),
            e.reason.clone(),
            s(""),
        ])?;
    }
    for l in &step.labour {
        put([
            s("labour"),
            key(),
            format!("session {}", l.session),
            l.minutes
                .map(|m| format!("{m} min"))
                .unwrap_or_else(|| s("open")),
            s(""),
            s(""),
            s(""),
            l.user.clone(),
            t(&l.started_at),
            s(""),
            format!("ended {}", opt_t(&l.ended_at)),
        ])?;
    }
    for c in &step.comments {
        put([
            s("comment"),
            key(),
            s(""),
            c.text.clone(),
            s(""),
            s(""),
            s(""),
            c.by.clone(),
            t(&c.at),
            s(""),
            s(""),
        ])?;
    }
    Ok(())
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
