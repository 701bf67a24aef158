"""Warehouses: where stock sits and orders ship from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from omsctl.channels.base import FieldProblem
from omsctl.channels.normalize import country as iso_country
from omsctl.domain.errors import Conflict, UsageProblem
from omsctl.services.context import Env
from omsctl.store.tables import Location, StockLevel, Warehouse


@dataclass(frozen=True, slots=True)
class WarehouseView:
    code: str
    name: str
    country: str
    region: str
    priority: int
    bins: int
    on_hand: int
    reserved: int


def add_warehouse(
    env: Env, code: str, name: str, country: str, region: str = "", priority: int = 100
) -> WarehouseView:
    code = code.strip().upper()
    if not code or not code.replace("-", "").replace("_", "").isalnum():
        raise UsageProblem(f"warehouse code {code!r} must be letters, digits, - or _")
    try:
        iso = iso_country(country, "--country")
    except FieldProblem as problem:
        raise UsageProblem(problem.reason) from None
    with env.uow() as uow:
        if uow.session.scalars(select(Warehouse).where(Warehouse.code == code)).first():
            raise Conflict(
                f"warehouse {code} exists already", hint="`omsctl warehouses list` shows it"
            )
        uow.session.add(
            Warehouse(code=code, name=name, country=iso, region=region.upper(), priority=priority)
        )
        uow.commit()
    return WarehouseView(code, name, iso, region.upper(), priority, 0, 0, 0)


def list_warehouses(env: Env) -> list[WarehouseView]:
    stmt = (
        select(
            Warehouse,
            func.count(func.distinct(Location.id)),
            func.coalesce(func.sum(StockLevel.on_hand), 0),
            func.coalesce(func.sum(StockLevel.reserved), 0),
        )
        .outerjoin(Location, Location.warehouse_id == Warehouse.id)
        .outerjoin(StockLevel, StockLevel.location_id == Location.id)
        .group_by(Warehouse.id)
        .order_by(Warehouse.priority, Warehouse.code)
    )
    with env.uow(write=False) as uow:
        return [
            WarehouseView(w.code, w.name, w.country, w.region, w.priority, bins, int(on), int(res))
            for w, bins, on, res in uow.session.execute(stmt)
        ]
