//! Real-feed fixtures (sample-data/feeds/) through the decoder and the
//! engine. Every expected number was worked out by hand from the fixture
//! lines; the arithmetic sits next to each assertion, with `Ln` meaning
//! line n of the fixture. Times: B = 2026-11-23T20:00:00Z; the default
//! streak timeout is 60 s of event time.

use livetally::decode::adapters::AdapterState;
use livetally::decode::{DecodeOptions, Decoded, decode_str};
use livetally::engine::{Config, Engine, Scope, Snapshot};
use livetally::model::{Currency, Event};
use serde_json::Value;
use std::collections::BTreeMap;

const V1: &str = include_str!("../sample-data/feeds/connector-v1.ndjson");
const V3: &str = include_str!("../sample-data/feeds/connector-v3.ndjson");
const PY: &str = include_str!("../sample-data/feeds/tiktoklive-python.ndjson");
const TF: &str = include_str!("../sample-data/feeds/tikfinity-ws.ndjson");
const WEBHOOKS: &str = include_str!("../sample-data/feeds/shop-webhooks.ndjson");
const ORDERS: &str = include_str!("../sample-data/feeds/shop-orders.ndjson");
const MIXED: &str = include_str!("../sample-data/feeds/mixed.ndjson");

/// 2026-11-23T20:00:00Z
const B: i64 = 1_795_464_000_000;

struct Run {
    snap: Snapshot,
    events: Vec<(u64, Event)>,
    rejected: Vec<(u64, String)>,
    skipped: Vec<String>,
}

fn run(text: &str, opts: DecodeOptions) -> Run {
    let mut engine = Engine::new(Config::default());
    let (mut events, mut rejected, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for it in decode_str(text, opts) {
        match it.what {
            Decoded::Event(ev) => {
                events.push((it.line, ev.clone()));
                engine.ingest(ev);
            }
            Decoded::Skipped(name) => {
                engine.skipped();
                skipped.push(name);
            }
            Decoded::Rejected(reason) => {
                engine.reject("fixture", it.line, reason.clone());
                rejected.push((it.line, reason));
            }
            Decoded::Duplicate => engine.duplicate(),
        }
    }
    Run {
        snap: engine.snapshot(Scope::All, None),
        events,
        rejected,
        skipped,
    }
}

fn with_creator(name: &str) -> DecodeOptions {
    DecodeOptions {
        default_creator: Some(name.to_string()),
        ..DecodeOptions::default()
    }
}

fn usd() -> Currency {
    Currency::USD
}

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn money(pairs: &[(Currency, i64)]) -> BTreeMap<Currency, i64> {
    pairs.iter().copied().collect()
}

fn creators(s: &Snapshot) -> Vec<(&str, i64, i64)> {
    s.creators
        .iter()
        .map(|c| (c.creator.as_str(), c.gifts_sent, c.diamonds))
        .collect()
}

fn timed_out(r: &Run) -> Vec<(u64, i64, i64, i64)> {
    r.events
        .iter()
        .filter(|(_, e)| e.streak_timed_out)
        .map(|(line, e)| (*line, e.ts, e.qty, e.diamonds))
        .collect()
}

#[test]
fn connector_v1() {
    let r = run(V1, DecodeOptions::default());
    let s = &r.snap;
    // L7 doll 1 + L9 roses 5 + L12 confetti 1 + L13 pandas 4 (timed out) = 11;
    // the updates L3 L4 L6 L8 L11 L13 count nothing by themselves.
    assert_eq!(s.gifts_sent, 11);
    // 1x25 + 5x1 + 1x100 + 4x5 = 25 + 5 + 100 + 20 = 150
    assert_eq!(s.diamonds, 150);
    // four canonical gift events: L7, L9, L12, panda
    assert_eq!(s.gift_rows, 4);
    // zerodytester, rosefan, lurker, panda.lover
    assert_eq!(s.gifters, 4);
    // replays: L16 rose end (msgId ..16), L17 like (..02), L18 doll end (..14);
    // the replayed update L15 is dropped by the decoder, not the engine
    assert_eq!(s.counters.duplicates, 3);
    // panda streak (last update L13 at B+8 s) closed when L19 moves the clock
    // to B+70 s > 8 s + 60 s; emitted at its last update's time and count
    assert_eq!(s.counters.streaks_timed_out, 1);
    assert_eq!(timed_out(&r), vec![(13, B + 8_000, 4, 20)]);
    assert!(r.rejected.is_empty());
    // L14 chat
    assert_eq!(r.skipped, vec!["chat"]);
    // likes L5 15 + L21 10 = 25 (L17 is a duplicate)
    assert_eq!(s.likes, 25);
    assert_eq!((s.joins, s.follows, s.shares), (1, 1, 1));
    // L2 120 viewers, L20 95 viewers stamped with the clock (B+70 s, the latest time)
    assert_eq!((s.viewers_peak, s.viewers_now), (120, Some(95)));
    // gifts name their receiver; v1 likes and joins name no room
    assert_eq!(creators(s), vec![("7087613897129493510", 11, 150)]);
    assert_eq!(s.orders.paid + s.orders.pending + s.orders.cancelled, 0);
}

#[test]
fn connector_v3_and_v2_0() {
    let r = run(V3, with_creator("example.creator"));
    let s = &r.snap;
    // L7 roses 12 + L9 doughnut 1 + L10 GG 1 + L14 finger hearts 3 (closed at end) = 17
    assert_eq!(s.gifts_sent, 17);
    // 12x1 + 1x30 + 1x1 + 3x5 = 12 + 30 + 1 + 15 = 58
    assert_eq!(s.diamonds, 58);
    // example.viewer, night.owl, quiet.one
    assert_eq!(s.gifters, 3);
    // L16 rose end and L17 member replayed; L15 (an update) dropped by the decoder
    assert_eq!(s.counters.duplicates, 2);
    // L14's streak never ends and nothing comes 60 s later: finish() closes it
    assert_eq!(s.counters.streaks_timed_out, 1);
    assert_eq!(timed_out(&r), vec![(14, B + 600_000 + 8_000, 3, 15)]);
    assert!(r.rejected.is_empty());
    assert_eq!(r.skipped, vec!["chat"]);
    // L5 count 12; L1 630 and L18 702 viewers
    assert_eq!((s.likes, s.viewers_peak), (12, 702));
    assert_eq!((s.joins, s.follows, s.shares), (1, 1, 1));
    // room 7400..: 12 + 1 + 3 = 16 gifts, 12 + 30 + 15 = 57 diamonds; the
    // v2.0 record (L10) names no room and takes --creator: 1 gift, 1 diamond
    assert_eq!(
        creators(s),
        vec![("7400000000000000000", 16, 57), ("example.creator", 1, 1)]
    );
}

#[test]
fn tiktoklive_python() {
    let r = run(PY, with_creator("example.creator"));
    let s = &r.snap;
    // L5 roses 3 + L8 corgi 1 + L9 perfume 1 + L14 roses 6 (timed out) = 11
    assert_eq!(s.gifts_sent, 11);
    // 3x1 + 1x299 + 1x20 + 6x1 = 3 + 299 + 20 + 6 = 328
    assert_eq!(s.diamonds, 328);
    assert_eq!(s.gifters, 3);
    // L15 replays L5 (msgId ..03); L16 replays update L3 and is dropped
    assert_eq!(s.counters.duplicates, 1);
    // no repeatEnd key at all in L13/L14: the streak is open until L18
    // moves the clock to BP+70 s > BP+9 s + 60 s (BP = B+20 min)
    assert_eq!(s.counters.streaks_timed_out, 1);
    assert_eq!(timed_out(&r), vec![(14, B + 1_200_000 + 9_000, 6, 6)]);
    assert!(r.rejected.is_empty());
    assert_eq!(r.skipped, vec!["CommentEvent", "LiveEndEvent"]);
    // L6 20 + L17 5 = 25 likes; viewers 630 then 655
    assert_eq!((s.likes, s.viewers_peak), (25, 655));
    assert_eq!((s.joins, s.follows, s.shares), (1, 1, 1));
    // TikTokLive dumps carry no room id here: everything is --creator's
    assert_eq!(creators(s), vec![("example.creator", 11, 328)]);
}

#[test]
fn tikfinity_envelopes() {
    let r = run(TF, DecodeOptions::default());
    let s = &r.snap;
    // L6 roses 25 + L8 TikTok 1 + L11 hand hearts 1 + L12 doughnuts 2 (timed out) = 29
    assert_eq!(s.gifts_sent, 29);
    // 25x1 + 1x1 + 1x100 + 2x30 = 25 + 1 + 100 + 60 = 186
    assert_eq!(s.diamonds, 186);
    assert_eq!(s.gifters, 3);
    // L13 (rose end ..504) and L14 (like ..507) replayed
    assert_eq!(s.counters.duplicates, 2);
    // doughnut streak, last update L12 at BT+7 s, closed by L15 at BT+80 s
    assert_eq!(s.counters.streaks_timed_out, 1);
    assert_eq!(timed_out(&r), vec![(12, B + 1_800_000 + 7_000, 2, 60)]);
    assert!(r.rejected.is_empty());
    // L1 viewer count arrives before any timed event, L10 chat, L16 streamEnd
    assert_eq!(
        r.skipped,
        vec!["roomUser before any timed event", "chat", "streamEnd"]
    );
    assert_eq!((s.likes, s.joins, s.follows, s.viewers_peak), (30, 1, 1, 0));
}

#[test]
fn shop_webhooks_only() {
    let r = run(WEBHOOKS, DecodeOptions::default());
    let o = &r.snap.orders;
    // o1 UNPAID -> AWAITING_SHIPMENT -> IN_TRANSIT, o4 ON_HOLD -> AWAITING_SHIPMENT,
    // o5 AWAITING_SHIPMENT (its older UNPAID arrives later and loses) = 3 paid
    assert_eq!(o.paid, 3);
    // o3 UNPAID (its type-2 cancel request is no status change)
    assert_eq!(o.pending, 1);
    // o2 UNPAID -> CANCEL, never paid
    assert_eq!(o.cancelled, 1);
    assert_eq!(o.refunded, 0);
    // webhooks carry no amount: GMV is unknown for all 3 paid orders, not zero
    assert_eq!(o.gmv_unknown, 3);
    assert!(o.gmv.is_empty() && o.gmv_gross.is_empty(), "{o:?}");
    // one unit per status-only row; no buyer id in a webhook
    assert_eq!((o.units, o.buyers), (3, 0));
    // L7 re-delivers notification ..02
    assert_eq!(r.snap.counters.duplicates, 1);
    // L11 type 2 (reverse order), L12 type 4 (package)
    assert_eq!(
        r.skipped,
        vec!["shop webhook type 2", "shop webhook type 4"]
    );
    assert!(r.rejected.is_empty());
    assert_eq!(r.snap.gifts_sent, 0);
    // every row has ts = data.update_time (seconds): o1's last is S+1800 s
    let o1_last = r.events.iter().filter(|(l, _)| *l == 13).map(|(_, e)| e.ts);
    assert_eq!(
        o1_last.collect::<Vec<_>>(),
        vec![(1_795_466_400 + 1800) * 1000]
    );
}

#[test]
fn shop_order_objects() {
    let r = run(ORDERS, DecodeOptions::default());
    let o = &r.snap.orders;
    // A (AWAITING_SHIPMENT), B (UNPAID at L2, AWAITING_SHIPMENT at L5),
    // D (COMPLETED), F (IN_TRANSIT) = 4
    assert_eq!(o.paid, 4);
    // E ON_HOLD (paid_time set, but the buyer can still cancel)
    assert_eq!(o.pending, 1);
    // C paid at +230 s, CANCELLED at +400 s
    assert_eq!(o.cancelled, 1);
    assert_eq!(o.refunded, 0);
    // net USD: A 21.58 + B 15.00 + D 8.99 = 45.57; EUR: F 19.90
    assert_eq!(o.gmv, money(&[(usd(), 455_700), (eur(), 199_000)]));
    // gross adds C, paid then cancelled: 45.57 + 34.50 = 80.07 USD
    assert_eq!(o.gmv_gross, money(&[(usd(), 800_700), (eur(), 199_000)]));
    assert_eq!(o.gmv_unknown, 0);
    // line items: A 2 + B 1 + D 1 + F 3 = 7 units
    assert_eq!(o.units, 7);
    // users ..1, ..2, ..4, ..6
    assert_eq!(o.buyers, 4);
    // A is polled twice (L1, L7): no notification id, the order replaces itself
    assert_eq!(r.snap.counters.duplicates, 0);
    // L8 status SHIPPED is no TikTok Shop status
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].0, 8);
    assert!(r.rejected[0].1.contains("SHIPPED"), "{:?}", r.rejected);
    assert!(r.skipped.is_empty());
    // A's paid row sits at paid_time (+65 s), its current row at update_time (+70 s)
    let s2 = 1_795_467_000_i64;
    let a: Vec<i64> = r
        .events
        .iter()
        .filter(|(l, _)| *l == 1)
        .map(|(_, e)| e.ts)
        .collect();
    assert_eq!(a, vec![(s2 + 65) * 1000, (s2 + 70) * 1000]);
    // C's two products become one item name
    let c = r
        .events
        .iter()
        .find(|(l, _)| *l == 3)
        .map(|(_, e)| e.item.clone());
    assert_eq!(c, Some(Some("Serum + Toner".into())));
}

#[test]
fn mixed_sources() {
    let r = run(MIXED, DecodeOptions::default());
    let s = &r.snap;
    // L4 v1 roses 4 + L6 doughnut 1 + L7 money gun 1 + L8 canonical 3
    // + L10 python roses 2 (timed out) = 11
    assert_eq!(s.gifts_sent, 11);
    // 4x1 + 1x30 + 1x500 + 3 + 2x1 = 4 + 30 + 500 + 3 + 2 = 539
    assert_eq!(s.diamonds, 539);
    // zerodytester, hype.train, night.owl, carol, gift.machine
    assert_eq!(s.gifters, 5);
    let o = &s.orders;
    // o91 (webhooks only), o202 (order object), c-o-1 (canonical) = 3 paid
    assert_eq!((o.paid, o.pending, o.cancelled, o.refunded), (3, 0, 1, 0));
    // 21.58 + 10.00 = 31.58 USD; o91's amount was never seen
    assert_eq!(o.gmv, money(&[(usd(), 315_800)]));
    assert_eq!(o.gmv_gross, money(&[(usd(), 315_800)]));
    assert_eq!(o.gmv_unknown, 1);
    // units o91 1 + o202 2 + c-o-1 1 = 4; buyers 7494..1 and carol
    assert_eq!((o.units, o.buyers), (4, 2));
    // L14 replays v1 rose end (..003), L15 re-delivers webhook ..22
    assert_eq!(s.counters.duplicates, 2);
    // python roses (L10 at BM+7 s) closed by the chat at BM+68 s > 7 s + 60 s
    assert_eq!(s.counters.streaks_timed_out, 1);
    assert_eq!(timed_out(&r), vec![(10, B + 3_600_000 + 7_000, 2, 2)]);
    // L11 truncated JSON, L16 no known shape
    let lines: Vec<u64> = r.rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![11, 16]);
    assert!(r.rejected[0].1.contains("bad JSON"));
    assert!(r.rejected[1].1.contains("no known feed shape"));
    assert_eq!(r.skipped, vec!["chat"]);
    // room 7400..: money gun 1 + python roses 2 = 3 gifts, 500 + 2 = 502;
    // receiver 7087..: roses 4 + doughnut 1 = 5 gifts, 4 + 30 = 34; alice 3, 3
    assert_eq!(
        creators(s),
        vec![
            ("7400000000000000000", 3, 502),
            ("7087613897129493510", 5, 34),
            ("alice", 3, 3)
        ]
    );
    // only carol is both gifter and buyer: shop ids are not LIVE ids
    assert_eq!(s.gifting_buyers, 1);
}

#[test]
fn user_map_joins_a_shop_buyer_to_a_live_viewer() {
    let mut opts = DecodeOptions::default();
    opts.user_map.insert(
        "7494000000000000001".to_string(),
        "6813181309701719620".to_string(),
    );
    let s = run(MIXED, opts).snap;
    // o202's buyer becomes zerodytester, whose roses (L4, BM+2 s) precede the
    // payment (paid_time BM+15 s) by 13 s, inside the 30 min window:
    // carol + zerodytester = 2
    assert_eq!(s.gifting_buyers, 2);
    let orders_of = |name: &str| {
        s.creators
            .iter()
            .find(|c| c.creator == name)
            .map(|c| c.orders)
    };
    // attributed to the creator of each buyer's last gift before payment
    assert_eq!(orders_of("7087613897129493510"), Some(1));
    assert_eq!(orders_of("alice"), Some(1));
}

#[test]
fn webhook_only_order_learns_its_amount_from_an_order_object() {
    let webhook = r#"{"type":1,"tts_notification_id":"n1","shop_id":"s","timestamp":1795466400,"data":{"order_id":"o1","order_status":"AWAITING_SHIPMENT","update_time":1795466400}}"#;
    let order = r#"{"id":"o1","status":"AWAITING_SHIPMENT","create_time":1795466300,"paid_time":1795466350,"update_time":1795466500,"user_id":"u","payment":{"currency":"USD","total_amount":"9.99"},"line_items":[{"product_name":"Lip Tint"}]}"#;
    let before = run(webhook, DecodeOptions::default()).snap.orders;
    assert_eq!((before.paid, before.gmv_unknown), (1, 1));
    assert!(before.gmv.is_empty());
    let after = run(&format!("{webhook}\n{order}"), DecodeOptions::default())
        .snap
        .orders;
    // still one order, now with a known 9.99
    assert_eq!((after.paid, after.gmv_unknown), (1, 0));
    assert_eq!(after.gmv, money(&[(usd(), 99_900)]));
}

#[test]
fn streak_timeout_follows_the_option() {
    // With a 10 s timeout the v1 panda streak (last update B+8 s) closes at
    // the first record past B+18 s, the share at B+70 s: same totals.
    let opts = DecodeOptions {
        streak_timeout_ms: 10_000,
        ..DecodeOptions::default()
    };
    let r = run(V1, opts);
    assert_eq!((r.snap.gifts_sent, r.snap.diamonds), (11, 150));
    assert_eq!(timed_out(&r), vec![(13, B + 8_000, 4, 20)]);
    // With a 1 h timeout nothing in the file passes it: finish() closes the
    // streak instead, after the last line.
    let opts = DecodeOptions {
        streak_timeout_ms: 3_600_000,
        ..DecodeOptions::default()
    };
    let r = run(V1, opts);
    assert_eq!((r.snap.gifts_sent, r.snap.diamonds), (11, 150));
    let last = r.events.last().map(|(_, e)| e.streak_timed_out);
    assert_eq!(last, Some(true));
}

/// Every fixture record with each field in turn replaced by a value of the
/// wrong shape: the adapters must answer with an outcome, never a panic.
#[test]
fn mangled_records_never_panic() {
    let wrong = [
        Value::Null,
        Value::Array(vec![]),
        Value::Object(Default::default()),
        Value::String("x".into()),
        Value::from(-1),
        Value::from(1e300),
        Value::Bool(true),
    ];
    let mut outcomes = 0usize;
    for text in [V1, V3, PY, TF, WEBHOOKS, ORDERS, MIXED] {
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let mut variants = vec![];
            for path in paths(&v, "") {
                for w in &wrong {
                    let mut m = v.clone();
                    if let Some(slot) = m.pointer_mut(&path) {
                        *slot = w.clone();
                    }
                    variants.push(m);
                }
            }
            let mut st = AdapterState::new(&DecodeOptions::default());
            let mut out = Vec::new();
            for m in variants {
                let before = out.len();
                let res = st.decode(&m, 1, &mut out);
                if res.is_err() || out.len() > before {
                    outcomes += 1;
                }
            }
            st.finish(&mut out);
        }
    }
    assert!(outcomes > 1000, "{outcomes}");
}

fn paths(v: &Value, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                out.extend(paths(x, &p));
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{prefix}/{i}");
                out.push(p.clone());
                out.extend(paths(x, &p));
            }
        }
        _ => {}
    }
    out
}
