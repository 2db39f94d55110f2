from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import ngettext

from quizzes.webhooks.selectors import due_events
from quizzes.webhooks.services import deliveries_enqueue_due, event_emit


class Command(BaseCommand):
    help = (
        "Record today's expiring-soon, expired and overdue webhook events (each once per "
        "state) and queue the retries that are due."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the events without recording them."
        )

    def handle(self, *args, **options):
        events = due_events()
        if options["dry_run"]:
            for event in events:
                self.stdout.write(f"Would record: {event.event_type} {event.key}")
            noun = ngettext("event", "events", len(events))
            self.stdout.write(f"Dry run: {len(events)} {noun} due, none recorded.")
            return
        recorded = 0
        with transaction.atomic():
            for event in events:
                recorded += len(
                    event_emit(
                        event_type=event.event_type,
                        key=event.key,
                        trainee_id=event.trainee_id,
                        data=event.data,
                    )
                )
        retried = deliveries_enqueue_due()
        self.stdout.write(
            f"{recorded} {ngettext('delivery', 'deliveries', recorded)} recorded, "
            f"{retried} {ngettext('retry', 'retries', retried)} queued."
        )
