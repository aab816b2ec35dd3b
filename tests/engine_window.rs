//! The window index (engine/window.rs) against the scan it replaces: two
//! engines fed the same events, one keeping the windows incrementally and
//! one scanning every user and order, must give identical snapshots for
//! every window at every checkpoint: in order, shuffled, with rows hours
//! late, with long gaps, and with W shorter and longer than the windows.
//! The scan is itself pinned on hand-worked numbers (engine_rules,
//! engine_links), so this pins the index to the same answers.

use livetally::decode::{DecodeOptions, Decoded, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::model::Event;
use livetally::report::json::to_json;
use livetally::sim::{SimConfig, Simulator};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

const WINDOWS: [Scope; 4] = [
    Scope::Window(60),
    Scope::Window(300),
    Scope::Window(900),
    Scope::Window(3600),
];

fn pair(w_ms: i64) -> (Engine, Engine) {
    let cfg = Config {
        attribution_window_ms: w_ms,
        ..Config::default()
    };
    let scan = Config {
        window_index: false,
        ..cfg.clone()
    };
    (Engine::new(cfg), Engine::new(scan))
}

/// The paths where two JSON values differ.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (p, q) = (&x.get(k), &y.get(k));
                match (p, q) {
                    (Some(p), Some(q)) => diff(&format!("{path}.{k}"), p, q, out),
                    _ => out.push(format!("{path}.{k}: {p:?} vs {q:?}")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} (index) vs {b} (scan)")),
        _ => {}
    }
}

fn check(a: &Engine, b: &Engine, at: usize) {
    for s in WINDOWS {
        let (x, y) = (a.snapshot(s, None), b.snapshot(s, None));
        if x != y {
            let mut out = Vec::new();
            diff("", &to_json(&x), &to_json(&y), &mut out);
            panic!("window {s:?} after {at} events:\n{}", out.join("\n"));
        }
    }
}

fn run(events: Vec<Event>, w_ms: i64, every: usize) {
    let (mut a, mut b) = pair(w_ms);
    for (i, ev) in events.into_iter().enumerate() {
        a.ingest(ev.clone());
        b.ingest(ev);
        if i % every == every - 1 {
            check(&a, &b, i + 1);
        }
    }
    check(&a, &b, usize::MAX);
}

/// A small, slow stream: a few hundred users over hours of event time, so
/// seconds leave every window and the horizon many times.
fn sim(seed: u64, events: usize, per_sec: f64) -> Vec<Event> {
    let mut cfg = SimConfig::demo(seed);
    cfg.users = 300;
    cfg.creators = 6;
    cfg.events_per_sec = per_sec;
    cfg.buy_after_gift = 0.4;
    cfg.eur_share = 0.2;
    Simulator::new(cfg).take(events).collect()
}

#[test]
fn in_order_streams_match_the_scan() {
    // W 30m (settled only in the hour) and W 2m (settled in every window
    // from 5m up)
    run(sim(1, 20_000, 2.0), 30 * 60_000, 500);
    run(sim(2, 20_000, 2.0), 2 * 60_000, 500);
}

#[test]
fn shuffled_and_late_rows_match_the_scan() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut ev = sim(3, 20_000, 3.0);
    // disorder of up to ~40 rows (tens of seconds) everywhere
    for chunk in ev.chunks_mut(40) {
        chunk.shuffle(&mut rng);
    }
    // and some rows hours late: moved far down the stream
    for _ in 0..300 {
        let i = rng.random_range(0..ev.len() - 12_000);
        let row = ev.remove(i);
        let to = i + rng.random_range(1..12_000);
        ev.insert(to, row);
    }
    run(ev.clone(), 30 * 60_000, 400);
    run(ev, 5 * 60_000, 400);
}

#[test]
fn gaps_longer_than_the_horizon_match_the_scan() {
    let mut ev = sim(4, 12_000, 4.0);
    // the stream stops for 2 hours, then for 40 minutes, then resumes
    for (i, e) in ev.iter_mut().enumerate() {
        if i >= 4_000 {
            e.ts += 2 * 3_600_000;
        }
        if i >= 8_000 {
            e.ts += 40 * 60_000;
        }
    }
    run(ev, 30 * 60_000, 250);
}

#[test]
fn the_hand_checked_fixture_matches_the_scan() {
    let (mut a, mut b) = pair(30 * 60_000);
    let text = include_str!("fixtures/rules.csv");
    for (n, it) in decode_str(text, DecodeOptions::default())
        .into_iter()
        .enumerate()
    {
        if let Decoded::Event(ev) = it.what {
            a.ingest(ev.clone());
            b.ingest(ev);
        }
        check(&a, &b, n);
    }
    // and one number of it by hand: the last hour (19:51-20:50) holds the
    // paid orders o1 o2 o3 o5 o7
    assert_eq!(a.snapshot(Scope::Window(3600), None).orders.paid, 5);
}

#[test]
fn an_index_rebuilt_from_the_engine_matches_the_scan() {
    // the dashboard drops the index while catching up with a flood and
    // builds it again from the engine's state: off and on at uneven
    // points, in order and shuffled, W 30m and 2m
    let mut rng = StdRng::seed_from_u64(11);
    let mut shuffled = sim(5, 16_000, 3.0);
    for chunk in shuffled.chunks_mut(50) {
        chunk.shuffle(&mut rng);
    }
    for (events, w_ms) in [(sim(6, 16_000, 3.0), 30 * 60_000), (shuffled, 2 * 60_000)] {
        let (mut a, mut b) = pair(w_ms);
        let mut on = true;
        for (i, ev) in events.into_iter().enumerate() {
            a.ingest(ev.clone());
            b.ingest(ev);
            if i % 997 == 996 {
                on = !on;
                a.set_window_index(on);
                if on {
                    check(&a, &b, i + 1);
                }
            }
            if on && i % 400 == 399 {
                check(&a, &b, i + 1);
            }
        }
        a.set_window_index(true);
        check(&a, &b, usize::MAX);
    }
}

/// Events as the decoded lines 1, 2, ... of a feed.
fn as_items(events: Vec<Event>) -> Vec<livetally::decode::Item> {
    let item = |(i, e): (usize, Event)| livetally::decode::Item {
        line: i as u64 + 1,
        what: Decoded::Event(e),
    };
    events.into_iter().enumerate().map(item).collect()
}

/// The report's and the dashboard's path (`ingest_items`: batches, read
/// ahead, events ingested in place) gives what ingesting event by event
/// gives, rejected and skipped lines included; so does marking duplicates
/// on the reader's thread (`source::dedupe`, one input) with the engine's
/// own check off.
#[test]
fn batched_ingest_with_read_ahead_matches_event_by_event() {
    use livetally::feed::{ingest_checked, ingest_items};
    use livetally::source::dedupe::Upstream;
    let mut ev = sim(6, 12_000, 3.0);
    let mut rng = StdRng::seed_from_u64(5);
    for chunk in ev.chunks_mut(50) {
        chunk.shuffle(&mut rng);
    }
    // repeated ids (duplicates) and a few bad and skipped lines among them
    for i in (0..ev.len()).step_by(97) {
        let dup = ev[i].clone();
        ev.insert(i + 1, dup);
    }
    // and repeats from further back: minutes to over an hour of event time
    for i in (3_000..ev.len()).step_by(389) {
        let dup = ev[i - 2_900 + i % 7 * 300].clone();
        ev.insert(i, dup);
    }
    let mut items = as_items(ev);
    for i in (0..items.len()).step_by(501) {
        items[i].what = Decoded::Rejected(format!("bad row {i}"));
    }
    for i in (250..items.len()).step_by(777) {
        items[i].what = Decoded::Skipped("comment".into());
    }
    let (mut a, mut b) = pair(30 * 60_000);
    for it in items.clone() {
        match it.what {
            Decoded::Event(e) => a.ingest(e),
            Decoded::Skipped(_) => a.skipped(),
            Decoded::Rejected(r) => a.reject("feed", it.line, r),
            Decoded::Duplicate => a.duplicate(),
        }
    }
    // more than AHEAD events handed to the read-ahead at once is harmless
    let events = items.iter().filter_map(|it| match &it.what {
        Decoded::Event(e) => Some(e),
        _ => None,
    });
    b.warm(events, false, &mut Default::default());
    for batch in items.chunks(1_000) {
        ingest_items(&mut b, "feed", batch.to_vec());
    }
    let mut c = Engine::new(a.cfg.clone());
    let mut upstream = Upstream::default();
    for batch in items.chunks(1_000) {
        let mut batch = batch.to_vec();
        upstream.mark(&mut batch);
        ingest_checked(&mut c, "feed", batch, true);
    }
    assert!(a.counters.duplicates > 140 && a.counters.errors > 10 && a.counters.skipped > 10);
    for other in [&b, &c] {
        assert_eq!(a.counters, other.counters);
        assert_eq!(a.rejects, other.rejects);
        check(&a, other, usize::MAX);
        assert_eq!(
            to_json(&a.snapshot(Scope::All, None)),
            to_json(&other.snapshot(Scope::All, None))
        );
    }
}

/// `livetally report` for all time keeps no windows (no index, no order
/// rows, no per-creator or per-gift seconds) and no ticker: its all-time
/// snapshot, for everyone and for each creator, is the full engine's.
#[test]
fn the_all_time_report_configuration_gives_the_full_engines_answers() {
    let mut rng = StdRng::seed_from_u64(13);
    let mut ev = sim(8, 16_000, 3.0);
    for chunk in ev.chunks_mut(40) {
        chunk.shuffle(&mut rng);
    }
    let mut full = Engine::new(Config::default());
    let mut report = Engine::new(Config {
        window_index: false,
        index_recent_orders: false,
        keyed_rings: false,
        ticker: false,
        ..Config::default()
    });
    for (i, e) in ev.into_iter().enumerate() {
        full.ingest(e.clone());
        report.ingest(e);
        if i % 4_000 == 3_999 {
            let (x, y) = (
                full.snapshot(Scope::All, None),
                report.snapshot(Scope::All, None),
            );
            assert_eq!(to_json(&x), to_json(&y), "after {} events", i + 1);
            assert!(x.creators.len() == 6 && x.gifts_sent > 0);
            for c in x.creators.iter().map(|c| c.creator.to_string()) {
                assert_eq!(
                    to_json(&full.snapshot(Scope::All, Some(&c))),
                    to_json(&report.snapshot(Scope::All, Some(&c))),
                    "{c} after {} events",
                    i + 1
                );
            }
        }
    }
}

/// Creators and gifts numbered by the readers (`source::names`), each
/// input its own numbers, are ingested as if looked up by name: two inputs
/// whose readers number the same names differently, in alternating batches.
#[test]
fn names_numbered_by_readers_match_names_looked_up() {
    use livetally::feed::ingest_items;
    use livetally::source::names::Numbering;
    let items = as_items(sim(9, 8_000, 3.0));
    let (mut a, mut b) = pair(30 * 60_000);
    ingest_items(&mut a, "feed", items.clone());
    let mut numbering = [Numbering::default(), Numbering::default()];
    // the second reader first meets the names in the opposite order
    let mut reversed: Vec<_> = items.iter().rev().cloned().collect();
    numbering[1].number(&mut reversed);
    let mut numbered = 0;
    for (k, batch) in items.chunks(700).enumerate() {
        let mut batch = batch.to_vec();
        numbering[k % 2].number(&mut batch);
        numbered += batch
            .iter()
            .filter(|it| matches!(&it.what, Decoded::Event(e) if e.creator_ix > 0))
            .count();
        b.from_source(k % 2);
        ingest_items(&mut b, "feed", batch);
    }
    let with_creator = items
        .iter()
        .filter(|it| matches!(&it.what, Decoded::Event(e) if e.creator.is_some()))
        .count();
    assert_eq!(numbered, with_creator);
    assert!(b.gift_items.len() > 5 && b.creators.len() > 5);
    assert_eq!(a.counters, b.counters);
    check(&a, &b, usize::MAX);
    assert_eq!(
        to_json(&a.snapshot(Scope::All, None)),
        to_json(&b.snapshot(Scope::All, None))
    );
}

/// The dashboard decodes a nickname only where its ticker can show one
/// (`Nicknames::Notable`): the ticker is the one every nickname gives, so
/// the rule cannot drift from the engine's (big gifts, order changes).
#[test]
fn the_ticker_shows_every_nickname_it_would_have_shown() {
    use livetally::decode::fields::Nicknames;
    use livetally::feed::ingest_items;
    let text: String = sim(12, 6_000, 3.0)
        .iter()
        .map(|e| livetally::encode::to_ndjson(e) + "\n")
        .collect();
    let cfg = Config {
        big_gift: 50,
        ..Config::default()
    };
    let ticker = |nicknames| {
        let mut opts = DecodeOptions::default();
        opts.map.nicknames = nicknames;
        let mut e = Engine::new(cfg.clone());
        ingest_items(&mut e, "feed", decode_str(&text, opts));
        e.ticker
    };
    let all = ticker(Nicknames::All);
    let notable = ticker(Nicknames::Notable {
        big_gift: cfg.big_gift,
    });
    assert!(all.len() >= 100, "{}", all.len());
    assert!(all.iter().any(|n| n.diamonds >= cfg.big_gift));
    assert_eq!(all, notable);
    // and it tells: without nicknames the ticker differs
    assert_ne!(all, ticker(Nicknames::None));
}
