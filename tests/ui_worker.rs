//! The dashboard's engine thread and what the UI does with its views: a
//! query is answered with a view of that query, news makes a new view,
//! no news makes none, a view for an older query is never shown, a paused
//! view stays frozen unless the user changed the window.

use crossbeam_channel::{Receiver, Sender, bounded};
use livetally::decode::{DecodeOptions, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::feed::{Intake, Sources};
use livetally::source::Feed;
use livetally::ui::app::{Action, App, Query, View};
use livetally::ui::worker::{self, FromEngine, ToEngine, Worker};
use std::time::{Duration, Instant};

const RULES: &str = include_str!("fixtures/rules.csv");

fn batch(text: &str) -> Feed {
    let items = decode_str(text, DecodeOptions::default());
    Feed::Batch {
        source: 0,
        lines: items.len() as u64,
        items,
        invalid_utf8: 0,
        ids_checked: false,
    }
}

/// The next view, skipping the once-a-second live figures.
fn next_view(rx: &Receiver<FromEngine>, within: Duration) -> Option<View> {
    let end = Instant::now() + within;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(FromEngine::View(v)) => return Some(*v),
            Ok(FromEngine::Live { .. }) => continue,
            Err(_) => return None,
        }
    }
}

/// An engine thread for one source (rules.csv) drawing at most once a
/// `frame`, and the sender of its feed.
fn spawn_worker(frame: Duration) -> (Sender<Feed>, Worker) {
    let (feed_tx, feed_rx) = bounded(4);
    let w = worker::spawn(
        Engine::new(Config::default()),
        Intake::new(Sources::new(vec!["rules.csv".into()])),
        feed_rx,
        frame,
    )
    .unwrap();
    (feed_tx, w)
}

fn query(scope: Scope, detail: Option<&str>) -> Query {
    Query {
        scope,
        detail: detail.map(str::to_string),
    }
}

#[test]
fn the_engine_thread_answers_queries_with_news_only() {
    let (feed_tx, w) = spawn_worker(Duration::from_millis(10));
    let all = query(Scope::All, None);
    w.tx.send(ToEngine::Want {
        query: all.clone(),
        prompt: true,
    })
    .unwrap();
    let v = next_view(&w.rx, Duration::from_secs(5)).expect("a prompt answer");
    assert!(v.answers(&all));
    assert_eq!(v.snap.diamonds, 0);

    // the fixture arrives: the next request is answered with it
    feed_tx.send(batch(RULES)).unwrap();
    w.tx.send(ToEngine::Want {
        query: all.clone(),
        prompt: false,
    })
    .unwrap();
    let v = next_view(&w.rx, Duration::from_secs(5)).expect("a view with the news");
    assert_eq!(v.snap.diamonds, 30305);
    assert_eq!(v.snap.orders.paid, 5);
    assert_eq!(v.accepted, 25); // 5 gifts, 13 order rows, 3 joins, 4 others

    // no news: an idle dashboard computes nothing
    w.tx.send(ToEngine::Want {
        query: all.clone(),
        prompt: false,
    })
    .unwrap();
    assert!(next_view(&w.rx, Duration::from_millis(1500)).is_none());

    // a different question is news: bob's detail
    let bob = query(Scope::All, Some("bob"));
    w.tx.send(ToEngine::Want {
        query: bob.clone(),
        prompt: false,
    })
    .unwrap();
    let v = next_view(&w.rx, Duration::from_secs(5)).expect("bob's view");
    assert!(v.answers(&bob));
    assert_eq!(v.snap.diamonds, 300);

    // dropping the requests stops the thread, which hands the engine back
    drop(w.tx);
    let (engine, _) = w.handle.join().unwrap();
    assert_eq!(engine.counters.accepted, 25);
}

fn view_of(scope: Scope, diamonds: i64) -> View {
    let mut engine = Engine::new(Config::default());
    for it in decode_str(RULES, DecodeOptions::default()) {
        if let livetally::decode::Decoded::Event(ev) = it.what {
            engine.ingest(ev);
        }
    }
    let q = query(scope, None);
    let mut v = View::compute(&engine, &Sources::new(vec!["x".into()]), &q, 0.0, 0);
    v.snap.diamonds = diamonds;
    v
}

#[test]
fn the_ui_shows_only_views_of_its_own_query() {
    let mut app = App::new(Scope::All, 1_800_000);
    assert!(app.awaiting);
    app.accept(view_of(Scope::All, 1));
    assert!(!app.awaiting);
    assert_eq!(app.view.as_ref().unwrap().snap.diamonds, 1);

    // w: the view on screen stays until a 1m view arrives
    app.act(Action::NextWindow);
    assert!(app.awaiting);
    app.accept(view_of(Scope::All, 2)); // computed before the key
    assert_eq!(app.view.as_ref().unwrap().snap.diamonds, 1);
    app.accept(view_of(Scope::Window(60), 3));
    assert_eq!(app.view.as_ref().unwrap().snap.scope, Scope::Window(60));
    assert!(!app.awaiting);

    // paused: frozen, except for the view the user asks for by changing
    // the window
    app.act(Action::Pause);
    app.accept(view_of(Scope::Window(60), 4));
    assert_eq!(app.view.as_ref().unwrap().snap.diamonds, 3);
    app.live(10.0, 40, None, false);
    assert_eq!(app.since_pause, 15); // 40 accepted, 25 when paused
    app.act(Action::NextWindow);
    app.accept(view_of(Scope::Window(300), 5));
    assert_eq!(app.view.as_ref().unwrap().snap.diamonds, 5);
    app.accept(view_of(Scope::Window(300), 6));
    assert_eq!(app.view.as_ref().unwrap().snap.diamonds, 5);
    app.act(Action::Pause);
    app.accept(view_of(Scope::Window(300), 7));
    assert_eq!(app.view.as_ref().unwrap().snap.diamonds, 7);
}

#[test]
fn the_header_says_when_the_engine_is_catching_up() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut app = App::new(Scope::All, 1_800_000);
    app.accept(view_of(Scope::All, 1));
    let header = |app: &App| {
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        term.draw(|f| livetally::ui::render::render(f, app))
            .unwrap();
        let buf = term.backend().buffer().clone();
        (0..120)
            .map(|x| buf[(x, 0)].symbol().to_string())
            .collect::<String>()
    };
    assert!(!header(&app).contains("catching up"));
    app.live(250_000.0, 30, Some(5), true);
    assert!(
        header(&app).contains("250,000 ev/s · catching up · lag"),
        "{}",
        header(&app)
    );
    app.live(0.0, 30, Some(5), false);
    assert!(!header(&app).contains("catching up"));
}

/// Views wait for their pace (here a 5-second frame), except the one that
/// says the feed ended: the user is waiting for exactly that.
#[test]
fn the_end_of_the_feed_is_shown_at_once_whatever_the_pace() {
    let (feed_tx, w) = spawn_worker(Duration::from_secs(5));
    let all = query(Scope::All, None);
    let want = || ToEngine::Want {
        query: all.clone(),
        prompt: false,
    };
    feed_tx.send(batch(RULES)).unwrap();
    w.tx.send(want()).unwrap();
    // (with or without the batch: the request may be read first)
    let v = next_view(&w.rx, Duration::from_secs(3)).expect("the first view comes at once");
    assert!(!v.sources.all_done());
    w.tx.send(want()).unwrap();
    feed_tx
        .send(Feed::State {
            source: 0,
            state: livetally::source::SourceState::Ended,
        })
        .unwrap();
    let t = Instant::now();
    let v = next_view(&w.rx, Duration::from_secs(3)).expect("the end is not paced");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(v.sources.all_done());
    assert_eq!(v.snap.diamonds, 30305);
    assert!(!v.catching_up);
    // and news after it waits for the pace again
    w.tx.send(want()).unwrap();
    feed_tx.send(batch(RULES)).unwrap();
    assert!(next_view(&w.rx, Duration::from_millis(1_500)).is_none());
}
