"""The typed-name rule of an attestation (pure: no database).

A typed name matches the account's name when both agree after normalising: Unicode
NFKC, case folded, every run of spaces and punctuation (hyphens, apostrophes, dots,
commas) treated as one space, and the ends trimmed. Accents are kept: "Zoe" does not
match "Zoë", since the name signed is the person's own spelling. The expected name is
the account's full name, or its username when the account has no full name.
"""

import unicodedata

NAME_MISMATCH = "Type your full name exactly as it appears on your account: {expected}."
NAME_EMPTY = "Type your full name to sign."


def name_normalise(text: str) -> str:
    """The comparable form of a name: NFKC, case folded, punctuation and spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(
        " " if (ch.isspace() or unicodedata.category(ch).startswith(("P", "Z"))) else ch
        for ch in folded
    )
    return " ".join(kept.split())


def expected_name(*, full_name: str, username: str) -> str:
    """The name a user signs with: the full name, else the username."""
    return full_name.strip() or username


def typed_name_problem(*, typed_name: str, full_name: str, username: str) -> str | None:
    """The message to show when the typed name does not match the account, else None."""
    if not name_normalise(typed_name):
        return NAME_EMPTY
    expected = expected_name(full_name=full_name, username=username)
    if name_normalise(typed_name) != name_normalise(expected):
        return NAME_MISMATCH.format(expected=expected)
    return None
