"""Stock for the benchmarks, written the way omsctl keeps it: a level per bin and the ledger
row that explains it (so `db check` would pass), in two bulk INSERTs instead of the stock
import, which is not what these benchmarks measure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert

from omsctl.store import tables


class StockedBin(Protocol):
    sku: str
    location_id: int
    on_hand: int


def insert_received_stock(conn: Any, bins: Iterable[StockedBin], at: datetime) -> None:
    """Levels and their `receive` ledger rows for every bin holding stock."""
    stocked = [b for b in bins if b.on_hand]
    if not stocked:
        return
    conn.execute(
        insert(tables.StockLevel.__table__),  # type: ignore[attr-defined]
        [
            {"sku": b.sku, "location_id": b.location_id, "on_hand": b.on_hand, "reserved": 0}
            for b in stocked
        ],
    )
    conn.execute(
        insert(tables.StockMovement.__table__),  # type: ignore[attr-defined]
        [
            {
                "at": at,
                "actor": "bench",
                "sku": b.sku,
                "location_id": b.location_id,
                "kind": "receive",
                "delta_on_hand": b.on_hand,
                "delta_reserved": 0,
                "on_hand_after": b.on_hand,
                "reserved_after": 0,
                "reason": "received",
            }
            for b in stocked
        ],
    )
