from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from omsctl.domain.errors import UsageProblem
from omsctl.domain.splitting import address_key, merge_candidates, merge_lines, split_lines

ORDER = (("MUG-WHT-350", 2), ("TEE-BLK-M", 3), ("CANDLE-LAV", 1))


def test_a_split_keeps_the_rest_of_the_order_in_its_order() -> None:
    kept, taken = split_lines(ORDER, {"TEE-BLK-M": 1, "CANDLE-LAV": 1})

    assert kept == (("MUG-WHT-350", 2), ("TEE-BLK-M", 2))
    assert taken == (("TEE-BLK-M", 1), ("CANDLE-LAV", 1))


def test_a_sku_on_two_lines_is_taken_from_its_last_line_first() -> None:
    kept, taken = split_lines(
        (("TEE-BLK-M", 2), ("MUG-WHT-350", 1), ("TEE-BLK-M", 2)), {"TEE-BLK-M": 3}
    )

    assert kept == (("TEE-BLK-M", 1), ("MUG-WHT-350", 1))
    assert taken == (("TEE-BLK-M", 3),)


def test_splitting_off_a_sku_the_order_does_not_have_is_refused() -> None:
    with pytest.raises(UsageProblem, match="cannot split off BAG-CANVAS: it is not in the order"):
        split_lines(ORDER, {"BAG-CANVAS": 1})


def test_splitting_off_more_than_was_ordered_is_refused() -> None:
    with pytest.raises(UsageProblem) as refused:
        split_lines(ORDER, {"TEE-BLK-M": 4})

    assert (
        str(refused.value)
        == "cannot split off 4 of TEE-BLK-M: the order has 3; split off at most 3"
    )


def test_splitting_off_everything_is_refused() -> None:
    with pytest.raises(UsageProblem, match="a split must leave something"):
        split_lines(ORDER, dict(ORDER))


def test_merging_sums_each_sku_in_the_order_first_seen() -> None:
    merged = merge_lines(
        [("TEE-BLK-M", 1), ("MUG-WHT-350", 2)], [("MUG-WHT-350", 1), ("BAG-CANVAS", 1)]
    )

    assert merged == (("TEE-BLK-M", 1), ("MUG-WHT-350", 3), ("BAG-CANVAS", 1))


@given(
    lines=st.lists(
        st.tuples(st.sampled_from(["MUG-WHT-350", "TEE-BLK-M", "CANDLE-LAV"]), st.integers(1, 5)),
        min_size=1,
        max_size=6,
    ),
    data=st.data(),
)
def test_split_then_merge_gives_back_the_original_units(
    lines: list[tuple[str, int]], data: st.DataObject
) -> None:
    totals = Counter[str]()
    for sku, qty in lines:
        totals[sku] += qty
    take = {
        sku: n for sku in totals if (n := data.draw(st.integers(0, totals[sku]), label=sku)) > 0
    }
    assume(take and take != dict(totals))

    kept, taken = split_lines(lines, take)

    assert Counter(dict(merge_lines(kept, taken))) == totals
    assert all(qty > 0 for _, qty in kept + taken)


def test_the_same_address_typed_differently_gives_the_same_key() -> None:
    one = address_key("Anna O'Brien", "12 St.Mary Street,", "Flat 3", "LONDON", "SW1A 1AA", "GB")
    two = address_key("anna obrien", "12  St. Mary Street", "flat 3", "London", "sw1a1aa", "gb")
    three = address_key(
        "ＡＮＮＡ O’BRIEN", "12 St Mary Street", "Flat 3", "London", "SW1A1AA", "GB"
    )

    assert one == two == three


def test_a_different_flat_gives_a_different_key() -> None:
    assert address_key("Anna", "12 Main St", "Flat 3", "Leeds", "LS1", "GB") != address_key(
        "Anna", "12 Main St", "Flat 4", "Leeds", "LS1", "GB"
    )


def test_a_blank_address_has_a_blank_key() -> None:
    assert address_key("", " ", "", ",", "", "") == ""


def test_orders_of_the_same_buyer_to_the_same_address_are_merge_candidates() -> None:
    home = address_key("Li Wei", "88 Wensan Rd", "", "Hangzhou", "310000", "CN")
    office = address_key("Li Wei", "1 Jiangnan Ave", "", "Hangzhou", "310051", "CN")

    groups = merge_candidates(
        [
            (101, "li.wei@example.com", home),
            (102, "li.wei@example.com", office),
            (103, "li.wei@example.com", home),
            (104, "someone@example.com", home),
            (105, "", ""),
            (106, "", ""),
            (107, "li.wei@example.com", home),
        ]
    )

    assert groups == [(101, 103, 107)]
