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

    /// Searched from the newest second back (galloping): the seconds asked
    /// for are mostly recent, and the newest buckets are the warm ones.
    pub fn get(&self, sec: i64) -> Option<&B> {
        let n = self.buckets.len();
        let (mut hi, mut step) = (n, 1);
        let mut lo = n.saturating_sub(1);
        // every bucket from `hi` on is newer than `sec`
        while lo > 0 && self.buckets[lo].0 > sec {
            hi = lo;
            lo = lo.saturating_sub(step);
            step *= 2;
        }
        let (mut l, mut r) = (lo, hi);
        while l < r {
            let m = l + (r - l) / 2;
            if self.buckets[m].0 < sec {
                l = m + 1;
            } else {
                r = m;
            }
        }
        self.buckets
            .get(l)
            .filter(|(s, _)| *s == sec)
            .map(|(_, b)| b)
    }

    /// The bucket of `sec` if it is still kept.
    pub fn get_mut(&mut self, sec: i64) -> Option<&mut B> {
        let i = self.buckets.binary_search_by_key(&sec, |(s, _)| *s).ok()?;
        Some(&mut self.buckets[i].1)
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
