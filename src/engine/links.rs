//! Each order's links to its buyer's gifts, kept current at ingest: the
//! creator it is attributed to (the latest gift within W before it) and
//! whether it converts its buyer as a gifter (paid within W after a gift).
//! Because the links live on the orders, a user's gift times are only
//! needed for the horizon plus W (refunds days later still undo exactly what
//! the order counted), and the all-time figures read counters instead of
//! every gift ever sent. An order converts for one creator at most, the one
//! it is attributed to: direct and inferred attribution are never both.

use super::{Engine, HORIZON_SECS, prefetch};
use crate::model::TsMs;

/// 12 bytes instead of 16 (no padding after the creator): a user's gift
/// times are the engine's largest list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub struct GiftMark {
    pub ts: TsMs,
    pub creator: u32,
}

/// One creator a user had events with (in one small list, so an event
/// touches one allocation of its user, not one per purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    pub creator: u32,
    /// Latest event with this creator (`TsMs::MIN`: only gifts without a
    /// creator, counted as "unknown").
    pub seen: TsMs,
    /// First and latest gift to this creator (`TsMs::MAX` / `MIN`: none).
    pub first: TsMs,
    pub last: TsMs,
    /// Net-paid orders attributed to this creator and paid within W after
    /// a gift of the user to this creator.
    pub conv: u32,
}

impl Room {
    fn new(creator: u32) -> Room {
        Room {
            creator,
            seen: TsMs::MIN,
            first: TsMs::MAX,
            last: TsMs::MIN,
            conv: 0,
        }
    }

    pub fn gifted(&self) -> bool {
        self.first != TsMs::MAX
    }
}

/// One user's state, 96 bytes aligned to 32, so always in exactly two
/// cache lines: with 200k users each event's user is a cache miss, and at
/// 104 bytes packed a user straddled two or three lines. The fields every
/// event reads come first. (Ingest stage, 2M CSV, alternated x3: 0.468-0.497
/// s vs 0.505-0.540 s; 64-byte alignment, 128 bytes, was no faster.)
#[derive(Debug, Clone, Default)]
#[repr(C, align(32))]
pub struct UserState {
    pub last_seen: TsMs,
    last_room: u32,
    /// Net-paid orders paid within W after any gift of the user.
    pub conv_any: u32,
    pub rooms: Vec<Room>,
    /// The user's gifts of the last horizon + W, sorted by time (same-ms
    /// gifts in input order, so "the latest gift" breaks ties like rows do).
    pub gifts: Vec<GiftMark>,
    /// Orders of this user that a gift arriving now could still link to,
    /// as (attribution time, order) sorted: a gift at g links to those with
    /// a time in [g, g + W] (a paid order's attribution time is its paid
    /// time), found by a search even when gifts arrive out of order.
    pub orders: Vec<(TsMs, u32)>,
}

impl super::intern::Prefetch for UserState {
    /// Start loading this state's two cache lines (see `warm`): the first
    /// field is in the first, `orders` (64 bytes in) in the second.
    fn prefetch(&self) {
        prefetch::line(&self.last_seen);
        prefetch::line(&self.orders);
    }
}

impl UserState {
    /// The index of `creator`'s room, added if new. A user's events mostly
    /// go to one room in a row: the last one found is tried first.
    pub fn room(&mut self, creator: u32) -> u32 {
        let last = self.last_room as usize;
        if self.rooms.get(last).is_some_and(|r| r.creator == creator) {
            return self.last_room;
        }
        let i = match self.rooms.iter().position(|r| r.creator == creator) {
            Some(i) => i as u32,
            None => {
                self.rooms.push(Room::new(creator));
                (self.rooms.len() - 1) as u32
            }
        };
        self.last_room = i;
        i
    }

    /// Start loading what ingest will read of this user's lists (its
    /// state must be in cache by now, as it is read here).
    pub fn prefetch_lists(&self) {
        if let Some(r) = self.rooms.get(self.last_room as usize) {
            prefetch::line(r);
        }
        if let Some(g) = self.gifts.last() {
            prefetch::line(g);
        }
        if let Some(o) = self.orders.last() {
            prefetch::line(o);
        }
    }

    fn room_index(&self, creator: u32) -> Option<u32> {
        let i = self.rooms.iter().position(|r| r.creator == creator)?;
        Some(i as u32)
    }

    /// The user's latest gift to `creator` in `[lo, hi]`.
    fn last_gift_to(&self, creator: u32, lo: TsMs, hi: TsMs) -> Option<TsMs> {
        if self.gifts.last().is_none_or(|g| g.ts <= hi) {
            // No gift after `hi` (the usual, in-order case): the room's
            // latest gift answers without a search.
            let i = self.room_index(creator)?;
            let last = self.rooms[i as usize].last;
            return (lo..=hi).contains(&last).then_some(last);
        }
        let start = self.gifts.partition_point(|g| g.ts < lo);
        let range = self.gifts[start..].iter().take_while(|g| g.ts <= hi);
        range.filter(|g| g.creator == creator).last().map(|g| g.ts)
    }

    /// The latest gift in `[lo, hi]`.
    fn last_gift(&self, lo: TsMs, hi: TsMs) -> Option<GiftMark> {
        if let Some(g) = self.gifts.last().filter(|g| g.ts <= hi) {
            // the usual, in-order case: no search
            return (g.ts >= lo).then_some(*g);
        }
        let end = self.gifts.partition_point(|g| g.ts <= hi);
        self.gifts[..end].last().filter(|g| g.ts >= lo).copied()
    }

    /// The room whose `conv` a net-paid order counts in: its named creator's
    /// if a gift to it precedes the payment by at most W, else the creator
    /// of its inferred attribution (a gift within W by definition).
    fn converted_room(&self, l: &Link) -> Option<u32> {
        l.paid?;
        match l.names {
            Some(n) => l.named_last.and_then(|_| self.room_index(n)),
            None => l.attr.and_then(|a| self.room_index(a.creator)),
        }
    }

    /// Add (`sign` 1) or take back (-1) what a link counts.
    fn count(&mut self, l: &Link, sign: i32) {
        // a paid order's attribution time is its paid time: a gift within
        // W before paying is exactly an inferred attribution
        if l.paid.is_some() && l.attr.is_some() {
            self.conv_any = self.conv_any.saturating_add_signed(sign);
        }
        if let Some(r) = l.room.and_then(|i| self.rooms.get_mut(i as usize)) {
            r.conv = r.conv.saturating_add_signed(sign);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub user: u32,
    /// Attribution time: when first paid, else the latest row.
    pub at: TsMs,
    /// The user's latest gift in `[at - W, at]`.
    pub attr: Option<GiftMark>,
    /// Paid time while the order is net paid.
    pub paid: Option<TsMs>,
    /// The creator the order names, if any.
    pub names: Option<u32>,
    /// The latest gift to `names` in `[paid - W, paid]`.
    pub named_last: Option<TsMs>,
    /// The room whose `conv` this order counts in (see `converted_room`).
    pub room: Option<u32>,
    /// In its user's `orders` list (the sweep takes old orders out).
    pub listed: bool,
}

/// What an order's links depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkKey {
    pub user: Option<u32>,
    pub at: TsMs,
    pub paid: Option<TsMs>,
    pub names: Option<u32>,
}

/// `v.partition_point(below)`, found from the end: probes 1, 2, 4, ...
/// places back, then searches between the last two. A user's orders are
/// kept in time order and a row mostly concerns a recent one, so this
/// reads the list's hot end where a binary search starts in its cold middle
/// (those searches were ~5% of the engine's thread on the 10M bench feed).
fn partition_from_end<T>(v: &[T], below: impl Fn(&T) -> bool) -> usize {
    let mut hi = v.len();
    let mut step = 1;
    while hi > 0 {
        let i = hi.saturating_sub(step);
        if v.get(i).is_some_and(&below) {
            return i + 1 + v.get(i + 1..hi).map_or(0, |s| s.partition_point(&below));
        }
        hi = i;
        step *= 2;
    }
    0
}

impl Engine {
    /// Gift times older than this behind `now` are dropped: every row inside
    /// the horizon still finds the gifts within W before it.
    pub(super) fn retain_ms(&self) -> i64 {
        (HORIZON_SECS * 1000).saturating_add(self.cfg.attribution_window_ms)
    }

    /// Re-link order `oid` after a row changed it to `key`. Links are
    /// recomputed only when what they depend on changed: a repeated row of
    /// an old order keeps links whose gifts have been dropped since.
    pub(super) fn relink(&mut self, oid: u32, key: LinkKey) {
        let w = self.cfg.attribution_window_ms;
        let old = self.orders.get_mut(oid).link.take();
        let same_user = old.as_ref().is_some_and(|l| Some(l.user) == key.user);
        let mut listed = false;
        if let Some(l) = &old {
            let user = self.users.get_mut(l.user);
            user.count(l, -1);
            if l.listed {
                if same_user && l.at == key.at {
                    listed = true;
                } else {
                    let i = partition_from_end(&user.orders, |e| *e < (l.at, oid));
                    if user.orders.get(i) == Some(&(l.at, oid)) {
                        user.orders.remove(i);
                    }
                }
            }
        }
        let Some(u) = key.user else { return };
        let mut link = match old {
            Some(l) if same_user => l,
            _ => Link {
                user: u,
                at: key.at,
                attr: None,
                paid: None,
                names: None,
                named_last: None,
                room: None,
                listed: false,
            },
        };
        let user = self.users.get_mut(u);
        if !listed {
            let i = partition_from_end(&user.orders, |e| *e < (key.at, oid));
            user.orders.insert(i, (key.at, oid));
        }
        link.listed = true;
        if !same_user || link.at != key.at {
            link.at = key.at;
            link.attr = user.last_gift(key.at.saturating_sub(w), key.at);
        }
        if !same_user || link.paid != key.paid || link.names != key.names {
            link.paid = key.paid;
            link.names = key.names;
            link.named_last = match (key.paid, key.names) {
                (Some(p), Some(n)) => user.last_gift_to(n, p.saturating_sub(w), p),
                _ => None,
            };
        }
        link.room = user.converted_room(&link);
        user.count(&link, 1);
        self.orders.get_mut(oid).link = Some(link);
    }

    /// Record user `u`'s gift and link the orders it precedes by at most W
    /// (only a gift no later than one of the user's orders can have any).
    /// Returns the gift's room and the orders whose links it changed, with
    /// what their links counted before.
    pub(super) fn link_gift(
        &mut self,
        u: u32,
        mark: GiftMark,
    ) -> (u32, Vec<(u32, super::windowed::LinkVals)>) {
        let w = self.cfg.attribution_window_ms;
        let user = self.users.get_mut(u);
        if user.gifts.len() == user.gifts.capacity() {
            // grow by half rather than double: less idle capacity in the
            // largest per-user list
            let more = (user.gifts.len() / 2).max(4);
            user.gifts.reserve_exact(more);
        }
        match user.gifts.last() {
            Some(last) if last.ts > mark.ts => {
                let i = user.gifts.partition_point(|m| m.ts <= mark.ts);
                user.gifts.insert(i, mark);
            }
            _ => user.gifts.push(mark),
        }
        let gi = user.room(mark.creator);
        let g = &mut user.rooms[gi as usize];
        g.first = g.first.min(mark.ts);
        g.last = g.last.max(mark.ts);
        let mut touched = Vec::new();
        if user.orders.last().is_none_or(|&(at, _)| at < mark.ts) {
            return (gi, touched); // the usual, in-order case: no order at or after it
        }
        let start = partition_from_end(&user.orders, |&(at, _)| at < mark.ts);
        let reaches = |t: TsMs| mark.ts <= t && t.saturating_sub(w) <= mark.ts;
        let orders = std::mem::take(&mut user.orders);
        let until = mark.ts.saturating_add(w);
        for &(_, oid) in orders[start..].iter().take_while(|&&(at, _)| at <= until) {
            let Some(l) = self.orders.get_mut(oid).link.as_mut() else {
                continue;
            };
            let attr = reaches(l.at) && l.attr.is_none_or(|a| a.ts <= mark.ts);
            let named = l.names == Some(mark.creator) && l.paid.is_some_and(reaches);
            if !attr && !named {
                continue;
            }
            touched.push((oid, super::windowed::link_vals(Some(l))));
            user.count(l, -1);
            if attr {
                l.attr = Some(mark);
            }
            if named {
                l.named_last = Some(l.named_last.map_or(mark.ts, |t| t.max(mark.ts)));
            }
            l.room = user.converted_room(l);
            user.count(l, 1);
        }
        user.orders = orders;
        (gi, touched)
    }

    /// Drop gift times and order links no row inside the horizon can reach.
    pub(super) fn sweep(&mut self) {
        let Some(now) = self.now else { return };
        let cut = now.saturating_sub(self.retain_ms());
        let orders = &mut self.orders;
        for (_, _, user) in self.users.iter_mut() {
            let old = user.gifts.partition_point(|g| g.ts < cut);
            if old > 0 {
                user.gifts.drain(..old);
                if user.gifts.capacity() > 4 * user.gifts.len().max(4) {
                    user.gifts.shrink_to_fit();
                }
            }
            let old = user.orders.partition_point(|&(at, _)| at < cut);
            for (_, oid) in user.orders.drain(..old) {
                if let Some(l) = orders.get_mut(oid).link.as_mut() {
                    l.listed = false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{UserState, partition_from_end};

    /// Two whole cache lines per user, never three.
    #[test]
    fn a_user_is_96_bytes_on_a_32_byte_boundary() {
        assert_eq!(std::mem::size_of::<UserState>(), 96);
        assert_eq!(std::mem::align_of::<UserState>(), 32);
    }

    /// The partition point of every sorted list up to 70 long (with
    /// repeats), for every cut: the binary search's answer.
    #[test]
    fn partition_from_end_is_partition_point() {
        for n in 0..70usize {
            let v: Vec<usize> = (0..n).map(|i| i / 3).collect();
            for cut in 0..=n / 3 + 1 {
                assert_eq!(
                    partition_from_end(&v, |&x| x < cut),
                    v.partition_point(|&x| x < cut),
                    "n {n} cut {cut}"
                );
            }
        }
    }
}
