"""The statement builders (pure: no django_db mark, so a query would fail them)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from quizzes.xapi import statements

HOME = "https://training.example.org/"
AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
JOINED = datetime(2025, 1, 2, 8, 0, 0, 123456, tzinfo=UTC)
# A fresh database's person 7 joined at another moment: another person.
PERSON = statements.person_key(user_id=7, joined=JOINED)
OTHER_DATABASE_PERSON = statements.person_key(user_id=7, joined=JOINED + timedelta(days=300))
ASSESSOR = statements.person_key(user_id=9, joined=JOINED)


def _attempt(**overrides):
    fields = {
        "homepage": HOME,
        "person": PERSON,
        "attempt_uuid": "0b8f6a52-5f33-4f0e-9d55-3c1a7d6b2e10",
        "quiz_iri": f"{HOME}quizzes/final/",
        "quiz_title": "Final",
        "started_at": AT,
        "submitted_at": AT + timedelta(minutes=12, seconds=30),
        "points": 8.0,
        "max_points": 10.0,
        "passed": True,
    }
    return statements.attempt_submitted(**(fields | overrides))


def _lesson(**overrides):
    fields = {
        "homepage": HOME,
        "person": PERSON,
        "lesson_slug": "pressure",
        "lesson_iri": f"{HOME}lessons/pressure/",
        "lesson_title": "Pressure",
        "completed_at": AT,
    }
    return statements.lesson_completed(**(fields | overrides))


def _certificate(**overrides):
    fields = {
        "homepage": HOME,
        "person": PERSON,
        "certificate_code": "ABCDEFGH",
        "program_iri": f"{HOME}certificates/programs/foundation/",
        "program_name": "Foundation",
        "verify_iri": f"{HOME}certificates/verify/ABCD-EFGH/",
        "issued_at": AT,
        "expires_at": AT + timedelta(days=730),
    }
    return statements.certificate_issued(**(fields | overrides))


def _observation(**overrides):
    fields = {
        "homepage": HOME,
        "person": PERSON,
        "observation_id": 5,
        "recorded_at": AT - timedelta(days=1, microseconds=250),
        "checklist_slug": "bleeding-practice",
        "checklist_title": "Bleeding practice",
        "assessor": ASSESSOR,
        "observed_on": date(2026, 3, 3),
        "setting": "clinic",
        "acknowledged_at": AT,
    }
    return statements.observation_signed_off(**(fields | overrides))


def test_the_same_event_always_has_the_same_statement_id():
    assert _attempt()["id"] == _attempt()["id"]
    assert _lesson() == _lesson()
    assert _certificate()["id"] == _certificate(expires_at=None)["id"]


def test_statement_ids_differ_by_kind_key_and_site():
    ids = {
        statements.statement_id(HOME, "certificate-issued", 1),
        statements.statement_id(HOME, "certificate-issued", 2),
        statements.statement_id(HOME, "observation-signed-off", 1),
        statements.statement_id("https://staging.example.org/", "certificate-issued", 1),
    }
    assert len(ids) == 4


def test_another_databases_certificate_of_the_same_pk_has_another_statement_id():
    # The builder never sees the pk: only the certificate's random code names it.
    assert (
        _certificate(certificate_code="ABCDEFGH")["id"]
        != (_certificate(certificate_code="JKLMNPQR")["id"])
    )


def test_another_databases_observation_of_the_same_pk_has_another_statement_id():
    here = _observation()
    assert _observation()["id"] == here["id"]
    recorded_later = _observation(recorded_at=AT + timedelta(days=40))
    of_another_person = _observation(person=OTHER_DATABASE_PERSON)
    assert len({here["id"], recorded_later["id"], of_another_person["id"]}) == 3


def test_the_same_lesson_completion_keeps_its_id_and_another_persons_differs():
    assert _lesson()["id"] == _lesson()["id"]
    assert _lesson(person=OTHER_DATABASE_PERSON)["id"] != _lesson()["id"]
    assert _lesson(lesson_slug="packing")["id"] != _lesson()["id"]


def test_the_same_moment_in_another_time_zone_is_the_same_key():
    paris = timezone(timedelta(hours=1))
    assert statements.moment_key(AT.astimezone(paris)) == "2026-03-04T10:30:00.000000+00:00"
    assert _lesson(completed_at=AT.astimezone(paris))["id"] == _lesson()["id"]


def test_a_regrade_to_a_pass_is_a_new_statement():
    assert _attempt(passed=False)["id"] != _attempt(passed=True)["id"]


def test_the_actor_is_an_opaque_account_on_the_site():
    actor = _lesson()["actor"]
    assert actor == {
        "objectType": "Agent",
        "account": {"homePage": HOME, "name": statements.account_name(PERSON)},
    }
    name = statements.account_name(PERSON)
    assert PERSON == "7@2025-01-02T08:00:00.123456+00:00"
    assert name == statements.account_name(statements.person_key(user_id=7, joined=JOINED))
    assert name != statements.account_name(statements.person_key(user_id=8, joined=JOINED))
    assert "7" not in name.split("-") and "@" not in name and "2025" not in name
    assert "mbox" not in actor and "name" not in actor


def test_another_databases_person_of_the_same_id_is_another_account():
    assert statements.account_name(PERSON) != statements.account_name(OTHER_DATABASE_PERSON)
    assert _lesson()["actor"] != _lesson(person=OTHER_DATABASE_PERSON)["actor"]


def test_lesson_completed_statement():
    statement = _lesson()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"] == {
        "objectType": "Activity",
        "id": f"{HOME}lessons/pressure/",
        "definition": {
            "name": {"en-US": "Pressure"},
            "type": "http://adlnet.gov/expapi/activities/lesson",
        },
    }
    assert statement["result"] == {"completion": True}
    assert statement["timestamp"] == "2026-03-04T10:30:00+00:00"
    assert statement["version"] == "1.0.3"


def test_a_reread_is_another_completion_statement():
    assert _lesson()["id"] != _lesson(completed_at=AT + timedelta(days=90))["id"]


@pytest.mark.parametrize(
    ("passed", "verb"),
    [
        (True, "http://adlnet.gov/expapi/verbs/passed"),
        (False, "http://adlnet.gov/expapi/verbs/failed"),
        (None, "http://adlnet.gov/expapi/verbs/scored"),
    ],
)
def test_attempt_verb_follows_the_outcome(passed, verb):
    statement = _attempt(passed=passed)
    assert statement["verb"]["id"] == verb
    assert ("success" in statement["result"]) is (passed is not None)


def test_attempt_result_has_score_success_completion_and_duration():
    statement = _attempt()
    assert statement["result"] == {
        "completion": True,
        "duration": "PT12M30S",
        "score": {"scaled": 0.8, "raw": 8.0, "min": 0, "max": 10.0},
        "success": True,
    }
    assert statement["timestamp"] == "2026-03-04T10:42:30+00:00"
    assert statement["context"]["registration"] == "0b8f6a52-5f33-4f0e-9d55-3c1a7d6b2e10"
    assert statement["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment"
    )


def test_attempt_score_stays_inside_its_range_and_is_left_out_without_points():
    assert _attempt(points=12.0)["result"]["score"]["raw"] == 10.0
    assert _attempt(points=-1.0)["result"]["score"]["scaled"] == 0.0
    assert "score" not in _attempt(points=None)["result"]
    assert "score" not in _attempt(max_points=0.0)["result"]


def test_certificate_statement_uses_the_sites_certified_verb():
    statement = _certificate()
    assert statement["verb"] == {
        "id": f"{HOME}xapi/verbs/certified",
        "display": {"en-US": "certified"},
    }
    assert statement["object"]["id"] == f"{HOME}certificates/programs/foundation/"
    assert statement["result"] == {"completion": True, "success": True}
    assert statement["context"]["extensions"] == {
        f"{HOME}xapi/extensions/certificate": f"{HOME}certificates/verify/ABCD-EFGH/",
        f"{HOME}xapi/extensions/expires": "2028-03-03T10:30:00+00:00",
    }
    no_expiry = _certificate(expires_at=None)["context"]["extensions"]
    assert list(no_expiry) == [f"{HOME}xapi/extensions/certificate"]


def test_observation_statement_names_the_checklist_and_the_assessor():
    statement = _observation()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert statement["object"]["id"] == f"{HOME}xapi/activities/checklist/bleeding-practice"
    assert statement["context"]["instructor"]["account"]["name"] == (
        statements.account_name(ASSESSOR)
    )
    assert statement["context"]["extensions"] == {
        f"{HOME}xapi/extensions/observed-on": "2026-03-03",
        f"{HOME}xapi/extensions/setting": "clinic",
    }


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "PT0S"),
        (5, "PT5S"),
        (65.5, "PT1M5.5S"),
        (3600, "PT1H"),
        (3723.25, "PT1H2M3.25S"),
        (-3, "PT0S"),
    ],
)
def test_iso_duration(seconds, text):
    assert statements.iso_duration(seconds) == text


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        _lesson(completed_at=datetime(2026, 3, 4, 10, 30))
    with pytest.raises(ValueError, match="time zone"):
        statements.person_key(user_id=7, joined=datetime(2025, 1, 2, 8, 0))
