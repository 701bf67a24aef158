"""Choosing where each order line ships from.

The rule, in the order it is applied:

1. Ship the whole order from ONE warehouse if any can: one parcel is cheaper than two and the
   buyer gets everything at once. Among the warehouses that can, rank (best first) by
   the destination's preference list, then nearness (same country and region, same country,
   elsewhere), then lowest load, then priority, then code, so that ties are deterministic.
2. Otherwise, when splitting is allowed, split with as few warehouses as practical (see
   `_split`). When it is not, the order waits: nothing reserved, every line missing.
3. When even all warehouses together are short of a line, nothing is reserved and `missing`
   names the shortfall, unless the caller accepts a backorder: then what is there is reserved
   and the rest is `missing`.

Within a warehouse, stock is taken from bins in pick-sequence order so pickers walk the aisle
once. The function is pure: the service passes the slots for the order's SKUs (available =
on hand - reserved, read in the same transaction) and executes the reservations as conditional
updates, so two processes can never oversell between the read and the write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from omsctl.domain.errors import UsageProblem


@dataclass(frozen=True, slots=True)
class Slot:
    """Stock of one SKU in one bin of one warehouse; `available` is on hand minus reserved."""

    warehouse: str
    location: str
    pick_sequence: int
    sku: str
    available: int


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A warehouse that may ship; `load` is units already reserved/open (lower is better),
    `priority` a manual ranking (lower number preferred)."""

    code: str
    country: str
    region: str = ""
    priority: int = 100
    load: int = 0


@dataclass(frozen=True, slots=True)
class Reservation:
    """Units of one SKU to reserve in one bin."""

    sku: str
    warehouse: str
    location: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Allocation:
    """The outcome of `allocate`: what to reserve where, and what could not be covered.

    `missing` maps SKU to units not reserved. It is empty exactly when the order is complete.
    """

    reservations: tuple[Reservation, ...] = ()
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every ordered unit has a reservation."""
        return not self.missing

    @property
    def warehouses(self) -> tuple[str, ...]:
        """The warehouses that ship, in the order they were chosen (best first)."""
        return tuple(dict.fromkeys(r.warehouse for r in self.reservations))

    @property
    def split(self) -> bool:
        """True when the order ships from more than one warehouse (more than one parcel)."""
        return len(self.warehouses) > 1

    def reserved(self) -> dict[str, int]:
        """Units reserved per SKU, for reports and for checking against the order."""
        totals: dict[str, int] = {}
        for r in self.reservations:
            totals[r.sku] = totals.get(r.sku, 0) + r.quantity
        return totals


def demand_of(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Units per SKU in first-seen order; the same SKU on two lines is one demand.

    Refuses blank SKUs and quantities that are not positive integers, because a reservation
    built on them would be meaningless.
    """
    demand: dict[str, int] = {}
    for sku, quantity in lines:
        if not isinstance(sku, str) or not sku.strip():
            raise UsageProblem(f"order line has no SKU (quantity {quantity!r})")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise UsageProblem(
                f"order line {sku} has quantity {quantity!r}",
                hint="quantities must be whole numbers above zero",
            )
        demand[sku] = demand.get(sku, 0) + quantity
    return demand


def preferred_warehouses(
    preferences: Mapping[str, Sequence[str]] | None, country: str, region: str = ""
) -> tuple[str, ...]:
    """The destination's ordered preference list: the region's (`CN-ZJ`) before the country's.

    A region key beats a country key because it is the more specific instruction; the
    country's list still follows so that a region listing one warehouse does not make the
    others' order arbitrary. `region` may be given bare (`ZJ`) or qualified (`CN-ZJ`). Keys are
    looked up upper-case and as given (the config loader normalises them once), because this
    runs per order and must not scan a long preference table every time.
    """
    if not preferences:
        return ()
    country = country.strip().upper()
    region = region.strip().upper()
    if region and not region.startswith(f"{country}-"):
        region = f"{country}-{region}"
    ordered: dict[str, None] = {}
    for key in (region, country):
        if key and (codes := preferences.get(key)):
            ordered.update(dict.fromkeys(codes))
    return tuple(ordered)


def allocate(
    lines: Sequence[tuple[str, int]],
    slots: Sequence[Slot],
    warehouses: Sequence[Warehouse],
    *,
    country: str,
    region: str = "",
    preferences: Mapping[str, Sequence[str]] | None = None,
    allow_split: bool = True,
    backorder: bool = False,
) -> Allocation:
    """Decide which bins of which warehouses serve an order (module docstring has the rules).

    `warehouses` are the ones allowed to ship: slots in any other warehouse are ignored, which
    is how a closed or excluded warehouse is left out. Slots for SKUs not ordered are ignored
    too. With `allow_split=False` and `backorder=True`, the best single warehouse ships what it
    has and the rest is missing. Cost: one pass over `slots`, plus lines x warehouses
    (x warehouses again when splitting); never a scan of all stock.
    """
    demand = demand_of(lines)
    if not demand:
        return Allocation()

    ranked = _rank(warehouses, country, region, preferences)
    # bins[warehouse][sku] = slots with stock; totals[warehouse][sku] = their sum.
    bins: dict[str, dict[str, list[Slot]]] = {code: {} for code in ranked}
    for slot in slots:
        if slot.available > 0 and slot.sku in demand and slot.warehouse in bins:
            bins[slot.warehouse].setdefault(slot.sku, []).append(slot)
    totals = {
        code: {sku: sum(s.available for s in found) for sku, found in by_sku.items()}
        for code, by_sku in bins.items()
    }

    for code in ranked:
        have = totals[code]
        if all(have.get(sku, 0) >= qty for sku, qty in demand.items()):
            return Allocation(
                tuple(r for sku, qty in demand.items() for r in _take(bins[code], sku, qty)[0])
            )

    if not allow_split:
        if not backorder or not ranked:
            return Allocation((), dict(demand))
        best = max(
            ranked, key=lambda c: sum(min(totals[c].get(s, 0), q) for s, q in demand.items())
        )
        plan = {sku: [(best, qty)] for sku, qty in demand.items()}
        return _reserve(plan, demand, bins)

    if not backorder:
        short = {
            sku: qty - everywhere
            for sku, qty in demand.items()
            if (everywhere := sum(totals[c].get(sku, 0) for c in ranked)) < qty
        }
        if short:
            return Allocation((), short)
    return _reserve(_split(demand, ranked, totals), demand, bins)


def _rank(
    warehouses: Sequence[Warehouse],
    country: str,
    region: str,
    preferences: Mapping[str, Sequence[str]] | None,
) -> list[str]:
    """Warehouse codes best first (module docstring has the order)."""
    seen: set[str] = set()
    for w in warehouses:
        if w.code in seen:
            raise UsageProblem(f"warehouse {w.code} is listed twice")
        seen.add(w.code)
    preferred = {
        code: i for i, code in enumerate(preferred_warehouses(preferences, country, region))
    }
    country = country.strip().upper()
    region = region.strip().upper()
    if region.startswith(f"{country}-"):
        region = region[len(country) + 1 :]

    def nearness(w: Warehouse) -> int:
        if w.country.strip().upper() != country:
            return 2
        wregion = w.region.strip().upper()
        if wregion.startswith(f"{country}-"):
            wregion = wregion[len(country) + 1 :]
        return 0 if region and wregion == region else 1

    def key(w: Warehouse) -> tuple[int, int, int, int, str]:
        return (preferred.get(w.code, len(preferred)), nearness(w), w.load, w.priority, w.code)

    return [w.code for w in sorted(warehouses, key=key)]


def _split(
    demand: Mapping[str, int], ranked: Sequence[str], totals: Mapping[str, Mapping[str, int]]
) -> dict[str, list[tuple[str, int]]]:
    """Plan a split: for each SKU, a list of (warehouse, units), best warehouse first.

    Greedy set cover, because the exact minimum is NP-hard and orders are small:
    1. Whole lines first. Repeatedly choose the warehouse that can ship the most remaining
       lines whole (ties: more units, then rank) and give it all of them, so each parcel
       carries as much as it can and no line is cut needlessly.
    2. Lines no single warehouse holds are cut, filling from warehouses already shipping (in
       rank order) before opening new ones (in rank order); what is still short is left out,
       and the caller reports it as missing.
    """
    plan: dict[str, list[tuple[str, int]]] = {sku: [] for sku in demand}
    remaining = dict(demand)
    used: list[str] = []
    while remaining:
        best: tuple[int, int, int] | None = None
        chosen = ""
        for rank, code in enumerate(ranked):
            if code in used:
                continue
            have = totals[code]
            whole = [sku for sku, qty in remaining.items() if have.get(sku, 0) >= qty]
            if whole:
                score = (len(whole), sum(remaining[s] for s in whole), -rank)
                if best is None or score > best:
                    best, chosen = score, code
        if best is None:
            break
        used.append(chosen)
        have = totals[chosen]
        for sku in [s for s, qty in remaining.items() if have.get(s, 0) >= qty]:
            plan[sku].append((chosen, remaining.pop(sku)))

    order = used + [code for code in ranked if code not in used]
    for sku, qty in remaining.items():
        for code in order:
            take = min(qty, totals[code].get(sku, 0))
            if take:
                plan[sku].append((code, take))
                qty -= take
                if not qty:
                    break
    return plan


def _reserve(
    plan: Mapping[str, list[tuple[str, int]]],
    demand: Mapping[str, int],
    bins: Mapping[str, Mapping[str, list[Slot]]],
) -> Allocation:
    """Turn a per-warehouse plan into bin reservations; unreserved units become `missing`."""
    reservations: list[Reservation] = []
    missing: dict[str, int] = {}
    for sku, qty in demand.items():
        short = qty
        for code, units in plan.get(sku, ()):
            taken, left = _take(bins[code], sku, min(units, short))
            reservations.extend(taken)
            short -= min(units, short) - left
        if short:
            missing[sku] = short
    return Allocation(tuple(reservations), missing)


def _take(
    by_sku: Mapping[str, list[Slot]], sku: str, quantity: int
) -> tuple[list[Reservation], int]:
    """Reserve `quantity` of a SKU from one warehouse's bins in pick order; returns the units
    it could not find. Sorted by (sequence, location) so unparsed bins still order stably."""
    taken: list[Reservation] = []
    for slot in sorted(by_sku.get(sku, ()), key=lambda s: (s.pick_sequence, s.location)):
        if quantity <= 0:
            break
        units = min(quantity, slot.available)
        taken.append(Reservation(sku, slot.warehouse, slot.location, units))
        quantity -= units
    return taken, quantity
