"""Benchmark: `omsctl import` of a large Shopify export against a naive pandas + sqlite3 ceiling.

    python benchmarks/import_shopify.py                         # 1,000,000 line items
    python benchmarks/import_shopify.py --lines 200000 --repeat 3
    python benchmarks/import_shopify.py --lines 200000 --json

One run generates a realistic Shopify `orders_export.csv` (the real 79-column header, 1-4 line
items per order, quoted multi-line notes, zip codes protected with a leading ') and then, one
subprocess at a time, so each start-up counts and each peak memory is the process's own:

- ceiling: the same rows read with pandas (`read_csv(dtype=str, chunksize=...)`) and written
  with raw `sqlite3` executemany into the `orders` and `order_lines` tables of a database made
  by `omsctl init`: no validation, no history, no idempotence; what "fast" means here.
- import:   `omsctl --db X --quiet import FILE` into another freshly initialised database.
- reimport: the same command again over that database (every order unchanged; the script
  checks that the database is left as it was).

It prints lines/s (wall, start-up included), wall and CPU seconds, peak RSS of each, and the
ratio to the ceiling's lines/s. CPU and peak RSS are the child's own, from `os.wait4` on its
pid. `--repeat N` measures N rounds and reports the fastest of each run (other work on the
machine only ever slows a run down); `--keep` keeps the export for the next run to reuse.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "shopify" / "orders_export.csv"
CHUNK_ROWS = 50_000


# --- the export -----------------------------------------------------------------------------

PRODUCTS = [  # sku, title, price
    ("TEA-LJ-100", "Longjing Dragon Well Green Tea 100g", "18.50"),
    ("TEA-LJ-250", "Longjing Dragon Well Green Tea 250g", "39.00"),
    ("TEA-DHP-50", "Da Hong Pao Oolong 50g", "16.00"),
    ("TEA-PU-357", "Aged Pu-erh Cake 357g", "68.00"),
    ("TEA-JAS-100", "Jasmine Pearls 100g", "21.00"),
    ("TEA-SL-50", "Silver Needle White Tea 50g", "32.00"),
    ("TEA-GM-30", "Gyokuro Matcha 30g", "28.00"),
    ("CUP-CEL-02", "Celadon Tea Cup - Set of 2", "24.00"),
    ("POT-YX-350", "Yixing Clay Teapot 350ml", "45.50"),
    ("KETTLE-GS-1L", "Gooseneck Kettle 1L, Matte Black", "59.00"),
    ("SYRUP-OSM-250", "Osmanthus Syrup 250ml", "12.00"),
    ("0012-SET", "Gongfu Tea Set, 12 Pieces", "89.00"),
    ("0007-TRAY", 'Bamboo Tea Tray 14"', "34.00"),
    ("", "Gift wrapping", "5.00"),
]

FIRST = [
    "Emma",
    "Samuel",
    "Olivia",
    "Daniel",
    "Priya",
    "Lucas",
    "Thomas",
    "Margaret",
    "Chloé",
    "José",
    "Zoë",
    "Jürgen",
    "Hanako",
    "Ka Ming",
    "Aoife",
    "Mateo",
    "Ingrid",
    "Kwame",
    "Noah",
    "Sofia",
    "Liam",
    "Amelia",
    "Ravi",
    "Mei",
    "Oskar",
    "Léa",
    "Finn",
    "Nadia",
    "Omar",
    "Elena",
]
LAST = [
    "Lawson",
    "Okafor",
    "Chen",
    "Brooks",
    "Raman",
    "Martin",
    "Reilly",
    "Weiß",
    "Yamada",
    "Wong",
    "García",
    "Müller",
    "O'Neill",
    "Nakamura",
    "Dubois",
    "Kowalski",
    "Andersson",
    "Mensah",
    "Rossi",
    "Smith",
    "Nguyen",
    "Haddad",
    "Petrov",
    "Fitzgerald",
    "Silva",
]
STREETS = [
    "Pinckney St",
    "W Wacker Dr",
    "Market St",
    "Elm St",
    "Oak Ave",
    "Harbor Rd",
    "4th Ave",
    "Maple Lane",
    "High Street",
    "Schönhauser Allee",
    "Rue de Rivoli",
    "King St W",
    "George St",
    "Calle de Alcalá",
    "Via Roma",
    "Queen's Road",
]
# country, currency, offset, [(city, province code, province name, zip maker, phone prefix)]
PLACES = [
    (
        "US",
        "USD",
        "-0500",
        [
            ("Boston", "MA", "Massachusetts", lambda r: f"'0{r.randint(1000, 2799)}", "+1 617"),
            ("Chicago", "IL", "Illinois", lambda r: f"'{r.randint(60601, 60661)}", "+1 312"),
            (
                "San Francisco",
                "CA",
                "California",
                lambda r: f"'{r.randint(94102, 94188)}",
                "+1 415",
            ),
            ("Edison", "NJ", "New Jersey", lambda r: f"'0{r.randint(8801, 8899)}", "+1 732"),
            ("Seattle", "WA", "Washington", lambda r: f"'{r.randint(98101, 98199)}", "+1 206"),
            ("Dallas", "TX", "Texas", lambda r: f"'{r.randint(75201, 75398)}", "+1 214"),
            ("Portland", "ME", "Maine", lambda r: f"'0{r.randint(4101, 4124)}", "+1 207"),
        ],
    ),
    (
        "CA",
        "CAD",
        "-0500",
        [
            (
                "Toronto",
                "ON",
                "Ontario",
                lambda r: f"M{r.randint(1, 9)}V {r.randint(1, 9)}K1",
                "+1 416",
            ),
        ],
    ),
    (
        "GB",
        "GBP",
        "+0000",
        [
            ("London", "", "", lambda r: f"SW{r.randint(1, 20)} {r.randint(1, 9)}AA", "+44 20"),
        ],
    ),
    (
        "DE",
        "EUR",
        "+0100",
        [
            ("Berlin", "", "", lambda r: f"'{r.randint(10115, 14199)}", "+49 30"),
        ],
    ),
    (
        "FR",
        "EUR",
        "+0100",
        [
            ("Paris", "", "", lambda r: f"'750{r.randint(1, 20):02d}", "+33 1"),
        ],
    ),
    (
        "JP",
        "JPY",
        "+0900",
        [
            ("渋谷区", "JP-13", "Tokyo", lambda r: f"'150-{r.randint(1, 99):04d}", "+81 90"),
        ],
    ),
    ("HK", "HKD", "+0800", [("Kwun Tong", "KL", "Kowloon", lambda r: "-", "+852 5")]),
    (
        "AU",
        "AUD",
        "+1000",
        [
            ("Sydney", "NSW", "New South Wales", lambda r: f"'{r.randint(2000, 2234)}", "+61 2"),
        ],
    ),
]
STATUSES = (
    ["paid"] * 80
    + ["pending"] * 5
    + ["authorized"] * 4
    + ["refunded"] * 3
    + ["partially_refunded"] * 3
    + ["voided"] * 2
    + ["partially_paid", "expired", "paid"]
)
NOTES = [
    "Please leave the parcel at the side door.\nRing twice, the bell is quiet.",
    "Gift for my mother, no invoice in the box please.",
    'Deliver after 5pm.\nCall "Reception" if nobody answers.\r\nThanks!',
    "Leave with the neighbour at no. 12",
    "Ordered the wrong tea, please cancel.",
]
ATTRIBUTES = [
    'gift_wrap: yes\ngift_message: Happy birthday, Mom! ""Drink more tea."" Love, Sam',
    "gift_wrap: no",
]
SHIPPING = [
    ("Standard Shipping", "6.95"),
    ("Free Shipping (5-8 days)", "0.00"),
    ("Express", "14.00"),
    ("International Standard", "19.00"),
]


def header() -> list[str]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def generate(path: Path, lines: int, seed: int = 20251103) -> tuple[int, int]:
    """Write a Shopify export of exactly `lines` line items; returns (orders, lines)."""
    names = header()
    col = {name: i for i, name in enumerate(names)}
    width = len(names)
    rnd = random.Random(seed)
    customers = [_customer(rnd, n) for n in range(5000)]
    start = datetime(2025, 1, 1, 8, 0, 0)
    written = orders = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(names)
        while written < lines:
            orders += 1
            items = min(rnd.choice((1, 1, 2, 2, 3, 4)), lines - written)
            written += items
            out.writerows(_order(rnd, col, width, 1000 + orders, items, customers, start))
            start += timedelta(seconds=rnd.randint(5, 90))
    return orders, written


def _customer(rnd: random.Random, n: int) -> dict[str, str]:
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    country, currency, offset, places = rnd.choice(PLACES[:1] * 6 + PLACES)
    city, province, province_name, zip_maker, phone = rnd.choice(places)
    street = f"{rnd.randint(1, 2400)} {rnd.choice(STREETS)}"
    unit = rnd.choice(["", "", "", f"Apt {rnd.randint(1, 40)}", f"Suite {rnd.randint(100, 1900)}"])
    email_name = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    return {
        "name": f"{first} {last}",
        "email": f"{email_name.encode('ascii', 'ignore').decode()}{n}@example.com",
        "street": street,
        "unit": unit,
        "company": rnd.choice([""] * 8 + ["Teehaus Grün GmbH", "Okafor & Daughters LLC"]),
        "city": city,
        "province": province,
        "province_name": province_name,
        "zip": zip_maker(rnd),
        "country": country,
        "phone": f"{phone} {rnd.randint(200, 999)}-{rnd.randint(1000, 9999)}",
        "currency": currency,
        "offset": offset,
    }


def _order(rnd, col, width, number, items, customers, created):  # type: ignore[no-untyped-def]
    c = rnd.choice(customers)
    name = f"#{number}"
    stamp = f"{created:%Y-%m-%d %H:%M:%S} {c['offset']}"
    status = rnd.choice(STATUSES)
    chosen = [rnd.choice(PRODUCTS) for _ in range(items)]
    qtys = [rnd.choice((1, 1, 1, 2, 3)) for _ in chosen]
    subtotal = sum(Decimal(p) * q for (_, _, p), q in zip(chosen, qtys, strict=True))
    method, shipping = rnd.choice(SHIPPING)
    discount = (subtotal / 10).quantize(Decimal("0.01")) if rnd.random() < 0.15 else Decimal(0)
    taxes = (subtotal * Decimal("0.0725")).quantize(Decimal("0.01")) if rnd.random() < 0.3 else 0
    total = subtotal + Decimal(shipping) + taxes - discount
    refunded = {"refunded": total, "partially_refunded": chosen and Decimal(chosen[0][2])}
    paid_at = stamp if status in ("paid", "refunded", "partially_refunded") else ""
    cancelled = status == "voided" or (status == "refunded" and rnd.random() < 0.5)
    street = f"{c['street']}, {c['unit']}" if c["unit"] else c["street"]
    draft = rnd.random() < 0.02  # draft orders often leave Shipping blank
    rows = []
    for i, ((sku, title, price), qty) in enumerate(zip(chosen, qtys, strict=True)):
        row = [""] * width
        row[col["Name"]] = name
        row[col["Email"]] = c["email"]
        row[col["Created at"]] = stamp
        row[col["Lineitem quantity"]] = str(qty)
        row[col["Lineitem name"]] = title
        row[col["Lineitem price"]] = price
        row[col["Lineitem sku"]] = sku
        row[col["Lineitem requires shipping"]] = "true"
        row[col["Lineitem taxable"]] = "true"
        row[col["Lineitem fulfillment status"]] = "pending"
        row[col["Vendor"]] = "Leaf & Kettle"
        row[col["Lineitem discount"]] = "0.00"
        if i == 0:
            values = {
                "Financial Status": status,
                "Paid at": paid_at,
                "Fulfillment Status": "unfulfilled",
                "Accepts Marketing": rnd.choice(("no", "yes")),
                "Currency": c["currency"],
                "Subtotal": f"{subtotal:.2f}",
                "Shipping": shipping,
                "Taxes": f"{taxes:.2f}",
                "Total": f"{total:.2f}",
                "Discount Code": "WELCOME10" if discount else "",
                "Discount Amount": f"{discount:.2f}",
                "Shipping Method": method,
                "Notes": rnd.choice(NOTES) if rnd.random() < 0.1 else "",
                "Note Attributes": rnd.choice(ATTRIBUTES) if rnd.random() < 0.05 else "",
                "Cancelled at": stamp if cancelled else "",
                "Payment Method": "Shopify Payments",
                "Payment Reference": f"c{number}.1",
                "Refunded Amount": f"{refunded.get(status, Decimal(0)):.2f}",
                "Outstanding Balance": "0.00",
                "Id": str(6021334900000 + number),
                "Tags": rnd.choice(("", "", "", "vip", "wholesale, repeat")),
                "Risk Level": "Low",
                "Source": "shopify_draft_order" if draft else "web",
                "Payment ID": f"c{number}.1",
                "Payment References": f"c{number}.1",
                "Phone": c["phone"] if draft else "",
            }
            for block in ("Billing",) if draft else ("Billing", "Shipping"):
                values.update(
                    {
                        f"{block} Name": c["name"],
                        f"{block} Street": street,
                        f"{block} Address1": c["street"],
                        f"{block} Address2": c["unit"],
                        f"{block} Company": c["company"],
                        f"{block} City": c["city"],
                        f"{block} Zip": c["zip"],
                        f"{block} Province": c["province"],
                        f"{block} Country": c["country"],
                        f"{block} Phone": c["phone"],
                        f"{block} Province Name": c["province_name"],
                    }
                )
            for key, value in values.items():
                row[col[key]] = value
        rows.append(row)
    return rows


# --- the ceiling (runs in its own process) -------------------------------------------------

ORDER_COLUMNS = {  # orders column <- export column
    "channel_order_no": "Name",
    "payment_status": "Financial Status",
    "buyer_name": "Billing Name",
    "buyer_email": "Email",
    "buyer_phone": "Phone",
    "ship_name": "Shipping Name",
    "ship_company": "Shipping Company",
    "ship_street1": "Shipping Address1",
    "ship_street2": "Shipping Address2",
    "ship_city": "Shipping City",
    "ship_province": "Shipping Province",
    "ship_postal_code": "Shipping Zip",
    "ship_country": "Shipping Country",
    "ship_phone": "Shipping Phone",
    "service_level": "Shipping Method",
    "buyer_note": "Notes",
    "currency": "Currency",
    "subtotal": "Subtotal",
    "shipping_total": "Shipping",
    "tax_total": "Taxes",
    "discount_total": "Discount Amount",
    "total": "Total",
    "refunded_total": "Refunded Amount",
    "ordered_at": "Created at",
    "paid_at": "Paid at",
    "cancelled_at": "Cancelled at",
}
LINE_COLUMNS = {
    "sku": "Lineitem sku",
    "title": "Lineitem name",
    "quantity": "Lineitem quantity",
    "unit_price": "Lineitem price",
}


def ceiling(db: str, path: str, dtype: str = "str") -> None:
    """pandas in chunks, raw sqlite3 executemany, one transaction; no checks at all."""
    import pandas as pd

    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")  # noqa: UP017
    order_sql = (
        f"INSERT INTO orders (id, channel, state, imported_at, updated_at, fingerprint, source, "
        f"ship_district, {', '.join(ORDER_COLUMNS)}) VALUES (?, 'shopify', 'new', ?, ?, '', '', "
        f"'', {', '.join('?' * len(ORDER_COLUMNS))})"
    )
    line_sql = (
        f"INSERT INTO order_lines (order_id, line_no, {', '.join(LINE_COLUMNS)}) "
        f"VALUES (?, ?, {', '.join('?' * len(LINE_COLUMNS))})"
    )
    conn.execute("BEGIN IMMEDIATE")
    last_name, last_id, last_no = None, 0, 0
    # pandas 3 reads dtype=str into Arrow-backed strings; dtype=object is pandas 2's str.
    kind = str if dtype == "str" else object
    chunks = pd.read_csv(path, dtype=kind, keep_default_na=False, chunksize=CHUNK_ROWS)
    for df in chunks:
        names = df["Name"]
        starts = names.ne(names.shift(fill_value=last_name))
        ids = starts.cumsum() + last_id
        line_no = ids.groupby(ids).cumcount() + 1
        if not starts.iloc[0]:  # the order goes on from the previous chunk
            line_no[ids == last_id] += last_no
        first = df[starts]
        order_ids = ids[starts].tolist()
        n = len(order_ids)
        conn.executemany(
            order_sql,
            zip(
                order_ids,
                [now] * n,
                [now] * n,
                *(first[c].tolist() for c in ORDER_COLUMNS.values()),
                strict=True,
            ),
        )
        conn.executemany(
            line_sql,
            zip(
                ids.tolist(),
                line_no.tolist(),
                *(df[c].tolist() for c in LINE_COLUMNS.values()),
                strict=True,
            ),
        )
        last_name, last_id, last_no = names.iloc[-1], int(ids.iloc[-1]), int(line_no.iloc[-1])
    conn.execute("COMMIT")
    conn.close()


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    lines: int
    seconds: float  # wall, spawn to exit, start-up included
    cpu_seconds: float  # user + system, the child's own
    peak_mb: float  # the child's peak resident memory
    lines_per_s: float = 0.0
    ratio: float | None = None  # lines/s over the ceiling's in the same round


def measure(name: str, cmd: list[str], lines: int, log: Path) -> Run:
    """Run `cmd` alone; wall time from spawn to exit, CPU and peak RSS from its own rusage."""
    with log.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{name} failed (exit {child.returncode}):\n{log.read_text()[-2000:]}")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(name, lines, seconds, cpu, peak, lines / seconds)


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        lines = conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    return orders, lines


def state(db: Path) -> tuple[int, ...]:
    """What a re-import that changes nothing leaves as it was."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines),"
            " (SELECT count(*) FROM order_history), (SELECT max(updated_at) FROM orders)"
        ).fetchone()


def omsctl() -> list[str]:
    found = shutil.which("omsctl", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "omsctl"]


def fresh_database(path: Path) -> Path:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    subprocess.run(
        [*omsctl(), "--db", str(path), "--quiet", "init"], check=True, stdout=subprocess.DEVNULL
    )
    return path


def one_round(out: Path, export: Path, orders: int, lines: int, dtype: str) -> list[Run]:
    """Ceiling, import and re-import, one after another, each into a new database."""
    base, db = fresh_database(out / "ceiling.db"), fresh_database(out / "omsctl.db")
    runs = [
        measure(
            "ceiling",
            [sys.executable, __file__, "--ceiling-run", str(base), str(export), dtype],
            lines,
            out / "ceiling.log",
        )
    ]
    if counts(base) != (orders, lines):
        sys.exit(f"ceiling wrote {counts(base)}, expected {(orders, lines)}")
    importing = [*omsctl(), "--db", str(db), "--quiet", "import", str(export)]
    runs.append(measure("import", importing, lines, out / "import.log"))
    if counts(db) != (orders, lines):
        sys.exit(f"omsctl wrote {counts(db)}, expected {(orders, lines)}")
    before = state(db)
    runs.append(measure("reimport", importing, lines, out / "reimport.log"))
    if state(db) != before:
        sys.exit(f"the re-import changed the database: {before} -> {state(db)}")
    for run in runs:
        run.ratio = run.lines_per_s / runs[0].lines_per_s
    return runs


def export_counts(export: Path) -> tuple[int, int]:
    """(orders, lines) of an export this script wrote earlier (`--keep`)."""
    with export.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        name = next(rows).index("Name")
        numbers = [row[name] for row in rows]
    return len(set(numbers)), len(numbers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="line items to generate")
    parser.add_argument("--out", type=Path, help="folder for the export and the databases")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="measure N rounds and report the fastest of each run",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--ceiling-dtype",
        choices=("str", "object"),
        default="str",
        help="what the ceiling's read_csv reads into (pandas 3: str is Arrow-backed, slower)",
    )
    parser.add_argument("--ceiling-run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ceiling_run:
        ceiling(*args.ceiling_run)
        return 0

    out = args.out or Path(tempfile.mkdtemp(prefix="omsctl-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    export = out / "orders_export.csv"
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr))
    try:
        if args.keep and export.exists() and export_counts(export)[1] == args.lines:
            orders, lines = export_counts(export)
            say(f"reusing {export} ({lines:,} line items)")
        else:
            say(f"generating {args.lines:,} line items in {export} ...")
            started = time.perf_counter()
            orders, lines = generate(export, args.lines)
            say(
                f"  {orders:,} orders, {export.stat().st_size / 1e6:,.0f} MB,"
                f" {time.perf_counter() - started:.1f} s"
            )
        rounds = []
        for n in range(1, args.repeat + 1):
            say(f"round {n}/{args.repeat}: ceiling, import, reimport ...")
            rounds.append(one_round(out, export, orders, lines, args.ceiling_dtype))
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(out, ignore_errors=True)
        elif not args.keep:
            for name in ("orders_export.csv", "ceiling.db", "omsctl.db"):
                for path in out.glob(name + "*"):
                    path.unlink()

    # The fastest of the rounds: other processes on the machine only ever slow a run down.
    best = [min((r[i] for r in rounds), key=lambda run: run.seconds) for i in range(3)]
    for run in best:
        run.ratio = run.lines_per_s / best[0].lines_per_s
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    ceiling_is = f"pandas {metadata.version('pandas')} dtype={args.ceiling_dtype}"
    if args.json:
        print(
            json.dumps(
                {
                    "lines": lines,
                    "orders": orders,
                    "cpus": os.cpu_count(),
                    "load": load,
                    "ceiling": ceiling_is,
                    "best": [asdict(r) for r in best],
                    "rounds": [[asdict(r) for r in rs] for rs in rounds],
                },
                indent=2,
            )
        )
        return 0
    print(
        f"{lines:,} line items in {orders:,} orders; {os.cpu_count()} CPUs, load {load:.1f};"
        f" ceiling: {ceiling_is}"
        + (f"; fastest of {args.repeat} rounds" if args.repeat > 1 else "")
    )
    print(f"{'run':<10}{'lines/s':>10}{'seconds':>9}{'cpu s':>8}{'peak MB':>9}{'× ceiling':>11}")
    for r in best:
        print(
            f"{r.name:<10}{r.lines_per_s:>10,.0f}{r.seconds:>9.2f}{r.cpu_seconds:>8.2f}"
            f"{r.peak_mb:>9.0f}{r.ratio:>11.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
