//! Turning the raw text of canonical fields into an `Event`.

use super::fields::{Field, RawFields};
use super::values::{clip, parse_amount, parse_count, parse_ts};
use crate::model::{Currency, Event, Kind, OrderStatus};

/// What one record decodes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Event(Event),
    /// A kind livetally does not aggregate (comments, ...): counted, not an error.
    Skipped(String),
}

pub fn build_event(raw: &RawFields<'_>, constant_kind: Option<&str>) -> Result<Record, String> {
    let kind_text = raw
        .get(Field::Kind)
        .or(constant_kind)
        .ok_or("missing kind")?;
    let ts = parse_ts(raw.get(Field::Ts).ok_or("missing ts")?)?;
    let Some(kind) = Kind::parse(kind_text) else {
        return Ok(Record::Skipped(clip(kind_text)));
    };
    let mut ev = Event::new(ts, kind);
    let text = |f: Field| raw.get(f).map(crate::model::Text::from);
    ev.creator = text(Field::Creator);
    ev.user = text(Field::User);
    ev.nickname = text(Field::Nickname);
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
    Ok(Record::Event(ev))
}
