"""The Amazon reader: order report and Unshipped Orders report, TSV without quoting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from omsctl.channels import detect
from omsctl.channels.amazon import READER, unit_price
from omsctl.channels.base import Head, decode_head, read_head
from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import ChannelOrder, PaymentStatus, RowError

SAMPLES = Path(__file__).resolve().parents[3] / "sample_data"
ORDER_REPORT = SAMPLES / "amazon" / "order-report.txt"
UNSHIPPED = SAMPLES / "amazon" / "unshipped-orders.txt"
TETSUBIN = 'Cast Iron Tetsubin Teapot, 40 oz, 7" Wide, Hobnail Pattern'


def read(path: Path) -> list[ChannelOrder | RowError]:
    reader, input_file = detect(path, path.name)
    assert reader.name == "amazon"
    return list(reader.read([input_file]))


def by_number(results: list[ChannelOrder | RowError]) -> dict[str, ChannelOrder]:
    return {r.channel_order_no: r for r in results if isinstance(r, ChannelOrder)}


def records(path: Path) -> tuple[list[str], list[list[str]]]:
    """A report as header and rows; plain splitting, because Amazon never quotes."""
    header, *rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return header, rows


def write_tsv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding=encoding)
    return path


@pytest.fixture(scope="module")
def report() -> dict[str, ChannelOrder]:
    results = read(ORDER_REPORT)
    assert not [r for r in results if isinstance(r, RowError)]
    return by_number(results)


@pytest.fixture(scope="module")
def unshipped() -> dict[str, ChannelOrder]:
    results = read(UNSHIPPED)
    assert not [r for r in results if isinstance(r, RowError)]
    return by_number(results)


def test_the_order_report_reads_as_six_orders(report: dict[str, ChannelOrder]) -> None:
    assert list(report) == [
        "111-4827365-1029384",
        "112-9938271-5500123",
        "202-5531908-6642817",
        "113-0045512-7781234",
        "026-7788990-1122334",
        "114-5566778-9900112",
    ]
    assert sum(len(o.lines) for o in report.values()) == 9
    assert sum(o.units for o in report.values()) == 15
    assert [o.source.line for o in report.values() if o.source] == [2, 3, 6, 7, 8, 9]


def test_item_price_is_a_row_total_and_becomes_a_unit_price(
    report: dict[str, ChannelOrder],
) -> None:
    lines = report["112-9938271-5500123"].lines
    assert [(line.sku, line.quantity, line.unit_price) for line in lines] == [
        ("POT-TET-1200", 1, Decimal("69.99")),
        ("CUP-CEL-02", 2, Decimal("23.99")),
        ("TEA-DHP-50", 1, Decimal("16.00")),
    ]
    assert report["111-4827365-1029384"].lines[0].unit_price == Decimal("18.50")
    assert [line.unit_price for line in report["114-5566778-9900112"].lines] == [
        Decimal("69.99"),
        Decimal("32.00"),
    ]
    uk = report["202-5531908-6642817"].lines[0]
    assert (uk.quantity, uk.unit_price) == (2, Decimal("7.99"))


@pytest.mark.parametrize(
    ("total", "count", "unit"),
    [
        ("25.98", 2, "12.99"),
        ("10.00", 4, "2.50"),
        ("10.01", 4, "2.5025"),  # exact, but not in cents: keep every digit
        ("1200", 3, "400"),
        ("0.00", 2, "0.00"),
    ],
)
def test_a_unit_price_is_rounded_to_the_input_s_cents_only_when_exact(
    total: str, count: int, unit: str
) -> None:
    result = unit_price(Decimal(total), count)
    assert result == Decimal(unit)
    assert str(result) == unit
    assert result * count == Decimal(total)


def test_an_inexact_unit_price_keeps_full_precision() -> None:
    result = unit_price(Decimal("10.00"), 3)
    assert result != Decimal("3.33")
    assert (result * 3).quantize(Decimal("0.01")) == Decimal("10.00")


def test_a_title_with_an_inch_mark_and_commas_survives_unquoted(
    report: dict[str, ChannelOrder],
) -> None:
    assert report["112-9938271-5500123"].lines[0].title == TETSUBIN


def test_order_money_is_summed_over_the_order_s_rows(report: dict[str, ChannelOrder]) -> None:
    order = report["112-9938271-5500123"]
    assert (order.subtotal, order.shipping_total, order.tax_total, order.currency) == (
        Decimal("133.97"),
        Decimal("7.99"),
        Decimal("11.71"),  # item-tax and shipping-tax of all three rows
        "USD",
    )
    uk = report["202-5531908-6642817"]
    assert (uk.subtotal, uk.shipping_total, uk.tax_total, uk.currency) == (
        Decimal("15.98"),
        Decimal("3.99"),
        Decimal("3.33"),
        "GBP",
    )


def test_purchase_dates_with_offsets_are_moved_to_utc(report: dict[str, ChannelOrder]) -> None:
    assert report["111-4827365-1029384"].ordered_at == datetime(2025, 11, 3, 16, 12, 44, tzinfo=UTC)
    assert report["112-9938271-5500123"].ordered_at == datetime(2025, 11, 5, 3, 47, 2, tzinfo=UTC)
    assert report["202-5531908-6642817"].ordered_at == datetime(2025, 11, 5, 19, 22, 10, tzinfo=UTC)


def test_a_payments_date_means_paid(report: dict[str, ChannelOrder]) -> None:
    paid = report["112-9938271-5500123"]
    assert paid.payment_status is PaymentStatus.PAID
    assert paid.paid_at == datetime(2025, 11, 5, 3, 47, 5, tzinfo=UTC)
    unpaid = report["113-0045512-7781234"]
    assert (unpaid.payment_status, unpaid.paid_at) == (PaymentStatus.PENDING, None)


def test_us_and_uk_addresses_are_read_with_their_countries(
    report: dict[str, ChannelOrder],
) -> None:
    cambridge = report["113-0045512-7781234"].ship_to
    assert (cambridge.street1, cambridge.street2, cambridge.city, cambridge.province) == (
        "77 Massachusetts Ave",
        "Room 4-120",
        "Cambridge",
        "MA",
    )
    assert (cambridge.postal_code, cambridge.country) == ("02139", "US")
    london = report["202-5531908-6642817"].ship_to
    assert (london.name, london.street1, london.street2, london.postal_code, london.country) == (
        "Oliver Bennett",
        "Flat 4",
        "27 Gloucester Road",
        "SW7 4PL",
        "GB",
    )


def test_address_line_three_joins_line_two_and_instructions_become_the_note(
    report: dict[str, ChannelOrder],
) -> None:
    order = report["026-7788990-1122334"]
    assert order.ship_to.street2 == "Mill Lane, Little Hadham"
    assert order.buyer_note == "Leave with neighbour at No. 3 if out"
    assert order.service_level == "Std UK Dom_1"


def test_the_buyer_phone_stands_in_when_the_ship_phone_is_blank(
    report: dict[str, ChannelOrder],
) -> None:
    order = report["112-9938271-5500123"]
    assert (order.ship_to.phone, order.buyer_phone) == ("+1 512-555-0171", "+1 512-555-0171")
    assert report["111-4827365-1029384"].ship_to.phone == "+1 828-555-0134"


def test_the_unshipped_report_yields_what_is_left_to_ship(
    unshipped: dict[str, ChannelOrder],
) -> None:
    # 111-4827365-1029384 has shipped in full and is not an order to import
    assert list(unshipped) == [
        "112-9938271-5500123",
        "114-5566778-9900112",
        "113-0045512-7781234",
        "114-2079951-3348810",
        "111-9081726-3547210",
    ]
    partly = unshipped["112-9938271-5500123"]
    assert [(line.sku, line.quantity) for line in partly.lines] == [
        ("CUP-CEL-02", 2),
        ("TEA-DHP-50", 1),
    ]
    assert [(line.sku, line.quantity) for line in unshipped["114-5566778-9900112"].lines] == [
        ("POT-TET-1200", 2),
        ("TEA-SL-50", 2),  # 3 bought, 1 shipped
    ]
    assert partly.source is not None
    assert partly.source.line == 2


def test_the_unshipped_report_has_no_prices(unshipped: dict[str, ChannelOrder]) -> None:
    for order in unshipped.values():
        assert order.currency == ""
        assert order.subtotal is None
        assert order.total is None
        assert {line.unit_price for line in order.lines} == {Decimal("0")}


def test_the_unshipped_report_keeps_zip_zeros_and_payment_state(
    unshipped: dict[str, ChannelOrder],
) -> None:
    farm = unshipped["111-9081726-3547210"].ship_to
    assert (farm.street1, farm.street2, farm.postal_code) == (
        "Maple Hollow Farm",
        "1187 Old County Rd, PO Box 42",
        "05091",
    )
    assert unshipped["113-0045512-7781234"].payment_status is PaymentStatus.PENDING
    assert unshipped["114-2079951-3348810"].payment_status is PaymentStatus.PAID


def test_a_bad_quantity_rejects_only_its_own_order(tmp_path: Path) -> None:
    header, rows = records(ORDER_REPORT)
    rows[2][header.index("quantity-purchased")] = "-2"  # second item of 112-9938271-5500123
    path = write_tsv(tmp_path / "order-report.txt", header, rows)

    results = read(path)

    errors = [r for r in results if isinstance(r, RowError)]
    assert [(e.file, e.line, e.column, e.channel_order_no) for e in errors] == [
        ("order-report.txt", 4, "quantity-purchased", "112-9938271-5500123")
    ]
    assert errors[0].raw == tuple(rows[2])
    orders = by_number(results)
    assert "112-9938271-5500123" not in orders
    assert len(orders) == 5
    assert results.index(errors[0]) == 1


def test_a_bad_amount_on_a_later_item_rejects_the_whole_order(tmp_path: Path) -> None:
    header, rows = records(ORDER_REPORT)
    rows[8][header.index("item-price")] = "$96.00"  # second item of 114-5566778-9900112
    path = write_tsv(tmp_path / "order-report.txt", header, rows)

    results = read(path)

    errors = [r for r in results if isinstance(r, RowError)]
    assert [(e.line, e.column) for e in errors] == [(10, "item-price")]
    assert "114-5566778-9900112" not in by_number(results)


def test_a_report_missing_a_required_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    header, rows = records(ORDER_REPORT)
    drop = header.index("item-price")
    path = write_tsv(
        tmp_path / "order-report.txt",
        [h for i, h in enumerate(header) if i != drop],
        [[c for i, c in enumerate(row) if i != drop] for row in rows],
    )

    with pytest.raises(InputProblem, match="'item-price'"):
        read(path)


def test_a_cp1252_report_is_read_with_its_encoding(tmp_path: Path) -> None:
    header, rows = records(ORDER_REPORT)
    row = rows[4]  # the UK order 026-7788990-1122334
    row[header.index("recipient-name")] = "Zoë Müller"
    row[header.index("product-name")] = "Yixing Teapot 350ml – £42 gift edition"
    path = write_tsv(tmp_path / "order-report.txt", header, [row], encoding="cp1252")

    reader, input_file = detect(path, path.name)
    (order,) = list(reader.read([input_file]))

    assert input_file.encoding == "cp1252"
    assert isinstance(order, ChannelOrder)
    assert order.ship_to.name == "Zoë Müller"
    assert order.lines[0].title == "Yixing Teapot 350ml – £42 gift edition"


def test_the_amazon_reader_claims_no_other_channel_s_export() -> None:
    for path in (SAMPLES / "shopify" / "orders_export.csv", SAMPLES / "woocommerce" / "orders.csv"):
        head = decode_head(read_head(path, path.name), READER.encodings)
        assert head is not None
        assert READER.match(head) is None, path


#: eBay Seller Hub (abridged), Etsy sold orders and sold order items: detected after this reader.
OTHER_HEADERS = [
    '"Sales Record Number","Order Number","Buyer Username","Buyer Name",Custom Label,'
    '"Quantity","Sold For","Sale Date"',
    "Sale Date,Order ID,Buyer User ID,Full Name,Number of Items,Ship Zipcode,Order Total,SKU",
    "Sale Date,Item Name,Buyer,Quantity,Price,Order ID,Ship Name,Ship Zipcode,SKU",
]


@pytest.mark.parametrize("header", OTHER_HEADERS, ids=["ebay", "etsy-orders", "etsy-items"])
def test_the_amazon_reader_claims_no_ebay_or_etsy_header(header: str) -> None:
    for delimiter in (",", "\t"):
        head = Head(encoding="utf-8", lines=(header.replace(",", delimiter),))
        assert READER.match(head) is None


def test_both_reports_are_detected_as_amazon() -> None:
    for path in (ORDER_REPORT, UNSHIPPED):
        reader, input_file = detect(path, path.name)
        assert reader is READER
        assert (input_file.role, input_file.header_line, input_file.encoding) == (
            "orders",
            1,
            "utf-8-sig",
        )
