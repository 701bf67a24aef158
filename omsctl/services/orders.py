"""Looking at orders: listings, one order in full, its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from omsctl.domain.lifecycle import State
from omsctl.services.context import Env
from omsctl.store import orders as order_queries
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import Hold, OrderHistory, OrderLine, Shipment


@dataclass(frozen=True, slots=True)
class OrderSummary:
    id: int
    channel: str
    channel_order_no: str
    state: str
    payment_status: str
    ordered_at: datetime
    buyer_name: str
    ship_country: str
    lines: int
    units: int
    total: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class LineView:
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    weight_kg: Decimal | None


@dataclass(frozen=True, slots=True)
class HoldView:
    reason: str
    detail: str
    priority: int
    created_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


@dataclass(frozen=True, slots=True)
class ShipmentView:
    carrier: str
    service: str
    tracking_number: str | None
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryView:
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class ShipTo:
    name: str
    company: str
    street1: str
    street2: str
    district: str
    city: str
    province: str
    postal_code: str
    country: str
    phone: str


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: int
    channel: str
    channel_order_no: str
    state: str
    payment_status: str
    buyer_name: str
    buyer_email: str
    buyer_phone: str
    ship_to: ShipTo
    service_level: str
    buyer_note: str
    currency: str
    subtotal: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    discount_total: Decimal
    total: Decimal
    refunded_total: Decimal
    ordered_at: datetime
    paid_at: datetime | None
    imported_at: datetime
    approved_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    lines: tuple[LineView, ...]
    holds: tuple[HoldView, ...]
    shipments: tuple[ShipmentView, ...]
    history: tuple[HistoryView, ...]


def list_orders(
    env: Env,
    *,
    states: Sequence[State] = (),
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[OrderSummary]:
    with env.uow(write=False) as uow:
        orders = order_queries.list_orders(
            uow.session,
            states=[s.value for s in states],
            channel=channel,
            since=since,
            until=until,
            limit=limit,
        )
        counts = _line_counts(uow.session, [o.id for o in orders if o.id is not None])
        return [
            OrderSummary(
                id=o.id or 0,
                channel=o.channel,
                channel_order_no=o.channel_order_no,
                state=o.state,
                payment_status=o.payment_status,
                ordered_at=o.ordered_at,
                buyer_name=o.buyer_name,
                ship_country=o.ship_country,
                lines=counts.get(o.id or 0, (0, 0))[0],
                units=counts.get(o.id or 0, (0, 0))[1],
                total=o.total,
                currency=o.currency,
            )
            for o in orders
        ]


def _line_counts(session, order_ids: list[int]) -> dict[int, tuple[int, int]]:  # type: ignore[no-untyped-def]
    result: dict[int, tuple[int, int]] = {}
    for chunk in in_chunks(order_ids):
        chunk = chunk
        stmt = (
            select(OrderLine.order_id, func.count(), func.sum(OrderLine.quantity))
            .where(OrderLine.order_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(OrderLine.order_id)
        )
        for order_id, lines, units in session.execute(stmt):
            result[order_id] = (lines, int(units or 0))
    return result


def show_order(env: Env, ref: str) -> OrderDetail:
    with env.uow(write=False) as uow:
        s = uow.session
        o = order_queries.find_order(s, ref)
        lines = s.scalars(
            select(OrderLine).where(OrderLine.order_id == o.id).order_by(OrderLine.line_no)
        )
        holds = s.scalars(select(Hold).where(Hold.order_id == o.id).order_by(Hold.id))  # type: ignore[arg-type]
        ships = s.scalars(select(Shipment).where(Shipment.order_id == o.id).order_by(Shipment.id))  # type: ignore[arg-type]
        return OrderDetail(
            id=o.id or 0,
            channel=o.channel,
            channel_order_no=o.channel_order_no,
            state=o.state,
            payment_status=o.payment_status,
            buyer_name=o.buyer_name,
            buyer_email=o.buyer_email,
            buyer_phone=o.buyer_phone,
            ship_to=ShipTo(
                o.ship_name,
                o.ship_company,
                o.ship_street1,
                o.ship_street2,
                o.ship_district,
                o.ship_city,
                o.ship_province,
                o.ship_postal_code,
                o.ship_country,
                o.ship_phone,
            ),
            service_level=o.service_level,
            buyer_note=o.buyer_note,
            currency=o.currency,
            subtotal=o.subtotal,
            shipping_total=o.shipping_total,
            tax_total=o.tax_total,
            discount_total=o.discount_total,
            total=o.total,
            refunded_total=o.refunded_total,
            ordered_at=o.ordered_at,
            paid_at=o.paid_at,
            imported_at=o.imported_at,
            approved_at=o.approved_at,
            shipped_at=o.shipped_at,
            delivered_at=o.delivered_at,
            cancelled_at=o.cancelled_at,
            lines=tuple(
                LineView(x.sku, x.title, x.quantity, x.unit_price, x.weight_kg) for x in lines
            ),
            holds=tuple(
                HoldView(
                    h.reason,
                    h.detail,
                    h.priority,
                    h.created_at,
                    h.due_at,
                    h.resolved_at,
                    h.resolved_by,
                    h.resolution,
                )
                for h in holds
            ),
            shipments=tuple(
                ShipmentView(
                    x.carrier, x.service, x.tracking_number, x.status, x.shipped_at, x.delivered_at
                )
                for x in ships
            ),
            history=tuple(_history(s, o.id or 0)),
        )


def _history(session, order_id: int) -> list[HistoryView]:  # type: ignore[no-untyped-def]
    stmt = select(OrderHistory).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)  # type: ignore[arg-type]
    return [
        HistoryView(h.at, h.actor, h.action, h.from_state, h.to_state, h.detail)
        for h in session.scalars(stmt)
    ]


def order_history(env: Env, ref: str) -> tuple[str, list[HistoryView]]:
    with env.uow(write=False) as uow:
        order = order_queries.find_order(uow.session, ref)
        return order.channel_order_no, _history(uow.session, order.id or 0)


def masked(detail: OrderDetail) -> OrderDetail:
    """The order as it may leave the shop: phone numbers and street lines hidden (--mask)."""
    from dataclasses import replace

    from omsctl.domain.labels import mask_phone

    hidden = "***"
    ship_to = replace(
        detail.ship_to,
        street1=hidden if detail.ship_to.street1 else "",
        street2=hidden if detail.ship_to.street2 else "",
        phone=mask_phone(detail.ship_to.phone),
    )
    return replace(detail, ship_to=ship_to, buyer_phone=mask_phone(detail.buyer_phone))
