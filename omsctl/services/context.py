"""What every service needs to run: the database, the settings, who is acting, and the clock."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from omsctl.services.uow import UnitOfWork
from omsctl.settings import Settings, config_path, load_settings
from omsctl.store.db import database_url, open_database, sqlite_path

DEFAULT_DB = "omsctl.db"


def current_actor() -> str:
    """Who the history says acted: `OMSCTL_USER` (for shared logins), else the OS login."""
    explicit = os.environ.get("OMSCTL_USER", "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Env:
    """The command's surroundings, built once per command from the global options."""

    db: str = DEFAULT_DB
    config: str | None = None
    actor: str = field(default_factory=current_actor)
    now: Callable[[], datetime] = utc_now

    @cached_property
    def url(self) -> URL:
        return database_url(self.db)

    @property
    def db_path(self) -> Path | None:
        return sqlite_path(self.url)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(config_path(self.config, self.db_path), required=bool(self.config))

    @cached_property
    def engine(self) -> Engine:
        return open_database(self.url)

    @property
    def warehouse_preferences(self) -> dict[str, list[str]]:
        """Destination → warehouse codes, from `[allocation.preferences]` in the settings."""
        section = self.settings.section("allocation.preferences")
        return {key.upper(): codes for key, codes in section.items()}

    def uow(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)
