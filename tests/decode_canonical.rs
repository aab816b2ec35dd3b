//! The canonical CSV/NDJSON format: detection, header handling and the
//! awkward bits real files have (BOM, CRLF, quoted newlines, blank lines).

use livetally::decode::fields::FieldMap;
use livetally::decode::{DecodeOptions, Decoded, Format, Item, decode_str};
use livetally::model::{Currency, Kind, OrderStatus};

fn events(items: &[Item]) -> Vec<&livetally::model::Event> {
    items
        .iter()
        .filter_map(|i| match &i.what {
            Decoded::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn csv_with_bom_crlf_quoted_newline_and_any_column_order() {
    let text = "\u{feff}kind,amount,ts,user,item,order_id,extra\r\n\
                order,12.5,1795464903,u1,\"Lip, Tint\nDeluxe\",o1,zzz\r\n\
                \r\n\
                gift,,1795464904000,u2,Rose,,\r\n";
    let items = decode_str(text, DecodeOptions::default());
    let ev = events(&items);
    assert_eq!(ev.len(), 2, "{items:?}");
    assert_eq!(ev[0].kind, Kind::Order);
    assert_eq!(ev[0].ts, 1_795_464_903_000);
    assert_eq!(ev[0].item.as_deref(), Some("Lip, Tint\nDeluxe"));
    assert_eq!(ev[0].amount, Some(125_000));
    assert_eq!(ev[0].status, None);
    assert_eq!(items[0].line, 2);
    assert_eq!(ev[1].ts, 1_795_464_904_000);
    // the quoted newline made the gift the fifth physical line
    assert_eq!(items[1].line, 5);
}

#[test]
fn ndjson_is_detected_and_values_may_be_numbers_or_strings() {
    let text = "\n{\"ts\":\"2026-11-23T20:15:03.120Z\",\"kind\":\"order\",\"user\":42,\"amount\":\"21.58\",\"currency\":\"eur\",\"order_id\":7,\"status\":\"IN_TRANSIT\",\"qty\":\"2\"}\n";
    let items = decode_str(text, DecodeOptions::default());
    let ev = events(&items);
    assert_eq!(ev.len(), 1, "{items:?}");
    assert_eq!(ev[0].user.as_deref(), Some("42"));
    assert_eq!(ev[0].order_id.as_deref(), Some("7"));
    assert_eq!(ev[0].currency, Currency::parse("EUR"));
    assert_eq!(ev[0].status, Some(OrderStatus::Paid));
    assert_eq!(ev[0].qty, 2);
    assert_eq!(items[0].line, 2);
}

#[test]
fn bad_rows_are_rejected_with_reasons_and_do_not_stop_the_feed() {
    let text = "ts,kind,qty,amount,currency,status\n\
                x,gift,1,,,\n\
                1795464903,,1,,,\n\
                1795464903,gift,lots,,,\n\
                1795464903,order,1,12.3.4,,\n\
                1795464903,order,1,1,DOLLARS,\n\
                1795464903,order,1,1,USD,shipped?\n\
                1795464903,chat,1,,,\n\
                1795464903,gift,3,,,\n";
    let items = decode_str(text, DecodeOptions::default());
    let what: Vec<String> = items
        .iter()
        .map(|i| match &i.what {
            Decoded::Event(e) => format!("{}:event {}", i.line, e.kind.as_str()),
            Decoded::Skipped(k) => format!("{}:skipped {k}", i.line),
            Decoded::Rejected(r) => format!("{}:{r}", i.line),
            Decoded::Duplicate => format!("{}:duplicate", i.line),
        })
        .collect();
    assert_eq!(
        what,
        [
            "2:bad ts \"x\": expected RFC 3339 with offset or Unix epoch seconds/milliseconds",
            "3:missing kind",
            "4:non-numeric qty \"lots\"",
            "5:non-numeric amount \"12.3.4\"",
            "6:bad currency \"DOLLARS\"",
            "7:unknown status \"shipped?\"",
            "8:skipped chat",
            "9:event gift",
        ]
    );
}

#[test]
fn format_override_and_missing_header_columns() {
    let opts = DecodeOptions {
        format: Format::Csv,
        ..DecodeOptions::default()
    };
    // forced CSV: a JSON-looking first line is a (bad) header
    let items = decode_str("{\"ts\":1}\n", opts);
    assert!(matches!(&items[0].what, Decoded::Rejected(r) if r.contains("lacks required column")));
    let unterminated = decode_str(
        "ts,kind,item\n1795464903,gift,\"Rose\n",
        DecodeOptions::default(),
    );
    assert!(matches!(&unterminated[0].what, Decoded::Rejected(r) if r.contains("unterminated")));
}

#[test]
fn map_and_constant_kind_read_a_foreign_export() {
    let mut map =
        FieldMap::parse("ts=created_at,user=customer_id,amount=total,order_id=id").unwrap();
    map.constant_kind = Some("order".into());
    let opts = DecodeOptions {
        map,
        ..DecodeOptions::default()
    };
    let items = decode_str(
        "id,created_at,customer_id,total,currency\nA1,2026-11-23T20:00:00Z,c9,30.00,USD\n",
        opts.clone(),
    );
    let ev = events(&items);
    assert_eq!(ev.len(), 1, "{items:?}");
    assert_eq!(ev[0].kind, Kind::Order);
    assert_eq!(ev[0].order_id.as_deref(), Some("A1"));
    assert_eq!(ev[0].amount, Some(300_000));
    let nested = decode_str(
        "{\"id\":\"A2\",\"created_at\":1795464903,\"customer_id\":\"c1\",\"total\":5}\n",
        opts,
    );
    assert_eq!(events(&nested)[0].amount, Some(50_000));
}
