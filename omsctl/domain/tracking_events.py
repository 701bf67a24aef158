"""Carrier status events: our words for them, and what each one does to a parcel and its order.

Every carrier says "delivered" differently ("DELIVERED", "Signed for", "已签收", "Zugestellt"),
so events are read into one small vocabulary of statuses before anything acts on them; a word
omsctl does not know is refused rather than guessed, because a guess that turns "attempted"
into "delivered" completes an order whose buyer never got the parcel. The rules for what a
status does to the order, when a shipment is overdue and when a delivered order completes
live here, so the loading service only carries them out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from omsctl.domain.lifecycle import State


class EventStatus(StrEnum):
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


class ExceptionReason(StrEnum):
    DELAYED = "delayed"
    LOST = "lost"
    DAMAGED = "damaged"
    REFUSED = "refused"
    ADDRESS_PROBLEM = "address_problem"
    RETURNED_TO_SENDER = "returned_to_sender"
    #: The carrier reported an exception without saying why; a person has to look.
    OTHER = "other"


#: Statuses that put the order in the logistics exception queue.
TROUBLE: frozenset[EventStatus] = frozenset({EventStatus.EXCEPTION, EventStatus.RETURNED_TO_SENDER})

#: Orders of statuses that share one timestamp: the later step of a parcel's journey wins.
_PROGRESS = {
    EventStatus.PRE_TRANSIT: 0,
    EventStatus.IN_TRANSIT: 1,
    EventStatus.OUT_FOR_DELIVERY: 2,
    EventStatus.FAILED_ATTEMPT: 3,
    EventStatus.EXCEPTION: 4,
    EventStatus.RETURNED_TO_SENDER: 5,
    EventStatus.DELIVERED: 6,
}

#: Days a carrier is assumed to promise when the settings name neither it nor its service.
DEFAULT_PROMISED_DAYS = 7


@dataclass(frozen=True, slots=True)
class Reading:
    """A carrier's word, understood: our status and, for exceptions, why."""

    status: EventStatus
    reason: ExceptionReason | None = None


_S, _R = EventStatus, ExceptionReason
_T = TypeVar("_T")


def _listed(groups: Mapping[_T, str]) -> dict[str, _T]:
    """Comma-separated word lists -> word to meaning (lists stay readable as prose)."""
    return {
        word.strip(): meaning
        for meaning, words in groups.items()
        for word in words.split(",")
        if word.strip()
    }


#: Carrier wording (compared after `word_key`) -> our status. English as the big carriers'
#: APIs and exports write it, Chinese as SF, ZTO, YTO and China Post's tracking pages do,
#: and the German of DHL Paket. Our own names are words too.
STATUS_WORDS: dict[str, EventStatus] = _listed(
    {
        _S.PRE_TRANSIT: """
            pre transit, label created, label printed, shipment information received,
            information received, electronic notification received, manifested,
            order information received, shipment created, awaiting collection,
            已下单, 待揽收, 待揽件, 已打印面单,
            sendungsdaten übermittelt, elektronisch angekündigt""",
        _S.IN_TRANSIT: """
            in transit, transit, picked up, accepted, collected, shipment picked up,
            arrived at facility, departed facility, arrived at sort facility,
            departed sort facility, processed, processed at facility, on the way,
            in transit to destination, arrived at destination facility, customs cleared,
            已揽收, 已揽件, 已收件, 已收取快件, 揽收, 运输中, 在途, 在途中, 已发出, 转运中,
            到达, 已到达, 清关完成,
            unterwegs, in bearbeitung, abgeholt""",
        _S.OUT_FOR_DELIVERY: """
            out for delivery, with delivery courier, on vehicle for delivery,
            out for delivery today, 派送中, 派件中, 正在派送, 待派送, 派送,
            in zustellung, wird zugestellt""",
        _S.DELIVERED: """
            delivered, signed, signed for, delivered signed, delivered to recipient,
            已签收, 签收, 已送达, 已妥投, 妥投, 已派送并签收,
            zugestellt, geliefert""",
        _S.FAILED_ATTEMPT: """
            failed attempt, delivery attempted, attempted delivery, attempted,
            delivery attempt failed, attempt failed, not delivered, recipient not available,
            派送失败, 投递失败, 未妥投, 派送不成功,
            zustellversuch, nicht zugestellt""",
        _S.EXCEPTION: """
            exception, delivery exception, shipment exception, problem, on hold,
            问题件, 异常, 疑难件, 异常件,
            problem mit der sendung""",
        _S.RETURNED_TO_SENDER: """
            returned to sender, return to sender, returning to sender, returned, rts,
            退回, 已退回, 退件, 退回寄件人, 已退回寄件人,
            rücksendung, zurück an absender""",
    }
)

#: Words for why a parcel is in trouble, in the reason column or as the status itself.
REASON_WORDS: dict[str, ExceptionReason] = _listed(
    {
        _R.DELAYED: "delayed, delay, late, running late, weather delay, 延误, 延迟, verzögert",
        _R.LOST: "lost, missing, lost in transit, 丢失, 遗失, 丢件, verloren",
        _R.DAMAGED: "damaged, damage, damaged in transit, broken, 破损, 损坏, beschädigt",
        _R.REFUSED: """
            refused, rejected, refused by recipient, delivery refused, 拒收, 拒签,
            annahme verweigert, verweigert""",
        _R.ADDRESS_PROBLEM: """
            address problem, address issue, incorrect address, wrong address, bad address,
            insufficient address, address unknown, undeliverable address,
            地址错误, 地址不详, 地址有误, adresse falsch, empfänger unbekannt""",
        _R.RETURNED_TO_SENDER: "returned to sender",
        _R.OTHER: "other, 其他",
    }
)

_PUNCTUATION = re.compile(r"[\s\-_/.,:;!()\[\]'\"]+")


def word_key(word: str) -> str:
    """How carrier wording is compared: case, width, punctuation and spacing don't matter."""
    folded = unicodedata.normalize("NFKC", word).casefold()
    return _PUNCTUATION.sub(" ", folded).strip()


def read_target(name: str) -> Reading | None:
    """What a mapping's `[statuses]` value names: a status, or a reason (an exception)."""
    key = word_key(name).replace(" ", "_")
    if key in _STATUS_NAMES:
        status = EventStatus(key)
        return Reading(status, _implied_reason(status))
    if key in _REASON_NAMES:
        return Reading(EventStatus.EXCEPTION, ExceptionReason(key))
    return None


_STATUS_NAMES = frozenset(s.value for s in EventStatus)
_REASON_NAMES = frozenset(r.value for r in ExceptionReason)


def _implied_reason(status: EventStatus) -> ExceptionReason | None:
    """A parcel coming back is its own reason; other statuses imply none."""
    return ExceptionReason.RETURNED_TO_SENDER if status is _S.RETURNED_TO_SENDER else None


class UnreadableEvent(ValueError):
    """A status or reason word that is in no vocabulary; the loader rejects the row."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words understood: the built-in ones, plus a mapping's own (which win)."""

    statuses: Mapping[str, Reading]
    reasons: Mapping[str, ExceptionReason]

    def status(self, word: str) -> Reading | None:
        """The reading of a status word, `exception damaged` style compounds included."""
        key = word_key(word)
        if not key:
            return None
        found = self.statuses.get(key)
        if found is not None:
            return found
        head, _, rest = key.partition(" ")
        if head == "exception" and rest:
            reason = self.reason(rest)
            if reason is not None:
                return Reading(EventStatus.EXCEPTION, reason)
        reason = self.reasons.get(key)
        if reason is not None:  # a carrier that writes only "Damaged"
            return Reading(EventStatus.EXCEPTION, reason)
        return None

    def reason(self, word: str) -> ExceptionReason | None:
        return self.reasons.get(word_key(word))


def vocabulary(
    statuses: Mapping[str, Reading] | None = None,
    reasons: Mapping[str, ExceptionReason] | None = None,
) -> Vocabulary:
    """The built-in words overlaid by a carrier mapping's `[statuses]` and `[reasons]`."""
    known = {word_key(w): Reading(s, _implied_reason(s)) for w, s in STATUS_WORDS.items()}
    for status in EventStatus:
        known.setdefault(word_key(status.value), Reading(status, _implied_reason(status)))
    known.update({word_key(w): r for w, r in (statuses or {}).items()})
    why = {word_key(w): r for w, r in REASON_WORDS.items()}
    for reason in ExceptionReason:
        why[word_key(reason.value)] = reason
    why.update({word_key(w): r for w, r in (reasons or {}).items()})
    return Vocabulary(known, why)


BUILT_IN = vocabulary()


def reading_of(status_word: str, reason_word: str = "", words: Vocabulary = BUILT_IN) -> Reading:
    """Status and reason of one event; raises `UnreadableEvent` naming the column.

    An exception takes the reason column's reason over the one its status word implies (the
    carrier wrote "Exception", reason "Damaged"); an exception with no reason at all is
    `other`, for a person to look at. A parcel returned to sender is always that reason, and
    other statuses carry none: a failed attempt is not trouble yet.
    """
    reading = words.status(status_word)
    if reading is None:
        raise UnreadableEvent("status", f"{status_word.strip()!r} is not a status omsctl knows")
    if reading.status is EventStatus.RETURNED_TO_SENDER:
        return Reading(reading.status, ExceptionReason.RETURNED_TO_SENDER)
    if reading.status is not EventStatus.EXCEPTION:
        return Reading(reading.status)
    reason = reading.reason
    if reason_word.strip():
        reason = words.reason(reason_word)
        if reason is None:
            raise UnreadableEvent("reason", f"{reason_word.strip()!r} is not a reason omsctl knows")
    return Reading(reading.status, reason or ExceptionReason.OTHER)


def progress(status: EventStatus) -> int:
    """Tie-break for events at the same moment: the later step of the journey counts."""
    return _PROGRESS[status]


def shipment_status(current: str, event: EventStatus) -> str:
    """The shipment's status after a newer event: a delivered parcel stays delivered.

    Carriers keep scanning after delivery (a depot's "processed" of the empty cage, the
    return leg of a refused parcel); none of that un-delivers a parcel the buyer signed for.
    """
    if current == EventStatus.DELIVERED:
        return current
    return event.value


@dataclass(frozen=True, slots=True)
class Effect:
    """What one (newest) event does to its order."""

    move_to: State | None = None
    open_exception: bool = False
    resolve_exceptions: bool = False
    #: Why the order was left as it is, when the event would have moved it.
    note: str = ""


def effect(status: EventStatus, order_state: State, *, current_shipment: bool) -> Effect:
    """The order's side of an event, by its status and where the order is.

    Only the order's newest shipment speaks for it: once a damaged parcel was reshipped, the
    first parcel's late "delivered" does not mean the buyer has the replacement.
    """
    if status is EventStatus.DELIVERED:
        if not current_shipment:
            return Effect(note="an earlier shipment of the order")
        if order_state is State.SHIPPED:
            return Effect(move_to=State.DELIVERED)
        if order_state is State.EXCEPTION:
            return Effect(move_to=State.DELIVERED, resolve_exceptions=True)
        return Effect(note=f"the order is {order_state.value}")
    if status in TROUBLE:
        if not current_shipment:
            return Effect(note="an earlier shipment of the order")
        if order_state is State.SHIPPED:
            return Effect(move_to=State.EXCEPTION, open_exception=True)
        if order_state is State.EXCEPTION:
            return Effect(open_exception=True)
        return Effect(note=f"the order is {order_state.value}")
    return Effect()


def promised_days(
    table: Mapping[str, int], carrier: str, service: str, default: int = DEFAULT_PROMISED_DAYS
) -> int:
    """Days the carrier promises: `CARRIER SERVICE` first, then `CARRIER`, then the default.

    Keys are compared without regard to case, so `"sf express"` in a hand-written settings
    file still finds SF's EXPRESS service.
    """
    folded = {" ".join(k.split()).upper(): v for k, v in table.items()}
    name = carrier.strip().upper()
    specific = f"{name} {service.strip().upper()}".strip()
    if service.strip() and specific in folded:
        return folded[specific]
    return folded.get(name, default)


def overdue_after(since: datetime, promised: int, margin_days: int) -> datetime:
    """The moment a shipment silent since `since` becomes overdue."""
    return since + timedelta(days=promised + margin_days)


def is_overdue(since: datetime, promised: int, margin_days: int, now: datetime) -> bool:
    """True when nothing was heard of a parcel for longer than promised plus the margin.

    `since` is the last carrier event, or the ship time when the carrier never scanned it.
    Exactly at the limit it is not late yet: the promise is kept to the minute.
    """
    if since.tzinfo is None or now.tzinfo is None:
        raise ValueError("is_overdue needs aware datetimes (UTC), got a naive one")
    return now > overdue_after(since, promised, margin_days)


def confirmation_over(delivered_at: datetime, completion_days: int, now: datetime) -> bool:
    """True when a delivered order's confirmation window has passed and it may complete."""
    if delivered_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("confirmation_over needs aware datetimes (UTC), got a naive one")
    return now >= delivered_at + timedelta(days=completion_days)
