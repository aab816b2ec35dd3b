//! A fast path for canonical NDJSON lines: only the keys livetally knows,
//! borrowed from the line where JSON allows, without building a JSON tree.
//! Anything unusual (not an object, a nested value where a scalar belongs,
//! a repeated canonical key, no `kind`) returns `None` and the line takes
//! the general path, which gives the same answer more slowly.

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
                Ok(Scalar(Some(
                    small_number(v).map_or_else(|| Cow::Owned(v.to_string()), Cow::Borrowed),
                )))
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

/// The numbers below 1000 as text, three digits each, zero-padded.
const SMALL_NUMBERS: &str = {
    const DIGITS: [u8; 3000] = {
        let mut t = [0u8; 3000];
        let mut v = 0;
        while v < 1000 {
            t[v * 3] = b'0' + (v / 100) as u8;
            t[v * 3 + 1] = b'0' + (v / 10 % 10) as u8;
            t[v * 3 + 2] = b'0' + (v % 10) as u8;
            v += 1;
        }
        t
    };
    // always Ok (ASCII digits); "" would only turn the table off
    match std::str::from_utf8(&DIGITS) {
        Ok(s) => s,
        Err(_) => "",
    }
};

/// `v.to_string()` without allocating, for the small counts (`qty`,
/// `diamonds`) most lines carry: formatting and freeing them was ~6% of
/// parsing a benchmark line.
fn small_number(v: u64) -> Option<&'static str> {
    let v = usize::try_from(v).ok().filter(|v| *v < 1000)?;
    let width = match v {
        0..10 => 1,
        10..100 => 2,
        _ => 3,
    };
    SMALL_NUMBERS.get(v * 3 + 3 - width..v * 3 + 3)
}

/// A canonical field's key, matched as serde's derive would (exactly,
/// after unescaping) without allocating; `None` for any other key.
struct Key(Option<Field>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                // a match, not a search of `Field::ALL` by name: 7% of
                // NDJSON decoding (the test below keeps the two in step)
                Ok(Key(match v {
                    "ts" => Some(Field::Ts),
                    "kind" => Some(Field::Kind),
                    "creator" => Some(Field::Creator),
                    "user" => Some(Field::User),
                    "nickname" => Some(Field::Nickname),
                    "item" => Some(Field::Item),
                    "qty" => Some(Field::Qty),
                    "diamonds" => Some(Field::Diamonds),
                    "amount" => Some(Field::Amount),
                    "currency" => Some(Field::Currency),
                    "order_id" => Some(Field::OrderId),
                    "status" => Some(Field::Status),
                    "event_id" => Some(Field::EventId),
                    _ => None,
                }))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Reads the canonical fields of one JSON object straight into the
/// caller's `RawFields`: a struct of 13 options returned by value was
/// copied several times per line (memmove was ~15% of the decoding thread).
struct Object<'r, 'a>(&'r mut RawFields<'a>);

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for Object<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Object<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = 0u32;
        while let Some(Key(key)) = map.next_key()? {
            let Some(f) = key else {
                map.next_value::<de::IgnoredAny>()?;
                continue;
            };
            // a repeated key is left to the general path, as serde's derive
            // did
            if seen & (1 << f as u32) != 0 {
                return Err(de::Error::duplicate_field(f.name()));
            }
            seen |= 1 << f as u32;
            if let Scalar(Some(text)) = map.next_value()? {
                self.0.set(f, text);
            }
        }
        Ok(())
    }
}

/// Fills `raw` (which must be empty) with the canonical fields of `line`;
/// false when the general path must decide, and `raw` is then to be
/// dropped.
pub fn fields_into<'a>(line: &'a str, raw: &mut RawFields<'a>) -> bool {
    use de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(line);
    Object(raw).deserialize(&mut de).is_ok() && de.end().is_ok() && raw.is_set(Field::Kind)
}

/// The canonical fields of `line`, or `None` when the general path must decide.
pub fn fields(line: &str) -> Option<RawFields<'_>> {
    let mut raw = RawFields::default();
    fields_into(line, &mut raw).then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every canonical field is read under its name, and nothing else is.
    #[test]
    fn keys_are_the_field_names() {
        for f in Field::ALL {
            let line = match f {
                Field::Kind => r#"{"kind":"join"}"#.to_string(),
                f => format!("{{\"{}\":\"1\",\"kind\":\"join\"}}", f.name()),
            };
            let raw = fields(&line).expect(&line);
            assert!(raw.is_set(f), "{line}");
        }
        let raw = fields(r#"{"Kind":"gift","kind":"join","TS":"1"}"#).unwrap();
        assert!(!raw.is_set(Field::Ts));
    }

    #[test]
    fn small_numbers_are_their_decimal_text() {
        for v in 0..1100u64 {
            let want = v.to_string();
            assert_eq!(small_number(v), (v < 1000).then_some(want.as_str()), "{v}");
        }
        assert_eq!(small_number(u64::MAX), None);
        let raw = fields(r#"{"kind":"gift","qty":7,"diamonds":999,"amount":1000}"#).unwrap();
        assert_eq!(raw.get(Field::Qty), Some("7"));
        assert_eq!(raw.get(Field::Diamonds), Some("999"));
        assert_eq!(raw.get(Field::Amount), Some("1000"));
    }

    /// Every line the fast path takes gives the event the general path
    /// (a JSON tree, then the canonical fields) gives.
    #[test]
    fn same_answer_as_the_general_path() {
        use crate::decode::canonical::push_record;
        let lines = [
            r#"{"ts":"2026-11-23T20:15:03.120Z","kind":"order","user":42,"amount":"21.58","currency":"eur","order_id":7,"status":"IN_TRANSIT","qty":"2"}"#,
            r#"{"ts":1795464903120,"kind":"gift","creator":"a\"b","user":"u\u00e9","diamonds":3.0,"qty":2,"extra":{"x":[1]}}"#,
            r#"{"ts":1795464903,"kind":"order","amount":21.58,"status":null,"item":true}"#,
            r#"{"ts":"x","kind":"gift"}"#,
            r#"{"ts":1795464903,"kind":"comment","amount":1e3}"#,
            // an escaped key is the key; other keys may repeat
            r#"{"ts":1795464903,"k\u0069nd":"gift","x":1,"x":[2],"user":"u1"}"#,
            r#"{"ts":1795464903,"kind":"","user":"u1"}"#,
        ];
        let opts = crate::decode::DecodeOptions::default();
        for line in lines {
            let fast = fields(line).expect(line);
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let slow = crate::decode::json::raw_fields(&value, &opts);
            for f in Field::ALL {
                assert_eq!(fast.get(f), slow.get(f), "{line}: {}", f.name());
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let map = crate::decode::fields::FieldMap::default();
            push_record(&fast, &map, 1, &mut a);
            push_record(&slow, &map, 1, &mut b);
            assert_eq!(a, b, "{line}");
        }
        // left to the general path: nested values, duplicate keys, no kind
        assert!(fields(r#"{"ts":1,"kind":"gift","kind":"join"}"#).is_none());
        assert!(fields(r#"{"ts":1,"kind":"gift","user":{"id":1}}"#).is_none());
        assert!(fields(r#"{"ts":1,"qty":2}"#).is_none());
        assert!(fields(r#"{"ts":1,"kind":null}"#).is_none());
        // not an object: the general path rejects it
        assert!(fields(r#"[1795464903,"gift","kind"]"#).is_none());
        let items = crate::decode::decode_str(
            "{\"ts\":1,\"kind\":\"join\"}\n[1795464903,\"gift\",\"kind\"]",
            opts.clone(),
        );
        assert_eq!(
            items[1].what,
            crate::decode::Decoded::Rejected("JSON line is not an object".into())
        );
        let raw = fields(r#"{"ts":1,"kind":"gift","qty":2.5,"user":"x"}"#).unwrap();
        assert_eq!(raw.get(Field::Qty), Some("2.5"));
    }
}
