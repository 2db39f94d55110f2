"""Bodies the site cannot read, generated: every POST endpoint gets forms in other character
sets and fields, names, query strings and paths with NUL and other control characters.

Each must answer the styled 400 page with its message (never a 5xx), and nothing may be
saved. The cases are drawn across all endpoints, MIN_CASES of each kind (counted in
CASES, printed at the end), on SQLite and on PostgreSQL, where a NUL in any text used
to reach the database and fail there.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lessons.models import LessonCompletion
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    Certificate,
    CohortMembership,
    CpdEntry,
    Observation,
    Question,
    ReviewLog,
    ReviewPreference,
    WrittenAnswerMark,
)
from quizzes.models.cohorts import CohortInvitation, SignupConfirmation
from tests.hardening.test_bad_input import FUZZ, TEXT, counts, done, run_case, signed_in
from trainingsite.middleware import CONTROL_CHARACTER_REFUSED, FORM_CHARSET_REFUSED
from trainingsite.models import AuditEvent

# Character sets a browser or a script may declare; none of them is UTF-8.
CHARSETS = [
    "iso-8859-1",
    "latin1",
    "windows-1252",
    "cp1252",
    "us-ascii",
    "utf-16",
    "utf-16le",
    "utf-16be",
    "utf-32",
    "koi8-r",
    "shift_jis",
    "x-nonsense",
    "",
]
CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x08", "\x0b", "\x1b", "\x1f"])


def with_control(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text with a control character somewhere in it."""
    return st.tuples(text, CONTROL, text).map(lambda t: t[0] + t[1] + t[2])


# (URL name, who posts, the URL's kwargs from the world, a plausible form)
ENDPOINTS = [
    ("login", None, {}, {"username": "tara", "password": "x"}),
    ("password_reset", None, {}, {"email": "tara@example.com"}),
    ("password_change", "trainee", {}, {"old_password": "x", "new_password1": "y"}),
    ("logout", "trainee", {}, {}),
    ("lessons:complete", "trainee", lambda w: {"slug": w.lesson.slug}, {}),
    ("quizzes:start", "trainee", lambda w: {"slug": w.quiz.slug}, {}),
    ("quizzes:practice", "trainee", lambda w: {"slug": w.quiz.slug}, {}),
    ("quizzes:save", "trainee", lambda w: {"uuid": w.in_progress.uuid}, {"sequence": "1"}),
    # The attempt page's merge: a base per question (issue 18, H1).
    ("quizzes:save", "trainee", lambda w: {"uuid": w.in_progress.uuid}, {"base-1": "0,1"}),
    ("quizzes:submit", "trainee", lambda w: {"uuid": w.in_progress.uuid}, {"sequence": "1"}),
    ("practice:check", "trainee", lambda w: {"uuid": w.practice_attempt.uuid}, {"question": "1"}),
    # Spaced review (issue 19): start, the e-mail setting, finish.
    ("review:start", "trainee", {}, {}),
    ("review:preference", "trainee", {}, {"nudges": "on"}),
    ("review:finish", "trainee", lambda w: {"uuid": w.review_session.uuid}, {}),
    # Certificate updates after a material change (issue 19): the update quiz's start.
    ("updates:quiz_start", "trainee", lambda w: {"slug": w.update_program.slug}, {}),
    ("quizzes:accommodations", "manager", lambda w: {"slug": w.quiz.slug}, {"user": "1"}),
    ("certificates:claim", "trainee", lambda w: {"slug": w.program.slug}, {}),
    ("certificates:revoke", "educator", lambda w: {"code": w.certificate.display_code}, {}),
    ("certificates:verify_form", None, {}, {"credential": "eyJhbGciOiJFZERTQSJ9.e30.c2ln"}),
    ("cohorts:add", "manager", lambda w: {"slug": w.cohort_a.slug}, {"email": "a@b.org"}),
    ("cohorts:import_confirm", "manager", lambda w: {"slug": w.cohort_a.slug}, {"token": "t"}),
    ("cohorts:join_code_new", "manager", lambda w: {"slug": w.cohort_a.slug}, {}),
    ("cohorts:join_code_off", "manager", lambda w: {"slug": w.cohort_a.slug}, {}),
    (
        "cohorts:invitation_withdraw",
        "manager",
        lambda w: {"slug": w.cohort_a.slug, "pk": w.invitation.pk},
        {},
    ),
    ("cohorts:invitation_accept", "other_trainee", lambda w: {"pk": w.invitation.pk}, {}),
    ("cohorts:invitation_decline", "other_trainee", lambda w: {"pk": w.invitation.pk}, {}),
    ("cohorts:signup_confirm_resend", "joiner", {}, {}),
    ("cohorts:signup_confirm", None, lambda w: {"token": w.confirm_token}, {}),
    (
        "cohorts:join",
        None,
        lambda w: {"code": w.cohort_a.join_code},
        {"first_name": "Ann", "email": "ann@example.com", "password1": "p", "password2": "p"},
    ),
    (
        "reports:question_review",
        "educator",
        lambda w: {"pk": w.quiz.pk, "question_pk": w.quiz.questions.order_by("pk")[0].pk},
        {"needs_review": "1"},
    ),
    (
        "cpd:add",
        "trainee",
        {},
        {"title": "Workshop", "provider": "Academy", "completed_on": "2026-05-01", "hours": "2"},
    ),
    (
        "cpd:edit",
        "trainee",
        lambda w: {"pk": w.cpd_entry.pk},
        {"title": "Workshop", "provider": "Academy", "completed_on": "2026-05-01", "hours": "2"},
    ),
    ("cpd:delete", "trainee", lambda w: {"pk": w.cpd_entry.pk}, {}),
    ("cpd:review", "manager", lambda w: {"pk": w.cpd_entry.pk}, {"decision": "approve"}),
    (
        "observations:observe",
        "assessor",
        lambda w: {"trainee_id": w.trainee.pk, "slug": w.checklist.slug},
        {"observed_on": "2026-11-03", "setting": "clinic", "outcome": "competent"},
    ),
    ("observations:acknowledge", "trainee", lambda w: {"pk": w.observation.pk}, {}),
    (
        "marking:answer",
        "assessor",
        lambda w: {"answer_id": w.written_answer.pk},
        {"points": "2.5", "feedback": "Clear and safe."},
    ),
    (
        "attestations:detail",
        "trainee",
        lambda w: {"slug": w.statement.slug},
        {"typed_name": "Tara Trainee", "confirm": "on"},
    ),
    # Webhooks (issue 20): register, and the endpoint page's buttons.
    (
        "webhooks:create",
        "manager",
        {},
        {"url": "https://hooks.example.org/x", "events": "certificate.issued"},
    ),
    ("webhooks:test", "manager", lambda w: {"pk": w.webhook_endpoint.pk}, {}),
    ("webhooks:disable", "manager", lambda w: {"pk": w.webhook_endpoint.pk}, {}),
    # API tokens (issue 20): create, revoke; the API's own POST takes JSON (bad_input_api).
    ("api_tokens:create", "manager", {}, {"name": "HR system", "days": "90"}),
    ("api_tokens:revoke", "manager", lambda w: {"token_id": w.api_token.pk}, {}),
    ("admin:quizzes_cohort_add", "superuser", {}, {"name": "New", "slug": "new"}),
    ("admin:lessons_topic_add", "superuser", {}, {"title": "New", "slug": "new"}),
    ("admin:lessons_lesson_preview_unsaved", "educator", {}, {"body_markdown": "# Draft"}),
]


@pytest.fixture
def trust_world(world):
    """The hardening world with a signed-in client per persona and every endpoint's URL."""
    clients = {None: Client()}
    for persona in {p for _, p, _, _ in ENDPOINTS if p}:
        clients[persona] = signed_in(getattr(world, persona))
    world.clients = clients
    world.urls = [
        (name, persona, reverse(name, kwargs=kwargs(world) if callable(kwargs) else kwargs), form)
        for name, persona, kwargs, form in ENDPOINTS
    ]
    return world


STATE = counts(
    get_user_model(),
    CohortMembership,
    CohortInvitation,
    SignupConfirmation,
    AuditEvent,
    Attempt,
    AttemptAnswer,
    LessonCompletion,
    Certificate,
    Question,
    CpdEntry,
    ReviewLog,
    ReviewPreference,
)


def _state_with_revocations():
    return (
        STATE(),
        tuple(Certificate.objects.filter(revoked_at__isnull=False).values_list("pk")),
        tuple(Question.objects.filter(needs_review=True).values_list("pk")),
        tuple(CpdEntry.objects.values_list("pk", "title", "hours", "status")),
        tuple(Observation.objects.values_list("pk", "acknowledged_at")),
        tuple(WrittenAnswerMark.objects.values_list("pk")),
    )


def _refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def _send(world, index: int, body: bytes, content_type: str, *, query: str = ""):
    name, persona, url, _ = world.urls[index]
    client = world.clients[persona]
    cache.clear()  # rate limits are not what is tested here
    return client.generic("POST", url + query, body, content_type=content_type)


ENDPOINT = st.integers(min_value=0, max_value=len(ENDPOINTS) - 1)


def _plausible_pairs(world, index: int, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # Never an empty body: the test client sends no Content-Type without one.
    return [*world.urls[index][3].items(), ("note", "Bl\u00e9d l\u00e9g\u00e8rement"), *extra]


def test_forms_in_another_character_set_are_refused_whole(trust_world):
    name = "form in another character set"

    @FUZZ
    @given(
        index=ENDPOINT,
        charset=st.sampled_from(CHARSETS),
        extra=st.lists(st.tuples(TEXT, TEXT), max_size=4),
        percent_encoded=st.booleans(),
    )
    def case(index, charset, extra, percent_encoded):
        pairs = _plausible_pairs(trust_world, index, extra)
        codec = charset if charset not in ("", "x-nonsense") else "latin-1"
        if percent_encoded:
            body = urlencode(pairs, encoding=codec, errors="replace").encode("ascii")
        else:
            body = "&".join(f"{k}={v}" for k, v in pairs).encode(codec, "replace")
        content_type = f"application/x-www-form-urlencoded; charset={charset}"

        def send():
            return _send(trust_world, index, body, content_type)

        response = run_case(name, send, allowed={400}, state=_state_with_revocations)
        _refused(response, FORM_CHARSET_REFUSED)

    case()
    done(name)


def test_control_characters_in_form_fields_are_refused_whole(trust_world):
    name = "control character in a form field"

    @FUZZ
    @given(
        index=ENDPOINT,
        poisoned=st.one_of(
            st.tuples(with_control(TEXT), TEXT),  # in a name
            st.tuples(st.sampled_from(["email", "username", "name", "x"]), with_control(TEXT)),
        ),
        charset=st.sampled_from(["", "; charset=utf-8", "; charset=UTF-8"]),
    )
    def case(index, poisoned, charset):
        pairs = _plausible_pairs(trust_world, index, [poisoned])
        body = urlencode(pairs).encode("ascii")

        def send():
            return _send(trust_world, index, body, "application/x-www-form-urlencoded" + charset)

        response = run_case(name, send, allowed={400}, state=_state_with_revocations)
        _refused(response, CONTROL_CHARACTER_REFUSED)

    case()
    done(name)


def test_control_characters_in_the_query_or_path_are_refused(trust_world):
    name = "control character in the query or the path"

    @FUZZ
    @given(index=ENDPOINT, raw=with_control(TEXT), where=st.sampled_from(["query", "path"]))
    def case(index, raw, where):
        _, persona, url, form = trust_world.urls[index]
        body = urlencode(list(form.items())).encode("ascii")
        client = trust_world.clients[persona]

        def send():
            cache.clear()
            target = f"{url}?q={quote(raw)}" if where == "query" else f"{url}{quote(raw, safe='')}/"
            return client.generic(
                "POST", target, body, content_type="application/x-www-form-urlencoded"
            )

        response = run_case(name, send, allowed={400}, state=_state_with_revocations)
        _refused(response, CONTROL_CHARACTER_REFUSED)

    case()
    done(name)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/join/%00/",
        "/reports/join/abc%00def/",
        "/reports/invitations/%00/",
        "/reports/join/confirm/%00/",
        "/admin/quizzes/question/?kind__exact=%00",
        "/admin/quizzes/attempt/?status__exact=%00",
        "/admin/trainingsite/auditevent/?action__exact=%00",
        "/admin/quizzes/cohort/?q=%00",
    ],
)
def test_nul_bytes_in_the_links_probed_from_outside_answer_400(trust_world, path):
    response = trust_world.clients["superuser"].get(path)
    _refused(response, CONTROL_CHARACTER_REFUSED)
