use super::super::app::{App, View};
use super::super::theme::Theme;
use crate::format::thousands;
use crate::source::SourceState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let mut spans = vec![Span::styled(" livetally ", t.badge()), Span::raw(" ")];
    if app.demo {
        spans.push(Span::styled(" DEMO ", t.badge()));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw("window "));
    // what the panels show: the view's own window and creator, until the
    // view the last key asked for arrives from the engine
    spans.push(Span::styled(format!("[{}]", v.snap.scope.label()), t.key()));
    if let Some(d) = &v.snap.creator {
        spans.push(Span::raw(" · creator "));
        spans.push(Span::styled(crate::text::truncate(d, 20), t.key()));
    }
    if !v.answers(&app.query()) {
        spans.push(Span::styled(" · computing…", t.warn()));
    }
    if app.paused {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" PAUSED +{} ", thousands(app.since_pause as i64)),
            t.badge(),
        ));
    }
    spans.push(Span::raw(" · "));
    for s in &v.sources.list {
        let (state, style) = match &s.state {
            SourceState::Reading => ("live", t.money()),
            SourceState::Following => ("following", t.money()),
            SourceState::Demo => ("live", t.accent()),
            SourceState::Ended => ("feed ended", t.warn()),
            SourceState::Failed(_) => ("failed", t.bad()),
        };
        // the file name is enough here; rejects keep the whole path
        let short = std::path::Path::new(&s.name)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| s.name.clone());
        spans.push(Span::raw(crate::text::truncate(&short, 24)));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(state, style));
        spans.push(Span::raw(" · "));
    }
    spans.push(Span::raw(format!(
        "{} ev/s",
        thousands(v.events_per_sec.round() as i64)
    )));
    if v.catching_up {
        spans.push(Span::styled(" · catching up", t.warn()));
    }
    if let Some(lag) = v.lag_ms {
        spans.push(Span::raw(format!(" · lag {}", lag_text(lag))));
    }
    let c = &v.snap.counters;
    let rejected = c.errors;
    spans.push(Span::raw(" · "));
    spans.push(Span::styled(
        format!("rejected {}", thousands(rejected as i64)),
        if rejected > 0 { t.bad() } else { t.dim() },
    ));
    spans.push(Span::raw(format!(" · late {}", thousands(c.late as i64))));
    if c.streaks_timed_out > 0 {
        spans.push(Span::styled(
            format!(
                " · streaks timed out {}",
                thousands(c.streaks_timed_out as i64)
            ),
            t.warn(),
        ));
    }
    if c.duplicates > 0 {
        spans.push(Span::raw(format!(
            " · dup {}",
            thousands(c.duplicates as i64)
        )));
    }
    let mut lines = vec![Line::from(spans)];
    if area.height > 1 {
        let s = &v.snap;
        let span = match (s.from, s.to) {
            (Some(a), Some(b)) => format!(
                "{} – {}",
                super::super::clock(app, a),
                super::super::clock(app, b)
            ),
            _ => "no events yet".into(),
        };
        let mut second = vec![Span::styled(format!(" events {span}"), t.dim())];
        if let Some(n) = v.sources.notices.back() {
            second.push(Span::raw(" · "));
            second.push(Span::styled(crate::text::truncate(n, 80), t.warn()));
        }
        lines.push(Line::from(second));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn lag_text(ms: i64) -> String {
    if ms.abs() < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else if ms.abs() < 3_600_000 {
        format!("{}m", ms / 60_000)
    } else if ms.abs() < 86_400_000 {
        format!("{}h", ms / 3_600_000)
    } else {
        format!("{}d", ms / 86_400_000)
    }
}
