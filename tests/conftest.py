"""Shared personas (a trainee, another trainee, an educator, managers, a superuser) and probes."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from quizzes import signals
from quizzes.credentials.keys import key_new, key_set_text
from tests.builders import UserFactory, make_assessor, make_educator, make_manager, make_trainee


@pytest.fixture(autouse=True, scope="session")
def credential_keys_file(tmp_path_factory):
    """A fresh credential key set for the session (issuing a certificate signs its credential).

    Generated here, never committed; tests/credentials/conftest.py makes one per test
    where a test rotates keys.
    """
    path = tmp_path_factory.mktemp("credential-keys") / "credential-keys.json"
    path.write_text(key_set_text([key_new()]))
    with override_settings(CREDENTIAL_KEYS="", CREDENTIAL_KEYS_FILE=path):
        yield path


@pytest.fixture(autouse=True, scope="session")
def cpd_evidence_root(tmp_path_factory):
    """CPD evidence files go to a folder of the session's own, never the site's var/."""
    path = tmp_path_factory.mktemp("cpd-evidence")
    with override_settings(CPD_EVIDENCE_ROOT=path):
        yield path


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: database rows roll back, cached copies would not."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trainee(db):
    return make_trainee(username="tara", first_name="Tara", last_name="Trainee")


@pytest.fixture
def other_trainee(db):
    return make_trainee(username="otto", first_name="Otto", last_name="Other")


@pytest.fixture
def educator(db):
    return make_educator(username="eddie", first_name="Eddie", last_name="Educator")


@pytest.fixture
def manager(db):
    return make_manager(username="maya", first_name="Maya", last_name="Manager")


@pytest.fixture
def other_manager(db):
    return make_manager(username="olga", first_name="Olga", last_name="Othermanager")


@pytest.fixture
def assessor(db):
    return make_assessor(username="asha", first_name="Asha", last_name="Assessor")


@pytest.fixture
def other_assessor(db):
    return make_assessor(username="arlo", first_name="Arlo", last_name="Otherassessor")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


@pytest.fixture
def educator_client(client, educator):
    client.force_login(educator)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def graded_sent():
    """The attempts `attempt_graded` is sent for, seen by a receiver connected for the test."""
    sent = []

    def receiver(sender, *, attempt, **kwargs):
        sent.append(attempt)

    signals.attempt_graded.connect(receiver)
    yield sent
    signals.attempt_graded.disconnect(receiver)
