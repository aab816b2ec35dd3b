//! The ids of names a reader numbered (`source::names`): per input, the
//! reader's number to the engine's id, filled the first time a number
//! comes with its name. Exact: a reader gives one name one number, and the
//! name is looked up the usual way the first time.

use super::Engine;
use super::intern::Interner;

/// Not yet looked up.
const UNKNOWN: u32 = u32::MAX;

#[derive(Debug, Default)]
pub struct ReaderNames {
    /// The input whose events are being ingested (`Engine::from_source`).
    source: usize,
    /// Per input: creators, then gifts, by the reader's number - 1.
    ids: Vec<[Vec<u32>; 2]>,
}

impl ReaderNames {
    /// The id of `name`, numbered `ix` (0: not numbered) by the current
    /// input's reader in list `which`, from `names`.
    #[inline]
    fn id<T: Default>(
        &mut self,
        which: usize,
        names: &mut Interner<T>,
        name: &str,
        ix: u32,
    ) -> u32 {
        let i = (ix as usize).wrapping_sub(1);
        let list = self.ids.get_mut(self.source).and_then(|l| l.get_mut(which));
        match list {
            Some(list) => match list.get(i) {
                Some(&id) if id != UNKNOWN => {
                    debug_assert_eq!(names.name(id), name, "a reader's number for another name");
                    id
                }
                _ => Self::learn(list, i, names.entry(name).0),
            },
            None => names.entry(name).0,
        }
    }

    /// The id already learnt for number `ix` of the current input in list
    /// `which` (for the read-ahead, which changes nothing).
    #[inline]
    fn known(&self, which: usize, ix: u32) -> Option<u32> {
        let i = (ix as usize).wrapping_sub(1);
        let id = *self.ids.get(self.source)?.get(which)?.get(i)?;
        (id != UNKNOWN).then_some(id)
    }

    /// Remembers `id` under number `i + 1` (not for 0, and not far ahead
    /// of the numbers so far: readers number densely).
    #[cold]
    fn learn(list: &mut Vec<u32>, i: usize, id: u32) -> u32 {
        if i < list.len() + 4096 {
            if list.len() <= i {
                list.resize(i + 1, UNKNOWN);
            }
            if let Some(slot) = list.get_mut(i) {
                *slot = id;
            }
        }
        id
    }
}

impl Engine {
    /// The events that follow come from input `source` (for the names its
    /// reader numbered).
    pub fn from_source(&mut self, source: usize) {
        let r = &mut self.reader_names;
        if r.ids.len() <= source {
            r.ids.resize_with(source + 1, Default::default);
        }
        r.source = source;
    }

    pub(crate) fn creator_id(&mut self, name: &str, ix: u32) -> u32 {
        self.reader_names.id(0, &mut self.creators, name, ix)
    }

    /// Start loading the ends of the per-second rings a gift at `sec` will
    /// add a second to (its creator's and its gift's), where the reader's
    /// numbers are already known: in a flood they were a cache miss.
    pub(crate) fn prefetch_gift_rings(&self, sec: i64, creator_ix: u32, item_ix: u32) {
        if let Some(id) = self.reader_names.known(0, creator_ix) {
            self.creators.get(id).recent.prefetch_ends(sec);
        }
        if let Some(id) = self.reader_names.known(1, item_ix) {
            self.gift_items.get(id).recent.prefetch_ends(sec);
        }
    }

    pub(crate) fn gift_id(&mut self, name: &str, ix: u32) -> u32 {
        self.reader_names.id(1, &mut self.gift_items, name, ix)
    }
}
