//! Attribution and conversion kept on the orders (engine/links.rs): the same
//! answers whatever order gifts and orders arrive in, the creator detail view
//! agreeing with the creators table, and links that outlive the gift times
//! the engine drops after the horizon + W. Every expected number is worked
//! out by hand in the comments. T = 2026-11-23T20:00:00Z, W = 30 minutes.

use livetally::decode::{DecodeOptions, Decoded, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::report::json::to_json;
use serde_json::{Value, json};

const HEAD: &str = "ts,kind,creator,user,amount,order_id,status\n";

fn feed(e: &mut Engine, rows: &str) {
    for it in decode_str(&format!("{HEAD}{rows}"), DecodeOptions::default()) {
        match it.what {
            Decoded::Event(ev) => e.ingest(ev),
            other => panic!("line {}: {other:?}", it.line),
        }
    }
}

fn engine(rows: &str) -> Engine {
    let mut e = Engine::new(Config::default());
    feed(&mut e, rows);
    e
}

/// (creator, orders, converted, gifters) of every row of the creators table.
fn table(e: &Engine, scope: Scope) -> Vec<(String, u64, u64, u64)> {
    let r = to_json(&e.snapshot(scope, None));
    r["creators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["creator"].as_str().unwrap().to_string(),
                c["orders"].as_u64().unwrap(),
                c["converted"].as_u64().unwrap(),
                c["gifters"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn detail(e: &Engine, scope: Scope, creator: &str) -> Value {
    let r = to_json(&e.snapshot(scope, Some(creator)));
    json!({"paid": r["orders"]["paid"], "refunded": r["orders"]["refunded"],
           "gifters": r["gifts"]["gifters"], "converted": r["conversion"]["converted"]})
}

fn row(name: &str, orders: u64, converted: u64, gifters: u64) -> (String, u64, u64, u64) {
    (name.to_string(), orders, converted, gifters)
}

// u1 gifts alice at T+1m and bob at T+2m, then pays o1 (naming no creator)
// at T+3m: o1 is attributed to bob (the latest gift), so u1 converted for
// bob only: an order converts for the one creator it is attributed to.
const TWO_CREATORS: &str = "2026-11-23T20:01:00Z,gift,alice,u1,,,\n\
                            2026-11-23T20:02:00Z,gift,bob,u1,,,\n\
                            2026-11-23T20:03:00Z,order,,u1,5.00,o1,paid\n";

#[test]
fn creator_detail_conversion_equals_its_table_row() {
    let e = engine(TWO_CREATORS);
    for scope in [Scope::All, Scope::Window(300)] {
        assert_eq!(
            table(&e, scope),
            vec![row("alice", 0, 0, 1), row("bob", 1, 1, 1)],
            "{scope:?}"
        );
        assert_eq!(
            detail(&e, scope, "alice"),
            json!({"paid": 0, "refunded": 0, "gifters": 1, "converted": 0}),
            "{scope:?}"
        );
        assert_eq!(
            detail(&e, scope, "bob"),
            json!({"paid": 1, "refunded": 0, "gifters": 1, "converted": 1}),
            "{scope:?}"
        );
    }
}

#[test]
fn gifts_arriving_after_their_order_link_to_it() {
    // The same three rows with the order first: nothing is linked until the
    // gifts arrive, then the later gift (bob) takes the attribution.
    let e = engine(
        "2026-11-23T20:03:00Z,order,,u1,5.00,o1,paid\n\
         2026-11-23T20:01:00Z,gift,alice,u1,,,\n\
         2026-11-23T20:02:00Z,gift,bob,u1,,,\n",
    );
    assert_eq!(
        table(&e, Scope::All),
        vec![row("alice", 0, 0, 1), row("bob", 1, 1, 1)]
    );
    // bob's gift first, alice's second: alice's is still the earlier gift,
    // so bob keeps o1
    let e = engine(
        "2026-11-23T20:03:00Z,order,,u1,5.00,o1,paid\n\
         2026-11-23T20:02:00Z,gift,bob,u1,,,\n\
         2026-11-23T20:01:00Z,gift,alice,u1,,,\n",
    );
    assert_eq!(
        table(&e, Scope::All),
        vec![row("alice", 0, 0, 1), row("bob", 1, 1, 1)]
    );
    // o1 names alice: direct attribution wins over bob's later gift, and
    // alice's gift 2 minutes before paying converts u1 for alice
    let e = engine(
        "2026-11-23T20:03:00Z,order,alice,u1,5.00,o1,paid\n\
         2026-11-23T20:02:00Z,gift,bob,u1,,,\n\
         2026-11-23T20:01:00Z,gift,alice,u1,,,\n",
    );
    assert_eq!(
        table(&e, Scope::All),
        vec![row("alice", 1, 1, 1), row("bob", 0, 0, 1)]
    );
    // a gift 30:01 before paying is outside W: no attribution, no conversion
    let e = engine(
        "2026-11-23T20:40:01Z,order,,u1,5.00,o1,paid\n\
         2026-11-23T20:10:00Z,gift,alice,u1,,,\n",
    );
    assert_eq!(table(&e, Scope::All), vec![row("alice", 0, 0, 1)]);
}

#[test]
fn links_outlive_the_gift_times_dropped_after_the_horizon() {
    // u1 gifts alice at T and pays o1 at T+10m: attributed to alice, u1
    // converted. Three hours later (past the 1 h horizon + W) the engine has
    // dropped u1's gift times, and a refund of o1 still takes the order and
    // the conversion away from alice, exactly.
    let mut e = engine(
        "2026-11-23T20:00:00Z,gift,alice,u1,,,\n\
         2026-11-23T20:10:00Z,order,,u1,5.00,o1,paid\n",
    );
    assert_eq!(table(&e, Scope::All), vec![row("alice", 1, 1, 1)]);
    feed(&mut e, "2026-11-23T23:00:00Z,join,alice,u2,,,\n");
    feed(&mut e, "2026-11-23T23:11:00Z,join,alice,u2,,,\n");
    let u1 = e.users.id("u1").unwrap();
    assert!(e.users.get(u1).gifts.is_empty(), "gift times dropped");
    assert!(e.users.get(u1).orders.is_empty(), "old orders unlisted");
    // nothing changed for the all-time figures
    assert_eq!(table(&e, Scope::All), vec![row("alice", 1, 1, 1)]);
    // a repeated paid row of o1 changes nothing either (its links are kept)
    feed(&mut e, "2026-11-23T20:10:00Z,order,,u1,5.00,o1,paid\n");
    assert_eq!(table(&e, Scope::All), vec![row("alice", 1, 1, 1)]);
    feed(&mut e, "2026-11-23T23:12:00Z,order,,u1,,o1,refunded\n");
    assert_eq!(table(&e, Scope::All), vec![row("alice", 0, 0, 1)]);
    // the refunded order is still alice's: her detail view counts it
    assert_eq!(
        detail(&e, Scope::All, "alice"),
        json!({"paid": 0, "refunded": 1, "gifters": 1, "converted": 0})
    );
}

#[test]
fn an_order_changing_hands_moves_its_links() {
    // o1 is first u1's (converted for alice), then a later row says u2's:
    // u1 no longer converted, u2 (who never gifted) is a buyer, not a
    // converted gifter; the order keeps no attribution.
    let e = engine(
        "2026-11-23T20:00:00Z,gift,alice,u1,,,\n\
         2026-11-23T20:10:00Z,order,,u1,5.00,o1,paid\n\
         2026-11-23T20:11:00Z,order,,u2,5.00,o1,paid\n",
    );
    assert_eq!(table(&e, Scope::All), vec![row("alice", 0, 0, 1)]);
    let r = to_json(&e.snapshot(Scope::All, None));
    assert_eq!(r["orders"]["buyers"], 1);
    assert_eq!(r["conversion"]["converted"], 0);
}

#[test]
fn window_conversion_needs_a_gift_inside_the_window() {
    // u1 gifts alice at T and pays o1 (naming none) at T+10m: attributed to
    // alice. In the 5-minute window (T+5:01 .. T+10:00) the gift is outside:
    // u1 is a buyer but not a gifter there, and nobody converted.
    let mut e = engine(
        "2026-11-23T20:00:00Z,gift,alice,u1,,,\n\
         2026-11-23T20:10:00Z,order,,u1,5.00,o1,paid\n",
    );
    let w5 = Scope::Window(300);
    assert_eq!(table(&e, w5), vec![row("alice", 1, 0, 0)]);
    assert_eq!(table(&e, Scope::All), vec![row("alice", 1, 1, 1)]);
    // a gift to alice at T+7m arrives late, after the order: it is inside
    // the window and within W before paying, so u1 converted there too
    feed(&mut e, "2026-11-23T20:07:00Z,gift,alice,u1,,,\n");
    assert_eq!(table(&e, w5), vec![row("alice", 1, 1, 1)]);
    let r = to_json(&e.snapshot(w5, None));
    assert_eq!(r["conversion"]["converted"], 1);
    assert_eq!(r["conversion"]["gifters"], 1);
    // the same gift to bob instead: o1 moves to bob (the latest gift) and
    // converts u1 for bob in the window; alice keeps her gifter, unconverted
    let e = engine(
        "2026-11-23T20:00:00Z,gift,alice,u1,,,\n\
         2026-11-23T20:10:00Z,order,,u1,5.00,o1,paid\n\
         2026-11-23T20:07:00Z,gift,bob,u1,,,\n",
    );
    assert_eq!(table(&e, w5), vec![row("bob", 1, 1, 1)]);
    assert_eq!(
        table(&e, Scope::All),
        vec![row("alice", 0, 0, 1), row("bob", 1, 1, 1)]
    );
}

#[test]
fn windows_read_the_same_with_or_without_the_recent_order_index() {
    // o1 is paid two hours before the rest and refunded now; o2 is paid in
    // the last 5 minutes; o3 an hour and a half ago. A window reads o1 (its
    // refund row is recent) and o2 through the index, never o3.
    let rows = "2026-11-23T18:00:00Z,order,alice,u1,5.00,o1,paid\n\
                2026-11-23T18:30:00Z,order,alice,u3,7.00,o3,paid\n\
                2026-11-23T19:58:00Z,gift,alice,u2,,,\n\
                2026-11-23T19:59:00Z,order,,u2,9.00,o2,paid\n\
                2026-11-23T20:00:00Z,order,,u1,,o1,refunded\n";
    let indexed = engine(rows);
    let mut plain = Engine::new(Config {
        index_recent_orders: false,
        ..Config::default()
    });
    feed(&mut plain, rows);
    for scope in [Scope::Window(300), Scope::Window(3600), Scope::All] {
        let a = to_json(&indexed.snapshot(scope, None));
        assert_eq!(a, to_json(&plain.snapshot(scope, None)), "{scope:?}");
        assert_eq!(a["orders"]["refunded"], 1, "{scope:?}");
    }
    let r = to_json(&indexed.snapshot(Scope::Window(300), None));
    assert_eq!(r["orders"]["paid"], 1, "o2 only");
    assert_eq!(r["orders"]["gmv"], json!({"USD": 9.0}));
    assert_eq!(
        table(&indexed, Scope::Window(300)),
        vec![row("alice", 1, 1, 1)]
    );
}
