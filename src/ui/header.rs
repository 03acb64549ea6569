//! The top line: product, station, who is signed in, where they are, the time.

use super::sanitize::clean;
use super::theme::Theme;
use crate::app::state::{Screen, State};
use crate::app::step_items::{current_run, current_step};
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

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let who = match &state.session {
        Some(actor) if !state.locked => format!(
            "{} ({})",
            clean(&actor.name),
            clean(&actor.roles.join(", "))
        ),
        _ => "nobody signed in".into(),
    };
    let left = Line::from(vec![
        Span::styled(" traveler ", theme.tab_active),
        Span::raw(" "),
        Span::styled(place(state), theme.heading),
        Span::styled("  │ ", theme.dim),
        Span::raw(who),
        Span::styled(" │ station ", theme.dim),
        Span::raw(clean(&state.station).into_owned()),
    ]);
    frame.render_widget(Paragraph::new(left), area);
    let clock = Line::from(Span::styled(
        format!("{} ", state.zone.date_time(state.now)),
        theme.dim,
    ));
    if area.width >= 100 {
        frame.render_widget(Paragraph::new(clock).alignment(Alignment::Right), area);
    }
}
