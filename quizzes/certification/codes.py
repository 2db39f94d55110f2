"""Certificate verification codes: generated from `secrets`, typed back by people.

A code is 100 random bits written as 20 Crockford base-32 characters (no I, L,
O or U, so nothing reads as something else) and shown in five groups of four:
``7KQ2-M9XD-4RTB-0HZW-PC3N``. Codes are stored without the dashes.
"""

from trainingsite.codes import (
    CROCKFORD_ALPHABET,
    crockford_format,
    crockford_generate,
    crockford_normalise,
)

CODE_ALPHABET = CROCKFORD_ALPHABET
CODE_BITS = 100
CODE_LENGTH = CODE_BITS // 5  # 5 bits per character


def code_generate() -> str:
    """Return a new code: 20 characters carrying 100 bits from a cryptographic source."""
    return crockford_generate(CODE_BITS)


def code_format(code: str) -> str:
    """Group a stored code for reading: XXXX-XXXX-XXXX-XXXX-XXXX."""
    return crockford_format(code)


def code_normalise(typed: str) -> str | None:
    """Return the stored form of a typed code, or None if it cannot be one.

    Case, spaces and dashes are ignored; I and L read as 1, O as 0.
    """
    return crockford_normalise(typed, length=CODE_LENGTH, max_typed=80)
