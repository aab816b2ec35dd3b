use super::super::app::{App, Focus, SortKey};
use super::super::theme::Theme;
use super::panel;
use crate::engine::snapshot::CreatorRow;
use crate::format::{money_compact, pct, thousands};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

pub fn render(f: &mut Frame, app: &App, t: Theme, area: Rect) {
    // header row and borders take three lines
    let visible = area.height.saturating_sub(3) as usize;
    let all = app.filtered_creators();
    let shown_total = all.len();
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
    if all.is_empty() {
        let msg = if app.filter.is_empty() {
            "no creators in this window yet"
        } else {
            "no creator matches the filter (Esc clears)"
        };
        f.render_widget(Paragraph::new(msg).style(t.dim()).block(block), area);
        return;
    }
    let inner_w = area.width.saturating_sub(2) as usize;
    // Narrowest widths that still fit each heading and $9,999.99 (the six
    // gaps between the seven columns included: 56, the panel's inside at
    // 100 columns); what is left widens money first (to 13), then diamonds
    // (to 10), then the name, so no heading is clipped from there up (the
    // table's layout squeezed the fixed widths instead: "iamonds").
    let spare = inner_w.saturating_sub(6 + 7 + 7 + 8 + 7 + 6 + 9 + 6);
    let gmv_floor = 9 + spare.min(4);
    let money_w = gmv_floor.max(13);
    let widest = Widest::of(&all, money_w);
    let (rows, _, selected) = app.page_of(all, visible);
    let mut cols: Vec<Column> = vec![
        Column::new("gifts", SortKey::Gifts, 7, widest.gifts, &rows, |r| {
            thousands(r.gifts_sent)
        }),
        Column::new(
            "diamonds",
            SortKey::Diamonds,
            8 + spare.saturating_sub(4).min(2),
            widest.diamonds,
            &rows,
            |r| thousands(r.diamonds),
        ),
        Column::new("gifters", SortKey::Gifters, 7, widest.gifters, &rows, |r| {
            thousands(r.gifters as i64)
        }),
        Column::new("orders", SortKey::Orders, 6, widest.orders, &rows, |r| {
            thousands(r.orders as i64)
        }),
        Column::new("GMV", SortKey::Gmv, gmv_floor, widest.gmv, &rows, |r| {
            money_compact(&r.gmv, money_w)
        }),
        Column::new("conv", SortKey::Conversion, 6, 0, &rows, |r| {
            pct(r.conversion.rate)
        }),
    ];
    // A number wider than its column widens it; when the name would then
    // go below its heading, whole columns give way (least telling first,
    // never the sort key), as a cut number reads as another number.
    let name_floor = 7;
    for drop in [
        SortKey::Gifters,
        SortKey::Conversion,
        SortKey::Orders,
        SortKey::Gifts,
        SortKey::Gmv,
        SortKey::Diamonds,
    ] {
        let used: usize = cols.iter().map(|c| c.width + 1).sum();
        if name_floor + used <= inner_w {
            break;
        }
        if drop != app.sort {
            cols.retain(|c| c.key != drop);
        }
    }
    let used: usize = cols.iter().map(|c| c.width + 1).sum();
    let name_w = inner_w.saturating_sub(used).max(name_floor);
    let heading = |h: &'static str, k: SortKey| {
        let style = if k == app.sort {
            t.key().patch(t.accent())
        } else {
            t.dim()
        };
        Line::from(Span::styled(h, style))
    };
    let mut heads = vec![Cell::from(heading("creator", SortKey::Creator))];
    // numbers are right-aligned, so are their headings
    heads.extend(
        cols.iter()
            .map(|c| Cell::from(heading(c.head, c.key).right_aligned())),
    );
    let header = Row::new(heads);
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![Cell::from(crate::text::fit(&r.creator, name_w))];
            cells.extend(cols.iter().map(|c| {
                let text = c.values.get(i).cloned().unwrap_or_default();
                let style = match c.key {
                    SortKey::Diamonds => t.gift(),
                    SortKey::Gmv => t.money(),
                    _ => ratatui::style::Style::default(),
                };
                Cell::from(Line::from(Span::styled(text, style)).right_aligned())
            }));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(name_w as u16)];
    widths.extend(cols.iter().map(|c| Constraint::Length(c.width as u16)));
    let table = Table::new(body, widths)
        .header(header)
        .block(block)
        .row_highlight_style(t.selected());
    let mut state = TableState::default().with_selected(selected);
    f.render_stateful_widget(table, area, &mut state);
}

/// One numeric column of the page: its values, and the width that holds
/// its heading, its floor and its widest value.
struct Column {
    head: &'static str,
    key: SortKey,
    width: usize,
    values: Vec<String>,
}

impl Column {
    /// `widest`: the widest value over every row, not only this page's.
    fn new(
        head: &'static str,
        key: SortKey,
        floor: usize,
        widest: usize,
        rows: &[&CreatorRow],
        value: impl Fn(&CreatorRow) -> String,
    ) -> Column {
        let values: Vec<String> = rows.iter().map(|r| value(r)).collect();
        let on_page = values.iter().map(|v| crate::text::width(v)).max();
        Column {
            head,
            key,
            width: floor.max(widest).max(on_page.unwrap_or(0)).max(head.len()),
            values,
        }
    }
}

/// The widest figure of each column over every creator the filter lets
/// through, so columns keep their widths (and which of them give way)
/// while the table scrolls. Found from the extreme values, each formatted
/// once: a frame at 100k creators cannot format every row.
struct Widest {
    gifts: usize,
    diamonds: usize,
    gifters: usize,
    orders: usize,
    gmv: usize,
}

impl Widest {
    fn of(rows: &[&CreatorRow], money_w: usize) -> Widest {
        // lowest and highest of each count, in one pass over the rows
        let mut counts = [(0i64, 0i64); 4];
        // per currency the lowest and highest amount of a one-currency
        // GMV; several currencies are formatted as the page formats them
        // (a few currencies: a list searched in order costs less per row
        // than a map)
        let mut one: Vec<(crate::model::Currency, i64, i64)> = Vec::new();
        let mut gmv = 1; // "—"
        for r in rows {
            let values = [r.gifts_sent, r.diamonds, r.gifters as i64, r.orders as i64];
            for ((lo, hi), v) in counts.iter_mut().zip(values) {
                *lo = (*lo).min(v);
                *hi = (*hi).max(v);
            }
            match r.gmv.len() {
                0 => {}
                1 => {
                    for (c, v) in &r.gmv {
                        match one.iter_mut().find(|e| e.0 == *c) {
                            Some(e) => (e.1, e.2) = (e.1.min(*v), e.2.max(*v)),
                            None => one.push((*c, *v, *v)),
                        }
                    }
                }
                _ => gmv = gmv.max(crate::text::width(&money_compact(&r.gmv, money_w))),
            }
        }
        for (c, lo, hi) in one {
            let w = |v| crate::text::width(&crate::format::money(v, c));
            gmv = gmv.max(w(lo)).max(w(hi));
        }
        let [gifts, diamonds, gifters, orders] = counts.map(|(lo, hi)| {
            crate::text::width(&thousands(lo)).max(crate::text::width(&thousands(hi)))
        });
        Widest {
            gifts,
            diamonds,
            gifters,
            orders,
            gmv,
        }
    }
}
