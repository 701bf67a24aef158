"""Creating and upgrading the database, and the settings file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from omsctl.domain.errors import ConfigProblem
from omsctl.services.context import Env
from omsctl.settings import Setting, config_path, template
from omsctl.store.db import display_name
from omsctl.store.migrate import upgrade


@dataclass(frozen=True, slots=True)
class InitResult:
    database: str
    created: bool
    from_revision: str | None
    to_revision: str

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def init_database(env: Env) -> InitResult:
    done = upgrade(env.url)
    return InitResult(display_name(env.url), done.created, done.from_revision, done.to_revision)


def effective_settings(env: Env) -> tuple[Path, list[Setting]]:
    settings = env.settings
    return settings.path, list(settings)


def write_config_template(env: Env, *, force: bool = False) -> Path:
    path = config_path(env.config, env.db_path)
    if path.exists() and not force:
        raise ConfigProblem(f"{path} exists already", hint="pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template(), encoding="utf-8")
    return path
