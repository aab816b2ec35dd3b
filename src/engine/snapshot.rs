//! A consistent read of the engine for one scope (and optionally one
//! creator): everything the report and the dashboard show.

use super::amounts::Amounts;
use super::stats::{garwood, katz_ratio, wilson};
use super::{Bkt, Counters, Engine, GiftBkt, HORIZON_SECS, sec};
use crate::model::{Currency, TsMs};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Window(i64),
    All,
}

impl Scope {
    pub const CYCLE: [Scope; 5] = [
        Scope::Window(60),
        Scope::Window(300),
        Scope::Window(900),
        Scope::Window(3600),
        Scope::All,
    ];

    pub fn parse(s: &str) -> Result<Scope, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1m" => Ok(Scope::Window(60)),
            "5m" => Ok(Scope::Window(300)),
            "15m" => Ok(Scope::Window(900)),
            "1h" | "60m" => Ok(Scope::Window(3600)),
            "all" => Ok(Scope::All),
            other => Err(format!(
                "unknown window {other:?}: use 1m, 5m, 15m, 1h or all"
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Window(60) => "1m",
            Scope::Window(300) => "5m",
            Scope::Window(900) => "15m",
            Scope::Window(3600) => "1h",
            Scope::Window(_) => "window",
            Scope::All => "all",
        }
    }

    /// First millisecond in scope: the window's seconds end at `now`'s second.
    pub fn from_ms(self, now: TsMs) -> TsMs {
        match self {
            Scope::Window(s) => (sec(now) - s + 1) * 1000,
            Scope::All => TsMs::MIN,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub x: u64,
    pub n: u64,
    /// `None` when `n == 0`: no rate, never 0%.
    pub rate: Option<f64>,
    pub ci95: Option<(f64, f64)>,
}

impl Rate {
    pub fn of(x: u64, n: u64) -> Rate {
        Rate {
            x,
            n,
            rate: (n > 0).then(|| x as f64 / n as f64),
            ci95: wilson(x, n),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lift {
    pub gifter: Rate,
    pub non_gifter: Rate,
    pub lift: Option<f64>,
    pub ci95: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFigures {
    pub paid: u64,
    pub pending: u64,
    pub cancelled: u64,
    pub refunded: u64,
    pub buyers: u64,
    pub units: i64,
    pub gmv: BTreeMap<Currency, i64>,
    pub gmv_gross: BTreeMap<Currency, i64>,
    /// Paid orders whose amount was never seen (webhook-only orders).
    pub gmv_unknown: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatorRow {
    pub creator: crate::model::Text,
    pub gifts_sent: i64,
    pub diamonds: i64,
    pub gifters: u64,
    pub orders: u64,
    pub gmv: Amounts,
    pub converted: u64,
    pub conversion: Rate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopGift {
    pub gift: String,
    pub gifts_sent: i64,
    pub diamonds: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopProduct {
    pub product: String,
    pub orders: u64,
    pub units: i64,
    pub gmv: Amounts,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerMinute {
    pub minutes: f64,
    pub gifts: f64,
    pub diamonds: f64,
    pub orders: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Expected paid orders in the next 30 minutes and its 95% interval;
    /// `None` until a minute of data exists (a few seconds would project noise).
    pub orders: Option<f64>,
    pub orders_ci95: Option<(f64, f64)>,
    /// Expected net GMV per currency with a ± band (in money units).
    pub gmv: BTreeMap<Currency, (f64, f64)>,
    pub basis_minutes: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub scope: Scope,
    pub creator: Option<String>,
    pub from: Option<TsMs>,
    pub to: Option<TsMs>,
    pub counters: Counters,
    pub gifts_sent: i64,
    pub gift_rows: u64,
    pub diamonds: i64,
    pub gifters: u64,
    pub est_viewer_spend_usd: f64,
    pub est_creator_earnings_usd: f64,
    pub orders: OrderFigures,
    pub viewers: u64,
    pub gifting_buyers: u64,
    pub conversion: Rate,
    pub settled: Rate,
    pub attribution_window_ms: i64,
    pub lift: Lift,
    pub creators: Vec<CreatorRow>,
    pub top_gifts: Vec<TopGift>,
    pub top_products: Vec<TopProduct>,
    pub rates: Vec<(Scope, PerMinute)>,
    pub projection: Projection,
    pub viewers_now: Option<i64>,
    pub viewers_peak: i64,
    pub joins: u64,
    pub likes: i64,
    pub follows: u64,
    pub shares: u64,
}

/// What a snapshot reads from users and orders, by a scan or from the
/// window index.
pub(super) struct Parts {
    pub of: OrderFigures,
    pub k15: u64,
    pub gmv15: BTreeMap<Currency, super::Gmv>,
    pub per_creator: Vec<CreatorAcc>,
    pub products: Vec<Option<TopProduct>>,
    pub viewers: u64,
    pub gifters: u64,
    pub gifting_buyers: u64,
    pub converted: u64,
    pub settled_n: u64,
    pub settled_x: u64,
}

#[derive(Default)]
pub(super) struct CreatorAcc {
    pub gifters: u64,
    pub converted: u64,
    pub orders: u64,
    pub gmv: Amounts,
}

impl Engine {
    /// Figures for `scope`, for every creator or only `creator`.
    /// Creators sorted by diamonds (then name), as the report lists them.
    pub fn snapshot(&self, scope: Scope, creator: Option<&str>) -> Snapshot {
        self.snapshot_sorted(scope, creator, true)
    }

    /// The same figures with the creators in no particular order: the
    /// dashboard selects and sorts only the page it shows (with 100k
    /// creators a full sort would cost more than the rest of a frame).
    pub fn snapshot_unsorted(&self, scope: Scope, creator: Option<&str>) -> Snapshot {
        self.snapshot_sorted(scope, creator, false)
    }

    fn snapshot_sorted(&self, scope: Scope, creator: Option<&str>, sort: bool) -> Snapshot {
        let now = self.now.unwrap_or(0);
        let from = scope.from_ms(now);
        let w = self.cfg.attribution_window_ms;
        // A creator nobody has seen matches nothing.
        let only: Option<Option<u32>> = creator.map(|c| self.creators.id(c));
        let wants = |c: Option<u32>| match only {
            None => true,
            Some(sel) => sel.is_some() && c == sel,
        };

        // The window index, when it keeps this window: the main view's user
        // and order figures, and every creator's and gift's sums.
        let wi = match scope {
            Scope::Window(secs) => self
                .windex
                .as_ref()
                .and_then(|x| Some((x, x.window(secs)?))),
            Scope::All => None,
        };
        let p = match wi {
            Some((x, w)) if only.is_none() => Some(self.indexed_parts(x, w, from)),
            _ => None,
        };
        let Parts {
            of,
            k15,
            gmv15,
            mut per_creator,
            products,
            viewers,
            gifters,
            gifting_buyers,
            converted,
            settled_n,
            settled_x,
        } = match p {
            Some(p) => p,
            None => self.scan(scope, only, from, now),
        };
        // the projection's pace over the last 15 minutes: from the rings
        // unless one creator is asked for
        let (k15, gmv15) = match only {
            None => {
                let b = self.recent.sum_since(sec(Scope::Window(900).from_ms(now)));
                (b.paid.max(0) as u64, b.gmv)
            }
            Some(_) => (k15, gmv15),
        };

        // Gift sums from the index, the rings (windows) or the running
        // totals (all).
        let keyed_sum = |k: &super::Keyed| match scope {
            Scope::All => k.all,
            Scope::Window(_) => k.recent.sum_since(sec(from)),
        };
        let creator_sum = |id: u32, k: &super::Keyed| match wi {
            Some((x, w)) => x.creator_gift_sums(w, id),
            None => keyed_sum(k),
        };
        let global: Bkt = match scope {
            Scope::All => self.all.clone(),
            Scope::Window(_) => self.recent.sum_since(sec(from)),
        };
        let (gifts_sent, diamonds, gift_rows) = match only {
            None => (global.gifts_sent, global.diamonds, global.gift_rows),
            Some(None) => (0, 0, 0),
            Some(Some(c)) => {
                let g = creator_sum(c, self.creators.get(c));
                (g.gifts_sent, g.diamonds, 0)
            }
        };

        // grown from empty, 37k rows of ~150 bytes were copied ~16 times
        let mut creators: Vec<CreatorRow> = match only {
            None => Vec::with_capacity(self.creators.len()),
            Some(_) => Vec::new(),
        };
        for (cid, name, k) in self.creators.iter() {
            if !wants(Some(cid)) {
                continue;
            }
            let g: GiftBkt = creator_sum(cid, k);
            // a scan fills `per_creator`; the index leaves it empty and
            // answers per creator here, for the rows that are made
            let acc = match (per_creator.get_mut(cid as usize), wi) {
                (Some(acc), _) => std::mem::take(acc),
                (None, Some((x, w))) => x.creator_acc(w, cid),
                (None, None) => CreatorAcc::default(),
            };
            if g.gifts_sent == 0 && g.diamonds == 0 && acc.gifters == 0 && acc.orders == 0 {
                continue;
            }
            creators.push(CreatorRow {
                creator: name.into(),
                gifts_sent: g.gifts_sent,
                diamonds: g.diamonds,
                gifters: acc.gifters,
                orders: acc.orders,
                gmv: acc.gmv,
                converted: acc.converted,
                conversion: Rate::of(acc.converted, acc.gifters),
            });
        }
        if sort {
            creators.sort_unstable_by(|a, b| {
                b.diamonds
                    .cmp(&a.diamonds)
                    .then_with(|| a.creator.cmp(&b.creator))
            });
        }

        let top_gifts = if only.is_none() {
            let mut v: Vec<TopGift> = self
                .gift_items
                .iter()
                .map(|(id, name, k)| {
                    let g = match wi {
                        Some((x, w)) => x.item_gift_sums(w, id),
                        None => keyed_sum(k),
                    };
                    TopGift {
                        gift: name.to_string(),
                        gifts_sent: g.gifts_sent,
                        diamonds: g.diamonds,
                    }
                })
                .filter(|t| t.gifts_sent > 0 || t.diamonds > 0)
                .collect();
            v.sort_by(|a, b| {
                b.diamonds
                    .cmp(&a.diamonds)
                    .then_with(|| a.gift.cmp(&b.gift))
            });
            v.truncate(10);
            v
        } else {
            Vec::new()
        };
        let mut top_products: Vec<TopProduct> = products.into_iter().flatten().collect();
        top_products.sort_by(|a, b| {
            b.orders
                .cmp(&a.orders)
                .then_with(|| b.units.cmp(&a.units))
                .then_with(|| a.product.cmp(&b.product))
        });
        top_products.truncate(10);

        let non_gifter_buyers = of.buyers - gifting_buyers;
        let non_gifters = viewers - gifters;
        let gifter_rate = Rate::of(gifting_buyers, gifters);
        let non_gifter_rate = Rate::of(non_gifter_buyers, non_gifters);
        let (lift, lift_ci) =
            match katz_ratio(gifting_buyers, gifters, non_gifter_buyers, non_gifters) {
                Some((r, ci)) => (Some(r), Some(ci)),
                None => (None, None),
            };

        let rates = Scope::CYCLE[..4]
            .iter()
            .map(|&s| (s, self.per_minute(s)))
            .collect();

        Snapshot {
            scope,
            creator: creator.map(str::to_string),
            from: self.now.map(|n| match scope {
                Scope::All => self.first.unwrap_or(n),
                Scope::Window(_) => from.max(self.first.unwrap_or(from)),
            }),
            to: self.now,
            counters: self.counters.clone(),
            gifts_sent,
            gift_rows,
            diamonds,
            gifters,
            est_viewer_spend_usd: diamonds as f64 * self.cfg.usd_per_coin,
            est_creator_earnings_usd: diamonds as f64 * self.cfg.creator_usd_per_coin,
            orders: of,
            viewers,
            gifting_buyers,
            conversion: Rate::of(converted, gifters),
            settled: Rate::of(settled_x, settled_n),
            attribution_window_ms: w,
            lift: Lift {
                gifter: gifter_rate,
                non_gifter: non_gifter_rate,
                lift,
                ci95: lift_ci,
            },
            creators,
            top_gifts,
            top_products,
            rates,
            projection: self.projection(k15, &gmv15),
            viewers_now: self.viewers_now,
            viewers_peak: global.viewers_peak,
            joins: global.joins,
            likes: global.likes,
            follows: global.follows,
            shares: global.shares,
        }
    }

    /// Direct attribution (the order names a creator) wins; otherwise the
    /// creator its user last gifted within W before paying (or before its
    /// latest row, for an order never paid), kept current on the order.
    pub(super) fn attributed(&self, o: &super::orders::OrderState) -> Option<u32> {
        o.creator()
            .or_else(|| o.link.as_ref().and_then(|l| l.attr).map(|g| g.creator))
    }

    /// Paid times (current status paid) from `from_ms` on, of every order or
    /// of the orders attributed to `creator`: the detail view's order chart.
    pub fn paid_times(&self, creator: Option<&str>, from_ms: TsMs) -> Vec<TsMs> {
        let only = creator.map(|c| self.creators.id(c));
        self.orders
            .iter()
            .filter_map(|(_, o)| {
                let c = o.contribution()?;
                let p = c.paid_ts.filter(|&p| p >= from_ms && c.is_net_paid())?;
                match only {
                    None => Some(p),
                    Some(sel) => (sel.is_some() && self.attributed(o) == sel).then_some(p),
                }
            })
            .collect()
    }

    /// Minutes of data a window actually covers: a stream that began three
    /// minutes ago has three minutes in its 15-minute window.
    fn covered_minutes(&self, secs: i64) -> f64 {
        let (Some(now), Some(first)) = (self.now, self.first) else {
            return 0.0;
        };
        let have = sec(now) - sec(first) + 1;
        secs.min(have).clamp(1, HORIZON_SECS) as f64 / 60.0
    }

    pub fn per_minute(&self, scope: Scope) -> PerMinute {
        let secs = match scope {
            Scope::Window(s) => s,
            Scope::All => HORIZON_SECS,
        };
        let Some(now) = self.now else {
            return PerMinute {
                minutes: 0.0,
                gifts: 0.0,
                diamonds: 0.0,
                orders: 0.0,
            };
        };
        let b = self.recent.sum_since(sec(now) - secs + 1);
        let m = self.covered_minutes(secs);
        PerMinute {
            minutes: m,
            gifts: b.gifts_sent as f64 / m,
            diamonds: b.diamonds as f64 / m,
            orders: b.paid as f64 / m,
        }
    }

    /// Next 30 minutes at the last 15 minutes' pace (of the creator, in the
    /// detail view); intervals are on the expected value (Garwood for the
    /// count, compound Poisson for money). `k` paid orders and their money
    /// in the last 15 minutes.
    fn projection(&self, k: u64, gmv: &BTreeMap<Currency, super::Gmv>) -> Projection {
        let m = self.covered_minutes(900);
        if m < 1.0 || self.now.is_none() {
            return Projection {
                orders: None,
                orders_ci95: None,
                gmv: BTreeMap::new(),
                basis_minutes: 0.0,
            };
        }
        let scale = 30.0 / m;
        let gmv = gmv
            .iter()
            .filter(|(_, g)| g.net != 0)
            .map(|(c, g)| {
                let r = g.net as f64 / crate::model::MONEY_SCALE as f64;
                (
                    *c,
                    (
                        r * scale,
                        super::stats::Z95 * g.net_sq.max(0.0).sqrt() * scale,
                    ),
                )
            })
            .collect();
        Projection {
            orders: Some(k as f64 * scale),
            orders_ci95: garwood(k, m).map(|(lo, hi)| (lo * 30.0, hi * 30.0)),
            gmv,
            basis_minutes: m,
        }
    }
}
