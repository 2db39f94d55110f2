"""API tokens in the hardening world (issue 20): the manager's token, for its revoke page."""

from quizzes.api.services import api_token_create


def build_api_world(*, manager) -> dict:
    token, _ = api_token_create(owner=manager, name="HR system", expires_at=None)
    return {"api_token": token}
