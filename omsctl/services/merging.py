"""Merging orders of one buyer into one parcel, and suggesting which orders to merge.

It exists apart from `services.splitting` so each module has one owner and stays small; it
rewrites lines, totals and reservations through splitting's helpers, so both agree on rows.

A merged order stays in its own row, state `merged`, pointing at the survivor
(`merged_into_id`), so tracking can still be reported to each channel under the number that
channel knows (`merged_from`). Orders merge only when they are of one buyer (linked by an
email, a phone or a name), to one address and in one currency; the address rules live in
`domain.splitting`, the buyer and currency checks here. This module works in the caller's
transaction.

Stock of an approved survivor: its reservation is released and made again for the merged
lines inside the same transaction, and it stays approved. Money: the part of each order's
total that is not lines (shipping, tax, discount) is carried over to the survivor; subtotal
and total are recomputed from the lines, so the total still adds up to what the buyer paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from omsctl.domain.errors import OmsError, StockProblem, UsageProblem
from omsctl.domain.lifecycle import RESERVING, State
from omsctl.domain.splitting import address_key, merge_candidates, merge_lines
from omsctl.services import lifecycle, reserving
from omsctl.services.context import Env
from omsctl.services.splitting import (
    MAY_CHANGE,
    LineQty,
    check_may_change,
    combine_pieces,
    describe_lines,
    in_order,
    line_rows,
    lines_of,
    money_of,
    pieces_of,
    replace_lines,
    with_note,
)
from omsctl.store import orders as order_queries
from omsctl.store.tables import Order

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


class MergeRefused(OmsError):
    """Orders named for a merge are not of one buyer, one address and one currency."""


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


# --- use cases -----------------------------------------------------------------------------


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
            order_queries.list_orders(uow.session, states=[s.value for s in in_order(MAY_CHANGE)])
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
        check_may_change(order, "merged")
    _check_same_buyer(survivor, others)
    for order in others:
        _check_same_address(survivor, order)
        _check_same_currency(survivor, order)

    survivor_rows = line_rows(session, survivor)
    other_rows = [line_rows(session, o) for o in others]
    extras = survivor.total - money_of(pieces_of(survivor_rows))
    extras += sum(
        (o.total - money_of(pieces_of(r)) for o, r in zip(others, other_rows, strict=True)),
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
            detail=with_note(f"into {ref}: {describe_lines(lines_of(rows))}", note),
        )
        order.merged_into_id = survivor.id
        session.add(order)
        lifecycle.resolve_holds(session, order, actor=actor, at=at, resolution=f"merged into {ref}")
        merged.append(MergedOrder(lifecycle.order_ref(order), order.id or 0, before))

    all_lines = merge_lines(lines_of(survivor_rows), *(lines_of(r) for r in other_rows))
    pieces = combine_pieces(
        all_lines, pieces_of([*survivor_rows, *(r for rows in other_rows for r in rows)])
    )
    replace_lines(session, survivor, pieces, extras=extras)
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
    lifecycle.record(session, survivor, "merge", actor, at, with_note(f"merged in {names}", note))
    return MergeResult(
        order=ref,
        id=survivor.id or 0,
        state=survivor.state,
        merged=tuple(merged),
        lines=tuple(LineQty(s, q) for s, q in all_lines),
        rereserved=holds_stock,
    )


# --- helpers -------------------------------------------------------------------------------


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
