//! `livetally simulate`: the synthetic feed on stdout.

use super::Exit;
use crate::cli::SimulateArgs;
use crate::sim::{SimConfig, run};

pub fn run_cmd(args: SimulateArgs) -> Result<(), Exit> {
    let mut cfg = match args.profile.as_str() {
        "demo" => SimConfig::demo(args.seed),
        "bench" => SimConfig::bench(args.seed),
        "sample" => SimConfig::sample(args.seed),
        other => {
            return Err(Exit::usage(format!(
                "unknown --profile {other:?}: use demo, bench or sample"
            )));
        }
    };
    cfg.uuid_ids = args.uuid_ids;
    if let Some(start) = &args.start {
        cfg.start_ms = crate::decode::values::parse_ts(start)
            .map_err(|e| Exit::usage(format!("--start: {e}")))?;
    }
    if let Some(r) = args.event_rate {
        if !(r.is_finite() && r > 0.0) {
            return Err(Exit::usage(
                "--event-rate must be a positive number of events a second",
            ));
        }
        cfg.events_per_sec = r;
    }
    let bounded = args.count.is_some() || args.duration.is_some() || cfg.duration_ms.is_some();
    let realtime = if bounded { None } else { Some(args.rate) };
    if !(bounded || (args.rate.is_finite() && args.rate > 0.0)) {
        return Err(Exit::usage(
            "--rate must be a positive number of events a second",
        ));
    }
    let duration_ms = args
        .duration
        .map(|d| d.as_millis().min(i64::MAX as u128) as i64);
    let out = std::io::stdout().lock();
    run(cfg, args.count, duration_ms, realtime, args.csv, out)
        .map_err(|e| Exit::runtime(format!("simulate: {e}")))
}
