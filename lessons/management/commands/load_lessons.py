from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lessons.services import ContentError, lessons_load

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "fixtures" / "lessons"


class Command(BaseCommand):
    help = "Load the shipped topics and lessons, keyed on slugs; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=DEFAULT_DIRECTORY,
            help="Folder holding topics.json, lessons.json and the Markdown bodies.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace existing topics and lessons with the files' version.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, directory, overwrite, dry_run, **options):
        try:
            result = lessons_load(directory=directory, overwrite=overwrite, dry_run=dry_run)
        except ContentError as error:
            raise CommandError(str(error)) from error
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(f"{prefix}Topics: {result.topics}. Lessons: {result.lessons}.")
