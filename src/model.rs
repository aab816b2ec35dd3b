//! The canonical event every decoder produces and the engine consumes.

use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
pub type TsMs = i64;

/// Money is kept in ten-thousandths of the currency unit so that sums of
/// decimal amounts stay exact; it is rounded to the currency's minor unit
/// only for display and reports.
pub const MONEY_SCALE: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Gift,
    Order,
    Join,
    Like,
    Follow,
    Share,
    Viewers,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Gift,
        Kind::Order,
        Kind::Join,
        Kind::Like,
        Kind::Follow,
        Kind::Share,
        Kind::Viewers,
    ];

    /// Case-insensitive; `None` for kinds livetally does not know (skipped, not errors).
    pub fn parse(s: &str) -> Option<Kind> {
        // feeds write the lower-case name: matched whole before the
        // case-insensitive search (callgrind: ~100 instructions a line)
        match s.as_bytes() {
            b"gift" => return Some(Kind::Gift),
            b"order" => return Some(Kind::Order),
            b"join" => return Some(Kind::Join),
            _ => {}
        }
        let s = s.trim();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gift => "gift",
            Kind::Order => "order",
            Kind::Join => "join",
            Kind::Like => "like",
            Kind::Follow => "follow",
            Kind::Share => "share",
            Kind::Viewers => "viewers",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OrderStatus {
    #[default]
    Pending,
    Paid,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    /// Canonical names plus TikTok Shop's API and webhook statuses.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        // upper-cased on the stack: the longest name has 19 letters
        let s = s.trim().as_bytes();
        let mut buf = [0u8; 20];
        let up = buf.get_mut(..s.len())?;
        up.copy_from_slice(s);
        up.make_ascii_uppercase();
        Some(match &*up {
            b"PENDING" | b"UNPAID" | b"ON_HOLD" => OrderStatus::Pending,
            b"PAID"
            | b"AWAITING_SHIPMENT"
            | b"AWAITING_COLLECTION"
            | b"PARTIALLY_SHIPPING"
            | b"IN_TRANSIT"
            | b"DELIVERED"
            | b"COMPLETED" => OrderStatus::Paid,
            b"CANCELLED" | b"CANCELED" | b"CANCEL" => OrderStatus::Cancelled,
            b"REFUNDED" => OrderStatus::Refunded,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }
}

/// ISO 4217 code, stored inline so events stay cheap to copy.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Orders without a currency are counted in USD.
impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(s: &str) -> Option<Currency> {
        let b = s.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        Some(Currency([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point in the currency's minor unit (ISO 4217).
    pub fn minor_digits(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" | b"UGX" | b"PYG" | b"XAF" | b"XOF" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" | b"IQD" | b"LYD" => 3,
            _ => 2,
        }
    }

    pub fn symbol(&self) -> Option<&'static str> {
        Some(match &self.0 {
            b"USD" => "$",
            b"EUR" => "€",
            b"GBP" => "£",
            b"JPY" => "¥",
            b"KRW" => "₩",
            b"INR" => "₹",
            b"VND" => "₫",
            b"PHP" => "₱",
            b"THB" => "฿",
            _ => return None,
        })
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Feed text: names and ids are short, so they are kept inline (up to 24
/// bytes) instead of costing an allocation each, per event.
pub type Text = compact_str::CompactString;

/// One decoded feed event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub ts: TsMs,
    pub kind: Kind,
    pub creator: Option<Text>,
    pub user: Option<Text>,
    /// Display name when the feed carries one separate from the id.
    pub nickname: Option<Text>,
    pub item: Option<Text>,
    pub qty: i64,
    pub diamonds: i64,
    /// Order total in `MONEY_SCALE` units of `currency`.
    pub amount: Option<i64>,
    pub currency: Option<Currency>,
    pub order_id: Option<Text>,
    pub status: Option<OrderStatus>,
    pub event_id: Option<Text>,
    /// A gift streak closed by timeout because its end never arrived.
    pub streak_timed_out: bool,
    /// The reading thread's own numbers for `creator` and, on a gift,
    /// `item` (`source::names`), 0 where it gave none: the engine looks a
    /// numbered name up once, then finds its id by the number.
    pub creator_ix: u32,
    pub item_ix: u32,
}

impl Event {
    pub fn new(ts: TsMs, kind: Kind) -> Event {
        Event {
            ts,
            kind,
            creator: None,
            user: None,
            nickname: None,
            item: None,
            qty: 1,
            diamonds: 0,
            amount: None,
            currency: None,
            order_id: None,
            status: None,
            event_id: None,
            streak_timed_out: false,
            creator_ix: 0,
            item_ix: 0,
        }
    }
}

/// Round a `MONEY_SCALE` amount to the currency's minor unit (half away from zero)
/// and return it as a decimal string, e.g. `21.58`.
pub fn money_to_string(amount: i64, cur: Currency) -> String {
    let digits = cur.minor_digits();
    let step = MONEY_SCALE / 10_i64.pow(digits);
    let rounded = round_div(amount, step);
    let unit = 10_i64.pow(digits);
    let sign = if rounded < 0 { "-" } else { "" };
    let abs = rounded.unsigned_abs();
    let whole = abs / unit as u64;
    let frac = abs % unit as u64;
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = digits as usize)
    }
}

/// Rounded to the minor unit, as a float for JSON output.
pub fn money_to_f64(amount: i64, cur: Currency) -> f64 {
    money_to_string(amount, cur).parse().unwrap_or(0.0)
}

fn round_div(a: i64, b: i64) -> i64 {
    if b <= 1 {
        return a;
    }
    let q = a / b;
    let r = a % b;
    if r.abs() * 2 >= b { q + a.signum() } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_to_minor_unit() {
        assert_eq!(money_to_string(215_800, Currency::USD), "21.58");
        assert_eq!(money_to_string(215_850, Currency::USD), "21.59");
        assert_eq!(money_to_string(215_849, Currency::USD), "21.58");
        assert_eq!(money_to_string(-5_000, Currency::USD), "-0.50");
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(money_to_string(12_345_000, jpy), "1235");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(money_to_string(12_345, kwd), "1.235");
    }

    #[test]
    fn statuses_map_tiktok_shop_names() {
        assert_eq!(OrderStatus::parse("ON_HOLD"), Some(OrderStatus::Pending));
        assert_eq!(OrderStatus::parse("in_transit"), Some(OrderStatus::Paid));
        assert_eq!(OrderStatus::parse("CANCEL"), Some(OrderStatus::Cancelled));
        assert_eq!(OrderStatus::parse("shipped?"), None);
        // the longest name, spaces around it, and names longer than any
        assert_eq!(
            OrderStatus::parse(" Awaiting_Collection "),
            Some(OrderStatus::Paid)
        );
        assert_eq!(OrderStatus::parse("AWAITING_COLLECTIONS"), None);
        assert_eq!(OrderStatus::parse(&"PAID".repeat(40)), None);
        assert_eq!(OrderStatus::parse("refundéd"), None);
        assert_eq!(OrderStatus::parse(""), None);
        assert_eq!(Kind::parse(" GIFT "), Some(Kind::Gift));
        assert_eq!(Kind::parse("comment"), None);
    }
}
