//! Arbitrary bytes through the decoder and the engine: lossy UTF-8 split on
//! '\n' (by `decode_str`), decoded with format detection, as CSV and as
//! NDJSON, every outcome applied to an `Engine` the way the dashboard does,
//! then snapshots. Nothing may panic (overflow checks are on in fuzz builds).
//!
//! The same items also go the way a reader thread sends them (batches whose
//! creators, gifts and repeated event ids the reader has numbered and
//! marked, ingested with the read-ahead): those fast paths must give
//! exactly the answers of ingesting one event at a time.

#![no_main]

use libfuzzer_sys::fuzz_target;
use livetally::decode::{DecodeOptions, Decoded, Format, Item, decode_str};
use livetally::engine::{Config, Engine, Scope};
use livetally::feed::ingest_checked;
use livetally::report::json::to_json;
use livetally::source::dedupe::Upstream;
use livetally::source::names::Numbering;

/// Everything the engine says: the all-time and 15-minute reports and its
/// counters.
fn answers(engine: &Engine) -> String {
    let all = to_json(&engine.snapshot(Scope::All, None));
    let window = to_json(&engine.snapshot(Scope::Window(900), None));
    format!("{all}\n{window}\n{:?}", engine.counters)
}

/// As a reader hands them over: batches of `size` items.
fn as_batches(items: &[Item], size: usize) -> Engine {
    let mut engine = Engine::new(Config::default());
    engine.from_source(0);
    let (mut names, mut ids) = (Numbering::default(), Upstream::default());
    for chunk in items.chunks(size) {
        let mut batch = chunk.to_vec();
        names.number(&mut batch);
        ids.mark(&mut batch);
        ingest_checked(&mut engine, "fuzz", batch, true);
    }
    engine
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for format in [Format::Auto, Format::Csv, Format::Ndjson] {
        let opts = DecodeOptions {
            format,
            ..DecodeOptions::default()
        };
        let items = decode_str(&text, opts);
        let mut engine = Engine::new(Config::default());
        let mut creator = None;
        for it in items.clone() {
            match it.what {
                Decoded::Event(ev) => {
                    if creator.is_none() {
                        creator = ev.creator.clone();
                    }
                    engine.ingest(ev)
                }
                Decoded::Skipped(_) => engine.skipped(),
                Decoded::Rejected(reason) => engine.reject("fuzz", it.line, reason),
                Decoded::Duplicate => engine.duplicate(),
            }
        }
        let _ = engine.snapshot(Scope::All, None);
        let _ = engine.snapshot(Scope::Window(900), None);
        if let Some(c) = creator {
            let _ = engine.snapshot(Scope::Window(60), Some(&c));
        }
        let one_by_one = answers(&engine);
        // a batch boundary anywhere, and runs longer than the read-ahead's
        for size in [3, 1000] {
            let batched = answers(&as_batches(&items, size));
            assert_eq!(one_by_one, batched, "batches of {size}");
        }
    }
});
