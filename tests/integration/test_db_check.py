"""`omsctl db check` and `db purge-personal` against a real day's database, on either backend.

One day of work (the demo's imports and review, then waves, labels from the waybill pools,
packing and a shipped parcel) is built once per module by `oms_day.build_day`; each test gets
its own copy of it (`oms_day.day_copy`: a file copy on SQLite, `CREATE DATABASE … TEMPLATE`
on PostgreSQL), named by OMSCTL_DB. The `day`/`db` fixtures are defined here and in
test_db_backup_copy.py over those shared helpers, so neither module hides them in a
conftest.py; `sql`/`one` damage the copy behind omsctl's back through SQLAlchemy.

Where the backends truly differ, each side is asserted explicitly: PostgreSQL enforces CHECK
and foreign-key constraints at every write, so damage that needs a constraint out of the way
drops it there. Dangling references then read the same on both (SQLite's
`foreign_key_check`, omsctl's own query elsewhere); a broken CHECK is SQLite's
`integrity_check` line only, the numbers behind it are reported on both.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from oms_backends import dispose
from oms_day import build_day, day_copy, is_sqlite, one, sql
from oms_testing import SAMPLES, add_order

from omsctl.services.context import Env
from omsctl.services.database import check_database
from omsctl.services.privacy import PERSONAL, purge_personal
from omsctl.store.tables import metadata


@pytest.fixture(scope="module")
def day(tmp_path_factory, backend) -> str:
    """A database after a day's work: new, held, approved, cancelled, picking, shipped."""
    return build_day(backend, tmp_path_factory.mktemp("day"))


@pytest.fixture
def db(day, backend, isolated, monkeypatch):
    """This test's own copy of the day, which OMSCTL_DB names: a Path on SQLite, else a URL."""
    copy = day_copy(backend, day, isolated.parent)
    monkeypatch.setenv("OMSCTL_DB", str(copy))
    yield copy
    dispose(str(copy))


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


def reserved_off_by_one(db: Path | str) -> list[str]:
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


def units_found_outside_the_ledger(db: Path | str) -> list[str]:
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


def oversold(db: Path | str) -> list[str]:
    level, sku, bin_, on_hand, reserved = one(
        db,
        """
        SELECT l.id, l.sku, w.code || '/' || c.code, l.on_hand, l.reserved FROM stock_levels l
        JOIN locations c ON c.id = l.location_id JOIN warehouses w ON w.id = c.warehouse_id
        WHERE l.reserved > 1 ORDER BY l.sku, l.location_id LIMIT 1""",
    )
    # The table's CHECK forbids this; a database written by something else need not have it.
    oversell = f"UPDATE stock_levels SET on_hand = {reserved - 1} WHERE id = {level}"
    if is_sqlite(db):
        sql(db, "PRAGMA ignore_check_constraints=ON", oversell)
        integrity = ["integrity: CHECK constraint failed in stock_levels"]
    else:
        # PostgreSQL enforces the CHECK at every write, so the damage needs it gone; omsctl
        # leaves constraints to the server there (no `integrity_check` to re-verify them).
        sql(db, "ALTER TABLE stock_levels DROP CONSTRAINT ck_stock_levels_reserved_within_on_hand",
            oversell)  # fmt: skip
        integrity = []
    return [
        *integrity,
        f"available: stock {sku} at {bin_}: on hand {reserved - 1}, reserved {reserved}, available -1",
        f"ledger: stock {sku} at {bin_}: on hand {reserved - 1}, but the stock ledger adds up to {on_hand}",
    ]


def state_changed_without_history(db: Path | str) -> list[str]:
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


def history_row_lost(db: Path | str) -> list[str]:
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


def order_without_history(db: Path | str) -> list[str]:
    env = Env(db=str(db))
    order_id = add_order(env, "#9001")
    env.engine.dispose()
    return [f"history: order shopify #9001 (id {order_id}) is new but has no history row at all"]


def shipped_without_tracking(db: Path | str) -> list[str]:
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


def one_number_on_two_labels(db: Path | str) -> list[str]:
    (number,) = one(
        db,
        "SELECT tracking_number FROM label_prints WHERE tracking_number != '' ORDER BY id LIMIT 1",
    )
    (other,) = one(
        db,
        f"SELECT order_id FROM label_prints WHERE tracking_number != '{number}' ORDER BY id LIMIT 1",
    )
    sql(db, "INSERT INTO label_prints (order_id, at, actor, format, tracking_number, reprint)"
        f" VALUES ({other}, '2026-11-20 09:00:00.000000', 'bug', 'zpl', '{number}', FALSE)")  # fmt: skip
    return [f"tracking: tracking number {number} was printed on the labels of 2 different orders"]


def order_in_two_waves(db: Path | str) -> list[str]:
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


def approved_but_still_in_a_wave(db: Path | str) -> list[str]:
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


def dangling_reference(db: Path | str) -> list[str]:
    (rowid,) = one(db, "SELECT max(id) + 1 FROM reservations")
    insert = (
        "INSERT INTO reservations (id, order_id, sku, location_id, quantity) VALUES"
        f" ({rowid}, 424242, 'TEA-LJ-100', 987654, 1)"
    )
    if is_sqlite(db):
        sql(db, "PRAGMA foreign_keys=OFF", insert)
    else:
        # PostgreSQL enforces foreign keys at every write: rows like this come from a restore
        # with its triggers off or into tables whose constraints were dropped, as here.
        sql(db, "ALTER TABLE reservations DROP CONSTRAINT fk_reservations_order_id_orders",
            "ALTER TABLE reservations DROP CONSTRAINT fk_reservations_location_id_locations",
            insert)  # fmt: skip
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


# --- purge-personal ------------------------------------------------------------------------


def later(db: Path | str, days: int) -> Env:
    """The shop `days` days from now: what the nightly purge sees then."""
    now = Env(db=str(db)).now()
    return Env(db=str(db), actor="cron", now=lambda: now + timedelta(days=days))


def snapshot(db: Path | str, table: str, leave_out: tuple[str, ...]) -> list[tuple]:
    names = [c.name for c in metadata.tables[table].columns if c.name not in leave_out]
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
    # Not even in freed space: SQLite only. On PostgreSQL the rows' old versions stay in the
    # table's files (and the WAL) until VACUUM reuses the space, and omsctl does not vacuum;
    # those files are the server's, not the test's to read.
    if is_sqlite(db):
        for path in (db, db.with_name(db.name + "-wal")):
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
    if is_sqlite(db):  # a file of its owner's only; a PostgreSQL database has no file mode
        assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert oms("db", "check").exit_code == 0


def test_a_negative_retention_is_a_usage_error(oms, db):
    run = oms("db", "purge-personal", "--older-than", "-1")
    assert run.exit_code == 2
    assert "--older-than" in run.stderr
