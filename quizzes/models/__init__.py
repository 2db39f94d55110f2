"""The quizzes app's models, one module per concern; all keep the ``quizzes`` app label.

bank: questions, choices, quizzes and their pools. attempts: attempts, answers
and accommodations. certification: programs, assignments, certificates and
reminders. cohorts: cohorts, memberships, the programs assigned to them, invitations and
the e-mail confirmation of join-code sign-ups. credentials: the signed Open Badges
credential of each certificate. cpd: training done elsewhere, in the trainee's CPD record.
api: API tokens and the stored answers of idempotent API requests. webhooks: endpoints
and their signed deliveries. review: spaced-review cards, their log and the nudge setting.
updates: material changes, the updates they ask of certificates, and trainees' stored
retention by day.
"""

from quizzes.models.api import ApiIdempotencyKey, ApiToken
from quizzes.models.attempts import (
    ACCOMMODATION_MAX_ATTEMPTS,
    ACCOMMODATION_MAX_MINUTES,
    Accommodation,
    Attempt,
    AttemptAnswer,
)
from quizzes.models.bank import (
    REVIEW_QUIZ_SLUG,
    UPDATE_QUIZ_SLUG_PREFIX,
    Bank,
    Choice,
    Question,
    Quiz,
    QuizBlueprintRow,
    QuizQuestion,
)
from quizzes.models.certification import Certificate, Program, ProgramAssignment, ReminderSent
from quizzes.models.cohorts import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    CohortProgram,
    SignupConfirmation,
)
from quizzes.models.competence import (
    Attestation,
    AttestationStatement,
    ChecklistCriterion,
    Observation,
    ObservationEvidence,
    ObservationResult,
    PracticalChecklist,
    WrittenAnswerMark,
)
from quizzes.models.cpd import CpdEntry
from quizzes.models.credentials import Credential
from quizzes.models.review import ReviewCard, ReviewLog, ReviewPreference
from quizzes.models.updates import CertificateUpdate, ProgramUpdate, TraineeRetention
from quizzes.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ACCOMMODATION_MAX_ATTEMPTS",
    "REVIEW_QUIZ_SLUG",
    "UPDATE_QUIZ_SLUG_PREFIX",
    "ACCOMMODATION_MAX_MINUTES",
    "Accommodation",
    "ApiIdempotencyKey",
    "ApiToken",
    "Attempt",
    "AttemptAnswer",
    "Attestation",
    "AttestationStatement",
    "Bank",
    "Certificate",
    "CertificateUpdate",
    "ChecklistCriterion",
    "Choice",
    "Cohort",
    "CohortInvitation",
    "CohortMembership",
    "CohortProgram",
    "CpdEntry",
    "Credential",
    "Observation",
    "ObservationEvidence",
    "ObservationResult",
    "PracticalChecklist",
    "Program",
    "ProgramAssignment",
    "ProgramUpdate",
    "Question",
    "Quiz",
    "QuizBlueprintRow",
    "QuizQuestion",
    "ReminderSent",
    "ReviewCard",
    "ReviewLog",
    "ReviewPreference",
    "SignupConfirmation",
    "TraineeRetention",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WrittenAnswerMark",
]
