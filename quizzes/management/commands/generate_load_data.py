import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from quizzes.synthetic.load_data import (
    OUTCOMES,
    PREFIX,
    REVIEW_CARDS_PER_TRAINEE,
    load_data_delete,
    load_data_generate,
)


class Command(BaseCommand):
    help = "Generate a large, realistic data set of trainees, cohorts, attempts and certificates."

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=10_000)
        parser.add_argument("--cohorts", type=int, default=50)
        parser.add_argument("--attempts", type=int, default=150_000, help="Approximate total.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD; default today."
        )
        parser.add_argument("--program", default=None, help="Program slug (default: the first).")
        parser.add_argument(
            "--review-cards",
            type=int,
            default=REVIEW_CARDS_PER_TRAINEE,
            help="Spaced-review cards per trainee (0: none).",
        )
        parser.add_argument(
            "--replace", action="store_true", help=f"Delete earlier '{PREFIX}' data first."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be made.")

    def handle(self, *args, **options):
        if (
            options["trainees"] < 1
            or options["cohorts"] < 1
            or options["attempts"] < 0
            or options["review_cards"] < 0
        ):
            raise CommandError(
                "--trainees and --cohorts must be at least 1, --attempts and --review-cards "
                "at least 0."
            )
        if options["dry_run"]:
            outcomes = ", ".join(f"{name} ~{share:.0%}" for name, share in OUTCOMES)
            self.stdout.write(
                f"Would create {options['trainees']} trainees in {options['cohorts']} cohorts "
                f"with about {options['attempts']} graded attempts (one answer row per question), "
                f"lesson completions and certificates over two years ({outcomes}), "
                f"{options['review_cards']} review cards each; "
                f"{options['cohorts'] + 1} managers. Nothing was written."
            )
            return
        if options["replace"]:
            deleted = load_data_delete()
            self.stdout.write(f"Deleted {deleted} earlier load users and their data.")
        started = time.monotonic()
        try:
            result = load_data_generate(
                trainees=options["trainees"],
                cohorts=options["cohorts"],
                attempts=options["attempts"],
                seed=options["seed"],
                today=options["today"],
                program_slug=options["program"],
                review_cards=options["review_cards"],
                progress=self.stdout.write if options["verbosity"] > 1 else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Created {result.trainees} trainees, {result.managers} managers, "
            f"{result.cohorts} cohorts, {result.completions} lesson completions, "
            f"{result.attempts} attempts with {result.answers} answers, "
            f"{result.certificates} certificates, {result.review_cards} review cards with "
            f"{result.review_logs} reviews, {result.retention_days} stored retention days "
            f"in {elapsed:.1f} s."
        )
        self.stdout.write(
            f"Managers log in as {PREFIX}manager-00 (every cohort) with the load password."
        )
