"""Splitting an order in two and backorders; the line, stock and money rules merges share.

Both keep every order the channel knows about: a split child is a new row that points at its
parent (`parent_id`) under a number derived from the parent's (`#1001-S1`), and a merged order
stays in its own row, state `merged`, pointing at the survivor (`merged_into_id`), so tracking
can still be reported to each channel under the number that channel knows. The rules (what may
be split off, how lines add up, when two addresses are the same) live in `domain.splitting`;
this module maps them onto rows, keeps stock consistent and writes the history, in the
caller's transaction. Merging lives in `services.merging` and rewrites lines through the
helpers here (`replace_lines`, `combine_pieces`, …), so both agree on rows and totals.

Stock of an approved order whose lines change: its reservation is released and made again for
the new lines inside the same transaction, and the order stays approved. Going approved →
on_hold → approved through the lifecycle would do the same to stock but put a hold the
merchant never asked for into the history; the ledger still shows the release and the new
reservation, and the order's history says why.

Money: the part of the total that is not lines (shipping, tax, discount, however the channel
summed them) stays with the parent of a split and is carried over to the survivor of a merge;
subtotal and total are recomputed from the lines, so the orders' totals always add up to what
the buyer paid.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import delete, select
from sqlmodel import Session

from omsctl.domain.errors import IllegalTransition
from omsctl.domain.lifecycle import RESERVING, State
from omsctl.domain.splitting import Line, merge_lines, split_lines
from omsctl.services import lifecycle, reserving
from omsctl.services.context import Env
from omsctl.store import orders as order_queries
from omsctl.store.tables import Order, OrderLine, Product

#: States in which an order's lines may still change (nothing is picked yet).
MAY_CHANGE: frozenset[State] = frozenset({State.NEW, State.ON_HOLD, State.APPROVED})

#: Columns a split child does not inherit: identity, state, money and our own timestamps.
_NOT_INHERITED = frozenset(
    {
        "id",
        "channel_order_no",
        "state",
        "subtotal",
        "shipping_total",
        "tax_total",
        "discount_total",
        "total",
        "refunded_total",
        "approved_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
        "updated_at",
        "fingerprint",
        "parent_id",
        "merged_into_id",
        # A child is a parcel of its own: its carrier is chosen again for its own weight.
        "carrier",
        "carrier_service",
        "carrier_rule",
    }
)


@dataclass(frozen=True, slots=True)
class LineQty:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SplitResult:
    """What a split did: the parent (state unchanged) and its new child, and their lines."""

    order: str
    id: int
    state: str
    child: str
    child_id: int
    child_state: str
    moved: tuple[LineQty, ...]
    kept: tuple[LineQty, ...]
    rereserved: bool


@dataclass(frozen=True, slots=True)
class Backorder:
    """The child that waits for stock after `approve --backorder`."""

    child: str
    child_id: int
    lines: tuple[LineQty, ...]


class _Piece(NamedTuple):
    """One line to write: what it sells, at what price, how many."""

    sku: str
    title: str
    unit_price: Decimal
    weight_kg: Decimal | None
    quantity: int


# --- use cases -----------------------------------------------------------------------------


def split_order(env: Env, ref: str, take: Mapping[str, int], note: str = "") -> SplitResult:
    """Move `take` (SKU -> units) out of an order into a new child order, in one transaction."""
    with env.uow() as uow:
        order = order_queries.find_order(uow.session, ref)
        result = split_off(
            uow.session,
            order,
            take,
            actor=env.actor,
            at=env.now(),
            preferences=env.warehouse_preferences,
            note=note,
        )
        uow.commit()
    return result


# --- in the caller's transaction -------------------------------------------------------------


def split_off(
    session: Session,
    order: Order,
    take: Mapping[str, int],
    *,
    actor: str,
    at: datetime,
    preferences: dict[str, list[str]],
    note: str = "",
    why: str = "",
) -> SplitResult:
    """Split `take` off `order` into a new child (state new); see the module docstring.

    `why` prefixes the history detail (`backorder`), so the history says what caused a split.
    """
    ref = lifecycle.order_ref(order)
    check_may_change(order, "split")
    rows = line_rows(session, order)
    kept, taken = split_lines([(r.sku, r.quantity) for r in rows], take)
    extras = order.total - money_of(pieces_of(rows))
    holds_stock = State(order.state) in RESERVING
    if holds_stock:
        reserving.release_order(session, order, f"split {ref}", actor=actor, at=at)

    # The domain took units from the last line of a SKU first, so its kept lines of a SKU are
    # the first rows of that SKU: hand them out in row order, the rest of each row is cut.
    left: dict[str, deque[int]] = {}
    for sku, qty in kept:
        left.setdefault(sku, deque()).append(qty)
    stays: list[_Piece] = []
    cut: list[_Piece] = []
    for piece in pieces_of(rows):
        queue = left.get(piece.sku)
        qty = queue.popleft() if queue else 0
        if not 0 <= qty <= piece.quantity:  # pragma: no cover - the domain guarantees it
            raise AssertionError(f"split of {piece.sku} does not fit the order's lines")
        if qty:
            stays.append(piece._replace(quantity=qty))
        if piece.quantity - qty:
            cut.append(piece._replace(quantity=piece.quantity - qty))
    moved = combine_pieces(taken, cut)

    child = Order(
        **{k: v for k, v in _columns(order).items() if k not in _NOT_INHERITED},
        channel_order_no=_child_number(session, order),
        state=State.NEW.value,
        updated_at=at,
        parent_id=order.id,
    )
    session.add(child)
    session.flush()
    replace_lines(session, order, stays, extras=extras)
    replace_lines(session, child, moved, extras=Decimal("0"))
    order.updated_at = at
    session.add(order)
    session.flush()
    if holds_stock:
        reserving.reserve_order(session, order, actor=actor, at=at, preferences=preferences)

    child_ref = lifecycle.order_ref(child)
    lines = describe_lines(taken)
    prefix = f"{why}: " if why else ""
    lifecycle.record(
        session, order, "split", actor, at, with_note(f"{prefix}{lines} moved to {child_ref}", note)
    )
    lifecycle.record(
        session, child, "split", actor, at, with_note(f"{prefix}{lines} moved from {ref}", note)
    )
    return SplitResult(
        order=ref,
        id=order.id or 0,
        state=order.state,
        child=child_ref,
        child_id=child.id or 0,
        child_state=child.state,
        moved=tuple(LineQty(s, q) for s, q in taken),
        kept=tuple(LineQty(s, q) for s, q in merge_lines(kept)),
        rereserved=holds_stock,
    )


def backorder(
    session: Session,
    order: Order,
    *,
    actor: str,
    at: datetime,
    preferences: dict[str, list[str]],
    note: str = "",
) -> Backorder | None:
    """Before approving: split what is not in stock off into a child that waits (state new).

    Returns None, changing nothing, when there is nothing to split: everything is in stock,
    nothing is (a split must leave something to approve), the order cannot be approved from
    its state anyway, or it names a SKU the product master lacks. In each case the approval
    that follows fails or succeeds exactly as it would without a backorder.
    """
    if State(order.state) not in (State.NEW, State.ON_HOLD):
        return None
    skus = {sku for sku, _ in reserving.order_lines(session, order)}
    known = set(session.scalars(select(Product.sku).where(Product.sku.in_(skus))))  # type: ignore[attr-defined]
    if skus - known:
        return None
    plan = reserving.plan(session, order, preferences, backorder=True)
    if plan.complete or not plan.reservations:
        return None
    result = split_off(
        session,
        order,
        plan.missing,
        actor=actor,
        at=at,
        preferences=preferences,
        note=note,
        why="backorder",
    )
    return Backorder(result.child, result.child_id, result.moved)


# --- helpers -------------------------------------------------------------------------------


def in_order(states: Iterable[State]) -> list[State]:
    return sorted(states, key=list(State).index)


def check_may_change(order: Order, done: str) -> None:
    """Refuse once picking has begun: the lines are on a pick list or in a parcel."""
    if State(order.state) not in MAY_CHANGE:
        *most, last = [s.value for s in in_order(MAY_CHANGE)]
        raise IllegalTransition(
            f"order {lifecycle.order_ref(order)} is {order.state} and cannot be {done}",
            hint=f"only {', '.join(most)} and {last} orders can be {done}",
        )


def line_rows(session: Session, order: Order) -> list[OrderLine]:
    stmt = (
        select(OrderLine)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.line_no, OrderLine.id)  # type: ignore[arg-type]
    )
    return list(session.scalars(stmt))


def pieces_of(rows: Iterable[OrderLine]) -> list[_Piece]:
    return [_Piece(r.sku, r.title, r.unit_price, r.weight_kg, r.quantity) for r in rows]


def lines_of(rows: Iterable[OrderLine]) -> list[Line]:
    return [(r.sku, r.quantity) for r in rows]


def money_of(pieces: Iterable[_Piece]) -> Decimal:
    return sum((p.unit_price * p.quantity for p in pieces), Decimal("0"))


def combine_pieces(lines: Sequence[Line], pieces: Iterable[_Piece]) -> list[_Piece]:
    """`lines` (units per SKU, from the domain) as rows: one per SKU and price, in `lines`'s
    order. Pieces of one SKU at different prices stay apart so no money moves between them."""
    by_price: dict[tuple[str, Decimal], _Piece] = {}
    for piece in pieces:
        key = (piece.sku, piece.unit_price)
        had = by_price.get(key)
        by_price[key] = had._replace(quantity=had.quantity + piece.quantity) if had else piece
    order = {sku: i for i, (sku, _) in enumerate(lines)}
    combined = sorted(by_price.values(), key=lambda p: order[p.sku])
    if merge_lines((p.sku, p.quantity) for p in combined) != tuple(lines):  # pragma: no cover
        raise AssertionError("order lines do not add up to the domain's lines")
    return combined


def replace_lines(
    session: Session, order: Order, pieces: Sequence[_Piece], *, extras: Decimal
) -> None:
    """Write the order's lines anew (numbered from 1) and its subtotal and total from them."""
    session.execute(delete(OrderLine).where(OrderLine.order_id == order.id))  # type: ignore[arg-type]
    for n, p in enumerate(pieces, start=1):
        session.add(
            OrderLine(
                order_id=order.id or 0,
                line_no=n,
                sku=p.sku,
                title=p.title,
                quantity=p.quantity,
                unit_price=p.unit_price,
                weight_kg=p.weight_kg,
            )
        )
    order.subtotal = money_of(pieces)
    order.total = order.subtotal + extras
    session.add(order)


def _columns(order: Order) -> dict[str, Any]:
    return {c.name: getattr(order, c.name) for c in Order.__table__.columns}  # type: ignore[attr-defined]


def _child_number(session: Session, order: Order) -> str:
    """`#1001-S1`, `-S2`, …: the first number not yet used in the order's channel."""
    base = order.channel_order_no
    stmt = select(Order.channel_order_no).where(
        Order.channel == order.channel,
        Order.channel_order_no.startswith(f"{base}-S", autoescape=True),  # type: ignore[call-arg]
    )
    used = set(session.scalars(stmt))
    n = 1
    while f"{base}-S{n}" in used:
        n += 1
    return f"{base}-S{n}"


def describe_lines(lines: Iterable[Line]) -> str:
    return ", ".join(f"{sku}:{qty}" for sku, qty in lines)


def with_note(text: str, note: str) -> str:
    return f"{text}; {note}" if note else text
