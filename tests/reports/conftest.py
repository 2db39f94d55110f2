"""A small, hand-checked world: one program, cohort A (managed by `manager`) and cohort B."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from lessons.models import LessonCompletion
from quizzes.models import ProgramAssignment
from tests.builders import (
    assign_to_cohort,
    make_certificate,
    make_cohort,
    make_plain_quiz,
    make_program,
    make_scored_attempt,
    make_topic_and_lesson,
    make_trainee,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass
class World:
    program: object
    quiz: object
    lesson: object
    cohort_a: object
    cohort_b: object
    certified: object
    expiring: object
    in_progress: object
    not_started: object
    overdue: object
    expired: object
    outsider: object


@pytest.fixture
def world(manager, other_manager):
    """Cohort A: six trainees, one per status. Cohort B: one overdue trainee (the outsider)."""
    topic, lesson = make_topic_and_lesson()
    quiz = make_plain_quiz(topic=topic, questions=2)
    program = make_program(name="Foundation", lessons=[lesson], quizzes=[quiz], validity_months=12)
    people = {
        key: make_trainee(username=key, first_name=key.replace("_", " ").title(), last_name="A")
        for key in ["certified", "expiring", "in_progress", "not_started", "overdue", "expired"]
    }
    outsider = make_trainee(username="outsider", first_name="Out", last_name="Sider")
    cohort_a = make_cohort(name="Alpha Clinic", managers=[manager], trainees=people.values())
    cohort_b = make_cohort(name="Beta Clinic", managers=[other_manager], trainees=[outsider])
    assign_to_cohort(cohort_a, program, date(2026, 12, 31))
    assign_to_cohort(cohort_b, program, date(2026, 1, 1))
    # An individual assignment with an earlier date wins over the cohort's.
    ProgramAssignment.objects.create(
        user=people["overdue"], program=program, due_date=date(2026, 11, 1)
    )
    make_certificate(
        user=people["certified"],
        program=program,
        issued_at=datetime(2026, 6, 1, tzinfo=UTC),
        expires_at=datetime(2027, 6, 1, tzinfo=UTC),
    )
    make_certificate(
        user=people["expiring"],
        program=program,
        issued_at=datetime(2025, 12, 10, tzinfo=UTC),
        expires_at=datetime(2026, 12, 10, tzinfo=UTC),
    )
    make_certificate(
        user=people["expired"],
        program=program,
        issued_at=datetime(2025, 10, 1, tzinfo=UTC),
        expires_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    LessonCompletion.objects.create(
        user=people["in_progress"], lesson=lesson, completed_at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    # Graded attempts: totals 2, 1, 0 in cohort A; the outsider scores 2 in cohort B.
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    make_scored_attempt(
        user=people["certified"], quiz=quiz, answers=[0, 0], started_at=start, minutes=10
    )
    make_scored_attempt(
        user=people["expiring"], quiz=quiz, answers=[0, 1], started_at=start, minutes=20
    )
    make_scored_attempt(
        user=people["in_progress"], quiz=quiz, answers=[1, 1], started_at=start, minutes=30
    )
    make_scored_attempt(user=outsider, quiz=quiz, answers=[0, 0], started_at=start, minutes=5)
    return World(
        program=program,
        quiz=quiz,
        lesson=lesson,
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        outsider=outsider,
        **people,
    )
