import pytest

from quizzes.webhooks.services import endpoint_create
from tests.webhooks.listener import Listener


@pytest.fixture
def listener():
    running = Listener().start()
    yield running
    running.stop()


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def make_endpoint(allow_private):
    def make(owner, url, events=("certificate.issued",)):
        return endpoint_create(owner=owner, url=url, events=list(events))

    return make
