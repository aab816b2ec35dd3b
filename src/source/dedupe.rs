//! De-duplication by event id on the reader's thread. With one input, the
//! reader sees every event the engine will, in the same order, so it can
//! give the same answers as the engine's own check (`engine::dedupe`,
//! the same tables and rule) while the engine's thread, the busier of the
//! two, does other work. With several inputs a duplicate may arrive on
//! another reader, so the engine checks instead. Each batch says which
//! (`Feed::Batch::ids_checked`).

use crate::decode::{Decoded, Item};
use crate::engine::AHEAD;
use crate::engine::dedupe::{Dedupe, Key, key, number_of};
use crate::model::TsMs;

/// True when readers de-duplicate and the engine must not: one input.
pub fn upstream(inputs: usize) -> bool {
    inputs == 1
}

#[derive(Default)]
pub struct Upstream {
    seen: Dedupe,
    /// The newest time of an event passed on: the engine's `now`, which
    /// only accepted (not duplicate) events move.
    now: Option<TsMs>,
}

impl Upstream {
    /// Turns repeated events into `Decoded::Duplicate`, in order. The
    /// table lines of a run of events are read before any is checked, so
    /// their cache misses overlap (as the engine's read-ahead does). An id
    /// that continues the run of numbers (a counter, the usual feed) needs
    /// no table, so neither a key nor a line read ahead (`first_time_next`).
    pub fn mark(&mut self, items: &mut [Item]) {
        let mut keys = [Key::NONE; AHEAD];
        // (prefix length, number) of each numbered id
        let mut nums = [None; AHEAD];
        for run in items.chunks_mut(AHEAD) {
            for ((k, num), it) in keys.iter_mut().zip(nums.iter_mut()).zip(run.iter()) {
                let id = match &it.what {
                    Decoded::Event(ev) => ev.event_id.as_deref(),
                    _ => None,
                };
                *num = id.and_then(number_of);
                *k = match id {
                    Some(id) if !self.seen.continues(id, *num) => key(id),
                    _ => Key::NONE,
                };
            }
            self.seen.prefetch_all(&keys[..run.len()]);
            for ((&k, &num), it) in keys.iter().zip(&nums).zip(run.iter_mut()) {
                let Decoded::Event(ev) = &it.what else {
                    continue;
                };
                let now = self.now.map_or(ev.ts, |n| n.max(ev.ts));
                if let Some(id) = ev.event_id.as_deref()
                    && !self.seen.first_time_id(id, num, k, now)
                {
                    it.what = Decoded::Duplicate;
                    continue;
                }
                self.now = Some(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Config, Engine};
    use crate::model::{Event, Kind};
    use proptest::prelude::*;

    const MIN: TsMs = 60_000;

    /// Which items the engine's own check drops, ingesting one at a time.
    fn engine_marks(items: &[Item]) -> Vec<bool> {
        let mut e = Engine::new(Config::default());
        items
            .iter()
            .map(|it| {
                let before = e.counters.duplicates;
                if let Decoded::Event(ev) = &it.what {
                    e.ingest(ev.clone());
                }
                e.counters.duplicates > before
            })
            .collect()
    }

    /// Random feeds with repeated ids, events without ids, lines that are
    /// not events, time that stands, goes back, jumps past the hour
    /// (rotating the tables by time), and single events from far ahead
    /// (moving `now` only if accepted), cut into batches of any size: the
    /// reader marks exactly the events the engine would drop.
    #[test]
    fn marks_what_the_engine_would_drop() {
        let step = (0u32..60, 0i64..130 * MIN, 0u8..20);
        let feed = proptest::collection::vec(step, 1..1500);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(48));
        let (dropped, rotated_away) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let result = runner.run(&(feed, 1usize..700), |(feed, batch)| {
            let mut ts = 0;
            let items: Vec<Item> = feed
                .into_iter()
                .enumerate()
                .map(|(i, (id, jump, what))| {
                    ts += match i % 53 {
                        0 => jump,
                        1 => -(jump % (5 * MIN)),
                        _ => jump % 2_000,
                    };
                    // now and then one from far ahead, the rest carry on
                    let t = if i % 31 == 7 { ts + jump } else { ts };
                    let mut ev = Event::new(t, Kind::Join);
                    ev.event_id = (what != 0).then(|| format!("e{id}").into());
                    Item {
                        line: i as u64 + 1,
                        what: match what {
                            1 => Decoded::Skipped("chat".into()),
                            2 => Decoded::Rejected("bad".into()),
                            _ => Decoded::Event(ev),
                        },
                    }
                })
                .collect();
            let want = engine_marks(&items);
            let mut marked = items.clone();
            let mut up = Upstream::default();
            for run in marked.chunks_mut(batch) {
                up.mark(run);
            }
            for (i, (m, w)) in marked.iter().zip(&want).enumerate() {
                prop_assert_eq!(matches!(m.what, Decoded::Duplicate), *w, "item {}", i);
                if !*w {
                    prop_assert_eq!(&m.what, &items[i].what);
                }
            }
            dropped.set(dropped.get() + want.iter().filter(|&&w| w).count());
            // a repeat that is no longer remembered: passed on again
            let mut seen = std::collections::HashSet::new();
            for (it, w) in items.iter().zip(&want) {
                if let Decoded::Event(Event {
                    event_id: Some(id), ..
                }) = &it.what
                    && !seen.insert(id.clone())
                    && !*w
                {
                    rotated_away.set(rotated_away.get() + 1);
                }
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
        assert!(dropped.get() > 1_000 && rotated_away.get() > 100);
    }
}
