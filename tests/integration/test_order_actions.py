"""Decisions on orders against a real database: any sequence keeps state and history honest."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oms_testing import add_order, stock_up
from sqlalchemy import select

from omsctl.domain.lifecycle import ALLOWED, State
from omsctl.services import order_actions
from omsctl.store.tables import Order, OrderHistory

_numbers = itertools.count(1000)
ACTIONS = st.lists(
    st.sampled_from(["approve", "hold", "release", "cancel"]), min_size=1, max_size=12
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_any_sequence_of_decisions_keeps_a_legal_state_and_one_history_row_per_change(
    env, tmp_path_factory, actions
):
    number = f"#{next(_numbers)}"
    stock_up(env, tmp_path_factory.mktemp("stock"), {"TEA-LJ-100": 20})
    add_order(env, number)
    for action in actions:
        if action == "hold":
            order_actions.hold(env, [number], "manual")
        elif action == "release":
            order_actions.release(env, [number])
        else:
            getattr(order_actions, action)(env, [number])
    with env.uow(write=False) as uow:
        order = uow.session.scalars(select(Order).where(Order.channel_order_no == number)).one()
        rows = uow.session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order.id).order_by(OrderHistory.id)
        ).all()
        moves = [(r.from_state, r.to_state) for r in rows]
        final = State(order.state)
    state = State.NEW
    for before, after in moves:
        if before != after:
            assert before == state and State(after) in ALLOWED[state]
            state = State(after)
    assert final == state
