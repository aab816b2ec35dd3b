//! Where the report's time goes, stage by stage, on one input file: split
//! into lines, decode lines to events, number their creators and gifts and
//! mark repeated event ids (the reader's thread), and ingest decoded events into the engine (configured
//! as `livetally report` configures it for all time, one input, and again as
//! the dashboard configures it while it catches up with a flood).
//! Each stage is timed alone, best of several runs, with its input already
//! in memory, so the two threads of `livetally report` (reader+decoder,
//! engine) can be compared with each other and with the whole run.
//!
//! `cargo bench --bench stages -- FILE [RUNS]` (a CSV or NDJSON feed, e.g.
//! from `livetally simulate --profile bench --count 2000000 --csv`).

use livetally::decode::{DecodeOptions, Item, LineDecoder};
use livetally::engine::{Config, Engine, Scope};
use livetally::feed::ingest_checked;
use livetally::source::dedupe::Upstream;
use livetally::source::names::Numbering;
use std::time::{Duration, Instant};

const BATCH: usize = 4096;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        let d = t.elapsed();
        if best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, out));
        }
    }
    best.unwrap_or_else(|| (Duration::ZERO, f()))
}

fn decode(text: &str) -> Vec<Vec<Item>> {
    // what `livetally report` decodes
    let mut opts = DecodeOptions::default();
    opts.map.nicknames = livetally::decode::fields::Nicknames::None;
    let mut d = LineDecoder::new(opts);
    let mut up = Upstream::default();
    let mut names = Numbering::default();
    let mut batches = Vec::new();
    let mut cur = Vec::with_capacity(BATCH);
    for (i, line) in text.lines().enumerate() {
        d.push_line(line, i as u64 + 1, &mut cur);
        if cur.len() >= BATCH {
            names.number(&mut cur);
            up.mark(&mut cur);
            batches.push(std::mem::replace(&mut cur, Vec::with_capacity(BATCH)));
        }
    }
    d.finish(&mut cur);
    names.number(&mut cur);
    up.mark(&mut cur);
    batches.push(cur);
    batches
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench stages -- FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let mb = text.len() as f64 / 1e6;
    let (t_lines, n) = best(runs, || text.lines().count());
    let (t_decode, batches) = best(runs, || decode(&text));
    let events: usize = batches.iter().map(Vec::len).sum();
    // what `livetally report` (all time) configures
    let report = Config {
        window_index: false,
        index_recent_orders: false,
        keyed_rings: false,
        ticker: false,
        ..Config::default()
    };
    let (t_ingest, engine) = ingest(&batches, runs, report);
    // what the dashboard configures while it catches up with a flood
    // (`ui::worker`): per-second rings of every creator and gift, the
    // ticker, no window index
    let (t_dash, _) = ingest(
        &batches,
        runs,
        Config {
            window_index: false,
            ..Config::default()
        },
    );
    let (t_snap, _) = best(runs, || engine.snapshot(Scope::All, None).creators.len());
    let rate = |d: Duration| events as f64 / d.as_secs_f64() / 1e6;
    println!("{path}: {n} lines, {events} items, {mb:.0} MB, best of {runs}");
    println!("  lines   {:>8.3} s", t_lines.as_secs_f64());
    println!(
        "  decode  {:>8.3} s  {:.2}M ev/s",
        t_decode.as_secs_f64(),
        rate(t_decode)
    );
    println!(
        "  ingest  {:>8.3} s  {:.2}M ev/s",
        t_ingest.as_secs_f64(),
        rate(t_ingest)
    );
    println!(
        "  ingest  {:>8.3} s  {:.2}M ev/s  (as the dashboard in a flood)",
        t_dash.as_secs_f64(),
        rate(t_dash)
    );
    println!("  report  {:>8.3} s  (snapshot, all)", t_snap.as_secs_f64());
}

/// Best of `runs` ingests of `batches` into a new engine configured by `cfg`.
fn ingest(batches: &[Vec<Item>], runs: usize, cfg: Config) -> (Duration, Engine) {
    let mut best = Duration::MAX;
    let mut engine = Engine::new(cfg.clone());
    for _ in 0..runs {
        // the copy is made before the clock starts: ingest consumes it
        let input = batches.to_vec();
        let mut e = Engine::new(cfg.clone());
        let t = Instant::now();
        e.from_source(0);
        for b in input {
            ingest_checked(&mut e, "bench", b, true);
        }
        best = best.min(t.elapsed());
        engine = e;
    }
    (best, engine)
}
