"""Moving an order through its lifecycle, with its history row, in the caller's transaction.

Every service that changes an order's state calls `move`; it is the one place where the
domain's transition table meets the database.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from omsctl.domain import holds as hold_reasons
from omsctl.domain.errors import Conflict
from omsctl.domain.lifecycle import RESERVING, HistoryEntry, State, transition
from omsctl.services import reserving
from omsctl.services.stockbook import StockBook
from omsctl.store.chunks import IN_LIMIT, in_chunks
from omsctl.store.tables import Hold, Order, OrderHistory

#: The timestamp column each state stamps when an order first reaches it.
_STAMPS = {
    State.APPROVED: "approved_at",
    State.SHIPPED: "shipped_at",
    State.DELIVERED: "delivered_at",
    State.CANCELLED: "cancelled_at",
}


def order_ref(order: Order) -> str:
    return order.channel_order_no or str(order.id)


def move(
    session: Session,
    order: Order,
    target: State,
    *,
    action: str,
    actor: str,
    at: datetime,
    detail: str = "",
    preferences: dict[str, list[str]] | None = None,
    book: StockBook | None = None,
) -> None:
    """Change the order's state if the lifecycle allows it, and append the history entry.

    Stock follows the state here, for every caller: entering a reserving state reserves the
    order's units (or refuses), leaving one releases them, and shipping turns the
    reservation into a decrement of on-hand.
    """
    current = State(order.state)
    entry = transition(
        order_ref(order), current, target, action=action, actor=actor, at=at, detail=detail
    )
    if current not in RESERVING and target in RESERVING:
        reserving.reserve_order(
            session, order, actor=actor, at=at, preferences=preferences or {}, book=book
        )
    elif current in RESERVING and target is State.SHIPPED:
        reserving.ship_order(session, order, actor=actor, at=at)
    elif current in RESERVING and target not in RESERVING:
        reserving.release_order(session, order, f"{action} {order_ref(order)}", actor=actor, at=at)
    order.state = target.value
    order.updated_at = at
    stamp = _STAMPS.get(target)
    if stamp and getattr(order, stamp) is None:
        setattr(order, stamp, at)
    session.add(order)
    record(session, order, entry.action, actor, at, detail, entry.from_state, entry.to_state)


def record(
    session: Session,
    order: Order,
    action: str,
    actor: str,
    at: datetime,
    detail: str = "",
    from_state: State | None = None,
    to_state: State | None = None,
) -> None:
    """Append a history row; actions that do not change state keep from == to == current."""
    current = State(order.state)
    session.add(
        OrderHistory(
            order_id=order.id,
            at=at,
            actor=actor,
            action=action,
            from_state=(from_state or current).value,
            to_state=(to_state or current).value,
            detail=detail,
        )
    )


def open_holds(session: Session, order: Order) -> list[Hold]:
    stmt = select(Hold).where(Hold.order_id == order.id, Hold.resolved_at.is_(None))  # type: ignore[union-attr]
    return list(session.scalars(stmt).all())


def add_hold(
    session: Session,
    order: Order,
    code: str,
    detail: str,
    *,
    at: datetime,
    sla_hours: dict[str, int],
) -> Hold:
    reason = hold_reasons.reason(code)
    hours = sla_hours.get(code, reason.sla_hours)
    hold = Hold(
        order_id=order.id,
        reason=code,
        detail=detail or reason.text,
        priority=reason.priority,
        created_at=at,
        due_at=at + timedelta(hours=hours),
    )
    session.add(hold)
    return hold


def resolve_holds(
    session: Session,
    order: Order,
    *,
    actor: str,
    at: datetime,
    resolution: str,
    reason: str | None = None,
) -> int:
    """Mark the order's open holds (all, or those of one reason) resolved; returns how many.

    A plain UPDATE on the connection after one flush: the ORM's version synchronises every
    object in the session and costs milliseconds per order in a batch of approvals.
    """
    session.flush()
    holds = Hold.__table__  # type: ignore[attr-defined]
    stmt = (
        update(holds)
        .where(holds.c.order_id == order.id, holds.c.resolved_at.is_(None))
        .values(resolved_at=at, resolved_by=actor, resolution=resolution)
    )
    if reason:
        stmt = stmt.where(holds.c.reason == reason)
    count = session.connection().execute(stmt).rowcount or 0
    if count:  # keep holds this session loaded in step, without marking them changed
        for hold in list(session.identity_map.values()):
            if (
                isinstance(hold, Hold)
                and hold.order_id == order.id
                and hold.resolved_at is None
                and (reason is None or hold.reason == reason)
            ):
                for name, value in (
                    ("resolved_at", at),
                    ("resolved_by", actor),
                    ("resolution", resolution),
                ):
                    set_committed_value(hold, name, value)
    return count


class Batch:
    """Many orders' state changes, each checked by the lifecycle, written together.

    Review moves thousands of orders a run, most the same way with the same history text
    ("passed every review rule"). Each move is checked with `transition` as it is decided;
    `flush` writes the states, their timestamps and one history row per change, grouped by
    (from, to, text) into one statement per 900 orders in id order, and refuses if any order
    changed state meanwhile. It is `move` for many orders, without stock: the caller has
    reserved through its StockBook already.
    """

    def __init__(self, *, actor: str, at: datetime, action: str) -> None:
        self.actor, self.at, self.action = actor, at, action
        self._moved: dict[tuple[State, State], list[int]] = defaultdict(list)
        self._history: dict[tuple[State, State, str], list[int]] = defaultdict(list)

    def check(self, ref: str, before: State, target: State, detail: str = "") -> HistoryEntry:
        """The lifecycle's verdict on one move; raises IllegalTransition if it is not allowed."""
        return transition(
            ref, before, target, action=self.action, actor=self.actor, at=self.at, detail=detail
        )

    def moved(self, order_id: int, entry: HistoryEntry) -> None:
        assert entry.from_state is not None and entry.to_state is not None
        self._moved[(entry.from_state, entry.to_state)].append(order_id)
        self._history[(entry.from_state, entry.to_state, entry.detail)].append(order_id)

    def note(self, order_id: int, state: State, detail: str) -> None:
        """A history row without a state change (as `record` writes)."""
        self._history[(state, state, detail)].append(order_id)

    def flush(self, session: Session) -> None:
        conn = session.connection()
        orders = Order.__table__  # type: ignore[attr-defined]
        now = literal(self.at, orders.c.updated_at.type)
        for (before, target), ids in self._moved.items():
            values: dict[str, Any] = {"state": target.value, "updated_at": now}
            stamp = _STAMPS.get(target)
            if stamp:
                values[stamp] = func.coalesce(orders.c[stamp], now)
            changed = 0
            for chunk in in_chunks(sorted(ids)):
                changed += conn.execute(
                    update(orders)
                    .where(orders.c.id.in_(chunk), orders.c.state == before.value)
                    .values(values)
                ).rowcount
            if changed != len(ids):
                raise Conflict("orders changed state while this ran", hint="run it again")
        self._write_history(conn, now)
        self._moved.clear()
        self._history.clear()

    def _write_history(self, conn: Connection, now: Any) -> None:
        """Big groups by INSERT … SELECT per chunk; the rest (texts differ) by executemany."""
        history = OrderHistory.__table__  # type: ignore[attr-defined]
        orders = Order.__table__  # type: ignore[attr-defined]
        rows: list[dict[str, Any]] = []
        columns = ("order_id", "at", "actor", "action", "from_state", "to_state", "detail")
        for (before, after, detail), ids in self._history.items():
            if len(ids) < IN_LIMIT // 10:
                rows.extend(
                    {
                        "order_id": i,
                        "at": self.at,
                        "actor": self.actor,
                        "action": self.action,
                        "from_state": before.value,
                        "to_state": after.value,
                        "detail": detail,
                    }
                    for i in ids
                )
                continue
            constants = (
                literal(self.actor),
                literal(self.action),
                literal(before.value),
                literal(after.value),
                literal(detail),
            )
            for chunk in in_chunks(sorted(ids)):
                conn.execute(
                    insert(history).from_select(
                        columns, select(orders.c.id, now, *constants).where(orders.c.id.in_(chunk))
                    )
                )
        if rows:
            rows.sort(key=lambda row: row["order_id"])
            conn.execute(insert(history), rows)
