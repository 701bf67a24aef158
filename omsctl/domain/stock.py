"""A stock level and the movements that change it.

Each transition is a pure function from a `StockLevel` to the new level and the `Movement` to
append to the stock ledger, so the rules are written and tested once. The service executes
the same rule as one conditional SQL update (the guard in each docstring goes into the WHERE
clause) and records the movement in the same transaction; the ledger then always adds up to
the level, and two processes can never take the same units.

Invariant, always: 0 <= reserved <= on_hand. Available = on_hand - reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from omsctl.domain.errors import StockProblem, UsageProblem


class MovementKind(StrEnum):
    RECEIVE = "receive"
    COUNT = "count"
    ADJUST = "adjust"
    RESERVE = "reserve"
    RELEASE = "release"
    SHIP = "ship"


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units of one SKU in one location: on the shelf (`on_hand`) and promised (`reserved`)."""

    sku: str
    location: str
    on_hand: int
    reserved: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.reserved <= self.on_hand:
            raise StockProblem(
                f"{self.where} has {self.on_hand} on hand and {self.reserved} reserved",
                hint="reserved must be between 0 and on hand; run `omsctl db check`",
            )

    @property
    def available(self) -> int:
        """Units that can still be promised to an order."""
        return self.on_hand - self.reserved

    @property
    def where(self) -> str:
        """`SKU at LOCATION`, the way every stock message names a level."""
        return f"{self.sku} at {self.location}"


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger entry: what changed, by how much, what it left, and why."""

    sku: str
    location: str
    kind: str
    delta_on_hand: int
    delta_reserved: int
    on_hand_after: int
    reserved_after: int
    reason: str = ""


def _units(value: int, what: str, level: StockLevel, *, zero: bool = False) -> int:
    """Refuse quantities that are not whole numbers above zero (or at least zero for counts)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        floor = "zero or more" if zero else "above zero"
        raise UsageProblem(
            f"{what} for {level.where} is {value!r}", hint=f"give a whole number {floor}"
        )
    return value


def _move(
    level: StockLevel, kind: MovementKind, d_on_hand: int, d_reserved: int, reason: str
) -> tuple[StockLevel, Movement]:
    new = StockLevel(
        level.sku, level.location, level.on_hand + d_on_hand, level.reserved + d_reserved
    )
    movement = Movement(
        level.sku,
        level.location,
        kind,
        d_on_hand,
        d_reserved,
        new.on_hand,
        new.reserved,
        reason.strip(),
    )
    return new, movement


def receive(level: StockLevel, qty: int, reason: str = "") -> tuple[StockLevel, Movement]:
    """Goods arrived: on_hand += qty. Always allowed (no guard) for qty > 0."""
    _units(qty, "received quantity", level)
    return _move(level, MovementKind.RECEIVE, qty, 0, reason or "received")


def count(level: StockLevel, qty: int, reason: str = "") -> tuple[StockLevel, Movement]:
    """A stock take: on_hand := qty. Guard: qty >= reserved.

    A count below the reserved units would promise stock that is not there; the reservations
    must be released or shipped first. A count equal to on_hand still records a movement
    (delta 0), because "counted and found right" is worth keeping in the ledger.
    """
    _units(qty, "counted quantity", level, zero=True)
    if qty < level.reserved:
        raise StockProblem(
            f"cannot count {level.where} as {qty}: {level.reserved} are reserved for orders",
            hint="release or ship those reservations first, then count again",
        )
    return _move(level, MovementKind.COUNT, qty - level.on_hand, 0, reason or "stock take")


def adjust(level: StockLevel, delta: int, reason: str) -> tuple[StockLevel, Movement]:
    """A correction (damage, found, write-off): on_hand += delta.

    Guard: on_hand + delta >= reserved (which also keeps it >= 0). A reason is required
    because an unexplained adjustment is exactly what a stock audit asks about.
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise UsageProblem(
            f"adjustment for {level.where} is {delta!r}",
            hint="give a whole number other than zero, e.g. -2 or +5",
        )
    if not reason.strip():
        raise UsageProblem(
            f"adjustment of {delta:+d} for {level.where} has no reason",
            hint="say why, e.g. --reason damaged",
        )
    after = level.on_hand + delta
    if after < level.reserved:
        if level.reserved:
            why = f"{after} on hand would be below the {level.reserved} reserved for orders"
            fix = f"take off at most {level.available}, or release or ship those reservations first"
        else:
            why = f"only {level.on_hand} on hand"
            fix = f"take off at most {level.on_hand}, or count the shelf instead"
        raise StockProblem(f"cannot adjust {level.where} by {delta:+d}: {why}", hint=fix)
    return _move(level, MovementKind.ADJUST, delta, 0, reason)


def reserve(level: StockLevel, qty: int, reason: str = "") -> tuple[StockLevel, Movement]:
    """Promise units to an order: reserved += qty. Guard: on_hand - reserved >= qty."""
    _units(qty, "quantity to reserve", level)
    if qty > level.available:
        raise StockProblem(
            f"cannot reserve {qty} of {level.where}: only {level.available} available"
            f" ({level.on_hand} on hand, {level.reserved} reserved)",
            hint="receive or count more stock, or reserve from another location",
        )
    return _move(level, MovementKind.RESERVE, 0, qty, reason)


def release(level: StockLevel, qty: int, reason: str = "") -> tuple[StockLevel, Movement]:
    """Give promised units back (cancel, hold, split): reserved -= qty. Guard: reserved >= qty."""
    _units(qty, "quantity to release", level)
    if qty > level.reserved:
        raise StockProblem(
            f"cannot release {qty} of {level.where}: only {level.reserved} reserved",
            hint="release at most what is reserved; check the order's reservations",
        )
    return _move(level, MovementKind.RELEASE, 0, -qty, reason)


def ship(level: StockLevel, qty: int, reason: str = "") -> tuple[StockLevel, Movement]:
    """Reserved units leave the building: reserved -= qty and on_hand -= qty.

    Guard: reserved >= qty. Only reserved units ship, so shipping can never take stock that
    another order was promised.
    """
    _units(qty, "quantity to ship", level)
    if qty > level.reserved:
        raise StockProblem(
            f"cannot ship {qty} of {level.where}: only {level.reserved} reserved",
            hint="reserve the stock for the order first (approve it), then ship",
        )
    return _move(level, MovementKind.SHIP, -qty, -qty, reason)
