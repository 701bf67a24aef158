"""Fixing an order's data (a phone, a street, a postal code) so the next review can pass it."""

from __future__ import annotations

from dataclasses import dataclass

from omsctl.channels.base import FieldProblem
from omsctl.channels.normalize import country as iso_country
from omsctl.channels.normalize import postal_code, text
from omsctl.domain.errors import IllegalTransition, UsageProblem
from omsctl.domain.lifecycle import State
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.store.orders import find_order

#: What can be edited, as `orders edit` names it → the order's column.
EDITABLE = {
    "name": "ship_name",
    "company": "ship_company",
    "street1": "ship_street1",
    "street2": "ship_street2",
    "district": "ship_district",
    "city": "ship_city",
    "province": "ship_province",
    "postal_code": "ship_postal_code",
    "country": "ship_country",
    "phone": "ship_phone",
    "email": "buyer_email",
    "buyer_note": "buyer_note",
}
#: Before a label exists nothing has left the building with the old data.
_EDITABLE_STATES = frozenset({State.NEW, State.ON_HOLD, State.APPROVED})


@dataclass(frozen=True, slots=True)
class Edit:
    order: str
    changes: tuple[tuple[str, str, str], ...]  # field, old, new


def edit_order(env: Env, ref: str, changes: dict[str, str], note: str = "") -> Edit:
    """Apply the changes, record each in history, and forget review's keys for the order."""
    if not changes:
        raise UsageProblem("name at least one field to change, e.g. --phone or --street1")
    values = {name: _clean(name, value) for name, value in changes.items()}
    now = env.now()
    with env.uow() as uow:
        order = find_order(uow.session, ref)
        if order.state not in _EDITABLE_STATES:
            raise IllegalTransition(
                f"order {order.channel_order_no} is {order.state} and can no longer be edited",
                hint="edits are for new, on_hold and approved orders; after that the parcel "
                "data is on its label",
            )
        done = []
        for name, value in values.items():
            column = EDITABLE[name]
            old = getattr(order, column)
            if old != value:
                setattr(order, column, value)
                done.append((name, old, value))
        if done:
            order.phone_e164, order.address_fingerprint = "", ""  # review recomputes them
            order.updated_at = now
            uow.session.add(order)
            detail = "; ".join(f"{n}: {o or '∅'} → {v or '∅'}" for n, o, v in done)
            lifecycle.record(
                uow.session,
                order,
                "edit",
                env.actor,
                now,
                f"{detail}{' — ' + note if note else ''}",
            )
            uow.commit()
        return Edit(order.channel_order_no, tuple(done))


def _clean(name: str, value: str) -> str:
    if name not in EDITABLE:
        raise UsageProblem(f"{name} cannot be edited", hint=f"fields: {', '.join(EDITABLE)}")
    if name == "country":
        try:
            return iso_country(value, "--country")
        except FieldProblem as problem:
            raise UsageProblem(problem.reason) from None
    if name == "postal_code":
        return postal_code(value)
    return text(value)
