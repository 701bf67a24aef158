"""Splitting an order in two, merging orders of one buyer into one parcel, and backorders.

Both keep every order the channel knows about: a split child is a new row that points at its
parent (`parent_id`) under a number derived from the parent's (`#1001-S1`), and a merged order
stays in its own row, state `merged`, pointing at the survivor (`merged_into_id`), so tracking
can still be reported to each channel under the number that channel knows. The rules (what may
be split off, how lines add up, when two addresses are the same) live in `domain.splitting`;
this module maps them onto rows, keeps stock consistent and writes the history, in the
caller's transaction.

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

from omsctl.domain.errors import IllegalTransition, OmsError, StockProblem, UsageProblem
from omsctl.domain.lifecycle import RESERVING, State
from omsctl.domain.splitting import Line, address_key, merge_candidates, merge_lines, split_lines
from omsctl.services import lifecycle, reserving
from omsctl.services.context import Env
from omsctl.store import orders as order_queries
from omsctl.store.tables import Order, OrderLine, Product

#: States in which an order's lines may still change (nothing is picked yet).
MAY_CHANGE: frozenset[State] = frozenset({State.NEW, State.ON_HOLD, State.APPROVED})

#: The parts of `domain.splitting.address_key`, in its order, and the columns they come from.
_ADDRESS = (
    ("name", "ship_name"),
    ("street1", "ship_street1"),
    ("street2", "ship_street2"),
    ("city", "ship_city"),
    ("postal code", "ship_postal_code"),
    ("country", "ship_country"),
)
_BUYER = (("email", "buyer_email"), ("phone", "buyer_phone"), ("name", "buyer_name"))
#: Fewer digits than this is an extension or a typo, not a phone number two buyers can share.
_PHONE_DIGITS = 6

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


class MergeRefused(OmsError):
    """Orders named for a merge are not of one buyer, one address and one currency."""


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
class MergedOrder:
    order: str
    id: int
    from_state: str


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge did: the survivor and its lines now, and the orders merged into it."""

    order: str
    id: int
    state: str
    merged: tuple[MergedOrder, ...]
    lines: tuple[LineQty, ...]
    rereserved: bool

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class MergeGroup:
    """Orders that look like one buyer's to one address: a suggestion, nothing is changed."""

    orders: tuple[str, ...]
    ids: tuple[int, ...]
    states: tuple[str, ...]
    buyer: str
    ship_to: str


@dataclass(frozen=True, slots=True)
class MergedFrom:
    """An order merged into another, named the way its channel knows it."""

    id: int
    channel: str
    channel_order_no: str


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


def merge_orders(env: Env, refs: Sequence[str], note: str = "") -> MergeResult:
    """Merge the second and later orders into the first, in one transaction (all or nothing)."""
    if len(refs) < 2:
        raise UsageProblem(
            "name at least two orders to merge",
            hint="the first one named keeps its number and gets the others' lines",
        )
    with env.uow() as uow:
        orders = [order_queries.find_order(uow.session, ref) for ref in refs]
        result = merge_into(
            uow.session,
            orders[0],
            orders[1:],
            actor=env.actor,
            at=env.now(),
            preferences=env.warehouse_preferences,
            note=note,
        )
        uow.commit()
    return result


def merge_suggestions(env: Env) -> list[MergeGroup]:
    """Groups of new, held or approved orders of one buyer to one address, oldest first."""
    with env.uow(write=False) as uow:
        orders = list(
            order_queries.list_orders(uow.session, states=[s.value for s in _ordered(MAY_CHANGE)])
        )
    labels = _buyer_labels(orders)
    by_id = {o.id or 0: o for o in orders}
    groups = merge_candidates(
        [(o.id or 0, labels[i], _address_key(o)) for i, o in enumerate(orders)]
    )
    suggestions = []
    for ids in groups:
        members = [by_id[i] for i in ids]
        first = members[0]
        suggestions.append(
            MergeGroup(
                orders=tuple(lifecycle.order_ref(o) for o in members),
                ids=tuple(ids),
                states=tuple(o.state for o in members),
                buyer=first.buyer_name or first.buyer_email or first.buyer_phone,
                ship_to=", ".join(
                    p
                    for p in (
                        first.ship_street1,
                        " ".join(x for x in (first.ship_postal_code, first.ship_city) if x),
                        first.ship_country,
                    )
                    if p
                ),
            )
        )
    return suggestions


def merged_from(env: Env, order_id: int) -> list[MergedFrom]:
    """The orders merged into this one, so tracking can be reported back under each number."""
    with env.uow(write=False) as uow:
        stmt = (
            select(Order.id, Order.channel, Order.channel_order_no)
            .where(Order.merged_into_id == order_id)
            .order_by(Order.id)  # type: ignore[arg-type]
        )
        return [MergedFrom(i, c, n) for i, c, n in uow.session.execute(stmt)]


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
    _check_may_change(order, "split")
    rows = _rows(session, order)
    kept, taken = split_lines([(r.sku, r.quantity) for r in rows], take)
    extras = order.total - _money(_pieces(rows))
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
    for piece in _pieces(rows):
        queue = left.get(piece.sku)
        qty = queue.popleft() if queue else 0
        if not 0 <= qty <= piece.quantity:  # pragma: no cover - the domain guarantees it
            raise AssertionError(f"split of {piece.sku} does not fit the order's lines")
        if qty:
            stays.append(piece._replace(quantity=qty))
        if piece.quantity - qty:
            cut.append(piece._replace(quantity=piece.quantity - qty))
    moved = _combine(taken, cut)

    child = Order(
        **{k: v for k, v in _columns(order).items() if k not in _NOT_INHERITED},
        channel_order_no=_child_number(session, order),
        state=State.NEW.value,
        updated_at=at,
        parent_id=order.id,
    )
    session.add(child)
    session.flush()
    _replace_lines(session, order, stays, extras=extras)
    _replace_lines(session, child, moved, extras=Decimal("0"))
    order.updated_at = at
    session.add(order)
    session.flush()
    if holds_stock:
        reserving.reserve_order(session, order, actor=actor, at=at, preferences=preferences)

    child_ref = lifecycle.order_ref(child)
    lines = _describe(taken)
    prefix = f"{why}: " if why else ""
    lifecycle.record(
        session, order, "split", actor, at, _detail(f"{prefix}{lines} moved to {child_ref}", note)
    )
    lifecycle.record(
        session, child, "split", actor, at, _detail(f"{prefix}{lines} moved from {ref}", note)
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


def merge_into(
    session: Session,
    survivor: Order,
    others: Sequence[Order],
    *,
    actor: str,
    at: datetime,
    preferences: dict[str, list[str]],
    note: str = "",
) -> MergeResult:
    """Give `others`' lines to `survivor` and move them to merged; see the module docstring.

    Refused, with nothing changed, when an order is picked already, named twice, or not of the
    survivor's buyer, address and currency; and when the survivor is approved and the stock
    for the new lines is not there.
    """
    ref = lifecycle.order_ref(survivor)
    seen = {survivor.id}
    for order in others:
        if order.id in seen:
            raise UsageProblem(
                f"order {lifecycle.order_ref(order)} is named twice",
                hint="name each order to merge once",
            )
        seen.add(order.id)
    for order in (survivor, *others):
        _check_may_change(order, "merged")
    _check_same_buyer(survivor, others)
    for order in others:
        _check_same_address(survivor, order)
        _check_same_currency(survivor, order)

    survivor_rows = _rows(session, survivor)
    other_rows = [_rows(session, o) for o in others]
    extras = survivor.total - _money(_pieces(survivor_rows))
    extras += sum(
        (o.total - _money(_pieces(r)) for o, r in zip(others, other_rows, strict=True)),
        Decimal("0"),
    )
    holds_stock = State(survivor.state) in RESERVING
    if holds_stock:
        reserving.release_order(session, survivor, f"merge into {ref}", actor=actor, at=at)

    merged: list[MergedOrder] = []
    for order, rows in zip(others, other_rows, strict=True):
        before = order.state
        lifecycle.move(
            session,
            order,
            State.MERGED,
            action="merge",
            actor=actor,
            at=at,
            detail=_detail(f"into {ref}: {_describe(_lines_of(rows))}", note),
        )
        order.merged_into_id = survivor.id
        session.add(order)
        lifecycle.resolve_holds(session, order, actor=actor, at=at, resolution=f"merged into {ref}")
        merged.append(MergedOrder(lifecycle.order_ref(order), order.id or 0, before))

    all_lines = merge_lines(_lines_of(survivor_rows), *(_lines_of(r) for r in other_rows))
    pieces = _combine(
        all_lines, _pieces([*survivor_rows, *(r for rows in other_rows for r in rows)])
    )
    _replace_lines(session, survivor, pieces, extras=extras)
    survivor.updated_at = at
    session.add(survivor)
    session.flush()
    if holds_stock:
        try:
            reserving.reserve_order(session, survivor, actor=actor, at=at, preferences=preferences)
        except StockProblem as short:
            raise StockProblem(
                f"cannot merge into approved order {ref}: {short.message}",
                hint="receive stock first, or name a new or held order first so that it survives",
            ) from None
    names = ", ".join(m.order for m in merged)
    lifecycle.record(session, survivor, "merge", actor, at, _detail(f"merged in {names}", note))
    return MergeResult(
        order=ref,
        id=survivor.id or 0,
        state=survivor.state,
        merged=tuple(merged),
        lines=tuple(LineQty(s, q) for s, q in all_lines),
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


def _ordered(states: Iterable[State]) -> list[State]:
    return sorted(states, key=list(State).index)


def _check_may_change(order: Order, done: str) -> None:
    """Refuse once picking has begun: the lines are on a pick list or in a parcel."""
    if State(order.state) not in MAY_CHANGE:
        *most, last = [s.value for s in _ordered(MAY_CHANGE)]
        raise IllegalTransition(
            f"order {lifecycle.order_ref(order)} is {order.state} and cannot be {done}",
            hint=f"only {', '.join(most)} and {last} orders can be {done}",
        )


def _rows(session: Session, order: Order) -> list[OrderLine]:
    stmt = (
        select(OrderLine)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.line_no, OrderLine.id)  # type: ignore[arg-type]
    )
    return list(session.scalars(stmt))


def _pieces(rows: Iterable[OrderLine]) -> list[_Piece]:
    return [_Piece(r.sku, r.title, r.unit_price, r.weight_kg, r.quantity) for r in rows]


def _lines_of(rows: Iterable[OrderLine]) -> list[Line]:
    return [(r.sku, r.quantity) for r in rows]


def _money(pieces: Iterable[_Piece]) -> Decimal:
    return sum((p.unit_price * p.quantity for p in pieces), Decimal("0"))


def _combine(lines: Sequence[Line], pieces: Iterable[_Piece]) -> list[_Piece]:
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


def _replace_lines(
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
    order.subtotal = _money(pieces)
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


def _describe(lines: Iterable[Line]) -> str:
    return ", ".join(f"{sku}:{qty}" for sku, qty in lines)


def _detail(text: str, note: str) -> str:
    return f"{text}; {note}" if note else text


def _address_parts(order: Order) -> list[str]:
    key = _address_key(order)
    return key.split("|") if key else [""] * len(_ADDRESS)


def _address_key(order: Order) -> str:
    return address_key(*(getattr(order, column) for _, column in _ADDRESS))


def _check_same_address(survivor: Order, other: Order) -> None:
    ref, other_ref = lifecycle.order_ref(survivor), lifecycle.order_ref(other)
    for order in (survivor, other):
        if not _address_key(order):
            raise MergeRefused(
                f"cannot merge {other_ref} into {ref}: {lifecycle.order_ref(order)} has no "
                "ship-to address",
                hint="only orders of one buyer to one address can be merged",
            )
    for (part, column), mine, theirs in zip(
        _ADDRESS, _address_parts(survivor), _address_parts(other), strict=True
    ):
        if mine != theirs:
            raise MergeRefused(
                f"cannot merge {other_ref} into {ref}: the addresses differ in {part} "
                f"({ref} has {getattr(survivor, column)!r}, "
                f"{other_ref} has {getattr(other, column)!r})",
                hint="only orders of one buyer to one address can be merged",
            )


def _check_same_currency(survivor: Order, other: Order) -> None:
    if survivor.currency and other.currency and survivor.currency != other.currency:
        ref, other_ref = lifecycle.order_ref(survivor), lifecycle.order_ref(other)
        raise MergeRefused(
            f"cannot merge {other_ref} into {ref}: {ref} is in {survivor.currency}, "
            f"{other_ref} in {other.currency}",
            hint="only orders in one currency can be merged",
        )


def _buyer_keys(order: Order) -> dict[str, str]:
    """Email casefolded, phone as its digits, name folded as the domain folds addresses."""
    digits = "".join(ch for ch in order.buyer_phone if ch.isdigit())
    return {
        "email": order.buyer_email.strip().casefold(),
        "phone": digits if len(digits) >= _PHONE_DIGITS else "",
        # address_key of a bare name is the name folded exactly as in an address.
        "name": address_key(order.buyer_name, "", "", "", "", "").partition("|")[0],
    }


def _same_buyer(a: dict[str, str], b: dict[str, str]) -> bool:
    return any(a[k] and a[k] == b[k] for k in a)


def _check_same_buyer(survivor: Order, others: Sequence[Order]) -> None:
    """One buyer: every order reaches the survivor through orders sharing an email, a phone or
    a name (the same relation `merge --suggest` groups by, so a suggestion always merges)."""
    keys = {o.id: _buyer_keys(o) for o in (survivor, *others)}
    reached = [survivor]
    waiting = list(others)
    grew = True
    while waiting and grew:
        grew = False
        for order in list(waiting):
            if any(_same_buyer(keys[order.id], keys[r.id]) for r in reached):
                reached.append(order)
                waiting.remove(order)
                grew = True
    if not waiting:
        return
    other = waiting[0]
    ref, other_ref = lifecycle.order_ref(survivor), lifecycle.order_ref(other)
    mine, theirs = keys[survivor.id], keys[other.id]
    for order in (survivor, other):
        if not any(keys[order.id].values()):
            raise MergeRefused(
                f"cannot merge {other_ref} into {ref}: {lifecycle.order_ref(order)} names no "
                "buyer (no email, phone or name)",
                hint="only orders of one buyer to one address can be merged",
            )
    differing = [(part, column) for part, column in _BUYER if mine[part] != theirs[part]]
    part, column = next(((p, c) for p, c in differing if mine[p] and theirs[p]), differing[0])
    raise MergeRefused(
        f"cannot merge {other_ref} into {ref}: the buyers differ in {part} "
        f"({ref} has {getattr(survivor, column)!r}, {other_ref} has {getattr(other, column)!r})",
        hint="only orders of one buyer to one address can be merged",
    )


def _buyer_labels(orders: Sequence[Order]) -> list[str]:
    """One label per order, equal for orders linked by a shared email, phone or name (joined
    transitively) and of one currency; "" for an order with no buyer details at all."""
    parent = list(range(len(orders)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    keys = [_buyer_keys(o) for o in orders]
    for i, k in enumerate(keys):
        for part, value in k.items():
            if value:
                j = first.setdefault((part, value), i)
                parent[root(i)] = root(j)
    return [
        f"{root(i)}|{o.currency}" if any(keys[i].values()) else "" for i, o in enumerate(orders)
    ]
