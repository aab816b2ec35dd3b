use super::super::app::App;
use super::super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App, t: Theme, area: Rect) {
    if let Some(status) = &app.status {
        f.render_widget(
            Paragraph::new(Line::styled(
                crate::text::truncate(status, area.width as usize),
                t.warn(),
            )),
            area,
        );
        return;
    }
    let keys: &[(&str, &str)] = if app.filtering {
        &[("type", "filter"), ("Enter", "keep"), ("Esc", "clear")]
    } else if app.detail.is_some() {
        &[
            ("Esc", "back"),
            ("w", "window"),
            ("space", "pause"),
            ("e", "export"),
            ("?", "help"),
            ("q", "quit"),
        ]
    } else {
        &[
            ("q", "quit"),
            ("?", "help"),
            ("space", "pause"),
            ("w", "window"),
            ("Tab", "focus"),
            ("s", "sort"),
            ("/", "filter"),
            ("Enter", "detail"),
            ("e", "export"),
        ]
    };
    let mut spans = Vec::new();
    for (k, what) in keys {
        spans.push(Span::styled(format!(" {k} "), t.badge()));
        spans.push(Span::styled(format!(" {what}  "), t.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
