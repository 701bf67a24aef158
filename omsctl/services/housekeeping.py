"""Housekeeping: delivered orders become completed once their confirmation window is over.

Meant for cron: it only looks at delivered orders and moves each at most once, so it is safe
to run any time and as often as wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from omsctl.domain import tracking_events as events
from omsctl.domain.lifecycle import State
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.lifecycle import order_ref
from omsctl.store.tables import Order


@dataclass(frozen=True, slots=True)
class HousekeepingReport:
    completed: tuple[str, ...]
    waiting: int  # delivered orders still inside their confirmation window
    completion_days: int


def housekeeping(env: Env) -> HousekeepingReport:
    """Complete delivered orders whose confirmation window is over; safe to run any time.

    Running it twice completes nothing more: only delivered orders are looked at, and each is
    moved at most once.
    """
    days = int(env.settings["housekeeping.completion_days"])
    now = env.now()
    done: list[str] = []
    waiting = 0
    with env.uow() as uow:
        session = uow.session
        delivered = session.scalars(
            select(Order).where(Order.state == State.DELIVERED.value).order_by(Order.id)  # type: ignore[arg-type]
        )
        for order in list(delivered):
            since = order.delivered_at or order.updated_at
            if not events.confirmation_over(since, days, now):
                waiting += 1
                continue
            lifecycle.move(
                session,
                order,
                State.COMPLETED,
                action="complete",
                actor=env.actor,
                at=now,
                detail=f"delivered {since:%Y-%m-%d}; the {days}-day confirmation window is over",
            )
            done.append(order_ref(order))
        uow.commit()
    return HousekeepingReport(tuple(done), waiting, days)
