"""Settings: built-in defaults, overlaid by `omsctl.toml`, each value knowing where it came from.

The file sits beside the database unless `--config` or `OMSCTL_CONFIG` names another. An
unknown key or a value of the wrong type is refused with the file and key, so a typo in a
cron machine's config is found at once rather than silently ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from omsctl.domain.errors import ConfigProblem
from omsctl.domain.holds import REASONS
from omsctl.domain.review_settings import ReviewSettings

CONFIG_NAME = "omsctl.toml"


def _review_defaults() -> dict[str, Any]:
    """`[review]` as the review rules define it, in TOML's types (sets as sorted lists)."""
    defaults = ReviewSettings()
    values: dict[str, Any] = {}
    for f in fields(ReviewSettings):
        value = getattr(defaults, f.name)
        if f.name == "high_value_limits":
            value = {
                currency: int(v) if v == v.to_integral_value() else str(v)
                for currency, v in value.items()
            }
        elif isinstance(value, frozenset):
            value = sorted(value)
        values[f.name] = value
    return values


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
    "review": _review_defaults(),
    "sender": {
        "name": "",
        "company": "",
        "street1": "",
        "street2": "",
        "city": "",
        "province": "",
        "postal_code": "",
        "country": "",
        "phone": "",
    },
    "carriers": {
        "rules": [],
    },
    "waybills": {
        "low_warning": 50,
    },
    "tracking": {
        "overdue_margin_days": 2,
        # Days each carrier (or "CARRIER SERVICE") promises; a user-keyed table.
        "promised_days": {"SF": 3, "DHL": 5, "UPS": 5, "FEDEX": 5, "USPS": 7, "POST": 12},
    },
    "housekeeping": {
        "completion_days": 14,
    },
    "reports": {"ship_cutoff": "14:00"},
}


def _is_codes(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_amount(value: Any) -> bool:
    return isinstance(value, int | float | str) and not isinstance(value, bool)


#: Tables whose keys the user chooses (destinations, currencies), with what each value must be.
FREE_TABLES: dict[str, tuple[str, Any]] = {
    "allocation.preferences": ("a list of warehouse codes", _is_codes),
    "review.high_value_limits": ('an amount such as 1000 or "999.99"', _is_amount),
    "tracking.promised_days": ("a whole number of days", _is_days),
}

TEMPLATE = """\
# omsctl settings. Every key is optional: a missing key takes the default shown here.
# `omsctl config show` prints the effective settings and where each one came from.

[general]
# The time zone reports and "today"/"yesterday" are counted in (an IANA name).
timezone = "UTC"

[holds.sla_hours]
# How many hours a person has to resolve a hold of each reason before it is overdue.
{sla}

[review]
# Each rule can be switched off (false) and some are tuned here. `omsctl review` runs them.
address_incomplete = true   # the address lacks what the destination country needs
phone_invalid = true        # not a valid number for the ship-to country
phone_required = false      # true: no phone at all counts as invalid (couriers call)
unknown_sku = true
out_of_stock = true
unpaid = true
unpaid_timeout_hours = 72   # `omsctl review --expire-unpaid` cancels orders unpaid this long
duplicate_suspect = true
duplicate_window_hours = 24
duplicate_min_orders = 3    # this many orders from one phone or address within the window
high_value = true
buyer_note = true
buyer_note_ignore = ["n/a", "na", "none", "no", "nil", "无", "没有", "なし"]
trusted_emails = []         # these buyers skip high_value and duplicate_suspect
trusted_phones = []

[review.high_value_limits]
# Hold orders whose total is above this, per currency; a currency not listed is not checked.
EUR = 1000
USD = 1000
GBP = 1000
CNY = 8000
JPY = 150000

[sender]
# The return address printed on every label.
name = ""
company = ""
street1 = ""
street2 = ""
city = ""
province = ""
postal_code = ""
country = ""
phone = ""

[waybills]
# `omsctl waybills status` warns when a carrier's pool has fewer numbers left than this.
low_warning = 50

# Carrier and service rules, read top to bottom; the first that matches chooses. Conditions
# (all optional): countries, not_countries, regions, min_weight_kg, max_weight_kg, min_value,
# max_value, express (true/false), service_levels (words), traits_any, traits_none.
# [[carriers.rules]]
# name = "fragile or valuable in China by SF"
# carrier = "SF"
# service = "EXPRESS"
# countries = ["CN"]
# traits_any = ["fragile", "valuable"]
#
# [[carriers.rules]]
# name = "everything else"
# carrier = "POST"
# service = "STANDARD"

[tracking]
# A shipment with no carrier event for its promised days plus this margin is overdue.
overdue_margin_days = 2

[tracking.promised_days]
# Days each carrier promises; "CARRIER SERVICE" (e.g. "SF EXPRESS" = 1) beats "CARRIER".
SF = 3
DHL = 5
UPS = 5
FEDEX = 5
USPS = 7
POST = 12

[housekeeping]
# Delivered orders are completed this many days after delivery (`omsctl housekeeping`).
completion_days = 14

[reports]
# Orders paid before this local time should ship the same day (`omsctl report kpi`'s
# same-day and next-day ship rates); paid later, they are due the next day.
ship_cutoff = "14:00"

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
            what, valid = FREE_TABLES[free]
            if not valid(value):
                raise ConfigProblem(f"{path}: {key} must be {what}, not {value!r}")
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
