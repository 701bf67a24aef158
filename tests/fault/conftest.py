"""Shared machinery of the fault tests: a shop to set up, exports to generate, omsctl to run
in real processes, and a way to tell from outside when a process is inside its write.

Helpers are handed out as fixtures (`fault`), because a second `conftest` module cannot be
imported by name next to tests/conftest.py.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from oms_day import one

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
SHOPIFY_SAMPLE = SAMPLES / "shopify" / "orders_export.csv"

#: Stocked SKUs the generated orders buy, with a unit price.
SKUS = (
    ("TEA-LJ-100", "18.50"),
    ("TEA-DHP-50", "16.00"),
    ("TEA-JAS-100", "21.00"),
    ("CUP-CEL-02", "24.00"),
    ("TEA-SL-50", "32.00"),
    ("TEA-GM-30", "28.00"),
)

#: The sample shop's sender, and one rule: every parcel goes DHL, numbers from a pool.
SETTINGS = """
[sender]
name = "Leaf & Kettle Tea Co."
street1 = "Bergmannstraße 12"
city = "Berlin"
postal_code = "10961"
country = "DE"
phone = "+49 30 1234567"

[[carriers.rules]]
name = "everything"
carrier = "DHL"
service = "EXPRESS"
"""


def omsctl(db: Path | str, *args: str) -> list[str]:
    return [sys.executable, "-m", "omsctl", "--db", str(db), *args]


def run_omsctl(db: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        omsctl(db, *args), capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass(frozen=True, slots=True)
class Export:
    path: Path
    orders: int
    lines: int
    units: dict[str, int]


def shopify_export(path: Path, numbers: Sequence[int], *, seed: int) -> Export:
    """Clean, paid orders of 1-3 stocked SKUs, each buyer and address different.

    Review approves these unless stock runs out, so what decides is who reserves first.
    """
    with SHOPIFY_SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    col = {name: i for i, name in enumerate(header)}
    rnd = random.Random(seed)
    units: dict[str, int] = {}
    lines = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for number in numbers:
            chosen = rnd.sample(SKUS, rnd.randint(1, 3))
            qtys = [rnd.randint(1, 2) for _ in chosen]
            subtotal = sum(float(p) * q for (_, p), q in zip(chosen, qtys, strict=True))
            stamp = f"2026-11-19 {8 + number % 10:02d}:{number % 60:02d}:00 +0100"
            for i, ((sku, price), qty) in enumerate(zip(chosen, qtys, strict=True)):
                lines += 1
                units[sku] = units.get(sku, 0) + qty
                row = [""] * len(header)
                values = {
                    "Name": f"#{number}",
                    "Email": f"buyer{number}@example.de",
                    "Created at": stamp,
                    "Lineitem quantity": str(qty),
                    "Lineitem name": sku,
                    "Lineitem price": price,
                    "Lineitem sku": sku,
                    "Lineitem requires shipping": "true",
                    "Lineitem fulfillment status": "pending",
                }
                if i == 0:
                    street = f"Bergmannstraße {number % 180 + 1}, WE {number}"
                    values |= {
                        "Financial Status": "paid",
                        "Paid at": stamp,
                        "Fulfillment Status": "unfulfilled",
                        "Currency": "EUR",
                        "Subtotal": f"{subtotal:.2f}",
                        "Shipping": "0.00",
                        "Taxes": "0.00",
                        "Total": f"{subtotal:.2f}",
                        "Shipping Method": "Standard",
                        "Id": str(7000000000 + number),
                    }
                    for block in ("Billing", "Shipping"):
                        values |= {
                            f"{block} Name": f"Lena Hoffmann {number}",
                            f"{block} Street": street,
                            f"{block} Address1": street,
                            f"{block} City": "Berlin",
                            f"{block} Zip": "'10961",
                            f"{block} Country": "DE",
                            f"{block} Phone": f"+49 30 {2000000 + number:08d}",
                        }
                for key, value in values.items():
                    row[col[key]] = value
                out.writerow(row)
    return Export(path, len(numbers), lines, units)


def benchmark_export(path: Path, lines: int) -> tuple[int, int]:
    """A realistic Shopify export from benchmarks/import_shopify.py: (orders, lines)."""
    spec = importlib.util.spec_from_file_location(
        "omsctl_benchmark_import_shopify", REPO / "benchmarks" / "import_shopify.py"
    )
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:  # its dataclasses look their module up by name
        module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module.generate(path, lines)  # type: ignore[no-any-return]


def set_up_shop(db: Path | str, folder: Path, stock: dict[str, int], *, waybills: int) -> None:
    """Initialised database, settings, products, two Berlin bins per SKU and a DHL pool.

    The settings go into `folder`: beside a SQLite file, or the folder commands run in for a
    database named by URL."""
    from omsctl.services.catalog import import_products
    from omsctl.services.context import Env
    from omsctl.services.stocking import import_stock
    from omsctl.services.warehouses import add_warehouse
    from omsctl.services.waybills import load_numbers
    from omsctl.store.migrate import upgrade

    (folder / "omsctl.toml").write_text(SETTINGS, encoding="utf-8")
    env = Env(db=str(db), actor="setup")
    upgrade(env.url)
    import_products(env, SAMPLES / "products.csv")
    add_warehouse(env, "BER", "Berlin", "DE")
    rows = []
    for n, (sku, units) in enumerate(sorted(stock.items()), start=1):
        first = units // 2
        rows += [f"{sku},BER,A-{n:02d}-1,{first}\n", f"{sku},BER,B-{n:02d}-1,{units - first}\n"]
    stock_file = folder / "stock.csv"
    stock_file.write_text("sku,warehouse,location,on_hand\n" + "".join(rows), encoding="utf-8")
    import_stock(env, stock_file, add=True)
    pool = folder / "dhl.txt"
    pool.write_text("".join(f"JJD{n:012d}\n" for n in range(1, waybills + 1)), encoding="utf-8")
    load_numbers(env, "DHL", pool)
    env.engine.dispose()


def writing(db: Path) -> bool:
    """Whether some process holds the write lock: it is inside a write transaction now.

    Asks SQLite itself, with no waiting: BEGIN IMMEDIATE fails at once while another
    connection writes, and is rolled back at once when nobody does.
    """
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    else:
        conn.execute("ROLLBACK")
        return False
    finally:
        conn.close()


def wait_until_writing(db: Path, process: subprocess.Popen[bytes], limit: float = 60) -> float:
    """Poll until `process` is inside its write transaction; returns when that was seen."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before writing")
        if writing(db):
            return time.monotonic()
        time.sleep(0.002)
    raise AssertionError("the process never started writing")


def fresh_copy(template: Path, target: Path) -> Path:
    """A new database file from a quiescent template (no -wal beside it), for one trial."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.write_bytes(template.read_bytes())
    os.chmod(target, 0o600)
    (target.parent / "omsctl.toml").write_text(
        (template.parent / "omsctl.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return target


def checkpointed(db: Path) -> None:
    """Fold the -wal into the file and remove it, so the file alone is the database."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def count(db: Path | str, query: str) -> int:
    """One number from the database, on either backend."""
    (value,) = one(db, query)
    return int(value)


def check(db: Path | str) -> list[str]:
    """`omsctl db check`'s problems, as the lines it prints (empty when all is well)."""
    from omsctl.services.context import Env
    from omsctl.services.database import check_database

    env = Env(db=str(db))
    try:
        report = check_database(env)
    finally:
        env.engine.dispose()
    return [f"{p.check}: {p.message}" for p in report.problems]


class Fault:
    """The helpers above, as one fixture."""

    omsctl = staticmethod(omsctl)
    run_omsctl = staticmethod(run_omsctl)
    shopify_export = staticmethod(shopify_export)
    benchmark_export = staticmethod(benchmark_export)
    set_up_shop = staticmethod(set_up_shop)
    writing = staticmethod(writing)
    wait_until_writing = staticmethod(wait_until_writing)
    fresh_copy = staticmethod(fresh_copy)
    checkpointed = staticmethod(checkpointed)
    count = staticmethod(count)
    check = staticmethod(check)


@pytest.fixture
def fault() -> type[Fault]:
    return Fault


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Child processes inherit the test's environment: keep it the test's own."""
    monkeypatch.delenv("OMSCTL_CONFIG", raising=False)
