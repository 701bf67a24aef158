"""Bulk reads and writes for importing: many rows per statement, no ORM object per row.

One ORM object per order line was measured ~30x slower than executemany; imports of a
million lines go through here, as plain tuples (`RowInserter`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from itertools import chain, repeat
from operator import attrgetter, itemgetter, methodcaller
from types import NoneType
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from omsctl.domain.orders import Address, ChannelOrder, OrderLine, PaymentStatus
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import Order, OrderHistory
from omsctl.store.tables import OrderLine as LineRow
from omsctl.store.types import ExactDecimal, UTCDateTime

ORDERS = Order.__table__  # type: ignore[attr-defined]
LINES = LineRow.__table__  # type: ignore[attr-defined]
HISTORY = OrderHistory.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Known:
    """An order already in the database, as much as importing needs to decide."""

    id: int
    state: str
    fingerprint: str


def known_orders(conn: Connection, channel: str, numbers: Sequence[str]) -> dict[str, Known]:
    found: dict[str, Known] = {}
    for chunk in in_chunks(numbers):
        chunk = chunk
        stmt = select(
            ORDERS.c.channel_order_no, ORDERS.c.id, ORDERS.c.state, ORDERS.c.fingerprint
        ).where(ORDERS.c.channel == channel, ORDERS.c.channel_order_no.in_(chunk))
        for number, id_, state, print_ in conn.execute(stmt):
            found[number] = Known(id_, state, print_)
    return found


#: The `orders` columns the channel provides, in `order_row`'s order.
ORDER_VALUE_COLUMNS: tuple[str, ...] = (
    "buyer_name",
    "buyer_email",
    "buyer_phone",
    "ship_name",
    "ship_company",
    "ship_street1",
    "ship_street2",
    "ship_district",
    "ship_city",
    "ship_province",
    "ship_postal_code",
    "ship_country",
    "ship_phone",
    "service_level",
    "buyer_note",
    "currency",
    "subtotal",
    "shipping_total",
    "tax_total",
    "discount_total",
    "total",
    "refunded_total",
    "payment_status",
    "ordered_at",
    "paid_at",
    "cancelled_at",
    "fingerprint",
    "source",
)
#: The `order_lines` columns, in `line_rows`' order.
LINE_COLUMNS = ("order_id", "line_no", "sku", "title", "quantity", "unit_price", "weight_kg")


def order_row(order: ChannelOrder, fingerprint: str) -> tuple[Any, ...]:
    """The values of `ORDER_VALUE_COLUMNS` (state and our timestamps are the caller's).

    `order` has its totals settled (domain.imports.settle_totals).
    """
    to = order.ship_to
    source = order.source
    return (
        order.buyer_name,
        order.buyer_email,
        order.buyer_phone,
        to.name,
        to.company,
        to.street1,
        to.street2,
        to.district,
        to.city,
        to.province,
        to.postal_code,
        to.country,
        to.phone,
        order.service_level,
        order.buyer_note,
        order.currency,
        order.subtotal,
        order.shipping_total,
        order.tax_total,
        order.discount_total,
        order.total,
        order.refunded_total,
        order.payment_status.value,
        order.ordered_at,
        order.paid_at,
        order.cancelled_at,
        fingerprint,
        f"{source.file}:{source.line}" if source else "",
    )


def order_values(order: ChannelOrder, fingerprint: str) -> dict[str, Any]:
    """`order_row` by column name."""
    return dict(zip(ORDER_VALUE_COLUMNS, order_row(order, fingerprint), strict=True))


def line_tuples(order_id: int, lines: Iterable[OrderLine]) -> list[tuple[Any, ...]]:
    """The `order_lines` rows of an order, as `LINE_COLUMNS` values."""
    return [
        (order_id, n, line.sku, line.title, line.quantity, line.unit_price, line.weight_kg)
        for n, line in enumerate(lines, start=1)
    ]


def update_order(conn: Connection, order_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(**values))


def replace_lines(conn: Connection, order_id: int, lines: Sequence[OrderLine]) -> None:
    conn.execute(delete(LINES).where(LINES.c.order_id == order_id))
    RowInserter(conn, LINES, LINE_COLUMNS).insert(line_tuples(order_id, lines))


def stored_channel_order(conn: Connection, order_id: int) -> ChannelOrder:
    """The stored order as the channel last sent it, to compare with a newer export."""
    o = conn.execute(select(ORDERS).where(ORDERS.c.id == order_id)).mappings().one()
    lines = conn.execute(
        select(LINES).where(LINES.c.order_id == order_id).order_by(LINES.c.line_no)
    ).mappings()
    return ChannelOrder(
        channel=o["channel"],
        channel_order_no=o["channel_order_no"],
        ordered_at=o["ordered_at"],
        lines=tuple(
            OrderLine(x["sku"], x["title"], x["quantity"], x["unit_price"], x["weight_kg"])
            for x in lines
        ),
        ship_to=Address(
            o["ship_name"],
            o["ship_company"],
            o["ship_street1"],
            o["ship_street2"],
            o["ship_district"],
            o["ship_city"],
            o["ship_province"],
            o["ship_postal_code"],
            o["ship_country"],
            o["ship_phone"],
        ),
        buyer_name=o["buyer_name"],
        buyer_email=o["buyer_email"],
        buyer_phone=o["buyer_phone"],
        service_level=o["service_level"],
        buyer_note=o["buyer_note"],
        currency=o["currency"],
        subtotal=o["subtotal"],
        shipping_total=o["shipping_total"],
        tax_total=o["tax_total"],
        discount_total=o["discount_total"],
        total=o["total"],
        payment_status=PaymentStatus(o["payment_status"]),
        paid_at=o["paid_at"],
        cancelled_at=o["cancelled_at"],
        refunded_total=o["refunded_total"],
    )


#: SQLite's page cache while an import writes, in KiB (its default is 2 MiB). A million-line
#: import's indexes outgrow the default, and every evicted page is written to the WAL again.
LARGE_WRITES_CACHE_KIB = 64 * 1024


@contextmanager
def large_writes(conn: Connection) -> Iterator[None]:
    """Settings for a bulk write on `conn` while it runs, the previous ones after.

    SQLite: a bigger page cache. PostgreSQL: a plan per lookup of known orders; the driver
    prepares a query it runs often, and the server's generic plan for it, made while the
    import's table was small, scanned the whole table each time (an import of 200,000 lines
    spent 80 of its 100 seconds there).
    """
    if conn.dialect.name == "sqlite":
        show, change = "PRAGMA cache_size", "PRAGMA cache_size = {}"
        value = f"-{LARGE_WRITES_CACHE_KIB}"
    elif conn.dialect.name == "postgresql" and (conn.dialect.server_version_info or ()) >= (12,):
        show, change = "SHOW plan_cache_mode", "SET LOCAL plan_cache_mode = {}"
        value = "force_custom_plan"
    else:
        yield
        return
    before = conn.exec_driver_sql(show).scalar_one()
    conn.exec_driver_sql(change.format(value))
    try:
        yield
    finally:
        with suppress(DBAPIError):  # a broken connection is discarded anyway
            conn.exec_driver_sql(change.format(before))


class RowInserter:
    """INSERTs of plain tuples, hundreds of rows per statement, handed to the driver as they are.

    SQLAlchemy's executemany spends more per row (a parameter dict, per-value type processing,
    and one statement per row when ids must come back in order) than SQLite spends storing
    it. This writes `INSERT ... VALUES (...), (...), ...` pages of the size SQLAlchemy's own
    insertmanyvalues uses, with `RETURNING` where asked; PostgreSQL takes the same SQL.

    Values go through each column type's conversion exactly as SQLAlchemy would apply it
    (`_converter`: the one place for this); `constants` are columns with one value for every
    row (an import's time and actor), converted once, and so are the columns' scalar defaults.
    """

    def __init__(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        *,
        constants: Mapping[str, Any] | None = None,
        returning: Sequence[str] = (),
    ) -> None:
        self.conn = conn
        self.table = table
        self.columns = tuple(columns)
        self.constants = dict(constants or {})
        self.returning = tuple(returning)
        dialect = conn.dialect
        self._marker = _MARKERS.get(dialect.paramstyle)
        # Column defaults, as a Core insert would fill them in for the columns not given.
        defaults: dict[str, Any] = {}
        for column in table.columns:
            if column.default is None or column.name in (*self.columns, *self.constants):
                continue
            if not column.default.is_scalar:
                self._marker = None  # a default computed per row: SQLAlchemy inserts
            defaults[column.name] = getattr(column.default, "arg", None)
        fixed = {**self.constants, **defaults}
        converters = [_converter(table.c[name], dialect) for name in self.columns]
        self._converters = [(i, fn) for i, fn in enumerate(converters) if fn is not None]
        self._tail = tuple(
            _convert_one(table.c[name], dialect, value) for name, value in fixed.items()
        )
        names = (*self.columns, *fixed)
        quote = dialect.identifier_preparer.quote
        self._head = (
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)}"
            f" ({', '.join(quote(name) for name in names)}) VALUES "
        )
        self._values = f"({', '.join([self._marker or ''] * len(names))})"
        self._returning = (
            f" RETURNING {', '.join(quote(name) for name in self.returning)}"
            if self.returning
            else ""
        )
        most = max(1, dialect.insertmanyvalues_max_parameters // len(names))
        self.page = min(dialect.insertmanyvalues_page_size, most)
        self._sql: dict[int, str] = {}

    def insert(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Insert `rows` (values in `columns` order); the `returning` values of each, if asked.

        Returned rows come in no promised order: return a key with the id.
        """
        if not rows:
            return []
        if self._marker is None:
            return self._insert_core(rows)
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(rows), self.page):
            chunk = rows[start : start + self.page]
            result = self.conn.exec_driver_sql(self._statement(len(chunk)), self._params(chunk))
            if self.returning:
                found.extend(tuple(r) for r in result)
            result.close()
        return found

    def _params(self, chunk: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
        """The chunk's values, converted, as one flat tuple: column by column, mostly in C."""
        columns: list[Sequence[Any]] = list(zip(*chunk, strict=True))
        for i, convert in self._converters:
            columns[i] = _convert_column(columns[i], convert)
        constants = (repeat(value, len(chunk)) for value in self._tail)
        return tuple(chain.from_iterable(zip(*columns, *constants, strict=True)))

    def _statement(self, rows: int) -> str:
        sql = self._sql.get(rows)
        if sql is None:
            sql = self._sql[rows] = self._head + ", ".join([self._values] * rows) + self._returning
        return sql

    def _insert_core(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Drivers with named parameters: SQLAlchemy's own executemany, conversions and all."""
        params = [{**dict(zip(self.columns, row, strict=True)), **self.constants} for row in rows]
        stmt = insert(self.table)
        if not self.returning:
            self.conn.execute(stmt, params)
            return []
        stmt = stmt.returning(*(self.table.c[name] for name in self.returning))
        return [tuple(r) for r in self.conn.execute(stmt, params)]


#: Positional parameter markers by DB-API paramstyle (`RowInserter` renders its own VALUES).
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _convert_one(column: Column[Any], dialect: Dialect, value: Any) -> Any:
    convert = _converter(column, dialect)
    return value if convert is None else convert(value)


def _converter(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a value of `column` reaches the driver: the column type's own bind processing.

    SQLAlchemy's processors for `UTCDateTime` and `ExactDecimal` on SQLite cost several times
    what storing the value does; the equivalents below (and `_convert_column`'s) replace them
    only when they give the same text for every probe value, so a change in SQLAlchemy's
    formats cannot slip through.
    """
    exact = column.type.dialect_impl(dialect).bind_processor(dialect)
    fast = _FAST.get((dialect.name, type(column.type)))
    if exact is None or fast is None:
        return exact
    probes = _PROBES[type(column.type)]
    same = all(
        fast(value) == exact(value) and list(_convert_column((value,), fast)) == [exact(value)]
        for value in probes
    )
    return fast if same else exact


_SQLITE_TIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"


def _sqlite_time(value: Any) -> str | None:
    """`UTCDateTime` on SQLite: naive UTC text, as SQLAlchemy's DATETIME writes it."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"naive or non-datetime value {value!r} for a UTC column")
    at = value if value.tzinfo is UTC else value.astimezone(UTC)
    return _SQLITE_TIME % (at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond)


def _sqlite_decimal(value: Any) -> str | None:
    """`ExactDecimal` on SQLite: the decimal's text, never a float."""
    if value is None:
        return None
    return str(value if isinstance(value, Decimal) else Decimal(str(value)))


def _convert_column(values: Sequence[Any], convert: Callable[[Any], Any]) -> Sequence[Any]:
    """`convert` applied to each value; whole columns of one kind without a Python call each."""
    kinds = set(map(type, values))
    if kinds == {NoneType}:
        return values if convert(None) is None else list(map(convert, values))
    if convert is _sqlite_decimal and kinds == {Decimal}:
        return list(map(str, values))
    if convert is _sqlite_time and kinds == {datetime} and set(map(_TZINFO, values)) == {UTC}:
        # `_sqlite_time`'s text is the ISO form up to the offset, "+00:00" in UTC.
        return list(map(_ISO_NAIVE, map(_ISO, values)))
    return list(map(convert, values))


_TZINFO = attrgetter("tzinfo")
_ISO = methodcaller("isoformat", " ", "microseconds")
_ISO_NAIVE = itemgetter(slice(0, 26))


_FAST: dict[tuple[str, type], Callable[[Any], Any]] = {
    ("sqlite", UTCDateTime): _sqlite_time,
    ("sqlite", ExactDecimal): _sqlite_decimal,
}
_PROBES: dict[type, tuple[Any, ...]] = {
    UTCDateTime: (
        None,
        datetime(2025, 11, 3, 14, 15, 42, tzinfo=UTC),
        datetime(987, 1, 2, 3, 4, 5, 60007, tzinfo=UTC),
        datetime(2025, 1, 2, 3, 4, 5, 60007, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    ),
    ExactDecimal: (None, Decimal("18.50"), Decimal("-0.0010"), Decimal("1E+3"), 7, 2.5),
}
