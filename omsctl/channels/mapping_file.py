"""The mapping file of the "mapped CSV" channel: its TOML format, loaded and validated.

It exists apart from the reader (`channels.mapped`) so each stays one owner's and small: this
module owns what a merchant may write in a mapping file, the reader only how rows become
orders. The format is documented for users in docs/import-mapping.md; this module validates
it strictly (a typo in a key must not silently drop a field), and every mistake is a
`UsageProblem` naming the file.
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omsctl.channels.base import FieldProblem
from omsctl.channels.normalize import country
from omsctl.domain.errors import UsageProblem
from omsctl.domain.orders import Address

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
