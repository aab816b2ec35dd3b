//! livetally: live-stream commerce figures from a tailed event feed.
//!
//! Data flows one way: `source` → `decode` → `engine` → `report`/`ui`.

pub mod decode;
pub mod engine;
pub mod model;
pub mod encode;
pub mod sim;
