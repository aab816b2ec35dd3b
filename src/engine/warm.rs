//! Reading ahead of ingest. With ~200k users, an event's user entry, its
//! state and its rooms and the event id's place in the dedupe tables are
//! mostly cache misses, and one event's ingest is too long for the CPU to
//! overlap them with the next event's. A short loop that only looks these
//! up for the next few events lets the misses overlap (they are
//! independent), so ingest then finds them in cache. The look-ups change
//! nothing: whatever they miss (a new user, a rotated dedupe generation)
//! ingest finds the usual way.

use super::Engine;
use super::dedupe::{self, Key};
use crate::model::{Event, Kind};

/// Events read ahead at a time: their lines (~8 each) stay well inside L2.
pub const AHEAD: usize = 256;

/// What the read-ahead found, by the event's place in the run, so ingest
/// does not hash and look up the same strings again. Exact: user ids are
/// never reused, and a user unknown here is looked up by name.
pub struct Ahead {
    /// The user's id if the user was known (`u32::MAX` otherwise).
    users: [u32; AHEAD],
    /// An order row's order id if the order was known (`u32::MAX` otherwise).
    orders: [u32; AHEAD],
    /// The event id's dedupe key (`Key::NONE`: the event has no id, or its
    /// number continues the run, which needs no key).
    keys: [Key; AHEAD],
    /// (prefix length, number) of a numbered event id (`dedupe::number_of`).
    nums: [Option<(u32, u64)>; AHEAD],
    ids_checked: bool,
}

/// What ingest may skip looking up for one event.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hint {
    pub user: Option<u32>,
    /// An order row's order, if known.
    pub order: Option<u32>,
    pub key: Option<Key>,
    /// The event id's (prefix length, number) if it is numbered
    /// (`dedupe::number_of`). `None` for a numbered id only costs speed:
    /// its run is then not kept without the tables.
    pub num: Option<(u32, u64)>,
    /// The reader already checked the event's id (`source::dedupe`).
    pub ids_checked: bool,
}

impl Default for Ahead {
    fn default() -> Self {
        Ahead {
            users: [u32::MAX; AHEAD],
            orders: [u32::MAX; AHEAD],
            keys: [Key::NONE; AHEAD],
            nums: [None; AHEAD],
            ids_checked: false,
        }
    }
}

impl Ahead {
    /// The hint for the `i`-th event of the run.
    pub fn hint(&self, i: usize) -> Hint {
        Hint {
            user: self.users.get(i).copied().filter(|&u| u != u32::MAX),
            order: self.orders.get(i).copied().filter(|&o| o != u32::MAX),
            // checked ids leave `keys` as an earlier run filled it
            key: (!self.ids_checked)
                .then(|| self.keys.get(i).copied().filter(|k| !k.is_none()))
                .flatten(),
            // checked ids leave `nums` as an earlier run filled it
            num: (!self.ids_checked)
                .then(|| self.nums.get(i).copied().flatten())
                .flatten(),
            ids_checked: self.ids_checked,
        }
    }
}

impl Engine {
    /// Each pass follows one step of the chains (id -> table entry -> state
    /// -> the state's lists) for all events, so a pass's loads are
    /// independent of each other and miss in parallel; the last steps are
    /// prefetches (`prefetch`), which let the pass run on while they load.
    /// At most `AHEAD` events are read ahead, whatever the caller passes.
    /// `ids_checked`: the reader has de-duplicated these events
    /// (`source::dedupe`), so their ids are neither read nor looked up.
    ///
    /// Fills `ahead` in place: returned by value, its 14 KB were copied for
    /// every run of events, pushing the lines just prefetched out of L1.
    pub fn warm<'a>(
        &self,
        events: impl Iterator<Item = &'a Event> + Clone,
        ids_checked: bool,
        ahead: &mut Ahead,
    ) {
        let events = events.take(AHEAD);
        let mut sink = 0u64;
        ahead.users.fill(u32::MAX);
        ahead.orders.fill(u32::MAX);
        ahead.ids_checked = ids_checked;
        if !ids_checked {
            ahead.keys.fill(Key::NONE);
            let mut n = 0;
            let slots = ahead.keys.iter_mut().zip(ahead.nums.iter_mut());
            for ((slot, num), ev) in slots.zip(events.clone()) {
                n += 1;
                *num = None;
                let Some(id) = ev.event_id.as_deref() else {
                    continue;
                };
                *num = dedupe::number_of(id);
                // the run's next number needs neither a key nor a table
                // line (`Dedupe::first_time_id`)
                if !self.seen_ids.continues(id, *num) {
                    *slot = dedupe::key(id);
                }
            }
            self.seen_ids.prefetch_all(&ahead.keys[..n]);
        }
        // the events themselves were written by the decoding thread: their
        // lines come over from the other core
        for ev in events.clone() {
            sink ^= (ev.ts ^ ev.qty ^ ev.diamonds) as u64;
        }
        let mut hashes = [0u64; AHEAD];
        for (h, ev) in hashes.iter_mut().zip(events.clone()) {
            if let Some(u) = ev.user.as_deref() {
                *h = self.users.hash(u);
                self.users.prefetch_slot(*h);
            }
        }
        for (&h, ev) in hashes.iter().zip(events.clone()) {
            if ev.user.is_some() {
                self.users.prefetch_candidate(h);
            }
        }
        // the rings a gift adds to, when they are kept (the dashboard)
        if self.cfg.keyed_rings || self.windex.is_some() {
            for ev in events.clone().filter(|ev| ev.kind == Kind::Gift) {
                self.prefetch_gift_rings(super::sec(ev.ts), ev.creator_ix, ev.item_ix);
            }
        }
        for ((slot, &h), ev) in ahead.users.iter_mut().zip(&hashes).zip(events.clone()) {
            if let Some(u) = ev.user.as_deref().and_then(|u| self.users.id_hashed(u, h)) {
                *slot = u;
            }
        }
        for &u in ahead.users.iter().filter(|&&u| u != u32::MAX) {
            self.users.get(u).prefetch_lists();
        }
        // orders: index line, then fingerprint and state, then the id
        let order_id = |ev: &'a Event| ev.order_id.as_deref().filter(|_| ev.kind == Kind::Order);
        let mut fps = [0u128; AHEAD];
        for (fp, ev) in fps.iter_mut().zip(events.clone()) {
            if let Some(k) = order_id(ev) {
                *fp = super::intern::fingerprint(k);
                self.orders.prefetch_slot(*fp);
            }
        }
        for (&fp, ev) in fps.iter().zip(events.clone()) {
            if order_id(ev).is_some() {
                self.orders.prefetch_candidate(fp);
            }
        }
        for ((slot, &fp), ev) in ahead.orders.iter_mut().zip(&fps).zip(events) {
            if order_id(ev).is_some()
                && let Some(o) = self.orders.id_fp(fp)
            {
                *slot = o;
            }
        }
        std::hint::black_box(sink);
    }
}
