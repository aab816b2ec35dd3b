//! Property tests of every decoder: whatever the bytes, no panic, every
//! line is accounted for, and the engine survives what comes out.

use livetally::decode::{DecodeOptions, Decoded, Format, decode_str};
use livetally::engine::{Config, Engine, Scope};
use proptest::prelude::*;

fn ingest_all(text: &str, opts: DecodeOptions) -> (usize, usize) {
    let items = decode_str(text, opts);
    let mut e = Engine::new(Config::default());
    let mut rejected = 0;
    for it in &items {
        match &it.what {
            Decoded::Event(ev) => e.ingest(ev.clone()),
            Decoded::Skipped(_) => e.skipped(),
            Decoded::Rejected(r) => {
                rejected += 1;
                e.reject("prop", it.line, r.clone());
            }
            Decoded::Duplicate => e.duplicate(),
        }
    }
    for scope in Scope::CYCLE {
        let _ = e.snapshot(scope, None);
    }
    assert_eq!(e.counters.errors as usize, rejected);
    (items.len(), rejected)
}

/// Values that look like what feeds carry, including the awkward ones.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("gift".to_string()),
        Just("order".to_string()),
        Just("2026-11-23T20:00:00Z".to_string()),
        Just("1795464903000".to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("1e308".to_string()),
        Just("\"".to_string()),
        Just("\u{1b}[2J".to_string()),
        "[a-z0-9.,\" \\-]{0,12}",
        any::<String>(),
    ]
}

const KEYS: [&str; 12] = [
    "ts", "kind", "creator", "user", "item", "qty", "diamonds", "amount", "currency", "order_id",
    "status", "event_id",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        ingest_all(&text, DecodeOptions::default());
        ingest_all(&text, DecodeOptions { format: Format::Csv, ..DecodeOptions::default() });
        ingest_all(&text, DecodeOptions { format: Format::Ndjson, ..DecodeOptions::default() });
    }

    #[test]
    fn csv_rows_are_each_an_event_skip_or_rejection(
        rows in proptest::collection::vec(proptest::collection::vec(field(), 12), 1..30)
    ) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(KEYS).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let (items, _) = ingest_all(&text, DecodeOptions::default());
        // a row whose every field is empty is a blank line; all others yield
        // exactly one outcome
        let non_blank = rows.iter().filter(|r| r.iter().any(|f| !f.is_empty())).count();
        prop_assert_eq!(items, non_blank);
    }

    #[test]
    fn json_objects_of_any_shape_are_accounted_for(
        objs in proptest::collection::vec(
            proptest::collection::vec((0usize..16, field(), 0u8..4), 0..10), 1..20)
    ) {
        // canonical keys, connector keys and envelopes with values of any type
        let extra = ["__event", "giftId", "repeatCount", "data"];
        let mut text = String::new();
        for o in &objs {
            let mut m = serde_json::Map::new();
            for (k, v, t) in o {
                let key = if *k < 12 { KEYS[*k] } else { extra[*k - 12] };
                let val = match t {
                    0 => serde_json::Value::String(v.clone()),
                    1 => v.parse::<f64>().ok().and_then(serde_json::Number::from_f64)
                        .map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null),
                    2 => serde_json::json!([v]),
                    _ => serde_json::json!({"event": v, "data": {"msgId": v}}),
                };
                m.insert(key.to_string(), val);
            }
            text.push_str(&serde_json::Value::Object(m).to_string());
            text.push('\n');
        }
        let (items, _) = ingest_all(&text, DecodeOptions::default());
        // a connector streak update may fold into a later line, so at most one
        // outcome per line, plus streaks closed at the end of input
        prop_assert!(items <= objs.len() * 2);
    }

    /// Lines without quotes or carriage returns take a fast path (split on
    /// commas, fields read where they lie when no two columns feed the same
    /// field); quoting every field sends the same values through csv-core.
    /// Both must decode identically, whatever the columns' order, with
    /// columns missing, repeated or unknown, and rows short or long.
    #[test]
    fn plain_csv_lines_decode_like_quoted_ones(
        header in Just(KEYS.iter().chain(&["nickname", "note"]).map(|k| k.to_string()).collect::<Vec<_>>())
            .prop_shuffle()
            .prop_flat_map(|h| (Just(h), 2usize..15, 0usize..14)),
        rows in proptest::collection::vec(proptest::collection::vec(
            prop_oneof![
                field().prop_filter("plain", |f| !f.contains(['"', '\r', '\n', ','])),
                "[^\",\r\n]{0,12}",
            ], 10..16), 1..30)
    ) {
        let (mut keys, n, repeat) = header;
        keys.truncate(n);
        if repeat < keys.len() && repeat % 3 == 0 {
            let again = keys[repeat].clone();
            keys.push(again);
        }
        let plain: String = std::iter::once(keys.join(","))
            .chain(rows.iter().map(|r| r.join(",")))
            .map(|l| l + "\n")
            .collect();
        let quote = |r: &[String]| r.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(",");
        let quoted: String = std::iter::once(quote(&keys))
            .chain(rows.iter().map(|r| quote(r)))
            .map(|l| l + "\n")
            .collect();
        let opts = DecodeOptions { format: Format::Csv, ..DecodeOptions::default() };
        prop_assert_eq!(decode_str(&plain, opts.clone()), decode_str(&quoted, opts));
    }
}
