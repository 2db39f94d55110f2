"""Observed-practice pages, as each persona: the trainee, another trainee, the cohort's
assessor, another cohort's assessor, an educator, the trainee's manager, another manager,
a superuser."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.cpd.evidence import EVIDENCE_WRONG_TYPE
from quizzes.models import Observation
from quizzes.observations.forms import MET, NOT_MET
from quizzes.observations.rules import CRITICAL_NOT_MET
from quizzes.observations.services import (
    ALREADY_ACKNOWLEDGED,
    OBSERVED_IN_FUTURE,
    SELF_ASSESSMENT_REFUSED,
)
from quizzes.observations.views import (
    OBSERVATION_ACKNOWLEDGED,
    OBSERVATION_RECORDED,
    SUPERSEDES_INVALID,
)
from tests.builders import make_trainee
from tests.observations.conftest import PDF_BYTES, pdf_upload
from trainingsite.access import NOT_AN_ASSESSOR

pytestmark = pytest.mark.django_db

PERSONAS = (
    "trainee",
    "other_trainee",
    "assessor",
    "other_assessor",
    "educator",
    "manager",
    "other_manager",
    "superuser",
)


@pytest.fixture
def people(request, cohort, other_cohort):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _answers(people, url, method="get", data=None) -> dict:
    return {
        name: getattr(_client(user), method)(url, data or {}).status_code
        for name, user in people.items()
    }


@pytest.fixture
def observation(record, assessor, trainee, cohort):
    return record(assessor, trainee, evidence=[pdf_upload()], feedback="Steady hands.")


def _form(checklist, *, unmet=(), **overrides) -> dict:
    data = {
        "observed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "setting": Observation.Setting.SIMULATION,
        "outcome": Observation.Outcome.COMPETENT,
        "feedback": "Calm and thorough.",
    }
    for criterion in checklist.criteria.all():
        data[f"met_{criterion.pk}"] = NOT_MET if criterion.order in unmet else MET
        data[f"note_{criterion.pk}"] = ""
    data.update(overrides)
    return data


# --- Who may see what ------------------------------------------------------------------------


def test_home_is_for_assessors(people):
    assert _answers(people, reverse("observations:home")) == {
        "trainee": 403,
        "other_trainee": 403,
        "assessor": 200,
        "other_assessor": 200,
        "educator": 403,
        "manager": 403,
        "other_manager": 403,
        "superuser": 200,
    }


@pytest.mark.parametrize("name", ["observations:trainee", "observations:observe"])
def test_trainee_pages_are_for_the_cohorts_assessors(people, trainee, checklist, name):
    kwargs = {"trainee_id": trainee.pk}
    if name == "observations:observe":
        kwargs["slug"] = checklist.slug
    assert _answers(people, reverse(name, kwargs=kwargs)) == {
        "trainee": 403,
        "other_trainee": 403,
        "assessor": 200,
        "other_assessor": 404,
        "educator": 403,
        "manager": 403,
        "other_manager": 403,
        "superuser": 200,
    }


def test_a_manager_gets_the_assessor_message(people, trainee):
    response = _client(people["manager"]).get(reverse("observations:trainee", args=[trainee.pk]))
    assert response.status_code == 403 and NOT_AN_ASSESSOR in response.content.decode()


VIEWERS = {
    "trainee": 200,
    "other_trainee": 404,
    "assessor": 200,
    "other_assessor": 404,
    "educator": 404,
    "manager": 200,
    "other_manager": 404,
    "superuser": 200,
}


def test_detail_is_for_the_trainee_assessors_and_managers_in_scope(people, observation):
    assert _answers(people, reverse("observations:detail", args=[observation.pk])) == VIEWERS


def test_evidence_download_follows_the_same_scope(people, observation):
    item = observation.evidence.get()
    url = reverse("observations:evidence", args=[observation.pk, item.pk])
    assert _answers(people, url) == VIEWERS


def test_evidence_download_is_a_private_attachment(trainee, observation):
    item = observation.evidence.get()
    response = _client(trainee).get(
        reverse("observations:evidence", args=[observation.pk, item.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="photo consent.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_evidence_of_another_observation_is_404(record, trainee, assessor, observation):
    second = record(assessor, trainee)
    item = observation.evidence.get()
    url = reverse("observations:evidence", args=[second.pk, item.pk])
    assert _client(trainee).get(url).status_code == 404


def test_acknowledge_is_for_the_trainee_only(people, observation):
    url = reverse("observations:acknowledge", args=[observation.pk])
    others = {name: user for name, user in people.items() if name != "trainee"}
    assert set(_answers(others, url, "post").values()) == {404}
    observation.refresh_from_db()
    assert observation.acknowledged_at is None
    assert _client(people["trainee"]).get(url).status_code == 405


def test_mine_lists_only_the_users_own_newest_first(
    record, assessor, trainee, other_trainee, other_assessor, cohort, other_cohort
):
    older = record(assessor, trainee, observed_on=timezone.localdate() - timedelta(days=9))
    newer = record(assessor, trainee)
    record(other_assessor, other_trainee)
    response = _client(trainee).get(reverse("observations:mine"))
    assert response.status_code == 200
    assert [o.pk for o in response.context["observations"]] == [newer.pk, older.pk]
    assert (
        _client(other_trainee).get(reverse("observations:mine")).context["observations"][0].trainee
        == other_trainee
    )


# --- Recording -------------------------------------------------------------------------------


def test_assessor_records_an_observation_with_evidence(assessor, trainee, cohort, checklist):
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    page = _client(assessor).get(url)
    assert "Watch for it." in page.content.decode()  # the guidance is shown
    data = _form(checklist, evidence=[pdf_upload("letter.pdf")])
    response = _client(assessor).post(url, data, follow=True)
    observation = Observation.objects.get()
    assert response.redirect_chain == [(reverse("observations:detail", args=[observation.pk]), 302)]
    assert OBSERVATION_RECORDED in response.content.decode()
    assert (observation.outcome, observation.setting) == ("competent", "simulation")
    assert observation.evidence.get().original_name == "letter.pdf"


def test_competent_with_a_critical_criterion_unmet_is_a_400_with_the_message(
    assessor, trainee, cohort, checklist
):
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    response = _client(assessor).post(url, _form(checklist, unmet=(0,)))
    assert response.status_code == 400
    message = CRITICAL_NOT_MET.format(criterion="Criterion 1 of bleeding-practice")
    assert message in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert Observation.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"observed_on": "2999-01-01"}, OBSERVED_IN_FUTURE),
        ({"evidence": "fake"}, None),
    ],
)
def test_bad_fields_are_400(assessor, trainee, cohort, checklist, overrides, message):
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    response = _client(assessor).post(url, _form(checklist, **overrides))
    if message:
        assert response.status_code == 400 and message in response.content.decode()
    else:
        assert response.status_code in (302, 400)


def test_wrong_evidence_type_is_a_400_with_the_message(assessor, trainee, cohort, checklist):
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    data = _form(checklist, evidence=[pdf_upload(content=b"<html>not a pdf</html>")])
    response = _client(assessor).post(url, data)
    assert response.status_code == 400
    assert EVIDENCE_WRONG_TYPE in response.content.decode()


def test_an_assessor_cannot_open_their_own_record(assessor, cohort, checklist):
    cohort.memberships.create(user=assessor)
    url = reverse("observations:observe", args=[assessor.pk, checklist.slug])
    assert _client(assessor).post(url, _form(checklist)).status_code == 404
    assert Observation.objects.count() == 0
    assert SELF_ASSESSMENT_REFUSED  # the service's refusal is tested in test_services


def test_a_correction_supersedes_from_the_query_string(assessor, trainee, observation, checklist):
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    page = _client(assessor).get(url, {"supersedes": observation.pk})
    assert page.status_code == 200 and page.context["corrected"] == observation
    data = _form(checklist, supersedes=str(observation.pk))
    _client(assessor).post(url, data)
    observation.refresh_from_db()
    assert observation.superseded_by.trainee == trainee
    detail = _client(trainee).get(reverse("observations:detail", args=[observation.pk]))
    assert 'data-testid="superseded"' in detail.content.decode()


@pytest.mark.parametrize("value", ["abc", "0", str(2**40)])
def test_a_junk_supersedes_is_400(assessor, trainee, cohort, checklist, value):
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    response = _client(assessor).get(url, {"supersedes": value})
    assert response.status_code == 400 and SUPERSEDES_INVALID in response.content.decode()


def test_a_supersedes_of_another_trainee_is_404(record, assessor, trainee, cohort, checklist):
    someone = make_trainee(username="sam")
    cohort.memberships.create(user=someone)
    theirs = record(assessor, someone)
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    assert _client(assessor).get(url, {"supersedes": theirs.pk}).status_code == 404


def test_an_unknown_or_draft_checklist_is_404(assessor, trainee, cohort, checklist):
    checklist.status = checklist.Status.DRAFT
    checklist.save()
    url = reverse("observations:observe", args=[trainee.pk, checklist.slug])
    assert _client(assessor).get(url).status_code == 404


# --- Acknowledging ---------------------------------------------------------------------------


def test_trainee_acknowledges_once_then_409(trainee, observation):
    url = reverse("observations:acknowledge", args=[observation.pk])
    client = _client(trainee)
    response = client.post(url, follow=True)
    assert OBSERVATION_ACKNOWLEDGED in response.content.decode()
    again = client.post(url)
    assert again.status_code == 409 and ALREADY_ACKNOWLEDGED in again.content.decode()


def test_not_yet_shows_what_to_practise(record, assessor, trainee, cohort):
    observation = record(
        assessor,
        trainee,
        unmet=(0,),
        outcome=Observation.Outcome.NOT_YET,
        feedback="Ask about supplements too.",
    )
    page = (
        _client(trainee).get(reverse("observations:detail", args=[observation.pk])).content.decode()
    )
    assert 'data-testid="what-to-practise"' in page
    assert "Criterion 1 of bleeding-practice: note 0" in page
    assert "Ask about supplements too." in page
    assert 'data-testid="acknowledge"' in page


# --- Query counts ----------------------------------------------------------------------------


def _grow(cohort, checklist, assessor, n, record):
    for i in range(n):
        person = make_trainee(username=f"grow-{cohort.pk}-{i}-{Observation.objects.count()}")
        cohort.memberships.create(user=person)
        record(assessor, person)


# Session, user, roles; cohorts, checklists, memberships, observations.
HOME_QUERIES = 7


def test_home_query_count_stays_flat(
    django_assert_max_num_queries, assessor, cohort, checklist, record
):
    client = _client(assessor)
    _grow(cohort, checklist, assessor, 2, record)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(reverse("observations:home")).status_code == 200
    _grow(cohort, checklist, assessor, 10, record)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(reverse("observations:home"))
    assert len(response.context["home"].cohorts[0].trainees) == 13


LIST_QUERIES = {"observations:mine": 4, "observations:trainee": 7}


@pytest.mark.parametrize("name", ["observations:mine", "observations:trainee"])
def test_lists_query_count_stays_flat(
    django_assert_max_num_queries, assessor, trainee, cohort, checklist, record, name
):
    user, args = (trainee, []) if name == "observations:mine" else (assessor, [trainee.pk])
    client = _client(user)
    record(assessor, trainee)
    with django_assert_max_num_queries(LIST_QUERIES[name]):
        assert client.get(reverse(name, args=args)).status_code == 200
    for _ in range(8):
        record(assessor, trainee)
    with django_assert_max_num_queries(LIST_QUERIES[name]):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_the_cohorts_assessor_may_correct_an_observation_once(
    people, record, assessor, trainee, observation
):
    url = reverse("observations:detail", args=[observation.pk])
    shown = {
        name: 'data-testid="correct"' in _client(user).get(url).content.decode()
        for name, user in people.items()
        if name in ("trainee", "assessor", "manager", "superuser")
    }
    assert shown == {"trainee": False, "assessor": True, "manager": False, "superuser": True}
    record(assessor, trainee, supersedes=observation)
    assert 'data-testid="correct"' not in _client(assessor).get(url).content.decode()
