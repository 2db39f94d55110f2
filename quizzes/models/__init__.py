"""The quizzes app's models, one module per concern; all keep the ``quizzes`` app label.

bank: questions, choices, quizzes and their pools. attempts: attempts, answers
and accommodations. certification: programs, assignments, certificates and
reminders. cohorts: cohorts, memberships and the programs assigned to them.
"""

from quizzes.models.attempts import (
    ACCOMMODATION_MAX_ATTEMPTS,
    ACCOMMODATION_MAX_MINUTES,
    Accommodation,
    Attempt,
    AttemptAnswer,
)
from quizzes.models.bank import Choice, Question, Quiz, QuizQuestion
from quizzes.models.certification import Certificate, Program, ProgramAssignment, ReminderSent
from quizzes.models.cohorts import Cohort, CohortMembership, CohortProgram

__all__ = [
    "ACCOMMODATION_MAX_ATTEMPTS",
    "ACCOMMODATION_MAX_MINUTES",
    "Accommodation",
    "Attempt",
    "AttemptAnswer",
    "Certificate",
    "Choice",
    "Cohort",
    "CohortMembership",
    "CohortProgram",
    "Program",
    "ProgramAssignment",
    "Question",
    "Quiz",
    "QuizQuestion",
    "ReminderSent",
]
