//! Keys to actions to state: pause, windows, focus, sort, filter, detail
//! and export, on the hand-checked fixture.

use livetally::decode::{DecodeOptions, Decoded, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::feed::Sources;
use livetally::model::{Event, Kind};
use livetally::ui::app::{Action, App, Focus, SortKey};
use livetally::ui::keys::action_for;
use livetally::ui::local::Local;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app() -> Local {
    let mut engine = Engine::new(Config::default());
    for it in decode_str(include_str!("fixtures/rules.csv"), DecodeOptions::default()) {
        match it.what {
            Decoded::Event(ev) => engine.ingest(ev),
            Decoded::Skipped(_) => engine.skipped(),
            Decoded::Rejected(r) => engine.reject("rules.csv", it.line, r),
            Decoded::Duplicate => engine.duplicate(),
        }
    }
    let mut app = Local::new(engine, Sources::new(vec!["rules.csv".into()]), Scope::All);
    let now = app.engine.now.unwrap();
    app.refresh(0.0, now);
    app
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn names(app: &App) -> Vec<String> {
    app.creator_rows()
        .iter()
        .map(|r| r.creator.to_string())
        .collect()
}

#[test]
fn keys_map_to_actions() {
    let a = app();
    assert_eq!(action_for(&a, key(KeyCode::Char('q'))), Some(Action::Quit));
    assert_eq!(
        action_for(&a, KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::Quit)
    );
    assert_eq!(action_for(&a, key(KeyCode::Char(' '))), Some(Action::Pause));
    assert_eq!(
        action_for(&a, key(KeyCode::Char('w'))),
        Some(Action::NextWindow)
    );
    assert_eq!(
        action_for(&a, key(KeyCode::Char('W'))),
        Some(Action::PrevWindow)
    );
    assert_eq!(
        action_for(&a, key(KeyCode::BackTab)),
        Some(Action::FocusPrev)
    );
    assert_eq!(action_for(&a, key(KeyCode::Char('j'))), Some(Action::Down));
    assert_eq!(action_for(&a, key(KeyCode::End)), Some(Action::End));
    assert_eq!(
        action_for(&a, key(KeyCode::Char('S'))),
        Some(Action::ReverseSort)
    );
    assert_eq!(
        action_for(&a, key(KeyCode::Char('e'))),
        Some(Action::Export)
    );
    assert_eq!(action_for(&a, key(KeyCode::Char('x'))), None);
}

#[test]
fn pause_freezes_the_view_while_ingest_continues() {
    let mut a = app();
    a.act(Action::Pause);
    assert!(a.paused);
    let mut ev = Event::new(a.engine.now.unwrap(), Kind::Gift);
    ev.creator = Some("carol".into());
    ev.user = Some("u42".into());
    ev.diamonds = 7;
    a.engine.ingest(ev);
    a.refresh(0.0, 0);
    // the engine has carol, the frozen view does not
    assert_eq!(a.engine.snapshot(Scope::All, None).creators.len(), 3);
    assert_eq!(names(&a), ["alice", "bob"]);
    a.act(Action::Pause);
    a.refresh(0.0, 0);
    assert_eq!(names(&a), ["alice", "bob", "carol"]);
}

#[test]
fn windows_cycle_both_ways() {
    let mut a = app();
    assert_eq!(a.scope, Scope::All);
    a.act(Action::NextWindow);
    assert_eq!(a.scope, Scope::Window(60));
    assert_eq!(a.view.as_ref().unwrap().snap.scope, Scope::Window(60));
    a.act(Action::PrevWindow);
    a.act(Action::PrevWindow);
    assert_eq!(a.scope, Scope::Window(3600));
}

#[test]
fn sort_reverse_and_stable_selection() {
    let mut a = app();
    assert_eq!(a.sort, SortKey::Diamonds);
    assert_eq!(names(&a), ["alice", "bob"]);
    assert_eq!(a.selected.as_deref(), Some("alice"));
    a.act(Action::ReverseSort);
    assert_eq!(names(&a), ["bob", "alice"]);
    // the selection follows the creator, not the row
    assert_eq!(a.selected_index(), Some(1));
    a.act(Action::NextSort); // gifts: alice 7, bob 3
    assert_eq!(a.sort, SortKey::Gifts);
    assert!(!a.sort_reversed);
    assert_eq!(names(&a), ["alice", "bob"]);
    for _ in 0..3 {
        a.act(Action::NextSort); // gifters (tie: by name), orders, GMV
    }
    assert_eq!(a.sort, SortKey::Gmv);
    a.act(Action::NextSort);
    assert_eq!(a.sort, SortKey::Conversion); // alice 100%, bob 0%
    assert_eq!(names(&a), ["alice", "bob"]);
}

#[test]
fn moving_focus_and_selection() {
    let mut a = app();
    a.act(Action::Down);
    assert_eq!(a.selected.as_deref(), Some("bob"));
    a.act(Action::Down);
    assert_eq!(a.selected.as_deref(), Some("bob"));
    a.act(Action::Home);
    assert_eq!(a.selected.as_deref(), Some("alice"));
    a.act(Action::FocusNext);
    assert_eq!(a.focus, Focus::Ticker);
    a.act(Action::PageDown);
    assert_eq!(a.ticker_scroll, 9); // 10 ticker lines: refunds, cancel, payments, the Lion
    a.act(Action::End);
    assert_eq!(a.ticker_scroll, 9);
    a.act(Action::FocusPrev);
    assert_eq!(a.focus, Focus::Creators);
}

/// A refresh keeps a selection that is still shown, even off the first
/// row; the filter hiding it moves it to the first row shown, or to none.
#[test]
fn refresh_keeps_a_shown_selection() {
    let mut a = app();
    a.act(Action::Down);
    assert_eq!(a.selected.as_deref(), Some("bob"));
    let now = a.engine.now.unwrap();
    a.refresh(0.0, now);
    assert_eq!(a.selected.as_deref(), Some("bob"));
    a.act(Action::StartFilter);
    a.act(Action::FilterChar('L')); // alice, not bob
    assert_eq!(a.selected.as_deref(), Some("alice"));
    a.refresh(0.0, now);
    assert_eq!(a.selected.as_deref(), Some("alice"));
    a.act(Action::FilterChar('z'));
    assert_eq!(a.selected, None);
    a.refresh(0.0, now);
    assert_eq!(a.selected, None);
}

#[test]
fn filter_typing_and_clearing() {
    let mut a = app();
    a.act(Action::StartFilter);
    assert!(a.filtering);
    // while typing, letters are text, not commands
    assert_eq!(
        action_for(&a, key(KeyCode::Char('q'))),
        Some(Action::FilterChar('q'))
    );
    a.act(Action::FilterChar('B'));
    assert_eq!(names(&a), ["bob"]);
    assert_eq!(a.selected.as_deref(), Some("bob"));
    a.act(Action::FilterBackspace);
    assert_eq!(names(&a).len(), 2);
    a.act(Action::FilterChar('z'));
    assert!(names(&a).is_empty());
    a.act(Action::Back); // Esc clears
    assert!(!a.filtering);
    assert!(a.filter.is_empty());
    assert_eq!(names(&a).len(), 2);
    assert!(!a.quit);
}

#[test]
fn detail_view_filters_everything_and_returns() {
    let mut a = app();
    a.act(Action::Down);
    a.act(Action::Open);
    assert_eq!(a.detail.as_deref(), Some("bob"));
    let v = a.view.as_ref().unwrap();
    assert_eq!(v.snap.diamonds, 300);
    assert_eq!(v.snap.orders.paid, 2);
    assert!(v.ticker.iter().all(|n| n.creator == "bob"));
    // the order chart counts bob's paid orders: o3 (20:30:31) and o5 (20:15)
    assert_eq!(v.orders.iter().sum::<u64>(), 2);
    assert_eq!(action_for(&a, key(KeyCode::Backspace)), Some(Action::Back));
    a.act(Action::Back);
    assert_eq!(a.detail, None);
    assert_eq!(a.view.as_ref().unwrap().snap.diamonds, 30305);
    // every paid order of the last hour: o1 o2 o3 o5 o7
    assert_eq!(a.view.as_ref().unwrap().orders.iter().sum::<u64>(), 5);
    // Esc with nothing open quits
    a.act(Action::Back);
    assert!(a.quit);
}

#[test]
fn export_writes_json_and_csv_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app();
    a.export_dir = dir.path().to_path_buf();
    a.act(Action::Export);
    let status = a.status.clone().unwrap();
    assert!(status.starts_with("exported "), "{status}");
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("-all.csv") && files[1].ends_with("-all.json"));
    let csv = std::fs::read_to_string(dir.path().join(&files[0])).unwrap();
    assert_eq!(
        csv,
        "creator,gifts_sent,diamonds,gifters,orders,gmv,converted,conversion_rate\n\
         alice,7,30005,2,3,31.99 USD,2,1.0000\n\
         bob,3,300,2,2,50.00 EUR; 7.50 USD,0,0.0000\n"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(&files[1])).unwrap()).unwrap();
    assert_eq!(json["orders"]["paid"], 5);
    // exports get the permissions any file the user creates gets (the
    // umask's), not a temporary file's private 0600
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        for f in &files {
            assert_eq!(mode(&dir.path().join(f)), mode(&plain), "{f}");
        }
        std::fs::remove_file(&plain).unwrap();
    }
    // a second export in the same second is numbered, not written over
    // the first (the second ends in "-2" unless the clock moved on)
    a.act(Action::Export);
    let status = a.status.clone().unwrap();
    let count = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(count, 4, "{status}");
    let stem = files[0].trim_end_matches(".csv");
    if status.contains(stem) {
        assert!(status.contains(&format!("{stem}-2.json")), "{status}");
    }
    // an unwritable directory is reported, not a crash
    a.export_dir = dir.path().join("missing");
    a.act(Action::Export);
    assert!(a.status.as_deref().unwrap().starts_with("export failed"));
}

#[test]
fn a_page_of_creators_is_the_same_slice_a_full_sort_gives() {
    // 500 creators with colliding diamond totals (ties broken by name)
    let mut engine = Engine::new(Config::default());
    for i in 0..500u32 {
        let mut ev = Event::new(1_795_464_000_000 + i64::from(i), Kind::Gift);
        ev.creator = Some(format!("c{:03}", (i * 7919) % 500).into());
        ev.user = Some(format!("u{i}").into());
        ev.diamonds = i64::from(i % 13);
        engine.ingest(ev);
    }
    let mut a = Local::new(engine, Sources::new(vec!["x".into()]), Scope::All);
    let now = a.engine.now.unwrap();
    a.refresh(0.0, now);
    for _ in 0..137 {
        a.act(Action::Down);
    }
    let all: Vec<String> = names(&a);
    assert_eq!(all.len(), 500);
    let (page, start, sel) = a.creator_page(20);
    let page: Vec<String> = page.iter().map(|r| r.creator.to_string()).collect();
    // the selection (row 137) is the last visible row
    assert_eq!((start, sel), (118, Some(19)));
    assert_eq!(page, all[118..138].to_vec());
    a.act(Action::Home);
    let (page, start, sel) = a.creator_page(20);
    assert_eq!((start, sel), (0, Some(0)));
    assert_eq!(page.len(), 20);
}
