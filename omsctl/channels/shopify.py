"""Shopify: Admin › Orders › Export (`orders_export.csv`), one row per line item.

The first row of an order carries the order fields; later rows repeat only `Name`, `Email` and
`Created at` next to their line item, so an order is the run of consecutive rows with one `Name`
(a run may go on into the next file of the same export). Columns are looked up by name because
Shopify has appended columns over the years.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import chain
from operator import itemgetter

from omsctl.channels.base import FieldProblem, Head, InputFile, read_records
from omsctl.channels.normalize import (
    country,
    money,
    postal_code,
    quantity,
    text,
    texts,
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


#: What an order's first row is read from, in `_start`'s order (line item columns last).
ORDER_COLUMNS = (
    NAME,
    CREATED_AT,
    FINANCIAL_STATUS,
    "Phone",
    "Billing Name",
    "Email",
    "Shipping Method",
    "Notes",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Discount Amount",
    "Total",
    "Paid at",
    "Cancelled at",
    "Refunded Amount",
    *SHIPPING,
    *BILLING,
    LINE_SKU,
    LINE_TITLE,
    LINE_QUANTITY,
    LINE_PRICE,
)


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
    # A million-row export is read as lists, by column position: a dict per row (`read_rows`)
    # cost as much as everything else the reader does.
    display = file.display
    records = read_records(file)
    header = next(records, (0, []))[1]
    first = next(records, None)
    if first is None:
        return
    _check_columns(header, display)
    width = len(header)
    position = {name: i for i, name in enumerate(header)}
    # An optional column the file lacks reads as the '' appended past the header's width.
    complete = all(name in position for name in ORDER_COLUMNS)
    pick = itemgetter(*(position.get(name, width) for name in ORDER_COLUMNS))
    i_name, i_status = position[NAME], position[FINANCIAL_STATUS]
    i_sku, i_title, i_qty, i_price = (
        position[c] for c in (LINE_SKU, LINE_TITLE, LINE_QUANTITY, LINE_PRICE)
    )

    current, pending = run.current, run.pending
    if first[1][i_name] == current and text(first[1][i_status]):
        # The same order again in full (overlapping exports), not the rest of a split one:
        # keep both copies whole and let the import see the duplicate.
        if pending is not None:
            yield pending.order()
        current = pending = None

    # Locals, not globals, in the loop that runs once per line item.
    clean, count, amount, make_line = text, quantity, money, OrderLine
    qty, price = LINE_QUANTITY, LINE_PRICE
    for line, cells in chain((first,), records):
        number = cells[i_name]
        if number == current:
            if pending is None:
                continue
            try:
                pending.lines.append(
                    make_line(
                        clean(cells[i_sku]),
                        clean(cells[i_title]),
                        count(cells[i_qty], qty),
                        amount(cells[i_price], price),
                    )
                )
            except FieldProblem as problem:
                yield _error(display, line, header, cells, problem, pending.number)
                pending = None
            continue

        if pending is not None:
            yield pending.order()
        current = number
        try:
            values = pick(cells if complete else [*cells[:width], ""])
            pending = _start(display, line, texts(values))
        except FieldProblem as problem:
            yield _error(display, line, header, cells, problem, text(number))
            pending = None
    run.current, run.pending = current, pending


def _check_columns(header: Sequence[str], display: str) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InputProblem(
            f"{display}: not a complete Shopify order export: missing column(s) "
            + ", ".join(repr(name) for name in missing),
            hint="export the orders again from Shopify admin (Orders › Export)",
        )


def _error(
    display: str,
    line: int,
    header: Sequence[str],
    cells: Sequence[str],
    problem: FieldProblem,
    number: str,
) -> RowError:
    return RowError(
        file=display,
        line=line,
        column=problem.column,
        reason=problem.reason,
        channel_order_no=number,
        # The record as `read_rows` gives it: one value per distinct column name.
        raw=tuple(dict(zip(header, cells, strict=False)).values()),
    )


def _start(display: str, line: int, values: Sequence[str]) -> _Pending:
    """Parse an order's first row (`ORDER_COLUMNS`, through `texts`); a bad value raises
    `FieldProblem` for the whole order."""
    (
        number,
        created_at,
        raw_status,
        phone,
        billing_name,
        email,
        method,
        notes,
        currency,
        subtotal,
        shipping,
        taxes,
        discount,
        total,
        paid_at,
        cancelled_at,
        refunded,
        *blocks,
        sku,
        title,
        qty,
        price,
    ) = values
    if not number:
        raise FieldProblem(NAME, "an order number is required")
    ordered_at = _time(created_at, CREATED_AT)

    status = PAYMENT_STATUSES.get(raw_status.lower())
    if status is None:
        if not raw_status:
            raise FieldProblem(
                FINANCIAL_STATUS,
                "is empty on the order's first row (are this order's rows split up?)",
            )
        known = ", ".join(PAYMENT_STATUSES)
        raise FieldProblem(FINANCIAL_STATUS, f"{raw_status!r} is not one of {known}")

    shipping_block, billing_block = blocks[: len(SHIPPING)], blocks[len(SHIPPING) :]
    buyer_phone = phone or shipping_block[-1] or billing_block[-1]
    if _has_address(shipping_block):
        ship_to = _address(shipping_block, SHIPPING, buyer_phone)
    else:
        ship_to = _address(billing_block, BILLING, buyer_phone)

    first_line = OrderLine(sku, title, quantity(qty, LINE_QUANTITY), money(price, LINE_PRICE))
    fields: dict[str, object] = {
        "channel": "shopify",
        "channel_order_no": number,
        "ordered_at": ordered_at,
        "ship_to": ship_to,
        "buyer_name": billing_name or ship_to.name,
        "buyer_email": email,
        "buyer_phone": buyer_phone,
        "service_level": method,
        "buyer_note": notes,
        "currency": currency.upper(),
        "subtotal": money(subtotal, "Subtotal") if subtotal else None,
        "shipping_total": money(shipping, "Shipping", default=ZERO),
        "tax_total": money(taxes, "Taxes", default=ZERO),
        "discount_total": money(discount, "Discount Amount", default=ZERO),
        "total": money(total, "Total") if total else None,  # unknown is not zero
        "payment_status": status,
        "paid_at": _time(paid_at, "Paid at") if paid_at else None,
        "cancelled_at": _time(cancelled_at, "Cancelled at") if cancelled_at else None,
        "refunded_total": money(refunded, "Refunded Amount", default=ZERO),
        "source": SourceRef(display, line),
    }
    return _Pending(number, fields, first_line)


def _time(value: str, column: str) -> datetime:
    """`Created at` and friends (Python's ISO parser reads them; see `timestamp`)."""
    return timestamp(value, column, TIME_FORMATS)


def _has_address(values: Sequence[str]) -> bool:
    """Whether a block holds any address at all; draft orders often leave Shipping blank."""
    name, _company, address1, address2, street, city, _prov, _prov_name, zip_, cntry, _ = values
    return any((name, address1, address2, street, city, zip_, cntry))


def _address(values: Sequence[str], block: tuple[str, ...], buyer_phone: str) -> Address:
    """The block as an address; without a phone of its own, the buyer's is the one to call."""
    name, company, address1, address2, street, city, province, province_name, zip_, cntry, phone = (
        values
    )
    return Address(
        name=name,
        company=company,
        # "<prefix> Street" is Address1 and Address2 joined; only a fallback for old subsets.
        street1=address1 or street,
        street2=address2,
        city=city,
        province=province or province_name,
        postal_code=postal_code(zip_),
        country=country(cntry, block[9]),
        phone=phone or buyer_phone,
    )


READER = ShopifyReader()
