from datetime import date

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quizzes.spaced_review.retention_days import (
    RECORD_BATCH,
    retention_days_job,
    retention_days_record,
    retention_days_trainees,
)


class Command(BaseCommand):
    help = "Store today's retention figures of every trainee holding review cards (run it daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the trainees; store nothing."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Queue the job for the worker instead."
        )
        parser.add_argument(
            "--on", type=date.fromisoformat, default=None, help="YYYY-MM-DD; default today."
        )
        parser.add_argument("--batch", type=int, default=RECORD_BATCH, help="Trainees per batch.")

    def handle(self, *args, dry_run=False, queue=False, on=None, batch=RECORD_BATCH, **options):
        if dry_run:
            count = retention_days_trainees()
            noun = ngettext("trainee holds", "trainees hold", count)
            self.stdout.write(f"Dry run: {count} {noun} review cards; nothing stored.")
            return
        if queue:
            retention_days_job.enqueue()
            self.stdout.write("Retention job queued.")
            return
        written = retention_days_record(on=on, batch=max(1, batch))
        noun = ngettext("trainee's retention day", "trainees' retention days", written)
        self.stdout.write(f"{written} {noun} stored.")
