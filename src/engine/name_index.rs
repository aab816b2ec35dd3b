//! The interner's map from a name to its id. With ~200k users an event's
//! user is a cache miss in any map; a general hash map (hashbrown) reads its
//! control bytes, then a slot it only learns from them, and neither address
//! can be asked for ahead. Here a name's hash alone gives the one cache line
//! to read (eight slots of a 32-bit hash tag and the id), so the read-ahead
//! can prefetch that line for a run of events, then each candidate's name
//! and state, before ingest needs them. The names themselves stay in the
//! interner's list: the index holds no copy of them.

use std::hash::BuildHasher;

const PER_LINE: usize = 8;

/// One cache line of slots: 0 is empty, else the hash's high 32 bits (the
/// tag) above the id + 1.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Line([u64; PER_LINE]);

#[derive(Debug, Clone)]
pub struct NameIndex<S = foldhash::fast::RandomState> {
    lines: Vec<Line>,
    /// `lines.len() - 1` (a power of two).
    mask: usize,
    len: usize,
    hasher: S,
}

impl Default for NameIndex {
    fn default() -> Self {
        NameIndex::with_hasher(foldhash::fast::RandomState::default())
    }
}

impl<S: BuildHasher> NameIndex<S> {
    pub fn with_hasher(hasher: S) -> Self {
        NameIndex {
            lines: vec![Line::default(); 1],
            mask: 0,
            len: 0,
            hasher,
        }
    }

    pub fn hash(&self, name: &str) -> u64 {
        self.hasher.hash_one(name)
    }

    /// The line a hash's probe starts at, picked by the tag's low bits so
    /// that growing needs no name hashed again.
    fn home(&self, hash: u64) -> usize {
        (hash >> 32) as usize & self.mask
    }

    /// Start loading the line `hash`'s look-up reads first.
    pub fn prefetch(&self, hash: u64) {
        if let Some(l) = self.lines.get(self.home(hash)) {
            super::prefetch::line(l);
        }
    }

    /// The id of the name `hash` was computed from; `is` tells whether an
    /// id is that name's.
    pub fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> Option<u32> {
        let tag = hash >> 32;
        let mut line = self.home(hash);
        for _ in 0..=self.mask {
            for &s in &self.lines.get(line)?.0 {
                if s == 0 {
                    return None;
                }
                let id = (s as u32).wrapping_sub(1);
                if s >> 32 == tag && is(id) {
                    return Some(id);
                }
            }
            line = (line + 1) & self.mask;
        }
        None
    }

    /// Add an id for a name not in the index (the caller has looked).
    pub fn insert(&mut self, hash: u64, id: u32) {
        // at most half full: a probe mostly ends in its first line
        if (self.len + 1) * 2 > self.lines.len() * PER_LINE {
            self.grow();
        }
        let slot = (hash >> 32 << 32) | (u64::from(id) + 1);
        self.put(slot);
        self.len += 1;
    }

    fn put(&mut self, slot: u64) {
        let mut line = (slot >> 32) as usize & self.mask;
        loop {
            if let Some(free) = self.lines[line].0.iter_mut().find(|s| **s == 0) {
                *free = slot;
                return;
            }
            line = (line + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let lines = self.lines.len() * 4;
        let old = std::mem::replace(&mut self.lines, vec![Line::default(); lines]);
        self.mask = lines - 1;
        for slot in old.iter().flat_map(|l| l.0).filter(|&s| s != 0) {
            self.put(slot);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// A hasher that gives every name one of `n` hashes, so tags collide,
    /// probes run across lines and wrap around the end.
    #[derive(Clone)]
    struct Few(u64);

    struct FewHasher(u64, u64);

    impl std::hash::Hasher for FewHasher {
        fn finish(&self) -> u64 {
            // the tag (and the home line) from the high bits
            (self.0 % self.1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1 << 63
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = self.0.wrapping_mul(31).wrapping_add(u64::from(b));
            }
        }
    }

    impl BuildHasher for Few {
        type Hasher = FewHasher;
        fn build_hasher(&self) -> FewHasher {
            FewHasher(0, self.0)
        }
    }

    /// The interner's use: look up, add when absent; against a HashMap.
    fn check<S: BuildHasher>(
        mut ix: NameIndex<S>,
        names: Vec<String>,
    ) -> Result<(), TestCaseError> {
        let mut list: Vec<String> = Vec::new();
        let mut want: HashMap<String, u32> = HashMap::new();
        for name in names {
            let h = ix.hash(&name);
            let got = ix.find(h, |id| list[id as usize] == name);
            prop_assert_eq!(got, want.get(&name).copied(), "{}", name);
            if got.is_none() {
                let id = list.len() as u32;
                ix.insert(h, id);
                list.push(name.clone());
                want.insert(name, id);
            }
            prop_assert_eq!(ix.len(), list.len());
        }
        for (name, &id) in &want {
            prop_assert_eq!(
                ix.find(ix.hash(name), |i| list[i as usize] == *name),
                Some(id)
            );
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn finds_what_a_hash_map_finds(names in proptest::collection::vec("[a-e]{0,4}", 0..2000)) {
            check(NameIndex::default(), names)?;
        }

        #[test]
        fn finds_them_when_hashes_collide(
            few in 1u64..40,
            names in proptest::collection::vec("[a-z]{0,3}", 0..600),
        ) {
            check(NameIndex::with_hasher(Few(few)), names)?;
        }
    }

    #[test]
    fn stays_at_most_half_full() {
        let mut ix = NameIndex::default();
        for id in 0..100_000u32 {
            ix.insert(ix.hash(&format!("u{id}")), id);
            assert!(ix.len() * 2 <= ix.lines.len() * PER_LINE);
        }
        // 4x at a time from one line: 16,384 lines hold 65,536 names at most
        assert_eq!(ix.lines.len(), 65_536);
        assert_eq!(std::mem::size_of::<Line>(), 64);
        assert_eq!(std::mem::align_of::<Line>(), 64);
    }
}
