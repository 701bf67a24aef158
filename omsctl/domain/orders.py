"""Orders as the channels hand them to us, before they touch the database.

Every channel reader turns its file into `ChannelOrder` values (or `RowError`s), so importing,
reviewing and reporting never need to know which marketplace an order came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class Address:
    """A ship-to address as the channel gave it, trimmed and NFC-normalised, nothing guessed."""

    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    district: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case
    phone: str = ""


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One ordered SKU; `unit_price` is per unit even where a channel exports line totals."""

    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    weight_kg: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an order came from, so errors and history can point back at the file."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class ChannelOrder:
    """An order as read from one channel export; keyed by (channel, channel_order_no)."""

    channel: str
    channel_order_no: str
    ordered_at: datetime  # aware, UTC
    lines: tuple[OrderLine, ...]
    ship_to: Address = field(default_factory=Address)
    buyer_name: str = ""
    buyer_email: str = ""
    buyer_phone: str = ""
    service_level: str = ""
    buyer_note: str = ""
    currency: str = ""
    subtotal: Decimal | None = None
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    total: Decimal | None = None
    payment_status: PaymentStatus = PaymentStatus.PENDING
    paid_at: datetime | None = None
    cancelled_at: datetime | None = None
    refunded_total: Decimal = Decimal("0")
    source: SourceRef | None = None

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class RowError:
    """A row the reader could not turn into an order; its whole order is rejected with it."""

    file: str
    line: int
    column: str
    reason: str
    channel_order_no: str = ""
    raw: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )
