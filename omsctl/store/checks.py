"""The invariants `omsctl db check` proves, each one query over the whole database.

The rules of the house (nothing lost, nothing doubled, no overselling, every state change
explained) are enforced where data is written; these queries are the independent witness
that they held: after a crash, a restore, a copy to another database, or a bug. Each check
returns one `Problem` per broken thing, naming the order, SKU or bin and the numbers, so a
person can act on the line without another query.

Everything is SQLAlchemy Core (aggregates and window functions only), so the same checks run
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Subquery,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)

from omsctl.store.tables import (
    LabelPrint,
    Location,
    Order,
    OrderHistory,
    Reservation,
    Shipment,
    StockLevel,
    StockMovement,
    Warehouse,
    WaveOrder,
    WaybillNumber,
    metadata,
)

ORDERS = Order.__table__  # type: ignore[attr-defined]
HISTORY = OrderHistory.__table__  # type: ignore[attr-defined]
LEVELS = StockLevel.__table__  # type: ignore[attr-defined]
MOVES = StockMovement.__table__  # type: ignore[attr-defined]
RESERVATIONS = Reservation.__table__  # type: ignore[attr-defined]
LOCATIONS = Location.__table__  # type: ignore[attr-defined]
WAREHOUSES = Warehouse.__table__  # type: ignore[attr-defined]
SHIPMENTS = Shipment.__table__  # type: ignore[attr-defined]
PRINTS = LabelPrint.__table__  # type: ignore[attr-defined]
WAVE_ORDERS = WaveOrder.__table__  # type: ignore[attr-defined]
WAYBILLS = WaybillNumber.__table__  # type: ignore[attr-defined]

#: States that hold reserved stock (domain.lifecycle.RESERVING), spelled out for SQL.
RESERVING = ("approved", "picking", "packed")
#: States of an order that no wave may hold (leaving a wave goes through `wave remove`).
BEFORE_WAVE = ("new", "on_hold", "approved")
#: States an order only reaches after its parcel left with a tracking number.
SHIPPED_OR_LATER = ("shipped", "delivered", "exception", "completed", "returned")


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken invariant: which check, what it is about, and the numbers that disagree."""

    check: str
    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class Counts:
    """What was looked at, for the one-line summary of a clean check."""

    orders: int
    history: int
    stock_levels: int
    movements: int
    reservations: int
    shipments: int


Check = Callable[[Connection], Iterator[Problem]]


def counts(conn: Connection) -> Counts:
    def n(table: object) -> int:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]

    return Counts(n(ORDERS), n(HISTORY), n(LEVELS), n(MOVES), n(RESERVATIONS), n(SHIPMENTS))


def sqlite_integrity(conn: Connection) -> Iterator[Problem]:
    """SQLite's own page-level check and the foreign keys (which SQLite never re-verifies)."""
    if conn.dialect.name != "sqlite":
        return
    for (line,) in conn.execute(text("PRAGMA integrity_check")):
        if line != "ok":
            yield Problem("integrity", "database file", str(line))
    for table, rowid, parent, _ in conn.execute(text("PRAGMA foreign_key_check")):
        yield Problem(
            "integrity", f"{table} row {rowid}", f"{table} row {rowid} points at a missing {parent}"
        )


def references_resolve(conn: Connection) -> Iterator[Problem]:
    """Every foreign key points at a row, on databases other than SQLite (checked above).

    PostgreSQL enforces its keys at every write, but not for rows loaded with its triggers
    off (`pg_restore --disable-triggers`, `session_replication_role = replica`) or into tables
    whose constraints were dropped; the lines read as SQLite's do.
    """
    if conn.dialect.name == "sqlite":
        return
    for table in metadata.sorted_tables:
        (key,) = table.primary_key.columns
        for constraint in table.foreign_key_constraints:
            # An alias, so a key into the same table (orders.merged_into_id) is looked up in
            # another copy of it rather than correlated with the row itself.
            parent = constraint.referred_table
            target = parent.alias("target")
            pairs = [(e.parent, target.c[e.column.name]) for e in constraint.elements]
            orphans = (
                select(key)
                .where(*(child.is_not(None) for child, _ in pairs))
                .where(~exists().where(*(found == child for child, found in pairs)))
                .order_by(key)
            )
            for (row,) in conn.execute(orphans):
                yield Problem(
                    "integrity",
                    f"{table.name} row {row}",
                    f"{table.name} row {row} points at a missing {parent.name}",
                )


def _bins() -> Subquery:
    """location id -> 'WAREHOUSE/BIN', as a subquery to join."""
    return (
        select(
            LOCATIONS.c.id.label("location_id"),
            (WAREHOUSES.c.code + literal("/") + LOCATIONS.c.code).label("bin"),
        )
        .join(WAREHOUSES, WAREHOUSES.c.id == LOCATIONS.c.warehouse_id)
        .subquery("bins")
    )


def _bin_name(bin_: str | None, location_id: int) -> str:
    return bin_ or f"location #{location_id}"


def stock_levels(conn: Connection) -> Iterator[Problem]:
    """No level below zero, and never more reserved than on hand: available >= 0."""
    bins = _bins()
    stmt = (
        select(LEVELS.c.sku, LEVELS.c.location_id, bins.c.bin, LEVELS.c.on_hand, LEVELS.c.reserved)
        .outerjoin(bins, bins.c.location_id == LEVELS.c.location_id)
        .where(
            or_(
                LEVELS.c.on_hand < 0,
                LEVELS.c.reserved < 0,
                LEVELS.c.reserved > LEVELS.c.on_hand,
            )
        )
        .order_by(LEVELS.c.sku, LEVELS.c.location_id)
    )
    for sku, location_id, bin_, on_hand, reserved in conn.execute(stmt):
        where = _bin_name(bin_, location_id)
        yield Problem(
            "available",
            f"{sku} at {where}",
            f"stock {sku} at {where}: on hand {on_hand}, reserved {reserved},"
            f" available {on_hand - reserved}",
        )


def _against_levels(
    conn: Connection, check: str, level_column: str, totals: Subquery, what: str
) -> Iterator[Problem]:
    """Compare a level column with a per-(sku, bin) total, both ways round.

    A total for a (sku, bin) that has no level row counts against a level of 0, so units
    recorded somewhere the levels never heard of are found too.
    """
    bins = _bins()
    level = LEVELS.c[level_column]
    t = totals  # sku, location_id, total
    with_level = (
        select(LEVELS.c.sku, LEVELS.c.location_id, level, func.coalesce(t.c.total, 0))
        .outerjoin(
            t,
            and_(t.c.sku == LEVELS.c.sku, t.c.location_id == LEVELS.c.location_id),
        )
        .where(level != func.coalesce(t.c.total, 0))
    )
    without_level = (
        select(t.c.sku, t.c.location_id, literal(0), t.c.total)
        .outerjoin(
            LEVELS,
            and_(t.c.sku == LEVELS.c.sku, t.c.location_id == LEVELS.c.location_id),
        )
        .where(LEVELS.c.id.is_(None), t.c.total != 0)
    )
    found = union_all(with_level, without_level).subquery("found")
    stmt = (
        select(found.c[0], found.c[1], found.c[2], found.c[3], bins.c.bin)
        .outerjoin(bins, bins.c.location_id == found.c[1])
        .order_by(found.c[0], found.c[1])
    )
    for sku, location_id, value, total, bin_ in conn.execute(stmt):
        where = _bin_name(bin_, location_id)
        yield Problem(
            check,
            f"{sku} at {where}",
            f"stock {sku} at {where}: {level_column.replace('_', ' ')} {value}, {what} {total}",
        )


def reserved_equals_reservations(conn: Connection) -> Iterator[Problem]:
    """Every reserved unit belongs to a live reservation row of an order, and no other."""
    totals = (
        select(
            RESERVATIONS.c.sku,
            RESERVATIONS.c.location_id,
            func.sum(RESERVATIONS.c.quantity).label("total"),
        )
        .group_by(RESERVATIONS.c.sku, RESERVATIONS.c.location_id)
        .subquery("held")
    )
    yield from _against_levels(
        conn, "reserved", "reserved", totals, "but its live reservations add up to"
    )


def on_hand_equals_ledger(conn: Connection) -> Iterator[Problem]:
    """On-hand is explained by the stock ledger: the sum of its on-hand deltas."""
    totals = (
        select(
            MOVES.c.sku,
            MOVES.c.location_id,
            func.sum(MOVES.c.delta_on_hand).label("total"),
        )
        .group_by(MOVES.c.sku, MOVES.c.location_id)
        .subquery("ledger")
    )
    yield from _against_levels(conn, "ledger", "on_hand", totals, "but the stock ledger adds up to")


def _order_name(channel: str, number: str, order_id: int) -> str:
    return f"order {channel} {number} (id {order_id})"


def reservations_of_live_orders(conn: Connection) -> Iterator[Problem]:
    """Only approved, picking and packed orders hold stock; anything else leaked units."""
    stmt = (
        select(
            ORDERS.c.id,
            ORDERS.c.channel,
            ORDERS.c.channel_order_no,
            ORDERS.c.state,
            func.sum(RESERVATIONS.c.quantity),
        )
        .join(RESERVATIONS, RESERVATIONS.c.order_id == ORDERS.c.id)
        .where(ORDERS.c.state.not_in(RESERVING))
        .group_by(ORDERS.c.id, ORDERS.c.channel, ORDERS.c.channel_order_no, ORDERS.c.state)
        .order_by(ORDERS.c.id)
    )
    for order_id, channel, number, state, units in conn.execute(stmt):
        name = _order_name(channel, number, order_id)
        yield Problem(
            "reserved",
            name,
            f"{name} is {state} but still holds {units} reserved unit(s)",
        )


def history_explains_state(conn: Connection) -> Iterator[Problem]:
    """Every order has history, the history is one unbroken chain, and it ends in the state.

    Rows that record an action without a state change carry from == to == the state of the
    moment, so each row must start where the one before it ended; a state changed without
    its row shows up as a break in the chain or as a last row that ends elsewhere.
    """
    last = (
        select(HISTORY.c.order_id, func.max(HISTORY.c.id).label("last_id"))
        .group_by(HISTORY.c.order_id)
        .subquery("last")
    )
    lasts = (
        select(
            ORDERS.c.id,
            ORDERS.c.channel,
            ORDERS.c.channel_order_no,
            ORDERS.c.state,
            HISTORY.c.to_state,
            HISTORY.c.action,
            last.c.last_id,
        )
        .outerjoin(last, last.c.order_id == ORDERS.c.id)
        .outerjoin(HISTORY, HISTORY.c.id == last.c.last_id)
        .where(or_(last.c.last_id.is_(None), HISTORY.c.to_state.is_distinct_from(ORDERS.c.state)))
        .order_by(ORDERS.c.id)
    )
    for order_id, channel, number, state, to_state, action, last_id in conn.execute(lasts):
        name = _order_name(channel, number, order_id)
        if last_id is None:
            yield Problem("history", name, f"{name} is {state} but has no history row at all")
        else:
            yield Problem(
                "history",
                name,
                f"{name} is {state} but its last history row ({action}) ends in {to_state}",
            )
    chain = select(
        HISTORY.c.id,
        HISTORY.c.order_id,
        HISTORY.c.action,
        HISTORY.c.from_state,
        func.lag(HISTORY.c.to_state)
        .over(partition_by=HISTORY.c.order_id, order_by=HISTORY.c.id)
        .label("before"),
        func.row_number().over(partition_by=HISTORY.c.order_id, order_by=HISTORY.c.id).label("n"),
    ).subquery("chain")
    breaks = (
        select(
            chain.c.order_id,
            ORDERS.c.channel,
            ORDERS.c.channel_order_no,
            chain.c.action,
            chain.c.from_state,
            chain.c.before,
        )
        .join(ORDERS, ORDERS.c.id == chain.c.order_id)
        .where(chain.c.n > 1, chain.c.from_state.is_distinct_from(chain.c.before))
        .order_by(chain.c.order_id, chain.c.id)
    )
    for order_id, channel, number, action, from_state, before in conn.execute(breaks):
        name = _order_name(channel, number, order_id)
        yield Problem(
            "history",
            name,
            f"{name}: history row {action} starts from {from_state}, but the row before it"
            f" ended in {before} (a state change without its history row)",
        )


def shipped_orders_have_tracking(conn: Connection) -> Iterator[Problem]:
    """An order past packed left the building; its parcel must be traceable."""
    tracked = (
        select(SHIPMENTS.c.order_id)
        .where(SHIPMENTS.c.tracking_number.is_not(None), SHIPMENTS.c.tracking_number != "")
        .subquery("tracked")
    )
    stmt = (
        select(ORDERS.c.id, ORDERS.c.channel, ORDERS.c.channel_order_no, ORDERS.c.state)
        .where(ORDERS.c.state.in_(SHIPPED_OR_LATER), ORDERS.c.id.not_in(select(tracked.c.order_id)))
        .order_by(ORDERS.c.id)
    )
    for order_id, channel, number, state in conn.execute(stmt):
        name = _order_name(channel, number, order_id)
        yield Problem(
            "shipment", name, f"{name} is {state} but has no shipment with a tracking number"
        )


def tracking_numbers_used_once(conn: Connection) -> Iterator[Problem]:
    """One number, one parcel: on shipments, on printed labels, and in the waybill pools."""
    on_shipments = (
        select(SHIPMENTS.c.tracking_number, func.count(), func.min(SHIPMENTS.c.order_id))
        .where(SHIPMENTS.c.tracking_number.is_not(None), SHIPMENTS.c.tracking_number != "")
        .group_by(SHIPMENTS.c.tracking_number)
        .having(func.count() > 1)
        .order_by(SHIPMENTS.c.tracking_number)
    )
    for number, n, _ in conn.execute(on_shipments):
        yield Problem(
            "tracking", f"tracking {number}", f"tracking number {number} is on {n} shipments"
        )
    on_labels = (
        select(PRINTS.c.tracking_number, func.count(func.distinct(PRINTS.c.order_id)))
        .where(PRINTS.c.tracking_number != "")
        .group_by(PRINTS.c.tracking_number)
        .having(func.count(func.distinct(PRINTS.c.order_id)) > 1)
        .order_by(PRINTS.c.tracking_number)
    )
    for number, n in conn.execute(on_labels):
        yield Problem(
            "tracking",
            f"tracking {number}",
            f"tracking number {number} was printed on the labels of {n} different orders",
        )
    pool_mismatch = (
        select(
            WAYBILLS.c.number,
            WAYBILLS.c.order_id,
            SHIPMENTS.c.order_id,
        )
        .join(SHIPMENTS, SHIPMENTS.c.tracking_number == WAYBILLS.c.number)
        .where(
            WAYBILLS.c.order_id.is_not(None),
            WAYBILLS.c.carrier == SHIPMENTS.c.carrier,
            WAYBILLS.c.order_id != SHIPMENTS.c.order_id,
        )
        .order_by(WAYBILLS.c.number)
    )
    for number, pool_order, shipment_order in conn.execute(pool_mismatch):
        yield Problem(
            "tracking",
            f"tracking {number}",
            f"waybill {number} was handed to order id {pool_order}"
            f" but is on the shipment of order id {shipment_order}",
        )


def one_live_wave_per_order(conn: Connection) -> Iterator[Problem]:
    """An order is in one wave at a time; a picking order is in one, an unwaved one in none."""
    doubled = (
        select(
            ORDERS.c.id,
            ORDERS.c.channel,
            ORDERS.c.channel_order_no,
            func.count(),
            func.min(WAVE_ORDERS.c.wave_id),
            func.max(WAVE_ORDERS.c.wave_id),
        )
        .join(WAVE_ORDERS, WAVE_ORDERS.c.order_id == ORDERS.c.id)
        .where(WAVE_ORDERS.c.removed_at.is_(None))
        .group_by(ORDERS.c.id, ORDERS.c.channel, ORDERS.c.channel_order_no)
        .having(func.count() > 1)
        .order_by(ORDERS.c.id)
    )
    for order_id, channel, number, n, first, last in conn.execute(doubled):
        name = _order_name(channel, number, order_id)
        yield Problem("waves", name, f"{name} is in {n} live waves (wave ids {first} … {last})")
    stale = (
        select(
            ORDERS.c.id,
            ORDERS.c.channel,
            ORDERS.c.channel_order_no,
            ORDERS.c.state,
            WAVE_ORDERS.c.wave_id,
        )
        .join(WAVE_ORDERS, WAVE_ORDERS.c.order_id == ORDERS.c.id)
        .where(WAVE_ORDERS.c.removed_at.is_(None), ORDERS.c.state.in_(BEFORE_WAVE))
        .order_by(ORDERS.c.id, WAVE_ORDERS.c.wave_id)
    )
    for order_id, channel, number, state, wave_id in conn.execute(stale):
        name = _order_name(channel, number, order_id)
        yield Problem(
            "waves",
            name,
            f"{name} is {state} but still in wave id {wave_id} (taken out without `wave remove`)",
        )
    live = select(WAVE_ORDERS.c.order_id).where(WAVE_ORDERS.c.removed_at.is_(None))
    lost = (
        select(ORDERS.c.id, ORDERS.c.channel, ORDERS.c.channel_order_no)
        .where(ORDERS.c.state == "picking", ORDERS.c.id.not_in(live))
        .order_by(ORDERS.c.id)
    )
    for order_id, channel, number in conn.execute(lost):
        name = _order_name(channel, number, order_id)
        yield Problem("waves", name, f"{name} is picking but in no wave")


#: Every check, in the order `db check` reports them.
CHECKS: tuple[Check, ...] = (
    sqlite_integrity,
    references_resolve,
    stock_levels,
    reserved_equals_reservations,
    on_hand_equals_ledger,
    reservations_of_live_orders,
    history_explains_state,
    shipped_orders_have_tracking,
    tracking_numbers_used_once,
    one_live_wave_per_order,
)


def run_checks(conn: Connection) -> list[Problem]:
    """Every check's problems; an empty list means the database keeps every invariant."""
    return [problem for check in CHECKS for problem in check(conn)]
