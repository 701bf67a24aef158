"""Choosing a carrier and service (物流方案匹配): rules in the settings, first match wins.

Each rule is a set of conditions on the parcel (destination, weight, value, requested service,
product traits) and a result (carrier and service). Rules are read top to bottom, so a merchant
writes special cases first and a catch-all last, the way they think about it. Every rule's
verdict is kept, so `omsctl carriers explain` can say why each one did or did not match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from omsctl.domain.errors import ConfigProblem
from omsctl.domain.waves import is_express


@dataclass(frozen=True, slots=True)
class Parcel:
    """What the rules look at, for one order."""

    country: str
    region: str
    weight_kg: Decimal
    value: Decimal
    currency: str
    service_level: str
    traits: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CarrierRule:
    name: str
    carrier: str
    service: str = ""
    countries: frozenset[str] = frozenset()  # ISO codes; empty = any
    not_countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()  # "CN-ZJ" or "ZJ" style; empty = any
    min_weight_kg: Decimal | None = None
    max_weight_kg: Decimal | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    express: bool | None = None  # None = either; True = only express requests
    service_levels: tuple[str, ...] = ()  # words the requested service level contains
    traits_any: frozenset[str] = frozenset()  # at least one of these traits present
    traits_none: frozenset[str] = frozenset()  # none of these traits present

    def verdict(self, parcel: Parcel) -> tuple[str, ...]:
        """Why the rule does not match this parcel (empty when it matches)."""
        misses: list[str] = []
        country = parcel.country.upper()
        if self.countries and country not in self.countries:
            misses.append(f"country {country or '∅'} not in {', '.join(sorted(self.countries))}")
        if country in self.not_countries:
            misses.append(f"country {country} is excluded")
        if self.regions:
            region = parcel.region.upper()
            if region not in self.regions and f"{country}-{region}" not in self.regions:
                misses.append(f"region {region or '∅'} not in {', '.join(sorted(self.regions))}")
        if self.min_weight_kg is not None and parcel.weight_kg < self.min_weight_kg:
            misses.append(f"weight {parcel.weight_kg} kg under {self.min_weight_kg} kg")
        if self.max_weight_kg is not None and parcel.weight_kg > self.max_weight_kg:
            misses.append(f"weight {parcel.weight_kg} kg over {self.max_weight_kg} kg")
        if self.min_value is not None and parcel.value < self.min_value:
            misses.append(f"value {parcel.value} {parcel.currency} under {self.min_value}")
        if self.max_value is not None and parcel.value > self.max_value:
            misses.append(f"value {parcel.value} {parcel.currency} over {self.max_value}")
        if self.express is not None and is_express(parcel.service_level) != self.express:
            asked = parcel.service_level or "no service level"
            misses.append(f"'{asked}' is {'not ' if self.express else ''}an express request")
        if self.service_levels:
            asked = parcel.service_level.casefold()
            if not any(word.casefold() in asked for word in self.service_levels):
                misses.append(
                    f"service level '{parcel.service_level}' names none of "
                    f"{', '.join(self.service_levels)}"
                )
        if self.traits_any and not (self.traits_any & parcel.traits):
            misses.append(f"no {'/'.join(sorted(self.traits_any))} item")
        if self.traits_none & parcel.traits:
            misses.append(f"has a {'/'.join(sorted(self.traits_none & parcel.traits))} item")
        return tuple(misses)


@dataclass(frozen=True, slots=True)
class Verdict:
    rule: str
    carrier: str
    service: str
    matched: bool
    misses: tuple[str, ...]


def choose(
    parcel: Parcel, rules: Sequence[CarrierRule]
) -> tuple[CarrierRule | None, list[Verdict]]:
    """The first rule that matches (or None), and every rule's verdict up to and after it."""
    verdicts, chosen = [], None
    for rule in rules:
        misses = rule.verdict(parcel)
        verdicts.append(Verdict(rule.name, rule.carrier, rule.service, not misses, misses))
        if not misses and chosen is None:
            chosen = rule
    return chosen, verdicts


_KEYS = {
    "name",
    "carrier",
    "service",
    "countries",
    "not_countries",
    "regions",
    "min_weight_kg",
    "max_weight_kg",
    "min_value",
    "max_value",
    "express",
    "service_levels",
    "traits_any",
    "traits_none",
}


def rules_from_config(rows: Sequence[Mapping[str, Any]]) -> list[CarrierRule]:
    """`[[carriers.rules]]` tables as rules, refusing unknown keys and wrong types by name."""
    rules = []
    for number, row in enumerate(rows, start=1):
        where = f"carriers.rules #{number}"
        if not isinstance(row, Mapping):
            raise ConfigProblem(f"{where} must be a table ([[carriers.rules]])")
        unknown = sorted(set(row) - _KEYS)
        if unknown:
            raise ConfigProblem(
                f"{where}: unknown key {unknown[0]!r}",
                hint=f"known keys: {', '.join(sorted(_KEYS))}",
            )
        carrier = str(row.get("carrier", "")).strip().upper()
        if not carrier:
            raise ConfigProblem(f'{where}: `carrier` is required (e.g. carrier = "SF")')
        rules.append(
            CarrierRule(
                name=str(row.get("name") or f"rule {number}"),
                carrier=carrier,
                service=str(row.get("service", "")).strip().upper(),
                countries=_codes(row, "countries", where),
                not_countries=_codes(row, "not_countries", where),
                regions=_codes(row, "regions", where),
                min_weight_kg=_amount(row, "min_weight_kg", where),
                max_weight_kg=_amount(row, "max_weight_kg", where),
                min_value=_amount(row, "min_value", where),
                max_value=_amount(row, "max_value", where),
                express=_flag(row, "express", where),
                service_levels=tuple(_words(row, "service_levels", where)),
                traits_any=frozenset(w.lower() for w in _words(row, "traits_any", where)),
                traits_none=frozenset(w.lower() for w in _words(row, "traits_none", where)),
            )
        )
    return rules


def _words(row: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = row.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigProblem(f"{where}: {key} must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _codes(row: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    return frozenset(w.upper() for w in _words(row, key, where))


def _amount(row: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    if key not in row:
        return None
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigProblem(f"{where}: {key} must be a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ConfigProblem(f"{where}: {key} must be a number, not {value!r}") from None


def _flag(row: Mapping[str, Any], key: str, where: str) -> bool | None:
    if key not in row:
        return None
    if not isinstance(row[key], bool):
        raise ConfigProblem(f"{where}: {key} must be true or false")
    return bool(row[key])
