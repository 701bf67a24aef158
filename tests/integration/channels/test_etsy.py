"""Etsy Sold Orders + Sold Order Items, read from the sample pair and from edited copies."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from omsctl.channels import detect
from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import (
    Address,
    ChannelOrder,
    OrderLine,
    PaymentStatus,
    RowError,
    SourceRef,
)

SAMPLES = Path(__file__).resolve().parents[3] / "sample_data" / "etsy"
ORDERS = SAMPLES / "EtsySoldOrders.csv"
ITEMS = SAMPLES / "EtsySoldOrderItems.csv"


def read(*paths: Path) -> list[ChannelOrder | RowError]:
    files = []
    for path in paths:
        reader, file = detect(path, path.name)
        assert reader.name == "etsy"
        files.append(file)
    return list(reader.read(files))


def by_number(results: list[ChannelOrder | RowError]) -> dict[str, ChannelOrder]:
    return {r.channel_order_no: r for r in results if isinstance(r, ChannelOrder)}


def errors(results: list[ChannelOrder | RowError]) -> list[RowError]:
    return [r for r in results if isinstance(r, RowError)]


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of a sample file with `old` replaced by `new` (which must occur exactly once)."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if fragment in line)


def test_each_file_of_the_pair_is_detected_with_its_role() -> None:
    assert [(detect(p, p.name)[0].name, detect(p, p.name)[1].role) for p in (ORDERS, ITEMS)] == [
        ("etsy", "orders"),
        ("etsy", "items"),
    ]


def test_the_sample_pair_gives_seven_orders_whichever_file_comes_first() -> None:
    results = read(ITEMS, ORDERS)

    assert errors(results) == []
    assert [
        (o.channel_order_no, o.units, o.total, o.ship_to.country, o.ship_to.postal_code)
        for o in by_number(results).values()
    ] == [
        ("3210987654", 1, Decimal("24.16"), "US", "02134"),
        ("3210987655", 4, Decimal("169.88"), "US", "60622"),
        ("3210987656", 1, Decimal("40.00"), "GB", "SW19 8AX"),
        ("3210987657", 3, Decimal("73.50"), "DE", "10435"),
        ("3210987658", 1, Decimal("57.00"), "CA", "M5V 3A7"),
        ("3210987659", 2, Decimal("111.50"), "CA", "M5V 3A7"),
        ("3210987660", 2, Decimal("41.50"), "CA", "M5V 3A7"),
    ]
    assert read(ORDERS, ITEMS) == results


def test_a_multi_item_order_joins_its_items_with_unit_prices_and_the_coupon_discount() -> None:
    order = by_number(read(ORDERS, ITEMS))["3210987655"]

    assert order == ChannelOrder(
        channel="etsy",
        channel_order_no="3210987655",
        ordered_at=datetime(2024, 3, 2, tzinfo=UTC),
        lines=(
            OrderLine(
                "0012-SET", "Gongfu Tea Set for Two, Gaiwan and Pitcher", 1, Decimal("42.00")
            ),
            OrderLine("POT-YX-350", "Handmade Yixing Clay Teapot, 350 ml", 1, Decimal("89.00")),
            OrderLine(
                "CUP-CEL-02",
                "Celadon Porcelain Tea Cups, Set of 2, 80 ml (Colour: Celadon)",
                2,
                Decimal("14.00"),
            ),
        ),
        ship_to=Address(
            name="Jonathan Reyes",
            street1="1422 N Damen Ave",
            city="Chicago",
            province="IL",
            postal_code="60622",
            country="US",
        ),
        buyer_name="Jonathan Reyes",
        currency="USD",
        subtotal=Decimal("159.00"),
        shipping_total=Decimal("12.00"),
        tax_total=Decimal("14.78"),
        discount_total=Decimal("15.90"),
        total=Decimal("169.88"),
        payment_status=PaymentStatus.PAID,
        paid_at=datetime(2024, 3, 2, tzinfo=UTC),
        source=SourceRef("EtsySoldOrders.csv", 3),
    )
    assert all(type(amount) is Decimal for amount in (order.subtotal, order.total))


def test_a_us_zip_code_keeps_its_leading_zero_and_a_country_name_becomes_its_code() -> None:
    order = by_number(read(ORDERS, ITEMS))["3210987654"]

    assert order.ship_to == Address(
        name="Hannah Weiss",
        street1="88 Beacon St",
        street2="Apt 4",
        city="Boston",
        province="MA",
        postal_code="02134",
        country="US",
    )
    assert order.lines == (
        OrderLine(
            "TEA-LJ-100",
            "West Lake Longjing Green Tea, Pre-Qingming, 100 g tin (Size: 100 g)",
            1,
            Decimal("18.50"),
        ),
    )
    assert (order.subtotal, order.shipping_total, order.tax_total) == (
        Decimal("18.50"),
        Decimal("4.50"),
        Decimal("1.16"),
    )


def test_a_bad_quantity_in_the_items_file_rejects_only_its_order_at_that_item_row(
    tmp_path: Path,
) -> None:
    items = edited(
        tmp_path, ITEMS, "Lena Fischer (lenafischer),3,", "Lena Fischer (lenafischer),3.5,"
    )

    results = read(ORDERS, items)

    [error] = errors(results)
    assert (error.file, error.line, error.column, error.channel_order_no) == (
        "EtsySoldOrderItems.csv",
        line_of(items, "lenafischer),3.5,"),
        "Quantity",
        "3210987657",
    )
    assert len(error.raw) == 33 and "3.5" in error.raw
    assert sorted(by_number(results)) == [
        "3210987654",
        "3210987655",
        "3210987656",
        "3210987658",
        "3210987659",
        "3210987660",
    ]


def test_a_bad_amount_in_the_orders_file_rejects_that_order_at_its_row(tmp_path: Path) -> None:
    orders = edited(tmp_path, ORDERS, ",73.50,Paid,", ",73.50 USD,Paid,")

    [error] = errors(read(orders, ITEMS))

    assert (error.file, error.line, error.column, error.channel_order_no) == (
        "EtsySoldOrders.csv",
        5,
        "Order Total",
        "3210987657",
    )


def test_an_orders_file_without_the_sales_tax_column_is_refused_naming_it(tmp_path: Path) -> None:
    orders = edited(tmp_path, ORDERS, ",Sales Tax,", ",Tax,")

    with pytest.raises(InputProblem, match="Sales Tax"):
        read(orders, ITEMS)


def test_an_items_file_alone_is_refused_saying_how_to_pass_both() -> None:
    with pytest.raises(InputProblem, match="without its Sold Orders file") as raised:
        read(ITEMS)

    assert raised.value.hint and "omsctl import" in raised.value.hint


def test_an_order_without_items_and_items_without_an_order_are_one_reject_each(
    tmp_path: Path,
) -> None:
    # The two item rows of 3210987659 now name an order the orders file does not have.
    text = ITEMS.read_text(encoding="utf-8").replace(",3210987659,", ",3210987699,")
    items = tmp_path / ITEMS.name
    items.write_text(text, encoding="utf-8")

    results = read(ORDERS, items)

    assert [(e.file, e.line, e.channel_order_no, e.reason) for e in errors(results)] == [
        ("EtsySoldOrders.csv", 7, "3210987659", "no items for this order in the items file"),
        (
            "EtsySoldOrderItems.csv",
            3,
            "3210987699",
            "items of an order that is not in the Sold Orders file",
        ),
    ]
    assert len(by_number(results)) == 6


def test_an_item_count_that_disagrees_with_the_items_file_rejects_the_order(
    tmp_path: Path,
) -> None:
    orders = edited(tmp_path, ORDERS, ",Grace,Kim,2,", ",Grace,Kim,3,")

    [error] = errors(read(orders, ITEMS))

    assert (error.channel_order_no, error.column) == ("3210987660", "Number of Items")


def test_overlapping_item_downloads_count_each_transaction_once(tmp_path: Path) -> None:
    again = tmp_path / "EtsySoldOrderItems2024-3.csv"
    again.write_bytes(ITEMS.read_bytes())

    assert read(ORDERS, ITEMS, again) == read(ORDERS, ITEMS)


def test_an_export_saved_as_gbk_is_refused_instead_of_misread(tmp_path: Path) -> None:
    orders = tmp_path / ORDERS.name
    orders.write_bytes(ORDERS.read_text(encoding="utf-8").replace("Hannah", "汉娜").encode("gbk"))

    with pytest.raises(InputProblem, match="not UTF-8"):
        detect(orders, orders.name)
