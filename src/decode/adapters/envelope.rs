//! Where a record keeps its event name: under a key of its own (`__event`
//! in connector dumps, `type` in TikTokLive dumps) or in an envelope
//! `{"event": "gift", "data": {...}}` (TikFinity's websocket, chat-reader
//! relays). Raw dumps with no name at all are recognised by their shape.

use super::pick::first;
use crate::decode::values::clip;
use serde_json::Value;

/// Keys that may hold the event name, most specific first. `event` is
/// only a name when it is a string: connector v2.0 uses an `event` object
/// for `{msgId, createTime}`.
const NAME_KEYS: [&str; 3] = ["__event", "event", "type"];

pub struct Named<'a> {
    /// As written, for messages and skipped counts.
    pub name: String,
    pub body: &'a Value,
}

pub fn unwrap(v: &Value) -> Result<Named<'_>, String> {
    let name = NAME_KEYS
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (name, v.get("data")) {
        (Some(name), Some(data)) => {
            if !data.is_object() {
                return Err(format!(
                    "envelope {:?} has data that is not an object",
                    clip(name)
                ));
            }
            Ok(Named {
                name: name.to_string(),
                body: data,
            })
        }
        (Some(name), None) => Ok(Named {
            name: name.to_string(),
            body: v,
        }),
        (None, _) => match infer(v) {
            Some(name) => Ok(Named {
                name: name.to_string(),
                body: v,
            }),
            None => Err("JSON object has no \"kind\" and is no known feed shape".into()),
        },
    }
}

/// Fields only one event type carries, for dumps that wrote the payload alone.
fn infer(v: &Value) -> Option<&'static str> {
    if first(v, &["giftId", "giftDetails"]).is_some() || v.get("gift").is_some_and(Value::is_object)
    {
        Some("gift")
    } else if v.get("likeCount").is_some() {
        Some("like")
    } else if v.get("viewerCount").is_some() {
        Some("roomUser")
    } else if v.get("comment").is_some() {
        Some("chat")
    } else {
        None
    }
}

/// `GiftEvent`, `WebcastGiftMessage`, `gift` and `Gift` all name one thing.
pub fn normalize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if let Some(rest) = s.strip_prefix("webcast") {
        s = rest.to_string();
    }
    for suffix in ["message", "event"] {
        if let Some(rest) = s.strip_suffix(suffix)
            && !rest.is_empty()
        {
            s = rest.to_string();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_normalize() {
        assert_eq!(normalize("GiftEvent"), "gift");
        assert_eq!(normalize("WebcastGiftMessage"), "gift");
        assert_eq!(normalize("roomUser"), "roomuser");
        assert_eq!(normalize("RoomUserSeqEvent"), "roomuserseq");
        assert_eq!(normalize("event"), "event");
    }

    #[test]
    fn envelope_unwraps_data() {
        let v = json!({"event": "gift", "data": {"giftId": 1}});
        let n = unwrap(&v).unwrap();
        assert_eq!(n.name, "gift");
        assert_eq!(n.body, &json!({"giftId": 1}));
    }

    #[test]
    fn event_object_is_not_a_name() {
        let v = json!({"event": {"msgId": "1"}, "giftId": 5});
        assert_eq!(unwrap(&v).unwrap().name, "gift");
        let v = json!({"event": {"msgId": "1"}, "__event": "like"});
        assert_eq!(unwrap(&v).unwrap().name, "like");
    }

    #[test]
    fn envelope_with_bad_data_is_rejected() {
        for data in [json!(null), json!([1, 2]), json!("gift")] {
            let v = json!({"event": "gift", "data": data});
            let err = unwrap(&v).err().unwrap_or_default();
            assert!(err.contains("not an object"), "{err}");
        }
    }

    #[test]
    fn unknown_shape_is_rejected() {
        assert!(unwrap(&json!({"foo": 1})).is_err());
        assert!(unwrap(&json!({"event": 3})).is_err());
    }
}
