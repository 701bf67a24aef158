"""Wave planning: which approved orders are picked together, and which wait.

A wave is one trip of a picker (or a team) through ONE warehouse. `plan_waves` takes the
approved orders not yet in a wave (`Candidate`, plain values the service reads) and returns a
`WavePlan`: the waves to create and, for every order left out, why. Nothing is ever dropped:
each candidate ends either in exactly one wave or in `left_for_later` with a reason a person
can act on.

The rules, in the order they are applied to each candidate (the first that applies is the
reason it is left out):

1. `--warehouse` / `--carrier` filters (case-insensitive codes).
2. `--cutoff`: an order paid after the cut-off, or not paid at all, waits for the next wave;
   the carrier's truck that the cut-off is for will not take it anyway.
3. An order with no units has nothing to pick.
4. The strategy puts it into a group (`_grouping`), or refuses it (`single` takes only
   single-unit orders, `multi` only the others).
5. Within a group (always one warehouse), orders are taken in priority order (`priority_key`:
   express first, then oldest paid, oldest ordered, lowest id) and added to the group's wave
   while the limits hold. An order that does not fit is skipped, not a full stop, so smaller
   orders behind it still fill the cart; it heads the queue next time, so it cannot starve.
6. An order that breaks a limit on its own (more units or kilograms than one wave may hold)
   gets a wave by itself, with a note saying so, rather than waiting for ever.

One run makes one wave per group (plus those solo waves); what does not fit waits for the
next `wave create`, which is how a merchant releases work to the floor in portions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from omsctl.domain.errors import UsageProblem


class Strategy(StrEnum):
    """How orders are grouped into waves (`wave create --strategy`)."""

    MIXED = "mixed"  # per warehouse: single-unit orders in their own waves, then the rest
    SINGLE = "single"  # single-unit orders only: pick and pack at once, no sorting
    MULTI = "multi"  # multi-unit orders: batch-picked, then sorted into one tote per order
    CARRIER = "carrier"  # one wave per carrier and service, so its parcels leave together
    ZONE = "zone"  # one wave per warehouse zone (aisle); orders spanning zones go together


@dataclass(frozen=True, slots=True)
class Candidate:
    """An approved order not yet in a wave, as much of it as planning needs.

    `paid_at` and `ordered_at` are aware datetimes; `zones` are the zones (`bins.zone_of`) of
    the bins its reservations are in. `order_id` is unique among the candidates of one plan.
    """

    order_id: int
    ref: str
    warehouse: str
    carrier: str
    service_level: str
    paid_at: datetime | None
    ordered_at: datetime
    units: int
    weight_kg: Decimal
    zones: frozenset[str]


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one wave may hold; None means no limit of that kind.

    200 orders by default because that is about what a picking cart of totes and one
    shift's sorting wall take; units and weight are off unless the merchant sets them.
    """

    max_orders: int | None = 200
    max_units: int | None = None
    max_weight_kg: Decimal | None = None

    def __post_init__(self) -> None:
        if self.max_orders is not None and self.max_orders < 1:
            raise UsageProblem(
                f"--max-orders is {self.max_orders}", hint="a wave needs room for 1 order or more"
            )
        if self.max_units is not None and self.max_units < 1:
            raise UsageProblem(
                f"--max-units is {self.max_units}", hint="a wave needs room for 1 unit or more"
            )
        if self.max_weight_kg is not None and not self.max_weight_kg > 0:
            raise UsageProblem(
                f"--max-weight is {self.max_weight_kg} kg", hint="give a weight above 0"
            )


@dataclass(frozen=True, slots=True)
class PlannedWave:
    """One wave to create: its orders in priority order (which is also tote order).

    `strategy` is how the wave is picked: under `mixed` each wave is `single` or `multi`, so
    the floor knows whether to sort into totes. `key` names the group (`single`, `multi`, a
    carrier/service, a zone, `mixed-zones`). `notes` say why a wave breaks a limit.
    """

    warehouse: str
    strategy: Strategy
    key: str
    order_ids: tuple[int, ...]
    units: int
    weight_kg: Decimal
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WavePlan:
    """The waves to create, and every order left out with the reason (sorted by order id)."""

    waves: tuple[PlannedWave, ...]
    left_for_later: tuple[tuple[int, str], ...]

    @property
    def order_count(self) -> int:
        return sum(len(w.order_ids) for w in self.waves)


# --- priority --------------------------------------------------------------------------------

#: Service levels that mean "the buyer paid to have it sooner". Latin words are matched as
#: word starts, case-insensitively, with spaces, hyphens or underscores between parts
#: ("NextDay", "next-day", "Next Day Air"); CJK words anywhere in the text.
EXPRESS_WORDS: tuple[str, ...] = (
    "express",  # DHL Express, Express Shipping, Expressversand, Priority Mail Express
    "expedited",  # Amazon's Expedited
    "priority",  # also "prio" (DHL Prio) and "prioritaire" (La Poste)
    "next day",  # NextDay, Next Day Air
    "overnight",
    "same day",
    "second day",  # Amazon's SecondDay; also "2nd day", "two day", "2-day"
    "one day",  # also "1-day"
    "rush",
    "urgent",  # urgent, urgente
    "eil",  # German: Eilzustellung, Eilsendung
    "加急",  # expedited
    "特快",  # express (EMS 特快专递, 顺丰特快)
    "次日",  # next day (顺丰次日)
    "次晨",  # next morning
    "隔日",  # next day (Taiwan)
    "当日",  # same day
    "当天",  # same day
    "即日",  # same day
    "极速",  # "lightning", e.g. 极速达
    "急件",  # urgent parcel
    "速達",  # Japanese express mail
    "お急ぎ",  # Amazon Japan's お急ぎ便
    "翌日",  # Japanese next day
)

_SEP = r"[\s_-]*"
_LATIN = re.compile(
    r"\b(?:express|expedit|prio|urgent|eil|rush\b"
    rf"|next{_SEP}day\b|over{_SEP}night|same{_SEP}day\b"
    rf"|(?:second|2nd|two|2){_SEP}day\b|(?:one|1){_SEP}day\b)",
    re.IGNORECASE,
)
_CJK = tuple(w for w in EXPRESS_WORDS if not w.isascii())


@lru_cache(maxsize=4096)
def is_express(service_level: str) -> bool:
    """Whether a channel's service level is a faster-than-standard one (see `EXPRESS_WORDS`).

    Channels spell the same service many ways, so this matches words rather than a list of
    exact names; "顺丰标快" (SF standard) and "Standard Shipping (1-2 days)" are not express.
    Cached: a day's orders carry a handful of distinct service levels.
    """
    return bool(_LATIN.search(service_level)) or any(w in service_level for w in _CJK)


PriorityKey = tuple[bool, bool, datetime, datetime, int]


def priority_key(candidate: Candidate) -> PriorityKey:
    """Express first, then oldest paid (unpaid last), then oldest ordered, then lowest id.

    Paid time before order time because the buyer's wait for the parcel starts at payment;
    the id makes the order total, so plans never depend on the order of the input.
    """
    paid = candidate.paid_at
    return (
        not is_express(candidate.service_level),
        paid is None,
        candidate.ordered_at if paid is None else paid,
        candidate.ordered_at,
        candidate.order_id,
    )


# --- planning --------------------------------------------------------------------------------

MIXED_ZONES = "mixed-zones"


def _grouping(candidate: Candidate, strategy: Strategy) -> tuple[int, str, Strategy] | str:
    """(rank, key, how the wave is picked) of the group the candidate joins, or why none.

    The rank orders waves within a warehouse: under `mixed`, single-unit waves come first
    because they are quickest to turn into parcels.
    """
    single = candidate.units == 1
    if strategy is Strategy.MIXED:
        return (0, "single", Strategy.SINGLE) if single else (1, "multi", Strategy.MULTI)
    if strategy is Strategy.SINGLE:
        return (0, "single", Strategy.SINGLE) if single else "not a single-unit order"
    if strategy is Strategy.MULTI:
        if single:
            return "a single-unit order (waved by --strategy single or mixed)"
        return (0, "multi", Strategy.MULTI)
    if strategy is Strategy.CARRIER:
        return (0, carrier_key(candidate.carrier, candidate.service_level), Strategy.CARRIER)
    zones = candidate.zones
    if len(zones) == 1 and (zone := next(iter(zones))):
        return (0, zone, Strategy.ZONE)
    return (0, MIXED_ZONES, Strategy.ZONE)


def carrier_key(carrier: str, service_level: str) -> str:
    """`carrier/service`: one truck (carrier) may have several cut-offs (services)."""
    return f"{carrier.strip() or 'no carrier'}/{service_level.strip() or 'standard'}"


def _kg(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _clock(moment: datetime) -> str:
    """The cut-off as the merchant gave it: its own time zone, hours and minutes."""
    return moment.strftime("%H:%M")


def _too_big_alone(candidate: Candidate, limits: Limits) -> str | None:
    if limits.max_units is not None and candidate.units > limits.max_units:
        return (
            f"{candidate.ref} has a wave to itself: {candidate.units} units, "
            f"over the {limits.max_units}-unit limit"
        )
    if limits.max_weight_kg is not None and candidate.weight_kg > limits.max_weight_kg:
        return (
            f"{candidate.ref} has a wave to itself: {_kg(candidate.weight_kg)} kg, "
            f"over the {_kg(limits.max_weight_kg)} kg limit"
        )
    return None


@dataclass(frozen=True, slots=True)
class _Group:
    warehouse: str
    rank: int
    key: str
    strategy: Strategy


def _fill(
    group: _Group, members: list[Candidate], limits: Limits, left: list[tuple[int, str]]
) -> list[tuple[Candidate, PlannedWave]]:
    """The group's wave (first-fit in priority order) and one wave per too-big order.

    Returns each wave with its first (highest-priority) order, by which waves are ordered.
    """
    max_orders, max_units, max_kg = limits.max_orders, limits.max_units, limits.max_weight_kg
    taken: list[Candidate] = []
    units = 0
    weight = Decimal(0)
    solo: list[tuple[Candidate, PlannedWave]] = []
    for c in members:
        if note := _too_big_alone(c, limits):
            wave = PlannedWave(
                group.warehouse,
                group.strategy,
                group.key,
                (c.order_id,),
                c.units,
                c.weight_kg,
                (note,),
            )
            solo.append((c, wave))
        elif max_orders is not None and len(taken) >= max_orders:
            left.append((c.order_id, f"waits for the next wave: limits ({max_orders} orders)"))
        elif max_units is not None and units + c.units > max_units:
            left.append((c.order_id, f"waits for the next wave: limits ({max_units} units)"))
        elif max_kg is not None and weight + c.weight_kg > max_kg:
            left.append((c.order_id, f"waits for the next wave: limits ({_kg(max_kg)} kg)"))
        else:
            taken.append(c)
            units += c.units
            weight += c.weight_kg
    waves = solo
    if taken:
        ids = tuple(c.order_id for c in taken)
        main = PlannedWave(group.warehouse, group.strategy, group.key, ids, units, weight)
        waves = [(taken[0], main), *solo]
    return waves


def plan_waves(
    candidates: Iterable[Candidate],
    *,
    strategy: Strategy = Strategy.MIXED,
    limits: Limits = Limits(),
    cutoff: datetime | None = None,
    carrier: str | None = None,
    warehouse: str | None = None,
) -> WavePlan:
    """Group candidates into single-warehouse waves; see the module docstring for the rules.

    Pass `cutoff` in the merchant's time zone: the reasons quote it as hours and minutes of
    its own zone ("paid after the 14:00 cut-off"). Waves come out by warehouse, then group
    rank (`mixed`: single before multi), then the priority of their first order; each wave's
    orders in priority order. The same candidates in any order give the same plan.
    """
    strategy = Strategy(strategy)
    want_wh = warehouse.strip().casefold() if warehouse else None
    want_carrier = carrier.strip().casefold() if carrier else None
    cut = _clock(cutoff) if cutoff is not None else ""
    left: list[tuple[int, str]] = []
    groups: dict[_Group, list[Candidate]] = {}
    for c in candidates:
        if want_wh is not None and c.warehouse.casefold() != want_wh:
            left.append((c.order_id, f"ships from {c.warehouse}, not {warehouse}"))
            continue
        if want_carrier is not None and c.carrier.casefold() != want_carrier:
            left.append((c.order_id, f"ships with {c.carrier or 'no carrier yet'}, not {carrier}"))
            continue
        if cutoff is not None:
            if c.paid_at is None:
                left.append((c.order_id, f"not paid by the {cut} cut-off"))
                continue
            if c.paid_at > cutoff:
                left.append((c.order_id, f"paid after the {cut} cut-off"))
                continue
        if c.units < 1:
            left.append((c.order_id, "has no units to pick"))
            continue
        grouping = _grouping(c, strategy)
        if isinstance(grouping, str):
            left.append((c.order_id, grouping))
            continue
        rank, key, how = grouping
        groups.setdefault(_Group(c.warehouse, rank, key, how), []).append(c)

    planned: list[tuple[tuple[str, int, PriorityKey], PlannedWave]] = []
    for group, members in groups.items():
        members.sort(key=priority_key)
        for first, wave in _fill(group, members, limits, left):
            planned.append(((group.warehouse, group.rank, priority_key(first)), wave))
    planned.sort(key=lambda pair: pair[0])
    left.sort()
    return WavePlan(tuple(w for _, w in planned), tuple(left))
