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
        &mut self.buckets[pos].1
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
    }
}
