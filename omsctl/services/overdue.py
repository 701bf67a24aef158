"""Overdue parcels: shipped orders the carrier has said nothing about for too long.

A parcel is overdue once it has been silent longer than its carrier's promised days plus a
margin (settings `tracking.*`). Listing them reads only; `--flag` hands each to a person
through the exception queue, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from omsctl.domain import tracking_events as events
from omsctl.domain.lifecycle import State
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.lifecycle import order_ref
from omsctl.services.parcels import newest_shipments
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import LogisticsException, Order, Shipment, ShipmentEvent


@dataclass(frozen=True, slots=True)
class OverdueShipment:
    order_id: int
    order: str
    channel: str
    carrier: str
    service: str
    tracking_number: str | None
    status: str
    last_event_at: datetime | None
    since: datetime  # the last event, or the ship time when the carrier never scanned it
    promised_days: int
    margin_days: int
    overdue_since: datetime
    days_silent: int
    flagged: bool  # put into the exception queue (reason delayed) by this run


def overdue(env: Env, *, flag: bool = False) -> list[OverdueShipment]:
    """Shipped orders whose parcel went quiet for longer than promised plus the margin.

    With `flag`, each one is moved to the exception queue as `delayed` (in one transaction),
    so a cron run of `track overdue --flag` hands them to a person.
    """
    now = env.now()
    margin = int(env.settings["tracking.overdue_margin_days"])
    promised_table = env.settings.section("tracking.promised_days")
    found: list[OverdueShipment] = []
    with env.uow(write=flag) as uow:
        session = uow.session
        orders = list(
            session.scalars(
                select(Order).where(Order.state == State.SHIPPED.value).order_by(Order.id)  # type: ignore[arg-type]
            )
        )
        newest = newest_shipments(session, [o.id or 0 for o in orders])
        parcels = {s.id or 0: s for s in _by_ids(session, list(newest.values()))}
        last = _last_events(session, list(parcels))
        for order in orders:
            parcel = parcels.get(newest.get(order.id or 0))  # type: ignore[arg-type]
            carrier = parcel.carrier if parcel else order.carrier
            service = parcel.service if parcel else order.carrier_service
            last_at = last.get(parcel.id or 0) if parcel else None
            since = _silent_since(order, parcel, last_at)
            promised = events.promised_days(promised_table, carrier, service)
            if not events.is_overdue(since, promised, margin, now):
                continue
            days = (now - since).days
            if flag:
                who = " ".join(part for part in (carrier, service) if part) or "the carrier"
                detail = (
                    f"no carrier event for {days} days ({who} promises {promised}"
                    f" + {margin} days margin)"
                )
                session.add(
                    LogisticsException(
                        order_id=order.id or 0,
                        shipment_id=parcel.id if parcel else None,
                        reason=events.ExceptionReason.DELAYED.value,
                        detail=detail,
                        opened_at=now,
                    )
                )
                lifecycle.move(
                    session,
                    order,
                    State.EXCEPTION,
                    action="overdue",
                    actor=env.actor,
                    at=now,
                    detail=detail,
                )
            found.append(
                OverdueShipment(
                    order_id=order.id or 0,
                    order=order_ref(order),
                    channel=order.channel,
                    carrier=carrier,
                    service=service,
                    tracking_number=parcel.tracking_number if parcel else None,
                    status=parcel.status if parcel else "",
                    last_event_at=last_at,
                    since=since,
                    promised_days=promised,
                    margin_days=margin,
                    overdue_since=events.overdue_after(since, promised, margin),
                    days_silent=days,
                    flagged=flag,
                )
            )
        if flag:
            uow.commit()
    return sorted(found, key=lambda o: (o.since, o.order_id))


def _silent_since(order: Order, parcel: Shipment | None, last_event: datetime | None) -> datetime:
    """Since when nothing was heard: the last event, else the parcel's ship (or label) time."""
    if last_event is not None:
        return last_event
    if parcel is not None:
        return parcel.shipped_at or parcel.created_at
    return order.shipped_at or order.updated_at


def _by_ids(session: Session, ids: Sequence[int]) -> list[Shipment]:
    found: list[Shipment] = []
    for chunk in in_chunks(ids):
        chunk = chunk
        found += session.scalars(select(Shipment).where(Shipment.id.in_(chunk)))  # type: ignore[union-attr]
    return found


def _last_events(session: Session, shipment_ids: Sequence[int]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for chunk in in_chunks(shipment_ids):
        chunk = chunk
        stmt = (
            select(ShipmentEvent.shipment_id, func.max(ShipmentEvent.at))  # type: ignore[call-overload]
            .where(ShipmentEvent.shipment_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(ShipmentEvent.shipment_id)
        )
        found.update({shipment_id: at for shipment_id, at in session.execute(stmt)})
    return found
