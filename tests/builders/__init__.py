"""The one home of the tests' data builders, one module per concern, re-exported here:
`from tests.builders import make_quiz, make_trainee`."""

from tests.builders.attempts import (
    correct_ids,
    correct_positions,
    graded_attempt,
    make_scored_attempt,
    practice_attempt,
    wrong_ids,
    wrong_positions,
)
from tests.builders.bank import (
    DEFAULT_CHOICES,
    EXPLANATION_MARK,
    FEEDBACK_MARK,
    make_plain_quiz,
    make_question,
    make_quiz,
    question_admin_form,
    quiz_admin_form,
    set_blueprint,
)
from tests.builders.certification import (
    assign,
    do_everything,
    make_certificate,
    make_certificate_in_the_same_slot,
    make_program,
)
from tests.builders.cohorts import assign_to_cohort, make_cohort
from tests.builders.competence import attest, make_checklist, make_statement, observe
from tests.builders.lessons import (
    BODY,
    complete_lesson,
    lesson_admin_form,
    make_bare_lesson,
    make_lesson,
    make_topic,
    make_topic_and_lesson,
    shared_topic,
)
from tests.builders.people import (
    TEST_PASSWORD,
    UserFactory,
    make_assessor,
    make_educator,
    make_manager,
    make_trainee,
)
from tests.builders.renewal import make_review_program, retention_days

__all__ = [
    "BODY",
    "DEFAULT_CHOICES",
    "EXPLANATION_MARK",
    "FEEDBACK_MARK",
    "TEST_PASSWORD",
    "UserFactory",
    "assign",
    "assign_to_cohort",
    "complete_lesson",
    "lesson_admin_form",
    "correct_ids",
    "correct_positions",
    "do_everything",
    "graded_attempt",
    "make_bare_lesson",
    "make_certificate",
    "make_certificate_in_the_same_slot",
    "make_cohort",
    "attest",
    "make_assessor",
    "make_checklist",
    "make_statement",
    "observe",
    "make_educator",
    "make_lesson",
    "make_manager",
    "make_plain_quiz",
    "make_program",
    "make_review_program",
    "make_question",
    "make_quiz",
    "set_blueprint",
    "make_scored_attempt",
    "make_topic",
    "make_topic_and_lesson",
    "make_trainee",
    "question_admin_form",
    "quiz_admin_form",
    "practice_attempt",
    "retention_days",
    "shared_topic",
    "wrong_ids",
    "wrong_positions",
]
