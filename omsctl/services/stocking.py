"""Stock takes, goods received, corrections, and the stock list with its reorder alerts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from omsctl.channels.base import FieldProblem
from omsctl.channels.normalize import text
from omsctl.domain import replenishment
from omsctl.domain import stock as rules
from omsctl.domain.errors import NotFound, OmsError, UsageProblem
from omsctl.services.context import Env
from omsctl.services.reserving import move_stock
from omsctl.services.tables_in import Rejected, rows, whole
from omsctl.store import stock as store
from omsctl.store.tables import Location, Order, OrderLine, Product, StockLevel, Warehouse

#: Days of sales history that the reorder velocity is computed from.
VELOCITY_DAYS = 28


@dataclass
class StockImport:
    file: str
    mode: str
    rows: int = 0
    units: int = 0
    rejects: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StockRow:
    sku: str
    warehouse: str
    location: str
    on_hand: int
    reserved: int
    available: int


@dataclass(frozen=True, slots=True)
class LowStock:
    sku: str
    title: str
    available: int
    reorder_point: int
    safety_stock: int
    daily_velocity: float
    days_of_cover: float | None
    suggested_order: int


def import_stock(env: Env, path: Path, *, add: bool = False) -> StockImport:
    """Set counts (a stock take) or, with `add`, receive goods; one ledger row per change."""
    rule, mode = (rules.receive, "receive") if add else (rules.count, "count")
    result = StockImport(str(path), mode)
    now = env.now()
    with env.uow() as uow:
        products = set(uow.session.scalars(select(Product.sku)))
        for row in rows(path, ("sku", "warehouse", "location", "on_hand"), ("pick_sequence",)):
            try:
                sku = text(row.cells["sku"])
                if sku not in products:
                    raise FieldProblem(
                        "sku",
                        f"{sku!r} is not in the product master "
                        "(run `omsctl products import` first)",
                    )
                qty = whole(row.cells["on_hand"], "on_hand")
                sequence_text = text(row.cells.get("pick_sequence"))
                sequence = whole(sequence_text, "pick_sequence") if sequence_text else None
                savepoint = uow.session.begin_nested()
                try:
                    where = store.place(
                        uow.session,
                        text(row.cells["warehouse"]).upper(),
                        text(row.cells["location"]),
                        create=True,
                        sequence=sequence,
                    )
                    if add and qty == 0:
                        savepoint.commit()
                        continue
                    move_stock(
                        uow.session,
                        rule,
                        sku,
                        where,
                        qty,
                        f"{mode} {path.name}:{row.line}",
                        actor=env.actor,
                        at=now,
                    )
                    savepoint.commit()
                except OmsError as problem:
                    savepoint.rollback()
                    column = "warehouse" if isinstance(problem, NotFound) else "on_hand"
                    raise FieldProblem(column, problem.message) from None
            except FieldProblem as problem:
                result.rejects.append(Rejected(str(path), row.line, problem.column, problem.reason))
                continue
            result.rows += 1
            result.units += qty
        uow.commit()
    return result


def _place(session: Session, sku: str, location: str | None, warehouse: str | None) -> store.Place:
    """The bin meant: named, or the only one holding the SKU."""
    if location:
        if not warehouse:
            codes = list(session.scalars(select(Warehouse.code)))
            if len(codes) != 1:
                raise UsageProblem(
                    "name the warehouse with --warehouse",
                    hint=f"warehouses: {', '.join(codes) or 'none yet'}",
                )
            warehouse = codes[0]
        return store.place(session, warehouse.upper(), location, create=True)
    places = store.places_of(session, sku, warehouse.upper() if warehouse else None)
    if len(places) == 1:
        return places[0]
    if not places:
        raise UsageProblem(f"{sku} is in no bin yet", hint="name one with --location")
    names = ", ".join(f"{p.warehouse}/{p.location}" for p in places)
    raise UsageProblem(f"{sku} is in several bins ({names})", hint="name one with --location")


def set_stock(
    env: Env,
    sku: str,
    quantity: int,
    *,
    location: str | None = None,
    warehouse: str | None = None,
    reason: str = "count",
) -> rules.Movement:
    with env.uow() as uow:
        _known(uow.session, sku)
        where = _place(uow.session, sku, location, warehouse)
        movement = move_stock(
            uow.session, rules.count, sku, where, quantity, reason, actor=env.actor, at=env.now()
        )
        uow.commit()
    return movement


def adjust_stock(
    env: Env,
    sku: str,
    delta: int,
    reason: str,
    *,
    location: str | None = None,
    warehouse: str | None = None,
) -> rules.Movement:
    with env.uow() as uow:
        _known(uow.session, sku)
        where = _place(uow.session, sku, location, warehouse)
        movement = move_stock(
            uow.session, rules.adjust, sku, where, delta, reason, actor=env.actor, at=env.now()
        )
        uow.commit()
    return movement


def _known(session: Session, sku: str) -> None:
    if session.scalars(select(Product.sku).where(Product.sku == sku)).first() is None:
        raise NotFound(f"no product {sku!r}", hint="add it with `omsctl products import`")


def list_stock(env: Env, *, warehouse: str | None = None) -> list[StockRow]:
    stmt = (
        select(
            StockLevel.sku, Warehouse.code, Location.code, StockLevel.on_hand, StockLevel.reserved
        )
        .join(Location, Location.id == StockLevel.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .order_by(StockLevel.sku, Warehouse.code, Location.pick_sequence)
    )
    if warehouse:
        stmt = stmt.where(Warehouse.code == warehouse.upper())
    with env.uow(write=False) as uow:
        return [
            StockRow(s, w, loc, on, res, on - res)
            for s, w, loc, on, res in uow.session.execute(stmt)
        ]


def low_stock(env: Env, *, warehouse: str | None = None) -> list[LowStock]:
    """SKUs at or under their reorder point, with days of cover and a suggested order."""
    available: dict[str, int] = defaultdict(int)
    for row in list_stock(env, warehouse=warehouse):
        available[row.sku] += row.available
    now = env.now()
    start = now - timedelta(days=VELOCITY_DAYS)
    with env.uow(write=False) as uow:
        products = list(uow.session.scalars(select(Product).order_by(Product.sku)))
        day = func.date(Order.ordered_at)
        sales = uow.session.execute(
            select(OrderLine.sku, day, func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.ordered_at >= start, Order.state.not_in(("cancelled", "merged")))  # type: ignore[attr-defined]
            .group_by(OrderLine.sku, day)
        ).all()
    daily: dict[str, dict[str, int]] = defaultdict(dict)
    for sku, date_text, units in sales:
        daily[sku][str(date_text)] = int(units)
    days = [(start + timedelta(days=n)).date().isoformat() for n in range(1, VELOCITY_DAYS + 1)]
    alerts = []
    for product in products:
        have = available.get(product.sku, 0)
        if not replenishment.is_low(have, product.reorder_point):
            continue
        velocity = replenishment.daily_velocity([daily[product.sku].get(d, 0) for d in days])
        alerts.append(
            LowStock(
                product.sku,
                product.title,
                have,
                product.reorder_point,
                product.safety_stock,
                round(velocity, 2),
                _round(replenishment.days_of_cover(have, velocity)),
                replenishment.suggest_order_quantity(
                    have, velocity, product.reorder_point, product.safety_stock
                ),
            )
        )
    return alerts


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
