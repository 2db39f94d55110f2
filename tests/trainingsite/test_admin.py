"""The audit trail in the admin: superusers read and export it; nobody edits it."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.builders import UserFactory
from trainingsite.admin import EXPORT_HEADER, csv_safe
from trainingsite.audit import audit_record
from trainingsite.models import AuditEvent
from trainingsite.roles import Role

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:trainingsite_auditevent_changelist"
EXPORT = "admin:trainingsite_auditevent_export"


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def events(educator):
    published = audit_record(
        actor=educator,
        action=AuditEvent.Action.CONTENT_PUBLISHED,
        summary="Published lesson Why skin bleeds",
    )
    imported = audit_record(
        actor=educator, action=AuditEvent.Action.CSV_IMPORTED, summary="=HYPERLINK(evil)"
    )
    return published, imported


def export_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_superuser_sees_the_trail_with_an_export_link(superuser_client, events):
    response = superuser_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Published lesson Why skin bleeds" in body
    assert reverse(EXPORT) in body
    assert "Add audit event" not in body


def test_superuser_admin_index_lists_the_trail(superuser_client):
    assert reverse(CHANGELIST) in superuser_client.get(reverse("admin:index")).content.decode()


def test_educator_cannot_see_the_trail(educator_client, events):
    assert reverse(CHANGELIST) not in educator_client.get(reverse("admin:index")).content.decode()
    assert educator_client.get(reverse(CHANGELIST)).status_code == 403
    assert educator_client.get(reverse(EXPORT)).status_code == 403
    detail = reverse("admin:trainingsite_auditevent_change", args=[events[0].pk])
    assert educator_client.get(detail).status_code == 403


def test_educator_granted_the_view_permission_still_cannot_see_it(educator_client, educator):
    educator.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    assert educator_client.get(reverse(CHANGELIST)).status_code == 403


@pytest.mark.parametrize("persona", ["trainee", "manager"])
def test_non_staff_are_sent_to_the_admin_login(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(EXPORT))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_superuser_can_read_an_event_but_not_change_it(superuser_client, events):
    url = reverse("admin:trainingsite_auditevent_change", args=[events[0].pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = superuser_client.post(url, {"summary": "rewritten"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=events[0].pk).summary == "Published lesson Why skin bleeds"


def test_superuser_cannot_add_or_delete_events(superuser_client, events):
    assert superuser_client.get(reverse("admin:trainingsite_auditevent_add")).status_code == 403
    delete = reverse("admin:trainingsite_auditevent_delete", args=[events[0].pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    response = superuser_client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [events[0].pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(pk=events[0].pk).exists() is True
    assert response.status_code in (200, 302)


def test_changelist_filters_by_action_and_searches(superuser_client, events):
    response = superuser_client.get(reverse(CHANGELIST), {"action__exact": "import.csv"})
    body = response.content.decode()
    assert "HYPERLINK" in body
    assert "Why skin bleeds" not in body
    response = superuser_client.get(reverse(CHANGELIST), {"q": "skin"})
    body = response.content.decode()
    assert "Why skin bleeds" in body
    assert "HYPERLINK" not in body


def test_export_streams_the_filtered_rows(superuser_client, events):
    rows = export_rows(
        superuser_client.get(reverse(EXPORT), {"action__exact": "content.published"})
    )
    assert rows[0] == EXPORT_HEADER
    assert len(rows) == 2
    assert rows[1][1:6] == [
        "content.published",
        "eddie",
        "",
        "",
        "Published lesson Why skin bleeds",
    ]


def test_export_defuses_spreadsheet_formulas(superuser_client, events):
    rows = export_rows(superuser_client.get(reverse(EXPORT), {"action__exact": "import.csv"}))
    assert rows[1][5] == "'=HYPERLINK(evil)"


def test_export_follows_the_date_filter(superuser_client, events):
    rows = export_rows(superuser_client.get(reverse(EXPORT), {"occurred_at__year": "2999"}))
    assert rows == [EXPORT_HEADER]


def test_export_query_count_is_flat(superuser_client, educator, django_assert_max_num_queries):
    for number in range(60):
        audit_record(actor=educator, action=AuditEvent.Action.CSV_IMPORTED, summary=f"n{number}")
    # Session, user, the changelist's count, the session save (3), one SELECT.
    with django_assert_max_num_queries(7):
        rows = export_rows(superuser_client.get(reverse(EXPORT)))
    assert len(rows) == 1 + AuditEvent.objects.count()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@x", "'@x"), ("plain", "plain")],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def user_change_form(user, groups):
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in groups],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }


def test_role_change_in_the_user_admin_records_the_superuser(superuser_client, superuser):
    user = UserFactory(username="newbie", role=Role.TRAINEE)
    manager_group = Group.objects.get(name=Role.MANAGER)
    response = superuser_client.post(
        reverse("admin:auth_user_change", args=[user.pk]), user_change_form(user, [manager_group])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(user.groups.values_list("name", flat=True)) == ["Manager"]
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.ROLE_CHANGED, actor=superuser
    ).order_by("id")
    assert [e.summary for e in events] == ["newbie: removed Trainee", "newbie: added Manager"]
    assert all(e.actor_name == "root" for e in events)


def test_saving_a_user_without_role_changes_records_nothing(superuser_client):
    user = UserFactory(username="newbie", role=Role.TRAINEE)
    before = AuditEvent.objects.count()
    response = superuser_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        user_change_form(user, [Group.objects.get(name=Role.TRAINEE)]),
    )
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before


def test_making_someone_a_superuser_is_recorded(superuser_client, superuser):
    user = UserFactory(username="newbie", role=Role.TRAINEE)
    form = user_change_form(user, [Group.objects.get(name=Role.TRAINEE)])
    form.update({"is_staff": "on", "is_superuser": "on"})
    response = superuser_client.post(reverse("admin:auth_user_change", args=[user.pk]), form)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED, actor=superuser).get()
    assert event.summary == "newbie: is_staff on; is_superuser on"
    assert event.details == {"user": "newbie", "is_staff": True, "is_superuser": True}
