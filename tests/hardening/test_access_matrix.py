"""The access-control matrix: every URL of the site, as every persona, with its expected answer.

The table is keyed by URL name. A URL pattern added to the site without a row
here fails `test_every_url_pattern_has_a_row`; a row whose answer changes fails
`test_access_matrix`, which lists every mismatch at once.

Answers: a status code, LOGIN (302 to the site's log-in page), ADMIN_LOGIN (302 to
the admin's log-in page) or REDIRECT (302 anywhere else). POST-only endpoints are
checked twice: GET is refused (405, after the log-in and role checks), and a POST
by each persona who may not use it is refused (403/404) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from quizzes.cohorts.tokens import join_code_format
from quizzes.models import Accommodation, ProgramAssignment, ReminderSent
from trainingsite.models import AuditEvent

ANON, TRAINEE, OTHER, EDUCATOR, MANAGER, OTHER_MANAGER, ASSESSOR, OTHER_ASSESSOR, SUPERUSER = (
    PERSONAS
) = (
    "anonymous",
    "trainee",
    "other_trainee",
    "educator",
    "manager",
    "other_manager",
    "assessor",  # assesses cohort A, the trainee's
    "other_assessor",  # assesses cohort B, the other trainee's
    "superuser",
)
LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"


def everyone(answer, **overrides) -> dict:
    """The same answer for every persona, except the ones named."""
    row = dict.fromkeys(PERSONAS, answer)
    for name, value in overrides.items():
        row[name] = value
    return row


def signed_in(answer, **overrides) -> dict:
    """LOGIN for the anonymous visitor, `answer` for everyone signed in."""
    return everyone(answer, anonymous=LOGIN, **overrides)


def managers_only(answer=200, **overrides) -> dict:
    row = signed_in(403, manager=answer, other_manager=answer, superuser=answer)
    row.update(overrides)
    return row


def staff_reports(answer=200) -> dict:
    return signed_in(answer, trainee=403, other_trainee=403, assessor=403, other_assessor=403)


def educators_only(answer=200) -> dict:
    return signed_in(403, educator=answer, superuser=answer)


def owner_only(answer=200, **overrides) -> dict:
    return signed_in(404, trainee=answer, **overrides)


@dataclass
class Case:
    """One URL to visit: its kwargs (from the world), the method and the expected answers."""

    kwargs: Callable | dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)
    method: str = "get"
    note: str = ""


def _reset_token(w):
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(w.trainee.pk)),
        "token": default_token_generator.make_token(w.trainee),
    }


def _question_in_quiz(w):
    return {"pk": w.quiz.pk, "question_pk": w.quiz.questions.order_by("pk").first().pk}


def _cert(w):
    return {"code": w.certificate.display_code}


POST_ONLY_GET = signed_in(405)


def assessors_only(answer=200, **overrides) -> dict:
    row = signed_in(403, assessor=answer, other_assessor=answer, superuser=answer)
    row.update(overrides)
    return row


def observation_viewers() -> dict:
    """The observed trainee, the assessor and manager of their cohort, superusers."""
    return signed_in(404, trainee=200, assessor=200, manager=200, superuser=200)


# Issue 18's pages, one dict per part so that each part's rows stay together.
PRACTICE_ROWS: dict[str, list[Case]] = {  # quizzes/practice/
    "practice:round": [
        Case(kwargs=lambda w: {"uuid": w.practice_attempt.uuid}, expected=owner_only()),
        Case(
            kwargs=lambda w: {"uuid": w.practice_round.uuid},
            expected=owner_only(),
            note="mistakes round",
        ),
        Case(
            kwargs=lambda w: {"uuid": w.exam_attempt.uuid},
            expected=owner_only(REDIRECT),
            note="exam: the attempt page",
        ),
        Case(
            kwargs=lambda w: {"uuid": w.submitted.uuid},
            expected=owner_only(REDIRECT),
            note="submitted",
        ),
    ],
    "practice:check": [
        Case(kwargs=lambda w: {"uuid": w.practice_attempt.uuid}, expected=POST_ONLY_GET),
    ],
    "practice:retry": [
        Case(kwargs=lambda w: {"uuid": w.practice_attempt.uuid}, expected=POST_ONLY_GET),
    ],
}
MASTERY_ROWS: dict[str, list[Case]] = {  # quizzes/mastery/
    # Everyone's own progress: no URL names a user, so there is nobody else's to reach.
    "mastery:topics": [Case(expected=signed_in(200))],
}
EDUCATOR_ROWS: dict[str, list[Case]] = {}  # the educator's home and previews

# Certificate updates after a material change: the certificate holder's own path only.
UPDATE_ROWS: dict[str, list[Case]] = {  # quizzes/updates/
    "updates:path": [
        Case(kwargs=lambda w: {"slug": w.update_program.slug}, expected=owner_only()),
        Case(
            kwargs=lambda w: {"slug": w.program.slug},
            expected=signed_in(404),
            note="no update open in this program",
        ),
        Case(kwargs={"slug": "no-such-program"}, expected=signed_in(404)),
    ],
    "updates:quiz_start": [
        Case(kwargs=lambda w: {"slug": w.update_program.slug}, expected=POST_ONLY_GET),
    ],
}

# Issue 19's pages: everyone's own review; a session is its trainee's only.
REVIEW_ROWS: dict[str, list[Case]] = {  # quizzes/spaced_review/
    "review:home": [Case(expected=signed_in(200))],
    "review:start": [Case(expected=POST_ONLY_GET)],
    "review:preference": [Case(expected=POST_ONLY_GET)],
    "review:session": [
        Case(kwargs=lambda w: {"uuid": w.review_session.uuid}, expected=owner_only()),
        Case(
            kwargs=lambda w: {"uuid": w.review_done.uuid},
            expected=owner_only(REDIRECT),
            note="finished: the summary",
        ),
        Case(
            kwargs=lambda w: {"uuid": w.in_progress.uuid},
            expected=signed_in(404),
            note="a graded attempt",
        ),
    ],
    "review:finish": [
        Case(kwargs=lambda w: {"uuid": w.review_session.uuid}, expected=POST_ONLY_GET),
    ],
    "review:summary": [
        Case(kwargs=lambda w: {"uuid": w.review_done.uuid}, expected=owner_only()),
        Case(
            kwargs=lambda w: {"uuid": w.review_session.uuid},
            expected=owner_only(REDIRECT),
            note="open: the session",
        ),
    ],
}

# Issue 20's pages, one dict per part.
# The API's operations take a bearer token only: the matrix's clients (none, or a session)
# send none, so every operation is a 401 problem for every persona, signed in or not. The
# document, its docs and the root are public. Token scopes: tests/api/test_resources.py.
API_NO_TOKEN = everyone(401)
API_ROWS: dict[str, list[Case]] = {  # quizzes/api/: /api/v1/ and the token pages
    "api:api-root": [Case(expected=everyone(200))],
    "api:openapi-json": [Case(expected=everyone(200))],
    "api:openapi-view": [Case(expected=everyone(200))],
    "api:not_found": [Case(kwargs={"rest": "no-such-thing"}, expected=everyone(404))],
    "api:trainees": [Case(expected=API_NO_TOKEN, note="no token: 401 problem")],
    "api:trainee": [
        Case(kwargs=lambda w: {"trainee_id": w.trainee.pk}, expected=API_NO_TOKEN),
    ],
    "api:certificates": [Case(expected=API_NO_TOKEN, note="no token: 401 problem")],
    "api:certificate": [Case(kwargs=_cert, expected=API_NO_TOKEN, note="no token: 401")],
    "api:cohorts": [Case(expected=API_NO_TOKEN, note="no token: 401 problem")],
    "api:cohort_members": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=API_NO_TOKEN),
    ],
    # GET lists the open invitations, POST invites: both need a token.
    "api:cohort_invitations": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=API_NO_TOKEN),
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=API_NO_TOKEN, method="post"),
    ],
    "api:assignments": [Case(expected=API_NO_TOKEN, note="no token: 401 problem")],
    "api:attempts": [Case(expected=API_NO_TOKEN, note="no token: 401 problem")],
    "api:cpd": [Case(expected=API_NO_TOKEN, note="no token: 401 problem")],
    "api:cohort_member": [
        Case(
            kwargs=lambda w: {"slug": w.cohort_a.slug, "member_id": w.trainee.pk},
            expected=API_NO_TOKEN,
            method="delete",
            note="no token: 401 problem; the member stays",
        ),
    ],
    "api_tokens:list": [Case(expected=managers_only())],
    "api_tokens:create": [Case(expected=managers_only())],
    # The manager's own token: the confirmation page; another manager's is a 404.
    "api_tokens:revoke": [
        Case(
            kwargs=lambda w: {"token_id": w.api_token.pk},
            expected=managers_only(other_manager=404),
        ),
    ],
}


def _endpoint(w):
    return {"pk": w.webhook_endpoint.pk}


WEBHOOK_ROWS: dict[str, list[Case]] = {  # quizzes/webhooks/
    "webhooks:list": [Case(expected=managers_only())],
    "webhooks:create": [Case(expected=managers_only())],
    # Only the owner reaches an endpoint (superusers see every one in the admin).
    "webhooks:detail": [
        Case(kwargs=_endpoint, expected=managers_only(other_manager=404, superuser=404))
    ],
    **{
        name: [Case(kwargs=_endpoint, expected=managers_only(405))]
        for name in ("webhooks:test", "webhooks:disable", "webhooks:delete")
    },
}

SITE_TABLE: dict[str, list[Case]] = {
    "home": [Case(expected=everyone(REDIRECT, anonymous=200))],
    "healthz": [Case(expected=everyone(200))],
    "favicon": [Case(expected=everyone(REDIRECT))],
    "trainee_home": [Case(expected=signed_in(200))],
    "educator_home": [Case(expected=educators_only())],
    "manager_home": [Case(expected=managers_only())],
    "login": [Case(expected=everyone(200))],
    "logout": [Case(expected=everyone(405))],
    "password_change": [Case(expected=signed_in(200))],
    "password_change_done": [Case(expected=signed_in(200))],
    "password_reset": [Case(expected=everyone(200))],
    "password_reset_done": [Case(expected=everyone(200))],
    "password_reset_confirm": [Case(kwargs=_reset_token, expected=everyone(REDIRECT))],
    "password_reset_complete": [Case(expected=everyone(200))],
    # Lessons
    "lessons:index": [Case(expected=signed_in(200))],
    "lessons:detail": [
        Case(kwargs=lambda w: {"slug": w.lesson.slug}, expected=signed_in(200)),
        Case(
            kwargs=lambda w: {"slug": w.draft_lesson.slug},
            expected=signed_in(404, educator=200, superuser=200),
            note="draft",
        ),
        Case(kwargs={"slug": "no-such-lesson"}, expected=signed_in(404), note="unknown"),
    ],
    "lessons:complete": [Case(kwargs=lambda w: {"slug": w.lesson.slug}, expected=POST_ONLY_GET)],
    # Quizzes
    "quizzes:index": [Case(expected=signed_in(200))],
    "quizzes:detail": [
        Case(kwargs=lambda w: {"slug": w.quiz.slug}, expected=signed_in(200)),
        Case(kwargs=lambda w: {"slug": w.draft_quiz.slug}, expected=signed_in(404), note="draft"),
    ],
    "quizzes:start": [Case(kwargs=lambda w: {"slug": w.quiz.slug}, expected=POST_ONLY_GET)],
    "quizzes:history": [Case(kwargs=lambda w: {"slug": w.quiz.slug}, expected=signed_in(200))],
    "quizzes:practice": [Case(kwargs=lambda w: {"slug": w.quiz.slug}, expected=POST_ONLY_GET)],
    "authoring:quiz_preview": [
        Case(kwargs=lambda w: {"slug": w.quiz.slug}, expected=educators_only()),
        Case(kwargs=lambda w: {"slug": w.draft_quiz.slug}, expected=educators_only(), note="draft"),
    ],
    "quizzes:attempt": [
        Case(kwargs=lambda w: {"uuid": w.in_progress.uuid}, expected=owner_only()),
        Case(
            kwargs=lambda w: {"uuid": w.submitted.uuid},
            expected=owner_only(REDIRECT),
            note="submitted",
        ),
    ],
    "quizzes:save": [
        Case(kwargs=lambda w: {"uuid": w.in_progress.uuid}, expected=POST_ONLY_GET),
    ],
    "quizzes:submit": [
        Case(kwargs=lambda w: {"uuid": w.in_progress.uuid}, expected=POST_ONLY_GET),
    ],
    "quizzes:result": [
        Case(kwargs=lambda w: {"uuid": w.submitted.uuid}, expected=owner_only()),
        Case(
            kwargs=lambda w: {"uuid": w.in_progress.uuid},
            expected=owner_only(REDIRECT),
            note="in progress",
        ),
    ],
    "quizzes:accommodations": [
        Case(kwargs=lambda w: {"slug": w.quiz.slug}, expected=managers_only()),
        Case(kwargs=lambda w: {"slug": w.draft_quiz.slug}, expected=managers_only(404)),
    ],
    # Certificates
    "certificates:verify_form": [Case(expected=everyone(200))],
    "certificates:verify": [
        Case(kwargs=_cert, expected=everyone(200)),
        Case(kwargs={"code": "0000-0000-0000-0000-0000"}, expected=everyone(404), note="unknown"),
    ],
    "certificates:program": [
        Case(kwargs=lambda w: {"slug": w.program.slug}, expected=signed_in(200)),
    ],
    "certificates:claim": [
        Case(kwargs=lambda w: {"slug": w.program.slug}, expected=POST_ONLY_GET),
    ],
    "certificates:detail": [Case(kwargs=_cert, expected=owner_only())],
    "certificates:download": [Case(kwargs=_cert, expected=owner_only())],
    # Educators revoke any certificate; managers only their cohorts' trainees' ones.
    "certificates:revoke": [
        Case(
            kwargs=_cert,
            expected=signed_in(403, educator=200, manager=200, other_manager=404, superuser=200),
        ),
    ],
    # Signed credentials: the published documents are public; a credential is its
    # holder's (and a superuser's) to download, a 404 for anyone else.
    "credentials:jwks": [Case(expected=everyone(200))],
    "credentials:issuer": [Case(expected=everyone(200))],
    "credentials:status_list": [Case(expected=everyone(200))],
    "credentials:jwt": [
        Case(kwargs=_cert, expected=owner_only(superuser=200)),
        Case(kwargs={"code": "0000-0000-0000-0000-0000"}, expected=signed_in(404), note="unknown"),
    ],
    "credentials:json": [
        Case(kwargs=_cert, expected=owner_only(superuser=200)),
        Case(kwargs={"code": "0000-0000-0000-0000-0000"}, expected=signed_in(404), note="unknown"),
    ],
    # CPD: everyone signed in has a record; an entry and its evidence are the owner's
    # (the evidence also its managers' and superusers'); a trainee's record is for the
    # managers of the trainee's cohorts.
    "cpd:record": [Case(expected=signed_in(200))],
    "cpd:export_csv": [Case(expected=signed_in(200))],
    "cpd:export_pdf": [Case(expected=signed_in(200))],
    "cpd:add": [Case(expected=signed_in(200))],
    "cpd:edit": [
        Case(kwargs=lambda w: {"pk": w.cpd_entry.pk}, expected=owner_only()),
        Case(kwargs={"pk": 10**9}, expected=signed_in(404), note="unknown"),
    ],
    "cpd:delete": [Case(kwargs=lambda w: {"pk": w.cpd_entry.pk}, expected=POST_ONLY_GET)],
    "cpd:evidence": [
        Case(
            kwargs=lambda w: {"pk": w.cpd_entry.pk},
            expected=owner_only(manager=200, superuser=200),
        ),
        Case(kwargs={"pk": 10**9}, expected=signed_in(404), note="unknown"),
    ],
    "cpd:review": [
        Case(kwargs=lambda w: {"pk": w.cpd_entry.pk}, expected=managers_only(405)),
    ],
    "cpd:trainee": [
        Case(kwargs=lambda w: {"pk": w.trainee.pk}, expected=managers_only(other_manager=404)),
    ],
    "cpd:trainee_export_csv": [
        Case(kwargs=lambda w: {"pk": w.trainee.pk}, expected=managers_only(other_manager=404)),
    ],
    # Observed practice: the assessment pages are for assessors, a trainee's for the assessors
    # of the trainee's cohorts; an observation and its evidence for the trainee, those
    # assessors, the trainee's managers and superusers; acknowledging for the trainee.
    "observations:home": [Case(expected=assessors_only())],
    "observations:trainee": [
        Case(
            kwargs=lambda w: {"trainee_id": w.trainee.pk},
            expected=assessors_only(other_assessor=404),
        ),
        Case(
            kwargs={"trainee_id": 10**9},
            expected=assessors_only(assessor=404, other_assessor=404, superuser=404),
            note="unknown",
        ),
    ],
    "observations:observe": [
        Case(
            kwargs=lambda w: {"trainee_id": w.trainee.pk, "slug": w.checklist.slug},
            expected=assessors_only(other_assessor=404),
        ),
        Case(
            kwargs=lambda w: {"trainee_id": w.trainee.pk, "slug": "no-such-checklist"},
            expected=assessors_only(assessor=404, other_assessor=404, superuser=404),
            note="unknown checklist",
        ),
    ],
    "observations:detail": [
        Case(kwargs=lambda w: {"pk": w.observation.pk}, expected=observation_viewers()),
        Case(kwargs={"pk": 10**9}, expected=signed_in(404), note="unknown"),
    ],
    "observations:evidence": [
        Case(
            kwargs=lambda w: {"pk": w.observation.pk, "evidence_id": w.observation_evidence.pk},
            expected=observation_viewers(),
        ),
        Case(
            kwargs=lambda w: {"pk": w.observation.pk, "evidence_id": 10**9},
            expected=signed_in(404),
            note="unknown file",
        ),
    ],
    "observations:acknowledge": [
        Case(kwargs=lambda w: {"pk": w.observation.pk}, expected=POST_ONLY_GET),
    ],
    "observations:mine": [Case(expected=signed_in(200))],
    # Attestations: every signed-in person signs for themselves; a statement of no
    # published program is 404.
    "attestations:mine": [Case(expected=signed_in(200))],
    "attestations:detail": [
        Case(kwargs=lambda w: {"slug": w.statement.slug}, expected=signed_in(200)),
        Case(
            kwargs=lambda w: {"slug": w.draft_statement.slug},
            expected=signed_in(404),
            note="draft program only",
        ),
        Case(kwargs={"slug": "no-such-statement"}, expected=signed_in(404), note="unknown"),
    ],
    # Hand marking: for assessors; an answer for the assessors of the trainee's cohorts.
    "marking:queue": [Case(expected=assessors_only())],
    "marking:answer": [
        Case(
            kwargs=lambda w: {"answer_id": w.written_answer.pk},
            expected=assessors_only(other_assessor=404),
        ),
        Case(
            kwargs={"answer_id": 10**9},
            expected=assessors_only(assessor=404, other_assessor=404, superuser=404),
            note="unknown",
        ),
    ],
    # Reports
    "reports:overview": [Case(expected=managers_only())],
    "reports:overview_export": [Case(expected=managers_only())],
    "reports:trainees": [Case(expected=managers_only())],
    "reports:trainees_export": [Case(expected=managers_only())],
    "reports:trainee": [
        Case(kwargs=lambda w: {"pk": w.trainee.pk}, expected=managers_only(other_manager=404)),
    ],
    "reports:trainee_attempts_export": [
        Case(kwargs=lambda w: {"pk": w.trainee.pk}, expected=managers_only(other_manager=404)),
    ],
    "reports:quizzes": [Case(expected=staff_reports())],
    "reports:quiz": [Case(kwargs=lambda w: {"pk": w.quiz.pk}, expected=staff_reports())],
    "reports:quiz_export": [Case(kwargs=lambda w: {"pk": w.quiz.pk}, expected=staff_reports())],
    "reports:questions": [Case(kwargs=lambda w: {"pk": w.quiz.pk}, expected=staff_reports())],
    "reports:questions_export": [
        Case(kwargs=lambda w: {"pk": w.quiz.pk}, expected=staff_reports()),
    ],
    # Educators hold a question back from new papers, or clear it (POST only).
    "reports:question_review": [
        Case(kwargs=_question_in_quiz, expected=educators_only(405)),
    ],
    "cohorts:list": [Case(expected=managers_only())],
    "cohorts:detail": [
        Case(
            kwargs=lambda w: {"slug": w.cohort_a.slug},
            expected=managers_only(other_manager=404),
        ),
    ],
    "cohorts:add": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=managers_only(405)),
    ],
    "cohorts:import": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=managers_only(405)),
    ],
    "cohorts:import_confirm": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=managers_only(405)),
    ],
    "cohorts:join": [
        Case(kwargs=lambda w: {"code": w.cohort_a.join_code}, expected=everyone(200)),
        Case(
            kwargs=lambda w: {"code": join_code_format(w.cohort_a.join_code).lower()},
            expected=everyone(200),
            note="grouped, lower case",
        ),
        Case(kwargs={"code": "NO-SUCH-CODE"}, expected=everyone(404), note="unknown"),
        Case(kwargs={"code": "0000-0000-0000-0000"}, expected=everyone(404), note="no cohort"),
    ],
    # Join codes: the cohort's managers make a new one or switch it off (POST only).
    "cohorts:join_code_new": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=managers_only(405)),
    ],
    "cohorts:join_code_off": [
        Case(kwargs=lambda w: {"slug": w.cohort_a.slug}, expected=managers_only(405)),
    ],
    # Invitations: only the invited person sees or answers one; the cohort's managers
    # withdraw it. Anyone else gets the same 404 as for a link that does not exist.
    "cohorts:invitation": [
        Case(
            kwargs=lambda w: {"token": w.invitation_token},
            expected=signed_in(404, other_trainee=200),
        ),
        Case(kwargs={"token": "x" * 43}, expected=signed_in(404), note="unknown"),
    ],
    "cohorts:invitation_accept": [
        Case(kwargs=lambda w: {"pk": w.invitation.pk}, expected=POST_ONLY_GET),
    ],
    "cohorts:invitation_decline": [
        Case(kwargs=lambda w: {"pk": w.invitation.pk}, expected=POST_ONLY_GET),
    ],
    "cohorts:invitation_withdraw": [
        Case(
            kwargs=lambda w: {"slug": w.cohort_a.slug, "pk": w.invitation.pk},
            expected=managers_only(405),
        ),
    ],
    # Confirming a join-code sign-up's address: the link is the key, signed in or not.
    "cohorts:signup_confirm": [
        Case(kwargs=lambda w: {"token": w.confirm_token}, expected=everyone(200)),
        Case(kwargs={"token": "x" * 43}, expected=everyone(404), note="unknown"),
    ],
    "cohorts:signup_confirm_resend": [Case(expected=POST_ONLY_GET)],
    **PRACTICE_ROWS,
    **MASTERY_ROWS,
    **EDUCATOR_ROWS,
    **REVIEW_ROWS,
    **UPDATE_ROWS,
    **API_ROWS,
    **WEBHOOK_ROWS,
}


# --- The admin --------------------------------------------------------------------------

NON_STAFF = {ANON, TRAINEE, OTHER, MANAGER, OTHER_MANAGER, ASSESSOR, OTHER_ASSESSOR}


def admin_row(*, educator, superuser) -> dict:
    """Anyone who is not staff is sent to the admin's log-in page."""
    return {
        **dict.fromkeys(NON_STAFF, ADMIN_LOGIN),
        EDUCATOR: educator,
        SUPERUSER: superuser,
    }


def _lesson_on_site(w):
    ct = ContentType.objects.get_for_model(w.lesson)
    return {"content_type_id": ct.pk, "object_id": w.lesson.pk}


ADMIN_TABLE: dict[str, list[Case]] = {
    "admin:index": [Case(expected=admin_row(educator=200, superuser=200))],
    "admin:login": [
        Case(expected=everyone(200, educator=REDIRECT, superuser=REDIRECT)),
    ],
    # Django sends non-staff from the admin's log-out back to the admin index.
    "admin:logout": [Case(expected=everyone(REDIRECT, educator=405, superuser=405))],
    "admin:password_change": [Case(expected=admin_row(educator=200, superuser=200))],
    "admin:password_change_done": [Case(expected=admin_row(educator=200, superuser=200))],
    # Without its query parameters the autocomplete answers 403 to everyone on staff.
    "admin:autocomplete": [Case(expected=admin_row(educator=403, superuser=403))],
    "admin:jsi18n": [Case(expected=admin_row(educator=200, superuser=200))],
    "admin:view_on_site": [
        Case(kwargs=_lesson_on_site, expected=admin_row(educator=REDIRECT, superuser=REDIRECT)),
    ],
    "admin:app_list": [
        Case(kwargs={"app_label": "lessons"}, expected=admin_row(educator=200, superuser=200)),
        Case(kwargs={"app_label": "quizzes"}, expected=admin_row(educator=200, superuser=200)),
        Case(kwargs={"app_label": "auth"}, expected=admin_row(educator=404, superuser=200)),
        Case(kwargs={"app_label": "axes"}, expected=admin_row(educator=404, superuser=200)),
        Case(kwargs={"app_label": "trainingsite"}, expected=admin_row(educator=404, superuser=200)),
    ],
    # Custom admin pages.
    "admin:lessons_lesson_preview": [
        Case(
            kwargs=lambda w: {"pk": w.draft_lesson.pk},
            expected=admin_row(educator=200, superuser=200),
        ),
    ],
    # The unsaved lesson preview is POST-only (the change page's form posts to it).
    "admin:lessons_lesson_preview_unsaved": [
        Case(expected=admin_row(educator=405, superuser=405)),
    ],
    "admin:quizzes_quiz_question_template": [
        Case(expected=admin_row(educator=200, superuser=200)),
    ],
    "admin:quizzes_quiz_import_questions": [
        Case(
            kwargs=lambda w: {"object_id": w.quiz.pk},
            expected=admin_row(educator=200, superuser=200),
        ),
    ],
    "admin:quizzes_quiz_export_questions": [
        Case(
            kwargs=lambda w: {"object_id": w.quiz.pk, "file_format": "csv"},
            expected=admin_row(educator=200, superuser=200),
        ),
        Case(
            kwargs=lambda w: {"object_id": w.quiz.pk, "file_format": "gift"},
            expected=admin_row(educator=200, superuser=200),
        ),
        Case(
            kwargs=lambda w: {"object_id": w.quiz.pk, "file_format": "nonsense"},
            expected=admin_row(educator=404, superuser=404),
            note="unknown format",
        ),
    ],
    "admin:trainingsite_auditevent_export": [
        Case(expected=admin_row(educator=403, superuser=200)),
    ],
    "admin:auth_user_password_change": [
        Case(
            kwargs=lambda w: {"id": w.trainee.pk}, expected=admin_row(educator=403, superuser=200)
        ),
    ],
}

# Per registered model: what the educator may do (content = add, change, view; never
# delete) and what even a superuser may not (append-only and issued records).
CONTENT, VIEW_ONLY, NOTHING = "content", "view only", "nothing"
ADMIN_MODELS: dict[str, tuple[str, dict]] = {
    "auth_group": (NOTHING, {}),
    "auth_user": (NOTHING, {}),
    "trainingsite_auditevent": (NOTHING, {"add": 403, "delete": 403}),
    "lessons_topic": (CONTENT, {}),
    "lessons_lesson": (CONTENT, {}),
    "quizzes_accommodation": (CONTENT, {}),
    # A question trainees have answered is retired, never deleted: its delete page
    # sends even a superuser back to the change page with the reason.
    "quizzes_question": (CONTENT, {"delete": REDIRECT}),
    "quizzes_quiz": (CONTENT, {}),
    # Trainees' attempts: educators look, nobody edits, adds or deletes.
    "quizzes_attempt": (VIEW_ONLY, {"add": 403, "delete": 403}),
    "quizzes_program": (CONTENT, {}),
    "quizzes_programassignment": (NOTHING, {}),
    "quizzes_cohort": (NOTHING, {}),
    "quizzes_certificate": (NOTHING, {"add": 403, "delete": 403}),
    "quizzes_credential": (NOTHING, {"add": 403, "delete": 403}),
    "quizzes_remindersent": (NOTHING, {"add": 403}),
    "quizzes_practicalchecklist": (CONTENT, {}),
    # Observations are append-only records made on the site: looked at, never edited.
    "quizzes_observation": (NOTHING, {"add": 403, "delete": 403}),
    "quizzes_attestationstatement": (CONTENT, {}),
    # Attestations are signed records: looked at, never edited.
    "quizzes_attestation": (NOTHING, {"add": 403, "delete": 403}),
    # django-tasks-db's job records: superusers look, its admin refuses every edit.
    "django_tasks_database_dbtaskresult": (NOTHING, {"add": 403, "delete": 403}),
    # Webhooks: endpoints are registered on the site's pages; deliveries are records.
    "quizzes_webhookendpoint": (NOTHING, {"add": 403}),
    "quizzes_webhookdelivery": (NOTHING, {"add": 403, "delete": 403}),
    # Spaced review: the scheduler's cards and log; superusers look, nobody edits.
    "quizzes_reviewcard": (NOTHING, {"add": 403, "delete": 403}),
    "quizzes_reviewlog": (NOTHING, {"add": 403, "delete": 403}),
    # Program updates are recorded by material changes: educators look, nobody edits.
    "quizzes_programupdate": (VIEW_ONLY, {"add": 403, "delete": 403}),
    "axes_accessattempt": (NOTHING, {"add": 403}),
    "axes_accesslog": (NOTHING, {"add": 403}),
    "axes_accessfailurelog": (NOTHING, {"add": 403}),
}
ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")


def _admin_object(model):
    def kwargs(w):
        return {"object_id": model._default_manager.order_by("pk").first().pk}

    return kwargs


def _admin_model_cases() -> dict[str, list[Case]]:
    table = {}
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        rule, superuser_refusals = ADMIN_MODELS.get(prefix, (None, {}))
        if rule is None:
            continue  # test_every_url_pattern_has_a_row names it
        for view in ADMIN_VIEWS:
            if rule == CONTENT:
                educator = 403 if view == "delete" else 200
            elif rule == VIEW_ONLY:
                educator = 403 if view in ("add", "delete") else 200
            else:
                educator = 403
            expected = admin_row(educator=educator, superuser=superuser_refusals.get(view, 200))
            kwargs = _admin_object(model) if view in ("change", "history", "delete") else {}
            table[f"admin:{prefix}_{view}"] = [Case(kwargs=kwargs, expected=expected)]
    return table


TABLE: dict[str, list[Case]] = {**SITE_TABLE, **ADMIN_TABLE, **_admin_model_cases()}

# Patterns without a name: the admin's "<id>/" redirect to the change page, and its
# catch-all. Their routes are checked instead of their names.
UNNAMED_ROUTES = {
    f"admin/{m._meta.app_label}/{m._meta.model_name}/<path:object_id>/"
    for m in admin.site._registry
} | {"admin/(?P<url>.*)$"}


def _patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def test_every_url_pattern_has_a_row():
    named = {name for _, name in _patterns() if name}
    unnamed = {route for route, name in _patterns() if not name}
    assert sorted(named - set(TABLE)) == [], "URL names without a row in the matrix"
    assert sorted(set(TABLE) - named) == [], "rows for URL names that no longer exist"
    assert sorted(unnamed - UNNAMED_ROUTES) == [], "unnamed URL patterns not in the matrix"
    assert (
        sorted(
            set(ADMIN_MODELS)
            - {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
        )
        == []
    )


# --- Visiting -----------------------------------------------------------------------------


def _answer(response) -> int | str:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("login")):
        return LOGIN
    return REDIRECT


def _clients(w) -> dict[str, Client]:
    clients = {ANON: Client()}
    for persona in PERSONAS[1:]:
        client = Client()
        client.force_login(getattr(w, persona))
        clients[persona] = client
    return clients


def _admin_world(w) -> None:
    """One row for each admin model that the world does not make on its own."""
    Accommodation.objects.create(user=w.trainee, quiz=w.quiz, extra_minutes=10)
    ProgramAssignment.objects.create(user=w.trainee, program=w.program)
    ReminderSent.objects.create(
        user=w.trainee,
        program=w.program,
        event=ReminderSent.Event.values[0],
        event_date="2026-12-01",
    )
    common = {"username": "someone", "ip_address": "10.0.0.1", "user_agent": "test"}
    AccessAttempt.objects.create(failures_since_start=1, **common)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)
    assert Group.objects.exists() and AuditEvent.objects.exists()


def snapshot() -> dict:
    """Every row of the site's own tables, to prove a refused POST changed nothing."""
    state = {}
    for label in ("lessons", "quizzes", "trainingsite"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    user_model = apps.get_model("auth", "User")
    state["users"] = list(
        user_model.objects.order_by("pk").values_list(
            "pk", "password", "first_name", "last_name", "is_active"
        )
    )
    return state


def test_access_matrix(world):
    _admin_world(world)
    clients = _clients(world)
    mismatches = []
    visited = 0
    for name, cases in TABLE.items():
        for case in cases:
            kwargs = case.kwargs(world) if callable(case.kwargs) else case.kwargs
            url = reverse(name, kwargs=kwargs)
            assert set(case.expected) == set(PERSONAS), f"{name}: a persona has no answer"
            for persona in PERSONAS:
                cache.clear()  # the join page's per-address limit is not under test here
                response = getattr(clients[persona], case.method)(url)
                visited += 1
                got = _answer(response)
                if got != case.expected[persona]:
                    mismatches.append(
                        f"{name} {case.note} {url} as {persona}: "
                        f"expected {case.expected[persona]}, got {got}"
                    )
                assert response.status_code < 500, f"{url} as {persona}"
    print(
        f"\naccess matrix: {visited} requests ({len(TABLE)} URL names × {len(PERSONAS)} personas)"
    )
    assert mismatches == [], "\n".join(mismatches)


# --- POST as the wrong persona ------------------------------------------------------------


def _answer_post(w):
    question = w.in_progress.paper["questions"][0]
    return {"sequence": str(w.in_progress.sequence), f"q-{question['id']}": "0", "confirm": "1"}


def _cpd_entry_post(w):
    return {
        "title": "Changed by someone else",
        "provider": "Nobody",
        "completed_on": "2026-05-02",
        "hours": "9.5",
    }


def _practice_check_post(w):
    first = w.practice_attempt.paper["questions"][0]["id"]
    return {"question": str(first), f"q-{first}": "0"}


def _observation_post(w):
    data = {"observed_on": "2026-11-03", "setting": "clinic", "outcome": "competent"}
    for criterion in w.checklist.criteria.all():
        data[f"met_{criterion.pk}"] = "met"
    return data


POST_REFUSALS: list[tuple[str, Callable | dict, Callable | dict, dict]] = [
    # (URL name, kwargs, form data, {persona: answer}) for every persona who may not post.
    (
        "lessons:complete",
        lambda w: {"slug": w.draft_lesson.slug},
        {},
        {ANON: LOGIN, TRAINEE: 404, OTHER: 404, MANAGER: 404, OTHER_MANAGER: 404},
    ),
    *[
        (
            name,
            lambda w: {"uuid": w.in_progress.uuid},
            _answer_post,
            {
                ANON: LOGIN,
                OTHER: 404,
                EDUCATOR: 404,
                MANAGER: 404,
                OTHER_MANAGER: 404,
                SUPERUSER: 404,
            },
        )
        for name in ("quizzes:save", "quizzes:submit")
    ],
    *[
        (
            name,
            lambda w: {"uuid": w.practice_attempt.uuid},
            _practice_check_post,
            {
                ANON: LOGIN,
                OTHER: 404,
                EDUCATOR: 404,
                MANAGER: 404,
                OTHER_MANAGER: 404,
                SUPERUSER: 404,
            },
        )
        for name in ("practice:check", "practice:retry")
    ],
    (
        "quizzes:start",
        lambda w: {"slug": w.draft_quiz.slug},
        {},
        signed_in(404),
    ),
    (
        "quizzes:practice",
        lambda w: {"slug": w.quiz.slug},
        lambda w: {"source": str(w.submitted.uuid)},
        {ANON: LOGIN, OTHER: 404, EDUCATOR: 404, MANAGER: 404, OTHER_MANAGER: 404, SUPERUSER: 404},
    ),
    (
        "quizzes:accommodations",
        lambda w: {"slug": w.quiz.slug},
        lambda w: {"trainee": str(w.trainee.pk), "extra_minutes": "30", "extra_attempts": "1"},
        signed_in(403, manager=None, superuser=None, other_manager=404),
    ),
    (
        "certificates:claim",
        {"slug": "no-such-program"},
        {},
        signed_in(404),
    ),
    (
        "certificates:revoke",
        _cert,
        {"reason": "Testing refusals."},
        signed_in(403, educator=None, manager=None, other_manager=404, superuser=None),
    ),
    *[
        (
            name,
            lambda w: {"slug": w.cohort_a.slug},
            data,
            signed_in(403, manager=None, superuser=None, other_manager=404),
        )
        for name, data in (
            (
                "cohorts:add",
                {"email": "new@example.com", "first_name": "N", "last_name": "W"},
            ),
            ("cohorts:import", {}),
            (
                "cohorts:import_confirm",
                {"csv_text": "name,email\nNew Person,new@example.com\n"},
            ),
        )
    ],
    (
        "cohorts:join",
        {"code": "NO-SUCH-CODE"},
        {
            "first_name": "N",
            "last_name": "W",
            "email": "joiner@example.com",
            "password1": "a-long-enough-password-2026",
            "password2": "a-long-enough-password-2026",
        },
        everyone(404),
    ),
    *[
        (
            name,
            lambda w: {"slug": w.cohort_a.slug},
            {},
            signed_in(403, manager=None, superuser=None, other_manager=404),
        )
        for name in ("cohorts:join_code_new", "cohorts:join_code_off")
    ],
    (
        "cohorts:invitation_withdraw",
        lambda w: {"slug": w.cohort_a.slug, "pk": w.invitation.pk},
        {},
        signed_in(403, manager=None, superuser=None, other_manager=404),
    ),
    (
        "cohorts:invitation_withdraw",
        lambda w: {"slug": w.cohort_b.slug, "pk": w.invitation.pk},
        {},
        signed_in(403, manager=404, superuser=404, other_manager=404),
    ),
    *[
        (
            name,
            lambda w: {"pk": w.invitation.pk},
            {},
            signed_in(404, other_trainee=None),
        )
        for name in ("cohorts:invitation_accept", "cohorts:invitation_decline")
    ],
    ("cohorts:signup_confirm_resend", {}, {}, {ANON: LOGIN}),
    (
        "reports:question_review",
        _question_in_quiz,
        {"needs_review": "1"},
        signed_in(403, educator=None, superuser=None),
    ),
    ("cohorts:signup_confirm", {"token": "x" * 43}, {}, everyone(404)),
    # The credentials' documents and downloads are read-only: a POST is refused as such.
    *[
        (name, {}, {"keys": "[]"}, everyone(405))
        for name in ("credentials:jwks", "credentials:issuer", "credentials:status_list")
    ],
    *[
        (name, _cert, {"jwt": "x"}, signed_in(405))
        for name in ("credentials:jwt", "credentials:json")
    ],
    # CPD: only the owner changes or deletes an entry (approval off: nobody reviews).
    *[
        (
            name,
            lambda w: {"pk": w.cpd_entry.pk},
            _cpd_entry_post,
            signed_in(404, trainee=None),
        )
        for name in ("cpd:edit", "cpd:delete")
    ],
    (
        "cpd:review",
        lambda w: {"pk": w.cpd_entry.pk},
        {"decision": "approve"},
        signed_in(403, manager=404, other_manager=404, superuser=404),
    ),
    # Observed practice: only the trainee acknowledges; only the cohort's assessors record.
    (
        "observations:acknowledge",
        lambda w: {"pk": w.observation.pk},
        {},
        signed_in(404, trainee=None),
    ),
    (
        "observations:observe",
        lambda w: {"trainee_id": w.trainee.pk, "slug": w.checklist.slug},
        _observation_post,
        signed_in(403, assessor=None, other_assessor=404, superuser=None),
    ),
    # Attestations: signing a statement that no published program requires is refused.
    (
        "attestations:detail",
        lambda w: {"slug": w.draft_statement.slug},
        lambda w: {"typed_name": "Tara Trainee", "confirm": "on"},
        signed_in(404),
    ),
    # Webhooks: only the endpoint's owner tests, disables or deletes it.
    *[
        (
            name,
            lambda w: {"pk": w.webhook_endpoint.pk},
            {},
            signed_in(403, manager=None, other_manager=404, superuser=404),
        )
        for name in ("webhooks:test", "webhooks:disable", "webhooks:delete")
    ],
    # Spaced review: anyone signed in starts their own review and sets their own e-mails;
    # only the trainee finishes their session.
    *[
        (name, {}, {}, {persona: None for persona in PERSONAS[1:]} | {ANON: LOGIN})
        for name in ("review:start", "review:preference")
    ],
    (
        "review:finish",
        lambda w: {"uuid": w.review_session.uuid},
        {},
        {ANON: LOGIN, OTHER: 404, EDUCATOR: 404, MANAGER: 404, OTHER_MANAGER: 404, SUPERUSER: 404},
    ),
    # Certificate updates: only the holder of the open update starts its quiz.
    (
        "updates:quiz_start",
        lambda w: {"slug": w.update_program.slug},
        {},
        signed_in(404, trainee=None),
    ),
    # Hand marking: only the assessors of the trainee's cohorts mark.
    (
        "marking:answer",
        lambda w: {"answer_id": w.written_answer.pk},
        {"points": "1", "feedback": "A mark from the wrong persona."},
        signed_in(403, assessor=None, other_assessor=404, superuser=None),
    ),
]


def test_post_as_the_wrong_persona_is_refused_and_changes_nothing(world):
    clients = _clients(world)
    before = snapshot()
    mismatches = []
    posts = 0
    for name, kwargs, data, expected in POST_REFUSALS:
        kwargs = kwargs(world) if callable(kwargs) else kwargs
        data = data(world) if callable(data) else data
        url = reverse(name, kwargs=kwargs)
        for persona, answer in expected.items():
            if answer is None:
                continue  # allowed to post: covered by the feature's own tests
            cache.clear()
            response = clients[persona].post(url, data)
            posts += 1
            got = _answer(response)
            if got != answer:
                mismatches.append(f"POST {url} as {persona}: expected {answer}, got {got}")
    print(f"\nrefused POSTs: {posts}")
    assert mismatches == [], "\n".join(mismatches)
    assert snapshot() == before
    # Every POST-only URL (GET answers 405) has its refusals here; log-out is open to all.
    post_only = {
        name
        for name, cases in SITE_TABLE.items()
        if 405 in (cases[0].expected[TRAINEE], cases[0].expected[MANAGER])
    }
    refused = {name for name, *_ in POST_REFUSALS}
    assert post_only - {"logout"} == refused - {
        "certificates:revoke",
        "cpd:edit",
        "observations:observe",
        "marking:answer",
        "attestations:detail",
        "cohorts:join",
        "cohorts:signup_confirm",
        "quizzes:accommodations",
        "reports:question_review",
        # GET-only: their POST refusals are listed to show a POST changes nothing.
        "credentials:jwks",
        "credentials:issuer",
        "credentials:status_list",
        "credentials:jwt",
        "credentials:json",
    }
