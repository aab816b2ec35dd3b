use super::super::app::View;
use super::super::theme::Theme;
use super::{flow, label, name_value_line, panel, plain};
use crate::format::{per_min, thousands, usd};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

pub fn render(f: &mut Frame, v: &View, t: Theme, area: Rect, roomy: bool) {
    let s = &v.snap;
    let block = panel(&format!("Gifts · {}", v.snap.scope.label()), false, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    // diamonds over the minutes the scope covers (of the creator, in the
    // detail view; the part of a window the feed fills, or the whole span
    // for `all`)
    let minutes = match s.scope {
        crate::engine::Scope::All => match (s.from, s.to) {
            (Some(a), Some(b)) => ((b - a) as f64 / 60_000.0).max(1.0 / 60.0),
            _ => 0.0,
        },
        scope => s
            .rates
            .iter()
            .find(|(sc, _)| *sc == scope)
            .map_or(0.0, |(_, pm)| pm.minutes),
    };
    // a window the feed does not fill yet says how much of it the rate
    // covers: "over the last 15m" of a 4-second-old stream misled
    let over = match s.scope {
        crate::engine::Scope::All => "over the whole feed".to_string(),
        crate::engine::Scope::Window(secs) => {
            let covered = ((minutes * 60.0).round() as i64).min(secs);
            format!(
                "over the last {}",
                crate::format::duration_ms(covered * 1000)
            )
        }
    };
    let pace = (minutes > 0.0).then(|| (over, s.diamonds as f64 / minutes));
    let w = inner.width as usize;
    let mut lines = flow(
        vec![
            vec![
                label("sent ", t),
                Span::styled(thousands(s.gifts_sent), t.gift()),
            ],
            vec![
                label("diamonds ", t),
                Span::styled(thousands(s.diamonds), t.gift()),
            ],
        ],
        "  ",
        0,
        w,
    );
    lines.extend(flow(
        vec![
            vec![label("gifters ", t), plain(thousands(s.gifters as i64))],
            vec![
                label("est. ", t),
                plain(usd(s.est_viewer_spend_usd)),
                label(" spent", t),
            ],
        ],
        "  ",
        0,
        w,
    ));
    if roomy {
        lines.extend(flow(
            vec![
                vec![label("est. creator earnings", t)],
                vec![plain(usd(s.est_creator_earnings_usd))],
            ],
            " ",
            0,
            w,
        ));
    }
    if let Some((over, d)) = pace {
        lines.extend(flow(
            vec![
                vec![label("◆/min ", t), plain(per_min(d))],
                vec![label(&over, t)],
            ],
            " ",
            0,
            w,
        ));
    }
    let [text, spark, tops] = Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Length(if roomy { 3 } else { 1 }),
        Constraint::Min(0),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(lines), text);
    f.render_widget(
        Sparkline::default().data(&v.diamonds).style(t.gift()),
        spark,
    );
    if tops.height > 0 {
        let w = tops.width as usize;
        let lines: Vec<Line> = s
            .top_gifts
            .iter()
            .take(tops.height as usize)
            .map(|g| {
                let value = format!("{} ◆{}", thousands(g.gifts_sent), thousands(g.diamonds));
                name_value_line(&g.gift, value, w, t.gift())
            })
            .collect();
        f.render_widget(Paragraph::new(lines), tops);
    }
}
