"""Etsy: Shop Manager › Settings › Options › Download Data › Orders.

Etsy exports an order in two files (shared/formats/channel-formats.md §5): `EtsySoldOrders*.csv`
with one row per order (money, buyer, address) and `EtsySoldOrderItems*.csv` with one row per
transaction (SKU, quantity, unit price). The reader joins them on `Order ID`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from omsctl.channels import paired
from omsctl.channels.base import FieldProblem, Head, InputFile, Row
from omsctl.channels.normalize import (
    country,
    money,
    optional_timestamp,
    postal_code,
    quantity,
    text,
    timestamp,
)
from omsctl.domain.orders import (
    Address,
    ChannelOrder,
    OrderLine,
    PaymentStatus,
    RowError,
    SourceRef,
)

#: `MM/DD/YY` in the US-locale export; the long year is accepted for files re-saved by Excel.
DATE_FORMATS = ("%m/%d/%y", "%m/%d/%Y")

ORDER_COLUMNS = (
    "Sale Date",
    "Order ID",
    "Full Name",
    "Street 1",
    "Street 2",
    "Ship City",
    "Ship State",
    "Ship Zipcode",
    "Ship Country",
    "Currency",
    "Order Value",
    "Shipping",
    "Sales Tax",
    "Order Total",
)
ITEM_COLUMNS = ("Order ID", "Item Name", "Quantity", "Price")
#: What tells the two files apart (and from every other channel's export).
ORDERS_SIGNATURE = {"Sale Date", "Order ID", "Number of Items", "Order Value", "Order Total"}
ITEMS_SIGNATURE = {"Sale Date", "Item Name", "Order ID", "Transaction ID", "Listing ID"}
PAID_STATUSES = {"paid", "completed"}
#: Fixtures differ on whether amounts carry a currency symbol; `Currency` names it anyway.
_SYMBOLS = ("US$", "CA$", "AU$", "$", "£", "€")


class EtsyReader:
    """Joins Sold Orders and Sold Order Items into one `ChannelOrder` per `Order ID`."""

    name = "etsy"
    description = "Etsy Sold Orders + Sold Order Items (Shop Manager › Download Data, CSV)"
    encodings: tuple[str, ...] = ("utf-8-sig",)

    def match(self, head: Head) -> tuple[str, int] | None:
        fields = set(head.first_fields(","))
        if fields >= ORDERS_SIGNATURE:
            return "orders", 1
        if fields >= ITEMS_SIGNATURE:
            return "items", 1
        return None

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        """Items first, then the orders streamed against them.

        Only a parsed `OrderLine` per transaction is kept from the items file (about 60 MB for
        100k two-item orders); the wide orders file is never held, only streamed.
        """
        orders, items = paired.require_both(
            files,
            items_alone="Etsy Sold Order Items without its Sold Orders file",
            orders_alone="Etsy Sold Orders without its Sold Order Items file",
            hint="pass both files: omsctl import EtsySoldOrders2024.csv EtsySoldOrderItems2024.csv",
        )
        yield from paired.join(
            orders,
            items,
            _read_items(items),
            order_number=_order_id,
            item_number=_order_id,
            check=lambda file, row: _check_columns(file, row, ORDER_COLUMNS, "Sold Orders"),
            order=_order,
            column="Order ID",
            orphan_reason="items of an order that is not in the Sold Orders file",
        )


READER = EtsyReader()


@dataclass(slots=True)
class _Basket:
    """The item rows of one order, already parsed; a bad row keeps only its RowError."""

    lines: list[OrderLine] = field(default_factory=list)
    paid_at: datetime | None = None
    error: RowError | None = None


def _check_columns(file: InputFile, row: Row, required: Sequence[str], kind: str) -> None:
    paired.check_columns(
        file,
        row,
        required,
        f"the Etsy {kind} file lacks the column(s)",
        hint="download it again from Shop Manager › Settings › Options › Download Data",
    )


def _order_id(cells: Mapping[str, str]) -> str:
    return text(cells["Order ID"])


def _read_items(files: list[InputFile]) -> dict[str, _Basket]:
    """Order ID → its lines; a transaction listed in two overlapping downloads counts once."""
    baskets: dict[str, _Basket] = {}
    transactions: set[str] = set()
    check = functools.partial(_check_columns, required=ITEM_COLUMNS, kind="Sold Order Items")
    for file in files:
        for row in paired.checked_rows(file, check):
            transaction = text(row.cells.get("Transaction ID"))
            if transaction:
                if transaction in transactions:
                    continue
                transactions.add(transaction)
            number = text(row.cells["Order ID"])
            basket = baskets.get(number)
            if basket is None:
                basket = baskets[number] = _Basket()
            if basket.error is None:
                _add_item(file, row, number, basket)
    return baskets


def _add_item(file: InputFile, row: Row, number: str, basket: _Basket) -> None:
    cells = row.cells
    try:
        title = text(cells["Item Name"])
        variations = text(cells.get("Variations"))
        line = OrderLine(
            # Interned: the same few listings fill every order, so 100k orders share them.
            sku=sys.intern(text(cells.get("SKU"))),
            title=sys.intern(f"{title} ({variations})" if variations else title),
            quantity=quantity(cells["Quantity"], "Quantity"),
            unit_price=_amount(cells["Price"], "Price"),  # Price is per unit; Item Total = qty × it
        )
        paid_at = optional_timestamp(cells.get("Date Paid"), "Date Paid", DATE_FORMATS)
    except FieldProblem as problem:
        basket.error = row.reject(file.display, problem, number)
        return
    basket.lines.append(line)
    basket.paid_at = basket.paid_at or paid_at


def _order(
    file: InputFile, row: Row, number: str, basket: _Basket | None
) -> ChannelOrder | RowError:
    try:
        if not number:
            raise FieldProblem("Order ID", "an order ID is required")
        if basket is None:
            raise FieldProblem("Order ID", "no items for this order in the items file")
        if basket.error is not None:
            return basket.error
        return _build(file, row, number, basket)
    except FieldProblem as problem:
        return row.reject(file.display, problem, number)


def _build(file: InputFile, row: Row, number: str, basket: _Basket) -> ChannelOrder:
    cells = row.cells
    lines = tuple(basket.lines)
    units = sum(line.quantity for line in lines)
    if text(cells.get("Number of Items")):
        expected = quantity(cells["Number of Items"], "Number of Items")
        if expected != units:
            raise FieldProblem(
                "Number of Items",
                f"the order says {expected} items but the items file has {units}"
                " (download both files for the same period)",
            )
    paid_at = basket.paid_at
    status = text(cells.get("Status")).casefold()
    paid = paid_at is not None or status in PAID_STATUSES
    discount = _amount(cells.get("Discount Amount"), "Discount Amount", default=Decimal("0"))
    discount += _amount(cells.get("Shipping Discount"), "Shipping Discount", default=Decimal("0"))
    name = text(cells["Full Name"])
    return ChannelOrder(
        channel=READER.name,
        channel_order_no=number,
        ordered_at=timestamp(cells["Sale Date"], "Sale Date", DATE_FORMATS),
        lines=lines,
        ship_to=Address(
            name=name,
            street1=text(cells["Street 1"]),
            street2=text(cells["Street 2"]),
            city=text(cells["Ship City"]),
            province=text(cells["Ship State"]),
            postal_code=postal_code(cells["Ship Zipcode"]),
            country=country(cells["Ship Country"], "Ship Country"),
        ),
        buyer_name=name,
        currency=text(cells["Currency"]).upper(),
        subtotal=_amount(cells["Order Value"], "Order Value"),
        shipping_total=_amount(cells["Shipping"], "Shipping", default=Decimal("0")),
        tax_total=_amount(cells["Sales Tax"], "Sales Tax", default=Decimal("0")),
        discount_total=discount,
        total=_amount(cells["Order Total"], "Order Total"),
        payment_status=PaymentStatus.PAID if paid else PaymentStatus.PENDING,
        paid_at=paid_at,
        source=SourceRef(file.display, row.line),
    )


def _amount(value: str | None, column: str, *, default: Decimal | None = None) -> Decimal:
    """An Etsy amount, with or without a leading currency symbol ('$18.50' or '18.50')."""
    raw = text(value)
    for symbol in _SYMBOLS:
        if raw.startswith(symbol):
            raw = raw[len(symbol) :]
            break
    return money(raw, column, default=default)
