"""Check-digit algorithms of carrier tracking numbers, written from their published descriptions.

Each function takes the payload (the characters the check covers, without the check digit)
and returns the check character it should have, so a caller can tell the user which digit was
expected instead of only "invalid". Descriptions and worked examples are in
shared/formats/tracking-numbers.md §3; the sources are USPS Publication 199 and GS1 (mod 10),
the UPS and FedEx descriptions quoted there, and the UPU S10 standard.

What each one cannot catch matters as much as what it catches, because omsctl tells the user
a number "is valid" on the strength of it:

- GS1 mod 10 catches every single-digit substitution (weights 3 and 1 are both prime to 10),
  but not a swap of neighbours that differ by 5.
- UPS mod 10 doubles every other character, and 2 is not prime to 10: a change of ±5 in a
  doubled position goes unseen, and so does a letter swapped for a character of equal value
  (A=K=U=2, I=S=0 …), because letters are folded onto digits.
- FedEx mod 11 turns remainder 10 into check 0, so a typo that moves the remainder between
  0 and 10 goes unseen.
- Mod 7 cannot see a digit changed by 7 (0↔7, 1↔8, 2↔9).
- S10 mod 11 maps remainders 0 and 6 both to check 5.
"""

from __future__ import annotations

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def char_value(char: str) -> int:
    """The UPS value of a character: a digit is itself; letters run A=2 … H=9, I=0, J=1 … cyclic.

    This is how UPS folds the letters of a shipper number into its mod 10 (A is the first
    letter and counts 2, so letter n counts (n + 2) mod 10).
    """
    if char.isdigit():
        return int(char)
    return (ord(char) - ord("A") + 2) % 10


def gs1_mod10(payload: str) -> str:
    """GS1 mod 10 (USPS, FedEx Ground, SSCC, Canada Post): weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str(-total % 10)


def ups_mod10(payload: str) -> str:
    """UPS mod 10 (1Z, Waybill, OnTrac): 1st, 3rd … characters once, 2nd, 4th … twice.

    Not Luhn: a doubled value is added whole, its digits are not summed.
    """
    total = sum(char_value(c) * (2 if i % 2 else 1) for i, c in enumerate(payload))
    return str(-total % 10)


def fedex_mod11(payload: str) -> str:
    """FedEx mod 11 (Express 12 and 34, Ground GSN, ASTRA): weights 1,3,7,… from the right.

    The check is the weighted sum mod 11, and a remainder of 10 is written as 0.
    """
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(payload)))
    return str(total % 11 % 10)


def mod7(payload: str) -> str:
    """DHL Express: the check digit is the payload, read as a number, mod 7."""
    return str(int(payload) % 7)


def s10_mod11(serial: str) -> str:
    """UPU S10: weights 8,6,4,2,3,5,9,7 over the 8 serial digits; C = 11 − S mod 11.

    C = 10 is written 0 and C = 11 is written 5 (UPU S10, worked example 47312482 → 9).
    """
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: "0", 11: "5"}.get(check, str(check))


def luhn(payload: str) -> str:
    """Luhn (Purolator, Old Dominion): double every second digit from the right, sum digits."""
    total = 0
    for i, d in enumerate(reversed(payload)):
        value = int(d) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


_MOD36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def iso7064_mod37_36(payload: str) -> str:
    """ISO 7064 MOD 37,36 (DPD): a hybrid system over 0-9A-Z whose check may be a letter."""
    carry = 36
    for char in payload:
        carry = (carry + _MOD36.index(char)) % 36 or 36
        carry = carry * 2 % 37
    return _MOD36[(37 - carry) % 36]
