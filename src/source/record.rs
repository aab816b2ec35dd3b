//! `--record` (every raw input line, as received) and `--rejects` (every
//! rejected line with its source, line and reason). Both are shared by the
//! reader threads, flushed at least once a second and on exit, and a write
//! failure (disk full) is reported but never stops ingest.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Sink {
    inner: Arc<Mutex<SinkInner>>,
}

struct SinkInner {
    out: BufWriter<File>,
    last_flush: Instant,
    failed: Option<String>,
    /// Whether `failed` has been handed to someone who says it on screen.
    reported: bool,
    /// Reused for assembling a line, so recording costs no allocation per line.
    scratch: Vec<u8>,
}

impl Sink {
    pub fn open(path: &Path) -> io::Result<Sink> {
        let f = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Sink {
            inner: Arc::new(Mutex::new(SinkInner {
                out: BufWriter::with_capacity(1 << 20, f),
                last_flush: Instant::now(),
                failed: None,
                reported: false,
                scratch: Vec::new(),
            })),
        })
    }

    /// Append one whole line; returns a failure (this one or an earlier
    /// flush's) the first time there is one to report.
    pub fn write_line(&self, parts: &[&[u8]]) -> Option<String> {
        let mut g = self.inner.lock().ok()?;
        let g = &mut *g;
        if g.failed.is_none() {
            // Assemble first so a line is written in one call: a full disk
            // leaves at worst a missing line, not half of one, in what was
            // flushed.
            g.scratch.clear();
            for p in parts {
                g.scratch.extend_from_slice(p);
            }
            g.scratch.push(b'\n');
            let mut res = g.out.write_all(&g.scratch);
            if res.is_ok() && g.last_flush.elapsed() >= Duration::from_secs(1) {
                res = g.out.flush();
                g.last_flush = Instant::now();
            }
            if let Err(e) = res {
                g.failed = Some(e.to_string());
            }
        }
        take_unreported(g)
    }

    /// The failure, once: whoever takes it reports it.
    pub fn take_new_failure(&self) -> Option<String> {
        take_unreported(&mut *self.inner.lock().ok()?)
    }

    pub fn flush(&self) {
        if let Ok(mut g) = self.inner.lock() {
            if g.failed.is_none()
                && let Err(e) = g.out.flush()
            {
                g.failed = Some(e.to_string());
            }
            g.last_flush = Instant::now();
        }
    }

    /// Flush if a second has passed since the last flush (called on idle ticks).
    pub fn flush_if_due(&self) {
        let due = self
            .inner
            .lock()
            .map(|g| g.last_flush.elapsed() >= Duration::from_secs(1))
            .unwrap_or(false);
        if due {
            self.flush();
        }
    }

    pub fn failure(&self) -> Option<String> {
        self.inner.lock().ok().and_then(|g| g.failed.clone())
    }
}

fn take_unreported(g: &mut SinkInner) -> Option<String> {
    if g.reported {
        return None;
    }
    let f = g.failed.clone()?;
    g.reported = true;
    Some(f)
}
