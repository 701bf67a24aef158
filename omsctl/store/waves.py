"""Waves in SQL: which approved orders can be waved, and what a wave's picker must take where."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlmodel import Session

from omsctl.domain.errors import NotFound
from omsctl.domain.lifecycle import State
from omsctl.domain.picking import PickItem
from omsctl.domain.waves import Candidate
from omsctl.store.tables import (
    Location,
    Order,
    OrderLine,
    Product,
    Reservation,
    Warehouse,
    Wave,
    WaveOrder,
)


def live_membership():  # type: ignore[no-untyped-def]
    return exists().where(WaveOrder.order_id == Order.id, WaveOrder.removed_at.is_(None))  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class Unwaveable:
    order_id: int
    ref: str
    reason: str


def candidates(session: Session) -> tuple[list[Candidate], list[Unwaveable]]:
    """Approved orders in no live wave, with where their stock is reserved."""
    stmt = (
        select(
            Order.id,
            Order.channel_order_no,
            Order.service_level,
            Order.paid_at,
            Order.ordered_at,
            Warehouse.code,
            Location.zone,
            Reservation.sku,
            Reservation.quantity,
        )
        .join(Reservation, Reservation.order_id == Order.id)
        .join(Location, Location.id == Reservation.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(Order.state == State.APPROVED, ~live_membership())
        .order_by(Order.id)
    )
    weights = {
        sku: w or Decimal("0") for sku, w in session.execute(select(Product.sku, Product.weight_kg))
    }
    facts: dict[int, dict[str, object]] = {}
    for oid, ref, service, paid, ordered, wh, zone, sku, qty in session.execute(stmt):
        f = facts.setdefault(
            oid,
            {
                "ref": ref,
                "service": service,
                "paid": paid,
                "ordered": ordered,
                "warehouses": set(),
                "zones": set(),
                "units": 0,
                "weight": Decimal("0"),
            },
        )
        f["warehouses"].add(wh)  # type: ignore[attr-defined]
        if zone:
            f["zones"].add(zone)  # type: ignore[attr-defined]
        f["units"] += qty  # type: ignore[operator]
        f["weight"] += weights.get(sku, Decimal("0")) * qty  # type: ignore[operator]
    found, refused = [], []
    for oid, f in facts.items():
        houses = sorted(f["warehouses"])  # type: ignore[call-overload]
        if len(houses) != 1:
            refused.append(
                Unwaveable(
                    oid,
                    str(f["ref"]),
                    f"ships from several warehouses ({', '.join(houses)}); split it first",
                )
            )
            continue
        found.append(
            Candidate(
                order_id=oid,
                ref=str(f["ref"]),
                warehouse=houses[0],
                carrier="",
                service_level=str(f["service"]),
                paid_at=f["paid"],  # type: ignore[arg-type]
                ordered_at=f["ordered"],
                units=int(f["units"]),  # type: ignore[arg-type, call-overload]
                weight_kg=f["weight"],
                zones=frozenset(f["zones"]),  # type: ignore[arg-type]
            )
        )
    return found, refused


def wave(session: Session, ref: str) -> Wave:
    """A wave by id or by its code (`WAVE-000042`, as its barcode reads)."""
    text = ref.strip().upper().removeprefix("WAVE-")
    found = session.get(Wave, int(text)) if text.isdigit() else None
    if found is None:
        raise NotFound(f"no wave {ref!r}", hint="`omsctl wave list` shows the waves")
    return found


def members(session: Session, wave_id: int) -> list[tuple[WaveOrder, Order]]:
    stmt = (
        select(WaveOrder, Order)
        .join(Order, Order.id == WaveOrder.order_id)
        .where(WaveOrder.wave_id == wave_id, WaveOrder.removed_at.is_(None))  # type: ignore[union-attr]
        .order_by(WaveOrder.tote)
    )
    return [(m, o) for m, o in session.execute(stmt)]


def pick_items(
    session: Session, wave_id: int
) -> tuple[list[PickItem], list[tuple[str, str, int, str]]]:
    """What to take where for each live order of the wave, and any units reserved nowhere."""
    stmt = (
        select(
            Order.channel_order_no,
            WaveOrder.tote,
            Reservation.sku,
            func.coalesce(Product.title, Reservation.sku),
            func.coalesce(Product.barcode, ""),
            Location.code,
            Location.pick_sequence,
            Reservation.quantity,
        )
        .join(WaveOrder, WaveOrder.order_id == Order.id)
        .join(Reservation, Reservation.order_id == Order.id)
        .join(Location, Location.id == Reservation.location_id)
        .outerjoin(Product, Product.sku == Reservation.sku)
        .where(WaveOrder.wave_id == wave_id, WaveOrder.removed_at.is_(None))  # type: ignore[union-attr]
    )
    items = [PickItem(*row) for row in session.execute(stmt)]
    reserved: dict[tuple[str, str], int] = defaultdict(int)
    for item in items:
        reserved[(item.order_ref, item.sku)] += item.quantity
    lines = session.execute(
        select(
            Order.channel_order_no,
            OrderLine.sku,
            func.sum(OrderLine.quantity),
            func.max(OrderLine.title),
        )
        .join(WaveOrder, WaveOrder.order_id == Order.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(WaveOrder.wave_id == wave_id, WaveOrder.removed_at.is_(None))  # type: ignore[union-attr]
        .group_by(Order.channel_order_no, OrderLine.sku)
    )
    missing = [
        (ref, sku, int(qty) - reserved.get((ref, sku), 0), title)
        for ref, sku, qty, title in lines
        if int(qty) > reserved.get((ref, sku), 0)
    ]
    return items, missing
