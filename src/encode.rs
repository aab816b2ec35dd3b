//! Canonical CSV/NDJSON writing of events (simulator output, exports).
//!
//! What is written here decodes back (`decode::decode_str`) to an equal
//! `Event`, with two documented limits of the canonical format itself:
//! `streak_timed_out` has no column, and text fields are trimmed by the
//! decoder (so surrounding whitespace, and empty strings, do not survive).

use crate::model::{Currency, Event, Kind, MONEY_SCALE, TsMs};
use chrono::{DateTime, Datelike, SecondsFormat};
use std::io::Write;

/// Canonical column order, as `decode::fields::Field::ALL` names them.
pub const CSV_COLUMNS: [&str; 13] = [
    "ts", "kind", "creator", "user", "nickname", "item", "qty", "diamonds", "amount", "currency",
    "order_id", "status", "event_id",
];

/// `2026-11-23T20:15:03.120Z`; epoch milliseconds for instants outside the
/// years 0000-9999 that RFC 3339 can carry.
pub fn ts_to_string(ts: TsMs) -> String {
    match DateTime::from_timestamp_millis(ts) {
        Some(dt) if (0..=9999).contains(&dt.year()) => {
            dt.to_rfc3339_opts(SecondsFormat::Millis, true)
        }
        _ => ts.to_string(),
    }
}

/// An amount in `MONEY_SCALE` units as an exact decimal: at least the
/// currency's minor digits (2 without a currency), more only when needed
/// (`21.58`, `10.00`, `1235` for JPY, `0.1234`).
pub fn amount_to_string(amount: i64, currency: Option<Currency>) -> String {
    let min_digits = currency.map_or(2, |c| c.minor_digits()).min(4);
    let abs = amount.unsigned_abs();
    let scale = MONEY_SCALE as u64;
    let whole = abs / scale;
    let mut frac = abs % scale;
    let mut digits = 4u32;
    while digits > min_digits && frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    let sign = if amount < 0 { "-" } else { "" };
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = digits as usize)
    }
}

/// `qty` is left out only where it carries nothing (a join, follow or share
/// counted once); the decoder's default is 1.
fn qty_field(ev: &Event) -> Option<i64> {
    let countless = matches!(ev.kind, Kind::Join | Kind::Follow | Kind::Share);
    (!(countless && ev.qty == 1)).then_some(ev.qty)
}

/// `diamonds` is always written on gifts, elsewhere only when non-zero.
fn diamonds_field(ev: &Event) -> Option<i64> {
    (ev.kind == Kind::Gift || ev.diamonds != 0).then_some(ev.diamonds)
}

pub fn write_csv_header<W: Write>(w: &mut csv::Writer<W>) -> csv::Result<()> {
    w.write_record(CSV_COLUMNS)
}

/// One event as one CSV record (quoted where needed) in `CSV_COLUMNS` order.
pub fn write_csv<W: Write>(w: &mut csv::Writer<W>, ev: &Event) -> csv::Result<()> {
    let opt = |s: &Option<crate::model::Text>| s.as_deref().unwrap_or("").to_string();
    let num = |n: Option<i64>| n.map_or(String::new(), |n| n.to_string());
    let fields: [String; 13] = [
        ts_to_string(ev.ts),
        ev.kind.as_str().to_string(),
        opt(&ev.creator),
        opt(&ev.user),
        opt(&ev.nickname),
        opt(&ev.item),
        num(qty_field(ev)),
        num(diamonds_field(ev)),
        ev.amount
            .map_or(String::new(), |a| amount_to_string(a, ev.currency)),
        ev.currency
            .map_or(String::new(), |c| c.as_str().to_string()),
        opt(&ev.order_id),
        ev.status.map_or("", |s| s.as_str()).to_string(),
        opt(&ev.event_id),
    ];
    w.write_record(&fields)
}

/// Append one event as a JSON object (no newline) to `buf`: the CSV column
/// names as keys, absent fields left out, `qty`/`diamonds` as numbers and
/// `amount` as a string holding the exact decimal.
pub fn write_ndjson(buf: &mut Vec<u8>, ev: &Event) {
    let mut first = true;
    let mut key = |buf: &mut Vec<u8>, k: &str| {
        buf.extend_from_slice(if first { b"{\"" } else { b",\"" });
        first = false;
        buf.extend_from_slice(k.as_bytes());
        buf.extend_from_slice(b"\":");
    };
    // Serializing a &str into a Vec cannot fail.
    let string = |buf: &mut Vec<u8>, s: &str| {
        let _ = serde_json::to_writer(&mut *buf, s);
    };
    key(buf, "ts");
    string(buf, &ts_to_string(ev.ts));
    key(buf, "kind");
    string(buf, ev.kind.as_str());
    for (k, v) in [
        ("creator", &ev.creator),
        ("user", &ev.user),
        ("nickname", &ev.nickname),
        ("item", &ev.item),
    ] {
        if let Some(v) = v {
            key(buf, k);
            string(buf, v);
        }
    }
    for (k, v) in [("qty", qty_field(ev)), ("diamonds", diamonds_field(ev))] {
        if let Some(v) = v {
            key(buf, k);
            buf.extend_from_slice(v.to_string().as_bytes());
        }
    }
    if let Some(a) = ev.amount {
        key(buf, "amount");
        string(buf, &amount_to_string(a, ev.currency));
    }
    if let Some(c) = ev.currency {
        key(buf, "currency");
        string(buf, c.as_str());
    }
    if let Some(id) = &ev.order_id {
        key(buf, "order_id");
        string(buf, id);
    }
    if let Some(s) = ev.status {
        key(buf, "status");
        string(buf, s.as_str());
    }
    if let Some(id) = &ev.event_id {
        key(buf, "event_id");
        string(buf, id);
    }
    buf.push(b'}');
}

/// One event as one NDJSON line (without the trailing newline).
pub fn to_ndjson(ev: &Event) -> String {
    let mut buf = Vec::with_capacity(256);
    write_ndjson(&mut buf, ev);
    // Only UTF-8 text and JSON punctuation were written.
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{DecodeOptions, Decoded, decode_str};
    use crate::model::OrderStatus;

    fn events() -> Vec<Event> {
        let mut gift = Event::new(1_795_464_903_120, Kind::Gift);
        gift.creator = Some("chef.kenji".into());
        gift.user = Some("u123456".into());
        gift.nickname = Some("Ana, \"the great\" 🌸\nsecond line".into());
        gift.item = Some("Rose".into());
        gift.qty = 12;
        gift.diamonds = 12;
        gift.event_id = Some("e1".into());

        let mut order = Event::new(1_795_464_903_999, Kind::Order);
        order.user = Some("u9".into());
        order.nickname = Some("小雨 ✨".into());
        order.item = Some("Lip Tint, \"Cherry\" shade".into());
        order.qty = 2;
        order.amount = Some(199_800);
        order.currency = Some(Currency::USD);
        order.order_id = Some("576461413038785752".into());
        order.status = Some(OrderStatus::Refunded);

        let mut precise = Event::new(1_795_464_904_000, Kind::Order);
        precise.amount = Some(-12_345);
        precise.currency = Currency::parse("JPY");
        precise.status = Some(OrderStatus::Pending);

        let mut join = Event::new(1_795_464_905_001, Kind::Join);
        join.creator = Some("dj_nova".into());
        join.user = Some("u1".into());

        let mut viewers = Event::new(1_795_464_906_000, Kind::Viewers);
        viewers.creator = Some("dj_nova".into());
        viewers.qty = 1;

        let mut like = Event::new(5_000, Kind::Like);
        like.qty = 0;
        let far = Event::new(400_000_000_000_000, Kind::Share);
        vec![gift, order, precise, join, viewers, like, far]
    }

    fn decoded(text: &str) -> Vec<Event> {
        decode_str(text, DecodeOptions::default())
            .into_iter()
            .map(|i| match i.what {
                Decoded::Event(e) => e,
                other => panic!("line {}: {other:?}", i.line),
            })
            .collect()
    }

    #[test]
    fn amounts_are_exact_decimals() {
        let usd = Some(Currency::USD);
        assert_eq!(amount_to_string(215_800, usd), "21.58");
        assert_eq!(amount_to_string(100_000, usd), "10.00");
        assert_eq!(amount_to_string(1_234, usd), "0.1234");
        assert_eq!(amount_to_string(-5_000, None), "-0.50");
        assert_eq!(amount_to_string(12_350_000, Currency::parse("JPY")), "1235");
        assert_eq!(amount_to_string(12_345, Currency::parse("JPY")), "1.2345");
        assert_eq!(amount_to_string(12_340, Currency::parse("KWD")), "1.234");
    }

    #[test]
    fn timestamps_are_rfc3339_millis() {
        assert_eq!(ts_to_string(1_795_464_903_120), "2026-11-23T20:15:03.120Z");
        assert_eq!(ts_to_string(400_000_000_000_000), "400000000000000");
    }

    #[test]
    fn csv_round_trips() {
        let evs = events();
        let mut w = csv::Writer::from_writer(Vec::new());
        write_csv_header(&mut w).unwrap();
        for e in &evs {
            write_csv(&mut w, e).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert!(text.starts_with("ts,kind,creator,user,nickname,item,qty,diamonds,amount,"));
        assert!(text.contains(",2,,19.98,USD,"), "{text}");
        assert_eq!(decoded(&text), evs);
    }

    #[test]
    fn ndjson_round_trips() {
        let evs = events();
        let lines: Vec<String> = evs.iter().map(to_ndjson).collect();
        assert_eq!(
            lines[3],
            r#"{"ts":"2026-11-23T20:15:05.001Z","kind":"join","creator":"dj_nova","user":"u1"}"#
        );
        assert!(lines[1].contains(r#""qty":2,"amount":"19.98","currency":"USD""#));
        for l in &lines {
            assert!(!l.contains('\n'));
            serde_json::from_str::<serde_json::Value>(l).unwrap();
        }
        assert_eq!(decoded(&lines.join("\n")), evs);
    }
}
