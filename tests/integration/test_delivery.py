"""After the parcel left, against a real database: events, overdue, exceptions, completion, returns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from oms_testing import SAMPLES, add_order, own_copy, stocked_database
from sqlalchemy import select

from omsctl.domain.errors import Conflict, IllegalTransition, StockProblem, UsageProblem
from omsctl.domain.lifecycle import State
from omsctl.services import delivery, lifecycle
from omsctl.services.event_mappings import load_event_mapping
from omsctl.services.housekeeping import housekeeping
from omsctl.services.logistics_exceptions import exception_queue, resolve_exception
from omsctl.services.overdue import overdue
from omsctl.services.returns import create_return, list_returns, receive_return
from omsctl.store.orders import find_order
from omsctl.store.tables import (
    LogisticsException,
    Order,
    OrderHistory,
    Shipment,
    ShipmentEvent,
    StockLevel,
    StockMovement,
)

SF = ("SF1234500007919", "SF1234500015838", "SF1234500023757")
SHIPPED_AT = datetime(2026, 11, 17, 8, tzinfo=UTC)
HEADER = "tracking_number,time,status,location,detail,reason\n"


NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def stocked(tmp_path_factory, backend):
    return stocked_database(
        backend, tmp_path_factory.mktemp("stocked"), {"TEA-LJ-100": 10, "CUP-CEL-02": 6}, NOW
    )


@pytest.fixture
def shop(isolated, stocked, backend, monkeypatch):
    """The same as conftest's `env`, over a copy of the stocked database."""
    environment = own_copy(backend, stocked, isolated.parent, NOW)
    monkeypatch.setenv("OMSCTL_DB", environment.db)
    yield environment
    environment.engine.dispose()


def ship(
    env,
    number,
    tracking,
    *,
    lines=(("TEA-LJ-100", 2, "12.50"),),
    carrier="SF",
    service="EXPRESS",
    at=SHIPPED_AT,
):
    """An order shipped the way the warehouse ships it: reserved, picked, packed, handed over."""
    add_order(env, number, lines=lines)
    with env.uow() as uow:
        order = find_order(uow.session, number)
        for target in (State.APPROVED, State.PICKING, State.PACKED, State.SHIPPED):
            lifecycle.move(uow.session, order, target, action="test", actor="tester", at=at)
        uow.session.add(
            Shipment(
                order_id=order.id,
                carrier=carrier,
                service=service,
                tracking_number=tracking,
                status="shipped",
                created_at=at,
                shipped_at=at,
            )
        )
        uow.commit()


def events_file(tmp_path, *rows, name="events.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def order_of(env, number):
    with env.uow(write=False) as uow:
        return find_order(uow.session, number)


def all_of(env, table, *where):
    with env.uow(write=False) as uow:
        return list(uow.session.scalars(select(table).where(*where)))


DELIVERED_ROWS = (
    f"{SF[0]},2026-11-17T18:20:00+08:00,已揽收,杭州市西湖区,picked up,",
    f"{SF[0]},2026-11-18T02:05:00+08:00,In Transit,杭州中转场,,",
    f"{SF[0]},2026-11-19T08:40:00+08:00,派送中,上海市浦东新区,,",
    f"{SF[0]},2026-11-19T11:32:00+08:00,DELIVERED,上海市浦东新区,signed by the addressee,",
)


def test_a_delivered_event_delivers_the_order_and_completes_the_shipment(shop, tmp_path):
    ship(shop, "#1", SF[0])
    report = delivery.load_events(shop, events_file(tmp_path, *DELIVERED_ROWS))
    assert (report.rows, report.new, report.delivered, report.rejects) == (4, 4, ["#1"], [])
    order = order_of(shop, "#1")
    assert order.state == "delivered"
    assert order.delivered_at == datetime(2026, 11, 19, 3, 32, tzinfo=UTC)
    [parcel] = all_of(shop, Shipment)
    assert (parcel.status, parcel.delivered_at) == ("delivered", order.delivered_at)
    [moved] = all_of(shop, OrderHistory, OrderHistory.action == "delivered")
    assert moved.detail == (
        f"{SF[0]} delivered at 上海市浦东新区 2026-11-19 03:32 UTC: signed by the addressee"
    )


def test_loading_the_same_events_again_stores_nothing_and_changes_nothing(shop, tmp_path):
    ship(shop, "#1", SF[0])
    path = events_file(tmp_path, *DELIVERED_ROWS, DELIVERED_ROWS[1])
    first = delivery.load_events(shop, path)
    assert (first.new, first.duplicates) == (4, 1)
    again = delivery.load_events(shop, path)
    assert (again.new, again.duplicates, again.delivered) == (0, 5, [])
    assert len(all_of(shop, ShipmentEvent)) == 4
    assert len(all_of(shop, OrderHistory, OrderHistory.action == "delivered")) == 1


def test_a_damaged_parcel_goes_to_the_exception_queue_with_its_reason(shop, tmp_path):
    ship(shop, "#2", SF[1])
    path = events_file(
        tmp_path, f"{SF[1]},2026-11-18T14:12:00+08:00,EXCEPTION,南京转运中心,box crushed,damaged"
    )
    assert delivery.load_events(shop, path).exceptions == ["#2"]
    assert order_of(shop, "#2").state == "exception"
    [row] = exception_queue(shop)
    assert (row.order, row.reason, row.carrier, row.tracking_number, row.detail) == (
        "#2",
        "damaged",
        "SF",
        SF[1],
        "box crushed (南京转运中心)",
    )
    assert row.age_hours == 50  # since the carrier's scan, not since the file was loaded


def test_a_parcel_returned_to_sender_is_an_exception_of_that_reason(shop, tmp_path):
    ship(shop, "#2", SF[1])
    delivery.load_events(
        shop, events_file(tmp_path, f"{SF[1]},2026-11-19T10:00:00Z,退回,,refused,")
    )
    assert [e.reason for e in exception_queue(shop)] == ["returned_to_sender"]


def test_events_are_applied_in_time_order_whatever_the_row_order(shop, tmp_path):
    ship(shop, "#1", SF[0])
    delivery.load_events(shop, events_file(tmp_path, *reversed(DELIVERED_ROWS)))
    assert order_of(shop, "#1").state == "delivered"
    assert all_of(shop, Shipment)[0].status == "delivered"


def test_an_older_event_never_overrides_a_newer_state(shop, tmp_path):
    ship(shop, "#1", SF[0])
    delivery.load_events(shop, events_file(tmp_path, DELIVERED_ROWS[3]))
    late = delivery.load_events(
        shop,
        events_file(
            tmp_path,
            DELIVERED_ROWS[2],
            f"{SF[0]},2026-11-18T09:00:00+08:00,damaged,,,",
            name="late.csv",
        ),
    )
    assert (late.new, late.older, late.exceptions) == (2, 2, [])
    assert order_of(shop, "#1").state == "delivered"
    assert all_of(shop, Shipment)[0].status == "delivered"
    assert all_of(shop, LogisticsException) == []
    assert len(all_of(shop, ShipmentEvent)) == 3


def test_an_unknown_number_is_rejected_with_its_line_and_the_rest_is_applied(shop, tmp_path):
    ship(shop, "#1", SF[0])
    path = events_file(
        tmp_path,
        "SF9999999999999,2026-11-19T10:00:00Z,delivered,,,",
        *DELIVERED_ROWS,
        f"{SF[0]},yesterday,delivered,,,",
    )
    rejects = tmp_path / "rejects.csv"
    report = delivery.load_events(shop, path, rejects_to=rejects)
    assert [str(r) for r in report.rejects] == [
        f"{path}:2: tracking_number: 'SF9999999999999' is not the tracking number of any "
        "shipment (record it with `omsctl track add`)",
        f"{path}:7: time: 'yesterday' is not a date and time this format uses",
    ]
    assert order_of(shop, "#1").state == "delivered"
    assert rejects.read_text(encoding="utf-8-sig").splitlines() == [
        "tracking_number,time,status,location,detail,reason,omsctl_error",
        f"SF9999999999999,2026-11-19T10:00:00Z,delivered,,,,{report.rejects[0]}",
        f"{SF[0]},yesterday,delivered,,,,{report.rejects[1]}",
    ]
    assert delivery.load_events(shop, rejects).rows == 2  # the rejects file loads as it is


def test_a_status_word_nobody_knows_is_rejected_not_guessed(shop, tmp_path):
    ship(shop, "#1", SF[0])
    path = events_file(tmp_path, f"{SF[0]},2026-11-19T10:00:00Z,Parcel teleported,,,")
    [reject] = delivery.load_events(shop, path).rejects
    assert str(reject) == (
        f"{path}:2: status: 'Parcel teleported' is not a status omsctl "
        "knows (add it to [statuses] of a --mapping)"
    )
    assert all_of(shop, ShipmentEvent) == []


def test_a_delivery_after_an_exception_resolves_it_as_delivered(shop, tmp_path):
    ship(shop, "#2", SF[1])
    delivery.load_events(
        shop,
        events_file(
            tmp_path,
            f"{SF[1]},2026-11-18T10:00:00Z,exception,,running late,delayed",
            f"{SF[1]},2026-11-19T10:00:00Z,已签收,,,",
        ),
    )
    assert order_of(shop, "#2").state == "delivered"
    [row] = all_of(shop, LogisticsException)
    assert (row.reason, row.resolution, row.resolved_by) == ("delayed", "delivered", "tester")


def test_events_of_a_replaced_parcel_do_not_move_the_order(shop, tmp_path):
    ship(shop, "#2", SF[1])
    delivery.load_events(shop, events_file(tmp_path, f"{SF[1]},2026-11-18T10:00:00Z,lost,,,"))
    resolve_exception(shop, "#2", reship=True, tracking=SF[2])
    report = delivery.load_events(
        shop, events_file(tmp_path, f"{SF[1]},2026-11-19T10:00:00Z,delivered,,,", name="found.csv")
    )
    assert order_of(shop, "#2").state == "shipped"
    assert report.notes == [
        f"{SF[1]}: {SF[1]} delivered 2026-11-19 10:00 UTC left order #2 "
        "as it is (an earlier shipment of the order)"
    ]


def test_another_carriers_export_is_read_through_a_mapping(shop, tmp_path):
    ship(shop, "#3", "3400100001", carrier="DHL", service="EXPRESS")
    mapping = tmp_path / "dhl.toml"
    mapping.write_text(
        'delimiter = ";"\nencoding = "cp1252"\ndate_format = "%d.%m.%Y %H:%M"\n'
        'timezone = "Europe/Berlin"\n\n[columns]\ntracking_number = "Sendungsnummer"\n'
        'time = "Datum"\nstatus = "Status"\nlocation = "Ort"\n\n[statuses]\n'
        '"Die Sendung wurde dem Empfänger übergeben" = "delivered"\n'
        '"Annahme verweigert" = "refused"\n',
        encoding="utf-8",
    )
    export = tmp_path / "dhl.csv"
    export.write_bytes(
        "Sendungsnummer;Datum;Status;Ort;Produkt\n"
        "3400100001;19.11.2026 10:15;Die Sendung wurde dem Empfänger übergeben;Köln;Paket\n".encode(
            "cp1252"
        )
    )
    report = delivery.load_events(shop, export, mapping=mapping)
    assert (report.rejects, report.delivered) == ([], ["#3"])
    [event] = all_of(shop, ShipmentEvent)
    assert (event.at, event.location) == (datetime(2026, 11, 19, 9, 15, tzinfo=UTC), "Köln")


def test_a_mapping_that_names_an_unknown_meaning_is_refused_with_the_file(tmp_path, shop):
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[columns]\ntracking_number = "No"\ntime = "T"\nstatus = "S"\n'
        '[statuses]\n"Zugestellt" = "done"\n',
        encoding="utf-8",
    )
    with pytest.raises(UsageProblem) as refused:
        load_event_mapping(mapping)
    assert str(refused.value).startswith(
        f"{mapping}: [statuses] 'Zugestellt' = 'done' is not something omsctl knows; use one of "
        "statuses: pre_transit,"
    )


def promise(tmp_path, text):
    (tmp_path / "omsctl.toml").write_text(text, encoding="utf-8")


def test_a_parcel_silent_longer_than_promised_plus_margin_is_overdue(shop, tmp_path):
    promise(tmp_path, '[tracking.promised_days]\n"SF EXPRESS" = 1\n')
    ship(shop, "#1", SF[0], service="EXPRESS")  # 1 + 2 days: overdue from 11-20 08:00
    ship(shop, "#2", SF[1], service="STANDARD")  # SF: 3 + 2 days
    ship(shop, "#3", SF[2], service="EXPRESS")
    delivery.load_events(shop, events_file(tmp_path, f"{SF[2]},2026-11-18T12:00:00Z,in transit,,,"))
    found = overdue(shop)
    assert [(o.order, o.promised_days, o.days_silent, o.flagged) for o in found] == [
        ("#1", 1, 3, False)
    ]
    assert order_of(shop, "#1").state == "shipped"


def test_overdue_with_flag_queues_the_parcel_as_delayed_once(shop, tmp_path):
    ship(shop, "#1", SF[0], at=datetime(2026, 11, 10, tzinfo=UTC))
    assert [o.order for o in overdue(shop, flag=True)] == ["#1"]
    assert overdue(shop, flag=True) == []
    [row] = exception_queue(shop)
    assert (row.order, row.reason, row.state) == ("#1", "delayed", "exception")
    assert row.detail == "no carrier event for 10 days (SF EXPRESS promises 3 + 2 days margin)"


def damaged(env, tmp_path, number="#2", tracking=SF[1], **kwargs):
    ship(env, number, tracking, **kwargs)
    delivery.load_events(
        env,
        events_file(
            tmp_path,
            f"{tracking},2026-11-18T06:12:00Z,exception,,box crushed,damaged",
            name=f"{tracking}.csv",
        ),
    )


def test_a_reship_takes_the_units_again_from_their_bin_and_ships_a_new_parcel(shop, tmp_path):
    damaged(shop, tmp_path)
    done = resolve_exception(shop, "#2", reship=True, note="crushed box")
    assert (done.from_state, done.to_state, done.exceptions, done.tracking_number) == (
        "exception",
        "shipped",
        1,
        None,
    )
    assert done.taken == ("TEA-LJ-100×2 from BER/A-01-1",)
    [level] = all_of(shop, StockLevel, StockLevel.sku == "TEA-LJ-100")
    assert (level.on_hand, level.reserved) == (6, 0)
    [move] = all_of(shop, StockMovement, StockMovement.kind == "adjust")
    assert (move.delta_on_hand, move.reason, move.order_id) == (-2, "reship #2", 1)
    old, new = all_of(shop, Shipment)
    assert old.status == "exception"
    assert (new.status, new.carrier, new.service, new.tracking_number) == (
        "created",
        "SF",
        "EXPRESS",
        None,
    )
    [row] = all_of(shop, LogisticsException)
    assert (row.resolution, row.note) == ("reship", "crushed box")
    [history] = all_of(shop, OrderHistory, OrderHistory.action == "reship")
    assert history.detail == (
        "reship: new shipment SF (no tracking number yet);"
        " TEA-LJ-100×2 from BER/A-01-1; crushed box"
    )


def test_a_reship_without_stock_names_the_sku_and_changes_nothing(shop, tmp_path):
    damaged(shop, tmp_path, lines=(("CUP-CEL-02", 4, "9.90"),))
    with pytest.raises(StockProblem) as refused:
        resolve_exception(shop, "#2", reship=True)
    assert str(refused.value) == (
        "cannot reship order #2: not enough stock (CUP-CEL-02 needs 4, 2 available); receive "
        "stock (`omsctl stock import --add`) or resolve with --refund"
    )
    assert order_of(shop, "#2").state == "exception"
    assert len(all_of(shop, Shipment)) == 1


def test_a_refund_records_the_order_total_and_cancels_the_order(shop, tmp_path):
    damaged(shop, tmp_path)
    done = resolve_exception(shop, "#2", refund=True)
    assert (done.to_state, done.amount, done.currency) == ("cancelled", Decimal("25.00"), "EUR")
    [row] = all_of(shop, LogisticsException)
    assert (row.resolution, row.amount) == ("refund", Decimal("25.00"))
    [history] = all_of(shop, OrderHistory, OrderHistory.action == "refund")
    assert (history.from_state, history.to_state, history.detail) == (
        "exception",
        "cancelled",
        "refund 25.00 EUR",
    )


def test_a_compensation_keeps_the_parcel_going(shop, tmp_path):
    damaged(shop, tmp_path)
    done = resolve_exception(shop, "#2", compensate="5.00", note="voucher")
    assert (done.to_state, done.amount) == ("shipped", Decimal("5.00"))
    assert all_of(shop, LogisticsException)[0].resolution == "compensate"


def test_a_compensation_after_a_known_delivery_delivers_the_order(shop, tmp_path):
    damaged(shop, tmp_path)
    delivery.load_events(
        shop, events_file(tmp_path, f"{SF[1]},2026-11-17T20:00:00Z,delivered,,,", name="late.csv")
    )
    assert order_of(shop, "#2").state == "exception"  # older than the damage: no effect
    assert resolve_exception(shop, "#2", compensate="3").to_state == "delivered"
    assert order_of(shop, "#2").delivered_at == datetime(2026, 11, 17, 20, tzinfo=UTC)


def test_only_one_resolution_at_a_time_and_only_for_an_open_exception(shop, tmp_path):
    ship(shop, "#1", SF[0])
    with pytest.raises(UsageProblem, match="--reship and --refund cannot be used together"):
        resolve_exception(shop, "#1", reship=True, refund=True)
    with pytest.raises(Exception, match="order #1 has no open logistics exception"):
        resolve_exception(shop, "#1", refund=True)


def test_housekeeping_completes_delivered_orders_after_the_window_once(shop, tmp_path):
    ship(shop, "#1", SF[0])
    delivery.load_events(shop, events_file(tmp_path, DELIVERED_ROWS[3]))
    assert housekeeping(shop).waiting == 1
    shop.now = lambda: datetime(2026, 12, 3, 3, 32, tzinfo=UTC)  # 14 days after the doorstep
    first = housekeeping(shop)
    assert (first.completed, first.waiting) == (("#1",), 0)
    assert housekeeping(shop).completed == ()
    assert order_of(shop, "#1").state == "completed"


def delivered(env, tmp_path, lines=(("TEA-LJ-100", 2, "12.50"), ("CUP-CEL-02", 1, "9.90"))):
    ship(env, "#1", SF[0], lines=lines)
    delivery.load_events(env, events_file(tmp_path, DELIVERED_ROWS[3]))


def test_a_return_never_exceeds_what_was_ordered_minus_earlier_returns(shop, tmp_path):
    delivered(shop, tmp_path)
    first = create_return(shop, "#1", {"TEA-LJ-100": 1}, "wrong tea")
    assert (first.rma, first.lines, first.status) == ("RMA-00001", "TEA-LJ-100×1", "open")
    with pytest.raises(Conflict) as refused:
        create_return(shop, "#1", {"TEA-LJ-100": 2}, "wrong tea")
    assert str(refused.value) == (
        "cannot return 2 of TEA-LJ-100 from order #1: 2 ordered, 1 on "
        "earlier returns; at most 1 can still be returned"
    )
    with pytest.raises(Exception, match="order #1 has no line KETTLE-GS-1L"):
        create_return(shop, "#1", {"KETTLE-GS-1L": 1}, "oops")


def test_an_order_that_has_not_shipped_cannot_be_returned(shop):
    add_order(shop, "#9")
    with pytest.raises(IllegalTransition, match="order #9 is new: only shipped, delivered"):
        create_return(shop, "#9", {"TEA-LJ-100": 1}, "changed mind")


def test_restocking_puts_the_goods_back_in_their_bin_and_returns_the_order(shop, tmp_path):
    delivered(shop, tmp_path)
    rma = create_return(shop, "#1", {"TEA-LJ-100": 2, "CUP-CEL-02": 1}, "too late")
    done = receive_return(shop, rma.rma, restock=True)
    assert done.placed == ("TEA-LJ-100×2 to BER/A-01-1", "CUP-CEL-02×1 to BER/A-01-2")
    assert (done.from_state, done.to_state, done.complete) == ("delivered", "returned", True)
    levels = {r.sku: r.on_hand for r in all_of(shop, StockLevel)}
    assert levels == {"TEA-LJ-100": 10, "CUP-CEL-02": 6}
    moves = all_of(
        shop, StockMovement, StockMovement.kind == "receive", StockMovement.order_id == 1
    )
    assert [(m.sku, m.delta_on_hand, m.reason) for m in moves] == [
        ("TEA-LJ-100", 2, "return RMA-00001"),
        ("CUP-CEL-02", 1, "return RMA-00001"),
    ]
    with pytest.raises(Conflict, match="RMA-00001 was received already"):
        receive_return(shop, "1", write_off=True)


def test_a_partial_return_keeps_the_order_and_says_so_in_history(shop, tmp_path):
    delivered(shop, tmp_path)
    rma = create_return(shop, "#1", {"CUP-CEL-02": 1}, "chipped")
    done = receive_return(shop, rma.rma, write_off=True, note="rim broken")
    assert (done.to_state, done.complete, done.placed) == ("delivered", False, ())
    assert (
        all_of(shop, StockMovement, StockMovement.kind == "receive", StockMovement.order_id == 1)
        == []
    )
    [note] = all_of(shop, OrderHistory, OrderHistory.action == "return_received")
    assert note.detail == (
        "RMA-00001 received (write_off): CUP-CEL-02×1; rim broken; partial "
        "return, the order stays delivered"
    )
    assert [(r.rma, r.status, r.disposition) for r in list_returns(shop)] == [
        ("RMA-00001", "received", "write_off")
    ]


def test_the_sample_events_deliver_one_parcel_queue_one_and_leave_one_silent(shop, tmp_path):
    for number, tracking in zip(("#1", "#2", "#3"), SF, strict=True):
        ship(shop, number, tracking, at=datetime(2026, 11, 17, 8, tzinfo=UTC))
    report = delivery.load_events(shop, SAMPLES / "tracking" / "events.csv")
    assert (report.rejects, report.duplicates, report.delivered, report.exceptions) == (
        [],
        1,
        ["#1"],
        ["#2"],
    )
    shop.now = lambda: datetime(2026, 11, 23, tzinfo=UTC)
    assert [o.order for o in overdue(shop)] == ["#3"]
    with shop.uow(write=False) as uow:
        states = dict(uow.session.execute(select(Order.channel_order_no, Order.state)).all())
    assert states == {"#1": "delivered", "#2": "exception", "#3": "shipped"}
