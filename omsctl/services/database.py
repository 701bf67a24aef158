"""Looking after the database itself: check it, back it up, copy it elsewhere.

These are the nightly jobs of a merchant's cron (`db backup`, `db check`, `db purge-personal`)
and the one-off move to PostgreSQL (`db copy --to URL`); forgetting people is
services/privacy.py. None of them reads a channel file or
changes an order's state; each says plainly what it did, so a cron mail is enough.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from omsctl.domain.errors import Conflict, DatabaseProblem, InputProblem, UsageProblem
from omsctl.services.context import Env
from omsctl.store import checks
from omsctl.store.db import (
    SCHEMA_REVISION,
    current_revision,
    database_url,
    display_name,
    engine_for,
    sqlite_path,
)
from omsctl.store.tables import metadata

#: Rows per INSERT batch when copying: large enough to be quick, small enough to stream.
COPY_BATCH = 5000


# --- check ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckReport:
    database: str
    counts: checks.Counts
    problems: tuple[checks.Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.database}: ok — {c.orders:,} orders, {c.history:,} history rows,"
            f" {c.stock_levels:,} stock levels, {c.movements:,} ledger rows,"
            f" {c.reservations:,} reservations, {c.shipments:,} shipments; every invariant holds"
        )


def check_database(env: Env) -> CheckReport:
    """Run every invariant in one read transaction, so the answer is about one moment."""
    with env.uow(write=False) as uow:
        return _check(uow.session.connection(), display_name(env.url))


def _check(conn: Connection, name: str) -> CheckReport:
    return CheckReport(name, checks.counts(conn), tuple(checks.run_checks(conn)))


# --- backup --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupResult:
    source: str
    target: str
    bytes: int
    revision: str | None
    orders: int
    seconds: float


def backup_database(env: Env, target: Path, *, force: bool = False) -> BackupResult:
    """A consistent copy of the live database: SQLite's online backup, or pg_dump.

    A file copy of a database in WAL mode can catch the main file and its -wal at different
    moments; the backup API copies one snapshot while other processes keep writing. A
    PostgreSQL database is dumped by pg_dump at one snapshot (services/pg_backup.py). The
    copy is written under a temporary name beside the target, checked, and only then renamed,
    so a killed backup never leaves a half file under the name a restore would use.

    The schema revision is not checked: backing up comes before `omsctl init` upgrades.
    """
    source = env.db_path
    postgresql = source is None and env.url.get_backend_name() == "postgresql"
    if source is None and not postgresql:
        raise UsageProblem(
            f"db backup copies SQLite files and PostgreSQL databases, not {display_name(env.url)}",
            hint="use the database's own backup tool",
        )
    if source is not None and not source.exists():
        raise DatabaseProblem(f"no database at {source}", hint="check --db or OMSCTL_DB")
    target = target.expanduser().resolve()
    if source is not None and (
        target == source or target.name in (f"{source.name}-wal", f"{source.name}-shm")
    ):
        raise UsageProblem("the backup cannot be the database itself", hint="name another file")
    if not target.parent.is_dir():
        raise InputProblem(f"no folder {target.parent}", hint="create it first")
    if target.exists() and not force:
        raise Conflict(f"{target} exists already", hint="pass --force to replace it")
    started = time.perf_counter()
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        if source is None:
            from omsctl.services.pg_backup import dump_postgresql

            revision, orders = dump_postgresql(engine_for(env.url), env.url, partial)
        else:
            revision, orders = _online_backup(source, partial)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(
        display_name(env.url),
        str(target),
        target.stat().st_size,
        revision,
        orders,
        time.perf_counter() - started,
    )


def _online_backup(source: Path, partial: Path) -> tuple[str | None, int]:
    """Copy `source` into the (empty) file `partial` in one step; returns revision and orders.

    One step (pages=-1) reads one snapshot under a read transaction, which in WAL mode never
    blocks a writer; copying in several steps would restart whenever another process wrote.
    """
    timeout = 60.0
    try:
        src = sqlite3.connect(source, timeout=timeout)
        try:
            dst = sqlite3.connect(partial, timeout=timeout)
            try:
                src.backup(dst)
                # A backup is one self-contained file: no -wal beside it to lose in a copy.
                dst.execute("PRAGMA journal_mode=DELETE")
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise DatabaseProblem(
                        f"the copy of {source} fails SQLite's check: {verdict}",
                        hint="run `omsctl db check` on the database",
                    )
                return _revision_and_orders(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseProblem(f"cannot back up {source}: {exc}") from None


def _revision_and_orders(conn: sqlite3.Connection) -> tuple[str | None, int]:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = (
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if "alembic_version" in names
        else None
    )
    orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0] if "orders" in names else 0
    return (revision[0] if revision else None), int(orders)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- copy ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableCopy:
    table: str
    rows: int


@dataclass(frozen=True, slots=True)
class CopyResult:
    source: str
    target: str
    revision: str
    tables: tuple[TableCopy, ...]
    check: CheckReport

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


Progress = Callable[[str, int], None]


def copy_database(
    env: Env, to: str, *, batch: int = COPY_BATCH, progress: Progress | None = None
) -> CopyResult:
    """Copy every table into an empty database at `to`, migrated first, then verify it.

    The source is read in one read transaction (one snapshot, writers carry on) and the
    target written in one transaction: a copy that fails leaves the target migrated but
    empty, so running it again is safe. Row counts are compared before the commit, and the
    target must then pass the same `db check` as the source.
    """
    from omsctl.store.migrate import upgrade

    source_engine = env.engine
    target_url = database_url(to)
    if target_url == env.url:
        raise UsageProblem("the copy cannot go into the database it copies")
    target_name = display_name(target_url)
    _refuse_non_empty(target_url, target_name)
    try:
        revision = upgrade(target_url).to_revision
    except (OperationalError, DBAPIError) as exc:
        raise DatabaseProblem(f"cannot create the tables in {target_name}: {exc.orig}") from None
    target_engine = engine_for(target_url)
    copied: list[TableCopy] = []
    with (
        source_engine.connect().execution_options(omsctl_begin="DEFERRED") as src,
        src.begin(),
        target_engine.begin() as out,
    ):
        for table in metadata.sorted_tables:
            rows = _copy_table(src, out, table, batch, progress)
            copied.append(TableCopy(table.name, rows))
        if out.dialect.name == "postgresql":
            _advance_sequences(out)
        for done in copied:
            table = metadata.tables[done.table]
            there = out.execute(select(func.count()).select_from(table)).scalar_one()
            if there != done.rows:
                raise DatabaseProblem(
                    f"copying {done.table}: {done.rows} rows read, {there} in {target_name};"
                    " nothing was committed"
                )
    with target_engine.connect().execution_options(omsctl_begin="DEFERRED") as conn:
        report = _check(conn, target_name)
    return CopyResult(display_name(env.url), target_name, revision, tuple(copied), report)


def _refuse_non_empty(url: Any, name: str) -> None:
    """Copying into a database that holds data would mix two shops; refuse before touching it."""
    path = sqlite_path(url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return
    engine = engine_for(url)
    try:
        with engine.connect().execution_options(omsctl_begin="DEFERRED") as conn:
            for table in inspect(conn).get_table_names():
                if table == "alembic_version":
                    continue
                quoted = conn.dialect.identifier_preparer.quote(table)
                rows = conn.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one()
                if rows:
                    raise Conflict(
                        f"{name} is not empty ({table}: {rows:,} rows)",
                        hint="copy into a new, empty database",
                    )
            revision = current_revision(engine)
    except (OperationalError, DBAPIError) as exc:
        raise DatabaseProblem(f"cannot open {name}: {exc.orig}") from None
    if revision is not None and revision > SCHEMA_REVISION:
        raise DatabaseProblem(f"{name} is at schema {revision}, newer than this omsctl")


def _copy_table(
    src: Connection, out: Connection, table: Table, batch: int, progress: Progress | None
) -> int:
    """Stream one table in primary-key order, in batches.

    A column that refers to its own table (a split order's parent, a merged order's
    survivor) may point at a row later in the copy; it is written empty first and filled in
    once every row is there, so the target's foreign keys hold at every statement.
    """
    own = [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]
    pk = list(table.primary_key.columns)
    later: list[dict[str, Any]] = []
    rows = 0
    result = src.execution_options(yield_per=batch).execute(select(table).order_by(*pk))
    for part in result.partitions():
        values = [row._asdict() for row in part]
        for value in values:
            refs = {name: value[name] for name in own if value[name] is not None}
            if refs:
                later.append({"b_id": value[pk[0].name], **{f"b_{k}": v for k, v in refs.items()}})
                for name in refs:
                    value[name] = None
        out.execute(insert(table), values)
        rows += len(values)
        if progress:
            progress(table.name, rows)
    for name in own:
        fills = [
            {"b_id": r["b_id"], f"b_{name}": r[f"b_{name}"]} for r in later if f"b_{name}" in r
        ]
        if fills:
            out.execute(
                update(table)
                .where(table.c[pk[0].name] == bindparam("b_id"))
                .values({name: bindparam(f"b_{name}")}),
                fills,
            )
    return rows


def _advance_sequences(out: Connection) -> None:
    """Rows arrived with their ids; PostgreSQL's id sequences must continue after them."""
    for table in metadata.sorted_tables:
        if "id" not in table.c:
            continue
        name = table.name
        out.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                f" COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
            )
        )
