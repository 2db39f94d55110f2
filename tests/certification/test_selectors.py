"""Certification selectors: progress for one trainee or many, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone

from quizzes.certification.rules import NextStep, ProgressStatus, StepKind, VerificationStatus
from quizzes.certification.selectors import (
    certificate_get_for_owner,
    certificate_verify,
    program_progress,
    programs_progress_bulk,
    trainee_dashboard,
)
from quizzes.models.certification import Program
from tests.builders import (
    assign,
    attest,
    complete_lesson,
    do_everything,
    graded_attempt,
    make_assessor,
    make_certificate,
    make_checklist,
    make_program,
    make_statement,
    make_trainee,
    observe,
    practice_attempt,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_program_progress_counts_and_next_step(trainee):
    program = make_program(lessons=2, quizzes=2)
    first_lesson, second_lesson = program.required_lessons.order_by("order")
    first_quiz = program.required_quizzes.order_by("order").first()
    complete_lesson(trainee, first_lesson)
    graded_attempt(trainee, first_quiz, percent=95.0)
    item = program_progress(user=trainee, program=program)
    assert (item.progress.lessons_done, item.progress.quizzes_passed) == (1, 1)
    assert item.progress.percent == 50
    assert item.progress.status == ProgressStatus.IN_PROGRESS
    assert item.progress.next_step == NextStep(StepKind.LESSON, second_lesson.pk)
    assert item.next_step_object == second_lesson


def test_practice_does_not_count_and_best_percent_is_graded_only(trainee):
    program = make_program(lessons=0, quizzes=1)
    quiz = program.required_quizzes.get()
    practice_attempt(trainee, quiz)
    graded_attempt(trainee, quiz, passed=False, percent=60.0)
    item = program_progress(user=trainee, program=program)
    assert item.progress.quizzes_passed == 0
    assert item.progress.status == ProgressStatus.IN_PROGRESS


def test_other_trainees_activity_does_not_count(trainee, other_trainee):
    program = make_program()
    do_everything(other_trainee, program)
    item = program_progress(user=trainee, program=program)
    assert item.progress.status == ProgressStatus.NOT_STARTED
    assert item.progress.done == 0


def test_overdue_uses_the_assignment_due_date(trainee):
    program = make_program()
    assign(trainee, program, due_date=timezone.localdate() - DAY)
    assert program_progress(user=trainee, program=program).progress.status == "overdue"


def test_latest_certificate_decides(trainee):
    program = make_program(validity_months=12)
    now = timezone.now()
    make_certificate(trainee, program, issued_at=now - 800 * DAY, expires_at=now - 435 * DAY)
    make_certificate(
        trainee, program, issued_at=now - 350 * DAY, expires_at=now + 15 * DAY, cycle=2
    )
    item = program_progress(user=trainee, program=program, now=now)
    assert item.certificate.cycle == 2
    assert item.progress.status == ProgressStatus.EXPIRING_SOON


@pytest.mark.parametrize("setting_days, expected", [(None, "certified"), (60, "expiring_soon")])
def test_expiring_soon_window_comes_from_settings(settings, trainee, setting_days, expected):
    if setting_days:
        settings.CERTIFICATION_EXPIRING_SOON_DAYS = setting_days
    program = make_program()
    now = timezone.now()
    make_certificate(trainee, program, issued_at=now - 100 * DAY, expires_at=now + 45 * DAY)
    assert program_progress(user=trainee, program=program, now=now).progress.status == expected


def _trainees_with_activity(count: int, programs):
    users = []
    now = timezone.now()
    for i in range(count):
        user = make_trainee(username=f"bulk{i}")
        for program in programs:
            if i % 3 == 0:
                do_everything(user, program, at=now - 2 * DAY)
                make_certificate(user, program, issued_at=now - DAY, expires_at=now + 700 * DAY)
            elif i % 3 == 1:
                complete_lesson(user, program.required_lessons.first())
                graded_attempt(user, program.required_quizzes.first(), passed=False)
                assign(user, program, due_date=timezone.localdate() + 5 * DAY)
        users.append(user)
    return users


@pytest.mark.parametrize("count", [2, 40])
def test_bulk_progress_uses_a_fixed_number_of_queries(django_assert_num_queries, count):
    programs = [make_program(slug="alpha"), make_program(slug="beta", lessons=3, quizzes=1)]
    users = _trainees_with_activity(count, programs)
    queryset = get_user_model().objects.filter(pk__in=[u.pk for u in users])
    # users, programs + lessons + quizzes + statements + checklists, completions, attempts,
    # certificates, assignments (no observation or attestation query: none is required)
    with django_assert_num_queries(10):
        result = programs_progress_bulk(users=queryset, programs=Program.objects.all())
    assert len(result) == count * 2
    statuses = {item.progress.status for item in result.values()}
    assert ProgressStatus.CERTIFIED in statuses
    if count > 2:
        assert ProgressStatus.IN_PROGRESS in statuses


def test_bulk_matches_one_by_one():
    programs = [make_program(slug="alpha"), make_program(slug="beta", lessons=3, quizzes=1)]
    users = _trainees_with_activity(6, programs)
    bulk = programs_progress_bulk(users=users, programs=programs)
    for user in users:
        for program in programs:
            single = program_progress(user=user, program=program)
            assert bulk[(user.pk, program.pk)].progress == single.progress


def test_bulk_with_nothing_asked_returns_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert programs_progress_bulk(users=[], programs=[]) == {}


@pytest.mark.parametrize("programs", [1, 10])
def test_dashboard_query_count_is_constant(django_assert_num_queries, trainee, programs):
    now = timezone.now()
    for i in range(programs):
        program = make_program(slug=f"p{i}", lessons=2, quizzes=2)
        if i % 2:
            assign(trainee, program, due_date=timezone.localdate() + 10 * DAY)
        do_everything(trainee, program, at=now - DAY)
        make_certificate(trainee, program, issued_at=now)
    with django_assert_num_queries(11):
        dashboard = trainee_dashboard(user=trainee)
    assert len(dashboard.programs) == programs
    assert len(dashboard.certificates) == programs
    assert len(dashboard.recent_attempts) == min(5, 2 * programs)


def test_dashboard_splits_begun_from_available_programs(trainee):
    assigned = make_program(slug="assigned")
    started = make_program(slug="started")
    available = make_program(slug="available")
    make_program(slug="hidden", status="draft")
    assign(trainee, assigned)
    complete_lesson(trainee, started.required_lessons.first())
    dashboard = trainee_dashboard(user=trainee)
    assert [item.program for item in dashboard.programs] == [assigned, started]
    assert [item.program for item in dashboard.other_programs] == [available]


def test_dashboard_lists_programs_with_due_dates_first(trainee):
    later = make_program(slug="a-later", name="A later")
    sooner = make_program(slug="b-sooner", name="B sooner")
    undated = make_program(slug="0-undated", name="0 undated")
    assign(trainee, later, due_date=timezone.localdate() + 20 * DAY)
    assign(trainee, sooner, due_date=timezone.localdate() + 2 * DAY)
    assign(trainee, undated)
    programs = [item.program for item in trainee_dashboard(user=trainee).programs]
    assert programs == [sooner, later, undated]


def test_certificate_get_for_owner_hides_others(trainee, other_trainee):
    certificate = make_certificate(trainee, make_program(), issued_at=timezone.now())
    assert certificate_get_for_owner(user=trainee, code=certificate.display_code) == certificate
    with pytest.raises(Http404):
        certificate_get_for_owner(user=other_trainee, code=certificate.display_code)
    with pytest.raises(Http404):
        certificate_get_for_owner(user=trainee, code="not-a-code")


@pytest.mark.parametrize(
    "expires_days, revoked, expected",
    [(10, False, "valid"), (None, False, "valid"), (-1, False, "expired"), (10, True, "revoked")],
)
def test_certificate_verify(trainee, expires_days, revoked, expected):
    now = timezone.now()
    expires = now + expires_days * DAY if expires_days is not None else None
    certificate = make_certificate(
        trainee, make_program(), issued_at=now - DAY, expires_at=expires, revoked=revoked
    )
    verification = certificate_verify(code=certificate.display_code.lower(), now=now)
    assert verification.status == VerificationStatus(expected)
    assert verification.holder_name == "Tara Trainee"


def test_certificate_verify_unknown_code():
    assert certificate_verify(code="0000-0000-0000-0000-0000") is None
    assert certificate_verify(code="nonsense") is None


@pytest.mark.parametrize("count", [2, 30])
def test_bulk_progress_with_observed_practice_and_attestations_stays_flat(
    django_assert_num_queries, count
):
    program = make_program(slug="competence", lessons=1, quizzes=1)
    checklist = make_checklist(programs=[program])
    statement = make_statement(programs=[program])
    assessor = make_assessor(username="watcher")
    now = timezone.now()
    users = []
    for i in range(count):
        user = make_trainee(username=f"competent{i}")
        do_everything(user, program, at=now - 2 * DAY)
        attest(user, statement, at=now - DAY)
        if i % 2 == 0:
            observe(user, checklist, assessor=assessor, at=now - DAY)
        users.append(user)
    queryset = get_user_model().objects.filter(pk__in=[u.pk for u in users])
    # the ten above, plus the counting observations and the current attestations
    with django_assert_num_queries(12):
        result = programs_progress_bulk(users=queryset, programs=[program])
    complete = [item for item in result.values() if item.progress.is_complete]
    awaiting = [item for item in result.values() if item.progress.awaiting_sign_off]
    assert len(complete) == (count + 1) // 2
    assert len(awaiting) == count // 2


def test_only_acknowledged_competent_and_current_observations_count(trainee):
    program = make_program(slug="competence", lessons=0, quizzes=0)
    checklist = make_checklist(programs=[program])
    assessor = make_assessor(username="watcher")

    def done() -> int:
        return program_progress(user=trainee, program=program).progress.checklists_done

    observe(trainee, checklist, assessor=assessor, competent=False)
    assert done() == 0
    unacknowledged = observe(trainee, checklist, assessor=assessor, acknowledged=False)
    assert done() == 0
    observe(trainee, checklist, assessor=assessor, supersedes=unacknowledged, competent=False)
    assert done() == 0
    competent = observe(trainee, checklist, assessor=assessor)
    assert done() == 1
    observe(trainee, checklist, assessor=assessor, supersedes=competent, competent=False)
    assert done() == 0  # a correction to "not yet competent" takes the sign-off back


def test_an_attestation_of_an_older_version_does_not_count(trainee):
    program = make_program(slug="attested", lessons=0, quizzes=0)
    statement = make_statement(programs=[program])
    attest(trainee, statement)
    assert program_progress(user=trainee, program=program).progress.attestations_done == 1
    statement.version = 2
    statement.text = "New words."
    statement.save()
    progress = program_progress(user=trainee, program=program).progress
    assert progress.attestations_done == 0
    assert progress.next_step == NextStep(StepKind.ATTESTATION, statement.pk)
    attest(trainee, statement)
    assert program_progress(user=trainee, program=program).progress.is_complete is True
