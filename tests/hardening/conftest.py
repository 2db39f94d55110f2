"""One small world for the hardening proofs: two cohorts, every persona, real content.

Cohort A: `trainee`, managed by `manager`, assessed by `assessor`. Cohort B:
`other_trainee`, managed by `other_manager`, assessed by `other_assessor`. Content: a
published and a draft lesson, a published and a draft quiz, a published program over
the published lesson and quiz, the trainee's submitted and in-progress attempts (made by
the real services), a certificate.
Trust: an open invitation of `other_trainee` into cohort A (its link token kept), and
`joiner`, who signed up with cohort A's join code and has not yet confirmed the address.
CPD: the trainee's external entry with a PDF evidence file.
Observed practice: a published checklist and the trainee's observation by `assessor`, with a
PDF evidence file, not yet acknowledged (world_observations.py).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lessons.models import Lesson, Topic
from quizzes import services
from quizzes.certification.codes import code_generate
from quizzes.cohorts.tokens import join_code_new, link_token_new
from quizzes.cpd.services import cpd_entry_create
from quizzes.credentials.services import credential_issue
from quizzes.models import (
    Certificate,
    Choice,
    Cohort,
    CohortMembership,
    CohortProgram,
    Program,
    Question,
    Quiz,
    QuizQuestion,
)
from quizzes.models.cohorts import CohortInvitation, SignupConfirmation
from tests.builders import make_trainee
from tests.hardening.world_api import build_api_world
from tests.hardening.world_attestations import build_attestations_world
from tests.hardening.world_jobs import build_jobs_world
from tests.hardening.world_marking import build_marking_world
from tests.hardening.world_observations import build_observations_world
from tests.hardening.world_practice import build_practice_world
from tests.hardening.world_review import build_review_world
from tests.hardening.world_updates import build_updates_world

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXPLANATION = "EXPLAINED-{key}-why-this-is-right"
FEEDBACK = "FEEDBACK-{key}-{order}-per-choice"


@dataclass
class World:
    trainee: object
    other_trainee: object
    educator: object
    manager: object
    other_manager: object
    assessor: object
    other_assessor: object
    superuser: object
    cohort_a: Cohort
    cohort_b: Cohort
    topic: Topic
    lesson: Lesson
    draft_lesson: Lesson
    quiz: Quiz
    draft_quiz: Quiz
    program: Program
    submitted: object
    in_progress: object
    other_attempt: object
    certificate: Certificate
    other_certificate: Certificate
    invitation: CohortInvitation
    invitation_token: str
    joiner: object
    confirm_token: str
    cpd_entry: object
    # Observed practice (world_observations.py).
    checklist: object = None
    observation: object = None
    observation_evidence: object = None
    # Hand marking (world_marking.py).
    hand_quiz: object = None
    marking_attempt: object = None
    written_answer: object = None
    # Attestations (world_attestations.py).
    statement: object = None
    draft_statement: object = None
    attestation: object = None


def build_question(*, key, topic, prompt=None, explanation=None, choices=None) -> Question:
    question = Question.objects.create(
        key=key,
        kind=Question.Kind.SINGLE,
        prompt=prompt or f"What is true about {key}?",
        explanation=explanation if explanation is not None else EXPLANATION.format(key=key),
        topic=topic,
    )
    for order, (text, correct) in enumerate(
        choices or [(f"Right {key}", True), (f"Wrong {key} A", False), (f"Wrong {key} B", False)]
    ):
        Choice.objects.create(
            question=question,
            text=text,
            is_correct=correct,
            feedback=FEEDBACK.format(key=key, order=order),
            order=order,
        )
    return question


def build_quiz(*, slug, topic, questions, status=Quiz.Status.PUBLISHED, **fields) -> Quiz:
    fields.setdefault("title", f"Quiz {slug}")
    quiz = Quiz.objects.create(
        slug=slug,
        topic=topic,
        status=status,
        shuffle_questions=False,
        shuffle_choices=False,
        **fields,
    )
    for order, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, order=order)
    return quiz


def build_world(
    *, trainee, other_trainee, educator, manager, other_manager, assessor, other_assessor, superuser
) -> World:
    topic = Topic.objects.create(title="Managing bleeding", slug="managing-bleeding", order=1)
    lesson = Lesson.objects.create(
        topic=topic,
        title="Applying pressure",
        slug="applying-pressure",
        summary="Hold it.",
        body_markdown="Press firmly.",
        status=Lesson.Status.PUBLISHED,
    )
    draft_lesson = Lesson.objects.create(
        topic=topic,
        title="Draft lesson",
        slug="draft-lesson",
        summary="Not yet.",
        status=Lesson.Status.DRAFT,
    )
    questions = [build_question(key=f"hq-{i}", topic=topic) for i in range(3)]
    quiz = build_quiz(slug="bleeding-basics", topic=topic, questions=questions)
    draft_quiz = build_quiz(
        slug="draft-quiz",
        topic=topic,
        questions=[build_question(key="hq-draft", topic=topic)],
        status=Quiz.Status.DRAFT,
    )
    program = Program.objects.create(
        name="Foundation", slug="foundation", status=Program.Status.PUBLISHED, validity_months=24
    )
    program.required_lessons.add(lesson)
    program.required_quizzes.add(quiz)
    cohort_a = Cohort.objects.create(name="Alpha Clinic", slug="alpha", join_code=join_code_new())
    cohort_b = Cohort.objects.create(name="Beta Clinic", slug="beta", join_code=join_code_new())
    cohort_a.managers.add(manager)
    cohort_b.managers.add(other_manager)
    cohort_a.assessors.add(assessor)
    cohort_b.assessors.add(other_assessor)
    CohortMembership.objects.create(cohort=cohort_a, user=trainee)
    CohortMembership.objects.create(cohort=cohort_b, user=other_trainee)
    CohortProgram.objects.create(cohort=cohort_a, program=program)
    CohortProgram.objects.create(cohort=cohort_b, program=program)

    submitted = services.attempt_start(user=trainee, quiz=quiz)
    first = submitted.paper["questions"][0]
    services.attempt_save_answers(
        attempt=submitted, answers={first["id"]: [first["choices"][1]["id"]]}, sequence=0
    )
    submitted = services.attempt_submit(attempt=submitted)
    in_progress = services.attempt_start(user=trainee, quiz=quiz)
    other_attempt = services.attempt_start(user=other_trainee, quiz=quiz)
    certificate, other_certificate = (
        Certificate.objects.create(
            user=holder,
            program=program,
            holder_name=holder.get_full_name(),
            issued_at=datetime(2026, 6, 1, tzinfo=UTC),
            expires_at=datetime(2028, 6, 1, tzinfo=UTC),
            code=code_generate(),
            cycle=1,
        )
        for holder in (trainee, other_trainee)
    )
    for issued in (certificate, other_certificate):
        credential_issue(certificate=issued)
    invitation_token, digest = link_token_new()
    invitation = CohortInvitation.objects.create(
        cohort=cohort_a,
        user=other_trainee,
        email=other_trainee.email,
        invited_by=manager,
        token_digest=digest,
        expires_at=timezone.now() + timedelta(days=14),
    )
    joiner = make_trainee(username="joiner", email="joiner@example.com")
    CohortMembership.objects.create(cohort=cohort_a, user=joiner)
    confirm_token, confirm_digest = link_token_new()
    SignupConfirmation.objects.create(
        user=joiner,
        email=joiner.email,
        token_digest=confirm_digest,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=2),
    )
    cpd_entry = cpd_entry_create(
        user=trainee,
        title="Haemostasis workshop",
        provider="Another academy",
        completed_on=datetime(2026, 5, 1, tzinfo=UTC).date(),
        hours=Decimal("2.5"),
        evidence=SimpleUploadedFile("attendance.pdf", MINIMAL_PDF, "application/pdf"),
    )
    world = World(
        trainee=trainee,
        other_trainee=other_trainee,
        educator=educator,
        manager=manager,
        other_manager=other_manager,
        assessor=assessor,
        other_assessor=other_assessor,
        superuser=superuser,
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        topic=topic,
        lesson=lesson,
        draft_lesson=draft_lesson,
        quiz=quiz,
        draft_quiz=draft_quiz,
        program=program,
        submitted=submitted,
        in_progress=in_progress,
        other_attempt=other_attempt,
        certificate=certificate,
        other_certificate=other_certificate,
        invitation=invitation,
        invitation_token=invitation_token,
        joiner=joiner,
        confirm_token=confirm_token,
        cpd_entry=cpd_entry,
    )
    for name, value in build_observations_world(trainee=trainee, assessor=assessor).items():
        setattr(world, name, value)
    for name, value in build_marking_world(trainee=trainee, topic=topic).items():
        setattr(world, name, value)
    for name, value in build_attestations_world(other_trainee=other_trainee).items():
        setattr(world, name, value)
    for name, value in build_practice_world(trainee=trainee, topic=topic).items():
        setattr(world, name, value)
    for name, value in build_review_world(trainee=trainee, topic=topic).items():
        setattr(world, name, value)
    for name, value in build_updates_world(trainee=trainee, topic=topic, educator=educator).items():
        setattr(world, name, value)
    for name, value in build_jobs_world(trainee=trainee, program=program, manager=manager).items():
        setattr(world, name, value)
    for name, value in build_api_world(manager=manager).items():
        setattr(world, name, value)
    return world


@pytest.fixture
def world(
    trainee, other_trainee, educator, manager, other_manager, assessor, other_assessor, superuser
) -> World:
    cache.clear()  # verification rate limits
    return build_world(
        trainee=trainee,
        other_trainee=other_trainee,
        educator=educator,
        manager=manager,
        other_manager=other_manager,
        assessor=assessor,
        other_assessor=other_assessor,
        superuser=superuser,
    )


def pytest_terminal_summary(terminalreporter):
    """Report how many generated cases each bad-input endpoint ran."""
    from tests.hardening.test_bad_input import CASES, STATUS_SEEN

    if not CASES:
        return
    terminalreporter.section("bad input: generated cases per endpoint")
    for name, count in sorted(CASES.items()):
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(STATUS_SEEN.get(name, {}).items()))
        terminalreporter.write_line(f"{name}: {count} cases ({statuses})")
