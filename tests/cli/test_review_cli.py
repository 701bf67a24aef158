"""`omsctl review` over the sample exports, after the demo's own setup: what it approves, what
it holds and why, and what it leaves alone; then the decisions a person takes around it."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from oms_testing import SAMPLES
from sqlalchemy import func, select

from omsctl.cli.demo import steps
from omsctl.store.tables import (
    Hold,
    Order,
    OrderHistory,
    OrderLine,
    Reservation,
    StockLevel,
    StockMovement,
)

#: The problems planted in sample_data (its README has the same table), order -> reasons.
PLANTED = {
    "#1002": ["buyer_note"],
    "#1003": ["unpaid"],
    "#1005": ["unpaid"],
    "#1008": ["unknown_sku"],
    "#1010": ["unpaid"],
    "4023": ["buyer_note", "unpaid"],
    "4024": ["unpaid"],
    "4026": ["unpaid"],
    "4027": ["buyer_note"],
    "202-5531908-6642817": ["unknown_sku"],
    "113-0045512-7781234": ["unpaid"],
    "026-7788990-1122334": ["buyer_note"],
    "34-11025-10293": ["buyer_note"],
    "45-11026-33457": ["unpaid"],
    "67-11028-90014": ["high_value"],
    "78-11029-12345": ["phone_invalid"],
    "3210987657": ["address_incomplete"],
    "3210987658": ["duplicate_suspect"],
    "3210987659": ["duplicate_suspect"],
    "3210987660": ["duplicate_suspect"],
    "3751284962035614823": ["buyer_note"],
    "3751290011223344556": ["unpaid"],
    "3751309988776655443": ["buyer_note"],
    "GH-2026-0409": ["out_of_stock"],
    "GH-2026-0413": ["buyer_note"],
    "GH-2026-0414": ["buyer_note", "unpaid"],
}
CLEAN = {
    "#1001", "#1006", "#1007", "#1009",
    "4021", "4022", "4028",
    "111-4827365-1029384", "112-9938271-5500123", "114-5566778-9900112",
    "12-11023-45671", "23-11024-88812", "56-11027-55820",
    "3210987654", "3210987655", "3210987656",
    "3751301234567890123", "3751305566778899001", "3751312233445566778", "3751318877665544332",
    "GH-2026-0412",
}  # fmt: skip
#: Cancelled on their channel before the import: never reviewed.
CANCELLED = {"#1004", "4025", "3751293355667788990"}
#: Unpaid orders placed long before today: past any payment time-out.
OLD_UNPAID = {
    "#1005", "#1010", "4023", "4024", "113-0045512-7781234", "45-11026-33457",
    "3751290011223344556",
}  # fmt: skip


@pytest.fixture
def day(oms, env, tmp_path):
    """The demo's day up to its review: products, warehouses, stock, every import."""
    for step in steps():
        assert not callable(step.commands), "the demo's setup steps are fixed command lines"
        if step.commands[0] == "review":
            break
        for line in step.commands:
            args = shlex.split(line.format(samples=SAMPLES, out=tmp_path))
            run = oms(*args)
            assert run.exit_code in step.expect, (args, run.stderr)
    return env


def review(oms, *options: str) -> dict[str, Any]:
    run = oms("review", "--json", *options)
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def held(oms) -> dict[str, list[str]]:
    """The exception queue as order -> sorted reasons of its open holds."""
    queue: dict[str, list[str]] = {}
    for row in json.loads(oms("holds", "list", "--json").stdout):
        queue.setdefault(row["order"], []).append(row["reason"])
    return {order: sorted(reasons) for order, reasons in queue.items()}


def states(oms) -> dict[str, str]:
    return {
        o["channel_order_no"]: o["state"]
        for o in json.loads(oms("orders", "list", "--json").stdout)
    }


def snapshot(env) -> dict[str, Any]:
    """Every row review may write, to compare before and after."""
    tables = (Order, Hold, OrderHistory, Reservation, StockLevel, StockMovement)
    with env.engine.connect() as conn:
        return {
            t.__tablename__: conn.execute(select(t.__table__).order_by(t.__table__.c.id)).all()
            for t in tables
        }


def reserved(oms, sku: str) -> int:
    rows = json.loads(oms("stock", "list", "--json").stdout)
    return sum(r["reserved"] for r in rows if r["sku"] == sku)


def test_review_approves_the_clean_sample_orders_and_holds_the_planted_ones_with_their_reasons(
    oms, day
):
    report = review(oms)

    decided = {r["order"]: r for r in report["orders"]}
    assert {o for o, r in decided.items() if r["to_state"] == "approved"} == CLEAN
    assert {
        o: sorted(h["reason"] for h in r["holds"])
        for o, r in decided.items()
        if r["to_state"] == "on_hold"
    } == PLANTED
    assert (report["reviewed"], report["approved"]) == (47, 21)
    assert held(oms) == PLANTED
    now = states(oms)
    assert {o for o, s in now.items() if s == "approved"} == CLEAN
    assert {o for o, s in now.items() if s == "on_hold"} == set(PLANTED)
    assert {o for o, s in now.items() if s == "cancelled"} == CANCELLED


def test_every_approved_order_has_its_units_reserved_and_every_move_its_history_row(oms, day):
    review(oms)

    with day.engine.connect() as conn:
        ordered = dict(
            conn.execute(
                select(OrderLine.order_id, func.sum(OrderLine.quantity))
                .join(Order, Order.id == OrderLine.order_id)  # type: ignore[arg-type]
                .where(Order.state == "approved")
                .group_by(OrderLine.order_id)
            ).all()
        )
        reserved_units = dict(
            conn.execute(
                select(Reservation.order_id, func.sum(Reservation.quantity)).group_by(
                    Reservation.order_id
                )
            ).all()
        )
        moves = conn.execute(
            select(OrderHistory.order_id, OrderHistory.from_state, OrderHistory.to_state).where(
                OrderHistory.action == "review"
            )
        ).all()
        levels = conn.execute(select(StockLevel.on_hand, StockLevel.reserved)).all()
    assert len(ordered) == len(CLEAN)
    assert reserved_units == ordered
    assert len(moves) == len({order_id for order_id, _, _ in moves}) == len(CLEAN) + len(PLANTED)
    assert {(f, t) for _, f, t in moves} == {("new", "approved"), ("new", "on_hold")}
    assert all(r <= h for h, r in levels)
    assert sum(r for _, r in levels) == sum(ordered.values())


def test_a_second_review_changes_nothing(oms, day):
    review(oms)
    before = snapshot(day)

    again = review(oms)

    assert (again["reviewed"], again["approved"], again["held"], again["cleared"]) == (
        len(PLANTED),
        0,
        {},
        0,
    )
    assert again["orders"] == []
    assert snapshot(day) == before


def test_a_dry_run_reports_the_decisions_and_writes_nothing(oms, day):
    before = snapshot(day)

    run = oms("review", "--dry-run")

    assert run.exit_code == 0
    assert run.stderr.splitlines()[-1] == (
        "reviewed 47: approved 21, new holds 28 (address_incomplete 1, buyer_note 9, "
        "duplicate_suspect 3, high_value 1, out_of_stock 1, phone_invalid 1, unknown_sku 2, "
        "unpaid 10), holds cleared 0 — dry run, nothing written"
    )
    assert snapshot(day) == before


def test_json_has_one_object_per_changed_order(oms, day):
    report = review(oms)

    orders = report["orders"]
    assert len(orders) == len({o["id"] for o in orders}) == len(CLEAN) + len(PLANTED)
    assert all(
        o.keys() == {"id", "order", "channel", "from_state", "to_state", "holds", "cleared"}
        for o in orders
    )
    assert {o["from_state"] for o in orders} == {"new"}
    assert all(o["holds"] == [] for o in orders if o["to_state"] == "approved")
    note = next(o for o in orders if o["order"] == "#1002")
    assert note["holds"] == [
        {
            "reason": "buyer_note",
            "detail": "buyer wrote: 'Please leave the parcel at the side door. Ring twice, "
            "the bell is quiet.'",
        }
    ]


def test_a_held_order_whose_cause_is_gone_is_approved_by_the_next_review(oms, day):
    review(oms)
    assert held(oms)["GH-2026-0409"] == ["out_of_stock"]

    assert oms("stock", "import", str(SAMPLES / "delivery.csv"), "--add").exit_code == 0
    report = review(oms)

    assert [
        (o["order"], o["from_state"], o["to_state"], o["cleared"]) for o in report["orders"]
    ] == [("GH-2026-0409", "on_hold", "approved", ["out_of_stock"])]
    assert "GH-2026-0409" not in held(oms)
    with day.engine.connect() as conn:
        hold = conn.execute(
            select(Hold.resolved_by, Hold.resolution)
            .join(Order, Order.id == Hold.order_id)  # type: ignore[arg-type]
            .where(Order.channel_order_no == "GH-2026-0409")
        ).one()
    assert hold == ("tester", "review: the cause is gone")


def test_a_hold_a_person_released_is_not_raised_again(oms, day):
    review(oms)
    released = oms("release", "4023", "--reason", "buyer_note", "--note", "card message noted")
    assert released.stdout == "4023: on_hold → on_hold (still held: unpaid)\n"

    report = review(oms)

    assert report["orders"] == []
    assert held(oms)["4023"] == ["unpaid"]


def test_a_person_s_approval_stands_and_the_order_is_not_reviewed_again(oms, day):
    review(oms)
    assert oms("approve", "67-11028-90014", "--note", "called the café").exit_code == 0

    report = review(oms)

    assert report["reviewed"] == len(PLANTED) - 1
    assert report["orders"] == []
    assert states(oms)["67-11028-90014"] == "approved"


def test_expire_unpaid_cancels_old_unpaid_orders_and_frees_their_stock(oms, day):
    review(oms)
    assert oms("approve", "#1005", "--note", "buyer promised to pay").exit_code == 0
    assert reserved(oms, "TEA-SL-50") == 4  # 3 for Amazon's 114-5566778-9900112, 1 for #1005

    report = review(oms, "--expire-unpaid")

    now = states(oms)
    expired = {o for o in PLANTED | {"#1005": []} if now[o] == "cancelled"}
    # GH-2026-0414 was placed on 2026-11-19: it times out with the real clock after 72 h.
    assert expired - {"GH-2026-0414"} == OLD_UNPAID
    assert report["expired"] == len(expired)
    assert reserved(oms, "TEA-SL-50") == 3
    assert now["#1003"] == now["4026"] == "on_hold"  # refunded: a person cancels those
    with day.engine.connect() as conn:
        last = conn.execute(
            select(
                OrderHistory.action,
                OrderHistory.from_state,
                OrderHistory.to_state,
                OrderHistory.detail,
            )
            .join(Order, Order.id == OrderHistory.order_id)  # type: ignore[arg-type]
            .where(Order.channel_order_no == "#1005")
            .order_by(OrderHistory.id.desc())  # type: ignore[union-attr]
        ).first()
    assert last == ("expire", "approved", "cancelled", "unpaid for more than 72 h")
    assert "#1005" not in held(oms)


def test_releasing_an_order_that_is_not_on_hold_is_one_line_and_changes_nothing(oms, day):
    review(oms)
    before = snapshot(day)

    run = oms("release", "#1001")

    assert (run.exit_code, run.stderr) == (
        1,
        "error: #1001: order #1001 is approved, not on_hold; only held orders are released; "
        "use `omsctl approve` for new orders\n",
    )
    assert snapshot(day) == before


def test_holding_with_an_unknown_reason_is_a_usage_error_and_changes_nothing(oms, day):
    review(oms)
    before = snapshot(day)

    run = oms("hold", "#1001", "--reason", "nope")

    assert run.exit_code == 2
    assert run.stderr.startswith("error: unknown hold reason 'nope'; use one of: ")
    assert len(run.stderr.splitlines()) == 1
    assert snapshot(day) == before
