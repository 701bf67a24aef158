from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.packing import (
    Expected,
    PackProblem,
    clean_code,
    packing_advice,
    resolve,
    verify,
)

TEA = Expected("TEA-LJ-100", "Longjing green tea 100 g", 2, ("6901234567892",), frozenset())
CUPS = Expected(
    "CUP-CEL-02", "Celadon tea cup (pair)", 2, ("4006381333931",), frozenset({"fragile"})
)
KETTLE = Expected("KETTLE-GS-1L", "Gooseneck kettle 1 l", 1, ("0885909950805",), frozenset())
ORDER = (TEA, CUPS, KETTLE)

#: Every product the merchant has, by SKU and by barcode (as the service builds it).
PRODUCTS = {
    "TEA-LJ-100": "6901234567892",
    "CUP-CEL-02": "4006381333931",
    "KETTLE-GS-1L": "0885909950805",
    "POT-YX-350": "4006381333948",
    "SYRUP-OSM-250": "0885909950812",
    "0012-SET": "0012345678905",
}
CATALOGUE = {**{sku: sku for sku in PRODUCTS}, **{code: sku for sku, code in PRODUCTS.items()}}


# --- reading scans ---------------------------------------------------------------------------


def test_a_scan_is_a_sku_or_a_product_barcode() -> None:
    assert resolve("TEA-LJ-100", ORDER, CATALOGUE) == "TEA-LJ-100"
    assert resolve("4006381333931", ORDER, CATALOGUE) == "CUP-CEL-02"


def test_a_twelve_digit_upc_matches_the_thirteen_digit_ean_with_a_leading_zero() -> None:
    assert resolve("885909950805", ORDER, CATALOGUE) == "KETTLE-GS-1L"
    assert resolve("012345678905", ORDER, CATALOGUE) == "0012-SET"
    assert resolve("00885909950805", ORDER, CATALOGUE) == "KETTLE-GS-1L"  # as GTIN-14


def test_what_the_scanner_adds_around_a_code_is_ignored() -> None:
    assert clean_code(" 6901234567892\r\n") == "6901234567892"
    assert clean_code("]E06901234567892") == "6901234567892"  # AIM prefix for EAN-13
    assert clean_code("\ufeffTEA-LJ-100\t") == "TEA-LJ-100"
    assert resolve("]E06901234567892\r", ORDER, CATALOGUE) == "TEA-LJ-100"


def test_another_products_code_is_recognised_as_that_product() -> None:
    assert resolve("4006381333948", ORDER, CATALOGUE) == "POT-YX-350"


def test_a_sku_typed_with_caps_lock_on_still_matches() -> None:
    assert resolve("tea-lj-100", ORDER, CATALOGUE) == "TEA-LJ-100"
    assert resolve("pot-yx-350", ORDER, CATALOGUE) == "POT-YX-350"


def test_a_barcode_two_products_share_counts_as_the_one_in_the_order() -> None:
    piece = Expected("CUP-CEL-01", "Celadon tea cup", 1, ("4006381333931",), frozenset())

    assert resolve("4006381333931", [piece], CATALOGUE) == "CUP-CEL-01"


def test_a_code_no_product_has_resolves_to_nothing() -> None:
    assert resolve("12345", ORDER, CATALOGUE) is None
    assert resolve("   ", ORDER, CATALOGUE) is None


# --- verifying -------------------------------------------------------------------------------


def test_the_exact_units_of_every_line_pass() -> None:
    scans = ["TEA-LJ-100", "6901234567892", "4006381333931", "CUP-CEL-02", "885909950805"]

    check = verify(ORDER, scans, CATALOGUE)

    assert check.ok
    assert check.problems == ()
    assert check.scanned == {"TEA-LJ-100": 2, "CUP-CEL-02": 2, "KETTLE-GS-1L": 1}


def test_every_mismatch_is_one_line_the_packer_can_act_on() -> None:
    scans = ["TEA-LJ-100"] * 3 + ["4006381333948", "CUP-CEL-02", "12345", "", "12345"]

    check = verify(ORDER, scans, CATALOGUE)

    assert not check.ok
    assert check.lines == (
        "TEA-LJ-100: scanned 3, order needs 2 (one extra)",
        "CUP-CEL-02: missing 1 of 2",
        "KETTLE-GS-1L: missing 1 of 1",
        "POT-YX-350: not in this order (scanned 1)",
        "'12345': no product has this code (scanned 2 times)",
    )
    assert [p.kind for p in check.problems] == [
        "extra_unit",
        "missing_unit",
        "missing_unit",
        "wrong_item",
        "unknown_code",
    ]
    assert check.problems[3] == PackProblem(
        "wrong_item", "POT-YX-350", "4006381333948", 0, 1, check.lines[3]
    )
    assert check.problems[2].code == ""  # nothing was scanned for it


def test_several_extra_units_are_counted() -> None:
    check = verify([KETTLE], ["KETTLE-GS-1L"] * 4, CATALOGUE)

    assert check.lines == ("KETTLE-GS-1L: scanned 4, order needs 1 (3 extra)",)


def test_two_lines_of_one_sku_need_their_units_together() -> None:
    check = verify([TEA, TEA], ["TEA-LJ-100"] * 4, CATALOGUE)

    assert check.ok


def test_nothing_scanned_is_every_unit_missing() -> None:
    check = verify([CUPS], [], CATALOGUE)

    assert check.lines == ("CUP-CEL-02: missing 2 of 2",)
    assert check.scanned == {}


skus = st.sampled_from(sorted(PRODUCTS))


def _code_for(sku: str, style: int) -> str:
    """The same product as a packer may scan it: SKU, EAN, with scanner noise, as UPC, lower."""
    barcode = PRODUCTS[sku]
    upc = barcode[1:] if barcode.startswith("0") else barcode
    return [sku, barcode, f" {barcode}\r\n", upc, sku.lower()][style]


@given(
    lines=st.dictionaries(skus, st.integers(0, 3), max_size=4),
    scanned=st.lists(st.tuples(skus, st.integers(0, 4)), max_size=12),
    unknown=st.lists(st.sampled_from(["12345", "NOPE-1", "999"]), max_size=2),
)
def test_a_parcel_passes_exactly_when_its_units_are_the_orders_units(
    lines: dict[str, int], scanned: list[tuple[str, int]], unknown: list[str]
) -> None:
    expected = [
        Expected(sku, sku.title(), qty, (PRODUCTS[sku],), frozenset()) for sku, qty in lines.items()
    ]
    scans = [_code_for(sku, style) for sku, style in scanned] + unknown

    check = verify(expected, scans, CATALOGUE)

    wanted = Counter({sku: qty for sku, qty in lines.items() if qty})
    got = Counter(sku for sku, _ in scanned)
    assert check.ok == (wanted == got and not unknown)
    assert check.ok == (check.problems == ())
    assert dict(check.scanned) == dict(got)
    assert sum(p.scanned for p in check.problems if p.kind == "unknown_code") == len(unknown)


# --- advice ----------------------------------------------------------------------------------


def test_advice_comes_once_per_trait_naming_the_skus() -> None:
    advice = packing_advice(
        {
            "POT-YX-350": frozenset({"fragile", "valuable"}),
            "SYRUP-OSM-250": frozenset({"liquid", "Fragile"}),
            "TEA-LJ-100": frozenset(),
        }
    )

    assert [line.split(":")[0] for line in advice] == [
        "Fragile (POT-YX-350, SYRUP-OSM-250)",
        "Liquid (SYRUP-OSM-250)",
        "Valuable (POT-YX-350)",
    ]
    assert "bubble wrap" in advice[0] and "corners" in advice[0] and "FRAGILE" in advice[0]
    assert "sealed" in advice[1] and "upright" in advice[1]
    assert "tamper-evident" in advice[2] and "no value" in advice[2]


def test_perishable_goods_are_packed_cold_and_shipped_today() -> None:
    (line,) = packing_advice({"TEA-FRESH-50": frozenset({"perishable"})})

    assert line.startswith("Perishable (TEA-FRESH-50): pack with ice packs")


def test_plain_products_need_no_advice() -> None:
    assert packing_advice({"TEA-LJ-100": frozenset(), "KETTLE-GS-1L": frozenset({"?"})}) == ()
