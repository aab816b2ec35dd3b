//! Pure decoding: lines of bytes in, events out. No I/O, no UI.
//!
//! A `LineDecoder` holds the little state one input needs (detected format,
//! CSV header, a CSV record spanning lines, open gift streaks) so every
//! source can be decoded independently of the others.

pub mod adapters;
pub mod canonical;
pub mod canonical_json;
pub mod csvline;
pub mod fields;
pub mod json;
pub mod values;

use crate::model::Event;
use fields::FieldMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Auto,
    Csv,
    Ndjson,
}

#[derive(Debug, Clone)]
pub struct DecodeOptions {
    pub format: Format,
    pub map: FieldMap,
    /// Creator for connector records that name no room (`--creator`).
    pub default_creator: Option<String>,
    /// Event-time after which an unended gift streak is closed.
    pub streak_timeout_ms: i64,
    /// `--user-map`: shop buyer id -> LIVE viewer id, applied to orders.
    pub user_map: std::collections::HashMap<String, String>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            format: Format::Auto,
            map: FieldMap::default(),
            default_creator: None,
            streak_timeout_ms: 60_000,
            user_map: std::collections::HashMap::new(),
        }
    }
}

/// One decoded outcome with the input line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub line: u64,
    pub what: Decoded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Event(Event),
    Skipped(String),
    Rejected(String),
    /// An event whose id was already seen (marked by the reader, see
    /// `source::dedupe`).
    Duplicate,
}

pub use json::Outcome;

pub struct LineDecoder {
    opts: DecodeOptions,
    format: Option<Format>,
    csv: csvline::CsvState,
    adapters: adapters::AdapterState,
    seen_first_line: bool,
    /// Real-feed JSON records are left to another decoder, which holds
    /// the adapters' state (`source::share`).
    defer_adapters: bool,
}

impl LineDecoder {
    pub fn new(opts: DecodeOptions) -> LineDecoder {
        let format = match opts.format {
            Format::Auto => None,
            f => Some(f),
        };
        let adapters = adapters::AdapterState::new(&opts);
        LineDecoder {
            csv: csvline::CsvState::new(opts.map.clone()),
            opts,
            format,
            adapters,
            seen_first_line: false,
            defer_adapters: false,
        }
    }

    /// A decoder for NDJSON lines from the middle of an input (no byte
    /// order mark to strip), which another decoder began.
    pub fn continuing(opts: DecodeOptions) -> LineDecoder {
        let mut d = LineDecoder::new(DecodeOptions {
            format: Format::Ndjson,
            ..opts
        });
        d.seen_first_line = true;
        d
    }

    /// The input's format, once known.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// From now on leave real-feed records undecoded (`Outcome::Deferred`).
    pub fn defer_adapters(&mut self) {
        self.defer_adapters = true;
    }

    /// Decode one line (without its `\n`); outcomes are appended to `out`.
    /// Says whether the line needed the adapters' state, or was left
    /// undecoded for the decoder that holds it (`defer_adapters`).
    pub fn push_line(&mut self, line: &str, line_no: u64, out: &mut Vec<Item>) -> Outcome {
        let mut line = line.strip_suffix('\r').unwrap_or(line);
        if !self.seen_first_line {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
            self.seen_first_line = !line.trim().is_empty();
        }
        if !self.csv.in_record() && fields::trim(line).is_empty() {
            return Outcome::Alone;
        }
        let format = *self.format.get_or_insert_with(|| {
            if line.trim_start().starts_with('{') {
                Format::Ndjson
            } else {
                Format::Csv
            }
        });
        let start = out.len();
        let outcome = match format {
            Format::Ndjson | Format::Auto => {
                let adapters = (!self.defer_adapters).then_some(&mut self.adapters);
                json::decode_line(line, line_no, &self.opts, adapters, out)
            }
            Format::Csv => {
                self.csv.push_line(line, line_no, out);
                Outcome::Alone
            }
        };
        self.map_users(&mut out[start..]);
        outcome
    }

    /// Shop buyer ids become LIVE viewer ids where the seller's map knows them.
    fn map_users(&self, items: &mut [Item]) {
        if self.opts.user_map.is_empty() {
            return;
        }
        for it in items {
            if let Decoded::Event(ev) = &mut it.what
                && ev.kind == crate::model::Kind::Order
                && let Some(live) = ev.user.as_deref().and_then(|u| self.opts.user_map.get(u))
            {
                ev.user = Some(live.clone().into());
            }
        }
    }

    /// End of input: close what is still open (a CSV record missing its
    /// closing quote, gift streaks whose end never arrived).
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        let start = out.len();
        self.csv.finish(out);
        self.adapters.finish(out);
        self.map_users(&mut out[start..]);
    }
}

/// Decode a whole text at once (tests, small files).
pub fn decode_str(text: &str, opts: DecodeOptions) -> Vec<Item> {
    let mut d = LineDecoder::new(opts);
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        d.push_line(line, i as u64 + 1, &mut out);
    }
    d.finish(&mut out);
    out
}
