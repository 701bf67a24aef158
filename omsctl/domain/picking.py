"""The pick path: one walk through the warehouse per wave, each bin visited once.

A picker with a cart of totes (one per order) walks the bins in their pick sequence; at each
stop the list says how many of which SKU to take in all, and how many go into which tote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from omsctl.domain.errors import Conflict


@dataclass(frozen=True, slots=True)
class PickItem:
    """Units of one SKU reserved for one order in one bin (from the order's reservations)."""

    order_ref: str
    tote: int
    sku: str
    title: str
    product_barcode: str
    location: str
    pick_sequence: int
    quantity: int


@dataclass(frozen=True, slots=True)
class ToteShare:
    tote: int
    order_ref: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PickStop:
    """One stop of the walk: a bin, a SKU, the total to take, and how it splits into totes."""

    location: str
    pick_sequence: int
    sku: str
    title: str
    product_barcode: str
    total: int
    totes: tuple[ToteShare, ...]


@dataclass(frozen=True, slots=True)
class Unbinned:
    """A SKU an order needs that has no bin: the picker must be told, not left searching."""

    sku: str
    title: str
    quantity: int
    order_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PickList:
    """Everything the pick-list document shows; plain data, so documents never query."""

    wave_id: int
    wave_code: str  # what the wave's barcode encodes, e.g. "WAVE-000042"
    warehouse: str
    strategy: str
    created_at_text: str  # already formatted in the merchant's time zone
    totes: tuple[ToteShare, ...]  # tote -> order, with the order's units
    stops: tuple[PickStop, ...]
    unbinned: tuple[Unbinned, ...]

    @property
    def units(self) -> int:
        return sum(stop.total for stop in self.stops) + sum(u.quantity for u in self.unbinned)


# --- building the list -----------------------------------------------------------------------


def assign_totes(order_refs_in_wave_order: Iterable[str]) -> dict[str, int]:
    """Tote 1..n in wave order (which is priority order), so tote 1 holds the most urgent order.

    A ref given twice keeps its first tote: one order, one tote, or the sorting goes wrong.
    """
    totes: dict[str, int] = {}
    for ref in order_refs_in_wave_order:
        if ref not in totes:
            totes[ref] = len(totes) + 1
    return totes


def pick_path(items: Sequence[PickItem]) -> tuple[PickStop, ...]:
    """One stop per (bin, SKU) in walking order, with the total and the split into totes.

    Items of the same order and SKU in the same bin (two lines of one SKU, say) become one
    tote share, so the picker reads one number per tote. Stops are sorted by pick sequence,
    then bin code, then SKU, which is total, so ties (unparsed bins share a sequence) never
    depend on the order of the reservations. Items with nothing to pick are skipped.
    """
    stops: dict[tuple[str, str], list[PickItem]] = {}
    for item in items:
        if item.quantity > 0:
            stops.setdefault((item.location, item.sku), []).append(item)
    path = []
    for (location, sku), group in stops.items():
        shares: dict[tuple[int, str], int] = {}
        for item in group:
            key = (item.tote, item.order_ref)
            shares[key] = shares.get(key, 0) + item.quantity
        first = group[0]
        path.append(
            PickStop(
                location=location,
                pick_sequence=min(item.pick_sequence for item in group),
                sku=sku,
                title=first.title,
                product_barcode=first.product_barcode,
                total=sum(shares.values()),
                totes=tuple(ToteShare(t, ref, q) for (t, ref), q in sorted(shares.items())),
            )
        )
    path.sort(key=lambda stop: (stop.pick_sequence, stop.location, stop.sku))
    return tuple(path)


def build_pick_list(
    wave_id: int,
    warehouse: str,
    strategy: str,
    created_at_text: str,
    items: Sequence[PickItem],
    unbinned: Sequence[Unbinned],
    *,
    totes: Mapping[str, int] | None = None,
) -> PickList:
    """Everything the pick-list document prints, from the wave's reservations.

    `totes` (from `assign_totes`) lists every order of the wave, so an order whose SKUs all
    lack a bin still gets its tote row (with 0 units to pick) instead of vanishing from the
    sheet; without it the tote rows come from the items. A tote's units are the units picked
    into it from bins. Raises `Conflict` when one tote is given to two orders (or one order to
    two totes), because the picker would mix two parcels.
    """
    units: dict[tuple[int, str], int] = {}
    for ref, tote in (totes or {}).items():
        units[tote, ref] = 0
    for item in items:
        key = (item.tote, item.order_ref)
        units[key] = units.get(key, 0) + max(item.quantity, 0)
    order_of: dict[int, str] = {}
    tote_of: dict[str, int] = {}
    for tote, ref in units:
        if order_of.setdefault(tote, ref) != ref:
            raise Conflict(f"tote {tote} is given to both {order_of[tote]} and {ref}")
        if tote_of.setdefault(ref, tote) != tote:
            raise Conflict(f"order {ref} is given both tote {tote_of[ref]} and tote {tote}")
    return PickList(
        wave_id=wave_id,
        wave_code=wave_code(wave_id),
        warehouse=warehouse,
        strategy=strategy,
        created_at_text=created_at_text,
        totes=tuple(ToteShare(t, ref, q) for (t, ref), q in sorted(units.items())),
        stops=pick_path(items),
        unbinned=tuple(sorted(unbinned, key=lambda u: (u.sku, u.order_refs))),
    )


def wave_code(wave_id: int) -> str:
    """What the wave's barcode encodes: fixed width, so scanners and sorting agree."""
    return f"WAVE-{wave_id:06d}"
