"""The facts the KPIs are computed from: what the database is asked for, day by day.

They live apart from the formulas so the service that fills them (services/reporting.py),
the per-section computations (kpi_sections) and the report (kpis) share one definition, and
the formulas can be tested on hand-made facts without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

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


#: Logistics exception reasons that mean the goods are gone or broken.
LOST_OR_DAMAGED = frozenset({"lost", "damaged"})

#: What an open logistics exception is listed under in the resolutions breakdown.
OPEN = "open"
