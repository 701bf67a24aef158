"""Splitting an order's lines in two, merging orders' lines, and spotting orders to merge.

A split ships part of an order now and the rest later (or from elsewhere); a merge puts two
orders of the same buyer to the same address into one parcel. Lines are plain (sku, quantity)
tuples so the service can map them back onto its rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from omsctl.domain.errors import UsageProblem

Line = tuple[str, int]
Lines = tuple[Line, ...]
OrderId = TypeVar("OrderId", bound=Hashable)


def _check(lines: Iterable[Line]) -> None:
    for sku, quantity in lines:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise UsageProblem(
                f"line {sku} has quantity {quantity!r}",
                hint="quantities must be whole numbers above zero",
            )


def split_lines(lines: Sequence[Line], take: Mapping[str, int]) -> tuple[Lines, Lines]:
    """Split `take` (SKU -> units) off an order's lines; returns (kept, taken).

    Kept lines keep their order and shape; a SKU on several lines is taken from its last line
    first, so the first lines (usually the ones the buyer sees first) stay whole. Taken lines
    follow the order of the SKUs in the order. Refused with `UsageProblem`: an empty `take`,
    a SKU not in the order, more units than ordered, and taking everything (that is not a
    split; the whole order stays as it is).
    """
    _check(lines)
    if not take:
        raise UsageProblem("nothing to split off", hint="name lines as --line SKU:QTY")
    ordered = merge_lines(lines)
    have = dict(ordered)
    for sku, qty in take.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise UsageProblem(
                f"cannot split off {qty!r} of {sku}", hint="give a whole number above zero"
            )
        if sku not in have:
            raise UsageProblem(
                f"cannot split off {sku}: it is not in the order",
                hint=f"the order has {', '.join(have)}",
            )
        if qty > have[sku]:
            raise UsageProblem(
                f"cannot split off {qty} of {sku}: the order has {have[sku]}",
                hint=f"split off at most {have[sku]}",
            )
    if all(take.get(sku, 0) == qty for sku, qty in ordered):
        raise UsageProblem(
            "cannot split off every line: a split must leave something in the order",
            hint="leave at least one unit, or cancel the order instead",
        )

    left = {sku: take.get(sku, 0) for sku in have}
    kept: list[Line] = []
    for sku, qty in reversed(lines):
        cut = min(qty, left[sku])
        left[sku] -= cut
        if qty > cut:
            kept.append((sku, qty - cut))
    taken = tuple((sku, take[sku]) for sku, _ in ordered if sku in take)
    return tuple(reversed(kept)), taken


def merge_lines(*line_sets: Iterable[Line]) -> Lines:
    """All lines as one order: units summed by SKU, in the order SKUs were first seen."""
    totals: dict[str, int] = {}
    for lines in line_sets:
        for sku, qty in lines:
            totals[sku] = totals.get(sku, 0) + qty
    return tuple(totals.items())


def _fold(text: str) -> str:
    """NFKC and casefold (casefold can un-normalise, hence NFKC again), apostrophes dropped
    (O'Brien = OBrien), other punctuation read as a space (St.Mary = St. Mary), spaces
    collapsed."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    for ch in text:
        if ch in "'’ʼ`":
            continue
        out.append(" " if unicodedata.category(ch)[0] in "PZC" else ch)
    return " ".join("".join(out).split())


def address_key(
    name: str, street1: str, street2: str, city: str, postal_code: str, country: str
) -> str:
    """A key equal for two orders to the same person at the same address, however typed.

    Each part is NFKC-normalised, casefolded, stripped of punctuation and whitespace-collapsed;
    the postal code also loses its spaces (`SW1A 1AA` = `sw1a1aa`). Parts are joined with `|`,
    which cannot survive inside a part. "" when every part is empty, so blank addresses never
    look alike.
    """
    parts = [_fold(name), _fold(street1), _fold(street2), _fold(city)]
    parts += [_fold(postal_code).replace(" ", ""), _fold(country)]
    return "|".join(parts) if any(parts) else ""


def merge_candidates(
    orders: Sequence[tuple[OrderId, str, str]],
) -> list[tuple[OrderId, ...]]:
    """Groups of 2+ order ids with the same buyer key and address key, in first-seen order.

    Orders with a blank buyer or address key are left out: "unknown" is not the same buyer.
    The caller passes only orders that may still merge (new, on hold, approved).
    """
    groups: dict[tuple[str, str], dict[OrderId, None]] = {}
    for order_id, buyer, address in orders:
        if buyer.strip() and address.strip():
            groups.setdefault((buyer, address), {})[order_id] = None
    return [tuple(ids) for ids in groups.values() if len(ids) > 1]
