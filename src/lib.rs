//! livetally: live-stream commerce figures from a tailed event feed.
//!
//! Data flows one way: `source` → `decode` → `engine` → `report`/`ui`.

pub mod decode;
pub mod engine;
pub mod model;
pub mod encode;
pub mod sim;
pub mod format;
pub mod report;
pub mod text;
pub mod source;
pub mod cli;
pub mod cmd;
pub mod feed;
pub mod ui;
