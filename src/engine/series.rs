//! Per-second buckets for the last hour of event time, kept as a ring
//! (a deque ordered by second): O(1) for in-order events, a binary search
//! for the occasional out-of-order one, and window sums by walking back
//! from the newest second.

use std::collections::VecDeque;

pub trait Bucket: Default {
    fn add(&mut self, other: &Self);
}

#[derive(Debug, Clone)]
pub struct Series<B> {
    buckets: VecDeque<(i64, B)>,
}

impl<B> Default for Series<B> {
    fn default() -> Self {
        Series {
            buckets: VecDeque::new(),
        }
    }
}

impl<B: Bucket> Series<B> {
    pub fn at(&mut self, sec: i64) -> &mut B {
        self.at_new(sec).0
    }

    /// The bucket of `sec`, and whether it was just added.
    pub fn at_new(&mut self, sec: i64) -> (&mut B, bool) {
        let len = self.buckets.len();
        let pos = match self.buckets.back() {
            Some((last, _)) if *last == sec => self.buckets.len() - 1,
            Some((last, _)) if *last < sec => {
                self.buckets.push_back((sec, B::default()));
                self.buckets.len() - 1
            }
            None => {
                self.buckets.push_back((sec, B::default()));
                0
            }
            Some(_) => match self.buckets.binary_search_by_key(&sec, |(s, _)| *s) {
                Ok(i) => i,
                Err(i) => {
                    self.buckets.insert(i, (sec, B::default()));
                    i
                }
            },
        };
        let added = self.buckets.len() > len;
        (&mut self.buckets[pos].1, added)
    }

    /// Galloping from the end nearer in time (window expiries ask for the
    /// seconds a window's length back: near the newest for 1m, near the
    /// oldest for 1h), then a binary search: a few cache lines each.
    pub fn get(&self, sec: i64) -> Option<&B> {
        let n = self.buckets.len();
        let (first, last) = (self.buckets.front()?.0, self.buckets.back()?.0);
        if sec < first || sec > last {
            return None;
        }
        let (mut lo, mut hi) = (0, n);
        if last - sec < sec - first {
            // every bucket from `hi` on is newer than `sec`
            let mut step = 1;
            while hi > step && self.buckets[hi - step].0 > sec {
                hi -= step;
                step *= 2;
            }
            lo = hi.saturating_sub(step);
        } else {
            // every bucket before `lo` is older than `sec`
            let mut step = 1;
            while lo + step < n && self.buckets[lo + step - 1].0 < sec {
                lo += step;
                step *= 2;
            }
            hi = (lo + step).min(n);
        }
        while lo < hi {
            let m = lo + (hi - lo) / 2;
            if self.buckets[m].0 < sec {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        self.buckets
            .get(lo)
            .filter(|(s, _)| *s == sec)
            .map(|(_, b)| b)
    }

    /// The bucket of `sec` if it is still kept.
    pub fn get_mut(&mut self, sec: i64) -> Option<&mut B> {
        let i = self.buckets.binary_search_by_key(&sec, |(s, _)| *s).ok()?;
        Some(&mut self.buckets[i].1)
    }

    /// Start loading what adding to the newest second reads: the oldest
    /// bucket (`prune`) and the newest.
    pub fn prefetch_ends(&self) {
        if let Some(b) = self.buckets.front() {
            super::prefetch::line(b);
        }
        if let Some(b) = self.buckets.back() {
            super::prefetch::line(b);
        }
    }

    /// Forget seconds before `min_sec`.
    pub fn prune(&mut self, min_sec: i64) {
        while matches!(self.buckets.front(), Some((s, _)) if *s < min_sec) {
            self.buckets.pop_front();
        }
    }

    /// Sum of buckets with `from_sec <= second`.
    pub fn sum_since(&self, from_sec: i64) -> B {
        let mut acc = B::default();
        for (s, b) in self.buckets.iter().rev() {
            if *s < from_sec {
                break;
            }
            acc.add(b);
        }
        acc
    }

    /// Buckets with `from_sec <= second`, oldest first.
    pub fn iter_since(&self, from_sec: i64) -> impl Iterator<Item = &(i64, B)> {
        let start = self.buckets.partition_point(|(s, _)| *s < from_sec);
        self.buckets.range(start..)
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
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
