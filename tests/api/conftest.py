"""The API's world: two cohorts, each with its manager and trainee, a program and tokens."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quizzes.api.services import api_token_create
from tests.builders import assign_to_cohort, make_certificate, make_cohort, make_program


@dataclass
class ApiWorld:
    cohort_a: object
    cohort_b: object
    program: object
    certificate: object
    other_certificate: object
    manager_token: str
    other_manager_token: str
    superuser_token: str


def token_for(user, name="Test") -> str:
    return api_token_create(owner=user, name=name, expires_at=None)[1]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


class ApiClient:
    """A test client that sends one token with every request."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = bearer(token)

    def get(self, path, data=None, **extra):
        return self.client.get(path, data, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(
            path,
            data,
            content_type=extra.pop("content_type", "application/json"),
            **self.headers,
            **extra,
        )

    def delete(self, path, **extra):
        return self.client.delete(path, **self.headers, **extra)


@pytest.fixture
def api_world(trainee, other_trainee, manager, other_manager, superuser):
    program = make_program(slug="foundation", lessons=1, quizzes=1)
    cohort_a = make_cohort(name="Ward A", managers=[manager], trainees=[trainee])
    cohort_b = make_cohort(name="Ward B", managers=[other_manager], trainees=[other_trainee])
    assign_to_cohort(cohort_a, program, due_date=timezone.localdate() + timedelta(days=30))
    assign_to_cohort(cohort_b, program)
    now = timezone.now()
    certificate = make_certificate(
        trainee, program, issued_at=now - timedelta(days=10), expires_at=now + timedelta(days=700)
    )
    other_certificate = make_certificate(other_trainee, program, issued_at=now - timedelta(days=5))
    return ApiWorld(
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        program=program,
        certificate=certificate,
        other_certificate=other_certificate,
        manager_token=token_for(manager),
        other_manager_token=token_for(other_manager),
        superuser_token=token_for(superuser),
    )


@pytest.fixture
def manager_api(api_world):
    return ApiClient(api_world.manager_token)


@pytest.fixture
def other_manager_api(api_world):
    return ApiClient(api_world.other_manager_token)


@pytest.fixture
def superuser_api(api_world):
    return ApiClient(api_world.superuser_token)
