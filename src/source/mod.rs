//! Reader threads: bytes from files, stdin or the demo simulator, split into
//! lines, decoded, and handed to the main loop in batches.

pub mod batch;
pub mod dedupe;
pub mod demo;
pub mod lines;
pub mod names;
pub mod reader;
pub mod record;
pub mod share;

use crate::decode::DecodeOptions;
pub use batch::{Feed, SourceState};
use crossbeam_channel::{Receiver, bounded};
use record::Sink;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Stdin,
    File(PathBuf),
    Demo,
}

impl Input {
    pub fn parse(s: &str) -> Input {
        if s == "-" {
            Input::Stdin
        } else {
            Input::File(PathBuf::from(s))
        }
    }

    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "stdin".into(),
            Input::File(p) => p.display().to_string(),
            Input::Demo => "demo".into(),
        }
    }
}

#[derive(Clone)]
pub struct SourceOptions {
    pub decode: DecodeOptions,
    pub follow: bool,
    pub replay: Option<f64>,
    pub max_line: usize,
    pub record: Option<Sink>,
    pub rejects: Option<Sink>,
    /// Demo events per second.
    pub demo_rate: f64,
    pub demo_seed: u64,
    /// Set by `spawn`: this reader de-duplicates event ids (`dedupe`).
    pub dedupe: bool,
    /// Hand groups of NDJSON lines to the receiver to decode (`share`);
    /// the receiver must handle `Feed::Lines`.
    pub share: Option<share::ShareRule>,
    /// Batches the receiver has ingested come back here (the dashboard,
    /// `feed::Intake::recycling`): readers drop their events and refill
    /// them, so the receiver's thread does not drop them.
    pub recycle: Option<Receiver<Vec<crate::decode::Item>>>,
}

impl Default for SourceOptions {
    /// What the command line gives when no flag is set.
    fn default() -> Self {
        SourceOptions {
            decode: DecodeOptions::default(),
            follow: false,
            replay: None,
            max_line: crate::cli::DEFAULT_MAX_LINE,
            record: None,
            rejects: None,
            demo_rate: 0.0,
            demo_seed: 7,
            dedupe: false,
            share: None,
            recycle: None,
        }
    }
}

/// Batches in flight between readers and the engine: small enough that a
/// flood pushes back on the readers, big enough to keep both threads busy.
pub const CHANNEL_BATCHES: usize = 4;

/// Start one reader thread per input.
pub fn spawn(inputs: &[Input], opts: &SourceOptions) -> Receiver<Feed> {
    let (tx, rx) = bounded(CHANNEL_BATCHES);
    for (i, input) in inputs.iter().enumerate() {
        let tx = tx.clone();
        let tx_err = tx.clone();
        let mut opts = opts.clone();
        opts.dedupe = dedupe::upstream(inputs.len());
        let input = input.clone();
        let name = input.name();
        let spawned = std::thread::Builder::new()
            .name(format!("source-{i}"))
            .spawn(move || match input {
                Input::Demo => demo::run(i, tx, &opts),
                Input::Stdin => reader::run_stdin(i, &name, tx, &opts),
                Input::File(path) => reader::run_file(i, &name, &path, tx, &opts),
            });
        if let Err(e) = spawned {
            let _ = tx_err.send(Feed::State {
                source: i,
                state: SourceState::Failed(format!("cannot start reader: {e}")),
            });
        }
    }
    rx
}
