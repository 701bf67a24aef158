"""The TOML mapping that reads another carrier's event export as our events file.

Our own file has fixed columns (docs/tracking-events.md); every other carrier names its
columns, date format, time zone and status words its own way. A `--mapping` file says how, and
this module checks it once, naming the file and the key of every mistake, before a row is read.
"""

from __future__ import annotations

import codecs
import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omsctl.domain import tracking_events as events
from omsctl.domain.errors import UsageProblem

#: Our events file: these columns are required, the others optional (docs/tracking-events.md).
REQUIRED_COLUMNS = ("tracking_number", "time", "status")
OPTIONAL_COLUMNS = ("location", "detail", "reason")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
MAPPING_KEYS = (
    "delimiter",
    "encoding",
    "date_format",
    "timezone",
    "columns",
    "statuses",
    "reasons",
)


@dataclass(frozen=True, slots=True)
class EventMapping:
    """How to read one carrier's export: its columns, format and its own status words."""

    columns: Mapping[str, str]  # our field -> the file's column header
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    date_formats: tuple[str, ...] = ()  # empty: ISO 8601
    timezone: str | None = None  # None: the settings' general.timezone
    words: events.Vocabulary = events.BUILT_IN
    source: str = ""


PLAIN = EventMapping(columns={c: c for c in COLUMNS})


def load_event_mapping(path: Path) -> EventMapping:
    """Read and check a `--mapping` file; every mistake names the file and the key."""
    name = str(path)

    def problem(message: str, hint: str | None = None) -> UsageProblem:
        return UsageProblem(f"{name}: {message}", hint=hint)

    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise problem(f"cannot read the mapping: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise problem("the mapping is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise problem(
            f"not valid TOML: {exc}", hint='values need quotes, e.g. status = "Status"'
        ) from None
    _known_keys(data, MAPPING_KEYS, "", problem)
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise problem(
            "[columns] is required: it names the file's column for each field",
            hint='e.g. [columns] tracking_number = "Waybill No."',
        )
    _known_keys(columns, COLUMNS, " in [columns]", problem)
    for needed in REQUIRED_COLUMNS:
        if needed not in columns:
            raise problem(
                f"[columns] has no {needed!r}", hint=f"required: {', '.join(REQUIRED_COLUMNS)}"
            )
    for key, header in columns.items():
        if not isinstance(header, str) or not header.strip():
            raise problem(f"[columns] {key} must be the file's column header as a quoted string")
    delimiter = _string(data, "delimiter", ",", problem)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise problem(f"delimiter {delimiter!r} must be one character", hint='e.g. ";" or "\\t"')
    encoding = _string(data, "encoding", "utf-8-sig", problem)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise problem(
            f"encoding {encoding!r} is not an encoding Python knows",
            hint="e.g. utf-8-sig, gb18030 or cp1252",
        ) from None
    formats = data.get("date_format", [])
    formats = [formats] if isinstance(formats, str) else formats
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
        raise problem(
            "date_format must be a strptime format or a list of them",
            hint='e.g. date_format = "%Y/%m/%d %H:%M:%S"',
        )
    zone = data.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise problem(
                f"timezone {zone!r} is not a time zone", hint="use a name like Asia/Shanghai"
            ) from None
    statuses = _words(data, "statuses", events.read_target, problem)
    reasons = _words(data, "reasons", _reason_target, problem)
    return EventMapping(
        columns={k: v.strip() for k, v in columns.items()},
        delimiter=delimiter,
        encoding=encoding,
        date_formats=tuple(formats),
        timezone=str(zone) if zone is not None else None,
        words=events.vocabulary(
            statuses,  # type: ignore[arg-type]
            {w: r.reason for w, r in reasons.items() if r.reason is not None},
        ),
        source=name,
    )


def _reason_target(name: str) -> events.Reading | None:
    found = events.read_target(name)
    return found if found is not None and found.reason is not None else None


def _known_keys(table: Mapping[str, Any], valid: Sequence[str], where: str, problem: Any) -> None:
    for key in table:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise problem(
                f"unknown key {key!r}{where}{guess}", hint="valid keys: " + ", ".join(valid)
            )


def _string(data: Mapping[str, Any], key: str, default: str, problem: Any) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise problem(f"{key!r} must be a quoted string, not {value!r}")
    return value


def _words(data: Mapping[str, Any], table: str, target: Any, problem: Any) -> dict[str, Any]:
    """`[statuses]` or `[reasons]`: the carrier's word -> what it means to us."""
    words = data.get(table, {})
    if not isinstance(words, dict):
        raise problem(f'\'{table}\' must be a table: [{table}] "Carrier word" = "…"')
    statuses = ", ".join(s.value for s in events.EventStatus)
    reasons = ", ".join(r.value for r in events.ExceptionReason)
    valid = f"statuses: {statuses}; reasons: {reasons}" if table == "statuses" else reasons
    found = {}
    for word, meaning in words.items():
        reading = target(meaning) if isinstance(meaning, str) else None
        if reading is None:
            raise problem(
                f"[{table}] {word!r} = {meaning!r} is not something omsctl knows",
                hint=f"use one of {valid}",
            )
        found[word] = reading
    return found
