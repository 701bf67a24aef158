"""Scan-verified packing: the parcel holds exactly what the order says, unit by unit.

The packer scans every unit (SKU label or product barcode) as it goes into the box. `verify`
compares the scans with the order's lines and returns every mismatch as one actionable line;
the service records them all (pack accuracy is a KPI) and moves the order to `packed` only
when there are none. `packing_advice` turns product traits into what the packer must do.

Scans arrive as a keyboard-wedge scanner types them, so a code is cleaned first: control
characters (the Enter or Tab the scanner appends, a GS separator) and surrounding whitespace
are dropped, and so is an AIM symbology prefix (`]E0` before an EAN-13) that some scanners
are set up to send. Barcodes of 12 to 14 digits compare as GTIN-14: a 12-digit UPC-A is the
13-digit EAN with a leading 0, and a spreadsheet that dropped that 0 does not break a match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Expected:
    """One line of the order as packing sees it: what to scan, how many, how to pack it."""

    sku: str
    title: str
    quantity: int
    barcodes: tuple[str, ...]
    traits: frozenset[str]


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One mismatch between the scans and the order, with the line to show the packer.

    `kind` is `wrong_item`, `extra_unit`, `missing_unit` or `unknown_code`; `sku` is "" for
    an unknown code; `code` is the first code scanned for it ("" when nothing was scanned).
    """

    kind: str
    sku: str
    code: str
    expected: int
    scanned: int
    text: str


@dataclass(frozen=True, slots=True)
class PackCheck:
    """The verdict: `ok` when the scans match the order exactly; `scanned` counts per SKU."""

    ok: bool
    problems: tuple[PackProblem, ...]
    scanned: Mapping[str, int] = field(default_factory=dict)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.problems)


WRONG_ITEM = "wrong_item"
EXTRA_UNIT = "extra_unit"
MISSING_UNIT = "missing_unit"
UNKNOWN_CODE = "unknown_code"

# --- reading a scan --------------------------------------------------------------------------

_AIM_PREFIX = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_GTIN = re.compile(r"[0-9]{12,14}")


def clean_code(code: str) -> str:
    """The code without what the scanner adds around it (see the module docstring)."""
    text = "".join(ch for ch in code if unicodedata.category(ch) not in {"Cc", "Cf"}).strip()
    if _AIM_PREFIX.match(text):
        text = text[3:].strip()
    return text


def _key(code: str) -> str:
    """GTIN-14 for 12-14 digit codes (UPC-A, EAN-13, GTIN-14), the code itself otherwise."""
    return code.zfill(14) if _GTIN.fullmatch(code) else code


class _Resolver:
    """Code -> SKU lookups built once per verification, in the order `resolve` documents."""

    def __init__(self, expected: Sequence[Expected], catalogue: Mapping[str, str]) -> None:
        exact: dict[str, str] = {}
        folded: dict[str, str | None] = {}
        # Lowest precedence first: later entries overwrite earlier ones.
        for known, sku in catalogue.items():
            key = _key(clean_code(known))
            exact[key] = sku
            low = key.casefold()
            folded[low] = sku if folded.get(low, sku) == sku else None  # None: ambiguous
        for line in expected:
            for barcode in line.barcodes:
                if barcode := clean_code(barcode):
                    exact[_key(barcode)] = line.sku
        for line in expected:
            exact[_key(line.sku)] = line.sku
            folded[_key(line.sku).casefold()] = line.sku
        self._exact = exact
        self._folded = folded

    def __call__(self, code: str) -> str | None:
        key = _key(code)
        return self._exact.get(key) or self._folded.get(key.casefold())


def resolve(code: str, expected: Sequence[Expected], catalogue: Mapping[str, str]) -> str | None:
    """The SKU a scanned code stands for, or None when no product has it.

    Tried in this order: a SKU of the order, a barcode of the order's products, any SKU or
    barcode in `catalogue` (all products, so another product's scan is a wrong item, not an
    unknown code), then a SKU in another letter case (a scanner typing with Caps Lock on)
    when that is unambiguous. The order's own products come first so that a barcode shared
    by two products (a set and its piece) counts as the one the order holds.
    """
    cleaned = clean_code(code)
    return _Resolver(expected, catalogue)(cleaned) if cleaned else None


# --- verifying a parcel ----------------------------------------------------------------------


def _extra(count: int) -> str:
    return "one extra" if count == 1 else f"{count} extra"


def verify(
    expected: Sequence[Expected], scans: Iterable[str], catalogue: Mapping[str, str]
) -> PackCheck:
    """Compare the scans (one per unit) with the order; every mismatch is one problem.

    Problems come in the order of the order's lines (extra or missing units), then wrong
    items and unknown codes in the order they were first scanned. Blank scans (an empty line
    on stdin) are ignored. Two lines of one SKU are one SKU with their quantities added.
    Unknown codes are problems like any other; the service decides whether they are also a
    usage error.
    """
    needed: dict[str, int] = {}
    for line in expected:
        needed[line.sku] = needed.get(line.sku, 0) + line.quantity
    lookup = _Resolver(expected, catalogue)
    scanned: dict[str, int] = {}
    first_code: dict[str, str] = {}
    unknown: dict[str, int] = {}
    for raw in scans:
        code = clean_code(raw)
        if not code:
            continue
        sku = lookup(code)
        if sku is None:
            unknown[code] = unknown.get(code, 0) + 1
        else:
            scanned[sku] = scanned.get(sku, 0) + 1
            first_code.setdefault(sku, code)

    problems = []
    for sku, need in needed.items():
        got = scanned.get(sku, 0)
        code = first_code.get(sku, "")
        if got > need:
            text = f"{sku}: scanned {got}, order needs {need} ({_extra(got - need)})"
            problems.append(PackProblem(EXTRA_UNIT, sku, code, need, got, text))
        elif got < need:
            text = f"{sku}: missing {need - got} of {need}"
            problems.append(PackProblem(MISSING_UNIT, sku, code, need, got, text))
    for sku, got in scanned.items():
        if sku not in needed:
            text = f"{sku}: not in this order (scanned {got})"
            problems.append(PackProblem(WRONG_ITEM, sku, first_code[sku], 0, got, text))
    for code, got in unknown.items():
        times = f" (scanned {got} times)" if got > 1 else ""
        text = f"{code!r}: no product has this code{times}"
        problems.append(PackProblem(UNKNOWN_CODE, "", code, 0, got, text))
    return PackCheck(ok=not problems, problems=tuple(problems), scanned=scanned)


# --- packing advice --------------------------------------------------------------------------

#: What each product trait asks of the packer, in the order the advice is printed: what
#: protects the goods first, then what protects the parcel in transit.
ADVICE: Mapping[str, str] = {
    "fragile": (
        "wrap each piece in bubble wrap, protect the corners, fill every gap so nothing "
        "moves, and put a FRAGILE label on the parcel"
    ),
    "liquid": (
        "check every cap is tight and sealed, put each bottle in a sealed plastic bag, "
        "and pack it upright with THIS WAY UP on the box"
    ),
    "valuable": (
        "close the parcel with tamper-evident tape and write no value, brand or contents "
        "on the outside"
    ),
    "perishable": (
        "pack with ice packs or an insulated liner, ship it today rather than before a "
        "weekend, and mark it PERISHABLE"
    ),
    "hazardous": (
        "use the carrier's dangerous-goods packaging and label, and check the service accepts it"
    ),
    "oversize": (
        "use a box that fits without bulging and check the carrier's size limits before labelling"
    ),
}


def packing_advice(traits_by_sku: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """One line per trait present in the parcel, naming its SKUs, in `ADVICE` order.

    Once per trait rather than per SKU because the packer handles the parcel, not a list:
    "Fragile (CUP-CEL-02, POT-YX-350): …". Traits are read case-insensitively; a trait with
    no advice is skipped (the product master only accepts the ones above).
    """
    skus_by_trait: dict[str, set[str]] = {}
    for sku, traits in traits_by_sku.items():
        for trait in traits:
            skus_by_trait.setdefault(trait.strip().lower(), set()).add(sku)
    return tuple(
        f"{trait.capitalize()} ({', '.join(sorted(skus_by_trait[trait]))}): {advice}"
        for trait, advice in ADVICE.items()
        if trait in skus_by_trait
    )
