use super::super::app::{App, Focus, SortKey};
use super::super::theme::Theme;
use super::panel;
use crate::format::{money_compact, pct, thousands};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

pub fn render(f: &mut Frame, app: &App, t: Theme, area: Rect) {
    // header row and borders take three lines
    let visible = area.height.saturating_sub(3) as usize;
    let (rows, _, selected) = app.creator_page(visible);
    let shown_total = app.creator_count();
    let arrow = if app.sort_reversed { "▲" } else { "▼" };
    let mut title = format!(
        "Creators · {} · sort {} {arrow}",
        crate::format::thousands(shown_total as i64),
        app.sort.label()
    );
    if app.filtering || !app.filter.is_empty() {
        let cursor = if app.filtering { "▏" } else { "" };
        title.push_str(&format!(
            " · /{}{cursor}",
            crate::text::truncate(&app.filter, 20)
        ));
    }
    let block = panel(&title, app.focus == Focus::Creators, t);
    if rows.is_empty() {
        let msg = if app.filter.is_empty() {
            "no creators in this window yet"
        } else {
            "no creator matches the filter (Esc clears)"
        };
        f.render_widget(Paragraph::new(msg).style(t.dim()).block(block), area);
        return;
    }
    let heads = [
        ("creator", SortKey::Creator),
        ("gifts", SortKey::Gifts),
        ("diamonds", SortKey::Diamonds),
        ("gifters", SortKey::Gifters),
        ("orders", SortKey::Orders),
        ("GMV", SortKey::Gmv),
        ("conv", SortKey::Conversion),
    ];
    let header = Row::new(heads.iter().map(|(h, k)| {
        let style = if *k == app.sort {
            t.key().patch(t.accent())
        } else {
            t.dim()
        };
        let line = Line::from(Span::styled(*h, style));
        // numbers are right-aligned, so are their headings
        Cell::from(if *k == SortKey::Creator {
            line
        } else {
            line.right_aligned()
        })
    }));
    let inner_w = area.width.saturating_sub(2);
    // Narrowest widths that still fit each heading and $9,999.99 (the six
    // gaps between the seven columns included: 56, the panel's inside at
    // 100 columns); what is left widens money first (to 13), then diamonds
    // (to 10), then the name, so no heading is clipped from there up (the
    // table's layout squeezed the fixed widths instead: "iamonds").
    let spare = inner_w.saturating_sub(6 + 7 + 7 + 8 + 7 + 6 + 9 + 6);
    let gmv_w = 9 + spare.min(4);
    let diamonds_w = 8 + spare.saturating_sub(4).min(2);
    let name_w = 7 + spare.saturating_sub(6);
    let body: Vec<Row> = rows
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::from(crate::text::fit(&r.creator, name_w as usize)),
                Cell::from(Line::from(thousands(r.gifts_sent)).right_aligned()),
                Cell::from(
                    Line::from(Span::styled(thousands(r.diamonds), t.gift())).right_aligned(),
                ),
                Cell::from(Line::from(thousands(r.gifters as i64)).right_aligned()),
                Cell::from(Line::from(thousands(r.orders as i64)).right_aligned()),
                Cell::from(
                    Line::from(Span::styled(
                        money_compact(&r.gmv, gmv_w as usize),
                        t.money(),
                    ))
                    .right_aligned(),
                ),
                Cell::from(Line::from(pct(r.conversion.rate)).right_aligned()),
            ])
        })
        .collect();
    let table = Table::new(
        body,
        [
            Constraint::Length(name_w),
            Constraint::Length(7),
            Constraint::Length(diamonds_w),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(gmv_w),
            Constraint::Length(6),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(t.selected());
    let mut state = TableState::default().with_selected(selected);
    f.render_stateful_widget(table, area, &mut state);
}
