"""The generic "mapped CSV" channel: any spreadsheet export, read through a TOML mapping.

Marketplaces get a reader each; everything else (a wholesale sheet, a B2B portal, a till
system) is described by the merchant in a small mapping file that names the column of each
field, so a new source needs a text file instead of a release. The format is documented for
users in docs/import-mapping.md; `channels.mapping_file` validates it strictly (a typo in a
key must not silently drop a field) and this module reads with the same normalisation as the
fixed readers. `load_mapping` is imported here too, so `mapped.load_mapping` keeps working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import chain
from typing import TypeVar

from omsctl.channels.base import FieldProblem, Head, InputFile, Row, read_rows
from omsctl.channels.mapping_file import (
    ADDRESS_FIELDS,
    CURRENCY,
    ORDER_FIELDS,
    ORDER_NO,
    Mapping,
    load_mapping,
)
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

__all__ = ["MappedReader", "load_mapping"]

#: Order-level fields (all but the order number and the line fields), read from the first row
#: of an order that has a value for them.
HEADER_FIELDS = tuple(f for f in (*ORDER_FIELDS, *ADDRESS_FIELDS) if f != ORDER_NO)
ZERO = Decimal("0")

T = TypeVar("T")


class MappedReader:
    """Reads a spreadsheet export through a `Mapping`.

    Layout per_line holds every order of a file until the file ends, because a spreadsheet may
    list an order's rows apart (a forgotten item appended at the bottom); memory grows with
    the file, which is fine at spreadsheet size. Layout per_order streams.
    """

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.name = mapping.channel
        self.description = f"mapped CSV ({mapping.source or 'mapping'}, layout {mapping.layout})"
        self.encodings: tuple[str, ...] = (mapping.encoding,)

    def missing_columns(self, head: Head) -> list[str]:
        """The mapped column headers the file's header line lacks, in mapping order."""
        present = set(head.first_fields(self.mapping.delimiter))
        return [column for column in self.mapping.header_columns() if column not in present]

    def match(self, head: Head) -> tuple[str, int] | None:
        return None if self.missing_columns(head) else ("orders", 1)

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        """The orders of each file; an order's rows are grouped within one file only."""
        for file in files:
            yield from _FileReader(self.mapping, file).orders()


class _Pending:
    """An order being collected: its lines, and the first value of each order-level field."""

    __slots__ = ("first", "lines", "number", "rejected", "values")

    def __init__(self, number: str, first: Row) -> None:
        self.number = number
        self.first = first
        self.lines: list[OrderLine] = []
        self.values: dict[str, tuple[str, Row]] = {}  # field -> (raw value, its row)
        self.rejected: RowError | None = None


class _Rejected(Exception):
    """A bad value, with the row it came from, that rejects its whole order."""

    def __init__(self, row: Row, problem: FieldProblem) -> None:
        super().__init__(str(problem))
        self.row = row
        self.problem = problem


class _FileReader:
    """One file read through one mapping."""

    def __init__(self, mapping: Mapping, file: InputFile) -> None:
        self.mapping = mapping
        self.file = file
        self.columns = mapping.columns
        # Only the fields the file can give: the rest keep their defaults without a lookup.
        self.header_fields = [f for f in HEADER_FIELDS if f in mapping.columns]
        if mapping.payment is not None:
            self.header_fields.append("payment")

    def column(self, field: str) -> str:
        if field == "payment" and self.mapping.payment is not None:
            return self.mapping.payment.column
        return self.columns[field]

    def orders(self) -> Iterator[ChannelOrder | RowError]:
        rows = read_rows(self.file, delimiter=self.mapping.delimiter)
        first = next(rows, None)
        if first is None:
            return
        self.check_columns(first)
        if self.mapping.layout == "per_order":
            yield from self.per_order(first, rows)
        else:
            yield from self.per_line(first, rows)

    def check_columns(self, row: Row) -> None:
        """Refuse the file if a mapped column is missing (when it was not matched first)."""
        missing = [c for c in self.mapping.header_columns() if c not in row.cells]
        if missing:
            raise InputProblem(
                f"{self.file.display}: the mapping's columns "
                + ", ".join(repr(c) for c in missing)
                + " are not in the header",
                hint="fix the [columns] names in the mapping to match the file",
            )

    def per_order(self, first: Row, rows: Iterator[Row]) -> Iterator[ChannelOrder | RowError]:
        seen: dict[str, int] = {}  # order number -> line of its row
        for row in chain((first,), rows):
            number = text(row.cells[self.columns[ORDER_NO]])
            if number in seen:
                yield self.error(
                    row,
                    FieldProblem(
                        self.columns[ORDER_NO],
                        f"order {number} is already on line {seen[number]}"
                        ' (layout "per_order" is one row per order; use layout = "per_line")',
                    ),
                    number,
                )
                continue
            if number:
                seen[number] = row.line
            pending = _Pending(number, row)
            try:
                self.require_number(row, number)
                pending.lines.append(self.line(row))
                self.collect(pending, row)
                order = self.build(pending)
            except _Rejected as rejected:
                yield self.error(rejected.row, rejected.problem, number)
                continue
            yield order

    def per_line(self, first: Row, rows: Iterator[Row]) -> Iterator[ChannelOrder | RowError]:
        entries: list[_Pending | RowError] = []  # first-seen order of output
        open_orders: dict[str, _Pending] = {}
        for row in chain((first,), rows):
            number = text(row.cells[self.columns[ORDER_NO]])
            try:
                self.require_number(row, number)
            except _Rejected as rejected:
                entries.append(self.error(rejected.row, rejected.problem, ""))
                continue
            pending = open_orders.get(number)
            if pending is None:
                pending = open_orders[number] = _Pending(number, row)
                entries.append(pending)
            if pending.rejected is not None:
                continue
            try:
                pending.lines.append(self.line(row))
            except _Rejected as rejected:
                pending.rejected = self.error(rejected.row, rejected.problem, number)
                pending.lines.clear()
                pending.values.clear()
                continue
            self.collect(pending, row)

        for entry in entries:
            if isinstance(entry, RowError):
                yield entry
            elif entry.rejected is not None:
                yield entry.rejected
            else:
                try:
                    order = self.build(entry)
                except _Rejected as rejected:
                    yield self.error(rejected.row, rejected.problem, entry.number)
                    continue
                yield order

    def require_number(self, row: Row, number: str) -> None:
        if not number:
            raise _Rejected(
                row, FieldProblem(self.columns[ORDER_NO], "an order number is required")
            )

    def collect(self, pending: _Pending, row: Row) -> None:
        """Remember the first non-empty value of each order-level field."""
        values = pending.values
        cells = row.cells
        for field in self.header_fields:
            if field not in values:
                raw = cells[self.column(field)]
                if text(raw):
                    values[field] = (raw, row)

    def error(self, row: Row, problem: FieldProblem, number: str) -> RowError:
        return RowError(
            file=self.file.display,
            line=row.line,
            column=problem.column,
            reason=problem.reason,
            channel_order_no=number,
            raw=tuple(row.cells.values()),
        )

    # -- values -------------------------------------------------------------------------------

    def line(self, row: Row) -> OrderLine:
        """One row's line item; a bad value raises `_Rejected` for the whole order."""
        cells = row.cells
        columns = self.columns
        try:
            sku = text(cells[columns["sku"]])
            if not sku:
                raise FieldProblem(columns["sku"], "a SKU is required")
            units = self.units(cells[columns["quantity"]], columns["quantity"])
            if "unit_price" in columns:
                unit_price = self.amount(cells[columns["unit_price"]], columns["unit_price"])
            else:
                unit_price = _unit_price(
                    self.amount(cells[columns["line_total"]], columns["line_total"]),
                    units,
                    columns["line_total"],
                )
            weight: Decimal | None = None
            if "weight_kg" in columns and text(cells[columns["weight_kg"]]):
                weight = self.amount(cells[columns["weight_kg"]], columns["weight_kg"])
                if weight < 0:
                    raise FieldProblem(columns["weight_kg"], f"{weight} kg is below zero")
            title = text(cells[columns["title"]]) if "title" in columns else ""
        except FieldProblem as problem:
            raise _Rejected(row, problem) from None
        return OrderLine(sku, title, units, unit_price, weight)

    def build(self, pending: _Pending) -> ChannelOrder:
        """The order from its lines and collected values; raises `_Rejected` on a bad value."""

        def value(field: str, parse: Callable[[str | None, str], T]) -> T:
            # A refusal points at the row the value came from, or the order's first row.
            raw, row = pending.values.get(field, (None, pending.first))
            try:
                return parse(raw, self.columns.get(field, field))
            except FieldProblem as problem:
                raise _Rejected(row, problem) from None

        ship_to = Address(
            name=value("ship_name", _plain),
            company=value("ship_company", _plain),
            street1=value("ship_street1", _plain),
            street2=value("ship_street2", _plain),
            district=value("ship_district", _plain),
            city=value("ship_city", _plain),
            province=value("ship_province", _plain),
            postal_code=value("ship_postal_code", _postal_code),
            country=value("ship_country", self.country),
            phone=value("ship_phone", _plain),
        )
        ordered_at = value("ordered_at", self.time)
        shipping = value("shipping_total", self.amount_or_zero)
        tax = value("tax_total", self.amount_or_zero)
        discount = value("discount_total", self.amount_or_zero)
        lines = tuple(pending.lines)
        total = value("total", self.optional_amount)
        if total is None:
            items = sum((line.unit_price * line.quantity for line in lines), ZERO)
            total = items + shipping + tax - discount
        paid_at = value("paid_at", self.optional_time)
        return ChannelOrder(
            channel=self.mapping.channel,
            channel_order_no=pending.number,
            ordered_at=ordered_at,
            lines=lines,
            ship_to=ship_to,
            buyer_name=value("buyer_name", _plain) or ship_to.name,
            buyer_email=value("buyer_email", _plain),
            buyer_phone=value("buyer_phone", _plain),
            service_level=value("service_level", _plain),
            buyer_note=value("buyer_note", _plain),
            currency=value("currency", self.currency),
            subtotal=value("subtotal", self.optional_amount),
            shipping_total=shipping,
            tax_total=tax,
            discount_total=discount,
            total=total,
            payment_status=self.payment_status(pending, paid_at),
            paid_at=paid_at,
            cancelled_at=value("cancelled_at", self.optional_time),
            refunded_total=value("refunded_total", self.amount_or_zero),
            source=SourceRef(self.file.display, pending.first.line),
        )

    def time(self, raw: str | None, column: str) -> datetime:
        return timestamp(raw, column, self.mapping.date_formats, default_tz=self.mapping.timezone)

    def optional_time(self, raw: str | None, column: str) -> datetime | None:
        return optional_timestamp(
            raw, column, self.mapping.date_formats, default_tz=self.mapping.timezone
        )

    def amount_or_zero(self, raw: str | None, column: str) -> Decimal:
        return self.amount(raw, column) if text(raw) else ZERO

    def optional_amount(self, raw: str | None, column: str) -> Decimal | None:
        """An amount, or None when the file leaves it out (unknown is not zero)."""
        return self.amount(raw, column) if text(raw) else None

    def currency(self, raw: str | None, column: str) -> str:
        code = text(raw).upper()
        if code and not CURRENCY.fullmatch(code):
            raise FieldProblem(column, f"{text(raw)!r} is not a currency code like EUR")
        return code or self.mapping.currency

    def country(self, raw: str | None, column: str) -> str:
        return country(raw, column) or self.mapping.country

    def payment_status(self, pending: _Pending, paid_at: datetime | None) -> PaymentStatus:
        """From the [payment] column if mapped; otherwise a paid time means paid."""
        payment = self.mapping.payment
        if payment is None:
            return PaymentStatus.PAID if paid_at is not None else PaymentStatus.PENDING
        raw, _row = pending.values.get("payment", ("", pending.first))
        return PaymentStatus.PAID if text(raw).casefold() in payment.paid else PaymentStatus.PENDING

    def units(self, raw: str | None, column: str) -> int:
        """A quantity; under decimal_comma a point is a thousands separator, so it is refused."""
        value = text(raw)
        if self.mapping.decimal_comma and "." in value:
            raise FieldProblem(
                column,
                f"{value!r} is ambiguous with decimal_comma = true"
                " (write whole units without separators, like 1000)",
            )
        return quantity(value, column)

    def amount(self, raw: str | None, column: str) -> Decimal:
        """An amount; '12,50' only under decimal_comma, where '1.250,00' is refused, not guessed."""
        value = text(raw)
        if not value:
            raise FieldProblem(column, "an amount is required")
        if self.mapping.decimal_comma:
            refusal = FieldProblem(
                column,
                f"{value!r} is not an amount like 1250,50"
                " (decimal_comma = true: a comma, no points, no thousands separators)",
            )
            if "." in value or value.count(",") > 1:
                raise refusal
            try:
                return money(value.replace(",", "."), column)
            except FieldProblem:
                raise refusal from None
        try:
            return money(value, column)
        except FieldProblem as problem:
            if "," not in value:
                raise
            raise FieldProblem(
                column,
                f"{problem.reason} (for amounts like 12,50 set decimal_comma = true"
                " in the mapping)",
            ) from None


def _plain(raw: str | None, _column: str) -> str:
    return text(raw)


def _postal_code(raw: str | None, _column: str) -> str:
    return postal_code(raw)


def _unit_price(line_total: Decimal, units: int, column: str) -> Decimal:
    """The exact unit price behind a line total; a total that does not divide is refused."""
    unit = line_total / units
    if unit * units != line_total:
        raise FieldProblem(
            column,
            f"{line_total} is not {units} × an exact unit price; map unit_price instead",
        )
    return unit
