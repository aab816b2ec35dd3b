//! Arbitrary bytes as an input file, read by a real reader thread twice:
//! decoding everything itself, and sharing groups of lines with the
//! receiver (`source::share`, every other group of 3 lines handed over
//! undecoded). Both must give exactly the same answers: reports, counters,
//! lines, invalid UTF-8 and the lines rejected.

#![no_main]

use libfuzzer_sys::fuzz_target;
use livetally::engine::{Config, Engine, Scope};
use livetally::feed::{Intake, Sources};
use livetally::report::json::to_json;
use livetally::source::share::ShareRule;
use livetally::source::{self, Input, SourceOptions};
use std::path::Path;

fn answers(path: &Path, share: Option<ShareRule>) -> String {
    let opts = SourceOptions {
        max_line: 300,
        share,
        ..Default::default()
    };
    let rx = source::spawn(&[Input::File(path.to_path_buf())], &opts);
    let mut engine = Engine::new(Config::default());
    let mut intake = Intake::new(Sources::new(vec!["fuzz".into()]));
    while !intake.sources.all_done() {
        let Ok(msg) = rx.recv() else { break };
        intake.apply(&mut engine, msg);
    }
    let all = to_json(&engine.snapshot(Scope::All, None));
    let window = to_json(&engine.snapshot(Scope::Window(900), None));
    let s = &intake.sources.list[0];
    let rejects: Vec<_> = engine.rejects.iter().map(|r| (r.line, &r.reason)).collect();
    format!(
        "{all}\n{window}\n{:?}\nlines {} invalid {}\n{rejects:?}",
        engine.counters, s.lines, s.invalid_utf8
    )
}

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("livetally-fuzz-share-{}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let alone = answers(&path, None);
    let rule = ShareRule {
        group: 3,
        every: Some(2),
    };
    assert_eq!(alone, answers(&path, Some(rule)));
});
