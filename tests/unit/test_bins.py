from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.bins import (
    UNPARSED_SEQUENCE,
    parse_bin,
    pick_key,
    pick_sequence,
    zone_of,
)


def test_a_picker_walks_up_aisle_a_down_aisle_b_and_up_aisle_c() -> None:
    grid = [
        f"{aisle}-{bay:02d}-{level}" for aisle in "CBA" for bay in (3, 1, 2) for level in (2, 1)
    ]

    walk = sorted(grid, key=pick_sequence)

    assert walk == [
        "A-01-1", "A-01-2", "A-02-1", "A-02-2", "A-03-1", "A-03-2",
        "B-03-1", "B-03-2", "B-02-1", "B-02-2", "B-01-1", "B-01-2",
        "C-01-1", "C-01-2", "C-02-1", "C-02-2", "C-03-1", "C-03-2",
    ]  # fmt: skip


def test_the_same_bin_written_differently_has_the_same_sequence() -> None:
    assert pick_sequence("A-03-2") == pick_sequence("A03-2") == pick_sequence(" a-3-2 ")


def test_a_numeric_aisle_walks_like_the_letter_with_the_same_number() -> None:
    assert pick_sequence("02-05-1") == pick_sequence("B-05-1")
    assert pick_sequence("02-05-1") < pick_sequence("02-04-1")  # aisle 2 walks bays down


def test_double_letter_aisles_come_after_z_and_keep_the_serpentine() -> None:
    assert pick_sequence("Z-01-1") < pick_sequence("AA-12-1")
    assert pick_sequence("AA-01-1") < pick_sequence("AA-12-1")  # aisle 27 walks bays up
    assert pick_sequence("AB-12-1") < pick_sequence("AB-01-1")  # aisle 28 walks them down


def test_codes_that_do_not_parse_come_last_ordered_by_their_text() -> None:
    codes = ["RECEIVING", "C-99-9", "DOCK 2", "A-01-1", "B-7-3", "0203-1"]

    assert sorted(codes, key=pick_key) == [
        "A-01-1",
        "B-7-3",
        "C-99-9",
        "0203-1",
        "DOCK 2",
        "RECEIVING",
    ]
    assert parse_bin("RECEIVING") is None
    assert parse_bin("0203-1") is None  # numeric aisles need a separator to be unambiguous
    assert pick_sequence("DOCK 2") == UNPARSED_SEQUENCE


def test_a_bay_beyond_three_digits_is_not_squeezed_into_the_sequence() -> None:
    assert parse_bin("A-1000-1") is None


def test_the_zone_is_the_aisle_label() -> None:
    assert zone_of("a-03-2") == "A"
    assert zone_of("AA-12-1") == "AA"
    assert zone_of("02-05-1") == "02"
    assert zone_of("RECEIVING") == ""


@given(
    aisle=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3),
    bay=st.integers(0, 999),
    level=st.integers(0, 999),
)
def test_every_parsed_bin_is_walked_before_any_unparsed_one(
    aisle: str, bay: int, level: int
) -> None:
    code = f"{aisle}-{bay}-{level}"
    parsed = parse_bin(code)

    assert parsed is not None
    assert (parsed.bay, parsed.level) == (bay, level)
    assert 0 < pick_sequence(code) < UNPARSED_SEQUENCE
