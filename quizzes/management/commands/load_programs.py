from django.core.management.base import BaseCommand, CommandError

from quizzes.certification.content import SHIPPED_PROGRAMS, ProgramContentError, programs_load

DEFAULT_PATH = SHIPPED_PROGRAMS


class Command(BaseCommand):
    help = "Load the shipped certification programs, keyed on slug; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_PATH), help="The programs JSON file.")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace existing programs with the file's version (default: keep them).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report without saving.")

    def handle(self, *args, **options):
        try:
            result = programs_load(
                path=options["path"], overwrite=options["overwrite"], dry_run=options["dry_run"]
            )
        except ProgramContentError as error:
            raise CommandError(str(error)) from error
        prefix = "Dry run: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}Programs: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.kept)} kept as edited."
        )
