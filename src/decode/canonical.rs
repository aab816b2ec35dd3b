//! Turning the raw text of canonical fields into an `Event`.

use super::fields::{Field, FieldMap, Fields, Nicknames};
use super::values::{clip, parse_amount, parse_count, parse_ts};
use super::{Decoded, Item};
use crate::model::{Currency, Event, Kind, OrderStatus};

/// The event of one record's fields (or why it is skipped or rejected),
/// appended to `out` as the item of input line `line` and built where it
/// stays: an event returned by value was copied three times on its way
/// into the batch.
pub fn push_record(raw: &impl Fields, map: &FieldMap, line: u64, out: &mut Vec<Item>) {
    out.push(Item {
        line,
        what: Decoded::Event(Event::new(0, Kind::Join)),
    });
    let Some(Item { what, .. }) = out.last_mut() else {
        return;
    };
    let Decoded::Event(ev) = what else {
        return;
    };
    match fill_event(raw, map, ev) {
        Ok(None) => {}
        Ok(Some(kind)) => *what = Decoded::Skipped(kind),
        Err(reason) => *what = Decoded::Rejected(reason),
    }
}

/// Fills `ev` (fresh from `Event::new`) from the fields; `Some(kind)` for a
/// kind livetally does not aggregate.
fn fill_event(raw: &impl Fields, map: &FieldMap, ev: &mut Event) -> Result<Option<String>, String> {
    let kind_text = raw
        .get(Field::Kind)
        .or(map.constant_kind.as_deref())
        .ok_or("missing kind")?;
    let ts = parse_ts(raw.get(Field::Ts).ok_or("missing ts")?)?;
    let Some(kind) = Kind::parse(kind_text) else {
        return Ok(Some(clip(kind_text)));
    };
    ev.ts = ts;
    ev.kind = kind;
    let text = |f: Field| raw.get(f).map(crate::model::Text::from);
    ev.creator = text(Field::Creator);
    ev.user = text(Field::User);
    ev.item = text(Field::Item);
    ev.order_id = text(Field::OrderId);
    ev.event_id = text(Field::EventId);
    if let Some(q) = raw.get(Field::Qty) {
        ev.qty = parse_count("qty", q)?;
    }
    if let Some(d) = raw.get(Field::Diamonds) {
        ev.diamonds = parse_count("diamonds", d)?;
    }
    if let Some(a) = raw.get(Field::Amount) {
        ev.amount = Some(parse_amount(a)?);
    }
    if let Some(c) = raw.get(Field::Currency) {
        ev.currency =
            Some(Currency::parse(c).ok_or_else(|| format!("bad currency {:?}", clip(c)))?);
    }
    if let Some(s) = raw.get(Field::Status) {
        ev.status =
            Some(OrderStatus::parse(s).ok_or_else(|| format!("unknown status {:?}", clip(s)))?);
    }
    let nickname = match map.nicknames {
        Nicknames::All => true,
        Nicknames::Notable { big_gift } => match kind {
            Kind::Order => true,
            Kind::Gift => ev.diamonds >= big_gift,
            _ => false,
        },
        Nicknames::None => false,
    };
    if nickname {
        ev.nickname = text(Field::Nickname);
    }
    Ok(None)
}
