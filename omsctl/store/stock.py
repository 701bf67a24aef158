"""Stock in SQL: levels per bin, the ledger, reservations, and what allocation needs to read.

Every write of a level is a conditional UPDATE on the values just read, so even a database
without SQLite's single writer (PostgreSQL) can never apply two changes on one stale read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from omsctl.domain import allocation
from omsctl.domain.bins import pick_sequence, zone_of
from omsctl.domain.errors import NotFound, StockProblem
from omsctl.domain.stock import Movement, StockLevel
from omsctl.store.tables import Location, Reservation, StockMovement, Warehouse
from omsctl.store.tables import StockLevel as LevelRow


@dataclass(frozen=True, slots=True)
class Place:
    """A bin, named the way people name it."""

    location_id: int
    warehouse: str
    location: str


def warehouse(session: Session, code: str) -> Warehouse:
    found = session.scalars(select(Warehouse).where(Warehouse.code == code)).first()
    if found is None:
        raise NotFound(f"no warehouse {code!r}", hint="add it with `omsctl warehouses add`")
    return found


def place(
    session: Session, warehouse_code: str, code: str, *, create: bool, sequence: int | None = None
) -> Place:
    """The bin `code` in a warehouse, created on first use with its derived pick sequence."""
    wh = warehouse(session, warehouse_code)
    found = session.scalars(
        select(Location).where(Location.warehouse_id == wh.id, Location.code == code)
    ).first()
    if found is None:
        if not create:
            raise NotFound(f"no location {code!r} in warehouse {warehouse_code}")
        found = Location(
            warehouse_id=wh.id or 0,
            code=code,
            zone=zone_of(code),
            pick_sequence=pick_sequence(code) if sequence is None else sequence,
        )
        session.add(found)
        session.flush()
    elif sequence is not None and found.pick_sequence != sequence:
        found.pick_sequence = sequence
        session.add(found)
    return Place(found.id or 0, wh.code, found.code)


def places_of(session: Session, sku: str, warehouse_code: str | None = None) -> list[Place]:
    """The bins that hold (or held) `sku`, in pick order."""
    stmt = (
        select(Location.id, Warehouse.code, Location.code)
        .join(LevelRow, LevelRow.location_id == Location.id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(LevelRow.sku == sku)
        .order_by(Warehouse.code, Location.pick_sequence, Location.code)
    )
    if warehouse_code:
        stmt = stmt.where(Warehouse.code == warehouse_code)
    return [Place(i, w, c) for i, w, c in session.execute(stmt)]


def read_level(session: Session, sku: str, where: Place) -> StockLevel:
    row = session.scalars(
        select(LevelRow).where(LevelRow.sku == sku, LevelRow.location_id == where.location_id)
    ).first()
    name = f"{where.warehouse}/{where.location}"
    if row is None:
        return StockLevel(sku, name, 0, 0)
    return StockLevel(sku, name, row.on_hand, row.reserved)


def write_level(session: Session, where: Place, old: StockLevel, new: StockLevel) -> None:
    table = LevelRow.__table__  # type: ignore[attr-defined]
    if old.on_hand == 0 and old.reserved == 0 and not _exists(session, old.sku, where):
        session.add(
            LevelRow(
                sku=new.sku,
                location_id=where.location_id,
                on_hand=new.on_hand,
                reserved=new.reserved,
            )
        )
        session.flush()
        return
    done = session.execute(
        update(table)
        .where(
            table.c.sku == old.sku,
            table.c.location_id == where.location_id,
            table.c.on_hand == old.on_hand,
            table.c.reserved == old.reserved,
        )
        .values(on_hand=new.on_hand, reserved=new.reserved)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise StockProblem(
            f"stock of {old.sku} at {old.location} changed while this ran",
            hint="run the command again",
        )


def _exists(session: Session, sku: str, where: Place) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(LevelRow)
            .where(LevelRow.sku == sku, LevelRow.location_id == where.location_id)
        )
        == 1
    )


def add_movement(
    session: Session,
    movement: Movement,
    where: Place,
    *,
    actor: str,
    at: datetime,
    order_id: int | None = None,
) -> None:
    session.add(
        StockMovement(
            at=at,
            actor=actor,
            sku=movement.sku,
            location_id=where.location_id,
            kind=movement.kind.value,
            delta_on_hand=movement.delta_on_hand,
            delta_reserved=movement.delta_reserved,
            on_hand_after=movement.on_hand_after,
            reserved_after=movement.reserved_after,
            reason=movement.reason,
            order_id=order_id,
        )
    )


def slots_for(
    session: Session, skus: Sequence[str]
) -> tuple[list[allocation.Slot], dict[tuple[str, str], Place]]:
    """Bins with available stock of these SKUs, for allocation, and how to find each again."""
    stmt = (
        select(
            LevelRow.sku,
            LevelRow.on_hand - LevelRow.reserved,
            Location.id,
            Location.code,
            Location.pick_sequence,
            Warehouse.code,
        )
        .join(Location, Location.id == LevelRow.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(
            LevelRow.sku.in_(sorted(set(skus))),  # type: ignore[attr-defined]
            LevelRow.on_hand > LevelRow.reserved,
        )
    )
    slots, places = [], {}
    for sku, available, location_id, code, sequence, wh in session.execute(stmt):
        slots.append(allocation.Slot(wh, code, sequence, sku, available))
        places[(wh, code)] = Place(location_id, wh, code)
    return slots, places


def warehouses_with_load(session: Session) -> list[allocation.Warehouse]:
    """Every warehouse, its load being the units reserved in it now (lower ships sooner)."""
    load = (
        select(Location.warehouse_id, func.coalesce(func.sum(LevelRow.reserved), 0).label("units"))
        .join(LevelRow, LevelRow.location_id == Location.id)
        .group_by(Location.warehouse_id)
        .subquery()
    )
    stmt = (
        select(Warehouse, func.coalesce(load.c.units, 0))
        .outerjoin(load, load.c.warehouse_id == Warehouse.id)
        .order_by(Warehouse.code)
    )
    return [
        allocation.Warehouse(w.code, w.country, w.region, w.priority, int(units))
        for w, units in session.execute(stmt)
    ]


def reservations_of(session: Session, order_id: int) -> list[tuple[Reservation, Place]]:
    stmt = (
        select(Reservation, Warehouse.code, Location.code)
        .join(Location, Location.id == Reservation.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(Reservation.order_id == order_id)
        .order_by(Reservation.id)  # type: ignore[arg-type]
    )
    return [(r, Place(r.location_id, w, c)) for r, w, c in session.execute(stmt)]
