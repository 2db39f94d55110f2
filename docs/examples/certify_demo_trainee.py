"""Take the demo trainee through every requirement of the demo program, so a certificate is issued.

Run it against the demo (`make run`) from the project's folder, with the same environment as
the server, so that what the pages would queue is queued here too (webhook deliveries,
xAPI statements; the running job worker sends them):

    DJANGO_DEBUG=1 .venv/bin/python manage.py shell < docs/examples/certify_demo_trainee.py

It does what the trainee and the assessor would do on the pages, through the same services:
the trainee reads each lesson, answers each quiz correctly and submits it, the assessor marks
the written case answers and records a competent observation of the practical checklist, the
trainee acknowledges it and signs the attestation statement. The last of these issues the
certificate (a `certificate.issued` webhook event, a `certified` xAPI statement). Running it
again once the trainee is certified changes nothing.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from lessons.services import lesson_complete
from quizzes.attestations.services import attestation_sign
from quizzes.marking.services import answer_mark
from quizzes.models import Attempt, Certificate, Observation, Program, Question
from quizzes.observations.rules import CriterionResult
from quizzes.observations.services import observation_acknowledge, observation_record
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit

PROGRAM_SLUG = "bleeding-management-foundation"
TRAINEE = "trainee"
ASSESSOR = "assessor"
WRITTEN_ANSWER = (
    "Stop, apply firm pressure with sterile gauze, reassess, and follow the local protocol."
)


def _answer_everything(*, trainee, quiz) -> Attempt:
    """Start the quiz, choose every correct choice (and write every written answer), submit."""
    attempt = attempt_start(user=trainee, quiz=quiz)
    questions = attempt.paper["questions"]
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["is_correct"]]
        for q in questions
        if q["kind"] != Question.Kind.WRITTEN
    }
    texts = {q["id"]: WRITTEN_ANSWER for q in questions if q["kind"] == Question.Kind.WRITTEN}
    attempt_save_answers(
        attempt=attempt, answers=answers, texts=texts or None, sequence=attempt.sequence
    )
    return attempt_submit(attempt=attempt)


def _mark_written(*, assessor, attempt: Attempt) -> None:
    """Give each written answer of the attempt full points, as the marking queue would."""
    points = {q["id"]: q["points"] for q in attempt.paper["questions"]}
    written = attempt.answers.filter(question__kind=Question.Kind.WRITTEN)
    for answer in written:
        answer_mark(
            marker=assessor,
            answer=answer,
            points=Decimal(points[answer.question_id]),
            feedback="Clear and safe.",
        )


def certify_demo_trainee() -> Certificate:
    """Complete the demo program for the demo trainee; return the certificate issued."""
    User = get_user_model()
    trainee = User.objects.get(username=TRAINEE)
    assessor = User.objects.get(username=ASSESSOR)
    program = Program.objects.get(slug=PROGRAM_SLUG)
    held = Certificate.objects.filter(user=trainee, program=program, revoked_at=None).first()
    if held is not None:
        return held
    for lesson in program.required_lessons.all():
        lesson_complete(user=trainee, lesson=lesson)
    for quiz in program.required_quizzes.all():
        attempt = _answer_everything(trainee=trainee, quiz=quiz)
        _mark_written(assessor=assessor, attempt=attempt)
    for checklist in program.required_checklists.all():
        for _ in range(checklist.observations_required):
            observation = observation_record(
                assessor=assessor,
                trainee=trainee,
                checklist=checklist,
                observed_on=timezone.localdate(),
                setting=Observation.Setting.SIMULATION,
                results=[
                    CriterionResult(criterion_id=c.pk, met=True) for c in checklist.criteria.all()
                ],
                outcome=Observation.Outcome.COMPETENT,
            )
            observation_acknowledge(trainee=trainee, observation=observation)
    for statement in program.required_attestations.all():
        attestation_sign(
            user=trainee,
            statement=statement,
            typed_name=trainee.get_full_name(),
            ip_address="127.0.0.1",
        )
    return Certificate.objects.get(user=trainee, program=program, revoked_at=None)


certificate = certify_demo_trainee()
print(f"{certificate.holder_name} is certified: {certificate.display_code} ({certificate.program})")
