//! Arbitrary bytes through the decoder and the engine: lossy UTF-8 split on
//! '\n' (by `decode_str`), decoded with format detection, as CSV and as
//! NDJSON, every outcome applied to an `Engine` the way the dashboard does,
//! then snapshots. Nothing may panic (overflow checks are on in fuzz builds).

#![no_main]

use libfuzzer_sys::fuzz_target;
use livetally::decode::{DecodeOptions, Decoded, Format, decode_str};
use livetally::engine::{Config, Engine, Scope};

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
        for it in items {
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
    }
});
