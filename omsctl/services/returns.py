"""Returns (RMAs): announced against a shipped order, then received, restocked or written off.

A return never claims more units than the order had minus earlier returns. Goods that come
back go through `reserving.move_stock` (the ledger), and the order becomes `returned` through
`lifecycle.move` (history) only once every ordered unit is back. Each public function is one
command: one transaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from omsctl.domain import stock as rules
from omsctl.domain.errors import Conflict, IllegalTransition, NotFound, StockProblem, UsageProblem
from omsctl.domain.lifecycle import State, allowed_from
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.lifecycle import order_ref
from omsctl.services.parcels import joined, origin_bins
from omsctl.services.reserving import move_stock, order_lines
from omsctl.store import stock as store
from omsctl.store.chunks import in_chunks
from omsctl.store.orders import find_order
from omsctl.store.tables import Order, ReturnAuthorization, ReturnLine

#: States from which goods can come back (design: shipped, delivered, completed -> returned).
RETURNABLE = (State.SHIPPED, State.DELIVERED, State.COMPLETED)


@dataclass(frozen=True, slots=True)
class ReturnView:
    rma: str
    order_id: int
    order: str
    order_state: str
    reason: str
    status: str
    lines: str  # "TEA-LJ-100×1, CUP-CEL-02×2"
    units: int
    created_at: datetime
    created_by: str
    received_at: datetime | None
    disposition: str | None


@dataclass(frozen=True, slots=True)
class ReturnReceipt:
    rma: str
    order: str
    disposition: str
    units: int
    placed: tuple[str, ...]  # restock: "SKU×n to WH/BIN"
    from_state: str
    to_state: str
    complete: bool  # every ordered unit is back


def create_return(env: Env, ref: str, lines: Mapping[str, int], reason: str) -> ReturnView:
    """Announce a return (RMA) of some of a shipped order's units, never more than it had."""
    if not reason.strip():
        raise UsageProblem("a return needs a reason", hint='e.g. --reason "wrong size"')
    if not lines:
        raise UsageProblem("name what comes back", hint="--line SKU:QTY, e.g. TEA-LJ-100:1")
    if any(qty <= 0 for qty in lines.values()):
        raise UsageProblem("returned quantities must be above zero")
    now = env.now()
    with env.uow() as uow:
        session = uow.session
        order = find_order(session, ref)
        name = order_ref(order)
        if State(order.state) not in RETURNABLE:
            raise IllegalTransition(
                f"order {name} is {order.state}: only shipped, delivered or completed orders"
                " can be returned"
            )
        ordered: dict[str, int] = {}
        for sku, qty in order_lines(session, order):
            ordered[sku] = ordered.get(sku, 0) + qty
        claimed = _returned(session, order.id or 0, received_only=False)
        for sku, qty in lines.items():
            if sku not in ordered:
                raise NotFound(
                    f"order {name} has no line {sku}",
                    hint=f"its SKUs: {', '.join(sorted(ordered))}",
                )
            left = ordered[sku] - claimed.get(sku, 0)
            if qty > left:
                raise Conflict(
                    f"cannot return {qty} of {sku} from order {name}: {ordered[sku]} ordered,"
                    f" {claimed.get(sku, 0)} on earlier returns",
                    hint=f"at most {left} can still be returned",
                )
        rma = ReturnAuthorization(
            rma=f"new-{uuid.uuid4().hex}",
            order_id=order.id or 0,
            reason=reason.strip(),
            created_at=now,
            created_by=env.actor,
        )
        session.add(rma)
        session.flush()
        rma.rma = f"RMA-{rma.id:05d}"
        for sku, qty in lines.items():
            session.add(ReturnLine(return_id=rma.id or 0, sku=sku, quantity=qty))
        lifecycle.record(
            session,
            order,
            "return_created",
            env.actor,
            now,
            f"{rma.rma}: {_describe(lines)}; reason: {reason.strip()}",
        )
        uow.commit()
        return _view(rma, order, dict(lines))


def receive_return(
    env: Env, rma_ref: str, *, restock: bool = False, write_off: bool = False, note: str = ""
) -> ReturnReceipt:
    """Goods of an RMA arrived: back on the shelf (through the ledger) or written off.

    The order becomes `returned` once every ordered unit is back; a partial return is kept in
    the order's history and leaves its state alone.
    """
    if restock == write_off:
        raise UsageProblem(
            "choose --restock or --write-off"
            if not restock
            else "--restock and --write-off cannot be used together",
            hint="--restock puts the goods back into stock; --write-off records them as lost",
        )
    disposition = "restock" if restock else "write_off"
    now = env.now()
    with env.uow() as uow:
        session = uow.session
        rma = _find_return(session, rma_ref)
        if rma.status == "received":
            raise Conflict(
                f"{rma.rma} was received already ({rma.disposition}, {rma.received_at:%Y-%m-%d})"
                if rma.received_at
                else f"{rma.rma} was received already",
                hint="`omsctl returns list` shows it",
            )
        order = session.get(Order, rma.order_id)
        assert order is not None
        name = order_ref(order)
        lines = _lines_of(session, rma.id or 0)
        placed: list[str] = []
        if restock:
            origin = origin_bins(session, order.id or 0)
            for sku, qty in lines.items():
                place = _restock_place(session, sku, origin.get(sku, []))
                move_stock(
                    session,
                    rules.receive,
                    sku,
                    place,
                    qty,
                    f"return {rma.rma}",
                    actor=env.actor,
                    at=now,
                    order_id=order.id,
                )
                placed.append(f"{sku}×{qty} to {place.warehouse}/{place.location}")
        rma.status, rma.received_at, rma.disposition = "received", now, disposition
        session.add(rma)
        session.flush()
        ordered: dict[str, int] = {}
        for sku, qty in order_lines(session, order):
            ordered[sku] = ordered.get(sku, 0) + qty
        back = _returned(session, order.id or 0, received_only=True)
        complete = all(back.get(sku, 0) >= qty for sku, qty in ordered.items())
        before = order.state
        what = joined(f"{rma.rma} received ({disposition}): {_describe(lines)}", note)
        if complete and State.RETURNED in allowed_from(State(order.state)):
            lifecycle.move(
                session,
                order,
                State.RETURNED,
                action="return",
                actor=env.actor,
                at=now,
                detail=what,
            )
        else:
            why = "every unit is back" if complete else "partial return"
            lifecycle.record(
                session,
                order,
                "return_received",
                env.actor,
                now,
                f"{what}; {why}, the order stays {order.state}",
            )
        uow.commit()
    return ReturnReceipt(
        rma.rma,
        name,
        disposition,
        sum(lines.values()),
        tuple(placed),
        before,
        order.state,
        complete,
    )


def list_returns(
    env: Env, *, status: str | None = None, order: str | None = None
) -> list[ReturnView]:
    """Returns, newest first; open ones are what the warehouse is waiting for."""
    if status is not None and status not in ("open", "received"):
        raise UsageProblem(f"unknown return status {status!r}", hint="open or received")
    with env.uow(write=False) as uow:
        session = uow.session
        stmt = (
            select(ReturnAuthorization, Order)
            .join(Order, Order.id == ReturnAuthorization.order_id)  # type: ignore[arg-type]
            .order_by(ReturnAuthorization.id.desc())  # type: ignore[union-attr]
        )
        if status:
            stmt = stmt.where(ReturnAuthorization.status == status)  # type: ignore[arg-type]
        if order:
            stmt = stmt.where(ReturnAuthorization.order_id == find_order(session, order).id)  # type: ignore[arg-type]
        found = list(session.execute(stmt))
        lines = _lines_by_return(session, [r.id or 0 for r, _ in found])
        return [_view(r, o, lines.get(r.id or 0, {})) for r, o in found]


def _view(rma: ReturnAuthorization, order: Order, lines: Mapping[str, int]) -> ReturnView:
    return ReturnView(
        rma=rma.rma,
        order_id=order.id or 0,
        order=order_ref(order),
        order_state=order.state,
        reason=rma.reason,
        status=rma.status,
        lines=_describe(lines),
        units=sum(lines.values()),
        created_at=rma.created_at,
        created_by=rma.created_by,
        received_at=rma.received_at,
        disposition=rma.disposition,
    )


def _describe(lines: Mapping[str, int]) -> str:
    return ", ".join(f"{sku}×{qty}" for sku, qty in lines.items())


def _find_return(session: Session, ref: str) -> ReturnAuthorization:
    wanted = ref.strip().upper()
    if wanted.isdigit():
        wanted = f"RMA-{int(wanted):05d}"
    found = session.scalars(
        select(ReturnAuthorization).where(ReturnAuthorization.rma == wanted)  # type: ignore[arg-type]
    ).first()
    if found is None:
        raise NotFound(f"no return {ref!r}", hint="`omsctl returns list` shows them")
    return found


def _lines_of(session: Session, return_id: int) -> dict[str, int]:
    return _lines_by_return(session, [return_id]).get(return_id, {})


def _lines_by_return(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for chunk in in_chunks(ids):
        chunk = chunk
        stmt = (
            select(ReturnLine.return_id, ReturnLine.sku, ReturnLine.quantity)  # type: ignore[call-overload]
            .where(ReturnLine.return_id.in_(chunk))  # type: ignore[attr-defined]
            .order_by(ReturnLine.id)  # type: ignore[arg-type]
        )
        for return_id, sku, qty in session.execute(stmt):
            found[return_id][sku] = found[return_id].get(sku, 0) + qty
    return found


def _returned(session: Session, order_id: int, *, received_only: bool) -> dict[str, int]:
    """Units of the order on returns: all announced ones, or only those that arrived."""
    stmt = (
        select(ReturnLine.sku, func.sum(ReturnLine.quantity))  # type: ignore[call-overload]
        .join(ReturnAuthorization, ReturnAuthorization.id == ReturnLine.return_id)
        .where(ReturnAuthorization.order_id == order_id)
        .group_by(ReturnLine.sku)
    )
    if received_only:
        stmt = stmt.where(ReturnAuthorization.status == "received")
    return {sku: int(qty) for sku, qty in session.execute(stmt)}


def _restock_place(session: Session, sku: str, origin: Sequence[store.Place]) -> store.Place:
    """Where returned goods go: the bin they left from, else the first bin of the SKU."""
    if origin:
        return origin[0]
    places = store.places_of(session, sku)
    if places:
        return places[0]
    raise StockProblem(
        f"{sku} has no bin to go back to",
        hint=f"give it one (`omsctl stock set {sku} 0 --location BIN --warehouse WH`)"
        " or receive the return with --write-off",
    )
