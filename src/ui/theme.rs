//! Colours and emphasis, by meaning. Every meaning also has a glyph or word
//! on screen (✓ ✗ ! …), so the mono theme (and NO_COLOR) loses nothing.

use crate::config::ThemeName;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: ThemeName,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: empty values, hints, timestamps.
    pub dim: Style,
    /// Screen titles and section headings.
    pub heading: Style,
    /// The selected row or focused field.
    pub selected: Style,
    /// Borders of panels.
    pub border: Style,
    /// The focused panel's border.
    pub border_focus: Style,
    /// In range, approved, done.
    pub good: Style,
    /// Out of range, refused, failed.
    pub bad: Style,
    /// Needs attention: stuck, on hold, redline, waiting.
    pub warn: Style,
    /// Active, in progress.
    pub active: Style,
    /// A key in the footer or help.
    pub key: Style,
    /// A shortcut that cannot be used right now.
    pub disabled: Style,
    /// The text box being typed in.
    pub input: Style,
    /// The active tab.
    pub tab_active: Style,
}

impl Theme {
    /// The theme to use: NO_COLOR (set and not empty) always means mono.
    pub fn pick(name: ThemeName, no_color: bool) -> Theme {
        if no_color {
            return Theme::mono();
        }
        match name {
            ThemeName::Dark => Theme::dark(),
            ThemeName::Light => Theme::light(),
            ThemeName::Mono => Theme::mono(),
        }
    }

    /// Reads NO_COLOR from the environment (the driver calls this once).
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    pub fn dark() -> Theme {
        Theme {
            name: ThemeName::Dark,
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            heading: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::new()
                .bg(Color::Indexed(237))
                .add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            border_focus: Style::new().fg(Color::Cyan),
            good: Style::new().fg(Color::Green),
            bad: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::Yellow),
            active: Style::new().fg(Color::LightBlue),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            disabled: Style::new()
                .fg(Color::DarkGray)
                .add_modifier(Modifier::CROSSED_OUT),
            input: Style::new().bg(Color::Indexed(236)).fg(Color::White),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn light() -> Theme {
        Theme {
            name: ThemeName::Light,
            text: Style::new(),
            dim: Style::new().fg(Color::Indexed(244)),
            heading: Style::new()
                .fg(Color::Indexed(25))
                .add_modifier(Modifier::BOLD),
            selected: Style::new()
                .bg(Color::Indexed(254))
                .add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Indexed(248)),
            border_focus: Style::new().fg(Color::Indexed(25)),
            good: Style::new().fg(Color::Indexed(28)),
            bad: Style::new()
                .fg(Color::Indexed(160))
                .add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::Indexed(130)),
            active: Style::new().fg(Color::Indexed(25)),
            key: Style::new()
                .fg(Color::Indexed(25))
                .add_modifier(Modifier::BOLD),
            disabled: Style::new()
                .fg(Color::Indexed(248))
                .add_modifier(Modifier::CROSSED_OUT),
            input: Style::new().bg(Color::Indexed(255)).fg(Color::Black),
            tab_active: Style::new()
                .fg(Color::White)
                .bg(Color::Indexed(25))
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn mono() -> Theme {
        Theme {
            name: ThemeName::Mono,
            text: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            heading: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            border: Style::new(),
            border_focus: Style::new().add_modifier(Modifier::BOLD),
            good: Style::new(),
            bad: Style::new().add_modifier(Modifier::BOLD),
            warn: Style::new().add_modifier(Modifier::UNDERLINED),
            active: Style::new().add_modifier(Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD),
            disabled: Style::new().add_modifier(Modifier::DIM),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
            tab_active: Style::new().add_modifier(Modifier::REVERSED),
        }
    }
}
