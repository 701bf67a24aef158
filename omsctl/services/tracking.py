"""Recording tracking numbers, shipping orders, and reporting shipments back to channels.

A number is normalised and checked against its carrier's format and check digit (domain
tracking) before it is stored; recording it ships the order through the lifecycle, so the
reservation becomes a decrement of on-hand. Confirmations are remembered per channel order,
so a nightly export sends each shipment exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from omsctl.channels.base import FieldProblem
from omsctl.domain.errors import Conflict, IllegalTransition, OmsError, UsageProblem
from omsctl.domain.lifecycle import State
from omsctl.domain.tracking import TrackingVerdict, require, validate
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.tables_in import Rejected, rows
from omsctl.store import waves as wave_store
from omsctl.store.orders import find_order
from omsctl.store.tables import ChannelConfirmation, Order, Shipment


@dataclass(frozen=True, slots=True)
class Recorded:
    order: str
    carrier: str
    number: str
    format: str
    verified: bool
    changed: bool  # False when the same number was recorded before (idempotent)


def check_numbers(numbers: Sequence[str], carrier: str | None = None) -> list[TrackingVerdict]:
    return [validate(n, carrier) for n in numbers]


def add_tracking(
    env: Env,
    ref: str,
    number: str,
    *,
    carrier: str | None = None,
    service: str | None = None,
    shipped_at: datetime | None = None,
    force: bool = False,
) -> Recorded:
    verdict = require(number, carrier, force=force)
    with env.uow() as uow:
        order = find_order(uow.session, ref)
        done = _record(uow.session, env, order, verdict, service, shipped_at or env.now())
        uow.commit()
        return done


def _record(
    session: Session,
    env: Env,
    order: Order,
    verdict: TrackingVerdict,
    service: str | None,
    shipped_at: datetime,
) -> Recorded:
    carrier = verdict.carrier or ""
    taken = session.scalars(
        select(Shipment).where(Shipment.tracking_number == verdict.number)
    ).first()
    if taken is not None and taken.order_id != order.id:
        other = session.get(Order, taken.order_id)
        raise Conflict(
            f"{verdict.number} is already the tracking number of order "
            f"{other.channel_order_no if other else taken.order_id}",
            hint="check the parcel; a number is used once",
        )
    if taken is not None and order.state != State.PACKED:  # recorded before: nothing to do
        return Recorded(
            order.channel_order_no,
            taken.carrier,
            verdict.number,
            verdict.format or "",
            verdict.verified,
            False,
        )
    if order.state != State.PACKED:
        raise IllegalTransition(
            f"order {order.channel_order_no} is {order.state}, not packed",
            hint="pack it first (`omsctl pack`)"
            if order.state == State.PICKING
            else "only packed orders ship",
        )
    shipment = (
        taken
        or session.scalars(
            select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id.desc())  # type: ignore[union-attr]
        ).first()
    )
    if shipment is not None and shipment.tracking_number not in (None, "", verdict.number):
        raise Conflict(
            f"order {order.channel_order_no}'s label carries "
            f"{shipment.tracking_number}, not {verdict.number}",
            hint="record the number on the parcel's label, or reprint the label",
        )
    if shipment is None:
        shipment = Shipment(
            order_id=order.id or 0,
            carrier=carrier,
            service=service or order.carrier_service,
            created_at=env.now(),
        )
    shipment.tracking_number = verdict.number
    shipment.carrier = carrier or shipment.carrier
    shipment.service = service or shipment.service
    shipment.status, shipment.shipped_at = "shipped", shipped_at
    session.add(shipment)
    session.flush()
    note = "" if verdict.verified else " (not verified: no check digit or --force)"
    lifecycle.move(
        session,
        order,
        State.SHIPPED,
        action="ship",
        actor=env.actor,
        at=env.now(),
        detail=f"{carrier} {verdict.number}{note}",
    )
    return Recorded(
        order.channel_order_no,
        carrier,
        verdict.number,
        verdict.format or "",
        verdict.verified,
        True,
    )


def ship_labelled(
    env: Env, *, wave: str | None = None, refs: Sequence[str] = ()
) -> tuple[list[Recorded], list[str]]:
    """Hand packed orders to the carrier under the tracking numbers their labels carry.

    For a wave, orders whose labels have no number yet are left packed and named (second
    item), so the rest of the wave still leaves; a named order without a number is an error.
    """
    if bool(wave) == bool(refs):
        raise UsageProblem("name a wave (--wave) or orders to ship")
    done, waiting = [], []
    with env.uow() as uow:
        s = uow.session
        if wave:
            found = wave_store.wave(s, wave)
            orders = [o for _, o in wave_store.members(s, found.id or 0) if o.state == State.PACKED]
        else:
            orders = [find_order(s, ref) for ref in refs]
        for order in orders:
            shipment = s.scalars(
                select(Shipment)
                .where(Shipment.order_id == order.id, Shipment.tracking_number.is_not(None))  # type: ignore[union-attr]
                .order_by(Shipment.id.desc())
            ).first()  # type: ignore[union-attr]
            if (shipment is None or not shipment.tracking_number) and wave:
                waiting.append(order.channel_order_no)
                continue
            if shipment is None or not shipment.tracking_number:
                raise UsageProblem(
                    f"order {order.channel_order_no} has no tracking number yet",
                    hint="print its label from a waybill pool, or `omsctl track add ORDER NUMBER`",
                )
            verdict = validate(shipment.tracking_number, shipment.carrier, force=True)
            done.append(_record(s, env, order, verdict, None, env.now()))
        uow.commit()
    return done, waiting


@dataclass
class TrackImport:
    file: str
    recorded: int = 0
    unchanged: int = 0
    rejects: list[Rejected] = field(default_factory=list)


#: Our columns, and Amazon's shipping-confirmation columns that mean the same.
_COLUMNS = {
    "order": "order-id",
    "number": "tracking-number",
    "carrier": "carrier-code",
    "ship_date": "ship-date",
}


def import_tracking(env: Env, path: Path) -> TrackImport:
    """Record many numbers from a CSV (order,number[,carrier,ship_date]) or Amazon's upload."""
    result = TrackImport(str(path))
    amazon = _is_amazon(path)
    names = {k: (v if amazon else k) for k, v in _COLUMNS.items()}
    required = (names["order"], names["number"])
    optional = tuple(v for k, v in names.items() if k not in ("order", "number"))
    if amazon:
        optional += ("order-item-id", "quantity", "carrier-name", "ship-method")
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(env.settings["general.timezone"])
    with env.uow() as uow:
        for row in rows(path, required, optional, delimiter="\t" if amazon else ","):
            get = row.cells.get
            savepoint = uow.session.begin_nested()
            column = names["ship_date"]
            try:
                carrier = (get(names["carrier"]) or "").strip() or None
                if carrier and carrier.upper() == "OTHER":
                    carrier = (get("carrier-name") or "").strip() or None
                shipped = _date(get(names["ship_date"]) or "", zone) or env.now()
                column = names["number"]
                verdict = require(get(names["number"]) or "", carrier)
                column = names["order"]
                order = find_order(uow.session, get(names["order"]) or "")
                done = _record(uow.session, env, order, verdict, None, shipped)
                savepoint.commit()
            except (OmsError, FieldProblem) as problem:
                savepoint.rollback()
                result.rejects.append(Rejected(str(path), row.line, column, str(problem)))
                continue
            if done.changed:
                result.recorded += 1
            else:
                result.unchanged += 1
        uow.commit()
    return result


def _is_amazon(path: Path) -> bool:
    with path.open(encoding="utf-8-sig") as text:
        first = text.readline()
    return "\t" in first and "order-id" in first


def _date(value: str, zone) -> datetime | None:  # type: ignore[no-untyped-def]
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise FieldProblem("ship_date", f"{value!r} is not a date like 2026-11-21") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


@dataclass(frozen=True, slots=True)
class Confirmation:
    channel_order_no: str
    tracking_number: str
    carrier: str
    service: str
    ship_date: str
    tracking_url: str


def export_confirmations(env: Env, channel: str, *, again: bool = False) -> list[Confirmation]:
    """Every shipment of the channel's orders not yet confirmed to it (all with `again`).

    A merged order reports its number to each channel order it came from; a split part
    reports under the channel's own order number.
    """
    from zoneinfo import ZoneInfo

    from omsctl.domain.tracking import tracking_url

    zone = ZoneInfo(env.settings["general.timezone"])
    now = env.now()
    found: list[Confirmation] = []
    with env.uow() as uow:
        s = uow.session
        shipped = s.execute(
            select(Shipment, Order)
            .join(Order, Order.id == Shipment.order_id)
            .where(
                Shipment.tracking_number.is_not(None),  # type: ignore[union-attr]
                Shipment.shipped_at.is_not(None),
            )  # type: ignore[union-attr]
            .order_by(Shipment.shipped_at, Shipment.id)
        ).all()
        done = {
            (c.shipment_id, c.channel_order_no)
            for c in s.scalars(
                select(ChannelConfirmation).where(ChannelConfirmation.channel == channel)
            )
        }
        for shipment, order in shipped:
            for number in _channel_numbers(s, order, channel):
                if not again and (shipment.id, number) in done:
                    continue
                assert shipment.tracking_number and shipment.shipped_at
                found.append(
                    Confirmation(
                        number,
                        shipment.tracking_number,
                        shipment.carrier,
                        shipment.service,
                        shipment.shipped_at.astimezone(zone).date().isoformat(),
                        tracking_url(shipment.carrier, shipment.tracking_number) or "",
                    )
                )
                if (shipment.id, number) not in done:
                    s.add(
                        ChannelConfirmation(
                            shipment_id=shipment.id or 0,
                            channel=channel,
                            channel_order_no=number,
                            exported_at=now,
                        )
                    )
                    done.add((shipment.id, number))
        uow.commit()
    return found


def _channel_numbers(session: Session, order: Order, channel: str) -> list[str]:
    """The channel's own order numbers this order stands for."""
    root = order
    while root.parent_id is not None:  # a split part reports under its original order
        parent = session.get(Order, root.parent_id)
        if parent is None:
            break
        root = parent
    numbers = [root.channel_order_no] if root.channel == channel else []
    merged = session.scalars(select(Order).where(Order.merged_into_id == order.id)).all()
    numbers += [m.channel_order_no for m in merged if m.channel == channel]
    return numbers
