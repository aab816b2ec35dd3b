//! Adapters for real feeds (TikTok LIVE connectors, TikFinity, TikTok Shop).

use super::{DecodeOptions, Item};
use serde_json::Value;

pub struct AdapterState {}

impl AdapterState {
    pub fn new(_opts: &DecodeOptions) -> AdapterState {
        AdapterState {}
    }

    /// `Err` when the object is no shape livetally knows.
    pub fn decode(&mut self, _v: &Value, _line: u64, _out: &mut Vec<Item>) -> Result<(), String> {
        Err("JSON object has no \"kind\" and is no known feed shape".into())
    }

    pub fn finish(&mut self, _out: &mut Vec<Item>) {}
}
