"""What the rate limits count per: an IPv4 address, or an IPv6 /64 network."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from quizzes.certification.views import VERIFY_LIMIT
from trainingsite.security import client_limit_key


@pytest.mark.parametrize(
    "address, key",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
    ],
)
def test_limit_key_of_an_address(address, key):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    assert client_limit_key(request) == key


@pytest.mark.django_db
def test_addresses_of_one_ipv6_64_share_the_verification_limit():
    url = reverse("certificates:verify", kwargs={"code": "0000-0000-0000-0000-0000"})
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:5:6::{n:x}").get(url).status_code
        for n in range(1, VERIFY_LIMIT + 2)
    ]
    assert statuses == [404] * VERIFY_LIMIT + [429]
    # The next /64 is someone else.
    assert Client(REMOTE_ADDR="2001:db8:5:7::1").get(url).status_code == 404
