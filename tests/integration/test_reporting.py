"""The KPI report over a real SQLite database holding a hand-made history with known answers.

The shop is in Berlin (UTC+1 in November). The report covers Monday 16 to Thursday 19
November 2026; "now" is Friday 20 November, 09:00 UTC. Every order below is written with
its timestamps, and each expected number is worked out in the comment next to it.

    order  channel      imported (UTC)  paid      approved   shipped    notes
    A1     shopify      16th 08:00      08:00     08:30      16th 12:00 DHL, delivered on time
    A2     shopify      16th 14:00      13:30*    15:00      17th 10:00 DHL, delivered late
    A3     amazon       16th 22:30      22:30*    17th 07:00 18th 09:00 SF EXPRESS, lost
    A4     amazon       16th 23:30**    23:30**   17th 00:10 -          out of stock, overdue
    A5     ebay         17th 09:00      09:00     -          -          cancelled: payment time-out
    A6     shopify      17th 10:00      10:00     -          -          merged: left out everywhere
    A7     shopify      18th 08:00      08:00     08:10      18th 15:00 SF, split: A7-S1 ships later
    A8     woocommerce  19th 10:00      10:00     10:05      -          not shipped yet (USD)
    P1     shopify      13th 09:00      09:00     09:05      13th 11:00 the previous period

    *  after the 14:00 cutoff in Berlin: due the next day
    ** 00:30 on the 17th in Berlin, though still the 16th in UTC
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from omsctl.domain.errors import UsageProblem
from omsctl.services.reporting import kpi_report
from omsctl.store.tables import (
    Hold,
    Location,
    LogisticsException,
    Order,
    OrderHistory,
    OrderLine,
    PackCheck,
    Product,
    ReturnAuthorization,
    ReturnLine,
    Shipment,
    StockLevel,
    Warehouse,
)

CONFIG = """\
[general]
timezone = "Europe/Berlin"

[tracking.promised_days]
DHL = 2
SF = 3
"SF EXPRESS" = 1
UPS = 5
"""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC moment in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


class History:
    """Writes rows straight into the tables, with the timestamps the test chooses."""

    def __init__(self, session) -> None:
        self.s = session
        self.ids: dict[str, int] = {}

    def order(
        self,
        no,
        channel,
        imported,
        *,
        paid=None,
        approved=None,
        shipped=None,
        cancelled=None,
        state="approved",
        parent=None,
        carrier="",
        total="25.00",
        currency="EUR",
        lines=(("TEA-LJ-100", 2),),
    ) -> int:
        order = Order(
            channel=channel,
            channel_order_no=no,
            state=state,
            payment_status="paid",
            currency=currency,
            total=Decimal(total),
            ordered_at=imported,
            paid_at=paid,
            imported_at=imported,
            approved_at=approved,
            shipped_at=shipped,
            cancelled_at=cancelled,
            updated_at=imported,
            carrier=carrier,
            parent_id=self.ids.get(parent),
        )
        self.s.add(order)
        self.s.flush()
        for n, (sku, qty) in enumerate(lines, start=1):
            self.s.add(OrderLine(order_id=order.id, line_no=n, sku=sku, quantity=qty))
        self.ids[no] = order.id
        return order.id

    def hold(self, no, reason, created, hours, resolved=None) -> None:
        self.s.add(
            Hold(
                order_id=self.ids[no],
                reason=reason,
                priority=2,
                created_at=created,
                due_at=created + timedelta(hours=hours),
                resolved_at=resolved,
                resolution="released" if resolved else None,
            )
        )

    def pack(self, no, when, ok=True) -> None:
        self.s.add(
            PackCheck(
                order_id=self.ids[no],
                at=when,
                actor="lena",
                ok=ok,
                units_expected=2,
                units_scanned=2 if ok else 1,
            )
        )

    def ship(self, no, carrier, service, shipped, delivered=None) -> int:
        shipment = Shipment(
            order_id=self.ids[no],
            carrier=carrier,
            service=service,
            created_at=shipped,
            shipped_at=shipped,
            delivered_at=delivered,
            status="delivered" if delivered else "shipped",
        )
        self.s.add(shipment)
        self.s.flush()
        return shipment.id


@pytest.fixture
def history(env, isolated):
    (isolated.parent / "omsctl.toml").write_text(CONFIG, encoding="utf-8")
    write_history(env)
    return env


def write_history(env) -> None:
    """The orders of the table at the top, with their holds, checks, parcels and returns."""
    with env.uow() as uow:
        h = History(uow.session)
        h.order(
            "A1",
            "shopify",
            at(16, 8),
            paid=at(16, 8),
            approved=at(16, 8, 30),
            shipped=at(16, 12),
            state="delivered",
            carrier="DHL",
        )
        h.order(
            "A2",
            "shopify",
            at(16, 14),
            paid=at(16, 13, 30),
            approved=at(16, 15),
            shipped=at(17, 10),
            state="delivered",
            carrier="DHL",
            total="9.90",
            lines=(("CUP-GLS-300", 1),),
        )
        h.order(
            "A3",
            "amazon",
            at(16, 22, 30),
            paid=at(16, 22, 30),
            approved=at(17, 7),
            shipped=at(18, 9),
            state="shipped",
            carrier="SF",
        )
        h.order(
            "A4",
            "amazon",
            at(16, 23, 30),
            paid=at(16, 23, 30),
            approved=at(17, 0, 10),
            state="on_hold",
        )
        h.order("A5", "ebay", at(17, 9), paid=at(17, 9), cancelled=at(17, 10), state="cancelled")
        h.order("A6", "shopify", at(17, 10), paid=at(17, 10), state="merged")
        h.order(
            "A7",
            "shopify",
            at(18, 8),
            paid=at(18, 8),
            approved=at(18, 8, 10),
            shipped=at(18, 15),
            state="shipped",
            carrier="SF",
        )
        h.order(
            "A7-S1",
            "shopify",
            at(18, 8),
            paid=at(18, 8),
            approved=at(18, 8, 10),
            shipped=at(19, 9),
            state="shipped",
            parent="A7",
            total="12.50",
            lines=(("TEA-LJ-100", 1),),
        )
        h.order(
            "A8",
            "woocommerce",
            at(19, 10),
            paid=at(19, 10),
            approved=at(19, 10, 5),
            currency="USD",
            total="40.00",
        )
        h.order(
            "P1",
            "shopify",
            at(13, 9),
            paid=at(13, 9),
            approved=at(13, 9, 5),
            shipped=at(13, 11),
            state="delivered",
            carrier="DHL",
        )

        h.hold("A2", "buyer_note", at(16, 14), 24, resolved=at(16, 14, 50))  # met
        h.hold("A3", "high_value", at(16, 22, 30), 24, resolved=at(17, 7))  # met
        h.hold("A3", "address_incomplete", at(16, 22, 30), 24, resolved=at(18, 8))  # missed
        h.hold("A4", "out_of_stock", at(17, 0), 48)  # due 19th 00:00, still open: missed
        h.hold("A8", "phone_invalid", at(19, 10), 24)  # due after "now": not judged
        h.hold("A6", "unpaid", at(17, 10), 72)  # merged order: left out
        h.s.add(
            OrderHistory(
                order_id=h.ids["A5"],
                at=at(17, 10),
                actor="cron",
                action="expire",
                from_state="on_hold",
                to_state="cancelled",
            )
        )

        for no, when in (
            ("A1", at(16, 11)),
            ("A2", at(17, 9)),
            ("A3", at(18, 8)),
            ("A7", at(18, 14)),
        ):
            h.pack(no, when)
        h.pack("A2", at(17, 8, 50), ok=False)

        h.ship("A1", "DHL", "", at(16, 12), at(18, 10))  # due 18th, delivered 18th: on time
        h.ship("A2", "DHL", "", at(17, 10), at(19, 23, 30))  # due 19th, delivered 20th local
        lost = h.ship("A3", "SF", "EXPRESS", at(18, 9))  # due 19th, lost
        h.ship("A7", "SF", "", at(18, 15))  # due 21st: not judged yet
        h.ship("A7-S1", "UPS", "", at(19, 9))  # still travelling
        h.ship("P1", "DHL", "", at(13, 11), at(14, 10))
        h.s.add(
            LogisticsException(
                order_id=h.ids["A3"], shipment_id=lost, reason="lost", opened_at=at(19, 12)
            )
        )

        rma = ReturnAuthorization(
            rma="RMA-1",
            order_id=h.ids["A1"],
            reason="damaged",
            created_at=at(19, 12),
            created_by="lena",
        )
        h.s.add(rma)
        h.s.flush()
        h.s.add(ReturnLine(return_id=rma.id, sku="TEA-LJ-100", quantity=1))

        h.s.add(Product(sku="TEA-LJ-100", title="Longjing 100 g", reorder_point=5))
        h.s.add(Product(sku="CUP-GLS-300", title="Glass cup 300 ml", reorder_point=0))
        h.s.add(Warehouse(code="BER", name="Berlin", country="DE"))
        h.s.flush()
        h.s.add(Location(warehouse_id=1, code="A-01-01"))
        h.s.flush()
        h.s.add(StockLevel(sku="TEA-LJ-100", location_id=1, on_hand=6, reserved=2))
        h.s.add(StockLevel(sku="CUP-GLS-300", location_id=1, on_hand=3, reserved=0))
        uow.commit()


def report(env, **options):
    return kpi_report(env, since="2026-11-16", until="2026-11-20", **options)


def test_volume_counts_channel_orders_on_berlin_days_without_merged_orders_or_split_parcels(
    history,
):
    r = report(history)
    values = r.window.measures.values
    # A1 A2 A3 A4 A5 A7 A8; not A6 (merged) nor A7-S1 (split child)
    assert values["orders_imported"] == 7
    assert values["orders_approved"] == 6  # A1 A2 A3 A4 A7 A8
    assert values["orders_shipped"] == 4  # A1 A2 A3 A7
    assert values["orders_cancelled"] == 1  # A5
    assert r.window.measures.breakdowns["orders_imported_by_channel"] == {
        "amazon": 2,
        "ebay": 1,
        "shopify": 3,
        "woocommerce": 1,
    }
    # A4 was imported at 23:30 UTC on the 16th: 00:30 on the 17th in Berlin.
    assert [p.measures.values["orders_imported"] for p in r.periods] == [3, 2, 1, 1]
    assert [p.span.label for p in r.periods] == [
        "2026-11-16",
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
    ]


def test_order_value_counts_split_children_but_not_merged_orders(history):
    # EUR: A1 25 + A2 9.90 + A3 25 + A4 25 + A5 25 + A7 25 + A7-S1 12.50; USD: A8 40
    assert report(history).window.measures.breakdowns["order_value_by_currency"] == {
        "EUR": Decimal("147.40"),
        "USD": Decimal("40.00"),
    }


def test_processing_and_approval_times_are_measured_between_their_timestamps(history):
    values = report(history).window.measures.values
    # paid -> shipped: A1 4 h, A7 7 h, A2 20.5 h, A3 34.5 h
    assert values["processing_hours_avg"] == pytest.approx(16.5)
    assert values["processing_hours_median"] == pytest.approx(13.75)
    assert values["processing_hours_p90"] == pytest.approx(30.3)
    # imported -> approved in minutes: 30, 60, 510, 40, 10, 5
    assert values["approval_hours_avg"] == pytest.approx(655 / 6 / 60)
    assert values["approval_hours_median"] == pytest.approx(35 / 60)


def test_ship_rates_use_the_local_cutoff_and_leave_out_what_is_not_due_yet(history):
    values = report(history).window.measures.values
    # due: A1 16th (shipped 16th), A2 17th (17th), A3 17th (18th), A4 17th (never),
    # A7 18th (18th), A8 19th (not yet, and the 19th is over); A5 was cancelled unshipped.
    assert values["same_day_ship_rate"] == pytest.approx(3 / 6)
    # a day's grace: A8's deadline is today, so it is not judged yet
    assert values["next_day_ship_rate"] == pytest.approx(4 / 5)


def test_holds_count_per_imported_order_and_their_time_limits_per_due_day(history):
    r = report(history)
    values, breakdowns = r.window.measures.values, r.window.measures.breakdowns
    assert values["hold_rate"] == pytest.approx(4 / 7)  # A2 A3 A4 A8
    assert breakdowns["hold_rate_by_reason"]["address_incomplete"] == pytest.approx(1 / 7)
    assert "unpaid" not in breakdowns["hold_rate_by_reason"]  # only the merged order had it
    assert values["hold_sla_met_rate"] == pytest.approx(0.5)  # met 2 of 4 due
    assert breakdowns["hold_sla_met_rate_by_reason"] == {
        "address_incomplete": 0.0,
        "buyer_note": 1.0,
        "high_value": 1.0,
        "out_of_stock": 0.0,
    }
    # resolved: 50 min, 8.5 h, 33.5 h
    assert values["hold_resolution_hours_avg"] == pytest.approx((50 + 510 + 2010) / 3 / 60)
    assert values["payment_timeouts"] == 1
    assert values["stockout_holds"] == 1


def test_accuracy_fill_and_split_rates(history):
    values = report(history).window.measures.values
    assert values["pack_mismatch_rate"] == pytest.approx(0.2)  # 1 of 5 checks
    assert values["order_accuracy"] == pytest.approx(0.8)
    assert values["fill_rate"] == pytest.approx(0.75)  # A7 shipped without A7-S1
    assert values["split_rate"] == pytest.approx(1 / 7)


def test_carriers_are_judged_against_their_promised_days(history):
    r = report(history)
    values, breakdowns = r.window.measures.values, r.window.measures.breakdowns
    # due in the window: A1 (on time), A2 (delivered on the 20th in Berlin: late), A3 (lost)
    assert values["on_time_delivery_rate"] == pytest.approx(1 / 3)
    assert breakdowns["on_time_delivery_rate_by_carrier"] == {"DHL": 0.5, "SF": 0.0}
    # outcomes: A1 and A2 delivered, A3 lost; A7 and A7-S1 still travelling
    assert values["delivery_success_rate"] == pytest.approx(2 / 3)
    assert values["loss_damage_rate"] == pytest.approx(1 / 5)
    assert breakdowns["loss_damage_rate_by_carrier"] == {"DHL": 0.0, "SF": 0.5, "UPS": 0.0}
    # delivered in the window: only A1, after 46 hours
    assert values["transit_days_avg"] == pytest.approx(46 / 24)


def test_returns_exceptions_and_stock(history):
    r = report(history)
    values, breakdowns = r.window.measures.values, r.window.measures.breakdowns
    assert values["return_rate"] == pytest.approx(0.25)  # 1 RMA, 4 orders shipped
    # TEA-LJ-100 shipped: A1 2, A3 2, A7 2, A7-S1 1
    assert breakdowns["return_rate_by_sku"] == {"TEA-LJ-100": pytest.approx(1 / 7)}
    assert breakdowns["returned_units_by_reason"] == {"damaged": 1}
    assert values["delivery_exceptions"] == 1
    assert breakdowns["delivery_exceptions_by_resolution"] == {"open": 1}
    assert values["skus_below_reorder_point"] == 1  # TEA-LJ-100: 4 available, reorder at 5
    assert [s.sku for s in r.low_stock] == ["TEA-LJ-100"]


def test_the_previous_period_is_the_four_days_before(history):
    r = report(history)
    before = r.previous.measures.values
    assert (r.previous.span.start.day, r.previous.span.last.day) == (12, 15)
    assert before["orders_imported"] == 1  # P1
    assert before["processing_hours_avg"] == pytest.approx(2.0)
    assert before["same_day_ship_rate"] == 1.0
    assert r.change("orders_imported") == 6


def test_filters_keep_one_channel_or_one_carrier(history):
    amazon = report(history, channel="Amazon").window.measures.values
    assert amazon["orders_imported"] == 2  # A3 A4
    dhl = report(history, carrier="dhl").window.measures
    assert dhl.values["orders_imported"] == 2  # A1 A2
    assert dhl.breakdowns["on_time_delivery_rate_by_carrier"] == {"DHL": 0.5}


def test_days_follow_the_zone_asked_for(history):
    utc = kpi_report(history, since="2026-11-16", until="2026-11-20", tz="UTC")
    # in UTC, A4 (23:30) still belongs to the 16th
    assert [p.measures.values["orders_imported"] for p in utc.periods] == [4, 1, 1, 1]


def test_weeks_and_months_fold_the_same_days(history):
    weekly = kpi_report(history, since="2026-11-09", until="2026-11-23", by="week")
    assert [(p.span.label, p.measures.values["orders_imported"]) for p in weekly.periods] == [
        ("2026-W46", 1),
        ("2026-W47", 7),
    ]
    # durations are grouped per week in the database: the same times as by day
    assert [p.measures.values["processing_hours_avg"] for p in weekly.periods] == [
        pytest.approx(2.0),
        pytest.approx(16.5),
    ]
    assert weekly.window.measures.values["processing_hours_median"] == pytest.approx(7.0)
    monthly = kpi_report(history, since="2026-11-01", until="2026-12-01", by="month")
    assert monthly.window.measures.values["orders_imported"] == 8
    assert (monthly.previous.span.start.month, monthly.previous.span.days) == (10, 31)


def test_daylight_saving_ends_and_days_are_still_cut_at_berlin_midnight(env, isolated):
    (isolated.parent / "omsctl.toml").write_text(CONFIG, encoding="utf-8")
    with env.uow() as uow:
        h = History(uow.session)
        h.order("D1", "shopify", datetime(2026, 10, 24, 22, 30, tzinfo=UTC))  # 25th 00:30 CEST
        h.order("D2", "shopify", datetime(2026, 10, 25, 22, 30, tzinfo=UTC))  # 25th 23:30 CET
        h.order("D3", "shopify", datetime(2026, 10, 25, 23, 30, tzinfo=UTC))  # 26th 00:30 CET
        uow.commit()
    r = kpi_report(env, since="2026-10-24", until="2026-10-27")
    assert [p.measures.values["orders_imported"] for p in r.periods] == [0, 2, 1]


def test_yesterday_alone_is_one_whole_day(history):
    r = kpi_report(history, since="yesterday")  # now is the 20th in Berlin
    assert [p.span.label for p in r.periods] == ["2026-11-19"]
    assert r.window.measures.values["orders_imported"] == 1  # A8


def test_a_window_that_ends_before_it_starts_is_refused(history):
    with pytest.raises(UsageProblem, match="before it starts"):
        kpi_report(history, since="2026-11-19", until="2026-11-18")


def test_an_unknown_zone_or_period_is_refused(history):
    with pytest.raises(UsageProblem, match="unknown time zone 'Mars/Olympus'"):
        kpi_report(history, tz="Mars/Olympus")
    with pytest.raises(UsageProblem, match="--by 'year' is not a period"):
        kpi_report(history, by="year")
