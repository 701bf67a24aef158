"""Settings: built-in defaults, overlaid by `omsctl.toml`, each value knowing where it came from.

The file sits beside the database unless `--config` or `OMSCTL_CONFIG` names another. An
unknown key or a value of the wrong type is refused with the file and key, so a typo in a
cron machine's config is found at once rather than silently ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omsctl.domain.errors import ConfigProblem
from omsctl.domain.holds import REASONS

CONFIG_NAME = "omsctl.toml"

DEFAULTS: dict[str, Any] = {
    "general": {
        "timezone": "UTC",
    },
    "holds": {
        "sla_hours": {code: reason.sla_hours for code, reason in REASONS.items()},
    },
    "allocation": {
        "preferences": {},
    },
}

#: Tables whose keys the user chooses; each value is a list of strings.
FREE_TABLES = ("allocation.preferences",)

TEMPLATE = """\
# omsctl settings. Every key is optional: a missing key takes the default shown here.
# `omsctl config show` prints the effective settings and where each one came from.

[general]
# The time zone reports and "today"/"yesterday" are counted in (an IANA name).
timezone = "UTC"

[holds.sla_hours]
# How many hours a person has to resolve a hold of each reason before it is overdue.
{sla}

[allocation.preferences]
# Which warehouses ship first to a destination: a country code, or country-region, to an
# ordered list of warehouse codes. A region's list is tried before its country's.
# CN = ["HZ"]
# "US-CA" = ["LA", "NJ"]
"""


def template() -> str:
    sla = "\n".join(f"{code} = {hours}" for code, hours in DEFAULTS["holds"]["sla_hours"].items())
    return TEMPLATE.format(sla=sla)


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    value: Any
    source: str


class Settings:
    """The effective settings, looked up by dotted key (`holds.sla_hours.unpaid`)."""

    def __init__(self, values: Mapping[str, Setting], path: Path) -> None:
        self._values = dict(values)
        self.path = path

    def __getitem__(self, key: str) -> Any:
        return self._values[key].value

    def section(self, prefix: str) -> dict[str, Any]:
        """The settings under `prefix.` as a flat dict keyed by the rest of the key."""
        dot = prefix + "."
        return {k[len(dot) :]: s.value for k, s in self._values.items() if k.startswith(dot)}

    def __iter__(self) -> Iterator[Setting]:
        return iter(self._values.values())


def config_path(explicit: str | None, database: Path | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    return (database.parent if database else Path.cwd()) / CONFIG_NAME


def load_settings(path: Path, *, required: bool = False) -> Settings:
    values = {key: Setting(key, value, "default") for key, value in _flatten(DEFAULTS)}
    if not path.exists():
        if required:
            raise ConfigProblem(f"no config file at {path}", hint="`omsctl config init` writes one")
        return Settings(values, path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigProblem(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigProblem(f"{path}: not valid TOML: {exc}") from exc
    for key, value in _flatten(data):
        free = next((t for t in FREE_TABLES if key.startswith(t + ".")), None)
        if free is not None:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigProblem(f"{path}: {key} must be a list of warehouse codes")
            values[key] = Setting(key, value, str(path))
            continue
        if key not in values:
            raise ConfigProblem(
                f"{path}: unknown setting {key!r}",
                hint="check the spelling; `omsctl config show` lists every setting",
            )
        default = values[key].value
        if type(value) is not type(default) and not (
            isinstance(default, float) and isinstance(value, int)
        ):
            raise ConfigProblem(f"{path}: {key} must be a {type(default).__name__}, not {value!r}")
        values[key] = Setting(key, value, str(path))
    return Settings(values, path)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, full + ".")
        else:
            yield full, value
