//! The two `--map` examples in README.md, run as documented.

use serde_json::{Value, json};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_livetally");

fn report(args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .arg("report")
        .arg("--json")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn shop_export_csv() {
    let r = report(&[
        "--kind",
        "order",
        "--map",
        "ts=created_at,order_id=order_no,user=customer_id,amount=total,status=state,creator=affiliate",
        "sample-data/map/shop-export.csv",
    ]);
    // A-1001 paid 24.90 (alice); A-1002 UNPAID then AWAITING_SHIPMENT: paid
    // 10.00, amount from its first row; A-1003 paid 5.50 then CANCELLED:
    // gross only. Net 34.90, gross 40.40.
    assert_eq!(r["events"]["order"], 5);
    assert_eq!(r["events"]["errors"], 0);
    assert_eq!(
        r["orders"],
        json!({"paid": 2, "pending": 0, "cancelled": 1, "refunded": 0, "buyers": 2,
               "units": 2, "gmv": {"USD": 34.9}, "gmv_gross": {"USD": 40.4},
               "gmv_unknown_orders": 0})
    );
    assert_eq!(r["creators"][0]["creator"], "alice");
    assert_eq!(r["creators"][0]["gmv"], json!({"USD": 24.9}));
}

#[test]
fn nested_gift_log_ndjson() {
    let r = report(&[
        "--kind",
        "gift",
        "--map",
        "ts=time,creator=streamer.name,user=from.id,item=gift.name,qty=gift.count,diamonds=gift.value",
        "sample-data/map/gifts.ndjson",
    ]);
    // bob: 3 Stars (30) + 1 Rose (1) from v9, v8; alice: 1 Star (10) from v9
    assert_eq!(
        r["gifts"],
        json!({"sent": 5, "diamonds": 41, "gifters": 2,
               "est_viewer_spend_usd": 0.55, "est_creator_earnings_usd": 0.1})
    );
    assert_eq!(
        r["creators"],
        json!([
            {"creator": "bob", "gifts_sent": 4, "diamonds": 31, "gifters": 2, "orders": 0,
             "gmv": {}, "converted": 0, "conversion_rate": 0.0},
            {"creator": "alice", "gifts_sent": 1, "diamonds": 10, "gifters": 1, "orders": 0,
             "gmv": {}, "converted": 0, "conversion_rate": 0.0}
        ])
    );
}
