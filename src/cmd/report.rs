//! `livetally report`: read everything, print one snapshot.

use super::Exit;
use super::options;
use crate::cli::ReportArgs;
use crate::engine::{Engine, Scope};
use crate::feed::{Intake, Sources};
use crate::source;
use std::io::Write;

/// Rejected lines named on stderr after a report (the engine keeps the
/// last 200; `--rejects FILE` writes every one).
const REJECTS_SHOWN: usize = 10;

pub fn run(args: ReportArgs) -> Result<(), Exit> {
    let scope = Scope::parse(&args.window).map_err(Exit::usage)?;
    if args.feed.follow {
        return Err(Exit::usage(
            "report reads to the end; --follow is for the dashboard",
        ));
    }
    let mut cfg = options::engine_config(&args.feed)?;
    cfg.index_recent_orders = scope != Scope::All;
    cfg.keyed_rings = scope != Scope::All;
    cfg.ticker = false;
    // one snapshot at the end: a scan costs less than keeping the index
    cfg.window_index = false;
    let inputs = options::inputs(&args.feed, None)?;
    let mut sopts = options::source_options(&args.feed, 0.0)?;
    // the report's loop does nothing but ingest: it can decode too
    sopts.share = Some(source::share::ShareRule::ADAPTIVE);
    // nicknames only reach the dashboard's ticker, which a report lacks
    sopts.decode.map.nicknames = crate::decode::fields::Nicknames::None;
    let mut engine = Engine::new(cfg);
    let mut intake = Intake::new(Sources::new(inputs.iter().map(|i| i.name()).collect()));
    let rx = source::spawn(&inputs, &sopts);
    while !intake.sources.all_done() {
        match rx.recv() {
            Ok(msg) => {
                intake.apply(&mut engine, msg);
            }
            Err(_) => break,
        }
    }
    let sources = intake.sources;
    let sink_failure = options::finish_sinks(&sopts);
    let snap = engine.snapshot(scope, args.only.as_deref());
    let text = if args.json {
        let mut v = crate::report::json::to_json(&snap);
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "sources".into(),
                serde_json::json!(
                    sources
                        .list
                        .iter()
                        .map(|s| serde_json::json!({
                            "name": s.name,
                            "lines": s.lines,
                            "invalid_utf8": s.invalid_utf8,
                            "failed": match &s.state {
                                source::SourceState::Failed(why) => Some(why.clone()),
                                _ => None,
                            },
                        }))
                        .collect::<Vec<_>>()
                ),
            );
        }
        let mut s = crate::report::json::to_safe_string(&v)
            .map_err(|e| Exit::runtime(format!("cannot encode JSON: {e}")))?;
        s.push('\n');
        s
    } else {
        crate::report::table::to_table(&snap)
    };
    for why in sources.notices.iter() {
        let _ = writeln!(std::io::stderr(), "livetally: {why}");
    }
    // bad lines are counted in the report; which ones, and why, is said here
    let rejected =
        crate::report::rejected_lines(engine.rejects.iter(), engine.counters.errors, REJECTS_SHOWN);
    for line in rejected {
        let _ = writeln!(std::io::stderr(), "livetally: rejected {line}");
    }
    // The process ends right after the report: freeing the engine's
    // per-user lists one by one (145 ms of a 5.4 s run on the 10M-event
    // benchmark CSV, 200k users) would only delay the exit.
    std::mem::forget(engine);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => {}
        // `livetally report | head` closing the pipe is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(Exit::runtime(format!("cannot write the report: {e}"))),
    }
    let failed: Vec<_> = sources
        .list
        .iter()
        .filter_map(|s| match &s.state {
            source::SourceState::Failed(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        return Err(Exit::runtime(failed.join("; ")));
    }
    match sink_failure {
        Some(e) => Err(Exit::runtime(e)),
        None => Ok(()),
    }
}
