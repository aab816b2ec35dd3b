//! Decoding shared between reader and receiver (`source::share`) gives
//! exactly the answers of a reader that decodes everything: same events,
//! same order, same repeats dropped, same gift streaks, same line counts.

use livetally::engine::{Config, Engine, Scope};
use livetally::feed::{Intake, Sources};
use livetally::source::share::ShareRule;
use livetally::source::{self, Feed, Input, SourceOptions};
use std::path::Path;

fn sample(name: &str) -> String {
    let p = format!("{}/sample-data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(p).unwrap()
}

fn options(share: Option<ShareRule>) -> SourceOptions {
    SourceOptions {
        max_line: 4000,
        share,
        ..Default::default()
    }
}

/// Everything the report says about `path`, and how many groups of lines
/// the receiver decoded.
fn run(path: &Path, share: Option<ShareRule>) -> (String, usize) {
    run_with(path, options(share))
}

fn run_with(path: &Path, opts: SourceOptions) -> (String, usize) {
    let inputs = [Input::File(path.to_path_buf())];
    let rx = source::spawn(&inputs, &opts);
    let mut engine = Engine::new(Config::default());
    let mut intake = Intake::new(Sources::new(vec!["feed".into()]));
    let mut handed = 0;
    while !intake.sources.all_done() {
        let Ok(msg) = rx.recv() else { break };
        handed += matches!(msg, Feed::Lines { .. }) as usize;
        intake.apply(&mut engine, msg);
    }
    let sources = intake.sources;
    let snap = engine.snapshot(Scope::All, None);
    let mut report = serde_json::to_string(&livetally::report::json::to_json(&snap)).unwrap();
    let s = &sources.list[0];
    let c = &engine.counters;
    report += &format!(
        " lines {} invalid {} accepted {} duplicates {} skipped {} rejects {:?}",
        s.lines,
        s.invalid_utf8,
        c.accepted,
        c.duplicates,
        c.skipped,
        engine.rejects.iter().map(|r| r.line).collect::<Vec<_>>()
    );
    (report, handed)
}

/// Canonical lines first, then real-feed records (gift streaks that span
/// groups), repeated event ids, bad lines, blank and CRLF lines, a line
/// too long and one of invalid UTF-8, so every group boundary meets them.
fn mixed_feed() -> Vec<u8> {
    let canonical: Vec<String> = sample("stream.ndjson").lines().map(String::from).collect();
    let connector: Vec<String> = sample("feeds/connector-v1.ndjson")
        .lines()
        .map(String::from)
        .collect();
    let mut out = Vec::new();
    let mut push = |line: &[u8]| {
        out.extend_from_slice(line);
        out.push(b'\n');
    };
    for (i, line) in canonical.iter().take(400).enumerate() {
        push(line.as_bytes());
        if i % 7 == 3 {
            push(connector[i / 7 % connector.len()].as_bytes());
        }
        match i % 50 {
            10 => push(canonical[i - 5].as_bytes()), // a repeat
            20 => push(b"{\"ts\":1,\"kind\":"),
            30 => push(b""),
            40 => push(format!("{line}\r").as_bytes()),
            45 => push(&[b'{', 0xff, 0xfe, b'}']),
            _ => {}
        }
        if i == 200 {
            push(&[b'x'; 5000]);
        }
    }
    out
}

#[test]
fn shared_decoding_gives_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.ndjson");
    std::fs::write(&path, mixed_feed()).unwrap();
    let (alone, none) = run(&path, None);
    assert_eq!(none, 0);
    // the fixture has repeats to drop: 8 canonical lines, and connector
    // records met again as the 21-line sample cycles
    assert!(alone.contains("duplicates 36 "), "{alone}");
    assert!(alone.contains("invalid 8 "), "{alone}");
    for (group, every) in [(1, 1), (3, 1), (2, 2), (5, 3), (64, 2), (7, 4)] {
        let rule = ShareRule {
            group,
            every: Some(every),
        };
        let (shared, handed) = run(&path, Some(rule));
        assert!(handed > 0, "{rule:?} handed nothing");
        assert_eq!(shared, alone, "{rule:?}");
    }
    let (adaptive, _) = run(&path, Some(ShareRule::ADAPTIVE));
    assert_eq!(adaptive, alone);
}

/// `--record` keeps the same lines in the same order when groups of lines
/// go to the receiver undecoded.
#[test]
fn recording_keeps_handed_lines_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.ndjson");
    std::fs::write(&path, mixed_feed()).unwrap();
    let record = |name: &str, share: Option<ShareRule>| {
        let rec = dir.path().join(name);
        let mut opts = options(share);
        opts.record = Some(livetally::source::record::Sink::open(&rec).unwrap());
        let (_, handed) = run_with(&path, opts.clone());
        if let Some(sink) = &opts.record {
            sink.flush();
        }
        (std::fs::read(&rec).unwrap(), handed)
    };
    let (alone, _) = record("alone.ndjson", None);
    let rule = ShareRule {
        group: 3,
        every: Some(2),
    };
    let (shared, handed) = record("shared.ndjson", Some(rule));
    assert!(handed > 0);
    assert!(alone.len() > 40_000);
    assert!(shared == alone);
}

/// An input that starts with real-feed records keeps all its decoding on
/// the reader (its records need the streaks' state the reader holds).
#[test]
fn real_feed_inputs_are_not_shared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connector.ndjson");
    let mut text = sample("feeds/connector-v1.ndjson");
    text += &sample("stream.ndjson");
    std::fs::write(&path, &text).unwrap();
    let rule = ShareRule {
        group: 2,
        every: Some(1),
    };
    let (shared, handed) = run(&path, Some(rule));
    assert_eq!(handed, 0);
    assert_eq!(shared, run(&path, None).0);
    // CSV is never shared either
    let csv = dir.path().join("stream.csv");
    std::fs::write(&csv, sample("stream.csv")).unwrap();
    assert_eq!(run(&csv, Some(rule)).1, 0);
}
