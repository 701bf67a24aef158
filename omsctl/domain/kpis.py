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
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from omsctl.domain.kpi_periods import Span

Number = int | float | Decimal | None

# --- facts: what the database is asked for ------------------------------------------------


class OrderEvent(NamedTuple):
    """Orders that reached a milestone on `day`; `split` marks orders that have a split child."""

    day: date
    channel: str
    split: bool
    n: int  # how many


class Money(NamedTuple):
    day: date
    currency: str
    amount: Decimal


class Duration(NamedTuple):
    """`n` things that ended on `day` and took `minutes` (rounded to the nearest minute).

    The database may key durations by the first day of the report period they ended in
    instead of the day itself: periods are what is measured, and a year of orders has far
    fewer distinct minutes per month than per day.
    """

    day: date
    minutes: int
    n: int  # how many


class Dispatch(NamedTuple):
    """Orders paid on `paid_day` (before the cutoff or not) and shipped on `shipped_day`."""

    paid_day: date
    before_cutoff: bool
    shipped_day: date | None
    n: int  # how many


class Keyed(NamedTuple):
    """A count on `day` under one key (a hold reason, a return reason...)."""

    day: date
    key: str
    n: int  # how many


class HoldDue(NamedTuple):
    """Holds due on `day`: outcome is met, missed, or open (due later than now)."""

    day: date
    reason: str
    outcome: str
    n: int  # how many


class Parcel(NamedTuple):
    """Shipments of one carrier and service, shipped and delivered on these days.

    `lost_or_damaged`: the shipment has a lost or damaged logistics exception. `failed`: it
    has an exception other than a delay (lost, damaged, refused, address problem).
    `transit_seconds` is the sum over the `n` shipments (0 when not delivered).
    """

    carrier: str
    service: str
    shipped_day: date
    delivered_day: date | None
    lost_or_damaged: bool
    failed: bool
    n: int  # how many
    transit_seconds: int


class Units(NamedTuple):
    """Units of `sku` on `day`; `reason` is the return reason (empty for shipped units)."""

    day: date
    sku: str
    reason: str
    quantity: int


class Trouble(NamedTuple):
    """Logistics exceptions opened on `day`; resolution is empty while still open."""

    day: date
    reason: str
    resolution: str
    n: int  # how many


class LowSku(NamedTuple):
    sku: str
    available: int
    reorder_point: int


@dataclass
class Facts:
    """Everything the KPIs are computed from, for a run of local days."""

    imported: list[OrderEvent] = field(default_factory=list)
    approved: list[OrderEvent] = field(default_factory=list)
    shipped: list[OrderEvent] = field(default_factory=list)
    cancelled: list[OrderEvent] = field(default_factory=list)
    value: list[Money] = field(default_factory=list)
    processing: list[Duration] = field(default_factory=list)
    approval: list[Duration] = field(default_factory=list)
    dispatch: list[Dispatch] = field(default_factory=list)
    held: list[Keyed] = field(default_factory=list)  # orders imported that day, per reason
    held_any: list[Keyed] = field(default_factory=list)  # ... with any hold (key "")
    holds_created: list[Keyed] = field(default_factory=list)  # distinct orders per reason
    hold_due: list[HoldDue] = field(default_factory=list)
    hold_resolution: list[Duration] = field(default_factory=list)
    timeouts: list[Keyed] = field(default_factory=list)
    pack_checks: list[Keyed] = field(default_factory=list)  # key "ok" or "mismatch"
    parcels: list[Parcel] = field(default_factory=list)
    shipped_units: list[Units] = field(default_factory=list)
    returned_units: list[Units] = field(default_factory=list)
    returns: list[Keyed] = field(default_factory=list)  # RMAs per reason
    troubles: list[Trouble] = field(default_factory=list)
    low_stock: list[LowSku] = field(default_factory=list)  # now, not per day


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

#: Processing-time bins in hours for the distribution: [low, high), the last one open.
PROCESSING_BINS: tuple[tuple[int, int | None], ...] = (
    (0, 4),
    (4, 8),
    (8, 12),
    (12, 24),
    (24, 48),
    (48, 72),
    (72, None),
)

#: Logistics exception reasons that mean the goods are gone or broken.
LOST_OR_DAMAGED = frozenset({"lost", "damaged"})

#: What an open logistics exception is listed under in the resolutions breakdown.
OPEN = "open"


@dataclass
class Measures:
    """The KPIs of one run of days: `values` has every METRICS key, `breakdowns` every
    BREAKDOWNS key, so JSON consumers always find the same keys."""

    values: dict[str, Number]
    breakdowns: dict[str, dict[str, Number]]


# --- formulas over plain values ------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def mean(weighted: Mapping[int, int]) -> float | None:
    """The average of values given as {value: how many times}."""
    total = sum(weighted.values())
    return sum(v * n for v, n in weighted.items()) / total if total else None


def percentile(weighted: Mapping[int, int], q: float) -> float | None:
    """The q-th quantile (0..1) of values given as {value: how many times}.

    Linear interpolation between closest ranks: with the n values sorted as x[0..n-1], the
    rank is h = (n - 1) * q and the result x[floor h] + (h - floor h) * (x[floor h + 1] -
    x[floor h]). q = 0.5 is the ordinary median; q = 0.9 of 1..10 is 9.1.
    """
    if not 0 <= q <= 1:
        raise ValueError(f"quantile {q} is not between 0 and 1")
    total = sum(n for n in weighted.values() if n > 0)
    if not total:
        return None
    h = (total - 1) * q
    low_rank, high_rank = math.floor(h), math.ceil(h)
    low = high = None
    seen = 0
    for value in sorted(v for v, n in weighted.items() if n > 0):
        seen += weighted[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    assert low is not None and high is not None
    return low + (h - low_rank) * (high - low)


def change(current: Number, previous: Number) -> Number:
    """current − previous: a difference in the metric's own unit (rates: fraction points)."""
    if current is None or previous is None:
        return None
    if isinstance(current, Decimal) or isinstance(previous, Decimal):
        return Decimal(str(current)) - Decimal(str(previous))
    return current - previous


def relative_change(current: Number, previous: Number) -> float | None:
    """(current − previous) / previous, or None when there was nothing before."""
    if current is None or not previous:
        return None
    return float(current) / float(previous) - 1


def ship_by(paid_day: date, before_cutoff: bool) -> date:
    """The day an order should leave: the day it was paid if paid before the cutoff, else
    the next day. Weekends and holidays are days like any other (no business calendar)."""
    return paid_day if before_cutoff else paid_day + timedelta(days=1)


def before_cutoff(paid_clock: time, cutoff: time) -> bool:
    """Paid early enough to ship the same day: strictly before the cutoff time (local)."""
    return paid_clock < cutoff


def promised_days(table: Mapping[str, int], carrier: str, service: str) -> int | None:
    """The days a carrier promises for a service: "CARRIER SERVICE" beats "CARRIER"."""
    keys = {k.upper(): v for k, v in table.items()}
    exact = f"{carrier} {service}".upper().strip()
    if service and exact in keys:
        return keys[exact]
    return keys.get(carrier.upper())


def processing_bin(minutes: int) -> str:
    """The distribution bin of a processing time: "0-4h", ..., "72h+"."""
    hours = minutes / 60
    for low, high in PROCESSING_BINS:
        if high is None or hours < high:
            return bin_label(low, high)
    raise AssertionError("the last bin is open")  # pragma: no cover


def bin_label(low: int, high: int | None) -> str:
    return f"{low}h+" if high is None else f"{low}-{high}h"


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


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
        _volume(facts, span, values, breakdowns)
        _speed(facts, span, today, values, breakdowns)
        _exceptions(facts, span, values, breakdowns)
        _accuracy(facts, span, values)
        _carriers(facts, span, today, self.promised, values, breakdowns)
        _after_sale(facts, span, values, breakdowns)
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


def _volume(
    facts: Facts, span: Span, values: dict[str, Number], out: dict[str, dict[str, Number]]
) -> None:
    for name, events in (
        ("orders_imported", facts.imported),
        ("orders_approved", facts.approved),
        ("orders_shipped", facts.shipped),
        ("orders_cancelled", facts.cancelled),
    ):
        by_channel: dict[str, Number] = defaultdict(int)
        for e in events:
            if e.day in span:
                by_channel[e.channel] += e.n  # type: ignore[operator]
        values[name] = sum(by_channel.values())  # type: ignore[arg-type]
        out[f"{name}_by_channel"] = dict(by_channel)
    money: dict[str, Decimal] = defaultdict(Decimal)
    for m in facts.value:
        if m.day in span:
            money[m.currency] += m.amount
    out["order_value_by_currency"] = dict(money)  # type: ignore[arg-type]


def _weighted(durations: Iterable[Duration], span: Span) -> dict[int, int]:
    weighted: dict[int, int] = defaultdict(int)
    for d in durations:
        if d.day in span:
            weighted[d.minutes] += d.n
    return weighted


def _speed(
    facts: Facts,
    span: Span,
    today: date,
    values: dict[str, Number],
    out: dict[str, dict[str, Number]],
) -> None:
    processing = _weighted(facts.processing, span)
    values["processing_hours_avg"] = _hours(mean(processing))
    values["processing_hours_median"] = _hours(percentile(processing, 0.5))
    values["processing_hours_p90"] = _hours(percentile(processing, 0.9))
    distribution: dict[str, Number] = {bin_label(low, high): 0 for low, high in PROCESSING_BINS}
    for minutes, count in processing.items():
        distribution[processing_bin(minutes)] += count  # type: ignore[operator]
    out["processing_time_distribution"] = distribution
    approval = _weighted(facts.approval, span)
    values["approval_hours_avg"] = _hours(mean(approval))
    values["approval_hours_median"] = _hours(percentile(approval, 0.5))

    judged = {0: 0, 1: 0}  # days of grace -> orders whose deadline has passed or that shipped
    on_time = {0: 0, 1: 0}
    for d in facts.dispatch:
        if d.paid_day not in span:
            continue
        due = ship_by(d.paid_day, d.before_cutoff)
        for grace in (0, 1):
            deadline = due + timedelta(days=grace)
            shipped_in_time = d.shipped_day is not None and d.shipped_day <= deadline
            if shipped_in_time or d.shipped_day is not None or deadline < today:
                judged[grace] += d.n
            if shipped_in_time:
                on_time[grace] += d.n
    values["same_day_ship_rate"] = rate(on_time[0], judged[0])
    values["next_day_ship_rate"] = rate(on_time[1], judged[1])


def _exceptions(
    facts: Facts, span: Span, values: dict[str, Number], out: dict[str, dict[str, Number]]
) -> None:
    imported = sum(e.n for e in facts.imported if e.day in span)
    held_any = sum(k.n for k in facts.held_any if k.day in span)
    values["hold_rate"] = rate(held_any, imported)
    held: dict[str, int] = defaultdict(int)
    for k in facts.held:
        if k.day in span:
            held[k.key] += k.n
    out["hold_rate_by_reason"] = {reason: rate(n, imported) for reason, n in held.items()}

    values["hold_resolution_hours_avg"] = _hours(mean(_weighted(facts.hold_resolution, span)))
    met: dict[str, int] = defaultdict(int)
    judged: dict[str, int] = defaultdict(int)
    for h in facts.hold_due:
        if h.day not in span or h.outcome == OPEN:
            continue
        judged[h.reason] += h.n
        if h.outcome == "met":
            met[h.reason] += h.n
    values["hold_sla_met_rate"] = rate(sum(met.values()), sum(judged.values()))
    out["hold_sla_met_rate_by_reason"] = {r: rate(met[r], n) for r, n in judged.items()}
    values["payment_timeouts"] = sum(k.n for k in facts.timeouts if k.day in span)


def _accuracy(facts: Facts, span: Span, values: dict[str, Number]) -> None:
    checks = sum(k.n for k in facts.pack_checks if k.day in span)
    mismatches = sum(k.n for k in facts.pack_checks if k.day in span and k.key == "mismatch")
    mismatch_rate = rate(mismatches, checks)
    values["pack_mismatch_rate"] = mismatch_rate
    values["order_accuracy"] = None if mismatch_rate is None else 1 - mismatch_rate
    shipped = [e for e in facts.shipped if e.day in span]
    values["fill_rate"] = rate(sum(e.n for e in shipped if not e.split), sum(e.n for e in shipped))
    imported = [e for e in facts.imported if e.day in span]
    values["split_rate"] = rate(sum(e.n for e in imported if e.split), sum(e.n for e in imported))


class _Tally:
    """Numerator and denominator of one carrier rate, overall and per carrier."""

    def __init__(self) -> None:
        self.part: dict[str, int] = defaultdict(int)
        self.whole: dict[str, int] = defaultdict(int)

    def add(self, carrier: str, count: int, hit: bool) -> None:
        self.whole[carrier] += count
        if hit:
            self.part[carrier] += count

    def overall(self) -> float | None:
        return rate(sum(self.part.values()), sum(self.whole.values()))

    def by_carrier(self) -> dict[str, Number]:
        return {c: rate(self.part[c], n) for c, n in self.whole.items()}


def _carriers(
    facts: Facts,
    span: Span,
    today: date,
    promised: Callable[[str, str], int | None],
    values: dict[str, Number],
    out: dict[str, dict[str, Number]],
) -> None:
    on_time, success, loss = _Tally(), _Tally(), _Tally()
    transit: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # carrier -> [seconds, n]
    for p in facts.parcels:
        days = promised(p.carrier, p.service)
        if days is not None:
            due = p.shipped_day + timedelta(days=days)
            delivered = p.delivered_day is not None
            if due in span and (delivered or due < today):
                on_time.add(p.carrier, p.n, delivered and p.delivered_day <= due)  # type: ignore[operator]
        if p.shipped_day in span:
            loss.add(p.carrier, p.n, p.lost_or_damaged)
            if p.delivered_day is not None or p.failed:
                success.add(p.carrier, p.n, p.delivered_day is not None)
        # Delivered before it was recorded as shipped: the ship time was entered late, so the
        # parcel says nothing about transit time (docs/kpis.md).
        if (
            p.delivered_day is not None
            and p.delivered_day in span
            and p.delivered_day >= p.shipped_day
        ):
            transit[p.carrier][0] += p.transit_seconds
            transit[p.carrier][1] += p.n
    values["on_time_delivery_rate"] = on_time.overall()
    values["delivery_success_rate"] = success.overall()
    values["loss_damage_rate"] = loss.overall()
    seconds = sum(s for s, _ in transit.values())
    count = sum(n for _, n in transit.values())
    values["transit_days_avg"] = seconds / 86400 / count if count else None
    out["on_time_delivery_rate_by_carrier"] = on_time.by_carrier()
    out["delivery_success_rate_by_carrier"] = success.by_carrier()
    out["loss_damage_rate_by_carrier"] = loss.by_carrier()
    out["transit_days_avg_by_carrier"] = {c: s / 86400 / n for c, (s, n) in transit.items() if n}


def _after_sale(
    facts: Facts, span: Span, values: dict[str, Number], out: dict[str, dict[str, Number]]
) -> None:
    shipped_orders = sum(e.n for e in facts.shipped if e.day in span)
    rmas = sum(k.n for k in facts.returns if k.day in span)
    values["return_rate"] = rate(rmas, shipped_orders)
    shipped: dict[str, int] = defaultdict(int)
    for u in facts.shipped_units:
        if u.day in span:
            shipped[u.sku] += u.quantity
    returned: dict[str, int] = defaultdict(int)
    reasons: dict[str, Number] = defaultdict(int)
    for u in facts.returned_units:
        if u.day in span:
            returned[u.sku] += u.quantity
            reasons[u.reason] += u.quantity  # type: ignore[operator]
    out["return_rate_by_sku"] = {sku: rate(n, shipped[sku]) for sku, n in returned.items()}
    out["returned_units_by_reason"] = dict(reasons)
    by_reason: dict[str, Number] = defaultdict(int)
    by_resolution: dict[str, Number] = defaultdict(int)
    for t in facts.troubles:
        if t.day in span:
            by_reason[t.reason] += t.n  # type: ignore[operator]
            by_resolution[t.resolution or OPEN] += t.n  # type: ignore[operator]
    values["delivery_exceptions"] = sum(by_reason.values())  # type: ignore[arg-type]
    out["delivery_exceptions_by_reason"] = dict(by_reason)
    out["delivery_exceptions_by_resolution"] = dict(by_resolution)


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
