#!/usr/bin/env python3
"""Formats what scripts/bench measured: the results table on stdout and,
with --md, BENCHMARKS.md (table, targets met or not, checks, machine).

Input files (written by scripts/bench into its temporary directory):
  results.tsv  input_format events bytes tool run wall_s rss_kb note
  checks.txt   the PASS/FAIL lines of the equality checks
  frame.txt    the output lines of `cargo bench --bench frame`
  stages.txt   the output lines of `cargo bench --bench stages` (optional)
  dash.jsonl   one JSON line per dashboard run (scripts/bench_dashboard.py)
  meta.json    date, command, machine, versions
"""

import argparse
import json
import re
import statistics
import sys
from collections import OrderedDict

TOOLS = [
    "wc -l",
    "livetally report --json",
    "livetally report --json - (stdin)",
    "duckdb threads=1",
    "duckdb threads=2",
]


def human(n):
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div and n % (div // 10 if div > 1000 else 1) == 0:
            v = n / div
            return f"{v:g}{unit}"
    return str(n)


def load_results(path):
    """{(format, events): {"bytes": b, tool: {"wall": [...], "rss": [...], "note": [...]}}}"""
    data = OrderedDict()
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 8:
                continue
            fmt, events, size, tool, _run, wall, rss, note = parts[:8]
            key = (fmt, int(events))
            d = data.setdefault(key, {"bytes": int(size)})
            t = d.setdefault(tool, {"wall": [], "rss": [], "note": []})
            t["wall"].append(float(wall))
            t["rss"].append(int(rss))
            if note:
                t["note"].append(note)
    return data


def med(xs):
    return statistics.median(xs) if xs else None


def table_rows(data):
    rows = []
    for (fmt, events), d in data.items():
        base_fmt, _, ids = fmt.partition("-")
        label = f"{base_fmt.upper()} {human(events)}{', UUID ids' if ids == 'uuid' else ''} ({d['bytes'] / 1e6:,.0f} MB)"
        # UUID ids: against the same events' report with counter ids
        base = (data.get((base_fmt, events)) if ids == "uuid" else d).get("livetally report --json")
        base_wall = min(base["wall"]) if base else None
        for tool in TOOLS:
            if tool not in d:
                continue
            t = d[tool]
            wall, wmed, rss = min(t["wall"]), med(t["wall"]), med(t["rss"])
            eps = events / wall if wall else float("inf")
            mbs = d["bytes"] / 1e6 / wall if wall else float("inf")
            rel = f"{wall / base_wall:.2f}" if base_wall and tool != "wc -l" else ""
            rows.append([label, tool, f"{wall:.2f}", f"{wmed:.2f}", f"{eps:,.0f}", f"{mbs:,.0f}",
                         f"{rss / 1024:,.0f}", rel, ", ".join(t["note"][-1:])])
    return rows


HEAD = ["input", "tool", "wall s", "(median)", "events/s", "MB/s", "peak RSS MB", "wall / livetally",
        "note"]


def text_table(rows):
    w = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEAD)]
    out = ["  ".join(h.ljust(w[i]) for i, h in enumerate(HEAD)).rstrip()]
    out.append("  ".join("-" * x for x in w))
    for r in rows:
        out.append("  ".join(c.rjust(w[i]) if 2 <= i <= 7 else c.ljust(w[i])
                             for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def md_table(rows):
    out = ["| " + " | ".join(HEAD) + " |", "|" + "|".join(
        ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---"]) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


def frame_results(path):
    res = {}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return res, []
    for ln in lines:
        m = re.match(r"frame (\S+): median ([\d.]+) ms\s+p95 ([\d.]+) ms", ln)
        if m:
            res[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return res, [ln for ln in lines if ln.startswith("frame ")]


def dash_results(path):
    runs = []
    try:
        with open(path) as f:
            for ln in f:
                ln = ln.strip()
                if ln.startswith("{"):
                    runs.append(json.loads(ln))
    except OSError:
        pass
    return runs


def verdict(ok):
    return "**met**" if ok else "**not met**"


def targets(data, frame, dash, keys, meta):
    """[(target, measured, verdict)] against the issue's targets."""
    out = []

    def pick(fmt):
        keys = [k for k in data if k[0] == fmt]
        return max(keys, key=lambda k: k[1]) if keys else None

    for fmt in ("csv", "ndjson"):
        k = pick(fmt)
        if not k:
            continue
        d = data[k]
        lt = d.get("livetally report --json")
        dk2 = d.get("duckdb threads=2")
        dk1 = d.get("duckdb threads=1")
        at = f"{fmt.upper()} {human(k[1])}"
        if lt and dk2:
            r = min(dk2["wall"]) / min(lt["wall"])
            name = ("headless report ≥ 2x faster than DuckDB threads=2" if fmt == "csv"
                    else "headless report ≥ 2x faster than DuckDB read_json (threads=2)")
            # as a time to reach, not a factor: a 1.5% gap printed as "1.0x faster"
            gap = ("" if r >= 2 else f"; livetally would need ≤ {min(dk2['wall']) / 2:.2f} s, "
                   f"{100 * (1 - r / 2):.1f}% less time")
            # the runs take turns, so run i of each tool met the same machine
            paired = [d2 / l for d2, l in zip(dk2["wall"], lt["wall"])]
            runs = ", ".join(f"{p:.2f}x" for p in paired)
            out.append((f"{name} ({at})",
                        f"livetally {min(lt['wall']):.2f} s, DuckDB {min(dk2['wall']):.2f} s: "
                        f"{r:.2f}x{gap} (run by run: {runs}; median {med(paired):.2f}x)",
                        verdict(r >= 2)))
        if lt and fmt == "csv":
            eps = k[1] / min(lt["wall"])
            gap = "" if eps >= 5e6 else f"; {5e6 / eps:.1f}x short"
            out.append((f"headless report ≥ 5M events/s ({at})", f"{eps / 1e6:.2f}M events/s{gap}",
                        verdict(eps >= 5e6)))
        if lt and (dk2 or dk1):
            for name, dk in (("threads=2", dk2), ("threads=1", dk1)):
                if not dk:
                    continue
                r = med(dk["rss"]) / med(lt["rss"])
                gap = "" if r >= 5 else f"; livetally would need ≤ {med(dk['rss']) / 5 / 1024:,.0f} MB"
                out.append((f"peak RSS ≤ 1/5 of DuckDB {name} ({at}, 200k users)",
                            f"livetally {med(lt['rss']) / 1024:,.0f} MB, DuckDB "
                            f"{med(dk['rss']) / 1024:,.0f} MB: 1/{r:.2f}{gap}", verdict(r >= 5)))
    for key, limit, label in (("200_creators", 2.0, "200 creators"),
                              ("100k_creators", 10.0, "100k creators"),
                              ("100k_creators_filtered", 10.0, "100k creators, filtered by `/a`")):
        if key in frame:
            m, p95 = frame[key]
            gap = "" if m < limit else f"; {m / limit:.1f}x over"
            out.append((f"frame (snapshot + render) < {limit:g} ms at {label}, 1M events",
                        f"median {m:.2f} ms, p95 {p95:.2f} ms{gap}", verdict(m < limit)))
    ended = [r["feed_ended_s"] for r in dash if r.get("feed_ended_s") is not None]
    stdin_runs = [d.get("livetally report --json - (stdin)") for d in data.values()]
    stdin_runs = [r for r in stdin_runs if r]
    if ended and stdin_runs:
        rep = min(stdin_runs[0]["wall"])
        r = rep / min(ended)
        # run i of the report from stdin and of the dashboard took turns
        paired = [s / d["feed_ended_s"] for s, d in zip(stdin_runs[0]["wall"], dash)
                  if d.get("feed_ended_s")]
        # decimals: rounded to whole percents 89.8% showed as a "90%" that was not met, and
        # to one decimal 89.99% as "90.0%"
        runs = ", ".join(f"{p * 100:.1f}%" for p in paired)
        by_run = f" (run by run: {runs}; median {med(paired) * 100:.1f}%)" if paired else ""
        out.append(("dashboard ingests ≥ 90% as fast as the headless report",
                    f"{meta.get('dash_input', '')}: \"feed ended\" after {min(ended):.2f} s (best), "
                    f"report from stdin {rep:.2f} s (best): {r * 100:.2f}%{by_run}",
                    verdict(r >= 0.9)))
    lat = [x for r in keys for x in r.get("key_ms", [])]
    if lat:
        lat.sort()
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        out.append(("key-to-screen latency < 100 ms under a flood",
                    f"{meta.get('keys_input', '')} at full speed, `?` opened and closed the help "
                    f"{len(lat) // 2} times: median {med(lat):.0f} ms, p95 {p95:.0f} ms, "
                    f"max {lat[-1]:.0f} ms", verdict(lat[-1] < 100)))
    firsts = [r["first_frame_s"] for r in dash if r.get("first_frame_s") is not None]
    if firsts:
        m = med(firsts) * 1000
        out.append(("startup to first frame < 100 ms",
                    f"median {m:.0f} ms of {len(firsts)} runs (spawn to the header on a 120x40 pty, "
                    "1M-event CSV on stdin)", verdict(m < 100)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="scripts/bench's temporary directory")
    ap.add_argument("--md", help="write BENCHMARKS.md here")
    a = ap.parse_args()
    data = load_results(f"{a.dir}/results.tsv")
    rows = table_rows(data)
    print(text_table(rows))
    if not a.md:
        return
    meta = json.load(open(f"{a.dir}/meta.json"))
    frame, frame_lines = frame_results(f"{a.dir}/frame.txt")
    dash = dash_results(f"{a.dir}/dash.jsonl")
    keys = dash_results(f"{a.dir}/keys.jsonl")
    try:
        checks = open(f"{a.dir}/checks.txt").read().rstrip()
    except OSError:
        checks = "(no checks ran)"
    tg = targets(data, frame, dash, keys, meta)
    L = []
    L.append("# Benchmarks\n")
    L.append("Written by `scripts/bench` (do not edit by hand; rerun it). "
             "Feeds are generated by `livetally simulate --profile bench` "
             "(200 creators, 200k users; 70% gift rows, 10% order rows, 20% joins; "
             "unique event ids) into a temporary directory and deleted afterwards.\n")
    L.append(f"- **Date**: {meta['date']}")
    L.append(f"- **Command**: `{meta['command']}`")
    L.append(f"- **Machine**: {meta['nproc']} cores (`nproc`), {meta['cpu']}, {meta['ram']} RAM; {meta['os']}")
    L.append(f"- **Versions**: {meta['rustc']}; livetally {meta['livetally']}; {meta['duckdb']}; {meta['python']}")
    L.append(f"- **Result of the equality checks**: {meta['checks_summary']}\n")
    L.append("## Headless report vs DuckDB\n")
    L.append(f"**wall s is the best of {meta['runs']} runs** (the least disturbed by other "
             "work on the machine; events/s, MB/s, the ratio and the targets use it), "
             "`(median)` the median wall of the same runs, peak RSS the median. The tools take turns on each "
             "input (run 1 of `wc -l`, livetally, DuckDB threads=1, threads=2, then run 2 of each...), so a "
             "drift of the machine's speed falls on every tool's run alike. Every run is `/usr/bin/time -f '%e %M' CMD`: peak RSS is its `%M`; "
             "the wall time is read from the shell's nanosecond clock around it, since `%e` has "
             "0.01 s steps (it includes ~1 ms of process start). "
             "Files are read from the page cache (each is generated just before its runs). "
             "MB = 10^6 bytes of input. `wall / livetally` > 1 means slower than livetally.\n")
    L.append("- `wc -l FILE`: the floor, reading the bytes and counting lines.")
    L.append("- `livetally report --json FILE`: the whole headless report (every figure, not only the checked ones), "
             "with event-id de-duplication; `- (stdin)` is the same reading stdin, with the file redirected to it (`< FILE`, as the dashboard is fed). `UUID ids`: the "
             "largest CSV's events again with UUID-shaped event ids in no order (`simulate --uuid-ids`), which "
             "de-duplication looks up in its tables, where it keeps the bench feed's counter ids (`e1`, `e2`, ...) "
             "as runs of numbers; livetally only (DuckDB does not read event ids), and its report must equal the "
             "counter feed's (checked); its `wall / livetally` is against the counter feed's report.")
    L.append("- `duckdb threads=N`: `scripts/bench_duckdb.py run` in its own Python process (its time and RSS include "
             f"Python and the DuckDB library: {meta.get('duck_baseline', '?')} with no data): `read_csv`/`read_json` with explicit column types into an in-memory "
             "table (the 11 columns the aggregates use; nickname and event_id are parsed past), then the "
             "checked aggregates: per-creator gifts, order lifecycle (arg_max by (ts, row)), ASOF JOIN "
             "attribution, totals, top gifts. The note gives DuckDB's own load / aggregate split (last run). "
             "DuckDB does not de-duplicate event ids (the bench feed has none, checked).\n")
    L.append(md_table(rows) + "\n")
    L.append("## Targets\n")
    L.append("| target | measured | |\n|---|---|---|")
    for t, m, v in tg:
        L.append(f"| {t} | {m} | {v} |")
    L.append("")
    L.append("## Equality checks (livetally JSON vs DuckDB)\n")
    L.append("Per creator: gifts_sent, diamonds, gifters, paid orders and GMV attributed; totals: "
             "funnel.gifters, funnel.buyers, funnel.gifting_buyers, orders.paid, orders.gmv, gifts.sent, "
             "gifts.diamonds; top 10 gifts. DuckDB's SQL is first checked against the hand-worked "
             "numbers of `tests/fixtures/rules.csv` (`tests/engine_rules.rs`). Attribution of an order "
             "naming no creator uses the user's latest gift in [paid − 30m, paid]; gifts in the same "
             "millisecond are ordered by input row (the later row is the latest), like the order "
             "rule \"ties: the later row in the input wins\".\n")
    L.append("```\n" + checks + "\n```\n")
    if "diagnosis:" in checks and "every check passes" in checks:
        L.append("### The disagreement: same-millisecond gifts in attribution\n")
        L.append("livetally infers the creator of an order that names none from the buyer's "
                 "latest gift in [paid − 30m, paid]. When the buyer sent two gifts to different "
                 "creators in the same millisecond, the engine keeps the user's gifts sorted by "
                 "`GiftMark { ts, creator }` (src/engine/mod.rs), so the \"latest\" is the one whose "
                 "creator has the larger intern id, i.e. whose creator was first mentioned later "
                 "in the feed (by a row of any kind), not the later gift row. The answer "
                 "for an order thus depends on unrelated rows: in the 4-row feed below, the order "
                 "goes to bob, and deleting the `join` row (which only mentions alice) moves it "
                 "to alice. DuckDB's SQL orders such gifts by input row (alice here), like "
                 "README's rule for an order's rows (\"ties: the later row in the input wins\"). With `--gift-tie creator-id` "
                 "(the engine's order) the SQL agrees with livetally on every figure, so this "
                 "tie-break is the only difference found. Totals are unaffected (orders are never "
                 "counted twice), only the split between creators moves.\n")
        L.append("```csv\nts,kind,creator,user,item,qty,diamonds,amount,currency,order_id,status\n"
                 "2026-11-23T20:00:00.000Z,join,alice,u2,,,,,,,\n"
                 "2026-11-23T20:00:10.000Z,gift,bob,u1,Rose,1,1,,,,\n"
                 "2026-11-23T20:00:10.000Z,gift,alice,u1,Rose,1,1,,,,\n"
                 "2026-11-23T20:05:00.000Z,order,,u1,Lip Tint,1,,9.99,USD,o1,paid\n```\n")
    try:
        stages = open(f"{a.dir}/stages.txt").read().rstrip()
    except OSError:
        stages = ""
    if stages:
        L.append("## Where the report's time goes\n")
        L.append("`cargo bench --bench stages -- FILE RUNS` (benches/stages.rs) on the smallest feeds: "
                 "each stage of the report alone, with its input already in memory, best of the runs. "
                 "`livetally report` runs lines + decode on one thread and ingest on another, so on 2 "
                 "cores its wall time is about the slower of the two plus the hand-over; the snapshot "
                 "at the end is the last line. The second ingest line is the same ingest configured as "
                 "the dashboard's engine thread is while it catches up with a flood (per-second rings "
                 "of every creator and gift, the ticker; no window index).\n")
        L.append("```\n" + stages + "\n```\n")
    L.append("## Dashboard\n")
    if frame_lines:
        L.append("`cargo bench --bench frame` (benches/frame.rs: `Local::refresh` = `View::compute`, the "
                 "engine snapshot read from the window index + series + ticker, then a full render to a "
                 "120x40 `TestBackend`; window 15m; median and p95 over ≥ 30 iterations after 5 warmup "
                 "frames; the first line of each case also gives the time to rebuild the window index "
                 "from the engine's state, what the dashboard pays once a flood is over):\n")
        L.append("```\n" + "\n".join(frame_lines) + "\n```\n")
    if dash:
        f = [r["feed_ended_s"] for r in dash if r.get("feed_ended_s") is not None]
        ff = [r["first_frame_s"] for r in dash if r.get("first_frame_s") is not None]
        rss = [r["rss_kb"] for r in dash if r.get("rss_kb")]
        L.append(f"Dashboard ingest ({meta.get('dash_input', '')}, `livetally --quiet - < FILE` in a "
                 "120x40 pseudo-terminal, `scripts/bench_dashboard.py`): time from spawn until the header "
                 "shows \"feed ended\" (the view saying so is drawn as soon as it arrives), "
                 f"best of {len(dash)} runs: **{min(f):.2f} s**, median {med(f):.2f} s "
                 f"(runs: {', '.join(f'{x:.2f}' for x in f)}); first frame after "
                 f"{med(ff) * 1000:.0f} ms; peak RSS {med(rss) / 1024:,.0f} MB. Compare with "
                 "`livetally report --json - (stdin)` on the same input in the table above (run i of "
                 "the two took turns).\n")
    else:
        L.append("Dashboard ingest: not measured in this run.\n")
    if meta.get("notes"):
        L.append("## Notes\n")
        for n in meta["notes"]:
            L.append(f"- {n}")
        L.append("")
    with open(a.md, "w") as fh:
        fh.write("\n".join(L))
    print(f"wrote {a.md}", file=sys.stderr)


if __name__ == "__main__":
    main()
