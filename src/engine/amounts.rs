//! Money per currency for one row of a table (a creator, a product).
//!
//! A map per row cost an allocation and a free for every creator with
//! orders on every frame: at 37k creators, half of the snapshot's 5 ms. Most
//! rows have one currency, which is kept inline; several go to a map.

use crate::model::Currency;
use std::collections::BTreeMap;

/// Amounts by currency, iterated in currency order like a `BTreeMap`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amounts(Repr);

/// `Many` always holds two currencies or more, so equal amounts have one
/// representation (and the derived `PartialEq` is right).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Repr {
    #[default]
    Empty,
    One(Currency, i64),
    Many(BTreeMap<Currency, i64>),
}

impl Amounts {
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Empty => 0,
            Repr::One(..) => 1,
            Repr::Many(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `v` to `c`'s amount (a currency once added stays, even at 0).
    pub fn add(&mut self, c: Currency, v: i64) {
        match &mut self.0 {
            Repr::Empty => self.0 = Repr::One(c, v),
            Repr::One(c0, v0) if *c0 == c => *v0 += v,
            Repr::One(c0, v0) => self.0 = Repr::Many(BTreeMap::from([(*c0, *v0), (c, v)])),
            Repr::Many(m) => *m.entry(c).or_default() += v,
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Empty => IterRepr::One(None),
            Repr::One(c, v) => IterRepr::One(Some((c, v))),
            Repr::Many(m) => IterRepr::Many(m.iter()),
        })
    }

    pub fn values(&self) -> impl Iterator<Item = &i64> {
        self.iter().map(|(_, v)| v)
    }
}

impl FromIterator<(Currency, i64)> for Amounts {
    fn from_iter<I: IntoIterator<Item = (Currency, i64)>>(iter: I) -> Self {
        let mut a = Amounts::default();
        for (c, v) in iter {
            a.add(c, v);
        }
        a
    }
}

pub struct Iter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    One(Option<(&'a Currency, &'a i64)>),
    Many(std::collections::btree_map::Iter<'a, Currency, i64>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Currency, &'a i64);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::One(one) => one.take(),
            IterRepr::Many(it) => it.next(),
        }
    }
}

impl<'a> IntoIterator for &'a Amounts {
    type Item = (&'a Currency, &'a i64);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(s: &str) -> Currency {
        Currency::parse(s).unwrap()
    }

    /// Whatever order amounts are added in, a row holds what a map would,
    /// in the same order, and equal sums compare equal.
    #[test]
    fn same_as_a_map() {
        let adds = [
            vec![],
            vec![("USD", 5)],
            vec![("USD", 5), ("USD", -5)],
            vec![("USD", 5), ("EUR", 7), ("USD", 1)],
            vec![("JPY", 100), ("EUR", 7), ("GBP", 0), ("EUR", -7)],
        ];
        for add in adds {
            let mut a = Amounts::default();
            let mut m = BTreeMap::new();
            for (c, v) in &add {
                a.add(cur(c), *v);
                *m.entry(cur(c)).or_insert(0) += v;
            }
            let got: Vec<_> = a.iter().map(|(c, v)| (*c, *v)).collect();
            let want: Vec<_> = m.iter().map(|(c, v)| (*c, *v)).collect();
            assert_eq!(got, want, "{add:?}");
            assert_eq!(a.len(), m.len());
            assert_eq!(a.is_empty(), m.is_empty());
            assert_eq!(a.values().sum::<i64>(), m.values().sum::<i64>());
            let reversed: Amounts = add.iter().rev().map(|(c, v)| (cur(c), *v)).collect();
            assert_eq!(reversed, a, "{add:?}");
        }
    }
}
