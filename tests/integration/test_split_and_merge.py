"""Split, merge and backorder against a real database: lines, money, stock and history agree."""

from __future__ import annotations

import itertools
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oms_testing import add_order, stock_up
from sqlalchemy import func, select

from omsctl.domain.errors import IllegalTransition
from omsctl.services import order_actions
from omsctl.services.merging import MergeRefused, merge_orders
from omsctl.services.splitting import split_order
from omsctl.store.tables import Order, OrderHistory, OrderLine, Reservation, StockLevel

_numbers = itertools.count(5000)
SKUS = ("TEA-LJ-100", "MUG-WHT-350", "TEE-BLK-M", "0012-SET")
LINES = st.lists(
    st.tuples(st.sampled_from(SKUS), st.integers(1, 4), st.sampled_from(["12.50", "9.00"])),
    min_size=1,
    max_size=4,
)


def _order(env, number: str) -> Order:
    with env.uow(write=False) as uow:
        return uow.session.scalars(select(Order).where(Order.channel_order_no == number)).one()


def _units(env, number: str) -> Counter[str]:
    with env.uow(write=False) as uow:
        rows = uow.session.execute(
            select(OrderLine.sku, OrderLine.quantity)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.channel_order_no == number)
        )
        units: Counter[str] = Counter()
        for sku, qty in rows:
            units[sku] += qty
        return units


def _reserved(env, number: str) -> Counter[str]:
    with env.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Reservation.sku, Reservation.quantity)
            .join(Order, Order.id == Reservation.order_id)
            .where(Order.channel_order_no == number)
        )
        units: Counter[str] = Counter()
        for sku, qty in rows:
            units[sku] += qty
        return units


def _history(env, number: str) -> list[tuple[str, str, str, str]]:
    with env.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(OrderHistory)
            .join(Order, Order.id == OrderHistory.order_id)
            .where(Order.channel_order_no == number)
            .order_by(OrderHistory.id)
        )
        return [(h.action, h.from_state, h.to_state, h.detail) for h in rows]


def _levels_match_reservations(env) -> bool:
    with env.uow(write=False) as uow:
        levels = {
            (sku, loc): reserved
            for sku, loc, reserved in uow.session.execute(
                select(StockLevel.sku, StockLevel.location_id, StockLevel.reserved)
            )
        }
        live = dict.fromkeys(levels, 0)
        for sku, loc, qty in uow.session.execute(
            select(
                Reservation.sku, Reservation.location_id, func.sum(Reservation.quantity)
            ).group_by(Reservation.sku, Reservation.location_id)
        ):
            live[(sku, loc)] = qty
        return levels == live


def _move_to(env, number: str, **columns: str) -> None:
    with env.uow() as uow:
        order = uow.session.scalars(select(Order).where(Order.channel_order_no == number)).one()
        for name, value in columns.items():
            setattr(order, name, value)
        uow.session.add(order)
        uow.commit()


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=LINES, data=st.data())
def test_splitting_then_merging_back_restores_the_original_lines_and_total(env, lines, data):
    number = f"#{next(_numbers)}"
    have: Counter[str] = Counter()
    for sku, qty, _ in lines:
        have[sku] += qty
    take = {sku: n for sku in have if (n := data.draw(st.integers(0, have[sku]), label=sku))}
    assume(take and take != dict(have))
    add_order(env, number, lines=tuple(lines))
    before = _order(env, number)

    split = split_order(env, number, take)
    assert _units(env, split.child) == Counter(take)
    assert _units(env, number) + Counter(take) == have
    merged = merge_orders(env, [number, split.child])

    after, child = _order(env, number), _order(env, split.child)
    assert _units(env, number) == have
    assert after.total == before.total and after.subtotal == before.total
    assert (child.state, child.parent_id, child.merged_into_id) == ("merged", after.id, after.id)
    assert [m.order for m in merged.merged] == [split.child]
    assert [h[0] for h in _history(env, split.child)] == ["split", "merge"]
    assert [h[0] for h in _history(env, number)] == ["split", "merge"]


def test_splitting_an_approved_order_reserves_again_for_what_is_left_and_the_child_is_new(
    env, tmp_path
):
    stock_up(env, tmp_path, {"TEA-LJ-100": 10, "MUG-WHT-350": 5})
    add_order(env, "#1001", lines=(("TEA-LJ-100", 3, "12.50"), ("MUG-WHT-350", 2, "9.00")))
    order_actions.approve(env, ["#1001"])

    result = split_order(env, "#1001", {"TEA-LJ-100": 1, "MUG-WHT-350": 2})

    assert (result.state, result.child, result.child_state) == ("approved", "#1001-S1", "new")
    assert _reserved(env, "#1001") == _units(env, "#1001") == Counter({"TEA-LJ-100": 2})
    assert _reserved(env, "#1001-S1") == Counter()
    assert _levels_match_reservations(env)
    assert _history(env, "#1001")[-1] == (
        "split",
        "approved",
        "approved",
        "TEA-LJ-100:1, MUG-WHT-350:2 moved to #1001-S1",
    )
    assert _history(env, "#1001-S1") == [
        ("split", "new", "new", "TEA-LJ-100:1, MUG-WHT-350:2 moved from #1001")
    ]
    parent, child = _order(env, "#1001"), _order(env, "#1001-S1")
    assert (parent.total, child.total, child.shipping_total) == (
        Decimal("25.00"),
        Decimal("30.50"),
        Decimal("0"),
    )


def test_a_second_split_takes_the_next_free_number(env):
    add_order(env, "#1001", lines=(("TEA-LJ-100", 3, "12.50"),))
    assert split_order(env, "#1001", {"TEA-LJ-100": 1}).child == "#1001-S1"
    assert split_order(env, "#1001", {"TEA-LJ-100": 1}).child == "#1001-S2"


def test_an_order_being_picked_cannot_be_split(env):
    add_order(env, "#1001", state="picking", lines=(("TEA-LJ-100", 3, "12.50"),))
    with pytest.raises(IllegalTransition) as refused:
        split_order(env, "#1001", {"TEA-LJ-100": 1})
    assert str(refused.value) == (
        "order #1001 is picking and cannot be split; "
        "only new, on_hold and approved orders can be split"
    )


def test_merging_orders_to_different_addresses_is_refused_with_the_exact_message(env):
    add_order(env, "#1001")
    add_order(env, "#1002")
    _move_to(env, "#1002", ship_street1="Oranienstraße 5")
    with pytest.raises(MergeRefused) as refused:
        merge_orders(env, ["#1001", "#1002"])
    assert str(refused.value) == (
        "cannot merge #1002 into #1001: the addresses differ in street1 "
        "(#1001 has 'Bergmannstraße 12', #1002 has 'Oranienstraße 5'); "
        "only orders of one buyer to one address can be merged"
    )
    assert _order(env, "#1002").state == "new"


def test_merging_orders_of_different_buyers_names_the_first_difference(env):
    add_order(env, "#1001")
    add_order(env, "#1002")
    _move_to(env, "#1002", buyer_email="max@example.de", buyer_name="Max Hoffmann")
    with pytest.raises(MergeRefused) as refused:
        merge_orders(env, ["#1001", "#1002"])
    assert str(refused.value).startswith(
        "cannot merge #1002 into #1001: the buyers differ in email "
        "(#1001 has 'lena@example.de', #1002 has 'max@example.de')"
    )


def test_an_address_typed_differently_is_still_the_same_address(env):
    add_order(env, "#1001")
    add_order(env, "#1002")
    _move_to(env, "#1002", ship_street1="  BERGMANNSTRASSE 12 ", buyer_email="LENA@example.de")
    assert merge_orders(env, ["#1001", "#1002"]).units == 4


def test_merging_into_an_approved_order_reserves_its_new_lines_too(env, tmp_path):
    stock_up(env, tmp_path, {"TEA-LJ-100": 10, "MUG-WHT-350": 5})
    add_order(env, "#1001", lines=(("TEA-LJ-100", 2, "12.50"),))
    add_order(env, "#1002", lines=(("MUG-WHT-350", 1, "9.00"), ("TEA-LJ-100", 1, "12.50")))
    add_order(env, "#1003", lines=(("MUG-WHT-350", 2, "9.00"),))
    order_actions.approve(env, ["#1001", "#1003"])

    result = merge_orders(env, ["#1001", "#1002", "#1003"])

    assert result.rereserved and result.state == "approved"
    assert _reserved(env, "#1001") == Counter({"TEA-LJ-100": 3, "MUG-WHT-350": 3})
    assert _reserved(env, "#1003") == Counter()
    assert _levels_match_reservations(env)
    assert _order(env, "#1001").total == Decimal("64.50")
    assert [(h[0], h[1], h[2]) for h in _history(env, "#1003")][-1] == (
        "merge",
        "approved",
        "merged",
    )


def test_merging_into_an_approved_order_without_stock_for_the_new_lines_changes_nothing(
    env, tmp_path
):
    stock_up(env, tmp_path, {"TEA-LJ-100": 2, "MUG-WHT-350": 0})
    add_order(env, "#1001", lines=(("TEA-LJ-100", 2, "12.50"),))
    add_order(env, "#1002", lines=(("MUG-WHT-350", 1, "9.00"),))
    order_actions.approve(env, ["#1001"])
    with pytest.raises(Exception, match="cannot merge into approved order #1001"):
        merge_orders(env, ["#1001", "#1002"])
    assert _order(env, "#1002").state == "new"
    assert _reserved(env, "#1001") == Counter({"TEA-LJ-100": 2})


def test_approve_with_backorder_approves_what_is_in_stock_and_leaves_the_rest_in_a_child(
    env, tmp_path
):
    stock_up(env, tmp_path, {"TEA-LJ-100": 2, "MUG-WHT-350": 5})
    add_order(env, "#1001", lines=(("TEA-LJ-100", 5, "12.50"), ("MUG-WHT-350", 1, "9.00")))

    refused = order_actions.approve(env, ["#1001"])
    assert refused.failed == 1 and _order(env, "#1001").state == "new"

    report = order_actions.approve(env, ["#1001"], backorder=True)
    assert report.outcomes[0].message == "backorder #1001-S1 (new): TEA-LJ-100:3"
    assert _order(env, "#1001").state == "approved"
    assert _reserved(env, "#1001") == _units(env, "#1001")
    assert _units(env, "#1001") == Counter({"TEA-LJ-100": 2, "MUG-WHT-350": 1})
    child = _order(env, "#1001-S1")
    assert (child.state, child.parent_id) == ("new", _order(env, "#1001").id)
    assert _units(env, "#1001-S1") == Counter({"TEA-LJ-100": 3})
    assert _levels_match_reservations(env)


def test_approve_with_backorder_and_nothing_in_stock_is_refused_as_without_it(env, tmp_path):
    stock_up(env, tmp_path, {"TEA-LJ-100": 0})
    add_order(env, "#1001", lines=(("TEA-LJ-100", 5, "12.50"),))
    report = order_actions.approve(env, ["#1001"], backorder=True)
    assert report.failed == 1
    with env.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Order)) == 1
