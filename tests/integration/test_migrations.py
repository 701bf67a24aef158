from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from omsctl.store.db import SCHEMA_REVISION, database_url, engine_for
from omsctl.store.migrate import head_revision, upgrade
from omsctl.store.tables import metadata


def test_the_code_expects_the_newest_migration():
    assert head_revision() == SCHEMA_REVISION


def test_init_twice_changes_nothing(backend):
    url = database_url(os.environ["OMSCTL_DB"])
    first = upgrade(url)
    schema = _schema(url)
    second = upgrade(url)
    created = backend.name == "sqlite"  # a PostgreSQL database exists before omsctl runs
    assert (first.created, first.from_revision, first.to_revision) == (
        created, None, SCHEMA_REVISION)  # fmt: skip
    assert (second.created, second.from_revision) == (False, SCHEMA_REVISION)
    assert _schema(url) == schema


def test_the_models_match_the_migrated_schema():
    url = database_url(os.environ["OMSCTL_DB"])
    upgrade(url)
    with engine_for(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


@pytest.mark.sqlite_only
def test_the_database_and_its_wal_files_are_private_to_their_owner(isolated: Path):
    upgrade(database_url(str(isolated)))
    files = [isolated, Path(f"{isolated}-wal"), Path(f"{isolated}-shm")]
    assert all(f.exists() for f in files)
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {"0o600"}


@pytest.mark.sqlite_only
def test_connections_use_wal_full_sync_and_foreign_keys(isolated: Path):
    url = database_url(str(isolated))
    upgrade(url)
    with engine_for(url).connect() as conn:
        pragmas = [
            conn.execute(text(f"PRAGMA {p}")).scalar()
            for p in ("journal_mode", "synchronous", "foreign_keys")
        ]
    assert pragmas == ["wal", 2, 1]


def _schema(url) -> dict[str, list[str]]:
    inspector = inspect(engine_for(url))
    return {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}


def test_upgrading_a_database_that_holds_orders_keeps_them():
    from alembic import command

    from omsctl.store.migrate import _config

    url = database_url(os.environ["OMSCTL_DB"])
    upgrade(url)
    engine = engine_for(url)
    with engine.connect() as conn:  # back to the oldest schema, then add data written by it
        config = _config(url)
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
        conn.commit()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (channel, channel_order_no, state, payment_status, buyer_name,"
                " buyer_email, buyer_phone, ship_name, ship_company, ship_street1, ship_street2,"
                " ship_district, ship_city, ship_province, ship_postal_code, ship_country, ship_phone,"
                " service_level, buyer_note, currency, subtotal, shipping_total, tax_total,"
                " discount_total, total, refunded_total, ordered_at, imported_at, updated_at)"
                " VALUES ('shopify', '#1001', 'new', 'paid', 'Lena', '', '', 'Lena', '', 'Hauptstr. 1',"
                " '', '', 'Berlin', '', '01067', 'DE', '', '', '', 'EUR', '10.00', '0', '0', '0',"
                " '10.00', '0', '2026-11-19 08:30:00', '2026-11-19 08:30:00', '2026-11-19 08:30:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO order_lines (order_id, line_no, sku, title, quantity,"
                " unit_price) VALUES (1, 1, '0012-SET', 'Set', 1, '10.00')"
            )
        )
    result = upgrade(url)
    assert (result.from_revision, result.to_revision) == ("0001", SCHEMA_REVISION)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT channel_order_no, ship_postal_code, total, fingerprint FROM orders")
        ).one()
        line = conn.execute(text("SELECT sku FROM order_lines WHERE order_id = 1")).scalar()
    number, postal_code, total, fingerprint = row
    assert (number, postal_code, fingerprint) == ("#1001", "01067", "")
    assert Decimal(str(total)) == Decimal("10.00")  # PostgreSQL's 0001 padded it to 10.0000
    assert line == "0012-SET"
