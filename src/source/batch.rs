//! Handing decoded lines to the engine in batches over a bounded channel:
//! a flood fills the channel and the reader blocks (back-pressure) instead
//! of memory growing.

use super::dedupe::Upstream;
use crate::decode::{DecodeOptions, Item};
use crossbeam_channel::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MAX_ITEMS: usize = 4096;
const MAX_DELAY: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, PartialEq)]
pub enum SourceState {
    Reading,
    Following,
    Ended,
    Demo,
    Failed(String),
}

#[derive(Debug)]
pub enum Feed {
    Batch {
        source: usize,
        items: Vec<Item>,
        invalid_utf8: u64,
        lines: u64,
        /// The reader has de-duplicated these items' event ids
        /// (`source::dedupe`): the engine must not check them again.
        ids_checked: bool,
    },
    /// Whole lines (each ending in `\n`, the first numbered `first_line`)
    /// for the receiver to decode itself, in order (`source::share`).
    Lines {
        source: usize,
        first_line: u64,
        text: String,
        opts: Arc<DecodeOptions>,
    },
    State {
        source: usize,
        state: SourceState,
    },
    Notice {
        source: usize,
        message: String,
    },
}

pub struct Batcher {
    pub source: usize,
    tx: Sender<Feed>,
    items: Vec<Item>,
    invalid_utf8: u64,
    lines: u64,
    started: Option<Instant>,
    /// False once the receiver has gone: the reader should stop.
    pub open: bool,
    dedupe: Option<Box<Upstream>>,
    /// A batch with events has gone out with its ids checked.
    sent_checked: bool,
    names: super::names::Numbering,
}

impl Batcher {
    /// `dedupe`: mark repeated event ids before sending (`source::dedupe`).
    pub fn new(source: usize, tx: Sender<Feed>, dedupe: bool) -> Batcher {
        Batcher {
            source,
            tx,
            items: Vec::with_capacity(MAX_ITEMS),
            invalid_utf8: 0,
            lines: 0,
            started: None,
            open: true,
            dedupe: dedupe.then(Box::default),
            sent_checked: false,
            names: Default::default(),
        }
    }

    /// Leaves event ids to the engine from now on; false (and nothing
    /// changes) once a batch has gone out with its ids checked, since the
    /// engine would not know those ids.
    pub fn stop_checking_ids(&mut self) -> bool {
        if self.sent_checked {
            return false;
        }
        self.dedupe = None;
        true
    }

    /// Nothing is waiting in the channel: the receiver is idle or soon
    /// will be.
    pub fn idle(&self) -> bool {
        self.tx.is_empty()
    }

    /// Sends lines for the receiver to decode, after what is decoded.
    pub fn send_lines(&mut self, first_line: u64, text: String, opts: Arc<DecodeOptions>) {
        self.flush();
        let msg = Feed::Lines {
            source: self.source,
            first_line,
            text,
            opts,
        };
        if self.tx.send(msg).is_err() {
            self.open = false;
        }
    }

    pub fn items_mut(&mut self) -> &mut Vec<Item> {
        self.started.get_or_insert_with(Instant::now);
        &mut self.items
    }

    pub fn line_read(&mut self, invalid_utf8: bool) {
        self.lines += 1;
        if invalid_utf8 {
            self.invalid_utf8 += 1;
        }
    }

    /// Send when full or when the oldest item has waited long enough (the
    /// clock is read every 64 items once a batch is under way: reading it
    /// per line costs more than the line).
    pub fn maybe_flush(&mut self) {
        let n = self.items.len();
        let check_clock = n < 64 || n.is_multiple_of(64);
        if n >= MAX_ITEMS || (check_clock && self.started.is_some_and(|t| t.elapsed() >= MAX_DELAY))
        {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        if self.items.is_empty() && self.invalid_utf8 == 0 && self.lines == 0 {
            return;
        }
        self.names.number(&mut self.items);
        let ids_checked = match &mut self.dedupe {
            Some(d) => {
                d.mark(&mut self.items);
                self.sent_checked |= !self.items.is_empty();
                true
            }
            None => false,
        };
        let items = std::mem::replace(&mut self.items, Vec::with_capacity(MAX_ITEMS));
        let msg = Feed::Batch {
            source: self.source,
            items,
            invalid_utf8: std::mem::take(&mut self.invalid_utf8),
            lines: std::mem::take(&mut self.lines),
            ids_checked,
        };
        self.started = None;
        if self.tx.send(msg).is_err() {
            self.open = false;
        }
    }

    pub fn state(&mut self, state: SourceState) {
        self.flush();
        if self
            .tx
            .send(Feed::State {
                source: self.source,
                state,
            })
            .is_err()
        {
            self.open = false;
        }
    }

    pub fn notice(&mut self, message: String) {
        let _ = self.tx.send(Feed::Notice {
            source: self.source,
            message,
        });
    }
}
