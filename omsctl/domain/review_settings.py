"""The review rules' tuning: `[review]` in omsctl.toml, read, checked and normalised once.

Apart from the rules (`review.py`) because reading a merchant's settings is its own job, with
its own errors: an unknown key or a value of the wrong type is refused by name, so a typo
never switches a rule off in silence. The normalisers are shared with the rules, so a trusted
email or phone in the file and the one on an order are compared in the same form.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from omsctl.domain.errors import ConfigProblem


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
        self._set("buyer_note_ignore", frozenset(note_words(n) for n in self.buyer_note_ignore))
        self._set("trusted_emails", frozenset(email_key(e) for e in self.trusted_emails) - {""})
        self._set("trusted_phones", frozenset(dialled(p) for p in self.trusted_phones) - {""})
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


def note_words(text: str) -> str:
    """Casefolded words without punctuation, so "N/A." reads as "n/a" does."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def email_key(text: str) -> str:
    return text.strip().casefold()


def dialled(text: str) -> str:
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
