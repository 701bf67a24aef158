"""Bin codes and the order a picker walks them in.

Bins are labelled aisle-bay-level (`A-03-2`, `A03-2`, `AA-12-1`, `B-7-3`, `02-05-1`). Pickers
walk the aisles in a serpentine: up aisle 1 (bays ascending), down aisle 2 (bays descending), up
aisle 3, and so on, taking levels bottom to top within a bay. `pick_sequence` turns a code into
one integer with that order, so the store can keep it in an indexed column and every pick list,
wave and reservation can simply sort by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Bays and levels are encoded in three decimal digits each, aisles above them.
_BAY_FACTOR = 1_000
_AISLE_FACTOR = 1_000_000
MAX_BAY = 999
MAX_LEVEL = 999
MAX_AISLE = 999_999

#: Every code that does not parse gets this sequence, above any parsed one (which stays below
#: MAX_AISLE * _AISLE_FACTOR + _AISLE_FACTOR); ties among them are broken by the code text
#: (`pick_key`), which keeps the order deterministic without squeezing text into an integer.
UNPARSED_SEQUENCE = (MAX_AISLE + 1) * _AISLE_FACTOR

# Letter aisles may run straight into the bay (`A03-2`); numeric aisles need a separator,
# otherwise `0203-1` could be aisle 2 bay 3 or aisle 20 bay 3.
_SEP = r"\s*[-_./\s]\s*"
_LETTER_AISLE = re.compile(rf"([A-Za-z]{{1,3}})(?:{_SEP})?(\d+){_SEP}(\d+)")
_NUMBER_AISLE = re.compile(rf"(\d+){_SEP}(\d+){_SEP}(\d+)")


@dataclass(frozen=True, slots=True)
class Bin:
    """A parsed bin code: `aisle` is the walking number (A=1 … Z=26, AA=27), `zone` the label."""

    code: str
    zone: str
    aisle: int
    bay: int
    level: int

    @property
    def sequence(self) -> int:
        """The walking order; bays are mirrored on even aisles because those are walked down."""
        bay = self.bay if self.aisle % 2 else MAX_BAY - self.bay
        return self.aisle * _AISLE_FACTOR + bay * _BAY_FACTOR + self.level


def _letters_to_number(letters: str) -> int:
    """Spreadsheet-style aisle numbers, so AA follows Z instead of colliding with A."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - ord("A") + 1)
    return number


def parse_bin(code: str) -> Bin | None:
    """The aisle, bay and level of a bin code, or None when the code does not follow the scheme.

    None (rather than an error) because free-form locations such as `RECEIVING` or `DOCK`
    are legitimate places for stock; they just have no place in the walk.
    """
    text = code.strip()
    if match := _LETTER_AISLE.fullmatch(text):
        zone = match.group(1).upper()
        aisle = _letters_to_number(zone)
    elif match := _NUMBER_AISLE.fullmatch(text):
        zone = match.group(1)
        aisle = int(zone)
    else:
        return None
    bay, level = int(match.group(2)), int(match.group(3))
    if aisle > MAX_AISLE or bay > MAX_BAY or level > MAX_LEVEL:
        return None  # would overflow its digits and break the order of the sequence
    return Bin(code=code, zone=zone, aisle=aisle, bay=bay, level=level)


def pick_sequence(code: str) -> int:
    """The walking order of a bin as one integer (lower is walked first).

    `aisle * 1_000_000 + bay * 1_000 + level`, with the bay mirrored (`999 - bay`) on even
    aisles. Codes that do not parse all get `UNPARSED_SEQUENCE`, after every parsed bin; sort
    by `pick_key` (or by sequence, then code) to order them among themselves.
    """
    parsed = parse_bin(code)
    return parsed.sequence if parsed else UNPARSED_SEQUENCE


def pick_key(code: str) -> tuple[int, str]:
    """A sort key that is total and deterministic: walking order, then the code text."""
    return pick_sequence(code), code


def zone_of(code: str) -> str:
    """The aisle label (`A`, `AA`, `02`) that zone waves group by; "" for unparsed codes.

    Letters are upper-cased; numeric aisles keep their digits as printed on the shelf labels.
    """
    parsed = parse_bin(code)
    return parsed.zone if parsed else ""
