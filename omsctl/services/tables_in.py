"""Reading our own CSV files (products, stock): the channel readers' plumbing, one row at a time.

Line numbers, encodings and hostile-file checks are the same as for channel exports, so a
merchant's spreadsheet gets the same clear `file:line: column: reason` messages.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from omsctl.channels.base import FieldProblem, InputFile, Row, decode_head, read_head, read_rows
from omsctl.domain.errors import InputProblem


@dataclass(frozen=True, slots=True)
class Rejected:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


def rows(
    path: Path, required: Sequence[str], optional: Sequence[str], *, delimiter: str = ","
) -> Iterator[Row]:
    """The rows of a CSV whose header must name `required` and may name `optional`."""
    display = str(path)
    if not path.exists():
        raise InputProblem(f"{display}: no such file")
    head = decode_head(read_head(path, display), ("utf-8-sig", "cp1252"))
    if head is None:
        raise InputProblem(f"{display}: not text", hint="save the file as UTF-8 CSV")
    header = head.first_fields(delimiter)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputProblem(
            f"{display}:1: the header lacks {', '.join(missing)}",
            hint=f"the columns are {', '.join([*required, *optional])}",
        )
    unknown = [c for c in header if c and c not in (*required, *optional)]
    if unknown:
        raise InputProblem(
            f"{display}:1: unknown column {unknown[0]!r}",
            hint=f"the columns are {', '.join([*required, *optional])}",
        )
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    yield from read_rows(
        InputFile(path, display, head.encoding), delimiter=delimiter, quoting=quoting
    )


def whole(value: str, column: str, *, minimum: int = 0) -> int:
    text = value.strip()
    try:
        number = int(text)
    except ValueError:
        raise FieldProblem(column, f"{text!r} is not a whole number") from None
    if number < minimum:
        raise FieldProblem(column, f"{number} is below {minimum}")
    return number
