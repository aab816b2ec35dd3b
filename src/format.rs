//! Number, money, rate and time formatting shared by the report and the dashboard.

use crate::model::{Currency, TsMs, money_to_string};
use chrono::{DateTime, Local, Utc};

/// 1234567 -> "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A decimal string "12345.60" with separators: "12,345.60".
fn group_decimal(s: &str) -> String {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let w: i64 = whole.parse().unwrap_or(0);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&thousands(w));
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// "$1,234.56", "€12.00", "1,200 CHF".
pub fn money(amount: i64, cur: Currency) -> String {
    let s = group_decimal(&money_to_string(amount, cur));
    match cur.symbol() {
        Some(sym) => match s.strip_prefix('-') {
            Some(rest) => format!("-{sym}{rest}"),
            None => format!("{sym}{s}"),
        },
        None => format!("{s} {cur}"),
    }
}

/// Money by currency, in currency order: a `BTreeMap` or a row's
/// `Amounts`.
pub trait ByCurrency<'a>: IntoIterator<Item = (&'a Currency, &'a i64)> + Copy {}

impl<'a, T: IntoIterator<Item = (&'a Currency, &'a i64)> + Copy> ByCurrency<'a> for T {}

/// Amounts in several currencies are never added: "$120.00 + €30.00".
pub fn money_map<'a>(m: impl ByCurrency<'a>) -> String {
    let all: Vec<String> = m.into_iter().map(|(c, v)| money(*v, *c)).collect();
    if all.is_empty() {
        return "—".into();
    }
    all.join(" + ")
}

/// Money per currency in at most `w` columns: everything when it fits,
/// else the largest amount and how many other currencies there are.
pub fn money_compact<'a>(m: impl ByCurrency<'a>, w: usize) -> String {
    let all = money_map(m);
    let n = m.into_iter().count();
    if crate::text::width(&all) <= w || n < 2 {
        return all;
    }
    let Some((c, v)) = m.into_iter().max_by_key(|(_, v)| **v) else {
        return all;
    };
    format!("{} +{}", money(*v, *c), n - 1)
}

/// A projected count: one decimal while small, whole and grouped from 100
/// on (a tenth of an order in 157,262 is noise, and `157262.0` is hard to read).
pub fn estimate(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x.abs() >= 100.0 {
        thousands(x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// Dollars from a float estimate: "$1,234.56".
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let cents = (v * 100.0).round() as i64;
    let s = format!("{}.{:02}", thousands(cents / 100), (cents % 100).abs());
    format!("${s}")
}

/// A proportion as a percentage; "—" when undefined, never NaN.
pub fn pct(r: Option<f64>) -> String {
    match r {
        Some(v) if v.is_finite() => format!("{:.1}%", v * 100.0),
        _ => "—".into(),
    }
}

pub fn ci_pct(ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((a, b)) => format!("[{:.1}%, {:.1}%]", a * 100.0, b * 100.0),
        None => "—".into(),
    }
}

pub fn ratio(r: Option<f64>) -> String {
    match r {
        Some(v) if v.is_finite() => format!("{v:.2}×"),
        _ => "—".into(),
    }
}

/// A rate like 12.3 with one decimal and separators.
pub fn per_min(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v >= 100.0 {
        thousands(v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

pub fn local_time(ts: TsMs) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ts) {
        Some(t) => t.with_timezone(&Local).format("%H:%M:%S").to_string(),
        None => "--:--:--".into(),
    }
}

pub fn local_datetime(ts: TsMs) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ts) {
        Some(t) => t
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => "-".into(),
    }
}

pub fn rfc3339(ts: TsMs) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ts) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => ts.to_string(),
    }
}

/// "30m", "1h", "45s".
pub fn duration_ms(ms: i64) -> String {
    let s = ms / 1000;
    if s % 3600 == 0 && s > 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 && s > 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(money(123_456_000, Currency::USD), "$12,345.60");
        assert_eq!(money(-5_000, Currency::USD), "-$0.50");
        let chf = Currency::parse("CHF").unwrap();
        assert_eq!(money(120_000_000, chf), "12,000.00 CHF");
        assert_eq!(pct(None), "—");
        assert_eq!(pct(Some(0.15)), "15.0%");
        assert_eq!(usd(1234.565), "$1,234.57");
        assert_eq!(duration_ms(1_800_000), "30m");
        assert_eq!(estimate(26.04), "26.0");
        assert_eq!(estimate(99.94), "99.9");
        assert_eq!(estimate(157_262.04), "157,262");
        assert_eq!(estimate(156_164.5), "156,165");
        assert_eq!(estimate(f64::NAN), "—");
    }
}
