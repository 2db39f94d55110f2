"""Signing a statement, and a statement's new version."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from quizzes.attestations.rules import NAME_MISMATCH
from quizzes.attestations.services import (
    ALREADY_SIGNED,
    NOT_SIGNED_IN,
    TEXT_EMPTY,
    AlreadySigned,
    attestation_sign,
    statement_save,
)
from quizzes.models import Attestation, Certificate
from tests.builders.competence import attest
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


def _sign(user, statement, **kwargs):
    defaults = {"typed_name": "Tara Trainee", "ip_address": "203.0.113.7"}
    return attestation_sign(user=user, statement=statement, **(defaults | kwargs))


def test_sign_stores_text_version_name_time_and_address(trainee, statement):
    now = timezone.now()
    attestation = _sign(trainee, statement, typed_name="  tara TRAINEE ", now=now)
    attestation.refresh_from_db()
    assert attestation.user == trainee
    assert attestation.version == 1
    assert attestation.text == "I will follow the protocol."
    assert attestation.typed_name == "tara TRAINEE"
    assert attestation.attested_at == now
    assert attestation.ip_address == "203.0.113.7"


def test_sign_is_audited(trainee, statement):
    attestation = _sign(trainee, statement)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTESTATION_SIGNED)
    assert event.actor == trainee
    assert event.target_id == str(attestation.pk)


def test_a_forged_address_is_not_stored(trainee, statement):
    assert _sign(trainee, statement, ip_address="not-an-address").ip_address is None


def test_wrong_name_is_refused_with_the_message(trainee, statement):
    with pytest.raises(ValidationError) as error:
        _sign(trainee, statement, typed_name="Otto Other")
    assert error.value.messages == [NAME_MISMATCH.format(expected="Tara Trainee")]
    assert Attestation.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTESTATION_SIGNED).count() == 0


def test_anonymous_cannot_sign(statement):
    with pytest.raises(PermissionDenied, match=NOT_SIGNED_IN):
        _sign(AnonymousUser(), statement)


def test_second_signature_of_the_same_version_is_refused(trainee, statement):
    _sign(trainee, statement)
    with pytest.raises(AlreadySigned, match=ALREADY_SIGNED.format(version=1)):
        _sign(trainee, statement)
    assert Attestation.objects.count() == 1


def test_the_database_refuses_a_duplicate_too(trainee, statement):
    attest(trainee, statement)
    with pytest.raises(IntegrityError):
        attest(trainee, statement)


def test_changed_text_raises_the_version_and_keeps_old_records(trainee, statement):
    old = _sign(trainee, statement)
    statement_save(statement=statement, text="I will follow the new protocol.", title="New")
    statement.refresh_from_db()
    assert statement.version == 2
    old.refresh_from_db()
    assert (old.version, old.text) == (1, "I will follow the protocol.")
    new = _sign(trainee, statement)
    assert (new.version, new.text) == (2, "I will follow the new protocol.")
    assert Attestation.objects.filter(user=trainee).count() == 2


def test_same_text_keeps_the_version(statement):
    statement_save(statement=statement, text=statement.text, title="Renamed")
    statement.refresh_from_db()
    assert (statement.version, statement.title) == (1, "Renamed")


def test_a_stale_statement_object_signs_the_stored_version(trainee, statement):
    stale = type(statement).objects.get(pk=statement.pk)
    statement_save(statement=statement, text="Changed.", title=statement.title)
    attestation = _sign(trainee, stale)
    assert (attestation.version, attestation.text) == (2, "Changed.")


def test_empty_text_is_refused(statement):
    with pytest.raises(ValidationError) as error:
        statement_save(statement=statement, text="  ", title="T")
    assert error.value.messages == [TEXT_EMPTY]


def test_signing_the_last_requirement_issues_the_certificate(trainee, statement, assigned):
    _sign(trainee, statement)
    assert Certificate.objects.filter(user=trainee).count() == 1
