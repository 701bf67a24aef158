"""What a label may show: masked phone numbers and handling marks from product traits."""

from __future__ import annotations

import pytest

from omsctl.domain.labels import MARKS, marks_for, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),  # a Chinese mobile, as Chinese waybills print it
        ("010-1234-5678", "010-****-5678"),  # separators stay where they were
        ("030 1234 5678", "030 **** 5678"),
        ("(555) 123-4567", "(55*) ***-4567"),  # always four hidden, whatever the grouping
        ("12345678", "12****78"),  # short numbers keep two and two
    ],
)
def test_the_middle_of_a_phone_number_is_hidden(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["", "110", "123456", "n/a"])
def test_numbers_too_short_to_mask_meaningfully_are_left_as_they_are(phone: str) -> None:
    assert mask_phone(phone) == phone


def test_a_leading_country_code_stays_readable() -> None:
    assert mask_phone("+86 138 0013 8000").startswith("+86 138")
    assert mask_phone("+86 138 0013 8000").endswith("8000")


def test_masking_keeps_the_length_and_every_non_digit() -> None:
    for phone in ("+49 (0) 30 1234-5678", "138 0013 8000", "+1 555 123 4567"):
        masked = mask_phone(phone)
        assert len(masked) == len(phone)
        assert [c for c in masked if not c.isdigit() and c != "*"] == [
            c for c in phone if not c.isdigit()
        ]


@pytest.mark.parametrize("phone", ["+1 555 123 4567", "+7 916 123-45-67", "+49 30 12345678"])
def test_an_international_number_hides_at_least_four_digits(phone: str) -> None:
    assert mask_phone(phone).count("*") >= 4


def test_marks_come_in_a_fixed_order_whatever_the_order_of_the_traits() -> None:
    assert marks_for({"liquid", "fragile"}) == ("FRAGILE", "LIQUID")
    assert marks_for(frozenset({"valuable", "fragile", "liquid"})) == (
        "FRAGILE",
        "LIQUID",
        "VALUABLE",
    )


def test_traits_without_a_mark_print_nothing() -> None:
    assert marks_for(set()) == ()
    assert marks_for({"heavy", "gift"}) == ()


def test_every_mark_is_one_word_in_capitals_so_it_fits_a_box() -> None:
    assert all(mark.isalpha() and mark.isupper() for mark in MARKS.values())
