//! Names to dense integer ids with per-id state, so the engine's hot maps
//! hold integers instead of strings.

use super::FastMap;
use super::name_index::NameIndex;
use compact_str::CompactString;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub struct Interner<T> {
    ids: NameIndex,
    // Names up to 24 bytes (user ids, most nicknames and creators) are kept
    // inline: no allocation.
    names: Vec<CompactString>,
    state: Vec<T>,
}

impl<T: Default> Interner<T> {
    pub fn entry(&mut self, name: &str) -> (u32, &mut T) {
        let hash = self.ids.hash(name);
        let id = match self.id_hashed(name, hash) {
            Some(id) => id,
            None => {
                let id = self.names.len() as u32;
                self.ids.insert(hash, id);
                self.names.push(CompactString::from(name));
                self.state.push(T::default());
                id
            }
        };
        (id, &mut self.state[id as usize])
    }
}

impl<T> Interner<T> {
    pub fn id(&self, name: &str) -> Option<u32> {
        self.id_hashed(name, self.ids.hash(name))
    }

    /// The hash `id_hashed` and the prefetches take for `name`.
    pub fn hash(&self, name: &str) -> u64 {
        self.ids.hash(name)
    }

    /// `id` with the name's `hash` already computed.
    pub fn id_hashed(&self, name: &str, hash: u64) -> Option<u32> {
        self.ids.find(hash, |id| {
            self.names.get(id as usize).is_some_and(|n| n == name)
        })
    }

    /// Start loading the index line `hash` is looked up in (read-ahead,
    /// first step).
    pub fn prefetch_slot(&self, hash: u64) {
        self.ids.prefetch(hash);
    }

    /// Start loading the name and state of the first id the index holds
    /// under `hash`'s tag (read-ahead, second step: the index line must be
    /// in cache by now, as it is read here).
    pub fn prefetch_candidate(&self, hash: u64)
    where
        T: Prefetch,
    {
        if let Some(id) = self.ids.candidates(hash).next()
            && let (Some(n), Some(st)) = (self.names.get(id as usize), self.state.get(id as usize))
        {
            super::prefetch::line(n);
            st.prefetch();
        }
    }

    pub fn get(&self, id: u32) -> &T {
        &self.state[id as usize]
    }

    pub fn get_mut(&mut self, id: u32) -> &mut T {
        &mut self.state[id as usize]
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &str, &T)> {
        self.names
            .iter()
            .zip(self.state.iter())
            .enumerate()
            .map(|(i, (n, s))| (i as u32, n.as_str(), s))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u32, &str, &mut T)> {
        self.names
            .iter()
            .zip(self.state.iter_mut())
            .enumerate()
            .map(|(i, (n, s))| (i as u32, n.as_str(), s))
    }
}

/// State the read-ahead can ask for before ingest reads it.
pub trait Prefetch {
    fn prefetch(&self);
}

/// Dense ids for keys that are never shown (order ids), by a 128-bit
/// fingerprint instead of the string: the string and its copy were most of
/// an order's memory.
#[derive(Debug, Clone)]
pub struct Ids<T> {
    // [u64; 2] rather than u128: 8-byte alignment packs a slot into 24
    // bytes instead of 32.
    ids: FastMap<[u64; 2], u32>,
    state: Vec<T>,
}

impl<T> Default for Ids<T> {
    fn default() -> Self {
        Ids {
            ids: FastMap::default(),
            state: Vec::new(),
        }
    }
}

impl<T: Default> Ids<T> {
    pub fn entry(&mut self, key: &str) -> (u32, &mut T) {
        let next = self.state.len() as u32;
        let fp = fingerprint(key);
        let id = *self
            .ids
            .entry([(fp >> 64) as u64, fp as u64])
            .or_insert(next);
        if id == next {
            self.state.push(T::default());
        }
        (id, &mut self.state[id as usize])
    }
}

impl<T> Ids<T> {
    /// The id of `key`, if it has one (no entry is made).
    pub fn id(&self, key: &str) -> Option<u32> {
        let fp = fingerprint(key);
        self.ids.get(&[(fp >> 64) as u64, fp as u64]).copied()
    }

    pub fn get(&self, id: u32) -> &T {
        &self.state[id as usize]
    }

    pub fn get_mut(&mut self, id: u32) -> &mut T {
        &mut self.state[id as usize]
    }

    pub fn len(&self) -> usize {
        self.state.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.state.iter().enumerate().map(|(i, s)| (i as u32, s))
    }
}

/// 128 bits from two independently seeded hashes: a collision among 10^9
/// keys has a probability below 10^-20, and a key costs 16 bytes.
pub fn fingerprint(key: &str) -> u128 {
    let a = foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(key);
    let b = foldhash::quality::FixedState::with_seed(0xc2b2_ae3d_27d4_eb4f).hash_one(key);
    (u128::from(a) << 64) | u128::from(b)
}
