//! The live dashboard: the main loop over feed batches, keys, signals and
//! a tick, drawing at most `--fps` times a second and only on change.

pub mod app;
pub mod export;
pub mod keys;
pub mod local;
pub mod render;
pub mod terminal;
pub mod theme;
pub mod view;
pub mod worker;

use crate::cli::DashArgs;
use crate::cmd::{Exit, options};
use crate::engine::{Engine, Scope};
use crate::feed::{Intake, Sources};
use crate::model::TsMs;
use crate::source::{self, Input};
use app::App;
use crossbeam_channel::{Receiver, bounded, select, unbounded};
use ratatui::crossterm::event::{self, Event as TermEvent};
use std::io::Write;
use std::time::{Duration, Instant};

pub fn clock(app: &App, ts: TsMs) -> String {
    if app.utc {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ts)
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_else(|| "--:--:--".into())
    } else {
        crate::format::local_time(ts)
    }
}

enum UiEvent {
    Term(TermEvent),
    TermGone,
    Signal(i32),
}

pub fn run(args: DashArgs) -> Result<(), Exit> {
    let scope = Scope::parse(&args.window).map_err(Exit::usage)?;
    let cfg = options::engine_config(&args.feed)?;
    let inputs = options::inputs(&args.feed, Some(Input::Demo))?;
    if inputs.contains(&Input::Stdin) && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        // the keyboard would be both the feed and the keys
        return Err(Exit::usage(
            "stdin (-) is a terminal: pipe a feed into it, e.g. \
             `websocat ws://localhost:21213 | livetally -`",
        ));
    }
    let mut sopts = options::source_options(&args.feed, args.demo_rate)?;
    // the engine's worker thread decodes too when its reader is the slower
    sopts.share = Some(source::share::ShareRule::ADAPTIVE);
    // only the ticker's events show a nickname
    sopts.decode.map.nicknames = crate::decode::fields::Nicknames::Notable {
        big_gift: cfg.big_gift,
    };
    terminal::check_tty().map_err(Exit::usage)?;

    let mut app = App::new(scope, cfg.attribution_window_ms);
    app.demo = inputs.contains(&Input::Demo);
    app.mono = args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let sources = Sources::new(inputs.iter().map(|i| i.name()).collect());
    let fps = args.fps.clamp(1, 120);

    let ui_rx = spawn_ui_events()?;
    // ingested batches go back to the readers, which drop their events
    let (recycle_tx, recycle_rx) = bounded(source::CHANNEL_BATCHES);
    sopts.recycle = Some(recycle_rx);
    let feed_rx = source::spawn(&inputs, &sopts);
    let worker = worker::spawn(
        Engine::new(cfg),
        Intake::new(sources).recycling(recycle_tx),
        feed_rx,
        Duration::from_secs(1) / fps,
    )
    .map_err(|e| Exit::runtime(format!("cannot start the engine thread: {e}")))?;
    let mut term = terminal::enter(args.mouse).map_err(Exit::usage)?;
    let outcome = main_loop(&mut term, &mut app, &worker, ui_rx, fps);
    terminal::restore();
    // dropping the request channel stops the engine thread after its
    // current batch; it hands the engine back for the summary
    drop(worker.tx);
    let engine = worker.handle.join();
    let sink_failure = crate::cmd::options::finish_sinks(&sopts);
    if !args.quiet
        && let Ok((engine, _)) = &engine
    {
        // stdout may be a terminal that is gone: never panic on printing
        let _ = writeln!(std::io::stdout(), "{}", summary(engine));
    }
    match (outcome, sink_failure) {
        (Ok(Some(sig)), _) => std::process::exit(128 + sig),
        (Err(e), _) => Err(Exit::runtime(e)),
        (Ok(None), Some(e)) => Err(Exit::runtime(e)),
        (Ok(None), None) => Ok(()),
    }
}

/// Keys on their own thread (blocking reads of /dev/tty never miss a key the
/// way a zero-timeout poll does), signals on another, both into one channel.
fn spawn_ui_events() -> Result<Receiver<UiEvent>, Exit> {
    let (tx, rx) = unbounded();
    let keys_tx = tx.clone();
    let tty = std::fs::File::open("/dev/tty")
        .map_err(|e| Exit::usage(format!("cannot open the terminal (/dev/tty): {e}")))?;
    std::thread::Builder::new()
        .name("keys".into())
        .spawn(move || read_keys(&tty, &keys_tx))
        .map_err(|e| Exit::runtime(format!("cannot start the key reader: {e}")))?;
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])
        .map_err(|e| Exit::runtime(format!("cannot install signal handlers: {e}")))?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = tx.send(UiEvent::Signal(sig));
            }
        })
        .map_err(|e| Exit::runtime(format!("cannot start the signal thread: {e}")))?;
    Ok(rx)
}

/// Keys and resizes through crossterm, but waiting on our own poll of the
/// terminal: crossterm waits for POLLIN only, so a terminal that hangs up
/// (POLLHUP) would make it spin at full CPU instead of failing.
fn read_keys(tty: &std::fs::File, tx: &crossbeam_channel::Sender<UiEvent>) {
    use std::os::fd::AsRawFd;
    loop {
        let mut pfd = libc::pollfd {
            fd: tty.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let rc = unsafe { libc::poll(&mut pfd, 1, 200) };
        if rc < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            let _ = tx.send(UiEvent::TermGone);
            return;
        }
        if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            let _ = tx.send(UiEvent::TermGone);
            return;
        }
        // Whatever crossterm has (keys; resizes arrive within the 200 ms).
        loop {
            match event::poll(Duration::from_millis(1)) {
                Ok(true) => match event::read() {
                    Ok(ev) => {
                        if tx.send(UiEvent::Term(ev)).is_err() {
                            return;
                        }
                    }
                    Err(_) => {
                        let _ = tx.send(UiEvent::TermGone);
                        return;
                    }
                },
                Ok(false) => break,
                Err(_) => {
                    let _ = tx.send(UiEvent::TermGone);
                    return;
                }
            }
        }
    }
}

/// Returns the signal that ended it, if one did. The engine is on its own
/// thread (`worker`): this loop only answers keys and draws the latest view.
fn main_loop(
    term: &mut ratatui::DefaultTerminal,
    app: &mut App,
    worker: &worker::Worker,
    ui_rx: Receiver<UiEvent>,
    fps: u32,
) -> Result<Option<i32>, String> {
    let gone = || "the engine thread stopped".to_string();
    let frame = Duration::from_secs(1) / fps;
    // the first view usually comes within a few ms: wait that long before
    // drawing "waiting for the first events"
    let mut last_draw = Instant::now() - frame + Duration::from_millis(50);
    let mut dirty = true;
    let mut force = false;
    let mut asked = false;
    loop {
        // One request outstanding; the engine answers it when it has news.
        // A paused view needs none unless the user changed what it shows.
        if !asked && (!app.paused || app.awaiting) {
            let want = worker::ToEngine::Want {
                query: app.query(),
                prompt: app.awaiting,
            };
            worker.tx.send(want).map_err(|_| gone())?;
            asked = true;
        }
        let next = last_draw + frame;
        let timeout = if force {
            Duration::ZERO
        } else if dirty {
            next.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(1)
        };
        select! {
            recv(worker.rx) -> msg => match msg {
                Ok(worker::FromEngine::View(v)) => {
                    let first = app.view.is_none();
                    let was_ended = app.feed_ended();
                    app.accept(*v);
                    asked = false;
                    dirty = true;
                    // the first view, and the one saying the feed ended,
                    // are drawn at once rather than at the next frame slot
                    force |= (first && app.view.is_some()) || (!was_ended && app.feed_ended());
                }
                Ok(worker::FromEngine::Live { events_per_sec, accepted, lag_ms, catching_up }) => {
                    app.live(events_per_sec, accepted, lag_ms, catching_up);
                    dirty = true;
                }
                Err(_) => return Err(gone()),
            },
            recv(ui_rx) -> ev => match ev {
                Ok(UiEvent::Term(TermEvent::Key(k))) => {
                    if let Some(a) = keys::action_for(app, k) {
                        let before = app.query();
                        force |= app.act(a);
                        if app.query() != before {
                            asked = false;
                        }
                    }
                }
                Ok(UiEvent::Term(TermEvent::Resize(_, _))) => force = true,
                Ok(UiEvent::Term(_)) => {}
                Ok(UiEvent::TermGone) => return Ok(Some(signal_hook::consts::SIGHUP)),
                Ok(UiEvent::Signal(sig)) => {
                    // Ctrl-C arrives as a key in raw mode; a real SIGINT is
                    // someone else's kill, so it ends us like SIGTERM.
                    return Ok(Some(sig));
                }
                Err(_) => return Ok(None),
            },
            default(timeout) => {}
        }
        if app.quit {
            return Ok(None);
        }
        // A key draws at once; news from the engine at most `fps` a second.
        if !(force || (dirty && Instant::now() >= last_draw + frame)) {
            continue;
        }
        if term.draw(|f| render::render(f, app)).is_err() {
            // The terminal is gone (hung up, closed): nothing to draw on
            // and no one to read keys from. Ends like SIGHUP would.
            return Ok(Some(signal_hook::consts::SIGHUP));
        }
        last_draw = Instant::now();
        force = false;
        dirty = false;
    }
}

fn summary(engine: &Engine) -> String {
    use crate::format::*;
    let s = engine.snapshot(Scope::All, None);
    let c = &s.counters;
    format!(
        "livetally: {} events ({} rejected, {} duplicates, {} skipped) · gifts {} (◆{}) from {} gifters · paid orders {} · GMV {} · conversion {}/{} {}",
        thousands(c.accepted as i64),
        thousands(c.errors as i64),
        thousands(c.duplicates as i64),
        thousands(c.skipped as i64),
        thousands(s.gifts_sent),
        thousands(s.diamonds),
        thousands(s.gifters as i64),
        thousands(s.orders.paid as i64),
        money_map(&s.orders.gmv),
        s.conversion.x,
        s.conversion.n,
        pct(s.conversion.rate),
    )
}
