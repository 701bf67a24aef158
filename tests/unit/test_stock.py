from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.errors import OmsError, StockProblem, UsageProblem
from omsctl.domain.stock import (
    Movement,
    StockLevel,
    adjust,
    count,
    receive,
    release,
    reserve,
    ship,
)

MUGS = StockLevel("MUG-WHT-350", "A-03-2", on_hand=10, reserved=4)


def test_receiving_adds_to_on_hand_and_records_the_movement() -> None:
    level, movement = receive(MUGS, 5, "PO-2291")

    assert (level.on_hand, level.reserved, level.available) == (15, 4, 11)
    assert movement == Movement("MUG-WHT-350", "A-03-2", "receive", 5, 0, 15, 4, "PO-2291")


def test_a_stock_take_sets_on_hand_and_records_the_difference() -> None:
    level, movement = count(MUGS, 7, "cycle count")

    assert level.on_hand == 7
    assert (movement.kind, movement.delta_on_hand, movement.on_hand_after) == ("count", -3, 7)


def test_a_stock_take_below_the_reserved_units_is_refused_with_the_fix() -> None:
    with pytest.raises(StockProblem) as refused:
        count(MUGS, 3, "cycle count")

    assert str(refused.value) == (
        "cannot count MUG-WHT-350 at A-03-2 as 3: 4 are reserved for orders; "
        "release or ship those reservations first, then count again"
    )


def test_an_adjustment_may_not_eat_into_reserved_stock() -> None:
    with pytest.raises(StockProblem) as refused:
        adjust(MUGS, -7, "damaged")

    assert str(refused.value) == (
        "cannot adjust MUG-WHT-350 at A-03-2 by -7: 3 on hand would be below the 4 reserved"
        " for orders; take off at most 6, or release or ship those reservations first"
    )


def test_an_adjustment_may_not_go_below_zero() -> None:
    with pytest.raises(StockProblem, match="by -3: only 2 on hand; take off at most 2"):
        adjust(StockLevel("TEE-BLK-M", "B-01-1", 2, 0), -3, "lost")


def test_an_adjustment_needs_a_reason() -> None:
    with pytest.raises(UsageProblem, match="has no reason"):
        adjust(MUGS, 1, "  ")


def test_reserving_more_than_is_available_is_refused_with_the_numbers() -> None:
    with pytest.raises(StockProblem) as refused:
        reserve(MUGS, 7)

    assert "cannot reserve 7 of MUG-WHT-350 at A-03-2: only 6 available" in str(refused.value)
    assert "(10 on hand, 4 reserved)" in str(refused.value)


def test_releasing_more_than_is_reserved_is_refused() -> None:
    with pytest.raises(StockProblem, match="cannot release 5 of MUG-WHT-350 at A-03-2"):
        release(MUGS, 5)


def test_shipping_takes_units_off_both_reserved_and_on_hand() -> None:
    level, movement = ship(MUGS, 3, "order #1001")

    assert (level.on_hand, level.reserved) == (7, 1)
    assert (movement.delta_on_hand, movement.delta_reserved) == (-3, -3)


def test_only_reserved_units_can_ship() -> None:
    with pytest.raises(StockProblem, match="only 4 reserved"):
        ship(MUGS, 5)


@pytest.mark.parametrize("qty", [0, -2, 2.5, True])
def test_quantities_must_be_whole_numbers_above_zero(qty: object) -> None:
    for move in (receive, reserve, release, ship):
        with pytest.raises(UsageProblem, match="MUG-WHT-350 at A-03-2"):
            move(MUGS, qty)  # type: ignore[arg-type]


def test_a_level_that_breaks_the_invariant_cannot_be_built() -> None:
    with pytest.raises(StockProblem, match="3 on hand and 5 reserved"):
        StockLevel("MUG-WHT-350", "A-03-2", on_hand=3, reserved=5)


MOVES: dict[str, Callable[[StockLevel, int], tuple[StockLevel, Movement]]] = {
    "receive": lambda level, n: receive(level, n, "delivery"),
    "count": lambda level, n: count(level, n, "stock take"),
    "adjust": lambda level, n: adjust(level, n, "correction"),
    "reserve": reserve,
    "release": release,
    "ship": ship,
}


@given(st.lists(st.tuples(st.sampled_from(sorted(MOVES)), st.integers(-5, 12)), max_size=40))
def test_the_ledger_always_adds_up_to_the_level_and_reserved_stays_within_on_hand(
    steps: list[tuple[str, int]],
) -> None:
    level = StockLevel("MUG-WHT-350", "A-03-2", 0, 0)
    ledger: list[Movement] = []

    for kind, n in steps:
        try:
            level, movement = MOVES[kind](level, n)
        except OmsError:
            continue  # refusals change nothing
        ledger.append(movement)
        assert movement.kind == kind
        assert (movement.on_hand_after, movement.reserved_after) == (level.on_hand, level.reserved)
        assert 0 <= level.reserved <= level.on_hand

    assert level.on_hand == sum(m.delta_on_hand for m in ledger)
    assert level.reserved == sum(m.delta_reserved for m in ledger)
