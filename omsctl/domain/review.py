"""The review rules: which new orders a person must look at before stock is reserved.

Each rule is a small function named after the hold code it raises. It reads plain facts about
one order (`OrderFacts`), its tuning (`ReviewSettings`) and, for the address and phone rules,
a checker behind a Protocol, and returns at most one `Finding`. `review` runs the enabled rules
in a fixed order. Nothing here reads the database or a library: the service gathers the facts
that need queries (unknown SKUs, short stock, recent orders) and passes real checkers, tests
pass fakes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Protocol

from omsctl.domain.errors import ConfigProblem
from omsctl.domain.payments import payment_confirmed
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


def _default_limits() -> Mapping[str, Decimal]:
    # Roughly the same money in each currency; a merchant tunes them in omsctl.toml.
    return MappingProxyType(
        {
            "EUR": Decimal("1000"),
            "USD": Decimal("1000"),
            "GBP": Decimal("1000"),
            "CNY": Decimal("8000"),
            "JPY": Decimal("150000"),
        }
    )


def _default_ignored_notes() -> frozenset[str]:
    return frozenset({"n/a", "na", "none", "no", "nil", "无", "没有", "なし"})


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """Which rules run and how they are tuned; one field per key of `[review]` in omsctl.toml.

    A rule's on/off switch has the name of its hold code. The high-value limit is per
    currency, because one number means 1,000 EUR and 1,000 JPY (about 6 EUR) alike; an order
    in a currency with no limit is not checked for value. Collections are normalised once
    here (emails casefolded, phones reduced to `+` and digits, currency codes upper case), so
    the rules compare plain strings per order.
    """

    address_incomplete: bool = True
    phone_invalid: bool = True
    #: An order without any phone is `phone_invalid` too. Off by default: Etsy's and eBay's
    #: exports carry no phone at all, so every such order would wait for a person.
    phone_required: bool = False
    unknown_sku: bool = True
    out_of_stock: bool = True
    unpaid: bool = True
    #: Hours an order may stay unpaid before `omsctl review --expire-unpaid` cancels it.
    unpaid_timeout_hours: int = 72
    duplicate_suspect: bool = True
    duplicate_window_hours: int = 24
    #: Hold when this many orders (this one included) share a phone or an address in the window.
    duplicate_min_orders: int = 3
    high_value: bool = True
    high_value_limits: Mapping[str, Decimal] = field(default_factory=_default_limits)
    buyer_note: bool = True
    #: Notes that say nothing ("n/a", "无"), compared casefolded without punctuation; a note
    #: of punctuation only ("-", "...") is always ignored.
    buyer_note_ignore: frozenset[str] = field(default_factory=_default_ignored_notes)
    #: Buyers whose orders skip `high_value` and `duplicate_suspect`, by email or phone.
    trusted_emails: frozenset[str] = frozenset()
    trusted_phones: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        limits: dict[str, Decimal] = {}
        for currency, limit in self.high_value_limits.items():
            amount = _decimal(limit, f"review.high_value_limits.{currency}")
            if amount < 0:
                raise ConfigProblem(
                    f"review.high_value_limits.{currency} must not be negative, not {limit}"
                )
            limits[currency.strip().upper()] = amount
        self._set("high_value_limits", MappingProxyType(limits))
        self._set("buyer_note_ignore", frozenset(_words(n) for n in self.buyer_note_ignore))
        self._set("trusted_emails", frozenset(_email(e) for e in self.trusted_emails) - {""})
        self._set("trusted_phones", frozenset(_dialled(p) for p in self.trusted_phones) - {""})
        for name in ("unpaid_timeout_hours", "duplicate_window_hours"):
            if getattr(self, name) <= 0:
                raise ConfigProblem(f"review.{name} must be above zero, not {getattr(self, name)}")
        if self.duplicate_min_orders < 2:
            raise ConfigProblem(
                f"review.duplicate_min_orders must be 2 or more, not {self.duplicate_min_orders}",
                hint="with 1 every order would be its own duplicate",
            )

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ReviewSettings:
        """Settings from the `[review]` table (nested, or flattened as `high_value_limits.EUR`).

        Keys missing from the table keep their defaults; an unknown key or a value of the wrong
        type is refused with its name, so a typo does not silently switch a rule off. Limits
        may be integers or strings (`"999.99"`); floats are read through their text so 0.1
        stays 0.1. Limits named in the file replace those currencies' defaults and leave the
        other currencies' limits in place, so tuning EUR does not stop checking USD orders.
        """
        known = [f.name for f in fields(cls)]
        defaults = cls()
        values: dict[str, Any] = {}
        limits: dict[str, Any] = {}
        for key, value in section.items():
            if key.startswith("high_value_limits."):
                limits[key.partition(".")[2]] = value
                continue
            if key not in known:
                raise ConfigProblem(
                    f"unknown setting 'review.{key}'",
                    hint=f"known [review] keys: {', '.join(known)}",
                )
            default = getattr(defaults, key)
            if key == "high_value_limits":
                if not isinstance(value, Mapping):
                    raise ConfigProblem("review.high_value_limits must be a table of currencies")
                limits.update(value)
            elif isinstance(default, frozenset):
                if isinstance(value, str) or not isinstance(value, Iterable):
                    raise ConfigProblem(f"review.{key} must be a list of strings, not {value!r}")
                items = list(value)
                if not all(isinstance(v, str) for v in items):
                    raise ConfigProblem(f"review.{key} must be a list of strings, not {value!r}")
                values[key] = frozenset(items)
            elif type(value) is not type(default):
                kind = "true or false" if isinstance(default, bool) else "a whole number"
                raise ConfigProblem(f"review.{key} must be {kind}, not {value!r}")
            else:
                values[key] = value
        if limits:
            values["high_value_limits"] = {**defaults.high_value_limits, **limits}
        return cls(**values)


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
    words = _words(note)
    if not words or words in settings.buyer_note_ignore:
        return None
    shown = note if len(note) <= 120 else note[:119] + "…"
    return Finding("buyer_note", f"buyer wrote: {shown!r}")


def is_trusted(facts: OrderFacts, e164: str | None, settings: ReviewSettings) -> bool:
    """True for an allow-listed buyer (by email, or by phone as E.164 or as typed): regular
    wholesale buyers order often and big, and holding each of their orders wastes a person."""
    if settings.trusted_emails and _email(facts.buyer_email) in settings.trusted_emails:
        return True
    if not settings.trusted_phones:
        return False
    dialled = {_dialled(e164 or ""), _dialled(facts.phone)} - {""}
    return not dialled.isdisjoint(settings.trusted_phones)


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


def _words(text: str) -> str:
    """Casefolded words without punctuation, so "N/A." reads as "n/a" does."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def _email(text: str) -> str:
    return text.strip().casefold()


def _dialled(text: str) -> str:
    """A phone as the digits dialled, keeping a leading +, so allow-list entries typed with
    spaces or dashes (`+86 138-0013-8000`) match the E.164 form (`+8613800138000`)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    return "+" + digits if text.strip().startswith("+") else digits


def _decimal(value: object, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ConfigProblem(f'{key} must be an amount such as 1000 or "999.99", not {value!r}')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigProblem(
            f'{key} must be an amount such as 1000 or "999.99", not {value!r}'
        ) from None
    if not amount.is_finite():
        raise ConfigProblem(f"{key} must be a finite amount, not {value!r}")
    return amount
