"""What a re-imported order may change, by state: the channel owns payment; we own the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from omsctl.domain.imports import (
    diff,
    fingerprint,
    has_prices,
    keep_known_prices,
    plan_update,
    settle_totals,
)
from omsctl.domain.lifecycle import State
from omsctl.domain.orders import Address, ChannelOrder, OrderLine, PaymentStatus

AT = datetime(2026, 11, 19, 8, tzinfo=UTC)
BASE = ChannelOrder(
    channel="shopify",
    channel_order_no="#1001",
    ordered_at=AT,
    lines=(OrderLine("TEA-LJ-100", "Longjing 100 g", 2, Decimal("18.50")),),
    ship_to=Address(name="Ana Souza", street1="Rua Augusta 10", city="Lisboa", country="PT"),
    currency="EUR",
)


def test_the_fingerprint_ignores_where_the_order_was_read_from():
    from omsctl.domain.orders import SourceRef

    moved = replace(BASE, source=SourceRef("other.csv", 99))
    assert fingerprint(moved) == fingerprint(BASE)
    assert fingerprint(replace(BASE, buyer_note="gift")) != fingerprint(BASE)


def test_missing_totals_are_settled_from_the_lines():
    settled = settle_totals(replace(BASE, shipping_total=Decimal("4.90")))
    assert (settled.subtotal, settled.total) == (Decimal("37.00"), Decimal("41.90"))


def test_a_payment_change_is_channel_owned_and_applied_in_any_state():
    paid = replace(BASE, payment_status=PaymentStatus.PAID, paid_at=AT)
    for state in State:
        plan = plan_update(state, diff(BASE, paid), cancelled_on_channel=False)
        assert plan.apply_channel_owned and not plan.apply_content and plan.hold is None


@pytest.mark.parametrize("state", [State.NEW, State.ON_HOLD])
def test_a_line_change_before_approval_is_applied(state):
    plan = plan_update(
        state,
        diff(
            BASE,
            replace(BASE, lines=(OrderLine("TEA-LJ-100", "Longjing 100 g", 3, Decimal("18.50")),)),
        ),
        False,
    )
    assert plan.apply_content and plan.hold is None


@pytest.mark.parametrize("state", [State.APPROVED, State.PICKING, State.PACKED, State.SHIPPED])
def test_a_line_or_address_change_after_approval_is_held_not_applied(state):
    moved = replace(BASE, ship_to=replace(BASE.ship_to, street1="Rua Augusta 12"))
    plan = plan_update(state, diff(BASE, moved), False)
    assert (plan.apply_content, plan.hold) == (False, "changed_on_channel")
    assert plan.note == "ship_to street1: Rua Augusta 10 → Rua Augusta 12"


@pytest.mark.parametrize(
    ("state", "cancel", "hold"),
    [
        (State.NEW, True, None),
        (State.ON_HOLD, True, None),
        (State.APPROVED, True, None),
        (State.PICKING, False, "cancelled_on_channel"),
        (State.SHIPPED, False, "cancelled_on_channel"),
        (State.CANCELLED, False, None),
    ],
)
def test_a_cancellation_on_the_channel_cancels_until_picking_then_asks_a_person(
    state, cancel, hold
):
    plan = plan_update(state, diff(BASE, replace(BASE, cancelled_at=AT)), cancelled_on_channel=True)
    assert (plan.cancel, plan.hold) == (cancel, hold)


def test_a_price_less_report_keeps_the_known_prices_and_totals():
    stored = settle_totals(BASE)
    unshipped = replace(
        BASE, currency="", lines=(OrderLine("TEA-LJ-100", "Longjing 100 g", 2, Decimal("0")),)
    )
    assert not has_prices(unshipped)
    kept = keep_known_prices(stored, unshipped)
    assert diff(stored, kept).empty
