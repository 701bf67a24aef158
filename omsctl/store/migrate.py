"""Running the Alembic migrations in `migrations/`, from a checkout or an installed wheel.

The wheel carries `migrations/` as `omsctl/_migrations`; a checkout (editable install) has it
beside the package. Alembic is imported here only, so ordinary commands never load it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL

from omsctl.resources import migrations_dir
from omsctl.store.db import (
    create_private_file,
    current_revision,
    engine_for,
    secure_files,
    sqlite_path,
)


def _config(url: URL):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["omsctl_url"] = url
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config(URL.create("sqlite"))).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True, slots=True)
class Upgrade:
    created: bool
    from_revision: str | None
    to_revision: str


def upgrade(url: URL) -> Upgrade:
    """Create the database or bring it to the newest schema; running it again does nothing."""
    from alembic import command

    path = sqlite_path(url)
    created = path is not None and not path.exists()
    if path is not None:
        create_private_file(path)
    engine = engine_for(url)
    before = current_revision(engine)
    config = _config(url)
    with engine.connect() as connection:
        # Batch migrations rebuild tables; with foreign keys on, dropping the old table would
        # cascade deletes into its children. Switch them off outside any transaction.
        raw = connection.connection.dbapi_connection if path is not None else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
        if raw is not None:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken references: {broken[:5]}")
    after = current_revision(engine)
    if path is not None:
        secure_files(path)
    assert after is not None
    return Upgrade(created=created, from_revision=before, to_revision=after)
