"""KPI formulas: the numbers a merchant runs the business on, exactly as docs/kpis.md defines them.

The database is asked for *facts*: counts grouped by the merchant's local day and a few keys
(channel, reason, carrier, how long something took in minutes). This module turns the facts
of any run of days into the KPIs, so a day, a week, the whole report and the period before it
are all measured by the same code, and the formulas are tested on hand-made facts without a
database. Nothing here reads a clock or a file: "today" and the settings are passed in.

Conventions (docs/kpis.md says the same):

- A rate is a fraction 0..1, or None when its denominator is 0 (no data is not 0 %).
- Durations are measured in whole minutes and reported in hours; carrier transit times are
  summed in seconds and reported in days.
- Percentiles interpolate linearly between the two nearest values (Excel PERCENTILE.INC,
  numpy's default), so the median is the ordinary median.
- Every order metric leaves out merged orders (their lines live on in the survivor) and
  split children (parcels of an order the buyer placed once); the service filters them.

The facts live in kpi_facts, the statistics in kpi_stats and the per-section computations in
kpi_sections; this module holds the metric catalogue, the result types, the report and how a
value reads, and re-exports the facts and formulas the service names through it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, time, timedelta
from typing import Any, NamedTuple

from omsctl.domain import kpi_sections as sections
from omsctl.domain.kpi_facts import (
    LOST_OR_DAMAGED,
    OPEN,
    Dispatch,
    Duration,
    Facts,
    HoldDue,
    Keyed,
    LowSku,
    Money,
    OrderEvent,
    Parcel,
    Trouble,
    Units,
)
from omsctl.domain.kpi_periods import Span
from omsctl.domain.kpi_stats import Number, change, promised_days, relative_change

__all__ = [
    "BREAKDOWNS",
    "LOST_OR_DAMAGED",
    "METRIC",
    "METRICS",
    "NONE_TEXT",
    "OPEN",
    "DayVolume",
    "Dispatch",
    "Duration",
    "FactIndex",
    "Facts",
    "HoldDue",
    "Keyed",
    "KpiReport",
    "LowSku",
    "Measured",
    "Measures",
    "Metric",
    "Money",
    "Number",
    "OrderEvent",
    "Parcel",
    "Trouble",
    "Units",
    "build_report",
    "change_text",
    "daily_volume",
    "measure",
    "moved",
    "promised_days",
    "value_text",
]

# --- the metrics ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: str
    unit: str  # count, rate, hours, days
    section: str
    better: str = ""  # "up" or "down": which way a change is good; "" when neither


METRICS: tuple[Metric, ...] = (
    Metric("orders_imported", "Orders imported", "count", "volume"),
    Metric("orders_approved", "Orders approved", "count", "volume"),
    Metric("orders_shipped", "Orders shipped", "count", "volume"),
    Metric("orders_cancelled", "Orders cancelled", "count", "volume", "down"),
    Metric("processing_hours_avg", "Processing time, average", "hours", "speed", "down"),
    Metric("processing_hours_median", "Processing time, median", "hours", "speed", "down"),
    Metric("processing_hours_p90", "Processing time, 90th percentile", "hours", "speed", "down"),
    Metric("approval_hours_avg", "Approval time, average", "hours", "speed", "down"),
    Metric("approval_hours_median", "Approval time, median", "hours", "speed", "down"),
    Metric("same_day_ship_rate", "Shipped same day", "rate", "speed", "up"),
    Metric("next_day_ship_rate", "Shipped by next day", "rate", "speed", "up"),
    Metric("hold_rate", "Hold rate", "rate", "exceptions", "down"),
    Metric("hold_resolution_hours_avg", "Hold resolution, average", "hours", "exceptions", "down"),
    Metric("hold_sla_met_rate", "Holds resolved within SLA", "rate", "exceptions", "up"),
    Metric("payment_timeouts", "Payment time-outs", "count", "exceptions", "down"),
    Metric("pack_mismatch_rate", "Pack mismatch rate", "rate", "accuracy", "down"),
    Metric("order_accuracy", "Order accuracy", "rate", "accuracy", "up"),
    Metric("fill_rate", "Fill rate", "rate", "accuracy", "up"),
    Metric("split_rate", "Split rate", "rate", "accuracy", "down"),
    Metric("on_time_delivery_rate", "On-time delivery", "rate", "carriers", "up"),
    Metric("delivery_success_rate", "Delivery success", "rate", "carriers", "up"),
    Metric("loss_damage_rate", "Lost or damaged", "rate", "carriers", "down"),
    Metric("transit_days_avg", "Transit time, average", "days", "carriers", "down"),
    Metric("return_rate", "Return rate", "rate", "after_sale", "down"),
    Metric("delivery_exceptions", "Delivery exceptions", "count", "after_sale", "down"),
    Metric("stockout_holds", "Orders held out of stock", "count", "stock", "down"),
    Metric("skus_below_reorder_point", "SKUs at/below reorder point", "count", "stock", "down"),
)
METRIC = {m.key: m for m in METRICS}

#: Breakdowns: a metric under keys (channel, reason, carrier, SKU, currency, time bin).
BREAKDOWNS: dict[str, str] = {
    "orders_imported_by_channel": "count",
    "orders_approved_by_channel": "count",
    "orders_shipped_by_channel": "count",
    "orders_cancelled_by_channel": "count",
    "order_value_by_currency": "money",
    "processing_time_distribution": "count",
    "hold_rate_by_reason": "rate",
    "hold_sla_met_rate_by_reason": "rate",
    "on_time_delivery_rate_by_carrier": "rate",
    "delivery_success_rate_by_carrier": "rate",
    "loss_damage_rate_by_carrier": "rate",
    "transit_days_avg_by_carrier": "days",
    "return_rate_by_sku": "rate",
    "returned_units_by_reason": "count",
    "delivery_exceptions_by_reason": "count",
    "delivery_exceptions_by_resolution": "count",
}


@dataclass
class Measures:
    """The KPIs of one run of days: `values` has every METRICS key, `breakdowns` every
    BREAKDOWNS key, so JSON consumers always find the same keys."""

    values: dict[str, Number]
    breakdowns: dict[str, dict[str, Number]]


# --- measuring a run of days ---------------------------------------------------------------


def measure(
    facts: Facts,
    span: Span,
    *,
    today: date,
    promised: Callable[[str, str], int | None],
    snapshot: bool = True,
) -> Measures:
    """The KPIs of the days in `span`, from `facts` covering at least those days.

    `today` (the merchant's) decides what can be judged yet: an order paid today that has
    not shipped is not late until today is over. `promised(carrier, service)` gives a
    service's promised days. `snapshot` adds the stock figures that are "now", not per day
    (the previous period has none).
    """
    return FactIndex(facts, promised).measure(span, today=today, snapshot=snapshot)


class FactIndex:
    """Facts sorted by day, so measuring many periods reads each fact about once.

    A report by day over a year measures 365 periods; filtering every fact for each would
    cost days × facts. Here each list is sorted once and a period takes its slice by
    bisection. A parcel belongs to up to three periods (shipped, due, delivered), so it is
    indexed under each of those days.
    """

    def __init__(self, facts: Facts, promised: Callable[[str, str], int | None]) -> None:
        self.facts, self.promised = facts, promised
        self._lists: dict[str, tuple[list[date], list[Any]]] = {}
        for name in _DAILY:
            rows = sorted(getattr(facts, name), key=lambda row: row[0])
            self._lists[name] = ([row[0] for row in rows], rows)
        keyed: list[tuple[date, int]] = []
        for i, p in enumerate(facts.parcels):
            keyed.append((p.shipped_day, i))
            if p.delivered_day is not None:
                keyed.append((p.delivered_day, i))
            days = promised(p.carrier, p.service)
            if days is not None:
                keyed.append((p.shipped_day + timedelta(days=days), i))
        keyed.sort()
        self._parcels = ([d for d, _ in keyed], [i for _, i in keyed])

    def slice(self, span: Span) -> Facts:
        """The facts of the days in `span` (parcels: shipped, due or delivered in it)."""
        part = Facts(low_stock=self.facts.low_stock)
        for name, (days, rows) in self._lists.items():
            setattr(part, name, rows[bisect_left(days, span.start) : bisect_left(days, span.end)])
        days, indices = self._parcels
        chosen = sorted(set(indices[bisect_left(days, span.start) : bisect_left(days, span.end)]))
        part.parcels = [self.facts.parcels[i] for i in chosen]
        return part

    def measure(self, span: Span, *, today: date, snapshot: bool = True) -> Measures:
        facts = self.slice(span)
        values: dict[str, Number] = {}
        breakdowns: dict[str, dict[str, Number]] = {}
        sections.volume(facts, span, values, breakdowns)
        sections.speed(facts, span, today, values, breakdowns)
        sections.exceptions(facts, span, values, breakdowns)
        sections.accuracy(facts, span, values)
        sections.carriers(facts, span, today, self.promised, values, breakdowns)
        sections.after_sale(facts, span, values, breakdowns)
        values["stockout_holds"] = sum(
            f.n for f in facts.holds_created if f.day in span and f.key == "out_of_stock"
        )
        values["skus_below_reorder_point"] = len(facts.low_stock) if snapshot else None
        return Measures(
            {m.key: values.get(m.key) for m in METRICS},
            {key: _ordered(key, breakdowns.get(key, {})) for key in BREAKDOWNS},
        )


def _ordered(key: str, values: dict[str, Number]) -> dict[str, Number]:
    """Breakdowns in a stable order: keys sorted, except time bins, which stay in time order."""
    return dict(values) if key == "processing_time_distribution" else dict(sorted(values.items()))


#: Fact lists whose rows start with the day they belong to.
_DAILY = tuple(f.name for f in fields(Facts) if f.name not in ("parcels", "low_stock"))

# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measured:
    """One period and its KPIs."""

    span: Span
    measures: Measures


class DayVolume(NamedTuple):
    """Orders per milestone on one day of the window: the PDF's volume chart."""

    day: date
    imported: int
    approved: int
    shipped: int
    cancelled: int


def daily_volume(facts: Facts, span: Span) -> list[DayVolume]:
    """Every day of `span` with its order counts (0 on a quiet day, so bars line up)."""
    counts: dict[date, list[int]] = {
        span.start + timedelta(days=n): [0, 0, 0, 0] for n in range(span.days)
    }
    for i, events in enumerate((facts.imported, facts.approved, facts.shipped, facts.cancelled)):
        for e in events:
            if e.day in counts:
                counts[e.day][i] += e.n
    return [DayVolume(day, *n) for day, n in counts.items()]


@dataclass(frozen=True, slots=True)
class KpiReport:
    """A whole report: the window, the period before it, and the window cut into periods."""

    zone: str
    by: str
    ship_cutoff: time
    channel: str | None
    carrier: str | None
    today: date
    window: Measured
    previous: Measured
    periods: list[Measured]
    low_stock: list[LowSku]
    daily: list[DayVolume]

    def change(self, key: str) -> Number:
        return change(self.window.measures.values[key], self.previous.measures.values[key])


def build_report(
    facts: Facts,
    *,
    window: Span,
    before: Span,
    periods: list[Span],
    today: date,
    promised: Callable[[str, str], int | None],
    zone: str,
    by: str,
    ship_cutoff: time,
    channel: str | None = None,
    carrier: str | None = None,
) -> KpiReport:
    """Measure the window, the period before and each period with the same formulas."""

    index = FactIndex(facts, promised)

    def measured(span: Span, snapshot: bool = True) -> Measured:
        return Measured(span, index.measure(span, today=today, snapshot=snapshot))

    return KpiReport(
        zone=zone,
        by=by,
        ship_cutoff=ship_cutoff,
        channel=channel,
        carrier=carrier,
        today=today,
        window=measured(window),
        previous=measured(before, snapshot=False),
        periods=[measured(p) for p in periods],
        low_stock=sorted(facts.low_stock, key=lambda s: (s.available - s.reorder_point, s.sku)),
        daily=daily_volume(facts, window),
    )


# --- how a value reads ---------------------------------------------------------------------

NONE_TEXT = "–"


def value_text(value: Number, unit: str) -> str:
    """A KPI value for people: 1,234 / 83.3 % / 5.2 h / 2.4 d; "–" when there is no data."""
    if value is None:
        return NONE_TEXT
    if unit == "rate":
        return f"{float(value) * 100:.1f}%"
    if unit == "hours":
        return f"{float(value):.1f} h"
    if unit == "days":
        return f"{float(value):.1f} d"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value:,}"


def change_text(current: Number, previous: Number, unit: str) -> str:
    """The change against the previous period: +3 (+25%), +4.2 pp, -1.3 h; "–" without both."""
    delta = change(current, previous)
    if delta is None:
        return NONE_TEXT
    size = abs(float(delta))
    if unit == "rate":
        shown, text = round(size * 100, 1), f"{size * 100:.1f} pp"
    elif unit in ("hours", "days"):
        shown, text = round(size, 1), f"{size:.1f} {unit[0]}"
    else:
        shown, text = round(size), f"{size:,.0f}"
    sign = "±" if shown == 0 else "+" if delta > 0 else "-"
    text = sign + text
    relative = relative_change(current, previous)
    if unit in ("count", "money") and relative is not None:
        text += f" ({sign}{abs(relative) * 100:.0f}%)"
    return text


def moved(current: Number, previous: Number, unit: str) -> int:
    """+1, -1 or 0: which way the value moved, as far as people can see it (the change as
    `change_text` shows it; a change that rounds to ±0 did not move)."""
    text = change_text(current, previous, unit)
    return 0 if text[0] in "±–" else 1 if text[0] == "+" else -1
