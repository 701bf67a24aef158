"""What every channel reader shares: sniffing a file, decoding it, streaming its CSV rows.

A reader only knows its own columns; how a file is recognised, which encodings are tried,
how line numbers are counted and what makes a file hostile is decided here, once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import ChannelOrder, RowError

#: How much of a file is read to recognise it.
HEAD_BYTES = 64 * 1024
#: The longest field accepted; a longer one means the file is not an export we understand.
MAX_FIELD_CHARS = 1024 * 1024

csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass(frozen=True, slots=True)
class Head:
    """The decoded start of a file: enough lines to recognise the format."""

    encoding: str
    lines: tuple[str, ...]

    def first_fields(self, delimiter: str, skip: int = 0) -> list[str]:
        """The fields of line `skip`, parsed with `delimiter`, stripped of BOM and spaces."""
        if skip >= len(self.lines):
            return []
        row = next(csv.reader([self.lines[skip]], delimiter=delimiter), [])
        return [f.strip().lstrip("\ufeff") for f in row]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file named on the command line, after it was sniffed and matched to a reader."""

    path: Path
    display: str  # the name shown in messages ("<stdin>" for "-")
    encoding: str
    role: str = "orders"  # readers of two-file exports also see "items"
    header_line: int = 1  # 1-based physical line of the header


class ChannelReader(Protocol):
    """One channel export format."""

    name: str
    description: str

    def match(self, head: Head) -> tuple[str, int] | None:
        """The file's (role, 1-based header line) if it is this format, else None."""

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        """Every order of the files (all of one export), or a RowError for each bad order."""


@dataclass
class ReadStats:
    """Counters a reader may fill as it streams (rows read), for progress and summaries."""

    rows: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def read_head(path: Path, display: str) -> bytes:
    """The first bytes of `path`, refusing files that cannot be an export at all."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise InputProblem(f"{display}: cannot read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise InputProblem(f"{display}: the file is empty", hint="export the orders again")
    if b"\x00" in raw:
        raise InputProblem(
            f"{display}: holds NUL bytes: a binary file (or UTF-16), not an order export",
            hint="export the orders as CSV or tab-separated text",
        )
    return _trim_partial_char(raw) if len(raw) == HEAD_BYTES else raw


def decode_head(raw: bytes, encodings: Sequence[str]) -> Head | None:
    """The head decoded with the first of `encodings` that fits it, or None."""
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return Head(encoding=encoding, lines=tuple(text.splitlines()[:40]))
    return None


def _trim_partial_char(raw: bytes) -> bytes:
    """Drop an incomplete trailing line so a multi-byte character cut by the head is not blamed."""
    cut = raw.rfind(b"\n")
    return raw[: cut + 1] if cut > 0 else raw


def open_text(file: InputFile) -> io.TextIOWrapper:
    """Open for streaming; undecodable bytes later in the file raise `InputProblem` on read."""
    fh = file.path.open("rb")
    return io.TextIOWrapper(fh, encoding=file.encoding, errors="strict", newline="")


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV record and the physical line it starts on."""

    line: int
    cells: dict[str, str]

    def reject(self, display: str, problem: FieldProblem, number: str) -> RowError:
        """The RowError that rejects this row's order: where, which column, why, the cells."""
        return RowError(
            file=display,
            line=self.line,
            column=problem.column,
            reason=problem.reason,
            channel_order_no=number,
            raw=tuple(self.cells.values()),
        )


def read_rows(
    file: InputFile,
    *,
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
) -> Iterator[Row]:
    """Stream the records after the header as dicts, with the line each one starts on.

    Multi-line quoted fields are one record; line numbers stay physical, so a message can say
    `orders.csv:412` and the user finds the row in an editor. Blank records are skipped.
    """
    records = read_records(file, delimiter=delimiter, quoting=quoting)
    header = next(records, None)
    if header is None:
        return
    names = header[1]
    for line, cells in records:
        yield Row(line, dict(zip(names, cells, strict=False)))


def read_records(
    file: InputFile,
    *,
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
) -> Iterator[tuple[int, list[str]]]:
    """`read_rows` without a dict per record, for readers of exports with a million rows.

    The first item is `(header line, header)`, checked and stripped; every later item is
    `(line, cells)`, the cells in header order and padded with '' to the header's width
    (a longer record keeps its extra cells). Nothing is yielded for a file without a header.
    """
    with open_text(file) as text:
        reader = csv.reader(text, delimiter=delimiter, quoting=quoting, strict=False)
        last_line = 0
        try:
            for cells in reader:
                start = last_line + 1
                last_line = reader.line_num
                if start >= file.header_line:
                    header = _check_header(file, cells)
                    break
            else:
                return
            yield start, header
            width = len(header)
            for cells in reader:
                start = last_line + 1
                last_line = reader.line_num
                # Every cell blank: the first cell usually says it is not, without a loop.
                if not (cells and cells[0].strip()) and not any(c.strip() for c in cells):
                    continue
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                yield start, cells
        except csv.Error as exc:
            raise InputProblem(
                f"{file.display}:{last_line + 1}: {exc}",
                hint="the file is damaged or not an export; export it again",
            ) from exc
        except UnicodeDecodeError as exc:
            raise InputProblem(
                f"{file.display}: near line {last_line + 1}: bytes that are not {file.encoding}"
                f" ({exc.reason})",
                hint="the file is truncated or mixes encodings; export it again",
            ) from exc


def _check_header(file: InputFile, cells: list[str]) -> list[str]:
    header = [c.strip().lstrip("\ufeff") for c in cells]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputProblem(
                f"{file.display}:{file.header_line}: the header names column {name!r} twice",
                hint="rename or remove one of them (or write a --mapping for this file)",
            )
        seen.add(name)
    return header


class FieldProblem(ValueError):
    """A value a reader cannot accept; the reader turns it into a RowError for its order."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason
