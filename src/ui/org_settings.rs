//! The org rules, read-only, for an admin on the board. They live in the
//! database so every terminal enforces the same; changing one is a CLI
//! action (`traveler settings set`), audited like any other.

use super::centered;
use super::theme::Theme;
use crate::domain::Settings;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn yes_no(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

pub fn render(settings: &Settings, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = [
        (
            "block_completion_on_open_issues",
            yes_no(settings.block_completion_on_open_issues).to_string(),
            "a run waits while a linked issue is open",
        ),
        (
            "require_scan_for_installs",
            yes_no(settings.require_scan_for_installs).to_string(),
            "installs must come from the scanner",
        ),
        (
            "signer_not_performer",
            yes_no(settings.signer_not_performer).to_string(),
            "who filled a step may not sign it",
        ),
        (
            "lockout_attempts",
            settings.lockout_attempts.to_string(),
            "wrong PINs in a row that lock a login",
        ),
        (
            "lockout_minutes",
            settings.lockout_minutes.to_string(),
            "how long the lock lasts",
        ),
        (
            "deviation_not_by_recorder",
            yes_no(settings.deviation_not_by_recorder).to_string(),
            "who saved a value may not accept its deviation",
        ),
        (
            "close_labour_on_sign_out",
            yes_no(settings.close_labour_on_sign_out).to_string(),
            "labour closes when another user signs in",
        ),
        (
            "close_labour_on_quit",
            yes_no(settings.close_labour_on_quit).to_string(),
            "labour closes when the terminal is closed",
        ),
        (
            "close_labour_on_lock",
            yes_no(settings.close_labour_on_lock).to_string(),
            "labour closes when the screen locks",
        ),
        (
            "auto_checkin",
            yes_no(settings.auto_checkin).to_string(),
            "the first value or install on a step checks one in",
        ),
        (
            "stale_after_hours",
            format!("{}h", settings.stale_after_hours),
            "an open run untouched this long reads stale",
        ),
        (
            "max_session_hours",
            format!("{}h", settings.max_session_hours),
            "labour open this long is flagged, check closes it",
        ),
    ];
    let mut lines = vec![Line::from(Span::styled(
        "Every terminal enforces these rules (read-only here).",
        theme.dim,
    ))];
    lines.push(Line::raw(""));
    // Each rule's meaning goes under it when the screen is tall enough for
    // all of them (header, rows, footer and borders); otherwise one line a rule.
    let with_meanings = rows.len() * 2 + 7 <= usize::from(area.height);
    for (key, value, meaning) in rows {
        lines.push(Line::from(vec![
            Span::styled(format!("{key:<32}"), theme.text),
            Span::styled(format!("{value:<5}"), theme.heading),
        ]));
        if with_meanings {
            lines.push(Line::from(Span::styled(format!("  {meaning}"), theme.dim)));
        }
    }
    if !with_meanings {
        lines.push(Line::from(Span::styled(
            "A taller terminal shows what each rule means.",
            theme.dim,
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Change: `traveler settings set KEY VALUE` (admin; audited).",
        theme.dim,
    )));
    lines.push(Line::from(Span::styled("Esc or Enter closes.", theme.dim)));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let box_area = centered(area, 72, height);
    frame.render_widget(Clear, box_area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border_focus)
                .title(" Org rules "),
        ),
        box_area,
    );
}
