"""Carrier events in our words, and what each does to a parcel and its order (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from omsctl.domain.lifecycle import State
from omsctl.domain.tracking_events import (
    BUILT_IN,
    Effect,
    EventStatus,
    ExceptionReason,
    Reading,
    UnreadableEvent,
    confirmation_over,
    effect,
    is_overdue,
    progress,
    promised_days,
    read_target,
    reading_of,
    shipment_status,
    vocabulary,
    word_key,
)

S, R = EventStatus, ExceptionReason
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("In Transit", S.IN_TRANSIT),
        ("out-for-delivery", S.OUT_FOR_DELIVERY),
        ("DELIVERED", S.DELIVERED),
        ("已签收", S.DELIVERED),
        ("派送中", S.OUT_FOR_DELIVERY),
        ("已揽收", S.IN_TRANSIT),
        ("Shipment information received", S.PRE_TRANSIT),
        ("pre_transit", S.PRE_TRANSIT),
        ("Delivery attempted", S.FAILED_ATTEMPT),
        ("Zugestellt", S.DELIVERED),
        ("  Out  For  Delivery. ", S.OUT_FOR_DELIVERY),
        ("ＤＥＬＩＶＥＲＥＤ", S.DELIVERED),
        ("Returned to sender", S.RETURNED_TO_SENDER),
    ],
)
def test_carrier_wording_reads_as_our_status(word, status):
    assert reading_of(word).status is status


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        ("Exception", "Address problem", R.ADDRESS_PROBLEM),
        ("exception", "", R.OTHER),
        ("Damaged", "", R.DAMAGED),
        ("Exception - Refused", "", R.REFUSED),
        ("问题件", "破损", R.DAMAGED),
        ("lost", "", R.LOST),
        ("returned_to_sender", "refused", R.RETURNED_TO_SENDER),
    ],
)
def test_an_exception_carries_the_reason_from_its_column_or_its_own_word(status, reason, expected):
    assert reading_of(status, reason).reason is expected


def test_statuses_that_are_no_trouble_carry_no_reason():
    assert reading_of("delivered", "damaged") == Reading(S.DELIVERED)


def test_an_unknown_word_is_refused_naming_the_column_never_guessed():
    with pytest.raises(UnreadableEvent) as refused:
        reading_of("Parcel teleported")
    assert (refused.value.column, refused.value.reason) == (
        "status",
        "'Parcel teleported' is not a status omsctl knows",
    )
    with pytest.raises(UnreadableEvent, match="reason: 'eaten' is not a reason omsctl knows"):
        reading_of("exception", "eaten")
    with pytest.raises(UnreadableEvent):
        reading_of("   ")


def test_a_mappings_words_are_added_and_win_over_the_built_in_ones():
    words = vocabulary(
        {"Attempted": Reading(S.EXCEPTION, R.ADDRESS_PROBLEM)}, {"Kaputt": R.DAMAGED}
    )
    assert reading_of("attempted", "", words) == Reading(S.EXCEPTION, R.ADDRESS_PROBLEM)
    assert reading_of("exception", "KAPUTT", words).reason is R.DAMAGED
    assert reading_of("attempted").status is S.FAILED_ATTEMPT  # the built-in words are untouched


def test_a_mapping_target_is_a_status_or_a_reason_which_means_an_exception():
    assert read_target("delivered") == Reading(S.DELIVERED)
    assert read_target("Out for delivery") == Reading(S.OUT_FOR_DELIVERY)
    assert read_target("damaged") == Reading(S.EXCEPTION, R.DAMAGED)
    assert read_target("returned_to_sender") == Reading(S.RETURNED_TO_SENDER, R.RETURNED_TO_SENDER)
    assert read_target("teleported") is None


def test_word_keys_ignore_case_width_punctuation_and_spacing():
    assert word_key(" Out-For_Delivery! ") == word_key("out for delivery") == "out for delivery"
    assert BUILT_IN.status("") is None


def test_the_later_step_of_the_journey_wins_a_tie():
    assert progress(S.DELIVERED) > progress(S.OUT_FOR_DELIVERY) > progress(S.PRE_TRANSIT)


def test_a_delivered_parcel_stays_delivered_whatever_is_scanned_after():
    assert shipment_status("delivered", S.IN_TRANSIT) == "delivered"
    assert shipment_status("shipped", S.IN_TRANSIT) == "in_transit"
    assert shipment_status("in_transit", S.EXCEPTION) == "exception"


@pytest.mark.parametrize(
    ("status", "state", "expected"),
    [
        (S.DELIVERED, State.SHIPPED, Effect(move_to=State.DELIVERED)),
        (S.DELIVERED, State.EXCEPTION, Effect(move_to=State.DELIVERED, resolve_exceptions=True)),
        (S.DELIVERED, State.DELIVERED, Effect(note="the order is delivered")),
        (S.EXCEPTION, State.SHIPPED, Effect(move_to=State.EXCEPTION, open_exception=True)),
        (S.RETURNED_TO_SENDER, State.SHIPPED, Effect(move_to=State.EXCEPTION, open_exception=True)),
        (S.EXCEPTION, State.EXCEPTION, Effect(open_exception=True)),
        (S.EXCEPTION, State.COMPLETED, Effect(note="the order is completed")),
        (S.IN_TRANSIT, State.EXCEPTION, Effect()),
        (S.FAILED_ATTEMPT, State.SHIPPED, Effect()),
    ],
)
def test_what_an_event_does_to_its_order(status, state, expected):
    assert effect(status, state, current_shipment=True) == expected


def test_only_the_newest_shipment_speaks_for_the_order():
    assert effect(S.DELIVERED, State.SHIPPED, current_shipment=False) == Effect(
        note="an earlier shipment of the order"
    )


def test_promised_days_are_looked_up_by_carrier_and_service_then_carrier_then_default():
    table = {"SF": 3, "sf express": 1, "DHL": 5}
    assert promised_days(table, "SF", "EXPRESS") == 1
    assert promised_days(table, "SF", "STANDARD") == 3
    assert promised_days(table, "SF", "") == 3
    assert promised_days(table, "POST", "STANDARD") == 7


def test_a_parcel_is_overdue_only_after_promised_days_plus_the_margin():
    since = AT - timedelta(days=5)
    assert not is_overdue(since, 3, 2, AT)
    assert is_overdue(since - timedelta(seconds=1), 3, 2, AT)
    with pytest.raises(ValueError, match="naive"):
        is_overdue(since.replace(tzinfo=None), 3, 2, AT)


def test_a_delivered_order_completes_once_the_confirmation_window_is_over():
    assert confirmation_over(AT - timedelta(days=14), 14, AT)
    assert not confirmation_over(AT - timedelta(days=13, hours=23), 14, AT)
