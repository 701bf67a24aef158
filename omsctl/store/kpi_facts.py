"""The KPI report's facts in SQL: counts and sums grouped by the merchant's local day.

Each query scans one table (or a join) over the report's range and returns rows numbering in
days times a few keys, not in orders; domain.kpis folds them into the report. Local days:
PostgreSQL converts with its own zone database (`timezone(zone, t)`); SQLite has none, so
the zone's UTC offsets over the range are computed (domain.kpi_periods) and the day is
`date(t, '+N minutes')` with a CASE over the daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from omsctl.domain import kpi_periods as periods_
from omsctl.domain import kpis
from omsctl.domain.replenishment import is_low
from omsctl.store.tables import (
    Hold,
    LogisticsException,
    Order,
    OrderHistory,
    OrderLine,
    PackCheck,
    Product,
    ReturnAuthorization,
    ReturnLine,
    Shipment,
    StockLevel,
)

ORD = Order.__table__  # type: ignore[attr-defined]
CHILD = ORD.alias("child")
H = Hold.__table__  # type: ignore[attr-defined]
OH = OrderHistory.__table__  # type: ignore[attr-defined]
OL = OrderLine.__table__  # type: ignore[attr-defined]
PC = PackCheck.__table__  # type: ignore[attr-defined]
S = Shipment.__table__  # type: ignore[attr-defined]
LE = LogisticsException.__table__  # type: ignore[attr-defined]
R = ReturnAuthorization.__table__  # type: ignore[attr-defined]
RL = ReturnLine.__table__  # type: ignore[attr-defined]
P = Product.__table__  # type: ignore[attr-defined]
SL = StockLevel.__table__  # type: ignore[attr-defined]

#: Money is summed in ten-thousandths, an integer SQLite adds exactly (ExactDecimal keeps 4).
_MONEY_SCALE = 10_000


class Scope:
    """The report's filters and the exclusions every order metric shares."""

    def __init__(self, channel: str | None, carrier: str | None) -> None:
        self.channel, self.carrier = channel, carrier

    def orders(self, *, channel_orders: bool = False) -> list[ColumnElement[bool]]:
        """Orders that count: never merged ones; with `channel_orders`, no split children."""
        where: list[ColumnElement[bool]] = [ORD.c.state != "merged"]
        if channel_orders:
            # Not `parent_id IS NULL`: SQLite (without ANALYZE) takes that for a selective
            # lookup in the parent_id index and reads nearly every order through it, at
            # random, instead of scanning or using a time index.
            where.append(func.coalesce(ORD.c.parent_id, 0) == 0)
        if self.channel:
            where.append(ORD.c.channel == self.channel)
        if self.carrier:
            where.append(ORD.c.carrier == self.carrier)
        return where

    def shipments(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [ORD.c.state != "merged"]
        if self.channel:
            where.append(ORD.c.channel == self.channel)
        if self.carrier:
            where.append(S.c.carrier == self.carrier)
        return where


class LocalDay:
    """SQL for local days and clock times of UTC columns, and durations, per dialect."""

    def __init__(self, dialect: str, zone: str) -> None:
        self.sqlite = dialect == "sqlite"
        self.zone = zone
        self.offsets: list[tuple[datetime, int]] = []

    def cover(self, start: datetime, end: datetime) -> None:
        """Learn the zone's offsets over the moments the queries will convert."""
        self.offsets = periods_.utc_offsets(self.zone, start, end)

    def _modifier(self, column: Any) -> Any:
        def text(minutes: int) -> str:
            return f"{minutes:+d} minutes"

        first, *changes = self.offsets
        if not changes:
            return text(first[1])
        whens = []
        previous = first[1]
        for moment, minutes in changes:
            whens.append((column < moment, text(previous)))
            previous = minutes
        return case(*whens, else_=text(previous))

    def day(self, column: Any) -> Any:
        """The local calendar day of a UTC column, as 'YYYY-MM-DD' text."""
        if self.sqlite:
            return func.date(column, self._modifier(column), type_=String)
        return func.to_char(func.timezone(self.zone, column), "YYYY-MM-DD", type_=String)

    def clock(self, column: Any) -> Any:
        """The local time of day of a UTC column, as 'HH:MM' text."""
        if self.sqlite:
            return func.strftime("%H:%M", column, self._modifier(column), type_=String)
        return func.to_char(func.timezone(self.zone, column), "HH24:MI", type_=String)

    def seconds(self, later: Any, earlier: Any, per: int = 1) -> Any:
        """Whole seconds (or units of `per` seconds, rounded) from `earlier` to `later`."""
        if self.sqlite:
            span = (func.julianday(later) - func.julianday(earlier)) * (86400 / per)
            return cast(func.round(span), Integer)
        return cast(func.round(extract("epoch", later - earlier) / per), Integer)

    def minutes(self, later: Any, earlier: Any) -> Any:
        """Whole minutes from `earlier` to `later`, rounded to the nearest."""
        return self.seconds(later, earlier, per=60)

    def money_units(self, column: Any) -> Any:
        """An amount in ten-thousandths as an integer (SQLite), or exact NUMERIC elsewhere."""
        if self.sqlite:
            return cast(func.round(cast(column, Float) * _MONEY_SCALE), Integer)
        return column


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _grouped(stmt: Select[Any], count: int) -> Select[Any]:
    """Group by the first `count` output columns (by position: the same on SQLite and PG)."""
    return stmt.group_by(*(literal_column(str(n)) for n in range(1, count + 1)))


class FactGatherer:
    """Runs one aggregate query per kind of fact over [start, end) in local days."""

    def __init__(self, session: Any, sql: LocalDay, scope: Scope, zone: str, now: datetime):
        self.s, self.sql, self.scope, self.zone, self.now = session, sql, scope, zone, now

    def gather(
        self,
        start: date,
        end: date,
        *,
        lookback_days: int,
        cutoff: time,
        segments: list[date] | None = None,
    ) -> kpis.Facts:
        """The facts of the local days [start, end); durations keyed by the `segments`
        (first days of the periods, ascending) they fall in, or by day without them."""
        self.segments = [(d, periods_.midnight(d, self.zone)) for d in segments or ()]
        lo, hi = periods_.midnight(start, self.zone), periods_.midnight(end, self.zone)
        ship_lo = periods_.midnight(start - timedelta(days=lookback_days + 1), self.zone)
        self.sql.cover(ship_lo, hi + timedelta(days=1))
        self.lo, self.hi, self.ship_lo = lo, hi, ship_lo
        self.scan = self._covers_much()
        facts = kpis.Facts()
        facts.imported = self._events(ORD.c.imported_at, split=True)
        facts.approved = self._events(ORD.c.approved_at)
        facts.shipped = self._events(ORD.c.shipped_at, split=True)
        facts.cancelled = self._events(ORD.c.cancelled_at)
        facts.value = self._money()
        facts.processing = self._durations(
            ORD.c.shipped_at, ORD.c.paid_at, self.scope.orders(channel_orders=True)
        )
        facts.approval = self._durations(
            ORD.c.approved_at, ORD.c.imported_at, self.scope.orders(channel_orders=True)
        )
        facts.dispatch = self._dispatch(cutoff)
        facts.held, facts.held_any = self._held()
        facts.holds_created = self._holds_created()
        facts.hold_due = self._hold_due()
        facts.hold_resolution = self._durations(H.c.resolved_at, H.c.created_at, [], table=H)
        facts.timeouts = self._timeouts()
        facts.pack_checks = self._pack_checks()
        facts.parcels = self._parcels()
        facts.shipped_units = self._shipped_units()
        facts.returned_units, facts.returns = self._returns()
        facts.troubles = self._troubles()
        facts.low_stock = self._low_stock()
        return facts

    def _in_range(self, column: Any, low: datetime | None = None) -> ColumnElement[bool]:
        """`column` in [low or the range's start, the range's end)."""
        if self.scan:
            # coalesce(t, t) is t, but no index can serve it: SQLite reads the table in order.
            column = func.coalesce(column, column, type_=column.type)
        return and_(column >= (low or self.lo), column < self.hi)

    def _covers_much(self) -> bool:
        """Whether the range is a large part of the history (an eighth of its time or more).

        SQLite (without ANALYZE) uses a time index for any range, and over most of the
        table that means reading every row at random through the index: for a year of a
        million orders, several times slower than a plain scan. So long ranges scan.
        PostgreSQL keeps statistics and decides for itself. The span of `ordered_at` is
        read from its index.
        """
        if not self.sql.sqlite:
            return False
        first, last = self.s.execute(
            select(func.min(ORD.c.ordered_at), func.max(ORD.c.ordered_at))
        ).one()
        if first is None or last <= first:
            return False
        return (self.hi - self.lo) * 8 >= last - first

    def _rows(self, stmt: Select[Any]) -> Sequence[Any]:
        return self.s.execute(stmt).all()  # type: ignore[no-any-return]

    def _events(self, column: Any, *, split: bool = False) -> list[kpis.OrderEvent]:
        where = [self._in_range(column), *self.scope.orders(channel_orders=True)]
        if not split:
            stmt = _grouped(
                select(self.sql.day(column), ORD.c.channel, func.count()).where(*where), 2
            )
            return [kpis.OrderEvent(_day(d), c, False, n) for d, c, n in self._rows(stmt)]
        # The set of split parents is small: one lookup in it beats probing per order.
        parents = select(CHILD.c.parent_id).where(CHILD.c.parent_id.is_not(None))
        has_child = ORD.c.id.in_(parents)
        stmt = _grouped(
            select(self.sql.day(column), ORD.c.channel, has_child, func.count()).where(*where), 3
        )
        return [kpis.OrderEvent(_day(d), c, bool(x), n) for d, c, x, n in self._rows(stmt)]

    def _money(self) -> list[kpis.Money]:
        # Split children carry their share of the buyer's money, so they count here.
        stmt = _grouped(
            select(
                self.sql.day(ORD.c.imported_at),
                ORD.c.currency,
                func.sum(self.sql.money_units(ORD.c.total)),
            ).where(self._in_range(ORD.c.imported_at), *self.scope.orders()),
            2,
        )
        return [kpis.Money(_day(d), c, self._amount(a)) for d, c, a in self._rows(stmt)]

    def _amount(self, value: Any) -> Decimal:
        if not self.sql.sqlite:
            return Decimal(str(value))
        amount = Decimal(int(value)).scaleb(-4)
        cents = amount.quantize(Decimal("0.01"))
        return cents if cents == amount else amount

    def _durations(
        self, later: Any, earlier: Any, where: list[ColumnElement[bool]], table: Any = None
    ) -> list[kpis.Duration]:
        stmt = select(self._segment(later), self.sql.minutes(later, earlier), func.count())
        if table is not None:
            source, live = self._live(table, table.c.order_id)
            stmt = stmt.select_from(source)
            where = [*where, *live]
        stmt = stmt.where(self._in_range(later), earlier.is_not(None), earlier <= later, *where)
        return [kpis.Duration(_day(d), int(m), n) for d, m, n in self._rows(_grouped(stmt, 2))]

    def _segment(self, column: Any) -> Any:
        """The first day of the period `column` falls in: a binary search over the periods'
        UTC starts as nested CASEs (a few comparisons a row), or the local day itself."""
        if not self.segments:
            return self.sql.day(column)

        def within(low: int, high: int) -> Any:
            if high - low == 1:
                return literal(self.segments[low][0].isoformat(), String)
            middle = (low + high) // 2
            return case(
                (column < self.segments[middle][1], within(low, middle)),
                else_=within(middle, high),
            )

        return within(0, len(self.segments))

    def _dispatch(self, cutoff: time) -> list[kpis.Dispatch]:
        early = self.sql.clock(ORD.c.paid_at) < cutoff.strftime("%H:%M")
        stmt = select(
            self.sql.day(ORD.c.paid_at), early, self.sql.day(ORD.c.shipped_at), func.count()
        ).where(
            self._in_range(ORD.c.paid_at),
            *self.scope.orders(channel_orders=True),
            # Cancelled before it shipped: nothing was due.
            or_(ORD.c.shipped_at.is_not(None), ORD.c.cancelled_at.is_(None)),
        )
        return [
            kpis.Dispatch(_day(p), bool(e), _day(s) if s is not None else None, n)
            for p, e, s, n in self._rows(_grouped(stmt, 3))
        ]

    def _held(self) -> tuple[list[kpis.Keyed], list[kpis.Keyed]]:
        day = self.sql.day(ORD.c.imported_at)
        base = (
            select()
            .select_from(ORD.join(H, H.c.order_id == ORD.c.id))
            .where(self._in_range(ORD.c.imported_at), *self.scope.orders(channel_orders=True))
        )
        per_reason = _grouped(base.add_columns(day, H.c.reason, func.count(ORD.c.id.distinct())), 2)
        any_hold = _grouped(base.add_columns(day, func.count(ORD.c.id.distinct())), 1)
        return (
            [kpis.Keyed(_day(d), r, n) for d, r, n in self._rows(per_reason)],
            [kpis.Keyed(_day(d), "", n) for d, n in self._rows(any_hold)],
        )

    def _live(
        self, table: Any, order_id: Any, *, shipments: bool = False
    ) -> tuple[Any, list[ColumnElement[bool]]]:
        """`table` limited to live orders in the report's scope: (from clause, conditions).

        Joined to orders only when a filter needs an order's column; otherwise the few
        merged orders are left out by id, which costs far less than joining every row.
        """
        if self.scope.channel or (self.scope.carrier and not shipments):
            where = self.scope.shipments() if shipments else self.scope.orders()
            return table.join(ORD, ORD.c.id == order_id), where
        merged = select(ORD.c.id).where(ORD.c.state == "merged")
        live: list[ColumnElement[bool]] = [order_id.not_in(merged)]
        if shipments and self.scope.carrier:
            live.append(S.c.carrier == self.scope.carrier)
        return table, live

    def _holds_created(self) -> list[kpis.Keyed]:
        source, live = self._live(H, H.c.order_id)
        stmt = (
            select(self.sql.day(H.c.created_at), H.c.reason, func.count(H.c.order_id.distinct()))
            .select_from(source)
            .where(self._in_range(H.c.created_at), *live)
        )
        return [kpis.Keyed(_day(d), r, n) for d, r, n in self._rows(_grouped(stmt, 2))]

    def _hold_due(self) -> list[kpis.HoldDue]:
        outcome = case(
            (H.c.resolved_at <= H.c.due_at, "met"),
            (H.c.resolved_at.is_not(None), "missed"),
            (H.c.due_at <= self.now, "missed"),
            else_=kpis.OPEN,
        )
        source, live = self._live(H, H.c.order_id)
        stmt = (
            select(self.sql.day(H.c.due_at), H.c.reason, outcome, func.count())
            .select_from(source)
            .where(self._in_range(H.c.due_at), *live)
        )
        return [kpis.HoldDue(_day(d), r, o, n) for d, r, o, n in self._rows(_grouped(stmt, 3))]

    def _timeouts(self) -> list[kpis.Keyed]:
        """Orders cancelled in the range by a payment time-out (a history entry `expire`).

        Read from the cancelled orders, not the history's time index: over a long range
        that index leads to every history row, while cancelled orders are few.
        """
        expired = exists().where(OH.c.order_id == ORD.c.id, OH.c.action == "expire")
        stmt = select(self.sql.day(ORD.c.cancelled_at), func.count()).where(
            self._in_range(ORD.c.cancelled_at), expired, *self.scope.orders(channel_orders=True)
        )
        return [kpis.Keyed(_day(d), "", n) for d, n in self._rows(_grouped(stmt, 1))]

    def _pack_checks(self) -> list[kpis.Keyed]:
        source, live = self._live(PC, PC.c.order_id)
        stmt = (
            select(self.sql.day(PC.c.at), PC.c.ok, func.count())
            .select_from(source)
            .where(self._in_range(PC.c.at), *live)
        )
        return [
            kpis.Keyed(_day(d), "ok" if ok else "mismatch", n)
            for d, ok, n in self._rows(_grouped(stmt, 2))
        ]

    def _parcels(self) -> list[kpis.Parcel]:
        def exception(*where: ColumnElement[bool]) -> Any:
            return exists().where(LE.c.shipment_id == S.c.id, *where)

        source, live = self._live(S, S.c.order_id, shipments=True)
        delivered = S.c.delivered_at.is_not(None)
        in_order = and_(delivered, S.c.delivered_at >= S.c.shipped_at)
        transit = func.sum(case((in_order, self.sql.seconds(S.c.delivered_at, S.c.shipped_at))))
        stmt = (
            select(
                S.c.carrier,
                S.c.service,
                self.sql.day(S.c.shipped_at),
                self.sql.day(S.c.delivered_at),
                exception(LE.c.reason.in_(sorted(kpis.LOST_OR_DAMAGED))),
                exception(LE.c.reason != "delayed"),
                func.count(),
                func.coalesce(transit, 0),
            )
            .select_from(source)
            .where(
                S.c.shipped_at.is_not(None),
                or_(
                    self._in_range(S.c.shipped_at, low=self.ship_lo),
                    self._in_range(S.c.delivered_at),
                ),
                *live,
            )
        )
        return [
            kpis.Parcel(
                c, sv, _day(sd), _day(dd) if dd is not None else None, bool(ld), bool(f), n, int(t)
            )
            for c, sv, sd, dd, ld, f, n, t in self._rows(_grouped(stmt, 6))
        ]

    def _shipped_units(self) -> list[kpis.Units]:
        # Split children ship their own lines, so their units count here.
        stmt = (
            select(self.sql.day(ORD.c.shipped_at), OL.c.sku, func.sum(OL.c.quantity))
            .select_from(OL.join(ORD, ORD.c.id == OL.c.order_id))
            .where(self._in_range(ORD.c.shipped_at), *self.scope.orders())
        )
        return [kpis.Units(_day(d), s, "", int(q)) for d, s, q in self._rows(_grouped(stmt, 2))]

    def _returns(self) -> tuple[list[kpis.Units], list[kpis.Keyed]]:
        source, live = self._live(R, R.c.order_id)
        lines = (
            select(self.sql.day(R.c.created_at), RL.c.sku, R.c.reason, func.sum(RL.c.quantity))
            .select_from(RL.join(source, R.c.id == RL.c.return_id))
            .where(self._in_range(R.c.created_at), *live)
        )
        rmas = (
            select(self.sql.day(R.c.created_at), R.c.reason, func.count())
            .select_from(source)
            .where(self._in_range(R.c.created_at), *live)
        )
        return (
            [kpis.Units(_day(d), s, r, int(q)) for d, s, r, q in self._rows(_grouped(lines, 3))],
            [kpis.Keyed(_day(d), r, n) for d, r, n in self._rows(_grouped(rmas, 2))],
        )

    def _troubles(self) -> list[kpis.Trouble]:
        source, live = self._live(LE, LE.c.order_id)
        stmt = (
            select(
                self.sql.day(LE.c.opened_at),
                LE.c.reason,
                func.coalesce(LE.c.resolution, ""),
                func.count(),
            )
            .select_from(source)
            .where(self._in_range(LE.c.opened_at), *live)
        )
        return [kpis.Trouble(_day(d), r, s, n) for d, r, s, n in self._rows(_grouped(stmt, 3))]

    def _low_stock(self) -> list[kpis.LowSku]:
        """SKUs at or under their reorder point now, as `stock list --low` counts them."""
        levels = (
            select(SL.c.sku, func.sum(SL.c.on_hand - SL.c.reserved).label("available"))
            .group_by(SL.c.sku)
            .subquery()
        )
        stmt = select(P.c.sku, func.coalesce(levels.c.available, 0), P.c.reorder_point).select_from(
            P.outerjoin(levels, levels.c.sku == P.c.sku)
        )
        return [
            kpis.LowSku(sku, int(available), int(point))
            for sku, available, point in self._rows(stmt)
            if is_low(int(available), int(point))
        ]
