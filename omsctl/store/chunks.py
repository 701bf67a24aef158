"""Long value lists in SQL `IN (...)`, cut below SQLite's limit on bound parameters.

SQLite allows 32,766 parameters per statement (999 before 3.32); staying well under it keeps
every query valid and its plans cheap, on PostgreSQL too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

IN_LIMIT = 900

T = TypeVar("T")


def in_chunks(values: Sequence[T], size: int = IN_LIMIT) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
