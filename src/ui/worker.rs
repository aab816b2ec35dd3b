//! The engine's thread in the live dashboard: it ingests feed batches and
//! answers the UI's queries with views, so the UI thread only handles keys
//! and draws. A key never waits for a snapshot or a burst of ingest (bottom
//! keeps its collection off the drawing thread the same way).

use super::view::{Query, View};
use crate::engine::Engine;
use crate::feed::{Intake, Sources};
use crate::source::Feed;
use crossbeam_channel::{Receiver, Sender, never, select, unbounded};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// From the UI thread. Dropping the sender stops the engine thread.
/// How long one pass may spend ingesting before it looks at requests.
const INGEST_BUDGET: Duration = Duration::from_millis(20);

pub enum ToEngine {
    /// Compute a view for `query` when the engine has news (at once when
    /// `prompt`: the user changed the window or the detail). One request
    /// is outstanding at a time; a new one replaces it.
    Want { query: Query, prompt: bool },
}

/// To the UI thread.
pub enum FromEngine {
    View(Box<View>),
    /// Once a second: the figures that move without a new view.
    Live {
        events_per_sec: f64,
        accepted: u64,
        lag_ms: Option<i64>,
        catching_up: bool,
    },
}

pub struct Worker {
    pub tx: Sender<ToEngine>,
    pub rx: Receiver<FromEngine>,
    /// Gives the engine back when the thread ends (for the exit summary).
    pub handle: JoinHandle<(Engine, Sources)>,
}

pub fn spawn(
    engine: Engine,
    intake: Intake,
    feed_rx: Receiver<Feed>,
    frame: Duration,
) -> std::io::Result<Worker> {
    let (tx, ctl_rx) = unbounded();
    let (out_tx, rx) = unbounded();
    let handle = std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || run(engine, intake, feed_rx, ctl_rx, out_tx, frame))?;
    Ok(Worker { tx, rx, handle })
}

fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn run(
    mut engine: Engine,
    mut intake: Intake,
    mut feed_rx: Receiver<Feed>,
    ctl_rx: Receiver<ToEngine>,
    out: Sender<FromEngine>,
    frame: Duration,
) -> (Engine, Sources) {
    let mut want: Option<(Query, bool)> = None;
    // (engine generation, query) of the last view sent
    let mut answered: Option<(u64, Query)> = None;
    let mut last_view = Instant::now() - Duration::from_secs(10);
    let mut view_cost = Duration::ZERO;
    // whether the last view sent said every source had ended
    let mut shown_ended = false;
    let mut eps = (Instant::now(), engine.counters.accepted, 0.0_f64);
    // LIVETALLY_WINDOW_INDEX=always keeps the index through floods (the
    // soak measures its memory that way); =never never builds it
    let mut flood = Flood {
        mode: match std::env::var("LIVETALLY_WINDOW_INDEX").as_deref() {
            Ok("always") => IndexMode::Always,
            Ok("never") => IndexMode::Never,
            _ => IndexMode::Auto,
        },
        ..Flood::default()
    };
    // A feed that starts with a backlog (a file, a replay) is ingested
    // without the index; a calm one gets it after its first two seconds.
    if flood.mode != IndexMode::Always {
        engine.set_window_index(false);
    }
    loop {
        flood.calm(&mut engine, Instant::now());
        let now = Instant::now();
        let next_live = eps.0 + Duration::from_secs(1);
        // Windows end at the newest event: with no news the last view
        // still holds, so an idle dashboard computes nothing.
        let news = |q: &Query, engine: &Engine| {
            answered
                .as_ref()
                .is_none_or(|(g, a)| *g != engine.generation || a != q)
        };
        // A scanned view (no window index, or a creator's detail) walks
        // every user and order: on huge feeds keep those to about 5% of
        // this thread's time instead of one per frame, 2.5% while catching
        // up (the header's ev/s still moves every second). Not less: in a
        // flood a scan costs 40-65 ms at 4-8M events (its memory is cold),
        // so this is already a view every 1.6-2.6 s.
        let share = if flood.backed_up() { 40 } else { 20 };
        let pace = (view_cost * share).max(frame);
        // the end of the feed is shown at once, whatever the pace
        let ended = intake.sources.all_done() && !shown_ended;
        let next_view = match &want {
            Some((_, true)) => now,
            Some(_) if ended => now,
            Some((q, false)) if news(q, &engine) => last_view + pace,
            _ => next_live,
        };
        let timeout = next_view.min(next_live).saturating_duration_since(now);
        select! {
            recv(feed_rx) -> msg => match msg {
                Ok(m) => {
                    let started = Instant::now();
                    intake.apply(&mut engine, m);
                    while started.elapsed() < INGEST_BUDGET {
                        match feed_rx.try_recv() {
                            Ok(m) => {
                                intake.apply(&mut engine, m);
                            }
                            Err(_) => break,
                        }
                    }
                    flood.pass(&mut engine, !feed_rx.is_empty(), started.elapsed(), Instant::now());
                }
                Err(_) => feed_rx = never(),
            },
            recv(ctl_rx) -> msg => match msg {
                Ok(ToEngine::Want { query, prompt }) => {
                    // a prompt request for the same query stays prompt
                    let prompt = prompt || matches!(&want, Some((q, true)) if *q == query);
                    want = Some((query, prompt));
                }
                Err(_) => return (engine, intake.sources),
            },
            default(timeout) => {}
        }
        let now = Instant::now();
        if now >= next_live {
            let dt = now.duration_since(eps.0).as_secs_f64();
            let acc = engine.counters.accepted;
            eps = (now, acc, (acc - eps.1) as f64 / dt);
            let live = FromEngine::Live {
                events_per_sec: eps.2,
                accepted: acc,
                lag_ms: engine.now.map(|n| wall_ms() - n),
                catching_up: flood.backed_up() && !intake.sources.all_done(),
            };
            if out.send(live).is_err() {
                return (engine, intake.sources);
            }
        }
        let Some((q, prompt)) = &want else { continue };
        let ended = intake.sources.all_done() && !shown_ended;
        if *prompt || ended || (news(q, &engine) && now >= last_view + pace) {
            let t0 = Instant::now();
            let mut v = View::compute(&engine, &intake.sources, q, eps.2, wall_ms());
            // nothing is left to catch up with once every source has ended
            v.catching_up = flood.backed_up() && !intake.sources.all_done();
            shown_ended = intake.sources.all_done();
            view_cost = t0.elapsed();
            last_view = Instant::now();
            answered = Some((engine.generation, q.clone()));
            want = None;
            if out.send(FromEngine::View(Box::new(v))).is_err() {
                return (engine, intake.sources);
            }
        }
    }
}

/// Catching up with a flood (a file piped in at full speed, a backlog after
/// a pause of the producer): keeping the window index costs more per event
/// than the occasional scan of a view does. So the engine starts without
/// it, builds it from its state after two seconds in which ingest took less
/// than a quarter of its time (a live feed: its first two seconds; a file:
/// once it has been read), and drops it when the feed stays backed up for
/// 200 ms. Measured as busy time, not as an empty channel: a flood whose
/// decoding is the slower half leaves the channel empty between batches.
#[derive(Default)]
struct Flood {
    backed_up_since: Option<Instant>,
    /// The current two-second period and the time spent ingesting in it.
    period: Option<Instant>,
    busy: Duration,
    /// The last full period was busy (or the feed is backed up now).
    loaded: bool,
    mode: IndexMode,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum IndexMode {
    #[default]
    Auto,
    Always,
    Never,
}

const FLOOD_AFTER: Duration = Duration::from_millis(200);
const PERIOD: Duration = Duration::from_secs(2);
const CALM_BUSY: f64 = 0.25;

impl Flood {
    /// Shown as "catching up": views come less often.
    fn backed_up(&self) -> bool {
        self.mode != IndexMode::Always && (self.backed_up_since.is_some() || self.loaded)
    }

    /// After an ingest pass of `spent`: were batches still waiting?
    fn pass(&mut self, engine: &mut Engine, backed_up: bool, spent: Duration, now: Instant) {
        if self.mode != IndexMode::Auto {
            return;
        }
        self.busy += spent;
        if backed_up {
            let since = *self.backed_up_since.get_or_insert(now);
            if engine.has_window_index() && now.duration_since(since) >= FLOOD_AFTER {
                engine.set_window_index(false);
            }
        } else {
            self.backed_up_since = None;
        }
    }

    /// On every turn of the loop, also when no batch comes.
    fn calm(&mut self, engine: &mut Engine, now: Instant) {
        if self.mode != IndexMode::Auto {
            return;
        }
        let start = *self.period.get_or_insert(now);
        let span = now.duration_since(start);
        if span < PERIOD {
            return;
        }
        self.loaded = self.busy.as_secs_f64() >= CALM_BUSY * span.as_secs_f64();
        self.busy = Duration::ZERO;
        self.period = Some(now);
        if !self.loaded && self.backed_up_since.is_none() && !engine.has_window_index() {
            engine.set_window_index(engine.cfg.window_index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Config;

    #[test]
    fn a_flood_drops_the_index_and_calm_brings_it_back() {
        let mut e = Engine::new(Config::default());
        let mut f = Flood::default();
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let d = Duration::from_millis;
        f.calm(&mut e, ms(0)); // the first period starts
        f.pass(&mut e, true, d(20), ms(0));
        f.pass(&mut e, true, d(20), ms(150));
        assert!(e.has_window_index(), "backed up for 150 ms only");
        f.pass(&mut e, false, d(20), ms(160)); // drained once: the clock restarts
        f.pass(&mut e, true, d(20), ms(170));
        f.pass(&mut e, true, d(20), ms(360));
        assert!(e.has_window_index());
        f.pass(&mut e, true, d(20), ms(380));
        assert!(!e.has_window_index(), "backed up for 210 ms");
        assert!(f.backed_up());
        // the decoder is now the slower half: the channel drains between
        // batches, but ingest still takes most of the engine's time
        for t in (400..2_000).step_by(25) {
            f.pass(&mut e, false, d(20), ms(t));
        }
        f.calm(&mut e, ms(2_000));
        assert!(!e.has_window_index(), "busy 80% of the period");
        assert!(f.backed_up(), "shown as catching up");
        // the feed ends: a quiet period brings the index back
        f.pass(&mut e, false, d(20), ms(2_100));
        f.calm(&mut e, ms(3_900));
        assert!(!e.has_window_index(), "the period is not over");
        f.calm(&mut e, ms(4_000));
        assert!(e.has_window_index(), "busy 1% of the period");
        assert!(!f.backed_up());
    }
}
