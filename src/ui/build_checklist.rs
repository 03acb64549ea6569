//! Build requirements as a checklist (part, installed of required,
//! substitutes, what is installed) and the scan box with its last answer.

use super::field_form::{text_box, truncate_pad};
use super::sanitize::clean;
use super::theme::Theme;
use crate::app::state::{ScanResult, StepView};
use crate::domain::{installed_quantity, Requirement};
use ratatui::text::{Line, Span};

pub fn requirement_lines(
    req: &Requirement,
    focused: bool,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let installed = installed_quantity(req);
    let needed = req.def.quantity;
    let done = installed >= needed || req.exception.is_some();
    let (glyph, style) = if done {
        ("✓", theme.good)
    } else {
        ("○", theme.warn)
    };
    let name_width = (usize::from(width) / 4).clamp(12, 24);
    let mut first = vec![
        Span::styled(if focused { "▸ " } else { "  " }, theme.heading),
        Span::styled(
            truncate_pad(&format!("Part {}", clean(&req.def.part)), name_width),
            if focused { theme.selected } else { theme.text },
        ),
        Span::raw(" "),
        Span::styled(format!("{glyph} {installed} of {needed} installed"), style),
    ];
    if !req.def.substitutes.is_empty() {
        first.push(Span::styled(
            format!("  substitutes: {}", clean(&req.def.substitutes.join(", "))),
            theme.dim,
        ));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(ex) = &req.exception {
        lines.push(Line::styled(
            format!(
                "    excepted through issue #{}: {}",
                ex.issue,
                clean(&ex.reason)
            ),
            theme.warn,
        ));
    }
    let current: Vec<String> = req
        .installs
        .iter()
        .filter(|i| i.removed_at.is_none())
        .map(|i| {
            if i.quantity == 1 {
                clean(&i.identifier).into_owned()
            } else {
                format!("{} ×{}", clean(&i.identifier), i.quantity)
            }
        })
        .collect();
    if !current.is_empty() {
        lines.push(Line::styled(
            format!("    installed: {}", current.join(", ")),
            theme.dim,
        ));
    }
    lines
}

pub fn scan_lines(view: &StepView, focused: bool, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let name_width = (usize::from(width) / 4).clamp(12, 24);
    let mut first = vec![
        Span::styled(if focused { "▸ " } else { "  " }, theme.heading),
        Span::styled(
            truncate_pad("Scan to install", name_width),
            if focused { theme.selected } else { theme.text },
        ),
        Span::raw(" "),
    ];
    // Resting on the box is not typing in it: step keys still act there
    // until a serial is begun (see `StepView::scan_typing`).
    let typing = focused && (view.scan_typing || !view.scan.is_empty());
    first.extend(text_box(
        view.scan.value(),
        view.scan.cursor(),
        typing,
        false,
        24,
        theme,
    ));
    if typing {
        first.push(Span::styled("  serial or lot, Enter", theme.dim));
    } else if focused {
        first.push(Span::styled("  s and type a serial, or scan", theme.dim));
    } else {
        first.push(Span::styled("  scan any time", theme.dim));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(ScanResult {
        accepted,
        lines: said,
    }) = &view.scan_result
    {
        let style = if *accepted { theme.good } else { theme.bad };
        let glyph = if *accepted { "✓" } else { "✗" };
        // Every word of the answer shows: long reasons wrap under the glyph.
        let text_width = usize::from(width).saturating_sub(7).max(20);
        for (i, text) in said.iter().enumerate() {
            for (j, part) in super::step_view::wrap(text, text_width)
                .into_iter()
                .enumerate()
            {
                let lead = if i == 0 && j == 0 {
                    format!("    {glyph} ")
                } else {
                    "      ".to_string()
                };
                lines.push(Line::styled(format!("{lead}{part}"), style));
            }
        }
    }
    lines
}
