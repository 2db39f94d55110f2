"""Assignments, attempt summaries and CPD entries through a token: its owner's scope only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.api.cursors import CURSOR_INVALID, cursor_make
from quizzes.models import Attempt, CohortMembership, CpdEntry
from tests.builders import assign, assign_to_cohort, make_cohort, make_program, make_trainee
from tests.builders.attempts import graded_attempt, practice_attempt
from trainingsite.models import AuditEvent

pytestmark = pytest.mark.django_db

ASSIGNMENTS = reverse("api:assignments")
ATTEMPTS = reverse("api:attempts")
CPD = reverse("api:cpd")


def _items(response):
    assert response.status_code == 200, response.content
    return response.json()["items"]


def _all_pages(client, url, params):
    """Follow `next` to the end; return every item in order."""
    items, response = [], client.get(url, params)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        items += body["items"]
        if body["next"] is None:
            return items
        response = client.get(body["next"])


# --- Assignments -------------------------------------------------------------------------


def test_assignments_in_scope_with_the_cohorts_due_date(
    manager_api, other_manager_api, superuser_api, api_world, trainee, other_trainee
):
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert _items(manager_api.get(ASSIGNMENTS)) == [
        {
            "trainee": trainee.pk,
            "program": "foundation",
            "program_name": api_world.program.name,
            "due_date": due,
            "individual": False,
            "cohorts": [api_world.cohort_a.slug],
        }
    ]
    assert [a["trainee"] for a in _items(other_manager_api.get(ASSIGNMENTS))] == [other_trainee.pk]
    everyone = _items(superuser_api.get(ASSIGNMENTS))
    assert [(a["trainee"], a["due_date"]) for a in everyone] == [
        (trainee.pk, due),
        (other_trainee.pk, None),
    ]


def test_an_individual_assignment_and_a_cohorts_merge_the_earliest_due_date_wins(
    manager_api, api_world, trainee
):
    sooner = timezone.localdate() + timedelta(days=3)
    assign(trainee, api_world.program, due_date=sooner)
    (item,) = _items(manager_api.get(ASSIGNMENTS))
    assert item["due_date"] == sooner.isoformat()
    assert item["individual"] is True
    assert item["cohorts"] == [api_world.cohort_a.slug]


def test_another_cohorts_assignment_shows_without_naming_that_cohort(
    manager_api, api_world, trainee
):
    extra = make_program(slug="advanced", lessons=1, quizzes=0)
    elsewhere = make_cohort(name="Ward C", trainees=[trainee])
    assign_to_cohort(elsewhere, extra)
    items = _items(manager_api.get(ASSIGNMENTS))
    assert [(a["program"], a["cohorts"]) for a in items] == [
        ("foundation", [api_world.cohort_a.slug]),
        ("advanced", []),
    ]


def test_assignment_filters(superuser_api, manager_api, api_world, trainee, other_trainee):
    extra = make_program(slug="advanced", lessons=1, quizzes=0)
    assign(other_trainee, extra)
    by_program = _items(superuser_api.get(ASSIGNMENTS, {"program": "advanced"}))
    assert [(a["trainee"], a["program"], a["individual"]) for a in by_program] == [
        (other_trainee.pk, "advanced", True)
    ]
    by_trainee = _items(superuser_api.get(ASSIGNMENTS, {"trainee": other_trainee.pk}))
    assert [a["program"] for a in by_trainee] == ["foundation", "advanced"]
    # Out of scope: filtered away, never shown.
    assert _items(manager_api.get(ASSIGNMENTS, {"trainee": other_trainee.pk})) == []
    assert superuser_api.get(ASSIGNMENTS, {"program": "bad slug!"}).status_code == 422


def test_assignment_pages_cover_every_pair_once(superuser_api, api_world, trainee, other_trainee):
    extra = make_program(slug="advanced", lessons=1, quizzes=0)
    assign(trainee, extra)
    assign(trainee, api_world.program)  # also through cohort A: still one pair
    assign_to_cohort(api_world.cohort_b, extra)
    pairs = [
        (a["trainee"], a["program"]) for a in _all_pages(superuser_api, ASSIGNMENTS, {"limit": 1})
    ]
    assert pairs == [
        (trainee.pk, "foundation"),
        (trainee.pk, "advanced"),
        (other_trainee.pk, "foundation"),
        (other_trainee.pk, "advanced"),
    ]


def test_a_cursor_of_another_list_or_shape_is_a_400(manager_api):
    for cursor in (
        cursor_make(resource="trainees", last=1),
        cursor_make(resource="assignments", last=1),
        cursor_make(resource="assignments", last=(1, -2)),
        "garbage",
    ):
        response = manager_api.get(ASSIGNMENTS, {"cursor": cursor})
        assert response.status_code == 400
        assert response.json()["detail"] == CURSOR_INVALID


def test_assignment_list_query_count_is_flat_in_the_page_size(
    manager_api, api_world, django_assert_max_num_queries
):
    def page_of(n):
        with django_assert_max_num_queries(20) as ctx:
            items = _items(manager_api.get(ASSIGNMENTS, {"limit": n}))
        assert len(items) == n
        return len(ctx.captured_queries)

    small = page_of(1)
    extra = make_program(slug="advanced", lessons=1, quizzes=0)
    for i in range(15):
        person = make_trainee(username=f"bulk{i}")
        CohortMembership.objects.create(cohort=api_world.cohort_a, user=person)
        assign(person, extra, due_date=timezone.localdate())
    large = page_of(31)
    assert large == small
    print(f"\nassignments list: {small} queries for 1 row, {large} for 31")


# --- Attempts ----------------------------------------------------------------------------


def _quiz(api_world):
    return api_world.program.required_quizzes.get()


def test_attempt_summaries_in_scope_never_the_answers(
    manager_api, superuser_api, api_world, trainee, other_trainee
):
    quiz = _quiz(api_world)
    mine = graded_attempt(trainee, quiz, passed=True)
    theirs = graded_attempt(other_trainee, quiz, passed=False)
    (item,) = _items(manager_api.get(ATTEMPTS))
    assert item == {
        "id": mine.pk,
        "uuid": str(mine.uuid),
        "quiz": quiz.slug,
        "quiz_title": quiz.title,
        "trainee": trainee.pk,
        "kind": "graded",
        "state": "submitted",
        "percent": 90.0,
        "passed": True,
        "started_at": item["started_at"],
        "submitted_at": item["submitted_at"],
    }
    assert item["submitted_at"] is not None
    assert [a["id"] for a in _items(superuser_api.get(ATTEMPTS))] == [mine.pk, theirs.pk]
    assert _items(manager_api.get(ATTEMPTS, {"trainee": other_trainee.pk})) == []


def test_attempt_filters_quiz_trainee_and_since(superuser_api, api_world, trainee, other_trainee):
    quiz = _quiz(api_world)
    now = timezone.now()
    old = graded_attempt(trainee, quiz, at=now - timedelta(days=10))
    recent = practice_attempt(trainee, quiz, at=now - timedelta(hours=1))
    theirs = graded_attempt(other_trainee, quiz, at=now - timedelta(hours=2))
    since = (now - timedelta(days=1)).isoformat()
    assert [a["id"] for a in _items(superuser_api.get(ATTEMPTS, {"since": since}))] == [
        recent.pk,
        theirs.pk,
    ]
    mine = _items(superuser_api.get(ATTEMPTS, {"trainee": trainee.pk}))
    assert [a["id"] for a in mine] == [old.pk, recent.pk]
    assert _items(superuser_api.get(ATTEMPTS, {"quiz": "no-such-quiz"})) == []
    assert len(_items(superuser_api.get(ATTEMPTS, {"quiz": quiz.slug}))) == 3


@pytest.mark.parametrize("since", ["yesterday", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z"])
def test_a_bad_or_naive_since_is_a_422_problem(manager_api, since):
    response = manager_api.get(ATTEMPTS, {"since": since})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_attempt_pages_and_flat_query_count(
    manager_api, api_world, trainee, django_assert_max_num_queries
):
    quiz = _quiz(api_world)
    made = [
        graded_attempt(trainee, quiz, at=timezone.now() - timedelta(minutes=i)).pk for i in range(5)
    ]
    assert [a["id"] for a in _all_pages(manager_api, ATTEMPTS, {"limit": 2})] == made
    counts = []
    for n in (1, 5):
        with django_assert_max_num_queries(15) as ctx:
            assert len(_items(manager_api.get(ATTEMPTS, {"limit": n}))) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    print(f"\nattempts list: {counts[0]} queries for 1 row, {counts[1]} for 5")


def test_attempts_list_answers_304_to_its_etag(manager_api, api_world, trainee):
    graded_attempt(trainee, _quiz(api_world))
    first = manager_api.get(ATTEMPTS)
    again = manager_api.get(ATTEMPTS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    Attempt.objects.update(percent=50.0)
    assert manager_api.get(ATTEMPTS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- CPD ---------------------------------------------------------------------------------


def _entry(user, status=CpdEntry.Status.RECORDED, **fields):
    reviewed = timezone.now() if status in ("approved", "rejected") else None
    return CpdEntry.objects.create(
        user=user,
        title=fields.pop("title", "Haemostasis workshop"),
        provider="Skin Society",
        completed_on=timezone.localdate() - timedelta(days=3),
        hours="2.5",
        status=status,
        reviewed_at=reviewed,
        **fields,
    )


def test_cpd_entries_of_trainees_in_scope(
    manager_api, other_manager_api, superuser_api, api_world, trainee, other_trainee, manager
):
    mine = _entry(trainee)
    theirs = _entry(other_trainee, status=CpdEntry.Status.PENDING)
    _entry(manager, title="The manager's own")  # not a trainee in scope
    (item,) = _items(manager_api.get(CPD))
    assert item == {
        "id": mine.pk,
        "trainee": trainee.pk,
        "title": "Haemostasis workshop",
        "provider": "Skin Society",
        "completed_on": mine.completed_on.isoformat(),
        "hours": "2.5",
        "status": "recorded",
        "reviewed_at": None,
        "has_evidence": False,
        "created_at": item["created_at"],
    }
    assert [e["id"] for e in _items(other_manager_api.get(CPD))] == [theirs.pk]
    assert [e["id"] for e in _items(superuser_api.get(CPD))] == [mine.pk, theirs.pk]


def test_cpd_filters_and_bad_status(superuser_api, api_world, trainee, other_trainee):
    _entry(trainee)
    approved = _entry(trainee, status=CpdEntry.Status.APPROVED)
    pending = _entry(other_trainee, status=CpdEntry.Status.PENDING)
    assert [e["id"] for e in _items(superuser_api.get(CPD, {"status": "approved"}))] == [
        approved.pk
    ]
    assert [e["id"] for e in _items(superuser_api.get(CPD, {"trainee": other_trainee.pk}))] == [
        pending.pk
    ]
    bad = superuser_api.get(CPD, {"status": "bogus"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_cpd_pages_and_flat_query_count(
    manager_api, api_world, trainee, django_assert_max_num_queries
):
    made = [_entry(trainee, title=f"Course {i}").pk for i in range(5)]
    assert [e["id"] for e in _all_pages(manager_api, CPD, {"limit": 2})] == made
    counts = []
    for n in (1, 5):
        with django_assert_max_num_queries(15) as ctx:
            assert len(_items(manager_api.get(CPD, {"limit": n}))) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    print(f"\ncpd list: {counts[0]} queries for 1 row, {counts[1]} for 5")


@pytest.mark.parametrize("url", [ASSIGNMENTS, ATTEMPTS, CPD])
def test_no_token_is_a_401_problem(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


# --- Removing a member ---------------------------------------------------------------------


def _removals():
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.COHORT_MEMBERSHIP_CHANGED, details__has_key="removed"
    )


def _member_url(cohort, user_id):
    return reverse("api:cohort_member", kwargs={"slug": cohort.slug, "member_id": user_id})


def test_manager_removes_a_member_and_a_retry_is_harmless(manager_api, api_world, trainee):
    url = _member_url(api_world.cohort_a, trainee.pk)
    response = manager_api.delete(url)
    assert response.status_code == 204 and response.content == b""
    assert not CohortMembership.objects.filter(cohort=api_world.cohort_a, user=trainee).exists()
    assert manager_api.delete(url).status_code == 204
    assert list(_removals().values_list("details", flat=True)) == [{"removed": [trainee.pk]}]
    # Out of every cohort the manager has, the trainee is out of the token's scope too.
    trainee_url = reverse("api:trainee", kwargs={"trainee_id": trainee.pk})
    assert manager_api.get(trainee_url).status_code == 404


def test_another_managers_cohort_is_a_404_and_keeps_its_member(
    manager_api, superuser_api, api_world, other_trainee
):
    url = _member_url(api_world.cohort_b, other_trainee.pk)
    response = manager_api.delete(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert CohortMembership.objects.filter(cohort=api_world.cohort_b, user=other_trainee).exists()
    assert superuser_api.delete(url).status_code == 204
    assert not CohortMembership.objects.filter(cohort=api_world.cohort_b).exists()


def test_removing_someone_not_in_the_cohort_changes_nothing(
    manager_api, api_world, trainee, other_trainee
):
    response = manager_api.delete(_member_url(api_world.cohort_a, other_trainee.pk))
    assert response.status_code == 204
    assert CohortMembership.objects.filter(cohort=api_world.cohort_b, user=other_trainee).exists()
    assert CohortMembership.objects.filter(cohort=api_world.cohort_a, user=trainee).exists()
    assert not _removals().exists()


@pytest.mark.parametrize("member_id", ["0", "abc", str(2**63), "-1"])
def test_a_bad_member_id_is_a_problem_never_a_500(manager_api, api_world, member_id):
    url = reverse("api:cohort_members", kwargs={"slug": api_world.cohort_a.slug})
    response = manager_api.delete(f"{url}/{member_id}")
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_members_address_answers_405_problem_to_delete_and_member_to_get(
    manager_api, api_world, trainee
):
    members = reverse("api:cohort_members", kwargs={"slug": api_world.cohort_a.slug})
    assert manager_api.delete(members).status_code == 405
    response = manager_api.get(_member_url(api_world.cohort_a, trainee.pk))
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
