//! The foundation's rules pinned on a hand-made fixture
//! (tests/fixtures/rules.csv). Every expected number below was worked out
//! by hand from the rows; intervals were computed independently in Python
//! from the formulas in METRICS.md. T = 2026-11-23T20:00:00Z, W = 30m,
//! now = T+50:00 (the latest row, o6's refund, arrives out of order).

use livetally::decode::{DecodeOptions, Decoded, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::report::json::to_json;
use serde_json::{Value, json};

const RULES: &str = include_str!("fixtures/rules.csv");

fn engine() -> Engine {
    let mut e = Engine::new(Config::default());
    for it in decode_str(RULES, DecodeOptions::default()) {
        match it.what {
            Decoded::Event(ev) => e.ingest(ev),
            Decoded::Skipped(_) => e.skipped(),
            Decoded::Rejected(r) => e.reject("rules.csv", it.line, r),
            Decoded::Duplicate => e.duplicate(),
        }
    }
    e
}

fn report(scope: Scope) -> Value {
    to_json(&engine().snapshot(scope, None))
}

#[test]
fn bad_row_is_rejected_with_its_line_and_reason() {
    let e = engine();
    assert_eq!(e.rejects.len(), 1);
    let r = &e.rejects[0];
    assert_eq!((r.source.as_str(), r.line), ("rules.csv", 27));
    assert!(r.reason.contains("bad ts \"not-a-time\""), "{}", r.reason);
}

#[test]
fn event_counts() {
    let r = report(Scope::All);
    // 5 gift rows (the second e-7 is a duplicate), 13 order rows, 3 joins
    // (u9's is 80 min older than now: late), comment skipped, bad ts an error.
    assert_eq!(
        r["events"],
        json!({"gift": 5, "order": 13, "join": 3, "like": 1, "follow": 1, "share": 1,
               "viewers": 1, "skipped": 1, "errors": 1, "duplicates": 1, "late": 1,
               "streaks_timed_out": 0})
    );
    assert_eq!(r["scope"]["from"], "2026-11-23T18:30:00.000Z");
    assert_eq!(r["scope"]["to"], "2026-11-23T20:50:00.000Z");
}

#[test]
fn gifts_all() {
    let r = report(Scope::All);
    // sent 5+1+2+1+1 = 10; diamonds 5+29999+200+1+100 = 30305;
    // gifters u1 u2 u3 u7 (the anonymous Rose counts in totals only);
    // 30305 x 0.0133 = 403.0565; 30305 x 0.0025 = 75.7625
    assert_eq!(
        r["gifts"],
        json!({"sent": 10, "diamonds": 30305, "gifters": 4,
               "est_viewer_spend_usd": 403.06, "est_creator_earnings_usd": 75.76})
    );
}

#[test]
fn order_lifecycle_all() {
    let r = report(Scope::All);
    // paid now: o1 o2 o3 o5 o7; o4 refunded after payment, o6 refunded
    // (its refund row came first in the input but is later in time);
    // o8 pending; o9 UNPAID then CANCEL. Net USD 19.99+10+7.50+2 = 39.49,
    // EUR 50 (o3, amount from its pending row); gross adds o4 5 + o6 3.
    // Units 1+1+2+1+1 (o3's status-only row carries no quantity).
    // Buyers u1 u2 u3 u5 (o7 is anonymous).
    assert_eq!(
        r["orders"],
        json!({"paid": 5, "pending": 1, "cancelled": 1, "refunded": 2, "buyers": 4,
               "units": 6, "gmv": {"EUR": 50.0, "USD": 39.49},
               "gmv_gross": {"EUR": 50.0, "USD": 47.49}, "gmv_unknown_orders": 0})
    );
}

#[test]
fn funnel_conversion_and_lift_all() {
    let r = report(Scope::All);
    // V = u1..u9; G = u1 u2 u3 u7; B = u1 u2 u3 u5; B∩G = 3
    assert_eq!(
        r["funnel"],
        json!({"viewers": 9, "gifters": 4, "buyers": 4, "gifting_buyers": 3})
    );
    // u1: gift 20:00:10, paid 20:05:00 -> in. u2: gift 20:00:20, paid
    // 20:30:20 = exactly W later -> in (inclusive). u3: gift 20:00:30, first
    // paid row 20:30:31 = W + 1 s -> out. u7 never buys. 2/4.
    // Settled: first gift <= now - W = 20:20:00 -> u1 u2 u3, 2 converted.
    assert_eq!(
        r["conversion"],
        json!({"window_s": 1800, "gifters": 4, "converted": 2, "rate": 0.5,
               "ci95": [0.15, 0.85],
               "settled": {"gifters": 3, "converted": 2, "rate": 0.6667,
                           "ci95": [0.2077, 0.9385]}})
    );
    // gifters buy 3/4, non-gifters (u4 u5 u6 u8 u9) 1/5 (u5); lift 3.75,
    // Katz se = sqrt(1/3 - 1/4 + 1/1 - 1/5)
    assert_eq!(
        r["lift"],
        json!({"gifter_buy_rate": 0.75, "non_gifter_buy_rate": 0.2, "lift": 3.75,
               "ci95": [0.5943, 23.6614]})
    );
}

#[test]
fn creators_and_attribution_all() {
    let r = report(Scope::All);
    // alice: Rose 5 + Lion 29999 + anonymous Rose 1; orders o1 (u1's last
    // gift was to alice 4m50s before paying: inferred), o2 (inferred at the
    // window edge), o7 (names alice); o4 names alice but was refunded.
    // bob: Hand Hearts 2x100 + Heart Me 100; o3 and o5 name bob; u3 paid
    // W + 1 s after gifting: not converted.
    assert_eq!(
        r["creators"],
        json!([
            {"creator": "alice", "gifts_sent": 7, "diamonds": 30005, "gifters": 2,
             "orders": 3, "gmv": {"USD": 31.99}, "converted": 2, "conversion_rate": 1.0},
            {"creator": "bob", "gifts_sent": 3, "diamonds": 300, "gifters": 2,
             "orders": 2, "gmv": {"EUR": 50.0, "USD": 7.5}, "converted": 0,
             "conversion_rate": 0.0}
        ])
    );
    assert_eq!(
        r["top_gifts"],
        json!([
            {"gift": "Lion", "gifts_sent": 1, "diamonds": 29999},
            {"gift": "Hand Hearts", "gifts_sent": 2, "diamonds": 200},
            {"gift": "Heart Me, \"Big\"", "gifts_sent": 1, "diamonds": 100},
            {"gift": "Rose", "gifts_sent": 6, "diamonds": 6}
        ])
    );
    assert_eq!(
        r["top_products"],
        json!([
            {"product": "Lip Tint", "orders": 2, "units": 2, "gmv": {"USD": 21.99}},
            {"product": "Serum Deluxe", "orders": 1, "units": 2, "gmv": {"EUR": 50.0}},
            {"product": "Mask", "orders": 1, "units": 1, "gmv": {"USD": 7.5}},
            {"product": "Serum", "orders": 1, "units": 1, "gmv": {"USD": 10.0}}
        ])
    );
}

#[test]
fn fifteen_minute_window() {
    let r = report(Scope::Window(900));
    // The window's seconds are 20:35:01 ..= 20:50:00: the e-7 gift, o9's
    // cancel, o4's and o6's refunds. o8's pending row (20:35:00) is just out.
    assert_eq!(r["scope"]["from"], "2026-11-23T20:35:01.000Z");
    assert_eq!(r["gifts"]["sent"], 1);
    assert_eq!(r["gifts"]["diamonds"], 100);
    assert_eq!(r["gifts"]["gifters"], 1);
    assert_eq!(
        r["orders"],
        json!({"paid": 0, "pending": 0, "cancelled": 1, "refunded": 2, "buyers": 0,
               "units": 0, "gmv": {}, "gmv_gross": {}, "gmv_unknown_orders": 0})
    );
    // last seen in the window: u8 (20:37) u4 (20:40) u7 (20:45) u6 (20:50)
    assert_eq!(
        r["funnel"],
        json!({"viewers": 4, "gifters": 1, "buyers": 0, "gifting_buyers": 0})
    );
    assert_eq!(r["conversion"]["converted"], 0);
    assert_eq!(r["conversion"]["ci95"], json!([0.0, 0.7935]));
    // u7's first gift is younger than W: nobody is settled, so no rate
    assert_eq!(
        r["conversion"]["settled"],
        json!({"gifters": 0, "converted": 0, "rate": null, "ci95": null})
    );
    assert_eq!(r["lift"]["lift"], Value::Null);
    assert_eq!(r["creators"].as_array().map(|a| a.len()), Some(1));
    assert_eq!(r["creators"][0]["creator"], "bob");
}

#[test]
fn hour_window_leaves_out_only_the_late_event() {
    let all = report(Scope::All);
    let hour = report(Scope::Window(3600));
    assert_eq!(hour["funnel"]["viewers"], 8);
    for k in [
        "gifts",
        "orders",
        "conversion",
        "creators",
        "top_gifts",
        "top_products",
    ] {
        assert_eq!(hour[k], all[k], "{k}");
    }
    // without u9 the non-gifters are u4 u5 u6 u8: 1/4, so lift 0.75/0.25 = 3
    assert_eq!(hour["lift"]["non_gifter_buy_rate"], 0.25);
    assert_eq!(hour["lift"]["lift"], 3.0);
}

#[test]
fn projection_and_rates_from_the_rings() {
    let e = engine();
    let s = e.snapshot(Scope::All, None);
    // no payment in the last 15 minutes: 0 expected, Garwood k=0 over
    // 15 min is [0, 3.6889/15]/min, x 30 min = [0, 7.3778]
    assert_eq!(s.projection.orders, Some(0.0));
    let (lo, hi) = s.projection.orders_ci95.unwrap();
    assert_eq!(lo, 0.0);
    assert!((hi - 7.3778).abs() < 1e-3, "{hi}");
    // 15-minute rates: one gift (1 sent, 100 diamonds) in 15 minutes
    let (_, pm) = s.rates[2];
    assert!((pm.gifts - 1.0 / 15.0).abs() < 1e-9);
    assert!((pm.diamonds - 100.0 / 15.0).abs() < 1e-9);
}

#[test]
fn creator_detail_filters_every_figure() {
    let r = to_json(&engine().snapshot(Scope::All, Some("bob")));
    assert_eq!(r["gifts"]["sent"], 3);
    assert_eq!(r["gifts"]["diamonds"], 300);
    assert_eq!(r["gifts"]["gifters"], 2);
    // o3 and o5 name bob
    assert_eq!(r["orders"]["paid"], 2);
    assert_eq!(r["orders"]["gmv"], json!({"EUR": 50.0, "USD": 7.5}));
    // u6 liked in bob's room; u3 u7 gifted; u5 bought from bob; u3 ordered
    assert_eq!(r["funnel"]["viewers"], 4);
    assert_eq!(r["conversion"]["converted"], 0);
    let nobody = to_json(&engine().snapshot(Scope::All, Some("nobody")));
    assert_eq!(nobody["gifts"]["sent"], 0);
    assert_eq!(nobody["orders"]["paid"], 0);
    assert_eq!(nobody["funnel"]["viewers"], 0);
}

#[test]
fn rings_agree_with_the_order_scan() {
    // The per-second buckets (used for rates and charts) and the snapshot's
    // scan of orders are two roads to the same numbers.
    let e = engine();
    let s = e.snapshot(Scope::Window(3600), None);
    let ring = e
        .recent
        .sum_since(livetally::engine::sec(e.now.unwrap()) - 3599);
    assert_eq!(ring.paid as u64, s.orders.paid);
    assert_eq!(ring.refunded as u64, s.orders.refunded);
    assert_eq!(ring.cancelled as u64, s.orders.cancelled);
    assert_eq!(ring.pending as u64, s.orders.pending);
    assert_eq!(ring.units, s.orders.units);
}

#[test]
fn simultaneous_gifts_attribute_to_the_later_input_row() {
    // Found by scripts/bench against DuckDB: two gifts in the same
    // millisecond to different creators; the order names none and goes to
    // the later gift in input order, whatever the creators' names.
    let text = "ts,kind,creator,user,amount,order_id\n\
                2026-11-23T20:00:00.500Z,gift,zed,u1,,\n\
                2026-11-23T20:00:00.500Z,gift,amy,u1,,\n\
                2026-11-23T20:01:00Z,order,,u1,5.00,o1\n\
                2026-11-23T20:02:00.250Z,gift,amy,u2,,\n\
                2026-11-23T20:02:00.250Z,gift,zed,u2,,\n\
                2026-11-23T20:03:00Z,order,,u2,7.00,o2\n";
    let mut e = Engine::new(Config::default());
    for it in decode_str(text, DecodeOptions::default()) {
        if let Decoded::Event(ev) = it.what {
            e.ingest(ev);
        }
    }
    let r = to_json(&e.snapshot(Scope::All, None));
    let orders: Vec<(String, Value)> = r["creators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["creator"].as_str().unwrap().to_string(), c["gmv"].clone()))
        .collect();
    assert_eq!(
        orders,
        [
            ("amy".to_string(), json!({"USD": 5.0})),
            ("zed".to_string(), json!({"USD": 7.0}))
        ]
    );
}
