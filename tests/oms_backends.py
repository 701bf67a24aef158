"""The database a test session runs against: SQLite files by default, PostgreSQL on request.

`OMSCTL_TEST_BACKEND=postgresql` with `OMSCTL_TEST_PG_URL` naming a server (and a database to
connect to first, e.g. `postgresql+psycopg://omsctl@/postgres?host=/var/run/postgresql`) runs
the same store, service and CLI tests against PostgreSQL. Tests that are about the SQLite file
itself (pragmas, file modes, backups, paths handed to other processes) carry the
`sqlite_only` mark and are skipped there.

Each test gets an empty database. On PostgreSQL that is one database per session whose
`public` schema is dropped and made again before each test (milliseconds, where creating a
database takes a third of a second); databases built once for a module (`new_database`) are
copied per test with `CREATE DATABASE … TEMPLATE`, as the SQLite files are copied.
"""

from __future__ import annotations

import os
import shutil
import uuid
from functools import cached_property
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url


class Backend(Protocol):
    name: str

    def empty(self, folder: Path) -> str:
        """An empty, uninitialised database for one test: a path or a URL for `--db`."""
        ...

    def new_database(self, folder: Path) -> str:
        """A database of its own, to build once and `copy` for each test that needs it."""
        ...

    def copy(self, source: str, folder: Path) -> str:
        """This test's own copy of a database built by `new_database` (no engine open on it)."""
        ...

    def close(self) -> None: ...


class SQLiteBackend:
    name = "sqlite"

    def empty(self, folder: Path) -> str:
        return str(folder / "omsctl.db")

    def new_database(self, folder: Path) -> str:
        return str(folder / "omsctl.db")

    def copy(self, source: str, folder: Path) -> str:
        target = folder / "omsctl.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{target}{suffix}")  # and its 0600 mode
        return str(target)

    def close(self) -> None:
        pass


class PostgreSQLBackend:
    name = "postgresql"

    def __init__(self, server: str) -> None:
        self.server = make_url(server)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    @cached_property
    def session_db(self) -> str:
        """The database `empty` hands out, made on first use."""
        return self._create()

    @cached_property
    def session(self) -> Engine:
        return create_engine(self._url(self.session_db), isolation_level="AUTOCOMMIT")

    def _url(self, name: str) -> URL:
        return self.server.set(database=name)

    def _render(self, name: str) -> str:
        return self._url(name).render_as_string(hide_password=False)

    def _create(self, template: str | None = None) -> str:
        name = f"omsctl_test_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            if template:  # a template may have no other connection while it is copied
                _disconnect_others(conn, template)
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return name

    def empty(self, folder: Path) -> str:
        with self.session.connect() as conn:
            # Connections a finished test's engines kept in their pools would hold the schema.
            _disconnect_others(conn, self.session_db)
            conn.execute(text("SET lock_timeout = '10s'"))
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        return self._render(self.session_db)

    def new_database(self, folder: Path) -> str:
        return self._render(self._create())

    def copy(self, source: str, folder: Path) -> str:
        name = self._create(template=make_url(source).database)
        return self._render(name)

    def close(self) -> None:
        """Drop every database this backend made (omsctl's pooled connections to them too)."""
        if "session" in self.__dict__:
            self.session.dispose()
        with self.admin.connect() as conn:
            for name in self.created:
                dispose(self._render(name))
                drop_database(conn, name)
        self.admin.dispose()


def _disconnect_others(conn: object, database: str) -> None:
    """End the test run's own other connections to `database` (pooled ones left by omsctl's
    engines). Not autovacuum's: it runs as the server's superuser, and yields by itself."""
    conn.execute(  # type: ignore[attr-defined]
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = :name AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend' AND usename = current_user"
        ),
        {"name": database},
    )


def drop_database(conn: object, name: str) -> None:
    """Drop a test database once this run's own connections to it are ended.

    Not `WITH (FORCE)`: that refuses to drop a database an autovacuum worker is in (it has no
    role ours may signal), which happens after a test wrote a lot. A plain DROP asks the
    worker to stop and waits for it.
    """
    _disconnect_others(conn, name)
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))  # type: ignore[attr-defined]


def dispose(db: str) -> None:
    """Close the pooled connections omsctl's engine holds on a database (before copying it)."""
    from omsctl.store.db import database_url, engine_for

    engine: Engine = engine_for(database_url(db))
    engine.dispose()


def backend_name() -> str:
    return os.environ.get("OMSCTL_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"


def backend_from_environment() -> Backend:
    """The backend this session runs against, from OMSCTL_TEST_BACKEND (default sqlite)."""
    chosen = backend_name()
    if chosen == "sqlite":
        return SQLiteBackend()
    if chosen == "postgresql":
        server = os.environ.get("OMSCTL_TEST_PG_URL", "")
        if not server:
            raise RuntimeError(
                "OMSCTL_TEST_BACKEND=postgresql needs OMSCTL_TEST_PG_URL, e.g. "
                "postgresql+psycopg://$USER@/postgres?host=/var/run/postgresql"
            )
        return PostgreSQLBackend(server)
    raise RuntimeError(f"OMSCTL_TEST_BACKEND={chosen!r}: use sqlite or postgresql")
