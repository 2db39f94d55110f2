from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quizzes.authoring.content import QuizContentError, quizzes_load


class Command(BaseCommand):
    help = "Load the question bank and quizzes from fixtures/quizzes/; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            default=str(settings.BASE_DIR / "fixtures" / "quizzes"),
            help="Folder holding questions.json and quizzes.json.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace existing questions and quizzes with the files' version.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count; write nothing."
        )

    def handle(self, *args, directory, overwrite=False, dry_run=False, **options):
        try:
            result = quizzes_load(directory=directory, overwrite=overwrite, dry_run=dry_run)
        except QuizContentError as error:
            raise CommandError(str(error)) from None
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(f"{prefix}Questions: {result.questions}. Quizzes: {result.quizzes}.")
