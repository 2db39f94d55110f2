from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quizzes.certification.reminders import reminder_enqueue, reminders_due


class Command(BaseCommand):
    help = (
        "Queue e-mails to trainees whose certification is due, overdue, expiring or expired, "
        "once per event."
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
