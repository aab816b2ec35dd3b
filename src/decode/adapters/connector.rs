//! TikTok LIVE records from TikTok-Live-Connector (v1 flat objects, v2.0
//! nested `event`/`giftDetails`, v2.3+ proto v3 `common`/`user`/`gift`)
//! and TikTokLive (Python) `to_json()` dumps, which are proto v3 JSON with
//! default values left out. One reader serves all of them: each field is
//! looked up under every name a generation gave it.

use super::envelope::{Named, normalize};
use super::pick::{first_count, first_flag, first_id, first_text, first_time};
use super::streaks::GiftRecord;
use crate::decode::values::clip;
use crate::model::{Event, Kind, TsMs};
use serde_json::Value;

const TS: [&str; 4] = [
    "common.createTime",
    "event.createTime",
    "createTime",
    "timestamp",
];
const MSG_ID: [&str; 3] = ["common.msgId", "event.msgId", "msgId"];
/// Numeric ids before handles: handles can be changed by their owner.
const USER: [&str; 6] = [
    "user.id",
    "user.userId",
    "userId",
    "user.displayId",
    "user.uniqueId",
    "uniqueId",
];
const NICKNAME: [&str; 2] = ["user.nickname", "nickname"];
/// The room first, so joins, likes and gifts of one LIVE share a creator;
/// v1 records carry no room, only a gift's receiver.
const CREATOR: [&str; 8] = [
    "common.roomId",
    "roomId",
    "event.roomId",
    "receiverUserId",
    "toUser.id",
    "toUser.userId",
    "toUser.displayId",
    "toUser.uniqueId",
];

/// What one connector record becomes.
#[derive(Debug)]
pub enum Live {
    Event(Event),
    Gift(GiftRecord),
    /// An event livetally does not aggregate, with its time when it has one
    /// (the feed's clock still moves on a chat message).
    Skipped(String, Option<TsMs>),
}

pub fn decode(
    named: &Named<'_>,
    line: u64,
    default_creator: Option<&str>,
    clock: Option<TsMs>,
) -> Result<Live, String> {
    let body = named.body;
    let ts = first_time(body, &TS)?;
    let kind = match normalize(&named.name).as_str() {
        "gift" => return gift(body, line, ts, default_creator).map(Live::Gift),
        "like" => Kind::Like,
        "member" | "join" => Kind::Join,
        "follow" => Kind::Follow,
        "share" => Kind::Share,
        "social" => match social_kind(body) {
            Some(k) => k,
            None => return Ok(Live::Skipped(clip(&named.name), ts)),
        },
        "roomuser" | "roomuserseq" | "viewers" | "viewercount" => Kind::Viewers,
        _ => return Ok(Live::Skipped(clip(&named.name), ts)),
    };
    let qty = match kind {
        Kind::Like => first_count(body, &["likeCount", "count"], "likeCount")?.unwrap_or(1),
        Kind::Viewers => match first_count(body, &["viewerCount", "total"], "viewerCount")? {
            Some(n) => n,
            // A missing count is not zero viewers: it may be a shape we
            // do not know, and a zero would overwrite the live figure.
            None => return Ok(Live::Skipped(clip(&named.name), ts)),
        },
        _ => 1,
    };
    // v1 room-user records carry no time of their own: they are periodic
    // snapshots, so they take the feed's latest time.
    // Before any timed event there is no time to give them: not an error
    // in the data, so skipped rather than rejected.
    let ts = match (ts, kind, clock) {
        (Some(ts), _, _) => ts,
        (None, Kind::Viewers, Some(now)) => now,
        (None, Kind::Viewers, None) => {
            let why = format!("{} before any timed event", clip(&named.name));
            return Ok(Live::Skipped(why, None));
        }
        (None, _, _) => return Err(format!("{} record without createTime", clip(&named.name))),
    };
    let mut ev = Event::new(ts, kind);
    ev.qty = qty;
    ev.event_id = first_id(body, &MSG_ID).map(Into::into);
    ev.user = first_id(body, &USER).map(Into::into);
    ev.nickname = first_text(body, &NICKNAME).map(Into::into);
    ev.creator = Some(creator(body, default_creator).into());
    Ok(Live::Event(ev))
}

fn creator(body: &Value, default_creator: Option<&str>) -> String {
    first_id(body, &CREATOR)
        .or_else(|| default_creator.map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

/// v1 `social` carries follows and shares, told apart by `displayType`
/// (`pm_main_follow_message_viewer_2`, `pm_mt_guidance_share`).
fn social_kind(body: &Value) -> Option<Kind> {
    let t = first_text(
        body,
        &[
            "displayType",
            "common.displayText.displayType",
            "common.displayText.key",
            "label",
        ],
    )?
    .to_ascii_lowercase();
    if t.contains("follow") {
        Some(Kind::Follow)
    } else if t.contains("share") {
        Some(Kind::Share)
    } else {
        None
    }
}

fn gift(
    body: &Value,
    line: u64,
    ts: Option<TsMs>,
    default_creator: Option<&str>,
) -> Result<GiftRecord, String> {
    let ts = ts.ok_or("gift without createTime")?;
    let gift_id = first_id(
        body,
        &["giftId", "gift.id", "giftDetails.id", "gift.gift_id"],
    )
    .ok_or("gift without giftId")?;
    let item = first_text(
        body,
        &[
            "giftName",
            "gift.name",
            "giftDetails.giftName",
            "extendedGiftInfo.name",
        ],
    )
    .unwrap_or_else(|| format!("gift {gift_id}"));
    // Protobuf JSON leaves out zeros: no type is type 0, which does not streak.
    let gift_type = first_count(
        body,
        &[
            "giftType",
            "gift.type",
            "giftDetails.giftType",
            "gift.gift_type",
        ],
        "giftType",
    )?
    .unwrap_or(0);
    let diamonds_each = first_count(
        body,
        &[
            "diamondCount",
            "gift.diamondCount",
            "giftDetails.diamondCount",
        ],
        "diamondCount",
    )?
    .unwrap_or(0);
    // Every gift record stands for at least one gift; a left-out count
    // (protobuf's default 0) cannot mean none were sent.
    let count = first_count(body, &["repeatCount", "gift.repeat_count"], "repeatCount")?
        .unwrap_or(1)
        .max(1);
    // Left out by TikTokLive while a streak runs: absent means not ended.
    let end = first_flag(body, &["repeatEnd", "gift.repeat_end"], "repeatEnd")?.unwrap_or(false);
    Ok(GiftRecord {
        line,
        ts,
        event_id: first_id(body, &MSG_ID),
        creator: creator(body, default_creator),
        user: first_id(body, &USER),
        nickname: first_text(body, &NICKNAME),
        gift_id,
        group: first_id(body, &["groupId", "gift.group_id"]),
        item,
        streakable: gift_type == 1,
        diamonds_each,
        count,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::adapters::envelope::unwrap;
    use serde_json::{Value, json};

    fn live(v: Value) -> Result<Live, String> {
        decode(&unwrap(&v)?, 1, None, None)
    }

    fn gift_of(v: Value) -> GiftRecord {
        match live(v) {
            Ok(Live::Gift(g)) => g,
            other => panic!("not a gift: {other:?}"),
        }
    }

    #[test]
    fn v1_flat_gift() {
        let g = gift_of(
            json!({"giftId":5953,"repeatCount":1,"repeatEnd":true,"groupId":"1661887131074","userId":"6813181309701719620","uniqueId":"zerodytester","nickname":"Zerody Tester","msgId":"7137749190944230150","createTime":"1661887134397","giftType":1,"diamondCount":25,"giftName":"Nevalyashka doll","timestamp":1661887134397i64,"receiverUserId":"7087613897129493510"}),
        );
        assert_eq!(g.ts, 1_661_887_134_397);
        assert_eq!(g.gift_id, "5953");
        assert_eq!(g.user.as_deref(), Some("6813181309701719620"));
        assert_eq!(g.nickname.as_deref(), Some("Zerody Tester"));
        assert_eq!(g.creator, "7087613897129493510");
        assert_eq!(g.event_id.as_deref(), Some("7137749190944230150"));
        assert!(g.streakable && g.end);
        assert_eq!((g.count, g.diamonds_each), (1, 25));
        assert_eq!(g.item, "Nevalyashka doll");
    }

    #[test]
    fn v3_nested_gift_with_numbers_as_strings() {
        let g = gift_of(
            json!({"__event":"gift","common":{"msgId":"7400000000000000001","roomId":"7400000000000000000","createTime":"1718305585123"},"giftId":"5655","repeatCount":"7","repeatEnd":0,"groupId":"1718305580000","user":{"id":"6813181309701719620","displayId":"example.viewer","nickname":"Example Viewer"},"gift":{"id":"5655","name":"Rose","type":"1","diamondCount":"1"}}),
        );
        assert_eq!(g.creator, "7400000000000000000");
        assert_eq!(g.user.as_deref(), Some("6813181309701719620"));
        assert_eq!(
            (g.count, g.diamonds_each, g.end, g.streakable),
            (7, 1, false, true)
        );
        assert_eq!(g.group.as_deref(), Some("1718305580000"));
    }

    #[test]
    fn v2_0_nested_variant() {
        let g = gift_of(
            json!({"event":{"msgId":"9","createTime":"1700000000000"},"giftId":37,"repeatCount":2,"repeatEnd":1,"groupId":"7","user":{"userId":"11","uniqueId":"abc","nickname":"Abc"},"giftDetails":{"giftName":"Panda","giftType":1,"diamondCount":5}}),
        );
        assert_eq!(g.event_id.as_deref(), Some("9"));
        assert_eq!(g.user.as_deref(), Some("11"));
        assert_eq!(
            (g.item.as_str(), g.diamonds_each, g.end),
            ("Panda", 5, true)
        );
    }

    #[test]
    fn ids_as_numbers() {
        let g = gift_of(
            json!({"type":"GiftEvent","common":{"msgId":7400000000000000009u64,"roomId":7400000000000000000u64,"createTime":1718305585200u64},"giftId":5655,"user":{"id":6813181309701719620u64},"gift":{"id":5655,"type":1,"diamondCount":1}}),
        );
        assert_eq!(g.event_id.as_deref(), Some("7400000000000000009"));
        assert_eq!(g.creator, "7400000000000000000");
        assert_eq!(g.user.as_deref(), Some("6813181309701719620"));
    }

    #[test]
    fn python_dump_leaves_out_defaults() {
        let g = gift_of(
            json!({"type":"GiftEvent","common":{"msgId":"2","createTime":"1718305585200"},"giftId":"5655","groupId":"1718305580000","user":{"id":"68"},"gift":{"id":"5655","name":"Rose","type":1,"diamondCount":1}}),
        );
        // no repeatEnd: the streak is running; no repeatCount: one gift
        assert_eq!((g.end, g.count), (false, 1));
        let g = gift_of(
            json!({"type":"GiftEvent","common":{"msgId":"3","createTime":"1718305585200"},"giftId":"6064","user":{"id":"68"},"gift":{"id":"6064","name":"GG","diamondCount":1}}),
        );
        // no type: type 0, counted as it arrives
        assert!(!g.streakable);
        assert_eq!(g.creator, "unknown");
    }

    #[test]
    fn creator_falls_back_to_option_then_unknown() {
        let v = json!({"__event":"like","likeCount":3,"msgId":"1","createTime":"1700000000000"});
        let named = unwrap(&v).unwrap();
        let Ok(Live::Event(e)) = decode(&named, 1, Some("alice"), None) else {
            panic!("like")
        };
        assert_eq!(e.creator.as_deref(), Some("alice"));
        assert_eq!((e.kind, e.qty), (Kind::Like, 3));
        let g = gift_of(
            json!({"giftId":1,"createTime":"1700000000000","toUser":{"id":"0","displayId":"guest.host"}}),
        );
        assert_eq!(g.creator, "guest.host");
    }

    #[test]
    fn other_events() {
        let ev = |v: Value| match live(v) {
            Ok(Live::Event(e)) => (e.kind, e.qty),
            other => panic!("{other:?}"),
        };
        let t = "1718305585200";
        assert_eq!(
            ev(json!({"__event":"roomUser","viewerCount":120,"createTime":t})),
            (Kind::Viewers, 120)
        );
        assert_eq!(
            ev(
                json!({"type":"RoomUserSeqEvent","common":{"createTime":t},"total":"630","totalUser":"4210"})
            ),
            (Kind::Viewers, 630)
        );
        assert_eq!(
            ev(json!({"type":"LikeEvent","common":{"createTime":t},"count":15,"total":900})),
            (Kind::Like, 15)
        );
        assert_eq!(
            ev(json!({"type":"JoinEvent","common":{"createTime":t},"memberCount":51})),
            (Kind::Join, 1)
        );
        assert_eq!(
            ev(json!({"__event":"member","createTime":t,"actionId":1})),
            (Kind::Join, 1)
        );
        assert_eq!(
            ev(
                json!({"__event":"social","createTime":t,"displayType":"pm_main_follow_message_viewer_2"})
            ),
            (Kind::Follow, 1)
        );
        assert_eq!(
            ev(json!({"__event":"social","createTime":t,"displayType":"pm_mt_guidance_share"})),
            (Kind::Share, 1)
        );
        assert_eq!(
            ev(json!({"type":"FollowEvent","common":{"createTime":t}})),
            (Kind::Follow, 1)
        );
        assert!(
            matches!(live(json!({"__event":"social","createTime":t,"displayType":"pm_mt_other"})), Ok(Live::Skipped(n, Some(_))) if n == "social")
        );
        assert!(
            matches!(live(json!({"type":"CommentEvent","comment":"hi"})), Ok(Live::Skipped(n, None)) if n == "CommentEvent")
        );
    }

    #[test]
    fn viewer_snapshot_without_time_uses_the_feed_clock() {
        let v = json!({"__event":"roomUser","viewerCount":120});
        let named = unwrap(&v).unwrap();
        assert!(
            matches!(decode(&named, 1, None, None), Ok(Live::Skipped(n, None)) if n == "roomUser before any timed event")
        );
        let Ok(Live::Event(e)) = decode(&named, 1, None, Some(5_000)) else {
            panic!("viewers")
        };
        assert_eq!(e.ts, 5_000);
        let v = json!({"type":"RoomUserSeqEvent","common":{"createTime":"1718305585200"}});
        assert!(matches!(live(v), Ok(Live::Skipped(_, _))));
    }

    #[test]
    fn bad_records_have_reasons() {
        let err = |v: Value| live(v).err().unwrap_or_default();
        assert!(err(json!({"__event":"gift","createTime":"1700000000000"})).contains("giftId"));
        assert!(err(json!({"__event":"gift","giftId":1})).contains("createTime"));
        assert!(err(json!({"__event":"gift","giftId":1,"createTime":"1700000000000","repeatCount":"lots"})).contains("repeatCount"));
        assert!(err(json!({"__event":"gift","giftId":1,"createTime":"1700000000000","repeatEnd":"perhaps"})).contains("repeatEnd"));
        assert!(err(json!({"__event":"like","createTime":"yesterday"})).contains("bad ts"));
        assert!(
            err(json!({"__event":"like","likeCount":-2,"createTime":"1700000000000"}))
                .contains("negative")
        );
        assert!(err(json!({"__event":"member"})).contains("createTime"));
    }

    #[test]
    fn structures_where_scalars_belong_do_not_panic() {
        for v in [
            json!({"__event":"gift","giftId":[1],"createTime":"1700000000000"}),
            json!({"__event":"gift","giftId":1,"createTime":"1700000000000","user":[],"gift":null,"common":"x","toUser":7}),
            json!({"__event":"gift","giftId":1,"createTime":{"a":1}}),
            json!({"__event":"gift","giftId":1,"createTime":"1700000000000","diamondCount":{}}),
            json!({"__event":"like","createTime":[],"common":[]}),
            json!({"__event":"roomUser","viewerCount":null,"createTime":"1700000000000"}),
        ] {
            let _ = live(v);
        }
    }
}
