"""Logistics exceptions: the queue of parcels in trouble, and how a person resolves them.

Carrier events and overdue checks open exceptions; a person closes them by reshipping,
refunding or compensating. Every resolution moves the order through `lifecycle.move`
(history), and a reship takes the units out of stock again through `reserving.move_stock`
(the ledger). Each public function is one command: one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlmodel import Session

from omsctl.domain import stock as rules
from omsctl.domain import tracking_events as events
from omsctl.domain.errors import Conflict, IllegalTransition, NotFound, StockProblem, UsageProblem
from omsctl.domain.lifecycle import State
from omsctl.domain.tracking import require as require_number
from omsctl.services import lifecycle, waybills
from omsctl.services.context import Env
from omsctl.services.lifecycle import order_ref
from omsctl.services.parcels import joined, newest_shipment, origin_bins
from omsctl.services.reserving import move_stock, order_lines
from omsctl.store import stock as store
from omsctl.store.orders import find_order
from omsctl.store.tables import LogisticsException, Order, Shipment, ShipmentEvent


@dataclass(frozen=True, slots=True)
class ExceptionView:
    id: int
    order_id: int
    order: str
    channel: str
    state: str
    reason: str
    detail: str
    carrier: str
    tracking_number: str | None
    opened_at: datetime
    age_hours: int
    resolved_at: datetime | None
    resolution: str | None
    amount: Decimal | None
    note: str


def exception_queue(
    env: Env, *, reason: str | None = None, include_resolved: bool = False
) -> list[ExceptionView]:
    """Open logistics exceptions, oldest first (with `include_resolved`, every one)."""
    if reason is not None and reason not in {r.value for r in events.ExceptionReason}:
        raise UsageProblem(
            f"unknown exception reason {reason!r}",
            hint="reasons: " + ", ".join(r.value for r in events.ExceptionReason),
        )
    now = env.now()
    with env.uow(write=False) as uow:
        stmt = (
            select(LogisticsException, Order, Shipment)
            .join(Order, Order.id == LogisticsException.order_id)  # type: ignore[arg-type]
            .outerjoin(Shipment, Shipment.id == LogisticsException.shipment_id)  # type: ignore[arg-type]
            .order_by(LogisticsException.opened_at, LogisticsException.id)  # type: ignore[arg-type]
        )
        if not include_resolved:
            stmt = stmt.where(LogisticsException.resolved_at.is_(None))  # type: ignore[union-attr]
        if reason:
            stmt = stmt.where(LogisticsException.reason == reason)  # type: ignore[arg-type]
        return [
            ExceptionView(
                id=row.id or 0,
                order_id=order.id or 0,
                order=order_ref(order),
                channel=order.channel,
                state=order.state,
                reason=row.reason,
                detail=row.detail,
                carrier=parcel.carrier if parcel else order.carrier,
                tracking_number=parcel.tracking_number if parcel else None,
                opened_at=row.opened_at,
                age_hours=max(0, int((now - row.opened_at).total_seconds() // 3600)),
                resolved_at=row.resolved_at,
                resolution=row.resolution,
                amount=row.amount,
                note=row.note,
            )
            for row, order, parcel in uow.session.execute(stmt)
        ]


@dataclass(frozen=True, slots=True)
class Resolution:
    order: str
    resolution: str  # reship, refund, compensate
    from_state: str
    to_state: str
    exceptions: int  # how many open exceptions this closed
    amount: Decimal | None
    currency: str
    shipment_id: int | None = None  # the reship's new shipment
    tracking_number: str | None = None
    taken: tuple[str, ...] = ()  # reship: "SKU×n from WH/BIN"


def resolve_exception(
    env: Env,
    ref: str,
    *,
    reship: bool = False,
    refund: bool = False,
    compensate: str | None = None,
    amount: str | None = None,
    note: str = "",
    tracking: str | None = None,
    carrier: str | None = None,
) -> Resolution:
    """Close an order's open logistics exceptions in one of three ways, with history.

    reship: send the goods again (a new shipment; the units leave stock again through the
    ledger) and the order is shipped; refund: record the money (default the order total)
    and cancel; compensate: record the money and keep the parcel's own state (delivered if
    the carrier said so, else shipped).
    """
    chosen = [
        n
        for n, on in (
            ("reship", reship),
            ("refund", refund),
            ("compensate", compensate is not None),
        )
        if on
    ]
    if len(chosen) != 1:
        raise UsageProblem(
            "choose one resolution"
            if not chosen
            else f"--{' and --'.join(chosen)} cannot be used together",
            hint="--reship, --refund [--amount A] or --compensate AMOUNT",
        )
    if amount is not None and not refund:
        raise UsageProblem("--amount goes with --refund", hint="--compensate takes its amount")
    if tracking is not None and not reship:
        raise UsageProblem("--tracking goes with --reship")
    now = env.now()
    with env.uow() as uow:
        session = uow.session
        order = find_order(session, ref)
        name = order_ref(order)
        if not open_exceptions(session, order):
            raise NotFound(
                f"order {name} has no open logistics exception",
                hint="`omsctl exceptions list` shows the queue",
            )
        before = order.state
        if State(before) is not State.EXCEPTION:
            raise IllegalTransition(
                f"order {name} is {before}: only an order in state exception can be resolved",
                hint=f"see what happened with `omsctl orders show {name}`",
            )
        parcel = newest_shipment(session, order)
        if reship:
            done = _reship(session, env, order, parcel, tracking, carrier, note, now)
        elif refund:
            money = _amount(amount, "--amount") if amount is not None else order.total
            detail = joined(f"refund {money} {order.currency}".strip(), note)
            resolved = resolve_open(
                session, order, "refund", actor=env.actor, at=now, amount=money, note=note
            )
            lifecycle.move(
                session,
                order,
                State.CANCELLED,
                action="refund",
                actor=env.actor,
                at=now,
                detail=detail,
            )
            done = Resolution(
                name, "refund", before, order.state, len(resolved), money, order.currency
            )
        else:
            money = _amount(compensate or "", "--compensate")
            delivered = _delivered_at(session, parcel)
            target = State.DELIVERED if delivered else State.SHIPPED
            detail = joined(f"compensate {money} {order.currency}".strip(), note)
            resolved = resolve_open(
                session, order, "compensate", actor=env.actor, at=now, amount=money, note=note
            )
            lifecycle.move(
                session, order, target, action="compensate", actor=env.actor, at=now, detail=detail
            )
            if delivered is not None:
                order.delivered_at = delivered
            done = Resolution(
                name, "compensate", before, order.state, len(resolved), money, order.currency
            )
        uow.commit()
    return done


def open_exceptions(session: Session, order: Order) -> list[LogisticsException]:
    """The order's unresolved logistics exceptions, in the order they were recorded."""
    stmt = (
        select(LogisticsException)
        .where(
            LogisticsException.order_id == order.id,  # type: ignore[arg-type]
            LogisticsException.resolved_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(LogisticsException.id)  # type: ignore[arg-type]
    )
    return list(session.scalars(stmt))


def resolve_open(
    session: Session,
    order: Order,
    resolution: str,
    *,
    actor: str,
    at: datetime,
    amount: Decimal | None = None,
    note: str = "",
) -> list[LogisticsException]:
    """Close every open exception of the order with one resolution; return those closed."""
    resolved = open_exceptions(session, order)
    for row in resolved:
        row.resolved_at, row.resolved_by, row.resolution = at, actor, resolution
        row.amount, row.note = amount, note
        session.add(row)
    return resolved


def _delivered_at(session: Session, parcel: Shipment | None) -> datetime | None:
    """When the carrier said the parcel was delivered, if it ever did (even before trouble)."""
    if parcel is None:
        return None
    stmt = select(func.min(ShipmentEvent.at)).where(
        ShipmentEvent.shipment_id == parcel.id,  # type: ignore[arg-type]
        ShipmentEvent.status == events.EventStatus.DELIVERED.value,  # type: ignore[arg-type]
    )
    found = session.scalar(stmt)
    return found if found is not None else parcel.delivered_at


def _reship(
    session: Session,
    env: Env,
    order: Order,
    parcel: Shipment | None,
    tracking: str | None,
    carrier: str | None,
    note: str,
    now: datetime,
) -> Resolution:
    name = order_ref(order)
    before = order.state
    taken = _take_again(session, order, name, actor=env.actor, at=now)
    carrier_code = (carrier or (parcel.carrier if parcel else "") or order.carrier).upper()
    number = None
    if tracking is not None:
        verdict = require_number(tracking, carrier_code or None)
        number = verdict.number
        carrier_code = verdict.carrier or carrier_code
        clash = session.scalars(select(Shipment).where(Shipment.tracking_number == number)).first()  # type: ignore[arg-type]
        if clash is not None:
            raise Conflict(
                f"{number} is already the tracking number of another shipment",
                hint="a number is used once; check the new parcel's label",
            )
    if number is None and carrier_code:  # the new parcel's number from the carrier's pool
        number = waybills.take_number(session, carrier_code, order.id or 0, now)
    shipment = Shipment(
        order_id=order.id or 0,
        carrier=carrier_code,
        service=parcel.service if parcel else order.carrier_service,
        tracking_number=number,
        status="shipped" if number else "created",
        created_at=now,
        shipped_at=now if number else None,
    )
    session.add(shipment)
    session.flush()
    resolved = resolve_open(session, order, "reship", actor=env.actor, at=now, note=note)
    detail = joined(
        f"reship: new shipment {carrier_code} {number or '(no tracking number yet)'};"
        f" {', '.join(taken)}",
        note,
    )
    lifecycle.move(
        session, order, State.SHIPPED, action="reship", actor=env.actor, at=now, detail=detail
    )
    return Resolution(
        name,
        "reship",
        before,
        order.state,
        len(resolved),
        None,
        order.currency,
        shipment.id,
        number,
        tuple(taken),
    )


def _take_again(
    session: Session, order: Order, name: str, *, actor: str, at: datetime
) -> list[str]:
    """The order's units leave stock a second time: first from the bins they left from.

    Every SKU is checked before anything moves, so a short SKU refuses the whole reship.
    """
    needed: dict[str, int] = {}
    for sku, qty in order_lines(session, order):
        needed[sku] = needed.get(sku, 0) + qty
    origin = origin_bins(session, order.id or 0)
    plan: list[tuple[str, store.Place, int]] = []
    short: list[str] = []
    for sku, qty in sorted(needed.items()):
        left, seen = qty, set()
        for place in [*origin.get(sku, []), *_bins_with_stock(session, sku)]:
            if place.location_id in seen or not left:
                continue
            seen.add(place.location_id)
            take = min(left, store.read_level(session, sku, place).available)
            if take > 0:
                plan.append((sku, place, take))
                left -= take
        if left:
            short.append(f"{sku} needs {qty}, {qty - left} available")
    if short:
        raise StockProblem(
            f"cannot reship order {name}: not enough stock ({', '.join(short)})",
            hint="receive stock (`omsctl stock import --add`) or resolve with --refund",
        )
    for sku, place, take in plan:
        move_stock(
            session,
            rules.adjust,
            sku,
            place,
            -take,
            f"reship {name}",
            actor=actor,
            at=at,
            order_id=order.id,
        )
    return [f"{sku}×{take} from {p.warehouse}/{p.location}" for sku, p, take in plan]


def _bins_with_stock(session: Session, sku: str) -> list[store.Place]:
    slots, places = store.slots_for(session, [sku])
    slots.sort(key=lambda s: (s.warehouse, s.pick_sequence, s.location))
    return [places[(s.warehouse, s.location)] for s in slots]


def _amount(value: str, option: str) -> Decimal:
    try:
        money = Decimal(value.strip())
    except InvalidOperation:
        raise UsageProblem(f"{option} {value!r} is not an amount like 12.50") from None
    if not money.is_finite() or money <= 0:
        raise UsageProblem(f"{option} must be an amount above zero, not {value!r}")
    return money
