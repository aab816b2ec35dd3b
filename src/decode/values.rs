//! Parsing of single field values: timestamps, integers and decimal money.

use crate::model::{MONEY_SCALE, TsMs};
use chrono::DateTime;

/// Epoch values above this are milliseconds, below it seconds (10^11 s is the year 5138).
const MS_THRESHOLD: i64 = 100_000_000_000;

/// RFC 3339 with an offset, or integer/decimal Unix epoch seconds or milliseconds.
pub fn parse_ts(s: &str) -> Result<TsMs, String> {
    let s = super::fields::trim(s);
    if s.is_empty() {
        return Err("missing ts".into());
    }
    // first: the usual row, in a second already seen (no integer has its shape)
    if let Some(ms) = LAST_SECOND.with(|c| c.get().millis(s)) {
        return Ok(ms);
    }
    if let Ok(n) = s.parse::<i64>() {
        let ms = epoch_to_ms(n);
        // chrono's range (about ±262,000 years) keeps every later date
        // computation in bounds
        if chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).is_none() {
            return Err(format!("ts {n} is out of range"));
        }
        return Ok(ms);
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && let Ok(f) = s.parse::<f64>()
        && f.is_finite()
        && f >= 0.0
    {
        let ms = if f > MS_THRESHOLD as f64 {
            f
        } else {
            f * 1000.0
        };
        let ms = ms.round() as i64;
        if chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).is_none() {
            return Err(format!("ts {s} is out of range"));
        }
        return Ok(ms);
    }
    match DateTime::parse_from_rfc3339(s) {
        Ok(dt) => {
            let ms = dt.timestamp_millis();
            if let Some(second) = SecondCache::learn(s, ms) {
                LAST_SECOND.with(|c| c.set(second));
            }
            Ok(ms)
        }
        Err(_) => Err(format!(
            "bad ts {:?}: expected RFC 3339 with offset or Unix epoch seconds/milliseconds",
            clip(s)
        )),
    }
}

/// Feeds write `2026-11-23T20:00:00.123Z` and a busy one has hundreds of
/// rows in the same second: the second's value is remembered (per decoding
/// thread) and a row in it only adds its milliseconds. Any other shape, or
/// another second, is parsed by chrono as before.
///
/// The second's 19 bytes are kept as two integers, not an array: copied out
/// of the thread-local and compared as 16 + 3 bytes, an array's copy was
/// read back across the two stores that wrote it, which the CPU cannot
/// forward, and each row then waited for every older load to finish.
#[derive(Clone, Copy)]
struct SecondCache {
    /// Bytes 0..16 of the second, little-endian; 0: nothing learned yet.
    head: u128,
    /// Bytes 16..19.
    tail: u32,
    ms: TsMs,
}

thread_local! {
    static LAST_SECOND: std::cell::Cell<SecondCache> =
        const { std::cell::Cell::new(SecondCache { head: 0, tail: 0, ms: 0 }) };
}

impl SecondCache {
    /// The milliseconds of `YYYY-MM-DDTHH:MM:SS.mmmZ`, if that is the shape.
    fn fraction(s: &str) -> Option<i64> {
        let b = s.as_bytes();
        if b.len() != 24 || b[19] != b'.' || b[23] != b'Z' {
            return None;
        }
        b[20..23].iter().try_fold(0, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    }

    /// The second's bytes of a string `fraction` accepted (24 bytes long).
    fn second_of(b: &[u8]) -> (u128, u32) {
        let mut head = [0; 16];
        head.copy_from_slice(&b[..16]);
        let tail = u32::from(b[16]) | u32::from(b[17]) << 8 | u32::from(b[18]) << 16;
        (u128::from_le_bytes(head), tail)
    }

    fn millis(&self, s: &str) -> Option<TsMs> {
        let frac = SecondCache::fraction(s)?;
        (self.head != 0 && SecondCache::second_of(s.as_bytes()) == (self.head, self.tail))
            .then(|| self.ms + frac)
    }

    /// The second of `s`, which chrono parsed to `ms`, if `s` has the shape.
    fn learn(s: &str, ms: TsMs) -> Option<SecondCache> {
        let frac = SecondCache::fraction(s).filter(|&f| ms.rem_euclid(1000) == f)?;
        let (head, tail) = SecondCache::second_of(s.as_bytes());
        Some(SecondCache {
            head,
            tail,
            ms: ms - frac,
        })
    }
}

pub fn epoch_to_ms(n: i64) -> TsMs {
    if n.unsigned_abs() > MS_THRESHOLD as u64 {
        n
    } else {
        n.saturating_mul(1000)
    }
}

/// A non-negative integer count such as `qty` or `diamonds`.
pub fn parse_count(name: &str, s: &str) -> Result<i64, String> {
    let t = super::fields::trim(s);
    // the usual count, a few digits: summed here (`str::parse` cost ~50
    // instructions a field); 12 digits stay below MAX_COUNT
    if (1..=12).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(t.bytes().fold(0, |n, d| n * 10 + i64::from(d - b'0')));
    }
    if let Ok(n) = t.parse::<i64>() {
        if n < 0 {
            return Err(format!("negative {name} {n}"));
        }
        if n > crate::engine::MAX_COUNT {
            return Err(format!("{name} {n} is implausibly large (limit 10^12)"));
        }
        return Ok(n);
    }
    // JSON emitters sometimes write integral values as 3.0
    if let Ok(f) = t.parse::<f64>()
        && f.is_finite()
        && f >= 0.0
        && f.fract() == 0.0
        && f <= crate::engine::MAX_COUNT as f64
    {
        return Ok(f as i64);
    }
    Err(format!("non-numeric {name} {:?}", clip(t)))
}

/// A decimal amount such as `21.58` or `-3` into `MONEY_SCALE` units, exactly.
pub fn parse_amount(s: &str) -> Result<i64, String> {
    let t = super::fields::trim(s);
    let bad = || format!("non-numeric amount {:?}", clip(t));
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let frac_trimmed = frac.trim_end_matches('0');
    if frac_trimmed.len() > 4 {
        return Err(format!(
            "amount {:?} has more than 4 decimal places",
            clip(t)
        ));
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let mut f: i64 = 0;
    for (i, b) in frac_trimmed.bytes().enumerate() {
        f += i64::from(b - b'0') * 10_i64.pow(3 - i as u32);
    }
    let v = w
        .checked_mul(MONEY_SCALE)
        .and_then(|x| x.checked_add(f))
        .ok_or_else(|| format!("amount {:?} too large", clip(t)))?;
    if v > crate::engine::MAX_AMOUNT {
        return Err(format!(
            "amount {:?} is implausibly large (limit 10^9)",
            clip(t)
        ));
    }
    Ok(if neg { -v } else { v })
}

/// Keep error messages short when a field is huge.
pub fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(MAX).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_second_agrees_with_chrono() {
        // same second, next second, other shapes in between, a leap second
        let rows = [
            "2026-11-23T20:15:03.120Z",
            "2026-11-23T20:15:03.999Z",
            "2026-11-23T20:15:03.000Z",
            "2026-11-23T20:15:03.5Z",
            "2026-11-23T20:15:03.007Z",
            "2026-11-23T21:15:03.007+01:00",
            "2026-11-23T20:15:04.001Z",
            "2026-11-23T20:15:03.120Z",
            "1969-12-31T23:59:59.123Z",
            "1969-12-31T23:59:59.124Z",
            "2016-12-31T23:59:60.500Z",
            "2016-12-31T23:59:60.700Z",
            "2017-01-01T00:00:00.100Z",
        ];
        for s in rows {
            let chrono = DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
            assert_eq!(parse_ts(s), Ok(chrono), "{s}");
        }
        assert_eq!(parse_ts("1969-12-31T23:59:59.123Z"), Ok(-877));
        // a remembered second never lets a malformed row through
        assert!(parse_ts("2026-11-23T20:15:03.12xZ").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_ts("2026-11-23T20:15:03.120Z"), Ok(1_795_464_903_120));
        assert_eq!(
            parse_ts("2026-11-23T21:15:03.120+01:00"),
            Ok(1_795_464_903_120)
        );
        assert_eq!(parse_ts("1795464903"), Ok(1_795_464_903_000));
        assert_eq!(parse_ts("1795464903120"), Ok(1_795_464_903_120));
        assert_eq!(parse_ts("1795464903.12"), Ok(1_795_464_903_120));
        assert!(parse_ts("yesterday").unwrap_err().contains("bad ts"));
        assert!(parse_ts("2026-11-23 20:15:03").is_err());
        assert!(parse_ts("").is_err());
        assert!(
            parse_ts("-9223372036854775808")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_ts("9223372036854775807").is_err());
        assert!(parse_ts("1e400").is_err());
        assert!(parse_ts("99999999999999999999999.5").is_err());
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_amount("21.58"), Ok(215_800));
        assert_eq!(parse_amount("0.1"), Ok(1_000));
        assert_eq!(parse_amount(".5"), Ok(5_000));
        assert_eq!(parse_amount("-3"), Ok(-30_000));
        assert_eq!(parse_amount("1.23450"), Ok(12_345));
        assert!(parse_amount("1.23456").is_err());
        assert!(parse_amount("12,50").is_err());
        assert!(parse_amount("").is_err());
        assert!(parse_amount("-").is_err());
        assert!(parse_amount("99999999999999999999").is_err());
        assert!(
            parse_amount("1000000000.01")
                .unwrap_err()
                .contains("implausibly")
        );
        assert_eq!(parse_amount("1000000000"), Ok(10_000_000_000_000));
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("qty", " 7 "), Ok(7));
        assert_eq!(parse_count("qty", "3.0"), Ok(3));
        assert_eq!(parse_count("qty", "0"), Ok(0));
        assert_eq!(parse_count("qty", "007"), Ok(7));
        assert_eq!(parse_count("qty", "+5"), Ok(5));
        assert_eq!(parse_count("qty", "999999999999"), Ok(999_999_999_999));
        assert_eq!(parse_count("qty", "1000000000000"), Ok(1_000_000_000_000));
        assert_eq!(parse_count("qty", "0000000000012"), Ok(12));
        assert!(parse_count("qty", "-1").is_err());
        assert!(parse_count("qty", "2.5").is_err());
        assert!(
            parse_count("qty", "1000000000001")
                .unwrap_err()
                .contains("implausibly")
        );
        assert!(
            parse_count("qty", "many")
                .unwrap_err()
                .contains("non-numeric qty")
        );
    }
}
