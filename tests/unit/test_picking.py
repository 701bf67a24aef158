from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.bins import pick_sequence
from omsctl.domain.errors import Conflict
from omsctl.domain.picking import (
    PickItem,
    PickStop,
    ToteShare,
    Unbinned,
    assign_totes,
    build_pick_list,
    pick_path,
)

TITLES = {
    "TEA-LJ-100": ("Longjing green tea 100 g", "6901234567892"),
    "CUP-CEL-02": ("Celadon tea cup (pair)", "4006381333931"),
    "POT-YX-350": ("Yixing clay teapot 350 ml", "4006381333948"),
    "SYRUP-OSM-250": ("Osmanthus syrup 250 ml", "0885909950812"),
}


def item(order_ref: str, tote: int, sku: str, location: str, quantity: int) -> PickItem:
    title, barcode = TITLES[sku]
    return PickItem(
        order_ref, tote, sku, title, barcode, location, pick_sequence(location), quantity
    )


def test_totes_are_numbered_from_one_in_wave_order() -> None:
    assert assign_totes(["#1003", "#1001", "#1007"]) == {"#1003": 1, "#1001": 2, "#1007": 3}


def test_an_order_named_twice_keeps_its_first_tote() -> None:
    assert assign_totes(["#1003", "#1001", "#1003", "#1002"]) == {
        "#1003": 1,
        "#1001": 2,
        "#1002": 3,
    }


def test_the_path_visits_each_bin_once_in_walking_order_with_the_split_into_totes() -> None:
    items = [
        item("#1002", 2, "TEA-LJ-100", "B-03-1", 1),
        item("#1001", 1, "CUP-CEL-02", "A-07-1", 2),
        item("#1001", 1, "TEA-LJ-100", "B-03-1", 2),
        item("#1003", 3, "TEA-LJ-100", "B-03-1", 1),
        item("#1003", 3, "POT-YX-350", "B-09-2", 1),  # aisle B is walked down: bay 9 first
    ]

    path = pick_path(items)

    assert [(s.location, s.sku, s.total) for s in path] == [
        ("A-07-1", "CUP-CEL-02", 2),
        ("B-09-2", "POT-YX-350", 1),
        ("B-03-1", "TEA-LJ-100", 4),
    ]
    assert path[2] == PickStop(
        location="B-03-1",
        pick_sequence=pick_sequence("B-03-1"),
        sku="TEA-LJ-100",
        title="Longjing green tea 100 g",
        product_barcode="6901234567892",
        total=4,
        totes=(ToteShare(1, "#1001", 2), ToteShare(2, "#1002", 1), ToteShare(3, "#1003", 1)),
    )


def test_two_lines_of_one_sku_for_one_order_are_one_tote_share() -> None:
    path = pick_path(
        [item("#1001", 1, "TEA-LJ-100", "A-01-1", 1), item("#1001", 1, "TEA-LJ-100", "A-01-1", 2)]
    )

    assert path[0].totes == (ToteShare(1, "#1001", 3),)


def test_two_skus_in_one_bin_are_two_stops_and_free_form_bins_come_last() -> None:
    path = pick_path(
        [
            item("#1001", 1, "TEA-LJ-100", "RECEIVING", 1),
            item("#1001", 1, "POT-YX-350", "A-01-1", 1),
            item("#1001", 1, "CUP-CEL-02", "A-01-1", 1),
            item("#1002", 2, "CUP-CEL-02", "DOCK", 1),
        ]
    )

    assert [(s.location, s.sku) for s in path] == [
        ("A-01-1", "CUP-CEL-02"),
        ("A-01-1", "POT-YX-350"),
        ("DOCK", "CUP-CEL-02"),
        ("RECEIVING", "TEA-LJ-100"),
    ]


def test_the_pick_list_carries_the_wave_code_totes_stops_and_what_has_no_bin() -> None:
    totes = assign_totes(["#1001", "#1002", "#1003"])
    items = [
        item("#1001", totes["#1001"], "TEA-LJ-100", "B-03-1", 2),
        item("#1002", totes["#1002"], "CUP-CEL-02", "A-07-1", 1),
        item("#1001", totes["#1001"], "CUP-CEL-02", "A-07-1", 1),
    ]
    syrup = Unbinned("SYRUP-OSM-250", "Osmanthus syrup 250 ml", 2, ("#1003",))

    picklist = build_pick_list(42, "HGH", "multi", "2026-11-20 09:30", items, [syrup], totes=totes)

    assert picklist.wave_code == "WAVE-000042"
    assert picklist.totes == (
        ToteShare(1, "#1001", 3),
        ToteShare(2, "#1002", 1),
        ToteShare(3, "#1003", 0),  # all of it unbinned, but it still has its tote
    )
    assert [s.sku for s in picklist.stops] == ["CUP-CEL-02", "TEA-LJ-100"]
    assert picklist.unbinned == (syrup,)
    assert picklist.units == 6


def test_without_a_tote_map_the_totes_come_from_the_items() -> None:
    picklist = build_pick_list(
        7, "HGH", "single", "today", [item("#1009", 1, "TEA-LJ-100", "A-01-1", 1)], []
    )

    assert picklist.totes == (ToteShare(1, "#1009", 1),)


def test_one_tote_for_two_orders_is_refused_because_the_parcels_would_mix() -> None:
    items = [
        item("#1001", 1, "TEA-LJ-100", "A-01-1", 1),
        item("#1002", 1, "CUP-CEL-02", "A-02-1", 1),
    ]

    with pytest.raises(Conflict, match=r"tote 1 is given to both #1001 and #1002"):
        build_pick_list(1, "HGH", "multi", "today", items, [])


items_strategy = st.lists(
    st.builds(
        item,
        order_ref=st.sampled_from(["#1001", "#1002", "#1003"]),
        tote=st.integers(1, 3),
        sku=st.sampled_from(sorted(TITLES)),
        location=st.sampled_from(["A-01-1", "A-02-1", "B-01-1", "B-05-2", "02-03-1", "DOCK"]),
        quantity=st.integers(0, 5),
    ),
    max_size=30,
)


@given(items=items_strategy)
def test_the_path_picks_exactly_what_the_items_ask_for_tote_by_tote(
    items: list[PickItem],
) -> None:
    path = pick_path(items)

    assert sum(s.total for s in path) == sum(i.quantity for i in items)
    for stop in path:
        assert stop.total == sum(share.quantity for share in stop.totes)
        assert [s.tote for s in stop.totes] == sorted(s.tote for s in stop.totes)
    shares: dict[tuple[str, str, int, str], int] = {}
    for stop in path:
        for share in stop.totes:
            shares[stop.location, stop.sku, share.tote, share.order_ref] = share.quantity
    wanted: dict[tuple[str, str, int, str], int] = {}
    for i in items:
        if i.quantity:
            key = (i.location, i.sku, i.tote, i.order_ref)
            wanted[key] = wanted.get(key, 0) + i.quantity
    assert shares == wanted
    stops = [(s.location, s.sku) for s in path]
    assert len(stops) == len(set(stops))
    assert stops == [
        (s.location, s.sku)
        for s in sorted(path, key=lambda s: (s.pick_sequence, s.location, s.sku))
    ]
