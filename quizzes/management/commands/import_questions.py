from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from lessons.models import Topic
from quizzes.authoring import formats
from quizzes.authoring.formats.common import FileRejected, decode_upload
from quizzes.authoring.imports import (
    ImportRefused,
    question_import_confirm,
    question_import_preview,
)
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Import a CSV, GIFT or Aiken question file into a quiz's pool (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("quiz", help="The quiz's slug.")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=sorted(formats.FORMATS),
            help="Defaults to the file's extension (.csv, .gift, .aiken).",
        )
        parser.add_argument("--topic", help="Topic slug for questions that name none.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; save nothing."
        )

    def handle(self, *args, quiz, file, file_format, topic, dry_run, **options):
        quiz_obj = Quiz.objects.select_related("topic").filter(slug=quiz).first()
        if quiz_obj is None:
            raise CommandError(f"No quiz with the slug “{quiz}”.")
        topic_obj = None
        if topic:
            topic_obj = Topic.objects.filter(slug=topic).first()
            if topic_obj is None:
                raise CommandError(f"No topic with the slug “{topic}”.")
        file_format = file_format or formats.guess_format(file.name)
        if file_format is None:
            raise CommandError("Give --format csv, gift or aiken for this file name.")
        try:
            text = decode_upload(file.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except FileRejected as exc:
            raise CommandError(exc.message) from exc

        preview = question_import_preview(
            quiz=quiz_obj, text=text, file_format=file_format, default_topic=topic_obj
        )
        for row in preview.rows:
            if row.status != "create":
                self.stdout.write(f"Line {row.line}: {row.status}: {row.message}")
        summary = (
            f"{len(preview.to_create)} to create, "
            + ngettext("{n} duplicate, ", "{n} duplicates, ", len(preview.duplicates)).format(
                n=len(preview.duplicates)
            )
            + ngettext("{n} error.", "{n} errors.", len(preview.errors)).format(
                n=len(preview.errors)
            )
        )
        if dry_run:
            self.stdout.write(f"Dry run: {summary} Nothing was saved.")
            return
        try:
            outcome = question_import_confirm(
                quiz=quiz_obj,
                text=text,
                file_format=file_format,
                actor=None,
                default_topic=topic_obj,
            )
        except ImportRefused as exc:
            raise CommandError(f"{summary} {exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Imported {n} question into {quiz}; ",
                    "Imported {n} questions into {quiz}; ",
                    len(outcome.created),
                ).format(n=len(outcome.created), quiz=quiz_obj.slug)
                + ngettext(
                    "skipped {n} duplicate.", "skipped {n} duplicates.", outcome.duplicates_skipped
                ).format(n=outcome.duplicates_skipped)
            )
        )
