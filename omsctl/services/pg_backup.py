"""`db backup` of a PostgreSQL database: PostgreSQL's own pg_dump, at one snapshot, then read back.

pg_dump is the tool that knows every PostgreSQL object and version; writing our own dump would
be a worse copy of it. What omsctl adds is what its SQLite backup promises too: the summary
(schema revision, orders) is read in the very snapshot pg_dump copies (`pg_export_snapshot`,
passed as `--snapshot`), and the archive is read back whole with `pg_restore` before the
caller renames it into place, so a backup that cannot be restored is refused, not kept.

The password travels in PGPASSWORD, never on pg_dump's command line, where `ps` would show it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from omsctl.domain.errors import DatabaseProblem

CLIENT_HINT = "install PostgreSQL's client tools (Debian: apt install postgresql-client)"


def libpq_uri(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it (no driver name, no password) and the environment to add."""
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    extra = {"PGPASSWORD": str(url.password)} if url.password is not None else {}
    return uri, extra


def dump_postgresql(engine: Engine, url: URL, partial: Path) -> tuple[str | None, int]:
    """Write a custom-format archive of the database into `partial`; revision and orders."""
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    uri, extra = libpq_uri(url)
    environ = {**os.environ, **extra}
    reader = engine.execution_options(omsctl_begin="DEFERRED", isolation_level="REPEATABLE READ")
    try:
        connection = reader.connect()
    except OperationalError as exc:
        raise DatabaseProblem(f"cannot open the database: {exc.orig}") from None
    with connection as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revision, orders = _revision_and_orders(conn)
        _run(
            [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={partial}", f"--dbname={uri}"],
            environ,
            "pg_dump",
        )  # fmt: skip
    # Read every block back: a truncated or corrupt archive fails here, not at restore time.
    _run([pg_restore, "--file=/dev/null", str(partial)], environ, "pg_restore")
    return revision, orders


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DatabaseProblem(
            f"db backup of a PostgreSQL database runs {name}, which is not on PATH",
            hint=CLIENT_HINT,
        )
    return found


def _run(command: list[str], environ: dict[str, str], name: str) -> None:
    done = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        said = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise DatabaseProblem(
            f"{name} failed: {said}",
            hint="its version must be the server's or newer; " + CLIENT_HINT,
        )


def _revision_and_orders(conn: Connection) -> tuple[str | None, int]:
    tables = set(
        conn.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        ).scalars()
    )
    revision = (
        conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if "alembic_version" in tables
        else None
    )
    orders = (
        conn.execute(text("SELECT count(*) FROM orders")).scalar_one() if "orders" in tables else 0
    )
    return revision, int(orders)
