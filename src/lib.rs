//! livetally: live-stream commerce figures from a tailed event feed.
//!
//! Data flows one way: `source` → `decode` → `engine` → `report`/`ui`.

pub mod cli;
pub mod cmd;
pub mod decode;
pub mod encode;
pub mod engine;
pub mod feed;
pub mod format;
pub mod model;
pub mod report;
pub mod sim;
pub mod source;
pub mod text;
pub mod ui;
