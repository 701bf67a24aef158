"""The order lifecycle: the one table of allowed state changes.

Every state change of an order goes through `transition`, which refuses anything not in
`ALLOWED` and says what would have been allowed, and returns the history entry to append.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from omsctl.domain.errors import IllegalTransition


class State(StrEnum):
    NEW = "new"
    ON_HOLD = "on_hold"
    APPROVED = "approved"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    COMPLETED = "completed"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    MERGED = "merged"


S = State

#: from-state -> the states it may move to (design.md, "Order lifecycle").
ALLOWED: dict[State, frozenset[State]] = {
    S.NEW: frozenset({S.APPROVED, S.ON_HOLD, S.CANCELLED, S.MERGED}),
    S.ON_HOLD: frozenset({S.APPROVED, S.CANCELLED, S.MERGED}),
    S.APPROVED: frozenset({S.PICKING, S.ON_HOLD, S.CANCELLED, S.MERGED}),
    S.PICKING: frozenset({S.APPROVED, S.PACKED}),
    S.PACKED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.EXCEPTION, S.RETURNED}),
    S.EXCEPTION: frozenset({S.SHIPPED, S.DELIVERED, S.CANCELLED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.RETURNED}),
    S.COMPLETED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
    S.MERGED: frozenset(),
}

#: States in which the order still holds reserved stock.
RESERVING: frozenset[State] = frozenset({S.APPROVED, S.PICKING, S.PACKED})

#: States from which nothing can follow.
TERMINAL: frozenset[State] = frozenset(s for s, nxt in ALLOWED.items() if not nxt)


def allowed_from(state: State) -> frozenset[State]:
    return ALLOWED[state]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of an order's history: who moved it, when, from where to where, and why."""

    at: datetime
    actor: str
    action: str
    from_state: State | None
    to_state: State | None
    detail: str = ""


def transition(
    order_ref: str,
    current: State,
    target: State,
    *,
    action: str,
    actor: str,
    at: datetime,
    detail: str = "",
) -> HistoryEntry:
    """Check one state change against the table and return its history entry.

    Raises `IllegalTransition` naming the order, where it is, and where it could go instead.
    """
    if target not in ALLOWED[current]:
        nexts = sorted(s.value for s in ALLOWED[current])
        allowed = ", ".join(nexts) if nexts else "nothing (it is final)"
        raise IllegalTransition(
            f"order {order_ref} is {current.value} and cannot become {target.value}",
            hint=f"from {current.value} it can become: {allowed}",
        )
    return HistoryEntry(
        at=at, actor=actor, action=action, from_state=current, to_state=target, detail=detail
    )
