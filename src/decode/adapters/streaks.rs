//! Gift streaks. A gift of type 1 is announced again and again while the
//! viewer keeps tapping, each time with the cumulative `repeatCount`, and
//! once more with `repeatEnd` when the streak is over; even a single tap
//! arrives twice. Counting every record multiplies gifts, so a streak
//! becomes one canonical gift event: at its end, or, when the end never
//! arrives (a known connector failure), once the feed's own clock has
//! moved `timeout` past its last update.
//!
//! Reconnects replay recent history. A replayed final record keeps its
//! msgId and is left to the engine's deduplication; replayed updates are
//! recognised here (by msgId, else by a count the streak already reached)
//! so they never reopen a streak that was already counted.

use crate::decode::{Decoded, Item};
use crate::model::{Event, Kind, TsMs};
use std::collections::HashMap;

/// How long closed streaks and update ids are remembered: longer than any
/// reconnect replays, short enough that a long stream stays small.
const REMEMBER_MS: i64 = 60 * 60 * 1000;
const PRUNE_EVERY_MS: i64 = 60 * 1000;

/// One gift record, whatever connector it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct GiftRecord {
    pub line: u64,
    pub ts: TsMs,
    pub event_id: Option<String>,
    pub creator: String,
    pub user: Option<String>,
    pub nickname: Option<String>,
    pub gift_id: String,
    pub group: Option<String>,
    pub item: String,
    /// `giftType == 1`: the only type that streaks.
    pub streakable: bool,
    pub diamonds_each: i64,
    /// Cumulative within a streak.
    pub count: i64,
    pub end: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    creator: String,
    user: String,
    gift: String,
    group: Option<String>,
}

impl Key {
    fn of(g: &GiftRecord) -> Key {
        Key {
            creator: g.creator.clone(),
            user: g.user.clone().unwrap_or_default(),
            gift: g.gift_id.clone(),
            group: g.group.clone(),
        }
    }
}

struct Open {
    /// The latest update, with the highest count seen.
    last: GiftRecord,
    /// Gifts of this streak already emitted before it was reopened.
    base: i64,
}

struct Closed {
    counted: i64,
    last_ts: TsMs,
    final_id: Option<String>,
    final_qty: i64,
}

pub struct StreakBook {
    timeout: i64,
    now: Option<TsMs>,
    open: HashMap<Key, Open>,
    closed: HashMap<Key, Closed>,
    update_ids: HashMap<String, TsMs>,
    next_prune: TsMs,
}

impl StreakBook {
    pub fn new(timeout: i64) -> StreakBook {
        StreakBook {
            timeout,
            now: None,
            open: HashMap::new(),
            closed: HashMap::new(),
            update_ids: HashMap::new(),
            next_prune: TsMs::MIN,
        }
    }

    /// The latest event time this input has shown.
    pub fn now(&self) -> Option<TsMs> {
        self.now
    }

    pub fn gift(&mut self, g: GiftRecord, out: &mut Vec<Item>) {
        if !g.streakable {
            self.advance(g.ts, None, out);
            let qty = g.count;
            push(out, g.line, event(&g, g.ts, qty, g.event_id.clone(), false));
            return;
        }
        let key = Key::of(&g);
        // The record's own streak is spared: it is being updated right now,
        // even when a replay makes its time look stale.
        self.advance(g.ts, Some(&key), out);
        if g.end {
            self.end(key, g, out);
        } else {
            self.update(key, g);
        }
    }

    fn update(&mut self, key: Key, g: GiftRecord) {
        if let Some(id) = &g.event_id
            && self.update_ids.insert(id.clone(), g.ts).is_some()
        {
            return;
        }
        if let Some(o) = self.open.get_mut(&key) {
            if g.count >= o.last.count {
                let ts = o.last.ts.max(g.ts);
                o.last = g;
                o.last.ts = ts;
            }
            return;
        }
        let base = match (self.closed.get(&key), &key.group) {
            // groupId names one streak: an update that does not go beyond
            // what was counted is a straggler or a replay.
            (Some(c), Some(_)) if g.count <= c.counted => return,
            (Some(c), Some(_)) => c.counted,
            // Without a groupId the same user and gift may start a new
            // streak right after the last one ended.
            (Some(_), None) => {
                self.closed.remove(&key);
                0
            }
            (None, _) => 0,
        };
        self.open.insert(key, Open { last: g, base });
    }

    fn end(&mut self, key: Key, g: GiftRecord, out: &mut Vec<Item>) {
        if let Some(o) = self.open.remove(&key) {
            let total = g.count.max(o.last.count);
            let qty = total - o.base;
            self.remember(key, total, &g, qty);
            if qty > 0 {
                push(out, g.line, event(&g, g.ts, qty, g.event_id.clone(), false));
            }
            return;
        }
        if let Some(c) = self.closed.get_mut(&key) {
            if g.event_id.is_some() && g.event_id == c.final_id {
                // Re-emitted unchanged: the engine drops it and counts a duplicate.
                let qty = c.final_qty;
                if qty > 0 {
                    push(out, g.line, event(&g, g.ts, qty, g.event_id.clone(), false));
                }
                return;
            }
            if key.group.is_some() {
                // The end of a streak that timed out: only what it adds.
                let qty = g.count - c.counted;
                if qty > 0 {
                    self.remember(key, g.count, &g, qty);
                    push(out, g.line, event(&g, g.ts, qty, g.event_id.clone(), false));
                }
                return;
            }
        }
        // Never seen open (the feed started mid-streak): the count is cumulative.
        let qty = g.count;
        self.remember(key, qty, &g, qty);
        push(out, g.line, event(&g, g.ts, qty, g.event_id.clone(), false));
    }

    fn remember(&mut self, key: Key, counted: i64, g: &GiftRecord, final_qty: i64) {
        self.closed.insert(
            key,
            Closed {
                counted,
                last_ts: g.ts,
                final_id: g.event_id.clone(),
                final_qty,
            },
        );
    }

    /// Move the event clock to `ts` and close every other streak whose last
    /// update is more than the timeout behind it.
    pub fn advance(&mut self, ts: TsMs, except: Option<&Key>, out: &mut Vec<Item>) {
        let now = self.now.map_or(ts, |n| n.max(ts));
        self.now = Some(now);
        let deadline = now.saturating_sub(self.timeout);
        let expired: Vec<Key> = self
            .open
            .iter()
            .filter(|(k, o)| Some(*k) != except && o.last.ts < deadline)
            .map(|(k, _)| k.clone())
            .collect();
        self.close_all(expired, out);
        if now >= self.next_prune {
            let keep_from = now.saturating_sub(REMEMBER_MS.max(self.timeout.saturating_mul(2)));
            self.closed.retain(|_, c| c.last_ts >= keep_from);
            self.update_ids.retain(|_, t| *t >= keep_from);
            self.next_prune = now.saturating_add(PRUNE_EVERY_MS);
        }
    }

    /// End of input: no end will arrive for what is still open.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        let all: Vec<Key> = self.open.keys().cloned().collect();
        self.close_all(all, out);
    }

    /// Timed-out streaks count at their last repeatCount and time, in time
    /// order so output does not depend on hash order.
    fn close_all(&mut self, keys: Vec<Key>, out: &mut Vec<Item>) {
        let mut closing: Vec<(Key, Open)> = keys
            .into_iter()
            .filter_map(|k| self.open.remove(&k).map(|o| (k, o)))
            .collect();
        closing.sort_by(|a, b| (a.1.last.ts, &a.0).cmp(&(b.1.last.ts, &b.0)));
        for (key, o) in closing {
            let g = o.last;
            let qty = g.count - o.base;
            self.closed.insert(
                key,
                Closed {
                    counted: g.count,
                    last_ts: g.ts,
                    final_id: None,
                    final_qty: 0,
                },
            );
            if qty > 0 {
                push(out, g.line, event(&g, g.ts, qty, g.event_id.clone(), true));
            }
        }
    }
}

fn event(g: &GiftRecord, ts: TsMs, qty: i64, event_id: Option<String>, timed_out: bool) -> Event {
    let mut ev = Event::new(ts, Kind::Gift);
    ev.creator = Some(g.creator.clone().into());
    ev.user = g.user.clone().map(Into::into);
    ev.nickname = g.nickname.clone().map(Into::into);
    ev.item = Some(g.item.clone().into());
    ev.qty = qty;
    ev.diamonds = g.diamonds_each.saturating_mul(qty);
    ev.event_id = event_id.map(Into::into);
    ev.streak_timed_out = timed_out;
    ev
}

fn push(out: &mut Vec<Item>, line: u64, ev: Event) {
    out.push(Item {
        line,
        what: Decoded::Event(ev),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: TsMs = 1_718_305_580_000;

    fn rec(line: u64, secs: i64, id: &str, count: i64, end: bool) -> GiftRecord {
        GiftRecord {
            line,
            ts: T0 + secs * 1000,
            event_id: (!id.is_empty()).then(|| id.to_string()),
            creator: "room".into(),
            user: Some("u1".into()),
            nickname: Some("Viewer".into()),
            gift_id: "5655".into(),
            group: Some("g1".into()),
            item: "Rose".into(),
            streakable: true,
            diamonds_each: 5,
            count,
            end,
        }
    }

    fn events(out: &[Item]) -> Vec<(u64, i64, i64, bool, Option<String>)> {
        out.iter()
            .filter_map(|it| match &it.what {
                Decoded::Event(e) => Some((
                    it.line,
                    e.qty,
                    e.diamonds,
                    e.streak_timed_out,
                    e.event_id.as_deref().map(str::to_string),
                )),
                _ => None,
            })
            .collect()
    }

    fn run(book: &mut StreakBook, recs: Vec<GiftRecord>) -> Vec<Item> {
        let mut out = Vec::new();
        for r in recs {
            book.gift(r, &mut out);
        }
        out
    }

    #[test]
    fn streak_counts_once_at_its_end() {
        let mut b = StreakBook::new(60_000);
        let out = run(
            &mut b,
            vec![
                rec(1, 0, "m1", 1, false),
                rec(2, 1, "m2", 3, false),
                rec(3, 2, "m3", 7, false),
                rec(4, 3, "m4", 7, true),
            ],
        );
        assert_eq!(events(&out), vec![(4, 7, 35, false, Some("m4".into()))]);
        let mut rest = Vec::new();
        b.finish(&mut rest);
        assert!(rest.is_empty());
    }

    #[test]
    fn single_tap_arrives_twice_counts_once() {
        let mut b = StreakBook::new(60_000);
        let out = run(
            &mut b,
            vec![rec(1, 0, "m1", 1, false), rec(2, 0, "m2", 1, true)],
        );
        assert_eq!(events(&out), vec![(2, 1, 5, false, Some("m2".into()))]);
    }

    #[test]
    fn non_streak_gift_counts_every_record() {
        let mut b = StreakBook::new(60_000);
        let mut g = rec(1, 0, "m1", 1, false);
        g.streakable = false;
        let out = run(&mut b, vec![g]);
        assert_eq!(events(&out), vec![(1, 1, 5, false, Some("m1".into()))]);
    }

    #[test]
    fn timeout_is_measured_in_event_time() {
        let mut b = StreakBook::new(60_000);
        let mut out = run(
            &mut b,
            vec![rec(1, 0, "m1", 2, false), rec(2, 10, "m2", 4, false)],
        );
        // Exactly at last update + timeout: not yet passed.
        b.advance(T0 + 70_000, None, &mut out);
        assert!(events(&out).is_empty());
        b.advance(T0 + 70_001, None, &mut out);
        assert_eq!(events(&out), vec![(2, 4, 20, true, Some("m2".into()))]);
        match &out[0].what {
            Decoded::Event(e) => assert_eq!(e.ts, T0 + 10_000),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn finish_closes_open_streaks_in_time_order() {
        let mut b = StreakBook::new(60_000);
        let mut other = rec(2, 1, "n1", 3, false);
        other.user = Some("u0".into());
        let mut out = run(&mut b, vec![rec(1, 5, "m1", 2, false), other]);
        b.finish(&mut out);
        assert_eq!(
            events(&out),
            vec![
                (2, 3, 15, true, Some("n1".into())),
                (1, 2, 10, true, Some("m1".into()))
            ]
        );
    }

    #[test]
    fn replayed_updates_do_not_reopen_an_ended_streak() {
        let mut b = StreakBook::new(60_000);
        let mut out = run(
            &mut b,
            vec![
                rec(1, 0, "m1", 1, false),
                rec(2, 1, "m2", 2, false),
                rec(3, 2, "m3", 2, true),
                // reconnect: history again, including the final record
                rec(4, 0, "m1", 1, false),
                rec(5, 1, "m2", 2, false),
                rec(6, 2, "m3", 2, true),
            ],
        );
        b.finish(&mut out);
        // The replayed final is re-emitted with its msgId for the engine to drop.
        assert_eq!(
            events(&out),
            vec![
                (3, 2, 10, false, Some("m3".into())),
                (6, 2, 10, false, Some("m3".into()))
            ]
        );
    }

    #[test]
    fn replayed_update_without_msgid_is_known_by_its_count() {
        let mut b = StreakBook::new(60_000);
        let mut out = run(
            &mut b,
            vec![
                rec(1, 0, "", 3, false),
                rec(2, 1, "", 3, true),
                rec(3, 0, "", 2, false),
            ],
        );
        b.finish(&mut out);
        assert_eq!(events(&out), vec![(2, 3, 15, false, None)]);
    }

    #[test]
    fn late_end_of_a_timed_out_streak_adds_only_the_rest() {
        let mut b = StreakBook::new(60_000);
        let mut out = run(&mut b, vec![rec(1, 0, "m1", 4, false)]);
        b.advance(T0 + 61_000, None, &mut out);
        let out2 = run(
            &mut b,
            vec![rec(2, 62, "m2", 6, false), rec(3, 63, "m3", 9, true)],
        );
        out.extend(out2);
        assert_eq!(
            events(&out),
            vec![
                (1, 4, 20, true, Some("m1".into())),
                (3, 5, 25, false, Some("m3".into()))
            ]
        );
        // the same end replayed: same id, same quantity
        let again = run(&mut b, vec![rec(4, 63, "m3", 9, true)]);
        assert_eq!(events(&again), vec![(4, 5, 25, false, Some("m3".into()))]);
    }

    #[test]
    fn stale_replay_is_not_timed_out_by_its_own_record() {
        let mut b = StreakBook::new(60_000);
        let mut out = Vec::new();
        b.advance(T0 + 600_000, None, &mut out);
        // history from ten minutes ago: an update then its end
        let out2 = run(
            &mut b,
            vec![rec(1, 0, "m1", 1, false), rec(2, 0, "m2", 1, true)],
        );
        out.extend(out2);
        b.finish(&mut out);
        assert_eq!(events(&out), vec![(2, 1, 5, false, Some("m2".into()))]);
    }

    #[test]
    fn without_group_a_new_streak_may_follow() {
        let mut b = StreakBook::new(60_000);
        let mut recs = vec![
            rec(1, 0, "m1", 1, false),
            rec(2, 0, "m2", 1, true),
            rec(3, 5, "m3", 1, false),
            rec(4, 6, "m4", 2, true),
        ];
        for r in &mut recs {
            r.group = None;
        }
        let out = run(&mut b, recs);
        assert_eq!(
            events(&out),
            vec![
                (2, 1, 5, false, Some("m2".into())),
                (4, 2, 10, false, Some("m4".into()))
            ]
        );
    }

    #[test]
    fn closed_memory_is_pruned_by_event_time() {
        let mut b = StreakBook::new(60_000);
        let _ = run(
            &mut b,
            vec![rec(1, 0, "m1", 1, false), rec(2, 0, "m2", 1, true)],
        );
        let mut out = Vec::new();
        b.advance(T0 + REMEMBER_MS + 120_000, None, &mut out);
        assert!(b.closed.is_empty() && b.update_ids.is_empty());
    }
}
