"""Finding 2: join codes are random, shown grouped, rotated or switched off by the cohort's
manager, and looked up at most JOIN_RATE.limit times per address per window."""

import importlib
import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.cohorts.tokens import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_BITS,
    JOIN_CODE_LENGTH,
    join_code_format,
    join_code_new,
    join_code_normalise,
)
from quizzes.cohorts.views import (
    JOIN_RATE,
    JOIN_RATE_LIMITED,
    JOIN_SIGNUP_RATE,
    MESSAGE_JOIN_CODE_NEW,
    MESSAGE_JOIN_CODE_OFF,
    MESSAGE_JOIN_CODE_ON,
)
from quizzes.models import Cohort
from quizzes.synthetic.demo_cohort import DEMO_COHORT_SLUG
from tests.builders import make_cohort
from trainingsite.models import AuditEvent

GROUPED = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


# --- The codes themselves (pure) --------------------------------------------------------------


def test_a_join_code_carries_at_least_64_random_bits():
    assert JOIN_CODE_BITS >= 64
    assert len(JOIN_CODE_ALPHABET) ** JOIN_CODE_LENGTH >= 2**JOIN_CODE_BITS
    codes = [join_code_new() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == JOIN_CODE_LENGTH and set(c) <= set(JOIN_CODE_ALPHABET) for c in codes)
    # Every character of the alphabet turns up in every position, roughly evenly.
    for position in range(JOIN_CODE_LENGTH):
        counts = Counter(code[position] for code in codes)
        assert set(counts) == set(JOIN_CODE_ALPHABET)
        assert max(counts.values()) < 2000 / 32 * 2


def test_codes_are_shown_in_groups_of_four_like_certificate_codes():
    code = join_code_new()
    shown = join_code_format(code)
    assert GROUPED.fullmatch(shown)
    assert shown.replace("-", "") == code


@pytest.mark.parametrize(
    "typed",
    [
        "7KQ2-M9XD-4RTB-0HZW",
        "7kq2m9xd4rtb0hzw",
        " 7kq2 m9xd 4rtb 0hzw ",
        "7KQ2_M9XD.4RTB-OHZW",  # O read as 0
    ],
)
def test_typed_codes_are_read_with_or_without_dashes_and_in_any_case(typed):
    assert join_code_normalise(typed) == "7KQ2M9XD4RTB0HZW"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "riverside-2026",
        "7KQ2-M9XD-4RTB",
        "7KQ2-M9XD-4RTB-0HZW-0",
        "7KQ2\x00M9XD4RTB0HZ",
        "U" * 16,
        "x" * 500,
        None,
        12,
    ],
)
def test_anything_else_is_not_a_join_code(typed):
    assert join_code_normalise(typed) is None


# --- The join page ----------------------------------------------------------------------------


def _cohort_with_code(**kwargs):
    return make_cohort(join_code=join_code_new(), **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("shape", [join_code_format, str, str.lower])
def test_the_join_page_opens_with_the_code_in_any_shape(client, shape):
    cohort = _cohort_with_code(name="Riverside")
    response = client.get(reverse("cohorts:join", args=[shape(cohort.join_code)]))
    assert response.status_code == 200
    assert "Join Riverside" in response.content.decode()


@pytest.mark.django_db
def test_the_slug_is_not_a_join_code(client):
    cohort = _cohort_with_code()
    assert client.get(reverse("cohorts:join", args=[cohort.slug])).status_code == 404


@pytest.mark.django_db
def test_wrong_codes_are_limited_per_address_and_the_limit_is_exact():
    cohort = _cohort_with_code()
    good = reverse("cohorts:join", args=[join_code_format(cohort.join_code)])
    client = Client(REMOTE_ADDR="203.0.113.7")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        statuses = [
            client.get(
                good if i % 2 else reverse("cohorts:join", args=[join_code_new()])
            ).status_code
            for i in range(2 * JOIN_RATE.limit - 1)
        ]
        # Right codes do not count: twenty wrong ones, each a 404, among them.
        assert statuses == [404, 200] * (JOIN_RATE.limit - 1) + [404]
        refused = client.get(good)
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(JOIN_RATE.window)
        assert JOIN_RATE_LIMITED in refused.content.decode()
        assert client.get(reverse("cohorts:join", args=[join_code_new()])).status_code == 429
        # A posted sign-up is refused too, before anything is saved.
        assert client.post(good, {"email": "x@example.com"}).status_code == 429
        # Another address is not affected.
        assert Client(REMOTE_ADDR="203.0.113.8").get(good).status_code == 200
    with time_machine.travel(start + timedelta(seconds=JOIN_RATE.window - 60), tick=False):
        late = client.get(good)
        assert late.status_code == 429
        assert late["Retry-After"] == "60"
    with time_machine.travel(start + timedelta(seconds=JOIN_RATE.window + 1), tick=False):
        assert client.get(good).status_code == 200


@pytest.mark.django_db
def test_an_intake_behind_one_address_is_never_stopped_by_the_code_limit():
    cohort = _cohort_with_code()
    good = reverse("cohorts:join", args=[join_code_format(cohort.join_code)])
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert {client.get(good).status_code for _ in range(3 * JOIN_RATE.limit)} == {200}


@pytest.mark.django_db
def test_sign_ups_from_one_address_are_limited_too():
    cohort = _cohort_with_code()
    good = reverse("cohorts:join", args=[join_code_format(cohort.join_code)])
    client = Client(REMOTE_ADDR="203.0.113.10")
    with time_machine.travel(timezone.now(), tick=False):
        statuses = {client.post(good, {}).status_code for _ in range(JOIN_SIGNUP_RATE.limit)}
        assert statuses == {400}  # an empty form: its errors, nothing saved
        refused = client.post(good, {})
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(JOIN_SIGNUP_RATE.window)


@pytest.mark.django_db
def test_the_limits():
    assert (JOIN_RATE.limit, JOIN_RATE.window) == (20, 15 * 60)
    assert (JOIN_SIGNUP_RATE.limit, JOIN_SIGNUP_RATE.window) == (60, 60 * 60)


# --- Rotating and switching off ---------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_the_cohort_page_shows_the_code_grouped(manager_client, manager):
    cohort = _cohort_with_code(managers=[manager])
    body = manager_client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    shown = join_code_format(cohort.join_code)
    assert f'<code data-testid="join-code">{shown}</code>' in body
    assert f"/reports/join/{shown}/" in body


@pytest.mark.django_db
def test_a_new_code_kills_the_old_one_at_once(client, manager_client, manager):
    cohort = _cohort_with_code(managers=[manager])
    old = cohort.join_code
    response = manager_client.post(reverse("cohorts:join_code_new", args=[cohort.slug]))
    assert response.status_code == 302
    assert _messages(response) == [MESSAGE_JOIN_CODE_NEW]
    cohort.refresh_from_db()
    assert cohort.join_code != old
    assert join_code_normalise(cohort.join_code) == cohort.join_code
    visitor = Client()
    assert visitor.get(reverse("cohorts:join", args=[old])).status_code == 404
    assert visitor.get(reverse("cohorts:join", args=[cohort.join_code])).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.JOIN_CODE_CHANGED)
    assert (event.actor, event.target_id) == (manager, str(cohort.pk))
    assert old not in str(event.details) and cohort.join_code not in str(event.details)


@pytest.mark.django_db
def test_switching_off_and_on_again(manager_client, manager):
    cohort = _cohort_with_code(managers=[manager])
    old = cohort.join_code
    off = manager_client.post(reverse("cohorts:join_code_off", args=[cohort.slug]))
    assert off.status_code == 302
    assert _messages(off) == [MESSAGE_JOIN_CODE_OFF]
    cohort.refresh_from_db()
    assert cohort.join_code is None
    assert Client().get(reverse("cohorts:join", args=[old])).status_code == 404
    page = manager_client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "Sign-up with a join code is off for this cohort." in page
    on = manager_client.post(reverse("cohorts:join_code_new", args=[cohort.slug]))
    assert _messages(on) == [MESSAGE_JOIN_CODE_ON]
    cohort.refresh_from_db()
    assert cohort.join_code not in (None, old)
    assert list(
        AuditEvent.objects.filter(action=AuditEvent.Action.JOIN_CODE_CHANGED)
        .order_by("id")
        .values_list("details", flat=True)
    ) == [{"join_code": "off"}, {"join_code": "on"}]


@pytest.mark.django_db
def test_only_the_cohorts_managers_change_its_code(client, trainee, educator, other_manager):
    cohort = _cohort_with_code()
    code = cohort.join_code
    for person, expected in [(trainee, 403), (educator, 403), (other_manager, 404)]:
        client.force_login(person)
        for name in ("cohorts:join_code_new", "cohorts:join_code_off"):
            assert client.post(reverse(name, args=[cohort.slug])).status_code == expected
    client.logout()
    assert client.post(reverse("cohorts:join_code_new", args=[cohort.slug])).status_code == 302
    cohort.refresh_from_db()
    assert cohort.join_code == code


@pytest.mark.django_db
def test_code_changes_are_posts(manager_client, manager):
    cohort = _cohort_with_code(managers=[manager])
    for name in ("cohorts:join_code_new", "cohorts:join_code_off"):
        assert manager_client.get(reverse(name, args=[cohort.slug])).status_code == 405


# --- Old codes and the demo --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_replaces_guessable_codes_and_keeps_random_ones():
    migration = importlib.import_module("quizzes.migrations.0006_cohort_invitations_join_codes")
    slug_code = make_cohort(join_code="riverside-2026")
    word_code = make_cohort(join_code="JOIN-ALPHA")
    lower_random = make_cohort(join_code=join_code_new().lower())
    kept = join_code_new()
    random_code = make_cohort(join_code=kept)
    no_code = make_cohort()
    migration.replace_guessable_join_codes(apps, None)
    for cohort in (slug_code, word_code, lower_random, random_code, no_code):
        cohort.refresh_from_db()
    assert random_code.join_code == kept
    assert no_code.join_code is None
    for cohort in (slug_code, word_code, lower_random):
        assert join_code_normalise(cohort.join_code) == cohort.join_code
    assert len({c.join_code for c in (slug_code, word_code, lower_random, random_code)}) == 4


@pytest.mark.django_db
def test_setup_demo_prints_a_random_join_link_that_works(client):
    out = StringIO()
    call_command("setup_demo", stdout=out)
    cohort = Cohort.objects.get(slug=DEMO_COHORT_SLUG)
    assert join_code_normalise(cohort.join_code) == cohort.join_code
    shown = join_code_format(cohort.join_code)
    path = f"/reports/join/{shown}/"
    assert f"Its sign-up page: {path} (join code {shown})." in out.getvalue()
    assert client.get(path).status_code == 200
    again = StringIO()
    call_command("setup_demo", stdout=again)
    assert path in again.getvalue()
    assert client.get(reverse("cohorts:join", args=[DEMO_COHORT_SLUG])).status_code == 404
