//! What the panels draw, computed from the engine: a snapshot plus the
//! series, ticker and live figures next to it. The dashboard computes it on
//! the engine's thread and hands it to the UI thread, so a key is answered
//! from the view it has while the next one is being computed.

use crate::engine::snapshot::Snapshot;
use crate::engine::{Engine, Notable, Reject, Scope, sec};
use crate::feed::Sources;
use crate::model::TsMs;

/// What the UI asks the engine to compute: the window and the creator in
/// detail, if one is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub scope: Scope,
    pub detail: Option<String>,
}

/// Frozen as a whole while paused.
#[derive(Debug, Clone)]
pub struct View {
    pub snap: Snapshot,
    /// Diamonds per bucket over the window, oldest first, and the bucket length.
    pub diamonds: Vec<u64>,
    pub orders: Vec<u64>,
    pub bucket_secs: i64,
    pub ticker: Vec<Notable>,
    pub rejects: Vec<Reject>,
    pub events_per_sec: f64,
    pub lag_ms: Option<i64>,
    pub sources: Sources,
    /// Events accepted by the engine when the view was computed.
    pub accepted: u64,
    /// The engine is behind a backed-up feed (views come less often).
    pub catching_up: bool,
}

impl View {
    pub fn compute(
        engine: &Engine,
        sources: &Sources,
        q: &Query,
        events_per_sec: f64,
        wall_now_ms: TsMs,
    ) -> View {
        let snap = engine.snapshot_unsorted(q.scope, q.detail.as_deref());
        let (bucket_secs, diamonds, orders) = series(engine, q);
        View {
            snap,
            diamonds,
            orders,
            bucket_secs,
            ticker: engine
                .ticker
                .iter()
                .filter(|n| q.detail.as_ref().is_none_or(|d| n.creator == *d))
                .cloned()
                .collect(),
            rejects: engine.rejects.iter().rev().cloned().collect(),
            events_per_sec,
            lag_ms: engine.now.map(|n| wall_now_ms - n),
            sources: sources.clone(),
            accepted: engine.counters.accepted,
            catching_up: false,
        }
    }

    /// Whether this view answers `q` (a view computed before the window
    /// or the detail changed must not be shown after it).
    pub fn answers(&self, q: &Query) -> bool {
        self.snap.scope == q.scope && self.snap.creator == q.detail
    }
}

/// 60 buckets across the window (the last hour for `all`).
fn series(engine: &Engine, q: &Query) -> (i64, Vec<u64>, Vec<u64>) {
    let secs = match q.scope {
        Scope::Window(s) => s,
        Scope::All => crate::engine::HORIZON_SECS,
    };
    let n = 60usize;
    let step = (secs / n as i64).max(1);
    let mut d = vec![0u64; n];
    let mut o = vec![0u64; n];
    let Some(now) = engine.now else {
        return (step, d, o);
    };
    let end = sec(now);
    let start = end - step * n as i64 + 1;
    match &q.detail {
        None => {
            for (s, b) in engine.recent.iter_since(start) {
                let i = ((s - start) / step) as usize;
                if i < n {
                    d[i] += b.diamonds.max(0) as u64;
                    o[i] += b.paid.max(0) as u64;
                }
            }
        }
        Some(c) => {
            if let Some(id) = engine.creators.id(c) {
                for (s, b) in engine.creators.get(id).recent.iter_since(start) {
                    let i = ((s - start) / step) as usize;
                    if i < n {
                        d[i] += b.diamonds.max(0) as u64;
                    }
                }
            }
            // orders are attributed at read time (inferred attribution
            // can change as gifts arrive), so they come from a scan
            for p in engine.paid_times(Some(c), start * 1000) {
                let i = ((sec(p) - start) / step) as usize;
                if i < n {
                    o[i] += 1;
                }
            }
        }
    }
    (step, d, o)
}
