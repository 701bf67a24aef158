"""Taobao/Tmall 订单报表 + 宝贝报表, read from the GB18030 sample pair and from edited copies."""

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

SAMPLES = Path(__file__).resolve().parents[3] / "sample_data" / "taobao"
ORDERS = SAMPLES / "ExportOrderList.csv"
ITEMS = SAMPLES / "ExportOrderDetailList.csv"
ENCODING = "gb18030"

FIRST = "3751284962035614823"  # paid, multi-item, with a buyer remark
UNPAID = "3751290011223344556"
CLOSED = "3751293355667788990"
SHIPPED = "3751301234567890123"
REFUNDED = "3751305566778899001"
DISCOUNTED = "3751309988776655443"
DONE = "3751312233445566778"
OUTER_SKU = "3751318877665544332"


def read(*paths: Path) -> list[ChannelOrder | RowError]:
    files = []
    for path in paths:
        reader, file = detect(path, path.name)
        assert reader.name == "taobao"
        files.append(file)
    return list(reader.read(files))


def by_number(results: list[ChannelOrder | RowError]) -> dict[str, ChannelOrder]:
    return {r.channel_order_no: r for r in results if isinstance(r, ChannelOrder)}


def errors(results: list[ChannelOrder | RowError]) -> list[RowError]:
    return [r for r in results if isinstance(r, RowError)]


def edited(tmp_path: Path, source: Path, old: str, new: str, encoding: str = ENCODING) -> Path:
    """A copy of a sample file with `old` replaced by `new` (which must occur exactly once)."""
    text = source.read_text(encoding=ENCODING)
    assert text.count(old) == 1, old
    path = tmp_path / source.name
    path.write_bytes(text.replace(old, new).encode(encoding))
    return path


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding=ENCODING).splitlines()
    return next(n for n, line in enumerate(lines, 1) if fragment in line)


def test_both_gb18030_reports_are_detected_without_an_encoding_flag() -> None:
    found = [detect(p, p.name) for p in (ORDERS, ITEMS)]

    assert [(r.name, f.role, f.encoding, f.header_line) for r, f in found] == [
        ("taobao", "orders", "gb18030", 1),
        ("taobao", "items", "gb18030", 1),
    ]


def test_the_sample_pair_gives_eight_orders_with_their_ids_kept_exact() -> None:
    results = read(ITEMS, ORDERS)

    assert errors(results) == []
    assert [
        (o.channel_order_no, o.units, o.total, o.payment_status)
        for o in by_number(results).values()
    ] == [
        (FIRST, 6, Decimal("396.00"), PaymentStatus.PAID),
        (UNPAID, 1, Decimal("468.00"), PaymentStatus.PENDING),
        (CLOSED, 1, Decimal("299.00"), PaymentStatus.PENDING),
        (SHIPPED, 3, Decimal("274.00"), PaymentStatus.PAID),
        (REFUNDED, 2, Decimal("163.00"), PaymentStatus.PARTIALLY_REFUNDED),
        (DISCOUNTED, 2, Decimal("71.00"), PaymentStatus.PAID),
        (DONE, 2, Decimal("598.00"), PaymentStatus.PAID),
        (OUTER_SKU, 1, Decimal("468.00"), PaymentStatus.PAID),
    ]
    assert read(ORDERS, ITEMS) == results


def test_a_multi_item_order_is_joined_split_into_address_parts_and_read_in_beijing_time() -> None:
    order = by_number(read(ORDERS, ITEMS))[FIRST]

    assert order == ChannelOrder(
        channel="taobao",
        channel_order_no=FIRST,
        ordered_at=datetime(2024, 3, 1, 1, 15, 22, tzinfo=UTC),
        lines=(
            OrderLine(
                "CUP-CEL-02", "龙泉青瓷品茗杯 80ml 两只装 (颜色分类：粉青)", 4, Decimal("35.00")
            ),
            OrderLine(
                "TEA-LJ-100", "西湖龙井 明前特级 100g罐装 (规格：100g罐装)", 2, Decimal("128.00")
            ),
        ),
        ship_to=Address(
            name="张伟",
            street1="文三路478号华星时代广场A座1201室",
            district="西湖区",
            city="杭州市",
            province="浙江省",
            postal_code="310000",
            country="CN",
            phone="13857104321",
        ),
        buyer_name="tea_lover_hz",
        buyer_phone="13857104321",
        service_level="快递",
        buyer_note="请用顺丰发货，谢谢！",
        currency="CNY",
        subtotal=Decimal("396.00"),
        shipping_total=Decimal("0.00"),
        total=Decimal("396.00"),
        payment_status=PaymentStatus.PAID,
        paid_at=datetime(2024, 3, 1, 1, 16, 5, tzinfo=UTC),
        source=SourceRef("ExportOrderList.csv", 2),
    )
    assert all(type(line.unit_price) is Decimal for line in order.lines)


def test_an_unpaid_order_is_pending_and_keeps_its_masked_phone() -> None:
    order = by_number(read(ORDERS, ITEMS))[UNPAID]

    assert (order.payment_status, order.paid_at, order.cancelled_at) == (
        PaymentStatus.PENDING,
        None,
        None,
    )
    assert order.ship_to == Address(
        name="李娜",
        street1="建国路88号SOHO现代城5号楼1503",
        district="朝阳区",
        city="北京市",
        province="北京",
        postal_code="100022",
        country="CN",
        phone="138****7788",
    )


def test_a_closed_order_is_cancelled_at_the_last_time_the_report_gives() -> None:
    order = by_number(read(ORDERS, ITEMS))[CLOSED]

    assert order.cancelled_at == order.ordered_at == datetime(2024, 3, 2, 15, 5, 47, tzinfo=UTC)
    assert order.payment_status is PaymentStatus.PENDING


def test_a_street_with_spaces_stays_whole_and_shipping_is_added() -> None:
    order = by_number(read(ORDERS, ITEMS))[SHIPPED]

    assert order.ship_to.street1 == "科技园南区高新南七道 数字技术园B2栋601"
    assert (order.subtotal, order.shipping_total, order.total) == (
        Decimal("264.00"),
        Decimal("10.00"),
        Decimal("274.00"),
    )


def test_a_refund_and_a_shop_discount_are_kept_to_the_cent() -> None:
    orders = by_number(read(ORDERS, ITEMS))

    assert orders[REFUNDED].refunded_total == Decimal("35.00")
    discounted = orders[DISCOUNTED]
    assert (discounted.subtotal, discounted.discount_total, discounted.total) == (
        Decimal("63.00"),
        Decimal("7.00"),
        Decimal("71.00"),
    )
    assert discounted.buyer_note == "杯子请多包几层泡沫"


def test_the_sku_falls_back_to_the_external_system_code_and_leading_zeros_stay() -> None:
    orders = by_number(read(ORDERS, ITEMS))

    assert orders[OUTER_SKU].lines[0].sku == "POT-YX-350"
    assert orders[DONE].lines == (
        OrderLine("0012-SET", "功夫茶具套装 盖碗公道杯 双人组", 2, Decimal("299.00")),
    )


def test_a_bad_quantity_in_the_item_report_rejects_only_its_order(tmp_path: Path) -> None:
    items = edited(tmp_path, ITEMS, '"35.00","4"', '"35.00","四"')

    results = read(ORDERS, items)

    [error] = errors(results)
    assert (error.file, error.line, error.column, error.channel_order_no) == (
        "ExportOrderDetailList.csv",
        line_of(items, '"四"'),
        "购买数量",
        FIRST,
    )
    assert "四" in error.raw and len(error.raw) == 10
    assert FIRST not in by_number(results) and len(by_number(results)) == 7


def test_an_unknown_order_status_rejects_the_order_at_its_row(tmp_path: Path) -> None:
    orders = edited(tmp_path, ORDERS, '"0","交易成功","","黄磊"', '"0","已发货","","黄磊"')

    [error] = errors(read(orders, ITEMS))

    assert (error.file, error.line, error.column, error.channel_order_no) == (
        "ExportOrderList.csv",
        8,
        "订单状态",
        DONE,
    )


def test_an_order_id_mangled_by_excel_is_rejected_not_imported_as_a_number(
    tmp_path: Path,
) -> None:
    orders = edited(tmp_path, ORDERS, f'"=""{DONE}"""', '"3.75131E+18"')

    results = read(orders, ITEMS)

    assert [(e.column, e.channel_order_no, e.reason.split(";")[0]) for e in errors(results)] == [
        ("订单编号", "3.75131E+18", "'3.75131E+18' is not an order number (digits only)"),
        ("订单编号", DONE, "items of an order that is not in the 订单报表"),
    ]


def test_an_orders_report_without_the_mobile_column_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    orders = edited(tmp_path, ORDERS, '"联系手机"', '"手机"')

    with pytest.raises(InputProblem, match="联系手机"):
        read(orders, ITEMS)


def test_an_item_report_alone_is_refused_saying_how_to_pass_both() -> None:
    with pytest.raises(InputProblem, match="without its 订单报表") as raised:
        read(ITEMS)

    assert raised.value.hint and "omsctl import" in raised.value.hint


def test_an_order_without_item_rows_is_a_reject(tmp_path: Path) -> None:
    text = ITEMS.read_text(encoding=ENCODING)
    kept = [line for line in text.splitlines(keepends=True) if SHIPPED not in line]
    items = tmp_path / ITEMS.name
    items.write_bytes("".join(kept).encode(ENCODING))

    [error] = errors(read(ORDERS, items))

    assert (error.line, error.channel_order_no, error.reason) == (
        5,
        SHIPPED,
        "no items for this order in the items file",
    )


def test_a_report_resaved_as_utf8_reads_the_same(tmp_path: Path) -> None:
    orders = tmp_path / ORDERS.name
    items = tmp_path / ITEMS.name
    orders.write_text(ORDERS.read_text(encoding=ENCODING), encoding="utf-8-sig")
    items.write_text(ITEMS.read_text(encoding=ENCODING), encoding="utf-8-sig")

    assert read(orders, items) == read(ORDERS, ITEMS)


def test_overlapping_item_reports_do_not_double_an_orders_lines(tmp_path: Path) -> None:
    again = tmp_path / "ExportOrderDetailList202403081200.csv"
    again.write_bytes(ITEMS.read_bytes())

    assert read(ORDERS, ITEMS, again) == read(ORDERS, ITEMS)
