"""The stock ledger against a real database: whatever people and orders do, it adds up.

For every bin: on hand is the sum of its movements, reserved is the sum of the live
reservations (and of the movements' reserved deltas), and 0 <= reserved <= on hand. And every
approved order holds exactly its lines.
"""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oms_testing import add_order, stock_up
from sqlalchemy import func, select

from omsctl.domain.errors import OmsError
from omsctl.services import order_actions, stocking
from omsctl.services.splitting import split_order
from omsctl.store.tables import Order, OrderLine, Reservation, StockLevel, StockMovement

_numbers = itertools.count(7000)
SKUS = ("TEA-LJ-100", "MUG-WHT-350", "0012-SET")
BINS = {sku: f"A-01-{n}" for n, sku in enumerate(SKUS, start=1)}  # as stock_up names them
WAREHOUSES = ("BER", "HAM")

ORDER_LINES = st.lists(
    st.tuples(st.sampled_from(SKUS), st.integers(1, 3), st.just("9.90")), min_size=1, max_size=3
)
sku = st.sampled_from(SKUS)
where = st.sampled_from(WAREHOUSES)
order = st.integers(0, 2)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), sku, where, st.integers(1, 5)),
        st.tuples(st.just("adjust"), sku, where, st.integers(-4, 4).filter(bool)),
        st.tuples(st.just("count"), sku, where, st.integers(0, 6)),
        st.tuples(st.just("approve"), order, st.booleans()),
        st.tuples(st.just("cancel"), order),
        st.tuples(st.just("split"), order, sku),
    ),
    min_size=1,
    max_size=10,
)


def _run(env, tmp, op: tuple, numbers: list[str]) -> None:
    kind = op[0]
    try:
        if kind == "receive":
            _, item, warehouse, qty = op
            delivery = tmp / f"delivery-{next(_numbers)}.csv"
            delivery.write_text(
                f"sku,warehouse,location,on_hand\n{item},{warehouse},{BINS[item]},{qty}\n",
                encoding="utf-8",
            )
            stocking.import_stock(env, delivery, add=True)
        elif kind == "adjust":
            _, item, warehouse, delta = op
            stocking.adjust_stock(
                env, item, delta, "damaged", location=BINS[item], warehouse=warehouse
            )
        elif kind == "count":
            _, item, warehouse, qty = op
            stocking.set_stock(env, item, qty, location=BINS[item], warehouse=warehouse)
        elif kind == "approve":
            order_actions.approve(env, [numbers[op[1]]], backorder=op[2])
        elif kind == "cancel":
            order_actions.cancel(env, [numbers[op[1]]])
        else:
            split_order(env, numbers[op[1]], {op[2]: 1})
    except OmsError:
        pass  # refused (too few on hand, wrong state, not in the order): nothing changed


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.lists(ORDER_LINES, min_size=3, max_size=3), ops=OPS)
def test_any_sequence_of_stock_and_order_changes_keeps_the_ledger_and_reservations_exact(
    env, tmp_path_factory, orders, ops
):
    tmp = tmp_path_factory.mktemp("ledger")
    for warehouse in WAREHOUSES:
        stock_up(env, tmp, dict.fromkeys(SKUS, 2), warehouse=warehouse)
    numbers = [f"#{next(_numbers)}" for _ in orders]
    for number, lines in zip(numbers, orders, strict=True):
        add_order(env, number, lines=tuple(lines))

    for op in ops:
        _run(env, tmp, op, numbers)

    with env.uow(write=False) as uow:
        s = uow.session
        ledger = {
            (k, loc): (on, res)
            for k, loc, on, res in s.execute(
                select(
                    StockMovement.sku,
                    StockMovement.location_id,
                    func.sum(StockMovement.delta_on_hand),
                    func.sum(StockMovement.delta_reserved),
                ).group_by(StockMovement.sku, StockMovement.location_id)
            )
        }
        live = {
            (k, loc): qty
            for k, loc, qty in s.execute(
                select(
                    Reservation.sku, Reservation.location_id, func.sum(Reservation.quantity)
                ).group_by(Reservation.sku, Reservation.location_id)
            )
        }
        levels = s.execute(
            select(StockLevel.sku, StockLevel.location_id, StockLevel.on_hand, StockLevel.reserved)
        ).all()
        assert levels
        for k, loc, on_hand, reserved in levels:
            assert ledger[(k, loc)] == (on_hand, reserved), (k, loc)
            assert reserved == live.get((k, loc), 0), (k, loc)
            assert 0 <= reserved <= on_hand
        assert set(live) <= {(k, loc) for k, loc, _, _ in levels}

        for approved in s.scalars(select(Order).where(Order.state == "approved")):
            held: Counter[str] = Counter()
            for k, qty in s.execute(
                select(Reservation.sku, Reservation.quantity).where(
                    Reservation.order_id == approved.id
                )
            ):
                held[k] += qty
            wanted: Counter[str] = Counter()
            for k, qty in s.execute(
                select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == approved.id)
            ):
                wanted[k] += qty
            assert held == wanted, approved.channel_order_no
