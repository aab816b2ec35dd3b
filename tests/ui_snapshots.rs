//! Whole frames from ratatui's TestBackend, reviewed as insta snapshots:
//! the full layout at 120x40, the compact one at 80x24, the minimal one at
//! 40x12, and the "too small" message at 1x1 and 20x4.

use livetally::decode::{DecodeOptions, Decoded, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::feed::Sources;
use livetally::source::SourceState;
use livetally::ui::app::{Action, App};
use livetally::ui::local::Local;
use livetally::ui::render::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const RULES: &str = include_str!("fixtures/rules.csv");

pub fn app_from(text: &str, scope: Scope) -> Local {
    let mut engine = Engine::new(Config::default());
    for it in decode_str(text, DecodeOptions::default()) {
        match it.what {
            Decoded::Event(ev) => engine.ingest(ev),
            Decoded::Skipped(_) => engine.skipped(),
            Decoded::Rejected(r) => engine.reject("rules.csv", it.line, r),
            Decoded::Duplicate => engine.duplicate(),
        }
    }
    let mut sources = Sources::new(vec!["rules.csv".into()]);
    sources.list[0].state = SourceState::Ended;
    let mut app = Local::new(engine, sources, scope);
    app.utc = true;
    app.mono = true;
    let now = app.engine.now.unwrap_or(0);
    app.refresh(0.0, now + 1_500);
    app
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| render(f, app)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..w {
            // a wide character owns the cell after it
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = livetally::text::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn full_120x40() {
    let app = app_from(RULES, Scope::All);
    insta::assert_snapshot!(draw(&app, 120, 40));
}

#[test]
fn compact_80x24() {
    let app = app_from(RULES, Scope::All);
    insta::assert_snapshot!(draw(&app, 80, 24));
}

/// At 100 columns the creators panel (beside the ticker) is narrower than
/// its columns' usual widths: the money column gives way before any heading
/// is clipped ("iamonds" was drawn).
#[test]
fn creator_headings_are_whole_at_100_columns() {
    let app = app_from(RULES, Scope::All);
    let screen = draw(&app, 100, 30);
    let header = screen
        .lines()
        .find(|l| l.contains("creat") && l.contains("gifts"))
        .unwrap_or_default();
    for h in [
        "creator",
        " gifts ",
        " diamonds ",
        " gifters ",
        " orders ",
        " GMV ",
        " conv",
    ] {
        assert!(header.contains(h), "{h:?} clipped in {header:?}");
    }
}

#[test]
fn minimal_40x12() {
    let app = app_from(RULES, Scope::All);
    insta::assert_snapshot!(draw(&app, 40, 12));
}

#[test]
fn too_small_never_panics() {
    let app = app_from(RULES, Scope::All);
    for (w, h) in [(1, 1), (2, 1), (20, 4), (29, 40), (200, 5), (1, 60)] {
        let _ = draw(&app, w, h);
    }
    insta::assert_snapshot!(draw(&app, 20, 4));
}

#[test]
fn help_overlay_and_detail_view() {
    let mut app = app_from(RULES, Scope::All);
    app.act(Action::Help);
    insta::assert_snapshot!("help", draw(&app, 120, 40));
    app.act(Action::Help);
    app.act(Action::Down); // bob
    app.act(Action::Open);
    insta::assert_snapshot!("detail_bob", draw(&app, 120, 40));
}

/// A typed filter: the table, its count and its column widths come from
/// the creators the filter lets through (filtered once per frame).
#[test]
fn creators_filtered_by_a_typed_filter() {
    let mut app = app_from(RULES, Scope::All);
    app.act(Action::StartFilter);
    app.act(Action::FilterChar('B'));
    app.act(Action::FilterDone);
    let screen = draw(&app, 120, 40);
    assert!(
        screen.contains("Creators · 1 · sort diamonds ▼ · /B"),
        "{screen}"
    );
    // the focused table's rows, between its thick borders (the ticker
    // beside it names creators too)
    let table: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Creators ·"))
        .skip(2)
        .filter_map(|l| l.split('┃').nth(1))
        .collect();
    assert!(table.iter().any(|l| l.contains("bob")), "{screen}");
    assert!(!table.iter().any(|l| l.contains("alice")), "{screen}");
    insta::assert_snapshot!("filtered_120x40", screen);
}

#[test]
fn hostile_text_is_sanitised_and_measured() {
    // control characters, an OSC retitle, a clear-screen, bidi overrides,
    // emoji sequences, CJK, combining marks and a 10 KB name
    let app = app_from(include_str!("fixtures/hostile.ndjson"), Scope::All);
    let frame = draw(&app, 120, 40);
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!frame.contains(bad), "{bad:?} reached the screen");
    }
    insta::assert_snapshot!(frame);
}

/// The dashboard draws the view that says the feed ended at once (not at
/// the next frame slot); what it goes by is the view's sources.
#[test]
fn feed_ended_is_read_from_the_view_on_screen() {
    let mut app = app_from(RULES, Scope::All);
    assert!(app.feed_ended());
    app.sources.list[0].state = SourceState::Reading;
    assert!(app.feed_ended(), "still the view on screen");
    let now = app.engine.now.unwrap_or(0);
    app.refresh(0.0, now + 1_500);
    assert!(!app.feed_ended());
    app.sources.list[0].state = SourceState::Failed("gone".into());
    app.refresh(0.0, now + 1_500);
    assert!(app.feed_ended());
}

/// A busy feed's numbers are whole at every layout: a number cut at a
/// panel's edge reads as another number (`diamonds 15,756,67`, `ref` with
/// its count cut off, and a creator's gifts `025,228` were drawn).
#[test]
fn large_numbers_are_never_cut() {
    let mut feed =
        String::from("ts,kind,creator,user,item,qty,diamonds,amount,currency,order_id,status\n");
    let ts = "2026-11-23T20:00:00Z";
    // 3,025,228 gifts sent in all, 15,370,905 diamonds (12,345,678 + 3,025,227)
    feed.push_str(&format!("{ts},gift,ana,u0,Universe,1,12345678,,,,\n"));
    feed.push_str(&format!("{ts},gift,ana,u1,Rose,3025227,3025227,,,,\n"));
    // 12,000 paid orders of $99,999.99 (GMV $1,199,999,880.00), 3,456
    // pending, 2,345 cancelled, 1,234 refunded
    let mut n = 0;
    for (count, status) in [
        (12_000, "paid"),
        (3_456, "pending"),
        (2_345, "cancelled"),
        (1_234, "refunded"),
    ] {
        for _ in 0..count {
            n += 1;
            feed.push_str(&format!(
                "{ts},order,ana,b{n},Lip Tint,1,,99999.99,USD,o{n},{status}\n"
            ));
        }
    }
    let app = app_from(&feed, Scope::All);
    let all_whole = |screen: &str, (w, h): (u16, u16), figures: &[&str]| {
        for whole in figures {
            assert!(
                screen.contains(whole),
                "{whole:?} not whole at {w}x{h}:\n{screen}"
            );
        }
    };
    for (w, h) in [(120, 40), (100, 30), (80, 24)] {
        let screen = draw(&app, w, h);
        let figures = [
            "sent 3,025,228",
            "diamonds 15,370,905",
            "paid 12,000",
            "pend 3,456",
            "canc 2,345",
            "ref 1,234",
            "GMV $1,199,999,880.00",
        ];
        all_whole(&screen, (w, h), &figures);
        // the creators table (not shown at 80x24 until focused)
        if let Some(row) = screen.lines().find(|l| l.contains("┃ana ")) {
            for whole in [" 3,025,228 ", " 15,370,905 ", " 12,000 "] {
                assert!(row.contains(whole), "{whole:?} not whole at {w}x{h}: {row}");
            }
        } else {
            assert_eq!((w, h), (80, 24), "no creators row:\n{screen}");
        }
    }
    // the minimal layout
    for (w, h) in [(40, 12), (30, 8)] {
        let figures = [
            "gifts 3,025,228",
            "◆ 15,370,905",
            "paid 12,000",
            "$1,199,999,880.00",
            "◆15,370,905",
        ];
        all_whole(&draw(&app, w, h), (w, h), &figures);
    }
}

/// A frozen view says so whatever the width: on a short header row the
/// creator's name and the source give way before PAUSED does.
#[test]
fn paused_is_shown_before_anything_gives_way() {
    let mut app = app_from(RULES, Scope::All);
    app.act(Action::Down); // bob
    app.act(Action::Open);
    app.refresh(0.0, app.engine.now.unwrap_or(0) + 1_500);
    app.act(Action::Pause);
    for (w, h) in [(120, 40), (80, 24), (40, 12)] {
        let screen = draw(&app, w, h);
        let header = screen.lines().next().unwrap_or_default();
        assert!(header.contains("PAUSED +0"), "{w}x{h}: {header:?}");
    }
    let wide = draw(&app, 120, 40);
    assert!(
        wide.lines()
            .next()
            .unwrap_or_default()
            .contains("creator bob"),
        "{wide}"
    );
}

/// Columns keep their widths while the table scrolls: they are sized for
/// every creator, not the page on screen (a wide GMV on the first page
/// had the gifters column give way there and come back on the next).
#[test]
fn creator_columns_stay_put_while_scrolling() {
    let mut feed =
        String::from("ts,kind,creator,user,item,qty,diamonds,amount,currency,order_id,status\n");
    let ts = "2026-11-23T20:00:00Z";
    for i in 0..60 {
        let diamonds = 1000 - i;
        feed.push_str(&format!("{ts},gift,c{i:02},u{i},Rose,1,{diamonds},,,,\n"));
        let amount = if i == 0 { "123456.78" } else { "5.00" };
        feed.push_str(&format!(
            "{ts},order,c{i:02},u{i},Mask,1,,{amount},USD,o{i},paid\n"
        ));
    }
    let mut app = app_from(&feed, Scope::All);
    // the creators panel's heading row and its first row (up to "conv")
    let table = |app: &App| {
        let screen = draw(app, 100, 30);
        let mut lines = screen
            .lines()
            .skip_while(|l| !(l.starts_with("┃creator") || l.starts_with("│creator")));
        let cut = |l: Option<&str>| {
            let l = l.unwrap_or_default();
            l.chars().take(58).collect::<String>()
        };
        (cut(lines.next()), cut(lines.next()))
    };
    let (heading, top) = table(&app);
    assert!(top.contains("c00") && top.contains("$123,456.78"), "{top}");
    assert!(!heading.contains("gifters"), "{heading}");
    for _ in 0..3 {
        app.act(Action::PageDown);
        let (now, row) = table(&app);
        assert_eq!(now, heading, "{row}");
        assert!(!row.contains("c00"), "{row}");
    }
}

/// Diamonds per minute say what span they cover: a window the feed does
/// not fill yet is named by the part it covers ("over the last 15m" was
/// shown for a stream a few seconds old, next to its rate over those
/// seconds), a filled one by its length.
#[test]
fn diamonds_per_minute_name_the_span_they_cover() {
    let feed = "ts,kind,creator,user,item,qty,diamonds\n\
                2026-11-23T20:00:00.000Z,gift,alice,u1,Rose,1,10\n\
                2026-11-23T20:02:59.500Z,gift,alice,u2,Rose,1,20\n";
    let pace = |scope| {
        let screen = draw(&app_from(feed, scope), 120, 40);
        let line = screen.lines().find(|l| l.contains("◆/min")).unwrap_or("");
        let start = line.find("◆/min").unwrap_or(0);
        let end = line[start..].find('│').map_or(line.len(), |e| start + e);
        line[start..end].trim_end().to_string()
    };
    // 180 seconds of data: 30 diamonds in 3 minutes
    assert_eq!(pace(Scope::Window(900)), "◆/min 10.0 over the last 3m");
    assert_eq!(pace(Scope::Window(300)), "◆/min 10.0 over the last 3m");
    // the last minute is covered: the second gift alone
    assert_eq!(pace(Scope::Window(60)), "◆/min 20.0 over the last 1m");
    assert_eq!(pace(Scope::All), "◆/min 10.0 over the whole feed");
}
