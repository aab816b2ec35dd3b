//! Keeping the window index (`window`) current from the engine's state,
//! and reading a windowed snapshot's user and order figures from it.

use super::links::Link;
use super::snapshot::{OrderFigures, Parts, TopProduct};
use super::window::{self, NONE, OrderPart};
use super::{Engine, sec};
use crate::model::TsMs;
use std::collections::BTreeMap;

fn key(ts: Option<TsMs>) -> i64 {
    ts.map_or(NONE, sec)
}

/// What one order's link adds to its user's keys (while net paid).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LinkVals {
    paid: i64,
    attr: i64,
    /// The room it converts in and the second of the converting gift.
    conv: Option<(u32, i64)>,
}

const NO_LINK: LinkVals = LinkVals {
    paid: NONE,
    attr: NONE,
    conv: None,
};

pub(super) fn link_vals(l: Option<&Link>) -> LinkVals {
    let Some(l) = l else { return NO_LINK };
    let Some(p) = l.paid else { return NO_LINK };
    let gift = match l.names {
        Some(_) => l.named_last,
        None => l.attr.map(|a| a.ts),
    };
    LinkVals {
        paid: sec(p),
        attr: key(l.attr.map(|a| a.ts)),
        conv: l.room.zip(gift).map(|(r, g)| (r, sec(g))),
    }
}

impl Engine {
    pub fn has_window_index(&self) -> bool {
        self.windex.is_some()
    }

    /// Keep the window index (built from the engine's state, a pass over
    /// users, rooms, orders and the last hour's buckets) or drop it: the
    /// dashboard drops it while catching up with a flood, where scanning
    /// for a view now and then costs less than keeping it per event.
    pub fn set_window_index(&mut self, on: bool) {
        if !on {
            self.windex = None;
            return;
        }
        if self.windex.is_some() {
            return;
        }
        let w = self.cfg.attribution_window_ms;
        let mut x = window::WindowIndex::new(w);
        let Some(now) = self.now else {
            self.windex = Some(x);
            return;
        };
        x.advance(now, &self.creators, &self.gift_items);
        let ring_min = (sec(now) - super::HORIZON_SECS + 1).saturating_mul(1000);
        // gift sums and the seconds each creator and gift name has a bucket in
        for (id, _, k) in self.creators.iter() {
            for (s, b) in k.recent.iter_since(sec(ring_min)) {
                x.add_gift_bucket(*s, id, false, b);
            }
        }
        for (id, _, k) in self.gift_items.iter() {
            for (s, b) in k.recent.iter_since(sec(ring_min)) {
                x.add_gift_bucket(*s, id, true, b);
            }
        }
        // users, their rooms, and the gifts still to become W old (queued in
        // time order)
        let settle_by = now.saturating_sub(w);
        let mut settling = Vec::new();
        for (u, _, st) in self.users.iter() {
            let end = st.gifts.partition_point(|g| g.ts <= settle_by);
            let mut k = x.user_keys(u);
            k.seen = sec(st.last_seen);
            k.gift = key(st.gifts.last().map(|g| g.ts));
            k.settled = key(end.checked_sub(1).map(|i| st.gifts[i].ts));
            x.set_user(u, k);
            settling.extend(st.gifts[end..].iter().map(|g| (g.ts, u)));
            for (i, r) in st.rooms.iter().enumerate() {
                if r.gifted() {
                    x.set_room_gift(u, i as u32, r.creator, sec(r.last));
                }
            }
        }
        settling.sort_unstable();
        for (ts, u) in settling {
            x.settle_later(u, ts, now);
        }
        self.windex = Some(x);
        for u in 0..self.users.len() as u32 {
            self.windex_user_orders(u);
        }
        for oid in 0..self.orders.len() as u32 {
            self.windex_order(oid);
        }
    }

    /// One order of user `u` went from `old` to `new`: raise the user's
    /// keys in place; only when it held a maximum that may fall are all of
    /// the user's orders read again (a refund, an attribution moving away).
    pub(super) fn windex_link_change(&mut self, u: u32, old: LinkVals, new: LinkVals) {
        let Some(x) = self.windex.as_mut() else {
            return;
        };
        if old == new {
            return;
        }
        let k = x.user_keys(u);
        let falls = |had: i64, held: i64, now: i64| had != NONE && had == held && now < had;
        let room_falls = old.conv.is_some_and(|(r, c)| {
            c == x.room_conv_key(u, r) && new.conv.is_none_or(|(r2, c2)| r2 != r || c2 < c)
        });
        if falls(old.paid, k.paid, new.paid) || falls(old.attr, k.attr, new.attr) || room_falls {
            self.windex_user_orders(u);
            return;
        }
        let mut k2 = k;
        k2.paid = k.paid.max(new.paid);
        k2.attr = k.attr.max(new.attr);
        x.set_user(u, k2);
        if let Some((r, c)) = new.conv
            && x.in_ring(c)
            && c > x.room_conv_key(u, r)
        {
            let creator = self.users.get(u).rooms[r as usize].creator;
            x.set_room_conv(u, r, creator, c);
        }
    }

    /// `now` moved forward: slide the windows, settle the gifts now W old.
    pub(super) fn windex_advance(&mut self) {
        let (Some(x), Some(now)) = (self.windex.as_mut(), self.now) else {
            return;
        };
        for (u, ts) in x.advance(now, &self.creators, &self.gift_items) {
            let mut k = x.user_keys(u);
            k.settled = k.settled.max(sec(ts));
            x.set_user(u, k);
        }
    }

    /// The user's latest event and latest gift.
    pub(super) fn windex_seen(&mut self, u: u32) {
        let Some(x) = self.windex.as_mut() else {
            return;
        };
        let st = self.users.get(u);
        let mut k = x.user_keys(u);
        k.seen = sec(st.last_seen);
        k.gift = key(st.gifts.last().map(|g| g.ts));
        x.set_user(u, k);
    }

    /// A gift of user `u` at `ts` to room `room`: the room's latest gift,
    /// and the user's settled gift now or once it is W old.
    pub(super) fn windex_gift(&mut self, u: u32, ts: TsMs, room: u32) {
        let Some(x) = self.windex.as_mut() else {
            return;
        };
        let r = self.users.get(u).rooms[room as usize];
        x.set_room_gift(u, room, r.creator, sec(r.last));
        let settle_by = self
            .now
            .map_or(TsMs::MIN, |n| n.saturating_sub(x.attribution_window_ms()));
        if ts <= settle_by {
            let mut k = x.user_keys(u);
            k.settled = k.settled.max(sec(ts));
            x.set_user(u, k);
        } else {
            x.settle_later(u, ts, self.now.unwrap_or(ts));
        }
    }

    /// Order `oid` changed (a row, its links): its paid second and its part
    /// in its creator's and product's sums.
    pub(super) fn windex_order(&mut self, oid: u32) {
        let Some(x) = self.windex.as_mut() else {
            return;
        };
        let o = self.orders.get(oid);
        let (paid, part) = match o.contribution() {
            Some(c) if c.is_net_paid() => (
                key(c.paid_ts),
                OrderPart {
                    creator: o
                        .creator()
                        .or_else(|| o.link.as_ref().and_then(|l| l.attr).map(|g| g.creator)),
                    item: o.item(),
                    amount: c.amount,
                    currency: c.currency,
                    units: c.units,
                },
            ),
            _ => (NONE, OrderPart::default()),
        };
        x.set_order(oid, paid, part);
    }

    /// What user `u`'s net-paid orders of the horizon make of it: its latest
    /// payment, its latest conversion, and each room's latest conversion.
    pub(super) fn windex_user_orders(&mut self, u: u32) {
        let Some(x) = self.windex.as_mut() else {
            return;
        };
        let st = self.users.get(u);
        let lo = self.now.map_or(TsMs::MIN, |n| {
            (sec(n) - super::HORIZON_SECS + 1).saturating_mul(1000)
        });
        let (mut paid, mut attr) = (NONE, NONE);
        let mut conv = vec![NONE; st.rooms.len()];
        let start = st.orders.partition_point(|&(at, _)| at < lo);
        for &(_, oid) in &st.orders[start..] {
            let Some(l) = &self.orders.get(oid).link else {
                continue;
            };
            let Some(p) = l.paid else { continue };
            paid = paid.max(sec(p));
            if let Some(a) = l.attr {
                attr = attr.max(sec(a.ts));
            }
            let gift = match l.names {
                Some(_) => l.named_last,
                None => l.attr.map(|a| a.ts),
            };
            if let (Some(r), Some(g)) = (l.room, gift)
                && let Some(c) = conv.get_mut(r as usize)
            {
                *c = (*c).max(sec(g));
            }
        }
        let mut k = x.user_keys(u);
        k.paid = paid;
        k.attr = attr;
        x.set_user(u, k);
        for (i, r) in st.rooms.iter().enumerate() {
            let k = if x.in_ring(conv[i]) { conv[i] } else { NONE };
            // most rooms never convert: no node for them
            if k != x.room_conv_key(u, i as u32) {
                x.set_room_conv(u, i as u32, r.creator, k);
            }
        }
    }

    /// A windowed snapshot's user and order figures from the index.
    pub(super) fn indexed_parts(&self, x: &window::WindowIndex, wi: usize, from: TsMs) -> Parts {
        let b = self.recent.sum_since(sec(from));
        let mut of = OrderFigures {
            paid: b.paid.max(0) as u64,
            pending: b.pending.max(0) as u64,
            cancelled: b.cancelled.max(0) as u64,
            refunded: b.refunded.max(0) as u64,
            buyers: x.count(wi, window::BUYERS),
            units: b.units,
            gmv_unknown: b.gmv_unknown.max(0) as u64,
            ..OrderFigures::default()
        };
        for (c, g) in &b.gmv {
            if g.n_net > 0 {
                of.gmv.insert(*c, g.net);
            }
            if g.n_gross > 0 {
                of.gmv_gross.insert(*c, g.gross);
            }
        }
        let mut products: Vec<Option<TopProduct>> = vec![None; self.products.len()];
        for (i, g) in x.product_orders(wi).iter().enumerate() {
            if g.orders > 0
                && let Some(slot) = products.get_mut(i)
            {
                *slot = Some(TopProduct {
                    product: self.products.name(i as u32).to_string(),
                    orders: g.orders as u64,
                    units: g.units,
                    gmv: g.gmv.iter().collect(),
                });
            }
        }
        Parts {
            of,
            k15: 0,
            gmv15: BTreeMap::new(),
            // read per creator from the index as the rows are made
            per_creator: Vec::new(),
            products,
            viewers: x.count(wi, window::VIEWERS),
            gifters: x.count(wi, window::GIFTERS),
            gifting_buyers: x.count(wi, window::GIFTING_BUYERS),
            converted: x.count(wi, window::CONVERTED),
            settled_n: x.count(wi, window::SETTLED),
            settled_x: x.count(wi, window::SETTLED_CONVERTED),
        }
    }
}
