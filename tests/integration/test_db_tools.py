"""`omsctl db check | backup | copy | purge-personal` against a real day's database.

One day of work (the demo's imports and review, then waves, labels from the waybill pools,
packing and a shipped parcel) is built once per module; each test gets its own copy of it,
taken with `db backup` itself.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from oms_testing import SAMPLES, add_order
from typer.testing import CliRunner

from omsctl.services.context import Env
from omsctl.services.database import backup_database, check_database, copy_database
from omsctl.services.privacy import PERSONAL, purge_personal
from omsctl.store.db import SCHEMA_REVISION
from omsctl.store.tables import metadata


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database after a day's work: new, held, approved, cancelled, picking, shipped."""
    from omsctl.cli.app import app

    folder = tmp_path_factory.mktemp("day")
    db = folder / "omsctl.db"
    (folder / "omsctl.toml").write_text(
        (SAMPLES / "omsctl.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)
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
    lines = sql(db, f"SELECT sku, quantity FROM order_lines WHERE order_id = {order_id}")
    run("pack", number, *(arg for sku, qty in lines for arg in ["--scan", sku] * qty))
    run("track", "add", number, tracking, "--carrier", "DHL")
    states = {state for (state,) in sql(db, "SELECT DISTINCT state FROM orders")}
    assert {"on_hold", "cancelled", "picking", "shipped"} <= states, states
    return db


@pytest.fixture
def db(day: Path, isolated: Path) -> Path:
    """This test's own copy of the day, at the path OMSCTL_DB names."""
    backup_database(Env(db=str(day)), isolated)
    return isolated


def sql(db: Path, *statements: str) -> list[tuple]:
    """Change the database behind omsctl's back (the damage a bug or a crash could do)."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        rows: list[tuple] = []
        for statement in statements:
            rows = conn.execute(statement).fetchall()
        return rows
    finally:
        conn.close()


def one(db: Path, query: str) -> tuple:
    (row,) = sql(db, query)
    return row


# --- check ---------------------------------------------------------------------------------


def test_a_day_of_work_passes_the_check_with_a_one_line_summary(oms, db):
    run = oms("db", "check")
    assert (run.exit_code, run.stdout) == (0, "")
    orders, history = one(
        db, "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_history)"
    )
    assert run.stderr.startswith(f"{db}: ok — {orders} orders, {history} history rows, ")
    assert run.stderr.endswith("shipments; every invariant holds\n")
    assert run.stderr.count("\n") == 1


def test_a_quiet_check_of_a_healthy_database_prints_nothing(oms, db):
    run = oms("--quiet", "db", "check")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")


def reserved_off_by_one(db: Path) -> list[str]:
    sku, bin_, reserved = one(
        db,
        """
        SELECT l.sku, w.code || '/' || c.code, l.reserved FROM stock_levels l
        JOIN locations c ON c.id = l.location_id JOIN warehouses w ON w.id = c.warehouse_id
        WHERE l.reserved > 0 AND l.reserved < l.on_hand ORDER BY l.sku, l.location_id LIMIT 1""",
    )
    sql(
        db,
        f"UPDATE stock_levels SET reserved = reserved + 1 WHERE sku = '{sku}' AND reserved = {reserved}",
    )
    return [
        f"reserved: stock {sku} at {bin_}: reserved {reserved + 1}, but its live reservations add up to {reserved}"
    ]


def units_found_outside_the_ledger(db: Path) -> list[str]:
    sku, bin_, on_hand = one(
        db,
        """
        SELECT l.sku, w.code || '/' || c.code, l.on_hand FROM stock_levels l
        JOIN locations c ON c.id = l.location_id JOIN warehouses w ON w.id = c.warehouse_id
        WHERE l.reserved = 0 ORDER BY l.sku, l.location_id LIMIT 1""",
    )
    sql(
        db,
        f"UPDATE stock_levels SET on_hand = on_hand + 2 WHERE sku = '{sku}' AND reserved = 0 AND on_hand = {on_hand}",
    )
    return [
        f"ledger: stock {sku} at {bin_}: on hand {on_hand + 2}, but the stock ledger adds up to {on_hand}"
    ]


def oversold(db: Path) -> list[str]:
    level, sku, bin_, on_hand, reserved = one(
        db,
        """
        SELECT l.id, l.sku, w.code || '/' || c.code, l.on_hand, l.reserved FROM stock_levels l
        JOIN locations c ON c.id = l.location_id JOIN warehouses w ON w.id = c.warehouse_id
        WHERE l.reserved > 1 ORDER BY l.sku, l.location_id LIMIT 1""",
    )
    # The table's CHECK forbids this; a database written by something else need not have it.
    sql(db, "PRAGMA ignore_check_constraints=ON",
        f"UPDATE stock_levels SET on_hand = {reserved - 1} WHERE id = {level}")  # fmt: skip
    return [
        "integrity: CHECK constraint failed in stock_levels",
        f"available: stock {sku} at {bin_}: on hand {reserved - 1}, reserved {reserved}, available -1",
        f"ledger: stock {sku} at {bin_}: on hand {reserved - 1}, but the stock ledger adds up to {on_hand}",
    ]


def state_changed_without_history(db: Path) -> list[str]:
    order_id, number = one(
        db, "SELECT id, channel_order_no FROM orders WHERE state = 'on_hold' ORDER BY id LIMIT 1"
    )
    (action,) = one(
        db, f"SELECT action FROM order_history WHERE order_id = {order_id} ORDER BY id DESC LIMIT 1"
    )
    sql(db, f"UPDATE orders SET state = 'cancelled' WHERE id = {order_id}")
    channel = one(db, f"SELECT channel FROM orders WHERE id = {order_id}")[0]
    return [
        f"history: order {channel} {number} (id {order_id}) is cancelled but its last history row ({action}) ends in on_hold"
    ]


def history_row_lost(db: Path) -> list[str]:
    order_id, channel, number = one(
        db,
        """
        SELECT o.id, o.channel, o.channel_order_no FROM orders o WHERE o.state = 'picking'
        ORDER BY o.id LIMIT 1""",
    )
    rows = sql(
        db,
        f"SELECT id, action, from_state, to_state FROM order_history WHERE order_id = {order_id} ORDER BY id",
    )
    lost = next(
        n for n, row in enumerate(rows) if n and row[3] == "approved" and row[2] != "approved"
    )
    sql(db, f"DELETE FROM order_history WHERE id = {rows[lost][0]}")
    _, action, from_state, _ = rows[lost + 1]
    before = rows[lost - 1][3]
    return [
        f"history: order {channel} {number} (id {order_id}): history row {action} starts from {from_state}, but the row before it ended in {before} (a state change without its history row)"
    ]


def order_without_history(db: Path) -> list[str]:
    env = Env(db=str(db))
    order_id = add_order(env, "#9001")
    env.engine.dispose()
    return [f"history: order shopify #9001 (id {order_id}) is new but has no history row at all"]


def shipped_without_tracking(db: Path) -> list[str]:
    order_id, channel, number = one(
        db,
        "SELECT id, channel, channel_order_no FROM orders WHERE state = 'on_hold' ORDER BY id LIMIT 1",
    )
    sql(db, f"UPDATE orders SET state = 'shipped' WHERE id = {order_id}",
        "INSERT INTO order_history (order_id, at, actor, action, from_state, to_state, detail)"
        f" VALUES ({order_id}, '2026-11-20 09:00:00.000000', 'bug', 'ship', 'on_hold', 'shipped', '')")  # fmt: skip
    return [
        f"shipment: order {channel} {number} (id {order_id}) is shipped but has no shipment with a tracking number"
    ]


def one_number_on_two_labels(db: Path) -> list[str]:
    (number,) = one(
        db,
        "SELECT tracking_number FROM label_prints WHERE tracking_number != '' ORDER BY id LIMIT 1",
    )
    (other,) = one(
        db,
        f"SELECT order_id FROM label_prints WHERE tracking_number != '{number}' ORDER BY id LIMIT 1",
    )
    sql(db, "INSERT INTO label_prints (order_id, at, actor, format, tracking_number, reprint)"
        f" VALUES ({other}, '2026-11-20 09:00:00.000000', 'bug', 'zpl', '{number}', 0)")  # fmt: skip
    return [f"tracking: tracking number {number} was printed on the labels of 2 different orders"]


def order_in_two_waves(db: Path) -> list[str]:
    order_id, channel, number, wave = one(
        db,
        """
        SELECT o.id, o.channel, o.channel_order_no, m.wave_id FROM wave_orders m
        JOIN orders o ON o.id = m.order_id ORDER BY m.id LIMIT 1""",
    )
    (other,) = one(db, f"SELECT max(id) FROM waves WHERE id != {wave}")
    sql(db, "DROP INDEX uq_wave_orders_live_order",
        "INSERT INTO wave_orders (wave_id, order_id, tote, added_at)"
        f" VALUES ({other}, {order_id}, 99, '2026-11-20 09:00:00.000000')")  # fmt: skip
    first, last = sorted((wave, other))
    return [
        f"waves: order {channel} {number} (id {order_id}) is in 2 live waves (wave ids {first} … {last})"
    ]


def approved_but_still_in_a_wave(db: Path) -> list[str]:
    # What `approve` of a picking order did before it was refused (found by the
    # concurrency test): back to approved, still in its wave.
    order_id, channel, number, wave = one(
        db,
        """
        SELECT o.id, o.channel, o.channel_order_no, m.wave_id FROM orders o
        JOIN wave_orders m ON m.order_id = o.id WHERE o.state = 'picking' ORDER BY o.id LIMIT 1""",
    )
    sql(db, f"UPDATE orders SET state = 'approved' WHERE id = {order_id}",
        "INSERT INTO order_history (order_id, at, actor, action, from_state, to_state, detail)"
        f" VALUES ({order_id}, '2026-11-20 09:00:00.000000', 'bug', 'approve', 'picking', 'approved', '')")  # fmt: skip
    return [
        f"waves: order {channel} {number} (id {order_id}) is approved but still in wave id {wave} (taken out without `wave remove`)"
    ]


def dangling_reference(db: Path) -> list[str]:
    (rowid,) = one(db, "SELECT max(id) + 1 FROM reservations")
    sql(db, "PRAGMA foreign_keys=OFF",
        "INSERT INTO reservations (id, order_id, sku, location_id, quantity) VALUES"
        f" ({rowid}, 424242, 'TEA-LJ-100', 987654, 1)")  # fmt: skip
    return [
        f"integrity: reservations row {rowid} points at a missing orders",
        f"integrity: reservations row {rowid} points at a missing locations",
        "reserved: stock TEA-LJ-100 at location #987654: reserved 0, but its live reservations add up to 1",
    ]


@pytest.mark.parametrize(
    "damage",
    [
        reserved_off_by_one,
        units_found_outside_the_ledger,
        oversold,
        state_changed_without_history,
        history_row_lost,
        order_without_history,
        shipped_without_tracking,
        one_number_on_two_labels,
        order_in_two_waves,
        approved_but_still_in_a_wave,
        dangling_reference,
    ],
)
def test_the_check_names_each_broken_invariant_with_its_numbers_and_exits_1(oms, db, damage):
    expected = damage(db)
    run = oms("db", "check")
    assert run.exit_code == 1
    assert sorted(run.stdout.splitlines()) == sorted(expected)
    assert run.stderr == (
        f"error: {db} breaks {len(expected)} invariant(s), listed above; restore the last good"
        " backup or ask for help before writing more\n"
    )


def test_the_check_as_json_gives_scripts_every_problem(oms, db):
    expected = reserved_off_by_one(db)
    run = oms("db", "check", "--json")
    assert run.exit_code == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False and report["database"] == str(db)
    assert [f"{p['check']}: {p['message']}" for p in report["problems"]] == expected
    assert set(report["counts"]) == {
        "orders", "history", "stock_levels", "movements", "reservations", "shipments"}  # fmt: skip


def test_a_damaged_file_fails_the_check(oms, db):
    # Overwrite a page in the middle of the file: SQLite's own check must notice.
    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    (page_size,) = one(db, "PRAGMA page_size")
    (pages,) = one(db, "PRAGMA page_count")
    with db.open("r+b") as fh:
        fh.seek(page_size * (pages // 2))
        fh.write(b"\xa5" * page_size)
    run = oms("db", "check")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: ")
    assert "Traceback" not in run.stdout + run.stderr


# --- backup --------------------------------------------------------------------------------


def test_a_backup_is_one_private_file_that_passes_the_check(oms, db, tmp_path):
    target = tmp_path / "backups" / "omsctl-2026-11-20.db"
    target.parent.mkdir()
    run = oms("db", "backup", str(target))
    assert run.exit_code == 0
    (orders,) = one(db, "SELECT count(*) FROM orders")
    assert run.stderr.startswith(f"backed up {db} to {target}: {orders} orders, schema {SCHEMA_REVISION}, ")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no -wal, no partial
    assert one(target, "PRAGMA journal_mode") == ("delete",)
    assert check_database(Env(db=str(target))).ok


def test_a_backup_never_overwrites_unless_told(oms, db, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"yesterday")
    run = oms("db", "backup", str(target))
    assert (run.exit_code, run.stderr) == (
        1, f"error: {target} exists already; pass --force to replace it\n")  # fmt: skip
    assert target.read_bytes() == b"yesterday"
    assert oms("db", "backup", str(target), "--force").exit_code == 0
    assert check_database(Env(db=str(target))).ok


def test_a_backup_of_no_database_or_into_itself_is_refused(oms, db, tmp_path):
    missing = tmp_path / "nothing.db"
    run = oms("--db", str(missing), "db", "backup", str(tmp_path / "x.db"))
    assert (run.exit_code, run.stderr) == (
        1, f"error: no database at {missing}; check --db or OMSCTL_DB\n")  # fmt: skip
    run = oms("db", "backup", str(db))
    assert (run.exit_code, run.stderr) == (
        2, "error: the backup cannot be the database itself; name another file\n")  # fmt: skip
    run = oms("--db", "postgresql+psycopg://shop@db.example/oms", "db", "backup", "x.db")
    assert run.exit_code == 2
    assert run.stderr == (
        "error: db backup copies SQLite files, not postgresql+psycopg://shop@db.example/oms;"
        " back a PostgreSQL database up with pg_dump\n"
    )


#: Imports a fresh copy of the Shopify sample (new order numbers each time), one transaction
#: per import, as fast as it can; says "writing" after its first commit.
WRITER = """
import csv, io, sys
from pathlib import Path
from omsctl.services.context import Env
from omsctl.services.importing import import_files
db, sample, folder, rounds = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
rows = list(csv.reader(io.StringIO(sample.read_text(encoding="utf-8-sig"))))
env = Env(db=db, actor="writer")
for n in range(rounds):
    export = folder / f"export-{n}.csv"
    with export.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(rows[0])
        out.writerows([[f"#W{n}-{row[0].lstrip('#')}", *row[1:]] for row in rows[1:]])
    report = import_files(env, [str(export)])
    assert report.rejects == [], report.rejects
    print("writing" if n == 0 else n, flush=True)
"""


def test_a_backup_taken_while_another_process_writes_restores_to_a_consistent_database(
    db, tmp_path
):
    sample = SAMPLES / "shopify" / "orders_export.csv"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    (before,) = one(db, "SELECT count(*) FROM orders")
    writer = subprocess.Popen(
        [sys.executable, str(script), str(db), str(sample), str(tmp_path), "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    backups = []
    env = Env(db=str(db))
    while writer.poll() is None or not backups:
        target = tmp_path / f"backup-{len(backups)}.db"
        backups.append(backup_database(env, target))
        time.sleep(0.05)
    _, err = writer.communicate()
    assert (writer.returncode, err) == (0, "")
    per_import = one(db, "SELECT count(*) FROM orders")[0] - before
    assert per_import % 40 == 0
    per_import //= 40
    seen = []
    for done in backups:
        restored = tmp_path / f"restored-{Path(done.target).stem}.db"
        backup_database(Env(db=done.target), restored)  # the documented restore
        report = check_database(Env(db=str(restored)))
        assert report.problems == ()
        assert (report.counts.orders - before) % per_import == 0  # whole imports only
        seen.append(report.counts.orders)
    assert seen == sorted(seen)
    assert len(backups) >= 3 and len(set(seen)) >= 2  # the backups did overlap the writes


# --- copy ----------------------------------------------------------------------------------


def rows_of(db: Path, table: str) -> list[tuple]:
    return sql(db, f"SELECT * FROM {table} ORDER BY 1")


def test_a_copy_into_a_new_file_holds_every_row_and_passes_the_check(oms, db, tmp_path):
    target = tmp_path / "copy" / "omsctl.db"
    run = oms("db", "copy", "--to", str(target), "--json")
    assert run.exit_code == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["ok"], result["problems"], result["revision"]) == (True, [], SCHEMA_REVISION)
    tables = {t["table"]: t["rows"] for t in result["tables"]}
    assert set(tables) == set(metadata.tables)
    for table in metadata.tables:
        assert rows_of(target, table) == rows_of(db, table), table
        assert tables[table] == len(rows_of(db, table))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert one(target, "SELECT version_num FROM alembic_version") == (SCHEMA_REVISION,)


def test_a_copy_keeps_links_to_orders_that_come_later(db, tmp_path):
    # A merged order points at its survivor, which may have a higher id.
    first, last = one(db, "SELECT min(id), max(id) FROM orders WHERE state = 'on_hold'")
    sql(db, f"UPDATE orders SET merged_into_id = {last} WHERE id = {first}",
        f"UPDATE orders SET parent_id = {first} WHERE id = {last}")  # fmt: skip
    target = tmp_path / "copy.db"
    copy_database(Env(db=str(db)), str(target), batch=7)
    assert one(target, f"SELECT merged_into_id FROM orders WHERE id = {first}") == (last,)
    assert one(target, f"SELECT parent_id FROM orders WHERE id = {last}") == (first,)
    assert rows_of(target, "orders") == rows_of(db, "orders")


def test_a_copy_into_a_database_that_holds_data_is_refused(oms, db, tmp_path):
    target = tmp_path / "other.db"
    backup_database(Env(db=str(db)), target)
    before = rows_of(target, "orders")
    run = oms("db", "copy", "--to", str(target))
    assert run.exit_code == 1
    assert run.stderr.startswith(f"error: {target} is not empty (")
    assert run.stderr.endswith(" rows); copy into a new, empty database\n")
    assert rows_of(target, "orders") == before
    assert oms("db", "copy", "--to", str(db)).stderr == (
        "error: the copy cannot go into the database it copies\n")  # fmt: skip


def test_a_failed_copy_leaves_an_empty_target_that_a_second_copy_fills(db, tmp_path, monkeypatch):
    from omsctl.services import database

    copy_table = database._copy_table

    def disk_full_at_shipments(src, out, table, batch, progress):  # type: ignore[no-untyped-def]
        if table.name == "shipments":
            raise OSError("disk full")
        return copy_table(src, out, table, batch, progress)

    target = tmp_path / "copy.db"
    monkeypatch.setattr(database, "_copy_table", disk_full_at_shipments)
    with pytest.raises(OSError, match="disk full"):
        copy_database(Env(db=str(db)), str(target))
    assert one(target, "SELECT count(*) FROM orders") == (0,)  # one transaction: all undone
    monkeypatch.setattr(database, "_copy_table", copy_table)
    assert copy_database(Env(db=str(db)), str(target)).check.ok
    assert rows_of(target, "orders") == rows_of(db, "orders")


# --- purge-personal ------------------------------------------------------------------------


def later(db: Path, days: int) -> Env:
    """The shop `days` days from now: what the nightly purge sees then."""
    now = Env(db=str(db)).now()
    return Env(db=str(db), actor="cron", now=lambda: now + timedelta(days=days))


def snapshot(db: Path, table: str, leave_out: tuple[str, ...]) -> list[tuple]:
    names = [r[1] for r in sql(db, f"PRAGMA table_info({table})") if r[1] not in leave_out]
    return sql(db, f"SELECT {', '.join(names)} FROM {table} ORDER BY id")


def test_the_purge_blanks_people_of_long_finished_orders_and_keeps_every_figure(oms, db):
    (held,) = one(
        db, "SELECT channel_order_no FROM orders WHERE state = 'on_hold' ORDER BY id LIMIT 1"
    )
    assert oms("orders", "edit", held, "--phone", "+44 20 7946 0958").exit_code == 0
    assert oms("cancel", held, "--note", "buyer Lena called from +44 20 7946 0958").exit_code == 0
    finished = sql(
        db,
        "SELECT id, ship_postal_code FROM orders WHERE state IN ('cancelled', 'merged') ORDER BY id",
    )
    assert len(finished) >= 5
    kept_orders = snapshot(db, "orders", (*PERSONAL, "ship_postal_code", "updated_at"))
    kept_history = snapshot(db, "order_history", ("detail",))
    kept_holds = snapshot(db, "holds", ("detail", "resolution"))

    result = purge_personal(later(db, 400), 365)

    assert result.orders == len(finished)
    ids = ", ".join(str(i) for i, _ in finished)
    columns = ", ".join(PERSONAL)
    assert set(sql(db, f"SELECT {columns} FROM orders WHERE id IN ({ids})")) == {
        ("",) * len(PERSONAL)
    }
    assert sql(db, f"SELECT id, ship_postal_code FROM orders WHERE id IN ({ids}) ORDER BY id") == [
        (i, code[:3]) for i, code in finished]  # fmt: skip
    assert sql(
        db,
        f"SELECT DISTINCT detail FROM order_history WHERE order_id IN ({ids}) AND action NOT IN ('import', 'purge_personal')",
    ) == [("",)]
    assert sql(
        db,
        f"SELECT count(*) FROM order_history WHERE order_id IN ({ids}) AND action = 'purge_personal' AND from_state = to_state",
    ) == [(len(finished),)]
    # Everything a KPI reads (states, money, times, channels, countries, SKUs) is unchanged.
    assert snapshot(db, "orders", (*PERSONAL, "ship_postal_code", "updated_at")) == kept_orders
    assert snapshot(db, "order_history", ("detail",))[: len(kept_history)] == kept_history
    assert snapshot(db, "holds", ("detail", "resolution")) == kept_holds
    for path in (db, db.with_name(db.name + "-wal")):  # not even in freed space
        assert not path.exists() or b"7946 0958" not in path.read_bytes()
    assert check_database(Env(db=str(db))).ok
    assert purge_personal(later(db, 400), 365).orders == 0  # done once


def test_the_purge_leaves_open_and_recently_finished_orders_alone(db):
    before = sql(db, "SELECT * FROM orders ORDER BY id")
    assert purge_personal(later(db, 400), 500).orders == 0
    assert purge_personal(Env(db=str(db)), 1).orders == 0
    assert sql(db, "SELECT * FROM orders ORDER BY id") == before


def test_reimporting_an_old_export_after_the_purge_does_not_bring_the_buyer_back(oms, db):
    assert purge_personal(later(db, 400), 365).orders > 0
    purged = sql(db, "SELECT * FROM orders ORDER BY id")
    run = oms("import", str(SAMPLES / "shopify" / "orders_export.csv"), "--json")
    assert run.exit_code == 0
    assert json.loads(run.stdout)["sources"][0]["new"] == 0
    assert sql(db, "SELECT * FROM orders ORDER BY id") == purged


def test_the_purge_command_counts_in_a_dry_run_and_reports_json(oms, db):
    sql(db, "UPDATE order_history SET at = '2020-01-01 00:00:00.000000'")
    before = sql(db, "SELECT * FROM orders ORDER BY id")
    (finished,) = one(
        db,
        "SELECT count(*) FROM orders WHERE state IN ('completed', 'cancelled', 'returned', 'merged')",
    )
    run = oms("db", "purge-personal", "--older-than", "365", "--dry-run")
    assert (run.exit_code, run.stdout) == (0, "")
    assert run.stderr.startswith(
        f"would purge the personal data of {finished} finished order(s) older than "
    )
    assert sql(db, "SELECT * FROM orders ORDER BY id") == before
    run = oms("db", "purge-personal", "--older-than", "365", "--json")
    assert json.loads(run.stdout)["orders"] == finished
    assert json.loads(run.stdout)["dry_run"] is False
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert oms("db", "check").exit_code == 0


def test_a_negative_retention_is_a_usage_error(oms, db):
    run = oms("db", "purge-personal", "--older-than", "-1")
    assert run.exit_code == 2
    assert "--older-than" in run.stderr
