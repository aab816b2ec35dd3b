//! The live dashboard: the main loop over feed batches, keys, signals and
//! a tick, drawing at most `--fps` times a second and only on change.

pub mod app;
pub mod export;
pub mod keys;
pub mod render;
pub mod terminal;
pub mod theme;

use crate::cli::DashArgs;
use crate::cmd::{Exit, options};
use crate::engine::{Engine, Scope};
use crate::feed::Sources;
use crate::model::TsMs;
use crate::source::{self, Input};
use app::App;
use crossbeam_channel::{Receiver, never, select, unbounded};
use ratatui::crossterm::event::{self, Event as TermEvent};
use std::io::Write;
use std::time::{Duration, Instant};

/// How long one pass may spend ingesting before it lets keys and drawing in.
const INGEST_BUDGET: Duration = Duration::from_millis(20);

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
    let sopts = options::source_options(&args.feed, args.demo_rate)?;
    terminal::check_tty().map_err(Exit::usage)?;

    let demo = inputs.contains(&Input::Demo);
    let mut app = App::new(
        Engine::new(cfg),
        Sources::new(inputs.iter().map(|i| i.name()).collect()),
        scope,
    );
    app.demo = demo;
    app.mono = args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());

    let ui_rx = spawn_ui_events()?;
    let feed_rx = source::spawn(&inputs, &sopts);
    let mut term = terminal::enter(args.mouse).map_err(Exit::usage)?;
    let outcome = main_loop(&mut term, &mut app, feed_rx, ui_rx, args.fps.clamp(1, 120));
    terminal::restore();
    let sink_failure = crate::cmd::options::finish_sinks(&sopts);
    if !args.quiet {
        // stdout may be a terminal that is gone: never panic on printing
        let _ = writeln!(std::io::stdout(), "{}", summary(&app));
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

/// Returns the signal that ended it, if one did.
fn main_loop(
    term: &mut ratatui::DefaultTerminal,
    app: &mut App,
    mut feed_rx: Receiver<source::Feed>,
    ui_rx: Receiver<UiEvent>,
    fps: u32,
) -> Result<Option<i32>, String> {
    let frame = Duration::from_secs(1) / fps;
    let mut last_draw = Instant::now() - Duration::from_secs(10);
    let mut last_refresh = Instant::now() - Duration::from_secs(10);
    let mut refresh_cost = Duration::ZERO;
    let mut seen_generation = u64::MAX;
    let mut eps = (Instant::now(), app.engine.counters.accepted, 0.0_f64);
    let mut force = true;
    loop {
        let changed = app.engine.generation != seen_generation;
        let next = if changed {
            last_draw + frame
        } else {
            last_draw + Duration::from_secs(1)
        };
        let timeout = next.saturating_duration_since(Instant::now());
        select! {
            recv(feed_rx) -> msg => match msg {
                Ok(m) => {
                    let started = Instant::now();
                    let mut n = app.sources.apply(&mut app.engine, m);
                    while started.elapsed() < INGEST_BUDGET {
                        match feed_rx.try_recv() {
                            Ok(m) => n += app.sources.apply(&mut app.engine, m),
                            Err(_) => break,
                        }
                    }
                    if app.paused {
                        app.since_pause += n;
                    }
                }
                Err(_) => feed_rx = never(),
            },
            recv(ui_rx) -> ev => match ev {
                Ok(UiEvent::Term(TermEvent::Key(k))) => {
                    if let Some(a) = keys::action_for(app, k) {
                        force |= app.act(a);
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
        let now = Instant::now();
        if now.duration_since(eps.0) >= Duration::from_secs(1) {
            let dt = now.duration_since(eps.0).as_secs_f64();
            let acc = app.engine.counters.accepted;
            eps = (now, acc, (acc - eps.1) as f64 / dt);
        }
        let due = now >= next;
        if !(force || due) {
            continue;
        }
        // A snapshot walks every user and order: on huge feeds keep it to
        // about 5% of this thread's time instead of recomputing every frame.
        let changed = app.engine.generation != seen_generation;
        let refresh_due = now.duration_since(last_refresh) >= (refresh_cost * 20).max(frame);
        // A key only needs a redraw: actions that change what is computed
        // (window, detail) refresh the view themselves. Windows end at the
        // newest event, so with no new events nothing needs recomputing:
        // an idle dashboard only updates its clock figures.
        let wall_ms = chrono::Utc::now().timestamp_millis();
        if (changed && refresh_due) || app.view.is_none() {
            let t0 = Instant::now();
            seen_generation = app.engine.generation;
            app.refresh(eps.2, wall_ms);
            refresh_cost = t0.elapsed();
            last_refresh = Instant::now();
        } else {
            app.touch(eps.2, wall_ms);
        }
        if term.draw(|f| render::render(f, app)).is_err() {
            // The terminal is gone (hung up, closed): nothing to draw on
            // and no one to read keys from. Ends like SIGHUP would.
            return Ok(Some(signal_hook::consts::SIGHUP));
        }
        last_draw = Instant::now();
        force = false;
    }
}

fn summary(app: &App) -> String {
    use crate::format::*;
    let s = app.engine.snapshot(Scope::All, None);
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
