//! Reading files and stdin: line splitting, decoding, `--record`,
//! `--rejects`, `--replay` pacing and `--follow` (like `tail -F`: survives
//! truncation, rotation by rename, deletion and recreation).

use super::SourceOptions;
use super::batch::{Batcher, Feed, SourceState};
use super::lines::{LineReader, Next};
use super::share::Share;
use crate::decode::{Decoded, Item, LineDecoder, Outcome};
use crossbeam_channel::Sender;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

const FOLLOW_POLL: Duration = Duration::from_millis(100);

/// Per-input state shared by stdin and file reading.
struct Pipeline<'a> {
    name: &'a str,
    decoder: LineDecoder,
    batch: Batcher,
    opts: &'a SourceOptions,
    line_no: u64,
    pace: Option<Pace>,
    share: Share,
}

/// `--replay SPEED`: event time advances SPEED times faster than the wall clock.
struct Pace {
    speed: f64,
    origin: Option<(i64, Instant)>,
}

impl<'a> Pipeline<'a> {
    fn new(source: usize, name: &'a str, tx: Sender<Feed>, opts: &'a SourceOptions) -> Self {
        Pipeline {
            name,
            decoder: LineDecoder::new(opts.decode.clone()),
            batch: Batcher::new(source, tx, opts),
            opts,
            line_no: 0,
            // pacing reads the reader's decoded times; rejects are written
            // in line order by the reader
            share: Share::new(
                opts.share
                    .filter(|_| opts.replay.is_none() && opts.rejects.is_none() && !opts.follow),
                &opts.decode,
            ),
            pace: opts.replay.filter(|s| *s > 0.0).map(|speed| Pace {
                speed,
                origin: None,
            }),
        }
    }

    fn line(&mut self, next: Next) {
        self.line_no += 1;
        match next {
            Next::Text(text) => self.text_line(text, text.as_bytes(), false),
            Next::Line(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => self.text_line(text, bytes, false),
                Err(_) => self.text_line(&String::from_utf8_lossy(bytes), bytes, true),
            },
            Next::TooLong(n) => {
                self.share.close(&mut self.batch);
                self.batch.line_read(false);
                let max = self.opts.max_line;
                let items = self.batch.items_mut();
                let start = items.len();
                items.push(Item {
                    line: self.line_no,
                    what: Decoded::Rejected(format!("line of {n} bytes exceeds --max-line {max}")),
                });
                self.after_decode(start, None);
            }
            Next::Eof => {}
        }
    }

    /// One line as read (`raw`, for `--record`) and as decoded (`text`,
    /// with invalid UTF-8 replaced).
    fn text_line(&mut self, text: &str, raw: &[u8], invalid: bool) {
        if let Some(err) = self.opts.record.as_ref().and_then(|r| r.write_line(&[raw])) {
            self.sink_failed("--record", &err);
        }
        self.batch.line_read(invalid);
        if invalid {
            self.share.close(&mut self.batch);
        } else if self.share.take(text, self.line_no, &mut self.batch) {
            return;
        }
        let items = self.batch.items_mut();
        let start = items.len();
        let outcome = self.decoder.push_line(text, self.line_no, items);
        if outcome == Outcome::Deferred {
            self.share.deferred(text, self.line_no, &mut self.batch);
            return;
        }
        self.share
            .decided(outcome, &mut self.decoder, &mut self.batch);
        self.after_decode(start, Some(text));
    }

    fn after_decode(&mut self, start: usize, raw: Option<&str>) {
        if let Some(rej) = &self.opts.rejects {
            let rejected: Vec<(u64, String)> = self.batch.items_mut()[start..]
                .iter()
                .filter_map(|it| match &it.what {
                    Decoded::Rejected(r) => Some((it.line, r.clone())),
                    _ => None,
                })
                .collect();
            for (line, reason) in rejected {
                let head = format!("{}:{}: {}\t", self.name, line, reason);
                if let Some(err) = rej.write_line(&[head.as_bytes(), raw.unwrap_or("").as_bytes()])
                {
                    self.sink_failed("--rejects", &err);
                }
            }
        }
        if self.pace.is_some() {
            self.pace_items(start);
        }
        self.batch.maybe_flush();
    }

    /// Sleep until the newest decoded event is due on the wall clock.
    fn pace_items(&mut self, start: usize) {
        let newest = self.batch.items_mut()[start..]
            .iter()
            .filter_map(|it| match &it.what {
                Decoded::Event(e) => Some(e.ts),
                _ => None,
            })
            .max();
        let (Some(ts), Some(pace)) = (newest, self.pace.as_mut()) else {
            return;
        };
        let (t0, w0) = *pace.origin.get_or_insert((ts, Instant::now()));
        let due = (ts - t0).max(0) as f64 / pace.speed / 1000.0;
        let wait = Duration::from_secs_f64(due.min(86_400.0)).saturating_sub(w0.elapsed());
        if !wait.is_zero() {
            self.batch.flush();
            std::thread::sleep(wait);
        }
    }

    /// A failing `--record`/`--rejects` (a full disk) is said once, on
    /// screen, and ingest goes on.
    fn report_sink_failures(&mut self) {
        for (flag, sink) in [
            ("--record", &self.opts.record),
            ("--rejects", &self.opts.rejects),
        ] {
            if let Some(err) = sink.as_ref().and_then(|s| s.take_new_failure()) {
                self.sink_failed(flag, &err);
            }
        }
    }

    fn sink_failed(&mut self, flag: &str, err: &str) {
        self.batch
            .notice(format!("{flag} failed: {err}; ingest continues"));
    }

    /// A new file behind the same path (rotated, truncated, recreated):
    /// close what the old one left open, then decode the new one from its
    /// own first line, header included.
    fn restart_file(&mut self) {
        self.finish();
        self.decoder = LineDecoder::new(self.opts.decode.clone());
        self.line_no = 0;
    }

    fn finish(&mut self) {
        self.share.close(&mut self.batch);
        let items = self.batch.items_mut();
        let start = items.len();
        self.decoder.finish(items);
        self.after_decode(start, None);
        self.batch.flush();
    }
}

pub fn run_stdin(source: usize, name: &str, tx: Sender<Feed>, opts: &SourceOptions) {
    let mut p = Pipeline::new(source, name, tx, opts);
    p.batch.state(SourceState::Reading);
    let stdin = std::io::stdin().lock();
    let mut r = LineReader::new(stdin, opts.max_line);
    read_whole(&mut p, &mut r, "stdin");
}

/// Read to the end, take the unterminated last line too, close what the
/// decoder holds open, and say how the input ended.
fn read_whole<R: Read>(p: &mut Pipeline, r: &mut LineReader<R>, what: &str) {
    let end = read_to_eof_and_partial(p, r);
    p.finish();
    p.batch.state(match end {
        Ok(()) => SourceState::Ended,
        Err(e) => SourceState::Failed(format!("{what}: {e}")),
    });
}

/// Everything up to the end of `r` as it is now, the last line even
/// without its newline (it will not grow any more).
fn read_to_eof_and_partial<R: Read>(
    p: &mut Pipeline,
    r: &mut LineReader<R>,
) -> std::io::Result<()> {
    let end = read_to_eof(p, r);
    if let Some(last) = r.take_partial() {
        p.line(last);
    }
    end
}

fn read_to_eof<R: Read>(p: &mut Pipeline, r: &mut LineReader<R>) -> std::io::Result<()> {
    loop {
        // hand over what is decoded, and a group of lines begun, before a
        // read that may block (a live pipe can pause for minutes)
        let (batch, share) = (&mut p.batch, &mut p.share);
        match r.next_line_or(|| {
            share.close(batch);
            batch.flush();
        })? {
            Next::Eof => return Ok(()),
            n => p.line(n),
        }
        if !p.batch.open {
            return Ok(());
        }
    }
}

pub fn run_file(source: usize, name: &str, path: &Path, tx: Sender<Feed>, opts: &SourceOptions) {
    let mut p = Pipeline::new(source, name, tx, opts);
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            p.batch
                .state(SourceState::Failed(format!("{}: {e}", path.display())));
            return;
        }
    };
    p.batch.state(if opts.follow {
        SourceState::Following
    } else {
        SourceState::Reading
    });
    let mut inode = file_id(path).map(|(ino, _)| ino);
    let mut r = LineReader::new(file, opts.max_line);
    if !opts.follow {
        read_whole(&mut p, &mut r, &path.display().to_string());
        return;
    }
    loop {
        if let Err(e) = read_to_eof(&mut p, &mut r) {
            p.batch.notice(format!("{}: {e}", path.display()));
        }
        if !p.batch.open {
            return;
        }
        p.batch.flush();
        std::thread::sleep(FOLLOW_POLL);
        match file_id(path) {
            // Deleted: keep waiting for it to be recreated.
            None => {}
            Some((ino, _)) if Some(ino) != inode => {
                // Rotated or recreated: finish the old file, then start the new one.
                let _ = read_to_eof_and_partial(&mut p, &mut r);
                if let Ok(f) = File::open(path) {
                    p.batch
                        .notice(format!("{}: rotated, reading the new file", path.display()));
                    r.reset(f);
                    p.restart_file();
                    inode = Some(ino);
                }
            }
            Some((_, len)) if len < r.consumed => {
                if let Ok(f) = File::open(path) {
                    p.batch.notice(format!(
                        "{}: truncated, reading from the start",
                        path.display()
                    ));
                    r.reset(f);
                    p.restart_file();
                    inode = file_id(path).map(|(ino, _)| ino);
                }
            }
            Some(_) => {}
        }
        if let Some(rec) = &opts.record {
            rec.flush_if_due();
        }
        p.report_sink_failures();
    }
}

/// (inode, length): a new inode means rotation or recreation.
#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.ino(), m.len()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (0, m.len()))
}
