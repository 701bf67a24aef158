"""Shopify: Admin › Orders › Export (`orders_export.csv`), one row per line item.

The first row of an order carries the order fields; later rows repeat only `Name`, `Email` and
`Created at` next to their line item, so an order is the run of consecutive rows with one `Name`
(a run may go on into the next file of the same export). Columns are looked up by name because
Shopify has appended columns over the years.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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

NAME = "Name"
CREATED_AT = "Created at"
FINANCIAL_STATUS = "Financial Status"
LINE_QUANTITY = "Lineitem quantity"
LINE_TITLE = "Lineitem name"
LINE_PRICE = "Lineitem price"
LINE_SKU = "Lineitem sku"

#: Enough to tell a Shopify export from every other format, few enough to survive subsets.
MATCH_COLUMNS = frozenset({NAME, LINE_QUANTITY, LINE_SKU, CREATED_AT})
#: Without these no order can be built; every other column is optional.
REQUIRED_COLUMNS = (
    NAME,
    CREATED_AT,
    FINANCIAL_STATUS,
    LINE_QUANTITY,
    LINE_TITLE,
    LINE_PRICE,
    LINE_SKU,
)

TIME_FORMATS = ("%Y-%m-%d %H:%M:%S %z",)
#: Tried first: `timestamp` falls back to Python's ISO parser anyway, and that parser reads
#: Shopify's times too, at a tenth of strptime's cost per order.
ISO_ONLY: tuple[str, ...] = ()
ZERO = Decimal("0")

PAYMENT_STATUSES: dict[str, PaymentStatus] = {
    "paid": PaymentStatus.PAID,
    "partially_refunded": PaymentStatus.PARTIALLY_REFUNDED,
    "refunded": PaymentStatus.REFUNDED,
    "pending": PaymentStatus.PENDING,
    "authorized": PaymentStatus.PENDING,
    "partially_paid": PaymentStatus.PENDING,
    "voided": PaymentStatus.PENDING,
    # An authorisation that lapsed: nothing was captured (Shopify's "Expired" financial status).
    "expired": PaymentStatus.PENDING,
}


def _block(prefix: str) -> tuple[str, ...]:
    """The address columns of one block, in `_address` order."""
    return tuple(
        f"{prefix} {part}"
        for part in (
            "Name",
            "Company",
            "Address1",
            "Address2",
            "Street",
            "City",
            "Province",
            "Province Name",
            "Zip",
            "Country",
            "Phone",
        )
    )


SHIPPING = _block("Shipping")
BILLING = _block("Billing")


class ShopifyReader:
    """Reads Shopify's order export; see the module docstring for its layout."""

    name = "shopify"
    description = "Shopify admin order export (orders_export.csv, one row per line item)"
    encodings: tuple[str, ...] = ("utf-8-sig",)

    def match(self, head: Head) -> tuple[str, int] | None:
        return ("orders", 1) if set(head.first_fields(",")) >= MATCH_COLUMNS else None

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        run = _Run()
        for file in files:
            yield from _read_file(file, run)
        if run.pending is not None:
            yield run.pending.order()


class _Pending:
    """The order being read: its fields from the first row, its lines as they arrive."""

    __slots__ = ("fields", "lines", "number")

    def __init__(self, number: str, fields: dict[str, object], first_line: OrderLine) -> None:
        self.number = number
        self.fields = fields
        self.lines = [first_line]

    def order(self) -> ChannelOrder:
        return ChannelOrder(lines=tuple(self.lines), **self.fields)  # type: ignore[arg-type]


class _Run:
    """The order still open at the end of a file: the next file of the export may continue it."""

    __slots__ = ("current", "pending")

    def __init__(self) -> None:
        self.current: str | None = None  # the Name of the run of rows being read
        self.pending: _Pending | None = None  # None while skipping the rest of a rejected order


def _read_file(file: InputFile, run: _Run) -> Iterator[ChannelOrder | RowError]:
    display = file.display
    rows = read_rows(file)
    first = next(rows, None)
    if first is None:
        return
    _check_columns(first.cells, display)

    current, pending = run.current, run.pending
    if first.cells[NAME] == current and text(first.cells[FINANCIAL_STATUS]):
        # The same order again in full (overlapping exports), not the rest of a split one:
        # keep both copies whole and let the import see the duplicate.
        if pending is not None:
            yield pending.order()
        current = pending = None

    # Locals, not globals, in the loop that runs once per line item.
    clean, count, amount, make_line = text, quantity, money, OrderLine
    sku, title, qty, price = LINE_SKU, LINE_TITLE, LINE_QUANTITY, LINE_PRICE
    for row in chain((first,), rows):
        cells = row.cells
        number = cells[NAME]
        if number == current:
            if pending is None:
                continue
            try:
                pending.lines.append(
                    make_line(
                        clean(cells[sku]),
                        clean(cells[title]),
                        count(cells[qty], qty),
                        amount(cells[price], price),
                    )
                )
            except FieldProblem as problem:
                yield _error(display, row, problem, pending.number)
                pending = None
            continue

        if pending is not None:
            yield pending.order()
        current = number
        try:
            pending = _start(display, row)
        except FieldProblem as problem:
            yield _error(display, row, problem, text(number))
            pending = None
    run.current, run.pending = current, pending


def _check_columns(cells: dict[str, str], display: str) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in cells]
    if missing:
        raise InputProblem(
            f"{display}: not a complete Shopify order export: missing column(s) "
            + ", ".join(repr(name) for name in missing),
            hint="export the orders again from Shopify admin (Orders › Export)",
        )


def _error(display: str, row: Row, problem: FieldProblem, number: str) -> RowError:
    return RowError(
        file=display,
        line=row.line,
        column=problem.column,
        reason=problem.reason,
        channel_order_no=number,
        raw=tuple(row.cells.values()),
    )


def _start(display: str, row: Row) -> _Pending:
    """Parse an order's first row; any bad value raises `FieldProblem` for the whole order."""
    cells = row.cells
    get = cells.get
    number = text(cells[NAME])
    if not number:
        raise FieldProblem(NAME, "an order number is required")
    ordered_at = _time(cells[CREATED_AT], CREATED_AT)

    raw_status = text(cells[FINANCIAL_STATUS])
    status = PAYMENT_STATUSES.get(raw_status.lower())
    if status is None:
        if not raw_status:
            raise FieldProblem(
                FINANCIAL_STATUS,
                "is empty on the order's first row (are this order's rows split up?)",
            )
        known = ", ".join(PAYMENT_STATUSES)
        raise FieldProblem(FINANCIAL_STATUS, f"{raw_status!r} is not one of {known}")

    buyer_phone = text(get("Phone")) or text(get("Shipping Phone")) or text(get("Billing Phone"))
    block = SHIPPING if _has_address(get, SHIPPING) else BILLING
    ship_to = _address(get, block, buyer_phone)

    first_line = OrderLine(
        text(cells[LINE_SKU]),
        text(cells[LINE_TITLE]),
        quantity(cells[LINE_QUANTITY], LINE_QUANTITY),
        money(cells[LINE_PRICE], LINE_PRICE),
    )
    fields: dict[str, object] = {
        "channel": "shopify",
        "channel_order_no": number,
        "ordered_at": ordered_at,
        "ship_to": ship_to,
        "buyer_name": text(get("Billing Name")) or ship_to.name,
        "buyer_email": text(get("Email")),
        "buyer_phone": buyer_phone,
        "service_level": text(get("Shipping Method")),
        "buyer_note": text(get("Notes")),
        "currency": text(get("Currency")).upper(),
        "subtotal": _optional_money(get("Subtotal"), "Subtotal"),
        "shipping_total": money(get("Shipping"), "Shipping", default=ZERO),
        "tax_total": money(get("Taxes"), "Taxes", default=ZERO),
        "discount_total": money(get("Discount Amount"), "Discount Amount", default=ZERO),
        "total": _optional_money(get("Total"), "Total"),
        "payment_status": status,
        "paid_at": _optional_time(get("Paid at"), "Paid at"),
        "cancelled_at": _optional_time(get("Cancelled at"), "Cancelled at"),
        "refunded_total": money(get("Refunded Amount"), "Refunded Amount", default=ZERO),
        "source": SourceRef(display, row.line),
    }
    return _Pending(number, fields, first_line)


def _time(value: str, column: str) -> datetime:
    """`Created at` and friends; the strptime format is the fallback and words the refusal."""
    try:
        return timestamp(value, column, ISO_ONLY)
    except FieldProblem:
        return timestamp(value, column, TIME_FORMATS)


def _optional_time(value: str | None, column: str) -> datetime | None:
    return _time(value, column) if value and text(value) else None


def _optional_money(value: str | None, column: str) -> Decimal | None:
    """An amount, or None when the export leaves it out (unknown is not zero)."""
    return money(value, column) if text(value) else None


def _has_address(get: Callable[[str], str | None], block: tuple[str, ...]) -> bool:
    """Whether a block holds any address at all; draft orders often leave Shipping blank."""
    name, _company, address1, address2, street, city, _prov, _prov_name, zip_, cntry, _ = block
    return any(
        text(get(column)) for column in (name, address1, address2, street, city, zip_, cntry)
    )


def _address(get: Callable[[str], str | None], block: tuple[str, ...], buyer_phone: str) -> Address:
    """The block as an address; without a phone of its own, the buyer's is the one to call."""
    name, company, address1, address2, street, city, province, province_name, zip_, cntry, phone = (
        block
    )
    return Address(
        name=text(get(name)),
        company=text(get(company)),
        # "<prefix> Street" is Address1 and Address2 joined; only a fallback for old subsets.
        street1=text(get(address1)) or text(get(street)),
        street2=text(get(address2)),
        city=text(get(city)),
        province=text(get(province)) or text(get(province_name)),
        postal_code=postal_code(get(zip_)),
        country=country(get(cntry), cntry),
        phone=text(get(phone)) or buyer_phone,
    )


READER = ShopifyReader()
