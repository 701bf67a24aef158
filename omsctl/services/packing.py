"""Scan-verified packing: the parcel holds exactly what was ordered, or it does not leave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from omsctl.domain.errors import IllegalTransition, InputProblem
from omsctl.domain.lifecycle import State
from omsctl.domain.packing import Expected, PackProblem, packing_advice, verify
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.store.orders import find_order
from omsctl.store.tables import OrderLine, PackCheck, Product


@dataclass(frozen=True, slots=True)
class PackResult:
    order: str
    ok: bool
    state: str
    units_expected: int
    units_scanned: int
    problems: tuple[PackProblem, ...]
    advice: tuple[str, ...]


def pack_order(env: Env, ref: str, scans: Sequence[str]) -> PackResult:
    """Check the scans against the order; a match packs it, a mismatch is recorded and shown."""
    now = env.now()
    with env.uow() as uow:
        s = uow.session
        order = find_order(s, ref)
        if order.state != State.PICKING:
            hint = (
                "add it to a wave first (`omsctl wave create`)"
                if order.state == State.APPROVED
                else "only orders being picked are packed"
            )
            raise IllegalTransition(
                f"order {order.channel_order_no} is {order.state}, not picking", hint=hint
            )
        lines = s.execute(
            select(OrderLine.sku, func.max(OrderLine.title), func.sum(OrderLine.quantity))
            .where(OrderLine.order_id == order.id)
            .group_by(OrderLine.sku)
        ).all()
        products = {p.sku: p for p in s.scalars(select(Product))}
        catalogue = {p.sku: p.sku for p in products.values()}
        catalogue.update({p.barcode: p.sku for p in products.values() if p.barcode})
        expected = [
            Expected(
                sku,
                title or sku,
                int(qty),
                (products[sku].barcode,) if sku in products and products[sku].barcode else (),
                frozenset(t for t in products[sku].traits.split(";") if t)
                if sku in products
                else frozenset(),
            )
            for sku, title, qty in lines
        ]
        check = verify(expected, list(scans), catalogue)
        unknown = [p for p in check.problems if p.kind == "unknown_code"]
        if unknown:
            codes = ", ".join(repr(p.code) for p in unknown)
            raise InputProblem(
                f"no product has the code {codes}",
                hint="scan the item's SKU or barcode again; nothing was recorded",
            )
        needed = sum(e.quantity for e in expected)
        scanned = sum(check.scanned.values())
        s.add(
            PackCheck(
                order_id=order.id or 0,
                at=now,
                actor=env.actor,
                ok=check.ok,
                units_expected=needed,
                units_scanned=scanned,
                problems="\n".join(p.text for p in check.problems),
            )
        )
        if check.ok:
            lifecycle.move(
                s,
                order,
                State.PACKED,
                action="pack",
                actor=env.actor,
                at=now,
                detail=f"{scanned} unit(s) scanned",
            )
        else:
            lifecycle.record(
                s, order, "pack_mismatch", env.actor, now, "; ".join(p.text for p in check.problems)
            )
        uow.commit()
        advice = packing_advice({e.sku: e.traits for e in expected})
        return PackResult(
            order.channel_order_no, check.ok, order.state, needed, scanned, check.problems, advice
        )


def expected_scans(env: Env, ref: str) -> list[str]:
    """What a correct scan of the order is: each unit's product barcode (or its SKU)."""
    with env.uow(write=False) as uow:
        order = find_order(uow.session, ref)
        barcodes = dict(uow.session.execute(select(Product.sku, Product.barcode)).all())
        lines = uow.session.execute(
            select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
        ).all()
        return [barcodes.get(sku) or sku for sku, qty in lines for _ in range(qty)]
