"""Build and inspect the world of the real-server proofs, in a process of its own.

Run as `python -m tests.hardening.world_script build|report [options]` with
DJANGO_SETTINGS_MODULE and DATABASE_URL pointing at a committed database (not
pytest's), so that gunicorn, this script and the test all see the same rows.

`report` prints one JSON document: every attempt with its answers (as choice
positions on its paper) and its score, every certificate, and the invariant
violations found (an empty list when the data is whole).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

import django

LOAD_QUIZ = "load-quiz"
LOAD_PROGRAM = "load-program"
# The same questions outside any program: a certified trainee goes on with it (the final
# offers no new attempt until renewal opens).
LOAD_REFRESHER = "load-refresher"
PASSWORD = "load-test-password-2026"
RESULT_MARKER = "WORLD-RESULT "


def _setup() -> None:
    django.setup()


def build(*, trainees: int, questions: int) -> dict:
    """Trainees with a password, one published quiz in one published program, a refresher."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from tests.builders import make_program, make_quiz
    from trainingsite.roles import Role

    quiz = make_quiz(questions, slug=LOAD_QUIZ, pass_mark=50)
    make_program(slug=LOAD_PROGRAM, lessons=0, quizzes=[quiz])
    make_quiz(list(quiz.questions.order_by("pk")), slug=LOAD_REFRESHER, pass_mark=50)
    user_model = get_user_model()
    hashed = make_password(PASSWORD)  # one slow hash, shared: the same password for all
    users = user_model.objects.bulk_create(
        user_model(username=f"load{i:03d}", password=hashed, email=f"load{i:03d}@example.com")
        for i in range(1, trainees + 1)
    )
    users = list(user_model.objects.filter(username__in=[u.username for u in users]))
    Group.objects.get(name=Role.TRAINEE).user_set.add(*users)
    return {
        "quiz": quiz.slug,
        "refresher": LOAD_REFRESHER,
        "usernames": [u.username for u in users],
        "password": PASSWORD,
    }


def _positions(paper_question: dict, selected: list[int]) -> list[int]:
    ids = [c["id"] for c in paper_question["choices"]]
    return sorted(ids.index(choice_id) for choice_id in selected)


def report() -> dict:  # noqa: C901 - one pass over each table, checks listed in order
    from lessons.models import LessonCompletion
    from quizzes.models import Attempt, AttemptAnswer
    from quizzes.models.certification import Certificate
    from quizzes.scoring import paper_questions, paper_rules, score_attempt
    from trainingsite.models import AuditEvent

    violations: list[str] = []
    audits = Counter(
        (target_type, target_id, action)
        for target_type, target_id, action in AuditEvent.objects.values_list(
            "target_type", "target_id", "action"
        )
    )
    rows_by_attempt: dict[int, list] = {}
    for row in AttemptAnswer.objects.order_by("id"):
        rows_by_attempt.setdefault(row.attempt_id, []).append(row)

    attempts = {}
    open_graded = Counter()
    passed_at: dict[tuple[int, int], list] = {}
    for attempt in Attempt.objects.select_related("user", "quiz").order_by("id"):
        name = f"attempt {attempt.uuid} of {attempt.user.username}"
        rows = rows_by_attempt.get(attempt.pk, [])
        by_question = {row.question_id: row for row in rows}
        questions = attempt.paper.get("questions", [])
        if sorted(by_question) != sorted(q["id"] for q in questions) or len(rows) != len(questions):
            violations.append(f"{name}: answer rows do not match its paper")
        answers = {
            str(q["id"]): _positions(q, by_question[q["id"]].selected)
            for q in questions
            if q["id"] in by_question
        }
        key = ("quizzes.attempt", str(attempt.pk))
        closings = (
            audits[(*key, AuditEvent.Action.ATTEMPT_SUBMITTED)]
            + audits[(*key, AuditEvent.Action.ATTEMPT_EXPIRED)]
        )
        submitted = attempt.state == Attempt.State.SUBMITTED
        if submitted:
            if attempt.submitted_at is None or attempt.percent is None or attempt.points is None:
                violations.append(f"{name}: submitted without a score")
            elif attempt.kind == Attempt.Kind.GRADED and attempt.passed is None:
                violations.append(f"{name}: graded without pass or fail")
            else:
                score = score_attempt(
                    paper_questions(attempt.paper),
                    {row.question_id: row.selected for row in rows},
                    paper_rules(attempt.paper),
                )
                if (score.points, score.percent) != (attempt.points, attempt.percent):
                    violations.append(f"{name}: stored score differs from its answers")
                if any(row.awarded is None for row in rows):
                    violations.append(f"{name}: submitted with unscored answers")
            if closings != 1:
                violations.append(f"{name}: {closings} closing audit events (expected 1)")
            if attempt.passed and attempt.kind == Attempt.Kind.GRADED:
                passed_at.setdefault((attempt.user_id, attempt.quiz_id), []).append(
                    attempt.submitted_at
                )
        else:
            if attempt.submitted_at is not None or attempt.percent is not None:
                violations.append(f"{name}: in progress but scored")
            if closings:
                violations.append(f"{name}: in progress with a closing audit event")
            if attempt.kind == Attempt.Kind.GRADED:
                open_graded[(attempt.user_id, attempt.quiz_id)] += 1
        attempts[str(attempt.uuid)] = {
            "user": attempt.user.username,
            "state": attempt.state,
            "sequence": attempt.sequence,
            "points": attempt.points,
            "percent": attempt.percent,
            "passed": attempt.passed,
            "answers": answers,
            "closing_events": closings,
        }
    for (user_id, quiz_id), count in open_graded.items():
        if count > 1:
            violations.append(f"user {user_id}: {count} graded attempts in progress on {quiz_id}")

    completions = {
        (user_id, lesson_id): at
        for user_id, lesson_id, at in LessonCompletion.objects.values_list(
            "user_id", "lesson_id", "completed_at"
        )
    }
    certificates = []
    seen_cycles = Counter()
    for certificate in Certificate.objects.select_related("user", "program").order_by("id"):
        name = f"certificate {certificate.code or certificate.pk} of {certificate.user.username}"
        if not certificate.code:
            violations.append(f"{name}: no code")
        program = certificate.program
        for quiz in program.required_quizzes.all():
            passes = passed_at.get((certificate.user_id, quiz.pk), [])
            if not any(at <= certificate.issued_at for at in passes):
                violations.append(f"{name}: no pass of {quiz.slug} before it was issued")
        for lesson in program.required_lessons.all():
            done = completions.get((certificate.user_id, lesson.pk))
            if done is None or done > certificate.issued_at:
                violations.append(f"{name}: lesson {lesson.slug} not completed before it")
        issued = audits[
            ("quizzes.certificate", str(certificate.pk), AuditEvent.Action.CERTIFICATE_ISSUED)
        ]
        if issued != 1:
            violations.append(f"{name}: {issued} issue audit events (expected 1)")
        seen_cycles[(certificate.user_id, certificate.program_id, certificate.cycle)] += 1
        certificates.append(
            {
                "code": certificate.code,
                "user": certificate.user.username,
                "program": program.slug,
                "cycle": certificate.cycle,
                "issued_at": certificate.issued_at.isoformat(),
                "revoked": certificate.revoked_at is not None,
            }
        )
    for key, count in seen_cycles.items():
        if count > 1:
            violations.append(f"{count} certificates for one user, program and cycle {key}")
    return {
        "attempts": attempts,
        "certificates": certificates,
        "audit_events": dict(
            sorted(
                Counter(
                    action for (_type, _id, action), n in audits.items() for _ in range(n)
                ).items()
            )
        ),
        "violations": violations,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build_parser = sub.add_parser("build")
    build_parser.add_argument("--trainees", type=int, default=20)
    build_parser.add_argument("--questions", type=int, default=5)
    sub.add_parser("report")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "build":
        result = build(trainees=args.trainees, questions=args.questions)
    else:
        result = report()
    # Django logs to standard output too: the result is the line with this marker.
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
