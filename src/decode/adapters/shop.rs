//! TikTok Shop: order-status webhooks and Order API order objects.
//!
//! A webhook says only that an order changed status; it carries no amount,
//! so an order seen only through webhooks counts as an order with unknown
//! GMV (never as GMV zero). Order objects carry the money. Neither names a
//! creator or a LIVE viewer: the engine attributes orders itself.

use super::pick::{first, first_count, first_id, first_text, first_time, id_text};
use crate::decode::values::{clip, parse_amount};
use crate::decode::{Decoded, Item};
use crate::model::{Currency, Event, Kind, OrderStatus, TsMs};
use serde_json::Value;
use std::collections::HashMap;

/// Webhook type 1 is "order status change"; the others (reverse orders,
/// address and package updates, product changes) are not sales.
const ORDER_STATUS_CHANGE: i64 = 1;

#[derive(Default)]
pub struct Shop {
    /// Units per order from order objects: a webhook row carries the
    /// order's units too, and the engine takes units from the latest row.
    units: HashMap<String, i64>,
}

pub fn is_webhook(v: &Value) -> bool {
    v.get("tts_notification_id").is_some()
        || (v.get("shop_id").is_some() && v.get("data").is_some_and(Value::is_object))
}

/// An order object, or an API response holding a list of them.
pub fn is_order_api(v: &Value) -> bool {
    is_order(v) || order_list(v).is_some()
}

fn is_order(v: &Value) -> bool {
    v.get("id").is_some()
        && (v.get("line_items").is_some() || v.get("payment").is_some_and(Value::is_object))
}

fn order_list(v: &Value) -> Option<&Vec<Value>> {
    first(v, &["data.orders", "orders", "data.order_list"]).and_then(Value::as_array)
}

impl Shop {
    pub fn webhook(&mut self, v: &Value, line: u64, out: &mut Vec<Item>) -> Result<(), String> {
        let data = v.get("data").filter(|d| d.is_object());
        let kind = match first_count(v, &["type"], "webhook type")? {
            Some(t) => t,
            // An untyped notification that carries an order status can only be one thing.
            None if data.is_some_and(|d| d.get("order_status").is_some()) => ORDER_STATUS_CHANGE,
            None => return Err("shop webhook without type".into()),
        };
        if kind != ORDER_STATUS_CHANGE {
            out.push(Item {
                line,
                what: Decoded::Skipped(format!("shop webhook type {kind}")),
            });
            return Ok(());
        }
        let data = data.ok_or("shop webhook without data object")?;
        let order_id = first_id(data, &["order_id"]).ok_or("shop webhook without order_id")?;
        let status = status(data, &["order_status"])?;
        let ts = match first_time(data, &["update_time"])? {
            Some(ts) => ts,
            None => first_time(v, &["timestamp"])?.ok_or("shop webhook without update_time")?,
        };
        let mut ev = Event::new(ts, Kind::Order);
        ev.qty = self.units.get(&order_id).copied().unwrap_or(1);
        ev.order_id = Some(order_id.into());
        ev.status = Some(status);
        ev.event_id = first_id(v, &["tts_notification_id"]).map(Into::into);
        out.push(Item {
            line,
            what: Decoded::Event(ev),
        });
        Ok(())
    }

    /// One order object, or every order of an API response: a bad order in
    /// a list is rejected on its own so the others still count.
    pub fn orders(&mut self, v: &Value, line: u64, out: &mut Vec<Item>) -> Result<(), String> {
        let Some(list) = order_list(v) else {
            for ev in self.order(v)? {
                push(out, line, ev);
            }
            return Ok(());
        };
        if let Some(code) = v.get("code").and_then(id_text) {
            let msg = first_text(v, &["message"]).unwrap_or_default();
            return Err(format!("TikTok Shop API error {code}: {}", clip(&msg)));
        }
        for o in list {
            match self.order(o) {
                Ok(rows) => rows.into_iter().for_each(|ev| push(out, line, ev)),
                Err(reason) => out.push(Item {
                    line,
                    what: Decoded::Rejected(reason),
                }),
            }
        }
        Ok(())
    }

    /// The engine dates an order's payment by its first row with a paid
    /// status. An order read after payment (shipped, delivered, cancelled)
    /// therefore becomes two rows: a paid row at `paid_time`, so GMV lands
    /// when the money moved, and a row with the current status at
    /// `update_time`.
    fn order(&mut self, o: &Value) -> Result<Vec<Event>, String> {
        if !o.is_object() {
            return Err("order is not an object".into());
        }
        let order_id = first_id(o, &["id", "order_id"]).ok_or("order without id")?;
        let status = status(o, &["status", "order_status"])?;
        let paid_time = first_time(o, &["paid_time"])?;
        let ts = first_time(o, &["update_time"])?
            .or(paid_time)
            .or(first_time(o, &["create_time"])?)
            .ok_or("order without update_time, paid_time or create_time")?;
        let amount = match first(o, &["payment.total_amount"]) {
            Some(Value::String(s)) => Some(parse_amount(s)?),
            Some(Value::Number(n)) => Some(parse_amount(&n.to_string())?),
            Some(_) => return Err("payment.total_amount is not an amount".into()),
            None => None,
        };
        let currency = match first_text(o, &["payment.currency", "line_items.0.currency"]) {
            Some(c) => {
                Some(Currency::parse(&c).ok_or_else(|| format!("bad currency {:?}", clip(&c)))?)
            }
            None => None,
        };
        let (item, units) = line_items(o.get("line_items"))?;
        self.units.insert(order_id.clone(), units);

        let mut ev = Event::new(ts, Kind::Order);
        ev.order_id = Some(order_id.into());
        ev.status = Some(status);
        ev.amount = amount;
        ev.currency = currency;
        ev.user = first_id(o, &["user_id", "buyer_user_id"]).map(Into::into);
        ev.nickname = first_text(o, &["buyer_nickname"]).map(Into::into);
        ev.item = item.map(Into::into);
        ev.qty = units;

        // UNPAID or ON_HOLD with a paid_time is left to its status: the
        // buyer can still cancel, and a later read will show the payment.
        let settled_after_payment = status != OrderStatus::Pending;
        match paid_time {
            Some(p) if settled_after_payment && p < ts => {
                let mut paid = ev.clone();
                paid.ts = p;
                paid.status = Some(OrderStatus::Paid);
                Ok(vec![paid, ev])
            }
            _ => Ok(vec![ev]),
        }
    }
}

fn status(v: &Value, paths: &[&str]) -> Result<OrderStatus, String> {
    let s = first_text(v, paths).ok_or("order without status")?;
    OrderStatus::parse(&s).ok_or_else(|| format!("unknown order status {:?}", clip(&s)))
}

/// The Order API has no quantity field: each line item is one unit (older
/// versions had `quantity`, honoured when present). The item shown is the
/// product, `A + B` for two products, `A (+n)` for more.
fn line_items(v: Option<&Value>) -> Result<(Option<String>, i64), String> {
    let items = match v {
        None | Some(Value::Null) => return Ok((None, 1)),
        Some(Value::Array(a)) => a,
        Some(_) => return Err("line_items is not a list".into()),
    };
    let mut names: Vec<String> = Vec::new();
    let mut units: i64 = 0;
    for li in items {
        units = units.saturating_add(first_count(li, &["quantity"], "quantity")?.unwrap_or(1));
        if let Some(n) = first_text(li, &["product_name", "sku_name"])
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    let item = match names.as_slice() {
        [] => None,
        [a] => Some(a.clone()),
        [a, b] => Some(format!("{a} + {b}")),
        [a, rest @ ..] => Some(format!("{a} (+{})", rest.len())),
    };
    Ok((item, units.max(1)))
}

fn push(out: &mut Vec<Item>, line: u64, ev: Event) {
    out.push(Item {
        line,
        what: Decoded::Event(ev),
    });
}

/// The latest time among what a record produced, to move the feed clock.
pub fn latest_ts(items: &[Item]) -> Option<TsMs> {
    items
        .iter()
        .filter_map(|it| match &it.what {
            Decoded::Event(e) => Some(e.ts),
            _ => None,
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(shop: &mut Shop, v: Value) -> Result<Vec<Decoded>, String> {
        let mut out = Vec::new();
        if is_webhook(&v) {
            shop.webhook(&v, 1, &mut out)?;
        } else if is_order_api(&v) {
            shop.orders(&v, 1, &mut out)?;
        } else {
            return Err("neither".into());
        }
        Ok(out.into_iter().map(|i| i.what).collect())
    }

    fn ev(d: &Decoded) -> &Event {
        match d {
            Decoded::Event(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn webhook_is_a_status_only_order_row() {
        let mut s = Shop::default();
        let out = rows(&mut s, json!({"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621","timestamp":1644412885,"data":{"order_id":"576486316948490001","order_status":"AWAITING_SHIPMENT","is_on_hold_order":false,"update_time":1644412900}})).unwrap();
        let e = ev(&out[0]);
        assert_eq!(e.kind, Kind::Order);
        assert_eq!(e.ts, 1_644_412_900_000);
        assert_eq!(e.status, Some(OrderStatus::Paid));
        assert_eq!(e.amount, None);
        assert_eq!(e.creator, None);
        assert_eq!(e.event_id.as_deref(), Some("7327112393057371910"));
        assert_eq!(e.qty, 1);
    }

    #[test]
    fn webhook_falls_back_to_envelope_time_and_numeric_ids() {
        let mut s = Shop::default();
        let out = rows(&mut s, json!({"type":"1","tts_notification_id":7327112393057371911u64,"shop_id":1,"timestamp":1644412885,"data":{"order_id":576486316948490001u64,"order_status":"CANCEL"}})).unwrap();
        let e = ev(&out[0]);
        assert_eq!(e.ts, 1_644_412_885_000);
        assert_eq!(e.order_id.as_deref(), Some("576486316948490001"));
        assert_eq!(e.status, Some(OrderStatus::Cancelled));
    }

    #[test]
    fn other_webhook_types_are_skipped() {
        let mut s = Shop::default();
        let out = rows(&mut s, json!({"type":2,"tts_notification_id":"1","shop_id":"1","timestamp":1644412885,"data":{"order_id":"5","reverse_order_status":4}})).unwrap();
        assert_eq!(out, vec![Decoded::Skipped("shop webhook type 2".into())]);
    }

    #[test]
    fn bad_webhooks_are_rejected() {
        let mut s = Shop::default();
        let err = |s: &mut Shop, v| rows(s, v).err().unwrap_or_default();
        assert!(err(&mut s, json!({"type":1,"tts_notification_id":"1","timestamp":1,"data":{"order_status":"PAID"}})).contains("order_id"));
        assert!(err(&mut s, json!({"type":1,"tts_notification_id":"1","timestamp":1,"data":{"order_id":"5","order_status":"SHIPPED?"}})).contains("unknown order status"));
        assert!(err(&mut s, json!({"type":1,"tts_notification_id":"1","data":{"order_id":"5","order_status":"UNPAID"}})).contains("update_time"));
        assert!(
            err(
                &mut s,
                json!({"type":1,"tts_notification_id":"1","data":[]})
            )
            .contains("data")
        );
        assert!(err(&mut s, json!({"type":[],"tts_notification_id":"1"})).contains("type"));
    }

    #[test]
    fn paid_order_becomes_a_paid_row_and_a_current_row() {
        let mut s = Shop::default();
        let out = rows(&mut s, json!({"id":"576486316948490001","status":"DELIVERED","create_time":1644412885,"paid_time":1644412950,"update_time":1644600000,"user_id":"7494000000000000001","buyer_nickname":"Example Viewer","payment":{"currency":"USD","sub_total":"19.98","shipping_fee":"0","tax":"1.60","total_amount":"21.58"},"line_items":[{"product_name":"Lip Tint","sale_price":"9.99"},{"product_name":"Lip Tint","sale_price":"9.99"}]})).unwrap();
        assert_eq!(out.len(), 2);
        let (paid, now) = (ev(&out[0]), ev(&out[1]));
        assert_eq!(
            (paid.ts, paid.status),
            (1_644_412_950_000, Some(OrderStatus::Paid))
        );
        assert_eq!(
            (now.ts, now.status),
            (1_644_600_000_000, Some(OrderStatus::Paid))
        );
        assert_eq!(now.amount, Some(215_800));
        assert_eq!(now.currency, Currency::parse("USD"));
        assert_eq!(now.user.as_deref(), Some("7494000000000000001"));
        assert_eq!(now.nickname.as_deref(), Some("Example Viewer"));
        assert_eq!(now.item.as_deref(), Some("Lip Tint"));
        assert_eq!(now.qty, 2);
        assert_eq!(now.creator, None);
    }

    #[test]
    fn order_times_and_statuses() {
        let mut s = Shop::default();
        // paid, not updated since: one row at paid_time
        let out = rows(&mut s, json!({"id":"1","status":"AWAITING_SHIPMENT","create_time":100,"paid_time":160,"payment":{"total_amount":5}})).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(ev(&out[0]).ts, 160_000);
        assert_eq!(ev(&out[0]).amount, Some(50_000));
        // unpaid: create_time, and a stray paid_time is not believed over the status
        let out = rows(&mut s, json!({"id":"2","status":"UNPAID","create_time":100,"paid_time":160,"update_time":200,"payment":{"total_amount":"5"}})).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(ev(&out[0]).status, Some(OrderStatus::Pending));
        // cancelled after payment: paid at paid_time (gross), cancelled now
        let out = rows(&mut s, json!({"id":"3","status":"CANCELLED","create_time":100,"paid_time":160,"update_time":300,"payment":{"total_amount":"5"}})).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(ev(&out[1]).status, Some(OrderStatus::Cancelled));
        // cancelled before payment (paid_time 0)
        let out = rows(&mut s, json!({"id":"4","status":"CANCELLED","create_time":100,"paid_time":0,"update_time":300,"payment":{"total_amount":"5"}})).unwrap();
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn items_named_and_counted() {
        let names = |v: Value| line_items(Some(&v)).unwrap();
        assert_eq!(names(json!([])), (None, 1));
        assert_eq!(
            names(json!([{"product_name":"A"},{"product_name":"B"}])),
            (Some("A + B".into()), 2)
        );
        assert_eq!(
            names(
                json!([{"product_name":"A"},{"product_name":"B"},{"product_name":"C"},{"product_name":"A"}])
            ),
            (Some("A (+2)".into()), 4)
        );
        assert_eq!(
            names(json!([{"product_name":"A","quantity":"3"}])),
            (Some("A".into()), 3)
        );
        assert!(line_items(Some(&json!({"product_name":"A"}))).is_err());
        assert!(line_items(Some(&json!([{"quantity":"x"}]))).is_err());
    }

    #[test]
    fn webhook_after_order_keeps_its_units() {
        let mut s = Shop::default();
        rows(&mut s, json!({"id":"9","status":"AWAITING_SHIPMENT","paid_time":100,"line_items":[{"product_name":"A"},{"product_name":"A"},{"product_name":"A"}]})).unwrap();
        let out = rows(&mut s, json!({"type":1,"tts_notification_id":"n","shop_id":"s","timestamp":200,"data":{"order_id":"9","order_status":"IN_TRANSIT","update_time":200}})).unwrap();
        assert_eq!(ev(&out[0]).qty, 3);
    }

    #[test]
    fn api_response_lists_reject_bad_orders_alone() {
        let mut s = Shop::default();
        let out = rows(&mut s, json!({"code":0,"message":"Success","data":{"orders":[
            {"id":"1","status":"COMPLETED","paid_time":100,"payment":{"total_amount":"1.5","currency":"EUR"},"line_items":[{"product_name":"A"}]},
            {"id":"2","status":"TELEPORTED","paid_time":100,"line_items":[]},
            "not an order"
        ]}})).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(ev(&out[0]).currency, Currency::parse("EUR"));
        assert!(matches!(&out[1], Decoded::Rejected(r) if r.contains("TELEPORTED")));
        assert!(matches!(&out[2], Decoded::Rejected(r) if r.contains("not an object")));
        let err = rows(
            &mut s,
            json!({"code":36009004,"message":"invalid access token","data":{"orders":[]}}),
        )
        .unwrap_err();
        assert!(err.contains("36009004"));
    }

    #[test]
    fn bad_orders_are_rejected() {
        let mut s = Shop::default();
        let err = |s: &mut Shop, v| rows(s, v).err().unwrap_or_default();
        assert!(
            err(
                &mut s,
                json!({"id":"1","status":"PAID","paid_time":1,"payment":{"total_amount":"12,50"}})
            )
            .contains("amount")
        );
        assert!(
            err(
                &mut s,
                json!({"id":"1","status":"PAID","paid_time":1,"payment":{"total_amount":{}}})
            )
            .contains("amount")
        );
        assert!(
            err(
                &mut s,
                json!({"id":"1","status":"PAID","paid_time":1,"payment":{"currency":"dollars"}})
            )
            .contains("currency")
        );
        assert!(err(&mut s, json!({"id":"1","paid_time":1,"payment":{}})).contains("status"));
        assert!(
            err(&mut s, json!({"id":"1","status":"PAID","payment":{}})).contains("create_time")
        );
        assert!(
            err(
                &mut s,
                json!({"id":null,"status":"PAID","paid_time":1,"payment":{}})
            )
            .contains("id")
        );
    }
}
