"""Helpers the tests share, in a module of their own name: a conftest.py in a subfolder
would otherwise shadow the root one for `from conftest import ...`."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from oms_backends import Backend

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_data"


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


def stocked_database(backend: Backend, folder: Path, units: dict[str, int], now: datetime) -> str:
    """A migrated database with products and stock, built once for a module: each test then
    takes a copy (`own_copy`), which beats migrating and stocking for every test."""
    from omsctl.services.context import Env
    from omsctl.store.migrate import upgrade

    template = Env(db=backend.new_database(folder), actor="tester", now=lambda: now)
    upgrade(template.url)
    stock_up(template, folder, units)
    template.engine.dispose()
    return template.db


def own_copy(backend: Backend, source: str, folder: Path, now: datetime) -> object:
    """This test's copy of a database built once, named by OMSCTL_DB (set it from `.db`)."""
    from omsctl.services.context import Env

    return Env(db=backend.copy(source, folder), actor="tester", now=lambda: now)
