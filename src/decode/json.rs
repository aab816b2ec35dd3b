//! NDJSON decoding: canonical objects (keys named like the CSV columns, or
//! renamed with `--map`), else the real-feed adapters.

use super::canonical::push_record;
use super::fields::{Field, RawFields};
use super::{DecodeOptions, Decoded, Item, adapters};
use serde_json::Value;

/// `"kind"`, searched for once per line: built once, not per search
/// (`str::contains` set up its searcher each time, ~1.5% of the
/// instructions on benchmark NDJSON).
static KIND_KEY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\"kind\""));

/// What decoding a JSON line needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Needed no adapters' state: a canonical line, a rejected one (and,
    /// from `LineDecoder::push_line`, any CSV line).
    Alone,
    /// A real-feed record, decoded with the adapters' state (gift streaks).
    Adapter,
    /// A real-feed record left undecoded: `adapters` was `None`, the state
    /// being held elsewhere (`source::share`).
    Deferred,
}

/// Decodes one line into `out`. `adapters: None` leaves a real-feed record
/// undecoded (`Outcome::Deferred`) for whoever holds the adapters' state.
pub fn decode_line(
    line: &str,
    line_no: u64,
    opts: &DecodeOptions,
    adapters: Option<&mut adapters::AdapterState>,
    out: &mut Vec<Item>,
) -> Outcome {
    let reject = |out: &mut Vec<Item>, reason: String| {
        out.push(Item {
            line: line_no,
            what: Decoded::Rejected(reason),
        })
    };
    // Canonical lines (the bulk of a big feed) skip the JSON tree.
    let mut raw = RawFields::default();
    if opts.map.is_empty()
        && KIND_KEY.find(line.as_bytes()).is_some()
        && super::canonical_json::fields_into(line, &mut raw)
    {
        // an empty map has no constant kind
        push_record(&raw, &opts.map, line_no, out);
        return Outcome::Alone;
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            reject(out, format!("bad JSON: {e}"));
            return Outcome::Alone;
        }
    };
    let Value::Object(obj) = &value else {
        reject(out, "JSON line is not an object".into());
        return Outcome::Alone;
    };
    if !opts.map.is_empty() || obj.contains_key("kind") {
        let raw = raw_fields(&value, opts);
        push_record(&raw, &opts.map, line_no, out);
        return Outcome::Alone;
    }
    let Some(adapters) = adapters else {
        return Outcome::Deferred;
    };
    if let Err(reason) = adapters.decode(&value, line_no, out) {
        reject(out, reason);
    }
    Outcome::Adapter
}

pub(crate) fn raw_fields(v: &Value, opts: &DecodeOptions) -> RawFields<'static> {
    let mut raw = RawFields::default();
    for f in Field::ALL {
        if let Some(s) = lookup(v, opts.map.source_of(f)).and_then(scalar_text) {
            raw.set(f, s);
        }
    }
    raw
}

/// A key, or a dotted path into nested objects (`payment.total_amount`).
pub fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(found) = v.get(path) {
        return Some(found);
    }
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Strings, numbers and booleans as text; null, arrays and objects as absent.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
