"""What a re-imported order may change, decided from the order's state.

The channel owns payment, paid time, cancellation and refunds: those follow the newest export.
Lines, address and the rest are ours once a person (or review) approved the order: a change
after approval is never applied silently; the order is held so a person sees the difference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from operator import attrgetter
from typing import Any

from omsctl.domain.lifecycle import State
from omsctl.domain.orders import Address, ChannelOrder, OrderLine, PaymentStatus

#: Fields that follow the channel whatever the order's state.
CHANNEL_OWNED: tuple[str, ...] = ("payment_status", "paid_at", "cancelled_at", "refunded_total")
#: Fields compared for content changes (everything the channel sends but does not own).
CONTENT: tuple[str, ...] = tuple(
    f.name
    for f in fields(ChannelOrder)
    if f.name not in (*CHANNEL_OWNED, "source", "channel", "channel_order_no")
)

#: States in which the channel's content may still replace ours.
_OPEN_TO_CHANGE = frozenset({State.NEW, State.ON_HOLD})
#: States a channel cancellation cancels outright (the lifecycle allows it).
_CANCELLABLE = frozenset({State.NEW, State.ON_HOLD, State.APPROVED})


def settle_totals(order: ChannelOrder) -> ChannelOrder:
    """Fill a subtotal or total the export left out, from the lines, so stored == compared."""
    if order.subtotal is not None and order.total is not None:
        return order
    lines = sum((line.unit_price * line.quantity for line in order.lines), Decimal("0"))
    subtotal = order.subtotal if order.subtotal is not None else lines
    total = order.total
    if total is None:
        total = subtotal + order.shipping_total + order.tax_total - order.discount_total
    return replace(order, subtotal=subtotal, total=total)


def has_prices(order: ChannelOrder) -> bool:
    """False for exports that carry no money at all (Amazon's Unshipped Orders report)."""
    return bool(order.currency) or any(line.unit_price for line in order.lines) or bool(order.total)


def keep_known_prices(stored: ChannelOrder, incoming: ChannelOrder) -> ChannelOrder:
    """A price-less export of a known order keeps the prices and totals we already have."""
    if has_prices(incoming) or not has_prices(stored):
        return incoming
    prices = {line.sku: line.unit_price for line in stored.lines}
    lines = tuple(
        replace(line, unit_price=prices.get(line.sku, line.unit_price)) for line in incoming.lines
    )
    same_lines = [(x.sku, x.quantity) for x in lines] == [(x.sku, x.quantity) for x in stored.lines]
    return settle_totals(
        replace(
            incoming,
            lines=lines,
            currency=stored.currency,
            subtotal=stored.subtotal if same_lines else None,
            total=stored.total if same_lines else None,
            shipping_total=stored.shipping_total,
            tax_total=stored.tax_total,
            discount_total=stored.discount_total,
        )
    )


def fingerprint(order: ChannelOrder) -> str:
    """A stable digest of everything the channel sent, so an unchanged re-import is one compare.

    The digest is of every value as text, joined by a separator no value holds (where one
    does, of the values' reprs): a third of the cost of digesting the fields' reprs, which
    omsctl did before (`legacy_fingerprint`) and which a million-line import felt.
    """
    lines = order.lines
    values: list[Any] = [_SCHEME, *_SCALARS(order), *_ADDRESS(order.ship_to), len(lines)]
    for line in lines:
        values += _LINE(line)
    joined = "\x1f".join(map(str, values))
    if joined.count("\x1f") != len(values) - 1:
        joined = "\x1e".join(map(repr, values))  # reprs escape the separator
    return hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()


def legacy_fingerprint(order: ChannelOrder) -> str:
    """The digest omsctl stored before `fingerprint`'s scheme: of the fields' `repr`s.

    An order imported then is unchanged if this matches; `_REPRS` writes the same text as
    `repr` without the dataclasses' per-call recursion guard.
    """
    parts = [show(value) for show, value in zip(_REPRS, _DIGESTED(order), strict=True)]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


#: The first value digested; a new scheme gets a new name, so digests of two never match.
_SCHEME = "omsctl.fingerprint/2"
_SCALARS = attrgetter(*(n for n in (*CHANNEL_OWNED, *CONTENT) if n not in ("lines", "ship_to")))
_ADDRESS = attrgetter(*(f.name for f in fields(Address)))
_LINE = attrgetter(*(f.name for f in fields(OrderLine)))


def _dataclass_repr(cls: type) -> Callable[[Any], str]:
    """`repr` for instances of exactly `cls`, without the generated one's recursion guard."""
    names = [f.name for f in fields(cls) if f.repr]
    template = f"{cls.__qualname__}(" + ", ".join(f"{name}={{!r}}" for name in names) + ")"
    values, render = attrgetter(*names), template.format

    def show(value: Any) -> str:
        return render(*values(value)) if type(value) is cls else repr(value)

    return show


_show_line = _dataclass_repr(OrderLine)
_STATUS_REPRS = {status: repr(status) for status in PaymentStatus}


def _show_lines(lines: Any) -> str:
    if type(lines) is not tuple:
        return repr(lines)
    shown = [_show_line(line) for line in lines]
    return "(" + ", ".join(shown) + ("," if len(shown) == 1 else "") + ")"


def _show_status(status: Any) -> str:
    return _STATUS_REPRS[status] if type(status) is PaymentStatus else repr(status)


_SPECIAL_REPRS: dict[str, Callable[[Any], str]] = {
    "lines": _show_lines,
    "ship_to": _dataclass_repr(Address),
    "payment_status": _show_status,
}
_DIGESTED = attrgetter(*CHANNEL_OWNED, *CONTENT)
_REPRS = tuple(_SPECIAL_REPRS.get(name, repr) for name in (*CHANNEL_OWNED, *CONTENT))


@dataclass(frozen=True, slots=True)
class Difference:
    """What differs between the stored order and the channel's newer export."""

    channel_owned: dict[str, tuple[Any, Any]]
    content: dict[str, tuple[Any, Any]]

    @property
    def empty(self) -> bool:
        return not self.channel_owned and not self.content

    def describe(self) -> str:
        """One line a person can read: `payment_status: pending → paid; lines changed`."""
        parts = []
        for name, (old, new) in {**self.channel_owned, **self.content}.items():
            if name == "lines":
                parts.append(f"lines: {_lines(old)} → {_lines(new)}")
            elif name == "ship_to":
                changed = [
                    f.name for f in fields(old) if getattr(old, f.name) != getattr(new, f.name)
                ]
                parts.append(
                    "ship_to "
                    + ", ".join(
                        f"{n}: {getattr(old, n) or '∅'} → {getattr(new, n) or '∅'}" for n in changed
                    )
                )
            else:
                parts.append(f"{name}: {_show(old)} → {_show(new)}")
        return "; ".join(parts)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "∅"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _lines(lines: tuple[Any, ...]) -> str:
    return ", ".join(f"{line.sku}×{line.quantity}" for line in lines)


def diff(old: ChannelOrder, new: ChannelOrder) -> Difference:
    owned = {
        n: (getattr(old, n), getattr(new, n))
        for n in CHANNEL_OWNED
        if getattr(old, n) != getattr(new, n)
    }
    content = {
        n: (getattr(old, n), getattr(new, n)) for n in CONTENT if getattr(old, n) != getattr(new, n)
    }
    return Difference(owned, content)


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """What to do with a changed order: which fields to write, and what to do to its state."""

    apply_channel_owned: bool
    apply_content: bool
    cancel: bool  # move to cancelled (lifecycle allows it from here)
    hold: str | None  # add an open hold with this reason (state change only if allowed)
    note: str


def plan_update(state: State, difference: Difference, cancelled_on_channel: bool) -> UpdatePlan:
    """Decide, from the order's state, how much of the channel's change is taken."""
    note = difference.describe()
    newly_cancelled = cancelled_on_channel and "cancelled_at" in difference.channel_owned
    if newly_cancelled and state in _CANCELLABLE:
        return UpdatePlan(True, state in _OPEN_TO_CHANGE, True, None, note)
    if newly_cancelled and state not in (State.CANCELLED, State.MERGED):
        return UpdatePlan(True, False, False, "cancelled_on_channel", note)
    if difference.content and state not in _OPEN_TO_CHANGE:
        hold = "changed_on_channel" if state not in (State.CANCELLED, State.MERGED) else None
        return UpdatePlan(True, False, False, hold, note)
    return UpdatePlan(True, bool(difference.content), False, None, note)
