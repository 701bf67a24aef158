"""The database: where it is, how connections behave, and whether its schema fits this omsctl.

SQLite is the default and gets the settings a small merchant's one file needs to be safe with
cron and a person writing at the same minute: WAL, synchronous=FULL, foreign keys, a busy
timeout, and BEGIN IMMEDIATE for every write so writers queue instead of failing.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from omsctl.domain.errors import DatabaseProblem

#: The migration this omsctl's tables are written for; a test checks it is Alembic's head.
SCHEMA_REVISION = "0008"

#: How long a writer waits for another writer before giving up, in seconds.
BUSY_TIMEOUT_S = 60

INIT_HINT = "run `omsctl init` to create or upgrade it"


def database_url(db: str) -> URL:
    """A SQLAlchemy URL from `--db`: a URL as given, anything else a SQLite file path."""
    if "://" in db:
        try:
            return make_url(db)
        except ArgumentError as exc:
            raise DatabaseProblem(f"--db {db!r} is not a database URL: {exc}") from None
    path = Path(db).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def display_name(url: URL) -> str:
    path = sqlite_path(url)
    return str(path) if path else url.render_as_string(hide_password=True)


@lru_cache(maxsize=8)
def engine_for(url: URL) -> Engine:
    """One engine per URL per process, with the SQLite pragmas and BEGIN handling set up."""
    if url.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        if url.get_backend_name() == "postgresql":
            event.listen(engine, "begin", _postgresql_on_begin)
        return engine
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _postgresql_on_begin(connection: Any) -> None:
    # Writers queue on one transaction-scoped lock, as SQLite's BEGIN IMMEDIATE makes them:
    # two approvals reserving the same SKUs in a different order would otherwise deadlock.
    if connection.get_execution_options().get("omsctl_begin", "IMMEDIATE") == "IMMEDIATE":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITER_LOCK})")


#: The advisory lock every PostgreSQL writer takes ("omsc" as an integer).
_WRITER_LOCK = 1869443939


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from pysqlite, so _sqlite_on_begin decides how BEGIN is issued.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # A deferred transaction that reads and then writes cannot wait for the lock (SQLite
    # returns SQLITE_BUSY at once), so writers take the write lock up front.
    mode = connection.get_execution_options().get("omsctl_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only; SQLite gives -wal/-shm the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    secure_files(path)


def secure_files(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists() and stat.S_IMODE(candidate.stat().st_mode) & 0o077:
            candidate.chmod(0o600)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for a database omsctl never initialised."""
    try:
        with engine.connect().execution_options(omsctl_begin="DEFERRED") as conn:
            has_table = conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
                if engine.dialect.name == "sqlite"
                else text(
                    "SELECT 1 FROM information_schema.tables WHERE table_name='alembic_version'"
                )
            ).first()
            if not has_table:
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        raise DatabaseProblem(f"cannot open the database: {exc.orig}") from exc


def open_database(url: URL) -> Engine:
    """The engine for an existing database whose schema is exactly what this omsctl expects."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise DatabaseProblem(f"no database at {path}", hint=INIT_HINT)
    engine = engine_for(url)
    revision = current_revision(engine)
    if revision is None:
        raise DatabaseProblem(
            f"{display_name(url)} is not an omsctl database (or was never initialised)",
            hint=INIT_HINT,
        )
    if revision != SCHEMA_REVISION:
        if revision < SCHEMA_REVISION:
            raise DatabaseProblem(
                f"the database is at schema {revision}, this omsctl needs {SCHEMA_REVISION}",
                hint="back it up (`omsctl db backup FILE`), then run `omsctl init` to upgrade it",
            )
        raise DatabaseProblem(
            f"the database is at schema {revision}, newer than this omsctl ({SCHEMA_REVISION})",
            hint="upgrade omsctl (pip install -U omsctl)",
        )
    return engine
