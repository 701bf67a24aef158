"""Shipping labels: choose the carrier, take a waybill number, record the print, render.

Rendering happens inside the transaction and before the commit, so a label that could not be
drawn leaves no trace: no number taken, no print recorded. Printing an order twice needs
`reprint`, so a script run again does not silently produce two parcels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from omsctl.domain.errors import ConfigProblem, Conflict, IllegalTransition, UsageProblem
from omsctl.domain.labels import Label, Party, marks_for, mask_phone
from omsctl.domain.lifecycle import State
from omsctl.domain.picking import wave_code
from omsctl.services import carriers, waybills
from omsctl.services.context import Env
from omsctl.settings import Settings
from omsctl.store import waves as wave_store
from omsctl.store.orders import find_order
from omsctl.store.tables import LabelPrint, Order, Shipment, WaveOrder

PRINTABLE = (State.PICKING, State.PACKED)
_ISO_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


@dataclass(frozen=True, slots=True)
class LabelRun:
    orders: tuple[str, ...]
    numbers_taken: int
    reprinted: tuple[str, ...]
    output: bytes


def print_labels(
    env: Env,
    render: Callable[[Sequence[Label]], bytes],
    *,
    wave: str | None = None,
    status: str | None = None,
    refs: Sequence[str] = (),
    fmt: str = "4x6",
    reprint: bool = False,
    full_phone: bool = False,
) -> LabelRun:
    if sum(bool(x) for x in (wave, status, refs)) != 1:
        raise UsageProblem("name the labels to print: --wave W, --status S, or order numbers")
    sender = _sender(env.settings)
    rules = carriers.rules(env)
    now, actor = env.now(), env.actor
    zone = ZoneInfo(env.settings["general.timezone"])
    with env.uow() as uow:
        s = uow.session
        orders, references = _select(s, wave, status, refs)
        wrong = [f"{o.channel_order_no} ({o.state})" for o in orders if o.state not in PRINTABLE]
        if wrong:
            raise IllegalTransition(
                f"labels print for picking or packed orders; not for {', '.join(wrong[:5])}",
                hint="wave them first",
            )
        printed = _already_printed(s, [o.id or 0 for o in orders])
        if printed and not reprint:
            names = ", ".join(o.channel_order_no for o in orders if o.id in printed)
            raise Conflict(
                f"labels were printed already for {names}",
                hint="pass --reprint to print them again (it is recorded)",
            )
        labels, taken = [], 0
        for order in orders:
            carriers.assign_carrier(s, order, rules, actor=actor, at=now)
            tracking, new = _tracking(s, order, now)
            taken += new
            parcel = carriers.parcel_of(s, order)
            labels.append(
                _label(
                    order,
                    sender,
                    tracking,
                    parcel.weight_kg,
                    parcel.traits,
                    now.astimezone(zone).strftime("%Y-%m-%d"),
                    references.get(order.id or 0, ""),
                    full_phone,
                )
            )
            s.add(
                LabelPrint(
                    order_id=order.id or 0,
                    at=now,
                    actor=actor,
                    format=fmt,
                    tracking_number=tracking,
                    reprint=order.id in printed,
                )
            )
        output = render(labels)
        uow.commit()
        return LabelRun(
            tuple(o.channel_order_no for o in orders),
            taken,
            tuple(o.channel_order_no for o in orders if o.id in printed),
            output,
        )


def _select(
    session: Session, wave: str | None, status: str | None, refs: Sequence[str]
) -> tuple[list[Order], dict[int, str]]:
    """The orders in print order: a wave's in tote order, others by the order given or age."""
    if wave:
        found = wave_store.wave(session, wave)
        members = wave_store.members(session, found.id or 0)
        code = wave_code(found.id or 0)
        return [o for _, o in members], {o.id or 0: f"{code} T{m.tote}" for m, o in members}
    if status:
        try:
            state = State(status)
        except ValueError:
            raise UsageProblem(
                f"unknown state {status!r}", hint="labels print for picking or packed orders"
            ) from None
        orders = list(
            session.scalars(
                select(Order).where(Order.state == state).order_by(Order.ordered_at, Order.id)
            )
        )  # type: ignore[arg-type]
    else:
        orders = [find_order(session, ref) for ref in refs]
    totes = {
        m.order_id: m
        for m in session.scalars(
            select(WaveOrder).where(
                WaveOrder.order_id.in_([o.id for o in orders]),  # type: ignore[attr-defined]
                WaveOrder.removed_at.is_(None),
            )
        )
    }  # type: ignore[union-attr]
    return orders, {oid: f"{wave_code(m.wave_id)} T{m.tote}" for oid, m in totes.items()}


def _already_printed(session: Session, ids: list[int]) -> set[int]:
    return set(session.scalars(select(LabelPrint.order_id).where(LabelPrint.order_id.in_(ids))))  # type: ignore[attr-defined]


def _tracking(session: Session, order: Order, now: datetime) -> tuple[str, int]:
    """The order's tracking number: its shipment's, or the next from its carrier's pool."""
    shipment = session.scalars(
        select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id.desc())
    ).first()  # type: ignore[union-attr]
    if shipment is not None and shipment.tracking_number:
        return shipment.tracking_number, 0
    number = waybills.take_number(session, order.carrier, order.id or 0, now)
    if shipment is None:
        shipment = Shipment(
            order_id=order.id or 0,
            carrier=order.carrier,
            service=order.carrier_service,
            status="labelled",
            created_at=now,
        )
    shipment.tracking_number = number
    session.add(shipment)
    session.flush()
    return number or "", 1 if number else 0


def _sender(settings: Settings) -> Party:
    sender = settings.section("sender")
    missing = [k for k in ("name", "street1", "city", "country") if not sender.get(k)]
    if missing:
        raise ConfigProblem(
            f"the sender address lacks {', '.join(missing)}",
            hint=f"set them under [sender] in {settings.path}",
        )
    lines = tuple(
        x
        for x in (
            sender["street1"],
            sender["street2"],
            " ".join(p for p in (sender["city"], sender["province"]) if p),
        )
        if x
    )
    return Party(
        sender["name"],
        sender["company"],
        lines,
        sender["postal_code"],
        sender["country"].upper(),
        sender["phone"],
    )


def _label(
    order: Order,
    sender: Party,
    tracking: str,
    weight: Decimal,
    traits: frozenset[str],
    date_text: str,
    reference: str,
    full_phone: bool,
) -> Label:
    phone = order.ship_phone or order.buyer_phone
    if order.ship_country in ("CN", "TW", "HK", "MO", "JP", "KR"):
        # East Asian addresses read from the largest unit down: province, city, district, street.
        # An ISO subdivision code (Shopify's JP-13) says nothing the postal code does not.
        province = "" if _ISO_SUBDIVISION.match(order.ship_province) else order.ship_province
        lines = (
            "".join(p for p in (province, order.ship_city, order.ship_district) if p),
            order.ship_street1,
            order.ship_street2,
        )
    else:
        lines = (
            order.ship_street1,
            order.ship_street2,
            order.ship_district,
            ", ".join(p for p in (order.ship_city, order.ship_province) if p),
        )
    recipient = Party(
        order.ship_name or order.buyer_name,
        order.ship_company,
        tuple(x for x in lines if x),
        order.ship_postal_code,
        order.ship_country,
        phone if full_phone else mask_phone(phone),
    )
    return Label(
        order_ref=order.channel_order_no,
        sender=sender,
        recipient=recipient,
        carrier=order.carrier,
        service=order.carrier_service,
        tracking_number=tracking,
        weight_kg=f"{weight.quantize(Decimal('0.01'))}",
        package=1,
        packages=1,
        date_text=date_text,
        marks=marks_for(traits),
        reference=reference,
    )
