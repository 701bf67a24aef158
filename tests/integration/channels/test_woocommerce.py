"""The WooCommerce (Advanced Order Export) reader: labels old and new, statuses, rejects."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from omsctl.channels import detect
from omsctl.channels.base import Head, decode_head, read_head
from omsctl.channels.woocommerce import READER
from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import ChannelOrder, PaymentStatus, RowError

SAMPLES = Path(__file__).resolve().parents[3] / "sample_data"
SAMPLE = SAMPLES / "woocommerce" / "orders.csv"

#: The labels of an older plugin version, with "populate other columns" off (blank order
#: columns on later product rows) and a currency column switched on.
OLD_HEADER = [
    "Order Id",
    "Order Status",
    "Order Date",
    "Customer Note",
    "First Name (Billing)",
    "Last Name (Billing)",
    "Address 1 (Billing)",
    "Address 2 (Billing)",
    "City (Billing)",
    "State (Billing)",
    "Zip (Billing)",
    "Country Code (Billing)",
    "Email (Billing)",
    "Phone (Billing)",
    "First Name (Shipping)",
    "Last Name (Shipping)",
    "Address 1 (Shipping)",
    "Address 2 (Shipping)",
    "City (Shipping)",
    "State (Shipping)",
    "Zip (Shipping)",
    "Country Code (Shipping)",
    "Item #",
    "SKU",
    "Name",
    "Quantity",
    "Price",
    "Order line total",
    "Coupon Code",
    "Shipping Method Title",
    "Payment Method Title",
    "Order Total Amount",
    "Currency",
]


def old_row(cells: dict[str, str]) -> list[str]:
    assert set(cells) <= set(OLD_HEADER), set(cells) - set(OLD_HEADER)
    return [cells.get(h, "") for h in OLD_HEADER]


def read(path: Path) -> list[ChannelOrder | RowError]:
    reader, input_file = detect(path, path.name)
    assert reader.name == "woocommerce"
    return list(reader.read([input_file]))


def by_number(results: list[ChannelOrder | RowError]) -> dict[str, ChannelOrder]:
    return {r.channel_order_no: r for r in results if isinstance(r, ChannelOrder)}


def sample_records() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample() -> dict[str, ChannelOrder]:
    results = read(SAMPLE)
    assert not [r for r in results if isinstance(r, RowError)]
    return by_number(results)


def test_the_sample_is_an_aoe_export_with_bom_and_crlf_line_ends() -> None:
    raw = SAMPLE.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"Order Number",')
    assert raw.count(b"\r\n") >= 11
    assert b",SKU,Name," in raw.split(b"\r\n", 1)[0]  # fputcsv leaves one-word labels bare


def test_the_sample_export_reads_as_eight_orders(sample: dict[str, ChannelOrder]) -> None:
    assert list(sample) == [str(n) for n in range(4021, 4029)]
    assert sum(len(o.lines) for o in sample.values()) == 10
    assert sum(o.units for o in sample.values()) == 13
    assert {o.channel for o in sample.values()} == {"woocommerce"}
    # this export has no Currency column
    assert {o.currency for o in sample.values()} == {""}


def test_an_order_with_two_products_is_one_order_with_two_lines(
    sample: dict[str, ChannelOrder],
) -> None:
    order = sample["4021"]
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("TEA-LJ-100", 1, Decimal("12.50")),
        ("CUP-CEL-02", 2, Decimal("10.00")),
    ]
    assert (order.subtotal, order.shipping_total, order.tax_total, order.total) == (
        Decimal("32.50"),
        Decimal("3.95"),
        Decimal("7.29"),  # "Order Total Tax Amount": items and shipping
        Decimal("43.74"),
    )
    assert order.source is not None
    assert order.source.line == 2
    assert sample["4022"].source is not None
    assert sample["4022"].source.line == 4


def test_quoted_fields_come_back_as_the_customer_typed_them(
    sample: dict[str, ChannelOrder],
) -> None:
    assert sample["4021"].ship_to.street1 == "Flat 2, 14 Kings Road"
    assert sample["4023"].buyer_note == (
        'Gift for my dad, please write "Happy 60th, Dad!" on the card.'
    )
    assert sample["4027"].buyer_note == "Bonjour,\nmerci de sonner à l'interphone « Dubois »."
    assert sample["4026"].ship_to.name == "Hannah O'Brien"
    assert sample["4022"].ship_to.name == "Lukas Müller"
    assert sample["4022"].ship_to.street1 == "Königstraße 28"


def test_line_numbers_count_the_lines_of_multi_line_notes(sample: dict[str, ChannelOrder]) -> None:
    # 4027's two rows each hold a two-line note (lines 9-12), so 4028 starts on line 13
    assert [o.source.line for o in sample.values() if o.source] == [2, 4, 5, 6, 7, 8, 9, 13]


def test_order_dates_without_a_zone_are_read_as_utc(sample: dict[str, ChannelOrder]) -> None:
    assert sample["4021"].ordered_at == datetime(2025, 11, 4, 14, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "status", "paid", "cancelled"),
    [
        ("4021", PaymentStatus.PAID, True, False),  # Processing
        ("4022", PaymentStatus.PAID, True, False),  # Completed
        ("4023", PaymentStatus.PENDING, False, False),  # On hold
        ("4024", PaymentStatus.PENDING, False, False),  # Pending payment
        ("4025", PaymentStatus.PENDING, False, True),  # Cancelled
        ("4026", PaymentStatus.REFUNDED, True, False),  # Refunded
        ("4027", PaymentStatus.PARTIALLY_REFUNDED, True, False),  # Completed, 10.00 refunded
    ],
)
def test_the_order_status_becomes_payment_and_cancellation(
    sample: dict[str, ChannelOrder],
    number: str,
    status: PaymentStatus,
    paid: bool,
    cancelled: bool,
) -> None:
    order = sample[number]
    assert order.payment_status is status
    assert order.paid_at == (order.ordered_at if paid else None)
    assert order.cancelled_at == (order.ordered_at if cancelled else None)


def test_refund_and_discount_amounts_are_carried_over(sample: dict[str, ChannelOrder]) -> None:
    assert sample["4026"].refunded_total == Decimal("48.00")
    assert sample["4027"].refunded_total == Decimal("10.00")
    assert sample["4027"].discount_total == Decimal("5.50")
    assert sample["4027"].total == Decimal("59.00")


def test_a_postcode_keeps_its_leading_zero(sample: dict[str, ChannelOrder]) -> None:
    lyon_region = sample["4027"].ship_to
    assert (lyon_region.postal_code, lyon_region.country) == ("01000", "FR")
    assert sample["4026"].ship_to.postal_code == "D02 X285"


def test_an_order_without_a_shipping_address_ships_to_the_billing_address(
    sample: dict[str, ChannelOrder],
) -> None:
    gift_card = sample["4028"]
    assert (gift_card.ship_to.name, gift_card.ship_to.street1, gift_card.ship_to.city) == (
        "Oliver Grant",
        "22 Park Lane",
        "Leeds",
    )
    assert gift_card.ship_to.phone == "0113 245 8871"


def test_the_older_plugin_labels_are_read_too(tmp_path: Path) -> None:
    first = {
        "Order Id": "1187",
        "Order Status": "processing",
        "Order Date": "2025-11-12 09:30:15",
        "First Name (Billing)": "Nora",
        "Last Name (Billing)": "Quinn",
        "Address 1 (Billing)": "8 Beacon St",
        "City (Billing)": "Boston",
        "State (Billing)": "MA",
        "Zip (Billing)": "02108",
        "Country Code (Billing)": "US",
        "Email (Billing)": "nora.quinn@example.com",
        "Phone (Billing)": "+1 617-555-0101",
        "First Name (Shipping)": "Nora",
        "Last Name (Shipping)": "Quinn",
        "Address 1 (Shipping)": "41 Elm St",
        "Address 2 (Shipping)": "Unit 2",
        "City (Shipping)": "Somerville",
        "State (Shipping)": "MA",
        "Zip (Shipping)": "02143",
        "Country Code (Shipping)": "US",
        "Shipping Method Title": "USPS Priority Mail",
        "Order Total Amount": "61.90",
        "Currency": "usd",
    }

    def item(number: str, sku: str, name: str, quantity: str, price: str) -> dict[str, str]:
        return {"Item #": number, "SKU": sku, "Name": name, "Quantity": quantity, "Price": price}

    rows = [
        old_row(first | item("1", "TEA-LJ-100", "Longjing 100g", "2", "18.50")),
        # a later product row without the order columns, then a row for a second coupon only
        old_row(item("2", "0012-SET", "Gongfu Tea Set", "1", "24.90")),
        old_row({"Coupon Code": "autumn10"}),
    ]
    path = write_csv(tmp_path / "orders-old.csv", OLD_HEADER, rows)

    (order,) = read(path)

    assert isinstance(order, ChannelOrder)
    assert order.channel_order_no == "1187"
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("TEA-LJ-100", 2, Decimal("18.50")),
        ("0012-SET", 1, Decimal("24.90")),
    ]
    assert order.ordered_at == datetime(2025, 11, 12, 9, 30, 15, tzinfo=UTC)
    assert (order.ship_to.street1, order.ship_to.street2, order.ship_to.postal_code) == (
        "41 Elm St",
        "Unit 2",
        "02143",
    )
    assert (order.currency, order.service_level, order.total) == (
        "USD",
        "USPS Priority Mail",
        Decimal("61.90"),
    )
    assert order.payment_status is PaymentStatus.PAID


def test_a_bad_quantity_rejects_only_its_own_order(tmp_path: Path) -> None:
    header, rows = sample_records()
    rows[1][header.index("Quantity")] = "2.5"  # 4021's second product, line 3
    path = write_csv(tmp_path / "orders.csv", header, rows)

    results = read(path)

    errors = [r for r in results if isinstance(r, RowError)]
    assert [(e.file, e.line, e.column, e.channel_order_no) for e in errors] == [
        ("orders.csv", 3, "Quantity", "4021")
    ]
    assert errors[0].raw[header.index("Quantity")] == "2.5"
    assert len(errors[0].raw) == len(header)
    orders = by_number(results)
    assert list(orders) == [str(n) for n in range(4022, 4029)]


def test_an_unknown_order_status_rejects_the_order(tmp_path: Path) -> None:
    header, rows = sample_records()
    rows[2][header.index("Order Status")] = "Shipped to moon"
    path = write_csv(tmp_path / "orders.csv", header, rows)

    errors = [r for r in read(path) if isinstance(r, RowError)]

    assert [(e.line, e.column, e.channel_order_no) for e in errors] == [(4, "Order Status", "4022")]
    assert "on-hold" in errors[0].reason


def test_a_file_without_a_unit_price_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    header, rows = sample_records()
    drop = header.index("Item Cost")
    path = write_csv(
        tmp_path / "orders.csv",
        [h for i, h in enumerate(header) if i != drop],
        [[c for i, c in enumerate(row) if i != drop] for row in rows],
    )

    with pytest.raises(InputProblem, match=r"'Item Cost' \(or 'Price'\)"):
        read(path)


def test_the_woocommerce_reader_claims_no_other_channel_s_export() -> None:
    for path in (
        SAMPLES / "shopify" / "orders_export.csv",
        SAMPLES / "amazon" / "order-report.txt",
        SAMPLES / "amazon" / "unshipped-orders.txt",
    ):
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
def test_the_woocommerce_reader_claims_no_ebay_or_etsy_header(header: str) -> None:
    for delimiter in (",", "\t"):
        head = Head(encoding="utf-8", lines=(header.replace(",", delimiter),))
        assert READER.match(head) is None


def test_the_sample_is_detected_as_woocommerce() -> None:
    reader, input_file = detect(SAMPLE, "orders.csv")

    assert reader is READER
    assert (input_file.role, input_file.header_line) == ("orders", 1)
