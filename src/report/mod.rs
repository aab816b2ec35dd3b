//! The headless report: one snapshot as JSON (a stable contract) or as a
//! readable table.

pub mod json;
pub mod table;
