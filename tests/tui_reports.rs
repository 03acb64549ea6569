//! The report screen (key `R` on the board): the cycle-time table and the SPC
//! chart, drawn into a `TestBackend` at 80×24 and pinned with insta.

mod tui_support;

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use traveler::analytics::cycle_time::cycle_time;
use traveler::analytics::spc::spc;
use traveler::app::action::Action;
use traveler::app::effect::Effect;
use traveler::app::msg::Msg;
use traveler::app::state::{ReportsData, Screen, State};
use traveler::app::update;
use traveler::domain::*;
use traveler::store::{FieldPoint, FieldRef, FieldSeries, FinishedRun, StepTimes};
use traveler::ui::{render, theme::Theme};
use tui_support::*;

fn screen_text(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| render(state, &Theme::dark(), f)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn finished(id: i64, procedure: &str, completed: bool, minutes: i64) -> FinishedRun {
    let created = at(8, 0);
    FinishedRun {
        id,
        procedure_key: procedure.into(),
        completed,
        created_at: created,
        started_at: Some(created + Duration::minutes(10)),
        finished_at: created + Duration::minutes(10 + minutes),
        had_failed_step: false,
        had_rework_copy: false,
        had_deviation: id == 3,
        had_issue: false,
        steps: vec![
            StepTimes {
                key: "bore".into(),
                labour_seconds: 6 * 60,
                elapsed_seconds: Some(8 * 60),
            },
            StepTimes {
                key: "seals".into(),
                labour_seconds: 4 * 60 + id * 30,
                elapsed_seconds: Some(5 * 60),
            },
        ],
    }
}

fn field(procedure: &str, step: &str, name: &str) -> FieldRef {
    FieldRef {
        procedure: procedure.into(),
        step: step.into(),
        field: name.into(),
    }
}

fn data() -> ReportsData {
    let runs = vec![
        finished(1, "PUMP-ASSY", true, 90),
        finished(2, "PUMP-ASSY", true, 100),
        finished(3, "PUMP-ASSY", true, 120),
        finished(4, "PUMP-ASSY", false, 30),
        finished(5, "CTRL-TEST", true, 14),
    ];
    ReportsData {
        cycle: cycle_time(&runs),
        fields: vec![
            field("PUMP-ASSY", "bore", "Bore diameter"),
            field("PUMP-ASSY", "impeller", "Nut torque"),
        ],
    }
}

fn bore_def() -> FieldDef {
    FieldDef {
        name: "Bore diameter".into(),
        field_type: FieldType::Number,
        required: true,
        unit: Some("mm".into()),
        validation: Validation {
            target: Some(25.0),
            tolerance: Some(0.05),
            ..Default::default()
        },
        options: vec![],
        role: None,
    }
}

/// Ten bores, the last eight above the mean: rule 4 at the tenth.
fn bore_series() -> FieldSeries {
    let values = [
        24.96, 24.97, 25.01, 25.02, 25.01, 25.03, 25.02, 25.01, 25.02, 25.03,
    ];
    FieldSeries {
        def: Some(bore_def()),
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| FieldPoint {
                run: 11 + i as i64,
                serial: format!("PU-{}", 1001 + i),
                at: at(9, i as u32),
                value: *v,
            })
            .collect(),
    }
}

fn on_reports() -> State {
    let mut s = signed_in(qe1());
    let effects = update(&mut s, Msg::Action(Action::ReportScreen));
    assert_eq!(s.screen, Screen::Reports);
    assert_eq!(effects, [Effect::LoadReports]);
    let effects = update(&mut s, Msg::ReportsLoaded(Box::new(data())));
    assert_eq!(
        effects,
        [Effect::LoadSpc(field("PUMP-ASSY", "bore", "Bore diameter"))],
        "the first field's SPC is asked for at once"
    );
    s
}

#[test]
fn cycle_time_table_with_the_steps_of_the_selected_procedure() {
    let mut s = on_reports();
    insta::assert_snapshot!("reports_cycle_time_80x24", screen_text(&s));
    update(&mut s, Msg::Action(Action::Down));
    let text = screen_text(&s);
    assert!(text.contains("STEPS OF PUMP-ASSY"), "{text}");
}

#[test]
fn spc_chart_with_limits_and_cpk_in_the_title() {
    let mut s = on_reports();
    update(&mut s, Msg::Action(Action::NextTab));
    let report = spc("PUMP-ASSY", "bore", "Bore diameter", bore_series());
    assert!(report.violations.iter().any(|v| v.rule == 4));
    let cpk = format!("Cpk {:.2}", report.cpk.unwrap_or_default());
    update(&mut s, Msg::SpcLoaded(Box::new(report)));
    let text = screen_text(&s);
    assert!(text.contains(&cpk), "{text}");
    insta::assert_snapshot!("reports_spc_80x24", text);
}

#[test]
fn moving_to_another_field_loads_it_and_a_late_answer_is_dropped() {
    let mut s = on_reports();
    update(&mut s, Msg::Action(Action::NextTab));
    let effects = update(&mut s, Msg::Action(Action::Down));
    assert_eq!(
        effects,
        [Effect::LoadSpc(field(
            "PUMP-ASSY",
            "impeller",
            "Nut torque"
        ))]
    );
    // The bore's answer arrives after the cursor moved on: not shown.
    let late = spc("PUMP-ASSY", "bore", "Bore diameter", bore_series());
    update(&mut s, Msg::SpcLoaded(Box::new(late)));
    assert!(s.reports.spc.is_none());
    assert!(screen_text(&s).contains("Loading"));
    update(&mut s, Msg::Action(Action::Back));
    assert_eq!(s.screen, Screen::Board);
}

#[test]
fn stored_text_on_the_report_screen_is_escaped() {
    let mut s = signed_in(qe1());
    update(&mut s, Msg::Action(Action::ReportScreen));
    let mut d = data();
    d.cycle.procedures[0].procedure = "EVIL\u{1b}[2J".into();
    d.fields[0].field = "Gap\u{1b}]0;owned\u{7}".into();
    update(&mut s, Msg::ReportsLoaded(Box::new(d)));
    let text = screen_text(&s);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("EVIL"), "{text}");
    update(&mut s, Msg::Action(Action::NextTab));
    let text = screen_text(&s);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}

/// On the bore step with other runs' bores as its trend: three at 25.00,
/// then seven at 25.02 (mean 25.014, s = √(3 · 0.014² + 7 · 0.006²) / 3
/// = √(0.000588 + 0.000252) / 3 = 0.00966).
fn bore_step_with_trend() -> State {
    let mut s = on_bore_step(op1());
    let mut trend = vec![25.00; 3];
    trend.extend([25.02; 7]);
    if let Some(run) = s.run.as_mut() {
        run.bundle
            .trends
            .insert(("bore".into(), "Bore diameter".into()), trend);
    }
    s
}

#[test]
fn the_number_under_the_cursor_shows_its_trend_and_warns_before_saving() {
    let mut s = bore_step_with_trend();
    let text = screen_text(&s);
    assert!(text.contains("trend ▁▁▁███████ last 10 runs"), "{text}");
    update(&mut s, Msg::Action(Action::Open));
    for c in "25.02".chars() {
        update(
            &mut s,
            Msg::Edit(traveler::app::text_input::Edit::Insert(c)),
        );
    }
    // 25.02 would be the eighth in a row above 25.014.
    let text = screen_text(&s);
    assert!(
        text.contains("⚠ would be 8th point in a row above the mean (rule 4)"),
        "{text}"
    );
    insta::assert_snapshot!("step_trend_warning_80x24", text);
    // 25.00, below the mean, breaks nothing.
    for _ in 0..5 {
        update(
            &mut s,
            Msg::Edit(traveler::app::text_input::Edit::Backspace),
        );
    }
    for c in "25.00".chars() {
        update(
            &mut s,
            Msg::Edit(traveler::app::text_input::Edit::Insert(c)),
        );
    }
    let text = screen_text(&s);
    assert!(!text.contains('⚠'), "{text}");
    assert!(text.contains("trend"), "{text}");
}
