from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.errors import UsageProblem
from omsctl.domain.waves import (
    Candidate,
    Limits,
    PlannedWave,
    Strategy,
    WavePlan,
    is_express,
    plan_waves,
    priority_key,
)

MORNING = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def order(
    order_id: int,
    *,
    units: int = 2,
    warehouse: str = "HGH",
    carrier: str = "SF",
    service: str = "Standard",
    paid_minutes: int | None = 0,
    weight: str = "0.5",
    zones: str = "A",
) -> Candidate:
    """A candidate paid `paid_minutes` after 09:00 Shanghai time (None: unpaid)."""
    ordered = MORNING + timedelta(minutes=(paid_minutes or 0) - 5)
    paid = None if paid_minutes is None else MORNING + timedelta(minutes=paid_minutes)
    return Candidate(
        order_id=order_id,
        ref=f"#{1000 + order_id}",
        warehouse=warehouse,
        carrier=carrier,
        service_level=service,
        paid_at=paid,
        ordered_at=ordered,
        units=units,
        weight_kg=Decimal(weight),
        zones=frozenset(zones),
    )


def ids(plan: WavePlan) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(w.warehouse, w.key, w.order_ids) for w in plan.waves]


# --- priority --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "service",
    [
        "Express",
        "DHL Express Worldwide",
        "Expressversand",
        "Expedited",
        "NextDay",
        "UPS Next Day Air",
        "next-day",
        "SecondDay",
        "2-Day Shipping",
        "Priority Mail",
        "FedEx Standard Overnight",
        "Same Day",
        "Eilzustellung",
        "加急",
        "顺丰次日",
        "EMS特快专递",
        "お急ぎ便",
    ],
)
def test_services_the_buyer_paid_extra_for_are_express(service: str) -> None:
    assert is_express(service)


@pytest.mark.parametrize(
    "service",
    [
        "",
        "Standard",
        "Standard Shipping",
        "Shipping (5-8 days)",
        "Delivery in 1-2 days",
        "Economy",
        "快递",
        "顺丰标快",
        "Free shipping",
    ],
)
def test_ordinary_services_are_not_express(service: str) -> None:
    assert not is_express(service)


def test_express_orders_come_first_then_the_oldest_paid_and_unpaid_ones_last() -> None:
    late_express = order(1, service="Expedited", paid_minutes=90)
    early = order(2, paid_minutes=0)
    later = order(3, paid_minutes=30)
    unpaid = order(4, paid_minutes=None)

    ranked = sorted([unpaid, later, early, late_express], key=priority_key)

    assert [c.order_id for c in ranked] == [1, 2, 3, 4]


def test_orders_paid_at_the_same_moment_are_ranked_by_order_time_then_id() -> None:
    a = order(7, paid_minutes=10)
    b = order(3, paid_minutes=10)
    ordered_earlier = Candidate(**{**_fields(order(9, paid_minutes=10)), "ordered_at": MORNING})

    assert sorted([a, b, ordered_earlier], key=priority_key) == [ordered_earlier, b, a]


def _fields(c: Candidate) -> dict[str, object]:
    return {name: getattr(c, name) for name in Candidate.__slots__}


# --- strategies ------------------------------------------------------------------------------


def test_the_default_mix_waves_single_unit_orders_apart_and_first() -> None:
    plan = plan_waves([order(1, units=3), order(2, units=1), order(3, units=1), order(4)])

    assert ids(plan) == [("HGH", "single", (2, 3)), ("HGH", "multi", (1, 4))]
    assert [w.strategy for w in plan.waves] == [Strategy.SINGLE, Strategy.MULTI]
    assert plan.waves[0].units == 2
    assert plan.waves[1].units == 5
    assert plan.left_for_later == ()


def test_a_wave_never_spans_two_warehouses() -> None:
    plan = plan_waves([order(1, warehouse="SZX"), order(2, warehouse="HGH"), order(3)])

    assert ids(plan) == [("HGH", "multi", (2, 3)), ("SZX", "multi", (1,))]


def test_the_single_strategy_leaves_multi_unit_orders_for_later() -> None:
    plan = plan_waves([order(1, units=1), order(2, units=2)], strategy=Strategy.SINGLE)

    assert ids(plan) == [("HGH", "single", (1,))]
    assert plan.left_for_later == ((2, "not a single-unit order"),)


def test_the_multi_strategy_leaves_single_unit_orders_for_later() -> None:
    plan = plan_waves([order(1, units=1), order(2, units=2)], strategy=Strategy.MULTI)

    assert ids(plan) == [("HGH", "multi", (2,))]
    assert plan.left_for_later == (
        (1, "a single-unit order (waved by --strategy single or mixed)"),
    )


def test_the_carrier_strategy_makes_one_wave_per_carrier_and_service() -> None:
    plan = plan_waves(
        [
            order(1, carrier="SF", service="Standard"),
            order(2, carrier="SF", service="次日达"),
            order(3, carrier="ZTO", service="Standard"),
            order(4, carrier="SF", service="Standard"),
            order(5, carrier="", service=""),
        ],
        strategy="carrier",  # type: ignore[arg-type]  # the CLI passes the option's text
    )

    assert ids(plan) == [
        ("HGH", "SF/次日达", (2,)),  # express first
        ("HGH", "SF/Standard", (1, 4)),
        ("HGH", "ZTO/Standard", (3,)),
        ("HGH", "no carrier/standard", (5,)),
    ]


def test_the_zone_strategy_groups_by_aisle_and_puts_orders_across_aisles_together() -> None:
    plan = plan_waves(
        [order(1, zones="A"), order(2, zones="B"), order(3, zones="AB"), order(4, zones="A")],
        strategy=Strategy.ZONE,
    )

    assert ids(plan) == [
        ("HGH", "A", (1, 4)),
        ("HGH", "B", (2,)),
        ("HGH", "mixed-zones", (3,)),
    ]


def test_an_order_without_any_zone_waits_with_the_mixed_zones() -> None:
    plan = plan_waves([order(1, zones="")], strategy=Strategy.ZONE)

    assert ids(plan) == [("HGH", "mixed-zones", (1,))]


# --- filters and cut-off ---------------------------------------------------------------------


def test_orders_paid_after_the_cut_off_and_unpaid_ones_wait_for_the_next_wave() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    cutoff = datetime(2026, 11, 20, 14, 0, tzinfo=shanghai)  # 06:00 UTC
    on_time = order(1, paid_minutes=300)  # 14:00 Shanghai exactly
    late = order(2, paid_minutes=301)
    unpaid = order(3, paid_minutes=None)

    plan = plan_waves([late, unpaid, on_time], cutoff=cutoff)

    assert ids(plan) == [("HGH", "multi", (1,))]
    assert plan.left_for_later == (
        (2, "paid after the 14:00 cut-off"),
        (3, "not paid by the 14:00 cut-off"),
    )


def test_without_a_cut_off_unpaid_approved_orders_are_waved_last() -> None:
    plan = plan_waves([order(1, paid_minutes=None), order(2)])

    assert ids(plan) == [("HGH", "multi", (2, 1))]


def test_carrier_and_warehouse_filters_say_why_an_order_is_left_out() -> None:
    plan = plan_waves(
        [order(1, carrier="SF"), order(2, carrier="ZTO"), order(3, warehouse="SZX")],
        carrier="sf",
        warehouse="hgh",
    )

    assert ids(plan) == [("HGH", "multi", (1,))]
    assert plan.left_for_later == ((2, "ships with ZTO, not sf"), (3, "ships from SZX, not hgh"))


def test_an_order_with_nothing_to_pick_is_not_waved() -> None:
    plan = plan_waves([order(1, units=0)])

    assert plan.waves == ()
    assert plan.left_for_later == ((1, "has no units to pick"),)


# --- limits ----------------------------------------------------------------------------------


def test_the_most_urgent_orders_fill_the_wave_and_the_rest_wait() -> None:
    candidates = [order(n, paid_minutes=10 - n) for n in range(1, 6)]  # 5 is oldest

    plan = plan_waves(candidates, limits=Limits(max_orders=3))

    assert ids(plan) == [("HGH", "multi", (5, 4, 3))]
    assert plan.left_for_later == (
        (1, "waits for the next wave: limits (3 orders)"),
        (2, "waits for the next wave: limits (3 orders)"),
    )


def test_an_order_that_does_not_fit_lets_smaller_ones_behind_it_fill_the_cart() -> None:
    candidates = [
        order(1, units=6, paid_minutes=0),
        order(2, units=5, paid_minutes=1),
        order(3, units=3, paid_minutes=2),
        order(4, units=1, paid_minutes=3),
    ]

    plan = plan_waves(candidates, strategy=Strategy.MULTI, limits=Limits(max_units=10))

    assert ids(plan) == [("HGH", "multi", (1, 3))]
    assert plan.left_for_later == (
        (2, "waits for the next wave: limits (10 units)"),
        (4, "a single-unit order (waved by --strategy single or mixed)"),
    )


def test_weight_limits_are_exact_decimals() -> None:
    candidates = [order(n, weight="0.1", paid_minutes=n) for n in range(1, 5)]

    plan = plan_waves(candidates, limits=Limits(max_weight_kg=Decimal("0.3")))

    assert ids(plan) == [("HGH", "multi", (1, 2, 3))]
    assert plan.waves[0].weight_kg == Decimal("0.3")
    assert plan.left_for_later == ((4, "waits for the next wave: limits (0.3 kg)"),)


def test_an_order_bigger_than_a_wave_gets_a_wave_of_its_own_with_a_note() -> None:
    plan = plan_waves(
        [order(1, units=2), order(2, units=40, paid_minutes=5), order(3, weight="30")],
        limits=Limits(max_units=10, max_weight_kg=Decimal("25")),
    )

    assert ids(plan) == [("HGH", "multi", (1,)), ("HGH", "multi", (3,)), ("HGH", "multi", (2,))]
    assert plan.waves[1].notes == ("#1003 has a wave to itself: 30 kg, over the 25 kg limit",)
    assert plan.waves[2] == PlannedWave(
        "HGH",
        Strategy.MULTI,
        "multi",
        (2,),
        40,
        Decimal("0.5"),
        ("#1002 has a wave to itself: 40 units, over the 10-unit limit",),
    )
    assert plan.left_for_later == ()


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_orders": 0}, "--max-orders is 0; a wave needs room for 1 order or more"),
        ({"max_units": -1}, "--max-units is -1; a wave needs room for 1 unit or more"),
        ({"max_weight_kg": Decimal(0)}, "--max-weight is 0 kg; give a weight above 0"),
    ],
)
def test_a_limit_that_leaves_no_room_is_refused(limits: dict[str, object], message: str) -> None:
    with pytest.raises(UsageProblem) as refused:
        Limits(**limits)  # type: ignore[arg-type]

    assert str(refused.value) == message


def test_the_plan_does_not_depend_on_the_order_of_the_candidates() -> None:
    rng = random.Random(7)
    candidates = [
        order(
            n,
            units=rng.randint(1, 4),
            warehouse=rng.choice(["HGH", "SZX"]),
            service=rng.choice(["Standard", "Express"]),
            paid_minutes=rng.randint(0, 60),
        )
        for n in range(1, 60)
    ]
    shuffled = candidates[:]
    rng.shuffle(shuffled)
    limits = Limits(max_orders=7, max_units=15)

    assert plan_waves(shuffled, limits=limits) == plan_waves(candidates, limits=limits)


# --- invariants ------------------------------------------------------------------------------


@st.composite
def candidate_lists(draw: st.DrawFn) -> list[Candidate]:
    count = draw(st.integers(0, 30))
    return [
        order(
            n,
            units=draw(st.integers(0, 12)),
            warehouse=draw(st.sampled_from(["HGH", "SZX", "BER"])),
            carrier=draw(st.sampled_from(["SF", "ZTO", ""])),
            service=draw(st.sampled_from(["Standard", "Express", "次日达", ""])),
            paid_minutes=draw(st.none() | st.integers(-600, 600)),
            weight=str(draw(st.decimals("0", "20", places=3))),
            zones=draw(st.sampled_from(["", "A", "B", "AB", "C"])),
        )
        for n in range(1, count + 1)
    ]


limit_sets = st.builds(
    Limits,
    max_orders=st.none() | st.integers(1, 10),
    max_units=st.none() | st.integers(1, 15),
    max_weight_kg=st.none() | st.decimals("0.5", "30", places=1),
)


@given(
    candidates=candidate_lists(),
    strategy=st.sampled_from(Strategy),
    limits=limit_sets,
    cutoff=st.none() | st.sampled_from([MORNING, MORNING + timedelta(hours=3)]),
    carrier=st.none() | st.sampled_from(["SF", "zto"]),
    warehouse=st.none() | st.sampled_from(["HGH", "ber"]),
)
def test_every_order_ends_in_exactly_one_wave_or_is_left_with_a_reason(
    candidates: list[Candidate],
    strategy: Strategy,
    limits: Limits,
    cutoff: datetime | None,
    carrier: str | None,
    warehouse: str | None,
) -> None:
    plan = plan_waves(
        candidates,
        strategy=strategy,
        limits=limits,
        cutoff=cutoff,
        carrier=carrier,
        warehouse=warehouse,
    )

    waved = [i for w in plan.waves for i in w.order_ids]
    left = [i for i, _ in plan.left_for_later]
    assert sorted(waved + left) == [c.order_id for c in candidates]
    assert all(reason for _, reason in plan.left_for_later)
    by_id = {c.order_id: c for c in candidates}
    for wave in plan.waves:
        members = [by_id[i] for i in wave.order_ids]
        assert {c.warehouse for c in members} == {wave.warehouse}
        assert wave.units == sum(c.units for c in members)
        assert wave.weight_kg == sum((c.weight_kg for c in members), Decimal(0))
        assert members == sorted(members, key=priority_key)
        if len(members) > 1:
            assert limits.max_orders is None or len(members) <= limits.max_orders
            assert limits.max_units is None or wave.units <= limits.max_units
            assert limits.max_weight_kg is None or wave.weight_kg <= limits.max_weight_kg
            assert wave.notes == ()
        elif wave.notes:
            assert wave.order_ids == (members[0].order_id,)


@given(candidates=candidate_lists(), limits=limit_sets)
def test_no_order_waits_for_limits_while_its_group_has_no_wave(
    candidates: list[Candidate], limits: Limits
) -> None:
    plan = plan_waves(candidates, limits=limits)

    waiting = {i for i, reason in plan.left_for_later if reason.startswith("waits")}
    by_id = {c.order_id: c for c in candidates}
    regular = {(w.warehouse, w.key) for w in plan.waves if not w.notes}
    for i in waiting:
        c = by_id[i]
        assert (c.warehouse, "single" if c.units == 1 else "multi") in regular
