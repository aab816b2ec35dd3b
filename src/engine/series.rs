//! Per-second buckets for the last hour of event time: the newest second
//! kept inline, the older ones in a ring (a deque ordered by second). O(1)
//! for in-order events, a binary search for the occasional out-of-order
//! one, and window sums by walking back from the newest second.
//!
//! In a flood each creator and gift gets several events a second. They add
//! to the inline bucket, which sits with the key's other figures, and the
//! ring is touched once a second: when every event added to the ring, its
//! two ends were a cache miss on nearly every gift.

use std::collections::VecDeque;

pub trait Bucket: Default {
    fn add(&mut self, other: &Self);
}

#[derive(Debug, Clone)]
pub struct Series<B> {
    /// The newest second; None only when nothing is kept.
    newest: Option<(i64, B)>,
    /// Every other kept second, oldest first, all older than `newest`.
    older: VecDeque<(i64, B)>,
}

impl<B> Default for Series<B> {
    fn default() -> Self {
        Series {
            newest: None,
            older: VecDeque::new(),
        }
    }
}

impl<B: Bucket> Series<B> {
    pub fn at(&mut self, sec: i64) -> &mut B {
        self.at_new(sec).0
    }

    /// The bucket of `sec`, and whether it was just added.
    pub fn at_new(&mut self, sec: i64) -> (&mut B, bool) {
        let newest = self.newest.as_ref().map(|(s, _)| *s);
        if newest.is_some_and(|s| s > sec) {
            let older = &mut self.older;
            return match find(older, sec) {
                Ok(i) => (&mut older[i].1, false),
                Err(i) => {
                    older.insert(i, (sec, B::default()));
                    (&mut older[i].1, true)
                }
            };
        }
        let added = newest != Some(sec);
        if added && let Some(old) = self.newest.replace((sec, B::default())) {
            self.older.push_back(old);
        }
        let (_, b) = self.newest.get_or_insert_with(|| (sec, B::default()));
        (b, added)
    }

    pub fn get(&self, sec: i64) -> Option<&B> {
        match &self.newest {
            Some((s, b)) if *s == sec => Some(b),
            Some((s, _)) if *s > sec => {
                let i = find(&self.older, sec).ok()?;
                self.older.get(i).map(|(_, b)| b)
            }
            _ => None,
        }
    }

    /// The bucket of `sec` if it is still kept.
    pub fn get_mut(&mut self, sec: i64) -> Option<&mut B> {
        if let Some((s, b)) = &mut self.newest
            && *s == sec
        {
            return Some(b);
        }
        let i = find(&self.older, sec).ok()?;
        self.older.get_mut(i).map(|(_, b)| b)
    }

    /// Start loading what adding to `sec` reads when `sec` is not the
    /// newest second: the ring's oldest bucket (`prune`) and its newest,
    /// after which the inline bucket moves.
    pub fn prefetch_ends(&self, sec: i64) {
        if matches!(&self.newest, Some((s, _)) if *s == sec) {
            return;
        }
        if let Some(b) = self.older.front() {
            super::prefetch::line(b);
        }
        if let Some(b) = self.older.back() {
            super::prefetch::line(b);
        }
    }

    /// Forget seconds before `min_sec`.
    pub fn prune(&mut self, min_sec: i64) {
        while matches!(self.older.front(), Some((s, _)) if *s < min_sec) {
            self.older.pop_front();
        }
        if matches!(&self.newest, Some((s, _)) if *s < min_sec) {
            self.newest = None;
        }
    }

    /// Sum of buckets with `from_sec <= second`.
    pub fn sum_since(&self, from_sec: i64) -> B {
        let mut acc = B::default();
        for (s, b) in self.newest.iter().chain(self.older.iter().rev()) {
            if *s < from_sec {
                break;
            }
            acc.add(b);
        }
        acc
    }

    /// Buckets with `from_sec <= second`, oldest first.
    pub fn iter_since(&self, from_sec: i64) -> impl Iterator<Item = &(i64, B)> {
        let start = self.older.partition_point(|(s, _)| *s < from_sec);
        let newest = self.newest.iter().filter(move |(s, _)| *s >= from_sec);
        self.older.range(start..).chain(newest)
    }

    pub fn is_empty(&self) -> bool {
        self.newest.is_none()
    }
}

/// Where `sec` is (Ok) or would go (Err) in `older`. Its seconds are
/// whole, distinct and in order, so the one at index i is at least
/// `first + i` and at most `last - (n - 1 - i)`: in a ring with no gaps
/// (the totals' ring in a busy feed) `sec` is found with one look, in
/// others the search starts from those bounds. Then it gallops from the
/// end nearer in time (window expiries ask for the seconds a window's
/// length back: near the newest for 1m, near the oldest for 1h) and
/// bisects. Each look at the 160-byte buckets of the totals' ring was a
/// cache miss for every order whose earlier status is taken back.
fn find<B>(older: &VecDeque<(i64, B)>, sec: i64) -> Result<usize, usize> {
    let n = older.len();
    let (first, last) = match (older.front(), older.back()) {
        (Some(f), Some(l)) => (f.0, l.0),
        _ => return Err(0),
    };
    if sec < first {
        return Err(0);
    }
    if sec > last {
        return Err(n);
    }
    let back = usize::try_from(last - sec).unwrap_or(usize::MAX);
    let ahead = usize::try_from(sec - first).unwrap_or(usize::MAX);
    // the number of seconds before `sec` is in lo..=hi
    let mut lo = (n - 1).saturating_sub(back);
    let mut hi = ahead.min(n);
    let mut step = 1;
    if back < ahead {
        while hi >= lo + step {
            if older[hi - step].0 < sec {
                lo = hi - step + 1;
                break;
            }
            hi -= step;
            step *= 2;
        }
    } else {
        while lo + step <= hi {
            if older[lo + step - 1].0 >= sec {
                hi = lo + step - 1;
                break;
            }
            lo += step;
            step *= 2;
        }
    }
    while lo < hi {
        let m = lo + (hi - lo) / 2;
        if older[m].0 < sec {
            lo = m + 1;
        } else {
            hi = m;
        }
    }
    match older.get(lo) {
        Some((s, _)) if *s == sec => Ok(lo),
        _ => Err(lo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct N(i64);
    impl Bucket for N {
        fn add(&mut self, o: &Self) {
            self.0 += o.0;
        }
    }

    proptest::proptest! {
        /// Every read agrees with a map of seconds after any mix of adds
        /// in order (the inline newest second), out of order (the ring)
        /// and prunes.
        #[test]
        fn reads_agree_with_a_map_of_seconds(
            ops in proptest::collection::vec((0u8..5, 0i64..40, 1i64..100), 0..120)
        ) {
            let mut s: Series<N> = Series::default();
            let mut m: std::collections::BTreeMap<i64, i64> = Default::default();
            let mut top = 0;
            for (op, x, v) in ops {
                match op {
                    // mostly in order: the newest second or a little after
                    0 | 1 => {
                        top += x % 3;
                        let (b, added) = s.at_new(top);
                        b.0 += v;
                        proptest::prop_assert_eq!(added, !m.contains_key(&top));
                        *m.entry(top).or_default() += v;
                    }
                    2 => {
                        let (b, added) = s.at_new(x);
                        b.0 += v;
                        proptest::prop_assert_eq!(added, !m.contains_key(&x));
                        *m.entry(x).or_default() += v;
                        top = top.max(x);
                    }
                    // sometimes past the newest second: nothing is left
                    3 => {
                        let min = top + 2 - x % 10;
                        s.prune(min);
                        m.retain(|k, _| *k >= min);
                    }
                    _ => {
                        if let Some(b) = s.get_mut(x) {
                            b.0 += v;
                        }
                        if let Some(e) = m.get_mut(&x) {
                            *e += v;
                        }
                    }
                }
                proptest::prop_assert_eq!(s.is_empty(), m.is_empty());
                for k in -1..=top + 1 {
                    proptest::prop_assert_eq!(s.get(k).map(|b| b.0), m.get(&k).copied(), "get {}", k);
                    let sum: i64 = m.range(k..).map(|(_, v)| *v).sum();
                    proptest::prop_assert_eq!(s.sum_since(k).0, sum, "sum_since {}", k);
                    let got: Vec<(i64, i64)> = s.iter_since(k).map(|(a, b)| (*a, b.0)).collect();
                    let want: Vec<(i64, i64)> = m.range(k..).map(|(a, b)| (*a, *b)).collect();
                    proptest::prop_assert_eq!(got, want, "iter_since {}", k);
                }
            }
        }
    }

    #[test]
    fn get_finds_every_kept_second_and_no_other() {
        let mut s: Series<N> = Series::default();
        for k in (0..5_000).filter(|k| k % 3 != 1) {
            s.at(k).0 = k + 1;
        }
        for k in -2..5_003 {
            let want = ((0..5_000).contains(&k) && k % 3 != 1).then_some(k + 1);
            assert_eq!(s.get(k).map(|b| b.0), want, "second {k}");
        }
        // and on every short series
        for n in 0..40 {
            let mut s: Series<N> = Series::default();
            for k in 0..n {
                s.at(2 * k).0 = k + 1;
            }
            for k in -1..2 * n + 1 {
                let want = (k % 2 == 0 && k >= 0 && k < 2 * n).then_some(k / 2 + 1);
                assert_eq!(s.get(k).map(|b| b.0), want, "n {n} second {k}");
            }
        }
        assert!(Series::<N>::default().get(0).is_none());
    }

    #[test]
    fn out_of_order_inserts_and_window_sums() {
        let mut s: Series<N> = Series::default();
        s.at(10).0 += 1;
        s.at(12).0 += 2;
        s.at(11).0 += 4; // out of order
        s.at(12).0 += 8;
        s.at(5).0 += 16; // older than everything
        assert_eq!(s.sum_since(11), N(14));
        assert_eq!(s.sum_since(0), N(31));
        assert_eq!(s.sum_since(13), N(0));
        s.prune(11);
        assert_eq!(s.sum_since(0), N(14));
        let secs: Vec<i64> = s.iter_since(12).map(|(k, _)| *k).collect();
        assert_eq!(secs, vec![12]);
        assert!(s.get_mut(10).is_none());
        for k in 0..14 {
            let want = s.sum_since(k).0 - s.sum_since(k + 1).0;
            assert_eq!(s.get(k).map_or(0, |b| b.0), want, "second {k}");
        }
    }
}
