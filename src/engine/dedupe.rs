//! Duplicate deliveries by event id, remembered for at least an hour of
//! event time (reconnect replays and webhook re-deliveries arrive within
//! minutes), so memory follows the feed's rate, not its whole length.

use super::{FastSet, HORIZON_SECS};
use crate::model::TsMs;
use std::hash::BuildHasher;

#[derive(Default)]
pub struct Dedupe {
    current: FastSet<u128>,
    previous: FastSet<u128>,
    current_since: Option<TsMs>,
}

impl Dedupe {
    /// True the first time an id is seen. `now` is the newest event time.
    pub fn first_time(&mut self, id: &str, now: TsMs) -> bool {
        match self.current_since {
            None => self.current_since = Some(now),
            Some(since) if now - since >= HORIZON_SECS * 1000 => {
                // What is dropped now was last inserted over an hour ago.
                self.previous = std::mem::take(&mut self.current);
                self.current_since = Some(now);
            }
            Some(_) => {}
        }
        let fp = fingerprint(id);
        !self.previous.contains(&fp) && self.current.insert(fp)
    }

    pub fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// 128 bits from two independently seeded hashes: a false duplicate among
/// 10^9 ids has a probability below 10^-20, and an id costs 16 bytes.
fn fingerprint(id: &str) -> u128 {
    let a = foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(id);
    let b = foldhash::quality::FixedState::with_seed(0xc2b2_ae3d_27d4_eb4f).hash_one(id);
    (u128::from(a) << 64) | u128::from(b)
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
}
