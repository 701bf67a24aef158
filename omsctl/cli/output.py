"""One renderer for every listing: a Rich table for people, JSON, CSV or bare ids for scripts.

JSON conventions (stable, for scripts): snake_case keys, money as decimal strings, times as
ISO 8601 with offset, enums as their values.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any

import typer

from omsctl.domain.errors import UsageProblem

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys) for scripts.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")]
IdsOpt = Annotated[bool, typer.Option("--ids", help="Print one id per line, for shell loops.")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    IDS = "ids"


def choose(*, json: bool = False, csv: bool = False, ids: bool = False) -> Format:
    picked = [f for f, on in ((Format.JSON, json), (Format.CSV, csv), (Format.IDS, ids)) if on]
    if len(picked) > 1:
        names = " and ".join(f"--{f.value}" for f in picked)
        raise UsageProblem(f"{names} cannot be used together", hint="pick one output format")
    return picked[0] if picked else Format.TABLE


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, indent=2) + "\n")


def _cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _csv_cell(value: Any) -> str:
    from omsctl.documents.csv_cells import neutralise

    return neutralise(_cell(value))


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    justify: str = "left"


def _table_cell(value: Any) -> str:
    """Tables are for people: times to the minute in UTC; JSON and CSV keep full precision."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return _cell(value)


def console() -> Any:
    """A Rich console for stdout; a pipe gets no colour and no truncation of long values."""
    from rich.console import Console

    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 10_000)


def render(
    rows: Sequence[Any],
    columns: Sequence[Column],
    fmt: Format,
    *,
    id_key: str = "id",
    title: str | None = None,
) -> None:
    """Print `rows` (dataclasses or mappings) in the chosen format."""
    if fmt is Format.JSON:
        print_json(list(rows))
        return
    records: Iterable[Mapping[str, Any]] = (_record(r) for r in rows)
    if fmt is Format.IDS:
        for record in records:
            sys.stdout.write(f"{record[id_key]}\n")
        return
    if fmt is Format.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in columns])
        for record in records:
            writer.writerow([_csv_cell(record.get(c.key)) for c in columns])
        return
    from rich.table import Table

    table = Table(title=title, header_style="bold", box=None, pad_edge=False)
    for column in columns:
        table.add_column(column.header, justify=column.justify)  # type: ignore[arg-type]
    for row in rows:
        record = row if isinstance(row, Mapping) else fields(row)
        table.add_row(*(_table_cell(record.get(c.key)) for c in columns))
    console().print(table)


def fields(row: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    return dict(row)


def _record(row: Any) -> Mapping[str, Any]:
    return row if isinstance(row, Mapping) else jsonable(row)  # type: ignore[no-any-return]
