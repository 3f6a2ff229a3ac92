"""The code printed on a paper form, with a Verhoeff check digit.

A paper form carries a short all-digit code: seven digits taken from the round's public id,
one digit for the form (1 the client's, 2 the professional's) and a check digit. Whoever types
the form in types the code first; the check digit catches every single wrong digit and every
swap of two neighbouring digits (Verhoeff's scheme; Luhn misses the swap 09 ↔ 90), so a form
is not typed into the wrong round by a slip of the finger.

The code is not a secret and not an identifier of a person: it only says "this paper belongs
to that round". Pure Python, no Django.
"""

from __future__ import annotations

import uuid

ROUND_DIGITS = 7
FORM_DIGITS = {"client": "1", "professional": "2"}

# Verhoeff's tables: multiplication in the dihedral group D5, the permutation, the inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
#: The permutation that Verhoeff's scheme applies once per position, and its powers: position
#: ``i`` (counted from the right) uses ``_P[i % 8]``, the permutation applied ``i % 8`` times.
#: Derived rather than typed out: a typed table once held a wrong row (position 4), which let
#: some swaps of neighbouring digits through.
_P1 = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)


def _powers(permutation: tuple[int, ...], count: int) -> tuple[tuple[int, ...], ...]:
    rows = [tuple(range(10))]
    while len(rows) < count:
        rows.append(tuple(permutation[digit] for digit in rows[-1]))
    return tuple(rows)


_P = _powers(_P1, 8)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _checksum(digits: str) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c


def check_digit(digits: str) -> str:
    """The Verhoeff check digit of the string of decimal digits ``digits``."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("only the digits 0-9 have a check digit")
    return str(_INV[_checksum(digits + "0")])


def is_valid(code: str) -> bool:
    """Whether the digits ``code`` end in their right check digit."""
    return len(code) >= 2 and code.isascii() and code.isdigit() and _checksum(code) == 0


def form_code(round_id: uuid.UUID, form: str) -> str:
    """The nine digits printed on ``form`` (``client`` / ``professional``) of a round."""
    payload = f"{round_id.int % 10**ROUND_DIGITS:0{ROUND_DIGITS}d}{FORM_DIGITS[form]}"
    return payload + check_digit(payload)


def pretty(code: str) -> str:
    """The code in groups, as printed: ``1234 5671 8``."""
    return f"{code[:4]} {code[4:8]} {code[8:]}"


def normalise(typed: str) -> str:
    """What was typed, without the spaces and dashes that a typist may copy from the paper."""
    return "".join(ch for ch in typed if ch not in " -\t")
