//! The built-in demo feed: the simulator at a lively real-time rate.

use super::SourceOptions;
use super::batch::{Batcher, Feed, SourceState};
use crate::decode::{Decoded, Item};
use crossbeam_channel::Sender;
use std::time::{Duration, Instant};

pub fn run(source: usize, tx: Sender<Feed>, opts: &SourceOptions) {
    let mut batch = Batcher::new(source, tx, opts);
    batch.state(SourceState::Demo);
    let start_ms = chrono::Utc::now().timestamp_millis();
    let mut cfg = crate::sim::SimConfig::demo(opts.demo_seed);
    cfg.start_ms = start_ms;
    cfg.events_per_sec = opts.demo_rate.max(0.1);
    let sim = crate::sim::Simulator::new(cfg);
    let t0 = Instant::now();
    for (i, ev) in sim.enumerate() {
        // Event time follows the wall clock, so `lag` reads near zero.
        let due = Duration::from_millis((ev.ts - start_ms).max(0) as u64);
        let elapsed = t0.elapsed();
        if due > elapsed {
            batch.flush();
            std::thread::sleep(due - elapsed);
        }
        batch.items_mut().push(Item {
            line: i as u64 + 1,
            what: Decoded::Event(ev),
        });
        batch.line_read(false);
        batch.maybe_flush();
        if !batch.open {
            return;
        }
    }
}
