"""What the after-shipping services share about an order's parcels and goods.

Loading events, overdue parcels, exceptions and returns all ask which shipment speaks for an
order and which bins its units left from; they ask it here, in chunks that stay below every
database's parameter limit, so each question has one answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from omsctl.store import stock as store
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import Location, Order, Shipment, StockMovement, Warehouse


def newest_shipments(session: Session, order_ids: Iterable[int]) -> dict[int, int]:
    """Each order's newest shipment: the one whose events speak for the order."""
    wanted = sorted(order_ids)
    found: dict[int, int] = {}
    for chunk in in_chunks(wanted):
        chunk = chunk
        stmt = (
            select(Shipment.order_id, func.max(Shipment.id))  # type: ignore[call-overload]
            .where(Shipment.order_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(Shipment.order_id)
        )
        found.update({order_id: newest for order_id, newest in session.execute(stmt)})
    return found


def newest_shipment(session: Session, order: Order) -> Shipment | None:
    """The order's newest shipment (the parcel that speaks for it), if it has one."""
    stmt = select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id.desc())  # type: ignore[union-attr, arg-type]
    return session.scalars(stmt).first()


def origin_bins(session: Session, order_id: int) -> dict[str, list[store.Place]]:
    """The bins the order's units left from (newest first): where its goods belong."""
    stmt = (
        select(StockMovement.sku, Location.id, Warehouse.code, Location.code)  # type: ignore[call-overload]
        .join(Location, Location.id == StockMovement.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(StockMovement.order_id == order_id, StockMovement.delta_on_hand < 0)
        .order_by(StockMovement.id.desc())  # type: ignore[union-attr]
    )
    found: dict[str, list[store.Place]] = defaultdict(list)
    for sku, location_id, warehouse, code in session.execute(stmt):
        place = store.Place(location_id, warehouse, code)
        if place not in found[sku]:
            found[sku].append(place)
    return found


def joined(first: str, note: str) -> str:
    """A history detail with the person's note after it, when there is one."""
    return f"{first}; {note}" if note else first
