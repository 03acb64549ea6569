//! The sign-in box (login and masked PIN, or a badge scan), also shown over
//! an idle-locked screen, which stays as it was underneath.

use super::sanitize::clean;
use super::theme::Theme;
use super::wrap::wrapped_rows;
use super::{centered, field_form::text_box};
use crate::app::state::{SignIn, SignInFocus, State};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let form = &state.sign_in;
    let width = 60.min(area.width);
    let inner_width = usize::from(width.saturating_sub(16)).max(8);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(new) = &form.new_pin {
        lines.push(Line::styled(
            format!("Your PIN was set by {}.", clean(&new.set_by)),
            theme.warn,
        ));
        lines.push(Line::raw(format!(
            "{}: choose a new PIN of your own, and type it twice.",
            clean(&new.actor.name)
        )));
        lines.push(Line::raw(""));
        for (label, input, focused) in [
            ("New PIN", &new.first, !new.on_again),
            ("Again", &new.again, new.on_again),
        ] {
            let mut row = vec![Span::styled(
                format!("{label:>7} "),
                if focused { theme.heading } else { theme.text },
            )];
            row.extend(text_box(
                input.value(),
                input.cursor(),
                focused && !form.busy,
                true,
                inner_width,
                theme,
            ));
            lines.push(Line::from(row));
        }
    } else if state.locked {
        let name = state
            .session
            .as_ref()
            .map(|a| clean(&a.name).into_owned())
            .unwrap_or_default();
        let why = if state.locked_by_hand {
            let login = state
                .session
                .as_ref()
                .map(|a| clean(&a.login).into_owned())
                .unwrap_or_default();
            format!("Locked by {login}.")
        } else {
            format!("Locked after {} idle minutes.", state.idle_lock_minutes)
        };
        lines.push(Line::styled(why, theme.warn));
        lines.push(Line::raw(format!(
            "{name}: type your PIN. Someone else: Shift-Tab, your login."
        )));
        lines.push(Line::styled(
            "The screen underneath and everything typed is kept.",
            theme.dim,
        ));
    } else {
        lines.push(Line::raw("Type your login, or scan your badge."));
        lines.push(Line::styled("Then your PIN, and Enter.", theme.dim));
    }
    if form.new_pin.is_none() {
        lines.push(Line::raw(""));
        login_and_pin(form, inner_width, theme, &mut lines);
    }
    lines.push(Line::raw(""));
    if form.busy {
        lines.push(Line::styled("Checking…", theme.dim));
    } else if let Some(error) = &form.error {
        lines.push(Line::styled(format!("✗ {}", clean(error)), theme.bad));
    }
    // Tall enough for every wrapped row (a lockout sentence is long).
    let text_width = usize::from(width.saturating_sub(4));
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            wrapped_rows(&text, text_width)
        })
        .sum();
    let height = (rows as u16 + 4).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let what = if form.new_pin.is_some() {
        "New PIN"
    } else {
        "Sign in"
    };
    let title = format!(" {what} · station {} ", clean(&state.station));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(title, theme.heading));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let padded = Rect {
        x: inner.x + 1,
        y: inner.y + 1,
        width: inner.width.saturating_sub(2),
        height: inner.height.saturating_sub(1),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
}

fn login_and_pin(form: &SignIn, inner_width: usize, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let login_focus = form.focus == SignInFocus::Login;
    let mut login = vec![Span::styled(
        format!("{:>7} ", "Login"),
        if login_focus {
            theme.heading
        } else {
            theme.text
        },
    )];
    login.extend(text_box(
        form.login.value(),
        form.login.cursor(),
        login_focus && !form.busy,
        false,
        inner_width,
        theme,
    ));
    lines.push(Line::from(login));
    let mut pin = vec![Span::styled(
        format!("{:>7} ", "PIN"),
        if login_focus {
            theme.text
        } else {
            theme.heading
        },
    )];
    pin.extend(text_box(
        form.pin.value(),
        form.pin.cursor(),
        !login_focus && !form.busy,
        true,
        inner_width,
        theme,
    ));
    lines.push(Line::from(pin));
}
