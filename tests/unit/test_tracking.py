"""Tracking numbers: the spec's test numbers, every single-character typo of them, the messages.

The typo sweep is the point of the module: a check digit is only worth what it catches, so
every substitution of every valid number is validated, and each one that is still accepted
must be explained by a blind spot the algorithm is known to have (tracking_checks docstring).
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tracking_fixtures import AMBIGUOUS, INVALID, VALID

from omsctl.domain.tracking import (
    FORMATS,
    InvalidTrackingNumber,
    carrier_code,
    carriers,
    normalize,
    require,
    tracking_url,
    validate,
)
from omsctl.domain.tracking_checks import (
    fedex_mod11,
    gs1_mod10,
    iso7064_mod37_36,
    luhn,
    mod7,
    s10_mod11,
    ups_mod10,
)

ALPHABET = string.digits + string.ascii_uppercase
CODES = (
    "UPS",
    "FEDEX",
    "USPS",
    "DHL",
    "AMAZON",
    "SF",
    "ZTO",
    "YTO",
    "STO",
    "YUNDA",
    "JD",
    "EMS",
    "CHINAPOST",
    "ROYALMAIL",
    "POST",
)


def _has_check(carrier: str, name: str) -> bool:
    return next(f for f in carriers()[carrier] if f.name == name).has_check_digit


def _checked_numbers() -> dict[str, tuple[str, str]]:
    """The valid fixtures whose format has a check digit: number → (carrier, format)."""
    numbers: dict[str, tuple[str, str]] = {}
    for carrier, name, raw in VALID:
        if _has_check(carrier, name):
            numbers.setdefault(normalize(raw), (carrier, name))
    return numbers


# --- the check-digit algorithms, on the worked examples of their descriptions ----------------


@pytest.mark.parametrize(
    ("algorithm", "payload", "check"),
    [
        (gs1_mod10, "56828361001200", "0"),  # FedEx Ground, spec §3.1
        (ups_mod10, "999AA1012345678", "4"),  # 1Z999AA10123456784, §3.2
        (fedex_mod11, "01234567898", "3"),  # 012345678983 [FX]
        (mod7, "331881002", "5"),  # DHL 3318810025
        (s10_mod11, "47312482", "9"),  # UPU S10 worked example, S = 200
        (s10_mod11, "00000000", "5"),  # C = 11 is written 5
        (s10_mod11, "10000014", "0"),  # C = 10 is written 0
        (luhn, "32059546393", "8"),  # Purolator 320595463938
        (luhn, "0720956276", "3"),  # Old Dominion 07209562763
        (iso7064_mod37_36, "008182709980000020033350276", "C"),  # DPD 28
        (iso7064_mod37_36, "09980000020033", "F"),  # DPD 14
    ],
)
def test_each_algorithm_reproduces_its_published_example(algorithm, payload, check):
    assert algorithm(payload) == check


@given(st.text("0123456789", min_size=2, max_size=30), st.data())
def test_gs1_catches_every_single_digit_substitution(payload, data):
    position = data.draw(st.integers(0, len(payload) - 1))
    digit = data.draw(st.sampled_from("0123456789").filter(lambda d: d != payload[position]))
    typo = payload[:position] + digit + payload[position + 1 :]
    assert gs1_mod10(typo) != gs1_mod10(payload)


@given(st.text("0123456789", min_size=11, max_size=11), st.integers(0, 10), st.integers(1, 9))
def test_a_fedex_substitution_is_missed_only_between_remainders_0_and_10(payload, at, delta):
    typo = payload[:at] + str((int(payload[at]) + delta) % 10) + payload[at + 1 :]
    if fedex_mod11(typo) == fedex_mod11(payload):
        assert {_fedex_remainder(payload), _fedex_remainder(typo)} == {0, 10}


# --- the spec's test numbers ------------------------------------------------------------------


@pytest.mark.parametrize(("carrier", "name", "raw"), VALID)
def test_every_valid_number_is_accepted_for_its_carrier(carrier, name, raw):
    verdict = validate(raw, carrier.lower())
    assert (verdict.ok, verdict.carrier, verdict.format) == (True, carrier, name), verdict.reason
    assert verdict.verified == _has_check(carrier, name)


@pytest.mark.parametrize(("carrier", "name", "raw"), VALID)
def test_every_valid_number_is_detected_or_asks_for_its_carrier(carrier, name, raw):
    verdict = validate(raw)
    number = normalize(raw)
    if number in AMBIGUOUS:
        assert not verdict.ok
        assert (
            verdict.reason == f"could be {' or '.join(sorted(AMBIGUOUS[number]))}; pass --carrier"
        )
    elif _has_check(carrier, name) or carrier == "AMAZON":
        assert (verdict.ok, verdict.carrier, verdict.format) == (True, carrier, name)
    else:
        assert not verdict.ok
        assert carrier in verdict.reason and "pass --carrier" in verdict.reason


@pytest.mark.parametrize(("carrier", "raw"), INVALID)
def test_every_invalid_number_is_refused_for_its_carrier_and_never_detected_as_it(carrier, raw):
    assert not validate(raw, carrier).ok
    detected = validate(raw)
    assert not (detected.ok and detected.carrier == carrier)


def test_every_carrier_format_has_valid_and_invalid_fixtures():
    formats = {(f.carrier, f.name) for f in FORMATS}
    assert formats <= {(carrier, name) for carrier, name, _ in VALID}
    assert set(carriers()) <= {carrier for carrier, _ in INVALID}


# --- every single-character typo ---------------------------------------------------------------


def _fedex_remainder(payload: str) -> int:
    weights = (1, 3, 7)
    return sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(payload))) % 11


def _s10_remainder(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11


def _ups_value(char: str) -> int:
    return int(char) if char.isdigit() else (string.ascii_uppercase.index(char) + 2) % 10


def _covered(name: str, number: str) -> range:
    """The positions a format's check digit covers (payload and check digit)."""
    fixed = {
        "1Z": range(2, 18),
        "Waybill": range(1, 11),
        "Express 34": range(20, 34),
        "Ground GSN 34": range(20, 34),
        "ASTRA 32": range(16, 28),
        "Ground 96": range(7, 22),
        "S10": range(2, 11),
    }
    if name in fixed:
        return fixed[name]
    if name in ("IMpb", "Legacy") and number.startswith("420"):
        core = next(n for n in (22, 26, 20) if len(number) - n in (8, 12))
        return range(len(number) - core, len(number))
    return range(len(number))


def blind_spot(name: str, number: str, position: int, typo: str, now: str | None) -> str | None:
    """Why an accepted typo of `number` (format `name`) got through, or None if unexplained.

    The known blind spots, by algorithm:
    - any check: a character outside the positions it covers (S10's service and country
      letters, the routing fields of FedEx's 32/34-digit barcodes, USPS's 420+ZIP, UPS's
      Waybill letter);
    - any check: the typo is a valid number of another format (USPS 20 ↔ Legacy's 91 rule,
      FedEx GSN → Express 34, a routed IMpb → FedEx Express 34 …);
    - UPS mod 10: a character of equal value (A=K=U=2 …) or ±5 in a doubled position;
    - FedEx mod 11: remainders 0 and 10 both give 0;
    - mod 7: a digit changed by 7;
    - S10 mod 11: remainders 0 and 6 both give 5.
    """
    old, new = number[position], typo[position]
    if now != name:
        return "valid in another format"
    covered = _covered(name, number)
    if position not in covered:
        return "outside the check"
    at = position - covered.start
    if name in ("1Z", "Waybill", "C/D"):
        if _ups_value(old) == _ups_value(new):
            return "UPS: equal value"
        if at % 2 == 1 and (_ups_value(old) - _ups_value(new)) % 5 == 0:
            return "UPS: ±5 doubled"
    if name == "Express" and abs(int(old) - int(new)) == 7:
        return "mod 7: ±7"
    if name.startswith(("Express", "Ground GSN", "ASTRA")):
        payload = slice(covered.start, covered.stop - 1)
        if {_fedex_remainder(number[payload]), _fedex_remainder(typo[payload])} == {0, 10}:
            return "mod 11: 0 and 10"
    if name == "S10" and {_s10_remainder(number[2:10]), _s10_remainder(typo[2:10])} == {0, 6}:
        return "S10: 0 and 6"
    return None


@dataclass(frozen=True)
class Measure:
    """The validation rate over the valid numbers and every single-character typo of them."""

    valid: int
    valid_accepted: int
    valid_detected: int
    typos: int
    typos_refused: int
    typos_same_kind: int  # a digit for a digit, a letter for a letter
    typos_same_kind_refused: int
    typos_covered: int  # a digit for a digit where the check digit covers it
    typos_covered_refused: int
    by_format: dict[str, tuple[int, int]]  # format → (typos, refused)
    blind_spots: Counter[str]
    unexplained: tuple[str, ...]

    @property
    def checked(self) -> int:
        return self.valid + self.typos


@cache
def measure() -> Measure:
    numbers = _checked_numbers()
    accepted = sum(validate(raw, carrier).ok for carrier, _, raw in VALID)
    detected = sum(validate(n).carrier == c and validate(n).ok for n, (c, _) in numbers.items())
    counts: Counter[str] = Counter()
    by_format: dict[str, tuple[int, int]] = {}
    spots: Counter[str] = Counter()
    unexplained: list[str] = []
    for number, (carrier, name) in numbers.items():
        covered = _covered(name, number)
        for position, old in enumerate(number):
            for new in ALPHABET.replace(old, ""):
                typo = number[:position] + new + number[position + 1 :]
                verdict = validate(typo)
                kinds = ["typos"]
                if old.isdigit() == new.isdigit():
                    kinds.append("same")
                    if old.isdigit() and position in covered:
                        kinds.append("covered")
                seen, stopped = by_format.get(f"{carrier} {name}", (0, 0))
                by_format[f"{carrier} {name}"] = (seen + 1, stopped + (not verdict.ok))
                counts.update(kinds)
                if not verdict.ok:
                    counts.update(f"{kind} refused" for kind in kinds)
                    continue
                spot = blind_spot(name, number, position, typo, verdict.format)
                spots[spot or "?"] += 1
                if spot is None:
                    unexplained.append(f"{number} → {typo} ({verdict.carrier} {verdict.format})")
    return Measure(
        len(VALID),
        accepted,
        detected,
        *(
            counts[k]
            for k in (
                "typos",
                "typos refused",
                "same",
                "same refused",
                "covered",
                "covered refused",
            )
        ),
        by_format,
        spots,
        tuple(unexplained),
    )


def test_every_accepted_typo_is_a_known_blind_spot():
    assert measure().unexplained == ()


def test_the_typo_sweep_checks_enough_numbers_and_refuses_most_typos():
    m = measure()
    assert m.checked >= 100
    assert m.valid_accepted == m.valid
    assert m.valid_detected == len(_checked_numbers()) - len(AMBIGUOUS)
    assert m.typos_refused / m.typos > 0.9
    assert m.typos_covered_refused / m.typos_covered > 0.95
    for name in ("FEDEX Ground 15", "FEDEX Ground SSCC-18", "CANADAPOST 16"):
        assert m.by_format[name][0] == m.by_format[name][1], name


def test_gs1_numbers_refuse_every_digit_substitution_within_their_own_format():
    for number, (_, name) in _checked_numbers().items():
        if name not in ("Ground 15", "Ground SSCC-18", "16", "USPS 20"):
            continue
        for position, old in enumerate(number):
            for new in "0123456789".replace(old, ""):
                verdict = validate(number[:position] + new + number[position + 1 :])
                assert not verdict.ok or verdict.format != name


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("1z999aa10123456784", "1Z999AA10123456784"),
        ("9400-1112-0620-6406-2607-87", "9400111206206406260787"),
        ("  tba 304958271603\n", "TBA304958271603"),
        # full-width, as a Chinese input method types it
        ("".join(chr(ord(c) + 0xFEE0) for c in "SF1234500007919"), "SF1234500007919"),
        ("1LS7119013618127–1", "1LS71190136181271"),  # en dash
    ],
)
def test_normalisation_drops_spaces_hyphens_and_case(raw, number):
    assert normalize(raw) == number


@pytest.mark.parametrize("raw", ["1Z999AA1/0123", "TBA#304958", "", "  - "])
def test_stray_characters_are_refused_with_the_rule(raw):
    with pytest.raises(InvalidTrackingNumber):
        normalize(raw)
    assert not validate(raw).ok


def test_a_stray_character_names_the_rule():
    assert validate("1Z999/AA").reason == (
        "'1Z999/AA': tracking numbers contain only letters and digits "
        "(spaces and hyphens are ignored)"
    )


@given(st.text(ALPHABET + string.ascii_lowercase + " -\t", min_size=1))
def test_normalising_twice_changes_nothing(raw):
    try:
        once = normalize(raw)
    except InvalidTrackingNumber:
        return
    assert normalize(once) == once
    assert set(once) <= set(ALPHABET)


@given(
    st.sampled_from(VALID),
    st.lists(st.sampled_from([" ", "-", ""]), min_size=40, max_size=40),
    st.booleans(),
)
def test_grouping_and_case_do_not_change_the_verdict(case, separators, lower):
    carrier, _, raw = case
    number = normalize(raw)
    written = "".join(c + s for c, s in zip(number, separators, strict=False))
    written = written.lower() if lower else written
    assert validate(written, carrier) == validate(number, carrier)


# --- detection, ambiguity and the messages -----------------------------------------------------


def test_a_mistyped_check_digit_says_what_it_should_be():
    assert validate("1Z999AA10123456766").ok
    verdict = validate("1Z999AA10123456767")
    assert (verdict.ok, verdict.carrier, verdict.reason) == (
        False,
        "UPS",
        "UPS check digit should be 6, is 7",
    )


def test_a_letter_in_the_check_position_is_a_wrong_check_digit_not_a_crash():
    assert validate("1Z999AA1012345678X").reason == "UPS check digit should be 4, is X"


def test_usps_names_both_of_its_20_digit_rules():
    assert validate("03071790000523483742").reason == "USPS check digit should be 1 or 3, is 2"


def test_a_number_two_carriers_validate_asks_for_the_carrier():
    number = "4201028200009261290113185417468510"
    assert validate(number).reason == "could be FEDEX or USPS; pass --carrier"
    assert validate(number, "usps").format == "IMpb"
    assert validate(number, "FedEx").format == "Express 34"


def test_a_number_without_check_digit_needs_its_carrier():
    assert validate("YT7512345678901").reason == (
        "YTO numbers have no check digit: pass --carrier YTO to record it"
    )
    assert validate("73100012345678").reason == (
        "ZTO numbers have no check digit: pass --carrier ZTO to record it "
        "(it also fits DHL eCommerce 14: --carrier DHL)"
    )
    assert validate("9812345678901").reason == (
        "could be EMS or CHINAPOST, whose numbers have no check digit: pass --carrier"
    )
    verdict = validate("73100012345678", "zto")
    assert (verdict.ok, verdict.verified) == (True, False)
    assert verdict.reason == "ZTO numbers have no check digit: a typo cannot be detected"


def test_a_failed_check_mentions_a_carrier_whose_shape_also_fits():
    assert validate("312345678901234").reason == (
        "FEDEX check digit should be 8, is 4 (or, for YUNDA, pass --carrier YUNDA)"
    )


def test_a_number_that_fits_nothing_says_how_to_record_it_anyway():
    assert validate("ABC123").reason == (
        "no carrier's format matches 'ABC123' "
        "(pass --carrier and --force for a carrier without a public format)"
    )
    assert validate("RB123456785XX").reason.endswith(
        "; XX is not a UPU member's country code, which S10 numbers end in"
    )


def test_s10_numbers_go_to_the_issuing_post_and_any_post_accepts_them():
    assert validate("EE473124829CN").carrier == "EMS"
    assert validate("RR473124829CN").carrier == "CHINAPOST"
    assert validate("EE473124829CN", "chinapost").ok
    assert validate("EE473124829CN", "post").carrier == "POST"
    assert validate("RR473124828CN").reason == "CHINAPOST check digit should be 9, is 8"
    assert validate("RB123456785GB", "USPS").reason.endswith("; it validates as ROYALMAIL S10")


# --- --force -----------------------------------------------------------------------------------


def test_force_records_a_number_for_a_carrier_omsctl_does_not_know():
    assert not validate("DPK123456789012", "Deppon").ok
    verdict = validate("DPK123456789012", "Deppon", force=True)
    assert (verdict.ok, verdict.carrier, verdict.verified) == (True, "DEPPON", False)
    assert verdict.reason == (
        "recorded DPK123456789012 for DEPPON without validation: it has no public format to check"
    )


def test_force_records_an_odd_number_for_a_carrier_without_check_digit():
    assert "pass --force" in validate("ZT12345", "ZTO").reason
    assert validate("ZT12345", "ZTO", force=True).ok


def test_force_never_overrides_a_check_digit_or_a_public_format():
    assert validate("1Z999AA10123456767", "UPS", force=True).reason == (
        "UPS check digit should be 6, is 7; --force does not override a check digit"
    )
    assert not validate("ABC123", "UPS", force=True).ok
    assert not validate("3318810010", "DHL", force=True).ok


def test_require_raises_the_reason():
    with pytest.raises(InvalidTrackingNumber, match="UPS check digit should be 6, is 7"):
        require("1Z999AA10123456767")
    assert require("1Z999AA10123456766").carrier == "UPS"


# --- carriers, aliases, links -------------------------------------------------------------------


def test_every_carrier_code_omsctl_uses_has_formats():
    assert set(CODES) <= set(carriers())
    for formats in carriers().values():
        assert all(f.has_check_digit == (f.check is not None) for f in formats)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("fedex", "FEDEX"),
        ("FedEx", "FEDEX"),
        ("sf-express", "SF"),
        ("顺丰", "SF"),
        ("Royal Mail", "ROYALMAIL"),
        ("china post", "CHINAPOST"),
        ("Yunda", "YUNDA"),
        ("canada_post", "CANADAPOST"),
        ("Deppon", None),
    ],
)
def test_carrier_names_are_read_case_insensitively(name, code):
    assert carrier_code(name) == code


def test_well_known_carriers_link_to_their_tracking_page():
    assert tracking_url("ups", "1z 999aa1 01 2345678 4") == (
        "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums=1Z999AA10123456784"
    )
    assert tracking_url("SF", "SF1234500007919") is None
