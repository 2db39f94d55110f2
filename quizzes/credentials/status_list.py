"""The W3C Bitstring Status List: one bit per credential, set when it is revoked. Pure.

The list has STATUS_LIST_BITS bits (16 KB uncompressed, the specification's
minimum, so that one holder cannot be singled out by a short list). Bit 0 is
the left-most bit of the first byte. The published form (``encodedList``) is
the bitstring GZIP-compressed, then base64url without padding, with the
multibase prefix "u". Indexes are drawn at random among the free ones, so the
order in which credentials were issued does not leak from their indexes.
"""

import base64
import gzip
import random
import zlib
from collections.abc import Iterable

STATUS_LIST_BITS = 131_072
STATUS_LIST_BYTES = STATUS_LIST_BITS // 8
STATUS_PURPOSE = "revocation"
MULTIBASE_BASE64URL = "u"
# A compressed list that expands past this is refused (a "zip bomb"), long before memory.
DECODE_LIMIT_BYTES = 4 * STATUS_LIST_BYTES
STATUS_LIST_FULL = (
    "Every index of the status list is taken: publish a second status list before "
    "issuing more credentials."
)
ENCODED_LIST_INVALID = "The status list is not a multibase base64url GZIP bitstring."


class StatusListFull(RuntimeError):
    pass


class StatusListInvalid(ValueError):
    pass


def bitstring_new() -> bytearray:
    """Return an empty list: every credential in good standing."""
    return bytearray(STATUS_LIST_BYTES)


def _position(index: int) -> tuple[int, int]:
    if not 0 <= index < STATUS_LIST_BITS:
        raise IndexError(f"Status list index {index} is outside 0..{STATUS_LIST_BITS - 1}.")
    return index // 8, 7 - index % 8


def bit_set(bits: bytearray, index: int) -> None:
    byte, shift = _position(index)
    bits[byte] |= 1 << shift


def bit_test(bits: bytes | bytearray, index: int) -> bool:
    byte, shift = _position(index)
    return bool(bits[byte] >> shift & 1)


def bitstring_from_indexes(indexes: Iterable[int]) -> bytearray:
    """Return the list with the bits of `indexes` set (the revoked credentials)."""
    bits = bitstring_new()
    for index in indexes:
        bit_set(bits, index)
    return bits


def bitstring_encode(bits: bytes | bytearray) -> str:
    """Return the ``encodedList`` of a bitstring (deterministic: no GZIP time stamp)."""
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def bitstring_decode(encoded: str) -> bytearray:
    """Return the bitstring of an ``encodedList``; raise StatusListInvalid for anything else."""
    if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
        raise StatusListInvalid(ENCODED_LIST_INVALID)
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        bits = inflater.decompress(compressed, DECODE_LIMIT_BYTES)
    except (ValueError, zlib.error) as error:
        raise StatusListInvalid(ENCODED_LIST_INVALID) from error
    if inflater.unconsumed_tail or len(bits) < STATUS_LIST_BYTES:
        raise StatusListInvalid(ENCODED_LIST_INVALID)
    return bytearray(bits)


def status_index_draw(*, taken: set[int] | frozenset[int], rng: random.Random | None = None) -> int:
    """Return a free index, drawn at random; raise StatusListFull when none is left."""
    rng = rng or random.SystemRandom()
    free = STATUS_LIST_BITS - len(taken)
    if free <= 0:
        raise StatusListFull(STATUS_LIST_FULL)
    if free > STATUS_LIST_BITS // 2:
        # Mostly free: a few draws find one (each succeeds with probability above 1/2).
        while (index := rng.randrange(STATUS_LIST_BITS)) in taken:
            pass
        return index
    return rng.choice([i for i in range(STATUS_LIST_BITS) if i not in taken])


def status_entry(*, list_url: str, index: int) -> dict:
    """The ``credentialStatus`` of a credential whose bit is `index` in the list at `list_url`."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
