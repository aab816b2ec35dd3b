//! Adapters for real feeds: TikTok LIVE connectors (TikTok-Live-Connector
//! v1/v2/v3, TikTokLive for Python, TikFinity envelopes) and TikTok Shop
//! (order webhooks, Order API objects). Each source gets its own state:
//! open gift streaks and the feed's event clock belong to one input.

mod connector;
mod envelope;
mod pick;
mod shop;
mod streaks;

use super::{DecodeOptions, Decoded, Item};
use connector::Live;
use serde_json::Value;

pub struct AdapterState {
    default_creator: Option<String>,
    streaks: streaks::StreakBook,
    shop: shop::Shop,
}

impl AdapterState {
    pub fn new(opts: &DecodeOptions) -> AdapterState {
        AdapterState {
            default_creator: opts.default_creator.clone(),
            streaks: streaks::StreakBook::new(opts.streak_timeout_ms),
            shop: shop::Shop::default(),
        }
    }

    /// `Err` when the object is no shape livetally knows, or a known shape
    /// with a value that cannot be read.
    pub fn decode(&mut self, v: &Value, line: u64, out: &mut Vec<Item>) -> Result<(), String> {
        if !v.is_object() {
            return Err("JSON value is not an object".into());
        }
        if shop::is_webhook(v) || shop::is_order_api(v) {
            let mut rows = Vec::new();
            if shop::is_webhook(v) {
                self.shop.webhook(v, line, &mut rows)?;
            } else {
                self.shop.orders(v, line, &mut rows)?;
            }
            // Shop times are event time too: a stream of orders alone
            // still moves the clock that closes abandoned streaks.
            if let Some(ts) = shop::latest_ts(&rows) {
                self.streaks.advance(ts, None, out);
            }
            out.append(&mut rows);
            return Ok(());
        }
        let named = envelope::unwrap(v)?;
        let live = connector::decode(
            &named,
            line,
            self.default_creator.as_deref(),
            self.streaks.now(),
        )?;
        match live {
            Live::Gift(g) => self.streaks.gift(g, out),
            Live::Event(ev) => {
                self.streaks.advance(ev.ts, None, out);
                out.push(Item {
                    line,
                    what: Decoded::Event(ev),
                });
            }
            Live::Skipped(name, ts) => {
                if let Some(ts) = ts {
                    self.streaks.advance(ts, None, out);
                }
                out.push(Item {
                    line,
                    what: Decoded::Skipped(name),
                });
            }
        }
        Ok(())
    }

    /// End of input: streaks still open will never see their end.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        self.streaks.finish(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{DecodeOptions, decode_str};
    use crate::model::{Event, Kind};

    fn decode(text: &str, opts: DecodeOptions) -> Vec<Item> {
        decode_str(text, opts)
    }

    fn events(items: &[Item]) -> Vec<&Event> {
        items
            .iter()
            .filter_map(|i| match &i.what {
                Decoded::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn rejected(items: &[Item]) -> Vec<(u64, &str)> {
        items
            .iter()
            .filter_map(|i| match &i.what {
                Decoded::Rejected(r) => Some((i.line, r.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn envelope_and_flat_decode_alike() {
        let flat = r#"{"__event":"gift","giftId":5655,"repeatCount":3,"repeatEnd":true,"groupId":"9","userId":"1","msgId":"m","createTime":"1700000000000","giftType":1,"diamondCount":1,"giftName":"Rose","receiverUserId":"77"}"#;
        let env = r#"{"event":"gift","data":{"giftId":5655,"repeatCount":3,"repeatEnd":true,"groupId":"9","userId":"1","msgId":"m","createTime":"1700000000000","giftType":1,"diamondCount":1,"giftName":"Rose","receiverUserId":"77"}}"#;
        let a = decode(flat, DecodeOptions::default());
        let b = decode(env, DecodeOptions::default());
        assert_eq!(a, b);
        let e = events(&a);
        assert_eq!(
            (e[0].qty, e[0].diamonds, e[0].creator.as_deref()),
            (3, 3, Some("77"))
        );
    }

    #[test]
    fn python_streak_without_repeat_end_times_out_by_event_time() {
        let text = [
            r#"{"type":"GiftEvent","common":{"msgId":"1","roomId":"R","createTime":"1700000000000"},"giftId":"5655","repeatCount":2,"groupId":"9","user":{"id":"1"},"gift":{"id":"5655","name":"Rose","type":1,"diamondCount":1}}"#,
            r#"{"type":"LikeEvent","common":{"msgId":"2","roomId":"R","createTime":"1700000030000"},"count":5}"#,
            r#"{"type":"LikeEvent","common":{"msgId":"3","roomId":"R","createTime":"1700000060001"},"count":5}"#,
        ]
        .join("\n");
        let opts = DecodeOptions {
            streak_timeout_ms: 60_000,
            ..DecodeOptions::default()
        };
        let items = decode(&text, opts);
        let ev = events(&items);
        assert_eq!(ev.len(), 3);
        // closed when line 3 moved the clock past 0 + 60 s, before line 3's own event
        assert_eq!(
            (ev[1].kind, ev[1].qty, ev[1].streak_timed_out),
            (Kind::Gift, 2, true)
        );
        assert_eq!(ev[1].ts, 1_700_000_000_000);
        assert_eq!(items[1].line, 1);
    }

    #[test]
    fn finish_closes_what_is_open() {
        let text = r#"{"__event":"gift","giftId":1,"repeatCount":4,"repeatEnd":false,"groupId":"9","userId":"1","createTime":"1700000000000","giftType":1,"diamondCount":10}"#;
        let items = decode(text, DecodeOptions::default());
        let ev = events(&items);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            (ev[0].qty, ev[0].diamonds, ev[0].streak_timed_out),
            (4, 40, true)
        );
        assert_eq!(ev[0].item.as_deref(), Some("gift 1"));
    }

    #[test]
    fn unknown_and_weird_shapes_are_rejected_with_reasons() {
        let text = [
            r#"{"hello":"world"}"#,
            r#"{"event":"gift","data":[1,2]}"#,
            r#"{"__event":"gift","giftId":1}"#,
            r#"[1,2,3]"#,
            r#"null"#,
            r#"{"__event":"chat","comment":"hi","createTime":"1700000000000"}"#,
        ]
        .join("\n");
        let items = decode(&text, DecodeOptions::default());
        let r = rejected(&items);
        assert_eq!(r.len(), 5, "{items:?}");
        assert!(r[0].1.contains("no known feed shape"));
        assert!(r[1].1.contains("not an object"));
        assert!(r[2].1.contains("createTime"));
        assert!(items.contains(&Item {
            line: 6,
            what: Decoded::Skipped("chat".into())
        }));
    }

    #[test]
    fn adapter_rejects_non_objects_itself() {
        let mut st = AdapterState::new(&DecodeOptions::default());
        let mut out = Vec::new();
        for v in [
            serde_json::json!([]),
            serde_json::json!(null),
            serde_json::json!("gift"),
        ] {
            assert!(st.decode(&v, 1, &mut out).is_err());
        }
        assert!(out.is_empty());
    }

    #[test]
    fn default_creator_applies_when_the_record_names_none() {
        let text = r#"{"__event":"member","userId":"5","createTime":"1700000000000","msgId":"j"}"#;
        let opts = DecodeOptions {
            default_creator: Some("alice".into()),
            ..DecodeOptions::default()
        };
        let items = decode(text, opts);
        assert_eq!(events(&items)[0].creator.as_deref(), Some("alice"));
        let items = decode(text, DecodeOptions::default());
        assert_eq!(events(&items)[0].creator.as_deref(), Some("unknown"));
    }
}
