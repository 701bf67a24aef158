"""eBay Seller Hub › Orders › Download report ("Orders report" CSV).

eBay publishes no spec; the layout is the one third-party parsers agree on
(shared/formats/channel-formats.md §4): junk before the header, a padding row, one row per
item, a summary row first for multi-item orders, and footer lines after the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

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

#: US `Sep-30-26`, AU `26-May-26`, each with or without a time; ISO dates fall through to
#: `timestamp`'s ISO fallback. The report has no zone, so times are read as UTC.
DATE_FORMATS = (
    "%b-%d-%y %H:%M:%S",
    "%b-%d-%y",
    "%d-%b-%y %H:%M:%S",
    "%d-%b-%y",
)

#: AU (and probably UK) files say "Postage" where US files say "Shipping".
SHIPPING_COLUMNS = ("Shipping And Handling", "Postage And Handling")
REQUIRED = (
    "Sales Record Number",
    "Order Number",
    "Item Number",
    "Item Title",
    "Custom Label",
    "Quantity",
    "Sold For",
    "Total Price",
    "Sale Date",
)
#: Tax the buyer paid: collected by the seller, or by eBay (US marketplace facilitator tax).
TAX_COLUMNS = ("Seller Collected Tax", "eBay Collected Tax")

#: The currency markers eBay writes in front of amounts ("$12.34", "AU $3,000.00", "£4.50").
CURRENCY_MARKERS = {
    "$": "USD",
    "US$": "USD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "£": "GBP",
    "€": "EUR",
}
_MARKED_AMOUNT = re.compile(r"(?P<marker>[A-Z]{0,3} ?\$|£|€|[A-Z]{3}(?= ))?\s*(?P<number>\S+)")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,2}")


class EbayReader:
    """Reads the Seller Hub orders report; one `ChannelOrder` per order number."""

    name = "ebay"
    description = "eBay Seller Hub orders report (Orders › Download report, CSV)"
    encodings: tuple[str, ...] = ("utf-8-sig",)

    def match(self, head: Head) -> tuple[str, int] | None:
        """The header is found by its cells, below however many junk lines eBay writes first."""
        for index in range(len(head.lines)):
            fields = head.first_fields(",", skip=index)
            if "Sales Record Number" in fields and "Order Number" in fields:
                return "orders", index + 1
        return None

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        for file in files:
            yield from _read_file(file)


READER = EbayReader()


def _read_file(file: InputFile) -> Iterator[ChannelOrder | RowError]:
    """Stream the rows, yielding an order as soon as a row of another order starts.

    The rows of one order are contiguous (summary row, then its items), so only one order is
    held in memory; only the keys of finished orders are kept, to catch a re-sorted file. The
    footer ends the data: nothing after it is an order.
    """
    group: list[Row] = []
    done: set[str] = set()
    checked = False
    for row in read_rows(file):
        if not checked:
            _check_columns(file, row)
            checked = True
        if _is_footer(row):
            break
        if group and _order_key(row) != _order_key(group[0]):
            yield _order(file, group, done)
            group = []
        group.append(row)
    if group:
        yield _order(file, group, done)


def _check_columns(file: InputFile, row: Row) -> None:
    missing = [name for name in REQUIRED if name not in row.cells]
    if not any(name in row.cells for name in SHIPPING_COLUMNS):
        missing.append(SHIPPING_COLUMNS[0])
    if missing:
        raise InputProblem(
            f"{file.display}: the eBay orders report lacks the column(s) {', '.join(missing)}",
            hint="download the report again from Seller Hub › Orders with all columns",
        )


def _is_footer(row: Row) -> bool:
    """`45,record(s) downloaded,from … to …` or `Seller ID : …`, in either spacing seen."""
    cells = [c.strip().casefold() for c in row.cells.values() if c.strip()]
    if not cells:
        return False
    return cells[0].startswith("seller id") or any("record(s) downloaded" in c for c in cells[:3])


def _order_key(row: Row) -> str:
    """Never-paid commitments have no order number; their sales record number keeps them apart."""
    number = text(row.cells["Order Number"])
    return number or f"record {text(row.cells['Sales Record Number'])}"


def _is_summary(row: Row) -> bool:
    return not text(row.cells["Item Number"])


def _order(file: InputFile, rows: list[Row], done: set[str]) -> ChannelOrder | RowError:
    """One order from its rows, or one RowError naming the row and column that failed."""
    number = text(rows[0].cells["Order Number"])
    at = rows[0]
    key = _order_key(at)
    try:
        if key in done:
            raise FieldProblem(
                "Order Number",
                "this order's rows are not together (was the report re-sorted?);"
                " download it again from Seller Hub",
            )
        done.add(key)
        if not number:
            raise FieldProblem(
                "Order Number",
                "no order number: an unpaid commitment that eBay has not made an order of yet"
                " (it is imported once the buyer pays)",
            )
        summary, items = _split(rows)
        lines = []
        for at in items:
            lines.append(_line(at))
        at = summary or items[0]
        return _build(file, number, at, lines, rows[0].line, is_summary=summary is not None)
    except FieldProblem as problem:
        return RowError(
            file=file.display,
            line=at.line,
            column=problem.column,
            reason=problem.reason,
            channel_order_no=number,
            raw=tuple(at.cells.values()),
        )


def _split(rows: list[Row]) -> tuple[Row | None, list[Row]]:
    """The summary row (if the order has several items) and the item rows."""
    if len(rows) == 1:
        if _is_summary(rows[0]):
            raise FieldProblem("Item Number", "a summary row without the item rows that follow it")
        return None, rows
    summary, *items = rows
    if not _is_summary(summary):
        raise FieldProblem(
            "Item Number",
            "several item rows without the summary row eBay writes first for a multi-item order",
        )
    return summary, items


def _line(row: Row) -> OrderLine:
    cells = row.cells
    if _is_summary(row):
        raise FieldProblem("Item Number", "a second summary row (no item number) in one order")
    title = text(cells["Item Title"])
    variation = text(cells.get("Variation Details"))
    return OrderLine(
        sku=text(cells["Custom Label"]),
        title=f"{title} ({variation})" if variation else title,
        quantity=quantity(cells["Quantity"], "Quantity"),
        unit_price=_amount(cells["Sold For"], "Sold For")[0],  # per unit on item rows
    )


def _build(
    file: InputFile,
    number: str,
    row: Row,
    lines: list[OrderLine],
    first_line: int,
    *,
    is_summary: bool,
) -> ChannelOrder:
    """The order-level fields come from the summary row, or from the only item row."""
    cells = row.cells
    if is_summary:
        subtotal = _amount(cells["Sold For"], "Sold For")[0]  # the summary holds the item subtotal
    else:
        subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    shipping_column = next(c for c in SHIPPING_COLUMNS if c in cells)
    total, currency = _amount(cells["Total Price"], "Total Price")
    tax = sum(
        (_amount(cells.get(c), c, default=Decimal("0"))[0] for c in TAX_COLUMNS),
        Decimal("0"),
    )
    paid_at = optional_timestamp(cells.get("Paid On Date"), "Paid On Date", DATE_FORMATS)
    phone = text(cells.get("Ship To Phone"))
    return ChannelOrder(
        channel=READER.name,
        channel_order_no=number,
        ordered_at=timestamp(cells["Sale Date"], "Sale Date", DATE_FORMATS),
        lines=tuple(lines),
        ship_to=Address(
            name=text(cells.get("Ship To Name")),
            street1=text(cells.get("Ship To Address 1")),
            street2=text(cells.get("Ship To Address 2")),
            city=text(cells.get("Ship To City")),
            province=text(cells.get("Ship To State")),
            postal_code=postal_code(cells.get("Ship To Zip")),
            country=country(cells.get("Ship To Country"), "Ship To Country"),
            phone=phone,
        ),
        buyer_name=text(cells.get("Buyer Name")),
        buyer_email=text(cells.get("Buyer Email")),
        buyer_phone=phone,
        service_level=text(cells.get("Shipping Service")),
        buyer_note=text(cells.get("Buyer Note")),
        currency=currency,
        subtotal=subtotal,
        shipping_total=_amount(cells[shipping_column], shipping_column, default=Decimal("0"))[0],
        tax_total=tax,
        total=total,
        payment_status=PaymentStatus.PAID if paid_at else PaymentStatus.PENDING,
        paid_at=paid_at,
        source=SourceRef(file.display, first_line),
    )


def _amount(
    value: str | None, column: str, *, default: Decimal | None = None
) -> tuple[Decimal, str]:
    """An eBay amount and its currency: `$12.34`, `AU $3,000.00`, `EUR 90,00`, `£4.50`, `12.34`.

    eBay prefixes a currency marker and may group thousands; both are taken off here, and the
    plain number goes to `money`, which still refuses anything it does not understand.
    """
    raw = text(value)
    if not raw:
        return money(raw, column, default=default), ""
    found = _MARKED_AMOUNT.fullmatch(raw)
    if not found:
        return money(raw, column), ""  # raises with the standard wording
    marker = (found["marker"] or "").replace(" ", "")
    if marker and marker not in CURRENCY_MARKERS and not re.fullmatch(r"[A-Z]{3}", marker):
        raise FieldProblem(column, f"{raw!r} is in a currency omsctl does not know")
    currency = CURRENCY_MARKERS.get(marker, marker)
    number = found["number"]
    if _THOUSANDS.fullmatch(number):
        number = number.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(number):
        number = number.replace(",", ".")
    return money(number, column), currency
