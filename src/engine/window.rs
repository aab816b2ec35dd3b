//! Incremental figures for the dashboard's windows (1m, 5m, 15m, 1h), so
//! a frame reads counters instead of walking every user and order.
//!
//! A distinct count ("users who gifted in the window") is the number of
//! entities whose *key* (here: the second of their latest gift) is at or
//! after the window's first second. Global counts keep, per key kind, how
//! many users have their key in each second of the horizon: a window sums
//! the seconds it covers. Counts per creator or product cannot keep a ring
//! per group (100k creators x 3,600 seconds), so each window keeps running
//! sums per group instead, and every entity sits in a list of the second of
//! its key: when a second leaves a window, the entities in its list leave
//! that window's sums. Memory is per entity (user, room, order), not per
//! event, except a queue of the gifts younger than W (8 bytes each), which
//! "settled" needs at the millisecond. Every key is recomputed from the
//! engine's state after a change and moved only when it differs, so no
//! change can be counted twice.

use super::intern::Interner;
use super::{GiftBkt, HORIZON_SECS, Keyed};
use crate::model::{Currency, TsMs};
use std::collections::VecDeque;

/// The windows kept incrementally, in seconds.
pub const WINDOWS: [i64; 4] = [60, 300, 900, 3600];
const SLOTS: i64 = HORIZON_SECS;
/// No key (or one older than the horizon).
pub const NONE: i64 = i64::MIN;
const NIL: u32 = u32::MAX;

fn slot(s: i64) -> usize {
    s.rem_euclid(SLOTS) as usize
}

/// Per user: the seconds its global counts depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserKeys {
    /// Latest event of the user.
    pub seen: i64,
    /// Latest gift.
    pub gift: i64,
    /// Latest payment of a net-paid order.
    pub paid: i64,
    /// Latest attribution gift of a net-paid order (a conversion).
    pub attr: i64,
    /// Latest gift at least W old (a settled gifter).
    pub settled: i64,
}

impl Default for UserKeys {
    fn default() -> Self {
        UserKeys {
            seen: NONE,
            gift: NONE,
            paid: NONE,
            attr: NONE,
            settled: NONE,
        }
    }
}

/// The global counts, in the order of `UserKeys::derived`.
pub const VIEWERS: usize = 0;
pub const GIFTERS: usize = 1;
pub const BUYERS: usize = 2;
pub const GIFTING_BUYERS: usize = 3;
pub const CONVERTED: usize = 4;
pub const SETTLED: usize = 5;
pub const SETTLED_CONVERTED: usize = 6;
const KINDS: usize = 7;

impl UserKeys {
    /// A user counts in a window's figure when the figure's key is in it:
    /// a viewer was seen or paid; a gifting buyer gifted *and* paid.
    fn derived(&self) -> [i64; KINDS] {
        [
            self.seen.max(self.paid),
            self.gift,
            self.paid,
            self.gift.min(self.paid),
            self.attr,
            self.settled,
            self.settled.min(self.attr),
        ]
    }
}

/// An order's part in the per-creator and per-product window sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderPart {
    pub creator: Option<u32>,
    pub item: Option<u32>,
    pub amount: Option<i64>,
    pub currency: Currency,
    pub units: i64,
}

/// Money per currency with the number of orders that had an amount: a
/// currency shows when an order with an amount counts, even if it sums to 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Money(pub Vec<(Currency, i64, i64)>);

impl Money {
    fn add(&mut self, currency: Currency, amount: Option<i64>, sign: i64) {
        let Some(a) = amount else { return };
        match self.0.iter_mut().find(|e| e.0 == currency) {
            Some(e) => {
                e.1 += sign * a;
                e.2 += sign;
            }
            None => self.0.push((currency, sign * a, sign)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Currency, i64)> + '_ {
        self.0.iter().filter(|e| e.2 > 0).map(|e| (e.0, e.1))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupOrders {
    pub orders: i64,
    pub units: i64,
    pub gmv: Money,
}

impl GroupOrders {
    fn add(&mut self, p: &OrderPart, sign: i64) {
        self.orders += sign;
        self.units += sign * p.units;
        self.gmv.add(p.currency, p.amount, sign);
    }
}

/// Entities in lists by the second of their key (only seconds inside the
/// horizon; an older key is in no list and in no window). A node's links
/// and key share one 16-byte entry: one cache line per node touched.
#[derive(Debug, Default)]
struct Lists {
    heads: Vec<u32>,
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    key: i64,
    prev: u32,
    next: u32,
}

const FREE: Node = Node {
    key: NONE,
    prev: NIL,
    next: NIL,
};

impl Lists {
    fn grow(&mut self, n: usize) {
        if self.heads.is_empty() {
            self.heads = vec![NIL; SLOTS as usize];
        }
        if self.nodes.len() < n {
            self.nodes.resize(n, FREE);
        }
    }

    fn key(&self, n: u32) -> i64 {
        self.nodes[n as usize].key
    }

    fn unlink(&mut self, n: u32) {
        let Node { key, prev, next } = self.nodes[n as usize];
        if key == NONE {
            return;
        }
        if prev == NIL {
            self.heads[slot(key)] = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        }
        self.nodes[n as usize].key = NONE;
    }

    fn link(&mut self, n: u32, k: i64) {
        let h = self.heads[slot(k)];
        self.nodes[n as usize] = Node {
            key: k,
            prev: NIL,
            next: h,
        };
        if h != NIL {
            self.nodes[h as usize].prev = n;
        }
        self.heads[slot(k)] = n;
    }

    fn members(&self, s: i64) -> Vec<u32> {
        let mut out = Vec::new();
        let mut n = self.heads.get(slot(s)).copied().unwrap_or(NIL);
        while n != NIL {
            out.push(n);
            n = self.nodes[n as usize].next;
        }
        out
    }

    /// The second leaves the horizon: its entities leave every list.
    fn clear(&mut self, s: i64) {
        for n in self.members(s) {
            self.nodes[n as usize].key = NONE;
        }
        if let Some(h) = self.heads.get_mut(slot(s)) {
            *h = NIL;
        }
    }
}

fn grown<T: Default + Clone>(v: &mut Vec<T>, i: u32) -> &mut T {
    let i = i as usize;
    if v.len() <= i {
        v.resize(i + 1, T::default());
    }
    &mut v[i]
}

#[derive(Debug)]
pub struct WindowIndex {
    /// The newest second (the engine's `now`); `NONE` before any event.
    now_sec: i64,
    w_ms: i64,
    users: Vec<UserKeys>,
    counts: [Vec<u32>; KINDS],
    /// Gifts not yet W old, as (time they are, user) in time order: gifts
    /// mostly arrive in order, so this is a queue with rare inserts. Times
    /// are ms after `settle_base` (8 bytes an entry instead of 16).
    settling: VecDeque<(u32, u32)>,
    settle_base: TsMs,
    /// Rooms (a user's gifts to one creator): node ids by user and room.
    room_nodes: Vec<Vec<u32>>,
    room_creator: Vec<u32>,
    room_gift: Lists,
    room_conv: Lists,
    gifters: [Vec<i64>; 4],
    converted: [Vec<i64>; 4],
    orders: Lists,
    order_parts: Vec<OrderPart>,
    creator_orders: [Vec<GroupOrders>; 4],
    product_orders: [Vec<GroupOrders>; 4],
    /// Gift sums per creator and per gift name, and which of them have a
    /// bucket in each second (the buckets themselves are the engine's).
    creator_gifts: [Vec<GiftBkt>; 4],
    item_gifts: [Vec<GiftBkt>; 4],
    touched: Vec<Vec<(u32, bool)>>,
}

fn sub(a: &mut GiftBkt, b: &GiftBkt) {
    a.gifts_sent -= b.gifts_sent;
    a.diamonds -= b.diamonds;
}

impl WindowIndex {
    pub fn new(attribution_window_ms: i64) -> WindowIndex {
        WindowIndex {
            now_sec: NONE,
            w_ms: attribution_window_ms,
            users: Vec::new(),
            counts: std::array::from_fn(|_| vec![0; SLOTS as usize]),
            settling: VecDeque::new(),
            settle_base: NONE,
            room_nodes: Vec::new(),
            room_creator: Vec::new(),
            room_gift: Lists::default(),
            room_conv: Lists::default(),
            gifters: Default::default(),
            converted: Default::default(),
            orders: Lists::default(),
            order_parts: Vec::new(),
            creator_orders: Default::default(),
            product_orders: Default::default(),
            creator_gifts: Default::default(),
            item_gifts: Default::default(),
            touched: vec![Vec::new(); SLOTS as usize],
        }
    }

    fn ring_min(&self) -> i64 {
        self.now_sec.saturating_sub(SLOTS - 1)
    }

    pub fn in_ring(&self, k: i64) -> bool {
        k != NONE && self.now_sec != NONE && k >= self.ring_min() && k <= self.now_sec
    }

    fn from(&self, w: usize) -> i64 {
        self.now_sec.saturating_sub(WINDOWS[w] - 1)
    }

    /// Which of the windows a key is in.
    fn windows_of(&self, k: i64) -> impl Iterator<Item = usize> + use<> {
        let inside = self.in_ring(k);
        let froms: [i64; 4] = std::array::from_fn(|w| self.from(w));
        (0..4).filter(move |&w| inside && k >= froms[w])
    }

    /// The newest event moved to `now`: seconds leave the windows (their
    /// entities leave the sums) and the horizon (their counts are zeroed).
    /// Returns the gifts now W old, as (user, gift time).
    pub fn advance(
        &mut self,
        now: TsMs,
        creators: &Interner<Keyed>,
        items: &Interner<Keyed>,
    ) -> Vec<(u32, TsMs)> {
        let new = super::sec(now);
        if self.now_sec == NONE {
            self.now_sec = new;
        } else if new > self.now_sec {
            let old = self.now_sec;
            let old_min = self.ring_min();
            for (w, len) in WINDOWS.iter().enumerate() {
                let lo = (old - len + 1).max(old_min);
                let hi = (new - len + 1).min(old + 1);
                for s in lo..hi {
                    self.expire(w, s);
                    self.expire_gifts(w, s, creators, items);
                }
            }
            let hi = (new - SLOTS + 1).min(old + 1);
            for s in old_min..hi {
                for c in &mut self.counts {
                    c[slot(s)] = 0;
                }
                self.touched[slot(s)].clear();
                self.room_gift.clear(s);
                self.room_conv.clear(s);
                self.orders.clear(s);
            }
            self.now_sec = new;
        }
        let mut due = Vec::new();
        while let Some(&(t, u)) = self.settling.front() {
            let t = self.settle_base + i64::from(t);
            if t > now {
                break;
            }
            self.settling.pop_front();
            due.push((u, t - self.w_ms));
        }
        due
    }

    fn expire(&mut self, w: usize, s: i64) {
        for n in self.room_gift.members(s) {
            *grown(&mut self.gifters[w], self.room_creator[n as usize]) -= 1;
        }
        for n in self.room_conv.members(s) {
            *grown(&mut self.converted[w], self.room_creator[n as usize]) -= 1;
        }
        for n in self.orders.members(s) {
            let p = self.order_parts[n as usize];
            if let Some(c) = p.creator {
                grown(&mut self.creator_orders[w], c).add(&p, -1);
            }
            if let Some(i) = p.item {
                grown(&mut self.product_orders[w], i).add(&p, -1);
            }
        }
    }

    fn expire_gifts(
        &mut self,
        w: usize,
        s: i64,
        creators: &Interner<Keyed>,
        items: &Interner<Keyed>,
    ) {
        for &(id, item) in &self.touched[slot(s)] {
            let (from, sums) = if item {
                (items, &mut self.item_gifts[w])
            } else {
                (creators, &mut self.creator_gifts[w])
            };
            if let Some(b) = from.get(id).recent.get(s) {
                sub(grown(sums, id), b);
            }
        }
    }

    /// A gift in second `s` to a creator and of a gift name (each with
    /// whether its bucket of `s` is new).
    pub fn add_gift(&mut self, s: i64, creator: (u32, bool), item: (u32, bool), g: &GiftBkt) {
        self.add_gift_sum(s, creator.0, false, creator.1, g);
        self.add_gift_sum(s, item.0, true, item.1, g);
    }

    /// A whole bucket of a creator's (or gift name's) ring, when the index
    /// is built from the engine's state.
    pub fn add_gift_bucket(&mut self, s: i64, id: u32, item: bool, b: &GiftBkt) {
        self.add_gift_sum(s, id, item, true, b);
    }

    /// `g` into the sums of the windows second `s` is in; `new`: the id's
    /// bucket of `s` is new, so the second's expiry must visit it.
    fn add_gift_sum(&mut self, s: i64, id: u32, item: bool, new: bool, g: &GiftBkt) {
        use super::series::Bucket;
        if !self.in_ring(s) {
            return;
        }
        if new {
            self.touched[slot(s)].push((id, item));
        }
        for w in self.windows_of(s) {
            let sums = if item {
                &mut self.item_gifts[w]
            } else {
                &mut self.creator_gifts[w]
            };
            grown(sums, id).add(g);
        }
    }

    pub fn creator_gift_sums(&self, w: usize, c: u32) -> GiftBkt {
        self.creator_gifts[w]
            .get(c as usize)
            .copied()
            .unwrap_or_default()
    }

    pub fn item_gift_sums(&self, w: usize, i: u32) -> GiftBkt {
        self.item_gifts[w]
            .get(i as usize)
            .copied()
            .unwrap_or_default()
    }

    pub fn user_keys(&self, u: u32) -> UserKeys {
        self.users.get(u as usize).copied().unwrap_or_default()
    }

    /// Move user `u` to `keys` in every global count that changed.
    pub fn set_user(&mut self, u: u32, keys: UserKeys) {
        let old = std::mem::replace(grown(&mut self.users, u), keys);
        if old == keys {
            return;
        }
        let (a, b) = (old.derived(), keys.derived());
        for k in 0..KINDS {
            if a[k] == b[k] {
                continue;
            }
            if self.in_ring(a[k]) {
                self.counts[k][slot(a[k])] -= 1;
            }
            if self.in_ring(b[k]) {
                self.counts[k][slot(b[k])] += 1;
            }
        }
    }

    /// A gift of user `u` at `ts` not yet W old: settle it when it is.
    /// Every time queued is after `now` (due ones were taken by `advance`),
    /// so `now` is a base every entry can be counted from.
    pub fn settle_later(&mut self, u: u32, ts: TsMs, now: TsMs) {
        let t = ts.saturating_add(self.w_ms);
        let fits = |base: TsMs| base != NONE && t >= base && t - base <= i64::from(u32::MAX);
        if !fits(self.settle_base) {
            // first use, or ~49 days of ms since the base: count from now
            let delta = if self.settle_base == NONE {
                0
            } else {
                now.saturating_sub(self.settle_base)
            };
            if delta > 0 {
                for e in &mut self.settling {
                    e.0 = (i64::from(e.0) - delta).max(0) as u32;
                }
            }
            self.settle_base = now;
        }
        let Ok(t) = u32::try_from(t - self.settle_base) else {
            return; // a gift settling in more than 49 days (W that long): never
        };
        match self.settling.back() {
            Some(&(last, _)) if last > t => {
                let i = self.settling.partition_point(|&(x, _)| x <= t);
                self.settling.insert(i, (t, u));
            }
            _ => self.settling.push_back((t, u)),
        }
    }

    pub fn attribution_window_ms(&self) -> i64 {
        self.w_ms
    }

    fn room_node(&mut self, u: u32, room: u32, creator: u32) -> u32 {
        let nodes = grown(&mut self.room_nodes, u);
        while nodes.len() <= room as usize {
            nodes.push(NIL);
        }
        let slot = &mut nodes[room as usize];
        if *slot == NIL {
            *slot = self.room_creator.len() as u32;
            self.room_creator.push(creator);
            let n = self.room_creator.len();
            self.room_gift.grow(n);
            self.room_conv.grow(n);
        }
        *slot
    }

    /// Room `room` of user `u` (to `creator`): the second of its latest
    /// gift (`NONE`: none), for the creator's gifters.
    pub fn set_room_gift(&mut self, u: u32, room: u32, creator: u32, gift: i64) {
        let n = self.room_node(u, room, creator);
        self.move_room(n, creator, gift, false);
    }

    /// The room's conversion second as counted (`NONE`: none or no node).
    pub fn room_conv_key(&self, u: u32, room: u32) -> i64 {
        let n = self
            .room_nodes
            .get(u as usize)
            .and_then(|r| r.get(room as usize))
            .copied()
            .unwrap_or(NIL);
        if n == NIL {
            NONE
        } else {
            self.room_conv.key(n)
        }
    }

    /// The second of the room's latest conversion gift, for the creator's
    /// converted gifters.
    pub fn set_room_conv(&mut self, u: u32, room: u32, creator: u32, conv: i64) {
        let n = self.room_node(u, room, creator);
        self.move_room(n, creator, conv, true);
    }

    fn move_room(&mut self, n: u32, creator: u32, k: i64, conv: bool) {
        let k = if self.in_ring(k) { k } else { NONE };
        let lists = if conv {
            &self.room_conv
        } else {
            &self.room_gift
        };
        let old = lists.key(n);
        if old == k {
            return;
        }
        let (was, now) = (self.windows_of(old), self.windows_of(k));
        let (lists, sums) = if conv {
            (&mut self.room_conv, &mut self.converted)
        } else {
            (&mut self.room_gift, &mut self.gifters)
        };
        for w in was {
            *grown(&mut sums[w], creator) -= 1;
        }
        lists.unlink(n);
        if k != NONE {
            lists.link(n, k);
        }
        for w in now {
            *grown(&mut sums[w], creator) += 1;
        }
    }

    /// Order `oid`: its paid second while net paid (`NONE` otherwise) and
    /// what it adds to its creator's and product's sums.
    pub fn set_order(&mut self, oid: u32, paid: i64, part: OrderPart) {
        self.orders.grow(oid as usize + 1);
        let i = oid as usize;
        if self.order_parts.len() <= i {
            self.order_parts.resize(i + 1, OrderPart::default());
        }
        let paid = if self.in_ring(paid) { paid } else { NONE };
        let old = self.orders.key(oid);
        let old_part = self.order_parts[i];
        if old == paid && old_part == part {
            return;
        }
        for w in self.windows_of(old) {
            if let Some(c) = old_part.creator {
                grown(&mut self.creator_orders[w], c).add(&old_part, -1);
            }
            if let Some(p) = old_part.item {
                grown(&mut self.product_orders[w], p).add(&old_part, -1);
            }
        }
        self.orders.unlink(oid);
        self.order_parts[i] = part;
        if paid != NONE {
            self.orders.link(oid, paid);
        }
        for w in self.windows_of(paid) {
            if let Some(c) = part.creator {
                grown(&mut self.creator_orders[w], c).add(&part, 1);
            }
            if let Some(p) = part.item {
                grown(&mut self.product_orders[w], p).add(&part, 1);
            }
        }
    }

    /// The window `secs` is kept here (and the index has seen an event).
    pub fn window(&self, secs: i64) -> Option<usize> {
        if self.now_sec == NONE {
            return None;
        }
        WINDOWS.iter().position(|&w| w == secs)
    }

    /// A global count over window `w`.
    pub fn count(&self, w: usize, kind: usize) -> u64 {
        let lo = self.from(w).max(self.ring_min());
        (lo..=self.now_sec)
            .map(|s| u64::from(self.counts[kind][slot(s)]))
            .sum()
    }

    /// Creator `c`'s gifters, converted gifters and attributed orders.
    pub(super) fn creator_acc(&self, w: usize, c: u32) -> super::snapshot::CreatorAcc {
        let o = self.creator_orders(w, c);
        super::snapshot::CreatorAcc {
            gifters: self.creator_gifters(w, c).max(0) as u64,
            converted: self.creator_converted(w, c).max(0) as u64,
            orders: o.map_or(0, |o| o.orders.max(0) as u64),
            gmv: o.map_or_else(Default::default, |o| o.gmv.iter().collect()),
        }
    }

    pub fn creator_gifters(&self, w: usize, c: u32) -> i64 {
        self.gifters[w].get(c as usize).copied().unwrap_or(0)
    }

    pub fn creator_converted(&self, w: usize, c: u32) -> i64 {
        self.converted[w].get(c as usize).copied().unwrap_or(0)
    }

    pub fn creator_orders(&self, w: usize, c: u32) -> Option<&GroupOrders> {
        self.creator_orders[w].get(c as usize)
    }

    pub fn product_orders(&self, w: usize) -> &[GroupOrders] {
        &self.product_orders[w]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gifts_settle_at_the_millisecond_also_after_weeks() {
        let (c, i) = (Interner::default(), Interner::default());
        let day = 86_400_000;
        let mut x = WindowIndex::new(1_000);
        assert!(x.advance(0, &c, &i).is_empty());
        x.settle_later(1, 0, 0);
        x.settle_later(3, 500, 0);
        assert!(x.advance(999, &c, &i).is_empty());
        assert_eq!(x.advance(1_000, &c, &i), [(1, 0)]);
        // 60 days later: past what 32 bits of ms from the first base hold
        assert_eq!(x.advance(60 * day, &c, &i), [(3, 500)]);
        x.settle_later(2, 60 * day + 10, 60 * day);
        x.settle_later(4, 60 * day + 5, 60 * day); // out of order
        assert!(x.advance(60 * day + 1_004, &c, &i).is_empty());
        assert_eq!(
            x.advance(60 * day + 1_010, &c, &i),
            [(4, 60 * day + 5), (2, 60 * day + 10)]
        );
    }
}
