import pytest

from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_record_stores_who_what_and_target(educator):
    event = audit_record(
        actor=educator,
        action=AuditEvent.Action.CONTENT_PUBLISHED,
        target=educator,
        summary="Published a lesson",
        details={"slug": "x"},
    )
    event.refresh_from_db()
    assert event.actor == educator
    assert event.actor_name == "eddie"
    assert event.target_type == "auth.user"
    assert event.target_id == str(educator.pk)
    assert event.details == {"slug": "x"}


def test_system_events_have_no_actor():
    event = audit_record(actor=None, action=AuditEvent.Action.ATTEMPT_EXPIRED)
    assert event.actor is None
    assert event.actor_name == ""


def test_audit_events_cannot_be_changed_or_deleted(educator):
    event = audit_record(actor=educator, action=AuditEvent.Action.ROLE_CHANGED)
    event.summary = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.count() == 1
