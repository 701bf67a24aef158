"""Payment facts the review and the nightly housekeeping agree on.

An order waits on hold `unpaid` until the channel confirms payment; one that stays unpaid past
the configured timeout is cancelled so its reservation does not block stock for paying buyers.
Both decisions read the same channel payment status, so they live here and nowhere else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from omsctl.domain.orders import PaymentStatus

#: Statuses that mean the money arrived. A partial refund still leaves a paid order to ship.
CONFIRMED: frozenset[str] = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED})


def payment_confirmed(payment_status: str) -> bool:
    """True when the channel says the buyer paid (and did not take it all back)."""
    return payment_status in CONFIRMED


def expired_unpaid(
    ordered_at: datetime, payment_status: str, now: datetime, timeout_hours: int
) -> bool:
    """True when an order still waiting for payment is older than `timeout_hours`.

    Only `pending` expires: a paid order never times out, and a refunded one was settled on the
    channel, so cancelling it is a person's decision rather than a clock's. The order is
    expired strictly *after* the timeout, so a 72-hour timeout cancels at 72 h and one second,
    never at the moment the buyer was promised. Both times must be aware (omsctl keeps UTC);
    a naive time is refused rather than guessed, because a wrong guess cancels paying orders.
    """
    if ordered_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("expired_unpaid needs aware datetimes (UTC), got a naive one")
    if timeout_hours <= 0:
        raise ValueError(f"payment timeout must be above zero hours, not {timeout_hours}")
    if payment_status != PaymentStatus.PENDING:
        return False
    return now - ordered_at > timedelta(hours=timeout_hours)
