"""The generic "mapped CSV" channel: any spreadsheet export, read through a TOML mapping.

Marketplaces get a reader each; everything else (a wholesale sheet, a B2B portal, a till
system) is described by the merchant in a small mapping file that names the column of each
field, so a new source needs a text file instead of a release. The format is documented for
users in docs/import-mapping.md; this module validates it strictly (a typo in a key must not
silently drop a field) and reads with the same normalisation as the fixed readers.
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from omsctl.domain.errors import InputProblem, UsageProblem
from omsctl.domain.orders import (
    Address,
    ChannelOrder,
    OrderLine,
    PaymentStatus,
    RowError,
    SourceRef,
)

Layout = Literal["per_line", "per_order"]
LAYOUTS: tuple[Layout, ...] = ("per_line", "per_order")

ORDER_NO = "channel_order_no"
ADDRESS_FIELDS = tuple(f"ship_{f.name}" for f in fields(Address))
ORDER_FIELDS = (
    ORDER_NO,
    "ordered_at",
    "buyer_name",
    "buyer_email",
    "buyer_phone",
    "service_level",
    "buyer_note",
    "currency",
    "subtotal",
    "shipping_total",
    "tax_total",
    "discount_total",
    "total",
    "paid_at",
    "cancelled_at",
    "refunded_total",
)
LINE_FIELDS = ("sku", "title", "quantity", "unit_price", "line_total", "weight_kg")
#: Every field a [columns] table may name, in the order the documentation lists them.
FIELDS = (*ORDER_FIELDS, *ADDRESS_FIELDS, *LINE_FIELDS)
REQUIRED_FIELDS = (ORDER_NO, "ordered_at", "sku", "quantity")
#: Order-level fields (all but the order number and the line fields), read from the first row
#: of an order that has a value for them.
HEADER_FIELDS = tuple(f for f in (*ORDER_FIELDS, *ADDRESS_FIELDS) if f != ORDER_NO)

TOP_KEYS = (
    "channel",
    "delimiter",
    "encoding",
    "layout",
    "date_format",
    "timezone",
    "currency",
    "country",
    "decimal_comma",
    "columns",
    "payment",
)
PAYMENT_KEYS = ("column", "paid")
#: What `paid` means when [payment] leaves it out: the usual yes-words of spreadsheets.
DEFAULT_PAID = ("paid", "yes", "y", "true", "1", "x", "ja", "bezahlt")

CHANNEL_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
CURRENCY = re.compile(r"[A-Z]{3}")
ZERO = Decimal("0")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PaymentMapping:
    """Which column says whether an order is paid, and which of its values mean yes."""

    column: str
    paid: frozenset[str]  # casefolded


@dataclass(frozen=True, slots=True)
class Mapping:
    """A validated mapping file: how to read one merchant's spreadsheet as orders."""

    channel: str
    columns: dict[str, str]  # field -> the file's column header
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    layout: Layout = "per_line"
    date_formats: tuple[str, ...] = ()  # empty: ISO 8601 only
    timezone: str = "UTC"
    currency: str = ""
    country: str = ""
    decimal_comma: bool = False
    payment: PaymentMapping | None = None
    source: str = ""  # the mapping file, for messages

    def header_columns(self) -> list[str]:
        """Every column the mapping reads, each once, in mapping order."""
        wanted = [*self.columns.values()]
        if self.payment is not None:
            wanted.append(self.payment.column)
        return list(dict.fromkeys(wanted))


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; every mistake is a `UsageProblem` naming the file."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageProblem(f"{name}: cannot read the mapping: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UsageProblem(f"{name}: the mapping is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageProblem(
            f"{name}: not valid TOML: {exc}",
            hint='values need quotes, e.g. sku = "Artikelnr"',
        ) from None
    return _Validator(name).mapping(data)


class _Validator:
    """Checks one parsed mapping file; its methods raise with the file name in front."""

    def __init__(self, name: str) -> None:
        self.name = name

    def problem(self, message: str, hint: str | None = None) -> UsageProblem:
        return UsageProblem(f"{self.name}: {message}", hint=hint)

    def unknown_keys(self, table: dict[str, Any], valid: Sequence[str], where: str) -> None:
        for key in table:
            if key not in valid:
                close = difflib.get_close_matches(key, valid, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.problem(
                    f"unknown key {key!r}{where}{guess}", hint="valid keys: " + ", ".join(valid)
                )

    def string(self, data: dict[str, Any], key: str, default: str, where: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise self.problem(f"{key!r}{where} must be a quoted string, not {value!r}")
        return value

    def mapping(self, data: dict[str, Any]) -> Mapping:
        self.unknown_keys(data, TOP_KEYS, "")
        channel = self.channel(data)
        layout = self.string(data, "layout", "per_line")
        if layout not in LAYOUTS:
            raise self.problem(
                f"layout {layout!r} is not one of {', '.join(LAYOUTS)}",
                hint="per_line: one row per line item; per_order: one row per order",
            )
        decimal_comma = data.get("decimal_comma", False)
        if not isinstance(decimal_comma, bool):
            raise self.problem(f"'decimal_comma' must be true or false, not {decimal_comma!r}")
        return Mapping(
            channel=channel,
            columns=self.columns(data),
            delimiter=self.delimiter(data),
            encoding=self.encoding(data),
            layout=layout,  # type: ignore[arg-type]
            date_formats=self.date_formats(data),
            timezone=self.timezone(data),
            currency=self.currency(data),
            country=self.country(data),
            decimal_comma=decimal_comma,
            payment=self.payment(data),
            source=self.name,
        )

    def channel(self, data: dict[str, Any]) -> str:
        if "channel" not in data:
            raise self.problem(
                "'channel' is required", hint='name the source, e.g. channel = "wholesale"'
            )
        channel = self.string(data, "channel", "")
        if not CHANNEL_NAME.fullmatch(channel):
            raise self.problem(
                f"channel {channel!r} is not a channel name",
                hint="use up to 40 lowercase letters, digits, '-' and '_', e.g. \"wholesale\"",
            )
        return channel

    def delimiter(self, data: dict[str, Any]) -> str:
        delimiter = self.string(data, "delimiter", ",")
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise self.problem(
                f"delimiter {delimiter!r} must be one character",
                hint='e.g. delimiter = ";" or delimiter = "\\t" for tab-separated files',
            )
        return delimiter

    def encoding(self, data: dict[str, Any]) -> str:
        encoding = self.string(data, "encoding", "utf-8-sig")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise self.problem(
                f"encoding {encoding!r} is not an encoding Python knows",
                hint="e.g. utf-8-sig, cp1252 or gb18030",
            ) from None
        return encoding

    def date_formats(self, data: dict[str, Any]) -> tuple[str, ...]:
        value = data.get("date_format", [])
        formats = [value] if isinstance(value, str) else value
        if not isinstance(formats, list) or not all(
            isinstance(f, str) and "%" in f for f in formats
        ):
            raise self.problem(
                f"date_format {value!r} must be a strptime format or a list of them",
                hint='e.g. date_format = "%d.%m.%Y %H:%M"',
            )
        return tuple(formats)

    def timezone(self, data: dict[str, Any]) -> str:
        zone = self.string(data, "timezone", "UTC")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.problem(
                f"timezone {zone!r} is not a time zone", hint="use a name like Europe/Berlin"
            ) from None
        return zone

    def currency(self, data: dict[str, Any]) -> str:
        currency = self.string(data, "currency", "")
        if currency and not CURRENCY.fullmatch(currency):
            raise self.problem(
                f"currency {currency!r} is not a currency code", hint='e.g. currency = "EUR"'
            )
        return currency

    def country(self, data: dict[str, Any]) -> str:
        value = self.string(data, "country", "")
        try:
            return country(value, "country")
        except FieldProblem as problem:
            raise self.problem(f"country {value!r} is not a country omsctl knows") from problem

    def columns(self, data: dict[str, Any]) -> dict[str, str]:
        table = data.get("columns")
        if not isinstance(table, dict):
            raise self.problem(
                "[columns] is required: it names the file's column for each field",
                hint='e.g. [columns] sku = "Artikelnr"',
            )
        for field in table:
            if field not in FIELDS:
                close = difflib.get_close_matches(field, FIELDS, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.problem(
                    f"[columns] names unknown field {field!r}{guess}",
                    hint="valid fields: " + ", ".join(FIELDS),
                )
        columns: dict[str, str] = {}
        for field, header in table.items():
            if not isinstance(header, str) or not header.strip():
                raise self.problem(
                    f"[columns] {field} must be the file's column header as a quoted string,"
                    f" not {header!r}"
                )
            columns[field] = header.strip()
        required = ", ".join(REQUIRED_FIELDS) + ", and unit_price or line_total"
        for field in REQUIRED_FIELDS:
            if field not in columns:
                raise self.problem(f"[columns] has no {field!r}", hint=f"required: {required}")
        if "unit_price" in columns and "line_total" in columns:
            raise self.problem(
                "[columns] maps both 'unit_price' and 'line_total'",
                hint="map one of them; the other is derived",
            )
        if "unit_price" not in columns and "line_total" not in columns:
            raise self.problem(
                "[columns] has neither 'unit_price' nor 'line_total'",
                hint=f"required: {required}",
            )
        return columns

    def payment(self, data: dict[str, Any]) -> PaymentMapping | None:
        table = data.get("payment")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise self.problem("'payment' must be a table: [payment] column = \"…\"")
        self.unknown_keys(table, PAYMENT_KEYS, " in [payment]")
        if "column" not in table:
            raise self.problem(
                "[payment] has no 'column'", hint='name the column, e.g. column = "Bezahlt"'
            )
        column = self.string(table, "column", "", " in [payment]").strip()
        if not column:
            raise self.problem("[payment] column must name the file's column")
        paid = table.get("paid", list(DEFAULT_PAID))
        if not isinstance(paid, list) or not paid or not all(isinstance(p, str) for p in paid):
            raise self.problem(
                f"[payment] paid must be a list of values, not {paid!r}",
                hint='e.g. paid = ["ja", "yes"]',
            )
        return PaymentMapping(column, frozenset(p.strip().casefold() for p in paid))


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
