use super::super::app::{App, Focus, View};
use super::super::theme::Theme;
use super::panel;
use crate::engine::NotableKind;
use crate::format::{money, thousands};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let block = panel(
        "Ticker · big gifts, orders, refunds",
        app.focus == Focus::Ticker,
        t,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    if v.ticker.is_empty() {
        f.render_widget(Paragraph::new("nothing notable yet").style(t.dim()), inner);
        return;
    }
    let w = inner.width as usize;
    let lines: Vec<Line> = v
        .ticker
        .iter()
        .skip(app.ticker_scroll)
        .take(inner.height as usize)
        .map(|n| {
            let (tag, style, value) = match n.kind {
                NotableKind::BigGift => ("gift", t.gift(), format!("◆{}", thousands(n.diamonds))),
                NotableKind::Paid => ("paid", t.money(), amount(n)),
                NotableKind::Refunded => ("refund", t.warn(), amount(n)),
                NotableKind::Cancelled => ("cancel", t.bad(), amount(n)),
            };
            let time = super::super::clock(app, n.ts);
            let fixed = time.len() + 1 + 7 + value.chars().count() + 2;
            let rest = w.saturating_sub(fixed);
            let who_w = rest / 2;
            let what_w = rest - who_w;
            let who = if n.creator.is_empty() {
                n.user.to_string()
            } else {
                format!("{} → {}", n.user, n.creator)
            };
            Line::from(vec![
                Span::styled(time, t.dim()),
                Span::raw(" "),
                Span::styled(format!("{tag:<6} "), style),
                Span::raw(crate::text::fit(&who, who_w)),
                Span::raw(" "),
                Span::raw(crate::text::fit(&n.what, what_w)),
                Span::raw(" "),
                Span::styled(value, style),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn amount(n: &crate::engine::Notable) -> String {
    match n.amount {
        Some((a, c)) => money(a, c),
        None => "amount ?".into(),
    }
}

pub fn render_errors(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let total = v.snap.counters.errors;
    let utf8 = v.sources.invalid_utf8();
    let mut title = format!("Rejected lines · {}", thousands(total as i64));
    if utf8 > 0 {
        title.push_str(&format!(" · invalid UTF-8 {}", thousands(utf8 as i64)));
    }
    let block = panel(&title, app.focus == Focus::Errors, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if v.rejects.is_empty() {
        f.render_widget(Paragraph::new("none").style(t.dim()), inner);
        return;
    }
    let w = inner.width as usize;
    let lines: Vec<Line> = v
        .rejects
        .iter()
        .skip(app.errors_scroll)
        .take(inner.height as usize)
        .map(|r| {
            Line::from(vec![Span::styled(
                crate::text::truncate(&format!("{}:{}: {}", r.source, r.line, r.reason), w),
                t.bad(),
            )])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
