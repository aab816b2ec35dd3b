use super::super::app::View;
use super::super::theme::Theme;
use super::{flow, label, name_value_line, panel, plain};
use crate::format::{money, money_map, thousands};
use crate::model::Currency;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use std::collections::BTreeMap;

pub fn render(f: &mut Frame, v: &View, t: Theme, area: Rect, roomy: bool) {
    let s = &v.snap;
    let o = &s.orders;
    let block = panel(&format!("Orders · {}", s.scope.label()), false, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let refunded = if o.refunded > 0 { t.warn() } else { t.dim() };
    let mut lines = flow(
        vec![
            vec![
                label("paid ", t),
                Span::styled(thousands(o.paid as i64), t.money()),
            ],
            vec![label("pend ", t), plain(thousands(o.pending as i64))],
            vec![label("canc ", t), plain(thousands(o.cancelled as i64))],
            vec![
                label("ref ", t),
                Span::styled(thousands(o.refunded as i64), refunded),
            ],
        ],
        " ",
        0,
        w,
    );
    lines.extend(flow(money_groups("GMV ", &o.gmv, t.money(), t), " ", 4, w));
    if o.gmv_unknown > 0 {
        lines.extend(flow(
            vec![
                vec![Span::styled(
                    format!("+{} paid,", thousands(o.gmv_unknown as i64)),
                    t.warn(),
                )],
                vec![Span::styled("amount unknown", t.warn())],
            ],
            " ",
            0,
            w,
        ));
    }
    if roomy {
        lines.extend(flow(
            money_groups("gross ", &o.gmv_gross, Style::default(), t),
            " ",
            6,
            w,
        ));
        lines.extend(flow(
            vec![
                vec![label("units ", t), plain(thousands(o.units))],
                vec![label("buyers ", t), plain(thousands(o.buyers as i64))],
            ],
            "  ",
            0,
            w,
        ));
    }
    lines.push(Line::from(vec![label("paid orders over the window", t)]));
    let [text, spark, tops] = Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Length(if roomy { 3 } else { 1 }),
        Constraint::Min(0),
    ])
    .areas(inner);
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

/// A sum per currency as one group per currency ("GMV $120.00", "+ €30.00"),
/// so that several currencies wrap between amounts, never inside one.
fn money_groups(
    name: &str,
    m: &BTreeMap<Currency, i64>,
    style: Style,
    t: Theme,
) -> Vec<Vec<Span<'static>>> {
    if m.is_empty() {
        return vec![vec![label(name, t), Span::styled(money_map(m), style)]];
    }
    m.iter()
        .enumerate()
        .map(|(i, (c, v))| {
            let lead = if i == 0 {
                label(name, t)
            } else {
                plain("+ ".into())
            };
            vec![lead, Span::styled(money(*v, *c), style)]
        })
        .collect()
}
