//! Reading loosely typed feed JSON: the same field may be a number in one
//! library version and a string in the next, and protobuf JSON leaves out
//! default values, so every accessor takes several paths and treats
//! null, arrays and objects where a scalar is expected as absent.

use crate::decode::json::lookup;
use crate::decode::values::{clip, epoch_to_ms, parse_count, parse_ts};
use crate::model::TsMs;
use serde_json::Value;

/// The first path that holds something other than null.
pub fn first<'a>(v: &'a Value, paths: &[&str]) -> Option<&'a Value> {
    paths
        .iter()
        .filter_map(|p| lookup(v, p))
        .find(|x| !x.is_null())
}

/// An identifier: 64-bit ids arrive as strings or numbers; protobuf's
/// default `0` and the empty string mean "none".
pub fn id_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty() && s != "0").then_some(s)
}

pub fn first_id(v: &Value, paths: &[&str]) -> Option<String> {
    paths.iter().filter_map(|p| lookup(v, p)).find_map(id_text)
}

/// Display text such as a nickname or a gift name.
pub fn first_text(v: &Value, paths: &[&str]) -> Option<String> {
    paths
        .iter()
        .filter_map(|p| lookup(v, p))
        .find_map(|x| match x {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// A non-negative integer written as a number or a numeric string.
pub fn count(v: &Value, name: &str) -> Result<Option<i64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => parse_count(name, &n.to_string()).map(Some),
        Value::String(s) => parse_count(name, s).map(Some),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
            Err(format!("{name} is not a number"))
        }
    }
}

/// The first path present decides: a bad value there is an error rather
/// than a reason to look further, so a garbled count is never replaced
/// by a guess.
pub fn first_count(v: &Value, paths: &[&str], name: &str) -> Result<Option<i64>, String> {
    match first(v, paths) {
        Some(x) => count(x, name),
        None => Ok(None),
    }
}

/// Booleans as JSON booleans, 0/1, or their string forms.
pub fn flag(v: &Value, name: &str) -> Result<Option<bool>, String> {
    let bad = || format!("{name} is not a boolean");
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(bad()),
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" | "" => Ok(Some(false)),
            _ => Err(format!("{name} {:?} is not a boolean", clip(s))),
        },
        Value::Array(_) | Value::Object(_) => Err(bad()),
    }
}

pub fn first_flag(v: &Value, paths: &[&str], name: &str) -> Result<Option<bool>, String> {
    match first(v, paths) {
        Some(x) => flag(x, name),
        None => Ok(None),
    }
}

/// An epoch time in seconds or milliseconds; `0` (protobuf's default,
/// and what TikTok sends when it has no time) counts as absent.
pub fn time(v: &Value, name: &str) -> Result<Option<TsMs>, String> {
    let ts = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(i) => epoch_to_ms(i),
            None => parse_ts(&n.to_string())?,
        },
        Value::String(s) => {
            if s.trim() == "0" {
                return Ok(None);
            }
            parse_ts(s)?
        }
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
            return Err(format!("{name} is not a time"));
        }
    };
    if ts < 0 {
        return Err(format!("negative {name}"));
    }
    Ok((ts != 0).then_some(ts))
}

/// The first path with a usable (non-zero) time.
pub fn first_time(v: &Value, paths: &[&str]) -> Result<Option<TsMs>, String> {
    for p in paths {
        if let Some(x) = lookup(v, p)
            && let Some(ts) = time(x, p)?
        {
            return Ok(Some(ts));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_as_strings_or_numbers() {
        let v = json!({"a": 6813181309701719620u64, "b": " 42 ", "c": "0", "d": 0, "e": null, "f": [1]});
        assert_eq!(first_id(&v, &["a"]).as_deref(), Some("6813181309701719620"));
        assert_eq!(first_id(&v, &["b"]).as_deref(), Some("42"));
        assert_eq!(first_id(&v, &["c", "d", "e", "f"]), None);
        assert_eq!(
            first_id(&v, &["c", "a"]).as_deref(),
            Some("6813181309701719620")
        );
    }

    #[test]
    fn counts_as_strings_or_numbers() {
        let v =
            json!({"n": 7, "s": "630", "f": 3.0, "neg": -1, "word": "x", "arr": [], "nul": null});
        assert_eq!(first_count(&v, &["n"], "qty"), Ok(Some(7)));
        assert_eq!(first_count(&v, &["s"], "qty"), Ok(Some(630)));
        assert_eq!(first_count(&v, &["f"], "qty"), Ok(Some(3)));
        assert_eq!(first_count(&v, &["nul", "missing"], "qty"), Ok(None));
        assert!(first_count(&v, &["neg"], "qty").is_err());
        assert!(first_count(&v, &["word"], "qty").is_err());
        assert!(first_count(&v, &["arr"], "qty").is_err());
    }

    #[test]
    fn flags_in_every_spelling() {
        for (x, want) in [
            (json!(true), Some(true)),
            (json!(1), Some(true)),
            (json!("1"), Some(true)),
            (json!("true"), Some(true)),
            (json!(false), Some(false)),
            (json!(0), Some(false)),
            (json!("0"), Some(false)),
            (json!(null), None),
        ] {
            assert_eq!(flag(&x, "repeatEnd"), Ok(want), "{x}");
        }
        assert!(flag(&json!(2), "repeatEnd").is_err());
        assert!(flag(&json!("maybe"), "repeatEnd").is_err());
        assert!(flag(&json!({}), "repeatEnd").is_err());
    }

    #[test]
    fn times_skip_zero_and_keep_units() {
        let v =
            json!({"zero": "0", "ms": "1718305585123", "s": 1644412885, "bad": "soon", "obj": {}});
        assert_eq!(first_time(&v, &["zero", "ms"]), Ok(Some(1_718_305_585_123)));
        assert_eq!(first_time(&v, &["s"]), Ok(Some(1_644_412_885_000)));
        assert_eq!(first_time(&v, &["missing"]), Ok(None));
        assert!(first_time(&v, &["bad"]).is_err());
        assert!(first_time(&v, &["obj"]).is_err());
    }

    #[test]
    fn scalars_expected_but_structures_found() {
        let v = json!({"user": [], "common": "x", "gift": null});
        assert_eq!(first_id(&v, &["user.id", "common.msgId", "gift.id"]), None);
        assert_eq!(first_text(&v, &["user.nickname", "gift.name"]), None);
    }
}
