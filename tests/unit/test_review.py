from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import pytest

from omsctl.domain.errors import ConfigProblem
from omsctl.domain.holds import REASONS
from omsctl.domain.payments import expired_unpaid, payment_confirmed
from omsctl.domain.review import (
    Finding,
    OrderFacts,
    ReviewSettings,
    address_fingerprint,
    review,
)


class FakeAddress:
    """An AddressCheck that answers what the test says and remembers what it was asked."""

    def __init__(self, missing: tuple[str, ...] = (), invalid: tuple[str, ...] = ()) -> None:
        self._missing, self._invalid = missing, invalid
        self.asked: list[tuple[str, dict[str, str]]] = []

    def missing(self, country: str, fields: Mapping[str, str]) -> tuple[str, ...]:
        self.asked.append((country, dict(fields)))
        return self._missing

    def invalid(self, country: str, fields: Mapping[str, str]) -> tuple[str, ...]:
        return self._invalid


class FakePhone:
    """A PhoneCheck that knows a few numbers and counts how often it is asked."""

    KNOWN: ClassVar[dict[tuple[str, str], str]] = {
        ("138 0013 8000", "CN"): "+8613800138000",
        ("+86 138 0013 8000", "CN"): "+8613800138000",
        ("030 901820", "DE"): "+4930901820",
        ("+351 21 342 0000", "PT"): "+351213420000",
    }

    def __init__(self) -> None:
        self.calls = 0

    def normalise(self, raw: str, country: str) -> str | None:
        self.calls += 1
        return self.KNOWN.get((raw, country))


def clean_order(**changes: object) -> OrderFacts:
    """A paid tea order to Hangzhou that passes every rule."""
    facts = OrderFacts(
        order_id=41,
        channel_order_no="TB-3920117745",
        currency="CNY",
        total=Decimal("268.00"),
        payment_status="paid",
        buyer_email="li.wei@example.cn",
        phone="138 0013 8000",
        name="李伟",
        street1="文三路90号",
        district="西湖区",
        city="杭州市",
        province="浙江省",
        postal_code="310013",
        country="CN",
        lines=(("TEA-LJ-100", 2), ("TEA-BLR-50", 1)),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def run(
    facts: OrderFacts,
    settings: ReviewSettings | None = None,
    address: FakeAddress | None = None,
) -> list[Finding]:
    return review(facts, settings or ReviewSettings(), address or FakeAddress(), FakePhone())


def about(reason: str, findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.reason == reason]


def reasons(findings: list[Finding]) -> list[str]:
    return [f.reason for f in findings]


def everything_wrong() -> tuple[OrderFacts, FakeAddress]:
    """An order that trips every rule at once."""
    facts = clean_order(
        phone="12345",
        payment_status="pending",
        total=Decimal("9800.00"),
        buyer_note="请用礼盒包装",
        unknown_skus=frozenset({"TEA-XX-1"}),
        short_skus={"TEA-LJ-100": (2, 0)},
        recent_same_address=4,
    )
    return facts, FakeAddress(missing=("postal_code",))


def test_a_paid_complete_order_has_no_findings() -> None:
    assert run(clean_order()) == []


def test_every_finding_is_a_hold_code_of_the_catalogue_in_catalogue_order() -> None:
    facts, address = everything_wrong()

    found = run(facts, address=address)

    assert reasons(found) == [
        "address_incomplete",
        "phone_invalid",
        "unknown_sku",
        "out_of_stock",
        "unpaid",
        "duplicate_suspect",
        "high_value",
        "buyer_note",
    ]
    assert all(f.reason in REASONS for f in found)


@pytest.mark.parametrize(
    "switch",
    [
        "address_incomplete",
        "phone_invalid",
        "unknown_sku",
        "out_of_stock",
        "unpaid",
        "duplicate_suspect",
        "high_value",
        "buyer_note",
    ],
)
def test_a_disabled_rule_finds_nothing_and_the_others_still_run(switch: str) -> None:
    facts, address = everything_wrong()

    found = run(facts, ReviewSettings.from_config({switch: False}), address)

    assert switch not in reasons(found)
    assert len(found) == 7


def test_with_every_rule_disabled_nothing_is_held_and_no_checker_is_asked() -> None:
    facts, address = everything_wrong()
    off = dict.fromkeys(
        [
            "address_incomplete",
            "phone_invalid",
            "unknown_sku",
            "out_of_stock",
            "unpaid",
            "duplicate_suspect",
            "high_value",
            "buyer_note",
        ],
        False,
    )

    assert run(facts, ReviewSettings.from_config(off), address) == []
    assert address.asked == []


# address_incomplete


def test_missing_address_fields_are_named_with_the_country_that_requires_them() -> None:
    found = run(clean_order(), address=FakeAddress(missing=("province", "postal_code")))

    assert found == [
        Finding("address_incomplete", "address lacks province/state and postal code required in CN")
    ]


def test_the_address_checker_is_asked_with_our_field_names_and_the_country_code() -> None:
    address = FakeAddress()

    run(clean_order(country=" cn "), address=address)

    country, fields = address.asked[0]
    assert country == "CN"
    assert fields["street1"] == "文三路90号"
    assert fields["district"] == "西湖区"
    assert fields["province"] == "浙江省"
    assert fields["postal_code"] == "310013"


def test_a_postal_code_of_the_wrong_shape_is_quoted_with_the_country() -> None:
    facts = clean_order(country="DE", postal_code="1011", city="Berlin")

    found = run(facts, address=FakeAddress(invalid=("postal_code",)))

    assert about("address_incomplete", found) == [
        Finding("address_incomplete", "postal code '1011' looks wrong for DE")
    ]


def test_missing_and_wrong_fields_are_reported_in_one_finding() -> None:
    facts = clean_order(country="US", province="Calif", postal_code="")

    found = run(facts, address=FakeAddress(missing=("postal_code",), invalid=("province",)))

    assert about("address_incomplete", found) == [
        Finding(
            "address_incomplete",
            "address lacks postal code required in US; "
            "province/state 'Calif' is not one known in US",
        )
    ]


def test_an_unknown_country_code_is_named_rather_than_every_field() -> None:
    found = run(clean_order(country="UK"), address=FakeAddress(invalid=("country",)))

    assert about("address_incomplete", found) == [
        Finding("address_incomplete", "country 'UK' is not a known country code")
    ]


def test_an_address_without_a_country_says_so() -> None:
    found = run(clean_order(country=""), address=FakeAddress(missing=("country",)))

    assert about("address_incomplete", found) == [
        Finding("address_incomplete", "address has no country")
    ]


# phone_invalid


def test_a_phone_that_is_not_a_number_of_the_ship_to_country_is_quoted() -> None:
    found = run(clean_order(phone="12345", country="DE"))

    assert found == [Finding("phone_invalid", "phone '12345' is not a valid number for DE")]


def test_an_order_without_a_phone_is_held_while_a_phone_is_required() -> None:
    assert run(clean_order(phone="  "), ReviewSettings(phone_required=True)) == [
        Finding("phone_invalid", "no phone number; couriers to CN need one")
    ]


def test_an_order_without_a_phone_passes_by_default_as_etsy_and_ebay_send_none() -> None:
    assert run(clean_order(phone="")) == []


def test_a_phone_masked_by_the_channel_is_not_judged() -> None:
    assert run(clean_order(phone="138****8000")) == []


def test_a_line_without_a_sku_is_named_as_such() -> None:
    facts = clean_order(unknown_skus=frozenset({""}), lines=(("", 1),))
    assert run(facts) == [
        Finding("unknown_sku", "a line has no SKU; map the listing to a product SKU")
    ]


def test_a_typed_but_invalid_phone_is_held_even_when_a_phone_is_not_required() -> None:
    found = run(clean_order(phone="12345"), ReviewSettings(phone_required=False))

    assert reasons(found) == ["phone_invalid"]


def test_the_phone_is_normalised_once_per_review() -> None:
    phone = FakePhone()

    review(clean_order(recent_same_phone=5), ReviewSettings(), FakeAddress(), phone)

    assert phone.calls == 1


# unknown_sku and out_of_stock


def test_unknown_skus_are_listed_in_the_order_of_the_lines() -> None:
    facts = clean_order(
        lines=(("TEA-XX-1", 1), ("TEA-LJ-100", 2), ("MUG-9", 1)),
        unknown_skus=frozenset({"MUG-9", "TEA-XX-1"}),
    )

    assert run(facts) == [
        Finding(
            "unknown_sku",
            "TEA-XX-1 and MUG-9 are not in the product master; "
            "import the product or correct the line's SKU",
        )
    ]


def test_a_short_sku_says_how_many_are_needed_and_how_many_are_available() -> None:
    facts = clean_order(short_skus={"TEA-BLR-50": (1, 0), "TEA-LJ-100": (3, 1)})

    assert run(facts) == [
        Finding("out_of_stock", "TEA-LJ-100 needs 3, 1 available; TEA-BLR-50 needs 1, 0 available")
    ]


# unpaid and the payment timeout


def test_a_pending_payment_holds_the_order_until_the_channel_confirms_it() -> None:
    assert run(clean_order(payment_status="pending")) == [
        Finding(
            "unpaid",
            "payment not confirmed (status pending); release once the channel shows it paid",
        )
    ]


def test_a_refunded_order_is_held_as_unpaid_and_says_to_cancel() -> None:
    assert run(clean_order(payment_status="refunded")) == [
        Finding("unpaid", "payment was refunded on the channel; cancel the order")
    ]


@pytest.mark.parametrize("status", ["paid", "partially_refunded"])
def test_a_paid_or_partly_refunded_order_counts_as_paid(status: str) -> None:
    assert payment_confirmed(status)
    assert run(clean_order(payment_status=status)) == []


ORDERED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def test_a_pending_order_older_than_the_timeout_has_expired() -> None:
    now = ORDERED + timedelta(hours=72, seconds=1)

    assert expired_unpaid(ORDERED, "pending", now, 72)


def test_a_pending_order_exactly_at_the_timeout_has_not_expired_yet() -> None:
    assert not expired_unpaid(ORDERED, "pending", ORDERED + timedelta(hours=72), 72)


@pytest.mark.parametrize("status", ["paid", "partially_refunded", "refunded"])
def test_only_pending_orders_expire(status: str) -> None:
    assert not expired_unpaid(ORDERED, status, ORDERED + timedelta(days=30), 72)


def test_the_payment_timeout_refuses_a_naive_time_rather_than_guess_its_zone() -> None:
    with pytest.raises(ValueError, match="aware datetimes"):
        expired_unpaid(ORDERED.replace(tzinfo=None), "pending", ORDERED, 72)


# duplicate_suspect


def test_the_nth_order_from_one_phone_within_the_window_is_suspect() -> None:
    assert run(clean_order(recent_same_phone=3)) == [
        Finding("duplicate_suspect", "3 orders from +8613800138000 within 24 h")
    ]


def test_fewer_orders_than_the_threshold_are_not_suspect() -> None:
    assert run(clean_order(recent_same_phone=2, recent_same_address=2)) == []


def test_many_orders_to_one_address_are_suspect_and_name_the_address() -> None:
    facts = clean_order(
        country="PT",
        phone="+351 21 342 0000",
        street1="Rua Augusta 10",
        city="Lisboa",
        recent_same_address=5,
    )

    found = run(facts, ReviewSettings(duplicate_window_hours=48, duplicate_min_orders=5))

    assert found == [Finding("duplicate_suspect", "5 orders to Rua Augusta 10, Lisboa within 48 h")]


def test_a_count_for_an_invalid_phone_is_not_reported_as_a_duplicate() -> None:
    found = run(clean_order(phone="12345", recent_same_phone=9))

    assert reasons(found) == ["phone_invalid"]


def test_addresses_typed_differently_have_the_same_fingerprint() -> None:
    a = address_fingerprint("Rua Augusta 10", "", "Lisboa", "1100-053", "PT")
    b = address_fingerprint("rua augusta, 10", "", "LISBOA ", "1100-053", "pt")

    assert a == b != ""
    assert a != address_fingerprint("Rua Augusta 12", "", "Lisboa", "1100-053", "PT")


def test_an_address_without_a_street_has_no_fingerprint() -> None:
    assert address_fingerprint(" ", "", "Lisboa", "1100-053", "PT") == ""


# high_value


def test_a_total_above_the_currency_limit_quotes_both_amounts() -> None:
    facts = clean_order(currency="EUR", total=Decimal("1250.00"))

    assert run(facts) == [Finding("high_value", "total 1,250.00 EUR above the 1,000 limit")]


def test_a_total_equal_to_the_limit_is_not_above_it() -> None:
    assert run(clean_order(currency="EUR", total=Decimal("1000.00"))) == []


def test_each_currency_has_its_own_limit() -> None:
    settings = ReviewSettings(
        high_value_limits={"jpy": Decimal("200000"), "EUR": Decimal("999.50")}
    )

    assert run(clean_order(currency="JPY", total=Decimal("150000")), settings) == []
    assert run(clean_order(currency="EUR", total=Decimal("999.51")), settings) == [
        Finding("high_value", "total 999.51 EUR above the 999.50 limit")
    ]


def test_a_currency_without_a_limit_is_not_checked_for_value() -> None:
    assert run(clean_order(currency="CHF", total=Decimal("1000000"))) == []


# buyer_note


def test_a_buyer_note_is_quoted_for_the_person_who_must_read_it() -> None:
    found = run(clean_order(buyer_note="请用礼盒包装，\n周六送货"))

    assert found == [Finding("buyer_note", "buyer wrote: '请用礼盒包装， 周六送货'")]


@pytest.mark.parametrize("note", ["", "  ", "-", "...", "N/A", "n/a.", "无"])
def test_a_note_that_says_nothing_is_not_held(note: str) -> None:
    assert run(clean_order(buyer_note=note)) == []


def test_a_long_buyer_note_is_shortened_in_the_detail() -> None:
    (finding,) = run(clean_order(buyer_note="please " * 40))

    assert finding.detail.endswith("…'")
    assert len(finding.detail) < 140


# trusted buyers


def test_a_trusted_email_skips_high_value_and_duplicate_suspect_only() -> None:
    facts = clean_order(
        buyer_email="  Li.Wei@Example.CN",
        total=Decimal("50000"),
        recent_same_phone=12,
        buyer_note="月结",
    )
    settings = ReviewSettings(trusted_emails=frozenset({"li.wei@example.cn"}))

    assert reasons(run(facts, settings)) == ["buyer_note"]
    assert reasons(run(facts)) == ["duplicate_suspect", "high_value", "buyer_note"]


def test_a_trusted_phone_matches_however_it_was_typed_in_the_config() -> None:
    facts = clean_order(total=Decimal("50000"), recent_same_phone=12)
    settings = ReviewSettings(trusted_phones=frozenset({"+86 138-0013-8000"}))

    assert run(facts, settings) == []


def test_a_trusted_buyer_is_still_held_for_an_incomplete_address() -> None:
    settings = ReviewSettings(trusted_emails=frozenset({"li.wei@example.cn"}))

    found = run(clean_order(), settings, FakeAddress(missing=("street1",)))

    assert found == [Finding("address_incomplete", "address lacks street required in CN")]


# settings


def test_settings_come_from_the_review_table_of_the_config_file() -> None:
    settings = ReviewSettings.from_config(
        {
            "buyer_note": False,
            "duplicate_min_orders": 4,
            "high_value_limits": {"EUR": 2500, "USD": 0.1},
            "high_value_limits.GBP": "2000.00",
            "trusted_emails": ["Ops@Teahouse.example"],
        }
    )

    assert settings.buyer_note is False
    assert settings.duplicate_min_orders == 4
    assert dict(settings.high_value_limits) == {
        "EUR": Decimal("2500"),
        "USD": Decimal("0.1"),
        "GBP": Decimal("2000.00"),
        "CNY": Decimal("8000"),
        "JPY": Decimal("150000"),
    }
    assert settings.trusted_emails == frozenset({"ops@teahouse.example"})
    assert settings.unpaid is True


def test_an_unknown_review_setting_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigProblem, match=r"unknown setting 'review\.high_valu'"):
        ReviewSettings.from_config({"high_valu": False})


def test_a_review_setting_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigProblem, match=r"review\.unpaid must be true or false, not 'no'"):
        ReviewSettings.from_config({"unpaid": "no"})
    with pytest.raises(ConfigProblem, match=r"review\.high_value_limits\.EUR must be an amount"):
        ReviewSettings.from_config({"high_value_limits": {"EUR": "lots"}})


def test_a_duplicate_threshold_of_one_is_refused_since_every_order_would_match() -> None:
    with pytest.raises(ConfigProblem, match="duplicate_min_orders must be 2 or more"):
        ReviewSettings(duplicate_min_orders=1)
