from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from trainingsite.jobs import RECOVER_AFTER_DEFAULT, jobs_recover_stale, jobs_stale


class Command(BaseCommand):
    help = "Give jobs whose database worker died (still running after a while) back to the queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recover-after",
            type=int,
            default=int(RECOVER_AFTER_DEFAULT.total_seconds()),
            metavar="SECONDS",
            help="Recover jobs claimed at least this many seconds ago (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the stale jobs without changing them."
        )

    def handle(self, *args, **options):
        seconds = options["recover_after"]
        if seconds < 0:
            raise CommandError("--recover-after must be zero or more seconds.")
        older_than = timedelta(seconds=seconds)
        if options["dry_run"]:
            count = jobs_stale(older_than=older_than).count()
            noun = ngettext("job", "jobs", count)
            self.stdout.write(f"Dry run: {count} stale {noun}, none changed.")
            return
        count = jobs_recover_stale(older_than=older_than)
        self.stdout.write(f"{count} stale {ngettext('job', 'jobs', count)} queued again.")
