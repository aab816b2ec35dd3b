//! Duplicate deliveries by event id. Replays (TikTok-Live-Connector's
//! `processInitialData` on every reconnect) and re-deliveries arrive within
//! seconds or minutes, so an id is remembered for an hour of event time or
//! for the next `GENERATION_IDS` ids, whichever ends first: memory is capped
//! (two generations of at most `GENERATION_IDS` ids: 16 MiB of fingerprints,
//! a 512 KiB filter and 3.5 MiB of numbers each) whatever the feed's rate
//! or length.
//!
//! Most feeds number their events: a counter (`e1`, `e2`, ...) or TikTok's
//! message ids, which grow with time. Each generation keeps the numbers of
//! one prefix that arrive in increasing order in a sorted list (`Run`): a
//! number above the list's last was never seen and is appended, with no
//! look-up in a table larger than the CPU's caches. Everything else (other
//! prefixes, numbers that arrive late, ids that are not numbered) goes to
//! the fingerprint table as before. The reader asks for the next number
//! first (`first_time_next`), comparing the prefix as text: such an id
//! needs neither its fingerprint nor its prefix's hash.

use super::HORIZON_SECS;
use super::intern::fingerprint;
use crate::model::TsMs;
use std::hash::BuildHasher;

/// 7/16 of 2^20: a generation's table (2^20 slots, 16 MiB) is at most
/// 7/16 full, where its probes are short.
pub const GENERATION_IDS: usize = 458_752;

/// Fingerprints per 64-byte cache line.
const PER_LINE: usize = 4;

pub struct Dedupe {
    current: Table,
    previous: Table,
    current_since: Option<TsMs>,
    cap: usize,
}

impl Default for Dedupe {
    fn default() -> Self {
        Dedupe::with_cap(GENERATION_IDS)
    }
}

impl Dedupe {
    pub fn with_cap(cap: usize) -> Dedupe {
        let cap = cap.max(1);
        Dedupe {
            current: Table::for_cap(cap),
            previous: Table::for_cap(cap),
            current_since: None,
            cap,
        }
    }

    /// `first_time_key` of an id's text (the tests' way in).
    #[cfg(test)]
    pub fn first_time(&mut self, id: &str, now: TsMs) -> bool {
        self.first_time_key(key(id), now)
    }

    /// True the first time an id (by its `key`) is seen. `now` is the
    /// newest event time.
    pub fn first_time_key(&mut self, k: Key, now: TsMs) -> bool {
        self.rotate_if_due(now);
        !self.previous.contains(k) && self.current.insert(k)
    }

    /// `first_time` of a numbered id (`numbered`: `prefix` and `n`) that
    /// continues the current generation's run, or starts it, and is above
    /// the previous one's: true, known without the id's fingerprint or any
    /// table. `None` for any other id, which `first_time_key` answers. The
    /// run's prefix is compared as text, which only a run started here
    /// keeps (`first_time_id` is the way in). Inlined with it.
    #[inline(always)]
    fn first_time_next(&mut self, prefix: &[u8], n: u64, now: TsMs) -> Option<bool> {
        self.rotate_if_due(now);
        // not in the previous generation: it is empty, or n is above its run
        let prev = &self.previous;
        if prev.len != 0 && !prev.run.continued_by(prefix, n) {
            return None;
        }
        let run = &mut self.current.run;
        if run.prefix.is_none() {
            // a generation's first numbered id starts its run (see `extend`)
            run.prefix = Some(prefix_hash(prefix));
            run.text = PrefixText::of(prefix);
        } else if !run.continued_by(prefix, n) {
            return None;
        }
        run.nums.push(n);
        self.current.len += 1;
        Some(true)
    }

    /// Whether `prefix` + `n` would continue the current run: such an id
    /// needs no table line read ahead.
    fn continues_run(&self, prefix: &[u8], n: u64) -> bool {
        self.current.run.continued_by(prefix, n)
    }

    /// Whether `id`, numbered `num` (`number_of`), would continue the
    /// current run: then it needs neither a key nor a table line read
    /// ahead.
    pub fn continues(&self, id: &str, num: Option<(u32, u64)>) -> bool {
        num.is_some_and(|num| prefix_of(id, num).is_some_and(|p| self.continues_run(p, num.1)))
    }

    /// True the first time `id` (numbered `num`) is seen, on whichever
    /// thread checks ids: the run's next number (or a generation's first)
    /// by the run, without the id's fingerprint; any other id by the
    /// tables, with the key `k` if one was made ahead (`Key::NONE`: made
    /// here). Inlined into both callers: as a call it cost the reader ~55
    /// instructions an event on CSV.
    #[inline(always)]
    pub fn first_time_id(&mut self, id: &str, num: Option<(u32, u64)>, k: Key, now: TsMs) -> bool {
        if let Some(num) = num
            && let Some(prefix) = prefix_of(id, num)
            && let Some(first) = self.first_time_next(prefix, num.1, now)
        {
            return first;
        }
        let k = if k.is_none() { key(id) } else { k };
        self.first_time_key(k, now)
    }

    #[inline]
    fn rotate_if_due(&mut self, now: TsMs) {
        match self.current_since {
            None => self.current_since = Some(now),
            Some(since) if now - since >= HORIZON_SECS * 1000 || self.current.len >= self.cap => {
                // What is dropped now was inserted over an hour ago, or
                // before the last `cap` ids.
                std::mem::swap(&mut self.current, &mut self.previous);
                self.current.clear();
                self.current_since = Some(now);
            }
            Some(_) => {}
        }
    }

    /// Start loading the table lines of each fingerprint, in both
    /// generations, without remembering anything: `first_time` then finds
    /// them in cache. Prefetches, so all of them are in flight at once.
    pub fn prefetch_all(&self, keys: &[Key]) {
        for k in keys.iter().filter(|k| !k.is_none()) {
            // the next number of a run needs no table (the usual case)
            if !self.current.run.beyond(k) {
                self.current.prefetch_line(k.fp);
                // the word an insert sets
                self.current.prefetch_filter(k.fp);
            }
            // (reading the previous filter's word here brings it in)
            if !self.previous.run.beyond(k) && self.previous.may_contain(k.fp) {
                self.previous.prefetch_line(k.fp);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.current.len + self.previous.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An event id as the tables look it up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Key {
    /// The id's fingerprint, never 0 (an empty slot); 0: no id.
    fp: u128,
    /// (a hash of the prefix, the number) of an id that is a prefix and a
    /// number of at most 19 digits without leading zeros: one text has one
    /// such pair, and a pair stands for one text unless two prefixes share
    /// a 64-bit hash (a feed has a few prefixes: ~10^-18), so runs of
    /// numbers can stand for ids.
    seq: Option<(u64, u64)>,
}

impl Key {
    /// The key of an event without an id.
    pub const NONE: Key = Key { fp: 0, seq: None };

    pub fn is_none(&self) -> bool {
        self.fp == 0
    }
}

/// An id's key.
pub fn key(id: &str) -> Key {
    Key {
        fp: fingerprint(id).max(1),
        seq: numbered(id).map(|(prefix, n)| (prefix_hash(prefix), n)),
    }
}

/// (prefix, number) of an id that ends in 1 to 19 digits without leading
/// zeros (`e12`, `7311186297624889093`, `0`), the prefix being the rest.
pub fn numbered(id: &str) -> Option<(&[u8], u64)> {
    let b = id.as_bytes();
    let digits = b.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    let (prefix, num) = b.split_at(b.len() - digits);
    let canonical = (1..=19).contains(&digits) && (num[0] != b'0' || digits == 1);
    canonical.then(|| {
        let n = num.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        (prefix, n)
    })
}

/// `numbered` with the prefix as its length, to carry along with the id
/// (the reader's marking and the engine's read-ahead work it out once).
pub fn number_of(id: &str) -> Option<(u32, u64)> {
    let (prefix, n) = numbered(id)?;
    Some((u32::try_from(prefix.len()).ok()?, n))
}

/// The prefix of `id` whose (length, number) `number_of` gave.
fn prefix_of(id: &str, (len, _): (u32, u64)) -> Option<&[u8]> {
    id.as_bytes().get(..len as usize)
}

fn prefix_hash(prefix: &[u8]) -> u64 {
    foldhash::quality::FixedState::with_seed(0x2545_f491_4f6c_dd1d).hash_one(prefix)
}

/// A run's prefix as text, if at most 15 bytes (longer ones: their ids
/// take the tables' way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PrefixText {
    len: u8,
    bytes: [u8; 15],
}

impl PrefixText {
    fn of(prefix: &[u8]) -> Option<PrefixText> {
        let mut t = PrefixText {
            len: u8::try_from(prefix.len()).ok()?,
            bytes: [0; 15],
        };
        t.bytes.get_mut(..prefix.len())?.copy_from_slice(prefix);
        Some(t)
    }

    fn is(&self, prefix: &[u8]) -> bool {
        self.bytes.get(..usize::from(self.len)) == Some(prefix)
    }
}

/// Where a key stands against a table's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Its prefix is the run's and its number above the run's last: never
    /// added to this table (a number with the run's prefix goes into the
    /// run when above its last, else into the table, and the last only grows).
    Beyond,
    /// In the run.
    Found,
    /// Not in the run; the fingerprint table knows.
    Elsewhere,
}

/// The numbers of one prefix, each above the one before: appended without
/// a look-up, found again by binary search.
#[derive(Default)]
struct Run {
    prefix: Option<u64>,
    /// The prefix's text, when `first_time_next` started the run.
    text: Option<PrefixText>,
    nums: Vec<u64>,
}

impl Run {
    /// Whether `k`'s number is above the run's last (`Place::Beyond`),
    /// without searching the run.
    fn beyond(&self, k: &Key) -> bool {
        matches!((k.seq, self.prefix, self.nums.last()),
            (Some((p, n)), Some(rp), Some(&last)) if p == rp && n > last)
    }

    fn place(&self, k: &Key) -> Place {
        if self.beyond(k) {
            return Place::Beyond;
        }
        match (k.seq, self.prefix) {
            (Some((p, n)), Some(rp)) if p == rp && self.nums.binary_search(&n).is_ok() => {
                Place::Found
            }
            _ => Place::Elsewhere,
        }
    }

    /// Appends `k` if it is the run's next number (or starts the run):
    /// true if it did, and `k` is then new to the table.
    fn extend(&mut self, k: &Key) -> bool {
        let Some((p, n)) = k.seq else {
            return false;
        };
        if self.prefix.is_none() {
            // a generation's first numbered id starts its run: no id with
            // this prefix and a number is in the table yet
            self.prefix = Some(p);
        } else if !self.beyond(k) {
            return false;
        }
        self.nums.push(n);
        true
    }

    /// Whether `prefix` + `n` is above the run's last number, the prefix
    /// compared as text: `beyond` without hashing the prefix.
    fn continued_by(&self, prefix: &[u8], n: u64) -> bool {
        matches!((&self.text, self.nums.last()), (Some(t), Some(&last)) if n > last && t.is(prefix))
    }

    fn clear(&mut self) {
        self.prefix = None;
        self.text = None;
        self.nums.clear();
    }
}

/// A set of fingerprints that is only ever added to, then cleared whole:
/// open addressing over cache lines of four, probing line by line from the
/// one the fingerprint's bits pick. Without deletions a probe stops at the
/// first empty slot; kept at most 7/16 full, a look-up mostly reads one
/// line, whose address is known before anything is read (the read-ahead
/// loads them all at once), where a general hash set reads its control
/// bytes, then a slot it only learns from them. Grows (8x at a time) up to
/// the size its cap needs, and keeps its size when cleared.
struct Table {
    lines: Vec<Line>,
    mask: usize,
    len: usize,
    max_lines: usize,
    /// One bit per hash of a fingerprint, set for each one added (a Bloom
    /// filter with one hash, ~8 bits per id the cap allows: 512 KiB for a
    /// full generation, ~11% set). Most new ids find their bit clear in
    /// the previous generation's filter, which then needs no look-up: one
    /// table line read per id instead of two, in tables larger than L3.
    /// A clear bit is exact: the fingerprint was never added.
    filter: Vec<u64>,
    /// Numbered ids in increasing order, which the table does not hold.
    run: Run,
}

/// One cache line of slots, aligned so it is one: a large allocation
/// starts 16 bytes into a page, and a line read ahead would otherwise
/// leave its last slot in the next, unread cache line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Line([u128; PER_LINE]);

/// Where a fingerprint is, or would go: a line and a slot in it.
type At = (usize, usize);

impl Table {
    fn for_cap(cap: usize) -> Table {
        let max_slots = cap.saturating_mul(16).div_ceil(7);
        let max_lines = max_slots.div_ceil(PER_LINE).next_power_of_two();
        let lines = max_lines.min(16);
        let filter_words = cap.saturating_mul(8).next_power_of_two().div_ceil(64);
        Table {
            lines: vec![Line::default(); lines],
            mask: lines - 1,
            len: 0,
            max_lines,
            filter: vec![0; filter_words],
            run: Run::default(),
        }
    }

    fn clear(&mut self) {
        self.lines.fill(Line::default());
        self.filter.fill(0);
        self.run.clear();
        self.len = 0;
    }

    /// The filter's word and bit for `fp` (its low bits: the line is picked
    /// by the high ones).
    fn filter_bit(&self, fp: u128) -> (usize, u64) {
        let bit = fp as usize & (self.filter.len() * 64 - 1);
        (bit / 64, 1 << (bit % 64))
    }

    /// False only if `fp` was never added.
    fn may_contain(&self, fp: u128) -> bool {
        let (w, b) = self.filter_bit(fp);
        self.filter.get(w).is_some_and(|&x| x & b != 0)
    }

    fn line_of(&self, fp: u128) -> usize {
        (fp >> 64) as usize & self.mask
    }

    /// Start loading `fp`'s first line.
    fn prefetch_line(&self, fp: u128) {
        if let Some(l) = self.lines.get(self.line_of(fp)) {
            super::prefetch::line(l);
        }
    }

    /// Start loading `fp`'s filter word.
    fn prefetch_filter(&self, fp: u128) {
        if let Some(w) = self.filter.get(self.filter_bit(fp).0) {
            super::prefetch::line(w);
        }
    }

    fn slot(&self, (line, i): At) -> u128 {
        self.lines.get(line).map_or(0, |l| l.0[i])
    }

    /// The slot holding `fp`, or the empty slot where it belongs; `None`
    /// only if every slot is taken, which the fill bound rules out.
    fn find(&self, fp: u128) -> Option<At> {
        let mut line = self.line_of(fp);
        for _ in 0..=self.mask {
            let slots = &self.lines.get(line)?.0;
            if let Some(i) = slots.iter().position(|&s| s == fp || s == 0) {
                return Some((line, i));
            }
            line = (line + 1) & self.mask;
        }
        None
    }

    fn contains(&self, k: Key) -> bool {
        match self.run.place(&k) {
            Place::Beyond => false,
            Place::Found => true,
            Place::Elsewhere => self.contains_fp(k.fp),
        }
    }

    fn contains_fp(&self, fp: u128) -> bool {
        self.may_contain(fp) && self.find(fp).is_some_and(|at| self.slot(at) == fp)
    }

    /// True if `k` was not there (and now is).
    fn insert(&mut self, k: Key) -> bool {
        match self.run.place(&k) {
            Place::Found => false,
            Place::Beyond | Place::Elsewhere if self.run.extend(&k) => {
                self.len += 1;
                true
            }
            _ => self.insert_fp(k.fp),
        }
    }

    fn insert_fp(&mut self, fp: u128) -> bool {
        let lines = self.mask + 1;
        // the run's numbers take no slots
        let in_table = self.len - self.run.nums.len();
        if (in_table + 1) * 16 > lines * PER_LINE * 7 && lines < self.max_lines {
            // by 8 at a time: rehashing is a miss per id, and a feed that
            // fills one size usually fills the next
            self.grow((lines * 8).min(self.max_lines));
        }
        match self.find(fp) {
            Some(at) if self.slot(at) == 0 => {
                self.put(at, fp);
                self.len += 1;
                let (w, b) = self.filter_bit(fp);
                if let Some(x) = self.filter.get_mut(w) {
                    *x |= b;
                }
                true
            }
            Some(_) => false,
            // full (never, at 7/16): remember nothing rather than fail
            None => true,
        }
    }

    fn put(&mut self, (line, i): At, fp: u128) {
        if let Some(l) = self.lines.get_mut(line) {
            l.0[i] = fp;
        }
    }

    fn grow(&mut self, lines: usize) {
        let old = std::mem::replace(&mut self.lines, vec![Line::default(); lines]);
        self.mask = lines - 1;
        for fp in old.iter().flat_map(|l| l.0).filter(|&s| s != 0) {
            if let Some(at) = self.find(fp) {
                self.put(at, fp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: TsMs = 60_000;

    #[test]
    fn remembered_for_at_least_an_hour() {
        let mut d = Dedupe::default();
        assert!(d.first_time("a", 0));
        assert!(!d.first_time("a", 59 * MIN));
        assert!(d.first_time("b", 59 * MIN));
        // the first rotation keeps both in the previous generation
        assert!(d.first_time("c", 61 * MIN));
        assert!(!d.first_time("a", 100 * MIN));
        assert!(!d.first_time("b", 118 * MIN));
        // the second rotation (at 122) forgets what was first seen before
        // 61: a (seen at 0) and b (at 59, so remembered 63 minutes)
        assert!(d.first_time("a", 122 * MIN));
        assert!(d.first_time("b", 122 * MIN));
        assert!(!d.first_time("c", 122 * MIN));
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn a_fast_feed_remembers_an_id_until_cap_newer_ids() {
        // cap 3, all in the same millisecond: rotation by count alone
        let mut d = Dedupe::with_cap(3);
        for id in ["1", "2", "3"] {
            assert!(d.first_time(id, 0));
        }
        // 4 rotates: 1..3 become the previous generation
        assert!(d.first_time("4", 0));
        assert!(!d.first_time("1", 0), "only 1 newer id than 3 so far");
        assert!(d.first_time("5", 0));
        assert!(!d.first_time("3", 0), "2 newer ids than 3");
        assert!(d.first_time("6", 0));
        // 4, 5, 6 are 3 newer ids than 3: the next look-up rotates and
        // forgets 1..3, and 4..6 are remembered
        assert!(d.first_time("2", 0));
        assert!(!d.first_time("4", 0));
        assert!(!d.first_time("6", 0));
        assert_eq!(d.len(), 4);
    }

    /// The same answers as the rule written with two sets of strings, over
    /// random feeds with repeats, time jumps and caps small enough that
    /// tables grow, fill to 7/16, wrap around and rotate many times. Ids
    /// mix counters (runs) in two prefixes and none, counters that step
    /// back, random numbers, leading zeros, 19 and 20 digits and no number.
    /// Asked the reader's way too (`first_time_next` first), the answers
    /// are the same.
    #[test]
    fn answers_like_two_generations_of_strings() {
        use proptest::prelude::*;
        use std::collections::HashSet;
        let step = (0u32..400, 0i64..120 * MIN, 0u8..12);
        let feed = proptest::collection::vec(step, 1..3000);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
        let result = runner.run(&(1usize..300, feed), |(cap, feed)| {
            let mut d = Dedupe::with_cap(cap);
            let mut r = Dedupe::with_cap(cap);
            let (mut cur, mut prev) = (HashSet::new(), HashSet::new());
            let mut since: Option<TsMs> = None;
            let (mut now, mut counter) = (0, 0u64);
            for (i, (id, jump, shape)) in feed.into_iter().enumerate() {
                // time mostly stands still, sometimes jumps past the hour
                now += if i % 97 == 0 { jump } else { jump % 1000 };
                counter += u64::from(id % 3);
                let id = match shape {
                    0..=3 => format!("e{counter}"),
                    4 => format!("e{}", counter.saturating_sub(u64::from(id % 50))),
                    5 => format!("e{id}"),
                    6 => format!("{counter}"),
                    7 => format!("x-{counter}"),
                    8 => format!("e0{id}"),
                    9 => format!("{}", 9_999_999_999_999_999_000 + u64::from(id)),
                    10 => format!("{}", 18_446_744_073_709_551_000 + u64::from(id)),
                    _ => format!("id-{id}-x"),
                };
                match since {
                    None => since = Some(now),
                    Some(s) if now - s >= HORIZON_SECS * 1000 || cur.len() >= cap => {
                        prev = std::mem::take(&mut cur);
                        since = Some(now);
                    }
                    Some(_) => {}
                }
                let want = !prev.contains(&id) && cur.insert(id.clone());
                prop_assert_eq!(d.first_time(&id, now), want, "{} at step {}", id, i);
                prop_assert_eq!(d.len(), cur.len() + prev.len());
                let next = numbered(&id).and_then(|(p, n)| r.first_time_next(p, n, now));
                let first = next.unwrap_or_else(|| r.first_time_key(key(&id), now));
                prop_assert_eq!(first, want, "{} at step {}, the reader's way", id, i);
                prop_assert_eq!(r.len(), cur.len() + prev.len());
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }

    /// Which ids are numbered, and that a number stands for one text.
    #[test]
    fn numbered_ids_are_a_prefix_and_digits_without_leading_zeros() {
        let seq = |id: &str| key(id).seq;
        assert_eq!(seq("e12").map(|(_, n)| n), Some(12));
        assert_eq!(seq("0").map(|(_, n)| n), Some(0));
        assert_eq!(
            seq("7311186297624889093").map(|(_, n)| n),
            Some(7_311_186_297_624_889_093)
        );
        for unnumbered in ["e012", "e", "", "12a", "18446744073709551615"] {
            assert_eq!(seq(unnumbered), None, "{unnumbered}");
        }
        assert_ne!(seq("e12"), seq("x12"));
        assert_ne!(seq("e1"), seq("e11"));
        // an empty id is still an id
        assert!(!key("").is_none());
    }

    /// The reader's way: a counter continues its run by the prefix's text,
    /// across rotations; another prefix, a number that steps back, or a
    /// run the tables started (no text) is left to `first_time_key`.
    #[test]
    fn the_next_number_is_known_without_a_key() {
        let mut d = Dedupe::with_cap(4);
        for i in 1..=10u64 {
            assert_eq!(d.first_time_next(b"e", i, 0), Some(true), "e{i}");
        }
        // rotated twice by count: the runs still answer
        assert!(d.current.filter.iter().all(|&w| w == 0));
        assert_eq!(d.first_time_next(b"e", 10, 0), None);
        assert_eq!(d.first_time_next(b"x", 11, 0), None);
        assert_eq!(d.first_time_next(b"e", 11, 0), Some(true));
        let mut t = Dedupe::with_cap(100);
        assert!(t.first_time("e1", 0));
        assert_eq!(t.first_time_next(b"e", 2, 0), None);
        // a prefix too long to keep as text
        let long = [b'p'; 16];
        assert_eq!(t.first_time_next(&long, 1, 0), None);
        let mut u = Dedupe::with_cap(100);
        assert_eq!(u.first_time_next(&long, 1, 0), Some(true));
        assert_eq!(u.first_time_next(&long, 2, 0), None);
        assert!(u.first_time_key(key("pppppppppppppppp2"), 0));
        assert!(!u.first_time_key(key("pppppppppppppppp1"), 0));
    }

    /// A counter's ids never reach the fingerprint table, whose filter
    /// then stays clear; a late number does, and both are found again.
    #[test]
    fn a_counter_is_kept_as_a_run() {
        let mut d = Dedupe::with_cap(1_000);
        for i in 1..=900 {
            assert!(d.first_time(&format!("e{}", i * 2), 0));
        }
        assert!(d.current.filter.iter().all(|&w| w == 0));
        assert_eq!(d.current.run.nums.len(), 900);
        // late, new: into the table; repeats of both kinds are found
        assert!(d.first_time("e901", 0));
        assert!(d.current.filter.iter().any(|&w| w != 0));
        assert!(!d.first_time("e901", 0));
        assert!(!d.first_time("e900", 0));
        assert!(!d.first_time("e2", 0));
        assert_eq!(d.len(), 901);
    }

    /// The bound the module promises: a full generation fits 16 MiB.
    #[test]
    fn a_generation_table_is_at_most_16_mib() {
        let t = Table::for_cap(GENERATION_IDS);
        assert_eq!(
            t.max_lines * PER_LINE * std::mem::size_of::<u128>(),
            16 << 20
        );
        assert_eq!(Table::for_cap(3).max_lines, 2);
        // a line read ahead is one cache line
        assert_eq!(std::mem::size_of::<Line>(), 64);
        assert_eq!(std::mem::align_of::<Line>(), 64);
    }

    /// A full generation's filter is 512 KiB and about 11% set, so ~89% of
    /// new ids skip the previous generation's table.
    #[test]
    fn a_full_generation_filter_is_mostly_clear() {
        let mut t = Table::for_cap(GENERATION_IDS);
        assert_eq!(t.filter.len() * 8, 512 << 10);
        for i in 0..GENERATION_IDS {
            assert!(t.insert(key(&format!("e{i}x"))));
        }
        let set: u32 = t.filter.iter().map(|w| w.count_ones()).sum();
        let share = f64::from(set) / (t.filter.len() * 64) as f64;
        assert!((0.10..0.12).contains(&share), "{share}");
        let misses = (0..10_000)
            .filter(|i| !t.may_contain(key(&format!("n{i}x")).fp))
            .count();
        assert!(misses > 8_700, "{misses}");
        for i in (0..GENERATION_IDS).step_by(1000) {
            assert!(t.contains(key(&format!("e{i}x"))));
        }
    }
}
