"""The status snapshot behind the overview and the trainees table: reuse, refresh, layout.

These use the live clock (the views never pass `now`), so the worlds here have
no due dates and nothing that the passing of days would change.
"""

import dataclasses
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from lessons.models import LessonCompletion
from lessons.services import lesson_complete
from quizzes.certification.rules import ProgressStatus as S
from quizzes.certification.rules_sql import cohort_pairs, individual_pairs, pair_status_rows
from quizzes.certification.selectors import expiring_soon_days
from quizzes.cohorts.services import cohort_add_trainee
from quizzes.reports.overview import OVERVIEW_CARDS_LIMIT, report_overview
from quizzes.reports.snapshot import (
    SNAPSHOT_FRESH_SECONDS,
    SNAPSHOT_MAX_AGE_SECONDS,
    snapshot_cache_key,
)
from quizzes.reports.trainees import TraineeFilters, report_trainees
from tests.builders import (
    assign_to_cohort,
    make_certificate,
    make_cohort,
    make_program,
    make_topic_and_lesson,
    make_trainee,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope(manager):
    """One cohort, a two-lesson program without a due date, a trainee who has not started."""
    _, lesson = make_topic_and_lesson()
    _, second = make_topic_and_lesson()
    program = make_program(
        name="Foundation", lessons=[lesson, second], quizzes=[], validity_months=None
    )
    trainee = make_trainee(username="nina", first_name="Nina", last_name="New")
    cohort = make_cohort(name="Alpha Clinic", managers=[manager], trainees=[trainee])
    assign_to_cohort(cohort, program)
    return SimpleNamespace(cohort=cohort, program=program, lesson=lesson, trainee=trainee)


def snapshot_key(cohorts, *, with_activity=False):
    return snapshot_cache_key(
        cohort_ids=[c.pk for c in cohorts],
        window=expiring_soon_days(),
        today=timezone.localdate(),
        using="default",
        with_activity=with_activity,
    )


def age_snapshot(cohorts, seconds):
    """Make the cached snapshot of these cohorts look `seconds` older."""
    snapshot = cache.get(snapshot_key(cohorts))
    assert snapshot is not None
    older = dataclasses.replace(snapshot, as_of=snapshot.as_of - timedelta(seconds=seconds))
    cache.set(snapshot_key(cohorts), older)


def counts(manager):
    (summary,) = report_overview(user=manager).summaries
    return summary.counts


def test_a_fresh_snapshot_is_reused_even_after_a_write(scope, manager):
    first = report_overview(user=manager)
    LessonCompletion.objects.create(
        user=scope.trainee, lesson=scope.lesson, completed_at=timezone.now()
    )
    again = report_overview(user=manager)
    assert again.as_of == first.as_of
    assert again.summaries[0].counts[S.NOT_STARTED] == 1


def test_a_lesson_completion_shows_once_the_snapshot_is_past_its_fresh_window(scope, manager):
    assert counts(manager)[S.NOT_STARTED] == 1
    age_snapshot([scope.cohort], SNAPSHOT_FRESH_SECONDS)
    lesson_complete(user=scope.trainee, lesson=scope.lesson)
    after = counts(manager)
    assert (after[S.NOT_STARTED], after[S.IN_PROGRESS]) == (0, 1)


def test_an_audited_membership_change_shows_once_past_the_fresh_window(scope, manager):
    assert sum(counts(manager).values()) == 1
    age_snapshot([scope.cohort], SNAPSHOT_FRESH_SECONDS)
    cohort_add_trainee(
        cohort=scope.cohort,
        actor=manager,
        email="newcomer@example.com",
        domain="testserver",
        use_https=False,
    )
    assert counts(manager)[S.NOT_STARTED] == 2


def test_without_a_marked_write_the_snapshot_lives_until_its_maximum_age(scope, manager):
    assert counts(manager)[S.NOT_STARTED] == 1
    # A certificate made directly (no service, so no audit event) is not seen...
    make_certificate(user=scope.trainee, program=scope.program, issued_at=timezone.now())
    age_snapshot([scope.cohort], SNAPSHOT_MAX_AGE_SECONDS - 1)
    assert counts(manager)[S.NOT_STARTED] == 1
    # ...until the snapshot is too old to be reused.
    age_snapshot([scope.cohort], 1)
    assert counts(manager)[S.CERTIFIED] == 1


def test_a_given_moment_is_decided_exactly_and_not_cached(scope, manager):
    overview = report_overview(user=manager, now=datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    assert overview.as_of == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert cache.get(snapshot_key([scope.cohort])) is None
    report_overview(user=manager)
    assert cache.get(snapshot_key([scope.cohort])) is not None


def test_the_pages_say_when_the_statuses_were_decided(client, scope, manager):
    client.force_login(manager)
    overview = client.get(reverse("reports:overview"))
    as_of = timezone.localtime(overview.context["overview"].as_of)
    assert (
        f'Statuses as of <time datetime="{as_of.isoformat()}" data-localtime="time">'
        f"{as_of:%H:%M} UTC</time>"
    ) in overview.content.decode()
    trainees = client.get(reverse("reports:trainees"))
    assert trainees.context["table"].as_of == overview.context["overview"].as_of
    assert f'statuses as of <time datetime="{as_of.isoformat()}" data-localtime' in (
        trainees.content.decode()
    )


def test_a_manager_without_cohorts_gets_empty_pages(client, manager):
    client.force_login(manager)
    trainees = reverse("reports:trainees")
    for url in [reverse("reports:overview"), trainees, f"{trainees}?status=overdue&sort=-activity"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert response.context["table"].total == 0


# --- Many cohorts: a summary table instead of a card each ------------------------------------


@pytest.fixture
def many(manager):
    """One more cohort than the cards limit, one trainee each; `shared` is in the first two."""
    _, lesson = make_topic_and_lesson()
    program = make_program(name="Foundation", lessons=[lesson], quizzes=[], validity_months=None)
    shared = make_trainee(username="shared", first_name="Sam", last_name="Shared")
    cohorts = []
    for i in range(OVERVIEW_CARDS_LIMIT + 1):
        trainee = make_trainee(username=f"t{i}", first_name="T", last_name=f"{i}")
        members = [trainee, shared] if i < 2 else [trainee]
        cohort = make_cohort(name=f"Clinic {i}", managers=[manager], trainees=members)
        assign_to_cohort(cohort, program)
        cohorts.append(cohort)
    return SimpleNamespace(cohorts=cohorts, program=program, shared=shared)


def test_many_cohort_programs_make_a_summary_table_with_program_totals(many, manager):
    overview = report_overview(user=manager)
    assert overview.detailed is False
    assert len(overview.summaries) == OVERVIEW_CARDS_LIMIT + 1
    assert [s.total for s in overview.summaries[:2]] == [2, 2]  # the shared trainee in each
    assert all(s.chart is None and s.overdue == [] for s in overview.summaries)
    (total,) = overview.programs
    assert total.program == many.program
    assert total.counts[S.NOT_STARTED] == OVERVIEW_CARDS_LIMIT + 2  # each trainee once
    assert overview.trainee_count == OVERVIEW_CARDS_LIMIT + 2


def test_the_summary_table_links_each_count_to_those_trainees(client, many, manager):
    client.force_login(manager)
    page = client.get(reverse("reports:overview")).content.decode()
    first = many.cohorts[0]
    assert 'data-testid="overview-table"' in page
    assert f'<a href="?cohort={first.slug}">{first.name}</a>' in page
    trainees = reverse("reports:trainees")
    link = f"{trainees}?cohort={first.slug}&amp;program={many.program.pk}&amp;status=not_started"
    assert f'<a href="{link}">2</a>' in page
    assert page.count("report-chart-status-mix") == 1  # the program total only


def test_one_chosen_cohort_gets_its_card(client, many, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:overview"), {"cohort": many.cohorts[0].slug})
    assert response.context["overview"].detailed is True
    assert b"Clinic 0: Foundation" in response.content
    assert b'data-testid="overview-table"' not in response.content


# --- The trainees table reads the same snapshot ----------------------------------------------


def test_status_filter_keeps_programs_from_cohorts_the_manager_does_not_manage(
    scope, manager, other_manager
):
    elsewhere = make_program(
        slug="elsewhere", name="Elsewhere", lessons=[], quizzes=[], validity_months=None
    )
    other = make_cohort(name="Beta Clinic", managers=[other_manager], trainees=[scope.trainee])
    assign_to_cohort(other, elsewhere)
    everything = report_trainees(user=manager, filters=TraineeFilters())
    not_started = report_trainees(user=manager, filters=TraineeFilters(status=S.NOT_STARTED))
    expected = {(scope.trainee.pk, scope.program.pk), (scope.trainee.pk, elsewhere.pk)}
    assert {(r.user_id, r.program_id) for r in everything.rows} == expected
    assert {(r.user_id, r.program_id) for r in not_started.rows} == expected


def test_activity_sort_has_a_snapshot_of_its_own(scope, manager):
    report_trainees(user=manager, filters=TraineeFilters())
    lesson_complete(user=scope.trainee, lesson=scope.lesson)
    table = report_trainees(user=manager, filters=TraineeFilters(sort="activity"))
    assert [r.status for r in table.rows] == [S.IN_PROGRESS]
    assert cache.get(snapshot_key([scope.cohort], with_activity=True)) is not None


def test_several_bases_are_read_in_one_statement(scope, manager, django_assert_num_queries):
    from quizzes.models import ProgramAssignment

    loner = make_trainee(username="loner")
    ProgramAssignment.objects.create(user=loner, program=scope.program)
    users = type(loner).objects.filter(pk__in=[scope.trainee.pk, loner.pk])
    bases = [cohort_pairs(cohorts=None, users=users), individual_pairs(users=users)]
    separately = [row for base in bases for row in pair_status_rows(base, with_activity=True)]
    with django_assert_num_queries(1):
        together = pair_status_rows(*bases, with_activity=True)
    assert together == separately
    assert {(uid, cid) for uid, _, cid, *_ in together} == {
        (scope.trainee.pk, scope.cohort.pk),
        (loner.pk, None),
    }
