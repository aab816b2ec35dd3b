//! Duplicate deliveries by event id. Replays (TikTok-Live-Connector's
//! `processInitialData` on every reconnect) and re-deliveries arrive within
//! seconds or minutes, so an id is remembered for an hour of event time or
//! for the next `GENERATION_IDS` ids, whichever ends first: memory is capped
//! (two generations of at most `GENERATION_IDS` fingerprints, 36 MB) whatever
//! the feed's rate or length.

use super::intern::fingerprint;
use super::{FastSet, HORIZON_SECS};
use crate::model::TsMs;

/// 7/8 of 2^20: a generation fills its hash table without a further
/// doubling (hashbrown keeps at most 7/8 of its buckets full).
pub const GENERATION_IDS: usize = 917_504;

pub struct Dedupe {
    current: FastSet<u128>,
    previous: FastSet<u128>,
    current_since: Option<TsMs>,
    cap: usize,
}

impl Default for Dedupe {
    fn default() -> Self {
        Dedupe::with_cap(GENERATION_IDS)
    }
}

impl Dedupe {
    pub fn with_cap(cap: usize) -> Dedupe {
        Dedupe {
            current: FastSet::default(),
            previous: FastSet::default(),
            current_since: None,
            cap: cap.max(1),
        }
    }

    /// True the first time an id is seen. `now` is the newest event time.
    pub fn first_time(&mut self, id: &str, now: TsMs) -> bool {
        match self.current_since {
            None => self.current_since = Some(now),
            Some(since) if now - since >= HORIZON_SECS * 1000 || self.current.len() >= self.cap => {
                // What is dropped now was inserted over an hour ago, or
                // before the last `cap` ids.
                let full = std::mem::take(&mut self.current);
                let mut old = std::mem::replace(&mut self.previous, full);
                // reuse the dropped table's allocation: no regrowth per rotation
                old.clear();
                self.current = old;
                self.current_since = Some(now);
            }
            Some(_) => {}
        }
        let fp = fingerprint(id);
        !self.previous.contains(&fp) && self.current.insert(fp)
    }

    /// Look fingerprints up in both generations without remembering them
    /// (to read their table entries ahead of `first_time`): one table at a
    /// time, so the look-ups are independent and their misses overlap.
    pub fn probe_all(&self, fps: &[u128]) -> u64 {
        let old = fps.iter().filter(|fp| self.previous.contains(fp)).count();
        let new = fps.iter().filter(|fp| self.current.contains(fp)).count();
        (old + new) as u64
    }

    pub fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: TsMs = 60_000;

    #[test]
    fn remembered_for_at_least_an_hour() {
        let mut d = Dedupe::default();
        assert!(d.first_time("a", 0));
        assert!(!d.first_time("a", 59 * MIN));
        assert!(d.first_time("b", 59 * MIN));
        // the first rotation keeps both in the previous generation
        assert!(d.first_time("c", 61 * MIN));
        assert!(!d.first_time("a", 100 * MIN));
        assert!(!d.first_time("b", 118 * MIN));
        // the second rotation (at 122) forgets what was first seen before
        // 61: a (seen at 0) and b (at 59, so remembered 63 minutes)
        assert!(d.first_time("a", 122 * MIN));
        assert!(d.first_time("b", 122 * MIN));
        assert!(!d.first_time("c", 122 * MIN));
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn a_fast_feed_remembers_an_id_until_cap_newer_ids() {
        // cap 3, all in the same millisecond: rotation by count alone
        let mut d = Dedupe::with_cap(3);
        for id in ["1", "2", "3"] {
            assert!(d.first_time(id, 0));
        }
        // 4 rotates: 1..3 become the previous generation
        assert!(d.first_time("4", 0));
        assert!(!d.first_time("1", 0), "only 1 newer id than 3 so far");
        assert!(d.first_time("5", 0));
        assert!(!d.first_time("3", 0), "2 newer ids than 3");
        assert!(d.first_time("6", 0));
        // 4, 5, 6 are 3 newer ids than 3: the next look-up rotates and
        // forgets 1..3, and 4..6 are remembered
        assert!(d.first_time("2", 0));
        assert!(!d.first_time("4", 0));
        assert!(!d.first_time("6", 0));
        assert_eq!(d.len(), 4);
    }

    /// The same answers as the rule written with two sets of the ids
    /// themselves, over random feeds with repeats, time jumps and caps
    /// small enough to rotate by count and by time many times.
    #[test]
    fn answers_like_two_generations_of_strings() {
        use proptest::prelude::*;
        use std::collections::HashSet;
        let step = (0u32..400, 0i64..120 * MIN);
        let feed = proptest::collection::vec(step, 1..3000);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
        let result = runner.run(&(1usize..300, feed), |(cap, feed)| {
            let mut d = Dedupe::with_cap(cap);
            let (mut cur, mut prev) = (HashSet::new(), HashSet::new());
            let mut since: Option<TsMs> = None;
            let mut now = 0;
            for (i, (id, jump)) in feed.into_iter().enumerate() {
                // time mostly stands still, sometimes jumps past the hour
                now += if i % 97 == 0 { jump } else { jump % 1000 };
                let id = format!("e{id}");
                match since {
                    None => since = Some(now),
                    Some(s) if now - s >= HORIZON_SECS * 1000 || cur.len() >= cap => {
                        prev = std::mem::take(&mut cur);
                        since = Some(now);
                    }
                    Some(_) => {}
                }
                let want = !prev.contains(&id) && cur.insert(id.clone());
                prop_assert_eq!(d.first_time(&id, now), want, "{} at step {}", id, i);
                prop_assert_eq!(d.len(), cur.len() + prev.len());
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }
}
