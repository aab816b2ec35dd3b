//! Handing decoded lines to the engine in batches over a bounded channel:
//! a flood fills the channel and the reader blocks (back-pressure) instead
//! of memory growing.

use super::SourceOptions;
use super::dedupe::Upstream;
use crate::decode::{DecodeOptions, Item};
use crossbeam_channel::{Receiver, Sender};
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
    /// Batches the receiver has ingested, coming back with their events
    /// (dropped here, when one is taken to be filled again).
    recycle: Option<Receiver<Vec<Item>>>,
}

impl Batcher {
    /// Marks repeated event ids before sending if `opts.dedupe`
    /// (`source::dedupe`); takes batches back from `opts.recycle`.
    pub fn new(source: usize, tx: Sender<Feed>, opts: &SourceOptions) -> Batcher {
        Batcher {
            source,
            tx,
            items: Vec::with_capacity(MAX_ITEMS),
            invalid_utf8: 0,
            lines: 0,
            started: None,
            open: true,
            dedupe: opts.dedupe.then(Box::default),
            sent_checked: false,
            names: Default::default(),
            recycle: opts.recycle.clone(),
        }
    }

    /// A batch to fill: one that came back, its old events dropped here,
    /// or a new one.
    fn spare(&self) -> Vec<Item> {
        match self.recycle.as_ref().and_then(|r| r.try_recv().ok()) {
            Some(mut items) => {
                items.clear();
                items
            }
            None => Vec::with_capacity(MAX_ITEMS),
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
        let next = self.spare();
        let items = std::mem::replace(&mut self.items, next);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Decoded;

    fn options(recycle: Receiver<Vec<Item>>) -> SourceOptions {
        SourceOptions {
            recycle: Some(recycle),
            ..Default::default()
        }
    }

    fn send_line(b: &mut Batcher, line: u64) {
        b.items_mut().push(Item {
            line,
            what: Decoded::Skipped(format!("line {line}")),
        });
        b.flush();
    }

    fn next_batch(rx: &Receiver<Feed>) -> Vec<Item> {
        match rx.try_recv() {
            Ok(Feed::Batch { items, .. }) => items,
            other => panic!("expected a batch, got {other:?}"),
        }
    }

    #[test]
    fn a_batch_sent_back_is_emptied_and_filled_again() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (back, recycle) = crossbeam_channel::unbounded();
        let mut b = Batcher::new(0, tx, &options(recycle));
        send_line(&mut b, 1);
        let first = next_batch(&rx);
        assert_eq!(first.iter().map(|it| it.line).collect::<Vec<_>>(), [1]);
        let storage = first.as_ptr();
        back.send(first).unwrap();
        // the batch sent back becomes the one after the batch being filled
        send_line(&mut b, 2);
        let second = next_batch(&rx);
        assert_eq!(second.iter().map(|it| it.line).collect::<Vec<_>>(), [2]);
        assert_ne!(second.as_ptr(), storage);
        send_line(&mut b, 3);
        let third = next_batch(&rx);
        assert_eq!(third.iter().map(|it| it.line).collect::<Vec<_>>(), [3]);
        assert_eq!(
            third.as_ptr(),
            storage,
            "the batch sent back is filled again"
        );
        // nothing sent back: a new one
        send_line(&mut b, 4);
        send_line(&mut b, 5);
        let (fourth, fifth) = (next_batch(&rx), next_batch(&rx));
        assert_eq!(fourth[0].line, 4);
        assert_ne!(fourth.as_ptr(), storage);
        assert_ne!(fifth.as_ptr(), storage);
    }
}
