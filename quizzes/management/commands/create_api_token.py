from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.api.services import (
    EXPIRY_DAYS_DEFAULT,
    EXPIRY_DAYS_MAX,
    ApiTokenError,
    api_token_create,
)

NO_SUCH_USER = "No user named {username!r}."
DAYS_RANGE = f"--days must be 0 (never expires) to {EXPIRY_DAYS_MAX}."


class Command(BaseCommand):
    help = "Create an API token for a manager or superuser and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=EXPIRY_DAYS_DEFAULT,
            help=f"Days until it expires (default {EXPIRY_DAYS_DEFAULT}; 0: never).",
        )

    def handle(self, *args, username, name, days, **options):
        if not 0 <= days <= EXPIRY_DAYS_MAX:
            raise CommandError(DAYS_RANGE)
        owner = get_user_model().objects.filter(username=username).first()
        if owner is None:
            raise CommandError(NO_SUCH_USER.format(username=username))
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            _, plaintext = api_token_create(owner=owner, name=name, expires_at=expires_at)
        except ApiTokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(plaintext)
