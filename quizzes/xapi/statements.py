"""xAPI 1.0.3 statements as plain dicts: plain data in, a JSON-ready dict out (pure).

Each statement's id is a UUID5 of the event (its kind and the keys that name it), so the
same event always makes the same statement: a Learning Record Store keeps the first and
answers a redelivery with 204 or 409, never a second record. The keys are values no other
database hands out again (a certificate's random code, an attempt's uuid, a person's join
moment, the event's own moment to the microsecond), never a bare primary key: a fresh or
restored database reuses primary keys, and its new events must not take the old ids.

The actor is an account on the site (`homePage` the site's address, `name` an opaque id
derived from the person's key: their id and the moment they joined), never an e-mail address
or a person's name.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

XAPI_VERSION = "1.0.3"
# The namespace of every statement id and account name this site makes (fixed for ever:
# changing it would make every redelivery a new statement).
NAMESPACE = uuid.UUID("2f0c7a62-4d0e-5b7e-9c1a-6b1f0d3e8a45")

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
VERB_SCORED = "http://adlnet.gov/expapi/verbs/scored"
ACTIVITY_LESSON = "http://adlnet.gov/expapi/activities/lesson"
ACTIVITY_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
ACTIVITY_COURSE = "http://adlnet.gov/expapi/activities/course"
ACTIVITY_PERFORMANCE = "http://adlnet.gov/expapi/activities/performance"
LANGUAGE = "en-US"

# Site IRIs (under the site's own address) where no published vocabulary says it exactly.
VERB_CERTIFIED_PATH = "xapi/verbs/certified"
CHECKLIST_PATH = "xapi/activities/checklist/"
EXTENSION_PATH = "xapi/extensions/"

KIND_LESSON_COMPLETED = "lesson-completed"
KIND_ATTEMPT_GRADED = "attempt-graded"
KIND_CERTIFICATE_ISSUED = "certificate-issued"
KIND_OBSERVATION_SIGNED_OFF = "observation-signed-off"
NAIVE_MOMENT = "xAPI timestamps need a time zone."


def statement_id(homepage: str, kind: str, *keys: object) -> str:
    """The same event (site, kind and keys) gives the same id, on every machine, every time.

    The site's address is part of it, so two sites (a staging copy and production) sharing
    one LRS never claim each other's ids.
    """
    return str(uuid.uuid5(NAMESPACE, " ".join([homepage, kind, *(str(key) for key in keys)])))


def moment_key(moment: datetime) -> str:
    """The moment in UTC to the microsecond: one instant, one text, whatever its time zone."""
    if moment.tzinfo is None:
        raise ValueError(NAIVE_MOMENT)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def person_key(*, user_id: int, joined: datetime) -> str:
    """A person's key: their id with the moment they joined (`date_joined`).

    The id keeps it through a change of username; the join moment tells apart the people
    that another (fresh or restored) database gives the same id.
    """
    return f"{user_id}@{moment_key(joined)}"


def account_name(person: str) -> str:
    """A stable, opaque name for a person (`person_key`) in the LRS, never their e-mail."""
    return str(uuid.uuid5(NAMESPACE, f"user:{person}"))


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, as xAPI wants it: `PT1H2M3.5S`; never negative."""
    total = max(0.0, round(seconds, 2))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    if secs or text == "PT":
        text += f"{secs:.2f}".rstrip("0").rstrip(".") + "S"
    return text


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(NAIVE_MOMENT)
    return moment.isoformat()


def _agent(*, homepage: str, person: str) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": homepage, "name": account_name(person)},
    }


def _verb(verb_id: str, display: str) -> dict:
    return {"id": verb_id, "display": {LANGUAGE: display}}


def _activity(*, iri: str, name: str, activity_type: str) -> dict:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"name": {LANGUAGE: name}, "type": activity_type},
    }


def _context(*, homepage: str, extensions: dict | None = None, **more) -> dict:
    context = {"platform": homepage, "language": LANGUAGE, **more}
    if extensions:
        context["extensions"] = {
            f"{homepage}{EXTENSION_PATH}{key}": value for key, value in extensions.items()
        }
    return context


def _statement(*, sid: str, actor: dict, verb: dict, obj: dict, timestamp: datetime, **parts):
    return {
        "id": sid,
        "actor": actor,
        "verb": verb,
        "object": obj,
        "timestamp": _timestamp(timestamp),
        **parts,
        "version": XAPI_VERSION,
    }


def lesson_completed(
    *,
    homepage: str,
    person: str,
    lesson_slug: str,
    lesson_iri: str,
    lesson_title: str,
    completed_at: datetime,
) -> dict:
    """The trainee (`person_key`) completed (or re-read, after it changed) a lesson."""
    return _statement(
        sid=statement_id(
            homepage, KIND_LESSON_COMPLETED, person, lesson_slug, moment_key(completed_at)
        ),
        actor=_agent(homepage=homepage, person=person),
        verb=_verb(VERB_COMPLETED, "completed"),
        obj=_activity(iri=lesson_iri, name=lesson_title, activity_type=ACTIVITY_LESSON),
        timestamp=completed_at,
        result={"completion": True},
        context=_context(homepage=homepage),
    )


def attempt_submitted(
    *,
    homepage: str,
    person: str,
    attempt_uuid: str,
    quiz_iri: str,
    quiz_title: str,
    started_at: datetime,
    submitted_at: datetime,
    points: float | None,
    max_points: float | None,
    passed: bool | None,
) -> dict:
    """A graded attempt was scored: passed, failed, or scored where the quiz has no pass."""
    if passed is None:
        verb = _verb(VERB_SCORED, "scored")
    else:
        verb = _verb(VERB_PASSED, "passed") if passed else _verb(VERB_FAILED, "failed")
    result: dict = {
        "completion": True,
        "duration": iso_duration((submitted_at - started_at).total_seconds()),
    }
    if points is not None and max_points:
        raw = min(max(points, 0.0), max_points)
        result["score"] = {
            "scaled": round(raw / max_points, 4),
            "raw": raw,
            "min": 0,
            "max": max_points,
        }
    if passed is not None:
        result["success"] = passed
    return _statement(
        # A regrade that turns a fail into a pass is a new event, with its own id.
        sid=statement_id(homepage, KIND_ATTEMPT_GRADED, attempt_uuid, passed),
        actor=_agent(homepage=homepage, person=person),
        verb=verb,
        obj=_activity(iri=quiz_iri, name=quiz_title, activity_type=ACTIVITY_ASSESSMENT),
        timestamp=submitted_at,
        result=result,
        # One attempt is one registration: its statements group under the attempt's id.
        context=_context(homepage=homepage, registration=attempt_uuid),
    )


def certificate_issued(
    *,
    homepage: str,
    person: str,
    certificate_code: str,
    program_iri: str,
    program_name: str,
    verify_iri: str,
    issued_at: datetime,
    expires_at: datetime | None,
) -> dict:
    """A certificate of a program was issued to the trainee (verb: the site's `certified`)."""
    extensions = {"certificate": verify_iri}
    if expires_at is not None:
        extensions["expires"] = _timestamp(expires_at)
    return _statement(
        # The code is random and unique: no other certificate, in any database, has it.
        sid=statement_id(homepage, KIND_CERTIFICATE_ISSUED, certificate_code),
        actor=_agent(homepage=homepage, person=person),
        verb=_verb(f"{homepage}{VERB_CERTIFIED_PATH}", "certified"),
        obj=_activity(iri=program_iri, name=program_name, activity_type=ACTIVITY_COURSE),
        timestamp=issued_at,
        result={"completion": True, "success": True},
        context=_context(homepage=homepage, extensions=extensions),
    )


def observation_signed_off(
    *,
    homepage: str,
    person: str,
    observation_id: int,
    recorded_at: datetime,
    checklist_slug: str,
    checklist_title: str,
    assessor: str,
    observed_on: date,
    setting: str,
    acknowledged_at: datetime,
) -> dict:
    """An assessor found the trainee competent at a checklist, and the trainee acknowledged it."""
    return _statement(
        # Its id with the moment it was recorded and the trainee's key: another database's
        # observation of the same id was recorded at another moment, of another person.
        sid=statement_id(
            homepage,
            KIND_OBSERVATION_SIGNED_OFF,
            observation_id,
            moment_key(recorded_at),
            person,
        ),
        actor=_agent(homepage=homepage, person=person),
        verb=_verb(VERB_PASSED, "passed"),
        obj=_activity(
            iri=f"{homepage}{CHECKLIST_PATH}{checklist_slug}",
            name=checklist_title,
            activity_type=ACTIVITY_PERFORMANCE,
        ),
        timestamp=acknowledged_at,
        result={"completion": True, "success": True},
        context=_context(
            homepage=homepage,
            instructor=_agent(homepage=homepage, person=assessor),
            extensions={"observed-on": observed_on.isoformat(), "setting": setting},
        ),
    )
