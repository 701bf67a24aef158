from __future__ import annotations

import pytest

from omsctl.domain.errors import UsageProblem
from omsctl.domain.replenishment import (
    daily_velocity,
    days_of_cover,
    is_low,
    reorder_alert,
    suggest_order_quantity,
)


def test_steady_sales_give_that_many_units_a_day() -> None:
    assert daily_velocity([4] * 30) == pytest.approx(4.0)


def test_recent_days_weigh_more_than_old_ones() -> None:
    assert daily_velocity([0] * 20 + [10] * 3) > daily_velocity([10] * 3 + [0] * 20)


def test_a_day_one_half_life_old_counts_half_as_much_as_today() -> None:
    # weights 0.5 (yesterday, half-life 1) and 1 (today): (0.5 * 6 + 1 * 0) / 1.5
    assert daily_velocity([6, 0], half_life_days=1) == pytest.approx(2.0)


def test_no_sales_history_means_no_velocity() -> None:
    assert daily_velocity([]) == 0.0


def test_a_half_life_of_zero_is_refused() -> None:
    with pytest.raises(UsageProblem, match="half-life"):
        daily_velocity([1], half_life_days=0)


def test_days_of_cover_is_stock_over_velocity_and_none_when_nothing_sells() -> None:
    assert days_of_cover(30, 2.5) == pytest.approx(12.0)
    assert days_of_cover(30, 0.0) is None


def test_stock_at_the_reorder_point_is_low() -> None:
    assert is_low(10, 10)
    assert not is_low(11, 10)


def test_the_suggestion_covers_lead_time_and_review_on_top_of_safety_stock() -> None:
    # target 20 + 2 * (7 + 14) = 62, minus the 8 available
    assert suggest_order_quantity(8, 2.0, reorder_point=10, safety_stock=20) == 54


def test_a_part_unit_is_rounded_up_but_float_noise_is_not() -> None:
    assert suggest_order_quantity(0, 0.11, 0, 0, lead_time_days=5, review_days=5) == 2
    assert suggest_order_quantity(0, 0.1, 0, 0, lead_time_days=15, review_days=15) == 3


def test_nothing_is_ordered_above_the_reorder_point() -> None:
    assert suggest_order_quantity(50, 2.0, reorder_point=10, safety_stock=20) == 0


def test_an_order_always_lifts_stock_above_the_reorder_point() -> None:
    assert suggest_order_quantity(3, 0.0, reorder_point=10, safety_stock=5) == 8


def test_an_alert_carries_everything_the_low_stock_list_shows() -> None:
    alert = reorder_alert("MUG-WHT-350", 6, [3] * 14, reorder_point=10, safety_stock=10)

    assert alert is not None
    assert alert.velocity == pytest.approx(3.0)
    assert alert.days_of_cover == pytest.approx(2.0)
    assert alert.suggested_quantity == 10 + 63 - 6
    assert reorder_alert("MUG-WHT-350", 60, [3] * 14, reorder_point=10, safety_stock=10) is None
