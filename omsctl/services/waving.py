"""Pick waves: group approved orders, move them to picking, and say what to pick where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from omsctl.domain.errors import Conflict, UsageProblem
from omsctl.domain.lifecycle import State
from omsctl.domain.picking import PickList, Unbinned, build_pick_list, wave_code
from omsctl.domain.waves import Limits, Strategy, plan_waves
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.store import waves as store
from omsctl.store.orders import find_order
from omsctl.store.tables import Order, OrderLine, Warehouse, Wave, WaveOrder


@dataclass(frozen=True, slots=True)
class WaveView:
    id: int | None  # None in a dry run
    code: str
    warehouse: str
    strategy: str
    key: str
    status: str
    orders: tuple[str, ...]
    units: int
    created_at: datetime | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LeftOut:
    order: str
    reason: str


@dataclass(frozen=True, slots=True)
class WaveReport:
    dry_run: bool
    waves: tuple[WaveView, ...]
    left_for_later: tuple[LeftOut, ...]


def code_of(wave_id: int | None) -> str:
    return wave_code(wave_id) if wave_id is not None else "WAVE-(new)"


def create_waves(
    env: Env,
    *,
    strategy: Strategy = Strategy.MIXED,
    limits: Limits | None = None,
    cutoff: datetime | None = None,
    carrier: str | None = None,
    warehouse: str | None = None,
    dry_run: bool = False,
) -> WaveReport:
    """Plan waves over approved orders not yet in one, and (unless dry) move them to picking."""
    now, actor = env.now(), env.actor
    with env.uow() as uow:
        s = uow.session
        found, refused = store.candidates(s)
        plan = plan_waves(
            found,
            strategy=strategy,
            limits=limits or Limits(),
            cutoff=cutoff,
            carrier=carrier,
            warehouse=warehouse.upper() if warehouse else None,
        )
        refs = {c.order_id: c.ref for c in found}
        houses = {w.code: w.id for w in s.scalars(select(Warehouse))}
        views = []
        for planned in plan.waves:
            wave = Wave(
                warehouse_id=houses[planned.warehouse],
                strategy=planned.strategy.value,
                key=planned.key,
                created_at=now,
                created_by=actor,
            )
            s.add(wave)
            s.flush()
            orders = s.scalars(select(Order).where(Order.id.in_(planned.order_ids)))  # type: ignore[union-attr]
            by_id = {o.id: o for o in orders}
            for tote, order_id in enumerate(planned.order_ids, start=1):
                order = by_id[order_id]
                s.add(WaveOrder(wave_id=wave.id or 0, order_id=order_id, tote=tote, added_at=now))
                lifecycle.move(
                    s,
                    order,
                    State.PICKING,
                    action="wave",
                    actor=actor,
                    at=now,
                    detail=f"{code_of(wave.id)} tote {tote}",
                )
            views.append(
                WaveView(
                    None if dry_run else wave.id,
                    code_of(None if dry_run else wave.id),
                    planned.warehouse,
                    planned.strategy.value,
                    planned.key,
                    "open",
                    tuple(refs[i] for i in planned.order_ids),
                    planned.units,
                    now,
                    planned.notes,
                )
            )
        left = [LeftOut(refs[i], reason) for i, reason in plan.left_for_later]
        left += [LeftOut(u.ref, u.reason) for u in refused]
        if not dry_run:
            uow.commit()
    return WaveReport(dry_run, tuple(views), tuple(left))


def _view(session, wave: Wave) -> WaveView:  # type: ignore[no-untyped-def]
    members = store.members(session, wave.id or 0)
    ids = [o.id for _, o in members]
    units = (
        session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.order_id.in_(ids)
            )
        )
        if ids
        else 0
    )  # type: ignore[attr-defined]
    code = session.scalar(select(Warehouse.code).where(Warehouse.id == wave.warehouse_id))
    return WaveView(
        wave.id,
        code_of(wave.id),
        code or "",
        wave.strategy,
        wave.key,
        wave.status,
        tuple(o.channel_order_no for _, o in members),
        int(units),
        wave.created_at,
    )


def list_waves(env: Env, *, status: str | None = None) -> list[WaveView]:
    with env.uow(write=False) as uow:
        stmt = select(Wave).order_by(Wave.id)  # type: ignore[arg-type]
        if status:
            stmt = stmt.where(Wave.status == status)
        return [_view(uow.session, w) for w in uow.session.scalars(stmt)]


@dataclass(frozen=True, slots=True)
class WaveMember:
    tote: int
    order: str
    state: str


def show_wave(env: Env, ref: str) -> tuple[WaveView, list[WaveMember]]:
    with env.uow(write=False) as uow:
        wave = store.wave(uow.session, ref)
        members = [
            WaveMember(m.tote, o.channel_order_no, o.state)
            for m, o in store.members(uow.session, wave.id or 0)
        ]
        return _view(uow.session, wave), members


def remove_from_wave(env: Env, wave_ref: str, order_ref: str) -> WaveMember:
    """Take an order out of a wave: back to approved, its stock still reserved."""
    now = env.now()
    with env.uow() as uow:
        s = uow.session
        wave = store.wave(s, wave_ref)
        order = find_order(s, order_ref)
        member = next((m for m, o in store.members(s, wave.id or 0) if o.id == order.id), None)
        if member is None:
            raise UsageProblem(
                f"order {order.channel_order_no} is not in {code_of(wave.id)}",
                hint=f"`omsctl wave show {wave.id}` lists its orders",
            )
        lifecycle.move(
            s,
            order,
            State.APPROVED,
            action="unwave",
            actor=env.actor,
            at=now,
            detail=f"removed from {code_of(wave.id)}",
        )
        member.removed_at = now
        s.add(member)
        uow.commit()
        return WaveMember(member.tote, order.channel_order_no, order.state)


def close_wave(env: Env, ref: str) -> WaveView:
    """Close a wave once no order in it is still being picked."""
    with env.uow() as uow:
        s = uow.session
        wave = store.wave(s, ref)
        if wave.status == "closed":
            raise Conflict(f"{code_of(wave.id)} is closed already")
        picking = [
            o.channel_order_no
            for _, o in store.members(s, wave.id or 0)
            if o.state == State.PICKING
        ]
        if picking:
            shown = ", ".join(picking[:5]) + (" …" if len(picking) > 5 else "")
            raise Conflict(
                f"{code_of(wave.id)} still has {len(picking)} order(s) picking ({shown})",
                hint="pack them, or `omsctl wave remove` them first",
            )
        wave.status, wave.closed_at = "closed", env.now()
        s.add(wave)
        view = _view(s, wave)
        uow.commit()
        return view


def pick_list(env: Env, ref: str) -> PickList:
    """The walk for a wave: bins in pick order, totals, and the tote breakdown."""
    zone = ZoneInfo(env.settings["general.timezone"])
    with env.uow(write=False) as uow:
        s = uow.session
        wave = store.wave(s, ref)
        items, missing = store.pick_items(s, wave.id or 0)
        warehouse = s.scalar(select(Warehouse.code).where(Warehouse.id == wave.warehouse_id))
        unbinned: dict[str, tuple[str, int, list[str]]] = {}
        for order_ref, sku, qty, title in missing:
            _, total, refs = unbinned.get(sku, (title, 0, []))
            unbinned[sku] = (title, total + qty, [*refs, order_ref])
        created = wave.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        totes = {o.channel_order_no: m.tote for m, o in store.members(s, wave.id or 0)}
        return build_pick_list(
            wave.id or 0,
            warehouse or "",
            wave.strategy,
            created,
            items,
            [
                Unbinned(sku, title, qty, tuple(refs))
                for sku, (title, qty, refs) in sorted(unbinned.items())
            ],
            totes=totes,
        )
