"""The mapped CSV channel: a merchant's own spreadsheet read through a TOML mapping."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from omsctl.channels.base import InputFile, decode_head, read_head
from omsctl.channels.mapped import MappedReader
from omsctl.channels.mapping_file import Mapping, PaymentMapping, load_mapping
from omsctl.domain.errors import InputProblem, UsageProblem
from omsctl.domain.orders import (
    Address,
    ChannelOrder,
    OrderLine,
    PaymentStatus,
    RowError,
    SourceRef,
)

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "sample_data" / "csv" / "orders.csv"
SAMPLE_MAPPING = REPO / "sample_data" / "csv" / "mapping.toml"
DOCS = REPO / "docs" / "import-mapping.md"

#: A small mapping for hand-written files: comma-separated, ISO times, per_line.
BASIC = """
channel = "wholesale"
currency = "EUR"
[columns]
channel_order_no = "Order"
ordered_at = "Date"
sku = "SKU"
quantity = "Qty"
unit_price = "Price"
"""
BASIC_HEADER = "Order,Date,SKU,Qty,Price"


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def reader_for(tmp_path: Path, mapping: str) -> MappedReader:
    return MappedReader(load_mapping(write(tmp_path, "mapping.toml", mapping)))


def read(reader: MappedReader, path: Path) -> list[ChannelOrder | RowError]:
    head = decode_head(read_head(path, path.name), reader.encodings)
    assert head is not None
    assert reader.match(head) == ("orders", 1)
    return list(reader.read([InputFile(path, path.name, head.encoding)]))


def read_csv(tmp_path: Path, mapping: str, csv: str) -> list[ChannelOrder | RowError]:
    return read(reader_for(tmp_path, mapping), write(tmp_path, "orders.csv", csv))


def read_sample(path: Path = SAMPLE) -> list[ChannelOrder | RowError]:
    return read(MappedReader(load_mapping(SAMPLE_MAPPING)), path)


def orders(results: list[ChannelOrder | RowError]) -> list[ChannelOrder]:
    return [r for r in results if isinstance(r, ChannelOrder)]


def errors(results: list[ChannelOrder | RowError]) -> list[RowError]:
    return [r for r in results if isinstance(r, RowError)]


def edited_sample(tmp_path: Path, old: str, new: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8-sig")
    assert text.count(old) == 1, old
    return write(tmp_path, "orders.csv", text.replace(old, new))


# -- the sample ------------------------------------------------------------------------------


def test_the_wholesale_sample_gives_four_orders_in_first_seen_order() -> None:
    results = read_sample()

    assert errors(results) == []
    assert [
        (
            o.channel,
            o.channel_order_no,
            len(o.lines),
            o.units,
            o.total,
            o.ordered_at,
            o.ship_to.postal_code,
            o.ship_to.country,
            o.payment_status,
        )
        for o in orders(results)
    ] == [
        (
            "wholesale",
            "GH-2026-0409",
            2,
            32,
            Decimal("237.97"),
            datetime(2026, 10, 23, 12, 30, tzinfo=UTC),  # CEST, UTC+2
            "78464",
            "DE",
            PaymentStatus.PAID,
        ),
        (
            "wholesale",
            "GH-2026-0412",
            3,
            9,
            Decimal("189.77"),
            datetime(2026, 11, 18, 8, 15, tzinfo=UTC),  # CET, UTC+1
            "01097",
            "DE",
            PaymentStatus.PAID,
        ),
        (
            "wholesale",
            "GH-2026-0413",
            2,
            14,
            Decimal("239.90"),
            datetime(2026, 11, 18, 10, 40, tzinfo=UTC),
            "04107",
            "DE",
            PaymentStatus.PAID,
        ),
        (
            "wholesale",
            "GH-2026-0414",
            1,
            10,
            Decimal("101.50"),
            datetime(2026, 11, 19, 7, 5, tzinfo=UTC),
            "1070",
            "AT",
            PaymentStatus.PENDING,
        ),
    ]


def test_the_item_added_at_the_bottom_of_the_sheet_joins_its_order_with_its_leading_zero() -> None:
    order = orders(read_sample())[1]

    assert order.lines == (
        OrderLine("TEA-LJ-250", "Longjing Grüntee 250 g", 6, Decimal("14.20")),
        OrderLine("TEA-PU-357", "Pu-Erh-Kuchen 357 g", 2, Decimal("21.50")),
        OrderLine("0012-SET", "Reise-Teeset (Geschenkbox)", 1, Decimal("38.00")),
    )
    assert order.source == SourceRef("orders.csv", 4)


def test_a_sample_order_carries_every_mapped_field_with_decimal_comma_amounts() -> None:
    order = orders(read_sample())[2]

    assert order == ChannelOrder(
        channel="wholesale",
        channel_order_no="GH-2026-0413",
        ordered_at=datetime(2026, 11, 18, 10, 40, tzinfo=UTC),
        lines=(
            OrderLine("CUP-CEL-02", "Seladon-Teeschale (Paar)", 12, Decimal("9.80")),
            OrderLine("POT-YX-350", "Yixing-Teekanne 350 ml", 2, Decimal("42.00")),
        ),
        ship_to=Address(
            name="Jonas Weber",
            company="Café Kranich",
            street1="Karl-Liebknecht-Straße 36",
            city="Leipzig",
            postal_code="04107",
            country="DE",
            phone="+49 341 2259870",
        ),
        buyer_name="Café Kranich",
        buyer_email="jonas.weber@cafe-kranich.example",
        buyer_phone="+49 341 2259870",
        buyer_note=(
            "Lieferung bitte über den Hintereingang.\nAnlieferung ab 8 Uhr; vorher kurz anrufen."
        ),
        currency="EUR",
        shipping_total=Decimal("0.00"),
        tax_total=Decimal("38.30"),
        total=Decimal("239.90"),
        payment_status=PaymentStatus.PAID,
        source=SourceRef("orders.csv", 6),
    )


def test_a_bad_quantity_rejects_only_its_order_with_the_physical_line_and_the_files_column(
    tmp_path: Path,
) -> None:
    # The second row of GH-2026-0413 starts on line 8: the note above it spans two lines.
    path = edited_sample(tmp_path, "Yixing-Teekanne 350 ml;2;", "Yixing-Teekanne 350 ml;zwei;")

    results = read_sample(path)

    assert [o.channel_order_no for o in orders(results)] == [
        "GH-2026-0409",
        "GH-2026-0412",
        "GH-2026-0414",
    ]
    assert errors(results) == [
        RowError(
            file="orders.csv",
            line=8,
            column="Menge",
            reason="'zwei' is not a quantity",
            channel_order_no="GH-2026-0413",
            raw=(
                "GH-2026-0413",
                "18.11.2026 11:40",
                *[""] * 9,
                "POT-YX-350",
                "Yixing-Teekanne 350 ml",
                "zwei",
                "42,00",
                *[""] * 4,
            ),
        )
    ]
    assert [r.channel_order_no for r in results] == [
        "GH-2026-0409",
        "GH-2026-0412",
        "GH-2026-0413",
        "GH-2026-0414",
    ]


def test_a_bad_order_level_value_points_at_the_row_it_came_from(tmp_path: Path) -> None:
    path = edited_sample(tmp_path, "19.11.2026 08:05", "19.11.2026 8 Uhr")

    [error] = errors(read_sample(path))

    assert (error.line, error.column, error.channel_order_no, error.reason) == (
        9,
        "Datum",
        "GH-2026-0414",
        "'19.11.2026 8 Uhr' is not a date and time this format uses",
    )


# -- grouping and layouts ----------------------------------------------------------------------


def test_rows_of_one_order_far_apart_become_one_order_at_its_first_place(tmp_path: Path) -> None:
    results = read_csv(
        tmp_path,
        BASIC,
        f"{BASIC_HEADER}\n"
        "B-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50\n"
        "B-101,2026-11-18T09:30:00,TEA-JAS-100,1,8.90\n"
        "B-100,,0012-SET,1,38.00\n",
    )

    assert [(o.channel_order_no, [line.sku for line in o.lines]) for o in orders(results)] == [
        ("B-100", ["TEA-LJ-100", "0012-SET"]),
        ("B-101", ["TEA-JAS-100"]),
    ]


def test_order_fields_come_from_the_first_row_of_the_order_that_has_them(tmp_path: Path) -> None:
    mapping = BASIC + 'buyer_email = "Email"\nshipping_total = "Shipping"\n'
    results = read_csv(
        tmp_path,
        mapping,
        f"{BASIC_HEADER},Email,Shipping\n"
        "B-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50,,\n"
        "B-100,2026-11-18T09:00:00,CUP-CEL-02,1,9.80,mei@example.com,4.90\n"
        "B-100,2026-11-18T09:00:00,TEA-DHP-50,1,11.60,other@example.com,9.99\n",
    )

    [order] = orders(results)
    assert (order.buyer_email, order.shipping_total, order.total) == (
        "mei@example.com",
        Decimal("4.90"),
        Decimal("51.30"),
    )


def test_per_order_layout_reads_each_row_as_an_order_of_one_line(tmp_path: Path) -> None:
    mapping = BASIC.replace('currency = "EUR"', 'currency = "EUR"\nlayout = "per_order"')
    results = read_csv(
        tmp_path,
        mapping,
        f"{BASIC_HEADER}\n"
        "B-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50\n"
        "B-101,2026-11-18T09:30:00,TEA-JAS-100,1,8.90\n",
    )

    assert [(o.channel_order_no, o.lines, o.total) for o in orders(results)] == [
        ("B-100", (OrderLine("TEA-LJ-100", "", 2, Decimal("12.50")),), Decimal("25.00")),
        ("B-101", (OrderLine("TEA-JAS-100", "", 1, Decimal("8.90")),), Decimal("8.90")),
    ]


def test_per_order_layout_rejects_an_order_number_that_comes_again(tmp_path: Path) -> None:
    mapping = BASIC.replace('currency = "EUR"', 'currency = "EUR"\nlayout = "per_order"')
    results = read_csv(
        tmp_path,
        mapping,
        f"{BASIC_HEADER}\n"
        "B-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50\n"
        "B-100,2026-11-18T09:00:00,CUP-CEL-02,1,9.80\n",
    )

    assert [type(r).__name__ for r in results] == ["ChannelOrder", "RowError"]
    assert str(results[1]) == (
        "orders.csv:3: Order: order B-100 is already on line 2"
        ' (layout "per_order" is one row per order; use layout = "per_line")'
    )


def test_a_row_without_an_order_number_is_rejected_on_its_own(tmp_path: Path) -> None:
    results = read_csv(
        tmp_path,
        BASIC,
        f"{BASIC_HEADER}\n,2026-11-18T09:00:00,TEA-LJ-100,2,12.50\n"
        "B-101,2026-11-18T09:30:00,TEA-JAS-100,1,8.90\n",
    )

    assert [str(r) if isinstance(r, RowError) else r.channel_order_no for r in results] == [
        "orders.csv:2: Order: an order number is required",
        "B-101",
    ]


# -- values ------------------------------------------------------------------------------------


def test_a_line_total_gives_the_exact_unit_price(tmp_path: Path) -> None:
    mapping = BASIC.replace('unit_price = "Price"', 'line_total = "Line total"')
    results = read_csv(
        tmp_path,
        mapping,
        "Order,Date,SKU,Qty,Line total\nB-100,2026-11-18T09:00:00,TEA-LJ-100,4,50.00\n",
    )

    [order] = orders(results)
    assert order.lines[0].unit_price == Decimal("12.50")
    assert order.total == Decimal("50.00")


def test_a_line_total_that_is_no_whole_multiple_of_a_price_rejects_the_order(
    tmp_path: Path,
) -> None:
    mapping = BASIC.replace('unit_price = "Price"', 'line_total = "Line total"')
    results = read_csv(
        tmp_path,
        mapping,
        "Order,Date,SKU,Qty,Line total\nB-100,2026-11-18T09:00:00,TEA-LJ-100,3,10.00\n",
    )

    assert [str(r) for r in results] == [
        "orders.csv:2: Line total: 10.00 is not 3 × an exact unit price; map unit_price instead"
    ]


def test_a_mapped_total_is_taken_as_given_and_a_missing_one_is_summed(tmp_path: Path) -> None:
    mapping = BASIC + 'total = "Total"\ntax_total = "Tax"\ndiscount_total = "Discount"\n'
    results = read_csv(
        tmp_path,
        mapping,
        f"{BASIC_HEADER},Total,Tax,Discount\n"
        "B-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50,30.00,4.75,\n"
        "B-101,2026-11-18T09:30:00,TEA-JAS-100,1,8.90,,1.69,2.00\n",
    )

    assert [o.total for o in orders(results)] == [Decimal("30.00"), Decimal("8.59")]


def test_a_comma_amount_without_decimal_comma_is_refused_with_the_option_named(
    tmp_path: Path,
) -> None:
    results = read_csv(
        tmp_path, BASIC, f'{BASIC_HEADER}\nB-100,2026-11-18T09:00:00,TEA-LJ-100,2,"12,50"\n'
    )

    assert [str(r) for r in results] == [
        "orders.csv:2: Price: '12,50' is not an amount like 12.50"
        " (for amounts like 12,50 set decimal_comma = true in the mapping)"
    ]


def test_decimal_comma_refuses_a_thousands_point_instead_of_guessing(tmp_path: Path) -> None:
    mapping = BASIC.replace('currency = "EUR"', 'currency = "EUR"\ndecimal_comma = true')
    results = read_csv(
        tmp_path,
        mapping,
        f"{BASIC_HEADER}\n"
        'B-100,2026-11-18T09:00:00,POT-YX-350,1,"1.250,00"\n'
        'B-101,2026-11-18T09:00:00,TEA-LJ-100,1.000,"12,50"\n'
        'B-102,2026-11-18T09:00:00,TEA-LJ-100,2,"12,50"\n',
    )

    assert [str(r) if isinstance(r, RowError) else r.total for r in results] == [
        "orders.csv:2: Price: '1.250,00' is not an amount like 1250,50"
        " (decimal_comma = true: a comma, no points, no thousands separators)",
        "orders.csv:3: Qty: '1.000' is ambiguous with decimal_comma = true"
        " (write whole units without separators, like 1000)",
        Decimal("25.00"),
    ]


def test_without_a_payment_column_an_order_with_a_paid_time_is_paid(tmp_path: Path) -> None:
    results = read_csv(
        tmp_path,
        BASIC + 'paid_at = "Paid"\n',
        f"{BASIC_HEADER},Paid\n"
        "B-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50,2026-11-18T09:05:00\n"
        "B-101,2026-11-18T09:30:00,TEA-JAS-100,1,8.90,\n",
    )

    assert [(o.payment_status, o.paid_at) for o in orders(results)] == [
        (PaymentStatus.PAID, datetime(2026, 11, 18, 9, 5, tzinfo=UTC)),
        (PaymentStatus.PENDING, None),
    ]


def test_defaults_fill_currency_and_country_when_the_file_has_no_column(tmp_path: Path) -> None:
    mapping = BASIC.replace('currency = "EUR"', 'currency = "CHF"\ncountry = "Switzerland"')
    [order] = orders(
        read_csv(
            tmp_path, mapping, f"{BASIC_HEADER}\nB-100,2026-11-18T09:00:00,TEA-LJ-100,2,12.50\n"
        )
    )

    assert (order.currency, order.ship_to.country, order.ordered_at) == (
        "CHF",
        "CH",
        datetime(2026, 11, 18, 9, tzinfo=UTC),  # no timezone in the mapping: UTC
    )


# -- columns -----------------------------------------------------------------------------------


def test_missing_columns_names_each_mapped_column_the_header_lacks(tmp_path: Path) -> None:
    reader = MappedReader(load_mapping(SAMPLE_MAPPING))
    path = edited_sample(tmp_path, ";Menge;", ";Anzahl;")
    text = path.read_text(encoding="utf-8").replace("Bezahlt", "Status")
    path.write_text(text, encoding="utf-8")
    head = decode_head(read_head(path, path.name), reader.encodings)
    assert head is not None

    assert reader.match(head) is None
    assert reader.missing_columns(head) == ["Menge", "Bezahlt"]


def test_reading_a_file_without_a_mapped_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    reader = reader_for(tmp_path, BASIC)
    path = write(tmp_path, "orders.csv", "Order,Date,SKU,Quantity,Price\nB-1,2026-11-18,A,1,1\n")

    with pytest.raises(InputProblem) as raised:
        list(reader.read([InputFile(path, "orders.csv", "utf-8-sig")]))

    assert str(raised.value) == (
        "orders.csv: the mapping's columns 'Qty' are not in the header;"
        " fix the [columns] names in the mapping to match the file"
    )


# -- the mapping file --------------------------------------------------------------------------


def test_the_sample_mapping_loads_with_its_options_and_defaults() -> None:
    mapping = load_mapping(SAMPLE_MAPPING)

    assert (
        mapping.channel,
        mapping.delimiter,
        mapping.encoding,
        mapping.layout,
        mapping.date_formats,
        mapping.timezone,
        mapping.currency,
        mapping.country,
        mapping.decimal_comma,
        mapping.payment,
    ) == (
        "wholesale",
        ";",
        "utf-8-sig",
        "per_line",
        ("%d.%m.%Y %H:%M",),
        "Europe/Berlin",
        "EUR",
        "",
        True,
        PaymentMapping("Bezahlt", frozenset({"ja"})),
    )


def test_a_minimal_mapping_gets_the_documented_defaults(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, "m.toml", BASIC.replace('currency = "EUR"', "")))

    assert mapping == Mapping(
        channel="wholesale",
        columns={
            "channel_order_no": "Order",
            "ordered_at": "Date",
            "sku": "SKU",
            "quantity": "Qty",
            "unit_price": "Price",
        },
        delimiter=",",
        encoding="utf-8-sig",
        layout="per_line",
        date_formats=(),
        timezone="UTC",
        currency="",
        country="",
        decimal_comma=False,
        payment=None,
        source=str(tmp_path / "m.toml"),
    )


def test_the_complete_example_in_the_documentation_is_the_sample_mapping() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    complete = next(block for block in blocks if "[payment]" in block)

    assert complete.strip() == SAMPLE_MAPPING.read_text(encoding="utf-8").strip()


VALID_FIELDS = (
    "channel_order_no, ordered_at, buyer_name, buyer_email, buyer_phone, service_level,"
    " buyer_note, currency, subtotal, shipping_total, tax_total, discount_total, total, paid_at,"
    " cancelled_at, refunded_total, ship_name, ship_company, ship_street1, ship_street2,"
    " ship_district, ship_city, ship_province, ship_postal_code, ship_country, ship_phone, sku,"
    " title, quantity, unit_price, line_total, weight_kg"
)
REQUIRED = "channel_order_no, ordered_at, sku, quantity, and unit_price or line_total"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            'currency = "EUR"',
            'delimeter = ";"',
            "unknown key 'delimeter' (did you mean 'delimiter'?); valid keys: channel, delimiter,"
            " encoding, layout, date_format, timezone, currency, country, decimal_comma, columns,"
            " payment",
            id="typo in a key",
        ),
        pytest.param(
            'quantity = "Qty"\n',
            "",
            f"[columns] has no 'quantity'; required: {REQUIRED}",
            id="missing required field",
        ),
        pytest.param(
            'unit_price = "Price"\n',
            "",
            f"[columns] has neither 'unit_price' nor 'line_total'; required: {REQUIRED}",
            id="no price",
        ),
        pytest.param(
            'unit_price = "Price"\n',
            'unit_price = "Price"\nline_total = "Total"\n',
            "[columns] maps both 'unit_price' and 'line_total'; map one of them; the other is"
            " derived",
            id="two prices",
        ),
        pytest.param(
            'channel = "wholesale"',
            'channel = "Wholesale Shop"',
            "channel 'Wholesale Shop' is not a channel name; use up to 40 lowercase letters,"
            " digits, '-' and '_', e.g. \"wholesale\"",
            id="bad channel name",
        ),
        pytest.param(
            'channel = "wholesale"',
            "",
            "'channel' is required; name the source, e.g. channel = \"wholesale\"",
            id="no channel",
        ),
        pytest.param(
            'currency = "EUR"',
            'layout = "one_row_per_item"',
            "layout 'one_row_per_item' is not one of per_line, per_order; per_line: one row per"
            " line item; per_order: one row per order",
            id="unknown layout",
        ),
        pytest.param(
            'quantity = "Qty"',
            'quantity = "Qty"\nqty = "Qty"',
            f"[columns] names unknown field 'qty'; valid fields: {VALID_FIELDS}",
            id="unknown field",
        ),
        pytest.param(
            'quantity = "Qty"',
            'quantity = "Qty"\nshipping_name = "Name"',
            "[columns] names unknown field 'shipping_name' (did you mean 'ship_name'?);"
            f" valid fields: {VALID_FIELDS}",
            id="unknown field close to a valid one",
        ),
        pytest.param(
            'currency = "EUR"',
            'timezone = "Europe/Berln"',
            "timezone 'Europe/Berln' is not a time zone; use a name like Europe/Berlin",
            id="unknown time zone",
        ),
        pytest.param(
            'currency = "EUR"',
            'delimiter = ";;"',
            'delimiter \';;\' must be one character; e.g. delimiter = ";" or delimiter = "\\t"'
            " for tab-separated files",
            id="long delimiter",
        ),
        pytest.param(
            'currency = "EUR"',
            '[payment]\npaid = ["ja"]',
            "[payment] has no 'column'; name the column, e.g. column = \"Bezahlt\"",
            id="payment without a column",
        ),
        pytest.param(
            'currency = "EUR"',
            'decimal_comma = "yes"',
            "'decimal_comma' must be true or false, not 'yes'",
            id="decimal_comma not a boolean",
        ),
    ],
)
def test_a_mapping_mistake_is_a_usage_problem_that_names_the_file_and_the_fix(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert BASIC.count(old) == 1
    text = BASIC.replace(old, new)
    path = write(tmp_path, "wholesale.toml", _top_level_first(text))

    with pytest.raises(UsageProblem) as raised:
        load_mapping(path)

    assert str(raised.value) == f"{path}: {message}"


def _top_level_first(text: str) -> str:
    """Keep top-level keys above [columns], since TOML puts later keys into the last table."""
    top, _, columns = text.partition("[columns]")
    payment = ""
    if "[payment]" in top:
        top, _, payment = top.partition("[payment]")
        payment = "[payment]" + payment
    return f"{top}[columns]{columns}{payment}"


def test_a_mapping_that_is_not_toml_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, "m.toml", 'channel = "wholesale"\n[columns]\nsku = Artikelnr\n')

    with pytest.raises(UsageProblem) as raised:
        load_mapping(path)

    # The parser's own words vary between Python versions; the place and the hint do not.
    message = str(raised.value)
    assert message.startswith(f"{path}: not valid TOML: ")
    assert "(at line 3, column 7)" in message
    assert message.endswith('; values need quotes, e.g. sku = "Artikelnr"')
