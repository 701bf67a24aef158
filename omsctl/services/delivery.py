"""Delivery events: a carrier's file of status events, stored once and acted on.

Carrier files are loaded as events (each stored once, however often the file is loaded) and
only the newest event of a shipment acts on it, so a late file can never undo what a newer
one said. Whatever an event decides about an order moves it through `lifecycle.move`
(history); trouble opens a logistics exception for a person (`logistics_exceptions`).
`load_events` is one command: one transaction.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from omsctl.channels.base import FieldProblem, InputFile, Row, decode_head, read_head, read_rows
from omsctl.channels.normalize import text, timestamp
from omsctl.domain import tracking_events as events
from omsctl.domain.errors import InputProblem, OmsError
from omsctl.domain.lifecycle import State
from omsctl.domain.tracking import normalize as normalize_number
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.event_mappings import (
    COLUMNS,
    PLAIN,
    REQUIRED_COLUMNS,
    EventMapping,
    load_event_mapping,
)
from omsctl.services.lifecycle import order_ref
from omsctl.services.logistics_exceptions import resolve_open
from omsctl.services.parcels import newest_shipments
from omsctl.services.rejects import ERROR_COLUMN
from omsctl.services.tables_in import Rejected
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import LogisticsException, Order, Shipment, ShipmentEvent


@dataclass
class EventsReport:
    """What a load did; notes say where an event was kept but left its order alone."""

    file: str
    rows: int = 0
    new: int = 0
    duplicates: int = 0
    older: int = 0
    delivered: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)
    rejects_file: str | None = None


@dataclass(frozen=True, slots=True)
class _Event:
    line: int
    number: str
    at: datetime
    reading: events.Reading
    location: str
    detail: str

    @property
    def rank(self) -> tuple[datetime, int]:
        return (self.at, events.progress(self.reading.status))


def load_events(
    env: Env, path: Path, *, mapping: Path | None = None, rejects_to: Path | None = None
) -> EventsReport:
    """Store a carrier file's events once each and act on each shipment's newest ones."""
    spec = load_event_mapping(mapping) if mapping else PLAIN
    zone = spec.timezone or env.settings["general.timezone"]
    report = EventsReport(str(path))
    header, records = _event_rows(path, spec)
    parsed: list[_Event] = []
    failed: dict[int, tuple[Row, Rejected]] = {}
    raw: dict[int, Row] = {}
    for row in records:
        report.rows += 1
        raw[row.line] = row
        try:
            parsed.append(_parse(row, spec, zone))
        except FieldProblem as bad:
            failed[row.line] = (row, Rejected(str(path), row.line, bad.column, bad.reason))
    with env.uow() as uow:
        session = uow.session
        shipments = _shipments(session, {e.number for e in parsed})
        known: list[_Event] = []
        for event in parsed:
            if event.number in shipments:
                known.append(event)
            else:
                reason = (
                    f"{event.number!r} is not the tracking number of any shipment"
                    " (record it with `omsctl track add`)"
                )
                column = spec.columns["tracking_number"]
                failed[event.line] = (
                    raw[event.line],
                    Rejected(str(path), event.line, column, reason),
                )
        _apply_all(session, env, shipments, known, report)
        uow.commit()
    report.rejects = [failed[line][1] for line in sorted(failed)]
    if rejects_to is not None and failed:
        _write_rejects(rejects_to, header, spec, [failed[line] for line in sorted(failed)])
        report.rejects_file = str(rejects_to)
    return report


def _event_rows(path: Path, spec: EventMapping) -> tuple[list[str], Iterator[Row]]:
    """The file's header and its rows, after checking the header names what is needed."""
    display = str(path)
    if not path.is_file():
        raise InputProblem(f"{display}: no such file")
    head = decode_head(read_head(path, display), (spec.encoding,))
    if head is None:
        name = "UTF-8" if spec.encoding.lower().replace("_", "-") == "utf-8-sig" else spec.encoding
        raise InputProblem(
            f"{display}: not {name} text",
            hint="save it as UTF-8, or name its encoding in a --mapping",
        )
    header = head.first_fields(spec.delimiter)
    wanted = [spec.columns[c] for c in COLUMNS if c in spec.columns]
    missing = [spec.columns[c] for c in REQUIRED_COLUMNS if spec.columns[c] not in header]
    if missing:
        raise InputProblem(
            f"{display}:1: the header lacks {', '.join(missing)}",
            hint=f"the columns are {', '.join(wanted)}"
            + ("" if spec.source else "; another carrier's export needs a --mapping"),
        )
    if not spec.source:
        unknown = [c for c in header if c and c not in (*COLUMNS, ERROR_COLUMN)]
        if unknown:
            raise InputProblem(
                f"{display}:1: unknown column {unknown[0]!r}",
                hint=f"the columns are {', '.join(COLUMNS)}; "
                "another carrier's export needs a --mapping (docs/tracking-events.md)",
            )
    quoting = csv.QUOTE_NONE if spec.delimiter == "\t" else csv.QUOTE_MINIMAL
    source = InputFile(path, display, head.encoding)
    return header, read_rows(source, delimiter=spec.delimiter, quoting=quoting)


def _parse(row: Row, spec: EventMapping, zone: str) -> _Event:
    def cell(name: str) -> str:
        column = spec.columns.get(name)
        return text(row.cells.get(column)) if column else ""

    number_column = spec.columns["tracking_number"]
    try:
        number = normalize_number(cell("tracking_number"))
    except OmsError as bad:
        raise FieldProblem(number_column, bad.message) from None
    at = timestamp(cell("time"), spec.columns["time"], spec.date_formats, default_tz=zone)
    try:
        reading = events.reading_of(cell("status"), cell("reason"), spec.words)
    except events.UnreadableEvent as bad:
        column = spec.columns.get(bad.column, bad.column)
        hint = " (add it to [statuses] of a --mapping)" if bad.column == "status" else ""
        raise FieldProblem(column, bad.reason + hint) from None
    return _Event(row.line, number, at, reading, cell("location"), cell("detail"))


def _shipments(session: Session, numbers: Iterable[str]) -> dict[str, Shipment]:
    found: dict[str, Shipment] = {}
    wanted = sorted(numbers)
    for chunk in in_chunks(wanted):
        chunk = chunk
        stmt = select(Shipment).where(Shipment.tracking_number.in_(chunk))  # type: ignore[union-attr]
        found.update({s.tracking_number or "": s for s in session.scalars(stmt)})
    return found


def _apply_all(
    session: Session,
    env: Env,
    shipments: Mapping[str, Shipment],
    new: Sequence[_Event],
    report: EventsReport,
) -> None:
    """Store what is new and act on each shipment's events, oldest first, newest wins."""
    by_shipment: dict[int, list[_Event]] = defaultdict(list)
    for event in new:
        by_shipment[shipments[event.number].id or 0].append(event)
    stored = _stored_events(session, list(by_shipment))
    newest_shipment = newest_shipments(session, {s.order_id for s in shipments.values()})
    now = env.now()
    for shipment_id, batch in by_shipment.items():
        seen = {(at, status, where) for at, status, where in stored.get(shipment_id, ())}
        latest = max(
            ((at, events.progress(events.EventStatus(st))) for at, st, _ in seen), default=None
        )
        for event in sorted(batch, key=lambda e: (e.rank, e.line)):
            key = (event.at, event.reading.status.value, event.location)
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            shipment = shipments[event.number]
            session.add(
                ShipmentEvent(
                    shipment_id=shipment_id,
                    at=event.at,
                    status=event.reading.status.value,
                    reason=event.reading.reason.value if event.reading.reason else "",
                    location=event.location,
                    detail=event.detail,
                    loaded_at=now,
                )
            )
            report.new += 1
            if latest is not None and event.rank < latest:
                report.older += 1
                continue
            latest = event.rank
            current = newest_shipment.get(shipment.order_id) == shipment_id
            _apply(session, env, shipment, event, current=current, report=report)


def _stored_events(
    session: Session, shipment_ids: Sequence[int]
) -> dict[int, list[tuple[datetime, str, str]]]:
    found: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    for chunk in in_chunks(shipment_ids):
        chunk = chunk
        stmt = select(  # type: ignore[call-overload]
            ShipmentEvent.shipment_id,
            ShipmentEvent.at,
            ShipmentEvent.status,
            ShipmentEvent.location,
        ).where(ShipmentEvent.shipment_id.in_(chunk))  # type: ignore[attr-defined]
        for shipment_id, at, status, location in session.execute(stmt):
            found[shipment_id].append((at, status, location))
    return found


def _apply(
    session: Session,
    env: Env,
    shipment: Shipment,
    event: _Event,
    *,
    current: bool,
    report: EventsReport,
) -> None:
    status = event.reading.status
    shipment.status = events.shipment_status(shipment.status, status)
    if status is events.EventStatus.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = event.at
    session.add(shipment)
    order = session.get(Order, shipment.order_id)
    assert order is not None
    ref = order_ref(order)
    said = _said(event)
    outcome = events.effect(status, State(order.state), current_shipment=current)
    now = env.now()
    if outcome.note:
        report.notes.append(f"{event.number}: {said} left order {ref} as it is ({outcome.note})")
    if outcome.resolve_exceptions:
        resolve_open(session, order, "delivered", actor=env.actor, at=now, note=said)
    if outcome.open_exception:
        reason = (event.reading.reason or events.ExceptionReason.OTHER).value
        if _open_exception(session, order, shipment, reason, event):
            report.exceptions.append(ref)
    if outcome.move_to is State.DELIVERED:
        lifecycle.move(
            session,
            order,
            State.DELIVERED,
            action="delivered",
            actor=env.actor,
            at=now,
            detail=said,
        )
        order.delivered_at = event.at  # the confirmation window runs from the doorstep
        report.delivered.append(ref)
    elif outcome.move_to is not None:
        lifecycle.move(
            session,
            order,
            outcome.move_to,
            action="carrier_exception",
            actor=env.actor,
            at=now,
            detail=said,
        )


def _said(event: _Event) -> str:
    """One line for history: what the carrier said, where and when."""
    what = event.reading.status.value
    if event.reading.status is events.EventStatus.EXCEPTION and event.reading.reason:
        what += f" ({event.reading.reason.value})"
    parts = [f"{event.number} {what}", event.at.strftime("%Y-%m-%d %H:%M UTC")]
    if event.location:
        parts.insert(1, f"at {event.location}")
    line = " ".join(parts)
    return f"{line}: {event.detail}" if event.detail else line


def _open_exception(
    session: Session, order: Order, shipment: Shipment, reason: str, event: _Event
) -> bool:
    """Queue the order for a person, once per shipment and reason while it is open."""
    stmt = select(LogisticsException.id).where(  # type: ignore[call-overload]
        LogisticsException.order_id == order.id,
        LogisticsException.shipment_id == shipment.id,
        LogisticsException.reason == reason,
        LogisticsException.resolved_at.is_(None),  # type: ignore[union-attr]
    )
    if session.scalars(stmt).first() is not None:
        return False
    detail = " ".join(
        p for p in (event.detail, f"({event.location})" if event.location else "") if p
    )
    session.add(
        LogisticsException(
            order_id=order.id or 0,
            shipment_id=shipment.id,
            reason=reason,
            detail=detail,
            opened_at=event.at,  # the parcel has been in trouble since the carrier said so
        )
    )
    return True


def _write_rejects(
    target: Path, header: list[str], spec: EventMapping, failed: Sequence[tuple[Row, Rejected]]
) -> None:
    """The rejected rows in the file's own layout, plus why: fix them and load that file."""
    columns = [h for h in header if h != ERROR_COLUMN]
    encoding = "utf-8-sig" if spec.encoding.lower().startswith("utf") else spec.encoding
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=spec.delimiter, lineterminator="\n")
        writer.writerow([*columns, ERROR_COLUMN])
        for row, rejected in failed:
            writer.writerow([*(row.cells.get(c, "") for c in columns), str(rejected)])
