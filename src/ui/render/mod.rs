//! `render` is a pure function of the `App`: one file per panel, and a
//! layout chosen by the terminal's size.

mod conversion;
mod creators;
mod footer;
mod gifts;
mod header;
mod help;
mod orders;
mod ticker;

use super::app::{App, Focus, View};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

/// Below this nothing useful fits: say so instead of drawing garbage.
pub const MIN_W: u16 = 30;
pub const MIN_H: u16 = 6;

pub fn render(f: &mut Frame, app: &App) {
    let area = f.area();
    let theme = Theme { mono: app.mono };
    if area.width < MIN_W || area.height < MIN_H {
        let msg = Paragraph::new(format!(
            "terminal too small ({}x{}); livetally needs {MIN_W}x{MIN_H} · q quits",
            area.width, area.height
        ))
        .wrap(Wrap { trim: true });
        f.render_widget(msg, area);
        return;
    }
    let Some(view) = &app.view else {
        f.render_widget(
            Paragraph::new("livetally · waiting for the first events…"),
            area,
        );
        return;
    };
    if area.width >= 100 && area.height >= 30 {
        full(f, app, view, theme, area);
    } else if area.width >= 70 && area.height >= 20 {
        compact(f, app, view, theme, area);
    } else {
        minimal(f, app, view, theme, area);
    }
    if app.help {
        help::render(f, theme, area);
    }
}

fn full(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let [head, top, bottom, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(14),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, app, v, t, head);
    let [g, o, c] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(30),
        Constraint::Percentage(40),
    ])
    .areas(top);
    gifts::render(f, v, t, g, true);
    orders::render(f, v, t, o, true);
    conversion::render(f, app, v, t, c, true);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(bottom);
    creators::render(f, app, t, left);
    let [tick, errs] = Layout::vertical([Constraint::Min(4), Constraint::Length(6)]).areas(right);
    ticker::render(f, app, v, t, tick);
    ticker::render_errors(f, app, v, t, errs);
    footer::render(f, app, t, foot);
}

fn compact(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let [head, top, conv, bottom, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, app, v, t, head);
    let [g, o] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    gifts::render(f, v, t, g, false);
    orders::render(f, v, t, o, false);
    conversion::render(f, app, v, t, conv, false);
    if app.focus == Focus::Creators {
        creators::render(f, app, t, bottom);
    } else if app.focus == Focus::Ticker {
        ticker::render(f, app, v, t, bottom);
    } else {
        ticker::render_errors(f, app, v, t, bottom);
    }
    footer::render(f, app, t, foot);
}

fn minimal(f: &mut Frame, app: &App, v: &View, t: Theme, area: Rect) {
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, app, v, t, head);
    let s = &v.snap;
    use crate::format::*;
    let w = body.width as usize;
    let gift = |s: String| Span::styled(s, t.gift());
    let money = |s: String| Span::styled(s, t.money());
    let mut lines = flow(
        vec![
            vec![gift(format!("gifts {}", thousands(s.gifts_sent)))],
            vec![gift(format!("◆ {}", thousands(s.diamonds)))],
        ],
        " · ",
        2,
        w,
    );
    lines.extend(flow(
        vec![
            vec![money(format!("paid {}", thousands(s.orders.paid as i64)))],
            vec![money(money_map(&s.orders.gmv))],
        ],
        " · ",
        2,
        w,
    ));
    lines.extend(flow(
        vec![
            vec![Span::raw(format!(
                "conv {}/{}",
                s.conversion.x, s.conversion.n
            ))],
            vec![Span::raw(pct(s.conversion.rate))],
        ],
        " ",
        2,
        w,
    ));
    lines.push(Line::from(format!("lift {}", ratio(s.lift.lift))));
    let rows = body.height.saturating_sub(lines.len() as u16) as usize;
    let (page, _, _) = app.creator_page(rows);
    for r in page.iter().take(rows) {
        let value = format!("◆{}", thousands(r.diamonds));
        lines.push(name_value_line(&r.creator, value, w, t.gift()));
    }
    f.render_widget(Paragraph::new(lines), body);
    footer::render(f, app, t, foot);
}

/// A bordered panel whose border shows focus.
pub(crate) fn panel(title: &str, focused: bool, t: Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(if focused {
            t.focus_border()
        } else {
            t.border()
        })
        .title(Line::styled(format!(" {title} "), t.title()))
}

/// A top-list line: the name cut to fit, then the value right-aligned.
pub(crate) fn name_value_line(
    name: &str,
    value: String,
    width: usize,
    style: ratatui::style::Style,
) -> Line<'static> {
    let name_w = width.saturating_sub(crate::text::width(&value) + 1);
    Line::from(vec![
        plain(crate::text::fit(name, name_w)),
        plain(" ".into()),
        ratatui::text::Span::styled(value, style),
    ])
}

pub(crate) fn label(s: &str, t: Theme) -> ratatui::text::Span<'static> {
    ratatui::text::Span::styled(s.to_string(), t.dim())
}

pub(crate) fn plain(s: String) -> ratatui::text::Span<'static> {
    ratatui::text::Span::styled(s, Style::default())
}

/// Groups of spans (a label and its number, say) laid out left to right
/// with `gap` between them; a group that does not fit on the line begins
/// the next, after `indent` spaces. A number is never cut at a panel's
/// edge: `diamonds 15,756,67` reads as another number. A group wider than
/// the whole width stands alone on its line.
pub(crate) fn flow(
    groups: Vec<Vec<Span<'static>>>,
    gap: &'static str,
    indent: usize,
    width: usize,
) -> Vec<Line<'static>> {
    let gap_w = crate::text::width(gap);
    let mut lines = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for group in groups {
        let w: usize = group.iter().map(Span::width).sum();
        if !cur.is_empty() && used + gap_w + w > width {
            lines.push(Line::from(std::mem::take(&mut cur)));
            cur.push(Span::raw(" ".repeat(indent)));
            used = indent;
        } else if !cur.is_empty() {
            cur.push(Span::raw(gap));
            used += gap_w;
        }
        used += w;
        cur.extend(group);
    }
    if !cur.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    fn groups(words: &[&str]) -> Vec<Vec<Span<'static>>> {
        words
            .iter()
            .map(|w| vec![Span::raw(w.to_string())])
            .collect()
    }

    #[test]
    fn flow_wraps_between_groups_never_inside_one() {
        let g = groups(&["sent 3,025,228", "diamonds 15,756,672"]);
        // 14 + 2 + 19 = 35 columns: one line at 35, two at 34
        assert_eq!(
            text(&flow(g.clone(), "  ", 0, 35)),
            ["sent 3,025,228  diamonds 15,756,672"]
        );
        assert_eq!(
            text(&flow(g, "  ", 0, 34)),
            ["sent 3,025,228", "diamonds 15,756,672"]
        );
    }

    #[test]
    fn flow_indents_continuations_and_measures_the_gap_in_columns() {
        // " · " is 3 columns but 4 bytes: "a · b" fits in 5
        let g = groups(&["a", "b", "cc"]);
        assert_eq!(text(&flow(g.clone(), " · ", 2, 5)), ["a · b", "  cc"]);
        assert_eq!(text(&flow(g, " · ", 2, 4)), ["a", "  b", "  cc"]);
        // wider than the whole width: alone on its line
        let g = groups(&["x", "123456789", "y"]);
        assert_eq!(text(&flow(g, " ", 0, 5)), ["x", "123456789", "y"]);
        assert!(flow(Vec::new(), " ", 0, 5).is_empty());
    }
}
