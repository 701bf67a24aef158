"""The exception queue: every open hold, most urgent first, with how long is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from omsctl.domain.holds import REASONS
from omsctl.domain.holds import reason as known_reason
from omsctl.services.context import Env
from omsctl.store.tables import Hold, Order


@dataclass(frozen=True, slots=True)
class QueuedHold:
    order_id: int
    order: str
    channel: str
    state: str
    reason: str
    text: str
    detail: str
    priority: int
    created_at: datetime
    due_at: datetime
    overdue: bool


def hold_queue(env: Env, *, reason: str | None = None, overdue: bool = False) -> list[QueuedHold]:
    """Open holds ordered by priority (1 first), then the oldest due time."""
    if reason:
        known_reason(reason)
    now = env.now()
    stmt = (
        select(Hold, Order.channel_order_no, Order.channel, Order.state)
        .join(Order, Order.id == Hold.order_id)
        .where(Hold.resolved_at.is_(None))  # type: ignore[union-attr]
        .order_by(Hold.priority, Hold.due_at, Hold.id)  # type: ignore[arg-type]
    )
    if reason:
        stmt = stmt.where(Hold.reason == reason)
    if overdue:
        stmt = stmt.where(Hold.due_at < now)
    with env.uow(write=False) as uow:
        return [
            QueuedHold(
                hold.order_id,
                number,
                channel,
                state,
                hold.reason,
                REASONS[hold.reason].text if hold.reason in REASONS else "",
                hold.detail,
                hold.priority,
                hold.created_at,
                hold.due_at,
                hold.due_at < now,
            )
            for hold, number, channel, state in uow.session.execute(stmt)
        ]
