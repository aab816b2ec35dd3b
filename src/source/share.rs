//! Sharing the decoding of one NDJSON input with the thread that ingests.
//!
//! On two cores the reader's thread is the slower of the two on NDJSON
//! (JSON parsing is ~70% of its instructions), so the engine's thread
//! waits. When the channel is empty at the start of a group of lines, the
//! reader hands the group over undecoded (`Feed::Lines`) and the receiver
//! decodes it before ingesting: both threads stay busy, and the groups keep
//! their place in the line order. A third thread was measured slower: three
//! busy threads on two cores evict the engine's cache at every slice.
//!
//! Exactness: canonical lines decode alone. Real-feed records carry state
//! (gift streaks), so once sharing is on every such record is decoded by
//! the receiver, in line order, with its own adapters' state; the reader
//! defers them. Sharing turns on only if the first line needed no state,
//! so an input of real-feed records keeps all its decoding on the reader.
//! Event ids are then checked by the engine (a handed group bypasses the
//! reader's check), which is why sharing must be decided before the first
//! batch is sent.

use super::batch::Batcher;
use crate::decode::{DecodeOptions, Format, LineDecoder, Outcome};
use std::sync::Arc;

/// How lines are grouped and when a group is handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareRule {
    /// Lines per group.
    pub group: usize,
    /// Hand over every n-th group (tests) instead of whenever the receiver
    /// is idle (`None`).
    pub every: Option<u64>,
}

impl ShareRule {
    /// ~170 KB of benchmark NDJSON: long enough to amortise a message,
    /// short enough that an idle receiver soon has work.
    pub const ADAPTIVE: ShareRule = ShareRule {
        group: 1024,
        every: None,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Undecided,
    On,
    Off,
}

pub struct Share {
    rule: Option<ShareRule>,
    state: State,
    opts: Arc<DecodeOptions>,
    groups: u64,
    /// Lines still to come in the current group (0: none begun).
    left: usize,
    handing: bool,
    text: String,
    first_line: u64,
}

impl Share {
    pub fn new(rule: Option<ShareRule>, opts: &DecodeOptions) -> Share {
        Share {
            rule,
            state: if rule.is_some() {
                State::Undecided
            } else {
                State::Off
            },
            opts: Arc::new(opts.clone()),
            groups: 0,
            left: 0,
            handing: false,
            text: String::new(),
            first_line: 0,
        }
    }

    /// Takes a valid UTF-8 line (true) if its group is handed over.
    pub fn take(&mut self, line: &str, line_no: u64, batch: &mut Batcher) -> bool {
        let (State::On, Some(rule)) = (self.state, self.rule) else {
            return false;
        };
        if self.left == 0 {
            self.groups += 1;
            self.left = rule.group.max(1);
            self.handing = match rule.every {
                Some(n) => self.groups.is_multiple_of(n.max(1)),
                None => batch.idle(),
            };
        }
        self.left -= 1;
        if self.handing {
            self.hand(line, line_no, batch);
        }
        self.handing
    }

    /// The reader's decoder deferred `line` (a real-feed record): the rest
    /// of its group goes to the receiver, after what is decoded before it.
    pub fn deferred(&mut self, line: &str, line_no: u64, batch: &mut Batcher) {
        self.handing = true;
        self.hand(line, line_no, batch);
    }

    fn hand(&mut self, line: &str, line_no: u64, batch: &mut Batcher) {
        if self.text.is_empty() {
            self.first_line = line_no;
        }
        self.text.push_str(line);
        self.text.push('\n');
        if self.left == 0 {
            self.close(batch);
        }
    }

    /// Sends the group begun, before a line the reader must decode itself
    /// (invalid UTF-8, too long), before a read that may block, or at the
    /// end of the input.
    pub fn close(&mut self, batch: &mut Batcher) {
        if !self.text.is_empty() {
            // the next group is likely as long: grown from empty it was
            // reallocated ~8 times (1% of the instructions on NDJSON)
            let next = String::with_capacity(self.text.len());
            let text = std::mem::replace(&mut self.text, next);
            batch.send_lines(self.first_line, text, self.opts.clone());
        }
        self.left = 0;
    }

    /// Decides, after the reader decoded its first line, whether to share
    /// this input: only NDJSON whose first line needed no adapters' state,
    /// and only while no batch has gone out with its ids checked.
    pub fn decided(&mut self, outcome: Outcome, decoder: &mut LineDecoder, batch: &mut Batcher) {
        if self.state != State::Undecided {
            return;
        }
        let Some(format) = decoder.format() else {
            return;
        };
        self.state =
            if format == Format::Ndjson && outcome != Outcome::Adapter && batch.stop_checking_ids()
            {
                decoder.defer_adapters();
                State::On
            } else {
                State::Off
            };
    }
}

/// The receiver's side: decodes handed groups of one input, in order.
pub fn decode_group(
    decoder: &mut LineDecoder,
    first_line: u64,
    text: &str,
    out: &mut Vec<crate::decode::Item>,
) {
    let mut start = 0;
    for (i, end) in memchr::memchr_iter(b'\n', text.as_bytes()).enumerate() {
        // a newline is always a character boundary
        if let Some(line) = text.get(start..end) {
            decoder.push_line(line, first_line + i as u64, out);
        }
        start = end + 1;
    }
}
