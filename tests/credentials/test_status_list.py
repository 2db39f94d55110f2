"""The Bitstring Status List: plain data in, no database (no django_db mark)."""

import base64
import gzip
import random

import pytest

from quizzes.credentials.status_list import (
    STATUS_LIST_BITS,
    STATUS_LIST_BYTES,
    StatusListFull,
    StatusListInvalid,
    bit_set,
    bit_test,
    bitstring_decode,
    bitstring_encode,
    bitstring_from_indexes,
    bitstring_new,
    status_index_draw,
)


def test_the_list_is_sixteen_kilobytes_the_specifications_minimum():
    assert STATUS_LIST_BITS == 131_072
    assert len(bitstring_new()) == STATUS_LIST_BYTES == 16 * 1024


def test_bit_zero_is_the_leftmost_bit_of_the_first_byte():
    bits = bitstring_new()
    bit_set(bits, 0)
    bit_set(bits, 9)

    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bit_test(bits, 0) is True
    assert bit_test(bits, 1) is False
    assert bit_test(bits, 9) is True


def test_indexes_outside_the_list_are_refused():
    with pytest.raises(IndexError):
        bit_set(bitstring_new(), STATUS_LIST_BITS)
    with pytest.raises(IndexError):
        bit_test(bitstring_new(), -1)


def test_encode_is_multibase_base64url_of_gzip_and_decodes_back():
    bits = bitstring_from_indexes([3, 77_777, STATUS_LIST_BITS - 1])
    encoded = bitstring_encode(bits)

    assert encoded.startswith("u") and "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == bytes(bits)
    assert bitstring_decode(encoded) == bits
    assert bitstring_encode(bits) == encoded  # no time stamp: the same list, the same text


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "zH4sI",  # another multibase prefix
        "u!!!!",
        "u" + base64.urlsafe_b64encode(b"not gzip").decode(),
        "u" + base64.urlsafe_b64encode(gzip.compress(b"\x00" * 10, mtime=0)).decode(),  # too short
        "u"
        + base64.urlsafe_b64encode(
            gzip.compress(b"\x00" * (10 * STATUS_LIST_BYTES), mtime=0)
        ).decode(),
    ],
)
def test_decode_refuses_what_is_not_a_status_list(encoded):
    with pytest.raises(StatusListInvalid):
        bitstring_decode(encoded)


def test_indexes_are_drawn_at_random_among_the_free_ones():
    rng = random.Random(7)
    taken: set[int] = set()
    for _ in range(200):
        taken.add(status_index_draw(taken=taken, rng=rng))

    assert len(taken) == 200
    assert sorted(taken) != list(range(200))  # not in issue order
    assert max(taken) > STATUS_LIST_BITS // 2


def test_a_nearly_full_list_still_finds_the_free_index():
    taken = set(range(STATUS_LIST_BITS)) - {12_345}

    assert status_index_draw(taken=taken, rng=random.Random(1)) == 12_345


def test_a_full_list_says_so():
    with pytest.raises(StatusListFull):
        status_index_draw(taken=set(range(STATUS_LIST_BITS)))
