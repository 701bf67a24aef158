from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.allocation import (
    Allocation,
    Reservation,
    Slot,
    Warehouse,
    allocate,
    preferred_warehouses,
)
from omsctl.domain.bins import pick_sequence
from omsctl.domain.errors import UsageProblem

HANGZHOU = Warehouse("HGH", country="CN", region="ZJ", priority=1, load=0)
SHANGHAI = Warehouse("SHA", country="CN", region="SH", priority=2, load=0)
SHENZHEN = Warehouse("SZX", country="CN", region="GD", priority=3, load=0)


def slot(warehouse: str, location: str, sku: str, available: int) -> Slot:
    return Slot(warehouse, location, pick_sequence(location), sku, available)


def test_one_warehouse_that_has_everything_beats_a_split_across_preferred_ones() -> None:
    slots = [
        slot("HGH", "A-01-1", "MUG-WHT-350", 5),
        slot("SHA", "A-01-1", "TEE-BLK-M", 5),
        slot("SZX", "A-01-1", "MUG-WHT-350", 2),
        slot("SZX", "B-02-1", "TEE-BLK-M", 1),
    ]

    result = allocate(
        [("MUG-WHT-350", 2), ("TEE-BLK-M", 1)],
        slots,
        [HANGZHOU, SHANGHAI, SHENZHEN],
        country="CN",
        preferences={"CN": ["HGH", "SHA", "SZX"]},
    )

    assert result.complete
    assert result.warehouses == ("SZX",)
    assert not result.split


def test_the_warehouse_preferred_for_the_destination_ships() -> None:
    slots = [slot(code, "A-01-1", "MUG-WHT-350", 10) for code in ("HGH", "SHA", "SZX")]

    result = allocate(
        [("MUG-WHT-350", 1)],
        slots,
        [HANGZHOU, SHANGHAI, SHENZHEN],
        country="CN",
        preferences={"CN": ["SZX", "SHA"]},
    )

    assert result.warehouses == ("SZX",)


def test_a_region_preference_beats_the_country_preference() -> None:
    slots = [slot(code, "A-01-1", "MUG-WHT-350", 10) for code in ("HGH", "SHA", "SZX")]
    preferences = {"CN": ["SZX"], "CN-ZJ": ["SHA"]}

    to_zhejiang = allocate(
        [("MUG-WHT-350", 1)],
        slots,
        [HANGZHOU, SHANGHAI, SHENZHEN],
        country="CN",
        region="ZJ",
        preferences=preferences,
    )
    to_guangdong = allocate(
        [("MUG-WHT-350", 1)],
        slots,
        [HANGZHOU, SHANGHAI, SHENZHEN],
        country="CN",
        region="CN-GD",
        preferences=preferences,
    )

    assert to_zhejiang.warehouses == ("SHA",)
    assert to_guangdong.warehouses == ("SZX",)
    assert preferred_warehouses(preferences, "cn", "zj") == ("SHA", "SZX")


def test_the_least_loaded_warehouse_wins_a_tie() -> None:
    busy = Warehouse("EWR", country="US", region="NJ", priority=1, load=900)
    quiet = Warehouse("ONT", country="US", region="CA", priority=2, load=40)
    slots = [slot("EWR", "A-01-1", "CANDLE-LAV", 9), slot("ONT", "A-01-1", "CANDLE-LAV", 9)]

    result = allocate([("CANDLE-LAV", 3)], slots, [busy, quiet], country="US", region="TX")

    assert result.warehouses == ("ONT",)


def test_priority_then_code_break_the_remaining_ties() -> None:
    a = Warehouse("W2", country="DE", priority=1)
    b = Warehouse("W1", country="DE", priority=1)
    c = Warehouse("W0", country="DE", priority=2)
    slots = [slot(w.code, "A-01-1", "BAG-CANVAS", 5) for w in (a, b, c)]

    result = allocate([("BAG-CANVAS", 1)], slots, [a, b, c], country="DE")

    assert result.warehouses == ("W1",)


def test_an_order_no_single_warehouse_can_fill_is_split() -> None:
    slots = [
        slot("HGH", "A-01-1", "MUG-WHT-350", 4),
        slot("SHA", "A-01-1", "TEE-BLK-M", 2),
        slot("SHA", "A-02-1", "MUG-WHT-350", 1),
    ]

    result = allocate(
        [("MUG-WHT-350", 4), ("TEE-BLK-M", 2)], slots, [HANGZHOU, SHANGHAI], country="CN"
    )

    assert result.complete
    assert result.split
    assert set(result.reservations) == {
        Reservation("MUG-WHT-350", "HGH", "A-01-1", 4),
        Reservation("TEE-BLK-M", "SHA", "A-01-1", 2),
    }


def test_a_split_uses_as_few_warehouses_as_it_can() -> None:
    # HGH is preferred but holds one line; SZX holds two; SHA the last one.
    slots = [
        slot("HGH", "A-01-1", "SKU-1", 1),
        slot("SZX", "A-01-1", "SKU-2", 1),
        slot("SZX", "A-01-2", "SKU-3", 1),
        slot("SHA", "A-01-1", "SKU-1", 1),
        slot("SHA", "A-01-2", "SKU-4", 1),
    ]
    lines = [("SKU-1", 1), ("SKU-2", 1), ("SKU-3", 1), ("SKU-4", 1)]

    result = allocate(
        lines, slots, [HANGZHOU, SHANGHAI, SHENZHEN], country="CN", preferences={"CN": ["HGH"]}
    )

    assert result.complete
    assert sorted(result.warehouses) == ["SHA", "SZX"]


def test_a_line_no_warehouse_holds_whole_is_cut_across_warehouses() -> None:
    slots = [slot("HGH", "A-01-1", "MUG-WHT-350", 3), slot("SHA", "A-01-1", "MUG-WHT-350", 3)]

    result = allocate([("MUG-WHT-350", 5)], slots, [HANGZHOU, SHANGHAI], country="CN")

    assert result.complete
    assert result.reservations == (
        Reservation("MUG-WHT-350", "HGH", "A-01-1", 3),
        Reservation("MUG-WHT-350", "SHA", "A-01-1", 2),
    )


def test_without_splitting_an_order_no_single_warehouse_can_fill_waits_whole() -> None:
    slots = [slot("HGH", "A-01-1", "MUG-WHT-350", 1), slot("SHA", "A-01-1", "TEE-BLK-M", 1)]

    result = allocate(
        [("MUG-WHT-350", 1), ("TEE-BLK-M", 1)],
        slots,
        [HANGZHOU, SHANGHAI],
        country="CN",
        allow_split=False,
    )

    assert result == Allocation((), {"MUG-WHT-350": 1, "TEE-BLK-M": 1})


def test_a_short_order_reserves_nothing_and_names_the_shortfall() -> None:
    slots = [slot("HGH", "A-01-1", "MUG-WHT-350", 2), slot("SHA", "A-01-1", "TEE-BLK-M", 5)]

    result = allocate(
        [("MUG-WHT-350", 3), ("TEE-BLK-M", 1)], slots, [HANGZHOU, SHANGHAI], country="CN"
    )

    assert result.reservations == ()
    assert result.missing == {"MUG-WHT-350": 1}
    assert not result.complete


def test_a_backorder_reserves_what_is_there_and_reports_the_rest() -> None:
    slots = [slot("HGH", "A-01-1", "MUG-WHT-350", 2), slot("SHA", "A-01-1", "TEE-BLK-M", 5)]

    result = allocate(
        [("MUG-WHT-350", 3), ("TEE-BLK-M", 1), ("CANDLE-LAV", 2)],
        slots,
        [HANGZHOU, SHANGHAI],
        country="CN",
        backorder=True,
    )

    assert result.reserved() == {"MUG-WHT-350": 2, "TEE-BLK-M": 1}
    assert result.missing == {"MUG-WHT-350": 1, "CANDLE-LAV": 2}


def test_a_backorder_without_splitting_ships_what_the_best_single_warehouse_has() -> None:
    slots = [
        slot("HGH", "A-01-1", "MUG-WHT-350", 1),
        slot("SHA", "A-01-1", "MUG-WHT-350", 2),
        slot("SHA", "A-01-2", "TEE-BLK-M", 1),
    ]

    result = allocate(
        [("MUG-WHT-350", 3), ("TEE-BLK-M", 1)],
        slots,
        [HANGZHOU, SHANGHAI],
        country="CN",
        allow_split=False,
        backorder=True,
    )

    assert result.warehouses == ("SHA",)
    assert result.missing == {"MUG-WHT-350": 1}


def test_bins_are_reserved_in_pick_order_not_by_size() -> None:
    slots = [
        slot("HGH", "B-01-1", "MUG-WHT-350", 50),  # aisle B walks down: bay 1 is last
        slot("HGH", "B-09-1", "MUG-WHT-350", 1),
        slot("HGH", "A-05-2", "MUG-WHT-350", 1),
        slot("HGH", "A-05-1", "MUG-WHT-350", 1),
    ]

    result = allocate([("MUG-WHT-350", 5)], slots, [HANGZHOU], country="CN")

    assert [(r.location, r.quantity) for r in result.reservations] == [
        ("A-05-1", 1),
        ("A-05-2", 1),
        ("B-09-1", 1),
        ("B-01-1", 2),
    ]


def test_the_same_sku_on_two_lines_is_reserved_as_one_demand() -> None:
    slots = [slot("HGH", "A-01-1", "TEE-BLK-M", 2), slot("SHA", "A-01-1", "TEE-BLK-M", 3)]

    result = allocate(
        [("TEE-BLK-M", 2), ("TEE-BLK-M", 1)], slots, [HANGZHOU, SHANGHAI], country="CN"
    )

    assert result.reservations == (Reservation("TEE-BLK-M", "SHA", "A-01-1", 3),)


def test_slots_in_warehouses_not_offered_are_ignored() -> None:
    slots = [slot("CLOSED", "A-01-1", "MUG-WHT-350", 9)]

    result = allocate([("MUG-WHT-350", 1)], slots, [HANGZHOU], country="CN")

    assert result.missing == {"MUG-WHT-350": 1}


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
def test_a_line_without_a_positive_whole_quantity_is_refused(quantity: object) -> None:
    with pytest.raises(UsageProblem, match="MUG-WHT-350"):
        allocate([("MUG-WHT-350", quantity)], [], [HANGZHOU], country="CN")  # type: ignore[list-item]


SKUS = ["MUG-WHT-350", "TEE-BLK-M", "CANDLE-LAV", "BAG-CANVAS"]
CODES = ["HGH", "SHA", "SZX"]


@given(
    lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 6)), min_size=1, max_size=5),
    stock=st.lists(
        st.tuples(
            st.sampled_from(CODES),
            st.sampled_from(["A-01-1", "A-02-1", "B-01-1", "RECEIVING"]),
            st.sampled_from(SKUS),
            st.integers(0, 6),
        ),
        max_size=12,
        unique_by=lambda t: (t[0], t[1], t[2]),
    ),
    allow_split=st.booleans(),
    backorder=st.booleans(),
)
def test_allocation_never_takes_more_than_a_bin_has_or_the_order_wants(
    lines: list[tuple[str, int]],
    stock: list[tuple[str, str, str, int]],
    allow_split: bool,
    backorder: bool,
) -> None:
    slots = [slot(*row[:2], row[2], row[3]) for row in stock]
    available = {(s.warehouse, s.location, s.sku): s.available for s in slots}
    ordered: dict[str, int] = {}
    for sku, qty in lines:
        ordered[sku] = ordered.get(sku, 0) + qty

    result = allocate(
        lines,
        slots,
        [HANGZHOU, SHANGHAI, SHENZHEN],
        country="CN",
        allow_split=allow_split,
        backorder=backorder,
    )

    for r in result.reservations:
        assert 0 < r.quantity <= available[(r.warehouse, r.location, r.sku)]
    assert len({(r.warehouse, r.location, r.sku) for r in result.reservations}) == len(
        result.reservations
    )
    reserved = result.reserved()
    for sku, qty in ordered.items():
        assert reserved.get(sku, 0) + result.missing.get(sku, 0) <= qty
        if result.reservations:
            assert reserved.get(sku, 0) + result.missing.get(sku, 0) == qty
    if not backorder and not result.complete:
        assert result.reservations == ()
    if not allow_split:
        assert not result.split
