"""Which carrier and service ship an order, by the rules in the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from omsctl.domain.carriers import CarrierRule, Parcel, Verdict, choose, rules_from_config
from omsctl.domain.errors import OmsError
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.store.orders import find_order
from omsctl.store.tables import Order, OrderLine, Product


class NoCarrier(OmsError):
    """No carrier rule matches the order."""


def rules(env: Env) -> list[CarrierRule]:
    return rules_from_config(env.settings["carriers.rules"])


def parcel_of(session: Session, order: Order) -> Parcel:
    rows = session.execute(
        select(OrderLine.quantity, Product.weight_kg, Product.traits)
        .outerjoin(Product, Product.sku == OrderLine.sku)
        .where(OrderLine.order_id == order.id)
    ).all()
    weight = sum(((w or Decimal("0")) * q for q, w, _ in rows), Decimal("0"))
    traits = frozenset(t for _, _, ts in rows for t in (ts or "").split(";") if t)
    return Parcel(
        order.ship_country,
        order.ship_province,
        weight,
        order.total,
        order.currency,
        order.service_level,
        traits,
    )


def assign_carrier(
    session: Session, order: Order, chosen_from: list[CarrierRule], *, actor: str, at: datetime
) -> None:
    """Choose and store the order's carrier unless a person or an earlier run already did."""
    if order.carrier:
        return
    chosen, _ = choose(parcel_of(session, order), chosen_from)
    if chosen is None:
        raise NoCarrier(
            f"no carrier rule matches order {order.channel_order_no}",
            hint=f"see `omsctl carriers explain '{order.channel_order_no}'`, and add a "
            "catch-all [[carriers.rules]] entry at the end",
        )
    order.carrier, order.carrier_service, order.carrier_rule = (
        chosen.carrier,
        chosen.service,
        chosen.name,
    )
    session.add(order)
    lifecycle.record(
        session,
        order,
        "carrier",
        actor,
        at,
        f"{chosen.carrier} {chosen.service} by rule '{chosen.name}'".replace("  ", " "),
    )


@dataclass(frozen=True, slots=True)
class Explanation:
    order: str
    parcel: Parcel
    chosen: str | None
    stored: str  # what the order carries now, if anything
    verdicts: tuple[Verdict, ...]


def explain(env: Env, ref: str) -> Explanation:
    with env.uow(write=False) as uow:
        order = find_order(uow.session, ref)
        parcel = parcel_of(uow.session, order)
        chosen, verdicts = choose(parcel, rules(env))
        stored = " ".join(p for p in (order.carrier, order.carrier_service) if p)
        if order.carrier_rule:
            stored += f" (rule '{order.carrier_rule}')"
        return Explanation(
            order.channel_order_no, parcel, chosen.name if chosen else None, stored, tuple(verdicts)
        )
