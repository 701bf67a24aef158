"""What a shipping label says (面单): plain data, so any format (PDF, ZPL) renders the same.

The service fills a `Label` from the order, the sender settings and the carrier; documents draw
it. Phone numbers are masked in the middle by default, as Chinese waybills do, because a label
is read by everyone who handles the parcel.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Handling marks printed large on the label, from product traits.
MARKS: dict[str, str] = {
    "fragile": "FRAGILE",
    "liquid": "LIQUID",
    "valuable": "VALUABLE",
    "perishable": "PERISHABLE",
    "hazardous": "HAZARDOUS",
    "oversize": "OVERSIZE",
}


@dataclass(frozen=True, slots=True)
class Party:
    """A sender or recipient block, line by line as it should read on the parcel."""

    name: str
    company: str = ""
    lines: tuple[str, ...] = ()  # street lines, district, city/province as they belong
    postal_code: str = ""
    country: str = ""  # ISO alpha-2
    phone: str = ""  # already masked when it must be


@dataclass(frozen=True, slots=True)
class Label:
    order_ref: str  # the channel's order number, also a Code128 on the label
    sender: Party
    recipient: Party
    carrier: str  # carrier code, e.g. SF, DHL, UPS
    service: str  # service code or name, e.g. EXPRESS, STANDARD
    tracking_number: str  # "" when none is assigned yet: then no tracking barcode
    weight_kg: str  # formatted, e.g. "1.25"
    package: int  # i of n
    packages: int
    date_text: str  # formatted in the merchant's time zone
    marks: tuple[str, ...] = ()  # FRAGILE, LIQUID, …
    reference: str = ""  # e.g. wave and tote, "WAVE-000042 T3"


def mask_phone(phone: str) -> str:
    """Hide the four digits before the last four, as Chinese waybills do: 138****8000.

    Only digits count and punctuation stays, so "+86 138 0013 8000" → "+86 138 **** 8000"
    and "+1 555 123 4567" → "+1 55* ***4567": a country code never leaves the subscriber
    number readable. Numbers of 7-9 digits keep two at each end.
    """
    digits = [i for i, c in enumerate(phone) if c.isdigit()]
    if len(digits) < 7:
        return phone
    hidden = set(digits[-8:-4]) if len(digits) >= 10 else set(digits[2:-2])
    return "".join("*" if i in hidden else c for i, c in enumerate(phone))


def marks_for(traits: set[str] | frozenset[str]) -> tuple[str, ...]:
    """The handling marks for a parcel's traits, in a fixed order."""
    return tuple(mark for trait, mark in MARKS.items() if trait in traits)
