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
    // numeric columns and the gaps between the seven columns
    let name_w = inner_w.saturating_sub(7 + 10 + 7 + 6 + 13 + 6 + 6).max(6);
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
                    Line::from(Span::styled(money_compact(&r.gmv, 13), t.money())).right_aligned(),
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
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(13),
            Constraint::Length(6),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(t.selected());
    let mut state = TableState::default().with_selected(selected);
    f.render_stateful_widget(table, area, &mut state);
}
