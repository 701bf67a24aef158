"""Finding and listing orders: the queries that need SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from omsctl.domain.errors import Ambiguous, NotFound
from omsctl.store.tables import Order


def find_order(session: Session, ref: str) -> Order:
    """An order by the channel's number (`#1001`, `113-…`, `shopify:#1001`) or internal id."""
    ref = ref.strip()
    channel, sep, number = ref.partition(":")
    if sep and channel.isalpha():
        stmt = select(Order).where(Order.channel == channel, Order.channel_order_no == number)
        candidates: Sequence[Order] = session.scalars(stmt).all()
    else:
        candidates = session.scalars(select(Order).where(Order.channel_order_no == ref)).all()
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = ", ".join(f"{o.channel}:{o.channel_order_no}" for o in candidates)
        raise Ambiguous(f"order {ref!r} exists in several channels", hint=f"name one of: {names}")
    if ref.isdigit():
        order = session.get(Order, int(ref))
        if order is not None:
            return order
    raise NotFound(
        f"no order {ref!r}",
        hint="give the channel's order number or the id from `omsctl orders list`",
    )


def list_orders(
    session: Session,
    *,
    states: Sequence[str] = (),
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> Sequence[Order]:
    stmt = select(Order)
    if states:
        stmt = stmt.where(Order.state.in_(states))  # type: ignore[attr-defined]
    if channel:
        stmt = stmt.where(Order.channel == channel)
    if since:
        stmt = stmt.where(Order.ordered_at >= since)
    if until:
        stmt = stmt.where(Order.ordered_at < until)
    stmt = stmt.order_by(Order.ordered_at, Order.id)  # type: ignore[arg-type]
    if limit:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).all()
