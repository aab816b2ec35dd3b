#!/usr/bin/env python3
"""DuckDB side of scripts/bench: the reference implementation of the
aggregates that `livetally report --json` prints, and the equality checks.

Subcommands
  run FILE --format csv|ndjson --threads N [--out JSON]
      Load FILE into an in-memory DuckDB table (explicit column types) and
      compute the aggregates with livetally's semantics. This is what
      scripts/bench times, one process per measurement.
  feedcheck FILE --format csv|ndjson
      Untimed checks of a generated feed: row count, duplicate event ids,
      and that DuckDB's row numbers follow the file order.
  compare REPORT_JSON DUCK_JSON [--label L]
      PASS/FAIL per aggregate; exit status 1 on any FAIL.
  selftest [--fixture tests/fixtures/rules.csv] [--livetally BIN]
      Runs the SQL on the hand-checked fixture and compares it with the
      numbers pinned in tests/engine_rules.rs (and with livetally's report).

Semantics reproduced (README "What the numbers mean", src/engine):
  * gifts: kind 'gift'; qty empty = 1; creator empty = 'unknown';
    gift name empty = '(unnamed gift)'; gifters = distinct non-empty users.
  * orders: rows with one order_id are one order; current status = status
    of the latest row by (ts, file order); amount, currency, user and
    creator = latest row (same order) that has them; paid time = min ts of
    the rows with a paid status; empty status = paid; currency default USD.
  * per-creator attribution of currently-paid orders: the creator the order
    names, else the creator of the user's latest gift with
    paid_time - W <= gift.ts <= paid_time (ASOF JOIN), else none.
    Same-millisecond gifts: `--gift-tie input` (default) takes the later
    row in the input; `--gift-tie creator-id` reproduces the engine's
    (ts, creator intern id) order, for diagnosing a difference.
"""

import argparse
import json
import os
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

try:
    import duckdb
except ImportError:  # scripts/bench checks this before calling us
    duckdb = None

W_MS = 30 * 60 * 1000
COLUMNS = {
    "ts": "TIMESTAMPTZ",
    "kind": "VARCHAR",
    "creator": "VARCHAR",
    "user": "VARCHAR",
    "nickname": "VARCHAR",
    "item": "VARCHAR",
    "qty": "BIGINT",
    "diamonds": "BIGINT",
    "amount": "DECIMAL(18,4)",
    "currency": "VARCHAR",
    "order_id": "VARCHAR",
    "status": "VARCHAR",
    "event_id": "VARCHAR",
}
STATUS_SQL = """CASE
  WHEN status IS NULL THEN 'paid'
  WHEN upper(status) IN ('PENDING','UNPAID','ON_HOLD') THEN 'pending'
  WHEN upper(status) IN ('PAID','AWAITING_SHIPMENT','AWAITING_COLLECTION',
       'PARTIALLY_SHIPPING','IN_TRANSIT','DELIVERED','COMPLETED') THEN 'paid'
  WHEN upper(status) IN ('CANCELLED','CANCELED','CANCEL') THEN 'cancelled'
  WHEN upper(status) = 'REFUNDED' THEN 'refunded'
END"""
KINDS = "('gift','order','join','like','follow','share','viewers')"
# (ts, row) packed into one ordered key: ts ms * 2^32 + row number.
KEY = "(t::HUGEINT * 4294967296 + {rn})"


def sql_lit(s):
    return "'" + s.replace("'", "''") + "'"


def columns_sql():
    return "{" + ", ".join(f"{sql_lit(k)}: {sql_lit(v)}" for k, v in COLUMNS.items()) + "}"


def source_sql(path, fmt):
    if fmt == "csv":
        return (
            f"read_csv({sql_lit(path)}, header=true, delim=',', quote='\"', "
            f"escape='\"', columns={columns_sql()})"
        )
    return (
        f"read_json({sql_lit(path)}, format='newline_delimited', "
        f"columns={columns_sql()})"
    )


CLEAN = """epoch_ms(ts) AS t, lower(kind) AS kind, NULLIF(creator, '') AS creator,
  NULLIF("user", '') AS u, NULLIF(item, '') AS item, qty, diamonds, amount,
  NULLIF(currency, '') AS currency, NULLIF(order_id, '') AS order_id,
  NULLIF(status, '') AS status"""


def load_typed(con, path, fmt):
    """The benchmark load: explicit types, the columns the aggregates use
    (nickname and event_id are parsed past, not kept; the bench feed's
    event ids are checked unique by `feedcheck`)."""
    con.execute(f"CREATE TABLE ev AS SELECT {CLEAN} FROM {source_sql(path, fmt)}")


def load_generic(con, path):
    """Fixture load: any column order, extra columns, a bad timestamp (a
    rejected row), unknown kinds (skipped) and duplicate event ids (the
    first one counts), as livetally's decoder does."""
    con.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_csv({sql_lit(path)}, header=true, "
        "all_varchar=true)"
    )
    con.execute(
        f"""CREATE TABLE ev AS
        WITH r AS (
          SELECT rowid AS rn, NULLIF(trim(event_id), '') AS eid,
            epoch_ms(TRY_CAST(trim(ts) AS TIMESTAMPTZ)) AS t,
            lower(trim(kind)) AS kind, NULLIF(trim(creator), '') AS creator,
            NULLIF(trim("user"), '') AS u, NULLIF(trim(item), '') AS item,
            TRY_CAST(NULLIF(trim(qty), '') AS BIGINT) AS qty,
            TRY_CAST(NULLIF(trim(diamonds), '') AS BIGINT) AS diamonds,
            TRY_CAST(NULLIF(trim(amount), '') AS DECIMAL(18,4)) AS amount,
            NULLIF(trim(currency), '') AS currency,
            NULLIF(trim(order_id), '') AS order_id,
            NULLIF(trim(status), '') AS status
          FROM raw),
        ok AS (SELECT * FROM r WHERE t IS NOT NULL AND kind IN {KINDS}
               AND (status IS NULL OR {STATUS_SQL} IS NOT NULL))
        SELECT t, kind, creator, u, item, qty, diamonds, amount, currency,
               order_id, status
        FROM ok
        QUALIFY eid IS NULL OR row_number() OVER (PARTITION BY eid ORDER BY rn) = 1
        ORDER BY rn"""
    )


def aggregates(con, gift_tie="input"):
    """Every figure the equality checks need, from table `ev` (file order =
    rowid). Returns a JSON-able dict; money as exact decimal strings."""
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    out = {}
    gifts = "FROM ev WHERE kind = 'gift'"
    out["creators_gifts"] = {
        c: {"gifts_sent": int(s), "diamonds": int(d), "gifters": int(n)}
        for c, s, d, n in q(
            f"""SELECT coalesce(creator, 'unknown'), sum(coalesce(qty, 1)),
                   sum(coalesce(diamonds, 0)), count(DISTINCT u) {gifts} GROUP BY 1"""
        )
    }
    s, d, n, rows = q(
        f"""SELECT coalesce(sum(coalesce(qty, 1)), 0), coalesce(sum(coalesce(diamonds, 0)), 0),
               count(DISTINCT u), count(*) {gifts}"""
    )[0]
    out["gifts"] = {"sent": int(s), "diamonds": int(d), "gifters": int(n), "rows": int(rows)}
    out["top_gifts"] = [
        {"gift": g, "gifts_sent": int(s), "diamonds": int(d)}
        for g, s, d in q(
            f"""SELECT coalesce(item, '(unnamed gift)') AS g, sum(coalesce(qty, 1)),
                   sum(coalesce(diamonds, 0)) AS dd {gifts} GROUP BY 1
                HAVING sum(coalesce(qty, 1)) > 0 OR dd > 0
                ORDER BY dd DESC, g ASC LIMIT 10"""
        )
    ]
    # One row per order: its state from the latest rows (ts, then file order).
    k = KEY.format(rn="rn")
    con.execute(
        f"""CREATE TEMP TABLE o AS
        WITH r AS (
          SELECT coalesce(order_id, chr(0) || 'row' || rowid) AS oid, t, rowid AS rn,
                 {STATUS_SQL} AS st, amount, currency, u, creator
          FROM ev WHERE kind = 'order')
        SELECT oid,
          arg_max(st, {k}) AS st,
          min(t) FILTER (WHERE st = 'paid') AS paid_t,
          arg_max(amount, {k}) FILTER (WHERE amount IS NOT NULL) AS amt,
          coalesce(arg_max(currency, {k}) FILTER (WHERE currency IS NOT NULL), 'USD') AS cur,
          arg_max(u, {k}) FILTER (WHERE u IS NOT NULL) AS u,
          arg_max(creator, {k}) FILTER (WHERE creator IS NOT NULL) AS named
        FROM r GROUP BY oid"""
    )
    if gift_tie == "creator-id":
        # the engine's GiftMark order: (ts, creator id by first appearance)
        con.execute(
            """CREATE TEMP TABLE cid AS
            SELECT name, row_number() OVER (ORDER BY first) AS id FROM (
              SELECT name, min(rn) AS first FROM (
                SELECT coalesce(creator, CASE WHEN kind = 'gift' THEN 'unknown' END) AS name,
                       rowid AS rn FROM ev) WHERE name IS NOT NULL GROUP BY name)"""
        )
        gk = f"""SELECT g.u, {KEY.format(rn="cid.id")} AS k, g.t, cid.name AS c
                 FROM ev g JOIN cid ON cid.name = coalesce(g.creator, 'unknown')
                 WHERE g.kind = 'gift' AND g.u IS NOT NULL"""
    else:
        gk = f"""SELECT u, {KEY.format(rn="rowid")} AS k, t, coalesce(creator, 'unknown') AS c
                 FROM ev WHERE kind = 'gift' AND u IS NOT NULL"""
    # Currently-paid orders and the creator each is attributed to.
    con.execute(
        f"""CREATE TEMP TABLE paid AS
        WITH p AS (SELECT oid, u, named, paid_t, amt, cur FROM o WHERE st = 'paid'),
             gk AS ({gk})
        SELECT p.oid, p.u, p.amt, p.cur,
               coalesce(p.named, CASE WHEN gk.t >= p.paid_t - {W_MS} THEN gk.c END) AS c
        FROM p ASOF LEFT JOIN gk
          ON p.u = gk.u AND p.paid_t::HUGEINT * 4294967296 + 4294967295 >= gk.k"""
    )
    n_orders, n_paid, buyers = q(
        "SELECT (SELECT count(*) FROM o), count(*), count(DISTINCT u) FROM paid"
    )[0]
    gifting_buyers = q(
        """SELECT count(*) FROM (SELECT DISTINCT u FROM paid WHERE u IS NOT NULL) b
           WHERE b.u IN (SELECT u FROM ev WHERE kind = 'gift' AND u IS NOT NULL)"""
    )[0][0]
    out["orders"] = {
        "orders": int(n_orders),
        "paid": int(n_paid),
        "buyers": int(buyers),
        "gmv": {
            cur: str(v)
            for cur, v in q(
                "SELECT cur, sum(amt) FROM paid WHERE amt IS NOT NULL GROUP BY 1 ORDER BY 1"
            )
        },
    }
    out["funnel"] = {
        "gifters": out["gifts"]["gifters"],
        "buyers": int(buyers),
        "gifting_buyers": int(gifting_buyers),
    }
    co = {c: {"orders": int(n), "gmv": {}} for c, n in q(
        "SELECT c, count(*) FROM paid WHERE c IS NOT NULL GROUP BY 1")}
    for c, cur, v in q(
        "SELECT c, cur, sum(amt) FROM paid WHERE c IS NOT NULL AND amt IS NOT NULL GROUP BY 1, 2"
    ):
        co[c]["gmv"][cur] = str(v)
    out["creators_orders"] = co
    return out


def connect(threads):
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")  # rowid = file order
    return con


def cmd_run(a):
    con = connect(a.threads)
    t0 = time.perf_counter()
    load_typed(con, a.file, a.format)
    t1 = time.perf_counter()
    out = aggregates(con, a.gift_tie)
    t2 = time.perf_counter()
    out["timing_s"] = {"load": round(t1 - t0, 3), "aggregates": round(t2 - t1, 3)}
    out["duckdb"] = {"version": duckdb.__version__, "threads": a.threads, "format": a.format}
    text = json.dumps(out, indent=1, sort_keys=True)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    print(f"duckdb load {t1 - t0:.3f}s aggregates {t2 - t1:.3f}s", file=sys.stderr)


def cmd_feedcheck(a):
    con = connect(2)
    con.execute(
        f"""CREATE TABLE f AS SELECT event_id, epoch_ms(ts) AS t
            FROM {source_sql(a.file, a.format)}"""
    )
    rows, ids, nulls, dups, order_ok, ts_sorted = con.execute(
        """SELECT count(*), count(DISTINCT event_id), count(*) - count(event_id),
                  count(event_id) - count(DISTINCT event_id),
                  -- the simulator numbers rows e1, e2, ...: rowid must follow them
                  bool_and(event_id = 'e' || (rowid + 1)),
                  bool_and(t >= coalesce(prev_t, t))
           FROM (SELECT rowid, event_id, t, lag(t) OVER (ORDER BY rowid) AS prev_t FROM f)"""
    ).fetchone()
    res = {
        "rows": rows,
        "distinct_event_ids": ids,
        "missing_event_ids": nulls,
        "duplicate_event_ids": dups,
        "rowid_follows_file_order": bool(order_ok),
        "ts_nondecreasing": bool(ts_sorted),
    }
    print(json.dumps(res))
    ok = dups == 0 and nulls == 0 and order_ok
    sys.exit(0 if ok else 1)


# --------------------------------------------------------------- comparison

MINOR = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "PYG": 0,
         "XAF": 0, "XOF": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
         "IQD": 3, "LYD": 3}


def money_eq(report_map, duck_map):
    """livetally prints money rounded half away from zero to the currency's
    minor unit (model::money_to_string); DuckDB's sums are exact."""
    report_map = report_map or {}
    if set(report_map) != set(duck_map):
        return False
    for cur, v in duck_map.items():
        q = Decimal(1).scaleb(-MINOR.get(cur, 2))
        if Decimal(str(report_map[cur])) != Decimal(v).quantize(q, rounding=ROUND_HALF_UP):
            return False
    return True


def duck_creators(d):
    rows = {}
    for c, g in d["creators_gifts"].items():
        rows[c] = dict(g, orders=0, gmv={})
    for c, o in d["creators_orders"].items():
        r = rows.setdefault(c, {"gifts_sent": 0, "diamonds": 0, "gifters": 0, "orders": 0, "gmv": {}})
        r["orders"] = o["orders"]
        r["gmv"] = o["gmv"]
    return {c: r for c, r in rows.items()
            if r["gifts_sent"] or r["diamonds"] or r["gifters"] or r["orders"]}


def compare(rep, d):
    """[(name, ok, detail)] for every aggregate."""
    checks = []

    def scalar(name, got, want):
        checks.append((name, got == want, f"livetally {got} duckdb {want}"))

    lt = {r["creator"]: r for r in rep["creators"]}
    dc = duck_creators(d)
    only_lt, only_dk = sorted(set(lt) - set(dc)), sorted(set(dc) - set(lt))
    checks.append(("creators: same set", not only_lt and not only_dk,
                   f"{len(lt)} vs {len(dc)}; only livetally {only_lt[:5]}, only duckdb {only_dk[:5]}"))
    both = sorted(set(lt) & set(dc))
    for field in ("gifts_sent", "diamonds", "gifters", "orders", "gmv"):
        if field == "gmv":
            bad = [c for c in both if not money_eq(lt[c].get("gmv"), dc[c]["gmv"])]
        else:
            bad = [c for c in both if lt[c][field] != dc[c][field]]
        detail = f"{len(both)} creators"
        if bad:
            ex = bad[:3]
            detail += f", {len(bad)} differ, e.g. " + "; ".join(
                f"{c}: livetally {lt[c][field]} duckdb {dc[c][field]}" for c in ex)
        checks.append((f"creators: {field}", not bad, detail))
    scalar("funnel.gifters", rep["funnel"]["gifters"], d["funnel"]["gifters"])
    scalar("funnel.buyers", rep["funnel"]["buyers"], d["funnel"]["buyers"])
    scalar("funnel.gifting_buyers", rep["funnel"]["gifting_buyers"], d["funnel"]["gifting_buyers"])
    scalar("orders.paid", rep["orders"]["paid"], d["orders"]["paid"])
    checks.append(("orders.gmv", money_eq(rep["orders"]["gmv"], d["orders"]["gmv"]),
                   f"livetally {rep['orders']['gmv']} duckdb {d['orders']['gmv']}"))
    scalar("gifts.sent", rep["gifts"]["sent"], d["gifts"]["sent"])
    scalar("gifts.diamonds", rep["gifts"]["diamonds"], d["gifts"]["diamonds"])
    scalar("gifts.gifters", rep["gifts"]["gifters"], d["gifts"]["gifters"])
    checks.append(("top_gifts (top 10)", rep["top_gifts"] == d["top_gifts"],
                   f"livetally {[g['gift'] for g in rep['top_gifts']]}"
                   if rep["top_gifts"] == d["top_gifts"] else
                   f"livetally {rep['top_gifts']} duckdb {d['top_gifts']}"))
    return checks


def print_checks(label, checks, brief=False):
    fails = sum(not ok for _, ok, _ in checks)
    if brief and not fails:
        names = ", ".join(name for name, _, _ in checks)
        print(f"  PASS  {label:<18} all {len(checks)} checks ({names})")
        return 0
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:<18} {name:<24} {detail}")
    return fails


def cmd_compare(a):
    with open(a.report) as f:
        rep = json.load(f)
    with open(a.duck) as f:
        d = json.load(f)
    checks = compare(rep, d)
    ev = rep["events"]
    checks.append(("feed: no dup/errors", ev["duplicates"] == 0 and ev["errors"] == 0,
                   f"livetally duplicates {ev['duplicates']} errors {ev['errors']}"))
    checks.append(("gift rows", ev["gift"] == d["gifts"]["rows"],
                   f"livetally {ev['gift']} duckdb {d['gifts']['rows']}"))
    if a.same_as:
        with open(a.same_as) as f:
            d2 = json.load(f)
        strip = lambda x: {k: v for k, v in x.items() if k not in ("timing_s", "duckdb")}  # noqa: E731
        checks.append(("duckdb threads agree", strip(d) == strip(d2),
                       f"threads={d2['duckdb']['threads']} vs threads={d['duckdb']['threads']}"))
    sys.exit(1 if print_checks(a.label, checks) else 0)


# The numbers pinned by hand in tests/engine_rules.rs (scope all).
FIXTURE_EXPECTED = {
    "creators": [
        {"creator": "alice", "gifts_sent": 7, "diamonds": 30005, "gifters": 2,
         "orders": 3, "gmv": {"USD": 31.99}},
        {"creator": "bob", "gifts_sent": 3, "diamonds": 300, "gifters": 2,
         "orders": 2, "gmv": {"EUR": 50.0, "USD": 7.5}},
    ],
    "funnel": {"gifters": 4, "buyers": 4, "gifting_buyers": 3},
    "orders": {"paid": 5, "gmv": {"EUR": 50.0, "USD": 39.49}},
    "gifts": {"sent": 10, "diamonds": 30305, "gifters": 4},
    "top_gifts": [
        {"gift": "Lion", "gifts_sent": 1, "diamonds": 29999},
        {"gift": "Hand Hearts", "gifts_sent": 2, "diamonds": 200},
        {"gift": "Heart Me, \"Big\"", "gifts_sent": 1, "diamonds": 100},
        {"gift": "Rose", "gifts_sent": 6, "diamonds": 6},
    ],
}


def cmd_selftest(a):
    import subprocess

    fails = 0
    for tie in ("input", "creator-id"):
        con = connect(2)
        load_generic(con, a.fixture)
        d = aggregates(con, tie)
        fails += print_checks(f"fixture/{tie}", compare(FIXTURE_EXPECTED, d), brief=True)
    if a.livetally:
        rep = json.loads(subprocess.run(
            [a.livetally, "report", "--json", a.fixture],
            check=True, capture_output=True, text=True).stdout)
        fails += print_checks("fixture/report", compare(rep, d), brief=True)
    sys.exit(1 if fails else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("file")
    r.add_argument("--format", choices=["csv", "ndjson"], required=True)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--out")
    r.add_argument("--gift-tie", choices=["input", "creator-id"], default="input")
    fc = sub.add_parser("feedcheck")
    fc.add_argument("file")
    fc.add_argument("--format", choices=["csv", "ndjson"], required=True)
    c = sub.add_parser("compare")
    c.add_argument("report")
    c.add_argument("duck")
    c.add_argument("--label", default="")
    c.add_argument("--same-as", metavar="DUCK_JSON2",
                   help="also check that another DuckDB run (e.g. threads=1) got the same aggregates")
    st = sub.add_parser("selftest")
    here = os.path.dirname(os.path.abspath(__file__))
    st.add_argument("--fixture", default=os.path.join(here, "..", "tests", "fixtures", "rules.csv"))
    st.add_argument("--livetally")
    a = p.parse_args()
    if duckdb is None and a.cmd != "compare":
        print("duckdb: the Python package is not installed (pip install duckdb)", file=sys.stderr)
        sys.exit(3)
    {"run": cmd_run, "feedcheck": cmd_feedcheck, "compare": cmd_compare,
     "selftest": cmd_selftest}[a.cmd](a)


if __name__ == "__main__":
    main()
