//! The top line: product, where the user is, who is signed in, the quality
//! queue's counts for their roles, the station, the time.

use super::sanitize::clean;
use super::theme::Theme;
use crate::app::state::{Screen, State};
use crate::app::step_items::{current_run, current_step};
use crate::domain::{QUALITY_ADMIN, QUALITY_SUPERVISOR_ADMIN};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn place(state: &State) -> String {
    if state.locked {
        return "Locked".into();
    }
    if state.session.is_none() {
        return "Sign in".into();
    }
    let run = current_run(state).map(|r| format!("Run {} {}", r.id, clean(&r.serial)));
    match state.screen {
        Screen::SignIn => "Sign in".into(),
        Screen::Board => "Run board".into(),
        Screen::Quality => "Quality".into(),
        Screen::Reports => "Reports".into(),
        Screen::Run => run.unwrap_or_default(),
        Screen::Step => match (run, current_step(state)) {
            (Some(run), Some(step)) => format!("{run} › step {}", clean(&step.position)),
            (run, _) => run.unwrap_or_default(),
        },
    }
}

fn counted(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The quality queue's counts for the signed-in user, longest wording
/// first (the header takes the first that fits). None when there is
/// nothing the user's roles could act on.
fn queue_texts(state: &State) -> Option<[String; 2]> {
    let actor = state.session.as_ref().filter(|_| !state.locked)?;
    let c = state.quality_counts?;
    let may = |roles: &[&str]| roles.iter().any(|r| actor.has_role(r));
    let deviations = may(QUALITY_SUPERVISOR_ADMIN);
    let issues = may(QUALITY_ADMIN);
    if !deviations && !issues && c.signoffs == 0 {
        return None;
    }
    let again = |text: String| {
        if c.reapprovals > 0 {
            format!("{text} ({} again)", c.reapprovals)
        } else {
            text
        }
    };
    let mut long = vec![again(counted(c.signoffs, "sign-off", "sign-offs"))];
    let mut short = vec![again(format!("{} sign", c.signoffs))];
    if deviations {
        long.push(counted(c.deviations, "deviation", "deviations"));
        short.push(format!("{} dev", c.deviations));
    }
    if issues {
        long.push(counted(c.issues, "issue", "issues"));
        short.push(format!("{} iss", c.issues));
    }
    Some([long.join(" · "), short.join(" · ")])
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    // How much of the user to show: name and roles, name, nothing (the
    // counts matter more on a narrow line than a name the user knows).
    let who = |detail: u8| match &state.session {
        Some(actor) if !state.locked && detail == 2 => format!(
            "{} ({})",
            clean(&actor.name),
            clean(&actor.roles.join(", "))
        ),
        Some(actor) if !state.locked => clean(&actor.name).into_owned(),
        _ => "nobody signed in".into(),
    };
    let head = |detail: u8| {
        let mut spans = vec![
            Span::styled(" traveler ", theme.tab_active),
            Span::raw(" "),
            Span::styled(place(state), theme.heading),
        ];
        if detail > 0 {
            spans.push(Span::styled("  │ ", theme.dim));
            spans.push(Span::raw(who(detail)));
        }
        spans
    };
    let station = [
        Span::styled(" │ station ", theme.dim),
        Span::raw(clean(&state.station).into_owned()),
    ];
    let width = usize::from(area.width);
    let used = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let station_width = used(&station);
    let mut spans = head(2);
    if let Some(texts) = queue_texts(state) {
        // Longest wording with the roles first; the roles give way, then
        // the wording shortens, then the name; the station comes last.
        let choice = texts
            .iter()
            .flat_map(|t| [(2, t), (1, t)])
            .chain([(0, &texts[1])])
            .find(|(detail, t)| used(&head(*detail)) + 3 + t.chars().count() <= width)
            .unwrap_or((0, &texts[1]));
        spans = head(choice.0);
        spans.push(Span::styled(" │ ", theme.dim));
        spans.push(Span::styled(choice.1.clone(), theme.warn));
    }
    if used(&spans) + station_width <= width {
        spans.extend(station);
    }
    let left = Line::from(spans);
    let left_width = left.width();
    frame.render_widget(Paragraph::new(left), area);
    let clock = Line::from(Span::styled(
        format!("{} ", state.zone.date_time(state.now)),
        theme.dim,
    ));
    if area.width >= 100 && left_width + clock.width() < usize::from(area.width) {
        frame.render_widget(Paragraph::new(clock).alignment(Alignment::Right), area);
    }
}
