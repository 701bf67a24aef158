"""The tables. The schema is only ever changed by a migration in `migrations/versions`.

A test compares these models with the migrated schema, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from omsctl.store.types import ExactDecimal, UTCDateTime

# Named constraints, so batch migrations on SQLite can find and change them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _money(nullable: bool = False) -> Decimal:
    return Field(
        default=None if nullable else Decimal("0"), sa_type=ExactDecimal, nullable=nullable
    )


def _time(nullable: bool = True, index: bool = False) -> datetime:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _order_fk() -> int:
    return Field(
        sa_column=Column(
            Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("channel", "channel_order_no"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(index=True)
    channel_order_no: str = Field(index=True)
    state: str = Field(index=True)
    payment_status: str

    buyer_name: str = ""
    buyer_email: str = ""
    buyer_phone: str = ""
    ship_name: str = ""
    ship_company: str = ""
    ship_street1: str = ""
    ship_street2: str = ""
    ship_district: str = ""
    ship_city: str = ""
    ship_province: str = ""
    ship_postal_code: str = ""
    ship_country: str = ""
    ship_phone: str = ""
    service_level: str = ""
    buyer_note: str = ""

    currency: str = ""
    subtotal: Decimal = _money()
    shipping_total: Decimal = _money()
    tax_total: Decimal = _money()
    discount_total: Decimal = _money()
    total: Decimal = _money()
    refunded_total: Decimal = _money()

    ordered_at: datetime = _time(nullable=False, index=True)
    paid_at: datetime | None = _time()
    imported_at: datetime = _time(nullable=False)
    approved_at: datetime | None = _time()
    shipped_at: datetime | None = _time()
    delivered_at: datetime | None = _time()
    cancelled_at: datetime | None = _time()
    updated_at: datetime = _time(nullable=False)

    # What the channel last sent (domain.imports.fingerprint) and where it was read from.
    fingerprint: str = ""
    source: str = ""

    # Split and merge keep every order the channel knows: a split child points at its parent,
    # a merged order at the order that now carries its lines.
    parent_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="orders.id", index=True)

    # Written by review, read by its duplicate rule: the phone in E.164 and a normalised
    # address, so "many orders from one phone or address" is an indexed lookup.
    phone_e164: str = Field(default="", index=True)
    address_fingerprint: str = Field(default="", index=True)

    # The carrier and service chosen for the parcel, and the rule that chose them.
    carrier: str = ""
    carrier_service: str = ""
    carrier_rule: str = ""


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    line_no: int
    sku: str = Field(index=True)
    title: str = ""
    quantity: int
    unit_price: Decimal = _money()
    weight_kg: Decimal | None = _money(nullable=True)


class Product(SQLModel, table=True):
    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True)
    title: str
    barcode: str = ""
    weight_kg: Decimal | None = _money(nullable=True)
    length_cm: Decimal | None = _money(nullable=True)
    width_cm: Decimal | None = _money(nullable=True)
    height_cm: Decimal | None = _money(nullable=True)
    traits: str = ""  # ";"-separated: fragile, liquid, valuable, ...
    reorder_point: int = 0
    safety_stock: int = 0


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouses"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    country: str
    region: str = ""
    priority: int = 100


class Location(SQLModel, table=True):
    """A bin in a warehouse; pickers walk bins in `pick_sequence` order."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    code: str
    zone: str = ""
    pick_sequence: int = 0


class StockLevel(SQLModel, table=True):
    """Units of one SKU in one bin. The checks make overselling impossible at the database."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("sku", "location_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True)
    location_id: int = Field(foreign_key="locations.id", index=True)
    on_hand: int = 0
    reserved: int = 0


class StockMovement(SQLModel, table=True):
    """The stock ledger: every change of on-hand or reserved, so on-hand can be explained."""

    __tablename__ = "stock_movements"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _time(nullable=False, index=True)
    actor: str
    sku: str = Field(index=True)
    location_id: int = Field(foreign_key="locations.id", index=True)
    kind: str  # receive, count, adjust, reserve, release, ship
    delta_on_hand: int
    delta_reserved: int
    on_hand_after: int
    reserved_after: int
    reason: str = ""
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)


class Reservation(SQLModel, table=True):
    """Units of an order's SKU held in one bin; the pick list reads where to go from here."""

    __tablename__ = "reservations"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    sku: str
    location_id: int = Field(foreign_key="locations.id", index=True)
    quantity: int


class Hold(SQLModel, table=True):
    __tablename__ = "holds"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    reason: str = Field(index=True)
    detail: str = ""
    priority: int
    created_at: datetime = _time(nullable=False)
    due_at: datetime = _time(nullable=False)
    resolved_at: datetime | None = _time()
    resolved_by: str | None = None
    resolution: str | None = None


class OrderHistory(SQLModel, table=True):
    """Append-only: every state change and every action on an order, with who and why."""

    __tablename__ = "order_history"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    at: datetime = _time(nullable=False, index=True)
    actor: str
    action: str
    from_state: str | None = None
    to_state: str | None = None
    detail: str = ""


class Wave(SQLModel, table=True):
    """A batch of approved orders picked in one walk through one warehouse."""

    __tablename__ = "waves"

    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    strategy: str
    key: str = ""  # the carrier, zone or order size the wave was grouped by
    status: str = Field(default="open", index=True)  # open, closed
    created_at: datetime = _time(nullable=False)
    created_by: str
    closed_at: datetime | None = _time()


class WaveOrder(SQLModel, table=True):
    """An order's place in a wave: its tote. Removing it keeps the row, stamped removed."""

    __tablename__ = "wave_orders"
    __table_args__ = (
        # An order is in at most one wave at a time.
        Index(
            "uq_wave_orders_live_order",
            "order_id",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="waves.id", index=True)
    order_id: int = _order_fk()
    tote: int
    added_at: datetime = _time(nullable=False)
    removed_at: datetime | None = _time()


class PackCheck(SQLModel, table=True):
    """Every pack verification, passed or not: pack accuracy is a KPI."""

    __tablename__ = "pack_checks"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    at: datetime = _time(nullable=False, index=True)
    actor: str
    ok: bool
    units_expected: int
    units_scanned: int
    problems: str = ""  # one line per mismatch


class WaybillNumber(SQLModel, table=True):
    """A tracking number a carrier handed out in advance (电子面单), used once at most."""

    __tablename__ = "waybill_numbers"
    __table_args__ = (UniqueConstraint("carrier", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(index=True)
    number: str
    loaded_at: datetime = _time(nullable=False)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    used_at: datetime | None = _time()


class LabelPrint(SQLModel, table=True):
    """Who printed which order's label, when, in which format: reprints are deliberate."""

    __tablename__ = "label_prints"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    at: datetime = _time(nullable=False)
    actor: str
    format: str
    tracking_number: str = ""
    reprint: bool = False


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    carrier: str
    service: str = ""
    tracking_number: str | None = Field(default=None, unique=True)
    status: str = "created"
    created_at: datetime = _time(nullable=False)
    shipped_at: datetime | None = _time()
    delivered_at: datetime | None = _time()


class ShipmentEvent(SQLModel, table=True):
    """A carrier's status event; the same event loaded twice is stored once."""

    __tablename__ = "shipment_events"
    __table_args__ = (UniqueConstraint("shipment_id", "at", "status", "location"),)

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    at: datetime = _time(nullable=False)
    status: str  # pre_transit, in_transit, out_for_delivery, delivered, failed_attempt, ...
    reason: str = ""  # for exceptions: delayed, lost, damaged, refused, address_problem
    location: str = ""
    detail: str = ""
    loaded_at: datetime = _time(nullable=False)


class ChannelConfirmation(SQLModel, table=True):
    """A shipment reported back to a channel order, so a nightly export sends it once."""

    __tablename__ = "channel_confirmations"
    __table_args__ = (UniqueConstraint("shipment_id", "channel", "channel_order_no"),)

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    channel: str
    channel_order_no: str
    exported_at: datetime = _time(nullable=False)


class LogisticsException(SQLModel, table=True):
    """Something went wrong after the parcel left: delayed, lost, damaged, refused, address."""

    __tablename__ = "logistics_exceptions"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = _order_fk()
    shipment_id: int | None = Field(default=None, foreign_key="shipments.id", index=True)
    reason: str = Field(index=True)
    detail: str = ""
    opened_at: datetime = _time(nullable=False)
    resolved_at: datetime | None = _time()
    resolved_by: str | None = None
    resolution: str | None = None  # reship, refund, compensate, delivered
    amount: Decimal | None = _money(nullable=True)
    note: str = ""


class ReturnAuthorization(SQLModel, table=True):
    """A return the buyer announced (RMA); received goods are restocked or written off."""

    __tablename__ = "returns"

    id: int | None = Field(default=None, primary_key=True)
    rma: str = Field(unique=True)
    order_id: int = _order_fk()
    reason: str
    status: str = "open"  # open, received
    created_at: datetime = _time(nullable=False)
    created_by: str
    received_at: datetime | None = _time()
    disposition: str | None = None  # restock, write_off


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="returns.id", index=True)
    sku: str
    quantity: int
