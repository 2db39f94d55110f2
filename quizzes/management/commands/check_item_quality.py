import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from quizzes.authoring.selectors import quality_report
from quizzes.models import Quiz

UNKNOWN_QUIZ = "No quiz has the slug {slug!r}."
FAILED = "The item-quality check failed."


class Command(BaseCommand):
    help = "Check the active question bank, or one quiz's pool, for item cues and gaps."

    def add_arguments(self, parser):
        parser.add_argument("--quiz", metavar="SLUG", help="Check this quiz's pool only.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )

    def handle(self, *args, quiz=None, as_json=False, **options):
        target = None
        if quiz is not None:
            target = Quiz.objects.filter(slug=quiz).first()
            if target is None:
                raise CommandError(UNKNOWN_QUIZ.format(slug=quiz), returncode=2)
        report = quality_report(quiz=target)
        if as_json:
            self.stdout.write(_as_json(report))
        else:
            self.stdout.write(_as_table(report, scope=f"quiz {quiz}" if quiz else "whole bank"))
        if not report.passed:
            # Exit 1 so CI or a script can stop on a failing bank.
            raise CommandError(FAILED, returncode=1)


def _as_json(report) -> str:
    data = asdict(report)
    data["passed"] = report.passed
    for criterion, result in zip(data["criteria"], report.criteria, strict=True):
        criterion["flagged_keys"] = list(result.flagged_keys)
    return json.dumps(data, indent=2)


def _as_table(report, *, scope: str) -> str:
    width = max(len(c.title) for c in report.criteria)
    lines = [f"Item-quality check, {scope}: {report.items} active items.", ""]
    lines.append(f"{'Criterion':<{width}}  Result  Figures")
    for c in report.criteria:
        lines.append(f"{c.title:<{width}}  {'pass' if c.passed else 'FAIL':<6}  {c.summary}")
        lines += [f"{'':<{width}}          {note}" for note in c.notes]
    if report.findings:
        lines += ["", "Flagged items:"]
        key_width = max(len(f.key) for f in report.findings)
        lines += [
            f"  {f.key:<{key_width}}  {f.criterion:<16}  {f.message}" for f in report.findings
        ]
    lines += ["", f"Overall: {'pass' if report.passed else 'FAIL'}"]
    return "\n".join(lines)
