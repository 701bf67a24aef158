"""Every test runs against its own database and settings in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_data"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point OMSCTL_DB at a temporary file so no test touches a real database."""
    db = tmp_path / "omsctl.db"
    monkeypatch.setenv("OMSCTL_DB", str(db))
    monkeypatch.delenv("OMSCTL_CONFIG", raising=False)
    monkeypatch.setenv("OMSCTL_USER", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return db


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def oms() -> object:
    """Run omsctl in-process: `oms("orders", "list", "--json")` -> Run."""
    from omsctl.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def env(isolated: Path) -> Iterator[object]:
    """An initialised database and the service environment that points at it."""
    from omsctl.services.context import Env
    from omsctl.store.migrate import upgrade

    environment = Env(
        db=str(isolated), actor="tester", now=lambda: datetime(2026, 11, 20, 9, tzinfo=UTC)
    )
    upgrade(environment.url)
    yield environment
    environment.engine.dispose()


def add_order(
    env: object,
    number: str,
    *,
    channel: str = "shopify",
    state: str = "new",
    lines: tuple[tuple[str, int, str], ...] = (("TEA-LJ-100", 2, "12.50"),),
    country: str = "DE",
) -> int:
    """Insert an order straight into the tables (for tests that are not about importing)."""
    from omsctl.store.tables import Order, OrderLine

    at = datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
    with env.uow() as uow:  # type: ignore[attr-defined]
        order = Order(
            channel=channel,
            channel_order_no=number,
            state=state,
            payment_status="paid",
            buyer_name="Lena Hoffmann",
            buyer_email="lena@example.de",
            ship_name="Lena Hoffmann",
            ship_street1="Bergmannstraße 12",
            ship_city="Berlin",
            ship_postal_code="10961",
            ship_country=country,
            currency="EUR",
            total=sum((Decimal(p) * q for _, q, p in lines), Decimal("0")),
            ordered_at=at,
            paid_at=at,
            imported_at=at,
            updated_at=at,
        )
        uow.session.add(order)
        uow.session.flush()
        for i, (sku, qty, price) in enumerate(lines, start=1):
            uow.session.add(
                OrderLine(
                    order_id=order.id,
                    line_no=i,
                    sku=sku,
                    title=sku,
                    quantity=qty,
                    unit_price=Decimal(price),
                )
            )
        uow.commit()
        assert order.id is not None
        return order.id


def stock_up(
    env: object, tmp: Path, units: dict[str, int], *, warehouse: str = "BER", country: str = "DE"
) -> None:
    """Products, a warehouse and stock through the real services, for tests that approve."""
    from omsctl.services.catalog import import_products
    from omsctl.services.stocking import import_stock
    from omsctl.services.warehouses import add_warehouse, list_warehouses

    products = tmp / f"products-{warehouse}.csv"
    products.write_text(
        "sku,title\n" + "".join(f"{sku},{sku}\n" for sku in units), encoding="utf-8"
    )
    import_products(env, products)  # type: ignore[arg-type]
    if warehouse not in {w.code for w in list_warehouses(env)}:  # type: ignore[arg-type]
        add_warehouse(env, warehouse, warehouse, country)  # type: ignore[arg-type]
    stock = tmp / f"stock-{warehouse}.csv"
    stock.write_text(
        "sku,warehouse,location,on_hand\n"
        + "".join(
            f"{sku},{warehouse},A-01-{n},{qty}\n" for n, (sku, qty) in enumerate(units.items(), 1)
        ),
        encoding="utf-8",
    )
    import_stock(env, stock, add=True)  # type: ignore[arg-type]
