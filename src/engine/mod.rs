//! Pure aggregation of decoded events. No UI crate is imported here: the
//! headless report and the dashboard read the same `Engine`.

pub mod amounts;
pub mod dedupe;
pub mod intern;
pub mod links;
mod name_index;
pub mod orders;
pub(crate) mod prefetch;
mod reader_names;
mod scan;
pub mod series;
pub mod snapshot;
pub mod stats;
mod warm;
pub mod window;
mod windowed;

use crate::model::{Currency, Event, Kind, OrderStatus, Text, TsMs};
use intern::{Ids, Interner};
pub use links::{GiftMark, UserState};
use orders::{Contribution, OrderState, RowUpdate};
use series::{Bucket, Series};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// Hash maps on the hot path use foldhash: several times faster than the
/// default SipHash, and the keys are not attacker-chosen hash-flooding
/// targets that matter for a local dashboard.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
pub type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

pub use snapshot::{Scope, Snapshot};
pub use warm::{AHEAD, Ahead, Hint};

/// Largest qty or diamonds of one row (10^12), and largest order amount
/// (10^9 currency units): sums of billions of rows stay inside an i64.
pub const MAX_COUNT: i64 = 1_000_000_000_000;
pub const MAX_AMOUNT: i64 = 1_000_000_000 * crate::model::MONEY_SCALE;

/// The longest window; events older than this behind `now` are late.
pub const HORIZON_SECS: i64 = 3_600;
const TICKER_LEN: usize = 200;
/// Old gift times are dropped every 10 minutes of event time.
const SWEEP_EVERY_MS: i64 = 600_000;
const REJECTS_KEPT: usize = 200;

#[derive(Debug, Clone)]
pub struct Config {
    pub attribution_window_ms: i64,
    pub big_gift: i64,
    /// What viewers pay per coin (a connector's diamond count is a coin price).
    pub usd_per_coin: f64,
    /// What creators receive per coin of gifts.
    pub creator_usd_per_coin: f64,
    /// Index the last hour's order rows for windowed snapshots (the
    /// dashboard, a windowed report); an all-time report reads every order
    /// anyway and saves the memory.
    pub index_recent_orders: bool,
    /// Keep each creator's and gift's last hour by the second, for windowed
    /// snapshots; an all-time report reads only their running totals.
    pub keyed_rings: bool,
    /// Keep the ticker of notable events (big gifts, order status
    /// changes), which only the dashboard shows.
    pub ticker: bool,
    /// Keep the windows' figures incrementally (`window`): the dashboard
    /// reads them every frame; a report reads one snapshot and scans.
    pub window_index: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            attribution_window_ms: 30 * 60 * 1000,
            big_gift: 1000,
            usd_per_coin: 0.0133,
            creator_usd_per_coin: 0.0025,
            index_recent_orders: true,
            keyed_rings: true,
            ticker: true,
            window_index: true,
        }
    }
}

/// Money per currency: net (current status paid) and gross (ever paid).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gmv {
    pub net: i64,
    pub gross: i64,
    /// Sum of squared net order amounts (in units), for revenue bands.
    pub net_sq: f64,
    /// Orders with an amount in `net` and in `gross`: a currency is shown
    /// when one counts, even if the amounts sum to 0.
    pub n_net: i64,
    pub n_gross: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bkt {
    pub events: u64,
    pub gift_rows: u64,
    pub gifts_sent: i64,
    pub diamonds: i64,
    pub joins: u64,
    pub likes: i64,
    pub follows: u64,
    pub shares: u64,
    pub viewers_peak: i64,
    pub paid: i64,
    pub gross_paid: i64,
    pub units: i64,
    pub pending: i64,
    pub cancelled: i64,
    pub refunded: i64,
    pub gmv_unknown: i64,
    pub gmv: BTreeMap<Currency, Gmv>,
}

impl Bkt {
    /// What one event adds by itself (an order's money and statuses go
    /// through `apply_order`): the few fields it touches, where adding a
    /// whole bucket made two passes over all of them per event.
    fn tally(&mut self, ev: &Event) {
        self.events += 1;
        match ev.kind {
            Kind::Gift => {
                self.gift_rows += 1;
                self.gifts_sent += ev.qty;
                self.diamonds += ev.diamonds;
            }
            Kind::Order => {}
            Kind::Join => self.joins += 1,
            Kind::Like => self.likes += ev.qty,
            Kind::Follow => self.follows += 1,
            Kind::Share => self.shares += 1,
            Kind::Viewers => self.viewers_peak = self.viewers_peak.max(ev.qty),
        }
    }
}

impl Bucket for Bkt {
    fn add(&mut self, o: &Self) {
        self.events += o.events;
        self.gift_rows += o.gift_rows;
        self.gifts_sent += o.gifts_sent;
        self.diamonds += o.diamonds;
        self.joins += o.joins;
        self.likes += o.likes;
        self.follows += o.follows;
        self.shares += o.shares;
        self.viewers_peak = self.viewers_peak.max(o.viewers_peak);
        self.paid += o.paid;
        self.gross_paid += o.gross_paid;
        self.units += o.units;
        self.pending += o.pending;
        self.cancelled += o.cancelled;
        self.refunded += o.refunded;
        self.gmv_unknown += o.gmv_unknown;
        for (c, g) in &o.gmv {
            let e = self.gmv.entry(*c).or_default();
            e.net += g.net;
            e.gross += g.gross;
            e.net_sq += g.net_sq;
            e.n_net += g.n_net;
            e.n_gross += g.n_gross;
        }
    }
}

/// Gift sums for one creator or one gift name.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GiftBkt {
    pub gifts_sent: i64,
    pub diamonds: i64,
}

impl Bucket for GiftBkt {
    fn add(&mut self, o: &Self) {
        self.gifts_sent += o.gifts_sent;
        self.diamonds += o.diamonds;
    }
}

#[derive(Debug, Clone, Default)]
pub struct Keyed {
    pub all: GiftBkt,
    pub recent: Series<GiftBkt>,
}

impl Keyed {
    /// Pruned when a second is added: a key's ring holds the horizon and
    /// at most the seconds that left it since (no view reads those), and
    /// the ring's far end is read once a second, not on every gift.
    /// Returns whether a new second was added to the ring.
    fn add(&mut self, ts: TsMs, g: &GiftBkt, ring: bool, min_sec: i64) -> bool {
        self.all.add(g);
        if !ring {
            return false;
        }
        let (b, added) = self.recent.at_new(sec(ts));
        b.add(g);
        if added {
            self.recent.prune(min_sec);
        }
        added
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum NotableKind {
    BigGift,
    Paid,
    Cancelled,
    Refunded,
}

/// A line for the ticker of notable events.
#[derive(Debug, Clone, PartialEq)]
pub struct Notable {
    pub ts: TsMs,
    pub kind: NotableKind,
    // inline text: a flood makes a notable of every payment, and all but
    // the newest 200 are dropped again at once
    pub creator: Text,
    pub user: Text,
    pub what: Text,
    pub diamonds: i64,
    pub amount: Option<(i64, Currency)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub source: String,
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub by_kind: [u64; 7],
    pub skipped: u64,
    pub errors: u64,
    pub duplicates: u64,
    pub late: u64,
    pub streaks_timed_out: u64,
    /// Every accepted event, for the events/s figure.
    pub accepted: u64,
}

pub struct Engine {
    pub cfg: Config,
    pub now: Option<TsMs>,
    pub first: Option<TsMs>,
    seq: u64,
    pub counters: Counters,
    pub all: Bkt,
    pub recent: Series<Bkt>,
    pub users: Interner<UserState>,
    pub creators: Interner<Keyed>,
    pub gift_items: Interner<Keyed>,
    pub products: Interner<()>,
    pub orders: Ids<OrderState>,
    seen_ids: dedupe::Dedupe,
    next_sweep: TsMs,
    /// (ts, order) of every order row inside the horizon, oldest first by
    /// arrival: the windowed snapshot reads the orders these name instead
    /// of every order ever seen.
    pub(crate) order_rows: VecDeque<(TsMs, u32)>,
    pub viewers_now: Option<i64>,
    pub ticker: VecDeque<Notable>,
    pub rejects: VecDeque<Reject>,
    /// Bumped on every change, so views can tell whether to redraw.
    pub generation: u64,
    pub(crate) windex: Option<window::WindowIndex>,
    reader_names: reader_names::ReaderNames,
    /// The read-ahead's scratch, kept between batches: 18 KB built and
    /// boxed for every batch showed up as a memcpy on each.
    ahead: Option<Box<Ahead>>,
}

impl Engine {
    pub fn new(cfg: Config) -> Engine {
        Engine {
            now: None,
            first: None,
            seq: 0,
            counters: Counters::default(),
            all: Bkt::default(),
            recent: Series::default(),
            users: Interner::default(),
            creators: Interner::default(),
            gift_items: Interner::default(),
            products: Interner::default(),
            orders: Ids::default(),
            seen_ids: dedupe::Dedupe::default(),
            next_sweep: TsMs::MIN,
            order_rows: VecDeque::new(),
            viewers_now: None,
            ticker: VecDeque::new(),
            rejects: VecDeque::new(),
            generation: 0,
            reader_names: Default::default(),
            ahead: None,
            windex: cfg
                .window_index
                .then(|| window::WindowIndex::new(cfg.attribution_window_ms)),
            cfg,
        }
    }

    /// The read-ahead's scratch, to give back with `put_ahead`.
    pub fn take_ahead(&mut self) -> Box<Ahead> {
        self.ahead.take().unwrap_or_default()
    }

    pub fn put_ahead(&mut self, ahead: Box<Ahead>) {
        self.ahead = Some(ahead);
    }

    pub fn skipped(&mut self) {
        self.counters.skipped += 1;
        self.generation += 1;
    }

    /// An event the reader found to be a repeat (`Decoded::Duplicate`).
    pub fn duplicate(&mut self) {
        self.counters.duplicates += 1;
        self.generation += 1;
    }

    pub fn reject(&mut self, source: &str, line: u64, reason: String) {
        self.counters.errors += 1;
        self.generation += 1;
        if self.rejects.len() == REJECTS_KEPT {
            self.rejects.pop_front();
        }
        self.rejects.push_back(Reject {
            source: source.to_string(),
            line,
            reason,
        });
    }

    /// The oldest second the rings keep.
    fn min_sec(&self) -> i64 {
        self.now.map_or(i64::MIN, |n| sec(n) - HORIZON_SECS + 1)
    }

    fn in_horizon(&self, ts: TsMs) -> bool {
        match self.now {
            Some(now) => sec(ts) > sec(now) - HORIZON_SECS,
            None => true,
        }
    }

    pub fn ingest(&mut self, mut ev: Event) {
        self.ingest_in_place(&mut ev);
    }

    /// `ingest` without moving the event (a batch's events are read where
    /// they lie); clamps its values in place.
    pub fn ingest_in_place(&mut self, ev: &mut Event) {
        let num = ev.event_id.as_deref().and_then(dedupe::number_of);
        self.ingest_hinted(
            ev,
            &Hint {
                num,
                ..Hint::default()
            },
        );
    }

    /// `ingest_in_place` with what the read-ahead (`warm`) found for this
    /// event, which must be this event's.
    pub fn ingest_hinted(&mut self, ev: &mut Event, hint: &Hint) {
        // Decoders reject absurd values; this bound keeps every sum far from
        // overflow whatever a decoder lets through.
        ev.qty = ev.qty.clamp(0, MAX_COUNT);
        ev.diamonds = ev.diamonds.clamp(0, MAX_COUNT);
        ev.amount = ev.amount.map(|a| a.clamp(-MAX_AMOUNT, MAX_AMOUNT));
        if !hint.ids_checked
            && let Some(id) = &ev.event_id
            && !self.seen_ids.first_time_id(
                id,
                hint.num,
                hint.key.unwrap_or(dedupe::Key::NONE),
                self.now.map_or(ev.ts, |n| n.max(ev.ts)),
            )
        {
            self.counters.duplicates += 1;
            self.generation += 1;
            return;
        }
        self.generation += 1;
        self.seq += 1;
        self.counters.by_kind[ev.kind.index()] += 1;
        self.counters.accepted += 1;
        if ev.streak_timed_out {
            self.counters.streaks_timed_out += 1;
        }
        let advanced = self.now.is_none_or(|n| sec(ev.ts) > sec(n));
        let moved = self.now.is_none_or(|n| ev.ts > n);
        self.now = Some(self.now.map_or(ev.ts, |n| n.max(ev.ts)));
        if moved {
            self.windex_advance();
        }
        self.first = Some(self.first.map_or(ev.ts, |f| f.min(ev.ts)));
        if advanced {
            self.recent.prune(self.min_sec());
            let min_ms = self.min_sec().saturating_mul(1000);
            while self.order_rows.front().is_some_and(|&(t, _)| t < min_ms) {
                self.order_rows.pop_front();
            }
            if self.now.is_some_and(|n| n >= self.next_sweep) {
                self.sweep();
                self.next_sweep = self.now.map_or(0, |n| n.saturating_add(SWEEP_EVERY_MS));
            }
        }
        let ring = self.in_horizon(ev.ts);
        if !ring {
            self.counters.late += 1;
        }
        let creator_id = ev
            .creator
            .as_deref()
            .map(|c| self.creator_id(c, ev.creator_ix));
        let user = ev.user.as_deref().map(|u| {
            let (id, st) = match hint.user {
                Some(id) => {
                    debug_assert_eq!(self.users.name(id), u, "a hint for another event");
                    (id, self.users.get_mut(id))
                }
                None => self.users.entry(u),
            };
            st.last_seen = st.last_seen.max(ev.ts);
            if let Some(c) = creator_id {
                let r = st.room(c);
                let room = &mut st.rooms[r as usize];
                room.seen = room.seen.max(ev.ts);
            }
            id
        });
        match ev.kind {
            Kind::Gift => self.gift(ev, user, creator_id, ring),
            Kind::Order => self.order(ev, user, creator_id, hint.order),
            Kind::Viewers if Some(ev.ts) == self.now => self.viewers_now = Some(ev.qty),
            _ => {}
        }
        self.all.tally(ev);
        if ring {
            self.recent.at(sec(ev.ts)).tally(ev);
        }
        if let Some(u) = user {
            // after the gift is recorded: its latest event and gift
            self.windex_seen(u);
        }
    }

    fn gift(&mut self, ev: &Event, user: Option<u32>, creator_id: Option<u32>, ring: bool) {
        let g = GiftBkt {
            gifts_sent: ev.qty,
            diamonds: ev.diamonds,
        };
        let min = self.min_sec();
        // the window index reads these rings
        let keyed_ring = ring && (self.cfg.keyed_rings || self.windex.is_some());
        let creator_name = ev.creator.as_deref().unwrap_or("unknown");
        let creator = match creator_id {
            Some(id) => id,
            None => self.creators.entry(creator_name).0,
        };
        let c = self.creators.get_mut(creator);
        let new_c = c.add(ev.ts, &g, keyed_ring, min);
        let item_name = ev.item.as_deref().unwrap_or("(unnamed gift)");
        let item = match ev.item.as_deref() {
            Some(name) => self.gift_id(name, ev.item_ix),
            None => self.gift_items.entry(item_name).0,
        };
        let new_i = self
            .gift_items
            .get_mut(item)
            .add(ev.ts, &g, keyed_ring, min);
        if ring && let Some(x) = self.windex.as_mut() {
            x.add_gift(sec(ev.ts), (creator, new_c), (item, new_i), &g);
        }
        if let Some(u) = user {
            let (room, touched) = self.link_gift(u, GiftMark { ts: ev.ts, creator });
            if self.windex.is_some() {
                self.windex_gift(u, ev.ts, room);
                for (oid, old) in touched {
                    self.windex_order(oid);
                    let new = windowed::link_vals(self.orders.get(oid).link.as_ref());
                    self.windex_link_change(u, old, new);
                }
            }
        }
        if self.cfg.ticker && ev.diamonds >= self.cfg.big_gift {
            self.notable(Notable {
                ts: ev.ts,
                kind: NotableKind::BigGift,
                creator: creator_name.into(),
                user: display_user(ev),
                what: compact_str::format_compact!("{} x{}", item_name, ev.qty),
                diamonds: ev.diamonds,
                amount: None,
            });
        }
    }

    /// `known`: the order's id, as the read-ahead found it.
    fn order(&mut self, ev: &Event, user: Option<u32>, creator: Option<u32>, known: Option<u32>) {
        let oid = match (known, &ev.order_id) {
            (Some(oid), id) => {
                debug_assert_eq!(id.as_deref().and_then(|k| self.orders.id(k)), Some(oid));
                oid
            }
            (None, Some(id)) => self.orders.entry(id).0,
            // Rows without an id are orders of their own.
            (None, None) => self.orders.entry(&format!("\u{0}row{}", self.seq)).0,
        };
        let item = ev.item.as_deref().map(|i| self.products.entry(i).0);
        if self.cfg.index_recent_orders && self.in_horizon(ev.ts) {
            self.order_rows.push_back((ev.ts, oid));
        }
        let before = self.orders.get(oid).contribution();
        let link_before = self.orders.get(oid).link.as_ref().map(|l| l.user);
        let vals_before = windowed::link_vals(self.orders.get(oid).link.as_ref());
        let status = ev.status.unwrap_or(OrderStatus::Paid);
        self.orders.get_mut(oid).apply(RowUpdate {
            at: (ev.ts, self.seq),
            status,
            amount: ev.amount,
            currency: ev.currency,
            user,
            creator,
            item,
            units: ev.amount.map(|_| ev.qty),
        });
        let after = self.orders.get(oid).contribution();
        if let Some(a) = after {
            let o = self.orders.get(oid);
            let key = links::LinkKey {
                user: o.user(),
                at: a.paid_ts.unwrap_or(a.status_ts),
                paid: a.paid_ts.filter(|_| a.is_net_paid()),
                names: o.creator(),
            };
            self.relink(oid, key);
        }
        if self.windex.is_some() {
            self.windex_order(oid);
            let link = self.orders.get(oid).link.as_ref();
            let (link_after, vals_after) = (link.map(|l| l.user), windowed::link_vals(link));
            if link_before == link_after {
                if let Some(u) = link_after {
                    self.windex_link_change(u, vals_before, vals_after);
                }
            } else {
                if let Some(u) = link_before {
                    self.windex_link_change(u, vals_before, windowed::link_vals(None));
                }
                if let Some(u) = link_after {
                    self.windex_link_change(u, windowed::link_vals(None), vals_after);
                }
            }
        }
        if let Some(old) = before {
            self.apply_order(&old, -1);
        }
        if let Some(new) = after {
            self.apply_order(&new, 1);
        }
        let changed_to = match (before, after) {
            _ if !self.cfg.ticker => None,
            (Some(b), Some(a)) if b.status == a.status => None,
            (_, Some(a)) => Some(a),
            _ => None,
        };
        if let Some(a) = changed_to {
            let kind = match a.status {
                OrderStatus::Paid => Some(NotableKind::Paid),
                OrderStatus::Cancelled => Some(NotableKind::Cancelled),
                OrderStatus::Refunded => Some(NotableKind::Refunded),
                OrderStatus::Pending => None,
            };
            if let Some(kind) = kind {
                let o = self.orders.get(oid);
                let creator = o
                    .creator()
                    .map_or(Text::default(), |c| self.creators.name(c).into());
                let what = o
                    .item()
                    .map_or(Text::default(), |i| self.products.name(i).into());
                self.notable(Notable {
                    ts: ev.ts,
                    kind,
                    creator,
                    user: display_user(ev),
                    what,
                    diamonds: 0,
                    amount: a.amount.map(|m| (m, a.currency)),
                });
            }
        }
    }

    /// Add (`sign` 1) or remove (`sign` -1) an order's contribution to the
    /// totals and to the per-second buckets of its paid and status seconds.
    fn apply_order(&mut self, c: &Contribution, sign: i64) {
        let mut b = Bkt::default();
        order_bucket(c, sign, &mut b, true, true);
        self.all.add(&b);
        if let Some(p) = c.paid_ts.filter(|&p| self.in_horizon(p)) {
            let mut pb = Bkt::default();
            order_bucket(c, sign, &mut pb, true, false);
            self.recent.at(sec(p)).add(&pb);
        }
        if self.in_horizon(c.status_ts) {
            let mut sb = Bkt::default();
            order_bucket(c, sign, &mut sb, false, true);
            self.recent.at(sec(c.status_ts)).add(&sb);
        }
    }

    fn notable(&mut self, n: Notable) {
        if self.ticker.len() == TICKER_LEN {
            self.ticker.pop_back();
        }
        // newest (by event time) first
        let i = self.ticker.partition_point(|t| t.ts > n.ts);
        self.ticker.insert(i, n);
    }
}

/// Paid money lands in the second it was paid; status counts in the
/// second of the order's latest row.
fn order_bucket(c: &Contribution, sign: i64, b: &mut Bkt, paid_part: bool, status_part: bool) {
    if paid_part && c.paid_ts.is_some() {
        b.gross_paid += sign;
        let g = b.gmv.entry(c.currency).or_default();
        if let Some(a) = c.amount {
            g.gross += sign * a;
            g.n_gross += sign;
        }
        if c.is_net_paid() {
            b.paid += sign;
            b.units += sign * c.units;
            match c.amount {
                Some(a) => {
                    g.net += sign * a;
                    g.n_net += sign;
                    let units = a as f64 / crate::model::MONEY_SCALE as f64;
                    g.net_sq += sign as f64 * units * units;
                }
                None => b.gmv_unknown += sign,
            }
        }
    }
    if status_part {
        match c.status {
            OrderStatus::Pending => b.pending += sign,
            OrderStatus::Cancelled => b.cancelled += sign,
            OrderStatus::Refunded => b.refunded += sign,
            OrderStatus::Paid => {}
        }
    }
}

fn display_user(ev: &Event) -> Text {
    ev.nickname
        .clone()
        .or_else(|| ev.user.clone())
        .unwrap_or_else(|| Text::const_new("anonymous"))
}

pub fn sec(ts: TsMs) -> i64 {
    ts.div_euclid(1000)
}
