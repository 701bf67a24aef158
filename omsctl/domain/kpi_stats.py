"""Statistics over plain values for the KPIs: rates, averages, percentiles and tallies.

Kept apart from the facts and the report so each formula is a small function of numbers,
tested on its own; docs/kpis.md's conventions (a rate is None without a denominator,
percentiles interpolate linearly) are settled here once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, time, timedelta
from decimal import Decimal

Number = int | float | Decimal | None
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


class Tally:
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
