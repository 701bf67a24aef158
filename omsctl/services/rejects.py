"""The rejects file: every row of every rejected order, in the export's own format, to fix and
import again.

A reader reports the row that failed; a rejected order may span several rows (one per line
item) and, for two-file exports, both files. Re-importing only the failed row would create an
order missing its other lines, so the writer gathers all rows of the order: it finds the column
that holds the order number in the failing row, and takes every row with that number.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from omsctl.channels.base import InputFile, read_rows
from omsctl.domain.orders import RowError

ERROR_COLUMN = "omsctl_error"


def write_rejects(target: Path, files: Iterable[InputFile], rejects: list[RowError]) -> list[Path]:
    """Write one CSV per source file that holds rejected rows; returns the files written."""
    by_display = {f.display: f for f in files}
    reasons: dict[str, str] = {}
    column_names: dict[str, str] = {}
    for reject in rejects:
        reasons.setdefault(reject.channel_order_no, str(reject))
        source = by_display.get(reject.file)
        if source is not None and reject.channel_order_no and reject.raw:
            name = _order_column(source, reject)
            if name:
                column_names.setdefault(reject.channel_order_no, name)
    wanted: dict[str, set[str]] = defaultdict(set)  # column name -> order numbers
    for number, name in column_names.items():
        wanted[name].add(number)
    written: list[Path] = []
    sources = [f for f in by_display.values()]
    for index, source in enumerate(sources):
        rows = list(_rows_of(source, wanted, reasons))
        if not rows:
            continue
        path = (
            target
            if not written
            else target.with_name(
                f"{target.stem}.{Path(source.display).stem or index}{target.suffix or '.csv'}"
            )
        )
        _write(path, source, rows)
        written.append(path)
    return written


def _order_column(source: InputFile, reject: RowError) -> str | None:
    """The first column (in header order) whose value in the failing row is the order number."""
    header = _header(source)
    for name, value in zip(header, reject.raw, strict=False):
        if _bare(value) == reject.channel_order_no:
            return name
    return None


def _bare(value: str) -> str:
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):  # Taobao's protected ids
        value = value[2:-1]
    return value.strip()


def _rows_of(
    source: InputFile, wanted: dict[str, set[str]], reasons: dict[str, str]
) -> Iterable[list[str]]:
    header = _header(source)
    columns = [name for name in wanted if name in header]
    if not columns:
        return
    for row in read_rows(source, delimiter=_delimiter(source), quoting=_quoting(source)):
        for name in columns:
            number = _bare(row.cells.get(name, ""))
            if number in wanted[name]:
                yield [row.cells.get(h, "") for h in header] + [reasons.get(number, "")]
                break


def _header(source: InputFile) -> list[str]:
    with source.path.open(encoding=source.encoding, newline="") as text:
        for number, line in enumerate(text, start=1):
            if number == source.header_line:
                fields = next(csv.reader([line], delimiter=_delimiter_of(line)), [])
                return [f.strip().lstrip("\ufeff") for f in fields]
    return []


def _delimiter(source: InputFile) -> str:
    with source.path.open(encoding=source.encoding, newline="") as text:
        for number, line in enumerate(text, start=1):
            if number == source.header_line:
                return _delimiter_of(line)
    return ","


def _delimiter_of(line: str) -> str:
    if "\t" in line:
        return "\t"
    return ";" if line.count(";") > line.count(",") else ","


def _quoting(source: InputFile) -> int:
    # Tab-separated exports (Amazon) are never quoted; a raw `"` is part of the text.
    return csv.QUOTE_NONE if _delimiter(source) == "\t" else csv.QUOTE_MINIMAL


def _write(path: Path, source: InputFile, rows: list[list[str]]) -> None:
    delimiter = _delimiter(source)
    encoding = "utf-8-sig" if source.encoding.startswith("utf-8") else source.encoding
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as out:
        if delimiter == "\t":
            writer = csv.writer(
                out, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n"
            )
        else:
            writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([*_header(source), ERROR_COLUMN])
        writer.writerows(rows)
