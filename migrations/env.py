"""Alembic environment for omsctl: always run from `omsctl init` with a live connection."""

from __future__ import annotations

from alembic import context

from omsctl.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - alembic's own CLI is not how omsctl migrates
    raise SystemExit("run migrations with `omsctl init`, not the alembic command")

# SQLite cannot ALTER most things; batch mode rebuilds the table instead.
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
