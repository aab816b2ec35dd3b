//! The readable report printed by `livetally report`.

use crate::engine::snapshot::Snapshot;
use crate::format::*;
use std::fmt::Write;

pub fn to_table(s: &Snapshot) -> String {
    let mut o = String::new();
    let c = &s.counters;
    let span = match (s.from, s.to) {
        (Some(a), Some(b)) => format!("{} – {}", local_datetime(a), local_time(b)),
        _ => "no events".into(),
    };
    let who = s
        .creator
        .as_deref()
        .map(|c| format!(" · creator {c}"))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "livetally report · window {}{who} · {span}",
        s.scope.label()
    );
    let _ = writeln!(
        o,
        "events  gift {} · order {} · join {} · like {} · follow {} · share {} · viewers {} · skipped {} · errors {} · duplicates {} · late {} · streaks timed out {}",
        thousands(c.by_kind[0] as i64),
        thousands(c.by_kind[1] as i64),
        thousands(c.by_kind[2] as i64),
        thousands(c.by_kind[3] as i64),
        thousands(c.by_kind[4] as i64),
        thousands(c.by_kind[5] as i64),
        thousands(c.by_kind[6] as i64),
        thousands(c.skipped as i64),
        thousands(c.errors as i64),
        thousands(c.duplicates as i64),
        thousands(c.late as i64),
        thousands(c.streaks_timed_out as i64),
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "GIFTS   sent {} · diamonds {} · gifters {} · est. viewer spend {} · est. creator earnings {}",
        thousands(s.gifts_sent),
        thousands(s.diamonds),
        thousands(s.gifters as i64),
        usd(s.est_viewer_spend_usd),
        usd(s.est_creator_earnings_usd),
    );
    let of = &s.orders;
    let unknown = if of.gmv_unknown > 0 {
        format!(" (+{} paid with amount unknown)", of.gmv_unknown)
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "ORDERS  paid {} · pending {} · cancelled {} · refunded {} · buyers {} · units {}",
        thousands(of.paid as i64),
        thousands(of.pending as i64),
        thousands(of.cancelled as i64),
        thousands(of.refunded as i64),
        thousands(of.buyers as i64),
        thousands(of.units),
    );
    let _ = writeln!(
        o,
        "        GMV net {}{unknown} · gross {}",
        money_map(&of.gmv),
        money_map(&of.gmv_gross)
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "FUNNEL  viewers {} → gifters {} → buyers {} (gifting buyers {})",
        thousands(s.viewers as i64),
        thousands(s.gifters as i64),
        thousands(of.buyers as i64),
        thousands(s.gifting_buyers as i64),
    );
    let w = duration_ms(s.attribution_window_ms);
    let _ = writeln!(
        o,
        "CONVERSION gift→order within {w}: {}/{} = {} {} · settled {}/{} = {} {}",
        s.conversion.x,
        s.conversion.n,
        pct(s.conversion.rate),
        ci_pct(s.conversion.ci95),
        s.settled.x,
        s.settled.n,
        pct(s.settled.rate),
        ci_pct(s.settled.ci95),
    );
    let lift_ci = match s.lift.ci95 {
        Some((a, b)) => format!("[{a:.2}, {b:.2}]"),
        None => "—".into(),
    };
    let _ = writeln!(
        o,
        "LIFT    gifters buy {} ({}/{}) vs non-gifters {} ({}/{}) · lift {} {lift_ci}",
        pct(s.lift.gifter.rate),
        s.lift.gifter.x,
        s.lift.gifter.n,
        pct(s.lift.non_gifter.rate),
        s.lift.non_gifter.x,
        s.lift.non_gifter.n,
        ratio(s.lift.lift),
    );
    let p = &s.projection;
    let pci = match p.orders_ci95 {
        Some((a, b)) => format!("[{a:.1}, {b:.1}]"),
        None => "—".into(),
    };
    match p.orders {
        Some(n) => {
            let _ = writeln!(
                o,
                "NEXT 30m (at the last {:.0} min pace): {n:.1} orders {pci}",
                p.basis_minutes
            );
        }
        None => {
            let _ = writeln!(o, "NEXT 30m: needs a minute of data");
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<24} {:>10} {:>12} {:>8} {:>7} {:>14} {:>10}",
        "CREATOR", "GIFTS", "DIAMONDS", "GIFTERS", "ORDERS", "GMV", "CONV"
    );
    for r in &s.creators {
        let _ = writeln!(
            o,
            "{} {:>10} {:>12} {:>8} {:>7} {:>14} {:>10}",
            crate::text::fit(&r.creator, 24),
            thousands(r.gifts_sent),
            thousands(r.diamonds),
            thousands(r.gifters as i64),
            thousands(r.orders as i64),
            money_map(&r.gmv),
            pct(r.conversion.rate),
        );
    }
    if !s.top_gifts.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{:<24} {:>10} {:>12}", "TOP GIFTS", "SENT", "DIAMONDS");
        for g in &s.top_gifts {
            let _ = writeln!(
                o,
                "{} {:>10} {:>12}",
                crate::text::fit(&g.gift, 24),
                thousands(g.gifts_sent),
                thousands(g.diamonds)
            );
        }
    }
    if !s.top_products.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{:<24} {:>7} {:>7} {:>14}",
            "TOP PRODUCTS", "ORDERS", "UNITS", "GMV"
        );
        for p in &s.top_products {
            let _ = writeln!(
                o,
                "{} {:>7} {:>7} {:>14}",
                crate::text::fit(&p.product, 24),
                thousands(p.orders as i64),
                thousands(p.units),
                money_map(&p.gmv)
            );
        }
    }
    o
}
