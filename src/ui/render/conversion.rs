use super::super::app::{App, View};
use super::super::theme::Theme;
use super::{label, panel, plain};
use crate::engine::snapshot::Rate;
use crate::format::{ci_pct, money_compact, pct, ratio, thousands, usd};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect, roomy: bool) {
    let s = &v.snap;
    let block = panel(
        &format!("Conversion · gift→order within {}", app.attribution_label),
        false,
        t,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let bar_w = w.saturating_sub(22).clamp(4, 40);
    let mut lines = Vec::new();
    if roomy {
        let top = s.viewers.max(1);
        for (name, n) in [
            ("viewers", s.viewers),
            ("gifters", s.gifters),
            ("buyers", s.orders.buyers),
        ] {
            let filled = ((n as f64 / top as f64) * bar_w as f64).round() as usize;
            let share = if s.viewers > 0 {
                pct(Some(n as f64 / s.viewers as f64))
            } else {
                "—".into()
            };
            lines.push(Line::from(vec![
                label(&format!("{name:<8}"), t),
                Span::styled("█".repeat(filled.min(bar_w)), t.accent()),
                Span::styled("░".repeat(bar_w - filled.min(bar_w)), t.dim()),
                plain(format!(" {} {share}", thousands(n as i64))),
            ]));
        }
    } else {
        lines.push(Line::from(vec![
            label("funnel ", t),
            plain(format!(
                "{} → {} → {}",
                thousands(s.viewers as i64),
                thousands(s.gifters as i64),
                thousands(s.orders.buyers as i64)
            )),
        ]));
    }
    lines.push(rate_line("all    ", &s.conversion, bar_w, t));
    lines.push(rate_line("settled", &s.settled, bar_w, t));
    if roomy {
        lines.push(Line::from(vec![
            label("       ", t),
            Span::styled(
                range_bar(s.conversion.ci95, s.conversion.rate, bar_w),
                t.accent(),
            ),
            label(" 95% interval", t),
        ]));
    }
    let lift_ci = match s.lift.ci95 {
        Some((a, b)) => format!(" [{a:.2}, {b:.2}]"),
        None => String::new(),
    };
    lines.push(Line::from(vec![
        label("lift   ", t),
        Span::styled(ratio(s.lift.lift), t.key()),
        plain(lift_ci),
    ]));
    lines.push(Line::from(vec![
        label("buy    ", t),
        plain(format!(
            "gifters {} · others {}",
            pct(s.lift.gifter.rate),
            pct(s.lift.non_gifter.rate)
        )),
    ]));
    if roomy {
        lines.push(Line::from(vec![
            label("spend  ", t),
            Span::styled(format!("est. {}", usd(s.est_viewer_spend_usd)), t.gift()),
            label(" vs GMV ", t),
            Span::styled(
                money_compact(&s.orders.gmv, w.saturating_sub(27)),
                t.money(),
            ),
        ]));
        let p = &s.projection;
        let ci = match p.orders_ci95 {
            Some((a, b)) => format!(" [{a:.1}, {b:.1}]"),
            None => String::new(),
        };
        lines.push(Line::from(vec![
            label("30m    ", t),
            plain(match p.orders {
                Some(n) => format!("next {n:.1} orders{ci}"),
                None => "projection needs a minute of data".into(),
            }),
        ]));
        // the largest currency; the report lists them all
        let gmv: Vec<String> = p
            .gmv
            .iter()
            .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
            .into_iter()
            .map(|(c, (e, band))| {
                format!(
                    "{} ±{}",
                    crate::format::money((e * 10_000.0).round() as i64, *c),
                    crate::format::money((band * 10_000.0).round() as i64, *c)
                )
            })
            .collect();
        if !gmv.is_empty() {
            lines.push(Line::from(vec![
                label("       ", t),
                plain(format!("GMV {}", gmv.join(" + "))),
            ]));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn rate_line(name: &str, r: &Rate, _bar_w: usize, t: Theme) -> Line<'static> {
    Line::from(vec![
        label(name, t),
        plain(format!(" {}/{} ", r.x, r.n)),
        Span::styled(pct(r.rate), t.key()),
        label(&format!(" {}", ci_pct(r.ci95)), t),
    ])
}

/// `····[===●====]·····` on a 0–100% scale.
fn range_bar(ci: Option<(f64, f64)>, rate: Option<f64>, w: usize) -> String {
    let Some((lo, hi)) = ci else {
        return "—".into();
    };
    let pos = |x: f64| ((x.clamp(0.0, 1.0) * (w.saturating_sub(1)) as f64).round()) as usize;
    let (a, b) = (pos(lo), pos(hi));
    let m = rate.map(pos);
    (0..w)
        .map(|i| {
            if Some(i) == m {
                '●'
            } else if i == a {
                '['
            } else if i == b {
                ']'
            } else if i > a && i < b {
                '━'
            } else {
                '·'
            }
        })
        .collect()
}
