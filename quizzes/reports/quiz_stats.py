"""The quiz report and the question analysis, over the attempts the viewer may analyse.

Totals, medians, the score distribution and each question's sufficient
statistics are aggregated in SQL; the statistics themselves are pure
(quizzes.reports.item_analysis). Which attempts count is Attempt.objects.counted();
whose attempts the viewer sees is quizzes.cohorts.scope.attempts_for_viewer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Floor
from django.http import Http404
from django.urls import reverse

from quizzes.cohorts.scope import attempts_for_viewer
from quizzes.models import Attempt, AttemptAnswer, Choice, Cohort, Question, Quiz
from quizzes.reports.chart_data import Chart, histogram_chart
from quizzes.reports.item_analysis import (
    ItemStats,
    ItemSums,
    QuizStats,
    Reliability,
    bin_labels,
    group_size,
    item_statistics,
    median_window,
    quiz_statistics,
    reliability_from_sums,
)

QUIZ_NOT_FOUND = "No such quiz."
QUESTION_NOT_FOUND = "No such question in this quiz."


def quizzes_for_reports() -> QuerySet[Quiz]:
    return Quiz.objects.authored().order_by("order", "id")


def quiz_for_reports_or_404(quiz_id: int) -> Quiz:
    quiz = quizzes_for_reports().filter(pk=quiz_id).first()
    if quiz is None:
        raise Http404(QUIZ_NOT_FOUND)
    return quiz


def scoped_attempts(*, user, quiz: Quiz, cohort: Cohort | None = None) -> QuerySet[Attempt]:
    """Graded, scored attempts on the quiz that the user may analyse.

    Which attempts count is Attempt.objects.counted(); whose attempts the user
    sees is the scoping helper's (quizzes.cohorts.scope.attempts_for_viewer).
    """
    attempts = Attempt.objects.counted().filter(quiz=quiz, percent__isnull=False)
    return attempts_for_viewer(user, attempts, cohort=cohort)


def report_quiz(*, user, quiz: Quiz, cohort: Cohort | None = None) -> tuple[QuizStats, Chart]:
    """Attempts, trainees, pass rate, mean and median, time taken, score distribution."""
    attempts = scoped_attempts(user=user, quiz=quiz, cohort=cohort)
    totals = attempts.aggregate(
        n=Count("id"),
        trainees=Count("user_id", distinct=True),
        passed=Count("id", filter=Q(passed=True)),
        sum_percent=Sum("percent"),
    )
    n = totals["n"]
    start, stop = median_window(n)
    middle_percents, middle_seconds = [], []
    bins: dict[int, int] = {}
    if n:
        middle_percents = list(
            attempts.order_by("percent", "id").values_list("percent", flat=True)[start:stop]
        )
        durations = attempts.annotate(
            taken=ExpressionWrapper(
                F("submitted_at") - F("started_at"), output_field=DurationField()
            )
        )
        middle_seconds = [
            d.total_seconds()
            for d in durations.order_by("taken", "id").values_list("taken", flat=True)[start:stop]
        ]
        for row in (
            attempts.annotate(bin=Floor(F("percent") / 10.0))
            .values("bin")
            .annotate(c=Count("id"))
            .order_by()
        ):
            index = min(max(int(row["bin"]), 0), 9)
            bins[index] = bins.get(index, 0) + row["c"]
    stats = quiz_statistics(
        attempts=n,
        trainees=totals["trainees"],
        passed=totals["passed"],
        sum_percent=totals["sum_percent"] or 0.0,
        median_percents=middle_percents,
        median_seconds=middle_seconds,
        bin_counts=bins,
    )
    chart = histogram_chart(
        title=f"{quiz.title}: attempts by score",
        bins=list(zip(bin_labels(), stats.distribution, strict=True)),
    )
    return stats, chart


def report_reliability(*, attempts: QuerySet[Attempt]) -> Reliability | None:
    """KR-20 / Cronbach's alpha of the attempts (two queries, however many attempts).

    Scores are fractions of each question's points, divided in SQL: one query
    sums them per question, the other sums each attempt's total and its square.
    """
    fraction = ExpressionWrapper(
        F("awarded") * 1.0 / F("question__points"), output_field=FloatField()
    )
    answers = AttemptAnswer.objects.filter(attempt__in=attempts.values("pk"), awarded__isnull=False)
    items = [
        ItemSums(
            question_id=row["question_id"],
            max_points=1.0,
            n=row["n"],
            sum_x=row["sx"] or 0.0,
            sum_x2=row["sxx"] or 0.0,
        )
        for row in answers.values("question_id")
        .annotate(
            n=Count("id"),
            sx=Sum(fraction),
            sxx=Sum(fraction * fraction, output_field=FloatField()),
        )
        .order_by()
    ]
    # Each attempt's total in one grouped pass over the answers, then summed: a
    # correlated subquery per attempt took seconds on 300,000 attempts.
    totals = (
        answers.values("attempt_id")
        .annotate(total=Sum(fraction))
        .order_by()
        .aggregate(
            n=Count("total"),
            st=Sum("total"),
            stt=Sum(F("total") * F("total"), output_field=FloatField()),
        )
    )
    return reliability_from_sums(
        items=items,
        attempts=totals["n"],
        sum_total=totals["st"] or 0.0,
        sum_total2=totals["stt"] or 0.0,
    )


def report_quiz_reliability(
    *, user, quiz: Quiz, cohort: Cohort | None = None
) -> Reliability | None:
    """The reliability of the quiz over the attempts the user may analyse."""
    return report_reliability(attempts=scoped_attempts(user=user, quiz=quiz, cohort=cohort))


def question_in_pool_or_404(*, quiz: Quiz, question_id: int) -> Question:
    """A question of the quiz's pool, or 404."""
    question = Question.objects.filter(pk=question_id, pool_entries__quiz=quiz).first()
    if question is None:
        raise Http404(QUESTION_NOT_FOUND)
    return question


@dataclass
class ChoiceRow:
    choice_id: int
    text: str
    is_correct: bool
    rate: float
    count: int


@dataclass
class QuestionRow:
    question: Question | None
    question_id: int
    stats: ItemStats
    choices: list[ChoiceRow]
    admin_url: str = ""


def item_sums_for_quiz(*, attempts: QuerySet[Attempt]) -> list[ItemSums]:
    """Aggregate each question's sufficient statistics in SQL (four queries)."""
    n = attempts.count()
    k = group_size(n)
    upper = lower = Q(pk__in=[])
    if k:
        upper_total, upper_id = attempts.order_by("-points", "-id").values_list("points", "id")[
            k - 1
        ]
        lower_total, lower_id = attempts.order_by("points", "id").values_list("points", "id")[k - 1]
        upper = Q(attempt__points__gt=upper_total) | Q(
            attempt__points=upper_total, attempt_id__gte=upper_id
        )
        lower = Q(attempt__points__lt=lower_total) | Q(
            attempt__points=lower_total, attempt_id__lte=lower_id
        )
    answers = AttemptAnswer.objects.filter(attempt__in=attempts.values("pk"), awarded__isnull=False)
    x = F("awarded")
    y = ExpressionWrapper(F("attempt__points") - F("awarded"), output_field=FloatField())
    # One pass over the answers, grouped by question and selection: the choice counts
    # come from the same rows as the sums (added up per question here), instead of a
    # second pass over every answer (4 million answers on the final at 100,000 trainees).
    fields = ("n", "sx", "sxx", "sy", "syy", "sxy", "un", "us", "ln", "ls")
    totals: dict[int, dict[str, float]] = {}
    choice_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        answers.values("question_id", "selected")
        .annotate(
            n=Count("id"),
            sx=Sum(x),
            sxx=Sum(x * x, output_field=FloatField()),
            sy=Sum(y),
            syy=Sum(y * y, output_field=FloatField()),
            sxy=Sum(x * y, output_field=FloatField()),
            un=Count("id", filter=upper),
            us=Sum(x, filter=upper),
            ln=Count("id", filter=lower),
            ls=Sum(x, filter=lower),
        )
        .order_by()
    ):
        total = totals.setdefault(row["question_id"], dict.fromkeys(fields, 0))
        for name in fields:
            total[name] += row[name] or 0
        counts = choice_counts[row["question_id"]]
        for choice_id in row["selected"] or []:
            counts[choice_id] = counts.get(choice_id, 0) + row["n"]
    rows = [{"question_id": question_id, **total} for question_id, total in totals.items()]
    points = dict(
        Question.objects.filter(pk__in=[r["question_id"] for r in rows]).values_list("pk", "points")
    )
    return [
        ItemSums(
            question_id=r["question_id"],
            max_points=float(points.get(r["question_id"], 1)),
            n=r["n"],
            sum_x=r["sx"] or 0.0,
            sum_x2=r["sxx"] or 0.0,
            sum_y=r["sy"] or 0.0,
            sum_y2=r["syy"] or 0.0,
            sum_xy=r["sxy"] or 0.0,
            upper_n=r["un"],
            upper_sum_x=r["us"] or 0.0,
            lower_n=r["ln"],
            lower_sum_x=r["ls"] or 0.0,
            choice_counts=choice_counts.get(r["question_id"], {}),
        )
        for r in rows
    ]


def report_question_analysis(
    *, user, quiz: Quiz, cohort: Cohort | None = None, admin_links: bool = False
) -> list[QuestionRow]:
    """Facility, discrimination, pick rates and flags for every question answered."""
    attempts = scoped_attempts(user=user, quiz=quiz, cohort=cohort)
    sums = item_sums_for_quiz(attempts=attempts)
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[s.question_id for s in sums]).prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "id"))
        )
    }
    order = {
        qid: i
        for i, qid in enumerate(
            quiz.pool.order_by("order", "id").values_list("question_id", flat=True)
        )
    }
    result = []
    for item in sums:
        stats = item_statistics(item)
        question = questions.get(item.question_id)
        choices = []
        if question is not None:
            for choice in question.choices.all():
                count = item.choice_counts.get(choice.pk, 0)
                choices.append(
                    ChoiceRow(
                        choice_id=choice.pk,
                        text=choice.text,
                        is_correct=choice.is_correct,
                        rate=stats.choice_rates.get(choice.pk, 0.0),
                        count=count,
                    )
                )
        result.append(
            QuestionRow(
                question=question,
                question_id=item.question_id,
                stats=stats,
                choices=choices,
                admin_url=(
                    reverse("admin:quizzes_question_change", args=[item.question_id])
                    if admin_links
                    else ""
                ),
            )
        )
    result.sort(key=lambda r: (order.get(r.question_id, len(order)), r.question_id))
    return result
