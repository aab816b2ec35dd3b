//! Turning flags into engine, decoder and source options, checking inputs
//! before anything starts so a missing file is named at once.

use super::Exit;
use crate::cli::FeedArgs;
use crate::decode::DecodeOptions;
use crate::decode::fields::FieldMap;
use crate::engine::Config;
use crate::source::record::Sink;
use crate::source::{Input, SourceOptions};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;

pub fn engine_config(a: &FeedArgs) -> Result<Config, Exit> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !ok(a.usd_per_coin) || !ok(a.creator_usd_per_coin) {
        return Err(Exit::usage("money rates must be non-negative numbers"));
    }
    Ok(Config {
        attribution_window_ms: a.attribution_window.as_millis().min(i64::MAX as u128) as i64,
        big_gift: a.big_gift,
        usd_per_coin: a.usd_per_coin,
        creator_usd_per_coin: a.creator_usd_per_coin,
        index_recent_orders: true,
        keyed_rings: true,
        ticker: true,
        window_index: true,
    })
}

pub fn decode_options(a: &FeedArgs) -> Result<DecodeOptions, Exit> {
    let mut map = match &a.map {
        Some(spec) => FieldMap::parse(spec).map_err(Exit::usage)?,
        None => FieldMap::default(),
    };
    map.constant_kind = a.kind.clone();
    let user_map = match &a.user_map {
        Some(p) => read_user_map(p)?,
        None => HashMap::new(),
    };
    Ok(DecodeOptions {
        format: a.input_format,
        map,
        default_creator: a.creator.clone(),
        streak_timeout_ms: a.streak_timeout.as_millis().min(i64::MAX as u128) as i64,
        user_map,
    })
}

fn read_user_map(path: &Path) -> Result<HashMap<String, String>, Exit> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| Exit::usage(format!("--user-map {}: {e}", path.display())))?;
    let mut map = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Exit::usage(format!("--user-map {}: {e}", path.display())))?;
        let (Some(shop), Some(live)) = (rec.get(0), rec.get(1)) else {
            return Err(Exit::usage(format!(
                "--user-map {}:{}: expected shop_user,live_user",
                path.display(),
                i + 1
            )));
        };
        let (shop, live) = (shop.trim(), live.trim());
        if i == 0 && shop.eq_ignore_ascii_case("shop_user") {
            continue;
        }
        if !shop.is_empty() && !live.is_empty() {
            map.insert(shop.to_string(), live.to_string());
        }
    }
    Ok(map)
}

/// Inputs as given; none means stdin when it is a pipe (or `fallback`).
pub fn inputs(a: &FeedArgs, fallback: Option<Input>) -> Result<Vec<Input>, Exit> {
    let mut inputs: Vec<Input> = a.inputs.iter().map(|s| Input::parse(s)).collect();
    if inputs.is_empty() {
        if !std::io::stdin().is_terminal() {
            inputs.push(Input::Stdin);
        } else if let Some(f) = fallback {
            inputs.push(f);
        } else {
            return Err(Exit::usage(
                "no input: give a file, or - and pipe a feed into stdin",
            ));
        }
    }
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        return Err(Exit::usage("stdin (-) can be given only once"));
    }

    for i in &inputs {
        if let Input::File(p) = i {
            match std::fs::File::open(p) {
                Ok(_) => {}
                // a followed file may appear later
                Err(e) if a.follow && e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Exit::usage(format!("{}: {e}", p.display()))),
            }
            if p.is_dir() {
                return Err(Exit::usage(format!("{}: is a directory", p.display())));
            }
        }
    }
    if let Some(r) = a.replay
        && !(r.is_finite() && r > 0.0)
    {
        return Err(Exit::usage("--replay SPEED must be a positive number"));
    }
    Ok(inputs)
}

pub fn source_options(a: &FeedArgs, demo_rate: f64) -> Result<SourceOptions, Exit> {
    let open = |p: &Path, flag: &str| {
        Sink::open(p).map_err(|e| Exit::usage(format!("{flag} {}: {e}", p.display())))
    };
    Ok(SourceOptions {
        decode: decode_options(a)?,
        follow: a.follow,
        replay: a.replay,
        max_line: a.max_line.max(1),
        record: a
            .record
            .as_deref()
            .map(|p| open(p, "--record"))
            .transpose()?,
        rejects: a
            .rejects
            .as_deref()
            .map(|p| open(p, "--rejects"))
            .transpose()?,
        demo_rate,
        // the demo's seed, and what the commands set (dedupe, share, recycle)
        ..SourceOptions::default()
    })
}

/// Flush `--record`/`--rejects` at exit; a write that failed on the way (a
/// full disk) makes the run a runtime failure, named here.
pub fn finish_sinks(opts: &SourceOptions) -> Option<String> {
    let mut failures = Vec::new();
    for (flag, sink) in [("--record", &opts.record), ("--rejects", &opts.rejects)] {
        if let Some(s) = sink {
            s.flush();
            if let Some(e) = s.failure() {
                failures.push(format!(
                    "{flag}: {e}; lines after the failure were not written"
                ));
            }
        }
    }
    (!failures.is_empty()).then(|| failures.join("; "))
}
