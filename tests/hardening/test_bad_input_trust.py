"""Bad input, generated, for the endpoints that decide who reaches a trainee: adding people
(which now invites existing accounts), invitations, join codes and the confirmation of a
join-code sign-up. Each runs at least MIN_CASES generated cases (helpers and counting
from test_bad_input); besides "no 5xx, a message, all or nothing", each checks the rule
the endpoint exists for.
"""

from __future__ import annotations

import json
from decimal import Decimal
from http.cookies import SimpleCookie

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes.credentials.selectors import credential_envelope
from quizzes.models import (
    Attestation,
    Certificate,
    Cohort,
    CohortInvitation,
    CohortMembership,
    CpdEntry,
    Credential,
    Observation,
    ObservationEvidence,
    ObservationResult,
    Question,
    SignupConfirmation,
    WrittenAnswerMark,
)
from tests.hardening.test_bad_input import (
    FUZZ,
    NASTY,
    OVERSIZED,
    SLUGISH,
    _path,
    counts,
    done,
    form,
    keep_cookies,
    or_valid,
    post_form,
    rolled_back,
    run_case,
    signed_in,
    values,
)
from trainingsite.models import AuditEvent

PK_ISH = st.one_of(st.integers(min_value=-5, max_value=10**12).map(str), SLUGISH)


def _delta(after: tuple, before: tuple) -> tuple:
    return tuple(a - b for a, b in zip(after, before, strict=True))


def test_add_person_never_brings_an_existing_account_into_the_cohort(world):
    """Finding 1: typing another cohort's trainee, or staff, never makes them a member."""
    client = signed_in(world.manager)
    restore = keep_cookies(client)
    url = reverse("cohorts:add", kwargs={"slug": world.cohort_a.slug})
    users = get_user_model()
    state = counts(users, CohortMembership, CohortInvitation, AuditEvent)
    existing = [world.other_trainee.email, world.educator.email, world.other_manager.email]
    fields = {
        "email": values(*existing, "new.person@example.com", world.trainee.email, "bad@"),
        "first_name": values("New"),
        "last_name": values("Person"),
    }
    valid = {
        "email": st.sampled_from([*existing, "new.person@example.com"]),
        "first_name": st.just("New"),
        "last_name": st.just("Person"),
    }
    outsiders = [world.other_trainee.pk, world.educator.pk, world.other_manager.pk]

    @FUZZ
    @given(pairs=or_valid(valid, form(fields)))
    def case(pairs):
        restore()
        mail.outbox = []
        with rolled_back():
            before = state()
            run_case(
                "cohort add person",
                lambda: post_form(client, url, pairs),
                allowed={302, 400},
                state=state,
                rollback=False,
            )
            assert not CohortMembership.objects.filter(
                cohort=world.cohort_a, user_id__in=outsiders
            ).exists()
            users_made, members_made, invited, _ = _delta(state(), before)
            assert members_made == users_made  # only a new account joins at once
            assert invited <= 1 and users_made <= 1

    case()
    done("cohort add person")


def _fuzz_invitation_answer(world, name: str, action: str):
    """The invitee's accept or decline: a real, someone else's or junk id, noise fields."""
    invitee = signed_in(world.other_trainee)
    outsider = signed_in(world.trainee)
    restores = {"invitee": keep_cookies(invitee), "outsider": keep_cookies(outsider)}
    clients = {"invitee": invitee, "outsider": outsider}
    state = counts(CohortMembership, CohortInvitation, AuditEvent)

    @FUZZ
    @given(
        who=st.sampled_from(["invitee", "invitee", "outsider"]),
        pk=st.one_of(st.just(str(world.invitation.pk)), PK_ISH),
        pairs=form({"next": values("/me/", "//evil.example"), "answer": values("yes")}),
    )
    def case(who, pk, pairs):
        restores[who]()
        url = _path("/reports/invitations/", pk, f"/{action}/")
        with rolled_back():
            response = run_case(
                name,
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 404},
                state=state,
                rollback=False,
            )
            joined = CohortMembership.objects.filter(
                cohort=world.cohort_a, user=world.other_trainee
            ).exists()
            accepted = response.status_code == 302 and action == "accept" and who == "invitee"
            assert joined == accepted
            if response.status_code == 302:
                assert response["Location"] == reverse("trainee_home")
            if who == "outsider":
                assert response.status_code in {400, 404}  # 400: the hygiene refusal

    case()
    done(name)


def test_invitation_accept(world):
    _fuzz_invitation_answer(world, "invitation accept", "accept")


def test_invitation_decline(world):
    _fuzz_invitation_answer(world, "invitation decline", "decline")


def test_invitation_link(world):
    client = signed_in(world.other_trainee)
    restore = keep_cookies(client)

    @FUZZ
    @given(token=st.one_of(st.just(world.invitation_token), SLUGISH, OVERSIZED, NASTY))
    def case(token):
        restore()
        url = _path("/reports/invitations/", token, "/")
        response = run_case(
            "invitation link", lambda: client.get(url), allowed={200, 404}, state=None
        )
        assert (response.status_code == 200) == (token == world.invitation_token)

    case()
    done("invitation link")


def test_invitation_withdraw(world):
    clients = {"manager": signed_in(world.manager), "other": signed_in(world.other_manager)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}
    state = counts(CohortMembership, CohortInvitation, AuditEvent)

    @FUZZ
    @given(
        who=st.sampled_from(["manager", "manager", "other"]),
        slug=st.one_of(st.sampled_from([world.cohort_a.slug, world.cohort_b.slug]), SLUGISH),
        pk=st.one_of(st.just(str(world.invitation.pk)), PK_ISH),
        pairs=form({"reason": values()}),
    )
    def case(who, slug, pk, pairs):
        restores[who]()
        url = _path("/reports/cohorts/", slug, "/invitations/") + _path("", pk, "/withdraw/")
        with rolled_back():
            response = run_case(
                "invitation withdraw",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 404},
                state=state,
                rollback=False,
            )
            status = CohortInvitation.objects.get(pk=world.invitation.pk).status
            withdrawn = status == CohortInvitation.Status.WITHDRAWN
            assert withdrawn == (response.status_code == 302)
            if who == "other":
                assert not withdrawn

    case()
    done("invitation withdraw")


def _join_code(world) -> str | None:
    return Cohort.objects.values_list("join_code", flat=True).get(pk=world.cohort_a.pk)


def _fuzz_join_code_change(world, name: str, action: str):
    clients = {
        "manager": signed_in(world.manager),
        "other": signed_in(world.other_manager),
        "trainee": signed_in(world.trainee),
    }
    restores = {k: keep_cookies(c) for k, c in clients.items()}

    @FUZZ
    @given(
        who=st.sampled_from(["manager", "manager", "other", "trainee"]),
        slug=st.one_of(st.just(world.cohort_a.slug), SLUGISH),
        pairs=form({"join_code": values("AAAA-BBBB-CCCC-DDDD"), "confirm": values("1")}),
    )
    def case(who, slug, pairs):
        restores[who]()
        url = _path("/reports/cohorts/", slug, f"/join-code/{action}/")
        before = world.cohort_a.join_code
        with rolled_back():
            response = run_case(
                name,
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 403, 404},
                state=lambda: (
                    world.cohort_a.__class__.objects.get(pk=world.cohort_a.pk).join_code,
                ),
                rollback=False,
            )
            code = _join_code(world)
            if response.status_code == 302:
                assert who == "manager"
                # A new code never comes from the form; switched off means no code.
                assert code != before
                assert (code is None) == (action == "off")
                assert code is None or code not in {v for _, v in pairs}
            else:
                assert code == before

    case()
    done(name)


def test_join_code_new(world):
    _fuzz_join_code_change(world, "join code new", "new")


def test_join_code_off(world):
    _fuzz_join_code_change(world, "join code off", "off")


def test_signup_confirm(world):
    client = Client()

    def confirmed() -> bool:
        return SignupConfirmation.objects.filter(
            user=world.joiner, confirmed_at__isnull=False
        ).exists()

    @FUZZ
    @given(
        token=st.one_of(st.just(world.confirm_token), SLUGISH, OVERSIZED.map(lambda s: s[:400])),
        method=st.sampled_from(["get", "post"]),
        pairs=form({"confirm": values("1")}),
    )
    def case(token, method, pairs):
        client.cookies = SimpleCookie()
        cache.clear()
        url = _path("/reports/join/confirm/", token, "/")
        with rolled_back():
            response = run_case(
                "sign-up confirmation",
                lambda: post_form(client, url, pairs) if method == "post" else client.get(url),
                allowed={200, 302, 404},
                state=None,
                rollback=False,
            )
            real = token == world.confirm_token
            assert confirmed() == (real and method == "post" and response.status_code == 302)
            if not real:
                assert response.status_code in {400, 404}
        assert not confirmed()

    case()
    done("sign-up confirmation")


def test_signup_confirm_resend(world):
    client = signed_in(world.joiner)
    restore = keep_cookies(client)
    url = reverse("cohorts:signup_confirm_resend")

    @FUZZ
    @given(pairs=form({"email": values(world.joiner.email, "someone.else@example.com")}))
    def case(pairs):
        restore()
        cache.clear()
        mail.outbox = []
        with rolled_back():
            response = run_case(
                "sign-up confirmation resend",
                lambda: post_form(client, url, pairs),
                allowed={302},
                state=None,
                rollback=False,
            )
            if response.status_code == 302:
                assert response["Location"] == reverse("trainee_home")
        # Only ever to the account's own address, whatever the form says.
        assert all(m.to == [world.joiner.email] for m in mail.outbox)
        assert len(mail.outbox) <= 1

    case()
    done("sign-up confirmation resend")


def test_question_review(world):
    """An educator's hold on a question: only 0 or 1 changes it, only in the quiz's pool."""
    client = signed_in(world.educator)
    restore = keep_cookies(client)
    question = world.quiz.questions.order_by("pk").first()
    other = world.draft_quiz.questions.order_by("pk").first()

    def held() -> bool:
        return Question.objects.values_list("needs_review", flat=True).get(pk=question.pk)

    @FUZZ
    @given(
        question_pk=st.one_of(st.sampled_from([str(question.pk), str(other.pk)]), PK_ISH),
        pairs=or_valid(
            {"needs_review": st.sampled_from(["0", "1"])},
            form({"needs_review": values("1", "0", "true", "yes")}),
        ),
    )
    def case(question_pk, pairs):
        restore()
        url = _path(f"/reports/quizzes/{world.quiz.pk}/questions/", question_pk, "/review/")
        with rolled_back():
            response = run_case(
                "question review",
                lambda: post_form(client, url, pairs),
                allowed={302, 400, 404},
                state=held,
                rollback=False,
            )
            if response.status_code == 302:
                assert question_pk == str(question.pk)
                assert held() == (dict(pairs).get("needs_review") == "1")
            assert not Question.objects.filter(pk=other.pk, needs_review=True).exists()

    case()
    done("question review")


def _credential_texts(jwt: str) -> st.SearchStrategy[str]:
    """A credential as pasted: the real one, spoiled, forged, or anything at all."""
    header, payload, signature = jwt.split(".")
    envelope = json.dumps(credential_envelope(jwt))
    return st.one_of(
        st.sampled_from(
            [
                jwt,
                f"  {jwt}\n",
                envelope,
                f"{header}.{payload}.",
                f"{header}.{payload[:-4]}AAAA.{signature}",
                "eyJhbGciOiJub25lIiwidHlwIjoidmMrand0In0.e30.",
                "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
                '{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,x.y.z"}',
                '{"a": ' + "9" * 5000 + "}",
                '{"a": 1e999}',
                "[" * 5000,
                "{" * 5000,
            ]
        ),
        values(),
        st.text(max_size=300),
        st.integers(min_value=60_000, max_value=70_000).map(lambda n: "x" * n),
    )


def test_credential_verification(world):
    """A pasted or uploaded credential: a verdict or a 400 with the reason, and no write."""
    client = Client()
    jwt = world.certificate.credential.jwt
    url = reverse("certificates:verify_form")
    state = counts(Certificate, Credential, AuditEvent)
    texts = _credential_texts(jwt)

    @FUZZ
    @given(
        pairs=form({"credential": texts}),
        upload=st.one_of(
            st.none(), st.binary(max_size=300), texts.map(lambda s: s.encode("utf-8"))
        ),
    )
    def case(pairs, upload):
        cache.clear()  # the verification limit is not under test here
        data: dict = {}
        for key, value in pairs:
            data.setdefault(key, []).append(value)
        if upload is not None:
            data["file"] = SimpleUploadedFile("credential.jwt", upload, "application/vc+jwt")
        response = run_case(
            "credential verification",
            lambda: client.post(url, data),
            allowed={200, 400},
            state=state,
        )
        body = response.content.decode()
        if response.status_code == 200:
            assert 'data-testid="verdict"' in body
        if "<strong>Valid.</strong>" in body:
            sent = [v for k, v in pairs if k == "credential"]
            sent.append(upload.decode("utf-8", "replace") if upload else "")
            assert any(jwt in text for text in sent)

    case()
    done("credential verification")


# --- CPD entries ----------------------------------------------------------------------------

CPD_VALID = {
    "title": st.just("Haemostasis refresher"),
    "provider": st.just("Another academy"),
    "completed_on": st.sampled_from(["2026-01-15", "2025-11-30"]),
    "hours": st.sampled_from(["0.5", "2", "12.5", "100"]),
}
CPD_FIELDS = {
    "title": values("Workshop"),
    "provider": values("Academy"),
    "completed_on": values("2026-01-15", "2999-01-01", "2026-02-30", "15/01/2026"),
    "hours": values("1.5", "0", "-1", "100.1", "1.55", "1e3", "NaN", "Infinity", "9" * 40),
    "evidence_clear": values("on"),
}
EVIDENCE_UPLOADS = st.one_of(
    st.none(),
    st.binary(max_size=200),
    st.just(b"%PDF-1.4\n%%EOF\n"),
    st.just(b"\x89PNG\r\n\x1a\nnot really a png"),
    st.just(b"<svg onload=alert(1)>"),
)


def _cpd_entry_state():
    return tuple(CpdEntry.objects.order_by("pk").values_list("pk", "user_id", "title", "hours"))


def _multipart(pairs, upload, name: str) -> dict:
    data: dict = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    if upload is not None:
        data["evidence"] = SimpleUploadedFile(name, upload, "application/pdf")
    return data


def test_cpd_entry_add(world):
    """A new entry: saved whole with hours in range and a checked file, or a 400 and nothing."""
    client = signed_in(world.trainee)
    restore = keep_cookies(client)
    url = reverse("cpd:add")
    state = counts(CpdEntry, AuditEvent)

    @FUZZ
    @given(
        pairs=or_valid(CPD_VALID, form(CPD_FIELDS)),
        upload=EVIDENCE_UPLOADS,
        name=st.sampled_from(["a.pdf", "../../etc/passwd", "x.exe", "é" * 300]),
    )
    def case(pairs, upload, name):
        restore()
        with rolled_back():
            before = set(CpdEntry.objects.values_list("pk", flat=True))
            response = run_case(
                "cpd entry add",
                lambda: client.post(url, _multipart(pairs, upload, name)),
                allowed={302, 400},
                state=state,
                rollback=False,
            )
            made = CpdEntry.objects.exclude(pk__in=before)
            assert made.count() == (1 if response.status_code == 302 else 0)
            for entry in made:
                assert entry.user_id == world.trainee.pk
                assert Decimal("0.1") <= entry.hours <= Decimal("100")
                if entry.evidence:
                    assert entry.evidence_kind in {"pdf", "png", "jpeg"}
                    assert (
                        entry.evidence.name.startswith("cpd/") and ".." not in entry.evidence.name
                    )

    case()
    done("cpd entry add")


def test_cpd_entry_edit(world):
    """Only the owner changes an entry; anyone else, or any other id, is a 404 and no change."""
    clients = {"owner": signed_in(world.trainee), "other": signed_in(world.other_trainee)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}

    @FUZZ
    @given(
        who=st.sampled_from(["owner", "owner", "other"]),
        pk=st.one_of(st.just(str(world.cpd_entry.pk)), PK_ISH),
        pairs=or_valid(CPD_VALID, form(CPD_FIELDS)),
    )
    def case(who, pk, pairs):
        restores[who]()
        url = _path("/certificates/cpd/entries/", pk, "/edit/")
        with rolled_back():
            before = _cpd_entry_state()
            response = run_case(
                "cpd entry edit",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 400, 404},
                state=_cpd_entry_state,
                rollback=False,
            )
            if who == "other" or pk != str(world.cpd_entry.pk):
                assert response.status_code in {400, 404}
                assert _cpd_entry_state() == before

    case()
    done("cpd entry edit")


def test_cpd_entry_delete(world):
    """Only the owner deletes their entry; anything else is a 404 and the entry stays."""
    clients = {"owner": signed_in(world.trainee), "other": signed_in(world.other_trainee)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}

    @FUZZ
    @given(
        who=st.sampled_from(["owner", "other", "other"]),
        pk=st.one_of(st.just(str(world.cpd_entry.pk)), PK_ISH),
        pairs=form({"confirm": values("1")}),
    )
    def case(who, pk, pairs):
        restores[who]()
        url = _path("/certificates/cpd/entries/", pk, "/delete/")
        with rolled_back():
            response = run_case(
                "cpd entry delete",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 404},
                state=_cpd_entry_state,
                rollback=False,
            )
            gone = not CpdEntry.objects.filter(pk=world.cpd_entry.pk).exists()
            assert gone == (response.status_code == 302)
            if gone:
                assert who == "owner" and pk == str(world.cpd_entry.pk)

    case()
    done("cpd entry delete")


def test_cpd_entry_review(world, settings):
    """With approval on: only a manager in scope decides, only approve or reject, once."""
    settings.CPD_APPROVAL_REQUIRED = True
    CpdEntry.objects.filter(pk=world.cpd_entry.pk).update(status=CpdEntry.Status.PENDING)
    clients = {"manager": signed_in(world.manager), "other": signed_in(world.other_manager)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}
    state = counts(CpdEntry, AuditEvent)

    def status():
        return CpdEntry.objects.values_list("status", flat=True).get(pk=world.cpd_entry.pk)

    @FUZZ
    @given(
        who=st.sampled_from(["manager", "manager", "other"]),
        pk=st.one_of(st.just(str(world.cpd_entry.pk)), PK_ISH),
        pairs=or_valid(
            {"decision": st.sampled_from(["approve", "reject"])},
            form({"decision": values("approve", "reject", "APPROVE", "yes")}),
        ),
    )
    def case(who, pk, pairs):
        restores[who]()
        url = _path("/certificates/cpd/entries/", pk, "/review/")
        with rolled_back():
            before = state()
            run_case(
                "cpd entry review",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 400, 404},
                state=state,
                rollback=False,
            )
            decided = status() != CpdEntry.Status.PENDING
            if decided:
                assert who == "manager" and pk == str(world.cpd_entry.pk)
                assert (
                    status()
                    == {"approve": "approved", "reject": "rejected"}[dict(pairs)["decision"]]
                )
                assert _delta(state(), before) == (0, 1)  # one audit event
            else:
                assert state() == before

    case()
    done("cpd entry review")


# --- Observed practice ------------------------------------------------------------------------


def _observation_fields(world) -> tuple[dict, dict]:
    fields = {
        "observed_on": values("2026-11-03", "2999-01-01", "03/11/2026"),
        "setting": values("clinic", "simulation", "other", "home"),
        "outcome": values("competent", "not_yet", "maybe"),
        "feedback": values("Calm and thorough."),
        "supersedes": values(str(world.observation.pk), "0", "abc", str(10**12)),
    }
    valid = {
        "observed_on": st.sampled_from(["2026-11-03", "2026-10-01"]),
        "setting": st.sampled_from(["clinic", "simulation"]),
        "outcome": st.sampled_from(["competent", "not_yet"]),
    }
    for criterion in world.checklist.criteria.all():
        fields[f"met_{criterion.pk}"] = values("met", "not_yet")
        fields[f"note_{criterion.pk}"] = values("Good pressure.")
        valid[f"met_{criterion.pk}"] = st.sampled_from(["met", "met", "not_yet"])
    return fields, valid


def test_observation_record(world):
    """An observation: saved whole by the cohort's assessor by the rules, else 400/404."""
    clients = {"assessor": signed_in(world.assessor), "other": signed_in(world.other_assessor)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}
    fields, valid = _observation_fields(world)
    state = counts(Observation, ObservationResult, ObservationEvidence, AuditEvent)
    criteria = world.checklist.criteria.count()

    @FUZZ
    @given(
        who=st.sampled_from(["assessor", "assessor", "assessor", "other"]),
        trainee_id=st.one_of(
            st.just(str(world.trainee.pk)),
            st.just(str(world.trainee.pk)),
            st.just(str(world.assessor.pk)),
            PK_ISH,
        ),
        pairs=or_valid(valid, form(fields)),
        upload=EVIDENCE_UPLOADS,
        name=st.sampled_from(["a.pdf", "../../etc/passwd", "x.exe", "é" * 300]),
    )
    def case(who, trainee_id, pairs, upload, name):
        restores[who]()
        url = _path(
            "/assessment/trainees/", trainee_id, f"/checklists/{world.checklist.slug}/observe/"
        )
        with rolled_back():
            before = set(Observation.objects.values_list("pk", flat=True))
            response = run_case(
                "observation record",
                lambda: clients[who].post(url, _multipart(pairs, upload, name)),
                allowed={302, 400, 404},
                state=state,
                rollback=False,
            )
            made = Observation.objects.exclude(pk__in=before)
            assert made.count() == (1 if response.status_code == 302 else 0)
            for observation in made:
                assert who == "assessor" and trainee_id == str(world.trainee.pk)
                assert observation.assessor_id == world.assessor.pk
                assert observation.trainee_id == world.trainee.pk
                results = list(observation.results.all())
                assert len(results) == criteria
                if observation.outcome == Observation.Outcome.COMPETENT:
                    assert all(r.met for r in results if r.critical)
                for item in observation.evidence.all():
                    assert item.kind in {"pdf", "png", "jpeg"}
                    assert item.file.name.startswith("observations/") and ".." not in item.file.name

    case()
    done("observation record")


def test_observation_acknowledge(world):
    """Only the observed trainee acknowledges, once; anyone else or any other id is a 404."""
    clients = {"trainee": signed_in(world.trainee), "other": signed_in(world.other_trainee)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}
    state = counts(AuditEvent, Certificate)

    def acknowledged():
        return Observation.objects.values_list("acknowledged_at", flat=True).get(
            pk=world.observation.pk
        )

    @FUZZ
    @given(
        who=st.sampled_from(["trainee", "trainee", "other"]),
        pk=st.one_of(st.just(str(world.observation.pk)), PK_ISH),
        pairs=form({"confirm": values("1")}),
    )
    def case(who, pk, pairs):
        restores[who]()
        url = _path("/assessment/observations/", pk, "/acknowledge/")
        with rolled_back():
            before = state()
            response = run_case(
                "observation acknowledge",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 404},
                state=state,
                rollback=False,
            )
            done_now = acknowledged() is not None
            assert done_now == (response.status_code == 302)
            if done_now:
                assert who == "trainee" and pk == str(world.observation.pk)
                assert _delta(state(), before)[0] == 1  # one audit event
            else:
                assert state() == before

    case()
    done("observation acknowledge")


def test_attestation_sign(world):
    """Each person signs only their own name, once (the other trainee has signed: 409), only on
    a statement a published program requires; anything else is refused and stores nothing."""
    clients = {"trainee": signed_in(world.trainee), "other": signed_in(world.other_trainee)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}
    names = {"trainee": "Tara Trainee", "other": "Otto Other"}
    state = counts(Attestation, AuditEvent, Certificate)
    slugs = [world.statement.slug, world.draft_statement.slug]
    valid = {"typed_name": st.sampled_from(list(names.values())), "confirm": st.just("on")}
    noise = form({"typed_name": values(*names.values()), "confirm": values("on", "")})

    @FUZZ
    @given(
        who=st.sampled_from(["trainee", "trainee", "other"]),
        slug=st.one_of(st.sampled_from(slugs), st.sampled_from(slugs), SLUGISH),
        pairs=or_valid(valid, noise),
    )
    def case(who, slug, pairs):
        restores[who]()
        url = _path("/attestations/", slug, "/")
        with rolled_back():
            before = state()
            response = run_case(
                "attestation sign",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 400, 404, 409},
                state=state,
                rollback=False,
            )
            signed = list(
                Attestation.objects.filter(statement=world.statement).exclude(
                    pk=world.attestation.pk
                )
            )
            assert bool(signed) == (response.status_code == 302)
            if signed:
                [attestation] = signed
                assert slug == world.statement.slug
                assert attestation.user == (
                    world.trainee if who == "trainee" else world.other_trainee
                )
                assert attestation.typed_name.casefold() == names[who].casefold()
                assert (attestation.version, attestation.text) == (1, world.statement.text)
                # One attestation, its audit event; the program needs nothing else, so
                # its certificate is issued (and audited) in the same transaction.
                assert _delta(state(), before) == (1, 2, 1)
            else:
                assert state() == before

    case()
    done("attestation sign")


# --- Hand marking -----------------------------------------------------------------------------


def test_written_answer_mark(world):
    """A mark: saved by the trainee's cohort's assessor with points 0..4 (two decimals at most),
    else 400 (bad points or feedback) or 404 (another assessor, any other id)."""
    clients = {"assessor": signed_in(world.assessor), "other": signed_in(world.other_assessor)}
    restores = {k: keep_cookies(c) for k, c in clients.items()}
    state = counts(WrittenAnswerMark, AuditEvent, Certificate)
    fields = {
        "points": values("0", "2.5", "4", "4.01", "-1", "1e3", "NaN", "Infinity", "0.001"),
        "feedback": values("Clear and safe."),
    }
    valid = {
        "points": st.sampled_from(["0", "1", "2.5", "4"]),
        "feedback": st.sampled_from(["", "Clear and safe."]),
    }

    @FUZZ
    @given(
        who=st.sampled_from(["assessor", "assessor", "other"]),
        pk=st.one_of(st.just(str(world.written_answer.pk)), PK_ISH),
        pairs=or_valid(valid, form(fields)),
    )
    def case(who, pk, pairs):
        restores[who]()
        url = _path("/assessment/marking/answers/", pk, "/")
        with rolled_back():
            before = state()
            response = run_case(
                "written answer mark",
                lambda: post_form(clients[who], url, pairs),
                allowed={302, 400, 404},
                state=state,
                rollback=False,
            )
            marks = WrittenAnswerMark.objects.filter(answer=world.written_answer)
            assert marks.count() == (1 if response.status_code == 302 else 0)
            for mark in marks:
                assert who == "assessor" and pk == str(world.written_answer.pk)
                assert 0 <= mark.points <= 4
                assert Decimal(str(mark.points)) == Decimal(str(mark.points)).quantize(
                    Decimal("0.01")
                )
                assert mark.marker_id == world.assessor.pk
            if response.status_code != 302:
                assert state() == before

    case()
    done("written answer mark")
