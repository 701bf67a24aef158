"""Developer tool: write a new migration from the difference between the tables and a database.

Usage: python -m omsctl.store.autogen "message" — it upgrades a scratch database to head and
lets Alembic compare it with `omsctl/store/tables.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from omsctl.store.db import database_url, engine_for
from omsctl.store.migrate import _config, upgrade


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "change"
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(str(Path(tmp) / "scratch.db"))
        upgrade(url)
        config = _config(url)
        with engine_for(url).connect() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
