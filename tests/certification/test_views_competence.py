"""The trainee's pages with observed practice and attestations among the requirements."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.builders import (
    assign,
    attest,
    do_everything,
    make_checklist,
    make_program,
    make_statement,
    observe,
)

DAY = timedelta(days=1)


def _program(trainee):
    program = make_program(slug="observed", lessons=1, quizzes=1)
    checklist = make_checklist(programs=[program])
    statement = make_statement(programs=[program])
    assign(trainee, program, due_date=timezone.localdate() + 10 * DAY)
    do_everything(trainee, program, at=timezone.now() - DAY)
    return program, checklist, statement


def test_the_next_step_after_the_quizzes_is_the_attestation(trainee_client, trainee):
    program, checklist, statement = _program(trainee)
    page = trainee_client.get(reverse("trainee_home")).content.decode()
    assert f'href="{statement.get_absolute_url()}"' in page
    assert f"Next: sign “{statement.title}”" in page
    assert "1 of 1 lesson done" in " ".join(page.split())
    assert "0 of 1 attestation signed" in " ".join(page.split())


def test_only_observed_practice_left_is_awaiting_sign_off(trainee_client, trainee):
    program, checklist, statement = _program(trainee)
    attest(trainee, statement)
    page = trainee_client.get(reverse("trainee_home")).content.decode()
    assert 'data-testid="awaiting-sign-off"' in page
    assert f"Next: observed practice, “{checklist.title}”" in page
    assert f'href="{reverse("observations:mine")}"' in page
    program_page = trainee_client.get(reverse("certificates:program", args=[program.slug]))
    text = program_page.content.decode()
    assert "Awaiting sign-off" in text
    assert "Observed practice" in text and "To be observed" in text
    assert "Statements to attest" in text and "Signed" in text


def test_the_dashboard_lists_observations_to_acknowledge(trainee_client, trainee):
    program, checklist, statement = _program(trainee)
    observation = observe(trainee, checklist, acknowledged=False)
    page = trainee_client.get(reverse("trainee_home")).content.decode()
    assert 'data-testid="observations-card"' in page
    assert reverse("observations:detail", args=[observation.pk]) in page


def test_a_program_without_them_shows_neither(trainee_client, trainee):
    program = make_program(slug="plain", lessons=1, quizzes=1)
    assign(trainee, program)
    page = trainee_client.get(reverse("trainee_home")).content.decode()
    assert "attestation signed" not in page
    assert "observed practice" not in page
    assert 'data-testid="observations-card"' not in page
