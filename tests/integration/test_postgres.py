"""The way up to PostgreSQL: migrations, `db copy --to URL`, the daily commands, reservations.

Runs only when OMSCTL_TEST_PG_URL names a PostgreSQL server and a database to connect to
first, for example `postgresql+psycopg://omsctl@/postgres?host=/var/run/postgresql`; each
test creates its own database there (the role needs CREATEDB) and drops it afterwards.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from oms_backends import PostgreSQLBackend
from oms_testing import SAMPLES
from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url

from omsctl.services.context import Env
from omsctl.services.database import check_database
from omsctl.services.pg_backup import libpq_uri
from omsctl.store.db import SCHEMA_REVISION, current_revision, engine_for
from omsctl.store.migrate import upgrade
from omsctl.store.tables import metadata

SERVER = os.environ.get("OMSCTL_TEST_PG_URL", "")
pytestmark = pytest.mark.skipif(not SERVER, reason="OMSCTL_TEST_PG_URL is not set")


@pytest.fixture
def new_pg(isolated: Path) -> Iterator[Callable[[], URL]]:
    """Makes new, empty PostgreSQL databases for this test, dropped afterwards."""
    server = PostgreSQLBackend(SERVER)
    try:
        yield lambda: make_url(server.new_database(isolated.parent))
    finally:
        server.close()


@pytest.fixture
def pg(new_pg: Callable[[], URL]) -> URL:
    """A new, empty PostgreSQL database for this test."""
    return new_pg()


def config(folder: Path) -> str:
    return str(folder / "omsctl.toml")


def shop(oms, db: str, folder: Path, *, wave: bool = True) -> None:
    """Products, three warehouses, stock, the sample exports, review: a morning's data."""
    s = SAMPLES
    (folder / "omsctl.toml").write_text(
        (s / "omsctl.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    steps = [
        ("init",),
        ("products", "import", f"{s}/products.csv"),
        ("warehouses", "add", "HZ", "--name", "Hangzhou", "--country", "CN", "--priority", "10"),
        ("warehouses", "add", "BER", "--name", "Berlin", "--country", "DE", "--priority", "20"),
        ("warehouses", "add", "NJ", "--name", "New Jersey", "--country", "US", "--priority", "30"),
        ("stock", "import", f"{s}/stock.csv"),
        ("import", f"{s}/shopify/orders_export.csv", f"{s}/woocommerce/orders.csv",
         f"{s}/amazon/order-report.txt", f"{s}/ebay/orders-report.csv"),
        ("review",),
        ("waybills", "load", "--carrier", "DHL", f"{s}/waybills/dhl.txt"),
        ("waybills", "load", "--carrier", "SF", f"{s}/waybills/sf.txt"),
    ]  # fmt: skip
    if wave:
        steps.append(("wave", "create", "--max-orders", "10"))
    for args in steps:
        run = oms("--db", db, "--config", config(folder), *args)
        assert run.exit_code in (0, 3), (args, run.stderr)


def test_the_migrations_build_the_same_tables_on_postgresql(pg):
    assert upgrade(pg).to_revision == SCHEMA_REVISION
    assert current_revision(engine_for(pg)) == SCHEMA_REVISION
    with engine_for(pg).connect() as conn:
        names = set(conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )).scalars())  # fmt: skip
    assert names == {*metadata.tables, "alembic_version"}
    assert upgrade(pg).from_revision == SCHEMA_REVISION  # a second run changes nothing


def test_money_reads_back_as_it_was_written_after_the_columns_lose_their_scale(pg):
    from alembic import command

    from omsctl.store.migrate import _config

    upgrade(pg)
    engine = engine_for(pg)
    with engine.connect() as conn:  # back to the schema whose money was NUMERIC(18, 4)
        config = _config(pg)
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
        conn.commit()
    insert = text(
        "INSERT INTO products (sku, title, barcode, traits, reorder_point, safety_stock, weight_kg)"
        " VALUES (:sku, 'Tea', '', '', 0, 0, :kg)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"sku": "OLD", "kg": Decimal("0.25")})
    assert upgrade(pg).from_revision == "0007"
    with engine.begin() as conn:
        conn.execute(insert, {"sku": "NEW", "kg": Decimal("0.25")})
        weights = dict(conn.execute(text("SELECT sku, weight_kg::text FROM products")).all())
        scales = set(conn.execute(text(
            "SELECT numeric_scale FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = 'numeric'"
        )).scalars())  # fmt: skip
    assert scales == {None}
    # Padded before 0008 (an equal value; the written text is gone), as written after it.
    assert weights == {"OLD": "0.2500", "NEW": "0.25"}


def test_the_daily_commands_run_against_a_postgresql_url(oms, pg, tmp_path):
    url = pg.render_as_string(hide_password=False)
    shop(oms, url, tmp_path)
    labels = oms("--db", url, "--config", config(tmp_path), "labels", "--status", "picking", "-f", "zpl",
                 "-o", "-")  # fmt: skip
    assert labels.exit_code == 0, labels.stderr
    check = oms("--db", url, "db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    assert check.stderr.startswith(f"{pg.render_as_string(hide_password=True)}: ok — ")


def test_a_sqlite_database_copied_to_postgresql_keeps_every_row_and_passes_the_check(
    oms, pg, isolated
):
    shop(oms, str(isolated), isolated.parent)
    run = oms("--db", str(isolated), "db", "copy", "--to", pg.render_as_string(hide_password=False))
    assert run.exit_code == 0, run.stdout + run.stderr
    source, target = engine_for(Env(db=str(isolated)).url), engine_for(pg)
    for table in metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        with source.connect() as a, target.connect() as b:
            assert list(b.execute(query)) == list(a.execute(query)), table.name
    assert check_database(Env(db=pg.render_as_string(hide_password=False))).ok
    # Ids continue after the copied rows: the sequences were moved on.
    again = oms("--db", pg.render_as_string(hide_password=False), "warehouses", "add", "LON",
                "--name", "London", "--country", "GB")  # fmt: skip
    assert again.exit_code == 0, again.stderr


def test_a_copy_into_a_postgresql_database_that_holds_data_is_refused(oms, pg, isolated):
    shop(oms, str(isolated), isolated.parent)
    url = pg.render_as_string(hide_password=False)
    assert oms("--db", str(isolated), "db", "copy", "--to", url).exit_code == 0
    run = oms("--db", str(isolated), "db", "copy", "--to", url)
    assert run.exit_code == 1
    assert "is not empty (" in run.stderr and "copy into a new, empty database" in run.stderr


def test_db_check_finds_keys_that_point_nowhere_also_within_one_table(pg):
    from oms_testing import add_order

    from omsctl.store.checks import references_resolve

    upgrade(pg)
    env = Env(db=pg.render_as_string(hide_password=False), actor="tester")
    first, second = add_order(env, "#1"), add_order(env, "#2")
    engine = engine_for(pg)
    with engine.begin() as conn:  # a merge's link to an order that exists is fine
        conn.execute(text(f"UPDATE orders SET merged_into_id = {second} WHERE id = {first}"))
        assert list(references_resolve(conn)) == []
    with engine.begin() as conn:  # as after a restore with triggers off
        conn.execute(text("ALTER TABLE orders DROP CONSTRAINT fk_orders_merged_into_id_orders"))
        conn.execute(text(f"UPDATE orders SET merged_into_id = 424242 WHERE id = {first}"))
        assert [p.message for p in references_resolve(conn)] == [
            f"orders row {first} points at a missing orders"
        ]


def test_a_backup_of_a_postgresql_database_restores_into_an_equal_one(oms, new_pg, tmp_path):
    source = new_pg()
    url = source.render_as_string(hide_password=False)
    shop(oms, url, tmp_path)
    target = tmp_path / "backups" / "omsctl.dump"
    target.parent.mkdir()
    run = oms("--db", url, "db", "backup", str(target))
    assert run.exit_code == 0, run.stderr
    with engine_for(source).connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
    assert run.stderr.startswith(
        f"backed up {source.render_as_string(hide_password=True)} to {target}:"
        f" {orders} orders, schema {SCHEMA_REVISION}, "
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial file left

    restored = new_pg()
    uri, extra = libpq_uri(restored)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={uri}", str(target)],
                   check=True, env={**os.environ, **extra})  # fmt: skip
    for table in metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        with engine_for(source).connect() as a, engine_for(restored).connect() as b:
            assert list(b.execute(query)) == list(a.execute(query)), table.name
    check = oms("--db", restored.render_as_string(hide_password=False), "db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_a_postgresql_backup_without_pg_dump_says_what_to_install(oms, pg, tmp_path, monkeypatch):
    url = pg.render_as_string(hide_password=False)
    assert oms("--db", url, "init").exit_code == 0
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    run = oms("--db", url, "db", "backup", str(tmp_path / "omsctl.dump"))
    assert (run.exit_code, run.stderr) == (1,
        "error: db backup of a PostgreSQL database runs pg_dump, which is not on PATH;"
        " install PostgreSQL's client tools (Debian: apt install postgresql-client)\n")  # fmt: skip
    assert list(tmp_path.glob("*omsctl.dump*")) == []


#: Approves the orders named on its command line, one transaction each.
APPROVER = """
import sys
from omsctl.services.context import Env
from omsctl.services.order_actions import approve
env = Env(db=sys.argv[1], actor="approver")
report = approve(env, sys.argv[2:])
print(sum(o.ok for o in report.outcomes))
"""


def test_approvers_in_parallel_on_postgresql_never_oversell(oms, pg, tmp_path):
    url = pg.render_as_string(hide_password=False)
    shop(oms, url, tmp_path, wave=False)
    engine = engine_for(pg)
    with engine.begin() as conn:
        new = list(conn.execute(text(
            "SELECT channel_order_no FROM orders WHERE state IN ('new', 'on_hold') ORDER BY id"
        )).scalars())  # fmt: skip
    script = tmp_path / "approver.py"
    script.write_text(APPROVER, encoding="utf-8")
    processes = [
        subprocess.Popen([sys.executable, str(script), url, *new[n::2], *new[::-1]],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]  # fmt: skip
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    assert check_database(Env(db=url)).ok
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM stock_levels WHERE reserved > on_hand")
            ).scalar()
            == 0
        )
