use super::super::app::{App, View};
use super::super::theme::Theme;
use super::flow;
use crate::format::thousands;
use crate::source::SourceState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let mut first = vec![Span::styled(" livetally ", t.badge()), Span::raw(" ")];
    if app.demo {
        first.push(Span::styled(" DEMO ", t.badge()));
        first.push(Span::raw(" "));
    }
    first.push(Span::raw("window "));
    // what the panels show: the view's own window and creator, until the
    // view the last key asked for arrives from the engine
    first.push(Span::styled(format!("[{}]", v.snap.scope.label()), t.key()));
    // in the order they give way when the row is short: a frozen view
    // must always say so
    let mut groups = vec![first];
    if app.paused {
        groups.push(vec![Span::styled(
            format!(" PAUSED +{} ", thousands(app.since_pause as i64)),
            t.badge(),
        )]);
    }
    if let Some(d) = &v.snap.creator {
        groups.push(vec![
            Span::raw("creator "),
            Span::styled(crate::text::truncate(d, 20), t.key()),
        ]);
    }
    if !v.answers(&app.query()) {
        groups.push(vec![Span::styled("computing…", t.warn())]);
    }
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
        // narrow terminals keep the state and drop the name
        let mut group = Vec::new();
        if area.width >= 70 {
            group.push(Span::raw(crate::text::truncate(&short, 24)));
            group.push(Span::raw(" "));
        }
        group.push(Span::styled(state, style));
        groups.push(group);
    }
    // once every input has ended, a rate (0 ev/s) and the lag behind the
    // clock (days, for an old file) say nothing
    if !v.sources.all_done() {
        groups.push(vec![Span::raw(format!(
            "{} ev/s",
            thousands(v.events_per_sec.round() as i64)
        ))]);
        if v.catching_up {
            groups.push(vec![Span::styled("catching up", t.warn())]);
        }
        if let Some(lag) = v.lag_ms {
            groups.push(vec![Span::raw(format!("lag {}", lag_text(lag)))]);
        }
    }
    let c = &v.snap.counters;
    let rejected = c.errors;
    groups.push(vec![Span::styled(
        format!("rejected {}", thousands(rejected as i64)),
        if rejected > 0 { t.bad() } else { t.dim() },
    )]);
    groups.push(vec![Span::raw(format!(
        "late {}",
        thousands(c.late as i64)
    ))]);
    if c.streaks_timed_out > 0 {
        groups.push(vec![Span::styled(
            format!(
                "streaks timed out {}",
                thousands(c.streaks_timed_out as i64)
            ),
            t.warn(),
        )]);
    }
    if c.duplicates > 0 {
        groups.push(vec![Span::raw(format!(
            "dup {}",
            thousands(c.duplicates as i64)
        ))]);
    }
    // what does not fit in the first row is left out whole, never cut;
    // a second row is the events' time span
    let w = area.width as usize;
    let mut lines = flow(groups, " · ", 1, w);
    lines.truncate(1);
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
        let events = format!(" events {span}");
        // a notice takes the rest of the row, cut with an ellipsis if long
        let room = w.saturating_sub(crate::text::width(&events) + 3).min(80);
        let mut second = vec![Span::styled(events, t.dim())];
        if let Some(n) = v.sources.notices.back()
            && room >= 8
        {
            second.push(Span::raw(" · "));
            second.push(Span::styled(crate::text::truncate(n, room), t.warn()));
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
