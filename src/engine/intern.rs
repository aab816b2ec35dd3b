//! Names to dense integer ids with per-id state, so the engine's hot maps
//! hold integers instead of strings.

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
    /// under `hash`'s tag, the likeliest match (read-ahead, second step: the
    /// index line must be in cache by now, as it is read here).
    pub fn prefetch_candidate(&self, hash: u64)
    where
        T: Prefetch,
    {
        if let Some(id) = self.ids.find(hash, |_| true)
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
/// an order's memory. Found through the same prefetchable index as names.
#[derive(Debug, Clone, Default)]
pub struct Ids<T> {
    index: NameIndex,
    fps: Vec<[u64; 2]>,
    state: Vec<T>,
}

/// The index's hash of a fingerprint: its high half, already a hash.
fn fp_hash(fp: u128) -> u64 {
    (fp >> 64) as u64
}

fn fp_words(fp: u128) -> [u64; 2] {
    [(fp >> 64) as u64, fp as u64]
}

impl<T: Default> Ids<T> {
    pub fn entry(&mut self, key: &str) -> (u32, &mut T) {
        let fp = fingerprint(key);
        let id = match self.id_fp(fp) {
            Some(id) => id,
            None => {
                let id = self.state.len() as u32;
                self.index.insert(fp_hash(fp), id);
                self.fps.push(fp_words(fp));
                self.state.push(T::default());
                id
            }
        };
        (id, &mut self.state[id as usize])
    }
}

impl<T> Ids<T> {
    /// The id of `key`, if it has one (no entry is made).
    pub fn id(&self, key: &str) -> Option<u32> {
        self.id_fp(fingerprint(key))
    }

    /// `id` by the key's `fingerprint`.
    pub fn id_fp(&self, fp: u128) -> Option<u32> {
        let words = fp_words(fp);
        self.index
            .find(fp_hash(fp), |id| self.fps.get(id as usize) == Some(&words))
    }

    /// Start loading the index line `fp` is looked up in (read-ahead,
    /// first step).
    pub fn prefetch_slot(&self, fp: u128) {
        self.index.prefetch(fp_hash(fp));
    }

    /// Start loading the fingerprint and the whole state of the first id
    /// the index holds under `fp`'s tag (read-ahead, second step).
    pub fn prefetch_candidate(&self, fp: u128) {
        if let Some(id) = self.index.find(fp_hash(fp), |_| true)
            && let (Some(f), Some(st)) = (self.fps.get(id as usize), self.state.get(id as usize))
        {
            super::prefetch::line(f);
            super::prefetch::all(st);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids are dense, in first-seen order, and found again by key or by
    /// fingerprint; names likewise, with their text kept.
    #[test]
    fn ids_and_names_are_dense_and_found_again() {
        let mut orders: Ids<u8> = Ids::default();
        let mut users: Interner<u8> = Interner::default();
        for round in 0..2 {
            for i in 0..50_000u32 {
                let key = format!("o{}", i * 7919 % 50_000);
                let (id, st) = orders.entry(&key);
                *st = st.wrapping_add(1);
                assert_eq!(orders.id(&key), Some(id));
                assert_eq!(orders.id_fp(fingerprint(&key)), Some(id));
                let name = format!("u{}", i * 7919 % 50_000);
                let (uid, _) = users.entry(&name);
                assert_eq!(users.id(&name), Some(uid));
                assert_eq!(users.name(uid), name);
                if round == 0 {
                    assert_eq!((id, uid), (i, i), "a new key gets the next id");
                }
            }
        }
        assert_eq!((orders.len(), users.len()), (50_000, 50_000));
        assert!(orders.iter().all(|(_, &n)| n == 2));
        assert_eq!(orders.id("o50000"), None);
        assert_eq!(users.id("u50000"), None);
    }
}
