"""Stock for orders: reserve on approval, release on cancel or hold, decrement on shipping.

Every unit that moves goes through `move_stock`, which runs the domain's rule for the move,
writes the level with a conditional update and appends the ledger row, so on-hand can always
be explained and reserved always equals the live reservations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from omsctl.domain import allocation
from omsctl.domain import stock as rules
from omsctl.domain.errors import StockProblem
from omsctl.services.stockbook import StockBook, forget_loads
from omsctl.store import stock as store
from omsctl.store.tables import Order, OrderLine, Product, Reservation

StockRule = Callable[..., tuple[rules.StockLevel, rules.Movement]]


def move_stock(
    session: Session,
    rule: StockRule,
    sku: str,
    where: store.Place,
    quantity: int,
    reason: str,
    *,
    actor: str,
    at: datetime,
    order_id: int | None = None,
) -> rules.Movement:
    before = store.read_level(session, sku, where)
    after, movement = rule(before, quantity, reason)
    store.write_level(session, where, before, after)
    store.add_movement(session, movement, where, actor=actor, at=at, order_id=order_id)
    return movement


def order_lines(session: Session, order: Order) -> list[tuple[str, int]]:
    stmt = select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
    return [(sku, qty) for sku, qty in session.execute(stmt)]


def plan(
    session: Session, order: Order, preferences: dict[str, list[str]], *, backorder: bool = False
) -> allocation.Allocation:
    """Where the order's units would come from, without reserving anything."""
    lines = order_lines(session, order)
    book = StockBook(session, [sku for sku, _ in lines])
    return book.plan(
        lines,
        country=order.ship_country,
        region=order.ship_province,
        preferences=preferences,
        backorder=backorder,
    )


def reserve_order(
    session: Session,
    order: Order,
    *,
    actor: str,
    at: datetime,
    preferences: dict[str, list[str]],
    book: StockBook | None = None,
) -> allocation.Allocation:
    """Reserve every unit of the order, bin by bin, or refuse and reserve nothing.

    With a `book` (review's many orders) the writes wait for the book's flush.
    """
    # Review brings its own book and has held orders with unknown SKUs already.
    unknown = _unknown_skus(session, order) if book is None else []
    if unknown:
        raise StockProblem(
            f"order {order.channel_order_no}: SKU {', '.join(unknown)} is not in the product "
            "master",
            hint="add it with `omsctl products import`",
        )
    lines = order_lines(session, order)
    own = book is None
    if book is None:
        book = StockBook(session, [sku for sku, _ in lines])
    result = book.plan(
        lines, country=order.ship_country, region=order.ship_province, preferences=preferences
    )
    if not result.complete:
        needed: dict[str, int] = {}
        for sku, qty in lines:
            needed[sku] = needed.get(sku, 0) + qty
        short = ", ".join(
            f"{sku} needs {needed[sku]}, {book.available(sku)} available"
            for sku in sorted(result.missing)
        )
        raise StockProblem(
            f"order {order.channel_order_no}: not enough stock ({short})",
            hint="receive stock (`omsctl stock import --add`) or hold the order",
        )
    book.reserve(order.id or 0, order.channel_order_no, result, actor=actor, at=at)
    if own:
        book.flush()
    return result


def _unknown_skus(session: Session, order: Order) -> list[str]:
    skus = {sku for sku, _ in order_lines(session, order)}
    known = set(session.scalars(select(Product.sku).where(Product.sku.in_(skus))))  # type: ignore[attr-defined]
    return sorted(skus - known)


def release_order(session: Session, order: Order, reason: str, *, actor: str, at: datetime) -> int:
    """Give back every unit the order holds; returns how many units were released."""
    return _settle(session, order, rules.release, reason, actor=actor, at=at)


def ship_order(session: Session, order: Order, *, actor: str, at: datetime) -> int:
    """The reservation becomes a decrement of on-hand: the goods left the building."""
    return _settle(
        session, order, rules.ship, f"shipped {order.channel_order_no}", actor=actor, at=at
    )


def _settle(
    session: Session, order: Order, rule: StockRule, reason: str, *, actor: str, at: datetime
) -> int:
    units = 0
    for reservation, where in store.reservations_of(session, order.id or 0):
        move_stock(
            session,
            rule,
            reservation.sku,
            where,
            reservation.quantity,
            reason,
            actor=actor,
            at=at,
            order_id=order.id,
        )
        units += reservation.quantity
    forget_loads(session)
    session.execute(delete(Reservation).where(Reservation.order_id == order.id))  # type: ignore[arg-type]
    return units
