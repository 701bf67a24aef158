"""Reorder alerts: how fast a SKU sells, how long the stock lasts, and how much to order.

Velocity is an exponentially weighted daily average so a product that started selling last
week is noticed quickly while one good day a month ago fades out. The order quantity follows
an order-up-to policy: when available stock is at or under the reorder point, order enough to
cover the lead time plus one review period of sales, on top of the safety stock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from omsctl.domain.errors import UsageProblem

#: Float products such as 0.1 * 30 land a hair above the whole number; do not order a unit
#: more because of it.
_EPSILON = 1e-9


def daily_velocity(daily_units: Sequence[int], half_life_days: float = 7) -> float:
    """Units sold per day, exponentially weighted; `daily_units` runs oldest to newest.

    velocity = sum(w_i * u_i) / sum(w_i), with w_i = 0.5 ** (age_i / half_life_days) and
    age 0 for the last (most recent) day. A day `half_life_days` old counts half as much as
    today. Days with no sales must be present as 0, or the velocity is overstated. No days
    gives 0.0.
    """
    if not half_life_days > 0:
        raise UsageProblem(
            f"half-life of {half_life_days} days", hint="give a number of days above zero"
        )
    decay = 0.5 ** (1 / half_life_days)
    weighted = weights = 0.0
    weight = 1.0
    for units in reversed(daily_units):
        if units < 0:
            raise UsageProblem(
                f"daily units include {units}", hint="give units sold per day, returns excluded"
            )
        weighted += weight * units
        weights += weight
        weight *= decay
    return weighted / weights if weights else 0.0


def days_of_cover(available: int, velocity: float) -> float | None:
    """How many days the available stock lasts: available / velocity.

    None when nothing sells (velocity <= 0): the stock lasts indefinitely, and None keeps that
    apart from a real number in sorting and JSON. Negative available counts as 0.
    """
    if velocity <= 0:
        return None
    return max(available, 0) / velocity


def is_low(available: int, reorder_point: int) -> bool:
    """True at or under the reorder point: the point is the last level that is still fine
    only if an order is already on its way."""
    return available <= reorder_point


def suggest_order_quantity(
    available: int,
    velocity: float,
    reorder_point: int,
    safety_stock: int,
    lead_time_days: int = 7,
    review_days: int = 14,
) -> int:
    """Units to order now; 0 while stock is above the reorder point.

    target = max(safety_stock + velocity * (lead_time_days + review_days), reorder_point + 1)
    quantity = ceil(target - available), never negative.

    Lead time plus review period because the next chance to order is one review away and the
    goods take the lead time to arrive. The target never sits at or under the reorder point,
    or the alert would come back the moment the goods arrive. Rounded up: a part unit is a
    whole unit to buy.
    """
    for name, value in (
        ("reorder point", reorder_point),
        ("safety stock", safety_stock),
        ("lead time", lead_time_days),
        ("review period", review_days),
    ):
        if value < 0:
            raise UsageProblem(f"{name} is {value}", hint="give zero or more")
    if not is_low(available, reorder_point):
        return 0
    target = max(
        safety_stock + max(velocity, 0.0) * (lead_time_days + review_days), reorder_point + 1
    )
    return max(math.ceil(target - available - _EPSILON), 0)


@dataclass(frozen=True, slots=True)
class ReorderAlert:
    """One row of `stock list --low`: the SKU, where it stands and what to order."""

    sku: str
    available: int
    reorder_point: int
    velocity: float
    days_of_cover: float | None
    suggested_quantity: int


def reorder_alert(
    sku: str,
    available: int,
    daily_units: Sequence[int],
    reorder_point: int,
    safety_stock: int,
    *,
    lead_time_days: int = 7,
    review_days: int = 14,
    half_life_days: float = 7,
) -> ReorderAlert | None:
    """The alert for a SKU, or None while it is above its reorder point."""
    if not is_low(available, reorder_point):
        return None
    velocity = daily_velocity(daily_units, half_life_days)
    return ReorderAlert(
        sku=sku,
        available=available,
        reorder_point=reorder_point,
        velocity=velocity,
        days_of_cover=days_of_cover(available, velocity),
        suggested_quantity=suggest_order_quantity(
            available, velocity, reorder_point, safety_stock, lead_time_days, review_days
        ),
    )
