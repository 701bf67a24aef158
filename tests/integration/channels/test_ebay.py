"""The eBay Seller Hub orders report, read from the sample export and from edited copies."""

from __future__ import annotations

import csv
import io
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

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "ebay" / "orders-report.csv"
DISPLAY = "orders-report.csv"


def read(path: Path, display: str = DISPLAY) -> list[ChannelOrder | RowError]:
    reader, file = detect(path, display)
    assert reader.name == "ebay"
    return list(reader.read([file]))


def by_number(results: list[ChannelOrder | RowError]) -> dict[str, ChannelOrder]:
    return {r.channel_order_no: r for r in results if isinstance(r, ChannelOrder)}


def sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


def header() -> list[str]:
    return next(csv.reader([sample_lines()[1]]))


def write_report(path: Path, rows: list[dict[str, str]], footer: str = "") -> Path:
    """A report laid out like eBay's: a comma line, the real header, a padding row, rows."""
    columns = header()
    out = io.StringIO()
    out.write(sample_lines()[0] + sample_lines()[1])
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([""] * len(columns))
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    out.write(footer)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def one_item(number: str, **cells: str) -> dict[str, str]:
    row = {
        "Sales Record Number": "2001",
        "Order Number": number,
        "Buyer Name": "Mei Tanaka",
        "Ship To Name": "Mei Tanaka",
        "Ship To Address 1": "214 Maple Ave",
        "Ship To City": "Brooklyn",
        "Ship To State": "NY",
        "Ship To Zip": "11215",
        "Ship To Country": "United States",
        "Item Number": "296012345678",
        "Item Title": "West Lake Longjing Dragon Well Green Tea 100g Tin",
        "Custom Label": "TEA-LJ-100",
        "Quantity": "2",
        "Sold For": "$18.50",
        "Shipping And Handling": "$5.00",
        "Total Price": "$42.00",
        "Sale Date": "Mar-01-24",
        "Paid On Date": "Mar-01-24",
    }
    return row | cells


def test_the_orders_report_is_detected_below_the_junk_line_eBay_writes_first() -> None:
    reader, file = detect(SAMPLE, DISPLAY)

    assert (reader.name, file.role, file.header_line, file.encoding) == (
        "ebay",
        "orders",
        2,
        "utf-8-sig",
    )


def test_the_sample_report_gives_seven_orders_and_its_footer_is_not_a_reject() -> None:
    results = read(SAMPLE)

    assert [r for r in results if isinstance(r, RowError)] == []
    assert [
        (o.channel_order_no, o.units, o.total, o.currency) for o in by_number(results).values()
    ] == [
        ("12-11023-45671", 2, Decimal("45.50"), "USD"),
        ("23-11024-88812", 4, Decimal("180.94"), "USD"),
        ("34-11025-10293", 1, Decimal("38.00"), "USD"),
        ("45-11026-33457", 1, Decimal("19.00"), "USD"),
        ("56-11027-55820", 1, Decimal("96.34"), "USD"),
        ("67-11028-90014", 25, Decimal("1095.00"), "USD"),
        ("78-11029-12345", 3, Decimal("51.50"), "USD"),
    ]
    for order in by_number(results).values():
        money = (order.subtotal, order.shipping_total, order.tax_total, order.total)
        assert all(type(amount) is Decimal for amount in money)
        assert all(type(line.unit_price) is Decimal for line in order.lines)


def test_a_multi_item_order_takes_money_from_its_summary_row_and_lines_from_its_items() -> None:
    order = by_number(read(SAMPLE))["23-11024-88812"]

    assert order == ChannelOrder(
        channel="ebay",
        channel_order_no="23-11024-88812",
        ordered_at=datetime(2024, 3, 2, tzinfo=UTC),
        lines=(
            OrderLine(
                "CUP-CEL-02",
                "Celadon Glaze Porcelain Tea Cup 80ml Set of 2 (Colour: Celadon Green)",
                2,
                Decimal("14.00"),
            ),
            OrderLine("POT-YX-350", "Yixing Zisha Clay Teapot 350ml Handmade", 1, Decimal("89.00")),
            OrderLine(
                "0012-SET", "Gongfu Tea Set for Two: Gaiwan, Pitcher, 2 Cups", 1, Decimal("42.00")
            ),
        ),
        ship_to=Address(
            name="Daniel Okafor",
            street1="88 Beacon St",
            city="Boston",
            province="MA",
            postal_code="02134",
            country="US",
            phone="+1 617-555-0199",
        ),
        buyer_name="Daniel Okafor",
        buyer_email="d.okafor@example.com",
        buyer_phone="+1 617-555-0199",
        service_level="UPS Ground",
        currency="USD",
        subtotal=Decimal("159.00"),
        shipping_total=Decimal("12.00"),
        tax_total=Decimal("9.94"),
        total=Decimal("180.94"),
        payment_status=PaymentStatus.PAID,
        paid_at=datetime(2024, 3, 2, tzinfo=UTC),
        source=SourceRef(DISPLAY, 5),
    )


def test_a_single_item_order_has_a_subtotal_of_quantity_times_the_unit_price() -> None:
    order = by_number(read(SAMPLE))["12-11023-45671"]

    assert order.lines == (
        OrderLine(
            "TEA-LJ-100", "West Lake Longjing Dragon Well Green Tea 100g Tin", 2, Decimal("18.50")
        ),
    )
    assert (order.subtotal, order.shipping_total, order.tax_total, order.total) == (
        Decimal("37.00"),
        Decimal("5.00"),
        Decimal("3.50"),
        Decimal("45.50"),
    )
    assert order.source == SourceRef(DISPLAY, 4)
    assert order.ship_to.street2 == "Apt 3B"


def test_amounts_with_a_thousands_separator_keep_every_cent_and_the_leading_zero_sku() -> None:
    order = by_number(read(SAMPLE))["67-11028-90014"]

    assert order.lines[0].sku == "0012-SET"
    assert (order.lines[0].quantity, order.lines[0].unit_price) == (25, Decimal("42.00"))
    assert (order.subtotal, order.total) == (Decimal("1050.00"), Decimal("1095.00"))


def test_an_order_without_a_paid_on_date_is_pending_and_a_paid_time_is_read_as_utc() -> None:
    orders = by_number(read(SAMPLE))

    assert (orders["45-11026-33457"].payment_status, orders["45-11026-33457"].paid_at) == (
        PaymentStatus.PENDING,
        None,
    )
    assert orders["56-11027-55820"].paid_at == datetime(2024, 3, 6, 8, 12, 45, tzinfo=UTC)
    assert orders["56-11027-55820"].lines[0].title.endswith("(Clay: Zhu Ni)")


def test_a_buyer_abroad_gets_an_iso_country_code_and_keeps_the_buyer_note() -> None:
    order = by_number(read(SAMPLE))["34-11025-10293"]

    assert order.ship_to == Address(
        name="Chloé Tremblay",
        street1="1200 Rue Sainte-Catherine O",
        street2="Bureau 410",
        city="Montréal",
        province="QC",
        postal_code="H3B 1K9",
        country="CA",
        phone="+1 514-555-0123",
    )
    assert order.buyer_note == "C'est un cadeau, merci de ne pas inclure la facture."


def test_a_bad_quantity_on_an_item_row_rejects_only_its_own_order(tmp_path: Path) -> None:
    lines = sample_lines()
    # Line 6 is the first item row of 23-11024-88812 (line 5 is its summary row).
    assert '"CUP-CEL-02","No","2"' in lines[5]
    lines[5] = lines[5].replace('"CUP-CEL-02","No","2"', '"CUP-CEL-02","No","two"')
    path = tmp_path / "orders-report.csv"
    path.write_text("".join(lines), encoding="utf-8")

    results = read(path)

    errors = [r for r in results if isinstance(r, RowError)]
    assert [(e.line, e.column, e.channel_order_no) for e in errors] == [
        (6, "Quantity", "23-11024-88812")
    ]
    assert "'two'" in errors[0].reason
    assert len(errors[0].raw) == 82 and "two" in errors[0].raw
    assert "23-11024-88812" not in by_number(results)
    assert len(by_number(results)) == 6


def test_a_report_without_the_custom_label_column_is_refused_naming_it(tmp_path: Path) -> None:
    lines = sample_lines()
    lines[1] = lines[1].replace("Custom Label,", "Label,")
    path = tmp_path / "orders-report.csv"
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(InputProblem, match="Custom Label"):
        read(path)


def test_footer_lines_in_either_spelling_end_the_data(tmp_path: Path) -> None:
    footer = "\r\n83 record(s) downloaded,,,\r\nSeller ID: leafandkiln,,,\r\n"
    path = write_report(tmp_path / "r.csv", [one_item("12-00000-00001")], footer)

    results = read(path)

    assert [type(r).__name__ for r in results] == ["ChannelOrder"]


def test_an_unpaid_commitment_without_an_order_number_is_a_reject_not_an_order(
    tmp_path: Path,
) -> None:
    rows = [one_item("", **{"Paid On Date": ""}), one_item("12-00000-00002")]
    path = write_report(tmp_path / "r.csv", rows)

    results = read(path)

    assert isinstance(results[0], RowError)
    assert (results[0].line, results[0].column) == (4, "Order Number")
    assert isinstance(results[1], ChannelOrder)


def test_a_summary_row_without_its_item_rows_is_rejected(tmp_path: Path) -> None:
    summary = one_item("12-00000-00003", **{"Item Number": "", "Custom Label": ""})
    path = write_report(tmp_path / "r.csv", [summary])

    [result] = read(path)

    assert isinstance(result, RowError)
    assert (result.column, result.channel_order_no) == ("Item Number", "12-00000-00003")


def test_a_re_sorted_report_rejects_the_order_whose_rows_are_apart(tmp_path: Path) -> None:
    lines = sample_lines()
    # The last item row of 78-11029-12345 moved above the order before it.
    lines.insert(11, lines.pop(14))
    path = tmp_path / "orders-report.csv"
    path.write_text("".join(lines), encoding="utf-8")

    rejected = {(r.channel_order_no, r.column) for r in read(path) if isinstance(r, RowError)}

    assert rejected == {("78-11029-12345", "Total Price"), ("78-11029-12345", "Order Number")}


def test_au_amounts_and_dates_give_aud_and_the_day_first_date(tmp_path: Path) -> None:
    row = one_item(
        "12-00000-00004",
        **{
            "Sold For": "AU $1,500.00",
            "Shipping And Handling": "AU $0.00",
            "Total Price": "AU $3,000.00",
            "Sale Date": "26-May-24",
        },
    )
    [order] = read(write_report(tmp_path / "r.csv", [row]))

    assert isinstance(order, ChannelOrder)
    assert (order.currency, order.subtotal, order.total) == (
        "AUD",
        Decimal("3000.00"),
        Decimal("3000.00"),
    )
    assert order.ordered_at == datetime(2024, 5, 26, tzinfo=UTC)


def test_an_amount_in_a_currency_eBay_does_not_use_rejects_its_order(tmp_path: Path) -> None:
    row = one_item("12-00000-00005", **{"Total Price": "XX$42.00"})

    [result] = read(write_report(tmp_path / "r.csv", [row]))

    assert isinstance(result, RowError)
    assert result.column == "Total Price"


def test_a_report_saved_as_gbk_is_refused_instead_of_misread(tmp_path: Path) -> None:
    path = tmp_path / "orders-report.csv"
    text = SAMPLE.read_text(encoding="utf-8").replace("Mei Tanaka", "田中美")
    path.write_bytes(text.replace("é", "e").encode("gbk"))

    with pytest.raises(InputProblem, match="not UTF-8"):
        detect(path, DISPLAY)
    with pytest.raises(InputProblem, match="not a ebay export"):
        detect(path, DISPLAY, channel="ebay")
