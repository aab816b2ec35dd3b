//! Frame cost benchmark: one dashboard frame is a view (`Local::refresh`:
//! `View::compute`, the engine snapshot read from the window index plus the
//! series and ticker) and a full render into a 120x40 `TestBackend`. Also
//! timed once per case: rebuilding the window index from the engine's state
//! (what the dashboard pays when a flood is over). Run with
//! `cargo bench --bench frame`.
//!
//! Cases: the bench feed (200k users) with 200 creators and with 100k
//! creators, and 100k creators filtered by `/a`, 1M simulated events each,
//! window 15m (the whole feed: 1M events at 2,000/s of event time span ~8
//! minutes). Reported: median and
//! p95 of the frame time, and the medians of its two parts, over many
//! iterations after a warmup.

use livetally::engine::{Config, Engine, Scope};
use livetally::feed::Sources;
use livetally::sim::{SimConfig, Simulator};
use livetally::ui::local::Local;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

const EVENTS: usize = 1_000_000;
const WARMUP: usize = 5;
const MIN_ITERS: usize = 30;
const MAX_ITERS: usize = 1_000;
const BUDGET: Duration = Duration::from_secs(3);

struct Stats {
    median: f64,
    p95: f64,
}

fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    Stats {
        median: at(0.5),
        p95: at(0.95),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `filter`: the creators filter typed with `/` (every row then passes a
/// name test, several times a frame).
fn case(label: &str, creators: usize, filter: &str, target_ms: f64) {
    let mut cfg = SimConfig::bench(1);
    cfg.creators = creators;
    let sim = Simulator::new(cfg);
    let used = sim.config().creators;
    let t = Instant::now();
    let mut engine = Engine::new(Config::default());
    for ev in sim.take(EVENTS) {
        engine.ingest(ev);
    }
    let build = t.elapsed();
    // what the dashboard pays once a flood is over: the index from the state
    engine.set_window_index(false);
    let t = Instant::now();
    engine.set_window_index(true);
    let rebuild = t.elapsed();
    let now_ms = engine.now.unwrap_or(0);
    let seen = engine.creators.len();
    let users = engine.users.len();
    let mut app = Local::new(
        engine,
        Sources::new(vec!["bench".into()]),
        Scope::Window(900),
    );
    app.app.filter = filter.into();
    let mut term = match Terminal::new(TestBackend::new(120, 40)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    let mut frame = || -> (Duration, Duration) {
        let t0 = Instant::now();
        app.refresh(0.0, now_ms);
        let t1 = Instant::now();
        if let Err(e) = term.draw(|f| livetally::ui::render::render(f, &app)) {
            panic!("draw: {e}");
        }
        (t1 - t0, t1.elapsed())
    };
    for _ in 0..WARMUP {
        frame();
    }
    let (mut total, mut snap, mut draw) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    while total.len() < MAX_ITERS && (total.len() < MIN_ITERS || start.elapsed() < BUDGET) {
        let (s, d) = frame();
        snap.push(ms(s));
        draw.push(ms(d));
        total.push(ms(s + d));
    }
    let n = total.len();
    let (f, s, d) = (stats(total), stats(snap), stats(draw));
    let verdict = if f.median < target_ms {
        "met"
    } else {
        "NOT met"
    };
    println!(
        "frame {label}: creators configured {creators}, used by the simulator {used}, \
         seen by the engine {seen}; users {users}; {EVENTS} events ingested in {:.2} s; \
         window index rebuilt from the state in {:.1} ms",
        build.as_secs_f64(),
        ms(rebuild)
    );
    println!(
        "frame {label}: median {:.3} ms  p95 {:.3} ms  (snapshot median {:.3} ms, \
         render median {:.3} ms; {n} iterations)  target < {target_ms} ms: {verdict}",
        f.median, f.p95, s.median, d.median
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter selects cases.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f));
    if wanted("200_creators") {
        case("200_creators", 200, "", 2.0);
    }
    if wanted("100k_creators") {
        case("100k_creators", 100_000, "", 10.0);
    }
    // "a": most names match, so the table stays full
    if wanted("100k_creators_filtered") {
        case("100k_creators_filtered", 100_000, "a", 10.0);
    }
}
