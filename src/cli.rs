//! Command-line interface.

use crate::decode::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// `--max-line` when not given.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

#[derive(Parser, Debug)]
#[command(
    name = "livetally",
    version,
    about = "Live dashboard of TikTok LIVE gifts, TikTok Shop orders and gift-to-order conversion",
    long_about = "Tails a live event feed (files, or stdin with -) and shows creator gifts, shop \
                  orders and honest conversion estimates. With no INPUT it reads stdin when \
                  stdin is a pipe, else runs the built-in demo feed.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub dash: DashArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read the inputs to the end and print the report (no terminal needed).
    Report(Box<ReportArgs>),
    /// Write a synthetic feed to stdout (demo data, benchmarks).
    Simulate(SimulateArgs),
}

#[derive(Args, Debug, Clone)]
pub struct FeedArgs {
    /// Inputs: paths, or - for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Input format; auto looks at the first non-blank line ({ means NDJSON).
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    pub input_format: Format,

    /// How long after a gift a payment still counts as converted.
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub attribution_window: Duration,

    /// Gifts at or above this many diamonds go to the ticker.
    #[arg(long, default_value_t = 1000)]
    pub big_gift: i64,

    /// Estimated USD a viewer pays per coin (a gift's diamond count is its coin price).
    #[arg(long, default_value_t = 0.0133)]
    pub usd_per_coin: f64,

    /// Estimated USD a creator receives per coin of gifts.
    #[arg(long, default_value_t = 0.0025)]
    pub creator_usd_per_coin: f64,

    /// Creator for connector records that name no room.
    #[arg(long, value_name = "NAME")]
    pub creator: Option<String>,

    /// Close a gift streak whose end never arrives after this much event time.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub streak_timeout: Duration,

    /// Read foreign columns/keys as canonical fields: ts=created_at,user=customer_id,...
    #[arg(long, value_name = "FIELD=NAME,...")]
    pub map: Option<String>,

    /// Constant kind for inputs without a kind column (with --map).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// CSV shop_user,live_user joining shop buyer ids to LIVE viewer ids.
    #[arg(long, value_name = "FILE")]
    pub user_map: Option<PathBuf>,

    /// Keep reading files as they grow (like tail -F).
    #[arg(short, long)]
    pub follow: bool,

    /// Pace a file's events by their timestamps at SPEED x real time.
    #[arg(long, value_name = "SPEED")]
    pub replay: Option<f64>,

    /// Reject lines longer than this many bytes without buffering them.
    #[arg(long, default_value_t = DEFAULT_MAX_LINE, value_name = "BYTES")]
    pub max_line: usize,

    /// Append every raw input line to FILE as received.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Write every rejected line with its source, line number and reason to FILE.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct DashArgs {
    #[command(flatten)]
    pub feed: FeedArgs,

    /// Most redraws per second.
    #[arg(long, default_value_t = 10)]
    pub fps: u32,

    /// Window shown at start: 1m, 5m, 15m, 1h or all.
    #[arg(long, default_value = "15m")]
    pub window: String,

    /// Capture the mouse (off by default so the terminal's own selection works).
    #[arg(long)]
    pub mouse: bool,

    /// Monochrome theme (also when NO_COLOR is set to a non-empty value).
    #[arg(long)]
    pub no_color: bool,

    /// Do not print the final summary on quit.
    #[arg(short, long)]
    pub quiet: bool,

    /// Events per second of the built-in demo feed.
    #[arg(long, default_value_t = 40.0)]
    pub demo_rate: f64,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub feed: FeedArgs,

    /// Print JSON (the documented contract) instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Scope: 1m, 5m, 15m, 1h or all (windows end at the newest event).
    #[arg(long, default_value = "all")]
    pub window: String,

    /// Only figures for this creator.
    #[arg(long = "for", value_name = "CREATOR")]
    pub only: Option<String>,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Seed of the random generator (same seed, same feed).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Events per second, paced in real time.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,

    /// Write this many events as fast as possible, then stop.
    #[arg(long)]
    pub count: Option<u64>,

    /// Write this span of event time as fast as possible, then stop.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Events per second of event time (default: the profile's; bench 2000).
    #[arg(long)]
    pub event_rate: Option<f64>,

    /// Feed shape: demo (a few creators), bench (200 creators, 200k users), sample (3 creators).
    #[arg(long, default_value = "demo")]
    pub profile: String,

    /// First event time (RFC 3339 or epoch); default now.
    #[arg(long)]
    pub start: Option<String>,

    /// Write CSV instead of NDJSON.
    #[arg(long)]
    pub csv: bool,

    /// Event ids shaped like UUIDs (unique, in no order) instead of a
    /// counter (e1, e2, ...).
    #[arg(long)]
    pub uuid_ids: bool,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(t).map_err(|e| format!("{e} (try 30m, 90s or 1h)"))
}
