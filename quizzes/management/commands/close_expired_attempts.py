from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quizzes.services import attempts_close_expired


class Command(BaseCommand):
    help = "Close and score every quiz attempt whose time limit has passed (run it from cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the expired attempts; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        count = attempts_close_expired(dry_run=dry_run)
        verb = "would be closed" if dry_run else "closed"
        noun = ngettext("expired attempt", "expired attempts", count)
        self.stdout.write(f"{count} {noun} {verb}.")
