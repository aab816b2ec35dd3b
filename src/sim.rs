//! The demo feed simulator: a deterministic stream of canonical events that
//! looks like a few TikTok LIVE rooms selling through TikTok Shop.
//!
//! Rows arrive as a Poisson process in event time. Each arrival is a slot
//! whose kind is drawn from the configured mix, so the row shares match the
//! mix exactly in expectation. Work that belongs to the future waits in
//! time-ordered queues and is taken by the next slot of its kind once due:
//! the later rows of a split gift streak (next gift slot), an order's
//! paid/cancelled/refunded rows and purchases a gift made a viewer intend
//! (next order slots). Concurrent-viewer rows come on top of the mix, on
//! their own per-creator clock.

use crate::encode;
use crate::model::{Currency, Event, Kind, MONEY_SCALE, OrderStatus, TsMs};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// 2026-11-23T20:00:00Z, where the presets start.
pub const DEFAULT_START_MS: TsMs = 1_795_464_000_000;

const SEC: i64 = 1_000;
const MIN: i64 = 60 * SEC;

/// Shares of the rows, by kind (normalised; need not sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mix {
    pub gift: f64,
    pub order: f64,
    pub join: f64,
    pub like: f64,
    pub follow: f64,
    pub share: f64,
}

impl Mix {
    const KINDS: [Kind; 6] = [
        Kind::Gift,
        Kind::Order,
        Kind::Join,
        Kind::Like,
        Kind::Follow,
        Kind::Share,
    ];

    fn weights(&self) -> [f64; 6] {
        [
            self.gift,
            self.order,
            self.join,
            self.like,
            self.follow,
            self.share,
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub seed: u64,
    pub creators: usize,
    pub users: usize,
    /// Event time of the stream's start (ms since the epoch).
    pub start_ms: TsMs,
    /// Event-time rate of the mix rows; viewers rows come on top.
    pub events_per_sec: f64,
    pub mix: Mix,
    /// Period of each creator's concurrent-viewers row; `None`: no such rows.
    pub viewers_every_ms: Option<i64>,
    /// Length of the stream: the simulator ends there. `None`: endless.
    pub duration_ms: Option<i64>,
    /// Chance that a gift makes its sender buy within the next half hour
    /// (at most one such purchase per viewer every two hours).
    pub buy_after_gift: f64,
    /// Chance that an order slot with nothing due goes to a random viewer
    /// even while gift-inspired purchases wait (the baseline buyers).
    pub organic_share: f64,
    /// Share of orders priced in EUR instead of USD.
    pub eur_share: f64,
    /// Zipf exponents (weights 1/rank^s) of creators, of viewers for
    /// joins/likes/follows/shares/orders, and of viewers for gifts.
    pub creator_skew: f64,
    pub viewer_skew: f64,
    pub gifter_skew: f64,
    /// Event ids shaped like UUIDs (unique, in no order) instead of a
    /// counter (`e1`, `e2`, ...), which de-duplication keeps as a run.
    pub uuid_ids: bool,
}

impl SimConfig {
    /// Five invented rooms, ~3k viewers, a lively mix for the dashboard.
    pub fn demo(seed: u64) -> SimConfig {
        SimConfig {
            seed,
            creators: 5,
            users: 3_000,
            start_ms: DEFAULT_START_MS,
            events_per_sec: 25.0,
            mix: Mix {
                gift: 0.30,
                order: 0.05,
                join: 0.20,
                like: 0.35,
                follow: 0.05,
                share: 0.05,
            },
            viewers_every_ms: Some(5 * SEC),
            duration_ms: None,
            buy_after_gift: 0.12,
            organic_share: 0.35,
            eur_share: 0.06,
            creator_skew: 0.8,
            viewer_skew: 0.9,
            gifter_skew: 1.2,
            uuid_ids: false,
        }
    }

    /// ~200 creators, ~200k viewers, 70% gifts, 10% order rows, 20% joins.
    pub fn bench(seed: u64) -> SimConfig {
        SimConfig {
            creators: 200,
            users: 200_000,
            events_per_sec: 2_000.0,
            mix: Mix {
                gift: 0.70,
                order: 0.10,
                join: 0.20,
                like: 0.0,
                follow: 0.0,
                share: 0.0,
            },
            viewers_every_ms: None,
            eur_share: 0.0,
            creator_skew: 1.0,
            viewer_skew: 1.0,
            gifter_skew: 1.1,
            ..SimConfig::demo(seed)
        }
    }

    /// Three rooms, a two-hour stream of a few thousand events (sample files).
    pub fn sample(seed: u64) -> SimConfig {
        SimConfig {
            creators: 3,
            users: 900,
            events_per_sec: 0.45,
            mix: Mix {
                gift: 0.32,
                order: 0.07,
                join: 0.22,
                like: 0.29,
                follow: 0.05,
                share: 0.05,
            },
            viewers_every_ms: Some(20 * SEC),
            duration_ms: Some(120 * MIN),
            buy_after_gift: 0.15,
            eur_share: 0.0,
            ..SimConfig::demo(seed)
        }
    }
}

struct Gift {
    name: &'static str,
    diamonds: i64,
    weight: f64,
    streakable: bool,
}

const fn gift(name: &'static str, diamonds: i64, weight: f64, streakable: bool) -> Gift {
    Gift {
        name,
        diamonds,
        weight,
        streakable,
    }
}

/// Diamond (coin) prices of real TikTok gifts; cheap ones far more common.
const GIFTS: [Gift; 23] = [
    gift("Rose", 1, 300.0, true),
    gift("TikTok", 1, 120.0, true),
    gift("GG", 1, 70.0, true),
    gift("Ice Cream Cone", 1, 60.0, true),
    gift("Heart Me", 1, 50.0, true),
    gift("Finger Heart", 5, 80.0, true),
    gift("Rosa", 10, 25.0, true),
    gift("Friendship Necklace", 10, 18.0, true),
    gift("Perfume", 20, 14.0, true),
    gift("Doughnut", 30, 12.0, true),
    gift("Paper Crane", 99, 5.0, false),
    gift("Hand Hearts", 100, 6.0, false),
    gift("Confetti", 100, 4.0, false),
    gift("Sunglasses", 199, 2.5, false),
    gift("Corgi", 299, 2.0, false),
    gift("Money Gun", 500, 1.2, false),
    gift("Swan", 699, 0.7, false),
    gift("Galaxy", 1000, 0.5, false),
    gift("Whale diving", 2150, 0.2, false),
    gift("Motorcycle", 2988, 0.12, false),
    gift("Private Jet", 4888, 0.06, false),
    gift("Lion", 29999, 0.012, false),
    gift("Universe", 34999, 0.008, false),
];

/// Streak lengths and their weights.
const STREAK_QTY: [(i64, f64); 12] = [
    (2, 30.0),
    (3, 22.0),
    (4, 15.0),
    (5, 12.0),
    (6, 7.0),
    (8, 6.0),
    (10, 8.0),
    (15, 3.0),
    (20, 3.0),
    (30, 1.5),
    (50, 1.0),
    (99, 0.6),
];

/// Shop products, USD prices in cents, most popular first.
const PRODUCTS: [(&str, i64); 16] = [
    ("Lip Tint", 999),
    ("Glow Serum 30ml", 2450),
    ("Claw Clip Set", 799),
    ("Phone Grip", 1299),
    ("Sheet Mask 10-pack", 1499),
    ("LED Ring Light", 2999),
    ("Insulated Tumbler 40oz", 2299),
    ("Scrunchie 3-pack", 599),
    ("Cargo Joggers", 2799),
    ("Lash Serum", 1850),
    ("Matcha Starter Kit", 3400),
    ("Silk Pillowcase", 1999),
    ("Air Fryer Liners", 899),
    ("Cozy Hoodie", 3499),
    ("Wireless Earbuds", 3999),
    ("Mini Projector", 8999),
];

const HANDLES: [&str; 12] = [
    "glowwithmia",
    "chef.kenji",
    "lena.lifts",
    "thriftqueen.tx",
    "dj_nova",
    "sakura.studio",
    "gadgetgabe",
    "plantmom.pia",
    "rico.cooks",
    "ava.unboxes",
    "coach.tomi",
    "luxe.lashes",
];
const HANDLE_ADJ: [&str; 16] = [
    "sunny", "cozy", "lucky", "daily", "urban", "retro", "happy", "tiny", "wild", "chill", "glam",
    "fresh", "bold", "sweet", "late", "real",
];
const HANDLE_NOUN: [&str; 16] = [
    "kitchen", "closet", "beauty", "gamer", "finds", "studio", "vibes", "deals", "garden",
    "makeup", "fitness", "books", "crafts", "beats", "pets", "looks",
];
const NAMES: [&str; 32] = [
    "Mia",
    "Jay",
    "Lukas",
    "Sofia",
    "Omar",
    "Chloe",
    "Diego",
    "Aisha",
    "Noah",
    "Emma",
    "Kenji",
    "Priya",
    "Zoe",
    "Mateo",
    "Lina",
    "Ethan",
    "Yara",
    "Leo",
    "Ivy",
    "Marco",
    "Nina",
    "Sam",
    "Ava",
    "Theo",
    "Maya",
    "さくら",
    "小雨",
    "민지",
    "Мария",
    "Håkon",
    "Zoë",
    "José",
];
const DECOR: [&str; 16] = [
    "",
    "",
    "",
    "",
    "",
    " ✨",
    " 🔥",
    "💖",
    "_xo",
    ".daily",
    " 🌸",
    "🍓",
    " (LIVE fan)",
    ", the great",
    " \"Kiki\"",
    " 🇧🇷",
];

/// Order lifecycle.
const P_PAID: f64 = 0.88;
const P_UNPAID_CANCEL: f64 = 0.07; // the rest stays pending
const P_REFUND_AFTER_PAID: f64 = 0.05;
const P_CANCEL_AFTER_PAID: f64 = 0.03;
const P_COUPON: f64 = 0.15;
/// Orders naming the room they were bought in.
const P_NAMED_AFTER_GIFT: f64 = 0.65;
const P_NAMED_ORGANIC: f64 = 0.40;
/// Viewers mostly stay in their favourite room.
const P_FAVOURITE_ROOM: f64 = 0.85;
const P_STREAK: f64 = 0.40;
const P_SPLIT_STREAK: f64 = 0.35;
const INTENT_EVERY_MS: i64 = 120 * MIN;
/// Gift-inspired purchases not placed this long after they were due are dropped.
const INTENT_STALE_MS: i64 = 15 * MIN;
const MAX_USERS: usize = 10_000_000;
const MAX_CREATORS: usize = 100_000;
const NONE: u32 = u32::MAX;

/// Picks an index by weight; index 0 when no weight is usable.
struct Weighted(Option<WeightedIndex<f64>>);

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        Weighted(WeightedIndex::new(weights).ok())
    }

    fn zipf(n: usize, s: f64) -> Weighted {
        Weighted::new((1..=n.max(1)).map(|r| (r as f64).powf(-s)))
    }

    fn pick(&self, rng: &mut StdRng) -> usize {
        self.0.as_ref().map_or(0, |w| w.sample(rng))
    }
}

/// Something due at `ts`; `seq` keeps equal times in insertion order.
struct Due<T> {
    ts: TsMs,
    seq: u64,
    what: T,
}

impl<T> PartialEq for Due<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.ts, self.seq) == (o.ts, o.seq)
    }
}
impl<T> Eq for Due<T> {}
impl<T> PartialOrd for Due<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Due<T> {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.ts, self.seq).cmp(&(o.ts, o.seq))
    }
}

/// Earliest first.
type Queue<T> = BinaryHeap<Reverse<Due<T>>>;

/// The earliest entry, if it is due by `ts`.
fn pop_due<T>(q: &mut Queue<T>, ts: TsMs) -> Option<T> {
    if q.peek().is_some_and(|d| d.0.ts <= ts) {
        q.pop().map(|d| d.0.what)
    } else {
        None
    }
}

#[derive(Clone, Copy)]
struct Streak {
    creator: u32,
    user: u32,
    gift: usize,
    rows_left: i64,
    qty_left: i64,
}

#[derive(Clone, Copy)]
struct Order {
    id: u64,
    user: u32,
    creator: Option<u32>,
    product: usize,
    units: i64,
    amount: i64,
    currency: Currency,
}

#[derive(Clone, Copy)]
struct Intent {
    user: u32,
    creator: u32,
}

pub struct Simulator {
    cfg: SimConfig,
    rng: StdRng,
    creator_names: Vec<String>,
    creator_pick: Weighted,
    viewer_pick: Weighted,
    gifter_pick: Weighted,
    kind_pick: Weighted,
    gift_pick: Weighted,
    streak_qty_pick: Weighted,
    product_pick: Weighted,
    /// Per user: favourite room (`NONE` until first needed).
    favourite: Vec<u32>,
    /// Per user: when a gift last made them intend to buy.
    last_intent: Vec<TsMs>,
    /// Per creator: peak concurrent viewers and the phase of their wave.
    peak_viewers: Vec<f64>,
    phase: Vec<f64>,
    /// Event time of the next slot, in ms after `start_ms`.
    clock: f64,
    end: Option<TsMs>,
    done: bool,
    /// Rows emitted so far (event ids) and queue insertions / orders so far.
    rows: u64,
    queued: u64,
    orders: u64,
    streaks: Queue<Streak>,
    followups: Queue<(Order, OrderStatus)>,
    intents: Queue<Intent>,
    viewer_ticks: BinaryHeap<Reverse<(TsMs, u32)>>,
}

fn finite_or(x: f64, default: f64) -> f64 {
    if x.is_finite() { x } else { default }
}

fn prob(p: f64) -> f64 {
    finite_or(p, 0.0).clamp(0.0, 1.0)
}

/// Bring every knob into a range the simulator can work with.
fn sanitize(mut cfg: SimConfig) -> SimConfig {
    cfg.creators = cfg.creators.clamp(1, MAX_CREATORS);
    cfg.users = cfg.users.clamp(1, MAX_USERS);
    cfg.events_per_sec = finite_or(cfg.events_per_sec, 1.0).clamp(1e-6, 1e9);
    let share = |x: f64| finite_or(x, 0.0).max(0.0);
    let m = &mut cfg.mix;
    for x in [
        &mut m.gift,
        &mut m.order,
        &mut m.join,
        &mut m.like,
        &mut m.follow,
        &mut m.share,
    ] {
        *x = share(*x);
    }
    cfg.viewers_every_ms = cfg.viewers_every_ms.map(|p| p.clamp(100, 24 * 60 * MIN));
    cfg.duration_ms = cfg.duration_ms.map(|d| d.max(0));
    cfg.buy_after_gift = prob(cfg.buy_after_gift);
    cfg.organic_share = prob(cfg.organic_share);
    cfg.eur_share = prob(cfg.eur_share);
    for s in [
        &mut cfg.creator_skew,
        &mut cfg.viewer_skew,
        &mut cfg.gifter_skew,
    ] {
        *s = finite_or(*s, 1.0).clamp(0.0, 4.0);
    }
    cfg
}

fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn creator_name(i: usize) -> String {
    match HANDLES.get(i) {
        Some(h) => h.to_string(),
        None => {
            let h = mix64(i as u64);
            let adj = HANDLE_ADJ[(h % 16) as usize];
            let noun = HANDLE_NOUN[((h >> 8) % 16) as usize];
            let sep = ["", ".", "_"][((h >> 16) % 3) as usize];
            format!("{adj}{sep}{noun}{}", i)
        }
    }
}

/// Viewer ids look like `u483920`: a fixed shuffle of the viewer index.
fn user_id(users: usize, i: u32) -> String {
    if users <= 900_000 {
        format!("u{}", 100_000 + (u64::from(i) * 7_919 + 4_567) % 900_000)
    } else {
        format!("u{}", 1_000_000 + u64::from(i))
    }
}

fn nickname(seed: u64, i: u32) -> String {
    let h = mix64(seed ^ mix64(u64::from(i)));
    let name = NAMES[(h % NAMES.len() as u64) as usize];
    if (h >> 12).is_multiple_of(4) {
        format!("{name}{}", (h >> 20) % 999 + 1)
    } else {
        let decor = DECOR[((h >> 24) % DECOR.len() as u64) as usize];
        format!("{name}{decor}")
    }
}

/// TikTok Shop style 18-digit order ids, unique per order number (an
/// invertible scramble of it below 10^15).
fn order_id(n: u64) -> String {
    const SPAN: u128 = 1_000_000_000_000_000;
    let x = (u128::from(n) * 387_420_489_123_457 + 461_413_038_785) % SPAN;
    format!("{}", 576_000_000_000_000_000u128 + x)
}

impl Simulator {
    pub fn new(cfg: SimConfig) -> Simulator {
        let cfg = sanitize(cfg);
        let mut rng = StdRng::seed_from_u64(cfg.seed);
        let n_creators = cfg.creators;
        let creator_weights: Vec<f64> = (1..=n_creators)
            .map(|r| (r as f64).powf(-cfg.creator_skew))
            .collect();
        let total: f64 = creator_weights.iter().sum();
        let phase: Vec<f64> = (0..n_creators)
            .map(|_| rng.random_range(0.0..std::f64::consts::TAU))
            .collect();
        let peak_viewers = creator_weights
            .iter()
            .map(|w| (cfg.users as f64 * 0.6 * w / total).max(3.0))
            .collect();
        let mut viewer_ticks = BinaryHeap::new();
        if let Some(every) = cfg.viewers_every_ms {
            for c in 0..n_creators {
                let at = cfg.start_ms.saturating_add(rng.random_range(0..every));
                viewer_ticks.push(Reverse((at, c as u32)));
            }
        }
        let mut sim = Simulator {
            rng,
            creator_names: (0..n_creators).map(creator_name).collect(),
            creator_pick: Weighted::new(creator_weights),
            viewer_pick: Weighted::zipf(cfg.users, cfg.viewer_skew),
            gifter_pick: Weighted::zipf(cfg.users, cfg.gifter_skew),
            kind_pick: Weighted::new(cfg.mix.weights()),
            gift_pick: Weighted::new(GIFTS.iter().map(|g| g.weight)),
            streak_qty_pick: Weighted::new(STREAK_QTY.iter().map(|q| q.1)),
            product_pick: Weighted::zipf(PRODUCTS.len(), 1.0),
            favourite: vec![NONE; cfg.users],
            last_intent: vec![TsMs::MIN; cfg.users],
            peak_viewers,
            phase,
            clock: 0.0,
            end: cfg.duration_ms.map(|d| cfg.start_ms.saturating_add(d)),
            done: false,
            rows: 0,
            queued: 0,
            orders: 0,
            streaks: BinaryHeap::new(),
            followups: BinaryHeap::new(),
            intents: BinaryHeap::new(),
            viewer_ticks,
            cfg,
        };
        sim.advance_clock();
        sim
    }

    /// The configuration in use (after out-of-range values were clamped).
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    fn advance_clock(&mut self) {
        let u: f64 = self.rng.random();
        self.clock += -(1.0 - u).ln() * 1000.0 / self.cfg.events_per_sec;
    }

    fn slot_ts(&self) -> TsMs {
        self.cfg.start_ms.saturating_add(self.clock as i64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    fn ms_between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi)
    }

    fn push<T>(&mut self, q: fn(&mut Simulator) -> &mut Queue<T>, ts: TsMs, what: T) {
        self.queued += 1;
        let seq = self.queued;
        q(self).push(Reverse(Due { ts, seq, what }));
    }

    fn room_of(&mut self, user: u32) -> u32 {
        let fav = match self.favourite.get(user as usize) {
            Some(&f) if f != NONE => f,
            _ => {
                let f = self.creator_pick.pick(&mut self.rng) as u32;
                if let Some(slot) = self.favourite.get_mut(user as usize) {
                    *slot = f;
                }
                f
            }
        };
        if self.chance(P_FAVOURITE_ROOM) {
            fav
        } else {
            self.creator_pick.pick(&mut self.rng) as u32
        }
    }

    fn row(&self, ts: TsMs, kind: Kind, creator: Option<u32>, user: Option<u32>) -> Event {
        let mut ev = Event::new(ts, kind);
        ev.creator = creator
            .and_then(|c| self.creator_names.get(c as usize).cloned())
            .map(Into::into);
        if let Some(u) = user {
            ev.user = Some(user_id(self.cfg.users, u).into());
            ev.nickname = Some(nickname(self.cfg.seed, u).into());
        }
        ev
    }

    fn slot(&mut self, ts: TsMs) -> Event {
        let kind = Mix::KINDS
            .get(self.kind_pick.pick(&mut self.rng))
            .copied()
            .unwrap_or(Kind::Gift);
        match kind {
            Kind::Gift => self.gift_slot(ts),
            Kind::Order => self.order_slot(ts),
            other => {
                let user = self.viewer_pick.pick(&mut self.rng) as u32;
                let creator = self.room_of(user);
                let mut ev = self.row(ts, other, Some(creator), Some(user));
                if other == Kind::Like {
                    // a tap burst: mostly a few likes, sometimes a flurry
                    ev.qty = if self.chance(0.8) {
                        self.rng.random_range(1..=5)
                    } else {
                        self.rng.random_range(6..=30)
                    };
                }
                ev
            }
        }
    }

    fn gift_row(&self, ts: TsMs, s: &Streak, qty: i64) -> Event {
        let g = &GIFTS[s.gift.min(GIFTS.len() - 1)];
        let mut ev = self.row(ts, Kind::Gift, Some(s.creator), Some(s.user));
        ev.item = Some(g.name.to_string().into());
        ev.qty = qty;
        ev.diamonds = g.diamonds * qty;
        ev
    }

    fn gift_slot(&mut self, ts: TsMs) -> Event {
        let Some(mut s) = pop_due(&mut self.streaks, ts) else {
            return self.new_gift(ts);
        };
        let qty = if s.rows_left <= 1 {
            s.qty_left
        } else {
            let most = (s.qty_left - (s.rows_left - 1)).max(1);
            self.rng.random_range(1..=most)
        };
        s.rows_left -= 1;
        s.qty_left -= qty;
        let ev = self.gift_row(ts, &s, qty);
        if s.rows_left > 0 && s.qty_left > 0 {
            let at = ts.saturating_add(self.ms_between(300, 1_500));
            self.push(|m| &mut m.streaks, at, s);
        }
        ev
    }

    fn new_gift(&mut self, ts: TsMs) -> Event {
        let user = self.gifter_pick.pick(&mut self.rng) as u32;
        let creator = self.room_of(user);
        let gift = self.gift_pick.pick(&mut self.rng).min(GIFTS.len() - 1);
        let mut s = Streak {
            creator,
            user,
            gift,
            rows_left: 0,
            qty_left: 0,
        };
        let mut qty = 1;
        if GIFTS[gift].streakable && self.chance(P_STREAK) {
            let i = self.streak_qty_pick.pick(&mut self.rng);
            qty = STREAK_QTY.get(i).map_or(2, |q| q.0);
            if self.chance(P_SPLIT_STREAK) {
                // the same streak reported over a few rows in quick succession
                let rows: i64 = self.rng.random_range(2..=4);
                let total = qty.max(rows);
                qty = self.rng.random_range(1..=total - (rows - 1));
                s.rows_left = rows - 1;
                s.qty_left = total - qty;
                let at = ts.saturating_add(self.ms_between(300, 1_500));
                self.push(|m| &mut m.streaks, at, s);
            }
        }
        self.maybe_intend_to_buy(ts, user, creator);
        self.gift_row(ts, &s, qty)
    }

    /// A gift sometimes leads to a purchase, usually within minutes and
    /// nearly always within the half-hour attribution window.
    fn maybe_intend_to_buy(&mut self, ts: TsMs, user: u32, creator: u32) {
        let Some(last) = self.last_intent.get(user as usize).copied() else {
            return;
        };
        if last > ts.saturating_sub(INTENT_EVERY_MS) || !self.chance(self.cfg.buy_after_gift) {
            return;
        }
        if let Some(l) = self.last_intent.get_mut(user as usize) {
            *l = ts;
        }
        let u: f64 = self.rng.random();
        let mut delay = 15 * SEC + (-(1.0 - u).ln() * 6.0 * MIN as f64) as i64;
        if delay > 27 * MIN {
            delay = self.ms_between(15 * SEC, 27 * MIN);
        }
        self.push(
            |m| &mut m.intents,
            ts.saturating_add(delay),
            Intent { user, creator },
        );
    }

    fn order_slot(&mut self, ts: TsMs) -> Event {
        if let Some((order, status)) = pop_due(&mut self.followups, ts) {
            return self.order_row(ts, order, status);
        }
        if !self.chance(self.cfg.organic_share) {
            let stale = ts.saturating_sub(INTENT_STALE_MS);
            while self.intents.peek().is_some_and(|d| d.0.ts < stale) {
                self.intents.pop();
            }
            if let Some(i) = pop_due(&mut self.intents, ts) {
                let named = self.chance(P_NAMED_AFTER_GIFT);
                return self.new_order(ts, i.user, named.then_some(i.creator));
            }
        }
        let user = self.viewer_pick.pick(&mut self.rng) as u32;
        let room = self.room_of(user);
        let named = self.chance(P_NAMED_ORGANIC);
        self.new_order(ts, user, named.then_some(room))
    }

    fn new_order(&mut self, ts: TsMs, user: u32, creator: Option<u32>) -> Event {
        self.orders += 1;
        let product = self
            .product_pick
            .pick(&mut self.rng)
            .min(PRODUCTS.len() - 1);
        let r: f64 = self.rng.random();
        let units = if r < 0.80 {
            1
        } else if r < 0.95 {
            2
        } else {
            3
        };
        let mut cents = PRODUCTS[product].1;
        let currency = if self.chance(self.cfg.eur_share) {
            // shelf prices end in 9 in EUR too
            cents = cents * 92 / 100 / 10 * 10 + 9;
            Currency::parse("EUR").unwrap_or(Currency::USD)
        } else {
            Currency::USD
        };
        let mut total = cents * units;
        if self.chance(P_COUPON) {
            total = total * 9 / 10;
        }
        let order = Order {
            id: self.orders,
            user,
            creator,
            product,
            units,
            amount: total * (MONEY_SCALE / 100),
            currency,
        };
        self.order_row(ts, order, OrderStatus::Pending)
    }

    /// One row of an order's lifecycle, scheduling the next one if any.
    fn order_row(&mut self, ts: TsMs, o: Order, status: OrderStatus) -> Event {
        let next = match status {
            OrderStatus::Pending => {
                let r: f64 = self.rng.random();
                if r < P_PAID {
                    Some((OrderStatus::Paid, self.ms_between(3 * SEC, 60 * SEC)))
                } else if r < P_PAID + P_UNPAID_CANCEL {
                    Some((OrderStatus::Cancelled, self.ms_between(MIN, 15 * MIN)))
                } else {
                    None
                }
            }
            OrderStatus::Paid => {
                let r: f64 = self.rng.random();
                if r < P_REFUND_AFTER_PAID {
                    Some((OrderStatus::Refunded, self.ms_between(3 * MIN, 25 * MIN)))
                } else if r < P_REFUND_AFTER_PAID + P_CANCEL_AFTER_PAID {
                    Some((OrderStatus::Cancelled, self.ms_between(MIN, 10 * MIN)))
                } else {
                    None
                }
            }
            OrderStatus::Cancelled | OrderStatus::Refunded => None,
        };
        if let Some((s, delay)) = next {
            self.push(|m| &mut m.followups, ts.saturating_add(delay), (o, s));
        }
        let mut ev = self.row(ts, Kind::Order, o.creator, Some(o.user));
        ev.item = PRODUCTS
            .get(o.product)
            .map(|p| p.0.to_string())
            .map(Into::into);
        ev.qty = o.units;
        ev.amount = Some(o.amount);
        ev.currency = Some(o.currency);
        ev.order_id = Some(order_id(o.id).into());
        ev.status = Some(status);
        ev
    }

    /// Concurrent viewers: a ramp-up over the first minutes, a slow wave and noise.
    fn viewers_row(&mut self, ts: TsMs, creator: u32) -> Event {
        let c = creator as usize;
        let minutes = ts.saturating_sub(self.cfg.start_ms) as f64 / MIN as f64;
        let ramp = 1.0 - (-(minutes.max(0.0) + 1.0) / 6.0).exp();
        let phase = self.phase.get(c).copied().unwrap_or(0.0);
        let wave = 1.0 + 0.12 * (std::f64::consts::TAU * minutes / 17.0 + phase).sin();
        let noise = self.rng.random_range(0.97..1.03);
        let peak = self.peak_viewers.get(c).copied().unwrap_or(3.0);
        let mut ev = self.row(ts, Kind::Viewers, Some(creator), None);
        ev.qty = ((peak * ramp * wave * noise).round() as i64).max(1);
        if let Some(every) = self.cfg.viewers_every_ms {
            let jitter = self.ms_between(every * 4 / 5, every * 6 / 5).max(1);
            self.viewer_ticks
                .push(Reverse((ts.saturating_add(jitter), creator)));
        }
        ev
    }
}

impl Iterator for Simulator {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        let slot_ts = self.slot_ts();
        let tick = self
            .viewer_ticks
            .peek()
            .map(|r| r.0)
            .filter(|&(t, _)| t <= slot_ts);
        let ts = tick.map_or(slot_ts, |t| t.0);
        if self.end.is_some_and(|e| ts > e) {
            self.done = true;
            return None;
        }
        let mut ev = match tick {
            Some((t, c)) => {
                self.viewer_ticks.pop();
                self.viewers_row(t, c)
            }
            None => {
                let ev = self.slot(slot_ts);
                self.advance_clock();
                ev
            }
        };
        self.rows += 1;
        ev.event_id = Some(if self.cfg.uuid_ids {
            uuid_like(self.rows).into()
        } else {
            format!("e{}", self.rows).into()
        });
        Some(ev)
    }
}

/// A version-4-UUID-shaped id for row `n`, unique and in no order: 64 of
/// its bits are a one-to-one mix of `n` (odd multipliers and xor-shifts
/// are each one-to-one), the other 56 more of the same mix.
fn uuid_like(n: u64) -> String {
    let mut y = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    y ^= y >> 32;
    y = y.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    y ^= y >> 29;
    let z = y.wrapping_mul(0x1656_67b1_9e37_79f9) ^ n;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:04x}{:08x}",
        y >> 32,
        (y >> 16) & 0xffff,
        z & 0xfff,
        (z >> 12) & 0xfff,
        y & 0xffff,
        z >> 32
    )
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Ndjson(io::BufWriter<W>, Vec<u8>),
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("CSV: {other:?}")),
    }
}

impl<W: Write> Sink<W> {
    fn write(&mut self, ev: &Event) -> io::Result<()> {
        match self {
            Sink::Csv(w) => encode::write_csv(w, ev).map_err(csv_io),
            Sink::Ndjson(w, buf) => {
                buf.clear();
                encode::write_ndjson(buf, ev);
                buf.push(b'\n');
                w.write_all(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Csv(w) => w.flush(),
            Sink::Ndjson(w, _) => w.flush(),
        }
    }
}

/// Write simulated events to `out`: NDJSON lines, or CSV with a header.
///
/// Stops after `count` events, or at the first event past start +
/// `duration_ms`, or when a finite preset ends. With `realtime_rate` the
/// stream starts now and each event is written when the wall clock reaches
/// its timestamp, about `r` events a second in all (viewers rows included),
/// flushed whenever it waits; without `count`/`duration_ms` it runs until
/// the reader goes away. A closed pipe ends the run quietly.
pub fn run(
    mut cfg: SimConfig,
    count: Option<u64>,
    duration_ms: Option<i64>,
    realtime_rate: Option<f64>,
    csv: bool,
    out: impl Write,
) -> io::Result<()> {
    let pace = match realtime_rate {
        None => None,
        Some(r) if r.is_finite() && r > 0.0 => Some(r),
        Some(r) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the real-time rate must be a positive number of events a second, not {r}"),
            ));
        }
    };
    let wall = Instant::now();
    if let Some(r) = pace {
        cfg.start_ms = chrono::Utc::now().timestamp_millis();
        let creators = cfg.creators.clamp(1, MAX_CREATORS) as f64;
        let viewers_rate = cfg
            .viewers_every_ms
            .map_or(0.0, |p| creators * 1000.0 / p.max(100) as f64);
        cfg.events_per_sec = (r - viewers_rate).max(r * 0.5);
    }
    let start = cfg.start_ms;
    let end = duration_ms.map(|d| start.saturating_add(d.max(0)));
    let mut sim = Simulator::new(cfg);
    let mut sink = if csv {
        Sink::Csv(Box::new(csv::Writer::from_writer(out)))
    } else {
        Sink::Ndjson(io::BufWriter::with_capacity(64 * 1024, out), Vec::new())
    };
    let mut go = || -> io::Result<()> {
        if let Sink::Csv(w) = &mut sink {
            encode::write_csv_header(w).map_err(csv_io)?;
        }
        let mut written = 0u64;
        while count.is_none_or(|c| written < c) {
            let Some(ev) = sim.next() else { break };
            if end.is_some_and(|e| ev.ts > e) {
                break;
            }
            if pace.is_some() {
                loop {
                    let now = start.saturating_add(wall.elapsed().as_millis() as i64);
                    if now >= ev.ts {
                        break;
                    }
                    sink.flush()?;
                    let wait = (ev.ts - now).clamp(1, 250) as u64;
                    std::thread::sleep(Duration::from_millis(wait));
                }
            }
            sink.write(&ev)?;
            written += 1;
        }
        sink.flush()
    };
    match go() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// UUID-shaped ids: distinct, shaped like version 4, and not a counter
    /// (neighbouring rows' ids share no prefix).
    #[test]
    fn uuid_ids_are_distinct_and_shaped_like_uuids() {
        let ids: HashSet<String> = (1..=300_000).map(uuid_like).collect();
        assert_eq!(ids.len(), 300_000);
        for id in ids.iter().take(1000) {
            let groups: Vec<&str> = id.split('-').collect();
            let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
            assert_eq!(lens, [8, 4, 4, 4, 12], "{id}");
            assert!(
                groups[2].starts_with('4') && groups[3].starts_with('a'),
                "{id}"
            );
            assert!(id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        }
        assert_ne!(uuid_like(1)[..8], uuid_like(2)[..8]);
        let mut sim = Simulator::new(SimConfig {
            uuid_ids: true,
            ..SimConfig::bench(1)
        });
        let ev = sim.next();
        assert_eq!(
            ev.and_then(|e| e.event_id).as_deref(),
            Some(uuid_like(1).as_str())
        );
    }

    #[test]
    fn user_ids_are_distinct_and_nicknames_varied() {
        let ids: HashSet<String> = (0..200_000).map(|i| user_id(200_000, i)).collect();
        assert_eq!(ids.len(), 200_000);
        assert!(ids.iter().all(|id| id.len() == 7 && id.starts_with('u')));
        let nicks: HashSet<String> = (0..3_000).map(|i| nickname(7, i)).collect();
        assert!(nicks.len() > 1_000);
        assert!(nicks.iter().any(|n| !n.is_ascii()));
        assert!(nicks.iter().any(|n| n.contains(',') || n.contains('"')));
        let oids: HashSet<String> = (1..10_000).map(order_id).collect();
        assert_eq!(oids.len(), 9_999);
        assert!(oids.iter().all(|o| o.len() == 18));
        let names: HashSet<String> = (0..500).map(creator_name).collect();
        assert_eq!(names.len(), 500);
    }

    #[test]
    fn absurd_configs_do_not_panic() {
        let mut cfg = SimConfig::demo(1);
        cfg.creators = 0;
        cfg.users = 0;
        cfg.events_per_sec = f64::NAN;
        cfg.mix = Mix {
            gift: -1.0,
            order: f64::INFINITY,
            join: 0.0,
            like: 0.0,
            follow: 0.0,
            share: 0.0,
        };
        cfg.viewers_every_ms = Some(i64::MAX);
        cfg.buy_after_gift = 7.0;
        cfg.creator_skew = f64::NAN;
        cfg.start_ms = i64::MAX - 10;
        assert_eq!(Simulator::new(cfg.clone()).take(2_000).count(), 2_000);
        cfg.mix.order = 0.0;
        cfg.duration_ms = Some(-1);
        cfg.start_ms = 0;
        assert!(Simulator::new(cfg).take(10).all(|e| e.ts == 0));
    }

    #[test]
    fn streak_rows_add_up_and_gifts_are_priced() {
        let mut streak_rows = 0;
        for ev in Simulator::new(SimConfig::bench(3)).take(20_000) {
            if ev.kind == Kind::Gift {
                let item = ev.item.as_deref().unwrap_or_default();
                let g = GIFTS.iter().find(|g| g.name == item).unwrap();
                assert_eq!(ev.diamonds, g.diamonds * ev.qty);
                assert!(ev.qty >= 1);
                if ev.qty > 1 {
                    streak_rows += 1;
                }
            }
        }
        assert!(streak_rows > 1_000, "{streak_rows}");
    }
}
