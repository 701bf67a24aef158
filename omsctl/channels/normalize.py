"""Cheap, lossless normalisation at the edge: text, money, quantities, times, countries.

Readers call these per field; each raises `FieldProblem(column, reason)` with words a
merchant can act on. Nothing here guesses: a value is either understood exactly or refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from omsctl.channels.base import FieldProblem


def text(value: str | None) -> str:
    """Trimmed, NFC-normalised text; `None` and the empty quoted string become ''."""
    if not value:
        return ""
    value = value.strip()
    if value == '""':
        return ""
    if value.isascii():
        return value
    return unicodedata.normalize("NFC", value)


def texts(values: Iterable[str]) -> list[str]:
    """`text` of each value; a row of plain ASCII costs one pass in C, not a call per value.

    A text in NFC is in NFC in every piece (a piece's own composable pair, excluded character
    or misordered marks would be the whole text's too), so one check covers the row.
    """
    stripped = list(map(str.strip, values))
    joined = "".join(stripped)
    if '""' in joined:
        return [text(value) for value in stripped]
    if joined.isascii() or unicodedata.is_normalized("NFC", joined):
        return stripped
    return [v if v.isascii() else unicodedata.normalize("NFC", v) for v in stripped]


#: Amounts already read, by their exact text: prices, zeros and shipping fees repeat on
#: most rows of an export, and a Decimal is immutable.
_AMOUNTS: dict[str | None, Decimal] = {}
_AMOUNTS_KEPT = 4096


def money(value: str | None, column: str, *, default: Decimal | None = None) -> Decimal:
    """A decimal amount; thousands separators and currency symbols refused rather than guessed."""
    amount = _AMOUNTS.get(value)
    if amount is not None:
        return amount
    raw = text(value)
    if not raw:
        if default is None:
            raise FieldProblem(column, "an amount is required")
        return default
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise FieldProblem(column, f"{raw!r} is not an amount like 12.50") from None
    if not amount.is_finite():
        raise FieldProblem(column, f"{raw!r} is not an amount like 12.50")
    if len(_AMOUNTS) < _AMOUNTS_KEPT:
        _AMOUNTS[value] = amount
    return amount


def quantity(value: str | None, column: str) -> int:
    """A whole, positive number of units ('2' and '2.0' are accepted, '2.5' is not)."""
    if value and len(value) < 10 and value.isascii() and value.isdigit():
        number = int(value)  # '2', '12', '007': exactly what the Decimal below would give
        if number > 0:
            return number
    raw = text(value)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise FieldProblem(column, f"{raw!r} is not a quantity") from None
    if not number.is_finite() or number != number.to_integral_value() or number <= 0:
        raise FieldProblem(column, f"{raw!r} is not a whole number of units above 0")
    return int(number)


def timestamp(
    value: str | None,
    column: str,
    formats: tuple[str, ...],
    *,
    default_tz: str = "UTC",
) -> datetime:
    """An aware UTC time from the first format that fits; naive times are read in `default_tz`.

    Python's ISO parser is the last resort; when every format is an ISO layout it goes first
    (a tenth of strptime's cost, and the same time for every text both of them read).
    """
    raw = text(value)
    if not raw:
        raise FieldProblem(column, "a date and time is required")
    iso_first = _iso_layouts(formats)
    parsed = _from_iso(raw) if iso_first else None
    if parsed is None:
        for fmt in formats:
            try:
                parsed = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            break
    if parsed is None and not iso_first:
        parsed = _from_iso(raw)
    if parsed is None:
        raise FieldProblem(column, f"{raw!r} is not a date and time this format uses")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_zone(default_tz))
    return parsed.astimezone(UTC)


def _from_iso(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


#: Year, month, day, then optionally hour and minute, seconds, fraction and offset: a string
#: strptime reads with such a layout means the same time to `datetime.fromisoformat`.
_ISO_LAYOUT = re.compile(r"%Y-%m-%d(?:[ T]%H:%M(?::%S(?:\.%f)?)?(?: ?%z)?)?")


@lru_cache(maxsize=64)
def _iso_layouts(formats: tuple[str, ...]) -> bool:
    return all(_ISO_LAYOUT.fullmatch(fmt) for fmt in formats)


def optional_timestamp(
    value: str | None, column: str, formats: tuple[str, ...], *, default_tz: str = "UTC"
) -> datetime | None:
    return timestamp(value, column, formats, default_tz=default_tz) if text(value) else None


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def postal_code(value: str | None) -> str:
    """A postal code as text: Excel's protecting apostrophe and '-' placeholders removed."""
    raw = text(value).lstrip("'")
    return "" if raw in {"-", "--"} else raw


def country(value: str | None, column: str) -> str:
    """ISO 3166-1 alpha-2 from a code ('us'), alpha-3 ('USA') or English name ('Germany')."""
    raw = text(value)
    if not raw:
        return ""
    code = _country_code(raw.casefold())
    if code is None:
        raise FieldProblem(column, f"{raw!r} is not a country omsctl knows (use a code like US)")
    return code


_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "united states of america": "US",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "taiwan": "TW",
    "中国": "CN",
    "中国大陆": "CN",
    "中华人民共和国": "CN",
    "日本": "JP",
}


@lru_cache(maxsize=512)
def _country_code(key: str) -> str | None:
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    import pycountry  # loaded only when a file names a country another way than a code

    if len(key) == 2 and key.isascii():
        found = pycountry.countries.get(alpha_2=key.upper())
        return found.alpha_2 if found else None
    if len(key) == 3 and key.isascii():
        found = pycountry.countries.get(alpha_3=key.upper())
        if found:
            return str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        return None
