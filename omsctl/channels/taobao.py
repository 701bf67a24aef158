"""Taobao / Tmall seller exports: 订单报表 + 宝贝报表.

`ExportOrderList*.csv` and `ExportOrderDetailList*.csv`, downloaded from 已卖出的宝贝.

The order report holds the money, buyer and address, one row per order; the item report one
row per item (shared/formats/channel-formats.md §6). Both are GBK text, every field quoted,
with ids written as Excel text formulas (`="3751284962035614823"`).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from omsctl.channels import paired
from omsctl.channels.base import FieldProblem, Head, InputFile, Row
from omsctl.channels.normalize import money, optional_timestamp, quantity, text, timestamp
from omsctl.domain.orders import (
    Address,
    ChannelOrder,
    OrderLine,
    PaymentStatus,
    RowError,
    SourceRef,
)

#: Beijing time without a zone; the slash form is what Excel writes when it re-saves the file.
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
ZONE = "Asia/Shanghai"

ORDER_COLUMNS = (
    "订单编号",
    "买家会员名",
    "买家应付货款",
    "买家应付邮费",
    "总金额",
    "订单状态",
    "收货人姓名",
    "收货地址",
    "联系手机",
    "订单创建时间",
    "订单付款时间",
)
ITEM_COLUMNS = ("订单编号", "标题", "价格", "购买数量")
ORDERS_SIGNATURE = {"订单编号", "买家会员名", "订单状态", "收货地址", "订单创建时间"}
ITEMS_SIGNATURE = {"订单编号", "标题", "价格", "购买数量"}

CLOSED = "交易关闭"
#: 订单状态 → how far payment got. The export writes a full-width comma; both are accepted.
STATUSES = {
    "等待买家付款": PaymentStatus.PENDING,
    "买家已付款，等待卖家发货": PaymentStatus.PAID,
    "卖家已发货，等待买家确认": PaymentStatus.PAID,
    "交易成功": PaymentStatus.PAID,
    CLOSED: PaymentStatus.PAID,  # paid only if it has a payment time, see `_payment`
}
#: `省 市 区 详细地址(邮编)`: the postcode in parentheses at the end (half- or full-width).
_POSTCODE = re.compile(r"[(（]\s*(\d{6})?\s*[)）]$")


class TaobaoReader:
    """Joins 订单报表 and 宝贝报表 into one `ChannelOrder` per 订单编号."""

    name = "taobao"
    description = "Taobao/Tmall 订单报表 + 宝贝报表 (ExportOrderList + ExportOrderDetailList, GBK)"
    encodings: tuple[str, ...] = ("utf-8-sig", "gb18030")

    def match(self, head: Head) -> tuple[str, int] | None:
        fields = set(head.first_fields(","))
        if fields >= ORDERS_SIGNATURE:
            return "orders", 1
        if fields >= ITEMS_SIGNATURE:
            return "items", 1
        return None

    def read(self, files: Sequence[InputFile]) -> Iterator[ChannelOrder | RowError]:
        """The item reports first, then the order reports streamed against them.

        宝贝报表 has ten short columns and only a parsed `OrderLine` per item is kept (about
        60 MB for 100k two-item orders); the 46-to-60-column 订单报表 is only ever streamed.
        """
        orders, items = paired.require_both(
            files,
            items_alone="a 宝贝报表 without its 订单报表 (ExportOrderList)",
            orders_alone="a 订单报表 without its 宝贝报表 (ExportOrderDetailList)",
            hint="pass both files: omsctl import ExportOrderList….csv ExportOrderDetailList….csv",
        )
        yield from paired.join(
            orders,
            items,
            _read_items(items),
            order_number=_order_id,
            item_number=_order_id,
            check=lambda file, row: _check_columns(
                file, row, ORDER_COLUMNS, "订单报表 (ExportOrderList)"
            ),
            order=_order,
            column="订单编号",
            orphan_reason="items of an order that is not in the 订单报表",
        )


READER = TaobaoReader()


@dataclass(slots=True)
class _Basket:
    """The item rows of one order, already parsed; a bad row keeps only its RowError."""

    file: Path
    lines: list[OrderLine] = field(default_factory=list)
    error: RowError | None = None


def _check_columns(file: InputFile, row: Row, required: Sequence[str], kind: str) -> None:
    paired.check_columns(
        file,
        row,
        required,
        f"the Taobao {kind} lacks the column(s)",
        hint="export it again from 千牛 › 已卖出的宝贝 › 批量导出",
    )


def _order_id(cells: Mapping[str, str]) -> str:
    return _unwrap(cells["订单编号"])


def _read_items(files: list[InputFile]) -> dict[str, _Basket]:
    """订单编号 → its lines, all from one report: overlapping exports must not double them."""
    baskets: dict[str, _Basket] = {}
    check = functools.partial(
        _check_columns, required=ITEM_COLUMNS, kind="宝贝报表 (ExportOrderDetailList)"
    )
    for file in files:
        for row in paired.checked_rows(file, check):
            number = _unwrap(row.cells["订单编号"])
            basket = baskets.setdefault(number, _Basket(file.path))
            if basket.file == file.path and basket.error is None:
                try:
                    basket.lines.append(_line(row))
                except FieldProblem as problem:
                    basket.error = row.reject(file.display, problem, number)
    return baskets


def _line(row: Row) -> OrderLine:
    """One item; SKU and title are interned because the same few products fill every order."""
    cells = row.cells
    title = text(cells["标题"])
    attributes = text(cells.get("商品属性"))
    return OrderLine(
        # 商家编码 and 外部系统编号 both hold the seller's SKU; either may be empty.
        sku=sys.intern(_unwrap(cells.get("商家编码")) or _unwrap(cells.get("外部系统编号"))),
        title=sys.intern(f"{title} ({attributes})" if attributes else title),
        quantity=quantity(cells["购买数量"], "购买数量"),
        unit_price=money(cells["价格"], "价格"),  # 价格 is per unit
    )


def _order(
    file: InputFile, row: Row, number: str, basket: _Basket | None
) -> ChannelOrder | RowError:
    try:
        if not number.isdigit():
            raise FieldProblem(
                "订单编号",
                f"{number!r} is not an order number (digits only); was the file re-saved by Excel?",
            )
        if basket is None:
            raise FieldProblem("订单编号", "no items for this order in the items file")
        if basket.error is not None:
            return basket.error
        return _build(file, row, number, basket.lines)
    except FieldProblem as problem:
        return row.reject(file.display, problem, number)


def _build(file: InputFile, row: Row, number: str, items: list[OrderLine]) -> ChannelOrder:
    cells = row.cells
    lines = tuple(items)
    units = sum(line.quantity for line in lines)
    if text(cells.get("宝贝总数量")):
        expected = quantity(cells["宝贝总数量"], "宝贝总数量")
        if expected != units:
            raise FieldProblem(
                "宝贝总数量",
                f"the order says {expected} items but the 宝贝报表 has {units}"
                " (export both reports for the same orders)",
            )
    ordered_at = timestamp(cells["订单创建时间"], "订单创建时间", DATE_FORMATS, default_tz=ZONE)
    paid_at = optional_timestamp(
        cells["订单付款时间"], "订单付款时间", DATE_FORMATS, default_tz=ZONE
    )
    status = text(cells["订单状态"]).replace(",", "，")
    if status not in STATUSES:
        known = "、".join(STATUSES)
        raise FieldProblem("订单状态", f"{status!r} is not a status omsctl knows ({known})")
    goods = money(cells["买家应付货款"], "买家应付货款")
    items_value = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    total = money(cells["总金额"], "总金额")
    refunded = money(cells.get("退款金额"), "退款金额", default=Decimal("0"))
    phone = _phone(cells["联系手机"]) or _phone(cells.get("联系电话"))
    address = text(cells.get("修改后的收货地址")) or text(cells["收货地址"])
    return ChannelOrder(
        channel=READER.name,
        channel_order_no=number,
        ordered_at=ordered_at,
        lines=lines,
        ship_to=_address(address, name=text(cells["收货人姓名"]), phone=phone),
        buyer_name=text(cells["买家会员名"]),
        buyer_phone=phone,
        service_level=text(cells.get("运送方式")),
        buyer_note=text(cells.get("买家留言")),
        currency="CNY",
        subtotal=goods,
        shipping_total=money(cells["买家应付邮费"], "买家应付邮费"),
        # The goods cost the buyer less than the item prices add up to: shop discounts.
        discount_total=max(items_value - goods, Decimal("0")),
        total=total,
        payment_status=_payment(status, paid_at, refunded, total),
        paid_at=paid_at,
        # The report has no closing time; the latest time it does give is the best bound.
        cancelled_at=(paid_at or ordered_at) if status == CLOSED else None,
        refunded_total=refunded,
        source=SourceRef(file.display, row.line),
    )


def _payment(
    status: str, paid_at: datetime | None, refunded: Decimal, total: Decimal
) -> PaymentStatus:
    if STATUSES[status] is PaymentStatus.PENDING or (status == CLOSED and paid_at is None):
        return PaymentStatus.PENDING
    if refunded > 0:
        return PaymentStatus.REFUNDED if refunded >= total else PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.PAID


def _address(raw: str, *, name: str, phone: str) -> Address:
    """`浙江省 杭州市 西湖区 文三路478号…(310000)` split into its parts.

    Only an address with province, city, district and street separated by spaces is split;
    anything shorter is kept whole as street1 rather than guessed at.
    """
    postcode = ""
    found = _POSTCODE.search(raw)
    if found:
        postcode = found[1] or ""
        raw = raw[: found.start()].rstrip()
    parts = raw.split(maxsplit=3)
    common = {"name": name, "phone": phone, "postal_code": postcode, "country": "CN"}
    if len(parts) < 4:
        return Address(street1=raw, **common)
    province, city, district, street = parts
    return Address(province=province, city=city, district=district, street1=street, **common)


def _unwrap(value: str | None) -> str:
    """An id as Taobao writes it for Excel, `="3751284962035614823"`, without the wrapper."""
    raw = text(value)
    if raw.startswith('="') and raw.endswith('"') and len(raw) >= 3:
        return raw[2:-1].strip()
    return raw


def _phone(value: str | None) -> str:
    """A phone as given (masked or not), without the apostrophe that keeps Excel off it."""
    return _unwrap(value).lstrip("'")
