"""The review rules: which new orders a person must look at before stock is reserved.

Each rule is a small function named after the hold code it raises. It reads plain facts about
one order (`OrderFacts`), its tuning (`ReviewSettings`, read in review_settings.py) and, for
the address and phone rules, a checker behind a Protocol, and returns at most one `Finding`.
`review` runs the enabled rules in a fixed order. Nothing here reads the database or a
library: the service gathers the facts that need queries (unknown SKUs, short stock, recent
orders) and passes real checkers, tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from omsctl.domain.payments import payment_confirmed
from omsctl.domain.review_settings import ReviewSettings, dialled, email_key, note_words
from omsctl.domain.splitting import address_key

#: Our ship-to field names, in the order problems are reported.
ADDRESS_FIELDS = ("street1", "street2", "district", "city", "province", "postal_code")

_LABELS = {
    "street1": "street",
    "street2": "street line 2",
    "district": "district",
    "city": "city",
    "province": "province/state",
    "postal_code": "postal code",
    "country": "country",
}


class AddressCheck(Protocol):
    """Knows what each destination country requires of an address.

    `fields` maps our field names (`ADDRESS_FIELDS`, plus `name` and `company`) to the typed
    values. Both methods answer with our field names, in `ADDRESS_FIELDS` order, and `()`
    when all is well; `country` is named when the country itself is missing or unknown.
    """

    def missing(self, country: str, fields: Mapping[str, str]) -> tuple[str, ...]:
        """Fields the country requires that are empty."""
        ...

    def invalid(self, country: str, fields: Mapping[str, str]) -> tuple[str, ...]:
        """Fields that are filled in but cannot be right for the country."""
        ...


class PhoneCheck(Protocol):
    """Knows which phone numbers can be dialled, and writes them one way (E.164)."""

    def normalise(self, raw: str, country: str) -> str | None:
        """`raw` in E.164 (`+8613800138000`), read as dialled in `country`; None if invalid."""
        ...


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """All a rule needs about one order, as plain values.

    The service fills the precomputed facts: `unknown_skus` (SKUs not in the product master),
    `short_skus` (SKU -> (units needed, units available on hand minus reserved in the best
    warehouse allowed to ship it)), and `recent_same_phone` / `recent_same_address`: how many
    orders, *this one included*, share this order's normalised phone / `address_fingerprint`
    within `duplicate_window_hours` (0 when the order has no usable phone or address).
    `phone` is the raw ship-to phone (the buyer's when the address has none).
    """

    order_id: int
    channel_order_no: str
    currency: str
    total: Decimal
    payment_status: str
    buyer_note: str = ""
    buyer_email: str = ""
    phone: str = ""
    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    district: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""
    country: str = ""
    lines: tuple[tuple[str, int], ...] = ()
    unknown_skus: frozenset[str] = frozenset()
    short_skus: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    recent_same_phone: int = 0
    recent_same_address: int = 0

    def address_fields(self) -> dict[str, str]:
        """The ship-to fields by our names, as `AddressCheck` reads them."""
        return {
            "name": self.name,
            "company": self.company,
            "street1": self.street1,
            "street2": self.street2,
            "district": self.district,
            "city": self.city,
            "province": self.province,
            "postal_code": self.postal_code,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason to hold an order: a hold code of `omsctl.domain.holds` and what to do."""

    reason: str
    detail: str


def address_fingerprint(
    street1: str, street2: str, city: str, postal_code: str, country: str
) -> str:
    """A key equal for two orders to the same door, however typed, whoever the recipient.

    "Rua Augusta 10" and "rua augusta, 10" match (casefolded, punctuation and spaces folded,
    as `splitting.address_key`). The name is left out on purpose: reshipping fraud sends many
    orders under different names to one address. District and province are left out because
    channels put them in the street line or not at random. "" when there is no street, so
    blank addresses never count as duplicates of each other.
    """
    if not address_key("", street1, street2, "", "", ""):
        return ""
    return address_key("", street1, street2, city, postal_code, country)


# The rules. Each returns a Finding or None; `review` decides which run.


def check_address_incomplete(facts: OrderFacts, check: AddressCheck) -> Finding | None:
    """Hold an address lacking what its country requires, so no label is printed for a parcel
    the carrier cannot deliver or will return. The rules per country come from the checker
    (Google's address data), not from tables of ours."""
    country = facts.country.strip().upper()
    address = facts.address_fields()
    missing = check.missing(country, address)
    invalid = check.invalid(country, address)
    problems: list[str] = []
    if "country" in missing:
        problems.append("address has no country")
    elif "country" in invalid:
        problems.append(f"country {facts.country!r} is not a known country code")
    lacking = [_LABELS.get(name, name) for name in missing if name != "country"]
    if lacking:
        problems.append(f"address lacks {_and(lacking)} required in {country}")
    for name in invalid:
        if name == "country":
            continue
        value = address.get(name, "")
        if name == "postal_code":
            problems.append(f"postal code {value!r} looks wrong for {country}")
        else:
            problems.append(f"{_LABELS.get(name, name)} {value!r} is not one known in {country}")
    return Finding("address_incomplete", "; ".join(problems)) if problems else None


def check_phone_invalid(
    facts: OrderFacts, e164: str | None, settings: ReviewSettings
) -> Finding | None:
    """Hold an order whose phone cannot be dialled in the ship-to country: couriers call before
    delivering, and a wrong number ends in a failed delivery and a return."""
    raw = facts.phone.strip()
    where = facts.country.strip().upper() or "the ship-to country"
    if not raw:
        if not settings.phone_required:
            return None
        return Finding("phone_invalid", f"no phone number; couriers to {where} need one")
    if "*" in raw:  # masked by the channel (Taobao shows 138****8000): not ours to check
        return None
    if e164 is None:
        return Finding("phone_invalid", f"phone {raw!r} is not a valid number for {where}")
    return None


def check_unknown_sku(facts: OrderFacts) -> Finding | None:
    """Hold an order with a SKU the product master does not know: nothing can be picked or
    reserved for it, and it is often a channel listing mapped to the wrong SKU."""
    if not facts.unknown_skus:
        return None
    skus = _in_line_order(facts, facts.unknown_skus)
    if skus == [""]:
        return Finding("unknown_sku", "a line has no SKU; map the listing to a product SKU")
    skus = [sku or "(a line with no SKU)" for sku in skus]
    verb = "is" if len(skus) == 1 else "are"
    return Finding(
        "unknown_sku",
        f"{_and(skus)} {verb} not in the product master; "
        "import the product or correct the line's SKU",
    )


def check_out_of_stock(facts: OrderFacts) -> Finding | None:
    """Hold an order that no allowed warehouse can fill (on hand minus reserved), so it is not
    waved and then found short at the shelf."""
    if not facts.short_skus:
        return None
    parts = [
        f"{sku} needs {facts.short_skus[sku][0]}, {facts.short_skus[sku][1]} available"
        for sku in _in_line_order(facts, facts.short_skus)
    ]
    return Finding("out_of_stock", "; ".join(parts))


def check_unpaid(facts: OrderFacts) -> Finding | None:
    """Hold an order the channel has not confirmed as paid: shipping it gives goods away."""
    if payment_confirmed(facts.payment_status):
        return None
    if facts.payment_status == "refunded":
        return Finding("unpaid", "payment was refunded on the channel; cancel the order")
    return Finding(
        "unpaid",
        f"payment not confirmed (status {facts.payment_status or 'unknown'}); "
        "release once the channel shows it paid",
    )


def check_duplicate_suspect(
    facts: OrderFacts, e164: str | None, settings: ReviewSettings
) -> Finding | None:
    """Hold the Nth order within the window from one phone or to one address: card testing,
    reseller abuse and double-clicked checkouts look like this, and are cheap to stop before
    shipping."""
    n, hours = settings.duplicate_min_orders, settings.duplicate_window_hours
    parts: list[str] = []
    if e164 and facts.recent_same_phone >= n:
        parts.append(f"{facts.recent_same_phone} orders from {e164} within {hours} h")
    if facts.recent_same_address >= n:
        where = ", ".join(p for p in (facts.street1.strip(), facts.city.strip()) if p)
        parts.append(f"{facts.recent_same_address} orders to {where} within {hours} h")
    return Finding("duplicate_suspect", "; ".join(parts)) if parts else None


def check_high_value(facts: OrderFacts, settings: ReviewSettings) -> Finding | None:
    """Hold an order above the currency's limit: a fraud loss or a mistaken price costs most
    there, and a person's glance is cheap compared with it."""
    currency = facts.currency.strip().upper()
    limit = settings.high_value_limits.get(currency)
    if limit is None or facts.total <= limit:
        return None
    return Finding(
        "high_value", f"total {facts.total:,.2f} {currency} above the {_amount(limit)} limit"
    )


def check_buyer_note(facts: OrderFacts, settings: ReviewSettings) -> Finding | None:
    """Hold an order whose buyer wrote something ("gift wrap", "deliver after 6 pm", "wrong
    size, send M"): only a person can tell whether it changes what ships."""
    note = " ".join(facts.buyer_note.split())
    words = note_words(note)
    if not words or words in settings.buyer_note_ignore:
        return None
    shown = note if len(note) <= 120 else note[:119] + "…"
    return Finding("buyer_note", f"buyer wrote: {shown!r}")


def is_trusted(facts: OrderFacts, e164: str | None, settings: ReviewSettings) -> bool:
    """True for an allow-listed buyer (by email, or by phone as E.164 or as typed): regular
    wholesale buyers order often and big, and holding each of their orders wastes a person."""
    if settings.trusted_emails and email_key(facts.buyer_email) in settings.trusted_emails:
        return True
    if not settings.trusted_phones:
        return False
    phones = {dialled(e164 or ""), dialled(facts.phone)} - {""}
    return not phones.isdisjoint(settings.trusted_phones)


def review(
    facts: OrderFacts, settings: ReviewSettings, address: AddressCheck, phone: PhoneCheck
) -> list[Finding]:
    """Every enabled rule's finding for one order, in hold-catalogue order; [] means approve.

    The phone is normalised once here (the checker caches it) for the phone rule, the
    duplicate message and the allow-list; trusted buyers skip `high_value` and
    `duplicate_suspect` only, because a trusted buyer's wrong address is still undeliverable.
    """
    raw_phone = facts.phone.strip()
    e164 = phone.normalise(raw_phone, facts.country.strip().upper()) if raw_phone else None
    trusted = is_trusted(facts, e164, settings)
    found: list[Finding | None] = []
    if settings.address_incomplete:
        found.append(check_address_incomplete(facts, address))
    if settings.phone_invalid:
        found.append(check_phone_invalid(facts, e164, settings))
    if settings.unknown_sku:
        found.append(check_unknown_sku(facts))
    if settings.out_of_stock:
        found.append(check_out_of_stock(facts))
    if settings.unpaid:
        found.append(check_unpaid(facts))
    if settings.duplicate_suspect and not trusted:
        found.append(check_duplicate_suspect(facts, e164, settings))
    if settings.high_value and not trusted:
        found.append(check_high_value(facts, settings))
    if settings.buyer_note:
        found.append(check_buyer_note(facts, settings))
    return [f for f in found if f is not None]


def _in_line_order(facts: OrderFacts, skus: Iterable[str]) -> list[str]:
    """SKUs as the buyer sees them on the order, any not on a line (should not happen) last."""
    wanted = set(skus)
    ordered = list(dict.fromkeys(sku for sku, _ in facts.lines if sku in wanted))
    return ordered + sorted(wanted.difference(ordered))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _amount(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
