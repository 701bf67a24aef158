"""Tracking numbers: normalise, name the carrier, and refuse typos before they reach a channel.

A mistyped tracking number is worse than none: the buyer gets a dead link and the channel
marks the order shipped. So a number is normalised (spaces, hyphens and case don't matter),
matched against each carrier's published shape, and its check digit recomputed; a refusal
says what was expected ("UPS check digit should be 6, is 7").

The formats are hand-ported from jkeen/tracking_number_data v2.0.0 (MIT) and the published
check-digit descriptions; shared/formats/tracking-numbers.md has the sources. Detection follows
its §4: only formats with a check digit (or Amazon's distinctive TB prefix) name a carrier by
themselves, and a number that fits several carriers is refused as ambiguous. The Chinese
express carriers publish no check digit, so their shapes (BF-zh/Courier-Validation) are only
accepted when the user names the carrier.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from omsctl.domain.errors import OmsError
from omsctl.domain.tracking_checks import fedex_mod11, gs1_mod10, mod7, s10_mod11, ups_mod10

Check = Callable[[str], tuple[str, str]]  # normalised number -> (expected, found) check char


class InvalidTrackingNumber(OmsError):
    """A tracking number has stray characters, fails its check digit, or fits no carrier."""


@dataclass(frozen=True, slots=True)
class Format:
    """One carrier's number format: its shape and, when it has one, its check digit.

    `detect` lets a format without a check digit name its carrier unasked (Amazon's TB
    prefix); `rank` breaks ties between nested shapes (an S10 number ending in CN is China
    Post's before it is any post's); `vague` marks a catch-all shape (any 14 digits) that is
    mentioned after the others.
    """

    carrier: str
    name: str
    shape: str
    pattern: re.Pattern[str]
    check: Check | None = None
    detect: bool = False
    rank: int = 2
    vague: bool = False

    @property
    def has_check_digit(self) -> bool:
        return self.check is not None

    def passes(self, number: str) -> bool:
        if self.check is None:
            return True
        expected, found = self.check(number)
        return expected == found


@dataclass(frozen=True, slots=True)
class TrackingVerdict:
    """What validate() concluded. `verified` is True only when a check digit confirmed it."""

    number: str
    ok: bool
    carrier: str | None = None
    format: str | None = None
    reason: str = ""
    verified: bool = False


def _at(algorithm: Callable[[str], str], payload: slice, at: int = -1, prefix: str = "") -> Check:
    """A check whose digit sits at `at` and covers `prefix` + number[payload]."""

    def check(number: str) -> tuple[str, str]:
        return algorithm(prefix + number[payload]), number[at]

    return check


_IMPB_CORE = re.compile(r"9[1-5](?:\d{20}|\d{24}|\d{28})")


def _impb(number: str) -> tuple[str, str]:
    """GS1 over the IMpb proper, after a 420 + ZIP or ZIP+4 routing prefix if there is one.

    ZIP and ZIP+4 can both leave an IMpb-shaped rest (34 digits), so every reading is tried.
    """
    cores = [number] if not number.startswith("420") else []
    cores += [number[3 + n :] for n in (5, 9) if number.startswith("420")]
    cores = [c for c in cores if _IMPB_CORE.fullmatch(c)] or [number]
    expected = [gs1_mod10(c[:-1]) for c in cores]
    found = number[-1]
    return (found if found in expected else expected[0]), found


def _s10(number: str) -> tuple[str, str]:
    return s10_mod11(number[2:10]), number[10]


# The country codes of the postal operators in jkeen/tracking_number_data v2.0.0,
# couriers/s10.json (Copyright (c) 2017 Jeff Keen, MIT licence): UPU members, so no TW.
_UPU = """
AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH
CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FR GA GB GD GE GH GM GN
GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA
LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL
NO NP NR NZ OM PA PE PG PH PK PL PT PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS
ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TZ UA UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW
"""
UPU_COUNTRIES = frozenset(_UPU.split())


def _f(
    carrier: str,
    name: str,
    shape: str,
    pattern: str,
    check: Check | None = None,
    *,
    detect: bool = False,
    rank: int = 2,
    vague: bool = False,
) -> Format:
    return Format(carrier, name, shape, re.compile(pattern), check, detect, rank, vague)


_CN_POST = (r"[189]\d{12}|P[A-Z]\d{11}", "1, 8 or 9 + 12 digits, or P + a letter + 11 digits")
_S10 = r"[A-Z]{2}\d{9}"
_ANY_S10 = re.compile(_S10 + "[A-Z]{2}")
_ANY_POST = _S10 + "(?:" + "|".join(sorted(UPU_COUNTRIES)) + ")"
_ROUTE = r"(?:420\d{5}(?:\d{4})?)?"  # USPS routing: 420 + ZIP or ZIP+4
_DHL_EC = r"(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)(?=.*\d)[0-9A-Z]{10,39}"
_LS7 = r"1LS7[12](?:\d{10}|\d{2}01[1-4]\d{6}1)"  # the 18-character form ends in -1

FORMATS: tuple[Format, ...] = (
    _f("UPS", "1Z", "1Z + 16 letters or digits", r"1Z[0-9A-Z]{16}", _at(ups_mod10, slice(2, 17))),
    _f(
        "UPS", "Waybill", "A/H/J/K/T/V + 10 digits", r"[AHJKTV]\d{10}", _at(ups_mod10, slice(1, 10))
    ),
    _f("FEDEX", "Express 12", "12 digits", r"\d{12}", _at(fedex_mod11, slice(0, 11))),
    _f("FEDEX", "Ground 15", "15 digits", r"\d{15}", _at(gs1_mod10, slice(0, 14))),
    _f("FEDEX", "Ground SSCC-18", "18 digits", r"\d{18}", _at(gs1_mod10, slice(0, 17))),
    _f("FEDEX", "Ground 96", "96 + 20 digits", r"96\d{20}", _at(gs1_mod10, slice(7, 21))),
    _f("FEDEX", "Ground GSN 34", "96 + 32 digits", r"96\d{32}", _at(fedex_mod11, slice(20, 33))),
    _f("FEDEX", "Express 34", "34 digits", r"[0-8]\d{33}", _at(fedex_mod11, slice(20, 33))),
    _f("FEDEX", "ASTRA 32", "3 + 31 digits", r"3\d{31}", _at(fedex_mod11, slice(16, 27), 27)),
    _f("USPS", "USPS 20", "20 digits", r"\d{20}", _at(gs1_mod10, slice(0, 19))),
    _f(
        "USPS",
        "Legacy",
        "[420 + ZIP] + 20 digits",
        _ROUTE + r"\d{20}",
        _at(gs1_mod10, slice(-20, -1), prefix="91"),
    ),
    _f(
        "USPS",
        "IMpb",
        "[420 + ZIP] + 9[1-5] + 20, 24 or 28 digits",
        _ROUTE + _IMPB_CORE.pattern,
        _impb,
    ),
    _f("USPS", "S10", "2 letters + 9 digits + US", _S10 + "US", _s10),
    _f("DHL", "Express", "10 or 11 digits", r"\d{10,11}", _at(mod7, slice(0, -1))),
    _f("DHL", "Express piece id", "J + 2 or 3 letters + 9 or 10 digits", r"J[A-Z]{2,3}\d{9,10}"),
    _f(
        "DHL",
        "eCommerce",
        "GM, LX, RX, UV, CN, SG, TH, IN, HK or MY + 10 to 39",
        _DHL_EC,
        vague=True,
    ),
    _f("DHL", "eCommerce 14", "14 digits", r"\d{14}", vague=True),
    _f("AMAZON", "Logistics", "TBA, TBC or TBM + 12 digits", r"TB[ACM]\d{12}", detect=True),
    _f("EMS", "S10", "E + a letter + 9 digits + CN", r"E[A-Z]\d{9}CN", _s10, rank=3),
    _f("EMS", "domestic", _CN_POST[1], _CN_POST[0]),
    _f("CHINAPOST", "S10", "2 letters + 9 digits + CN", _S10 + "CN", _s10),
    _f("CHINAPOST", "domestic", _CN_POST[1], _CN_POST[0]),
    _f("ROYALMAIL", "S10", "2 letters + 9 digits + GB", _S10 + "GB", _s10),
    _f("CANADAPOST", "S10", "2 letters + 9 digits + CA", _S10 + "CA", _s10),
    _f("CANADAPOST", "16", "16 digits", r"\d{16}", _at(gs1_mod10, slice(0, 15))),
    _f("POST", "S10", "2 letters + 9 digits + a UPU country code", _ANY_POST, _s10, rank=1),
    _f("ONTRAC", "C/D", "C or D + 14 digits", r"[CD]\d{14}", _at(ups_mod10, slice(0, 14))),
    _f("LASERSHIP", "LX", "L + A, I, E, H, N or X + 1 to 3 + 7 digits", r"L[AIEHNX][1-3]\d{7}"),
    _f("LASERSHIP", "1LS7", "1LS71 or 1LS72 + 10 digits, or + 11 and -1", _LS7),
    _f("LASERSHIP", "1LSCX", "1LSCX + 10 letters or digits", r"1LSCX[0-9A-Z]{10}"),
    _f("SF", "SF", "SF + a letter or digit + 12 digits", r"SF[0-9A-Z]\d{12}"),
    _f("SF", "12 digits", "12 digits", r"\d{12}", vague=True),
    _f("ZTO", "ZTO", "7 + 3, 4, 5, 6 or 8 + 12 digits", r"7[3-68]\d{12}"),
    _f("YTO", "YTO", "YT + 13 digits", r"YT\d{13}"),
    _f("STO", "STO", "77 or 43 + 12 to 15 digits", r"(?:77|43)\d{12,15}"),
    _f("YUNDA", "Yunda", "3 or 4 + 14 digits, or 5 + 12 digits", r"[34]\d{14}|5\d{12}"),
    _f("JD", "JD", "JD + 2 letters or digits + 11 digits", r"JD[0-9A-Z]{2}\d{11}"),
)

# Each line: a code, then the other names it is written as (compared without spaces,
# hyphens, dots or case), Chinese names included because the merchants' staff type them.
_NAMES = """
UPS
FEDEX FEDERALEXPRESS
USPS
DHL DHLEXPRESS
AMAZON AMZL AMAZONLOGISTICS
SF SFEXPRESS 顺丰 顺丰速运
ZTO 中通
YTO 圆通
STO 申通
YUNDA 韵达
JD JDL 京东
EMS 中国邮政速递
CHINAPOST 中国邮政 邮政
ROYALMAIL
POST UPU
ONTRAC
CANADAPOST
LASERSHIP
"""
_ALIASES = {name: line.split()[0] for line in _NAMES.strip().splitlines() for name in line.split()}

# Tracking pages as given by tracking_number_data; None for the others.
_URLS = {
    "UPS": "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums={}",
    "FEDEX": "https://www.fedex.com/apps/fedextrack/?tracknumbers={}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "DHL": "https://www.dhl.com/en/express/tracking.html?brand=DHL&AWB={}",
    "CANADAPOST": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={}",
}

_SPACES_AND_HYPHENS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_VALID = re.compile(r"[0-9A-Z]+")


def normalize(raw: str) -> str:
    """The number as stored: no spaces or hyphens, upper case, full-width forms folded (NFKC).

    Scanners, e-mails and channel exports all group digits differently; storing one form is
    what makes "already on order X" checks and carrier look-ups work.
    """
    number = _SPACES_AND_HYPHENS.sub("", unicodedata.normalize("NFKC", raw)).upper()
    if not number:
        raise InvalidTrackingNumber("the tracking number is empty")
    if not _VALID.fullmatch(number):
        raise InvalidTrackingNumber(
            f"{raw.strip()!r}: tracking numbers contain only letters and digits "
            "(spaces and hyphens are ignored)"
        )
    return number


def carrier_code(name: str) -> str | None:
    """omsctl's code for a carrier name or alias ('FedEx', 'sf-express', '顺丰'), or None."""
    return _ALIASES.get(_squeeze(name))


def _squeeze(name: str) -> str:
    return re.sub(r"[\s\-_&.]+", "", name).upper()


def carriers() -> dict[str, tuple[Format, ...]]:
    """Every supported carrier code with its formats, in the table's order."""
    table: dict[str, tuple[Format, ...]] = {}
    for f in FORMATS:
        table[f.carrier] = (*table.get(f.carrier, ()), f)
    return table


def tracking_url(carrier: str, number: str) -> str | None:
    """The carrier's public tracking page for the number, or None where none is known.

    Raises InvalidTrackingNumber for a number normalize() refuses, so no link has junk in it.
    """
    template = _URLS.get(carrier_code(carrier) or "")
    return template.format(normalize(number)) if template else None


def validate(raw: str, carrier: str | None = None, *, force: bool = False) -> TrackingVerdict:
    """Normalise the number and check it against the named carrier's formats, or detect one.

    `force` records a number unvalidated, but only for a carrier without a public format
    (unknown to omsctl, or one whose numbers carry no check digit); it never overrides a
    failed check digit.
    """
    try:
        number = normalize(raw)
    except InvalidTrackingNumber as problem:
        return TrackingVerdict(raw.strip(), False, reason=problem.message)
    if carrier is None or not carrier.strip():
        return _detect(number)
    code = carrier_code(carrier)
    if code is None:
        named = _squeeze(carrier)
        if force:
            return TrackingVerdict(number, True, named, reason=_unvalidated(number, named))
        return TrackingVerdict(
            number,
            False,
            reason=(
                f"omsctl knows no format for carrier {carrier.strip()!r} (known: "
                f"{', '.join(carriers())}); pass --force to record the number unvalidated"
            ),
        )
    return _for_carrier(number, code, force)


def require(raw: str, carrier: str | None = None, *, force: bool = False) -> TrackingVerdict:
    """validate(), raising InvalidTrackingNumber with its reason when the number is refused."""
    verdict = validate(raw, carrier, force=force)
    if not verdict.ok:
        raise InvalidTrackingNumber(verdict.reason)
    return verdict


def _for_carrier(number: str, code: str, force: bool) -> TrackingVerdict:
    formats = carriers()[code]
    shaped = [f for f in formats if f.pattern.fullmatch(number)]
    checked = [f for f in shaped if f.has_check_digit]
    # A number shaped like one of the carrier's check-digit formats must pass it, even when a
    # looser shape of the same carrier would take it: that is what catches the typo.
    for f in checked or shaped:
        if f.passes(number):
            return _accepted(number, f)
    if checked:
        reason = _check_failures(number, checked)
        if force:
            reason += "; --force does not override a check digit"
        return TrackingVerdict(number, False, code, checked[0].name, reason)
    forceable = not all(f.has_check_digit for f in formats)
    if force and forceable:
        return TrackingVerdict(number, True, code, reason=_unvalidated(number, code))
    shapes = "; ".join(f"{f.name}: {f.shape}" for f in formats)
    reason = f"{number} fits no {code} format ({shapes})"
    elsewhere = _detect(number)
    if elsewhere.ok:
        reason += f"; it validates as {elsewhere.carrier} {elsewhere.format}"
    elif forceable:
        reason += "; pass --force to record it unvalidated"
    return TrackingVerdict(number, False, code, reason=reason)


def _detect(number: str) -> TrackingVerdict:
    """Name the carrier from the number alone, following the policy of the module docstring."""
    fitting = [f for f in FORMATS if f.pattern.fullmatch(number)]
    if not fitting:
        return TrackingVerdict(number, False, reason=_no_match(number))
    verdicts = {f: f.passes(number) for f in fitting if f.has_check_digit}
    passing = _best([f for f, ok in verdicts.items() if ok] + [f for f in fitting if f.detect])
    failing = _best([f for f, ok in verdicts.items() if not ok])
    unchecked = sorted(
        (f for f in fitting if not f.has_check_digit and not f.detect), key=lambda f: f.vague
    )
    named = _carriers_of(passing)
    if len(named) == 1:
        also = [c for c in _carriers_of(unchecked) if c not in named]
        note = f"also fits {_or(also)} numbers: pass --carrier if it is one" if also else ""
        return _accepted(number, passing[0], note)
    if named:
        return TrackingVerdict(number, False, reason=f"could be {_or(named)}; pass --carrier")
    hint = _carriers_of(unchecked)
    if failing:
        reason = _check_failures(number, failing)
        if hint:
            named_hint = f"--carrier {hint[0]}" if len(hint) == 1 else "--carrier"
            reason += f" (or, for {_or(hint)}, pass {named_hint})"
        carrier = failing[0].carrier if len(_carriers_of(failing)) == 1 else None
        return TrackingVerdict(number, False, carrier, failing[0].name, reason)
    if hint:
        firm = _carriers_of([f for f in unchecked if not f.vague]) or hint
        if len(firm) == 1:
            reason = f"{firm[0]} numbers have no check digit: pass --carrier {firm[0]} to record it"
        else:
            reason = f"could be {_or(firm)}, whose numbers have no check digit: pass --carrier"
        vague = [f for f in unchecked if f.carrier not in firm]
        if vague:
            names = _or([f"{f.carrier} {f.name}" for f in vague])
            reason += f" (it also fits {names}: --carrier {vague[0].carrier})"
        return TrackingVerdict(number, False, reason=reason)
    return TrackingVerdict(number, False, reason=_no_match(number))


def _no_match(number: str) -> str:
    reason = (
        f"no carrier's format matches {number!r} "
        "(pass --carrier and --force for a carrier without a public format)"
    )
    if _ANY_S10.fullmatch(number):
        reason += f"; {number[-2:]} is not a UPU member's country code, which S10 numbers end in"
    elif number.startswith("1Z"):
        reason += f"; UPS 1Z numbers have 18 characters, this one has {len(number)}"
    return reason


def _accepted(number: str, f: Format, note: str = "") -> TrackingVerdict:
    if not f.has_check_digit:
        warning = f"{f.carrier} numbers have no check digit: a typo cannot be detected"
        note = f"{warning}; {note}" if note else warning
    return TrackingVerdict(number, True, f.carrier, f.name, note, f.has_check_digit)


def _check_failures(number: str, failing: list[Format]) -> str:
    """'UPS check digit should be 6, is 7', one clause per carrier (USPS has two 20-digit rules)."""
    clauses = []
    for code in _carriers_of(failing):
        expected: list[str] = []
        found = ""
        for f in failing:
            if f.carrier == code and f.check is not None:
                digit, found = f.check(number)
                expected += [digit] if digit not in expected else []
        clauses.append(f"{code} check digit should be {_or(expected)}, is {found}")
    return "; ".join(clauses)


def _unvalidated(number: str, code: str) -> str:
    return f"recorded {number} for {code} without validation: it has no public format to check"


def _best(formats: list[Format]) -> list[Format]:
    """The most specific of nested formats: China Post's S10 before the generic post's."""
    top = max((f.rank for f in formats), default=0)
    return [f for f in formats if f.rank == top]


def _carriers_of(formats: list[Format]) -> list[str]:
    return list(dict.fromkeys(f.carrier for f in formats))


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
