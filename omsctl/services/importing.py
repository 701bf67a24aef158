"""Importing channel exports: every file in one transaction, idempotent, nothing half-written.

New orders go in by the thousand through executemany; an order the database knows is compared
by fingerprint (unchanged: one lookup) and only a real change takes the slower path, where
the lifecycle and the domain's update plan decide what the channel may still change.
"""

from __future__ import annotations

import gc
import glob
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import Connection
from sqlmodel import Session

from omsctl import channels
from omsctl.channels.base import ChannelReader, InputFile
from omsctl.domain.errors import InputProblem, UsageProblem
from omsctl.domain.imports import (
    diff,
    fingerprint,
    keep_known_prices,
    legacy_fingerprint,
    plan_update,
    settle_totals,
)
from omsctl.domain.lifecycle import ALLOWED, State, transition
from omsctl.domain.orders import ChannelOrder, RowError
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.rejects import write_rejects
from omsctl.store import bulk
from omsctl.store.tables import Order

BATCH = 2000
IMPORT_ACTOR_ACTION = "import"
#: What `_Importer._insert` writes of a new order, and of its history (time and actor aside).
_NEW_ORDER_COLUMNS = (*bulk.ORDER_VALUE_COLUMNS, "channel", "channel_order_no", "state")
_NEW_HISTORY_COLUMNS = ("order_id", "action", "from_state", "to_state", "detail")


@dataclass
class SourceSummary:
    """What one export (a file, or a pair of files) did to the database."""

    channel: str
    files: list[str]
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    cancelled: int = 0
    held: int = 0
    lines: int = 0
    units: int = 0


@dataclass
class ImportReport:
    dry_run: bool
    sources: list[SourceSummary] = field(default_factory=list)
    rejects: list[RowError] = field(default_factory=list)
    rejects_files: list[str] = field(default_factory=list)

    @property
    def orders(self) -> int:
        return sum(s.new + s.updated + s.unchanged for s in self.sources)


Progress = Callable[[int], None]


def import_files(
    env: Env,
    names: Sequence[str],
    *,
    channel: str | None = None,
    mapping: Path | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
    rejects_to: Path | None = None,
) -> ImportReport:
    """Import every named file (globs and `-` for stdin allowed) as one transaction.

    With `rejects_to`, every row of every rejected order is written there to fix and re-import.
    """
    report = ImportReport(dry_run=dry_run)
    with ExitStack() as stack:
        paths = _resolve(names, stack, stdin)
        groups = _detect(paths, channel=channel, mapping=mapping, encoding=encoding)
        with env.uow() as uow:
            for reader, files in groups:
                summary = SourceSummary(reader.name, [f.display for f in files])
                report.sources.append(summary)
                _Importer(uow.session, env, summary, report.rejects, progress).run(
                    reader.read(files)
                )
            if not dry_run:
                uow.commit()
        if rejects_to is not None and report.rejects:
            inputs = [f for _, files in groups for f in files]
            written = write_rejects(rejects_to, inputs, report.rejects)
            report.rejects_files = [str(p) for p in written]
    return report


def _resolve(
    names: Sequence[str], stack: ExitStack, stdin: IO[bytes] | None
) -> list[tuple[Path, str]]:
    if not names:
        raise UsageProblem("name at least one file to import (or - for standard input)")
    found: list[tuple[Path, str]] = []
    for name in names:
        if name == "-":
            spool = stack.enter_context(tempfile.NamedTemporaryFile(prefix="omsctl-stdin-"))  # noqa: SIM115
            shutil.copyfileobj(stdin or sys.stdin.buffer, spool)
            spool.flush()
            found.append((Path(spool.name), "<stdin>"))
            continue
        path = Path(name).expanduser()
        if path.exists():
            found.append((path, name))
            continue
        matches = sorted(glob.glob(name)) if glob.has_magic(name) else []
        if not matches:
            raise InputProblem(f"{name}: no such file")
        found.extend((Path(m), m) for m in matches)
    for path, display in found:
        if path.is_dir():
            raise InputProblem(f"{display}: is a folder", hint="name the export files in it")
    return found


def _detect(
    paths: list[tuple[Path, str]],
    *,
    channel: str | None,
    mapping: Path | None,
    encoding: str | None,
) -> list[tuple[ChannelReader, list[InputFile]]]:
    """Recognise every file before anything is written; group the files of one export."""
    if channel == "csv" or mapping is not None:
        from omsctl.channels import mapped

        if mapping is None:
            raise UsageProblem(
                "--channel csv needs --mapping FILE.toml",
                hint="see docs/import-mapping.md for the mapping format",
            )
        reader = mapped.MappedReader(mapped.load_mapping(mapping))
        return [(reader, [_match_mapped(reader, p, d, encoding) for p, d in paths])]
    groups: dict[str, tuple[ChannelReader, list[InputFile]]] = {}
    for path, display in paths:
        found, input_file = channels.detect(path, display, channel=channel, encoding=encoding)
        groups.setdefault(found.name, (found, []))[1].append(input_file)
    return list(groups.values())


def _match_mapped(reader, path: Path, display: str, encoding: str | None) -> InputFile:  # type: ignore[no-untyped-def]
    from omsctl.channels.base import decode_head, read_head

    head = decode_head(read_head(path, display), (encoding,) if encoding else reader.encodings)
    if head is None:
        raise InputProblem(
            f"{display}: not text in {encoding or reader.encodings[0]}",
            hint="set `encoding` in the mapping or pass --encoding",
        )
    if reader.match(head) is None:
        missing = ", ".join(repr(c) for c in reader.missing_columns(head))
        raise InputProblem(
            f"{display}: the mapping's columns {missing} are not in the header",
            hint="fix the [columns] names in the mapping to match the file",
        )
    return InputFile(path, display, head.encoding)


class _Importer:
    """Applies one export's orders in batches inside the caller's transaction."""

    def __init__(
        self,
        session: Session,
        env: Env,
        summary: SourceSummary,
        rejects: list[RowError],
        progress: Progress | None,
    ) -> None:
        self.session = session
        self.conn: Connection = session.connection()
        self.env = env
        self.now = env.now()
        self.summary = summary
        self.rejects = rejects
        self.progress = progress
        self.sla = env.settings.section("holds.sla_hours")
        self.new_orders = bulk.RowInserter(
            self.conn,
            bulk.ORDERS,
            _NEW_ORDER_COLUMNS,
            constants={"imported_at": self.now, "updated_at": self.now},
            returning=("channel_order_no", "id"),
        )
        self.new_lines = bulk.RowInserter(self.conn, bulk.LINES, bulk.LINE_COLUMNS)
        self.new_history = bulk.RowInserter(
            self.conn,
            bulk.HISTORY,
            _NEW_HISTORY_COLUMNS,
            constants={"at": self.now, "actor": env.actor},
        )

    def run(self, items: Iterator[ChannelOrder | RowError]) -> None:
        with _few_collections(), bulk.large_writes(self.conn):
            self._run(items)

    def _run(self, items: Iterator[ChannelOrder | RowError]) -> None:
        batch: list[ChannelOrder] = []
        pending: set[str] = set()
        for item in items:
            if isinstance(item, RowError):
                self.rejects.append(item)
                self.summary.rejected += 1
                continue
            if item.channel_order_no in pending:  # the same order twice: apply in file order
                self._apply(batch)
                batch, pending = [], set()
            batch.append(item)
            pending.add(item.channel_order_no)
            if len(batch) >= BATCH:
                self._apply(batch)
                batch, pending = [], set()
        self._apply(batch)

    def _apply(self, batch: list[ChannelOrder]) -> None:
        if not batch:
            return
        channel = batch[0].channel
        known = bulk.known_orders(self.conn, channel, [o.channel_order_no for o in batch])
        fresh: list[tuple[ChannelOrder, str]] = []
        lines = units = 0
        for raw in batch:
            order = settle_totals(raw)
            print_ = fingerprint(order)
            lines += len(order.lines)
            units += sum([line.quantity for line in order.lines])
            existing = known.get(order.channel_order_no) if known else None
            if existing is None:
                fresh.append((order, print_))
            elif existing.fingerprint == print_ or (
                # Imported by an omsctl before the fingerprint's scheme changed.
                existing.fingerprint == legacy_fingerprint(order)
            ):
                self.summary.unchanged += 1
            else:
                self._update(existing, order, print_)
        self.summary.lines += lines
        self.summary.units += units
        self._insert(fresh)
        if self.progress:
            self.progress(len(batch))

    def _insert(self, fresh: list[tuple[ChannelOrder, str]]) -> None:
        if not fresh:
            return
        new, cancelled, order_row = State.NEW.value, State.CANCELLED.value, bulk.order_row
        ids = dict(
            self.new_orders.insert(
                [
                    (
                        *order_row(order, print_),
                        order.channel,
                        order.channel_order_no,
                        cancelled if order.cancelled_at else new,
                    )
                    for order, print_ in fresh
                ]
            )
        )
        lines: list[tuple[object, ...]] = []
        history: list[tuple[object, ...]] = []
        line_tuples = bulk.line_tuples
        for order, _ in fresh:
            order_id = ids[order.channel_order_no]
            lines += line_tuples(order_id, order.lines)
            source = order.source
            history.append(
                (
                    order_id,
                    IMPORT_ACTOR_ACTION,
                    None,
                    new,
                    f"{source.file}:{source.line}" if source else "",
                )
            )
            if order.cancelled_at:
                entry = transition(
                    order.channel_order_no,
                    State.NEW,
                    State.CANCELLED,
                    action="cancel",
                    actor=self.env.actor,
                    at=self.now,
                    detail="cancelled on the channel",
                )
                history.append((order_id, entry.action, new, cancelled, entry.detail))
                self.summary.cancelled += 1
        self.new_lines.insert(lines)
        self.new_history.insert(history)
        self.summary.new += len(fresh)

    def _update(self, existing: bulk.Known, order: ChannelOrder, print_: str) -> None:
        stored = bulk.stored_channel_order(self.conn, existing.id)
        order = keep_known_prices(stored, order)
        difference = diff(stored, order)
        row = self.session.get(Order, existing.id)
        assert row is not None
        row.fingerprint = print_
        if difference.empty:  # same content, fingerprint from an older omsctl
            self.session.add(row)
            self.summary.unchanged += 1
            return
        state = State(row.state)
        plan = plan_update(state, difference, order.cancelled_at is not None)
        values = bulk.order_values(order, print_)
        actor, now = self.env.actor, self.now
        owned = ("payment_status", "paid_at", "cancelled_at", "refunded_total")
        if plan.apply_channel_owned:
            for name in owned:
                setattr(row, name, values[name])
        if plan.apply_content:
            for name, value in values.items():
                if name not in owned and name != "fingerprint":
                    setattr(row, name, value)
            if "lines" in difference.content:
                bulk.replace_lines(self.conn, existing.id, order.lines)
        row.updated_at = now
        self.session.add(row)
        lifecycle.record(self.session, row, "channel_update", actor, now, plan.note)
        if plan.cancel:
            lifecycle.move(
                self.session,
                row,
                State.CANCELLED,
                action="cancel",
                actor=actor,
                at=now,
                detail="cancelled on the channel",
            )
            lifecycle.resolve_holds(
                self.session, row, actor=actor, at=now, resolution="cancelled on the channel"
            )
            self.summary.cancelled += 1
        elif plan.hold:
            if State.ON_HOLD in ALLOWED[state]:
                lifecycle.move(
                    self.session,
                    row,
                    State.ON_HOLD,
                    action="hold",
                    actor=actor,
                    at=now,
                    detail=plan.hold,
                )
            lifecycle.add_hold(self.session, row, plan.hold, plan.note, at=now, sla_hours=self.sla)
            self.summary.held += 1
        self.session.flush()
        self.summary.updated += 1


@contextmanager
def _few_collections() -> Iterator[None]:
    """The garbage collector's passes made rare and short while an import runs.

    An import allocates millions of short-lived objects (no cycles among them), and each
    full pass rescanned everything loaded before it, SQLAlchemy and the CLI: a sixth of a
    large import's time. What is alive at the start is set aside, not collected.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
