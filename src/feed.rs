//! Applying reader messages to the engine, and what the views know about
//! each source. Shared by the report and the dashboard.

use crate::decode::{Decoded, Item, LineDecoder};
use crate::engine::{AHEAD, Engine};
use crate::source::{Feed, SourceState};
use crossbeam_channel::Sender;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub name: String,
    pub state: SourceState,
    pub lines: u64,
    pub invalid_utf8: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub list: Vec<SourceInfo>,
    pub notices: VecDeque<String>,
}

/// Applies reader messages to the engine: what the views know of each
/// source (`sources`, which views copy), and per source the decoder of the
/// lines its reader hands over undecoded (`source::share`), holding the
/// real-feed records' state.
pub struct Intake {
    pub sources: Sources,
    handed: Vec<Option<LineDecoder>>,
    /// Where ingested batches go back to their readers (`recycling`).
    recycle: Option<Sender<Vec<Item>>>,
}

impl Sources {
    pub fn new(names: Vec<String>) -> Sources {
        Sources {
            list: names
                .into_iter()
                .map(|name| SourceInfo {
                    name,
                    state: SourceState::Reading,
                    lines: 0,
                    invalid_utf8: 0,
                })
                .collect(),
            notices: VecDeque::new(),
        }
    }

    /// True when no source will send anything more.
    pub fn all_done(&self) -> bool {
        self.list
            .iter()
            .all(|s| matches!(s.state, SourceState::Ended | SourceState::Failed(_)))
    }

    pub fn invalid_utf8(&self) -> u64 {
        self.list.iter().map(|s| s.invalid_utf8).sum()
    }

    fn name(&self, source: usize) -> String {
        self.list
            .get(source)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    fn notice(&mut self, msg: String) {
        if self.notices.len() == 50 {
            self.notices.pop_front();
        }
        self.notices.push_back(msg);
    }
}

impl Intake {
    pub fn new(sources: Sources) -> Intake {
        Intake {
            sources,
            handed: Vec::new(),
            recycle: None,
        }
    }

    /// Sends each ingested batch back to the readers (`SourceOptions::
    /// recycle`), which drop its events there. In the dashboard this
    /// thread is the busier of the two (it keeps per-second figures for
    /// every creator and gift and computes views), and dropping a batch's
    /// events and freeing it was ~3% of its time. Not for the report: its
    /// two threads are equally busy, and moving the work over was slower.
    pub fn recycling(mut self, tx: Sender<Vec<Item>>) -> Intake {
        self.recycle = Some(tx);
        self
    }

    /// Apply one message; returns how many events it carried.
    pub fn apply(&mut self, engine: &mut Engine, msg: Feed) -> u64 {
        match msg {
            Feed::Batch {
                source,
                mut items,
                invalid_utf8,
                lines,
                ids_checked,
            } => {
                let name = self.sources.name(source);
                if let Some(s) = self.sources.list.get_mut(source) {
                    s.lines += lines;
                    s.invalid_utf8 += invalid_utf8;
                }
                engine.from_source(source);
                let events = ingest_slice(engine, &name, &mut items, ids_checked);
                if let Some(tx) = &self.recycle {
                    // full (the readers have enough) or gone: dropped here
                    let _ = tx.try_send(items);
                }
                events
            }
            Feed::Lines {
                source,
                first_line,
                text,
                opts,
            } => {
                let handed = &mut self.handed;
                if handed.len() <= source {
                    handed.resize_with(source + 1, || None);
                }
                let decoder =
                    handed[source].get_or_insert_with(|| LineDecoder::continuing((*opts).clone()));
                let mut items = Vec::with_capacity(text.len() / 64);
                crate::source::share::decode_group(decoder, first_line, &text, &mut items);
                let name = self.sources.name(source);
                ingest_checked(engine, &name, items, false)
            }
            Feed::State { source, state } => {
                let mut events = 0;
                if matches!(state, SourceState::Ended | SourceState::Failed(_))
                    && let Some(mut decoder) = self.handed.get_mut(source).and_then(Option::take)
                {
                    // close what the handed lines left open (gift streaks)
                    let mut items = Vec::new();
                    decoder.finish(&mut items);
                    let name = self.sources.name(source);
                    events = ingest_checked(engine, &name, items, false);
                }
                if let SourceState::Failed(why) = &state {
                    self.sources.notice(why.clone());
                }
                if let Some(s) = self.sources.list.get_mut(source) {
                    s.state = state;
                }
                engine.generation += 1;
                events
            }
            Feed::Notice { message, .. } => {
                self.sources.notice(message);
                engine.generation += 1;
                0
            }
        }
    }
}

pub fn ingest_items(engine: &mut Engine, source: &str, items: Vec<Item>) -> u64 {
    ingest_checked(engine, source, items, false)
}

/// `ingest_items` for a batch whose event ids the reader has already
/// checked (`ids_checked`, see `source::dedupe`) or not.
pub fn ingest_checked(
    engine: &mut Engine,
    source: &str,
    mut items: Vec<Item>,
    ids_checked: bool,
) -> u64 {
    ingest_slice(engine, source, &mut items, ids_checked)
}

/// `ingest_checked` leaving the items (rejection reasons taken) to the caller.
fn ingest_slice(engine: &mut Engine, source: &str, items: &mut [Item], ids_checked: bool) -> u64 {
    let mut events = 0;
    let mut ahead = engine.take_ahead();
    for chunk in items.chunks_mut(AHEAD) {
        let events_of = chunk.iter().filter_map(|it| match &it.what {
            Decoded::Event(ev) => Some(ev),
            _ => None,
        });
        engine.warm(events_of, ids_checked, &mut ahead);
        let mut i = 0;
        for it in chunk {
            match &mut it.what {
                Decoded::Event(ev) => {
                    engine.ingest_hinted(ev, &ahead.hint(i));
                    i += 1;
                    events += 1;
                }
                Decoded::Skipped(_) => engine.skipped(),
                Decoded::Duplicate => engine.duplicate(),
                Decoded::Rejected(reason) => engine.reject(source, it.line, std::mem::take(reason)),
            }
        }
    }
    engine.put_ahead(ahead);
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_str;
    use crate::engine::Config;

    fn batch(items: Vec<Item>) -> Feed {
        Feed::Batch {
            source: 0,
            items,
            invalid_utf8: 0,
            lines: 3,
            ids_checked: false,
        }
    }

    #[test]
    fn an_ingested_batch_goes_back_to_the_readers() {
        let csv = "ts,kind,creator,user,item,qty,diamonds\n\
                   2026-11-23T20:00:00Z,gift,alice,u1,Rose,1,1\n\
                   2026-11-23T20:00:01Z,gift,bob,u2,Rose,2,2\n";
        let (tx, rx) = crossbeam_channel::bounded(1);
        let mut intake = Intake::new(Sources::new(vec!["feed".into()])).recycling(tx);
        let mut engine = Engine::new(Config::default());
        let items = decode_str(csv, Default::default());
        let storage = items.as_ptr();
        assert_eq!(intake.apply(&mut engine, batch(items)), 2);
        assert_eq!(engine.all.gifts_sent, 3);
        let back = rx.try_recv().expect("the batch came back");
        assert_eq!(back.as_ptr(), storage);
        // the readers have enough: the next one is dropped, not waited for
        intake.apply(&mut engine, batch(decode_str(csv, Default::default())));
        intake.apply(&mut engine, batch(decode_str(csv, Default::default())));
        assert_eq!(rx.len(), 1);
        assert_eq!(engine.all.gifts_sent, 9);
    }
}
