import pytest
from django.contrib.auth.models import Group

from tests.builders import UserFactory
from trainingsite.audit import audit_actor, audit_record
from trainingsite.models import APPEND_ONLY_CHANGE, APPEND_ONLY_DELETE, AuditEvent
from trainingsite.roles import Role, user_is_educator

pytestmark = pytest.mark.django_db


def role_events():
    return AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED)


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
    event = audit_record(actor=educator, action=AuditEvent.Action.CSV_IMPORTED)
    event.summary = "rewritten"
    with pytest.raises(ValueError, match=APPEND_ONLY_CHANGE):
        event.save()
    with pytest.raises(ValueError, match=APPEND_ONLY_DELETE):
        event.delete()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CSV_IMPORTED).count() == 1


def test_bulk_update_and_delete_are_refused(educator):
    event = audit_record(actor=educator, action=AuditEvent.Action.CSV_IMPORTED, summary="kept")
    with pytest.raises(ValueError, match=APPEND_ONLY_CHANGE):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(ValueError, match=APPEND_ONLY_CHANGE):
        AuditEvent.objects.update(summary="rewritten")
    with pytest.raises(ValueError, match=APPEND_ONLY_CHANGE):
        event.summary = "rewritten"
        AuditEvent.objects.bulk_update([event], ["summary"])
    with pytest.raises(ValueError, match=APPEND_ONLY_CHANGE):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"summary": "rewritten"})
    with pytest.raises(ValueError, match=APPEND_ONLY_DELETE):
        AuditEvent.objects.all().delete()
    with pytest.raises(ValueError, match=APPEND_ONLY_DELETE):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "kept"


def test_nobody_can_be_granted_change_or_delete_rights():
    assert AuditEvent._meta.default_permissions == ("view",)


def test_deleting_a_user_keeps_their_events_with_the_name(educator):
    event = audit_record(actor=educator, action=AuditEvent.Action.CSV_IMPORTED)
    educator.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None
    assert event.actor_name == "eddie"


def test_giving_a_role_is_recorded_without_an_actor_outside_a_request():
    user = UserFactory(username="newbie")
    user.groups.add(Group.objects.get(name=Role.EDUCATOR))
    event = role_events().get()
    assert event.actor is None
    assert event.target_type == "auth.user"
    assert event.target_id == str(user.pk)
    assert event.summary == "newbie: added Educator"
    assert event.details == {"user": "newbie", "added": ["Educator"], "removed": []}


def test_removing_a_role_is_recorded_with_the_actor_in_scope(superuser):
    user = UserFactory(username="newbie", role=Role.MANAGER)
    with audit_actor(superuser):
        user.groups.remove(Group.objects.get(name=Role.MANAGER))
    event = role_events().first()
    assert event.actor == superuser
    assert event.details == {"user": "newbie", "added": [], "removed": ["Manager"]}


def test_actor_scope_ends_with_the_block(superuser):
    user = UserFactory(username="newbie")
    with audit_actor(superuser):
        pass
    user.groups.add(Group.objects.get(name=Role.TRAINEE))
    assert role_events().get().actor is None


def test_clearing_groups_records_the_roles_removed():
    user = UserFactory(username="newbie", role=Role.EDUCATOR)
    user.groups.add(Group.objects.get(name=Role.MANAGER))
    user.groups.clear()
    event = role_events().first()
    assert event.details == {"user": "newbie", "added": [], "removed": ["Educator", "Manager"]}


def test_set_records_removal_and_addition():
    user = UserFactory(username="newbie", role=Role.TRAINEE)
    user.groups.set([Group.objects.get(name=Role.EDUCATOR)])
    summaries = list(role_events().order_by("id").values_list("summary", flat=True))
    assert summaries == [
        "newbie: added Trainee",
        "newbie: removed Trainee",
        "newbie: added Educator",
    ]


def test_adding_users_to_a_role_from_the_group_side_is_recorded():
    first = UserFactory(username="first")
    second = UserFactory(username="second")
    Group.objects.get(name=Role.MANAGER).user_set.add(first, second)
    events = role_events().order_by("id")
    assert [e.target_id for e in events] == [str(first.pk), str(second.pk)]
    assert {e.summary for e in events} == {"first: added Manager", "second: added Manager"}


def test_clearing_a_role_group_records_each_member():
    first = UserFactory(username="first", role=Role.EDUCATOR)
    UserFactory(username="second", role=Role.EDUCATOR)
    Group.objects.get(name=Role.EDUCATOR).user_set.clear()
    removed = role_events().filter(summary__endswith="removed Educator")
    assert removed.count() == 2
    assert removed.filter(target_id=str(first.pk)).exists() is True


def test_groups_that_are_not_roles_are_not_recorded():
    user = UserFactory(username="newbie")
    club = Group.objects.create(name="Book club")
    user.groups.add(club)
    club.user_set.remove(user)
    assert role_events().exists() is False


def test_adding_a_role_twice_records_once():
    user = UserFactory(username="newbie")
    educators = Group.objects.get(name=Role.EDUCATOR)
    user.groups.add(educators)
    user.groups.add(educators)
    assert role_events().count() == 1


def test_role_change_refreshes_the_role_cache():
    user = UserFactory(username="newbie")
    assert user_is_educator(user) is False
    user.groups.add(Group.objects.get(name=Role.EDUCATOR))
    assert user_is_educator(user) is True
