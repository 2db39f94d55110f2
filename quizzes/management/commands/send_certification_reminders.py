from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quizzes.certification.reminders import reminder_enqueue, reminders_due
from quizzes.spaced_review.reminders import review_nudge_enqueue, review_nudges_due


class Command(BaseCommand):
    help = (
        "Queue e-mails to trainees whose certification is due, overdue, expiring or expired, "
        "once per event, and review nudges at most weekly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders without sending them."
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The site's address for links in the e-mails, e.g. https://training.example.org",
        )

    def handle(self, *args, **options):
        reminders = reminders_due()
        queued = 0
        for reminder in reminders:
            line = (
                f"{reminder.event} {reminder.event_date} {reminder.email} {reminder.program.slug}"
            )
            if options["dry_run"]:
                self.stdout.write(f"Would send: {line}")
                continue
            # One job per e-mail; the job's ReminderSent row keeps it to one e-mail per event.
            reminder_enqueue(reminder=reminder, site_url=options["site_url"].rstrip("/"))
            queued += 1
            self.stdout.write(f"Queued: {line}")
        if options["dry_run"]:
            noun = ngettext("reminder", "reminders", len(reminders))
            self.stdout.write(f"Dry run: {len(reminders)} {noun} due, none sent.")
        else:
            self.stdout.write(f"{queued} {ngettext('reminder', 'reminders', queued)} queued.")
        self._review_nudges(dry_run=options["dry_run"], site_url=options["site_url"].rstrip("/"))

    def _review_nudges(self, *, dry_run: bool, site_url: str) -> None:
        """Queue the weekly "questions due for review" e-mails (quizzes/spaced_review/)."""
        nudges = review_nudges_due()
        for nudge in nudges:
            line = f"review {nudge.due_count} due {nudge.email}"
            if dry_run:
                self.stdout.write(f"Would send: {line}")
                continue
            review_nudge_enqueue(nudge=nudge, site_url=site_url)
            self.stdout.write(f"Queued: {line}")
        noun = ngettext("review nudge", "review nudges", len(nudges))
        if dry_run:
            self.stdout.write(f"Dry run: {len(nudges)} {noun} due, none sent.")
        else:
            self.stdout.write(f"{len(nudges)} {noun} queued.")
