from __future__ import annotations

import stat
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from omsctl.store.db import SCHEMA_REVISION, database_url, engine_for
from omsctl.store.migrate import head_revision, upgrade
from omsctl.store.tables import metadata


def test_the_code_expects_the_newest_migration():
    assert head_revision() == SCHEMA_REVISION


def test_init_twice_changes_nothing(isolated: Path):
    url = database_url(str(isolated))
    first = upgrade(url)
    schema = _schema(url)
    second = upgrade(url)
    assert (first.created, first.from_revision, first.to_revision) == (True, None, SCHEMA_REVISION)
    assert (second.created, second.from_revision) == (False, SCHEMA_REVISION)
    assert _schema(url) == schema


def test_the_models_match_the_migrated_schema(isolated: Path):
    url = database_url(str(isolated))
    upgrade(url)
    with engine_for(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_the_database_and_its_wal_files_are_private_to_their_owner(isolated: Path):
    upgrade(database_url(str(isolated)))
    files = [isolated, Path(f"{isolated}-wal"), Path(f"{isolated}-shm")]
    assert all(f.exists() for f in files)
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {"0o600"}


def test_connections_use_wal_full_sync_and_foreign_keys(isolated: Path):
    url = database_url(str(isolated))
    upgrade(url)
    with engine_for(url).connect() as conn:
        pragmas = [
            conn.execute(text(f"PRAGMA {p}")).scalar()
            for p in ("journal_mode", "synchronous", "foreign_keys")
        ]
    assert pragmas == ["wal", 2, 1]


def _schema(url) -> dict[str, list[str]]:
    inspector = inspect(engine_for(url))
    return {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}
