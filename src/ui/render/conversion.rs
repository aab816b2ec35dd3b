use super::super::app::{App, View};
use super::super::theme::Theme;
use super::{flow, label, panel, plain};
use crate::engine::snapshot::Rate;
use crate::format::{ci_pct, estimate, money_compact, pct, ratio, thousands, usd};
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
    let mut lines = Vec::new();
    if roomy {
        let top = s.viewers.max(1);
        let rows: Vec<(&str, u64, String)> = [
            ("viewers", s.viewers),
            ("gifters", s.gifters),
            ("buyers", s.orders.buyers),
        ]
        .into_iter()
        .map(|(name, n)| {
            let share = if s.viewers > 0 {
                pct(Some(n as f64 / s.viewers as f64))
            } else {
                "—".into()
            };
            (name, n, format!(" {} {share}", thousands(n as i64)))
        })
        .collect();
        // the bars take what the numbers leave: a number is never cut
        let numbers = rows.iter().map(|r| crate::text::width(&r.2)).max();
        let bar_w = match w.saturating_sub(8 + numbers.unwrap_or(0).max(14)).min(40) {
            n if n < 4 => 0,
            n => n,
        };
        for (name, n, text) in rows {
            let filled = ((n as f64 / top as f64) * bar_w as f64).round() as usize;
            lines.push(Line::from(vec![
                label(&format!("{name:<8}"), t),
                Span::styled("█".repeat(filled.min(bar_w)), t.accent()),
                Span::styled("░".repeat(bar_w - filled.min(bar_w)), t.dim()),
                plain(text),
            ]));
        }
    } else {
        lines.extend(flow(
            vec![
                vec![label("funnel ", t), plain(thousands(s.viewers as i64))],
                vec![plain(format!("→ {}", thousands(s.gifters as i64)))],
                vec![plain(format!("→ {}", thousands(s.orders.buyers as i64)))],
            ],
            " ",
            7,
            w,
        ));
    }
    lines.extend(rate_lines("all    ", &s.conversion, w, t));
    lines.extend(rate_lines("settled", &s.settled, w, t));
    if roomy {
        let bar_w = w.saturating_sub(22).clamp(4, 40);
        lines.push(Line::from(vec![
            label("       ", t),
            Span::styled(
                range_bar(s.conversion.ci95, s.conversion.rate, bar_w),
                t.accent(),
            ),
            label(" 95% interval", t),
        ]));
    }
    let mut lift = vec![vec![
        label("lift   ", t),
        Span::styled(ratio(s.lift.lift), t.key()),
    ]];
    if let Some((a, b)) = s.lift.ci95 {
        lift.push(vec![plain(format!("[{a:.2}, {b:.2}]"))]);
    }
    lines.extend(flow(lift, " ", 7, w));
    lines.extend(flow(
        vec![
            vec![
                label("buy    ", t),
                plain(format!("gifters {}", pct(s.lift.gifter.rate))),
            ],
            vec![plain(format!("· others {}", pct(s.lift.non_gifter.rate)))],
        ],
        " ",
        7,
        w,
    ));
    if roomy {
        lines.extend(flow(
            vec![
                vec![
                    label("spend  ", t),
                    Span::styled(format!("est. {}", usd(s.est_viewer_spend_usd)), t.gift()),
                ],
                vec![
                    label("vs GMV ", t),
                    Span::styled(
                        money_compact(&s.orders.gmv, w.saturating_sub(14)),
                        t.money(),
                    ),
                ],
            ],
            " ",
            7,
            w,
        ));
        let p = &s.projection;
        let mut next = vec![vec![
            label("30m    ", t),
            plain(match p.orders {
                Some(n) => format!("next {} orders", estimate(n)),
                None => "projection needs a minute of data".into(),
            }),
        ]];
        if let Some((a, b)) = p.orders_ci95 {
            next.push(vec![plain(format!("[{}, {}]", estimate(a), estimate(b)))]);
        }
        lines.extend(flow(next, " ", 7, w));
        // the largest currency; the report lists them all
        if let Some((c, (e, band))) = p.gmv.iter().max_by(|a, b| a.1.0.total_cmp(&b.1.0)) {
            let m = |x: f64| crate::format::money((x * 10_000.0).round() as i64, *c);
            lines.extend(flow(
                vec![
                    vec![label("       ", t), plain(format!("GMV {}", m(*e)))],
                    vec![plain(format!("±{}", m(*band)))],
                ],
                " ",
                7,
                w,
            ));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn rate_lines(name: &str, r: &Rate, w: usize, t: Theme) -> Vec<Line<'static>> {
    let groups = vec![
        vec![
            label(name, t),
            plain(format!(" {}/{} ", r.x, r.n)),
            Span::styled(pct(r.rate), t.key()),
        ],
        vec![label(&ci_pct(r.ci95), t)],
    ];
    flow(groups, " ", 7, w)
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
