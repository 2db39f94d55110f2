"""Certificate verification codes: generated from `secrets`, typed back by people.

A code is 100 random bits written as 20 Crockford base-32 characters (no I, L,
O or U, so nothing reads as something else) and shown in five groups of four:
``7KQ2-M9XD-4RTB-0HZW-PC3N``. Codes are stored without the dashes.
"""

import re
import secrets

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BITS = 100
CODE_LENGTH = CODE_BITS // 5  # 5 bits per character
CODE_GROUP = 4

# What people type instead of the real characters.
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def code_generate() -> str:
    """Return a new code: 20 characters carrying 100 bits from a cryptographic source."""
    number = secrets.randbits(CODE_BITS)
    characters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, 32)
        characters.append(CODE_ALPHABET[index])
    return "".join(reversed(characters))


def code_format(code: str) -> str:
    """Group a stored code for reading: XXXX-XXXX-XXXX-XXXX-XXXX."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def code_normalise(typed: str) -> str | None:
    """Return the stored form of a typed code, or None if it cannot be one.

    Case, spaces and dashes are ignored; I and L read as 1, O as 0.
    """
    if not isinstance(typed, str) or len(typed) > 80:
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(character not in CODE_ALPHABET for character in code):
        return None
    return code
