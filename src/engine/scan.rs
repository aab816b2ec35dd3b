//! The scan behind a snapshot: every order with a row in scope and every
//! user, for `all`, a creator's detail, the headless report, and the
//! dashboard while it has no window index. The window index
//! (`window`, `windowed`) must give the same figures; `tests/engine_window.rs`
//! holds it to that.

use super::Engine;
use super::snapshot::{CreatorAcc, OrderFigures, Parts, Scope, TopProduct};
use crate::model::{Currency, OrderStatus, TsMs};
use std::collections::BTreeMap;

impl Engine {
    /// The figures that need every user and order in scope: one pass over
    /// the orders with a row in scope and one over the users.
    pub(super) fn scan(
        &self,
        scope: Scope,
        only: Option<Option<u32>>,
        from: TsMs,
        now: TsMs,
    ) -> Parts {
        let w = self.cfg.attribution_window_ms;
        let wants = |c: Option<u32>| match only {
            None => true,
            Some(sel) => sel.is_some() && c == sel,
        };
        // Orders: figures in scope, attribution, and each user's paid orders.
        let mut of = OrderFigures::default();
        let from15 = Scope::Window(900).from_ms(now);
        let mut k15 = 0u64;
        let mut gmv15: BTreeMap<Currency, super::Gmv> = BTreeMap::new();
        // Indexed by the engine's dense ids: no hashing in the scans.
        let mut buyers = vec![false; self.users.len()];
        let mut n_buyers = 0u64;
        // Window conversion from the orders' links: (user, creator) for a
        // paid order attributed to the creator with a gift to it in the
        // window within W before paying, and the users with any gift in the
        // window within W before a paid order (see `links`).
        let mut conv_pairs: Vec<(u32, u32)> = Vec::new();
        let mut window_any = vec![
            false;
            if scope == Scope::All {
                0
            } else {
                self.users.len()
            }
        ];
        let mut per_creator: Vec<CreatorAcc> = Vec::new();
        per_creator.resize_with(self.creators.len(), CreatorAcc::default);
        let mut products: Vec<Option<TopProduct>> = vec![None; self.products.len()];
        for oid in self.orders_for(scope, from.min(from15)) {
            let o = self.orders.get(oid);
            let Some(c) = o.contribution() else { continue };
            let user = o.user();
            let attributed = self.attributed(o);
            // Every paid order counts in its buyer's overall conversion,
            // also in a creator's detail view: gathered before the filter.
            if scope != Scope::All
                && c.is_net_paid()
                && c.paid_ts.is_some_and(|p| p >= from)
                && let Some(l) = &o.link
            {
                let recent = |t: TsMs| t >= from;
                if l.attr.is_some_and(|a| recent(a.ts)) {
                    window_any[l.user as usize] = true;
                }
                let gift = match l.names {
                    Some(_) => l.named_last,
                    None => l.attr.map(|a| a.ts),
                };
                if let Some(ac) = attributed
                    && gift.is_some_and(recent)
                {
                    conv_pairs.push((l.user, ac));
                }
            }
            if !wants(attributed) {
                continue;
            }
            if c.status_ts >= from {
                match c.status {
                    OrderStatus::Pending => of.pending += 1,
                    OrderStatus::Cancelled => of.cancelled += 1,
                    OrderStatus::Refunded => of.refunded += 1,
                    OrderStatus::Paid => {}
                }
            }
            let Some(p) = c.paid_ts else { continue };
            // the last 15 minutes' pace, for the projection, whatever the scope
            if c.is_net_paid() && p >= from15 {
                k15 += 1;
                if let Some(a) = c.amount {
                    let g = gmv15.entry(c.currency).or_default();
                    g.net += a;
                    let units = a as f64 / crate::model::MONEY_SCALE as f64;
                    g.net_sq += units * units;
                }
            }
            if p < from {
                continue;
            }
            if let Some(a) = c.amount {
                *of.gmv_gross.entry(c.currency).or_default() += a;
            }
            if !c.is_net_paid() {
                continue;
            }
            of.paid += 1;
            of.units += c.units;
            match c.amount {
                Some(a) => *of.gmv.entry(c.currency).or_default() += a,
                None => of.gmv_unknown += 1,
            }
            if let Some(u) = user
                && !std::mem::replace(&mut buyers[u as usize], true)
            {
                n_buyers += 1;
            }
            if let Some(ac) = attributed {
                let acc = &mut per_creator[ac as usize];
                acc.orders += 1;
                if let Some(a) = c.amount {
                    acc.gmv.add(c.currency, a);
                }
            }
            if let Some(i) = o.item() {
                let tp = products[i as usize].get_or_insert_with(|| TopProduct {
                    product: self.products.name(i).to_string(),
                    orders: 0,
                    units: 0,
                    gmv: Default::default(),
                });
                tp.orders += 1;
                tp.units += c.units;
                if let Some(a) = c.amount {
                    tp.gmv.add(c.currency, a);
                }
            }
        }
        of.buyers = n_buyers;
        conv_pairs.sort_unstable();
        conv_pairs.dedup();
        let mut next_pair = 0usize;

        // Users: viewers, gifters and conversion.
        let settle_by = now - w;
        let (mut viewers, mut gifters, mut gifting_buyers) = (0u64, 0u64, 0u64);
        let (mut converted, mut settled_n, mut settled_x) = (0u64, 0u64, 0u64);
        let mut conv_creators: Vec<(u32, bool)> = Vec::new();
        for (uid, _, u) in self.users.iter() {
            // the creators this user converted for in the window: a run of
            // `conv_pairs` (sorted by user)
            let first = next_pair;
            while next_pair < conv_pairs.len() && conv_pairs[next_pair].0 == uid {
                next_pair += 1;
            }
            let pairs = &conv_pairs[first..next_pair];
            let seen = match only {
                None => u.last_seen >= from,
                Some(sel) => u
                    .rooms
                    .iter()
                    .any(|r| Some(r.creator) == sel && r.seen >= from),
            };
            let is_buyer = buyers[uid as usize];
            conv_creators.clear();
            let (first_gift, any) = if scope == Scope::All {
                // counters kept by the order links (see `links`)
                let mut first_gift: Option<TsMs> = None;
                let gifted = u.rooms.iter().filter(|g| {
                    g.gifted() && (only.is_none() || Some(g.creator) == only.flatten())
                });
                for g in gifted {
                    first_gift = Some(first_gift.map_or(g.first, |f| f.min(g.first)));
                    conv_creators.push((g.creator, g.conv > 0));
                }
                let any = match only {
                    None => u.conv_any > 0,
                    Some(_) => conv_creators.iter().any(|&(_, c)| c),
                };
                (first_gift, any)
            } else {
                let wanted = |c: u32| only.is_none() || Some(c) == only.flatten();
                for r in &u.rooms {
                    if r.gifted() && r.last >= from && wanted(r.creator) {
                        let conv = pairs.iter().any(|&(_, c)| c == r.creator);
                        conv_creators.push((r.creator, conv));
                    }
                }
                // the first gift in the window (to the creator, in its detail)
                let start = u.gifts.partition_point(|g| g.ts < from);
                let first_gift = match only {
                    None => u.gifts.get(start).map(|g| g.ts),
                    Some(_) if conv_creators.is_empty() => None,
                    Some(_) => u.gifts[start..]
                        .iter()
                        .find(|g| wanted(g.creator))
                        .map(|g| g.ts),
                };
                let any = match only {
                    None => window_any[uid as usize],
                    Some(_) => conv_creators.iter().any(|&(_, c)| c),
                };
                (first_gift, any)
            };
            let is_gifter = first_gift.is_some();
            if seen || is_gifter || is_buyer {
                viewers += 1;
            }
            if !is_gifter {
                continue;
            }
            gifters += 1;
            if is_buyer {
                gifting_buyers += 1;
            }
            if any {
                converted += 1;
            }
            if first_gift.is_some_and(|f| f <= settle_by) {
                settled_n += 1;
                if any {
                    settled_x += 1;
                }
            }
            for &(c, conv) in &conv_creators {
                let acc = &mut per_creator[c as usize];
                acc.gifters += 1;
                if conv {
                    acc.converted += 1;
                }
            }
        }

        Parts {
            of,
            k15,
            gmv15,
            per_creator,
            products,
            viewers,
            gifters,
            gifting_buyers,
            converted,
            settled_n,
            settled_x,
        }
    }

    /// The orders a snapshot of `scope` must read, in id order: every order
    /// for the all-time scope; for a window, those with a row at or after
    /// `lo` (an order's status and paid times are times of its rows), found
    /// among the rows of the last hour instead of every order ever seen.
    fn orders_for(&self, scope: Scope, lo: TsMs) -> Vec<u32> {
        let horizon = self.min_sec().saturating_mul(1000);
        if scope == Scope::All || lo < horizon || !self.cfg.index_recent_orders {
            return (0..self.orders.len() as u32).collect();
        }
        let mut seen = vec![0u64; self.orders.len().div_ceil(64)];
        let mut ids = Vec::new();
        for &(t, oid) in &self.order_rows {
            let (word, bit) = (oid as usize / 64, 1u64 << (oid % 64));
            if t >= lo && seen[word] & bit == 0 {
                seen[word] |= bit;
                ids.push(oid);
            }
        }
        // id order, as the full scan: sums of floats come out bit for bit
        ids.sort_unstable();
        ids
    }
}
