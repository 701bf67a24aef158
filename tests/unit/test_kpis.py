"""KPI formulas and report periods on hand-made facts, with answers worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.kpi_facts import (
    Dispatch,
    Duration,
    Facts,
    HoldDue,
    Keyed,
    OrderEvent,
    Parcel,
    Units,
)
from omsctl.domain.kpi_periods import (
    By,
    Span,
    default_start,
    end_day,
    first_day,
    local_day,
    midnight,
    periods,
    previous,
    utc_offsets,
)
from omsctl.domain.kpi_stats import (
    mean,
    percentile,
    processing_bin,
    promised_days,
    rate,
    ship_by,
)
from omsctl.domain.kpis import (
    METRICS,
    build_report,
    change_text,
    measure,
    moved,
    value_text,
)

D = date(2026, 11, 16)  # a Monday
WEEK = Span(D, D + timedelta(days=7), "2026-W47")
TODAY = date(2026, 11, 25)


def day(n: int) -> date:
    return D + timedelta(days=n)


def no_promise(carrier: str, service: str) -> int | None:
    return {"DHL": 2, "SF": 1}.get(carrier)


def kpis(facts: Facts, span: Span = WEEK, today: date = TODAY) -> dict:
    return measure(facts, span, today=today, promised=no_promise).values


# --- percentiles, means, rates --------------------------------------------------------------


def test_the_90th_percentile_of_one_to_ten_interpolates_to_nine_point_one() -> None:
    assert percentile({v: 1 for v in range(1, 11)}, 0.9) == pytest.approx(9.1)


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert percentile({4: 1, 7: 1, 20: 1, 34: 1}, 0.5) == pytest.approx(13.5)


def test_repeated_values_weigh_as_often_as_they_occur() -> None:
    assert percentile({1: 3, 100: 1}, 0.5) == 1
    assert mean({1: 3, 100: 1}) == pytest.approx(25.75)


def test_no_values_give_no_percentile_and_no_mean_rather_than_zero() -> None:
    assert percentile({}, 0.5) is None
    assert mean({}) is None


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=40), st.floats(0, 1))
def test_a_percentile_lies_between_the_smallest_and_the_largest_value(values, q) -> None:
    weighted: dict[int, int] = {}
    for v in values:
        weighted[v] = weighted.get(v, 0) + 1
    assert min(values) <= percentile(weighted, q) <= max(values)


def test_a_rate_over_nothing_is_none_not_zero() -> None:
    assert rate(0, 0) is None
    assert rate(1, 4) == 0.25


# --- periods --------------------------------------------------------------------------------


def test_weeks_are_cut_at_mondays_and_a_window_starting_midweek_gets_a_short_first_week() -> None:
    spans = periods(date(2026, 11, 4), date(2026, 11, 20), By.WEEK)
    assert [(s.label, s.start.day, s.days) for s in spans] == [
        ("2026-W45", 4, 5),
        ("2026-W46", 9, 7),
        ("2026-W47", 16, 4),
    ]


def test_months_are_calendar_months_clipped_to_the_window() -> None:
    spans = periods(date(2026, 10, 28), date(2026, 12, 3), By.MONTH)
    assert [(s.label, s.days) for s in spans] == [("2026-10", 4), ("2026-11", 30), ("2026-12", 2)]


def test_a_whole_month_is_compared_with_the_whole_month_before() -> None:
    before = previous(date(2026, 10, 1), date(2026, 11, 1), By.MONTH)
    assert (before.start, before.end) == (date(2026, 9, 1), date(2026, 10, 1))


def test_other_windows_are_compared_with_as_many_days_just_before() -> None:
    before = previous(date(2026, 11, 16), date(2026, 11, 20), By.DAY)
    assert (before.start, before.end) == (date(2026, 11, 12), date(2026, 11, 16))


def test_default_windows_are_seven_days_four_weeks_or_three_months() -> None:
    end = date(2026, 11, 20)  # a Friday
    assert default_start(end, By.DAY) == date(2026, 11, 13)
    assert default_start(end, By.WEEK) == date(2026, 10, 26)  # a Monday
    assert default_start(end, By.MONTH) == date(2026, 9, 1)


def test_a_window_ends_at_a_midnight_that_is_given_and_rounds_any_later_time_up() -> None:
    berlin_midnight = datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    assert end_day(berlin_midnight, "Europe/Berlin") == date(2026, 11, 20)
    assert end_day(berlin_midnight + timedelta(minutes=1), "Europe/Berlin") == date(2026, 11, 21)
    assert first_day(berlin_midnight + timedelta(hours=5), "Europe/Berlin") == date(2026, 11, 20)


def test_late_evening_utc_is_already_tomorrow_in_shanghai() -> None:
    assert local_day(datetime(2026, 11, 19, 17, 30, tzinfo=UTC), "Asia/Shanghai") == date(
        2026, 11, 20
    )
    assert midnight(date(2026, 11, 20), "Asia/Shanghai") == datetime(
        2026, 11, 19, 16, 0, tzinfo=UTC
    )


def test_berlin_changes_its_offset_at_one_in_the_morning_utc_on_the_last_sundays() -> None:
    offsets = utc_offsets(
        "Europe/Berlin", datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert offsets == [
        (datetime(2026, 1, 1, tzinfo=UTC), 60),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 120),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 60),
    ]


def test_a_zone_without_daylight_saving_has_one_offset() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert utc_offsets("Asia/Shanghai", start, start + timedelta(days=400)) == [(start, 480)]


# --- speed ----------------------------------------------------------------------------------


def test_an_order_paid_before_the_cutoff_is_due_the_same_day_and_after_it_the_next() -> None:
    assert ship_by(D, before_cutoff=True) == D
    assert ship_by(D, before_cutoff=False) == day(1)


def test_same_day_rate_counts_shipped_orders_and_overdue_ones_but_not_those_still_in_time() -> None:
    facts = Facts(
        dispatch=[
            Dispatch(day(0), True, day(0), 2),  # same day
            Dispatch(day(0), False, day(1), 1),  # paid late, shipped next day: on time
            Dispatch(day(0), True, day(1), 1),  # a day late: next-day only
            Dispatch(day(1), True, None, 1),  # never shipped, long overdue
            Dispatch(day(6), True, None, 3),  # paid on the last day, due today: not judged
        ]
    )
    values = kpis(facts, today=day(6))
    assert values["same_day_ship_rate"] == pytest.approx(3 / 5)
    assert values["next_day_ship_rate"] == pytest.approx(4 / 5)


def test_processing_times_become_hours_with_average_median_and_p90() -> None:
    facts = Facts(processing=[Duration(day(0), h * 60, 1) for h in (4, 7)])
    facts.processing += [Duration(day(2), 1230, 1), Duration(day(3), 2070, 1)]  # 20.5h, 34.5h
    values = kpis(facts)
    assert values["processing_hours_avg"] == pytest.approx(16.5)
    assert values["processing_hours_median"] == pytest.approx(13.75)
    assert values["processing_hours_p90"] == pytest.approx(30.3)


def test_processing_times_fall_into_bins_with_the_lower_bound_included() -> None:
    assert processing_bin(0) == "0-4h"
    assert processing_bin(4 * 60 - 1) == "0-4h"
    assert processing_bin(4 * 60) == "4-8h"
    assert processing_bin(72 * 60) == "72h+"


def test_the_distribution_keeps_its_bins_in_time_order_even_when_empty() -> None:
    dist = measure(Facts(), WEEK, today=TODAY, promised=no_promise).breakdowns[
        "processing_time_distribution"
    ]
    assert list(dist) == ["0-4h", "4-8h", "8-12h", "12-24h", "24-48h", "48-72h", "72h+"]
    assert set(dist.values()) == {0}


# --- exceptions and accuracy ----------------------------------------------------------------


def test_hold_sla_counts_met_and_missed_but_not_holds_still_within_their_limit() -> None:
    facts = Facts(
        hold_due=[
            HoldDue(day(1), "buyer_note", "met", 3),
            HoldDue(day(1), "out_of_stock", "missed", 1),
            HoldDue(day(2), "out_of_stock", "open", 5),
        ]
    )
    m = measure(facts, WEEK, today=TODAY, promised=no_promise)
    assert m.values["hold_sla_met_rate"] == pytest.approx(0.75)
    assert m.breakdowns["hold_sla_met_rate_by_reason"] == {"buyer_note": 1.0, "out_of_stock": 0.0}


def test_hold_rate_is_held_orders_over_imported_orders_and_reasons_may_overlap() -> None:
    facts = Facts(
        imported=[OrderEvent(day(0), "shopify", False, 8), OrderEvent(day(1), "ebay", False, 2)],
        held_any=[Keyed(day(0), "", 2)],
        held=[Keyed(day(0), "unpaid", 2), Keyed(day(0), "high_value", 1)],
    )
    m = measure(facts, WEEK, today=TODAY, promised=no_promise)
    assert m.values["hold_rate"] == pytest.approx(0.2)
    assert m.breakdowns["hold_rate_by_reason"] == {"high_value": 0.1, "unpaid": 0.2}


def test_order_accuracy_is_the_share_of_pack_checks_without_mismatch() -> None:
    values = kpis(Facts(pack_checks=[Keyed(day(0), "ok", 19), Keyed(day(3), "mismatch", 1)]))
    assert values["pack_mismatch_rate"] == pytest.approx(0.05)
    assert values["order_accuracy"] == pytest.approx(0.95)


def test_fill_rate_and_split_rate_follow_the_orders_that_have_a_split_child() -> None:
    facts = Facts(
        imported=[OrderEvent(day(0), "shopify", True, 1), OrderEvent(day(0), "shopify", False, 9)],
        shipped=[OrderEvent(day(2), "shopify", True, 1), OrderEvent(day(2), "shopify", False, 3)],
    )
    values = kpis(facts)
    assert values["fill_rate"] == pytest.approx(0.75)
    assert values["split_rate"] == pytest.approx(0.1)


# --- carriers -------------------------------------------------------------------------------


def parcel(carrier, shipped, delivered=None, *, lost=False, failed=False, n=1, hours=0):
    return Parcel(carrier, "", shipped, delivered, lost, failed, n, hours * 3600 * n)


def test_on_time_is_judged_on_the_due_day_and_undelivered_parcels_are_late_once_it_passed() -> None:
    facts = Facts(
        parcels=[
            parcel("DHL", day(-1), day(1), hours=48),  # due day 1, delivered day 1: on time
            parcel("DHL", day(0), day(3), hours=72),  # due day 2, delivered day 3: late
            parcel("SF", day(2), None, lost=True, failed=True),  # due day 3, lost: late
            parcel("SF", day(6), None),  # due day 7: outside the week
            parcel("POST", day(0), day(4)),  # no promise: not judged
        ]
    )
    m = measure(facts, WEEK, today=TODAY, promised=no_promise)
    assert m.values["on_time_delivery_rate"] == pytest.approx(1 / 3)
    assert m.breakdowns["on_time_delivery_rate_by_carrier"] == {"DHL": 0.5, "SF": 0.0}


def test_a_parcel_not_yet_due_is_not_late_today() -> None:
    facts = Facts(parcels=[parcel("DHL", day(4), None)])  # due day 6, today is day 6
    assert kpis(facts, today=day(6))["on_time_delivery_rate"] is None


def test_delivery_success_leaves_out_parcels_still_travelling() -> None:
    facts = Facts(
        parcels=[
            parcel("DHL", day(0), day(2), n=3, hours=40),
            parcel("DHL", day(1), None, failed=True),  # refused
            parcel("DHL", day(2), None),  # on its way
        ]
    )
    values = kpis(facts)
    assert values["delivery_success_rate"] == pytest.approx(0.75)
    assert values["loss_damage_rate"] == 0.0
    assert values["transit_days_avg"] == pytest.approx(40 / 24)


def test_service_promises_beat_the_carriers_and_case_does_not_matter() -> None:
    table = {"SF": 3, "SF Express": 1}
    assert promised_days(table, "SF", "EXPRESS") == 1
    assert promised_days(table, "sf", "STANDARD") == 3
    assert promised_days(table, "DHL", "") is None


# --- after sale -----------------------------------------------------------------------------


def test_return_rate_by_sku_is_returned_over_shipped_units_of_that_sku() -> None:
    facts = Facts(
        shipped_units=[Units(day(0), "TEA-LJ-100", "", 8), Units(day(1), "CUP-GLS-300", "", 2)],
        returned_units=[
            Units(day(2), "TEA-LJ-100", "damaged", 1),
            Units(day(3), "TEA-LJ-100", "wrong_item", 1),
            Units(day(3), "KET-GLS-1L", "damaged", 1),  # shipped before the week
        ],
    )
    m = measure(facts, WEEK, today=TODAY, promised=no_promise)
    assert m.breakdowns["return_rate_by_sku"] == {"KET-GLS-1L": None, "TEA-LJ-100": 0.25}
    assert m.breakdowns["returned_units_by_reason"] == {"damaged": 2, "wrong_item": 1}


# --- the report and how values read ---------------------------------------------------------


def test_periods_add_up_to_the_window_and_the_previous_period_has_no_stock_snapshot() -> None:
    # 1 order on the first day of the previous week, 2 on the next, ... 14 on the last.
    facts = Facts(imported=[OrderEvent(day(n), "shopify", False, n + 8) for n in range(-7, 7)])
    periods_ = periods(WEEK.start, WEEK.end, By.DAY)
    report = build_report(
        facts,
        window=WEEK,
        before=previous(WEEK.start, WEEK.end, By.DAY),
        periods=periods_,
        today=TODAY,
        promised=no_promise,
        zone="UTC",
        by="day",
        ship_cutoff=time(14),
    )
    assert sum(p.measures.values["orders_imported"] for p in report.periods) == 77
    assert report.window.measures.values["orders_imported"] == 77
    assert report.previous.measures.values["orders_imported"] == 28
    assert report.previous.measures.values["skus_below_reorder_point"] is None
    assert list(report.window.measures.values) == [m.key for m in METRICS]
    assert [d.imported for d in report.daily] == [8, 9, 10, 11, 12, 13, 14]


def test_values_read_as_counts_percentages_hours_and_days() -> None:
    assert value_text(1234, "count") == "1,234"
    assert value_text(0.8333, "rate") == "83.3%"
    assert value_text(5.25, "hours") == "5.2 h"
    assert value_text(None, "days") == "–"


def test_changes_read_in_the_units_people_compare() -> None:
    assert change_text(15, 12, "count") == "+3 (+25%)"
    assert change_text(5, 0, "count") == "+5"
    assert change_text(0.55, 0.6, "rate") == "-5.0 pp"
    assert change_text(1.01, 1.0, "hours") == "±0.0 h"
    assert change_text(None, 1.0, "hours") == "–"


def test_a_change_too_small_to_show_did_not_move() -> None:
    assert moved(1.01, 1.0, "hours") == 0
    assert moved(0.9, 0.8, "rate") == 1
    assert moved(3, 4, "count") == -1
