"""Reserving many orders in one transaction without a round trip per unit.

Review approves thousands of orders a run. The book loads the levels of the SKUs at hand once
(inside the write transaction, so nobody else can change them), lets the domain allocate and
reserve against that in-memory view, and writes everything at the end: one conditional
UPDATE per touched level, and the ledger and reservation rows by executemany. Approving one
order by hand goes through the same book, so there is one reservation path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session

from omsctl.domain import allocation
from omsctl.domain import stock as rules
from omsctl.domain.errors import StockProblem
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import Location, Reservation, StockMovement, Warehouse
from omsctl.store.tables import StockLevel as LevelRow

LEVELS = LevelRow.__table__  # type: ignore[attr-defined]
_LOADS = "omsctl.warehouse_loads"


def forget_loads(session: Session) -> None:
    """Drop the cached warehouse loads after stock was released or shipped."""
    session.info.pop(_LOADS, None)


@dataclass
class _Level:
    """One bin's stock of one SKU as loaded, and as it is now in this transaction."""

    row_id: int
    location_id: int
    warehouse: str
    location: str
    sequence: int
    loaded: rules.StockLevel
    now: rules.StockLevel


class StockBook:
    """The stock of some SKUs, loaded once, reserved against in memory, written by `flush`."""

    def __init__(self, session: Session, skus: Iterable[str]) -> None:
        self.session = session
        self._levels: dict[tuple[str, str, str], _Level] = {}
        self._by_sku: dict[str, list[_Level]] = defaultdict(list)
        self._movements: list[dict[str, object]] = []
        self._reservations: list[dict[str, object]] = []
        self._load(sorted(set(skus)))
        self._warehouses = self._load_warehouses()

    def _load(self, skus: Sequence[str]) -> None:
        for chunk in in_chunks(skus):
            stmt = (
                select(
                    LevelRow.id,
                    LevelRow.sku,
                    LevelRow.on_hand,
                    LevelRow.reserved,
                    Location.id,
                    Location.code,
                    Location.pick_sequence,
                    Warehouse.code,
                )
                .join(Location, Location.id == LevelRow.location_id)
                .join(Warehouse, Warehouse.id == Location.warehouse_id)
                .where(LevelRow.sku.in_(chunk))  # type: ignore[attr-defined]
            )
            for row_id, sku, on_hand, reserved, loc_id, loc, seq, wh in self.session.execute(stmt):
                level = rules.StockLevel(sku, f"{wh}/{loc}", on_hand, reserved)
                entry = _Level(row_id, loc_id, wh, loc, seq, level, level)
                self._levels[(sku, wh, loc)] = entry
                self._by_sku[sku].append(entry)

    def _load_warehouses(self) -> dict[str, allocation.Warehouse]:
        """Warehouses with their load, summed once per transaction and kept current here.

        Summing every level's reservations costs milliseconds, and approving a batch makes a
        book per order; the sums live in the session, each book adds what it reserves, and
        releasing stock drops them (see `forget_loads`). Load only breaks ties between
        warehouses, so an order rolled back in a savepoint leaving its units counted is harmless.
        """
        from omsctl.store.stock import warehouses_with_load

        cached = self.session.info.get(_LOADS)
        if cached is None:
            cached = {w.code: w for w in warehouses_with_load(self.session)}
            self.session.info[_LOADS] = cached
        return cached  # type: ignore[no-any-return]

    def slots(self, skus: Iterable[str]) -> list[allocation.Slot]:
        return [
            allocation.Slot(e.warehouse, e.location, e.sequence, sku, e.now.available)
            for sku in set(skus)
            for e in self._by_sku.get(sku, ())
            if e.now.available > 0
        ]

    def available(self, sku: str) -> int:
        return sum(e.now.available for e in self._by_sku.get(sku, ()))

    def plan(
        self,
        lines: Sequence[tuple[str, int]],
        *,
        country: str,
        region: str,
        preferences: Mapping[str, Sequence[str]],
        backorder: bool = False,
    ) -> allocation.Allocation:
        """Where the units would come from, given what this book has reserved so far."""
        return allocation.allocate(
            lines,
            self.slots(sku for sku, _ in lines),
            list(self._warehouses.values()),
            country=country,
            region=region,
            preferences=preferences,
            backorder=backorder,
        )

    def reserve(
        self, order_id: int, ref: str, result: allocation.Allocation, *, actor: str, at: datetime
    ) -> None:
        """Take the allocation's units in memory, with their ledger and reservation rows."""
        for r in result.reservations:
            entry = self._levels[(r.sku, r.warehouse, r.location)]
            entry.now, movement = rules.reserve(entry.now, r.quantity, f"order {ref}")
            self._movements.append(
                {
                    "at": at,
                    "actor": actor,
                    "sku": r.sku,
                    "location_id": entry.location_id,
                    "kind": movement.kind.value,
                    "delta_on_hand": movement.delta_on_hand,
                    "delta_reserved": movement.delta_reserved,
                    "on_hand_after": movement.on_hand_after,
                    "reserved_after": movement.reserved_after,
                    "reason": movement.reason,
                    "order_id": order_id,
                }
            )
            self._reservations.append(
                {
                    "order_id": order_id,
                    "sku": r.sku,
                    "location_id": entry.location_id,
                    "quantity": r.quantity,
                }
            )
            wh = self._warehouses[r.warehouse]
            self._warehouses[r.warehouse] = allocation.Warehouse(
                wh.code, wh.country, wh.region, wh.priority, wh.load + r.quantity
            )

    def flush(self) -> None:
        """Write every change: levels only where they still hold what was loaded."""
        conn = self.session.connection()
        for entry in self._levels.values():
            if entry.now == entry.loaded:
                continue
            done = conn.execute(
                update(LEVELS)
                .where(
                    LEVELS.c.id == entry.row_id,
                    LEVELS.c.on_hand == entry.loaded.on_hand,
                    LEVELS.c.reserved == entry.loaded.reserved,
                )
                .values(on_hand=entry.now.on_hand, reserved=entry.now.reserved)
            )
            if done.rowcount != 1:
                raise StockProblem(
                    f"stock of {entry.loaded.sku} at {entry.loaded.location} "
                    "changed while this ran",
                    hint="run the command again",
                )
            entry.loaded = entry.now
        if self._movements:
            conn.execute(insert(StockMovement.__table__), self._movements)  # type: ignore[attr-defined]
        if self._reservations:
            conn.execute(insert(Reservation.__table__), self._reservations)  # type: ignore[attr-defined]
        self._movements, self._reservations = [], []
