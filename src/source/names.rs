//! Numbering creators and gift names on the reading thread. The engine's
//! thread is the busier of the two, and looking up a creator and a gift
//! by name (hash, probe, compare) was a sixth of its instructions. Each
//! reader numbers the names it passes on (1, 2, ... per reader, in order of
//! first sight); the engine looks a numbered name up once, remembers its
//! id under the reader's number, and later finds it by the number alone
//! (`engine::ReaderNames`). A few hundred names a feed: the table here
//! stays small and in cache.

use crate::decode::{Decoded, Item};
use crate::engine::intern::Interner;
use crate::model::Kind;

#[derive(Default)]
pub struct Numbering {
    creators: Interner<()>,
    gifts: Interner<()>,
}

impl Numbering {
    /// Sets `creator_ix` and, on gifts, `item_ix` of every event.
    pub fn number(&mut self, items: &mut [Item]) {
        for it in items {
            let Decoded::Event(ev) = &mut it.what else {
                continue;
            };
            if let Some(c) = ev.creator.as_deref() {
                ev.creator_ix = self.creators.entry(c).0.checked_add(1).unwrap_or(0);
            }
            if ev.kind == Kind::Gift
                && let Some(g) = ev.item.as_deref()
            {
                ev.item_ix = self.gifts.entry(g).0.checked_add(1).unwrap_or(0);
            }
        }
    }
}
