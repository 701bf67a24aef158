"""The KPIs section by section: volume, speed, exceptions, accuracy, carriers, after sale.

Each function reads the facts of one run of days and writes its section's values and
breakdowns; kpis.FactIndex calls them in turn for every period. They sit apart from the
catalogue and the report so each section's formulas read on their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal

from omsctl.domain.kpi_facts import OPEN, Duration, Facts
from omsctl.domain.kpi_periods import Span
from omsctl.domain.kpi_stats import (
    PROCESSING_BINS,
    Number,
    Tally,
    bin_label,
    mean,
    percentile,
    processing_bin,
    rate,
    ship_by,
)


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


def volume(
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


def speed(
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


def exceptions(
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


def accuracy(facts: Facts, span: Span, values: dict[str, Number]) -> None:
    checks = sum(k.n for k in facts.pack_checks if k.day in span)
    mismatches = sum(k.n for k in facts.pack_checks if k.day in span and k.key == "mismatch")
    mismatch_rate = rate(mismatches, checks)
    values["pack_mismatch_rate"] = mismatch_rate
    values["order_accuracy"] = None if mismatch_rate is None else 1 - mismatch_rate
    shipped = [e for e in facts.shipped if e.day in span]
    values["fill_rate"] = rate(sum(e.n for e in shipped if not e.split), sum(e.n for e in shipped))
    imported = [e for e in facts.imported if e.day in span]
    values["split_rate"] = rate(sum(e.n for e in imported if e.split), sum(e.n for e in imported))


def carriers(
    facts: Facts,
    span: Span,
    today: date,
    promised: Callable[[str, str], int | None],
    values: dict[str, Number],
    out: dict[str, dict[str, Number]],
) -> None:
    on_time, success, loss = Tally(), Tally(), Tally()
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


def after_sale(
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
