"""WooCommerce: the "Advanced Order Export For WooCommerce" plugin's CSV (AlgolPlus).

WooCommerce itself exports no orders; this free plugin is the common way out. With its defaults
each product is a row and the order columns are repeated on every row (or left blank on later
rows when "populate other columns" is off), so an order is the run of consecutive rows with one
order number. Labels changed between plugin versions and users may rename columns, so both
the current and the older default labels are accepted, by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import chain

from omsctl.channels.base import FieldProblem, Head, InputFile, Row, read_rows
from omsctl.channels.normalize import (
    country,
    money,
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

ORDER_NUMBER = ("Order Number", "Order Id")
ORDER_STATUS = "Order Status"
ORDER_DATE = "Order Date"
SKU = "SKU"
QUANTITY = "Quantity"
ITEM_PRICE = ("Item Cost", "Price")  # "Item Cost" is per unit after discounts, before tax

#: The plugin's date setting defaults to Y-m-d and H:i; the time is the shop's, without a zone.
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
ISO_ONLY: tuple[str, ...] = ()
ZERO = Decimal("0")

_PAID = PaymentStatus.PAID
_PENDING = PaymentStatus.PENDING
#: slug (or the label the plugin writes, lower case, spaces as dashes) -> (status, cancelled?)
STATUSES: dict[str, tuple[PaymentStatus, bool]] = {
    "pending": (_PENDING, False),
    "pending-payment": (_PENDING, False),
    "on-hold": (_PENDING, False),
    "processing": (_PAID, False),
    "completed": (_PAID, False),
    "cancelled": (_PENDING, True),
    "failed": (_PENDING, True),
    "refunded": (PaymentStatus.REFUNDED, False),
}


@dataclass(frozen=True, slots=True)
class _Block:
    """The columns of one address block in this file (None where the file lacks one)."""

    full_name: str | None
    first_name: str | None
    last_name: str | None
    company: str | None
    street1: str | None  # "Address 1" or, in newer labels, "Address 1&2"
    street2: str | None
    city: str | None
    province: str | None
    postal_code: str | None
    country: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class _Columns:
    """Which label this file uses for each field, decided once from its header."""

    number: str
    price: str
    title: str
    paid: str | None
    shipping: _Block
    billing: _Block
    email: str | None
    note: str | None
    method: str | None
    currency: str | None
    subtotal: str | None
    shipping_total: str | None
    tax: str | None
    discount: str | None
    total: str | None
    refund: str | None


class WooCommerceReader:
    """Reads Advanced Order Export CSVs; see the module docstring."""

    name = "woocommerce"
    description = "WooCommerce order export (Advanced Order Export plugin, one row per product)"
    encodings: tuple[str, ...] = ("utf-8-sig",)

    def match(self, head: Head) -> tuple[str, int] | None:
        fields = set(head.first_fields(","))
        if (
            any(name in fields for name in ORDER_NUMBER)
            and {ORDER_STATUS, ORDER_DATE, SKU, QUANTITY} <= fields
            # every default export has billing or shipping columns labelled like this
            and any(name.endswith((" (Billing)", " (Shipping)")) for name in fields)
        ):
            return ("orders", 1)
        return None

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        for file in files:
            yield from _read_file(file)


class _Pending:
    """The order being read: its fields from the first row, its lines as they arrive."""

    __slots__ = ("fields", "lines", "number")

    def __init__(self, number: str, fields: dict[str, object], first_line: OrderLine) -> None:
        self.number = number
        self.fields = fields
        self.lines = [first_line]

    def order(self) -> ChannelOrder:
        return ChannelOrder(lines=tuple(self.lines), **self.fields)  # type: ignore[arg-type]


def _read_file(file: InputFile) -> Iterator[ChannelOrder | RowError]:
    display = file.display
    rows = read_rows(file)
    first = next(rows, None)
    if first is None:
        return
    columns = _columns(first.cells, display)
    number_column = columns.number

    current: str | None = None  # the order number of the run of rows being read
    pending: _Pending | None = None  # None while skipping the rest of a rejected order
    for row in chain((first,), rows):
        cells = row.cells
        number = cells[number_column].strip()
        # A blank number continues the order above: the plugin leaves order columns empty on
        # product rows when "populate other columns" is off.
        if number == current or (not number and current is not None):
            if pending is None or _no_item(cells, columns):
                continue  # a rejected order, or a row that only carries a second coupon
            try:
                pending.lines.append(_line(cells, columns))
            except FieldProblem as problem:
                yield row.reject(display, problem, pending.number)
                pending = None
            continue

        if pending is not None:
            yield pending.order()
        current = number
        try:
            pending = _start(display, row, columns)
        except FieldProblem as problem:
            yield row.reject(display, problem, number)
            pending = None
    if pending is not None:
        yield pending.order()


def _columns(cells: dict[str, str], display: str) -> _Columns:
    """Resolve the labels of this file, or refuse it naming every missing column."""

    def pick(*names: str) -> str | None:
        return next((name for name in names if name in cells), None)

    number = pick(*ORDER_NUMBER)
    price = pick(*ITEM_PRICE)
    title = pick("Name")
    missing = []
    if number is None:
        missing.append("'Order Number' (or 'Order Id')")
    missing += [
        repr(name) for name in (ORDER_STATUS, ORDER_DATE, SKU, QUANTITY) if name not in cells
    ]
    if title is None:
        missing.append("'Name'")
    if price is None:
        missing.append("'Item Cost' (or 'Price')")
    if missing or number is None or price is None or title is None:
        raise InputProblem(
            f"{display}: not a complete WooCommerce order export: missing column(s) "
            + ", ".join(missing),
            hint="add them to the Advanced Order Export profile, or import with a --mapping",
        )

    def block(kind: str) -> _Block:
        address1 = pick(f"Address 1 ({kind})")
        return _Block(
            full_name=pick(f"Full Name ({kind})"),
            first_name=pick(f"First Name ({kind})"),
            last_name=pick(f"Last Name ({kind})"),
            company=pick(f"Company ({kind})"),
            # "Address 1&2" already holds line 2, so "Address 2" goes only with "Address 1"
            street1=address1 or pick(f"Address 1&2 ({kind})"),
            street2=pick(f"Address 2 ({kind})") if address1 else None,
            city=pick(f"City ({kind})"),
            province=pick(f"State Code ({kind})", f"State ({kind})", f"State Name ({kind})"),
            postal_code=pick(f"Postcode ({kind})", f"Zip ({kind})"),
            country=pick(
                f"Country Code ({kind})", f"Country Name ({kind})", f"Country Name({kind})"
            ),
            phone=pick(f"Phone ({kind})"),
        )

    return _Columns(
        number=number,
        price=price,
        title=title,
        paid=pick("Paid Date"),
        shipping=block("Shipping"),
        billing=block("Billing"),
        email=pick("Email (Billing)"),
        note=pick("Customer Note"),
        method=pick("Shipping Method Title"),
        currency=pick("Currency"),
        subtotal=pick("Order Subtotal Amount"),
        shipping_total=pick("Order Shipping Amount"),
        # "Order Tax Amount" leaves out the tax on shipping; the total tax is what was charged.
        tax=pick("Order Total Tax Amount", "Order Tax Amount"),
        discount=pick("Cart Discount Amount"),
        total=pick("Order Total Amount"),
        refund=pick("Order Refund Amount"),
    )


def _no_item(cells: dict[str, str], columns: _Columns) -> bool:
    """A later row with no product: the plugin adds one for each coupon beyond the products."""
    return not (text(cells[SKU]) or text(cells[columns.title]) or text(cells[QUANTITY]))


def _line(cells: dict[str, str], columns: _Columns) -> OrderLine:
    price = columns.price
    return OrderLine(
        text(cells[SKU]),
        text(cells[columns.title]),
        quantity(cells[QUANTITY], QUANTITY),
        money(cells[price], price),
    )


def _start(display: str, row: Row, columns: _Columns) -> _Pending:
    """Parse an order's first row; any bad value raises `FieldProblem` for the whole order."""
    cells = row.cells

    def get(column: str | None) -> str:
        return text(cells[column]) if column else ""

    number = get(columns.number)
    if not number:
        raise FieldProblem(columns.number, "an order number is required")
    ordered_at = _time(cells[ORDER_DATE], ORDER_DATE)

    raw_status = text(cells[ORDER_STATUS])
    slug = raw_status.casefold().replace(" ", "-").removeprefix("wc-")
    if slug not in STATUSES:
        if not raw_status:
            raise FieldProblem(ORDER_STATUS, "an order status is required")
        known = ", ".join(STATUSES)
        raise FieldProblem(ORDER_STATUS, f"{raw_status!r} is not one of {known}")
    status, cancelled = STATUSES[slug]

    refunded = abs(_money(cells, columns.refund) or ZERO)
    if status is _PAID and refunded:
        status = PaymentStatus.PARTIALLY_REFUNDED
    if columns.paid:
        raw_paid = cells[columns.paid]
        paid_at = _time(raw_paid, columns.paid) if text(raw_paid) else None
    else:
        # Without a paid date: "processing", "completed" and "refunded" were paid at checkout.
        paid_at = ordered_at if status is not _PENDING else None

    billing = columns.billing
    buyer_phone = get(billing.phone) or get(columns.shipping.phone)
    ship_to = _address(get, columns.shipping, buyer_phone)
    if not _has_address(ship_to):  # virtual products and pickups leave shipping blank
        ship_to = _address(get, billing, buyer_phone)

    fields: dict[str, object] = {
        "channel": "woocommerce",
        "channel_order_no": number,
        "ordered_at": ordered_at,
        "ship_to": ship_to,
        "buyer_name": _name(get, billing) or ship_to.name,
        "buyer_email": get(columns.email),
        "buyer_phone": buyer_phone,
        "service_level": get(columns.method),
        "buyer_note": get(columns.note),
        "currency": get(columns.currency).upper(),
        "subtotal": _money(cells, columns.subtotal),
        "shipping_total": _money(cells, columns.shipping_total) or ZERO,
        "tax_total": _money(cells, columns.tax) or ZERO,
        "discount_total": _money(cells, columns.discount) or ZERO,
        "total": _money(cells, columns.total),
        "payment_status": status,
        "paid_at": paid_at,
        "cancelled_at": ordered_at if cancelled else None,
        "refunded_total": refunded,
        "source": SourceRef(display, row.line),
    }
    return _Pending(number, fields, _line(cells, columns))


def _time(value: str, column: str) -> datetime:
    """ISO first (fast, and covers the defaults); the formats word the refusal."""
    try:
        return timestamp(value, column, ISO_ONLY)
    except FieldProblem:
        return timestamp(value, column, TIME_FORMATS)


def _money(cells: dict[str, str], column: str | None) -> Decimal | None:
    """An order amount, or None when the column is absent or blank (unknown is not zero)."""
    if column is None or not text(cells[column]):
        return None
    return money(cells[column], column)


def _name(get: Callable[[str | None], str], block: _Block) -> str:
    return get(block.full_name) or f"{get(block.first_name)} {get(block.last_name)}".strip()


def _address(get: Callable[[str | None], str], block: _Block, buyer_phone: str) -> Address:
    """The block as an address; without a phone of its own (older WooCommerce has no shipping
    phone) the buyer's phone is the one a carrier can call."""
    return Address(
        name=_name(get, block),
        company=get(block.company),
        street1=get(block.street1),
        street2=get(block.street2),
        city=get(block.city),
        province=get(block.province),
        postal_code=postal_code(get(block.postal_code)),
        country=country(get(block.country), block.country or ""),
        phone=get(block.phone) or buyer_phone,
    )


def _has_address(address: Address) -> bool:
    return bool(
        address.name
        or address.street1
        or address.street2
        or address.city
        or address.postal_code
        or address.country
    )


READER = WooCommerceReader()
