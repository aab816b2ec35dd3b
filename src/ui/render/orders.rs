use super::super::app::View;
use super::super::theme::Theme;
use super::{label, name_value_line, panel, plain};
use crate::format::{money_map, thousands};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

pub fn render(f: &mut Frame, v: &View, t: Theme, area: Rect, roomy: bool) {
    let s = &v.snap;
    let o = &s.orders;
    let block = panel(&format!("Orders · {}", s.scope.label()), false, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = vec![
        Line::from(vec![
            label("paid ", t),
            Span::styled(thousands(o.paid as i64), t.money()),
            label(" pend ", t),
            plain(thousands(o.pending as i64)),
            label(" canc ", t),
            plain(thousands(o.cancelled as i64)),
            label(" ref ", t),
            Span::styled(
                thousands(o.refunded as i64),
                if o.refunded > 0 { t.warn() } else { t.dim() },
            ),
        ]),
        Line::from(vec![
            label("GMV ", t),
            Span::styled(money_map(&o.gmv), t.money()),
        ]),
    ];
    if o.gmv_unknown > 0 {
        lines.push(Line::from(vec![Span::styled(
            format!("+{} paid, amount unknown", thousands(o.gmv_unknown as i64)),
            t.warn(),
        )]));
    }
    if roomy {
        lines.push(Line::from(vec![
            label("gross ", t),
            plain(money_map(&o.gmv_gross)),
        ]));
        lines.push(Line::from(vec![
            label("units ", t),
            plain(thousands(o.units)),
            label("  buyers ", t),
            plain(thousands(o.buyers as i64)),
        ]));
    }
    let [text, spark, tops] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 1),
        Constraint::Length(if roomy { 3 } else { 1 }),
        Constraint::Min(0),
    ])
    .areas(inner);
    lines.push(Line::from(vec![label("paid orders over the window", t)]));
    f.render_widget(Paragraph::new(lines), text);
    f.render_widget(Sparkline::default().data(&v.orders).style(t.money()), spark);
    if tops.height > 0 {
        let w = tops.width as usize;
        let lines: Vec<Line> = s
            .top_products
            .iter()
            .take(tops.height as usize)
            .map(|p| {
                let value = format!(
                    "{}× {}",
                    thousands(p.orders as i64),
                    crate::format::money_compact(&p.gmv, w / 2)
                );
                name_value_line(&p.product, value, w, t.money())
            })
            .collect();
        f.render_widget(Paragraph::new(lines), tops);
    }
}
