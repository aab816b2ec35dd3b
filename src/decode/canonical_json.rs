//! A fast path for canonical NDJSON lines: only the keys livetally knows,
//! borrowed from the line where JSON allows, without building a JSON tree.
//! Anything unusual (a nested value where a scalar belongs, a duplicate
//! key, no `kind`) returns `None` and the line takes the general path,
//! which gives the same answer more slowly.

use super::fields::{Field, RawFields};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON string, number or boolean as text; null as absent.
struct Scalar<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                // the same text serde_json's Value gives for a float
                Ok(Scalar(Some(Cow::Owned(
                    serde_json::Number::from_f64(v)
                        .map_or_else(|| v.to_string(), |n| n.to_string()),
                ))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar(Some(Cow::Borrowed(if v {
                    "true"
                } else {
                    "false"
                }))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct Row<'a> {
    #[serde(borrow, default)]
    ts: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    kind: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    creator: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    user: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    nickname: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    item: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    qty: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    diamonds: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    amount: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    currency: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    order_id: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    status: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    event_id: Option<Scalar<'a>>,
}

/// The canonical fields of `line`, or `None` when the general path must decide.
pub fn fields(line: &str) -> Option<RawFields<'_>> {
    let row: Row = serde_json::from_str(line).ok()?;
    row.kind.as_ref()?.0.as_ref()?;
    let mut raw = RawFields::default();
    let pairs = [
        (Field::Ts, row.ts),
        (Field::Kind, row.kind),
        (Field::Creator, row.creator),
        (Field::User, row.user),
        (Field::Nickname, row.nickname),
        (Field::Item, row.item),
        (Field::Qty, row.qty),
        (Field::Diamonds, row.diamonds),
        (Field::Amount, row.amount),
        (Field::Currency, row.currency),
        (Field::OrderId, row.order_id),
        (Field::Status, row.status),
        (Field::EventId, row.event_id),
    ];
    for (f, v) in pairs {
        if let Some(Scalar(Some(text))) = v {
            raw.set(f, text);
        }
    }
    Some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line the fast path takes gives the event the general path
    /// (a JSON tree, then the canonical fields) gives.
    #[test]
    fn same_answer_as_the_general_path() {
        use crate::decode::canonical::build_event;
        let lines = [
            r#"{"ts":"2026-11-23T20:15:03.120Z","kind":"order","user":42,"amount":"21.58","currency":"eur","order_id":7,"status":"IN_TRANSIT","qty":"2"}"#,
            r#"{"ts":1795464903120,"kind":"gift","creator":"a\"b","user":"u\u00e9","diamonds":3.0,"qty":2,"extra":{"x":[1]}}"#,
            r#"{"ts":1795464903,"kind":"order","amount":21.58,"status":null,"item":true}"#,
            r#"{"ts":"x","kind":"gift"}"#,
            r#"{"ts":1795464903,"kind":"comment","amount":1e3}"#,
        ];
        let opts = crate::decode::DecodeOptions::default();
        for line in lines {
            let fast = fields(line).expect(line);
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let slow = crate::decode::json::raw_fields(&value, &opts);
            for f in Field::ALL {
                assert_eq!(fast.get(f), slow.get(f), "{line}: {}", f.name());
            }
            assert_eq!(build_event(&fast, None), build_event(&slow, None), "{line}");
        }
        // left to the general path: nested values, duplicate keys, no kind
        assert!(fields(r#"{"ts":1,"kind":"gift","kind":"join"}"#).is_none());
        assert!(fields(r#"{"ts":1,"kind":"gift","user":{"id":1}}"#).is_none());
        assert!(fields(r#"{"ts":1,"qty":2}"#).is_none());
        let raw = fields(r#"{"ts":1,"kind":"gift","qty":2.5,"user":"x"}"#).unwrap();
        assert_eq!(raw.get(Field::Qty), Some("2.5"));
    }
}
