"""The Shopify reader against a real-shaped export: grouping, normalisation, rejects, detection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from omsctl.channels import detect
from omsctl.channels.base import Head, decode_head, read_head
from omsctl.channels.shopify import READER
from omsctl.domain.errors import InputProblem
from omsctl.domain.orders import ChannelOrder, PaymentStatus, RowError

SAMPLES = Path(__file__).resolve().parents[3] / "sample_data"
SAMPLE = SAMPLES / "shopify" / "orders_export.csv"


def read(path: Path) -> list[ChannelOrder | RowError]:
    reader, input_file = detect(path, path.name)
    assert reader.name == "shopify"
    return list(reader.read([input_file]))


def by_number(results: list[ChannelOrder | RowError]) -> dict[str, ChannelOrder]:
    return {r.channel_order_no: r for r in results if isinstance(r, ChannelOrder)}


def sample_records() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def with_cell(number: str, nth: int, column: str, value: str, tmp_path: Path) -> Path:
    """The sample with one cell of the nth row (0-based) of order `number` replaced."""
    header, rows = sample_records()
    index = header.index(column)
    order_rows = [row for row in rows if row[0] == number]
    order_rows[nth][index] = value
    return write_csv(tmp_path / "orders_export.csv", header, rows)


@pytest.fixture(scope="module")
def sample() -> dict[str, ChannelOrder]:
    results = read(SAMPLE)
    assert not [r for r in results if isinstance(r, RowError)]
    return by_number(results)


def test_the_sample_export_reads_as_ten_orders_in_file_order(
    sample: dict[str, ChannelOrder],
) -> None:
    assert list(sample) == [f"#{n}" for n in range(1001, 1011)]
    assert sum(len(o.lines) for o in sample.values()) == 16
    assert sum(o.units for o in sample.values()) == 26
    assert {o.channel for o in sample.values()} == {"shopify"}
    assert {o.currency for o in sample.values()} == {"USD"}


def test_every_line_keeps_its_sku_as_text_and_its_unit_price(
    sample: dict[str, ChannelOrder],
) -> None:
    lines = [(line.sku, line.quantity, line.unit_price) for line in sample["#1002"].lines]
    assert lines == [
        ("TEA-LJ-100", 1, Decimal("18.50")),
        ("CUP-CEL-02", 2, Decimal("24.00")),
        ("0012-SET", 1, Decimal("89.00")),
    ]
    assert sample["#1002"].lines[2].title == "Gongfu Tea Set, 12 Pieces"


def test_later_rows_of_an_order_add_lines_and_take_order_fields_from_the_first_row(
    sample: dict[str, ChannelOrder],
) -> None:
    order = sample["#1002"]
    assert order.source is not None
    assert (order.source.file, order.source.line) == ("orders_export.csv", 3)
    assert order.buyer_name == "Samuel Okafor"
    assert order.buyer_email == "sam.okafor@example.com"
    assert order.ship_to.name == "Margaret Okafor"
    assert order.ship_to.street1 == "2218 N Halsted St"
    assert order.ship_to.phone == "(312) 555-0187"
    assert order.service_level == "Free Shipping (5-8 days)"
    assert order.subtotal == Decimal("155.50")
    assert order.discount_total == Decimal("15.55")
    assert order.shipping_total == Decimal("0.00")
    assert order.total == Decimal("139.95")
    # the order after it starts right after its last row (line 7)
    assert sample["#1003"].source is not None
    assert sample["#1003"].source.line == 8


def test_a_multi_line_note_is_kept_intact(sample: dict[str, ChannelOrder]) -> None:
    assert sample["#1002"].buyer_note == (
        "Please leave the parcel at the side door.\nRing twice, the bell is quiet."
    )


def test_times_are_moved_from_the_shop_offset_to_utc(sample: dict[str, ChannelOrder]) -> None:
    assert sample["#1001"].ordered_at == datetime(2025, 11, 3, 14, 15, 42, tzinfo=UTC)
    assert sample["#1001"].paid_at == datetime(2025, 11, 3, 14, 15, 44, tzinfo=UTC)
    # 20:41 at -0500 is already the next day in UTC
    assert sample["#1002"].ordered_at == datetime(2025, 11, 6, 1, 41, 7, tzinfo=UTC)
    assert sample["#1009"].ordered_at == datetime(2025, 11, 23, 4, 59, 59, tzinfo=UTC)
    assert all(o.ordered_at.utcoffset() is not None for o in sample.values())


@pytest.mark.parametrize(
    ("number", "status", "paid"),
    [
        ("#1001", PaymentStatus.PAID, True),
        ("#1003", PaymentStatus.REFUNDED, True),
        ("#1004", PaymentStatus.PENDING, False),  # voided
        ("#1005", PaymentStatus.PENDING, False),  # pending (cash on delivery)
        ("#1006", PaymentStatus.PARTIALLY_REFUNDED, True),
        ("#1010", PaymentStatus.PENDING, False),  # authorized, not captured
    ],
)
def test_the_financial_status_becomes_the_payment_status(
    sample: dict[str, ChannelOrder], number: str, status: PaymentStatus, paid: bool
) -> None:
    assert sample[number].payment_status is status
    assert (sample[number].paid_at is not None) is paid


def test_refunds_and_cancellations_are_carried_over(sample: dict[str, ChannelOrder]) -> None:
    assert sample["#1003"].refunded_total == Decimal("52.45")
    assert sample["#1006"].refunded_total == Decimal("28.00")
    assert sample["#1001"].refunded_total == 0
    assert sample["#1004"].cancelled_at == datetime(2025, 11, 10, 14, 0, 12, tzinfo=UTC)
    assert sample["#1001"].cancelled_at is None


def test_an_apostrophe_protected_zip_keeps_its_leading_zero(
    sample: dict[str, ChannelOrder],
) -> None:
    assert sample["#1001"].ship_to.postal_code == "02114"
    assert sample["#1005"].ship_to.postal_code == "08817"
    assert sample["#1006"].ship_to.postal_code == "150-0001"


def test_a_dash_zip_means_the_address_has_no_postal_code(sample: dict[str, ChannelOrder]) -> None:
    hong_kong = sample["#1009"].ship_to
    assert (hong_kong.postal_code, hong_kong.country, hong_kong.province) == ("", "HK", "KL")


def test_non_latin_addresses_are_kept_as_written(sample: dict[str, ChannelOrder]) -> None:
    tokyo = sample["#1006"].ship_to
    assert (tokyo.name, tokyo.street1, tokyo.street2, tokyo.city, tokyo.country) == (
        "山田 花子",
        "神宮前1-2-3",
        "青山ハイツ301",
        "渋谷区",
        "JP",
    )
    berlin = sample["#1007"].ship_to
    assert (berlin.name, berlin.company, berlin.street1, berlin.country) == (
        "Jürgen Weiß",
        "Teehaus Grün GmbH",
        "Schönhauser Allee 112",
        "DE",
    )


def test_a_draft_order_without_a_shipping_address_ships_to_the_billing_address(
    sample: dict[str, ChannelOrder],
) -> None:
    order = sample["#1008"]
    assert order.ship_to.name == "Thomas Reilly"
    assert order.ship_to.street1 == "12 Harbor Rd"
    assert order.ship_to.postal_code == "04101"
    assert order.buyer_phone == "+1 207-555-0166"
    # a custom item without a SKU is still a line
    assert [(line.sku, line.title) for line in order.lines][1] == ("", "Gift wrapping")


def test_order_money_is_decimal_as_exported(sample: dict[str, ChannelOrder]) -> None:
    order = sample["#1010"]
    assert (order.subtotal, order.discount_total, order.shipping_total) == (
        Decimal("104.00"),
        Decimal("15.60"),
        Decimal("6.95"),
    )
    assert (order.tax_total, order.total) == (Decimal("7.07"), Decimal("102.42"))
    assert isinstance(order.total, Decimal)


def test_a_bad_quantity_rejects_only_its_own_order(tmp_path: Path) -> None:
    path = with_cell("#1002", 1, "Lineitem quantity", "two", tmp_path)

    results = read(path)

    errors = [r for r in results if isinstance(r, RowError)]
    assert len(errors) == 1
    error = errors[0]
    assert (error.file, error.line, error.column, error.channel_order_no) == (
        "orders_export.csv",
        6,
        "Lineitem quantity",
        "#1002",
    )
    assert "'two'" in error.reason
    assert len(error.raw) == 79
    assert error.raw[16] == "two"
    orders = by_number(results)
    assert "#1002" not in orders
    assert len(orders) == 9
    assert [line.sku for line in orders["#1003"].lines] == ["POT-YX-350"]
    # the reject takes the place of its order in the stream
    assert results.index(error) == 1


def test_a_bad_order_level_value_is_reported_at_the_order_s_first_row(tmp_path: Path) -> None:
    path = with_cell("#1003", 0, "Created at", "08/11/2025 13:05", tmp_path)

    errors = [r for r in read(path) if isinstance(r, RowError)]

    assert [(e.line, e.column, e.channel_order_no) for e in errors] == [(8, "Created at", "#1003")]


def test_an_unknown_financial_status_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    path = with_cell("#1001", 0, "Financial Status", "settled", tmp_path)

    errors = [r for r in read(path) if isinstance(r, RowError)]

    assert [(e.line, e.column) for e in errors] == [(2, "Financial Status")]
    assert "'settled'" in errors[0].reason and "partially_refunded" in errors[0].reason


def test_a_file_missing_a_required_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    header, rows = sample_records()
    drop = header.index("Lineitem price")
    path = write_csv(
        tmp_path / "orders_export.csv",
        [h for i, h in enumerate(header) if i != drop],
        [[c for i, c in enumerate(row) if i != drop] for row in rows],
    )

    with pytest.raises(InputProblem, match="'Lineitem price'"):
        read(path)


def test_columns_are_found_by_name_in_an_older_reordered_export(
    tmp_path: Path, sample: dict[str, ChannelOrder]
) -> None:
    header, rows = sample_records()
    # older exports end at "Receipt Number"; and this one is in reverse column order
    kept = list(reversed(range(header.index("Receipt Number") + 1)))
    path = write_csv(
        tmp_path / "orders_export.csv",
        [header[i] for i in kept],
        [[row[i] for i in kept] for row in rows],
    )

    orders = by_number(read(path))

    assert list(orders) == list(sample)
    for number, order in orders.items():
        expected = sample[number]
        assert order.lines == expected.lines
        # Province Name (a newer column) is not needed: the province code is there
        assert order.ship_to == expected.ship_to
        assert (order.total, order.payment_status) == (expected.total, expected.payment_status)


def read_all(*paths: Path) -> list[ChannelOrder | RowError]:
    files = [detect(path, path.name)[1] for path in paths]
    return list(READER.read(files))


def test_an_order_split_between_two_files_of_one_export_is_joined(tmp_path: Path) -> None:
    header, rows = sample_records()
    cut = 2  # after #1001 and the first row of #1002
    part1 = write_csv(tmp_path / "orders_export_1.csv", header, rows[:cut])
    part2 = write_csv(tmp_path / "orders_export_2.csv", header, rows[cut:])

    results = read_all(part1, part2)

    orders = by_number(results)
    assert len(results) == len(orders) == 10
    split = orders["#1002"]
    assert [line.sku for line in split.lines] == ["TEA-LJ-100", "CUP-CEL-02", "0012-SET"]
    assert split.source is not None
    assert (split.source.file, split.source.line) == ("orders_export_1.csv", 3)


def test_an_order_repeated_in_full_by_overlapping_exports_is_not_merged(tmp_path: Path) -> None:
    header, rows = sample_records()
    first_1005 = [row[0] for row in rows].index("#1005")
    older = write_csv(tmp_path / "older.csv", header, rows[: first_1005 + 2])
    newer = write_csv(tmp_path / "newer.csv", header, rows[first_1005:])

    results = read_all(older, newer)

    copies = [r for r in results if isinstance(r, ChannelOrder) and r.channel_order_no == "#1005"]
    assert [len(copy.lines) for copy in copies] == [2, 2]
    assert [copy.source.file for copy in copies if copy.source] == ["older.csv", "newer.csv"]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "orders_export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())

    orders = by_number(read(path))

    assert len(orders) == 10
    assert orders["#1001"].ship_to.postal_code == "02114"


def test_orders_stream_before_the_rest_of_the_file_is_read(tmp_path: Path) -> None:
    header, rows = sample_records()
    first = rows[0]
    body = []
    for n in range(400):  # well past the 64 KiB head that detection reads
        row = list(first)
        row[0] = f"#{5000 + n}"
        body.append(row)
    path = write_csv(tmp_path / "orders_export.csv", header, body)
    with path.open("ab") as fh:
        fh.write(b"#9999,\xff\xfe broken tail\n")
    reader, input_file = detect(path, path.name)
    results = reader.read([input_file])

    first_order = next(results)

    assert isinstance(first_order, ChannelOrder)
    assert first_order.channel_order_no == "#5000"
    with pytest.raises(InputProblem, match="not utf-8"):
        list(results)


def test_the_shopify_reader_claims_no_other_channel_s_export() -> None:
    for path in (
        SAMPLES / "woocommerce" / "orders.csv",
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
def test_the_shopify_reader_claims_no_ebay_or_etsy_header(header: str) -> None:
    for delimiter in (",", "\t"):
        head = Head(encoding="utf-8", lines=(header.replace(",", delimiter),))
        assert READER.match(head) is None


def test_the_sample_is_detected_as_shopify_with_its_header_on_line_one() -> None:
    reader, input_file = detect(SAMPLE, "orders_export.csv")

    assert reader is READER
    assert (input_file.role, input_file.header_line, input_file.encoding) == (
        "orders",
        1,
        "utf-8-sig",
    )
