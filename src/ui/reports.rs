//! The report screen: cycle time per procedure (the steps of the one under
//! the cursor below it), and the SPC chart of one numeric field: its newest
//! values with the mean, ±3σ and the spec limits, Cpk in the title.

use super::sanitize::clean;
use super::theme::Theme;
use crate::analytics::cycle_time::{duration_text, percent_text, ProcedureCycle};
use crate::analytics::spc::{number_text, SpcReport};
use crate::app::state::{ReportTab, State};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = &state.reports;
    let [tabs, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
    let mut spans = Vec::new();
    for (tab, label) in [
        (ReportTab::CycleTime, " Cycle time "),
        (ReportTab::Spc, " SPC "),
    ] {
        if tab == r.tab {
            spans.push(Span::styled(format!("[{label}]"), theme.tab_active));
        } else {
            spans.push(Span::styled(format!(" {label} "), theme.dim));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
    if !r.loaded {
        frame.render_widget(Paragraph::new("Loading…"), body);
        return;
    }
    match r.tab {
        ReportTab::CycleTime => cycle_time(state, theme, frame, body),
        ReportTab::Spc => spc_view(state, theme, frame, body),
    }
}

fn cycle_time(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let procedures = &state.reports.data.cycle.procedures;
    if procedures.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No run has finished yet: cycle times start with the first completed run.",
                theme.dim,
            )),
            area,
        );
        return;
    }
    let selected = state.reports.selected[0].min(procedures.len() - 1);
    let table_rows = (procedures.len() as u16 + 1).min(area.height / 2);
    let [top, _, bottom] = Layout::vertical([
        Constraint::Length(table_rows),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let skip = (selected + 1).saturating_sub(usize::from(table_rows.saturating_sub(1)));
    let rows: Vec<Row> = procedures
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, p)| {
            let style = if i == selected {
                theme.selected
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(clean(&p.procedure).into_owned()),
                Cell::from(format!("{}", p.finished)),
                Cell::from(duration_text(p.floor_time.median_seconds)),
                Cell::from(duration_text(p.floor_time.p90_seconds)),
                Cell::from(duration_text(p.lead_time.median_seconds)),
                Cell::from(duration_text(p.lead_time.p90_seconds)),
                Cell::from(percent_text(p.first_pass_yield)),
                Cell::from(percent_text(p.scrap_rate)),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new([
        "PROCEDURE",
        "RUNS",
        "FLOOR MED",
        "FLOOR P90",
        "LEAD MED",
        "LEAD P90",
        "FPY",
        "SCRAP",
    ])
    .style(theme.heading);
    let widths = [
        Constraint::Min(10),
        Constraint::Length(5),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(6),
        Constraint::Length(6),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), top);
    steps_table(&procedures[selected], theme, frame, bottom);
}

fn steps_table(p: &ProcedureCycle, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows: Vec<Row> = p
        .steps
        .iter()
        .map(|s| {
            Row::new(vec![
                Cell::from(clean(&s.step).into_owned()),
                Cell::from(format!("{}", s.runs)),
                Cell::from(duration_text(s.median_labour_seconds)),
                Cell::from(duration_text(s.median_elapsed_seconds)),
            ])
        })
        .collect();
    let header = Row::new([
        format!("STEPS OF {}", clean(&p.procedure)),
        "RUNS".into(),
        "MEDIAN LABOUR".into(),
        "MEDIAN ELAPSED".into(),
    ])
    .style(theme.heading);
    let widths = [
        Constraint::Min(16),
        Constraint::Length(5),
        Constraint::Length(14),
        Constraint::Length(15),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), area);
}

fn spc_view(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = &state.reports;
    let fields = &r.data.fields;
    let Some(field) = fields.get(r.selected[1]) else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No procedure has a number field to chart.",
                theme.dim,
            )),
            area,
        );
        return;
    };
    let [head, stats, chart, key, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let heading = format!(
        "Field {}/{} (↑↓): {} / {} / {}",
        r.selected[1] + 1,
        fields.len(),
        field.procedure,
        field.step,
        field.field
    );
    frame.render_widget(
        Paragraph::new(Span::styled(clean(&heading).into_owned(), theme.heading)),
        head,
    );
    let Some(report) = r.spc.as_ref().filter(|s| {
        s.procedure == field.procedure && s.step == field.step && s.field == field.field
    }) else {
        frame.render_widget(Paragraph::new("Loading…"), stats);
        return;
    };
    let rule = if report.rule.is_empty() {
        "no rule".to_string()
    } else {
        report.rule.clone()
    };
    // The numbers first: a narrow screen cuts the rule, whose limits the
    // chart's key repeats.
    let line = format!(
        "n {}  mean {}  s {}  Cp {}  out of range {}  rule {rule}",
        report.n,
        number_text(report.mean),
        number_text(report.std_dev),
        short(report.cp),
        report.out_of_range
    );
    frame.render_widget(Paragraph::new(clean(&line).into_owned()), stats);
    if report.points.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No value saved yet for this field.",
                theme.dim,
            )),
            chart,
        );
        return;
    }
    draw_chart(report, theme, frame, chart);
    frame.render_widget(Paragraph::new(chart_key(report, theme)), key);
    let verdict = if report.violations.is_empty() {
        Span::styled("Western Electric rules 1-4: no violation", theme.good)
    } else {
        let rules: Vec<String> = report
            .spans
            .iter()
            .map(|span| format!("rule {}, {}", span.rule, span.text))
            .collect();
        Span::styled(format!("Broken: {}", rules.join(", ")), theme.bad)
    };
    frame.render_widget(Paragraph::new(verdict), foot);
}

/// What the chart's lines are, in their colours, with their values.
fn chart_key(report: &SpcReport, theme: &Theme) -> Line<'static> {
    let three = |x: Option<f64>| x.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
    let mut spans = vec![Span::styled("• value", theme.text)];
    if let Some(m) = report.mean {
        spans.push(Span::styled(format!("  ─ mean {m:.3}"), theme.active));
        if let Some(s) = report.std_dev {
            spans.push(Span::styled(
                format!("  ─ ±3σ {:.3} … {:.3}", m - 3.0 * s, m + 3.0 * s),
                theme.warn,
            ));
        }
    }
    if report.lsl.is_some() || report.usl.is_some() {
        spans.push(Span::styled(
            format!("  ─ spec {} … {}", three(report.lsl), three(report.usl)),
            theme.bad,
        ));
    }
    Line::from(spans)
}

/// Two decimals for capability indices, `-` for none.
fn short(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into())
}

/// A named horizontal line of the chart: its points and colour.
type Level = (String, Vec<(f64, f64)>, Style);

/// A horizontal line across the chart at `y`.
fn level(y: f64, width: f64) -> Vec<(f64, f64)> {
    vec![(0.0, y), (width, y)]
}

fn draw_chart(report: &SpcReport, theme: &Theme, frame: &mut Frame, area: Rect) {
    let values: Vec<(f64, f64)> = report
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64, p.value))
        .collect();
    let right = (values.len().max(2) - 1) as f64;
    let mut lines: Vec<Level> = Vec::new();
    if let Some(m) = report.mean {
        lines.push(("mean".into(), level(m, right), theme.active));
        if let Some(s) = report.std_dev {
            lines.push(("±3σ".into(), level(m + 3.0 * s, right), theme.warn));
            lines.push((String::new(), level(m - 3.0 * s, right), theme.warn));
        }
    }
    for (name, limit) in [("LSL", report.lsl), ("USL", report.usl)] {
        if let Some(l) = limit {
            lines.push((name.into(), level(l, right), theme.bad));
        }
    }
    let ys = values
        .iter()
        .map(|p| p.1)
        .chain(lines.iter().flat_map(|l| l.1.iter().map(|p| p.1)));
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let (lo, hi) = (lo - pad, hi + pad);
    let mut datasets: Vec<Dataset> = lines
        .iter()
        .map(|(name, data, style)| {
            Dataset::default()
                .name(name.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(*style)
                .data(data)
        })
        .collect();
    datasets.push(
        Dataset::default()
            .name("value")
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(theme.text)
            .data(&values),
    );
    let first = report.points.first().map(|p| format!("#{}", p.run));
    let last = report.points.last().map(|p| format!("#{}", p.run));
    let title = format!(
        " last {} values · Cpk {} ",
        report.points.len(),
        short(report.cpk)
    );
    let chart = Chart::new(datasets)
        .legend_position(None)
        .block(Block::bordered().title(title).border_style(theme.border))
        .x_axis(
            Axis::default()
                .bounds([0.0, right])
                .labels([first.unwrap_or_default(), last.unwrap_or_default()])
                .style(theme.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .labels([
                    format!("{lo:.3}"),
                    format!("{:.3}", (lo + hi) / 2.0),
                    format!("{hi:.3}"),
                ])
                .style(theme.dim),
        );
    frame.render_widget(chart, area);
}
