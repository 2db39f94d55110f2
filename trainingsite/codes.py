"""Codes people read and type: random Crockford base-32, shown in groups of four.

Crockford's alphabet has no I, L, O or U, so nothing reads as something else;
what people type is read back ignoring case, spaces and dashes, with I and L
read as 1 and O as 0. Certificate codes (quizzes/certification/codes.py) and
join codes (quizzes/cohorts/tokens.py) are both made here, from `secrets`.
"""

import re
import secrets

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BITS_PER_CHARACTER = 5
GROUP = 4

# What people type instead of the real characters.
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def crockford_generate(bits: int) -> str:
    """Return bits // 5 characters carrying that many bits from a cryptographic source."""
    number = secrets.randbits(bits)
    characters = []
    for _ in range(bits // BITS_PER_CHARACTER):
        number, index = divmod(number, 32)
        characters.append(CROCKFORD_ALPHABET[index])
    return "".join(reversed(characters))


def crockford_format(code: str) -> str:
    """Group a stored code for reading: XXXX-XXXX-..."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def crockford_normalise(typed: object, *, length: int, max_typed: int) -> str | None:
    """Return the stored form of a typed code of `length` characters, or None if it is not one."""
    if not isinstance(typed, str) or len(typed) > max_typed:
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_LOOKALIKES)
    if len(code) != length or any(character not in CROCKFORD_ALPHABET for character in code):
        return None
    return code
