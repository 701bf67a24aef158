"""After the parcel left, through the commands: exit codes, exact messages, then the data.

Commands run on the real clock, so ages and silences are checked as data, not as numbers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from oms_testing import SAMPLES, add_order, own_copy, stocked_database

from omsctl.domain.lifecycle import State
from omsctl.services import lifecycle
from omsctl.store.orders import find_order
from omsctl.store.tables import Shipment

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
SF = ("SF1234500007919", "SF1234500015838", "SF1234500023757")


@pytest.fixture
def oms(oms):
    """conftest's runner, with these commands in the app even before `cli/app.py` lists them."""
    from omsctl.cli import delivery
    from omsctl.cli.app import app

    if "exceptions" not in {group.name for group in app.registered_groups}:
        delivery.register(app)
    return oms


@pytest.fixture(scope="module")
def stocked(tmp_path_factory, backend):
    return stocked_database(backend, tmp_path_factory.mktemp("stocked"), {"TEA-LJ-100": 10}, NOW)


@pytest.fixture
def shop(isolated, stocked, backend, monkeypatch):
    environment = own_copy(backend, stocked, isolated.parent, NOW)
    monkeypatch.setenv("OMSCTL_DB", environment.db)
    yield environment
    environment.engine.dispose()


def ship(env, number, tracking, *, at=datetime(2026, 11, 17, 8, tzinfo=UTC)):
    add_order(env, number, lines=(("TEA-LJ-100", 2, "12.50"),))
    with env.uow() as uow:
        order = find_order(uow.session, number)
        for target in (State.APPROVED, State.PICKING, State.PACKED, State.SHIPPED):
            lifecycle.move(uow.session, order, target, action="test", actor="tester", at=at)
        uow.session.add(
            Shipment(
                order_id=order.id,
                carrier="SF",
                service="EXPRESS",
                tracking_number=tracking,
                status="shipped",
                created_at=at,
                shipped_at=at,
            )
        )
        uow.commit()


def sample_day(oms, shop):
    """The demo's three SF parcels, with the sample events file loaded."""
    for number, tracking in zip(("#1", "#2", "#3"), SF, strict=True):
        ship(shop, number, tracking)
    return oms("track", "events", str(SAMPLES / "tracking" / "events.csv"))


def test_track_events_reports_what_it_did_on_stderr(oms, shop):
    run = sample_day(oms, shop)
    assert (run.exit_code, run.stdout) == (0, "")
    assert run.stderr == (
        "delivered: #1\n"
        "to the exception queue: #2\n"
        "events: 11 row(s), 10 new, 1 already known, 0 older than what was known, 0 rejected\n"
    )


def test_a_bad_row_is_rejected_with_file_line_and_column_and_exit_3(oms, shop, tmp_path):
    ship(shop, "#1", SF[0])
    path = tmp_path / "events.csv"
    path.write_text(
        "tracking_number,time,status\n"
        f"{SF[0]},2026-11-19T10:00:00Z,delivered\n"
        "SF0000000000000,2026-11-19T10:00:00Z,delivered\n",
        encoding="utf-8",
    )
    run = oms("--quiet", "track", "events", str(path), "--json")
    assert run.exit_code == 3
    assert run.stderr == (
        f"rejected: {path}:3: tracking_number: 'SF0000000000000' is not the "
        "tracking number of any shipment (record it with `omsctl track add`)\n"
    )
    report = json.loads(run.stdout)
    assert (report["new"], report["delivered"]) == (1, ["#1"])


def test_a_file_that_is_not_an_events_file_is_one_error_line(oms, shop, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order,number\n#1,SF1\n", encoding="utf-8")
    run = oms("track", "events", str(path))
    assert (run.exit_code, run.stderr) == (
        1,
        (
            f"error: {path}:1: the header lacks tracking_number, time, status; the columns are "
            "tracking_number, time, status, location, detail, reason; another carrier's export "
            "needs a --mapping\n"
        ),
    )


def test_track_overdue_lists_the_parcel_the_carrier_went_quiet_about(oms, shop):
    sample_day(oms, shop)
    rows = json.loads(oms("track", "overdue", "--json").stdout)
    assert [(r["order"], r["tracking_number"], r["status"], r["since"]) for r in rows] == [
        ("#3", SF[2], "pre_transit", "2026-11-14T01:15:00+00:00")
    ]
    assert oms("track", "overdue", "--ids").stdout == "#3\n"


def test_the_exception_queue_shows_reason_age_carrier_and_order(oms, shop):
    sample_day(oms, shop)
    run = oms("exceptions", "list")
    assert run.exit_code == 0
    header, row = run.stdout.splitlines()
    assert header.split() == ["age", "order", "reason", "carrier", "tracking", "detail"]
    assert row.split()[2:9] == ["#2", "damaged", "SF", SF[1], "外包装破损", "内件受损", "(box"]
    assert row.endswith("(南京转运中心)")
    assert run.stderr == "1 open exception(s)\n"


def test_resolving_the_damaged_parcel_by_reship_ships_it_again(oms, shop):
    sample_day(oms, shop)
    run = oms(
        "exceptions",
        "resolve",
        "#2",
        "--reship",
        "--tracking",
        "SF1234500031676",
        "--carrier",
        "SF",
    )
    assert run.stderr == ""
    assert run.stdout == (
        "#2: exception → shipped (reship: new shipment, SF1234500031676; took "
        "TEA-LJ-100×2 from BER/A-01-1)\n"
    )
    assert oms("exceptions", "list", "--ids").stdout == ""
    history = json.loads(oms("orders", "show", "#2", "--json").stdout)["history"]
    assert history[-1]["action"] == "reship"


def test_two_resolutions_at_once_is_a_usage_error(oms, shop):
    run = oms("exceptions", "resolve", "#2", "--refund", "--compensate", "5")
    assert (run.exit_code, run.stderr) == (
        2,
        (
            "error: --refund and --compensate cannot be used together; --reship, --refund "
            "[--amount A] or --compensate AMOUNT\n"
        ),
    )


def test_a_return_is_announced_received_and_listed(oms, shop, tmp_path):
    sample_day(oms, shop)
    made = oms("returns", "create", "#1", "--line", "TEA-LJ-100:2", "--reason", "wrong tea")
    assert made.stdout == "RMA-00001: order #1, TEA-LJ-100×2 (reason: wrong tea)\n"
    got = oms("returns", "receive", "RMA-00001", "--restock")
    assert got.stdout == (
        "RMA-00001: restocked TEA-LJ-100×2 to BER/A-01-1; order #1 delivered → returned\n"
    )
    rows = json.loads(oms("returns", "list", "--json").stdout)
    assert [(r["rma"], r["status"], r["disposition"], r["order_state"]) for r in rows] == [
        ("RMA-00001", "received", "restock", "returned")
    ]


def test_a_return_line_that_is_not_sku_colon_quantity_is_a_usage_error(oms, shop):
    run = oms("returns", "create", "#1", "--line", "TEA-LJ-100", "--reason", "x")
    assert run.exit_code == 2
    assert run.stderr.startswith("error: Invalid value for --line: 'TEA-LJ-100' is not SKU:QTY")


def test_housekeeping_completes_what_is_due_and_is_quiet_for_cron(oms, shop, tmp_path):
    sample_day(oms, shop)
    settings = tmp_path / "omsctl.toml"
    settings.write_text("[housekeeping]\ncompletion_days = 3650\n", encoding="utf-8")
    run = oms("housekeeping")
    assert (run.exit_code, run.stdout) == (0, "")
    assert run.stderr == (
        "housekeeping: 0 order(s) completed, 1 still in their 3650-day confirmation window\n"
    )
    settings.write_text("[housekeeping]\ncompletion_days = 1\n", encoding="utf-8")
    again = oms("--quiet", "housekeeping")
    assert (again.stdout, again.stderr) == ("#1: delivered → completed\n", "")
