"""Amazon Seller Central: the order report and the Unshipped Orders report (tab-separated).

Both have one row per order item and repeat the order's buyer and recipient on every row, so an
order is the run of consecutive rows with one `order-id`. Amazon never quotes and titles hold raw
`"` (inch marks), so quoting is off. Money columns are totals for the row's quantity, not unit
prices; the unshipped report has no money at all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain

from omsctl.channels.base import FieldProblem, Head, InputFile, Row, read_rows
from omsctl.channels.normalize import (
    country,
    money,
    optional_timestamp,
    postal_code,
    quantity,
    text,
    timestamp,
)
from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import (
    Address,
    ChannelOrder,
    OrderLine,
    PaymentStatus,
    RowError,
    SourceRef,
)

ORDER_ID = "order-id"
ORDER_ITEM_ID = "order-item-id"
PURCHASE_DATE = "purchase-date"
PAYMENTS_DATE = "payments-date"
SKU = "sku"
PRODUCT_NAME = "product-name"
QUANTITY_PURCHASED = "quantity-purchased"
QUANTITY_TO_SHIP = "quantity-to-ship"
CURRENCY = "currency"
ITEM_PRICE = "item-price"
ITEM_TAX = "item-tax"
SHIPPING_PRICE = "shipping-price"
SHIPPING_TAX = "shipping-tax"
ITEM_PROMOTION = "item-promotion-discount"
SHIP_PROMOTION = "ship-promotion-discount"

MATCH_COLUMNS = frozenset({ORDER_ID, ORDER_ITEM_ID, PURCHASE_DATE, SKU})
ORDER_REPORT_COLUMNS = (
    ORDER_ID,
    ORDER_ITEM_ID,
    PURCHASE_DATE,
    SKU,
    PRODUCT_NAME,
    QUANTITY_PURCHASED,
    CURRENCY,
    ITEM_PRICE,
)
UNSHIPPED_REPORT_COLUMNS = (
    ORDER_ID,
    ORDER_ITEM_ID,
    PURCHASE_DATE,
    SKU,
    PRODUCT_NAME,
    QUANTITY_TO_SHIP,
)

#: Real files use ISO 8601 with an offset, which `timestamp` reads without a format.
ISO_ONLY: tuple[str, ...] = ()
ZERO = Decimal("0")


class AmazonReader:
    """Reads Amazon's order report and Unshipped Orders report; see the module docstring."""

    name = "amazon"
    description = "Amazon Seller Central order report or Unshipped Orders report (tab-separated)"
    #: UTF-8 is documented for uploads; the encoding of US/EU downloads is not, so cp1252 too.
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")

    def match(self, head: Head) -> tuple[str, int] | None:
        fields = set(head.first_fields("\t"))
        quantity_column = QUANTITY_PURCHASED in fields or QUANTITY_TO_SHIP in fields
        if fields >= MATCH_COLUMNS and quantity_column:
            return ("orders", 1)
        return None

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        for file in files:
            yield from _read_file(file)


class _Pending:
    """The order being read: fields from its first row, lines and money sums as rows arrive."""

    __slots__ = ("discount", "fields", "item_total", "lines", "number", "shipping", "tax")

    def __init__(self, number: str, fields: dict[str, object]) -> None:
        self.number = number
        self.fields = fields
        self.lines: list[OrderLine] = []
        self.item_total = ZERO
        self.shipping = ZERO
        self.tax = ZERO
        self.discount = ZERO

    def order(self, priced: bool) -> ChannelOrder | None:
        """The finished order, or None when none of its items is left to ship."""
        if not self.lines:
            return None
        if priced:
            return ChannelOrder(
                lines=tuple(self.lines),
                subtotal=self.item_total,
                shipping_total=self.shipping,
                tax_total=self.tax,
                discount_total=self.discount,
                **self.fields,  # type: ignore[arg-type]
            )
        return ChannelOrder(lines=tuple(self.lines), **self.fields)  # type: ignore[arg-type]


def _read_file(file: InputFile) -> Iterator[ChannelOrder | RowError]:
    display = file.display
    rows = read_rows(file, delimiter="\t", quoting=csv.QUOTE_NONE)
    first = next(rows, None)
    if first is None:
        return
    unshipped = QUANTITY_TO_SHIP in first.cells
    _check_columns(first.cells, display, unshipped)
    add = _add_unshipped_item if unshipped else _add_item
    priced = not unshipped

    current: str | None = None  # the order-id of the run of rows being read
    pending: _Pending | None = None  # None while skipping the rest of a rejected order
    for row in chain((first,), rows):
        number = row.cells[ORDER_ID]
        if number != current:
            if pending is not None and (order := pending.order(priced)) is not None:
                yield order
            current = number
            try:
                pending = _start(display, row, priced)
            except FieldProblem as problem:
                yield row.reject(display, problem, text(number))
                pending = None
                continue
        elif pending is None:
            continue
        try:
            add(pending, row.cells)
        except FieldProblem as problem:
            yield row.reject(display, problem, pending.number)
            pending = None
    if pending is not None and (order := pending.order(priced)) is not None:
        yield order


def _check_columns(cells: dict[str, str], display: str, unshipped: bool) -> None:
    required = UNSHIPPED_REPORT_COLUMNS if unshipped else ORDER_REPORT_COLUMNS
    missing = [name for name in required if name not in cells]
    if missing:
        report = "Unshipped Orders report" if unshipped else "order report"
        raise InputProblem(
            f"{display}: not a complete Amazon {report}: missing column(s) "
            + ", ".join(repr(name) for name in missing),
            hint="download the report again from Seller Central (Orders › Order Reports)",
        )


def _start(display: str, row: Row, priced: bool) -> _Pending:
    """Parse the order-level fields of an order's first row (items are added separately)."""
    cells = row.cells
    get = cells.get
    number = text(cells[ORDER_ID])
    if not number:
        raise FieldProblem(ORDER_ID, "an order id is required")
    ordered_at = timestamp(cells[PURCHASE_DATE], PURCHASE_DATE, ISO_ONLY)
    paid_at = optional_timestamp(get(PAYMENTS_DATE), PAYMENTS_DATE, ISO_ONLY)
    buyer_phone = text(get("buyer-phone-number"))
    street2 = text(get("ship-address-2"))
    street3 = text(get("ship-address-3"))
    if street3:
        street2 = f"{street2}, {street3}" if street2 else street3
    ship_to = Address(
        name=text(get("recipient-name")),
        street1=text(get("ship-address-1")),
        street2=street2,
        city=text(get("ship-city")),
        province=text(get("ship-state")),
        postal_code=postal_code(get("ship-postal-code")),
        country=country(get("ship-country"), "ship-country"),
        phone=text(get("ship-phone-number")) or buyer_phone,
    )
    fields: dict[str, object] = {
        "channel": "amazon",
        "channel_order_no": number,
        "ordered_at": ordered_at,
        "ship_to": ship_to,
        "buyer_name": text(get("buyer-name")),
        "buyer_email": text(get("buyer-email")),
        "buyer_phone": buyer_phone,
        "service_level": text(get("ship-service-level")),
        "buyer_note": text(get("delivery-Instructions") or get("delivery-instructions")),
        "currency": text(get(CURRENCY)).upper() if priced else "",
        "payment_status": PaymentStatus.PAID if paid_at else PaymentStatus.PENDING,
        "paid_at": paid_at,
        "source": SourceRef(display, row.line),
    }
    return _Pending(number, fields)


def _add_item(pending: _Pending, cells: dict[str, str]) -> None:
    """One order-report row: its money is for the whole quantity, so divide for the unit."""
    count = quantity(cells[QUANTITY_PURCHASED], QUANTITY_PURCHASED)
    price = money(cells[ITEM_PRICE], ITEM_PRICE)
    get = cells.get
    pending.lines.append(
        OrderLine(text(cells[SKU]), text(cells[PRODUCT_NAME]), count, unit_price(price, count))
    )
    pending.item_total += price
    pending.shipping += money(get(SHIPPING_PRICE), SHIPPING_PRICE, default=ZERO)
    pending.tax += money(get(ITEM_TAX), ITEM_TAX, default=ZERO) + money(
        get(SHIPPING_TAX), SHIPPING_TAX, default=ZERO
    )
    # Promotions appear as negative or positive amounts depending on the report; a discount
    # is a discount either way.
    pending.discount += abs(money(get(ITEM_PROMOTION), ITEM_PROMOTION, default=ZERO)) + abs(
        money(get(SHIP_PROMOTION), SHIP_PROMOTION, default=ZERO)
    )


def _add_unshipped_item(pending: _Pending, cells: dict[str, str]) -> None:
    """One unshipped-report row: only what is still to ship becomes a line, with no price."""
    raw = cells[QUANTITY_TO_SHIP]
    if text(raw) == "0":
        return
    pending.lines.append(
        OrderLine(
            text(cells[SKU]),
            text(cells[PRODUCT_NAME]),
            quantity(raw, QUANTITY_TO_SHIP),
            ZERO,
        )
    )


def unit_price(total: Decimal, count: int) -> Decimal:
    """The price of one unit from a row total, never losing a cent.

    Rounded to the input's own places when that is exact (25.98 for 2 is 12.99, 10.00 for 4 is
    2.50); otherwise the full quotient is kept (10.01 for 4 is 2.5025), so unit × quantity still
    gives back the total Amazon charged.
    """
    if count == 1:
        return total
    unit = total / count
    places = total.as_tuple().exponent
    if isinstance(places, int):
        rounded = unit.quantize(Decimal(1).scaleb(places))
        if rounded * count == total:
            return rounded
    return unit


READER = AmazonReader()
