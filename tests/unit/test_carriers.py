"""Carrier rules: first match wins, and every rule says why it did or did not match."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omsctl.domain.carriers import Parcel, choose, rules_from_config
from omsctl.domain.errors import ConfigProblem

RULES = rules_from_config(
    [
        {
            "name": "express in China",
            "carrier": "sf",
            "service": "express",
            "countries": ["CN"],
            "express": True,
        },
        {"name": "China", "carrier": "SF", "service": "STANDARD", "countries": ["CN"]},
        {
            "name": "fragile abroad",
            "carrier": "DHL",
            "service": "EXPRESS",
            "traits_any": ["fragile"],
        },
        {
            "name": "light parcels to the US",
            "carrier": "USPS",
            "countries": ["US"],
            "max_weight_kg": 2,
        },
        {"name": "everything else", "carrier": "POST", "service": "STANDARD"},
    ]
)


def parcel(**changes: object) -> Parcel:
    base = {
        "country": "CN",
        "region": "ZJ",
        "weight_kg": Decimal("0.5"),
        "value": Decimal("268.00"),
        "currency": "CNY",
        "service_level": "标准快递",
        "traits": frozenset(),
    }
    return Parcel(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "China"),
        ({"service_level": "顺丰次日达"}, "express in China"),
        ({"country": "DE", "traits": frozenset({"fragile"})}, "fragile abroad"),
        ({"country": "US"}, "light parcels to the US"),
        ({"country": "US", "weight_kg": Decimal("2.5")}, "everything else"),
        ({"country": "CN", "traits": frozenset({"fragile"})}, "China"),
    ],
)
def test_the_first_rule_that_matches_wins(changes, expected):
    chosen, _ = choose(parcel(**changes), RULES)
    assert chosen is not None and chosen.name == expected


def test_every_rule_says_why_it_did_not_match():
    _, verdicts = choose(parcel(country="US", weight_kg=Decimal("2.5")), RULES)
    assert [(v.rule, v.matched, v.misses) for v in verdicts] == [
        (
            "express in China",
            False,
            ("country US not in CN", "'标准快递' is not an express request"),
        ),
        ("China", False, ("country US not in CN",)),
        ("fragile abroad", False, ("no fragile item",)),
        ("light parcels to the US", False, ("weight 2.5 kg over 2 kg",)),
        ("everything else", True, ()),
    ]


def test_codes_are_upper_cased_and_no_match_gives_none():
    rules = rules_from_config([{"carrier": "sf", "countries": ["cn"]}])
    assert (rules[0].carrier, rules[0].countries, rules[0].name) == (
        "SF",
        frozenset({"CN"}),
        "rule 1",
    )
    assert choose(parcel(country="JP"), rules)[0] is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"carrier": "SF", "contries": ["CN"]}, "carriers.rules #1: unknown key 'contries'"),
        ({"countries": ["CN"]}, "carriers.rules #1: `carrier` is required"),
        ({"carrier": "SF", "max_weight_kg": "heavy"}, "max_weight_kg must be a number"),
        ({"carrier": "SF", "express": "yes"}, "express must be true or false"),
    ],
)
def test_a_bad_rule_is_refused_by_its_number_and_key(row, message):
    with pytest.raises(ConfigProblem, match=message):
        rules_from_config([row])
