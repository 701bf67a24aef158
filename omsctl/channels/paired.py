"""Two-file exports (Etsy, Taobao): an orders file and an items file joined on the order id.

The join is the same for every such channel: refuse one file without the other, read the
short items file into baskets, stream the wide orders file against them, and report items
whose order is in no orders file. Each reader supplies its column names and its words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from omsctl.channels.base import FieldProblem, InputFile, Row, read_rows
from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import ChannelOrder, RowError

NumberOf = Callable[[Mapping[str, str]], str]


def require_both(
    files: Sequence[InputFile], *, items_alone: str, orders_alone: str, hint: str
) -> tuple[list[InputFile], list[InputFile]]:
    """The orders files and the items files; one kind without the other is refused."""
    orders = [f for f in files if f.role == "orders"]
    items = [f for f in files if f.role == "items"]
    if items and not orders:
        raise InputProblem(f"{', '.join(f.display for f in items)}: {items_alone}", hint=hint)
    if orders and not items:
        raise InputProblem(f"{', '.join(f.display for f in orders)}: {orders_alone}", hint=hint)
    return orders, items


def check_columns(
    file: InputFile, row: Row, required: Sequence[str], lacks: str, hint: str
) -> None:
    """Refuse a file without a column the reader needs; `lacks` is completed with the names."""
    missing = [name for name in required if name not in row.cells]
    if missing:
        raise InputProblem(f"{file.display}: {lacks} {', '.join(missing)}", hint=hint)


def checked_rows(file: InputFile, check: Callable[[InputFile, Row], None]) -> Iterator[Row]:
    """The file's rows, its columns checked on the first one (the header alone is not a row)."""
    first = True
    for row in read_rows(file):
        if first:
            check(file, row)
            first = False
        yield row


def join(
    orders: Sequence[InputFile],
    items: Sequence[InputFile],
    baskets: Mapping[str, Any],
    *,
    order_number: NumberOf,
    item_number: NumberOf,
    check: Callable[[InputFile, Row], None],
    order: Callable[[InputFile, Row, str, Any], ChannelOrder | RowError],
    column: str,
    orphan_reason: str,
) -> Iterator[ChannelOrder | RowError]:
    """Every order of the orders files with its basket, then a RowError per orphan basket."""
    seen: set[str] = set()
    for file in orders:
        for row in checked_rows(file, check):
            number = order_number(row.cells)
            seen.add(number)
            yield order(file, row, number, baskets.get(number))
    left = set(baskets) - seen
    if left:
        yield from orphans(items, left, number_of=item_number, column=column, reason=orphan_reason)


def orphans(
    files: Sequence[InputFile],
    numbers: set[str],
    *,
    number_of: NumberOf,
    column: str,
    reason: str,
) -> Iterator[RowError]:
    """One RowError per order only the items files know, at its first item row.

    The files are read again for these (rare) rows rather than keeping every row's cells.
    """
    for file in files:
        for row in read_rows(file):
            number = number_of(row.cells)
            if number in numbers:
                numbers.discard(number)
                yield row.reject(file.display, FieldProblem(column, reason), number)
