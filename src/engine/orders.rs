//! Order lifecycle: one order from many rows, possibly out of order.

use crate::model::{Currency, OrderStatus, TsMs};

/// A value together with the (ts, input sequence) of the row it came from,
/// so "the latest row that has it" survives out-of-order arrival.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stamped<T> {
    pub at: (TsMs, u64),
    pub val: T,
}

impl<T> Stamped<T> {
    fn offer(slot: &mut Option<Stamped<T>>, at: (TsMs, u64), val: T) {
        match slot {
            Some(s) if s.at > at => {}
            _ => *slot = Some(Stamped { at, val }),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrderState {
    pub status: Option<Stamped<OrderStatus>>,
    pub first_paid: Option<TsMs>,
    pub amount: Option<Stamped<i64>>,
    pub currency: Option<Stamped<Currency>>,
    pub user: Option<Stamped<u32>>,
    pub creator: Option<Stamped<u32>>,
    pub item: Option<Stamped<u32>>,
    pub units: Option<Stamped<i64>>,
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
        Stamped::offer(&mut self.status, r.at, r.status);
        if r.status == OrderStatus::Paid {
            self.first_paid = Some(self.first_paid.map_or(r.at.0, |p| p.min(r.at.0)));
        }
        if let Some(a) = r.amount {
            Stamped::offer(&mut self.amount, r.at, a);
        }
        if let Some(c) = r.currency {
            Stamped::offer(&mut self.currency, r.at, c);
        }
        if let Some(u) = r.user {
            Stamped::offer(&mut self.user, r.at, u);
        }
        if let Some(c) = r.creator {
            Stamped::offer(&mut self.creator, r.at, c);
        }
        if let Some(i) = r.item {
            Stamped::offer(&mut self.item, r.at, i);
        }
        if let Some(u) = r.units {
            Stamped::offer(&mut self.units, r.at, u);
        }
    }

    pub fn contribution(&self) -> Option<Contribution> {
        let status = self.status?;
        Some(Contribution {
            status: status.val,
            status_ts: status.at.0,
            paid_ts: self.first_paid,
            amount: self.amount.map(|a| a.val),
            currency: self.currency.map_or(Currency::USD, |c| c.val),
            units: self.units.map_or(1, |u| u.val),
        })
    }

    pub fn user(&self) -> Option<u32> {
        self.user.map(|s| s.val)
    }

    pub fn creator(&self) -> Option<u32> {
        self.creator.map(|s| s.val)
    }

    pub fn item(&self) -> Option<u32> {
        self.item.map(|s| s.val)
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
