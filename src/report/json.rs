//! The JSON contract of `livetally report --json` (documented in README).

use crate::engine::snapshot::{Rate, Snapshot};
use crate::model::money_to_f64;
use serde_json::{Map, Value, json};

pub fn to_json(s: &Snapshot) -> Value {
    let c = &s.counters;
    let ts = |t: Option<i64>| t.map(crate::format::rfc3339);
    let mut creators = Vec::new();
    for r in &s.creators {
        creators.push(json!({
            "creator": r.creator.as_str(),
            "gifts_sent": r.gifts_sent,
            "diamonds": r.diamonds,
            "gifters": r.gifters,
            "orders": r.orders,
            "gmv": money_map(&r.gmv),
            "converted": r.converted,
            "conversion_rate": round4(r.conversion.rate),
        }));
    }
    let top_gifts: Vec<Value> = s
        .top_gifts
        .iter()
        .map(|g| json!({"gift": g.gift, "gifts_sent": g.gifts_sent, "diamonds": g.diamonds}))
        .collect();
    let top_products: Vec<Value> = s
        .top_products
        .iter()
        .map(|p| {
            json!({"product": p.product, "orders": p.orders, "units": p.units, "gmv": money_map(&p.gmv)})
        })
        .collect();
    let mut rates = Map::new();
    for (scope, pm) in &s.rates {
        rates.insert(
            scope.label().to_string(),
            json!({
                "minutes": round4(Some(pm.minutes)),
                "gifts": round4(Some(pm.gifts)),
                "diamonds": round4(Some(pm.diamonds)),
                "orders": round4(Some(pm.orders)),
            }),
        );
    }
    let proj_gmv: Map<String, Value> = s
        .projection
        .gmv
        .iter()
        .map(|(cur, (v, band))| {
            (
                cur.to_string(),
                json!({"expected": round2(*v), "band": round2(*band)}),
            )
        })
        .collect();
    json!({
        "scope": {
            "window": s.scope.label(),
            "creator": s.creator,
            "from": ts(s.from),
            "to": ts(s.to),
        },
        "events": {
            "gift": c.by_kind[0], "order": c.by_kind[1], "join": c.by_kind[2],
            "like": c.by_kind[3], "follow": c.by_kind[4], "share": c.by_kind[5],
            "viewers": c.by_kind[6],
            "skipped": c.skipped, "errors": c.errors, "duplicates": c.duplicates,
            "late": c.late, "streaks_timed_out": c.streaks_timed_out,
        },
        "gifts": {
            "sent": s.gifts_sent,
            "diamonds": s.diamonds,
            "gifters": s.gifters,
            "est_viewer_spend_usd": round2(s.est_viewer_spend_usd),
            "est_creator_earnings_usd": round2(s.est_creator_earnings_usd),
        },
        "orders": {
            "paid": s.orders.paid,
            "pending": s.orders.pending,
            "cancelled": s.orders.cancelled,
            "refunded": s.orders.refunded,
            "buyers": s.orders.buyers,
            "units": s.orders.units,
            "gmv": money_map(&s.orders.gmv),
            "gmv_gross": money_map(&s.orders.gmv_gross),
            "gmv_unknown_orders": s.orders.gmv_unknown,
        },
        "funnel": {
            "viewers": s.viewers,
            "gifters": s.gifters,
            "buyers": s.orders.buyers,
            "gifting_buyers": s.gifting_buyers,
        },
        "conversion": {
            "window_s": s.attribution_window_ms / 1000,
            "gifters": s.conversion.n,
            "converted": s.conversion.x,
            "rate": round4(s.conversion.rate),
            "ci95": ci(&s.conversion),
            "settled": {
                "gifters": s.settled.n,
                "converted": s.settled.x,
                "rate": round4(s.settled.rate),
                "ci95": ci(&s.settled),
            },
        },
        "lift": {
            "gifter_buy_rate": round4(s.lift.gifter.rate),
            "non_gifter_buy_rate": round4(s.lift.non_gifter.rate),
            "lift": round4(s.lift.lift),
            "ci95": s.lift.ci95.map(|(a, b)| json!([round4(Some(a)), round4(Some(b))])),
        },
        "creators": creators,
        "top_gifts": top_gifts,
        "top_products": top_products,
        "rates_per_minute": rates,
        "projection_30m": {
            "basis_minutes": round4(Some(s.projection.basis_minutes)),
            "orders": round4(s.projection.orders),
            "orders_ci95": s.projection.orders_ci95.map(|(a, b)| json!([round4(Some(a)), round4(Some(b))])),
            "gmv": proj_gmv,
        },
        "viewers": {"now": s.viewers_now, "peak": s.viewers_peak},
    })
}

/// Pretty JSON in which every character that could steer a terminal when the
/// JSON is shown raw (C1 controls, bidirectional overrides) is a `\uXXXX`
/// escape; serde_json already escapes C0 controls such as ESC.
pub fn to_safe_string(v: &Value) -> Result<String, serde_json::Error> {
    let s = serde_json::to_string_pretty(v)?;
    Ok(escape_terminal_controls(&s))
}

pub fn escape_terminal_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if crate::text::is_terminal_control(c) && !c.is_ascii() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Money per currency, rounded to each currency's minor unit.
pub fn money_map<'a>(m: impl crate::format::ByCurrency<'a>) -> Value {
    let obj: Map<String, Value> = m
        .into_iter()
        .map(|(c, v)| (c.to_string(), json!(money_to_f64(*v, *c))))
        .collect();
    Value::Object(obj)
}

fn ci(r: &Rate) -> Value {
    match r.ci95 {
        Some((a, b)) => json!([round4(Some(a)), round4(Some(b))]),
        None => Value::Null,
    }
}

fn round4(x: Option<f64>) -> Value {
    match x {
        Some(v) if v.is_finite() => json!((v * 10_000.0).round() / 10_000.0),
        _ => Value::Null,
    }
}

fn round2(v: f64) -> Value {
    if v.is_finite() {
        json!((v * 100.0).round() / 100.0)
    } else {
        Value::Null
    }
}
