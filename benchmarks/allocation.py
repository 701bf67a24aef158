"""Benchmark: allocation throughput for 100k approved orders over 3 warehouses and 5k SKUs.

    python benchmarks/allocation.py                    # 100,000 orders
    python benchmarks/allocation.py --orders 10000     # a quicker look

One run builds a fresh database (`omsctl init`, programmatically) holding 5,000 products,
3 warehouses with a bin per SKU where the SKU is stocked (about 80% of SKU x warehouse pairs;
every unit received through a ledger row, as `stock import --add` would write it), and N new
orders of 1-4 lines, all inserted with executemany. Stock covers most but not all demand, so
the last orders meet empty bins and are refused, as on a real day. Then it times:

- service: `services.order_actions.approve` over every order, 1,000 refs per call (one
  transaction per call, a savepoint per order, as `omsctl approve` runs): find the order,
  check the lifecycle, plan, reserve bin by bin with conditional updates and ledger rows,
  write history.
- domain:  the pure `domain.allocation.allocate` over the same orders in the same sequence,
  with stock and warehouse load kept in dicts: no database at all. It is the ceiling; the
  ratio between the two is what the database costs per order.

The service is slow enough (about 150 orders/s in November 2026, most of it spent summing
every warehouse's load once per order) that 100k orders take about 11 minutes; so the
service run stops at the first batch boundary after `--budget`
seconds (default 150) and the domain runs over exactly the orders the service got through.
All N orders are in the database either way. `--budget 0` approves them all.

It prints orders/s, wall seconds and approved counts of each. The two should approve the same
number of orders: they run the same rule over the same stock in the same order.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench_stock import insert_received_stock
from sqlalchemy import insert

from omsctl.domain import allocation
from omsctl.services import order_actions
from omsctl.services.context import Env
from omsctl.services.setup import init_database
from omsctl.store import tables

WAREHOUSES = (("BER", "Berlin", "DE"), ("HAM", "Hamburg", "DE"), ("WAW", "Warsaw", "PL"))
COUNTRIES = ("DE",) * 6 + ("PL", "PL", "AT", "NL")
QUANTITIES = (1, 1, 1, 1, 2, 2, 3)
STOCKED = 0.8  # share of SKU x warehouse pairs that hold stock
MAX_ON_HAND = 70  # units per stocked bin: 0..MAX_ON_HAND
INSERT_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class BenchOrder:
    number: str
    country: str
    lines: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Bin:
    warehouse: str
    location: str
    location_id: int
    sequence: int
    sku: str
    on_hand: int


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    orders: int
    approved: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else float("inf")


# --- data ------------------------------------------------------------------------------------


def make_stock(rng: random.Random, skus: Sequence[str]) -> list[Bin]:
    """A bin per stocked SKU and warehouse, numbered so pick sequence follows the aisles."""
    bins = []
    location_id = 0
    for code, _name, _country in WAREHOUSES:
        for n, sku in enumerate(skus):
            if rng.random() >= STOCKED:
                continue
            location_id += 1
            aisle, bay = divmod(n, 100)
            bins.append(
                Bin(
                    code,
                    f"{aisle + 1:02d}-{bay + 1:02d}-1",
                    location_id,
                    (aisle + 1) * 1_000_000 + (bay + 1) * 1_000 + 1,
                    sku,
                    rng.randint(0, MAX_ON_HAND),
                )
            )
    return bins


def make_orders(rng: random.Random, skus: Sequence[str], count: int) -> list[BenchOrder]:
    return [
        BenchOrder(
            f"B{i:07d}",
            rng.choice(COUNTRIES),
            tuple((sku, rng.choice(QUANTITIES)) for sku in rng.sample(skus, rng.randint(1, 4))),
        )
        for i in range(1, count + 1)
    ]


def load_database(
    env: Env, skus: Sequence[str], bins: Sequence[Bin], orders: Sequence[BenchOrder]
) -> None:
    """Everything in one transaction, Core executemany, no ORM object per row."""
    at = datetime(2026, 11, 20, 6, tzinfo=UTC)
    with env.engine.begin() as conn:
        conn.execute(
            insert(tables.Product.__table__),  # type: ignore[attr-defined]
            [
                {
                    "sku": sku,
                    "title": f"Product {sku}",
                    "barcode": "",
                    "traits": "",
                    "reorder_point": 0,
                    "safety_stock": 0,
                }
                for sku in skus
            ],
        )
        conn.execute(
            insert(tables.Warehouse.__table__),  # type: ignore[attr-defined]
            [
                {"id": i, "code": c, "name": n, "country": k, "region": "", "priority": 100}
                for i, (c, n, k) in enumerate(WAREHOUSES, start=1)
            ],
        )
        wh_id = {code: i for i, (code, _n, _k) in enumerate(WAREHOUSES, start=1)}
        conn.execute(
            insert(tables.Location.__table__),  # type: ignore[attr-defined]
            [
                {
                    "id": b.location_id,
                    "warehouse_id": wh_id[b.warehouse],
                    "code": b.location,
                    "zone": b.location.split("-")[0],
                    "pick_sequence": b.sequence,
                }
                for b in bins
            ],
        )
        insert_received_stock(conn, bins, at)
        for start in range(0, len(orders), INSERT_CHUNK):
            chunk = orders[start : start + INSERT_CHUNK]
            order_rows, line_rows = [], []
            for n, o in enumerate(chunk, start=start + 1):
                total = Decimal("9.90") * sum(q for _, q in o.lines)
                order_rows.append(_order_row(n, o, total, at - timedelta(seconds=n)))
                line_rows += [
                    {
                        "order_id": n,
                        "line_no": i,
                        "sku": sku,
                        "title": f"Product {sku}",
                        "quantity": qty,
                        "unit_price": Decimal("9.90"),
                        "weight_kg": None,
                    }
                    for i, (sku, qty) in enumerate(o.lines, start=1)
                ]
            conn.execute(insert(tables.Order.__table__), order_rows)  # type: ignore[attr-defined]
            conn.execute(insert(tables.OrderLine.__table__), line_rows)  # type: ignore[attr-defined]


def _order_row(n: int, o: BenchOrder, total: Decimal, at: datetime) -> dict[str, Any]:
    blank = dict.fromkeys(
        (
            "buyer_phone",
            "ship_company",
            "ship_street2",
            "ship_district",
            "ship_province",
            "ship_phone",
            "service_level",
            "buyer_note",
            "fingerprint",
            "source",
        ),
        "",
    )
    zero = Decimal("0")
    return {
        **blank,
        "id": n,
        "channel": "shopify",
        "channel_order_no": o.number,
        "state": "new",
        "payment_status": "paid",
        "buyer_name": f"Buyer {n}",
        "buyer_email": f"buyer{n}@example.com",
        "ship_name": f"Buyer {n}",
        "ship_street1": f"Hauptstraße {n % 200 + 1}",
        "ship_city": "Berlin",
        "ship_postal_code": f"{10000 + n % 9000}",
        "ship_country": o.country,
        "currency": "EUR",
        "subtotal": total,
        "shipping_total": zero,
        "tax_total": zero,
        "discount_total": zero,
        "total": total,
        "refunded_total": zero,
        "ordered_at": at,
        "paid_at": at,
        "imported_at": at,
        "updated_at": at,
        "approved_at": None,
        "shipped_at": None,
        "delivered_at": None,
        "cancelled_at": None,
        "parent_id": None,
        "merged_into_id": None,
    }


# --- the two runs ----------------------------------------------------------------------------


def run_domain(bins: Sequence[Bin], orders: Sequence[BenchOrder]) -> Timing:
    """The same rule with stock and load in dicts; reserves what it plans, like the service."""
    available: dict[str, list[list[Any]]] = defaultdict(list)
    for b in bins:
        if b.on_hand:
            available[b.sku].append([b.warehouse, b.location, b.sequence, b.on_hand])
    by_key = {(r[0], r[1], sku): r for sku, rows in available.items() for r in rows}
    load = dict.fromkeys((c for c, _n, _k in WAREHOUSES), 0)
    countries = {c: k for c, _n, k in WAREHOUSES}
    approved = 0
    start = time.perf_counter()
    for o in orders:
        slots = [
            allocation.Slot(w, loc, seq, sku, units)
            for sku, _ in o.lines
            for w, loc, seq, units in available.get(sku, ())
            if units > 0
        ]
        warehouses = [allocation.Warehouse(c, countries[c], "", 100, load[c]) for c in load]
        result = allocation.allocate(o.lines, slots, warehouses, country=o.country)
        if not result.complete:
            continue
        approved += 1
        for r in result.reservations:
            by_key[(r.warehouse, r.location, r.sku)][3] -= r.quantity
            load[r.warehouse] += r.quantity
    return Timing(
        "domain allocate (no database)", len(orders), approved, time.perf_counter() - start
    )


def run_service(
    env: Env, orders: Sequence[BenchOrder], batch: int, budget: float, quiet: bool
) -> Timing:
    """Approve in calls of `batch` refs until done or `budget` seconds are spent (0: no limit)."""
    refs = [o.number for o in orders]
    approved = done = 0
    start = time.perf_counter()
    while done < len(refs) and not (budget and time.perf_counter() - start >= budget):
        report = order_actions.approve(env, refs[done : done + batch])
        approved += len(report.outcomes) - report.failed
        done += len(report.outcomes)
        if not quiet and (done // batch) % 10 == 0:
            rate = done / (time.perf_counter() - start)
            print(f"  … {done:,} orders, {rate:,.0f}/s", file=sys.stderr)
    return Timing(
        f"service approve ({batch:,}/call, SQLite)", done, approved, time.perf_counter() - start
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders to approve")
    parser.add_argument("--skus", type=int, default=5_000, help="products")
    parser.add_argument("--batch", type=int, default=1_000, help="orders per approve call")
    parser.add_argument(
        "--budget", type=float, default=150.0, help="seconds for the service run (0: no limit)"
    )
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    skus = [f"SKU-{n:05d}" for n in range(1, args.skus + 1)]
    bins = make_stock(rng, skus)
    orders = make_orders(rng, skus, args.orders)

    with tempfile.TemporaryDirectory(prefix="omsctl-bench-") as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if db.exists():
            parser.error(f"{db} exists; the benchmark needs a fresh database")
        env = Env(db=str(db), actor="bench")
        start = time.perf_counter()
        init_database(env)
        load_database(env, skus, bins, orders)
        setup = time.perf_counter() - start
        units = sum(b.on_hand for b in bins)
        demand = sum(q for o in orders for _, q in o.lines)
        print(
            f"{len(orders):,} orders ({demand:,} units) over {len(WAREHOUSES)} warehouses, "
            f"{len(skus):,} SKUs, {len(bins):,} bins ({units:,} units); "
            f"database built in {setup:.1f} s"
        )
        service = run_service(env, orders, args.batch, args.budget, args.quiet)
        env.engine.dispose()
    domain = run_domain(bins, orders[: service.orders])

    rows = [service, domain]
    print()
    print(f"{'run':<36} {'orders':>9} {'approved':>9} {'seconds':>8} {'orders/s':>10}")
    for t in rows:
        print(
            f"{t.name:<36} {t.orders:>9,} {t.approved:>9,} {t.seconds:>8.1f} {t.per_second:>10,.0f}"
        )
    ratio = domain.per_second / service.per_second
    print(f"\nthrough the service and the database an order takes {ratio:,.0f}x as long")


if __name__ == "__main__":
    main()
