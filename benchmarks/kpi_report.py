"""Benchmark: `omsctl report kpi` over 1,000,000 orders with their history, against plain SQL.

    python benchmarks/kpi_report.py                          # 1,000,000 orders over 90 days
    python benchmarks/kpi_report.py --orders 100000          # a quicker look
    python benchmarks/kpi_report.py --db /tmp/kpi.db         # build once, reuse afterwards
    python benchmarks/kpi_report.py --json

The database is made by omsctl's migrations (`omsctl.store.migrate.upgrade`) and filled
with raw sqlite3 executemany in batches of 10,000, in the formats omsctl writes (money as
decimal text, times as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text). N orders over the last D
days up to now, with a daily rhythm: five channels, six carriers, one or two lines each,
an `order_history` row per state change (import, approve, wave, pack, ship, delivered,
and hold/release, cancel, expire), holds on about 20% of the orders (most resolved),
a pack check per packed order (a few mismatches, then a passing check), a shipment per
shipped order (most delivered), and logistics exceptions on about 1% of the shipments.

Then, each in a fresh subprocess so start-up counts, best of 3:

- omsctl:   `omsctl --db DB report kpi ... --json` for three windows: the last 7 whole days,
  `--since 30d`, and all D days `--by month`.
- baseline: a plain sqlite3 script computing the main aggregates over the same days (the
  window and the period before it, as the report reads them): imported/approved/shipped/
  cancelled per day and channel, the average and the 50/90/95th percentiles of paid ->
  shipped minutes (percentiles by ORDER BY ... LIMIT 1 OFFSET k), holds by day and reason,
  and on-time deliveries per carrier (due day = ship day + promised days).

The goal from the issue: the report within 2x of the baseline. It prints window, omsctl
seconds, baseline seconds, their ratio and omsctl's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BATCH = 10_000
REPEAT = 3
CHANNELS = (("shopify", 40), ("amazon", 25), ("tmall", 15), ("ebay", 10), ("woocommerce", 10))
#: carrier -> (services, weight, delivery days (min, max))
CARRIERS = {
    "SF": (("standard", "express"), 20, (1, 4)),
    "DHL": (("paket", "express"), 25, (1, 6)),
    "UPS": (("ground", "saver"), 15, (2, 6)),
    "FEDEX": (("ground",), 10, (2, 7)),
    "USPS": (("priority", "ground"), 20, (2, 9)),
    "POST": (("economy",), 10, (4, 16)),
}
PROMISED = {"SF": 3, "DHL": 5, "UPS": 5, "FEDEX": 5, "USPS": 7, "POST": 12}
HOLD_REASONS = (
    ("address_incomplete", 20, 24),
    ("phone_invalid", 15, 24),
    ("out_of_stock", 20, 48),
    ("duplicate_suspect", 10, 24),
    ("high_value", 10, 24),
    ("buyer_note", 15, 24),
    ("manual", 10, 48),
)
CURRENCIES = (("USD", 45), ("EUR", 35), ("GBP", 10), ("CNY", 10))
TROUBLES = ("delayed", "delayed", "delayed", "lost", "damaged", "refused", "address_problem")
SKUS = [f"SKU-{n:05d}" for n in range(2_000)]

EPOCH = datetime(1970, 1, 1)


# --------------------------------------------------------------------------- build


class _Clock:
    """Epoch seconds (floats) to omsctl's SQLite text, with the day's prefix cached."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}

    def __call__(self, t: float | None) -> str | None:
        if t is None:
            return None
        us = int(t * 1_000_000)
        day, rest = divmod(us, 86_400_000_000)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = (EPOCH + timedelta(days=day)).strftime("%Y-%m-%d")
            self.days[day] = prefix
        s, us = divmod(rest, 1_000_000)
        h, s = divmod(s, 3600)
        m, s = divmod(s, 60)
        return f"{prefix} {h:02d}:{m:02d}:{s:02d}.{us:06d}"


def _insert(con: Any, table: str, columns: list[str]) -> str:
    """An INSERT for `columns`, with every other NOT NULL column given its plain default."""
    fill: list[tuple[str, str]] = []
    for _cid, name, kind, notnull, default, pk in con.execute(f"PRAGMA table_info({table})"):
        if name in columns or pk or not notnull or default is not None:
            continue
        k = kind.upper()
        fill.append((name, "0" if "INT" in k or "BOOL" in k else "''"))
    names = ", ".join([*columns, *(n for n, _ in fill)])
    values = ", ".join(["?"] * len(columns) + [v for _, v in fill])
    return f"INSERT INTO {table} ({names}) VALUES ({values})"


def _weighted(rng: random.Random, pairs: Any, n: int) -> list[Any]:
    keys = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(keys, weights, k=n)


def build(path: Path, orders: int, days: int, now: datetime, seed: int = 7) -> dict[str, int]:
    """Create the database with omsctl's migrations and fill it; returns row counts."""
    import sqlite3

    from sqlalchemy.engine import make_url

    from omsctl.store.db import engine_for
    from omsctl.store.migrate import upgrade

    url = make_url(f"sqlite:///{path}")
    upgrade(url)
    engine_for(url).dispose()
    # SQLAlchemy's own format for a UTCDateTime on SQLite, checked against the clock here.
    sample = datetime(2026, 1, 2, 3, 4, 5, 600)
    clock = _Clock()
    assert clock((sample - EPOCH).total_seconds()) == "2026-01-02 03:04:05.000600"

    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    rng = random.Random(seed)
    now_s = (now.replace(tzinfo=None) - EPOCH).total_seconds()
    first_s = now_s - days * 86_400

    sql_orders = _insert(
        con,
        "orders",
        [
            "id", "channel", "channel_order_no", "state", "payment_status", "currency",
            "subtotal", "shipping_total", "tax_total", "discount_total", "total",
            "refunded_total", "ordered_at", "paid_at", "imported_at", "approved_at",
            "shipped_at", "delivered_at", "cancelled_at", "updated_at", "carrier",
            "carrier_service", "ship_country", "buyer_name",
        ],
    )  # fmt: skip
    sql_lines = _insert(
        con,
        "order_lines",
        ["order_id", "line_no", "sku", "title", "quantity", "unit_price", "weight_kg"],
    )
    sql_history = _insert(
        con, "order_history", ["order_id", "at", "actor", "action", "from_state", "to_state"]
    )
    sql_holds = _insert(
        con,
        "holds",
        [
            "order_id", "reason", "priority", "created_at", "due_at", "resolved_at",
            "resolved_by", "resolution",
        ],
    )  # fmt: skip
    sql_checks = _insert(
        con,
        "pack_checks",
        ["order_id", "at", "actor", "ok", "units_expected", "units_scanned", "problems"],
    )
    sql_shipments = _insert(
        con,
        "shipments",
        [
            "id", "order_id", "carrier", "service", "tracking_number", "status",
            "created_at", "shipped_at", "delivered_at",
        ],
    )  # fmt: skip
    sql_troubles = _insert(
        con,
        "logistics_exceptions",
        ["order_id", "shipment_id", "reason", "opened_at", "resolved_at", "resolution"],
    )
    sql_products = _insert(con, "products", ["sku", "title", "reorder_point"])
    con.executemany(sql_products, [(s, f"Product {s}", rng.randint(0, 20)) for s in SKUS])

    counts = dict.fromkeys(
        ("orders", "order_lines", "order_history", "holds", "pack_checks", "shipments",
         "logistics_exceptions"),
        0,
    )  # fmt: skip
    carrier_names = list(CARRIERS)
    carrier_weights = [CARRIERS[c][1] for c in carrier_names]
    shipment_id = 0
    sku_weights = [1 / (n + 10) for n in range(len(SKUS))]
    for start in range(0, orders, BATCH):
        n = min(BATCH, orders - start)
        channels = _weighted(rng, CHANNELS, n)
        currencies = _weighted(rng, CURRENCIES, n)
        carriers = rng.choices(carrier_names, carrier_weights, k=n)
        reasons = _weighted(rng, [(r, w) for r, w, _ in HOLD_REASONS], n)
        o_rows, l_rows, h_rows, hold_rows, c_rows, s_rows, t_rows = [], [], [], [], [], [], []
        for k in range(n):
            oid = start + k + 1
            r = rng.random
            # Orders come in by day with an afternoon/evening peak.
            day = int(r() * days)
            clock_s = min(86_399.0, max(0.0, rng.gauss(15.5 * 3600, 4.5 * 3600)))
            ordered = first_s + day * 86_400 + clock_s + r()
            if ordered >= now_s:
                ordered = now_s - r() * 3600
            paid = ordered + r() * 600 if r() < 0.97 else None
            imported = ordered + 60 + r() * 1800
            channel, carrier = channels[k], carriers[k]
            service = rng.choice(CARRIERS[carrier][0])
            history = [(imported, "import", None, "new")]
            approved = shipped = delivered = cancelled = None
            state = "new"
            at = imported + 30 + r() * 600
            if paid is None and r() < 0.8:
                # Unpaid: a hold, then the payment time-out cancels it.
                cancelled = imported + 72 * 3600
                hold_rows.append(
                    (oid, "unpaid", 3, clock(imported), clock(imported + 72 * 3600),
                     clock(cancelled) if cancelled < now_s else None,
                     "system" if cancelled < now_s else None,
                     "expired" if cancelled < now_s else None)
                )  # fmt: skip
                history.append((imported + 1, "hold", "new", "on_hold"))
                if cancelled < now_s:
                    history.append((cancelled, "expire", "on_hold", "cancelled"))
                    state = "cancelled"
                else:
                    cancelled, state = None, "on_hold"
            else:
                held = r() < 0.2
                if held:
                    reason = reasons[k]
                    hours = 24 if reason not in ("out_of_stock", "manual") else 48
                    created = imported + 1
                    resolved = created + rng.expovariate(1 / (8 * 3600))
                    done = resolved < now_s
                    hold_rows.append(
                        (oid, reason, 2, clock(created), clock(created + hours * 3600),
                         clock(resolved) if done else None, "ops" if done else None,
                         "released" if done else None)
                    )  # fmt: skip
                    history.append((created, "hold", "new", "on_hold"))
                    state = "on_hold"
                    at = resolved
                    if done:
                        history.append((resolved, "release", "on_hold", "new"))
                        state = "new"
                if state == "new" and r() < 0.03:
                    cancelled = at + r() * 3600
                    if cancelled < now_s:
                        history.append((cancelled, "cancel", "new", "cancelled"))
                        state = "cancelled"
                    else:
                        cancelled = None
                elif state == "new" and at < now_s:
                    approved = at
                    history.append((approved, "approve", "new", "approved"))
                    state = "approved"
                    wave = approved + 600 + r() * 4 * 3600
                    if wave < now_s:
                        history.append((wave, "wave", "approved", "picking"))
                        state = "picking"
                        packed = wave + 300 + r() * 3 * 3600
                        if packed < now_s:
                            units = 1 + (oid % 3 == 0)
                            if r() < 0.01:
                                c_rows.append(
                                    (oid, clock(packed - 120), "packer", 0, units, units - 1,
                                     "missing 1 unit")
                                )  # fmt: skip
                            c_rows.append((oid, clock(packed), "packer", 1, units, units, ""))
                            history.append((packed, "pack", "picking", "packed"))
                            state = "packed"
                            shipped = packed + 600 + r() * 20 * 3600
                            if shipped < now_s:
                                history.append((shipped, "ship", "packed", "shipped"))
                                state = "shipped"
                            else:
                                shipped = None
            if shipped is not None:
                shipment_id += 1
                lo, hi = CARRIERS[carrier][2]
                transit = (lo + r() * (hi - lo)) * 86_400
                delivered = shipped + transit if r() < 0.95 else None
                if delivered is not None and delivered >= now_s:
                    delivered = None
                if delivered is not None:
                    history.append((delivered, "delivered", "shipped", "delivered"))
                    state = "delivered"
                s_rows.append(
                    (shipment_id, oid, carrier, service, f"{carrier}{shipment_id:012d}",
                     "delivered" if delivered else "in_transit", clock(shipped - 60),
                     clock(shipped), clock(delivered))
                )  # fmt: skip
                if r() < 0.01:
                    trouble = rng.choice(TROUBLES)
                    opened = shipped + 2 * 86_400
                    if opened < now_s:
                        fixed = opened + 3 * 86_400
                        done = fixed < now_s and r() < 0.7
                        t_rows.append(
                            (oid, shipment_id, trouble, clock(opened),
                             clock(fixed) if done else None,
                             ("delivered" if trouble == "delayed" else "reship") if done else None)
                        )  # fmt: skip
            lines = 1 if r() < 0.7 else 2
            subtotal = 0
            for line_no in range(1, lines + 1):
                price = rng.randint(500, 15_000)
                qty = 1 if r() < 0.8 else 2
                subtotal += price * qty
                l_rows.append(
                    (oid, line_no, rng.choices(SKUS, sku_weights)[0], "Item", qty,
                     f"{price / 100:.2f}", "0.450")
                )  # fmt: skip
            shipping = 495
            total = subtotal + shipping
            updated = max(t for t, *_ in history)
            o_rows.append(
                (oid, channel, f"{channel[:2].upper()}{oid:09d}", state,
                 "paid" if paid is not None else "pending", currencies[k],
                 f"{subtotal / 100:.2f}", f"{shipping / 100:.2f}", "0.00", "0.00",
                 f"{total / 100:.2f}", "0.00", clock(ordered), clock(paid), clock(imported),
                 clock(approved), clock(shipped), clock(delivered), clock(cancelled),
                 clock(updated), carrier, service, "US", f"Buyer {oid}")
            )  # fmt: skip
            actor = "import"
            for t, action, before, after in history:
                h_rows.append((oid, clock(t), actor, action, before, after))
                actor = "ops"
        con.executemany(sql_orders, o_rows)
        con.executemany(sql_lines, l_rows)
        con.executemany(sql_history, h_rows)
        con.executemany(sql_holds, hold_rows)
        con.executemany(sql_checks, c_rows)
        con.executemany(sql_shipments, s_rows)
        con.executemany(sql_troubles, t_rows)
        for key, rows in (
            ("orders", o_rows),
            ("order_lines", l_rows),
            ("order_history", h_rows),
            ("holds", hold_rows),
            ("pack_checks", c_rows),
            ("shipments", s_rows),
            ("logistics_exceptions", t_rows),
        ):
            counts[key] += len(rows)
    con.commit()
    con.close()
    return counts


# --------------------------------------------------------------------------- baseline

BASELINE = r"""
import sqlite3, sys
path, lo, hi = sys.argv[1], sys.argv[2], sys.argv[3]
cuts = sys.argv[4].split(",")  # period bounds: before.start, window.start, window.end
promised = dict(p.split("=") for p in sys.argv[5].split(","))
con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
out = {}
def q(sql, *args):
    return con.execute(sql, args).fetchall()
for col in ("imported_at", "approved_at", "shipped_at", "cancelled_at"):
    out[col] = q(
        f"SELECT date({col}), channel, count(*) FROM orders WHERE {col} >= ? AND {col} < ? "
        "AND state != 'merged' AND coalesce(parent_id, 0) = 0 GROUP BY 1, 2", lo, hi)
minutes = ("CAST(round((julianday(shipped_at) - julianday(paid_at)) * 1440) AS INTEGER)")
processing = {}
for a, b in zip(cuts, cuts[1:]):
    where = ("FROM orders WHERE shipped_at >= ? AND shipped_at < ? AND paid_at IS NOT NULL "
             "AND paid_at <= shipped_at AND state != 'merged' AND coalesce(parent_id, 0) = 0")
    n, avg = q(f"SELECT count(*), avg({minutes}) {where}", a, b)[0]
    pct = {}
    for p in (50, 90, 95):
        row = q(f"SELECT {minutes} AS m {where} ORDER BY m LIMIT 1 OFFSET ?", a, b,
                max(0, (n * p + 99) // 100 - 1)) if n else []
        pct[p] = row[0][0] if row else None
    processing[a] = (n, avg, pct)
out["processing"] = processing
out["held"] = q(
    "SELECT date(o.imported_at), h.reason, count(DISTINCT o.id) FROM orders o "
    "JOIN holds h ON h.order_id = o.id WHERE o.imported_at >= ? AND o.imported_at < ? "
    "AND o.state != 'merged' GROUP BY 1, 2", lo, hi)
out["holds_created"] = q(
    "SELECT date(created_at), reason, count(DISTINCT order_id) FROM holds "
    "WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2", lo, hi)
days = "CASE carrier " + " ".join(f"WHEN '{c}' THEN {d}" for c, d in promised.items()) + " END"
due = f"date(shipped_at, '+' || ({days}) || ' days')"
out["on_time"] = q(
    f"SELECT carrier, sum(delivered_at IS NOT NULL AND date(delivered_at) <= {due}), "
    f"sum(delivered_at IS NULL OR date(delivered_at) > {due}), count(*) FROM shipments "
    f"WHERE shipped_at >= date(?, '-{max(map(int, promised.values())) + 1} days') "
    f"AND shipped_at < ? AND {due} >= ? AND {due} < ? "
    "AND (delivered_at IS NOT NULL OR {due} < date('now')) GROUP BY 1".replace("{due}", due),
    lo, hi, lo, hi)
print(sum(len(v) for v in out.values() if isinstance(v, list)))
"""


# --------------------------------------------------------------------------- timing


def _run(cmd: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KB) and return code of one subprocess, output to a file."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
        if proc.stderr:
            proc.stderr.close()
    return elapsed, usage.ru_maxrss, proc.returncode


def _best(cmd: list[str], repeat: int) -> tuple[float, int, list[float]]:
    runs = [_run(cmd) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), [r[0] for r in runs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=90, help="history spread (days up to now)")
    ap.add_argument("--db", help="database file; reused if it exists, else built there")
    ap.add_argument("--repeat", type=int, default=REPEAT, help="runs per window (best of)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from omsctl.domain.kpi_periods import By, previous

    now = datetime.now(UTC)
    today = now.date()
    tmp = None
    if args.db:
        path = Path(args.db)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="kpi-bench-")
        path = Path(tmp.name) / "kpi.db"
    built: dict[str, Any] = {}
    if path.exists():
        built = {"reused": str(path)}
    else:
        t0 = time.perf_counter()
        built = build(path, args.orders, args.days, now)
        built["seconds"] = round(time.perf_counter() - t0, 1)
        if not args.json:
            print(f"built {path} in {built['seconds']} s: {built}", file=sys.stderr)

    omsctl = [shutil.which("omsctl") or "omsctl"]
    first = today - timedelta(days=args.days)
    windows: list[tuple[str, list[str], date, date, By]] = [
        ("7 days", ["--since", (today - timedelta(days=7)).isoformat(),
                    "--until", today.isoformat()], today - timedelta(days=7), today, By.DAY),
        ("30 days", ["--since", "30d"], today - timedelta(days=30), today, By.DAY),
        (f"{args.days} days by month", ["--since", first.isoformat(), "--until",
                                        today.isoformat(), "--by", "month"], first, today,
         By.MONTH),
    ]  # fmt: skip
    promised = ",".join(f"{c}={d}" for c, d in PROMISED.items())
    results = []
    for name, opts, start, end, step in windows:
        before = previous(start, end, step)
        cmd = [*omsctl, "--db", str(path), "report", "kpi", *opts, "--json"]
        o_best, o_rss, o_runs = _best(cmd, args.repeat)
        cuts = ",".join(d.isoformat() for d in (before.start, start, end))
        base = [sys.executable, "-c", BASELINE, str(path), before.start.isoformat(),
                end.isoformat(), cuts, promised]  # fmt: skip
        b_best, _, b_runs = _best(base, args.repeat)
        results.append(
            {
                "window": name,
                "command": " ".join(cmd[len(omsctl) :]),
                "omsctl_s": round(o_best, 3),
                "baseline_s": round(b_best, 3),
                "ratio": round(o_best / b_best, 2),
                "omsctl_peak_rss_mb": round(o_rss / 1024, 1),
                "omsctl_runs": [round(x, 3) for x in o_runs],
                "baseline_runs": [round(x, 3) for x in b_runs],
            }
        )
    if args.json:
        print(json.dumps({"orders": args.orders, "days": args.days, "build": built,
                          "results": results}, indent=2))  # fmt: skip
    else:
        print(f"\n{args.orders:,} orders over {args.days} days, best of {args.repeat}")
        print(f"{'window':<22} {'omsctl s':>9} {'baseline s':>11} {'ratio':>6} {'peak RSS':>9}")
        for r in results:
            print(
                f"{r['window']:<22} {r['omsctl_s']:>9.2f} {r['baseline_s']:>11.2f} "
                f"{r['ratio']:>5.2f}x {r['omsctl_peak_rss_mb']:>6.0f} MB"
            )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
