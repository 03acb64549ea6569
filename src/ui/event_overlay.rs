//! One history row in full, over the run screen: the sentence, every field
//! of the audit row, and its stored event as indented JSON. Everything is
//! cleaned before drawing (the JSON too: it may hold bidi characters).

use super::centered;
use super::event_sentence::{sentence, Names};
use super::sanitize::{clean, clean_lines};
use super::theme::Theme;
use crate::app::state::State;
use crate::domain::Event;
use crate::store::AuditRow;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use std::collections::BTreeMap;

/// The history's sentence of a row: from its stored event when there is one
/// (rows from before schema 4 have none), else from the action and entity.
pub fn row_sentence(state: &State, row: &AuditRow) -> String {
    let empty = BTreeMap::new();
    let bundle = state.run.as_ref().map(|v| &v.bundle);
    let names = Names {
        run: bundle.map(|b| &b.run),
        people: bundle.map(|b| &b.people).unwrap_or(&empty),
    };
    match row
        .event
        .as_deref()
        .and_then(|e| serde_json::from_str::<Event>(e).ok())
    {
        Some(event) => sentence(&event, &names),
        None => format!("{} ({})", row.action.replace('_', " "), row.entity),
    }
}

/// A person as the history names them: display name, else login.
pub fn person(state: &State, login: &str) -> String {
    state
        .run
        .as_ref()
        .and_then(|v| v.bundle.people.get(login))
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| login.to_string())
}

fn pretty(json: Option<&str>) -> Vec<String> {
    let Some(raw) = json else {
        return vec!["—".into()];
    };
    let text = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| raw.to_string());
    clean_lines(&text)
}

pub fn render(
    state: &State,
    row: &AuditRow,
    scroll: usize,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let rect = centered(area, 78, area.height);
    let mut lines = vec![
        Line::styled(clean(&row_sentence(state, row)).into_owned(), theme.heading),
        Line::raw(""),
    ];
    let name = person(state, &row.user);
    let who = if name == row.user {
        row.user.clone()
    } else {
        format!("{name} ({})", row.user)
    };
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<9}"), theme.dim),
            Span::raw(clean(&value).into_owned()),
        ])
    };
    lines.push(field("Event", format!("#{}", row.seq)));
    lines.push(field("Time", state.zone.date_time(row.at)));
    lines.push(field("User", who));
    lines.push(field("Station", row.station.clone()));
    lines.push(field("Action", row.action.clone()));
    lines.push(field("Entity", row.entity.clone()));
    lines.push(field(
        "Run",
        row.run.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
    ));
    for (label, value) in [("Before", &row.before), ("After", &row.after)] {
        // One line each: as stored (compact JSON), cleaned.
        lines.push(field(label, value.clone().unwrap_or_else(|| "—".into())));
    }
    let reason = clean_lines(row.reason.as_deref().unwrap_or("—"));
    for (i, l) in reason.into_iter().enumerate() {
        lines.push(field(if i == 0 { "Reason" } else { "" }, l));
    }
    lines.push(Line::styled("Stored event", theme.dim));
    lines.extend(
        pretty(row.event.as_deref())
            .into_iter()
            .map(|l| Line::raw(format!("  {l}"))),
    );
    let inner = rect.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(inner));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Event · ↑↓ scroll · Esc closes "),
            ),
        rect,
    );
}
