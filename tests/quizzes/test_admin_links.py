"""The attempt admin's links lead only where the viewer may go.

An attempt's own URL is the trainee's page (404 for staff), and the admin's user pages are
403 for educators: the attempt page links the trainee's account only for those who hold
auth.view_user, offers every viewer the trainee's other attempts, and its "View on site" is
the trainee's progress report for a viewer who may open it.
"""

import re

import pytest
from django.urls import reverse

from quizzes.admin import VIEW_USER
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.builders import correct_ids, make_cohort, make_quiz

pytestmark = pytest.mark.django_db

FIELD = re.compile(r'<div class="readonly">(.*?)</div>', re.S)
HREF = re.compile(r'href="([^"]+)"')
VIEW_ON_SITE = re.compile(r'<a href="([^"]+)" class="viewsitelink">')


def _submitted(user, quiz=None):
    quiz = quiz or make_quiz(1)
    attempt = attempt_start(user=user, quiz=quiz)
    answers = {q["id"]: correct_ids(q) for q in attempt.paper["questions"]}
    attempt_save_answers(attempt=attempt, answers=answers, sequence=attempt.sequence)
    return attempt_submit(attempt=attempt)


def _trainee_links(html: str) -> list[str]:
    """The links in the attempt page's trainee field."""
    start = html.index('class="form-row field-trainee')
    field = FIELD.search(html, start).group(1)
    return [link.replace("&amp;", "&") for link in HREF.findall(field)]


def _attempt_page(client, attempt) -> str:
    response = client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_educator_attempt_page_never_links_the_admin_user_page(educator, educator_client, trainee):
    assert educator.has_perm(VIEW_USER) is False
    html = _attempt_page(educator_client, _submitted(trainee))

    assert "/admin/auth/user/" not in html
    assert "Tara" in html or trainee.username in html


def test_educator_attempt_page_links_answer_200_for_the_educator(educator_client, trainee):
    attempt = _submitted(trainee)
    links = _trainee_links(_attempt_page(educator_client, attempt))

    assert links == [f"{reverse('admin:quizzes_attempt_changelist')}?user__id__exact={trainee.pk}"]
    for link in links:
        assert educator_client.get(link).status_code == 200


def test_trainees_other_attempts_link_lists_only_theirs(educator_client, trainee, other_trainee):
    attempt = _submitted(trainee)
    _submitted(other_trainee, attempt.quiz)
    (link,) = _trainee_links(_attempt_page(educator_client, attempt))

    response = educator_client.get(link)

    assert response.status_code == 200
    assert [a.user_id for a in response.context["cl"].result_list] == [trainee.pk]


def test_educator_attempt_page_has_no_view_on_site(educator_client, trainee):
    html = _attempt_page(educator_client, _submitted(trainee))

    assert VIEW_ON_SITE.search(html) is None
    assert "viewsitelink" not in html


def test_superuser_attempt_page_links_the_account_and_answers_200(client, superuser, trainee):
    client.force_login(superuser)
    attempt = _submitted(trainee)
    links = _trainee_links(_attempt_page(client, attempt))

    assert links[0] == reverse("admin:auth_user_change", args=[trainee.pk])
    assert len(links) == 2
    for link in links:
        assert client.get(link).status_code == 200


def test_superuser_view_on_site_is_the_trainees_progress_report(client, superuser, trainee):
    make_cohort(name="Harbour Clinic", trainees=[trainee])
    client.force_login(superuser)
    html = _attempt_page(client, _submitted(trainee))

    (url,) = VIEW_ON_SITE.findall(html)
    assert url == reverse("reports:trainee", kwargs={"pk": trainee.pk})
    assert client.get(url).status_code == 200


def test_no_view_on_site_when_the_report_would_not_open(client, superuser, trainee):
    # A trainee in no cohort has no drill-down (404 even for a superuser): offer none.
    client.force_login(superuser)
    html = _attempt_page(client, _submitted(trainee))

    assert "viewsitelink" not in html
