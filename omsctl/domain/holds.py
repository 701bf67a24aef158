"""Hold reasons: why an order waits for a person, how urgent it is, and how long it may wait."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HoldReason:
    code: str
    text: str
    priority: int  # 1 is the most urgent
    sla_hours: int  # how long a person has to resolve it


REASONS: dict[str, HoldReason] = {
    r.code: r
    for r in (
        HoldReason("unpaid", "payment not confirmed", 3, 72),
        HoldReason("address_incomplete", "ship-to address lacks what the country needs", 1, 24),
        HoldReason("phone_invalid", "phone number is not valid for the ship-to country", 2, 24),
        HoldReason("unknown_sku", "a line's SKU is not in the product master", 1, 24),
        HoldReason("out_of_stock", "not enough stock available to ship", 2, 48),
        HoldReason("duplicate_suspect", "many orders from the same phone or address", 2, 24),
        HoldReason("high_value", "order total above the review threshold", 2, 24),
        HoldReason("buyer_note", "buyer remark a person must read", 3, 24),
        HoldReason("carrier_unavailable", "no carrier can take this parcel", 2, 24),
        HoldReason(
            "changed_on_channel", "the channel changed lines or address after approval", 1, 8
        ),
        HoldReason("cancelled_on_channel", "cancelled on the channel after it shipped", 1, 8),
        HoldReason("manual", "held by a person", 3, 48),
    )
}


def reason(code: str) -> HoldReason:
    """The catalogue entry for a hold code; unknown codes are refused with the known ones."""
    try:
        return REASONS[code]
    except KeyError:
        from omsctl.domain.errors import UsageProblem

        known = ", ".join(sorted(REASONS))
        raise UsageProblem(f"unknown hold reason {code!r}", hint=f"use one of: {known}") from None
