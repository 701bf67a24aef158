"""A day's work in a database, and raw SQL on it behind omsctl's back, for the `db` tool tests.

`build_day` runs the demo's day through the CLI into a database of its own (SQLite file or
PostgreSQL database, whichever the session's `backend` makes); a test module builds it once
(a module-scoped fixture) and gives each test `day_copy` of it. `sql`/`one` go through
SQLAlchemy, so the damage a test does works on either database. Plain functions rather than
fixtures: a fixture imported into a test module reads as an unused import to linters, and a
conftest.py would hand a fixture named `db` to every module in the folder.
"""

from __future__ import annotations

from pathlib import Path

from oms_backends import Backend, dispose
from oms_testing import SAMPLES
from sqlalchemy import create_engine, text


def build_day(backend: Backend, folder: Path) -> str:
    """A database after a day's work: new, held, approved, cancelled, picking, shipped."""
    from typer.testing import CliRunner

    from omsctl.cli.app import app

    db: str = backend.new_database(folder)
    config = folder / "omsctl.toml"
    config.write_text((SAMPLES / "omsctl.toml").read_text(encoding="utf-8"), encoding="utf-8")
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(
            app, ["--db", db, "--config", str(config), *args], catch_exceptions=False
        )
        assert result.exit_code in (0, 3), (args, result.stderr)

    s = SAMPLES
    run("init")
    run("products", "import", f"{s}/products.csv")
    for code, country in (("HZ", "CN"), ("BER", "DE"), ("NJ", "US")):
        run("warehouses", "add", code, "--name", code, "--country", country)
    run("stock", "import", f"{s}/stock.csv")
    run("import", f"{s}/shopify/orders_export.csv", f"{s}/woocommerce/orders.csv",
        f"{s}/amazon/order-report.txt", f"{s}/ebay/orders-report.csv",
        f"{s}/etsy/EtsySoldOrders.csv", f"{s}/etsy/EtsySoldOrderItems.csv",
        f"{s}/taobao/ExportOrderList.csv", f"{s}/taobao/ExportOrderDetailList.csv")  # fmt: skip
    run("review")
    run("cancel", "#1003", "--note", "refunded on Shopify")
    run("waybills", "load", "--carrier", "DHL", f"{s}/waybills/dhl.txt")
    run("waybills", "load", "--carrier", "SF", f"{s}/waybills/sf.txt")
    run("wave", "create", "--max-orders", "10")
    run("labels", "--status", "picking", "-f", "zpl", "-o", str(folder / "labels.zpl"))
    # Ship one parcel: scan its units, record the number its label carries.
    order_id, number, tracking = one(
        db,
        """
        SELECT o.id, o.channel_order_no, s.tracking_number FROM orders o
        JOIN shipments s ON s.order_id = o.id
        WHERE o.state = 'picking' AND s.carrier = 'DHL' ORDER BY o.id LIMIT 1""",
    )
    lines = sql(
        db, f"SELECT sku, quantity FROM order_lines WHERE order_id = {order_id} ORDER BY line_no"
    )
    run("pack", number, *(arg for sku, qty in lines for arg in ["--scan", sku] * qty))
    run("track", "add", number, tracking, "--carrier", "DHL")
    states = {state for (state,) in sql(db, "SELECT DISTINCT state FROM orders")}
    assert {"on_hold", "cancelled", "picking", "shipped"} <= states, states
    dispose(db)
    return db


def day_copy(backend: Backend, day: str, folder: Path) -> Path | str:
    """This test's own copy of the day: a `Path` on SQLite (tests open the file), else a URL."""
    dispose(day)  # PostgreSQL copies a template only while nothing is connected to it
    db: str = backend.copy(day, folder)
    return Path(db) if backend.name == "sqlite" else db


def sql(db: Path | str, *statements: str) -> list[tuple]:
    """Change the database behind omsctl's back (the damage a bug or a crash could do).

    The statements run in order on one connection in autocommit mode (so a `PRAGMA` or `SET`
    holds for the ones after it); returns the rows of the last one.
    """
    from omsctl.store.db import database_url

    engine = create_engine(database_url(str(db)), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            rows: list[tuple] = []
            for statement in statements:
                result = conn.execute(text(statement))
                rows = [tuple(row) for row in result] if result.returns_rows else []
            return rows
    finally:
        engine.dispose()


def one(db: Path | str, query: str) -> tuple:
    (row,) = sql(db, query)
    return row


def is_sqlite(db: Path | str) -> bool:
    from omsctl.store.db import database_url

    return database_url(str(db)).get_backend_name() == "sqlite"
