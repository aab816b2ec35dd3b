//! Order lifecycle: one order from many rows, possibly out of order.

use crate::model::{Currency, OrderStatus, TsMs};

/// A value together with the (ts, input sequence) of the row it came from,
/// so "the latest row that has it" survives out-of-order arrival. Empty
/// while `ts` is `TsMs::MIN` (no event has that time: decoders bound ts to
/// chrono's range), which saves an `Option` tag on each of an order's eight
/// fields. The sequence saturates at u32::MAX rows; past that, rows of the
/// same millisecond fall back to input order, which is what it encodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stamped<T> {
    ts: TsMs,
    seq: u32,
    val: T,
}

impl<T: Copy + Default> Default for Stamped<T> {
    fn default() -> Self {
        Stamped {
            ts: TsMs::MIN,
            seq: 0,
            val: T::default(),
        }
    }
}

impl<T: Copy> Stamped<T> {
    fn offer(&mut self, at: (TsMs, u64), val: T) {
        let seq = u32::try_from(at.1).unwrap_or(u32::MAX);
        if self.ts == TsMs::MIN || (self.ts, self.seq) <= (at.0, seq) {
            *self = Stamped { ts: at.0, seq, val };
        }
    }

    pub fn get(&self) -> Option<T> {
        (self.ts != TsMs::MIN).then_some(self.val)
    }

    pub fn ts(&self) -> Option<TsMs> {
        (self.ts != TsMs::MIN).then_some(self.ts)
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrderState {
    pub status: Stamped<OrderStatus>,
    pub first_paid: Option<TsMs>,
    pub amount: Stamped<i64>,
    pub currency: Stamped<Currency>,
    pub user: Stamped<u32>,
    pub creator: Stamped<u32>,
    pub item: Stamped<u32>,
    pub units: Stamped<i64>,
    pub link: Option<super::links::Link>,
}

/// What an order adds to the aggregates in its current state; updates
/// subtract the old contribution and add the new one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contribution {
    pub status: OrderStatus,
    pub status_ts: TsMs,
    pub paid_ts: Option<TsMs>,
    pub amount: Option<i64>,
    pub currency: Currency,
    pub units: i64,
}

impl Contribution {
    /// Current status paid: counts in paid orders and net GMV.
    pub fn is_net_paid(&self) -> bool {
        self.status == OrderStatus::Paid
    }
}

pub struct RowUpdate {
    pub at: (TsMs, u64),
    pub status: OrderStatus,
    pub amount: Option<i64>,
    pub currency: Option<Currency>,
    pub user: Option<u32>,
    pub creator: Option<u32>,
    pub item: Option<u32>,
    /// Units travel with the amount: a status-only row carries no quantity.
    pub units: Option<i64>,
}

impl OrderState {
    pub fn apply(&mut self, r: RowUpdate) {
        self.status.offer(r.at, r.status);
        if r.status == OrderStatus::Paid {
            self.first_paid = Some(self.first_paid.map_or(r.at.0, |p| p.min(r.at.0)));
        }
        if let Some(a) = r.amount {
            self.amount.offer(r.at, a);
        }
        if let Some(c) = r.currency {
            self.currency.offer(r.at, c);
        }
        if let Some(u) = r.user {
            self.user.offer(r.at, u);
        }
        if let Some(c) = r.creator {
            self.creator.offer(r.at, c);
        }
        if let Some(i) = r.item {
            self.item.offer(r.at, i);
        }
        if let Some(u) = r.units {
            self.units.offer(r.at, u);
        }
    }

    pub fn contribution(&self) -> Option<Contribution> {
        Some(Contribution {
            status: self.status.get()?,
            status_ts: self.status.ts()?,
            paid_ts: self.first_paid,
            amount: self.amount.get(),
            currency: self.currency.get().unwrap_or(Currency::USD),
            units: self.units.get().unwrap_or(1),
        })
    }

    pub fn user(&self) -> Option<u32> {
        self.user.get()
    }

    pub fn creator(&self) -> Option<u32> {
        self.creator.get()
    }

    pub fn item(&self) -> Option<u32> {
        self.item.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ts: TsMs, seq: u64, status: OrderStatus, amount: Option<i64>) -> RowUpdate {
        RowUpdate {
            at: (ts, seq),
            status,
            amount,
            currency: None,
            user: None,
            creator: None,
            item: None,
            units: Some(1),
        }
    }

    #[test]
    fn latest_row_wins_even_out_of_order() {
        let mut o = OrderState::default();
        o.apply(row(300, 1, OrderStatus::Refunded, None));
        o.apply(row(100, 2, OrderStatus::Pending, Some(10)));
        o.apply(row(200, 3, OrderStatus::Paid, Some(20)));
        let c = o.contribution().unwrap();
        assert_eq!(c.status, OrderStatus::Refunded);
        assert_eq!(c.paid_ts, Some(200));
        assert_eq!(c.amount, Some(20));
        // a tie on ts: the later input row wins
        o.apply(row(300, 4, OrderStatus::Paid, None));
        assert_eq!(o.contribution().unwrap().status, OrderStatus::Paid);
        assert_eq!(o.contribution().unwrap().paid_ts, Some(200));
    }
}
