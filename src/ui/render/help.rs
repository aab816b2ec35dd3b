use super::super::keys::HELP;
use super::super::theme::Theme;
use super::panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn render(f: &mut Frame, t: Theme, area: Rect) {
    let w = area.width.min(72);
    let h = area.height.min(HELP.len() as u16 + 4);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<20}"), t.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::styled("any key closes this help", t.dim()));
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(panel("Keys", true, t)), r);
}
